import { describe, expect, it } from "vitest";
import { bookingReference, readableReference } from "./reference";

describe("the reference read aloud (issue 18.9)", () => {
  it("is the id's last 8 letters and digits, in capitals, in two groups; a short id whole", () => {
    expect(readableReference("25926b96-a7da-59a6-95c1-30130c90a1f6")).toBe("0C90-A1F6");
    expect(readableReference("fb133279-41ba-5597-9b62-2ed788eab4d7")).toBe("88EA-B4D7");
    expect(readableReference("1001")).toBe("1001");
    expect(readableReference("A12345")).toBe("A12-345");
    // Never a piece of an address: only the last part of a path counts.
    expect(readableReference("Appointment/7f3a21c9")).toBe("7F3A-21C9");
  });
});

describe("the reference given to the patient (issue 18.9)", () => {
  it("is the service's own booking reference where it gave one, else the short form of the id", () => {
    const id = "25926b96-a7da-59a6-95c1-30130c90a1f6";
    expect(bookingReference({ id, service_reference: "GPC-000123" })).toEqual({
      text: "GPC-000123",
      whose: "the service's own reference",
    });
    expect(bookingReference({ id, service_reference: null }).text).toBe("0C90-A1F6");
    expect(bookingReference({ id, service_reference: "" }).text).toBe("0C90-A1F6");
  });
});
