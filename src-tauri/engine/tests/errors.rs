//! Hostile and failing providers. Whatever a provider (or the proxy in front of it) does, the desk
//! must get one typed `Error` it can act on: the right kind, the HTTP status and Spine code kept
//! for the helpdesk, the trace id set, plain words for the call handler, and never a panic or a
//! hang. The provider simulator does not misbehave on demand, so a scripted provider answers each
//! request exactly as the case in hand tells it to.

use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use booking_engine::auth::{Organisation, Role, SystemIdentity, User};
use booking_engine::booking::BookRequest;
use booking_engine::clock::{Clock, ClockFrom};
use booking_engine::config::{DeskConfig, HttpSettings};
use booking_engine::directory::{Directory, Standard};
use booking_engine::ids::{AppointmentId, Asid, NhsNumber, OdsCode, ServiceId, SlotId};
use booking_engine::search::{SearchRequest, ServiceProgress};
use booking_engine::standards::SearchWindow;
use booking_engine::store::{Action, BookingEvent, Outcome};
use booking_engine::views::PatientView;
use booking_engine::{Engine, Error, ErrorKind};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use futures::StreamExt;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The provider's service root; scripts see request paths relative to it.
const ROOT: &str = "/A20047/STU3/1/gpconnect";
const SERVICE: &str = "scripted";
const PROVIDER_ASID: &str = "918999198993";
const OUR_ASID: &str = "200000000359";
const NHS: &str = "9434765919";
const SLOT: &str = "1584";
const APPOINTMENT: &str = "7";

/// Short, so the slow cases finish quickly; every call must end well within `LIMIT`.
const TIMEOUT_SECS: u64 = 2;
const LIMIT: Duration = Duration::from_secs(TIMEOUT_SECS + 3);
/// Small, so an oversized answer is cheap to send; still roomy for the nested-JSON cases.
const MAX_BODY: usize = 256 * 1024;
const OVERSIZED: usize = 1024 * 1024;

const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";
const SPINE_SYSTEM: &str = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1";
const SPINE_SYSTEM_OLD: &str = "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1";
const GPC: &str = "urn:nhs:names:services:gpconnect:fhir:";

/// Every Spine code SPEC §5 lists: none may reach a call handler's screen.
const SPINE_CODES: &[&str] = &[
    "BAD_REQUEST",
    "INVALID_IDENTIFIER_SYSTEM",
    "INVALID_IDENTIFIER_VALUE",
    "INVALID_NHS_NUMBER",
    "INVALID_PATIENT_DEMOGRAPHICS",
    "CONFLICTING_VALUES",
    "MISSING_OR_INVALID_HEADER",
    "MESSAGE_NOT_WELL_FORMED",
    "ACCESS DENIED",
    "ACCESS_DENIED",
    "NO_RELATIONSHIP",
    "NO_PATIENT_CONSENT",
    "NO_ORGANISATION_CONSENT",
    "NO_RECORD_FOUND",
    "PATIENT_NOT_FOUND",
    "ORGANISATION_NOT_FOUND",
    "PRACTITIONER_NOT_FOUND",
    "DUPLICATE_REJECTED",
    "UNSUPPORTED_MEDIA_TYPE",
    "INVALID_RESOURCE",
    "INVALID_PARAMETER",
    "REFERENCE_NOT_FOUND",
    "INTERNAL_SERVER_ERROR",
    "NOT_IMPLEMENTED",
];

// ---------------------------------------------------------------------------------------------
// The scripted provider
// ---------------------------------------------------------------------------------------------

/// What the scripted provider does with one request.
#[derive(Clone)]
enum Reply {
    /// A complete answer; axum sets Content-Length.
    Full {
        status: u16,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    },
    /// 200 FHIR JSON streamed in 16 KiB chunks with no Content-Length (chunked encoding).
    Chunked { total: usize },
    /// 200 FHIR JSON of `total` bytes streamed in 64 KiB chunks, each counted as it is made, with
    /// its Content-Length announced or not.
    Huge { total: usize, announced: bool },
    /// 200 FHIR JSON headers at once, then one byte per `every`, for ever.
    Drip { every: Duration },
    /// Takes the request and never answers.
    Hang,
}

/// One request as the script sees it; `nth` counts requests with the same method and path.
struct Call {
    method: String,
    path: String,
    nth: usize,
}

#[derive(Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn trace(&self) -> String {
        self.header("ssp-traceid").unwrap_or_default().to_string()
    }
}

type Script = Box<dyn Fn(&Call) -> Reply + Send + Sync>;

struct Shared {
    script: Script,
    seen: Mutex<Vec<Seen>>,
    /// Bytes of `Reply::Huge` bodies made so far: the most the desk could have read.
    sent: AtomicUsize,
}

/// A test double for a GP Connect / UEC provider that answers as its script says.
struct ScriptedProvider {
    port: u16,
    shared: Arc<Shared>,
}

impl ScriptedProvider {
    async fn start(script: impl Fn(&Call) -> Reply + Send + Sync + 'static) -> Self {
        let shared = Arc::new(Shared {
            script: Box::new(script),
            seen: Mutex::new(Vec::new()),
            sent: AtomicUsize::new(0),
        });
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local address").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { port, shared }
    }

    /// Answers every request the same way.
    async fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone()).await
    }

    fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("log lock").clone()
    }

    fn requests(&self, method: &str, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == method && s.path == path)
            .collect()
    }
}

fn relative(path: &str) -> String {
    path.strip_prefix(ROOT).unwrap_or(path).to_string()
}

async fn answer(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().to_string();
    let path = relative(req.uri().path());
    let nth = {
        let mut seen = shared.seen.lock().expect("log lock");
        seen.push(Seen {
            method: method.clone(),
            path: path.clone(),
            headers: req.headers().clone(),
        });
        seen.iter()
            .filter(|s| s.method == method && s.path == path)
            .count()
    };
    let mut response = match (shared.script)(&Call { method, path, nth }) {
        Reply::Full {
            status,
            content_type,
            body,
        } => {
            let mut builder = Response::builder().status(status);
            if let Some(ct) = content_type {
                builder = builder.header(header::CONTENT_TYPE, ct);
            }
            builder.body(Body::from(body)).expect("response")
        }
        Reply::Chunked { total } => {
            let chunk = 16 * 1024;
            let chunks = futures::stream::iter(
                (0..total.div_ceil(chunk))
                    .map(move |_| Ok::<_, Infallible>(Bytes::from(vec![b' '; chunk]))),
            );
            fhir_stream(chunks)
        }
        Reply::Huge { total, announced } => {
            let chunk = 64 * 1024;
            let shared = Arc::clone(&shared);
            let chunks = futures::stream::iter(0..total.div_ceil(chunk)).map(move |_| {
                shared.sent.fetch_add(chunk, Ordering::Relaxed);
                Ok::<_, Infallible>(Bytes::from(vec![b' '; chunk]))
            });
            let mut response = fhir_stream(chunks);
            if announced {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, total.into());
            }
            response
        }
        Reply::Drip { every } => {
            let head = futures::stream::once(async {
                Ok::<_, Infallible>(Bytes::from_static(b"{\"resourceType\":\"Bundle\","))
            });
            let drip = futures::stream::unfold((), move |()| async move {
                tokio::time::sleep(every).await;
                Some((Ok::<_, Infallible>(Bytes::from_static(b" ")), ()))
            });
            fhir_stream(head.chain(drip))
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::NO_CONTENT.into_response()
        }
    };
    // The service's clock is the desk's: the desk measures its skew from this header.
    let date = now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = date.parse() {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

/// A streamed body has no known length, so hyper sends it chunked.
fn fhir_stream(
    chunks: impl futures::Stream<Item = Result<Bytes, Infallible>> + Send + 'static,
) -> Response {
    Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, FHIR_JSON)
        .body(Body::from_stream(chunks))
        .expect("response")
}

fn raw(status: u16, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full {
        status,
        content_type,
        body: body.into(),
    }
}

fn fhir(status: u16, body: Value) -> Reply {
    raw(
        status,
        Some(FHIR_JSON),
        serde_json::to_vec(&body).expect("json"),
    )
}

fn html(status: u16) -> Reply {
    raw(
        status,
        Some("text/html; charset=utf-8"),
        "<html><head><title>Gateway</title></head><body><h1>Service unavailable</h1></body></html>",
    )
}

fn outcome_json(system: &str, code: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "meta": { "profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"] },
        "issue": [{
            "severity": "error",
            "code": "invalid",
            // The display repeats the raw code, as some providers do: it must not leak either.
            "details": { "coding": [{ "system": system, "code": code, "display": code }] },
            "diagnostics": "scripted provider refusal"
        }]
    })
}

fn outcome(status: u16, code: &str) -> Reply {
    fhir(status, outcome_json(SPINE_SYSTEM, code))
}

fn outcome_old_system(status: u16, code: &str) -> Reply {
    fhir(status, outcome_json(SPINE_SYSTEM_OLD, code))
}

/// What a provider answers when the If-Match version is stale: no Spine code, just words.
fn version_conflict() -> Reply {
    fhir(
        409,
        json!({
            "resourceType": "OperationOutcome",
            "issue": [{ "severity": "error", "code": "conflict", "diagnostics": "Version mismatch" }]
        }),
    )
}

/// What the script answers to a request the case did not expect, so the test fails loudly.
fn unexpected() -> Reply {
    outcome(501, "NOT_IMPLEMENTED")
}

// ---------------------------------------------------------------------------------------------
// Provider resources
// ---------------------------------------------------------------------------------------------

/// The instant the desk runs at: a fixed one (or `BOOKDESK_TEST_AT`), so no test here depends on
/// the day or the hour it runs.
fn now() -> DateTime<Utc> {
    provider_sim::clock::test_instant()
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The slot's times: three days ahead, so it is bookable and the appointment amendable.
fn slot_times() -> (String, String) {
    let day = (now() + TimeDelta::days(3)).date_naive();
    let start = day.and_hms_opt(10, 0, 0).expect("time").and_utc();
    (instant(start), instant(start + TimeDelta::minutes(10)))
}

fn searchset(resources: Vec<Value>) -> Value {
    let entry: Vec<Value> = resources
        .into_iter()
        .map(|r| json!({ "resource": r }))
        .collect();
    json!({ "resourceType": "Bundle", "type": "searchset", "entry": entry })
}

fn empty_bundle() -> Value {
    searchset(Vec::new())
}

fn patient_bundle() -> Value {
    searchset(vec![json!({
        "resourceType": "Patient",
        "id": "1",
        "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS }],
        "name": [{ "use": "official", "family": "Smith", "given": ["Jane"] }],
        "gender": "female",
        "birthDate": "1980-01-01"
    })])
}

/// A free slot with its Schedule, Practitioner and Location, shaped like the published example.
fn slot_bundle() -> Value {
    let (start, end) = slot_times();
    searchset(vec![
        json!({
            "resourceType": "Slot",
            "id": SLOT,
            "extension": [{
                "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2",
                "valueCode": "In-person"
            }],
            "serviceType": [{ "text": "General GP Appointment" }],
            "schedule": { "reference": "Schedule/14" },
            "status": "free",
            "start": start,
            "end": end
        }),
        json!({
            "resourceType": "Schedule",
            "id": "14",
            "extension": [{
                "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-PractitionerRole-1",
                "valueCodeableConcept": { "coding": [{
                    "system": "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1",
                    "code": "R0260",
                    "display": "General Medical Practitioner"
                }] }
            }],
            "serviceCategory": { "text": "General GP Appointments" },
            "actor": [{ "reference": "Location/17" }, { "reference": "Practitioner/2" }]
        }),
        json!({
            "resourceType": "Practitioner",
            "id": "2",
            "name": [{ "family": "Black", "given": ["Sarah"], "prefix": ["Mrs"] }],
            "gender": "female"
        }),
        json!({
            "resourceType": "Location",
            "id": "17",
            "name": "The Trevelyan Practice",
            "address": { "line": ["Trevelyan Square", "Boar Ln"], "city": "Leeds", "postalCode": "LS1 6AE" }
        }),
    ])
}

/// A future booked appointment in the slot above.
fn appointment(id: &str, version: &str) -> Value {
    let (start, end) = slot_times();
    json!({
        "resourceType": "Appointment",
        "id": id,
        "meta": { "versionId": version },
        "status": "booked",
        "description": "Sore throat for three days",
        "start": start,
        "end": end,
        "slot": [{ "reference": format!("Slot/{SLOT}") }],
        "created": instant(now() - TimeDelta::days(1)),
        "participant": [
            { "actor": { "reference": "Patient/1" }, "status": "accepted" },
            { "actor": { "reference": "Location/17" }, "status": "accepted" }
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// The desk under test
// ---------------------------------------------------------------------------------------------

struct Desk {
    engine: Engine,
    service: ServiceId,
    _dir: TempDir,
}

fn service_toml(id: &str, port: u16, standard: Standard) -> String {
    let (kind, standard, extra) = match standard {
        Standard::GpConnect => ("gp-practice", "gp-connect", ""),
        Standard::UecBooking => (
            "urgent-care",
            "uec-booking",
            "healthcare_service = \"hs-1\"\n",
        ),
        Standard::Bars => (
            "urgent-care",
            "bars",
            "target_identifier = \"2000100505\"\n",
        ),
    };
    format!(
        "[[service]]\nid = \"{id}\"\nname = \"Scripted {id}\"\nkind = \"{kind}\"\n\
         standard = \"{standard}\"\nbase_url = \"http://127.0.0.1:{port}{ROOT}\"\n\
         ods = \"A20047\"\nasid = \"{PROVIDER_ASID}\"\n{extra}\n"
    )
}

/// A desk whose directory lists the given services; the first is `Desk::service`.
async fn desk_with(services: &[(&str, u16, Standard)]) -> Desk {
    desk_limited(services, MAX_BODY).await
}

/// As `desk_with`, refusing answers larger than `max_body_bytes`.
async fn desk_limited(services: &[(&str, u16, Standard)], max_body_bytes: usize) -> Desk {
    let toml: String = services
        .iter()
        .map(|(id, port, standard)| service_toml(id, *port, *standard))
        .collect();
    let directory = Directory::from_toml(&toml).expect("directory");
    let user = User {
        name: "Alex Taylor".into(),
        sds_user_id: "555021935107".into(),
        sds_role_profile_id: "UNK".into(),
        local_id: "alex.taylor".into(),
        role: Role::CallHandler,
    };
    let http = HttpSettings {
        timeout_secs: TIMEOUT_SECS,
        connect_timeout_secs: TIMEOUT_SECS,
        max_body_bytes,
        search_concurrency: 4,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookings.sqlite");
    let config = DeskConfig {
        directory_path: Some(dir.path().join("services.toml")),
        directory,
        store: path.to_string_lossy().into_owned(),
        user: Some(user),
        cis2: None,
        organisation: Organisation {
            ods: OdsCode::parse("RYA").expect("ods"),
            name: "NHS 111 North West".into(),
            telecom: Some("0300 123 4567".into()),
            dos_service_id: Some("2000072489".into()),
        },
        other_organisations: Vec::new(),
        system: SystemIdentity {
            asid: Asid::parse(OUR_ASID).expect("asid"),
            endpoint: "https://desk.example/fhir".into(),
        },
        http,
        secrets: Default::default(),
        tls: Default::default(),
        platform: None,
        national: Default::default(),
        desk: Default::default(),
        managed: Default::default(),
        audit_key: Default::default(),
    };
    let session = config.session().expect("session");
    let engine = booking_engine::Desk::open(&config)
        .await
        .expect("desk")
        .with_clock(Arc::new(ClockFrom::new(now())))
        .expect("clock")
        .sign_in(session.user)
        .expect("engine");
    Desk {
        engine,
        service: ServiceId::parse(services[0].0).expect("service id"),
        _dir: dir,
    }
}

async fn desk(port: u16, standard: Standard) -> Desk {
    desk_with(&[(SERVICE, port, standard)]).await
}

fn nhs() -> NhsNumber {
    NhsNumber::parse(NHS).expect("nhs number")
}

fn window() -> SearchWindow {
    SearchWindow::default_from(ClockFrom::new(now()).uk_today())
}

fn book_request(desk: &Desk, standard: Standard) -> BookRequest {
    // UEC has no patient search, so the desk sends its own details for the patient.
    let patient = (standard == Standard::UecBooking).then(|| PatientView {
        id: None,
        nhs_number: Some(nhs()),
        family: "Smith".into(),
        given: vec!["Jane".into()],
        prefix: None,
        gender: Some("female".into()),
        birth_date: NaiveDate::from_ymd_opt(1980, 1, 1),
        address_lines: vec!["1 High Street".into(), "Leeds".into()],
        postcode: Some("LS1 1AA".into()),
        phone: Some("0113 496 0000".into()),
    });
    let slot = SlotId::parse(SLOT).expect("slot id");
    BookRequest {
        slot_start: chrono::DateTime::parse_from_rfc3339(&slot_times().0).ok(),
        nhs_number: Some(nhs()),
        patient,
        book_anyway: true,
        ..BookRequest::new(
            desk.service.clone(),
            vec![slot],
            "Sore throat for three days",
        )
    }
}

/// Runs one engine call, failing the test (never hanging it) if it has not returned in `limit`.
async fn within<F: Future>(what: &str, limit: Duration, call: F) -> (F::Output, Duration) {
    let started = Instant::now();
    let out = tokio::time::timeout(limit, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: the engine had not returned after {limit:?}"));
    (out, started.elapsed())
}

async fn events(desk: &Desk) -> Vec<BookingEvent> {
    desk.engine.store().events().await.expect("registry events")
}

fn kind_text(kind: ErrorKind) -> String {
    serde_json::to_value(kind)
        .expect("kind serialises")
        .as_str()
        .expect("kind is a string")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// What every error must carry
// ---------------------------------------------------------------------------------------------

struct Expect {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<&'static str>,
}

fn expect(kind: ErrorKind, status: Option<u16>, code: Option<&'static str>) -> Expect {
    Expect { kind, status, code }
}

/// A call handler reads these words: no Spine code, nothing SHOUTED_WITH_UNDERSCORES.
fn assert_plain_words(case: &str, what: &str, text: &str) {
    assert!(!text.trim().is_empty(), "{case}: empty {what}");
    for code in SPINE_CODES {
        assert!(
            !text.contains(code),
            "{case}: {what} shows the raw code {code}: {text:?}"
        );
    }
    let shouted = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.contains('_') && !w.chars().any(|c| c.is_ascii_lowercase()));
    assert!(
        shouted.is_none(),
        "{case}: {what} shows a raw code {shouted:?}: {text:?}"
    );
}

fn assert_error(case: &str, err: &Error, want: &Expect) {
    assert_eq!(err.kind, want.kind, "{case}: kind; got {err:#?}");
    assert_eq!(
        err.http_status, want.status,
        "{case}: http_status; got {err:#?}"
    );
    assert_eq!(
        err.code.as_deref(),
        want.code,
        "{case}: Spine code; got {err:#?}"
    );
    let trace = err
        .trace_id
        .as_deref()
        .unwrap_or_else(|| panic!("{case}: no trace id; got {err:#?}"));
    assert!(
        uuid::Uuid::parse_str(trace).is_ok(),
        "{case}: trace id {trace:?} is not a UUID"
    );
    assert_plain_words(case, "message", &err.message);
    assert_plain_words(case, "next step", &err.next_step);
}

// ---------------------------------------------------------------------------------------------
// Single interactions against a misbehaving provider
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Op {
    SearchSlots,
    FindPatient,
    ReadAppointment,
}

impl Op {
    async fn run(self, desk: &Desk) -> Result<(), Error> {
        let e = &desk.engine;
        match self {
            Op::SearchSlots => e.search_service(&desk.service, &window()).await.map(drop),
            Op::FindPatient => e.find_patient(&desk.service, &nhs()).await.map(drop),
            Op::ReadAppointment => {
                let id = AppointmentId::parse(APPOINTMENT).expect("appointment id");
                e.read_appointment(&desk.service, &id).await.map(drop)
            }
        }
    }
}

struct Case {
    name: &'static str,
    op: Op,
    reply: Reply,
    want: Expect,
    /// Words the message must contain, where the code has its own plain-English text.
    says: Option<&'static str>,
}

fn case(name: &'static str, op: Op, reply: Reply, want: Expect) -> Case {
    Case {
        name,
        op,
        reply,
        want,
        says: None,
    }
}

fn cases() -> Vec<Case> {
    use ErrorKind::*;
    use Op::*;
    let deep = "[".repeat(100_000);
    // Well-formed JSON, but nested far beyond any FHIR resource, inside an otherwise fine Slot.
    let deep_in_slot = format!(
        r#"{{"resourceType":"Bundle","type":"searchset","entry":[{{"resource":{{"resourceType":"Slot","id":"1","x":{}{}}}}}]}}"#,
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let bad_utf8 =
        b"{\"resourceType\":\"Bundle\",\"type\":\"search\xff\xfeset\",\"entry\":[]}".to_vec();
    let truncated = br#"{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Slot","id":"15"#;
    vec![
        case(
            "200 text/html on slot search",
            SearchSlots,
            html(200),
            expect(WrongContentType, Some(200), None),
        ),
        case(
            "200 with no content type",
            SearchSlots,
            raw(
                200,
                None,
                serde_json::to_vec(&empty_bundle()).expect("json"),
            ),
            expect(WrongContentType, Some(200), None),
        ),
        case(
            "200 FHIR with truncated JSON",
            SearchSlots,
            raw(200, Some(FHIR_JSON), truncated.to_vec()),
            expect(MalformedResponse, Some(200), None),
        ),
        case(
            "200 FHIR with an empty body",
            SearchSlots,
            raw(200, Some(FHIR_JSON), Vec::new()),
            expect(MalformedResponse, Some(200), None),
        ),
        case(
            "200 FHIR with invalid UTF-8",
            SearchSlots,
            raw(200, Some(FHIR_JSON), bad_utf8),
            expect(MalformedResponse, Some(200), None),
        ),
        case(
            "200 FHIR of 100 000 unclosed [",
            SearchSlots,
            raw(200, Some(FHIR_JSON), deep.clone()),
            expect(MalformedResponse, Some(200), None),
        ),
        case(
            "200 FHIR Bundle with a Slot nesting 50 000 arrays",
            SearchSlots,
            raw(200, Some(FHIR_JSON), deep_in_slot),
            expect(MalformedResponse, Some(200), None),
        ),
        case(
            "1 MiB body with Content-Length",
            SearchSlots,
            raw(200, Some(FHIR_JSON), vec![b' '; OVERSIZED]),
            expect(ResponseTooLarge, Some(200), None),
        ),
        case(
            "1 MiB body chunked, no Content-Length",
            SearchSlots,
            Reply::Chunked { total: OVERSIZED },
            expect(ResponseTooLarge, Some(200), None),
        ),
        case(
            "headers, then the body drips slower than the timeout",
            SearchSlots,
            Reply::Drip {
                every: Duration::from_millis(250),
            },
            expect(Timeout, Some(200), None),
        ),
        case(
            "never answers",
            SearchSlots,
            Reply::Hang,
            expect(Timeout, None, None),
        ),
        case(
            "500 INTERNAL_SERVER_ERROR",
            SearchSlots,
            outcome(500, "INTERNAL_SERVER_ERROR"),
            expect(ProviderError, Some(500), Some("INTERNAL_SERVER_ERROR")),
        ),
        case(
            "500 whose OperationOutcome is 100 000 unclosed [",
            SearchSlots,
            raw(500, Some(FHIR_JSON), deep),
            expect(ProviderError, Some(500), None),
        ),
        case(
            "502 HTML page from the proxy",
            SearchSlots,
            html(502),
            expect(Unavailable, Some(502), None),
        ),
        case(
            "503 HTML page",
            SearchSlots,
            html(503),
            expect(Unavailable, Some(503), None),
        ),
        case(
            "504 from the proxy",
            SearchSlots,
            html(504),
            expect(Timeout, Some(504), None),
        ),
        case(
            "403 ACCESS DENIED",
            SearchSlots,
            outcome(403, "ACCESS DENIED"),
            expect(AccessDenied, Some(403), Some("ACCESS DENIED")),
        ),
        case(
            "401 plain text",
            SearchSlots,
            raw(401, Some("text/plain"), "Unauthorized"),
            expect(AccessDenied, Some(401), None),
        ),
        case(
            "422 INVALID_PARAMETER on slot search",
            SearchSlots,
            outcome(422, "INVALID_PARAMETER"),
            expect(Rejected, Some(422), Some("INVALID_PARAMETER")),
        ),
        case(
            "400 with a code outside the Spine code system",
            SearchSlots,
            fhir(
                400,
                outcome_json("http://hl7.org/fhir/operation-outcome", "MSG_PARAM_INVALID"),
            ),
            expect(Rejected, Some(400), None),
        ),
        case(
            "400 with a Spine code the desk does not know",
            SearchSlots,
            outcome(400, "SOME_FUTURE_CODE"),
            expect(Rejected, Some(400), Some("SOME_FUTURE_CODE")),
        ),
        Case {
            says: Some("NHS number"),
            ..case(
                "400 INVALID_NHS_NUMBER on patient search",
                FindPatient,
                outcome(400, "INVALID_NHS_NUMBER"),
                expect(Rejected, Some(400), Some("INVALID_NHS_NUMBER")),
            )
        },
        case(
            "404 PATIENT_NOT_FOUND on patient search",
            FindPatient,
            outcome(404, "PATIENT_NOT_FOUND"),
            expect(PatientNotFound, Some(404), Some("PATIENT_NOT_FOUND")),
        ),
        case(
            "404 PATIENT_NOT_FOUND under the older ValueSet URL",
            FindPatient,
            outcome_old_system(404, "PATIENT_NOT_FOUND"),
            expect(PatientNotFound, Some(404), Some("PATIENT_NOT_FOUND")),
        ),
        case(
            "403 NO_RELATIONSHIP under the older ValueSet URL",
            FindPatient,
            outcome_old_system(403, "NO_RELATIONSHIP"),
            expect(AccessDenied, Some(403), Some("NO_RELATIONSHIP")),
        ),
        case(
            "404 NO_RECORD_FOUND on appointment read",
            ReadAppointment,
            outcome(404, "NO_RECORD_FOUND"),
            expect(NotFound, Some(404), Some("NO_RECORD_FOUND")),
        ),
        case(
            "200 text/html on appointment read",
            ReadAppointment,
            html(200),
            expect(WrongContentType, Some(200), None),
        ),
    ]
}

async fn run_case(case: Case) {
    let provider = ScriptedProvider::always(case.reply.clone()).await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    let (result, took) = within(case.name, LIMIT, case.op.run(&desk)).await;
    let err = result.expect_err(case.name);
    assert!(took < LIMIT, "{}: took {took:?}", case.name);
    assert_error(case.name, &err, &case.want);
    if let Some(words) = case.says {
        assert!(
            err.message.contains(words),
            "{}: message {:?}",
            case.name,
            err.message
        );
    }
    let seen = provider.seen();
    assert_eq!(seen.len(), 1, "{}: one request, no retries", case.name);
    assert_eq!(
        err.trace_id.as_deref(),
        Some(seen[0].trace().as_str()),
        "{}: the error names the request's Ssp-TraceID",
        case.name
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_answers_become_typed_errors() {
    // Each case has its own provider and desk, so they run side by side.
    futures::future::join_all(cases().into_iter().map(run_case)).await;
}

/// 100 MB, at the desk's own limit (16 MiB unless configured): refused with a clear error in
/// time, and read no further than the limit, announced or not, so memory stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_answer_is_refused_having_read_no_more_than_the_limit() {
    const HUNDRED_MB: usize = 100 * 1000 * 1000;
    let limit = HttpSettings::default().max_body_bytes;
    // What the provider may make beyond what the desk took: socket buffers, and chunks made
    // before it notices the connection closed. Well short of 100 MB either way.
    let slack = 32 * 1024 * 1024;
    for announced in [true, false] {
        let case = if announced {
            "100 MB with Content-Length"
        } else {
            "100 MB chunked"
        };
        let provider = ScriptedProvider::always(Reply::Huge {
            total: HUNDRED_MB,
            announced,
        })
        .await;
        let desk = desk_limited(&[(SERVICE, provider.port, Standard::GpConnect)], limit).await;
        let (result, took) = within(case, LIMIT, Op::SearchSlots.run(&desk)).await;
        let err = result.expect_err(case);
        assert!(took < LIMIT, "{case}: took {took:?}");
        assert_error(
            case,
            &err,
            &expect(ErrorKind::ResponseTooLarge, Some(200), None),
        );
        let sent = provider.shared.sent.load(Ordering::Relaxed);
        assert!(
            sent <= limit + slack,
            "{case}: the provider made {sent} bytes before the desk stopped reading"
        );
        if announced {
            assert!(
                sent < limit,
                "{case}: refused on its announced length, read {sent}"
            );
        }
    }
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local address").port()
    };
    let desk = desk(port, Standard::GpConnect).await;
    let (result, _) = within("nothing listening", LIMIT, Op::SearchSlots.run(&desk)).await;
    let err = result.expect_err("nothing listening");
    assert_error(
        "nothing listening",
        &err,
        &expect(ErrorKind::Unavailable, None, None),
    );
}

#[tokio::test]
async fn a_hanging_service_fails_alone_in_a_fan_out_search() {
    let hanging = ScriptedProvider::always(Reply::Hang).await;
    let answering = ScriptedProvider::always(fhir(200, slot_bundle())).await;
    let desk = desk_with(&[
        ("hanging", hanging.port, Standard::GpConnect),
        ("answering", answering.port, Standard::GpConnect),
    ])
    .await;
    let request = SearchRequest {
        services: vec![
            ServiceId::parse("hanging").expect("id"),
            ServiceId::parse("answering").expect("id"),
        ],
        window: window(),
        channel: None,
    };
    let (result, _) = within("fan-out", LIMIT, desk.engine.search_all(request)).await;
    assert_eq!(
        result.slots.len(),
        1,
        "the answering service's slot is shown"
    );
    for status in &result.services {
        match (status.service_id.as_str(), &status.progress) {
            ("hanging", ServiceProgress::Failed { error }) => {
                assert_error(
                    "fan-out hanging",
                    error,
                    &expect(ErrorKind::Timeout, None, None),
                );
            }
            ("answering", ServiceProgress::Found { count: 1 }) => {}
            (id, progress) => panic!("fan-out: {id} ended as {progress:?}"),
        }
    }
    assert_eq!(result.services.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The headers every request carries
// ---------------------------------------------------------------------------------------------

fn jwt_claims(authorization: &str) -> Value {
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or_else(|| panic!("not a bearer token: {authorization:?}"));
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token:?}");
    let claims = URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("claims are base64url");
    serde_json::from_slice(&claims).expect("claims are JSON")
}

#[tokio::test]
async fn every_request_carries_the_spine_headers() {
    let provider =
        ScriptedProvider::start(|call| match (call.method.as_str(), call.path.as_str()) {
            ("GET", "/Patient") => fhir(200, patient_bundle()),
            ("GET", "/Slot") => outcome(422, "INVALID_PARAMETER"),
            ("GET", "/Appointment/7") => fhir(200, appointment(APPOINTMENT, "3")),
            _ => unexpected(),
        })
        .await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    within("find patient", LIMIT, Op::FindPatient.run(&desk))
        .await
        .0
        .expect("patient found");
    within("read", LIMIT, Op::ReadAppointment.run(&desk))
        .await
        .0
        .expect("appointment read");
    let err = within("search", LIMIT, Op::SearchSlots.run(&desk))
        .await
        .0
        .expect_err("search refused");

    let seen = provider.seen();
    assert_eq!(seen.len(), 3, "one request per call");
    let base_url = format!("http://127.0.0.1:{}{ROOT}", provider.port);
    let mut traces = Vec::new();
    for s in &seen {
        let what = format!("{} {}", s.method, s.path);
        let (interaction, scope) = match s.path.as_str() {
            "/Patient" => ("rest:search:patient-1", "patient/*.read"),
            "/Slot" => ("rest:search:slot-1", "organization/*.read"),
            _ => ("rest:read:appointment-1", "patient/*.read"),
        };
        let trace = s.trace();
        assert!(
            uuid::Uuid::parse_str(&trace).is_ok(),
            "{what}: Ssp-TraceID {trace:?}"
        );
        traces.push(trace);
        assert_eq!(s.header("ssp-from"), Some(OUR_ASID), "{what}: Ssp-From");
        assert_eq!(s.header("ssp-to"), Some(PROVIDER_ASID), "{what}: Ssp-To");
        assert_eq!(
            s.header("ssp-interactionid"),
            Some(format!("{GPC}{interaction}").as_str()),
            "{what}: Ssp-InteractionID"
        );
        assert_eq!(
            s.header("accept"),
            Some("application/fhir+json"),
            "{what}: Accept"
        );
        let authorization = s
            .header("authorization")
            .unwrap_or_else(|| panic!("{what}: no Authorization"));
        let claims = jwt_claims(authorization);
        assert_eq!(claims["aud"], json!(base_url), "{what}: JWT aud");
        assert_eq!(claims["requested_scope"], json!(scope), "{what}: JWT scope");
    }
    traces.sort();
    traces.dedup();
    assert_eq!(traces.len(), 3, "a new Ssp-TraceID for every request");

    let slot_search = &provider.requests("GET", "/Slot")[0];
    assert_eq!(
        err.trace_id,
        Some(slot_search.trace()),
        "the error names the failed request's Ssp-TraceID"
    );
}

// ---------------------------------------------------------------------------------------------
// Booking, amending and cancelling against a refusing provider
// ---------------------------------------------------------------------------------------------

/// A booking conversation: the patient, the slot (listed on the first search; on later ones
/// only when `still_listed`), and `post` as the answer to the booking itself.
fn booking_script(post: Reply, still_listed: bool) -> impl Fn(&Call) -> Reply + Send + Sync {
    move |call| match (call.method.as_str(), call.path.as_str()) {
        ("GET", "/Patient") => fhir(200, patient_bundle()),
        ("GET", "/Slot") if call.nth == 1 || still_listed => fhir(200, slot_bundle()),
        ("GET", "/Slot") => fhir(200, empty_bundle()),
        ("POST", "/Appointment") => post.clone(),
        _ => unexpected(),
    }
}

struct BookCase {
    name: &'static str,
    standard: Standard,
    post: Reply,
    still_listed: bool,
    want: Expect,
    slot_searches: usize,
}

async fn run_book_case(case: BookCase) {
    let name = case.name;
    let provider = ScriptedProvider::start(booking_script(case.post, case.still_listed)).await;
    let desk = desk(provider.port, case.standard).await;
    let request = book_request(&desk, case.standard);
    let (result, _) = within(name, LIMIT * 2, desk.engine.book(request)).await;
    let err = result.expect_err(name);
    assert_error(name, &err, &case.want);

    // A refusal is final: the booking is never sent twice.
    let posts = provider.requests("POST", "/Appointment");
    assert_eq!(posts.len(), 1, "{name}: POSTs");
    let post = &posts[0];
    assert_eq!(
        err.trace_id,
        Some(post.trace()),
        "{name}: trace id is the POST's"
    );
    assert_eq!(
        post.header("content-type"),
        Some(FHIR_JSON),
        "{name}: POST Content-Type"
    );
    if case.standard == Standard::UecBooking {
        assert!(
            post.header("x-request-id").is_some(),
            "{name}: UEC POST has X-Request-ID"
        );
    }
    // Each check searches the slot's own day: one request, whatever the standard.
    assert_eq!(
        provider.requests("GET", "/Slot").len(),
        case.slot_searches,
        "{name}: slot searches"
    );

    let events = events(&desk).await;
    assert_eq!(events.len(), 1, "{name}: one registry event");
    let e = &events[0];
    assert_eq!(
        (e.action, e.outcome),
        (Action::Book, Outcome::Failed),
        "{name}"
    );
    assert_eq!(
        e.error_kind,
        Some(kind_text(case.want.kind)),
        "{name}: registry kind"
    );
    assert_eq!(e.trace_id, Some(post.trace()), "{name}: registry trace id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_bookings_say_slot_taken_or_rejected() {
    use ErrorKind::*;
    let mut cases = Vec::new();
    for standard in [Standard::GpConnect, Standard::UecBooking] {
        cases.extend([
            BookCase {
                name: if standard == Standard::GpConnect {
                    "GP Connect: 409 DUPLICATE_REJECTED"
                } else {
                    "UEC: 409 DUPLICATE_REJECTED"
                },
                standard,
                post: outcome(409, "DUPLICATE_REJECTED"),
                still_listed: true,
                want: expect(SlotTaken, Some(409), Some("DUPLICATE_REJECTED")),
                slot_searches: 1,
            },
            BookCase {
                name: if standard == Standard::GpConnect {
                    "GP Connect: 422 and the slot is gone"
                } else {
                    "UEC: 422 and the slot is gone"
                },
                standard,
                post: outcome(422, "INVALID_RESOURCE"),
                still_listed: false,
                want: expect(SlotTaken, Some(422), Some("INVALID_RESOURCE")),
                slot_searches: 2,
            },
            BookCase {
                name: if standard == Standard::GpConnect {
                    "GP Connect: 422 and the slot is still free"
                } else {
                    "UEC: 422 and the slot is still free"
                },
                standard,
                post: outcome(422, "INVALID_RESOURCE"),
                still_listed: true,
                want: expect(Rejected, Some(422), Some("INVALID_RESOURCE")),
                slot_searches: 2,
            },
        ]);
    }
    // The 422 NHS Digital's UEC provider tests expect for a taken slot: a `processing` issue
    // coded in FHIR's issue types, no Spine code (FHIR_111_UEC EB_BookAppointment.tstp).
    cases.push(BookCase {
        name: "UEC: 422 Slot no longer available",
        standard: Standard::UecBooking,
        post: fhir(422, uec_slot_gone()),
        still_listed: false,
        want: expect(SlotTaken, Some(422), None),
        slot_searches: 2,
    });
    futures::future::join_all(cases.into_iter().map(run_book_case)).await;
}

fn uec_slot_gone() -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error",
            "code": "processing",
            "details": { "coding": [{
                "system": "http://hl7.org/fhir/issue-type",
                "code": "processing",
                "display": "Processing Failure"
            }] },
            "diagnostics": "Slot no longer available"
        }]
    })
}

/// A UEC cancel whose If-Match is stale is a version conflict, never a taken slot, whether
/// the 409 carries only words or the test tool's FHIR code (FHIR_111_UEC
/// operation_outcome_409.xml); cancel_an_appointment.md: 409 on a version conflict.
#[tokio::test]
async fn uec_cancel_409_is_a_version_conflict() {
    let tool_409 = fhir(
        409,
        json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "error",
                "code": "invalid",
                "details": { "coding": [{
                    "system": "http://hl7.org/fhir/operation-outcome",
                    "code": "MSG_VERSION_AWARE_CONFLICT",
                    "display": "Update Conflict (server current version = 0003, client version referenced = 0001)"
                }] },
                "diagnostics": "Update Conflict (server current version = 0003, client version referenced = 0001)"
            }]
        }),
    );
    for (name, put) in [("words only", version_conflict()), ("test tool", tool_409)] {
        let provider =
            ScriptedProvider::start(
                move |call| match (call.method.as_str(), call.path.as_str()) {
                    ("GET", "/Appointment/7") => fhir(200, appointment(APPOINTMENT, "3")),
                    ("PUT", "/Appointment/7") => put.clone(),
                    _ => unexpected(),
                },
            )
            .await;
        let desk = desk(provider.port, Standard::UecBooking).await;
        let id = AppointmentId::parse(APPOINTMENT).expect("appointment id");
        let cancel = desk
            .engine
            .cancel(&desk.service, &id, "Patient feels better");
        let err = within(name, LIMIT * 2, cancel).await.0.expect_err("cancel");
        assert_error(
            name,
            &err,
            &expect(ErrorKind::VersionConflict, Some(409), None),
        );
        let puts = provider.requests("PUT", "/Appointment/7");
        assert_eq!(puts.len(), 1, "{name}: one PUT, never retried");
        assert_eq!(puts[0].header("if-match"), Some("W/\"3\""), "{name}");
        assert!(
            puts[0].header("x-request-id").is_some(),
            "{name}: X-Request-ID"
        );
    }
}

#[tokio::test]
async fn slot_taken_error_serialises_for_the_ui() {
    let provider =
        ScriptedProvider::start(booking_script(outcome(409, "DUPLICATE_REJECTED"), true)).await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    let request = book_request(&desk, Standard::GpConnect);
    let err = within("book", LIMIT, desk.engine.book(request))
        .await
        .0
        .expect_err("slot taken");
    let v = serde_json::to_value(&err).expect("error serialises");
    assert_eq!(v["kind"], "slot-taken");
    assert_eq!(v["http_status"], 409);
    assert_eq!(v["code"], "DUPLICATE_REJECTED");
    assert_eq!(v["trace_id"], json!(err.trace_id));
    assert!(v["next_step"].as_str().is_some_and(|s| !s.is_empty()));
}

#[tokio::test]
async fn stale_version_on_amend_or_cancel_is_a_version_conflict() {
    let provider =
        ScriptedProvider::start(|call| match (call.method.as_str(), call.path.as_str()) {
            ("GET", "/Appointment/7") => fhir(200, appointment(APPOINTMENT, "3")),
            ("PUT", "/Appointment/7") => version_conflict(),
            _ => unexpected(),
        })
        .await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    let id = AppointmentId::parse(APPOINTMENT).expect("appointment id");
    let want = expect(ErrorKind::VersionConflict, Some(409), None);

    let amend = desk.engine.amend(
        &desk.service,
        &id,
        Some("Sore throat and fever".into()),
        None,
    );
    let err = within("amend", LIMIT * 2, amend)
        .await
        .0
        .expect_err("amend");
    assert_error("amend 409", &err, &want);

    let cancel = desk
        .engine
        .cancel(&desk.service, &id, "Patient feels better");
    let err = within("cancel", LIMIT * 2, cancel)
        .await
        .0
        .expect_err("cancel");
    assert_error("cancel 409", &err, &want);

    let puts = provider.requests("PUT", "/Appointment/7");
    assert_eq!(puts.len(), 2, "one PUT each, never retried");
    for put in &puts {
        assert_eq!(
            put.header("if-match"),
            Some("W/\"3\""),
            "PUT names the version read"
        );
    }
    assert_eq!(err.trace_id, Some(puts[1].trace()), "trace id is the PUT's");
    let events = events(&desk).await;
    let recorded: Vec<_> = events
        .iter()
        .map(|e| (e.action, e.outcome, e.error_kind.as_deref()))
        .collect();
    assert_eq!(
        recorded,
        [
            (Action::Amend, Outcome::Failed, Some("version-conflict")),
            (Action::Cancel, Outcome::Failed, Some("version-conflict")),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// A booking whose answer is lost
// ---------------------------------------------------------------------------------------------

/// What the patient-appointments check does after a booking POST got no answer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    /// Its connection is dropped too.
    Drops,
    /// 500 INTERNAL_SERVER_ERROR.
    Fails,
    /// Answers, without the booking in it.
    NotThere,
    /// Answers, with the booking in it.
    Found,
    /// Answers 200, but with an OperationOutcome instead of a searchset Bundle.
    NotABundle,
    /// 500 the first time, then answers with the booking in it.
    FailsThenFound,
}

#[derive(Clone, Debug)]
struct RawSeen {
    method: String,
    path: String,
    trace: String,
}

/// A provider on a bare socket, for what an HTTP framework will not do: read a booking POST and
/// close the connection without a word. Patient and slot searches are answered normally.
struct DroppingProvider {
    port: u16,
    seen: Arc<Mutex<Vec<RawSeen>>>,
}

impl DroppingProvider {
    async fn start(check: Check) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_raw(socket, check, Arc::clone(&log)));
            }
        });
        Self { port, seen }
    }

    fn requests(&self, method: &str, path: &str) -> Vec<RawSeen> {
        self.seen
            .lock()
            .expect("log lock")
            .iter()
            .filter(|s| s.method == method && s.path == path)
            .cloned()
            .collect()
    }
}

/// Reads one HTTP/1.1 request, body included, so that closing afterwards is a clean close.
async fn read_request(socket: &mut TcpStream) -> Option<RawSeen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let mut length = 0usize;
    let mut trace = String::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "ssp-traceid" => trace = value.trim().to_string(),
            _ => {}
        }
    }
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let path = relative(target.split('?').next().unwrap_or_default());
    Some(RawSeen {
        method,
        path,
        trace,
    })
}

async fn serve_raw(mut socket: TcpStream, check: Check, seen: Arc<Mutex<Vec<RawSeen>>>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let looked_before = seen
        .lock()
        .expect("log lock")
        .iter()
        .filter(|s| s.path == "/Patient/1/Appointment")
        .count();
    let answer = match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/Patient") => Some((200, patient_bundle())),
        ("GET", "/Slot") => Some((200, slot_bundle())),
        ("GET", "/Patient/1/Appointment") => match check {
            Check::Drops => None,
            Check::Fails => Some((500, outcome_json(SPINE_SYSTEM, "INTERNAL_SERVER_ERROR"))),
            Check::NotThere => Some((200, empty_bundle())),
            Check::Found => Some((200, searchset(vec![appointment("9", "1")]))),
            Check::NotABundle => Some((200, outcome_json(SPINE_SYSTEM, "INTERNAL_SERVER_ERROR"))),
            Check::FailsThenFound if looked_before == 0 => {
                Some((500, outcome_json(SPINE_SYSTEM, "INTERNAL_SERVER_ERROR")))
            }
            Check::FailsThenFound => Some((200, searchset(vec![appointment("9", "1")]))),
        },
        _ => None,
    };
    seen.lock().expect("log lock").push(request);
    // No answer: dropping the socket closes the connection with nothing written.
    let Some((status, body)) = answer else {
        return;
    };
    let body = serde_json::to_vec(&body).expect("json");
    let reason = if status == 200 {
        "OK"
    } else {
        "Internal Server Error"
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {FHIR_JSON}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&body).await;
    let _ = socket.shutdown().await;
}

async fn book_with_lost_answer(
    check: Check,
) -> (
    Result<booking_engine::booking::BookingOutcome, Error>,
    DroppingProvider,
    Desk,
) {
    let provider = DroppingProvider::start(check).await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    let request = book_request(&desk, Standard::GpConnect);
    let (result, _) = within(&format!("{check:?}"), LIMIT * 2, desk.engine.book(request)).await;
    (result, provider, desk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_booking_answer_that_cannot_be_checked_is_outcome_unknown() {
    // (what the check does, how many POSTs the desk may send)
    for (check, posts) in [(Check::Drops, 1), (Check::Fails, 1), (Check::NotThere, 2)] {
        let case = format!("booking answer lost, check {check:?}");
        let (result, provider, desk) = book_with_lost_answer(check).await;
        let err = result.expect_err(&case);
        assert_error(&case, &err, &expect(ErrorKind::OutcomeUnknown, None, None));

        // Never a silent resend: at most one retry, and only after the check said "not there".
        let sent = provider.requests("POST", "/Appointment");
        assert!(sent.len() <= 2, "{case}: {} POSTs", sent.len());
        assert_eq!(sent.len(), posts, "{case}: POSTs");
        // Looking is harmless: a look that fails is made again, but not for ever.
        let looks = provider.requests("GET", "/Patient/1/Appointment").len();
        let want = if check == Check::NotThere { 2 } else { 3 };
        assert_eq!(
            looks, want,
            "{case}: the patient's appointments were checked"
        );

        let events = events(&desk).await;
        assert_eq!(events.len(), 1, "{case}: one registry event");
        let e = &events[0];
        assert_eq!(e.action, Action::Book, "{case}");
        assert_eq!(e.outcome, Outcome::Unknown, "{case}: registry outcome");
        assert_eq!(
            serde_json::to_value(e.outcome).expect("outcome"),
            json!("unknown")
        );
        assert_eq!(e.error_kind.as_deref(), Some("outcome-unknown"), "{case}");
        assert_eq!(
            e.trace_id,
            Some(sent[0].trace.clone()),
            "{case}: the registry keeps the lost POST's trace id"
        );
        assert!(e.request_id.is_some(), "{case}: request id recorded");
    }
}

/// The booking ended confirmed by a check as appointment 9, recorded once as made.
async fn assert_confirmed_by_check(
    result: Result<booking_engine::booking::BookingOutcome, Error>,
    desk: &Desk,
) {
    let outcome = result.expect("the booking is found");
    assert!(outcome.confirmed_by_check);
    assert_eq!(outcome.appointment.id.as_str(), "9");
    let events = events(desk).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::Succeeded);
}

#[tokio::test]
async fn a_check_that_fails_once_is_made_again_and_finds_the_booking() {
    let (result, provider, desk) = book_with_lost_answer(Check::FailsThenFound).await;
    assert_confirmed_by_check(result, &desk).await;
    assert_eq!(
        provider.requests("POST", "/Appointment").len(),
        1,
        "never sent again"
    );
    assert_eq!(provider.requests("GET", "/Patient/1/Appointment").len(), 2);
}

/// A booking at a UEC service whose slot is free and whose `nth` booking POST is answered by
/// `post(nth)`.
async fn uec_booking(
    post: impl Fn(usize) -> Reply + Send + Sync + 'static,
) -> (
    Result<booking_engine::booking::BookingOutcome, Error>,
    ScriptedProvider,
    Desk,
) {
    let provider =
        ScriptedProvider::start(
            move |call| match (call.method.as_str(), call.path.as_str()) {
                ("GET", "/Slot") => fhir(200, slot_bundle()),
                ("POST", "/Appointment") => post(call.nth),
                _ => unexpected(),
            },
        )
        .await;
    let desk = desk(provider.port, Standard::UecBooking).await;
    let request = book_request(&desk, Standard::UecBooking);
    let (result, _) = within("UEC booking", LIMIT * 2, desk.engine.book(request)).await;
    (result, provider, desk)
}

/// UEC has no search to look with: the same X-Request-ID is sent again, and the provider answers
/// with the booking it already made. A retry that fails on the way is tried again, always under
/// the first request's id, so the provider can never take it for a second booking.
#[tokio::test]
async fn a_uec_retry_that_fails_on_the_way_is_sent_again_under_the_same_request_id() {
    let (result, provider, desk) = uec_booking(|nth| match nth {
        1 => Reply::Hang,
        2 => outcome(500, "INTERNAL_SERVER_ERROR"),
        _ => fhir(201, appointment("9", "1")),
    })
    .await;
    assert_confirmed_by_check(result, &desk).await;
    let posts = provider.requests("POST", "/Appointment");
    assert_eq!(posts.len(), 3, "the first, and two retries");
    let ids: Vec<_> = posts.iter().map(|p| p.header("x-request-id")).collect();
    assert!(ids[0].is_some());
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one request id: {ids:?}"
    );
}

/// A retry that meets the time limit is not made again: the person would wait several timeouts
/// for an answer the service is in no state to give. The outcome is unknown, for a person to check.
#[tokio::test]
async fn a_uec_retry_that_meets_the_time_limit_is_not_repeated() {
    let (result, provider, desk) = uec_booking(|_| Reply::Hang).await;
    let err = result.expect_err("not settled");
    assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
    assert_eq!(
        provider.requests("POST", "/Appointment").len(),
        2,
        "the first, and one retry"
    );
    assert_eq!(events(&desk).await[0].outcome, Outcome::Unknown);
}

#[tokio::test]
async fn a_lost_booking_answer_found_by_the_check_is_not_booked_again() {
    let (result, provider, desk) = book_with_lost_answer(Check::Found).await;
    assert_confirmed_by_check(result, &desk).await;
    assert_eq!(
        provider.requests("POST", "/Appointment").len(),
        1,
        "sent once"
    );
}

#[tokio::test]
async fn a_200_that_is_not_a_bundle_is_malformed() {
    let not_bundles = [
        (
            "200 OperationOutcome on slot search",
            Op::SearchSlots,
            outcome(200, "INTERNAL_SERVER_ERROR"),
        ),
        (
            "200 Patient on slot search",
            Op::SearchSlots,
            fhir(200, json!({ "resourceType": "Patient", "id": "1" })),
        ),
        (
            "200 OperationOutcome on patient search",
            Op::FindPatient,
            outcome(200, "INTERNAL_SERVER_ERROR"),
        ),
    ];
    for (name, op, reply) in not_bundles {
        let provider = ScriptedProvider::always(reply).await;
        let desk = desk(provider.port, Standard::GpConnect).await;
        let (result, _) = within(name, LIMIT, op.run(&desk)).await;
        let err = result.expect_err(name);
        assert_error(
            name,
            &err,
            &expect(ErrorKind::MalformedResponse, Some(200), None),
        );
    }
}

#[tokio::test]
async fn a_check_answer_that_is_not_a_bundle_does_not_resend_the_booking() {
    let (result, provider, desk) = book_with_lost_answer(Check::NotABundle).await;
    let case = "check answers 200 OperationOutcome";
    let err = result.expect_err(case);
    assert_error(case, &err, &expect(ErrorKind::OutcomeUnknown, None, None));
    assert_eq!(
        provider.requests("POST", "/Appointment").len(),
        1,
        "{case}: POSTs"
    );
    assert_eq!(events(&desk).await[0].outcome, Outcome::Unknown);
}

#[tokio::test]
async fn a_422_whose_recheck_fails_keeps_the_providers_refusal() {
    let provider =
        ScriptedProvider::start(|call| match (call.method.as_str(), call.path.as_str()) {
            ("GET", "/Patient") => fhir(200, patient_bundle()),
            ("GET", "/Slot") if call.nth == 1 => fhir(200, slot_bundle()),
            ("GET", "/Slot") => outcome(500, "INTERNAL_SERVER_ERROR"),
            ("POST", "/Appointment") => outcome(422, "INVALID_RESOURCE"),
            _ => unexpected(),
        })
        .await;
    let desk = desk(provider.port, Standard::GpConnect).await;
    let request = book_request(&desk, Standard::GpConnect);
    let (result, _) = within("422, re-check 500", LIMIT * 2, desk.engine.book(request)).await;
    let err = result.expect_err("refused");
    let want = expect(ErrorKind::Rejected, Some(422), Some("INVALID_RESOURCE"));
    assert_error("422, re-check 500", &err, &want);
}

// ---------------------------------------------------------------------------------------------
// How kinds are named to the UI and the CLI
// ---------------------------------------------------------------------------------------------

const ALL_KINDS: [ErrorKind; 24] = [
    ErrorKind::InvalidInput,
    ErrorKind::Config,
    ErrorKind::Internal,
    ErrorKind::UnknownService,
    ErrorKind::PatientNotFound,
    ErrorKind::NotFound,
    ErrorKind::SlotTaken,
    ErrorKind::VersionConflict,
    ErrorKind::Rejected,
    ErrorKind::AccessDenied,
    ErrorKind::ProviderError,
    ErrorKind::Unavailable,
    ErrorKind::Timeout,
    ErrorKind::ResponseTooLarge,
    ErrorKind::WrongContentType,
    ErrorKind::MalformedResponse,
    ErrorKind::OutcomeUnknown,
    ErrorKind::Store,
    ErrorKind::NotPermitted,
    ErrorKind::SignInRequired,
    ErrorKind::Certificate,
    ErrorKind::Keyring,
    ErrorKind::AlreadyBooked,
    ErrorKind::DuplicateMessage,
];

/// Exhaustive, so a new kind cannot be added without naming it here.
fn kebab(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidInput => "invalid-input",
        ErrorKind::Config => "config",
        ErrorKind::Internal => "internal",
        ErrorKind::UnknownService => "unknown-service",
        ErrorKind::PatientNotFound => "patient-not-found",
        ErrorKind::NotFound => "not-found",
        ErrorKind::SlotTaken => "slot-taken",
        ErrorKind::VersionConflict => "version-conflict",
        ErrorKind::Rejected => "rejected",
        ErrorKind::AccessDenied => "access-denied",
        ErrorKind::ProviderError => "provider-error",
        ErrorKind::Unavailable => "unavailable",
        ErrorKind::Timeout => "timeout",
        ErrorKind::ResponseTooLarge => "response-too-large",
        ErrorKind::WrongContentType => "wrong-content-type",
        ErrorKind::MalformedResponse => "malformed-response",
        ErrorKind::OutcomeUnknown => "outcome-unknown",
        ErrorKind::Store => "store",
        ErrorKind::NotPermitted => "not-permitted",
        ErrorKind::SignInRequired => "sign-in-required",
        ErrorKind::Certificate => "certificate",
        ErrorKind::Keyring => "keyring",
        ErrorKind::AlreadyBooked => "already-booked",
        ErrorKind::DuplicateMessage => "duplicate-message",
    }
}

#[test]
fn error_kinds_serialise_kebab_case() {
    for kind in ALL_KINDS {
        assert_eq!(kind_text(kind), kebab(kind));
        let back: ErrorKind = serde_json::from_value(json!(kebab(kind))).expect("kind parses");
        assert_eq!(back, kind);
        // Every kind has words of its own for the desk.
        let err = Error::new(kind);
        assert_plain_words(kebab(kind), "message", &err.message);
        assert_plain_words(kebab(kind), "next step", &err.next_step);
    }
}

/// The service says the booking was made (201), but its answer cannot be read: that is not a
/// failure to book. As with a lost answer, the desk looks before saying anything, and never
/// sends the booking again.
#[tokio::test]
async fn a_booked_answer_that_cannot_be_read_is_checked_never_called_a_failure() {
    for found in [true, false] {
        let case = format!("201 with an unreadable body, booking found by the check: {found}");
        let provider =
            ScriptedProvider::start(
                move |call| match (call.method.as_str(), call.path.as_str()) {
                    ("GET", "/Patient") => fhir(200, patient_bundle()),
                    ("GET", "/Slot") => fhir(200, slot_bundle()),
                    ("POST", "/Appointment") => raw(
                        201,
                        Some(FHIR_JSON),
                        br#"{"resourceType":"Appointment","id":"9","sta"#.to_vec(),
                    ),
                    ("GET", "/Patient/1/Appointment") if found => {
                        fhir(200, searchset(vec![appointment("9", "1")]))
                    }
                    ("GET", "/Patient/1/Appointment") => fhir(200, empty_bundle()),
                    _ => outcome(404, "REFERENCE_NOT_FOUND"),
                },
            )
            .await;
        let desk = desk(provider.port, Standard::GpConnect).await;
        let request = book_request(&desk, Standard::GpConnect);
        let (result, _) = within(&case, LIMIT * 2, desk.engine.book(request)).await;
        if found {
            let outcome = result.expect(&case);
            assert!(outcome.confirmed_by_check, "{case}");
            assert_eq!(outcome.appointment.id.as_str(), "9", "{case}");
            assert_eq!(events(&desk).await[0].outcome, Outcome::Succeeded, "{case}");
        } else {
            let err = result.expect_err(&case);
            assert_error(&case, &err, &expect(ErrorKind::OutcomeUnknown, None, None));
            assert_eq!(events(&desk).await[0].outcome, Outcome::Unknown, "{case}");
        }
        assert_eq!(
            provider.requests("POST", "/Appointment").len(),
            1,
            "{case}: POSTs"
        );
        assert_eq!(
            provider.requests("GET", "/Patient/1/Appointment").len(),
            1,
            "{case}: checked once"
        );
    }
}
