// The Book panel with the call's triage summary: what the service will receive, consent, the
// triage timeframe, and what the confirmation says was sent.
import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BookingOutcome, ClinicalPreview, ClinicalSummary, Role, SlotView } from "../../api/bindings";
import type { Result } from "../../api/client";
import { formatSeeBy, ukToday } from "../../format";
import { controlSearch, renderApp, saveTriage, type TriageInput } from "../../test/app";
import { apiError, appointment, at, jane, outcome, previewOf, signedInAnswer, slot, utcSlot } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => {
  client.resetClient();
  client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
});

const gpSlot = () => slot({ id: "gp-1", start: at(2, 8), end: at(2, 8, 10) });

type Setup = { role?: Role; triage?: TriageInput | null };

/** Patient found, triage summary saved, slots searched and the slot picked: the Book panel is open. */
async function bookWithTriage(chosen: SlotView = gpSlot(), { role = "call-handler", triage = {} }: Setup = {}) {
  const calls = controlSearch();
  const app = await renderApp(role);
  await app.user.type(screen.getByTestId("nhs-input"), "9434765919");
  await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
  await app.user.keyboard("{Enter}");
  await screen.findByTestId("patient-banner");
  if (triage) await saveTriage(app.user, triage);
  await app.user.keyboard("{Control>}f{/Control}");
  calls[0].slots(chosen.service_id, [chosen]);
  calls[0].finish();
  await app.user.keyboard("{ArrowDown}{Enter}");
  await screen.findByTestId("book-panel");
  return app;
}

/** The summary as the form saved it (the preview is asked with it). */
const savedSummary = () => client.clinicalPreview.mock.lastCall![0] as ClinicalSummary;

function withText(preview: ClinicalPreview, text: Partial<ClinicalPreview["text"]>): ClinicalPreview {
  return { ...preview, text: { ...preview.text, ...text } };
}

describe("the preview of what the service receives", () => {
  it("GP Connect: fills the description and comment from the summary, says when it was shortened, and sends the summary", async () => {
    const comment = `111 triage: Speak to a primary care service within 2 hours (Dx05): see by 11:40. ${"Obs: fine; ".repeat(25)} … [shortened: full 111 summary held by NHS 111]`;
    client.clinicalPreview.mockImplementation(async (summary: ClinicalSummary) =>
      ok(withText(previewOf(summary, "gp-connect"), { description: "Sore throat and fever for 3 days", comment, truncated: true })),
    );
    const { user } = await bookWithTriage();
    await waitFor(() => expect(screen.getByTestId("description-input")).toHaveValue("Sore throat and fever for 3 days"));
    expect(client.clinicalPreview).toHaveBeenCalledWith(expect.objectContaining({ presenting_complaint: "Sore throat and fever for 3 days" }), "beckside", { ...jane, id: null });
    expect(screen.getByTestId("comment-input")).toHaveValue(comment);
    const section = screen.getByTestId("book-triage");
    expect(section).toHaveTextContent("GP Connect carries the summary in the description and comment below. You can still edit them.");
    const truncated = screen.getByTestId("preview-truncated");
    expect(within(truncated).getByText("Shortened to fit")).toBeInTheDocument();
    expect(truncated).toHaveTextContent(
      "GP Connect takes 100 characters of description and 500 of comment, so the summary was cut to fit. The full summary is kept with the booking.",
    );

    // Still the person's to edit; what they leave is what is sent, with the whole summary.
    await user.clear(screen.getByTestId("description-input"));
    await user.type(screen.getByTestId("description-input"), "Sore throat, fever 3 days");
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.click(screen.getByTestId("confirm-booking"));
    await screen.findByTestId("booking-confirmation");
    const request = client.book.mock.calls[0][0];
    expect(request.description).toBe("Sore throat, fever 3 days");
    expect(request.comment).toBe(comment);
    expect(request.clinical).toEqual(savedSummary());
    expect(request.clinical.consent_to_share).toBe(true);
    expect(request).not.toHaveProperty("clinical_approval");
  });

  it("GP Connect: says nothing of shortening when the summary fits", async () => {
    await bookWithTriage();
    await waitFor(() => expect(screen.getByTestId("preview-gp-connect")).toBeInTheDocument());
    expect(screen.queryByTestId("preview-truncated")).toBeNull();
  });

  it("keeps what the person typed before the summary's text arrived, and offers the summary's instead", async () => {
    // The preview is slow: the person starts typing the description as soon as the panel opens.
    let arrive: () => void = () => {};
    client.clinicalPreview.mockImplementation(
      (summary: ClinicalSummary) =>
        new Promise<Result<ClinicalPreview>>((resolve) => {
          arrive = () => resolve(ok(withText(previewOf(summary, "gp-connect"), { description: "Sore throat and fever for 3 days", comment: "111 triage: Dx05" })));
        }),
    );
    const { user } = await bookWithTriage();
    await user.type(screen.getByTestId("description-input"), "Throat, fever");
    await act(async () => arrive());
    await waitFor(() => expect(screen.getByTestId("preview-gp-connect")).toBeInTheDocument());
    // Their words stay; the untouched comment takes the summary's; they are told, and can choose.
    expect(screen.getByTestId("description-input")).toHaveValue("Throat, fever");
    expect(screen.getByTestId("comment-input")).toHaveValue("111 triage: Dx05");
    const kept = screen.getByTestId("kept-own-text");
    expect(kept).toHaveTextContent("your text is kept");
    expect(screen.getByTestId("description-input")).toHaveAccessibleDescription(/What the appointment is for/);
    expect(screen.getByTestId("comment-input")).toHaveAccessibleDescription(/Filled in from the triage summary/);

    await user.click(within(kept).getByRole("button", { name: "Use the summary's text instead" }));
    expect(screen.getByTestId("description-input")).toHaveValue("Sore throat and fever for 3 days");
    expect(screen.queryByTestId("kept-own-text")).toBeNull();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.click(screen.getByTestId("confirm-booking"));
    await screen.findByTestId("booking-confirmation");
    expect(client.book.mock.calls[0][0].description).toBe("Sore throat and fever for 3 days");
  });

  it("UEC: shows the report's sections as headings and lines, and the document on request", async () => {
    const cda = `<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="5a1c0f6e"/></ClinicalDocument>`;
    client.clinicalPreview.mockImplementation(async () =>
      ok<ClinicalPreview>({
        standard: "uec-booking",
        text: { description: "Cut to left hand", comment: "111 triage: ...", truncated: false },
        sections: [
          { title: "Triage outcome", lines: ["Attend an urgent treatment centre within 4 hours (Dx06): see by 13:40.", "Symptom group: Wound (SG1189)."] },
          { title: "Flags", lines: ["SAFEGUARDING: Lives alone"] },
          { title: "Allergies and medication", lines: ["Allergies: none known.", "Medication: not known."] },
        ],
        document: cda,
      }),
    );
    const { user } = await bookWithTriage(utcSlot(), { triage: { complaint: "Cut to left hand" } });
    const sections = await screen.findByTestId("preview-sections");
    expect(within(sections).getAllByRole("heading", { level: 4 }).map((h) => h.textContent)).toEqual([
      "Triage outcome",
      "Flags",
      "Allergies and medication",
    ]);
    expect(sections).toHaveTextContent("Attend an urgent treatment centre within 4 hours (Dx06): see by 13:40.");
    expect(sections).toHaveTextContent("SAFEGUARDING: Lives alone");
    expect(within(sections).getAllByText(/^(Allergies|Medication):/).map((p) => p.textContent)).toEqual([
      "Allergies: none known.",
      "Medication: not known.",
    ]);
    expect(screen.getByTestId("book-triage")).toHaveTextContent(
      "Triage summary: what Calder Valley Urgent Treatment Centre will receive",
    );
    expect(screen.getByTestId("book-triage")).toHaveTextContent("The service gets this 111 report with the appointment");

    const doc = screen.getByTestId("preview-document");
    expect(doc).not.toHaveAttribute("open");
    const pre = doc.querySelector("pre")!;
    expect(pre).not.toBeVisible();
    await user.click(within(doc).getByText("Show the document"));
    expect(pre).toBeVisible();
    expect(pre.textContent).toBe(cda);
    expect(client.clinicalPreview).toHaveBeenCalledWith(expect.anything(), "calder-utc", { ...jane, id: null });
  });

  it("shows the engine's refusal of the summary, and will not book until it is corrected", async () => {
    client.clinicalPreview.mockResolvedValue(
      fail(apiError({ kind: "invalid-input", message: "The triage summary cannot be sent: the call-back number is not a UK phone number.", next_step: "Correct the triage summary, then book again.", code: null, trace_id: null })),
    );
    const { user } = await bookWithTriage();
    const panel = await within(screen.getByTestId("book-triage")).findByTestId("error-panel");
    expect(panel).toHaveTextContent("The triage summary cannot be sent as it is");
    expect(panel).toHaveTextContent("the call-back number is not a UK phone number");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
    expect(screen.getByTestId("book-panel")).toHaveTextContent("Correct the triage summary first (Alt+T).");
    await user.click(screen.getByTestId("edit-triage"));
    expect(screen.getByTestId("triage-screen")).toBeInTheDocument();
  });

  it("books as before, with nothing clinical, when the call has no summary", async () => {
    const { user } = await bookWithTriage(gpSlot(), { triage: null });
    expect(screen.getByTestId("book-triage")).toHaveTextContent("None for this call yet");
    expect(client.clinicalPreview).not.toHaveBeenCalled();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.keyboard("{Alt>}b{/Alt}");
    await screen.findByTestId("booking-confirmation");
    expect(client.book.mock.calls[0][0]).not.toHaveProperty("clinical");
    expect(screen.queryByTestId("clinical-sent")).toBeNull();
  });
});

describe("consent", () => {
  it("is required to book with a summary: without it the button is disabled and says why", async () => {
    const { user } = await bookWithTriage();
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    const consent = screen.getByTestId("book-consent");
    const confirm = screen.getByTestId("confirm-booking");
    expect(consent).toBeChecked();
    expect(confirm).toBeEnabled();

    await user.click(consent);
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveAccessibleDescription(
      "The patient has not agreed to share the triage summary. Tick their consent, or remove the summary (Alt+T) to book without it.",
    );
    await user.keyboard("{Alt>}b{/Alt}");
    expect(client.book).not.toHaveBeenCalled();
    // The summary itself records it too.
    await user.keyboard("{Alt>}t{/Alt}");
    expect(screen.getByTestId("triage-consent")).not.toBeChecked();
    expect(screen.getByTestId("triage-status")).toHaveTextContent("Saved");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("book-consent"));
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
  });

  it("shows the engine's refusal when it refuses the booking all the same", async () => {
    const { user } = await bookWithTriage();
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
    client.book.mockResolvedValue(
      fail(apiError({ kind: "invalid-input", message: "The patient has not agreed to share the triage summary with the service.", next_step: "Ask the patient for consent to share and tick it, or book without a summary.", code: null })),
    );
    await user.click(screen.getByTestId("confirm-booking"));
    const panel = await screen.findByTestId("error-panel");
    expect(panel).toHaveTextContent("The booking was not made");
    expect(panel).toHaveTextContent("The patient has not agreed to share the triage summary with the service.");
    expect(panel).toHaveTextContent("Ask the patient for consent to share and tick it, or book without a summary.");
  });

  it("a summary changed and not saved holds the booking back", async () => {
    const { user } = await bookWithTriage();
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
    await user.keyboard("{Alt>}t{/Alt}");
    await user.type(screen.getByTestId("triage-complaint"), " and a rash");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("triage-unsaved")).toHaveTextContent("changes that are not saved");
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
    expect(screen.getByTestId("book-panel")).toHaveTextContent("Save the changes to the triage summary first (Alt+T).");
  });
});

describe("the triage timeframe", () => {
  // Assessed now, to be seen within 2 hours: a slot two days ahead is too late.
  const twoHours = { timeframe: "120" };

  it("a call handler must record who approved a later slot, and why, before booking", async () => {
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    const by = formatSeeBy(new Date(Date.parse(savedSummary().triage.assessed_at) + 120 * 60_000), ukToday());
    const warning = await screen.findByTestId("timeframe-warning");
    expect(warning).toHaveTextContent(`This slot is later than the triage timeframe: see by ${by}`);
    // The approval is the next thing to type: it has focus, with the warning in view.
    expect(screen.getByLabelText("Approved by")).toHaveFocus();
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    const confirm = screen.getByTestId("confirm-booking");
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveAccessibleDescription("This slot is later than the triage timeframe: record which clinician approved it and why.");

    await user.type(screen.getByLabelText("Approved by"), "Dr Sam Okafor (clinical supervisor)");
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId("approval-reason"), "No sooner slot; patient safe to wait, worsening advice given");
    expect(confirm).toBeEnabled();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.keyboard("{Alt>}b{/Alt}");
    await screen.findByTestId("booking-confirmation");
    // The desk is asked for the approval; the booking names the ticket it gave, never a typed name.
    expect(client.approveNamed).toHaveBeenCalledWith("Dr Sam Okafor (clinical supervisor)");
    expect(client.book.mock.calls[0][0].clinical_approval).toEqual({
      ticket: "ticket for Dr Sam Okafor (clinical supervisor)",
      reason: "No sooner slot; patient safe to wait, worsening advice given",
    });
  });

  it("on a CIS2 desk the approving clinician signs in rather than being named, and the booking names their ticket", async () => {
    client.signIn.mockImplementation(async (u) => ok(signedInAnswer(u, { sign_in: "cis2" })));
    const approver = { ticket: "t-cis2", name: "David Chen", sds_user_id: "555000000102", sds_role_profile_id: "555000002102", role_name: "Clinical Practitioner Access Role" };
    client.approveWithCis2.mockResolvedValue(ok(approver));
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    expect(screen.queryByLabelText("Approved by")).toBeNull();
    expect(screen.getByTestId("approval-by-sign-in")).toHaveTextContent("the clinician signs in with their own NHS smartcard");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    const confirm = screen.getByTestId("confirm-booking");
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId("approval-reason"), "No sooner slot; safe to wait");
    expect(confirm).toBeEnabled();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.keyboard("{Alt>}b{/Alt}");
    await screen.findByTestId("booking-confirmation");
    expect(client.approveWithCis2).toHaveBeenCalledTimes(1);
    expect(client.approveNamed).not.toHaveBeenCalled();
    expect(client.book.mock.calls[0][0].clinical_approval).toEqual({ ticket: "t-cis2", reason: "No sooner slot; safe to wait" });
  });

  it("a clinician's CIS2 sign-in that fails leaves nothing booked and says why", async () => {
    client.signIn.mockImplementation(async (u) => ok(signedInAnswer(u, { sign_in: "cis2" })));
    client.approveWithCis2.mockResolvedValue(fail(apiError({ kind: "not-permitted", message: "Amira Okafor has no clinician role at this desk, so cannot approve the slot." })));
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    await user.type(screen.getByTestId("approval-reason"), "No sooner slot");
    await user.keyboard("{Alt>}b{/Alt}");
    expect(await screen.findByText(/has no clinician role at this desk/)).toBeInTheDocument();
    expect(client.book).not.toHaveBeenCalled();
  });

  it("while the approving clinician signs in, Cancel gives it up and nothing is booked", async () => {
    client.signIn.mockImplementation(async (u) => ok(signedInAnswer(u, { sign_in: "cis2" })));
    // The engine answers the waiting approval once it is told to give up.
    let answer: (r: unknown) => void = () => {};
    client.approveWithCis2.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    client.cancelSignIn.mockImplementation(async () =>
      answer(fail(apiError({ kind: "sign-in-required", message: "The sign-in was cancelled.", next_step: "Sign in again when you are ready." }))),
    );
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    await user.type(screen.getByTestId("approval-reason"), "No sooner slot");
    await user.keyboard("{Alt>}b{/Alt}");
    const cancel = await screen.findByTestId("approval-cancel");
    expect(screen.getByTestId("confirm-booking")).toHaveTextContent("Waiting for the clinician's sign-in");
    await user.click(cancel);
    expect(client.cancelSignIn).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("The sign-in was cancelled.")).toBeInTheDocument();
    expect(screen.queryByTestId("approval-cancel")).toBeNull();
    expect(client.book).not.toHaveBeenCalled();
  });

  it("keeps each field in view as it takes focus, clear of the sticky Confirm bar (issue 18.7)", async () => {
    await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    // jsdom lays nothing out: the bar is given the height a browser would give it.
    const bar = screen.getByTestId("confirm-booking").closest<HTMLElement>(".book-panel__confirm")!;
    Object.defineProperty(bar, "offsetHeight", { configurable: true, value: 120 });
    const scrolled = vi.spyOn(Element.prototype, "scrollIntoView");
    const fields = ["description-input", "approved-by", "approval-reason", "comment-input", "book-consent"].map((id) => screen.getByTestId(id));
    for (const field of fields) {
      scrolled.mockClear();
      act(() => field.focus());
      expect(field).toHaveFocus();
      expect(scrolled).toHaveBeenCalledExactlyOnceWith({ block: "nearest" });
      expect(scrolled.mock.contexts[0]).toBe(field);
    }
    // The browser keeps the bar's height, and a little more, clear below the focused field.
    expect(parseFloat(screen.getByTestId("book-panel").style.scrollPaddingBottom)).toBeGreaterThanOrEqual(120);
    scrolled.mockRestore();
  });

  it("leaves a control clicked with the mouse where it is, so the click lands and the tick box ticks", async () => {
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    const scrolled = vi.spyOn(Element.prototype, "scrollIntoView");
    const consent = screen.getByTestId("book-consent");
    const was = (consent as HTMLInputElement).checked;
    // Moving the box between press and release (as bringing it into view did) loses the click.
    await user.click(consent);
    expect(consent).toHaveFocus();
    expect((consent as HTMLInputElement).checked).toBe(!was);
    expect(scrolled).not.toHaveBeenCalled();
    // The keyboard still brings what it reaches into view (back a field: forward is the bar).
    await user.tab({ shift: true });
    expect(consent).not.toHaveFocus();
    expect(scrolled).toHaveBeenCalled();
    scrolled.mockRestore();
  });

  it("Alt+B leads to each part of the approval still to fill in, then to the consent (issue 18.8)", async () => {
    const { user } = await bookWithTriage(gpSlot(), { triage: twoHours });
    await screen.findByTestId("timeframe-warning");
    await waitFor(() => expect(screen.getByTestId("description-input")).not.toHaveValue(""));
    const said = screen.getByTestId("book-blocked-announcement");
    const approval = "Not booked yet: This slot is later than the triage timeframe: record which clinician approved it and why.";

    await user.click(screen.getByTestId("description-input"));
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByLabelText("Approved by")).toHaveFocus();
    expect(said).toHaveTextContent(approval);

    await user.type(screen.getByLabelText("Approved by"), "Dr Sam Okafor");
    await user.click(screen.getByTestId("description-input"));
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByTestId("approval-reason")).toHaveFocus();
    expect(said).toHaveTextContent(approval);

    await user.type(screen.getByTestId("approval-reason"), "No sooner slot; safe to wait");
    await user.click(screen.getByTestId("book-consent"));
    await user.click(screen.getByTestId("description-input"));
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByTestId("book-consent")).toHaveFocus();
    expect(said).toHaveTextContent("Not booked yet: The patient has not agreed to share the triage summary.");
    expect(screen.getByTestId("book-reason")).toHaveTextContent("The patient has not agreed to share the triage summary.");
    expect(client.book).not.toHaveBeenCalled();
  });

  it("a clinician sees the warning only, and books without an approval", async () => {
    const { user } = await bookWithTriage(gpSlot(), { role: "clinician", triage: twoHours });
    expect(await screen.findByTestId("timeframe-warning")).toHaveTextContent("As a clinician you may book it.");
    expect(screen.queryByLabelText("Approved by")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1001", start: at(2, 8) }))));
    await user.click(screen.getByTestId("confirm-booking"));
    await screen.findByTestId("booking-confirmation");
    expect(client.book.mock.calls[0][0]).not.toHaveProperty("clinical_approval");
    expect(client.book.mock.calls[0][0].clinical.assessed_by.role).toBe("clinician");
  });

  it("says nothing of the timeframe for a slot within it", async () => {
    await bookWithTriage(gpSlot(), { triage: { timeframe: "4320" } });
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
    expect(screen.queryByTestId("timeframe-warning")).toBeNull();
  });
});

describe("the confirmation says what was sent", () => {
  async function bookAndConfirm(chosen: SlotView, result: BookingOutcome) {
    const app = await bookWithTriage(chosen);
    await waitFor(() => expect(screen.getByTestId("confirm-booking")).toBeEnabled());
    let answer!: (r: Result<BookingOutcome>) => void;
    client.book.mockReturnValue(new Promise((r) => (answer = r)));
    await app.user.click(screen.getByTestId("confirm-booking"));
    await act(async () => answer(ok(result)));
    return screen.findByTestId("booking-confirmation");
  }

  const uec = () =>
    appointment({ id: "25926b96-a7da-59a6-95c1-30130c90a1f6", service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", standard: "uec-booking", start: at(1, 14, 30), end: at(1, 14, 45) });

  it("GP Connect: the summary went in the description and comment", async () => {
    const a = appointment({ id: "1001", start: at(2, 8) });
    const c = await bookAndConfirm(gpSlot(), outcome(a, { clinical: { standard: "gp-connect", description: "Sore throat", comment: "111 triage: …", report_id: null, report_delivered: false, report_problem: null } }));
    expect(within(c).getByTestId("clinical-sent")).toHaveTextContent("The triage summary went in the description and comment.");
    expect(within(c).queryByTestId("report-not-sent")).toBeNull();
  });

  it("UEC: the report, by its id, was sent to the service", async () => {
    const c = await bookAndConfirm(
      utcSlot(),
      outcome(uec(), { clinical: { standard: "uec-booking", description: "Cut to left hand", comment: null, report_id: "0b3e8a5c-6d4f-4a7e-9c1b-2f5d8e7a6b9c", report_delivered: true, report_problem: null } }),
    );
    expect(within(c).getByTestId("clinical-sent")).toHaveTextContent("The 111 report was sent to the service.");
    // Its id is under "Full identifiers" (issue 18.9).
    expect(within(within(c).getByTestId("confirmation-identifiers")).getByTestId("report-id")).toHaveTextContent(
      /^0b3e8a5c-6d4f-4a7e-9c1b-2f5d8e7a6b9c$/,
    );
  });

  it("BaRS: the summary went with the booking, in its message", async () => {
    const a = appointment({ id: "fb133279-41ba-5597-9b62-2ed788eab4d7", service_id: "calder-utc", standard: "bars", start: at(1, 14, 30), end: at(1, 14, 45) });
    const c = await bookAndConfirm(
      utcSlot(),
      outcome(a, { clinical: { standard: "bars", description: "Cut to left hand", comment: null, report_id: "7d1c2a9e-3b4f-4c5d-8e6f-0a1b2c3d4e5f", report_delivered: true, report_problem: null } }),
    );
    expect(within(c).getByTestId("clinical-sent")).toHaveTextContent("The triage summary went with the booking, in its BaRS message.");
    expect(within(c).queryByTestId("report-not-sent")).toBeNull();
  });

  it("UEC: a report that did not arrive is said plainly, with the next step, and the booking stands", async () => {
    const c = await bookAndConfirm(
      utcSlot(),
      outcome(uec(), {
        clinical: {
          standard: "uec-booking",
          description: "Cut to left hand",
          comment: null,
          report_id: "0b3e8a5c-6d4f-4a7e-9c1b-2f5d8e7a6b9c",
          report_delivered: false,
          report_problem: apiError({
            kind: "unavailable",
            message: "Calder Valley Urgent Treatment Centre could not be reached to deliver the 111 report.",
            next_step: "The booking stands and the report is kept; phone the service with anything urgent.",
            trace_id: "7d2c9b1a-0000-4000-8000-000000000001",
          }),
        },
      }),
    );
    // Still a confirmation to read back: the booking was made.
    expect(screen.getByRole("heading", { name: /Booked — read this back/ })).toBeInTheDocument();
    expect(within(c).getByTestId("confirmation-reference")).toHaveTextContent("25926b96-a7da-59a6-95c1-30130c90a1f6");
    const note = within(c).getByTestId("report-not-sent");
    expect(note).toHaveAttribute("role", "alert");
    expect(note).toHaveTextContent("The booking stands, but the 111 report did not reach the service");
    expect(note).toHaveTextContent("Calder Valley Urgent Treatment Centre could not be reached to deliver the 111 report.");
    expect(note).toHaveTextContent("What to do next: The booking stands and the report is kept; phone the service with anything urgent.");
    expect(note).toHaveTextContent("The 111 report is kept with the booking.");
    expect(note).toHaveTextContent("Trace ID 7d2c9b1a-0000-4000-8000-000000000001");
    expect(within(c).queryByTestId("clinical-sent")).toBeNull();
  });
});
