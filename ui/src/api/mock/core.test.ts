// The in-browser mock must behave like the engine where the screens depend on it: signed out at
// start, refusing generic users, and checking secrets the same way.
import { describe, expect, it } from "vitest";
import type { AppInfo, Error as ApiError, SecretStatus, User } from "../bindings";
import { invoke } from "./core";

const person = (over: Partial<User> = {}): User => ({
  name: "Sam Okafor",
  sds_user_id: "555021935108",
  sds_role_profile_id: "UNK",
  local_id: "sam.okafor",
  role: "clinician",
  ...over,
});

async function refusal(cmd: string, args: Record<string, unknown> = {}): Promise<ApiError> {
  try {
    await invoke(cmd, args);
  } catch (e) {
    return e as ApiError;
  }
  throw new Error(`${cmd} was not refused`);
}

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-mock-body\n-----END PRIVATE KEY-----\n";

// One module, one session: these run in order, as a person would use the mock.
describe("the mock backend", () => {
  it("starts signed out and refuses what needs a person", async () => {
    const info = await invoke<AppInfo>("app_info");
    expect(info.user).toBeNull();
    expect(info.organisation).toEqual({ ods: "RYA", name: "NHS 111 North West" });
    for (const cmd of ["list_services", "find_patient", "list_bookings", "book"]) {
      expect((await refusal(cmd, { nhs: "9434765919" })).kind).toBe("sign-in-required");
    }
    // The NHS number check needs nobody, as in the engine.
    expect(await invoke("check_nhs_number", { input: "9434765919" })).toBe("943 476 5919");
  });

  it("refuses generic and incomplete users at sign-in, as the engine does", async () => {
    for (const name of ["admin", "Administrator", " root ", "USER", "test", "generic"]) {
      const e = await refusal("sign_in", { user: person({ name }) });
      expect(e.kind).toBe("invalid-input");
      expect(e.message).toBe("Sign in as a named person: generic users are not allowed.");
    }
    for (const over of [{ name: "  " }, { sds_user_id: "" }, { local_id: " " }, { sds_role_profile_id: "" }]) {
      expect((await refusal("sign_in", { user: person(over) })).kind).toBe("invalid-input");
    }
    expect((await refusal("sign_in", { user: { ...person(), role: "wizard" } })).kind).toBe("invalid-input");
    expect((await invoke<AppInfo>("app_info")).user).toBeNull();
  });

  it("signs a named person in, and a supervisor may not book, amend or cancel", async () => {
    const info = await invoke<AppInfo>("sign_in", { user: person({ role: "supervisor" }) });
    expect(info.user).toEqual(person({ role: "supervisor" }));
    expect(await invoke<unknown[]>("list_services")).not.toHaveLength(0);
    for (const cmd of ["book", "amend_appointment", "cancel_appointment"]) {
      expect((await refusal(cmd, { request: {}, serviceId: "x", appointmentId: "1" })).kind).toBe("not-permitted");
    }
  });

  it("keeps only whether each secret is stored, checking keys and API keys as the engine does", async () => {
    const status = await invoke<SecretStatus[]>("secrets_status");
    expect(status.map((s) => [s.name, s.stored])).toEqual([
      ["client-key", false],
      ["signing-key", false],
      ["api-key", false],
    ]);
    for (const name of ["client-key", "signing-key"]) {
      const e = await refusal("store_secret", { name, value: "not a key" });
      expect(e.kind).toBe("invalid-input");
      expect(e.message).toMatch(/must be a PEM private key/);
    }
    expect((await refusal("store_secret", { name: "api-key", value: "two words" })).kind).toBe("invalid-input");
    expect((await refusal("store_secret", { name: "api-key", value: "   " })).kind).toBe("invalid-input");

    expect(await invoke("store_secret", { name: "client-key", value: PEM })).toEqual({
      name: "client-key",
      label: "TLS client certificate private key",
      stored: true,
    });
    await invoke("store_secret", { name: "api-key", value: "Zk7pQ2vX9mLr4TsW" });
    const after = await invoke<SecretStatus[]>("secrets_status");
    expect(after.map((s) => s.stored)).toEqual([true, false, true]);
    expect(JSON.stringify(after)).not.toMatch(/mock-body|Zk7pQ2vX9mLr4TsW/);

    expect(await invoke("delete_secret", { name: "client-key" })).toMatchObject({ name: "client-key", stored: false });
  });

  it("signs out, after which nothing reaches a service again", async () => {
    expect((await invoke<AppInfo>("sign_out")).user).toBeNull();
    expect((await refusal("find_patient", { nhs: "9434765919" })).kind).toBe("sign-in-required");
  });
});
