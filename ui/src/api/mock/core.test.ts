// The in-browser mock must behave like the engine where the screens depend on it: signed out at
// start, refusing generic users, and checking secrets the same way.
import { describe, expect, it } from "vitest";
import type { AppInfo, Approver, BookingOutcome, ClinicalPreview, ClinicalSummary, Disposition, Error as ApiError, ServicesFound, PatientView, SearchEvent, SecretStatus, SignedIn, SlotView, User } from "../bindings";
import { jane as fixtureJane } from "../../test/fixtures";
import { Channel, invoke } from "./core";

const person = (over: Partial<User> = {}): User => ({
  name: "Sam Okafor",
  sds_user_id: "555021935108",
  sds_role_profile_id: "UNK",
  local_id: "sam.okafor",
  role: "clinician",
  ...over,
});

async function refusal(cmd: string, args: Record<string, unknown> = {}): Promise<ApiError> {
  try {
    await invoke(cmd, args);
  } catch (e) {
    return e as ApiError;
  }
  throw new Error(`${cmd} was not refused`);
}

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-mock-body\n-----END PRIVATE KEY-----\n";

// One module, one session: these run in order, as a person would use the mock.
describe("the mock backend", () => {
  it("starts signed out and refuses what needs a person", async () => {
    const info = await invoke<AppInfo>("app_info");
    expect(info.user).toBeNull();
    expect(info.organisation).toEqual({ ods: "RYA", name: "NHS 111 North West" });
    for (const cmd of ["list_services", "find_patient", "list_bookings", "book"]) {
      expect((await refusal(cmd, { nhs: "9434765919" })).kind).toBe("sign-in-required");
    }
    // The NHS number check needs nobody, as in the engine.
    expect(await invoke("check_nhs_number", { input: "9434765919" })).toBe("943 476 5919");
  });

  it("refuses generic and incomplete users at sign-in, as the engine does", async () => {
    for (const name of ["admin", "Administrator", " root ", "USER", "test", "generic"]) {
      const e = await refusal("sign_in", { user: person({ name }) });
      expect(e.kind).toBe("invalid-input");
      expect(e.message).toBe("Sign in as a named person: generic users are not allowed.");
    }
    for (const over of [{ name: "  " }, { sds_user_id: "" }, { local_id: " " }, { sds_role_profile_id: "" }]) {
      expect((await refusal("sign_in", { user: person(over) })).kind).toBe("invalid-input");
    }
    expect((await refusal("sign_in", { user: { ...person(), role: "wizard" } })).kind).toBe("invalid-input");
    expect((await invoke<AppInfo>("app_info")).user).toBeNull();
  });

  it("signs a named person in, and a supervisor may not book, amend or cancel", async () => {
    const { info, interrupted } = await invoke<SignedIn>("sign_in", { user: person({ role: "supervisor" }) });
    expect(info.user).toEqual(person({ role: "supervisor" }));
    expect(interrupted).toEqual({ settled: [], error: null, left_open: [] });
    expect(await invoke<unknown[]>("list_services")).not.toHaveLength(0);
    for (const cmd of ["book", "amend_appointment", "cancel_appointment"]) {
      expect((await refusal(cmd, { request: {}, serviceId: "x", appointmentId: "1" })).kind).toBe("not-permitted");
    }
  });

  it("keeps only whether each secret is stored, checking keys and API keys as the engine does", async () => {
    const status = await invoke<SecretStatus[]>("secrets_status");
    expect(status.map((s) => [s.name, s.stored])).toEqual([
      ["client-key", false],
      ["signing-key", false],
      ["api-key", false],
      ["registry-password", false],
      ["dos-password", false],
      ["audit-key", false],
    ]);
    for (const name of ["client-key", "signing-key"]) {
      const e = await refusal("store_secret", { name, value: "not a key" });
      expect(e.kind).toBe("invalid-input");
      expect(e.message).toMatch(/must be a PEM private key/);
    }
    expect((await refusal("store_secret", { name: "api-key", value: "two words" })).kind).toBe("invalid-input");
    expect((await refusal("store_secret", { name: "api-key", value: "   " })).kind).toBe("invalid-input");

    expect(await invoke("store_secret", { name: "client-key", value: PEM })).toEqual({
      name: "client-key",
      label: "TLS client certificate private key",
      stored: true,
    });
    await invoke("store_secret", { name: "api-key", value: "Zk7pQ2vX9mLr4TsW" });
    const after = await invoke<SecretStatus[]>("secrets_status");
    expect(after.map((s) => s.stored)).toEqual([true, false, true, false, false, false]);
    expect(JSON.stringify(after)).not.toMatch(/mock-body|Zk7pQ2vX9mLr4TsW/);

    expect(await invoke("delete_secret", { name: "client-key" })).toMatchObject({ name: "client-key", stored: false });
  });

  it("signs out, after which nothing reaches a service again", async () => {
    expect((await invoke<AppInfo>("sign_out")).user).toBeNull();
    expect((await refusal("find_patient", { nhs: "9434765919" })).kind).toBe("sign-in-required");
  });
});

const jane: PatientView = { ...fixtureJane, id: null };

function summary(over: Partial<ClinicalSummary> = {}, minutes = 120): ClinicalSummary {
  return {
    presenting_complaint: "Sore throat and fever for 3 days, now struggling to swallow",
    triage: { disposition_code: "Dx05", disposition_text: "Speak to a primary care service within 2 hours", timeframe_minutes: minutes, assessed_at: new Date().toISOString() },
    observations: [{ name: "Temperature", value: "38.9", unit: "Cel" }],
    allergies: [],
    medication: null,
    flags: [{ kind: "safeguarding", text: "Lives alone" }],
    call_back_number: "07700 900123",
    consent_to_share: true,
    assessed_by: { name: "Sam Okafor", role: "call-handler" },
    ...over,
  };
}

async function slotsAt(serviceId: string): Promise<SlotView[]> {
  const channel = new Channel<SearchEvent>();
  const slots: SlotView[] = [];
  channel.onmessage = (e) => {
    if (e.event === "slots") slots.push(...e.slots);
  };
  const today = new Date().toISOString().slice(0, 10);
  const to = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await invoke("search_slots", { request: { services: [serviceId], window: { from: today, to }, channel: null }, onEvent: channel });
  return slots;
}

describe("the mock's triage summary", () => {
  it("previews what each standard carries, and refuses an incomplete summary listing every problem", async () => {
    await invoke("sign_in", { user: person({ role: "call-handler" }) });
    const long = summary({ presenting_complaint: "Sore throat ".repeat(20), observations: Array.from({ length: 40 }, (_, i) => ({ name: `Observation ${i}`, value: "normal" })) });
    const gp = await invoke<ClinicalPreview>("clinical_preview", { summary: long, serviceId: "beckside-medical-practice", patient: jane });
    expect(gp.standard).toBe("gp-connect");
    expect(gp.text.truncated).toBe(true);
    expect([...gp.text.description].length).toBeLessThanOrEqual(100);
    expect([...gp.text.comment].length).toBeLessThanOrEqual(500);
    expect(gp.text.comment).toMatch(/SAFEGUARDING: Lives alone/);
    expect(gp.document).toBeNull();

    const uec = await invoke<ClinicalPreview>("clinical_preview", { summary: summary(), serviceId: "calder-valley-utc", patient: jane });
    expect(uec.standard).toBe("uec-booking");
    expect(uec.text.truncated).toBe(false);
    expect(uec.sections.map((x) => x.title)).toEqual(["Triage outcome", "Flags", "Presenting complaint", "Observations", "Allergies and medication", "Call details"]);
    expect(uec.sections.find((x) => x.title === "Allergies and medication")!.lines).toEqual(["Allergies: none known.", "Medication: not known."]);
    expect(uec.document).toMatch(/<ClinicalDocument[\s\S]*9434765919/);

    const e = await refusal("clinical_preview", {
      summary: summary({ presenting_complaint: " ", call_back_number: "call me", triage: { ...summary().triage, disposition_code: "urgent" } }),
      serviceId: "calder-valley-utc",
      patient: jane,
    });
    expect(e.kind).toBe("invalid-input");
    for (const words of ["presenting complaint", "disposition code", "call-back number"]) expect(e.message).toContain(words);
  });

  it("books with the summary: consent first, a later slot needs an approval from a call handler, and says what was sent", async () => {
    const utc = await slotsAt("calder-valley-utc");
    const [first] = utc;
    const later = utc.find((x) => Date.parse(x.start) > Date.now() + 3 * 3_600_000)!;
    const request = (slot: SlotView, over: Record<string, unknown> = {}) => ({
      request: { service_id: "calder-valley-utc", slot_ids: [slot.id], nhs_number: "9434765919", patient: jane, description: "Sore throat", comment: null, clinical: summary(), ...over },
    });

    const noConsent = await refusal("book", request(first, { clinical: summary({ consent_to_share: false }) }));
    expect(noConsent.kind).toBe("invalid-input");
    expect(noConsent.message).toBe("The patient has not agreed to share the triage summary with the service.");

    const late = await refusal("book", request(later));
    expect(late.kind).toBe("not-permitted");
    expect(late.message).toMatch(/^This slot starts after the patient should be seen \(by \d\d:\d\d on /);

    const approver = await invoke<Approver>("approve_named", { name: "Dr Amara Okafor" });
    const approved = await invoke<BookingOutcome>("book", request(later, { clinical_approval: { ticket: approver.ticket, reason: "Safe to wait" } }));
    expect(approved.clinical).toMatchObject({ standard: "uec-booking", report_delivered: true, report_problem: null });
    expect(approved.clinical!.report_id).toMatch(/^[0-9a-f-]{36}$/);

    // A clinician's judgement is enough.
    await invoke("sign_in", { user: person({ role: "clinician" }) });
    const [gpSlot] = (await slotsAt("beckside-medical-practice")).filter((x) => Date.parse(x.start) > Date.now() + 3 * 3_600_000);
    const gp = await invoke<BookingOutcome>("book", {
      request: { ...request(gpSlot).request, service_id: "beckside-medical-practice" },
    });
    expect(gp.clinical).toEqual({ standard: "gp-connect", description: "Sore throat", comment: null, report_id: null, report_delivered: false, report_problem: null });
    await invoke("sign_out");
    // The mock waits as a network would: searches and three bookings take a few seconds.
  }, 20_000);

  it("finds services for a need from the mock's Directory of Services, and refuses what the DoS would", async () => {
    expect((await refusal("find_services", { need: {}, dx: "Dx05" })).kind).toBe("sign-in-required");
    await invoke("sign_in", { user: person({ role: "call-handler" }) });
    const need = { postcode: "LS1 4AP", age: { years: 44 }, sex: "female", disposition: null, symptom_group: 1010, symptom_discriminators: [4003], search_distance_km: null, surgery: "B86001" };
    const found = await invoke<ServicesFound>("find_services", { need, dx: "Dx05", nhs: "9434765919" });
    const hows = found.services.map((o) => o.booking.how);
    expect(hows).toContain("book");
    expect(hows).toContain("call-to-refer");
    expect(hows).toContain("cannot-book");
    // The registered practice first, then nearest first; no emergency department for Dx05.
    expect(found.services[0].service.ods).toBe("B86001");
    const miles = found.services.slice(1).map((o) => o.service.distance_miles ?? 0);
    expect(miles).toEqual([...miles].sort((a, b) => a - b));
    expect(found.services.some((o) => o.service.service_type === "Emergency Department")).toBe(false);
    // Bookable ones carry ids the mock's slot search knows.
    const ids = (await invoke<{ id: string }[]>("list_services")).map((s) => s.id);
    for (const o of found.services) if (o.booking.how === "book") expect(ids).toContain(o.booking.service_id);

    expect((await refusal("find_services", { need: { ...need, postcode: "NOT A CODE" }, dx: "Dx05" })).kind).toBe("invalid-input");
    expect((await refusal("find_services", { need: { ...need, postcode: "ZZ1 1ZZ" }, dx: "Dx05" })).message).toMatch(/does not know the postcode/);
    expect((await refusal("find_services", { need: { ...need, symptom_group: null }, dx: "Dx05" })).message).toMatch(/symptom group/);
    expect((await refusal("find_services", { need: { ...need, symptom_discriminators: [] }, dx: "Dx05" })).message).toMatch(/symptom discriminator/);
    await invoke("sign_out");
  }, 10_000);

  it("knows the published dispositions' words and timeframes", async () => {
    const known = await invoke<Disposition[]>("known_dispositions");
    expect(known.find((d) => d.code === "Dx05")).toEqual({ code: "Dx05", text: "Speak to a primary care service within 2 hours", timeframe_minutes: 120 });
  });
});
