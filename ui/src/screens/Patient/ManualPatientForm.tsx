import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorSummary } from "../../components/ErrorSummary";
import type { PatientView } from "../../api/bindings";
import { searchPds, type ApiError } from "../../api/client";
import { formatNhsNumber, ukToday } from "../../format";

type Props = {
  /** A valid NHS number no practice knew; null when the patient has none. */
  nhsNumber: string | null;
  onSubmit: (patient: PatientView) => void;
  onCancel: () => void;
  /** PDS found the patient by these details: look them up by the NHS number it holds. */
  onFoundOnPds: (nhs: string) => void;
};

type Fields = {
  prefix: string;
  given: string;
  family: string;
  gender: string;
  day: string;
  month: string;
  year: string;
  line1: string;
  line2: string;
  town: string;
  postcode: string;
  phone: string;
};

const EMPTY: Fields = {
  prefix: "",
  given: "",
  family: "",
  gender: "",
  day: "",
  month: "",
  year: "",
  line1: "",
  line2: "",
  town: "",
  postcode: "",
  phone: "",
};

// Loose on purpose: the outward and inward parts in the shapes Royal Mail uses.
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i;

function birthDate(f: Fields): string | null {
  const d = Number(f.day);
  const m = Number(f.month);
  const y = Number(f.year);
  if (!/^\d{1,2}$/.test(f.day) || !/^\d{1,2}$/.test(f.month) || !/^\d{4}$/.test(f.year)) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function check(f: Fields): [keyof Fields, string][] {
  const errors: [keyof Fields, string][] = [];
  if (!f.given.trim()) errors.push(["given", "Enter the patient's first name"]);
  if (!f.family.trim()) errors.push(["family", "Enter the patient's last name"]);
  if (!f.gender) errors.push(["gender", "Choose the patient's gender"]);
  const dob = birthDate(f);
  if (!dob) errors.push(["day", "Enter a real date of birth, for example 12 3 1982"]);
  else if (dob > ukToday()) errors.push(["day", "The date of birth must be today or in the past"]);
  if (!f.line1.trim()) errors.push(["line1", "Enter the first line of the address"]);
  if (!POSTCODE.test(f.postcode.trim())) errors.push(["postcode", "Enter a full UK postcode, for example LS1 4AP"]);
  return errors;
}

/** The patient's details typed in when no NHS number finds them: what a UEC booking needs. */
export function ManualPatientForm({ nhsNumber, onSubmit, onCancel, onFoundOnPds }: Props) {
  const base = useId();
  const id = (k: keyof Fields) => `${base}-${k}`;
  const [f, setF] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<[keyof Fields, string][]>([]);
  const summary = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  // Without a number, PDS may still hold the patient: its search needs the last name and the
  // date of birth, and takes what else is typed.
  const [pds, setPds] = useState<{ state: "idle" | "asking" } | { state: "none" } | { state: "error"; error: ApiError }>({ state: "idle" });
  async function findOnPds() {
    const dob = birthDate(f);
    if (!f.family.trim() || !dob) {
      setPds({ state: "error", error: { kind: "invalid-input", message: "PDS needs the last name and the date of birth to search.", next_step: "Enter them, then search again.", http_status: null, code: null, trace_id: null, service_id: null, diagnostics: null } });
      return;
    }
    setPds({ state: "asking" });
    const r = await searchPds({
      family: f.family.trim(),
      given: f.given.trim() || null,
      birth_date: dob,
      gender: f.gender || null,
      postcode: f.postcode.trim() || null,
    });
    if (!r.ok) setPds({ state: "error", error: r.error });
    else if (r.value === null) setPds({ state: "none" });
    else onFoundOnPds(r.value.nhs_number);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const found = check(f);
    setErrors(found);
    if (found.length > 0) {
      // Focus the summary so the problems are read out and each links to its field.
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    const pc = f.postcode.trim().toUpperCase().replace(/\s+/g, "");
    onSubmit({
      id: null,
      nhs_number: nhsNumber,
      family: f.family.trim(),
      given: f.given.trim().split(/\s+/),
      prefix: f.prefix.trim() || null,
      gender: f.gender,
      birth_date: birthDate(f),
      address_lines: [f.line1, f.line2, f.town].map((l) => l.trim()).filter(Boolean),
      postcode: `${pc.slice(0, -3)} ${pc.slice(-3)}`,
      phone: f.phone.trim() || null,
    });
  }

  const err = (k: keyof Fields) => errors.find(([key]) => key === k)?.[1];
  const text = (k: keyof Fields, label: string, opts: { width?: string; autoComplete?: string; optional?: boolean } = {}) => (
    <div className={err(k) ? "field field--error" : "field"}>
      <label className="field__label" htmlFor={id(k)}>
        {label}
        {opts.optional ? " (optional)" : ""}
      </label>
      {err(k) && (
        <div className="field__error" id={`${id(k)}-error`}>
          {err(k)}
        </div>
      )}
      <input
        id={id(k)}
        ref={k === "prefix" ? first : undefined}
        className={`input ${opts.width ?? ""}`}
        value={f[k]}
        autoComplete="off"
        aria-invalid={err(k) ? true : undefined}
        aria-describedby={err(k) ? `${id(k)}-error` : undefined}
        data-testid={`manual-${k}`}
        onChange={(e) => setF({ ...f, [k]: e.target.value })}
      />
    </div>
  );

  return (
    <form className="manual-form" onSubmit={submit} noValidate aria-labelledby={`${base}-title`} data-testid="manual-patient-form">
      <h2 id={`${base}-title`} className="panel__title">
        Patient's details
      </h2>
      <p className="muted">
        {nhsNumber
          ? `NHS No. ${formatNhsNumber(nhsNumber)} will be sent with these details.`
          : "No NHS number: bookings will carry these details only. GP Connect services (GP practices, GP out-of-hours) need an NHS number."}
      </p>
      <ErrorSummary problems={errors} fieldId={id} headingId={`${base}-summary`} summaryRef={summary} />
      <div className="form-grid">
        {text("prefix", "Title", { width: "input--w6", optional: true })}
        {text("given", "First name")}
        {text("family", "Last name")}
        <div className={err("gender") ? "field field--error" : "field"}>
          <label className="field__label" htmlFor={id("gender")}>
            Gender
          </label>
          {err("gender") && (
            <div className="field__error" id={`${id("gender")}-error`}>
              {err("gender")}
            </div>
          )}
          <select
            id={id("gender")}
            className="input"
            value={f.gender}
            aria-invalid={err("gender") ? true : undefined}
            aria-describedby={err("gender") ? `${id("gender")}-error` : undefined}
            data-testid="manual-gender"
            onChange={(e) => setF({ ...f, gender: e.target.value })}
          >
            <option value="">Choose</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="other">Other</option>
            <option value="unknown">Not known</option>
          </select>
        </div>
        <fieldset
          className={err("day") ? "fieldset field--error date-input" : "fieldset date-input"}
          aria-describedby={err("day") ? `${id("day")}-error` : `${base}-dob-hint`}
        >
          <legend className="field__label">Date of birth</legend>
          <div className="field__hint" id={`${base}-dob-hint`}>
            For example 12 3 1982
          </div>
          {err("day") && (
            <div className="field__error" id={`${id("day")}-error`}>
              {err("day")}
            </div>
          )}
          <div className="date-input__parts">
            {(["day", "month", "year"] as const).map((k) => (
              <div key={k} className="date-input__part">
                <label className="field__label field__label--small" htmlFor={id(k)}>
                  {k === "day" ? "Day" : k === "month" ? "Month" : "Year"}
                </label>
                <input
                  id={id(k)}
                  className={k === "year" ? "input input--w4" : "input input--w2"}
                  inputMode="numeric"
                  value={f[k]}
                  aria-invalid={err("day") ? true : undefined}
                  data-testid={`manual-${k}`}
                  onChange={(e) => setF({ ...f, [k]: e.target.value.replace(/\D/g, "") })}
                />
              </div>
            ))}
          </div>
        </fieldset>
        {text("phone", "Phone (call-back number)", { optional: true })}
        {text("line1", "Address line 1")}
        {text("line2", "Address line 2", { optional: true })}
        {text("town", "Town or city", { optional: true })}
        {text("postcode", "Postcode", { width: "input--w8" })}
      </div>
      {nhsNumber === null && (
        <div className="manual-form__pds" aria-live="polite" data-testid="manual-pds">
          {pds.state === "none" && <p className="notice">PDS holds no patient with these details: check them with the caller, or book with the details as typed.</p>}
          {pds.state === "error" && (
            <p className="notice notice--warning">
              {pds.error.message} {pds.error.next_step}
            </p>
          )}
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button button--primary" data-testid="manual-submit">
          Use these details
        </button>
        {nhsNumber === null && (
          <button type="button" className="button button--secondary" onClick={() => void findOnPds()} disabled={pds.state === "asking"} data-testid="manual-find-on-pds">
            {pds.state === "asking" ? "Searching PDS…" : "Find on PDS"}
          </button>
        )}
        <button type="button" className="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
