import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Role } from "../api/bindings";
import { apiError } from "../test/fixtures";
import { ServiceStatus, type ServiceRow } from "./ServiceStatus";

const keyMissing = apiError({
  kind: "keyring",
  service_id: "leeds-ed",
  message: "The National API platform API key is not in the keyring.",
  next_step: "Store it with `bookdesk secrets set api-key` or in Settings, then try again.",
  http_status: null,
  code: null,
  diagnostics: null,
});

const rows: ServiceRow[] = [
  { id: "leeds-ed", name: "Leeds East Hospital Emergency Department", standard: "bars", state: "failed", count: 0, error: keyMissing },
  { id: "calder-utc", name: "Calder Valley Urgent Treatment Centre", standard: "uec-booking", state: "failed", count: 0, error: apiError({ service_id: "calder-utc", message: "The service did not answer within 15 seconds." }) },
];

function renderRows(role: Role) {
  render(<ServiceStatus rows={rows} onRetry={() => {}} role={role} />);
  const row = (id: string) => screen.getAllByTestId("service-status").find((r) => r.dataset.serviceId === id)!;
  return row;
}

describe("issue 18.11: a service that failed because of the desk's own set-up", () => {
  it.each<[string, Role]>([
    ["call handler", "call-handler"],
    ["clinician", "clinician"],
  ])("tells a %s to call the desk's administrator, without the technical words", (_, role) => {
    const row = renderRows(role);
    expect(row("leeds-ed")).toHaveTextContent("Leeds East Hospital Emergency Department");
    expect(row("leeds-ed")).toHaveTextContent("failed: Booking Desk is not set up to reach this service. Call the desk's administrator.");
    expect(row("leeds-ed")).not.toHaveTextContent("keyring");
    expect(row("leeds-ed")).not.toHaveTextContent("bookdesk secrets");
    // A fault at the service is still said as the engine says it.
    expect(row("calder-utc")).toHaveTextContent("failed: The service did not answer within 15 seconds.");
  });

  it("shows a supervisor the technical detail as well, to pass on", () => {
    const row = renderRows("supervisor");
    expect(row("leeds-ed")).toHaveTextContent("Booking Desk is not set up to reach this service. Call the desk's administrator.");
    expect(screen.getByTestId("service-status-detail")).toHaveTextContent(
      "The National API platform API key is not in the keyring. Store it with `bookdesk secrets set api-key` or in Settings, then try again.",
    );
  });
});
