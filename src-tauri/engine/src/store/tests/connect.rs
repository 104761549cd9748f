//! A PostgreSQL server that answers but will not open the registry says why, without the
//! URL's password.

use crate::error::ErrorKind;
use crate::store::Store;
use crate::store::tests::harness;

#[tokio::test]
async fn a_missing_database_is_named_with_the_servers_reason_and_no_password() {
    if harness::postgres_skipped() {
        return;
    }
    let server = std::env::var("BOOKDESK_TEST_PG_URL").expect("checked");
    let mut url = url::Url::parse(&server).expect("a URL");
    url.set_path("/no_such_registry");
    url.set_password(Some("hunter2-secret"))
        .expect("a password");
    let err = Store::open(url.as_str()).await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Store);
    assert!(err.message.contains("/no_such_registry"), "{err:?}");
    assert!(err.next_step.contains("server is running"), "{err:?}");
    let diagnostics = err.diagnostics.clone().unwrap_or_default();
    assert!(diagnostics.contains("does not exist"), "{diagnostics}");
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
}
