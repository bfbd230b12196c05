#!/bin/bash
# vigil flows analyze from the outside, offline: one synthetic traffic
# story (a telnet horizontal scan from one local host, a 60 s beacon
# with small connections from another, ordinary traffic from a third)
# written as a pcap (raw bytes by python3), as Zeek conn.log TSV and
# JSON, and as IPFIX, NetFlow v9 and v5 exported by a real softflowd
# reading that pcap. In every format the scanner gets scan.horizontal, the
# beaconing host beacon, and the ordinary host nothing; --json is valid
# and has the documented shape; malformed input is reported with where
# it is while the rest is analysed; exit statuses 0/1/2. With --devices
# a device map names each endpoint's device and model, skips its bad rows
# by line, and lets a model's fleet baseline judge a new device.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

SCANNER=192.168.10.66
BEACON=192.168.10.77
NORMAL=192.168.10.5
C2=198.51.100.9
D="$WORK/flows"
mkdir -p "$D"

# --- the synthetic traffic, in three renderings ---------------------------
"$PY" - "$D" "$SCANNER" "$BEACON" "$NORMAL" "$C2" <<'PYEOF'
import json, random, socket, struct, sys

out, scanner, beacon, normal, c2 = sys.argv[1:6]
rnd = random.Random(6)       # reproducible, not tuned to anything
T0 = 1700000000.0            # 2023-11-14T22:13:20Z
conns = []                   # (ts, orig, sport, resp, dport, proto,
                             #  orig_bytes, resp_bytes, state)

# Telnet horizontal scan: 60 hosts of a public range, one SYN each within
# a minute; a third answer with RST, the rest never answer.
for i in range(60):
    conns.append((T0 + 5 + i, scanner, 40000 + i, "203.0.113.%d" % (i + 1),
                  23, "tcp", 0, 0, "REJ" if i % 3 == 0 else "S0"))
# Beacon: every 60 s (±0.5 s) a short HTTPS exchange of ~300 bytes.
for i in range(20):
    conns.append((T0 + 30 + 60 * i + rnd.uniform(-0.5, 0.5), beacon,
                  50000 + i, c2, 443, "tcp", 120, 180, "SF"))
# Ordinary host: a few downloads from different servers at irregular
# times, and DNS to the local resolver.
for i, gap in enumerate([40, 170, 95, 400, 260, 33]):
    conns.append((T0 + sum([40, 170, 95, 400, 260, 33][:i + 1]), normal,
                  33000 + i, "192.0.2.%d" % (10 + i), 443, "tcp",
                  900 + 10 * i, 250000 + 5000 * i, "SF"))
for i in range(8):
    conns.append((T0 + 20 + 137 * i, normal, 53000 + i, "192.168.10.1",
                  53, "udp", 40, 90, "SF"))
conns.sort()

# ---- pcap (Ethernet, IPv4; checksums 0: readers do not check them) ----
pk = []

def ip4(s):
    return socket.inet_aton(s)

def frame(ts, src, dst, proto, sp, dp, flags=0, payload=b""):
    if proto == "tcp":
        l4 = struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 5 << 4, flags, 65535,
                         0, 0) + payload
        pn = 6
    else:
        l4 = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
        pn = 17
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64,
                     pn, 0, ip4(src), ip4(dst)) + l4
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    pk.append((ts, eth + ip))

SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04
for ts, o, sp, r, dp, proto, ob, rb, state in conns:
    if proto == "udp":
        frame(ts, o, r, "udp", sp, dp, payload=b"q" * ob)
        frame(ts + 0.002, r, o, "udp", dp, sp, payload=b"a" * rb)
        continue
    frame(ts, o, r, "tcp", sp, dp, SYN)
    if state == "S0":
        continue
    if state == "REJ":
        frame(ts + 0.01, r, o, "tcp", dp, sp, RST | ACK)
        continue
    frame(ts + 0.01, r, o, "tcp", dp, sp, SYN | ACK)
    frame(ts + 0.02, o, r, "tcp", sp, dp, ACK)
    frame(ts + 0.03, o, r, "tcp", sp, dp, PSH | ACK, b"x" * ob)
    left, t = rb, ts + 0.04
    while left > 0:
        n = min(left, 1400)
        frame(t, r, o, "tcp", dp, sp, PSH | ACK, b"y" * n)
        left -= n
        t += 0.0005
    frame(t + 0.01, o, r, "tcp", sp, dp, FIN | ACK)
    frame(t + 0.02, r, o, "tcp", dp, sp, FIN | ACK)
    frame(t + 0.03, o, r, "tcp", sp, dp, ACK)
pk.sort(key=lambda p: p[0])
with open(out + "/story.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for ts, b in pk:
        sec = int(ts)
        f.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(b),
                            len(b)))
        f.write(b)

# ---- Zeek conn.log, TSV and JSON ----
fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
          "proto", "service", "duration", "orig_bytes", "resp_bytes",
          "conn_state", "local_orig", "local_resp", "missed_bytes",
          "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
          "resp_ip_bytes", "tunnel_parents"]
rows = []
for n, (ts, o, sp, r, dp, proto, ob, rb, state) in enumerate(conns):
    opk = 1 if state in ("S0", "REJ") else 4
    rpk = 0 if state == "S0" else (1 if state == "REJ" else 3)
    rows.append({"ts": ts, "uid": "C%07d" % n, "id.orig_h": o,
                 "id.orig_p": sp, "id.resp_h": r, "id.resp_p": dp,
                 "proto": proto, "service": None,
                 "duration": None if state == "S0" else 0.05,
                 "orig_bytes": ob, "resp_bytes": rb, "conn_state": state,
                 "local_orig": True, "local_resp": r.startswith("192.168."),
                 "missed_bytes": 0, "history": "S" if state == "S0" else
                 ("Sr" if state == "REJ" else "ShADadFf"),
                 "orig_pkts": opk, "orig_ip_bytes": ob + 40 * opk,
                 "resp_pkts": rpk, "resp_ip_bytes": rb + 40 * rpk,
                 "tunnel_parents": None})

def tsv(v):
    if v is None:
        return "-"
    if v is True:
        return "T"
    if v is False:
        return "F"
    if isinstance(v, float):
        return "%.6f" % v
    return str(v)

with open(out + "/conn.log", "w") as f:
    f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
            "#unset_field\t-\n#path\tconn\n#open\t2023-11-14-22-13-20\n")
    f.write("#fields\t" + "\t".join(fields) + "\n")
    f.write("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
            "interval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\t"
            "count\tcount\tcount\tcount\tset[string]\n")
    for row in rows:
        f.write("\t".join(tsv(row[k]) for k in fields) + "\n")
    f.write("#close\t2023-11-14-22-40-00\n")
with open(out + "/conn.json", "w") as f:
    for row in rows:
        f.write(json.dumps({k: v for k, v in row.items() if v is not None})
                + "\n")
PYEOF

# --- IPFIX and NetFlow v9 from a real exporter ------------------------------
# softflowd reads the pcap (-r, packet times kept with -a) and exports to
# a UDP listener that writes each datagram as it came: IPFIX messages
# and v5 packets back to back, v9 packets each after its length (the
# documented file format for packets that do not say their own length).
export_with_softflowd() { # VERSION FILE PREFIX(0|1)
	"$PY" - "$2" "$3" >"$WORK/port.$1" 2>"$WORK/listen.$1.err" <<'PYEOF' &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
print(s.getsockname()[1], flush=True)
s.settimeout(0.5)
deadline, last, got = time.time() + 30, None, 0
with open(sys.argv[1], "wb") as f:
    while time.time() < deadline:
        try:
            b = s.recv(65535)
        except socket.timeout:
            if last is not None and time.time() - last > 3:
                break
            continue
        if sys.argv[2] == "1":
            f.write(struct.pack("!H", len(b)))
        f.write(b)
        got += 1
        last = time.time()
sys.stderr.write("%d datagrams\n" % got)
PYEOF
	_lpid=$!
	_port=""
	for _ in $(seq 50); do
		_port=$(head -n1 "$WORK/port.$1" 2>/dev/null || true)
		[ -n "$_port" ] && break
		sleep 0.1
	done
	if [ -z "$_port" ]; then
		kill "$_lpid" 2>/dev/null || true
		return 1
	fi
	# softflowd 1.1 reads the file only once its control socket has
	# been spoken to, and exports what it holds on "shutdown": ask for
	# statistics until the packet count stops growing, then shut down.
	timeout 60 softflowd -d -a -r "$D/story.pcap" -v "$1" -A milli \
	    -n "127.0.0.1:$_port" -p "$WORK/sf.$1.pid" -c "$WORK/sf.$1.ctl" \
	    >"$WORK/sf.$1.out" 2>&1 &
	_spid=$!
	_prev=-1
	for _ in $(seq 100); do
		sleep 0.2
		_n=$(softflowctl -c "$WORK/sf.$1.ctl" statistics 2>/dev/null |
		    sed -n 's/^Packets processed: \([0-9]*\).*/\1/p')
		[ -n "$_n" ] && [ "$_n" -gt 0 ] && [ "$_n" = "$_prev" ] && break
		_prev=${_n:--1}
	done
	softflowctl -c "$WORK/sf.$1.ctl" shutdown >/dev/null 2>&1 || true
	wait "$_spid" || true
	wait "$_lpid" || true
	[ -s "$2" ]
}

have_softflowd=0
if command -v softflowd >/dev/null 2>&1 &&
    command -v softflowctl >/dev/null 2>&1; then
	have_softflowd=1
	if export_with_softflowd 10 "$D/story.ipfix" 0; then
		ok "softflowd exported the pcap as IPFIX ($(cat "$WORK/listen.10.err"))"
	else
		notok "softflowd exported the pcap as IPFIX" \
		    "$(cat "$WORK/sf.10.out" "$WORK/listen.10.err" 2>/dev/null)"
	fi
	if export_with_softflowd 9 "$D/story.nf9" 1; then
		ok "softflowd exported the pcap as NetFlow v9 ($(cat "$WORK/listen.9.err"))"
	else
		notok "softflowd exported the pcap as NetFlow v9" \
		    "$(cat "$WORK/sf.9.out" "$WORK/listen.9.err" 2>/dev/null)"
	fi
	if export_with_softflowd 5 "$D/story.nf5" 0; then
		ok "softflowd exported the pcap as NetFlow v5 ($(cat "$WORK/listen.5.err"))"
	else
		notok "softflowd exported the pcap as NetFlow v5" \
		    "$(cat "$WORK/sf.5.out" "$WORK/listen.5.err" 2>/dev/null)"
	fi
else
	echo "# softflowd/softflowctl not installed: IPFIX and NetFlow skipped"
fi

# --- the same findings in every format -------------------------------------
# kinds ADDR: a Python expression, the alert kinds of one endpoint in the
# last --json report.
kinds() {
	printf "sorted(set(a['kind'] for e in d['endpoints'] if e['address'] == '%s' for a in e['alerts']))" "$1"
}
check_story() { # FILE FORMAT-NAME
	run "$VIGIL" --json flows analyze "$1"
	expect_json "$2: the telnet scanner gets scan.horizontal" 1 \
	    "'scan.horizontal' in $(kinds "$SCANNER")" "True"
	expect_json "$2: the 60 s beacon is found for the beaconing host" 1 \
	    "'beacon' in $(kinds "$BEACON")" "True"
	expect_json "$2: the ordinary host has no alert" 1 \
	    "$(kinds "$NORMAL")" "[]"
	expect_json "$2: the file's format is told by its content" 1 \
	    "d['files'][0]['format']" "$3"
}
check_story "$D/story.pcap" "pcap" pcap
check_story "$D/conn.log" "Zeek TSV" zeek
check_story "$D/conn.json" "Zeek JSON" zeek
if [ "$have_softflowd" = 1 ]; then
	check_story "$D/story.ipfix" "IPFIX (softflowd)" ipfix
	check_story "$D/story.nf9" "NetFlow v9 (softflowd, length-prefixed)" \
	    netflow
	check_story "$D/story.nf5" "NetFlow v5 (softflowd, back to back)" \
	    netflow
fi

# --- the report's shapes -------------------------------------------------------
run "$VIGIL" --json flows analyze "$D/conn.log"
expect_json "--json: one object with files, endpoints, alerts and by_kind" 1 \
    "sorted(k for k in d if k in ('files', 'endpoints', 'alerts', 'by_kind'))" \
    '["alerts", "by_kind", "endpoints", "files"]'
expect_json "--json: a file has path, format and the reader's stats" 1 \
    "[sorted(d['files'][0]), d['files'][0]['stats']['records']]" \
    '[["errors", "errors_total", "format", "path", "stats"], 94]'
expect_json "--json: an endpoint has address, flows, bytes, device, model and alerts with kind, severity, count, first, last, summary" 1 \
    "[sorted(d['endpoints'][0]) , sorted(k for k in d['endpoints'][0]['alerts'][0] if k in ('kind','severity','count','first','last','summary','evidence'))]" \
    '[["address", "alerts", "bytes", "device", "flows", "model", "peers"], ["count", "evidence", "first", "kind", "last", "severity", "summary"]]'
expect_json "--json: without --devices no endpoint has a device or model" 1 \
    "sorted(set((e['device'], e['model']) for e in d['endpoints']))" \
    '[[null, null]]'
expect_json "--json: alerts and by_kind agree" 1 \
    "d['alerts'] == sum(d['by_kind'].values()) == sum(len(e['alerts']) for e in d['endpoints'])" \
    "True"
expect_json "--json: the scan happened in flow time (2023), not now" 1 \
    "[a['first'][:10] for e in d['endpoints'] if e['address'] == '$SCANNER' for a in e['alerts'] if a['kind'] == 'scan.horizontal']" \
    '["2023-11-14"]'

run "$VIGIL" flows analyze "$D/conn.log"
expect_out_has "text report: the scanner's line with its flows" 1 \
    "$SCANNER  60 flows"
expect_out_has "text report: per kind with count and a summary" 1 \
    "scan.horizontal"
expect_out_has "text report: totals line" 1 "alerts ("

# --- only normal traffic: exit 0 ------------------------------------------------
grep -e '^#' -e $'\t'"$NORMAL"$'\t' "$D/conn.log" >"$D/normal.log"
run "$VIGIL" flows analyze "$D/normal.log"
expect_out_has "only ordinary traffic: no alert, exit 0" 0 " 0 alerts"

# --local: the scanner outside the monitored networks is not an endpoint.
run "$VIGIL" --json flows analyze --local 192.168.10.64/27 "$D/conn.log"
expect_json "--local: only endpoints inside the given networks are reported" 1 \
    "sorted(e['address'] for e in d['endpoints'])" \
    "[\"$SCANNER\", \"$BEACON\"]"

# --intel: the beacon's peer on a list is an intel.match.
printf '# test list\n%s\n' "$C2" >"$D/intel.txt"
run "$VIGIL" --json flows analyze --intel "$D/intel.txt" "$D/conn.log"
expect_json "--intel: a flow to a listed address is intel.match" 1 \
    "'intel.match' in $(kinds "$BEACON")" "True"

# --detect-config: a scan threshold above the scan silences it.
printf 'scan.hosts = 500\n' >"$D/detect.conf"
run "$VIGIL" --json flows analyze --detect-config "$D/detect.conf" "$D/conn.log"
expect_json "--detect-config: scan.hosts = 500 keeps 60 hosts below the threshold" 1 \
    "'scan.horizontal' in $(kinds "$SCANNER")" "False"

# --- --devices: a device map -----------------------------------------------------
# The scanner and the beaconing host are two cameras of model cam-x; line
# 4 is bad (the rows after it still apply); the ordinary host is in no
# row.
cat >"$D/devices.csv" <<DEVEOF
# the story's cameras
address,device,model
$SCANNER,cam-scan,cam-x
192.168.10.300,cam-broken,cam-x
$BEACON,cam-beacon,cam-x
DEVEOF
# dev ADDR: the (device, model) of one endpoint in the last --json report.
dev() {
	printf "[[e['device'], e['model']] for e in d['endpoints'] if e['address'] == '%s']" "$1"
}
run "$VIGIL" --json flows analyze --devices "$D/devices.csv" "$D/conn.log"
expect_json "--devices: the JSON report names the scanner's device and model" 1 \
    "$(dev "$SCANNER")" '[["cam-scan", "cam-x"]]'
expect_json "--devices: a row after a bad one still applies (the beaconing host)" 1 \
    "$(dev "$BEACON")" '[["cam-beacon", "cam-x"]]'
expect_json "--devices: the alerts are the same as by address" 1 \
    "['scan.horizontal' in $(kinds "$SCANNER"), 'beacon' in $(kinds "$BEACON"), $(kinds "$NORMAL")]" \
    '[true, true, []]'
expect_err "--devices: a bad row is reported with its line number and what is wrong" 1 \
    "devices.csv: line 4: address '192.168.10.300' is not an IP address or CIDR"
expect_err "--devices: the summary counts mapped devices and skipped rows" 1 \
    "devices.csv: 2 devices mapped, 1 rows skipped"
run "$VIGIL" flows analyze --devices "$D/devices.csv" "$D/conn.log"
expect_out_has "--devices: the text report names device and model" 1 \
    "$SCANNER  60 flows, 0 bytes, device cam-scan (model cam-x)"
run "$VIGIL" --quiet flows analyze --devices "$D/devices.csv" "$D/conn.log"
if [ "$RC" = 1 ] && ! grep -q 'devices.csv' "$ERR"; then
	ok "--devices with --quiet: bad rows and the summary are not shown"
else
	notok "--devices with --quiet: bad rows and the summary are not shown" \
	    "$(_show)"
fi

# A bad header is fatal: exit 2, the column named.
printf 'address,device,mac\n%s,cam-1,00:11:22:33:44:55\n' "$SCANNER" \
    >"$D/badhdr.csv"
run "$VIGIL" flows analyze --devices "$D/badhdr.csv" "$D/conn.log"
expect_err "--devices: an unknown column in the header is fatal (exit 2)" 2 \
    "badhdr.csv: line 1: unknown column 'mac'"
run "$VIGIL" flows analyze --devices "$D/none.csv" "$D/conn.log"
expect_rc "--devices: a missing file is an error (exit 2)" 2

# Fleet baseline offline: cam-1 learns its cloud (tcp/443, tcp/8883) for
# 20 minutes with learning_s = 600; cam-2 of the same model appears 30
# minutes in, goes to the fleet's cloud, then somewhere no cam-x went.
# By address alone cam-2 is learning on its own (nothing to say); with
# the map it is judged against its model at once (profile "model").
"$PY" - "$D/fleet.json" <<'PYEOF'
import json, sys
T0 = 1700000000.0
rows = []
def conn(ts, o, sp, r, dp):
    rows.append({"ts": ts, "uid": "F%07d" % len(rows), "id.orig_h": o,
                 "id.orig_p": sp, "id.resp_h": r, "id.resp_p": dp,
                 "proto": "tcp", "duration": 0.2, "orig_bytes": 300,
                 "resp_bytes": 900, "conn_state": "SF", "missed_bytes": 0,
                 "history": "ShADadFf", "orig_pkts": 4,
                 "orig_ip_bytes": 460, "resp_pkts": 3, "resp_ip_bytes": 1020})
for i in range(20):
    conn(T0 + 60 * i, "192.168.20.1", 40000 + i, "203.0.113.10", 443)
    conn(T0 + 60 * i + 7, "192.168.20.1", 41000 + i, "203.0.113.11", 8883)
conn(T0 + 1800, "192.168.20.2", 42000, "203.0.113.10", 443)
conn(T0 + 1810, "192.168.20.2", 42001, "198.51.100.50", 443)
with open(sys.argv[1], "w") as f:
    for r in sorted(rows, key=lambda r: r["ts"]):
        f.write(json.dumps(r) + "\n")
PYEOF
printf 'address,device,model\n192.168.20.1,cam-1,cam-x\n192.168.20.2,cam-2,cam-x\n' \
    >"$D/fleet.csv"
printf 'learning_s = 600\n' >"$D/learn.conf"
# newdest ADDR FIELD: FIELD of each new.destination evidence of one
# endpoint in the last --json report.
newdest() {
	printf "[ev.get('%s') for e in d['endpoints'] if e['address'] == '%s' for a in e['alerts'] if a['kind'] == 'new.destination' for ev in a['evidence']]" "$2" "$1"
}
run "$VIGIL" --json flows analyze --detect-config "$D/learn.conf" \
    "$D/fleet.json"
expect_json "fleet: by address alone, the second camera learns alone (no new.destination)" 1 \
    "$(newdest 192.168.20.2 profile)" '[]'
run "$VIGIL" --json flows analyze --detect-config "$D/learn.conf" \
    --devices "$D/fleet.csv" "$D/fleet.json"
expect_json "fleet: with --devices the second cam-x is judged by its model at once (new.destination, profile model)" 1 \
    "$(newdest 192.168.20.2 profile)" '["model"]'
expect_json "fleet: ... for the destination no cam-x used, not the fleet's cloud" 1 \
    "$(newdest 192.168.20.2 peer)" '["198.51.100.50"]'

# --- malformed input ---------------------------------------------------------------
# A bad line is reported with its number; the rest is analysed.
awk -v n=12 'NR == n { $0 = "1700000001.0\tCbad\t192.168.10.9\t1\t192.0.2.1\t70000\ttcp\t-\t-\t-\t-\tS0\tT\tF\t0\tS\t1\t40\t0\t0\t-" } { print }' \
    "$D/conn.log" >"$D/bad.log"
run "$VIGIL" --json flows analyze "$D/bad.log"
expect_err "a malformed Zeek line is reported with its line number" 1 "line 12"
expect_json "the rest of that file is analysed (the scan is still found)" 1 \
    "[d['files'][0]['stats']['malformed'], 'scan.horizontal' in $(kinds "$SCANNER")]" \
    "[1, true]"

# A cut IPFIX file: what is before the cut is analysed, the cut reported.
if [ "$have_softflowd" = 1 ] && [ -s "$D/story.ipfix" ]; then
	sz=$(stat -c %s "$D/story.ipfix")
	head -c $((sz - 7)) "$D/story.ipfix" >"$D/cut.ipfix"
	run "$VIGIL" flows analyze "$D/cut.ipfix"
	expect_err "a truncated IPFIX file: the cut is reported with its offset" 1 \
	    "is cut short by the end of the file"
fi

# Length prefixes that frame nothing: reported, exit 2 when nothing read.
printf '\x00\x03\x00\x05garbage' >"$D/junk.nf"
run "$VIGIL" flows analyze "$D/junk.nf"
expect_err "export packets with a bad length: what and where, exit 2" 2 \
    "offset 0:"

# An unknown format beside a good file: both reported, exit 2.
printf 'hello\n' >"$D/notes.bin"
run "$VIGIL" --json flows analyze "$D/notes.bin" "$D/conn.log"
expect_err "a file of unknown format is named, exit 2" 2 \
    "notes.bin: cannot tell the format"
expect_json "... and the other file is still analysed" 2 \
    "'scan.horizontal' in $(kinds "$SCANNER")" "True"

run "$VIGIL" flows analyze "$D/nonexistent.pcap"
expect_err "a missing file: cannot open, exit 2" 2 "cannot open"

run "$VIGIL" flows analyze --format bogus "$D/conn.log"
expect_rc "--format with an unknown name is a usage error (exit 2)" 2

run "$VIGIL" flows analyze --local 999.1.1.1/8 "$D/conn.log"
expect_err "--local with an invalid network is refused" 2 "999.1.1.1/8"

run "$VIGIL" flows analyze --server https://127.0.0.1:1 "$D/conn.log"
expect_rc "flows analyze is offline: --server is refused" 2

finish
