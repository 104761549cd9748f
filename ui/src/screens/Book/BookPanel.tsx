import { useEffect, useEffectEvent, useRef, useState, type FocusEvent } from "react";
import type { Role, SeenAppointment, SlotView } from "../../api/bindings";
import { cancelSignIn } from "../../api/client";
import { ErrorPanel } from "../../components/ErrorPanel";
import { LimitedText } from "../../components/LimitedText";
import {
  charCount,
  formatChannel,
  formatDay,
  formatDayWithWeekday,
  formatGender,
  formatNhsNumber,
  formatPatientName,
  formatTimeRange,
  ukDay,
} from "../../format";
import type { ChosenPatient, ServiceRef } from "../../types";
import type { SavedTriage } from "../Triage/useTriage";
import {
  APPROVAL_REASON_ID,
  APPROVED_BY_ID,
  BookTriage,
  EDIT_TRIAGE_ID,
  timeframeCheck,
  TimeframeWarning,
  useClinicalPreview,
  type PreviewState,
} from "./BookTriage";
import { bookingReference } from "../../reference";
import { Confirmation } from "./Confirmation";
import { UpcomingNotice, upcomingProblem } from "./UpcomingNotice";
import { useUpcoming } from "./useUpcoming";
import { pressed, SHORTCUTS } from "../../shortcuts";
import {
  COMMENT_ID,
  DESCRIPTION_ID,
  draftsProblem,
  fillFromSummary,
  MAX_APPROVED_BY,
  MAX_COMMENT,
  MAX_DESCRIPTION,
  MAX_REASON,
  type ApprovalDraft,
  type Booking,
  type Clinical,
  type Problem,
} from "./useBooking";

/** The call's triage summary as the Book panel needs it. */
export type BookTriageProps = {
  saved: SavedTriage | null;
  /** The form has changed since the last save. */
  dirty: boolean;
  onEdit: () => void;
  onConsent: (consent: boolean) => void;
};

type Props = {
  booking: Booking;
  patient: ChosenPatient | null;
  services: ServiceRef[];
  organisation: string;
  /** Who is booking: a call handler needs a recorded approval for a slot after the timeframe. */
  role: Role;
  /** The approving clinician signs in with CIS2 (a CIS2 desk) instead of being named. */
  approvalBySignIn: boolean;
  triage: BookTriageProps;
  onFindPatient: () => void;
  onAppointments: () => void;
};

/** The slot restated, what to send with it, and a confirm that can only fire once. */
export function BookPanel({ booking, patient, services, organisation, role, approvalBySignIn, triage, onFindPatient, onAppointments }: Props) {
  const { state } = booking;
  const description = useRef<HTMLTextAreaElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const confirmBar = useRef<HTMLDivElement>(null);
  // A mouse button is down in the panel (see the section's onFocus).
  const pressing = useRef(false);
  const slot = state.phase === "idle" ? null : state.slot;
  const service = slot ? services.find((s) => s.id === slot.service_id) : undefined;
  const saved = triage.saved;
  const preview = useClinicalPreview(saved, slot?.service_id ?? null, patient?.patient ?? null);
  const { setDrafts } = booking;

  // The texts start as the summary's, once for each saved version; what the person types after
  // the summary was saved — once its text is in, or while it is on its way — is theirs, whichever
  // slot they pick next.
  const filledFrom = booking.drafts.fromSummary;
  useEffect(() => {
    if (preview.status !== "ready" || filledFrom === preview.version) return;
    const { description, comment } = preview.preview.text;
    setDrafts((prev) => fillFromSummary(prev, preview.version, { description, comment }));
  }, [preview, filledFrom, setDrafts]);

  // "Already booked?": asked when a slot is picked for a patient with an NHS number, and again
  // after each booking; a second booking needs a deliberate tick.
  // A round begins with each booking made, counted as the phase turns to "booked" (also when
  // this panel opens on one).
  const [round, setRound] = useState(state.phase === "booked" ? 1 : 0);
  const [phaseSeen, setPhaseSeen] = useState(state.phase);
  if (phaseSeen !== state.phase) {
    setPhaseSeen(state.phase);
    if (state.phase === "booked") setRound((r) => r + 1);
  }
  const active = state.phase === "editing" || state.phase === "booking";
  const nhs = active ? (patient?.patient.nhs_number ?? null) : null;
  const upcoming = useUpcoming(
    nhs,
    services.map((x) => x.id),
    round,
  );
  // The tick holds for this patient, this round and this slot chosen only: each booking asks again.
  const ackKey = nhs !== null ? `${nhs}|${round}|${booking.picks}` : null;
  const [ackFor, setAckFor] = useState<string | null>(null);
  const acknowledged = ackKey !== null && ackFor === ackKey;
  const upcomingReason = upcomingProblem(upcoming, acknowledged);
  const beside: SeenAppointment[] =
    acknowledged && upcoming.status === "done" ? upcoming.appointments.map((a) => ({ service_id: a.service_id, appointment_id: a.id })) : [];

  const timeframe = slot ? timeframeCheck(saved, slot) : null;
  const needsApproval = !!timeframe?.late && role !== "clinician";
  const approval: ApprovalDraft | null = needsApproval
    ? {
        approved_by: approvalBySignIn ? "" : booking.drafts.approvedBy.trim(),
        reason: booking.drafts.approvalReason.trim(),
        by_sign_in: approvalBySignIn,
      }
    : null;
  const clinical: Clinical = { summary: saved?.summary ?? null, approval };
  const clinicalReason = clinicalProblem(triage, preview, approval);

  // A newly picked slot: straight to the next thing the handler types — the approval when the
  // slot is later than the triage timeframe (the warning comes into view with it), else the
  // description.
  const pickedId = state.phase === "editing" ? `${state.slot.service_id}|${state.slot.id}` : null;
  // Whether approval is needed is read at the moment of the pick, never a reason to move focus.
  const focusFirstField = useEffectEvent(() => {
    const approvedBy = needsApproval ? document.getElementById(APPROVED_BY_ID) : null;
    (approvedBy ?? description.current)?.focus();
  });
  useEffect(() => {
    if (pickedId) focusFirstField();
  }, [pickedId]);

  const blocker = whyNot(patient, service, booking);
  // The first thing holding the booking back: said by the Book button, and where trying to book
  // anyway leads.
  const problem: Problem | null =
    (blocker ? { message: blocker, fix: FIND_PATIENT_ID } : null) ?? upcomingReason ?? clinicalReason ?? draftsProblem(booking.drafts);

  // Trying to book while something holds it back: focus goes to what puts it right, and the
  // reason is said. The count makes the same reason, said again, a change a screen reader hears.
  const [told, setTold] = useState<{ message: string; count: number } | null>(null);
  const tryToBook = () => {
    if (booking.state.phase !== "editing") return;
    if (problem) {
      if (problem.fix) document.getElementById(problem.fix)?.focus();
      setTold((t) => ({ message: problem.message, count: (t?.count ?? 0) + 1 }));
    } else if (patient) {
      void booking.confirm(patient, clinical, beside);
    }
  };

  // Alt+B books from anywhere, with what is on screen at the moment it is pressed.
  const onBookKey = useEffectEvent((e: KeyboardEvent) => {
    if (pressed(e, SHORTCUTS.book)) {
      e.preventDefault();
      // Not while a dialog (switch user, shortcuts) is waiting for an answer.
      if (document.querySelector('[aria-modal="true"]')) return;
      tryToBook();
    }
  });
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      onBookKey(e);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

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
    return <UnknownOutcome booking={booking} onAppointments={onAppointments} />;
  }

  if (state.phase === "failed") {
    return (
      <section className="panel book-panel" aria-label="Book">
        <ErrorPanel error={state.error} title="The booking was not made" takeFocus>
          <button type="button" className="button button--secondary" onClick={booking.backToForm}>
            Back to the booking
          </button>
        </ErrorPanel>
      </section>
    );
  }

  const s = state.slot;
  const busy = state.phase === "booking";
  const approving = state.phase === "booking" && state.approving === true;
  const { drafts } = booking;
  const fromSummary = (field: "description" | "comment") => drafts.summaryText !== null && drafts[field] === drafts.summaryText[field];
  // What was said on trying to book, for as long as it is still the reason.
  const telling = told && told.message === problem?.message ? told : null;

  return (
    <section
      className="panel book-panel"
      data-testid="book-panel"
      aria-label="Book"
      aria-busy={busy}
      // Focus that comes with a press of the mouse is where the person is already looking, and
      // moving the control between press and release would lose the click (a tick box ticks
      // only when both land on it): only focus moved by the keyboard or the app is brought in.
      onPointerDown={() => (pressing.current = true)}
      onPointerUp={() => (pressing.current = false)}
      onPointerCancel={() => (pressing.current = false)}
      onFocus={(e) => {
        if (!pressing.current) keepInView(e, confirmBar.current);
      }}
    >
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
            <button id={FIND_PATIENT_ID} type="button" className="button button--small button--secondary" onClick={onFindPatient}>
              Find the patient <kbd>Alt+1</kbd>
            </button>
          )}
        </div>
      )}
      {!blocker && (
        <UpcomingNotice
          state={upcoming}
          acknowledged={acknowledged}
          onAcknowledge={(yes) => setAckFor(yes ? ackKey : null)}
          disabled={busy}
          services={services}
          role={role}
        />
      )}
      {!blocker && patient && service && (
        <BookTriage saved={saved} dirty={triage.dirty} preview={preview} serviceName={service.name} onEdit={triage.onEdit} />
      )}
      {timeframe?.late && (
        <TimeframeWarning
          by={timeframe.by}
          role={role}
          bySignIn={approvalBySignIn}
          drafts={drafts}
          onDrafts={setDrafts}
          disabled={busy}
        />
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          tryToBook();
        }}
      >
        {drafts.keptOwn && drafts.summaryText && (
          <div className="notice notice--info" role="status" data-testid="kept-own-text">
            <p>
              You typed before the triage summary&apos;s text arrived, so your text is kept and the summary&apos;s was not put in over
              it.
            </p>
            <button
              type="button"
              className="button button--small button--secondary"
              disabled={busy}
              onClick={() => setDrafts({ ...drafts, ...drafts.summaryText, keptOwn: false })}
            >
              Use the summary&apos;s text instead
            </button>
          </div>
        )}
        <LimitedText
          id={DESCRIPTION_ID}
          label="Description"
          hint={
            fromSummary("description") ? "Filled in from the triage summary: edit it if needed." : "What the appointment is for, as the service will see it."
          }
          value={drafts.description}
          onChange={(description) =>
            setDrafts({ ...drafts, description, typedUnder: { ...drafts.typedUnder, description: saved?.version ?? null } })
          }
          limit={MAX_DESCRIPTION}
          required
          rows={2}
          testId="description-input"
          inputRef={description}
          disabled={busy}
        />
        <LimitedText
          id={COMMENT_ID}
          label="Comment"
          hint={fromSummary("comment") ? "Filled in from the triage summary." : "Anything else the service should know, e.g. a call-back number."}
          value={drafts.comment}
          onChange={(comment) => setDrafts({ ...drafts, comment, typedUnder: { ...drafts.typedUnder, comment: saved?.version ?? null } })}
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
        {saved && (
          <label className="checkbox book-panel__consent">
            <input
              id={CONSENT_ID}
              type="checkbox"
              checked={saved.summary.consent_to_share}
              disabled={busy}
              data-testid="book-consent"
              onChange={(e) => triage.onConsent(e.target.checked)}
            />
            <span>The patient agrees to share the triage summary with {service?.name ?? "the service"}</span>
          </label>
        )}
        <div className="book-panel__confirm" ref={confirmBar}>
          <button
            ref={confirmRef}
            type="submit"
            className="button button--primary button--wide"
            data-testid="confirm-booking"
            disabled={busy || problem !== null}
            aria-keyshortcuts="Alt+B"
            aria-describedby={problem ? "book-reason" : undefined}
          >
            {approving ? (
              "Waiting for the clinician's sign-in…"
            ) : busy ? (
              "Booking…"
            ) : (
              <>
                Confirm booking <kbd>Alt+B</kbd>
              </>
            )}
          </button>
          {/* The clinician may not be there after all: nothing is booked until they sign in. */}
          {approving && (
            <button type="button" className="button" data-testid="approval-cancel" onClick={() => void cancelSignIn()}>
              Cancel
            </button>
          )}
          {/* Right by the button, so the reason is in view wherever the panel is scrolled. */}
          {problem && (
            <p className="field__hint" id="book-reason" data-testid="book-reason">
              {problem.message}
            </p>
          )}
          <p className="visually-hidden" aria-live="assertive">
            {approving ? "Waiting for the approving clinician to sign in, in the browser" : busy ? "Booking, please wait" : ""}
          </p>
          <p className="visually-hidden" aria-live="polite" data-testid="book-blocked-announcement">
            {/* A no-break space on every other telling, so the same words are announced again. */}
            {telling ? `Not booked yet: ${telling.message}${telling.count % 2 === 0 ? "\u00a0" : ""}` : ""}
          </p>
        </div>
      </form>
    </section>
  );
}

/** Room left between a focused field and the sticky Confirm bar, in pixels. */
const BAR_GAP = 8;

/**
 * Keeps whatever takes focus in the panel in sight: not below the fold, and not under the sticky
 * Confirm bar, so the person never types into a field they cannot see.
 */
function keepInView(e: FocusEvent<HTMLElement>, bar: HTMLElement | null) {
  // The bar's own controls are always in view; scrolling "to" a sticky element only jumps.
  if (bar?.contains(e.target)) return;
  // The bar grows with the reason shown in it, so it is measured at each focus. The browser
  // leaves this much clear at the bottom when it brings the field into view.
  if (bar) e.currentTarget.style.scrollPaddingBottom = `${bar.offsetHeight + BAR_GAP}px`;
  e.target.scrollIntoView({ block: "nearest" });
}

/**
 * A booking that may or may not have been made. It stays on screen, and the desk will not move
 * to another slot, patient or person, until the patient's appointments have been looked at or
 * the person says they have checked with the service.
 */
function UnknownOutcome({ booking, onAppointments }: { booking: Booking; onAppointments: () => void }) {
  if (booking.state.phase !== "unknown") return null;
  const { slot, error, settled } = booking.state;
  const where = slot.service_name;
  return (
    <section className="panel book-panel" aria-label="Book" data-testid="outcome-unknown">
      <ErrorPanel error={error} title="Outcome unknown — do not book again" takeFocus>
        {settled?.how === "checked" && settled.found && (
          <p
            className="notice notice--success"
            role="status"
            data-testid="outcome-found"
            data-appointment-id={settled.found.id}
          >
            The booking was made: it is on the patient's appointments at {where}, reference{" "}
            <strong>{bookingReference(settled.found).text}</strong>. Read it back from the Appointments screen; do not
            book again.
          </p>
        )}
        {!(settled?.how === "checked" && settled.found) && (
          <p className="error-panel__strong">
            The booking may or may not have been made at {where}
            {" "}({formatDayWithWeekday(ukDay(slot.start))} {formatTimeRange(slot.start, slot.end)}). Check the
            patient's appointments before doing anything else.
          </p>
        )}
        {settled === null && (
          <p className="notice notice--warning" role="status" data-testid="outcome-unknown-held">
            Outcome unknown — checking: this booking stays open, and no other slot, patient or user can be taken up,
            until you have checked.
          </p>
        )}
        {settled?.how === "checked" && !settled.found && (
          <p className="notice notice--warning" role="status" data-testid="outcome-not-found">
            This slot is not among the patient's appointments at {where}. If the service may still have it, call them
            before booking again.
          </p>
        )}
        {settled?.how === "acknowledged" && (
          <p className="notice notice--info" role="status" data-testid="outcome-acknowledged">
            You have said you checked with {where}.
          </p>
        )}
        <button type="button" className="button" data-testid="outcome-unknown-check" onClick={onAppointments}>
          Check the patient's appointments <kbd>Alt+A</kbd>
        </button>
        {settled === null && (
          <label className="checkbox">
            <input type="checkbox" data-testid="outcome-unknown-ack" onChange={(e) => e.target.checked && booking.settle({ how: "acknowledged" })} />
            <span>I have checked with {where} whether this booking was made</span>
          </label>
        )}
        <button
          type="button"
          className="button button--secondary"
          data-testid="outcome-unknown-close"
          onClick={booking.reset}
          disabled={settled === null}
          aria-describedby={settled === null ? "outcome-unknown-why" : undefined}
        >
          Close
        </button>
        {settled === null && (
          <p className="field__hint" id="outcome-unknown-why">
            Close once you have checked the patient's appointments, or ticked that you have checked with the service.
          </p>
        )}
      </ErrorPanel>
    </section>
  );
}

/** Ids of the panel's own controls that put a problem right. */
const FIND_PATIENT_ID = "book-find-patient";
const CONSENT_ID = "book-consent";

/** Why the triage summary (or the lack of an approval) holds the booking back. */
function clinicalProblem(triage: BookTriageProps, preview: PreviewState, approval: ApprovalDraft | null): Problem | null {
  if (!triage.saved) return null;
  if (triage.dirty) return { message: "Save the changes to the triage summary first (Alt+T).", fix: EDIT_TRIAGE_ID };
  if (preview.status === "loading") return { message: "Preparing what the service will receive…", fix: null };
  if (preview.status === "failed") return { message: "Correct the triage summary first (Alt+T).", fix: EDIT_TRIAGE_ID };
  if (!triage.saved.summary.consent_to_share) {
    return {
      message: "The patient has not agreed to share the triage summary. Tick their consent, or remove the summary (Alt+T) to book without it.",
      fix: CONSENT_ID,
    };
  }
  if (approval) {
    if ((!approval.by_sign_in && !approval.approved_by) || !approval.reason) {
      return {
        message: "This slot is later than the triage timeframe: record which clinician approved it and why.",
        fix: approval.approved_by || approval.by_sign_in ? APPROVAL_REASON_ID : APPROVED_BY_ID,
      };
    }
    const nameTooLong = approval.approved_by.length > MAX_APPROVED_BY;
    if (nameTooLong || charCount(approval.reason) > MAX_REASON) {
      return {
        message: `Shorten the approval: at most ${MAX_APPROVED_BY} characters for the name and ${MAX_REASON} for the reason.`,
        fix: nameTooLong ? APPROVED_BY_ID : APPROVAL_REASON_ID,
      };
    }
  }
  return null;
}

/** Why this booking cannot go ahead as it stands, beyond the texts. */
function whyNot(patient: ChosenPatient | null, service: ServiceRef | undefined, booking: Booking): string | null {
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
