#!/bin/bash
# pki_gateway.sh — the mutual-TLS device gateway and the PKI HTTP
# listener with the openssl CLI and curl as the device: TLS without a
# client certificate is accepted (token enrollment needs it) but the
# device API answers 401; the gateway's TLS choices (no TLS 1.1, no CA
# names sent, session resumption from the server cache shared by the
# two workers, TLS 1.2 session ids and TLS 1.3 stateful tickets, the
# device still recognised on a resumed session); a certificate
# enrolled over EST gets /device/v1/whoami with its device; routing
# and limits (404, 405 + Allow, 413, no-store, X-Request-Id); the CA
# certificate and the CRL over plain HTTP; after `vigil cert revoke`
# the handshake itself is refused within 1 s, and a resumed session
# of the revoked certificate gets no answer; a quarantined device's
# valid certificate gets 403 naming the reason; the signer does not
# map the session cache.
set -eu
# Two workers: SO_REUSEPORT spreads reconnections over both, so
# resumption works only when they share the session cache.
VIGILD_WORKERS=${VIGILD_WORKERS:-2}
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

vigild_setup "$PKI_CONF"
pki_ca acme acme
pki_device meter-1 SN-GW-METER-1
pki_device meter-2 SN-GW-METER-2
pki_device meter-3 SN-GW-METER-3
vigild_start
pki_ports

# s_client ARGS...: one TLS connection to the gateway, output in $OUT.
s_client() {
	set +e
	openssl s_client -connect "127.0.0.1:$GW_PORT" -CAfile "$GW_CA" \
	    "$@" </dev/null >"$OUT" 2>&1
	RC=$?
	set -e
}

# ---- TLS without a client certificate
s_client -brief
if [ "$RC" = 0 ] && grep -q 'Verification: OK' "$OUT"; then
	ok "TLS handshake without a client certificate succeeds"
else
	notok "TLS handshake without a client certificate succeeds" "$(_show)"
fi
s_client -tls1_1
if [ "$RC" != 0 ]; then
	ok "TLS 1.1 is refused"
else
	notok "TLS 1.1 is refused" "$(_show)"
fi
s_client -tls1_2
if grep -q 'No client certificate CA names sent' "$OUT"; then
	ok "the certificate request names no CAs (tenant names stay private)"
else
	notok "the certificate request names no CAs" \
	    "$(grep -A3 -i 'CA names' "$OUT" | tr '\n' '|')"
fi
for g in X25519:X25519 P-256:prime256v1 P-384:secp384r1; do
	s_client -tls1_3 -groups "${g%%:*}" -brief
	if [ "$RC" = 0 ] && grep -q "Server Temp Key: .*${g#*:}" "$OUT"; then
		g=${g%%:*}
		ok "key exchange group $g is accepted"
	else
		g=${g%%:*}
		notok "key exchange group $g is accepted" "$(_show)"
	fi
done
s_client -tls1_3 -groups ffdhe2048 -brief
if [ "$RC" != 0 ]; then
	ok "finite-field group ffdhe2048 is refused"
else
	notok "finite-field group ffdhe2048 is refused" "$(_show)"
fi
s_client -tls1_2 -sess_out "$WORK/sess.pem"
s_client -tls1_2 -sess_in "$WORK/sess.pem"
if grep -q '^Reused,' "$OUT"; then
	ok "a TLS 1.2 session is resumed from the server-side cache"
else
	notok "a TLS 1.2 session is resumed from the server-side cache" \
	    "$(grep -E '^(New|Reused)' "$OUT")"
fi
s_client -tls1_2 -sess_out "$WORK/sess2.pem"
if ! openssl sess_id -in "$WORK/sess2.pem" -text -noout 2>/dev/null |
    grep -q 'TLS session ticket:'; then
	ok "no stateless session ticket is issued"
else
	notok "no stateless session ticket is issued" \
	    "$(openssl sess_id -in "$WORK/sess2.pem" -text -noout | head -20 |
	    tr '\n' '|')"
fi

# ---- the device API without a certificate
STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' --cacert "$GW_CA" \
    "$GW/device/v1/whoami")
if [ "$STATUS" = 401 ] && grep -q 'client certificate is required' "$OUT"
then
	ok "whoami without a client certificate is 401 with the reason"
else
	notok "whoami without a client certificate is 401 with the reason" \
	    "got HTTP $STATUS: $(head -c 300 "$OUT")"
fi
if [ "$(header Cache-Control)" = no-store ] &&
    [ -n "$(header X-Request-Id)" ]; then
	ok "gateway replies carry Cache-Control: no-store and X-Request-Id"
else
	notok "gateway replies carry Cache-Control: no-store and X-Request-Id" \
	    "$(tr '\r\n' ' |' <"$HDR")"
fi

# ---- routing and limits
gw_call() {
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' \
	    --cacert "$GW_CA" "$@")
}
gw_call "$GW/.well-known/est/$PKI_LABEL/simpleenroll"
if [ "$STATUS" = 405 ] && [ "$(header Allow)" = POST ]; then
	ok "GET on simpleenroll is 405 with Allow: POST"
else
	notok "GET on simpleenroll is 405 with Allow: POST" \
	    "got HTTP $STATUS, Allow: $(header Allow)"
fi
gw_call "$GW/.well-known/est/$PKI_LABEL/nosuchop"
st1=$STATUS
gw_call "$GW/.well-known/est/Bad_Label/cacerts"
st2=$STATUS
gw_call "$GW/admin"
if [ "$st1" = 404 ] && [ "$st2" = 404 ] && [ "$STATUS" = 404 ] &&
    case "$(header Content-Type)" in text/plain*) true ;; *) false ;; esac
then
	ok "unknown EST operation, a bad CA label and other paths are 404 text/plain"
else
	notok "unknown EST operation, a bad CA label and other paths are 404 text/plain" \
	    "got $st1, $st2, $STATUS ($(header Content-Type))"
fi
head -c 20000 /dev/zero | tr '\0' 'A' >"$WORK/big"
gw_call -H 'Content-Type: application/pkcs10' --data-binary "@$WORK/big" \
    "$GW/.well-known/est/$PKI_LABEL/simpleenroll"
if [ "$STATUS" = 413 ]; then
	ok "an EST body over 16 KiB is 413"
else
	notok "an EST body over 16 KiB is 413" "got HTTP $STATUS"
fi

# enroll NAME PREFIX: est_enroll with a fresh token; the certs-only
# reply is base64 with CRLF line breaks (RFC 7030 §4.1.3), which GNU
# base64 -d refuses, so PREFIX.pem is made here when it stayed empty.
enroll() {
	_tok=$(pki_token "$1") || { echo "# no token"; exit 1; }
	est_enroll "$1" "$_tok" "$2"
	if [ "$EST_STATUS" = 200 ] && [ ! -s "$2.pem" ]; then
		tr -d '\r' <"$2.p7" | base64 -d | openssl pkcs7 -inform DER \
		    -print_certs 2>/dev/null | awk '/-----BEGIN/ { p = 1 }
		    p { print } /-----END/ { exit }' >"$2.pem"
	fi
}

# ---- a device enrolls, then the gateway knows it
enroll meter-1 "$WORK/m1"
if [ "$EST_STATUS" != 200 ] || [ ! -s "$WORK/m1.pem" ]; then
	notok "meter-1 enrolls over EST" "got HTTP $EST_STATUS:" \
	    "$(head -c 300 "$WORK/m1.p7")"
	finish
	exit 1
fi
serial=$(cert_serial "$WORK/m1.pem")
run "$VIGIL" device show --tenant acme meter-1 --json
dev_id=$(json 'd["id"]' 2>/dev/null || true)
code=$(gw_whoami "$WORK/m1.pem" "$WORK/m1.key")
cp "$WORK/whoami.out" "$OUT"
if [ "$code" = 200 ] &&
    [ "$(json 'd["device"]["name"]')" = meter-1 ] &&
    [ "$(json 'd["device"]["id"]')" = "$dev_id" ] &&
    [ "$(json 'd["certificate"]["serial"]')" = "$serial" ]; then
	ok "whoami with the enrolled certificate names the device and serial"
else
	notok "whoami with the enrolled certificate names the device and serial" \
	    "got HTTP $code: $(head -c 400 "$WORK/whoami.out")" \
	    "expected device $dev_id, serial $serial"
fi
s_client -brief -cert "$WORK/m1.pem" -key "$WORK/m1.key"
if [ "$RC" = 0 ]; then
	ok "openssl s_client with the device certificate completes the handshake"
else
	notok "openssl s_client with the device certificate completes the handshake" \
	    "$(_show)"
fi

# ---- resumption over both workers, with the device certificate
# gw_resume N SESS ARGS...: N connections asking whoami, each offering
# the session in SESS (made by the first when SESS does not exist) and
# saving the one it ends with there (TLS 1.3 tickets are single-use).
# REUSED counts resumed handshakes, OK200 answers 200 naming meter-1.
gw_resume() {
	_n=$1 _sess=$2
	shift 2
	REUSED=0 OK200=0
	for _ in $(seq "$_n"); do
		_in=
		[ -s "$_sess" ] && _in="-sess_in $_sess"
		set +e
		printf 'GET /device/v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
		    openssl s_client -connect "127.0.0.1:$GW_PORT" \
		    -CAfile "$GW_CA" -ign_eof $_in -sess_out "$_sess.new" \
		    "$@" >"$OUT" 2>&1
		set -e
		if grep -q '^Reused,' "$OUT"; then REUSED=$((REUSED + 1)); fi
		if grep -q '^HTTP/1.1 200' "$OUT" &&
		    grep -q '"meter-1"' "$OUT"; then OK200=$((OK200 + 1)); fi
		if [ -s "$_sess.new" ]; then mv "$_sess.new" "$_sess"; fi
	done
}
gw_resume 11 "$WORK/m1-12.sess" -tls1_2 -cert "$WORK/m1.pem" \
    -key "$WORK/m1.key"
if [ $REUSED -ge 9 ] && [ $OK200 = 11 ]; then
	ok "TLS 1.2 with the device certificate: $REUSED of 10 reconnections resume over 2 workers, whoami knows meter-1 every time"
else
	notok "TLS 1.2 with the device certificate: at least 9 of 10 reconnections resume over 2 workers, whoami knows meter-1 every time" \
	    "resumed $REUSED, whoami 200 $OK200 of 11"
fi
gw_resume 11 "$WORK/m1-13.sess" -tls1_3 -cert "$WORK/m1.pem" \
    -key "$WORK/m1.key"
if [ $REUSED -ge 9 ] && [ $OK200 = 11 ]; then
	ok "TLS 1.3 (stateful tickets, no ticket key): $REUSED of 10 reconnections resume over 2 workers, whoami knows meter-1 every time"
else
	notok "TLS 1.3 (stateful tickets): at least 9 of 10 reconnections resume over 2 workers, whoami knows meter-1 every time" \
	    "resumed $REUSED, whoami 200 $OK200 of 11"
fi
# With SSL_OP_NO_TICKET OpenSSL 3.0 sends stateful tickets (session
# ids in the shared cache) and removes them on use only when early
# data is on (never here): a used ticket resumes again, like a TLS 1.2
# session id, until it expires or the cache is flushed.
cp "$WORK/m1-13.sess" "$WORK/m1-13.used"
gw_resume 1 "$WORK/m1-13.sess" -tls1_3 -cert "$WORK/m1.pem" \
    -key "$WORK/m1.key"
gw_resume 1 "$WORK/m1-13.used" -tls1_3 -cert "$WORK/m1.pem" \
    -key "$WORK/m1.key"
if [ $REUSED = 1 ] && [ $OK200 = 1 ]; then
	ok "a TLS 1.3 stateful ticket offered again resumes again (no 0-RTT, nothing to replay)"
else
	notok "a TLS 1.3 stateful ticket offered again resumes again" \
	    "resumed $REUSED, whoami 200 $OK200"
fi
# Without a client certificate, the session the earlier check saved.
reused=0
for _ in $(seq 10); do
	s_client -tls1_2 -sess_in "$WORK/sess.pem"
	if grep -q '^Reused,' "$OUT"; then reused=$((reused + 1)); fi
done
if [ $reused -ge 9 ]; then
	ok "TLS 1.2 without a client certificate: $reused of 10 reconnections resume over 2 workers"
else
	notok "TLS 1.2 without a client certificate: at least 9 of 10 reconnections resume over 2 workers" \
	    "resumed $reused"
fi
gw_resume 1 "$WORK/m1-keep.sess" -tls1_2 -cert "$WORK/m1.pem" \
    -key "$WORK/m1.key"

# ---- the PKI listener: CA certificate and CRL over plain HTTP
code=$(curl -s -o "$WORK/ca.der" -w '%{http_code}' "$PKI/ca/$PKI_LABEL.crt")
if [ "$code" = 200 ] && openssl x509 -inform DER -in "$WORK/ca.der" \
    -noout 2>/dev/null; then
	ok "GET /ca/<label>.crt serves the CA certificate (DER)"
else
	notok "GET /ca/<label>.crt serves the CA certificate (DER)" \
	    "got HTTP $code"
fi
_i=0
until crl_fetch "$WORK/crl.pem" && [ -s "$WORK/crl.pem" ]; do
	[ $_i -ge 30 ] && break
	sleep 0.1
	_i=$((_i + 1))
done
if [ -s "$WORK/crl.pem" ]; then
	ok "GET /crl/<label>.crl serves a CRL that parses"
else
	notok "GET /crl/<label>.crl serves a CRL that parses" \
	    "last HTTP $CRL_STATUS"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$PKI/crl/nosuch.crl")
if [ "$code" = 404 ]; then
	ok "the CRL of an unknown CA is 404"
else
	notok "the CRL of an unknown CA is 404" "got HTTP $code"
fi

# ---- revocation takes effect at the handshake within a second
run "$VIGIL" cert revoke --tenant acme "$serial" --reason keyCompromise
expect_rc "vigil cert revoke meter-1's certificate" 0
t0=$(date +%s%N)
refused=no
for _ in $(seq 10); do
	s_client -tls1_2 -cert "$WORK/m1.pem" -key "$WORK/m1.key"
	if [ "$RC" != 0 ]; then
		refused=yes
		break
	fi
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $refused = yes ] && [ $ms -le 1500 ]; then
	ok "the TLS handshake with the revoked certificate is refused within 1 s ($ms ms)"
else
	notok "the TLS handshake with the revoked certificate is refused within 1 s" \
	    "refused=$refused after $ms ms; $(tail -n 5 "$OUT" | tr '\n' '|')"
fi
if grep -qi 'certificate revoked' "$OUT"; then
	ok "the refusal is a certificate_revoked alert"
else
	notok "the refusal is a certificate_revoked alert" \
	    "$(grep -i alert "$OUT" | head -n 3 | tr '\n' '|')"
fi
# The revocation flushes the shared cache for both workers within the
# same 1 s bound as the refusal above (a loaded machine may see the
# second worker apply it a little after the first); a request on a
# resumed session re-checks the serial anyway, so none may answer 200.
cp "$WORK/m1-keep.sess" "$WORK/m1-keep.orig"
while :; do
	cp "$WORK/m1-keep.orig" "$WORK/m1-keep.sess"
	gw_resume 4 "$WORK/m1-keep.sess" -tls1_2 -cert "$WORK/m1.pem" \
	    -key "$WORK/m1.key"
	[ $OK200 = 0 ] || break
	[ $REUSED = 0 ] && break
	[ $((($(date +%s%N) - t0) / 1000000)) -le 1500 ] || break
	sleep 0.1
done
if [ $OK200 = 0 ] && [ $REUSED = 0 ]; then
	ok "a session made before the revocation does not resume on any worker"
else
	notok "a session made before the revocation does not resume on any worker" \
	    "resumed $REUSED, whoami 200 $OK200 of 4"
fi
code=$(gw_whoami "$WORK/m1.pem" "$WORK/m1.key")
if [ "$code" != 200 ]; then
	ok "whoami with the revoked certificate (TLS 1.3) is refused (got $code)"
else
	notok "whoami with the revoked certificate (TLS 1.3) is refused" \
	    "got HTTP 200"
fi

# ---- a quarantined device's valid certificate is refused with a reason
enroll meter-2 "$WORK/m2"
code=$(gw_whoami "$WORK/m2.pem" "$WORK/m2.key")
if [ "$EST_STATUS" = 200 ] && [ "$code" = 200 ]; then
	ok "meter-2 enrolls and whoami answers 200"
else
	notok "meter-2 enrolls and whoami answers 200" \
	    "EST $EST_STATUS, whoami $code: $(head -c 300 "$WORK/whoami.out")"
fi
for s in active quarantined; do
	run "$VIGIL" device set-state --tenant acme --reason "gateway test" \
	    meter-2 "$s"
done
expect_rc "vigil device set-state meter-2 quarantined" 0
code=$(gw_whoami "$WORK/m2.pem" "$WORK/m2.key")
if [ "$code" = 403 ] && grep -q 'is quarantined' "$WORK/whoami.out"; then
	ok "whoami of a quarantined device is 403 'device ... is quarantined'"
else
	notok "whoami of a quarantined device is 403 'device ... is quarantined'" \
	    "got HTTP $code: $(head -c 300 "$WORK/whoami.out")"
fi

# ---- a registered manufacturer CA cannot pass its certificates off as
# vigil's: one that bears the issuing CA's name signs a certificate
# without an authority key identifier and with meter-3's serial
enroll meter-3 "$WORK/m3"
serial3=$(cert_serial "$WORK/m3.pem")
isubj=$(openssl x509 -in "$WORK/m3.pem" -noout -issuer -nameopt compat |
    sed 's/^issuer=//')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/evil.key" -out "$WORK/evil.pem" -days 2 -subj "$isubj" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
printf 'subjectKeyIdentifier=none\nauthorityKeyIdentifier=none\nbasicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' \
    >"$WORK/forged.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/forged.key" -subj "/CN=meter-3" -out "$WORK/forged.csr" \
    2>/dev/null
openssl x509 -req -in "$WORK/forged.csr" -CA "$WORK/evil.pem" \
    -CAkey "$WORK/evil.key" -set_serial "0x$serial3" -days 1 \
    -extfile "$WORK/forged.ext" -out "$WORK/forged.pem" 2>/dev/null
run "$VIGIL" ca add-manufacturer --tenant acme --label evil-mfr "$WORK/evil.pem"
expect_rc "a manufacturer CA named like the issuing CA is registered" 0
# The gateway rebuilds its trust store within 2 s of a CA change.
sleep 3
code=$(gw_whoami "$WORK/forged.pem" "$WORK/forged.key")
if [ "$code" != 200 ] && ! grep -q '"meter-3"' "$WORK/whoami.out"; then
	ok "its certificate with meter-3's serial is not taken for meter-3 (HTTP $code)"
else
	notok "a look-alike manufacturer certificate is not taken for meter-3" \
	    "got HTTP $code: $(head -c 300 "$WORK/whoami.out")"
fi
code=$(gw_whoami "$WORK/m3.pem" "$WORK/m3.key")
if [ "$code" = 200 ] && grep -q '"meter-3"' "$WORK/whoami.out"; then
	ok "meter-3's own certificate still works next to the look-alike CA"
else
	notok "meter-3's own certificate still works next to the look-alike CA" \
	    "got HTTP $code: $(head -c 300 "$WORK/whoami.out")"
fi

# ---- the session cache (master secrets) is mapped by the workers only
# It is the one shared anonymous mapping of 40 MiB or more (20480
# entries of 2 KiB); the signer unmaps it when it starts.
with=0 without=0
for pid in $(pgrep -P "$VIGILD_PID"); do
	big=0
	while read -r range _ _ _ _ path; do
		case "$path" in /dev/zero*) ;; *) continue ;; esac
		[ $((16#${range#*-} - 16#${range%-*})) -ge 41943040 ] && big=1
	done <"/proc/$pid/maps"
	if [ $big = 1 ]; then with=$((with + 1)); else without=$((without + 1)); fi
done
if [ $with = 2 ] && [ $without = 1 ]; then
	ok "the shared TLS session cache is mapped by the 2 workers, not by the signer"
else
	notok "the shared TLS session cache is mapped by the 2 workers, not by the signer" \
	    "children mapping it: $with, not mapping it: $without"
fi

vigild_finish
finish
