import { describe, expect, it } from "vitest";
import {
  addDays,
  charCount,
  dayHeading,
  daysBetween,
  formatAge,
  formatChannel,
  formatDate,
  formatDay,
  formatDayWithWeekday,
  formatNhsNumber,
  formatPatientName,
  formatTime,
  formatTimeRange,
  formatSeeBy,
  parseDay,
  parseTime,
  ukDay,
  ukParts,
  ukPartsByIntl,
  ukWallTime,
} from "./format";

describe("NHS numbers", () => {
  it("are spaced 3-3-4, also while being typed", () => {
    expect(formatNhsNumber("9434765919")).toBe("943 476 5919");
    expect(formatNhsNumber("943 476 5919")).toBe("943 476 5919");
    expect(formatNhsNumber("943-476-5919")).toBe("943 476 5919");
    expect(formatNhsNumber("9434")).toBe("943 4");
    expect(formatNhsNumber("943")).toBe("943");
    expect(formatNhsNumber("")).toBe("");
  });
});

describe("dates and times", () => {
  it("shows plain dates as dd-Mmm-yyyy with English month abbreviations", () => {
    expect(formatDay("1982-03-12")).toBe("12-Mar-1982");
    // Some Intl versions say "Sept": ours never does.
    expect(formatDay("2026-09-04")).toBe("04-Sep-2026");
    expect(formatDayWithWeekday("2026-11-24")).toBe("Tue 24-Nov-2026");
  });

  it("shows instants on the UK clock, 24-hour, in winter and in summer", () => {
    expect(formatTime("2026-12-01T14:10:00Z")).toBe("14:10");
    expect(formatTime("2026-07-01T14:10:00Z")).toBe("15:10");
    expect(formatTime("2026-07-01T14:10:00+01:00")).toBe("14:10");
    expect(formatTimeRange("2026-12-01T08:00:00Z", "2026-12-01T08:10:00Z")).toBe("08:00–08:10");
  });

  it("labels the autumn's repeated hour BST or GMT, and no other time", () => {
    // 25 Oct 2026: the clocks go back at 01:00 UTC, so 01:00–02:00 comes twice.
    expect(formatTime("2026-10-25T00:00:00Z")).toBe("01:00 BST");
    expect(formatTime("2026-10-25T00:30:00Z")).toBe("01:30 BST");
    expect(formatTime("2026-10-25T01:00:00Z")).toBe("01:00 GMT");
    expect(formatTime("2026-10-25T01:30:00+00:00")).toBe("01:30 GMT");
    expect(formatTime("2026-10-25T02:00:00Z")).toBe("02:00");
    expect(formatTime("2026-10-24T23:59:00Z")).toBe("00:59");
    expect(formatTimeRange("2026-10-25T00:50:00Z", "2026-10-25T01:10:00Z")).toBe("01:50 BST–01:10 GMT");
    // The spring gap repeats nothing.
    expect(formatTime("2027-03-28T01:30:00Z")).toBe("02:30");
  });

  it("works out UK wall-clock time by the clock-change rule exactly as the zone data does", () => {
    const check = (ms: number) => expect(ukParts(new Date(ms)), new Date(ms).toISOString()).toEqual(ukPartsByIntl(new Date(ms)));
    // Every half hour of seven years, and each minute of the two hours around every change.
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 1_800_000) check(ms);
    for (const year of [1996, 2024, 2025, 2026, 2027, 2028, 2040, 2099]) {
      for (const month0 of [2, 9]) {
        const lastDay = new Date(Date.UTC(year, month0 + 1, 0));
        const change = Date.UTC(year, month0, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
        for (let ms = change - 3_600_000; ms <= change + 3_600_000; ms += 60_000) check(ms);
      }
    }
    // Outside the rule's years the zone data answers; a string with any offset reads the same.
    for (const iso of ["1990-07-01T12:00:00Z", "2100-07-01T12:00:00Z"]) check(Date.parse(iso));
    expect(ukParts("2026-07-01T09:00:00+02:00")).toEqual({ year: 2026, month: 7, day: 1, hour: 8, minute: 0 });
    expect(() => ukParts("not a time")).toThrow(RangeError);
  });

  it("puts an instant on its UK day, not the UTC one", () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London.
    expect(ukDay("2026-06-30T23:30:00Z")).toBe("2026-07-01");
    expect(formatDate("2026-06-30T23:30:00Z")).toBe("01-Jul-2026");
  });

  it("counts days across month and year ends", () => {
    expect(addDays("2026-12-25", 14)).toBe("2027-01-08");
    expect(daysBetween("2026-12-01", "2026-12-15")).toBe(14);
    expect(daysBetween("2026-12-01", "2026-12-16")).toBe(15);
    expect(daysBetween("2026-12-02", "2026-12-01")).toBe(-1);
  });

  it("names days Today, Tomorrow, then by weekday", () => {
    expect(dayHeading("2026-11-23", "2026-11-23")).toBe("Today · Mon 23-Nov");
    expect(dayHeading("2026-11-24", "2026-11-23")).toBe("Tomorrow · Tue 24-Nov");
    expect(dayHeading("2026-11-25", "2026-11-23")).toBe("Wed 25-Nov");
  });

  it("reads dates typed the UK way", () => {
    expect(parseDay("01-Dec-2026")).toBe("2026-12-01");
    expect(parseDay("1 dec 2026")).toBe("2026-12-01");
    expect(parseDay("1/12/2026")).toBe("2026-12-01");
    expect(parseDay("01/12/26")).toBe("2026-12-01");
    expect(parseDay("2026-12-01")).toBe("2026-12-01");
    expect(parseDay("31/11/2026")).toBeNull();
    expect(parseDay("tomorrow")).toBeNull();
  });
});

describe("patients", () => {
  it("writes names as SURNAME, Forename (Title)", () => {
    expect(formatPatientName({ family: "Jackson", given: ["Jane"], prefix: "Miss" })).toBe("JACKSON, Jane (Miss)");
    expect(formatPatientName({ family: "Okonjo", given: ["David", "Ade"], prefix: null })).toBe("OKONJO, David Ade");
  });

  it("gives ages in years, and months for the very young", () => {
    expect(formatAge("1982-03-12", "2026-03-11")).toBe("43y");
    expect(formatAge("1982-03-12", "2026-03-12")).toBe("44y");
    expect(formatAge("2025-06-01", "2026-03-12")).toBe("9m");
    expect(formatAge("2026-03-01", "2026-03-12")).toBe("11d");
  });
});

describe("other display rules", () => {
  it("never defaults a delivery channel", () => {
    expect(formatChannel(null)).toBe("Channel not stated");
    expect(formatChannel("Telephone")).toBe("Telephone");
  });

  it("counts characters as the services do", () => {
    expect(charCount("café")).toBe(4);
    expect(charCount("👍👍")).toBe(2);
  });
});

describe("times typed for the triage summary", () => {
  it("reads 24-hour times however they are typed", () => {
    expect(parseTime("9:40")).toBe("09:40");
    expect(parseTime("0940")).toBe("09:40");
    expect(parseTime(" 21.05 ")).toBe("21:05");
    expect(parseTime("24:00")).toBeNull();
    expect(parseTime("9:60")).toBeNull();
    expect(parseTime("nine")).toBeNull();
  });

  it("gives a UK wall-clock time the offset in force that day, GMT or BST", () => {
    expect(ukWallTime("2026-12-01", "09:40")).toBe("2026-12-01T09:40:00+00:00");
    expect(ukWallTime("2026-07-01", "09:40")).toBe("2026-07-01T09:40:00+01:00");
    expect(Date.parse(ukWallTime("2026-07-01", "09:40"))).toBe(Date.parse("2026-07-01T08:40:00Z"));
  });

  it("says when to be seen by, with the day when it is not today", () => {
    expect(formatSeeBy("2026-12-01T11:40:00Z", "2026-12-01")).toBe("11:40");
    expect(formatSeeBy("2026-12-02T11:40:00Z", "2026-12-01")).toBe("11:40 on Wed 02-Dec");
  });
});
