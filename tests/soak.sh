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
  if ! (cd src-tauri && cargo test -q -p booking-engine --test racing_and_lost_answers -- --nocapture) >>"$log" 2>&1; then
    failed=$((failed + 1))
  fi
done
summary=$(grep -h "^lost answers:" "$log" | awk '{b+=$3; c+=$5; k+=substr($7,2); r+=$10; u+=$12} END {printf "%d bookings, %d confirmed (%d after checking), %d refused, %d outcome unknown", b, c, k, r, u}')
echo "soak: ${minutes} min, ${runs} runs, ${failed} failed; lost answers: ${summary}; log ${log}"
[ "$failed" -eq 0 ]
