#!/bin/bash
# bench_pki.sh [BUILD_DIR] — device PKI throughput against its peers
# (issue 4, DESIGN.md §8), all measured in this run:
#
#   est_enroll: EST simpleenroll/s over TLS with P-256 on vigild (one
#       net worker per core), by bench_pki_load: keep-alive mTLS
#       connections authenticated with IDevID client certificates (one
#       per registered device, chaining to a manufacturer CA), POSTing
#       P-256 CSRs made before the clock starts, a fresh key for each
#       enrollment (re-certifying one key thousands of times is not what
#       a fleet does); every 200 is a certificate issued through the
#       signer and recorded. Peer: `openssl speed -seconds
#       3 ecdsap256` sign/s of ONE core (the raw cost of the signature
#       each issuance needs). Goal: ratio >= 0.25.
#   gw_handshake_full / gw_handshake_resumed: mTLS handshakes/s on the
#       device gateway (a new connection per handshake with a device
#       certificate, GET /device/v1/whoami, Connection: close), full
#       (no session reuse) and resumed (the server's session cache, no
#       tickets). Peer: nginx with the same server certificate and key,
#       ssl_verify_client on against the vigil CA chain, the same TLS
#       versions, TLS 1.2 ciphers, groups, a shared session cache,
#       tickets off, one worker per core, answering a small JSON. Goal:
#       ratio >= 0.9.
# Each figure is the median of 3 runs (vigil and nginx alternate). The
# load generator shares the machine's cores with the server it drives,
# the same for both sides: absolute rates mean little, ratios a lot.
#   BENCH_PKI_SECS      seconds per run (default 5)
#   BENCH_PKI_THREADS   load generator threads (default 16)
#   BENCH_PKI_WORKERS   vigild net workers (default: one per core, like
#                       nginx's worker_processes)
#   BENCH_PKI_VERBOSE   1: also print every run's counters
set -eu
build=$(cd "${1:-build}" && pwd)
secs=${BENCH_PKI_SECS:-5}
threads=${BENCH_PKI_THREADS:-16}
vigil=$build/src/vigil/vigil
vigild=$build/src/vigild/vigild
load=$build/bench/bench_pki_load
ncpu=$(nproc)
workers=${BENCH_PKI_WORKERS:-$ncpu}
. "$(dirname "$0")/bench_lib.sh"
bench_need bench_pki "$vigil" "$vigild" "$load" nginx openssl curl python3
bench_workdir vigil-bench-pki
export VIGIL_DATA=$data
fail() {
	echo "bench_pki: $*" >&2
	[ -f "$work/vigild.log" ] && tail -n 20 "$work/vigild.log" >&2
	exit 1
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- vigil: data directory, CA, devices with factory certificates
"$vigil" init --data "$data" --listen 127.0.0.1:0 --json \
    >"$work/init.json" 2>"$work/init.err" ||
	fail "vigil init: $(cat "$work/init.err")"
# Newer `vigil init` writes the listeners itself; ours replace them.
sed -i '/^gateway_listen /d; /^pki_listen /d' "$data/vigild.conf"
cat >>"$data/vigild.conf" <<EOF
workers = $workers
log_level = warn
gateway_listen = 127.0.0.1:0
pki_listen = 127.0.0.1:0
issue_rate = 1000000
max_connections_per_ip = 4096
max_connections = 8192
EOF
"$vigil" tenant create bench >/dev/null
"$vigil" ca init --tenant bench --label bench >"$work/ca.out" 2>&1 ||
	fail "vigil ca init: $(cat "$work/ca.out")"
"$vigil" ca export bench >"$work/chain.pem" 2>"$work/err" ||
	fail "vigil ca export: $(cat "$work/err")"

# A manufacturer CA and 32 devices, each with an IDevID (subject
# serialNumber = its registered serial) and its own LDevID key + CSR.
ndev=32
d=$work/dev
mkdir -p "$d"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$d/mfr.key" -out "$d/mfr.pem" -days 2 \
    -subj "/O=Bench Devices Inc/CN=bench manufacturer CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
"$vigil" ca add-manufacturer --tenant bench --label mfr "$d/mfr.pem" \
    >"$work/err" 2>&1 || fail "vigil ca add-manufacturer: $(cat "$work/err")"
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n' \
    >"$d/idevid.ext"
echo "name,serial" >"$d/devices.csv"
: >"$d/jobs"
for i in $(seq 0 $((ndev - 1))); do
	sn=BENCH-SN-$i
	echo "bench-$i,$sn" >>"$d/devices.csv"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/idev$i.key" -out "$d/idev$i.csr" \
	    -subj "/serialNumber=$sn/CN=bench-$i" 2>/dev/null
	openssl x509 -req -in "$d/idev$i.csr" -CA "$d/mfr.pem" \
	    -CAkey "$d/mfr.key" -set_serial $((1000 + i)) -days 2 \
	    -extfile "$d/idevid.ext" -out "$d/idev$i.pem" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/ldev$i.key" -subj "/CN=bench-$i" -outform DER \
	    -out "$d/ldev$i.der" 2>/dev/null
	echo "csr=$d/ldev$i.der cert=$d/idev$i.pem key=$d/idev$i.key" \
	    >>"$d/jobs"
done
"$vigil" device import --tenant bench "$d/devices.csv" >/dev/null 2>&1 ||
	fail "vigil device import failed"

# ---- vigild
VIGILD_PORT_FILE=$work/port "$vigild" -f -c "$data/vigild.conf" \
    >"$work/vigild.log" 2>&1 &
vpid=$!
for _ in $(seq 200); do
	grep -q '^gateway=' "$work/port" 2>/dev/null && break
	kill -0 "$vpid" 2>/dev/null || fail "vigild did not start"
	sleep 0.1
done
gw=$(sed -n 's/^gateway=//p' "$work/port")
[ -n "$gw" ] || fail "vigild wrote no gateway port"
tlscert=$data/tls/server.crt
tlskey=$data/tls/server.key
# The gateway's certificate and key (gateway_cert/key default to tls_*).
gwcert=$(sed -n 's/^gateway_cert *= *//p' "$data/vigild.conf")
gwkey=$(sed -n 's/^gateway_key *= *//p' "$data/vigild.conf")
[ -n "$gwcert" ] && tlscert=$gwcert
[ -n "$gwkey" ] && tlskey=$gwkey
for _ in $(seq 100); do
	curl -s -o /dev/null --cacert "$tlscert" \
	    "https://127.0.0.1:$gw/.well-known/est/bench/cacerts" && break
	sleep 0.1
done

# One device certificate over EST (IDevID of bench-0) for the
# handshake runs; the enrollment runs below re-enroll all 32 devices.
base64 -w 64 "$d/ldev0.der" >"$d/ldev0.b64"
code=$(curl -s -o "$d/dev0.p7" -w '%{http_code}' --cacert "$tlscert" \
    --cert "$d/idev0.pem" --key "$d/idev0.key" \
    -H 'Content-Type: application/pkcs10' --data-binary "@$d/ldev0.b64" \
    "https://127.0.0.1:$gw/.well-known/est/bench/simpleenroll")
[ "$code" = 200 ] || fail "EST enrollment of bench-0: HTTP $code: \
$(head -c 300 "$d/dev0.p7")"
base64 -d "$d/dev0.p7" | openssl pkcs7 -inform DER -print_certs \
    -out "$d/dev0.pem" 2>/dev/null
openssl verify -CAfile "$work/chain.pem" "$d/dev0.pem" >/dev/null ||
	fail "the enrolled certificate does not verify against the chain"

# ---- nginx: same server certificate, same TLS, verifies the client
nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes $ncpu;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx;
	proxy_temp_path $work/nginx;
	fastcgi_temp_path $work/nginx;
	uwsgi_temp_path $work/nginx;
	scgi_temp_path $work/nginx;
	server {
		listen 127.0.0.1:$nport ssl;
		ssl_certificate $tlscert;
		ssl_certificate_key $tlskey;
		ssl_client_certificate $work/chain.pem;
		ssl_verify_client on;
		ssl_verify_depth 4;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
		ssl_prefer_server_ciphers on;
		ssl_ecdh_curve X25519:P-256:P-384;
		ssl_session_cache shared:SSL:20m;
		ssl_session_timeout 300s;
		ssl_session_tickets off;
		location = /device/v1/whoami {
			default_type application/json;
			add_header Cache-Control no-store;
			return 200 '{"device":{"id":"bench-0"}}';
		}
	}
}
EOF
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
npid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null --cacert "$tlscert" --cert "$d/dev0.pem" \
	    --key "$d/ldev0.key" "https://127.0.0.1:$nport/device/v1/whoami" &&
	    break
	sleep 0.1
done

# ---- runs
# run LABEL ARGS...: one bench_pki_load run; prints its rate, keeps
# its line in $work/runs.
run() {
	_label=$1
	shift
	"$load" -t "$threads" -d "$secs" "$@" >"$work/run.out" \
	    2>"$work/run.err" || fail "$_label: $(cat "$work/run.err")"
	echo "$_label $(cat "$work/run.out")" >>"$work/runs"
	if grep -q 'http_other=[1-9]\|tls_err=[1-9]\|io_err=[1-9]' \
	    "$work/run.out"; then
		echo "# $_label: $(cat "$work/run.out")" >&2
		head -n 3 "$work/run.err" | sed 's/^/#   /' >&2
	fi
	sed -n 's/.* rate=\([0-9.]*\) .*/\1/p' "$work/run.out"
}
median() {
	printf '%s\n' "$@" | sort -g | sed -n 2p
}

# Peer of the enrollment figure: raw P-256 signing, one core.
speed=$(openssl speed -seconds 3 ecdsap256 2>/dev/null |
    awk '/ecdsa \(nistp256\)/ { print $(NF - 1) }')
[ -n "$speed" ] || fail "openssl speed ecdsap256 printed no sign/s"

gwargs=(-p "$gw" -C "$tlscert")
e=()
for _ in 1 2 3; do
	e+=("$(run est_enroll -m enroll "${gwargs[@]}" -j "$d/jobs" \
	    -g $((secs * 3000)) -P /.well-known/est/bench/simpleenroll \
	    -s "$work/first.p7")")
done
if [ -s "$work/first.p7" ]; then
	base64 -d "$work/first.p7" | openssl pkcs7 -inform DER \
	    -print_certs -out "$work/first.pem" 2>/dev/null
	openssl verify -CAfile "$work/chain.pem" "$work/first.pem" \
	    >/dev/null || fail "an enrolled certificate does not verify"
fi

cl=(-c "$d/dev0.pem" -k "$d/ldev0.key" -P /device/v1/whoami)
vf=() nf=() vr=() nr=()
for _ in 1 2 3; do
	vf+=("$(run vigil_full -m handshake-full "${gwargs[@]}" "${cl[@]}")")
	nf+=("$(run nginx_full -m handshake-full -p "$nport" \
	    -C "$tlscert" "${cl[@]}")")
	vr+=("$(run vigil_resumed -m handshake-resumed "${gwargs[@]}" \
	    "${cl[@]}")")
	nr+=("$(run nginx_resumed -m handshake-resumed -p "$nport" \
	    -C "$tlscert" "${cl[@]}")")
done

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}
em=$(median "${e[@]}")
printf 'est_enroll: vigil %.0f enroll/s, peer openssl-speed-ecdsap256 %.0f sign/s (1 core), ratio %s\n' \
    "$em" "$speed" "$(ratio "$em" "$speed")"
a=$(median "${vf[@]}")
b=$(median "${nf[@]}")
printf 'gw_handshake_full: vigil %.0f/s, peer nginx %.0f/s, ratio %s\n' \
    "$a" "$b" "$(ratio "$a" "$b")"
a=$(median "${vr[@]}")
b=$(median "${nr[@]}")
printf 'gw_handshake_resumed: vigil %.0f/s, peer nginx %.0f/s, ratio %s\n' \
    "$a" "$b" "$(ratio "$a" "$b")"
# How many handshakes of the resumed runs were full ones (the server
# did not find the session): those cost time and are not counted.
awk '$1 ~ /_resumed$/ {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "ops") ops[$1] += kv[2]
		if (kv[1] == "not_resumed") nr[$1] += kv[2]
	}
} END {
	for (k in ops)
		printf "# %s: %d resumed, %d not resumed\n", k, ops[k], nr[k]
}' "$work/runs" | sort
[ -n "${BENCH_PKI_VERBOSE:-}" ] && sed 's/^/# run: /' "$work/runs"
grep -E ' (warn|error) ' "$work/vigild.log" | sort | uniq -c |
    sort -rn | head -n 5 | sed 's/^/# vigild: /' || true
