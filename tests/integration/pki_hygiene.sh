#!/bin/bash
# pki_hygiene.sh — certificate hygiene from what the device gateway
# sees, with curl and the openssl CLI as the device: a certificate
# enrolled over EST and used from two source addresses at once
# (127.0.0.1 and 127.0.0.2, interleaved) shows up in `vigil cert audit`
# as clone-suspect with both addresses and windows once the gateway has
# written its sightings (every few seconds); after `vigil cert revoke`
# its refused handshakes are counted, and the audit (CLI and API
# certs-audit) shows revoked-still-connecting with at least the 3
# attempts made after the revocation. The periodic audit (here every
# 2 s: cert_audit_interval_s) appends one cert.finding audit entry and
# logs one warning per new finding, and does not repeat them.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

vigild_setup "$PKI_CONF
cert_audit_interval_s = 2"
pki_ca acme acme
pki_device meter-1 SN-HY-METER-1
vigild_start
pki_ports

# whoami_from ADDRESS: whoami with meter-1's certificate from a source
# address; prints the HTTP status (000 when the connection failed).
whoami_from() {
	curl -s -o "$WORK/whoami.out" -w '%{http_code}' --interface "$1" \
	    --cacert "$GW_CA" --cert "$WORK/m1.pem" --key "$WORK/m1.key" \
	    "$GW/device/v1/whoami" || true
}

# audit_until EXPR: `vigil cert audit --json` into $OUT until the
# Python expression EXPR (over d, the report) is true, for up to 15 s
# (the gateway writes sightings every 3 s). RC 0 when it became true.
audit_until() {
	_i=0
	while :; do
		run "$VIGIL" cert audit --tenant acme --json
		if [ "$RC" = 0 ] && [ "$(json "$1" 2>/dev/null)" = True ]; then
			return 0
		fi
		[ $_i -ge 60 ] && { RC=1; return 0; }
		sleep 0.25
		_i=$((_i + 1))
	done
}

# ---- enroll over EST
tok=$(pki_token meter-1) || { echo "# no token"; exit 1; }
est_enroll meter-1 "$tok" "$WORK/m1"
if [ "$EST_STATUS" = 200 ] && [ ! -s "$WORK/m1.pem" ]; then
	tr -d '\r' <"$WORK/m1.p7" | base64 -d | openssl pkcs7 -inform DER \
	    -print_certs 2>/dev/null | awk '/-----BEGIN/ { p = 1 }
	    p { print } /-----END/ { exit }' >"$WORK/m1.pem"
fi
if [ "$EST_STATUS" != 200 ] || [ ! -s "$WORK/m1.pem" ]; then
	notok "meter-1 enrolls over EST" "got HTTP $EST_STATUS"
	finish
	exit 1
fi
ok "meter-1 enrolls over EST"
serial=$(cert_serial "$WORK/m1.pem")

run "$VIGIL" cert audit --tenant acme --json
expect_json "before any use the audit has no clone-suspect" 0 \
    '[f["kind"] for f in d["findings"] if f["kind"] == "clone-suspect"]' '[]'

# ---- one certificate, two addresses at once
codes=
for ip in 127.0.0.1 127.0.0.2 127.0.0.1 127.0.0.2; do
	codes="$codes $(whoami_from $ip)"
done
if [ "$codes" = " 200 200 200 200" ]; then
	ok "whoami from 127.0.0.1 and 127.0.0.2, interleaved, answers 200 each time"
else
	notok "whoami from 127.0.0.1 and 127.0.0.2 answers 200" "got$codes" \
	    "$(head -c 300 "$WORK/whoami.out")"
fi
C='[f for f in d["findings"] if f["kind"] == "clone-suspect"]'
audit_until "len($C) == 1"
if [ "$RC" = 0 ]; then
	ok "vigil cert audit --json shows one clone-suspect after the flush"
else
	notok "vigil cert audit --json shows one clone-suspect after the flush" \
	    "$(head -c 600 "$OUT")"
fi
expect_json "the clone-suspect names the certificate, high severity" 0 \
    "[(f['object'], f['severity']) for f in $C]" \
    "[[\"cert/$serial\", \"high\"]]"
expect_json "its evidence has both addresses and a window per address" 0 \
    "[(sorted(f['evidence']['ips']), sorted(w['ip'] for w in f['evidence']['windows']), f['evidence']['serial']) for f in $C]" \
    "[[[\"127.0.0.1\", \"127.0.0.2\"], [\"127.0.0.1\", \"127.0.0.2\"], \"$serial\"]]"
expect_json "each window counts the 2 uses from its address" 0 \
    "sorted(w['count'] for f in $C for w in f['evidence']['windows'])" \
    '[2, 2]'
run "$VIGIL" cert audit --tenant acme
if [ "$RC" = 0 ] && grep -q "clone-suspect.*cert/$serial" "$OUT"; then
	ok "the text report lists clone-suspect cert/$serial"
else
	notok "the text report lists clone-suspect" "$(_show)"
fi

# findings_until KIND: `vigil audit list --action cert.finding` into
# $OUT until an entry for the certificate of KIND is there (up to 15 s).
findings_until() {
	_i=0
	while :; do
		run "$VIGIL" --json audit list --tenant acme \
		    --action cert.finding --limit 1000
		if [ "$RC" = 0 ] && [ "$(json "[e for e in L if
		    e['object'] == 'cert/$serial' and
		    e['detail'].startswith('$1 ')] != []" 2>/dev/null)" = True ]
		then
			return 0
		fi
		[ $_i -ge 60 ] && { RC=1; return 0; }
		sleep 0.25
		_i=$((_i + 1))
	done
}
findings_until clone-suspect
if [ "$RC" = 0 ]; then
	ok "the periodic audit appends a cert.finding entry for the clone-suspect"
else
	notok "the periodic audit appends a cert.finding entry for the clone-suspect" \
	    "$(_show)"
fi
if grep -q "cert.finding.*clone-suspect cert/$serial" "$WORK/vigild.log"; then
	ok "and logs a warning naming it"
else
	notok "the periodic audit logs a warning for the clone-suspect" \
	    "$(grep cert. "$WORK/vigild.log" | tail -n 5 | tr '\n' '|')"
fi

# ---- revoked, and still trying
run "$VIGIL" cert revoke --tenant acme "$serial" --reason keyCompromise
expect_rc "vigil cert revoke meter-1's certificate" 0
# The gateway refuses the handshake itself within a second (until its
# revocation set catches up, the request is refused with 403, which
# counts too); then 3 attempts from 127.0.0.2, refused at the
# handshake (curl status 000).
_i=0
until [ "$(whoami_from 127.0.0.1)" = 000 ] || [ $_i -ge 30 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
codes=
for _ in 1 2 3; do
	codes="$codes $(whoami_from 127.0.0.2)"
done
if [ "$codes" = " 000 000 000" ]; then
	ok "3 attempts with the revoked certificate are refused at the handshake"
else
	notok "3 attempts with the revoked certificate are refused at the handshake" \
	    "got$codes"
fi
R='[f for f in d["findings"] if f["kind"] == "revoked-still-connecting"]'
audit_until "len($R) == 1 and $R[0]['evidence']['attempts'] >= 3"
if [ "$RC" = 0 ]; then
	ok "vigil cert audit --json shows revoked-still-connecting with attempts >= 3"
else
	notok "vigil cert audit --json shows revoked-still-connecting with attempts >= 3" \
	    "$(head -c 800 "$OUT")"
fi
expect_json "it names the certificate, the device, revoked status and high severity" 0 \
    "[(f['object'], f['severity'], f['evidence']['status'], f['evidence']['serial'], bool(f['evidence']['device_id'])) for f in $R]" \
    "[[\"cert/$serial\", \"high\", \"revoked\", \"$serial\", true]]"
expect_json "its evidence has the last attempt after the revocation and both addresses" 0 \
    "[(f['evidence']['last_attempt'] >= f['evidence']['revoked_at'], sorted(f['evidence']['ips'])) for f in $R]" \
    '[[true, ["127.0.0.1", "127.0.0.2"]]]'

findings_until revoked-still-connecting
if [ "$RC" = 0 ]; then
	ok "the periodic audit appends a cert.finding entry for revoked-still-connecting"
else
	notok "the periodic audit appends a cert.finding entry for revoked-still-connecting" \
	    "$(_show)"
fi
# Several runs later (2 s each) the clone-suspect is still reported
# once: only findings new since the previous run are appended.
sleep 4.5
run "$VIGIL" --json audit list --tenant acme --action cert.finding \
    --limit 1000
expect_json "each finding is appended once over several runs (deduplicated)" 0 \
    "sorted(e['detail'].split(' ')[0] for e in L if e['object'] == 'cert/$serial')" \
    '["clone-suspect", "revoked-still-connecting"]'

# ---- the API route says the same
TID=$("$VIGIL" tenant show acme --json 2>/dev/null | "$PY" -c \
    'import json, sys; print(json.load(sys.stdin)["id"])' 2>/dev/null || echo acme)
api GET "/v1/tenants/$TID/certs-audit" "$ADMIN_TOKEN"
check "GET certs-audit has both findings for the certificate" 200 \
    "sorted(f['kind'] for f in d['findings'] if f['object'] == 'cert/$serial' and 'evidence' in f)" \
    '["clone-suspect", "revoked-still-connecting"]'

vigild_finish
finish
