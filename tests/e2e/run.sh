#!/usr/bin/env bash
# End-to-end test of the Booking Desk window, driven through tauri-driver (WebDriver).
#
#   tests/e2e/run.sh [APP_BINARY [BOOKDESK_BINARY]]
#
# BOOKDESK_E2E_TAP=FILE also writes the results as TAP to FILE.
#
# Without arguments it uses the debug builds in the cargo target folder, building the UI and
# both binaries first when they are missing. Screenshots go to target/e2e-screenshots/.
# Exits with the test runner's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The webview needs an X display; a headless machine gets a virtual one around the whole run.
if [ -z "${BOOKDESK_E2E_IN_XVFB:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: apt-get install xvfb" >&2; exit 2; }
  export BOOKDESK_E2E_IN_XVFB=1
  exec xvfb-run -a -s "-screen 0 1366x860x24" bash "$0" "$@"
fi

abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
app="${1:-${BOOKING_DESK_APP:-}}"
cli="${2:-${BOOKDESK_CLI:-}}"

if [ -z "$app" ]; then
  app="$target_dir/debug/booking-desk"
  # The binary embeds ui/dist when it is compiled, so a missing or stale UI build comes first.
  # cargo then rebuilds the binary only when ui/dist (or the Rust code) changed.
  if [ -f "$root/ui/package.json" ]; then
    if [ ! -f "$root/ui/dist/index.html" ] ||
       [ -n "$(find "$root/ui/src" "$root/ui/index.html" "$root/ui/package.json" -newer "$root/ui/dist/index.html" -print -quit 2>/dev/null)" ]; then
      [ -d "$root/ui/node_modules" ] || npm --prefix "$root/ui" ci --no-audit --no-fund
      npm --prefix "$root/ui" run build
    fi
  fi
  (cd "$root" && cargo build -p booking-desk)
fi
if [ -z "$cli" ]; then
  cli="$target_dir/debug/bookdesk"
  # Always asked: cargo does nothing when it is up to date, and a stale CLI misleads the test.
  (cd "$root" && cargo build -p bookdesk-cli)
fi
# The CIS2 test's services: a provider-sim of its own (the demo's is inside the app).
sim="${BOOKDESK_E2E_SIM:-$target_dir/debug/provider-sim}"
if [ -z "${BOOKDESK_E2E_SIM:-}" ]; then
  (cd "$root" && cargo build -p provider-sim)
fi
for bin in "$app" "$cli" "$sim"; do
  [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
done
export BOOKING_DESK_APP="$(abspath "$app")"
export BOOKDESK_CLI="$(abspath "$cli")"

driver="$(command -v tauri-driver || true)"
if [ -z "$driver" ] && [ -x "$HOME/.cargo/bin/tauri-driver" ]; then
  driver="$HOME/.cargo/bin/tauri-driver"
fi
if [ -z "$driver" ]; then
  cargo install tauri-driver --locked
  driver="$HOME/.cargo/bin/tauri-driver"
fi
command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver is missing: apt-get install webkit2gtk-driver" >&2; exit 2; }

if [ ! -d "$here/node_modules/webdriverio" ]; then
  npm --prefix "$here" ci --no-audit --no-fund
fi

port=4444
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if port_open; then
  echo "127.0.0.1:$port is already in use: stop the other WebDriver server first" >&2
  exit 2
fi

# A fresh demo per run: the app (started by the driver) inherits this, and so does the CLI.
export BOOKDESK_DATA_DIR="$(mktemp -d -t booking-desk-e2e.XXXXXX)"
# The demo, whatever configuration this machine holds for its people.
export BOOKDESK_SYSTEM_CONFIG="$BOOKDESK_DATA_DIR/no-system.toml" BOOKDESK_USER_CONFIG="$BOOKDESK_DATA_DIR/no-user.toml"
export BOOKDESK_E2E_SCREENSHOTS="$root/target/e2e-screenshots"
rm -rf "$BOOKDESK_E2E_SCREENSHOTS"
mkdir -p "$BOOKDESK_E2E_SCREENSHOTS"
driver_log="$BOOKDESK_DATA_DIR/tauri-driver.log"

# The app (started by the driver) writes its demo configuration to a private temporary folder:
# give it a temporary folder of its own, so the test finds that configuration there.
export BOOKDESK_E2E_APP_TMP="$BOOKDESK_DATA_DIR/app-tmp"
mkdir -m 700 "$BOOKDESK_E2E_APP_TMP"
driver_pid=
start_driver() {
  TMPDIR="$BOOKDESK_E2E_APP_TMP" "$driver" --port "$port" >>"$driver_log" 2>&1 &
  driver_pid=$!
  for _ in $(seq 1 100); do
    port_open && return 0
    kill -0 "$driver_pid" 2>/dev/null || { cat "$driver_log" >&2; echo "tauri-driver exited" >&2; exit 2; }
    sleep 0.2
  done
  cat "$driver_log" >&2
  echo "tauri-driver did not listen on $port within 20 s" >&2
  exit 2
}
stop_driver() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  # The port is free again before the next driver starts.
  for _ in $(seq 1 50); do port_open || return 0; sleep 0.2; done
}
helpers=()
stop_all() {
  stop_driver
  for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

# With BOOKDESK_E2E_TAP set, node's TAP report is also written there (and the CIS2 test's beside
# it, as *-cis2.tap), for the hazard log check (tests/safety/check.mjs); people still see the
# usual report.
reporters() {
  if [ -n "${BOOKDESK_E2E_TAP:-}" ]; then
    mkdir -p "$(dirname "$BOOKDESK_E2E_TAP")"
    local tap
    tap="$(abspath "$BOOKDESK_E2E_TAP")"
    echo "--test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination=${tap%.tap}$1.tap"
  fi
}
status=0

# ---- The call handler's path, on the app's embedded demo.
start_driver
# shellcheck disable=SC2046 # the reporter flags are words
(cd "$root" && node --test $(reporters "") tests/e2e/booking.test.mjs) || status=$?
stop_driver

# ---- Signing in with NHS CIS2: the app configured with [cis2] against a real OpenID provider
# (tests/oidc), services from a provider-sim of its own, the browser a script that signs in
# through the provider's pages. The driver passes this environment on to the app.
cis2_dir="$BOOKDESK_DATA_DIR/cis2"
mkdir -m 700 "$cis2_dir"
[ -d "$root/tests/oidc/node_modules" ] || npm --prefix "$root/tests/oidc" ci --no-audit --no-fund
"$sim" --write-config "$cis2_dir/bookdesk.toml" >"$cis2_dir/sim.out" 2>"$cis2_dir/sim.log" &
helpers+=($!)
node "$root/tests/oidc/provider.mjs" --port 0 >"$cis2_dir/oidc.out" 2>"$cis2_dir/oidc.log" &
helpers+=($!)
issuer=
for _ in $(seq 1 300); do
  issuer="$(sed -n 's/^OIDC_PROVIDER_READY //p' "$cis2_dir/oidc.out")"
  [ -n "$issuer" ] && [ -s "$cis2_dir/sim.out" ] && break
  sleep 0.2
done
if [ -z "$issuer" ] || [ ! -s "$cis2_dir/sim.out" ]; then
  cat "$cis2_dir/oidc.log" "$cis2_dir/sim.log" >&2
  echo "the OpenID provider or provider-sim did not start within 60 s" >&2
  exit 2
fi
# The simulator's configuration names a [user]; a CIS2 desk names nobody, and locks after one
# minute left, so the test sees the lock.
# It names no services list either: services are found in the national directories (issue 20).
awk '/^\[user\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip && !/^directory *=/' "$cis2_dir/bookdesk.toml" >"$cis2_dir/cis2.toml"
cat >>"$cis2_dir/cis2.toml" <<TOML

[cis2]
issuer = "$issuer"
client_id = "booking-desk"
sign_in_timeout_secs = 120

[desk]
idle_lock_minutes = 1
TOML
export BOOKDESK_CONFIG="$cis2_dir/cis2.toml"
BOOKDESK_E2E_SIM_URL="$(head -n 1 "$cis2_dir/sim.out")"
export BOOKDESK_E2E_SIM_URL BOOKDESK_E2E_SETUP_CONFIG="$cis2_dir/bookdesk.toml"
export BOOKDESK_BROWSER="$here/cis2-browser.sh"
export BOOKDESK_E2E_CIS2_USER_FILE="$cis2_dir/browser-user"
start_driver
# shellcheck disable=SC2046
(cd "$root" && node --test $(reporters -cis2) tests/e2e/cis2.test.mjs) || status=$?
stop_all

if [ "$status" -eq 0 ]; then
  rm -rf "$BOOKDESK_DATA_DIR"
else
  echo "failed: the demo's data and tauri-driver's log are kept in $BOOKDESK_DATA_DIR" >&2
fi
echo "screenshots: $BOOKDESK_E2E_SCREENSHOTS"
exit "$status"
