import type { ClinicalSummary, TracedPatient } from "../api/bindings";
import { formatAge, formatDay, formatGender, formatNhsNumber, formatPatientName, formatSeeBy, ukToday } from "../format";
import { seeBy } from "../screens/Triage/triage";
import type { ChosenPatient } from "../types";

type Props = {
  chosen: ChosenPatient;
  onChange: () => void;
  /** The call's saved triage outcome, for those who book; absent for those who do not. */
  triage?: { summary: ClinicalSummary | null; onOpen: () => void };
};

/** Who the call is about: stays in view on every screen once chosen. */
export function PatientBanner({ chosen, onChange, triage }: Props) {
  const p = chosen.patient;
  const address = [...p.address_lines, p.postcode].filter(Boolean).join(", ");
  return (
    <section className="patient-banner" data-testid="patient-banner" aria-label="Patient">
      <div className="patient-banner__row">
        <span className="patient-banner__name" data-testid="patient-name">
          {formatPatientName(p)}
        </span>
        <span>
          <span className="patient-banner__label">Born </span>
          {p.birth_date ? `${formatDay(p.birth_date)} (${formatAge(p.birth_date, ukToday())})` : "not known"}
        </span>
        <span>
          <span className="patient-banner__label">Gender </span>
          {formatGender(p.gender)}
        </span>
        <span>
          <span className="patient-banner__label">NHS No. </span>
          <span data-testid="patient-nhs">{p.nhs_number ? formatNhsNumber(p.nhs_number) : "not known"}</span>
        </span>
        <button type="button" className="button button--small button--reverse patient-banner__change" onClick={onChange}>
          Change patient
        </button>
      </div>
      <div className="patient-banner__row patient-banner__row--second">
        <span>{address || "Address not known"}</span>
        {p.phone && (
          <span>
            <span className="patient-banner__label">Phone </span>
            {p.phone}
          </span>
        )}
        {triage && <TriageLine {...triage} />}
        <span className="patient-banner__source" title={chosen.source === "manual" ? undefined : chosen.foundAt ?? undefined}>
          {chosen.source === "manual" ? "Details entered by hand" : chosen.foundAt ? `Record from ${chosen.foundAt}` : ""}
        </span>
      </div>
      {chosen.traced && <NationalRecord traced={chosen.traced} />}
    </section>
  );
}

/** The triage outcome and its timeframe, always in view once saved: it governs which slot to book. */
function TriageLine({ summary, onOpen }: { summary: ClinicalSummary | null; onOpen: () => void }) {
  const t = summary?.triage;
  return (
    <span className="patient-banner__triage" data-testid="banner-triage">
      <span className="patient-banner__label">Triage </span>
      {summary && t ? (
        <>
          <strong>{t.disposition_code}</strong> —{" "}
          <span className="patient-banner__dx" title={t.disposition_text}>
            {t.disposition_text}
          </span>{" "}
          · see by <strong>{formatSeeBy(new Date(seeBy(summary)), ukToday())}</strong>
        </>
      ) : (
        "no summary yet"
      )}{" "}
      <button type="button" className="link-button" onClick={onOpen} aria-keyshortcuts="Alt+T" data-testid="banner-triage-edit">
        {t ? "Edit" : "Add"}
      </button>
      <kbd className="patient-banner__key">Alt+T</kbd>
    </span>
  );
}

/**
 * What PDS says that changes how the call goes: a restricted record, a recorded death, a number
 * replaced by another. Always in view with the patient, not only when they were found.
 */
function NationalRecord({ traced }: { traced: TracedPatient }) {
  const notes: { key: string; text: string }[] = [];
  if (traced.restricted) {
    notes.push({ key: "restricted", text: "Restricted record: the address and contact details are not shown or sent. Urgent care and emergency departments booked by UEC Booking or BaRS need a home address: phone them to book." });
  }
  if (traced.deceased) {
    notes.push({
      key: "deceased",
      text: `PDS records that this patient died on ${formatDay(traced.deceased.slice(0, 10))}: check with the caller before booking.`,
    });
  }
  if (traced.superseded) {
    notes.push({
      key: "superseded",
      text: `NHS number ${formatNhsNumber(traced.superseded)} was replaced by ${formatNhsNumber(traced.nhs_number)}, which is used.`,
    });
  }
  return (
    <div className="patient-banner__row patient-banner__row--national" data-testid="national-record">
      {notes.map((n) => (
        <strong key={n.key} className="patient-banner__alert" data-testid={`national-${n.key}`}>
          {n.text}
        </strong>
      ))}
      <span>
        <span className="patient-banner__label">Registered practice </span>
        {traced.registered_practice ?? "not given"}
      </span>
    </div>
  );
}
