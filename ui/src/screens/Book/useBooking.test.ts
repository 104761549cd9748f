// Which texts a newly arrived triage summary fills in, and which it leaves as the person typed.
import { describe, expect, it } from "vitest";
import { EMPTY_DRAFTS, fillFromSummary, type Drafts } from "./useBooking";

const text = { description: "Earache since yesterday", comment: "111 triage: Dx06" };

describe("the texts a triage summary fills in", () => {
  it("fills both in when the person has typed nothing", () => {
    const d = fillFromSummary(EMPTY_DRAFTS, 1, text);
    expect([d.description, d.comment, d.fromSummary, d.keptOwn]).toEqual([text.description, text.comment, 1, false]);
  });

  it("replaces text typed before this summary was saved, e.g. for an earlier slot", () => {
    const earlier: Drafts = { ...EMPTY_DRAFTS, description: "Sore throat", typedUnder: { description: null, comment: null } };
    const d = fillFromSummary(earlier, 2, text);
    expect(d.description).toBe(text.description);
    expect(d.keptOwn).toBe(false);
    const underOld = fillFromSummary({ ...earlier, typedUnder: { description: 1, comment: null } }, 2, text);
    expect(underOld.description).toBe(text.description);
  });

  it("keeps what was typed after this summary was saved, while its text was on its way, and says so", () => {
    const typed: Drafts = { ...EMPTY_DRAFTS, description: "Throat, fever", typedUnder: { description: 2, comment: null } };
    const d = fillFromSummary(typed, 2, text);
    expect(d.description).toBe("Throat, fever");
    expect(d.comment).toBe(text.comment);
    expect(d.keptOwn).toBe(true);
    expect(d.summaryText).toEqual(text);
  });
});
