import { Fragment, useEffect, useId, useRef, useState } from "react";
import type { AppointmentHistory, AppointmentStatus, BookingEvent, BookingFilter, CentreBooking, Role, Service } from "../../api/bindings";
import { appointmentHistory, centreBookings, type ApiError } from "../../api/client";
import { CsvExport } from "../../components/CsvExport";
import { DateField } from "../../components/DateField";
import { ErrorPanel } from "../../components/ErrorPanel";
import { Spinner } from "../../components/Spinner";
import { addDays, formatDateTime, formatNhsNumber, formatRole, formatTime, plural } from "../../format";

type Props = { services: Service[]; today: string };

type Load<T> = { state: "loading" } | { state: "error"; error: ApiError } | { state: "loaded"; value: T };

const ACTION: Record<CentreBooking["last_action"], string> = { book: "Booked", amend: "Amended", cancel: "Cancelled" };

const HEADER = ["Booked at", "NHS number", "Service", "Reference", "Appointment", "Status", "Last change", "Booked by", "Desk"];

function cells(b: CentreBooking): string[] {
  return [
    formatDateTime(b.booked_at),
    b.nhs_number ? formatNhsNumber(b.nhs_number) : "",
    b.service_name,
    b.appointment_id,
    b.start ? formatDateTime(b.start) : "",
    b.status ?? "unknown",
    `${ACTION[b.last_action]} ${formatDateTime(b.last_changed_at)}`,
    b.booked_by,
    b.desk,
  ];
}

/** Lower case, with any run of spaces and punctuation as one space: "Desk 7" finds "desk-7". */
const words = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/** Whether `typed` is part of any of `names`, as a supervisor would read them. */
function partOf(typed: string, ...names: string[]): boolean {
  const t = words(typed);
  return t === "" || names.some((n) => words(n).includes(t));
}

/** The whole centre's bookings, for a supervisor: filtered, exported, each with its history. */
export function CentreScreen({ services, today }: Props) {
  const [from, setFrom] = useState(addDays(today, -6));
  const [to, setTo] = useState(today);
  const [service, setService] = useState("");
  const [status, setStatus] = useState<AppointmentStatus | "">("");
  const [user, setUser] = useState("");
  const [desk, setDesk] = useState("");
  const [load, setLoad] = useState<Load<CentreBooking[]>>({ state: "loading" });
  const [open, setOpen] = useState<CentreBooking | null>(null);
  // The reference that opened the history: where Close puts focus back.
  const opener = useRef<HTMLElement | null>(null);
  const ids = { service: useId(), status: useId(), user: useId(), desk: useId() };

  // The registry matches a person or desk only exactly: those two are matched here instead, by
  // any part of the name, so "sam" finds Sam Okafor and "desk 7" finds desk-7.
  const filter: BookingFilter = {
    from: from || null,
    to: to || null,
    service_id: service || null,
    status: status || null,
    user_local_id: null,
    desk: null,
  };
  const key = JSON.stringify(filter);

  // A changed filter: the rows on screen are no longer its answer.
  const [asked, setAsked] = useState(key);
  if (asked !== key) {
    setAsked(key);
    setLoad({ state: "loading" });
  }

  useEffect(() => {
    let live = true;
    void centreBookings(JSON.parse(key) as BookingFilter).then((r) => {
      // An answer to a filter since changed is not shown.
      if (live) setLoad(r.ok ? { state: "loaded", value: r.value } : { state: "error", error: r.error });
    });
    return () => {
      live = false;
    };
  }, [key]);

  const rows = (load.state === "loaded" ? load.value : []).filter(
    (b) => partOf(user, b.booked_by, b.booked_by_local_id) && partOf(desk, b.desk),
  );
  return (
    <section className="panel screen-panel centre" aria-labelledby="centre-title">
      <div className="panel__head">
        <h2 id="centre-title" className="panel__title">
          Booked by the centre
        </h2>
        <CsvExport name="centre-bookings" header={HEADER} rows={rows.map(cells)} />
      </div>
      <form className="filters" role="search" aria-label="Filter the centre's bookings" onSubmit={(e) => e.preventDefault()}>
        <DateField label="Booked from" value={from} onChange={setFrom} testId="centre-from" />
        <DateField label="to" value={to} onChange={setTo} testId="centre-to" />
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.service}>
            Service
          </label>
          <select id={ids.service} className="input" value={service} onChange={(e) => setService(e.target.value)} data-testid="centre-service">
            <option value="">All</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.status}>
            Status
          </label>
          <select id={ids.status} className="input" value={status} onChange={(e) => setStatus(e.target.value as AppointmentStatus | "")} data-testid="centre-status">
            <option value="">All</option>
            <option value="booked">Booked</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.user}>
            Booked by
          </label>
          <input
            id={ids.user}
            className="input input--w10"
            value={user}
            placeholder="Name or local id"
            onChange={(e) => setUser(e.target.value)}
            data-testid="centre-user"
          />
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.desk}>
            Desk
          </label>
          <input id={ids.desk} className="input input--w10" value={desk} onChange={(e) => setDesk(e.target.value)} data-testid="centre-desk" />
        </div>
        <span className="panel__meta" aria-live="polite">
          {load.state === "loaded" && plural(rows.length, "booking")}
        </span>
      </form>
      {load.state === "loading" && (
        <p className="loading" role="status">
          <Spinner /> Loading the centre's bookings…
        </p>
      )}
      {load.state === "error" && <ErrorPanel error={load.error} title="The centre's bookings could not be read" />}
      {load.state === "loaded" && (
        <div className="table-scroll">
          <table className="table table--dense" data-testid="centre-table" aria-labelledby="centre-title">
            <thead>
              <tr>
                {HEADER.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={HEADER.length} className="muted">
                    No bookings match.
                  </td>
                </tr>
              )}
              {rows.map((b) => {
                const c = cells(b);
                return (
                  <tr key={`${b.service_id}|${b.appointment_id}`} data-testid="centre-row" data-appointment-id={b.appointment_id} data-status={b.status ?? "unknown"}>
                    <td className="nowrap">{c[0]}</td>
                    <td className="nowrap">{c[1] || "None"}</td>
                    <td>{c[2]}</td>
                    <td className="mono">
                      <button
                        type="button"
                        className="link-button"
                        onClick={(e) => {
                          opener.current = e.currentTarget;
                          setOpen(b);
                        }}
                        data-testid="open-history"
                      >
                        {b.appointment_id}
                      </button>
                    </td>
                    <td className="nowrap">{c[4] || "—"}</td>
                    <td>
                      <span className={`status status--${c[5]}`}>{c[5].charAt(0).toUpperCase() + c[5].slice(1)}</span>
                    </td>
                    <td className="nowrap">{c[6]}</td>
                    <td>{c[7]}</td>
                    <td>{c[8]}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {open && (
        // One History per appointment: another starts afresh, loading.
        <History
          key={`${open.service_id}|${open.appointment_id}`}
          booking={open}
          onClose={() => {
            setOpen(null);
            if (opener.current?.isConnected) opener.current.focus();
          }}
        />
      )}
    </section>
  );
}

const ROLES: readonly string[] = ["call-handler", "clinician", "supervisor"] satisfies Role[];
const roleWords = (role: string) => (ROLES.includes(role) ? formatRole(role as Role) : role);

/**
 * Everything the registry keeps for one event, in words, leaving out only what is empty. The
 * person, desk, time, action and outcome have columns of their own.
 */
function eventFacts(e: BookingEvent): [string, string][] {
  const when = e.appointment_start
    ? `${formatDateTime(e.appointment_start)}${e.appointment_end ? `–${formatTime(e.appointment_end)}` : ""}`
    : null;
  const facts: [string, string | null | undefined][] = [
    ["Cancellation reason", e.reason],
    ["Approved by", e.approved_by],
    ["Approval reason", e.approval_reason],
    ["Later than the triage timeframe", e.outside_timeframe === undefined ? null : e.outside_timeframe ? "Yes" : "No"],
    ["Error", e.error_kind],
    ["Error message", e.error_message],
    ["Appointment", e.appointment_id],
    ["Version", e.appointment_version],
    ["Status", e.appointment_status],
    ["Appointment time", when],
    ["Slots", e.slot_ids.join(", ")],
    ["Service id", e.service_id],
    ["NHS number", e.nhs_number && formatNhsNumber(e.nhs_number)],
    ["Patient pseudonym", e.patient_ref],
    ["Organisation (ODS)", e.organisation_ods],
    ["Trace id", e.trace_id],
    ["Request id", e.request_id],
    ["Event", String(e.id)],
  ];
  return facts.filter((f): f is [string, string] => typeof f[1] === "string" && f[1] !== "");
}

/** One appointment's registry events and audit entries, oldest first. */
function History({ booking, onClose }: { booking: CentreBooking; onClose: () => void }) {
  const [load, setLoad] = useState<Load<AppointmentHistory>>({ state: "loading" });
  const panel = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // It opens below the list, often out of sight: bring it into view and take focus to it, so the
  // supervisor (and a screen reader) is where the history is.
  useEffect(() => {
    panel.current?.scrollIntoView({ block: "start" });
    heading.current?.focus({ preventScroll: true });
  }, []);
  useEffect(() => {
    let live = true;
    void appointmentHistory(booking.service_id, booking.appointment_id).then((r) => {
      if (live) setLoad(r.ok ? { state: "loaded", value: r.value } : { state: "error", error: r.error });
    });
    return () => {
      live = false;
    };
  }, [booking.service_id, booking.appointment_id]);
  return (
    <section className="history" aria-labelledby="history-title" data-testid="appointment-history" ref={panel}>
      <div className="panel__head">
        <h3 id="history-title" className="panel__title" ref={heading} tabIndex={-1}>
          {booking.service_name} · <span className="mono">{booking.appointment_id}</span>
        </h3>
        <button type="button" className="button button--small button--secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {load.state === "loading" && (
        <p className="loading" role="status">
          <Spinner /> Loading its history…
        </p>
      )}
      {load.state === "error" && <ErrorPanel error={load.error} title="The history could not be read" />}
      {load.state === "loaded" && (
        <>
          <h4>What the desks did</h4>
          <table className="table table--dense" data-testid="history-events">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Who</th>
                <th scope="col">Desk</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {load.value.events.map((e) => (
                <tr key={e.id} data-testid="history-event" data-action={e.action} data-outcome={e.outcome}>
                  <td className="nowrap">{formatDateTime(e.recorded_at)}</td>
                  <td>{ACTION[e.action]}</td>
                  <td>{e.outcome}</td>
                  <td>
                    {e.user_name}
                    <div className="muted small">
                      {roleWords(e.user_role)} · {e.user_local_id}
                    </div>
                  </td>
                  <td>{e.desk ?? "—"}</td>
                  <td>
                    <dl className="facts facts--small history__facts">
                      {eventFacts(e).map(([label, value]) => (
                        <Fragment key={label}>
                          <dt>{label}</dt>
                          <dd>{value}</dd>
                        </Fragment>
                      ))}
                    </dl>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Audit trail</h4>
          <table className="table table--dense" data-testid="history-audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Interaction</th>
                <th scope="col">Outcome</th>
                <th scope="col">Who</th>
                <th scope="col">Trace id</th>
              </tr>
            </thead>
            <tbody>
              {load.value.audit.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No audit entries name this appointment.
                  </td>
                </tr>
              )}
              {load.value.audit.map((a) => (
                <tr key={a.id} data-testid="history-audit-entry">
                  <td className="nowrap">{formatDateTime(a.recorded_at)}</td>
                  <td className="mono">{a.interaction}</td>
                  <td>{a.outcome}</td>
                  <td>{a.user_name}</td>
                  <td className="mono">{a.trace_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
