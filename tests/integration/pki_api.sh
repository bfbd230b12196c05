#!/bin/sh
# The PKI's operator API with curl and the CLI's --server mode: a
# tenant's CAs (read, enrollment policy; a shared CA is the platform's),
# its certificates (list, show, hold, release, revoke with the exact
# statuses of each transition), hygiene reports, enrollment tokens
# (secret shown once), approvals and claims; each change in the audit
# log; tenant isolation (tenant B gets 404 for tenant A's certificate,
# also when revoking); permissions (an operator reads, cannot revoke).
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

vigild_setup
unset VIGIL_DATA
L() { "$VIGIL" --data "$DATA" "$@"; }
"$MKADMIN" "$DATA/vigil.db" tenant alpha >/dev/null
"$MKADMIN" "$DATA/vigil.db" tenant beta >/dev/null
# CAs are made on the data directory (keys never pass the API).
L --tenant alpha device add --name d1 --serial SN-A1 >/dev/null
L ca init >/dev/null
L --tenant alpha ca init >/dev/null
L --tenant beta ca init >/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/d1.key" -subj /CN=d1 -out "$WORK/d1.csr" 2>/dev/null
SERIAL=$(L --tenant alpha cert issue d1 --csr "$WORK/d1.csr" --json |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["serial"])')
vigild_start
echo "# vigild on $BASE"
TA=$(token alpha ta tenant-admin fresh)
OP=$(token alpha op operator fresh)
TB=$(token beta tb tenant-admin fresh)
A=/v1/tenants/alpha
B=/v1/tenants/beta

# ---- CAs -------------------------------------------------------------------
api GET "$A/cas" "$TA"
check "GET cas: the tenant's CAs and the shared ones (its root)" 200 \
    'sorted(c["label"] for c in d["items"])' \
    '["alpha", "alpha-ocsp", "shared", "shared-ocsp", "shared-root"]'
api GET "$B/cas" "$TB"
check "GET cas of beta: none of alpha's" 200 \
    '"alpha" in [c["label"] for c in d["items"]]' False
api GET "$A/cas/alpha" "$OP"
check "GET cas/alpha: the CA with its PEM and chain, never its key" 200 \
    '[d["role"], d["key_storage"], d["chain"].count("BEGIN CERTIFICATE"), "key_ref" in d]' \
    '["issuing", "file", 2, false]'
api GET "$B/cas/alpha" "$TB"
check "GET another tenant's CA: 404" 404
api PATCH "$A/cas/alpha" "$TA" '{"validity_s": 86400, "approval": true}'
check "PATCH cas/alpha sets the enrollment policy" 200 \
    '[d["validity_s"], d["approval"]]' '[86400, true]'
api PATCH "$A/cas/alpha" "$TA" '{"validity_s": 60}'
check "PATCH cas/alpha: a validity under an hour is refused" 422
api PATCH "$A/cas/shared" "$TA" '{"approval": true}'
check "PATCH of a shared CA by a tenant admin: 403" 403
api PATCH "$A/cas/shared-root" "$TA" '{"approval": true}'
check "PATCH of a root CA: 409 (no enrollment policy)" 409
api PATCH "$A/cas/alpha" "$OP" '{"approval": false}'
check "PATCH cas by an operator: 403" 403

# ---- certificates --------------------------------------------------------------
api GET "$A/certs" "$OP"
check "GET certs lists the issued certificate" 200 \
    '[c["serial"] for c in d["items"]]' "[\"$SERIAL\"]"
api GET "$A/certs?device=d1&status=good" "$OP"
check "GET certs?device=d1&status=good" 200 'len(d["items"])' 1
api GET "$A/certs?status=lost" "$OP"
check "GET certs?status=lost: 400" 400
api GET "$A/certs/$SERIAL" "$OP"
check "GET certs/{serial}: record and PEM" 200 \
    '[d["status"], d["pem"].startswith("-----BEGIN CERTIFICATE")]' \
    '["good", true]'
api GET "$B/certs/$SERIAL" "$TB"
check "tenant beta cannot see alpha's certificate: 404" 404
api POST "$B/certs/$SERIAL/revoke" "$TB" '{"reason": "keyCompromise"}'
check "tenant beta cannot revoke alpha's certificate: 404" 404
api POST "$A/certs/$SERIAL/revoke" "$OP" '{"reason": "keyCompromise"}'
check "an operator cannot revoke: 403" 403
api POST "$A/certs/$SERIAL/hold" "$TA"
check "POST hold" 200 '[d["status"], d["reason"]]' '["hold", "certificateHold"]'
api POST "$A/certs/$SERIAL/hold" "$TA"
check "POST hold twice: 409" 409
api POST "$A/certs/$SERIAL/release" "$TA"
check "POST release" 200 'd["status"]' good
api POST "$A/certs/$SERIAL/release" "$TA"
check "POST release of a good certificate: 409" 409
api POST "$A/certs/$SERIAL/revoke" "$TA" '{"reason": "certificateHold"}'
check "POST revoke with certificateHold: 422 (use hold)" 422
api POST "$A/certs/$SERIAL/revoke" "$TA" '{"reason": "keyCompromise"}'
check "POST revoke keyCompromise" 200 '[d["status"], d["reason"]]' \
    '["revoked", "keyCompromise"]'
api POST "$A/certs/$SERIAL/revoke" "$TA" '{}'
check "POST revoke of a revoked certificate: 409" 409
api GET "$A/audit?action=cert." "$TA"
check "issue (CLI), hold, release and revoke are audited" 200 \
    '[[e["action"], e["principal"]] for e in d["items"] if e["outcome"] == "ok"]' \
    '[["cert.issue", "local:'"$(id -un)"'"], ["cert.hold", "user:ta"], ["cert.release", "user:ta"], ["cert.revoke", "user:ta"]]'
api GET "$A/certs-audit" "$OP"
check "GET certs-audit" 200 'sorted(d.keys())' '["checked", "findings"]'
api GET "$A/certs-renewal?within_s=3600" "$OP"
check "GET certs-renewal" 200 'd["devices"]' '[]'

# ---- enrollment -----------------------------------------------------------------
api POST "$A/enrollment-tokens" "$TA" '{"device": "d1", "ttl_s": 3600}'
check "POST enrollment-tokens: the token once" 201 \
    '[d["token"][:4], d["state"], "location" in h]' '["vet_", "unused", true]'
TID=$(jbody 'd["id"]')
api GET "$A/enrollment-tokens" "$OP"
check "GET enrollment-tokens: records without secrets" 200 \
    '[[t["id"], "token" in t] for t in d["items"]]' "[[\"$TID\", false]]"
api POST "$A/enrollment-tokens" "$TA" '{"device": "nosuch"}'
check "POST enrollment-tokens for an unknown device: 404" 404
api POST "$B/enrollment-tokens" "$TB" '{"device": "d1"}'
check "beta cannot make a token for alpha's device: 404" 404
api DELETE "$B/enrollment-tokens/$TID" "$TB"
check "beta cannot delete alpha's token: 404" 404
api DELETE "$A/enrollment-tokens/$TID" "$TA"
check "DELETE enrollment-tokens/{id}" 204
api GET "$A/enrollments" "$OP"
check "GET enrollments (pending)" 200 'd["items"]' '[]'
api GET "$A/enrollments?state=sideways" "$OP"
check "GET enrollments?state=sideways: 400" 400
api POST "$A/claims" "$TA" '{"identifier": "urn:dev:mac:0024befffe804ff1"}'
check "POST claims" 204

# ---- the CLI against the API -------------------------------------------------------
export VIGIL_TOKEN="$TA"
R() { "$VIGIL" --server "$BASE" --ca "$CA" --tenant alpha "$@"; }
run R cert list --json
expect_json "vigil --server cert list" 0 \
    '[[c["serial"], c["status"]] for c in d["certs"]]' \
    "[[\"$SERIAL\", \"revoked\"]]"
run R ca export alpha
expect_out_has "vigil --server ca export prints the chain" 0 \
    "BEGIN CERTIFICATE"
run R ca policy alpha --approval off --json
expect_json "vigil --server ca policy" 0 'd["approval"]' False
run R enroll token d1 --ttl 1h --json
expect_json "vigil --server enroll token shows the secret once" 0 \
    'd["token"][:4]' vet_
run R enroll tokens --json
expect_json "vigil --server enroll tokens: no secrets" 0 \
    '["token" in t for t in d["tokens"]]' '[false]'
run R cert revoke "$SERIAL"
expect_err "vigil --server cert revoke of a revoked certificate" 1 \
    "already revoked"
run R cert issue d1 --csr "$WORK/d1.csr" --json
expect_json "vigil --server cert issue (signed by the signer)" 0 \
    'd["profile"]' device
export VIGIL_TOKEN="$OP"
run R cert hold "$SERIAL"
expect_rc "vigil --server cert hold as an operator: not allowed (exit 3)" 3
unset VIGIL_TOKEN

vigild_finish
finish
