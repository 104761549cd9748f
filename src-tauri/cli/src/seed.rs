//! `bookdesk demo seed-reports`: a realistic morning at a small centre, done for real on the
//! embedded demo so the supervisor's report has figures to show. Three people at three desks
//! share the demo's registry: they search, book, lose a slot to each other, find nothing far
//! ahead, book past a triage timeframe, cancel and rebook, and hit a patient the service does not
//! know. Then the day's report is printed as a supervisor sees it.

use booking_demo::{Demo, PlatformKey};
use booking_engine::auth::{Role, User};
use booking_engine::booking::BookRequest;
use booking_engine::clinical::Timeframe;
use booking_engine::config::DeskConfig;
use booking_engine::directory::{ServiceKind, Standard};
use booking_engine::ids::{NhsNumber, ServiceId, SlotId};
use booking_engine::search::SearchRequest;
use booking_engine::standards::SearchWindow;
use booking_engine::store::Store;
use booking_engine::{Desk, Engine, Error, ErrorKind};
use chrono::{Duration, NaiveDate};

const JANE: &str = "9434765919";
const DAVID: &str = "9476719931";
const AMIR: &str = "9434765269";
const MARGARET: &str = "9434760186";
/// A valid NHS number that no demo service knows.
const UNKNOWN_PATIENT: &str = "9000000009";

fn person(name: &str, local_id: &str, role: Role) -> User {
    User {
        name: name.into(),
        sds_user_id: "555021935107".into(),
        sds_role_profile_id: "UNK".into(),
        local_id: local_id.into(),
        role,
    }
}

/// What the seeding opened: the demo and its one registry, shared by every desk.
struct Seeding {
    demo: Demo,
    store: Store,
}

impl Seeding {
    fn config(&self) -> &DeskConfig {
        &self.demo.config
    }

    /// `user` signed in at a desk called `name`, on the demo's one registry.
    fn desk(&self, name: &str, user: User) -> Result<Engine, Error> {
        let mut config = self.config().clone();
        config.desk.name = Some(name.into());
        let desk = Desk::from_parts(&config, self.store.clone())?;
        self.demo.equip(&desk, PlatformKey::Now)?;
        desk.sign_in(user)
    }

    fn service(
        &self,
        kind: ServiceKind,
        standard: Standard,
        nth: usize,
    ) -> Result<ServiceId, Error> {
        self.config()
            .directory
            .all()
            .iter()
            .filter(|s| s.kind == kind && s.standard == standard)
            .nth(nth)
            .map(|s| s.id.clone())
            .ok_or_else(|| Error::internal("The demo directory lacks a service the seeding uses."))
    }
}

fn days_ahead(today: NaiveDate, from: i64, to: i64) -> Result<SearchWindow, Error> {
    SearchWindow::new(today + Duration::days(from), today + Duration::days(to))
}

async fn search(e: &Engine, services: &[ServiceId], window: SearchWindow) -> Vec<SlotId> {
    let request = SearchRequest {
        services: services.to_vec(),
        window,
        channel: None,
    };
    e.search_all(request)
        .await
        .slots
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn request(service: &ServiceId, slot: &SlotId, nhs: &str) -> Result<BookRequest, Error> {
    Ok(BookRequest {
        nhs_number: Some(NhsNumber::parse(nhs)?),
        // The demo's own history, made on purpose.
        book_anyway: true,
        ..BookRequest::new(
            service.clone(),
            vec![slot.clone()],
            "Sore throat and fever for 3 days",
        )
    })
}

/// A person reading the slots to the caller before booking one, so that the time from search
/// to booked is not zero.
async fn reads_out(seconds: u64) {
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
}

/// The first of `slots` not yet taken by this run.
fn next<'a>(slots: &'a [SlotId], used: &mut usize) -> Result<&'a SlotId, Error> {
    let slot = slots.get(*used).ok_or_else(|| {
        Error::new(ErrorKind::Unavailable)
            .with_message("The demo services have too few free slots left to seed the reports.")
            .with_next_step("Run `bookdesk demo reset`, then seed again.")
    })?;
    *used += 1;
    Ok(slot)
}

/// A step that is meant to fail: its error is the point, success is only reported.
fn expect_refusal<T>(what: &str, result: Result<T, Error>, kind: ErrorKind) {
    match result {
        Err(e) if e.kind == kind => tell!("  {what}: refused as expected ({})", e.message),
        Err(e) => tell!("  {what}: refused ({})", e.message),
        Ok(_) => tell!("  {what}: went through after all"),
    }
}

pub async fn seed_reports(as_json: bool) -> Result<(), Error> {
    let demo = Demo::start().await?;
    tell!("DEMO: seeding the reports in {}", demo.config.store);
    let demo = Seeding {
        store: booking_engine::open_store(&demo.config).await?,
        demo,
    };
    let result = seed(&demo).await;
    let shown = match result {
        Ok(()) => {
            let supervisor = demo.desk(
                "Leeds supervisor desk",
                person("Sue Marsh", "sue.marsh", Role::Supervisor),
            )?;
            let today = supervisor.clock().uk_today();
            crate::reports::report(&supervisor, today, today, false, as_json).await
        }
        Err(e) => Err(e),
    };
    demo.demo.shutdown().await;
    shown
}

async fn seed(demo: &Seeding) -> Result<(), Error> {
    let gp = demo.service(ServiceKind::GpPractice, Standard::GpConnect, 0)?;
    let other_gp = demo.service(ServiceKind::GpPractice, Standard::GpConnect, 1)?;
    let utc = demo.service(ServiceKind::UrgentCare, Standard::UecBooking, 0)?;
    let alex = demo.desk(
        "Leeds floor 1, desk 3",
        person("Alex Taylor", "alex.taylor", Role::CallHandler),
    )?;
    let sam = demo.desk(
        "Leeds floor 1, desk 7",
        person("Sam Okafor", "sam.okafor", Role::CallHandler),
    )?;
    let priya = demo.desk(
        "Wakefield desk 2",
        person("Dr Priya Shah", "priya.shah", Role::Clinician),
    )?;
    let week = days_ahead(alex.clock().uk_today(), 1, 7)?;

    tell!("Alex searches every service and books Jane at a practice, David at a UTC.");
    let everywhere: Vec<ServiceId> = [gp.clone(), other_gp.clone(), utc.clone()].to_vec();
    search(&alex, &everywhere, week).await;
    let gp_slots = search(&alex, std::slice::from_ref(&gp), week).await;
    let mut used = 0;
    let janes_slot = next(&gp_slots, &mut used)?.clone();
    reads_out(2).await;
    let jane = alex.book(request(&gp, &janes_slot, JANE)?).await?;
    let utc_slots = search(&alex, std::slice::from_ref(&utc), week).await;
    reads_out(1).await;
    alex.book(request(&utc, next(&utc_slots, &mut 0)?, DAVID)?)
        .await?;

    tell!("Sam, at another desk, tries Jane's slot for Amir, then books another.");
    search(&sam, std::slice::from_ref(&gp), week).await;
    reads_out(3).await;
    expect_refusal(
        "the slot Alex just booked",
        sam.book(request(&gp, &janes_slot, AMIR)?).await,
        ErrorKind::SlotTaken,
    );
    sam.book(request(&gp, next(&gp_slots, &mut used)?, AMIR)?)
        .await?;
    expect_refusal(
        "a patient the practice does not know",
        sam.book(request(&gp, next(&gp_slots, &mut used)?, UNKNOWN_PATIENT)?)
            .await,
        ErrorKind::PatientNotFound,
    );

    tell!("Priya finds nothing six weeks ahead, then books Margaret past a 1-hour timeframe.");
    search(
        &priya,
        std::slice::from_ref(&gp),
        days_ahead(priya.clock().uk_today(), 40, 50)?,
    )
    .await;
    search(&priya, std::slice::from_ref(&gp), week).await;
    reads_out(1).await;
    let mut late = request(&gp, next(&gp_slots, &mut used)?, MARGARET)?;
    late.timeframe = Some(Timeframe {
        assessed_at: priya.clock().uk_now(),
        within_minutes: 60,
    });
    priya.book(late).await?;

    tell!("Alex cancels Jane's appointment; Sam rebooks her at another practice.");
    alex.cancel(
        &gp,
        &jane.appointment.id,
        "Patient would rather see their own practice",
    )
    .await?;
    let other_slots = search(&sam, std::slice::from_ref(&other_gp), week).await;
    reads_out(2).await;
    sam.book(request(&other_gp, next(&other_slots, &mut 0)?, JANE)?)
        .await?;
    Ok(())
}
