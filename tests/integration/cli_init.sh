#!/bin/sh
# vigil init: the files it creates and their modes, the certificate
# (subjectAltName, server-auth EKU, 397 days, 128-bit serial, P-256 key)
# checked with the openssl CLI, the refusals (a second run, a non-empty
# directory without --force, a bad --listen, a bad admin name leaves
# nothing behind), the secrets printed once on stdout only, and that
# they work: vigild starts on the directory, the token answers
# /v1/auth/whoami through curl --cacert, the password logs in, and the
# audit log starts with platform.init.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
: "${VIGILD:?VIGILD must point at the vigild binary}"

VIGILD_PID=
stop_vigild() {
	if [ -n "$VIGILD_PID" ]; then
		kill -TERM "$VIGILD_PID" 2>/dev/null || true
		wait "$VIGILD_PID" 2>/dev/null || true
		VIGILD_PID=
	fi
}
trap 'stop_vigild; rm -rf "$WORK"' EXIT
# Workers started by root run as "nobody": they must reach the data.
chmod 711 "$WORK"
unset VIGIL_DATA VIGIL_SERVER VIGIL_TOKEN VIGIL_CA
export XDG_CONFIG_HOME="$WORK/xdg"

D="$WORK/srv"
mode() {
	stat -c %a "$1"
}

# --- a fresh directory ------------------------------------------------
run "$VIGIL" init --data "$D" --listen 127.0.0.1:0
expect_rc "vigil init on a new directory succeeds" 0
cp "$OUT" "$WORK/init.out"
if [ ! -s "$ERR" ]; then
	ok "vigil init writes nothing on stderr"
else
	notok "vigil init writes nothing on stderr" "$(cat "$ERR")"
fi
modes="$(mode "$D") $(mode "$D/vigil.db") $(mode "$D/vigild.conf")"
modes="$modes $(mode "$D/tls") $(mode "$D/tls/server.key")"
modes="$modes $(mode "$D/tls/server.crt") $(mode "$D/keys")"
modes="$modes $(mode "$D/keys/audit.key") $(mode "$D/keys/audit.pub")"
if [ "$modes" = "700 600 600 700 600 644 711 600 644" ]; then
	ok "files and modes: dir 700, vigil.db 600, vigild.conf 600, tls/ 700, server.key 600, server.crt 644, keys/ 711, audit.key 600, audit.pub 644"
else
	notok "files and modes are the expected ones" \
	    "expected 700 600 600 700 600 644 711 600 644" "got $modes"
fi

# --- the certificate -----------------------------------------------------
CRT="$D/tls/server.crt"
san=$(openssl x509 -in "$CRT" -noout -ext subjectAltName | tail -n 1 |
    sed 's/^ *//')
if [ "$san" = "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" ]; then
	ok "the certificate names localhost, 127.0.0.1 and ::1 (openssl x509 -ext subjectAltName)"
else
	notok "the certificate names localhost, 127.0.0.1 and ::1" "got: $san"
fi
text=$(openssl x509 -in "$CRT" -noout -text)
if printf '%s\n' "$text" | grep -q 'TLS Web Server Authentication' &&
    printf '%s\n' "$text" | grep -q 'CA:FALSE' &&
    printf '%s\n' "$text" | grep -q 'Version: 3'; then
	ok "the certificate is X.509 v3, CA:FALSE, extended key usage serverAuth"
else
	notok "the certificate is X.509 v3, CA:FALSE, extended key usage serverAuth" \
	    "$(printf '%s' "$text" | head -n 30 | tr '\n' '|')"
fi
nb=$(date -d "$(openssl x509 -in "$CRT" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$CRT" -noout -enddate | cut -d= -f2)" +%s)
if [ $(((na - nb) / 86400)) -eq 397 ]; then
	ok "the certificate is valid for 397 days"
else
	notok "the certificate is valid for 397 days" "got $(((na - nb) / 86400))"
fi
serial=$(openssl x509 -in "$CRT" -noout -serial | cut -d= -f2)
if [ ${#serial} -eq 32 ]; then
	ok "the serial number has 128 bits"
else
	notok "the serial number has 128 bits" "got $serial"
fi
if openssl pkey -in "$D/tls/server.key" -noout -text 2>/dev/null |
    grep -q 'NIST CURVE: P-256' &&
    [ "$(openssl pkey -in "$D/tls/server.key" -pubout | openssl sha256)" = \
    "$(openssl x509 -in "$CRT" -noout -pubkey | openssl sha256)" ]; then
	ok "server.key is the ECDSA P-256 key of the certificate"
else
	notok "server.key is the ECDSA P-256 key of the certificate"
fi
if openssl verify -CAfile "$CRT" "$CRT" >/dev/null 2>&1; then
	ok "the self-signed certificate verifies as its own trust anchor"
else
	notok "the self-signed certificate verifies as its own trust anchor"
fi

# --- the secrets: once, on stdout ------------------------------------
TOKEN=$(sed -n 's/^  token  *\(vgl_[A-Za-z0-9_-]*\)$/\1/p' "$WORK/init.out")
PASSWORD=$(sed -n 's/^  password  *\([A-Za-z0-9]*\)$/\1/p' "$WORK/init.out")
if [ ${#TOKEN} -eq 47 ] && [ ${#PASSWORD} -eq 24 ] &&
    [ "$(grep -c -- "$TOKEN" "$WORK/init.out")" -eq 1 ] &&
    [ "$(grep -c -- "$PASSWORD" "$WORK/init.out")" -eq 1 ]; then
	ok "the admin token and password are printed once each"
else
	notok "the admin token and password are printed once each" \
	    "token '${TOKEN}', password '${PASSWORD}'"
fi
if ! grep -rqF -- "$TOKEN" "$D" && ! grep -rqF -- "$PASSWORD" "$D"; then
	ok "neither secret is stored in clear in the data directory"
else
	notok "neither secret is stored in clear in the data directory"
fi
if grep -q "vigild -f --data $D" "$WORK/init.out" &&
    grep -q -- "--ca $CRT tenant list" "$WORK/init.out"; then
	ok "vigil init prints the next steps (vigild -f, vigil --server --ca)"
else
	notok "vigil init prints the next steps" "$(cat "$WORK/init.out")"
fi

# --- refusals ----------------------------------------------------------
run "$VIGIL" init --data "$D"
expect_err "a second vigil init on the same directory is refused (exit 1)" 1 \
    "is already initialised"
run "$VIGIL" init --data "$D" --force
expect_err "--force does not make vigil init overwrite a configuration" 1 \
    "is already initialised"
mkdir "$WORK/used"
"$VIGIL" --data "$WORK/used" tenant create keepme >/dev/null
run "$VIGIL" init --data "$WORK/used"
expect_err "a non-empty directory is refused without --force" 1 \
    "is not empty; give --force"
run "$VIGIL" --json init --data "$WORK/used" --force --admin root \
    --listen 127.0.0.2:9443
expect_json "--force initialises a non-empty directory, --admin names the admin" \
    0 "(d['admin']['name'], d['admin']['role'], d['server'])" \
    "('root', 'platform-admin', 'https://127.0.0.2:9443')"
run "$VIGIL" --data "$WORK/used" tenant list
expect_out_has "--force keeps the existing database" 0 "keepme"
san=$(openssl x509 -in "$WORK/used/tls/server.crt" -noout \
    -ext subjectAltName | tail -n 1 | sed 's/^ *//')
if [ "$san" = "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:127.0.0.2" ]; then
	ok "the certificate also names the --listen address"
else
	notok "the certificate also names the --listen address" "got: $san"
fi
run "$VIGIL" init --data "$WORK/bad" --listen localhost:8443
expect_err "a --listen that is not ADDRESS:PORT is a usage error (exit 2)" 2 \
    "expected an IPv4 address and port"
run "$VIGIL" init --data "$WORK/bad" --admin "Not A Name"
if [ "$RC" = 1 ] && [ ! -e "$WORK/bad" ]; then
	ok "a failed vigil init removes what it created"
else
	notok "a failed vigil init removes what it created" "$(_show)" \
	    "$(ls -R "$WORK/bad" 2>&1 | tr '\n' ' ')"
fi
run "$VIGIL" --server https://127.0.0.1:1 init --data "$WORK/x"
expect_err "vigil init refuses --server (it works on a local directory)" 2 \
    "works on a local data directory only"

# --- it works: vigild, the token, the password, the audit log ----------
run "$VIGILD" -n --data "$D"
expect_rc "vigild -n accepts the vigild.conf that vigil init wrote" 0
echo "workers = 1" >>"$D/vigild.conf"
VIGILD_PORT_FILE="$WORK/port" "$VIGILD" -f --data "$D" \
    >"$WORK/vigild.log" 2>&1 &
VIGILD_PID=$!
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(head -n 1 "$WORK/port" 2>/dev/null || echo 0)
i=0
until curl -s -o /dev/null --cacert "$CRT" \
    "https://127.0.0.1:$PORT/healthz" || [ $i -gt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
run curl -sS --cacert "$CRT" -H "Authorization: Bearer $TOKEN" \
    "https://127.0.0.1:$PORT/v1/auth/whoami"
expect_json "the printed token works: /v1/auth/whoami through curl --cacert" 0 \
    "(d['principal']['name'], d['principal']['role'], d['token']['label'])" \
    "('admin', 'platform-admin', 'vigil init')"
run curl -sS --cacert "$CRT" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"admin\",\"password\":\"$PASSWORD\"}" \
    "https://127.0.0.1:$PORT/v1/auth/login"
expect "the printed password logs in (POST /v1/auth/login: 201)" 0 "201"
run curl -sS --cacert "$CRT" -o /dev/null -w '%{http_code}' \
    "https://localhost:$PORT/healthz"
expect "the certificate is accepted for https://localhost too" 0 "200"
# The local IAM commands work on the same store, even while vigild runs.
run_in "a brand new admin password
" "$VIGIL" --data "$D" user passwd admin
expect "user passwd on the data directory sets a password" 0 \
    "password changed for admin"
run curl -sS --cacert "$CRT" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    -d '{"name":"admin","password":"a brand new admin password"}' \
    "https://127.0.0.1:$PORT/v1/auth/login"
expect "vigild accepts the password set on the data directory" 0 "201"
run "$VIGIL" --data "$D" --json user add --service --role auditor robot
expect_json "user add --service on the data directory" 0 \
    "(d['name'], d['kind'], d['role'], d['has_password'])" \
    "('robot', 'service', 'auditor', False)"
run "$VIGIL" --data "$D" --json token create robot --ttl 1h --label ci
ROBOT=$(json "d['token']")
run curl -sS --cacert "$CRT" -H "Authorization: Bearer $ROBOT" \
    "https://127.0.0.1:$PORT/v1/auth/whoami"
expect_json "a token made on the data directory works on vigild" 0 \
    "(d['principal']['name'], d['token']['label'])" "('robot', 'ci')"
stop_vigild

run "$VIGIL" --json --data "$D" audit list
expect_json "the audit log starts with platform.init by the local user" 0 \
    "(d['seq'], d['action'], d['outcome'], d['principal'].startswith('local:'))" \
    "(1, 'platform.init', 'ok', True)"
expect_json "local IAM changes are audited too" 0 \
    "[e['action'] for e in L if e['principal'].startswith('local:')]" \
    '["platform.init", "principal.password", "principal.create", "token.create"]'

run "$VIGIL" --data "$D" audit verify
expect_rc "the audit log vigil init started verifies" 0

finish
