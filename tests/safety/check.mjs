#!/usr/bin/env node
// Checks the hazard log (tests/SAFETY.md) against a real test run: every hazard names at least
// one control, every control at least one test, and every named test ran and passed.
//
//   node tests/safety/check.mjs [--log tests/SAFETY.md] [--cargo FILE]... [--vitest FILE]
//                               [--tap TESTFILE=TAPFILE]...
//
// --cargo: what `cargo test` printed (its "Running ..." headers say which file each test is in).
// --vitest: Vitest's JSON report (--reporter=json --outputFile=...).
// --tap: node's TAP report of one test file (--test-reporter=tap).
// Exit status: 0 all proven, 1 problems (each listed with its hazard id), 2 bad usage.
// Node's standard library only, so it runs wherever the UI's tests do.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const KINDS = ['rust', 'vitest', 'e2e'];

// ---- The hazard log -----------------------------------------------------------------------

const HAZARD = /^## (H\d{2,}) — (.+)$/;
const CONTROL = /^- \*\*(C\d{2,}\.\d+)\*\* (.+)$/;
const TEST_LINE = /^\s*- test:/;
// rust PATH::NAME, vitest PATH::"TITLE", e2e PATH::NAME; PATH has no spaces.
const TEST = /^\s*- test: (rust|vitest|e2e) (\S+?\.(?:rs|tsx?|mjs))::(.+?)\s*$/;
const FIELDS = ['Cause', 'Effect on the patient', 'Initial risk', 'Residual risk'];

/**
 * Reads the log: hazards with their fields, controls and named tests, and every problem with
 * its shape (a hazard without a control or test, a control without a test, a malformed line).
 */
export function parseLog(text) {
  const hazards = [];
  const problems = [];
  let hazard = null;
  let control = null;
  let section = null;
  text.split('\n').forEach((line, i) => {
    const at = `line ${i + 1}`;
    const h = HAZARD.exec(line);
    if (h) {
      hazard = { id: h[1], title: h[2].trim(), fields: {}, controls: [], line: i + 1 };
      hazards.push(hazard);
      control = null;
      section = null;
      return;
    }
    if (/^## /.test(line)) {
      // Another top-level section (the intro's): hazards end here.
      hazard = null;
      control = null;
      return;
    }
    if (!hazard) {
      if (TEST_LINE.test(line)) problems.push({ hazard: '-', message: `${at}: a test named outside any hazard` });
      return;
    }
    const heading = /^### (.+)$/.exec(line);
    if (heading) {
      section = heading[1].trim();
      control = null;
      return;
    }
    const field = /^- \*\*([^*]+):\*\* (.+)$/.exec(line);
    if (field && FIELDS.includes(field[1])) {
      hazard.fields[field[1]] = field[2].trim();
      return;
    }
    const c = CONTROL.exec(line);
    if (c) {
      if (section !== 'Controls') {
        problems.push({ hazard: hazard.id, message: `${at}: control ${c[1]} is outside the "### Controls" section` });
      }
      control = { id: c[1], text: c[2].trim(), tests: [], line: i + 1 };
      hazard.controls.push(control);
      return;
    }
    if (TEST_LINE.test(line)) {
      const t = TEST.exec(line);
      if (!t) {
        problems.push({ hazard: hazard.id, message: `${at}: malformed test line (want "- test: rust|vitest|e2e PATH::NAME"): ${line.trim()}` });
        return;
      }
      if (!control) {
        problems.push({ hazard: hazard.id, message: `${at}: a test outside any control` });
        return;
      }
      const [, kind, file, rawName] = t;
      let name = rawName;
      if (kind === 'vitest') {
        const quoted = /^"(.*)"$/.exec(rawName);
        if (!quoted) {
          problems.push({ hazard: hazard.id, message: `${at}: a Vitest test's name goes in double quotes: ${rawName}` });
          return;
        }
        name = quoted[1];
      }
      control.tests.push({ kind, file, name, line: i + 1, hazard: hazard.id, control: control.id });
    }
  });
  const seen = new Set();
  for (const h of hazards) {
    if (seen.has(h.id)) problems.push({ hazard: h.id, message: `hazard id ${h.id} is used twice` });
    seen.add(h.id);
    for (const f of FIELDS) {
      if (!h.fields[f]) problems.push({ hazard: h.id, message: `no "${f}" line` });
    }
    if (h.controls.length === 0) problems.push({ hazard: h.id, message: 'names no control' });
    for (const c of h.controls) {
      if (c.tests.length === 0) problems.push({ hazard: h.id, message: `control ${c.id} names no test` });
    }
    if (h.controls.every((c) => c.tests.length === 0)) problems.push({ hazard: h.id, message: 'names no test' });
  }
  if (hazards.length === 0) problems.push({ hazard: '-', message: 'the log has no hazards ("## H01 — title")' });
  return { hazards, problems };
}

/** Every named test in the log, in order. */
export const namedTests = (hazards) => hazards.flatMap((h) => h.controls.flatMap((c) => c.tests));

// ---- Results of a run ---------------------------------------------------------------------

/**
 * Reads `cargo test` output. Each result is { src, binary, name, status }: `src` is the target's
 * source as cargo names it ("tests/safe_booking.rs", "src/lib.rs"), `binary` the test binary's
 * name without its hash ("safe_booking", "booking_engine"). Status: passed, failed or skipped.
 */
export function parseCargo(text) {
  const results = [];
  let target = null;
  for (const line of text.split('\n')) {
    const running = /^\s*Running (?:unittests )?(\S+) \((.+)\)\s*$/.exec(line);
    if (running) {
      const file = path.basename(running[2]).replace(/\.exe$/, '');
      target = { src: running[1], binary: file.replace(/-[0-9a-f]+$/, '') };
      continue;
    }
    if (/^\s*Doc-tests /.test(line)) {
      target = null;
      continue;
    }
    const t = /^test (\S+) \.\.\. (ok|FAILED|ignored)\b/.exec(line);
    if (t && target) {
      const status = t[2] === 'ok' ? 'passed' : t[2] === 'FAILED' ? 'failed' : 'skipped';
      results.push({ ...target, name: t[1], status });
    }
  }
  return results;
}

/**
 * Reads Vitest's JSON report: { file (relative to root), title, full, status } per test, where
 * `full` is its describe blocks and title joined with " > ".
 */
export function parseVitest(json, root) {
  const report = typeof json === 'string' ? JSON.parse(json) : json;
  const results = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(root, file.name).split(path.sep).join('/');
    for (const a of file.assertionResults ?? []) {
      const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      const full = [...(a.ancestorTitles ?? []), a.title].join(' > ');
      results.push({ file: rel, title: a.title, full, status });
    }
  }
  return results;
}

/** Reads node's TAP report of `file`: { file, name, status } for every test and subtest. */
export function parseTap(text, file) {
  const results = [];
  for (const line of text.split('\n')) {
    const t = /^\s*(not ok|ok) \d+ - (.*)$/.exec(line);
    if (!t) continue;
    let name = t[2];
    let directive = null;
    // A directive follows an unescaped " # "; node escapes a # in a name as \#.
    const d = /^(.*?[^\\]|) # (SKIP|TODO)\b.*$/i.exec(name);
    if (d) {
      name = d[1];
      directive = d[2].toUpperCase();
    }
    name = name.replace(/\\#/g, '#').replace(/\\\\/g, '\\');
    const status = directive ? 'skipped' : t[1] === 'ok' ? 'passed' : 'failed';
    results.push({ file, name, status });
  }
  return results;
}

// ---- Matching named tests to results ------------------------------------------------------

/** The nearest Cargo.toml above a file, with the names cargo gives its lib and bin targets. */
function crateOf(file, root) {
  let dir = path.dirname(path.join(root, file));
  while (dir.startsWith(root) && dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'Cargo.toml');
    if (existsSync(manifest)) {
      const toml = readFileSync(manifest, 'utf8');
      const section = (name) => toml.split(new RegExp(`^\\[${name}\\]\\s*$`, 'm'))[1]?.split(/^\[/m)[0] ?? '';
      const value = (body, key) => new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(body)?.[1];
      const pkg = value(section('package'), 'name');
      const lib = value(section('lib'), 'name') ?? pkg;
      const bin = value(section('\\[bin\\]'), 'name') ?? pkg;
      return { dir, lib, bin };
    }
    dir = path.dirname(dir);
  }
  return null;
}

const underscores = (s) => (s ?? '').replace(/-/g, '_');

/**
 * Where cargo reports a named Rust test: the target's source and binary, and the test's full
 * name (a unit test's module path comes from its file's place under src/).
 */
export function rustTarget(file, name, root) {
  const crate = crateOf(file, root);
  if (!crate) return { error: `no Cargo.toml above ${file}` };
  const rel = path.relative(crate.dir, path.join(root, file)).split(path.sep).join('/');
  if (rel.startsWith('tests/')) {
    const parts = rel.slice('tests/'.length).split('/');
    if (parts.length !== 1) return { error: `${file} is not a test target (tests/NAME.rs)` };
    return { src: rel, binary: path.basename(rel, '.rs'), name };
  }
  if (!rel.startsWith('src/')) return { error: `${file} is neither under src/ nor tests/` };
  const isLib = existsSync(path.join(crate.dir, 'src/lib.rs'));
  const src = isLib ? 'src/lib.rs' : 'src/main.rs';
  const binary = underscores(isLib ? crate.lib : crate.bin);
  let modules = rel.slice('src/'.length).replace(/\.rs$/, '').split('/');
  if (modules.at(-1) === 'mod') modules = modules.slice(0, -1);
  if (rel === src) modules = [];
  return { src, binary, name: [...modules, name].join('::') };
}

/** Whether the test can be found in its source file: a quick guard against renamed tests. */
function inSource(t, root) {
  const full = path.join(root, t.file);
  if (!existsSync(full)) return `${t.file} does not exist`;
  const text = readFileSync(full, 'utf8');
  if (t.kind === 'rust') {
    const found = t.name.split('::').some((seg) => /^\w+$/.test(seg) && new RegExp(`\\bfn ${seg}\\b`).test(text));
    return found ? null : `is not in ${t.file} (no fn of that name)`;
  }
  const title = t.name.split(' > ').at(-1);
  return text.includes(title) ? null : `"${title}" is not in ${t.file}`;
}

/** The results for one named test (none, one, or several when the name is ambiguous). */
function find(t, run, root) {
  if (t.kind === 'rust') {
    const target = rustTarget(t.file, t.name, root);
    if (target.error) return { error: target.error };
    const hits = run.rust.filter((r) => r.src === target.src && underscores(r.binary) === underscores(target.binary) && r.name === target.name);
    return { hits, as: `${target.src} (${target.binary}) ${target.name}` };
  }
  if (t.kind === 'vitest') {
    const inFile = run.vitest.filter((r) => r.file === t.file);
    const hits = inFile.filter((r) => r.full === t.name);
    return { hits: hits.length > 0 ? hits : inFile.filter((r) => r.title === t.name), as: t.name };
  }
  return { hits: run.e2e.filter((r) => r.file === t.file && r.name === t.name), as: t.name };
}

/** Every problem with the log and the run, each with its hazard id. */
export function check(logText, run, root) {
  const { hazards, problems } = parseLog(logText);
  const full = { rust: run.rust ?? [], vitest: run.vitest ?? [], e2e: run.e2e ?? [] };
  for (const t of namedTests(hazards)) {
    const label = `${t.kind} ${t.file}::${t.kind === 'vitest' ? `"${t.name}"` : t.name}`;
    const fail = (why) => problems.push({ hazard: t.hazard, test: t, message: `${label}: ${why}` });
    const missing = inSource(t, root);
    if (missing) {
      fail(missing);
      continue;
    }
    const { hits, error, as } = find(t, full, root);
    if (error) fail(error);
    else if (hits.length === 0) fail(`did not run (not in the results as ${as})`);
    else if (hits.length > 1) fail(`ambiguous, ${hits.length} results match; name it in full`);
    else if (hits[0].status !== 'passed') fail(hits[0].status);
  }
  return { hazards, problems };
}

// ---- Command line -------------------------------------------------------------------------

function usage(message) {
  console.error(`check.mjs: ${message}`);
  console.error('usage: node tests/safety/check.mjs [--log FILE] [--cargo FILE]... [--vitest FILE] [--tap TESTFILE=TAPFILE]...');
  process.exit(2);
}

function main(argv) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  let log = path.join(root, 'tests/SAFETY.md');
  const run = { rust: [], vitest: [], e2e: [] };
  const read = (file) => {
    if (!existsSync(file)) usage(`no such file: ${file}`);
    return readFileSync(file, 'utf8');
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--log') log = value;
    else if (flag === '--cargo') run.rust.push(...parseCargo(read(value)));
    else if (flag === '--vitest') run.vitest.push(...parseVitest(read(value), root));
    else if (flag === '--tap') {
      const [testFile, tap] = value.split('=');
      if (!tap) usage('--tap takes TESTFILE=TAPFILE');
      run.e2e.push(...parseTap(read(tap), testFile));
    } else usage(`unknown option ${flag}`);
  }
  const { hazards, problems } = check(read(log), run, root);
  const tests = namedTests(hazards);
  // The closing line counts named tests proven and not, plus problems with the log itself.
  const unproven = new Set(problems.filter((p) => p.test).map((p) => p.test));
  const failed = unproven.size + problems.filter((p) => !p.test).length;
  const tally = `safety: ${tests.length - unproven.size} passed, ${failed} failed`;
  if (problems.length > 0) {
    console.error(`Hazard log check FAILED: ${problems.length} problem(s) in ${path.relative(root, path.resolve(log))}`);
    for (const p of problems) console.error(`  ${p.hazard}: ${p.message}`);
    console.log(tally);
    process.exit(1);
  }
  const controls = hazards.reduce((n, h) => n + h.controls.length, 0);
  console.log(`Hazard log check passed: ${hazards.length} hazards, ${controls} controls, ${tests.length} named tests, each ran and passed.`);
  console.log(tally);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
