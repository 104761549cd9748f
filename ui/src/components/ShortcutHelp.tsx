import { useEffect, useId, useRef } from "react";
import { useEscape } from "../keyboard";
import { ALL_SHORTCUTS } from "./ShortcutBar";

/** Every shortcut; Esc or Close returns to where the person was. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const id = useId();
  const close = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<Element | null>(document.activeElement);
  useEscape(() => onClose());
  useEffect(() => {
    close.current?.focus();
    const back = returnTo.current;
    return () => {
      if (back instanceof HTMLElement) back.focus();
    };
  }, []);
  return (
    <div className="overlay">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={id}>
        <h2 id={id}>Keyboard shortcuts</h2>
        <table className="table table--dense">
          <tbody>
            {ALL_SHORTCUTS.map(([key, what]) => (
              <tr key={key}>
                <th scope="row">
                  <kbd>{key}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="dialog__actions">
          <button ref={close} type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
