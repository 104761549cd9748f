import { useEffect, useState, type ReactNode } from "react";
import type { CentreReport, DayCount, ReportRange } from "../../api/bindings";
import { centreReport, type ApiError } from "../../api/client";
import { BarChart, type Bar } from "../../components/BarChart";
import { CsvExport } from "../../components/CsvExport";
import { DateField } from "../../components/DateField";
import { ErrorPanel } from "../../components/ErrorPanel";
import { Spinner } from "../../components/Spinner";
import { addDays, formatShortDay } from "../../format";

type Props = { today: string };

type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "loaded"; report: CentreReport };

const total = (list: { count: number }[]) => list.reduce((n, x) => n + x.count, 0);
const perDay = (list: DayCount[]): Bar[] => list.map((d) => ({ label: formatShortDay(d.day), value: d.count }));

/** Seconds as a person reads a wait: `4 min 05 s`. */
function duration(secs: number | null): string {
  if (secs === null) return "—";
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

type FigureProps = {
  id: string;
  title: string;
  /** The figure's total, shown and carried for checking against the CLI. */
  total: number | string;
  chart: ReactNode;
  header: string[];
  rows: string[][];
};

/** One figure: its total, a small chart, the table with the figures, and CSV export. */
function Figure({ id, title, total: sum, chart, header, rows }: FigureProps) {
  return (
    <section className="report-figure" aria-labelledby={`${id}-title`} data-testid={`report-${id}`}>
      <div className="panel__head">
        <h3 id={`${id}-title`} className="report-figure__title">
          {title} <span className="report-figure__total" data-testid={`report-${id}-total`}>{sum}</span>
        </h3>
        <CsvExport name={`report-${id}`} header={header} rows={rows} testId={`export-${id}`} />
      </div>
      {chart}
      {rows.length > 0 && (
        <table className="table table--dense report-figure__table">
          <thead>
            <tr>
              {header.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The centre's figures for commissioners, each as a chart above its table. */
export function ReportsScreen({ today }: Props) {
  const [range, setRange] = useState<ReportRange>({ from: addDays(today, -6), to: today });
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const valid = range.from !== "" && range.to !== "" && range.from <= range.to;

  // A new range to ask about: the figures on screen are for another. While the range is not
  // valid the last figures stay.
  const asking = valid ? `${range.from}|${range.to}` : null;
  const [asked, setAsked] = useState(asking);
  if (asked !== asking) {
    setAsked(asking);
    if (asking) setLoad({ state: "loading" });
  }

  useEffect(() => {
    if (!valid) return;
    let live = true;
    void centreReport({ from: range.from, to: range.to }).then((r) => {
      if (live) setLoad(r.ok ? { state: "loaded", report: r.value } : { state: "error", error: r.error });
    });
    return () => {
      live = false;
    };
  }, [range.from, range.to, valid]);

  return (
    <section className="panel screen-panel reports" aria-labelledby="reports-title">
      <div className="panel__head">
        <h2 id="reports-title" className="panel__title">
          Reports
        </h2>
      </div>
      <div className="filters" role="group" aria-label="Report period">
        <DateField label="From" value={range.from} onChange={(from) => setRange({ ...range, from })} testId="report-from" />
        <DateField label="To" value={range.to} onChange={(to) => setRange({ ...range, to })} testId="report-to" />
        {!valid && <span className="error-text">Enter a start date on or before the end date.</span>}
      </div>
      {load.state === "loading" && (
        <p className="loading" role="status">
          <Spinner /> Working out the figures…
        </p>
      )}
      {load.state === "error" && <ErrorPanel error={load.error} title="The report could not be made" />}
      {load.state === "loaded" && <Figures report={load.report} />}
    </section>
  );
}

/** A figure counted per day: its total, bars per day, and the day table. */
function DayFigure({ id, title, unit, column, list }: { id: string; title: string; unit: string; column: string; list: DayCount[] }) {
  return (
    <Figure
      id={id}
      title={title}
      total={total(list)}
      chart={<BarChart title={`${title}, per day`} unit={unit} bars={perDay(list)} />}
      header={["Day", column]}
      rows={list.map((d) => [formatShortDay(d.day), String(d.count)])}
    />
  );
}

function Figures({ report: r }: { report: CentreReport }) {
  const byService = new Map<string, number>();
  for (const b of r.bookings) byService.set(b.service_name, (byService.get(b.service_name) ?? 0) + b.count);
  const cancelDays = [...new Set([...r.cancellations, ...r.rebookings].map((d) => d.day))].sort();
  const countOn = (list: DayCount[], day: string) => String(list.find((d) => d.day === day)?.count ?? 0);
  const s = r.search_to_booked;
  return (
    <div className="report-figures">
      <Figure
        id="bookings"
        title="Bookings per service"
        total={total(r.bookings)}
        chart={<BarChart title="Bookings per service" unit="bookings" bars={[...byService].map(([label, value]) => ({ label, value }))} testId="chart-bookings" />}
        header={["Day", "Service", "Bookings"]}
        rows={r.bookings.map((b) => [formatShortDay(b.day), b.service_name, String(b.count)])}
      />
      <DayFigure id="searches-without-slots" title="Searches that found no slot" unit="searches" column="Searches" list={r.searches_without_slots} />
      <DayFigure id="slots-lost" title="Slots lost between search and book" unit="slots" column="Slots lost" list={r.slots_lost} />
      <Figure
        id="errors"
        title="Errors by kind"
        total={total(r.errors_by_kind)}
        chart={<BarChart title="Errors by kind" unit="errors" bars={r.errors_by_kind.map((k) => ({ label: k.label, value: k.count }))} />}
        header={["Kind", "Errors"]}
        rows={r.errors_by_kind.map((k) => [k.label, String(k.count)])}
      />
      <Figure
        id="cancellations"
        title="Cancellations and rebookings"
        total={`${total(r.cancellations)} / ${total(r.rebookings)}`}
        chart={
          <BarChart
            title="Cancellations and rebookings"
            unit=""
            bars={[
              { label: "Cancellations", value: total(r.cancellations) },
              { label: "Rebookings", value: total(r.rebookings) },
            ]}
          />
        }
        header={["Day", "Cancellations", "Rebookings"]}
        rows={cancelDays.map((d) => [formatShortDay(d), countOn(r.cancellations, d), countOn(r.rebookings, d)])}
      />
      <DayFigure id="outside-timeframe" title="Bookings outside the triage timeframe" unit="bookings" column="Bookings" list={r.outside_timeframe} />
      <Figure
        id="search-to-booked"
        title="Time from search to booked"
        total={`median ${duration(s.median_secs)}`}
        chart={
          <BarChart
            title="Time from search to booked, in seconds"
            unit="seconds"
            bars={
              s.count === 0
                ? []
                : [
                    { label: "Median", value: s.median_secs ?? 0 },
                    { label: "90th percentile", value: s.p90_secs ?? 0 },
                  ]
            }
          />
        }
        header={["Bookings timed", "Median", "90th percentile"]}
        rows={[[String(s.count), duration(s.median_secs), duration(s.p90_secs)]]}
      />
    </div>
  );
}
