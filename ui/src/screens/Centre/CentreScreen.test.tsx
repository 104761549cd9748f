import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BookingEvent, BookingFilter, CentreBooking } from "../../api/bindings";
import { addDays, formatDateTime, formatTime, ukToday } from "../../format";
import { services } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { ok } from "../../test/mockClient";
import { CentreScreen } from "./CentreScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const today = ukToday();

const line = (over: Partial<CentreBooking> & { appointment_id: string }): CentreBooking => ({
  service_id: "beckside",
  service_name: "Beckside Medical Practice",
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

const lines = [
  line({ appointment_id: "1001" }),
  line({ appointment_id: "1002", booked_by: "Sam Okafor", booked_by_local_id: "sokafor", desk: "Leeds floor 2, desk-7" }),
  line({ appointment_id: "1003", booked_by: "Priya Shah", booked_by_local_id: "pshah", desk: "DESK 12" }),
];

/** Every field the registry keeps for an event, each set. */
const event: BookingEvent = {
  id: 7,
  recorded_at: `${today}T08:15:00Z`,
  action: "book",
  outcome: "succeeded",
  user_local_id: "sokafor",
  user_name: "Sam Okafor",
  user_role: "call-handler",
  organisation_ods: "RYA",
  service_id: "beckside",
  slot_ids: ["s-41", "s-42"],
  appointment_id: "1002",
  appointment_version: "3",
  appointment_status: "booked",
  appointment_start: `${addDays(today, 1)}T09:00:00+00:00`,
  appointment_end: `${addDays(today, 1)}T09:20:00+00:00`,
  nhs_number: "9434765919",
  trace_id: "trace-5a1",
  request_id: "req-77c",
  error_kind: "slot-taken",
  error_message: "Taken before the first attempt",
  reason: "Patient asked to move it",
  approved_by: "Dr Ruth Mensah",
  approval_reason: "Seen by own GP tomorrow morning is safe",
  desk: "Leeds floor 2, desk-7",
  outside_timeframe: true,
  patient_ref: "pp-9f3e",
};

beforeEach(() => {
  client.resetClient();
  // As the registry filters: a person or desk only by exact match.
  client.centreBookings.mockImplementation(async (f: BookingFilter) =>
    ok(lines.filter((l) => (f.user_local_id === null || f.user_local_id === l.booked_by_local_id) && (f.desk === null || f.desk === l.desk))),
  );
});

const shown = () => screen.queryAllByTestId("centre-row").map((r) => r.dataset.appointmentId);

describe("issue 18.12: the centre's bookings for a supervisor", () => {
  it("finds a person or a desk by any part of the name, in any case", async () => {
    const user = userEvent.setup();
    render(<CentreScreen services={services} today={today} />);
    await screen.findByTestId("centre-table");
    expect(shown()).toEqual(["1001", "1002", "1003"]);

    await user.type(screen.getByTestId("centre-user"), "sam");
    await waitFor(() => expect(shown()).toEqual(["1002"]));
    await user.clear(screen.getByTestId("centre-user"));
    await user.type(screen.getByTestId("centre-user"), "PSHA");
    await waitFor(() => expect(shown()).toEqual(["1003"]));
    await user.clear(screen.getByTestId("centre-user"));

    await user.type(screen.getByTestId("centre-desk"), "desk 7");
    await waitFor(() => expect(shown()).toEqual(["1002"]));
    await user.clear(screen.getByTestId("centre-desk"));
    await user.type(screen.getByTestId("centre-desk"), "desk 12");
    await waitFor(() => expect(shown()).toEqual(["1003"]));
    await user.type(screen.getByTestId("centre-user"), "nobody");
    await waitFor(() => expect(screen.getByTestId("centre-table")).toHaveTextContent("No bookings match."));
  });

  it("opens an appointment's history in view, its heading focused, with every field the registry keeps", async () => {
    const scrolled = vi.spyOn(Element.prototype, "scrollIntoView");
    client.appointmentHistory.mockResolvedValue(ok({ service_id: "beckside", appointment_id: "1002", events: [event], audit: [] }));
    const user = userEvent.setup();
    render(<CentreScreen services={services} today={today} />);
    await screen.findByTestId("centre-table");
    const row = screen.getAllByTestId("centre-row").find((r) => r.dataset.appointmentId === "1002")!;
    await user.click(within(row).getByTestId("open-history"));

    const history = await screen.findByTestId("appointment-history");
    expect(scrolled.mock.contexts).toContain(history);
    expect(within(history).getByRole("heading", { level: 3 })).toHaveFocus();
    const shownEvent = await within(history).findByTestId("history-event");
    const cells = within(shownEvent).getAllByRole("cell");
    expect(cells.slice(0, 5).map((c) => c.textContent)).toEqual([
      formatDateTime(event.recorded_at),
      "Booked",
      "succeeded",
      "Sam OkaforCall handler · sokafor",
      "Leeds floor 2, desk-7",
    ]);
    const facts = Object.fromEntries(
      [...shownEvent.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
    );
    expect(facts).toEqual({
      "Cancellation reason": "Patient asked to move it",
      "Approved by": "Dr Ruth Mensah",
      "Approval reason": "Seen by own GP tomorrow morning is safe",
      "Later than the triage timeframe": "Yes",
      Error: "slot-taken",
      "Error message": "Taken before the first attempt",
      Appointment: "1002",
      Version: "3",
      Status: "booked",
      "Appointment time": `${formatDateTime(event.appointment_start!)}–${formatTime(event.appointment_end!)}`,
      Slots: "s-41, s-42",
      "Service id": "beckside",
      "NHS number": "943 476 5919",
      "Patient pseudonym": "pp-9f3e",
      "Organisation (ODS)": "RYA",
      "Trace id": "trace-5a1",
      "Request id": "req-77c",
      Event: "7",
    });
    scrolled.mockRestore();
  });

  it("puts focus back on the reference that opened the history when it is closed", async () => {
    const user = userEvent.setup();
    render(<CentreScreen services={services} today={today} />);
    await screen.findByTestId("centre-table");
    const opener = within(screen.getAllByTestId("centre-row")[1]).getByTestId("open-history");
    await user.click(opener);
    const history = await screen.findByTestId("appointment-history");
    await user.click(within(history).getByRole("button", { name: "Close" }));
    expect(screen.queryByTestId("appointment-history")).toBeNull();
    expect(opener).toHaveFocus();
  });
});
