import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppInfo, SignedIn, User } from "../../api/bindings";
import type { Result } from "../../api/client";
import { apiError, signedInAnswer, signedOut } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail, ok } from "../../test/mockClient";
import { SignInScreen } from "./SignInScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => client.resetClient());

function renderForm(info: AppInfo = signedOut) {
  const user = userEvent.setup();
  const onSignedIn = vi.fn();
  render(<SignInScreen info={info} onSignedIn={onSignedIn} />);
  return { user, onSignedIn };
}

const field = (id: string) => screen.getByTestId(`sign-in-${id}`);
const roles = () => ["call-handler", "clinician", "supervisor"].map((r) => field(`role-${r}`));

describe("the sign-in screen", () => {
  it("asks who is working, for which organisation, with the name field ready to type in", () => {
    renderForm();
    const form = screen.getByTestId("sign-in-form");
    expect(field("name")).toHaveFocus();
    expect(screen.getByRole("region", { name: "Sign in" })).toHaveTextContent("Booking for NHS 111 North West (RYA)");
    expect(screen.getByRole("banner")).toHaveTextContent("NHS 111 North West (RYA)");
    expect(screen.getByTestId("demo-band")).toBeInTheDocument();
    expect(within(form).getByLabelText("Full name")).toBe(field("name"));
    expect(within(form).getByLabelText("SDS user id")).toBe(field("sds-user"));
    expect(within(form).getByLabelText("Local user id")).toBe(field("local-id"));
    expect(field("role-profile")).toHaveValue("UNK");
    expect(field("role-profile")).toHaveAccessibleDescription("UNK if you have no smartcard");
    expect(within(form).getByRole("group", { name: "Your role" })).toBeInTheDocument();
    expect(roles().map((r) => r.getAttribute("type"))).toEqual(["radio", "radio", "radio"]);
    expect(screen.getByRole("radio", { name: /Call handler/ })).toBe(field("role-call-handler"));
    expect(screen.getByRole("radio", { name: /Clinician/ })).toBe(field("role-clinician"));
    expect(screen.getByRole("radio", { name: /Supervisor/ })).toBe(field("role-supervisor"));
    // The role is always the person's own choice.
    for (const r of roles()) expect(r).not.toBeChecked();
  });

  it("will not sign in without every detail and a role, and says what is missing", async () => {
    const { user, onSignedIn } = renderForm();
    await user.clear(field("role-profile"));
    await user.click(field("name"));
    await user.keyboard("{Enter}");
    const summary = await screen.findByRole("alert");
    for (const text of [
      "Enter your full name",
      "Enter your SDS user id",
      "Enter your SDS role profile id, or UNK if you have no smartcard",
      "Enter your local user id",
      "Choose your role",
    ]) {
      expect(summary).toHaveTextContent(text);
    }
    expect(field("name")).toHaveAttribute("aria-invalid", "true");

    await user.type(field("name"), "   ");
    await user.type(field("sds-user"), "555021935107");
    await user.type(field("role-profile"), "UNK");
    await user.type(field("local-id"), "sam.okafor{Enter}");
    const again = await screen.findByRole("alert");
    expect(again).toHaveTextContent("Enter your full name");
    expect(again).toHaveTextContent("Choose your role");
    expect(again).not.toHaveTextContent("SDS user id");
    // The summary links to the field to put right.
    await user.click(within(again).getByRole("link", { name: "Choose your role" }));
    expect(field("role-call-handler")).toHaveFocus();
    expect(client.signIn).not.toHaveBeenCalled();
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("signs in with Enter, sending the details as typed without stray spaces", async () => {
    const { user, onSignedIn } = renderForm();
    await user.keyboard(" Sam Okafor ");
    await user.tab();
    await user.keyboard("555021935108");
    await user.tab();
    await user.tab();
    await user.keyboard("sam.okafor");
    // Keyboard only: Tab to the roles, arrow to Clinician, Enter signs in.
    await user.tab();
    await user.keyboard("{ArrowDown}");
    expect(field("role-clinician")).toBeChecked();
    await user.keyboard("{Enter}");
    const user2: User = { name: "Sam Okafor", sds_user_id: "555021935108", sds_role_profile_id: "UNK", local_id: "sam.okafor", role: "clinician" };
    expect(client.signIn).toHaveBeenCalledWith(user2);
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(signedInAnswer(user2)));
  });

  it("shows the engine's refusal of a generic name in the ErrorPanel, keeping what was typed", async () => {
    client.signIn.mockResolvedValueOnce(
      fail(
        apiError({
          kind: "invalid-input",
          message: "Sign in as a named person: generic users are not allowed.",
          next_step: "Correct your details and sign in again.",
          trace_id: null,
          code: null,
        }),
      ),
    );
    const { user, onSignedIn } = renderForm();
    await user.type(field("name"), "admin");
    await user.type(field("sds-user"), "555021935107");
    await user.type(field("local-id"), "admin");
    await user.click(field("role-supervisor"));
    await user.click(field("submit"));
    const panel = await screen.findByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "invalid-input");
    expect(within(panel).getByRole("heading")).toHaveTextContent("Check what was entered");
    expect(panel).toHaveTextContent("Sign in as a named person: generic users are not allowed.");
    expect(panel).toHaveTextContent("Correct your details and sign in again.");
    expect(field("name")).toHaveValue("admin");
    expect(field("sds-user")).toHaveValue("555021935107");
    expect(field("role-profile")).toHaveValue("UNK");
    expect(field("local-id")).toHaveValue("admin");
    expect(field("role-supervisor")).toBeChecked();
    expect(onSignedIn).not.toHaveBeenCalled();

    await user.clear(field("name"));
    await user.type(field("name"), "Pat Lee{Enter}");
    expect(client.signIn).toHaveBeenCalledTimes(2);
    expect(client.signIn).toHaveBeenLastCalledWith(expect.objectContaining({ name: "Pat Lee", role: "supervisor" }));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  });

  it("fills in a demo user, but leaves choosing the role to the person", async () => {
    const { user, onSignedIn } = renderForm();
    await user.click(field("demo-user"));
    expect(field("name")).toHaveValue("Alex Taylor");
    expect(field("sds-user")).toHaveValue("555021935107");
    expect(field("role-profile")).toHaveValue("UNK");
    expect(field("local-id")).toHaveValue("alex.taylor");
    for (const r of roles()) expect(r).not.toBeChecked();
    expect(field("role-call-handler")).toHaveFocus();
    await user.click(field("submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Choose your role");
    expect(client.signIn).not.toHaveBeenCalled();

    await user.click(field("role-call-handler"));
    await user.click(field("submit"));
    expect(client.signIn).toHaveBeenCalledWith({
      name: "Alex Taylor",
      sds_user_id: "555021935107",
      sds_role_profile_id: "UNK",
      local_id: "alex.taylor",
      role: "call-handler",
    });
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  });

  it("offers no demo user on live services", () => {
    renderForm({ ...signedOut, demo: false });
    expect(screen.queryByTestId("sign-in-demo-user")).toBeNull();
    expect(screen.queryByTestId("demo-band")).toBeNull();
  });

  it("keeps digits typed while signing in out of the form, and takes them again after a refusal (issue 18.15)", async () => {
    let answer!: (r: Result<SignedIn>) => void;
    client.signIn.mockReturnValue(new Promise((r) => (answer = r)));
    const { user } = renderForm();
    await user.click(field("demo-user"));
    await user.click(field("role-call-handler"));
    await user.click(field("local-id"));
    await user.keyboard("{Enter}");
    // The start of an NHS number, typed while the sign-in is on its way: not the local user id's.
    await user.keyboard("943");
    expect(field("local-id")).toHaveValue("alex.taylor");

    await act(async () => answer(fail(apiError({ kind: "unavailable", message: "Booking Desk could not reach its booking engine." }))));
    expect(await screen.findByTestId("error-panel")).toBeInTheDocument();
    await user.keyboard("2");
    expect(field("local-id")).toHaveValue("alex.taylor2");
  });

  it("sends one sign-in however often Enter is pressed", async () => {
    let answer!: (r: Result<SignedIn>) => void;
    client.signIn.mockReturnValue(new Promise((r) => (answer = r)));
    const { user, onSignedIn } = renderForm();
    await user.click(field("demo-user"));
    await user.click(field("role-clinician"));
    await user.keyboard("{Enter}{Enter}");
    await user.click(field("submit"));
    expect(field("submit")).toHaveTextContent("Signing in…");
    expect(client.signIn).toHaveBeenCalledTimes(1);
    await act(async () => answer(ok(signedInAnswer({ name: "Alex Taylor", sds_user_id: "555021935107", sds_role_profile_id: "UNK", local_id: "alex.taylor", role: "clinician" }))));
    expect(onSignedIn).toHaveBeenCalledTimes(1);
  });
});
