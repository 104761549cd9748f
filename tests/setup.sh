#!/usr/bin/env bash
# Installs what building (and, unless "desk" is given, testing) Booking Desk needs on Debian 12,
# skipping whatever is already there. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# libssl-dev: the registry is SQLCipher, on the system's libcrypto. fonts-liberation: the desk's
# type, Arial, by its metric twin, as the package brings it.
want=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev fonts-liberation)
if [ "$mode" != "desk" ]; then
  # A real window under Xvfb, driven through WebKit's WebDriver; imagemagick for screenshots.
  want+=(xvfb xauth webkit2gtk-driver imagemagick)
  # A real Secret Service for the keyring tests (tests/with-keyring.sh).
  want+=(dbus gnome-keyring)
  # A throwaway PostgreSQL server for the store's tests (tests/with-postgres.sh).
  want+=(postgresql)
  # The test OpenID provider's signing keys (tests/oidc/provider.mjs).
  want+=(openssl)
fi
command -v node >/dev/null 2>&1 || want+=(nodejs npm)
missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# npm packages, exactly as locked; only when the lock file changed since the last install.
npm_install() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.lock-installed"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.lock-installed"
  fi
}
npm_install ui
if [ "$mode" != "desk" ]; then
  [ -f tests/e2e/package-lock.json ] && npm_install tests/e2e
  [ -f tests/oidc/package-lock.json ] && npm_install tests/oidc
  command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked --quiet
fi
