import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import type { SlotView } from "../api/bindings";
import { addDays, formatShortDay, ukDay, ukToday } from "../format";
import { at, slot } from "../test/fixtures";
import { SlotList, slotKey } from "./SlotList";

function Harness({ slots, onPick = () => {}, seeBy = null }: { slots: SlotView[]; onPick?: (s: SlotView) => void; seeBy?: number | null }) {
  const [active, setActive] = useState<string | null>(null);
  return (
    <SlotList
      slots={slots}
      today={ukToday()}
      activeKey={active}
      pickedKey={null}
      onActivate={setActive}
      onPick={onPick}
      empty="Nothing yet"
      seeBy={seeBy}
    />
  );
}

describe("SlotList", () => {
  it("groups slots under Today, Tomorrow and then the weekday, soonest first", () => {
    const slots = [
      slot({ start: at(0, 14, 10), id: "a" }),
      slot({ start: at(1, 9, 0), id: "b" }),
      slot({ start: at(3, 9, 0), id: "c" }),
    ];
    const { container } = render(<Harness slots={slots} />);
    const headings = [...container.querySelectorAll(".slot-day:not(.slot-day--pinned) .slot-day__label")].map((h) => h.textContent);
    expect(headings).toEqual([
      `Today · ${formatShortDay(ukToday())}`,
      `Tomorrow · ${formatShortDay(addDays(ukToday(), 1))}`,
      formatShortDay(addDays(ukToday(), 3)),
    ]);
    expect(screen.getAllByTestId("slot-row").map((r) => r.dataset.slotId)).toEqual(["a", "b", "c"]);
  });

  it("shows everything the standard asks for on each row", () => {
    render(
      <Harness
        slots={[
          slot({
            start: at(1, 14, 10),
            end: at(1, 14, 20),
            service_name: "Calder Valley Urgent Treatment Centre",
            service_id: "calder-utc",
            delivery_channel: null,
            slot_type: "Urgent treatment centre arrival",
            schedule_type: "Urgent treatment centre",
            practitioner: { id: "p", name: "Dr A Khan", role: "Specialty Doctor", gender: "male" },
            location: { id: "l", name: "Calder Valley Hospital", address: "Halifax Road, Halifax, HX3 0PW" },
          }),
        ]}
      />,
    );
    const row = screen.getByTestId("slot-row");
    expect(row).toHaveAttribute("data-service-id", "calder-utc");
    for (const text of [
      "14:10–14:20",
      "Calder Valley Urgent Treatment Centre",
      "Channel not stated",
      "Urgent treatment centre arrival",
      "Urgent treatment centre",
      "Dr A Khan (Specialty Doctor, Male)",
      "Calder Valley Hospital, Halifax Road, Halifax, HX3 0PW",
    ]) {
      expect(row).toHaveTextContent(text);
    }
    expect(row).not.toHaveTextContent("In-person");
  });

  it("moves with ↑ ↓ and picks with Enter", async () => {
    const user = userEvent.setup();
    const onPick = vi.fn();
    const slots = [slot({ start: at(1, 9), id: "a" }), slot({ start: at(1, 10), id: "b" }), slot({ start: at(2, 9), id: "c" })];
    render(<Harness slots={slots} onPick={onPick} />);
    const list = screen.getByTestId("slot-list");
    await user.click(list);
    const selected = () => screen.getAllByTestId("slot-row").filter((r) => r.getAttribute("aria-selected") === "true");
    // Focusing the list highlights the first slot.
    expect(selected().map((r) => r.dataset.slotId)).toEqual(["a"]);
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(selected().map((r) => r.dataset.slotId)).toEqual(["c"]);
    await user.keyboard("{ArrowDown}");
    expect(selected().map((r) => r.dataset.slotId)).toEqual(["c"]);
    await user.keyboard("{ArrowUp}");
    expect(selected().map((r) => r.dataset.slotId)).toEqual(["b"]);
    expect(list).toHaveAttribute("aria-activedescendant", selected()[0].id);
    await user.keyboard("{Enter}");
    expect(onPick).toHaveBeenCalledWith(slots[1]);
  });

  it("keeps only a window of 5,000 slots in the page, and End reaches the last", async () => {
    const user = userEvent.setup();
    const first = Date.parse(at(0, 8));
    const slots = Array.from({ length: 5000 }, (_, i) =>
      slot({ id: `n${i}`, start: new Date(first + i * 5 * 60_000).toISOString() }),
    );
    const { container } = render(<Harness slots={slots} />);
    const rows = screen.getAllByTestId("slot-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0].dataset.slotId).toBe("n0");
    expect(screen.getByTestId("slot-list")).toHaveAccessibleName(/5,000 slots/);

    await user.click(screen.getByTestId("slot-list"));
    await user.keyboard("{End}");
    const last = await screen.findByText((_, el) => el?.getAttribute("data-slot-id") === "n4999");
    expect(last).toHaveAttribute("aria-selected", "true");
    expect(screen.queryByText((_, el) => el?.getAttribute("data-slot-id") === "n0")).toBeNull();
    expect(screen.getAllByTestId("slot-row").length).toBeLessThan(60);
    // The day heading pinned above the list follows the scroll.
    expect(container.querySelector(".slot-day--pinned")).toHaveTextContent(formatShortDay(ukDay(slots[4999].start)));
  });

  it("with 5,000 slots keeps the highlighted row in the page, numbered within the whole list, wherever the list is scrolled", async () => {
    const user = userEvent.setup();
    const first = Date.parse(at(0, 8));
    const slots = Array.from({ length: 5000 }, (_, i) =>
      slot({ id: `n${i}`, start: new Date(first + i * 5 * 60_000).toISOString() }),
    );
    render(<Harness slots={slots} />);
    const list = screen.getByTestId("slot-list");
    const active = () => document.getElementById(list.getAttribute("aria-activedescendant") ?? "");
    const rows = () => screen.getAllByTestId("slot-row");
    expect(rows().length).toBeLessThan(100);
    expect(rows()[0]).toHaveAttribute("aria-posinset", "1");
    expect(rows()[0]).toHaveAttribute("aria-setsize", "5000");

    await user.click(list);
    // At once, before the list has scrolled: the option pointed at is in the page.
    await user.keyboard("{End}");
    expect(active()).toHaveAttribute("data-slot-id", "n4999");
    expect(active()).toHaveAttribute("aria-posinset", "5000");
    expect(active()).toHaveAttribute("aria-setsize", "5000");
    expect(active()).toHaveAttribute("data-service-id", "beckside");
    await waitFor(() => expect(rows().length).toBeGreaterThan(5));

    // Scrolled back to the top by hand: the highlighted row stays in the page with the top ones.
    list.scrollTop = 0;
    fireEvent.scroll(list);
    await waitFor(() => expect(rows()[0]).toHaveAttribute("data-slot-id", "n0"));
    expect(rows().length).toBeLessThan(100);
    expect(active()).toHaveAttribute("data-slot-id", "n4999");
    expect(active()).toHaveAttribute("aria-selected", "true");

    // The keys still move from there, a page and a step at a time.
    await user.keyboard("{PageUp}");
    expect(active()).toHaveAttribute("aria-posinset", "4990");
    await user.keyboard("{ArrowUp}");
    expect(active()).toHaveAttribute("aria-posinset", "4989");
    await user.keyboard("{Home}");
    expect(active()).toHaveAttribute("data-slot-id", "n0");
    await user.keyboard("{PageDown}{ArrowDown}");
    expect(active()).toHaveAttribute("aria-posinset", "12");
  });

  it("marks, and still lists, the slots after the triage timeframe", () => {
    const slots = [slot({ start: at(1, 9), id: "in" }), slot({ start: at(1, 11), id: "out" })];
    render(<Harness slots={slots} seeBy={Date.parse(at(1, 10))} />);
    const rows = screen.getAllByTestId("slot-row");
    expect(rows.map((r) => r.dataset.slotId)).toEqual(["in", "out"]);
    expect(within(rows[0]).queryByTestId("slot-late")).toBeNull();
    expect(within(rows[1]).getByTestId("slot-late")).toHaveTextContent("After timeframe");
  });

  it("tells the two 01:30s of the autumn clock change apart", () => {
    const slots = [
      slot({ start: "2026-10-25T00:30:00Z", end: "2026-10-25T00:40:00Z", id: "bst" }),
      slot({ start: "2026-10-25T01:30:00Z", end: "2026-10-25T01:40:00Z", id: "gmt" }),
    ];
    render(<Harness slots={slots} />);
    const times = screen.getAllByTestId("slot-row").map((r) => r.querySelector(".slot-row__time")?.textContent);
    expect(times).toEqual(["01:30 BST–01:40 BST", "01:30 GMT–01:40 GMT"]);
  });

  it("says so when there is nothing to show", () => {
    render(<Harness slots={[]} />);
    expect(within(screen.getByTestId("slot-list")).getByText("Nothing yet")).toBeInTheDocument();
    expect(slotKey({ service_id: "a", id: "1" })).not.toBe(slotKey({ service_id: "b", id: "1" }));
  });
});
