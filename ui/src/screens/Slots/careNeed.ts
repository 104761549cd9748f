// What the Directory of Services is asked for this patient: the triage outcome and where and who
// the patient is, with no name or NHS number in the need itself. Worked out here, so the screen
// can say exactly what is still missing instead of asking with half a case.
import type { Age, CareNeed, ClinicalSummary, Sex } from "../../api/bindings";
import { daysBetween } from "../../format";
import type { ChosenPatient } from "../../types";

export type CareNeedAsk = {
  need: CareNeed;
  dx: string;
  nhs: string | null;
  /** The same key means the same question: asked again only when it changes. */
  key: string;
};

export type CareNeedFor = { ok: true; ask: CareNeedAsk } | { ok: false; missing: string[] };

/** Age as the DoS takes it: days under a month, months under two years, years from two. */
export function ageOn(birthDate: string, today: string): Age {
  const [by, bm, bd] = birthDate.slice(0, 10).split("-").map(Number);
  const [ty, tm, td] = today.slice(0, 10).split("-").map(Number);
  let months = (ty - by) * 12 + (tm - bm);
  if (td < bd) months -= 1;
  if (months >= 24) return { years: Math.floor(months / 12) };
  if (months >= 1) return { months };
  return { days: Math.max(0, daysBetween(birthDate, today)) };
}

/** FHIR gender as the DoS's sex: anything but female or male (or not stated) is indeterminate. */
export function sexOf(gender: string | null | undefined): Sex {
  const g = gender?.toLowerCase();
  return g === "female" || g === "male" ? g : "indeterminate";
}

/** `SG1010` → 1010; null when the code is not the prefix and digits. */
export function codeNumber(code: string | undefined, prefix: string): number | null {
  const m = new RegExp(`^${prefix}(\\d+)$`, "i").exec(code?.trim() ?? "");
  return m ? Number(m[1]) : null;
}

/**
 * The DoS question for the patient on the call and the saved triage summary, or what is still
 * missing for it, in words for the screen. PDS's record wins over the practice's where the desk
 * has one; a restricted record's address is never sent, so its postcode is not taken from elsewhere.
 */
export function careNeedFor(
  chosen: ChosenPatient | null,
  summary: ClinicalSummary | null,
  today: string,
  /** Where the patient says they are now, when not at home: searched from instead. */
  postcodeNow: string | null = null,
): CareNeedFor {
  const missing: string[] = [];
  const traced = chosen?.traced ?? null;
  const p = chosen?.patient ?? null;
  const home = traced ? (traced.postcode ?? (traced.restricted ? null : p?.postcode ?? null)) : (p?.postcode ?? null);
  const postcode = postcodeNow?.trim() ? postcodeNow : home;
  const birth = traced?.birth_date ?? p?.birth_date ?? null;
  if (!chosen) missing.push("a patient");
  else {
    if (!postcode?.trim()) missing.push("the patient's postcode");
    if (!birth) missing.push("the patient's date of birth");
  }
  const t = summary?.triage;
  const sg = codeNumber(t?.symptom_group?.code, "SG");
  const sd = codeNumber(t?.symptom_discriminator?.code, "SD");
  if (!t) missing.push("a saved triage summary");
  else {
    if (sg === null) missing.push("the symptom group (like SG1010) in the triage summary");
    if (sd === null) missing.push("the symptom discriminator (like SD4003) in the triage summary");
  }
  if (missing.length > 0 || !chosen || !t || !postcode || !birth) return { ok: false, missing };
  const need: CareNeed = {
    postcode: postcode.trim().toUpperCase(),
    age: ageOn(birth, today),
    sex: sexOf(traced?.gender ?? p?.gender),
    // The Dx code goes as `dx`: the engine turns it into the DoS's disposition id.
    disposition: null,
    symptom_group: sg,
    symptom_discriminators: sd === null ? [] : [sd],
    search_distance_km: null,
    surgery: traced?.registered_practice ?? null,
  };
  const nhs = traced?.nhs_number ?? p?.nhs_number ?? null;
  const dx = t.disposition_code;
  return { ok: true, ask: { need, dx, nhs, key: JSON.stringify([need, dx, nhs]) } };
}
