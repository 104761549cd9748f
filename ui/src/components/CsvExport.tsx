import { useState } from "react";
import { exportCsv, type ApiError } from "../api/client";

type Props = {
  /** Names the file: `<name>-<date-time>.csv`. */
  name: string;
  header: string[];
  rows: string[][];
  label?: string;
  testId?: string;
};

/** Writes the list as a CSV file in Downloads and says where; patient data goes nowhere else. */
export function CsvExport({ name, header, rows, label = "Export CSV", testId = "export-csv" }: Props) {
  const [state, setState] = useState<{ saved: string } | { error: ApiError } | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    setBusy(true);
    const r = await exportCsv(name, header, rows);
    setBusy(false);
    setState(r.ok ? { saved: r.value } : { error: r.error });
  }
  return (
    <span className="csv-export">
      <button type="button" className="button button--small button--secondary" onClick={() => void save()} disabled={busy} data-testid={testId}>
        {busy ? "Saving…" : label}
      </button>
      <span aria-live="polite" className="field__hint">
        {state && "saved" in state && (
          <>
            Saved to <span className="mono" data-testid={`${testId}-path`}>{state.saved}</span>
          </>
        )}
        {state && "error" in state && (
          <span className="error-text" data-testid={`${testId}-error`}>
            Not saved: {state.error.message} {state.error.next_step}
          </span>
        )}
      </span>
    </span>
  );
}
