import { useCallback, useEffect, useMemo, useState } from "react";
import type { ServiceOption } from "../../api/bindings";
import { findServices, type ApiError } from "../../api/client";
import type { CareNeedFor } from "./careNeed";
import { defaultTicks, distancesById, isBookable, notForPatient, tickedTargets } from "./foundServices";
import type { Scope } from "./useSlotSearch";

/** What the services panel shows. */
export type FoundView =
  | { status: "off" }
  | { status: "missing"; missing: string[] }
  | { status: "asking" }
  | { status: "error"; error: ApiError }
  | { status: "found"; options: ServiceOption[]; hasNhs: boolean };

type Answer = { key: string; options: ServiceOption[] } | { key: string; error: ApiError };

const NO_DISTANCES = new Map<string, number>();

/**
 * The services the Directory of Services returns for the patient on the call and their saved
 * triage summary, and which of them are ticked to search. Asked again whenever the question
 * changes; an answer is only ever shown for the question it answers, so another patient's
 * services never appear, even for a moment. `ask` null: this desk does not book (supervisors).
 */
export function useFoundServices(ask: CareNeedFor | null) {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [ticks, setTicks] = useState<{ key: string; ids: ReadonlySet<string> } | null>(null);
  // The person chose the desk's own services by kind instead of those found, for this question
  // only: another patient or another summary starts from the services found again.
  const [ownFor, setOwnFor] = useState<string | null>(null);
  // Bumped by Retry: the same question asked again is a new one.
  const [round, setRound] = useState(0);
  const question = ask?.ok ? ask.ask : null;
  const key = question ? `${question.key}#${round}` : null;

  useEffect(() => {
    if (!question || key === null) return undefined;
    let current = true;
    void findServices(question.need, question.dx, question.nhs).then((r) => {
      if (!current) return;
      if (!r.ok) {
        setAnswer({ key, error: r.error });
        return;
      }
      const options = r.value.services;
      setAnswer({ key, options });
      setTicks({ key, ids: new Set(defaultTicks(options, question.need.surgery, question.nhs !== null)) });
    });
    return () => {
      current = false;
    };
    // The key stands for the question: a new object with the same content asks nothing new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const view: FoundView = useMemo(() => {
    if (ask === null) return { status: "off" };
    if (!ask.ok) return { status: "missing", missing: ask.missing };
    if (!answer || answer.key !== key) return { status: "asking" };
    if ("error" in answer) return { status: "error", error: answer.error };
    return { status: "found", options: answer.options, hasNhs: ask.ask.nhs !== null };
  }, [ask, answer, key]);

  const ticked: ReadonlySet<string> = useMemo(() => (ticks && ticks.key === key ? ticks.ids : new Set()), [ticks, key]);

  const toggle = useCallback(
    (dosId: string, on: boolean) => {
      if (key === null) return;
      setTicks((t) => {
        const ids = new Set(t && t.key === key ? t.ids : []);
        if (on) ids.add(dosId);
        else ids.delete(dosId);
        return { key, ids };
      });
    },
    [key],
  );

  const retry = useCallback(() => setRound((n) => n + 1), []);

  const ownList = key !== null && ownFor === key;
  const useOwnList = useCallback((on: boolean) => setOwnFor(on ? key : null), [key]);

  // The search goes by the ticks once the DoS has found something the desk can book for this
  // patient; before that (no summary yet, or the DoS failed) the desk's own list serves.
  const scope: Scope = useMemo(() => {
    if (view.status === "asking") return { by: "waiting" };
    if (view.status !== "found") return { by: "kinds" };
    const usable = view.options.some((o) => isBookable(o) && !notForPatient(o, view.hasNhs));
    return usable && !ownList ? { by: "found", targets: tickedTargets(view.options, ticked) } : { by: "kinds" };
  }, [view, ticked, ownList]);

  const distances = useMemo(() => (view.status === "found" ? distancesById(view.options) : NO_DISTANCES), [view]);

  return { view, ticked, toggle, retry, scope, distances, ownList, useOwnList };
}

export type FoundServices = ReturnType<typeof useFoundServices>;
