import { useId } from "react";
import type { ServiceOption } from "../../api/bindings";
import { ErrorPanel } from "../../components/ErrorPanel";
import { Spinner } from "../../components/Spinner";
import { formatMiles, formatStandard } from "../../format";
import { isBookable, notForPatient, shownName } from "./foundServices";
import type { FoundServices } from "./useFoundServices";

type Props = {
  found: FoundServices;
  /** The postcode asked from; the person can change it to where the patient is now. */
  postcodeNow: string;
  onPostcodeNow: (postcode: string) => void;
  /** The patient's registered practice (ODS code), marked in the list. */
  practice: string | null;
  onToggle: (dosId: string, on: boolean) => void;
  /** Opens the triage summary, where a missing symptom group or discriminator is added. */
  onEditTriage: () => void;
  /** The first tick takes this id, so "fix the search" can put focus on it. */
  firstId: string;
  /** Whether the desk has a services list of its own to search instead (services.toml). */
  hasOwnList: boolean;
};

/**
 * The Directory of Services' answer for this patient, in its order: each service with its
 * distance, whether it is open, and how it is booked — or why not, and its phone to refer by.
 * Ticks choose which are searched for slots.
 */
export function FoundServicesPanel(props: Props) {
  if (props.found.view.status === "off") return null;
  return (
    <>
      <WhereNow postcode={props.postcodeNow} onChange={props.onPostcodeNow} />
      <FoundList {...props} />
    </>
  );
}

/**
 * Where the patient is now: their home postcode unless they say otherwise (a caller away from
 * home, or a restricted record whose address the desk never has). Submitted with Enter.
 */
function WhereNow({ postcode, onChange }: { postcode: string; onChange: (postcode: string) => void }) {
  const id = useId();
  return (
    <form
      className="found-services__where"
      data-testid="postcode-now-form"
      onSubmit={(e) => {
        e.preventDefault();
        // This form sits inside the search form: Enter here sets where the patient is, and must
        // not also search (with what was chosen before the DoS answers for the new place).
        e.stopPropagation();
        const value = new FormData(e.currentTarget).get("postcode-now");
        onChange(typeof value === "string" ? value : "");
      }}
    >
      <label htmlFor={id} className="field__label">
        Where the patient is now (postcode)
      </label>
      <div className="found-services__where-row">
        <input
          id={id}
          name="postcode-now"
          className="input"
          defaultValue={postcode}
          key={postcode}
          autoComplete="off"
          spellCheck={false}
          data-testid="postcode-now"
        />
        <button type="submit" className="button button--secondary button--small" data-testid="postcode-now-use">
          Search here
        </button>
      </div>
    </form>
  );
}

function FoundList({ found, practice, onToggle, onEditTriage, firstId, hasOwnList }: Props) {
  const { view, ticked } = found;
  const ids = useId();
  if (view.status === "off") return null;
  if (view.status === "missing") {
    return (
      <div className="notice found-services__note" data-testid="found-services-missing">
        <p>
          <strong>Services for this patient</strong> need {joinWords(view.missing)}.
          {hasOwnList ? " Until then the desk's own services are searched." : " This desk has no list of its own to search until then."}
        </p>
        <button type="button" className="link-button" onClick={onEditTriage} aria-keyshortcuts="Alt+T">
          Open the triage summary
        </button>
      </div>
    );
  }
  if (view.status === "asking") {
    return (
      <p className="found-services__note" role="status" data-testid="found-services-asking">
        <Spinner /> Finding services for this patient…
      </p>
    );
  }
  if (view.status === "error") {
    return (
      <div data-testid="found-services-error" className="found-services__error">
        <ErrorPanel error={view.error} title="Services for this patient could not be found">
          <p>{hasOwnList ? "The desk's own services can still be searched." : "Try again; meanwhile the patient can be referred by phone."}</p>
          <button type="button" className="button button--secondary button--small" onClick={found.retry}>
            Try again
          </button>
        </ErrorPanel>
      </div>
    );
  }
  const usable = view.options.filter((o) => isBookable(o) && !notForPatient(o, view.hasNhs));
  const firstTick = view.options.findIndex((o) => isBookable(o) && !notForPatient(o, view.hasNhs));
  // Searching the desk's own services instead: the list stays to read, with nothing to tick.
  const own = found.ownList;
  return (
    <fieldset className="fieldset found-services" data-testid="found-services">
      <legend className="fieldset__legend">Services for this patient</legend>
      <p className="field__hint">From the Directory of Services, nearest and most suitable first.</p>
      {view.options.length === 0 ? (
        <p className="notice" role="status" data-testid="found-services-none">
          {hasOwnList
            ? "The Directory of Services found no services for this patient. The desk's own services are searched."
            : "The Directory of Services found no services for this patient, and this desk has no list of its own: check the postcode and the triage outcome, or refer the patient by phone."}
        </p>
      ) : (
        usable.length === 0 && (
          <p className="notice" role="status" data-testid="found-services-none">
            {hasOwnList
              ? "None of these can be booked from here: refer by phone, or search the desk's own services."
              : "None of these can be booked from here: refer the patient by phone."}
          </p>
        )
      )}
      <ul className="found-services__list" aria-label="Services found">
        {view.options.map((o, i) => {
          const tickable = !own && isBookable(o) && !notForPatient(o, view.hasNhs);
          return (
            <FoundRow
              key={o.service.dos_id}
              option={o}
              detailsId={`${ids}-${i}`}
              own={!!practice && o.service.ods?.toUpperCase() === practice.toUpperCase()}
              tick={tickable ? { checked: ticked.has(o.service.dos_id), id: i === firstTick ? firstId : undefined, onChange: (on) => onToggle(o.service.dos_id, on) } : null}
              whyNot={notForPatient(o, view.hasNhs)}
            />
          );
        })}
      </ul>
      {usable.length > 0 &&
        hasOwnList &&
        (own ? (
          <p className="found-services__switch" role="status" data-testid="found-services-own">
            The desk's own services are searched, by kind, instead of these.{" "}
            <button type="button" className="link-button" onClick={() => found.useOwnList(false)} data-testid="found-services-use-found">
              Search the services found for this patient
            </button>
          </p>
        ) : (
          <p className="found-services__switch">
            <button type="button" className="link-button" onClick={() => found.useOwnList(true)} data-testid="found-services-use-own">
              Search the desk's own services by kind instead
            </button>
          </p>
        ))}
    </fieldset>
  );
}

type RowProps = {
  option: ServiceOption;
  detailsId: string;
  own: boolean;
  tick: { checked: boolean; id?: string; onChange: (on: boolean) => void } | null;
  whyNot: string | null;
};

function FoundRow({ option, detailsId, own, tick, whyNot }: RowProps) {
  const { service: s, booking: b } = option;
  const name = shownName(option);
  return (
    <li className="found-service" data-testid="found-service" data-dos-id={s.dos_id} data-how={b.how}>
      {tick ? (
        <label className="checkbox found-service__name">
          <input
            id={tick.id}
            type="checkbox"
            checked={tick.checked}
            onChange={(e) => tick.onChange(e.target.checked)}
            aria-describedby={detailsId}
            data-testid="found-service-tick"
          />
          <span>{name}</span>
        </label>
      ) : (
        <span className="found-service__name found-service__name--plain">{name}</span>
      )}
      <span className="found-service__details" id={detailsId}>
        {own && <span className="tag found-service__own">Patient's practice</span>}{" "}
        <span data-testid="found-service-distance">
          {s.distance_miles === null ? "Distance not given" : formatMiles(s.distance_miles)}
        </span>
        {" · "}
        <span data-testid="found-service-open">{openWords(s.open_all_hours, s.open_now)}</span>
        {b.how === "book" && (
          <>
            {" · "}
            <span className="standard-label" data-testid="found-service-standard">
              {formatStandard(b.standard)}
            </span>
          </>
        )}
        {b.how === "call-to-refer" && (
          <span className="found-service__refer" data-testid="found-service-refer">
            No booking here: call to refer on <strong>{s.phone ?? "no phone given"}</strong>
            {s.professional_phone && <> (professional line, not for the patient: {s.professional_phone})</>}
          </span>
        )}
        {b.how === "cannot-book" && (
          <span className="found-service__why" data-testid="found-service-why">
            Cannot be booked here: {b.reason} {b.next_step}
            {s.phone && <> Phone {s.phone}.</>}
          </span>
        )}
        {whyNot && (
          <span className="found-service__why" data-testid="found-service-why">
            {whyNot}
          </span>
        )}
      </span>
    </li>
  );
}

function openWords(allHours: boolean, now: boolean | null): string {
  if (allHours) return "Open 24 hours";
  if (now === null) return "Opening times not given";
  return now ? "Open now" : "Closed now";
}

/** `a, b and c`. */
function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
