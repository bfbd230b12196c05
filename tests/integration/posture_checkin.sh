#!/bin/bash
# posture_checkin.sh — devices report their posture over the mutual-TLS
# gateway (POST /device/v1/checkin) with curl and their EST
# certificate: a valid document is stored and answered with the risk,
# quarantine flag, epoch and next check-in; a bad document is 400
# naming the JSON path, an oversize one 413, one without a client
# certificate 401, GET 405; a stored policy's explicit Deny on
# device:Checkin is 403 naming it; the posture API shows the reported
# firmware and ports; the history keeps posture_history_max (3)
# check-ins; only check-ins that change a fact are audited; a
# quarantined device still checks in (200, "quarantined": true) while
# whoami refuses it; a retired device and a revoked certificate are
# refused.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

vigild_setup "$PKI_CONF
posture_history_max = 3
posture_stale_s = 1h"
pki_ca acme acme
pki_device meter-1 SN-PC-METER-1
pki_device meter-2 SN-PC-METER-2
pki_device meter-3 SN-PC-METER-3
vigild_start
pki_ports
T=/v1/tenants/acme

# enroll NAME PREFIX: EST enrollment with a fresh token (pki_gateway.sh).
enroll() {
	_tok=$(pki_token "$1") || { echo "# no token"; exit 1; }
	est_enroll "$1" "$_tok" "$2"
	if [ "$EST_STATUS" = 200 ] && [ ! -s "$2.pem" ]; then
		tr -d '\r' <"$2.p7" | base64 -d | openssl pkcs7 -inform DER \
		    -print_certs 2>/dev/null | awk '/-----BEGIN/ { p = 1 }
		    p { print } /-----END/ { exit }' >"$2.pem"
	fi
	if [ "$EST_STATUS" != 200 ] || [ ! -s "$2.pem" ]; then
		notok "$1 enrolls over EST" "got HTTP $EST_STATUS:" \
		    "$(head -c 300 "$2.p7")"
		finish
		exit 1
	fi
}

# checkin PREFIX BODY-FILE [CURL ARGS...]: POST /device/v1/checkin with
# PREFIX.pem/.key ("" = no certificate); reply in $OUT, headers $HDR,
# status $STATUS ("000" when the handshake is refused).
checkin() {
	_p=$1 _f=$2
	shift 2
	if [ -n "$_p" ]; then
		set -- --cert "$_p.pem" --key "$_p.key" "$@"
	fi
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' \
	    --cacert "$GW_CA" -H 'Content-Type: application/json' \
	    --data-binary "@$_f" "$@" "$GW/device/v1/checkin" || true)
}

# doc FILE JSON: writes a check-in document.
doc() {
	printf '%s' "$2" >"$1"
}

# audit_count DEVICE-ID: device.checkin entries "ok" of the device.
audit_count() {
	api GET "$T/audit?action=device.checkin&outcome=ok&limit=100" \
	    "$ADMIN_TOKEN"
	jbody "len([e for e in d.get('items', [])
	    if e.get('object') == 'device/$1'])"
}

enroll meter-1 "$WORK/m1"
enroll meter-2 "$WORK/m2"
enroll meter-3 "$WORK/m3"
run "$VIGIL" device show --tenant acme meter-1 --json
dev1=$(json 'd["id"]')
run "$VIGIL" device show --tenant acme meter-2 --json
dev2=$(json 'd["id"]')

doc "$WORK/good.json" '{"firmware": "1.4.2",
 "boot": {"state": "verified", "secure_boot": true},
 "integrity": "ok", "listening": ["tcp/22", "udp/5683"],
 "uptime_s": 100, "metrics": {"temp_c": 41.5}}'

# ---- no certificate, wrong method
checkin "" "$WORK/good.json"
if [ "$STATUS" = 401 ] && grep -q 'client certificate is required' "$OUT"
then
	ok "a check-in without a client certificate is 401 with the reason"
else
	notok "a check-in without a client certificate is 401 with the reason" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi
STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' --cacert "$GW_CA" \
    --cert "$WORK/m1.pem" --key "$WORK/m1.key" "$GW/device/v1/checkin")
if [ "$STATUS" = 405 ] && [ "$(header Allow)" = POST ]; then
	ok "GET on /device/v1/checkin is 405 with Allow: POST"
else
	notok "GET on /device/v1/checkin is 405 with Allow: POST" \
	    "got HTTP $STATUS, Allow: $(header Allow)"
fi

# ---- a good check-in
checkin "$WORK/m1" "$WORK/good.json"
check "a check-in with the device certificate is 200 with the device, risk and epoch" \
    200 "[d['device'], d['quarantined'], type(d['risk']).__name__,
    d['epoch'] > 0, h.get('content-type')]" \
    "[\"$dev1\", false, \"int\", true, \"application/json\"]"
check "next_checkin_s is a quarter of posture_stale_s (1h → 900)" 200 \
    "d['next_checkin_s']" 900
check "the reply's posture holds the reported firmware and ports" 200 \
    "[d['posture']['firmware']['version'], d['posture']['ports']]" \
    '["1.4.2", ["tcp/22", "udp/5683"]]'
epoch1=$(jbody "d['epoch']")

# ---- bad and oversize documents
doc "$WORK/bad.json" '{"firmware": "1.4.2", "listening": ["tcp/22", "tcp/70000"]}'
checkin "$WORK/m1" "$WORK/bad.json"
if [ "$STATUS" = 400 ] && grep -q 'listening\[1\]' "$OUT" &&
    case "$(header Content-Type)" in text/plain*) true ;; *) false ;; esac
then
	ok "a port out of range is 400 text/plain naming listening[1]"
else
	notok "a port out of range is 400 text/plain naming listening[1]" \
	    "got HTTP $STATUS ($(header Content-Type)): $(head -c 300 "$OUT")"
fi
doc "$WORK/unknown.json" '{"firmware": "1.4.2", "colour": "red"}'
checkin "$WORK/m1" "$WORK/unknown.json"
if [ "$STATUS" = 400 ] && grep -q 'colour' "$OUT"; then
	ok "an unknown top-level key is 400 naming it"
else
	notok "an unknown top-level key is 400 naming it" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi
doc "$WORK/notjson.json" 'firmware=1.4.2'
checkin "$WORK/m1" "$WORK/notjson.json"
check "a body that is not JSON is 400" 400
"$PY" -c 'import json
print(json.dumps({"firmware": "1.4.2",
    "metrics": {"pad": "x" * 9000}}))' >"$WORK/big.json"
checkin "$WORK/m1" "$WORK/big.json"
check "a check-in document over 8 KiB (VIGIL_CHECKIN_MAX) is 413" 413

# ---- the posture API
api GET "$T/devices/$dev1/posture" "$ADMIN_TOKEN"
check "GET .../devices/{d}/posture shows the reported firmware and ports" \
    200 "[d['device'], d['firmware']['version'], d['ports'], d['integrity']]" \
    "[\"$dev1\", \"1.4.2\", [\"tcp/22\", \"udp/5683\"], \"ok\"]"

# ---- audit: the first check-in and changes only
n1=$(audit_count "$dev1")
doc "$WORK/good2.json" '{"firmware": "1.4.2",
 "boot": {"state": "verified", "secure_boot": true},
 "integrity": "ok", "listening": ["tcp/22", "udp/5683"],
 "uptime_s": 200, "metrics": {"temp_c": 42}}'
checkin "$WORK/m1" "$WORK/good2.json"
st_same=$STATUS
epoch_same=$(jbody "d.get('epoch')")
n2=$(audit_count "$dev1")
if [ "$n1" = 1 ] && [ "$st_same" = 200 ] && [ "$n2" = 1 ] &&
    [ "$epoch_same" = "$epoch1" ]; then
	ok "the first check-in is audited; one changing only uptime and metrics is not and keeps the epoch"
else
	notok "the first check-in is audited; one changing only uptime and metrics is not and keeps the epoch" \
	    "audit entries $n1 then $n2 (HTTP $st_same); epoch $epoch1 then $epoch_same"
fi
doc "$WORK/fw2.json" '{"firmware": "1.5.0", "listening": ["tcp/22"]}'
checkin "$WORK/m1" "$WORK/fw2.json"
st_fw=$STATUS
epoch_fw=$(jbody "d.get('epoch')")
n3=$(audit_count "$dev1")
if [ "$st_fw" = 200 ] && [ "$n3" = 2 ] && [ "$epoch_fw" -gt "$epoch1" ]; then
	ok "a check-in with new firmware and ports is audited and moves the epoch ($epoch1 → $epoch_fw)"
else
	notok "a check-in with new firmware and ports is audited and moves the epoch" \
	    "HTTP $st_fw, audit entries $n3, epoch $epoch1 then $epoch_fw"
fi

# ---- history bounded by posture_history_max = 3
for i in 1 2 3; do
	doc "$WORK/h.json" "{\"firmware\": \"1.5.0\", \"uptime_s\": $((300 + i))}"
	checkin "$WORK/m1" "$WORK/h.json"
done
api GET "$T/devices/$dev1/checkins?limit=50" "$ADMIN_TOKEN"
check "the check-in history keeps the last 3 (posture_history_max)" 200 \
    "len(d['checkins'])" 3

# ---- a stored explicit Deny on device:Checkin wins over the baseline
api PUT "$T/policies/no-checkin" "$ADMIN_TOKEN" '{"document": {"Version": "2026-11-01",
 "Statement": [{"Sid": "stop", "Effect": "Deny", "Action": "device:Checkin",
 "Resource": "device:${device.id}"}]}}'
check "PUT a policy denying device:Checkin" 201
api POST "$T/policies/no-checkin/attachments" "$ADMIN_TOKEN" \
    "{\"kind\": \"device\", \"target\": \"$dev1\"}"
check "attach it to meter-1" 201
deadline=$(($(date +%s) + 5))
while :; do
	checkin "$WORK/m1" "$WORK/good.json"
	[ "$STATUS" != 200 ] && break
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.1
done
if [ "$STATUS" = 403 ] && grep -q 'no-checkin' "$OUT"; then
	ok "a check-in denied by a stored policy is 403 naming it"
else
	notok "a check-in denied by a stored policy is 403 naming it" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi
api DELETE "$T/policies/no-checkin" "$ADMIN_TOKEN"
check "DELETE the policy" 204
deadline=$(($(date +%s) + 5))
while :; do
	checkin "$WORK/m1" "$WORK/good.json"
	[ "$STATUS" = 200 ] && break
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.1
done
check "without it meter-1 checks in again (200)" 200

# ---- quarantine: check-in still works, whoami does not
checkin "$WORK/m2" "$WORK/good.json"
check "meter-2 checks in while active" 200 "d['quarantined']" False
for s in active quarantined; do
	run "$VIGIL" device set-state --tenant acme --reason "posture test" \
	    meter-2 "$s"
done
expect_rc "vigil device set-state meter-2 quarantined" 0
checkin "$WORK/m2" "$WORK/good.json"
check "a quarantined device still checks in (200, \"quarantined\": true)" \
    200 "[d['device'], d['quarantined']]" "[\"$dev2\", true]"
code=$(gw_whoami "$WORK/m2.pem" "$WORK/m2.key")
if [ "$code" = 403 ] && grep -q 'is quarantined' "$WORK/whoami.out"; then
	ok "whoami of the quarantined device is 403 'device ... is quarantined'"
else
	notok "whoami of the quarantined device is 403 'device ... is quarantined'" \
	    "got HTTP $code: $(head -c 300 "$WORK/whoami.out")"
fi

# ---- retired: refused
run "$VIGIL" device set-state --tenant acme --reason "posture test" \
    meter-2 retired
expect_rc "vigil device set-state meter-2 retired" 0
checkin "$WORK/m2" "$WORK/good.json"
if [ "$STATUS" = 403 ] && grep -q 'is retired' "$OUT"; then
	ok "a retired device's check-in is 403 'device ... is retired'"
else
	notok "a retired device's check-in is 403 'device ... is retired'" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi
api GET "$T/audit?action=device.checkin&outcome=denied&limit=100" \
    "$ADMIN_TOKEN"
check "the refused check-in is audited (denied)" 200 \
    "any('is retired' in (e.get('detail') or '') for e in d['items'])" True

# ---- revoked certificate: refused (at the handshake or with 403)
serial3=$(cert_serial "$WORK/m3.pem")
checkin "$WORK/m3" "$WORK/good.json"
check "meter-3 checks in before its certificate is revoked" 200
run "$VIGIL" cert revoke --tenant acme "$serial3" --reason keyCompromise
expect_rc "vigil cert revoke meter-3's certificate" 0
deadline=$(($(date +%s) + 5))
while :; do
	checkin "$WORK/m3" "$WORK/good.json"
	[ "$STATUS" != 200 ] && break
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.1
done
if [ "$STATUS" = 000 ] || [ "$STATUS" = 403 ]; then
	ok "a check-in with the revoked certificate is refused (HTTP $STATUS)"
else
	notok "a check-in with the revoked certificate is refused" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi

vigild_finish
finish
