import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SearchEvent, SearchRequest, SlotView } from "../api/bindings";
import { App } from "../App";
import * as client from "./mockClient";
import { ok } from "./mockClient";

/** Renders the whole app against the mocked client and waits until it is ready for a call. */
export async function renderApp() {
  const user = userEvent.setup();
  const view = render(<App />);
  await screen.findByTestId("nhs-input");
  return { user, ...view };
}

export type SearchCall = {
  request: SearchRequest;
  emit: (event: SearchEvent) => void;
  progress: (serviceId: string, progress: Extract<SearchEvent, { event: "progress" }>["progress"]) => void;
  slots: (serviceId: string, slots: SlotView[]) => void;
  finish: () => void;
};

/** Lets a test stream search events by hand, one service at a time. */
export function controlSearch(): SearchCall[] {
  const calls: SearchCall[] = [];
  client.searchSlots.mockImplementation(
    (request, onEvent) =>
      new Promise((resolve) => {
        const emit = (event: SearchEvent) => act(() => onEvent(event));
        calls.push({
          request,
          emit,
          progress: (service_id, progress) => emit({ event: "progress", service_id, service_name: service_id, progress }),
          slots: (service_id, slots) => emit({ event: "slots", service_id, slots }),
          finish: () => {
            emit({ event: "finished" });
            act(() => resolve(ok(null)));
          },
        });
      }),
  );
  return calls;
}
