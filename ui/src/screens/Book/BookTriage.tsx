import { useEffect, useEffectEvent, useState } from "react";
import type { ClinicalPreview, PatientView, Role, SlotView } from "../../api/bindings";
import { clinicalPreview, type ApiError } from "../../api/client";
import { ErrorPanel } from "../../components/ErrorPanel";
import { LimitedText } from "../../components/LimitedText";
import { Spinner } from "../../components/Spinner";
import { formatSeeBy, ukToday } from "../../format";
import { seeBy } from "../Triage/triage";
import type { SavedTriage } from "../Triage/useTriage";
import { MAX_APPROVED_BY, MAX_REASON, type Drafts } from "./useBooking";

export type PreviewState =
  | { status: "none" }
  | { status: "loading" }
  | { status: "ready"; preview: ClinicalPreview; version: number }
  | { status: "failed"; error: ApiError };

/**
 * What the chosen slot's service would receive of the saved summary, asked of the engine again
 * whenever the summary is saved anew, the service changes or the patient does. Consent alone
 * changing asks nothing: it does not change what is sent, only whether it may be.
 */
export function useClinicalPreview(saved: SavedTriage | null, serviceId: string | null, patient: PatientView | null): PreviewState {
  const version = saved?.version ?? null;
  const key = saved && serviceId && patient ? `${version}|${serviceId}` : null;
  const [state, setState] = useState<{ key: string | null; patient: PatientView | null; value: PreviewState }>({
    key: null,
    patient: null,
    value: { status: "none" },
  });

  // `saved` is read at the time of asking, not a reason to ask: its version, in the key, stands
  // for its content.
  const ask = useEffectEvent((isLive: () => boolean) => {
    if (!key || !saved || !serviceId || !patient || version === null) return;
    // As the booking will send it: another provider's logical id means nothing to this one.
    void clinicalPreview(saved.summary, serviceId, { ...patient, id: null }).then((r) => {
      if (!isLive()) return;
      setState({
        key,
        patient,
        value: r.ok ? { status: "ready", preview: r.value, version } : { status: "failed", error: r.error },
      });
    });
  });

  useEffect(() => {
    let live = true;
    ask(() => live);
    return () => {
      live = false;
    };
  }, [key, patient]);

  if (!key) return { status: "none" };
  // Until the new answer comes, the last one belongs to another slot, summary or patient.
  if (state.key !== key || state.patient !== patient) return { status: "loading" };
  return state.value;
}

type SectionProps = {
  saved: SavedTriage | null;
  dirty: boolean;
  preview: PreviewState;
  serviceName: string;
  onEdit: () => void;
};

/** Ids of the controls that put a problem with the summary or the approval right. */
export const EDIT_TRIAGE_ID = "book-edit-triage";
export const APPROVED_BY_ID = "approved-by";
export const APPROVAL_REASON_ID = "approval-reason";

/** The triage summary as the receiving service will get it, or a way to add one. */
export function BookTriage({ saved, dirty, preview, serviceName, onEdit }: SectionProps) {
  const editButton = (
    <button
      id={EDIT_TRIAGE_ID}
      type="button"
      className="button button--small button--secondary"
      data-testid="edit-triage"
      onClick={onEdit}
      aria-keyshortcuts="Alt+T"
    >
      {saved ? "Edit the triage summary" : "Add the triage summary"} <kbd>Alt+T</kbd>
    </button>
  );
  if (!saved) {
    return (
      <section className="book-triage" aria-labelledby="book-triage-title" data-testid="book-triage">
        <h3 id="book-triage-title" className="book-triage__title">
          Triage summary
        </h3>
        <p className="muted">None for this call yet: the service gets only the description and comment.</p>
        {editButton}
      </section>
    );
  }
  return (
    <section className="book-triage" aria-labelledby="book-triage-title" data-testid="book-triage" aria-busy={preview.status === "loading"}>
      <h3 id="book-triage-title" className="book-triage__title">
        Triage summary: what {serviceName} will receive
      </h3>
      {dirty && (
        <div className="notice notice--warning" role="status" data-testid="triage-unsaved">
          The triage summary has changes that are not saved. Save them before booking, so the service gets what you
          typed.
        </div>
      )}
      {preview.status === "loading" && (
        <p className="muted" role="status">
          <Spinner /> Preparing what the service will receive…
        </p>
      )}
      {preview.status === "failed" && (
        <ErrorPanel error={preview.error} title="The triage summary cannot be sent as it is" compact />
      )}
      {preview.status === "ready" && <PreviewBody preview={preview.preview} />}
      <div className="button-row button-row--tight">{editButton}</div>
    </section>
  );
}

function PreviewBody({ preview }: { preview: ClinicalPreview }) {
  const { text, sections, document, standard } = preview;
  if (standard === "gp-connect") {
    return (
      <div data-testid="preview-gp-connect">
        <p>GP Connect carries the summary in the description and comment below. You can still edit them.</p>
        {text.truncated && (
          <div className="notice notice--warning" data-testid="preview-truncated">
            <p className="notice__title">Shortened to fit</p>
            <p>
              GP Connect takes 100 characters of description and 500 of comment, so the summary was cut to fit. The
              full summary is kept with the booking.
            </p>
          </div>
        )}
        {text.truncated && (
          <details className="preview">
            <summary>The full summary kept with the booking</summary>
            <Sections sections={sections} />
          </details>
        )}
      </div>
    );
  }
  const what = standard === "bars" ? "referral message" : "111 report";
  return (
    <div data-testid="preview-report">
      <p>
        The service gets this {what} with the appointment, and the description and comment below.
        {text.truncated ? " The description and comment were shortened to fit; the report carries the whole summary." : ""}
      </p>
      <div className="report" data-testid="preview-sections">
        <Sections sections={sections} />
      </div>
      {document && (
        <details className="preview" data-testid="preview-document">
          <summary>Show the document</summary>
          {/* A document this long scrolls: it takes focus so the keyboard can scroll it too (WCAG 2.1.1). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <pre className="report__document" tabIndex={0} aria-label={`The ${what} as sent`}>
            {document}
          </pre>
        </details>
      )}
    </div>
  );
}

function Sections({ sections }: { sections: ClinicalPreview["sections"] }) {
  return (
    <>
      {sections.map((s) => (
        <div key={s.title} className="report__section">
          <h4 className="report__title">{s.title}</h4>
          {s.lines.map((line, i) => (
            <p key={i} className="report__line">
              {line}
            </p>
          ))}
        </div>
      ))}
    </>
  );
}

/** Whether the slot starts after the patient should have been seen, and by when that is. */
export function timeframeCheck(saved: SavedTriage | null, slot: SlotView): { late: boolean; by: string } | null {
  if (!saved) return null;
  const by = seeBy(saved.summary);
  return { late: Date.parse(slot.start) > by, by: formatSeeBy(new Date(by), ukToday()) };
}

type TimeframeProps = {
  by: string;
  role: Role;
  /** The clinician approves by signing in with CIS2 when the booking is sent. */
  bySignIn: boolean;
  drafts: Drafts;
  onDrafts: (d: Drafts) => void;
  disabled: boolean;
};

/**
 * A slot later than the triage timeframe: said plainly. A call handler records the approving
 * clinician and why (the engine refuses without); a clinician's own judgement is enough.
 */
export function TimeframeWarning({ by, role, bySignIn, drafts, onDrafts, disabled }: TimeframeProps) {
  return (
    <div className="notice notice--warning" role="status" data-testid="timeframe-warning">
      <p className="notice__title">This slot is later than the triage timeframe: see by {by}</p>
      {role === "clinician" ? (
        <p>As a clinician you may book it. Choose an earlier slot if the patient should be seen sooner.</p>
      ) : (
        <>
          {bySignIn ? (
            <p data-testid="approval-by-sign-in">
              Choose an earlier slot, or ask a clinician to approve this one: give the reason here, and when you book,
              the clinician signs in with their own NHS smartcard or authenticator in the browser that opens.
            </p>
          ) : (
            <>
              <p>Choose an earlier slot, or ask a clinician to approve this one and record who approved it and why.</p>
              <div className="field">
                <label className="field__label" htmlFor={APPROVED_BY_ID}>
                  Approved by
                </label>
                <div className="field__hint" id="approved-by-hint">
                  The clinician's name (and role or PIN where your centre asks for it).
                </div>
                <input
                  id={APPROVED_BY_ID}
                  className="input"
                  value={drafts.approvedBy}
                  maxLength={MAX_APPROVED_BY}
                  autoComplete="off"
                  disabled={disabled}
                  aria-describedby="approved-by-hint"
                  data-testid="approved-by"
                  onChange={(e) => onDrafts({ ...drafts, approvedBy: e.target.value })}
                />
              </div>
            </>
          )}
          <LimitedText
            id={APPROVAL_REASON_ID}
            label="Reason"
            hint="Why the later slot is clinically acceptable."
            value={drafts.approvalReason}
            onChange={(approvalReason) => onDrafts({ ...drafts, approvalReason })}
            limit={MAX_REASON}
            required
            rows={2}
            testId="approval-reason"
            disabled={disabled}
          />
        </>
      )}
    </div>
  );
}
