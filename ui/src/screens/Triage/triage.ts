// The triage summary as the form holds it (text as typed), and the checks that turn it into the
// engine's ClinicalSummary. The checks mirror the engine's, so problems show before anything is
// sent; the engine checks again and its words are shown when it refuses.
import type { AssessorRole, ClinicalSummary, CodedText, FlagKind, PatientView, User } from "../../api/bindings";
import { charCount, parseTime, ukToday, ukWallTime, wallClock } from "../../format";

/** Allergies and medication: the service must be able to tell "not known" from "none known". */
export type ListChoice = "not-known" | "none" | "listed";

export type ObservationRow = { key: number; name: string; value: string; unit: string };
export type FlagRow = { key: number; kind: FlagKind; text: string };

export type TriageDraft = {
  complaint: string;
  dxCode: string;
  dxText: string;
  /** Minutes, as the select's value; "" until chosen. */
  timeframe: string;
  /** `yyyy-mm-dd`, or "" while what is typed is not a date. */
  assessedDay: string;
  assessedTime: string;
  sgCode: string;
  sgText: string;
  sdCode: string;
  sdText: string;
  observations: ObservationRow[];
  allergies: ListChoice;
  allergyList: string;
  medication: ListChoice;
  medicationList: string;
  flags: FlagRow[];
  callBack: string;
  assessorName: string;
  assessorRole: AssessorRole;
  assessorSds: string;
  consent: boolean;
  /**
   * What was filled in from the published dispositions, as filled: a field still holding it may
   * be filled again when the code changes; anything else in it was typed, and stays.
   */
  fromTable?: { dxText?: string; timeframe?: string };
};

export type TriageField =
  | "complaint"
  | "dxCode"
  | "dxText"
  | "timeframe"
  | "assessedDay"
  | "assessedTime"
  | "sgCode"
  | "sdCode"
  | "observations"
  | "allergies"
  | "medication"
  | "flags"
  | "callBack"
  | "assessorName"
  | "consent";

export type Problem = [TriageField, string];

/** Common disposition timeframes, as minutes. */
export const TIMEFRAMES: [number, string][] = [
  [30, "30 minutes"],
  [60, "1 hour"],
  [120, "2 hours"],
  [240, "4 hours"],
  [360, "6 hours"],
  [720, "12 hours"],
  [1440, "24 hours"],
  [2880, "48 hours"],
  [4320, "3 days"],
  [7200, "5 days"],
  [10080, "7 days"],
  [20160, "14 days"],
];

/** The longest any one entry may be, as the engine counts it: a summary, not a record. */
export const MAX_TEXT = 2000;

let rowKey = 0;
/** Keys for the rows of observations and flags, so React keeps each row's focus as rows come and go. */
export const nextRowKey = () => ++rowKey;

/** A fresh summary for this call: assessed now, by whoever is signed in, call-back on the patient's phone. */
export function newDraft(user: User, patient: PatientView | null, now: Date = new Date()): TriageDraft {
  return {
    complaint: "",
    dxCode: "",
    dxText: "",
    timeframe: "",
    assessedDay: ukToday(now),
    // A field to edit: the bare wall-clock time, as parseTime reads it back.
    assessedTime: wallClock(now),
    sgCode: "",
    sgText: "",
    sdCode: "",
    sdText: "",
    observations: [],
    allergies: "not-known",
    allergyList: "",
    medication: "not-known",
    medicationList: "",
    flags: [],
    callBack: patient?.phone ?? "",
    assessorName: user.name,
    assessorRole: user.role === "clinician" ? "clinician" : "call-handler",
    assessorSds: user.sds_user_id,
    consent: false,
  };
}

/** `dx05` → `Dx05`: the prefix as Pathways writes it, whatever case it was typed in. */
export function normaliseCode(code: string, prefix: string): string {
  const c = code.trim();
  return c.toLowerCase().startsWith(prefix.toLowerCase()) ? prefix + c.slice(prefix.length) : c;
}

/** The prefix, then 2 to 6 letters or digits: `Dx05`, `Dx1112`, `SG1189`, `SD4010`. */
export function isPathwaysCode(code: string, prefix: string): boolean {
  return new RegExp(`^${prefix}[A-Za-z0-9]{2,6}$`).test(code);
}

/** 10 or 11 digits starting 0 (or +44); spaces, hyphens and brackets allowed. */
export function isUkPhone(text: string): boolean {
  const kept = text.replace(/[\s()-]/g, "");
  const digits = kept.startsWith("+44") ? `0${kept.slice(3)}` : kept;
  return /^0\d{9,10}$/.test(digits);
}

/** One item a line, blanks dropped. */
export function listItems(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** null = not known, [] = none known, or the items listed. */
export function listValue(choice: ListChoice, text: string): string[] | null {
  if (choice === "not-known") return null;
  if (choice === "none") return [];
  return listItems(text);
}

function coded(code: string, text: string, prefix: string): CodedText | null {
  if (code.trim() === "" && text.trim() === "") return null;
  return { code: normaliseCode(code, prefix), text: text.trim() };
}

const tooLong = (s: string) => charCount(s.trim()) > MAX_TEXT;

/**
 * Every problem at once, in the order of the form, each tied to the field that fixes it; and the
 * summary when there are none. `now` bounds the assessment time: it cannot be in the future.
 */
export function checkTriage(d: TriageDraft, now: Date = new Date()): { problems: Problem[]; summary: ClinicalSummary | null } {
  const problems: Problem[] = [];
  const add = (field: TriageField, message: string) => problems.push([field, message]);

  if (d.complaint.trim() === "") add("complaint", "Enter the presenting complaint");
  else if (tooLong(d.complaint)) add("complaint", "Shorten the presenting complaint to 2,000 characters");

  const dx = normaliseCode(d.dxCode, "Dx");
  if (dx === "") add("dxCode", "Enter the disposition code, like Dx05");
  else if (!isPathwaysCode(dx, "Dx")) add("dxCode", `"${dx}" is not a disposition code: enter it like Dx05`);
  if (d.dxText.trim() === "") add("dxText", "Enter the disposition's description");
  else if (tooLong(d.dxText)) add("dxText", "Shorten the disposition's description to 2,000 characters");

  const minutes = Number(d.timeframe);
  if (!d.timeframe || !Number.isInteger(minutes) || minutes < 1 || minutes > 20160) {
    add("timeframe", "Choose the timeframe the patient should be seen within");
  }

  const day = d.assessedDay;
  const time = parseTime(d.assessedTime);
  let assessedAt: string | null = null;
  if (!day) add("assessedDay", "Enter the day of the assessment, like 01-Dec-2026");
  else if (!time) add("assessedTime", "Enter the time of the assessment as 24-hour hh:mm, like 09:40");
  else {
    assessedAt = ukWallTime(day, time);
    // A minute's grace: the default is "now" to the minute.
    if (Date.parse(assessedAt) > now.getTime() + 60_000) add("assessedTime", "The assessment cannot be in the future");
  }

  const sg = coded(d.sgCode, d.sgText, "SG");
  if (sg && (!isPathwaysCode(sg.code, "SG") || sg.text === "")) {
    add("sgCode", "Give the symptom group as a code like SG1189 with its words, or leave both empty");
  }
  const sd = coded(d.sdCode, d.sdText, "SD");
  if (sd && (!isPathwaysCode(sd.code, "SD") || sd.text === "")) {
    add("sdCode", "Give the symptom discriminator as a code like SD4010 with its words, or leave both empty");
  }

  if (d.observations.some((o) => o.name.trim() === "" || o.value.trim() === "")) {
    add("observations", "Give each observation a name and a value, or remove it");
  } else if (d.observations.some((o) => tooLong(o.name) || tooLong(o.value))) {
    add("observations", "Shorten each observation to 2,000 characters");
  }

  const allergies = listValue(d.allergies, d.allergyList);
  if (allergies?.length === 0 && d.allergies === "listed") {
    add("allergies", "List the allergies, one a line, or choose None known or Not known");
  } else if (allergies?.some(tooLong)) add("allergies", "Shorten each allergy to 2,000 characters");
  const medication = listValue(d.medication, d.medicationList);
  if (medication?.length === 0 && d.medication === "listed") {
    add("medication", "List the medication, one a line, or choose None or Not known");
  } else if (medication?.some(tooLong)) add("medication", "Shorten each medicine to 2,000 characters");

  if (d.flags.some((f) => f.text.trim() === "")) add("flags", "Give each flag its text, or remove it");
  else if (d.flags.some((f) => tooLong(f.text))) add("flags", "Shorten each flag to 2,000 characters");

  if (d.callBack.trim() === "") add("callBack", "Enter the number to call the patient back on");
  else if (!isUkPhone(d.callBack)) add("callBack", "Enter the call-back number as a UK phone number, like 07700 900123");

  if (d.assessorName.trim() === "") add("assessorName", "Enter who assessed the patient");
  else if (tooLong(d.assessorName)) add("assessorName", "Shorten the assessor's name to 2,000 characters");

  if (!d.consent) {
    add("consent", "Ask the patient whether they agree to share this summary with the service, and tick to record that they do");
  }

  if (problems.length > 0 || !assessedAt) return { problems, summary: null };

  const sds = d.assessorSds.trim();
  const summary: ClinicalSummary = {
    presenting_complaint: d.complaint.trim(),
    triage: {
      disposition_code: dx,
      disposition_text: d.dxText.trim(),
      timeframe_minutes: minutes,
      assessed_at: assessedAt,
      ...(sg ? { symptom_group: sg } : {}),
      ...(sd ? { symptom_discriminator: sd } : {}),
    },
    observations: d.observations.map((o) => ({
      name: o.name.trim(),
      value: o.value.trim(),
      ...(o.unit.trim() ? { unit: o.unit.trim() } : {}),
    })),
    allergies,
    medication,
    flags: d.flags.map((f) => ({ kind: f.kind, text: f.text.trim() })),
    call_back_number: d.callBack.trim(),
    consent_to_share: d.consent,
    assessed_by: { name: d.assessorName.trim(), role: d.assessorRole, ...(sds ? { sds_user_id: sds } : {}) },
  };
  return { problems, summary };
}

/** When the patient should be seen by, as an instant in ms. */
export function seeBy(summary: ClinicalSummary): number {
  return Date.parse(summary.triage.assessed_at) + summary.triage.timeframe_minutes * 60_000;
}
