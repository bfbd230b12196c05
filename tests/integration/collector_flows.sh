#!/bin/bash
# collector_flows.sh — the collector takes flows from a real exporter:
# softflowd reads a generated pcap (a horizontal telnet scan from one
# local host to 30 others, plus a normal https exchange) and exports it
# as IPFIX, NetFlow v9 and NetFlow v5 over UDP, and IPFIX over TCP, to
# a vigild with flow_listen / flow_tcp_listen on free loopback ports
# and a detection config whose local_nets is the test's range. Each
# export raises a scan.horizontal alert for its scanner (seen through
# GET /v1/alerts as the platform admin), attributed to the tenant whose
# subnet binding covers it, with the scanner as a shadow finding of
# that tenant; exporting the same pcap again does not open a second
# alert; 1000 random datagrams do not crash the collector and a valid
# export still works after them; the collector logs its counters.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

if ! command -v softflowd >/dev/null 2>&1; then
	echo "1..0 # SKIP softflowd is not installed"
	exit 77
fi

# The monitored range: a test-only private /16 (RFC 1918 space that
# nothing else on a test host uses).
NET=10.9.
cat >"$WORK/detect.conf" <<EOF
# collector_flows.sh: our range is local, everything else remote
local_nets = ${NET}0.0/16
EOF
# zeek_conn_log FILE SCANNER [HEADER-ONLY]: a Zeek conn.log (TSV) with
# SCANNER's telnet scan of 30 hosts, timestamped now, appended to FILE
# (the header first when FILE does not exist yet).
zeek_conn_log() {
	"$PY" - "$@" "$NET" <<'PYEOF'
import os, sys, time
path, scanner, net = sys.argv[1], sys.argv[2], sys.argv[-1]
header_only = len(sys.argv) > 4
out = []
if not os.path.exists(path):
    out += ['#separator \\x09', '#set_separator\t,',
            '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
            '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\t'
            'id.resp_p\tproto\tservice\tduration\torig_bytes\t'
            'resp_bytes\tconn_state\tlocal_orig\tlocal_resp\t'
            'missed_bytes\thistory\torig_pkts\torig_ip_bytes\t'
            'resp_pkts\tresp_ip_bytes\ttunnel_parents',
            '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\t'
            'string\tinterval\tcount\tcount\tstring\tbool\tbool\t'
            'count\tstring\tcount\tcount\tcount\tcount\tset[string]']
if not header_only:
    t = time.time()
    for i in range(30):
        out.append('\t'.join([
            '%.6f' % (t + i * 0.05), 'C%d' % i, scanner, str(51000 + i),
            net + '2.%d' % (i + 1), '23', 'tcp', '-', '-', '-', '-', 'S0',
            '-', '-', '0', 'S', '1', '44', '0', '0', '-']))
with open(path, 'a') as f:
    f.write('\n'.join(out) + '\n')
PYEOF
	chmod 644 "$1"
}
zeek_conn_log "$WORK/conn.log" "${NET}0.55" header-only

# An https webhook receiver with a certificate from a private CA that
# only alert_webhook_ca names: the collector must verify it (and the
# host name, 127.0.0.1) to deliver.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/hook.key" -out "$WORK/hook.crt" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
chmod 644 "$WORK/hook.crt"
cat >"$WORK/hook.py" <<'PYEOF'
import http.server, ssl, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(out, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
"$PY" "$WORK/hook.py" "$WORK/hook.out" "$WORK/hook.port" "$WORK/hook.crt" \
    "$WORK/hook.key" &
HOOK_PID=$!
trap 'kill "$HOOK_PID" 2>/dev/null || true; vigild_stop; rm -rf "$WORK"' EXIT
_i=0
while [ ! -s "$WORK/hook.port" ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
HOOK_PORT=$(cat "$WORK/hook.port" 2>/dev/null || echo 9)

vigild_setup "flow_listen = 127.0.0.1:0
flow_tcp_listen = 127.0.0.1:0
zeek_log = $WORK/conn.log
detect_config = $WORK/detect.conf
alert_webhook = https://127.0.0.1:$HOOK_PORT/alerts
alert_webhook_ca = $WORK/hook.crt"
# The collector's counters are logged at info level.
sed -i 's/^log_level = warn$/log_level = info/' "$DATA/vigild.conf"
vigild_start
FLOW_PORT=$(sed -n 's/^flow=//p' "$WORK/port")
FLOWTCP_PORT=$(sed -n 's/^flowtcp=//p' "$WORK/port")
if [ -n "$FLOW_PORT" ] && [ -n "$FLOWTCP_PORT" ]; then
	ok "VIGILD_PORT_FILE names the flow ($FLOW_PORT) and IPFIX/TCP ($FLOWTCP_PORT) ports"
else
	notok "VIGILD_PORT_FILE names the flow and IPFIX/TCP ports" \
	    "port file: $(tr '\n' ' ' <"$WORK/port")"
	finish
	exit 1
fi

# The collector reports ready (after the workers) before anything is
# sent: its sockets were open since the parent started, but a datagram
# that arrives before its loop runs would still be read; waiting keeps
# the failure messages about the right thing.
collector_ready
ok "the collector starts and says what it collects"

# A tenant whose network is the test range (a tenant-only binding):
# hosts there that are not registered devices are its shadow IoT.
api POST /v1/tenants "$ADMIN_TOKEN" '{"name": "acme"}'
check "tenant acme is created" 201
ACME=$(jbody "d.get('id', '')")
# bind NAME JSON: PUT a net binding of acme, checked.
bind() {
	api PUT /v1/tenants/acme/net-bindings "$ADMIN_TOKEN" "$2"
	case "$STATUS" in
	200 | 201 | 204) ok "$1" ;;
	*) notok "$1" "HTTP $STATUS:" "$(head -c 300 "$OUT")" ;;
	esac
}
bind "the test range is bound to tenant acme" "{\"cidr\": \"${NET}0.0/16\"}"

# export PCAP VERSION [PROTO]: softflowd reads PCAP and exports it.
export_pcap() {
	_port=$FLOW_PORT
	[ "${3:-udp}" = tcp ] && _port=$FLOWTCP_PORT
	timeout 30 softflowd -r "$1" -n "127.0.0.1:$_port" -v "$2" \
	    -P "${3:-udp}" -p "$WORK/softflowd.pid" \
	    >"$WORK/softflowd.out" 2>&1 || {
		echo "# softflowd failed: $(tail -n 5 "$WORK/softflowd.out" |
		    tr '\n' '|')"
	}
}

# mkpcap FILE SCANNER [PORT]: the scan (SCANNER to 30 hosts on tcp/PORT,
# default 23, SYNs never answered) and a normal https exchange,
# timestamped now.
mkpcap() {
	"$PY" - "$1" "$2" "$NET" 30 "$(date +%s)" "${3:-23}" \
	    "$SRCDIR/tests/integration" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[7])
from pcap_tcp import SYN, connection, tcp_pkt, write_pcap
path, scanner, net, nhosts, t = (sys.argv[1], sys.argv[2], sys.argv[3],
                                 int(sys.argv[4]), float(sys.argv[5]))
port = int(sys.argv[6])
pk = connection(t, net + '0.7', net + '0.1', 40000, 443)
t += 0.08
for i in range(nhosts):
    pk.append((t, tcp_pkt(scanner, net + '1.%d' % (i + 1), 50000 + i, port,
                          SYN)))
    t += 0.05
write_pcap(path, pk)
PYEOF
}

# scan_alerts ADDRESS: prints the number of scan.horizontal alerts
# (open or acknowledged) for ADDRESS, then their tenant(s) and count.
scan_alerts() {
	api GET "/v1/alerts?kind=scan.horizontal&limit=100" "$ADMIN_TOKEN"
	jbody "(lambda a: '%d %s %s' % (len(a),
	    ','.join(sorted(set(x.get('tenant') or '-' for x in a))),
	    ','.join(str(x.get('count')) for x in a)))(
	    [x for x in (d or {}).get('alerts', [])
	     if x.get('address') == '$1' and x.get('state') != 'closed'])"
}

# wait_alert NAME ADDRESS: polls (15 s) until ADDRESS has an alert.
wait_alert() {
	_i=0
	while :; do
		_got=$(scan_alerts "$2" 2>/dev/null || echo "0")
		case "$_got" in
		0*) ;;
		*) break ;;
		esac
		if [ $_i -gt 150 ]; then
			notok "$1" "no scan.horizontal alert for $2 within 15 s" \
			    "last reply: HTTP $STATUS $(head -c 300 "$OUT")" \
			    "$(grep collector "$WORK/vigild.log" | tail -n 5 |
			    tr '\n' '|')"
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	# Alerts name their tenant by id.
	if [ "${_got%% *}" = 1 ] &&
	    [ "$(echo "$_got" | cut -d' ' -f2)" = "$ACME" ]; then
		ok "$1"
	else
		notok "$1" "expected one alert of tenant acme" "got $_got"
	fi
}

# IPFIX over UDP.
mkpcap "$WORK/ipfix.pcap" "${NET}0.5"
export_pcap "$WORK/ipfix.pcap" 10
wait_alert "IPFIX (softflowd -v 10): scan.horizontal for ${NET}0.5, tenant acme" \
    "${NET}0.5" || true

# The alert reached the https webhook: TLS verified against
# alert_webhook_ca, host name 127.0.0.1 checked.
_i=0
until grep -q '"kind":"scan.horizontal"' "$WORK/hook.out" 2>/dev/null ||
    [ $_i -gt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
if grep -q '"kind":"scan.horizontal"' "$WORK/hook.out" 2>/dev/null; then
	ok "the alert reaches an https webhook whose certificate chains to alert_webhook_ca"
else
	notok "the alert reaches an https webhook whose certificate chains to alert_webhook_ca" \
	    "$(grep -i webhook "$WORK/vigild.log" | tail -n 3 | tr '\n' '|')"
fi

# The same export again (same flows): the open alert counts it, no
# second alert opens.
export_pcap "$WORK/ipfix.pcap" 10
sleep 3
_got=$(scan_alerts "${NET}0.5")
if [ "${_got%% *}" = 1 ]; then
	ok "exporting the same scan again does not open a second alert ($_got)"
else
	notok "exporting the same scan again does not open a second alert" \
	    "got $_got"
fi

# The scanner is no registered device: a shadow finding of acme.
api GET /v1/tenants/acme/shadow "$ADMIN_TOKEN"
check "the scanner ${NET}0.5 is a shadow finding of tenant acme" 200 \
    "len([s for s in d.get('shadow', []) if s.get('address') == '${NET}0.5'])" 1

# Re-attribution: the scanner is now bound to a registered device (an
# API change: the store's attribution generation moves, the collector
# sees it within a second). Its next scan (another port, so the window
# that already fired for telnet does not hide it) is the device's
# alert, though the engine had known the address for a while as a
# shadow.
api POST /v1/tenants/acme/devices "$ADMIN_TOKEN" '{"name": "cam-r"}'
check "device cam-r is registered" 201
CAMR=$(jbody "d.get('id', '')")
bind "${NET}0.5 is bound to device cam-r" \
    "{\"cidr\": \"${NET}0.5/32\", \"device\": \"cam-r\"}"
sleep 2
mkpcap "$WORK/rebind.pcap" "${NET}0.5" 2323
export_pcap "$WORK/rebind.pcap" 10
api_poll "/v1/tenants/acme/alerts?kind=scan.horizontal&limit=100" \
    "$ADMIN_TOKEN" "','.join(sorted(set(x['device']['id'] for x in \
    (d or {}).get('alerts', []) if x.get('address') == '${NET}0.5' \
    and x.get('device'))))" || true
_dev=$POLLED
if [ "$_dev" = "$CAMR" ]; then
	ok "after the binding, the same address's next scan is device cam-r's alert (no restart, no wait for a refresh)"
else
	notok "after the binding, the same address's next scan is device cam-r's alert" \
	    "devices on alerts of ${NET}0.5: '$_dev' (cam-r is $CAMR)" \
	    "$(head -c 400 "$OUT")"
fi

# NetFlow v9 and v5 over UDP, each with its own scanner.
mkpcap "$WORK/v9.pcap" "${NET}0.15"
export_pcap "$WORK/v9.pcap" 9
wait_alert "NetFlow v9 (softflowd -v 9): scan.horizontal for ${NET}0.15" \
    "${NET}0.15" || true
mkpcap "$WORK/v5.pcap" "${NET}0.25"
export_pcap "$WORK/v5.pcap" 5
wait_alert "NetFlow v5 (softflowd -v 5): scan.horizontal for ${NET}0.25" \
    "${NET}0.25" || true

# IPFIX over TCP (RFC 7011 §10.4).
mkpcap "$WORK/tcp.pcap" "${NET}0.35"
export_pcap "$WORK/tcp.pcap" 10 tcp
wait_alert "IPFIX over TCP (softflowd -P tcp): scan.horizontal for ${NET}0.35" \
    "${NET}0.35" || true

# Garbage: 1000 random datagrams, a third of them starting like
# NetFlow v5, v9 or IPFIX headers so they reach the decoders' insides.
"$PY" - "$FLOW_PORT" <<'PYEOF'
import os, random, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = random.Random(6)
for i in range(1000):
    n = r.randrange(0, 1500)
    b = bytearray(os.urandom(n))
    if n >= 4 and i % 3 == 0:
        b[0:2] = struct.pack('!H', r.choice((5, 9, 10)))
        if b[1] == 10:
            b[2:4] = struct.pack('!H', n)
    s.sendto(bytes(b), ('127.0.0.1', int(sys.argv[1])))
PYEOF
sleep 1
mkpcap "$WORK/after.pcap" "${NET}0.45"
export_pcap "$WORK/after.pcap" 10
wait_alert "after 1000 random datagrams a valid IPFIX export still raises its alert" \
    "${NET}0.45" || true
if grep -qE 'collector \(pid [0-9]+\) (killed|exited)' "$WORK/vigild.log"
then
	notok "the collector never died" \
	    "$(grep -E 'collector \(pid' "$WORK/vigild.log" | tr '\n' '|')"
else
	ok "the collector never died (no restart in the log)"
fi

# Counters: packets, malformed ones (the garbage) and flows.
_i=0
until grep 'collector.stats' "$WORK/vigild.log" | tail -n 1 |
    grep -qE 'malformed [1-9]'; do
	if [ $_i -gt 150 ]; then
		break
	fi
	sleep 0.1
	_i=$((_i + 1))
done
_line=$(grep 'collector.stats' "$WORK/vigild.log" | tail -n 1)
if echo "$_line" | grep -qE 'flows [1-9][0-9]*' &&
    echo "$_line" | grep -qE 'malformed [1-9]'; then
	ok "the collector logs its counters (flows, malformed packets)"
else
	notok "the collector logs its counters (flows, malformed packets)" \
	    "last collector.stats line: $_line"
fi

# The same counters in GET /metrics (published by the collector each
# second into the mapping the net workers render).
metric() {
	curl -s --cacert "$CA" "$BASE/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}
_i=0
while [ "$(metric vigil_collector_malformed_total)" = "" ] ||
    [ "$(metric vigil_collector_malformed_total)" = 0 ]; do
	[ $_i -gt 50 ] && break
	sleep 0.1
	_i=$((_i + 1))
done
_rec=$(metric vigil_collector_records_total)
_mal=$(metric vigil_collector_malformed_total)
_alr=$(metric vigil_collector_alerts_total)
_ent=$(metric vigil_detect_entities)
if [ "${_rec:-0}" -gt 0 ] && [ "${_mal:-0}" -gt 0 ] &&
    [ "${_alr:-0}" -ge 5 ] && [ "${_ent:-0}" -gt 0 ]; then
	ok "GET /metrics has the collector's counters (records $_rec, malformed $_mal, alerts $_alr, entities $_ent)"
else
	notok "GET /metrics has the collector's counters" \
	    "records '$_rec' malformed '$_mal' alerts '$_alr' entities '$_ent'" \
	    "$(curl -s --cacert "$CA" "$BASE/metrics" | grep -i collector |
	    head -n 5 | tr '\n' '|')"
fi

# The followed Zeek log: lines appended after start are read; after a
# rotation (renamed away, a new file in its place) the new file is.
zeek_conn_log "$WORK/conn.log" "${NET}0.55"
wait_alert "Zeek conn.log lines appended while vigild runs raise scan.horizontal for ${NET}0.55" \
    "${NET}0.55" || true
mv "$WORK/conn.log" "$WORK/conn.log.1"
zeek_conn_log "$WORK/conn.log" "${NET}0.65"
wait_alert "after the log is rotated, the new file is followed (scan.horizontal for ${NET}0.65)" \
    "${NET}0.65" || true

vigild_finish
finish
