#!/usr/bin/env bash
# Runs every test: Rust (engine, simulator, CLI, desktop commands), the UI's component tests,
# and the end-to-end test of the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
# The desktop crate embeds the built UI, so build it before compiling the workspace.
npm --prefix ui run build --silent
# Inside a private D-Bus session with a fresh gnome-keyring (secrets go through a real keyring)
# and beside a throwaway PostgreSQL server (the store's tests run on SQLite and on PostgreSQL).
bash tests/with-keyring.sh bash tests/with-postgres.sh cargo test --workspace --locked
npm --prefix ui test --silent
bash tests/with-keyring.sh bash tests/e2e/run.sh
