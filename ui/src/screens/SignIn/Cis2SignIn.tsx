import { useEffect, useId, useRef, useState } from "react";
import type { RoleChoice, SignedIn } from "../../api/bindings";
import { cancelSignIn, chooseRole, signInCis2, type ApiError } from "../../api/client";
import { ErrorPanel } from "../../components/ErrorPanel";
import { formatRole } from "../../format";
import { moveFocus } from "../../focus";

type Props = { onSignedIn: (answer: SignedIn) => void };

/**
 * Sign-in with NHS CIS2: the provider's page opens in the system browser (smartcard or
 * authenticator there); who the person is and their roles come back from it, never typed here.
 * A person with several roles at this organisation chooses one.
 */
export function Cis2SignIn({ onSignedIn }: Props) {
  const base = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [offer, setOffer] = useState<{ name: string; choices: RoleChoice[] } | null>(null);
  const [chosen, setChosen] = useState(0);
  const start = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLInputElement>(null);

  useEffect(() => start.current?.focus(), []);
  useEffect(() => {
    if (offer) moveFocus(firstChoice.current);
  }, [offer]);

  async function begin() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await signInCis2();
    setBusy(false);
    if (!r.ok) return setError(r.error);
    if (r.value.state === "signed-in") return onSignedIn(r.value);
    setChosen(0);
    setOffer({ name: r.value.name, choices: r.value.choices });
  }

  async function choose() {
    if (!offer || busy) return;
    setBusy(true);
    const r = await chooseRole(offer.choices[chosen]);
    setBusy(false);
    if (r.ok) return onSignedIn(r.value);
    setOffer(null);
    setError(r.error);
  }

  if (offer) {
    return (
      <form
        data-testid="cis2-roles"
        onSubmit={(e) => {
          e.preventDefault();
          void choose();
        }}
      >
        <fieldset className="fieldset">
          <legend className="fieldset__legend field__label">{offer.name}, choose the role you are working in</legend>
          {offer.choices.map((c, i) => (
            <label key={`${c.profile.role_profile_id}-${c.role}`} className="radio" htmlFor={`${base}-choice-${i}`}>
              <input
                id={`${base}-choice-${i}`}
                ref={i === 0 ? firstChoice : undefined}
                type="radio"
                name={`${base}-choice`}
                checked={chosen === i}
                onChange={() => setChosen(i)}
                data-testid={`cis2-role-${i}`}
              />
              <span>
                <span className="radio__label">{formatRole(c.role)}</span>
                <span className="radio__hint">
                  {c.job_role_name} at {c.profile.org_code} (role profile {c.profile.role_profile_id})
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="button-row">
          <button type="submit" className="button button--primary" aria-disabled={busy || undefined} data-testid="cis2-role-continue">
            {busy ? "Signing in…" : "Continue"}
          </button>
        </div>
      </form>
    );
  }

  return (
    <div data-testid="cis2-sign-in">
      {error && <ErrorPanel error={error} />}
      <p className="muted">Your sign-in page opens in your browser: use your NHS smartcard or authenticator there, then come back here.</p>
      <div className="button-row">
        <button
          ref={start}
          type="button"
          className="button button--primary"
          aria-disabled={busy || undefined}
          data-testid="cis2-start"
          onClick={() => void begin()}
        >
          {busy ? "Waiting for the sign-in in your browser…" : "Sign in with NHS CIS2"}
        </button>
        {/* The browser may have been closed, or the card left at home: the desk need not wait. */}
        {busy && (
          <button type="button" className="button" data-testid="cis2-cancel" onClick={() => void cancelSignIn()}>
            Cancel
          </button>
        )}
      </div>
      <p className="visually-hidden" aria-live="assertive">
        {busy ? "Waiting for you to sign in, in your browser" : ""}
      </p>
    </div>
  );
}
