import { useCallback, useReducer, useRef } from "react";
import type { DeliveryChannel, SearchEvent, SearchRequest, Service, ServiceKind, SlotView } from "../../api/bindings";
import { searchSlots, type ApiError } from "../../api/client";
import type { ServiceRow } from "../../components/ServiceStatus";
import { slotKey } from "../../components/SlotList";
import { daysBetween } from "../../format";
import type { Target } from "./foundServices";

export const MAX_WINDOW_DAYS = 14;

export type Filters = {
  kinds: ServiceKind[];
  from: string;
  to: string;
  channel: DeliveryChannel | null;
};

/**
 * Which services a search asks: the desk's own list by the ticked types, the services the DoS
 * found for this patient that are ticked, or none yet while the DoS is still being asked.
 */
export type Scope = { by: "kinds" } | { by: "found"; targets: Target[] } | { by: "waiting" };

export const BY_KINDS: Scope = { by: "kinds" };

type Named = Pick<Service, "name" | "standard">;

export type SearchState = {
  /** Bumped by each new search, so late answers from an older one are ignored. */
  generation: number;
  request: SearchRequest | null;
  rows: ServiceRow[];
  slots: SlotView[];
  error: ApiError | null;
  activeKey: string | null;
};

type Action =
  | { type: "start"; generation: number; request: SearchRequest; services: Map<string, Named> }
  | { type: "retry"; generation: number; serviceId: string }
  | { type: "events"; generation: number; events: SearchEvent[] }
  | { type: "done"; generation: number; services: string[]; error: ApiError | null }
  | { type: "remove"; keys: string[] }
  | { type: "activate"; key: string | null }
  | { type: "clear"; generation: number };

const initial: SearchState = {
  generation: 0,
  request: null,
  rows: [],
  slots: [],
  error: null,
  activeKey: null,
};

// A slot's start and end as instants, read once per slot: each batch is sorted and merged into
// thousands, and parsing the times at every comparison took much of a frame.
const instants = new WeakMap<SlotView, [number, number]>();
function instantsOf(s: SlotView): [number, number] {
  let t = instants.get(s);
  if (t === undefined) {
    t = [Date.parse(s.start), Date.parse(s.end)];
    instants.set(s, t);
  }
  return t;
}

const byName = new Intl.Collator().compare;

function bySoonest(a: SlotView, b: SlotView): number {
  const [aStart, aEnd] = instantsOf(a);
  const [bStart, bEnd] = instantsOf(b);
  return aStart - bStart || byName(a.service_name, b.service_name) || aEnd - bEnd;
}

/**
 * `slots` (soonest first) with `added` merged in, each slot once: the new ones are sorted among
 * themselves and merged in one pass, rather than the whole list sorted again for every batch.
 */
export function mergeSlots(slots: SlotView[], added: SlotView[]): SlotView[] {
  if (added.length === 0) return slots;
  const seen = new Set(slots.map(slotKey));
  const fresh: SlotView[] = [];
  for (const s of added) {
    const key = slotKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(s);
  }
  if (fresh.length === 0) return slots;
  fresh.sort(bySoonest);
  const out: SlotView[] = new Array(slots.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  // On a tie the slot already listed stays first, as a stable sort of the two would leave it.
  while (i < slots.length && j < fresh.length) out[k++] = bySoonest(fresh[j], slots[i]) < 0 ? fresh[j++] : slots[i++];
  while (i < slots.length) out[k++] = slots[i++];
  while (j < fresh.length) out[k++] = fresh[j++];
  return out;
}

/** A frame's worth of search events, applied in the order they came. */
function applyEvents(state: SearchState, events: SearchEvent[]): SearchState {
  let { rows, slots } = state;
  let added: SlotView[] = [];
  for (const e of events) {
    if (e.event === "finished") continue;
    if (e.event === "slots") {
      for (const s of e.slots) added.push(s);
      continue;
    }
    const p = e.progress;
    const patch: Partial<ServiceRow> =
      p.state === "found"
        ? { state: "found", count: p.count, error: null }
        : p.state === "failed"
          ? { state: "failed", error: p.error }
          : { state: p.state, error: null };
    rows = setRow(rows, e.service_id, patch, e.service_name);
    // Searching again: what the service listed before, here or still to merge, is gone.
    if (p.state === "searching") {
      slots = slots.filter((s) => s.service_id !== e.service_id);
      added = added.filter((s) => s.service_id !== e.service_id);
    }
  }
  slots = mergeSlots(slots, added);
  return rows === state.rows && slots === state.slots ? state : { ...state, rows, slots };
}

function setRow(rows: ServiceRow[], id: string, patch: Partial<ServiceRow>, name?: string): ServiceRow[] {
  if (!rows.some((r) => r.id === id)) {
    return [...rows, { id, name: name ?? id, standard: null, state: "searching", count: 0, error: null, ...patch }];
  }
  return rows.map((r) => (r.id === id ? { ...r, ...patch } : r));
}

function reduce(state: SearchState, action: Action): SearchState {
  if ("generation" in action && action.type !== "start" && action.type !== "clear" && action.generation !== state.generation) {
    return state;
  }
  switch (action.type) {
    case "start":
      return {
        generation: action.generation,
        request: action.request,
        rows: action.request.services.map((id) => ({
          id,
          name: action.services.get(id)?.name ?? id,
          standard: action.services.get(id)?.standard ?? null,
          state: "searching",
          count: 0,
          error: null,
        })),
        slots: [],
        error: null,
        activeKey: null,
      };
    case "retry":
      return {
        ...state,
        rows: setRow(state.rows, action.serviceId, { state: "searching", count: 0, error: null }),
        slots: state.slots.filter((s) => s.service_id !== action.serviceId),
      };
    case "events":
      return applyEvents(state, action.events);
    case "done": {
      // Returning says nothing of services still to answer: their events may come after it, and
      // the search is over only when each service has settled.
      if (!action.error) return state;
      // The call itself failed: its services still waiting will not answer now. Only its own: a
      // failed retry says nothing of services the first search is still waiting for.
      const error = action.error;
      const lost = (r: ServiceRow) => r.state === "searching" && action.services.includes(r.id);
      return {
        ...state,
        error: state.rows.some((r) => r.state !== "searching") ? state.error : error,
        rows: state.rows.map((r) => (lost(r) ? { ...r, state: "failed", error } : r)),
      };
    }
    case "remove": {
      const gone = new Set(action.keys);
      return { ...state, slots: state.slots.filter((s) => !gone.has(slotKey(s))) };
    }
    case "activate":
      return { ...state, activeKey: action.key };
    case "clear":
      return { ...initial, generation: action.generation };
  }
}

/** Why a search cannot run with these filters, or null when it can. */
export function filtersProblem(filters: Filters, services: Service[], scope: Scope = BY_KINDS): string | null {
  if (!filters.from || !filters.to) return "Enter both dates as real dates, for example 01-Dec-2026.";
  const span = daysBetween(filters.from, filters.to);
  if (span < 0) return "The end date is before the start date.";
  if (span > MAX_WINDOW_DAYS) {
    return `Services accept at most ${MAX_WINDOW_DAYS} days after the start date: this is ${span}. Move the end date earlier.`;
  }
  if (scope.by === "waiting") return "Wait a moment: the services for this patient are being found.";
  if (scope.by === "found") return scope.targets.length === 0 ? "Tick at least one service to search." : null;
  if (filters.kinds.length === 0) return "Tick at least one type of service.";
  if (!services.some((s) => filters.kinds.includes(s.kind))) return "No services of the ticked types.";
  return null;
}

/**
 * What the filters leave of the results: the ticked kinds of service and the chosen channel act
 * on what is on screen at once, without asking the services again.
 */
export function shownResults(
  state: Pick<SearchState, "rows" | "slots">,
  filters: Pick<Filters, "kinds" | "channel">,
  services: Service[],
  scope: Scope = BY_KINDS,
): { rows: ServiceRow[]; slots: SlotView[] } {
  const kindOf = new Map(services.map((s) => [s.id, s.kind]));
  const found = scope.by === "found" ? new Set(scope.targets.map((t) => t.id)) : null;
  // Found services are narrowed by their ticks, the desk's own list by the types ticked.
  const ticked = (id: string) => {
    if (found) return found.has(id);
    const kind = kindOf.get(id);
    return kind === undefined || filters.kinds.includes(kind);
  };
  // The engine's own rule: with a channel chosen, slots that do not say are left out.
  const slots = state.slots.filter((s) => ticked(s.service_id) && (filters.channel === null || s.delivery_channel === filters.channel));
  return { rows: state.rows.filter((r) => ticked(r.id)), slots };
}

/**
 * Whether the last search asked for everything the filters now want (kinds and channel), of the
 * services that can book this patient (`leaveOut` names the others).
 */
export function searchCovers(
  request: SearchRequest,
  filters: Filters,
  services: Service[],
  leaveOut: (s: Pick<Service, "standard">) => boolean = () => false,
  scope: Scope = BY_KINDS,
): boolean {
  if (request.channel !== null && request.channel !== filters.channel) return false;
  if (scope.by === "found") return scope.targets.every((t) => leaveOut(t) || request.services.includes(t.id));
  return services.every((s) => !filters.kinds.includes(s.kind) || leaveOut(s) || request.services.includes(s.id));
}

/** What decides where a patient can be booked: their NHS number, and whether PDS restricts the record. */
type PatientOnCall = { patient: { nhs_number: string | null }; traced?: { restricted: boolean } | null };

/**
 * Services that cannot book the patient, so are not searched for them. GP Connect finds the
 * patient by NHS number before it books: not a patient known without one. UEC Booking and BaRS
 * take no booking without a home address, which a restricted record's never goes with (the
 * engine refuses these bookings too).
 */
export function cannotBook(chosen: PatientOnCall | null): (s: Pick<Service, "standard">) => boolean {
  return (s) =>
    chosen !== null &&
    ((!chosen.patient.nhs_number && s.standard === "gp-connect") || (chosen.traced?.restricted === true && s.standard !== "gp-connect"));
}

/** Why `cannotBook` leaves services out for this patient, in words for the call handler. */
export function whyNotSearched(chosen: PatientOnCall | null): string {
  if (chosen?.traced?.restricted) {
    return "This patient's record is restricted: their address is never sent, and these services take no booking without one. Phone them to book.";
  }
  return "GP Connect finds the patient by NHS number before it books, and this patient has none here. Find the patient by NHS number to book there.";
}

// A hidden window is given no animation frames: its events are still applied, this much later.
const FRAMELESS_MS = 250;

/** Runs `apply` at the next frame, or after FRAMELESS_MS if no frame comes; cancel both once run. */
function nextFrame(apply: () => void): { frame: number; timer: number } {
  return { frame: requestAnimationFrame(() => apply()), timer: window.setTimeout(apply, FRAMELESS_MS) };
}

// Slots applied in one frame at most: a wave of answers (thousands of slots at once) is spread
// over the next frames, so no frame blocks the page for long (issue 18.15).
export const SLOTS_PER_FRAME = 1000;

/**
 * The events to apply now, in order, holding at most `budget` slots (a batch split where the
 * budget ends), and the rest, to apply next. An event after a batch held back waits with it, so
 * a service is never said to have answered before all its slots are shown.
 */
export function takeSlice(events: SearchEvent[], budget: number): [SearchEvent[], SearchEvent[]] {
  const now: SearchEvent[] = [];
  let left = budget;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.event !== "slots") {
      now.push(e);
      continue;
    }
    if (e.slots.length <= left) {
      now.push(e);
      left -= e.slots.length;
      continue;
    }
    if (left > 0) now.push({ ...e, slots: e.slots.slice(0, left) });
    const rest = left > 0 ? { ...e, slots: e.slots.slice(left) } : e;
    return [now, [rest, ...events.slice(i + 1)]];
  }
  return [now, []];
}

/** The streaming slot search, kept above the screens so a search survives a change of tab. */
export function useSlotSearch(services: Service[]) {
  const [state, dispatch] = useReducer(reduce, initial);
  const generation = useRef(0);
  // Events of the current search waiting for the next frame, then applied together: one update
  // and one render a frame, however many services answer within it, so typing and scrolling
  // never wait behind a render for each batch of slots.
  const queued = useRef<SearchEvent[]>([]);
  const wake = useRef<{ frame: number; timer: number } | null>(null);
  // Answers of search commands that returned while their events were still queued: applied
  // after them, in order.
  const returned = useRef<Action[]>([]);

  /**
   * Applies what is queued: one frame's worth (`SLOTS_PER_FRAME`), asking for another frame for
   * the rest, or everything when `all` (before a change the person made, which must come after
   * every answer that arrived first). Commands that returned go once nothing is left before them.
   */
  const flush = useCallback(function applyQueued(all = false) {
    if (wake.current) {
      cancelAnimationFrame(wake.current.frame);
      clearTimeout(wake.current.timer);
      wake.current = null;
    }
    const [now, later] = all ? [queued.current, []] : takeSlice(queued.current, SLOTS_PER_FRAME);
    queued.current = later;
    if (now.length > 0) dispatch({ type: "events", generation: generation.current, events: now });
    if (later.length > 0) {
      wake.current = nextFrame(() => applyQueued());
      return;
    }
    const answers = returned.current;
    returned.current = [];
    for (const answer of answers) dispatch(answer);
  }, []);

  const receive = useCallback(
    (gen: number, event: SearchEvent) => {
      // An older search's answers are not this one's.
      if (gen !== generation.current) return;
      queued.current.push(event);
      wake.current ??= nextFrame(() => flush());
    },
    [flush],
  );

  const run = useCallback(
    (request: SearchRequest, gen: number) => {
      void searchSlots(request, (event) => receive(gen, event)).then((r) => {
        // What came before the answer is applied before it: now, or over the next frames.
        returned.current.push({ type: "done", generation: gen, services: request.services, error: r.ok ? null : r.error });
        if (!wake.current) flush();
      });
    },
    [receive, flush],
  );

  // The names of the services last searched by their ticks, for a refresh to name them again.
  const named = useRef(new Map<string, Named>());
  const start = useCallback(
    (request: SearchRequest) => {
      generation.current += 1;
      queued.current = [];
      returned.current = [];
      const gen = generation.current;
      const byId = new Map<string, Named>([...named.current, ...services.map((s) => [s.id, s] as const)]);
      dispatch({ type: "start", generation: gen, request, services: byId });
      run(request, gen);
    },
    [run, services],
  );

  /**
   * Searches with the filters, leaving out services `leaveOut` names (those that cannot book
   * this patient), or the services ticked of those found; the caller has checked
   * `filtersProblem` first.
   */
  const search = useCallback(
    (filters: Filters, leaveOut: (s: Pick<Service, "standard">) => boolean = () => false, scope: Scope = BY_KINDS) => {
      if (scope.by === "waiting") return;
      let ids: string[];
      if (scope.by === "found") {
        named.current = new Map(scope.targets.map((t) => [t.id, t]));
        ids = scope.targets.filter((t) => !leaveOut(t)).map((t) => t.id);
      } else {
        ids = services.filter((s) => filters.kinds.includes(s.kind) && !leaveOut(s)).map((s) => s.id);
      }
      start({ services: ids, window: { from: filters.from, to: filters.to }, channel: filters.channel });
    },
    [services, start],
  );

  /** The same search again (after a slot was taken under us). */
  const refresh = useCallback(() => {
    if (state.request) start(state.request);
  }, [start, state.request]);

  /** One service again, within the current search. */
  const retry = useCallback(
    (serviceId: string) => {
      if (!state.request) return;
      const gen = generation.current;
      flush(true);
      dispatch({ type: "retry", generation: gen, serviceId });
      run({ ...state.request, services: [serviceId] }, gen);
    },
    [run, flush, state.request],
  );

  /** Drops the results: they belonged to a patient who is no longer on the call. */
  const clear = useCallback(() => {
    // A new generation, so answers still on their way for that search are ignored.
    generation.current += 1;
    queued.current = [];
    returned.current = [];
    dispatch({ type: "clear", generation: generation.current });
  }, []);

  const remove = useCallback(
    (keys: string[]) => {
      // Events that came first are applied first: a batch still queued must not bring back a
      // slot just booked.
      flush(true);
      dispatch({ type: "remove", keys });
    },
    [flush],
  );
  const activate = useCallback((key: string | null) => dispatch({ type: "activate", key }), []);

  return { state, search, refresh, retry, remove, activate, clear };
}

export type SlotSearch = ReturnType<typeof useSlotSearch>;
