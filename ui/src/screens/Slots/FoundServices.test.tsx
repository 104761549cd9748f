import { act, screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PatientView, ServicesFound } from "../../api/bindings";
import type { Result } from "../../api/client";
import { addDays, formatAge, ukToday } from "../../format";
import { controlSearch, renderApp, saveTriage } from "../../test/app";
import { apiError, at, foundOptions, jane, janeTraced, slot } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";

vi.mock("../../api/client", () => import("../../test/mockClient"));

const today = ukToday();
const david: PatientView = { ...jane, id: "102", nhs_number: "9476719931", family: "OKONJO", given: ["David"], prefix: "Mr", gender: "male", birth_date: "1958-11-02", postcode: "BD1 2QP" };
const CODED = { sg: ["SG1010", "Sore throat"], sd: ["SD4003", "Fever"] } as { sg: [string, string]; sd: [string, string] };

beforeEach(() => {
  client.resetClient();
  client.defaultWindow.mockResolvedValue(ok({ from: today, to: addDays(today, 14) }));
  client.findPatient.mockImplementation(async (nhs: string) =>
    ok(
      nhs === "9476719931"
        ? { service_id: null, service_name: null, patient: david, traced: { ...janeTraced, nhs_number: "9476719931", family: "OKONJO", given: ["David"], gender: "male", postcode: "BD1 2QP", registered_practice: "B86002" }, pds_error: null }
        : { service_id: "beckside", service_name: "Beckside Medical Practice", patient: jane, traced: janeTraced, pds_error: null },
    ),
  );
});

async function findPatient(user: UserEvent, nhs = "9434765919") {
  await user.keyboard("/");
  await user.clear(screen.getByTestId("nhs-input"));
  await user.type(screen.getByTestId("nhs-input"), nhs);
  await waitFor(() => expect(screen.getByTestId("find-patient")).toBeEnabled());
  await user.keyboard("{Enter}");
  await screen.findByTestId("patient-banner");
}

/** Jane found, her triage summary saved with its SG and SD: the desk is on Find a slot. */
async function janeWithTriage() {
  const app = await renderApp();
  await findPatient(app.user);
  await saveTriage(app.user, CODED);
  await screen.findByTestId("nav-slots");
  return app;
}

/** findServices answers only when the test says so. */
function holdDos() {
  const waiting: ((r: Result<ServicesFound>) => void)[] = [];
  client.findServices.mockImplementation(() => new Promise((resolve) => waiting.push(resolve)));
  return {
    waiting,
    answer: (i: number, r: Result<ServicesFound>) => act(async () => waiting[i](r)),
  };
}

const rows = () => screen.getAllByTestId("found-service");
const row = (dosId: string) => rows().find((r) => r.dataset.dosId === dosId)!;
const tick = (dosId: string) => within(row(dosId)).getByTestId("found-service-tick") as HTMLInputElement;
const answered = (services = foundOptions): Result<ServicesFound> => ok({ services, search_distance_km: null, transaction_id: "t" });

describe("services for this patient", () => {
  it("asks the DoS for the patient and the saved summary, then lists its answer in its order", async () => {
    const dos = holdDos();
    await janeWithTriage();
    expect(await screen.findByTestId("found-services-asking")).toHaveTextContent("Finding services for this patient");
    expect(client.findServices).toHaveBeenCalledTimes(1);
    expect(client.findServices).toHaveBeenCalledWith(
      {
        postcode: "LS1 4AP",
        age: { years: Number(formatAge(jane.birth_date!, today).replace("y", "")) },
        sex: "female",
        disposition: null,
        symptom_group: 1010,
        symptom_discriminators: [4003],
        search_distance_km: null,
        surgery: "B86001",
      },
      "Dx05",
      "9434765919",
    );
    // Nothing is searched while the answer is awaited: the search would be of the wrong services.
    expect(screen.getByTestId("search-problem")).toHaveTextContent("services for this patient are being found");

    await dos.answer(0, answered());
    expect(screen.queryByTestId("found-services-asking")).toBeNull();
    expect(rows().map((r) => r.dataset.dosId)).toEqual(foundOptions.map((o) => o.service.dos_id));
    const calder = row("2000100101");
    expect(calder).toHaveTextContent("Calder Valley Urgent Treatment Centre");
    expect(within(calder).getByTestId("found-service-distance")).toHaveTextContent("0.8 miles");
    expect(within(calder).getByTestId("found-service-open")).toHaveTextContent("Open now");
    expect(within(calder).getByTestId("found-service-standard")).toHaveTextContent("UEC Booking");
    expect(within(row("2000100606")).getByTestId("found-service-open")).toHaveTextContent("Open 24 hours");
    expect(within(row("2000100707")).getByTestId("found-service-open")).toHaveTextContent("Closed now");
    expect(within(row("2000100707")).getByTestId("found-service-standard")).toHaveTextContent("BaRS");
    expect(within(row("2000100202")).getByTestId("found-service-distance")).toHaveTextContent("5.3 miles");
    expect(row("2000100202")).toHaveTextContent("Patient's practice");
    // Not bookable here: said, with the phone to refer by, and nothing to tick.
    const pharmacy = row("2000100808");
    expect(within(pharmacy).getByTestId("found-service-refer")).toHaveTextContent("call to refer on 0113 496 0808");
    expect(within(pharmacy).queryByTestId("found-service-tick")).toBeNull();
    const airedale = row("2000100909");
    expect(within(airedale).getByTestId("found-service-why")).toHaveTextContent(
      "Cannot be booked here: Its booking endpoint is registered to another system. Refer the patient by phone.",
    );
    expect(within(airedale).queryByTestId("found-service-tick")).toBeNull();
    // Each tick is named by its service, and its details are read with it.
    expect(screen.getByRole("checkbox", { name: "Calder Valley Urgent Treatment Centre" })).toHaveAccessibleDescription(/0\.8 miles · Open now · UEC Booking/);
  });

  it("ticks the patient's practice and the first bookable services, and searches what is ticked", async () => {
    const calls = controlSearch();
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    expect(tick("2000100101")).toBeChecked();
    expect(tick("2000100606")).toBeChecked();
    expect(tick("2000100707")).toBeChecked();
    expect(tick("2000100202")).toBeChecked();
    // The desk's own types are not what is searched now.
    expect(screen.queryByTestId("kind-gp-practice")).toBeNull();

    await user.keyboard("{Control>}f{/Control}");
    expect(calls[0].request.services).toEqual(["calder-utc", "leeds-ed", "2000100707", "beckside"]);
    // A found service the desk's own list lacks is named as the DoS names it.
    const status = screen.getAllByTestId("service-status").find((r) => r.dataset.serviceId === "2000100707")!;
    expect(status).toHaveTextContent("Spen Valley UTC");
    calls[0].slots("leeds-ed", [slot({ id: "ed-1", service_id: "leeds-ed", service_name: "Leeds East Hospital Emergency Department", start: at(1, 9) })]);
    calls[0].slots("calder-utc", [slot({ id: "utc-1", service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", start: at(1, 10) })]);
    calls[0].finish();
    expect(screen.getAllByTestId("slot-row")).toHaveLength(2);

    // Unticking narrows what is shown at once, without asking again.
    await user.click(tick("2000100606"));
    expect(calls).toHaveLength(1);
    expect(screen.getAllByTestId("slot-row").map((r) => r.dataset.slotId)).toEqual(["utc-1"]);
    await user.keyboard("{Control>}f{/Control}");
    expect(calls[1].request.services).toEqual(["calder-utc", "2000100707", "beckside"]);
    // A tick the last search did not ask for searches again straight away.
    await user.click(tick("2000100606"));
    expect(calls).toHaveLength(3);
    expect(calls[2].request.services).toEqual(["calder-utc", "leeds-ed", "2000100707", "beckside"]);
  });

  it("searches the desk's own services by kind when the person asks, and goes back to the ticks", async () => {
    const calls = controlSearch();
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    await user.click(screen.getByTestId("found-services-use-own"));
    expect(screen.getByTestId("found-services-own")).toHaveTextContent("The desk's own services are searched, by kind, instead of these.");
    // The list stays to read, with nothing to tick; the kinds are back.
    expect(screen.queryAllByTestId("found-service-tick")).toHaveLength(0);
    expect(rows()).toHaveLength(foundOptions.length);
    expect(screen.getByTestId("kind-gp-practice")).toBeChecked();
    await user.keyboard("{Control>}f{/Control}");
    expect(calls[0].request.services).toEqual(["beckside", "calder-utc", "leeds-ed", "wy-ooh"]);

    await user.click(screen.getByTestId("found-services-use-found"));
    expect(screen.queryByTestId("kind-gp-practice")).toBeNull();
    expect(tick("2000100101")).toBeChecked();
    await user.keyboard("{Control>}f{/Control}");
    expect(calls.at(-1)!.request.services).toEqual(["calder-utc", "leeds-ed", "2000100707", "beckside"]);
  });

  it("starts from the services found again for the next patient", async () => {
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    await user.click(screen.getByTestId("found-services-use-own"));
    expect(screen.getByTestId("found-services-own")).toBeInTheDocument();
    await findPatient(user, "9476719931");
    await saveTriage(user, CODED);
    await screen.findByTestId("found-services");
    expect(screen.queryByTestId("found-services-own")).toBeNull();
    expect(screen.getByTestId("found-services-use-own")).toBeInTheDocument();
  });

  it("offers no own list to switch to on a desk without one, and says so when nothing can be booked", async () => {
    client.listServices.mockResolvedValue(ok([]));
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    expect(tick("2000100101")).toBeChecked();
    expect(screen.queryByTestId("found-services-use-own")).toBeNull();

    client.findServices.mockResolvedValue(ok({ services: [], search_distance_km: 60, transaction_id: null }));
    await saveTriage(user, { sg: CODED.sg, sd: ["SD4020", "Rash"] });
    const none = await screen.findByTestId("found-services-none");
    expect(none).toHaveTextContent("this desk has no list of its own");
    expect(none).not.toHaveTextContent("The desk's own services are searched");
  });

  it("says when nothing is ticked, and the search waits for a tick", async () => {
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    for (const id of ["2000100101", "2000100606", "2000100707", "2000100202"]) await user.click(tick(id));
    expect(screen.getByTestId("search-problem")).toHaveTextContent("Tick at least one service to search.");
    expect(screen.getByTestId("search-slots")).toBeDisabled();
    // Ctrl+F takes the person to the first tick, to fix it.
    await user.keyboard("{Control>}f{/Control}");
    expect(tick("2000100101")).toHaveFocus();
  });

  it("shows the DoS's refusal with its next step, and the desk's own services stay usable", async () => {
    client.findServices.mockResolvedValue(
      fail(apiError({ kind: "invalid-input", message: "The Directory of Services does not know the postcode LS1 4AP.", next_step: "Check the postcode with the caller.", service_id: null })),
    );
    const calls = controlSearch();
    const { user } = await janeWithTriage();
    const error = await screen.findByTestId("found-services-error");
    expect(error).toHaveTextContent("The Directory of Services does not know the postcode LS1 4AP.");
    expect(error).toHaveTextContent("Check the postcode with the caller.");
    expect(screen.getByTestId("kind-gp-practice")).toBeChecked();
    await user.keyboard("{Control>}f{/Control}");
    expect(calls[0].request.services).toEqual(["beckside", "calder-utc", "leeds-ed", "wy-ooh"]);

    client.findServices.mockResolvedValue(answered());
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("found-services")).toBeInTheDocument();
    expect(client.findServices).toHaveBeenCalledTimes(2);
  });

  it("says what is missing without a summary, or its SG and SD, and searches the desk's own services", async () => {
    const calls = controlSearch();
    const { user } = await renderApp();
    await findPatient(user);
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("found-services-missing")).toHaveTextContent("need a saved triage summary");
    expect(screen.getByTestId("kind-gp-practice")).toBeInTheDocument();

    await saveTriage(user);
    const missing = await screen.findByTestId("found-services-missing");
    expect(missing).toHaveTextContent("the symptom group (like SG1010) in the triage summary and the symptom discriminator (like SD4003)");
    expect(client.findServices).not.toHaveBeenCalled();
    expect(screen.queryByTestId("sort-nearest")).toBeNull();
    await user.keyboard("{Control>}f{/Control}");
    expect(calls[0].request.services).toEqual(["beckside", "calder-utc", "leeds-ed", "wy-ooh"]);
    // The way to add them is one step away.
    await user.click(within(missing).getByRole("button", { name: "Open the triage summary" }));
    expect(screen.getByTestId("triage-screen")).toBeInTheDocument();
  });

  it("asks again when the saved summary changes", async () => {
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    await user.keyboard("{Alt>}t{/Alt}");
    await user.clear(screen.getByTestId("triage-sd-code"));
    await user.type(screen.getByTestId("triage-sd-code"), "SD4052");
    await user.click(screen.getByTestId("triage-save"));
    await waitFor(() => expect(client.findServices).toHaveBeenCalledTimes(2));
    expect(client.findServices.mock.lastCall![0].symptom_discriminators).toEqual([4052]);
  });

  it("does not search the UEC Booking and BaRS services found for a restricted record, and says why (issue 20.1)", async () => {
    const calls = controlSearch();
    client.findPatient.mockResolvedValue(
      ok({
        service_id: "beckside",
        service_name: "Beckside Medical Practice",
        patient: { ...jane, address_lines: [], postcode: null, phone: null },
        traced: { ...janeTraced, restricted: true, address_lines: [], postcode: null, phone: null },
        pds_error: null,
      }),
    );
    const { user } = await renderApp();
    await findPatient(user);
    await saveTriage(user, { ...CODED, callBack: "07700 900123" });
    await screen.findByTestId("nav-slots");
    // A restricted record gives no home postcode: the person asks where the patient is now.
    const field = await screen.findByTestId("postcode-now");
    await user.type(field, "ls1 4ap{Enter}");
    await screen.findByTestId("found-services");
    await waitFor(() => expect(tick("2000100202")).toBeChecked());
    // Setting where the patient is searched nothing by itself.
    expect(calls).toHaveLength(0);
    await user.keyboard("{Control>}f{/Control}");
    expect(calls[0].request.services).toEqual(["beckside"]);
    const note = screen.getByTestId("services-left-out");
    expect(note).toHaveTextContent("Not searched: Calder Valley Urgent Treatment Centre, Leeds East Hospital Emergency Department, Spen Valley UTC.");
    expect(note).toHaveTextContent("This patient's record is restricted");
  });

  it("asks from where the patient is now when the person changes the postcode, for this patient only", async () => {
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    const first = client.findServices.mock.lastCall![0];
    const field = screen.getByTestId("postcode-now");
    expect(field).toHaveValue(first.postcode);
    await user.clear(field);
    await user.type(field, "hx3 0pw{Enter}");
    await waitFor(() => expect(client.findServices.mock.lastCall![0].postcode).toBe("HX3 0PW"));
    expect(screen.getByTestId("postcode-now")).toHaveValue("HX3 0PW");

    // Another patient starts from their own home postcode again.
    await findPatient(user, "9476719931");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.queryByDisplayValue("HX3 0PW")).toBeNull();
  });

  it("never shows a previous patient's services, even when their answer comes late", async () => {
    const dos = holdDos();
    const { user } = await janeWithTriage();
    await dos.answer(0, answered());
    expect(await screen.findByTestId("found-services")).toBeInTheDocument();

    // Another patient: Jane's list goes at once, with her summary.
    await findPatient(user, "9476719931");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.queryByTestId("found-services")).toBeNull();
    expect(screen.getByTestId("found-services-missing")).toHaveTextContent("a saved triage summary");

    // David's summary saved: his question is asked, and only his answer is listed.
    await saveTriage(user, CODED);
    await screen.findByTestId("found-services-asking");
    expect(client.findServices.mock.lastCall![0]).toMatchObject({ postcode: "BD1 2QP", sex: "male", surgery: "B86002" });
    expect(client.findServices.mock.lastCall![2]).toBe("9476719931");
    await dos.answer(1, answered(foundOptions.slice(0, 2)));
    expect(rows().map((r) => r.dataset.dosId)).toEqual(["2000100101", "2000100606"]);
  });

  it("drops an answer that comes after the patient has changed, while the next patient's is awaited", async () => {
    const dos = holdDos();
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services-asking");
    await findPatient(user, "9476719931");
    await saveTriage(user, CODED);
    expect(dos.waiting).toHaveLength(2);
    // Jane's answer arrives late: David's is still awaited, and nothing of Jane's is shown.
    await dos.answer(0, answered());
    expect(screen.getByTestId("found-services-asking")).toBeInTheDocument();
    expect(screen.queryAllByTestId("found-service")).toHaveLength(0);
    await dos.answer(1, answered(foundOptions.slice(2, 3)));
    expect(rows().map((r) => r.dataset.dosId)).toEqual(["2000100707"]);
  });
});

describe("distance on the slots", () => {
  it("shows each found service's distance on its slots, and sorts nearest first on request", async () => {
    const calls = controlSearch();
    const { user } = await janeWithTriage();
    await screen.findByTestId("found-services");
    await user.keyboard("{Control>}f{/Control}");
    calls[0].slots("beckside", [slot({ id: "gp-1", start: at(1, 8) }), slot({ id: "gp-2", start: at(2, 8) })]);
    calls[0].slots("calder-utc", [slot({ id: "utc-1", service_id: "calder-utc", service_name: "Calder Valley Urgent Treatment Centre", start: at(1, 12) })]);
    calls[0].finish();
    const ids = () => screen.getAllByTestId("slot-row").map((r) => r.dataset.slotId);
    expect(ids()).toEqual(["gp-1", "utc-1", "gp-2"]);
    const distanceOf = (id: string) => within(screen.getAllByTestId("slot-row").find((r) => r.dataset.slotId === id)!).getByTestId("slot-distance");
    expect(distanceOf("gp-1")).toHaveTextContent("5.3 miles");
    expect(distanceOf("utc-1")).toHaveTextContent("0.8 miles");

    const sort = screen.getByTestId("sort-nearest");
    expect(sort).toHaveAttribute("aria-pressed", "false");
    // Reached and pressed from the keyboard: the button is in the tab order after the list's heading.
    sort.focus();
    await user.keyboard("{Enter}");
    expect(sort).toHaveAttribute("aria-pressed", "true");
    expect(ids()).toEqual(["utc-1", "gp-1", "gp-2"]);
    // Each service under its own heading, nearest first; the day on each row.
    expect(screen.getByTestId("slot-list")).toHaveTextContent("0.8 miles · Calder Valley Urgent Treatment Centre");
    await user.keyboard(" ");
    expect(sort).toHaveAttribute("aria-pressed", "false");
    expect(ids()).toEqual(["gp-1", "utc-1", "gp-2"]);
  });
});
