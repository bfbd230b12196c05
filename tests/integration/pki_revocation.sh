#!/bin/bash
# pki_revocation.sh — revocation as third parties see it, with the
# openssl CLI as the relying party: the CRL served over plain HTTP
# (`openssl verify -crl_check`) and the OCSP responder (`openssl ocsp`,
# POST with a nonce, and the RFC 6960 A.1 GET form through curl)
# before and after `vigil cert revoke`, across hold and release, for a
# serial vigil never issued, with the responder's signature verified
# every time.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

vigild_setup "$PKI_CONF"
pki_ca acme acme
pki_device meter-1 SN-METER-1
pki_device meter-2 SN-METER-2
vigild_start
pki_ports

# ---- two devices enroll with a token, like a device would
for n in 1 2; do
	tok=$(pki_token "meter-$n") || { echo "# no token"; exit 1; }
	est_enroll "meter-$n" "$tok" "$WORK/m$n"
	if [ "$EST_STATUS" = 200 ] && [ -s "$WORK/m$n.pem" ]; then
		ok "meter-$n enrolls over EST with a token (HTTP 200)"
	else
		notok "meter-$n enrolls over EST with a token (HTTP 200)" \
		    "got HTTP $EST_STATUS: $(head -c 300 "$WORK/m$n.p7")"
		finish
		exit 1
	fi
done
s1=$(cert_serial "$WORK/m1.pem")
s2=$(cert_serial "$WORK/m2.pem")

# verify_crl CERT: "OK", "revoked" or what openssl said.
verify_crl() {
	crl_fetch "$WORK/crl.pem"
	if [ ! -s "$WORK/crl.pem" ]; then
		echo "no CRL (HTTP $CRL_STATUS)"
		return
	fi
	set +e
	openssl verify -crl_check -CAfile "$CHAIN" -CRLfile "$WORK/crl.pem" \
	    "$1" >"$WORK/verify.out" 2>&1
	set -e
	if grep -q ': OK$' "$WORK/verify.out"; then
		echo OK
	elif grep -q 'certificate revoked' "$WORK/verify.out"; then
		echo revoked
	else
		tr '\n' ' ' <"$WORK/verify.out"
	fi
}

# expect_crl NAME CERT WANT: polls up to 5 s (the CRL is regenerated
# on change, asynchronously) until verify_crl says WANT.
expect_crl() {
	_i=0
	while :; do
		_got=$(verify_crl "$2")
		[ "$_got" = "$3" ] && break
		if [ $_i -ge 50 ]; then
			notok "$1" "expected $3" "got $_got"
			return
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	ok "$1 (after $((_i * 100)) ms)"
}

# ocsp CERT|-serial N: one POST with a nonce; stdout+stderr in $OUT.
ocsp() {
	if [ "$1" = -serial ]; then
		set -- -serial "$2"
	else
		set -- -cert "$1"
	fi
	set +e
	openssl ocsp -issuer "$ISSUING" "$@" -url "$PKI/ocsp/$PKI_LABEL" \
	    -CAfile "$CHAIN" -nonce -timeout 5 >"$OUT" 2>&1
	RC=$?
	set -e
}

# expect_ocsp NAME WANT [REASON] CERT...: the status line says WANT
# (and REASON), and the response's signature verifies.
expect_ocsp() {
	_name=$1 _want=$2 _reason=$3
	shift 3
	ocsp "$@"
	if grep -q ": $_want\$" "$OUT" && grep -q 'Response verify OK' "$OUT" &&
	    { [ -z "$_reason" ] || grep -q "Reason: $_reason" "$OUT"; } &&
	    ! grep -qi 'nonce' "$OUT"; then
		ok "$_name"
	else
		notok "$_name" "expected '$_want' ${_reason:+($_reason) }and" \
		    "'Response verify OK' with the nonce echoed" \
		    "got: $(head -c 600 "$OUT" | tr '\n' '|')"
	fi
}

# ---- CRL and OCSP before revocation
crl_fetch "$WORK/crl.pem"
if [ "$CRL_STATUS" = 200 ] && [ -s "$WORK/crl.pem" ] &&
    openssl crl -in "$WORK/crl.pem" -CAfile "$CHAIN" -noout 2>&1 |
    grep -q 'verify OK'; then
	ok "GET /crl/$PKI_LABEL.crl over plain HTTP: a DER CRL signed by the issuing CA"
else
	notok "GET /crl/$PKI_LABEL.crl over plain HTTP: a DER CRL signed by the issuing CA" \
	    "HTTP $CRL_STATUS"
fi
expect_crl "openssl verify -crl_check: meter-1 OK before revocation" \
    "$WORK/m1.pem" OK
expect_ocsp "openssl ocsp (POST, nonce): meter-1 good, response verifies" \
    good "" "$WORK/m1.pem"

# The RFC 6960 A.1 GET form: /ocsp/<label>/<url-encoded base64 DER>.
openssl ocsp -issuer "$ISSUING" -cert "$WORK/m1.pem" -no_nonce \
    -reqout "$WORK/req.der" >/dev/null 2>&1
get_form=
for enc in rfc base64url; do
	b64=$("$PY" -c 'import base64, sys, urllib.parse
d = open(sys.argv[1], "rb").read()
if sys.argv[2] == "rfc":
    print(urllib.parse.quote(base64.b64encode(d).decode(), safe=""))
else:
    print(base64.urlsafe_b64encode(d).decode().rstrip("="))' \
	    "$WORK/req.der" "$enc")
	code=$(curl -s -o "$WORK/resp.der" -w '%{http_code}' \
	    "$PKI/ocsp/$PKI_LABEL/$b64")
	set +e
	openssl ocsp -respin "$WORK/resp.der" -issuer "$ISSUING" \
	    -cert "$WORK/m1.pem" -CAfile "$CHAIN" >"$OUT" 2>&1
	set -e
	if [ "$code" = 200 ] && grep -q ': good$' "$OUT" &&
	    grep -q 'Response verify OK' "$OUT"; then
		get_form=$enc
		break
	fi
done
if [ -n "$get_form" ]; then
	ok "OCSP GET form ($get_form encoding of the DER request) answers good, response verifies"
else
	notok "OCSP GET form answers good, response verifies" \
	    "HTTP $code: $(head -c 300 "$OUT" | tr '\n' '|')"
fi

# ---- revoke meter-1
run "$VIGIL" cert revoke --tenant acme "$s1" --reason keyCompromise
expect_rc "vigil cert revoke $s1 --reason keyCompromise" 0
expect_crl "openssl verify -crl_check: meter-1 'certificate revoked' with the regenerated CRL" \
    "$WORK/m1.pem" revoked
if openssl crl -in "$WORK/crl.pem" -noout -text 2>/dev/null |
    grep -A6 -i "serial number: *$s1" | grep -q 'Key Compromise'; then
	ok "the CRL entry of meter-1 carries reason keyCompromise"
else
	notok "the CRL entry of meter-1 carries reason keyCompromise" \
	    "$(openssl crl -in "$WORK/crl.pem" -noout -text 2>&1 |
	    head -c 600 | tr '\n' '|')"
fi
expect_ocsp "openssl ocsp: meter-1 revoked, reason keyCompromise" \
    revoked keyCompromise "$WORK/m1.pem"
expect_crl "meter-2 still verifies OK against the new CRL" \
    "$WORK/m2.pem" OK
expect_ocsp "openssl ocsp: meter-2 still good" good "" "$WORK/m2.pem"

# ---- hold and release meter-2
run "$VIGIL" cert hold --tenant acme "$s2"
expect_rc "vigil cert hold $s2" 0
expect_crl "on hold: meter-2 'certificate revoked' in the CRL" \
    "$WORK/m2.pem" revoked
expect_ocsp "on hold: openssl ocsp says revoked, reason certificateHold" \
    revoked certificateHold "$WORK/m2.pem"
run "$VIGIL" cert release --tenant acme "$s2"
expect_rc "vigil cert release $s2" 0
expect_crl "released: meter-2 verifies OK again with the regenerated CRL" \
    "$WORK/m2.pem" OK
expect_ocsp "released: openssl ocsp says good again" good "" "$WORK/m2.pem"
expect_crl "released: meter-1 stays revoked" "$WORK/m1.pem" revoked

# ---- a serial vigil never issued, under the same issuing CA
expect_ocsp "openssl ocsp: a serial vigil never issued is unknown" \
    unknown "" -serial 0x7e57000000000000000001

vigild_finish
finish
