// Only in `vite build --mode mock`: stands in for Tauri's IPC so the screens can be looked at in a
// plain browser with believable demo data. Production builds never include this file.
import type {
  AppInfo,
  AppointmentView,
  BookingOutcome,
  CareNeed,
  BookingSummary,
  BookRequest,
  ClinicalPreview,
  ClinicalSent,
  ClinicalSummary,
  DeliveryChannel,
  Error as ApiError,
  Interrupted,
  PatientView,
  Role,
  SearchEvent,
  SearchRequest,
  SecretName,
  SecretStatus,
  Service,
  ServiceKind,
  SlotView,
  Standard,
  TracedPatient,
  User,
} from "../bindings";
import { DISPOSITIONS, findServices } from "./dos";

export class Channel<T> {
  onmessage: (message: T) => void = () => {};
}

const params = new URLSearchParams(globalThis.location?.search ?? "");

function ukToday(): string {
  const p = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(new Date());
  return p;
}
function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
/** UK wall-clock time on `day` as an instant (GMT in winter, BST in summer). */
function ukInstant(day: string, hh: number, mm: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const guess = new Date(Date.UTC(y, m - 1, d, hh, mm));
  const h = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", hourCycle: "h23" }).format(guess));
  return new Date(guess.getTime() - ((h - hh + 24) % 24) * 3_600_000).toISOString();
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function err(over: Partial<ApiError> & Pick<ApiError, "kind" | "message" | "next_step">): ApiError {
  return { http_status: null, code: null, trace_id: null, service_id: null, diagnostics: null, ...over };
}
const trace = () => crypto.randomUUID();
/** The desk this mock runs as: its own list of bookings is what was booked here. */
const MOCK_DESK = "Leeds floor 1, desk 3";

type DemoService = Service & {
  town: string;
  practitioners: { id: string; name: string; role: string; gender: string | null }[];
  slotMinutes: number;
  channels: (DeliveryChannel | null)[];
  slotType: string | null;
  scheduleType: string | null;
  latency: number;
  hours: [number, number];
};

const svc = (
  id: string,
  name: string,
  kind: ServiceKind,
  standard: Standard,
  ods: string,
  address: string,
  postcode: string,
  extra: Omit<DemoService, keyof Service>,
): DemoService => ({
  id,
  name,
  kind,
  standard,
  ods,
  asid: `9189991${ods.replace(/\D/g, "").padEnd(5, "0").slice(0, 5)}`,
  base_url:
    standard === "bars"
      ? `http://127.0.0.1:4000/bars/${id}/FHIR/R4`
      : `http://127.0.0.1:4000/${ods}/STU3/1/${standard === "gp-connect" ? "gpconnect" : "booking"}`,
  address,
  postcode,
  ...extra,
});

const GP = "General Medical Practitioner";
const DIRECTORY: DemoService[] = [
  svc("beckside-medical-practice", "Beckside Medical Practice", "gp-practice", "gp-connect", "B86001", "12 Beckside Road, Kirkstall, Leeds", "LS5 3BQ", {
    town: "Leeds", slotMinutes: 10, channels: ["In-person", "In-person", "Telephone"], slotType: "General GP Appointment", scheduleType: "General GP Appointments", latency: 500, hours: [8, 18],
    practitioners: [{ id: "31", name: "Dr Priya Shah", role: GP, gender: "female" }, { id: "32", name: "Dr Tom Whitaker", role: GP, gender: "male" }],
  }),
  svc("chapel-lane-surgery", "Chapel Lane Surgery", "gp-practice", "gp-connect", "B86002", "3 Chapel Lane, Headingley, Leeds", "LS6 3BW", {
    town: "Leeds", slotMinutes: 15, channels: ["In-person", "Video"], slotType: "Routine appointment", scheduleType: "Same day appointments", latency: 900, hours: [8, 17],
    practitioners: [{ id: "41", name: "Dr Amara Okafor", role: GP, gender: "female" }, { id: "42", name: "Sam Dyson", role: "Nurse Practitioner", gender: "male" }],
  }),
  svc("holmfield-health-centre", "Holmfield Health Centre", "gp-practice", "gp-connect", "B87003", "Holmfield Road, Outwood, Wakefield", "WF1 3JS", {
    town: "Wakefield", slotMinutes: 10, channels: [null], slotType: "General GP Appointment", scheduleType: "General GP Appointments", latency: 1400, hours: [9, 17],
    practitioners: [{ id: "51", name: "Dr Helen Marsh", role: GP, gender: null }],
  }),
  svc("riverside-family-practice", "Riverside Family Practice", "gp-practice", "gp-connect", "B85004", "40 Riverside Walk, Aspley, Huddersfield", "HD1 6RX", {
    town: "Huddersfield", slotMinutes: 10, channels: ["Telephone"], slotType: "Telephone consultation", scheduleType: "Telephone appointments", latency: 2600, hours: [8, 12],
    practitioners: [{ id: "61", name: "Dr Kwame Mensah", role: GP, gender: "male" }],
  }),
  svc("west-yorkshire-gp-out-of-hours", "West Yorkshire GP Out of Hours", "gp-out-of-hours", "gp-connect", "NXY10", "Wharfedale Primary Care Centre, 5 Ribbon Way, Leeds", "LS12 4QT", {
    town: "Leeds", slotMinutes: 20, channels: ["In-person", "Telephone"], slotType: "Out of hours consultation", scheduleType: "GP out of hours", latency: 700, hours: [18, 23],
    practitioners: [{ id: "71", name: "Dr Rosa Lindgren", role: GP, gender: "female" }],
  }),
  svc("calder-valley-utc", "Calder Valley Urgent Treatment Centre", "urgent-care", "uec-booking", "NQ501", "Calder Valley Hospital, Halifax Road, Halifax", "HX3 0PW", {
    town: "Halifax", slotMinutes: 15, channels: ["In-person"], slotType: "Urgent treatment centre arrival", scheduleType: "Urgent treatment centre", latency: 400, hours: [8, 22],
    practitioners: [{ id: "cv-1", name: "Nurse Joanne Pickles", role: "Emergency Nurse Practitioner", gender: "female" }],
  }),
  svc("airedale-park-utc", "Airedale Park Urgent Treatment Centre", "urgent-care", "uec-booking", "NQ502", "Airedale Park, Skipton Road, Keighley", "BD20 6TD", {
    town: "Keighley", slotMinutes: 15, channels: ["In-person", "Video"], slotType: "Urgent treatment centre arrival", scheduleType: "Urgent treatment centre", latency: 1100, hours: [8, 20],
    practitioners: [{ id: "ap-1", name: "Dr Imran Qureshi", role: "Specialty Doctor", gender: "male" }],
  }),
  {
    ...svc("spen-valley-utc", "Spen Valley Urgent Treatment Centre", "urgent-care", "bars", "NQ503", "Spen Valley Health Centre, Bradford Road, Cleckheaton", "BD19 3TT", {
      town: "Cleckheaton", slotMinutes: 15, channels: ["In-person"], slotType: "Urgent treatment centre arrival", scheduleType: "Urgent treatment centre", latency: 700, hours: [8, 21],
      practitioners: [{ id: "svu-1", name: "Nurse Amira Hussain", role: "Emergency Nurse Practitioner", gender: "female" }],
    }),
    target_identifier: "2000100505",
  },
  svc("leeds-east-ed", "Leeds East Hospital Emergency Department", "emergency-department", "uec-booking", "RR801", "Leeds East Hospital, York Road, Leeds", "LS14 6UH", {
    town: "Leeds", slotMinutes: 30, channels: ["In-person"], slotType: "Emergency department arrival", scheduleType: "Emergency department", latency: 1800, hours: [6, 23],
    practitioners: [{ id: "led-p-1", name: "Dr Fiona Lindqvist", role: "Consultant", gender: "female" }],
  }),
];

const PATIENTS: PatientView[] = [
  { id: "101", nhs_number: "9434765919", family: "JACKSON", given: ["Jane"], prefix: "Miss", gender: "female", birth_date: "1982-03-12", address_lines: ["24 High Street", "Leeds"], postcode: "LS1 4AP", phone: "07700 900123" },
  { id: "102", nhs_number: "9476719931", family: "OKONJO", given: ["David"], prefix: "Mr", gender: "male", birth_date: "1958-11-02", address_lines: ["7 Mill Lane", "Bradford"], postcode: "BD1 2QP", phone: null },
];

/** The patient as PDS would trace them: registered at a practice of the mock's directory. */
function tracedOf(p: PatientView): TracedPatient {
  return {
    nhs_number: p.nhs_number ?? "",
    superseded: null,
    family: p.family,
    given: p.given,
    prefix: p.prefix,
    gender: p.gender,
    birth_date: p.birth_date,
    address_lines: p.address_lines,
    postcode: p.postcode,
    phone: p.phone,
    registered_practice: p.nhs_number === "9434765919" ? "B86001" : "B86002",
    restricted: false,
    deceased: null,
  };
}

const booked = new Set<string>();
const appointments: AppointmentView[] = [];
const bookings: BookingSummary[] = [];
let attempts = 0;
let nextId = 2000;

function slotsFor(s: DemoService, from: string, to: string, channel: DeliveryChannel | null): SlotView[] {
  const out: SlotView[] = [];
  const now = Date.now();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const dow = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (s.kind === "gp-practice" && (dow === 0 || dow === 6)) continue;
    let n = 0;
    for (let minute = s.hours[0] * 60; minute < s.hours[1] * 60; minute += s.slotMinutes, n += 1) {
      // Leave gaps so days look like real, partly booked diaries.
      if ((n * 7 + dow) % 3 === 0) continue;
      const start = ukInstant(day, Math.floor(minute / 60), minute % 60);
      if (Date.parse(start) < now) continue;
      const id = `${s.ods}-${day.replace(/-/g, "")}-${minute}`;
      if (booked.has(`${s.id}|${id}`)) continue;
      const ch = s.channels[n % s.channels.length];
      if (channel && ch !== channel) continue;
      const p = s.practitioners[n % s.practitioners.length];
      out.push({
        service_id: s.id,
        service_name: s.name,
        service_kind: s.kind,
        id,
        schedule_id: `${s.ods}-sch`,
        start,
        end: new Date(Date.parse(start) + s.slotMinutes * 60_000).toISOString(),
        delivery_channel: ch,
        slot_type: s.slotType,
        schedule_type: s.scheduleType,
        practitioner: p,
        location: { id: `${s.ods}-loc`, name: s.name, address: `${s.address}, ${s.postcode}` },
      });
    }
  }
  return out;
}

function mod11(d: string): boolean {
  if (!/^\d{10}$/.test(d)) return false;
  const sum = [...d.slice(0, 9)].reduce((a, c, i) => a + Number(c) * (10 - i), 0);
  const c = 11 - (sum % 11);
  return c !== 10 && (c === 11 ? 0 : c) === Number(d[9]);
}

let seeded = false;
function seedAppointments() {
  if (seeded) return;
  seeded = true;
  const today = ukToday();
  const beck = DIRECTORY[0];
  const base = (id: string, day: string, hh: number, over: Partial<AppointmentView>): AppointmentView => ({
    id,
    version: "1",
    status: "booked",
    service_id: beck.id,
    service_name: beck.name,
    standard: "gp-connect",
    start: ukInstant(day, hh, 0),
    end: ukInstant(day, hh, 10),
    created: null,
    description: "Follow-up of chest infection",
    comment: "Booked by NHS 111",
    cancellation_reason: null,
    delivery_channel: "In-person",
    slot_type: beck.slotType,
    schedule_type: beck.scheduleType,
    slot_ids: ["1"],
    practitioner: beck.practitioners[0],
    location: { id: "21", name: beck.name, address: `${beck.address}, ${beck.postcode}` },
    patient_id: "101",
    nhs_number: "9434765919",
    reference_url: null,
    service_reference: `GPC-${id.padStart(6, "0")}`,
    ...over,
  });
  appointments.push(
    base("1000", addDays(today, -3), 10, {}),
    base("1001", addDays(today, 2), 8, { status: "cancelled", cancellation_reason: "Patient feels better", description: "Sore throat, fever 3 days", comment: "Call-back 07700 900124" }),
    base("1002", addDays(today, 4), 11, { description: "Rash on both arms, 2 days", comment: null, delivery_channel: "Telephone" }),
  );
}

// Signed out at start, as the real app is: nobody works under a remembered or shared login.
let user: User | null = null;
let locked = false;

function info(): AppInfo {
  return {
    demo: true,
    provider_url: "http://127.0.0.1:4000",
    user,
    organisation: { ods: "RYA", name: "NHS 111 North West" },
    version: "0.1.0",
    locked,
    idle_lock_minutes: 10,
    sign_in: "named",
  };
}

// `?interrupted=1`: the first sign-in finds one booking of each ending left by a "killed" run.
let interruptedShown = params.get("interrupted") !== "1";

function interruptedOnce(): Interrupted {
  if (interruptedShown) return { settled: [], error: null, left_open: [] };
  interruptedShown = true;
  const day = addDays(ukToday(), 1);
  const at = (id: string, hh: number) => {
    const s = DIRECTORY.find((x) => x.id === id)!;
    return {
      service_id: s.id,
      service_name: s.name,
      slot_ids: [`${id}-${hh}`],
      slot_start: ukInstant(day, hh, 0),
      nhs_number: "9434765919",
    };
  };
  const beck = at("beckside-medical-practice", 9);
  const leeds = at("leeds-east-ed", 10);
  const calder = at("calder-valley-utc", 11);
  return {
    settled: [
      { ...beck, settled: "booked", appointment_id: "1003", message: `An interrupted booking at ${beck.service_name} was made: appointment 1003.` },
      { ...leeds, settled: "not-booked", appointment_id: null, message: `An interrupted booking at ${leeds.service_name} was not made; the patient is not booked there.` },
      { ...calder, settled: "still-unknown", appointment_id: null, message: `An interrupted booking at ${calder.service_name} could not be checked: call the service before booking again.` },
    ],
    error: null,
    left_open: [],
  };
}

const ROLES: Role[] = ["call-handler", "clinician", "supervisor"];
const GENERIC_NAMES = ["admin", "administrator", "user", "test", "generic", "root"];

/** The engine's checks on the person signing in, with its words. */
function signIn(u: User): AppInfo {
  const invalid = (message: string) => err({ kind: "invalid-input", message, next_step: "Correct your details and sign in again." });
  const blank = (v: unknown) => typeof v !== "string" || v.trim() === "";
  if (blank(u?.name) || blank(u?.sds_user_id) || blank(u?.local_id)) {
    throw invalid("The signed-in user needs a name, an SDS user id and a local user id.");
  }
  if (GENERIC_NAMES.includes(u.name.trim().toLowerCase())) throw invalid("Sign in as a named person: generic users are not allowed.");
  if (blank(u.sds_role_profile_id)) throw invalid("The user's SDS role profile id is missing (use UNK without a smartcard).");
  if (!ROLES.includes(u.role)) throw invalid(`There is no role called ${String(u.role)}.`);
  user = { ...u };
  return info();
}

// The CLI's kept sign-in is a keyring entry of the desk's, but never one an administrator sets.
type SetSecret = Exclude<SecretName, "sign-in-session">;
const SECRET_LABELS: Record<SetSecret, string> = {
  "client-key": "TLS client certificate private key",
  "signing-key": "Client assertion signing key (RS512)",
  "api-key": "National API platform API key",
  "registry-password": "Shared registry (PostgreSQL) password",
  "dos-password": "Directory of Services account password",
  "audit-key": "Audit trail key",
};
// Only whether each is stored: the mock, like the keyring's callers, never keeps a value.
const stored = new Set<SecretName>();

function secretStatus(name: SetSecret): SecretStatus {
  return { name, label: SECRET_LABELS[name], stored: stored.has(name) };
}

function secretName(v: unknown): SetSecret {
  if (typeof v === "string" && v in SECRET_LABELS) return v as SetSecret;
  throw err({ kind: "invalid-input", message: `There is no secret called ${String(v)}.`, next_step: "This is a bug in the demo mock." });
}

function keyringCheck() {
  // `?fail=keyring` shows what a locked or missing keyring looks like.
  if (params.get("fail") === "keyring") {
    throw err({ kind: "keyring", message: "The system keyring could not be used.", next_step: "Unlock the keyring (or ask your system administrator to set it up), then try again.", trace_id: trace() });
  }
}

/** The engine's checks on a secret's value, with its words. */
function checkSecret(name: SetSecret, value: unknown) {
  const label = SECRET_LABELS[name];
  const invalid = (message: string) => err({ kind: "invalid-input", message, next_step: "Check the value and store it again." });
  const v = typeof value === "string" ? value.trim() : "";
  if (v === "") throw invalid(`The ${label} is empty.`);
  const isKey = v.startsWith("-----BEGIN") && v.includes("PRIVATE KEY-----");
  if ((name === "client-key" || name === "signing-key") && !isKey) throw invalid(`The ${label} must be a PEM private key (-----BEGIN PRIVATE KEY-----).`);
  if (name === "api-key" && (v.length > 512 || /\s/.test(v))) throw invalid("The API key must be one word without spaces.");
  if (name === "audit-key" && !/^[0-9a-fA-F]{64}$/.test(v)) throw invalid("The audit key is not 64 hexadecimal digits (32 bytes).");
}

/** The signed-in person, or the engine's refusal: nothing reaches a service without one. */
function signedIn(): User {
  if (!user) throw err({ kind: "sign-in-required", message: "Nobody is signed in to Booking Desk.", next_step: "Sign in with your own name and role first." });
  return user;
}

function mayChange(cmd: string) {
  if (signedIn().role === "supervisor") {
    const what = cmd === "book" ? "book appointments" : cmd === "amend_appointment" ? "amend appointments" : "cancel appointments";
    throw err({ kind: "not-permitted", message: `Supervisors may not ${what}.`, next_step: "Ask a call handler or clinician to do it." });
  }
}

// The commands that act for a person; the rest (app info, the NHS number check, sign-in, the
// keyring) work signed out, as in the real app.
/** Approving clinicians named at the desk, by the ticket a booking names. */
const approvals = new Map<string, string>();
let approvalCount = 0;

const NEEDS_USER = new Set(["approve_named", "find_patient", "list_services", "find_services", "search_slots", "clinical_preview", "book", "patient_appointments", "upcoming_appointments", "read_appointment", "amend_appointment", "cancel_appointment", "list_bookings", "centre_bookings", "appointment_history", "centre_report", "export_csv"]);

// The supervisor's reviews, as the engine refuses them to everyone else.
const REVIEWS = new Set(["centre_bookings", "appointment_history", "centre_report"]);

function mayReview(cmd: string) {
  if (REVIEWS.has(cmd) && signedIn().role !== "supervisor") {
    throw err({ kind: "not-permitted", message: "Only supervisors can review the whole centre's bookings, histories and reports.", next_step: "Look at this desk's own bookings instead, or ask a supervisor for the centre's figures." });
  }
}

/** A believable day's figures for each day of the range, for the reports screen. */
function mockReport(range: { from: string; to: string }) {
  const days: string[] = [];
  for (let d = range.from; d <= range.to && days.length < 366; d = addDays(d, 1)) days.push(d);
  const per = (n: number) => days.map((day, i) => ({ day, count: ((i * 7 + n) % 5) + 1 }));
  return {
    range,
    bookings: days.flatMap((day, i) => [
      { day, service_id: "beckside-medical-practice", service_name: "Beckside Medical Practice", count: 6 + (i % 4) },
      { day, service_id: "calder-valley-utc", service_name: "Calder Valley Urgent Treatment Centre", count: 3 + (i % 3) },
    ]),
    searches_without_slots: per(1),
    slots_lost: per(2),
    errors_by_kind: [
      { kind: "slot-taken", label: "Slot taken by someone else", count: 4 },
      { kind: "interaction-timeout", label: "Service interaction: service did not answer in time", count: 2 },
      { kind: "patient-not-found", label: "Patient not known to the service", count: 1 },
    ],
    cancellations: per(3),
    rebookings: per(4).map((d) => ({ ...d, count: Math.max(1, d.count - 2) })),
    outside_timeframe: per(0).slice(0, 1),
    search_to_booked: { count: days.length * 9, median_secs: 184, p90_secs: 512 },
  };
}

async function search(req: SearchRequest, ch: Channel<SearchEvent>) {
  const tasks = req.services.map(async (id) => {
    const s = DIRECTORY.find((d) => d.id === id)!;
    ch.onmessage({ event: "progress", service_id: id, service_name: s.name, progress: { state: "searching" } });
    await sleep(s.latency * (params.has("fast") ? 0.1 : 1));
    // The ED times out on the first search of each session, to show a failure and its retry.
    if (id === "leeds-east-ed" && attempts++ === 0) {
      ch.onmessage({
        event: "progress",
        service_id: id,
        service_name: s.name,
        progress: {
          state: "failed",
          error: err({ kind: "timeout", message: "The service did not answer within 15 seconds.", next_step: "Retry, or choose another service.", http_status: 504, code: "GATEWAY_TIMEOUT", trace_id: trace(), service_id: id }),
        },
      });
      return;
    }
    const slots = slotsFor(s, req.window.from, req.window.to, req.channel);
    if (slots.length > 0) ch.onmessage({ event: "slots", service_id: id, slots });
    ch.onmessage({ event: "progress", service_id: id, service_name: s.name, progress: slots.length ? { state: "found", count: slots.length } : { state: "none" } });
  });
  await Promise.all(tasks);
  ch.onmessage({ event: "finished" });
  return null;
}

// ---- The triage summary, as the engine packages it (simplified) ---------------------------------

const invalid = (message: string, next_step: string) => err({ kind: "invalid-input", message, next_step });
const isCode = (code: string, prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9]{2,6}$`).test(code);
function isPhone(text: string): boolean {
  const kept = text.replace(/[\s()-]/g, "");
  return /^0\d{9,10}$/.test(kept.startsWith("+44") ? `0${kept.slice(3)}` : kept);
}

/** The engine's content checks, every problem in one message; consent is checked only on booking. */
function checkContent(c: ClinicalSummary) {
  const problems: string[] = [];
  const blank = (v: string | undefined | null) => !v || v.trim() === "";
  if (blank(c.presenting_complaint)) problems.push("the presenting complaint is missing");
  if (!isCode(c.triage.disposition_code.trim(), "Dx")) problems.push(`"${c.triage.disposition_code.trim()}" is not an NHS Pathways disposition code (like Dx05)`);
  if (blank(c.triage.disposition_text)) problems.push("the disposition's description is missing");
  if (!(c.triage.timeframe_minutes >= 1 && c.triage.timeframe_minutes <= 20160)) problems.push("the timeframe must be between 1 minute and 14 days");
  for (const [what, coded, prefix] of [["symptom group", c.triage.symptom_group, "SG"], ["symptom discriminator", c.triage.symptom_discriminator, "SD"]] as const) {
    if (coded && (!isCode(coded.code, prefix) || blank(coded.text))) problems.push(`the ${what} needs a code like ${prefix}1011 and its words`);
  }
  if ((c.observations ?? []).some((o) => blank(o.name) || blank(o.value))) problems.push("each observation needs a name and a value");
  if ((c.flags ?? []).some((f) => blank(f.text))) problems.push("each flag needs its text");
  if (!isPhone(c.call_back_number)) problems.push("the call-back number is not a UK phone number");
  if (blank(c.assessed_by?.name)) problems.push("who assessed the patient is missing");
  if (problems.length > 0) {
    throw invalid(`The triage summary cannot be sent: ${problems.join("; ")}.`, "Correct the triage summary, then book again.");
  }
}

function ukTimeWords(ms: number): string {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short", day: "2-digit", month: "short" });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} on ${p.weekday} ${p.day}-${p.month}`;
}
const seeByMs = (c: ClinicalSummary) => Date.parse(c.triage.assessed_at) + c.triage.timeframe_minutes * 60_000;

function sectionsOf(c: ClinicalSummary): { title: string; short: string; lines: string[] }[] {
  const t = c.triage;
  const list = (v: string[] | null | undefined, none: string) => (v == null ? "not known" : v.length === 0 ? none : v.join("; "));
  const triage = [`${t.disposition_text.trim()} (${t.disposition_code.trim()}): see by ${ukTimeWords(seeByMs(c))}.`];
  if (t.symptom_group) triage.push(`Symptom group: ${t.symptom_group.text} (${t.symptom_group.code}).`);
  if (t.symptom_discriminator) triage.push(`Discriminator: ${t.symptom_discriminator.text} (${t.symptom_discriminator.code}).`);
  const out = [{ title: "Triage outcome", short: "111 triage: ", lines: triage }];
  if ((c.flags ?? []).length) out.push({ title: "Flags", short: "", lines: c.flags!.map((f) => (f.kind === "safeguarding" ? `SAFEGUARDING: ${f.text}` : f.text)) });
  out.push({ title: "Presenting complaint", short: "Complaint: ", lines: [c.presenting_complaint.trim()] });
  if ((c.observations ?? []).length) out.push({ title: "Observations", short: "Obs: ", lines: c.observations!.map((o) => `${o.name} ${o.value}${o.unit ? ` ${o.unit}` : ""};`) });
  out.push({ title: "Allergies and medication", short: "", lines: [`Allergies: ${list(c.allergies, "none known")}.`, `Medication: ${list(c.medication, "none")}.`] });
  out.push({
    title: "Call details",
    short: "",
    lines: [`Call back on ${c.call_back_number}.`, `Assessed by ${c.assessed_by.name} (111 ${c.assessed_by.role === "clinician" ? "clinician" : "call handler"}) at ${ukTimeWords(Date.parse(t.assessed_at))}.`, "Consent to share given."],
  });
  return out;
}

/** At most `max` characters, ending with `marker` when cut. */
function fit(text: string, max: number, marker: string): [string, boolean] {
  const chars = [...text];
  if (chars.length <= max) return [text, false];
  return [chars.slice(0, max - [...marker].length).join("").trimEnd() + marker, true];
}

const xml = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Not a real CDA document: enough of one to show what the service is sent. */
function fakeCda(c: ClinicalSummary, s: DemoService, patient: PatientView, reportId: string, appointmentRef: string | null): string {
  const body = sectionsOf(c)
    .map((sec) => `    <section><title>${xml(sec.title)}</title><text>${sec.lines.map((l) => `<paragraph>${xml(l)}</paragraph>`).join("")}</text></section>`)
    .join("\n");
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<ClinicalDocument xmlns="urn:hl7-org:v3">`,
    `  <id root="${reportId}"/>`,
    `  <title>NHS 111 encounter report</title>`,
    `  <recordTarget><patientRole><id root="2.16.840.1.113883.2.1.4.1" extension="${xml(patient.nhs_number ?? "")}"/><patient><name>${xml(patient.given.join(" "))} ${xml(patient.family)}</name></patient></patientRole></recordTarget>`,
    `  <informationRecipient><receivedOrganization><name>${xml(s.name)}</name></receivedOrganization></informationRecipient>`,
    appointmentRef ? `  <reference value="${xml(appointmentRef)}"/>` : "",
    `  <component><structuredBody>`,
    body,
    `  </structuredBody></component>`,
    `</ClinicalDocument>`,
  ]
    .filter(Boolean)
    .join("\n");
}

function gpText(c: ClinicalSummary): { description: string; comment: string; truncated: boolean } {
  const [description, cutDescription] = fit(c.presenting_complaint.trim(), 100, "…");
  const rest = sectionsOf(c)
    .filter((sec) => sec.title !== "Presenting complaint" || cutDescription)
    .map((sec) => `${sec.short}${sec.lines.join(" ")}`)
    .join("\n");
  const [comment, cutComment] = fit(rest, 500, " … [shortened: full 111 summary held by NHS 111]");
  return { description, comment, truncated: cutDescription || cutComment };
}

function clinicalPreview(c: ClinicalSummary, serviceId: string, patient: PatientView): ClinicalPreview {
  checkContent(c);
  const s = DIRECTORY.find((d) => d.id === serviceId);
  if (!s) throw err({ kind: "unknown-service", message: `There is no service ${serviceId} in the directory.`, next_step: "Search again." });
  return {
    standard: s.standard,
    text: gpText(c),
    sections: sectionsOf(c).map(({ title, lines }) => ({ title, lines })),
    document: s.standard === "uec-booking" ? fakeCda(c, s, patient, crypto.randomUUID(), null) : null,
  };
}

/** The engine's rules for a booking that carries a summary, before anything is sent. */
function checkClinical(req: BookRequest, slotStart: string) {
  const c = req.clinical;
  if (!c) return;
  checkContent(c);
  if (!c.consent_to_share) {
    throw invalid("The patient has not agreed to share the triage summary with the service.", "Ask the patient for consent to share and tick it, or book without a summary.");
  }
  const a = req.clinical_approval;
  if (a && (!approvals.has(a.ticket) || !a.reason.trim())) {
    throw invalid("A clinical approval needs a clinician to approve, and their reason.", "Record who approved the booking and why.");
  }
  const by = seeByMs(c);
  if (Date.parse(slotStart) > by && signedIn().role === "call-handler" && !a) {
    throw err({
      kind: "not-permitted",
      message: `This slot starts after the patient should be seen (by ${ukTimeWords(by)}, from the triage outcome).`,
      next_step: "Choose an earlier slot, or ask a clinician to approve this one and record who approved it and why.",
    });
  }
}

/** What went with the booking; `?fail=report` shows a report that did not arrive. */
function clinicalSent(req: BookRequest, s: DemoService): ClinicalSent | null {
  if (!req.clinical) return null;
  const base = { standard: s.standard, description: req.description, comment: req.comment };
  if (s.standard === "gp-connect") return { ...base, report_id: null, report_delivered: false, report_problem: null };
  const reportId = crypto.randomUUID();
  if (params.get("fail") === "report") {
    return {
      ...base,
      report_id: reportId,
      report_delivered: false,
      report_problem: err({ kind: "unavailable", message: `${s.name} could not be reached to deliver the 111 report.`, next_step: "The booking stands and the report is kept; phone the service with anything urgent.", trace_id: trace(), service_id: s.id }),
    };
  }
  return { ...base, report_id: reportId, report_delivered: true, report_problem: null };
}

async function doBook(req: BookRequest): Promise<BookingOutcome> {
  await sleep(900);
  const s = DIRECTORY.find((d) => d.id === req.service_id)!;
  const slot = slotsFor(s, ukToday(), addDays(ukToday(), 14), null).find((x) => x.id === req.slot_ids[0]);
  const text = req.description.toLowerCase();
  if (slot) checkClinical(req, slot.start);
  if (!slot || text.includes("taken")) {
    throw err({ kind: "slot-taken", message: `That slot at ${s.name} is no longer free.`, next_step: "Pick another slot; the list has been refreshed.", http_status: 409, code: "DUPLICATE_REJECTED", trace_id: trace(), service_id: s.id });
  }
  if (text.includes("unknown")) {
    throw err({ kind: "outcome-unknown", message: `${s.name} did not answer, and checking afterwards could not tell whether the booking was made.`, next_step: "Do not book again. Check the patient's appointments, or phone the service.", trace_id: trace(), service_id: s.id });
  }
  booked.add(`${s.id}|${slot.id}`);
  const id = s.standard === "gp-connect" ? String(nextId++) : crypto.randomUUID();
  const a: AppointmentView = {
    id,
    version: "1",
    status: "booked",
    service_id: s.id,
    service_name: s.name,
    standard: s.standard,
    start: slot.start,
    end: slot.end,
    created: new Date().toISOString(),
    description: req.description,
    comment: req.comment,
    cancellation_reason: null,
    delivery_channel: slot.delivery_channel,
    slot_type: slot.slot_type,
    schedule_type: slot.schedule_type,
    slot_ids: req.slot_ids,
    practitioner: slot.practitioner,
    location: slot.location,
    patient_id: "101",
    nhs_number: req.nhs_number,
    reference_url: s.standard === "uec-booking" ? `${s.base_url}/Appointment/${id}` : null,
    service_reference: s.standard === "gp-connect" ? `GPC-${id.padStart(6, "0")}` : null,
  };
  appointments.push(a);
  bookings.push({ service_id: s.id, appointment_id: id, version: "1", status: "booked", start: a.start, end: a.end, nhs_number: req.nhs_number, booked_by: signedIn().name, desk: MOCK_DESK, booked_at: new Date().toISOString(), last_action: "book", last_changed_at: new Date().toISOString() });
  const check = text.includes("check");
  const clinical = clinicalSent(req, s);
  return {
    appointment: a,
    confirmed_by_check: check,
    demographic_mismatches: check ? [{ field: "Address", ours: "24 High Street, Leeds, LS1 4AP", theirs: "12 Old Road, Leeds, LS2 9JT" }] : [],
    ...(clinical ? { clinical } : {}),
  };
}

export async function invoke<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await handle(cmd, args);
  return answer as T;
}

async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  if (NEEDS_USER.has(cmd)) signedIn();
  if (cmd === "book" || cmd === "amend_appointment" || cmd === "cancel_appointment") mayChange(cmd);
  mayReview(cmd);
  switch (cmd) {
    case "app_info":
      if (params.get("fail") === "start") {
        throw err({ kind: "config", message: "The services directory file could not be read: services.toml is missing.", next_step: "Call the helpdesk: Booking Desk needs its configuration before it can be used.", trace_id: trace(), code: "CONFIG_MISSING" });
      }
      return info();
    case "sign_in": {
      // Refusals come at once, as the engine's checks do; a good sign-in takes a moment.
      const before = user;
      const next = signIn(args.user as User);
      locked = false;
      await sleep(200);
      const same_person = before !== null && JSON.stringify(before) === JSON.stringify(next.user);
      return { info: info(), interrupted: interruptedOnce(), same_person };
    }
    case "sign_out":
      user = null;
      return info();
    case "still_here":
      if (locked || !user) throw err({ kind: "sign-in-required", message: "The desk locked after 10 minutes with nobody using it.", next_step: "Sign in again to carry on.", trace_id: trace() });
      return null;
    case "lock_desk":
      locked = true;
      return info();
    case "secrets_status":
      keyringCheck();
      return (Object.keys(SECRET_LABELS) as SetSecret[]).map(secretStatus);
    case "store_secret": {
      keyringCheck();
      const name = secretName(args.name);
      checkSecret(name, args.value);
      await sleep(200);
      stored.add(name);
      return secretStatus(name);
    }
    case "delete_secret": {
      keyringCheck();
      const name = secretName(args.name);
      stored.delete(name);
      return secretStatus(name);
    }
    case "default_window":
      return { from: ukToday(), to: addDays(ukToday(), 14) };
    case "first_screen_shown":
      return null;
    case "check_nhs_number": {
      const d = String(args.input).replace(/\D/g, "");
      if (mod11(d)) return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
      throw err({ kind: "invalid-input", message: d.length === 10 ? "That is not a valid NHS number: the check digit does not match." : "An NHS number has 10 digits.", next_step: "Read the number back to the caller digit by digit, or book without an NHS number." });
    }
    case "find_patient": {
      await sleep(400);
      const p = PATIENTS.find((x) => x.nhs_number === args.nhs);
      return p ? { service_id: DIRECTORY[0].id, service_name: DIRECTORY[0].name, patient: p, traced: tracedOf(p), pds_error: null } : null;
    }
    case "list_services":
      return DIRECTORY.map(({ id, name, kind, standard, base_url, ods, asid, address, postcode }) => ({ id, name, kind, standard, base_url, ods, asid, address, postcode }));
    case "find_services":
      await sleep(params.has("fast") ? 50 : 600);
      return findServices(args.need as CareNeed, (args.dx as string | null) ?? null);
    case "known_dispositions":
      return DISPOSITIONS;
    case "search_slots":
      return search(args.request as SearchRequest, args.onEvent as Channel<SearchEvent>);
    case "clinical_preview":
      await sleep(150);
      return clinicalPreview(args.summary as ClinicalSummary, String(args.serviceId), args.patient as PatientView);
    case "approve_named": {
      const name = String(args.name ?? "").trim();
      if (!name || name.length > 100) throw invalid("Give the approving clinician's name (at most 100 characters).", "Type the clinician's name.");
      const ticket = `ticket-${++approvalCount}`;
      approvals.set(ticket, name);
      return { ticket, name, sds_user_id: "UNK", sds_role_profile_id: "UNK", role_name: "demo clinician" };
    }
    case "book":
      return doBook(args.request as BookRequest);
    case "patient_appointments": {
      seedAppointments();
      await sleep(500);
      const w = args.window as { from: string; to: string };
      const within = appointments.filter((a) => a.nhs_number === args.nhs && a.start.slice(0, 10) >= w.from && a.start.slice(0, 10) <= w.to);
      return {
        appointments: within,
        failures: [err({ kind: "unavailable", message: "Airedale Park Urgent Treatment Centre could not be reached.", next_step: "Try again in a few minutes; if it keeps failing, call the helpdesk.", trace_id: trace(), service_id: "airedale-park-utc", http_status: 502, code: "BAD_GATEWAY" })],
      };
    }
    case "upcoming_appointments": {
      seedAppointments();
      await sleep(300);
      const now = Date.now();
      const upcoming = appointments.filter((a) => a.nhs_number === args.nhs && a.status === "booked" && Date.parse(a.start) > now);
      return { appointments: upcoming, failures: [] };
    }
    case "amend_appointment":
    case "cancel_appointment": {
      await sleep(600);
      const a = appointments.find((x) => x.service_id === args.serviceId && x.id === args.appointmentId);
      if (!a) throw err({ kind: "not-found", message: "The service has no record of that appointment.", next_step: "Refresh the list.", trace_id: trace() });
      if (cmd === "cancel_appointment") Object.assign(a, { status: "cancelled", cancellation_reason: args.reason });
      else Object.assign(a, { description: args.description ?? a.description, comment: args.comment ?? a.comment });
      return a;
    }
    case "list_bookings": {
      const now = Date.now();
      const seeded: BookingSummary[] = [
        { service_id: "calder-valley-utc", appointment_id: "25926b96-a7da-59a6-95c1-30130c90a1f6", version: "1", status: "booked", start: new Date(now + 3 * 3_600_000).toISOString(), end: new Date(now + 3.25 * 3_600_000).toISOString(), nhs_number: "9476719931", booked_by: "Alex Taylor", desk: MOCK_DESK, booked_at: new Date(now - 2 * 3_600_000).toISOString(), last_action: "book", last_changed_at: new Date(now - 2 * 3_600_000).toISOString() },
        { service_id: "beckside-medical-practice", appointment_id: "1001", version: "3", status: "cancelled", start: new Date(now + 30 * 3_600_000).toISOString(), end: new Date(now + 30.2 * 3_600_000).toISOString(), nhs_number: "9434765919", booked_by: "Sam Patel", desk: MOCK_DESK, booked_at: new Date(now - 3 * 3_600_000).toISOString(), last_action: "cancel", last_changed_at: new Date(now - 1 * 3_600_000).toISOString() },
        { service_id: "leeds-east-ed", appointment_id: "8c1d7e42-0f5b-5b8e-a1c2-77d9e0f1a2b3", version: "1", status: "booked", start: new Date(now + 1 * 3_600_000).toISOString(), end: new Date(now + 1.5 * 3_600_000).toISOString(), nhs_number: "9434760186", booked_by: "Sam Patel", desk: MOCK_DESK, booked_at: new Date(now - 40 * 60_000).toISOString(), last_action: "book", last_changed_at: new Date(now - 40 * 60_000).toISOString() },
      ];
      return [...bookings, ...seeded].sort((a, b) => Date.parse(b.booked_at) - Date.parse(a.booked_at));
    }
    case "centre_bookings": {
      const listed = (await handle("list_bookings", {})) as BookingSummary[];
      return listed.map((b, i) => ({
        service_id: b.service_id,
        service_name: DIRECTORY.find((d) => d.id === b.service_id)?.name ?? b.service_id,
        appointment_id: b.appointment_id,
        status: b.status,
        start: b.start,
        end: b.end,
        nhs_number: b.nhs_number,
        booked_by: b.booked_by,
        booked_by_local_id: b.booked_by.toLowerCase().replace(/ /g, "."),
        desk: i % 2 ? "Leeds floor 1, desk 7" : "Leeds floor 1, desk 3",
        booked_at: b.booked_at,
        last_action: b.last_action,
        last_changed_at: b.last_changed_at,
      }));
    }
    case "appointment_history":
      return { service_id: args.serviceId, appointment_id: args.appointmentId, events: [], audit: [] };
    case "centre_report":
      return mockReport(args.range as { from: string; to: string });
    case "export_csv":
      return `/home/desk/Downloads/${String(args.name)}-${ukToday()}-093000.csv`;
    default:
      throw err({ kind: "config", message: `Unknown command ${cmd}.`, next_step: "This is a bug in the demo mock." });
  }
}
