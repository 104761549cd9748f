import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Role } from "../../api/bindings";
import type { ApiError } from "../../api/client";
import { apiError, services } from "../../test/fixtures";
import { UpcomingNotice } from "./UpcomingNotice";

const keyMissing = apiError({
  kind: "keyring",
  service_id: "leeds-ed",
  message: "The National API platform API key is not in the keyring.",
  next_step: "Store it with `bookdesk secrets set api-key` or in Settings, then try again.",
});
const timedOut = apiError({ kind: "timeout", service_id: "beckside", message: "Beckside Medical Practice did not answer within 15 seconds." });

function renderNotice(failures: ApiError[], role: Role = "call-handler") {
  render(
    <UpcomingNotice
      state={{ status: "done", appointments: [], failures }}
      acknowledged={false}
      onAcknowledge={() => {}}
      disabled={false}
      services={services}
      role={role}
    />,
  );
  return screen.getByTestId("upcoming-not-asked");
}

describe("issue 18.11: services the “already booked?” check could not ask", () => {
  it("names them as the directory does, not by their ids", () => {
    const notice = renderNotice([timedOut, keyMissing]);
    expect(notice).toHaveTextContent("Not checked: Beckside Medical Practice, Leeds East Hospital Emergency Department — ask the patient.");
    expect(notice).not.toHaveTextContent("beckside");
  });

  it("tells a call handler who can put a set-up fault right, without the technical words", () => {
    const notice = renderNotice([timedOut, keyMissing]);
    expect(notice).toHaveTextContent("Booking Desk is not set up to reach Leeds East Hospital Emergency Department. Call the desk's administrator.");
    expect(notice).not.toHaveTextContent("keyring");
  });

  it("shows a supervisor the set-up fault's technical words as well", () => {
    const notice = renderNotice([keyMissing], "supervisor");
    expect(notice).toHaveTextContent("Call the desk's administrator.");
    expect(notice).toHaveTextContent("The National API platform API key is not in the keyring.");
  });
});
