import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import type { AppInfo, FirstScreen, Interrupted, SignedIn } from "./api/bindings";
import { appInfo, firstScreenShown, lockDesk, type ApiError } from "./api/client";
import { AppHeader } from "./components/AppHeader";
import { ErrorPanel } from "./components/ErrorPanel";
import { hasNews, InterruptedNotice, noticeTitle } from "./components/InterruptedNotice";
import { SignInScreen } from "./screens/SignIn/SignInScreen";
import { useIdleLock } from "./idleLock";
import { takeTypedDigits } from "./typedAhead";

// The desk behind Sign in is its own chunk: the first screen needs none of it, so the window is
// usable before the rest of the UI is read; it is fetched as soon as Sign in is drawn.
const loadDesk = () => import("./Desk");
const Desk = lazy(() => loadDesk().then((m) => ({ default: m.Desk })));

type Start = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; info: AppInfo };

/** Start-up, then sign-in, then the desk of whoever signed in. */
export function App() {
  const [start, setStart] = useState<Start>({ state: "loading" });
  // Bumped at every sign-in: each person gets a fresh desk, with nothing left from the last call.
  const [session, setSession] = useState(0);
  // Bookings an earlier run left in flight, until the person acknowledges what became of them.
  const [interrupted, setInterrupted] = useState<Interrupted | null>(null);
  // The desk was left: the screen hides the patient until someone signs in again.
  // How: left for the idle time, or locked by the person as they stepped away.
  const [locked, setLocked] = useState<"idle" | "by-hand" | null>(null);
  const signedIn = start.state === "ready" && !!start.info.user;
  const lock = useCallback(() => setLocked("idle"), []);
  const lockByHand = useCallback(() => {
    void lockDesk();
    setLocked("by-hand");
  }, []);
  useIdleLock(signedIn && locked === null, start.state === "ready" ? start.info.idle_lock_minutes : 10, lock);

  useEffect(() => {
    void appInfo().then((r) => {
      setStart(r.ok ? { state: "ready", info: r.value } : { state: "error", error: r.error });
      if (r.ok && r.value.locked) setLocked("idle");
    });
  }, []);

  // Once, when the first screen is on it (Sign in, or why the desk could not start): the first
  // frame callback runs before that frame is painted, the second after it, so the mark means
  // drawn, not just committed.
  const signInShown = start.state === "ready" && !start.info.user;
  const firstScreen: FirstScreen | null = start.state === "error" ? "start-error" : signInShown ? "sign-in" : null;
  const firstScreenMarked = useRef(false);
  useEffect(() => {
    if (!firstScreen || firstScreenMarked.current) return;
    firstScreenMarked.current = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        void firstScreenShown(firstScreen);
        if (firstScreen === "sign-in") void loadDesk();
      }),
    );
  }, [firstScreen]);

  if (start.state === "loading") {
    return (
      <StartupPage>
        <p role="status">Starting Booking Desk…</p>
      </StartupPage>
    );
  }
  if (start.state === "error") {
    return (
      <StartupPage error>
        <ErrorPanel error={start.error} title="Booking Desk could not start" takeFocus />
      </StartupPage>
    );
  }

  const info = start.info;
  const onSignedIn = (answer: SignedIn) => {
    // The same person back after a lock carries on where they were; anyone else starts afresh.
    if (!(locked && answer.same_person)) setSession((n) => n + 1);
    setLocked(null);
    // Interrupted bookings are read before anything else: what was typed ahead is dropped.
    if (hasNews(answer.interrupted)) takeTypedDigits();
    setInterrupted(hasNews(answer.interrupted) ? answer.interrupted : null);
    setStart({ state: "ready", info: answer.info });
  };
  if (!info.user) {
    return <SignInScreen info={info} onSignedIn={onSignedIn} />;
  }
  // Locked: the sign-in over a desk kept out of sight (and out of the accessibility tree), so a
  // booking in flight still finishes and the same person finds their call as they left it.
  const lockScreen = locked && (
    <SignInScreen info={info} lockedFor={info.user.name} lockedByHand={locked === "by-hand"} onSignedIn={onSignedIn} />
  );
  if (interrupted && !locked) {
    // Before the desk opens: nothing else to do until the person has seen it.
    return (
      <div className="app">
        <AppHeader info={info} />
        <main className="app__main">
          <h1 className="visually-hidden">{noticeTitle(interrupted)}</h1>
        </main>
        <InterruptedNotice interrupted={interrupted} onAcknowledge={() => setInterrupted(null)} />
      </div>
    );
  }
  return (
    <>
      {lockScreen}
      <div hidden={locked !== null} className="desk-holder" data-testid="desk-behind-lock">
        <Suspense
          fallback={
            <StartupPage>
              <p role="status">Opening the desk…</p>
            </StartupPage>
          }
        >
          <Desk
            key={session}
            info={info}
            user={info.user}
            onLock={lockByHand}
            onSignedOut={(next) => setStart({ state: "ready", info: next })}
          />
        </Suspense>
      </div>
    </>
  );
}

/** A message that fills the window before the desk opens: a page of its own, with its main landmark and title. */
function StartupPage({ error, children }: { error?: boolean; children: ReactNode }) {
  return (
    <main className={error ? "startup startup--error" : "startup"}>
      <h1 className="visually-hidden">Booking Desk</h1>
      {children}
    </main>
  );
}
