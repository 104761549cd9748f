//! The configuration a centre's IT team deploys for every desk, and each person's own file over
//! it: found without --config, used instead of the demo, and able to change only what the
//! centre's file allows (issue 21.2).

mod support;

use support::{CIS2_CONFIG, Desk, str_of, write_one_service};

/// The centre's file, in the test's data folder where the harness points BOOKDESK_SYSTEM_CONFIG.
fn managed(desk: &Desk, extra: &str) -> std::path::PathBuf {
    let dir = desk.data_dir();
    write_one_service(dir);
    let path = dir.join("system-bookdesk.toml");
    std::fs::write(&path, format!("{CIS2_CONFIG}{extra}")).expect("managed file");
    path
}

fn own(desk: &Desk, text: &str) -> std::path::PathBuf {
    let path = desk.data_dir().join("user-bookdesk.toml");
    std::fs::write(&path, text).expect("own file");
    path
}

#[test]
fn the_centres_file_is_found_and_used_instead_of_the_demo() {
    let desk = Desk::demo();
    let system = managed(
        &desk,
        "[managed]\nuser_may_set = [\"desk.name\", \"http\"]\n",
    );
    let checked = desk.ok(&["config", "check"]);
    assert_eq!(
        checked["files"]["main"],
        system.to_string_lossy().as_ref(),
        "{checked}"
    );
    assert!(checked["files"]["user"].is_null(), "{checked}");
    assert_eq!(checked["summary"]["services_listed"], 1, "{checked}");
    assert_eq!(
        checked["summary"]["user_may_set"],
        serde_json::json!(["desk.name", "http"]),
        "{checked}"
    );
    // A command runs on it, not on the demo: this desk signs in with CIS2 first.
    let e = desk.fails(&["services"], 1, "sign-in-required");
    assert!(!str_of(&e, "message").contains("DEMO"), "{e}");
    let run = desk.run(&["services"]);
    assert!(!run.stderr.contains("DEMO"), "{}", run.stderr);
}

#[test]
fn a_persons_own_file_changes_only_what_the_centre_allows() {
    let desk = Desk::demo();
    managed(
        &desk,
        "[managed]\nuser_may_set = [\"desk.name\", \"http\"]\n",
    );

    let user = own(
        &desk,
        "[desk]\nname = \"Floor 2, desk 9\"\n[http]\ntimeout_secs = 30\n",
    );
    let checked = desk.ok(&["config", "check"]);
    assert_eq!(
        checked["files"]["user"],
        user.to_string_lossy().as_ref(),
        "{checked}"
    );
    let text = desk.run(&["config", "check"]);
    assert!(
        text.stdout.contains("with your own settings from")
            && text
                .stdout
                .contains("Each person's own file may set: desk.name, http"),
        "{}",
        text.stdout
    );

    // What the centre did not allow is refused, named at its line, with what may be set.
    own(
        &desk,
        "[desk]\nname = \"Floor 2\"\n\n[organisation]\nods = \"X26\"\n",
    );
    let e = desk.fails(&["config", "check"], 1, "config");
    let message = str_of(&e, "message");
    assert!(
        message.contains("user-bookdesk.toml")
            && message.contains("at line 5")
            && message.contains("`organisation.ods`")
            && message.contains("system-bookdesk.toml"),
        "{e}"
    );
    assert!(str_of(&e, "next_step").contains("desk.name, http"), "{e}");
    // Every command refuses it, not only the check: the desk does not open on half a file.
    desk.fails(&["services"], 1, "config");

    // The centre's own [managed] is never the person's to change.
    own(&desk, "[managed]\nuser_may_set = [\"store\"]\n");
    let e = desk.fails(&["config", "check"], 1, "config");
    assert!(
        str_of(&e, "message").contains("`managed.user_may_set`"),
        "{e}"
    );

    // An allowed key with a value no desk can run on is refused as the centre's would be.
    own(&desk, "[http]\nmax_body_bytes = 0\n");
    let e = desk.fails(&["config", "check"], 1, "config");
    let message = str_of(&e, "message");
    assert!(
        message.contains("With your own settings from") && message.contains("max_body_bytes"),
        "{e}"
    );
}

#[test]
fn a_centre_that_allows_nothing_says_so() {
    let desk = Desk::demo();
    managed(&desk, "");
    own(&desk, "[desk]\nname = \"Mine\"\n");
    let e = desk.fails(&["config", "check"], 1, "config");
    assert!(
        str_of(&e, "message").contains("`desk.name`")
            && str_of(&e, "next_step").contains("lets you change nothing"),
        "{e}"
    );
}

#[test]
fn a_persons_own_file_alone_is_the_configuration_where_no_centre_manages_the_desk() {
    let desk = Desk::demo();
    write_one_service(desk.data_dir());
    let user = own(&desk, CIS2_CONFIG);
    let checked = desk.ok(&["config", "check"]);
    assert_eq!(
        checked["files"]["main"],
        user.to_string_lossy().as_ref(),
        "{checked}"
    );
}

#[test]
fn a_named_file_is_used_alone_whatever_the_machine_holds() {
    let desk = Desk::demo();
    managed(&desk, "");
    own(&desk, "this is not toml [");
    let named = desk.data_dir().join("named.toml");
    std::fs::write(&named, CIS2_CONFIG).expect("named");
    let checked = desk.ok(&[
        "--config",
        named.to_str().expect("utf-8"),
        "config",
        "check",
    ]);
    assert_eq!(
        checked["files"]["main"],
        named.to_string_lossy().as_ref(),
        "{checked}"
    );
}
