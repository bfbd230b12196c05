#!/bin/bash
# vigil device import / export: row errors by line number, the summary
# and exit status, --atomic, CSV and JSON Lines from files and stdin,
# the progress bar only on a terminal, and export -> import round trips
# that give back the same inventory.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

"$VIGIL" tenant create acme >/dev/null

cat >"$WORK/fleet.csv" <<'EOF'
name,model,gtin,serial,imei,mac,state,region,labels
cam-1,Cam X,9520123456788,S1,49-015420-323751-8,,active,eu-central,site=berlin;tier=prod
cam-2,Cam X,9520123456788,S2,35-209900-176148-2,,active,eu-west,site=lyon
cam-3,Cam X,9520123456788,S3,,00-24-BE-80-4F-F1,provisioned,,site=lyon
cam-4,Cam X,9520123456788,S4,,00:24:be:80:4f:f1,active,,
EOF
run "$VIGIL" device import "$WORK/fleet.csv"
expect "device import prints the summary and exits 1 when a row failed" 1 \
    "imported 2 of 4 rows, 2 failed"
expect_err "device import reports a bad identifier with its line number" 1 \
    "line 3: IMEI 35-209900-176148-2: check digit is 2, expected 1"
expect_err "device import reports a duplicate in another spelling by line" 1 \
    "line 5: MAC 00:24:be:80:4f:f1: already registered"
run "$VIGIL" --json device show cam-1
expect_json "device import stores normalised identifiers, labels and state" 0 \
    "[d['state'], d['gtin'], d['labels'], sorted((i['type'], i['value']) for i in d['identifiers'])]" \
    '["active", "09520123456788", {"site": "berlin", "tier": "prod"}, [["imei", "490154203237518"], ["serial", "S1"]]]'
run "$VIGIL" --json device history cam-1
expect_json "device import records a history entry with the local actor" 0 \
    "[L[0]['event'], L[0]['actor']]" "[\"create\", \"local:$(id -un)\"]"

# --- --atomic -----------------------------------------------------------------
"$VIGIL" tenant create atomic >/dev/null
cat >"$WORK/atomic.csv" <<'EOF'
name,imei
a-1,352099001761481
a-2,356938035643809
a-3,356938035643808
EOF
run "$VIGIL" --tenant atomic device import --atomic "$WORK/atomic.csv"
expect "device import --atomic keeps nothing when a row fails" 1 \
    "imported 0 of 3 rows, 1 failed (atomic: nothing kept)"
expect_err "device import --atomic still reports the bad row" 1 \
    "line 4: IMEI 356938035643808: check digit is 8, expected 9"
run "$VIGIL" --tenant atomic --json device list
expect_json "after a failed atomic import the tenant has no devices" 0 "len(L)" 0
sed -i '$d' "$WORK/atomic.csv"
run "$VIGIL" --tenant atomic device import --atomic "$WORK/atomic.csv"
expect "device import --atomic imports every row when all are good" 0 \
    "imported 2 of 2 rows, 0 failed"

# --- JSON Lines and stdin --------------------------------------------------------
"$VIGIL" tenant create jl >/dev/null
printf '%s\n' \
    '{"name":"j-1","imei":"35-693803-564381","labels":{"site":"x"}}' \
    '' \
    '{"name":"j-2","identifiers":[{"type":"mac","value":"00:1B:63:84:45:E6"}]}' \
    '{"name":"j-3","eid":"89049032123451234512345678901234"}' >"$WORK/in.jsonl"
run "$VIGIL" --tenant jl device import "$WORK/in.jsonl"
expect "device import reads JSON Lines by extension and skips blank lines" 1 \
    "imported 2 of 3 rows, 1 failed"
expect_err "device import reports a bad EID in JSON Lines by its line" 1 \
    "line 4: EID 89049032123451234512345678901234: check digits are 34, expected 35"
set +e
"$VIGIL" --tenant jl --json device import --format jsonl - <"$WORK/in.jsonl" \
    >"$OUT" 2>"$ERR"
RC=$?
set -e
expect_json "device import --json prints each row error, then the summary" 1 \
    "[L[0]['line'], L[-1]['rows_read'], L[-1]['rows_imported'], L[-1]['rows_failed']]" \
    "[1, 3, 0, 3]"
run "$VIGIL" --tenant jl device import -
expect_err "device import from stdin needs --format (exit 2)" 2 \
    "cannot tell the format of '-' from its name; add --format csv or --format jsonl"
cp "$WORK/fleet.csv" "$WORK/fleet.txt"
run "$VIGIL" --tenant jl device import "$WORK/fleet.txt"
expect_err "device import of an unknown extension needs --format (exit 2)" 2 \
    "add --format csv or --format jsonl"
run "$VIGIL" --tenant jl device import "$WORK/missing.csv"
expect_err "device import of a missing file fails (exit 1)" 1 \
    "cannot open $WORK/missing.csv"
run "$VIGIL" help device import
expect_out_has "device import --help gives the real default batch size" 0 \
    "rows per transaction, 1-100000 (default 2000)"
run "$VIGIL" --tenant jl device import --batch 0 "$WORK/fleet.csv"
expect_err "device import --batch 0 is a usage error (exit 2)" 2 \
    "--batch: 0 is out of range"
printf 'name,colour\nx,red\n' >"$WORK/badcol.csv"
run "$VIGIL" --tenant jl device import "$WORK/badcol.csv"
expect_err "device import rejects an unknown column up front (exit 1)" 1 "colour"

# --- progress bar only on a terminal -------------------------------------------
"$VIGIL" tenant create bulk >/dev/null
"$PY" - "$WORK/bulk.csv" <<'PYEOF'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('name,mac\n')
    for i in range(3000):
        f.write('bulk-%d,02:00:00:%02x:%02x:%02x\n'
                % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
PYEOF
run "$VIGIL" --tenant bulk device import --batch 500 "$WORK/bulk.csv"
if [ "$RC" = 0 ] && [ "$(cat "$OUT")" = "imported 3000 of 3000 rows, 0 failed" ] &&
    ! grep -q "$(printf '\r')" "$ERR"; then
	ok "device import draws no progress bar when stderr is not a terminal"
else
	notok "device import draws no progress bar when stderr is not a terminal" \
	    "got $(_show)"
fi
if command -v script >/dev/null; then
	"$VIGIL" --data "$WORK/bulk2" tenant create bulk2 >/dev/null
	set +e
	script -qec "'$VIGIL' --data '$WORK/bulk2' device import --batch 500 '$WORK/bulk.csv'" \
	    /dev/null >"$OUT" 2>&1
	RC=$?
	set -e
	if [ "$RC" = 0 ] && grep -q '%  [0-9]* rows' "$OUT" &&
	    grep -q 'imported 3000 of 3000 rows, 0 failed' "$OUT"; then
		ok "device import draws a progress bar when stderr is a terminal"
	else
		notok "device import draws a progress bar when stderr is a terminal" \
		    "got $(_show)"
	fi
fi

# --- export and round trips --------------------------------------------------------
export VIGIL_TENANT=acme
run "$VIGIL" device export -o "$WORK/acme.csv"
expect_err "device export -o reports how many devices it wrote" 0 \
    "exported 2 devices to $WORK/acme.csv"
mode=$(stat -c %a "$WORK/acme.csv")
left=$(find "$WORK" -maxdepth 1 -name 'acme.csv.*' | wc -l)
if [ "$mode" = 600 ] && [ "$left" = 0 ]; then
	ok "device export writes the file 0600 and leaves no temporary file"
else
	notok "device export writes the file 0600 and leaves no temporary file" \
	    "mode $mode, $left temporary files"
fi
if head -1 "$WORK/acme.csv" | grep -q '^name,'; then
	ok "device export -o FILE.csv writes CSV with a header (format from extension)"
else
	notok "device export -o FILE.csv writes CSV with a header (format from extension)" \
	    "first line: $(head -1 "$WORK/acme.csv")"
fi
run "$VIGIL" device export
expect_json "device export writes JSON Lines to stdout by default" 0 \
    "sorted(x['name'] for x in L)" '["cam-1", "cam-3"]'
cp "$OUT" "$WORK/acme.jsonl"
run "$VIGIL" device export --state provisioned --format jsonl
expect_json "device export --state exports only that state" 0 \
    "[x['name'] for x in L]" '["cam-3"]'

for fmt in csv jsonl; do
	other="$WORK/other-$fmt"
	"$VIGIL" --data "$other" tenant create acme >/dev/null
	run "$VIGIL" --data "$other" device import "$WORK/acme.$fmt"
	expect "an exported $fmt file imports into a fresh store without error" 0 \
	    "imported 2 of 2 rows, 0 failed"
	set +e
	"$VIGIL" --data "$other" device export --format "$fmt" >"$WORK/again.$fmt" 2>/dev/null
	rc1=$?
	"$VIGIL" device export --format "$fmt" >"$WORK/orig.$fmt" 2>/dev/null
	rc2=$?
	set -e
	# Rows may come back in another order (new ids); compare as sets.
	# Two failed exports are two empty files: equal, and proof of nothing.
	if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ -s "$WORK/orig.$fmt" ] &&
	    [ "$(sort "$WORK/orig.$fmt")" = "$(sort "$WORK/again.$fmt")" ]; then
		ok "export -> import -> export gives the same $fmt inventory"
	else
		notok "export -> import -> export gives the same $fmt inventory" \
		    "exports exited $rc1 and $rc2" \
		    "$(diff <(sort "$WORK/orig.$fmt") <(sort "$WORK/again.$fmt") | head -5 | tr '\n' ' ')"
	fi
done
run "$VIGIL" device export --format xml
expect_err "device export rejects an unknown format (exit 2)" 2 \
    "unknown format 'xml' (csv, jsonl)"

finish
