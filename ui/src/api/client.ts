// The one place the screens reach the Rust commands: every answer becomes a Result, so a screen
// never sees a rejected promise, and tests replace this module alone.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  type AppInfo,
  type AppointmentHistory,
  type AppointmentView,
  type Approver,
  type BookingOutcome,
  type BookingSummary,
  type BookRequest,
  type BookingFilter,
  type CareNeed,
  type CentreBooking,
  type CentreReport,
  type DemographicSearch,
  type Cis2SignIn,
  type ClinicalPreview,
  type ClinicalSummary,
  type Disposition,
  type FirstScreen,
  type Error as ApiError,
  type PatientAppointments,
  type PatientMatch,
  type PatientView,
  type ReportRange,
  type RoleChoice,
  type SearchEvent,
  type SearchRequest,
  type SearchWindow,
  type SecretName,
  type SecretStatus,
  type Service,
  type ServicesFound,
  type SignedIn,
  type TracedPatient,
  type User,
} from "./bindings";

export type { ApiError };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

type Answer<T> = { status: "ok"; data: T } | { status: "error"; error: ApiError };

/** What a failure inside the app itself (not the engine) looks like to a person. */
export function internalError(cause: unknown): ApiError {
  // Logged for developers; the screen gets plain words only.
  console.error(cause);
  return {
    kind: "unavailable",
    message: "Booking Desk could not reach its booking engine.",
    next_step: "Close and reopen Booking Desk. If it happens again, call the helpdesk.",
    http_status: null,
    code: null,
    trace_id: null,
    service_id: null,
    diagnostics: null,
  };
}

async function settle<T>(call: () => Promise<Answer<T>>): Promise<Result<T>> {
  try {
    const answer = await call();
    return answer.status === "ok" ? { ok: true, value: answer.data } : { ok: false, error: answer.error };
  } catch (e) {
    return { ok: false, error: internalError(e) };
  }
}

export const appInfo = (): Promise<Result<AppInfo>> => settle(() => commands.appInfo());

/**
 * Signs a named person in, replacing whoever was signed in; the answer says who is now, and what
 * became of bookings an earlier run left in flight.
 */
export const signIn = (user: User): Promise<Result<SignedIn>> => settle(() => commands.signIn(user));

export const signOut = (): Promise<Result<AppInfo>> => settle(() => commands.signOut());

/** Signs in with NHS CIS2 in the system browser; the answer may offer the person's roles here. */
export const signInCis2 = (): Promise<Result<Cis2SignIn>> => settle(() => commands.signInCis2());

/** Gives up the CIS2 sign-in (or clinician's approval) waiting on the browser. */
export async function cancelSignIn(): Promise<void> {
  try {
    await commands.cancelSignIn();
  } catch (e) {
    internalError(e);
  }
}

/** The role chosen after a CIS2 sign-in offered several. */
export const chooseRole = (choice: RoleChoice): Promise<Result<SignedIn>> => settle(() => commands.chooseRole(choice));

/** The person is still at the desk: keeps it from locking while they read or type. */
export const stillHere = (): Promise<Result<null>> => settle(() => commands.stillHere());

/** Locks the desk now. */
export const lockDesk = (): Promise<Result<AppInfo>> => settle(() => commands.lockDesk());

/** A clinician signs in with CIS2, in the system browser, to approve a late slot. */
export const approveWithCis2 = (): Promise<Result<Approver>> => settle(() => commands.approveWithCis2());

/** Which secrets the keyring holds: never their values. */
export const secretsStatus = (): Promise<Result<SecretStatus[]>> => settle(() => commands.secretsStatus());

/** Sends a secret to the keyring; only its stored/not-stored status comes back. */
export const storeSecret = (name: SecretName, value: string): Promise<Result<SecretStatus>> =>
  settle(() => commands.storeSecret(name, value));

export const deleteSecret = (name: SecretName): Promise<Result<SecretStatus>> =>
  settle(() => commands.deleteSecret(name));

/** Tells the shell the first screen is drawn; it notes the time only when start-up is being timed. */
export async function firstScreenShown(screen: FirstScreen): Promise<void> {
  try {
    await commands.firstScreenShown(screen);
  } catch (e) {
    internalError(e);
  }
}

export const defaultWindow = (): Promise<Result<SearchWindow>> => settle(() => commands.defaultWindow());

/** The number spaced `943 476 5919` when it passes Modulus 11; the reason when it does not. */
export const checkNhsNumber = (input: string): Promise<Result<string>> =>
  settle(() => commands.checkNhsNumber(input));

export const findPatient = (nhs: string): Promise<Result<PatientMatch | null>> =>
  settle(() => commands.findPatient(nhs));

export const searchPds = (search: DemographicSearch): Promise<Result<TracedPatient | null>> =>
  settle(() => commands.searchPds(search));

export const listServices = (): Promise<Result<Service[]>> => settle(() => commands.listServices());

/** The Directory of Services' answer for the need, nearest and most suitable first. */
export const findServices = (need: CareNeed, dx: string | null, nhs: string | null): Promise<Result<ServicesFound>> =>
  settle(() => commands.findServices(need, dx, nhs));

/** The published Pathways dispositions, for the triage form to fill words and timeframe from. */
export async function knownDispositions(): Promise<Result<Disposition[]>> {
  try {
    return { ok: true, value: await commands.knownDispositions() };
  } catch (e) {
    return { ok: false, error: internalError(e) };
  }
}

/** Runs one search; `onEvent` gets each service's progress and slots as they arrive. */
export function searchSlots(
  request: SearchRequest,
  onEvent: (event: SearchEvent) => void,
): Promise<Result<null>> {
  const channel = new Channel<SearchEvent>();
  channel.onmessage = onEvent;
  return settle(() => commands.searchSlots(request, channel));
}

/** Exactly what the service would receive of the triage summary; checks its content (not consent). */
export const clinicalPreview = (
  summary: ClinicalSummary,
  serviceId: string,
  patient: PatientView,
): Promise<Result<ClinicalPreview>> => settle(() => commands.clinicalPreview(summary, serviceId, patient));

/** A clinician named at the desk approves a late slot (the demo's way): the ticket a booking names. */
export const approveNamed = (name: string): Promise<Result<Approver>> => settle(() => commands.approveNamed(name));

export const book = (request: BookRequest): Promise<Result<BookingOutcome>> =>
  settle(() => commands.book(request));

export const patientAppointments = (
  nhs: string,
  window: SearchWindow,
): Promise<Result<PatientAppointments>> => settle(() => commands.patientAppointments(nhs, window));

/** "Already booked?": the patient's upcoming appointments, before another is booked. */
export const upcomingAppointments = (nhs: string, services: string[]): Promise<Result<PatientAppointments>> =>
  settle(() => commands.upcomingAppointments(nhs, services));

export const amendAppointment = (
  serviceId: string,
  appointmentId: string,
  description: string | null,
  comment: string | null,
): Promise<Result<AppointmentView>> =>
  settle(() => commands.amendAppointment(serviceId, appointmentId, description, comment));

export const cancelAppointment = (
  serviceId: string,
  appointmentId: string,
  reason: string,
): Promise<Result<AppointmentView>> =>
  settle(() => commands.cancelAppointment(serviceId, appointmentId, reason));

export const listBookings = (): Promise<Result<BookingSummary[]>> =>
  settle(() => commands.listBookings());

/** Every desk's bookings, newest first (supervisors only; others get not-permitted). */
export const centreBookings = (filter: BookingFilter): Promise<Result<CentreBooking[]>> =>
  settle(() => commands.centreBookings(filter));

/** One appointment's booking events and audit entries, oldest first (supervisors only). */
export const appointmentHistory = (
  serviceId: string,
  appointmentId: string,
): Promise<Result<AppointmentHistory>> => settle(() => commands.appointmentHistory(serviceId, appointmentId));

/** The centre's figures over a range of UK days, at most 366 (supervisors only). */
export const centreReport = (range: ReportRange): Promise<Result<CentreReport>> =>
  settle(() => commands.centreReport(range));

/** Saves a table as CSV in the Downloads folder; the answer is the file's full path. */
/** The file the table was saved to, or null when the person chose none in the save dialog. */
export const exportCsv = (name: string, header: string[], rows: string[][]): Promise<Result<string | null>> =>
  settle(() => commands.exportCsv(name, header, rows));
