#!/usr/bin/env bash
# The .deb as a centre's IT team meets it (issue 21.3): built, installed with apt-get, used
# (`bookdesk --version`, `bookdesk config check`, the desktop app opened under Xvfb and
# screenshotted, with no configuration and with the centre's), then removed — and nothing of it
# left but the person's own data. The installed binaries must hold none of the demo simulator.
#
#   bash tests/package-install.sh            # packages a debug build (reuses the tests' crates)
#   bash tests/package-install.sh --release  # the release build a centre would install
#
# It installs and removes the package `booking-desk` and writes /etc/booking-desk/bookdesk.toml
# while it runs, so it refuses to run where either is already there (a real desk).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "${BOOKDESK_PACKAGE_TEST_INNER:-}" ]; then
  if dpkg -s booking-desk >/dev/null 2>&1; then
    echo "booking-desk is installed on this machine: this test installs and removes it, so it stops." >&2
    exit 1
  fi
  if [ -e /etc/booking-desk ]; then
    echo "/etc/booking-desk exists on this machine: this test writes a centre's configuration there, so it stops." >&2
    exit 1
  fi
  build=(--debug)
  [ "${1:-}" = "--release" ] && build=()
  debs="$(bash src-tauri/packaging/build.sh "${build[@]}")"
  deb="$(grep '\.deb$' <<<"$debs")"
  rpm="$(grep '\.rpm$' <<<"$debs")"
  for tool in xvfb-run import; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install xvfb imagemagick" >&2; exit 1; }
  done
  # A desktop as the person has one: a display, and a session with an unlocked keyring (the
  # desk's audit key lives there).
  BOOKDESK_PACKAGE_TEST_INNER=1 BOOKDESK_DEB="$deb" BOOKDESK_RPM="$rpm" \
    exec xvfb-run -a -s "-screen 0 1366x860x24" bash tests/with-keyring.sh bash "$0"
fi

deb="$BOOKDESK_DEB"
work="$(mktemp -d -t booking-desk-package-test.XXXXXX)"
shots="$root/target/package-screenshots"
rm -rf "$shots"
mkdir -p "$shots"
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  as_root rm -rf /etc/booking-desk
  if dpkg -s booking-desk >/dev/null 2>&1; then as_root apt-get purge -y -qq booking-desk >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# The person using it, with their own home: what they leave behind is theirs.
home="$work/home"
mkdir -p "$home"
unset XDG_DATA_HOME XDG_CONFIG_HOME

echo "Package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB); $(basename "$BOOKDESK_RPM") ($(du -k "$BOOKDESK_RPM" | cut -f1) KiB)"
dpkg-deb -f "$deb" Depends | grep -q libwebkit2gtk-4.1 || fail "the package does not depend on WebKitGTK"
# The desk's type is Arial; Liberation Sans is its metric twin on Linux (ui/src/styles.css).
dpkg-deb -f "$deb" Depends | grep -q fonts-liberation || fail "the package does not bring the desk's font"
pass "the .deb and the .rpm were built; the .deb depends on WebKitGTK and the desk's font"

# The production build's dependencies hold no simulator; the demo build's do (so the check can fail).
for front in booking-desk bookdesk-cli; do
  (cd "$root" && cargo tree -q --locked -e normal -p "$front" --no-default-features) | grep -q 'provider-sim' &&
    fail "the production $front depends on provider-sim"
  (cd "$root" && cargo tree -q --locked -e normal -p "$front") | grep -q 'provider-sim' ||
    fail "the demo build of $front does not depend on provider-sim: the check above proves nothing"
done
pass "the production fronts depend on none of provider-sim; the demo build does"

existed_before="$work/existed-before"
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./||; s|^|/|; s|/$||' | while IFS= read -r p; do
  [ -e "$p" ] && echo "$p"
done >"$existed_before" || true

DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$deb" >/dev/null
dpkg -L booking-desk >"$work/installed"
fc-match -f '%{family}\n' Arial | grep -q 'Liberation Sans' || fail "Arial, the desk's type, is not found once installed"
pass "apt-get installed it, and the desk's type with it"

for bin in /usr/bin/bookdesk /usr/bin/booking-desk; do
  [ -x "$bin" ] || fail "$bin is not installed"
  if grep -q provider_sim "$bin"; then fail "$bin holds the demo simulator"; fi
done
grep -lx 'Exec=booking-desk' /usr/share/applications/*.desktop >/dev/null || fail "no desktop entry starts booking-desk"
[ -f /usr/share/man/man1/bookdesk.1.gz ] || fail "bookdesk has no man page"
zcat /usr/share/man/man1/bookdesk.1.gz | grep -q 'bookdesk' || fail "bookdesk's man page is empty"
pass "both fronts, the desktop entry and the man pages are installed, and neither binary holds the simulator"

version="$(HOME="$home" bookdesk --version)"
[ "$version" = "bookdesk $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" ] || fail "bookdesk --version said: $version"
pass "bookdesk --version: $version"

# With no configuration: it says what to configure and where, and starts no simulator.
set +e
out="$(HOME="$home" bookdesk services 2>&1)"
code=$?
set -e
[ $code -eq 1 ] || fail "bookdesk with no configuration exited $code: $out"
grep -q "has no configuration" <<<"$out" && grep -q "/etc/booking-desk/bookdesk.toml" <<<"$out" ||
  fail "bookdesk with no configuration said: $out"
set +e
out="$(HOME="$home" bookdesk demo patients 2>&1)"
code=$?
set -e
[ $code -eq 2 ] && grep -q "no demo" <<<"$out" || fail "bookdesk demo in the installed build: $code $out"
pass "with no configuration bookdesk says what to configure and where; the installed build has no demo"

# Opens the installed app as the person would; waits for its first screen, screenshots it, and
# says which screen it was. Fails if it exits first, draws nothing, or listens on any port.
open_app() {
  local name="$1" want="$2" out="$work/app-$1.out" err="$work/app-$1.err" waited=0 line
  HOME="$home" BOOKDESK_REPORT_READY=1 booking-desk >"$out" 2>"$err" &
  app_pid=$!
  while ! line="$(grep -m1 '^BOOKDESK_READY ' "$out")"; do
    kill -0 "$app_pid" 2>/dev/null || { tail -n 20 "$err" >&2; fail "the installed app exited before its first screen ($name)"; }
    [ $waited -lt 1200 ] || { tail -n 20 "$err" >&2; fail "the installed app drew no first screen in 60 s ($name)"; }
    sleep 0.05
    waited=$((waited + 1))
  done
  sleep 1
  import -window root "$shots/installed-$name.png"
  kill -0 "$app_pid" 2>/dev/null || fail "the installed app exited after its first screen ($name)"
  if ss -ltnpH 2>/dev/null | grep -q "pid=$app_pid,"; then fail "the installed app listens on a port ($name): a simulator?"; fi
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
  grep -q "screen=$want " <<<"$line" || fail "the installed app opened on the wrong screen ($name): $line"
  pass "the installed app opened on its $want screen ($name), listening on no port: $shots/installed-$name.png"
}
open_app no-configuration start-error

# The centre's configuration, where IT puts it.
as_root mkdir -p /etc/booking-desk
registry="$home/.local/share/booking-desk/bookings.sqlite"
as_root tee /etc/booking-desk/services.toml >/dev/null <<'TOML'
[[service]]
id = "a81001"
name = "Beckside Medical Practice"
kind = "gp-practice"
standard = "gp-connect"
base_url = "https://gpconnect.example.nhs.uk/A81001/STU3/1/gpconnect"
ods = "A81001"
asid = "918999198001"
TOML
as_root tee /etc/booking-desk/bookdesk.toml >/dev/null <<TOML
directory = "services.toml"
store = "$registry"
[cis2]
issuer = "https://cis2.example.nhs.uk/realms/Healthcare"
client_id = "booking-desk"
[organisation]
ods = "RYA"
name = "NHS 111 North West"
telecom = "0300 123 4567"
[system]
asid = "200000000359"
endpoint = "https://desk.example.nhs.uk/fhir"
[managed]
user_may_set = ["desk.name"]
TOML
out="$(HOME="$home" bookdesk config check 2>&1)" || fail "bookdesk config check: $out"
grep -q "^/etc/booking-desk/bookdesk.toml: the configuration is valid." <<<"$out" || fail "bookdesk config check said: $out"
pass "bookdesk config check finds and passes the centre's configuration"
mkdir -p "$home/.config/booking-desk"
printf '[organisation]\nods = "X26"\n' >"$home/.config/booking-desk/bookdesk.toml"
set +e
out="$(HOME="$home" bookdesk config check 2>&1)"
code=$?
set -e
[ $code -eq 1 ] && grep -q '`organisation.ods` is set by the centre' <<<"$out" || fail "a person's own file overrode the centre's: $code $out"
printf '[desk]\nname = "Floor 2, desk 9"\n' >"$home/.config/booking-desk/bookdesk.toml"
HOME="$home" bookdesk config check >/dev/null || fail "the person's allowed setting was refused"
pass "the person's own file changes what the centre allows, and is refused the rest"

open_app centre sign-in
[ -f "$registry" ] || fail "the desk opened no registry at $registry"

# Removed: nothing of the package left but the person's data.
DEBIAN_FRONTEND=noninteractive as_root apt-get purge -y -qq booking-desk >/dev/null
! dpkg -s booking-desk >/dev/null 2>&1 || fail "dpkg still knows booking-desk"
left=""
while IFS= read -r p; do
  [ "$p" = "/." ] && continue
  grep -qxF "$p" "$existed_before" && continue
  [ -e "$p" ] && left="$left $p"
done <"$work/installed"
[ -z "$left" ] || fail "left after removal:$left"
hash -r
! command -v bookdesk >/dev/null || fail "bookdesk is still on the PATH"
[ -f "$registry" ] && [ -f "$home/.config/booking-desk/bookdesk.toml" ] || fail "removal took the person's own data"
pass "apt-get purge left nothing of the package, and the person's registry and settings are still theirs"
