import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, info, secrets } from "../../test/fixtures";
import * as client from "../../test/mockClient";
import { fail } from "../../test/mockClient";
import { SettingsScreen } from "./SettingsScreen";

vi.mock("../../api/client", () => import("../../test/mockClient"));

beforeEach(() => client.resetClient());

const API_KEY = "Zk7pQ2vX9mLr4TsW";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCsecret-body-91c4\n-----END PRIVATE KEY-----";

async function renderSettings() {
  const user = userEvent.setup();
  const onBack = vi.fn();
  const view = render(<SettingsScreen info={info} serviceCount={8} onBack={onBack} />);
  await screen.findByTestId("secret-row-api-key");
  return { user, onBack, ...view };
}

const t = (id: string) => screen.getByTestId(id);

describe("Settings", () => {
  it("lists each secret with whether it is stored, and never a value", async () => {
    await renderSettings();
    expect(screen.getAllByTestId(/^secret-row-/).map((r) => r.dataset.testid)).toEqual([
      "secret-row-client-key",
      "secret-row-signing-key",
      "secret-row-api-key",
    ]);
    expect(t("secret-row-client-key")).toHaveTextContent("TLS client certificate private key");
    expect(t("secret-status-client-key")).toHaveTextContent(/^Not stored$/);
    expect(t("secret-status-signing-key")).toHaveTextContent(/^Stored$/);
    expect(t("secret-status-api-key")).toHaveTextContent(/^Not stored$/);
    // PEM keys go in a box that keeps their lines; the API key in a password field.
    for (const name of ["client-key", "signing-key"]) {
      const box = t(`secret-input-${name}`);
      expect(box.tagName).toBe("TEXTAREA");
      expect(box).toHaveAttribute("autocomplete", "off");
      expect(box).toHaveAttribute("spellcheck", "false");
      expect(box).toHaveValue("");
    }
    const apiKey = t("secret-input-api-key");
    expect(apiKey).toHaveAttribute("type", "password");
    expect(apiKey).toHaveAttribute("autocomplete", "off");
    expect(apiKey).toHaveAttribute("spellcheck", "false");
    // Remove only where there is something to remove.
    expect(screen.queryByTestId("secret-remove-client-key")).toBeNull();
    expect(t("secret-remove-signing-key")).toBeInTheDocument();
    expect(screen.queryByTestId("secret-remove-api-key")).toBeNull();
    expect(t("settings-screen")).toHaveTextContent("NHS 111 North West (RYA)");
    expect(t("settings-screen")).toHaveTextContent("8 services in the directory");
  });

  it("stores the API key, then empties the field and never shows the value again", async () => {
    const { user, container } = await renderSettings();
    await user.type(t("secret-input-api-key"), API_KEY);
    await user.click(t("secret-store-api-key"));
    expect(client.storeSecret).toHaveBeenCalledWith("api-key", API_KEY);
    await vi.waitFor(() => expect(t("secret-status-api-key")).toHaveTextContent(/^Stored$/));
    expect(t("secret-input-api-key")).toHaveValue("");
    expect(t("secret-done-api-key")).toHaveTextContent("National API platform API key stored");
    expect(t("secret-remove-api-key")).toBeInTheDocument();
    // Nowhere on the page: not in a field, an attribute or any text.
    expect(container.innerHTML).not.toContain(API_KEY);
    for (const el of container.querySelectorAll("input, textarea")) {
      expect((el as HTMLInputElement).value).not.toContain(API_KEY);
    }
  });

  it("stores a pasted PEM key with Ctrl+Enter and empties the box", async () => {
    const { user, container } = await renderSettings();
    await user.click(t("secret-input-client-key"));
    await user.paste(PEM);
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(client.storeSecret).toHaveBeenCalledWith("client-key", PEM);
    await vi.waitFor(() => expect(t("secret-status-client-key")).toHaveTextContent(/^Stored$/));
    expect(t("secret-input-client-key")).toHaveValue("");
    expect(container.innerHTML).not.toContain("secret-body-91c4");
  });

  it("does nothing with an empty field but put the person in it", async () => {
    const { user } = await renderSettings();
    await user.click(t("secret-store-api-key"));
    expect(client.storeSecret).not.toHaveBeenCalled();
    expect(t("secret-input-api-key")).toHaveFocus();
  });

  it("shows the engine's refusal in the ErrorPanel and keeps the value to put right", async () => {
    client.storeSecret.mockResolvedValueOnce(
      fail(
        apiError({
          kind: "invalid-input",
          message: "The Client assertion signing key (RS512) must be a PEM private key (-----BEGIN PRIVATE KEY-----).",
          next_step: "Check the value and store it again.",
          trace_id: null,
          code: null,
        }),
      ),
    );
    const { user } = await renderSettings();
    await user.click(t("secret-input-signing-key"));
    await user.paste("not a key");
    await user.click(t("secret-store-signing-key"));
    const row = t("secret-row-signing-key");
    const panel = await within(row).findByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "invalid-input");
    expect(panel).toHaveTextContent("must be a PEM private key");
    expect(t("secret-status-signing-key")).toHaveTextContent(/^Stored$/);
    expect(t("secret-input-signing-key")).toHaveValue("not a key");
  });

  it("shows a keyring failure when storing", async () => {
    client.storeSecret.mockResolvedValueOnce(
      fail(apiError({ kind: "keyring", message: "The system keyring could not be used.", next_step: "Unlock the keyring, then try again." })),
    );
    const { user } = await renderSettings();
    await user.type(t("secret-input-api-key"), API_KEY);
    await user.keyboard("{Enter}");
    const panel = await within(t("secret-row-api-key")).findByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "keyring");
    expect(within(panel).getByRole("heading")).toHaveTextContent("The system keyring could not be used");
    expect(t("secret-status-api-key")).toHaveTextContent(/^Not stored$/);
  });

  it("removes a stored secret only once confirmed", async () => {
    const { user } = await renderSettings();
    await user.click(t("secret-remove-signing-key"));
    const dialog = screen.getByRole("alertdialog", { name: "Remove the Client assertion signing key (RS512)?" });
    await user.click(within(dialog).getByRole("button", { name: "Keep" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await user.click(t("secret-remove-signing-key"));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(client.deleteSecret).not.toHaveBeenCalled();

    await user.click(t("secret-remove-signing-key"));
    await user.click(t("confirm-remove-secret"));
    expect(client.deleteSecret).toHaveBeenCalledWith("signing-key");
    await vi.waitFor(() => expect(t("secret-status-signing-key")).toHaveTextContent(/^Not stored$/));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(screen.queryByTestId("secret-remove-signing-key")).toBeNull();
  });

  it("shows a keyring that cannot be read, with a way to try again", async () => {
    client.secretsStatus.mockResolvedValueOnce(
      fail(apiError({ kind: "keyring", message: "The system keyring could not be used.", next_step: "Unlock the keyring, then try again." })),
    );
    const user = userEvent.setup();
    render(<SettingsScreen info={info} serviceCount={8} onBack={() => {}} />);
    const panel = await screen.findByTestId("error-panel");
    expect(panel).toHaveAttribute("data-kind", "keyring");
    expect(screen.queryByTestId(/^secret-row-/)).toBeNull();
    await user.click(within(panel).getByRole("button", { name: "Try again" }));
    expect(await screen.findAllByTestId(/^secret-row-/)).toHaveLength(secrets.length);
  });

  it("goes back with the Back button", async () => {
    const { user, onBack } = await renderSettings();
    await user.click(t("settings-back"));
    expect(onBack).toHaveBeenCalled();
  });
});
