#!/bin/bash
# pki_hygiene.sh — certificate hygiene from what the device gateway
# sees, with curl and the openssl CLI as the device: a certificate
# enrolled over EST and used from two source addresses at once
# (127.0.0.1 and 127.0.0.2, interleaved) shows up in `vigil cert audit`
# as clone-suspect with both addresses and windows once the gateway has
# written its sightings (every few seconds); after `vigil cert revoke`
# its refused handshakes are counted, and the audit (CLI and API
# certs-audit) shows revoked-still-connecting with at least the 3
# attempts made after the revocation.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

vigild_setup "$PKI_CONF"
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

# ---- revoked, and still trying
run "$VIGIL" cert revoke --tenant acme "$serial" --reason keyCompromise
expect_rc "vigil cert revoke meter-1's certificate" 0
# The gateway takes the revocation within a second; then 3 attempts.
_i=0
until [ "$(whoami_from 127.0.0.1)" != 200 ] || [ $_i -ge 30 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
codes=
for ip in 127.0.0.1 127.0.0.2 127.0.0.1; do
	codes="$codes $(whoami_from $ip)"
done
case "$codes" in
*200*) notok "3 attempts with the revoked certificate are refused" \
    "got$codes" ;;
*) ok "3 attempts with the revoked certificate are refused (got$codes)" ;;
esac
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

# ---- the API route says the same
TID=$("$VIGIL" tenant show acme --json 2>/dev/null | "$PY" -c \
    'import json, sys; print(json.load(sys.stdin)["id"])' 2>/dev/null || echo acme)
api GET "/v1/tenants/$TID/certs-audit" "$ADMIN_TOKEN"
check "GET certs-audit has both findings for the certificate" 200 \
    "sorted(f['kind'] for f in d['findings'] if f['object'] == 'cert/$serial' and 'evidence' in f)" \
    '["clone-suspect", "revoked-still-connecting"]'

vigild_finish
finish
