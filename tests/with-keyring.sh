#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a freshly unlocked gnome-keyring: a real
# Secret Service for the keyring tests, isolated from the user's own keyring.
#   tests/with-keyring.sh cargo test -p booking-engine --test keyring
set -euo pipefail
if [ -z "${BOOKDESK_IN_KEYRING_SESSION:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: run tests/setup.sh (apt install dbus gnome-keyring)." >&2; exit 1; }
  done
  export BOOKDESK_IN_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi
# A throwaway keyring folder, so no stale keyring with another password can ask for it.
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
printf 'booking-desk-tests' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
