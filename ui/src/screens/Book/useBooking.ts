import { useCallback, useLayoutEffect, useRef, useState } from "react";
import type { AppointmentView, BookingOutcome, BookRequest, ClinicalSummary, SeenAppointment, SlotView } from "../../api/bindings";
import { approveNamed, approveWithCis2, book, type ApiError } from "../../api/client";
import { charCount } from "../../format";
import type { ChosenPatient } from "../../types";

export const MAX_DESCRIPTION = 100;
export const MAX_COMMENT = 500;

export type BookingPhase =
  | { phase: "idle" }
  | { phase: "editing"; slot: SlotView }
  // `approving`: waiting for the approving clinician to sign in, in the browser.
  | { phase: "booking"; slot: SlotView; approving?: boolean }
  | { phase: "booked"; slot: SlotView; outcome: BookingOutcome }
  | { phase: "failed"; slot: SlotView; error: ApiError }
  | { phase: "slot-taken"; slot: SlotView; error: ApiError }
  | { phase: "unknown"; slot: SlotView; error: ApiError; settled: Settled | null };

/**
 * How an unknown outcome was dealt with: the patient's appointments were looked at (with the
 * booking found there or not), or the person says they have checked with the service.
 */
export type Settled = { how: "checked"; found: AppointmentView | null } | { how: "acknowledged" };

export type Drafts = {
  description: string;
  comment: string;
  /** A clinician's approval for a slot later than the triage timeframe (call handlers). */
  approvedBy: string;
  approvalReason: string;
  /** The triage summary version the texts were last filled from; null when typed by hand. */
  fromSummary: number | null;
  /** The texts that summary gave, to put back on request. */
  summaryText: { description: string; comment: string } | null;
  /**
   * The summary version saved when the person last typed in each text: typed under the version
   * whose text then arrives, their words are kept; typed earlier (for an earlier slot, before
   * this summary was saved), the summary's text replaces them.
   */
  typedUnder: { description: number | null; comment: number | null };
  /** The person had typed their own text before the summary's arrived, and it was kept. */
  keptOwn: boolean;
};

export const EMPTY_DRAFTS: Drafts = {
  description: "",
  comment: "",
  approvedBy: "",
  approvalReason: "",
  fromSummary: null,
  summaryText: null,
  typedUnder: { description: null, comment: null },
  keptOwn: false,
};

/** The texts after summary `version`'s arrive: see [`Drafts.typedUnder`]. */
export function fillFromSummary(prev: Drafts, version: number, text: { description: string; comment: string }): Drafts {
  const own = (field: "description" | "comment") => prev.typedUnder[field] === version && prev[field].trim() !== "";
  const description = own("description") ? prev.description : text.description;
  const comment = own("comment") ? prev.comment : text.comment;
  const keptOwn = description !== text.description || comment !== text.comment;
  return { ...prev, description, comment, fromSummary: version, summaryText: { ...text }, keptOwn };
}

export const MAX_APPROVED_BY = 100;
export const MAX_REASON = 500;

/** What goes with the booking besides the texts: the triage summary and any approval. */
/** The approving clinician as typed at the desk (the demo's way), and why they approved. */
export type ApprovalDraft = { approved_by: string; reason: string; by_sign_in?: boolean };
export type Clinical = { summary: ClinicalSummary | null; approval: ApprovalDraft | null };

/**
 * Why a booking cannot go ahead yet, and the id of the control that puts it right, to move focus
 * to when the person tries to book anyway; null when only waiting will.
 */
export type Problem = { message: string; fix: string | null };

/** Ids of the Book panel's text boxes, so a problem can lead to them. */
export const DESCRIPTION_ID = "book-description";
export const COMMENT_ID = "book-comment";

export function draftsProblem(d: Drafts): Problem | null {
  if (d.description.trim() === "") return { message: "Enter a description of what the appointment is for.", fix: DESCRIPTION_ID };
  if (charCount(d.description) > MAX_DESCRIPTION) {
    return { message: `Shorten the description to ${MAX_DESCRIPTION} characters.`, fix: DESCRIPTION_ID };
  }
  if (charCount(d.comment) > MAX_COMMENT) return { message: `Shorten the comment to ${MAX_COMMENT} characters.`, fix: COMMENT_ID };
  return null;
}

type Hooks = {
  /** A slot went between search and booking: search again. */
  onSlotTaken: () => void;
  /** Booked: the slot is no longer free. */
  onBooked: (slot: SlotView) => void;
};

/**
 * The booking in progress, held above the screens so an answer that arrives after a change of
 * tab is never lost. The texts typed survive picking another slot.
 */
export function useBooking({ onSlotTaken, onBooked }: Hooks) {
  const [state, setState] = useState<BookingPhase>({ phase: "idle" });
  const [drafts, setDrafts] = useState<Drafts>(EMPTY_DRAFTS);
  // Each slot chosen is a new booking: decisions made for the last one (such as "book another
  // anyway") are keyed by this count, so they are not carried over.
  const [picks, setPicks] = useState(0);
  // A ref, not state: two presses in the same frame must not both get through.
  const inFlight = useRef(false);

  const pick = useCallback((slot: SlotView) => {
    if (inFlight.current) return;
    // After an unknown outcome nothing else is booked until the handler has closed that warning.
    setState((s) => (s.phase === "unknown" ? s : { phase: "editing", slot }));
    setPicks((n) => n + 1);
  }, []);

  // A booking whose outcome is unknown holds the desk until it is settled: leaving it could end
  // in the patient booked twice, or not at all while the desk believes otherwise.
  const held = state.phase === "unknown" && state.settled === null;
  // For the callbacks below, which stay the same across renders; kept up to date once the render
  // is committed, before anything the handler does can call them.
  const heldRef = useRef(held);
  useLayoutEffect(() => {
    heldRef.current = held;
  }, [held]);

  const close = useCallback(() => {
    if (inFlight.current || heldRef.current) return;
    setState({ phase: "idle" });
  }, []);

  const settle = useCallback((settled: Settled) => {
    setState((s) => (s.phase === "unknown" && s.settled === null ? { ...s, settled } : s));
  }, []);

  const backToForm = useCallback(() => {
    setState((s) => (s.phase === "failed" ? { phase: "editing", slot: s.slot } : s));
  }, []);

  const confirm = useCallback(
    async (patient: ChosenPatient, clinical: Clinical = { summary: null, approval: null }, beside: SeenAppointment[] = []) => {
      if (inFlight.current || state.phase !== "editing") return;
      if (draftsProblem(drafts)) return;
      inFlight.current = true;
      const slot = state.slot;
      setState({ phase: "booking", slot });
      // The desk, not the page, knows who approved: it hands back a ticket the booking names.
      let approval: BookRequest["clinical_approval"] = null;
      if (clinical.approval) {
        // On a CIS2 desk the clinician proves who they are in the browser; on the demo, named.
        if (clinical.approval.by_sign_in) setState({ phase: "booking", slot, approving: true });
        const approver = clinical.approval.by_sign_in
          ? await approveWithCis2()
          : await approveNamed(clinical.approval.approved_by);
        if (approver.ok) setState({ phase: "booking", slot });
        if (!approver.ok) {
          inFlight.current = false;
          setState({ phase: "failed", slot, error: approver.error });
          return;
        }
        approval = { ticket: approver.value.ticket, reason: clinical.approval.reason };
      }
      const comment = drafts.comment.trim();
      const request: BookRequest = {
        service_id: slot.service_id,
        slot_ids: [slot.id],
        // The desk checks the slot is still free on its own day, however far ahead it is.
        slot_start: slot.start,
        nhs_number: patient.patient.nhs_number,
        // Another provider's logical id means nothing to this one.
        patient: { ...patient.patient, id: null },
        description: drafts.description.trim(),
        comment: comment === "" ? null : comment,
        // Only when there is one: a booking without a summary sends exactly what it always did.
        ...(clinical.summary ? { clinical: clinical.summary } : {}),
        ...(approval ? { clinical_approval: approval } : {}),
        // The upcoming appointments the person was shown and booked beside: the engine refuses
        // the booking if it finds one not named here.
        ...(beside.length > 0 ? { book_beside: beside } : {}),
      };
      const result = await book(request);
      inFlight.current = false;
      if (result.ok) {
        setState({ phase: "booked", slot, outcome: result.value });
        setDrafts(EMPTY_DRAFTS);
        onBooked(slot);
        return;
      }
      const error = result.error;
      if (error.kind === "slot-taken") {
        setState({ phase: "slot-taken", slot, error });
        onSlotTaken();
      } else if (error.kind === "outcome-unknown") {
        setState({ phase: "unknown", slot, error, settled: null });
      } else {
        setState({ phase: "failed", slot, error });
      }
    },
    [drafts, state, onBooked, onSlotTaken],
  );

  /** Clears the booking; refused (false) while one is being sent or its outcome is unknown. */
  const reset = useCallback((): boolean => {
    if (inFlight.current || heldRef.current) return false;
    setState({ phase: "idle" });
    setDrafts(EMPTY_DRAFTS);
    return true;
  }, []);

  return { state, drafts, setDrafts, picks, pick, close, confirm, backToForm, reset, held, settle };
}

export type Booking = ReturnType<typeof useBooking>;
