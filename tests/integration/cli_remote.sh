#!/bin/sh
# vigil --server: the same tenant and device commands run on a local
# data directory and, through a vigild started on a random port, on the
# server's; their outputs (human and --json) must be byte for byte the
# same once ids, times and the actor are normalised, and so must their
# exit statuses. Imports large enough to be sent in several pieces
# report every bad row with the file's own line number. Then: login
# (password on stdin, config file 0600) and logout, users and tokens
# (of a tenant and of the platform, password resets), the audit log
# remotely, and the failures: a bad token (exit 3 with
# the API's problem detail), a group-readable config file, a wrong CA
# and a server certificate for another name (exit 4), http:// and
# --insecure (usage errors: there is no way to skip verification).
set -eu
. "$SRCDIR/tests/integration/lib.sh"
: "${VIGILD:?VIGILD must point at the vigild binary}"

PIDS=
cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
# Workers started by root run as "nobody": they must reach the data.
chmod 711 "$WORK"
unset VIGIL_DATA VIGIL_SERVER VIGIL_TOKEN VIGIL_CA VIGIL_TENANT
export XDG_CONFIG_HOME="$WORK/xdg"

SRV="$WORK/srv"
LOCAL="$WORK/local"
CA="$SRV/tls/server.crt"

"$VIGIL" --json init --data "$SRV" --listen 127.0.0.1:0 >"$WORK/init.json"
echo "workers = 2" >>"$SRV/vigild.conf"
echo "log_level = warn" >>"$SRV/vigild.conf"
ADMIN_TOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/init.json")
ADMIN_PASSWORD=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$WORK/init.json")

VIGILD_PORT_FILE="$WORK/port" "$VIGILD" -f --data "$SRV" \
    >"$WORK/vigild.log" 2>&1 &
PIDS="$!"
i=0
while [ ! -s "$WORK/port" ]; do
	if [ $i -gt 300 ]; then
		echo "# vigild did not start"
		sed 's/^/#   /' "$WORK/vigild.log"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
URL="https://127.0.0.1:$(head -n 1 "$WORK/port")"
i=0
until curl -s -o /dev/null --cacert "$CA" "$URL/healthz"; do
	[ $i -lt 300 ] || { echo "# vigild does not answer"; exit 1; }
	sleep 0.1
	i=$((i + 1))
done

# --- local and remote, side by side -------------------------------------
# Ids, times and the actor differ between the two stores by nature.
normalise() {
	sed -E \
	    -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<id>/g' \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/<time>/g' \
	    -e 's/"actor":"[^"]*"/"actor":"<actor>"/g' \
	    -e 's/(local:[A-Za-z0-9._-]+|user:admin) +/<actor> /g' \
	    "$1"
}

# both NAME [--stderr] [--stdin FILE] ARGS...: runs vigil ARGS on the
# local directory and on the server; compares exit status and
# normalised stdout. With --stderr, each diagnostic line of the local
# run must also start the remote one (which may add "(HTTP <status>,
# request <id>)").
prefixes() {
	"$PY" - "$1" "$2" <<'PYEOF'
import sys
a = open(sys.argv[1], encoding="utf-8").read().splitlines()
b = open(sys.argv[2], encoding="utf-8").read().splitlines()
sys.exit(0 if len(a) == len(b) and a and
         all(y.startswith(x) for x, y in zip(a, b)) else 1)
PYEOF
}

n=0
both() {
	_name=$1
	shift
	_cmp_err=false
	_in=/dev/null
	while :; do
		case $1 in
		--stderr) _cmp_err=true; shift ;;
		--stdin) _in=$2; shift 2 ;;
		*) break ;;
		esac
	done
	n=$((n + 1))
	set +e
	"$VIGIL" --data "$LOCAL" "$@" <"$_in" >"$WORK/l.out" 2>"$WORK/l.err"
	_lrc=$?
	VIGIL_SERVER=$URL VIGIL_CA=$CA VIGIL_TOKEN=$ADMIN_TOKEN \
	    "$VIGIL" "$@" <"$_in" >"$WORK/r.out" 2>"$WORK/r.err"
	_rrc=$?
	set -e
	normalise "$WORK/l.out" >"$WORK/l.norm"
	normalise "$WORK/r.out" >"$WORK/r.norm"
	normalise "$WORK/l.err" >"$WORK/l.enorm"
	normalise "$WORK/r.err" >"$WORK/r.enorm"
	if [ $_lrc -ne $_rrc ]; then
		notok "$_name: same exit status" "local $_lrc, remote $_rrc" \
		    "local stderr: $(head -c 300 "$WORK/l.err")" \
		    "remote stderr: $(head -c 300 "$WORK/r.err")"
	elif ! cmp -s "$WORK/l.norm" "$WORK/r.norm"; then
		notok "$_name: same output" "$(diff "$WORK/l.norm" \
		    "$WORK/r.norm" | head -n 20 | tr '\n' '|')"
	elif $_cmp_err && ! prefixes "$WORK/l.enorm" "$WORK/r.enorm"; then
		notok "$_name: same diagnostics" "$(diff "$WORK/l.enorm" \
		    "$WORK/r.enorm" | head -n 20 | tr '\n' '|')"
	else
		ok "$_name: local and remote print the same (exit $_lrc, $(wc -l <"$WORK/l.out") lines)"
	fi
}

both "tenant create" tenant create acme
both "tenant create --display-name" --json tenant create beta \
    --display-name "Beta Ltd"
both "tenant list" tenant list
both "tenant list --json" --json tenant list
both "tenant show" tenant show beta
both "an unknown tenant" tenant show nosuch

T="--tenant acme"
# shellcheck disable=SC2086
{
both "device add" $T device add --name cam-7 --gtin 9520123456788 \
    --imei 49-015420-323751-8 --serial 12345 --label site=berlin \
    --label tier=prod --region eu-central --owner "ops@example.com"
both "device add --json" --json $T device add --name meter-2 \
    --model "Acme Meter M1" --mac 00:1B:63:18:25:30 --state provisioned
both "device add with an invalid IMEI (every problem listed)" --stderr \
    $T device add --name bad --imei 490154203237512 --mac 00:24:zz:80:4f:f1
both "device add of a taken identifier" $T device add --name dup \
    --imei 490154203237518
both "device show" $T device show cam-7
both "device show --json (owner included)" --json $T device show cam-7
both "device show by another identifier spelling" $T device show \
    urn:gsma:imei:49015420-323751-8
both "device show of an unknown device" $T device show nosuch
both "device find" $T device find 35-209900-176148-2
both "device find (any spelling)" $T device find 490154203237518
both "device find --json" --json $T device find 00-1b-63-18-25-30
both "device set-state" $T device set-state cam-7 provisioned \
    --reason "flashed at factory"
both "device set-state (illegal move)" --stderr $T device set-state \
    meter-2 quarantined --reason x
both "device set-state --json" --json $T device set-state cam-7 active \
    --reason "in service"
both "device update" $T device update cam-7 --label floor=2 \
    --unlabel tier --model "Cam X" --add-id mac=00:24:be:80:4f:f1 \
    --reason "moved"
both "device update --if-version (stale)" $T device update cam-7 \
    --region eu-west --if-version 1
both "device update --json" --json $T device update meter-2 \
    --owner "facilities@example.com" --remove-id mac=00:1b:63:18:25:30
both "device list" $T device list
both "device list --json" --json $T device list
both "device list --state" $T device list --state active
both "device list --label" $T device list --label site=berlin
both "device list --limit (cursor on the last line)" --json $T device list \
    --limit 1
both "device retire" $T device retire meter-2 --reason "scrapped"
both "device history" $T device history cam-7
both "device history --json" --json $T device history cam-7
both "device summary" $T device summary
both "device summary --json --top 1" --json $T device summary --top 1
}

# Imports big enough to go to the server in several pieces, with bad
# rows early and late: the file's line numbers must come back.
"$PY" - "$WORK/bulk.jsonl" "$WORK/bulk.csv" <<'PYEOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 4001):
        row = {"name": "bulk-%05d" % i, "model": "Bulk B1",
               "serial": "BK%06d" % i, "region": "eu-north",
               "labels": {"batch": "b1", "note": "x" * 40}}
        if i in (10, 3500):
            row["state"] = "bogus"
        f.write(json.dumps(row) + "\n")
with open(sys.argv[2], "w") as f:
    f.write("name,model,serial,state,region,labels\n")
    for i in range(1, 6001):
        state = "nonsense" if i in (4, 5500) else "registered"
        f.write('csv-%05d,"Bulk C2",CS%06d,%s,eu-south,"batch=c;note=%s"\n'
                % (i, i, state, "y" * 40))
PYEOF
# shellcheck disable=SC2086
{
both "device import (JSON Lines, pieces, bad rows)" --stderr $T device \
    import "$WORK/bulk.jsonl"
both "device import --json (CSV, pieces, bad rows)" --json $T device \
    import "$WORK/bulk.csv"
both "device import --atomic" --stderr --stdin "$SRCDIR/samples/fleet.csv" \
    $T device import --atomic --format csv -
both "device import from stdin" --stderr --stdin "$SRCDIR/samples/fleet.csv" \
    $T device import --format csv -
printf 'name,colour\nx,red\n' >"$WORK/badcol.csv"
both "device import of an unknown column (fatal)" --stderr $T device \
    import "$WORK/badcol.csv"
both "device export" $T device export
both "device export --format csv" $T device export --format csv
both "device export --state" $T device export --state retired
both "label DEVICE (the registry's identifiers, rendered as text)" $T label cam-7 --format txt
both "device export --redact" $T device export --redact
both "device export --redact --format csv" $T device export --redact --format csv
VIGIL_TOKEN=$ADMIN_TOKEN run "$VIGIL" --server "$URL" --ca "$CA" --tenant acme device export --redact
if [ "$RC" = 0 ] && ! grep -q 'example.com' "$OUT"; then
	ok "a redacted remote export carries no owner contact"
else
	notok "a redacted remote export carries no owner contact" "got $(_show)"
fi
both "device summary after the imports" $T device summary
both "tenant show (device count)" tenant show acme
}
run "$VIGIL" --data "$LOCAL" --tenant acme device export -o "$WORK/l.jsonl"
run env VIGIL_SERVER="$URL" VIGIL_CA="$CA" VIGIL_TOKEN="$ADMIN_TOKEN" \
    "$VIGIL" --tenant acme device export -o "$WORK/r.jsonl"
normalise "$WORK/l.jsonl" >"$WORK/l.norm"
normalise "$WORK/r.jsonl" >"$WORK/r.norm"
if [ "$RC" = 0 ] && [ "$(stat -c %a "$WORK/r.jsonl")" = 600 ] &&
    [ "$(wc -l <"$WORK/r.jsonl")" -gt 10000 ] &&
    cmp -s "$WORK/l.norm" "$WORK/r.norm"; then
	ok "device export -o writes the same file remotely (mode 600, $(wc -l <"$WORK/r.jsonl") devices)"
else
	notok "device export -o writes the same file remotely" "$(_show)"
fi

# --- login, logout and the config file ---------------------------------------
CONF="$XDG_CONFIG_HOME/vigil/config"
run_in "$ADMIN_PASSWORD
" "$VIGIL" login --server "$URL" --ca "$CA" --name admin
expect_out_has "vigil login reads the password from stdin and logs in" 0 \
    "logged in to $URL as admin (platform-admin)"
if [ "$(stat -c %a "$CONF")" = 600 ] && grep -q "^server = $URL\$" "$CONF" &&
    grep -q "^ca = $CA\$" "$CONF" && grep -q '^token = vgl_' "$CONF" &&
    ! grep -qF -- "$ADMIN_PASSWORD" "$CONF"; then
	ok "vigil login saves server, CA and token (not the password) in a 0600 config file"
else
	notok "vigil login saves server, CA and token in a 0600 config file" \
	    "$(stat -c %a "$CONF") $(sed 's/vgl_.*/vgl_.../' "$CONF" | tr '\n' '|')"
fi
run "$VIGIL" --tenant acme device show cam-7
expect_out_has "after login, commands go to the saved server with the saved token" \
    0 "cam-7"
run "$VIGIL" --data "$LOCAL" --tenant acme device list --limit 1
expect_rc "--data still means the local directory after login" 0
chmod 640 "$CONF"
run "$VIGIL" tenant list
expect_err "a config file readable by the group is refused" 1 \
    "is accessible by group or others (mode 0640)"
chmod 600 "$CONF"
run "$VIGIL" logout
expect_out_has "vigil logout revokes the token" 0 "logged out of $URL"
run "$VIGIL" tenant list
expect_err "after logout there is no token (exit 3)" 3 \
    "no API token: run 'vigil login'"
run_in "wrong password here
" "$VIGIL" login --server "$URL" --ca "$CA" --name admin
expect_err "a wrong password is refused with the API's detail (exit 3)" 3 \
    "(HTTP 401, request "

# --- users and tokens remotely -----------------------------------------------
export VIGIL_SERVER="$URL" VIGIL_CA="$CA" VIGIL_TOKEN="$ADMIN_TOKEN"
# Privileged actions need a recent password proof.
run_in "$ADMIN_PASSWORD
" "$VIGIL" reauth
expect_out_has "vigil reauth proves the password again" 0 "re-authenticated at"
run_in "device manager password
" "$VIGIL" --tenant acme user add dm --role device-manager
expect_out_has "user add creates a principal in the tenant" 0 \
    "added user dm (device-manager, enabled"
run "$VIGIL" --tenant acme --json token create dm --ttl 2h --label ci
expect_json "token create shows the new token once, with its record" 0 \
    "(d['token'][:4], d['role'], d['label'])" "('vgl_', 'device-manager', 'ci')"
DM_TOKEN=$(json "d['token']")
DM_TOKEN_ID=$(json "d['id']")
run "$VIGIL" --tenant acme --json token list
expect_json "token list shows records, never a secret" 0 \
    "[(t['label'], 'token' in t) for t in L]" '[["ci", false]]'
# dm logs in (its own config file) and changes its password.
DM="env -u VIGIL_TOKEN -u VIGIL_SERVER -u VIGIL_CA XDG_CONFIG_HOME=$WORK/xdg2"
run_in "device manager password
" $DM "$VIGIL" login --server "$URL" --ca "$CA" --tenant acme --name dm
expect_out_has "vigil login --tenant logs a tenant principal in" 0 \
    "as dm (device-manager, tenant acme)"
if grep -q '^tenant = acme$' "$WORK/xdg2/vigil/config"; then
	ok "vigil login --tenant saves the tenant"
else
	notok "vigil login --tenant saves the tenant" \
	    "$(sed 's/vgl_.*/vgl_.../' "$WORK/xdg2/vigil/config")"
fi
run $DM "$VIGIL" device show cam-7
expect_out_has "the saved tenant is the default tenant of later commands" 0 \
    "cam-7"
run_in "device manager password
a new device manager password
" $DM "$VIGIL" user passwd
expect "vigil user passwd changes your own password on the server" 0 \
    "password changed"
run_in "device manager password
" $DM "$VIGIL" reauth
expect_err "the old password no longer works (exit 3)" 3 "(HTTP 401, request "

# TOTP: vigil login --totp asks for the code (when the server answers
# "totp-required" it asks too). The code of the next 30 s step is the
# one a login may still use after the enrollment spent the current one.
totp() {
	"$PY" - "$1" "$2" <<'PYEOF'
import base64, hashlib, hmac, struct, sys, time
s = sys.argv[1] + "=" * (-len(sys.argv[1]) % 8)
c = int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(base64.b32decode(s), struct.pack(">Q", c), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PYEOF
}
run curl -sS --cacert "$CA" -X POST -H "Authorization: Bearer $DM_TOKEN" \
    "$URL/v1/auth/totp"
SECRET=$(json "d['secret']")
run curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $DM_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$(totp "$SECRET" 0)\"}" "$URL/v1/auth/totp/confirm"
expect "TOTP enrolled for dm (through the API)" 0 "204"
run_in "a new device manager password
$(totp "$SECRET" 1)
" $DM "$VIGIL" login --server "$URL" --ca "$CA" --tenant acme --name dm \
    --totp
expect_out_has "vigil login --totp reads the password, then the TOTP code" 0 \
    "as dm (device-manager, tenant acme)"
run_in "a password for someone else
" env VIGIL_TOKEN="$DM_TOKEN" "$VIGIL" user passwd admin
expect_err "user passwd NAME is an administrator's: a device manager gets 403 (exit 3)" 3 \
    "(HTTP 403, request "
run env VIGIL_TOKEN="$DM_TOKEN" "$VIGIL" device list --limit 2
expect_out_has "a device manager's token lists its tenant's devices" 0 \
    "cam-7"
run env VIGIL_TOKEN="$DM_TOKEN" "$VIGIL" user list
expect_err "a device manager may not list principals (exit 3, HTTP 403)" 3 \
    "(HTTP 403, request "
run "$VIGIL" --tenant acme user list
expect_out_has "user list shows the tenant's principals" 0 "dm"
run "$VIGIL" --tenant acme user disable dm
expect_out_has "user disable disables" 0 "updated user dm (device-manager, disabled"
run env VIGIL_TOKEN="$DM_TOKEN" "$VIGIL" device list --limit 1
expect_err "a disabled principal's token stops working (exit 3)" 3 "(HTTP 40"
run "$VIGIL" --tenant acme token revoke "$DM_TOKEN_ID"
expect_out_has "token revoke revokes" 0 "revoked token $DM_TOKEN_ID"
run "$VIGIL" --tenant acme user enable dm
expect_out_has "user enable enables" 0 "updated user dm (device-manager, enabled"
run "$VIGIL" --tenant acme user set-role dm operator
expect_out_has "user set-role changes the role" 0 "updated user dm (operator,"
run "$VIGIL" --tenant acme --json user show dm
expect_json "user show --json is the principal's record (TOTP on, no secret)" 0 \
    "(d['name'], d['role'], d['totp'], d['disabled'], 'password' in d)" \
    "('dm', 'operator', True, False, False)"
run "$VIGIL" --tenant acme user remove dm
expect "user remove removes" 0 "removed user dm"
run "$VIGIL" --tenant acme user show dm
expect_err "a removed user is not found (exit 1)" 1 "(HTTP 404, request "

# Platform principals and tokens (no --tenant: a platform admin's own
# scope, the platform): every user and token command goes to the API.
run_in "platform auditor password
" "$VIGIL" user add pops --role auditor
expect_out_has "user add without --tenant adds a platform principal" 0 \
    "added user pops (auditor, enabled"
run "$VIGIL" --json user show pops
expect_json "user show of a platform principal" 0 \
    "(d['name'], d['tenant'], d['role'])" "('pops', None, 'auditor')"
run "$VIGIL" user disable pops
expect_out_has "user disable of a platform principal" 0 \
    "updated user pops (auditor, disabled"
run "$VIGIL" user enable pops
expect_out_has "user enable of a platform principal" 0 \
    "updated user pops (auditor, enabled"
run "$VIGIL" --json token create pops --ttl 1h --label pjob
expect_json "token create for a platform principal" 0 "d['label']" "pjob"
POPS_TOKEN_ID=$(json "d['id']")
run "$VIGIL" --json token list --principal pops
expect_json "token list of a platform principal's tokens, never a secret" 0 \
    "[(t['label'], 'token' in t) for t in L]" '[["pjob", false]]'
run "$VIGIL" token revoke "$POPS_TOKEN_ID"
expect_out_has "token revoke of a platform token" 0 \
    "revoked token $POPS_TOKEN_ID"
run_in "the reset pops password
" "$VIGIL" user passwd pops
expect "user passwd NAME resets another principal's password on the server" 0 \
    "password changed for pops"
run_in "the reset pops password
" env -u VIGIL_TOKEN -u VIGIL_SERVER -u VIGIL_CA \
    XDG_CONFIG_HOME="$WORK/xdg3" "$VIGIL" login --server "$URL" --ca "$CA" \
    --name pops
expect_out_has "the principal logs in with the reset password" 0 \
    "as pops (auditor"
run "$VIGIL" user set-role pops platform-admin
expect_out_has "user set-role of a platform principal" 0 \
    "updated user pops (platform-admin,"
run "$VIGIL" user remove pops
expect "user remove of a platform principal" 0 "removed user pops"
run "$VIGIL" user show pops
expect_err "a removed platform principal is not found (exit 1)" 1 \
    "(HTTP 404, request "

# --- the audit log remotely -------------------------------------------
run "$VIGIL" --json audit list --action tenant.
expect_json "audit list remotely: the tenant creations were audited" 0 \
    "[e['action'] for e in L]" '["tenant.create", "tenant.create"]'
run "$VIGIL" audit verify
expect_out_has "audit verify remotely: the chain is intact" 0 \
    "audit log intact"
run "$VIGIL" audit verify --pubkey "$SRV/keys/audit.pub"
expect_err "audit verify --pubkey makes no sense remotely (exit 2)" 2 \
    "the server verifies with its own audit key"

# --- failures --------------------------------------------------------------
run env VIGIL_TOKEN=vgl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
    "$VIGIL" tenant list
expect_err "an unknown token: the API's problem detail and exit 3" 3 \
    "(HTTP 401, request "
run env VIGIL_TOKEN=not-a-token "$VIGIL" tenant list
expect_err "a malformed token: exit 3" 3 "HTTP 401"
mkdir "$WORK/other"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/other/k.pem" -out "$WORK/other/c.pem" -days 2 \
    -subj /CN=other -addext subjectAltName=DNS:other.example \
    2>/dev/null
run "$VIGIL" --ca "$WORK/other/c.pem" tenant list
expect_err "a server certificate that does not chain to --ca: TLS error, exit 4" 4 \
    "TLS with $URL failed"
run env -u VIGIL_CA XDG_CONFIG_HOME="$WORK/nocfg" "$VIGIL" tenant list
expect_err "without --ca the system store does not trust a self-signed server (exit 4)" 4 \
    "certificate"
# A server whose certificate is trusted but names another host.
SPORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$SPORT" -cert "$WORK/other/c.pem" \
    -key "$WORK/other/k.pem" -www >"$WORK/s_server.log" 2>&1 &
PIDS="$PIDS $!"
i=0
while ! grep -q ACCEPT "$WORK/s_server.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q ACCEPT "$WORK/s_server.log"; then
	run "$VIGIL" --server "https://127.0.0.1:$SPORT" \
	    --ca "$WORK/other/c.pem" tenant list
	expect_err "a trusted certificate for another host name is refused (exit 4)" 4 \
	    "TLS with https://127.0.0.1:$SPORT failed"
else
	notok "a trusted certificate for another host name is refused" \
	    "openssl s_server did not start: $(cat "$WORK/s_server.log")"
fi
run "$VIGIL" --server "http://127.0.0.1:1" tenant list
expect_err "an http:// server is refused (exit 2)" 2 "must start with https://"
run "$VIGIL" --insecure tenant list
expect_err "there is no --insecure option (exit 2)" 2 \
    "unknown option '--insecure'"
run "$VIGIL" -k tenant list
expect_err "there is no -k option (exit 2)" 2 "unknown option '-k'"
run "$VIGIL" --server "https://127.0.0.1:1" tenant list
expect_err "an unreachable server: exit 4" 4 "cannot reach https://127.0.0.1:1"
run "$VIGIL" --data "$LOCAL" tenant list --server "$URL"
expect_err "--server and --data exclude each other (exit 2)" 2 \
    "--server and --data exclude each other"
run "$VIGIL" --server "$URL" init
expect_err "init works on a local data directory only: refused with a server" 2 \
    "works on a local data directory only"

kill -TERM $PIDS 2>/dev/null || true
for p in $PIDS; do
	wait "$p" 2>/dev/null || true
done
PIDS=
if ! grep -qE 'Sanitizer|runtime error:' "$WORK/vigild.log"; then
	ok "vigild logged no sanitizer report during the run"
else
	notok "vigild logged no sanitizer report during the run" \
	    "$(grep -A8 -E 'Sanitizer|runtime error:' "$WORK/vigild.log" |
	    head -n 30 | tr '\n' '|')"
fi
finish
