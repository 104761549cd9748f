// A call handler's path through Booking Desk, driven through the real window (tauri-driver +
// WebKitWebDriver) against the app's embedded demo provider. Run it with tests/e2e/run.sh, which
// provides the display, the driver and the environment read below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installLongTaskProbe, readLongTasks } from './longtasks.mjs';
import { registerPlatformKey, tomlValue } from './platform.mjs';
import { openApp, screenshots } from './window.mjs';

const APP = requireEnv('BOOKING_DESK_APP');
const CLI = requireEnv('BOOKDESK_CLI');
requireEnv('BOOKDESK_DATA_DIR'); // the demo's data, shared by the app and the CLI
// The app's embedded demo writes its configuration to a private folder in its temporary folder,
// which run.sh gives it: that configuration lets the CLI reach the same provider.
const APP_TMP = requireEnv('BOOKDESK_E2E_APP_TMP');
const CLI_NAMESPACE = `e2e-${process.pid}`;

const NHS = '9434765919'; // JACKSON, Jane (Miss)
const OTHER_NHS = '9476719931'; // OKONJO, David: the other desk that takes the slot
const DESCRIPTION = 'Sore throat and fever for 3 days';
// The urgent treatment centre the triage summary's report goes to, and what the call found.
const UTC = 'calder-valley-utc';
const TRIAGE = {
  complaint: 'Deep cut to the left palm from a kitchen knife an hour ago, bleeding controlled with pressure',
  dxCode: 'Dx06',
  dxText: 'Attend an urgent treatment centre within 24 hours',
  timeframeMinutes: 1440,
};
const WAIT = 20_000;
// Two named people: the call handler who books, then the supervisor who takes over the desk.
const HANDLER = { name: 'Alex Taylor', sdsUser: '555021935107', localId: 'alex.taylor', role: 'call-handler', roleText: 'Call handler' };
const SUPERVISOR = { name: 'Pat Lee', sdsUser: '555021935109', localId: 'pat.lee', role: 'supervisor', roleText: 'Supervisor' };

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through tests/e2e/run.sh`);
  return value;
}

const tid = (id) => `[data-testid="${id}"]`;

/** The text of an element that may sit in a collapsed <details> ("Full identifiers"). */
const textOf = async (browser, selector) => ((await browser.$(selector).getProperty('textContent')) ?? '').trim();
const slotKey = (service, slot) => `${service}|${slot}`;
const ukDay = (ms) => new Date(ms).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

/** The organisation the demo desk works for, as its configuration names it. */
function demoOrganisation() {
  return { ods: configValue('organisation', 'ods'), name: configValue('organisation', 'name') };
}

/** The CLI signed in as a supervisor: the same desk configuration with the role changed. */
function bookdeskSupervisor(...args) {
  const config = cliConfig().replace(/\.toml$/, '-supervisor.toml');
  writeFileSync(config, readFileSync(cliConfig(), 'utf8').replace(/^role = "call-handler"$/m, 'role = "supervisor"'));
  const run = spawnSync(CLI, ['--config', config, ...args, '--json'], { encoding: 'utf8', timeout: WAIT });
  if (run.error) throw run.error;
  try {
    return { status: run.status, json: JSON.parse(run.stdout) };
  } catch {
    throw new Error(`bookdesk ${args.join(' ')} (supervisor) printed no JSON (exit ${run.status}): ${run.stderr}`);
  }
}

/** `bookdesk secrets set NAME` (or `delete`) for the CLI's namespace, the value on stdin. */
function cliSecret(verb, name, value = '') {
  const run = spawnSync(CLI, ['--config', cliConfig(), 'secrets', verb, name], { input: value, encoding: 'utf8', timeout: WAIT });
  if (run.error) throw run.error;
  return run;
}

/** Where the app's demo configuration is: one, written by the app while it runs. */
function demoConfigPath() {
  const found = readdirSync(APP_TMP)
    .filter((name) => name.startsWith('booking-desk-demo-'))
    .map((name) => path.join(APP_TMP, name, 'bookdesk.toml'))
    .filter((file) => existsSync(file));
  assert.equal(found.length, 1, `one demo configuration from the app in ${APP_TMP}, found ${found.length}`);
  return found[0];
}

function demoConfig() {
  return readFileSync(demoConfigPath(), 'utf8');
}

/** The CLI's copy of the app's configuration, beside it (and its services.toml), with a keyring
 *  namespace of its own for the platform keys (BaRS). */
function cliConfig() {
  return path.join(path.dirname(demoConfigPath()), 'bookdesk-cli.toml');
}

/** The demo configuration's value of `key` in `[section]`, or before any section for `null`. */
function configValue(section, key) {
  return tomlValue(demoConfig(), section, key);
}

/** Runs the bookdesk CLI against the app's demo provider; its JSON answer and exit status. */
function bookdesk(...args) {
  const run = spawnSync(CLI, ['--config', cliConfig(), ...args, '--json'], {
    encoding: 'utf8',
    timeout: WAIT,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  try {
    return { status: run.status, json: JSON.parse(run.stdout) };
  } catch {
    throw new Error(`bookdesk ${args.join(' ')} printed no JSON (exit ${run.status}): ${run.stderr}`);
  }
}

test('a call handler signs in, books, cancels, meets a taken slot and hands over to a supervisor', { timeout: 300_000 }, async (t) => {
  const browser = await openApp(APP);
  // Every screen shown is also held to axe-core: the run fails on any accessibility violation.
  const shot = screenshots(browser, t);
  const axeChecked = shot.checked;

  // Each step builds on the ones before: after a failure the rest are skipped, not piled on.
  let broken = false;
  const step = (name, fn) =>
    t.test(name, async (st) => {
      if (broken) return st.skip('an earlier step failed');
      try {
        await fn(st);
      } catch (e) {
        broken = true;
        await shot(`${name}-FAILED`, { axe: false }).catch(() => {});
        // The screen's words, for a failure seen only in CI's log (the demo's made-up patients).
        const words = await browser.execute(() => document.querySelector('#screen')?.innerText ?? '').catch(() => '');
        st.diagnostic(`the screen read: ${words.replace(/\s+/g, ' ').slice(0, 2000)}`);
        throw e;
      }
    });

  const waitUntil = (fn, what, timeout = WAIT) =>
    browser.waitUntil(fn, { timeout, interval: 200, timeoutMsg: `${what} (waited ${timeout} ms)` });

  const shown = async (selector, what = selector) => {
    const el = await browser.$(selector);
    await el.waitForDisplayed({ timeout: WAIT, timeoutMsg: `${what} was not shown within ${WAIT} ms` });
    return el;
  };

  const click = async (selector, what) => {
    const el = await shown(selector, what);
    await el.waitForEnabled({ timeout: WAIT }).catch(async () => {
      // A control held back says why beside it (aria-describedby): the failure says it too.
      const why = await browser.execute((e) => {
        const id = e.getAttribute('aria-describedby');
        return id ? (document.getElementById(id)?.textContent ?? null) : null;
      }, el);
      throw new Error(`${what ?? selector} stayed disabled${why ? `: ${why}` : ''}`);
    });
    // Centred first: at the edge of a scrolled panel a control can sit under the sticky Confirm
    // bar, and WebKit then refuses the click as "not interactable".
    await browser.execute((e) => e.scrollIntoView({ block: 'center' }), el);
    await el.click();
  };

  // ---- The slot list ------------------------------------------------------------------------
  // Its rows carry ids only and it is virtualised (only the rows in view exist), so rows are
  // found by scrolling to a start time, with the start times read from the provider by the CLI.
  const slotStarts = new Map(); // slotKey -> start (ms)
  let gpServices = [];

  const rowSelector = (row) => `${tid('slot-row')}[data-service-id="${row.service}"][data-slot-id="${row.slot}"]`;

  /** The slot rows in the page, in list order, with their start times where known. */
  const renderedRows = async ({ inView = false } = {}) => {
    const rows = await browser.execute(
      (sel, list, inView) => {
        const box = document.querySelector(list)?.getBoundingClientRect();
        return [...document.querySelectorAll(sel)]
          .filter((r) => {
            if (!inView) return true;
            const b = r.getBoundingClientRect();
            return box && b.bottom > box.top && b.top < box.bottom;
          })
          .map((r) => ({
            service: r.getAttribute('data-service-id'),
            slot: r.getAttribute('data-slot-id'),
          }));
      },
      tid('slot-row'),
      tid('slot-list'),
      inView,
    );
    return rows.map((r) => ({ ...r, start: slotStarts.get(slotKey(r.service, r.slot)) }));
  };

  /** Scrolls the list to `top` and returns the rows rendered there. */
  const scrollList = async (top) => {
    const moved = await browser.execute(
      (sel, y) => {
        const list = document.querySelector(sel);
        if (!list) return null;
        list.scrollTop = y;
        return { top: list.scrollTop, max: list.scrollHeight - list.clientHeight, page: list.clientHeight };
      },
      tid('slot-list'),
      top,
    );
    assert.ok(moved, 'the slot list is on screen');
    // The virtual list renders the rows for a new offset on a later frame: wait until a rendered
    // row lies inside the visible part of the list.
    await waitUntil(
      () =>
        browser.execute(
          (list, row) => {
            const box = document.querySelector(list)?.getBoundingClientRect();
            return [...document.querySelectorAll(row)].some((r) => {
              const b = r.getBoundingClientRect();
              return box && b.bottom > box.top && b.top < box.bottom;
            });
          },
          tid('slot-list'),
          tid('slot-row'),
        ),
      'the slot list to render the rows in view',
      5_000,
    );
    // Only the rows in view: the list keeps the highlighted row rendered wherever it scrolls,
    // so the page can hold a row far from the ones on screen.
    return { ...moved, rows: (await renderedRows({ inView: true })).filter((r) => r.start !== undefined) };
  };

  /**
   * Scrolls so that slots starting at `ms` are in view, with rows on both sides of that time
   * where the list has them (the list is sorted by start time). Returns the rows rendered.
   */
  const earliestOf = (rows) => Math.min(...rows.map((r) => r.start));
  const latest = (rows) => Math.max(...rows.map((r) => r.start));
  const scrollToTime = async (ms) => {
    const { max, page } = await scrollList(0);
    let lo = 0;
    let hi = max;
    let view;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      view = await scrollList(mid);
      if (view.rows.length === 0) break;
      // The rows in the page's order, which a virtual list need not keep: by their times.
      if (latest(view.rows) < ms) lo = mid + 1;
      else if (earliestOf(view.rows) > ms) hi = mid - 1;
      else break;
    }
    if (!view || view.rows.length === 0 || latest(view.rows) < ms || earliestOf(view.rows) > ms) {
      view = await scrollList(Math.min(Math.max(lo, 0), max));
    }
    // Same-time slots of several services may fill more than a page (the first slots of a
    // Monday, say): look half a page at a time either way until an earlier and a later slot
    // are seen, or the list ends. Each row remembers an offset at which it is rendered.
    const seen = new Map();
    const top = view.top;
    const look = async (at) => {
      const rows = (await scrollList(at)).rows;
      for (const r of rows) {
        const k = slotKey(r.service, r.slot);
        if (!seen.has(k)) seen.set(k, { ...r, top: at });
      }
      return rows;
    };
    await look(top);
    const stride = Math.max(page / 2, 1);
    for (let at = top; at > 0 && ![...seen.values()].some((r) => r.start < ms); ) {
      at = Math.max(0, at - stride);
      await look(at);
    }
    for (let at = top; at < max && ![...seen.values()].some((r) => r.start > ms); ) {
      at = Math.min(max, at + stride);
      await look(at);
    }
    await scrollList(top);
    return [...seen.values()].sort((a, b) => a.start - b.start);
  };

  /** Brings a row found by `scrollToTime` to the middle of the list, its neighbours around it. */
  const centre = async (row) => {
    await scrollList(row.top);
    await browser.execute((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'center' }), rowSelector(row));
    await scrollList(await browser.execute((sel) => document.querySelector(sel).scrollTop, tid('slot-list')));
    // The list draws the rows for its new offset on a later frame, and may have drawn another
    // row in view first: wait for this one.
    await waitUntil(() => browser.$(rowSelector(row)).isDisplayed(), `slot ${row.slot} to be on screen`, 5000);
  };

  /** Searches every service and waits until none is still searching. */
  const searchAll = async () => {
    await click(tid('nav-slots'), 'the Find a slot tab');
    await click(tid('search-slots'), 'the Search button');
    return waitForSearch();
  };

  const waitForSearch = async () => {
    let states = [];
    await waitUntil(async () => {
      states = await browser.execute(
        (sel) => [...document.querySelectorAll(sel)].map((s) => [s.getAttribute('data-service-id'), s.getAttribute('data-state')]),
        tid('service-status'),
      );
      return states.length > 0 && states.every(([, state]) => state !== 'searching');
    }, 'every service-status to leave "searching"');
    return states;
  };

  /** The first GP practice slot at least a day ahead (else more than an hour ahead), in the list. */
  const firstGpSlot = async (avoid = new Set()) => {
    const now = Date.now();
    const candidates = [...slotStarts]
      .map(([k, start]) => ({ service: k.split('|')[0], slot: k.split('|')[1], start }))
      .filter((s) => gpServices.includes(s.service) && !avoid.has(slotKey(s.service, s.slot)));
    const tomorrow = candidates.filter((s) => ukDay(s.start) > ukDay(now));
    const pool = tomorrow.length > 0 ? tomorrow : candidates.filter((s) => s.start > now + 3_600_000);
    if (pool.length === 0) return null;
    const earliest = Math.min(...pool.map((s) => s.start));
    const rows = await scrollToTime(earliest);
    const row = rows.find((r) => r.start >= earliest && pool.some((s) => s.service === r.service && s.slot === r.slot));
    if (row) await centre(row);
    else {
      const shown = await renderedRows();
      t.diagnostic(
        `no GP slot found from ${new Date(earliest).toISOString()}: ${pool.length} in the pool, ${rows.length} rows looked at (${rows
          .slice(0, 5)
          .map((r) => `${r.service}@${new Date(r.start).toISOString()}`)
          .join(', ')}), ${shown.length} rendered, ${shown.filter((r) => r.start === undefined).length} with no known start`,
      );
    }
    return row ?? null;
  };

  /**
   * A slot at `service` more than 20 minutes ahead, the first within `minutes` (the triage
   * timeframe, less half an hour) if there is one, centred in the list.
   */
  const slotWithin = async (service, minutes) => {
    const now = Date.now();
    const ahead = [...slotStarts]
      .map(([k, start]) => ({ service: k.split('|')[0], slot: k.split('|')[1], start }))
      .filter((s) => s.service === service && s.start > now + 20 * 60_000)
      .sort((a, b) => a.start - b.start);
    assert.ok(ahead.length > 0, `${service} lists a slot more than 20 minutes ahead`);
    const within = ahead.filter((s) => s.start < now + (minutes - 30) * 60_000);
    const target = within[0] ?? ahead[0];
    const rows = await scrollToTime(target.start);
    let row = rows.find((r) => r.service === service && r.slot === target.slot);
    // The virtual list can hand back a frame's old rows mid-search: look page by page instead.
    const { max, page } = await scrollList(0);
    for (let y = 0; !row && y <= max + page; y += Math.max(page / 2, 1)) {
      const seen = (await scrollList(Math.min(y, max))).rows.find((r) => r.service === service && r.slot === target.slot);
      if (seen) row = { ...seen, top: Math.min(y, max) };
    }
    assert.ok(row, `slot ${target.slot} at ${service} is in the list`);
    await centre(row);
    return { row, inTime: within.length > 0 };
  };

  /**
   * Signs `person` in through the form as they would: typing each field, choosing the role, and
   * Enter on the role. Ends when the desk is ready for a call.
   */
  const signIn = async (person) => {
    await shown(tid('sign-in-form'), 'the sign-in form');
    const fields = [
      ['sign-in-name', person.name],
      ['sign-in-sds-user', person.sdsUser],
      ['sign-in-role-profile', 'UNK'],
      ['sign-in-local-id', person.localId],
    ];
    for (const [id, value] of fields) await (await shown(tid(id), id)).setValue(value);
    await click(tid(`sign-in-role-${person.role}`), `the ${person.roleText} role`);
    await browser.keys('Enter');
    await shown(tid('nhs-input'), 'the NHS number field after signing in');
  };

  /** The header names the signed-in person, their role and the desk's organisation. */
  const checkHeader = async (person) => {
    const org = demoOrganisation();
    assert.ok(org.ods && org.name, `the demo configuration names its organisation: ${JSON.stringify(org)}`);
    const text = async (id) => (await (await shown(tid(id), id)).getText()).trim();
    assert.equal(await text('user-name'), person.name);
    assert.equal(await text('user-role'), person.roleText);
    assert.equal(await text('organisation'), `${org.name} (${org.ods})`);
    await shown(tid('switch-user'), 'the Switch user button');
    await shown(tid('open-settings'), 'the Settings button');
  };

  let booked; // { service, slot, id }

  /** Replaces a field's text as a person would: select what is there, then type. */
  const typeInto = async (id, value) => {
    const el = await shown(tid(id), id);
    await el.clearValue();
    await el.setValue(value);
  };

  /** The app's own answer to a command, asked the way the UI asks it. */
  const appCommand = (cmd) =>
    browser.executeAsync((name, done) => {
      window.__TAURI_INTERNALS__.invoke(name).then(done, (e) => done({ failed: String(e?.message ?? JSON.stringify(e)) }));
    }, cmd);

  /** GET from the demo provider's admin hooks, as JSON. */
  const providerGet = async (base, route) => {
    const res = await fetch(`${base}${route}`);
    assert.equal(res.status, 200, `GET ${route} answered ${res.status}: is provider-sim up to date?`);
    return res.json();
  };

  try {
    await step('00-window', async () => {
      await waitUntil(async () => (await browser.getTitle()) === 'Booking Desk', 'the window title to be "Booking Desk"');
      await shot('00-window');
    });

    await step('01-sign-in', async () => {
      // The app starts with nobody signed in: the sign-in form comes before anything else.
      const form = await shown(tid('sign-in-form'), 'the sign-in form');
      const org = demoOrganisation();
      assert.ok((await form.$('..').getText()).includes(`${org.name} (${org.ods})`), 'the sign-in screen names the organisation');
      assert.equal(await browser.$(tid('nhs-input')).isExisting(), false, 'no NHS number field before signing in');
      assert.equal(await (await browser.$(tid('sign-in-role-profile'))).getValue(), 'UNK', 'the role profile starts as UNK');
      await shot('01-sign-in');
      await signIn(HANDLER);
      await checkHeader(HANDLER);
    });

    await step('02-demo-band', async () => {
      const band = await shown(tid('demo-band'), 'the DEMO band');
      assert.match(await band.getText(), /DEMO/);
      await shot('02-demo-band');
    });

    await step('02-cli-platform-key', async () => {
      // The CLI reaches the BaRS services as a real desk does: its own platform key, registered
      // with the (simulated) platform, and the key and API key in the OS keyring.
      writeFileSync(cliConfig(), `${demoConfig()}\n[secrets]\nnamespace = "${CLI_NAMESPACE}"\n`);
      const tokenUrl = configValue('platform', 'token_url');
      const keyId = configValue('platform', 'key_id');
      assert.ok(tokenUrl && keyId, 'the demo configuration names the platform');
      const { apiKey, privateKey } = await registerPlatformKey(tokenUrl, keyId);
      // Desks that share a registry share its audit key: the CLI is given the app's, as IT would.
      const registry = configValue(null, 'store');
      assert.ok(registry, 'the demo configuration names its registry');
      const auditKey = readFileSync(`${registry}.audit-key`, 'utf8').trim();
      for (const [name, value] of [['api-key', apiKey], ['signing-key', privateKey], ['audit-key', auditKey]]) {
        const set = cliSecret('set', name, value);
        assert.equal(set.status, 0, `bookdesk secrets set ${name}: ${set.stderr}`);
      }
    });

    await step('03-patient', async () => {
      const input = await shown(tid('nhs-input'), 'the NHS number field');
      await input.setValue(NHS);
      const status = await browser.$(tid('nhs-status'));
      await waitUntil(
        async () => /Valid NHS number 943 476 5919/.test(await status.getText()),
        'nhs-status to say the number is valid',
      );
      // Enter on the field finds the patient: the keyboard path a call handler uses.
      await browser.keys('Enter');
      const banner = await shown(tid('patient-banner'), 'the patient banner');
      await waitUntil(async () => /JACKSON, Jane/.test(await banner.getText()), 'the patient banner to name JACKSON, Jane');
      assert.match(await banner.getText(), /943 476 5919/);
      await shot('03-patient');
    });

    await step('04-search', async () => {
      const servicesRun = bookdesk('services');
      assert.equal(servicesRun.status, 0, `the CLI lists the services: ${JSON.stringify(servicesRun.json)}`);
      const services = servicesRun.json;
      gpServices = services.filter((s) => s.kind === 'gp-practice' && s.standard === 'gp-connect').map((s) => s.id);
      assert.ok(gpServices.length > 0, 'the demo has GP Connect practices');
      const free = bookdesk('slots', '--all');
      assert.equal(free.status, 0, 'the CLI lists the free slots');
      for (const s of free.json.slots) slotStarts.set(slotKey(s.service_id, s.id), Date.parse(s.start));

      // How long the page's main thread was held while the results streamed in: reported, not
      // asserted (a timed test would fail on a busy machine); PERFORMANCE.md keeps the figures.
      await installLongTaskProbe(browser);
      const states = await searchAll();
      const blocked = await readLongTasks(browser);
      t.diagnostic(
        `main thread while streaming: longest task ${Math.round(blocked.longestMs)} ms, ${blocked.over} over ${blocked.threshold} ms in ${blocked.ticks} ticks`,
      );
      t.diagnostic(`services: ${states.map((s) => s.join('=')).join(', ')}`);
      assert.deepEqual(states.map(([id]) => id).sort(), services.map((s) => s.id).sort(), 'one status per service');
      assert.ok(states.some(([, state]) => state === 'found'), 'at least one service found slots');
      assert.deepEqual(states.filter(([, state]) => state === 'failed'), [], 'no service failed');
      await waitUntil(async () => (await renderedRows()).length > 0, 'slot rows to be listed');
      await shot('04-slots-found');
    });

    await step('04b-no-record-leaves-no-patient', async () => {
      // A valid number with no record, looked up with Jane on screen: Jane goes, with her slots,
      // so nobody can book "for JACKSON, Jane" from a lookup that found someone else, or no one.
      await click(tid('nav-patient'), 'the Patient tab');
      const input = await shown(tid('nhs-input'), 'the NHS number field');
      await input.setValue('9999999999');
      await browser.keys('Enter');
      await shown(tid('patient-not-found'), 'the "no record" notice');
      assert.equal(await browser.$(tid('patient-banner')).isExisting(), false, 'no patient left in the banner');
      await shot('04b-no-record');
      await click(tid('nav-slots'), 'the Find a slot tab');
      assert.equal((await renderedRows()).length, 0, 'no slots left from the last patient');
      assert.equal(await browser.$(tid('book-panel')).isExisting(), false, 'no booking panel');

      // A restricted record, as PDS holds it: said in the banner, with no address or phone.
      await click(tid('nav-patient'), 'the Patient tab');
      await (await shown(tid('nhs-input'), 'the NHS number field')).setValue('9449304025');
      await browser.keys('Enter');
      const restricted = await shown(tid('national-restricted'), 'the restricted-record alert');
      assert.match(await restricted.getText(), /Restricted record: the address and contact details are not shown or sent/);
      const helen = await browser.$(tid('patient-banner')).getText();
      assert.match(helen, /ASHWORTH/);
      assert.match(helen, /Address not known/);
      await shot('04c-pds-restricted-record');

      // No NHS number: the details typed by hand find the patient on PDS, who is then looked
      // up by the number PDS holds, as if it had been typed.
      await click(tid('manual-patient'), 'Patient has no NHS number');
      await shown(tid('manual-patient-form'), 'the form for the patient\'s details');
      await typeInto('manual-given', 'Jane');
      await typeInto('manual-family', 'Jackson');
      await typeInto('manual-day', '12');
      await typeInto('manual-month', '3');
      await typeInto('manual-year', '1982');
      await shot('04d-details-by-hand');
      await click(tid('manual-find-on-pds'), 'Find on PDS');
      const traced = await shown(tid('patient-banner'), 'the patient banner');
      await waitUntil(async () => /JACKSON, Jane/.test(await traced.getText()), 'the banner to name the patient PDS found');
      assert.match(await traced.getText(), /943 476 5919/);
      assert.equal(await browser.$(tid('nhs-input')).getValue(), '943 476 5919', 'the number PDS holds is in the field');
      await shot('04e-found-on-pds');

      // Jane again, and her search again, for the steps that follow: the call handler's way to a
      // new number with a patient on screen, "Change patient" (the NHS number, selected) and the
      // digits over it.
      await click('button.patient-banner__change', 'Change patient');
      await waitUntil(
        async () => (await browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'nhs-input',
        'the NHS number field to take focus on Change patient',
      );
      await browser.keys([...NHS]);
      await waitUntil(async () => (await browser.$(tid('nhs-input')).getValue()) === '943 476 5919', 'the new number to be typed over the last');
      await browser.keys('Enter');
      const banner = await shown(tid('patient-banner'), 'the patient banner');
      await waitUntil(async () => /JACKSON, Jane/.test(await banner.getText()), 'the patient banner to name JACKSON, Jane');
      await searchAll();
      await waitUntil(async () => (await renderedRows()).length > 0, 'slot rows to be listed');
    });

    await step('05-book', async () => {
      const row = await firstGpSlot();
      assert.ok(row, 'a GP practice slot is listed');
      t.diagnostic(`picking ${row.service} slot ${row.slot} at ${new Date(row.start).toISOString()}`);
      // The mouse path: a click picks the slot.
      await click(rowSelector(row), `slot ${row.slot}`);
      await waitUntil(async () => (await browser.$(rowSelector(row)).getAttribute('aria-selected')) === 'true', 'the slot to be selected');
      await shown(tid('book-panel'), 'the booking panel');
      await (await shown(tid('description-input'))).setValue(DESCRIPTION);
      await (await shown(tid('comment-input'))).setValue('Call back on 07700 900123');
      await click(tid('confirm-booking'), 'Confirm booking');
      await shown(tid('booking-confirmation'), 'the booking confirmation');
      let id = '';
      await waitUntil(async () => (id = await textOf(browser, tid('confirmation-reference'))) !== '', 'a booking reference');
      booked = { service: row.service, slot: row.slot, id };
      t.diagnostic(`booked appointment ${id}`);
      // The provider holds the booking, not just the screen.
      const held = bookdesk('show', '--service', row.service, '--appointment', id);
      assert.equal(held.status, 0, `the provider knows appointment ${id}: ${JSON.stringify(held.json)}`);
      assert.equal(held.json.status, 'booked');
      assert.deepEqual(held.json.slot_ids, [row.slot]);
      assert.equal(held.json.description, DESCRIPTION);
      const mine = bookdesk('appointments', '--nhs', NHS).json.appointments;
      assert.ok(mine.some((a) => a.service_id === row.service && a.id === id), `appointment ${id} is the patient's`);
      await shot('05-booking-confirmed');
    });

    await step('06-cancel', async () => {
      await click(tid('nav-appointments'), 'the Appointments tab');
      const rowSel = `${tid('appointment-row')}[data-service-id="${booked.service}"][data-appointment-id="${booked.id}"]`;
      const row = await shown(rowSel, `appointment ${booked.id}`);
      assert.equal(await row.getAttribute('data-status'), 'booked');
      await shot('06-appointment-booked');

      await (await row.$(tid('cancel-button'))).click();
      await (await shown(tid('cancel-reason'), 'the cancellation reason')).setValue('Feeling better, no longer needed');
      await click(tid('confirm-cancel'), 'Confirm cancel');
      // The list is fetched again after the cancel, so the row is read afresh each time.
      await waitUntil(
        async () => (await browser.execute((sel) => document.querySelector(sel)?.getAttribute('data-status'), rowSel)) === 'cancelled',
        `appointment ${booked.id} to show as cancelled`,
      );
      // What to tell the patient, where and when, is on screen once it is done.
      const readBack = await shown(tid('cancel-readback'), 'the cancellation read-back');
      const told = await readBack.getText();
      assert.match(told, /Cancelled — tell the patient/);
      assert.ok(told.includes('Feeling better, no longer needed'), `the read-back gives the reason: ${told}`);
      const held = bookdesk('show', '--service', booked.service, '--appointment', booked.id);
      // The practice's own reference, the one the patient will be asked for.
      assert.ok(held.json.service_reference, 'the practice gives its own reference');
      assert.ok(told.includes(`Reference ${held.json.service_reference}`), `the read-back names the reference: ${told}`);
      assert.equal(held.json.status, 'cancelled', 'the provider cancelled it');
      assert.equal(held.json.cancellation_reason, 'Feeling better, no longer needed');
      await shot('07-appointment-cancelled');
    });

    await step('07-slot-taken', async () => {
      await searchAll();
      const row = await firstGpSlot(new Set([slotKey(booked.service, booked.slot)]));
      assert.ok(row, 'another GP practice slot is listed');
      t.diagnostic(`picking ${row.service} slot ${row.slot} at ${new Date(row.start).toISOString()}`);

      // The keyboard path: from the slot next to it, ↓ (or ↑) moves to it and Enter picks it.
      const rows = await renderedRows();
      const at = rows.findIndex((r) => r.service === row.service && r.slot === row.slot);
      const [from, key] = at > 0 ? [rows[at - 1], 'ArrowDown'] : [rows[at + 1], 'ArrowUp'];
      assert.ok(from, 'a slot is listed next to the chosen one');
      await click(rowSelector(from), 'the slot next to the chosen one');
      await browser.execute((sel) => document.querySelector(sel).focus(), tid('slot-list'));
      await browser.keys(key);
      await waitUntil(async () => (await browser.$(rowSelector(row)).getAttribute('aria-selected')) === 'true', `${key} to select the slot`);
      await browser.keys('Enter');
      await shown(tid('book-panel'), 'the booking panel');
      await (await shown(tid('description-input'))).setValue('Earache since yesterday');

      // Another desk takes the slot between the handler choosing it and confirming.
      const taken = bookdesk('book', '--service', row.service, '--slot', row.slot, '--nhs', OTHER_NHS, '--description', 'Taken by another desk');
      assert.equal(taken.status, 0, `the CLI took the slot: ${JSON.stringify(taken.json)}`);
      await shot('08-slot-selected');

      await click(tid('confirm-booking'), 'Confirm booking');
      let seen = {};
      await waitUntil(async () => {
        seen = {
          panel: await browser.$(`${tid('error-panel')}[data-kind="slot-taken"]`).isDisplayed(),
          refreshed: await browser.$(tid('slots-refreshed')).isDisplayed(),
        };
        return seen.panel || seen.refreshed;
      }, 'the slot-taken error or the slots-refreshed message');
      t.diagnostic(`slot-taken panel: ${seen.panel}, slots-refreshed: ${seen.refreshed}`);
      assert.equal(await browser.$(tid('booking-confirmation')).isDisplayed(), false, 'no confirmation for a taken slot');

      // The list is searched again; the taken slot must not come back, while its neighbours do.
      await waitForSearch();
      const around = await scrollToTime(row.start);
      assert.ok(around.some((r) => r.start < row.start) && around.some((r) => r.start > row.start), 'the list around the taken slot is shown');
      assert.ok(
        !around.some((r) => r.service === row.service && r.slot === row.slot),
        `slot ${row.slot} at ${row.service} is no longer listed`,
      );
      await shot('09-slot-taken');
    });

    await step('08-booked-today', async () => {
      await click(tid('nav-booked'), 'the Booked today tab');
      const table = await shown(tid('bookings-table'), 'the bookings table');
      const serviceName = bookdesk('services').json.find((s) => s.id === booked.service).name;
      let lines = [];
      await waitUntil(async () => {
        lines = await browser.execute(
          (sel) => [...document.querySelectorAll(`${sel} tbody tr`)].map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
          tid('bookings-table'),
        );
        return lines.some((cells) => cells.includes(booked.id) && cells.includes(serviceName));
      }, `appointment ${booked.id} at ${serviceName} in Booked today`);
      const line = lines.find((cells) => cells.includes(booked.id) && cells.includes(serviceName));
      assert.ok(line.includes('943 476 5919'), `the booking names the patient: ${line.join(' | ')}`);
      assert.ok(line.some((c) => /cancelled/i.test(c)), `the booking shows it was cancelled: ${line.join(' | ')}`);
      assert.ok(await table.isDisplayed());
      await shot('10-booked-today');
    });

    await step('09-triage-summary-to-an-urgent-treatment-centre', async () => {
      // Jane is still the patient on the call. The keyboard path first; the banner's button if the
      // webview does not pass Alt+T through.
      await shown(tid('patient-banner'), 'the patient banner');
      await browser.keys(['Alt', 't']);
      let viaKeyboard = true;
      try {
        await browser.$(tid('triage-screen')).waitForDisplayed({ timeout: 3_000 });
      } catch {
        viaKeyboard = false;
        await click(tid('banner-triage-edit'), 'the banner\'s triage Add button');
      }
      t.diagnostic(`triage summary opened ${viaKeyboard ? 'with Alt+T' : 'from the banner'}`);
      await shown(tid('triage-screen'), 'the triage summary');
      // Prefilled from the patient's record and the person signed in.
      assert.equal(await browser.$(tid('triage-call-back')).getValue(), '07700 900123', 'the call-back number is the patient\'s phone');
      assert.equal(await browser.$(tid('triage-assessor-name')).getValue(), HANDLER.name);
      assert.equal(await browser.$(tid('triage-assessor-call-handler')).isSelected(), true, 'assessed by a call handler');

      // Saving with nothing filled in lists what is missing.
      await click(tid('triage-save'), 'Save triage summary');
      const problems = await shown('.error-summary', 'the error summary');
      const problemText = await problems.getText();
      for (const words of ['presenting complaint', 'disposition code', 'agree to share']) {
        assert.ok(problemText.includes(words), `the error summary names the ${words}: ${problemText}`);
      }

      await typeInto('triage-complaint', TRIAGE.complaint);
      await typeInto('triage-dx-code', TRIAGE.dxCode);
      await typeInto('triage-dx-text', TRIAGE.dxText);
      await (await shown(tid('triage-timeframe'))).selectByAttribute('value', String(TRIAGE.timeframeMinutes));
      await typeInto('triage-sg-code', 'SG1010');
      await typeInto('triage-sg-text', 'Wound');
      await click(tid('triage-add-observation'), 'Add an observation');
      await typeInto('triage-obs-name', 'Pulse');
      await typeInto('triage-obs-value', '88');
      await typeInto('triage-obs-unit', '/min');
      await click(tid('triage-allergies-listed'), 'Allergies: Listed');
      await typeInto('triage-allergies-list', 'Penicillin (rash)');
      await click(tid('triage-medication-none'), 'Medication: None');
      await click(tid('triage-add-flag'), 'Add a flag');
      await typeInto('triage-flag-text', 'Lives alone; daughter visits daily');
      await click(tid('triage-consent'), 'the consent tick');
      assert.equal(await browser.$(tid('triage-consent')).isSelected(), true, 'consent is ticked');
      // The problems listed earlier go as each is fixed.
      assert.equal(await browser.$('.error-summary').isExisting(), false, 'no problems left once every one is fixed');
      // The whole form in two pictures: from the top, then the end with the consent tick.
      await browser.execute(() => document.getElementById('screen').scrollTo(0, 0));
      await shot('13-triage-summary');
      await browser.execute(() => document.getElementById('screen').scrollTo(0, 1e6));
      await shot('13b-triage-summary-consent');
      await click(tid('triage-save'), 'Save triage summary');
      await waitUntil(async () => !(await browser.$(tid('triage-screen')).isExisting()), 'the triage summary to close once saved');
      await shown(tid('banner-triage'), 'the triage line in the banner');
      // Its text, not WebDriver's idea of the visible part: long words there end in an ellipsis.
      const line = await browser.execute((sel) => document.querySelector(sel).textContent.replace(/\s+/g, ' '), tid('banner-triage'));
      assert.match(line, new RegExp(`${TRIAGE.dxCode} — ${TRIAGE.dxText} · see by \\d\\d:\\d\\d`));

      // An urgent treatment centre slot within the timeframe (later ones need an approval).
      for (const s of bookdesk('slots', '--all').json.slots) slotStarts.set(slotKey(s.service_id, s.id), Date.parse(s.start));
      const states = await searchAll();
      assert.ok(states.some(([id, state]) => id === UTC && state === 'found'), `${UTC} has free slots: ${JSON.stringify(states)}`);
      const { row, inTime } = await slotWithin(UTC, TRIAGE.timeframeMinutes);
      t.diagnostic(`picking ${UTC} slot ${row.slot} at ${new Date(row.start).toISOString()}${inTime ? '' : ' (after the timeframe)'}`);
      await click(rowSelector(row), `slot ${row.slot}`);
      await shown(tid('book-panel'), 'the booking panel');

      // The preview: the report as the centre will read it, and the texts filled in from the summary.
      const sections = await shown(tid('preview-sections'), 'the report preview');
      const previewText = await sections.getText();
      for (const words of ['Triage outcome', TRIAGE.dxCode, 'Presenting complaint', 'SAFEGUARDING', 'Penicillin (rash)']) {
        assert.ok(previewText.includes(words), `the report preview shows ${words}: ${previewText}`);
      }
      await shown(tid('preview-document'), 'the "Show the document" disclosure');
      const description = await browser.$(tid('description-input'));
      await waitUntil(async () => (await description.getValue()) !== '', 'the description to be filled in from the summary');
      const sentDescription = await description.getValue();
      const sentComment = await browser.$(tid('comment-input')).getValue();
      assert.ok(TRIAGE.complaint.startsWith(sentDescription.replace(/…$/, '')), `the description is the complaint: ${sentDescription}`);
      assert.equal(await browser.$(tid('book-consent')).isSelected(), true, 'consent is ticked on the Book panel too');
      if (!inTime) {
        await shown(tid('timeframe-warning'), 'the timeframe warning');
        await typeInto('approved-by', 'Dr Amara Okafor (clinical supervisor)');
        await typeInto('approval-reason', 'No earlier slot; safe to wait with worsening advice');
      } else {
        assert.equal(await browser.$(tid('timeframe-warning')).isExisting(), false, 'no timeframe warning within the timeframe');
      }
      await shot('14-book-with-report-preview');
      await browser.execute(() => document.querySelector('.book-panel').scrollTo(0, 1e6));
      await shot('14b-book-consent-and-confirm');

      await click(tid('confirm-booking'), 'Confirm booking');
      const confirmation = await shown(tid('booking-confirmation'), 'the booking confirmation');
      const sent = await shown(tid('clinical-sent'), 'what was sent of the summary');
      const reportId = await textOf(browser, tid('report-id'));
      assert.match(reportId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'the report id is a UUID');
      assert.equal((await sent.getText()).trim(), 'The 111 report was sent to the service.');
      // Ids are kept one click away, and no internal address is shown at all.
      assert.doesNotMatch(await confirmation.getText(), /https?:\/\//, 'no provider URL on the confirmation');
      const appointmentId = await textOf(browser, tid('confirmation-reference'));
      assert.ok(appointmentId, 'a booking reference');
      t.diagnostic(`booked ${UTC} appointment ${appointmentId}, report ${reportId}`);
      assert.ok(await confirmation.isDisplayed());
      await shot('15-uec-confirmation');

      // What the centre holds, read as its own system would.
      const info = await appCommand('app_info');
      assert.ok(info && !info.failed && info.provider_url, `app_info names the demo provider: ${JSON.stringify(info)}`);
      const provider = info.provider_url.replace(/\/$/, '');
      const appointments = await providerGet(provider, '/_admin/appointments');
      const held = appointments.find((a) => a.id === appointmentId);
      assert.ok(held, `the provider holds appointment ${appointmentId}`);
      const document = (held.contained ?? []).find((r) => r.resourceType === 'DocumentReference');
      assert.ok(document, 'the appointment carries a DocumentReference');
      assert.ok(
        (document.identifier ?? []).some((i) => i.value === reportId),
        `its identifier is the report id ${reportId}: ${JSON.stringify(document.identifier)}`,
      );
      assert.equal(held.description, sentDescription, 'the appointment carries the description shown');
      assert.equal(held.comment ?? '', sentComment, 'the appointment carries the comment shown');

      const reports = await providerGet(provider, '/_admin/reports');
      const report = reports.find((r) => r.report_id === reportId);
      assert.ok(report, `the centre received report ${reportId}: ${JSON.stringify(reports.map((r) => r.report_id))}`);
      assert.equal(report.service, UTC);
      for (const [what, text] of [
        ['the NHS number', NHS],
        ['the disposition code', TRIAGE.dxCode],
        ['the appointment reference', `/Appointment/${appointmentId}`],
      ]) {
        assert.ok(report.xml.includes(text), `the report's XML has ${what} (${text})`);
      }
    });

    await step('10-bars-book-read-cancel', async () => {
      // One search over all three standards; the standard is only a small label on each row.
      const servicesRun = bookdesk('services');
      assert.equal(servicesRun.status, 0, `the CLI lists the services: ${JSON.stringify(servicesRun.json)}`);
      const services = servicesRun.json;
      const bars = services.filter((s) => s.standard === 'bars');
      assert.equal(bars.length, 4, 'the demo has a BaRS service of each kind');
      const free = bookdesk('slots', '--all');
      for (const s of free.json.slots) slotStarts.set(slotKey(s.service_id, s.id), Date.parse(s.start));
      await searchAll();
      const labels = new Map(
        await browser.execute(
          (sel) => [...document.querySelectorAll(sel)].map((r) => [r.getAttribute('data-service-id'), r.querySelector('[data-testid="standard-label"]')?.textContent]),
          tid('service-status'),
        ),
      );
      const names = { 'gp-connect': 'GP Connect', 'uec-booking': 'UEC Booking', bars: 'BaRS' };
      for (const s of services) assert.equal(labels.get(s.id), names[s.standard], `${s.id} is labelled ${names[s.standard]}`);
      // The last rows (the BaRS services) in view, to see their labels.
      await browser.execute((sel) => [...document.querySelectorAll(sel)].at(-1)?.scrollIntoView({ block: 'end' }), tid('service-status'));
      await shot('16-search-all-three-standards');

      // The triage summary from this call is still on: it goes in the BaRS booking message.
      const service = bars.find((s) => s.kind === 'urgent-care').id;
      const { row, inTime } = await slotWithin(service, TRIAGE.timeframeMinutes);
      t.diagnostic(`picking ${service} slot ${row.slot} at ${new Date(row.start).toISOString()}${inTime ? '' : ' (after the timeframe)'}`);
      await click(rowSelector(row), `slot ${row.slot}`);
      await shown(tid('book-panel'), 'the booking panel');
      await shown(tid('preview-sections'), 'the preview of what the service gets');
      assert.equal(await browser.$(tid('book-consent')).isSelected(), true, 'consent is ticked');

      // Already booked? Jane has the urgent treatment centre appointment from earlier in the call:
      // the panel names it, and a second booking waits for a deliberate tick.
      const warning = await shown(tid('already-booked'), 'the already-booked warning');
      const utcName = services.find((s) => s.id === UTC).name;
      assert.ok((await warning.getText()).includes(utcName), `the warning names ${utcName}: ${await warning.getText()}`);
      assert.equal(await browser.$(tid('confirm-booking')).isEnabled(), false, 'no booking before the tick');
      await browser.execute(() => document.querySelector('.book-panel').scrollTo(0, 0));
      await shot('16b-already-booked');
      await click(tid('already-booked-ack'), 'Book another anyway');
      if (!inTime) {
        await typeInto('approved-by', 'Dr Amara Okafor (clinical supervisor)');
        await typeInto('approval-reason', 'No earlier slot; safe to wait with worsening advice');
      }
      await click(tid('confirm-booking'), 'Confirm booking');
      await shown(tid('booking-confirmation'), 'the booking confirmation');
      const sent = await shown(tid('clinical-sent'), 'what was sent of the summary');
      assert.equal((await sent.getText()).trim(), 'The triage summary went with the booking, in its BaRS message.');
      let id = '';
      await waitUntil(async () => (id = await textOf(browser, tid('confirmation-reference'))) !== '', 'a booking reference');
      t.diagnostic(`booked BaRS appointment ${id} at ${service}`);
      await shot('17-bars-confirmation');

      // The service holds it, read back over BaRS by the CLI, and the message carried the summary.
      const held = bookdesk('show', '--service', service, '--appointment', id);
      assert.equal(held.status, 0, `the CLI reads appointment ${id}: ${JSON.stringify(held.json)}`);
      assert.equal(held.json.status, 'booked');
      assert.equal(held.json.standard, 'bars');
      assert.deepEqual(held.json.slot_ids, [row.slot]);
      const provider = new URL(configValue('platform', 'token_url')).origin;
      const booking = (await providerGet(provider, '/_admin/bars-bookings')).find((b) => b.appointment.id === id);
      assert.ok(booking, `the service holds BaRS booking ${id}`);
      const types = booking.messages[0].entry.map((e) => e.resource.resourceType);
      for (const type of ['MessageHeader', 'Appointment', 'Patient', 'ServiceRequest', 'Encounter']) {
        assert.ok(types.includes(type), `the booking message carried a ${type}: ${types.join(', ')}`);
      }

      // Cancelled from the Appointments screen, as any other.
      await click(tid('nav-appointments'), 'the Appointments tab');
      const rowSel = `${tid('appointment-row')}[data-service-id="${service}"][data-appointment-id="${id}"]`;
      const listed = await shown(rowSel, `BaRS appointment ${id}`);
      assert.equal(await listed.getAttribute('data-status'), 'booked');
      await (await listed.$(tid('cancel-button'))).click();
      await (await shown(tid('cancel-reason'), 'the cancellation reason')).setValue('Seen by own GP instead');
      await click(tid('confirm-cancel'), 'Confirm cancel');
      await waitUntil(
        async () => (await browser.execute((sel) => document.querySelector(sel)?.getAttribute('data-status'), rowSel)) === 'cancelled',
        `BaRS appointment ${id} to show as cancelled`,
      );
      const after = bookdesk('show', '--service', service, '--appointment', id);
      assert.equal(after.json.status, 'cancelled', 'the service cancelled it');
      assert.equal(after.json.cancellation_reason, 'Seen by own GP instead');
      await shot('18-bars-cancelled');
    });

    await step('11-outcome-unknown-holds-the-desk', async () => {
      // The demo provider loses the next booking's answer and refuses the check after it: the
      // booking is made, and the desk cannot tell.
      const info = await appCommand('app_info');
      const provider = info.provider_url.replace(/\/$/, '');
      const armed = await fetch(`${provider}/_admin/faults/lose-next-booking`, { method: 'POST' });
      assert.equal(armed.status, 200, 'the demo provider can lose a booking: is provider-sim up to date?');

      // Only slots free now: earlier steps booked and took some.
      slotStarts.clear();
      for (const s of bookdesk('slots', '--all').json.slots) slotStarts.set(slotKey(s.service_id, s.id), Date.parse(s.start));
      await searchAll();
      const { row, inTime } = await slotWithin(gpServices[0], TRIAGE.timeframeMinutes);
      t.diagnostic(`picking ${row.service} slot ${row.slot}${inTime ? '' : ' (after the timeframe)'}; its answer will be lost`);
      await click(rowSelector(row), `slot ${row.slot}`);
      await shown(tid('book-panel'), 'the booking panel');
      // The triage summary fills the description in as it arrives: typed over only after that.
      const description = await shown(tid('description-input'));
      await waitUntil(async () => (await description.getValue()) !== '', 'the description filled in from the triage summary');
      await typeInto('description-input', 'Headache and neck stiffness');
      // Jane already has the urgent treatment centre appointment from earlier in the call.
      await click(tid('already-booked-ack'), 'Book another anyway');
      await waitUntil(async () => (await browser.$(tid('already-booked-ack'))).isSelected(), '"Book another anyway" to be ticked');
      // On a Friday night or a weekend the practice's first slot is after the timeframe.
      if (!inTime) {
        await typeInto('approved-by', 'Dr Amara Okafor (clinical supervisor)');
        await typeInto('approval-reason', 'No earlier slot; safe to wait with worsening advice');
      }
      await click(tid('confirm-booking'), 'Confirm booking');

      const panel = await shown(tid('outcome-unknown'), 'the outcome-unknown panel');
      assert.match(await panel.getText(), /Outcome unknown — do not book again/);
      await shown(tid('outcome-unknown-held'), 'the "checking" notice');
      assert.equal(await browser.$(tid('outcome-unknown-close')).isEnabled(), false, 'no Close before checking');
      await shot('19-outcome-unknown');

      // Nobody else takes over the desk meanwhile.
      await click(tid('switch-user'), 'Switch user');
      await shown(tid('switch-user-held'), 'the reason switching is refused');
      assert.equal(await browser.$(tid('confirm-switch-user')).isEnabled(), false, 'no switching user');
      await click('button=Stay signed in', 'Stay signed in');

      // Checking the patient's appointments settles it: the booking is there.
      await click(tid('outcome-unknown-check'), 'Check the patient\'s appointments');
      await waitUntil(async () => (await browser.$$(tid('appointment-row'))).length > 0, 'the patient\'s appointments to be listed');
      await click(tid('nav-slots'), 'the Find a slot tab');
      const found = await shown(tid('outcome-found'), 'the booking found by the check');
      const text = await found.getText();
      assert.match(text, /The booking was made/);
      assert.match(text, /reference \S+\./, 'the notice gives a reference to read back');
      const id = await found.getAttribute('data-appointment-id');
      assert.ok(id, 'the notice carries the appointment id');
      const held = bookdesk('show', '--service', row.service, '--appointment', id);
      assert.equal(held.status, 0, `the provider holds appointment ${id}`);
      assert.equal(held.json.status, 'booked');
      assert.deepEqual(held.json.slot_ids, [row.slot]);
      await shot('20-outcome-settled');
      await click(tid('outcome-unknown-close'), 'Close');
      await waitUntil(async () => !(await browser.$(tid('outcome-unknown')).isExisting()), 'the panel to close once settled');
    });

    await step('21-services-for-this-patient', async () => {
      // The triage outcome completed with its discriminator: the desk asks the Directory of
      // Services for Jane's need near her postcode, and says how each service is booked.
      await shown(tid('patient-banner'), 'the patient banner');
      await click(tid('banner-triage-edit'), 'the banner\'s triage button');
      await shown(tid('triage-screen'), 'the triage summary');
      await typeInto('triage-sd-code', 'SD4003');
      await typeInto('triage-sd-text', 'PC full Primary Care assessment and prescribing capability');
      await click(tid('triage-save'), 'Save triage summary');
      await waitUntil(async () => !(await browser.$(tid('triage-screen')).isExisting()), 'the triage summary to close once saved');
      await click(tid('nav-slots'), 'the Find a slot tab');
      // What the DoS returns depends on which services are open within the timeframe now: any
      // answer is fine, and each row must say how it is booked or why not.
      await waitUntil(
        async () => {
          for (const id of ['found-services', 'found-services-none', 'found-services-error']) {
            if (await browser.$(tid(id)).isExisting()) return true;
          }
          return false;
        },
        'the services for this patient, or why there are none',
      );
      assert.equal(await browser.$(tid('found-services-error')).isExisting(), false, 'the DoS answered');
      const rows = await browser.execute(
        (sel) => [...document.querySelectorAll(sel)].map((r) => [r.getAttribute('data-dos-id'), r.getAttribute('data-how'), r.textContent.replace(/\s+/g, ' ')]),
        tid('found-service'),
      );
      t.diagnostic(`services found: ${rows.map(([id, how]) => `${id}=${how}`).join(', ')}`);
      for (const [id, how, text] of rows) {
        assert.ok(['book', 'call-to-refer', 'cannot-book'].includes(how), `${id} says how it is booked: ${how}`);
        assert.match(text, /mile/, `${id} gives its distance: ${text}`);
      }
      await shot('21-services-for-this-patient');
      // A search of the ticked services shows each slot's distance, and sorts nearest first.
      if (rows.some(([, how]) => how === 'book')) {
        await click(tid('search-slots'), 'the Search button');
        await waitForSearch();
        if ((await renderedRows()).length > 0) {
          await shown(tid('slot-distance'), 'a slot\'s distance');
          await click(tid('sort-nearest'), 'Nearest first');
          assert.equal(await browser.$(tid('sort-nearest')).getAttribute('aria-pressed'), 'true');
          await shot('21b-slots-nearest-first');
        }
      }
    });

    await step('12-switch-user-clears-the-patient', async () => {
      // Jane is still in the banner from the handler's call: switching asks first.
      await shown(tid('patient-banner'), 'the patient banner before switching');
      await click(tid('switch-user'), 'Switch user');
      const dialog = await shown(tid('switch-user-dialog'), 'the switch-user confirmation');
      assert.match(await dialog.getText(), /JACKSON, Jane/);
      await click(tid('confirm-switch-user'), 'the confirm Switch user button');
      await shown(tid('sign-in-form'), 'the sign-in form after switching');
      assert.equal(await browser.$(tid('patient-banner')).isExisting(), false, 'no patient behind the sign-in screen');

      await signIn(SUPERVISOR);
      await checkHeader(SUPERVISOR);
      // A new person starts on an empty Patient screen.
      assert.equal(await browser.$(tid('nav-patient')).getAttribute('aria-selected'), 'true', 'the Patient screen is shown');
      assert.equal(await browser.$(tid('nhs-input')).getValue(), '', 'the NHS number field is empty');
      assert.equal(await browser.$(tid('patient-banner')).isExisting(), false, 'no patient banner');
      assert.equal(await browser.$(tid('banner-triage')).isExisting(), false, 'no triage summary from the last call');
      await shot('11-switched-user');

      // Searching stays open to a supervisor; booking does not.
      const states = await searchAll();
      assert.ok(states.some(([, state]) => state === 'found'), 'the supervisor can search');
      await waitUntil(async () => (await renderedRows()).length > 0, 'slot rows to be listed for the supervisor');
      const [first] = await renderedRows();
      // Both ways a handler picks a slot: a click, and Enter on the list.
      await click(rowSelector(first), 'a slot in the supervisor\'s list');
      await browser.execute((sel) => document.querySelector(sel).focus(), tid('slot-list'));
      await browser.keys('Enter');
      await shown(tid('supervisor-note'), 'the note on what supervisors may do');
      for (const id of ['book-panel', 'confirm-booking', 'description-input']) {
        assert.equal(await browser.$(tid(id)).isExisting(), false, `no ${id} for a supervisor`);
      }
      await click(tid('nav-appointments'), 'the Appointments tab');
      await waitUntil(
        async () => /Find the patient first/.test(await browser.$('#screen').getText()),
        'the Appointments screen to ask for a patient',
      );
      assert.equal(await browser.$(tid('cancel-button')).isExisting(), false, 'no Cancel for a supervisor');
      await shot('12-supervisor');
    });

    await step('12-centre-bookings-and-reports', async () => {
      // The centre's bookings: everything booked on this run, with its history.
      await click(tid('nav-centre'), 'the Booked tab');
      const table = await shown(tid('centre-table'), "the centre's bookings");
      await waitUntil(async () => (await table.$$(tid('centre-row'))).length >= 3, 'the bookings made on this run');
      const rows = await browser.execute(
        (sel) => [...document.querySelectorAll(sel)].map((r) => [r.getAttribute('data-appointment-id'), r.getAttribute('data-status')]),
        tid('centre-row'),
      );
      assert.ok(rows.some(([id, st]) => id === booked.id && st === 'cancelled'), `the GP booking cancelled at step 06 is listed: ${JSON.stringify(rows)}`);
      await click(`${tid('centre-row')}[data-appointment-id="${booked.id}"] ${tid('open-history')}`, 'its history');
      const history = await shown(tid('appointment-history'), 'the appointment history');
      await waitUntil(async () => (await history.$$(tid('history-event'))).length >= 2, 'the book and cancel events');
      const actions = await browser.execute((sel) => [...document.querySelectorAll(sel)].map((r) => r.getAttribute('data-action')), tid('history-event'));
      assert.deepEqual(actions, ['book', 'cancel'], 'booked, then cancelled');
      assert.ok((await history.$$(tid('history-audit-entry'))).length >= 1, 'audit entries for it');
      await shot('21-centre-bookings-history');

      // Reports: each figure a chart over its table, the same figures as the CLI's report.
      await click(tid('nav-reports'), 'the Reports tab');
      await shown(tid('report-bookings-total'), 'the bookings figure');
      const screenTotals = await browser.execute(() =>
        Object.fromEntries(
          ['bookings', 'searches-without-slots', 'slots-lost', 'errors', 'cancellations', 'outside-timeframe'].map((id) => [
            id,
            document.querySelector(`[data-testid="report-${id}-total"]`)?.textContent.trim(),
          ]),
        ),
      );
      const today = ukDay(Date.now());
      const from = ukDay(Date.now() - 6 * 86_400_000);
      const cli = bookdeskSupervisor('report', '--from', from, '--to', today);
      assert.equal(cli.status, 0, `bookdesk report: ${JSON.stringify(cli.json)}`);
      const sum = (list) => String(list.reduce((n, x) => n + x.count, 0));
      const r = cli.json;
      assert.deepEqual(screenTotals, {
        bookings: sum(r.bookings),
        'searches-without-slots': sum(r.searches_without_slots),
        'slots-lost': sum(r.slots_lost),
        errors: sum(r.errors_by_kind),
        cancellations: `${sum(r.cancellations)} / ${sum(r.rebookings)}`,
        'outside-timeframe': sum(r.outside_timeframe),
      });
      assert.ok(Number(screenTotals.bookings) >= 3, `this run's bookings are counted: ${screenTotals.bookings}`);
      assert.ok(Number(sum(r.slots_lost)) >= 1, 'the slot lost at step 07 is counted');
      t.diagnostic(`report: ${JSON.stringify(screenTotals)}`);
      await shot('22-reports');
    });
    t.diagnostic(`axe-core: no violations on ${axeChecked.length} screens (${axeChecked.join(', ')})`);
  } finally {
    for (const name of ['api-key', 'signing-key', 'audit-key']) cliSecret('delete', name);
    await browser.deleteSession().catch(() => {});
  }
});
