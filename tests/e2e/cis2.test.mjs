// Signing in with NHS CIS2 in the real window: the desk configured with a [cis2] section against
// a real OpenID provider (tests/oidc, oidc-provider), its "system browser" signing in through
// the provider's own pages (tests/oidc/browse.mjs, by way of cis2-browser.sh). Run it with
// tests/e2e/run.sh, which starts the provider, a provider-sim and the driver for this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, screenshots, SHOTS } from './window.mjs';

const APP = requireEnv('BOOKING_DESK_APP');
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
/** The next sign-in in the browser is `user`'s; '' is a person who never finishes there. */
const browserSignsInAs = (user) => writeFileSync(USER_FILE, user);

test('a person signs in with CIS2, chooses a role, is locked out when away, and can give up a sign-in', { timeout: 300_000 }, async (t) => {
  browserSignsInAs('multi');
  const browser = await openApp(APP);
  const shot = screenshots(browser, t);
  const axeChecked = shot.checked;
  const shown = async (selector, what = selector, timeout = WAIT) => {
    const el = await browser.$(selector);
    await el.waitForDisplayed({ timeout, timeoutMsg: `${what} was not shown within ${timeout} ms` });
    return el;
  };
  const waitUntil = (fn, what, timeout = WAIT) =>
    browser.waitUntil(fn, { timeout, interval: 200, timeoutMsg: `${what} (waited ${timeout} ms)` });
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
