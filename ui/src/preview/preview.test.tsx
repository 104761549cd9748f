// The whole app in the browser preview: the real client and bindings over Tauri's IPC mock, the
// answers the engine gave on the demo. A person signs in and finds a demo patient.
import { clearMocks } from "@tauri-apps/api/mocks";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, expect, it } from "vitest";
import { App } from "../App";
import { signInThroughForm } from "../test/app";
import { alex } from "../test/fixtures";
import { installPreview, type Recorded } from "./ipc";
import recorded from "./recorded.json";

afterEach(() => clearMocks());

it("signs in and finds a demo patient on the recorded answers", async () => {
  installPreview(recorded as Recorded);
  const user = userEvent.setup();
  render(<App />);
  await signInThroughForm(user, "call-handler", alex);
  expect(screen.getByTestId("demo-band")).toBeInTheDocument();
  await user.type(screen.getByTestId("nhs-input"), "9434765919");
  await waitFor(() => expect(screen.getByTestId("nhs-status")).toHaveTextContent("Valid NHS number 943 476 5919"));
  await user.click(screen.getByTestId("find-patient"));
  expect(await screen.findByTestId("patient-banner")).toHaveTextContent("JACKSON");
});
