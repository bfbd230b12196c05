#!/bin/bash
# vigil policy lint/test from the outside, offline: lint findings and
# exit statuses on good, over-permissive and broken documents; decisions
# with their explanations (own topic, other device, '#', quarantine
# Deny, failed RiskScore condition); the --json shapes.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
P="$SRCDIR/tests/data/policy"
cd "$P"

# --- lint ---------------------------------------------------------------
run "$VIGIL" policy lint device-good.json
expect "policy lint finds nothing critical in a scoped device policy (exit 0)" \
    0 ""

run "$VIGIL" policy lint over-permissive.json
expect "policy lint flags allow-any-action and wildcard-topic-unscoped as critical (exit 1)" \
    1 "CRITICAL allow-any-action Statement[0] (everything): Allow on action '*' grants every action
CRITICAL wildcard-topic-unscoped Statement[1] (all-topics): Allow on 'topicfilter:#' reaches other devices' topics (wildcard not under \${device.id} or \${client.id})"

run "$VIGIL" policy lint broken.json
expect_err "policy lint names the file and the JSON path of a parse error (exit 1)" \
    1 "vigil: broken.json: Statement[1].Condition.NumericLessThan.vigil:RiskScore: '8o' is not a number"

run "$VIGIL" --json policy lint over-permissive.json device-good.json
expect_json "policy lint --json prints one object per file with its findings" \
    1 "[(x['file'], [f['code'] for f in x['findings']]) for x in L]" \
    '[["over-permissive.json", ["allow-any-action", "wildcard-topic-unscoped"]], ["device-good.json", []]]'
expect_json "policy lint --json findings have severity, code, statement and message" \
    1 "sorted(d['findings'][0].keys()) + [d['findings'][0]['severity'], d['findings'][1]['statement']]" \
    '["code", "message", "severity", "statement", "critical", 1]'

# --- test -----------------------------------------------------------------
T="$VIGIL policy test device-good.json quarantine.json --device a"
run $T --action mqtt:Publish --resource topic:dev/a/telemetry/temp \
    --context vigil:RiskScore=10
expect "policy test allows a device to publish on its own telemetry topic (exit 0)" \
    0 "ALLOW: allowed by device-good.json[0] (own-telemetry)"

run $T --action mqtt:Publish --resource topic:dev/b/telemetry/temp \
    --context vigil:RiskScore=10
expect "policy test denies another device's topic with the default-deny reason (exit 1)" \
    1 "DENY: no statement allows mqtt:Publish on topic:dev/b/telemetry/temp (default deny)"

run $T --action mqtt:Subscribe --resource 'topicfilter:#'
expect "policy test denies a '#' subscription (exit 1)" \
    1 "DENY: no statement allows mqtt:Subscribe on topicfilter:# (default deny)"

run $T --action mqtt:Publish --resource topic:dev/a/telemetry/temp \
    --context vigil:RiskScore=10 --context vigil:Quarantined=true
expect "policy test lets a Deny on quarantine win over the Allow (exit 1)" \
    1 "DENY: denied by quarantine.json[0] (quarantined)"

run $T --action mqtt:Publish --resource topic:dev/a/telemetry/temp \
    --context vigil:RiskScore=93
expect "policy test explains a failed RiskScore condition with the value (exit 1)" \
    1 "DENY: condition vigil:RiskScore NumericLessThan 80 failed (value 93)"

run $T --json --action mqtt:Publish --resource topic:dev/a/telemetry/temp \
    --context vigil:RiskScore=10
expect_json "policy test --json has effect, policy, statement, sid and reason" \
    0 "[d['effect'], d['policy'], d['statement'], d['sid'], d['reason']]" \
    '["allow", "device-good.json", 0, "own-telemetry", "allowed by device-good.json[0] (own-telemetry)"]'

run $T --json --action mqtt:Subscribe --resource 'topicfilter:#'
expect_json "policy test --json gives null policy and statement for the default deny" \
    1 "[d['effect'], d['policy'], d['statement']]" '["deny", null, null]'

run "$VIGIL" policy test broken.json --action mqtt:Publish \
    --resource topic:dev/a/t
expect_err "policy test refuses a broken document with its path (exit 1)" \
    1 "vigil: broken.json: Statement[1].Condition.NumericLessThan.vigil:RiskScore: '8o' is not a number"

run $T --resource topic:dev/a/t
expect_err "policy test without --action is a usage error (exit 2)" \
    2 "--action and --resource are required"

run $T --action mqtt:Publish --resource topic:dev/a/t --label nokey
expect_err "policy test refuses a --label without '=' (exit 2)" \
    2 "--label wants KEY=VALUE, not 'nokey'"

finish
