import { useEffect, useId, useRef, type ReactNode, type KeyboardEvent } from "react";
import { moveFocus } from "../focus";
import { useEscape } from "../keyboard";

type Props = {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** For decisions that must be answered (cancel an appointment). */
  alert?: boolean;
  /** For lists that read badly in the narrow box. */
  wide?: boolean;
  testId?: string;
};

const FOCUSABLE = 'button:not([disabled]), textarea:not([disabled]), input:not([disabled]), select:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Modal only where a decision is needed. Focus stays inside while open and goes back to where it
 * was on close; Esc closes (the safe answer).
 */
export function Dialog({ title, onClose, children, alert, wide, testId }: Props) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const returnTo = useRef<Element | null>(null);
  useEscape(onClose);

  useEffect(() => {
    returnTo.current = document.activeElement;
    const first = box.current?.querySelector<HTMLElement>("[data-autofocus]") ?? box.current?.querySelector<HTMLElement>(FOCUSABLE);
    moveFocus(first);
    return () => {
      const back = returnTo.current;
      if (back instanceof HTMLElement && back.isConnected) moveFocus(back);
    };
  }, []);

  function trap(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === "Escape") {
      // Handled here so nothing behind the dialog also goes back a step.
      e.preventDefault();
      onClose();
      return;
    }
    if (e.key !== "Tab" || !box.current) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="overlay">
      <div
        ref={box}
        className={wide ? "dialog dialog--wide" : "dialog"}
        role={alert ? "alertdialog" : "dialog"}
        aria-modal="true"
        aria-labelledby={id}
        data-testid={testId}
        onKeyDown={trap}
      >
        <h2 id={id} className="dialog__title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}
