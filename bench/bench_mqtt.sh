#!/bin/bash
# bench_mqtt.sh [BUILD_DIR] — MQTT throughput with vigil's zero-trust
# authorization in the broker (issue 5, DESIGN.md §8), against the same
# mosquitto with its own acl_file, measured in this run:
#
#   The same mosquitto binary and TLS listener (vigil's CA chain,
#   require_certificate true: every client presents a device
#   certificate vigil issued over EST), once with the vigil plugin
#   (vigil_mosquitto.so asking a running vigild over pdp_socket, a
#   tenant-wide policy: connect as your device id, publish, receive and
#   subscribe under dev/${device.id}/#) and once with acl_file
#   ("pattern readwrite dev/%c/#", the client id being the device id).
#   So the only difference is the authorization.
#   Load: bench_mqtt_load, N clients (default 100), M messages (default
#   100,000), each client publishing to its own topic and subscribed
#   to it (every message is a publish and a delivery), at most 10 in
#   flight per client; QoS 0 and QoS 1.
# Prints, medians of 3 runs (vigil and acl_file alternate):
#   bench_mqtt qos0: vigil X msg/s, acl_file Y msg/s, ratio R
#   bench_mqtt qos1: ...
# Goal: ratio >= 0.9. The load generator shares the cores with the
# broker and vigild: absolute rates mean little, ratios a lot.
#   BENCH_MQTT_CLIENTS   clients (default 100)
#   BENCH_MQTT_MESSAGES  messages per run (default 100000)
#   BENCH_MQTT_RUNS      runs per side and QoS (default 3)
#   BENCH_MQTT_PLUGIN    another build of vigil_mosquitto.so (to compare)
#   BENCH_MQTT_VERBOSE   1: also print every run's rate
set -eu
build=$(cd "${1:-build}" && pwd)
nclients=${BENCH_MQTT_CLIENTS:-100}
messages=${BENCH_MQTT_MESSAGES:-100000}
runs=${BENCH_MQTT_RUNS:-3}
vigil=$build/src/vigil/vigil
vigild=$build/src/vigild/vigild
load=$build/bench/bench_mqtt_load
plugin=${BENCH_MQTT_PLUGIN:-$build/src/mosquitto/vigil_mosquitto.so}
. "$(dirname "$0")/bench_lib.sh"
PATH=$PATH:/usr/sbin
bench_need bench_mqtt "$vigil" "$vigild" "$load" "$plugin" mosquitto \
    openssl curl python3
bench_workdir vigil-bench-mqtt
export VIGIL_DATA=$data
mpid=
mq_stop() {
	if [ -n "$mpid" ]; then
		kill -TERM "$mpid" 2>/dev/null || true
		wait "$mpid" 2>/dev/null || true
	fi
	mpid=
}
trap 'mq_stop; bench_cleanup' EXIT
fail() {
	mq_stop
	echo "bench_mqtt: $*" >&2
	[ -f "$work/vigild.log" ] && tail -n 20 "$work/vigild.log" >&2
	exit 1
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
jfield() {
	python3 -c 'import json, sys
print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"
}

# ---- vigil: data directory, CA, devices, policy
"$vigil" init --data "$data" --listen 127.0.0.1:0 --json \
    >"$work/init.json" 2>"$work/init.err" ||
	fail "vigil init: $(cat "$work/init.err")"
token=$(jfield "$work/init.json" token)
sed -i '/^gateway_listen /d; /^pki_listen /d' "$data/vigild.conf"
cat >>"$data/vigild.conf" <<EOF
log_level = warn
gateway_listen = 127.0.0.1:0
pki_listen = 127.0.0.1:0
issue_rate = 1000000
EOF
"$vigil" tenant create bench >/dev/null
"$vigil" ca init --tenant bench --label bench >"$work/ca.out" 2>&1 ||
	fail "vigil ca init: $(cat "$work/ca.out")"
"$vigil" ca export bench >"$work/chain.pem" 2>"$work/err" ||
	fail "vigil ca export: $(cat "$work/err")"
d=$work/dev
mkdir -p "$d"
echo "name,model,state" >"$d/devices.csv"
for i in $(seq 0 $((nclients - 1))); do
	echo "bench-$i,bench-model,active" >>"$d/devices.csv"
done
"$vigil" device import --tenant bench "$d/devices.csv" >"$work/err" 2>&1 ||
	fail "vigil device import: $(cat "$work/err")"

VIGILD_PORT_FILE=$work/port "$vigild" -f -c "$data/vigild.conf" \
    >"$work/vigild.log" 2>&1 &
vpid=$!
for _ in $(seq 200); do
	grep -q '^gateway=' "$work/port" 2>/dev/null && break
	kill -0 "$vpid" 2>/dev/null || fail "vigild did not start"
	sleep 0.1
done
api=$(head -n 1 "$work/port")
gw=$(sed -n 's/^gateway=//p' "$work/port")
[ -n "$gw" ] || fail "vigild wrote no gateway port"
tlscert=$data/tls/server.crt
tlskey=$data/tls/server.key
for _ in $(seq 100); do
	curl -s -o /dev/null --cacert "$tlscert" \
	    "https://127.0.0.1:$gw/.well-known/est/bench/cacerts" && break
	sleep 0.1
done
sock=$(sed -n 's/^pdp_socket *= *//p' "$data/vigild.conf")
sock=${sock:-pdp.sock}
case $sock in /*) ;; *) sock=$data/$sock ;; esac
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || fail "no PDP socket at $sock"

# One certificate per device over EST (token enrollment), 4 at a time.
enroll() {
	_n=$1
	_tok=$("$vigil" enroll token --tenant bench "$_n" --ttl 1h --json |
	    python3 -c 'import json, sys
d = json.loads(sys.stdin.readline())
print(d.get("token") or d["secret"])')
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/$_n.key" -subj "/CN=$_n" -outform DER \
	    -out "$d/$_n.csr" 2>/dev/null
	base64 -w 64 "$d/$_n.csr" >"$d/$_n.b64"
	_code=$(curl -s -o "$d/$_n.p7" -w '%{http_code}' --cacert "$tlscert" \
	    -u "$_n:$_tok" -H 'Content-Type: application/pkcs10' \
	    --data-binary "@$d/$_n.b64" \
	    "https://127.0.0.1:$gw/.well-known/est/bench/simpleenroll")
	[ "$_code" = 200 ] || { echo "enroll $_n: HTTP $_code" >&2; return 1; }
	tr -d '\r' <"$d/$_n.p7" | base64 -d | openssl pkcs7 -inform DER \
	    -print_certs 2>/dev/null | awk '/-----BEGIN/ { p = 1 } p { print }
	    /-----END/ { exit }' >"$d/$_n.pem"
	[ -s "$d/$_n.pem" ]
}
export -f enroll
export vigil tlscert gw d
seq 0 $((nclients - 1)) | sed 's/^/bench-/' |
    xargs -P 4 -I{} bash -c 'enroll {}' ||
	fail "EST enrollment failed"
"$vigil" device list --tenant bench --limit 1000 --json >"$d/list.json"
python3 - "$d/list.json" "$d" >"$d/clients.txt" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    dev = json.loads(line)
    n = dev["name"]
    print(dev["id"], "%s/%s.pem" % (sys.argv[2], n),
          "%s/%s.key" % (sys.argv[2], n))
EOF
[ "$(wc -l <"$d/clients.txt")" = "$nclients" ] ||
	fail "expected $nclients devices in the list"

pol='{"document": {"Version": "2026-11-01", "Statement": [
 {"Sid": "connect-as-self", "Effect": "Allow", "Action": "mqtt:Connect",
  "Resource": "client:${device.id}"},
 {"Sid": "own-topics", "Effect": "Allow",
  "Action": ["mqtt:Publish", "mqtt:Receive"],
  "Resource": "topic:dev/${device.id}/#"},
 {"Sid": "own-subscriptions", "Effect": "Allow", "Action": "mqtt:Subscribe",
  "Resource": "topicfilter:dev/${device.id}/#"}]}}'
base=https://127.0.0.1:$api/v1/tenants/bench
code=$(curl -s -o "$work/out" -w '%{http_code}' --cacert "$tlscert" \
    -X PUT -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary "$pol" \
    "$base/policies/devices")
[ "$code" = 201 ] || fail "PUT policy: HTTP $code $(cat "$work/out")"
code=$(curl -s -o "$work/out" -w '%{http_code}' --cacert "$tlscert" \
    -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary '{"kind": "tenant"}' \
    "$base/policies/devices/attachments")
[ "$code" = 201 ] || fail "attach policy: HTTP $code $(cat "$work/out")"

# ---- mosquitto, two configurations
mq=$work/mq
mkdir -p "$mq"
chmod 755 "$mq"
cp "$work/chain.pem" "$mq/ca.pem"
cp "$tlscert" "$mq/server.crt"
cp "$tlskey" "$mq/server.key"
chmod 644 "$mq/ca.pem" "$mq/server.crt"
chmod 600 "$mq/server.key"
mport=$(free_port)
common="user $(id -un)
pid_file $mq/mosquitto.pid
persistence false
log_dest file $mq/mosquitto.log
log_type error
log_type warning
listener $mport 127.0.0.1
cafile $mq/ca.pem
certfile $mq/server.crt
keyfile $mq/server.key
require_certificate true
max_queued_messages 10000"
printf '%s\nallow_anonymous false\nplugin %s\nplugin_opt_pdp_socket %s\nplugin_opt_timeout_ms 250\n' \
    "$common" "$plugin" "$sock" >"$mq/vigil.conf"
printf 'pattern readwrite dev/%%c/#\n' >"$mq/acl"
printf '%s\nallow_anonymous true\nacl_file %s/acl\n' "$common" "$mq" \
    >"$mq/acl_file.conf"
# A plugin built with sanitizers needs their runtimes in mosquitto.
mq_env=
if ldd "$plugin" | grep -q libasan; then
	mq_env="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi
mq_start() {
	: >"$mq/mosquitto.log"
	LD_PRELOAD="$mq_env" ASAN_OPTIONS=detect_leaks=0 \
	    mosquitto -c "$mq/$1.conf" >>"$mq/stdout.log" 2>&1 &
	mpid=$!
	for _ in $(seq 100); do
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$mport" \
		    2>/dev/null && return 0
		kill -0 "$mpid" 2>/dev/null || break
		sleep 0.1
	done
	fail "mosquitto ($1) did not start: $(cat "$mq/stdout.log" "$mq/mosquitto.log")"
}

# one SIDE QOS: one load run; prints its rate.
one() {
	mq_start "$1"
	"$load" 127.0.0.1 "$mport" "$tlscert" "$d/clients.txt" "$2" \
	    "$messages" >"$work/load.out" 2>"$work/load.err" ||
		fail "$1 qos $2: $(cat "$work/load.out" "$work/load.err" |
		    head -n 5) $(tail -n 5 "$mq/mosquitto.log")"
	mq_stop
	sed -n 's/.* rate \([0-9.]*\)$/\1/p' "$work/load.out"
}
median() {
	tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }'
}
for qos in 0 1; do
	vr= ar=
	for _ in $(seq "$runs"); do
		vr="$vr $(one vigil "$qos")"
		ar="$ar $(one acl_file "$qos")"
	done
	v=$(echo "$vr" | median)
	a=$(echo "$ar" | median)
	[ -n "${BENCH_MQTT_VERBOSE:-}" ] &&
	    echo "bench_mqtt qos$qos runs: vigil$vr; acl_file$ar" >&2
	python3 -c 'import sys
v, a = float(sys.argv[2]), float(sys.argv[3])
print("bench_mqtt qos%s: vigil %.0f msg/s, acl_file %.0f msg/s, ratio %.2f"
      % (sys.argv[1], v, a, v / a if a else 0))' "$qos" "$v" "$a"
done
