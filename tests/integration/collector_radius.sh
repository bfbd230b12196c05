#!/bin/bash
# collector_radius.sh — RADIUS accounting from a real client
# (radclient) to the collector: a Start with Framed-IP-Address,
# 3GPP-IMSI and 3GPP-IMEISV from the registry's device is answered with
# an Accounting-Response and opens a session of the device; a request
# signed with a wrong secret gets no answer (radclient times out) and
# is logged as refused; flows from the session's address (NetFlow v5
# packets built here) are attributed to the device, so the scan alert
# they raise names it; an IMEISV of another IMEI for the device's IMSI
# raises imei.change for the device; Stop closes the session. Also:
# radius_listen without radius_secret, and a secret file readable by
# others, are refused by `vigild -n`.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

if ! command -v radclient >/dev/null 2>&1; then
	echo "1..0 # SKIP radclient is not installed"
	exit 77
fi

NET=10.77.
IMSI=001010123456789
IMEI=490154203237518        # 14 digits + Luhn check digit
IMEISV=4901542032375101     # the same IMEI without check digit, SVN 01
OTHER_IMEISV=3520990012345601
SECRET="s3cret-$RANDOM-$RANDOM"
printf '%s\n' "$SECRET" >"$WORK/radius.secret"
chmod 600 "$WORK/radius.secret"
cat >"$WORK/detect.conf" <<EOF
local_nets = ${NET}0.0/16
EOF
# A syslog receiver for the alert output: the collector's sandbox must
# let it open and use a UDP socket. It writes each datagram as a line.
SYSLOG_PORT=$("$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
"$PY" - "$SYSLOG_PORT" "$WORK/syslog.txt" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.settimeout(120)
with open(sys.argv[2], 'ab', buffering=0) as f:
    while True:
        try:
            d = s.recv(65535)
        except OSError:
            break
        f.write(d.replace(b'\n', b' ') + b'\n')
PYEOF
SYSLOG_PID=$!
trap 'kill "$SYSLOG_PID" 2>/dev/null || true; vigild_stop; rm -rf "$WORK"' EXIT

vigild_setup "alert_syslog = 127.0.0.1:$SYSLOG_PORT
radius_listen = 127.0.0.1:0
radius_secret = $WORK/radius.secret
flow_listen = 127.0.0.1:0
detect_config = $WORK/detect.conf"
sed -i 's/^log_level = warn$/log_level = info/' "$DATA/vigild.conf"

# `vigild -n`: the secret is checked like a key.
chmod 644 "$WORK/radius.secret"
run "$VIGILD" -n -c "$DATA/vigild.conf"
if [ "$RC" != 0 ] && grep -q 'radius_secret' "$OUT" "$ERR"; then
	ok "vigild -n refuses a radius_secret readable by others"
else
	notok "vigild -n refuses a radius_secret readable by others" \
	    "got $(_show)"
fi
chmod 600 "$WORK/radius.secret"
sed 's/^radius_secret .*$//' "$DATA/vigild.conf" >"$WORK/nosecret.conf"
chmod 600 "$WORK/nosecret.conf"
run "$VIGILD" -n -c "$WORK/nosecret.conf"
if [ "$RC" != 0 ] && grep -q 'radius_secret' "$OUT" "$ERR"; then
	ok "vigild -n refuses radius_listen without radius_secret"
else
	notok "vigild -n refuses radius_listen without radius_secret" \
	    "got $(_show)"
fi

printf 'scan.hosts = many\n' >"$WORK/bad-detect.conf"
sed "s|^detect_config = .*|detect_config = $WORK/bad-detect.conf|" \
    "$DATA/vigild.conf" >"$WORK/bad.conf"
chmod 600 "$WORK/bad.conf"
run "$VIGILD" -n -c "$WORK/bad.conf"
if [ "$RC" != 0 ] && grep -q 'detect_config.*scan.hosts' "$OUT" "$ERR"; then
	ok "vigild -n refuses a detect_config with a bad value, naming the key"
else
	notok "vigild -n refuses a detect_config with a bad value, naming the key" \
	    "got $(_show)"
fi

vigild_start
RADIUS_PORT=$(sed -n 's/^radius=//p' "$WORK/port")
FLOW_PORT=$(sed -n 's/^flow=//p' "$WORK/port")
if [ -n "$RADIUS_PORT" ] && [ -n "$FLOW_PORT" ]; then
	ok "VIGILD_PORT_FILE names the RADIUS ($RADIUS_PORT) and flow ($FLOW_PORT) ports"
else
	notok "VIGILD_PORT_FILE names the RADIUS and flow ports" \
	    "port file: $(tr '\n' ' ' <"$WORK/port")"
	finish
	exit 1
fi
collector_ready

api POST /v1/tenants "$ADMIN_TOKEN" '{"name": "acme"}'
check "tenant acme is created" 201
api POST /v1/tenants/acme/devices "$ADMIN_TOKEN" \
    "{\"name\": \"tracker-1\", \"imei\": \"$IMEI\", \"imsi\": \"$IMSI\"}"
check "device tracker-1 with its IMEI and IMSI is registered" 201
DEV=$(jbody "d['id']")

# acct SECRET ATTRS: radclient (one try, 1 s), output in $OUT.
acct() {
	run sh -c "printf '%s\n' \"\$2\" | radclient -x -t 1 -r 1 \
	    127.0.0.1:$RADIUS_PORT acct \"\$1\"" sh "$1" "$2"
}

# open_sessions: the number of open sessions of acme.
open_sessions() {
	api GET /v1/tenants/acme/sessions "$ADMIN_TOKEN"
	jbody "len(d.get('sessions', []))"
}

acct "$SECRET" "Acct-Status-Type = Start, Acct-Session-Id = \"sess-1\",
Framed-IP-Address = ${NET}0.9, 3GPP-IMSI = \"$IMSI\",
3GPP-IMEISV = \"$IMEISV\", User-Name = \"tracker-1\""
expect_out_has "Accounting-Request Start with the right secret is answered" \
    0 "Accounting-Response"

# Sessions are written in the collector's batches: poll.
_i=0
while [ "$(open_sessions 2>/dev/null)" != 1 ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
api GET /v1/tenants/acme/sessions "$ADMIN_TOKEN"
check "the session is open, bound to the device and its address" 200 \
    "[['$DEV' in json.dumps(s), s.get('ip')] for s in d.get('sessions', [])]" \
    "[[true, \"${NET}0.9\"]]"

acct "wrong-$SECRET" "Acct-Status-Type = Start, Acct-Session-Id = \"sess-x\",
Framed-IP-Address = ${NET}0.10, 3GPP-IMSI = \"$IMSI\",
3GPP-IMEISV = \"$IMEISV\""
if [ "$RC" != 0 ] && grep -q "No reply" "$OUT" "$ERR"; then
	ok "a request signed with a wrong secret gets no answer"
else
	notok "a request signed with a wrong secret gets no answer" \
	    "got $(_show)"
fi
_i=0
until grep -q 'radius.refused' "$WORK/vigild.log" || [ $_i -gt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
if grep -q 'radius.refused' "$WORK/vigild.log" &&
    ! grep -qF -- "$SECRET" "$WORK/vigild.log"; then
	ok "the refusal is logged (radius.refused), the secret never"
else
	notok "the refusal is logged (radius.refused), the secret never" \
	    "$(grep -i radius "$WORK/vigild.log" | tail -n 3 | tr '\n' '|')"
fi

# Audited once (the next refusals within a minute are only counted).
acct "wrong-$SECRET" "Acct-Status-Type = Start, Acct-Session-Id = \"sess-y\",
Framed-IP-Address = ${NET}0.10, 3GPP-IMSI = \"$IMSI\""
api GET "/v1/audit?action=radius.refused&limit=100" "$ADMIN_TOKEN"
check "a refusal is audited (radius.refused, denied) once a minute per sender" 200 \
    "[(e.get('object'), e.get('outcome')) for e in d.get('items', d.get('entries', []))]" \
    '[["nas/127.0.0.1", "denied"]]'

# Flows from the session's address: a NetFlow v5 packet with 30 flows,
# a telnet scan of 30 hosts, timestamped now.
"$PY" - "$FLOW_PORT" "${NET}0.9" "$NET" <<'PYEOF'
import socket, struct, sys, time
port, src, net = int(sys.argv[1]), sys.argv[2], sys.argv[3]
now = time.time()
def ip4(a):
    return bytes(int(x) for x in a.split('.'))
uptime = 100000
recs = b''
for i in range(30):
    recs += struct.pack('!4s4s4sHHIIIIHHBBBBHHBBH', ip4(src),
                        ip4(net + '1.%d' % (i + 1)), b'\0' * 4, 0, 0, 1, 44,
                        uptime - 2000 + i * 10, uptime - 2000 + i * 10,
                        50000 + i, 23, 0, 0x02, 6, 0, 0, 0, 0, 0, 0)
hdr = struct.pack('!HHIIIIBBH', 5, 30, uptime, int(now),
                  int((now % 1) * 1e9), 1, 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(hdr + recs, ('127.0.0.1', port))
PYEOF
api_poll "/v1/alerts?kind=scan.horizontal" "$ADMIN_TOKEN" \
    "[(a.get('device') or {}).get('id') for a in d.get('alerts', []) if a.get('address') == '${NET}0.9']" ||
	true
_got=$POLLED
if [ "$_got" = "[\"$DEV\"]" ]; then
	ok "a scan from the session's address is an alert naming the device"
else
	notok "a scan from the session's address is an alert naming the device" \
	    "expected [\"$DEV\"], got '$_got'" "$(head -c 400 "$OUT")"
fi

_i=0
until grep -q 'scan.horizontal' "$WORK/syslog.txt" 2>/dev/null ||
    [ $_i -gt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
if grep -q 'scan.horizontal' "$WORK/syslog.txt" 2>/dev/null; then
	ok "the alert reaches the syslog output over UDP (from the sandbox)"
else
	notok "the alert reaches the syslog output over UDP (from the sandbox)" \
	    "received: $(head -c 300 "$WORK/syslog.txt" 2>/dev/null)"
fi

# SIGHUP: the collector takes the new configuration.
kill -HUP "$VIGILD_PID"
_i=0
until grep -q 'collector config.reload' "$WORK/vigild.log" ||
    [ $_i -gt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
if grep 'collector config.reload' "$WORK/vigild.log" | grep -q reloaded
then
	ok "SIGHUP reloads the collector's detection, outputs and responses"
else
	notok "SIGHUP reloads the collector's detection, outputs and responses" \
	    "$(grep -i reload "$WORK/vigild.log" | tail -n 3 | tr '\n' '|')"
fi

# A collector that dies is restarted and answers again.
CPID=$(sed -n 's/.*collector started (pid \([0-9]*\)).*/\1/p' \
    "$WORK/vigild.log" | tail -n 1)
kill -KILL "$CPID"
_i=0
while [ "$(grep -c 'proc.ready.*collector' "$WORK/vigild.log")" -lt 2 ] &&
    [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
acct "$SECRET" "Acct-Status-Type = Interim-Update, Acct-Session-Id = \"sess-1\",
Framed-IP-Address = ${NET}0.9, 3GPP-IMSI = \"$IMSI\",
3GPP-IMEISV = \"$IMEISV\""
expect_out_has "a killed collector is restarted and answers again" 0 \
    "Accounting-Response"

# The SIM shows up in another handset: imei.change for the device.
acct "$SECRET" "Acct-Status-Type = Start, Acct-Session-Id = \"sess-2\",
Framed-IP-Address = ${NET}0.11, 3GPP-IMSI = \"$IMSI\",
3GPP-IMEISV = \"$OTHER_IMEISV\""
expect_out_has "a Start with another IMEISV is answered too" 0 \
    "Accounting-Response"
_i=0
_got=
while [ $_i -lt 150 ]; do
	api GET "/v1/alerts?kind=imei.change" "$ADMIN_TOKEN"
	_got=$(jbody "[(a.get('device') or {}).get('id') for a in d.get('alerts', [])]" 2>/dev/null || true)
	[ "$_got" != "[]" ] && [ -n "$_got" ] && break
	sleep 0.1
	_i=$((_i + 1))
done
if [ "$_got" = "[\"$DEV\"]" ]; then
	ok "an IMEISV of another IMEI raises imei.change for the device"
else
	notok "an IMEISV of another IMEI raises imei.change for the device" \
	    "expected [\"$DEV\"], got '$_got'" "$(head -c 400 "$OUT")"
fi

for s in sess-1 sess-2; do
	acct "$SECRET" "Acct-Status-Type = Stop, Acct-Session-Id = \"$s\",
3GPP-IMSI = \"$IMSI\", Acct-Session-Time = 60"
	expect_out_has "Stop of $s is answered" 0 "Accounting-Response"
done
_i=0
while [ "$(open_sessions 2>/dev/null)" != 0 ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
api GET /v1/tenants/acme/sessions "$ADMIN_TOKEN"
check "Stop closes the sessions" 200 "len(d.get('sessions', []))" 0

# Counters are logged at most every 10 s while they change.
_i=0
# Any stats line: the collector killed above restarts with its counters
# at zero, so the last line may be the new one's.
until grep 'collector.stats' "$WORK/vigild.log" |
    grep -qE 'radius ok [1-9][0-9]* refused [1-9]' || [ $_i -gt 120 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
_line=$(grep 'collector.stats' "$WORK/vigild.log" |
    grep -E 'radius ok [1-9][0-9]* refused [1-9]' | tail -n 1)
if echo "$_line" | grep -qE 'radius ok [1-9][0-9]* refused [1-9]'; then
	ok "the collector counts verified and refused requests"
else
	notok "the collector counts verified and refused requests" \
	    "last collector.stats line: $_line"
fi

vigild_finish
finish
