// A call handler's path through Booking Desk, driven through the real window (tauri-driver +
// WebKitWebDriver) against the embedded demo provider. Run it with tests/e2e/run.sh, which
// provides the display, the driver and the environment read below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { remote, Key } from 'webdriverio';

const APP = requireEnv('BOOKING_DESK_APP');
const CLI = requireEnv('BOOKDESK_CLI');
const DATA_DIR = requireEnv('BOOKDESK_DATA_DIR');
const SHOTS = process.env.BOOKDESK_E2E_SCREENSHOTS || path.resolve('target/e2e-screenshots');
// Written by the app's embedded demo while it runs: lets the CLI reach the same provider.
const DEMO_CONFIG = path.join(DATA_DIR, 'demo', 'bookdesk.toml');

const NHS = '9434765919'; // JACKSON, Jane (Miss)
const OTHER_NHS = '9476719931'; // OKONJO, David: books behind the UI's back
const WAIT = 20_000;

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through tests/e2e/run.sh`);
  return value;
}

const tid = (id) => `[data-testid="${id}"]`;

/** Runs the bookdesk CLI against the app's demo provider; returns its JSON answer and status. */
function bookdesk(...args) {
  const run = spawnSync(CLI, ['--config', DEMO_CONFIG, ...args, '--json'], {
    encoding: 'utf8',
    env: process.env,
    timeout: WAIT,
  });
  if (run.error) throw run.error;
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new Error(`bookdesk ${args.join(' ')} printed no JSON (exit ${run.status}): ${run.stderr}`);
  }
  return { status: run.status, json };
}

test('a call handler books, cancels and meets a taken slot', { timeout: 300_000 }, async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    connectionRetryTimeout: 60_000,
    capabilities: { 'tauri:options': { application: APP } },
  });

  // Later steps build on earlier ones: after a failure they are skipped, not piled on.
  let broken = false;
  const step = (name, fn) =>
    t.test(name, async (st) => {
      if (broken) return st.skip('an earlier step failed');
      try {
        await fn();
      } catch (e) {
        broken = true;
        await shot(`${name}-FAILED`).catch(() => {});
        throw e;
      }
    });

  // The webview can hand back a frame from before the last DOM change: let it paint first.
  const shot = async (name) => {
    await browser.pause(1000);
    const file = path.join(SHOTS, `${name}.png`);
    await browser.saveScreenshot(file);
    t.diagnostic(`screenshot ${file}`);
  };

  const waitUntil = (fn, what, timeout = WAIT) =>
    browser.waitUntil(fn, { timeout, interval: 250, timeoutMsg: `timed out after ${timeout} ms: ${what}` });

  const shown = async (id, timeout = WAIT) => {
    const el = await browser.$(tid(id));
    await el.waitForDisplayed({ timeout, timeoutMsg: `${id} was not shown within ${timeout} ms` });
    return el;
  };

  // Services and slot start times come from the provider through the CLI: the UI's rows carry
  // ids only, and the list is virtualised, so not every row is in the page at once.
  let gpServices = [];
  const slotStarts = new Map(); // "service/slot" -> start
  const key = (service, slot) => `${service}/${slot}`;
  const ukDay = (date) => date.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const today = ukDay(new Date());

  /** The slot rows now in the page, in list order. */
  const visibleRows = () =>
    browser.execute((sel) =>
      [...document.querySelectorAll(sel)].map((r) => ({
        service: r.getAttribute('data-service-id'),
        slot: r.getAttribute('data-slot-id'),
        selected: r.getAttribute('aria-selected'),
      })), tid('slot-row'));

  /** Scrolls the slot list from the top until a row passes `accept`; null when none does. */
  const findRow = async (accept) => {
    await browser.execute((sel) => { const l = document.querySelector(sel); if (l) l.scrollTop = 0; }, tid('slot-list'));
    for (let page = 0; page < 200; page++) {
      await browser.pause(100); // lets the virtual list render the rows for the new offset
      const hit = (await visibleRows()).find(accept);
      if (hit) return hit;
      const moved = await browser.execute((sel) => {
        // The scrolling element is the list itself or the nearest ancestor that scrolls.
        let el = document.querySelector(sel);
        while (el && el.scrollHeight <= el.clientHeight + 1) el = el.parentElement;
        if (!el) return false;
        const before = el.scrollTop;
        el.scrollTop = before + Math.max(el.clientHeight * 0.8, 40);
        return el.scrollTop !== before;
      }, tid('slot-list'));
      if (!moved) return null;
    }
    return null;
  };

  const rowSelector = (row) => `${tid('slot-row')}[data-service-id="${row.service}"][data-slot-id="${row.slot}"]`;

  /** Searches every service and waits until none is still searching. */
  const searchSlots = async () => {
    await (await shown('nav-slots')).click();
    await (await shown('search-slots')).click();
    let states = [];
    await waitUntil(async () => {
      states = await browser.execute((sel) =>
        [...document.querySelectorAll(sel)].map((s) => [s.getAttribute('data-service-id'), s.getAttribute('data-state')]),
        tid('service-status'));
      return states.length > 0 && states.every(([, state]) => state !== 'searching');
    }, 'every service-status to leave "searching"');
    return states;
  };

  /** A GP practice slot at least a day ahead (else any later today), not one in `avoid`. */
  const pickGpRow = async (avoid = new Set()) => {
    const gp = (row) => gpServices.includes(row.service) && !avoid.has(key(row.service, row.slot));
    const start = (row) => slotStarts.get(key(row.service, row.slot));
    return (
      (await findRow((row) => gp(row) && start(row) && ukDay(new Date(start(row))) > today)) ??
      (await findRow((row) => gp(row) && start(row) && new Date(start(row)) > new Date(Date.now() + 3_600_000)))
    );
  };

  const selectRow = async (row) => {
    const el = await browser.$(rowSelector(row));
    await el.scrollIntoView({ block: 'center' });
    await el.click();
    await waitUntil(async () => (await el.getAttribute('aria-selected')) === 'true', `slot ${row.slot} to be selected`);
  };

  let booked; // { service, slot, id }

  try {
    await step('00-window', async () => {
      await waitUntil(async () => (await browser.getTitle()) === 'Booking Desk', 'window title "Booking Desk"');
      await shot('00-window');
    });

    await step('01-demo-band', async () => {
      const band = await shown('demo-band');
      assert.match(await band.getText(), /demo/i, 'the DEMO band says it is the demo');
      await shot('01-demo-band');
    });

    await step('02-patient', async () => {
      const input = await shown('nhs-input');
      await input.setValue(NHS);
      await input.addValue(Key.Enter); // Enter on the field finds the patient
      const status = await shown('nhs-status');
      await waitUntil(async () => /943\s?476\s?5919|valid/i.test(await status.getText()), 'the NHS number to be accepted');
      assert.doesNotMatch(await status.getText(), /not valid|invalid/i);
      const banner = await shown('patient-banner');
      await waitUntil(async () => /JACKSON/.test(await banner.getText()), 'the patient banner to name JACKSON');
      await shot('02-patient');
    });

    await step('03-search', async () => {
      const services = bookdesk('services').json;
      gpServices = services
        .filter((s) => s.kind === 'gp-practice' && s.standard === 'gp-connect')
        .map((s) => s.id)
        .sort((a, b) => (a === 'beckside-medical-practice' ? -1 : b === 'beckside-medical-practice' ? 1 : 0));
      assert.ok(gpServices.length > 0, 'the demo has GP Connect practices');
      const slots = bookdesk('slots', ...gpServices.flatMap((id) => ['--service', id])).json.slots;
      for (const s of slots) slotStarts.set(key(s.service_id, s.id), s.start);

      const states = await searchSlots();
      t.diagnostic(`service states: ${states.map((s) => s.join('=')).join(', ')}`);
      assert.equal(states.length, services.length, 'one status per service in the directory');
      assert.ok(states.some(([, state]) => state === 'found'), 'at least one service found slots');
      await shown('slot-list');
      await waitUntil(async () => (await visibleRows()).length > 0, 'slot rows to be listed');
      await shot('03-search');
    });

    await step('04-book', async () => {
      const row = await pickGpRow();
      assert.ok(row, 'a GP practice slot is listed');
      await selectRow(row);
      await shown('book-panel');
      await (await shown('description-input')).setValue('Sore throat and fever for 3 days');
      await (await shown('comment-input')).setValue('Call back on 07700 900123');
      await (await shown('confirm-booking')).click();
      await shown('booking-confirmation');
      const ref = await shown('confirmation-reference');
      let id = '';
      await waitUntil(async () => (id = (await ref.getText()).trim()) !== '', 'a booking reference');
      booked = { service: row.service, slot: row.slot, id };
      t.diagnostic(`booked ${row.service} slot ${row.slot} as appointment ${id}`);
      // The provider holds it, not just the screen.
      const held = bookdesk('show', '--service', row.service, '--appointment', id);
      assert.equal(held.status, 0, `the provider knows appointment ${id}: ${JSON.stringify(held.json)}`);
      assert.equal(held.json.status, 'booked');
      assert.deepEqual(held.json.slot_ids, [row.slot]);
      assert.equal(held.json.nhs_number, NHS);
      assert.equal(held.json.description, 'Sore throat and fever for 3 days');
      await shot('04-booked');
    });

    await step('05-cancel', async () => {
      await (await shown('nav-appointments')).click();
      const rowSel = `${tid('appointment-row')}[data-service-id="${booked.service}"][data-appointment-id="${booked.id}"]`;
      const row = await browser.$(rowSel);
      await row.waitForDisplayed({ timeout: WAIT, timeoutMsg: `appointment ${booked.id} was not listed` });
      assert.equal(await row.getAttribute('data-status'), 'booked');
      await shot('05a-appointments');
      await (await row.$(tid('cancel-button'))).click();
      await (await shown('cancel-reason')).setValue('Feeling better');
      await (await shown('confirm-cancel')).click();
      await waitUntil(
        async () => (await browser.$(rowSel).getAttribute('data-status')) === 'cancelled',
        `appointment ${booked.id} to show as cancelled`,
      );
      const held = bookdesk('show', '--service', booked.service, '--appointment', booked.id);
      assert.equal(held.json.status, 'cancelled', 'the provider cancelled it');
      await shot('05b-cancelled');
    });

    await step('06-slot-taken', async () => {
      await searchSlots();
      const row = await pickGpRow(new Set([key(booked.service, booked.slot)]));
      assert.ok(row, 'another GP practice slot is listed');
      await selectRow(row);
      // The row after it, to show the list around the taken slot is rendered after the refresh.
      const rows = await visibleRows();
      const next = rows[rows.findIndex((r) => r.service === row.service && r.slot === row.slot) + 1];
      await (await shown('description-input')).setValue('Earache since yesterday');

      const taken = bookdesk('book', '--service', row.service, '--slot', row.slot, '--nhs', OTHER_NHS, '--description', 'x');
      assert.equal(taken.status, 0, `the CLI took the slot: ${JSON.stringify(taken.json)}`);
      await shot('06a-slot-selected');

      await (await shown('confirm-booking')).click();
      let seen = {};
      await waitUntil(async () => {
        const panel = await browser.$(`${tid('error-panel')}[data-kind="slot-taken"]`);
        seen = { panel: await panel.isDisplayed(), refreshed: await browser.$(tid('slots-refreshed')).isDisplayed() };
        return seen.panel || seen.refreshed;
      }, 'the slot-taken error or the slots-refreshed message');
      t.diagnostic(`slot-taken panel: ${seen.panel}, slots-refreshed: ${seen.refreshed}`);
      assert.equal(await browser.$(tid('booking-confirmation')).isDisplayed(), false, 'no confirmation for a taken slot');
      await waitUntil(async () => !(await browser.$(rowSelector(row)).isExisting()), `slot ${row.slot} to leave the list`);
      if (next) {
        assert.ok(await browser.$(rowSelector(next)).isExisting(), 'the slots around the taken one are still listed');
      }
      await shot('06b-slot-taken');
    });

    await step('07-booked-today', async () => {
      await (await shown('nav-booked')).click();
      const table = await shown('bookings-table');
      await waitUntil(async () => (await table.getText()).includes(booked.id), `appointment ${booked.id} in Booked today`);
      await shot('07-booked-today');
    });
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});
