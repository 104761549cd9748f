// Realistic engine answers for the component tests.
import type {
  AppInfo,
  AppointmentView,
  BookingOutcome,
  BookingSummary,
  ClinicalPreview,
  ClinicalSummary,
  Disposition,
  FoundService,
  HowBooked,
  Interrupted,
  Organisation,
  PatientView,
  Reconciled,
  Role,
  SecretStatus,
  Service,
  ServiceOption,
  SignedIn,
  SlotView,
  Standard,
  TracedPatient,
  User,
} from "../api/bindings";
import type { ApiError } from "../api/client";
import { ukToday } from "../format";

export const organisation: Organisation = { ods: "RYA", name: "NHS 111 North West" };

/** A named call handler, as typed on the sign-in screen. */
export const alex: User = {
  name: "Alex Taylor",
  sds_user_id: "555021935107",
  sds_role_profile_id: "UNK",
  local_id: "alex.taylor",
  role: "call-handler",
};

/** The app as it starts: nobody signed in. */
export const signedOut: AppInfo = {
  demo: true,
  provider_url: "http://127.0.0.1:4000",
  user: null,
  organisation,
  version: "0.1.0",
  locked: false,
  idle_lock_minutes: 10,
  sign_in: "named",
};

/** A sign-in with no interrupted bookings to report. */
export const nothingInterrupted: Interrupted = { settled: [], error: null, left_open: [] };

/** The engine's answer to signing `user` in, on the app that starts signed out. */
export function signedInAnswer(user: User, over: Partial<AppInfo> = {}, interrupted = nothingInterrupted): SignedIn {
  return { info: { ...signedOut, ...over, user }, interrupted, same_person: false };
}

/** A booking an earlier run left in flight, as the engine settled it (the `booked` ending). */
export function reconciled(over: Partial<Reconciled> = {}): Reconciled {
  return {
    service_id: "beckside",
    service_name: "Beckside Medical Practice",
    slot_ids: ["1202612020800"],
    slot_start: at(1, 8, 0),
    nhs_number: "9434765919",
    settled: "booked",
    appointment_id: "1001",
    message: "An interrupted booking at Beckside Medical Practice was made: appointment 1001.",
    ...over,
  };
}

/** Alex Taylor signed in as a call handler. */
export const info: AppInfo = { ...signedOut, user: alex };

export function signedInAs(role: Role, over: Partial<User> = {}): AppInfo {
  return { ...signedOut, user: { ...alex, ...over, role } };
}

export const secrets: SecretStatus[] = [
  { name: "client-key", label: "TLS client certificate private key", stored: false },
  { name: "signing-key", label: "Client assertion signing key (RS512)", stored: true },
  { name: "api-key", label: "National API platform API key", stored: false },
];

export const services: Service[] = [
  { id: "beckside", name: "Beckside Medical Practice", kind: "gp-practice", standard: "gp-connect", base_url: "http://x/B86001/STU3/1/gpconnect", ods: "B86001", asid: "918999198101" },
  { id: "calder-utc", name: "Calder Valley Urgent Treatment Centre", kind: "urgent-care", standard: "uec-booking", base_url: "http://x/uec/calder/STU3/1/booking", ods: "NQ501", asid: "918999198201", healthcare_service: "2000100101" },
  { id: "leeds-ed", name: "Leeds East Hospital Emergency Department", kind: "emergency-department", standard: "bars", base_url: "http://x/bars/leeds-ed/FHIR/R4", ods: "RR801", asid: "918999198301", target_identifier: "2000100606" },
  { id: "wy-ooh", name: "West Yorkshire GP Out of Hours", kind: "gp-out-of-hours", standard: "gp-connect", base_url: "http://x/NXY10/STU3/1/gpconnect", ods: "NXY10", asid: "918999198105" },
];

export const jane: PatientView = {
  id: "101",
  nhs_number: "9434765919",
  family: "JACKSON",
  given: ["Jane"],
  prefix: "Miss",
  gender: "female",
  birth_date: "1982-03-12",
  address_lines: ["24 High Street", "Leeds"],
  postcode: "LS1 4AP",
  phone: "07700 900123",
};

/** An instant `days` days from now at hh:mm UK time (UTC offsets handled by building from today). */
export function at(days: number, hh: number, mm = 0): string {
  const [y, m, dd] = ukToday().split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1, dd + days, hh, mm));
  // Build a wall-clock UK time by correcting for the London offset on that day.
  const probe = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", hourCycle: "h23" });
  const londonHour = Number(probe.format(d));
  const shift = (londonHour - hh + 24) % 24;
  return new Date(d.getTime() - shift * 3_600_000).toISOString();
}

let slotSeq = 0;
export function slot(over: Partial<SlotView> & { start: string }): SlotView {
  slotSeq += 1;
  const start = over.start;
  const end = over.end ?? new Date(Date.parse(start) + 10 * 60_000).toISOString();
  return {
    service_id: "beckside",
    service_name: "Beckside Medical Practice",
    service_kind: "gp-practice",
    id: `s${slotSeq}`,
    schedule_id: "sch-1",
    delivery_channel: "In-person",
    slot_type: "General GP Appointment",
    schedule_type: "General GP Appointments",
    practitioner: { id: "31", name: "Dr Priya Shah", role: "General Medical Practitioner", gender: "female" },
    location: { id: "21", name: "Beckside Medical Practice", address: "12 Beckside Road, Kirkstall, Leeds, LS5 3BQ" },
    ...over,
    end,
  };
}

/** A slot at the demo-like urgent treatment centre, tomorrow afternoon. */
export const utcSlot = () =>
  slot({
    id: "utc-1",
    service_id: "calder-utc",
    service_name: "Calder Valley Urgent Treatment Centre",
    service_kind: "urgent-care",
    start: at(1, 14, 30),
    end: at(1, 14, 45),
    location: { id: "cv", name: "Calder Valley Hospital", address: "Halifax Road, Halifax, HX3 0PW" },
  });

export function appointment(over: Partial<AppointmentView> & { id: string; start: string }): AppointmentView {
  return {
    version: "1",
    status: "booked",
    service_id: "beckside",
    service_name: "Beckside Medical Practice",
    standard: "gp-connect",
    end: new Date(Date.parse(over.start) + 10 * 60_000).toISOString(),
    created: null,
    description: "Sore throat, fever 3 days",
    comment: null,
    cancellation_reason: null,
    delivery_channel: "In-person",
    slot_type: "General GP Appointment",
    schedule_type: "General GP Appointments",
    slot_ids: ["1"],
    practitioner: { id: "31", name: "Dr Priya Shah", role: "General Medical Practitioner", gender: null },
    location: { id: "21", name: "Beckside Medical Practice", address: "12 Beckside Road, Kirkstall, Leeds, LS5 3BQ" },
    patient_id: "101",
    nhs_number: "9434765919",
    reference_url: null,
    service_reference: null,
    ...over,
  };
}

export function outcome(a: AppointmentView, over: Partial<BookingOutcome> = {}): BookingOutcome {
  return { appointment: a, confirmed_by_check: false, demographic_mismatches: [], ...over };
}

export function apiError(over: Partial<ApiError> = {}): ApiError {
  return {
    kind: "timeout",
    message: "Leeds East Hospital Emergency Department did not answer within 15 seconds.",
    next_step: "Try again, or choose another service.",
    http_status: 504,
    code: "GATEWAY_TIMEOUT",
    trace_id: "4f0c2b1e-9a7d-4c1e-8f7a-1b2c3d4e5f60",
    service_id: "leeds-ed",
    diagnostics: "upstream read timed out after 15000 ms at provider.rs:212",
    ...over,
  };
}

export function summary(over: Partial<BookingSummary> & { appointment_id: string }): BookingSummary {
  return {
    service_id: "beckside",
    version: "1",
    status: "booked",
    start: at(1, 9),
    end: at(1, 9, 10),
    nhs_number: "9434765919",
    booked_by: "Alex Taylor",
    desk: "desk-a",
    booked_at: new Date().toISOString(),
    last_action: "book",
    last_changed_at: new Date().toISOString(),
    ...over,
  };
}

/** A complete triage summary, assessed a minute ago, to be seen within `minutes`. */
export function triageSummary(over: Partial<ClinicalSummary> = {}, minutes = 120): ClinicalSummary {
  return {
    presenting_complaint: "Sore throat and fever for 3 days, now struggling to swallow",
    triage: {
      disposition_code: "Dx05",
      disposition_text: "Speak to a primary care service within 2 hours",
      timeframe_minutes: minutes,
      assessed_at: new Date(Date.now() - 60_000).toISOString().replace("Z", "+00:00"),
    },
    observations: [],
    allergies: null,
    medication: null,
    flags: [],
    call_back_number: "07700 900123",
    consent_to_share: true,
    assessed_by: { name: "Alex Taylor", role: "call-handler", sds_user_id: "555021935107" },
    ...over,
  };
}

/** A plain stand-in for the engine's preview: the complaint as description, the rest as comment. */
export function previewOf(summary: ClinicalSummary, standard: Standard): ClinicalPreview {
  const t = summary.triage;
  return {
    standard,
    text: {
      description: summary.presenting_complaint.slice(0, 100),
      comment: `111 triage: ${t.disposition_text} (${t.disposition_code}). Call back on ${summary.call_back_number}.`,
      truncated: false,
    },
    sections: [
      { title: "Triage outcome", lines: [`${t.disposition_text} (${t.disposition_code}).`] },
      { title: "Presenting complaint", lines: [summary.presenting_complaint] },
      { title: "Call details", lines: [`Call back on ${summary.call_back_number}.`] },
    ],
    document: standard === "uec-booking" ? `<ClinicalDocument><title>NHS 111 encounter report</title></ClinicalDocument>` : null,
  };
}

/** Jane as PDS holds her: registered at Beckside (B86001). */
export const janeTraced: TracedPatient = {
  nhs_number: "9434765919",
  superseded: null,
  family: "JACKSON",
  given: ["Jane"],
  prefix: "Miss",
  gender: "female",
  birth_date: "1982-03-12",
  address_lines: ["24 High Street", "Leeds"],
  postcode: "LS1 4AP",
  phone: "07700 900123",
  registered_practice: "B86001",
  restricted: false,
  deceased: null,
};

/** A service as the DoS returns it. */
export function foundService(over: Partial<FoundService> & { dos_id: string; name: string }): FoundService {
  return {
    public_name: null,
    ods: null,
    service_type: "Urgent Treatment Centre",
    address: null,
    postcode: null,
    distance_miles: 1,
    phone: null,
    professional_phone: null,
    referral_information: null,
    open_all_hours: false,
    open_now: true,
    capacity: "High",
    endpoints: [],
    requires_booking: false,
    ...over,
  };
}

const bookBy = (standard: Standard, service_id: string, configured = true): HowBooked => ({ how: "book", standard, service_id, configured });

/**
 * The DoS's answer for Jane, in its order: a UTC first, her own practice (further down), a BaRS
 * service the desk's list does not have, a pharmacy to refer by phone, and an ED it cannot book.
 */
export const foundOptions: ServiceOption[] = [
  { service: foundService({ dos_id: "2000100101", name: "Calder Valley UTC", public_name: "Calder Valley Urgent Treatment Centre", ods: "NQ501", distance_miles: 0.84 }), booking: bookBy("uec-booking", "calder-utc") },
  { service: foundService({ dos_id: "2000100606", name: "Leeds East ED", public_name: "Leeds East Hospital Emergency Department", ods: "RR801", service_type: "Emergency Department", distance_miles: 2.35, open_all_hours: true }), booking: bookBy("bars", "leeds-ed") },
  { service: foundService({ dos_id: "2000100707", name: "Spen Valley UTC", ods: "NQ503", distance_miles: 3.1, open_now: false }), booking: bookBy("bars", "2000100707", false) },
  { service: foundService({ dos_id: "2000100808", name: "Headingley Pharmacy", service_type: "Pharmacy", distance_miles: 3.5, phone: "0113 496 0808" }), booking: { how: "call-to-refer" } },
  { service: foundService({ dos_id: "2000100909", name: "Airedale Park UTC", ods: "NQ502", distance_miles: 4.04, open_now: null }), booking: { how: "cannot-book", reason: "Its booking endpoint is registered to another system.", next_step: "Refer the patient by phone." } },
  { service: foundService({ dos_id: "2000100202", name: "Beckside Medical Practice", ods: "B86001", service_type: "GP Practice", distance_miles: 5.27 }), booking: bookBy("gp-connect", "beckside") },
];

/** Some of the published Pathways dispositions. */
export const dispositions: Disposition[] = [
  { code: "Dx05", text: "Speak to a primary care service within 2 hours", timeframe_minutes: 120 },
  { code: "Dx06", text: "Speak to a primary care service within 6 hours", timeframe_minutes: 360 },
  { code: "Dx0121", text: "Attend an emergency treatment centre within 20 minutes", timeframe_minutes: 20 },
  { code: "Dx75", text: "Contact own GP practice next working day", timeframe_minutes: null },
];
