import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { AppointmentView, SearchWindow, Service } from "../../api/bindings";
import { amendAppointment, cancelAppointment, patientAppointments, type ApiError } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { ErrorPanel } from "../../components/ErrorPanel";
import { LimitedText } from "../../components/LimitedText";
import { Spinner } from "../../components/Spinner";
import { SupervisorNote } from "../../components/SupervisorNote";
import {
  addDays,
  charCount,
  formatChannel,
  formatDayWithWeekday,
  formatGender,
  formatNhsNumber,
  formatTimeRange,
  plural,
  ukDay,
} from "../../format";
import { useEscape } from "../../keyboard";
import { bookingReference } from "../../reference";
import type { ChosenPatient } from "../../types";
import { MAX_COMMENT, MAX_DESCRIPTION } from "../Book/useBooking";

/** How far back and ahead the list looks; each call to the engine covers at most 14 days. */
const DAYS_BACK = 14;
const DAYS_AHEAD = 14;

type Props = {
  patient: ChosenPatient | null;
  services: Service[];
  today: string;
  /** False for supervisors: appointments are shown, with no Amend or Cancel. */
  canChange: boolean;
  onFindPatient: () => void;
  /** After each load: the appointments found, and the ids of services that did not answer. */
  onLoaded?: (appointments: AppointmentView[], unanswered: string[]) => void;
};

type Loaded = {
  appointments: AppointmentView[];
  failures: { serviceName: string; error: ApiError }[];
  /** A whole window that could not be asked. */
  errors: { what: string; error: ApiError }[];
};

/** `at`: when the answers came, the moment that splits upcoming from past. */
type Load = { state: "loading" } | { state: "loaded"; data: Loaded; at: number };

const key = (a: Pick<AppointmentView, "service_id" | "id">) => `${a.service_id}|${a.id}`;

/** Both windows asked together, merged, and failures named once per service. */
async function loadAll(nhs: string, today: string, services: Service[]): Promise<Loaded> {
  const windows: { what: string; window: SearchWindow }[] = [
    { what: "the last 14 days", window: { from: addDays(today, -DAYS_BACK), to: addDays(today, -1) } },
    { what: "today and the next 14 days", window: { from: today, to: addDays(today, DAYS_AHEAD) } },
  ];
  const answers = await Promise.all(windows.map((w) => patientAppointments(nhs, w.window)));
  const byKey = new Map<string, AppointmentView>();
  const failures = new Map<string, { serviceName: string; error: ApiError }>();
  const errors: Loaded["errors"] = [];
  answers.forEach((r, i) => {
    if (!r.ok) {
      errors.push({ what: windows[i].what, error: r.error });
      return;
    }
    for (const a of r.value.appointments) byKey.set(key(a), a);
    for (const f of r.value.failures) {
      const id = f.service_id ?? f.message;
      if (!failures.has(id)) {
        const serviceName = services.find((s) => s.id === f.service_id)?.name ?? f.service_id ?? "A service";
        failures.set(id, { serviceName, error: f });
      }
    }
  });
  return { appointments: [...byKey.values()], failures: [...failures.values()], errors };
}

/** The patient's appointments across services: upcoming ones can be amended or cancelled. */
export function AppointmentsScreen({ patient, services, today, canChange, onFindPatient, onLoaded }: Props) {
  const nhs = patient?.patient.nhs_number ?? null;
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [announce, setAnnounce] = useState("");
  const [amending, setAmending] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<AppointmentView | null>(null);
  // The last cancellation, to be read to the patient: a cancellation they are not told about
  // leaves them expecting care that will not happen.
  const [cancelled, setCancelled] = useState<AppointmentView | null>(null);
  const seq = useRef(0);
  const onLoadedRef = useRef(onLoaded);
  useLayoutEffect(() => {
    onLoadedRef.current = onLoaded;
  }, [onLoaded]);
  const heading = useRef<HTMLHeadingElement>(null);
  const section = useRef<HTMLElement>(null);
  // The row just amended or cancelled: the list is redrawn after a change, and focus left on a
  // button that went with it would fall to the page.
  const focusAfterLoad = useRef<string | null>(null);

  // Another patient, day or set of services: what is on screen is no longer theirs.
  const [asked, setAsked] = useState({ nhs, today, services });
  if (asked.nhs !== nhs || asked.today !== today || asked.services !== services) {
    setAsked({ nhs, today, services });
    if (nhs) setLoad({ state: "loading" });
  }

  const fetchAll = useCallback(async () => {
    if (!nhs) return;
    const mine = ++seq.current;
    const data = await loadAll(nhs, today, services);
    if (mine !== seq.current) return;
    setLoad({ state: "loaded", data, at: Date.now() });
    // Which services did not answer: a window that failed, or a failure naming no service,
    // leaves every service unanswered.
    const whole = data.errors.length > 0 || data.failures.some((f) => !f.error.service_id);
    const unanswered = whole ? services.map((s) => s.id) : data.failures.map((f) => f.error.service_id as string);
    onLoadedRef.current?.(data.appointments, unanswered);
  }, [nhs, today, services]);

  const reload = useCallback(async () => {
    if (!nhs) return;
    setLoad({ state: "loading" });
    await fetchAll();
  }, [nhs, fetchAll]);

  useEffect(() => {
    void fetchAll();
  }, [fetchAll]);

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const k = focusAfterLoad.current;
    if (load.state !== "loaded" || k === null) return;
    focusAfterLoad.current = null;
    // The changed row's heading; the upcoming list's heading when the row is no longer listed.
    const rowHead = [...(section.current?.querySelectorAll<HTMLElement>("[data-row-key]") ?? [])].find((el) => el.dataset.rowKey === k);
    (rowHead ?? section.current?.querySelector<HTMLElement>("#appointments-upcoming"))?.focus();
  }, [load]);

  useEscape(() => setAmending(null), amending !== null && cancelling === null);

  if (!patient || !nhs) {
    return (
      <section className="panel screen-panel" aria-labelledby="appointments-title">
        <h2 id="appointments-title" className="panel__title" ref={heading} tabIndex={-1}>
          Appointments
        </h2>
        <p>
          {patient
            ? "Appointments are looked up by NHS number, and this patient has none on record here."
            : "Find the patient first: their appointments are looked up by NHS number."}
        </p>
        <button type="button" className="button button--secondary" onClick={onFindPatient}>
          Find the patient <kbd>Alt+1</kbd>
        </button>
      </section>
    );
  }

  const now = load.state === "loaded" ? load.at : 0;
  const all = load.state === "loaded" ? load.data.appointments : [];
  const upcoming = all.filter((a) => Date.parse(a.start) > now).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const past = all.filter((a) => Date.parse(a.start) <= now).sort((a, b) => Date.parse(b.start) - Date.parse(a.start));

  async function afterChange(message: string, changed: AppointmentView) {
    focusAfterLoad.current = key(changed);
    setAnnounce(message);
    setAmending(null);
    setCancelling(null);
    await reload();
  }

  return (
    <section className="panel screen-panel appointments" aria-labelledby="appointments-title" ref={section}>
      <div className="panel__head">
        <h2 id="appointments-title" className="panel__title" ref={heading} tabIndex={-1}>
          Appointments for NHS No. {formatNhsNumber(nhs)}
          <span className="panel__sub">
            {" "}
            {formatDayWithWeekday(addDays(today, -DAYS_BACK))} → {formatDayWithWeekday(addDays(today, DAYS_AHEAD))}
          </span>
        </h2>
        <button type="button" className="button button--small button--secondary" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <p className="visually-hidden" aria-live="polite" data-testid="appointments-announce">
        {announce}
      </p>
      {!canChange && <SupervisorNote />}
      {load.state === "loading" ? (
        <p className="loading" role="status">
          <Spinner /> Asking every service for the patient's appointments…
        </p>
      ) : (
        <>
          {announce && (
            <div className="notice notice--success" role="status">
              {announce}
            </div>
          )}
          {cancelled && <CancelReadBack appointment={cancelled} />}
          {load.data.errors.map((e) => (
            <ErrorPanel key={e.what} error={e.error} title={`Appointments for ${e.what} could not be fetched`} compact />
          ))}
          {load.data.failures.length > 0 && (
            <div className="failures">
              <h3 className="failures__title">Services that could not be asked</h3>
              {load.data.failures.map((f) => (
                <ErrorPanel key={f.serviceName} error={f.error} title={f.serviceName} compact />
              ))}
            </div>
          )}
          <AppointmentTable
            title="Upcoming"
            rows={upcoming}
            actions={canChange}
            amending={amending}
            onAmend={setAmending}
            onCancel={setCancelling}
            onAmended={(a) => void afterChange("Appointment amended. The list has been refreshed.", a)}
          />
          <AppointmentTable title="Past" rows={past} actions={false} amending={null} onAmend={() => {}} onCancel={() => {}} onAmended={() => {}} />
        </>
      )}
      {cancelling && (
        <CancelDialog
          appointment={cancelling}
          onKeep={() => setCancelling(null)}
          onCancelled={(a) => {
            setCancelled(a);
            void afterChange("Appointment cancelled. The list has been refreshed.", a);
          }}
        />
      )}
    </section>
  );
}

type TableProps = {
  title: string;
  rows: AppointmentView[];
  /** Amend and Cancel on booked rows: upcoming ones, for roles that may change them. */
  actions: boolean;
  amending: string | null;
  onAmend: (key: string | null) => void;
  onCancel: (a: AppointmentView) => void;
  onAmended: (a: AppointmentView) => void;
};

function AppointmentTable({ title, rows, actions, amending, onAmend, onCancel, onAmended }: TableProps) {
  const id = `appointments-${title.toLowerCase()}`;
  // Cancelled ones are listed, struck through, but are no longer appointments the patient has.
  const cancelledCount = rows.filter((a) => a.status === "cancelled").length;
  return (
    <div className="appointments__group">
      <h3 id={id} className="appointments__group-title" tabIndex={-1}>
        {title}{" "}
        <span className="muted">
          ({plural(rows.length - cancelledCount, "appointment")}
          {cancelledCount > 0 && `, ${cancelledCount} cancelled`})
        </span>
      </h3>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-scroll">
          <table className="table table--dense" aria-labelledby={id}>
            <thead>
              <tr>
                <th scope="col" className="appointments__col--date">Date</th>
                <th scope="col" className="appointments__col--time">Time</th>
                <th scope="col">Service</th>
                <th scope="col" className="appointments__col--how">How</th>
                <th scope="col">With</th>
                <th scope="col">Description and comment</th>
                <th scope="col" className="appointments__col--status">Status</th>
                {actions && <th scope="col" className="appointments__col--actions">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const k = key(a);
                const cancelled = a.status === "cancelled";
                const actionable = actions && a.status === "booked";
                const p = a.practitioner;
                return (
                  <Fragment key={k}>
                    <tr
                      className={cancelled ? "is-cancelled" : undefined}
                      data-testid="appointment-row"
                      data-appointment-id={a.id}
                      data-service-id={a.service_id}
                      data-status={a.status}
                    >
                      <th scope="row" className="struck nowrap" tabIndex={-1} data-row-key={k}>
                        {formatDayWithWeekday(ukDay(a.start))}
                      </th>
                      <td className="struck nowrap">{formatTimeRange(a.start, a.end)}</td>
                      <td className="struck">
                        {a.service_name}
                        <div className="muted small">Ref. {bookingReference(a).text}</div>
                      </td>
                      <td className="struck">{formatChannel(a.delivery_channel)}</td>
                      <td className="struck">
                        {p?.name ?? "Not named"}
                        {p?.role && <div className="muted small">{p.role}{p.gender ? ` · ${formatGender(p.gender)}` : ""}</div>}
                      </td>
                      <td className="struck">
                        {a.description ?? <span className="muted">No description</span>}
                        {a.comment && <div className="muted small">{a.comment}</div>}
                      </td>
                      <td>
                        {cancelled ? (
                          <span className="status status--cancelled">
                            Cancelled{a.cancellation_reason ? `: ${a.cancellation_reason}` : ""}
                          </span>
                        ) : (
                          <span className={`status status--${a.status}`}>{a.status.charAt(0).toUpperCase() + a.status.slice(1)}</span>
                        )}
                      </td>
                      {actions && (
                        <td className="appointments__actions">
                          {actionable && (
                            <div className="button-row button-row--tight">
                              {a.standard === "gp-connect" && (
                                <button
                                  type="button"
                                  className="button button--small button--secondary"
                                  data-testid="amend-button"
                                  aria-expanded={amending === k}
                                  aria-label={`Amend the appointment on ${formatDayWithWeekday(ukDay(a.start))} at ${a.service_name}`}
                                  onClick={() => onAmend(amending === k ? null : k)}
                                >
                                  Amend
                                </button>
                              )}
                              <button
                                type="button"
                                className="button button--small button--warning"
                                data-testid="cancel-button"
                                aria-label={`Cancel the appointment on ${formatDayWithWeekday(ukDay(a.start))} at ${a.service_name}`}
                                onClick={() => onCancel(a)}
                              >
                                Cancel
                              </button>
                            </div>
                          )}
                        </td>
                      )}
                    </tr>
                    {amending === k && (
                      <tr className="amend-row">
                        <td colSpan={8}>
                          <AmendForm appointment={a} onDone={() => onAmended(a)} onClose={() => onAmend(null)} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function AmendForm({ appointment, onDone, onClose }: { appointment: AppointmentView; onDone: () => void; onClose: () => void }) {
  const [description, setDescription] = useState(appointment.description ?? "");
  const [comment, setComment] = useState(appointment.comment ?? "");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);

  const changedDescription = description.trim() !== (appointment.description ?? "");
  const changedComment = comment.trim() !== (appointment.comment ?? "");
  const problem =
    description.trim() === ""
      ? "Enter a description."
      : charCount(description) > MAX_DESCRIPTION || charCount(comment) > MAX_COMMENT
        ? "Shorten the text to fit."
        : !changedDescription && !changedComment
          ? "Nothing has changed yet."
          : null;

  async function save() {
    if (problem || saving) return;
    setSaving(true);
    setError(null);
    const r = await amendAppointment(
      appointment.service_id,
      appointment.id,
      // Only what changed: the service keeps everything else as it is.
      changedDescription ? description.trim() : null,
      changedComment ? comment.trim() : null,
    );
    setSaving(false);
    if (r.ok) onDone();
    else setError(r.error);
  }

  return (
    <form
      className="amend-form"
      aria-label="Amend the appointment"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {error && <ErrorPanel error={error} title="The appointment was not amended" compact takeFocus />}
      <div className="amend-form__fields">
        <LimitedText label="Description" value={description} onChange={setDescription} limit={MAX_DESCRIPTION} required testId="amend-description" inputRef={first} disabled={saving} />
        <LimitedText label="Comment" value={comment} onChange={setComment} limit={MAX_COMMENT} testId="amend-comment" rows={2} disabled={saving} />
      </div>
      <div className="button-row">
        <button type="submit" className="button button--primary" data-testid="save-amend" disabled={problem !== null || saving}>
          {saving ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className="button button--secondary" onClick={onClose} disabled={saving}>
          Discard
        </button>
        {problem && <span className="field__hint">{problem}</span>}
      </div>
    </form>
  );
}

/** What to tell the patient about the appointment just cancelled. */
function CancelReadBack({ appointment: a }: { appointment: AppointmentView }) {
  return (
    <div className="notice notice--warning" role="status" data-testid="cancel-readback">
      <p className="notice__title">Cancelled — tell the patient</p>
      <p>
        Your appointment at {a.service_name} on {formatDayWithWeekday(ukDay(a.start))} at {formatTimeRange(a.start, a.end)}{" "}
        has been cancelled{a.cancellation_reason ? ` (${a.cancellation_reason})` : ""}. Reference{" "}
        <span className="nowrap">{bookingReference(a).text}</span>.
      </p>
      <p className="small">If the patient is not on the call, tell them another way before the appointment time.</p>
    </div>
  );
}

function CancelDialog({ appointment, onKeep, onCancelled }: { appointment: AppointmentView; onKeep: () => void; onCancelled: (a: AppointmentView) => void }) {
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const missing = reason.trim() === "";

  async function confirm() {
    if (busy) return;
    setTried(true);
    if (missing) {
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const r = await cancelAppointment(appointment.service_id, appointment.id, reason.trim());
    setBusy(false);
    // The service's answer, with the reason given here when it does not echo one.
    if (r.ok) onCancelled({ ...appointment, ...r.value, cancellation_reason: r.value.cancellation_reason ?? reason.trim() });
    else setError(r.error);
  }

  return (
    <Dialog title="Cancel this appointment?" onClose={() => !busy && onKeep()} alert testId="cancel-dialog">
      <p>
        <strong>
          {formatDayWithWeekday(ukDay(appointment.start))} {formatTimeRange(appointment.start, appointment.end)}
        </strong>{" "}
        at {appointment.service_name}
      </p>
      {error && <ErrorPanel error={error} title="The appointment was not cancelled" compact />}
      <div className={tried && missing ? "field field--error" : "field"}>
        <label className="field__label" htmlFor="cancel-reason">
          Reason for cancelling
        </label>
        {tried && missing && (
          <div className="field__error" id="cancel-reason-error">
            Enter why the appointment is being cancelled
          </div>
        )}
        <textarea
          id="cancel-reason"
          ref={field}
          className="input"
          rows={2}
          value={reason}
          data-autofocus
          data-testid="cancel-reason"
          aria-invalid={tried && missing ? true : undefined}
          aria-describedby={tried && missing ? "cancel-reason-error" : undefined}
          disabled={busy}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <div className="dialog__actions">
        <button type="button" className="button button--secondary" onClick={onKeep} disabled={busy}>
          Keep
        </button>
        <button type="button" className="button button--warning" data-testid="confirm-cancel" onClick={() => void confirm()} disabled={busy}>
          {busy ? "Cancelling…" : "Cancel appointment"}
        </button>
      </div>
    </Dialog>
  );
}
