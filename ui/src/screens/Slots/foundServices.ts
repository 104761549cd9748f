// The Directory of Services' answer as the desk uses it: which services can be searched for
// slots, which are ticked to start with, and what the slot list needs to know of each.
import type { ServiceOption } from "../../api/bindings";
import type { ServiceRef } from "../../types";

/** How many bookable services, in the DoS's order, are ticked besides the patient's practice. */
export const FIRST_TICKED = 3;

/** A service to search, named as the search rows and the booking show it. */
export type Target = ServiceRef;

export type Bookable = ServiceOption & { booking: Extract<ServiceOption["booking"], { how: "book" }> };

export const isBookable = (o: ServiceOption): o is Bookable => o.booking.how === "book";

/** The name the public knows a service by, where the DoS has one. */
export const shownName = (o: ServiceOption): string => o.service.public_name || o.service.name;

/**
 * Why the desk will not book `o` for this patient, beyond what the DoS says: GP Connect finds the
 * patient by NHS number, so without one its practices are not searched.
 */
export function notForPatient(o: ServiceOption, hasNhs: boolean): string | null {
  if (o.booking.how === "book" && o.booking.standard === "gp-connect" && !hasNhs) {
    return "GP Connect needs the patient's NHS number: find the patient by NHS number to book here.";
  }
  return null;
}

/** The patient's own practice (by ODS code) and the first few bookable services the DoS put first. */
export function defaultTicks(options: ServiceOption[], practice: string | null, hasNhs: boolean): string[] {
  const usable = options.filter((o) => isBookable(o) && !notForPatient(o, hasNhs)) as Bookable[];
  const own = practice ? usable.find((o) => o.service.ods?.toUpperCase() === practice.toUpperCase()) : undefined;
  const first = usable.slice(0, FIRST_TICKED).map((o) => o.service.dos_id);
  return own && !first.includes(own.service.dos_id) ? [own.service.dos_id, ...first] : first;
}

/** The ticked services, in the DoS's order, as the slot search takes them. */
export function tickedTargets(options: ServiceOption[], ticked: ReadonlySet<string>): Target[] {
  return options
    .filter(isBookable)
    .filter((o) => ticked.has(o.service.dos_id))
    .map((o) => ({ id: o.booking.service_id, name: shownName(o), standard: o.booking.standard }));
}

/** Miles from the patient to each bookable service, by the id its slots carry. */
export function distancesById(options: ServiceOption[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of options) {
    if (isBookable(o) && o.service.distance_miles !== null) out.set(o.booking.service_id, o.service.distance_miles);
  }
  return out;
}

/**
 * The slots nearest service first, each service's soonest first (the list comes soonest first,
 * and the sort is stable); services with no distance known come last.
 */
export function nearestFirst<T extends { service_id: string }>(slots: T[], distances: ReadonlyMap<string, number>): T[] {
  const miles = (id: string) => distances.get(id) ?? Number.POSITIVE_INFINITY;
  return [...slots].sort((a, b) => miles(a.service_id) - miles(b.service_id) || (a.service_id < b.service_id ? -1 : a.service_id > b.service_id ? 1 : 0));
}
