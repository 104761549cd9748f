import { formatAge, formatDay, formatGender, formatNhsNumber, formatPatientName, ukToday } from "../format";
import type { ChosenPatient } from "../types";

type Props = { chosen: ChosenPatient; onChange: () => void };

/** Who the call is about: stays in view on every screen once chosen. */
export function PatientBanner({ chosen, onChange }: Props) {
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
        <span className="patient-banner__source">
          {chosen.source === "manual" ? "Details entered by hand" : chosen.foundAt ? `Record from ${chosen.foundAt}` : ""}
        </span>
      </div>
    </section>
  );
}
