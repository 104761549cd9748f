import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppointmentView, SearchWindow } from "../../api/bindings";
import { addDays, daysBetween, formatDayWithWeekday, ukDay, ukToday } from "../../format";
import { apiError, appointment, at, jane, services } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";
import { applyAppStyles } from "../../test/styles";
import type { ChosenPatient } from "../../types";
import { AppointmentsScreen } from "./AppointmentsScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const today = ukToday();

const upcoming = appointment({ id: "1002", start: at(4, 11), description: "Rash on both arms", comment: "Call first" });
const upcomingUec = appointment({ id: "u-7", start: at(5, 9), service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", standard: "uec-booking" });
const cancelled = appointment({ id: "1001", start: at(2, 8), status: "cancelled", cancellation_reason: "Patient feels better" });
const past = appointment({ id: "1000", start: at(-3, 10), description: "Follow-up of chest infection" });

/** Answers each window with the appointments that start inside it, as the engine does. */
function serve(list: AppointmentView[], failures = [] as ReturnType<typeof apiError>[]) {
  client.patientAppointments.mockImplementation(async (_nhs: string, w: SearchWindow) =>
    ok({
      appointments: list.filter((a) => a.start.slice(0, 10) >= w.from && a.start.slice(0, 10) <= w.to),
      failures,
    }),
  );
}

function renderScreen(
  patient: ChosenPatient = { patient: jane, source: "found", foundAt: "Beckside Medical Practice" },
  { canChange = true } = {},
) {
  const user = userEvent.setup();
  render(<AppointmentsScreen patient={patient} services={services} today={today} canChange={canChange} onFindPatient={() => {}} />);
  return user;
}

const rowOf = (id: string) => screen.getAllByTestId("appointment-row").find((r) => r.dataset.appointmentId === id)!;

beforeEach(() => client.resetClient());

describe("the patient's appointments", () => {
  it("asks in windows of at most 14 days, from 14 days ago to 14 days ahead, and merges them", async () => {
    serve([upcoming, cancelled, past, upcomingUec]);
    renderScreen();
    await screen.findAllByTestId("appointment-row");
    const windows = client.patientAppointments.mock.calls.map(([nhs, w]) => {
      expect(nhs).toBe("9434765919");
      return w as SearchWindow;
    });
    for (const w of windows) expect(daysBetween(w.from, w.to)).toBeLessThanOrEqual(14);
    expect(windows.map((w) => w.from).sort()[0]).toBe(addDays(today, -14));
    expect(windows.map((w) => w.to).sort().at(-1)).toBe(addDays(today, 14));

    const upcomingTable = screen.getByRole("table", { name: /Upcoming/ });
    const pastTable = screen.getByRole("table", { name: /Past/ });
    expect(within(upcomingTable).getAllByTestId("appointment-row").map((r) => r.dataset.appointmentId)).toEqual(["1001", "1002", "u-7"]);
    expect(within(pastTable).getAllByTestId("appointment-row").map((r) => r.dataset.appointmentId)).toEqual(["1000"]);
    expect(rowOf("1002")).toHaveTextContent("Rash on both arms");
    expect(rowOf("1002")).toHaveTextContent("Call first");
    expect(rowOf("1002")).toHaveTextContent("In-person");
    expect(rowOf("u-7")).toHaveAttribute("data-service-id", "calder-utc");
  });

  it("strikes through cancelled ones with the reason, and offers no actions on them or on past ones", async () => {
    serve([upcoming, cancelled, past, upcomingUec]);
    renderScreen();
    await screen.findAllByTestId("appointment-row");
    const c = rowOf("1001");
    expect(c).toHaveAttribute("data-status", "cancelled");
    expect(c).toHaveClass("is-cancelled");
    expect(c).toHaveTextContent("Cancelled: Patient feels better");
    expect(within(c).queryByTestId("amend-button")).toBeNull();
    expect(within(c).queryByTestId("cancel-button")).toBeNull();
    expect(within(rowOf("1000")).queryByTestId("amend-button")).toBeNull();
    expect(within(rowOf("1000")).queryByTestId("cancel-button")).toBeNull();
    expect(within(rowOf("1002")).getByTestId("amend-button")).toBeInTheDocument();
    expect(within(rowOf("1002")).getByTestId("cancel-button")).toBeInTheDocument();
    // UEC Booking has no amend.
    expect(within(rowOf("u-7")).queryByTestId("amend-button")).toBeNull();
    expect(within(rowOf("u-7")).getByTestId("cancel-button")).toBeInTheDocument();
  });

  it("lists the services that could not be asked", async () => {
    serve([upcoming], [apiError({ service_id: "leeds-ed", message: "The service did not answer within 15 seconds." })]);
    renderScreen();
    await screen.findAllByTestId("appointment-row");
    const failures = screen.getAllByTestId("error-panel");
    // Both windows report the same service: it is named once.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toHaveTextContent("Leeds East Hospital Emergency Department");
    expect(failures[0]).toHaveTextContent("The service did not answer within 15 seconds.");
  });

  it("explains when there is no NHS number to look up", () => {
    renderScreen({ patient: { ...jane, nhs_number: null }, source: "manual", foundAt: null });
    expect(screen.getByText(/looked up by NHS number/)).toBeInTheDocument();
    expect(client.patientAppointments).not.toHaveBeenCalled();
  });
});

describe("who may change appointments", () => {
  it("offers a supervisor no Amend or Cancel, and says why", async () => {
    serve([upcoming, upcomingUec, cancelled, past]);
    renderScreen(undefined, { canChange: false });
    await screen.findAllByTestId("appointment-row");
    expect(screen.getAllByTestId("appointment-row")).toHaveLength(4);
    expect(screen.queryByTestId("amend-button")).toBeNull();
    expect(screen.queryByTestId("cancel-button")).toBeNull();
    expect(within(screen.getByRole("table", { name: /Upcoming/ })).queryByRole("columnheader", { name: "Actions" })).toBeNull();
    expect(screen.getByTestId("supervisor-note")).toHaveTextContent(
      "Supervisors can review bookings and appointments; booking, changing and cancelling are for call handlers and clinicians.",
    );
  });

  it("offers a call handler Amend and Cancel on the same appointments", async () => {
    serve([upcoming, upcomingUec, cancelled, past]);
    renderScreen(undefined, { canChange: true });
    await screen.findAllByTestId("appointment-row");
    expect(within(rowOf("1002")).getByTestId("amend-button")).toBeInTheDocument();
    expect(within(rowOf("1002")).getByTestId("cancel-button")).toBeInTheDocument();
    expect(within(rowOf("u-7")).getByTestId("cancel-button")).toBeInTheDocument();
    expect(screen.queryByTestId("supervisor-note")).toBeNull();
  });
});

describe("amend", () => {
  it("changes only the description and comment, with counters, then reloads", async () => {
    serve([upcoming]);
    const user = renderScreen();
    await user.click(await screen.findByTestId("amend-button"));
    const description = screen.getByTestId("amend-description");
    expect(description).toHaveValue("Rash on both arms");
    expect(description).toHaveFocus();
    expect(screen.getByTestId("amend-description-counter")).toHaveTextContent("17/100");
    expect(screen.getByTestId("save-amend")).toBeDisabled();

    await user.click(screen.getByTestId("amend-comment"));
    await user.paste("x".repeat(490));
    expect(screen.getByTestId("amend-comment-counter")).toHaveTextContent("500/500");
    await user.keyboard("y");
    expect(screen.getByTestId("save-amend")).toBeDisabled();
    await user.keyboard("{Backspace}");

    client.amendAppointment.mockResolvedValue(ok({ ...upcoming, comment: "Call first" + "x".repeat(490) }));
    await user.click(screen.getByTestId("save-amend"));
    expect(client.amendAppointment).toHaveBeenCalledWith("beckside", "1002", null, "Call first" + "x".repeat(490));
    await waitFor(() => expect(client.patientAppointments).toHaveBeenCalledTimes(4));
    expect(await screen.findByRole("status")).toHaveTextContent("Appointment amended");
    expect(screen.queryByTestId("save-amend")).toBeNull();
  });

  it("keeps the editor open with the error when the service refuses", async () => {
    serve([upcoming]);
    const user = renderScreen();
    await user.click(await screen.findByTestId("amend-button"));
    await user.type(screen.getByTestId("amend-description"), " and legs");
    client.amendAppointment.mockResolvedValue(fail(apiError({ kind: "version-conflict", message: "The appointment changed at the service.", next_step: "Refresh and try again." })));
    await user.click(screen.getByTestId("save-amend"));
    expect(await screen.findByTestId("error-message")).toHaveTextContent("The appointment changed at the service.");
    expect(screen.getByTestId("amend-description")).toHaveValue("Rash on both arms and legs");
  });
});

describe("cancel", () => {
  it("asks to confirm, needs a reason, and says what to tell the patient", async () => {
    serve([upcoming]);
    const user = renderScreen();
    await user.click(await screen.findByTestId("cancel-button"));
    const dialog = screen.getByRole("alertdialog", { name: "Cancel this appointment?" });
    expect(within(dialog).getByRole("button", { name: "Keep" })).toBeInTheDocument();
    expect(screen.getByTestId("cancel-reason")).toHaveFocus();

    await user.click(screen.getByTestId("confirm-cancel"));
    expect(dialog).toHaveTextContent("Enter why the appointment is being cancelled");
    expect(client.cancelAppointment).not.toHaveBeenCalled();
    await user.type(screen.getByTestId("cancel-reason"), "   ");
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(client.cancelAppointment).not.toHaveBeenCalled();

    client.cancelAppointment.mockResolvedValue(ok({ ...upcoming, status: "cancelled", cancellation_reason: "Feeling better" }));
    serve([{ ...upcoming, status: "cancelled", cancellation_reason: "Feeling better" }]);
    await user.clear(screen.getByTestId("cancel-reason"));
    await user.type(screen.getByTestId("cancel-reason"), "Feeling better");
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(client.cancelAppointment).toHaveBeenCalledWith("beckside", "1002", "Feeling better");
    await waitFor(() => expect(rowOf("1002")).toHaveAttribute("data-status", "cancelled"));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(rowOf("1002")).toHaveTextContent("Cancelled: Feeling better");
    expect(within(rowOf("1002")).queryByTestId("cancel-button")).toBeNull();
    // Read back: where, when and that it is cancelled, to tell the patient.
    const readBack = screen.getByTestId("cancel-readback");
    expect(readBack).toHaveTextContent("Cancelled — tell the patient");
    expect(readBack).toHaveTextContent(`Your appointment at ${upcoming.service_name} on ${formatDayWithWeekday(ukDay(upcoming.start))}`);
    expect(readBack).toHaveTextContent("has been cancelled (Feeling better). Reference 1002.");
  });

  it("Keep (or Esc) leaves the appointment alone", async () => {
    serve([upcoming]);
    const user = renderScreen();
    await user.click(await screen.findByTestId("cancel-button"));
    await user.click(screen.getByRole("button", { name: "Keep" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await user.click(screen.getByTestId("cancel-button"));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(client.cancelAppointment).not.toHaveBeenCalled();
  });
});

describe("issue 18.10: the list as read and used", () => {
  it("counts upcoming appointments that are not cancelled, and says how many are", async () => {
    serve([upcoming, cancelled, past, upcomingUec]);
    renderScreen();
    await screen.findAllByTestId("appointment-row");
    expect(screen.getByRole("heading", { name: /^Upcoming/ })).toHaveTextContent("Upcoming (2 appointments, 1 cancelled)");
    expect(screen.getByRole("heading", { name: /^Past/ })).toHaveTextContent("Past (1 appointment)");
  });

  it("lets column headings wrap and keeps Amend and Cancel inside their cell", async () => {
    const removeStyles = applyAppStyles();
    try {
      serve([upcoming]);
      renderScreen();
      await screen.findAllByTestId("appointment-row");
      const table = screen.getByRole("table", { name: /Upcoming/ });
      const header = within(table).getByRole("columnheader", { name: "Description and comment" });
      expect(getComputedStyle(header).whiteSpace).toBe("normal");
      expect(getComputedStyle(header).getPropertyValue("overflow-wrap")).toBe("break-word");
      // Too narrow a window scrolls the table, rather than squeezing a column to nothing.
      expect(getComputedStyle(table.parentElement!).overflow).toBe("auto");
      expect(getComputedStyle(table).minWidth).toMatch(/rem$/);
      const buttons = within(rowOf("1002")).getByTestId("cancel-button").parentElement!;
      expect(getComputedStyle(buttons).flexWrap).toBe("wrap");
      expect(getComputedStyle(buttons.parentElement!).whiteSpace).not.toBe("nowrap");
    } finally {
      removeStyles();
    }
  });

  it("after saving an amendment, puts focus on the amended row's heading and says so", async () => {
    serve([upcoming, upcomingUec]);
    const user = renderScreen();
    await user.click(within(await waitFor(() => rowOf("1002"))).getByTestId("amend-button"));
    await user.type(screen.getByTestId("amend-description"), " and legs");
    client.amendAppointment.mockResolvedValue(ok({ ...upcoming, description: "Rash on both arms and legs" }));
    serve([{ ...upcoming, description: "Rash on both arms and legs" }, upcomingUec]);
    await user.click(screen.getByTestId("save-amend"));
    await waitFor(() => expect(within(rowOf("1002")).getByRole("rowheader")).toHaveFocus());
    expect(document.body).not.toHaveFocus();
    expect(screen.getByTestId("appointments-announce")).toHaveTextContent("Appointment amended.");
  });

  it("after a cancellation, puts focus on the cancelled row's heading, or the list's when the row is gone", async () => {
    serve([upcoming, upcomingUec]);
    const user = renderScreen();
    await user.click(within(await waitFor(() => rowOf("1002"))).getByTestId("cancel-button"));
    client.cancelAppointment.mockResolvedValue(ok({ ...upcoming, status: "cancelled", cancellation_reason: "Feeling better" }));
    serve([{ ...upcoming, status: "cancelled", cancellation_reason: "Feeling better" }, upcomingUec]);
    await user.type(screen.getByTestId("cancel-reason"), "Feeling better");
    await user.click(screen.getByTestId("confirm-cancel"));
    await waitFor(() => expect(within(rowOf("1002")).getByRole("rowheader")).toHaveFocus());
    expect(screen.getByTestId("appointments-announce")).toHaveTextContent("Appointment cancelled.");

    // A service that no longer lists the cancelled appointment: the upcoming list's heading.
    await user.click(within(rowOf("u-7")).getByTestId("cancel-button"));
    client.cancelAppointment.mockResolvedValue(ok({ ...upcomingUec, status: "cancelled", cancellation_reason: "Went to A&E" }));
    serve([{ ...upcoming, status: "cancelled", cancellation_reason: "Feeling better" }]);
    await user.type(screen.getByTestId("cancel-reason"), "Went to A&E");
    await user.click(screen.getByTestId("confirm-cancel"));
    await waitFor(() => expect(screen.getByRole("heading", { name: /^Upcoming/ })).toHaveFocus());
  });
});
