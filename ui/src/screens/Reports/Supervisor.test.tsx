import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CentreBooking, CentreReport } from "../../api/bindings";
import { addDays, ukToday } from "../../format";
import { renderApp } from "../../test/app";
import * as client from "../../test/mockClient";
import { ok } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const today = ukToday();

const booking = (over: Partial<CentreBooking> = {}): CentreBooking => ({
  service_id: "beckside",
  service_name: "Beckside Medical Practice",
  appointment_id: "1001",
  status: "booked",
  start: `${addDays(today, 1)}T09:00:00+00:00`,
  end: `${addDays(today, 1)}T09:10:00+00:00`,
  nhs_number: "9434765919",
  booked_by: "Alex Taylor",
  booked_by_local_id: "alex.taylor",
  desk: "desk-3",
  booked_at: `${today}T08:15:00Z`,
  last_action: "book",
  last_changed_at: `${today}T08:15:00Z`,
  ...over,
});

const report = (): CentreReport => ({
  range: { from: addDays(today, -6), to: today },
  bookings: [
    { day: today, service_id: "beckside", service_name: "Beckside Medical Practice", count: 3 },
    { day: today, service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", count: 5 },
  ],
  searches_without_slots: [{ day: today, count: 2 }],
  slots_lost: [{ day: today, count: 1 }],
  errors_by_kind: [{ kind: "slot-taken", label: "Slot taken", count: 1 }, { kind: "timeout", label: "Timed out", count: 4 }],
  cancellations: [{ day: today, count: 2 }],
  rebookings: [{ day: today, count: 1 }],
  outside_timeframe: [{ day: today, count: 1 }],
  search_to_booked: { count: 8, median_secs: 125, p90_secs: 400 },
});

beforeEach(() => client.resetClient());

describe("the supervisor's screens", () => {
  it("a supervisor has Booked and Reports; a call handler has Booked today", async () => {
    const { unmount } = await renderApp("supervisor");
    expect(screen.getByTestId("nav-centre")).toHaveTextContent("Booked");
    expect(screen.getByTestId("nav-reports")).toHaveTextContent("Reports");
    expect(screen.queryByTestId("nav-booked")).toBeNull();
    unmount();
    await renderApp("call-handler");
    expect(screen.getByTestId("nav-booked")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-reports")).toBeNull();
  });

  it("lists the centre's bookings, filters them at the registry, exports them and opens one's history", async () => {
    client.centreBookings.mockResolvedValue(ok([booking(), booking({ appointment_id: "1002", status: "cancelled", last_action: "cancel", desk: "desk-4", booked_by: "Sam Okafor" })]));
    client.appointmentHistory.mockResolvedValue(
      ok({
        service_id: "beckside",
        appointment_id: "1001",
        events: [
          { id: 7, recorded_at: `${today}T08:15:00Z`, action: "book", outcome: "succeeded", user_local_id: "alex.taylor", user_name: "Alex Taylor", user_role: "call-handler", organisation_ods: "RYA", service_id: "beckside", slot_ids: ["s1"], appointment_id: "1001", appointment_version: "1", appointment_status: "booked", appointment_start: null, appointment_end: null, nhs_number: "9434765919", trace_id: "t-1", request_id: null, error_kind: null, error_message: null, reason: null, approved_by: null, approval_reason: null, desk: "desk-3", outside_timeframe: false },
        ],
        audit: [
          { id: 40, recorded_at: `${today}T08:15:01Z`, user_local_id: "alex.taylor", user_name: "Alex Taylor", user_role: "call-handler", organisation_ods: "RYA", service_id: "beckside", interaction: "urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1", nhs_number: "9434765919", trace_id: "t-1", request_id: null, outcome: "http 201", prev_hash: "a", hash: "b", appointment_id: "1001" },
        ],
      }),
    );
    const { user } = await renderApp("supervisor");
    await user.click(screen.getByTestId("nav-centre"));
    const table = await screen.findByTestId("centre-table");
    const rows = within(table).getAllByTestId("centre-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("943 476 5919");
    expect(rows[0]).toHaveTextContent("desk-3");
    expect(rows[1]).toHaveAttribute("data-status", "cancelled");
    expect(client.centreBookings).toHaveBeenLastCalledWith({ from: addDays(today, -6), to: today, service_id: null, status: null, user_local_id: null, desk: null });

    await user.selectOptions(screen.getByTestId("centre-status"), "cancelled");
    await waitFor(() => expect(client.centreBookings).toHaveBeenLastCalledWith(expect.objectContaining({ status: "cancelled" })));
    // A desk is matched on screen, by any part of its name; the registry is not asked again.
    await user.type(screen.getByTestId("centre-desk"), "desk-4");
    await waitFor(() => expect(screen.getAllByTestId("centre-row")).toHaveLength(1));
    expect(client.centreBookings).toHaveBeenLastCalledWith(expect.objectContaining({ status: "cancelled", desk: null }));
    await user.clear(screen.getByTestId("centre-desk"));

    await user.click(screen.getByTestId("export-csv"));
    expect(await screen.findByTestId("export-csv-path")).toHaveTextContent("/home/desk/Downloads/centre-bookings.csv");
    const [name, header, exported] = client.exportCsv.mock.calls[0];
    expect(name).toBe("centre-bookings");
    expect(header).toContain("NHS number");
    expect(exported).toHaveLength(2);
    expect(exported[0]).toContain("943 476 5919");

    // The list was read again for the filters: open the first row as it is now.
    const first = (await screen.findAllByTestId("centre-row"))[0];
    await user.click(within(first).getByTestId("open-history"));
    const history = await screen.findByTestId("appointment-history");
    expect(client.appointmentHistory).toHaveBeenCalledWith("beckside", "1001");
    expect(await within(history).findByTestId("history-event")).toHaveAttribute("data-outcome", "succeeded");
    expect(within(history).getByTestId("history-audit-entry")).toHaveTextContent("http 201");
  });

  it("shows each figure as a chart above its table, with totals", async () => {
    client.centreReport.mockResolvedValue(ok(report()));
    const { user } = await renderApp("supervisor");
    await user.click(screen.getByTestId("nav-reports"));
    expect(await screen.findByTestId("report-bookings-total")).toHaveTextContent("8");
    expect(client.centreReport).toHaveBeenCalledWith({ from: addDays(today, -6), to: today });
    const bars = within(screen.getByTestId("chart-bookings")).getAllByTestId("bar");
    expect(bars.map((b) => [b.getAttribute("data-label"), b.getAttribute("data-value")])).toEqual([
      ["Beckside Medical Practice", "3"],
      ["Calder Valley Urgent Treatment Centre", "5"],
    ]);
    expect(screen.getByTestId("report-searches-without-slots-total")).toHaveTextContent("2");
    expect(screen.getByTestId("report-slots-lost-total")).toHaveTextContent("1");
    expect(screen.getByTestId("report-errors-total")).toHaveTextContent("5");
    expect(screen.getByTestId("report-cancellations-total")).toHaveTextContent("2 / 1");
    expect(screen.getByTestId("report-outside-timeframe-total")).toHaveTextContent("1");
    const timing = screen.getByTestId("report-search-to-booked");
    expect(timing).toHaveTextContent("median 2 min 05 s");
    expect(timing).toHaveTextContent("6 min 40 s");
    // Every figure has its table too.
    expect(within(screen.getByTestId("report-errors")).getByRole("table")).toHaveTextContent("Timed out4");
  });
});
