import type { AppointmentView } from "./api/bindings";

/**
 * A reference to read aloud drawn from the appointment id, for a service that gives none of its
 * own: the id's last 8 letters and digits, in capitals (speech carries no case) and in two
 * groups, e.g. "7F3A-21C9"; a short id is read whole.
 */
export function readableReference(id: string): string {
  const tail = (id.split("/").pop() ?? id).replace(/[^0-9a-z]/gi, "").slice(-8).toUpperCase();
  if (tail === "") return id;
  const half = Math.ceil(tail.length / 2);
  return tail.length > 4 ? `${tail.slice(0, half)}-${tail.slice(half)}` : tail;
}

/**
 * The reference to give the patient: the service's own booking reference where it gave one (what
 * the patient will be asked for when they call it), else the short form of the appointment id.
 */
export function bookingReference(a: Pick<AppointmentView, "id" | "service_reference">): {
  text: string;
  whose: string;
} {
  if (a.service_reference) return { text: a.service_reference, whose: "the service's own reference" };
  return { text: readableReference(a.id), whose: "the service gave none: the end of its appointment id" };
}
