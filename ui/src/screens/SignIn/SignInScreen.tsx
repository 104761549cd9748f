import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import { ErrorSummary } from "../../components/ErrorSummary";
import type { AppInfo, Role, SignedIn } from "../../api/bindings";
import { signIn, type ApiError } from "../../api/client";
import { AppHeader } from "../../components/AppHeader";
import { ErrorPanel } from "../../components/ErrorPanel";
import { moveFocus } from "../../focus";
import { keepTypedDigits, takeTypedDigits } from "../../typedAhead";
import { Cis2SignIn } from "./Cis2SignIn";

type Props = {
  info: AppInfo;
  onSignedIn: (answer: SignedIn) => void;
  /** The desk locked while this person was signed in: they, or someone else, sign in again. */
  lockedFor?: string;
  /** Locked by the person as they stepped away, not for being left. */
  lockedByHand?: boolean;
};

type Fields = {
  name: string;
  sdsUser: string;
  roleProfile: string;
  localId: string;
  role: Role | "";
};

type Key = keyof Fields;

export const ROLES: { role: Role; label: string; hint: string }[] = [
  { role: "call-handler", label: "Call handler", hint: "Finds slots and books, changes and cancels appointments." },
  { role: "clinician", label: "Clinician", hint: "Books, changes and cancels appointments." },
  { role: "supervisor", label: "Supervisor", hint: "Reviews bookings and appointments; does not book." },
];

// A made-up named person for trying the demo: never a shared "demo" login.
const DEMO_USER = { name: "Alex Taylor", sdsUser: "555021935107", roleProfile: "UNK", localId: "alex.taylor" };

const EMPTY: Fields = { name: "", sdsUser: "", roleProfile: "UNK", localId: "", role: "" };

function check(f: Fields): [Key, string][] {
  const problems: [Key, string][] = [];
  if (!f.name.trim()) problems.push(["name", "Enter your full name"]);
  if (!f.sdsUser.trim()) problems.push(["sdsUser", "Enter your SDS user id"]);
  if (!f.roleProfile.trim()) problems.push(["roleProfile", "Enter your SDS role profile id, or UNK if you have no smartcard"]);
  if (!f.localId.trim()) problems.push(["localId", "Enter your local user id"]);
  if (!f.role) problems.push(["role", "Choose your role"]);
  return problems;
}

/**
 * Who is working, before anything else: every booking carries a named person and their role, so
 * the desk never starts with a shared or remembered login.
 */
export function SignInScreen({ info, onSignedIn, lockedFor, lockedByHand = false }: Props) {
  const base = useId();
  const id = (k: Key) => (k === "role" ? `${base}-role-${ROLES[0].role}` : `${base}-${k}`);
  const [f, setF] = useState<Fields>(EMPTY);
  const [problems, setProblems] = useState<[Key, string][]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // A ref, not state: Enter pressed twice in one frame must send one sign-in.
  const inFlight = useRef(false);
  const first = useRef<HTMLInputElement>(null);
  const firstRole = useRef<HTMLInputElement>(null);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Digits typed are this form's again: a desk left while it was still opening kept them.
    takeTypedDigits();
    first.current?.focus();
  }, []);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (inFlight.current) return;
    const found = check(f);
    setProblems(found);
    setError(null);
    if (found.length > 0 || !f.role) {
      // Focus the summary so the problems are read out and each links to its field.
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    inFlight.current = true;
    setBusy(true);
    // The handler may start on the NHS number before the desk is there to take it.
    keepTypedDigits();
    const r = await signIn({
      name: f.name.trim(),
      sds_user_id: f.sdsUser.trim(),
      sds_role_profile_id: f.roleProfile.trim(),
      local_id: f.localId.trim(),
      role: f.role,
    });
    inFlight.current = false;
    if (r.ok) {
      onSignedIn(r.value);
      return;
    }
    // What was typed stays: the person corrects one field rather than starting again. Digits
    // typed while waiting were not for this form, and none are kept from now on.
    takeTypedDigits();
    setBusy(false);
    setError(r.error);
  }

  function onRoleKey(e: KeyboardEvent<HTMLInputElement>) {
    // Enter on a role submits too, as it does in the text fields: choose, then Enter.
    if (e.key === "Enter") {
      e.preventDefault();
      void submit();
    }
  }

  function fillDemoUser() {
    setF((old) => ({ ...old, ...DEMO_USER }));
    setProblems([]);
    setError(null);
    // The role is still the person's own choice: that is where they go next.
    if (!f.role) moveFocus(firstRole.current);
  }

  const err = (k: Key) => problems.find(([key]) => key === k)?.[1];
  const text = (k: Exclude<Key, "role">, label: string, testId: string, hint?: string) => {
    const hintId = `${id(k)}-hint`;
    const errorId = `${id(k)}-error`;
    const describedBy = [hint ? hintId : null, err(k) ? errorId : null].filter(Boolean).join(" ") || undefined;
    return (
      <div className={err(k) ? "field field--error" : "field"}>
        <label className="field__label" htmlFor={id(k)}>
          {label}
        </label>
        {hint && (
          <div className="field__hint" id={hintId}>
            {hint}
          </div>
        )}
        {err(k) && (
          <div className="field__error" id={errorId}>
            {err(k)}
          </div>
        )}
        <input
          id={id(k)}
          ref={k === "name" ? first : undefined}
          className={k === "localId" ? "input input--w20" : "input"}
          value={f[k]}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={err(k) ? true : undefined}
          aria-describedby={describedBy}
          data-testid={testId}
          onChange={(e) => setF({ ...f, [k]: e.target.value })}
        />
      </div>
    );
  };

  const org = `${info.organisation.name} (${info.organisation.ods})`;
  // What every way of signing in opens with: the screen's one level-one heading (signing in is
  // all this screen is for), why it is asked again after a lock, and whom the desk books for.
  const heading = (
    <>
      <h1 id={`${base}-title`} className="panel__title sign-in__title">
        {lockedFor ? "Desk locked" : "Sign in"}
      </h1>
      {lockedFor && (
        <p data-testid="locked-note">
          {lockedByHand
            ? "The desk was locked. "
            : `The desk locked after ${info.idle_lock_minutes} ${info.idle_lock_minutes === 1 ? "minute" : "minutes"} unused. `}
          <strong>{lockedFor}</strong> was signed in: sign
          in again to carry on. Anyone else starts afresh, with nothing of the last call on screen.
        </p>
      )}
      <p className="sign-in__org">
        Booking for <strong>{org}</strong>
      </p>
    </>
  );

  const page = (children: ReactNode) => (
    <div className="app sign-in">
      <AppHeader info={info} />
      <main className="app__main sign-in__main">
        <section className="panel sign-in__panel" aria-labelledby={`${base}-title`}>
          {heading}
          {children}
        </section>
      </main>
    </div>
  );

  if (info.sign_in !== "named") {
    return page(
      info.sign_in === "cis2" ? (
        <Cis2SignIn onSignedIn={onSignedIn} />
      ) : (
        <p role="alert" data-testid="sign-in-unconfigured">
          This desk reaches real NHS services, so people sign in with NHS CIS2, and its configuration has no
          [cis2] section. Ask your IT team to add the CIS2 issuer and client id to the desk&apos;s configuration.
        </p>
      ),
    );
  }

  return page(
    <>
      <p className="muted">
        Use your own details: every booking, change and cancellation is recorded in your name. Shared or generic
        logins are not allowed.
      </p>
      {error && <ErrorPanel error={error} />}
      <ErrorSummary problems={problems} fieldId={id} headingId={`${base}-summary`} summaryRef={summary} />
      <form data-testid="sign-in-form" noValidate onSubmit={submit} aria-labelledby={`${base}-title`}>
        {text("name", "Full name", "sign-in-name")}
        <div className="form-grid">
          {text("sdsUser", "SDS user id", "sign-in-sds-user", "From your NHS smartcard record")}
          {text("roleProfile", "SDS role profile id", "sign-in-role-profile", "UNK if you have no smartcard")}
        </div>
        {text("localId", "Local user id", "sign-in-local-id", "Your login name at this centre")}
        <fieldset
          className={err("role") ? "fieldset field--error" : "fieldset"}
          aria-describedby={err("role") ? `${base}-role-error` : undefined}
        >
          <legend className="fieldset__legend field__label">Your role</legend>
          {err("role") && (
            <div className="field__error" id={`${base}-role-error`}>
              {err("role")}
            </div>
          )}
          {ROLES.map((r, i) => (
            <label key={r.role} className="radio" htmlFor={`${base}-role-${r.role}`}>
              <input
                id={`${base}-role-${r.role}`}
                ref={i === 0 ? firstRole : undefined}
                type="radio"
                name={`${base}-role`}
                value={r.role}
                checked={f.role === r.role}
                aria-describedby={`${base}-role-${r.role}-hint`}
                data-testid={`sign-in-role-${r.role}`}
                onChange={() => setF({ ...f, role: r.role })}
                onKeyDown={onRoleKey}
              />
              <span>
                <span className="radio__label">{r.label}</span>
                <span className="radio__hint" id={`${base}-role-${r.role}-hint`}>
                  {r.hint}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="button-row">
          <button
            type="submit"
            className="button button--primary"
            data-testid="sign-in-submit"
            // Not `disabled`: a disabled button drops the focus, and the person would lose their place.
            aria-disabled={busy || undefined}
          >
            {busy ? "Signing in…" : "Sign in"}
          </button>
          {info.demo && (
            <button
              type="button"
              className="button button--small button--secondary sign-in__demo"
              data-testid="sign-in-demo-user"
              onClick={fillDemoUser}
            >
              Use a demo user
            </button>
          )}
        </div>
        <p className="visually-hidden" aria-live="assertive">
          {busy ? "Signing in, please wait" : ""}
        </p>
      </form>
    </>,
  );
}
