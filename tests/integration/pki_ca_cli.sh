#!/bin/sh
# The operator's PKI commands on a local data directory: `vigil ca init`
# for every algorithm (key files 0600 in a 0700 directory), a
# group-readable CA key refused at load, ca list/show/export, rollover
# keeping the old CA (retiring) next to the new one, root rollover with
# its cross-certificates verified by `openssl verify` in both directions
# (and the issuing CA's for devices pinning it), retire ending the
# overlap, local issuance
# verified by `openssl verify` against the exported chain, the identity
# from the registry (not the CSR), revoke/hold/release transitions with
# their exact errors, tenant scoping, enrollment tokens shown once, and
# the --json shapes.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

V=$VIGIL
mode() { stat -c %a "$1"; }

run "$V" tenant create acme
expect_rc "tenant acme created" 0
run "$V" tenant create beta
expect_rc "tenant beta created" 0
run "$V" --tenant acme device add --name d1 --serial SN-0001
expect_rc "device d1 registered in acme" 0
run "$V" --tenant beta device add --name b1
expect_rc "device b1 registered in beta" 0

# ---- ca init, every algorithm (each in its own data directory) -----------
for alg in p256 p384 ed25519 rsa3072; do
	run "$V" --data "$WORK/alg-$alg" ca init --alg "$alg" --json
	expect_json "ca init --alg $alg creates root, issuing CA and responder" \
	    0 '[[c["label"], c["role"], c["alg"], c["created_now"]] for c in d["cas"]]' \
	    "[[\"shared-root\", \"root\", \"$alg\", true], [\"shared\", \"issuing\", \"$alg\", true], [\"shared-ocsp\", \"responder\", \"$alg\", true]]"
done

run "$V" --tenant acme ca init --json
expect_json "ca init --tenant acme: label defaults to the tenant's name" 0 \
    '[c["label"] for c in d["cas"]]' '["acme-root", "acme", "acme-ocsp"]'
expect_json "ca init --json: fingerprints and key storage" 0 \
    '[[len(c["key_fingerprint"]), len(c["cert_fingerprint"]), c["key_storage"]] for c in d["cas"]]' \
    '[[64, 64, "file"], [64, 64, "file"], [64, 64, "file"]]'
run "$V" ca init --json
expect_json "ca init without a tenant makes the shared CA (its own root)" 0 \
    '[[c["label"], c["tenant_id"], c["created_now"]] for c in d["cas"]]' \
    '[["shared-root", null, true], ["shared", null, true], ["shared-ocsp", null, true]]'
run "$V" --tenant beta ca init --json
expect_json "a tenant without a root of its own uses the shared root" 0 \
    '[[c["label"], c["created_now"]] for c in d["cas"]]' \
    '[["shared-root", false], ["beta", true], ["beta-ocsp", true]]'
KD="$VIGIL_DATA/pki/acme"
if [ "$(mode "$KD")" = 700 ] && [ "$(mode "$KD/root.key")" = 600 ] &&
    [ "$(mode "$KD/issuing.key")" = 600 ] &&
    [ "$(mode "$KD/ocsp.key")" = 600 ]; then
	ok "CA keys are 0600 files in a 0700 directory"
else
	notok "CA keys are 0600 files in a 0700 directory" \
	    "$(ls -la "$KD" | tr '\n' '|')"
fi
run "$V" --tenant acme ca init
expect_err "ca init refuses a label that is taken" 1 "acme"
run "$V" ca init --alg dsa
expect_err "ca init --alg dsa is a usage error" 2 "expected p256, p384"
run "$V" ca init --label 'Bad_Label'
expect_err "ca init refuses a label with capitals" 2 "--label 'Bad_Label'"

# ---- list, show, export --------------------------------------------------
run "$V" --tenant acme ca list --json
expect_json "ca list --tenant acme shows its CAs and the shared ones" 0 \
    '"acme" in [c["label"] for c in d["cas"]] and "shared" in [c["label"] for c in d["cas"]]' \
    True
run "$V" --tenant beta ca list --json
expect_json "ca list --tenant beta does not show acme's CAs" 0 \
    '"acme" in [c["label"] for c in d["cas"]]' False
run "$V" --tenant acme ca show acme --json
expect_json "ca show --json: issuing CA with policy, PEM and chain" 0 \
    '[d["role"], d["status"], d["approval"], d["validity_s"], d["pem"].startswith("-----BEGIN CERTIFICATE"), d["chain"].count("BEGIN CERTIFICATE")]' \
    '["issuing", "active", false, 0, true, 2]'
run "$V" --tenant acme ca export acme
"$PY" -c 'import sys; t = open(sys.argv[1]).read(); sys.exit(0 if t.count("BEGIN CERTIFICATE") == 2 else 1)' "$OUT" &&
    ok "ca export prints the chain (issuing CA and root) as PEM" ||
    notok "ca export prints the chain as PEM" "got $(_show)"
cp "$OUT" "$WORK/chain.pem"
run "$V" --tenant acme ca show nosuch
expect_err "ca show of an unknown label fails" 1 "nosuch"
run "$V" --tenant beta ca show acme
expect_err "ca show: another tenant's CA is not found" 1 "acme"

# ---- policy ------------------------------------------------------------------
run "$V" --tenant acme ca policy acme --validity 12h --approval on --json
expect_json "ca policy sets validity and approval" 0 \
    '[d["validity_s"], d["approval"]]' '[43200, true]'
run "$V" --tenant acme ca policy acme --approval maybe
expect_err "ca policy --approval maybe is a usage error" 2 \
    "expected on or off"
run "$V" --tenant acme ca policy acme --validity 10m
expect_err "ca policy refuses a validity under one hour" 2 "1h to 397d"
run "$V" --tenant acme ca policy acme --approval off --validity 30d
expect_rc "ca policy back to 30 days without approval" 0

# ---- local issuance ------------------------------------------------------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/d1.key" -subj "/CN=evil.example/serialNumber=FORGED" \
    -out "$WORK/d1.csr" 2>/dev/null
run "$V" --tenant acme cert issue d1 --csr "$WORK/d1.csr" \
    --pki-url http://127.0.0.1:1 --json
expect_json "cert issue: identity from the registry, not the CSR" 0 \
    '[d["status"], d["profile"], d["via"], d["subject"]]' \
    "[\"good\", \"device\", \"cli\", \"CN=$("$V" --tenant acme device show d1 --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])'),serialNumber=SN-0001\"]"
SERIAL=$(json 'd["serial"]')
"$PY" -c 'import json, sys; sys.stdout.write(json.load(open(sys.argv[1]))["pem"])' \
    "$OUT" >"$WORK/d1.pem"
run openssl verify -CAfile "$WORK/chain.pem" "$WORK/d1.pem"
expect_out_has "openssl verify accepts the issued certificate with the exported chain" \
    0 "OK"
run openssl x509 -in "$WORK/d1.pem" -noout -ext extendedKeyUsage,crlDistributionPoints
expect_out_has "issued certificate: clientAuth and the CRL address of its CA" \
    0 "http://127.0.0.1:1/crl/acme.crl"
run "$V" --tenant beta cert issue b1 --csr "$WORK/d1.csr"
expect_err "the same key is refused for a device of another tenant" 1 \
    "already certified"
run "$V" --tenant acme cert issue d1 --csr "$WORK/d1.csr" --validity 400d
expect_err "cert issue --validity above the profile's maximum" 2 \
    "allows 1 h to 397 days"
printf 'not a csr' >"$WORK/bad.csr"
run "$V" --tenant acme cert issue d1 --csr "$WORK/bad.csr"
expect_err "cert issue refuses a file that is not a CSR" 1 "bad.csr"
run "$V" --server https://127.0.0.1:1 ca rollover acme
expect_rc "ca rollover is local only: --server is a usage error" 2

# ---- group-readable key refused --------------------------------------------------
chmod 640 "$KD/issuing.key"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/d1b.key" -subj /CN=x -out "$WORK/d1b.csr" 2>/dev/null
run "$V" --tenant acme cert issue d1 --csr "$WORK/d1b.csr"
expect_err "a group-readable CA key is refused at load" 1 "issuing.key"
chmod 600 "$KD/issuing.key"

# ---- list, show -------------------------------------------------------------------
run "$V" --tenant acme cert list --json
expect_json "cert list --json shows the certificate" 0 \
    '[c["serial"] for c in d["certs"]]' "[\"$SERIAL\"]"
run "$V" --tenant beta cert list --json
expect_json "cert list --tenant beta does not show acme's certificate" 0 \
    'd["certs"]' '[]'
run "$V" --tenant acme cert list --device d1 --status good --expiring 31d --json
expect_json "cert list filters by device, status and expiry" 0 \
    'len(d["certs"])' 1
run "$V" --tenant acme cert list --expiring 1h --json
expect_json "cert list --expiring 1h leaves out a 30-day certificate" 0 \
    'len(d["certs"])' 0
run "$V" --tenant acme cert list --status lost
expect_err "cert list --status lost is a usage error" 2 \
    "expected good, revoked or hold"
run "$V" --tenant acme cert show "$SERIAL" --pem
if cmp -s "$OUT" "$WORK/d1.pem"; then
	ok "cert show --pem prints the issued certificate"
else
	notok "cert show --pem prints the issued certificate" "got $(_show)"
fi
run "$V" --tenant beta cert show "$SERIAL"
expect_err "cert show: another tenant's certificate is not found" 1 \
    "not found"

# ---- revoke, hold, release --------------------------------------------------------
run "$V" --tenant acme cert hold "$SERIAL"
expect "cert hold suspends the certificate" 0 \
    "held certificate $SERIAL (hold, certificateHold)"
run "$V" --tenant acme cert hold "$SERIAL"
expect_err "cert hold twice: already on hold" 1 "already on hold"
run "$V" --tenant acme cert release "$SERIAL"
expect "cert release makes it good again" 0 \
    "released certificate $SERIAL (good)"
run "$V" --tenant acme cert release "$SERIAL"
expect_err "cert release of a good certificate fails" 1 "not on hold"
run "$V" --tenant beta cert revoke "$SERIAL"
expect_err "another tenant cannot revoke acme's certificate" 1 "not found"
run "$V" --tenant acme cert revoke "$SERIAL" --reason certificateHold
expect_err "cert revoke --reason certificateHold points to cert hold" 2 \
    "use 'vigil cert hold SERIAL'"
run "$V" --tenant acme cert revoke "$SERIAL" --reason bogus
expect_err "cert revoke --reason bogus is a usage error" 2 \
    "--reason 'bogus'"
run "$V" --tenant acme cert revoke "$SERIAL" --reason keyCompromise --json
expect_json "cert revoke --reason keyCompromise" 0 \
    '[d["status"], d["reason"]]' '["revoked", "keyCompromise"]'
run "$V" --tenant acme cert revoke "$SERIAL"
expect_err "revoking a revoked certificate fails" 1 "already revoked"
run "$V" --tenant acme cert hold "$SERIAL"
expect_rc "a revoked certificate cannot be put on hold" 1
run "$V" --tenant acme cert release "$SERIAL"
expect_rc "a revoked certificate cannot be released" 1
run "$V" --tenant acme cert issue d1 --csr "$WORK/d1b.csr" --json
expect_rc "a new certificate for d1 (its own new key)" 0
run "$V" --tenant acme cert revoke --device d1 --reason superseded --json
expect_json "cert revoke --device revokes every good certificate of d1" 0 \
    'd["revoked"]' 1
run "$V" audit list --action cert. --json
expect_json "issue, hold, release and revoke are in the audit log" 0 \
    '[e["action"] for e in L]' \
    '["cert.issue", "cert.hold", "cert.release", "cert.revoke", "cert.issue", "cert.revoke"]'

# ---- audit, renew-report ------------------------------------------------------------
run "$V" --tenant acme cert audit --json
expect_json "cert audit --json: findings list and count" 0 \
    '[sorted(d.keys()), d["checked"]]' '[["checked", "findings"], 0]'
run "$V" --tenant acme cert renew-report --within 7d --json
expect_json "cert renew-report --json" 0 'd["devices"]' '[]'

# ---- enrollment tokens --------------------------------------------------------------
run "$V" --tenant acme enroll token d1 --ttl 2h --json
expect_json "enroll token --json: the secret once, with the record" 0 \
    '[d["token"][:4], len(d["token"]), d["state"]]' '["vet_", 47, "unused"]'
TOK=$(json 'd["token"]')
TID=$(json 'd["id"]')
run "$V" --tenant acme enroll tokens --json
expect_json "enroll tokens lists the token without its secret" 0 \
    '[[t["id"] for t in d["tokens"]], "token" in d["tokens"][0]]' \
    "[[\"$TID\"], false]"
if grep -rqF "$TOK" "$VIGIL_DATA"; then
	notok "the token secret is not stored in the data directory"
else
	ok "the token secret is not stored in the data directory"
fi
run "$V" --tenant acme enroll token d1 --ttl 10s
expect_err "enroll token --ttl below 60 s is a usage error" 2 "60s to 30d"
run "$V" --tenant acme enroll token nosuch
expect_rc "enroll token for an unknown device fails" 1
run "$V" --tenant acme enroll revoke-token "$TID"
expect "enroll revoke-token deletes it" 0 "revoked enrollment token $TID"
run "$V" --tenant acme enroll pending --json
expect_json "enroll pending: none" 0 'd["enrollments"]' '[]'
run "$V" --tenant acme enroll allow 'urn:dev:mac:0024befffe804ff1' --json
expect_json "enroll allow puts an identifier on the claim list" 0 \
    'd["allowed"]' True

# ---- rollover, retire -------------------------------------------------------------------
run "$V" ca rollover acme --json
expect_json "ca rollover makes a new issuing CA, responder and cross-certificate" 0 \
    '[[c["label"], c["role"]] for c in d["cas"] if c["created_now"]]' \
    '[["acme-2", "issuing"], ["acme-2-ocsp", "responder"], ["acme-2-newwithold", "cross"]]'
run "$V" --tenant acme ca list --json
expect_json "after rollover both issuing CAs are listed (old retiring)" 0 \
    '[[c["label"], c["status"]] for c in d["cas"] if c["label"] in ("acme", "acme-2")]' \
    '[["acme", "retiring"], ["acme-2", "active"]]'
run "$V" ca rollover acme
expect_err "a retiring CA does not roll over again" 1 "only an active issuing CA"
run "$V" ca retire acme
expect "ca retire takes the responder and the cross-certificate it signed along" 0 \
    "retired CA acme
retired CA acme-ocsp with it
retired CA acme-2-newwithold with it"

# ---- root rollover (RFC 4210 §4.4): NewWithNew, OldWithNew, NewWithOld -------
pem() { "$V" ca show "$1" --pem >"$WORK/$1.pem"; }
ids() { "$V" ca show "$1" --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["parent_id"])'; }
newcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$1.key" -subj /CN=x -out "$WORK/$1.csr" 2>/dev/null
}
newcsr dold
run "$V" --tenant acme cert issue d1 --csr "$WORK/dold.csr" -o "$WORK/dold.pem"
expect_rc "a device certificate under the old root (issuing CA acme-2)" 0
run "$V" ca rollover
expect_err "ca rollover without LABEL or --root is a usage error" 2 "--root"
run "$V" --tenant beta ca rollover --root
expect_err "ca rollover --root --tenant beta: beta has no root of its own" 1 \
    "no active root of its own"
run "$V" ca rollover --root acme-2
expect_err "ca rollover --root with an issuing CA's label is refused" 1 \
    "only an active root CA"
run "$V" --tenant acme ca rollover --root --json
expect_json "ca rollover --root: new root and the two cross-certificates" 0 \
    '[[c["label"], c["role"], c["created_now"]] for c in d["cas"]]' \
    '[["acme-root-2", "root", true], ["acme-root-2-oldwithnew", "cross", true], ["acme-root-2-newwithold", "cross", true]]'
for l in acme-root acme-2 acme-root-2 acme-root-2-oldwithnew acme-root-2-newwithold; do
	pem "$l"
done
run "$V" --tenant acme ca list --json
expect_json "the old root is retiring, its issuing CA stays active" 0 \
    '[[c["label"], c["status"]] for c in d["cas"] if c["label"] in ("acme-root", "acme-2", "acme-root-2")]' \
    '[["acme-root", "retiring"], ["acme-2", "active"], ["acme-root-2", "active"]]'
run openssl x509 -in "$WORK/acme-root-2.pem" -noout -subject -issuer
expect_out_has "NewWithNew is self-signed with the next generation's name" 0 \
    "issuer=O = acme, CN = acme root CA G2"
set -- "$(ids acme-root)" "$(ids acme-root-2)" "$(ids acme-root-2-oldwithnew)" \
    "$(ids acme-root-2-newwithold)"
if [ "${3#* }" = "${2% *}" ] && [ "${4#* }" = "${1% *}" ]; then
	ok "OldWithNew is stored under the new root, NewWithOld under the old one"
else
	notok "cross-certificate parents" "roots: $1 / $2; crosses: $3 / $4"
fi
cat "$WORK/acme-2.pem" "$WORK/acme-root-2-oldwithnew.pem" >"$WORK/untrusted-old.pem"
run openssl verify -CAfile "$WORK/acme-root-2.pem" \
    -untrusted "$WORK/untrusted-old.pem" "$WORK/dold.pem"
expect_out_has "a certificate under the OLD root verifies with only the NEW root as anchor and OldWithNew" \
    0 "dold.pem: OK"
run openssl verify -CAfile "$WORK/acme-root-2.pem" -untrusted "$WORK/acme-2.pem" \
    "$WORK/dold.pem"
expect_rc "without OldWithNew the new root alone does not verify it" 2

# The issuing CA moves under the ACTIVE root, not its old parent.
run "$V" ca rollover acme-2 --json
expect_json "ca rollover acme-2 makes acme-3 under the new root" 0 \
    '[[c["label"], c["role"], c["created_now"]] for c in d["cas"]]' \
    '[["acme-root-2", "root", false], ["acme-3", "issuing", true], ["acme-3-ocsp", "responder", true], ["acme-3-newwithold", "cross", true]]'
set -- "$(ids acme-3)" "$(ids acme-root-2)" "$(ids acme-3-newwithold)" "$(ids acme-2)"
if [ "${1#* }" = "${2% *}" ] && [ "${3#* }" = "${4% *}" ]; then
	ok "acme-3 is signed by the active root; its cross-certificate by acme-2"
else
	notok "issuing rollover picks the active root" "acme-3: $1; root: $2; cross: $3; acme-2: $4"
fi
pem acme-3
pem acme-3-newwithold
run openssl x509 -in "$WORK/acme-3.pem" -noout -subject
expect "the successor keeps its predecessor's name (key update)" 0 \
    "subject=O = acme, CN = acme issuing CA acme"
newcsr dnew
run "$V" --tenant acme cert issue d1 --csr "$WORK/dnew.csr" -o "$WORK/dnew.pem"
expect_rc "a device certificate under the new root (issuing CA acme-3)" 0
cat "$WORK/acme-3.pem" "$WORK/acme-root-2-newwithold.pem" >"$WORK/untrusted-new.pem"
run openssl verify -CAfile "$WORK/acme-root.pem" \
    -untrusted "$WORK/untrusted-new.pem" "$WORK/dnew.pem"
expect_out_has "a certificate under the NEW root verifies with only the OLD root as anchor and NewWithOld" \
    0 "dnew.pem: OK"
run openssl verify -CAfile "$WORK/acme-root.pem" -untrusted "$WORK/acme-2.pem" \
    "$WORK/acme-3-newwithold.pem"
expect_out_has "the issuing cross-certificate verifies under the old issuing CA and root" \
    0 "acme-3-newwithold.pem: OK"
run openssl verify -partial_chain -CAfile "$WORK/acme-2.pem" \
    -untrusted "$WORK/acme-3-newwithold.pem" "$WORK/dnew.pem"
expect_out_has "a device pinning the OLD issuing CA (pathlen 0) verifies the new one's certificate through it" \
    0 "dnew.pem: OK"
run openssl verify -partial_chain -CAfile "$WORK/acme-2.pem" "$WORK/dnew.pem"
expect_rc "without the cross-certificate it does not" 2

# Retiring ends the overlap.
run "$V" ca retire acme-root
expect_err "a root is not retired while an issuing CA under it is in service" 1 \
    "still signs issuing CA acme-2 (retiring)"
run "$V" ca retire acme-2 --json
expect_json "ca retire acme-2 retires its responder and the cross-certificate it signed" 0 \
    'd["also"]' '["acme-2-ocsp", "acme-3-newwithold"]'
run "$V" ca retire acme-root --json
expect_json "ca retire acme-root retires both root cross-certificates" 0 \
    'd["also"]' '["acme-root-2-oldwithnew", "acme-root-2-newwithold"]'
run "$V" --tenant acme ca list --json
expect_json "after retirement only the new root and acme-3 are in service" 0 \
    '[c["label"] for c in d["cas"] if c["status"] in ("active", "retiring") and c["tenant_id"]]' \
    '["acme-root-2", "acme-3", "acme-3-ocsp"]'
run "$V" ca rollover acme-root --root
expect_err "a retired root does not roll over" 1 "only an active root CA"

# An offline (imported) root: its key is given for the rollover only.
O="$WORK/offline"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$WORK/oroot.key" 2>/dev/null
openssl req -x509 -new -key "$WORK/oroot.key" -subj "/C=DE/O=Acme/CN=Acme offline root" \
    -days 3650 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign -out "$WORK/oroot.pem"
chmod 600 "$WORK/oroot.key"
"$V" --data "$O" tenant create off >/dev/null
"$V" --data "$O" --tenant off device add --name o1 >/dev/null
run "$V" --data "$O" --tenant off ca init --root-cert "$WORK/oroot.pem" \
    --root-key "$WORK/oroot.key"
expect_rc "ca init with an imported offline root" 0
newcsr o1
"$V" --data "$O" --tenant off cert issue o1 --csr "$WORK/o1.csr" -o "$WORK/o1.pem" >/dev/null
run "$V" --data "$O" --tenant off ca rollover --root
expect_err "root rollover of an offline root asks for its key" 1 \
    "give --old-root-key FILE or --old-root-key-uri URI"
run "$V" --data "$O" --tenant off ca rollover --root --old-root-key "$WORK/oroot.key" --json
expect_json "ca rollover --root --old-root-key signs NewWithOld with the offline key" 0 \
    '[[c["label"], c["key_storage"]] for c in d["cas"]]' \
    '[["off-root-2", "file"], ["off-root-2-oldwithnew", "offline"], ["off-root-2-newwithold", "offline"]]'
"$V" --data "$O" ca show off-root-2 --pem >"$WORK/oroot2.pem"
"$V" --data "$O" ca show off-root-2-oldwithnew --pem >"$WORK/oown.pem"
"$V" --data "$O" ca show off --pem >"$WORK/oiss.pem"
run openssl x509 -in "$WORK/oown.pem" -noout -subject
expect "OldWithNew carries the imported root's exact name" 0 \
    "subject=C = DE, O = Acme, CN = Acme offline root"
cat "$WORK/oiss.pem" "$WORK/oown.pem" >"$WORK/ountrusted.pem"
run openssl verify -CAfile "$WORK/oroot2.pem" -untrusted "$WORK/ountrusted.pem" \
    "$WORK/o1.pem"
expect_out_has "a certificate under the imported root verifies with the new root and OldWithNew" \
    0 "o1.pem: OK"
run "$V" --server https://127.0.0.1:1 ca init
expect_rc "ca init is local only" 2

# ---- issuing key in a PKCS#11 token (SoftHSM2) ------------------------------------
MOD=/usr/lib/softhsm/libsofthsm2.so
if command -v softhsm2-util >/dev/null && command -v pkcs11-tool \
    >/dev/null && [ -f "$MOD" ]; then
	mkdir "$WORK/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\n' \
	    "$WORK/tokens" >"$WORK/softhsm2.conf"
	export SOFTHSM2_CONF="$WORK/softhsm2.conf"
	softhsm2-util --init-token --free --label vigil --so-pin 0000 \
	    --pin 1234 >/dev/null
	pkcs11-tool --module "$MOD" --login --pin 1234 --token-label vigil \
	    --keypairgen --key-type EC:prime256v1 --label issuing --id 01 \
	    >/dev/null 2>&1
	printf 1234 >"$WORK/pin"
	chmod 600 "$WORK/pin"
	H="$WORK/hsm"
	"$V" --data "$H" tenant create hsm >/dev/null
	"$V" --data "$H" --tenant hsm device add --name h1 >/dev/null
	run "$V" --data "$H" --tenant hsm cert issue h1 --csr "$WORK/d1b.csr"
	expect_err "cert issue without any issuing CA says what to do" 1 \
	    "has no active issuing CA"
	run "$V" --data "$H" --tenant hsm ca init --pkcs11-module "$MOD" \
	    --key-uri "pkcs11:token=vigil;object=issuing;type=private;pin-source=file:$WORK/pin" \
	    --json
	expect_json "ca init --key-uri: the issuing key stays in the token" 0 \
	    '[c["key_storage"] for c in d["cas"]]' '["file", "pkcs11", "file"]'
	if [ ! -e "$H/pki/hsm/issuing.key" ]; then
		ok "no issuing key file exists for a token key"
	else
		notok "no issuing key file exists for a token key"
	fi
	run "$V" --data "$H" --tenant hsm cert issue h1 --csr "$WORK/d1b.csr" \
	    --pkcs11-module "$MOD" -o "$WORK/h1.pem"
	expect_rc "cert issue signs with the token key" 0
	"$V" --data "$H" --tenant hsm ca export hsm >"$WORK/hchain.pem"
	run openssl verify -CAfile "$WORK/hchain.pem" "$WORK/h1.pem"
	expect_out_has "openssl verify accepts the token-signed certificate" 0 \
	    "OK"
	unset SOFTHSM2_CONF
else
	echo "# SoftHSM2 or pkcs11-tool missing: PKCS#11 checks skipped"
fi
run "$V" --data "$WORK/empty" --tenant acme cert issue d1 --csr "$WORK/d1.csr"
expect_rc "cert issue in a data directory without that tenant fails" 1

finish
