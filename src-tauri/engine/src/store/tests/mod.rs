//! The store's test suite, written once and run on both backends: every test below runs as
//! `NAME::sqlite` on a fresh SQLite file and as `NAME::postgres` on a fresh PostgreSQL database
//! (from `BOOKDESK_TEST_PG_URL`; see `harness`).

/// Defines each test twice, `NAME::sqlite` and `NAME::postgres`; the body gets `t: &Fresh`.
macro_rules! on_both_backends {
    ($(async fn $name:ident($t:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::store::tests::harness::{Backend, Fresh};

            async fn run($t: &Fresh) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let t = Fresh::new(Backend::Sqlite).await;
                run(&t).await;
                t.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if $crate::store::tests::harness::postgres_skipped() {
                    return;
                }
                let t = Fresh::new(Backend::Postgres).await;
                run(&t).await;
                t.finish().await;
            }
        }
    )*};
}

mod audit;
mod centre;
mod clinical;
mod concurrency;
mod connect;
mod encrypted;
mod found;
mod harness;
mod intents;
mod migrations;
mod registry;
mod reports;
mod sealed;
mod spawnable;
