import { useEffect, useState } from "react";
import type { AppointmentView } from "../../api/bindings";
import { upcomingAppointments, type ApiError } from "../../api/client";

export type UpcomingState =
  | { status: "off" }
  | { status: "checking" }
  | { status: "done"; appointments: AppointmentView[]; failures: ApiError[] }
  | { status: "failed"; error: ApiError };

/**
 * "Already booked?": the patient's upcoming appointments, asked once per patient and again after
 * each booking (`round` changes), never once per slot picked.
 */
export function useUpcoming(nhs: string | null, services: string[], round: number): UpcomingState {
  const key = services.join(",");
  const asking = nhs ? `${nhs}|${key}|${round}` : null;
  const [state, setState] = useState<UpcomingState>(() => (asking ? { status: "checking" } : { status: "off" }));
  // Another patient, set of services or round: the last answer is not this one.
  const [asked, setAsked] = useState(asking);
  if (asked !== asking) {
    setAsked(asking);
    setState(asking ? { status: "checking" } : { status: "off" });
  }
  useEffect(() => {
    if (!nhs) return;
    let live = true;
    void upcomingAppointments(nhs, key ? key.split(",") : []).then((r) => {
      if (!live) return;
      setState(r.ok ? { status: "done", appointments: r.value.appointments, failures: r.value.failures } : { status: "failed", error: r.error });
    });
    return () => {
      live = false;
    };
  }, [nhs, key, round]);
  return state;
}
