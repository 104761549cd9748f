//! The desk locks when left: after so many minutes with nobody using it, nothing more is done
//! in the signed-in person's name until someone signs in again. Idleness is measured on the
//! monotonic clock (`Instant`), which a change of wall-clock time or a clock change cannot move;
//! callers pass the instant, so tests choose it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};

/// How long the desk may be left, and when it was last used.
pub struct IdleLock {
    after: Duration,
    minutes: u32,
    state: Mutex<Use>,
}

struct Use {
    last: Instant,
    locked: bool,
}

impl IdleLock {
    /// A desk that locks after `minutes` unused, counted from `now`.
    pub fn new(minutes: u32, now: Instant) -> Self {
        Self {
            after: Duration::from_secs(u64::from(minutes.max(1)) * 60),
            minutes: minutes.max(1),
            state: Mutex::new(Use {
                last: now,
                locked: false,
            }),
        }
    }

    /// Someone used the desk at `now`. Refused, and the desk locked, when it was left longer
    /// than allowed: it stays locked until [`IdleLock::unlock`], whatever comes after.
    pub fn touch(&self, now: Instant) -> Result<()> {
        let mut u = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if u.locked || now.saturating_duration_since(u.last) >= self.after {
            u.locked = true;
            return Err(self.locked_error());
        }
        u.last = now;
        Ok(())
    }

    /// Whether the desk is locked at `now` (it locks here if its time has run out).
    pub fn is_locked(&self, now: Instant) -> bool {
        let mut u = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if now.saturating_duration_since(u.last) >= self.after {
            u.locked = true;
        }
        u.locked
    }

    /// Locks at once (the person chose to lock the desk).
    pub fn lock(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).locked = true;
    }

    /// Someone signed in at `now`: the desk is theirs, and its time starts again.
    pub fn unlock(&self, now: Instant) {
        let mut u = self.state.lock().unwrap_or_else(|p| p.into_inner());
        u.locked = false;
        u.last = now;
    }

    pub fn minutes(&self) -> u32 {
        self.minutes
    }

    fn locked_error(&self) -> Error {
        Error::new(ErrorKind::SignInRequired)
            .with_message(format!(
                "The desk locked after {} minutes with nobody using it.",
                self.minutes
            ))
            .with_next_step(
                "Sign in again to carry on. Someone else signing in starts afresh, with nothing of the last call on screen.",
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desk_locks_when_left_and_only_a_sign_in_unlocks_it() {
        let t0 = Instant::now();
        let minutes = |m: u64| t0 + Duration::from_secs(m * 60);
        let idle = IdleLock::new(10, t0);
        assert!(idle.touch(minutes(9)).is_ok(), "used within the time");
        assert!(idle.touch(minutes(18)).is_ok(), "counted from the last use");
        assert!(!idle.is_locked(minutes(27)));
        assert!(
            idle.is_locked(minutes(28)),
            "ten minutes after the last use"
        );
        let err = idle.touch(minutes(28)).expect_err("locked");
        assert_eq!(err.kind, ErrorKind::SignInRequired);
        assert!(err.message.contains("10 minutes"), "{}", err.message);
        assert!(
            idle.touch(minutes(29)).is_err(),
            "stays locked: a later use does not unlock it"
        );
        idle.unlock(minutes(40));
        assert!(
            idle.touch(minutes(49)).is_ok(),
            "signed in again: time starts afresh"
        );
        idle.lock();
        assert!(idle.touch(minutes(49)).is_err(), "locked by hand");
    }
}
