import type { Standard } from "../api/bindings";
import type { ApiError } from "../api/client";
import { formatStandard, plural } from "../format";
import { Spinner } from "./Spinner";

export type ServiceRow = {
  id: string;
  name: string;
  /** Shown only as a small label: the call handler books the same way whatever it is. */
  standard: Standard | null;
  state: "searching" | "found" | "none" | "failed";
  count: number;
  error: ApiError | null;
};

type Props = { rows: ServiceRow[]; onRetry: (serviceId: string) => void };

/** One line per service searched, each moving on by itself: slow services never hold up fast ones. */
export function ServiceStatus({ rows, onRetry }: Props) {
  if (rows.length === 0) return null;
  return (
    <ul className="service-status" aria-label="Services searched">
      {rows.map((r) => (
        <li
          key={r.id}
          className={`service-status__row service-status__row--${r.state}`}
          data-testid="service-status"
          data-service-id={r.id}
          data-state={r.state}
        >
          <span className="service-status__name">
            {r.name}
            {r.standard && (
              <>
                {" "}
                <span className="standard-label" data-testid="standard-label">
                  {formatStandard(r.standard)}
                </span>
              </>
            )}
          </span>
          <span className="service-status__state">
            {r.state === "searching" && (
              <>
                <Spinner /> searching
              </>
            )}
            {r.state === "found" && plural(r.count, "slot")}
            {r.state === "none" && "none"}
            {r.state === "failed" && <span className="service-status__failed">failed:</span>}{" "}
          </span>
          {r.state === "failed" && (
            <span className="service-status__why">
              {r.error?.message ?? "No answer."}{" "}
              <button
                type="button"
                className="link-button"
                onClick={() => onRetry(r.id)}
                aria-label={`Retry ${r.name}`}
              >
                Retry
              </button>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
