#!/bin/bash
# mqtt_zt.sh — zero-trust on a real Mosquitto broker with vigil_mosquitto.so
# and devices holding certificates vigil issued over EST: device A
# publishes on its own topics but not on B's; a '#' subscription is
# denied; a device with outdated firmware (check-in over the gateway,
# model baseline) is denied the topics that require vigil:FirmwareCurrent;
# quarantine cuts a live session within 1 s while the device can still
# check in; a revoked certificate is cut and refused at connect; with
# vigild stopped the broker denies (fail closed) and recovers when vigild
# returns. Each case prints the decision point's explanation.
#
# The broker runs without use_identity_as_username: with it Mosquitto
# 2.0 never asks the plugin at connect (checked: a denied device got in).
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

for p in mosquitto mosquitto_pub mosquitto_sub ss; do
	command -v "$p" >/dev/null 2>&1 ||
	    PATH=$PATH:/usr/sbin command -v "$p" >/dev/null 2>&1 || {
		echo "# $p not installed"
		exit 77
	}
done
PATH=$PATH:/usr/sbin
PLUGIN=$BUILDDIR/src/mosquitto/vigil_mosquitto.so
if [ ! -f "$PLUGIN" ]; then
	if [ ! -f /usr/include/mosquitto_broker.h ]; then
		echo "# mosquitto-dev missing: the plugin is not built"
		exit 77
	fi
	echo "not ok - the plugin is built ($PLUGIN missing)"
	exit 1
fi

MQ_PID=
SUB_PIDS=
mq_stop() {
	if [ -n "$MQ_PID" ]; then
		kill -TERM "$MQ_PID" 2>/dev/null || true
		wait "$MQ_PID" 2>/dev/null || true
		MQ_PID=
	fi
}
subs_stop() {
	for _p in $SUB_PIDS; do
		kill -TERM "$_p" 2>/dev/null || true
		wait "$_p" 2>/dev/null || true
	done
	SUB_PIDS=
}
trap 'subs_stop; mq_stop; vigild_stop; rm -rf "$WORK"' EXIT

vigild_setup "$PKI_CONF
pdp_cache_ttl_ms = 5000"
T=/v1/tenants/acme
PDP_SOCK=$DATA/pdp.sock

# dev NAME MODEL: registers a device, sets ID_<NAME> to its id.
dev() {
	run "$VIGIL" device add --tenant acme --name "$1" --model "$2" \
	    --state active --json
	[ "$RC" = 0 ] || { echo "# device add $1: $(_show)"; exit 1; }
	eval "ID_$1=\$(json 'd[\"id\"]')"
}

pki_ca acme acme
dev A sens-1
dev B sens-1
dev C sens-1
dev M monitor-1
vigild_start
pki_ports

for n in A B C M; do
	tok=$(pki_token "$n") || { echo "# no token"; exit 1; }
	est_enroll "$n" "$tok" "$WORK/$n"
	if [ "$EST_STATUS" != 200 ] || [ ! -s "$WORK/$n.pem" ]; then
		notok "device $n enrolls over EST" "HTTP $EST_STATUS:" \
		    "$(head -c 300 "$WORK/$n.p7")"
		finish
		exit 1
	fi
done
ok "devices A, B, C and M enroll over EST"

# ---- policies: own topics for every device; M watches all telemetry
POL='{"Version": "2026-11-01", "Statement": [
 {"Sid": "connect-as-self", "Effect": "Allow", "Action": "mqtt:Connect",
  "Resource": "client:${device.id}"},
 {"Sid": "own-telemetry", "Effect": "Allow",
  "Action": ["mqtt:Publish", "mqtt:Receive"],
  "Resource": "topic:dev/${device.id}/telemetry"},
 {"Sid": "own-subscriptions", "Effect": "Allow", "Action": "mqtt:Subscribe",
  "Resource": "topicfilter:dev/${device.id}/#"},
 {"Sid": "ota-needs-current-firmware", "Effect": "Allow",
  "Action": "mqtt:Publish", "Resource": "topic:dev/${device.id}/ota/#",
  "Condition": {"Bool": {"vigil:FirmwareCurrent": "true"}}}]}'
MON='{"Version": "2026-11-01", "Statement": [
 {"Sid": "watch-telemetry", "Effect": "Allow", "Action": "mqtt:Subscribe",
  "Resource": "topicfilter:dev/+/telemetry"},
 {"Sid": "read-telemetry", "Effect": "Allow", "Action": "mqtt:Receive",
  "Resource": "topic:dev/+/telemetry"}]}'
api PUT "$T/policies/devices" "$ADMIN_TOKEN" "{\"document\": $POL}"
check "PUT the device policy" 201
api POST "$T/policies/devices/attachments" "$ADMIN_TOKEN" '{"kind": "tenant"}'
check "attach it tenant-wide" 201
api PUT "$T/policies/monitor" "$ADMIN_TOKEN" "{\"document\": $MON}"
check "PUT the monitor policy" 201
api POST "$T/policies/monitor/attachments" "$ADMIN_TOKEN" \
    '{"kind": "device", "target": "M"}'
check "attach it to device M" 201

# ---- posture: model sens-1's current firmware is 2.0.0; C runs 1.0.0
api PUT "$T/baselines/sens-1" "$ADMIN_TOKEN" \
    '{"ports": [], "firmware_current": "2.0.0"}'
check "PUT the baseline of model sens-1 (firmware 2.0.0 is current)" 200

# checkin NAME FIRMWARE: POST /device/v1/checkin with NAME's certificate.
checkin() {
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' \
	    --cacert "$GW_CA" --cert "$WORK/$1.pem" --key "$WORK/$1.key" \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"firmware\": \"$2\"}" \
	    "$GW/device/v1/checkin" || true)
}
checkin A 2.0.0
check "A checks in with firmware 2.0.0" 200
checkin C 1.0.0
check "C checks in with firmware 1.0.0" 200

# explain NAME ACTION RESOURCE: the decision point's explanation, as
# "#   " lines: `vigil policy test --device` (store-backed) when this
# build has it, else POST .../policy-decisions.
explain() {
	_id=$(eval "echo \$ID_$1")
	set +e
	"$VIGIL" policy test --tenant acme --device "$_id" --action "$2" \
	    --resource "$3" >"$WORK/explain.out" 2>&1
	_rc=$?
	set -e
	if [ $_rc -gt 1 ]; then
		curl -s --cacert "$CA" -H "Authorization: Bearer $ADMIN_TOKEN" \
		    -H 'Content-Type: application/json' --data-binary \
		    "{\"action\": \"$2\", \"resource\": \"$3\", \"device\": \"$_id\"}" \
		    "$BASE$T/policy-decisions" | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print("decision %s by %s/%s: %s" % (d.get("decision"), d.get("policy"),
      d.get("sid"), d.get("reason")))
print("context %s" % json.dumps(d.get("context"), sort_keys=True))' \
		    >"$WORK/explain.out" 2>&1 || true
	fi
	echo "#   explain: $1 $2 $3"
	head -n 14 "$WORK/explain.out" | while IFS= read -r _l; do
		printf '#     %s\n' "$_l"
	done
}

# ---- the broker
mq=$WORK/mq
mkdir -p "$mq"
chmod 755 "$mq"
cp "$CHAIN" "$mq/ca.pem"
cp "$CA" "$mq/server.crt"
cp "$DATA/tls/server.key" "$mq/server.key"
chmod 644 "$mq/ca.pem" "$mq/server.crt"
chmod 600 "$mq/server.key"
MQ_PORT=$(free_port)
cat >"$mq/mosquitto.conf" <<EOF
# Written by mqtt_zt.sh (dist/mosquitto/mosquitto.conf, test paths).
user $(id -un)
pid_file $mq/mosquitto.pid
persistence false
log_dest file $mq/mosquitto.log
log_type all
listener $MQ_PORT 127.0.0.1
cafile $mq/ca.pem
certfile $mq/server.crt
keyfile $mq/server.key
require_certificate true
allow_anonymous false
plugin $PLUGIN
plugin_opt_pdp_socket $PDP_SOCK
plugin_opt_timeout_ms 250
EOF
# The plugin carries the build's sanitizers; mosquitto does not.
MQ_ENV=
if ldd "$PLUGIN" | grep -q libasan; then
	MQ_ENV="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi

mq_start() {
	: >"$mq/mosquitto.log"
	LD_PRELOAD="$MQ_ENV" ASAN_OPTIONS=detect_leaks=0 \
	    mosquitto -c "$mq/mosquitto.conf" >>"$mq/stdout.log" 2>&1 &
	MQ_PID=$!
	_i=0
	until grep -q "Opening ipv4 listen socket on port $MQ_PORT" \
	    "$mq/mosquitto.log" 2>/dev/null; do
		if ! kill -0 "$MQ_PID" 2>/dev/null || [ $_i -gt 100 ]; then
			echo "# mosquitto did not start:"
			sed 's/^/#   /' "$mq/mosquitto.log" "$mq/stdout.log"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

mq_args() {
	_id=$(eval "echo \$ID_$1")
	printf '%s\n' -h 127.0.0.1 -p "$MQ_PORT" --cafile "$CA" \
	    --cert "$WORK/$1.pem" --key "$WORK/$1.key" -i "$_id"
}

# pub NAME TOPIC MESSAGE: MQTT v5, QoS 1, debug output in $OUT (the
# PUBACK reason code: 135 = not authorized).
pub() {
	_n=$1
	shift
	# shellcheck disable=SC2046
	run timeout 10 mosquitto_pub $(mq_args "$_n") -V mqttv5 -q 1 -d \
	    -t "$1" -m "$2"
}

puback() {
	sed -n 's/.*received PUBACK (Mid: [0-9]*, RC:\([0-9]*\)).*/\1/p' \
	    "$OUT" | head -n 1
}

# puback_ok: the last pub was accepted (a reason code below 0x80: 0, or
# 16 "no matching subscribers").
puback_ok() {
	_rc=$(puback)
	[ "$RC" = 0 ] && [ -n "$_rc" ] && [ "$_rc" -lt 128 ]
}

# sub_start NAME FILTER FILE [ARGS...]: a background mosquitto_sub
# (debug output in FILE); SUB_PID. Returns once subscribed.
sub_start() {
	_n=$1 _f=$2 _o=$3
	shift 3
	: >"$_o"
	# Line-buffered, or "Subscribed" would wait in stdio's buffer.
	# shellcheck disable=SC2046
	stdbuf -oL mosquitto_sub $(mq_args "$_n") -q 1 -d -t "$_f" "$@" \
	    >"$_o" 2>&1 &
	SUB_PID=$!
	SUB_PIDS="$SUB_PIDS $SUB_PID"
	_i=0
	until grep -q 'Subscribed (mid' "$_o"; do
		if ! kill -0 "$SUB_PID" 2>/dev/null || [ $_i -gt 100 ]; then
			echo "# subscriber $_n did not subscribe: $(tr '\n' '|' <"$_o")"
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
}

# cut_ms PID: waits (up to 3 s) until PID has no connection to the
# broker; prints the milliseconds since T0 (ns).
cut_ms() {
	_i=0
	while ss -tnpH state established "( dport = :$MQ_PORT )" |
	    grep -q "pid=$1,"; do
		[ $_i -gt 300 ] && break
		sleep 0.01
		_i=$((_i + 1))
	done
	echo $((($(date +%s%N) - T0) / 1000000))
}

# An unknown plugin option stops the broker at start, naming it.
sed -e "s|^log_dest file .*|log_dest file $mq/bad.log|" \
    -e "s|^pid_file .*|pid_file $mq/bad.pid|" \
    -e '$a plugin_opt_timout_ms 100' "$mq/mosquitto.conf" >"$mq/bad.conf"
set +e
LD_PRELOAD="$MQ_ENV" ASAN_OPTIONS=detect_leaks=0 timeout 10 \
    mosquitto -c "$mq/bad.conf" >"$mq/bad.out" 2>&1
rc=$?
set -e
if [ $rc != 0 ] && [ $rc != 124 ] &&
    grep -q 'unknown option plugin_opt_timout_ms' "$mq/bad.log"; then
	ok "an unknown plugin option (a typo) stops the broker at start (exit $rc)"
else
	notok "an unknown plugin option (a typo) stops the broker at start" \
	    "exit $rc: $(cat "$mq/bad.log" "$mq/bad.out" | tail -n 5 |
	    tr '\n' '|')"
fi

mq_start
if grep -q 'vigil: decision point .*: connected' "$mq/mosquitto.log"; then
	ok "mosquitto loads vigil_mosquitto.so, which connects to vigild's PDP socket"
else
	notok "mosquitto loads vigil_mosquitto.so, which connects to vigild's PDP socket" \
	    "$(grep -i vigil "$mq/mosquitto.log" | tr '\n' '|')"
fi

# ---- 1: own topic delivered, another device's topic not
sub_start M 'dev/+/telemetry' "$WORK/m.out" -v -C 1 -W 10 || true
pub A "dev/$ID_B/telemetry" "A on B's topic"
rc_b=$(puback)
pub A "dev/$ID_A/telemetry" "A on its own topic"
rc_a=$(puback)
wait "$SUB_PID" 2>/dev/null || true
got=$(grep '^dev/' "$WORK/m.out" || true)
if [ "$rc_b" = 135 ]; then
	ok "A publishing on B's topic: PUBACK 0x87 not authorized"
else
	notok "A publishing on B's topic: PUBACK 0x87 not authorized" \
	    "reason code '$rc_b'; $(_show)"
fi
explain A mqtt:Publish "topic:dev/$ID_B/telemetry"
if [ -n "$rc_a" ] && [ "$rc_a" -lt 128 ] &&
    [ "$got" = "dev/$ID_A/telemetry A on its own topic" ]
then
	ok "A publishes on its own topic; M receives that message and not the one on B's topic"
else
	notok "A publishes on its own topic; M receives that message and not the one on B's topic" \
	    "PUBACK '$rc_a'; M got: $(tr '\n' '|' <"$WORK/m.out")"
fi
explain A mqtt:Publish "topic:dev/$ID_A/telemetry"

# ---- 2: '#' denied
# shellcheck disable=SC2046
run timeout 10 mosquitto_sub $(mq_args A) -V mqttv5 -d -t '#' -C 1 -W 2
if grep -q 'Subscribed (mid: [0-9]*): 135' "$OUT"; then
	ok "A subscribing to '#': SUBACK 0x87 not authorized"
else
	notok "A subscribing to '#': SUBACK 0x87 not authorized" "$(_show)"
fi
explain A mqtt:Subscribe "topicfilter:#"

# ---- 3: outdated firmware
pub C "dev/$ID_C/ota/status" "C with firmware 1.0.0"
rc_c=$(puback)
pub A "dev/$ID_A/ota/status" "A with firmware 2.0.0"
rc_a=$(puback)
if [ "$rc_c" = 135 ] && [ -n "$rc_a" ] && [ "$rc_a" -lt 128 ]; then
	ok "OTA topics need vigil:FirmwareCurrent: C (1.0.0) denied, A (2.0.0) allowed"
else
	notok "OTA topics need vigil:FirmwareCurrent: C (1.0.0) denied, A (2.0.0) allowed" \
	    "PUBACK C '$rc_c', A '$rc_a'"
fi
explain C mqtt:Publish "topic:dev/$ID_C/ota/status"
pub C "dev/$ID_C/telemetry" "C telemetry"
if puback_ok; then
	ok "C with outdated firmware still publishes its telemetry"
else
	notok "C with outdated firmware still publishes its telemetry" "$(_show)"
fi

# ---- 4: quarantine cuts a live session within 1 s; check-in still works
sub_start A "dev/$ID_A/telemetry" "$WORK/a.out" || true
T0=$(date +%s%N)
api POST "$T/devices/A/quarantine" "$ADMIN_TOKEN" '{"reason": "mqtt_zt test"}'
ms=$(cut_ms "$SUB_PID")
check "quarantine A over the API" 200
if [ "$ms" -le 1000 ] &&
    grep -q "vigil: disconnecting client $ID_A" "$mq/mosquitto.log"; then
	ok "quarantine cuts A's live session within 1 s ($ms ms)"
else
	notok "quarantine cuts A's live session within 1 s" "after $ms ms;" \
	    "$(grep -i vigil "$mq/mosquitto.log" | tail -n 5 | tr '\n' '|')"
fi
explain A mqtt:Connect "client:$ID_A"
pub A "dev/$ID_A/telemetry" "quarantined"
if [ "$RC" != 0 ] && grep -q 'CONNACK (135)' "$OUT"; then
	ok "quarantined A is refused at connect (CONNACK 0x87)"
else
	notok "quarantined A is refused at connect (CONNACK 0x87)" "$(_show)"
fi
checkin A 2.0.0
check "quarantined A still checks in over the gateway" 200 \
    'd.get("quarantined")' True

# ---- 5: a revoked certificate is cut and refused at connect
sub_start B "dev/$ID_B/telemetry" "$WORK/b.out" || true
serial=$(cert_serial "$WORK/B.pem")
T0=$(date +%s%N)
run "$VIGIL" cert revoke --tenant acme "$serial" --reason keyCompromise
ms=$(cut_ms "$SUB_PID")
expect_rc "vigil cert revoke B's certificate" 0
if [ "$ms" -le 1000 ]; then
	ok "the revocation cuts B's live session within 1 s ($ms ms)"
else
	notok "the revocation cuts B's live session within 1 s" "after $ms ms;" \
	    "$(grep -i vigil "$mq/mosquitto.log" | tail -n 5 | tr '\n' '|')"
fi
pub B "dev/$ID_B/telemetry" "revoked"
if [ "$RC" != 0 ] && grep -q 'CONNACK (135)' "$OUT" &&
    grep -q "certificate $serial) refused" "$mq/mosquitto.log"; then
	ok "B's revoked certificate is refused at connect by the plugin"
else
	notok "B's revoked certificate is refused at connect by the plugin" \
	    "$(_show)" "$(grep -i vigil "$mq/mosquitto.log" | tail -n 3 |
	    tr '\n' '|')"
fi
grep "certificate $serial) refused" "$mq/mosquitto.log" | head -n 1 |
    sed 's/^/#   broker: /'
# The explain by certificate, as the plugin asks.
run "$VIGIL" policy test --tenant acme --cert "$serial" --action mqtt:Connect \
    --resource "client:$ID_B"
expect_out_has "policy test --cert explains the refusal: the certificate is revoked" \
    1 "DENY: certificate $serial is revoked"
sed 's/^/#     /' "$OUT" | head -n 4
subs_stop

# ---- 6: fail closed without vigild, recovery when it returns
# A live session of C publishing line by line (mosquitto_pub -l) from a
# FIFO held open on fd 7; live_pub TEXT N waits for the Nth PUBACK and
# prints its reason code.
mkfifo "$WORK/live.in"
# shellcheck disable=SC2046
stdbuf -oL mosquitto_pub $(mq_args C) -V mqttv5 -q 1 -d -l \
    -t "dev/$ID_C/telemetry" <"$WORK/live.in" >"$WORK/live.out" 2>&1 &
LIVE_PID=$!
SUB_PIDS="$SUB_PIDS $LIVE_PID"
exec 7>"$WORK/live.in"
live_pub() {
	printf '%s\n' "$1" >&7
	_i=0
	while [ "$(grep -c 'received PUBACK' "$WORK/live.out")" -lt "$2" ]; do
		[ $_i -gt 100 ] && break
		sleep 0.05
		_i=$((_i + 1))
	done
	sed -n 's/.*received PUBACK (Mid: [0-9]*, RC:\([0-9]*\)).*/\1/p' \
	    "$WORK/live.out" | sed -n "${2}p"
}
rc1=$(live_pub "before the outage" 1)
vigild_stop
rc2=$(live_pub "vigild is down" 2)
if [ -n "$rc1" ] && [ "$rc1" -lt 128 ] && [ "$rc2" = 135 ]; then
	ok "vigild stopped: C's live session is denied its next publish (PUBACK $rc1, then 0x87)"
else
	notok "vigild stopped: C's live session is denied its next publish" \
	    "PUBACKs '$rc1', '$rc2': $(tr '\n' '|' <"$WORK/live.out")"
fi
pub C "dev/$ID_C/telemetry" "vigild is down"
if [ "$RC" != 0 ] && grep -q 'CONNACK (135)' "$OUT" &&
    grep -q 'failing closed' "$mq/mosquitto.log"; then
	ok "vigild stopped: the broker refuses C's new connect (fail closed)"
else
	notok "vigild stopped: the broker refuses C's new connect (fail closed)" \
	    "$(_show)"
fi
vigild_start
T0=$(date +%s%N)
_i=0
while :; do
	pub C "dev/$ID_C/telemetry" "vigild is back"
	puback_ok && break
	[ $_i -ge 50 ] && break
	sleep 0.1
	_i=$((_i + 1))
done
ms=$((($(date +%s%N) - T0) / 1000000))
if puback_ok; then
	ok "vigild back: C connects and publishes again ($ms ms after its start)"
else
	notok "vigild back: C connects and publishes again" "$(_show)" \
	    "$(grep -i vigil "$mq/mosquitto.log" | tail -n 5 | tr '\n' '|')"
fi
rc3=$(live_pub "vigild is back" 3)
if [ -n "$rc3" ] && [ "$rc3" -lt 128 ]; then
	ok "vigild back: C's live session publishes again (PUBACK $rc3)"
else
	notok "vigild back: C's live session publishes again" \
	    "PUBACK '$rc3': $(tr '\n' '|' <"$WORK/live.out")"
fi
exec 7>&-
subs_stop

if grep -qE 'Sanitizer|runtime error:' "$mq/stdout.log" "$mq/mosquitto.log"
then
	notok "no sanitizer report from the plugin" \
	    "$(grep -A8 -E 'Sanitizer|runtime error:' "$mq/stdout.log" |
	    head -n 20 | tr '\n' '|')"
else
	ok "no sanitizer report from the plugin"
fi
mq_stop
vigild_finish
finish
