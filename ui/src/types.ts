import type { PatientView, Service, TracedPatient } from "./api/bindings";

/** What the booking needs of a service: the desk's own, or one the DoS found. */
export type ServiceRef = Pick<Service, "id" | "name" | "standard">;

/** The patient on the call: found by NHS number at a GP practice, or typed in by hand. */
export type ChosenPatient = {
  patient: PatientView;
  source: "found" | "manual";
  /** The practice whose record was used, when found. */
  foundAt: string | null;
  /** The patient as PDS traced them, on a desk with PDS. */
  traced?: TracedPatient | null;
};

export type Tab = "patient" | "slots" | "appointments" | "booked" | "centre" | "reports";

/**
 * Every screen of the desk: the tabs; Settings, reached from the header; and the call's triage
 * summary, reached with Alt+T from anywhere in the call.
 */
export type Screen = Tab | "settings" | "triage";
