#!/usr/bin/env bash
# The lint gates CI holds every change to: Rust formatting, clippy with every warning an error
# (all targets: tests and benches too), and ESLint on the UI (react-hooks, jsx-a11y) with no
# warnings. Needs the UI built first (the desktop crate embeds it): tests/all.sh does that.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "=== cargo fmt --all --check"
cargo fmt --all --check
echo "=== cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -q -- -D warnings
echo "=== ESLint (ui)"
npm --prefix ui run lint --silent
