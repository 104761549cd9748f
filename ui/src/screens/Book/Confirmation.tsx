import { Fragment, useEffect, useRef } from "react";
import type { AppointmentView, BookingOutcome, ClinicalSent } from "../../api/bindings";
import { formatDayWithWeekday, formatGender, formatTimeRange, ukDay } from "../../format";
import { bookingReference } from "../../reference";

/** How the patient will be seen, in words to read to them. */
export function channelReadBack(a: Pick<AppointmentView, "delivery_channel" | "location">): string {
  switch (a.delivery_channel) {
    case "Telephone":
      return "Telephone — the service will phone the patient";
    case "Video":
      return "Video consultation";
    case "In-person":
      return `In person${a.location?.name ? ` at ${a.location.name}` : ""}`;
    default:
      return "Channel not stated — the service has not said how the patient will be seen";
  }
}

/** A provider's address is for the engine, never for the screen. */
const isUrl = (value: string) => /^https?:\/\//i.test(value.trim());

type Props = { outcome: BookingOutcome; onAppointments: () => void; onDone: () => void };

/** What was booked, laid out to be read back to the patient. */
export function Confirmation({ outcome, onAppointments, onDone }: Props) {
  const a = outcome.appointment;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const p = a.practitioner;
  const reference = bookingReference(a);
  const reportId = outcome.clinical?.report_id ?? null;
  const reportName = outcome.clinical?.standard === "bars" ? "Booking message id" : "111 report id";
  // Every id the helpdesk or the service might ask for, kept out of the read-back.
  const ids: { label: string; value: string; testId?: string }[] = [
    { label: "Appointment id", value: a.id, testId: "confirmation-reference" },
    ...(reportId ? [{ label: reportName, value: reportId, testId: "report-id" }] : []),
    ...a.slot_ids.map((value) => ({ label: "Slot id", value })),
    { label: "Service id", value: a.service_id },
  ].filter((x) => !isUrl(x.value));
  return (
    <section className="panel book-panel confirmation" data-testid="booking-confirmation" aria-labelledby="confirmation-title">
      <h2 id="confirmation-title" className="confirmation__title" ref={heading} tabIndex={-1}>
        Booked — read this back to the patient
      </h2>
      <div aria-live="polite" className="visually-hidden">
        Appointment booked at {a.service_name}
      </div>
      {outcome.confirmed_by_check && (
        <div className="notice notice--info" role="status">
          The service's answer was lost on the way back. The booking was confirmed by checking with the service: it
          has been made.
        </div>
      )}
      {outcome.clinical && <ClinicalSentNote sent={outcome.clinical} />}
      {outcome.demographic_mismatches.length > 0 && (
        <div className="notice notice--warning" role="alert">
          <p className="notice__title">The service's details for the patient differ from ours</p>
          <table className="table table--dense">
            <thead>
              <tr>
                <th scope="col">Detail</th>
                <th scope="col">Ours</th>
                <th scope="col">The service's</th>
              </tr>
            </thead>
            <tbody>
              {outcome.demographic_mismatches.map((m) => (
                <tr key={m.field}>
                  <th scope="row">{m.field}</th>
                  <td>{m.ours}</td>
                  <td>{m.theirs}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>Check these with the caller; tell the service if its record is wrong.</p>
        </div>
      )}
      <dl className="facts facts--readback">
        <dt>Reference</dt>
        <dd>
          <strong data-testid="confirmation-readable-reference">{reference.text}</strong>{" "}
          <span className="muted" data-testid="confirmation-reference-whose">
            ({reference.whose})
          </span>
        </dd>
        <dt>Service</dt>
        <dd className="facts__strong">{a.service_name}</dd>
        <dt>Date</dt>
        <dd className="facts__strong">{formatDayWithWeekday(ukDay(a.start))}</dd>
        <dt>Time</dt>
        <dd className="facts__strong">{formatTimeRange(a.start, a.end)}</dd>
        <dt>Place</dt>
        <dd>
          {a.location ? [a.location.name, a.location.address].filter(Boolean).join(", ") || "Not stated" : "Not stated"}
        </dd>
        <dt>How</dt>
        <dd className="facts__strong">{channelReadBack(a)}</dd>
        <dt>With</dt>
        <dd>
          {p?.name ?? "Practitioner not named"}
          {p?.role ? `, ${p.role}` : ""}
          {p?.gender ? ` (${formatGender(p.gender)})` : ""}
        </dd>
        {a.description && (
          <>
            <dt>Description</dt>
            <dd>{a.description}</dd>
          </>
        )}
        {a.comment && (
          <>
            <dt>Comment</dt>
            <dd>{a.comment}</dd>
          </>
        )}
      </dl>
      <details className="preview confirmation__ids" data-testid="confirmation-identifiers">
        <summary>Full identifiers</summary>
        <dl className="facts facts--small">
          {ids.map((x) => (
            <Fragment key={`${x.label}|${x.value}`}>
              <dt>{x.label}</dt>
              <dd data-testid={x.testId}>{x.value}</dd>
            </Fragment>
          ))}
        </dl>
      </details>
      <div className="button-row">
        <button type="button" className="button" onClick={onAppointments}>
          Patient's appointments <kbd>Alt+A</kbd>
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

/**
 * What of the triage summary went to the service. A report that did not arrive is said clearly,
 * with what to do, but calmly: the booking itself stands.
 */
export function ClinicalSentNote({ sent }: { sent: ClinicalSent }) {
  if (sent.standard === "gp-connect") {
    return (
      <div className="notice notice--success" role="status" data-testid="clinical-sent">
        The triage summary went in the description and comment.
      </div>
    );
  }
  if (sent.standard === "bars" && sent.report_delivered) {
    return (
      <div className="notice notice--success" role="status" data-testid="clinical-sent">
        The triage summary went with the booking, in its BaRS message.
      </div>
    );
  }
  // The report's id is under "Full identifiers", not in words to be read.
  const what = sent.standard === "bars" ? "booking message" : "111 report";
  if (sent.report_delivered) {
    return (
      <div className="notice notice--success" role="status" data-testid="clinical-sent">
        The {what} was sent to the service.
      </div>
    );
  }
  const problem = sent.report_problem;
  return (
    <div className="notice notice--warning" role="alert" data-testid="report-not-sent">
      <p className="notice__title">The booking stands, but the {what} did not reach the service</p>
      <p>{problem?.message ?? `The ${what} could not be delivered.`}</p>
      <p>
        <strong>What to do next: </strong>
        {problem?.next_step ?? "Phone the service with anything they must know before the patient arrives."}
      </p>
      <p className="small">
        The {what} is kept with the booking.
        {problem?.trace_id ? ` Trace ID ${problem.trace_id}.` : ""}
      </p>
    </div>
  );
}
