import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { BookingSummary, Service } from "../../api/bindings";
import { listBookings, type ApiError } from "../../api/client";
import { ErrorPanel } from "../../components/ErrorPanel";
import { Spinner } from "../../components/Spinner";
import { formatCount, formatDateTime, formatNhsNumber, nhsDigits, plural, ukDay } from "../../format";

type Props = { services: Service[]; today: string };

type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "loaded"; rows: BookingSummary[] };

const ACTION: Record<BookingSummary["last_action"], string> = { book: "Booked", amend: "Amended", cancel: "Cancelled" };

function statusOf(b: BookingSummary): string {
  return b.status ?? "unknown";
}

/** What this desk booked, newest first, for a supervisor to scan. */
export function BookedScreen({ services, today }: Props) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [text, setText] = useState("");
  const [status, setStatus] = useState("all");
  const [todayOnly, setTodayOnly] = useState(true);
  const ids = { text: useId(), status: useId(), period: useId() };
  const filterRef = useRef<HTMLInputElement>(null);

  // The first answer is asked for by the effect below, with the screen already showing "loading".
  const fetchRows = useCallback(
    () => listBookings().then((r) => setLoad(r.ok ? { state: "loaded", rows: r.value } : { state: "error", error: r.error })),
    [],
  );

  const reload = useCallback(async () => {
    setLoad({ state: "loading" });
    await fetchRows();
  }, [fetchRows]);

  useEffect(() => {
    void fetchRows();
    filterRef.current?.focus();
  }, [fetchRows]);

  const names = useMemo(() => new Map(services.map((s) => [s.id, s.name])), [services]);
  const rows = useMemo(() => (load.state === "loaded" ? load.rows : []), [load]);
  const statuses = useMemo(() => [...new Set(rows.map(statusOf))].sort(), [rows]);

  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    const qDigits = nhsDigits(q);
    return rows
      .filter((b) => !todayOnly || ukDay(b.booked_at) === today)
      .filter((b) => status === "all" || statusOf(b) === status)
      .filter((b) => {
        if (!q) return true;
        const hay = [names.get(b.service_id) ?? "", b.service_id, b.appointment_id, b.booked_by, statusOf(b)]
          .join(" ")
          .toLowerCase();
        // NHS numbers match however they are spaced.
        return hay.includes(q) || (qDigits.length >= 3 && (b.nhs_number ?? "").includes(qDigits));
      })
      .sort((a, b) => Date.parse(b.booked_at) - Date.parse(a.booked_at));
  }, [rows, text, status, todayOnly, today, names]);

  return (
    <section className="panel screen-panel booked" aria-labelledby="booked-title">
      <div className="panel__head">
        <h2 id="booked-title" className="panel__title">
          {todayOnly ? "Booked today" : "Booked by this desk"}
        </h2>
        <button type="button" className="button button--small button--secondary" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <div className="filters" role="search" aria-label="Filter bookings">
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.text}>
            Filter
          </label>
          <input
            id={ids.text}
            ref={filterRef}
            className="input input--w20"
            type="search"
            value={text}
            placeholder="NHS number, service, reference, person"
            onChange={(e) => setText(e.target.value)}
            data-testid="bookings-filter"
          />
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={ids.status}>
            Status
          </label>
          <select id={ids.status} className="input" value={status} onChange={(e) => setStatus(e.target.value)} data-testid="bookings-status">
            <option value="all">All</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0).toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <label className="checkbox checkbox--inline">
          <input type="checkbox" checked={todayOnly} onChange={(e) => setTodayOnly(e.target.checked)} data-testid="bookings-today" />
          <span>Today only</span>
        </label>
        <span className="panel__meta" aria-live="polite">
          {load.state === "loaded" && `${plural(shown.length, "booking")} shown of ${formatCount(rows.length)}`}
        </span>
      </div>
      {load.state === "loading" && (
        <p className="loading" role="status">
          <Spinner /> Loading the bookings…
        </p>
      )}
      {load.state === "error" && <ErrorPanel error={load.error} title="The bookings could not be read" />}
      {load.state === "loaded" && (
        <div className="table-scroll">
          <table className="table table--dense" data-testid="bookings-table" aria-labelledby="booked-title">
            <thead>
              <tr>
                <th scope="col">Booked</th>
                <th scope="col">Patient NHS No.</th>
                <th scope="col">Service</th>
                <th scope="col">Reference</th>
                <th scope="col">Appointment</th>
                <th scope="col">Status</th>
                <th scope="col">Last change</th>
                <th scope="col">Booked by</th>
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    {rows.length === 0 ? "Nothing booked yet." : "No bookings match the filter."}
                  </td>
                </tr>
              )}
              {shown.map((b) => (
                <tr key={`${b.service_id}|${b.appointment_id}`} data-testid="booking-row" data-status={statusOf(b)}>
                  <td className="nowrap">{formatDateTime(b.booked_at)}</td>
                  <td className="nowrap">{b.nhs_number ? formatNhsNumber(b.nhs_number) : "None"}</td>
                  <td>{names.get(b.service_id) ?? b.service_id}</td>
                  <td className="mono">{b.appointment_id}</td>
                  <td className="nowrap">{b.start ? formatDateTime(b.start) : "—"}</td>
                  <td>
                    <span className={`status status--${statusOf(b)}`}>{statusOf(b).charAt(0).toUpperCase() + statusOf(b).slice(1)}</span>
                  </td>
                  <td className="nowrap">
                    {ACTION[b.last_action]} {formatDateTime(b.last_changed_at)}
                  </td>
                  <td>{b.booked_by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
