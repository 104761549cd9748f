import { useCallback, useRef, useState } from "react";
import type { ClinicalSummary, PatientView, User } from "../../api/bindings";
import { newDraft, type TriageDraft } from "./triage";

export type SavedTriage = {
  summary: ClinicalSummary;
  /** Bumped at every save, so the Book panel knows when to fill its texts from the summary again. */
  version: number;
};

/**
 * The call's triage summary: the form as typed (kept while the person moves between screens)
 * and the last version saved, which is what a booking sends. Held by the desk, so it goes with
 * the call when the user or the patient changes.
 */
export function useTriage() {
  const [draft, setDraft] = useState<TriageDraft | null>(null);
  const [saved, setSaved] = useState<SavedTriage | null>(null);
  // Typed since the last save: a booking must not go with a summary the person has since changed.
  const [dirty, setDirty] = useState(false);
  const version = useRef(0);

  /** Opens the form: a fresh draft the first time in a call. */
  const start = useCallback((user: User, patient: PatientView | null) => {
    setDraft((d) => d ?? newDraft(user, patient));
  }, []);

  const edit = useCallback((next: TriageDraft) => {
    setDraft(next);
    setDirty(true);
  }, []);

  const save = useCallback((next: TriageDraft, summary: ClinicalSummary) => {
    version.current += 1;
    setDraft(next);
    setSaved({ summary, version: version.current });
    setDirty(false);
  }, []);

  /**
   * Consent, given or withdrawn at the moment of booking. The rest of the summary is unchanged,
   * so the version stays: the texts already filled in are the person's to keep.
   */
  const setConsent = useCallback((consent: boolean) => {
    setSaved((s) => (s ? { ...s, summary: { ...s.summary, consent_to_share: consent } } : s));
    setDraft((d) => (d ? { ...d, consent } : d));
  }, []);

  const clear = useCallback(() => {
    setDraft(null);
    setSaved(null);
    setDirty(false);
  }, []);

  /** A patient was chosen: a call-back number still empty takes their phone. */
  const patientChosen = useCallback((patient: PatientView) => {
    setDraft((d) => (d && d.callBack.trim() === "" && patient.phone ? { ...d, callBack: patient.phone } : d));
  }, []);

  return { draft, saved, dirty, start, edit, save, setConsent, clear, patientChosen };
}

export type Triage = ReturnType<typeof useTriage>;
