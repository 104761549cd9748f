import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import type { CentreBooking } from "./api/bindings";
import indexHtml from "../index.html?raw";
import { App } from "./App";
import { addDays, ukToday } from "./format";
import { controlSearch, renderApp, saveTriage, submitSignIn } from "./test/app";
import { apiError, appointment, at, jane, janeTraced, reconciled, signedInAnswer, slot, summary } from "./test/fixtures";
import * as client from "./test/mockClient";
import { fail, ok } from "./test/mockClient";

vi.mock("./api/client", () => import("./test/mockClient"));

// axe-core on the whole document, as a screen reader meets it. jsdom lays nothing out and paints
// nothing, so the rules that need rendered pixels cannot work here: they are left to the check
// in the real window (tests/e2e/axe.mjs).
const AXE_OPTIONS: axe.RunOptions = {
  resultTypes: ["violations"],
  rules: {
    // Needs the painted colours of text and what is behind it; jsdom computes neither.
    "color-contrast": { enabled: false },
    // Measures glyphs on a canvas to spot icon fonts; jsdom has no canvas, so the rule errors.
    "label-content-name-mismatch": { enabled: false },
  },
};

// The page the app runs in is index.html, not jsdom's blank one: give jsdom its language and
// title, so the rules on those check the real file.
const page = new DOMParser().parseFromString(indexHtml, "text/html");
document.documentElement.lang = page.documentElement.lang;
document.title = page.title;

// axe asks what is drawn at a few points to tell whether something covers the page; jsdom has no
// layout and no elementFromPoint. Nothing is drawn anywhere, so nothing is there.
document.elementFromPoint = () => null;

/**
 * Fails listing every rule broken on the page as it is now (rule, impact and where), and every
 * rule axe could not run here, so that none is skipped without a word.
 */
async function expectNoViolations(screenName: string) {
  const { violations, incomplete } = await axe.run(document, AXE_OPTIONS);
  const where = (nodes: axe.NodeResult[]) => nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
  const found = violations.map((v) => `${v.id} (${v.impact}): ${where(v.nodes)}`);
  const failed = incomplete
    .filter((r) => r.nodes.some((n) => [...n.any, ...n.all, ...n.none].some((c) => c.id === "error-occurred")))
    .map((r) => `${r.id}: axe could not run it here`);
  expect([...found, ...failed], `axe on ${screenName}`).toEqual([]);
}

/** Exactly one level-one heading on the page, and it names the screen. */
function expectTitle(name: string) {
  const titles = screen.getAllByRole("heading", { level: 1 });
  expect(titles.map((h) => h.textContent)).toEqual([name]);
}

const today = ukToday();

const centreBooking = (over: Partial<CentreBooking> = {}): CentreBooking => ({
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

beforeEach(() => {
  client.resetClient();
  client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
  client.patientAppointments.mockResolvedValue(ok({ appointments: [appointment({ id: "1002", start: at(4, 11) })], failures: [] }));
  client.listBookings.mockResolvedValue(ok([summary({ appointment_id: "1001" })]));
  client.centreBookings.mockResolvedValue(ok([centreBooking()]));
});

async function findJane(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByTestId("nhs-input"), "9434765919");
  await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
  await user.keyboard("{Enter}");
  await screen.findByTestId("patient-banner");
}

describe("axe-core finds nothing", () => {
  it("on the start-up failure", async () => {
    client.appInfo.mockResolvedValue(fail(apiError({ kind: "config", message: "The services directory could not be read." })));
    render(<App />);
    await screen.findByTestId("error-panel");
    expectTitle("Booking Desk");
    await expectNoViolations("the start-up failure");
  });

  it("on the sign-in screen, empty and with its problems listed", async () => {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("sign-in-form");
    expectTitle("Sign in");
    await expectNoViolations("sign in");
    await user.click(screen.getByTestId("sign-in-submit"));
    await screen.findByText("Enter your full name", { selector: ".error-summary a" });
    await expectNoViolations("sign in with problems");
  });

  it("on the interrupted bookings shown before the desk opens", async () => {
    client.signIn.mockImplementation(async (u) => ok(signedInAnswer(u, {}, { settled: [reconciled()], error: null, left_open: [] })));
    const user = userEvent.setup();
    render(<App />);
    await submitSignIn(user);
    await screen.findByRole("alertdialog", { name: "Interrupted bookings" });
    expectTitle("Interrupted bookings");
    await expectNoViolations("interrupted bookings");
  });

  it("on the Patient screen, before and after the patient is found", async () => {
    const { user } = await renderApp();
    expectTitle("Patient");
    await expectNoViolations("Patient");
    await findJane(user);
    await expectNoViolations("Patient, found");
  });

  it("on Find a slot, with slots listed and then the booking panel open", async () => {
    const calls = controlSearch();
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" }), slot({ start: at(1, 10), id: "b" })]);
    calls[0].finish();
    expectTitle("Find a slot");
    await expectNoViolations("Find a slot");
    await user.keyboard("{ArrowDown}{Enter}");
    await screen.findByTestId("description-input");
    await expectNoViolations("Find a slot, booking");
  });

  it("on Find a slot, with the services found for the patient, slots nearest first, and the DoS's refusal", async () => {
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane, traced: janeTraced, pds_error: null }));
    const calls = controlSearch();
    const { user } = await renderApp();
    await findJane(user);
    await saveTriage(user, { sg: ["SG1010", "Sore throat"], sd: ["SD4003", "Fever"] });
    await screen.findByTestId("found-services");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("calder-utc", [slot({ id: "u", service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", start: at(1, 9) })]);
    calls[0].slots("beckside", [slot({ start: at(1, 8), id: "a" })]);
    calls[0].finish();
    await expectNoViolations("Find a slot, services for this patient");
    await user.click(screen.getByTestId("sort-nearest"));
    await expectNoViolations("Find a slot, nearest first");

    client.findServices.mockResolvedValue(fail(apiError({ kind: "invalid-input", message: "The Directory of Services does not know the postcode LS1 4AP.", next_step: "Check the postcode with the caller." })));
    await user.keyboard("{Alt>}t{/Alt}");
    await user.clear(screen.getByTestId("triage-sd-code"));
    await user.type(screen.getByTestId("triage-sd-code"), "SD4052");
    await user.click(screen.getByTestId("triage-save"));
    await screen.findByTestId("found-services-error");
    await expectNoViolations("Find a slot, the DoS's refusal");
  });

  it("on the triage summary", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Alt>}t{/Alt}");
    await screen.findByTestId("triage-complaint");
    expectTitle("Triage summary");
    await expectNoViolations("Triage summary");
    await user.keyboard("{Escape}");
    await saveTriage(user);
    await expectNoViolations("Find a slot, after triage");
  });

  it("on Appointments, Booked today, Settings and the shortcuts", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Alt>}3{/Alt}");
    await screen.findByTestId("appointment-row");
    expectTitle("Appointments");
    await expectNoViolations("Appointments");
    await user.keyboard("{Alt>}4{/Alt}");
    await screen.findByTestId("booking-row");
    expectTitle("Booked today");
    await expectNoViolations("Booked today");
    await user.click(screen.getByTestId("open-settings"));
    await screen.findAllByTestId(/^secret-row-/);
    expectTitle("Settings");
    await expectNoViolations("Settings");
    await user.keyboard("?");
    await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    await expectNoViolations("Keyboard shortcuts");
  });

  it("on the supervisor's Booked and Reports", async () => {
    const { user } = await renderApp("supervisor");
    await user.keyboard("{Alt>}4{/Alt}");
    await screen.findByTestId("centre-table");
    expectTitle("Booked");
    await expectNoViolations("Booked (centre)");
    await user.keyboard("{Alt>}5{/Alt}");
    await screen.findByTestId("report-bookings-total");
    expectTitle("Reports");
    await expectNoViolations("Reports");
  });
});

describe("the desk's landmarks", () => {
  it("has the DEMO band in the banner, the tabs in a navigation landmark and the tab panel inside main", async () => {
    await renderApp();
    expect(within(screen.getByRole("banner")).getByTestId("demo-band")).toBeInTheDocument();
    expect(within(screen.getByRole("navigation")).getByRole("tablist", { name: "Screens" })).toBeInTheDocument();
    const main = screen.getByRole("main");
    const panel = within(main).getByRole("tabpanel", { name: /Patient/ });
    expect(screen.getByTestId("nav-patient")).toHaveAttribute("aria-controls", panel.id);
    expect(within(panel).getByTestId("nhs-input")).toHaveFocus();
  });
});

describe("focus the app moves", () => {
  // After a click, browsers do not draw focus that a script then moves; the app asks them to.
  it("is drawn on Find a slot after a lookup and on a dialog's Close, even after a click", async () => {
    const focus = vi.spyOn(HTMLElement.prototype, "focus");
    onTestFinished(() => focus.mockRestore());
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.click(screen.getByTestId("find-patient"));
    const next = await screen.findByRole("button", { name: /Find a slot/ });
    expect(next).toHaveFocus();
    const askedFor = (el: HTMLElement) => focus.mock.calls.filter((_, i) => focus.mock.contexts[i] === el).at(-1)?.[0];
    expect(askedFor(next)).toEqual({ focusVisible: true });
    await user.click(screen.getByRole("button", { name: /all shortcuts/ }));
    const close = within(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).getByRole("button", { name: "Close" });
    expect(close).toHaveFocus();
    expect(askedFor(close)).toEqual({ focusVisible: true });
  });
});
