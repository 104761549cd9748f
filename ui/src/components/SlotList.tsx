import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import { useCallback, useEffect, useEffectEvent, useId, useMemo, useRef, type KeyboardEvent, type Ref } from "react";
import type { SlotView } from "../api/bindings";
import {
  dayHeading,
  formatChannel,
  formatDayWithWeekday,
  formatGender,
  formatMiles,
  formatShortDay,
  formatTimeRange,
  plural,
  ukDay,
} from "../format";

/** Slot ids are only unique within a service. */
export function slotKey(slot: Pick<SlotView, "service_id" | "id">): string {
  return `${slot.service_id}|${slot.id}`;
}

// Fixed heights keep scrolling cheap and exact with thousands of rows; the CSS matches them.
export const DAY_HEIGHT = 30;
export const SLOT_HEIGHT = 50;
const PAGE = 10;

type Head = { type: "head"; key: string; label: string; count: number };
type Item = Head | { type: "slot"; slot: SlotView; day: string; head: string; slotIndex: number };

/** Soonest first, under a heading for each day; or nearest first, under one for each service. */
export type Grouping = "day" | "service";

type Props = {
  slots: SlotView[];
  today: string;
  activeKey: string | null;
  pickedKey: string | null;
  onActivate: (key: string) => void;
  onPick: (slot: SlotView) => void;
  empty: string;
  listRef?: Ref<HTMLDivElement>;
  /** When the triage says the patient should be seen by (ms): later slots are marked, not hidden. */
  seeBy?: number | null;
  /** Miles from the patient, by service id, for the services the DoS found. */
  distances?: ReadonlyMap<string, number>;
  /** "service": the slots come nearest service first, each service under its own heading. */
  groupBy?: Grouping;
};

const NO_DISTANCES: ReadonlyMap<string, number> = new Map();

// A slot's UK day, worked out once per slot: the list is rebuilt as each batch arrives, and
// asking Intl for thousands of days each time blocked the page.
const days = new WeakMap<SlotView, string>();
function dayOf(slot: SlotView): string {
  let day = days.get(slot);
  if (day === undefined) {
    day = ukDay(slot.start);
    days.set(slot, day);
  }
  return day;
}

/** Which heading a slot goes under: its day, or its service. */
function headingKey(slot: SlotView, day: string, groupBy: Grouping): string {
  return groupBy === "day" ? day : `service-${slot.service_id}`;
}

/** The heading's words, worked out once per heading rather than once per slot. */
function headingLabel(slot: SlotView, day: string, today: string, groupBy: Grouping, distances: ReadonlyMap<string, number>): string {
  if (groupBy === "day") return dayHeading(day, today);
  const miles = distances.get(slot.service_id);
  return `${miles === undefined ? "Distance not known" : formatMiles(miles)} · ${slot.service_name}`;
}

function buildItems(slots: SlotView[], today: string, groupBy: Grouping, distances: ReadonlyMap<string, number>) {
  const items: Item[] = [];
  const slotItem: number[] = [];
  const headers = new Map<string, Head>();
  let current = "";
  let header: Head | null = null;
  slots.forEach((slot, slotIndex) => {
    const day = dayOf(slot);
    const key = headingKey(slot, day, groupBy);
    if (key !== current) {
      current = key;
      header = { type: "head", key, label: headingLabel(slot, day, today, groupBy, distances), count: 0 };
      headers.set(key, header);
      items.push(header);
    }
    header!.count += 1;
    slotItem.push(items.length);
    items.push({ type: "slot", slot, day, head: key, slotIndex });
  });
  return { items, slotItem, headers };
}

/** Free slots grouped by UK day, soonest first; ↑↓ move, Enter picks; only visible rows exist. */
export function SlotList(props: Props) {
  const { slots, today, activeKey, pickedKey, onActivate, onPick, empty, listRef, seeBy = null } = props;
  const { distances = NO_DISTANCES, groupBy = "day" } = props;
  const scroller = useRef<HTMLDivElement | null>(null);
  const { items, slotItem, headers } = useMemo(() => buildItems(slots, today, groupBy, distances), [slots, today, groupBy, distances]);
  const activeIndex = useMemo(
    () => (activeKey ? slots.findIndex((s) => slotKey(s) === activeKey) : -1),
    [slots, activeKey],
  );

  // The highlighted row is always in the page, even scrolled out of view: the listbox points at
  // it (aria-activedescendant), and a pointer to nothing leaves a screen reader with nothing to read.
  const activeItem = activeIndex >= 0 ? slotItem[activeIndex] : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeItem < 0 || indexes.includes(activeItem)) return indexes;
      return activeItem < indexes[0] ? [activeItem, ...indexes] : [...indexes, activeItem];
    },
    [activeItem],
  );

  // TanStack Virtual hands back functions that cannot be memoized safely; this app is not built
  // with the React Compiler, so the compiler skipping this component changes nothing.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (items[i].type === "head" ? DAY_HEIGHT : SLOT_HEIGHT),
    getItemKey: (i) => {
      const it = items[i];
      return it.type === "head" ? `head-${it.key}` : slotKey(it.slot);
    },
    overscan: 6,
    rangeExtractor,
  });

  // Keep the highlighted slot in view, with its day heading when it is the first of the day.
  // Scrolling only on a move of the highlight, not on every new batch of slots: the rows are read
  // at the time of the move, never a reason to scroll.
  const scrollToSlot = useEffectEvent((index: number) => {
    const itemIndex = slotItem[index];
    const before = items[itemIndex - 1];
    virtualizer.scrollToIndex(before?.type === "head" ? itemIndex - 1 : itemIndex, { align: "auto" });
  });
  useEffect(() => {
    if (activeIndex >= 0) scrollToSlot(activeIndex);
  }, [activeIndex]);

  function move(to: number) {
    if (slots.length === 0) return;
    const i = Math.max(0, Math.min(slots.length - 1, to));
    onActivate(slotKey(slots[i]));
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
      case "ArrowDown":
        move(activeIndex < 0 ? 0 : activeIndex + 1);
        break;
      case "ArrowUp":
        move(activeIndex < 0 ? 0 : activeIndex - 1);
        break;
      case "PageDown":
        move(activeIndex + PAGE);
        break;
      case "PageUp":
        move(activeIndex - PAGE);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(slots.length - 1);
        break;
      case "Enter":
      case " ":
        if (activeIndex >= 0) onPick(slots[activeIndex]);
        else move(0);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  const setRefs = (el: HTMLDivElement | null) => {
    scroller.current = el;
    if (typeof listRef === "function") listRef(el);
    else if (listRef) listRef.current = el;
  };

  const activeDomId = activeIndex >= 0 ? `slot-option-${activeIndex}` : undefined;
  const emptyId = useId();

  // The day of the topmost visible row stays pinned above the list while scrolling.
  const virtualItems = virtualizer.getVirtualItems();
  const offset = virtualizer.scrollOffset ?? 0;
  const top = virtualItems.find((v) => v.end > offset);
  const topItem = top ? items[top.index] : undefined;
  const pinned = topItem ? headers.get(topItem.type === "head" ? topItem.key : topItem.head) : undefined;

  return (
    <div
      ref={setRefs}
      className="slot-list"
      data-testid="slot-list"
      role="listbox"
      aria-label={`Free slots, ${plural(slots.length, "slot")}`}
      aria-activedescendant={activeDomId}
      aria-describedby={slots.length === 0 ? emptyId : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => {
        // Arriving by Tab: highlight the first slot so ↑↓ and Enter work at once.
        if (activeIndex < 0 && slots.length > 0) move(0);
      }}
    >
      {slots.length === 0 ? (
        // A listbox may hold only options: the message is shown in it but read as its description.
        <p id={emptyId} className="slot-list__empty" aria-hidden="true">
          {empty}
        </p>
      ) : (
        <>
        {pinned && (
          <div className="slot-day slot-day--pinned" aria-hidden="true">
            <span className="slot-day__label">{pinned.label}</span>
            <span className="slot-day__count">{plural(pinned.count, "slot")}</span>
          </div>
        )}
        <div className="slot-list__inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualItems.map((v) => {
            const it = items[v.index];
            const style = { height: v.size, transform: `translateY(${v.start}px)` };
            if (it.type === "head") {
              return (
                <div key={v.key} className="slot-day" style={style} role="presentation">
                  <span className="slot-day__label">{it.label}</span>
                  <span className="slot-day__count">{plural(it.count, "slot")}</span>
                </div>
              );
            }
            const s = it.slot;
            const key = slotKey(s);
            const miles = distances.get(s.service_id);
            const selected = it.slotIndex === activeIndex;
            const picked = key === pickedKey;
            const late = seeBy !== null && Date.parse(s.start) > seeBy;
            const p = s.practitioner;
            const who = p
              ? `${p.name ?? "Practitioner not named"}${
                  p.role || p.gender ? ` (${[p.role, p.gender ? formatGender(p.gender) : null].filter(Boolean).join(", ")})` : ""
                }`
              : "Practitioner not named";
            // The location is usually the service itself: then its address is what is new.
            const where = s.location
              ? [s.location.name === s.service_name ? null : s.location.name, s.location.address]
                  .filter(Boolean)
                  .join(", ") || s.location.name || "Location not stated"
              : "Location not stated";
            return (
              // The listbox keeps focus and points at its highlighted option (aria-activedescendant),
              // as the pattern asks; the keys are handled there, so an option takes no focus or keys
              // of its own and the click is the mouse's way to pick.
              // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/interactive-supports-focus
              <div
                key={v.key}
                id={`slot-option-${it.slotIndex}`}
                className={`slot-row${selected ? " slot-row--active" : ""}${picked ? " slot-row--picked" : ""}`}
                style={style}
                role="option"
                aria-selected={selected}
                // Only a window of the options is in the page: each says where it is in the whole list.
                aria-setsize={slots.length}
                aria-posinset={it.slotIndex + 1}
                data-testid="slot-row"
                data-slot-id={s.id}
                data-service-id={s.service_id}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  onActivate(key);
                  onPick(s);
                }}
              >
                <div className="slot-row__line">
                  {groupBy === "day" ? (
                    <span className="visually-hidden">{formatDayWithWeekday(it.day)} </span>
                  ) : (
                    // Under a service's heading the day is no longer above the row: it is on it.
                    <span className="slot-row__day">{formatShortDay(it.day)}</span>
                  )}
                  <span className="slot-row__time">{formatTimeRange(s.start, s.end)}</span>
                  <span className="slot-row__service">{s.service_name}</span>
                  {miles !== undefined && (
                    <span className="slot-row__distance" data-testid="slot-distance">
                      {formatMiles(miles)}
                    </span>
                  )}
                  <span className={`channel channel--${s.delivery_channel ? s.delivery_channel.toLowerCase() : "none"}`}>
                    {formatChannel(s.delivery_channel)}
                  </span>
                  <span className="slot-row__type">
                    {s.slot_type ?? "Slot type not stated"} · {s.schedule_type ?? "schedule type not stated"}
                  </span>
                  {late && (
                    <span className="tag tag--late" data-testid="slot-late">
                      After timeframe
                    </span>
                  )}
                  {picked && <span className="tag tag--picked">Chosen</span>}
                </div>
                <div className="slot-row__line slot-row__line--second" title={`${who} · ${where}`}>
                  <span className="slot-row__who">{who}</span>
                  <span className="slot-row__where">{where}</span>
                </div>
              </div>
            );
          })}
        </div>
        </>
      )}
    </div>
  );
}
