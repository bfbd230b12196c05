#!/bin/sh
# Authorization matrix: every route × every role × own/other tenant ×
# fresh/stale authentication (plus no token and a bogus token) gives
# exactly the status written in the table of authz_matrix.py; a stale
# token reaches privileged routes after POST /v1/auth/reauth.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

"$VIGILD" --routes >"$WORK/routes"
vigild_setup
vigild_start
echo "# vigild on $BASE"
set +e
"$PY" "$SRCDIR/tests/integration/authz_matrix.py" "$MKADMIN" \
    "$DATA/vigil.db" "$PORT" "$CA" "$WORK/routes"
rc=$?
set -e
vigild_finish
finish
[ $rc -eq 0 ]
