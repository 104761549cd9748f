import { useEffect, useLayoutEffect, useRef, useState, type ChangeEvent, type FormEvent, type RefObject } from "react";
import type { PatientView } from "../../api/bindings";
import { checkNhsNumber, findPatient, type ApiError } from "../../api/client";
import { ErrorPanel } from "../../components/ErrorPanel";
import { moveFocus } from "../../focus";
import { formatNhsNumber, nhsDigits } from "../../format";
import { useEscape } from "../../keyboard";
import type { ChosenPatient } from "../../types";
import { ManualPatientForm } from "./ManualPatientForm";

type Props = {
  nhsText: string;
  onNhsText: (text: string) => void;
  chosen: ChosenPatient | null;
  onChosen: (patient: ChosenPatient) => void;
  /**
   * A lookup of `nhs` is starting: the desk lets the patient on the call go, with their slots and
   * booking. False when it cannot (a booking holds the desk); the lookup then does not run.
   */
  onLookup: (nhs: string) => boolean;
  onContinue: () => void;
  inputRef: RefObject<HTMLInputElement | null>;
};

type Check =
  | { state: "empty" }
  | { state: "partial"; digits: number }
  | { state: "long"; digits: number }
  | { state: "checking" }
  | { state: "valid"; spaced: string }
  | { state: "invalid"; message: string };

type Find =
  | { state: "idle" }
  | { state: "finding" }
  | { state: "found"; at: string; pdsError: ApiError | null }
  /** `pds`: PDS's own words, when the national record has no patient under the number. */
  | { state: "not-found"; nhs: string; pds?: ApiError }
  | { state: "error"; error: ApiError };

/** What the digits alone say; ten of them wait for the engine's check. */
function checkOf(digits: string): Check {
  if (digits.length === 0) return { state: "empty" };
  if (digits.length < 10) return { state: "partial", digits: digits.length };
  if (digits.length > 10) return { state: "long", digits: digits.length };
  return { state: "checking" };
}

/** Where the caret goes after reformatting: just after the same number of digits as before. */
function caretAfterDigits(text: string, digits: number): number {
  if (digits === 0) return 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (/\d/.test(text[i])) seen += 1;
    if (seen === digits) return i + 1;
  }
  return text.length;
}

/** The NHS number, checked as it is typed, and the patient it finds. */
export function PatientScreen({ nhsText, onNhsText, chosen, onChosen, onLookup, onContinue, inputRef }: Props) {
  const digits = nhsDigits(nhsText);
  const [check, setCheck] = useState<Check>(() => checkOf(digits));
  // Other digits: what was said of the last ones no longer holds.
  const [checked, setChecked] = useState(digits);
  if (checked !== digits) {
    setChecked(digits);
    setCheck(checkOf(digits));
  }
  const [find, setFind] = useState<Find>({ state: "idle" });
  const [manual, setManual] = useState<{ nhs: string | null } | null>(null);
  const caret = useRef<number | null>(null);
  const checkSeq = useRef(0);
  const findSeq = useRef(0);
  const continueRef = useRef<HTMLButtonElement>(null);

  const chosenHere = chosen?.patient.nhs_number && chosen.patient.nhs_number === digits;

  // The engine's Modulus 11 check is the one that counts, asked as soon as there are 10 digits.
  useEffect(() => {
    const seq = ++checkSeq.current;
    if (digits.length === 10) {
      void checkNhsNumber(digits).then((r) => {
        if (seq !== checkSeq.current) return;
        setCheck(r.ok ? { state: "valid", spaced: r.value } : { state: "invalid", message: r.error.message });
      });
    }
  }, [digits]);

  useLayoutEffect(() => {
    const el = inputRef.current;
    if (caret.current !== null && el && document.activeElement === el) {
      el.setSelectionRange(caret.current, caret.current);
    }
    caret.current = null;
  }, [nhsText, inputRef]);

  useEffect(() => {
    if (find.state === "found") moveFocus(continueRef.current);
  }, [find.state]);

  useEscape(() => {
    setManual(null);
    inputRef.current?.focus();
  }, manual !== null);

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    const raw = e.target.value;
    const before = nhsDigits(raw.slice(0, e.target.selectionStart ?? raw.length)).length;
    const formatted = formatNhsNumber(raw);
    caret.current = caretAfterDigits(formatted, before);
    onNhsText(formatted);
    if (find.state !== "finding") setFind({ state: "idle" });
  }

  async function onFind(e?: FormEvent) {
    e?.preventDefault();
    if (digits.length !== 10 || check.state === "invalid") {
      inputRef.current?.focus();
      return;
    }
    await lookUp(digits);
  }

  /** PDS's search found the patient whose details were being typed: look them up by number. */
  function foundOnPds(nhs: string) {
    setManual(null);
    onNhsText(formatNhsNumber(nhs));
    void lookUp(nhs);
  }

  async function lookUp(number: string) {
    // Whatever this lookup finds, the last patient is no longer the one on the call: a number
    // with no record must not leave them in the banner, or book for them.
    if (!onLookup(number)) return;
    const seq = ++findSeq.current;
    setFind({ state: "finding" });
    const r = await findPatient(number);
    if (seq !== findSeq.current) return;
    // PDS holds no patient under the number: said as "no record", in PDS's words.
    if (!r.ok && r.error.kind === "patient-not-found") setFind({ state: "not-found", nhs: number, pds: r.error });
    else if (!r.ok) setFind({ state: "error", error: r.error });
    else if (r.value === null) setFind({ state: "not-found", nhs: number });
    else {
      const m = r.value;
      const at = m.service_name ?? "the Personal Demographics Service";
      onChosen({ patient: m.patient, source: "found", foundAt: at, traced: m.traced });
      // PDS holds the record under a newer number: the field shows the number the desk uses.
      if (m.traced?.superseded) onNhsText(formatNhsNumber(m.traced.nhs_number));
      setFind({ state: "found", at, pdsError: m.pds_error });
    }
  }

  /**
   * Another patient, with no NHS number: whoever was on screen goes now, as at the start of a
   * lookup, so nothing is booked for them while this one's details are typed.
   */
  function startByHand() {
    if (!onLookup("")) return;
    ++findSeq.current;
    onNhsText("");
    setFind({ state: "idle" });
    setManual({ nhs: null });
  }

  function takeManual(patient: PatientView) {
    onChosen({ patient, source: "manual", foundAt: null });
    setManual(null);
    setFind({ state: "idle" });
    onContinue();
  }

  const status = (() => {
    switch (check.state) {
      case "empty":
        return { cls: "", text: "Enter the 10-digit NHS number." };
      case "partial":
        return { cls: "", text: `${check.digits} of 10 digits` };
      case "long":
        return { cls: "nhs-status--bad", text: `An NHS number has 10 digits: this has ${check.digits}.` };
      case "checking":
        return { cls: "", text: "Checking…" };
      case "valid":
        return { cls: "nhs-status--good", text: `Valid NHS number ${check.spaced}` };
      case "invalid":
        return { cls: "nhs-status--bad", text: check.message };
    }
  })();

  // Not waiting for the live check: the lookup checks the number again itself.
  const canFind = (check.state === "valid" || check.state === "checking") && find.state !== "finding";

  return (
    <div className="patient-screen">
      <section className="panel patient-screen__find" aria-labelledby="find-patient-title">
        <h2 id="find-patient-title" className="panel__title">
          Find the patient
        </h2>
        <form onSubmit={onFind} className="nhs-form">
          <div className={check.state === "invalid" || check.state === "long" ? "field field--error" : "field"}>
            <label className="field__label field__label--large" htmlFor="nhs-number">
              NHS number
            </label>
            <div className="nhs-form__row">
              <input
                id="nhs-number"
                ref={inputRef}
                className="input input--nhs"
                data-testid="nhs-input"
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                placeholder="000 000 0000"
                value={nhsText}
                onChange={onChange}
                aria-describedby="nhs-status"
                aria-invalid={check.state === "invalid" || check.state === "long" ? true : undefined}
                aria-keyshortcuts="/"
              />
              <button
                type="submit"
                className="button button--primary"
                data-testid="find-patient"
                disabled={!canFind}
              >
                {find.state === "finding" ? "Finding…" : "Find patient"}
              </button>
            </div>
            <p id="nhs-status" className={`nhs-status ${status.cls}`} data-testid="nhs-status" aria-live="polite">
              {check.state === "valid" && (
                <span className="nhs-status__tick" aria-hidden="true">
                  ✓{" "}
                </span>
              )}
              {status.text}
            </p>
          </div>
        </form>

        <div className="patient-screen__result" aria-live="polite">
          {find.state === "finding" && <p>Looking for the patient at the GP practices…</p>}
          {(find.state === "found" || (find.state === "idle" && chosenHere)) && (
            <div className="notice notice--success">
              <p>
                {find.state === "found"
                  ? `Found at ${find.at}. Check the name, date of birth and address with the caller.`
                  : "This patient is on the call."}
              </p>
              {find.state === "found" && find.pdsError && (
                <p data-testid="pds-not-asked">
                  <strong>{find.pdsError.message}</strong> These are the practice&apos;s details, not checked against the national record.
                </p>
              )}
              <button ref={continueRef} type="button" className="button button--primary" onClick={onContinue}>
                Find a slot <kbd>Alt+2</kbd>
              </button>
            </div>
          )}
          {find.state === "not-found" && (
            <div className="notice notice--warning" data-testid="patient-not-found">
              <p>
                <strong>
                  {find.pds ? find.pds.message : `No GP practice in the directory has a record for NHS No. ${formatNhsNumber(find.nhs)}.`}
                </strong>
              </p>
              <p>{find.pds ? find.pds.next_step : "Check the number with the caller, or enter their details by hand."}</p>
              {/* A number the national record does not hold is not sent with details typed by hand. */}
              <button type="button" className="button button--secondary" onClick={() => setManual({ nhs: find.pds ? null : find.nhs })}>
                Enter the patient's details
              </button>
            </div>
          )}
          {find.state === "error" && <ErrorPanel error={find.error} title="The patient could not be looked up" />}
        </div>

        <div className="patient-screen__manual">
          <button
            type="button"
            className="link-button"
            data-testid="manual-patient"
            onClick={startByHand}
          >
            Patient has no NHS number — enter their details
          </button>
        </div>
      </section>

      {manual && (
        <section className="panel patient-screen__form">
          <ManualPatientForm
            nhsNumber={manual.nhs}
            onSubmit={takeManual}
            onFoundOnPds={foundOnPds}
            onCancel={() => {
              setManual(null);
              inputRef.current?.focus();
            }}
          />
        </section>
      )}
    </div>
  );
}
