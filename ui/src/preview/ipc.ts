// The browser preview (`npm run build:preview`): the screens in a plain browser, with Tauri's own
// IPC mock answering from what the engine answered on the demo (recorded.json, written by
// src-tauri/tests/recorded_answers.rs, which fails when the engine would answer differently). No
// rule of the engine is repeated here: what was not recorded is refused, saying so.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { Error as ApiError } from "../api/bindings";

export type RecordedEntry = {
  cmd: string;
  /** What the screen sent; `null` when any arguments get this answer (what the person picks). */
  args: Record<string, unknown> | null;
  answer: { ok: unknown } | { error: ApiError };
  /** A search's events, streamed to the screen's channel before the answer. */
  events?: unknown[];
};

export type Recorded = { at: string; entries: RecordedEntry[] };

type Args = Record<string, unknown> | undefined;

/** The channel a command was given, as the IPC passes it: its callback id. */
type ChannelArg = { id: number };

function isChannel(v: unknown): v is ChannelArg {
  return typeof v === "object" && v !== null && "id" in v && typeof (v as ChannelArg).id === "number" && "onmessage" in v;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The arguments as recorded: without the channel, which is the screen's own. */
function plain(args: Args): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args ?? {}).filter(([, v]) => !isChannel(v)));
}

export function notRecorded(cmd: string): ApiError {
  return {
    kind: "unavailable",
    message: `The browser preview has no recorded answer for this (${cmd}).`,
    next_step: "Open Booking Desk on the demo to try it (see the README).",
    http_status: null,
    code: null,
    trace_id: null,
    service_id: null,
    diagnostics: null,
  };
}

/**
 * Answers commands from `entries`: the recorded answer to the same command with the same arguments
 * (or any, where recorded so), the next one along the walk first, so that "who is signed in" is
 * answered as it was before and after signing in. `send` delivers a search's events to a channel.
 */
export function answerer(entries: RecordedEntry[], send: (channel: number, events: unknown[]) => void) {
  let at = 0;
  return (cmd: string, args: Args): unknown => {
    const fits = (e: RecordedEntry) => e.cmd === cmd && (e.args === null || same(e.args, plain(args)));
    const ahead = entries.findIndex((e, i) => i >= at && fits(e));
    const behind = entries.map((e, i) => (fits(e) ? i : -1)).filter((i) => i >= 0);
    const found = ahead >= 0 ? ahead : (behind.at(-1) ?? -1);
    if (found < 0) throw notRecorded(cmd);
    at = found;
    const entry = entries[found];
    const channel = Object.values(args ?? {}).find(isChannel);
    if (entry.events && channel) send(channel.id, entry.events);
    if ("error" in entry.answer) throw entry.answer.error;
    return entry.answer.ok;
  };
}

/** Messages as the Rust side of a channel sends them: each with its index, then the end. */
function sendThroughChannel(channel: number, events: unknown[]) {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
    .__TAURI_INTERNALS__;
  events.forEach((message, index) => internals.runCallback(channel, { index, message }));
  internals.runCallback(channel, { index: events.length, end: true });
}

export function installPreview(recorded: Recorded) {
  const answer = answerer(recorded.entries, sendThroughChannel);
  mockIPC((cmd, args) => answer(cmd, args as Args));
}
