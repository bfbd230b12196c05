#!/bin/sh
# Crash durability of vigild (issue 3 §4): under load from 8 concurrent
# HTTPS keep-alive clients creating and updating devices (crash_load.py),
# every vigild process (parent, signer, both net workers) is killed with
# SIGKILL while requests are in flight; then the data left on disk must
# pass `vigil audit verify`, vigild must restart on it, and every
# acknowledged create and update must be there with its audit entry and
# X-Request-Id, and no device may exist or have changed without its
# audit entry. Two kill cycles; the second also re-checks the first's
# writes. Ends with a clean SIGTERM and a last verify.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
VIGILD_WORKERS=2
. "$SRCDIR/tests/integration/vigild_env.sh"

LOAD="$SRCDIR/tests/integration/crash_load.py"
CYCLES=${CRASH_CYCLES:-2}   # more for a longer manual soak
THREADS=8
TENANT=crash
DRIVER_PID=
LEFT=
START_S=$(date +%s)

# Whatever happens: no driver, no vigild process (a killed parent's
# children included) and no temp dir is left behind.
cleanup() {
	if [ -n "$DRIVER_PID" ]; then
		kill -9 "$DRIVER_PID" 2>/dev/null || true
		wait "$DRIVER_PID" 2>/dev/null || true
	fi
	_kids=
	if [ -n "$VIGILD_PID" ]; then
		_kids=$(pgrep -P "$VIGILD_PID" || true)
	fi
	vigild_stop
	for _p in $_kids $LEFT; do
		kill -9 "$_p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# alive PID: the process exists and is not a zombie (a killed child
# reparented to a PID 1 that does not reap stays a zombie).
alive() {
	[ -r "/proc/$1/stat" ] &&
	    [ "$(sed 's/.*) \([A-Z]\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# kill_all: SIGKILL to vigild's parent and all its children at once.
# The parent is stopped first so it cannot fork a replacement between
# listing its children and the kill. Sets KILLED to the number of
# processes killed and LEFT to those still alive after 5 s.
kill_all() {
	KILLED=0
	if kill -STOP "$VIGILD_PID" 2>/dev/null; then
		KILLED=1
	fi
	_kids=$(pgrep -P "$VIGILD_PID" | tr '\n' ' ' || true)
	# shellcheck disable=SC2086
	kill -KILL "$VIGILD_PID" $_kids 2>/dev/null || true
	set +e
	wait "$VIGILD_PID" 2>/dev/null
	set -e
	KILLED=$((KILLED + $(echo "$_kids" | wc -w)))
	_left=$_kids
	_i=0
	while [ -n "$_left" ] && [ $_i -lt 50 ]; do
		_still=
		for _p in $_left; do
			if alive "$_p"; then
				_still="$_still $_p"
			fi
		done
		_left=$_still
		[ -z "$_left" ] || sleep 0.1
		_i=$((_i + 1))
	done
	LEFT=$_left
	VIGILD_PID=
}

# collect FILE: counts the "ok - " / "not ok - " lines of FILE through
# lib.sh's ok/notok and passes "#" lines through.
collect() {
	while IFS= read -r _l; do
		case $_l in
		"ok - "*) ok "${_l#ok - }" ;;
		"not ok - "*) notok "${_l#not ok - }" ;;
		"#"*) echo "$_l" ;;
		*) echo "# $_l" ;;
		esac
	done <"$1"
}

# loadf EXPR: EXPR over the load driver's figures d (load-json line).
loadf() {
	sed -n 's/^load-json: //p' "$WORK/load.out" | "$PY" -c \
	    "import json, sys; d = json.load(sys.stdin); print($1)" \
	    2>/dev/null || echo "?"
}

# No rate limit in the way of the load; checkpoints every 50 entries,
# so that signing and storing them is part of what gets killed.
vigild_setup "rate_limit_rps = 1000000
rate_limit_burst = 1000000
audit_checkpoint_entries = 50"
grep -q '^workers = 2$' "$DATA/vigild.conf" || {
	echo "# vigild_setup did not honour VIGILD_WORKERS=2"
	exit 1
}
vigild_start
echo "# vigild on $BASE with 2 workers"
ADMIN=${ADMIN_TOKEN:-$(token - admin platform-admin fresh)}

api POST /v1/tenants "$ADMIN" "{\"name\": \"$TENANT\"}"
check "tenant $TENANT created" 201
# One device-manager token per client thread (per-token rate limits
# and last-used updates are part of the load).
_n=0
: >"$WORK/batch"
while [ $_n -lt $THREADS ]; do
	echo "token $TENANT load$_n device-manager fresh" >>"$WORK/batch"
	_n=$((_n + 1))
done
"$MKADMIN" "$DATA/vigil.db" batch <"$WORK/batch" >"$WORK/tokens"
: >"$WORK/acks.jsonl"

cycle=1
while [ $cycle -le $CYCLES ]; do
	echo "# ---- cycle $cycle: load, kill -9, restart, check"
	_before=$(wc -l <"$WORK/acks.jsonl")
	nkids=$(pgrep -P "$VIGILD_PID" | wc -l | tr -d ' ')
	if [ "$nkids" = 3 ]; then
		ok "cycle $cycle: vigild runs as parent + signer + 2 net workers"
	else
		notok "cycle $cycle: vigild runs as parent + signer + 2 net\
 workers" "children: $(pgrep -a -P "$VIGILD_PID" | tr '\n' '|')"
	fi
	"$PY" "$LOAD" load --base "$BASE" --ca "$CA" --tenant "$TENANT" \
	    --tokens "$WORK/tokens" --prefix "c$cycle" --seconds 15 \
	    --threads $THREADS --acks "$WORK/acks.jsonl" \
	    >"$WORK/load.out" 2>&1 &
	DRIVER_PID=$!
	# Load is flowing once the first acknowledgement is written.
	_i=0
	while [ "$(wc -l <"$WORK/acks.jsonl")" -le "$_before" ] &&
	    [ $_i -lt 100 ] && kill -0 "$DRIVER_PID" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	# 2 to 3 s of load before the kill, so that it lands at a
	# different point of the request cycle each time.
	_r=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	sleep "$(awk -v r="$_r" 'BEGIN { printf "%.2f", 2 + r / 256 }')"
	kill_all
	if [ -z "$LEFT" ] && [ "$KILLED" = 4 ]; then
		ok "cycle $cycle: kill -9 of all 4 vigild processes under load"
	else
		notok "cycle $cycle: kill -9 of all 4 vigild processes under load"\
		    "killed $KILLED; still alive: ${LEFT:-none}" \
		    "$(tail -n 20 "$WORK/vigild.log" | tr '\n' '|')"
	fi
	# The driver's threads stop when the server refuses them.
	_i=0
	while kill -0 "$DRIVER_PID" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	set +e
	kill -9 "$DRIVER_PID" 2>/dev/null
	wait "$DRIVER_PID"
	_drc=$?
	set -e
	DRIVER_PID=
	grep -v '^load-json: ' "$WORK/load.out" | sed 's/^/# /'
	if [ $_drc -eq 0 ] && grep -q '^load-json: ' "$WORK/load.out"; then
		ok "cycle $cycle: load driver stopped by itself after the kill"
	else
		notok "cycle $cycle: load driver stopped by itself after the kill" \
		    "exit $_drc"
	fi
	_n=$(loadf "d['inflight']")
	case $_n in
	0 | "?") notok "cycle $cycle: requests were in flight at the kill" \
	    "in flight: $_n" ;;
	*) ok "cycle $cycle: $_n requests were in flight (sent, no reply) at\
 the kill" ;;
	esac
	_n=$(loadf "d['other']")
	if [ "$_n" = "{}" ]; then
		ok "cycle $cycle: every reply before the kill was 201/200\
 ($(loadf "d['rps']") acknowledged requests/s)"
	else
		notok "cycle $cycle: every reply before the kill was 201/200" \
		    "other replies by status: $_n" \
		    "$(grep '^load: ' "$WORK/load.out")"
	fi
	cat "$WORK/vigild.log" >>"$WORK/vigild-killed.log"

	# What kill -9 left on disk, before vigild touches it again.
	run "$VIGIL" audit verify --data "$DATA"
	expect_out_has "cycle $cycle: vigil audit verify on the killed data:\
 intact" 0 "audit log intact"
	run "$VIGIL" audit export --data "$DATA" --action device.
	cp "$OUT" "$WORK/audit.jsonl"
	_n=$(grep -c . "$WORK/audit.jsonl" || true)
	expect_rc "cycle $cycle: vigil audit export of the device entries\
 ($_n entries)" 0

	vigild_start
	ok "cycle $cycle: vigild restarted on the same data dir, /healthz answers"
	# Ready (store reachable, the new signer answering) within 5 s.
	_i=0
	api GET /readyz ""
	while [ "$STATUS" != 200 ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
		api GET /readyz ""
	done
	check "cycle $cycle: /readyz is 200 after the restart" 200
	api GET /v1/audit/verify "$ADMIN"
	check "cycle $cycle: GET /v1/audit/verify after restart: ok" 200 \
	    "[d['ok'], d['first_bad_seq'] or 0]" '[true, 0]'
	echo "# audit: $(jbody "('%d entries, %d checkpoints, the last at %d'
	    % (d['entries'], d['checkpoints'], d['last_checkpoint_seq']))" \
	    2>/dev/null || true)"

	set +e
	"$PY" "$LOAD" check --base "$BASE" --ca "$CA" --tenant "$TENANT" \
	    --token "$ADMIN" --acks "$WORK/acks.jsonl" \
	    --audit "$WORK/audit.jsonl" >"$WORK/check.out" 2>&1
	_crc=$?
	set -e
	sed -i "s/^\(\(not \)\{0,1\}ok - \)/\1cycle $cycle: /" "$WORK/check.out"
	collect "$WORK/check.out"
	if ! grep -q '^# checker done$' "$WORK/check.out"; then
		notok "cycle $cycle: checker ran to the end" "exit $_crc"
	fi
	cycle=$((cycle + 1))
done

grep -E ' (warn|error) ' "$WORK/vigild-killed.log" | head -n 20 |
    sed 's/^/# vigild (killed): /' || true
if grep -qE 'Sanitizer|runtime error:' "$WORK/vigild-killed.log"; then
	notok "no sanitizer report from the killed vigilds" \
	    "$(grep -A12 -E 'Sanitizer|runtime error:' "$WORK/vigild-killed.log" |
	    head -n 40 | tr '\n' '|')"
else
	ok "no sanitizer report from the killed vigilds"
fi
vigild_finish
run "$VIGIL" audit verify --data "$DATA"
expect_out_has "vigil audit verify after the final SIGTERM: intact" 0 \
    "audit log intact"
_took=$(($(date +%s) - START_S))
if [ $_took -lt $((CYCLES * 30)) ]; then
	ok "the crash test took ${_took} s (< $((CYCLES * 30)) s)"
else
	notok "the crash test took ${_took} s (< $((CYCLES * 30)) s)"
fi
finish
