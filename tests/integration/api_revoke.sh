#!/bin/bash
# Revocation reaches every worker at once: with 2 net workers, each with
# its short read cache of token lookups (src/vigild/auth.h), a token
# revoked through one worker is refused by all of them on the very next
# request, because the change is published as an epoch (IPC_EPOCH) that
# the parent fans out to the other workers, which drop their caches.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
export VIGILD_WORKERS=2
. "$SRCDIR/tests/integration/vigild_env.sh"

vigild_setup
vigild_start
"$MKADMIN" "$DATA/vigil.db" tenant acme >/dev/null
ADMIN=$(token acme boss tenant-admin fresh)
# "TOKEN ID" on one line (token() sets TOKEN_ID only in its subshell).
line=$("$MKADMIN" "$DATA/vigil.db" token acme watcher operator fresh)
OPER=${line%% *}
OPER_ID=${line#* }

# Warm both workers' caches: new connections spread over the two
# SO_REUSEPORT sockets by the kernel's hash of the client port.
warm=0
for _ in $(seq 1 40); do
	api GET /v1/tenants/acme "$OPER"
	[ "$STATUS" = 200 ] && warm=$((warm + 1))
done
if [ "$warm" = 40 ]; then
	ok "the operator token reads the tenant through both workers (40/40)"
else
	notok "the operator token reads the tenant through both workers" \
	    "got $warm/40 HTTP 200"
fi

api DELETE "/v1/tenants/acme/tokens/$OPER_ID" "$ADMIN"
check "the tenant admin revokes the operator's token" 204

refused=0
for _ in $(seq 1 40); do
	api GET /v1/tenants/acme "$OPER"
	[ "$STATUS" = 401 ] && refused=$((refused + 1))
done
if [ "$refused" = 40 ]; then
	ok "right after the revocation every request is refused (40/40 HTTP 401, both workers)"
else
	notok "right after the revocation every request is refused" \
	    "got $refused/40 HTTP 401"
fi

vigild_finish
finish
