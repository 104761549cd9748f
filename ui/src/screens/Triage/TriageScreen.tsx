import { useEffect, useEffectEvent, useLayoutEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { AssessorRole, ClinicalSummary, FlagKind } from "../../api/bindings";
import { DateField } from "../../components/DateField";
import { Dialog } from "../../components/Dialog";
import { ErrorSummary } from "../../components/ErrorSummary";
import { charCount, formatCount, formatMinutes, parseTime } from "../../format";
import { dispositionFor, fillFromDisposition } from "./dispositions";
import { useKnownDispositions } from "./useKnownDispositions";
import { pressed, SHORTCUTS } from "../../shortcuts";
import {
  checkTriage,
  MAX_TEXT,
  nextRowKey,
  TIMEFRAMES,
  type ListChoice,
  type Problem,
  type TriageDraft,
  type TriageField,
} from "./triage";

type Props = {
  draft: TriageDraft;
  onEdit: (draft: TriageDraft) => void;
  onSave: (draft: TriageDraft, summary: ClinicalSummary) => void;
  onRemove: () => void;
  onBack: () => void;
  /** A version has been saved; `dirty` when the form has changed since. */
  saved: boolean;
  dirty: boolean;
};

/** Where the form starts: Desk focuses it when the screen opens. */
const fid = (k: string) => `triage-${k}`;
export const TRIAGE_FIRST_FIELD = fid("complaint");

/**
 * The call's triage summary, filled once and sent with every booking made for this call. Every
 * field is labelled and reachable by Tab; Alt+S saves, Esc goes back without losing anything.
 */
export function TriageScreen({ draft: d, onEdit, onSave, onRemove, onBack, saved, dirty }: Props) {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [removing, setRemoving] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  // A row just added: its first box takes focus once it exists.
  const focusAfter = useRef<string | null>(null);

  useEffect(() => {
    if (!focusAfter.current) return;
    document.getElementById(focusAfter.current)?.focus();
    focusAfter.current = null;
  });

  const set = <K extends keyof TriageDraft>(k: K, v: TriageDraft[K]) => onEdit({ ...d, [k]: v });

  // A known disposition code fills its words and timeframe, as typed or once the list arrives.
  const known = useKnownDispositions();
  const fillOnArrival = useEffectEvent((list: typeof known) => {
    const filled = fillFromDisposition(d, list);
    if (filled !== d) onEdit(filled);
  });
  useEffect(() => fillOnArrival(known), [known]);
  const published = dispositionFor(d.dxCode, known);
  const textFromTable = !!published && d.dxText !== "" && d.dxText === d.fromTable?.dxText;
  const listedTimeframe = TIMEFRAMES.some(([minutes]) => String(minutes) === d.timeframe);

  function save() {
    const { problems: found, summary } = checkTriage(d);
    setProblems(found);
    if (!summary) {
      // The summary is read out and each problem links to its field.
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    // The codes as they will be sent, so the form shows what was saved.
    onSave(
      {
        ...d,
        dxCode: summary.triage.disposition_code,
        sgCode: summary.triage.symptom_group?.code ?? d.sgCode,
        sdCode: summary.triage.symptom_discriminator?.code ?? d.sdCode,
        assessedTime: parseTime(d.assessedTime) ?? d.assessedTime,
      },
      summary,
    );
  }

  // The latest save() for the shortcut, without re-registering on every keystroke.
  const saveRef = useRef(save);
  useLayoutEffect(() => {
    saveRef.current = save;
  });
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (pressed(e, SHORTCUTS.saveTriage)) {
        e.preventDefault();
        if (!document.querySelector('[aria-modal="true"]')) saveRef.current();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    save();
  }

  // Problems go as they are fixed; new ones wait for the next save, so nothing nags mid-typing.
  const current = problems.length > 0 ? checkTriage(d).problems : [];
  const shown = current.filter(([k]) => problems.some(([p]) => p === k));
  const err = (k: TriageField) => shown.find(([key]) => key === k)?.[1];

  // Problems with rows point at the first row that needs fixing.
  function fieldId(k: TriageField): string {
    if (k === "observations") {
      const row = d.observations.find((o) => !o.name.trim() || !o.value.trim()) ?? d.observations[0];
      return row ? fid(`obs-${row.key}-name`) : fid("add-observation");
    }
    if (k === "flags") {
      const row = d.flags.find((f) => !f.text.trim()) ?? d.flags[0];
      return row ? fid(`flag-${row.key}-text`) : fid("add-flag");
    }
    if (k === "allergies" || k === "medication") return fid(`${k}-list`);
    return fid(k);
  }

  const status = !saved ? "Not saved yet" : dirty ? "Changes not saved yet" : "Saved: bookings for this call send this summary";

  return (
    <section className="panel screen-panel triage" data-testid="triage-screen" aria-labelledby="triage-title">
      <div className="panel__head">
        <h2 id="triage-title" className="panel__title">
          Triage summary
        </h2>
        <span className={dirty || !saved ? "panel__meta triage__status triage__status--pending" : "panel__meta triage__status"} role="status" data-testid="triage-status">
          {status}
        </span>
      </div>
      <p className="muted">
        Filled once for the call. It goes to the service with the booking, so the patient does not have to tell their
        story again.
      </p>
      <form onSubmit={submit} noValidate aria-labelledby="triage-title" data-testid="triage-form">
        <ErrorSummary problems={shown} fieldId={fieldId} headingId="triage-problems" summaryRef={summaryRef} />
        <div className="triage__grid">
          <div>
            <Field id={fid("complaint")} label="Presenting complaint" error={err("complaint")} hint="In the patient's words where possible.">
              <textarea
                id={fid("complaint")}
                className="input"
                rows={3}
                value={d.complaint}
                {...invalid(err("complaint"), fid("complaint"))}
                data-testid="triage-complaint"
                onChange={(e) => set("complaint", e.target.value)}
              />
              {charCount(d.complaint) > MAX_TEXT - 200 && (
                <span className="counter">
                  {formatCount(charCount(d.complaint))}/{formatCount(MAX_TEXT)}
                </span>
              )}
            </Field>

            <fieldset className="fieldset">
              <legend className="fieldset__legend triage__legend">Triage outcome</legend>
              <div className="triage__row">
                <Field id={fid("dxCode")} label="Disposition code" error={err("dxCode")} className="triage__code">
                  <input
                    id={fid("dxCode")}
                    className="input"
                    value={d.dxCode}
                    placeholder="Dx05"
                    autoComplete="off"
                    spellCheck={false}
                    {...invalid(err("dxCode"), fid("dxCode"))}
                    data-testid="triage-dx-code"
                    onChange={(e) => onEdit(fillFromDisposition({ ...d, dxCode: e.target.value }, known))}
                  />
                </Field>
                <Field id={fid("timeframe")} label="To be seen within" error={err("timeframe")}>
                  <select
                    id={fid("timeframe")}
                    className="input"
                    value={d.timeframe}
                    {...invalid(err("timeframe"), fid("timeframe"))}
                    data-testid="triage-timeframe"
                    onChange={(e) => set("timeframe", e.target.value)}
                  >
                    <option value="">Choose</option>
                    {/* A published timeframe the common list lacks, such as 20 minutes. */}
                    {d.timeframe && !listedTimeframe && Number(d.timeframe) > 0 && (
                      <option value={d.timeframe}>{formatMinutes(Number(d.timeframe))}</option>
                    )}
                    {TIMEFRAMES.map(([minutes, label]) => (
                      <option key={minutes} value={String(minutes)}>
                        {label}
                      </option>
                    ))}
                  </select>
                </Field>
              </div>
              <Field
                id={fid("dxText")}
                label="Disposition"
                error={err("dxText")}
                hint={
                  textFromTable && published
                    ? `Filled in from the published NHS Pathways dispositions for ${published.code}: edit it if needed.`
                    : "As NHS Pathways words it, e.g. Speak to a primary care service within 2 hours."
                }
              >
                <input
                  id={fid("dxText")}
                  className="input"
                  value={d.dxText}
                  autoComplete="off"
                  {...invalid(err("dxText"), fid("dxText"))}
                  data-testid="triage-dx-text"
                  onChange={(e) => set("dxText", e.target.value)}
                />
              </Field>
              <div className="triage__row">
                <div className={err("assessedDay") ? "field field--error" : "field"}>
                  {err("assessedDay") && (
                    <div className="field__error" id={`${fid("assessedDay")}-error`}>
                      {err("assessedDay")}
                    </div>
                  )}
                  <DateField
                    id={fid("assessedDay")}
                    label="Assessed on"
                    value={d.assessedDay}
                    onChange={(v) => set("assessedDay", v)}
                    describedBy={err("assessedDay") ? `${fid("assessedDay")}-error` : undefined}
                    testId="triage-assessed-day"
                  />
                </div>
                <Field id={fid("assessedTime")} label="at (24-hour)" error={err("assessedTime")} className="triage__time">
                  <input
                    id={fid("assessedTime")}
                    className="input"
                    value={d.assessedTime}
                    placeholder="hh:mm"
                    inputMode="numeric"
                    autoComplete="off"
                    {...invalid(err("assessedTime"), fid("assessedTime"))}
                    data-testid="triage-assessed-time"
                    onChange={(e) => set("assessedTime", e.target.value)}
                    onBlur={() => {
                      const t = parseTime(d.assessedTime);
                      if (t && t !== d.assessedTime) set("assessedTime", t);
                    }}
                  />
                </Field>
              </div>
            </fieldset>

            <fieldset className="fieldset">
              <legend className="fieldset__legend triage__legend">Symptom group and discriminator (optional)</legend>
              <Coded
                which="sg"
                label="Symptom group"
                placeholder="SG1189"
                code={d.sgCode}
                text={d.sgText}
                error={err("sgCode")}
                onCode={(v) => set("sgCode", v)}
                onText={(v) => set("sgText", v)}
              />
              <Coded
                which="sd"
                label="Symptom discriminator"
                placeholder="SD4010"
                code={d.sdCode}
                text={d.sdText}
                error={err("sdCode")}
                onCode={(v) => set("sdCode", v)}
                onText={(v) => set("sdText", v)}
              />
            </fieldset>

            <fieldset className={err("observations") ? "fieldset field--error" : "fieldset"}>
              <legend className="fieldset__legend triage__legend">Observations (optional)</legend>
              {err("observations") && <div className="field__error">{err("observations")}</div>}
              {d.observations.map((o, i) => (
                <div className="triage__obs" key={o.key} data-testid="triage-observation">
                  {(["name", "value", "unit"] as const).map((part) => (
                    <div className="field" key={part}>
                      <label className="field__label field__label--small" htmlFor={fid(`obs-${o.key}-${part}`)}>
                        {part === "name" ? `Observation ${i + 1}` : part === "value" ? "Value" : "Unit (optional)"}
                      </label>
                      <input
                        id={fid(`obs-${o.key}-${part}`)}
                        className="input"
                        value={o[part]}
                        placeholder={part === "name" ? "Temperature" : part === "value" ? "38.9" : "Cel"}
                        autoComplete="off"
                        data-testid={`triage-obs-${part}`}
                        onChange={(e) =>
                          set(
                            "observations",
                            d.observations.map((x) => (x.key === o.key ? { ...x, [part]: e.target.value } : x)),
                          )
                        }
                      />
                    </div>
                  ))}
                  <button
                    type="button"
                    className="button button--small button--secondary triage__remove"
                    aria-label={`Remove observation ${i + 1}${o.name ? ` (${o.name})` : ""}`}
                    onClick={() => {
                      focusAfter.current = fid("add-observation");
                      set("observations", d.observations.filter((x) => x.key !== o.key));
                    }}
                  >
                    Remove
                  </button>
                </div>
              ))}
              <button
                type="button"
                id={fid("add-observation")}
                className="button button--small button--secondary"
                data-testid="triage-add-observation"
                onClick={() => {
                  const key = nextRowKey();
                  focusAfter.current = fid(`obs-${key}-name`);
                  set("observations", [...d.observations, { key, name: "", value: "", unit: "" }]);
                }}
              >
                Add an observation
              </button>
            </fieldset>
          </div>

          <div>
            <ListField
              which="allergies"
              legend="Allergies"
              choice={d.allergies}
              text={d.allergyList}
              error={err("allergies")}
              labels={{ "not-known": "Not known", none: "None known", listed: "Listed" }}
              hints={{ "not-known": "Not asked, or the patient could not say", none: "The patient has no known allergies", listed: "One a line, with the reaction" }}
              onChoice={(v) => set("allergies", v)}
              onText={(v) => set("allergyList", v)}
            />
            <ListField
              which="medication"
              legend="Medication"
              choice={d.medication}
              text={d.medicationList}
              error={err("medication")}
              labels={{ "not-known": "Not known", none: "None", listed: "Listed" }}
              hints={{ "not-known": "Not asked, or the patient could not say", none: "The patient takes no medication", listed: "One a line, with the dose" }}
              onChoice={(v) => set("medication", v)}
              onText={(v) => set("medicationList", v)}
            />

            <fieldset className={err("flags") ? "fieldset field--error" : "fieldset"}>
              <legend className="fieldset__legend triage__legend">Flags (optional)</legend>
              <div className="field__hint">What the service must know before the patient arrives.</div>
              {err("flags") && <div className="field__error">{err("flags")}</div>}
              {d.flags.map((f, i) => (
                <div className="triage__flag" key={f.key} data-testid="triage-flag">
                  <div className="field">
                    <label className="field__label field__label--small" htmlFor={fid(`flag-${f.key}-kind`)}>
                      Flag {i + 1}
                    </label>
                    <select
                      id={fid(`flag-${f.key}-kind`)}
                      className="input"
                      value={f.kind}
                      data-testid="triage-flag-kind"
                      onChange={(e) =>
                        set("flags", d.flags.map((x) => (x.key === f.key ? { ...x, kind: e.target.value as FlagKind } : x)))
                      }
                    >
                      <option value="safeguarding">Safeguarding</option>
                      <option value="other">Other</option>
                    </select>
                  </div>
                  <div className="field">
                    <label className="field__label field__label--small" htmlFor={fid(`flag-${f.key}-text`)}>
                      What they need to know
                    </label>
                    <input
                      id={fid(`flag-${f.key}-text`)}
                      className="input"
                      value={f.text}
                      autoComplete="off"
                      data-testid="triage-flag-text"
                      onChange={(e) =>
                        set("flags", d.flags.map((x) => (x.key === f.key ? { ...x, text: e.target.value } : x)))
                      }
                    />
                  </div>
                  <button
                    type="button"
                    className="button button--small button--secondary triage__remove"
                    aria-label={`Remove flag ${i + 1}`}
                    onClick={() => {
                      focusAfter.current = fid("add-flag");
                      set("flags", d.flags.filter((x) => x.key !== f.key));
                    }}
                  >
                    Remove
                  </button>
                </div>
              ))}
              <button
                type="button"
                id={fid("add-flag")}
                className="button button--small button--secondary"
                data-testid="triage-add-flag"
                onClick={() => {
                  const key = nextRowKey();
                  focusAfter.current = fid(`flag-${key}-kind`);
                  set("flags", [...d.flags, { key, kind: "safeguarding", text: "" }]);
                }}
              >
                Add a flag
              </button>
            </fieldset>

            <Field id={fid("callBack")} label="Call-back number" error={err("callBack")} hint="A UK number the service can reach the patient on.">
              <input
                id={fid("callBack")}
                className="input input--w20"
                value={d.callBack}
                type="tel"
                autoComplete="off"
                {...invalid(err("callBack"), fid("callBack"))}
                data-testid="triage-call-back"
                onChange={(e) => set("callBack", e.target.value)}
              />
            </Field>

            <fieldset className="fieldset">
              <legend className="fieldset__legend triage__legend">Assessed by</legend>
              <Field id={fid("assessorName")} label="Name" error={err("assessorName")}>
                <input
                  id={fid("assessorName")}
                  className="input input--w20"
                  value={d.assessorName}
                  autoComplete="off"
                  {...invalid(err("assessorName"), fid("assessorName"))}
                  data-testid="triage-assessor-name"
                  onChange={(e) => set("assessorName", e.target.value)}
                />
              </Field>
              <div className="triage__inline-radios" role="radiogroup" aria-label="Their role">
                {(
                  [
                    ["call-handler", "Call handler"],
                    ["clinician", "Clinician"],
                  ] as [AssessorRole, string][]
                ).map(([role, label]) => (
                  <label className="radio" key={role}>
                    <input
                      type="radio"
                      name="triage-assessor-role"
                      value={role}
                      checked={d.assessorRole === role}
                      data-testid={`triage-assessor-${role}`}
                      onChange={() => set("assessorRole", role)}
                    />
                    <span className="radio__label">{label}</span>
                  </label>
                ))}
              </div>
              <Field id={fid("assessorSds")} label="SDS user id (optional)">
                <input
                  id={fid("assessorSds")}
                  className="input input--w8"
                  value={d.assessorSds}
                  inputMode="numeric"
                  autoComplete="off"
                  data-testid="triage-assessor-sds"
                  onChange={(e) => set("assessorSds", e.target.value)}
                />
              </Field>
            </fieldset>
          </div>
        </div>

        <div className={err("consent") ? "triage__consent field--error" : "triage__consent"}>
          {err("consent") && (
            <div className="field__error" id={`${fid("consent")}-error`}>
              {err("consent")}
            </div>
          )}
          <label className="checkbox triage__consent-label">
            <input
              id={fid("consent")}
              type="checkbox"
              checked={d.consent}
              required
              aria-invalid={err("consent") ? true : undefined}
              aria-describedby={err("consent") ? `${fid("consent")}-error` : undefined}
              data-testid="triage-consent"
              onChange={(e) => set("consent", e.target.checked)}
            />
            <span>
              <strong>The patient agrees to share this summary with the service they are booked into</strong>
              <span className="field__hint"> Required: without it nothing is sent.</span>
            </span>
          </label>
        </div>

        <div className="button-row">
          <button type="submit" className="button button--primary" data-testid="triage-save" aria-keyshortcuts="Alt+S">
            Save triage summary <kbd>Alt+S</kbd>
          </button>
          <button type="button" className="button button--secondary" onClick={onBack}>
            Back <kbd>Esc</kbd>
          </button>
          {saved && (
            <button type="button" className="link-button triage__remove-all" data-testid="triage-remove" onClick={() => setRemoving(true)}>
              Remove the triage summary
            </button>
          )}
        </div>
      </form>
      {removing && (
        <Dialog title="Remove the triage summary?" onClose={() => setRemoving(false)} alert testId="triage-remove-dialog">
          <p>Everything typed here is cleared, and bookings for this call will go without a summary.</p>
          <div className="dialog__actions">
            <button type="button" className="button button--secondary" onClick={() => setRemoving(false)} data-autofocus>
              Keep it
            </button>
            <button
              type="button"
              className="button button--warning"
              data-testid="triage-remove-confirm"
              onClick={() => {
                setRemoving(false);
                onRemove();
              }}
            >
              Remove
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

/** aria-invalid and the error's id on a control whose field has a problem. */
function invalid(error: string | undefined, id: string) {
  return error ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` } : {};
}

function Field({
  id,
  label,
  error,
  hint,
  className,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={[error ? "field field--error" : "field", className].filter(Boolean).join(" ")}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint && <div className="field__hint">{hint}</div>}
      {error && (
        <div className="field__error" id={`${id}-error`}>
          {error}
        </div>
      )}
      {children}
    </div>
  );
}

function Coded(props: {
  which: "sg" | "sd";
  label: string;
  placeholder: string;
  code: string;
  text: string;
  error?: string;
  onCode: (v: string) => void;
  onText: (v: string) => void;
}) {
  const codeId = fid(`${props.which}Code`);
  return (
    <div className={props.error ? "field field--error" : "field"}>
      {props.error && (
        <div className="field__error" id={`${codeId}-error`}>
          {props.error}
        </div>
      )}
      <div className="triage__row triage__row--end">
        <div className="field triage__code">
          <label className="field__label" htmlFor={codeId}>
            {props.label} code
          </label>
          <input
            id={codeId}
            className="input"
            value={props.code}
            placeholder={props.placeholder}
            autoComplete="off"
            spellCheck={false}
            {...invalid(props.error, codeId)}
            data-testid={`triage-${props.which}-code`}
            onChange={(e) => props.onCode(e.target.value)}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={fid(`${props.which}Text`)}>
            {props.label}
          </label>
          <input
            id={fid(`${props.which}Text`)}
            className="input"
            value={props.text}
            autoComplete="off"
            data-testid={`triage-${props.which}-text`}
            onChange={(e) => props.onText(e.target.value)}
          />
        </div>
      </div>
    </div>
  );
}

/** Not known / none / listed: the three answers a service must be able to tell apart. */
function ListField(props: {
  which: "allergies" | "medication";
  legend: string;
  choice: ListChoice;
  text: string;
  error?: string;
  labels: Record<ListChoice, string>;
  hints: Record<ListChoice, string>;
  onChoice: (v: ListChoice) => void;
  onText: (v: string) => void;
}) {
  const listId = fid(`${props.which}-list`);
  return (
    <fieldset className={props.error ? "fieldset field--error" : "fieldset"}>
      <legend className="fieldset__legend triage__legend">{props.legend}</legend>
      {props.error && (
        <div className="field__error" id={`${listId}-error`}>
          {props.error}
        </div>
      )}
      <div className="triage__inline-radios">
        {(["not-known", "none", "listed"] as ListChoice[]).map((c) => (
          <label className="radio" key={c}>
            <input
              type="radio"
              name={`triage-${props.which}`}
              value={c}
              checked={props.choice === c}
              data-testid={`triage-${props.which}-${c}`}
              aria-describedby={`${fid(`${props.which}-${c}`)}-hint`}
              onChange={() => props.onChoice(c)}
            />
            <span>
              <span className="radio__label">{props.labels[c]}</span>
              <span className="radio__hint" id={`${fid(`${props.which}-${c}`)}-hint`}>
                {props.hints[c]}
              </span>
            </span>
          </label>
        ))}
      </div>
      {props.choice === "listed" && (
        <div className="field triage__list">
          <label className="field__label field__label--small" htmlFor={listId}>
            {props.legend}, one a line
          </label>
          <textarea
            id={listId}
            className="input"
            rows={3}
            value={props.text}
            {...invalid(props.error, listId)}
            data-testid={`triage-${props.which}-list`}
            onChange={(e) => props.onText(e.target.value)}
          />
        </div>
      )}
    </fieldset>
  );
}
