// Signing in with NHS CIS2 in the real window: the desk configured with a [cis2] section against
// a real OpenID provider (tests/oidc, oidc-provider), its "system browser" signing in through
// the provider's own pages (tests/oidc/browse.mjs, by way of cis2-browser.sh). Run it with
// tests/e2e/run.sh, which starts the provider, a provider-sim and the driver for this test.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerPlatformKey, tomlValue } from './platform.mjs';
import { openApp, screenshots, SHOTS } from './window.mjs';

const APP = requireEnv('BOOKING_DESK_APP');
const CLI = requireEnv('BOOKDESK_CLI');
// The desk's configuration: CIS2, the national services, and no services list at all.
const CONFIG = requireEnv('BOOKDESK_CONFIG');
// The same desk as the simulator configured it, with a named user (see `before`).
const SETUP_CONFIG = requireEnv('BOOKDESK_E2E_SETUP_CONFIG');
// provider-sim's own address, to read what its services hold.
const SIM = requireEnv('BOOKDESK_E2E_SIM_URL').replace(/\/$/, '');
// The simulated Directory of Services' account password (provider-sim's DEMO_DOS_PASSWORD).
const DOS_PASSWORD = 'Demo-DoS-1234';
// Whom the browser signs in as next: the test writes the provider's user name here.
const USER_FILE = requireEnv('BOOKDESK_E2E_CIS2_USER_FILE');
const WAIT = 30_000;
const NHS = '9434765919'; // JACKSON, Jane (Miss)

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through tests/e2e/run.sh`);
  return value;
}

const tid = (id) => `[data-testid="${id}"]`;

// As IT sets a desk up: its platform key registered, and the keys and the DoS account's
// password in the keyring, with the CLI, as the README says. On a CIS2 desk only a desk
// administrator who signed in may do that; here it is done through the simulator's own
// configuration of the same desk (the same keyring namespace), which names a user instead.
before(async () => {
  const toml = readFileSync(CONFIG, 'utf8');
  assert.equal(tomlValue(toml, null, 'directory'), undefined, 'this desk has no services list');
  const { apiKey, privateKey } = await registerPlatformKey(tomlValue(toml, 'platform', 'token_url'), tomlValue(toml, 'platform', 'key_id'), 'cis2-e2e');
  for (const [name, value] of [['api-key', apiKey], ['signing-key', privateKey], ['dos-password', DOS_PASSWORD]]) {
    const set = spawnSync(CLI, ['--config', SETUP_CONFIG, 'secrets', 'set', name], { input: value, encoding: 'utf8', timeout: WAIT });
    assert.equal(set.status, 0, `bookdesk secrets set ${name}: ${set.stderr}`);
  }
});
/** The next sign-in in the browser is `user`'s; '' is a person who never finishes there. */
const browserSignsInAs = (user) => writeFileSync(USER_FILE, user);

/** Waiting for, typing into and pressing keys in `browser`'s window, each failure saying what. */
function drive(browser) {
  const shown = async (selector, what = selector, timeout = WAIT) => {
    const el = await browser.$(selector);
    await el.waitForDisplayed({ timeout, timeoutMsg: `${what} was not shown within ${timeout} ms` });
    return el;
  };
  const waitUntil = (fn, what, timeout = WAIT) =>
    browser.waitUntil(fn, { timeout, interval: 200, timeoutMsg: `${what} (waited ${timeout} ms)` });
  const typeInto = async (id, value) => {
    const el = await shown(tid(id), id);
    await el.clearValue();
    await el.setValue(value);
  };
  /** A shortcut from the keyboard; the control it stands for if the webview keeps the keys. */
  const shortcut = async (keys, appears, fallback) => {
    await browser.keys(keys);
    try {
      await browser.$(appears).waitForDisplayed({ timeout: 3_000 });
      return true;
    } catch {
      await (await shown(fallback, fallback)).click();
      return false;
    }
  };
  return { shown, waitUntil, typeInto, shortcut };
}

test('a person signs in with CIS2, chooses a role, is locked out when away, and can give up a sign-in', { timeout: 300_000 }, async (t) => {
  browserSignsInAs('multi');
  const browser = await openApp(APP);
  const shot = screenshots(browser, t);
  const axeChecked = shot.checked;
  const { shown, waitUntil } = drive(browser);
  const bannerName = async () => (await browser.$(tid('patient-banner')).isExisting() ? browser.$(tid('patient-banner')).getText() : '');

  try {
    // Nothing is typed about who is at the desk: the sign-in is CIS2's.
    const start = await shown(tid('cis2-start'), 'Sign in with NHS CIS2');
    assert.equal(await browser.$(tid('sign-in-form')).isExisting(), false, 'no typed identity');
    assert.equal(await browser.$(tid('demo-band')).isExisting(), false, 'not marked as the demo');
    await shot('c1-cis2-sign-in');

    // Priya Shah holds two roles at the desk's organisation (and one elsewhere): she chooses.
    await start.click();
    const roles = await shown(tid('cis2-roles'), 'the roles to choose from');
    assert.match(await roles.getText(), /Priya Shah, choose the role you are working in/);
    assert.equal((await browser.$$(`${tid('cis2-roles')} input[type="radio"]`)).length, 2, 'only the roles here');
    await shot('c2-cis2-choose-role');
    await (await browser.$(tid('cis2-role-0'))).click();
    await (await browser.$(tid('cis2-role-continue'))).click();
    await shown(tid('nhs-input'), 'the NHS number field');
    assert.match(await browser.$(tid('user-name')).getText(), /Priya Shah/);

    // She finds a patient; the desk, left, locks (idle_lock_minutes = 1) and hides her.
    await (await browser.$(tid('nhs-input'))).setValue(NHS);
    await browser.keys('Enter');
    await waitUntil(async () => /JACKSON, Jane/.test(await bannerName()), 'the patient banner to name JACKSON, Jane');
    await shot('c3-cis2-signed-in');
    const lock = await shown(tid('cis2-start'), 'the lock screen', 120_000);
    assert.equal(await browser.$(tid('desk-behind-lock')).isDisplayed(), false, 'the patient is out of sight');
    await shot('c4-cis2-locked');

    // She comes back and signs in again: her call is as she left it.
    await lock.click();
    await shown(tid('cis2-roles'), 'the roles to choose from');
    await (await browser.$(tid('cis2-role-0'))).click();
    await (await browser.$(tid('cis2-role-continue'))).click();
    await waitUntil(async () => /JACKSON, Jane/.test(await bannerName()), 'JACKSON, Jane still on the desk');

    // She locks it herself as she steps away; someone else signs in, and starts afresh.
    browserSignsInAs('handler');
    await (await shown(tid('lock-desk'), 'Lock')).click();
    await (await shown(tid('cis2-start'), 'the lock screen')).click();
    await waitUntil(async () => /Amira Okafor/.test(await browser.$(tid('user-name')).getText()), 'Amira Okafor to be signed in');
    await shown(tid('nhs-input'), 'the NHS number field');
    assert.equal(await bannerName(), '', 'nothing of the last call on screen');

    // Locked once more, and the sign-in is never finished in the browser: Cancel gives it up.
    browserSignsInAs('');
    await (await shown(tid('lock-desk'), 'Lock')).click();
    await (await shown(tid('cis2-start'), 'the lock screen')).click();
    const cancel = await shown(tid('cis2-cancel'), 'Cancel while waiting for the browser');
    await cancel.click();
    const told = await shown(tid('error-message'), 'why the sign-in stopped');
    assert.match(await told.getText(), /The sign-in was cancelled/);
    assert.equal(await browser.$(tid('cis2-cancel')).isExisting(), false, 'no longer waiting');
    await shot('c5-cis2-cancelled');
    t.diagnostic(`axe-core: no violations on ${axeChecked.length} screens (${axeChecked.join(', ')})`);
  } catch (e) {
    await browser.saveScreenshot(path.join(SHOTS, 'c-cis2-FAILED.png')).catch(() => {});
    throw e;
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});

// Issue 20: from an NHS number and a triage outcome to a booking at a service the desk found
// itself, with no services list: the Directory of Services finds the services for the need, SDS
// (UEC Booking) or the BaRS endpoint catalogue gives the booking endpoint. Emergency departments
// are open at every hour of every day, so the walk does not depend on when it runs.
const LEEDS_EAST = { dosId: '2000100303', serviceId: 'dos-2000100303', name: 'Leeds East Hospital Emergency Department', standard: 'UEC Booking' };
const KIRKGATE = { dosId: '2000100606', serviceId: 'dos-2000100606', name: 'Kirkgate Infirmary Emergency Department', standard: 'BaRS' };
const TRIAGE = {
  complaint: 'Fell from a ladder an hour ago, painful swollen right wrist, cannot grip',
  dxCode: 'Dx03',
  dxText: 'Attend an emergency treatment centre within 4 hours',
  timeframeMinutes: 240,
};

test('with no services list, a call handler books at services the desk found itself, and the next session sees them', { timeout: 300_000 }, async (t) => {
  browserSignsInAs('handler');
  let browser = await openApp(APP);
  const checked = [];
  let shot;
  const WAIT_LONG = 60_000;
  let shown, waitUntil, typeInto, shortcut;
  const session = () => {
    shot = screenshots(browser, t);
    checked.push(shot.checked);
    ({ shown, waitUntil, typeInto, shortcut } = drive(browser));
  };
  session();

  const signInAndFindJane = async () => {
    await (await shown(tid('cis2-start'), 'Sign in with NHS CIS2')).click();
    await waitUntil(async () => /Amira Okafor/.test(await browser.$(tid('user-name')).getText().catch(() => '')), 'Amira Okafor to be signed in');
    const nhs = await shown(tid('nhs-input'), 'the NHS number field');
    await nhs.setValue(NHS);
    await browser.keys('Enter');
    await waitUntil(async () => /JACKSON, Jane/.test(await browser.$(tid('patient-banner')).getText().catch(() => '')), 'the banner to name JACKSON, Jane');
  };

  /** The triage outcome, from the keyboard. */
  const triage = async () => {
    const viaKeys = await shortcut(['Alt', 't'], tid('triage-screen'), tid('banner-triage-edit'));
    t.diagnostic(`triage summary opened ${viaKeys ? 'with Alt+T' : 'from the banner'}`);
    await typeInto('triage-complaint', TRIAGE.complaint);
    await typeInto('triage-dx-code', TRIAGE.dxCode);
    await typeInto('triage-dx-text', TRIAGE.dxText);
    await (await shown(tid('triage-timeframe'))).selectByAttribute('value', String(TRIAGE.timeframeMinutes));
    await typeInto('triage-sg-code', 'SG1010');
    await typeInto('triage-sg-text', 'Wound');
    await typeInto('triage-sd-code', 'SD4003');
    await typeInto('triage-sd-text', 'PC full Primary Care assessment and prescribing capability');
    const consent = await shown(tid('triage-consent'), 'the consent tick');
    if (!(await consent.isSelected())) await consent.click();
    await browser.keys(['Alt', 's']);
    await browser.$(tid('triage-screen')).waitForExist({ reverse: true, timeout: 3_000 }).catch(async () => {
      await (await shown(tid('triage-save'), 'Save triage summary')).click();
    });
    await waitUntil(async () => !(await browser.$(tid('triage-screen')).isExisting()), 'the triage summary to close once saved');
  };

  /**
   * The services the DoS finds for Jane's need, `service` among them as bookable by its
   * standard; only it ticked (Space on each tick), searched, and its soonest slot chosen with
   * the keyboard. Ends on the booking panel.
   */
  const chooseSoonestAt = async (service, picture) => {
    await (await shown(tid('nav-slots'), 'the Find a slot tab')).click();
    await shown(tid('found-services'), 'the services for this patient', WAIT_LONG);
    const rows = await browser.execute(
      (sel) => [...document.querySelectorAll(sel)].map((r) => [r.getAttribute('data-dos-id'), r.getAttribute('data-how'), r.textContent.replace(/\s+/g, ' ')]),
      tid('found-service'),
    );
    t.diagnostic(`services found: ${rows.map(([id, how]) => `${id}=${how}`).join(', ')}`);
    const found = rows.find(([id]) => id === service.dosId);
    assert.ok(found, `the DoS returned ${service.name}: ${JSON.stringify(rows)}`);
    assert.equal(found[1], 'book', `${service.name} is bookable: ${found[2]}`);
    assert.ok(found[2].includes(service.standard), `by the standard its endpoint is for: ${found[2]}`);
    assert.equal(await browser.$(tid('found-services-use-own')).isExisting(), false, 'no own list to switch to');
    const ticks = await browser.$$(`${tid('found-service')} ${tid('found-service-tick')}`);
    for (const tick of ticks) {
      const row = await tick.$('./ancestor::li[@data-testid="found-service"]');
      const want = (await row.getAttribute('data-dos-id')) === service.dosId;
      if ((await tick.isSelected()) !== want) {
        await browser.execute((e) => e.focus(), tick);
        await browser.keys(' ');
        await waitUntil(async () => (await tick.isSelected()) === want, 'the tick to follow the Space bar');
      }
    }
    if (picture) await shot(picture);
    await (await shown(tid('search-slots'), 'the Search button')).click();
    await waitUntil(async () => {
      const states = await browser.execute((sel) => [...document.querySelectorAll(sel)].map((s) => s.getAttribute('data-state')), tid('service-status'));
      return states.length > 0 && states.every((state) => state !== 'searching');
    }, 'the search to finish', WAIT_LONG);
    await waitUntil(async () => (await browser.$$(tid('slot-row'))).length > 0, `slots at ${service.name}`);
    const listed = await browser.execute((sel) => [...new Set([...document.querySelectorAll(sel)].map((r) => r.getAttribute('data-service-id')))], tid('slot-row'));
    assert.deepEqual(listed, [service.serviceId], 'only the ticked service is listed');
    await browser.execute((sel) => document.querySelector(sel).focus(), tid('slot-list'));
    await browser.keys('Home');
    await browser.keys('Enter');
    await shown(tid('book-panel'), 'the booking panel');
    const description = await browser.$(tid('description-input'));
    await waitUntil(async () => (await description.getValue()) !== '', 'the description to be filled in from the summary');
    assert.equal(await browser.$(tid('timeframe-warning')).isExisting(), false, 'the soonest emergency department slot is within 4 hours');
  };

  /** Alt+B, and the booking's reference once confirmed. */
  const confirm = async () => {
    await shortcut(['Alt', 'b'], tid('booking-confirmation'), tid('confirm-booking'));
    await shown(tid('booking-confirmation'), 'the booking confirmation', WAIT_LONG);
    let id = '';
    await waitUntil(async () => (id = (await browser.$(tid('confirmation-reference')).getText().catch(() => '')).trim()) !== '', 'a booking reference');
    return id;
  };

  let appointmentId = '';
  try {
    await signInAndFindJane();
    await triage();
    await chooseSoonestAt(LEEDS_EAST, 'c6-found-services');
    appointmentId = await confirm();
    t.diagnostic(`booked ${LEEDS_EAST.serviceId} appointment ${appointmentId}`);
    // The 111 report went to the ITK address the DoS gives the department.
    const sent = await shown(tid('clinical-sent'), 'the 111 report sent');
    assert.equal((await sent.getText()).trim(), 'The 111 report was sent to the service.');
    await shot('c7-found-service-booked');

    // The emergency department holds it, as booked, for Jane.
    const held = await (await fetch(`${SIM}/_admin/appointments`)).json();
    const appointment = held.find((a) => a.id === appointmentId);
    assert.ok(appointment, `the service holds appointment ${appointmentId}`);
    assert.equal(appointment.status, 'booked');
    assert.ok(JSON.stringify(appointment).includes(NHS), 'booked for Jane');
  } catch (e) {
    await browser.saveScreenshot(path.join(SHOTS, 'c-found-FAILED.png')).catch(() => {});
    throw e;
  } finally {
    await browser.deleteSession().catch(() => {});
  }

  // The next session has found nothing yet: the patient's appointments still show the booking,
  // its service looked up again from the registry's record by the DoS and SDS; and a booking at
  // another found service (BaRS this time) is held until the person acknowledges it.
  browser = await openApp(APP);
  session();
  try {
    await signInAndFindJane();
    await browser.keys(['Alt', 'a']);
    const onTab = async () => (await browser.$(tid('nav-appointments')).getAttribute('aria-selected')) === 'true';
    const viaKeys = await waitUntil(onTab, 'Alt+A', 3_000).then(() => true, () => false);
    if (!viaKeys) await (await shown(tid('nav-appointments'), 'the Appointments tab')).click();
    t.diagnostic(`appointments opened ${viaKeys ? 'with Alt+A' : 'from the tab'}`);
    const row = await shown(`${tid('appointment-row')}[data-appointment-id="${appointmentId}"]`, `appointment ${appointmentId} in the list`, WAIT_LONG);
    assert.equal(await row.getAttribute('data-service-id'), LEEDS_EAST.serviceId);
    assert.equal(await row.getAttribute('data-status'), 'booked');
    assert.match(await row.getText(), /Leeds East Hospital Emergency Department/, 'named as the DoS named it');
    await shot('c8-next-session-appointments');

    await triage();
    await chooseSoonestAt(KIRKGATE);
    const warning = await shown(tid('already-booked'), 'the already-booked warning', WAIT_LONG);
    assert.match(await warning.getText(), /Leeds East Hospital Emergency Department/, 'it names the booking of the last session');
    assert.equal(await browser.$(tid('confirm-booking')).isEnabled(), false, 'no booking before the tick');
    await browser.execute(() => document.querySelector('.book-panel').scrollTo(0, 0));
    await shot('c9-already-booked-at-a-found-service');
    const ack = await shown(tid('already-booked-ack'), 'Book another anyway');
    await browser.execute((e) => e.focus(), ack);
    await browser.keys(' ');
    const id = await confirm();
    t.diagnostic(`booked ${KIRKGATE.serviceId} appointment ${id}`);
    await shot('c10-bars-found-service-booked');
    const bars = await (await fetch(`${SIM}/_admin/bars-bookings`)).json();
    const booking = bars.find((b) => b.appointment.id === id);
    assert.ok(booking, `Kirkgate holds BaRS booking ${id}`);
    assert.equal(booking.appointment.status, 'booked');
    t.diagnostic(`axe-core: no violations on ${checked.flat().join(', ')}`);
  } catch (e) {
    await browser.saveScreenshot(path.join(SHOTS, 'c-found-next-FAILED.png')).catch(() => {});
    throw e;
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});
