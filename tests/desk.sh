#!/usr/bin/env bash
# Builds Booking Desk and opens it on the embedded demo provider (simulated services).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh desk
npm --prefix ui run build --silent
exec cargo run -q -p booking-desk
