import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ukToday } from "../../format";
import { apiError, services, summary } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";
import { BookedScreen } from "./BookedScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

const rows = [
  summary({ appointment_id: "1001", booked_at: minutesAgo(3), status: "cancelled", last_action: "cancel", booked_by: "Sam Patel" }),
  summary({ appointment_id: "25926b96", service_id: "calder-utc", booked_at: minutesAgo(1), nhs_number: "9476719931" }),
  summary({ appointment_id: "1003", booked_at: minutesAgo(2), nhs_number: "9434760186" }),
  summary({ appointment_id: "old-1", booked_at: "2024-01-15T10:00:00Z" }),
];

beforeEach(() => {
  client.resetClient();
  client.listBookings.mockResolvedValue(ok(rows));
});

const shownIds = () =>
  within(screen.getByTestId("bookings-table"))
    .queryAllByTestId("booking-row")
    .map((r) => within(r).getAllByRole("cell")[3].textContent);

describe("Booked today", () => {
  it("lists today's bookings newest first with the patient's NHS number spaced", async () => {
    render(<BookedScreen services={services} today={ukToday()} />);
    await screen.findByTestId("bookings-table");
    expect(shownIds()).toEqual(["25926b96", "1003", "1001"]);
    const first = screen.getAllByTestId("booking-row")[0];
    expect(first).toHaveTextContent("947 671 9931");
    expect(first).toHaveTextContent("Calder Valley Urgent Treatment Centre");
    expect(first).toHaveTextContent("Booked");
    expect(first).toHaveTextContent("Alex Taylor");
    const headers = within(screen.getByTestId("bookings-table")).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Booked", "Patient NHS No.", "Service", "Reference", "Appointment", "Status", "Last change", "Booked by"]);
  });

  it("filters by text (NHS number however spaced, service, person) and by status", async () => {
    const user = userEvent.setup();
    render(<BookedScreen services={services} today={ukToday()} />);
    await screen.findByTestId("bookings-table");
    await user.type(screen.getByTestId("bookings-filter"), "943 476 0186");
    expect(shownIds()).toEqual(["1003"]);
    await user.clear(screen.getByTestId("bookings-filter"));
    await user.type(screen.getByTestId("bookings-filter"), "calder");
    expect(shownIds()).toEqual(["25926b96"]);
    await user.clear(screen.getByTestId("bookings-filter"));
    await user.type(screen.getByTestId("bookings-filter"), "sam");
    expect(shownIds()).toEqual(["1001"]);
    await user.clear(screen.getByTestId("bookings-filter"));

    await user.selectOptions(screen.getByLabelText("Status"), "cancelled");
    expect(shownIds()).toEqual(["1001"]);
    await user.selectOptions(screen.getByLabelText("Status"), "booked");
    expect(shownIds()).toEqual(["25926b96", "1003"]);
    await user.type(screen.getByTestId("bookings-filter"), "nobody");
    expect(screen.getByTestId("bookings-table")).toHaveTextContent("No bookings match the filter.");
  });

  it("shows earlier days too when asked", async () => {
    const user = userEvent.setup();
    render(<BookedScreen services={services} today={ukToday()} />);
    await screen.findByTestId("bookings-table");
    await user.click(screen.getByLabelText("Today only"));
    expect(shownIds()).toEqual(["25926b96", "1003", "1001", "old-1"]);
  });

  it("shows the ErrorPanel when the registry cannot be read", async () => {
    client.listBookings.mockResolvedValue(fail(apiError({ kind: "store", message: "The bookings registry could not be opened." })));
    render(<BookedScreen services={services} today={ukToday()} />);
    expect(await screen.findByTestId("error-message")).toHaveTextContent("The bookings registry could not be opened.");
    expect(screen.queryByTestId("bookings-table")).toBeNull();
  });
});
