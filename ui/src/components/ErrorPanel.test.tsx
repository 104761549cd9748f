import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { apiError } from "../test/fixtures";
import { ErrorPanel } from "./ErrorPanel";

describe("ErrorPanel", () => {
  it("shows the message, the next step and the trace id in plain words", () => {
    render(<ErrorPanel error={apiError()} />);
    const panel = screen.getByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "timeout");
    expect(panel).toHaveAttribute("role", "alert");
    expect(screen.getByTestId("error-message")).toHaveTextContent(
      "Leeds East Hospital Emergency Department did not answer within 15 seconds.",
    );
    expect(screen.getByTestId("error-next-step")).toHaveTextContent("Try again, or choose another service.");
    expect(screen.getByTestId("trace-id")).toHaveTextContent("4f0c2b1e-9a7d-4c1e-8f7a-1b2c3d4e5f60");
    expect(screen.getByRole("heading")).toHaveTextContent("The service did not answer in time");
  });

  it("never shows the kind, the diagnostics or the HTTP status, and keeps the code in collapsed details", () => {
    render(<ErrorPanel error={apiError()} />);
    const panel = screen.getByTestId("error-panel");
    expect(panel).not.toHaveTextContent("timeout");
    expect(panel).not.toHaveTextContent("provider.rs");
    expect(panel).not.toHaveTextContent("504");
    const details = panel.querySelector("details")!;
    expect(details).not.toHaveAttribute("open");
    expect(within(details).getByText(/GATEWAY_TIMEOUT/)).not.toBeVisible();
    expect(screen.getByText("Details for the helpdesk")).toBeVisible();
  });

  it("copies the trace id to the clipboard", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<ErrorPanel error={apiError()} />);
    await user.click(screen.getByTestId("copy-trace-id"));
    expect(writeText).toHaveBeenCalledWith("4f0c2b1e-9a7d-4c1e-8f7a-1b2c3d4e5f60");
    expect(await screen.findByText("Trace ID copied")).toBeInTheDocument();
  });

  it("selects the trace id when the clipboard is not available", async () => {
    const user = userEvent.setup();
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: vi.fn().mockRejectedValue(new Error("denied")) },
      configurable: true,
    });
    render(<ErrorPanel error={apiError()} />);
    await user.click(screen.getByTestId("copy-trace-id"));
    expect(await screen.findByText(/press Ctrl\+C to copy/)).toBeInTheDocument();
    expect(window.getSelection()?.toString()).toBe("4f0c2b1e-9a7d-4c1e-8f7a-1b2c3d4e5f60");
  });

  it("leaves out the trace line and details when there is nothing to quote", () => {
    render(<ErrorPanel error={apiError({ trace_id: null, code: null, kind: "invalid-input" })} />);
    expect(screen.queryByTestId("trace-id")).toBeNull();
    expect(screen.queryByTestId("copy-trace-id")).toBeNull();
    expect(screen.queryByText("Details for the helpdesk")).toBeNull();
  });

  it("has plain words for signing in, certificates and the keyring", () => {
    const cases = [
      ["sign-in-required", "Sign in first"],
      ["certificate", "The secure connection was refused"],
      ["keyring", "The system keyring could not be used"],
    ] as const;
    for (const [kind, heading] of cases) {
      const { unmount } = render(<ErrorPanel error={apiError({ kind, code: null })} />);
      expect(screen.getByRole("heading")).toHaveTextContent(heading);
      expect(screen.getByTestId("error-panel")).toHaveAttribute("data-kind", kind);
      expect(screen.getByTestId("error-panel")).not.toHaveTextContent("sign-in-required");
      unmount();
    }
  });
});
