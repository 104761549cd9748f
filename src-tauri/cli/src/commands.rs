//! One function per subcommand: parse what was typed into engine types, call the engine, print.

use booking_engine::booking::BookRequest;
use booking_engine::clinical::{ClinicalApproval, PackageStandard, Timeframe};
use booking_engine::ids::{AppointmentId, NhsNumber, ServiceId, SlotId};
use booking_engine::national::pds::DemographicSearch;
use booking_engine::search::{SearchRequest, ServiceProgress};
use booking_engine::standards::SearchWindow;
use booking_engine::views::{
    AppointmentView, DeliveryChannel, PatientView, SlotView, TracedPatient,
};
use booking_engine::{Engine, Error, ErrorKind};
use chrono::{Duration, NaiveDate};

use crate::args::{AuditAction, BookArgs, Channel, ServicesArgs, SlotsArgs};
use crate::output::{json, or_dash, table, time, when};

fn window(
    engine: &Engine,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<SearchWindow, Error> {
    let from = from.unwrap_or_else(|| engine.clock().uk_today());
    let to = to.unwrap_or(from + Duration::days(booking_engine::standards::MAX_WINDOW_DAYS));
    SearchWindow::new(from, to)
}

/// The services named — services.toml ids, DoS service ids or ODS codes — or every service
/// in services.toml when none is named.
async fn service_ids(engine: &Engine, names: &[String]) -> Result<Vec<ServiceId>, Error> {
    if names.is_empty() {
        return Ok(engine
            .directory()
            .all()
            .iter()
            .map(|s| s.id.clone())
            .collect());
    }
    // An unknown name fails the command, as at every other command, rather than only its row.
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        ids.push(engine.resolve_service(name, None).await?);
    }
    Ok(ids)
}

fn channel_label(c: Option<DeliveryChannel>) -> String {
    c.map(|c| c.label().to_string())
        .unwrap_or_else(|| "not stated".into())
}

pub fn services(engine: &Engine, as_json: bool) {
    let list = engine.directory().all();
    if as_json {
        return json(&list);
    }
    if list.is_empty() {
        say!(
            "This desk has no services list of its own: it finds services for each patient's need."
        );
        say!(
            "Try: bookdesk services --for Dx05 --postcode \"LS1 4AP\" --age 44 --sex female --sg SG1010 --sd SD4003"
        );
        return;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                s.name.clone(),
                s.kind.label().into(),
                s.standard.label().into(),
                or_dash(s.postcode.as_deref()),
            ]
        })
        .collect();
    table(&["SERVICE", "NAME", "KIND", "STANDARD", "POSTCODE"], &rows);
}

/// Services for a triage outcome from the Directory of Services, nearest and most suitable
/// first, with how each is booked.
pub async fn find_services(engine: &Engine, a: ServicesArgs, as_json: bool) -> Result<(), Error> {
    use booking_engine::national::disposition;
    use booking_engine::national::dos::{Age, CareNeed, Sex};
    use booking_engine::national::find::HowBooked;
    let age = match (a.age, a.born) {
        (Some(years), _) => Age::Years(years),
        (None, Some(born)) => Age::on(born, engine.clock().uk_today())?,
        (None, None) => {
            return Err(Error::invalid(
                "Give the patient's age with --age, or --born.",
            ));
        }
    };
    let dx = match &a.disposition {
        Some(code) => Some(disposition::normalise(code).ok_or_else(|| {
            Error::invalid(format!(
                "\"{code}\" is not a disposition code: give it like Dx05."
            ))
        })?),
        None => None,
    };
    let code = |text: &Option<String>, prefix: &str| -> Result<Option<u32>, Error> {
        text.as_deref()
            .map(|t| {
                disposition::pathways_number(t, prefix).ok_or_else(|| {
                    Error::invalid(format!(
                        "\"{t}\" is not a {prefix} code: give it like {prefix}1010."
                    ))
                })
            })
            .transpose()
    };
    let need = CareNeed {
        postcode: a.postcode.clone().unwrap_or_default(),
        age,
        sex: match a.sex {
            crate::args::Sex::Female => Sex::Female,
            crate::args::Sex::Male => Sex::Male,
            crate::args::Sex::Indeterminate => Sex::Indeterminate,
        },
        disposition: dx.as_deref().and_then(disposition::dos_id),
        symptom_group: code(&a.sg, "SG")?,
        symptom_discriminators: code(&a.sd, "SD")?.into_iter().collect(),
        search_distance_km: a.distance,
        surgery: a.surgery.clone(),
        search_at: None,
    };
    let nhs = a.nhs.as_deref().map(NhsNumber::parse).transpose()?;
    let found = engine
        .find_services(&need, nhs.as_ref().map(|n| n.as_str()))
        .await?;
    if as_json {
        json(&found);
        return Ok(());
    }
    if let Some(d) = dx.as_deref().and_then(disposition::known) {
        say!("{}: {}", d.code, d.text);
    }
    let rows: Vec<Vec<String>> = found
        .services
        .iter()
        .map(|o| {
            let s = &o.service;
            let how = match &o.booking {
                HowBooked::Book {
                    standard,
                    service_id,
                    ..
                } => format!("book ({}) as {service_id}", standard.label()),
                HowBooked::CallToRefer => format!("call to refer: {}", or_dash(s.phone.as_deref())),
                HowBooked::CannotBook { reason, .. } => format!("cannot book: {reason}"),
            };
            vec![
                s.dos_id.clone(),
                s.shown_name().to_string(),
                or_dash(s.service_type.as_deref()),
                s.distance_miles
                    .map(|d| format!("{d:.1} mi"))
                    .unwrap_or_else(|| "-".into()),
                match s.open_now {
                    Some(true) => "open".into(),
                    Some(false) => "closed".into(),
                    None => "-".into(),
                },
                how,
            ]
        })
        .collect();
    table(&["DOS ID", "NAME", "TYPE", "DISTANCE", "NOW", "HOW"], &rows);
    Ok(())
}

/// Checks a desk configuration without contacting anything: what it sets up, or what is wrong
/// and where (the engine's error names the line, or the section and key).
pub fn config_check(named: Option<&std::path::Path>, as_json: bool) -> Result<(), Error> {
    use booking_engine::config::Located;
    let named_in = |e: Error| match named {
        // Which file, unless the error names one (the services list's own).
        Some(path) if !e.message.contains(".toml") => {
            let message = format!("{}: {}", path.display(), e.message);
            e.with_message(message)
        }
        _ => e,
    };
    let (config, files) = match booking_engine::config::locate(named).map_err(named_in)? {
        Located::Found(config, files) => (config, files),
        Located::Nothing => return Err(booking_engine::config::not_configured()),
    };
    let summary = config.summary();
    if as_json {
        json(&serde_json::json!({ "files": files, "summary": summary }));
        return Ok(());
    }
    match &files.user {
        None => say!("{}: the configuration is valid.", files.main.display()),
        Some(user) => say!(
            "{}, with your own settings from {}: the configuration is valid.",
            files.main.display(),
            user.display()
        ),
    }
    say!(
        "  Services listed: {}{}",
        summary.services_listed,
        summary
            .services_file
            .as_ref()
            .map(|f| format!(" ({})", f.display()))
            .unwrap_or_default()
    );
    say!(
        "  National services: {}",
        if summary.national.is_empty() {
            "none".to_string()
        } else {
            summary.national.join(", ")
        }
    );
    say!(
        "  National API platform: {}",
        if summary.platform { "yes" } else { "no" }
    );
    say!("  Sign-in: {}", summary.sign_in);
    say!("  Bookings registry: {}", summary.store);
    if !summary.user_may_set.is_empty() {
        say!(
            "  Each person's own file may set: {}",
            summary.user_may_set.join(", ")
        );
    }
    Ok(())
}

pub async fn capabilities(engine: &Engine, service: &str, as_json: bool) -> Result<(), Error> {
    let c = engine.capabilities(&ServiceId::parse(service)?).await?;
    if as_json {
        json(&c);
    } else {
        say!("Service:   {}", c.service_id);
        say!("FHIR:      {}", or_dash(c.fhir_version.as_deref()));
        say!("Software:  {}", or_dash(c.software.as_deref()));
        say!("Publisher: {}", or_dash(c.publisher.as_deref()));
        for r in &c.resources {
            say!("  {r}");
        }
    }
    Ok(())
}

fn print_patient(p: &PatientView) {
    say!("{}", p.banner_name());
    say!(
        "  Born {}   Gender {}   NHS No. {}",
        p.birth_date
            .map(|d| d.format("%d-%b-%Y").to_string())
            .unwrap_or_else(|| "-".into()),
        or_dash(p.gender.as_deref()),
        p.nhs_number
            .as_ref()
            .map(|n| n.spaced())
            .unwrap_or_else(|| "-".into())
    );
    let mut address = p.address_lines.join(", ");
    if let Some(pc) = &p.postcode {
        address.push_str(&format!(", {pc}"));
    }
    say!("  {address}");
}

pub async fn patient(
    engine: &Engine,
    service: &str,
    nhs: &str,
    as_json: bool,
) -> Result<(), Error> {
    let nhs = NhsNumber::parse(nhs)?;
    let found = engine
        .find_patient(&ServiceId::parse(service)?, &nhs)
        .await?;
    match (found, as_json) {
        (Some(p), true) => json(&p),
        (Some(p), false) => print_patient(&p),
        (None, _) => {
            return Err(
                Error::new(booking_engine::ErrorKind::PatientNotFound).with_service(service)
            );
        }
    }
    Ok(())
}

/// `patient --nhs N`: the patient as PDS holds them, saying plainly what the desk must know
/// before booking (a superseded number, a restricted record, a recorded death).
pub async fn trace(engine: &Engine, nhs: &str, as_json: bool) -> Result<(), Error> {
    let nhs = NhsNumber::parse(nhs)?;
    let p = engine.trace_patient(&nhs).await?;
    print_traced(&p, as_json)
}

/// `patient --family F --birth-date D`: the one patient PDS matches, shown as a trace is.
pub async fn search_pds(
    engine: &Engine,
    search: &DemographicSearch,
    as_json: bool,
) -> Result<(), Error> {
    match engine.search_pds(search).await? {
        Some(p) => print_traced(&p, as_json),
        None => Err(Error::new(booking_engine::ErrorKind::PatientNotFound)
            .with_message("PDS found no patient with these details.")
            .with_next_step("Check the details with the caller, or ask for the NHS number.")),
    }
}

fn print_traced(p: &TracedPatient, as_json: bool) -> Result<(), Error> {
    if as_json {
        json(&p);
        return Ok(());
    }
    let name = [
        p.prefix.clone().unwrap_or_default(),
        p.given.join(" "),
        p.family.to_uppercase(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(" ");
    let current = NhsNumber::parse(&p.nhs_number).map(|n| n.spaced())?;
    say!("{name}");
    say!(
        "  Born {}   Gender {}   NHS No. {current}",
        p.birth_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| d.format("%d-%b-%Y").to_string())
            .unwrap_or_else(|| "-".into()),
        or_dash(p.gender.as_deref())
    );
    if let Some(old) = &p.superseded {
        let old = NhsNumber::parse(old).map(|n| n.spaced())?;
        say!("  NHS number {old} was replaced by {current}: use {current}.");
    }
    if p.restricted {
        say!("  RESTRICTED RECORD: the address and contact details are not shown or sent.");
        say!("  UEC Booking and BaRS services need a home address: phone them to book.");
    } else {
        let mut address = p.address_lines.join(", ");
        if let Some(pc) = &p.postcode {
            address.push_str(&format!(", {pc}"));
        }
        say!("  {}", or_dash(Some(&address)));
        say!("  Phone {}", or_dash(p.phone.as_deref()));
        say!(
            "  Registered practice {}",
            or_dash(p.registered_practice.as_deref())
        );
    }
    if let Some(when) = &p.deceased {
        say!(
            "  PDS records that this patient died ({}).",
            when.get(..10).unwrap_or(when)
        );
    }
    Ok(())
}

fn slot_row(s: &SlotView) -> Vec<String> {
    let p = s.practitioner.as_ref();
    let practitioner = p
        .map(|p| {
            let mut t = p.name.clone().unwrap_or_default();
            if let Some(r) = &p.role {
                t = if t.is_empty() {
                    r.clone()
                } else {
                    format!("{t} ({r})")
                };
            }
            if let Some(g) = &p.gender {
                t.push_str(&format!(", {g}"));
            }
            t
        })
        .unwrap_or_else(|| "-".into());
    let location = s
        .location
        .as_ref()
        .map(|l| {
            [l.name.clone(), l.address.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — ")
        })
        .unwrap_or_else(|| "-".into());
    vec![
        when(&s.start),
        format!("{}", time(&s.end)),
        s.service_id.to_string(),
        s.id.to_string(),
        channel_label(s.delivery_channel),
        or_dash(s.slot_type.as_deref()),
        or_dash(s.schedule_type.as_deref()),
        practitioner,
        location,
    ]
}

pub async fn slots(engine: &Engine, a: SlotsArgs, as_json: bool) -> Result<(), Error> {
    let w = window(engine, a.from, a.to)?;
    // --all and --service exclude each other, so no --service means every service.
    let services = service_ids(engine, &a.services).await?;
    if services.is_empty() {
        return Err(Error::invalid(
            "There are no services to search: this desk has no services list.",
        )
        .with_next_step(
            "Name the services with --service (a DoS service id or ODS code); \
                     `bookdesk services --for …` finds them for the patient's need.",
        ));
    }
    let channel = a.channel.map(|c| match c {
        Channel::InPerson => DeliveryChannel::InPerson,
        Channel::Telephone => DeliveryChannel::Telephone,
        Channel::Video => DeliveryChannel::Video,
    });
    let result = engine
        .search_all(SearchRequest {
            services,
            window: w,
            channel,
        })
        .await;
    if as_json {
        json(&result);
    } else {
        let rows: Vec<Vec<String>> = result.slots.iter().map(slot_row).collect();
        table(
            &[
                "START",
                "END",
                "SERVICE",
                "SLOT",
                "CHANNEL",
                "SLOT TYPE",
                "SCHEDULE",
                "PRACTITIONER",
                "LOCATION",
            ],
            &rows,
        );
        say!();
        let width = result
            .services
            .iter()
            .map(|s| s.service_name.chars().count())
            .max()
            .unwrap_or(0);
        for s in &result.services {
            let state = match &s.progress {
                ServiceProgress::Searching => "searching".to_string(),
                ServiceProgress::Found { count } => format!("{count} slots"),
                ServiceProgress::None => "no free slots".to_string(),
                ServiceProgress::Failed { error } => format!("failed: {}", error.message),
            };
            tell!("{:<width$}  {state}", s.service_name);
        }
    }
    Ok(())
}

fn print_appointment(a: &AppointmentView) {
    say!(
        "Appointment {} at {} ({})",
        a.id,
        a.service_name,
        a.service_id
    );
    say!("  Status:      {}", a.status);
    say!("  When:        {} – {}", when(&a.start), time(&a.end));
    say!("  Channel:     {}", channel_label(a.delivery_channel));
    if let Some(p) = &a.practitioner {
        let name = [p.name.clone(), p.role.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        say!(
            "  With:        {}",
            if name.is_empty() { "-".into() } else { name }
        );
    }
    if let Some(l) = &a.location {
        let place = [l.name.clone(), l.address.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        say!("  Where:       {place}");
    }
    say!("  Description: {}", or_dash(a.description.as_deref()));
    // A comment from a triage summary runs over several lines: keep them under its label.
    say!(
        "  Comment:     {}",
        or_dash(a.comment.as_deref()).replace('\n', "\n               ")
    );
    if let Some(r) = &a.cancellation_reason {
        say!("  Cancelled:   {r}");
    }
    if let Some(v) = &a.version {
        say!("  Version:     {v}");
    }
    if let Some(r) = &a.service_reference {
        say!("  Reference:   {r} (the service's own)");
    }
    if let Some(u) = &a.reference_url {
        say!("  Address:     {u}");
    }
}

/// "Already booked?": refuses when the patient has an upcoming appointment, naming it, so that
/// a second booking takes `--book-anyway`. Services that could not be asked are warned about.
async fn already_booked(engine: &Engine, nhs: &NhsNumber) -> Result<(), Error> {
    let services = engine.directory().ids();
    let found = engine.upcoming_appointments(nhs, &services).await;
    for f in &found.failures {
        tell!(
            "Not checked for other appointments: {} ({})",
            f.service_id.as_deref().unwrap_or("a service"),
            f.message
        );
    }
    if found.appointments.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = found
        .appointments
        .iter()
        .map(|a| {
            format!(
                "{} at {} ({})",
                a.service_name,
                booking_engine::standards::uk_time(a.start),
                a.id
            )
        })
        .collect();
    Err(Error::new(ErrorKind::AlreadyBooked)
        .with_message(format!(
            "The patient already has an upcoming appointment: {}.",
            list.join("; ")
        ))
        .with_next_step(
            "Check with the patient. To book another as well, run the same command with --book-anyway.",
        ))
}

pub async fn book(engine: &Engine, a: BookArgs, as_json: bool) -> Result<(), Error> {
    let patient: Option<PatientView> = a
        .patient
        .as_deref()
        .map(|path| crate::files::read_json(path, "patient file"))
        .transpose()?;
    let clinical = a
        .clinical
        .as_deref()
        .map(crate::clinical::read)
        .transpose()?;
    // Without --description, the summary's own words, cut to fit as the preview shows them.
    let packaged = clinical
        .as_ref()
        .map(booking_engine::clinical::text::gp_connect);
    let description = a
        .description
        .or_else(|| packaged.as_ref().map(|p| p.description.clone()))
        .unwrap_or_default();
    let comment = a
        .comment
        .or_else(|| packaged.as_ref().map(|p| p.comment.clone()));
    let service_id = engine.resolve_service(&a.service, a.nhs.as_deref()).await?;
    let req = BookRequest {
        service_id,
        slot_ids: a
            .slot
            .iter()
            .map(|s| SlotId::parse(s))
            .collect::<Result<_, _>>()?,
        slot_start: a.slot_start,
        nhs_number: a.nhs.as_deref().map(NhsNumber::parse).transpose()?,
        patient,
        description,
        comment,
        timeframe: a.timeframe_minutes.map(|within_minutes| Timeframe {
            assessed_at: a.assessed_at.unwrap_or_else(|| engine.clock().uk_now()),
            within_minutes,
        }),
        clinical_approval: match a.approval_reason {
            Some(reason) => Some(ClinicalApproval {
                ticket: crate::signin::approver(engine, a.approved_by).await?.ticket,
                reason,
            }),
            None => None,
        },
        clinical,
        book_beside: Vec::new(),
        book_anyway: a.book_anyway,
    };
    if let (Some(nhs), false) = (&req.nhs_number, a.book_anyway) {
        already_booked(engine, nhs).await?;
    }
    let outcome = engine.book(req).await.map_err(|e| match e.kind {
        // The engine's own look found one (booked since ours, or known to the registry only).
        ErrorKind::AlreadyBooked => e.with_next_step(
            "Check with the patient. To book another as well, run the same command with --book-anyway.",
        ),
        _ => e,
    })?;
    if as_json {
        json(&outcome);
        return Ok(());
    }
    say!("BOOKED");
    print_appointment(&outcome.appointment);
    if let Some(c) = &outcome.clinical {
        match (&c.report_id, c.report_delivered, &c.report_problem) {
            (Some(id), true, _) if c.standard == PackageStandard::Bars => {
                say!("  The triage summary went with the booking, in its BaRS message ({id}).")
            }
            (Some(id), true, _) => say!("  The 111 report ({id}) was sent to the service."),
            (Some(id), false, Some(p)) => {
                say!(
                    "  The 111 report ({id}) is kept but was not sent: {}",
                    p.message
                );
                say!("  What to do: {}", p.next_step);
            }
            _ => say!("  The triage summary went in the description and comment."),
        }
    }
    if outcome.confirmed_by_check {
        say!(
            "  (The service's answer was lost; the booking was confirmed by checking with the service.)"
        );
    }
    for m in &outcome.demographic_mismatches {
        say!(
            "  Check with the caller: {} is '{}' here but '{}' at the service.",
            m.field,
            m.ours,
            m.theirs
        );
    }
    Ok(())
}

pub async fn show(engine: &Engine, service: &str, id: &str, as_json: bool) -> Result<(), Error> {
    let a = engine
        .read_appointment(&ServiceId::parse(service)?, &AppointmentId::parse(id)?)
        .await?;
    if as_json {
        json(&a)
    } else {
        print_appointment(&a)
    }
    Ok(())
}

pub async fn amend(
    engine: &Engine,
    service: &str,
    id: &str,
    description: Option<String>,
    comment: Option<String>,
    as_json: bool,
) -> Result<(), Error> {
    let a = engine
        .amend(
            &ServiceId::parse(service)?,
            &AppointmentId::parse(id)?,
            description,
            comment,
        )
        .await?;
    if as_json {
        json(&a)
    } else {
        print_appointment(&a)
    }
    Ok(())
}

pub async fn cancel(
    engine: &Engine,
    service: &str,
    id: &str,
    reason: &str,
    as_json: bool,
) -> Result<(), Error> {
    let a = engine
        .cancel(
            &ServiceId::parse(service)?,
            &AppointmentId::parse(id)?,
            reason,
        )
        .await?;
    if as_json {
        json(&a)
    } else {
        // Said first, in words for the patient: a cancellation they are not told about leaves
        // them expecting care that will not happen.
        say!("CANCELLED — tell the patient:");
        say!(
            "  Your appointment at {} on {} has been cancelled ({}). Reference {}.",
            a.service_name,
            when(&a.start),
            a.cancellation_reason.as_deref().unwrap_or(reason),
            // The service's own reference is the one the patient will be asked for.
            a.service_reference.as_deref().unwrap_or(a.id.as_str())
        );
        say!();
        print_appointment(&a)
    }
    Ok(())
}

pub async fn appointments(
    engine: &Engine,
    nhs: &str,
    services: &[String],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    as_json: bool,
) -> Result<(), Error> {
    let nhs = NhsNumber::parse(nhs)?;
    let today = engine.clock().uk_today();
    let w = window(
        engine,
        Some(from.unwrap_or(today - Duration::days(7))),
        to.or(Some(today + Duration::days(7))),
    )?;
    let found = if services.is_empty() {
        engine.patient_appointments_everywhere(&nhs, &w).await
    } else {
        let ids = service_ids(engine, services).await?;
        engine.patient_appointments(&nhs, &ids, &w).await
    };
    if as_json {
        json(&found);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .appointments
        .iter()
        .map(|a| {
            vec![
                when(&a.start),
                time(&a.end),
                a.service_id.to_string(),
                a.id.to_string(),
                a.status.to_string(),
                channel_label(a.delivery_channel),
                or_dash(a.description.as_deref()),
                or_dash(a.cancellation_reason.as_deref()),
            ]
        })
        .collect();
    table(
        &[
            "START",
            "END",
            "SERVICE",
            "APPOINTMENT",
            "STATUS",
            "CHANNEL",
            "DESCRIPTION",
            "CANCELLED BECAUSE",
        ],
        &rows,
    );
    for f in &found.failures {
        tell!(
            "{}: {} {}",
            or_dash(f.service_id.as_deref()),
            f.message,
            f.next_step
        );
    }
    Ok(())
}

pub async fn bookings(engine: &Engine, history: bool, as_json: bool) -> Result<(), Error> {
    if history {
        let events = engine.store().events().await?;
        if as_json {
            json(&events);
            return Ok(());
        }
        let rows: Vec<Vec<String>> = events
            .iter()
            .map(|e| {
                vec![
                    e.recorded_at.format("%d-%b-%Y %H:%M:%S").to_string(),
                    format!("{:?}", e.action).to_lowercase(),
                    format!("{:?}", e.outcome).to_lowercase(),
                    e.service_id.clone(),
                    or_dash(e.appointment_id.as_deref()),
                    e.user_name.clone(),
                    or_dash(e.error_message.as_deref()),
                ]
            })
            .collect();
        table(
            &[
                "RECORDED",
                "ACTION",
                "OUTCOME",
                "SERVICE",
                "APPOINTMENT",
                "USER",
                "ERROR",
            ],
            &rows,
        );
        return Ok(());
    }
    let list = engine.bookings().await?;
    if as_json {
        json(&list);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|b| {
            vec![
                b.service_id.clone(),
                b.appointment_id.clone(),
                or_dash(b.status.map(|s| s.code()).as_deref()),
                or_dash(b.start.as_deref()),
                or_dash(b.version.as_deref()),
                b.booked_by.clone(),
                b.booked_at.format("%d-%b-%Y %H:%M").to_string(),
            ]
        })
        .collect();
    table(
        &[
            "SERVICE",
            "APPOINTMENT",
            "STATUS",
            "START",
            "VERSION",
            "BOOKED BY",
            "BOOKED AT",
        ],
        &rows,
    );
    Ok(())
}

/// `audit verify` or `audit list`. `Ok(false)` when verify finds the trail broken.
pub async fn audit(engine: &Engine, action: AuditAction, as_json: bool) -> Result<bool, Error> {
    match action {
        AuditAction::Verify => {
            let report = engine.store().verify_audit().await?;
            if as_json {
                json(&report);
            } else if report.intact {
                say!("Audit trail intact: {} entries", report.entries_checked);
                if let Some(key) = &report.sealed_with {
                    say!(
                        "Sealed with audit key {key}; anchored outside the registry at entry {}.",
                        report.anchored_at.unwrap_or(0)
                    );
                }
            } else {
                say!(
                    "Audit trail broken: {}.",
                    report.problem.as_deref().unwrap_or("unknown problem")
                );
                say!(
                    "{} entries checked before the break.",
                    report.entries_checked
                );
            }
            Ok(report.intact)
        }
        AuditAction::List => {
            let entries = engine.store().audit_entries().await?;
            if as_json {
                json(&entries);
                return Ok(true);
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.recorded_at.clone(),
                        e.user_name.clone(),
                        e.user_role.clone(),
                        e.organisation_ods.clone(),
                        e.service_id.clone(),
                        e.interaction.clone(),
                        or_dash(e.nhs_number.as_deref()),
                        e.outcome.clone(),
                        e.trace_id.clone(),
                    ]
                })
                .collect();
            table(
                &[
                    "ID",
                    "RECORDED (UTC)",
                    "USER",
                    "ROLE",
                    "ORG",
                    "SERVICE",
                    "INTERACTION",
                    "NHS NUMBER",
                    "OUTCOME",
                    "TRACE ID",
                ],
                &rows,
            );
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_engine::directory::ServiceKind;

    fn slot(id: &str, start: &str, end: &str) -> SlotView {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("instant");
        SlotView {
            service_id: ServiceId::parse("calder-valley-utc").expect("id"),
            service_name: "Calder Valley UTC".into(),
            service_kind: ServiceKind::UrgentCare,
            id: SlotId::parse(id).expect("slot id"),
            schedule_id: None,
            start: at(start),
            end: at(end),
            delivery_channel: None,
            slot_type: None,
            schedule_type: None,
            practitioner: None,
            location: None,
            source: None,
        }
    }

    #[test]
    fn the_slot_table_tells_the_two_autumn_0130s_apart() {
        // 25 Oct 2026 01:00–02:00 UTC, the hour after the clocks went back, and the hour before.
        let rows: Vec<Vec<String>> = [
            slot("a", "2026-10-25T00:30:00Z", "2026-10-25T00:40:00Z"),
            slot("b", "2026-10-25T01:30:00Z", "2026-10-25T01:40:00Z"),
            slot("c", "2026-10-25T02:30:00Z", "2026-10-25T02:40:00Z"),
        ]
        .iter()
        .map(slot_row)
        .collect();
        let times: Vec<[&str; 2]> = rows.iter().map(|r| [&*r[0], &*r[1]]).collect();
        assert_eq!(
            times,
            [
                ["Sun 25-Oct-2026 01:30 BST", "01:40 BST"],
                ["Sun 25-Oct-2026 01:30 GMT", "01:40 GMT"],
                ["Sun 25-Oct-2026 02:30", "02:40"],
            ]
        );
    }
}
