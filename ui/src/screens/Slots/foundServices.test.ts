import { describe, expect, it } from "vitest";
import { foundOptions, foundService, slot, at } from "../../test/fixtures";
import { defaultTicks, distancesById, nearestFirst, tickedTargets } from "./foundServices";

describe("services found for the patient", () => {
  it("ticks the patient's practice and the first three bookable services, in the DoS's order", () => {
    expect(defaultTicks(foundOptions, "B86001", true)).toEqual(["2000100202", "2000100101", "2000100606", "2000100707"]);
    // The practice among the first three is ticked once.
    const practiceFirst = [foundOptions[5], ...foundOptions.slice(0, 5)];
    expect(defaultTicks(practiceFirst, "b86001", true)).toEqual(["2000100202", "2000100101", "2000100606"]);
    // No practice known: the first three bookable only; call-to-refer and cannot-book never.
    expect(defaultTicks(foundOptions, null, true)).toEqual(["2000100101", "2000100606", "2000100707"]);
  });

  it("does not tick a GP Connect practice for a patient without an NHS number", () => {
    expect(defaultTicks(foundOptions, "B86001", false)).toEqual(["2000100101", "2000100606", "2000100707"]);
  });

  it("searches the ticked services by the ids the booking uses, with the names the public knows", () => {
    expect(tickedTargets(foundOptions, new Set(["2000100202", "2000100707", "2000100808"]))).toEqual([
      { id: "2000100707", name: "Spen Valley UTC", standard: "bars" },
      { id: "beckside", name: "Beckside Medical Practice", standard: "gp-connect" },
    ]);
  });

  it("orders slots nearest service first, each service's soonest first, unknown distances last", () => {
    const distances = distancesById([
      ...foundOptions,
      { service: foundService({ dos_id: "x", name: "No distance", distance_miles: null }), booking: { how: "book", standard: "bars", service_id: "far", configured: false } },
    ]);
    expect(distances.get("calder-utc")).toBe(0.84);
    expect(distances.has("far")).toBe(false);
    const slots = [
      slot({ id: "b1", service_id: "beckside", start: at(1, 8) }),
      slot({ id: "o1", service_id: "elsewhere", start: at(1, 8, 30) }),
      slot({ id: "c1", service_id: "calder-utc", start: at(1, 9) }),
      slot({ id: "b2", service_id: "beckside", start: at(1, 10) }),
      slot({ id: "c2", service_id: "calder-utc", start: at(2, 9) }),
    ];
    expect(nearestFirst(slots, distances).map((s) => s.id)).toEqual(["c1", "c2", "b1", "b2", "o1"]);
  });
});
