#!/bin/bash
# pki_mosquitto.sh — a certificate vigil issues over EST works on a
# real Mosquitto broker configured with the vigil CA (require_certificate
# true, use_identity_as_username true, crlfile = vigil's CRL), and is
# refused there after `vigil cert revoke` once the broker has the new
# CRL; the device gateway refuses it within 1 s on its own.
#
# The broker's server certificate: vigild's TLS certificate (from
# vigil init, for 127.0.0.1). The broker's cafile only decides which
# CLIENT certificates it accepts (the vigil CA chain); clients check the
# broker against their own --cafile. So a server certificate from the
# vigil CA is not needed, and this test does not depend on the server
# profile.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

for p in mosquitto mosquitto_pub mosquitto_sub; do
	command -v "$p" >/dev/null 2>&1 ||
	    PATH=$PATH:/usr/sbin command -v "$p" >/dev/null 2>&1 || {
		echo "# $p not installed"
		exit 77
	}
done
PATH=$PATH:/usr/sbin

MQ_PID=
mq_stop() {
	if [ -n "$MQ_PID" ]; then
		kill -TERM "$MQ_PID" 2>/dev/null || true
		wait "$MQ_PID" 2>/dev/null || true
		MQ_PID=
	fi
}
trap 'mq_stop; vigild_stop; rm -rf "$WORK"' EXIT

vigild_setup "$PKI_CONF"
pki_ca acme acme
pki_device sensor-1 SN-SENSOR-1
pki_device sensor-2 SN-SENSOR-2
vigild_start
pki_ports

for n in 1 2; do
	tok=$(pki_token "sensor-$n") || { echo "# no token"; exit 1; }
	est_enroll "sensor-$n" "$tok" "$WORK/s$n"
	if [ "$EST_STATUS" = 200 ] && [ -s "$WORK/s$n.pem" ] &&
	    openssl verify -CAfile "$CHAIN" "$WORK/s$n.pem" >/dev/null 2>&1
	then
		ok "sensor-$n enrolls over EST with a token; its certificate verifies against the exported chain"
	else
		notok "sensor-$n enrolls over EST with a token; its certificate verifies against the exported chain" \
		    "HTTP $EST_STATUS: $(head -c 300 "$WORK/s$n.p7")"
		finish
		exit 1
	fi
done
serial=$(cert_serial "$WORK/s1.pem")

# ---- the broker
mq=$WORK/mq
mkdir -p "$mq"
chmod 755 "$mq"
cp "$CHAIN" "$mq/ca.pem"
cp "$CA" "$mq/server.crt"
cp "$DATA/tls/server.key" "$mq/server.key"
chmod 644 "$mq/ca.pem" "$mq/server.crt"
chmod 600 "$mq/server.key"
crl_fetch "$mq/crl.pem"
if [ -s "$mq/crl.pem" ]; then
	ok "the CRL is served on the PKI listener (GET /crl/$PKI_LABEL.crl)"
else
	notok "the CRL is served on the PKI listener (GET /crl/$PKI_LABEL.crl)" \
	    "HTTP $CRL_STATUS"
	finish
	exit 1
fi
chmod 644 "$mq/crl.pem"
MQ_PORT=$(free_port)
cat >"$mq/mosquitto.conf" <<EOF
# Written by pki_mosquitto.sh.
user $(id -un)
pid_file $mq/mosquitto.pid
persistence false
log_dest file $mq/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
listener $MQ_PORT 127.0.0.1
cafile $mq/ca.pem
certfile $mq/server.crt
keyfile $mq/server.key
crlfile $mq/crl.pem
require_certificate true
use_identity_as_username true
EOF

mq_start() {
	: >"$mq/mosquitto.log"
	mosquitto -c "$mq/mosquitto.conf" >>"$mq/stdout.log" 2>&1 &
	MQ_PID=$!
	_i=0
	until grep -q "Opening ipv4 listen socket on port $MQ_PORT" \
	    "$mq/mosquitto.log" 2>/dev/null; do
		if ! kill -0 "$MQ_PID" 2>/dev/null || [ $_i -gt 100 ]; then
			echo "# mosquitto did not start:"
			sed 's/^/#   /' "$mq/mosquitto.log" "$mq/stdout.log"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

# mq_pub N MESSAGE: publishes as sensor-N; stdout+stderr in $OUT.
mq_pub() {
	set +e
	timeout 10 mosquitto_pub -h 127.0.0.1 -p "$MQ_PORT" -q 1 \
	    --cafile "$CA" --cert "$WORK/s$1.pem" --key "$WORK/s$1.key" \
	    -t "vigil/test" -m "$2" >"$OUT" 2>&1
	RC=$?
	set -e
}

# mq_roundtrip N MESSAGE: sensor-2 subscribes, sensor-N publishes;
# prints what the subscriber got.
mq_roundtrip() {
	_n=$(grep -c 'New client connected' "$mq/mosquitto.log" || true)
	timeout 10 mosquitto_sub -h 127.0.0.1 -p "$MQ_PORT" -q 1 \
	    --cafile "$CA" --cert "$WORK/s2.pem" --key "$WORK/s2.key" \
	    -t "vigil/test" -C 1 -W 8 >"$WORK/sub.out" 2>&1 &
	_sub=$!
	# The subscriber is in once the broker logs one more client.
	_i=0
	until [ "$(grep -c 'New client connected' "$mq/mosquitto.log")" \
	    -gt "$_n" ] || [ $_i -gt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.3
	mq_pub "$1" "$2"
	wait "$_sub" 2>/dev/null || true
	cat "$WORK/sub.out"
}

mq_start
ok "mosquitto starts with the vigil CA chain, require_certificate and the vigil CRL"
got=$(mq_roundtrip 1 "hello from sensor-1")
if [ "$got" = "hello from sensor-1" ]; then
	ok "sensor-1's vigil certificate publishes on mosquitto; sensor-2 receives it"
else
	notok "sensor-1's vigil certificate publishes on mosquitto; sensor-2 receives it" \
	    "pub: $(_show)" "sub got: $got" \
	    "broker: $(tail -n 5 "$mq/mosquitto.log" | tr '\n' '|')"
fi
cn=$(openssl x509 -in "$WORK/s1.pem" -noout -subject \
    -nameopt sep_multiline,sname | sed -n 's/^ *CN=//p')
if [ -n "$cn" ] && grep -qF "u'$cn'" "$mq/mosquitto.log"; then
	ok "the broker names sensor-1 by its certificate's CN $cn (use_identity_as_username)"
else
	notok "the broker names sensor-1 by its certificate's CN (use_identity_as_username)" \
	    "CN '$cn'; broker: $(grep 'New client' "$mq/mosquitto.log" |
	    head -n 2 | tr '\n' '|')"
fi

# ---- the gateway accepts the certificate, then refuses it within 1 s
code=$(gw_whoami "$WORK/s1.pem" "$WORK/s1.key")
if [ "$code" = 200 ]; then
	ok "the gateway accepts sensor-1's certificate (whoami 200)"
else
	notok "the gateway accepts sensor-1's certificate (whoami 200)" \
	    "got HTTP $code: $(head -c 300 "$WORK/whoami.out")"
fi
run "$VIGIL" cert revoke --tenant acme "$serial" --reason keyCompromise
expect_rc "vigil cert revoke sensor-1's certificate" 0
t0=$(date +%s%N)
code=200
for _ in $(seq 20); do
	code=$(gw_whoami "$WORK/s1.pem" "$WORK/s1.key")
	[ "$code" != 200 ] && break
	sleep 0.05
done
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$code" != 200 ] && [ "$ms" -le 1000 ]; then
	ok "the gateway refuses the revoked certificate within 1 s ($ms ms, HTTP $code)"
else
	notok "the gateway refuses the revoked certificate within 1 s" \
	    "last HTTP $code after $ms ms"
fi

# ---- the broker learns it from the regenerated CRL
_i=0
while :; do
	crl_fetch "$WORK/crl.new"
	if [ -s "$WORK/crl.new" ] && openssl crl -in "$WORK/crl.new" -noout \
	    -text 2>/dev/null | grep -qi "serial number: *$serial"; then
		break
	fi
	if [ $_i -ge 50 ]; then
		notok "the regenerated CRL lists sensor-1's serial within 5 s"
		finish
		exit 1
	fi
	sleep 0.1
	_i=$((_i + 1))
done
ok "the regenerated CRL lists sensor-1's serial ($((_i * 100)) ms)"
cp "$WORK/crl.new" "$mq/crl.pem"
chmod 644 "$mq/crl.pem"

# Does mosquitto reload its crlfile on SIGHUP? Try, then restart.
kill -HUP "$MQ_PID"
sleep 1
mq_pub 1 "after revocation (SIGHUP)"
if [ "$RC" != 0 ]; then
	echo "# mosquitto reloads the CRL on SIGHUP"
else
	echo "# mosquitto does not apply a new crlfile on SIGHUP; restarting it"
	mq_stop
	mq_start
fi
mq_pub 1 "after revocation"
if [ "$RC" != 0 ]; then
	ok "mosquitto refuses sensor-1's revoked certificate (exit $RC: $(head -n 1 "$OUT"))"
else
	notok "mosquitto refuses sensor-1's revoked certificate" \
	    "mosquitto_pub exited 0: $(_show)"
fi
# Mosquitto logs the OpenSSL reason, not "revoked".
if grep -q 'certificate verify failed' "$mq/mosquitto.log"; then
	ok "the broker refuses it at the TLS handshake (certificate verify failed)"
else
	notok "the broker refuses it at the TLS handshake (certificate verify failed)" \
	    "$(tail -n 5 "$mq/mosquitto.log" | tr '\n' '|')"
fi
got=$(mq_roundtrip 2 "sensor-2 still talks")
if [ "$got" = "sensor-2 still talks" ]; then
	ok "sensor-2's good certificate still works on the broker with the new CRL"
else
	notok "sensor-2's good certificate still works on the broker with the new CRL" \
	    "pub: $(_show)" "sub got: $got"
fi

mq_stop
vigild_finish
finish
