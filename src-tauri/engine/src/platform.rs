//! Sending with the right credentials: Spine requests carry their own JWT; BaRS requests carry
//! the national API platform's bearer token. The platform refuses an expired or revoked token
//! (401) and throttles (429) before the request reaches the service, so in both cases nothing
//! was done and the same request, with the same X-Request-ID, can go once more.

use std::time::Duration;

use crate::Engine;
use crate::directory::Service;
use crate::error::Error;
use crate::transport::{Auth, FhirRequest, FhirResponse, SendFailure};

/// The longest the desk waits on a throttled request before saying so; a call handler on the
/// phone cannot wait for longer.
const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(5);
/// The wait when the platform does not say how long.
const DEFAULT_THROTTLE_WAIT: Duration = Duration::from_secs(1);

fn not_sent(error: Error, service: &Service) -> SendFailure {
    SendFailure {
        error: error.with_service(&service.id),
        maybe_delivered: false,
    }
}

/// How long to wait on a 429: the platform's `Retry-After` (seconds), within bounds.
pub(crate) fn throttle_wait(retry_after: Option<u64>) -> Duration {
    retry_after
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_THROTTLE_WAIT)
        .min(MAX_THROTTLE_WAIT)
}

impl Engine {
    pub(crate) async fn send_with_auth(
        &self,
        service: &Service,
        req: FhirRequest,
    ) -> Result<FhirResponse, SendFailure> {
        let transport = self.transport();
        if req.auth == Auth::SpineJwt {
            return transport.send_raw(self.session(), service, req, None).await;
        }
        let tokens = self
            .desk()
            .platform_tokens()
            .await
            .map_err(|e| not_sent(e, service))?;
        let token = tokens
            .access_token()
            .await
            .map_err(|e| not_sent(e, service))?;
        let mut resp = transport
            .send_raw(self.session(), service, req.clone(), Some(&token))
            .await?;
        if resp.status == 401 {
            // Revoked or expired early: one fresh token, once.
            tracing::info!(service = %service.id, "platform token refused; fetching a new one");
            tokens.invalidate().await;
            let token = tokens
                .access_token()
                .await
                .map_err(|e| not_sent(e, service))?;
            resp = transport
                .send_raw(self.session(), service, req.clone(), Some(&token))
                .await?;
        }
        if resp.status == 429 {
            let wait = throttle_wait(resp.retry_after);
            tracing::warn!(service = %service.id, wait_ms = wait.as_millis() as u64, "throttled by the platform; waiting once");
            tokio::time::sleep(wait).await;
            let token = tokens
                .access_token()
                .await
                .map_err(|e| not_sent(e, service))?;
            resp = transport
                .send_raw(self.session(), service, req, Some(&token))
                .await?;
            resp.throttle_waited = Some(wait);
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_waits_are_bounded() {
        assert_eq!(throttle_wait(None), DEFAULT_THROTTLE_WAIT);
        assert_eq!(throttle_wait(Some(2)), Duration::from_secs(2));
        assert_eq!(throttle_wait(Some(3600)), MAX_THROTTLE_WAIT);
    }
}
