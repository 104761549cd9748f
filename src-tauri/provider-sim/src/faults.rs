//! Fault injection for reliability testing: latency, failures, garbled bodies and connections
//! dropped after a change has been committed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Checks refused after a lost booking: more than a desk makes before it gives up (it asks up
/// to three times), fewer than would stop a person checking again a moment later.
const CHECKS_REFUSED: u32 = 3;

pub struct Faults {
    latency_ms: Option<(u64, u64)>,
    fail_rate: f64,
    drop_after_commit_rate: f64,
    malformed_rate: f64,
    /// Seeded, so a run with the same seed and request order injects the same faults.
    rng: Mutex<StdRng>,
    /// How many of the next BaRS requests the platform throttles (429).
    throttle_next: AtomicU32,
    /// The next booking is committed and left unanswered, and the checks that follow refused: a
    /// booking whose outcome the desk cannot learn, on demand (`/_admin/faults/lose-next-booking`).
    lose_next_booking: AtomicBool,
    /// How many of the next looks at a patient's appointments are refused.
    refuse_checks: AtomicU32,
    /// The next booking is committed and its answer never sent, the connection left open: a
    /// desk that dies while waiting (`/_admin/faults/hold-next-booking`).
    hold_next_booking: AtomicBool,
}

impl Faults {
    pub fn new(
        latency_ms: Option<(u64, u64)>,
        fail_rate: f64,
        drop_after_commit_rate: f64,
        malformed_rate: f64,
        seed: u64,
    ) -> Faults {
        Faults {
            latency_ms,
            fail_rate,
            drop_after_commit_rate,
            malformed_rate,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            throttle_next: AtomicU32::new(0),
            lose_next_booking: AtomicBool::new(false),
            refuse_checks: AtomicU32::new(0),
            hold_next_booking: AtomicBool::new(false),
        }
    }

    /// Loses the next booking's answer and refuses the checks of the patient's appointments after it.
    pub fn lose_next_booking(&self) {
        self.lose_next_booking.store(true, Ordering::SeqCst);
    }

    /// Whether this booking's answer is to be lost; arms the refusal of the check that follows.
    pub fn booking_lost(&self) -> bool {
        let lost = self.lose_next_booking.swap(false, Ordering::SeqCst);
        if lost {
            self.refuse_checks.store(CHECKS_REFUSED, Ordering::SeqCst);
        }
        lost
    }

    /// Holds the next booking's answer for ever, after committing it.
    pub fn hold_next_booking(&self) {
        self.hold_next_booking.store(true, Ordering::SeqCst);
    }

    /// Whether this booking's answer is the one to hold.
    pub fn booking_held(&self) -> bool {
        self.hold_next_booking.swap(false, Ordering::SeqCst)
    }

    /// Whether this look at a patient's appointments is one of the checks to refuse.
    pub fn check_refused(&self) -> bool {
        self.refuse_checks
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// The platform throttles the next `n` BaRS requests.
    pub fn throttle(&self, n: u32) {
        self.throttle_next.store(n, Ordering::SeqCst);
    }

    /// Whether this request is throttled, counting it off.
    pub fn throttled(&self) -> bool {
        self.throttle_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn rng(&self) -> std::sync::MutexGuard<'_, StdRng> {
        self.rng.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn roll(&self, rate: f64) -> bool {
        if rate.is_nan() || rate <= 0.0 {
            return false;
        }
        rate >= 1.0 || self.rng().r#gen::<f64>() < rate
    }

    /// How long the next answer takes: a draw from the configured latency, or none.
    pub fn latency(&self) -> std::time::Duration {
        let ms = self.latency_ms.map_or(0, |(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            self.rng().gen_range(lo..=hi)
        });
        std::time::Duration::from_millis(ms)
    }

    pub fn fail(&self) -> bool {
        self.roll(self.fail_rate)
    }

    pub fn drop_after_commit(&self) -> bool {
        self.roll(self.drop_after_commit_rate)
    }

    pub fn malformed(&self) -> bool {
        self.roll(self.malformed_rate)
    }
}

/// A JSON body cut short, as a flaky network or buggy provider might deliver it.
pub fn garble(body: &[u8]) -> Vec<u8> {
    let mut out = body[..body.len() / 2].to_vec();
    out.extend_from_slice(b"\"\x7f");
    out
}

/// Lets a handler ask the connection it arrived on to close without answering.
#[derive(Clone, Default)]
pub struct DropSignal(Arc<Notify>);

impl DropSignal {
    pub fn fire(&self) {
        self.0.notify_one();
    }

    pub async fn fired(&self) {
        self.0.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_at_the_edges() {
        let f = Faults::new(None, 1.0, 0.0, f64::NAN, 1);
        assert!(f.fail());
        assert!(!f.drop_after_commit());
        assert!(!f.malformed());
    }

    #[test]
    fn garbled_json_does_not_parse() {
        let body = br#"{"resourceType":"Bundle","type":"searchset"}"#;
        assert!(serde_json::from_slice::<serde_json::Value>(&garble(body)).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(&garble(b"{}")).is_err());
    }
}
