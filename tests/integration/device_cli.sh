#!/bin/bash
# vigil tenant and device commands end to end on a fresh data directory:
# tenant choice, registration with identifiers in any spelling, lookup by
# any identifier, updates with optimistic concurrency, the lifecycle, the
# history with the local actor, and the files the store creates.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
me="local:$(id -un)"

# --- tenants ------------------------------------------------------------
run "$VIGIL" device list
expect_err "device commands without any tenant say how to create one (exit 1)" \
    1 "vigil: no tenant exists yet; create one with 'vigil tenant create NAME'"
dmode=$(stat -c %a "$VIGIL_DATA")
fmode=$(stat -c %a "$VIGIL_DATA/vigil.db")
if [ "$dmode" = 700 ] && [ "$fmode" = 600 ]; then
	ok "the data directory is created 0700 and vigil.db 0600 on first use"
else
	notok "the data directory is created 0700 and vigil.db 0600 on first use" \
	    "expected 700/600" "got $dmode/$fmode"
fi
run "$VIGIL" tenant create acme --display-name "Acme Corp"
expect_out_has "tenant create prints the new tenant" 0 "created tenant acme ("
run "$VIGIL" tenant create acme
expect_rc "tenant create refuses a name that exists (exit 1)" 1
run "$VIGIL" tenant create "Not A Slug"
expect_err "tenant create rejects a name that is not a slug (exit 1)" 1 \
    "tenant name 'Not A Slug' is not valid"
run "$VIGIL" --json tenant show acme
expect_json "tenant show --json gives name, display name and device count" 0 \
    "[d['name'], d['display_name'], d['devices']]" '["acme", "Acme Corp", 0]'
run "$VIGIL" tenant show nope
expect_err "tenant show of an unknown tenant fails (exit 1)" 1 \
    "tenant 'nope' does not exist"

# --- registration ---------------------------------------------------------
run "$VIGIL" --json device add --name cam-7 --model "Cam X" \
    --gtin 9520123456788 --imei 49-015420-323751-8 --serial 12345 \
    --mac 00-24-BE-80-4F-F1 --id iccid=89882110000005300811 \
    --label site=berlin --label tier=prod --region eu-central \
    --owner ops@example.com
expect_json "device add stores normalised identifiers, GTIN-14, labels and state" 0 \
    "[d['name'], d['gtin'], d['state'], d['version'], sorted((i['type'], i['value']) for i in d['identifiers']), d['labels']]" \
    '["cam-7", "09520123456788", "registered", 1, [["iccid", "89882110000005300811"], ["imei", "490154203237518"], ["mac", "00:24:be:80:4f:f1"], ["serial", "12345"]], {"site": "berlin", "tier": "prod"}]'
cam_id=$(json "d['id']")
run "$VIGIL" device add --name cam-8 --imei 490154203237518
expect_err "device add refuses an IMEI already registered, in any spelling (exit 1)" \
    1 "already registered"
run "$VIGIL" device add --name bad --imei 490154203237512 --mac 00:24:zz:80:4f:f1
expect_err "device add reports the invalid IMEI with its check digits" 1 \
    "check digit is 2, expected 8"
expect_err "device add reports every problem at once (the MAC too)" 1 "MAC"
run "$VIGIL" device add --model x
expect_err "device add without --name is a usage error (exit 2)" 2 \
    "--name NAME is required"
run "$VIGIL" device add --name x --id imei490154203237518
expect_err "device add --id needs TYPE=VALUE (exit 2)" 2 "expected TYPE=VALUE"
run "$VIGIL" device add --name x --id nosuch=1
expect_err "device add --id with an unknown type lists the types (exit 2)" 2 \
    "unknown identifier type 'nosuch'"
run "$VIGIL" device add --name x --label novalue
expect_err "device add --label needs KEY=VALUE (exit 2)" 2 "expected KEY=VALUE"
"$VIGIL" device add --name meter-1 --meid AF0123450ABCDE \
    --label site=lyon --state provisioned >/dev/null
"$VIGIL" device add --name meter-2 --imei 352099001761481 \
    --label site=lyon >/dev/null

# --- show and find by any spelling ------------------------------------------
for ref in cam-7 "$cam_id" 490154203237518 49-015420-323751 \
    urn:gsma:imei:49015420-323751-0 0024.be80.4ff1; do
	run "$VIGIL" --json device show "$ref"
	expect_json "device show finds the device by '$ref'" 0 "d['id']" "$cam_id"
done
run "$VIGIL" device show cam-7
if [ "$RC" = 0 ] &&
    grep -Eq '^    imei +490154203237518 +urn:gsma:imei:49015420-323751-0$' "$OUT" &&
    grep -Eq '^    mac +00:24:be:80:4f:f1 +urn:dev:mac:0024beffff804ff1$' "$OUT" &&
    grep -Eq '^  created +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "$OUT" &&
    grep -Eq '^    site +berlin$' "$OUT"; then
	ok "device show lists identifiers with type and URN, labels and RFC 3339 times"
else
	notok "device show lists identifiers with type and URN, labels and RFC 3339 times" \
	    "got $(_show)"
fi
run "$VIGIL" device show no-such
expect_err "device show of an unknown device fails (exit 1)" 1 "no-such"
run "$VIGIL" device find 00-24-be-80-4f-f1
expect "device find prints the device and the identifier that matched" 0 \
    "cam-7  $cam_id  registered  matched mac 00:24:be:80:4f:f1"
run "$VIGIL" --json device find "AF 01 23 45 0A BC DE C" --type meid
expect_json "device find --type meid matches the MEID given with check digit and spaces" \
    0 "[d['device']['name'], d['matched']]" \
    '["meter-1", [{"type": "meid", "value": "AF0123450ABCDE"}]]'
run "$VIGIL" device find 356938035643809
expect_err "device find of an unregistered identifier fails (exit 1)" 1 \
    "no device in tenant acme has identifier 356938035643809"

# --- list ----------------------------------------------------------------
run "$VIGIL" --json device list --label site=lyon
expect_json "device list --label filters by label" 0 \
    "sorted(x['name'] for x in L)" '["meter-1", "meter-2"]'
run "$VIGIL" --json device list --state provisioned
expect_json "device list --state filters by state" 0 "[x['name'] for x in L]" \
    '["meter-1"]'
run "$VIGIL" --json device list --limit 2
expect_json "device list --limit pages, with the cursor on a last line" 0 \
    "[len(L), 'next_cursor' in L[2]]" "[3, true]"
cursor=$(json "L[2]['next_cursor']")
first=$(json "sorted([L[0]['name'], L[1]['name']])")
run "$VIGIL" --json device list --limit 2 --cursor "$cursor"
expect_json "device list --cursor continues with the remaining device" 0 \
    "[len(L), L[0]['name'] not in $first]" "[1, true]"
run "$VIGIL" device list --limit 0
expect_err "device list --limit 0 is a usage error (exit 2)" 2 \
    "--limit: 0 is out of range 1-1000"
run "$VIGIL" device list
if [ "$RC" = 0 ] && [ "$(head -1 "$OUT" | tr -s ' ')" = "NAME STATE MODEL ID IDENTIFIER" ] &&
    [ "$(wc -l <"$OUT")" = 4 ]; then
	ok "device list prints an aligned table with a header"
else
	notok "device list prints an aligned table with a header" "got $(_show)"
fi

# --- summary ---------------------------------------------------------------
"$VIGIL" device add --name bare >/dev/null
"$VIGIL" device add --name tagged --model "Cam X" --serial X1 \
    --region eu-central >/dev/null
run "$VIGIL" device summary
expect "device summary counts states, models, regions and identifier types, aligned" 0 \
"5 devices: 0 active, 1 provisioned, 4 registered, 0 quarantined, 0 retired
never seen: 5 (100%)
by model:
  (no model)  -               3   60%
  Cam X       -               1   20%
  Cam X       09520123456788  1   20%
by region:
  (no region)                 3   60%
  eu-central                  2   40%
identifiers:
  imei                        2   40%
  serial                      2   40%
  meid                        1   20%
  iccid                       1   20%
  mac                         1   20%
  no hardware identifier      2   40%
  no identifier at all        1   20%"
run "$VIGIL" --json device summary
expect_json "device summary --json is one object with every count" 0 \
    "[len(L), d['devices'], d['states'], d['never_seen'], d['models'][0], d['models_other'], d['regions'][1], d['identifiers']['imei'], d['identifiers']['eid'], d['unidentified'], d['no_hardware_id']]" \
    '[1, 5, {"active": 0, "provisioned": 1, "quarantined": 0, "registered": 4, "retired": 0}, 5, {"devices": 3, "gtin": "", "model": ""}, 0, {"devices": 2, "region": "eu-central"}, 2, 0, 1, 2]'
run "$VIGIL" --json device summary --top 1
expect_json "device summary --top 1 lists one model and region, the rest as other" 0 \
    "[len(d['models']), d['models_other'], len(d['regions']), d['regions_other']]" \
    '[1, 2, 1, 2]'
run "$VIGIL" device summary --top 51
expect_err "device summary --top above 50 is a usage error (exit 2)" 2 \
    "--top: 51 is out of range 1-50"

# --- update ----------------------------------------------------------------
run "$VIGIL" --json device update cam-7 --label tier=test --unlabel site \
    --add-id eid=89049032123451234512345678901235 \
    --remove-id iccid=89882110000005300811 --if-version 1
expect_json "device update sets and removes labels and identifiers and bumps the version" 0 \
    "[d['version'], d['labels'], sorted(i['type'] for i in d['identifiers'])]" \
    '[2, {"tier": "test"}, ["eid", "imei", "mac", "serial"]]'
run "$VIGIL" device update cam-7 --name cam-7b --if-version 1
expect_err "device update --if-version with a stale version fails (exit 1)" 1 \
    "changed since version 1"
run "$VIGIL" device update cam-7
expect_err "device update without a change is a usage error (exit 2)" 2 \
    "nothing to change"

# --- lifecycle --------------------------------------------------------------
run "$VIGIL" device set-state cam-7 active --reason "try"
expect_err "device set-state refuses an illegal move and says why (exit 1)" 1 \
    "cannot go from registered to active"
run "$VIGIL" device set-state cam-7 provisioned
expect_err "device set-state without --reason is a usage error (exit 2)" 2 \
    "--reason TEXT is required"
run "$VIGIL" device set-state cam-7 asleep --reason x
expect_err "device set-state with an unknown state lists the states (exit 2)" 2 \
    "unknown state 'asleep' (states: registered, provisioned, active, quarantined, retired)"
run "$VIGIL" device set-state cam-7 provisioned --reason "flashed at factory"
expect "device set-state moves a device and prints its new state" 0 \
    "moved cam-7 ($cam_id, provisioned, version 3)"
run "$VIGIL" device retire meter-2 --reason "returned"
expect_out_has "device retire retires a device" 0 "retired meter-2 ("
run "$VIGIL" device update meter-2 --model y
expect_err "a retired device cannot be updated (exit 1)" 1 "retired"

# --- history ------------------------------------------------------------------
run "$VIGIL" --json device history cam-7
expect_json "device history lists create, update and state entries in order" 0 \
    "[x['event'] for x in L]" '["create", "update", "state"]'
expect_json "device history records the local login name as actor" 0 \
    "sorted(set(x['actor'] for x in L))" "[\"$me\"]"
expect_json "device history records the reason of a state move" 0 \
    "L[2]['reason']" "flashed at factory"
run env USER=mallory LOGNAME=mallory "$VIGIL" device update cam-7 --model z \
    --reason "env test"
run "$VIGIL" --json device history cam-7
expect_json "the history actor comes from the password database, not \$USER" 0 \
    "L[-1]['actor']" "$me"

# --- choosing the tenant ------------------------------------------------------------
"$VIGIL" tenant create globex >/dev/null
run "$VIGIL" device list
expect_err "with several tenants and no choice, vigil says how to choose (exit 1)" 1 \
    "several tenants exist; choose one with --tenant NAME or VIGIL_TENANT=NAME"
run "$VIGIL" --tenant globex --json device list
expect_json "--tenant selects a tenant (globex has no devices)" 0 "len(L)" 0
run "$VIGIL" --tenant globex device summary
expect "device summary counts only the chosen tenant's devices" 0 \
    "0 devices: 0 active, 0 provisioned, 0 registered, 0 quarantined, 0 retired"
run env VIGIL_TENANT=acme "$VIGIL" --json device show cam-7
expect_json "VIGIL_TENANT selects a tenant" 0 "d['id']" "$cam_id"
run "$VIGIL" --tenant globex device show cam-7
expect_rc "a device of another tenant is not visible (exit 1)" 1
run "$VIGIL" --tenant globex device add --name other --imei 49-015420-323751-8
expect_err "an identifier registered in another tenant is refused without naming it" 1 \
    "registered in another tenant"
if ! grep -q acme "$ERR" && ! grep -q cam-7 "$ERR"; then
	ok "the cross-tenant refusal names neither the tenant nor the device"
else
	notok "the cross-tenant refusal names neither the tenant nor the device" \
	    "got $(_show)"
fi
run "$VIGIL" --tenant nope device list
expect_err "an unknown --tenant is reported (exit 1)" 1 \
    "tenant 'nope' does not exist"
run "$VIGIL" --data "$WORK/elsewhere" tenant list
if [ "$RC" = 0 ] && [ -e "$WORK/elsewhere/vigil.db" ]; then
	ok "--data selects another data directory"
else
	notok "--data selects another data directory" "got $(_show)"
fi
run "$VIGIL" --json tenant list
expect_json "tenant list --json prints one tenant per line, by name" 0 \
    "[x['name'] for x in L]" '["acme", "globex"]'

# --- global options: repeated or empty values --------------------------------------
run "$VIGIL" --tenant acme --tenant globex device list
expect_err "--tenant given twice is a usage error, not 'the last one wins' (exit 2)" 2 \
    "option '--tenant' given twice"
run "$VIGIL" --tenant acme device list --tenant globex
expect_err "--tenant before and after the command counts as given twice (exit 2)" 2 \
    "vigil: device list: option '--tenant' given twice"
run "$VIGIL" --data "$WORK/a" --data "$WORK/b" tenant list
expect_err "--data given twice is a usage error (exit 2)" 2 \
    "option '--data' given twice"
run "$VIGIL" --data= version
expect_err "an empty --data is a usage error, never the root directory (exit 2)" 2 \
    "option '--data' needs a non-empty value"
run "$VIGIL" version --data ""
expect_err "an empty --data after the command is a usage error too (exit 2)" 2 \
    "vigil: version: option '--data' needs a non-empty value"
run "$VIGIL" --tenant "" device list
expect_err "an empty --tenant is a usage error (exit 2)" 2 \
    "option '--tenant' needs a non-empty value"
run "$VIGIL" --tenant acme device list --label site=lyon --label tier=prod
expect_err "device list --label given twice is refused, not half applied (exit 2)" 2 \
    "option '--label' given twice"
run "$VIGIL" version extra
if [ "$RC" = 2 ] && grep -qx 'usage: vigil version \[OPTIONS\]' "$ERR"; then
	ok "the usage line of a command without arguments has no trailing blank"
else
	notok "the usage line of a command without arguments has no trailing blank" \
	    "got $(_show)"
fi

# --- personal data: the owner contact only in device show ----------------------------
run "$VIGIL" --tenant acme --json device list
expect_json "device list --json omits every device's owner contact" 0 \
    "[x['name'] for x in L if 'owner' in x]" "[]"
run "$VIGIL" --tenant acme --json device find 490154203237518
expect_json "device find --json omits the owner contact" 0 \
    "[d['device']['name'], 'owner' in d['device']]" '["cam-7", false]'
run "$VIGIL" --tenant acme --json device update cam-7 --owner sec@example.com \
    --reason "new contact"
expect_json "device update --json does not echo the owner contact" 0 \
    "'owner' in d" "False"
run "$VIGIL" --tenant acme --json device show cam-7
expect_json "device show --json is where the owner contact is shown" 0 \
    "d['owner']" "sec@example.com"
run "$VIGIL" --tenant acme device history cam-7
if [ "$RC" = 0 ] && ! grep -q 'example.com' "$OUT"; then
	ok "device history never shows an owner contact"
else
	notok "device history never shows an owner contact" "got $(_show)"
fi

# --- terminal safety: stored and imported text is escaped -----------------------
rlo=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
"$VIGIL" --tenant globex device add --name "gw${rlo}txt.exe" \
    --model "M${rlo}X" --label "site=a${rlo}b" >/dev/null
run "$VIGIL" --tenant globex device list
expect_term_safe "device list escapes a bidi override in a name and model" "$OUT"
expect_out_has "device list shows the override as \\u202e" 0 'gw\u202etxt.exe'
run "$VIGIL" --tenant globex device show "gw${rlo}txt.exe"
expect_term_safe "device show escapes a bidi override in name, model and labels" "$OUT"
run "$VIGIL" --tenant globex device summary
expect_term_safe "device summary escapes a bidi override in a model" "$OUT"
run "$VIGIL" --tenant globex --json device list
expect_term_safe "JSON output carries a bidi override as a \\u escape" "$OUT"
expect_json "... which decodes to the stored name" 0 "d['name'] == 'gw\u202etxt.exe'" True
printf 'name,model\nesc-1,"a\033]0;pwned\007b"\nc1-1,"x\302\233" 2J"\nraw-1,"y\233 2J"\n' \
    >"$WORK/evil.csv"
run "$VIGIL" --tenant globex device import "$WORK/evil.csv"
expect_rc "device import of cells with control characters fails those rows (exit 1)" 1
expect_term_safe "device import row errors show no raw control byte from the file" "$ERR"
run "$VIGIL" --tenant globex device show "$(printf 'x\302\233')"
expect_term_safe "an error echoing an argument escapes its C1 control" "$ERR"
long=$("$PY" -c "print('1' * 100000)")
run "$VIGIL" --tenant globex label "$long" -o "$WORK/never.png"
if [ "$RC" = 1 ] && [ "$(wc -c <"$ERR")" -lt 2200 ]; then
	ok "an error about a 100 KB argument is cut short, not echoed whole"
else
	notok "an error about a 100 KB argument is cut short, not echoed whole" \
	    "stderr is $(wc -c <"$ERR") bytes, exit $RC"
fi

finish
