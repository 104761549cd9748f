import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import type { AppInfo, AppointmentView, Role, Service, SlotView, User } from "./api/bindings";
import { defaultWindow, listServices, signOut, type ApiError } from "./api/client";
import { AppHeader } from "./components/AppHeader";
import { Dialog } from "./components/Dialog";
import { ErrorPanel } from "./components/ErrorPanel";
import { PatientBanner } from "./components/PatientBanner";
import { ShortcutBar } from "./components/ShortcutBar";
import { ShortcutHelp } from "./components/ShortcutHelp";
import { pressed, SHORTCUTS } from "./shortcuts";
import { slotKey } from "./components/SlotList";
import { Spinner } from "./components/Spinner";
import { moveFocus } from "./focus";
import { addDays, formatNhsNumber, formatPatientName, SERVICE_KINDS, ukToday } from "./format";
import { isTyping, runEscape } from "./keyboard";
import { takeTypedDigits } from "./typedAhead";
import { AppointmentsScreen } from "./screens/Appointments/AppointmentsScreen";
import { useBooking } from "./screens/Book/useBooking";
import { BookedScreen } from "./screens/Booked/BookedScreen";
import { CentreScreen } from "./screens/Centre/CentreScreen";
import { ReportsScreen } from "./screens/Reports/ReportsScreen";
import { PatientScreen } from "./screens/Patient/PatientScreen";
import { SettingsScreen } from "./screens/Settings/SettingsScreen";
import { SlotsScreen } from "./screens/Slots/SlotsScreen";
import { TRIAGE_FIRST_FIELD, TriageScreen } from "./screens/Triage/TriageScreen";
import { useTriage } from "./screens/Triage/useTriage";
import { careNeedFor } from "./screens/Slots/careNeed";
import { isBookable, shownName, tickedTargets } from "./screens/Slots/foundServices";
import { useFoundServices } from "./screens/Slots/useFoundServices";
import { cannotBook, filtersProblem, MAX_WINDOW_DAYS, searchCovers, useSlotSearch, whyNotSearched, type Filters, type Scope } from "./screens/Slots/useSlotSearch";
import type { ChosenPatient, Screen, ServiceRef, Tab } from "./types";

type TabDef = { tab: Tab; label: string; testId: string };

const CALL_TABS: TabDef[] = [
  { tab: "patient", label: "Patient", testId: "nav-patient" },
  { tab: "slots", label: "Find a slot", testId: "nav-slots" },
  { tab: "appointments", label: "Appointments", testId: "nav-appointments" },
];

/** Supervisors review the whole centre; everyone else sees what their own desk booked today. */
// One array per role, made once: the desk's keyboard handler depends on the tabs and should not
// be re-attached on every render.
const SUPERVISOR_TABS: TabDef[] = [
  ...CALL_TABS,
  { tab: "centre", label: "Booked", testId: "nav-centre" },
  { tab: "reports", label: "Reports", testId: "nav-reports" },
];
const CALLER_TABS: TabDef[] = [...CALL_TABS, { tab: "booked", label: "Booked today", testId: "nav-booked" }];

function tabsFor(role: Role): TabDef[] {
  return role === "supervisor" ? SUPERVISOR_TABS : CALLER_TABS;
}

const isTab = (s: Screen): s is Tab => s !== "settings" && s !== "triage";

/** The screens that are not tabs, by the name their level-one heading gives them. */
const OTHER_SCREENS: Record<Exclude<Screen, Tab>, string> = { triage: "Triage summary", settings: "Settings" };

/** The same person: the same NHS number, or the very details typed by hand. */
function samePatient(a: ChosenPatient, b: ChosenPatient): boolean {
  if (a.patient.nhs_number) return a.patient.nhs_number === b.patient.nhs_number;
  return a.source === "manual" && b.source === "manual" && a === b;
}

type Props = {
  info: AppInfo;
  user: User;
  /** Signed out: the caller shows the sign-in screen, and this desk (with the call) is gone. */
  onSignedOut: (info: AppInfo) => void;
  /** The person steps away: the desk locks now, the call kept behind the lock. */
  onLock: () => void;
};

type Switching = { busy: boolean; error: ApiError | null };

/**
 * One signed-in person's desk. Everything about the call — patient, search, booking — lives here,
 * so when the user changes, the whole desk is dropped and the next person starts clean.
 */
export function Desk({ info, user, onSignedOut, onLock }: Props) {
  const [loaded, setLoaded] = useState(false);
  const [services, setServices] = useState<Service[]>([]);
  const [servicesError, setServicesError] = useState<ApiError | null>(null);
  const [filters, setFilters] = useState<Filters>(() => {
    const today = ukToday();
    return { kinds: SERVICE_KINDS.map((k) => k.kind), from: today, to: addDays(today, MAX_WINDOW_DAYS), channel: null };
  });
  const [tab, setTab] = useState<Screen>("patient");
  const [previousTab, setPreviousTab] = useState<Screen | null>(null);
  const [patient, setPatient] = useState<ChosenPatient | null>(null);
  const [nhsText, setNhsText] = useState("");
  const [help, setHelp] = useState(false);
  const [switching, setSwitching] = useState<Switching | null>(null);
  // Another patient was asked for while a booking's outcome is unknown: say why not yet.
  const [heldBack, setHeldBack] = useState(false);
  // Whose the call's triage summary is: the last patient chosen, remembered while a lookup has
  // the banner cleared, so that only the same patient found again keeps it.
  const summaryFor = useRef<ChosenPatient | null>(null);

  const canBook = user.role !== "supervisor";
  const tabs = tabsFor(user.role);

  const nhsInput = useRef<HTMLInputElement>(null);
  const slotList = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  // Where focus should land once the next screen has rendered.
  const focusNext = useRef<(() => void) | null>(null);

  const search = useSlotSearch(services);
  const { refresh, remove } = search;
  const booking = useBooking({
    onSlotTaken: useCallback(() => {
      refresh();
      slotList.current?.focus();
    }, [refresh]),
    onBooked: useCallback((slot: SlotView) => remove([slotKey(slot)]), [remove]),
  });
  const triage = useTriage();
  // Slots nearest first rather than soonest: kept for the call, across tabs.
  const [nearest, setNearest] = useState(false);

  // The DoS is asked for the patient on the call and their saved summary; only by those who book.
  const savedSummary = triage.saved?.summary ?? null;
  // Where the patient is now, when they say it is not home: for this patient only.
  const [postcodeNow, setPostcodeNow] = useState<{ for: ChosenPatient; postcode: string } | null>(null);
  const nowFor = postcodeNow && patient !== null && postcodeNow.for === patient ? postcodeNow.postcode : null;
  const careNeed = useMemo(
    () => (canBook ? careNeedFor(patient, savedSummary, ukToday(), nowFor) : null),
    [canBook, patient, savedSummary, nowFor],
  );
  const changePostcodeNow = useCallback(
    (postcode: string) => setPostcodeNow(patient ? { for: patient, postcode: postcode.trim().toUpperCase() } : null),
    [patient],
  );
  const found = useFoundServices(careNeed);
  const scope = found.scope;
  // The booking names found services too: those the desk's own list lacks are added to it.
  const bookingServices: ServiceRef[] = useMemo(() => {
    if (found.view.status !== "found") return services;
    const known = new Set(services.map((s) => s.id));
    const extra = found.view.options
      .filter(isBookable)
      .filter((o) => !known.has(o.booking.service_id))
      .map((o) => ({ id: o.booking.service_id, name: shownName(o), standard: o.booking.standard }));
    return [...services, ...extra];
  }, [found.view, services]);

  useEffect(() => {
    void (async () => {
      // Both need the signed-in person's engine, so they are asked only now.
      const [list, window] = await Promise.all([listServices(), defaultWindow()]);
      if (list.ok) setServices(list.value);
      else setServicesError(list.error);
      // The engine's idea of today (UK days) wins over the machine clock.
      if (window.ok) setFilters((f) => ({ ...f, from: window.value.from, to: window.value.to }));
      // A call starts with the NHS number: be ready for it, with any digits typed since Sign in
      // was sent. Taken as the field takes focus, so no key falls between the two.
      focusNext.current = () => {
        const typed = takeTypedDigits();
        if (typed) setNhsText(formatNhsNumber(typed));
        nhsInput.current?.focus();
      };
      setLoaded(true);
    })();
  }, []);

  const goTab = useCallback(
    (next: Screen, then?: () => void) => {
      const focus =
        then ??
        (() => {
          if (next === "patient") nhsInput.current?.focus();
          if (next === "slots") {
            if (search.state.slots.length > 0) slotList.current?.focus();
            else moveFocus(document.querySelector("[data-testid=search-slots]:not([disabled])"));
          }
        });
      // Already there: nothing will render, so focus moves now rather than at some later render.
      if (next === tab) {
        focus();
        return;
      }
      setPreviousTab(tab);
      setTab(next);
      focusNext.current = focus;
    },
    [tab, search.state.slots.length],
  );

  // Layout effect: focus lands in the same frame as the screen it belongs to.
  useLayoutEffect(() => {
    const f = focusNext.current;
    focusNext.current = null;
    f?.();
  });

  // Services that cannot book the patient on the call are not searched, and the screen says why.
  const leaveOut = useMemo(() => cannotBook(patient), [patient]);
  const leftOut = useMemo(
    () => (scope.by === "found" ? scope.targets.filter(leaveOut) : services.filter((s) => filters.kinds.includes(s.kind) && leaveOut(s))),
    [services, filters.kinds, leaveOut, scope],
  );

  const runSearch = useCallback(() => {
    if (filtersProblem(filters, services, scope)) return;
    search.search(filters, leaveOut, scope);
    // The list is where the handler goes next: ↑↓ work as soon as slots arrive.
    goTab("slots", () => slotList.current?.focus());
  }, [filters, services, search, goTab, leaveOut, scope]);

  /**
   * The filters act at once. What is on screen is narrowed as it is shown; asking for more than the
   * last search did (a type of service or a channel it left out) searches again straight away,
   * since those slots were never fetched.
   */
  function changeFilters(next: Filters) {
    setFilters(next);
    searchMoreIfAsked(next, scope);
  }

  /** Asking for more than the last search did searches again at once, as the filters do. */
  function searchMoreIfAsked(next: Filters, nextScope: Scope) {
    const asked = search.state.request;
    if (asked && !searchCovers(asked, next, services, leaveOut, nextScope) && !filtersProblem(next, services, nextScope)) {
      search.search(next, leaveOut, nextScope);
    }
  }

  /** A found service ticked or unticked: what is shown narrows at once, and a new tick is searched. */
  function toggleFound(dosId: string, on: boolean) {
    found.toggle(dosId, on);
    if (found.view.status !== "found" || scope.by !== "found") return;
    const ids = new Set(found.ticked);
    if (on) ids.add(dosId);
    else ids.delete(dosId);
    searchMoreIfAsked(filters, { by: "found", targets: tickedTargets(found.view.options, ids) });
  }

  function choosePatient(next: ChosenPatient) {
    const same = patient !== null && samePatient(patient, next);
    // Not while a booking's outcome is unknown: this patient may be booked, or not, and only a
    // check says which.
    if (!same && !booking.reset()) {
      setHeldBack(true);
      return;
    }
    // Results belong to the patient they were found for.
    if (patient && !same) search.clear();
    // A summary typed before the patient was found is this patient's; another patient's is not.
    if (summaryFor.current && !samePatient(summaryFor.current, next)) triage.clear();
    summaryFor.current = next;
    triage.patientChosen(next.patient);
    setPatient(next);
  }

  /**
   * A lookup by NHS number is starting. Whatever it finds, the patient on the call goes now, with
   * their slots and booking, so a number with no record never leaves the last patient to book for.
   */
  function lookupStarted(nhs: string): boolean {
    if (!booking.reset()) {
      setHeldBack(true);
      return false;
    }
    search.clear();
    // The summary stays only for the same patient found again.
    if (summaryFor.current && summaryFor.current.patient.nhs_number !== nhs) {
      triage.clear();
      summaryFor.current = null;
    }
    setPatient(null);
    return true;
  }

  const { start: startTriage } = triage;
  const openTriage = useCallback(() => {
    if (!canBook) return;
    startTriage(user, patient?.patient ?? null);
    goTab("triage", () => document.getElementById(TRIAGE_FIRST_FIELD)?.focus());
  }, [canBook, startTriage, user, patient, goTab]);

  /** Saved: on to the next step of the call, where the summary is used. */
  function triageSaved() {
    if (!patient) {
      goTab("patient");
      return;
    }
    goTab("slots", () => {
      const description = document.querySelector<HTMLElement>("[data-testid=description-input]");
      if (description) description.focus();
      else if (search.state.slots.length > 0) slotList.current?.focus();
      else moveFocus(document.querySelector("[data-testid=search-slots]:not([disabled])"));
    });
  }

  const focusNhs = useCallback(() => {
    goTab("patient", () => {
      nhsInput.current?.focus();
      nhsInput.current?.select();
    });
  }, [goTab]);

  const back = useCallback(() => {
    goTab(previousTab && previousTab !== tab ? previousTab : "patient");
  }, [goTab, previousTab, tab]);

  /**
   * The patient's appointments were fetched: with a booking's outcome unknown, that settles it
   * when the booking's service answered (the booking is there or not).
   */
  function appointmentsLoaded(found: AppointmentView[], unanswered: string[]) {
    if (booking.state.phase !== "unknown" || booking.state.settled) return;
    const slot = booking.state.slot;
    if (unanswered.includes(slot.service_id)) return;
    const made = found.find((a) => a.service_id === slot.service_id && a.status === "booked" && a.slot_ids.includes(slot.id));
    booking.settle({ how: "checked", found: made ?? null });
  }

  async function signOutNow() {
    // Busy only inside the dialog: without one, nothing should flash up while signing out.
    setSwitching((s) => (s ? { busy: true, error: null } : s));
    const r = await signOut();
    if (r.ok) onSignedOut(r.value);
    else setSwitching({ busy: false, error: r.error });
  }

  function askSwitchUser() {
    // With a patient on screen the switch would end that call here: check first.
    if (patient || booking.state.phase !== "idle" || triage.draft) setSwitching({ busy: false, error: null });
    else void signOutNow();
  }

  // Shortcuts that work from anywhere; the screens handle their own keys first.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented) return;
      if (e.key === "Escape") {
        if (runEscape()) {
          e.preventDefault();
          return;
        }
        if (tab === "slots") goTab("patient");
        else if (tab !== "patient") back();
        return;
      }
      // A decision on screen (a dialog) must be answered before anything else happens.
      if (document.querySelector('[aria-modal="true"]')) return;
      if (e.ctrlKey && !e.altKey && e.code === "KeyF") {
        e.preventDefault();
        if (filtersProblem(filters, services, scope)) goTab("slots", () => moveFocus(document.getElementById("search-form-first")));
        else runSearch();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const digit = /^Digit([1-9])$/.exec(e.code);
        if (digit && Number(digit[1]) <= tabs.length) {
          e.preventDefault();
          const t = tabs[Number(digit[1]) - 1].tab;
          if (t === "patient") focusNhs();
          else goTab(t);
          return;
        }
        if (pressed(e, SHORTCUTS.appointments)) {
          e.preventDefault();
          goTab("appointments");
        }
        if (pressed(e, SHORTCUTS.triage) && canBook) {
          e.preventDefault();
          openTriage();
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      if (e.key === "/") {
        e.preventDefault();
        focusNhs();
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp(true);
      }
    }
    if (!loaded) return undefined;
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [loaded, tab, tabs, back, goTab, filters, services, scope, runSearch, focusNhs, canBook, openTriage]);

  const header = (
    <AppHeader
      info={info}
      onSwitchUser={askSwitchUser}
      onLock={onLock}
      onSettings={() => goTab("settings", () => {})}
      settingsOpen={tab === "settings"}
    />
  );

  if (!loaded) {
    return (
      <div className="app">
        {header}
        <main className="app__main">
          <h1 className="visually-hidden">Opening the desk</h1>
          <p className="loading" role="status">
            <Spinner /> Opening the desk for {user.name}…
          </p>
        </main>
      </div>
    );
  }

  const today = ukToday();
  const title = isTab(tab) ? tabs.find((t) => t.tab === tab)?.label : OTHER_SCREENS[tab];
  const organisation = `${info.organisation.name} (${info.organisation.ods})`;

  function onTabKey(e: ReactKeyboardEvent<HTMLButtonElement>) {
    // Arrow keys move along the tabs, as in any tab strip.
    const i = tabs.findIndex((t) => t.tab === tab);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const t = tabs[next].tab;
    goTab(t, () => tabRefs.current[t]?.focus());
  }

  return (
    <div className="app">
      {header}
      {patient && (
        <PatientBanner
          chosen={patient}
          onChange={focusNhs}
          triage={canBook ? { summary: triage.saved?.summary ?? null, onOpen: openTriage } : undefined}
        />
      )}
      {/* A landmark for the tab strip, so it is found with the others and nothing is left outside one. */}
      <nav className="tabs-nav">
        <div className="tabs" role="tablist" aria-label="Screens">
          {tabs.map((t, i) => (
            <button
              key={t.tab}
              ref={(el) => {
                tabRefs.current[t.tab] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.tab}`}
              className="tabs__tab"
              aria-selected={tab === t.tab}
              aria-controls="screen"
              aria-keyshortcuts={`Alt+${i + 1}`}
              // With Settings open no tab is selected; the first still takes Tab into the strip.
              tabIndex={tab === t.tab || (!isTab(tab) && i === 0) ? 0 : -1}
              data-testid={t.testId}
              onClick={() => goTab(t.tab, () => tabRefs.current[t.tab]?.focus())}
              onKeyDown={onTabKey}
            >
              {t.label} <kbd className="tabs__key">Alt+{i + 1}</kbd>
            </button>
          ))}
        </div>
      </nav>
      <main className="app__main">
        {/* Every screen has one level-one heading naming it; the design shows the tabs instead. */}
        <h1 className="visually-hidden">{title}</h1>
        {/* The tab panel is inside the main landmark, not the landmark itself: a main cannot be a tab panel. */}
        <div
          id="screen"
          className="app__screen"
          role={isTab(tab) ? "tabpanel" : undefined}
          aria-labelledby={isTab(tab) ? `tab-${tab}` : undefined}
        >
          {tab === "patient" && (
            <PatientScreen
              nhsText={nhsText}
              onNhsText={setNhsText}
              chosen={patient}
              onChosen={choosePatient}
              onLookup={lookupStarted}
              onContinue={() => goTab("slots")}
              inputRef={nhsInput}
            />
          )}
          {tab === "slots" &&
            (servicesError ? (
              <div className="screen-panel">
                <ErrorPanel error={servicesError} title="The services directory could not be read" />
              </div>
            ) : (
              <SlotsScreen
                services={services}
                filters={filters}
                onFilters={changeFilters}
              leftOut={leftOut}
              leftOutWhy={whyNotSearched(patient)}
                search={search}
                onSearch={runSearch}
                booking={booking}
                patient={patient}
                organisation={organisation}
                canBook={canBook}
                role={user.role}
                approvalBySignIn={info.sign_in === "cis2"}
                triage={{ saved: triage.saved, dirty: triage.dirty, onEdit: openTriage, onConsent: triage.setConsent }}
                today={today}
                listRef={slotList}
                onFindPatient={focusNhs}
                onAppointments={() => goTab("appointments")}
                found={found}
                postcodeNow={careNeed?.ok ? careNeed.ask.need.postcode : (nowFor ?? homePostcode(patient))}
                onPostcodeNow={changePostcodeNow}
                bookingServices={bookingServices}
                onToggleFound={toggleFound}
                nearest={nearest}
                onNearest={setNearest}
              />
            ))}
          {tab === "appointments" && (
            <AppointmentsScreen
              patient={patient}
              services={services}
              today={today}
              canChange={canBook}
              onFindPatient={focusNhs}
              onLoaded={appointmentsLoaded}
            />
          )}
          {tab === "booked" && <BookedScreen services={services} today={today} />}
          {tab === "centre" && <CentreScreen services={services} today={today} />}
          {tab === "reports" && <ReportsScreen today={today} />}
          {tab === "triage" && triage.draft && (
            <TriageScreen
              draft={triage.draft}
              onEdit={triage.edit}
              onSave={(draft, summary) => {
                triage.save(draft, summary);
                triageSaved();
              }}
              onRemove={() => {
                triage.clear();
                back();
              }}
              onBack={back}
              saved={triage.saved !== null}
              dirty={triage.dirty}
            />
          )}
          {tab === "settings" && (
            <SettingsScreen info={info} serviceCount={servicesError ? null : services.length} onBack={back} />
          )}
        </div>
      </main>
      <ShortcutBar onHelp={() => setHelp(true)} canBook={canBook} />
      {help && <ShortcutHelp onClose={() => setHelp(false)} tabs={tabs.map((t) => t.label)} canBook={canBook} />}
      {heldBack && (
        <Dialog title="A booking's outcome is unknown" onClose={() => setHeldBack(false)} alert testId="held-dialog">
          <p>
            The booking at {booking.state.phase === "unknown" ? booking.state.slot.service_name : "the service"} may or may
            not have been made. Check the patient's appointments (or with the service) before changing patient.
          </p>
          <div className="dialog__actions">
            <button type="button" className="button button--secondary" onClick={() => setHeldBack(false)}>
              Back
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setHeldBack(false);
                goTab("appointments");
              }}
            >
              Check the patient's appointments
            </button>
          </div>
        </Dialog>
      )}
      {switching && (
        <SwitchUserDialog
          patient={patient}
          draft={booking.state.phase !== "idle" || triage.draft !== null}
          bookingInFlight={booking.state.phase === "booking"}
          outcomeUnknown={booking.held}
          switching={switching}
          onStay={() => setSwitching(null)}
          onSwitch={() => void signOutNow()}
        />
      )}
    </div>
  );
}

type SwitchProps = {
  patient: ChosenPatient | null;
  /** A slot chosen for booking, a booking's outcome, or a triage summary, on screen. */
  draft: boolean;
  bookingInFlight: boolean;
  /** A booking's outcome is unknown and not yet checked. */
  outcomeUnknown: boolean;
  switching: Switching;
  onStay: () => void;
  onSwitch: () => void;
};

/** Switching user ends the call on this screen: the patient and everything found for them go. */
function SwitchUserDialog({ patient, draft, bookingInFlight, outcomeUnknown, switching, onStay, onSwitch }: SwitchProps) {
  const { busy, error } = switching;
  return (
    <Dialog title="Switch user?" onClose={() => !busy && onStay()} alert testId="switch-user-dialog">
      {(patient || draft) && (
        <p>
          {patient ? (
            <>
              <strong>{formatPatientName(patient.patient)}</strong> and everything about this call — slots, the
              triage summary, the booking being made, appointments — will be cleared from the screen.
            </>
          ) : (
            "What was typed for this call — the triage summary, the slot chosen, the booking — will be cleared from the screen."
          )}{" "}
          The next person starts with an empty Patient screen.
        </p>
      )}
      {bookingInFlight && (
        <div className="notice notice--warning" role="status">
          A booking is being sent to the service. Wait for its answer before switching user.
        </div>
      )}
      {outcomeUnknown && (
        <div className="notice notice--warning" role="status" data-testid="switch-user-held">
          A booking's outcome is unknown. Check the patient's appointments, or tick that you have checked with the
          service, before switching user.
        </div>
      )}
      {error && <ErrorPanel error={error} title="You are still signed in" compact />}
      <div className="dialog__actions">
        <button type="button" className="button button--secondary" onClick={onStay} disabled={busy}>
          Stay signed in
        </button>
        <button
          type="button"
          className="button button--warning"
          data-testid="confirm-switch-user"
          onClick={onSwitch}
          disabled={busy || bookingInFlight || outcomeUnknown}
        >
          {busy ? "Signing out…" : "Switch user"}
        </button>
      </div>
    </Dialog>
  );
}

/** The patient's home postcode as the desk may use it: never a restricted record's. */
function homePostcode(p: ChosenPatient | null): string {
  if (!p) return "";
  if (p.traced) return p.traced.postcode ?? (p.traced.restricted ? "" : (p.patient.postcode ?? ""));
  return p.patient.postcode ?? "";
}
