# shellcheck shell=bash
# Shared helpers of the device PKI peer tests (pki_mosquitto.sh,
# pki_softhsm.sh, pki_revocation.sh); sourced after lib.sh and
# vigild_env.sh, not run.
#
# The device side is played by the openssl CLI and curl only (a device
# with nothing but a token), the operator side by the vigil CLI on the
# local data directory.

# The extra vigild.conf lines: a gateway and a PKI HTTP listener on
# free ports (read back from the port file by pki_ports).
# shellcheck disable=SC2034 # used by the scripts that source this
PKI_CONF="gateway_listen = 127.0.0.1:0
pki_listen = 127.0.0.1:0"

free_port() {
	"$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pki_ports: GW_PORT and PKI_PORT from the port file vigild_start asked
# for (lines "gateway=PORT" and "pki=PORT" after the API port), unless
# vigild_env.sh has set them already.
pki_ports() {
	_i=0
	while ! grep -q '^pki=' "$WORK/port" 2>/dev/null ||
	    ! grep -q '^gateway=' "$WORK/port"; do
		if [ $_i -gt 100 ]; then
			echo "# vigild wrote no gateway/pki port:" \
			    "$(tr '\n' ' ' <"$WORK/port")"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	GW_PORT=${GW_PORT:-$(sed -n 's/^gateway=//p' "$WORK/port")}
	PKI_PORT=${PKI_PORT:-$(sed -n 's/^pki=//p' "$WORK/port")}
	GW="https://127.0.0.1:$GW_PORT"
	PKI="http://127.0.0.1:$PKI_PORT"
	# The gateway presents gateway_cert, by default vigild's TLS
	# certificate ($CA of vigild_env.sh).
	GW_CA=$CA
	_i=0
	until curl -s -o /dev/null --cacert "$GW_CA" \
	    "$GW/.well-known/est/$PKI_LABEL/cacerts"; do
		if [ $_i -gt 100 ]; then
			echo "# the gateway does not answer on $GW"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

# pki_ca TENANT LABEL [CA INIT OPTIONS...]: creates the tenant and its
# CA; CHAIN (issuing CA + root, PEM), ISSUING (issuing CA alone) and
# PKI_LABEL are set. Exits when the CLI fails: nothing else can run.
pki_ca() {
	PKI_TENANT=$1
	PKI_LABEL=$2
	shift 2
	run "$VIGIL" tenant create "$PKI_TENANT"
	[ "$RC" = 0 ] || { echo "# tenant create: $(_show)"; exit 1; }
	run "$VIGIL" ca init --tenant "$PKI_TENANT" --label "$PKI_LABEL" "$@"
	if [ "$RC" != 0 ]; then
		notok "vigil ca init creates the CA" "$(_show)"
		finish
		exit 1
	fi
	ok "vigil ca init creates the CA ($PKI_LABEL)"
	CHAIN=$WORK/chain.pem
	ISSUING=$WORK/issuing.pem
	run "$VIGIL" ca export "$PKI_LABEL"
	[ "$RC" = 0 ] || { echo "# ca export: $(_show)"; exit 1; }
	cp "$OUT" "$CHAIN"
	# The first certificate of the export is the issuing CA.
	awk '{ print } /-----END CERTIFICATE-----/ { exit }' "$CHAIN" \
	    >"$ISSUING"
}

# pki_device NAME SERIAL: registers a device in $PKI_TENANT.
pki_device() {
	run "$VIGIL" device add --tenant "$PKI_TENANT" --name "$1" \
	    --serial "$2"
	[ "$RC" = 0 ] || { echo "# device add $1: $(_show)"; exit 1; }
}

# pki_token DEVICE: prints a one-time enrollment token for DEVICE.
pki_token() {
	"$VIGIL" enroll token --tenant "$PKI_TENANT" "$1" --ttl 1h --json \
	    >"$WORK/token.json" 2>"$WORK/token.err" || {
		echo "# enroll token: $(cat "$WORK/token.err")" >&2
		return 1
	}
	"$PY" -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
for k in ("token", "secret"):
    if isinstance(d.get(k), str):
        print(d[k])
        break
else:
    sys.exit("no token in " + json.dumps(sorted(d)))' "$WORK/token.json"
}

# est_enroll NAME TOKEN PREFIX: the device NAME makes a P-256 key
# (PREFIX.key), a CSR, and enrolls over EST with HTTP Basic
# (NAME:TOKEN) like a device with curl + openssl; PREFIX.pem gets the
# certificate. EST_STATUS is the HTTP status.
est_enroll() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$3.key" -subj "/CN=$1" -outform DER -out "$3.csr" \
	    2>/dev/null
	chmod 600 "$3.key"
	base64 -w 64 "$3.csr" >"$3.b64"
	EST_STATUS=$(curl -s -o "$3.p7" -w '%{http_code}' --cacert "$GW_CA" \
	    -u "$1:$2" -H 'Content-Type: application/pkcs10' \
	    --data-binary "@$3.b64" \
	    "$GW/.well-known/est/$PKI_LABEL/simpleenroll")
	rm -f "$3.pem"
	if [ "$EST_STATUS" = 200 ]; then
		base64 -d "$3.p7" | openssl pkcs7 -inform DER -print_certs \
		    2>/dev/null | awk '/-----BEGIN/ { p = 1 } p { print }
		    /-----END/ { exit }' >"$3.pem"
	fi
}

# cert_serial FILE: the certificate's serial as vigil writes it
# (lowercase hex).
cert_serial() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' |
	    tr 'A-F' 'a-f'
}

# crl_fetch FILE: the CRL of $PKI_LABEL from the PKI listener, as PEM.
# CRL_STATUS is the HTTP status.
crl_fetch() {
	CRL_STATUS=$(curl -s -o "$WORK/crl.der" -w '%{http_code}' \
	    "$PKI/crl/$PKI_LABEL.crl")
	rm -f "$1"
	[ "$CRL_STATUS" = 200 ] &&
	    openssl crl -inform DER -in "$WORK/crl.der" -out "$1" 2>/dev/null
	return 0
}

# gw_whoami CERT KEY: the HTTP status of /device/v1/whoami with that
# client certificate ("000" when the TLS handshake is refused).
gw_whoami() {
	curl -s -o "$WORK/whoami.out" -w '%{http_code}' --cacert "$GW_CA" \
	    --cert "$1" --key "$2" "$GW/device/v1/whoami" || true
}
