# Shared helpers of the API integration tests; sourced after lib.sh.
#
# vigild_setup builds a data directory with the openssl CLI (TLS key and
# self-signed certificate for 127.0.0.1, Ed25519 audit key pair) and a
# vigild.conf listening on a free loopback port (port 0, read back from
# VIGILD_PORT_FILE), $VIGILD_WORKERS workers (default 1). The device
# gateway and the PKI HTTP listener also get free ports (port 0) unless
# the extra config lines name them. vigild_start runs vigild in the
# foreground and waits until /healthz answers; PORT is the API port (the
# port file's first line), GW_PORT and PKI_PORT those of the gateway
# and the PKI listener ("gateway=" and "pki=" lines; empty when off or
# on a fixed port). The EXIT trap stops it.
# Tokens come from mkadmin (tests/integration/mkadmin.c), which uses
# the IAM library directly, so the API under test is not needed to make
# them. api/api_raw call the API with curl, verifying the certificate.

: "${BUILDDIR:?BUILDDIR must point at the build tree}"
VIGILD=${VIGILD:-$BUILDDIR/src/vigild/vigild}
MKADMIN=${MKADMIN:-$BUILDDIR/tests/integration/mkadmin}
DATA="$WORK/data"
CA="$DATA/tls/server.crt"
HDR="$WORK/headers"
VIGILD_PID=
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

vigild_stop() {
	if [ -n "$VIGILD_PID" ] && kill -0 "$VIGILD_PID" 2>/dev/null; then
		kill -TERM "$VIGILD_PID" 2>/dev/null || true
		_i=0
		while kill -0 "$VIGILD_PID" 2>/dev/null && [ $_i -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -KILL "$VIGILD_PID" 2>/dev/null || true
		wait "$VIGILD_PID" 2>/dev/null || true
	fi
	VIGILD_PID=
}
trap 'vigild_stop; rm -rf "$WORK"' EXIT

# vigild_finish: stops vigild (SIGTERM) and checks it exited cleanly,
# without a sanitizer report in its log (the workers' reports go there).
vigild_finish() {
	if [ -z "$VIGILD_PID" ] || ! kill -0 "$VIGILD_PID" 2>/dev/null; then
		notok "vigild ran until the end of the test" \
		    "$(tail -n 20 "$WORK/vigild.log" | tr '\n' '|')"
		return
	fi
	ok "vigild ran until the end of the test"
	grep -E ' (warn|error) ' "$WORK/vigild.log" | head -n 20 |
	    sed 's/^/# vigild: /' || true
	kill -TERM "$VIGILD_PID"
	set +e
	wait "$VIGILD_PID"
	_rc=$?
	set -e
	VIGILD_PID=
	if [ $_rc -eq 0 ] && ! grep -qE 'Sanitizer|runtime error:' \
	    "$WORK/vigild.log"; then
		ok "vigild stopped on SIGTERM with exit 0, no sanitizer report"
	else
		notok "vigild stopped on SIGTERM with exit 0, no sanitizer report" \
		    "exit $_rc" "$(grep -A12 -E 'Sanitizer|runtime error:' \
		    "$WORK/vigild.log" | head -n 40 | tr '\n' '|')"
	fi
}

# vigild_setup [EXTRA CONFIG LINES]: a data directory, a database and a
# platform admin "admin" (ADMIN_TOKEN, fresh; ADMIN_PASSWORD), made by
# `vigil init` when this build has it, else by the openssl CLI and
# mkadmin.
# _pki_listen_defaults EXTRA: config lines putting the gateway and PKI
# listeners on free ports, for the keys EXTRA does not set itself (a
# key twice is a config error; a fixed default port could collide with
# another vigild on this host).
_pki_listen_defaults() {
	case "$1" in
	*gateway_listen*) ;;
	*) echo "gateway_listen = 127.0.0.1:0" ;;
	esac
	case "$1" in
	*pki_listen*) ;;
	*) echo "pki_listen = 127.0.0.1:0" ;;
	esac
}

vigild_setup() {
	ADMIN_PASSWORD=
	# Workers started by root run as "nobody": they must reach the data
	# directory (vigild chowns it) inside the private temp dir.
	chmod 711 "$WORK"
	if "$VIGIL" init --help >/dev/null 2>&1; then
		"$VIGIL" init --data "$DATA" --listen 127.0.0.1:0 --json \
		    >"$WORK/init.json" 2>"$WORK/init.err" || {
			echo "# vigil init failed: $(cat "$WORK/init.err")"
			exit 1
		}
		ADMIN_TOKEN=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["token"])' "$WORK/init.json")
		ADMIN_PASSWORD=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["password"])' "$WORK/init.json")
		rm -f "$WORK/init.json"
		# init writes only the keys that differ from the defaults
		# (with --listen port 0 the gateway and PKI listeners get
		# port 0 too); a key the test sets itself replaces init's.
		for _k in gateway_listen pki_listen; do
			case "${1:-}" in
			*"$_k"*) sed -i "/^$_k /d" "$DATA/vigild.conf" ;;
			esac
		done
		printf 'workers = %s\nlog_level = warn\n%s\n' \
		    "${VIGILD_WORKERS:-1}" "${1:-}" >>"$DATA/vigild.conf"
		echo "# data directory made by vigil init"
		return
	fi
	mkdir -p "$DATA/tls" "$DATA/keys"
	chmod 711 "$DATA" "$DATA/keys"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$DATA/tls/server.key" -out "$CA" -days 2 \
	    -subj /CN=127.0.0.1 \
	    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	    2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$DATA/keys/audit.key" \
	    2>/dev/null
	openssl pkey -in "$DATA/keys/audit.key" -pubout \
	    -out "$DATA/keys/audit.pub" 2>/dev/null
	chmod 600 "$DATA/tls/server.key" "$DATA/keys/audit.key"
	chmod 644 "$DATA/keys/audit.pub" "$CA"
	cat >"$DATA/vigild.conf" <<EOF
data_dir = $DATA
listen = 127.0.0.1:0
workers = ${VIGILD_WORKERS:-1}
log_level = warn
${1:-}
$(_pki_listen_defaults "${1:-}")
EOF
	chmod 600 "$DATA/vigild.conf"
	ADMIN_PASSWORD="admin password for tests"
	ADMIN_TOKEN=$(token - admin platform-admin fresh "$ADMIN_PASSWORD")
	echo "# data directory made with openssl and mkadmin"
}

vigild_start() {
	rm -f "$WORK/port"
	VIGILD_PORT_FILE="$WORK/port" "$VIGILD" -f -c "$DATA/vigild.conf" \
	    >"$WORK/vigild.log" 2>&1 &
	VIGILD_PID=$!
	_i=0
	while [ ! -s "$WORK/port" ]; do
		if ! kill -0 "$VIGILD_PID" 2>/dev/null || [ $_i -gt 300 ]; then
			echo "# vigild did not start:"
			sed 's/^/#   /' "$WORK/vigild.log"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	# The first line is the API port; the parent adds "gateway=" and
	# "pki=" lines before it starts the workers.
	PORT=$(head -n 1 "$WORK/port")
	BASE="https://127.0.0.1:$PORT"
	_i=0
	until curl -s -o /dev/null --cacert "$CA" "$BASE/healthz"; do
		if [ $_i -gt 300 ]; then
			echo "# vigild does not answer on $BASE"
			sed 's/^/#   /' "$WORK/vigild.log"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	GW_PORT=$(sed -n 's/^gateway=//p' "$WORK/port")
	PKI_PORT=$(sed -n 's/^pki=//p' "$WORK/port")
}

# token SCOPE NAME ROLE fresh|stale [PASSWORD]: prints a token (and
# sets TOKEN_ID to its id).
token() {
	_line=$("$MKADMIN" "$DATA/vigil.db" token "$@")
	TOKEN_ID=${_line#* }
	printf '%s\n' "${_line%% *}"
}

# api METHOD PATH TOKEN [JSON BODY] [CURL ARGS...]: the reply body goes
# to $OUT, headers to $HDR, the status to $STATUS.
api() {
	_m=$1 _p=$2 _t=$3
	shift 3
	_b=
	if [ $# -gt 0 ]; then
		_b=$1
		shift
	fi
	if [ -n "$_t" ]; then
		set -- -H "Authorization: Bearer $_t" "$@"
	fi
	if [ -n "$_b" ]; then
		set -- -H 'Content-Type: application/json' --data-binary "$_b" \
		    "$@"
	fi
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' -X "$_m" \
	    --cacert "$CA" "$@" "$BASE$_p")
}

# api_raw METHOD PATH TOKEN CONTENT-TYPE FILE: a raw body from FILE.
api_raw() {
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' -X "$1" \
	    --cacert "$CA" -H "Authorization: Bearer $3" \
	    -H "Content-Type: $4" --data-binary "@$5" "$BASE$2")
}

# header NAME: the value of a response header of the last call.
header() {
	tr -d '\r' <"$HDR" | awk -v h="$1" 'BEGIN { h = tolower(h) }
	    { n = index($0, ":"); if (n && tolower(substr($0, 1, n - 1)) == h) {
	      v = substr($0, n + 1); sub(/^[ \t]+/, "", v); print v } }' |
	    tail -n 1
}

# jbody EXPR: a Python expression over the last reply body (d = the
# parsed JSON document, h = the headers as a lower-case dict), printed
# (JSON for lists and dicts).
jbody() {
	"$PY" - "$OUT" "$HDR" "$1" <<'PYEOF'
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(raw)
except ValueError:
    d = None
h = {}
for l in open(sys.argv[2], encoding="latin-1"):
    if ":" in l:
        k, v = l.split(":", 1)
        h[k.strip().lower()] = v.strip()
v = eval(sys.argv[3])
print(json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v)
PYEOF
}

# collector_ready: waits (30 s) for the collector's "collecting:" line
# (logged at info level) before anything is sent, so failures are
# about the right thing; on a timeout: not ok, and the test ends.
collector_ready() {
	_n=0
	until grep -q 'collecting:' "$WORK/vigild.log"; do
		if [ $_n -gt 300 ]; then
			notok "the collector starts" \
			    "$(tail -n 20 "$WORK/vigild.log" | tr '\n' '|')"
			finish
			exit 1
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
}

# api_poll PATH TOKEN EXPR: GETs PATH every 0.1 s for up to 15 s until
# jbody EXPR prints something other than "" or "[]"; that value is left
# in $POLLED (empty after a timeout, when it returns 1).
api_poll() {
	_n=0
	POLLED=
	while [ $_n -lt 150 ]; do
		api GET "$1" "$2"
		POLLED=$(jbody "$3" 2>/dev/null || true)
		case "$POLLED" in
		"" | "[]") ;;
		*) return 0 ;;
		esac
		sleep 0.1
		_n=$((_n + 1))
	done
	POLLED=
	return 1
}

# check NAME EXPECTED_STATUS [PYTHON EXPR EXPECTED]: status of the last
# call, and optionally jbody EXPR == EXPECTED.
check() {
	if [ "$STATUS" != "$2" ]; then
		notok "$1" "expected HTTP $2" \
		    "got HTTP $STATUS: $(head -c 600 "$OUT" | tr '\n' '|')"
		return
	fi
	if [ $# -lt 4 ]; then
		ok "$1"
		return
	fi
	set +e
	_got=$(jbody "$3" 2>&1)
	set -e
	if [ "$_got" = "$4" ]; then
		ok "$1"
	else
		notok "$1" "expected $3 == $4" "got $_got;" \
		    "body: $(head -c 600 "$OUT" | tr '\n' '|')"
	fi
}
