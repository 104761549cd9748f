import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRef, useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../../test/mockClient";
import { fail, ok, type Result } from "../../test/mockClient";
import { apiError, jane, janeTraced } from "../../test/fixtures";
import type { PatientMatch, TracedPatient } from "../../api/bindings";
import { controlSearch, renderApp, saveTriage } from "../../test/app";
import { at, slot } from "../../test/fixtures";
import type { ChosenPatient } from "../../types";
import { PatientScreen } from "./PatientScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

function Harness({ onChosen = () => {}, onContinue = () => {} }: { onChosen?: (p: ChosenPatient) => void; onContinue?: () => void }) {
  const [text, setText] = useState("");
  const [chosen, setChosen] = useState<ChosenPatient | null>(null);
  return (
    <PatientScreen
      nhsText={text}
      onNhsText={setText}
      chosen={chosen}
      onChosen={(p) => {
        setChosen(p);
        onChosen(p);
      }}
      onLookup={() => {
        setChosen(null);
        return true;
      }}
      onContinue={onContinue}
      inputRef={createRef<HTMLInputElement>()}
    />
  );
}

beforeEach(() => client.resetClient());

describe("NHS number entry", () => {
  it("spaces the number 3-3-4 as it is typed and checks it once 10 digits are in", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const input = screen.getByTestId("nhs-input");
    await user.type(input, "943476");
    expect(input).toHaveValue("943 476");
    expect(screen.getByTestId("nhs-status")).toHaveTextContent("6 of 10 digits");
    expect(client.checkNhsNumber).not.toHaveBeenCalled();
    expect(screen.getByTestId("find-patient")).toBeDisabled();

    await user.type(input, "5919");
    expect(input).toHaveValue("943 476 5919");
    await waitFor(() => expect(screen.getByTestId("nhs-status")).toHaveTextContent("Valid NHS number 943 476 5919"));
    expect(client.checkNhsNumber).toHaveBeenLastCalledWith("9434765919");
    expect(screen.getByTestId("find-patient")).toBeEnabled();
  });

  it("shows the engine's reason when the check digit is wrong, and will not search", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.type(screen.getByTestId("nhs-input"), "9434765918{Enter}");
    await waitFor(() =>
      expect(screen.getByTestId("nhs-status")).toHaveTextContent("That is not a valid NHS number: the check digit does not match."),
    );
    expect(screen.getByTestId("nhs-input")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("find-patient")).toBeDisabled();
    await user.keyboard("{Enter}");
    expect(client.findPatient).not.toHaveBeenCalled();
  });

  it("ignores letters and says when there are too many digits", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.type(screen.getByTestId("nhs-input"), "94a3 4765 91 99");
    expect(screen.getByTestId("nhs-input")).toHaveValue("943 476 59199");
    expect(screen.getByTestId("nhs-status")).toHaveTextContent("An NHS number has 10 digits: this has 11.");
  });
});

describe("finding the patient", () => {
  it("finds the patient with Enter and offers to go on to the slots", async () => {
    const user = userEvent.setup();
    const onChosen = vi.fn();
    const onContinue = vi.fn();
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
    render(<Harness onChosen={onChosen} onContinue={onContinue} />);
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    expect(client.findPatient).toHaveBeenCalledWith("9434765919");
    await screen.findByText(/Found at Beckside Medical Practice/);
    expect(onChosen).toHaveBeenCalledWith({ patient: jane, source: "found", foundAt: "Beckside Medical Practice" });
    // Focus moves to the next step so Enter carries on.
    const next = screen.getByRole("button", { name: /Find a slot/ });
    expect(next).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(onContinue).toHaveBeenCalled();
  });

  it("says when no practice knows the patient and offers entry by hand", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.click(screen.getByTestId("find-patient"));
    expect(await screen.findByTestId("patient-not-found")).toHaveTextContent(
      "No GP practice in the directory has a record for NHS No. 943 476 5919.",
    );
    await user.click(screen.getByRole("button", { name: "Enter the patient's details" }));
    expect(screen.getByTestId("manual-patient-form")).toHaveTextContent("NHS No. 943 476 5919 will be sent");
  });

  it("shows the ErrorPanel when the lookup fails", async () => {
    const user = userEvent.setup();
    client.findPatient.mockResolvedValue(fail(apiError({ kind: "unavailable", message: "Beckside Medical Practice could not be reached." })));
    render(<Harness />);
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("error-message")).toHaveTextContent("Beckside Medical Practice could not be reached.");
  });
});

describe("manual demographics", () => {
  it("lets the patient on screen go when another's details are to be typed by hand", async () => {
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane, traced: null, pds_error: null }));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("patient-banner")).toHaveTextContent("JACKSON");
    await user.click(screen.getByTestId("manual-patient"));
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    expect(screen.getByTestId("nhs-input")).toHaveValue("");
    expect(screen.getByTestId("manual-patient-form")).toHaveTextContent("No NHS number");
  });

  it("finds a patient with no number on PDS by the details typed, and looks them up by the number it holds", async () => {
    const user = userEvent.setup();
    const onChosen = vi.fn();
    client.searchPds.mockResolvedValue(ok({ ...janeTraced }));
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane, traced: janeTraced, pds_error: null }));
    render(<Harness onChosen={onChosen} />);
    await user.click(screen.getByTestId("manual-patient"));
    // Without the last name and the date of birth, PDS is not asked: the form says what it needs.
    await user.click(screen.getByTestId("manual-find-on-pds"));
    expect(screen.getByTestId("manual-pds")).toHaveTextContent("PDS needs the last name and the date of birth to search.");
    expect(client.searchPds).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText("First name"), "Jane");
    await user.type(screen.getByLabelText("Last name"), "Jackson");
    await user.type(screen.getByLabelText("Day"), "12");
    await user.type(screen.getByLabelText("Month"), "3");
    await user.type(screen.getByLabelText("Year"), "1982");
    await user.click(screen.getByTestId("manual-find-on-pds"));
    expect(client.searchPds).toHaveBeenCalledWith({ family: "Jackson", given: "Jane", birth_date: "1982-03-12", gender: null, postcode: null });
    await waitFor(() => expect(client.findPatient).toHaveBeenCalledWith(janeTraced.nhs_number));
    expect(screen.queryByTestId("manual-patient-form")).toBeNull();
    expect(screen.getByTestId("nhs-input")).toHaveValue("943 476 5919");
    await waitFor(() => expect(onChosen).toHaveBeenCalledWith(expect.objectContaining({ source: "found", patient: jane })));
  });

  it("says when PDS holds nobody with the details, or more than one, and the details stay to use", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByTestId("manual-patient"));
    await user.type(screen.getByLabelText("Last name"), "Visitor");
    await user.type(screen.getByLabelText("Day"), "1");
    await user.type(screen.getByLabelText("Month"), "5");
    await user.type(screen.getByLabelText("Year"), "1990");
    await user.click(screen.getByTestId("manual-find-on-pds"));
    expect(await screen.findByText(/PDS holds no patient with these details/)).toBeInTheDocument();
    client.searchPds.mockResolvedValue(
      fail(apiError({ kind: "invalid-input", message: "PDS found more than one patient with these details.", next_step: "Add the given name and the postcode, or ask the caller for the NHS number.", code: "TOO_MANY_MATCHES" })),
    );
    await user.click(screen.getByTestId("manual-find-on-pds"));
    expect(await screen.findByText(/PDS found more than one patient with these details/)).toBeInTheDocument();
    expect(screen.getByLabelText("Last name")).toHaveValue("Visitor");
    expect(client.findPatient).not.toHaveBeenCalled();
  });

  it("requires the details a booking needs and then uses them with no NHS number", async () => {
    const user = userEvent.setup();
    const onChosen = vi.fn();
    const onContinue = vi.fn();
    render(<Harness onChosen={onChosen} onContinue={onContinue} />);
    await user.click(screen.getByTestId("manual-patient"));
    await user.click(screen.getByTestId("manual-submit"));
    const summary = await screen.findByRole("alert");
    expect(summary).toHaveTextContent("Enter the patient's first name");
    expect(summary).toHaveTextContent("Enter the patient's last name");
    expect(summary).toHaveTextContent("Choose the patient's gender");
    expect(summary).toHaveTextContent("Enter a real date of birth");
    expect(summary).toHaveTextContent("Enter a full UK postcode");
    expect(onChosen).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText("Title (optional)"), "Mr");
    await user.type(screen.getByLabelText("First name"), "Tom");
    await user.type(screen.getByLabelText("Last name"), "Visitor");
    await user.selectOptions(screen.getByLabelText("Gender"), "male");
    await user.type(screen.getByLabelText("Day"), "1");
    await user.type(screen.getByLabelText("Month"), "5");
    await user.type(screen.getByLabelText("Year"), "1990");
    await user.type(screen.getByLabelText("Address line 1"), "1 Hotel Street");
    await user.type(screen.getByLabelText("Town or city (optional)"), "Leeds");
    await user.type(screen.getByLabelText("Postcode"), "ls11aa");
    await user.type(screen.getByLabelText("Phone (call-back number) (optional)"), "07700 900555");
    await user.click(screen.getByTestId("manual-submit"));

    expect(onChosen).toHaveBeenCalledWith({
      source: "manual",
      foundAt: null,
      patient: {
        id: null,
        nhs_number: null,
        family: "Visitor",
        given: ["Tom"],
        prefix: "Mr",
        gender: "male",
        birth_date: "1990-05-01",
        address_lines: ["1 Hotel Street", "Leeds"],
        postcode: "LS1 1AA",
        phone: "07700 900555",
      },
    });
    expect(onContinue).toHaveBeenCalled();
  });

  it("refuses a date of birth that does not exist", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByTestId("manual-patient"));
    await user.type(screen.getByLabelText("Day"), "31");
    await user.type(screen.getByLabelText("Month"), "2");
    await user.type(screen.getByLabelText("Year"), "1990");
    await user.click(screen.getByTestId("manual-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Enter a real date of birth");
  });
});

describe("looking up another number (issue 18.1)", () => {
  const JANE = "9434765919";
  // A valid number that no practice knows, as in the demo mock.
  const NO_RECORD = "9999999999";

  it("lets the last patient go as the lookup starts: a number with no record leaves no patient, slots, booking or summary", async () => {
    const calls = controlSearch();
    let answer: (r: Result<PatientMatch | null>) => void = () => {};
    client.findPatient.mockImplementation(async (nhs: string) =>
      nhs === JANE
        ? ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane })
        : new Promise<Result<PatientMatch | null>>((resolve) => (answer = resolve)),
    );
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), JANE);
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
    await saveTriage(user);
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByTestId("book-panel")).toHaveTextContent("For JACKSON, Jane");
    await user.type(screen.getByTestId("description-input"), ", worse today");

    // Another number: Jane goes as soon as it is looked for, before any answer.
    await user.keyboard("{Alt>}1{/Alt}");
    await user.clear(screen.getByTestId("nhs-input"));
    await user.type(screen.getByTestId("nhs-input"), NO_RECORD);
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    expect(client.findPatient).toHaveBeenLastCalledWith(NO_RECORD);
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    await act(async () => answer(ok(null)));
    expect(await screen.findByTestId("patient-not-found")).toHaveTextContent("NHS No. 999 999 9999");
    expect(screen.queryByTestId("patient-banner")).toBeNull();
    // The number just typed stays for the handler to read back or correct.
    expect(screen.getByTestId("nhs-input")).toHaveValue("999 999 9999");

    // Nothing of Jane's is left to book with: no slots, no booking, no summary.
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.queryAllByTestId("slot-row")).toHaveLength(0);
    expect(screen.queryByTestId("book-panel")).toBeNull();
    expect(screen.getByTestId("search-summary")).toHaveTextContent(/^\s*$/);
    await user.keyboard("{Alt>}t{/Alt}");
    expect(await screen.findByTestId("triage-complaint")).toHaveValue("");
    await user.keyboard("{Escape}");

    // A fresh search and slot book for nobody yet, with nothing typed for Jane.
    await user.keyboard("{Alt>}2{/Alt}");
    await user.keyboard("{Control>}f{/Control}");
    calls[1].slots("beckside", [slot({ start: at(1, 10), id: "b" })]);
    calls[1].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    const panel = screen.getByTestId("book-panel");
    expect(panel).toHaveTextContent("For no patient chosen yet");
    expect(panel).not.toHaveTextContent("JACKSON");
    expect(screen.getByTestId("description-input")).toHaveValue("");
    expect(screen.getByTestId("confirm-booking")).toBeDisabled();
  });

  it("keeps the summary when the same patient is looked up again, and drops their slots and booking", async () => {
    const calls = controlSearch();
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane }));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), JANE);
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
    await saveTriage(user);
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ start: at(1, 9), id: "a" })]);
    calls[0].finish();
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(screen.getByTestId("description-input"), ", worse today");

    await user.keyboard("{Alt>}1{/Alt}");
    await user.click(screen.getByTestId("find-patient"));
    await waitFor(() => expect(screen.getByTestId("patient-banner")).toHaveTextContent("JACKSON, Jane"));
    expect(screen.getByTestId("banner-triage")).toHaveTextContent("Dx05");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.queryAllByTestId("slot-row")).toHaveLength(0);
    expect(screen.queryByTestId("book-panel")).toBeNull();
  });
});

describe("changing the patient", () => {
  it("Change patient on the Patient tab takes the NHS number at once, selected, so the next number is typed over it", async () => {
    client.findPatient.mockResolvedValue(ok({ service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane, traced: null, pds_error: null }));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), "9434765919");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    await screen.findByTestId("patient-banner");
    await waitFor(() => expect(screen.getByRole("button", { name: /Find a slot/ })).toHaveFocus());
    await user.click(screen.getByRole("button", { name: "Change patient" }));
    const input = screen.getByTestId("nhs-input");
    expect(input).toHaveFocus();
    await user.keyboard("9449304025");
    expect(input).toHaveValue("944 930 4025");
  });
});

describe("the national record (PDS)", () => {
  // Jane as PDS holds her: the fixture's demographics, and PDS's own facts.
  const traced = (over: Partial<TracedPatient> = {}): TracedPatient => {
    const { family, given, prefix, gender, birth_date, address_lines, postcode, phone } = jane;
    return {
      family,
      given,
      prefix,
      gender,
      birth_date,
      address_lines,
      postcode,
      phone,
      nhs_number: "9434765919",
      superseded: null,
      registered_practice: "B86001",
      restricted: false,
      deceased: null,
      ...over,
    };
  };

  async function lookUp(nhs: string, match: PatientMatch) {
    client.findPatient.mockResolvedValue(ok(match));
    const { user } = await renderApp();
    await user.type(screen.getByTestId("nhs-input"), nhs);
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    return screen.findByTestId("patient-banner");
  }

  it("uses the number PDS holds the record under, and says the old one was replaced", async () => {
    const banner = await lookUp("9449304033", {
      service_id: "beckside",
      service_name: "Beckside Medical Practice",
      patient: jane,
      traced: traced({ superseded: "9449304033" }),
      pds_error: null,
    });
    expect(screen.getByTestId("national-superseded")).toHaveTextContent("NHS number 944 930 4033 was replaced by 943 476 5919, which is used.");
    // The number field and the banner agree on the number the desk uses.
    await waitFor(() => expect(screen.getByTestId("nhs-input")).toHaveValue("943 476 5919"));
    expect(banner).toHaveTextContent("NHS No. 943 476 5919");
    expect(banner).toHaveTextContent("Registered practice B86001");
  });

  it("says a restricted record and a recorded death in the banner, with PDS's details when no practice holds them", async () => {
    const helen = { ...jane, nhs_number: "9449304025", family: "ASHWORTH", given: ["Helen"], address_lines: [], postcode: null, phone: null };
    const banner = await lookUp("9449304025", {
      service_id: null,
      service_name: null,
      patient: helen,
      traced: traced({ nhs_number: "9449304025", restricted: true, registered_practice: null, deceased: "2024-11-28T14:20:00+00:00", address_lines: [], postcode: null, phone: null }),
      pds_error: null,
    });
    expect(screen.getByText(/Found at the Personal Demographics Service/)).toBeInTheDocument();
    expect(screen.getByTestId("national-restricted")).toHaveTextContent(
      "Restricted record: the address and contact details are not shown or sent. Urgent care and emergency departments booked by UEC Booking or BaRS need a home address: phone them to book.",
    );
    expect(screen.getByTestId("national-deceased")).toHaveTextContent("PDS records that this patient died on 28-Nov-2024");
    expect(banner).toHaveTextContent("Address not known");
    expect(banner).toHaveTextContent("Registered practice not given");
  });

  it("says PDS's own words for a number it does not hold, and does not send that number with details typed by hand", async () => {
    const user = userEvent.setup();
    client.findPatient.mockResolvedValue(
      fail(apiError({ kind: "patient-not-found", message: "PDS has no patient with NHS number 944 930 4076.", next_step: "Check the number with the caller; without one PDS holds, enter their details by hand to book." })),
    );
    render(<Harness />);
    await user.type(screen.getByTestId("nhs-input"), "9449304076");
    await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
    await user.keyboard("{Enter}");
    const notice = await screen.findByTestId("patient-not-found");
    expect(notice).toHaveTextContent("PDS has no patient with NHS number 944 930 4076.");
    expect(notice).toHaveTextContent("without one PDS holds, enter their details by hand to book.");
    await user.click(screen.getByRole("button", { name: "Enter the patient's details" }));
    expect(screen.getByTestId("manual-patient-form")).not.toHaveTextContent("944 930 4076");
  });

  it("says when PDS could not be asked and the details are the practice's alone", async () => {
    await lookUp("9434765919", {
      service_id: "beckside",
      service_name: "Beckside Medical Practice",
      patient: jane,
      traced: null,
      pds_error: apiError({ kind: "unavailable", message: "The Personal Demographics Service could not be asked: PDS is not answering properly just now." }),
    });
    expect(screen.getByTestId("pds-not-asked")).toHaveTextContent(
      "The Personal Demographics Service could not be asked: PDS is not answering properly just now. These are the practice's details, not checked against the national record.",
    );
    expect(screen.queryByTestId("national-record")).toBeNull();
  });
});
