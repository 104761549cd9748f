import { useEffect, useRef, useState } from "react";
import type { AppInfo } from "./api/bindings";
import { appInfo, firstScreenShown, type ApiError } from "./api/client";
import { ErrorPanel } from "./components/ErrorPanel";
import { Desk } from "./Desk";
import { SignInScreen } from "./screens/SignIn/SignInScreen";

type Start = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; info: AppInfo };

/** Start-up, then sign-in, then the desk of whoever signed in. */
export function App() {
  const [start, setStart] = useState<Start>({ state: "loading" });
  // Bumped at every sign-in: each person gets a fresh desk, with nothing left from the last call.
  const [session, setSession] = useState(0);

  useEffect(() => {
    void appInfo().then((r) => setStart(r.ok ? { state: "ready", info: r.value } : { state: "error", error: r.error }));
  }, []);

  // Once, when Sign in is first on screen: the first frame callback runs before that frame is
  // painted, the second after it, so the mark means drawn, not just committed.
  const signInShown = start.state === "ready" && !start.info.user;
  const firstScreenMarked = useRef(false);
  useEffect(() => {
    if (!signInShown || firstScreenMarked.current) return;
    firstScreenMarked.current = true;
    requestAnimationFrame(() => requestAnimationFrame(() => void firstScreenShown()));
  }, [signInShown]);

  if (start.state === "loading") {
    return (
      <div className="startup" role="status">
        Starting Booking Desk…
      </div>
    );
  }
  if (start.state === "error") {
    return (
      <div className="startup startup--error">
        <ErrorPanel error={start.error} title="Booking Desk could not start" autoFocus />
      </div>
    );
  }

  const info = start.info;
  if (!info.user) {
    return (
      <SignInScreen
        info={info}
        onSignedIn={(next) => {
          setSession((n) => n + 1);
          setStart({ state: "ready", info: next });
        }}
      />
    );
  }
  return (
    <Desk key={session} info={info} user={info.user} onSignedOut={(next) => setStart({ state: "ready", info: next })} />
  );
}
