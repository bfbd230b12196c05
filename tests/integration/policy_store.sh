#!/bin/sh
# Stored zero-trust policies from the command line, on a local data
# directory: put (versions, "unchanged", lint warnings on stderr, a
# broken document refused with the path of the error), get (current and
# old versions), list, history, rollback, attach of all four kinds and
# detach, `policy test --device` explained by the decision service
# (ALLOW with the deciding statement, DENY with the default-deny
# reason), quarantine (the built-in rule denies publishing but still
# allows device:Checkin), release, posture of a device that never
# checked in, model baselines, delete, and the audit entry of every
# change. Then put / test / quarantine through a real vigild (--server).
set -eu
. "$SRCDIR/tests/integration/lib.sh"

V=$VIGIL
P="$WORK/pol"
mkdir -p "$P"

cat >"$P/telemetry.json" <<'JSON'
{"Version": "2026-11-01",
 "Statement": [
  {"Sid": "own-telemetry", "Effect": "Allow",
   "Action": ["mqtt:Publish"],
   "Resource": ["topic:dev/${device.id}/telemetry/#"]}]}
JSON
cat >"$P/telemetry2.json" <<'JSON'
{"Version": "2026-11-01",
 "Statement": [
  {"Sid": "own-telemetry", "Effect": "Allow",
   "Action": ["mqtt:Publish"],
   "Resource": ["topic:dev/${device.id}/telemetry/#"]},
  {"Sid": "own-cmd", "Effect": "Allow", "Action": "mqtt:Subscribe",
   "Resource": "topicfilter:dev/${device.id}/cmd/+"}]}
JSON
cat >"$P/wide.json" <<'JSON'
{"Version": "2026-11-01",
 "Statement": [
  {"Sid": "all-topics", "Effect": "Allow", "Action": "mqtt:Subscribe",
   "Resource": "topicfilter:#"}]}
JSON
cp "$SRCDIR/tests/data/policy/broken.json" "$P/broken.json"

run "$V" tenant create acme
expect_rc "tenant acme created" 0
run "$V" --tenant acme device add --name d1 --model gw100 --label site=berlin \
    --state active
expect_rc "device d1 (gw100, site=berlin) registered" 0
run "$V" --tenant acme device add --name d2 --model cam200 --state active
expect_rc "device d2 (cam200) registered" 0
export VIGIL_TENANT=acme
run "$V" --json device show d1
D1=$(json 'd["id"]' 2>/dev/null || echo none)

# ---- put / get / list / history ------------------------------------------
run "$V" policy put telemetry "$P/telemetry.json" --description "device telemetry" \
    --comment "first"
expect "policy put stores a new policy at version 1" 0 \
    "policy telemetry version 1 stored"
run "$V" policy put telemetry "$P/telemetry.json"
expect "putting the same document again stores nothing" 0 \
    "policy telemetry unchanged (version 1)"
run_in "$(cat "$P/telemetry2.json")" "$V" policy put telemetry - --comment second
expect "policy put reads standard input (-) and stores version 2" 0 \
    "policy telemetry version 2 stored"
run "$V" policy put telemetry "$P/telemetry.json" --expect-version 1
expect_err "policy put --expect-version 1 fails when the policy is at version 2" \
    1 "version 2"
run "$V" policy put bad "$P/broken.json"
expect_err "a broken document is refused with the path of the error (exit 1)" \
    1 "Statement[1]"
run "$V" policy put wide "$P/wide.json"
if [ "$RC" = 0 ] && grep -q "CRITICAL\|WARNING" "$ERR"; then
	ok "policy put prints lint findings on stderr but stores the document"
else
	notok "policy put prints lint findings on stderr but stores the document" \
	    "got $(_show)"
fi
run "$V" policy put BAD/name "$P/telemetry.json"
expect_rc "an invalid policy name is a usage error (exit 2)" 2

run "$V" policy get telemetry
if [ "$RC" = 0 ] && jq -e '.Statement | length == 2' "$OUT" >/dev/null 2>&1; then
	ok "policy get prints the current document (2 statements) as JSON"
else
	notok "policy get prints the current document (2 statements) as JSON" \
	    "got $(_show)"
fi
run "$V" --json policy get telemetry --version 1
expect_json "policy get --version 1 gives the old document and its comment" 0 \
    '[d["version"], d["current_version"], len(d["document"]["Statement"]), d["comment"]]' \
    '[1, 2, 1, "first"]'
run "$V" policy get nosuch
expect_err "policy get of an unknown policy says so (exit 1)" 1 "nosuch"
run "$V" --json policy list
expect_json "policy list shows both policies in name order" 0 \
    '[[p["name"], p["version"]] for p in d["policies"]]' \
    '[["telemetry", 2], ["wide", 1]]'
run "$V" policy list
expect_out_has "policy list (text) shows the description" 0 "device telemetry"
run "$V" --json policy history telemetry
expect_json "policy history lists the versions newest first" 0 \
    '[v["version"] for v in d["versions"]]' '[2, 1]'

# ---- rollback ---------------------------------------------------------------
run "$V" policy rollback telemetry 1 --comment "too wide"
expect "policy rollback restores version 1 as version 3" 0 \
    "policy telemetry version 3 stored (rollback to version 1)"
run "$V" --json policy history telemetry
expect_json "the history records what the rollback restored" 0 \
    '[d["versions"][0]["version"], d["versions"][0]["rollback_of"]]' '[3, 1]'
run "$V" policy rollback telemetry 9
expect_rc "rollback to a version that does not exist fails (exit 1)" 1

# ---- attachments ------------------------------------------------------------
run "$V" policy attach telemetry --tenant-wide
expect "policy attach --tenant-wide" 0 "attached policy telemetry to the tenant"
run "$V" policy attach telemetry --model gw100
expect "policy attach --model gw100" 0 "attached policy telemetry to model gw100"
run "$V" policy attach wide --label site=berlin
expect "policy attach --label site=berlin" 0 \
    "attached policy wide to label site=berlin"
run "$V" policy attach wide --device d2
expect "policy attach --device d2 (by name)" 0 \
    "attached policy wide to device d2"
run "$V" policy attach wide --device d2
expect_rc "attaching twice fails (exit 1)" 1
run "$V" policy attach wide --model a --device d2
expect_rc "two attachment kinds at once is a usage error (exit 2)" 2
run "$V" policy attach wide
expect_rc "no attachment kind is a usage error (exit 2)" 2
run "$V" --json policy attachments
expect_json "policy attachments lists all four kinds" 0 \
    'sorted(a["policy"] + ":" + a["kind"] for a in d["attachments"])' \
    '["telemetry:model", "telemetry:tenant", "wide:device", "wide:label"]'
run "$V" --json policy attachments wide
expect_json "policy attachments NAME lists one policy's" 0 \
    'len(d["attachments"])' '2'
run "$V" policy detach telemetry --model gw100
expect "policy detach --model gw100" 0 "detached policy telemetry from model gw100"
run "$V" policy detach telemetry --model gw100
expect_rc "detaching what is not attached fails (exit 1)" 1

# ---- policy test --device ---------------------------------------------------
run "$V" policy test --device d1 --action mqtt:Publish \
    --resource "topic:dev/$D1/telemetry/temp"
if [ "$RC" = 0 ] && head -n 1 "$OUT" | grep -q "^ALLOW: allowed by telemetry\[0\] (own-telemetry)"; then
	ok "policy test --device allows d1's telemetry by the tenant-wide policy"
else
	notok "policy test --device allows d1's telemetry by the tenant-wide policy" \
	    "got $(_show)"
fi
expect_out_has "policy test shows the policies considered" 0 "telemetry@3"
expect_out_has "policy test shows the context values" 0 "vigil:RiskScore"
run "$V" policy test --device d1 --action mqtt:Publish \
    --resource "topic:dev/other/telemetry/temp"
if [ "$RC" = 1 ] && head -n 1 "$OUT" | grep -q "^DENY: .*default deny"; then
	ok "policy test --device denies another device's topic (default deny, exit 1)"
else
	notok "policy test --device denies another device's topic (default deny, exit 1)" \
	    "got $(_show)"
fi
run "$V" --json policy test --device d1 --action mqtt:Subscribe \
    --resource 'topicfilter:#'
expect_json "policy test --json: the label attachment allows d1 '#'" 0 \
    '[d["decision"], d["policy"]]' '["ALLOW", "wide"]'
run "$V" policy test --device nosuch --action mqtt:Publish --resource topic:x
expect_rc "policy test of an unknown device is an error (exit 2)" 2
run "$V" policy test --action mqtt:Publish --resource topic:x
expect_rc "policy test without FILE needs --device (exit 2)" 2

# ---- quarantine ------------------------------------------------------------
run "$V" device quarantine d1
expect_rc "device quarantine without --reason is a usage error" 2
run "$V" device quarantine d1 --reason "scanning the LAN"
expect_out_has "device quarantine d1" 0 "quarantined d1"
run "$V" device quarantine d1 --reason again
expect_err "quarantining twice says it already is (exit 1)" 1 "already quarantined"
run "$V" policy test --device d1 --action mqtt:Publish \
    --resource "topic:dev/$D1/telemetry/temp"
if [ "$RC" = 1 ] && head -n 1 "$OUT" | grep -qi "^DENY: .*quarantin"; then
	ok "a quarantined device is denied by the built-in quarantine rule"
else
	notok "a quarantined device is denied by the built-in quarantine rule" \
	    "got $(_show)"
fi
run "$V" policy test --device d1 --action device:Checkin --resource "device:$D1"
expect_out_has "a quarantined device may still check in" 0 "ALLOW"
run "$V" device release d1 --reason "cleaned"
expect_out_has "device release d1 (back to active)" 0 "released d1"
run "$V" --json device show d1
expect_json "the released device is active" 0 'd["state"]' 'active'
run "$V" device release d1 --reason "again"
expect_err "releasing a device that is not quarantined fails" 1 "not quarantined"
run "$V" policy test --device d1 --action mqtt:Publish \
    --resource "topic:dev/$D1/telemetry/temp"
expect_out_has "after release d1 may publish again" 0 "ALLOW"

# ---- posture, baselines -----------------------------------------------------
run "$V" device posture d1
expect_out_has "device posture of a device that never checked in says so" 0 \
    "never checked in"
run "$V" --json device posture d1
expect_json "device posture --json: the posture object with the risk score" 0 \
    '[d["checkin"], isinstance(d["risk"], int)]' '[null, true]'
run "$V" --json device checkins d1
expect_json "device checkins: none yet" 0 'd["checkins"]' '[]'
run "$V" --json baseline set gw100 --ports tcp/22,udp/5683 --firmware-current 1.2
expect_json "baseline set gw100 stores its ports" 0 'd["ports"]' \
    '["tcp/22", "udp/5683"]'
run "$V" baseline set gw100 --ports tcp/99999
expect_rc "baseline set with a port out of range fails" 1
run "$V" baseline set gw100
expect_rc "baseline set without --ports is a usage error" 2
run "$V" --json baseline list
expect_json "baseline list shows gw100" 0 \
    '[b["model"] for b in d["baselines"]]' '["gw100"]'

# ---- delete, audit -----------------------------------------------------------
run "$V" policy delete wide
expect "policy delete wide" 0 "deleted policy wide"
run "$V" policy get wide
expect_rc "the deleted policy is gone" 1
run "$V" --json audit list --limit 1000
expect_json "every change was audited with the API's action names" 0 \
    'sorted({e.get("action") for e in L} & {"policy.put", "policy.rollback", "policy.attach", "policy.detach", "policy.delete", "device.quarantine", "device.release", "baseline.set"})' \
    '["baseline.set", "device.quarantine", "device.release", "policy.attach", "policy.delete", "policy.detach", "policy.put", "policy.rollback"]'
unset VIGIL_TENANT

# ---- the same through a vigild (--server) -----------------------------------
if [ -n "${VIGILD:-}" ]; then
	PIDS=
	cleanup() {
		for p in $PIDS; do
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
		rm -rf "$WORK"
	}
	trap cleanup EXIT
	chmod 711 "$WORK"
	SRV="$WORK/srv"
	CA="$SRV/tls/server.crt"
	env -u VIGIL_DATA "$V" --json init --data "$SRV" --listen 127.0.0.1:0 \
	    >"$WORK/init.json"
	echo "workers = 1" >>"$SRV/vigild.conf"
	echo "log_level = warn" >>"$SRV/vigild.conf"
	TOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/init.json")
	VIGILD_PORT_FILE="$WORK/port" "$VIGILD" -f --data "$SRV" \
	    >"$WORK/vigild.log" 2>&1 &
	PIDS="$!"
	i=0
	while [ ! -s "$WORK/port" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	URL="https://127.0.0.1:$(head -n 1 "$WORK/port" 2>/dev/null)"
	i=0
	until curl -s -o /dev/null --cacert "$CA" "$URL/healthz" ||
	    [ $i -gt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	R="env -u VIGIL_DATA XDG_CONFIG_HOME=$WORK/xdg VIGIL_TOKEN=$TOKEN $V --server $URL --ca $CA"

	run $R tenant create acme
	expect_rc "remote: tenant acme created" 0
	R="$R --tenant acme"
	run $R device add --name r1 --model gw100 --state active
	expect_rc "remote: device r1 registered" 0
	run $R --json device show r1
	R1=$(json 'd["id"]' 2>/dev/null || echo none)
	run $R policy put telemetry "$P/telemetry.json"
	expect "remote: policy put through PUT /v1/tenants/{tenant}/policies/{policy}" \
	    0 "policy telemetry version 1 stored"
	run $R policy put telemetry "$P/telemetry.json"
	expect "remote: the same document again is unchanged" 0 \
	    "policy telemetry unchanged (version 1)"
	run $R policy put bad "$P/broken.json"
	expect_err "remote: a broken document is refused with the path of the error" \
	    1 "Statement[1]"
	run $R --json policy get telemetry
	expect_json "remote: policy get" 0 'd["version"]' '1'
	run $R policy attach telemetry --tenant-wide
	expect "remote: policy attach --tenant-wide" 0 \
	    "attached policy telemetry to the tenant"
	run $R --json policy attachments
	expect_json "remote: policy attachments" 0 \
	    '[a["kind"] for a in d["attachments"]]' '["tenant"]'
	run $R policy test --device r1 --action mqtt:Publish \
	    --resource "topic:dev/$R1/telemetry/t"
	if [ "$RC" = 0 ] && head -n 1 "$OUT" | grep -q "^ALLOW: allowed by telemetry\[0\]"; then
		ok "remote: policy test --device ALLOW through POST policy-decisions"
	else
		notok "remote: policy test --device ALLOW through POST policy-decisions" \
		    "got $(_show)"
	fi
	run $R policy test --device r1 --action mqtt:Publish --resource topic:x
	expect_rc "remote: policy test --device DENY exits 1" 1
	run $R device quarantine r1 --reason "remote test"
	expect_out_has "remote: device quarantine r1" 0 "quarantined r1"
	run $R policy test --device r1 --action mqtt:Publish \
	    --resource "topic:dev/$R1/telemetry/t"
	if [ "$RC" = 1 ] && head -n 1 "$OUT" | grep -qi "^DENY: .*quarantin"; then
		ok "remote: the quarantined device is denied by the built-in rule"
	else
		notok "remote: the quarantined device is denied by the built-in rule" \
		    "got $(_show)"
	fi
	run $R device release r1 --reason "remote test"
	expect_out_has "remote: device release r1" 0 "released r1"
	run $R device posture r1
	expect_out_has "remote: device posture r1 (never checked in)" 0 \
	    "never checked in"
	run $R --json baseline set gw100 --ports tcp/22
	expect_json "remote: baseline set" 0 'd["ports"]' '["tcp/22"]'
	run $R --json policy history telemetry
	expect_json "remote: policy history" 0 \
	    '[v["version"] for v in d["versions"]]' '[1]'
	run $R policy delete telemetry
	expect "remote: policy delete" 0 "deleted policy telemetry"
fi

finish
