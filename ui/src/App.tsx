import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import type { AppInfo, Service, SlotView } from "./api/bindings";
import { appInfo, defaultWindow, listServices, type ApiError } from "./api/client";
import { AppHeader } from "./components/AppHeader";
import { DemoBand } from "./components/DemoBand";
import { ErrorPanel } from "./components/ErrorPanel";
import { PatientBanner } from "./components/PatientBanner";
import { ShortcutBar } from "./components/ShortcutBar";
import { ShortcutHelp } from "./components/ShortcutHelp";
import { slotKey } from "./components/SlotList";
import { addDays, SERVICE_KINDS, ukToday } from "./format";
import { isTyping, runEscape } from "./keyboard";
import { AppointmentsScreen } from "./screens/Appointments/AppointmentsScreen";
import { useBooking } from "./screens/Book/useBooking";
import { BookedScreen } from "./screens/Booked/BookedScreen";
import { PatientScreen } from "./screens/Patient/PatientScreen";
import { SlotsScreen } from "./screens/Slots/SlotsScreen";
import { filtersProblem, MAX_WINDOW_DAYS, useSlotSearch, type Filters } from "./screens/Slots/useSlotSearch";
import type { ChosenPatient, Tab } from "./types";

const TABS: { tab: Tab; label: string; testId: string }[] = [
  { tab: "patient", label: "Patient", testId: "nav-patient" },
  { tab: "slots", label: "Find a slot", testId: "nav-slots" },
  { tab: "appointments", label: "Appointments", testId: "nav-appointments" },
  { tab: "booked", label: "Booked today", testId: "nav-booked" },
];

type Start = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; info: AppInfo };

export function App() {
  const [start, setStart] = useState<Start>({ state: "loading" });
  const [services, setServices] = useState<Service[]>([]);
  const [servicesError, setServicesError] = useState<ApiError | null>(null);
  const [filters, setFilters] = useState<Filters>(() => {
    const today = ukToday();
    return { kinds: SERVICE_KINDS.map((k) => k.kind), from: today, to: addDays(today, MAX_WINDOW_DAYS), channel: null };
  });
  const [tab, setTab] = useState<Tab>("patient");
  const [previousTab, setPreviousTab] = useState<Tab | null>(null);
  const [patient, setPatient] = useState<ChosenPatient | null>(null);
  const [nhsText, setNhsText] = useState("");
  const [help, setHelp] = useState(false);

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

  useEffect(() => {
    void (async () => {
      const [info, list, window] = await Promise.all([appInfo(), listServices(), defaultWindow()]);
      if (!info.ok) {
        setStart({ state: "error", error: info.error });
        return;
      }
      if (list.ok) setServices(list.value);
      else setServicesError(list.error);
      // The engine's idea of today (UK days) wins over the machine clock.
      if (window.ok) setFilters((f) => ({ ...f, from: window.value.from, to: window.value.to }));
      // A call starts with the NHS number: be ready for it.
      focusNext.current = () => nhsInput.current?.focus();
      setStart({ state: "ready", info: info.value });
    })();
  }, []);

  const goTab = useCallback(
    (next: Tab, then?: () => void) => {
      if (next !== tab) {
        setPreviousTab(tab);
        setTab(next);
      }
      focusNext.current =
        then ??
        (() => {
          if (next === "patient") nhsInput.current?.focus();
          if (next === "slots") {
            if (search.state.slots.length > 0) slotList.current?.focus();
            else document.querySelector<HTMLElement>("[data-testid=search-slots]:not([disabled])")?.focus();
          }
        });
    },
    [tab, search.state.slots.length],
  );

  // Layout effect: focus lands in the same frame as the screen it belongs to.
  useLayoutEffect(() => {
    const f = focusNext.current;
    focusNext.current = null;
    f?.();
  });

  const runSearch = useCallback(() => {
    if (filtersProblem(filters, services)) return;
    search.search(filters);
    // The list is where the handler goes next: ↑↓ work as soon as slots arrive.
    goTab("slots", () => slotList.current?.focus());
  }, [filters, services, search, goTab]);

  function choosePatient(next: ChosenPatient) {
    const same =
      patient &&
      ((patient.patient.nhs_number && patient.patient.nhs_number === next.patient.nhs_number) ||
        (patient.source === "manual" && next.source === "manual" && patient === next));
    if (!same) booking.reset();
    setPatient(next);
  }

  const focusNhs = useCallback(() => {
    goTab("patient", () => {
      nhsInput.current?.focus();
      nhsInput.current?.select();
    });
  }, [goTab]);

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
        else if (tab !== "patient") goTab(previousTab && previousTab !== tab ? previousTab : "patient");
        return;
      }
      // A decision on screen (a dialog) must be answered before anything else happens.
      if (document.querySelector('[aria-modal="true"]')) return;
      if (e.ctrlKey && !e.altKey && e.code === "KeyF") {
        e.preventDefault();
        if (filtersProblem(filters, services)) goTab("slots", () => document.getElementById("search-form-first")?.focus());
        else runSearch();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const digit = /^Digit([1-4])$/.exec(e.code);
        if (digit) {
          e.preventDefault();
          const t = TABS[Number(digit[1]) - 1].tab;
          if (t === "patient") focusNhs();
          else goTab(t);
          return;
        }
        if (e.code === "KeyA") {
          e.preventDefault();
          goTab("appointments");
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
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [tab, previousTab, goTab, filters, services, runSearch, focusNhs]);

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
  const today = ukToday();

  function onTabKey(e: ReactKeyboardEvent<HTMLDivElement>) {
    // Arrow keys move along the tabs, as in any tab strip.
    const i = TABS.findIndex((t) => t.tab === tab);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % TABS.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const t = TABS[next].tab;
    goTab(t, () => tabRefs.current[t]?.focus());
  }

  return (
    <div className="app">
      {info.demo && <DemoBand />}
      <AppHeader info={info} />
      {patient && <PatientBanner chosen={patient} onChange={focusNhs} />}
      <div className="tabs" role="tablist" aria-label="Screens" onKeyDown={onTabKey}>
        {TABS.map((t, i) => (
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
            tabIndex={tab === t.tab ? 0 : -1}
            data-testid={t.testId}
            onClick={() => goTab(t.tab, () => tabRefs.current[t.tab]?.focus())}
          >
            {t.label} <kbd className="tabs__key">Alt+{i + 1}</kbd>
          </button>
        ))}
      </div>
      <main id="screen" className="app__main" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === "patient" && (
          <PatientScreen
            nhsText={nhsText}
            onNhsText={setNhsText}
            chosen={patient}
            onChosen={choosePatient}
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
              onFilters={setFilters}
              search={search}
              onSearch={runSearch}
              booking={booking}
              patient={patient}
              organisation={`${info.organisation_name} (${info.organisation_ods})`}
              today={today}
              listRef={slotList}
              onFindPatient={focusNhs}
              onAppointments={() => goTab("appointments")}
            />
          ))}
        {tab === "appointments" && (
          <AppointmentsScreen patient={patient} services={services} today={today} onFindPatient={focusNhs} />
        )}
        {tab === "booked" && <BookedScreen services={services} today={today} />}
      </main>
      <ShortcutBar onHelp={() => setHelp(true)} />
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
