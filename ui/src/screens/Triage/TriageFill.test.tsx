import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderApp } from "../../test/app";
import { apiError } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => client.resetClient());

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;

async function openTriage() {
  const app = await renderApp();
  await app.user.keyboard("{Alt>}t{/Alt}");
  await screen.findByTestId("triage-screen");
  await waitFor(() => expect(client.knownDispositions).toHaveBeenCalled());
  return app;
}

describe("the disposition filled from its code", () => {
  it("fills the words and timeframe of a known code as it is typed, and says where they came from", async () => {
    const { user } = await openTriage();
    await user.type(field("triage-dx-code"), "dx05");
    expect(field("triage-dx-text")).toHaveValue("Speak to a primary care service within 2 hours");
    expect(field("triage-timeframe")).toHaveValue("120");
    expect(screen.getByText(/Filled in from the published NHS Pathways dispositions for Dx05/)).toBeInTheDocument();

    // A timeframe the common list lacks is offered as it is published.
    await user.clear(field("triage-dx-code"));
    await user.type(field("triage-dx-code"), "Dx0121");
    expect(field("triage-dx-text")).toHaveValue("Attend an emergency treatment centre within 20 minutes");
    expect(field("triage-timeframe")).toHaveValue("20");
    expect(screen.getByRole("option", { name: "20 minutes" })).toBeInTheDocument();

    // A code the list lacks: what the list filled goes, and the fields are typed as before.
    await user.clear(field("triage-dx-code"));
    await user.type(field("triage-dx-code"), "Dx99");
    expect(field("triage-dx-text")).toHaveValue("");
    expect(field("triage-timeframe")).toHaveValue("");
  });

  it("never overwrites what the person typed or chose", async () => {
    const { user } = await openTriage();
    await user.type(field("triage-dx-text"), "Speak to the GP within 2 hours, as the clinician put it");
    await user.selectOptions(field("triage-timeframe"), "240");
    await user.type(field("triage-dx-code"), "Dx05");
    expect(field("triage-dx-text")).toHaveValue("Speak to the GP within 2 hours, as the clinician put it");
    expect(field("triage-timeframe")).toHaveValue("240");
  });

  it("keeps the form as it was when the list cannot be read", async () => {
    client.knownDispositions.mockResolvedValue(fail(apiError({ kind: "unavailable" })));
    const { user } = await openTriage();
    await user.type(field("triage-dx-code"), "Dx05");
    expect(field("triage-dx-text")).toHaveValue("");
    expect(field("triage-timeframe")).toHaveValue("");
  });
});
