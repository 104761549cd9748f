#!/usr/bin/env bash
# Runs every test: Rust (engine, simulator, CLI, desktop commands), the UI's component tests,
# and the end-to-end test of the real window under Xvfb; then checks the hazard log
# (tests/SAFETY.md) against what ran: every test it names must have run and passed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
# The desktop crate embeds the built UI, so build it before compiling the workspace.
npm --prefix ui run build --silent

# Each suite's results, kept for the hazard log check; people still see the usual output.
results="$(pwd)/target/test-results"
rm -rf "$results"
mkdir -p "$results"

# The checker's own tests first: a broken checker should stop the run before the long part.
node --test tests/safety/check.test.mjs
# Formatting, clippy and ESLint: cheap, and nothing lands while they complain.
bash tests/lint.sh

# Inside a private D-Bus session with a fresh gnome-keyring (secrets go through a real keyring)
# and beside a throwaway PostgreSQL server (the store's tests run on SQLite and on PostgreSQL).
# cargo prints each test binary's "Running" header on stderr: both streams go to the file, in order.
bash tests/with-keyring.sh bash tests/with-postgres.sh cargo test --workspace --locked 2>&1 | tee "$results/cargo.txt"
# The same slot and booking suites again at fixed instants: weekends, clock changes, New Year.
bash tests/with-keyring.sh bash tests/with-postgres.sh bash tests/any-day.sh
npm --prefix ui test --silent -- --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
BOOKDESK_E2E_TAP="$results/e2e.tap" bash tests/with-keyring.sh bash tests/e2e/run.sh
# The production build's .deb installed, used under Xvfb and removed, as a centre's IT team would.
bash tests/package-install.sh

node tests/safety/check.mjs --cargo "$results/cargo.txt" --vitest "$results/vitest.json" \
  --tap "tests/e2e/booking.test.mjs=$results/e2e.tap" \
  --tap "tests/e2e/cis2.test.mjs=$results/e2e-cis2.tap"
