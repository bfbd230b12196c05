#!/bin/bash
# The API's TLS: only TLS 1.2 and 1.3 (1.3 only with tls_min_version =
# 1.3), only ECDHE + AEAD suites in TLS 1.2, server suite order, no
# compression, no renegotiation, no plain-text fallback. Probed with
# `openssl s_client` (client at security level 0 so it really offers
# what the server must refuse, and the refusal is the server's alert),
# with hand-made ClientHellos for what OpenSSL 3 cannot offer any more
# (RC4, 3DES, DEFLATE compression), and with testssl.sh when it
# finishes in time. The server gets an RSA certificate so that RSA key
# exchange and ECDHE-RSA suites can be told apart by configuration,
# not by certificate type.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

TESTSSL_TIMEOUT=${TESTSSL_TIMEOUT:-180}

rsa_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes \
	    -keyout "$DATA/tls/server.key" -out "$CA" -days 2 \
	    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" \
	    2>/dev/null
	chmod 600 "$DATA/tls/server.key"
}

# sclient ARGS...: one handshake, output in $OUT.
sclient() {
	set +e
	timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
	    -servername localhost "$@" </dev/null >"$OUT" 2>&1
	set -e
}

# accepted NAME PROTOCOL CIPHER ARGS...: the handshake succeeds with
# exactly that protocol and suite.
accepted() {
	_name=$1 _proto=$2 _cipher=$3
	shift 3
	sclient "$@"
	if grep -q "^New, $_proto, Cipher is $_cipher\$" "$OUT"; then
		ok "$_name"
	else
		notok "$_name" "expected New, $_proto, Cipher is $_cipher" \
		    "got: $(grep -E '^New,|error' "$OUT" | head -3 | tr '\n' '|')"
	fi
}

# refused NAME ALERT ARGS...: the server answers the ClientHello with
# that alert ("protocol version", "handshake failure"); a client-side
# failure would prove nothing and fails the check.
refused() {
	_name=$1 _alert=$2
	shift 2
	sclient "$@"
	if grep -q "alert $_alert" "$OUT" && ! grep -q '^New, TLS' "$OUT"; then
		ok "$_name"
	else
		notok "$_name" "expected the server's alert '$_alert'" \
		    "got: $(grep -E '^New,|error' "$OUT" | head -3 | tr '\n' '|')"
	fi
}

# A raw TLS 1.2 ClientHello offering the given suites (hex) and
# compression methods; prints "alert <n>" or "hello <suite> <comp>".
cat >"$WORK/hello.py" <<'PYEOF'
import os, socket, struct, sys

port, suites, comps = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cs = b"".join(struct.pack(">H", int(s, 16)) for s in suites.split(","))
cm = bytes(int(c) for c in comps.split(","))

def ext(t, body):
    return struct.pack(">HH", t, len(body)) + body

groups = struct.pack(">H", 6) + struct.pack(">HHH", 0x1d, 0x17, 0x18)
sigs = struct.pack(">H", 12) + struct.pack(">6H", 0x0804, 0x0401, 0x0403,
                                          0x0805, 0x0501, 0x0503)
exts = (ext(0x000a, groups) + ext(0x000b, b"\x01\x00") +
        ext(0x000d, sigs) + ext(0xff01, b"\x00"))
body = (b"\x03\x03" + os.urandom(32) + b"\x00" +
        struct.pack(">H", len(cs)) + cs + bytes([len(cm)]) + cm +
        struct.pack(">H", len(exts)) + exts)
hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
rec = b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs

s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(rec)

def read(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            print("closed")
            sys.exit(0)
        b += c
    return b

typ, _, ln = struct.unpack(">BHH", read(5))
data = read(ln)
if typ == 21:
    print("alert %d" % data[1])
elif typ == 22 and data[0] == 2:
    sid = data[4 + 2 + 32]
    off = 4 + 2 + 32 + 1 + sid
    print("hello %04x %d" % (struct.unpack(">H", data[off:off + 2])[0],
                             data[off + 2]))
else:
    print("record %d" % typ)
PYEOF

# hello NAME EXPECTED SUITES COMPRESSIONS
hello() {
	set +e
	_got=$("$PY" "$WORK/hello.py" "$PORT" "$3" "$4" 2>&1)
	set -e
	if [ "$_got" = "$2" ]; then
		ok "$1"
	else
		notok "$1" "expected $2" "got $_got"
	fi
}

vigild_setup
rsa_cert
vigild_start
LEGACY='@SECLEVEL=0'

echo "# protocol versions"
refused "TLS 1.0 is refused by the server" "protocol version" \
    -tls1 -cipher "DEFAULT:$LEGACY"
refused "TLS 1.1 is refused by the server" "protocol version" \
    -tls1_1 -cipher "DEFAULT:$LEGACY"
accepted "TLS 1.2 is accepted (ECDHE-RSA-AES128-GCM-SHA256 first)" \
    TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 -tls1_2
accepted "TLS 1.3 is accepted" TLSv1.3 TLS_AES_128_GCM_SHA256 -tls1_3

echo "# TLS 1.2 suites"
refused "CBC with SHA-1 (AES128-SHA) is refused" "handshake failure" \
    -tls1_2 -cipher "AES128-SHA:$LEGACY"
refused "ECDHE with CBC (ECDHE-RSA-AES128-SHA) is refused" \
    "handshake failure" -tls1_2 -cipher "ECDHE-RSA-AES128-SHA:$LEGACY"
refused "CBC with SHA-384 (ECDHE-RSA-AES256-SHA384) is refused" \
    "handshake failure" -tls1_2 -cipher "ECDHE-RSA-AES256-SHA384:$LEGACY"
refused "RSA key exchange (AES128-GCM-SHA256) is refused" \
    "handshake failure" -tls1_2 -cipher "AES128-GCM-SHA256:$LEGACY"
refused "finite-field DHE (DHE-RSA-AES128-GCM-SHA256) is refused" \
    "handshake failure" -tls1_2 -cipher "DHE-RSA-AES128-GCM-SHA256:$LEGACY"
refused "NULL encryption (NULL-SHA256) is refused" "handshake failure" \
    -tls1_2 -cipher "NULL-SHA256:$LEGACY"
refused "anonymous (aNULL, ADH-AES128-GCM-SHA256) is refused" \
    "handshake failure" -tls1_2 -cipher "ADH-AES128-GCM-SHA256:$LEGACY"
accepted "ECDHE-RSA-CHACHA20-POLY1305 is accepted" TLSv1.2 \
    ECDHE-RSA-CHACHA20-POLY1305 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
accepted "ECDHE-RSA-AES256-GCM-SHA384 is accepted" TLSv1.2 \
    ECDHE-RSA-AES256-GCM-SHA384 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
# Alert 40 = handshake_failure.
hello "RC4 suites (RC4-SHA, RC4-MD5, ECDHE-RSA-RC4-SHA) are refused" \
    "alert 40" 0005,0004,c011 0
hello "3DES suites (DES-CBC3-SHA, ECDHE-RSA-DES-CBC3-SHA) are refused" \
    "alert 40" 000a,c012 0
hello "export and NULL suites are refused" "alert 40" 0003,0006,0001,0002,c010 0
hello "the server's suite order wins (client prefers ChaCha20, AES-256)" \
    "hello c02f 0" cca8,c030,c02f 0
hello "DEFLATE compression offered first is not taken (null chosen)" \
    "hello c02f 0" c02f 1,0

echo "# renegotiation, compression, plain text"
set +e
(printf 'R\n'; sleep 2) | timeout 20 openssl s_client \
    -connect "127.0.0.1:$PORT" -tls1_2 >"$OUT" 2>&1
set -e
if grep -q RENEGOTIATING "$OUT" && grep -q "no renegotiation" "$OUT"; then
	ok "client-initiated renegotiation is refused (no_renegotiation)"
else
	notok "client-initiated renegotiation is refused (no_renegotiation)" \
	    "got: $(tail -3 "$OUT" | tr '\n' '|')"
fi
sclient -tls1_2
if grep -q '^Compression: NONE' "$OUT"; then
	ok "no TLS compression is negotiated"
else
	notok "no TLS compression is negotiated" "$(grep Compression "$OUT")"
fi
set +e
_plain=$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PORT/healthz" 2>/dev/null)
set -e
if [ "$_plain" = "000" ]; then
	ok "plain HTTP on the TLS port gets no HTTP answer"
else
	notok "plain HTTP on the TLS port gets no HTTP answer" \
	    "got HTTP $_plain"
fi
api GET /healthz ""
check "the API answers over the verified TLS connection" 200 \
    'd["status"]' ok

echo "# testssl.sh"
if ! command -v testssl >/dev/null 2>&1; then
	echo "ok - testssl.sh checks # SKIP testssl is not installed"
else
	set +e
	timeout "$TESTSSL_TIMEOUT" testssl --quiet --color 0 \
	    --warnings batch -p -s -P -R -C --jsonfile "$WORK/testssl.json" \
	    "127.0.0.1:$PORT" >"$WORK/testssl.out" 2>&1
	_rc=$?
	set -e
	if [ $_rc -eq 124 ] || [ ! -s "$WORK/testssl.json" ]; then
		echo "ok - testssl.sh checks # SKIP did not finish within" \
		    "$TESTSSL_TIMEOUT s (exit $_rc)"
	else
		_bad=$("$PY" - "$WORK/testssl.json" <<'PYEOF'
import json, sys
want = {
    "SSLv2": "not offered", "SSLv3": "not offered",
    "TLS1": "not offered", "TLS1_1": "not offered",
    "TLS1_2": "offered", "TLS1_3": "offered with final",
    "cipherlist_NULL": "not offered", "cipherlist_aNULL": "not offered",
    "cipherlist_EXPORT": "not offered", "cipherlist_LOW": "not offered",
    "cipherlist_3DES_IDEA": "not offered",
    "cipherlist_AVERAGE": "not offered",
    "secure_client_renego": "not vulnerable",
    "CRIME_TLS": "not vulnerable",
}
got = {f["id"]: f["finding"] for f in json.load(open(sys.argv[1]))}
bad = ["%s=%r" % (k, got.get(k)) for k, v in want.items() if got.get(k) != v]
if not got.get("cipher_order", "").startswith("server"):
    bad.append("cipher_order=%r" % got.get("cipher_order"))
print(" ".join(bad))
PYEOF
)
		if [ -z "$_bad" ]; then
			_m="testssl.sh: only TLS 1.2/1.3, no weak suite class"
			ok "$_m, server order, no client renegotiation, no CRIME"
		else
			notok "testssl.sh findings" "unexpected: $_bad"
		fi
	fi
fi

echo "# tls_min_version = 1.3"
vigild_stop
sed -i '/^tls_min_version/d' "$DATA/vigild.conf"
echo "tls_min_version = 1.3" >>"$DATA/vigild.conf"
vigild_start
refused "with tls_min_version = 1.3, TLS 1.2 is refused" "protocol version" \
    -tls1_2
accepted "with tls_min_version = 1.3, TLS 1.3 is accepted" TLSv1.3 \
    TLS_AES_128_GCM_SHA256 -tls1_3

vigild_finish
finish
