#!/bin/bash
# The collector end to end with a real exporter and a real scan: two
# devices (cam-1, cam-2) are bound to 10.77.0.2 and 10.77.0.3 inside a
# network namespace made here; softflowd captures the host side of the
# veth pair and exports IPFIX to vigild's flow_listen; nmap in the
# namespace scans telnet on 32 addresses from each device in turn.
# Checks: the scan.horizontal alert appears for cam-1 and the
# response "scan.horizontal=quarantine" quarantines it (device state
# through the API, the response on the alert, response.quarantine in
# the audit log); with response_max_per_min = 1 the second device's
# quarantine is held by the storm guard (cam-2 stays active, the alert
# says "held", response.held audited); every output got the alert: a
# webhook receiver (python3 http.server on loopback), a syslog receiver
# (UDP, one RFC 5424 line with the vigil@32473 structured data) and
# vigild's stdout (JSON lines). After a reload that raises the limit and
# adds "scan.vertical=revoke", a third device (cam-3, with a certificate
# issued through the API) scans 40 ports of one host: its certificate is
# revoked with reason keyCompromise and response.revoke is audited. A
# reload with a bad response entry is refused, naming it.
# Needs root (network namespaces), softflowd and nmap; skipped (77)
# without them.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

for t in ip softflowd nmap; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP $t is not installed"
		exit 77
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root for a network namespace"
	exit 77
fi

NS="vigil-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
VH="vr${NS#vigil-}"         # host side of the veth pair (≤ 15 chars)
VN="vn${NS#vigil-}"
VH=${VH:0:15}
VN=${VN:0:15}
SF_PID=
HOOK_PID=
SYSLOG_PID=
cleanup() {
	for p in $SF_PID $HOOK_PID $SYSLOG_PID; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	ip link del "$VH" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	vigild_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
# abort: the rest depends on what just failed.
abort() {
	finish || true
	exit 1
}

# ---- receivers: webhook (HTTP POST bodies, one per line) and syslog ---
cat >"$WORK/hook.py" <<'EOF'
import http.server, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(out, "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b"\t"
                    + body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
cat >"$WORK/syslog.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[2], "w").write(str(s.getsockname()[1]))
while True:
    d, _ = s.recvfrom(65535)
    with open(sys.argv[1], "ab") as f:
        f.write(d.replace(b"\n", b" ") + b"\n")
EOF
"$PY" "$WORK/hook.py" "$WORK/hook.out" "$WORK/hook.port" &
HOOK_PID=$!
"$PY" "$WORK/syslog.py" "$WORK/syslog.out" "$WORK/syslog.port" &
SYSLOG_PID=$!
# wait_file FILE SECONDS: until FILE is not empty.
wait_file() {
	_i=0
	while [ ! -s "$1" ]; do
		if [ $_i -ge $(($2 * 10)) ]; then
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}
for _f in hook syslog; do
	if ! wait_file "$WORK/$_f.port" 10; then
		echo "# the $_f receiver did not start"
		exit 1
	fi
done
HOOK_PORT=$(cat "$WORK/hook.port")
SYSLOG_PORT=$(cat "$WORK/syslog.port")

# ---- vigild with the collector ----------------------------------------
# Thresholds for a test: 10 hosts on one port within a minute is a scan;
# only the devices' corner of the namespace's network is monitored (the
# scanned range and the filler traffic below are "outside").
cat >"$WORK/detect.conf" <<'EOF'
# collector_response.sh
local_nets = 10.77.0.0/29
scan.hosts = 10
scan.ports = 20
scan.window_s = 60
EOF
vigild_setup "flow_listen = 127.0.0.1:0
detect_config = $WORK/detect.conf
response = scan.horizontal=quarantine
response_max_per_min = 1
alert_webhook = http://127.0.0.1:$HOOK_PORT/hook
alert_syslog = 127.0.0.1:$SYSLOG_PORT
alert_stdout = on"
unset VIGIL_DATA
chmod 644 "$WORK/detect.conf"
L() { "$VIGIL" --data "$DATA" "$@"; }
"$MKADMIN" "$DATA/vigil.db" tenant alpha >/dev/null
L --tenant alpha device add --name cam-1 --model ipcam-3 --state active \
    >/dev/null
L --tenant alpha device add --name cam-2 --model ipcam-3 --state active \
    >/dev/null
L --tenant alpha device add --name cam-3 --model ipcam-3 --state active \
    >/dev/null
run L ca init --tenant alpha --label acme
if [ "$RC" != 0 ]; then
	echo "# vigil ca init: $(_show)"
	exit 1
fi
vigild_start
FLOW_PORT=$(sed -n 's/^flow=//p' "$WORK/port")
echo "# vigild on $BASE, flows on udp/$FLOW_PORT"
if [ -z "$FLOW_PORT" ]; then
	notok "vigild reports its flow port (flow= in VIGILD_PORT_FILE)" \
	    "$(tr '\n' '|' <"$WORK/port")"
	abort
fi
A=/v1/tenants/alpha

api PUT "$A/net-bindings" "$ADMIN_TOKEN" \
    '{"cidr": "10.77.0.2/32", "device": "cam-1"}'
check "10.77.0.2 is bound to cam-1" 200
api PUT "$A/net-bindings" "$ADMIN_TOKEN" \
    '{"cidr": "10.77.0.3/32", "device": "cam-2"}'
check "10.77.0.3 is bound to cam-2" 200

# ---- the network: a namespace with both devices' addresses ------------
ip netns add "$NS"
ip link add "$VH" type veth peer name "$VN"
ip link set "$VN" netns "$NS"
ip addr add 10.77.0.1/24 dev "$VH"
ip link set "$VH" up
# What the scan sends to the host must go nowhere further.
sysctl -qw "net.ipv4.conf.$VH.forwarding=0"
ip -n "$NS" addr add 10.77.0.2/24 dev "$VN"
ip -n "$NS" addr add 10.77.0.3/24 dev "$VN"
ip -n "$NS" addr add 10.77.0.4/24 dev "$VN"
ip -n "$NS" addr add 10.77.0.9/24 dev "$VN"
ip -n "$NS" link set lo up
ip -n "$NS" link set "$VN" up
ip -n "$NS" route add 10.77.1.0/24 via 10.77.0.1
ip -n "$NS" route add 10.77.2.0/24 via 10.77.0.1
ok "namespace $NS with 10.77.0.2-4 behind $VH"

# softflowd: IPFIX, every flow expired within about a second. It reads
# the capture without libpcap's immediate mode, so on a quiet interface
# packets wait in the kernel's ring until a block fills
# (irino/softflowd#71): nudge sends filler datagrams, from and to
# addresses outside local_nets, until what we wait for has arrived.
softflowd -d -i "$VH" -n "127.0.0.1:$FLOW_PORT" -v 10 -C 128 \
    -p "$WORK/softflowd.pid" -c "$WORK/softflowd.ctl" \
    -t maxlife=1 -t expint=1 -t tcp=1 -t tcp.rst=1 -t tcp.fin=1 \
    -t general=1 -t icmp=1 -t udp=1 >"$WORK/softflowd.log" 2>&1 &
SF_PID=$!
sleep 1
if kill -0 "$SF_PID" 2>/dev/null; then
	ok "softflowd captures on $VH and exports IPFIX to udp/$FLOW_PORT"
else
	notok "softflowd captures on $VH and exports IPFIX to udp/$FLOW_PORT" \
	    "$(tr '\n' '|' <"$WORK/softflowd.log")"
	abort
fi

nudge() {
	ip netns exec "$NS" "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.9", 0))
for _ in range(3000):
    s.sendto(b"x", ("10.77.2.1", 9))' 2>/dev/null || true
}

# scan FROM [PORTS TARGETS]: one SYN each (telnet on 32 addresses by
# default), no host discovery.
scan() {
	ip netns exec "$NS" nmap -n -Pn -sS -p "${2:-23}" --max-retries 0 \
	    -T5 -e "$VN" -S "$1" "${3:-10.77.1.0/27}" >"$WORK/nmap.$1.log" \
	    2>&1 || true
}

# wait_alert DEVICE SECONDS [KIND]: polls the alert list until an alert
# of KIND (scan.horizontal) of DEVICE (name) is there; its id in
# ALERT_ID.
wait_alert() {
	_deadline=$(($(date +%s) + $2))
	ALERT_ID=
	while [ "$(date +%s)" -lt "$_deadline" ]; do
		api GET "$A/alerts?kind=${3:-scan.horizontal}" "$ADMIN_TOKEN"
		if [ "$STATUS" = 200 ]; then
			ALERT_ID=$(jbody "next((a['id'] for a in d['alerts'] \
if a.get('device') and a['device'].get('name') == '$1'), '')")
			if [ -n "$ALERT_ID" ]; then
				return 0
			fi
		fi
		nudge
		sleep 0.5
	done
	return 1
}

# wait_response ID ACTION SECONDS: until the alert shows that response.
wait_response() {
	_deadline=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt "$_deadline" ]; do
		api GET "$A/alerts/$1" "$ADMIN_TOKEN"
		if [ "$STATUS" = 200 ] && [ "$(jbody "any(r['action'] == \
'$2' for r in d.get('responses', []))")" = True ]; then
			return 0
		fi
		sleep 0.3
	done
	return 1
}

# ---- cam-1 scans: alert, quarantine ------------------------------------
scan 10.77.0.2
if wait_alert cam-1 30; then
	ok "cam-1's scan raises a scan.horizontal alert (id $ALERT_ID)"
else
	notok "cam-1's scan raises a scan.horizontal alert" \
	    "alerts: $(head -c 600 "$OUT" | tr '\n' '|')" \
	    "nmap: $(tail -n 3 "$WORK/nmap.10.77.0.2.log" | tr '\n' '|')" \
	    "vigild: $(tail -n 10 "$WORK/vigild.log" | tr '\n' '|')"
	abort
fi
A1=$ALERT_ID
api GET "$A/alerts/$A1" "$ADMIN_TOKEN"
check "the alert names the address, a count of 10 or more and T1046" 200 \
    "[d['address'], d['count'] >= 10, 'T1046' in d['techniques']]" \
    '["10.77.0.2", true, true]'

if wait_response "$A1" quarantine 10; then
	ok "the alert records the automatic quarantine"
else
	notok "the alert records the automatic quarantine" \
	    "$(head -c 600 "$OUT" | tr '\n' '|')"
fi
check "... with outcome ok and the reason" 200 \
    "[[r['outcome'], r['detail']] for r in d['responses'] \
if r['action'] == 'quarantine'][0]" \
    "[\"ok\", \"automatic response to alert $A1 (scan.horizontal)\"]"
api GET "$A/devices/cam-1" "$ADMIN_TOKEN"
check "cam-1 is quarantined (device state through the API)" 200 \
    "d['state']" quarantined
api GET "/v1/audit?action=response.quarantine" "$ADMIN_TOKEN"
check "response.quarantine is audited: collector, device/<id>, the alert" \
    200 "[(e['principal'], e['object'].startswith('device/'), \
e['detail'].startswith('alert $A1 scan.horizontal: ')) for e in d['items']]" \
    '[["collector", true, true]]'

# ---- cam-2 scans within the minute: the storm guard holds -------------
scan 10.77.0.3
if wait_alert cam-2 30; then
	ok "cam-2's scan raises its own scan.horizontal alert (id $ALERT_ID)"
else
	notok "cam-2's scan raises its own scan.horizontal alert" \
	    "alerts: $(head -c 600 "$OUT" | tr '\n' '|')"
	abort
fi
A2=$ALERT_ID
if wait_response "$A2" held 10; then
	ok "beyond response_max_per_min = 1 the second quarantine is held"
else
	notok "beyond response_max_per_min = 1 the second quarantine is held" \
	    "$(head -c 600 "$OUT" | tr '\n' '|')"
fi
api GET "$A/devices/cam-2" "$ADMIN_TOKEN"
check "cam-2 stays active" 200 "d['state']" active
api GET "/v1/audit?action=response.held" "$ADMIN_TOKEN"
check "response.held is audited with the storm guard's reason" 200 \
    "[('alert $A2 scan.horizontal' in e['detail'], \
'storm guard' in e['detail']) for e in d['items']]" \
    '[[true, true]]'

# ---- outputs --------------------------------------------------------------
wait_file "$WORK/hook.out" 15 || true
if [ -s "$WORK/hook.out" ] && "$PY" - "$WORK/hook.out" "$A1" <<'EOF'
import json, sys
ok = False
for line in open(sys.argv[1]):
    ctype, body = line.rstrip("\n").split("\t", 1)
    a = json.loads(body)
    if (ctype == "application/json" and str(a["id"]) == sys.argv[2]
            and a["kind"] == "scan.horizontal" and a["new"] is True):
        ok = True
sys.exit(0 if ok else 1)
EOF
then
	ok "the webhook receiver got the new alert as a JSON POST"
else
	notok "the webhook receiver got the new alert as a JSON POST" \
	    "$(head -c 600 "$WORK/hook.out" 2>/dev/null | tr '\n' '|')"
fi

wait_file "$WORK/syslog.out" 5 || true
# <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="value" ...]
RE='^<13[0-9]>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [^ ]+ vigild - ALERT '
RE="$RE\\[vigil@32473 id=\"$A1\" kind=\"scan.horizontal\" "
RE="$RE"'severity="[a-z]+" device="[0-9a-f-]+" name="cam-1" '
RE="$RE"'address="10.77.0.2"'
if grep -qE "$RE" "$WORK/syslog.out"; then
	ok "the syslog receiver got an RFC 5424 line (local0, vigil@32473)"
else
	notok "the syslog receiver got an RFC 5424 line (local0, vigil@32473)" \
	    "$(head -c 600 "$WORK/syslog.out" 2>/dev/null | tr '\n' '|')"
fi

if "$PY" - "$WORK/vigild.log" "$A1" <<'EOF'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    if not line.startswith("{"):
        continue
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if str(a.get("id")) == sys.argv[2] and a.get("kind") == "scan.horizontal":
        sys.exit(0)
sys.exit(1)
EOF
then
	ok "vigild's stdout has the alert as one JSON line"
else
	notok "vigild's stdout has the alert as one JSON line" \
	    "$(grep '^{' "$WORK/vigild.log" | head -c 400 | tr '\n' '|')"
fi

# ---- reload: a higher limit and scan.vertical=revoke ----------------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/cam3.key" -subj /CN=cam-3 -out "$WORK/cam3.csr" \
    2>/dev/null
api POST "$A/devices/cam-3/certs" "$ADMIN_TOKEN" \
    "$("$PY" -c 'import json, sys
print(json.dumps({"csr": open(sys.argv[1]).read()}))' "$WORK/cam3.csr")"
check "cam-3 gets a certificate through the API" 201
SERIAL=$(jbody "d['serial']")
api PUT "$A/net-bindings" "$ADMIN_TOKEN" \
    '{"cidr": "10.77.0.4/32", "device": "cam-3"}'
check "10.77.0.4 is bound to cam-3" 200
RESP=scan.horizontal=quarantine,scan.vertical=revoke
sed -i -e "s/^response = .*/response = $RESP/" \
    -e 's/^response_max_per_min = .*/response_max_per_min = 10/' \
    -e 's/^log_level = .*/log_level = info/' "$DATA/vigild.conf"
kill -HUP "$VIGILD_PID"
_deadline=$(($(date +%s) + 15))
while ! grep -q "detection, outputs and responses reloaded" \
    "$WORK/vigild.log" && [ "$(date +%s)" -lt "$_deadline" ]; do
	sleep 0.2
done
if grep -q "detection, outputs and responses reloaded" "$WORK/vigild.log"
then
	ok "the collector reloads its responses on SIGHUP"
else
	notok "the collector reloads its responses on SIGHUP" \
	    "$(grep -E 'reload' "$WORK/vigild.log" | tail -n 5 | tr '\n' '|')"
fi

scan 10.77.0.4 1-40 10.77.1.50
if wait_alert cam-3 30 scan.vertical; then
	ok "cam-3's scan of 40 ports raises scan.vertical (id $ALERT_ID)"
else
	notok "cam-3's scan of 40 ports raises scan.vertical" \
	    "alerts: $(head -c 600 "$OUT" | tr '\n' '|')"
	abort
fi
A3=$ALERT_ID
if wait_response "$A3" revoke 10; then
	ok "the alert records the automatic revocation"
else
	notok "the alert records the automatic revocation" \
	    "$(head -c 600 "$OUT" | tr '\n' '|')"
fi
check "... of one certificate, keyCompromise" 200 \
    "[[r['outcome'], r['detail']] for r in d['responses'] \
if r['action'] == 'revoke'][0]" \
    '["ok", "1 certificate revoked (keyCompromise)"]'
api GET "$A/certs/$SERIAL" "$ADMIN_TOKEN"
check "cam-3's certificate is revoked with reason keyCompromise" 200 \
    "[d['status'], d['reason']]" '["revoked", "keyCompromise"]'
api GET "/v1/audit?action=response.revoke" "$ADMIN_TOKEN"
check "response.revoke is audited with the alert" 200 \
    "[(e['principal'], e['detail'].startswith('alert $A3 scan.vertical: ')) \
for e in d['items']]" '[["collector", true]]'

# ---- reload: a bad response spec keeps the old settings -----------------
sed -i 's/^response = .*/response = scan.horizontal=explode/' \
    "$DATA/vigild.conf"
kill -HUP "$VIGILD_PID"
_deadline=$(($(date +%s) + 15))
while ! grep -q "unknown action 'explode'" "$WORK/vigild.log" &&
    [ "$(date +%s)" -lt "$_deadline" ]; do
	sleep 0.2
done
if grep "config.reload" "$WORK/vigild.log" |
    grep -q "keep their old settings: response entry 1 \
(scan.horizontal): unknown action 'explode'"; then
	ok "a reload with a bad response entry is refused, naming it"
else
	notok "a reload with a bad response entry is refused, naming it" \
	    "$(grep -E 'reload|explode' "$WORK/vigild.log" | tail -n 5 |
	    tr '\n' '|')"
fi

vigild_finish
finish
