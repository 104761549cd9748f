import type { Interrupted, Reconciled, Settled } from "../api/bindings";
import { formatDayWithWeekday, formatNhsNumber, formatTime, plural, ukDay } from "../format";
import { Dialog } from "./Dialog";
import { ErrorPanel } from "./ErrorPanel";

type Props = {
  interrupted: Interrupted;
  onAcknowledge: () => void;
};

type Ending = { label: string; next: string };

// What each ending means for the person, beside the engine's own words about it.
const ENDINGS: Record<Settled, Ending> = {
  booked: {
    label: "Booked",
    next: "It is confirmed at the service and is in the bookings list. Make sure the patient knows about it.",
  },
  "not-booked": {
    label: "Not made",
    next: "The service does not have this booking. Book again if the patient still needs an appointment.",
  },
  "still-unknown": {
    label: "Outcome unknown",
    next: "Ring the service to check whether it was made before booking the patient again.",
  },
};

/** Whether a sign-in's answer has anything to tell the person. */
export function hasNews(i: Interrupted): boolean {
  return i.settled.length > 0 || i.error !== null || i.left_open.length > 0;
}

function when(r: Reconciled): string {
  if (!r.slot_start) return "slot time not known";
  return `${formatDayWithWeekday(ukDay(r.slot_start))} ${formatTime(r.slot_start)}`;
}

/** The notice's title: what it is mostly about. */
export function noticeTitle(i: Interrupted): string {
  return i.settled.length > 0 || i.error ? "Interrupted bookings" : "Bookings left unconfirmed";
}

/** Each booking checked, with what became of it and what to do next. */
function SettledList({ settled }: { settled: Reconciled[] }) {
  return (
    <ul className="interrupted__list">
      {settled.map((r) => {
        const ending = ENDINGS[r.settled];
        return (
          <li
            key={`${r.service_id}|${r.slot_ids.join(",")}`}
            className={`interrupted__item interrupted__item--${r.settled}`}
            data-testid="interrupted-item"
            data-settled={r.settled}
          >
            <p className="interrupted__what">
              <span className={`tag tag--${r.settled}`}>{ending.label}</span> <strong>{r.service_name ?? r.service_id}</strong>,{" "}
              <span className="nowrap">{when(r)}</span>
              {r.nhs_number && (
                <>
                  {" "}
                  for patient <span className="nowrap">NHS No. {formatNhsNumber(r.nhs_number)}</span>
                </>
              )}
            </p>
            <p>{r.message}</p>
            <p className="interrupted__next" data-testid="interrupted-next">
              <strong>Next:</strong> {ending.next}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Bookings that were being sent when the desk last stopped, and those the last person at the
 * desk left with their outcome not known, and what became of each, shown once after sign-in. It
 * waits for an explicit acknowledgement: Esc does not dismiss it, so a reflexive key press
 * cannot hide a booking someone must act on.
 */
export function InterruptedNotice({ interrupted, onAcknowledge }: Props) {
  if (!hasNews(interrupted)) return null;
  const { settled, error, left_open: leftOpen } = interrupted;
  const title = noticeTitle(interrupted);
  return (
    <Dialog title={title} onClose={() => {}} alert wide testId="interrupted-notice">
      {settled.length > 0 && (
        <>
          <p>
            Booking Desk stopped while {plural(settled.length, "booking was", "bookings were")} being sent. Each has
            now been checked with its service:
          </p>
          <SettledList settled={settled} />
        </>
      )}
      {error && <ErrorPanel error={error} title="Interrupted bookings could not be checked" compact />}
      {leftOpen.length > 0 && (
        <div data-testid="left-open">
          <p>
            The last person at this desk left {plural(leftOpen.length, "booking", "bookings")} whose outcome was not known. Each
            has now been checked with its service:
          </p>
          <SettledList settled={leftOpen} />
        </div>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" data-autofocus data-testid="interrupted-acknowledge" onClick={onAcknowledge}>
          I have noted this — continue
        </button>
      </div>
    </Dialog>
  );
}
