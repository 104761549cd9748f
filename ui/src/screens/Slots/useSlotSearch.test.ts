import { describe, expect, it } from "vitest";
import type { SearchEvent, SlotView } from "../../api/bindings";
import { at, slot } from "../../test/fixtures";
import { mergeSlots, takeSlice } from "./useSlotSearch";

const key = (s: SlotView) => `${s.service_id}|${s.id}`;

describe("merging streamed slots", () => {
  it("gives, from batches in any order, the order one sort of them all gives, each slot once", () => {
    // 12 services on one quarter-hour grid, so slots of different services start together (the
    // service's name then decides), and each service sends some of its slots twice.
    let seed = 18;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const base = Date.parse(at(1, 8));
    const all: SlotView[] = [];
    for (let service = 0; service < 12; service++) {
      for (let n = 0; n < 60; n++) {
        const start = base + ((n * 7 + service * 3) % 60) * 15 * 60_000;
        all.push(
          slot({
            service_id: `svc-${service}`,
            service_name: `Service ${String.fromCharCode(76 - service)}`,
            id: `${n}`,
            start: new Date(start).toISOString(),
            end: new Date(start + (1 + Math.floor(random() * 3)) * 10 * 60_000).toISOString(),
          }),
        );
      }
    }
    const sent = [...all, ...all.filter(() => random() < 0.2)].sort(() => random() - 0.5);

    let list: SlotView[] = [];
    for (let i = 0; i < sent.length; ) {
      const size = 1 + Math.floor(random() * 30);
      list = mergeSlots(list, sent.slice(i, i + size));
      i += size;
    }

    const expected = [...all].sort(
      (a, b) =>
        Date.parse(a.start) - Date.parse(b.start) ||
        a.service_name.localeCompare(b.service_name) ||
        Date.parse(a.end) - Date.parse(b.end),
    );
    expect(list.map(key)).toEqual(expected.map(key));
  });

  it("hands back the same list when a batch adds nothing new", () => {
    const list = [slot({ start: at(1, 9), id: "a" })];
    expect(mergeSlots(list, [])).toBe(list);
    expect(mergeSlots(list, [{ ...list[0] }])).toBe(list);
  });
});

describe("a frame's share of the queued events (issue 18.15)", () => {
  const batch = (service_id: string, n: number): SearchEvent => ({
    event: "slots",
    service_id,
    slots: Array.from({ length: n }, (_, i) => slot({ service_id, id: `${service_id}-${i}`, start: at(1, 8) })),
  });
  const found = (service_id: string): SearchEvent => ({ event: "progress", service_id, service_name: service_id, progress: { state: "found", count: 1 } });
  const sizes = (events: SearchEvent[]) => events.map((e) => (e.event === "slots" ? `${e.service_id}:${e.slots.length}` : e.event));

  it("takes events in order up to the budget, splitting the batch where it ends", () => {
    const events = [batch("a", 600), found("a"), batch("b", 700), found("b"), batch("c", 10)];
    const [now, later] = takeSlice(events, 1000);
    expect(sizes(now)).toEqual(["a:600", "progress", "b:400"]);
    // b's answer waits with the rest of its slots: it is not said to have answered before they show.
    expect(sizes(later)).toEqual(["b:300", "progress", "c:10"]);
    const ids = (events: SearchEvent[]) => events.flatMap((e) => (e.event === "slots" ? e.slots.map((s) => s.id) : []));
    expect([...ids(now), ...ids(later)]).toEqual(ids(events));
  });

  it("takes everything that fits, and nothing of a batch when the budget is spent", () => {
    const events = [batch("a", 3), found("a"), { event: "finished" } as SearchEvent];
    expect(takeSlice(events, 1000)).toEqual([events, []]);
    const [now, later] = takeSlice([found("a"), batch("b", 5), found("b")], 0);
    expect(sizes(now)).toEqual(["progress"]);
    expect(sizes(later)).toEqual(["b:5", "progress"]);
  });
});
