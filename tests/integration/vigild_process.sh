#!/bin/sh
# vigild's process model end to end: config checks (-n, -nv, exact
# messages, secret file permissions), start on port 0 with 2 workers,
# the process tree (parent + signer + 2 net, children unprivileged when
# started as root), HTTPS through the sandboxed workers, kill -9 of a
# worker and of the signer (restarted, service still answers), SIGHUP
# with a broken config (kept) and a good one (reloaded, restart-only
# keys named), SIGTERM (exit 0 within the drain bound, no children
# left), the restart limit (a signer that cannot start makes vigild give
# up with exit 1), and daemon mode.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
: "${VIGILD:?VIGILD must point at the vigild binary}"

PIDS=""
cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# make_data DIR: config + TLS key/cert + audit key pair, keys 0600.
make_data() {
	mkdir -p "$1/tls" "$1/keys"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/tls/server.key" -out "$1/tls/server.crt" -days 2 \
	    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$1/keys/audit.key"
	openssl pkey -in "$1/keys/audit.key" -pubout -out "$1/keys/audit.pub"
	chmod 600 "$1/tls/server.key" "$1/keys/audit.key"
	cat >"$1/vigild.conf" <<EOF
# test configuration
data_dir = $1
listen = 127.0.0.1:0
workers = 2
request_timeout_s = 2
gateway_listen = 127.0.0.1:0
pki_listen = 127.0.0.1:0
EOF
	chmod 600 "$1/vigild.conf"
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s; 0 when it succeeded.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ $_n -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

children() {
	pgrep -P "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

nchildren() {
	pgrep -P "$1" | wc -l | tr -d ' '
}

healthz() {
	curl -sk --max-time 5 "https://127.0.0.1:$PORT/healthz"
}

D="$WORK/data"
make_data "$D"

# ---- Configuration checks ----------------------------------------------
run "$VIGILD" -n --data "$D"
if [ "$RC" = 0 ] && [ "$(cat "$ERR")" = \
    "vigild: configuration $D/vigild.conf is valid" ] && [ ! -s "$OUT" ]; then
	ok "vigild -n accepts a good config and says so"
else
	notok "vigild -n accepts a good config and says so" "got $(_show)"
fi

run "$VIGILD" -nv -c "$D/vigild.conf"
if [ "$RC" = 0 ] && grep -qx "workers = 2" "$OUT" &&
    grep -qx "listen = 127.0.0.1:0" "$OUT" &&
    grep -qx "database = $D/vigil.db" "$OUT" &&
    grep -qx "max_body_bytes = 1M" "$OUT" &&
    grep -qx "request_timeout_s = 2s" "$OUT" &&
    [ "$(wc -l <"$OUT")" = "$("$VIGILD" --help-config | grep -c '^[a-z]')" ]
then
	ok "vigild -nv prints every key with its normalised value"
else
	notok "vigild -nv prints every key with its normalised value" \
	    "got $(_show)"
fi
cp "$OUT" "$WORK/normal.conf"
chmod 600 "$WORK/normal.conf"
run "$VIGILD" -n -c "$WORK/normal.conf"
expect_rc "the normalised config is itself a valid config" 0

B="$WORK/bad"
make_data "$B"
printf 'listn = 127.0.0.1:1\n' >>"$B/vigild.conf"
run "$VIGILD" -n --data "$B"
expect_err "-n on a config with a typo names line and suggestion" 1 \
    "vigild: $B/vigild.conf:8: unknown key 'listn' (did you mean 'listen'?)"
sed -i '$d' "$B/vigild.conf"
printf 'workers = 65\n' >>"$B/vigild.conf"
run "$VIGILD" -n --data "$B"
expect_err "-n on a duplicate key names both lines" 1 \
    "vigild: $B/vigild.conf:8: duplicate key 'workers' (first set on line 4)"
sed -i '$d' "$B/vigild.conf"

chmod 640 "$B/tls/server.key"
run "$VIGILD" -n --data "$B"
expect_err "a group-readable TLS key is refused with its mode" 1 \
    "vigild: tls_key: $B/tls/server.key: readable or writable by group or others (mode 0640); run chmod 600 on it"
chmod 600 "$B/tls/server.key"
chmod 604 "$B/keys/audit.key"
run "$VIGILD" -f --data "$B"
expect_err "a world-readable audit key stops the start too" 1 \
    "vigild: audit_key: $B/keys/audit.key: readable or writable by group or others (mode 0604); run chmod 600 on it"
chmod 600 "$B/keys/audit.key"
chmod 664 "$B/vigild.conf"
run "$VIGILD" -n --data "$B"
expect_err "a group-writable config file is refused" 1 \
    "vigild: $B/vigild.conf: writable by group or others (mode 0664); run chmod go-w on it"
chmod 600 "$B/vigild.conf"

# ---- Start ---------------------------------------------------------------
# A stand-in for systemd's notification socket records what vigild says.
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        f.flush()
' "$WORK/notify.sock" "$WORK/notify.log" &
NPID=$!
wait_for 10 test -S "$WORK/notify.sock"
LOG="$WORK/vigild.log"
NOTIFY_SOCKET="$WORK/notify.sock" VIGILD_PORT_FILE="$WORK/port" \
    "$VIGILD" -f --data "$D" >"$LOG" 2>&1 &
VPID=$!
PIDS="$VPID $NPID"
if wait_for 30 test -s "$WORK/port" &&
    wait_for 60 grep -q "vigild.ready" "$LOG"; then
	PORT=$(head -n 1 "$WORK/port")
	ok "vigild starts on a free port, writes it and logs ready"
else
	notok "vigild starts on a free port, writes it and logs ready" \
	    "log: $(tr '\n' '|' <"$LOG")"
	finish
	exit 1
fi
if grep -q "listening on https://127.0.0.1:$PORT with 2 net workers" "$LOG"
then
	ok "the log says where it listens"
else
	notok "the log says where it listens" "log: $(tr '\n' '|' <"$LOG")"
fi

if wait_for 10 grep -q "^READY=1 STATUS=serving https://127.0.0.1:$PORT with 2 net workers" "$WORK/notify.log"; then
	ok "systemd is told READY=1 once every child is ready"
else
	notok "systemd is told READY=1 once every child is ready" \
	    "notify: $(tr '\n' '|' <"$WORK/notify.log")"
fi

if [ "$(nchildren "$VPID")" = 3 ]; then
	ok "parent + signer + 2 net workers"
else
	notok "parent + signer + 2 net workers" \
	    "children: $(children "$VPID")"
fi
if [ "$(id -u)" = 0 ]; then
	users=$(ps -o user= -p "$(children "$VPID" | tr ' ' ',')" | sort -u |
	    tr -d ' ')
	if [ "$users" = nobody ]; then
		ok "started as root, every child runs as the configured user"
	else
		notok "started as root, every child runs as the configured user" \
		    "child users: $users"
	fi
fi

# fd hygiene: each worker holds its own listening socket and no other;
# the signer holds none.
if command -v ss >/dev/null && [ "$(id -u)" = 0 ]; then
	ss -ltnpH "sport = :$PORT" >"$WORK/ss" 2>/dev/null || true
	bad=""
	for k in $(children "$VPID"); do
		n=$(grep -o "pid=$k," "$WORK/ss" | wc -l | tr -d ' ')
		case "$n" in 0 | 1) ;; *) bad="$bad $k:$n" ;; esac
	done
	total=$(for k in $(children "$VPID"); do
		grep -o "pid=$k," "$WORK/ss" || true; done | wc -l | tr -d ' ')
	if [ -z "$bad" ] && [ "$total" = 2 ] &&
	    [ "$(grep -c "pid=$VPID," "$WORK/ss")" = 2 ]; then
		ok "each worker holds only its own listening socket"
	else
		notok "each worker holds only its own listening socket" \
		    "per-child counts over limit:$bad; total $total;" \
		    "children: $(children "$VPID"); parent $VPID" \
		    "ss: $(tr '\n' '|' <"$WORK/ss")"
	fi
fi

if wait_for 20 healthz && [ "$(healthz)" = '{"status":"ok"}' ]; then
	ok "GET /healthz through the sandboxed workers"
else
	notok "GET /healthz through the sandboxed workers" \
	    "got: $(healthz || true)"
fi
# Enough requests to reach both SO_REUSEPORT sockets.
before=$(children "$VPID")
okn=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(healthz)" = '{"status":"ok"}' ] && okn=$((okn + 1))
done
if [ $okn = 10 ] && [ "$(children "$VPID")" = "$before" ]; then
	ok "10 requests answered, no worker died in its sandbox"
else
	notok "10 requests answered, no worker died in its sandbox" \
	    "answered $okn; children before: $before, after: $(children "$VPID")"
fi

# ---- Restarts ------------------------------------------------------------
W=$(grep -o 'net\[1\] started (pid [0-9]*)' "$LOG" | tail -1 |
    grep -o '[0-9]*)' | tr -d ')')
kill -9 "$W"
if wait_for 20 sh -c "grep -q 'net\[1\] (pid $W) killed by signal 9' '$LOG' &&
    [ \$(pgrep -P $VPID | wc -l) = 3 ]" &&
    ! kill -0 "$W" 2>/dev/null; then
	ok "a worker killed with -9 is logged and restarted (new pid)"
else
	notok "a worker killed with -9 is logged and restarted (new pid)" \
	    "children: $(children "$VPID"); log: $(tail -5 "$LOG" | tr '\n' '|')"
fi
okn=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(healthz)" = '{"status":"ok"}' ] && okn=$((okn + 1))
done
if [ $okn = 8 ]; then
	ok "the service answers after the worker restart"
else
	notok "the service answers after the worker restart" "answered $okn"
fi

S=$(grep -o 'signer started (pid [0-9]*)' "$LOG" | tail -1 |
    grep -o '[0-9]*)' | tr -d ')')
kill -9 "$S"
if wait_for 20 sh -c "grep -q 'signer (pid $S) killed by signal 9' '$LOG' &&
    grep -q 'signer started' '$LOG' &&
    [ \$(grep -c 'signer (pid [0-9]*) ready' '$LOG') -ge 2 ] &&
    [ \$(pgrep -P $VPID | wc -l) = 3 ]"; then
	ok "a killed signer is restarted and becomes ready"
else
	notok "a killed signer is restarted and becomes ready" \
	    "log: $(tail -6 "$LOG" | tr '\n' '|')"
fi

# ---- Reload --------------------------------------------------------------
cp "$D/vigild.conf" "$WORK/good.conf"
printf 'max_body_bytez = 2M\n' >>"$D/vigild.conf"
kids=$(children "$VPID")
kill -HUP "$VPID"
if wait_for 10 grep -q "reload failed, keeping the running configuration: $D/vigild.conf:8: unknown key 'max_body_bytez' (did you mean 'max_body_bytes'?)" "$LOG" &&
    [ "$(healthz)" = '{"status":"ok"}' ] &&
    [ "$(children "$VPID")" = "$kids" ]; then
	ok "SIGHUP with a broken config keeps the old one and logs why"
else
	notok "SIGHUP with a broken config keeps the old one and logs why" \
	    "log: $(tail -4 "$LOG" | tr '\n' '|')"
fi
cp "$WORK/good.conf" "$D/vigild.conf"
sed -i 's/^workers = 2$/workers = 3/' "$D/vigild.conf"
printf 'max_body_bytes = 2M\nlog_format = json\n' >>"$D/vigild.conf"
kill -HUP "$VPID"
if wait_for 10 grep -q "config.reload.*configuration $D/vigild.conf reloaded" "$LOG" &&
    wait_for 10 grep -q '"msg":"changed keys that need a restart (still running with the old values): workers"' "$LOG" &&
    [ "$(nchildren "$VPID")" = 3 ] && [ "$(healthz)" = '{"status":"ok"}' ]
then
	ok "SIGHUP with a good config reloads it and names restart-only keys"
else
	notok "SIGHUP with a good config reloads it and names restart-only keys" \
	    "log: $(tail -4 "$LOG" | tr '\n' '|')"
fi

# ---- Stop ----------------------------------------------------------------
kids=$(children "$VPID")
start=$(date +%s)
kill -TERM "$VPID"
set +e
wait_for 15 sh -c "! kill -0 $VPID 2>/dev/null"
wait "$VPID"
RC=$?
set -e
took=$(($(date +%s) - start))
PIDS="$NPID"
left=""
for k in $kids; do
	kill -0 "$k" 2>/dev/null && left="$left $k"
done
if [ "$RC" = 0 ] && [ "$took" -le 9 ] && [ -z "$left" ]; then
	ok "SIGTERM: exit 0 within ${took}s (bound 9), no child left"
else
	notok "SIGTERM: exit 0 within the drain bound, no child left" \
	    "exit $RC after ${took}s; children left:$left" \
	    "log: $(tail -5 "$LOG" | tr '\n' '|')"
fi
if grep -q "^RELOADING=1" "$WORK/notify.log" &&
    grep -q "^STOPPING=1" "$WORK/notify.log"; then
	ok "systemd is told RELOADING=1 on SIGHUP and STOPPING=1 on SIGTERM"
else
	notok "systemd is told RELOADING=1 on SIGHUP and STOPPING=1 on SIGTERM" \
	    "notify: $(tr '\n' '|' <"$WORK/notify.log")"
fi
kill "$NPID"
wait "$NPID" 2>/dev/null || true
PIDS=""
if tail -1 "$LOG" | "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["event"]=="vigild.exit" and d["proc"]=="parent", d'
then
	ok "after the reload to log_format = json, lines are JSON objects"
else
	notok "after the reload to log_format = json, lines are JSON objects" \
	    "last line: $(tail -1 "$LOG")"
fi

if grep -qE "runtime error|Sanitizer|SIGSYS|signal 31" "$LOG"; then
	notok "no sanitizer report and no seccomp kill in the whole run" \
	    "$(grep -E "runtime error|Sanitizer|SIGSYS|signal 31" "$LOG" |
	    head -3 | tr '\n' '|')"
else
	ok "no sanitizer report and no seccomp kill in the whole run"
fi

# ---- Restart limit -------------------------------------------------------
L="$WORK/limit"
make_data "$L"
echo "not a key" >"$L/keys/audit.key"
LOG2="$WORK/limit.log"
"$VIGILD" -f --data "$L" >"$LOG2" 2>&1 &
LPID=$!
PIDS="$LPID"
set +e
wait_for 40 sh -c "! kill -0 $LPID 2>/dev/null"
wait "$LPID"
RC=$?
set -e
PIDS=""
if [ "$RC" = 1 ] &&
    grep -q "signer died more than 5 times in 30 s; giving up" "$LOG2"; then
	ok "a signer that cannot load its key makes vigild give up (exit 1)"
else
	notok "a signer that cannot load its key makes vigild give up (exit 1)" \
	    "exit $RC; log: $(tail -4 "$LOG2" | tr '\n' '|')"
fi

# ---- Daemon mode ---------------------------------------------------------
M="$WORK/daemon"
make_data "$M"
rm -f "$WORK/port"
run env VIGILD_PORT_FILE="$WORK/port" "$VIGILD" --data "$M"
if [ "$RC" = 0 ] && wait_for 30 test -s "$WORK/port"; then
	PORT=$(head -n 1 "$WORK/port")
	# The daemon is the match whose parent is not a match (its
	# children are the signer and the workers).
	sleep 1
	all=" $(pgrep -f -- "--data $M" | tr '\n' ' ') "
	DPID=$(for p in $all; do
		pp=$(ps -o ppid= -p "$p" | tr -d ' ')
		case "$all" in *" $pp "*) ;; *) echo "$p" ;; esac
	done | head -1)
	PIDS="$DPID"
	if [ -n "$DPID" ] && wait_for 30 healthz; then
		ok "without -f vigild daemonises and serves"
	else
		notok "without -f vigild daemonises and serves" \
		    "daemon pid '$DPID'"
	fi
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID"
		if wait_for 15 sh -c "! kill -0 $DPID 2>/dev/null"; then
			ok "the daemon stops on SIGTERM"
		else
			notok "the daemon stops on SIGTERM"
		fi
	fi
else
	notok "without -f vigild daemonises and serves" "got $(_show)"
fi

finish
