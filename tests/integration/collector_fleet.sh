#!/bin/bash
# collector_fleet.sh — fleet (model-level) baselines through the real
# collector: devices registered with a model and bound to their
# addresses through the API; softflowd exports a capture in which the
# first cam-x device talks to its cloud, and, after the model's (short,
# configured) learning period, a second cam-x device talks to the same
# cloud and to a host no cam-x device used, and a device of a model
# first seen then (meter) talks to another new host. Only the second
# cam-x device's new host is a new.destination, judged against its
# fleet ("profile": "model") on its first flow, though the device
# itself has just appeared; the meter learns alone.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

if ! command -v softflowd >/dev/null 2>&1; then
	echo "1..0 # SKIP softflowd is not installed"
	exit 77
fi

NET=10.77.
cat >"$WORK/detect.conf" <<EOF
# collector_fleet.sh: our range, and a learning period of 10 s
local_nets = ${NET}0.0/16
learning_s = 10
EOF
trap 'vigild_stop; rm -rf "$WORK"' EXIT
vigild_setup "flow_listen = 127.0.0.1:0
detect_config = $WORK/detect.conf"
# The collector says it is ready at info level.
sed -i 's/^log_level = warn$/log_level = info/' "$DATA/vigild.conf"
vigild_start
FLOW_PORT=$(sed -n 's/^flow=//p' "$WORK/port")
collector_ready
if [ -n "$FLOW_PORT" ]; then
	ok "the collector starts (flows on port $FLOW_PORT)"
else
	notok "the collector starts" "no flow= in the port file"
	finish
	exit 1
fi

api POST /v1/tenants "$ADMIN_TOKEN" '{"name": "acme"}'
check "tenant acme is created" 201
# device NAME MODEL ADDRESS: registered and bound to ADDRESS/32.
device() {
	api POST /v1/tenants/acme/devices "$ADMIN_TOKEN" \
	    "{\"name\": \"$1\", \"model\": \"$2\"}"
	check "device $1 (model $2) is registered" 201
	api PUT /v1/tenants/acme/net-bindings "$ADMIN_TOKEN" \
	    "{\"cidr\": \"$3/32\", \"device\": \"$1\"}"
	case "$STATUS" in
	200 | 201 | 204) ok "$3 is bound to $1" ;;
	*) notok "$3 is bound to $1" "HTTP $STATUS: $(head -c 300 "$OUT")" ;;
	esac
}
device cam-1 cam-x "${NET}0.1"
device cam-2 cam-x "${NET}0.2"
device meter-1 meter "${NET}0.3"

# The capture: complete TCP connections (handshake, data, close) from
# a device to a peer on tcp/443 at an offset from the start, 60 s ago.
"$PY" - "$WORK/fleet.pcap" "$NET" "$(($(date +%s) - 60))" \
    "$SRCDIR/tests/integration" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[4])
from pcap_tcp import connection, write_pcap
path, net, t0 = sys.argv[1], sys.argv[2], float(sys.argv[3])
pk = []
# cam-1 learns its cloud (the model's first device, at 0 s)
pk += connection(t0, net + '0.1', '203.0.113.10', 40001, 443, 200, 600)
pk += connection(t0 + 2, net + '0.1', '203.0.113.10', 40002, 443, 200, 600)
# after the model's 10 s: cam-2 (new) to the same cloud, then elsewhere
pk += connection(t0 + 30, net + '0.2', '203.0.113.10', 40003, 443, 200, 600)
pk += connection(t0 + 31, net + '0.2', '198.51.100.7', 40004, 443, 200, 600)
# meter-1, a model first seen now, to another new host
pk += connection(t0 + 32, net + '0.3', '198.51.100.8', 40005, 443, 200, 600)
write_pcap(path, pk)
PYEOF
timeout 30 softflowd -r "$WORK/fleet.pcap" -n "127.0.0.1:$FLOW_PORT" -v 10 \
    -p "$WORK/softflowd.pid" >"$WORK/softflowd.out" 2>&1 ||
	echo "# softflowd: $(tail -n 5 "$WORK/softflowd.out" | tr '\n' '|')"

# The alerts of ADDRESS in the last reply, as "id:count" items.
of() {
	printf '%s' "','.join('%d:%d' % (x['id'], x['count']) for x in \
	    (d or {}).get('alerts', []) if x.get('address') == '$1')"
}
api_poll "/v1/tenants/acme/alerts?kind=new.destination&limit=100" \
    "$ADMIN_TOKEN" "$(of "${NET}0.2")" || true
ALERT=${POLLED%%:*}
if [ -n "$POLLED" ] && [ "${POLLED#*:}" = 1 ]; then
	ok "the new cam-x device has one new.destination alert, one firing ($POLLED): its flow to the fleet's cloud did not fire"
else
	notok "the new cam-x device has one new.destination alert, one firing" \
	    "got '$POLLED'" "$(head -c 600 "$OUT")"
fi
api GET "/v1/tenants/acme/alerts/${ALERT:-0}" "$ADMIN_TOKEN"
check "... on its first flow to a host no cam-x device used, judged against its fleet (profile model)" \
    200 "[(s['evidence'] or {}).get(k) for s in d.get('samples', [])[:1] for k in ('peer', 'profile')]" \
    '["198.51.100.7", "model"]'
api GET "/v1/tenants/acme/alerts?kind=new.destination&limit=100" \
    "$ADMIN_TOKEN"
check "the meter (a model first seen now) and cam-1 (learning) raise none" \
    200 "$(of "${NET}0.3") + $(of "${NET}0.1")" ""
# Published by the collector once a second.
_i=0
_models=
while [ $_i -lt 30 ] && [ "${_models:-0}" != 2 ]; do
	api GET "/metrics" ""
	_models=$(awk '$1 == "vigil_detect_models" { print $2 }' "$OUT")
	sleep 0.1
	_i=$((_i + 1))
done
if [ "${_models:-0}" = 2 ]; then
	ok "GET /metrics counts 2 fleet baselines (cam-x, meter)"
else
	notok "GET /metrics counts 2 fleet baselines" "got '${_models}'"
fi

finish
