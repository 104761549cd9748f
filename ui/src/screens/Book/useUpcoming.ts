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
  const [state, setState] = useState<UpcomingState>({ status: "off" });
  const key = services.join(",");
  useEffect(() => {
    if (!nhs) {
      setState({ status: "off" });
      return;
    }
    let live = true;
    setState({ status: "checking" });
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
