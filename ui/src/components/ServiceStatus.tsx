import type { Role, Standard } from "../api/bindings";
import type { ApiError } from "../api/client";
import { formatStandard, plural } from "../format";
import { serviceFailure } from "../serviceFailure";
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

type Props = {
  rows: ServiceRow[];
  onRetry: (serviceId: string) => void;
  /** A supervisor is also shown the technical detail of a fault in the desk's set-up. */
  role: Role;
};

/** One line per service searched, each moving on by itself: slow services never hold up fast ones. */
export function ServiceStatus({ rows, onRetry, role }: Props) {
  if (rows.length === 0) return null;
  return (
    <ul className="service-status" aria-label="Services searched">
      {rows.map((r) => {
        const failure = r.state === "failed" && r.error ? serviceFailure(r.error, role) : null;
        return (
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
                {failure?.text ?? "No answer."}{" "}
                {failure?.detail && (
                  <span className="service-status__detail" data-testid="service-status-detail">
                    {failure.detail}{" "}
                  </span>
                )}
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
        );
      })}
    </ul>
  );
}
