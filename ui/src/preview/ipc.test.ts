// The browser preview answers from the engine's recorded answers alone, through Tauri's own IPC
// mock and the real client: the order of the walk, a search's streamed events, and a plain refusal
// for anything not recorded.
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import type { SearchEvent } from "../api/bindings";
import { appInfo, checkNhsNumber, findPatient, searchSlots, signIn } from "../api/client";
import { answerer, installPreview, notRecorded, type Recorded } from "./ipc";
import recordedJson from "./recorded.json";

const recorded = recordedJson as Recorded;
const person = { name: "Anyone", sds_user_id: "1", sds_role_profile_id: "2", local_id: "anyone", role: "clinician" } as const;

afterEach(() => clearMocks());

describe("the browser preview", () => {
  it("answers as the engine did before and after signing in, whoever signs in", async () => {
    installPreview(recorded);
    const before = await appInfo();
    expect(before.ok && before.value.user).toBeNull();
    const signed = await signIn(person);
    // The recorded person, not the one typed: the preview has no sign-in of its own.
    expect(signed.ok && signed.value.info.user?.name).toBe("Alex Taylor");
    const after = await appInfo();
    expect(after.ok && after.value.user?.name).toBe("Alex Taylor");
  });

  it("gives the engine's answer for a recorded NHS number and says so for any other", async () => {
    installPreview(recorded);
    expect(await checkNhsNumber("9434765919")).toEqual({ ok: true, value: "943 476 5919" });
    const wrong = await checkNhsNumber("1234567890");
    const engineSaid = recorded.entries.find((e) => e.cmd === "check_nhs_number" && e.args?.input === "1234567890");
    expect(engineSaid && "error" in engineSaid.answer).toBe(true);
    expect(wrong).toEqual({ ok: false, error: engineSaid && "error" in engineSaid.answer ? engineSaid.answer.error : null });
    const found = await findPatient("9434765919");
    expect(found.ok && found.value?.patient.family).toBe("JACKSON");
    expect(await findPatient("9999999999")).toEqual({ ok: false, error: notRecorded("find_patient") });
  });

  it("streams a search's recorded events to the screen's channel, in order", async () => {
    installPreview(recorded);
    const seen: SearchEvent[] = [];
    const done = await searchSlots({ services: [], window: { from: "2026-03-10", to: "2026-03-10" }, channel: null }, (e) => seen.push(e));
    expect(done).toEqual({ ok: true, value: null });
    const events = recorded.entries.find((e) => e.cmd === "search_slots")?.events ?? [];
    expect(events.length).toBeGreaterThan(2);
    expect(seen).toEqual(events);
    expect(seen.at(-1)).toMatchObject({ event: "finished" });
    expect(seen.some((e) => e.event === "slots" && e.slots.length > 0)).toBe(true);
  });

  it("refuses a command nobody recorded, naming it", () => {
    const answer = answerer([], () => {});
    expect(() => answer("store_secret", { name: "api-key", value: "x" })).toThrow();
    try {
      answer("store_secret", {});
    } catch (e) {
      expect(e).toEqual(notRecorded("store_secret"));
      expect((e as { message: string }).message).toContain("store_secret");
    }
  });
});
