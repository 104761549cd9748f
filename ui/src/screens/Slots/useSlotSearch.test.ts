import { describe, expect, it } from "vitest";
import type { SlotView } from "../../api/bindings";
import { at, slot } from "../../test/fixtures";
import { mergeSlots } from "./useSlotSearch";

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
