//! The loopback redirect a native app's sign-in returns to (RFC 8252 §7.3): a listener on
//! 127.0.0.1 at a port of the system's choosing, for one sign-in, answering the browser with a
//! short page and handing the code to the desk.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::claims::refused;
use crate::error::{Error, ErrorKind, Result};

/// The path the provider redirects to.
pub const CALLBACK_PATH: &str = "/callback";

/// The query of the redirect: a code and state, or the provider's error.
pub(super) type Callback = HashMap<String, String>;

pub(super) struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub(super) async fn bind() -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            Error::internal(
                "Booking Desk could not listen on this machine for the sign-in's answer.",
            )
            .with_diagnostics(e.to_string())
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| {
                Error::internal("The sign-in listener has no port.").with_diagnostics(e.to_string())
            })?
            .port();
        Ok(Self { listener, port })
    }

    pub(super) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serves until the browser arrives at the callback, or `limit` passes.
    pub(super) async fn wait(self, limit: Duration) -> Result<Callback> {
        let (tx, mut rx) = mpsc::channel::<Callback>(1);
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                got = rx.recv() => {
                    return got.ok_or_else(|| refused("The sign-in's answer was lost."));
                }
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let tx = tx.clone();
                            async move { Ok::<_, Infallible>(answer(&req, &tx)) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                () = &mut deadline => {
                    return Err(Error::new(ErrorKind::Timeout)
                        .with_message("The sign-in was not finished in time.")
                        .with_next_step("Sign in again, and finish in the sign-in page that opens."));
                }
            }
        }
    }
}

fn answer(
    req: &Request<hyper::body::Incoming>,
    tx: &mpsc::Sender<Callback>,
) -> Response<Full<Bytes>> {
    if req.uri().path() != CALLBACK_PATH {
        return page(StatusCode::NOT_FOUND, "Not found", "Nothing is here.");
    }
    let query: Callback =
        url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let refused = query.contains_key("error");
    // Only the first answer counts: a second arrival (a reload) finds the channel full.
    let _ = tx.try_send(query);
    if refused {
        page(
            StatusCode::OK,
            "Not signed in",
            "The sign-in did not complete. Go back to Booking Desk to see why and try again.",
        )
    } else {
        page(
            StatusCode::OK,
            "Signed in",
            "You can close this page and go back to Booking Desk.",
        )
    }
}

fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} - Booking Desk</title></head>\
         <body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    );
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The page carries nothing worth keeping, and the code in its address is spent.
    resp.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    resp
}
