//! Bookings an earlier run of the desk left in flight (it was killed, or the machine stopped),
//! settled at the service once per run, at the first sign-in, so the person starts out knowing
//! what became of them.

use booking_engine::Error;
use booking_engine::reconcile::Reconciled;
use serde::Serialize;
use std::future::Future;
use tokio::sync::Mutex;

/// What the sign-in found of interrupted bookings, for the person to acknowledge.
#[derive(Debug, Clone, Default, Serialize, specta::Type)]
pub struct Interrupted {
    /// What became of each; empty when nothing was left in flight (or it was checked already).
    pub settled: Vec<Reconciled>,
    /// Why they could not be checked, when they could not. Sign-in goes ahead regardless.
    pub error: Option<Error>,
    /// Bookings the last person at the desk left with their outcome not known, checked with
    /// their services as someone else signed in: the person who booked may not come back.
    pub left_open: Vec<Reconciled>,
}

/// Runs the check once per run of the app.
#[derive(Default)]
pub struct Settler {
    /// Held across the check, so two sign-ins at once do not both run it.
    done: Mutex<bool>,
}

impl Settler {
    /// Runs `check` (the engine's `reconcile_interrupted`) on the first call only; `None` after
    /// that. Later intents in the registry belong to this run's own bookings, which may be in
    /// flight: this check never touches them. A failed check is not run again either, for the
    /// same reason: the person is told to reopen the app.
    pub async fn settle_once(
        &self,
        check: impl Future<Output = Result<Vec<Reconciled>, Error>>,
    ) -> Option<Interrupted> {
        let mut done = self.done.lock().await;
        if *done {
            return None;
        }
        *done = true;
        Some(match check.await {
            Ok(settled) => {
                if !settled.is_empty() {
                    tracing::warn!(count = settled.len(), "interrupted bookings settled");
                }
                Interrupted {
                    settled,
                    ..Interrupted::default()
                }
            }
            Err(e) => {
                tracing::error!(kind = ?e.kind, "interrupted bookings not checked");
                Interrupted {
                    error: Some(not_checked(e)),
                    ..Interrupted::default()
                }
            }
        })
    }
}

/// The registry's failure, in words about what it means for the person now.
fn not_checked(e: Error) -> Error {
    e.with_message(
        "Booking Desk could not check for bookings that were interrupted when it last stopped.",
    )
    .with_next_step(
        "Close Booking Desk and open it again to check. Until then, before booking a patient \
         again whose booking was interrupted, ask the service whether it was made.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_engine::ErrorKind;

    fn run(settler: &Settler, answer: Result<Vec<Reconciled>, Error>) -> Option<Interrupted> {
        tauri::async_runtime::block_on(settler.settle_once(async { answer }))
    }

    #[test]
    fn a_check_that_fails_is_reported_and_not_run_again() {
        let settler = Settler::default();
        let first = run(&settler, Err(Error::new(ErrorKind::Store))).expect("run");
        let error = first.error.expect("reported");
        assert_eq!(error.kind, ErrorKind::Store);
        assert!(
            error.message.contains("could not check"),
            "{}",
            error.message
        );
        assert!(
            error.next_step.contains("open it again"),
            "{}",
            error.next_step
        );
        assert!(first.settled.is_empty());
        assert!(run(&settler, Err(Error::new(ErrorKind::Store))).is_none());
    }
}
