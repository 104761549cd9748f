import { barList, SHORTCUTS } from "../shortcuts";

/** The shortcuts a call handler needs most, always in view. */
export function ShortcutBar({ onHelp, canBook = true }: { onHelp: () => void; canBook?: boolean }) {
  return (
    <footer className="shortcut-bar" aria-label="Keyboard shortcuts">
      <ul>
        {barList(canBook).map(([key, what]) => (
          <li key={key}>
            {key === SHORTCUTS.help.keys ? (
              <button type="button" className="shortcut-bar__help" onClick={onHelp}>
                <kbd>{key}</kbd> {what}
              </button>
            ) : (
              <>
                <kbd>{key}</kbd> {what}
              </>
            )}
          </li>
        ))}
      </ul>
    </footer>
  );
}
