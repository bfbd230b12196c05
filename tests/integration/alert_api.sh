#!/bin/sh
# Network monitoring over the API with curl against a real vigild:
# alerts (list with filters, show with evidence, ack, close with its
# note, closed ones hidden unless asked), the platform's /v1/alerts,
# shadow IoT findings (adopt creates the device, dismiss hides it; the
# platform's /v1/shadow lists every tenant's and its own),
# address bindings (put, list, delete), cellular sessions, roles (an
# auditor reads but cannot ack: 403), tenant isolation (another
# tenant's alert is 404) and the audit entries of every change; then
# the same reads and moves through `vigil --server`.
# Alerts, findings and sessions are recorded before vigild starts by
# alert_fill (alertdb.h), as the collector would: no route makes them.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"
ALERT_FILL=${ALERT_FILL:-$BUILDDIR/tests/integration/alert_fill}

vigild_setup
unset VIGIL_DATA
L() { "$VIGIL" --data "$DATA" "$@"; }
DB="$DATA/vigil.db"
TA_ID=$("$MKADMIN" "$DB" tenant alpha)
TB_ID=$("$MKADMIN" "$DB" tenant beta)
L --tenant alpha device add --name a1 --model cam-1 --state active \
    >/dev/null
L --tenant alpha device add --name a2 --model modem-1 --state active \
    --imsi 262019876543210 >/dev/null
A1_ID=$(L --tenant alpha --json device show a1 |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SCAN_ID=$("$ALERT_FILL" "$DB" alert "$TA_ID" scan.horizontal high \
    10.1.0.66 143)
BEACON_ID=$("$ALERT_FILL" "$DB" alert "$TA_ID" beacon medium 10.1.0.7 20 \
    "$A1_ID")
BETA_ID=$("$ALERT_FILL" "$DB" alert "$TB_ID" intel.match critical \
    10.2.0.9 1)
"$ALERT_FILL" "$DB" shadow "$TA_ID" 10.1.0.50 40 52000
"$ALERT_FILL" "$DB" shadow "$TA_ID" 10.1.0.51 7 900
# outside every tenant's subnets: the platform's own finding
"$ALERT_FILL" "$DB" shadow "" 192.0.2.99 3 300
"$ALERT_FILL" "$DB" session 10.1.0.80 262019876543210 3534901234567801 \
    sess-1
echo "# alerts $SCAN_ID $BEACON_ID (alpha), $BETA_ID (beta)"

vigild_start
echo "# vigild on $BASE"
TA=$(token alpha ta tenant-admin fresh)
SA=$(token alpha sa security-analyst fresh)
OPA=$(token alpha opa operator fresh)
AU=$(token alpha au auditor fresh)
TB=$(token beta tb tenant-admin fresh)
PA=$ADMIN_TOKEN
A=/v1/tenants/alpha
B=/v1/tenants/beta

# ---- alerts: list and filters -------------------------------------------------------
api GET "$A/alerts" "$OPA"
check "an operator lists the tenant's open alerts" 200 \
    'sorted(a["kind"] for a in d["alerts"])' '["beacon", "scan.horizontal"]'
check "... with severity, state, count, summary and ATT&CK techniques" 200 \
    '[(a["severity"], a["state"], a["count"], "test" in a["summary"], len(a["techniques"]) > 0) for a in d["alerts"] if a["kind"] == "scan.horizontal"]' \
    '[["high", "open", 143, true, true]]'
check "... the beacon names its device, the scan only its address" 200 \
    'sorted([a["kind"], (a["device"] or {}).get("name"), a["address"]] for a in d["alerts"])' \
    '[["beacon", "a1", "10.1.0.7"], ["scan.horizontal", null, "10.1.0.66"]]'
api GET "$A/alerts?kind=beacon" "$OPA"
check "kind=beacon filters by kind" 200 '[a["id"] for a in d["alerts"]]' \
    "[$BEACON_ID]"
api GET "$A/alerts?device=a1" "$OPA"
check "device=a1 filters by device name" 200 '[a["kind"] for a in d["alerts"]]' \
    '["beacon"]'
api GET "$A/alerts?severity=high" "$OPA"
check "severity=high keeps high and above" 200 '[a["kind"] for a in d["alerts"]]' \
    '["scan.horizontal"]'
api GET "$A/alerts?state=bogus" "$OPA"
check "an unknown state is 400 naming the parameter" 400 \
    '"state" in d["detail"]' True
api GET "$A/alerts?kind=nonsense" "$OPA"
check "an unknown kind is 400" 400
api GET "$A/alerts?since=2000-01-01T00:00:00Z&limit=1" "$OPA"
check "since and limit: at most one" 200 'len(d["alerts"])' 1

# ---- one alert -----------------------------------------------------------------------
api GET "$A/alerts/$SCAN_ID" "$AU"
check "an auditor shows an alert with its evidence" 200 \
    '[d["id"], d["kind"], "evidence" in json.dumps(d) or "samples" in json.dumps(d)]' \
    "[$SCAN_ID, \"scan.horizontal\", true]"
api GET "$A/alerts/$BETA_ID" "$TA"
check "another tenant's alert is 404" 404
api GET "$B/alerts" "$TA"
check "another tenant's alert list is 404" 404
api GET "$A/alerts/not-a-number" "$TA"
check "an id that is not a number is 404" 404
api GET "$B/alerts" "$TB"
check "beta sees only its own alert" 200 '[a["id"] for a in d["alerts"]]' \
    "[$BETA_ID]"

# ---- ack and close ---------------------------------------------------------------------
api POST "$A/alerts/$SCAN_ID/ack" "$AU" '{}'
check "an auditor cannot acknowledge: 403" 403
api POST "$A/alerts/$SCAN_ID/ack" "$OPA" '{}'
check "an operator cannot acknowledge: 403" 403
api POST "$A/alerts/$SCAN_ID/ack" "$SA" '{"note": "looking"}'
check "a security analyst acknowledges: state acked" 200 'd["state"]' acked
api POST "$A/alerts/$SCAN_ID/ack" "$SA" '{}'
check "acknowledging it again is a wrong move: 409" 409
api POST "$A/alerts/$SCAN_ID/close" "$SA" '{}'
check "close without a note: 422 naming the field" 422 \
    '"note" in d["detail"]' True
api POST "$A/alerts/$SCAN_ID/close" "$SA" '{"note": "pen test", "x": 1}'
check "close with an unknown key: 422" 422
api POST "$A/alerts/$SCAN_ID/close" "$SA" '{"note": "scheduled pen test"}'
check "close with a note: state closed" 200 'd["state"]' closed
api POST "$A/alerts/$SCAN_ID/close" "$SA" '{"note": "again"}'
check "closing a closed alert: 409" 409
api POST "$A/alerts/$BETA_ID/close" "$SA" '{"note": "not mine"}'
check "closing another tenant's alert: 404" 404
api GET "$A/alerts" "$OPA"
check "the closed alert leaves the default list" 200 \
    '[a["kind"] for a in d["alerts"]]' '["beacon"]'
api GET "$A/alerts?all=1" "$OPA"
check "all=1 shows it again" 200 'len(d["alerts"])' 2
api GET "$A/alerts?state=closed" "$OPA"
check "state=closed shows only it" 200 '[a["id"] for a in d["alerts"]]' \
    "[$SCAN_ID]"

# ---- platform scope ---------------------------------------------------------------------
api GET "/v1/alerts" "$PA"
check "the platform admin lists every tenant's alerts" 200 \
    'sorted(a["kind"] for a in d["alerts"])' '["beacon", "intel.match"]'
api GET "/v1/alerts" "$TA"
check "a tenant admin does not reach /v1/alerts: 404" 404

# ---- shadow IoT ---------------------------------------------------------------------------
api GET "$A/shadow" "$OPA"
check "an operator lists the shadow findings" 200 \
    'sorted(s["address"] for s in d["shadow"])' '["10.1.0.50", "10.1.0.51"]'
SH50=$(jbody '[s["id"] for s in d["shadow"] if s["address"] == "10.1.0.50"][0]')
SH51=$(jbody '[s["id"] for s in d["shadow"] if s["address"] == "10.1.0.51"][0]')
api GET "/v1/shadow" "$PA"
check "the platform admin lists every tenant's findings and its own" 200 \
    'sorted([s["address"], s["tenant"] == "'"$TA_ID"'" if s["tenant"] else None] for s in d["shadow"])' \
    '[["10.1.0.50", true], ["10.1.0.51", true], ["192.0.2.99", null]]'
api GET "/v1/shadow" "$TA"
check "a tenant admin does not reach /v1/shadow: 404" 404
api GET "/v1/shadow" "$OPA"
check "an operator does not reach /v1/shadow either: 404" 404
api GET "/v1/shadow?all=maybe" "$PA"
check "/v1/shadow checks its query as the tenant route: 400" 400
api POST "$A/shadow/$SH50/adopt" "$AU" '{"name": "cam-lobby"}'
check "an auditor cannot adopt: 403" 403
api POST "$A/shadow/$SH50/adopt" "$SA" '{}'
check "adopt without a name: 422" 422
api POST "$A/shadow/$SH50/adopt" "$SA" '{"name": "cam-lobby", "model": "cam-1"}'
check "a security analyst adopts a finding: 201 with the device" 201 \
    'd["name"]' cam-lobby
api GET "$A/devices/cam-lobby" "$OPA"
check "... the device exists in the inventory" 200 'd["model"]' cam-1
api POST "$A/shadow/$SH51/dismiss" "$SA" '{"note": "the printer"}'
check "a finding is dismissed: 204" 204
api GET "$A/shadow" "$OPA"
check "adopted and dismissed findings leave the default list" 200 \
    'len(d["shadow"])' 0
api GET "$A/shadow?all=1" "$OPA"
check "all=1 shows them with their states" 200 \
    'sorted([s["address"], s["state"]] for s in d["shadow"])' \
    '[["10.1.0.50", "adopted"], ["10.1.0.51", "dismissed"]]'
api GET "$B/shadow" "$TB"
check "beta has no shadow finding of alpha" 200 'len(d["shadow"])' 0
api GET "/v1/shadow" "$PA"
check "/v1/shadow: only the platform's new finding is left" 200 \
    '[s["address"] for s in d["shadow"]]' '["192.0.2.99"]'
api GET "/v1/shadow?all=1" "$PA"
check "/v1/shadow?all=1 shows alpha's adopted and dismissed ones" 200 \
    'sorted([s["address"], s["state"]] for s in d["shadow"])' \
    '[["10.1.0.50", "adopted"], ["10.1.0.51", "dismissed"], ["192.0.2.99", "new"]]'

# ---- bindings --------------------------------------------------------------------------------
api PUT "$A/net-bindings" "$SA" '{"cidr": "10.1.0.0/24", "site": "berlin"}'
check "bind a subnet to the tenant (site berlin)" 200
api PUT "$A/net-bindings" "$TA" '{"cidr": "10.1.0.7", "device": "a1"}'
check "bind an address to device a1" 200
api PUT "$A/net-bindings" "$TA" '{"cidr": "10.1.0.300/24"}'
check "an invalid cidr: 422 naming the field" 422 '"cidr" in d["detail"]' True
api PUT "$A/net-bindings" "$AU" '{"cidr": "10.1.1.0/24"}'
check "an auditor cannot bind: 403" 403
api GET "$A/net-bindings" "$AU"
check "the bindings are listed" 200 \
    '[c in [b["cidr"] for b in d["bindings"]] for c in ("10.1.0.0/24", "10.1.0.7/32")]' \
    '[true, true]'
api DELETE "$A/net-bindings?cidr=10.1.0.0/24" "$SA"
check "unbind the subnet: 204" 204
api DELETE "$A/net-bindings" "$SA"
check "unbind without cidr: 400" 400
api GET "$A/net-bindings" "$AU"
check "the subnet is gone, the address stays" 200 \
    '[c in [b["cidr"] for b in d["bindings"]] for c in ("10.1.0.0/24", "10.1.0.7/32")]' \
    '[false, true]'
api GET "$B/net-bindings" "$TB"
check "beta sees none of alpha's bindings" 200 \
    '"10.1.0.7/32" in [b["cidr"] for b in d["bindings"]]' False

# ---- sessions ----------------------------------------------------------------------------------
api GET "$A/sessions" "$OPA"
check "the SIM's session is alpha's (its IMSI is device a2's)" 200 \
    '[s["ip"] for s in d["sessions"]]' '["10.1.0.80"]'
api GET "$B/sessions" "$TB"
check "beta sees no session of alpha" 200 'len(d["sessions"])' 0

# ---- the CLI through vigild -------------------------------------------------------------
R="env -u VIGIL_DATA XDG_CONFIG_HOME=$WORK/xdg VIGIL_TOKEN=$SA $VIGIL --server $BASE --ca $CA --tenant alpha"
run $R --json alert list --all
expect_json "vigil --server alert list --all: both alpha alerts" 0 \
    'sorted(a["kind"] for a in d["alerts"])' '["beacon", "scan.horizontal"]'
run $R alert ack "$BEACON_ID" --note "on it"
expect_out_has "vigil --server alert ack: the alert is acked" 0 "acked"
run $R alert close "$BEACON_ID"
expect_rc "vigil alert close without --note is a usage error" 2
run $R alert show "$BETA_ID"
expect_rc "vigil --server alert show of beta's alert fails (not found)" 1
run $R net bind 10.1.9.0/24 --site lab
expect_out_has "vigil --server net bind" 0 "10.1.9.0/24"
run $R net bindings
expect_out_has "vigil --server net bindings lists it" 0 "10.1.9.0/24"
run $R net unbind 10.1.9.0/24
expect_rc "vigil --server net unbind" 0
run $R net sessions
expect_out_has "vigil --server net sessions" 0 "10.1.0.80"
run $R shadow list --all
expect_out_has "vigil --server shadow list --all" 0 "dismissed"

# ---- audit ---------------------------------------------------------------------------------
api GET "$A/audit?limit=1000" "$TA"
check "every change is audited" 200 \
    'sorted(set(e["action"] for e in d["items"] if e["outcome"] == "ok" and e["action"].split(".")[0] in ("alert", "shadow", "netbinding")))' \
    '["alert.ack", "alert.close", "netbinding.delete", "netbinding.set", "shadow.adopt", "shadow.dismiss"]'
check "changes name their object" 200 \
    '"alert/'"$SCAN_ID"'" in [e["object"] for e in d["items"] if e["action"] == "alert.close"]' \
    True
check "refused moves are audited as failed (the second ack)" 200 \
    'any(e["action"] == "alert.ack" and e["outcome"] == "failed" for e in d["items"])' \
    True

vigild_finish

# ---- the same on the local store (vigild stopped) ------------------------------------
LA() { "$VIGIL" --data "$DATA" --tenant alpha "$@"; }
run LA --json alert list --all
expect_json "local alert list --all: what the API left" 0 \
    'sorted([a["kind"], a["state"]] for a in d["alerts"])' \
    '[["beacon", "acked"], ["scan.horizontal", "closed"]]'
run LA alert close "$BEACON_ID" --note "known updater"
expect_out_has "local alert close: closed, with its summary" 0 "closed"
run LA alert show "$BETA_ID"
expect_rc "local alert show of beta's alert in alpha fails" 1
run LA --json net bind 10.1.8.0/24 --site hq
expect_json "local net bind: the binding" 0 'd["cidr"]' "10.1.8.0/24"
run LA net unbind 10.1.8.0/24
expect_rc "local net unbind" 0
run LA --json alert list --all-tenants
expect_rc "--all-tenants with --tenant is a usage error" 2
run "$VIGIL" --data "$DATA" --json alert list --all-tenants --all
expect_json "local alert list --all-tenants: every tenant's alerts" 0 \
    'len(d["alerts"])' 3
run LA --json audit list --action alert.close
expect_json "local changes are audited with the API's action names" 0 \
    '"alert/'"$BEACON_ID"'" in [e["object"] for e in L]' True

finish
