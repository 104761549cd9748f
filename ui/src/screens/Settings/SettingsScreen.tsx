import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { AppInfo, SecretStatus } from "../../api/bindings";
import { deleteSecret, secretsStatus, storeSecret, type ApiError } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { ErrorPanel } from "../../components/ErrorPanel";
import { Spinner } from "../../components/Spinner";
import { plural } from "../../format";

type Props = {
  info: AppInfo;
  /** How many services the directory in use lists; null while it could not be read. */
  serviceCount: number | null;
  onBack: () => void;
};

type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "loaded"; rows: SecretStatus[] };

/** This machine's set-up: the desk it serves, and which secrets its keyring holds (never their values). */
export function SettingsScreen({ info, serviceCount, onBack }: Props) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const heading = useRef<HTMLHeadingElement>(null);

  // The first answer is asked for by the effect below, with the screen already showing "loading".
  const fetchRows = useCallback(
    () => secretsStatus().then((r) => setLoad(r.ok ? { state: "loaded", rows: r.value } : { state: "error", error: r.error })),
    [],
  );

  const reload = useCallback(async () => {
    setLoad({ state: "loading" });
    await fetchRows();
  }, [fetchRows]);

  useEffect(() => {
    void fetchRows();
  }, [fetchRows]);

  useEffect(() => heading.current?.focus(), []);

  function replace(next: SecretStatus) {
    setLoad((l) => (l.state === "loaded" ? { ...l, rows: l.rows.map((r) => (r.name === next.name ? next : r)) } : l));
  }

  return (
    <section className="panel screen-panel settings" data-testid="settings-screen" aria-labelledby="settings-title">
      <div className="panel__head">
        <h2 id="settings-title" className="panel__title" ref={heading} tabIndex={-1}>
          Settings
        </h2>
        <button type="button" className="button button--small button--secondary" data-testid="settings-back" onClick={onBack}>
          Back <kbd>Esc</kbd>
        </button>
      </div>

      <dl className="facts settings__facts">
        <dt>Desk</dt>
        <dd>
          {info.organisation.name} ({info.organisation.ods})
        </dd>
        <dt>Services</dt>
        <dd>{serviceCount === null ? "The services directory could not be read" : `${plural(serviceCount, "service")} in the directory`}</dd>
        <dt>Mode</dt>
        <dd>{info.demo ? "Demo — simulated services, not live" : "Live services"}</dd>
        <dt>Version</dt>
        <dd>{info.version}</dd>
      </dl>

      <h3 className="settings__section">Certificates and keys</h3>
      <p className="muted">
        Kept in this computer's system keyring. Booking Desk shows only whether each one is stored, never its value.
      </p>
      {load.state === "loading" && (
        <p className="loading" role="status">
          <Spinner /> Reading the keyring…
        </p>
      )}
      {load.state === "error" && (
        <ErrorPanel error={load.error}>
          <button type="button" className="button button--secondary" onClick={() => void reload()}>
            Try again
          </button>
        </ErrorPanel>
      )}
      {load.state === "loaded" && (
        <div className="secret-rows">
          {load.rows.map((s) => (
            <SecretRow key={s.name} status={s} onStatus={replace} />
          ))}
        </div>
      )}
    </section>
  );
}

type RowProps = { status: SecretStatus; onStatus: (s: SecretStatus) => void };

function SecretRow({ status, onStatus }: RowProps) {
  const base = useId();
  const { name, label, stored } = status;
  const pem = name !== "api-key";
  // Uncontrolled on purpose: the value lives only in the field until it is sent, never in React
  // state, and the field is emptied as soon as the keyring has it.
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [announce, setAnnounce] = useState("");

  async function store(e: FormEvent) {
    e.preventDefault();
    const el = field.current;
    if (!el || inFlight.current) return;
    if (el.value.trim() === "") {
      el.focus();
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setError(null);
    setAnnounce("");
    const r = await storeSecret(name, el.value);
    inFlight.current = false;
    setBusy(false);
    if (r.ok) {
      el.value = "";
      onStatus(r.value);
      setAnnounce(`${label} stored. It is kept in the keyring and not shown again.`);
    } else {
      // Kept, so a pasted key with a missing line can be put right rather than pasted again.
      setError(r.error);
    }
  }

  const hintId = `${base}-hint`;
  const common = {
    id: `${base}-value`,
    ref: field,
    className: pem ? "input input--secret" : "input input--w20",
    autoComplete: "off",
    spellCheck: false,
    "aria-describedby": hintId,
    "data-testid": `secret-input-${name}`,
    readOnly: busy,
  };

  return (
    <section className="secret-row" data-testid={`secret-row-${name}`} aria-labelledby={`${base}-label`}>
      <div className="secret-row__head">
        <h4 id={`${base}-label`} className="secret-row__label">
          {label}
        </h4>
        <span
          className={stored ? "secret-status secret-status--stored" : "secret-status"}
          data-testid={`secret-status-${name}`}
          data-stored={stored}
        >
          {stored ? "Stored" : "Not stored"}
        </span>
      </div>
      {error && <ErrorPanel error={error} compact />}
      <form className="secret-row__form" onSubmit={store} aria-label={`Store the ${label}`}>
        <div className="field">
          <label className="field__label" htmlFor={`${base}-value`}>
            {stored ? "Replace with a new value" : "Value"}
          </label>
          <div className="field__hint" id={hintId}>
            {pem
              ? "Paste the whole private key, from -----BEGIN to the END line. Ctrl+Enter stores it."
              : "One word, exactly as the national API platform issued it."}
          </div>
          {pem ? (
            <textarea
              {...common}
              rows={4}
              onKeyDown={(e) => {
                // Enter belongs to the key's lines; Ctrl+Enter stores, as in other multi-line fields.
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
            />
          ) : (
            <input {...common} type="password" />
          )}
        </div>
        <div className="button-row">
          <button
            type="submit"
            className="button button--primary"
            data-testid={`secret-store-${name}`}
            // Never `disabled`: the focus would drop out of the row while the keyring answers.
            aria-disabled={busy || undefined}
          >
            {busy ? "Storing…" : "Store"}
          </button>
          {stored && (
            <button
              type="button"
              className="button button--warning"
              data-testid={`secret-remove-${name}`}
              onClick={() => setConfirming(true)}
            >
              Remove
            </button>
          )}
        </div>
      </form>
      <p className={announce ? "notice notice--success secret-row__done" : "secret-row__done"} role="status" data-testid={`secret-done-${name}`}>
        {announce}
      </p>
      {confirming && (
        <RemoveDialog
          status={status}
          onKeep={() => setConfirming(false)}
          onRemoved={(next) => {
            setConfirming(false);
            onStatus(next);
            setAnnounce(`${label} removed from the keyring.`);
            // The Remove button has gone: carry on from the field.
            setTimeout(() => field.current?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

function RemoveDialog({ status, onKeep, onRemoved }: { status: SecretStatus; onKeep: () => void; onRemoved: (s: SecretStatus) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function remove() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await deleteSecret(status.name);
    setBusy(false);
    if (r.ok) onRemoved(r.value);
    else setError(r.error);
  }

  return (
    <Dialog title={`Remove the ${status.label}?`} onClose={() => !busy && onKeep()} alert testId="remove-secret-dialog">
      <p>Booking Desk will not be able to use it until it is stored again.</p>
      {error && <ErrorPanel error={error} title="It was not removed" compact />}
      <div className="dialog__actions">
        <button type="button" className="button button--secondary" onClick={onKeep} disabled={busy}>
          Keep
        </button>
        <button type="button" className="button button--warning" data-testid="confirm-remove-secret" onClick={() => void remove()} disabled={busy}>
          {busy ? "Removing…" : "Remove"}
        </button>
      </div>
    </Dialog>
  );
}
