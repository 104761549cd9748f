//! The appointment store: in memory behind one lock (so check-and-set on slots is atomic), and
//! optionally saved to a JSON file after every change.

use crate::fhir_time::parse_instant;
use crate::seed::{Region, Standard};
use crate::seed_bookings;
use crate::slots::{SlotDef, SlotIndex};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::state_lock::{self, StateLock};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct StoredAppointment {
    pub service: String,
    pub id: String,
    pub version: u64,
    /// The provider's slot ids this appointment holds.
    pub slot_ids: Vec<String>,
    pub resource: Value,
}

impl StoredAppointment {
    pub fn status(&self) -> &str {
        self.resource
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn start(&self) -> Option<DateTime<Utc>> {
        let s = self.resource.get("start").and_then(Value::as_str)?;
        parse_instant(s).map(|t| t.with_timezone(&Utc))
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
struct RequestRecord {
    service: String,
    request_id: String,
    appointment_id: String,
}

/// A BaRS `$process-message` that changed a booking, kept whole so its clinical entries
/// (ServiceRequest, Encounter, Observation, Flag...) stay with the booking.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct BarsMessage {
    service: String,
    appointment_id: String,
    received_at: DateTime<Utc>,
    /// The message Bundle as stored, with the ids the provider assigned.
    bundle: Value,
}

/// The answer to a BaRS message, so a repeat of the same request gets it again.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct BarsReply {
    service: String,
    request_id: String,
    /// Fingerprint of the request body: the same X-Request-Id with another body is refused.
    digest: String,
    response: Value,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
struct Persisted {
    format: u32,
    next_id: u64,
    appointments: Vec<StoredAppointment>,
    requests: Vec<RequestRecord>,
    /// 111 encounter reports received (UEC), as the receiving service keeps them.
    #[serde(default)]
    reports: Vec<ReceivedReport>,
    #[serde(default)]
    bars_messages: Vec<BarsMessage>,
    #[serde(default)]
    bars_replies: Vec<BarsReply>,
}

/// A BaRS booking as the receiving service holds it, for tests and the admin API.
#[derive(Debug, Clone, Serialize)]
pub struct BarsBooking {
    pub service: String,
    /// Always `bars`.
    pub standard: String,
    pub appointment: Value,
    /// The booking request and any later messages (a cancellation), oldest first.
    pub messages: Vec<Value>,
}

/// Marks BaRS appointments in listings that mix every standard.
pub const STANDARD_TAG_SYSTEM: &str = "urn:booking-desk:provider-sim:standard";

fn tagged_bars(resource: &Value) -> Value {
    let mut v = resource.clone();
    let tag = serde_json::json!({ "system": STANDARD_TAG_SYSTEM, "code": "bars" });
    match v["meta"]["tag"].as_array_mut() {
        Some(tags) => tags.push(tag),
        None => v["meta"]["tag"] = Value::Array(vec![tag]),
    }
    v
}

/// A CDA encounter report as it arrived.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceivedReport {
    pub service: String,
    pub report_id: String,
    pub received_at: DateTime<Utc>,
    pub xml: String,
}

struct Inner {
    data: Persisted,
    /// The state file as this process last read or wrote it.
    seen: Option<(u64, std::time::SystemTime)>,
    /// (service, slot id) → appointment id, for booked appointments.
    taken: HashMap<(String, String), String>,
    slots: SlotIndex,
}

impl Inner {
    fn rebuild_taken(&mut self) {
        self.taken = self
            .data
            .appointments
            .iter()
            .filter(|a| a.status() == "booked")
            .flat_map(|a| {
                a.slot_ids
                    .iter()
                    .map(move |s| ((a.service.clone(), s.clone()), a.id.clone()))
            })
            .collect();
    }
}

pub struct Store {
    region: Arc<Region>,
    state_file: Option<PathBuf>,
    inner: Mutex<Inner>,
}

fn fresh(region: &Region, now: DateTime<Utc>) -> Persisted {
    let (appointments, next_id) = seed_bookings::appointments(region, now);
    Persisted {
        format: FORMAT,
        next_id,
        appointments,
        requests: Vec::new(),
        reports: Vec::new(),
        bars_messages: Vec::new(),
        bars_replies: Vec::new(),
    }
}

/// Keeps an unreadable state file for inspection instead of overwriting it.
fn set_aside(path: &Path) {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".corrupt");
    if let Err(e) = std::fs::rename(path, &aside) {
        tracing::warn!(error = %e, "cannot move the unreadable state file aside");
    }
}

fn load(path: &Path, region: &Region) -> Option<Persisted> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the state file; starting from the seed");
            return None;
        }
    };
    match serde_json::from_slice::<Persisted>(&bytes) {
        Ok(mut p) if p.format == FORMAT => {
            // A file written for another region keeps only what still has a home.
            p.appointments
                .retain(|a| region.service(&a.service).is_some());
            p.requests.retain(|r| region.service(&r.service).is_some());
            p.bars_messages
                .retain(|m| region.service(&m.service).is_some());
            p.bars_replies
                .retain(|r| region.service(&r.service).is_some());
            Some(p)
        }
        Ok(_) => {
            tracing::warn!("the state file has an unknown format; starting from the seed");
            set_aside(path);
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the state file is corrupt; starting from the seed");
            set_aside(path);
            None
        }
    }
}

/// The state holds patients' bookings: readable by its owner only, whatever the umask.
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)
}

fn save(path: &Path, data: &Persisted) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(data).map_err(std::io::Error::other)?;
    // Each process its own temporary file: demo processes running at once share the state
    // file, and two writing one temporary file would rename a mixture of both into place.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    write_owner_only(&tmp, &bytes)?;
    // Rename is atomic, so a crash never leaves a half-written state file.
    std::fs::rename(&tmp, path)
}

impl Store {
    pub fn open(region: Arc<Region>, state_file: Option<PathBuf>, now: DateTime<Utc>) -> Store {
        let data = state_file
            .as_deref()
            .and_then(|p| load(p, &region))
            .unwrap_or_else(|| fresh(&region, now));
        let mut inner = Inner {
            data,
            seen: None,
            taken: HashMap::new(),
            slots: SlotIndex::build(&region, now),
        };
        inner.rebuild_taken();
        let store = Store {
            region,
            state_file,
            inner: Mutex::new(inner),
        };
        store.persist(&mut store.lock().guard);
        store
    }

    /// The store, locked in this process and (with a state file) among every process sharing
    /// it, brought up to date with what the others saved.
    fn lock(&self) -> Locked<'_> {
        // A panic elsewhere must not take the whole provider down with it.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let file_lock = self.state_file.as_deref().and_then(|path| {
            let held = StateLock::acquire(path);
            let now = state_lock::version(path);
            if now.is_some() && now != guard.seen {
                if let Some(data) = load(path, &self.region) {
                    guard.data = data;
                    guard.rebuild_taken();
                }
                guard.seen = now;
            }
            held
        });
        Locked {
            guard,
            _file_lock: file_lock,
        }
    }

    fn persist(&self, inner: &mut Inner) {
        if let Some(path) = &self.state_file {
            match save(path, &inner.data) {
                Ok(()) => inner.seen = state_lock::version(path),
                Err(e) => tracing::warn!(error = %e, "cannot save the state file"),
            }
        }
    }

    /// Runs `f` with the store locked; saves afterwards if `f` changed anything.
    pub fn with<R>(&self, now: DateTime<Utc>, f: impl FnOnce(&mut Txn<'_>) -> R) -> R {
        let mut guard = self.lock();
        if guard.slots.today != crate::fhir_time::london_date(now) {
            guard.slots = SlotIndex::build(&self.region, now);
        }
        let mut txn = Txn {
            inner: &mut guard,
            dirty: false,
        };
        let out = f(&mut txn);
        if txn.dirty {
            guard.rebuild_taken();
            self.persist(&mut guard);
        }
        out
    }

    fn is_bars(&self, service: &str) -> bool {
        self.region
            .service(service)
            .is_some_and(|s| s.standard == Standard::Bars)
    }

    pub fn all_appointments(&self) -> Vec<Value> {
        self.lock()
            .data
            .appointments
            .iter()
            .map(|a| {
                if self.is_bars(&a.service) {
                    tagged_bars(&a.resource)
                } else {
                    a.resource.clone()
                }
            })
            .collect()
    }

    pub fn bars_bookings(&self) -> Vec<BarsBooking> {
        let guard = self.lock();
        guard
            .data
            .appointments
            .iter()
            .filter(|a| self.is_bars(&a.service))
            .map(|a| BarsBooking {
                service: a.service.clone(),
                standard: Standard::Bars.as_str().to_string(),
                appointment: a.resource.clone(),
                messages: guard
                    .data
                    .bars_messages
                    .iter()
                    .filter(|m| m.service == a.service && m.appointment_id == a.id)
                    .map(|m| m.bundle.clone())
                    .collect(),
            })
            .collect()
    }

    /// Keeps a report; `false` when one with that id is already kept (reports are never replaced).
    pub fn add_report(&self, report: ReceivedReport) -> bool {
        let mut guard = self.lock();
        if guard
            .data
            .reports
            .iter()
            .any(|r| r.report_id == report.report_id)
        {
            return false;
        }
        guard.data.reports.push(report);
        self.persist(&mut guard);
        true
    }

    pub fn all_reports(&self) -> Vec<ReceivedReport> {
        self.lock().data.reports.clone()
    }

    /// Back to the seeded appointments; ids keep counting up so none is ever reused.
    pub fn reset(&self, now: DateTime<Utc>) {
        let mut guard = self.lock();
        let mut data = fresh(&self.region, now);
        data.next_id = data.next_id.max(guard.data.next_id);
        guard.data = data;
        guard.rebuild_taken();
        self.persist(&mut guard);
    }
}

/// The store while this process (and, with a state file, no other) has it.
struct Locked<'a> {
    guard: MutexGuard<'a, Inner>,
    _file_lock: Option<StateLock>,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.guard
    }
}

/// The store while locked.
pub struct Txn<'a> {
    inner: &'a mut Inner,
    dirty: bool,
}

impl Txn<'_> {
    pub fn slots(&self, service: &str) -> &[SlotDef] {
        self.inner.slots.slots(service)
    }

    pub fn slot(&self, service: &str, id: &str) -> Option<&SlotDef> {
        self.inner.slots.get(service, id)
    }

    /// Free to book: not held in the provider's own system and not held by an appointment.
    pub fn is_free(&self, service: &str, slot: &SlotDef) -> bool {
        !slot.preblocked
            && !self
                .inner
                .taken
                .contains_key(&(service.to_string(), slot.id.clone()))
    }

    pub fn appointment(&self, service: &str, id: &str) -> Option<&StoredAppointment> {
        self.inner
            .data
            .appointments
            .iter()
            .find(|a| a.service == service && a.id == id)
    }

    pub fn appointments<'s>(
        &'s self,
        service: &'s str,
    ) -> impl Iterator<Item = &'s StoredAppointment> + 's {
        self.inner
            .data
            .appointments
            .iter()
            .filter(move |a| a.service == service)
    }

    pub fn next_id(&mut self) -> u64 {
        let id = self.inner.data.next_id;
        self.inner.data.next_id = id.saturating_add(1);
        self.dirty = true;
        id
    }

    pub fn insert(&mut self, appointment: StoredAppointment) {
        self.inner.data.appointments.push(appointment);
        self.dirty = true;
        self.inner.rebuild_taken();
    }

    pub fn replace(&mut self, appointment: StoredAppointment) {
        if let Some(slot) = self
            .inner
            .data
            .appointments
            .iter_mut()
            .find(|a| a.service == appointment.service && a.id == appointment.id)
        {
            *slot = appointment;
            self.dirty = true;
            self.inner.rebuild_taken();
        }
    }

    /// The appointment an earlier POST with this X-Request-ID created.
    pub fn request(&self, service: &str, request_id: &str) -> Option<&str> {
        self.inner
            .data
            .requests
            .iter()
            .find(|r| r.service == service && r.request_id == request_id)
            .map(|r| r.appointment_id.as_str())
    }

    pub fn remember_request(&mut self, service: &str, request_id: &str, appointment_id: &str) {
        self.inner.data.requests.push(RequestRecord {
            service: service.to_string(),
            request_id: request_id.to_string(),
            appointment_id: appointment_id.to_string(),
        });
        self.dirty = true;
    }

    /// The answer an earlier BaRS message with this X-Request-Id got: (body digest, response).
    pub fn bars_reply(&self, service: &str, request_id: &str) -> Option<(&str, &Value)> {
        self.inner
            .data
            .bars_replies
            .iter()
            .find(|r| r.service == service && r.request_id == request_id)
            .map(|r| (r.digest.as_str(), &r.response))
    }

    pub fn remember_bars_reply(
        &mut self,
        service: &str,
        request_id: &str,
        digest: &str,
        response: &Value,
    ) {
        self.inner.data.bars_replies.push(BarsReply {
            service: service.to_string(),
            request_id: request_id.to_string(),
            digest: digest.to_string(),
            response: response.clone(),
        });
        self.dirty = true;
    }

    /// Keeps a message that changed BaRS appointment `appointment_id`.
    pub fn add_bars_message(
        &mut self,
        service: &str,
        appointment_id: &str,
        received_at: DateTime<Utc>,
        bundle: Value,
    ) {
        self.inner.data.bars_messages.push(BarsMessage {
            service: service.to_string(),
            appointment_id: appointment_id.to_string(),
            received_at,
            bundle,
        });
        self.dirty = true;
    }
}
