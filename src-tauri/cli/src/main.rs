//! `bookdesk`: Booking Desk from the command line. Exit status 0 on success, 1 when a booking or
//! provider error stops the command or `audit verify` finds the trail broken, 2 on bad usage
//! (including details that are not valid and services not in the directory), 3 when a
//! booking's outcome is unknown.

// Nothing is printed but through `output` (`say!`, `tell!`, `output::json`), which keeps
// control characters from outside off the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]

// A slot search reads and writes thousands of small JSON values; glibc's malloc and the page
// faults behind it were a large part of the CLI's time (tests/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[macro_use]
mod output;
mod args;
mod clinical;
mod commands;
mod context;
mod files;
mod reports;
mod secrets;
#[cfg(feature = "demo")]
mod seed;
mod signin;
mod terminal;

use booking_engine::config::{DeskConfig, Located};
use booking_engine::national::pds::DemographicSearch;
use booking_engine::{Error, ErrorKind};
use clap::Parser;

use args::{Cli, ClinicalAction, Command, DemoAction};

/// `Ok(false)`: the command ran but its answer is "no" (a broken audit trail).
async fn run(cli: Cli) -> Result<bool, Error> {
    let j = cli.json;
    if let Command::Demo { action } = &cli.command {
        demo(action, j).await?;
        return Ok(true);
    }
    match &cli.command {
        Command::Login { role, profile } => {
            let config = configured(cli.config.as_deref())?;
            signin::login(&config, role.map(Into::into), profile.as_deref(), j).await?;
            return Ok(true);
        }
        Command::Logout => {
            signin::logout(&configured(cli.config.as_deref())?)?;
            return Ok(true);
        }
        Command::Config {
            action: args::ConfigAction::Check,
        } => {
            commands::config_check(cli.config.as_deref(), j)?;
            return Ok(true);
        }
        Command::Secrets { action } => {
            let config = match booking_engine::config::locate(cli.config.as_deref())? {
                Located::Found(config, _) => Some(config),
                Located::Nothing => None,
            };
            secrets::run(config.as_deref(), action, j)?;
            return Ok(true);
        }
        _ => {}
    }
    let ctx = context::open(cli.config.as_deref()).await?;
    let e = &ctx.engine;
    let mut answer = true;
    let result = match cli.command {
        Command::Services(a) if a.postcode.is_none() => {
            commands::services(e, j);
            Ok(())
        }
        Command::Services(a) => commands::find_services(e, a, j).await,
        Command::Capabilities { service } => commands::capabilities(e, &service, j).await,
        Command::Patient {
            service,
            nhs,
            family,
            given,
            birth_date,
            gender,
            postcode,
        } => match (service, nhs, family, birth_date) {
            (Some(service), Some(nhs), _, _) => commands::patient(e, &service, &nhs, j).await,
            (None, Some(nhs), _, _) => commands::trace(e, &nhs, j).await,
            (_, None, Some(family), Some(birth_date)) => {
                let search = DemographicSearch {
                    family,
                    given,
                    birth_date,
                    gender,
                    postcode,
                };
                commands::search_pds(e, &search, j).await
            }
            // clap requires an NHS number, or a family name with a birth date.
            _ => Err(Error::invalid("Give --nhs, or --family with --birth-date.")),
        },
        Command::Slots(a) => commands::slots(e, a, j).await,
        Command::Book(a) => commands::book(e, a, j).await,
        Command::Show {
            service,
            appointment,
        } => commands::show(e, &service, &appointment, j).await,
        Command::Amend {
            service,
            appointment,
            description,
            comment,
        } => commands::amend(e, &service, &appointment, description, comment, j).await,
        Command::Cancel {
            service,
            appointment,
            reason,
        } => commands::cancel(e, &service, &appointment, &reason, j).await,
        Command::Appointments {
            nhs,
            services,
            from,
            to,
        } => commands::appointments(e, &nhs, &services, from, to, j).await,
        Command::Bookings(a) => reports::bookings(e, a, j).await,
        Command::Report { from, to, csv } => reports::report(e, from, to, csv, j).await,
        Command::Audit { action } => commands::audit(e, action, j)
            .await
            .map(|intact| answer = intact),
        Command::Clinical { action } => match action {
            ClinicalAction::Preview { file, standard } => {
                clinical::preview_file(e.session(), e.clock().uk_now(), &file, standard, j)
            }
        },
        Command::Demo { .. }
        | Command::Secrets { .. }
        | Command::Config { .. }
        | Command::Login { .. }
        | Command::Logout => Ok(()),
    };
    ctx.close().await;
    result.map(|()| answer)
}

/// The configuration found, for commands that mean nothing on the demo (signing in).
fn configured(named: Option<&std::path::Path>) -> Result<DeskConfig, Error> {
    match booking_engine::config::locate(named)? {
        Located::Found(config, _) => Ok(*config),
        Located::Nothing => Err(Error::invalid(
            "Signing in needs the desk's configuration, and none was found.",
        )
        .with_next_step(
            "Give it with --config or BOOKDESK_CONFIG. The demo needs no sign-in: run the command without `login`.",
        )),
    }
}

/// `bookdesk demo …`: the embedded demo, in a build that has it.
#[cfg(feature = "demo")]
async fn demo(action: &DemoAction, j: bool) -> Result<(), Error> {
    match action {
        DemoAction::Reset => {
            booking_demo::reset()?;
            tell!("The demo's bookings have been cleared.");
        }
        DemoAction::SeedReports => seed::seed_reports(j).await?,
        DemoAction::Patients => {
            let patients = booking_demo::demo_patients();
            if j {
                output::json(&patients);
            } else {
                for p in patients {
                    say!("{}  {}, {}", p.nhs_number, p.family.to_uppercase(), p.given);
                }
            }
        }
    }
    Ok(())
}

#[cfg(not(feature = "demo"))]
async fn demo(_: &DemoAction, _: bool) -> Result<(), Error> {
    Err(Error::invalid("This build of Booking Desk has no demo.")
        .with_next_step("Use a build with the demo (the default `cargo build`) to try it."))
}

/// Logs to stderr, filtered by `BOOKDESK_LOG` (e.g. `info`, default `warn`). The engine never
/// logs NHS numbers or names, so what this prints is safe to paste into a support ticket. The
/// binary installs it, not the engine: a library leaves the process's logging to its owner.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOOKDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The exit status for an error. An unknown outcome has its own, so that a script never takes it
/// for an ordinary failure and books again: the patient may already be booked.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        // Bad usage: what was typed names nothing, or is not valid.
        ErrorKind::InvalidInput | ErrorKind::UnknownService => 2,
        ErrorKind::OutcomeUnknown => 3,
        _ => 1,
    }
}

fn main() -> std::process::ExitCode {
    init_logging();
    let cli = Cli::parse();
    let as_json = cli.json;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            tell!("Booking Desk could not start: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(err) => {
            if as_json {
                output::json(&err);
            } else {
                if err.kind == ErrorKind::OutcomeUnknown {
                    tell!(
                        "OUTCOME UNKNOWN: the booking may or may not have been made. Do not book again until it is checked."
                    );
                }
                tell!("{}", err.message);
                tell!("What to do: {}", err.next_step);
                if let Some(t) = &err.trace_id {
                    tell!("Trace id: {t}");
                }
            }
            std::process::ExitCode::from(exit_code(err.kind))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The man pages the packages install (bookdesk(1), and one for each command) are this
    /// command line's own, so they cannot fall behind it. `UPDATE_MAN_PAGES=1` rewrites them.
    #[test]
    fn the_man_pages_are_the_command_lines_own() {
        use clap::CommandFactory;
        let made = tempfile::tempdir().expect("tempdir");
        clap_mangen::generate_to(Cli::command(), made.path()).expect("the man pages render");
        let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
        if std::env::var_os("UPDATE_MAN_PAGES").is_some_and(|v| v == "1") {
            let _ = std::fs::remove_dir_all(&kept);
            std::fs::create_dir_all(&kept).expect("man folder");
            for page in std::fs::read_dir(made.path()).expect("made").flatten() {
                std::fs::copy(page.path(), kept.join(page.file_name())).expect("copied");
            }
        }
        let pages = |dir: &std::path::Path| -> Vec<(std::ffi::OsString, Vec<u8>)> {
            let mut pages: Vec<_> = std::fs::read_dir(dir)
                .map(|d| {
                    d.flatten()
                        .map(|p| (p.file_name(), std::fs::read(p.path()).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            pages.sort();
            pages
        };
        assert!(
            pages(&kept) == pages(made.path()),
            "src-tauri/cli/man/ is not the command line's own: run \
             `UPDATE_MAN_PAGES=1 cargo test -p bookdesk-cli man_pages` and commit it"
        );
    }

    #[test]
    fn an_unknown_outcome_has_an_exit_status_of_its_own() {
        assert_eq!(exit_code(ErrorKind::OutcomeUnknown), 3);
        assert_eq!(exit_code(ErrorKind::InvalidInput), 2);
        assert_eq!(exit_code(ErrorKind::UnknownService), 2);
        for kind in [
            ErrorKind::SlotTaken,
            ErrorKind::Timeout,
            ErrorKind::ProviderError,
            ErrorKind::AlreadyBooked,
        ] {
            assert_eq!(exit_code(kind), 1, "{kind:?}");
        }
    }
}
