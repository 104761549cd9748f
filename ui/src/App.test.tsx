import { render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { formatAge, ukToday } from "./format";
import { renderApp } from "./test/app";
import { apiError, info, jane } from "./test/fixtures";
import * as client from "./test/mockClient";
import { fail, ok } from "./test/mockClient";

vi.mock("./api/client", () => import("./test/mockClient"));

beforeEach(() => client.resetClient());

describe("the frame", () => {
  it("shows the DEMO band, who is signed in and the shortcuts", async () => {
    await renderApp();
    expect(screen.getByTestId("demo-band")).toHaveTextContent("DEMO — simulated services, not live");
    expect(screen.getByRole("banner")).toHaveTextContent("Alex Taylor · Call handler · NHS 111 North West (RYA)");
    const bar = screen.getByRole("contentinfo", { name: "Keyboard shortcuts" });
    for (const s of ["/ NHS number", "Ctrl+F search", "↑↓ move", "Enter choose", "Alt+B book", "Alt+A appointments", "Esc back", "? all shortcuts"]) {
      expect(bar).toHaveTextContent(s);
    }
    // The call starts at the NHS number.
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
  });

  it("has no DEMO band on live services", async () => {
    client.appInfo.mockResolvedValue(ok({ ...info, demo: false, user_role: "supervisor" }));
    await renderApp();
    expect(screen.queryByTestId("demo-band")).toBeNull();
    expect(screen.getByRole("banner")).toHaveTextContent("Supervisor");
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
    await user.click(screen.getByRole("heading", { name: /Booked/ }));
    await user.keyboard("/");
    expect(screen.getByTestId("nhs-input")).toHaveFocus();
    await user.click(document.body);
    await user.keyboard("?");
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveTextContent("Alt+4");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("the patient banner", () => {
  it("appears once the patient is found and stays on every screen", async () => {
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    const banner = await screen.findByTestId("patient-banner");
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
