import { useEffect, useRef } from "react";
import { lockDesk, stillHere } from "./api/client";

// How often the screen tells the engine the person is still there: the engine locks on its own
// clock, so it must hear of typing and reading that send no command.
const REPORT_EVERY_MS = 15_000;

/**
 * Locks the desk after `minutes` with no key, pointer or wheel in the window, and keeps the
 * engine's idle clock in step with the person's activity. `onLocked` runs once the desk is
 * locked (by time here, or because the engine already had).
 */
export function useIdleLock(active: boolean, minutes: number, onLocked: () => void) {
  const locked = useRef(onLocked);
  useEffect(() => {
    locked.current = onLocked;
  }, [onLocked]);

  useEffect(() => {
    if (!active) return;
    let last = Date.now();
    let reported = last;
    const activity = () => {
      last = Date.now();
    };
    const events = ["keydown", "pointerdown", "wheel"] as const;
    for (const e of events) window.addEventListener(e, activity, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      const now = Date.now();
      if (now - last >= minutes * 60_000) {
        window.clearInterval(timer);
        void lockDesk();
        locked.current();
        return;
      }
      if (last > reported && now - reported >= REPORT_EVERY_MS) {
        reported = now;
        void stillHere().then((r) => {
          if (!r.ok && r.error.kind === "sign-in-required") locked.current();
        });
      }
    }, 5_000);
    return () => {
      window.clearInterval(timer);
      for (const e of events) window.removeEventListener(e, activity, { capture: true });
    };
  }, [active, minutes]);
}
