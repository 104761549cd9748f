//! One change at a time to a state file that several processes share: demo processes started
//! together each run their own simulator on the same saved bookings, and each must see the
//! others' bookings before it books, or two would book one slot and reuse one appointment id.
//! The lock is a file made with `create_new` (atomic on every platform); one left by a killed
//! process is taken over once it is stale, since no change holds it for more than moments.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Far longer than any one change takes.
const STALE: Duration = Duration::from_secs(10);
/// Longer than the longest wait behind other processes' changes.
const GIVE_UP: Duration = Duration::from_secs(20);

pub struct StateLock {
    path: PathBuf,
}

fn beside(state_file: &Path, suffix: &str) -> PathBuf {
    let mut p = state_file.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE)
}

impl StateLock {
    /// Waits for the lock on `state_file`. `None` when it cannot be had (a read-only folder, or
    /// a wait past all reason): the simulator then carries on alone, as it did before locking.
    pub fn acquire(state_file: &Path) -> Option<StateLock> {
        let path = beside(state_file, ".lock");
        let deadline = Instant::now() + GIVE_UP;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Some(StateLock { path }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if is_stale(&path) {
                        let _ = std::fs::remove_file(&path);
                    } else if Instant::now() > deadline {
                        tracing::warn!("the state file stayed locked; going on without the lock");
                        return None;
                    } else {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot lock the state file");
                    return None;
                }
            }
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the state file was when last read or written here: another process's change alters it.
pub fn version(state_file: &Path) -> Option<(u64, SystemTime)> {
    let m = std::fs::metadata(state_file).ok()?;
    Some((m.len(), m.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_a_stale_lock_is_taken_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state.json");
        let first = StateLock::acquire(&state).expect("free");
        let waiting = std::thread::spawn({
            let state = state.clone();
            move || StateLock::acquire(&state).map(|_| Instant::now())
        });
        std::thread::sleep(Duration::from_millis(100));
        let released = Instant::now();
        drop(first);
        let got = waiting.join().expect("thread").expect("acquired");
        assert!(got >= released, "the second waited for the first");
        // A lock a killed process left behind.
        let left = beside(&state, ".lock");
        std::fs::write(&left, "").expect("written");
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&left)
            .and_then(|f| f.set_modified(old))
            .expect("aged");
        assert!(StateLock::acquire(&state).is_some());
    }
}
