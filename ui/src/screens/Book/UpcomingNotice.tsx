import type { Role } from "../../api/bindings";
import type { ServiceRef } from "../../types";
import type { ApiError } from "../../api/client";
import { formatDayWithWeekday, formatTimeRange, plural, ukDay } from "../../format";
import { isSetupFault, serviceFailure, serviceName, setupFaultText } from "../../serviceFailure";
import type { Problem } from "./useBooking";
import type { UpcomingState } from "./useUpcoming";

type Props = {
  state: UpcomingState;
  acknowledged: boolean;
  onAcknowledge: (yes: boolean) => void;
  disabled: boolean;
  /** To name the services that could not be asked. */
  services: ServiceRef[];
  /** A supervisor is also shown the technical detail of a fault in the desk's set-up. */
  role: Role;
};

/** Whether the "already booked?" check holds the booking back, and why. */
export function upcomingProblem(state: UpcomingState, acknowledged: boolean): Problem | null {
  if (state.status === "checking") return { message: "Checking the patient's other appointments…", fix: null };
  if (state.status === "done" && state.appointments.length > 0 && !acknowledged) {
    return { message: "The patient already has an upcoming appointment: tick “Book another anyway” to go ahead.", fix: ACK_ID };
  }
  return null;
}

const ACK_ID = "already-booked-ack";

/**
 * "Already booked?": the patient's upcoming appointments, where and when, so that a second
 * booking is a deliberate choice. A check that could not be made is said, and does not block.
 */
export function UpcomingNotice({ state, acknowledged, onAcknowledge, disabled, services, role }: Props) {
  if (state.status === "off") return null;
  if (state.status === "checking") {
    return (
      <p className="muted" data-testid="upcoming-checking" role="status">
        Checking the patient's other appointments…
      </p>
    );
  }
  if (state.status === "failed") {
    return (
      <div className="notice notice--warning" role="status" data-testid="upcoming-unchecked">
        <p>Booking Desk could not check the patient's other appointments: {state.error.message}</p>
        <p>Ask the patient whether they already have an appointment booked.</p>
      </div>
    );
  }
  const { appointments, failures } = state;
  const names = (list: ApiError[]) => list.map((f) => serviceName(services, f.service_id)).join(", ");
  const setup = failures.filter(isSetupFault);
  const unchecked =
    failures.length > 0 ? (
      <div className="field__hint" data-testid="upcoming-not-asked">
        <p>Not checked: {names(failures)} — ask the patient.</p>
        {setup.length > 0 && <p>{setupFaultText(names(setup))}</p>}
        {setup.map((f, i) => {
          const detail = serviceFailure(f, role).detail;
          return detail && <p key={i}>{detail}</p>;
        })}
      </div>
    ) : null;
  if (appointments.length === 0) return unchecked;
  return (
    <div className="notice notice--warning" role="alert" data-testid="already-booked">
      <p className="notice__title">
        Already booked: the patient has {plural(appointments.length, "upcoming appointment")}
      </p>
      <ul className="already-booked__list">
        {appointments.map((a) => (
          <li key={`${a.service_id}|${a.id}`} data-testid="already-booked-item" data-service-id={a.service_id} data-appointment-id={a.id}>
            <strong>{a.service_name}</strong>, {formatDayWithWeekday(ukDay(a.start))} {formatTimeRange(a.start, a.end)}
          </li>
        ))}
      </ul>
      {unchecked}
      <label className="checkbox">
        <input
          id={ACK_ID}
          type="checkbox"
          checked={acknowledged}
          disabled={disabled}
          data-testid="already-booked-ack"
          onChange={(e) => onAcknowledge(e.target.checked)}
        />
        <span>Book another anyway: I have checked with the patient that they need this one as well</span>
      </label>
    </div>
  );
}
