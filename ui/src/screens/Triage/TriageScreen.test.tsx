import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ClinicalSummary } from "../../api/bindings";
import { formatTime, ukToday } from "../../format";
import { controlSearch, renderApp, saveTriage } from "../../test/app";
import { alex, at, jane, slot } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { ok } from "../../test/mockClient";
import { checkTriage, newDraft, type TriageDraft } from "./triage";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => {
  client.resetClient();
  client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
});

async function findJane(user: UserEvent) {
  await user.type(screen.getByTestId("nhs-input"), "9434765919");
  await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
  await user.keyboard("{Enter}");
  return screen.findByTestId("patient-banner");
}

/** The summary the last preview was asked for: what the Book panel would send. */
async function summaryUsed(user: UserEvent): Promise<ClinicalSummary> {
  const calls = controlSearch();
  await user.keyboard("{Control>}f{/Control}");
  calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
  calls[0].finish();
  await user.keyboard("{ArrowDown}{Enter}");
  await waitFor(() => expect(client.clinicalPreview).toHaveBeenCalled());
  return client.clinicalPreview.mock.lastCall![0] as ClinicalSummary;
}

const problemLinks = () =>
  within(screen.getByRole("alert", { name: "There is a problem" }))
    .getAllByRole("link")
    .map((a) => a.textContent);

describe("the triage summary form", () => {
  it("opens with Alt+T, prefilled with now, the patient's phone and the signed-in person", async () => {
    const { user } = await renderApp("clinician");
    await findJane(user);
    const before = new Date();
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-screen")).toBeInTheDocument();
    expect(screen.getByTestId("triage-complaint")).toHaveFocus();
    expect(screen.getByTestId("triage-call-back")).toHaveValue("07700 900123");
    expect(screen.getByTestId("triage-assessor-name")).toHaveValue("Alex Taylor");
    expect(screen.getByTestId("triage-assessor-sds")).toHaveValue("555021935107");
    // A clinician signed in assessed as a clinician.
    expect(screen.getByTestId("triage-assessor-clinician")).toBeChecked();
    expect([formatTime(before.toISOString()), formatTime(new Date().toISOString())]).toContain(
      (screen.getByTestId("triage-assessed-time") as HTMLInputElement).value,
    );
    expect(screen.getByTestId("triage-allergies-not-known")).toBeChecked();
    expect(screen.getByTestId("triage-medication-not-known")).toBeChecked();
    expect(screen.getByTestId("triage-consent")).not.toBeChecked();
    expect(screen.getByTestId("triage-status")).toHaveTextContent("Not saved yet");
    // No tab is selected while the summary is open.
    expect(screen.getByTestId("nav-patient")).toHaveAttribute("aria-selected", "false");
  });

  it("lists every problem at once — missing complaint, bad Dx code, bad phone, no consent — each linked to its field", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Alt>}t{/Alt}");
    await user.type(screen.getByTestId("triage-dx-code"), "urgent");
    await user.type(screen.getByTestId("triage-dx-text"), "Speak to a primary care service within 2 hours");
    await user.selectOptions(screen.getByTestId("triage-timeframe"), "120");
    await user.clear(screen.getByTestId("triage-call-back"));
    await user.type(screen.getByTestId("triage-call-back"), "call me");
    await user.click(screen.getByTestId("triage-save"));

    await waitFor(() => expect(screen.getByRole("alert", { name: "There is a problem" })).toHaveFocus());
    expect(problemLinks()).toEqual([
      "Enter the presenting complaint",
      '"urgent" is not a disposition code: enter it like Dx05',
      "Enter the call-back number as a UK phone number, like 07700 900123",
      "Ask the patient whether they agree to share this summary with the service, and tick to record that they do",
    ]);
    // Each field says what is wrong with it, too.
    expect(screen.getByTestId("triage-complaint")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("triage-dx-code")).toHaveAccessibleDescription(/not a disposition code/);
    expect(screen.getByTestId("triage-call-back")).toHaveAccessibleDescription(/UK phone number/);
    expect(screen.getByTestId("triage-consent")).toHaveAttribute("aria-invalid", "true");
    // The links take the person to the field.
    await user.click(screen.getByRole("link", { name: /UK phone number/ }));
    expect(screen.getByTestId("triage-call-back")).toHaveFocus();
    // Nothing was saved: the banner still has no triage, and the engine was not asked.
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("no summary yet");
    expect(client.clinicalPreview).not.toHaveBeenCalled();

    // Fixed (the code typed in any case), each problem goes; then it saves and the banner shows the outcome.
    await user.type(screen.getByTestId("triage-complaint"), "Sore throat and fever for 3 days");
    expect(problemLinks()).not.toContain("Enter the presenting complaint");
    expect(screen.getByTestId("triage-complaint")).not.toHaveAttribute("aria-invalid");
    await user.clear(screen.getByTestId("triage-dx-code"));
    await user.type(screen.getByTestId("triage-dx-code"), "dx05");
    await user.clear(screen.getByTestId("triage-call-back"));
    await user.type(screen.getByTestId("triage-call-back"), "+44 113 496 0000");
    await user.click(screen.getByTestId("triage-consent"));
    await user.keyboard("{Alt>}s{/Alt}");
    expect(screen.queryByTestId("triage-screen")).toBeNull();
    expect(screen.getByTestId("banner-triage")).toHaveTextContent(
      "Triage Dx05 — Speak to a primary care service within 2 hours · see by",
    );
  });

  it("checks the optional codes, observations and flags only when they are given", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Alt>}t{/Alt}");
    await user.type(screen.getByTestId("triage-sg-code"), "1189");
    await user.click(screen.getByTestId("triage-add-observation"));
    // The new row's first box takes focus.
    expect(screen.getAllByTestId("triage-obs-name")[0]).toHaveFocus();
    await user.keyboard("Temperature");
    await user.click(screen.getByTestId("triage-add-flag"));
    await user.click(screen.getByTestId("triage-save"));
    await waitFor(() => expect(screen.getByRole("alert", { name: "There is a problem" })).toBeInTheDocument());
    const links = problemLinks();
    expect(links).toContain("Give the symptom group as a code like SG1189 with its words, or leave both empty");
    expect(links).toContain("Give each observation a name and a value, or remove it");
    expect(links).toContain("Give each flag its text, or remove it");
    expect(links).not.toContainEqual(expect.stringMatching(/discriminator/));
    await user.click(screen.getByRole("link", { name: /each observation/ }));
    expect(screen.getAllByTestId("triage-obs-name")[0]).toHaveFocus();
    // A row can go again.
    await user.click(screen.getByRole("button", { name: "Remove flag 1" }));
    expect(screen.queryAllByTestId("triage-flag")).toHaveLength(0);
    expect(screen.getByTestId("triage-add-flag")).toHaveFocus();
  });

  it("serialises allergies and medication as null (not known), [] (none known) or the list", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await user.keyboard("{Alt>}t{/Alt}");
    await user.click(screen.getByTestId("triage-allergies-none"));
    await user.click(screen.getByTestId("triage-medication-listed"));
    // Listed with nothing listed is a problem, not an empty list.
    await saveTriage(user);
    expect(problemLinks()).toEqual(["List the medication, one a line, or choose None or Not known"]);
    await user.click(screen.getByTestId("triage-medication-list"));
    await user.paste("Paracetamol 1 g four times a day\n\n  Ibuprofen 400 mg  \n");
    await user.click(screen.getByTestId("triage-save"));

    const sent = await summaryUsed(user);
    expect(sent.allergies).toEqual([]);
    expect(sent.medication).toEqual(["Paracetamol 1 g four times a day", "Ibuprofen 400 mg"]);

    // Back to "not known": null, whatever was listed before.
    await user.keyboard("{Alt>}t{/Alt}");
    await user.click(screen.getByTestId("triage-allergies-not-known"));
    await user.click(screen.getByTestId("triage-medication-not-known"));
    await user.click(screen.getByTestId("triage-save"));
    await waitFor(() => expect(client.clinicalPreview).toHaveBeenCalledTimes(2));
    const again = client.clinicalPreview.mock.lastCall![0] as ClinicalSummary;
    expect(again.allergies).toBeNull();
    expect(again.medication).toBeNull();
  });

  it("keeps what was typed when leaving with Esc, and says when changes are not saved", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await saveTriage(user);
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-status")).toHaveTextContent("Saved: bookings for this call send this summary");
    await user.type(screen.getByTestId("triage-complaint"), ", worse at night");
    expect(screen.getByTestId("triage-status")).toHaveTextContent("Changes not saved yet");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("triage-screen")).toBeNull();
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-complaint")).toHaveValue("Sore throat and fever for 3 days, worse at night");
  });

  it("is cleared when another patient is chosen", async () => {
    const { user } = await renderApp();
    await findJane(user);
    await saveTriage(user);
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("Dx05");
    client.findPatient.mockResolvedValue(
      ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: { ...jane, nhs_number: "9476719931", family: "OKONJO", given: ["David"], phone: null } }),
    );
    await user.keyboard("/");
    await user.clear(screen.getByTestId("nhs-input"));
    await user.type(screen.getByTestId("nhs-input"), "9476719931");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("patient-banner")).toHaveTextContent("OKONJO, David"));
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("no summary yet");
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-complaint")).toHaveValue("");
    // David has no phone on record: nothing of Jane's is carried over.
    expect(screen.getByTestId("triage-call-back")).toHaveValue("");
  });

  it("is not offered to supervisors", async () => {
    const { user } = await renderApp("supervisor");
    await findJane(user);
    expect(screen.queryByTestId("banner-triage")).toBeNull();
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.queryByTestId("triage-screen")).toBeNull();
    expect(screen.getByRole("contentinfo", { name: "Keyboard shortcuts" })).not.toHaveTextContent("Alt+T");
  });
});

describe("checkTriage", () => {
  const draft = (over: Partial<TriageDraft> = {}): TriageDraft => ({
    ...newDraft(alex, jane, new Date(Date.now() - 5 * 60_000)),
    complaint: "Cut to left hand",
    dxCode: "Dx05",
    dxText: "Speak to a primary care service within 2 hours",
    timeframe: "120",
    consent: true,
    ...over,
  });

  it("builds the engine's summary: codes as Pathways writes them, the time with its UK offset", () => {
    const { problems, summary } = checkTriage(
      draft({ dxCode: " dx05 ", sgCode: "sg1189", sgText: "Sore throat", assessedDay: ukToday(), assessedTime: "0:00" }),
    );
    expect(problems).toEqual([]);
    expect(summary!.triage.disposition_code).toBe("Dx05");
    expect(summary!.triage.symptom_group).toEqual({ code: "SG1189", text: "Sore throat" });
    expect(summary!.triage).not.toHaveProperty("symptom_discriminator");
    expect(summary!.triage.assessed_at).toMatch(new RegExp(`^${ukToday()}T00:00:00\\+0[01]:00$`));
    expect(summary!.triage.timeframe_minutes).toBe(120);
    expect(summary!.call_back_number).toBe("07700 900123");
    expect(summary!.assessed_by).toEqual({ name: "Alex Taylor", role: "call-handler", sds_user_id: "555021935107" });
  });

  it("takes each of the three answers for allergies and medication", () => {
    const value = (choice: TriageDraft["allergies"], list = "") => checkTriage(draft({ allergies: choice, allergyList: list })).summary!.allergies;
    expect(value("not-known", "Penicillin")).toBeNull();
    expect(value("none", "Penicillin")).toEqual([]);
    expect(value("listed", "Penicillin (rash)\nLatex")).toEqual(["Penicillin (rash)", "Latex"]);
  });

  it("refuses an assessment in the future and a time that is not one", () => {
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(checkTriage(draft({ assessedDay: ukToday(tomorrow) })).problems).toContainEqual(["assessedTime", "The assessment cannot be in the future"]);
    expect(checkTriage(draft({ assessedTime: "25:00" })).problems.map(([k]) => k)).toEqual(["assessedTime"]);
    expect(checkTriage(draft({ assessedDay: "" })).problems.map(([k]) => k)).toEqual(["assessedDay"]);
  });

  it("accepts UK phone numbers the way the engine does", () => {
    for (const ok of ["07700 900123", "+44 113 496 0000", "(0113) 496-0000"]) {
      expect(checkTriage(draft({ callBack: ok })).problems).toEqual([]);
    }
    for (const bad of ["999", "07700 900123 ext 4", "7700900123"]) {
      expect(checkTriage(draft({ callBack: bad })).problems.map(([k]) => k)).toEqual(["callBack"]);
    }
  });
});
