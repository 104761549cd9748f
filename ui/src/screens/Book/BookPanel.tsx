import { useEffect, useRef } from "react";
import type { Service, SlotView } from "../../api/bindings";
import { ErrorPanel } from "../../components/ErrorPanel";
import { LimitedText } from "../../components/LimitedText";
import {
  formatChannel,
  formatDay,
  formatDayWithWeekday,
  formatGender,
  formatNhsNumber,
  formatPatientName,
  formatTimeRange,
  ukDay,
} from "../../format";
import type { ChosenPatient } from "../../types";
import { Confirmation } from "./Confirmation";
import { draftsProblem, MAX_COMMENT, MAX_DESCRIPTION, type Booking } from "./useBooking";

type Props = {
  booking: Booking;
  patient: ChosenPatient | null;
  services: Service[];
  organisation: string;
  onFindPatient: () => void;
  onAppointments: () => void;
};

/** The slot restated, what to send with it, and a confirm that can only fire once. */
export function BookPanel({ booking, patient, services, organisation, onFindPatient, onAppointments }: Props) {
  const { state } = booking;
  const description = useRef<HTMLTextAreaElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const slot = state.phase === "idle" ? null : state.slot;
  const service = slot ? services.find((s) => s.id === slot.service_id) : undefined;

  // A newly picked slot: straight to the description, the next thing the handler types.
  const pickedId = state.phase === "editing" ? `${state.slot.service_id}|${state.slot.id}` : null;
  useEffect(() => {
    if (pickedId) description.current?.focus();
  }, [pickedId]);

  const blocker = whyNot(patient, service, booking);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyB") {
        e.preventDefault();
        // Not while a dialog (switch user, shortcuts) is waiting for an answer.
        if (document.querySelector('[aria-modal="true"]')) return;
        if (!blocker && patient && booking.state.phase === "editing") void booking.confirm(patient);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [blocker, patient, booking]);

  if (state.phase === "idle") {
    return (
      <section className="panel book-panel book-panel--empty" aria-label="Book">
        <h2 className="panel__title">Book</h2>
        <p className="muted">Choose a slot: move with ↑ ↓, then press Enter.</p>
      </section>
    );
  }

  if (state.phase === "booked") {
    return <Confirmation outcome={state.outcome} onAppointments={onAppointments} onDone={booking.reset} />;
  }

  if (state.phase === "slot-taken") {
    return (
      <section className="panel book-panel" aria-label="Book">
        <div className="notice notice--warning" role="alert" data-testid="slots-refreshed">
          <h2 className="notice__title">That slot has just been taken — the list has been refreshed</h2>
          <p>{state.error.message}</p>
          <p>Choose another slot. What you typed has been kept.</p>
        </div>
      </section>
    );
  }

  if (state.phase === "unknown") {
    return (
      <section className="panel book-panel" aria-label="Book">
        <ErrorPanel error={state.error} title="Outcome unknown — do not book again" autoFocus>
          <p className="error-panel__strong">
            The booking may or may not have been made at {state.slot.service_name}. Check the patient's appointments
            before doing anything else.
          </p>
          <button type="button" className="button" onClick={onAppointments}>
            Check the patient's appointments <kbd>Alt+A</kbd>
          </button>
          <button type="button" className="button button--secondary" onClick={booking.reset}>
            Close
          </button>
        </ErrorPanel>
      </section>
    );
  }

  if (state.phase === "failed") {
    return (
      <section className="panel book-panel" aria-label="Book">
        <ErrorPanel error={state.error} title="The booking was not made" autoFocus>
          <button type="button" className="button button--secondary" onClick={booking.backToForm}>
            Back to the booking
          </button>
        </ErrorPanel>
      </section>
    );
  }

  const s = state.slot;
  const busy = state.phase === "booking";
  const { drafts, setDrafts } = booking;
  const textProblem = draftsProblem(drafts);
  const reason = blocker ?? textProblem;

  return (
    <section className="panel book-panel" data-testid="book-panel" aria-label="Book" aria-busy={busy}>
      <h2 className="panel__title">Book</h2>
      <SlotSummary slot={s} />
      <p className="book-panel__for">
        <span className="muted">For </span>
        {patient ? (
          <>
            <strong>{formatPatientName(patient.patient)}</strong>
            {patient.patient.nhs_number ? ` · NHS No. ${formatNhsNumber(patient.patient.nhs_number)}` : " · no NHS number"}
          </>
        ) : (
          <strong>no patient chosen yet</strong>
        )}
      </p>
      {blocker && (
        <div className="notice notice--warning" id="book-blocker" role="status">
          <p>{blocker}</p>
          {(!patient || (service?.standard === "gp-connect" && !patient.patient.nhs_number)) && (
            <button type="button" className="button button--small button--secondary" onClick={onFindPatient}>
              Find the patient <kbd>Alt+1</kbd>
            </button>
          )}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason && patient) void booking.confirm(patient);
        }}
      >
        <LimitedText
          label="Description"
          hint="What the appointment is for, as the service will see it."
          value={drafts.description}
          onChange={(description) => setDrafts({ ...drafts, description })}
          limit={MAX_DESCRIPTION}
          required
          rows={2}
          testId="description-input"
          inputRef={description}
          disabled={busy}
        />
        <LimitedText
          label="Comment"
          hint="Anything else the service should know, e.g. a call-back number."
          value={drafts.comment}
          onChange={(comment) => setDrafts({ ...drafts, comment })}
          limit={MAX_COMMENT}
          rows={3}
          testId="comment-input"
          disabled={busy}
        />
        {patient && (
          <details className="preview">
            <summary>What the service will receive</summary>
            <dl className="facts facts--small">
              <dt>Patient</dt>
              <dd>
                {formatPatientName(patient.patient)}, {formatGender(patient.patient.gender)}, born{" "}
                {patient.patient.birth_date ? formatDay(patient.patient.birth_date) : "not known"}
              </dd>
              <dt>NHS number</dt>
              <dd>{patient.patient.nhs_number ? formatNhsNumber(patient.patient.nhs_number) : "None sent"}</dd>
              <dt>Address</dt>
              <dd>{[...patient.patient.address_lines, patient.patient.postcode].filter(Boolean).join(", ") || "None"}</dd>
              <dt>Phone</dt>
              <dd>{patient.patient.phone ?? "None"}</dd>
              <dt>Description</dt>
              <dd>{drafts.description.trim() || "—"}</dd>
              <dt>Comment</dt>
              <dd>{drafts.comment.trim() || "—"}</dd>
              <dt>Booked by</dt>
              <dd>{organisation}</dd>
            </dl>
          </details>
        )}
        <div className="book-panel__confirm">
          <button
            ref={confirmRef}
            type="submit"
            className="button button--primary button--wide"
            data-testid="confirm-booking"
            disabled={busy || reason !== null}
            aria-keyshortcuts="Alt+B"
            aria-describedby={reason ? "book-reason" : undefined}
          >
            {busy ? (
              "Booking…"
            ) : (
              <>
                Confirm booking <kbd>Alt+B</kbd>
              </>
            )}
          </button>
          {reason && !blocker && (
            <p className="field__hint" id="book-reason">
              {reason}
            </p>
          )}
          {blocker && (
            <p className="visually-hidden" id="book-reason">
              {blocker}
            </p>
          )}
          <p className="visually-hidden" aria-live="assertive">
            {busy ? "Booking, please wait" : ""}
          </p>
        </div>
      </form>
    </section>
  );
}

/** Why this booking cannot go ahead as it stands, beyond the texts. */
function whyNot(patient: ChosenPatient | null, service: Service | undefined, booking: Booking): string | null {
  if (booking.state.phase !== "editing" && booking.state.phase !== "booking") return null;
  if (!patient) return "Find the patient before booking.";
  if (service?.standard === "gp-connect" && !patient.patient.nhs_number) {
    return `${service.name} books through GP Connect, which needs the patient's NHS number. Find the patient by NHS number, or choose an urgent treatment centre or emergency department.`;
  }
  return null;
}

/** The slot as it will be booked. */
export function SlotSummary({ slot }: { slot: SlotView }) {
  const p = slot.practitioner;
  return (
    <dl className="facts">
      <dt>Service</dt>
      <dd className="facts__strong">{slot.service_name}</dd>
      <dt>When</dt>
      <dd className="facts__strong">
        {formatDayWithWeekday(ukDay(slot.start))} {formatTimeRange(slot.start, slot.end)}
      </dd>
      <dt>How</dt>
      <dd>{formatChannel(slot.delivery_channel)}</dd>
      <dt>With</dt>
      <dd>
        {p?.name ?? "Practitioner not named"}
        {p?.role ? `, ${p.role}` : ""}
        {p?.gender ? ` (${formatGender(p.gender)})` : ""}
      </dd>
      <dt>Type</dt>
      <dd>
        {slot.slot_type ?? "Slot type not stated"} · {slot.schedule_type ?? "schedule type not stated"}
      </dd>
      <dt>Where</dt>
      <dd>{slot.location ? [slot.location.name, slot.location.address].filter(Boolean).join(", ") : "Location not stated"}</dd>
    </dl>
  );
}
