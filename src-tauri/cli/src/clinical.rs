//! `bookdesk clinical preview` and reading the triage summary file `book --clinical` takes.

use booking_engine::Error;
use booking_engine::auth::Session;
use booking_engine::clinical::{
    ClinicalPreview, ClinicalSummary, PackageContext, PackageStandard, preview,
};
use booking_engine::views::PatientView;
use std::path::Path;

use crate::args::PackageArg;
use crate::output;

/// The summary in `path`, as JSON; the error says what is wrong with it.
pub fn read(path: &Path) -> Result<ClinicalSummary, Error> {
    crate::files::read_json(path, "triage summary")
}

/// Prints a preview for people: the appointment's texts, then the sections, then the document.
pub fn print(p: &ClinicalPreview) {
    say!("Description: {}", p.text.description);
    say!("Comment:");
    for line in p.text.comment.lines() {
        say!("  {line}");
    }
    if p.text.truncated {
        say!("  (Shortened to fit; the whole summary is kept with the booking.)");
    }
    if let Some(doc) = &p.document {
        say!();
        say!("{doc}");
    }
}

pub fn preview_file(
    session: &Session,
    now: chrono::DateTime<chrono::FixedOffset>,
    path: &Path,
    standard: PackageArg,
    as_json: bool,
) -> Result<(), Error> {
    let summary = read(path)?;
    summary.check_content()?;
    // No patient is chosen on the command line: the documents say so rather than invent one.
    let patient = PatientView {
        id: None,
        nhs_number: None,
        family: "(patient not yet identified)".into(),
        given: Vec::new(),
        prefix: None,
        gender: None,
        birth_date: None,
        address_lines: Vec::new(),
        postcode: None,
        phone: None,
    };
    let standard = match standard {
        PackageArg::GpConnect => PackageStandard::GpConnect,
        PackageArg::UecBooking => PackageStandard::UecBooking,
        PackageArg::Bars => PackageStandard::Bars,
    };
    let ctx = PackageContext {
        patient: &patient,
        session,
        recipient_name: "(receiving service)",
        recipient_ods: "",
        recipient_endpoint: String::new(),
        now,
    };
    let p = preview(&summary, standard, &ctx, uuid::Uuid::new_v4());
    if as_json {
        output::json(&p);
    } else {
        print(&p);
    }
    Ok(())
}
