// The hazard log checker's own tests: `node --test tests/safety/check.test.mjs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, namedTests, parseCargo, parseLog, parseTap, parseVitest, rustTarget } from './check.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHECKER = path.join(ROOT, 'tests/safety/check.mjs');
const REAL_LOG = readFileSync(path.join(ROOT, 'tests/SAFETY.md'), 'utf8');

// Real tests of this repository, so that the source check passes and only the run decides.
const RUST = '- test: rust src-tauri/engine/tests/safe_booking.rs::racing_desks_book_a_slot_once';
const UNIT = '- test: rust src-tauri/engine/src/ids.rs::tests::nhs_numbers_pass_and_fail_modulus_11';
const VITEST = '- test: vitest ui/src/screens/Book/BookPanel.test.tsx::"restates the slot and the patient"';
const E2E = '- test: e2e tests/e2e/booking.test.mjs::07-slot-taken';

/** A one-hazard log with the given control lines. */
function log(...controls) {
  return [
    '# Hazard log',
    '',
    '## H01 — A slot shown that is no longer free',
    '',
    '- **Cause:** another desk books it first.',
    '- **Effect on the patient:** delay.',
    '- **Initial risk:** Considerable × Medium = 3.',
    '- **Residual risk:** Considerable × Very low = 2.',
    '',
    '### Controls',
    '',
    ...controls,
    '',
  ].join('\n');
}

const control = (...tests) => ['- **C01.1** The slot is checked just before booking (engine).', ...tests.map((t) => `  ${t}`)];

/** What cargo prints for these results: a header per binary, then the tests' lines. */
function cargoOutput(results) {
  const lines = ['   Compiling booking-engine v0.1.0', '    Finished `test` profile [unoptimized + debuginfo] target(s) in 1m 02s'];
  const byTarget = new Map();
  for (const r of results) {
    const k = `${r.src}|${r.binary}`;
    if (!byTarget.has(k)) byTarget.set(k, []);
    byTarget.get(k).push(r);
  }
  for (const [k, rs] of byTarget) {
    const [src, binary] = k.split('|');
    const unit = src.startsWith('src/') ? 'unittests ' : '';
    lines.push(`     Running ${unit}${src} (/root/.cache/booking-desk/target/debug/deps/${binary}-0f1e2d3c4b5a6978)`, '', `running ${rs.length} tests`);
    for (const r of rs) lines.push(`test ${r.name} ... ${{ passed: 'ok', failed: 'FAILED', skipped: 'ignored' }[r.status]}`);
    lines.push('', `test result: ok. ${rs.length} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.51s`, '');
  }
  lines.push('   Doc-tests booking_engine', '', 'running 0 tests', '');
  return lines.join('\n');
}

/** Vitest's JSON report shape for these results. */
function vitestReport(results) {
  const files = new Map();
  for (const r of results) {
    if (!files.has(r.file)) files.set(r.file, []);
    files.get(r.file).push({ ancestorTitles: r.ancestors ?? ['the Book panel'], title: r.title, fullName: r.title, status: r.status });
  }
  return {
    numTotalTests: results.length,
    testResults: [...files].map(([file, assertionResults]) => ({ name: path.join(ROOT, file), status: 'passed', assertionResults })),
  };
}

/** Node's TAP report: the steps as subtests of one test. */
function tapReport(steps) {
  const lines = ['TAP version 13', '# Subtest: a call handler signs in'];
  steps.forEach((s, i) => {
    lines.push(`    # Subtest: ${s.name}`);
    const skip = s.status === 'skipped' ? ' # SKIP an earlier step failed' : '';
    lines.push(`    ${s.status === 'failed' ? 'not ok' : 'ok'} ${i + 1} - ${s.name}${skip}`, '      ---', '      duration_ms: 12.5', '      ...');
  });
  lines.push(`    1..${steps.length}`, 'ok 1 - a call handler signs in', '1..1', '# tests 1');
  return lines.join('\n');
}

/** A run in which every test the log names passed, through each format's own parser. */
function passingRun(logText, { drop = null, status = {} } = {}) {
  const { hazards } = parseLog(logText);
  const rust = [];
  const vitest = [];
  const e2e = [];
  for (const t of namedTests(hazards)) {
    const key = `${t.kind} ${t.file}::${t.name}`;
    if (key === drop) continue;
    const s = status[key] ?? 'passed';
    if (t.kind === 'rust') {
      const target = rustTarget(t.file, t.name, ROOT);
      assert.ok(!target.error, target.error);
      rust.push({ ...target, status: s });
    } else if (t.kind === 'vitest') {
      const [ancestors, title] = t.name.includes(' > ') ? [t.name.split(' > ').slice(0, -1), t.name.split(' > ').at(-1)] : [undefined, t.name];
      vitest.push({ file: t.file, title, ancestors, status: s });
    } else e2e.push({ file: t.file, name: t.name, status: s });
  }
  const byFile = new Map();
  for (const s of e2e) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  return {
    rust: parseCargo(cargoOutput(dedupe(rust))),
    vitest: parseVitest(vitestReport(dedupeBy(vitest, (v) => `${v.file}|${v.title}`)), ROOT),
    e2e: [...byFile].flatMap(([file, steps]) => parseTap(tapReport(dedupeBy(steps, (s) => s.name)), file)),
  };
}

const dedupeBy = (items, key) => [...new Map(items.map((i) => [key(i), i])).values()];
const dedupe = (rust) => dedupeBy(rust, (r) => `${r.src}|${r.binary}|${r.name}`);

test('the real hazard log is well formed: every hazard has its fields, a control and a test, and every control a test', () => {
  const { hazards, problems } = parseLog(REAL_LOG);
  assert.deepEqual(problems, []);
  assert.ok(hazards.length >= 10, `${hazards.length} hazards`);
  for (const h of hazards) {
    assert.ok(h.controls.length > 0, h.id);
    for (const c of h.controls) assert.ok(c.tests.length > 0, `${h.id} ${c.id}`);
  }
  // Each kind of test is used, so each kind of result is checked.
  const kinds = new Set(namedTests(hazards).map((t) => t.kind));
  assert.deepEqual([...kinds].sort(), ['e2e', 'rust', 'vitest']);
});

test('the real hazard log passes against a run holding every test it names', () => {
  const { problems } = check(REAL_LOG, passingRun(REAL_LOG), ROOT);
  assert.deepEqual(problems, []);
});

test('the real hazard log fails, naming the hazard, when one named test is missing from the run', () => {
  const { hazards } = parseLog(REAL_LOG);
  for (const t of [namedTests(hazards).find((x) => x.kind === 'rust'), namedTests(hazards).find((x) => x.kind === 'vitest'), namedTests(hazards).find((x) => x.kind === 'e2e')]) {
    const key = `${t.kind} ${t.file}::${t.name}`;
    const { problems } = check(REAL_LOG, passingRun(REAL_LOG, { drop: key }), ROOT);
    assert.ok(problems.length > 0, `${key} dropped, yet no problem`);
    assert.ok(problems.every((p) => /did not run/.test(p.message)), JSON.stringify(problems));
    assert.ok(problems.some((p) => p.hazard === t.hazard), `${t.hazard} is named: ${JSON.stringify(problems)}`);
  }
});

test('a named test missing from the run fails', () => {
  const text = log(...control(RUST, VITEST, E2E));
  const run = passingRun(log(...control(VITEST, E2E)));
  const { problems } = check(text, run, ROOT);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].hazard, 'H01');
  assert.match(problems[0].message, /racing_desks_book_a_slot_once: did not run/);
});

test('a unit test is found by its module path, and only in its own crate', () => {
  const text = log(...control(UNIT));
  assert.deepEqual(check(text, passingRun(text), ROOT).problems, []);
  // The same name in another crate's unit tests is not this test.
  const elsewhere = passingRun(text);
  elsewhere.rust = elsewhere.rust.map((r) => ({ ...r, binary: 'provider_sim' }));
  assert.match(check(text, elsewhere, ROOT).problems[0]?.message ?? '', /did not run/);
});

test('a named test that failed, or was skipped, fails', () => {
  const text = log(...control(RUST, VITEST, E2E));
  for (const [status, key] of [
    ['failed', 'rust src-tauri/engine/tests/safe_booking.rs::racing_desks_book_a_slot_once'],
    ['skipped', 'rust src-tauri/engine/tests/safe_booking.rs::racing_desks_book_a_slot_once'],
    ['failed', 'vitest ui/src/screens/Book/BookPanel.test.tsx::restates the slot and the patient'],
    ['skipped', 'vitest ui/src/screens/Book/BookPanel.test.tsx::restates the slot and the patient'],
    ['failed', 'e2e tests/e2e/booking.test.mjs::07-slot-taken'],
    ['skipped', 'e2e tests/e2e/booking.test.mjs::07-slot-taken'],
  ]) {
    const { problems } = check(text, passingRun(text, { status: { [key]: status } }), ROOT);
    assert.equal(problems.length, 1, `${key} ${status}: ${JSON.stringify(problems)}`);
    assert.equal(problems[0].hazard, 'H01');
    assert.match(problems[0].message, new RegExp(`: ${status}$`));
  }
});

test('a hazard without a control, or a control without a test, fails', () => {
  const noControl = check(log(), { rust: [], vitest: [], e2e: [] }, ROOT).problems.map((p) => `${p.hazard} ${p.message}`);
  assert.ok(noControl.includes('H01 names no control'), noControl.join('; '));
  assert.ok(noControl.includes('H01 names no test'), noControl.join('; '));
  const noTest = check(log(...control()), { rust: [], vitest: [], e2e: [] }, ROOT).problems.map((p) => `${p.hazard} ${p.message}`);
  assert.ok(noTest.includes('H01 control C01.1 names no test'), noTest.join('; '));
  assert.ok(noTest.includes('H01 names no test'), noTest.join('; '));
});

test('a malformed test line, a missing field and an unquoted Vitest name fail', () => {
  const bad = [
    '- test: rust safe_booking racing_desks_book_a_slot_once',
    '- test: jest ui/src/x.test.tsx::"y"',
    '- test: vitest ui/src/screens/Book/BookPanel.test.tsx::restates the slot and the patient',
  ];
  const { problems } = parseLog(log(...control(...bad)));
  assert.equal(problems.filter((p) => /malformed test line/.test(p.message)).length, 2, JSON.stringify(problems));
  assert.ok(problems.some((p) => /double quotes/.test(p.message)));
  const missing = parseLog(log(...control(RUST)).replace(/^- \*\*Residual risk:\*\*.*$/m, '')).problems;
  assert.deepEqual(missing.map((p) => p.message), ['no "Residual risk" line']);
});

test('a named test that is not in its source file is reported as such', () => {
  const text = log(...control('- test: rust src-tauri/engine/tests/safe_booking.rs::a_test_that_was_removed', '- test: e2e tests/e2e/booking.test.mjs::99-no-such-step'));
  const messages = check(text, passingRun(text), ROOT).problems.map((p) => p.message);
  assert.equal(messages.length, 2);
  assert.match(messages[0], /a_test_that_was_removed: is not in src-tauri\/engine\/tests\/safe_booking.rs \(no fn of that name\)/);
  assert.match(messages[1], /"99-no-such-step" is not in tests\/e2e\/booking.test.mjs/);
});

test('reads cargo, Vitest and TAP output as their tools write it', () => {
  const cargo = [
    '     Running unittests src/lib.rs (target/debug/deps/booking_engine-8f1d2c3b4a5e6f70)',
    'test ids::tests::nhs_numbers_pass_and_fail_modulus_11 ... ok',
    'test store::tests::registry::an_event_reads_back_as_written::postgres ... ignored, needs a server',
    '     Running tests/safe_booking.rs (/root/.cache/booking-desk/target/debug/deps/safe_booking-0a1b2c3d4e5f6789)',
    'test racing_desks_book_a_slot_once ... FAILED',
    'test racing_desks_book_a_slot_once has been running for over 60 seconds',
    '   Doc-tests booking_engine',
    'test src-tauri/engine/src/lib.rs - Engine (line 40) ... ok',
  ].join('\n');
  assert.deepEqual(parseCargo(cargo), [
    { src: 'src/lib.rs', binary: 'booking_engine', name: 'ids::tests::nhs_numbers_pass_and_fail_modulus_11', status: 'passed' },
    { src: 'src/lib.rs', binary: 'booking_engine', name: 'store::tests::registry::an_event_reads_back_as_written::postgres', status: 'skipped' },
    { src: 'tests/safe_booking.rs', binary: 'safe_booking', name: 'racing_desks_book_a_slot_once', status: 'failed' },
  ]);
  const vitest = parseVitest(
    { testResults: [{ name: path.join(ROOT, 'ui/src/App.test.tsx'), assertionResults: [{ ancestorTitles: ['switching user'], title: 'x', status: 'pending' }] }] },
    ROOT,
  );
  assert.deepEqual(vitest, [{ file: 'ui/src/App.test.tsx', title: 'x', full: 'switching user > x', status: 'skipped' }]);
  const tap = parseTap(['    ok 1 - 00-window', '    not ok 2 - 01-sign-in', '    ok 3 - 02 \\# two # SKIP an earlier step failed', 'ok 1 - all'].join('\n'), 'e.mjs');
  assert.deepEqual(
    tap.map((r) => `${r.name}=${r.status}`),
    ['00-window=passed', '01-sign-in=failed', '02 # two=skipped', 'all=passed'],
  );
});

test('the command line exits 1 listing each problem with its hazard id, and 0 when all is proven', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'safety-check-'));
  const text = log(...control(RUST, E2E));
  writeFileSync(path.join(dir, 'SAFETY.md'), text);
  const run = passingRun(text);
  writeFileSync(path.join(dir, 'cargo.txt'), cargoOutput(run.rust));
  writeFileSync(path.join(dir, 'e2e.tap'), tapReport([{ name: '07-slot-taken', status: 'passed' }]));
  const args = ['--log', path.join(dir, 'SAFETY.md'), '--cargo', path.join(dir, 'cargo.txt')];
  const good = spawnSync('node', [CHECKER, ...args, '--tap', `tests/e2e/booking.test.mjs=${path.join(dir, 'e2e.tap')}`], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /1 hazards, 1 controls, 2 named tests/);
  assert.match(good.stdout, /^safety: 2 passed, 0 failed$/m);
  // The e2e results left out: that step did not run.
  const bad = spawnSync('node', [CHECKER, ...args], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /H01: e2e tests\/e2e\/booking.test.mjs::07-slot-taken: did not run/);
  assert.match(bad.stdout, /^safety: 1 passed, 1 failed$/m);
  const usage = spawnSync('node', [CHECKER, '--cargo', path.join(dir, 'nope.txt')], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});
