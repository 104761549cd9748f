// Esc goes back one step: the innermost open thing (a dialog, an editor, the book panel) gets it
// first, so each registers while it is open and the app falls back to the previous screen.
import { useEffect, useLayoutEffect, useRef } from "react";

type Handler = () => void;
const stack: { current: Handler }[] = [];

/** Registers `handler` for Esc while `active`; the most recently registered one wins. */
export function useEscape(handler: Handler, active = true): void {
  const ref = useRef(handler);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!active) return undefined;
    const entry = { current: () => ref.current() };
    stack.push(entry);
    return () => {
      const i = stack.indexOf(entry);
      if (i >= 0) stack.splice(i, 1);
    };
  }, [active]);
}

/** Runs the innermost Esc handler; false when nothing is open. */
export function runEscape(): boolean {
  const top = stack[stack.length - 1];
  if (!top) return false;
  top.current();
  return true;
}

/** Whether the key press belongs to a text field (so `/` and `?` are typed, not shortcuts). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
}
