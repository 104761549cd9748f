import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ApiError } from "../api/client";

// Plain-English headings: the kind itself is for code, never for the screen. A complete Record,
// so a kind added in the engine fails the type check until it has words here.
const HEADINGS: Record<ApiError["kind"], string> = {
  "invalid-input": "Check what was entered",
  config: "Booking Desk is not set up correctly",
  internal: "Booking Desk hit a fault of its own",
  "unknown-service": "That service is not in the directory",
  "patient-not-found": "The service has no record of this patient",
  "not-found": "The service has no record of that appointment",
  "slot-taken": "That slot has just been taken",
  "version-conflict": "The appointment changed at the service",
  rejected: "The service refused the request",
  "access-denied": "The service refused access",
  "provider-error": "The service had a problem",
  unavailable: "The service could not be reached",
  timeout: "The service did not answer in time",
  "response-too-large": "The service sent too much back",
  "wrong-content-type": "The service sent an answer we cannot read",
  "malformed-response": "The service sent an answer we cannot read",
  "outcome-unknown": "Outcome unknown — do not book again",
  store: "Booking Desk could not read or save its records",
  "not-permitted": "Your role does not allow this",
  "sign-in-required": "Sign in first",
  certificate: "The secure connection was refused",
  keyring: "The system keyring could not be used",
  "already-booked": "The patient is already booked",
  "duplicate-message": "The service already had this request",
};

type Props = {
  error: ApiError;
  /** Overrides the heading chosen from the kind. */
  title?: string;
  /** Actions for this place (retry, back …). */
  children?: ReactNode;
  /** Move focus to the panel: used when it replaces the control that had focus. */
  takeFocus?: boolean;
  compact?: boolean;
};

/** An engine error in plain words, with the next step and a trace id the helpdesk can use. */
export function ErrorPanel({ error, title, children, takeFocus, compact }: Props) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const traceRef = useRef<HTMLElement>(null);
  const [copyStatus, setCopyStatus] = useState("");

  useEffect(() => {
    if (takeFocus) heading.current?.focus();
  }, [takeFocus]);

  const trace = error.trace_id;

  async function copyTrace() {
    if (!trace) return;
    try {
      if (!navigator.clipboard?.writeText) throw new Error("no clipboard");
      await navigator.clipboard.writeText(trace);
      setCopyStatus("Trace ID copied");
    } catch {
      // Without clipboard access, select the text so Ctrl+C copies it.
      const el = traceRef.current;
      const selection = window.getSelection();
      if (el && selection) {
        const range = document.createRange();
        range.selectNodeContents(el);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopyStatus("Trace ID selected — press Ctrl+C to copy");
    }
  }

  const H = compact ? "h3" : "h2";
  return (
    <section
      className={compact ? "error-panel error-panel--compact" : "error-panel"}
      data-testid="error-panel"
      data-kind={error.kind}
      role="alert"
      aria-labelledby={headingId}
    >
      <H id={headingId} ref={heading} tabIndex={-1} className="error-panel__title">
        {title ?? HEADINGS[error.kind] ?? "Something went wrong"}
      </H>
      <p className="error-panel__message" data-testid="error-message">
        {error.message}
      </p>
      <p className="error-panel__next">
        <span className="error-panel__label">What to do next: </span>
        <span data-testid="error-next-step">{error.next_step}</span>
      </p>
      {trace && (
        <p className="error-panel__trace">
          <span className="error-panel__label">Trace ID </span>
          <code ref={traceRef} data-testid="trace-id">
            {trace}
          </code>{" "}
          <button
            type="button"
            className="button button--small button--secondary"
            data-testid="copy-trace-id"
            onClick={copyTrace}
            aria-label="Copy the trace ID"
          >
            Copy
          </button>
          <span className="error-panel__copied" aria-live="polite">
            {copyStatus}
          </span>
        </p>
      )}
      {error.code && (
        <details className="error-panel__details">
          <summary>Details for the helpdesk</summary>
          <p>
            Error code {error.code}
            {trace ? ` · trace ID ${trace}` : ""}
          </p>
        </details>
      )}
      {children && <div className="error-panel__actions">{children}</div>}
    </section>
  );
}
