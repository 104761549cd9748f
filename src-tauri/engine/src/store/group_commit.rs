//! Group commit: writes that arrive while another is being committed are committed together by
//! the next writer, in the order they arrived. A burst (a 50-service search audits 50 answers at
//! once) then costs a few transactions, each one disk flush, instead of one flush per write,
//! while every caller still returns only once its own write is durable.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::oneshot;

use crate::error::Result;

type Waiting<T, R> = Vec<(T, oneshot::Sender<Result<R>>)>;

pub(super) struct GroupCommit<T, R> {
    waiting: std::sync::Mutex<Waiting<T, R>>,
    /// Held from taking a batch until it is committed, by a task of its own (see `submit`).
    writer: Arc<tokio::sync::Mutex<()>>,
    batches: AtomicU64,
}

impl<T, R> std::fmt::Debug for GroupCommit<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("batches", &self.batches.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    pub(super) fn new() -> Self {
        Self {
            waiting: std::sync::Mutex::new(Vec::new()),
            writer: Arc::new(tokio::sync::Mutex::new(())),
            batches: AtomicU64::new(0),
        }
    }

    /// Queues `item` and returns its result once the batch holding it is committed. `write`
    /// commits a batch in one transaction and answers each item in order (or fails them all).
    pub(super) async fn submit<F, Fut>(&self, item: T, write: F) -> Result<R>
    where
        F: FnOnce(Vec<T>) -> Fut,
        Fut: Future<Output = Result<Vec<R>>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.lock_waiting().push((item, tx));
        let turn = Arc::clone(&self.writer).lock_owned().await;
        let batch = std::mem::take(&mut *self.lock_waiting());
        if !batch.is_empty() {
            self.batches.fetch_add(1, Ordering::Relaxed);
            let (items, answers): (Vec<T>, Vec<_>) = batch.into_iter().unzip();
            let commit = write(items);
            // A task of its own: a caller given up on (a search the person cancelled) must not
            // roll back the other callers' writes riding in the same transaction.
            tokio::spawn(async move {
                let results = commit.await;
                drop(turn);
                answer(answers, results);
            });
        }
        rx.await.unwrap_or_else(|_| {
            Err(super::db::store_error(
                "the registry write was abandoned before it finished",
            ))
        })
    }

    /// How many transactions have been started: fewer than writes when they were grouped.
    #[cfg(test)]
    pub(super) fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Waiting<T, R>> {
        // The queue is only pushed to and taken whole, so a poisoned one is still consistent.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn answer<R>(answers: Vec<oneshot::Sender<Result<R>>>, results: Result<Vec<R>>) {
    match results {
        Ok(results) => {
            debug_assert_eq!(answers.len(), results.len());
            for (a, r) in answers.into_iter().zip(results) {
                let _ = a.send(Ok(r));
            }
        }
        Err(e) => {
            for a in answers {
                let _ = a.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// A store stand-in whose commits wait at a gate the test opens, noting each batch.
    #[derive(Clone, Default)]
    struct Gated {
        batches: Arc<Mutex<Vec<Vec<u32>>>>,
        gates: Arc<Mutex<Vec<oneshot::Sender<()>>>>,
    }

    impl Gated {
        fn write(&self, items: Vec<u32>) -> impl Future<Output = Result<Vec<u32>>> + use<> {
            let (open, gate) = oneshot::channel();
            self.gates.lock().expect("gates").push(open);
            let batches = Arc::clone(&self.batches);
            async move {
                let _ = gate.await;
                batches.lock().expect("batches").push(items.clone());
                Ok(items.into_iter().map(|i| i * 10).collect())
            }
        }

        /// Waits for a commit to begin, then lets the oldest waiting one finish.
        async fn open_next(&self) {
            loop {
                let open = {
                    let mut gates = self.gates.lock().expect("gates");
                    (!gates.is_empty()).then(|| gates.remove(0))
                };
                if let Some(open) = open {
                    let _ = open.send(());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }

    fn submit(
        q: &Arc<GroupCommit<u32, u32>>,
        store: &Gated,
        item: u32,
    ) -> tokio::task::JoinHandle<Result<u32>> {
        let (q, store) = (Arc::clone(q), store.clone());
        tokio::spawn(async move { q.submit(item, |items| store.write(items)).await })
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    #[tokio::test]
    async fn writes_arriving_during_a_commit_share_the_next_and_each_gets_its_own_answer() {
        let (q, store) = (Arc::new(GroupCommit::new()), Gated::default());
        let first = submit(&q, &store, 1);
        settle().await;
        let rest: Vec<_> = (2..=4).map(|i| submit(&q, &store, i)).collect();
        settle().await;
        store.open_next().await;
        store.open_next().await;
        assert_eq!(first.await.expect("joins").expect("written"), 10);
        for (task, want) in rest.into_iter().zip([20, 30, 40]) {
            assert_eq!(task.await.expect("joins").expect("written"), want);
        }
        assert_eq!(
            *store.batches.lock().expect("batches"),
            vec![vec![1], vec![2, 3, 4]],
            "in order, the later three in one transaction"
        );
        assert_eq!(q.batches(), 2);
    }

    #[tokio::test]
    async fn a_writer_given_up_on_still_commits_the_writes_riding_with_it() {
        let (q, store) = (Arc::new(GroupCommit::new()), Gated::default());
        let first = submit(&q, &store, 1);
        settle().await;
        // 2 will take the next turn and commit 3 with it; then 2's caller gives up.
        let writer = submit(&q, &store, 2);
        settle().await;
        let rider = submit(&q, &store, 3);
        settle().await;
        store.open_next().await;
        first.await.expect("joins").expect("written");
        settle().await;
        writer.abort();
        store.open_next().await;
        assert_eq!(rider.await.expect("joins").expect("written"), 30);
        assert_eq!(
            *store.batches.lock().expect("batches"),
            vec![vec![1], vec![2, 3]]
        );
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_write_in_it() {
        let q: Arc<GroupCommit<u32, u32>> = Arc::new(GroupCommit::new());
        let failing = |_items: Vec<u32>| async { Err(super::super::db::store_error("disk full")) };
        let err = q.submit(1, failing).await.expect_err("fails");
        assert_eq!(err.kind, crate::error::ErrorKind::Store);
    }
}
