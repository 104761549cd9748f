const SHORT: [string, string][] = [
  ["/", "NHS number"],
  ["Ctrl+F", "search"],
  ["↑↓", "move"],
  ["Enter", "choose"],
  ["Alt+T", "triage"],
  ["Alt+B", "book"],
  ["Alt+A", "appointments"],
  ["Esc", "back"],
  ["?", "all shortcuts"],
];

export const ALL_SHORTCUTS: [string, string][] = [
  ["/", "Go to the NHS number"],
  ["Ctrl+F", "Search for free slots"],
  ["↑ ↓", "Move through the slots"],
  ["Page Up / Page Down", "Move a page of slots"],
  ["Home / End", "First or last slot"],
  ["Enter", "Choose the highlighted slot"],
  ["Alt+T", "The call's triage summary"],
  ["Alt+S", "Save the triage summary"],
  ["Alt+B", "Confirm the booking"],
  ["Alt+A", "The patient's appointments"],
  ["Alt+1", "Patient"],
  ["Alt+2", "Find a slot"],
  ["Alt+3", "Appointments"],
  ["Alt+4", "Booked today"],
  ["Esc", "Back one step"],
  ["?", "This list"],
];

const BOOKING_KEYS = new Set(["Alt+B", "Alt+T", "Alt+S"]);

/** Booking and its triage summary: not offered to a role that may not book. */
export function shortcutsFor<T extends [string, string]>(list: T[], canBook: boolean): T[] {
  return canBook ? list : list.filter(([key]) => !BOOKING_KEYS.has(key));
}

/** The shortcuts a call handler needs most, always in view. */
export function ShortcutBar({ onHelp, canBook = true }: { onHelp: () => void; canBook?: boolean }) {
  return (
    <footer className="shortcut-bar" aria-label="Keyboard shortcuts">
      <ul>
        {shortcutsFor(SHORT, canBook).map(([key, what]) => (
          <li key={key}>
            {key === "?" ? (
              <button type="button" className="shortcut-bar__help" onClick={onHelp}>
                <kbd>?</kbd> {what}
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
