import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BookingOutcome } from "./api/bindings";
import type { Result } from "./api/client";
import { App } from "./App";
import { formatAge, ukToday } from "./format";
import { controlSearch, renderApp, saveTriage, signInThroughForm, submitSignIn } from "./test/app";
import { alex, apiError, appointment, at, jane, outcome, reconciled, services, signedInAnswer, signedOut, slot } from "./test/fixtures";
import * as client from "./test/mockClient";
import { fail, ok } from "./test/mockClient";

vi.mock("./api/client", () => import("./test/mockClient"));

beforeEach(() => {
  client.resetClient();
  client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
});

const sam = { name: "Sam Okafor", sds_user_id: "555021935108", sds_role_profile_id: "UNK", local_id: "sam.okafor" };

async function findJane(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByTestId("nhs-input"), "9434765919");
  await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
  await user.keyboard("{Enter}");
  return screen.findByTestId("patient-banner");
}

describe("signing in", () => {
  it("starts signed out, with only the sign-in screen, and asks the engine nothing for a person until someone signs in", async () => {
    const user = userEvent.setup();
    render(<App />);
    expect(await screen.findByTestId("sign-in-form")).toBeInTheDocument();
    expect(screen.getByTestId("organisation")).toHaveTextContent("NHS 111 North West (RYA)");
    expect(screen.queryByTestId("user-name")).toBeNull();
    expect(screen.queryByTestId("switch-user")).toBeNull();
    expect(screen.queryByRole("tablist")).toBeNull();
    expect(screen.queryByTestId("nhs-input")).toBeNull();
    expect(client.listServices).not.toHaveBeenCalled();
    expect(client.listBookings).not.toHaveBeenCalled();

    await signInThroughForm(user, "call-handler");
    expect(client.signIn).toHaveBeenCalledWith(alex);
    expect(client.listServices).toHaveBeenCalledTimes(1);
    // The call starts at the NHS number.
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
  });

  it("marks the first screen drawn once, naming it: Sign in, or why the desk could not start", async () => {
    render(<App />);
    await screen.findByTestId("sign-in-form");
    await waitFor(() => expect(client.firstScreenShown).toHaveBeenCalledWith("sign-in"));
    expect(client.firstScreenShown).toHaveBeenCalledTimes(1);
  });

  it("says why the desk could not start (a production build with no configuration) and marks that as its first screen", async () => {
    client.appInfo.mockResolvedValue(
      fail(apiError({ kind: "config", message: "Booking Desk has no configuration: there is none at /etc/booking-desk/bookdesk.toml.", next_step: "Ask your IT team to install the centre's bookdesk.toml there." })),
    );
    render(<App />);
    expect(await screen.findByText(/has no configuration/)).toBeInTheDocument();
    expect(screen.getByText(/Ask your IT team/)).toBeInTheDocument();
    expect(screen.queryByTestId("sign-in-form")).toBeNull();
    await waitFor(() => expect(client.firstScreenShown).toHaveBeenCalledWith("start-error"));
    // Nothing of the desk is asked for: it is not open.
    expect(client.listServices).not.toHaveBeenCalled();
  });

  it("shows what became of interrupted bookings before the desk opens, until acknowledged", async () => {
    client.signIn.mockImplementation(async (u) =>
      ok(signedInAnswer(u, {}, { settled: [reconciled(), reconciled({ service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", settled: "still-unknown", appointment_id: null, message: "An interrupted booking at Calder Valley Urgent Treatment Centre could not be checked: call the service before booking again." })], error: null, left_open: [] })),
    );
    const user = userEvent.setup();
    render(<App />);
    await submitSignIn(user);
    const notice = await screen.findByRole("alertdialog", { name: "Interrupted bookings" });
    expect(within(notice).getAllByTestId("interrupted-item")).toHaveLength(2);
    // The signed-in person is named above it, and nothing of the desk is there to use yet.
    expect(screen.getByTestId("user-name")).toHaveTextContent("Alex Taylor");
    expect(screen.queryByTestId("switch-user")).toBeNull();
    expect(screen.queryByTestId("nhs-input")).toBeNull();
    await user.keyboard("{Escape}");
    expect(notice).toBeInTheDocument();

    await user.click(within(notice).getByTestId("interrupted-acknowledge"));
    expect(await screen.findByTestId("nhs-input")).toHaveFocus();
    expect(screen.queryByTestId("interrupted-notice")).toBeNull();
  });

  it("keeps every digit of an NHS number typed straight after signing in, before the desk has opened (issue 18.15)", async () => {
    // Signing in and the desk's first answers take a moment; the handler is already typing the
    // number the caller reads out.
    let signedIn!: () => void;
    client.signIn.mockImplementation((u) => new Promise((resolve) => (signedIn = () => resolve(ok(signedInAnswer(u))))));
    let listed!: () => void;
    client.listServices.mockImplementation(() => new Promise((resolve) => (listed = () => resolve(ok(services)))));
    const user = userEvent.setup();
    render(<App />);
    await submitSignIn(user);
    // While the sign-in is sent, while the desk is fetched, and while it asks for the services.
    await user.keyboard("94");
    await act(async () => signedIn());
    expect(await screen.findByRole("status")).toHaveTextContent("Opening the desk");
    await user.keyboard("3");
    await waitFor(() => expect(client.listServices).toHaveBeenCalled());
    expect(screen.getByRole("status")).toHaveTextContent("Opening the desk for Alex Taylor");
    expect(screen.queryByTestId("nhs-input")).toBeNull();
    await user.keyboard("4");
    await act(async () => listed());

    const field = await screen.findByTestId("nhs-input");
    expect(field).toHaveFocus();
    await user.keyboard("765919");
    expect(field).toHaveValue("943 476 5919");
    await waitFor(() => expect(screen.getByTestId("nhs-status")).toHaveTextContent("Valid NHS number 943 476 5919"));
  });

  it("opens the desk straight away when no booking was interrupted", async () => {
    await renderApp();
    expect(screen.queryByTestId("interrupted-notice")).toBeNull();
  });

  it("shows a start-up failure full screen, with nothing else to use", async () => {
    client.appInfo.mockResolvedValue(
      fail(apiError({ kind: "config", message: "The services directory could not be read.", next_step: "Call the helpdesk.", code: null })),
    );
    render(<App />);
    const panel = await screen.findByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "config");
    expect(screen.getByTestId("error-message")).toHaveTextContent("The services directory could not be read.");
    expect(screen.getByTestId("error-next-step")).toHaveTextContent("Call the helpdesk.");
    expect(screen.queryByRole("tablist")).toBeNull();
    expect(screen.queryByTestId("nhs-input")).toBeNull();
    expect(screen.queryByTestId("sign-in-form")).toBeNull();
  });
});

describe("the frame", () => {
  it("shows the DEMO band, who is signed in, for which organisation, and the shortcuts", async () => {
    await renderApp();
    expect(screen.getByTestId("demo-band")).toHaveTextContent("DEMO — simulated services, not live");
    const header = screen.getByRole("banner");
    expect(header).toHaveTextContent("Alex Taylor · Call handler · NHS 111 North West (RYA)");
    expect(within(header).getByTestId("user-name")).toHaveTextContent(/^Alex Taylor$/);
    expect(within(header).getByTestId("user-role")).toHaveTextContent(/^Call handler$/);
    expect(within(header).getByTestId("organisation")).toHaveTextContent(/^NHS 111 North West \(RYA\)$/);
    expect(within(header).getByTestId("switch-user")).toHaveTextContent("Switch user");
    expect(within(header).getByTestId("open-settings")).toHaveTextContent("Settings");
    const bar = screen.getByRole("contentinfo", { name: "Keyboard shortcuts" });
    for (const s of ["/ NHS number", "Ctrl+F search", "↑↓ move", "Enter choose", "Alt+B book", "Alt+A appointments", "Esc back", "? all shortcuts"]) {
      expect(bar).toHaveTextContent(s);
    }
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
  });

  it("has no DEMO band, and no demo user, on live services", async () => {
    client.appInfo.mockResolvedValue(ok({ ...signedOut, demo: false }));
    client.signIn.mockImplementation(async (user) => ok(signedInAnswer(user, { demo: false })));
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("sign-in-form");
    expect(screen.queryByTestId("sign-in-demo-user")).toBeNull();
    await signInThroughForm(user, "supervisor", sam);
    expect(screen.queryByTestId("demo-band")).toBeNull();
    expect(screen.getByTestId("user-name")).toHaveTextContent("Sam Okafor");
    expect(screen.getByTestId("user-role")).toHaveTextContent("Supervisor");
  });

  it("moves between screens with the tabs and Alt+1..4, and Esc goes back", async () => {
    const { user } = await renderApp();
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("nav-slots")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("search-slots")).toBeInTheDocument();
    await user.keyboard("{Alt>}4{/Alt}");
    expect(screen.getByTestId("nav-booked")).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByTestId("bookings-table")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("nav-slots")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("nav-patient")).toHaveAttribute("aria-selected", "true");
    await user.click(screen.getByTestId("nav-appointments"));
    expect(screen.getByTestId("nav-appointments")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Alt>}1{/Alt}");
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
  });

  it("/ jumps to the NHS number and ? lists every shortcut", async () => {
    const { user } = await renderApp();
    await user.keyboard("{Alt>}4{/Alt}");
    await screen.findByTestId("bookings-table");
    await user.click(screen.getByRole("heading", { name: /Booked/, level: 2 }));
    await user.keyboard("/");
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
    await user.click(document.body);
    await user.keyboard("?");
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveTextContent("Alt+4");
    expect(within(dialog).getAllByRole("row").map((r) => r.textContent)).toContain("Alt+4Booked today");
    // A call handler has four tabs: no Alt+5.
    expect(dialog).not.toHaveTextContent("Alt+5");
    expect(dialog).toHaveTextContent("Confirm the booking");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("the patient banner", () => {
  it("appears once the patient is found and stays on every screen", async () => {
    const { user } = await renderApp();
    const banner = await findJane(user);
    expect(banner).toHaveTextContent("JACKSON, Jane (Miss)");
    expect(banner).toHaveTextContent(`Born 12-Mar-1982 (${formatAge("1982-03-12", ukToday())})`);
    expect(banner).toHaveTextContent("Gender Female");
    expect(banner).toHaveTextContent("NHS No. 943 476 5919");
    expect(banner).toHaveTextContent("24 High Street, Leeds, LS1 4AP");
    for (const tab of ["nav-slots", "nav-appointments", "nav-booked"]) {
      await user.click(screen.getByTestId(tab));
      expect(within(screen.getByTestId("patient-banner")).getByText("JACKSON, Jane (Miss)")).toBeInTheDocument();
    }
  });
});

describe("switching user", () => {
  it("clears the whole patient context: the next person starts on an empty Patient screen", async () => {
    const calls = controlSearch();
    client.patientAppointments.mockResolvedValue(ok({ appointments: [appointment({ id: "1002", start: at(4, 11) })], failures: [] }));
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" }), slot({ start: at(1, 10), id: "b" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(screen.getByTestId("description-input"), "Sore throat");

    await user.click(screen.getByTestId("switch-user"));
    const dialog = screen.getByRole("alertdialog", { name: "Switch user?" });
    expect(dialog).toHaveTextContent("JACKSON, Jane (Miss) and everything about this call");
    expect(client.signOut).not.toHaveBeenCalled();
    await user.click(within(dialog).getByTestId("confirm-switch-user"));
    expect(client.signOut).toHaveBeenCalledTimes(1);

    expect(await screen.findByTestId("sign-in-form")).toBeInTheDocument();
    // Nothing of the last call stays behind the sign-in screen either.
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    expect(screen.queryByText(/JACKSON/)).toBeNull();
    expect(screen.getByTestId("sign-in-name")).toHaveValue("");

    await signInThroughForm(user, "clinician", sam);
    expect(client.signIn).toHaveBeenLastCalledWith({ ...sam, role: "clinician" });
    expect(screen.getByTestId("user-name")).toHaveTextContent("Sam Okafor");
    expect(screen.getByTestId("user-role")).toHaveTextContent("Clinician");
    expect(screen.getByTestId("nav-patient")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("nhs-input")).toHaveValue("");
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    expect(screen.queryByText(/JACKSON/)).toBeNull();

    // No slots, no booking in progress, no appointments from the last call.
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.queryAllByTestId("slot-row")).toHaveLength(0);
    expect(screen.queryByTestId("book-panel")).toBeNull();
    expect(screen.getByTestId("search-summary")).toHaveTextContent(/^\s*$/);
    expect(screen.queryByDisplayValue("Sore throat")).toBeNull();
    await user.keyboard("{Alt>}3{/Alt}");
    expect(screen.getByText(/Find the patient first/)).toBeInTheDocument();
    expect(screen.queryAllByTestId("appointment-row")).toHaveLength(0);
  });

  it("clears the call's triage summary: the next person starts a new one", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await saveTriage(user, { complaint: "Chest pain on exertion", dxCode: "Dx05" });
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("Dx05");

    await user.click(screen.getByTestId("switch-user"));
    const dialog = screen.getByRole("alertdialog", { name: "Switch user?" });
    expect(dialog).toHaveTextContent("the triage summary");
    await user.click(within(dialog).getByTestId("confirm-switch-user"));
    await signInThroughForm(user, "clinician", sam);

    await findJane(user);
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("no summary yet");
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-complaint")).toHaveValue("");
    expect(screen.queryByDisplayValue("Chest pain on exertion")).toBeNull();
    expect(screen.getByTestId("triage-dx-code")).toHaveValue("");
    // The new summary is the new person's.
    expect(screen.getByTestId("triage-assessor-name")).toHaveValue("Sam Okafor");
    expect(screen.getByTestId("triage-assessor-clinician")).toBeChecked();
    expect(screen.getByTestId("triage-status")).toHaveTextContent("Not saved yet");
  });

  it("asks before switching when only a triage summary has been started", async () => {
    const { user } = await renderApp();
    await user.keyboard("{Alt>}t{/Alt}");
    await user.type(screen.getByTestId("triage-complaint"), "Headache");
    await user.click(screen.getByTestId("switch-user"));
    const dialog = screen.getByRole("alertdialog", { name: "Switch user?" });
    expect(dialog).toHaveTextContent("What was typed for this call — the triage summary");
    expect(client.signOut).not.toHaveBeenCalled();
  });

  it("Stay signed in (or Esc) keeps the call as it was", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.click(screen.getByTestId("switch-user"));
    await user.click(screen.getByRole("button", { name: "Stay signed in" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await user.click(screen.getByTestId("switch-user"));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(client.signOut).not.toHaveBeenCalled();
    expect(screen.getByTestId("patient-banner")).toHaveTextContent("JACKSON, Jane (Miss)");
    expect(screen.getByTestId("user-name")).toHaveTextContent("Alex Taylor");
  });

  it("signs out straight away when no patient is on screen", async () => {
    const { user } = await renderApp();
    await user.click(screen.getByTestId("switch-user"));
    expect(await screen.findByTestId("sign-in-form")).toBeInTheDocument();
    expect(client.signOut).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("sign-in-name")).toHaveFocus();
  });

  it("says so, and stays signed in, when signing out fails", async () => {
    client.signOut.mockResolvedValue(fail(apiError({ kind: "store", message: "The session could not be closed.", next_step: "Try again." })));
    const { user } = await renderApp();
    await user.click(screen.getByTestId("switch-user"));
    const dialog = await screen.findByRole("alertdialog", { name: "Switch user?" });
    expect(within(dialog).getByTestId("error-panel")).toHaveTextContent("You are still signed in");
    expect(screen.getByTestId("user-name")).toHaveTextContent("Alex Taylor");
  });

  it("waits for a booking that is being sent before switching", async () => {
    const calls = controlSearch();
    let answer!: (r: Result<BookingOutcome>) => void;
    client.book.mockReturnValue(new Promise((r) => (answer = r)));
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.keyboard("{Alt>}b{/Alt}");
    await user.click(screen.getByTestId("switch-user"));
    const dialog = screen.getByRole("alertdialog", { name: "Switch user?" });
    expect(dialog).toHaveTextContent("A booking is being sent to the service");
    expect(within(dialog).getByTestId("confirm-switch-user")).toBeDisabled();
    await act(async () => answer(ok(outcome(appointment({ id: "1001", start: at(1, 9) })))));
    expect(within(dialog).getByTestId("confirm-switch-user")).toBeEnabled();
  });
});

describe("settings", () => {
  it("opens from the header; Esc and Back return to where the person was", async () => {
    const { user } = await renderApp();
    await user.keyboard("{Alt>}4{/Alt}");
    await screen.findByTestId("bookings-table");
    await user.click(screen.getByTestId("open-settings"));
    const settings = screen.getByTestId("settings-screen");
    expect(screen.getByRole("heading", { name: "Settings", level: 2 })).toHaveFocus();
    expect(await within(settings).findAllByTestId(/^secret-row-/)).toHaveLength(3);
    expect(settings).toHaveTextContent("NHS 111 North West (RYA)");
    expect(settings).toHaveTextContent("4 services in the directory");
    for (const t of ["nav-patient", "nav-slots", "nav-appointments", "nav-booked"]) {
      expect(screen.getByTestId(t)).toHaveAttribute("aria-selected", "false");
    }
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("settings-screen")).toBeNull();
    expect(screen.getByTestId("nav-booked")).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByTestId("open-settings"));
    await user.click(screen.getByTestId("settings-back"));
    expect(screen.getByTestId("nav-booked")).toHaveAttribute("aria-selected", "true");
  });
});

describe("supervisors", () => {
  it("see the patient's appointments with no Amend or Cancel, and no Alt+B book shortcut", async () => {
    client.patientAppointments.mockResolvedValue(ok({ appointments: [appointment({ id: "1002", start: at(4, 11) })], failures: [] }));
    const { user } = await renderApp("supervisor", sam);
    await findJane(user);
    await user.keyboard("{Alt>}3{/Alt}");
    expect(await screen.findByTestId("appointment-row")).toHaveTextContent("Beckside Medical Practice");
    expect(screen.queryByTestId("amend-button")).toBeNull();
    expect(screen.queryByTestId("cancel-button")).toBeNull();
    expect(screen.getByTestId("supervisor-note")).toHaveTextContent(
      "Supervisors can review bookings and appointments; booking, changing and cancelling are for call handlers and clinicians.",
    );
    expect(screen.getByRole("contentinfo", { name: "Keyboard shortcuts" })).not.toHaveTextContent("Alt+B");
    // The whole centre's bookings are theirs to review (Alt+4), and the reports (Alt+5).
    await user.keyboard("{Alt>}4{/Alt}");
    expect(await screen.findByTestId("centre-table")).toBeInTheDocument();
    await user.keyboard("{Alt>}5{/Alt}");
    expect(await screen.findByTestId("report-bookings-total")).toBeInTheDocument();
    // The help lists the tabs a supervisor has, Reports on Alt+5, and nothing of booking.
    await user.click(screen.getByRole("button", { name: /all shortcuts/ }));
    const help = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    const rows = within(help).getAllByRole("row").map((r) => r.textContent);
    expect(rows).toContain("Alt+5Reports");
    expect(rows).toContain("Alt+4Booked");
    expect(help).not.toHaveTextContent("Confirm the booking");
    expect(help).not.toHaveTextContent("Alt+T");
  });

  it("call handlers get Amend and Cancel on the same appointment", async () => {
    client.patientAppointments.mockResolvedValue(ok({ appointments: [appointment({ id: "1002", start: at(4, 11) })], failures: [] }));
    const { user } = await renderApp("call-handler");
    await findJane(user);
    await user.keyboard("{Alt>}3{/Alt}");
    await screen.findByTestId("appointment-row");
    expect(screen.getByTestId("amend-button")).toBeInTheDocument();
    expect(screen.getByTestId("cancel-button")).toBeInTheDocument();
    expect(screen.queryByTestId("supervisor-note")).toBeNull();
  });
});

describe("the desk left alone", () => {
  it("locks after the idle time, hiding the patient; the same person carries on, anyone else starts afresh", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      render(<App />);
      await signInThroughForm(user, "call-handler");
      await findJane(user);

      // Ten minutes with no key or pointer: the lock screen, and nothing of Jane in view.
      act(() => vi.advanceTimersByTime(10 * 60_000 + 5_000));
      expect(await screen.findByRole("heading", { level: 1, name: "Desk locked" })).toBeInTheDocument();
      expect(client.lockDesk).toHaveBeenCalled();
      expect(screen.getByTestId("locked-note")).toHaveTextContent("Alex Taylor was signed in");
      expect(screen.getByTestId("patient-banner")).not.toBeVisible();
      expect(screen.queryByRole("heading", { name: /JACKSON/i })).toBeNull();

      // The same person signs in again: the call is as they left it.
      client.signIn.mockImplementationOnce(async (u) => ok({ ...signedInAnswer(u), same_person: true }));
      await submitSignIn(user, "call-handler");
      await waitFor(() => expect(screen.getByTestId("patient-banner")).toBeVisible());
      expect(screen.getByTestId("patient-banner")).toHaveTextContent("JACKSON");

      // Locked again, and someone else signs in: a fresh desk with no patient.
      act(() => vi.advanceTimersByTime(10 * 60_000 + 5_000));
      await screen.findByRole("heading", { level: 1, name: "Desk locked" });
      await submitSignIn(user, "clinician", sam);
      await screen.findByTestId("nhs-input");
      expect(screen.getByTestId("user-name")).toHaveTextContent("Sam Okafor");
      expect(screen.queryByTestId("patient-banner")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("locks at once when the person presses Lock, and the same person carries on", async () => {
    const user = userEvent.setup();
    render(<App />);
    await signInThroughForm(user, "call-handler");
    await findJane(user);
    await user.click(screen.getByTestId("lock-desk"));
    expect(await screen.findByRole("heading", { level: 1, name: "Desk locked" })).toBeInTheDocument();
    expect(client.lockDesk).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("locked-note")).toHaveTextContent("The desk was locked. Alex Taylor was signed in");
    expect(screen.getByTestId("patient-banner")).not.toBeVisible();
    client.signIn.mockImplementationOnce(async (u) => ok({ ...signedInAnswer(u), same_person: true }));
    await submitSignIn(user, "call-handler");
    await waitFor(() => expect(screen.getByTestId("patient-banner")).toBeVisible());
    expect(screen.getByTestId("patient-banner")).toHaveTextContent("JACKSON");
  });

  it("tells the next person at a locked desk what became of the last person's unconfirmed booking before the desk opens", async () => {
    const user = userEvent.setup();
    render(<App />);
    await signInThroughForm(user, "call-handler");
    await findJane(user);
    await user.click(screen.getByTestId("lock-desk"));
    await screen.findByRole("heading", { level: 1, name: "Desk locked" });
    const left = reconciled({ message: "A booking whose outcome was not known at Beckside Medical Practice was made: appointment 1001." });
    client.signIn.mockImplementationOnce(async (u) => ok(signedInAnswer(u, {}, { settled: [], error: null, left_open: [left] })));
    await submitSignIn(user, "clinician", sam);
    const notice = await screen.findByRole("alertdialog", { name: "Bookings left unconfirmed" });
    expect(notice).toHaveTextContent("was made: appointment 1001.");
    // Nothing of the last call behind it, and the desk opens afresh once noted.
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    await user.click(screen.getByTestId("interrupted-acknowledge"));
    await screen.findByTestId("nhs-input");
    expect(screen.getByTestId("user-name")).toHaveTextContent("Sam Okafor");
    expect(screen.queryByTestId("patient-banner")).toBeNull();
  });

  it("tells the engine the person is still there while they type, and locks when the engine already has", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      render(<App />);
      await signInThroughForm(user, "call-handler");
      // Typing for longer than the idle time keeps the desk open, and the engine hears of it.
      for (let minute = 0; minute < 12; minute++) {
        await user.keyboard("9");
        act(() => vi.advanceTimersByTime(60_000));
      }
      expect(screen.queryByRole("heading", { level: 1, name: "Desk locked" })).toBeNull();
      expect(client.stillHere).toHaveBeenCalled();
      client.stillHere.mockResolvedValue(fail(apiError({ kind: "sign-in-required", message: "The desk locked after 10 minutes with nobody using it." })));
      await user.keyboard("9");
      act(() => vi.advanceTimersByTime(20_000));
      expect(await screen.findByRole("heading", { level: 1, name: "Desk locked" })).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("signing in with NHS CIS2", () => {
  it("offers no typed identity, and a person with several roles here chooses one", async () => {
    const cis2Desk = { ...signedOut, demo: false, provider_url: null, sign_in: "cis2" as const };
    client.appInfo.mockResolvedValue(ok(cis2Desk));
    const profile = (id: string, code: string, name: string) => ({ role_profile_id: id, org_code: "RYA", role_code: code, role_name: name, activity_codes: [] });
    const choices = [
      { role: "call-handler" as const, profile: profile("555000002103", "S8001:G8002:R8008", '"Support":"Support":"Admin/Clinical Support Access Role"'), job_role_name: "Admin/Clinical Support Access Role" },
      { role: "clinician" as const, profile: profile("555000002108", "S8000:G8000:R8000", '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"'), job_role_name: "Clinical Practitioner Access Role" },
    ];
    client.signInCis2.mockResolvedValue(ok({ state: "choose-role", name: "Priya Shah", choices }));
    const priya = { name: "Priya Shah", sds_user_id: "555000000103", sds_role_profile_id: "555000002108", local_id: "sub-103", role: "clinician" as const };
    client.chooseRole.mockResolvedValue(ok(signedInAnswer(priya, cis2Desk)));
    const user = userEvent.setup();
    render(<App />);
    const start = await screen.findByTestId("cis2-start");
    expect(start).toHaveFocus();
    expect(screen.queryByTestId("sign-in-form")).toBeNull();
    await user.keyboard("{Enter}");
    await screen.findByTestId("cis2-roles");
    expect(screen.getByText("Priya Shah, choose the role you are working in")).toBeInTheDocument();
    // CIS2's quoted role names read as the job role alone.
    expect(screen.getByTestId("cis2-roles")).toHaveTextContent("Admin/Clinical Support Access Role at RYA (role profile 555000002103)");
    expect(screen.getByTestId("cis2-roles")).not.toHaveTextContent('"Support"');
    expect(screen.getByTestId("cis2-role-0")).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    await user.click(screen.getByTestId("cis2-role-continue"));
    expect(client.chooseRole).toHaveBeenCalledWith(choices[1]);
    await screen.findByTestId("nhs-input");
    expect(screen.getByTestId("user-name")).toHaveTextContent("Priya Shah");
  });

  it("lets the person give up waiting on the browser, and says the sign-in was cancelled", async () => {
    client.appInfo.mockResolvedValue(ok({ ...signedOut, demo: false, provider_url: null, sign_in: "cis2" as const }));
    // The engine answers the waiting sign-in once it is told to give up.
    let answer: (r: unknown) => void = () => {};
    client.signInCis2.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    client.cancelSignIn.mockImplementation(async () =>
      answer(fail(apiError({ kind: "sign-in-required", message: "The sign-in was cancelled.", next_step: "Sign in again when you are ready." }))),
    );
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("cis2-start"));
    expect(screen.getByTestId("cis2-start")).toHaveTextContent("Waiting for the sign-in in your browser");
    await user.click(screen.getByTestId("cis2-cancel"));
    expect(client.cancelSignIn).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("The sign-in was cancelled.")).toBeInTheDocument();
    expect(screen.queryByTestId("cis2-cancel")).toBeNull();
    expect(screen.getByTestId("cis2-start")).toHaveTextContent("Sign in with NHS CIS2");
    expect(screen.queryByTestId("nhs-input")).toBeNull();
  });

  it("says why when the provider refuses, and the desk stays closed", async () => {
    client.appInfo.mockResolvedValue(ok({ ...signedOut, demo: false, provider_url: null, sign_in: "cis2" as const }));
    client.signInCis2.mockResolvedValue(fail(apiError({ kind: "not-permitted", message: "Your CIS2 roles here do not include one that may use Booking Desk." })));
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("cis2-start"));
    expect(await screen.findByText(/do not include one that may use Booking Desk/)).toBeInTheDocument();
    expect(screen.queryByTestId("nhs-input")).toBeNull();
  });
});
