// What both end-to-end tests do with the real window: open the app through tauri-driver (on
// the port tests/e2e/run.sh starts it on), and take screenshots that are also held to axe-core.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { remote } from 'webdriverio';
import { checkAxe } from './axe.mjs';

export const SHOTS = process.env.BOOKDESK_E2E_SCREENSHOTS || path.resolve('target/e2e-screenshots');

/** A WebDriver session on a fresh window of the app at `app`. */
export async function openApp(app) {
  mkdirSync(SHOTS, { recursive: true });
  return remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    connectionRetryTimeout: 60_000,
    capabilities: { 'tauri:options': { application: app } },
  });
}

/**
 * `shot(name, { axe })`: a screenshot of the window as `name`.png, reported to `t`; unless `axe`
 * is false, the screen is held to axe-core (the run fails on any violation) and its name kept
 * in `shot.checked`.
 */
export function screenshots(browser, t) {
  const checked = [];
  const shot = async (name, { axe = true } = {}) => {
    // The webview can hand back a frame from before the last DOM change: let it paint first.
    await browser.pause(1000);
    const file = path.join(SHOTS, `${name}.png`);
    await browser.saveScreenshot(file);
    t.diagnostic(`screenshot ${file}`);
    if (axe) {
      await checkAxe(browser, name);
      checked.push(name);
    }
  };
  shot.checked = checked;
  return shot;
}
