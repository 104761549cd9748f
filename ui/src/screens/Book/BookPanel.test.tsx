import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BookingOutcome, SlotView } from "../../api/bindings";
import type { Result } from "../../api/client";
import { formatDayWithWeekday, ukDay } from "../../format";
import { controlSearch, renderApp, type SearchCall } from "../../test/app";
import { apiError, appointment, at, jane, outcome, slot, utcSlot } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => {
  client.resetClient();
  client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
});

const gpSlot = () =>
  slot({
    id: "1202612020800",
    start: at(2, 8),
    end: at(2, 8, 10),
    delivery_channel: "Telephone",
    practitioner: { id: "31", name: "Dr Priya Shah", role: "General Medical Practitioner", gender: "female" },
  });

/** Patient found, slots searched, and the first slot picked: the Book panel is open. */
async function readyToBook(slots: SlotView[] = [gpSlot()], { findPatient = true } = {}) {
  const calls = controlSearch();
  const app = await renderApp();
  if (findPatient) {
    await app.user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await app.user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
  }
  await app.user.keyboard("{Control>}f{/Control}");
  const call = calls[0];
  call.slots(slots[0].service_id, slots);
  call.finish();
  await app.user.keyboard("{ArrowDown}{Enter}");
  await screen.findByTestId("book-panel");
  return { ...app, calls, call };
}

/** A booking at the GP practice whose answer was lost and could not be checked. */
async function bookWithUnknownOutcome() {
  const app = await readyToBook();
  client.book.mockResolvedValue(
    fail(apiError({ kind: "outcome-unknown", service_id: "beckside", message: "Beckside Medical Practice did not answer, and checking could not tell whether the booking was made.", next_step: "Do not book again. Check the patient's appointments." })),
  );
  await app.user.type(screen.getByTestId("description-input"), "Sore throat");
  await app.user.click(screen.getByTestId("confirm-booking"));
  await screen.findByTestId("outcome-unknown");
  return app;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the Book panel", () => {
  it("restates the slot and the patient", async () => {
    await readyToBook();
    const panel = screen.getByTestId("book-panel");
    expect(panel).toHaveTextContent("Beckside Medical Practice");
    expect(panel).toHaveTextContent(formatDayWithWeekday(ukDay(at(2, 8))));
    expect(panel).toHaveTextContent("08:00–08:10");
    expect(panel).toHaveTextContent("Telephone");
    expect(panel).toHaveTextContent("Dr Priya Shah, General Medical Practitioner (Female)");
    expect(panel).toHaveTextContent("General GP Appointment · General GP Appointments");
    expect(panel).toHaveTextContent("12 Beckside Road, Kirkstall, Leeds, LS5 3BQ");
    expect(panel).toHaveTextContent("For JACKSON, Jane (Miss) · NHS No. 943 476 5919");
  });

  it("counts the description and comment and will not book when either is too long or the description is empty", async () => {
    const { user } = await readyToBook();
    const confirm = screen.getByTestId("confirm-booking");
    expect(screen.getByTestId("description-input-counter")).toHaveTextContent("0/100");
    expect(screen.getByTestId("comment-input-counter")).toHaveTextContent("0/500");
    expect(confirm).toBeDisabled();

    await user.type(screen.getByTestId("description-input"), "Sore throat and fever for three days now..");
    expect(screen.getByTestId("description-input-counter")).toHaveTextContent("42/100");
    expect(confirm).toBeEnabled();

    await user.clear(screen.getByTestId("description-input"));
    await user.click(screen.getByTestId("description-input"));
    await user.paste("x".repeat(101));
    expect(screen.getByTestId("description-input-counter")).toHaveTextContent("101/100");
    expect(screen.getByText("1 character too many")).toBeInTheDocument();
    // Kept whole, not cut: nothing the caller said is lost.
    expect(screen.getByTestId("description-input")).toHaveValue("x".repeat(101));
    expect(confirm).toBeDisabled();

    await user.keyboard("{Backspace}");
    expect(confirm).toBeEnabled();
    await user.click(screen.getByTestId("comment-input"));
    await user.paste("y".repeat(501));
    expect(screen.getByTestId("comment-input-counter")).toHaveTextContent("501/500");
    expect(confirm).toBeDisabled();
    await user.keyboard("{Backspace}");
    expect(confirm).toBeEnabled();
  });

  it("is disabled with 'Booking…' while the request is out, and cannot fire twice", async () => {
    const { user } = await readyToBook();
    const pending = deferred<Result<BookingOutcome>>();
    client.book.mockReturnValue(pending.promise);
    await user.type(screen.getByTestId("description-input"), "  Sore throat, fever 3 days ");
    await user.keyboard("{Alt>}b{/Alt}");
    const confirm = screen.getByTestId("confirm-booking");
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveTextContent("Booking…");
    await user.keyboard("{Alt>}b{/Alt}");
    confirm.click();
    expect(client.book).toHaveBeenCalledTimes(1);
    expect(client.book).toHaveBeenCalledWith({
      service_id: "beckside",
      slot_ids: ["1202612020800"],
      slot_start: at(2, 8),
      nhs_number: "9434765919",
      patient: { ...jane, id: null },
      description: "Sore throat, fever 3 days",
      comment: null,
    });
    await act(async () => pending.resolve(ok(outcome(appointment({ id: "1001", start: at(2, 8) })))));
    expect(await screen.findByTestId("booking-confirmation")).toBeInTheDocument();
    expect(client.book).toHaveBeenCalledTimes(1);
  });

  it("becomes a confirmation to read back", async () => {
    const { user } = await readyToBook([utcSlot()]);
    client.book.mockResolvedValue(
      ok(
        outcome(
          appointment({
            id: "25926b96-a7da-59a6-95c1-30130c90a1f6",
            service_id: "calder-utc",
            service_name: "Calder Valley Urgent Treatment Centre",
            standard: "uec-booking",
            start: at(1, 14, 30),
            end: at(1, 14, 45),
            delivery_channel: "Telephone",
            description: "Cut to left hand",
            comment: "Call back on 07700 900123",
            practitioner: { id: "p", name: "Nurse Joanne Pickles", role: "Emergency Nurse Practitioner", gender: "female" },
            location: { id: "cv", name: "Calder Valley Hospital", address: "Halifax Road, Halifax, HX3 0PW" },
            reference_url: "https://provider.example/uec/calder/STU3/1/booking/Appointment/25926b96",
          }),
        ),
      ),
    );
    await user.type(screen.getByTestId("description-input"), "Cut to left hand");
    await user.click(screen.getByTestId("confirm-booking"));
    const c = await screen.findByTestId("booking-confirmation");
    expect(screen.getByTestId("confirmation-reference")).toHaveTextContent(/^25926b96-a7da-59a6-95c1-30130c90a1f6$/);
    for (const text of [
      "Calder Valley Urgent Treatment Centre",
      formatDayWithWeekday(ukDay(at(1, 14, 30))),
      "14:30–14:45",
      "Calder Valley Hospital, Halifax Road, Halifax, HX3 0PW",
      "Telephone — the service will phone the patient",
      "Nurse Joanne Pickles, Emergency Nurse Practitioner (Female)",
      "Cut to left hand",
    ]) {
      expect(c).toHaveTextContent(text);
    }
    expect(c).not.toHaveTextContent("answer was lost");
    expect(screen.getByRole("heading", { name: /Booked — read this back/ })).toHaveFocus();
    // The slot is taken now: it leaves the list.
    expect(screen.queryByTestId("slot-row")).toBeNull();
  });

  it("gives the service's own booking reference where it has one (issue 18.9)", async () => {
    const { user } = await readyToBook([utcSlot()]);
    client.book.mockResolvedValue(
      ok(outcome(appointment({ id: "1001", start: at(1, 14, 30), end: at(1, 14, 45), service_reference: "GPC-001001" }))),
    );
    await user.type(screen.getByTestId("description-input"), "Cut to left hand");
    await user.click(screen.getByTestId("confirm-booking"));
    const c = await screen.findByTestId("booking-confirmation");
    expect(within(c).getByTestId("confirmation-readable-reference")).toHaveTextContent(/^GPC-001001$/);
    expect(within(c).getByTestId("confirmation-reference-whose")).toHaveTextContent("(the service's own reference)");
  });

  it("gives a reference to read aloud, the full ids one click away, and no internal URL (issue 18.9)", async () => {
    const { user } = await readyToBook([utcSlot()]);
    const id = "25926b96-a7da-59a6-95c1-30130c90a1f6";
    const report = "0b3e8a5c-6d4f-4a7e-9c1b-2f5d8e7a6b9c";
    client.book.mockResolvedValue(
      ok(
        outcome(
          appointment({
            id,
            service_id: "calder-utc",
            service_name: "Calder Valley Urgent Treatment Centre",
            standard: "uec-booking",
            start: at(1, 14, 30),
            slot_ids: ["utc-1430"],
            reference_url: "https://provider.example/uec/calder/STU3/1/booking/Appointment/25926b96",
          }),
          { clinical: { standard: "uec-booking", description: "Cut to left hand", comment: null, report_id: report, report_delivered: true, report_problem: null } },
        ),
      ),
    );
    await user.type(screen.getByTestId("description-input"), "Cut to left hand");
    await user.click(screen.getByTestId("confirm-booking"));
    const c = await screen.findByTestId("booking-confirmation");

    expect(within(c).getByTestId("confirmation-readable-reference")).toHaveTextContent(/^0C90-A1F6$/);
    expect(within(c).getByTestId("confirmation-reference-whose")).toHaveTextContent(/gave none/);
    expect(within(c).getByTestId("clinical-sent")).toHaveTextContent(/^The 111 report was sent to the service\.$/);
    // No id in full, and no address of the provider's, anywhere to be read out.
    const ids = within(c).getByTestId("confirmation-identifiers");
    for (const el of [within(c).getByTestId("confirmation-reference"), within(c).getByTestId("report-id")]) expect(el).not.toBeVisible();
    expect(c.innerHTML).not.toMatch(/https?:\/\//);

    // One click away.
    await user.click(within(ids).getByText("Full identifiers"));
    expect(within(c).getByTestId("confirmation-reference")).toBeVisible();
    expect(within(c).getByTestId("confirmation-reference")).toHaveTextContent(new RegExp(`^${id}$`));
    expect(within(c).getByTestId("report-id")).toHaveTextContent(new RegExp(`^${report}$`));
    expect(ids).toHaveTextContent("Slot idutc-1430");
    expect(c.innerHTML).not.toMatch(/https?:\/\//);
  });

  it("notes a booking confirmed by checking, and warns of differing demographics", async () => {
    const { user } = await readyToBook();
    client.book.mockResolvedValue(
      ok(
        outcome(appointment({ id: "1002", start: at(2, 8) }), {
          confirmed_by_check: true,
          demographic_mismatches: [
            { field: "Family name", ours: "JACKSON", theirs: "JACKSON-SMITH" },
            { field: "Date of birth", ours: "1982-03-12", theirs: "1982-03-21" },
          ],
        }),
      ),
    );
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.click(screen.getByTestId("confirm-booking"));
    const c = await screen.findByTestId("booking-confirmation");
    expect(c).toHaveTextContent("The service's answer was lost on the way back. The booking was confirmed by checking");
    const warning = within(c).getByRole("alert");
    expect(warning).toHaveTextContent("differ from ours");
    expect(warning).toHaveTextContent("Family name");
    expect(warning).toHaveTextContent("JACKSON-SMITH");
    expect(warning).toHaveTextContent("1982-03-21");
  });

  it("refreshes the list when the slot has just been taken, keeping what was typed", async () => {
    const { user, calls } = await readyToBook();
    client.book.mockResolvedValue(fail(apiError({ kind: "slot-taken", message: "That slot at Beckside Medical Practice is no longer free.", next_step: "Pick another slot; the list has been refreshed.", code: "DUPLICATE_REJECTED" })));
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.click(screen.getByTestId("confirm-booking"));
    expect(await screen.findByTestId("slots-refreshed")).toHaveTextContent(
      "That slot has just been taken — the list has been refreshed",
    );
    expect(calls).toHaveLength(2);
    expect(calls[1].request).toEqual(calls[0].request);
    expect(screen.getByTestId("slot-list")).toHaveFocus();

    calls[1].slots("beckside", [slot({ start: at(3, 9), id: "other" })]);
    calls[1].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByTestId("description-input")).toHaveValue("Sore throat");
  });

  it("says the outcome is unknown and must not be booked again", async () => {
    const { user } = await bookWithUnknownOutcome();
    const panel = screen.getByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "outcome-unknown");
    expect(panel).toHaveTextContent("Outcome unknown — do not book again");
    expect(panel).toHaveTextContent("Check the patient's appointments before doing anything else");
    expect(screen.getByTestId("outcome-unknown-held")).toHaveTextContent("Outcome unknown — checking");
    expect(screen.queryByTestId("confirm-booking")).toBeNull();
    // No other slot can be booked from here until the handler has dealt with it.
    await user.click(screen.getAllByTestId("slot-row")[0]);
    expect(screen.queryByTestId("book-panel")).toBeNull();
    await user.click(within(panel).getByRole("button", { name: /Check the patient's appointments/ }));
    expect(screen.getByTestId("nav-appointments")).toHaveAttribute("aria-selected", "true");
  });

  it("will not leave a booking whose outcome is unknown: not by Close, Esc, another slot, another patient or Switch user", async () => {
    const { user } = await bookWithUnknownOutcome();
    const close = screen.getByTestId("outcome-unknown-close");
    expect(close).toBeDisabled();
    close.click();
    await user.keyboard("{Escape}");
    await user.click(screen.getAllByTestId("slot-row")[0]);
    expect(screen.getByTestId("outcome-unknown")).toBeInTheDocument();

    // Another patient: refused, with why and the way to check.
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: { ...jane, id: "102", nhs_number: "9476719931", family: "OKONJO", given: ["David"] } }));
    await user.keyboard("{Alt>}1{/Alt}");
    await user.clear(screen.getByTestId("nhs-input"));
    await user.type(screen.getByTestId("nhs-input"), "9476719931");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.click(screen.getByTestId("find-patient"));
    const held = await screen.findByTestId("held-dialog");
    expect(held).toHaveTextContent("may or may not have been made");
    expect(screen.getByTestId("patient-banner")).toHaveTextContent("JACKSON, Jane");
    await user.click(within(held).getByRole("button", { name: "Back" }));

    // Switch user: asked, and refused until it is settled.
    await user.click(screen.getByTestId("switch-user"));
    expect(screen.getByTestId("switch-user-held")).toHaveTextContent("A booking's outcome is unknown");
    expect(screen.getByTestId("confirm-switch-user")).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Stay signed in" }));

    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("outcome-unknown")).toBeInTheDocument();
    expect(client.signOut).not.toHaveBeenCalled();
    expect(client.book).toHaveBeenCalledTimes(1);
  });

  it("settles once the patient's appointments are checked, and says the booking was made when it is there", async () => {
    const { user } = await bookWithUnknownOutcome();
    client.patientAppointments.mockResolvedValue(
      ok({ appointments: [appointment({ id: "1007", start: at(2, 8), end: at(2, 8, 10), slot_ids: ["1202612020800"] })], failures: [] }),
    );
    await user.click(screen.getByRole("button", { name: /Check the patient's appointments/ }));
    await screen.findAllByTestId("appointment-row");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("outcome-found")).toHaveTextContent("The booking was made");
    expect(screen.getByTestId("outcome-found")).toHaveTextContent("1007");
    expect(screen.queryByTestId("outcome-unknown-held")).toBeNull();
    expect(screen.getByTestId("outcome-unknown")).not.toHaveTextContent("may or may not have been made");
    await user.click(screen.getByTestId("outcome-unknown-close"));
    expect(screen.queryByTestId("outcome-unknown")).toBeNull();
  });

  it("settles on a check that answers without the booking, saying it is not there", async () => {
    const { user } = await bookWithUnknownOutcome();
    // Another appointment of the patient's, in another slot, is not this booking.
    client.patientAppointments.mockResolvedValue(ok({ appointments: [appointment({ id: "1001", start: at(3, 9), slot_ids: ["other"] })], failures: [] }));
    await user.click(screen.getByTestId("outcome-unknown-check"));
    await screen.findAllByTestId("appointment-row");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("outcome-not-found")).toHaveTextContent("This slot is not among the patient's appointments at Beckside Medical Practice");
    expect(screen.queryByTestId("outcome-found")).toBeNull();
    expect(screen.getByTestId("outcome-unknown-close")).toBeEnabled();
  });

  it("a check the booking's service did not answer settles nothing; the person's word that they checked does", async () => {
    const { user } = await bookWithUnknownOutcome();
    client.patientAppointments.mockResolvedValue(
      ok({ appointments: [], failures: [apiError({ service_id: "beckside", message: "Beckside Medical Practice did not answer." })] }),
    );
    await user.keyboard("{Alt>}a{/Alt}");
    await screen.findByText("Services that could not be asked");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("outcome-unknown-held")).toBeInTheDocument();
    expect(screen.getByTestId("outcome-unknown-close")).toBeDisabled();

    await user.click(screen.getByTestId("outcome-unknown-ack"));
    expect(screen.getByTestId("outcome-acknowledged")).toHaveTextContent("You have said you checked with Beckside Medical Practice");
    await user.click(screen.getByTestId("switch-user"));
    expect(screen.queryByTestId("switch-user-held")).toBeNull();
    expect(screen.getByTestId("confirm-switch-user")).toBeEnabled();
  });

  it("shows other failures in the ErrorPanel with a way back to the form", async () => {
    const { user } = await readyToBook();
    client.book.mockResolvedValue(fail(apiError({ kind: "access-denied", message: "Beckside Medical Practice refused access.", next_step: "Call the helpdesk quoting the trace ID." })));
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.click(screen.getByTestId("confirm-booking"));
    expect(await screen.findByTestId("error-message")).toHaveTextContent("Beckside Medical Practice refused access.");
    expect(screen.getByTestId("trace-id")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Back to the booking" }));
    expect(screen.getByTestId("description-input")).toHaveValue("Sore throat");
  });

  it("needs a patient first", async () => {
    await readyToBook([gpSlot()], { findPatient: false });
    expect(screen.getByTestId("book-panel")).toHaveTextContent("Find the patient before booking.");
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
  });

  it("says by the Book button why it cannot book, and Alt+B leads to the field to put right (issue 18.8)", async () => {
    const { user } = await readyToBook();
    const confirm = screen.getByTestId("confirm-booking");
    const reason = screen.getByTestId("book-reason");
    expect(reason).toHaveTextContent("Enter a description of what the appointment is for.");
    expect(reason).not.toHaveClass("visually-hidden");
    expect(confirm).toHaveAccessibleDescription("Enter a description of what the appointment is for.");

    // From elsewhere in the panel, Alt+B goes to the empty description and says why.
    await user.click(screen.getByTestId("comment-input"));
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByTestId("description-input")).toHaveFocus();
    const said = screen.getByTestId("book-blocked-announcement");
    expect(said).toHaveAttribute("aria-live", "polite");
    expect(said).toHaveTextContent("Not booked yet: Enter a description of what the appointment is for.");

    // A comment too long: Alt+B goes there.
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    expect(said).toBeEmptyDOMElement();
    await user.click(screen.getByTestId("comment-input"));
    await user.paste("y".repeat(501));
    await user.click(screen.getByTestId("description-input"));
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByTestId("comment-input")).toHaveFocus();
    expect(said).toHaveTextContent("Not booked yet: Shorten the comment to 500 characters.");
    expect(client.book).not.toHaveBeenCalled();
  });

  it("without a patient, says so by the Book button, and Alt+B goes to Find the patient (issue 18.8)", async () => {
    const { user } = await readyToBook([gpSlot()], { findPatient: false });
    const reason = screen.getByTestId("book-reason");
    expect(reason).toHaveTextContent("Find the patient before booking.");
    expect(reason).not.toHaveClass("visually-hidden");
    expect(screen.getByTestId("confirm-booking")).toHaveAccessibleDescription("Find the patient before booking.");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByRole("button", { name: /Find the patient/ })).toHaveFocus();
    expect(screen.getByTestId("book-blocked-announcement")).toHaveTextContent("Not booked yet: Find the patient before booking.");
    expect(client.book).not.toHaveBeenCalled();
  });
});

describe("a patient without an NHS number", () => {
  async function manualPatient() {
    const calls = controlSearch();
    const app = await renderApp();
    const { user } = app;
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
    expect(screen.getByTestId("patient-banner")).toHaveTextContent("NHS No. not known");
    await user.keyboard("{Control>}f{/Control}");
    return { ...app, call: calls[0] as SearchCall };
  }

  it("cannot be booked at a GP Connect service, and is told why", async () => {
    const { user, call } = await manualPatient();
    call.slots("beckside", [gpSlot()]);
    call.finish();
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    expect(screen.getByTestId("book-panel")).toHaveTextContent("needs the patient's NHS number");
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
  });

  it("books at a UEC service with the details and no NHS number", async () => {
    const { user, call } = await manualPatient();
    call.slots("calder-utc", [utcSlot()]);
    call.finish();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "u1", start: at(1, 14, 30), standard: "uec-booking" }))));
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(screen.getByTestId("description-input"), "Cut to left hand");
    await user.click(screen.getByTestId("confirm-booking"));
    await screen.findByTestId("booking-confirmation");
    const request = client.book.mock.calls[0][0];
    expect(request.nhs_number).toBeNull();
    expect(request.patient).toMatchObject({ family: "Visitor", given: ["Tom"], birth_date: "1990-05-01", postcode: "LS1 1AA", nhs_number: null });
  });
});

describe("already booked?", () => {
  const upcoming = () =>
    appointment({ id: "1001", service_id: "beckside", service_name: "Beckside Medical Practice", start: at(3, 9), end: at(3, 9, 10) });

  it("names the patient's upcoming appointment and books only once it is acknowledged", async () => {
    client.upcomingAppointments.mockResolvedValue(ok({ appointments: [upcoming()], failures: [] }));
    const { user } = await readyToBook();
    const warning = await screen.findByTestId("already-booked");
    expect(warning).toHaveTextContent("Already booked: the patient has 1 upcoming appointment");
    expect(warning).toHaveTextContent(`Beckside Medical Practice, ${formatDayWithWeekday(ukDay(at(3, 9)))} 09:00–09:10`);
    // Asked for this patient, of the services in the directory.
    expect(client.upcomingAppointments).toHaveBeenCalledWith("9434765919", expect.arrayContaining(["beckside", "calder-utc"]));

    await user.type(screen.getByTestId("description-input"), "Sore throat");
    const confirm = screen.getByTestId("confirm-booking");
    expect(confirm).toBeDisabled();
    expect(screen.getByText(/tick “Book another anyway”/)).toBeInTheDocument();
    await user.click(screen.getByTestId("already-booked-ack"));
    expect(confirm).toBeEnabled();
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1002", start: at(2, 8) }))));
    await user.click(confirm);
    await screen.findByTestId("booking-confirmation");
    expect(client.book).toHaveBeenCalledTimes(1);
    // The acknowledgement goes with the request, naming what was seen: the engine checks it.
    expect(client.book.mock.calls[0][0].book_beside).toEqual([{ service_id: upcoming().service_id, appointment_id: upcoming().id }]);
  });

  it("Alt+B before the tick goes to “Book another anyway” and says why (issue 18.8)", async () => {
    client.upcomingAppointments.mockResolvedValue(ok({ appointments: [upcoming()], failures: [] }));
    const { user } = await readyToBook();
    await screen.findByTestId("already-booked");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.keyboard("{Alt>}b{/Alt}");
    expect(screen.getByTestId("already-booked-ack")).toHaveFocus();
    expect(screen.getByTestId("book-blocked-announcement")).toHaveTextContent(
      "Not booked yet: The patient already has an upcoming appointment: tick “Book another anyway” to go ahead.",
    );
    expect(client.book).not.toHaveBeenCalled();
  });

  it("asks for “Book another anyway” afresh for each slot chosen and after each booking (issue 18.3)", async () => {
    client.upcomingAppointments.mockResolvedValue(ok({ appointments: [upcoming()], failures: [] }));
    const other = slot({ id: "1202612020810", start: at(2, 8, 10), end: at(2, 8, 20) });
    const third = slot({ id: "1202612020820", start: at(2, 8, 20), end: at(2, 8, 30) });
    const { user } = await readyToBook([gpSlot(), other, third]);
    const rowOf = (id: string) => screen.getAllByTestId("slot-row").find((r) => r.dataset.slotId === id)!;
    await screen.findByTestId("already-booked");
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    await user.click(screen.getByTestId("already-booked-ack"));
    expect(screen.getByTestId("confirm-booking")).toBeEnabled();

    // Another slot: the tick was for the last one.
    await user.click(rowOf(other.id));
    expect(screen.getByTestId("book-panel")).toHaveTextContent("08:10–08:20");
    expect(screen.getByTestId("already-booked-ack")).not.toBeChecked();
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();

    // The same slot chosen again, after Esc, is a new choice too.
    await user.click(screen.getByTestId("already-booked-ack"));
    await user.keyboard("{Escape}");
    await user.click(rowOf(other.id));
    expect(screen.getByTestId("already-booked-ack")).not.toBeChecked();

    // Booked with the tick: the next booking needs it again.
    await user.click(screen.getByTestId("already-booked-ack"));
    client.book.mockResolvedValue(ok(outcome(appointment({ id: "1002", start: at(2, 8, 10) }))));
    await user.click(screen.getByTestId("confirm-booking"));
    await screen.findByTestId("booking-confirmation");
    await user.click(screen.getByRole("button", { name: "Done" }));
    await user.click(rowOf(third.id));
    await screen.findByTestId("already-booked");
    expect(screen.getByTestId("already-booked-ack")).not.toBeChecked();
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
  });

  it("holds the booking while it checks, and says nothing when there is nothing to say", async () => {
    const answer = deferred<Result<{ appointments: never[]; failures: never[] }>>();
    client.upcomingAppointments.mockReturnValue(answer.promise);
    const { user } = await readyToBook();
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    expect(screen.getByTestId("upcoming-checking")).toBeInTheDocument();
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
    await act(async () => answer.resolve(ok({ appointments: [], failures: [] })));
    expect(screen.queryByTestId("already-booked")).toBeNull();
    expect(screen.queryByTestId("upcoming-checking")).toBeNull();
    expect(screen.getByTestId("confirm-booking")).toBeEnabled();
  });

  it("a check that could not be made is said and does not block the booking", async () => {
    client.upcomingAppointments.mockResolvedValue(fail(apiError({ message: "The registry could not be read." })));
    const { user } = await readyToBook();
    await user.type(screen.getByTestId("description-input"), "Sore throat");
    expect(await screen.findByTestId("upcoming-unchecked")).toHaveTextContent("The registry could not be read.");
    expect(screen.getByTestId("confirm-booking")).toBeEnabled();
  });
});
