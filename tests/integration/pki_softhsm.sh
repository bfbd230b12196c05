#!/bin/bash
# pki_softhsm.sh — the issuing CA key lives in a PKCS#11 token
# (SoftHSM2 through the libp11 engine): `vigil ca init --key-uri
# pkcs11:...` certifies the token's key, vigild issues over EST with it
# (curl + openssl as the device), and the key never exists in a net
# worker: no worker maps the SoftHSM2 module or the pkcs11 engine, nor
# holds a file of the token directory open, while the signer maps the
# module.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
. "$SRCDIR/tests/integration/pki_peers.sh"

MODULE=/usr/lib/softhsm/libsofthsm2.so
for p in softhsm2-util pkcs11-tool; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "# $p not installed"
		exit 77
	}
done
[ -f "$MODULE" ] || { echo "# $MODULE not installed"; exit 77; }

# ---- a private SoftHSM2 token with a P-256 key "ca-issuing"
TOKENS=$WORK/tokens
mkdir -p "$TOKENS"
export SOFTHSM2_CONF=$WORK/softhsm2.conf
cat >"$SOFTHSM2_CONF" <<EOF
directories.tokendir = $TOKENS
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
PIN=4711-$$
PINFILE=$WORK/token.pin
printf '%s' "$PIN" >"$PINFILE"
chmod 600 "$PINFILE"
run softhsm2-util --init-token --free --label vigil --pin "$PIN" \
    --so-pin "so-$PIN"
expect_rc "softhsm2-util initialises token 'vigil'" 0
run pkcs11-tool --module "$MODULE" --token-label vigil --login \
    --pin "$PIN" --keypairgen --key-type EC:prime256v1 \
    --label ca-issuing --id 01
expect_rc "pkcs11-tool generates an EC P-256 key pair 'ca-issuing' in the token" 0
URI="pkcs11:token=vigil;object=ca-issuing;type=private;pin-source=file:$PINFILE"

# The CLI (vigil_pki_key_load) finds the module through the engine's
# PKCS11_MODULE_PATH; vigild through pkcs11_module.
export PKCS11_MODULE_PATH=$MODULE
# Two workers: each is checked.
VIGILD_WORKERS=${VIGILD_WORKERS:-2}
vigild_setup "$PKI_CONF
pkcs11_module = $MODULE"
# The process start lines (pids of net[N] and the signer) are info.
sed -i 's/^log_level = warn$/log_level = info/' "$DATA/vigild.conf"
# Workers started by root run as another user: they must reach the
# token like the signer does (read/write: SoftHSM2 locks its files).
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$WORK"
	chmod -R a+rwX "$TOKENS"
	chmod 644 "$SOFTHSM2_CONF"
fi

pki_ca acme acme --key-uri "$URI"

# The issuing CA's public key is the token's.
pkcs11-tool --module "$MODULE" --token-label vigil --read-object \
    --type pubkey --label ca-issuing -o "$WORK/token_pub.der" \
    >/dev/null 2>&1 || true
openssl x509 -in "$ISSUING" -noout -pubkey |
    openssl pkey -pubin -outform DER -out "$WORK/ca_pub.der" 2>/dev/null
if [ -s "$WORK/token_pub.der" ] &&
    cmp -s "$WORK/token_pub.der" "$WORK/ca_pub.der"; then
	ok "the issuing CA certificate certifies the token's key"
else
	notok "the issuing CA certificate certifies the token's key" \
	    "token: $(od -An -tx1 "$WORK/token_pub.der" 2>/dev/null |
	    tr -d ' \n' | head -c 80)" \
	    "CA:    $(od -An -tx1 "$WORK/ca_pub.der" | tr -d ' \n' |
	    head -c 80)"
fi

pki_device valve-1 SN-VALVE-1
vigild_start
pki_ports

# ---- full EST enrollment, signed in the token
tok=$(pki_token valve-1) || { echo "# no token"; exit 1; }
est_enroll valve-1 "$tok" "$WORK/v1"
if [ "$EST_STATUS" = 200 ] && [ -s "$WORK/v1.pem" ]; then
	ok "valve-1 enrolls over EST (curl + openssl, token): HTTP 200"
else
	notok "valve-1 enrolls over EST (curl + openssl, token): HTTP 200" \
	    "got HTTP $EST_STATUS: $(head -c 300 "$WORK/v1.p7")" \
	    "$(grep -E ' (warn|error) ' "$WORK/vigild.log" | tail -n 3 |
	    tr '\n' '|')"
fi
run openssl verify -CAfile "$CHAIN" "$WORK/v1.pem"
expect_rc "the certificate signed with the token key verifies against the chain" 0
code=$(gw_whoami "$WORK/v1.pem" "$WORK/v1.key")
if [ "$code" = 200 ]; then
	ok "the gateway accepts the token-signed certificate (whoami 200)"
else
	notok "the gateway accepts the token-signed certificate (whoami 200)" \
	    "got HTTP $code: $(head -c 200 "$WORK/whoami.out")"
fi

# ---- where the key is: the signer, never a net worker
# pid_of NAME: the newest "NAME started (pid N)" of the log.
pid_of() {
	grep -o "$1 started (pid [0-9]*)" "$WORK/vigild.log" | tail -n 1 |
	    sed 's/.*pid \([0-9]*\))/\1/'
}
signer=$(pid_of signer)
nets=$(grep -o 'net\[[0-9]*\] started (pid [0-9]*)' "$WORK/vigild.log" |
    sed 's/.*pid \([0-9]*\))/\1/' | while read -r p; do
	[ -d "/proc/$p" ] && echo "$p"
done)
children=$(pgrep -P "$VIGILD_PID" | tr '\n' ' ')
if [ -n "$signer" ] && [ -n "$nets" ]; then
	ok "the log names the signer (pid $signer) and the net workers (pid $(echo $nets))"
else
	notok "the log names the signer and the net workers" \
	    "signer '$signer', nets '$nets', children of vigild: $children"
	finish
	exit 1
fi
for p in $nets; do
	case " $children " in
	*" $p "*) ;;
	*) notok "net worker $p is a child of vigild ($VIGILD_PID)" \
	    "children: $children" ;;
	esac
done

# maps_has PID: which of the PKCS#11 pieces PID maps ("" = none);
# "unreadable" when /proc/PID/maps cannot be read (not dumpable and we
# are not root).
maps_has() {
	if ! cat "/proc/$1/maps" >"$WORK/maps" 2>/dev/null ||
	    [ ! -s "$WORK/maps" ]; then
		echo unreadable
		return
	fi
	grep -oE 'libsofthsm2\.so|engines-3/(lib)?pkcs11\.so|libp11[^ ]*\.so' \
	    "$WORK/maps" | sort -u | tr '\n' ' '
}
s_maps=$(maps_has "$signer")
case $s_maps in
*libsofthsm2.so*)
	ok "the signer maps the SoftHSM2 module ($s_maps)" ;;
unreadable)
	echo "# cannot read /proc/$signer/maps (not root): map checks skipped" ;;
*)
	notok "the signer maps the SoftHSM2 module" "maps: '$s_maps'" ;;
esac
for p in $nets; do
	m=$(maps_has "$p")
	if [ "$m" = unreadable ]; then
		echo "# cannot read /proc/$p/maps: skipped"
	elif [ -z "$m" ]; then
		ok "net worker $p maps neither the SoftHSM2 module nor the pkcs11 engine"
	else
		notok "net worker $p maps neither the SoftHSM2 module nor the pkcs11 engine" \
		    "it maps: $m"
	fi
	# Open files of the token directory (or the PIN file).
	if ! ls "/proc/$p/fd" >/dev/null 2>&1; then
		echo "# cannot list /proc/$p/fd (not root): skipped"
		continue
	fi
	fds=$(for f in "/proc/$p/fd/"*; do readlink "$f" 2>/dev/null
	    done | grep -F -e "$TOKENS" -e "$PINFILE" || true)
	if [ -z "$fds" ]; then
		ok "net worker $p holds no file of the token directory or the PIN file"
	else
		notok "net worker $p holds no file of the token directory or the PIN file" \
		    "$fds"
	fi
done
# The parent forks the workers: it must not have loaded the token
# either, or every worker started later would inherit it.
m=$(maps_has "$VIGILD_PID")
if [ "$m" = unreadable ] || [ -z "$m" ]; then
	ok "the parent vigild maps no PKCS#11 module (workers cannot inherit it)"
else
	notok "the parent vigild maps no PKCS#11 module (workers cannot inherit it)" \
	    "it maps: $m"
fi

vigild_finish
finish
