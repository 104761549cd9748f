import { act, render, screen } from "@testing-library/react";
import userEvent, { type UserEvent } from "@testing-library/user-event";
import type { Role, SearchEvent, SearchRequest, SlotView, User } from "../api/bindings";
import { App } from "../App";
import { alex } from "./fixtures";
import { passFrame } from "./frames";
import * as client from "./mockClient";
import { ok } from "./mockClient";

/**
 * Renders the whole app against the mocked client, signs in through the form (the app starts
 * signed out, as the real one does) and waits until the desk is ready for a call.
 */
export async function renderApp(role: Role = "call-handler", person: Omit<User, "role"> = alex) {
  const user = userEvent.setup();
  const view = render(<App />);
  await signInThroughForm(user, role, person);
  return { user, ...view };
}

/** Fills in the sign-in form as a person would, signs in, and waits for the desk. */
export async function signInThroughForm(user: UserEvent, role: Role = "call-handler", person: Omit<User, "role"> = alex) {
  await submitSignIn(user, role, person);
  await screen.findByTestId("nhs-input");
}

/** Fills in the sign-in form as a person would (pasting, to keep tests quick) and sends it. */
export async function submitSignIn(user: UserEvent, role: Role = "call-handler", person: Omit<User, "role"> = alex) {
  await screen.findByTestId("sign-in-form");
  const fields: [string, string][] = [
    ["sign-in-name", person.name],
    ["sign-in-sds-user", person.sds_user_id],
    ["sign-in-role-profile", person.sds_role_profile_id],
    ["sign-in-local-id", person.local_id],
  ];
  for (const [testId, value] of fields) {
    const field = screen.getByTestId(testId);
    await user.clear(field);
    if (value) await user.paste(value);
  }
  await user.click(screen.getByTestId(`sign-in-role-${role}`));
  await user.click(screen.getByTestId("sign-in-submit"));
}

export type SearchCall = {
  request: SearchRequest;
  /** One event arrives and a frame passes, so the screen shows it. */
  emit: (event: SearchEvent) => void;
  /** One event arrives, with no frame passing: as many messages arrive between two paints. */
  deliver: (event: SearchEvent) => void;
  /** An animation frame passes (the screen is drawn with what has arrived). */
  frame: () => void;
  progress: (serviceId: string, progress: Extract<SearchEvent, { event: "progress" }>["progress"]) => void;
  slots: (serviceId: string, slots: SlotView[]) => void;
  finish: () => void;
  /**
   * The command returns, with no `finished` event: as a real one may, before the events of a slow
   * service have reached the screen.
   */
  returns: () => Promise<void>;
};

/** Lets a test stream search events by hand, one service at a time. */
export function controlSearch(): SearchCall[] {
  const calls: SearchCall[] = [];
  client.searchSlots.mockImplementation(
    (request, onEvent) =>
      new Promise((resolve) => {
        const deliver = (event: SearchEvent) => act(() => onEvent(event));
        const frame = () => act(() => passFrame());
        const emit = (event: SearchEvent) => {
          deliver(event);
          frame();
        };
        calls.push({
          request,
          emit,
          deliver,
          frame,
          progress: (service_id, progress) => emit({ event: "progress", service_id, service_name: service_id, progress }),
          slots: (service_id, slots) => emit({ event: "slots", service_id, slots }),
          finish: () => {
            emit({ event: "finished" });
            act(() => resolve(ok(null)));
          },
          returns: () => act(async () => resolve(ok(null))),
        });
      }),
  );
  return calls;
}

export type TriageInput = {
  complaint?: string;
  dxCode?: string;
  dxText?: string;
  /** Minutes, as the select's value. */
  timeframe?: string;
  consent?: boolean;
  /** Symptom group and discriminator, as code and words: what the DoS searches by. */
  sg?: [string, string];
  sd?: [string, string];
  /** Typed when the patient's record gives no phone to start from. */
  callBack?: string;
};

/**
 * Opens the triage summary with Alt+T, fills what every summary needs (pasting, to keep tests
 * quick) and saves it. The call-back number and assessor come prefilled.
 */
export async function saveTriage(user: UserEvent, input: TriageInput = {}) {
  const { complaint = "Sore throat and fever for 3 days", dxCode = "Dx05", dxText = "Speak to a primary care service within 2 hours", timeframe = "4320", consent = true } = input;
  await user.keyboard("{Alt>}t{/Alt}");
  const first = await screen.findByTestId("triage-complaint");
  const fill = async (testId: string, value: string) => {
    const field = testId === "triage-complaint" ? first : screen.getByTestId(testId);
    await user.clear(field);
    if (value) await user.paste(value);
  };
  await user.click(first);
  await fill("triage-complaint", complaint);
  await user.click(screen.getByTestId("triage-dx-code"));
  await fill("triage-dx-code", dxCode);
  await user.click(screen.getByTestId("triage-dx-text"));
  await fill("triage-dx-text", dxText);
  await user.selectOptions(screen.getByTestId("triage-timeframe"), timeframe);
  for (const [which, coded] of [["sg", input.sg], ["sd", input.sd]] as const) {
    if (!coded) continue;
    await user.click(screen.getByTestId(`triage-${which}-code`));
    await fill(`triage-${which}-code`, coded[0]);
    await user.click(screen.getByTestId(`triage-${which}-text`));
    await fill(`triage-${which}-text`, coded[1]);
  }
  if (input.callBack) {
    await user.click(screen.getByTestId("triage-call-back"));
    await fill("triage-call-back", input.callBack);
  }
  const tick = screen.getByTestId("triage-consent");
  if ((tick as HTMLInputElement).checked !== consent) await user.click(tick);
  await user.click(screen.getByTestId("triage-save"));
}
