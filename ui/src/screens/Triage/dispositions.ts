// The published Pathways dispositions fill in the disposition's words and timeframe from its
// code. Only fields that are empty, or still hold what the table put there, are filled: what the
// person typed or chose is theirs.
import type { Disposition } from "../../api/bindings";
import { normaliseCode, type TriageDraft } from "./triage";

/** The published disposition for a code as typed (`dx05` finds Dx05), if the desk knows it. */
export function dispositionFor(code: string, known: Disposition[]): Disposition | undefined {
  const c = normaliseCode(code, "Dx").toLowerCase();
  return c ? known.find((k) => k.code.toLowerCase() === c) : undefined;
}

type Filled = "dxText" | "timeframe";

/**
 * The draft with its words and timeframe filled from its code; the same object when nothing
 * changes. A code the table lacks takes back what the table filled for the code before.
 */
export function fillFromDisposition(d: TriageDraft, known: Disposition[]): TriageDraft {
  if (known.length === 0) return d;
  const entry = dispositionFor(d.dxCode, known);
  const wanted: Record<Filled, string> = {
    dxText: entry?.text ?? "",
    timeframe: entry?.timeframe_minutes != null ? String(entry.timeframe_minutes) : "",
  };
  const next: TriageDraft = { ...d };
  const fromTable: NonNullable<TriageDraft["fromTable"]> = {};
  let changed = false;
  for (const field of ["dxText", "timeframe"] as const) {
    const now = d[field];
    const ours = now === "" || now === d.fromTable?.[field];
    if (!ours) continue;
    if (wanted[field]) fromTable[field] = wanted[field];
    if (now !== wanted[field]) {
      next[field] = wanted[field];
      changed = true;
    }
  }
  // Nothing to see changed: the draft stays as it is, so reopening a saved form leaves it saved.
  if (!changed) return d;
  next.fromTable = fromTable;
  return next;
}
