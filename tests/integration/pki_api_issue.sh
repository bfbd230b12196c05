#!/bin/sh
# Certificate issuance through the API, by the signer, with deferred
# replies: a device certificate from an openssl CSR (PEM and base64
# DER) verified by openssl against the chain the reply carries, its
# SAN URI from the registry; a server certificate for DNS names and IP
# addresses (`openssl verify -purpose sslserver`); an operator
# certificate (-purpose sslclient); bad CSRs are 400 naming the reason;
# another tenant's device is 404; an operator (pki:read) gets 403;
# clients that go away before the reply do not hurt the worker; the
# CLI issues through --server; vigild exits cleanly without a
# sanitizer report.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

vigild_setup
unset VIGIL_DATA
L() { "$VIGIL" --data "$DATA" "$@"; }
"$MKADMIN" "$DATA/vigil.db" tenant alpha >/dev/null
"$MKADMIN" "$DATA/vigil.db" tenant beta >/dev/null
L --tenant alpha device add --name d1 --serial SN-A1 >/dev/null
L --tenant beta device add --name d2 --serial SN-B2 >/dev/null
L ca init >/dev/null
L --tenant alpha ca init >/dev/null
vigild_start
echo "# vigild on $BASE"
TA=$(token alpha ta tenant-admin fresh)
OP=$(token alpha op operator fresh)
TB=$(token beta tb tenant-admin fresh)
A=/v1/tenants/alpha

newcsr() { # NAME [openssl req key options]: $WORK/NAME.csr (PEM)
	_n=$1
	shift
	openssl req -new "$@" -nodes -keyout "$WORK/$_n.key" \
	    -subj "/CN=ignored-$_n" -out "$WORK/$_n.csr" 2>/dev/null
}
ec() { newcsr "$1" -newkey ec -pkeyopt ec_paramgen_curve:P-256; }
# jstr FILE: the file as a JSON string
jstr() { "$PY" -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$1"; }
# save KEY FILE: a string of the last reply body into FILE
save() { "$PY" -c 'import json, sys
open(sys.argv[3], "w").write(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$OUT" "$1" "$2"; }
verify() { # NAME PURPOSE: openssl verify of $WORK/NAME.pem with its chain
	openssl verify -purpose "$2" -CAfile "$WORK/$1.chain" \
	    "$WORK/$1.pem" >"$WORK/verify.out" 2>&1
}

# ---- device certificate ------------------------------------------------------
ec d1a
api POST "$A/devices/d1/certs" "$TA" "{\"csr\": $(jstr "$WORK/d1a.csr")}"
check "POST devices/d1/certs (PEM CSR): 201 with certificate and chain" 201 \
    '[d["profile"], d["status"], d["via"], d["certificate"].startswith("-----BEGIN CERTIFICATE"), d["chain"].count("BEGIN CERTIFICATE") >= 2, h["location"] == "/v1/tenants/" + d["tenant_id"] + "/certs/" + d["serial"]]' \
    '["device", "good", "api", true, true, true]'
save certificate "$WORK/d1a.pem"
save chain "$WORK/d1a.chain"
URN=$(jbody 'd["urn"]')
DEVID=$(jbody 'd["device_id"]')
if verify d1a sslclient; then
	ok "openssl verify -purpose sslclient of the device certificate"
else
	notok "openssl verify -purpose sslclient of the device certificate" \
	    "$(tr '\n' '|' <"$WORK/verify.out")"
fi
api GET "$A/devices/d1" "$TA"
check "the certificate is for the registry's device d1" 200 'd["id"]' "$DEVID"
SAN=$(openssl x509 -in "$WORK/d1a.pem" -noout -ext subjectAltName 2>&1 |
    tr -d ' \n')
case "$SAN" in
*"URI:$URN"*) ok "SAN URI is the registry's URN ($URN), not the CSR's CN" ;;
*) notok "SAN URI is the registry's URN" "URN $URN, SAN $SAN" ;;
esac
openssl x509 -in "$WORK/d1a.pem" -noout -subject | grep -q ignored &&
    notok "subject does not come from the CSR" ||
    ok "subject does not come from the CSR"

ec d1b
openssl req -in "$WORK/d1b.csr" -outform DER | base64 >"$WORK/d1b.b64"
api POST "$A/devices/d1/certs" "$TA" \
    "{\"csr\": $(jstr "$WORK/d1b.b64"), \"validity\": \"8h\"}"
check "POST devices/d1/certs (base64 DER CSR, validity 8h): 201" 201 \
    'int(d["not_after"][11:13]) >= 0 and d["device_id"]' "$DEVID"

# ---- server and operator certificates -------------------------------------------
ec srv
api POST "$A/certs" "$TA" "{\"profile\": \"server\", \"names\": [\"host1.example\", \"192.0.2.1\", \"2001:db8::7\"], \"csr\": $(jstr "$WORK/srv.csr")}"
check "POST certs profile server: 201, no device" 201 \
    '[d["profile"], d["device_id"]]' '["server", null]'
save certificate "$WORK/srv.pem"
save chain "$WORK/srv.chain"
if verify srv sslserver; then
	ok "openssl verify -purpose sslserver of the server certificate"
else
	notok "openssl verify -purpose sslserver of the server certificate" \
	    "$(tr '\n' '|' <"$WORK/verify.out")"
fi
SAN=$(openssl x509 -in "$WORK/srv.pem" -noout -ext subjectAltName 2>&1 |
    tr -d ' \n')
case "$SAN" in
*DNS:host1.example*IPAddress:192.0.2.1*IPAddress:2001:DB8:0:0:0:0:0:7*)
	ok "server SAN: DNS and IP names" ;;
*) notok "server SAN: DNS and IP names" "$SAN" ;;
esac
openssl x509 -in "$WORK/srv.pem" -noout -subject | grep -q 'CN *= *host1.example' &&
    ok "server CN is the first name" || notok "server CN is the first name"

ec opc
api POST "$A/certs" "$TA" "{\"profile\": \"operator\", \"names\": [\"alice\"], \"csr\": $(jstr "$WORK/opc.csr")}"
check "POST certs profile operator: 201" 201 'd["profile"]' operator
save certificate "$WORK/opc.pem"
save chain "$WORK/opc.chain"
if verify opc sslclient && ! verify opc sslserver; then
	ok "operator certificate: a client certificate, not a server one"
else
	notok "operator certificate: a client certificate, not a server one" \
	    "$(tr '\n' '|' <"$WORK/verify.out")"
fi

# ---- refusals ------------------------------------------------------------------
api POST "$A/certs" "$TA" "{\"profile\": \"server\", \"names\": [\"bad_name.example\"], \"csr\": $(jstr "$WORK/srv.csr")}"
check "server name with '_': 422 naming it" 422 \
    '"bad_name.example" in d["detail"]' True
api POST "$A/certs" "$TA" "{\"profile\": \"operator\", \"names\": [\"a\", \"b\"], \"csr\": $(jstr "$WORK/opc.csr")}"
check "operator certificate with two names: 422" 422
api POST "$A/certs" "$TA" "{\"profile\": \"device\", \"names\": [\"x\"], \"csr\": $(jstr "$WORK/opc.csr")}"
check "profile device on POST certs: 422" 422
api POST "$A/devices/d1/certs" "$TA" '{"csr": "bm90IGEgQ1NS"}'
check "a CSR that is not DER: 400 naming the reason" 400 \
    '[d["type"].endswith("/invalid-csr"), d["detail"].startswith("csr: ")]' \
    '[true, true]'
echo "# $(jbody 'd["detail"]')"
newcsr weak -newkey rsa:1024
api POST "$A/devices/d1/certs" "$TA" "{\"csr\": $(jstr "$WORK/weak.csr")}"
check "an RSA-1024 CSR: 400 naming the key size" 400 \
    '"1024" in d["detail"]' True
echo "# $(jbody 'd["detail"]')"
api POST "$A/devices/d1/certs" "$TA" '{"validity": "1m", "csr": "x"}'
check "validity under an hour: 422" 422
api POST "$A/devices/d1/certs" "$TA" "{\"csr\": $(jstr "$WORK/srv.csr")}"
check "a key certified for a server already: 409 from the signer" 409
api POST "$A/devices/d2/certs" "$TA" "{\"csr\": $(jstr "$WORK/d1a.csr")}"
check "beta's device through alpha: 404" 404
api POST "$A/devices/d1/certs" "$TB" "{\"csr\": $(jstr "$WORK/d1a.csr")}"
check "beta's admin on alpha's device: 404" 404
api POST "$A/devices/d1/certs" "$OP" "{\"csr\": $(jstr "$WORK/d1a.csr")}"
check "an operator (pki:read) cannot issue: 403" 403
api GET "$A/audit?action=cert.issue" "$TA"
check "issuances audited by the signer as user:ta, refusals too" 200 \
    '[len([e for e in d["items"] if e["outcome"] == "ok" and e["principal"] == "user:ta"]) >= 4, len([e for e in d["items"] if e["outcome"] == "denied"]) >= 5]' \
    '[true, true]'

# ---- clients that go away ----------------------------------------------------
# The request is sent whole, then the client closes at once: the
# deferred reply finds no client (or a closed one).
BODY="{\"csr\": $(jstr "$WORK/d1a.csr")}"
LEN=$(printf '%s' "$BODY" | wc -c)
i=0
while [ $i -lt 5 ]; do
	ec "gone$i"
	BODY="{\"csr\": $(jstr "$WORK/gone$i.csr")}"
	LEN=$(printf '%s' "$BODY" | wc -c)
	printf 'POST %s/devices/d1/certs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
	    "$A" "$TA" "$LEN" "$BODY" |
	    timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -quiet \
	    -no_ign_eof -CAfile "$CA" >/dev/null 2>&1 || true
	curl -s -o /dev/null --max-time 0.01 --cacert "$CA" \
	    -H "Authorization: Bearer $TA" -H 'Content-Type: application/json' \
	    --data-binary "$BODY" "$BASE$A/devices/d1/certs" || true
	i=$((i + 1))
done
sleep 1
api GET "$A/certs?device=d1" "$TA"
check "after clients went away mid-request, the worker still serves" 200 \
    'len(d["items"]) >= 2' True

# ---- the CLI ---------------------------------------------------------------------
export VIGIL_TOKEN="$TA"
R() { "$VIGIL" --server "$BASE" --ca "$CA" --tenant alpha "$@"; }
ec cli1
run R cert issue d1 --csr "$WORK/cli1.csr" --json
expect_json "vigil --server cert issue d1" 0 \
    '[d["profile"], d["pem"].startswith("-----BEGIN CERTIFICATE")]' \
    '["device", true]'
ec cli2
run R cert issue --profile server --name host2.example --name 192.0.2.2 \
    --csr "$WORK/cli2.csr" --out "$WORK/cli2.pem"
expect_out_has "vigil --server cert issue --profile server --name ..." 0 \
    "issued certificate"
if openssl x509 -in "$WORK/cli2.pem" -noout -ext subjectAltName 2>/dev/null |
    grep -q 'DNS:host2.example, IP Address:192.0.2.2'; then
	ok "the CLI's server certificate names host2.example and 192.0.2.2"
else
	notok "the CLI's server certificate names host2.example and 192.0.2.2"
fi
unset VIGIL_TOKEN

vigild_finish
ec cli3
run L --tenant alpha cert issue --profile server --name host3.example \
    --name 192.0.2.3 --csr "$WORK/cli3.csr" --out "$WORK/cli3.pem"
expect_out_has "local cert issue --profile server --name ... (offline)" 0 \
    "issued certificate"
if openssl x509 -in "$WORK/cli3.pem" -noout -ext subjectAltName 2>/dev/null |
    grep -q 'DNS:host3.example, IP Address:192.0.2.3'; then
	ok "the local server certificate names host3.example and 192.0.2.3"
else
	notok "the local server certificate names host3.example and 192.0.2.3"
fi
finish
