import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Interrupted } from "../api/bindings";
import { formatDayWithWeekday, formatTime, ukDay } from "../format";
import { apiError, at, nothingInterrupted, reconciled } from "../test/fixtures";
import { InterruptedNotice } from "./InterruptedNotice";

const start = at(1, 8, 0);

const threeEndings: Interrupted = {
  settled: [
    reconciled({ slot_start: start }),
    reconciled({
      service_id: "leeds-ed",
      service_name: "Leeds East Hospital Emergency Department",
      slot_ids: ["ed-1"],
      settled: "not-booked",
      appointment_id: null,
      message: "An interrupted booking at Leeds East Hospital Emergency Department was not made; the patient is not booked there.",
    }),
    reconciled({
      service_id: "gone-utc",
      service_name: null,
      slot_ids: ["u-1"],
      slot_start: null,
      nhs_number: null,
      settled: "still-unknown",
      appointment_id: null,
      message: "An interrupted booking could not be checked (its service is no longer in the directory): call the service.",
    }),
  ],
  error: null,
  left_open: [],
};

function show(interrupted: Interrupted) {
  const onAcknowledge = vi.fn();
  render(<InterruptedNotice interrupted={interrupted} onAcknowledge={onAcknowledge} />);
  return { onAcknowledge, user: userEvent.setup() };
}

const item = (settled: string) =>
  screen.getAllByTestId("interrupted-item").find((li) => li.getAttribute("data-settled") === settled)!;

describe("the interrupted bookings notice", () => {
  it("names each booking's service and slot time, what became of it and what to do next", () => {
    show(threeEndings);
    const notice = screen.getByRole("alertdialog", { name: "Interrupted bookings" });
    expect(notice).toHaveTextContent("Booking Desk stopped while 3 bookings were being sent.");
    expect(screen.getAllByTestId("interrupted-item")).toHaveLength(3);

    const booked = item("booked");
    expect(booked).toHaveTextContent(`Beckside Medical Practice, ${formatDayWithWeekday(ukDay(start))} ${formatTime(start)}`);
    expect(booked).toHaveTextContent("Booked");
    expect(booked).toHaveTextContent("was made: appointment 1001.");
    expect(within(booked).getByTestId("interrupted-next")).toHaveTextContent(
      "It is confirmed at the service and is in the bookings list. Make sure the patient knows about it.",
    );

    const notMade = item("not-booked");
    expect(notMade).toHaveTextContent("Leeds East Hospital Emergency Department");
    // Whom to tell or book again; a booking that named no NHS number says nothing of it.
    expect(notMade).toHaveTextContent("for patient NHS No. 943 476 5919");
    expect(notMade).toHaveTextContent("Not made");
    expect(within(notMade).getByTestId("interrupted-next")).toHaveTextContent(
      "Book again if the patient still needs an appointment.",
    );

    // A service no longer in the directory is named by its id; the slot time is said to be unknown.
    const unknown = item("still-unknown");
    expect(unknown).toHaveTextContent("gone-utc, slot time not known");
    expect(unknown).not.toHaveTextContent("NHS No.");
    expect(unknown).toHaveTextContent("Outcome unknown");
    expect(within(unknown).getByTestId("interrupted-next")).toHaveTextContent(
      "Ring the service to check whether it was made before booking the patient again.",
    );
  });

  it("says a single booking in the singular", () => {
    show({ settled: [reconciled()], error: null, left_open: [] });
    expect(screen.getByTestId("interrupted-notice")).toHaveTextContent("Booking Desk stopped while 1 booking was being sent.");
  });

  it("goes only when acknowledged: Esc leaves it on screen, the button (focused first) dismisses it", async () => {
    const { onAcknowledge, user } = show(threeEndings);
    const button = screen.getByTestId("interrupted-acknowledge");
    expect(button).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(onAcknowledge).not.toHaveBeenCalled();
    await user.keyboard("{Enter}");
    expect(onAcknowledge).toHaveBeenCalledTimes(1);
  });

  it("reports a check that could not be made, with what to do", () => {
    show({
      settled: [],
      error: apiError({
        kind: "store",
        message: "Booking Desk could not check for bookings that were interrupted when it last stopped.",
        next_step: "Close Booking Desk and open it again to check.",
      }),
      left_open: [],
    });
    const panel = screen.getByTestId("error-panel");
    expect(panel).toHaveTextContent("Interrupted bookings could not be checked");
    expect(panel).toHaveTextContent("Close Booking Desk and open it again to check.");
    expect(screen.queryByTestId("interrupted-item")).toBeNull();
  });

  it("tells the next person what became of bookings the last person left with their outcome not known", () => {
    const left = reconciled({
      slot_start: start,
      message: "A booking whose outcome was not known at Beckside Medical Practice was made: appointment 1001.",
    });
    show({ settled: [], error: null, left_open: [left] });
    const notice = screen.getByRole("alertdialog", { name: "Bookings left unconfirmed" });
    expect(notice).toHaveTextContent("The last person at this desk left 1 booking whose outcome was not known.");
    expect(notice).not.toHaveTextContent("Booking Desk stopped");
    const it = within(screen.getByTestId("left-open")).getByTestId("interrupted-item");
    expect(it).toHaveTextContent("Booked");
    expect(it).toHaveTextContent("for patient NHS No. 943 476 5919");
    expect(it).toHaveTextContent("was made: appointment 1001.");
    expect(within(it).getByTestId("interrupted-next")).toHaveTextContent("Make sure the patient knows about it.");
  });

  it("shows nothing when no booking was interrupted", () => {
    const { container } = render(<InterruptedNotice interrupted={nothingInterrupted} onAcknowledge={vi.fn()} />);
    expect(container).toBeEmptyDOMElement();
    expect(screen.queryByTestId("interrupted-notice")).toBeNull();
  });
});
