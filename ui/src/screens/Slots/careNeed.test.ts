import { describe, expect, it } from "vitest";
import { jane, janeTraced, triageSummary } from "../../test/fixtures";
import type { ChosenPatient } from "../../types";
import { ageOn, careNeedFor, codeNumber, sexOf } from "./careNeed";

const coded = triageSummary({}).triage;
const withCodes = triageSummary({
  triage: { ...coded, symptom_group: { code: "SG1010", text: "Sore throat" }, symptom_discriminator: { code: "SD4003", text: "Fever" } },
});
const found: ChosenPatient = { patient: jane, source: "found", foundAt: "Beckside Medical Practice", traced: janeTraced };

describe("the DoS question", () => {
  it("gives age in days under a month, months under two years, years from two", () => {
    expect(ageOn("2026-03-01", "2026-03-20")).toEqual({ days: 19 });
    expect(ageOn("2026-02-21", "2026-03-20")).toEqual({ days: 27 });
    expect(ageOn("2026-02-20", "2026-03-20")).toEqual({ months: 1 });
    expect(ageOn("2024-03-21", "2026-03-20")).toEqual({ months: 23 });
    expect(ageOn("2024-03-20", "2026-03-20")).toEqual({ years: 2 });
    expect(ageOn("1982-03-12", "2026-03-11")).toEqual({ years: 43 });
    expect(ageOn("1982-03-12", "2026-03-12")).toEqual({ years: 44 });
  });

  it("takes sex from gender, anything else than female or male as indeterminate", () => {
    expect(sexOf("female")).toBe("female");
    expect(sexOf("Male")).toBe("male");
    expect(sexOf("other")).toBe("indeterminate");
    expect(sexOf(null)).toBe("indeterminate");
  });

  it("reads the numbers of SG and SD codes", () => {
    expect(codeNumber("SG1010", "SG")).toBe(1010);
    expect(codeNumber("sd4003", "SD")).toBe(4003);
    expect(codeNumber("SG10A", "SG")).toBeNull();
    expect(codeNumber(undefined, "SG")).toBeNull();
  });

  it("asks with PDS's details, the Dx code and the registered practice", () => {
    const r = careNeedFor(found, withCodes, "2026-11-23");
    expect(r).toEqual({
      ok: true,
      ask: {
        need: {
          postcode: "LS1 4AP",
          age: { years: 44 },
          sex: "female",
          disposition: null,
          symptom_group: 1010,
          symptom_discriminators: [4003],
          search_distance_km: null,
          surgery: "B86001",
        },
        dx: "Dx05",
        nhs: "9434765919",
        key: expect.any(String),
      },
    });
  });

  it("says what is missing instead of asking with half a case", () => {
    expect(careNeedFor(null, null, "2026-11-23")).toEqual({ ok: false, missing: ["a patient", "a saved triage summary"] });
    expect(careNeedFor(found, triageSummary(), "2026-11-23")).toEqual({
      ok: false,
      missing: ["the symptom group (like SG1010) in the triage summary", "the symptom discriminator (like SD4003) in the triage summary"],
    });
    const noPostcode: ChosenPatient = { patient: { ...jane, postcode: null, birth_date: null }, source: "manual", foundAt: null };
    expect(careNeedFor(noPostcode, withCodes, "2026-11-23")).toEqual({ ok: false, missing: ["the patient's postcode", "the patient's date of birth"] });
  });

  it("never sends the practice's postcode for a restricted record, whose address PDS withholds", () => {
    const restricted: ChosenPatient = { ...found, traced: { ...janeTraced, restricted: true, postcode: null, address_lines: [] } };
    expect(careNeedFor(restricted, withCodes, "2026-11-23")).toEqual({ ok: false, missing: ["the patient's postcode"] });
    // Without PDS, the practice's record is what the desk has.
    const practiceOnly: ChosenPatient = { ...found, traced: null };
    const r = careNeedFor(practiceOnly, withCodes, "2026-11-23");
    expect(r.ok && r.ask.need.postcode).toBe("LS1 4AP");
    expect(r.ok && r.ask.need.surgery).toBeNull();
  });

  it("asks the same question for the same case, and a new one when anything in it changes", () => {
    const a = careNeedFor(found, withCodes, "2026-11-23");
    const b = careNeedFor({ ...found }, { ...withCodes }, "2026-11-23");
    const c = careNeedFor({ ...found, traced: { ...janeTraced, postcode: "BD1 2QP" } }, withCodes, "2026-11-23");
    expect(a.ok && b.ok && a.ask.key === b.ask.key).toBe(true);
    expect(a.ok && c.ok && a.ask.key === c.ask.key).toBe(false);
  });
});
