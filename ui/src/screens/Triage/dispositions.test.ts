import { describe, expect, it } from "vitest";
import { alex, dispositions } from "../../test/fixtures";
import { dispositionFor, fillFromDisposition } from "./dispositions";
import { newDraft, type TriageDraft } from "./triage";

const blank = (): TriageDraft => newDraft(alex, null);
const typeCode = (d: TriageDraft, dxCode: string) => fillFromDisposition({ ...d, dxCode }, dispositions);

describe("filling the disposition from its code", () => {
  it("finds a code however it was typed", () => {
    expect(dispositionFor(" dx05", dispositions)?.code).toBe("Dx05");
    expect(dispositionFor("Dx0", dispositions)).toBeUndefined();
  });

  it("fills the words and timeframe of a known code into empty fields", () => {
    const d = typeCode(blank(), "dx05");
    expect(d.dxText).toBe("Speak to a primary care service within 2 hours");
    expect(d.timeframe).toBe("120");
  });

  it("fills again for another code what it filled before, and takes it back for a code it does not know", () => {
    const five = typeCode(blank(), "Dx05");
    const six = typeCode(five, "Dx06");
    expect([six.dxText, six.timeframe]).toEqual(["Speak to a primary care service within 6 hours", "360"]);
    const unknown = typeCode(six, "Dx99");
    expect([unknown.dxText, unknown.timeframe]).toEqual(["", ""]);
  });

  it("never overwrites what the person typed or chose", () => {
    const typed = { ...typeCode(blank(), "Dx05"), dxText: "Speak to a GP within 2 hours (their words)" };
    const six = typeCode(typed, "Dx06");
    expect(six.dxText).toBe("Speak to a GP within 2 hours (their words)");
    expect(six.timeframe).toBe("360");
    const chosen = { ...blank(), timeframe: "240" };
    expect(typeCode(chosen, "Dx05").timeframe).toBe("240");
  });

  it("leaves the timeframe to the person where the disposition's depends on the calendar", () => {
    const d = typeCode(blank(), "Dx75");
    expect(d.dxText).toBe("Contact own GP practice next working day");
    expect(d.timeframe).toBe("");
  });

  it("changes nothing without the published list, or when there is nothing to fill", () => {
    const d = { ...blank(), dxCode: "Dx05" };
    expect(fillFromDisposition(d, [])).toBe(d);
    const filled = typeCode(blank(), "Dx05");
    expect(fillFromDisposition(filled, dispositions)).toBe(filled);
  });
});
