#!/bin/sh
# Zero-trust access over the API with curl against a real vigild: stored
# policies (put, versions, conditional put, invalid documents with the
# parser's path, rollback, delete), attachments, the live decision
# explained (allow and deny with their reasons, "what if" context),
# quarantine (every action denied by the built-in rule except check-in)
# and release (allowed again), posture and check-in views, model
# baselines, lint, roles (an auditor reads but cannot change, an
# operator cannot quarantine), tenant isolation (another tenant's token
# gets 404) and the audit entries of every change.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

vigild_setup
unset VIGIL_DATA
L() { "$VIGIL" --data "$DATA" "$@"; }
"$MKADMIN" "$DATA/vigil.db" tenant alpha >/dev/null
"$MKADMIN" "$DATA/vigil.db" tenant beta >/dev/null
L --tenant alpha device add --name a1 --model gw-100 --label site=berlin \
    --state active >/dev/null
L --tenant alpha device add --name a2 --model gw-100 --state active \
    >/dev/null
L --tenant beta device add --name b1 --model gw-100 --state active \
    >/dev/null
vigild_start
echo "# vigild on $BASE"
TA=$(token alpha ta tenant-admin fresh)
SA=$(token alpha sa security-analyst fresh)
OPA=$(token alpha opa operator fresh)
AU=$(token alpha au auditor fresh)
TB=$(token beta tb tenant-admin fresh)
A=/v1/tenants/alpha
B=/v1/tenants/beta
P=$A/policies/telemetry

api GET "$A/devices/a1" "$TA"
check "device a1 exists" 200
A1=$(jbody 'd["id"]')

# ---- documents ----------------------------------------------------------------
# v1: a device publishes its own telemetry while its risk is below 80.
DOC1='{"Version": "2026-11-01", "Statement": [
 {"Sid": "own-telemetry", "Effect": "Allow", "Action": "mqtt:Publish",
  "Resource": "topic:dev/${device.id}/telemetry",
  "Condition": {"NumericLessThan": {"vigil:RiskScore": "80"}}}]}'
# v2: and subscribes to its own commands.
DOC2='{"Version": "2026-11-01", "Statement": [
 {"Sid": "own-telemetry", "Effect": "Allow", "Action": "mqtt:Publish",
  "Resource": "topic:dev/${device.id}/telemetry",
  "Condition": {"NumericLessThan": {"vigil:RiskScore": "80"}}},
 {"Sid": "own-commands", "Effect": "Allow", "Action": "mqtt:Subscribe",
  "Resource": "topicfilter:dev/${device.id}/cmd/+"}]}'
BAD='{"Version": "2026-11-01", "Statement": [
 {"Effect": "Maybe", "Action": "mqtt:Publish", "Resource": "*"}]}'
WIDE='{"Version": "2026-11-01", "Statement": [
 {"Effect": "Allow", "Action": "*", "Resource": "*"}]}'

# ---- policies and versions ---------------------------------------------------
api GET "$A/policies" "$AU"
check "GET policies: none yet" 200 'd["policies"]' '[]'
api PUT "$P" "$TA" "{\"document\": $DOC1, \"description\": \"telemetry\", \"comment\": \"first\"}"
check "PUT a new policy: 201, version 1" 201 \
    '[d["name"], d["version"], d["changed"]]' '["telemetry", 1, true]'
check "... with its Location" 201 \
    'h.get("location", "").endswith("/policies/telemetry")' True
api PUT "$P" "$TA" "{\"document\": $DOC1}"
check "PUT the same document: 200, unchanged at version 1" 200 \
    '[d["version"], d["changed"]]' '[1, false]'
api PUT "$P" "$TA" "{\"document\": $DOC2, \"comment\": \"commands\", \"expected_version\": 1}"
check "PUT a new document at expected_version 1: version 2" 200 \
    '[d["version"], d["changed"]]' '[2, true]'
api PUT "$P" "$TA" "{\"document\": $DOC1, \"expected_version\": 1}"
check "PUT with a stale expected_version: 409" 409
api PUT "$P" "$TA" "{\"document\": $BAD}"
check "PUT an invalid document: 400 naming the JSON path" 400 \
    '"Statement[0]" in d["detail"] and "Effect" in d["detail"]' True
api PUT "$P" "$TA" '{"comment": "no document"}'
check "PUT without a document: 422 naming the field" 422 \
    '"document" in d["detail"]' True
api PUT "$A/policies/Bad%20Name" "$TA" "{\"document\": $DOC1}"
check "PUT with an invalid policy name: 400" 400
api PUT "$P" "$AU" "{\"document\": $DOC1}"
check "an auditor cannot put a policy (policy:manage): 403" 403
api PUT "$A/policies/analyst" "$SA" "{\"document\": $DOC1}"
check "a security analyst may (policy:manage): 201" 201
api DELETE "$A/policies/analyst" "$SA"
check "... and delete it: 204" 204

api GET "$P" "$AU"
check "an auditor reads the current version" 200 \
    '[d["version"], d["current_version"], len(d["document"]["Statement"])]' \
    '[2, 2, 2]'
api GET "$P?version=1" "$AU"
check "GET ?version=1: the first version" 200 \
    '[d["version"], d["current_version"], d["comment"]]' '[1, 2, "first"]'
api GET "$P?version=9" "$AU"
check "GET ?version=9: 404" 404
api GET "$P?version=zero" "$AU"
check "GET ?version=zero: 400" 400
api GET "$A/policies/nosuch" "$AU"
check "GET an unknown policy: 404" 404
api GET "$P/versions" "$OPA"
check "GET versions: newest first" 200 \
    '[v["version"] for v in d["versions"]]' '[2, 1]'
api POST "$P/rollback" "$TA" '{"version": 1, "comment": "back"}'
check "rollback to version 1: stored as version 3" 200 'd["version"]' 3
api GET "$P" "$AU"
check "version 3 says it restores version 1" 200 \
    '[d["version"], d["rollback_of"], len(d["document"]["Statement"])]' \
    '[3, 1, 1]'
api POST "$P/rollback" "$TA" '{"version": 1}'
check "rollback to what is current already: 409" 409
api POST "$P/rollback" "$TA" '{"version": 7}'
check "rollback to a version that does not exist: 404" 404
api POST "$P/rollback" "$TA" '{}'
check "rollback without a version: 422" 422
api GET "$A/policies" "$OPA"
check "GET policies lists it" 200 \
    '[(p["name"], p["version"]) for p in d["policies"]]' \
    '[["telemetry", 3]]'

# ---- tenant isolation ------------------------------------------------------------
api GET "$P" "$TB"
check "tenant beta's token gets 404 for alpha's policy" 404
api PUT "$P" "$TB" "{\"document\": $DOC1}"
check "tenant beta's token cannot write alpha's policy: 404" 404
api GET "$B/policies/telemetry" "$TB"
check "beta has no policy of that name" 404
api GET "$B/policies" "$TB"
check "beta's policy list is empty" 200 'd["policies"]' '[]'

# ---- attachments ----------------------------------------------------------------
api POST "$P/attachments" "$TA" '{"kind": "tenant"}'
check "attach to the tenant: 201" 201 '[d["policy"], d["kind"]]' \
    '["telemetry", "tenant"]'
api POST "$P/attachments" "$TA" '{"kind": "tenant"}'
check "attach twice: 409" 409
api POST "$P/attachments" "$TA" '{"kind": "device", "target": "a1"}'
check "attach to device a1: 201" 201 '[d["kind"], d["target"]]' \
    "[\"device\", \"$A1\"]"
api POST "$P/attachments" "$TA" '{"kind": "label", "target": "site=berlin"}'
check "attach to a label selector: 201" 201
api POST "$P/attachments" "$TA" '{"kind": "device", "target": "nosuch"}'
check "attach to an unknown device: 404" 404
api POST "$P/attachments" "$TA" '{"kind": "cloud", "target": "x"}'
check "attach with an unknown kind: 422" 422 '"kind" in d["detail"]' True
api POST "$P/attachments" "$TA" '{"kind": "model"}'
check "attach to a model without a target: 422" 422
api POST "$P/attachments" "$AU" '{"kind": "model", "target": "gw-100"}'
check "an auditor cannot attach: 403" 403
api GET "$A/policy-attachments" "$AU"
check "GET policy-attachments: all three" 200 \
    'sorted(a["kind"] for a in d["attachments"])' \
    '["device", "label", "tenant"]'
api GET "$A/policy-attachments?policy=telemetry" "$AU"
check "GET policy-attachments?policy=telemetry: the same three" 200 \
    'len(d["attachments"])' 3
api DELETE "$P/attachments?kind=label&target=site%3Dberlin" "$TA"
check "detach the label selector: 204" 204
api DELETE "$P/attachments?kind=label&target=site%3Dberlin" "$TA"
check "detach it again: 404" 404
api DELETE "$P/attachments" "$TA"
check "detach without kind: 400" 400

# ---- decisions explained -------------------------------------------------------
pub() {
	printf '{"action": "mqtt:Publish", "resource": "topic:dev/%s/telemetry", "device": "a1"%s}' "$1" "${2:-}"
}
api POST "$A/policy-decisions" "$OPA" "$(pub "$A1")"
check "a1 publishing its own telemetry: ALLOW by own-telemetry" 200 \
    '[d["decision"], d["policy"], d["sid"], d["device"]["id"] == "'"$A1"'"]' \
    '["ALLOW", "telemetry", "own-telemetry", true]'
check "... the explanation names the policies and the context" 200 \
    '["telemetry@3" in d["policies"], "vigil:RiskScore" in d["context"], "risk" in d["posture"]]' \
    '[true, true, true]'
api POST "$A/policy-decisions" "$OPA" "$(pub "$A1" ', "context": {"vigil:RiskScore": "90"}')"
check "what if its risk were 90: DENY with a reason" 200 \
    '[d["decision"], len(d["reason"]) > 0]' '["DENY", true]'
api POST "$A/policy-decisions" "$OPA" "$(pub other)"
check "a1 publishing another device's telemetry: DENY (no Allow)" 200 \
    '[d["decision"], len(d["reason"]) > 0]' '["DENY", true]'
api POST "$A/policy-decisions" "$OPA" \
    '{"action": "mqtt:Publish", "resource": "topic:x", "device": "nosuch"}'
check "a decision for an unknown device: 404" 404
api POST "$A/policy-decisions" "$OPA" '{"resource": "topic:x", "device": "a1"}'
check "a decision without an action: 400" 400 '"action" in d["detail"]' True
api POST "$A/policy-decisions" "$OPA" \
    '{"action": "mqtt:Connect", "resource": "client:x", "cert_serial": "0badc0de"}'
check "a decision by a certificate vigil never issued: 404 with the reason" 404 \
    '"0badc0de is unknown" in d["detail"]' True
api POST "$A/policy-decisions" "$OPA" \
    '{"action": "mqtt:Connect", "resource": "client:x", "device": "a1", "cert_serial": "0badc0de"}'
check "device and cert_serial together: 422" 422
api POST "$A/policy-decisions" "$OPA" \
    '{"action": "mqtt:Publish", "resource": "topic:x", "device": "a1", "context": {"k": [1]}}'
check "a context value that is not a scalar: 422" 422
api POST "$B/policy-decisions" "$TB" "$(pub "$A1" | sed 's/"a1"/"'"$A1"'"/')"
check "tenant beta cannot ask about alpha's device: 404" 404

# ---- quarantine and release -----------------------------------------------------
api POST "$A/devices/a1/quarantine" "$OPA" '{"reason": "x"}'
check "an operator cannot quarantine (device:state): 403" 403
api POST "$A/devices/a1/quarantine" "$SA" '{}'
check "quarantine without a reason: 422" 422
api POST "$A/devices/a1/quarantine" "$SA" '{"reason": "beaconing to a C2"}'
check "a security analyst quarantines a1" 200 '[d["name"], d["state"]]' \
    '["a1", "quarantined"]'
api POST "$A/devices/a1/quarantine" "$SA" '{"reason": "again"}'
check "quarantine twice: 409" 409
api POST "$A/policy-decisions" "$OPA" "$(pub "$A1")"
check "quarantined a1 publishing its telemetry: DENY by the built-in rule" 200 \
    '[d["decision"], "quarantin" in d["reason"].lower()]' '["DENY", true]'
api POST "$A/policy-decisions" "$OPA" \
    "{\"action\": \"device:Checkin\", \"resource\": \"device:$A1\", \"device\": \"a1\"}"
check "quarantined a1 may still check in: ALLOW" 200 'd["decision"]' \
    ALLOW
api GET "$A/devices/a1/posture" "$OPA"
check "the posture says quarantined" 200 'd["quarantined"]' True
api POST "$A/devices/a2/release" "$SA" '{"reason": "x"}'
check "release a device that is not quarantined: 409" 409
api POST "$A/devices/a1/release" "$SA" '{"reason": "reimaged"}'
check "release a1: active again" 200 'd["state"]' active
api POST "$A/policy-decisions" "$OPA" "$(pub "$A1")"
check "released a1 publishing its telemetry: ALLOW again" 200 \
    'd["decision"]' ALLOW
api POST "$B/devices/a1/quarantine" "$TB" '{"reason": "x"}'
check "tenant beta cannot quarantine alpha's device: 404" 404

# ---- posture, check-ins, baselines ---------------------------------------------
api GET "$A/devices/a1/posture" "$AU"
check "GET posture: the device, not quarantined, a risk score" 200 \
    '[d["device"] == "'"$A1"'", d["quarantined"], 0 <= d["risk"] <= 100]' \
    '[true, false, true]'
api GET "$A/devices/nosuch/posture" "$AU"
check "GET posture of an unknown device: 404" 404
api GET "$A/devices/a1/checkins?limit=5" "$AU"
check "GET checkins: none yet" 200 'd["checkins"]' '[]'
api GET "$A/devices/a1/checkins?limit=0" "$AU"
check "GET checkins?limit=0: 400" 400
api PUT "$A/baselines/gw-100" "$TA" '{"ports": ["tcp/22", "udp/5683"]}'
check "PUT a model baseline" 200 '[d["model"], d["ports"]]' \
    '["gw-100", ["tcp/22", "udp/5683"]]'
api PUT "$A/baselines/gw-100" "$TA" '{"ports": ["tcp/70000"]}'
check "PUT a baseline with a bad port: refused naming it" 422 \
    '"70000" in d["detail"]' True
api PUT "$A/baselines/gw-100" "$TA" '{"ports": "tcp/22"}'
check "PUT a baseline whose ports are not a list: 422" 422
api PUT "$A/baselines/gw-100" "$AU" '{"ports": []}'
check "an auditor cannot set a baseline: 403" 403
api GET "$A/baselines" "$AU"
check "GET baselines" 200 '[b["model"] for b in d["baselines"]]' \
    '["gw-100"]'
api GET "$B/baselines" "$TB"
check "beta sees none of alpha's baselines" 200 'd["baselines"]' '[]'

# ---- lint ---------------------------------------------------------------------------
api POST "$A/policy-lint" "$AU" "$WIDE"
check "lint a policy allowing everything: critical findings" 200 \
    '[d["critical"] > 0, "allow-any-action" in [f["code"] for f in d["findings"]]]' \
    '[true, true]'
api POST "$A/policy-lint" "$AU" "$DOC2"
check "lint a scoped policy: nothing critical" 200 'd["critical"]' 0
api POST "$A/policy-lint" "$AU" "$BAD"
check "lint a document that does not parse: 400 naming the path" 400 \
    '"Statement[0]" in d["detail"]' True

# ---- delete -------------------------------------------------------------------------
api DELETE "$P" "$AU"
check "an auditor cannot delete: 403" 403
api DELETE "$P" "$TA"
check "DELETE the policy: 204" 204
api GET "$P" "$TA"
check "it is gone: 404" 404
api GET "$A/policy-attachments" "$TA"
check "its attachments are gone too" 200 'd["attachments"]' '[]'
api DELETE "$P" "$TA"
check "DELETE it again: 404" 404

# ---- audit ----------------------------------------------------------------------------
api GET "$A/audit?limit=1000" "$TA"
check "every change is audited" 200 \
    'sorted(set(e["action"] for e in d["items"] if e["outcome"] == "ok" and e["action"].split(".")[0] in ("policy", "baseline", "device") and e["action"] not in ("device.create",)))' \
    '["baseline.set", "device.quarantine", "device.release", "policy.attach", "policy.delete", "policy.detach", "policy.put", "policy.rollback"]'
check "policy changes name the policy and the version" 200 \
    '[e["object"] for e in d["items"] if e["action"] == "policy.rollback" and e["outcome"] == "ok"] == ["policy/telemetry"] and any("version 2" in (e.get("detail") or "") for e in d["items"] if e["action"] == "policy.put")' \
    True
check "failed changes are audited as such (the stale version)" 200 \
    'any(e["action"] == "policy.put" and e["outcome"] == "failed" for e in d["items"])' \
    True

vigild_finish
finish
