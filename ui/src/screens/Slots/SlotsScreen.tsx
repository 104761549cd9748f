import { useId, useMemo, type RefObject } from "react";
import type { DeliveryChannel, Role, Service, SlotView } from "../../api/bindings";
import { DateField } from "../../components/DateField";
import { ErrorPanel } from "../../components/ErrorPanel";
import { ServiceStatus } from "../../components/ServiceStatus";
import { slotKey, SlotList } from "../../components/SlotList";
import { Spinner } from "../../components/Spinner";
import { SupervisorNote } from "../../components/SupervisorNote";
import { daysBetween, formatDayWithWeekday, formatShortDay, plural, SERVICE_KINDS } from "../../format";
import { useEscape } from "../../keyboard";
import type { ChosenPatient, ServiceRef } from "../../types";
import { BookPanel, type BookTriageProps } from "../Book/BookPanel";
import { seeBy } from "../Triage/triage";
import type { Booking } from "../Book/useBooking";
import { FoundServicesPanel } from "./FoundServicesPanel";
import { nearestFirst } from "./foundServices";
import type { FoundServices } from "./useFoundServices";
import { filtersProblem, shownResults, type Filters, type SlotSearch } from "./useSlotSearch";

type Props = {
  services: Service[];
  filters: Filters;
  onFilters: (f: Filters) => void;
  /** Services of the ticked types not searched, as they cannot book this patient. */
  leftOut: Pick<Service, "name">[];
  /** Why they are left out. */
  leftOutWhy: string;
  search: SlotSearch;
  onSearch: () => void;
  booking: Booking;
  patient: ChosenPatient | null;
  organisation: string;
  /** False for supervisors: the list can be read, but no slot is offered for booking. */
  canBook: boolean;
  role: Role;
  /** Late slots are approved by a clinician's own CIS2 sign-in, not a typed name. */
  approvalBySignIn: boolean;
  triage: BookTriageProps;
  today: string;
  listRef: RefObject<HTMLDivElement | null>;
  onFindPatient: () => void;
  onAppointments: () => void;
  /** The services the DoS found for this patient and their ticks. */
  found: FoundServices;
  /** The postcode the DoS is asked from (home, or where the patient says they are now). */
  postcodeNow: string;
  onPostcodeNow: (postcode: string) => void;
  /** What the booking panel may name: the desk's own services and those the DoS found. */
  bookingServices: ServiceRef[];
  onToggleFound: (dosId: string, on: boolean) => void;
  /** Slots nearest service first, rather than soonest first. */
  nearest: boolean;
  onNearest: (on: boolean) => void;
};

const CHANNELS: { value: DeliveryChannel | ""; label: string }[] = [
  { value: "", label: "Any" },
  { value: "In-person", label: "In person" },
  { value: "Telephone", label: "Telephone" },
  { value: "Video", label: "Video" },
];

/** Services on the left, free slots in the middle, the booking on the right: the call left to right. */
export function SlotsScreen(props: Props) {
  const { services, filters, onFilters, search, booking, patient, today, listRef } = props;
  const ids = { channel: useId(), problem: useId() };
  const { found } = props;
  const scope = found.scope;
  const problem = filtersProblem(filters, services, scope);
  const s = search.state;
  // Only what the filters leave is shown and counted. Worked out again only when the results or
  // those filters change, not at each move along the list: it can hold thousands of slots.
  const { kinds, channel } = filters;
  const { rows, slots: soonest } = useMemo(
    () => shownResults({ rows: s.rows, slots: s.slots }, { kinds, channel }, services, scope),
    [s.rows, s.slots, kinds, channel, services, scope],
  );
  // Nearest first only where distances are known: the DoS's answer gives them.
  const byDistance = props.nearest && found.distances.size > 0;
  const slots = useMemo(() => (byDistance ? nearestFirst(soonest, found.distances) : soonest), [byDistance, soonest, found.distances]);
  const picked = booking.state.phase === "idle" ? null : booking.state.slot;

  // Esc from the booking goes back to the list, where the handler was.
  useEscape(() => {
    if (booking.state.phase === "booked" || booking.state.phase === "unknown") booking.reset();
    else booking.close();
    listRef.current?.focus();
  }, booking.state.phase !== "idle" && booking.state.phase !== "booking");

  function toggleKind(kind: Service["kind"], on: boolean) {
    const kinds = on ? [...filters.kinds, kind] : filters.kinds.filter((k) => k !== kind);
    onFilters({ ...filters, kinds });
  }

  function pick(slot: SlotView) {
    search.activate(slotKey(slot));
    if (props.canBook) booking.pick(slot);
  }

  const answered = rows.filter((r) => r.state !== "searching").length;
  const failed = rows.filter((r) => r.state === "failed").length;
  // Finished only when every service shown has found, found none or failed (timeouts included),
  // never merely because the command returned: a partial count must not read as final.
  const searching = answered < rows.length;
  const summary = !s.request
    ? ""
    : searching
      ? `Searching: ${answered} of ${plural(rows.length, "service")} answered, ${plural(slots.length, "slot")} so far`
      : `Search finished: ${plural(slots.length, "free slot")}${failed ? `; ${plural(failed, "service")} failed` : ""}`;

  return (
    <div className="slots-screen">
      <aside className="panel slots-screen__filters" aria-label="Search">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            props.onSearch();
          }}
        >
          <FoundServicesPanel
            found={found}
            postcodeNow={props.postcodeNow}
            onPostcodeNow={props.onPostcodeNow}
            practice={props.patient?.traced?.registered_practice ?? null}
            onToggle={props.onToggleFound}
            onEditTriage={props.triage.onEdit}
            firstId="search-form-first"
            hasOwnList={services.length > 0}
          />
          {scope.by !== "found" && (
          <fieldset className="fieldset">
            <legend className="fieldset__legend">{found.view.status === "off" ? "Services" : "The desk's own services"}</legend>
            {SERVICE_KINDS.map(({ kind, label }, i) => {
              const n = services.filter((x) => x.kind === kind).length;
              return (
                <label key={kind} className="checkbox">
                  <input
                    id={i === 0 ? "search-form-first" : undefined}
                    type="checkbox"
                    checked={filters.kinds.includes(kind)}
                    onChange={(e) => toggleKind(kind, e.target.checked)}
                    data-testid={`kind-${kind}`}
                  />
                  <span>
                    {label} <span className="muted">({n})</span>
                  </span>
                </label>
              );
            })}
          </fieldset>
          )}
          <fieldset className="fieldset">
            <legend className="fieldset__legend">Dates</legend>
            <p className="field__hint">The end can be at most 14 days after the start.</p>
            <div className="date-pair">
              <DateField
                label="From"
                value={filters.from}
                onChange={(from) => onFilters({ ...filters, from })}
                describedBy={problem ? ids.problem : undefined}
                testId="window-from"
              />
              <DateField
                label="To"
                value={filters.to}
                onChange={(to) => onFilters({ ...filters, to })}
                describedBy={problem ? ids.problem : undefined}
                testId="window-to"
              />
            </div>
            {!problem && filters.from && filters.to && (
              <p className="date-pair__span">
                {formatShortDay(filters.from)} → {formatShortDay(filters.to)} ({plural(daysBetween(filters.from, filters.to), "day")} after the start)
              </p>
            )}
          </fieldset>
          <div className="field">
            <label className="field__label" htmlFor={ids.channel}>
              How the patient is seen
            </label>
            <select
              id={ids.channel}
              className="input"
              value={filters.channel ?? ""}
              onChange={(e) => onFilters({ ...filters, channel: (e.target.value || null) as DeliveryChannel | null })}
              data-testid="channel-filter"
            >
              {CHANNELS.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          {problem && (
            <p className="field__error" id={ids.problem} role="status" data-testid="search-problem">
              {problem}
            </p>
          )}
          <button
            type="submit"
            className="button button--primary button--wide"
            data-testid="search-slots"
            disabled={problem !== null}
            aria-keyshortcuts="Control+F"
            aria-describedby={problem ? ids.problem : undefined}
          >
            Search <kbd>Ctrl+F</kbd>
          </button>
        </form>
        {props.leftOut.length > 0 && (
          <p className="notice" data-testid="services-left-out">
            Not searched: {props.leftOut.map((s) => s.name).join(", ")}. {props.leftOutWhy}
          </p>
        )}
        <ServiceStatus rows={rows} onRetry={search.retry} role={props.role} />
      </aside>

      <section className="panel slots-screen__list" aria-labelledby="free-slots-title">
        <div className="panel__head panel__head--stack">
          <h2 id="free-slots-title" className="panel__title">
            Free slots
            {s.request && (
              <span className="panel__sub">
                {" "}
                {formatDayWithWeekday(s.request.window.from)} → {formatDayWithWeekday(s.request.window.to)}
              </span>
            )}
          </h2>
          <span className="panel__meta" aria-live="polite" data-testid="search-summary">
            {searching && <Spinner />} {summary}
          </span>
          {found.distances.size > 0 && (
            <button
              type="button"
              className="button button--small button--secondary slots-screen__sort"
              aria-pressed={byDistance}
              onClick={() => props.onNearest(!byDistance)}
              data-testid="sort-nearest"
            >
              Nearest first
            </button>
          )}
        </div>
        {s.error ? (
          <ErrorPanel error={s.error} title="The search did not run">
            <button type="button" className="button button--secondary" onClick={props.onSearch} disabled={problem !== null}>
              Search again
            </button>
          </ErrorPanel>
        ) : (
          <SlotList
            slots={slots}
            today={today}
            activeKey={s.activeKey}
            pickedKey={picked ? slotKey(picked) : null}
            seeBy={props.canBook && props.triage.saved ? seeBy(props.triage.saved.summary) : null}
            distances={found.distances}
            groupBy={byDistance ? "service" : "day"}
            onActivate={search.activate}
            onPick={pick}
            listRef={listRef}
            empty={
              !s.request
                ? "Choose the services and dates, then search (Ctrl+F)."
                : searching
                  ? "Searching…"
                  : s.slots.length > 0
                    ? scope.by === "found"
                      ? "None of the slots found are at the ticked services and channel. Tick more services or choose another channel."
                      : "None of the slots found are of the ticked service types and channel. Tick more types or choose another channel."
                    : "No free slots at these services on these dates. Try other service types or dates."
            }
          />
        )}
      </section>

      {props.canBook ? (
        <BookPanel
          booking={booking}
          patient={patient}
          services={props.bookingServices}
          organisation={props.organisation}
          role={props.role}
          approvalBySignIn={props.approvalBySignIn}
          triage={props.triage}
          onFindPatient={props.onFindPatient}
          onAppointments={props.onAppointments}
        />
      ) : (
        <section className="panel book-panel book-panel--empty" aria-label="Booking">
          <h2 className="panel__title">Booking</h2>
          <SupervisorNote />
        </section>
      )}
    </div>
  );
}
