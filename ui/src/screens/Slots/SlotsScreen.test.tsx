import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Profiler } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SearchEvent } from "../../api/bindings";
import { App } from "../../App";
import { addDays, formatDay, ukToday } from "../../format";
import { controlSearch, renderApp, signInThroughForm } from "../../test/app";
import { apiError, at, jane, janeTraced, slot } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const today = ukToday();

beforeEach(() => {
  client.resetClient();
  client.defaultWindow.mockResolvedValue(ok({ from: today, to: addDays(today, 14) }));
});

const row = (id: string) => screen.getAllByTestId("service-status").find((r) => r.dataset.serviceId === id)!;

async function openSlots() {
  const app = await renderApp();
  await app.user.keyboard("{Alt>}2{/Alt}");
  return app;
}

describe("searching", () => {
  it("streams one status row per service: searching, then found, none or failed", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    expect(calls).toHaveLength(1);
    expect(calls[0].request).toEqual({
      services: ["beckside", "calder-utc", "leeds-ed", "wy-ooh"],
      window: { from: today, to: addDays(today, 14) },
      channel: null,
    });
    expect(screen.getAllByTestId("service-status").map((r) => r.dataset.state)).toEqual([
      "searching",
      "searching",
      "searching",
      "searching",
    ]);
    expect(row("beckside")).toHaveTextContent("Beckside Medical Practice");
    expect(row("beckside")).toHaveTextContent("searching");
    // Every standard in one search, each named only by a small label.
    const label = (id: string) => within(row(id)).getByTestId("standard-label").textContent;
    expect(label("beckside")).toBe("GP Connect");
    expect(label("calder-utc")).toBe("UEC Booking");
    expect(label("leeds-ed")).toBe("BaRS");

    // Fast services answer while slow ones are still searching.
    calls[0].slots("calder-utc", [slot({ service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", start: at(1, 9) })]);
    calls[0].progress("calder-utc", { state: "found", count: 1 });
    expect(row("calder-utc")).toHaveAttribute("data-state", "found");
    expect(row("calder-utc")).toHaveTextContent("1 slot");
    expect(row("beckside")).toHaveAttribute("data-state", "searching");
    expect(screen.getAllByTestId("slot-row")).toHaveLength(1);

    calls[0].progress("wy-ooh", { state: "none" });
    expect(row("wy-ooh")).toHaveAttribute("data-state", "none");
    expect(row("wy-ooh")).toHaveTextContent("none");

    calls[0].progress("leeds-ed", { state: "failed", error: apiError({ message: "The service did not answer within 15 seconds." }) });
    expect(row("leeds-ed")).toHaveAttribute("data-state", "failed");
    expect(row("leeds-ed")).toHaveTextContent("failed: The service did not answer within 15 seconds.");
    expect(row("leeds-ed")).not.toHaveTextContent("GATEWAY_TIMEOUT");

    calls[0].slots("beckside", [slot({ start: at(0, 23, 0) }), slot({ start: at(2, 8) })]);
    calls[0].progress("beckside", { state: "found", count: 2 });
    calls[0].finish();
    expect(screen.getAllByTestId("slot-row")).toHaveLength(3);
    expect(screen.getByTestId("search-summary")).toHaveTextContent("Search finished: 3 free slots; 1 service failed");
  });

  it("says finished, with the final count, only once every service has settled, not when the command returns (issue 18.6)", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    const summary = screen.getByTestId("search-summary");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "fast" })]);
    calls[0].progress("beckside", { state: "found", count: 1 });
    calls[0].progress("calder-utc", { state: "none" });

    // The command has returned; two slow services have not answered yet.
    await calls[0].returns();
    expect(summary).toHaveTextContent("Searching: 2 of 4 services answered, 1 slot so far");
    expect(summary).not.toHaveTextContent("finished");
    expect(row("leeds-ed")).toHaveAttribute("data-state", "searching");

    calls[0].progress("wy-ooh", { state: "failed", error: apiError({ kind: "timeout", service_id: "wy-ooh", message: "The service did not answer within 15 seconds." }) });
    expect(summary).toHaveTextContent("Searching: 3 of 4 services answered, 1 slot so far");

    calls[0].slots("leeds-ed", [slot({ service_id: "leeds-ed", service_name: "Leeds East", start: at(1, 10), id: "slow-1" }), slot({ service_id: "leeds-ed", service_name: "Leeds East", start: at(1, 11), id: "slow-2" })]);
    calls[0].progress("leeds-ed", { state: "found", count: 2 });
    expect(summary).toHaveTextContent("Search finished: 3 free slots; 1 service failed");
    expect(screen.getAllByTestId("slot-row")).toHaveLength(3);
    calls[0].emit({ event: "finished" });
    expect(summary).toHaveTextContent("Search finished: 3 free slots; 1 service failed");
  });

  it("spreads a wave of thousands of slots over the next frames, and says finished only once all are shown (issue 18.15)", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    const summary = screen.getByTestId("search-summary");
    const many = (service_id: string, n: number) =>
      Array.from({ length: n }, (_, i) => slot({ service_id, service_name: service_id, id: `${service_id}-${i}`, start: at(1 + (i % 10), 8 + (i % 9)) }));
    // Every service answers between two paints. (No await until the end: jsdom's own frame timer
    // cannot run in between.)
    calls[0].deliver({ event: "slots", service_id: "beckside", slots: many("beckside", 1500) });
    calls[0].deliver({ event: "progress", service_id: "beckside", service_name: "beckside", progress: { state: "found", count: 1500 } });
    calls[0].deliver({ event: "slots", service_id: "leeds-ed", slots: many("leeds-ed", 1000) });
    calls[0].deliver({ event: "progress", service_id: "leeds-ed", service_name: "leeds-ed", progress: { state: "found", count: 1000 } });
    for (const id of ["calder-utc", "wy-ooh"]) {
      calls[0].deliver({ event: "progress", service_id: id, service_name: id, progress: { state: "none" } });
    }
    calls[0].frame();
    expect(summary).toHaveTextContent("Searching: 0 of 4 services answered, 1,000 slots so far");
    calls[0].frame();
    expect(summary).toHaveTextContent("Searching: 1 of 4 services answered, 2,000 slots so far");
    calls[0].frame();
    expect(summary).toHaveTextContent("Search finished: 2,500 free slots");
    await calls[0].returns();
    expect(summary).toHaveTextContent("Search finished: 2,500 free slots");
  });

  it("a retry that fails leaves the first search's slow services searching, and the search unfinished (issue 18.6)", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    calls[0].progress("leeds-ed", { state: "failed", error: apiError() });
    calls[0].progress("calder-utc", { state: "none" });
    calls[0].progress("wy-ooh", { state: "none" });
    await calls[0].returns();

    client.searchSlots.mockResolvedValueOnce(fail(apiError({ kind: "unavailable", message: "Booking Desk could not reach its booking engine." })));
    await user.click(within(row("leeds-ed")).getByRole("button", { name: /Retry/ }));
    expect(row("leeds-ed")).toHaveAttribute("data-state", "failed");
    expect(row("beckside")).toHaveAttribute("data-state", "searching");
    expect(screen.getByTestId("search-summary")).toHaveTextContent("Searching: 3 of 4 services answered");

    calls[0].progress("beckside", { state: "none" });
    expect(screen.getByTestId("search-summary")).toHaveTextContent("Search finished: 0 free slots; 1 service failed");
  });

  it("retries a failed service by itself, keeping the others' slots", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.click(screen.getByTestId("search-slots"));
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "keep" })]);
    calls[0].progress("beckside", { state: "found", count: 1 });
    calls[0].progress("leeds-ed", { state: "failed", error: apiError() });
    calls[0].finish();

    await user.click(within(row("leeds-ed")).getByRole("button", { name: /Retry/ }));
    expect(calls).toHaveLength(2);
    expect(calls[1].request.services).toEqual(["leeds-ed"]);
    expect(calls[1].request.window).toEqual(calls[0].request.window);
    expect(row("leeds-ed")).toHaveAttribute("data-state", "searching");

    calls[1].slots("leeds-ed", [slot({ service_id: "leeds-ed", service_name: "Leeds East", start: at(1, 10), id: "ed1" })]);
    calls[1].progress("leeds-ed", { state: "found", count: 1 });
    calls[1].finish();
    expect(row("leeds-ed")).toHaveAttribute("data-state", "found");
    expect(screen.getAllByTestId("slot-row").map((r) => r.dataset.slotId)).toEqual(["keep", "ed1"]);
  });

  it("ignores answers from a search that has been replaced", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.click(screen.getByTestId("search-slots"));
    await user.click(screen.getByTestId("search-slots"));
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "old" })]);
    calls[1].slots("beckside", [slot({ start: at(1, 9), id: "new" })]);
    expect(screen.getAllByTestId("slot-row").map((r) => r.dataset.slotId)).toEqual(["new"]);
  });
});

describe("filters", () => {
  it("searches only the ticked kinds of service, and the chosen channel", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    for (const label of ["GP practices", "Urgent treatment centres", "Emergency departments", "GP out-of-hours"]) {
      expect(screen.getByRole("checkbox", { name: new RegExp(label) })).toBeChecked();
    }
    await user.click(screen.getByRole("checkbox", { name: /Emergency departments/ }));
    await user.click(screen.getByRole("checkbox", { name: /GP practices/ }));
    await user.selectOptions(screen.getByLabelText("How the patient is seen"), "Telephone");
    await user.click(screen.getByTestId("search-slots"));
    expect(calls[0].request.services).toEqual(["calder-utc", "wy-ooh"]);
    expect(calls[0].request.channel).toBe("Telephone");
  });

  it("refuses a window longer than 14 days and says why", async () => {
    controlSearch();
    const { user } = await openSlots();
    const to = screen.getByLabelText("To");
    expect(to).toHaveValue(formatDay(addDays(today, 14)));
    fireEvent.change(to, { target: { value: formatDay(addDays(today, 15)) } });
    expect(screen.getByTestId("search-slots")).toBeDisabled();
    expect(screen.getByTestId("search-problem")).toHaveTextContent("at most 14 days after the start date: this is 15");
    await user.keyboard("{Control>}f{/Control}");
    expect(client.searchSlots).not.toHaveBeenCalled();

    fireEvent.change(to, { target: { value: formatDay(addDays(today, 14)) } });
    expect(screen.getByTestId("search-slots")).toBeEnabled();
    expect(screen.queryByTestId("search-problem")).toBeNull();
  });

  it("refuses an end before the start, a date that is not real, and no service types", async () => {
    const { user } = await openSlots();
    fireEvent.change(screen.getByLabelText("To"), { target: { value: formatDay(addDays(today, -1)) } });
    expect(screen.getByTestId("search-problem")).toHaveTextContent("The end date is before the start date.");
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "31-Feb-2027" } });
    expect(screen.getByTestId("search-problem")).toHaveTextContent("Enter both dates as real dates");
    fireEvent.change(screen.getByLabelText("To"), { target: { value: formatDay(today) } });
    for (const box of screen.getAllByRole("checkbox")) await user.click(box);
    expect(screen.getByTestId("search-problem")).toHaveTextContent("Tick at least one type of service.");
    expect(screen.getByTestId("search-slots")).toBeDisabled();
  });

  it("accepts dates typed the UK way and moves them a day with the arrow keys", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    const from = screen.getByLabelText("From");
    await user.clear(from);
    await user.type(from, "3/1/2027");
    await user.click(screen.getByLabelText("To"));
    expect(from).toHaveValue("03-Jan-2027");
    await user.clear(screen.getByLabelText("To"));
    await user.type(screen.getByLabelText("To"), "10 jan 2027{ArrowUp}");
    await user.click(screen.getByTestId("search-slots"));
    expect(calls[0].request.window).toEqual({ from: "2027-01-03", to: "2027-01-11" });
  });
});

describe("stale results (issue 18.2)", () => {
  const shownIds = () => screen.queryAllByTestId("slot-row").map((r) => r.dataset.slotId);

  it("applies a narrower service type or channel to the slots on screen at once, without searching again", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "gp-in" }), slot({ start: at(1, 10), id: "gp-phone", delivery_channel: "Telephone" })]);
    calls[0].progress("beckside", { state: "found", count: 2 });
    calls[0].slots("calder-utc", [slot({ service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", service_kind: "urgent-care", start: at(1, 11), id: "utc-in" })]);
    calls[0].progress("calder-utc", { state: "found", count: 1 });
    calls[0].progress("leeds-ed", { state: "none" });
    calls[0].progress("wy-ooh", { state: "none" });
    calls[0].finish();
    expect(shownIds()).toEqual(["gp-in", "gp-phone", "utc-in"]);

    await user.click(screen.getByRole("checkbox", { name: /GP practices/ }));
    expect(shownIds()).toEqual(["utc-in"]);
    expect(screen.getAllByTestId("service-status").map((r) => r.dataset.serviceId)).toEqual(["calder-utc", "leeds-ed", "wy-ooh"]);
    expect(screen.getByTestId("search-summary")).toHaveTextContent("Search finished: 1 free slot");

    await user.click(screen.getByRole("checkbox", { name: /GP practices/ }));
    await user.selectOptions(screen.getByLabelText("How the patient is seen"), "Telephone");
    expect(shownIds()).toEqual(["gp-phone"]);
    expect(screen.getByTestId("search-summary")).toHaveTextContent("Search finished: 1 free slot");
    await user.selectOptions(screen.getByLabelText("How the patient is seen"), "");
    expect(shownIds()).toEqual(["gp-in", "gp-phone", "utc-in"]);
    // All of it was in the first search's answers.
    expect(calls).toHaveLength(1);
  });

  it("searches again at once when a filter asks for more than the last search did", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.click(screen.getByRole("checkbox", { name: /Emergency departments/ }));
    await user.selectOptions(screen.getByLabelText("How the patient is seen"), "Telephone");
    await user.click(screen.getByTestId("search-slots"));
    expect(calls[0].request).toMatchObject({ services: ["beckside", "calder-utc", "wy-ooh"], channel: "Telephone" });
    calls[0].slots("beckside", [slot({ start: at(1, 10), id: "gp-phone", delivery_channel: "Telephone" })]);
    calls[0].finish();

    await user.click(screen.getByRole("checkbox", { name: /Emergency departments/ }));
    expect(calls).toHaveLength(2);
    expect(calls[1].request).toMatchObject({ services: ["beckside", "calder-utc", "leeds-ed", "wy-ooh"], channel: "Telephone" });
    expect(row("leeds-ed")).toHaveAttribute("data-state", "searching");
    expect(shownIds()).toEqual([]);

    await user.selectOptions(screen.getByLabelText("How the patient is seen"), "");
    expect(calls).toHaveLength(3);
    expect(calls[2].request.channel).toBeNull();
  });

  it("drops the slots found for one patient when another is chosen", async () => {
    const calls = controlSearch();
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "for-jane" })]);
    calls[0].finish();
    expect(shownIds()).toEqual(["for-jane"]);

    // Another patient, typed in by hand.
    await user.keyboard("{Alt>}1{/Alt}");
    await user.click(screen.getByTestId("manual-patient"));
    await user.type(screen.getByLabelText("First name"), "Tom");
    await user.type(screen.getByLabelText("Last name"), "Visitor");
    await user.selectOptions(screen.getByLabelText("Gender"), "male");
    await user.type(screen.getByLabelText("Day"), "1");
    await user.type(screen.getByLabelText("Month"), "5");
    await user.type(screen.getByLabelText("Year"), "1990");
    await user.type(screen.getByLabelText("Address line 1"), "1 Hotel Street");
    await user.type(screen.getByLabelText("Postcode"), "LS1 1AA");
    await user.click(screen.getByTestId("manual-submit"));
    expect(screen.getByTestId("patient-banner")).toHaveTextContent("VISITOR, Tom");
    expect(shownIds()).toEqual([]);
    expect(screen.getByTestId("search-summary")).toHaveTextContent(/^\s*$/);
    // A late answer to Jane's search is not Tom's.
    calls[0].slots("beckside", [slot({ start: at(1, 10), id: "late-for-jane" })]);
    expect(shownIds()).toEqual([]);
  });
});

describe("a patient with no NHS number (issue 18.5)", () => {
  it("is not searched for at GP Connect services, and the screen says which and why", async () => {
    const calls = controlSearch();
    const { user } = await renderApp();
    await user.click(screen.getByTestId("manual-patient"));
    await user.type(screen.getByLabelText("First name"), "Tom");
    await user.type(screen.getByLabelText("Last name"), "Visitor");
    await user.selectOptions(screen.getByLabelText("Gender"), "male");
    await user.type(screen.getByLabelText("Day"), "1");
    await user.type(screen.getByLabelText("Month"), "5");
    await user.type(screen.getByLabelText("Year"), "1990");
    await user.type(screen.getByLabelText("Address line 1"), "1 Hotel Street");
    await user.type(screen.getByLabelText("Postcode"), "LS1 1AA");
    await user.click(screen.getByTestId("manual-submit"));
    await user.keyboard("{Control>}f{/Control}");
    expect(calls).toHaveLength(1);
    expect(calls[0].request.services).toEqual(["calder-utc", "leeds-ed"]);
    const note = screen.getByTestId("services-left-out");
    expect(note).toHaveTextContent("Not searched: Beckside Medical Practice, West Yorkshire GP Out of Hours.");
    expect(note).toHaveTextContent("Find the patient by NHS number to book there.");
    expect(screen.getAllByTestId("service-status").map((r) => r.dataset.serviceId)).toEqual(["calder-utc", "leeds-ed"]);
  });
});

describe("a restricted record (issue 20.1)", () => {
  it("is searched for at GP Connect services only, and the screen says why the others are not", async () => {
    const calls = controlSearch();
    const helen = { ...jane, nhs_number: "9449304025", family: "ASHWORTH", given: ["Helen"], address_lines: [], postcode: null, phone: null };
    client.findPatient.mockResolvedValue(
      ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: helen, traced: { ...janeTraced, nhs_number: "9449304025", restricted: true, address_lines: [], postcode: null, phone: null }, pds_error: null }),
    );
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9449304025");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
    await user.keyboard("{Control>}f{/Control}");
    expect(calls).toHaveLength(1);
    expect(calls[0].request.services).toEqual(["beckside", "wy-ooh"]);
    const note = screen.getByTestId("services-left-out");
    expect(note).toHaveTextContent("Not searched: Calder Valley Urgent Treatment Centre, Leeds East Hospital Emergency Department.");
    expect(note).toHaveTextContent("This patient's record is restricted: their address is never sent, and these services take no booking without one. Phone them to book.");
  });
});

describe("choosing a slot", () => {
  it("goes from search to the list, ↓ moves, Enter opens the booking for that slot", async () => {
    const calls = controlSearch();
    const { user } = await openSlots();
    await user.keyboard("{Control>}f{/Control}");
    expect(screen.getByTestId("slot-list")).toHaveFocus();
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" }), slot({ start: at(1, 10), id: "b" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    const panel = screen.getByTestId("book-panel");
    expect(panel).toHaveTextContent("Beckside Medical Practice");
    expect(screen.getByTestId("description-input")).toHaveFocus();
    const chosen = screen.getAllByTestId("slot-row").find((r) => r.dataset.slotId === "b")!;
    expect(chosen).toHaveAttribute("aria-selected", "true");
    expect(chosen).toHaveTextContent("Chosen");
    // Esc goes back to the list.
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("book-panel")).toBeNull();
    expect(screen.getByTestId("slot-list")).toHaveFocus();
  });
});

describe("who may book", () => {
  it("a supervisor can search and read the slots, but is offered no booking", async () => {
    const calls = controlSearch();
    const { user } = await renderApp("supervisor");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" }), slot({ start: at(1, 10), id: "b" })]);
    calls[0].finish();
    expect(screen.getAllByTestId("slot-row")).toHaveLength(2);
    await user.keyboard("{ArrowDown}{Enter}");
    // The slot is highlighted for reading, and nothing more.
    expect(screen.getAllByTestId("slot-row")[0]).toHaveAttribute("aria-selected", "true");
    await user.click(screen.getAllByTestId("slot-row")[1]);
    expect(screen.queryByTestId("book-panel")).toBeNull();
    expect(screen.queryByTestId("confirm-booking")).toBeNull();
    expect(screen.queryByTestId("description-input")).toBeNull();
    expect(screen.queryByText("Choose a slot: move with ↑ ↓, then press Enter.")).toBeNull();
    expect(screen.getByTestId("supervisor-note")).toHaveTextContent(
      "Supervisors can review bookings and appointments; booking, changing and cancelling are for call handlers and clinicians.",
    );
    await user.keyboard("{Alt>}b{/Alt}");
    expect(client.book).not.toHaveBeenCalled();
  });

  it("a call handler is offered the booking for the same slot", async () => {
    const calls = controlSearch();
    const { user } = await renderApp("call-handler");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
    calls[0].finish();
    expect(screen.getByText("Choose a slot: move with ↑ ↓, then press Enter.")).toBeInTheDocument();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByTestId("book-panel")).toBeInTheDocument();
    expect(screen.getByTestId("confirm-booking")).toBeInTheDocument();
    expect(screen.queryByTestId("supervisor-note")).toBeNull();
  });

  it("a clinician is offered the booking too", async () => {
    const calls = controlSearch();
    const { user } = await renderApp("clinician");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByTestId("confirm-booking")).toBeInTheDocument();
  });
});

describe("while results stream (issue 18.15)", () => {
  it("applies 50 services' slots, arriving a batch at a time, once a frame rather than once an event, soonest first", async () => {
    const calls = controlSearch();
    // Every commit of the app to the page: each is a render the person waits for.
    let commits = 0;
    const user = userEvent.setup();
    render(
      <Profiler id="app" onRender={() => (commits += 1)}>
        <App />
      </Profiler>,
    );
    await signInThroughForm(user);
    await user.keyboard("{Alt>}2{/Alt}{Control>}f{/Control}");
    const call = calls[0];

    // 50 services × 100 slots, a minute apart and interleaved across the services: the i-th
    // soonest is slot i ÷ 50 of service i mod 50. Each service's come in 4 batches of 25, in a
    // different order for each service, and every other service lists a batch latest first.
    const first = Date.parse(at(1, 8));
    const slotOf = (service: number, n: number) =>
      slot({
        service_id: `svc-${service}`,
        service_name: `Service ${service}`,
        id: String(n),
        start: new Date(first + (n * 50 + service) * 60_000).toISOString(),
      });
    const batchOf = (service: number, b: number) => {
      const batch = Array.from({ length: 25 }, (_, k) => slotOf(service, b * 25 + k));
      return service % 2 ? batch.reverse() : batch;
    };
    const events: SearchEvent[] = [];
    for (let round = 0; round < 4; round++) {
      for (let service = 0; service < 50; service++) {
        events.push({ event: "slots", service_id: `svc-${service}`, slots: batchOf(service, (round + service) % 4) });
      }
    }
    // A batch sent twice is listed once.
    events.push({ event: "slots", service_id: "svc-0", slots: batchOf(0, 0) });
    for (let service = 0; service < 50; service++) {
      events.push({ event: "progress", service_id: `svc-${service}`, service_name: `Service ${service}`, progress: { state: "found", count: 100 } });
    }
    for (const id of ["beckside", "calder-utc", "leeds-ed", "wy-ooh"]) {
      events.push({ event: "progress", service_id: id, service_name: id, progress: { state: "none" } });
    }

    // 25 events arrive between two paints.
    commits = 0;
    let frames = 0;
    events.forEach((event, i) => {
      call.deliver(event);
      if (i % 25 === 24) {
        call.frame();
        frames += 1;
      }
    });
    call.frame();
    frames += 1;
    call.finish();
    expect(events.length).toBe(255);
    expect(commits).toBeLessThanOrEqual(frames + 1);

    expect(screen.getByTestId("search-summary")).toHaveTextContent("Search finished: 5,000 free slots");
    const list = screen.getByTestId("slot-list");
    expect(list).toHaveAccessibleName(/5,000 slots/);
    // Whatever window of rows is in the page, each is the slot that belongs at its place.
    const inOrder = () => {
      const rows = screen.getAllByTestId("slot-row");
      expect(rows.length).toBeLessThan(100);
      for (const row of rows) {
        const i = Number(row.getAttribute("aria-posinset")) - 1;
        expect(row).toHaveAttribute("aria-setsize", "5000");
        expect([row.dataset.serviceId, row.dataset.slotId]).toEqual([`svc-${i % 50}`, String(Math.floor(i / 50))]);
      }
      return rows;
    };
    expect(inOrder()[0]).toHaveAttribute("aria-posinset", "1");

    expect(list).toHaveFocus();
    await user.keyboard("{End}");
    const last = document.getElementById(list.getAttribute("aria-activedescendant")!);
    expect(last).toHaveAttribute("aria-posinset", "5000");
    await waitFor(() => expect(inOrder()[0]).not.toHaveAttribute("aria-posinset", "1"));
  });
});
