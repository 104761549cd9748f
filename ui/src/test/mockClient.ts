// Stands in for src/api/client.ts in tests: every command is a vi.fn with a harmless default.
import { vi } from "vitest";
import type { ApiError, Result } from "../api/client";
import type { ClinicalSummary, SearchEvent, SearchRequest, SecretName, User } from "../api/bindings";
import { dispositions, foundOptions, previewOf, secrets, services, signedInAnswer, signedOut } from "./fixtures";

export type { ApiError, Result };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: ApiError): Result<T> => ({ ok: false, error });

export const internalError = vi.fn();
export const appInfo = vi.fn();
export const signIn = vi.fn();
export const signOut = vi.fn();
export const signInCis2 = vi.fn();
export const chooseRole = vi.fn();
export const cancelSignIn = vi.fn();
export const stillHere = vi.fn();
export const lockDesk = vi.fn();
export const approveWithCis2 = vi.fn();
export const secretsStatus = vi.fn();
export const storeSecret = vi.fn();
export const deleteSecret = vi.fn();
export const defaultWindow = vi.fn();
export const firstScreenShown = vi.fn();
export const checkNhsNumber = vi.fn();
export const findPatient = vi.fn();
export const searchPds = vi.fn();
export const listServices = vi.fn();
export const findServices = vi.fn();
export const knownDispositions = vi.fn();
export const searchSlots = vi.fn<(request: SearchRequest, onEvent: (e: SearchEvent) => void) => Promise<Result<null>>>();
export const clinicalPreview = vi.fn();
export const book = vi.fn();
export const approveNamed = vi.fn();
export const patientAppointments = vi.fn();
export const upcomingAppointments = vi.fn();
export const amendAppointment = vi.fn();
export const cancelAppointment = vi.fn();
export const listBookings = vi.fn();
export const centreBookings = vi.fn();
export const appointmentHistory = vi.fn();
export const centreReport = vi.fn();
export const exportCsv = vi.fn();

function spaced(d: string) {
  return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}

/** Resets every command to a plain, successful default. */
export function resetClient() {
  const today = new Date().toISOString().slice(0, 10);
  // Signed out at start, as the real app is; signing in answers with whoever signed in.
  appInfo.mockReset().mockResolvedValue(ok(signedOut));
  signIn.mockReset().mockImplementation(async (user: User) => ok(signedInAnswer(user)));
  signOut.mockReset().mockResolvedValue(ok(signedOut));
  signInCis2.mockReset();
  chooseRole.mockReset();
  cancelSignIn.mockReset().mockResolvedValue(undefined);
  stillHere.mockReset().mockResolvedValue(ok(null));
  lockDesk.mockReset().mockResolvedValue(ok({ ...signedOut, locked: true }));
  approveWithCis2.mockReset();
  secretsStatus.mockReset().mockResolvedValue(ok(secrets));
  storeSecret.mockReset().mockImplementation(async (name: SecretName) =>
    ok({ ...secrets.find((s) => s.name === name)!, stored: true }),
  );
  deleteSecret.mockReset().mockImplementation(async (name: SecretName) =>
    ok({ ...secrets.find((s) => s.name === name)!, stored: false }),
  );
  firstScreenShown.mockReset().mockResolvedValue(undefined);
  defaultWindow.mockReset().mockResolvedValue(ok({ from: today, to: today }));
  // A tiny Modulus 11 stand-in so the screens can be driven like the real engine.
  checkNhsNumber.mockReset().mockImplementation(async (input: string) => {
    const d = input.replace(/\D/g, "");
    const sum = [...d.slice(0, 9)].reduce((s, c, i) => s + Number(c) * (10 - i), 0);
    const check = 11 - (sum % 11);
    const good = d.length === 10 && (check === 11 ? 0 : check) === Number(d[9]) && check !== 10;
    return good
      ? ok(spaced(d))
      : fail({
          kind: "invalid-input",
          message: "That is not a valid NHS number: the check digit does not match.",
          next_step: "Read the number back to the caller digit by digit.",
          http_status: null,
          code: null,
          trace_id: null,
          service_id: null,
          diagnostics: null,
        });
  });
  findPatient.mockReset().mockResolvedValue(ok(null));
  searchPds.mockReset().mockResolvedValue(ok(null));
  listServices.mockReset().mockResolvedValue(ok(services));
  findServices.mockReset().mockResolvedValue(ok({ services: foundOptions, search_distance_km: null, transaction_id: "dos-tx-1" }));
  knownDispositions.mockReset().mockResolvedValue(ok(dispositions));
  searchSlots.mockReset().mockResolvedValue(ok(null));
  // What the engine would build, kept simple: tests that need more set their own answer.
  clinicalPreview.mockReset().mockImplementation(async (summary: ClinicalSummary, serviceId: string) =>
    ok(previewOf(summary, services.find((s) => s.id === serviceId)?.standard ?? "gp-connect")),
  );
  book.mockReset();
  // The desk hands back a ticket for the clinician named; the booking names the ticket.
  approveNamed.mockReset().mockImplementation(async (name: string) =>
    ok({ ticket: `ticket for ${name}`, name, sds_user_id: "UNK", sds_role_profile_id: "UNK", role_name: "demo clinician" }),
  );
  patientAppointments.mockReset().mockResolvedValue(ok({ appointments: [], failures: [] }));
  upcomingAppointments.mockReset().mockResolvedValue(ok({ appointments: [], failures: [] }));
  amendAppointment.mockReset();
  cancelAppointment.mockReset();
  listBookings.mockReset().mockResolvedValue(ok([]));
  centreBookings.mockReset().mockResolvedValue(ok([]));
  appointmentHistory.mockReset().mockImplementation(async (serviceId: string, appointmentId: string) =>
    ok({ service_id: serviceId, appointment_id: appointmentId, events: [], audit: [] }),
  );
  centreReport.mockReset().mockImplementation(async (range: { from: string; to: string }) =>
    ok({
      range,
      bookings: [],
      searches_without_slots: [],
      slots_lost: [],
      errors_by_kind: [],
      cancellations: [],
      rebookings: [],
      outside_timeframe: [],
      search_to_booked: { count: 0, median_secs: null, p90_secs: null },
    }),
  );
  exportCsv.mockReset().mockImplementation(async (name: string) => ok(`/home/desk/Downloads/${name}.csv`));
  internalError.mockReset();
}
