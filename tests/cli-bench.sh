#!/usr/bin/env bash
# `bookdesk slots` against a practice with about 5,000 free slots, timed as a whole process over
# loopback, beside the floor: a Python 3 standard-library client (urllib and json) making the same
# request, with the same headers and JWT, and parsing the answer.
#
#   tests/cli-bench.sh [--runs N] [--check]
#
# Both sides run in turns under hyperfine, after three uncounted runs each, against one
# provider-sim serving the large practice (`--large-practice`). The desk's registry is made by
# the first uncounted run, as on any desk after its first command. Prints the medians, the ratio
# (desk / floor) and the load average. Target: at most 0.3x the floor; with --check the script
# exits 1 when the desk is over it. A benchmark, not a test: CI does not run it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=30
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --check) check=1; shift ;;
    *) echo "usage: tests/cli-bench.sh [--runs N] [--check]" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive number" >&2; exit 2; }
target_limit=0.3
service=moor-road-health-centre

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v hyperfine >/dev/null 2>&1; then
  echo "Installing: hyperfine"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends hyperfine
fi
command -v python3 >/dev/null || { echo "python3 is missing: apt-get install python3" >&2; exit 1; }

# What people run is a release build.
(cd "$root/src-tauri" && cargo build --release --quiet -p bookdesk-cli -p provider-sim)
target_dir="${CARGO_TARGET_DIR:-$root/target}"  # the workspace is the repository root
bookdesk="$target_dir/release/bookdesk"
sim_bin="$target_dir/release/provider-sim"

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The simulator prints its URL once the configuration is on disk.
RUST_LOG=warn "$sim_bin" --large-practice --write-config "$work/bookdesk.toml" >"$work/url" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do
  [ -s "$work/url" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/url" ] || { echo "provider-sim did not start" >&2; exit 1; }

# The floor: what the desk sends for a fortnight's free slots (engine/src/standards/
# gp_connect.rs, engine/src/auth/jwt.rs, engine/src/transport), from the same configuration.
cat >"$work/floor.py" <<'PY'
import base64, datetime, json, os, sys, tomllib, urllib.parse, urllib.request, uuid, zoneinfo

config_path, service_id = sys.argv[1], sys.argv[2]
with open(config_path, "rb") as f:
    config = tomllib.load(f)
with open(os.path.join(os.path.dirname(config_path), config["directory"]), "rb") as f:
    service = next(s for s in tomllib.load(f)["service"] if s["id"] == service_id)

user, org, system = config["user"], config["organisation"], config["system"]
endpoint = system["endpoint"].rstrip("/")
given, family = user["name"].rsplit(" ", 1)
now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
claims = {
    "iss": endpoint, "sub": user["local_id"], "aud": service["base_url"],
    "exp": now + 300, "iat": now, "reason_for_request": "directcare",
    "requested_scope": "organization/*.read",
    "requesting_device": {"resourceType": "Device",
        "identifier": [{"system": endpoint + "/Id/device", "value": system["asid"]}],
        "model": "Booking Desk", "version": "0.1.0"},
    "requesting_organization": {"resourceType": "Organization",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code",
                        "value": org["ods"]}], "name": org["name"]},
    "requesting_practitioner": {"resourceType": "Practitioner", "id": user["local_id"],
        "identifier": [
            {"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": user["sds_user_id"]},
            {"system": "https://fhir.nhs.uk/Id/sds-role-profile-id",
             "value": user["sds_role_profile_id"]},
            {"system": endpoint + "/Id/user-id", "value": user["local_id"]}],
        "name": [{"family": family, "given": [given]}]},
}
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
token = b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(claims).encode()) + "."

today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")).date()
params = [
    ("start", f"ge{today}"), ("end", f"le{today + datetime.timedelta(days=14)}"),
    ("status", "free"), ("_include", "Slot:schedule"),
    ("_include:recurse", "Schedule:actor:Practitioner"),
    ("_include:recurse", "Schedule:actor:Location"),
    ("_include:recurse", "Location:managingOrganization"),
    ("searchFilter", "https://fhir.nhs.uk/Id/ods-organization-code|" + org["ods"]),
    ("searchFilter",
     "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1|urgent-care"),
]
query = urllib.parse.urlencode(params, safe=":/", quote_via=urllib.parse.quote)
request = urllib.request.Request(service["base_url"] + "/Slot?" + query, headers={
    "Ssp-TraceID": str(uuid.uuid4()), "Ssp-From": system["asid"], "Ssp-To": service["asid"],
    "Ssp-InteractionID": "urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1",
    "Authorization": "Bearer " + token, "Accept": "application/fhir+json"})
with urllib.request.urlopen(request, timeout=10) as answer:
    bundle = json.loads(answer.read())
slots = sum(1 for e in bundle.get("entry", []) if e["resource"]["resourceType"] == "Slot")
json.dump({"slots": slots}, sys.stdout)
PY

# Both sides must see the same free slots, or the comparison measures nothing.
desk_count="$("$bookdesk" --config "$work/bookdesk.toml" slots --service "$service" --json |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["slots"]))')"
floor_count="$(python3 "$work/floor.py" "$work/bookdesk.toml" "$service" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["slots"])')"
echo "Free slots: desk $desk_count, floor $floor_count"
[ "$desk_count" = "$floor_count" ] && [ "$desk_count" -ge 4000 ] ||
  { echo "the two sides did not read the same large answer" >&2; exit 1; }

echo "Load before: $(uptime)"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/runs.json" \
  -n floor "python3 $work/floor.py $work/bookdesk.toml $service" \
  -n desk "$bookdesk --config $work/bookdesk.toml slots --service $service --json"
echo "Load after: $(uptime)"

python3 - "$work/runs.json" "$target_limit" "$check" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
floor, desk = results["floor"]["median"], results["desk"]["median"]
limit, check = float(sys.argv[2]), sys.argv[3] == "1"
ratio = desk / floor
print()
print("| Floor: Python urllib + json | Desk: bookdesk slots --json | Ratio |")
print("|---|---|---|")
print(f"| {floor * 1000:.1f} ms | {desk * 1000:.1f} ms | {ratio:.2f}x |")
print(f"(medians of {len(results['desk']['times'])} runs each; target at most {limit}x)")
if check and ratio > limit:
    print(f"MISSED: the desk is {ratio:.2f}x the floor", file=sys.stderr)
    sys.exit(1)
PY
