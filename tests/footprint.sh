#!/usr/bin/env bash
# Booking Desk's start-up time and memory beside the floor: an empty Tauri window built here with
# the same tauri crates, features, window and security settings. Both are release builds run
# under Xvfb, in turns, in the same run.
#
#   tests/footprint.sh [--runs N] [--check] [--screenshot FILE] [--installed]
#
# --installed measures the installed package's app (/usr/bin/booking-desk: the production build,
#   no demo) on a centre's configuration instead of the release build on the demo.
#
# Start: from the process's start to its first screen drawn (Booking Desk: Sign in, on the
#   embedded demo provider), as the page reports it two frames after the screen is committed.
#   "webview at": when its first WebKit process started (kernel clock ticks, 10 ms), that is when
#   the app had done its own start-up and created the webview; the rest is the page's.
# Memory: PSS summed over the app and every process under it (WebKit's web and network
#   processes), from /proc/PID/smaps_rollup, once the first screen has settled for a few seconds.
#
# Prints each run and a table of medians and ratios (desk / floor). Exits 1 when a measurement
# cannot be made; with --check also when the desk is more than 1.5x the floor in either.
# A benchmark, not a test: CI does not run it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=("$@")
runs=5
check=0
screenshot=""
installed=0
while [ $# -gt 0 ]; do
  case "$1" in
    --installed) installed=1; shift ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --check) check=1; shift ;;
    --screenshot) screenshot="${2:?--screenshot needs a file}"; shift 2 ;;
    *) echo "usage: tests/footprint.sh [--runs N] [--check] [--screenshot FILE] [--installed]" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive number" >&2; exit 2; }
# Seconds the first screen is left to settle before memory is read.
settle=5
# Seconds a side may take to draw its first screen before the run counts as failed.
ready_timeout=60
target_limit=1.5
target_dir="${CARGO_TARGET_DIR:-$root/target}"
desk="$target_dir/release/booking-desk"
[ "$installed" -eq 1 ] && desk=/usr/bin/booking-desk
floor="$target_dir/release/footprint-empty-window"

# Outside the virtual display: build both, then run the rest under Xvfb with a session bus, as a
# desktop has one. Both sides get the same display and bus.
if [ -z "${BOOKDESK_FOOTPRINT_INSIDE:-}" ]; then
  cd "$root"
  bash tests/setup.sh desk
  for tool in xvfb-run dbus-run-session; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install xvfb dbus" >&2; exit 1; }
  done
  # The desk embeds ui/dist when it compiles: build the UI when its sources are newer, and only
  # then, as a fresh ui/dist makes cargo rebuild the desk (minutes) for nothing.
  if [ ! -f ui/dist/index.html ] ||
     [ -n "$(find ui/src ui/index.html ui/package.json ui/tsconfig.json ui/vite.config.ts -newer ui/dist/index.html -print -quit)" ]; then
    npm --prefix ui run build --silent
  fi
  # What people run is a release build.
  if [ "$installed" -eq 1 ]; then
    cargo build --release -p footprint-empty-window
  else
    cargo build --release -p booking-desk -p footprint-empty-window
  fi
  export BOOKDESK_FOOTPRINT_INSIDE=1
  # A session with an unlocked keyring, as a desktop has: a centre's desk keeps its audit key there.
  exec xvfb-run -a -s "-screen 0 1366x860x24" bash tests/with-keyring.sh bash "$0" "${args[@]}"
fi

for bin in "$desk" "$floor"; do
  [ -x "$bin" ] || { echo "not built: $bin" >&2; exit 1; }
done

work="$(mktemp -d)"
app_pid=""
# Whatever happens, no app or WebKit process outlives the script.
cleanup() {
  if [ -n "$app_pid" ]; then
    stop_tree "$app_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$installed" -eq 1 ]; then
  # A centre's configuration: CIS2 sign-in (nothing is asked of CIS2 until someone signs in), one
  # service listed, the registry in this run's folder. Nothing in /etc is touched.
  mkdir -p "$work/centre" "$work/data"
  printf '[[service]]\nid = "a81001"\nname = "Beckside Medical Practice"\nkind = "gp-practice"\nstandard = "gp-connect"\nbase_url = "https://gpconnect.example.nhs.uk/A81001/STU3/1/gpconnect"\nods = "A81001"\nasid = "918999198001"\n' > "$work/centre/services.toml"
  printf 'directory = "services.toml"\nstore = "%s"\n[cis2]\nissuer = "https://cis2.example.nhs.uk/realms/Healthcare"\nclient_id = "booking-desk"\n[organisation]\nods = "RYA"\nname = "NHS 111 North West"\ntelecom = "0300 123 4567"\n[system]\nasid = "200000000359"\nendpoint = "https://desk.example.nhs.uk/fhir"\n' "$work/data/bookings.sqlite" > "$work/centre/bookdesk.toml"
  export BOOKDESK_SYSTEM_CONFIG="$work/centre/bookdesk.toml" BOOKDESK_USER_CONFIG="$work/no-user.toml"
fi

# The app and every process under it, the app first.
tree_of() {
  local pids=("$1") i=0 child
  while [ $i -lt ${#pids[@]} ]; do
    for child in $(ps -o pid= --ppid "${pids[$i]}" 2>/dev/null); do
      pids+=("$child")
    done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}

# SIGTERM ends a Tauri app on Linux at once (it sets no handler), and WebKit's processes exit
# when their connection to it closes. Anything still there after 10 s is killed and reported.
stop_tree() {
  local pids
  read -r -a pids <<< "$(tree_of "$1")"
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local left=()
  for _ in $(seq 1 100); do
    left=()
    for p in "${pids[@]}"; do
      kill -0 "$p" 2>/dev/null && left+=("$p")
    done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
  done
  app_pid=""
  if [ ${#left[@]} -gt 0 ]; then
    echo "left running after the app stopped, now killed: $(IFS=,; ps -o pid=,comm= -p "${left[*]}" | tr '\n' ' ')" >&2
    kill -KILL "${left[@]}" 2>/dev/null || true
    return 1
  fi
}

# When a process started, in clock ticks since boot: field 22 of /proc/PID/stat, counted after
# the command name, which may hold spaces.
started_tick() {
  local stat fields
  stat="$(< "/proc/$1/stat")"
  read -r -a fields <<< "${stat##*) }"
  echo "${fields[19]}"
}
tick_hz="$(getconf CLK_TCK)"

# Runs one side once: sets start_ms, window_ms (when its first WebKit process started, so when
# the app had done its own start and created the webview), pss_kb and parts (PSS in MB by process).
# $1 side name, $2 binary, $3 screenshot file or "". Not in a subshell, so the EXIT trap always
# knows the app's pid.
measure() {
  local side="$1" bin="$2" shot="$3" out="$work/$1.out" err="$work/$1.err" started="$work/$1.started"
  : > "$out"
  # The start time is taken in the shell that then becomes the app (exec), so nothing else is counted.
  (
    printf '%s\n' "$EPOCHREALTIME" > "$started"
    exec env BOOKDESK_REPORT_READY=1 BOOKDESK_DATA_DIR="$work/data" "$bin"
  ) > "$out" 2> "$err" &
  app_pid=$!
  local line="" waited=0
  while ! line="$(grep -m1 '^BOOKDESK_READY ' "$out")"; do
    if ! kill -0 "$app_pid" 2>/dev/null; then
      echo "$side exited before its first screen was drawn:" >&2
      tail -n 20 "$err" >&2
      app_pid=""
      return 1
    fi
    if [ $waited -ge $((ready_timeout * 20)) ]; then
      echo "$side drew no first screen within ${ready_timeout} s:" >&2
      tail -n 20 "$err" >&2
      return 1
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
  if [ -n "$shot" ]; then import -window root "$shot"; fi
  if [ "$side" = desk ] && [[ "$line" != *"screen=sign-in "* ]]; then
    echo "the desk opened on another screen than Sign in ($line):" >&2
    tail -n 20 "$err" >&2
    return 1
  fi
  local ready_us="${line#*unix_us=}" start_us
  start_us="$(tr -d '.,' < "$started")"
  start_ms=$(( (ready_us - start_us) / 1000 ))

  sleep "$settle"
  local total=0 p kb comm tick first=""
  parts=""
  for p in $(tree_of "$app_pid"); do
    if [ "$p" != "$app_pid" ]; then
      tick="$(started_tick "$p" 2>/dev/null || true)"
      if [ -n "$tick" ] && { [ -z "$first" ] || [ "$tick" -lt "$first" ]; }; then first="$tick"; fi
    fi
    kb="$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || true)"
    comm="$(cat "/proc/$p/comm" 2>/dev/null || true)"
    if [ -z "$kb" ]; then
      echo "could not read /proc/$p/smaps_rollup ($side, $comm)" >&2
      stop_tree "$app_pid" || true
      return 1
    fi
    total=$((total + kb))
    parts+=" $comm=$((kb / 1024))"
  done
  if [ -z "$first" ]; then
    echo "$side has no WebKit processes under it" >&2
    stop_tree "$app_pid" || true
    return 1
  fi
  window_ms=$(( (first - $(started_tick "$app_pid")) * 1000 / tick_hz ))
  pss_kb=$total
  stop_tree "$app_pid"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# One start of each first, not counted: the demo creates its data on its first start, and both
# sides then find their files in the page cache.
echo "warming up (one start of each, not counted)"
measure floor "$floor" "" || exit 1
measure desk "$desk" "" || exit 1

floor_ms=() floor_win=() floor_kb=() desk_ms=() desk_win=() desk_kb=()
for i in $(seq 1 "$runs"); do
  # Turns alternate which side goes first, so drift in the machine's load falls on both.
  if [ $((i % 2)) -eq 1 ]; then order=(floor desk); else order=(desk floor); fi
  for side in "${order[@]}"; do
    if [ "$side" = desk ]; then bin="$desk"; else bin="$floor"; fi
    shot=""
    [ "$side" = desk ] && [ "$i" -eq 1 ] && shot="$screenshot"
    measure "$side" "$bin" "$shot" || exit 1
    printf 'run %d  %-5s  start %5d ms (webview at %4d ms)  PSS %6.1f MB  (MB:%s)\n' \
      "$i" "$side" "$start_ms" "$window_ms" "$(awk -v k="$pss_kb" 'BEGIN { print k / 1024 }')" "$parts"
    if [ "$side" = desk ]; then
      desk_ms+=("$start_ms"); desk_win+=("$window_ms"); desk_kb+=("$pss_kb")
    else
      floor_ms+=("$start_ms"); floor_win+=("$window_ms"); floor_kb+=("$pss_kb")
    fi
  done
done

f_ms="$(printf '%s\n' "${floor_ms[@]}" | median)"
d_ms="$(printf '%s\n' "${desk_ms[@]}" | median)"
f_win="$(printf '%s\n' "${floor_win[@]}" | median)"
d_win="$(printf '%s\n' "${desk_win[@]}" | median)"
f_mb="$(printf '%s\n' "${floor_kb[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')"
d_mb="$(printf '%s\n' "${desk_kb[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')"
r_ms="$(awk -v d="$d_ms" -v f="$f_ms" 'BEGIN { printf "%.2f", d / f }')"
r_mb="$(awk -v d="$d_mb" -v f="$f_mb" 'BEGIN { printf "%.2f", d / f }')"

echo
echo "medians of $runs runs each (PSS over the app and its WebKit processes)"
printf '%-22s %12s %14s %12s\n' "" "start ms" "webview at ms" "PSS MB"
printf '%-22s %12s %14s %12s\n' "floor (empty window)" "$f_ms" "$f_win" "$f_mb"
printf '%-22s %12s %14s %12s\n' "Booking Desk" "$d_ms" "$d_win" "$d_mb"
printf '%-22s %11sx %14s %11sx   (target: at most %sx)\n' "ratio" "$r_ms" "" "$r_mb" "$target_limit"

if [ "$check" -eq 1 ]; then
  missed=0
  for r in "$r_ms" "$r_mb"; do
    awk -v r="$r" -v t="$target_limit" 'BEGIN { exit !(r > t) }' && missed=1
  done
  if [ "$missed" -eq 1 ]; then
    echo "target missed: Booking Desk is more than ${target_limit}x the floor" >&2
    exit 1
  fi
fi
