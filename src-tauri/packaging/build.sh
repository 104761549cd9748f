#!/usr/bin/env bash
# Builds Booking Desk's Linux packages, a .deb and an .rpm, with the Tauri bundler: the
# production build (no demo, no simulator), both fronts in one package (the desktop app and
# `bookdesk`), the desktop entry and icons, and bookdesk's man pages. Prints each package's path.
#
#   bash src-tauri/packaging/build.sh            # release build: what a centre installs
#   bash src-tauri/packaging/build.sh --debug    # debug build: reuses the tests' compiled crates (CI)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile=release
cargo_profile=(--release)
bundler_profile=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  cargo_profile=()
  bundler_profile=(--debug)
fi
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d -t booking-desk-package.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The bundler, exactly as locked.
if [ ! -f "$here/node_modules/.package-lock.json" ] || ! cmp -s "$here/package-lock.json" "$here/node_modules/.lock-installed"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$here/node_modules/.lock-installed"
fi
npm --prefix "$root/ui" run build --silent

# The CLI, as the app: without the demo.
cargo build --locked -q -p bookdesk-cli --no-default-features "${cargo_profile[@]}"
mkdir -p "$work/man"
for page in "$root"/src-tauri/cli/man/*.1; do
  gzip -9n <"$page" >"$work/man/$(basename "$page").gz"
done

# What the packages hold beyond the app: the CLI and its man pages, at absolute paths.
files="$(
  {
    printf '"/usr/bin/bookdesk": "%s"' "$target/$profile/bookdesk"
    for page in "$work"/man/*.gz; do
      printf ',\n"/usr/share/man/man1/%s": "%s"' "$(basename "$page")" "$page"
    done
  }
)"
cat >"$work/bundle.json" <<JSON
{
  "bundle": {
    "active": true,
    "targets": ["deb", "rpm"],
    "publisher": "Booking Desk",
    "license": "MIT",
    "category": "Utility",
    "shortDescription": "Book NHS 111 patients into appointments over GP Connect, UEC Booking and BaRS",
    "longDescription": "Booking Desk books patients into appointments at GP practices, urgent treatment centres, emergency departments and out-of-hours services in England over the national booking standards, from a desktop app or the bookdesk command line. A centre's configuration goes in /etc/booking-desk/bookdesk.toml.",
    "linux": {
      "deb": {
        "section": "misc",
        "depends": ["libssl3", "fonts-liberation"],
        "recommends": ["gnome-keyring"],
        "files": { $files }
      },
      "rpm": {
        "depends": ["openssl-libs", "liberation-sans-fonts"],
        "recommends": ["gnome-keyring"],
        "files": { $files }
      }
    }
  }
}
JSON

cd "$root/src-tauri"
"$here/node_modules/.bin/tauri" build --ci --bundles deb rpm --config "$work/bundle.json" \
  "${bundler_profile[@]}" -- --no-default-features --locked >&2
ls "$target/$profile/bundle/deb/"*.deb "$target/$profile/bundle/rpm/"*.rpm
