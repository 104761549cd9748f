import { useEffect, useState } from "react";
import type { Disposition } from "../../api/bindings";
import { knownDispositions } from "../../api/client";

const NONE: Disposition[] = [];

/**
 * The published dispositions the desk knows, asked for as the form opens. Without them (or until
 * they come) the words and timeframe are typed as before.
 */
export function useKnownDispositions(): Disposition[] {
  const [known, setKnown] = useState<Disposition[]>(NONE);
  useEffect(() => {
    let current = true;
    void knownDispositions().then((r) => {
      if (current && r.ok) setKnown(r.value);
    });
    return () => {
      current = false;
    };
  }, []);
  return known;
}
