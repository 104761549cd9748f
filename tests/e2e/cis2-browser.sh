#!/usr/bin/env bash
# The "system browser" of the CIS2 end-to-end test (BOOKDESK_BROWSER): signs in at the test's
# OpenID provider, through its own pages, as the user named in $BOOKDESK_E2E_CIS2_USER_FILE
# (written by cis2.test.mjs before each sign-in). An empty name is a person who never finishes
# in the browser: nothing is done, and the desk waits until it is cancelled.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
user="$(cat "$BOOKDESK_E2E_CIS2_USER_FILE")"
[ -n "$user" ] || exit 0
# The test users' fixture passwords are "<user>-pass" (tests/oidc/users.json).
OIDC_TEST_USER="$user" OIDC_TEST_PASSWORD="$user-pass" exec node "$here/../oidc/browse.mjs" "$1"
