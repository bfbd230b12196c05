#!/bin/bash
# EST (RFC 7030 + RFC 8951) on the device gateway with real clients:
# curl as the HTTP client and the openssl CLI for keys, CSRs, PKCS#7
# and verification, as a device maker would script it. Proves: cacerts
# and csrattrs decode with openssl; token enrollment (HTTP Basic and
# Bearer) yields a certificate whose identity comes from the registry,
# not the CSR; replayed, wrong and missing tokens, a broken CSR
# signature, an RSA-1024 key and a CSR naming another device get the
# exact errors; IDevID and fleet-claim enrollment; simplereenroll keeps
# subject and SAN and needs the current certificate; approval mode
# answers 202 + Retry-After until an operator approves; every
# enrollment shows in `vigil cert list` and `vigil audit`.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

T=acme
URN1=urn:dev:ops:32473-Sensor-0001

vigild_setup "gateway_listen = 127.0.0.1:0
pki_listen = off"

v() { "$VIGIL" --data "$DATA" --tenant "$T" "$@"; }

# ---- data: tenant, devices, CAs, tokens (all before vigild starts, so
# the gateway's trust store has the manufacturer and claim CAs) ----
"$VIGIL" --data "$DATA" tenant create "$T" >/dev/null
v device add --name dev1 --serial SN-0001 --dev-urn "$URN1" >/dev/null
v device add --name dev2 --serial SN-0002 >/dev/null
v device add --name dev3 --serial SN-0003 >/dev/null
v device add --name dev4 --serial SN-0004 >/dev/null
v device add --name dev5 --serial SN-0005 >/dev/null
DEV1=$(v --json device show dev1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
run v --json ca init --label "$T"
if [ "$RC" != 0 ]; then
	echo "# vigil ca init failed: $(cat "$ERR")"
	exit 1
fi

# token DEVICE: a fresh enrollment token (printed once by the CLI).
token() {
	v --json enroll token "$1" --ttl 1h |
	    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
TOK1=$(token dev1)
TOK2=$(token dev2)
TOK5=$(token dev5)

# A manufacturer (IDevID) CA and a fleet-claim CA made with openssl, as
# a factory would have them; vigil only gets their certificates.
mkca() { # NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$1.key" -out "$WORK/$1.pem" -days 30 -subj "/O=Maker/CN=$2" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' \
    >"$WORK/leaf.ext"
mkleaf() { # CA NAME SUBJECT
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$2.key" -subj "$3" -out "$WORK/$2.csr" 2>/dev/null
	openssl x509 -req -in "$WORK/$2.csr" -CA "$WORK/$1.pem" \
	    -CAkey "$WORK/$1.key" -CAcreateserial -days 30 \
	    -extfile "$WORK/leaf.ext" -out "$WORK/$2.pem" 2>/dev/null
}
mkca mfr "Maker IDevID CA"
mkca claimca "Fleet claim CA"
mkleaf mfr idev3 "/serialNumber=SN-0003/CN=maker sensor"
mkleaf mfr idev9 "/serialNumber=SN-9999/CN=maker sensor"
mkleaf claimca claim "/CN=fleet claim"
run v ca add-manufacturer --label acme-mfr "$WORK/mfr.pem"
expect_rc "a manufacturer CA is registered for the tenant" 0
run v ca add-claim --label acme-claim "$WORK/claimca.pem"
expect_rc "a fleet-claim CA is registered for the tenant" 0
run v enroll allow 02-42-ac-11-00-02
expect_rc "MAC 02-42-ac-11-00-02 goes on the claim allow-list" 0

vigild_start
_i=0
GW_PORT=
while [ -z "$GW_PORT" ] && [ $_i -lt 100 ]; do
	GW_PORT=$(sed -n 's/^gateway=//p' "$WORK/port")
	[ -n "$GW_PORT" ] || sleep 0.1
	_i=$((_i + 1))
done
if [ -z "$GW_PORT" ]; then
	echo "# vigild wrote no gateway port: $(cat "$WORK/port")"
	exit 1
fi
EST="https://127.0.0.1:$GW_PORT/.well-known/est"

# est METHOD PATH [CURL ARGS...]: body to $OUT, headers to $HDR, status
# to $STATUS.
est() {
	_m=$1 _p=$2
	shift 2
	STATUS=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' -X "$_m" \
	    --cacert "$CA" "$@" "$EST/$_p")
}
# enroll PATH CSR.b64 [CURL ARGS...]: POST a base64 CSR.
enroll() {
	_p=$1 _c=$2
	shift 2
	est POST "$_p" -H 'Content-Type: application/pkcs10' \
	    --data-binary "@$_c" "$@"
}
# csr NAME SUBJECT [REQ ARGS...]: key NAME.key and base64 DER CSR
# NAME.b64 (P-256 unless other -newkey arguments are given).
csr() {
	_n=$1 _s=$2
	shift 2
	[ $# -gt 0 ] || set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
	openssl req -new "$@" -nodes -keyout "$WORK/$_n.key" -subj "$_s" \
	    -outform DER -out "$WORK/$_n.der" 2>/dev/null
	base64 -w 64 "$WORK/$_n.der" >"$WORK/$_n.b64"
}
# status_is NAME CODE [SUBSTRING]: the last call's status and a
# substring of its text/plain body.
status_is() {
	if [ "$STATUS" = "$2" ] && { [ $# -lt 3 ] || grep -qF -- "$3" "$OUT"; }
	then
		ok "$1"
	else
		notok "$1" "expected HTTP $2${3:+ with body containing: $3}" \
		    "got HTTP $STATUS: $(head -c 400 "$OUT" | tr '\r\n' '  ')"
	fi
}
# certs FILE.pem: the last reply, a certs-only PKCS#7, as PEM.
certs() {
	base64 -d "$OUT" | openssl pkcs7 -inform DER -print_certs -out "$1"
}

# ---- /cacerts, /csrattrs ----
est GET "$T/cacerts"
status_is "cacerts answers 200 without client authentication" 200
if [ "$(header content-type)" = application/pkcs7-mime ] &&
    [ -z "$(header content-transfer-encoding)" ]; then
	ok "cacerts is application/pkcs7-mime without Content-Transfer-Encoding (RFC 8951)"
else
	notok "cacerts content type" "got $(tr '\r\n' '  ' <"$HDR")"
fi
if certs "$WORK/cacerts.pem" 2>"$ERR" &&
    [ "$(grep -c 'BEGIN CERTIFICATE' "$WORK/cacerts.pem")" -ge 2 ]; then
	ok "cacerts decodes with base64 -d | openssl pkcs7 -print_certs: issuing CA and root"
else
	notok "cacerts decodes with openssl pkcs7" "$(cat "$ERR")"
fi
est GET cacerts
status_is "cacerts without a label serves the only active issuing CA" 200
est GET nosuch/cacerts
status_is "cacerts of an unknown CA label is 404" 404 "no issuing CA"
est GET acme-mfr/cacerts
status_is "a label naming a manufacturer CA is 404 (not an issuing CA)" 404
est GET "$T/csrattrs"
status_is "csrattrs answers 200" 200
if [ "$(header content-type)" = application/csrattrs ] &&
    base64 -d "$OUT" | openssl asn1parse -inform DER >"$WORK/attrs" 2>&1 &&
    grep -q -e prime256v1 -e ecdsa-with-SHA256 "$WORK/attrs"; then
	ok "csrattrs is application/csrattrs and asks for a P-256 key (openssl asn1parse)"
else
	notok "csrattrs parses with openssl asn1parse" \
	    "$(head -c 400 "$WORK/attrs" | tr '\n' '|')"
fi

# ---- /simpleenroll with a token ----
csr d1 "/CN=evil"
enroll "$T/simpleenroll" "$WORK/d1.b64"
status_is "simpleenroll without credentials is 401" 401 "authentication required"
if header www-authenticate | grep -qF 'Basic realm="vigil EST"'; then
	ok "the 401 carries WWW-Authenticate: Basic realm=\"vigil EST\" (RFC 7030 §3.2.3)"
else
	notok "WWW-Authenticate on 401" "got $(tr '\r\n' '  ' <"$HDR")"
fi
enroll "$T/simpleenroll" "$WORK/d1.b64" --user "dev1:vet_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
status_is "simpleenroll with a wrong token is 401 unknown enrollment token" 401 \
    "unknown enrollment token"
est POST "$T/simpleenroll" -H 'Content-Type: text/plain' \
    --data-binary "@$WORK/d1.b64" --user "dev1:$TOK1"
status_is "simpleenroll with a Content-Type other than application/pkcs10 is 415" 415

# Broken proof of possession: the last byte of the signature flipped.
"$PY" - "$WORK/d1.der" "$WORK/bad.der" <<'PYEOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[-1] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PYEOF
base64 -w 64 "$WORK/bad.der" >"$WORK/bad.b64"
enroll "$T/simpleenroll" "$WORK/bad.b64" --user "dev1:$TOK1"
status_is "a CSR with a broken signature is 400 (proof of possession)" 400 "signature"
csr rsa1024 "/CN=dev1" -newkey rsa:1024
enroll "$T/simpleenroll" "$WORK/rsa1024.b64" --user "dev1:$TOK1"
status_is "a CSR with an RSA-1024 key is 400 naming the key size" 400 "1024"
csr other "/serialNumber=SN-0002/CN=dev2"
enroll "$T/simpleenroll" "$WORK/other.b64" --user "dev1:$TOK1"
status_is "a CSR naming another device is 403 (CSR for another identity)" 403 \
    "CSR for another identity"
enroll "$T/simpleenroll" "$WORK/d1.b64" --user "dev2:$TOK1"
status_is "Basic with a user that is not the token's device is 403" 403

enroll "$T/simpleenroll" "$WORK/d1.b64" --user "dev1:$TOK1"
status_is "simpleenroll with the token (HTTP Basic) is 200" 200
if [ "$(header content-type)" = "application/pkcs7-mime; smime-type=certs-only" ]; then
	ok "the enrollment answer is application/pkcs7-mime; smime-type=certs-only"
else
	notok "enrollment content type" "got $(header content-type)"
fi
certs "$WORK/d1.pem" 2>/dev/null || true
openssl x509 -in "$WORK/d1.pem" -noout -text >"$WORK/d1.txt" 2>&1 || true
if grep -qF "URI:$URN1" "$WORK/d1.txt" &&
    openssl x509 -in "$WORK/d1.pem" -noout -subject -nameopt RFC2253 |
    grep -q 'serialNumber=SN-0001' && ! grep -q evil "$WORK/d1.txt"; then
	ok "the certificate says the registry's identity (SAN $URN1, serialNumber SN-0001), not the CSR's CN=evil"
else
	notok "identity from the registry" "$(grep -E 'Subject:|URI:' "$WORK/d1.txt" | tr '\n' '|')"
fi
if openssl verify -CAfile "$WORK/cacerts.pem" -purpose sslclient \
    "$WORK/d1.pem" >"$WORK/verify" 2>&1; then
	ok "the certificate verifies against cacerts as a TLS client certificate"
else
	notok "openssl verify of the issued certificate" "$(cat "$WORK/verify")"
fi
enroll "$T/simpleenroll" "$WORK/d1.b64" --user "dev1:$TOK1"
status_is "the same token again is 401 already used (replay)" 401 "already used"

csr d5 "/CN=dev5"
enroll "$T/simpleenroll" "$WORK/d5.b64" -H "Authorization: Bearer $TOK5"
status_is "simpleenroll with the token as Bearer is 200" 200

# A device certificate is not a credential for a first enrollment.
csr d1b "/CN=dev1"
enroll "$T/simpleenroll" "$WORK/d1b.b64" --cert "$WORK/d1.pem" --key "$WORK/d1.key"
status_is "simpleenroll with a device certificate is 403 already enrolled" 403 \
    "already enrolled: use simplereenroll"

# ---- /simplereenroll ----
SUBJ1=$(openssl x509 -in "$WORK/d1.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
openssl req -new -key "$WORK/d1.key" -subj "$SUBJ1" -outform DER \
    -out "$WORK/re.der" 2>/dev/null
base64 -w 64 "$WORK/re.der" >"$WORK/re.b64"
enroll "$T/simplereenroll" "$WORK/re.b64"
status_is "simplereenroll without a client certificate is 401" 401
enroll "$T/simplereenroll" "$WORK/re.b64" --user "dev2:$TOK2"
status_is "simplereenroll with only a token is 401" 401
enroll "$T/simplereenroll" "$WORK/d1b.b64" --cert "$WORK/d1.pem" --key "$WORK/d1.key"
status_is "simplereenroll with a CSR of another subject is 400" 400 "differs from the current certificate"
enroll "$T/simplereenroll" "$WORK/re.b64" --cert "$WORK/d1.pem" --key "$WORK/d1.key"
status_is "simplereenroll with the current certificate is 200" 200
certs "$WORK/re.pem" 2>/dev/null || true
s_old=$(openssl x509 -in "$WORK/d1.pem" -noout -serial 2>/dev/null)
s_new=$(openssl x509 -in "$WORK/re.pem" -noout -serial 2>/dev/null)
san() { openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2; }
subj() { openssl x509 -in "$1" -noout -subject 2>/dev/null; }
if [ -n "$s_new" ] && [ "$s_old" != "$s_new" ] &&
    [ "$(subj "$WORK/d1.pem")" = "$(subj "$WORK/re.pem")" ] &&
    [ "$(san "$WORK/d1.pem")" = "$(san "$WORK/re.pem")" ]; then
	ok "the renewed certificate has the same subject and SAN and a new serial"
else
	notok "renewed certificate" "old $s_old $(subj "$WORK/d1.pem")" \
	    "new $s_new $(subj "$WORK/re.pem")"
fi
enroll "$T/simplereenroll" "$WORK/re.b64" --cert "$WORK/idev3.pem" --key "$WORK/idev3.key"
status_is "simplereenroll with a manufacturer certificate is 403" 403

# ---- IDevID ----
csr d3 "/CN=anything"
enroll "$T/simpleenroll" "$WORK/d3.b64" --cert "$WORK/idev3.pem" --key "$WORK/idev3.key"
status_is "simpleenroll with an IDevID whose serialNumber is registered is 200" 200
certs "$WORK/d3.pem" 2>/dev/null || true
if openssl x509 -in "$WORK/d3.pem" -noout -subject -nameopt RFC2253 2>/dev/null |
    grep -q 'serialNumber=SN-0003'; then
	ok "the IDevID enrollment certifies device SN-0003"
else
	notok "IDevID enrollment subject" "$(subj "$WORK/d3.pem")"
fi
csr d9 "/CN=anything"
enroll "$T/simpleenroll" "$WORK/d9.b64" --cert "$WORK/idev9.pem" --key "$WORK/idev9.key"
status_is "an IDevID of an unregistered serial is 403" 403 \
    "no registered device matches IDevID serialNumber=SN-9999"

# ---- fleet claim ----
csr c100 "/serialNumber=02-42-AC-11-00-02"
enroll "$T/simpleenroll" "$WORK/c100.b64" --cert "$WORK/claim.pem" --key "$WORK/claim.key"
status_is "a claim certificate enrolls an allow-listed identifier (zero-touch) 200" 200
run v --json device find 02:42:ac:11:00:02
expect_rc "the claimed device was registered on the fly" 0
csr c101 "/serialNumber=02-42-AC-11-00-03"
enroll "$T/simpleenroll" "$WORK/c101.b64" --cert "$WORK/claim.pem" --key "$WORK/claim.key"
status_is "a claim for an identifier not on the allow-list is 403" 403 \
    "is not on the claim allow-list"
csr c100b "/serialNumber=02-42-AC-11-00-02"
enroll "$T/simpleenroll" "$WORK/c100b.b64" --cert "$WORK/claim.pem" --key "$WORK/claim.key"
status_is "an identifier is claimed only once" 403

# ---- approval mode ----
run v ca policy "$T" --approval on
expect_rc "the CA switches to manual approval" 0
TOK4=$(token dev4)
csr d4 "/CN=dev4"
enroll "$T/simpleenroll" "$WORK/d4.b64" --user "dev4:$TOK4"
status_is "with approval on, simpleenroll is 202 awaiting approval" 202 "awaits approval"
if [ "$(header retry-after)" = 60 ]; then
	ok "the 202 carries Retry-After: 60 (est_retry_after_s)"
else
	notok "Retry-After on 202" "got '$(header retry-after)'"
fi
enroll "$T/simpleenroll" "$WORK/d4.b64" --user "dev4:$TOK4"
status_is "retrying before the approval is 202 again (token not used up)" 202
REQ=$(v --json enroll pending | "$PY" -c '
import json, sys
for x in json.load(sys.stdin)["enrollments"]:
    if x["state"] == "pending":
        print(x["id"])
        break')
run v enroll approve "$REQ"
expect_rc "the operator approves the pending enrollment" 0
enroll "$T/simpleenroll" "$WORK/d4.b64" --user "dev4:$TOK4"
status_is "after the approval the same request is 200" 200
csr d2 "/CN=dev2"
enroll "$T/simpleenroll" "$WORK/d2.b64" --user "dev2:$TOK2"
status_is "another enrollment waits for approval" 202
REQ2=$(v --json enroll pending | "$PY" -c '
import json, sys
for x in json.load(sys.stdin)["enrollments"]:
    if x["state"] == "pending":
        print(x["id"])
        break')
run v enroll reject "$REQ2"
expect_rc "the operator rejects it" 0
enroll "$T/simpleenroll" "$WORK/d2.b64" --user "dev2:$TOK2"
status_is "a rejected enrollment is 403" 403 "was rejected"
run v ca policy "$T" --approval off
expect_rc "approval mode off again" 0

# ---- serverkeygen, several CAs ----
est POST "$T/serverkeygen" -H 'Content-Type: application/pkcs10' \
    --data-binary "@$WORK/d1.b64"
status_is "serverkeygen is 501: keys stay on the device" 501 "keys stay on the device"
"$VIGIL" --data "$DATA" tenant create beta >/dev/null
run "$VIGIL" --data "$DATA" --tenant beta ca init --label beta
expect_rc "a second tenant gets its own CA" 0
est GET cacerts
status_is "without a label, several CAs are 404 naming the way out" 404 \
    "several CAs: use /.well-known/est/<label>/"
est GET beta/cacerts
status_is "the label selects the other tenant's CA" 200
enroll beta/simpleenroll "$WORK/d5.b64" -H "Authorization: Bearer $TOK2"
status_is "a token of tenant acme is refused at tenant beta's CA" 403 "another tenant"
csr b3 "/CN=anything"
enroll beta/simpleenroll "$WORK/b3.b64" --cert "$WORK/idev3.pem" --key "$WORK/idev3.key"
status_is "an IDevID of tenant acme's manufacturer is refused at tenant beta's CA" 403 \
    "another tenant"

# ---- rollover while running: the old label follows its successor ----
v device add --name dev6 --serial SN-0006 >/dev/null
TOK6=$(token dev6)
run v ca rollover "$T"
expect_rc "vigil ca rollover $T while vigild runs" 0
# The signer loads the new key on reload (its sandbox opens no files).
kill -HUP "$VIGILD_PID"
csr d6 "/CN=dev6"
_i=0
while :; do
	enroll "$T/simpleenroll" "$WORK/d6.b64" -H "Authorization: Bearer $TOK6"
	[ "$STATUS" = 200 ] || [ $_i -ge 50 ] && break
	sleep 0.2
	_i=$((_i + 1))
done
status_is "after rollover and SIGHUP, label $T still enrolls" 200
certs "$WORK/d6.pem" 2>/dev/null || true
# The successor keeps the old CA's name (a key update): its key tells it.
v ca show "$T-2" --pem >"$WORK/ca-$T-2.pem" 2>/dev/null || true
if openssl verify -partial_chain -CAfile "$WORK/ca-$T-2.pem" "$WORK/d6.pem" \
    >/dev/null 2>&1; then
	ok "the certificate comes from the successor CA $T-2"
else
	notok "issued by the successor CA" \
	    "$(openssl x509 -in "$WORK/d6.pem" -noout -issuer -ext authorityKeyIdentifier 2>&1 | tr '\n' ' ')"
fi
est GET "$T/cacerts"
certs "$WORK/roll.pem" 2>/dev/null || true
if [ "$(grep -c 'BEGIN CERTIFICATE' "$WORK/roll.pem" 2>/dev/null)" -ge 3 ]; then
	ok "cacerts serves the retiring and the new issuing CA during the overlap"
else
	notok "cacerts during rollover" "$(grep subject "$WORK/roll.pem" | tr '\n' '|')"
fi

# ---- root rollover, cross-certificates, retirement: what cacerts serves
# and the gateway trusts follows the CA set ----
# fpset FILE...: the certificates of PEM files as sorted short SHA-256s.
fpset() {
	"$PY" -c 'import base64, hashlib, re, sys
out = set()
for f in sys.argv[1:]:
    t = open(f).read()
    for b in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", t, re.S):
        out.add(hashlib.sha256(base64.b64decode("".join(b.split()))).hexdigest()[:16])
print(" ".join(sorted(out)))' "$@"
}
# served LABEL CA-LABEL...: cacerts of LABEL is exactly those CAs.
served() {
	_l=$1
	shift
	est GET "$_l/cacerts"
	: >"$WORK/served.pem"
	[ "$STATUS" != 200 ] || certs "$WORK/served.pem" 2>/dev/null || true
	_want=""
	for _c in "$@"; do
		v ca show "$_c" --pem >"$WORK/ca-$_c.pem" 2>/dev/null || true
		_want="$_want $WORK/ca-$_c.pem"
	done
	# shellcheck disable=SC2086
	[ "$STATUS" = 200 ] && [ "$(fpset "$WORK/served.pem")" = "$(fpset $_want)" ]
}
# gw CERT KEY: HTTP status of whoami with CERT.pem and KEY.key (000:
# refused at the handshake).
gw() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" \
	    --cert "$WORK/$1.pem" --key "$WORK/$2.key" \
	    "https://127.0.0.1:$GW_PORT/device/v1/whoami" || true
}
# gw_until CERT KEY CODE: waits (up to 5 s) for the gateway's trust
# store to follow the CA set; prints the last status.
gw_until() {
	_j=0
	while :; do
		_s=$(gw "$1" "$2")
		[ "$_s" = "$3" ] || [ $_j -ge 25 ] && break
		sleep 0.2
		_j=$((_j + 1))
	done
	echo "$_s"
}
# re.pem is dev1's renewed certificate (CA $T, key d1), d6.pem dev6's
# (CA $T-2).
s_old=$(gw_until re d1 200)
s_new=$(gw_until d6 d6 200)
if [ "$s_old" = 200 ] && [ "$s_new" = 200 ]; then
	ok "the gateway accepts devices of the retiring and of the new issuing CA"
else
	notok "gateway during the overlap" "old CA: $s_old, new CA: $s_new"
fi
run v ca rollover --root
expect_rc "vigil ca rollover --root while vigild runs" 0
if served "$T" "$T-2" "$T" "$T-root" "$T-root-2" "$T-root-2-oldwithnew" \
    "$T-root-2-newwithold" "$T-2-newwithold"; then
	ok "cacerts serves both issuing CAs, both roots and the three cross-certificates"
else
	notok "cacerts after root rollover" "$(grep subject "$WORK/served.pem" | tr '\n' '|')"
fi
cat "$WORK/ca-$T-2.pem" "$WORK/ca-$T-root-2-oldwithnew.pem" >"$WORK/unt.pem"
if openssl verify -CAfile "$WORK/ca-$T-root-2.pem" -untrusted "$WORK/unt.pem" \
    "$WORK/d6.pem" >/dev/null 2>&1; then
	ok "an EST-issued certificate under the old root verifies with the new root and OldWithNew"
else
	notok "OldWithNew for EST certificates" "$(openssl verify -CAfile "$WORK/ca-$T-root-2.pem" -untrusted "$WORK/unt.pem" "$WORK/d6.pem" 2>&1 | tr '\n' ' ')"
fi
s=$(gw d6 d6)
if [ "$s" = 200 ]; then
	ok "the gateway still accepts the device after the root rollover"
else
	notok "gateway after root rollover" "whoami: $s"
fi
run v ca rollover "$T-2"
expect_rc "vigil ca rollover $T-2 moves issuance under the new root" 0
run v ca retire "$T"
expect_rc "vigil ca retire $T" 0
run v ca retire "$T-2"
expect_rc "vigil ca retire $T-2" 0
run v ca retire "$T-root"
expect_rc "vigil ca retire $T-root (no issuing CA under it any more)" 0
if served "$T-3" "$T-3" "$T-root-2"; then
	ok "after retirement cacerts serves only the new issuing CA and the new root"
else
	notok "cacerts after retirement" "HTTP $STATUS: $(grep subject "$WORK/served.pem" | tr '\n' '|')"
fi
est GET "$T/cacerts"
status_is "a retired CA's label is no longer served" 404 "no issuing CA labelled"
s_old=$(gw_until re d1 000)
s_new=$(gw_until d6 d6 000)
if [ "$s_old" = 000 ] && [ "$s_new" = 000 ]; then
	ok "the gateway refuses devices of retired CAs at the handshake (trust store rebuilt)"
else
	notok "gateway after retirement" "CA $T: $s_old, CA $T-2: $s_new"
fi

# ---- records ----
run v --json cert list
n=$("$PY" -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["certs"]))' "$OUT" 2>/dev/null || echo 0)
if [ "$n" -ge 6 ]; then
	ok "vigil cert list shows the 6 certificates issued over EST"
else
	notok "certificates recorded" "got $n: $(head -c 400 "$OUT")"
fi
run v --json audit list --action est. --limit 1000
if grep -q '"denied"' "$OUT" && grep -q 'est.simpleenroll' "$OUT" &&
    ! grep -qF "$TOK1" "$OUT"; then
	ok "refused enrollments are in the audit log, without the token"
else
	notok "audit of refusals" "$(head -c 600 "$OUT")"
fi
run v --json audit list --limit 1000
if grep -qF "$DEV1" "$OUT" && grep -q 'token:' "$OUT"; then
	ok "the token enrollment of dev1 is in the audit log"
else
	notok "audit of the issuance" "$(head -c 600 "$OUT")"
fi

vigild_finish
run "$VIGIL" --data "$DATA" audit verify
expect_rc "the audit chain with the gateway's entries verifies" 0
if [ "${EST_KEEP:-}" ]; then
	"$VIGIL" --data "$DATA" --json audit list --limit 1000 >"$EST_KEEP"
fi
finish
