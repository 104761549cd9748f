import { useId, useState } from "react";
import { exportCsv, type ApiError } from "../api/client";

type Props = {
  /** Names the file: `<name>-<date-time>.csv`. */
  name: string;
  header: string[];
  rows: string[][];
  label?: string;
  testId?: string;
};

/**
 * Saves the list as a CSV file where the person chooses (the system's save dialog) and says
 * where. The file holds patients' NHS numbers, and the button says so before anything is saved.
 */
export function CsvExport({ name, header, rows, label = "Export CSV", testId = "export-csv" }: Props) {
  const [state, setState] = useState<{ saved: string } | { cancelled: true } | { error: ApiError } | null>(null);
  const [busy, setBusy] = useState(false);
  const warning = useId();
  async function save() {
    setBusy(true);
    const r = await exportCsv(name, header, rows);
    setBusy(false);
    if (!r.ok) setState({ error: r.error });
    else setState(r.value === null ? { cancelled: true } : { saved: r.value });
  }
  return (
    <span className="csv-export">
      <button
        type="button"
        className="button button--small button--secondary"
        onClick={() => void save()}
        disabled={busy}
        aria-describedby={warning}
        data-testid={testId}
      >
        {busy ? "Choosing where to save…" : label}
      </button>
      <span id={warning} className="field__hint" data-testid={`${testId}-warning`}>
        The file holds patients' NHS numbers: save it only where your organisation allows.
      </span>
      <span aria-live="polite" className="field__hint">
        {state && "saved" in state && (
          <>
            Saved to <span className="mono" data-testid={`${testId}-path`}>{state.saved}</span>
          </>
        )}
        {state && "cancelled" in state && <span data-testid={`${testId}-cancelled`}>Not saved: no file was chosen.</span>}
        {state && "error" in state && (
          <span className="error-text" data-testid={`${testId}-error`}>
            Not saved: {state.error.message} {state.error.next_step}
          </span>
        )}
      </span>
    </span>
  );
}
