// Every keyboard shortcut, once. The handlers match keys with `pressed`; the shortcut bar and the
// help list take their words from here, and the help's Alt+number rows from the tabs the person's
// role has, so no list can offer what a handler does not do.

export type Shortcut = {
  /** As shown: in the help list, and in the bar unless `barKeys` says otherwise. */
  keys: string;
  /** What it does, in the help list. */
  does: string;
  /** Its word in the shortcut bar, for the few always in view. */
  short?: string;
  barKeys?: string;
  /** Booking and its triage summary: not offered to a role that may not book. */
  booking?: boolean;
  /** With Alt held: the `KeyboardEvent.code` it answers to. */
  altCode?: string;
};

export const SHORTCUTS = {
  nhs: { keys: "/", does: "Go to the NHS number", short: "NHS number" },
  search: { keys: "Ctrl+F", does: "Search for free slots", short: "search" },
  move: { keys: "↑ ↓", barKeys: "↑↓", does: "Move through the slots", short: "move" },
  page: { keys: "Page Up / Page Down", does: "Move a page of slots" },
  ends: { keys: "Home / End", does: "First or last slot" },
  choose: { keys: "Enter", does: "Choose the highlighted slot", short: "choose" },
  triage: { keys: "Alt+T", does: "The call's triage summary", short: "triage", booking: true, altCode: "KeyT" },
  saveTriage: { keys: "Alt+S", does: "Save the triage summary", booking: true, altCode: "KeyS" },
  book: { keys: "Alt+B", does: "Confirm the booking", short: "book", booking: true, altCode: "KeyB" },
  appointments: { keys: "Alt+A", does: "The patient's appointments", short: "appointments", altCode: "KeyA" },
  back: { keys: "Esc", does: "Back one step", short: "back" },
  help: { keys: "?", does: "This list", short: "all shortcuts" },
} satisfies Record<string, Shortcut>;

const ORDER: Shortcut[] = Object.values(SHORTCUTS);

/** Alt with this shortcut's key, and no other modifier. */
export function pressed(e: KeyboardEvent, s: Shortcut): boolean {
  return s.altCode !== undefined && e.altKey && !e.ctrlKey && !e.metaKey && e.code === s.altCode;
}

const offered = (canBook: boolean) => ORDER.filter((s) => canBook || !s.booking);

/** Every shortcut this person has, in order: the tabs (Alt+1 for the first) before Esc. */
export function helpList(tabLabels: string[], canBook: boolean): [string, string][] {
  const rows: [string, string][] = offered(canBook).map((s) => [s.keys, s.does]);
  const tabs: [string, string][] = tabLabels.map((label, i) => [`Alt+${i + 1}`, label]);
  const at = rows.findIndex(([keys]) => keys === SHORTCUTS.back.keys);
  return [...rows.slice(0, at), ...tabs, ...rows.slice(at)];
}

/** The few always in view, with their short words. */
export function barList(canBook: boolean): [string, string][] {
  return offered(canBook)
    .filter((s) => s.short !== undefined)
    .map((s) => [s.barKeys ?? s.keys, s.short ?? ""]);
}
