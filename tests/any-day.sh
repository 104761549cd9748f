#!/usr/bin/env bash
# Runs the slot and booking suites (the engine's tests against provider-sim, and provider-sim's
# own) at fixed instants, so that no test passes only on the day it happens to run: a Saturday,
# a Sunday, both sides of each clock change, New Year's Eve into New Year's Day, 29 February,
# 23:30 local time and a bank holiday followed by another. Each instant is given to the test harnesses as BOOKDESK_TEST_AT; the desk and
# the simulators read it as their clock's start. Run inside tests/with-keyring.sh and
# tests/with-postgres.sh (tests/all.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

instants=(
  "2027-01-16T10:00:00Z" # a Saturday morning
  "2027-01-17T10:00:00Z" # a Sunday morning
  "2027-03-27T23:30:00Z" # 23:30 GMT, the night before the spring change
  "2027-03-28T12:00:00Z" # the spring change day, after it (BST)
  "2027-10-30T22:30:00Z" # 23:30 BST, the night before the autumn change
  "2027-10-31T12:00:00Z" # the autumn change day, after it (GMT)
  "2027-12-31T23:30:00Z" # 23:30 on New Year's Eve
  "2028-02-29T12:00:00Z" # 29 February
  "2027-07-14T22:30:00Z" # 23:30 BST on a summer weekday
  "2027-12-27T10:00:00Z" # a bank holiday Monday (Christmas's), Boxing Day's the Tuesday after
)

for at in "${instants[@]}"; do
  echo "=== The slot and booking suites at $at"
  BOOKDESK_TEST_AT="$at" cargo test --locked -p booking-engine -p provider-sim --tests -q
done
