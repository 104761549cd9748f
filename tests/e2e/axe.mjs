// axe-core in the real window: its source is injected into the page through WebDriver and run
// there, so the rules that need layout and colour (which jsdom cannot give) are checked too.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The UI's own copy (a dev dependency of ui/), so the e2e tests need no second install of it.
const AXE_SOURCE = path.join(ROOT, 'ui/node_modules/axe-core/axe.min.js');
// How many elements to name per rule: enough to find the problem, short enough to read.
const TARGETS_SHOWN = 3;

let source = null;

function axeSource() {
  if (source === null) {
    if (!existsSync(AXE_SOURCE)) throw new Error(`axe-core is not installed at ${AXE_SOURCE}: run npm ci in ui/`);
    source = readFileSync(AXE_SOURCE, 'utf8');
  }
  return source;
}

/**
 * Runs axe-core on the whole page as it is now and throws an Error naming every rule broken
 * (rule id, impact, the first elements' selectors), with `screenName` saying where.
 */
export async function checkAxe(browser, screenName) {
  // Once per page: the source is large, and loading another page drops it.
  if (!(await browser.execute(() => typeof window.axe !== 'undefined'))) {
    await browser.execute(`${axeSource()}\nreturn true;`);
  }
  // axe runs asynchronously: the page answers when it is done, with plain data WebDriver can carry.
  const answer = await browser.executeAsync((shown, done) => {
    window.axe
      .run(document, { resultTypes: ['violations'] })
      .then((r) =>
        done({
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            count: v.nodes.length,
            targets: v.nodes.slice(0, shown).map((n) => n.target.join(' ')),
          })),
        }),
      )
      .catch((e) => done({ error: String(e && e.stack ? e.stack : e) }));
  }, TARGETS_SHOWN);

  if (answer.error) throw new Error(`axe-core could not run on ${screenName}: ${answer.error}`);
  if (answer.violations.length === 0) return;
  const lines = answer.violations.map((v) => {
    const more = v.count > v.targets.length ? ` and ${v.count - v.targets.length} more` : '';
    return `- ${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}${more}`;
  });
  throw new Error(`axe-core found ${lines.length} problem(s) on ${screenName}:\n${lines.join('\n')}`);
}
