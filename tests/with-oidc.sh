#!/usr/bin/env bash
# Runs a command with two throwaway OpenID providers (tests/oidc/provider.mjs: the OpenID Certified
# oidc-provider with NHS CIS2's claims), each on 127.0.0.1 with a free port: a normal one, and one
# that signs its ID tokens with a key it does not publish. The command gets
#   BOOKDESK_TEST_OIDC_ISSUER             the normal provider's issuer
#   BOOKDESK_TEST_OIDC_BAD_SIGNER_ISSUER  the provider whose signing key is not in its JWKS
#   BOOKDESK_TEST_OIDC_BROWSER            a browser command (node .../browse.mjs, the URL to add)
#                                         that signs in as $OIDC_TEST_USER / $OIDC_TEST_PASSWORD
#   BOOKDESK_TEST_OIDC_USERS              the users file, for the claims the tests expect
# Both are stopped afterwards, whatever happens; the command's exit code is kept.
#   bash tests/with-oidc.sh cargo test -p booking-desk --test sign_in
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

oidc="$(cd "$(dirname "$0")/oidc" && pwd)"
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  echo "node is missing: run tests/setup.sh (Node.js 20 or later)." >&2
  exit 1
fi

# The provider's npm packages exactly as locked; only when missing or older than the lock file.
if [ ! -d "$oidc/node_modules" ] || [ "$oidc/package-lock.json" -nt "$oidc/node_modules" ]; then
  command -v npm >/dev/null || { echo "npm is missing: run tests/setup.sh." >&2; exit 1; }
  npm ci --prefix "$oidc" --no-audit --no-fund --loglevel=error >&2
  touch "$oidc/node_modules"
fi

base="$(mktemp -d "${TMPDIR:-/tmp}/bookdesk-oidc.XXXXXX")"
names=()
pids=()
stop_provider() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  # It exits at once on SIGTERM; a stuck one is killed after 5 s.
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  local i
  for i in "${!pids[@]}"; do
    stop_provider "${pids[$i]}"
    # The providers' request logs, when something failed: what they saw and refused.
    if [ "$status" -ne 0 ] && [ -s "$base/${names[$i]}.log" ]; then
      echo "--- last lines of the ${names[$i]} OpenID provider's log:" >&2
      tail -n 40 "$base/${names[$i]}.log" >&2 || true
    fi
  done
  rm -rf "$base" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_provider() {
  local name=$1
  shift
  "$node_bin" "$oidc/provider.mjs" --port 0 "$@" >"$base/$name.out" 2>"$base/$name.log" &
  names+=("$name")
  pids+=("$!")
}

# Prints the issuer from the provider's READY line; gives up after 30 s or when it stops (the
# logs are shown on the way out).
wait_ready() {
  local name=$1 pid=$2 line
  for _ in $(seq 1 300); do
    line="$(grep -m1 '^OIDC_PROVIDER_READY ' "$base/$name.out" 2>/dev/null || true)"
    if [ -n "$line" ]; then
      echo "${line#OIDC_PROVIDER_READY }"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The $name OpenID provider stopped before it was ready (its log follows)." >&2
      return 1
    fi
    sleep 0.1
  done
  echo "The $name OpenID provider was not ready within 30 s (its log follows)." >&2
  return 1
}

# Both start at once (each makes its RSA keys), then both are waited for.
start_provider normal
start_provider bad-signer --unpublished-signing-key
issuer="$(wait_ready normal "${pids[0]}")"
bad_signer_issuer="$(wait_ready bad-signer "${pids[1]}")"

export BOOKDESK_TEST_OIDC_ISSUER="$issuer"
export BOOKDESK_TEST_OIDC_BAD_SIGNER_ISSUER="$bad_signer_issuer"
export BOOKDESK_TEST_OIDC_BROWSER="$node_bin $oidc/browse.mjs"
export BOOKDESK_TEST_OIDC_USERS="$oidc/users.json"
echo "OpenID providers for the tests: $issuer, and $bad_signer_issuer with an unpublished signing key" >&2
"$@"
