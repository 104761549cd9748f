//! Our own accept loop, so a handler can close its connection without sending a byte (the
//! drop-after-commit fault) while every other connection, keep-alive included, works normally.
//! The same loop serves plain HTTP or HTTPS.

use crate::faults::DropSignal;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long shutdown waits for open connections to finish.
const DRAIN: Duration = Duration::from_secs(2);
/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// How long a refused client gets to read our alert before the socket closes.
const LINGER: Duration = Duration::from_secs(1);

async fn serve_connection<S>(stream: S, app: Router, mut shutdown: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let signal = DropSignal::default();
    let per_request = signal.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(per_request.clone());
        app.clone().oneshot(req)
    });
    // The timer lets hyper time out clients that never finish sending their headers.
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut draining = *shutdown.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            biased;
            // Dropping the connection future closes the socket with nothing written.
            _ = signal.fired() => return,
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            // A closed channel means the owner is gone: shut down just the same.
            _ = shutdown.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Completes the TLS handshake, then serves the connection like a plain one. A failed handshake
/// ends only this connection.
async fn serve_tls(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    app: Router,
    shutdown: watch::Receiver<bool>,
) {
    match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream).into_fallible()).await {
        Ok(Ok(tls)) => serve_connection(tls, app, shutdown).await,
        Ok(Err((e, stream))) => {
            tracing::debug!(error = %e, "TLS handshake failed");
            linger(stream).await;
        }
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

/// Closes a refused connection gently. rustls has already written its alert; closing with the
/// client's unread request still queued would send a reset, which some systems deliver before
/// the alert, leaving the client without the reason.
async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// Accepts connections until `shutdown` turns true, then lets open ones finish briefly. With an
/// acceptor every connection is TLS.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let (app, rx) = (app.clone(), shutdown.clone());
                    match &tls {
                        Some(acceptor) => {
                            connections.spawn(serve_tls(acceptor.clone(), stream, app, rx));
                        }
                        None => {
                            connections.spawn(serve_connection(stream, app, rx));
                        }
                    }
                }
                Err(e) => {
                    // Usually running out of file descriptors: back off rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        connections.abort_all();
    }
}
