#!/bin/bash
# Operating the API: /healthz, /readyz (ready only while the signer
# answers: a stopped signer makes it 503 within the 2 s request
# deadline, and ready again once it answers), /metrics (Prometheus text
# with the required families, audit chain length and checkpoint seq
# moving as entries are appended and signed), a config reload reaching
# the worker's limits, and a graceful stop that lets a request already
# in flight finish.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

metric() {
	curl -s --cacert "$CA" "$BASE/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}

# until_ok SECONDS COMMAND...: retries COMMAND every 0.2 s.
until_ok() {
	_n=$(($1 * 5))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.2
	done
}

# The parent's children: the net worker holds the listening socket,
# the signer does not.
children() {
	ps -o pid= --ppid "$VIGILD_PID" | tr -d ' '
}
net_pid() {
	ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 |
	    grep -v "^$VIGILD_PID\$" | head -1
}

vigild_setup "audit_checkpoint_entries = 2
request_timeout_s = 5"
vigild_start
ADMIN=$(token - root platform-admin fresh)
NET=$(net_pid)
SIGNER=$(children | grep -v "^$NET\$" | head -1)
echo "# parent $VIGILD_PID, net worker $NET, signer $SIGNER"

echo "# health"
api GET /healthz ""
check "/healthz: 200 {\"status\":\"ok\"}" 200 'd' '{"status": "ok"}'
api GET /readyz ""
check "/readyz: 200 {\"status\":\"ready\"} with store and signer up" 200 \
    'd' '{"status": "ready"}'

echo "# metrics"
api GET /metrics ""
check "/metrics is Prometheus text 0.0.4" 200 \
    'h.get("content-type").startswith("text/plain; version=0.0.4")' True
_missing=$("$PY" - "$OUT" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
want = {"vigil_http_requests_total": "counter",
        "vigil_http_request_duration_seconds": "histogram",
        "vigil_http_connections_open": "gauge",
        "vigil_http_connections_rejected_total": "counter",
        "vigil_store_seconds": "histogram",
        "vigil_audit_chain_length": "gauge",
        "vigil_audit_checkpoint_seq": "gauge",
        "vigil_net_workers": "gauge"}
bad = [k for k, v in want.items() if types.get(k) != v]
# Every sample line: name{labels} value, value a number.
for line in text.splitlines():
    if line and not line.startswith("#") and not re.match(
            r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? '
            r'[0-9.e+-]+$', line):
        bad.append("bad line: " + line)
if 'vigil_http_requests_total{route="healthz",code_class="2xx"}' not in text:
    bad.append("no healthz 2xx count")
print(" ".join(bad))
PYEOF
)
if [ -z "$_missing" ]; then
	ok "every required metric family is there, every sample well-formed"
else
	notok "required metric families and well-formed samples" "$_missing"
fi
_open=$(metric vigil_http_connections_open)
if [ "${_open:-0}" -ge 1 ]; then
	ok "vigil_http_connections_open counts the scraping connection ($_open)"
else
	notok "vigil_http_connections_open counts the scraping connection" \
	    "got ${_open:-none}"
fi
_len0=$(metric vigil_audit_chain_length)
api GET /v1/tenants ""
api GET /v1/tenants ""
_len1=$(metric vigil_audit_chain_length)
if [ "$_len1" -eq $((_len0 + 2)) ]; then
	ok "two refused requests add two audit entries ($_len0 -> $_len1)"
else
	notok "two refused requests add two audit entries" "$_len0 -> $_len1"
fi
ckpt_reached() {
	[ "$(metric vigil_audit_checkpoint_seq)" -ge "$1" ]
}
if until_ok 5 ckpt_reached "$_len1"; then
	ok "audit_checkpoint_entries = 2: a signed checkpoint covers them"
else
	notok "a signed checkpoint covers the new entries" \
	    "checkpoint seq $(metric vigil_audit_checkpoint_seq), head $_len1"
fi

echo "# readiness follows the signer"
kill -STOP "$SIGNER"
api GET /v1/tenants ""
api GET /v1/tenants ""
not_ready() {
	api GET /readyz ""
	[ "$STATUS" = 503 ]
}
if until_ok 6 not_ready; then
	ok "signer stopped: /readyz 503 once a checkpoint request times out"
	check "the 503 problem says the signer did not answer" 503 \
	    '"signer did not answer" in d["detail"]' True
else
	notok "signer stopped: /readyz 503" "got $STATUS"
fi
api GET /healthz ""
check "meanwhile the API itself is not held up" 200
kill -CONT "$SIGNER"
ready() {
	api GET /readyz ""
	[ "$STATUS" = 200 ]
}
if until_ok 8 ready; then
	ok "signer answers again: /readyz 200"
else
	notok "signer answers again: /readyz 200" "got $STATUS"
fi

echo "# reload"
head -c 3000 /dev/zero | tr '\0' 'x' >"$WORK/body3k"
post3k() {
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' --cacert "$CA" \
	    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
	    --data-binary "@$WORK/body3k" "$BASE/v1/tenants")
}
post3k
check "a 3000-byte body is under the default limit (so JSON is parsed)" 400
echo "max_body_bytes = 2K" >>"$DATA/vigild.conf"
kill -HUP "$VIGILD_PID"
reloaded() {
	post3k
	[ "$STATUS" = 413 ]
}
if until_ok 5 reloaded; then
	ok "SIGHUP: the worker applies the new max_body_bytes"
	check "its 413 names the new limit" 413 \
	    '"the limit is 2048" in d["detail"]' True
else
	notok "SIGHUP: the worker applies the new max_body_bytes" \
	    "got $STATUS"
fi

echo "# graceful stop"
cat >"$WORK/inflight.py" <<'PYEOF'
import os, socket, ssl, sys, time
port, ca, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                    server_hostname="127.0.0.1")
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
open(os.path.join(work, "inflight.ready"), "w").close()
while not os.path.exists(os.path.join(work, "go")):
    time.sleep(0.05)
s.sendall(b"\r\n")
data = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    data += c
head = data.split(b"\r\n\r\n")[0].decode().lower()
print(head.split()[1], "close" if "connection: close" in head else "keep")
PYEOF
"$PY" "$WORK/inflight.py" "$PORT" "$CA" "$WORK" >"$WORK/inflight.out" 2>&1 &
_py=$!
until_ok 5 test -e "$WORK/inflight.ready" || true
kill -TERM "$VIGILD_PID"
sleep 0.5
touch "$WORK/go"
wait $_py || true
if [ "$(cat "$WORK/inflight.out")" = "200 close" ]; then
	ok "SIGTERM: a request in flight still gets its 200, then Connection: close"
else
	notok "SIGTERM: a request in flight still gets its 200" \
	    "got $(cat "$WORK/inflight.out")"
fi
_rc=0
_i=0
while kill -0 "$VIGILD_PID" 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
wait "$VIGILD_PID" || _rc=$?
if [ $_i -lt 100 ] && [ $_rc -eq 0 ]; then
	ok "vigild exits 0 after draining"
else
	notok "vigild exits 0 after draining" "exit $_rc after $_i x 0.1 s"
fi
VIGILD_PID=
if grep -q 'ERROR: AddressSanitizer\|runtime error' "$WORK/vigild.log"; then
	notok "no sanitizer report in the server log" \
	    "$(grep -m3 'AddressSanitizer\|runtime error' "$WORK/vigild.log")"
else
	ok "no sanitizer report in the server log"
fi

finish
