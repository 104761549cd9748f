//! The command line, as a person or a script types it.

use booking_engine::views::AppointmentStatus;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "bookdesk",
    version,
    about = "Booking Desk from the command line: find slots and book, amend and cancel appointments over GP Connect, UEC Booking and BaRS.",
    after_help = "The configuration: --config (or BOOKDESK_CONFIG); else the centre's /etc/booking-desk/bookdesk.toml with your own ~/.config/booking-desk/bookdesk.toml over it; else, in a build with the demo, the embedded demo provider: simulated services, not live."
)]
pub struct Cli {
    /// The desk configuration file (TOML).
    #[arg(long, global = true, env = "BOOKDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print JSON for scripts instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the services in services.toml; with --for or --postcode, find services in the
    /// Directory of Services for a triage outcome, each with how the desk can book it.
    Services(ServicesArgs),
    /// Show a service's capability statement.
    Capabilities {
        #[arg(long)]
        service: String,
    },
    /// Trace a patient on the Personal Demographics Service (PDS) by NHS number, or search PDS
    /// for them by --family and --birth-date; or look them up at a GP Connect service with
    /// --service.
    Patient {
        /// A GP Connect service to ask instead of PDS.
        #[arg(long, requires = "nhs")]
        service: Option<String>,
        #[arg(long, required_unless_present = "family", conflicts_with = "family")]
        nhs: Option<String>,
        /// Without an NHS number: the family name PDS searches on (with --birth-date).
        #[arg(long, requires = "birth_date")]
        family: Option<String>,
        #[arg(long, requires = "family")]
        given: Option<String>,
        /// yyyy-mm-dd.
        #[arg(long, requires = "family")]
        birth_date: Option<NaiveDate>,
        /// male, female, other or unknown (PDS advises leaving it out).
        #[arg(long, requires = "family")]
        gender: Option<String>,
        #[arg(long, requires = "family")]
        postcode: Option<String>,
    },
    /// Search free slots at some or all services.
    Slots(SlotsArgs),
    /// Book a slot for a patient.
    Book(BookArgs),
    /// Show an appointment as the service holds it.
    Show {
        #[arg(long)]
        service: String,
        #[arg(long)]
        appointment: String,
    },
    /// Change an appointment's description or comment (GP Connect).
    Amend {
        #[arg(long)]
        service: String,
        #[arg(long)]
        appointment: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Cancel an appointment.
    Cancel {
        #[arg(long)]
        service: String,
        #[arg(long)]
        appointment: String,
        #[arg(long)]
        reason: String,
    },
    /// A patient's appointments across services.
    Appointments {
        #[arg(long)]
        nhs: String,
        /// Limit to these services (repeatable); all services by default.
        #[arg(long = "service")]
        services: Vec<String>,
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// What this desk has booked, amended and cancelled; with --centre, every desk's bookings
    /// (supervisors); with --history --service S --appointment A, one appointment's history.
    Bookings(BookingsArgs),
    /// The centre's report over a range of UK days (supervisors).
    Report {
        /// First UK day, inclusive.
        #[arg(long)]
        from: NaiveDate,
        /// Last UK day, inclusive (at most 366 days in all).
        #[arg(long)]
        to: NaiveDate,
        /// Print one CSV table instead (figure,day,service_id,service_name,kind,count).
        #[arg(long)]
        csv: bool,
    },
    /// The audit trail of every provider interaction.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// The triage summary: what each standard would carry of it.
    Clinical {
        #[command(subcommand)]
        action: ClinicalAction,
    },
    /// The desk's configuration, checked without contacting anything.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// The desk's secrets in the OS keyring (values are never printed).
    Secrets {
        #[command(subcommand)]
        action: SecretsAction,
    },
    /// Sign in with NHS CIS2 in the browser; the sign-in is kept in the OS keyring until it
    /// expires. Needs a configuration with a [cis2] section.
    Login {
        /// The desk role to work in, when your CIS2 roles give more than one.
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        /// The SDS role profile id to work in, when you have more than one.
        #[arg(long)]
        profile: Option<String>,
    },
    /// Forget the sign-in kept in the keyring.
    Logout,
    /// The embedded demo provider.
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
}

#[derive(Debug, Args)]
pub struct BookingsArgs {
    /// Every recorded attempt instead of one line per appointment; with --service and
    /// --appointment, that appointment's events and audit entries (supervisors).
    #[arg(long, conflicts_with = "centre")]
    pub history: bool,
    /// Every desk's bookings at the centre, newest first (supervisors).
    #[arg(long)]
    pub centre: bool,
    /// With --centre: booked on or after this UK day.
    #[arg(long, requires = "centre")]
    pub from: Option<NaiveDate>,
    /// With --centre: booked on or before this UK day.
    #[arg(long, requires = "centre")]
    pub to: Option<NaiveDate>,
    /// With --centre: at this service; with --history: the appointment's service.
    #[arg(long)]
    pub service: Option<String>,
    /// With --centre: the appointment's latest status (booked, cancelled).
    #[arg(long, requires = "centre", value_parser = appointment_status)]
    pub status: Option<AppointmentStatus>,
    /// With --centre: booked by this local user id.
    #[arg(long, requires = "centre")]
    pub user: Option<String>,
    /// With --centre: booked at this desk.
    #[arg(long, requires = "centre")]
    pub desk: Option<String>,
    /// With --history: the appointment whose history to show.
    #[arg(long, requires_all = ["history", "service"])]
    pub appointment: Option<String>,
    /// With --centre: print CSV instead of a table.
    #[arg(long, requires = "centre")]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Forget every demo booking and start again.
    Reset,
    /// Print the demo patients' NHS numbers.
    Patients,
    /// Do a realistic morning's work at three desks on the demo (searches, bookings, a slot
    /// lost, cancel and rebook), then print the day's centre report.
    SeedReports,
}

#[derive(Debug, Subcommand)]
pub enum ClinicalAction {
    /// Show exactly what a service of one standard would receive of a summary (JSON file).
    Preview {
        file: PathBuf,
        #[arg(long, value_enum)]
        standard: PackageArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PackageArg {
    GpConnect,
    UecBooking,
    Bars,
}

#[derive(Debug, Subcommand)]
pub enum SecretsAction {
    /// Store a secret, read from standard input (or a file), never from the command line.
    Set {
        /// client-key, signing-key, api-key, registry-password, dos-password or audit-key.
        name: String,
        /// Read the value from this file instead of standard input (e.g. a PEM key to import).
        #[arg(long)]
        from_file: Option<PathBuf>,
    },
    /// Say which secrets are stored; never their values.
    Status,
    /// Remove a secret from the keyring.
    Delete {
        /// client-key, signing-key, api-key, registry-password, dos-password or audit-key.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum AuditAction {
    /// Check that no entry was changed or deleted (exit status 1 if one was).
    Verify,
    /// List every entry, oldest first.
    List,
}

#[derive(Debug, Args)]
pub struct SlotsArgs {
    /// A service to search (repeatable).
    #[arg(long = "service", required_unless_present = "all")]
    pub services: Vec<String>,
    /// Search every service in the directory.
    #[arg(long, conflicts_with = "services")]
    pub all: bool,
    /// First day (default today).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (default 14 days after the first; at most 14 days after it).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum)]
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Channel {
    InPerson,
    Telephone,
    Video,
}

#[derive(Debug, Args)]
pub struct BookArgs {
    #[arg(long)]
    pub service: String,
    /// A slot id, or several adjoining ones separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    pub slot: Vec<String>,
    /// When the slot starts, as `slots` listed it (e.g. 2026-12-22T09:00:00+00:00): the check
    /// that it is still free then searches that day. Without it, the next 14 days are searched.
    #[arg(long)]
    pub slot_start: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[arg(long)]
    pub nhs: Option<String>,
    /// Why the patient needs the appointment (at most 100 characters); from the triage summary
    /// when --clinical is given without it.
    #[arg(long, required_unless_present = "clinical")]
    pub description: Option<String>,
    /// More detail for the service (at most 500 characters).
    #[arg(long)]
    pub comment: Option<String>,
    /// The patient's details as a JSON file (needed without an NHS number).
    #[arg(long)]
    pub patient: Option<PathBuf>,
    /// The triage outcome's timeframe in minutes ("within 2 hours" is 120): a later slot needs
    /// a clinician, or a call handler's recorded clinical approval.
    #[arg(long)]
    pub timeframe_minutes: Option<u32>,
    /// When the triage was done (RFC 3339); now by default.
    #[arg(long, requires = "timeframe_minutes")]
    pub assessed_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// A slot later than the timeframe, approved by a clinician, for this reason: on a CIS2
    /// desk the clinician signs in in the browser to approve it.
    #[arg(long)]
    pub approval_reason: Option<String>,
    /// The approving clinician's name, on the demo and simulator-only desks (elsewhere the
    /// clinician signs in instead).
    #[arg(long, requires = "approval_reason")]
    pub approved_by: Option<String>,
    /// The call's triage summary (JSON, see the README), packaged for the service's standard.
    #[arg(long)]
    pub clinical: Option<PathBuf>,
    /// Book even though the patient already has an upcoming appointment (checked first, by NHS
    /// number, at every service in the directory and wherever the registry says they are booked).
    #[arg(long)]
    pub book_anyway: bool,
}

/// A desk role, as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    CallHandler,
    Clinician,
    Supervisor,
    Administrator,
}

impl From<RoleArg> for booking_engine::auth::Role {
    fn from(r: RoleArg) -> Self {
        use booking_engine::auth::Role;
        match r {
            RoleArg::CallHandler => Role::CallHandler,
            RoleArg::Clinician => Role::Clinician,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Administrator => Role::Administrator,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServicesArgs {
    /// The Pathways disposition, e.g. Dx05.
    #[arg(long = "for", requires = "postcode")]
    pub disposition: Option<String>,
    /// Where the patient is now.
    #[arg(long)]
    pub postcode: Option<String>,
    /// The patient's age in years (or give --born).
    #[arg(long, conflicts_with = "born")]
    pub age: Option<u16>,
    /// The patient's date of birth, for a child under two (yyyy-mm-dd).
    #[arg(long)]
    pub born: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "indeterminate")]
    pub sex: Sex,
    /// The triage outcome's symptom group, e.g. SG1010.
    #[arg(long, requires = "postcode")]
    pub sg: Option<String>,
    /// The triage outcome's symptom discriminator, e.g. SD4003.
    #[arg(long, requires = "postcode")]
    pub sd: Option<String>,
    /// Search distance in kilometres (1-99); the DoS's own for the postcode otherwise.
    #[arg(long)]
    pub distance: Option<u8>,
    /// The registered practice's ODS code.
    #[arg(long)]
    pub surgery: Option<String>,
    /// The patient's NHS number: endpoints looked up are kept for this patient's care only.
    #[arg(long)]
    pub nhs: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Sex {
    Female,
    Male,
    Indeterminate,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Check the configuration (--config or BOOKDESK_CONFIG) and its services list: what is
    /// wrong and where, or what it sets up. Contacts nothing, opens no registry or keyring.
    Check,
}

/// A FHIR appointment status code, as `--status` takes it.
fn appointment_status(code: &str) -> Result<AppointmentStatus, String> {
    booking_engine::wire::from_wire_name(code)
        .filter(|s| *s != AppointmentStatus::Unknown)
        .ok_or_else(|| format!("{code:?} is not an appointment status: try booked or cancelled"))
}
