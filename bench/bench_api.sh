#!/bin/bash
# bench_api.sh [BUILD_DIR] — GET one device over HTTPS keep-alive.
#
#   vigil: GET /v1/tenants/{t}/devices/{id} on vigild (all net workers,
#          one per core), with a bearer token: TLS, routing, token
#          authentication (SHA-256 + store lookup), tenant resolution,
#          permission check, the device read and its JSON;
#   peer:  nginx serving the same JSON bytes as a static file, same
#          certificate, same TLS versions, suites, groups and options,
#          one worker per core (the physical limit of "HTTPS + a
#          response of that size" on this machine).
# Load: wrk -t2 -c50 -d10s --latency against each, one after the other.
# Prints "api_get_device: vigil X req/s p99 Y ms, peer nginx X req/s
# p99 Y ms, ratio R" with R = vigil req/s / nginx req/s (DESIGN.md §8).
#   BENCH_DURATION   wrk duration (default 10s)
set -eu
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
dur=${BENCH_DURATION:-10s}
vigild=$build/src/vigild/vigild
mkadmin=$build/tests/integration/mkadmin
. "$(dirname "$0")/bench_lib.sh"
bench_need bench_api "$vigild" "$mkadmin" nginx wrk openssl curl
bench_workdir vigil-bench
mkdir -p "$data/tls" "$data/keys"
chmod 711 "$data" "$data/keys"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Keys and config, as vigil init would make them.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$data/tls/server.key" -out "$data/tls/server.crt" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$data/keys/audit.key" 2>/dev/null
openssl pkey -in "$data/keys/audit.key" -pubout \
    -out "$data/keys/audit.pub" 2>/dev/null
chmod 600 "$data/tls/server.key" "$data/keys/audit.key"
chmod 644 "$data/tls/server.crt" "$data/keys/audit.pub"
cat >"$data/vigild.conf" <<EOF
data_dir = $data
listen = 127.0.0.1:0
log_level = warn
max_connections_per_ip = 1000
rate_limit_rps = 1000000
rate_limit_burst = 1000000
EOF
chmod 600 "$data/vigild.conf"
"$mkadmin" "$data/vigil.db" init
"$mkadmin" "$data/vigil.db" tenant bench >/dev/null
line=$("$mkadmin" "$data/vigil.db" token bench bench device-manager fresh)
token=${line%% *}

VIGILD_PORT_FILE=$work/port "$vigild" -f -c "$data/vigild.conf" \
    >"$work/vigild.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do
	[ -s "$work/port" ] && break
	sleep 0.1
done
port=$(cat "$work/port")
base=https://127.0.0.1:$port
ca=$data/tls/server.crt
for _ in $(seq 100); do
	curl -s -o /dev/null --cacert "$ca" "$base/healthz" && break
	sleep 0.1
done
curl -sf --cacert "$ca" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -o /dev/null \
    -d '{"name":"bench-1","model":"sensor-x","region":"eu-west",
    "labels":{"site":"lab","rack":"r1"},
    "identifiers":[{"type":"mac","value":"02:00:00:00:00:01"},
    {"type":"serial","value":"SN-0001"}]}' \
    "$base/v1/tenants/bench/devices"
path=/v1/tenants/bench/devices/bench-1
curl -sf --cacert "$ca" -H "Authorization: Bearer $token" \
    -o "$work/device.json" "$base$path"

# nginx: same TLS settings as src/vigild/tls.c, same body as a file.
nport=$(free_port)
mkdir -p "$work/www/v1/tenants/bench/devices" "$work/nginx"
cp "$work/device.json" "$work/www$path"
chmod -R a+rX "$work/www"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $work/nginx;
	proxy_temp_path $work/nginx;
	fastcgi_temp_path $work/nginx;
	uwsgi_temp_path $work/nginx;
	scgi_temp_path $work/nginx;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$nport ssl;
		ssl_certificate $data/tls/server.crt;
		ssl_certificate_key $data/tls/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
		ssl_prefer_server_ciphers on;
		ssl_ecdh_curve X25519:P-256:P-384;
		ssl_session_tickets off;
		root $work/www;
		default_type application/json;
		add_header Cache-Control no-store;
		add_header X-Content-Type-Options nosniff;
		add_header Strict-Transport-Security max-age=31536000;
	}
}
EOF
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
npid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null --cacert "$ca" "https://127.0.0.1:$nport$path" &&
	    break
	sleep 0.1
done
cmp -s "$work/device.json" <(curl -s --cacert "$ca" \
    "https://127.0.0.1:$nport$path") || {
	echo "bench_api: nginx does not serve the device JSON" >&2
	exit 1
}

# wrk_run URL [HEADER]: prints "REQ_PER_S P99_MS".
wrk_run() {
	if [ $# -gt 1 ]; then
		wrk -t2 -c50 -d"$dur" --latency -H "$2" "$1"
	else
		wrk -t2 -c50 -d"$dur" --latency "$1"
	fi >"$work/wrk.out" 2>&1
	awk '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /s$/) return v * 1000
		return v
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END {
		if (bad != "") { print "error " bad " non-2xx"; exit 1 }
		printf "%.0f %.2f\n", rps, p99
	}' "$work/wrk.out"
}

read -r v_rps v_p99 < <(wrk_run "$base$path" "Authorization: Bearer $token")
read -r n_rps n_p99 < <(wrk_run "https://127.0.0.1:$nport$path")
awk -v vr="$v_rps" -v vp="$v_p99" -v nr="$n_rps" -v np="$n_p99" 'BEGIN {
	printf "api_get_device: vigil %d req/s p99 %.2f ms, peer nginx %d " \
	    "req/s p99 %.2f ms, ratio %.2f\n", vr, vp, nr, np,
	    (nr > 0 ? vr / nr : 0) }'
