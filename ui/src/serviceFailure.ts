// How a service that failed is put to the person at the desk. A fault in how the desk itself is
// set up (its configuration, keys or certificates) is not something a call handler can act on,
// and its technical words ("the API key is not in the keyring") only hold up the call.
import type { Role, Service } from "./api/bindings";
import type { ApiError } from "./api/client";

/** Kinds that only whoever looks after the desk can put right; the service is not at fault. */
const SETUP_FAULTS: ReadonlySet<ApiError["kind"]> = new Set<ApiError["kind"]>(["config", "keyring", "certificate", "unknown-service"]);

export function isSetupFault(error: ApiError): boolean {
  return SETUP_FAULTS.has(error.kind);
}

/** Who to call, for the service (or services) named. */
export function setupFaultText(name = "this service"): string {
  return `Booking Desk is not set up to reach ${name}. Call the desk's administrator.`;
}

export type ServiceFailure = {
  /** Plain words for anyone at the desk: what happened, or who to call. */
  text: string;
  /** The engine's own words about a set-up fault, for a supervisor to pass on; none for others. */
  detail: string | null;
};

export function serviceFailure(error: ApiError, role: Role): ServiceFailure {
  if (!isSetupFault(error)) return { text: error.message, detail: null };
  return { text: setupFaultText(), detail: role === "supervisor" ? `${error.message} ${error.next_step}` : null };
}

/** A service's name from the directory; its id only when the directory does not list it. */
export function serviceName(services: Pick<Service, "id" | "name">[], id: string | null): string {
  if (id === null) return "a service";
  return services.find((s) => s.id === id)?.name ?? id;
}
