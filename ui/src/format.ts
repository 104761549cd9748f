// Display conventions of NHS clinical systems: dd-Mmm-yyyy dates, 24-hour UK times, NHS numbers
// spaced 3-3-4, names as SURNAME, Forename (Title).
import type { DeliveryChannel, PatientView, Role, ServiceKind, Standard } from "./api/bindings";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

// Built once: constructing Intl formatters is slow and the slot list formats thousands of times.
const london = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

export type UkParts = { year: number; month: number; day: number; hour: number; minute: number };

const HOUR_MS = 3_600_000;

/** 01:00 UTC on the last Sunday of a month (`month0` from 0), when UK clocks change. */
function lastSundayAtOneUtc(year: number, month0: number): number {
  const lastDay = Date.UTC(year, month0 + 1, 0, 1);
  return lastDay - new Date(lastDay).getUTCDay() * 24 * HOUR_MS;
}

/**
 * Whether UK clocks are on summer time (UTC+1) at `ms`: from 01:00 UTC on the last Sunday of
 * March to 01:00 UTC on the last Sunday of October (The Summer Time Order 2002, the rule since
 * 1996), or `null` outside the years it is known to hold for, where Intl's zone data decides.
 */
function ukSummerTime(ms: number): boolean | null {
  const year = new Date(ms).getUTCFullYear();
  if (!(year >= 1996 && year <= 2099)) return null;
  return ms >= lastSundayAtOneUtc(year, 2) && ms < lastSundayAtOneUtc(year, 9);
}

/**
 * The wall-clock date and time in the UK for an instant (any offset on the wire). Worked out by
 * the clock-change rule, not by Intl: the slot list asks for thousands of slots as results
 * stream, and Intl took most of a frame for them.
 */
export function ukParts(instant: string | Date): UkParts {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  const summer = ukSummerTime(ms);
  if (summer === null) return ukPartsByIntl(new Date(ms));
  const wall = new Date(ms + (summer ? HOUR_MS : 0));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
  };
}

/** `ukParts` by the zone data: the reference the rule above is tested against. */
export function ukPartsByIntl(d: Date): UkParts {
  const out: UkParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const p of london.formatToParts(d)) {
    if (p.type in out) out[p.type as keyof UkParts] = Number(p.value);
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `yyyy-mm-dd` of the UK day an instant falls on. */
export function ukDay(instant: string | Date): string {
  const p = ukParts(instant);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** Today's UK day. */
export function ukToday(now: Date = new Date()): string {
  return ukDay(now);
}

function splitDay(day: string): [number, number, number] {
  const [y, m, d] = day.slice(0, 10).split("-").map(Number);
  return [y, m, d];
}

function weekdayOf(day: string): string {
  const [y, m, d] = splitDay(day);
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

/** A calendar day moved by whole days (plain dates: no time zone can shift them). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = splitDay(day);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = splitDay(from);
  const [y2, m2, d2] = splitDay(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** `12-Mar-1982` for a plain date (`yyyy-mm-dd`). */
export function formatDay(day: string): string {
  const [y, m, d] = splitDay(day);
  return `${pad(d)}-${MONTHS[m - 1]}-${y}`;
}

/** `Tue 01-Dec-2026` for a plain date. */
export function formatDayWithWeekday(day: string): string {
  return `${weekdayOf(day)} ${formatDay(day)}`;
}

/** `Tue 01-Dec` for a plain date. */
export function formatShortDay(day: string): string {
  const [, m, d] = splitDay(day);
  return `${weekdayOf(day)} ${pad(d)}-${MONTHS[m - 1]}`;
}

/** `01-Dec-2026` for an instant, on the UK calendar. */
export function formatDate(instant: string): string {
  return formatDay(ukDay(instant));
}

/** `14:10`, 24-hour, UK time, without a zone whatever the time. */
export function wallClock(instant: string | Date): string {
  const p = ukParts(instant);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

const HOUR = 3_600_000;
const sameWallTime = (a: UkParts, b: UkParts) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/**
 * `14:10`, 24-hour, UK time. In the hour the autumn change repeats, `01:30 BST` or `01:30 GMT`:
 * when the same wall-clock time comes an hour later (or earlier), two instants read alike.
 */
export function formatTime(instant: string): string {
  const p = ukParts(instant);
  const shown = `${pad(p.hour)}:${pad(p.minute)}`;
  // The UK repeats only 01:00–01:59 in October: the list's thousands of other times skip the check.
  if (p.month !== 10 || p.hour !== 1) return shown;
  const t = new Date(instant).getTime();
  if (sameWallTime(p, ukParts(new Date(t + HOUR)))) return `${shown} BST`;
  if (sameWallTime(p, ukParts(new Date(t - HOUR)))) return `${shown} GMT`;
  return shown;
}

/** `14:10–14:20`. */
export function formatTimeRange(start: string, end: string): string {
  return `${formatTime(start)}–${formatTime(end)}`;
}

/** `01-Dec-2026 14:10`. */
export function formatDateTime(instant: string): string {
  return `${formatDate(instant)} ${formatTime(instant)}`;
}

/** The heading of a day in the slot list: `Today`, `Tomorrow`, then `Thu 03-Dec`. */
export function dayHeading(day: string, today: string): string {
  const diff = daysBetween(today, day);
  if (diff === 0) return `Today · ${formatShortDay(day)}`;
  if (diff === 1) return `Tomorrow · ${formatShortDay(day)}`;
  return formatShortDay(day);
}

/** Only the digits of what was typed. */
export function nhsDigits(input: string): string {
  return input.replace(/\D/g, "");
}

/** `943 476 5919`; partial input is spaced as far as it goes. */
export function formatNhsNumber(input: string): string {
  const d = nhsDigits(input);
  const parts = [d.slice(0, 3), d.slice(3, 6), d.slice(6)].filter((p) => p.length > 0);
  return parts.join(" ");
}

/** Age as NHS banners show it: `44y`, or months then days for the very young. */
export function formatAge(birthDate: string, today: string): string {
  const [by, bm, bd] = splitDay(birthDate);
  const [ty, tm, td] = splitDay(today);
  let years = ty - by;
  if (tm < bm || (tm === bm && td < bd)) years -= 1;
  if (years >= 2) return `${years}y`;
  let months = (ty - by) * 12 + (tm - bm);
  if (td < bd) months -= 1;
  if (months >= 1) return `${months}m`;
  return `${Math.max(0, daysBetween(birthDate, today))}d`;
}

/** `JACKSON, Jane (Miss)`. */
export function formatPatientName(p: Pick<PatientView, "family" | "given" | "prefix">): string {
  const given = p.given.join(" ");
  const name = given ? `${p.family.toUpperCase()}, ${given}` : p.family.toUpperCase();
  return p.prefix ? `${name} (${p.prefix})` : name;
}

/** FHIR administrative gender as a word: `Female`. */
export function formatGender(gender: string | null | undefined): string {
  if (!gender) return "Not stated";
  const g = gender.toLowerCase();
  if (g === "unknown") return "Not known";
  return g.charAt(0).toUpperCase() + g.slice(1);
}

/** How the patient will be seen; a service that does not say is shown as such, never guessed. */
export function formatChannel(channel: DeliveryChannel | null): string {
  return channel ?? "Channel not stated";
}

/** The booking standard a service speaks, as its small label says it. */
export function formatStandard(standard: Standard): string {
  switch (standard) {
    case "gp-connect":
      return "GP Connect";
    case "uec-booking":
      return "UEC Booking";
    case "bars":
      return "BaRS";
  }
}

export function formatRole(role: Role): string {
  switch (role) {
    case "call-handler":
      return "Call handler";
    case "clinician":
      return "Clinician";
    case "supervisor":
      return "Supervisor";
    case "administrator":
      return "Desk administrator";
  }
}

export const SERVICE_KINDS: { kind: ServiceKind; label: string; one: string }[] = [
  { kind: "gp-practice", label: "GP practices", one: "GP practice" },
  { kind: "urgent-care", label: "Urgent treatment centres", one: "Urgent treatment centre" },
  { kind: "emergency-department", label: "Emergency departments", one: "Emergency department" },
  { kind: "gp-out-of-hours", label: "GP out-of-hours", one: "GP out-of-hours" },
];

/** Length as the services count it: Unicode characters, not UTF-16 units. */
export function charCount(text: string): number {
  return [...text].length;
}

/** `1,234`. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-GB");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * A date as a person types it — `01-Dec-2026`, `1/12/2026`, `1 12 26`, `2026-12-01` — as
 * `yyyy-mm-dd`; null when it is not a real date.
 */
export function parseDay(text: string): string | null {
  const t = text.trim();
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const uk = /^(\d{1,2})[\s./-]+([A-Za-z]{3,9}|\d{1,2})[\s./-]+(\d{2}|\d{4})$/.exec(t);
  if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (uk) {
    d = Number(uk[1]);
    const month = uk[2];
    if (/^\d+$/.test(month)) m = Number(month);
    else {
      const i = MONTHS.findIndex((name) => name.toLowerCase() === month.slice(0, 3).toLowerCase());
      if (i < 0) return null;
      m = i + 1;
    }
    y = Number(uk[3]);
    if (uk[3].length === 2) y += 2000;
  } else {
    return null;
  }
  const t2 = new Date(Date.UTC(y, m - 1, d));
  if (t2.getUTCFullYear() !== y || t2.getUTCMonth() !== m - 1 || t2.getUTCDate() !== d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** `09:40` from a time typed as `9:40`, `0940` or `9.40`; null when it is not a time of day. */
export function parseTime(text: string): string | null {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return `${pad(h)}:${pad(min)}`;
}

/**
 * A UK wall-clock day and time (`hh:mm`) as RFC 3339 with the UK offset in force then:
 * `2026-07-01T09:40:00+01:00`. The engine reads the offset, so the time means what the person saw.
 */
export function ukWallTime(day: string, time: string): string {
  const [y, m, d] = splitDay(day);
  const [hh, mm] = time.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  // London is UTC or an hour ahead: the wall clock there at the guess gives the offset.
  const p = ukParts(new Date(guess));
  const offset = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - guess) / 60_000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${day}T${pad(hh)}:${pad(mm)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `11:40`, or `11:40 on Wed 02-Dec` when that is not today: when the patient should be seen by. */
export function formatSeeBy(instant: string | Date, today: string): string {
  const iso = typeof instant === "string" ? instant : instant.toISOString();
  const day = ukDay(iso);
  return day === today ? formatTime(iso) : `${formatTime(iso)} on ${formatShortDay(day)}`;
}

/** `1.2 miles`, to one decimal: a distance from the patient's postcode as the DoS gives it. */
export function formatMiles(miles: number): string {
  const shown = miles.toFixed(1);
  return `${shown} ${shown === "1.0" ? "mile" : "miles"}`;
}

/** `45 minutes`, `2 hours`, `3 days`: a timeframe in minutes, in the largest whole unit. */
export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return plural(minutes / 1440, "day");
  if (minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}
