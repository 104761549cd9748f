#!/usr/bin/env bash
# Runs the racing-desks and lost-answer tests again and again for a given time, the lost-answer
# run at 1,000 bookings, and prints one summary line. Usage: tests/soak.sh [MINUTES] (default 10).
set -uo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
end=$(( $(date +%s) + minutes * 60 ))
export BOOKDESK_LOST_ANSWER_BOOKINGS="${BOOKDESK_LOST_ANSWER_BOOKINGS:-1000}"
log="$(mktemp -t bookdesk-soak.XXXXXX)"
(cd src-tauri && cargo test -q -p booking-engine --test racing_and_lost_answers --no-run) || exit 1
runs=0 failed=0
while [ "$(date +%s)" -lt "$end" ]; do
  runs=$((runs + 1))
  # A new throw of the fault dice each run: the same seed would replay the same faults.
  if ! (cd src-tauri && BOOKDESK_LOST_ANSWER_SEED="$((7 + runs))" cargo test -q -p booking-engine --test racing_and_lost_answers -- --nocapture) >>"$log" 2>&1; then
    failed=$((failed + 1))
  fi
done
# The test prints "lost answers (seed S): B bookings: C confirmed (K after checking), R refused,
# U outcome unknown", possibly after cargo's progress dots.
summary=$(grep -ho "lost answers (seed [0-9]*): .*" "$log" | awk '{b+=$5; c+=$7; k+=substr($9,2); r+=$12; u+=$14} END {printf "%d bookings, %d confirmed (%d after checking), %d refused, %d outcome unknown", b, c, k, r, u}')
echo "soak: ${minutes} min, ${runs} runs, ${failed} failed; lost answers: ${summary}; log ${log}"
[ "$failed" -eq 0 ]
