#!/bin/bash
# vigil id check/convert/explain/types from the outside: exact output
# lines, JSON shape, stdin handling, exit statuses, usage errors, and the
# man page kept in step with the command table and the identifier forms.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
MAN="$SRCDIR/docs/vigil.1"

# --- id check: human output and exit status ----------------------------
run "$VIGIL" id check 490154203237518
expect "id check accepts a valid IMEI and prints type, normalized form and URN" \
    0 "valid imei 490154203237518 urn:gsma:imei:49015420-323751-0"

run "$VIGIL" id check --type imei 490154203237512
expect "id check rejects IMEI with wrong check digit (exit 1)" \
    1 "invalid IMEI 490154203237512: check digit is 2, expected 8"

run "$VIGIL" id check 490154203237518 00-24-BE-80-4F-F1 --type imei
expect "id check --type applies to every value, one line each, exit 1 when one is invalid" \
    1 "valid imei 490154203237518 urn:gsma:imei:49015420-323751-0
invalid IMEI 00-24-BE-80-4F-F1: invalid character 'B' at position 7"

run "$VIGIL" id check 00:24:BE:80:4F:F1 urn:dev:mac:0024beffff804ff1
expect "id check detects a MAC and a device URN and exits 0 when all are valid" \
    0 "valid mac 00:24:be:80:4f:f1 urn:dev:mac:0024beffff804ff1
valid dev-urn urn:dev:mac:0024beffff804ff1 urn:dev:mac:0024beffff804ff1"

# --- detection: specific shapes, no false positives ---------------------
run "$VIGIL" id check https://example.com/blog/01/intro \
    https://id.gs1.org/01/09520123456789
expect "id check reads a URL with an /01/ word as a URI, a GS1 link with a bad check digit as a Digital Link" \
    1 "valid uri https://example.com/blog/01/intro https://example.com/blog/01/intro
invalid GS1 Digital Link URI https://id.gs1.org/01/09520123456789: AI (01) check digit is 9, expected 8"
run "$VIGIL" id check "AF 01 23 45 0A BC DE C"
expect "id check reads python-stdnum's spaced MEID as a MEID only, not also an EUI-64" \
    0 "valid meid AF0123450ABCDE urn:3gpp2:meid:AF012345-0ABCDE"
run "$VIGIL" id check https://user:secret@host/x
expect "id check refuses a URI with a password and does not repeat the password (exit 1)" \
    1 "invalid URI https://user:...@host/x: contains a password in its userinfo at position 14; identifiers must not carry secrets"
run "$VIGIL" id check --type serial "SN  42"
expect "id check quotes a bad serial like every other type: '<title> <input>: <what>'" \
    1 "invalid serial SN  42: consecutive spaces at position 3"

# --- ambiguity ----------------------------------------------------------
run "$VIGIL" id check --json 234150999999999
expect_json "id check lists imei and imsi as candidates of an ambiguous 15-digit value" \
    1 "d['candidates']" '["imei", "imsi"]'
expect_json "id check marks an ambiguous value invalid with the reason" \
    1 "(d['valid'], 'ambiguous' in d['error'], d['type'])" "(False, True, None)"
run "$VIGIL" id check 234150999999999
expect "id check prints 'ambiguous' for a value valid as two types" 1 \
    "ambiguous identifier 234150999999999: ambiguous, valid as imei, imsi; name the type (--type) to choose"
run "$VIGIL" id check --type imsi --json 234150999999999
expect_json "id check --type imsi resolves the ambiguity and splits MCC/MNC" \
    0 "(d['valid'], d['fields']['mcc'], d['fields']['mnc'], d['fields']['msin'])" \
    "(True, '234', '15', '0999999999')"

# --- JSON shape ---------------------------------------------------------
run "$VIGIL" --json id check 49-015420-323751-8
expect_json "id check --json has every documented key, in order" 0 \
    "list(d.keys())" \
    '["input", "type", "valid", "normalized", "urn", "match_key", "fields", "forms", "warning", "error"]'
expect_json "id check --json gives normalized, urn, match key and fields of an IMEI" 0 \
    "[d['input'], d['type'], d['normalized'], d['urn'], d['match_key'], d['fields']['tac'], d['forms']['formatted']]" \
    '["49-015420-323751-8", "imei", "490154203237518", "urn:gsma:imei:49015420-323751-0", "imei:49015420323751", "49015420", "49-015420-323751-8"]'
run "$VIGIL" id check --json 490154203237518 "49 015420 323751 8" \
    urn:gsma:imei:49015420-323751-0 --type imei
expect_json "id check gives every spelling of one IMEI the same match key" 0 \
    "sorted(set(x['match_key'] for x in L))" '["imei:49015420323751"]'
run "$VIGIL" id check --json --type imei 490154203237512
expect_json "id check --json of an invalid value has the error and null results" 1 \
    "[d['valid'], d['type'], d['normalized'], d['error']]" \
    '[false, "imei", null, "IMEI 490154203237512: check digit is 2, expected 8"]'

# --- stdin --------------------------------------------------------------
run_in "$(printf '490154203237518\n\n   \n00-24-be-80-4f-f1\r\n')" \
    "$VIGIL" id check --json
expect_json "id check reads one value per stdin line, skips blank lines, strips CR" \
    0 "[x['input'] for x in L]" '["490154203237518", "00-24-be-80-4f-f1"]'
printf '490154203237518\n' >"$WORK/one"
set +e
"$VIGIL" id check --json 00:24:be:80:4f:f1 - AF0123450ABCDE <"$WORK/one" >"$OUT" 2>"$ERR"
RC=$?
set -e
expect_json "id check reads stdin in place of a '-' argument, in order" \
    0 "[x['type'] for x in L]" '["mac", "imei", "meid"]'
long=$("$PY" -c "print('1' * 3000)")
run_in "$(printf '490154203237518\n%s\nAF0123450ABCDE\n' "$long")" \
    "$VIGIL" --json id check
expect_json "id check reports an over-long stdin line by its line number and goes on" \
    1 "[L[1]['error'], L[1]['input'], L[2]['valid'], len(L)]" \
    '["line 2: value is 3000 bytes long, the limit is 2048", null, true, 3]'
run_in "$(printf '\377\376abc\n')" "$VIGIL" --json id check
expect_json "id check --json stays valid JSON for invalid UTF-8 input" \
    1 "(d['input'] == '\ufffd\ufffdabc', d['valid'])" "(True, False)"

run_in "$(printf 'a\302\233[2Jb\342\200\256c\n')" "$VIGIL" --json id check
expect_term_safe "id check --json escapes a C1 control and a bidi override in the echoed input" "$OUT"
expect_json "... as JSON \\u escapes that decode to the input" 1 \
    "d['input'] == 'a\u009b[2Jb\u202ec'" "True"

# --- id convert ---------------------------------------------------------
run "$VIGIL" id convert --to dec AF0123450ABCDE
expect "id convert prints the decimal form of a hex MEID" 0 "293608736500703710"
run "$VIGIL" id convert --to pesn --type meid "AF 01 23 45 0A BC DE C"
expect "id convert derives the pseudo-ESN of a MEID (3GPP2 vector 8016B128)" \
    0 "8016B128"
run "$VIGIL" id convert --to urn --type imei 490154203237518 35-209900-176148-1
expect "id convert handles several values, one line each" 0 \
    "urn:gsma:imei:49015420-323751-0
urn:gsma:imei:35209900-176148-0"
run "$VIGIL" id convert --to match-key 00-24-BE-80-4F-F1
expect "id convert --to match-key prints the match key" 0 "mac:0024be804ff1"
run "$VIGIL" id convert --to digital-link 3074257BF7194E4000001A85
expect "id convert turns an SGTIN-96 tag into its GS1 Digital Link (TDS App. E)" \
    0 "https://id.gs1.org/01/80614141123458/21/6789"
run "$VIGIL" id convert --to element-string "(01)09520123456788(21)12345" \
    https://example.com/01/09520123456788/21/12345 urn:epc:id:sgtin:0614141.812345.6789
expect "id convert --to element-string names one rendering for gs1, digital-link and epc" \
    0 "(01)09520123456788(21)12345
(01)09520123456788(21)12345
(01)80614141123458(21)6789"
run "$VIGIL" id convert --to digital-link "(01)09520123456788(21)12345" \
    https://example.com/01/09520123456788/21/12345
expect "id convert --to digital-link gives the id.gs1.org link of an element string and of a Digital Link" \
    0 "https://id.gs1.org/01/09520123456788/21/12345
https://id.gs1.org/01/09520123456788/21/12345"
run "$VIGIL" id convert --to mac 00:24:be:ff:fe:80:4f:f1
expect "id convert --to mac gives the MAC-48 an EUI-64 wraps" 0 "00:24:be:80:4f:f1"
run "$VIGIL" id convert --to dec 490154203237518
expect_err "id convert names the forms a value has when the form is unknown (exit 1)" \
    1 "vigil: IMEI 490154203237518 has no form 'dec' (its forms: normalized, urn, match-key, imei, body, formatted)"
run "$VIGIL" id convert 490154203237518
expect_err "id convert without --to is a usage error (exit 2)" 2 \
    "vigil: id convert: --to FORM is required"

# --- id convert: GS1 element string -> RFID EPC ---------------------------
run "$VIGIL" id convert --to hex --gcp-length 7 --filter 3 \
    "(01)80614141123458(21)6789" "(00)106141412345678908" \
    "(414)0614141123452(254)5678" "(8003)006141411234525678" \
    "(8004)06141415678"
expect "id convert --gcp-length 7 --filter 3 encodes the TDS App. E.3 element strings to their exact hex" \
    0 "3074257BF7194E4000001A85
3174257BF4499602D2000000
3274257BF46072000000162E
3374257BF40C0E400000162E
3474257BF40000000000162E"
run "$VIGIL" id convert --to tag-uri --gcp-length 7 \
    https://id.gs1.org/01/80614141123458/21/6789 \
    "(01)80614141123458(10)LOT1(21)32a/b"
expect "id convert encodes a Digital Link (filter 0 by default) and a non-numeric serial as SGTIN-198, leaving out other AIs" \
    0 "urn:epc:tag:sgtin-96:0.0614141.812345.6789
urn:epc:tag:sgtin-198:0.0614141.812345.32a%2Fb"
run "$VIGIL" id convert --to pure-uri --gcp-length 12 "(01)50614141812344(21)6789"
expect "id convert takes any company prefix length the partition table has (12: partition 0)" \
    0 "urn:epc:id:sgtin:061414181234.5.6789"
hex=$("$VIGIL" id convert --to hex --gcp-length 9 --epc-size long \
    "(01)20614141813456(21)6789")
run "$VIGIL" id convert --to element-string "$hex"
expect "id convert --epc-size long gives SGTIN-198, whose hex decodes back to the element string" \
    0 "(01)20614141813456(21)6789"
run "$VIGIL" --json id convert --to tag-uri --gcp-length 7 --filter 1 \
    "(00)106141412345678908"
expect_json "id convert --json names the GS1 value's type and the EPC form" 0 \
    "[d['type'], d['form'], d['value']]" \
    '["gs1", "tag-uri", "urn:epc:tag:sscc-96:1.0614141.1234567890"]'
run "$VIGIL" id convert --to hex "(01)80614141123458(21)6789"
expect_err "id convert says an EPC form of a GS1 value needs the company prefix length, and why (exit 1)" \
    1 "vigil: GS1 element string (01)80614141123458(21)6789 has no form 'hex' without --gcp-length N: its EPC splits the GS1 Company Prefix from the reference, and the prefix length (6-12 digits, allocated by GS1) is not written in the value"
run "$VIGIL" id convert --to hex --gcp-length 5 "(01)80614141123458(21)6789"
expect_err "id convert rejects a company prefix length the SGTIN partitions lack (exit 1)" \
    1 "vigil: GS1 element string (01)80614141123458(21)6789: company prefix length 5 is not one SGTIN allows (6-12)"
run "$VIGIL" id convert --to hex --gcp-length 7 --epc-size 96 \
    "(01)80614141123458(21)06789"
expect_err "id convert --epc-size 96 refuses a serial SGTIN-96 cannot hold (exit 1)" \
    1 "serial '06789' has a leading zero, which SGTIN-96 cannot encode, and SGTIN-198 was not allowed"
run "$VIGIL" id convert --to hex --gcp-length 7 "(01)80614141123458(10)LOT1"
expect_err "id convert says a GTIN without a serial has no EPC (exit 1)" \
    1 "SGTIN needs the serial (21) with the GTIN (01); a GTIN alone has no EPC"
run "$VIGIL" id convert --to hex --gcp-length 7 490154203237518
expect_err "id convert --gcp-length refuses a value that is not GS1 (exit 1)" \
    1 "vigil: IMEI 490154203237518: --gcp-length applies only to GS1 element strings and Digital Link URIs"
run "$VIGIL" id convert --to hex --filter 3 "(00)106141412345678908"
expect_err "id convert --filter without --gcp-length is a usage error (exit 2)" \
    2 "vigil: id convert: --filter needs --gcp-length"
run "$VIGIL" id convert --to hex --gcp-length 7 --filter 8 "(00)106141412345678908"
expect_err "id convert --filter 8 is a usage error (exit 2)" \
    2 "vigil: id convert: --filter: 8 is out of range 0-7"
run "$VIGIL" id convert --to hex --gcp-length 7 --epc-size 128 "(00)106141412345678908"
expect_err "id convert --epc-size takes auto, 96 or long only (exit 2)" \
    2 "vigil: id convert: --epc-size: '128' is not auto, 96 or long"
run "$VIGIL" id check "(01)80614141123458(21)6789"
expect "id check of a GS1 element string is unchanged by EPC encoding" \
    0 "valid gs1 (01)80614141123458(21)6789"

# --- id compare ---------------------------------------------------------
run "$VIGIL" id compare 35-209900-176148-1 urn:gsma:imei:35209900-176148-0
expect "id compare finds an IMEI and its URN the same (exit 0)" \
    0 "same: imei:35209900176148"
run "$VIGIL" id compare 00:24:BE:80:4F:F1 0024.be80.4ff1
expect "id compare finds a MAC in two notations the same" \
    0 "same: mac:0024be804ff1"
run "$VIGIL" id compare 3074257BF7194E4000001A85 \
    https://id.gs1.org/01/80614141123458/21/6789
expect "id compare finds an EPC tag and the Digital Link of the same object the same" \
    0 "same: gs1:(01)80614141123458(21)6789"
run "$VIGIL" id compare "HTTP://Example.COM/a/./b/%7e" http://example.com/a/b/~
expect "id compare finds two spellings of one URI the same after RFC 3986 normalisation" \
    0 "same: uri:http://example.com/a/b/~"
run "$VIGIL" id compare 00:24:be:80:4f:f1 00:24:be:80:4f:f2
expect "id compare prints both match keys of different identifiers (exit 1)" \
    1 "different: mac:0024be804ff1 vs mac:0024be804ff2"
run "$VIGIL" id compare 490154203237512 234150999999999
expect "id compare reports an invalid and an ambiguous value as id check does (exit 1)" \
    1 "invalid IMEI 490154203237512: check digit is 2, expected 8
ambiguous identifier 234150999999999: ambiguous, valid as imei, imsi; name the type (--type) to choose"
run "$VIGIL" id compare --type imei 234150999999999 urn:gsma:imei:23415099-999999-0
expect "id compare --type resolves an ambiguous value" \
    0 "same: imei:23415099999999"
run "$VIGIL" --json id compare 35-209900-176148-1 urn:gsma:imei:35209900-176148-0
expect_json "id compare --json gives a, b and same" 0 \
    "[list(d.keys()), d['same'], d['a']['type'], d['b']['type']]" \
    '[["a", "b", "same"], true, "imei", "imei"]'
"$VIGIL" --json id check 35-209900-176148-1 >"$WORK/check1"
expect_json "id compare --json shapes each value exactly as id check --json does" 0 \
    "d['a'] == json.load(open('$WORK/check1'))" "True"
run "$VIGIL" --json id compare 490154203237512 490154203237518
expect_json "id compare --json of an invalid value: same is false, the error is in its object (exit 1)" \
    1 "[d['same'], d['a']['valid'], d['a']['error'], d['b']['valid']]" \
    '[false, false, "IMEI 490154203237512: check digit is 2, expected 8", true]'
run "$VIGIL" id compare 490154203237518
expect_err "id compare with one value is a usage error (exit 2)" 2 \
    "vigil: id compare: missing argument"
run "$VIGIL" id compare a b c
expect_err "id compare with three values is a usage error (exit 2)" 2 \
    "vigil: id compare: unexpected argument 'c'"

# --- id explain ---------------------------------------------------------
run "$VIGIL" id explain AF0123450ABCDE
expect_out_has "id explain shows a MEID's pseudo-ESN" 0 "8016B128"
expect_out_has "id explain shows the MEID URN" 0 \
    "urn:3gpp2:meid:AF012345-0ABCDE"
run "$VIGIL" id explain 234150999999999
if [ "$RC" = 1 ] && grep -q '^reading 1: IMEI$' "$OUT" &&
    grep -q '^reading 2: IMSI$' "$OUT" && grep -q -- '--type' "$OUT"; then
	ok "id explain explains each reading of an ambiguous value and how to choose"
else
	notok "id explain explains each reading of an ambiguous value and how to choose" \
	    "expected exit 1, 'reading 1: IMEI', 'reading 2: IMSI' and --type" \
	    "got $(_show)"
fi
run "$VIGIL" --json id explain 234150999999999
expect_json "id explain --json carries one parsed reading per candidate" 1 \
    "[r['type'] for r in d['readings']]" '["imei", "imsi"]'

# --- id types -----------------------------------------------------------
run "$VIGIL" id types
expect_rc "id types exits 0" 0
n=$(wc -l <"$OUT")
if [ "$n" = 17 ] && [ "$(awk 'length > 79' "$OUT" | wc -l)" = 0 ]; then
	ok "id types lists the 17 identifier types in 80 columns"
else
	notok "id types lists the 17 identifier types in 80 columns" \
	    "expected 17 lines of at most 79 characters" "got $(_show)"
fi
run "$VIGIL" --json id types
expect_json "id types: every documented example is valid for its type" 0 \
    "[x['name'] for x in L if not x['example_valid']]" "[]"

# --- usage errors and help ----------------------------------------------
run "$VIGIL" frobnicate
expect_err "an unknown command is a usage error on stderr (exit 2)" 2 \
    "vigil: unknown command 'frobnicate'"
[ -s "$OUT" ] && notok "usage errors print nothing on stdout" "got $(_show)" ||
    ok "usage errors print nothing on stdout"
run "$VIGIL" id check --frob 1
expect_err "an unknown option names the option and the help to read (exit 2)" 2 \
    "Try 'vigil help id check' for more information."
run "$VIGIL" id check --type nope 1
expect_err "an unknown --type lists the valid types (exit 2)" 2 \
    "unknown identifier type 'nope' (types: imei, imeisv,"
run "$VIGIL" id explain
expect_err "a missing argument is a usage error (exit 2)" 2 \
    "vigil: id explain: missing argument VALUE"
run "$VIGIL" id types extra
expect_err "an unexpected argument is a usage error (exit 2)" 2 \
    "vigil: id types: unexpected argument 'extra'"
run "$VIGIL"
expect_rc "vigil without a command prints the usage and exits 2" 2
run "$VIGIL" id
expect_err "a group without its command is a usage error (exit 2)" 2 \
    "vigil: id: missing command"
run "$VIGIL" --version
expect "vigil --version prints the version" 0 "vigil 0.1.0"
run "$VIGIL" id check --help
cp "$OUT" "$WORK/help1"
run "$VIGIL" help id check
if [ "$RC" = 0 ] && cmp -s "$OUT" "$WORK/help1" &&
    grep -q '^usage: vigil id check' "$OUT"; then
	ok "'vigil help id check' and 'vigil id check --help' print the same help"
else
	notok "'vigil help id check' and 'vigil id check --help' print the same help" \
	    "expected identical output starting 'usage: vigil id check'" \
	    "got $(_show)"
fi
run "$VIGIL" --json id check 490154203237518
cp "$OUT" "$WORK/g1"
run "$VIGIL" id check 490154203237518 --json
if cmp -s "$OUT" "$WORK/g1"; then
	ok "global options work before and after the command"
else
	notok "global options work before and after the command" \
	    "expected the same output" "got $(_show)"
fi

# --- the man page and the command table cannot drift ---------------------
"$VIGIL" help --commands >"$WORK/cmds"
sed -n 's/^\.SS "vigil \(.*\)"$/\1/p' "$MAN" >"$WORK/mancmds"
if cmp -s "$WORK/cmds" "$WORK/mancmds"; then
	ok "vigil help --commands lists exactly the commands documented in vigil(1), in order"
else
	notok "vigil help --commands lists exactly the commands documented in vigil(1), in order" \
	    "diff (program vs man page): $(diff "$WORK/cmds" "$WORK/mancmds" | tr '\n' ' ')"
fi
run "$VIGIL" --json help --commands
expect_json "vigil --json help describes the same commands, one object per line" 0 \
    "[x['command'] for x in L] == open('$WORK/cmds').read().splitlines()" "True"
missing=""
nopts=0
while read -r cmd; do
	# shellcheck disable=SC2086
	opts=$("$VIGIL" help $cmd | sed -n '/^options:/,/^$/p' |
	    grep -o -- '--[a-z][a-z0-9-]*' | grep -v -- '--TYPE' | sort -u)
	section=$(awk -v h=".SS \"vigil $cmd\"" '
	    $0 == h { on = 1; next }
	    on && /^\.S[SH] / { exit }
	    on { print }' "$MAN")
	for o in $opts; do
		nopts=$((nopts + 1))
		esc=$(printf '%s' "$o" | sed 's/-/\\-/g')
		printf '%s\n' "$section" | grep -qF -- "$esc" ||
		    missing="$missing $cmd:$o"
	done
done <"$WORK/cmds"
# The help of the commands lists more than 40 options; none found means
# the extraction broke, not that everything is documented.
if [ -z "$missing" ] && [ "$nopts" -gt 40 ]; then
	ok "every option of every command is documented in its vigil(1) section"
else
	notok "every option of every command is documented in its vigil(1) section" \
	    "checked $nopts options; undocumented:$missing"
fi
"$VIGIL" --json id types >"$WORK/types"
"$PY" - "$WORK/types" "$MAN" >"$WORK/formsdiff" <<'PYEOF'
import json, re, sys
types = [json.loads(l) for l in open(sys.argv[1])]
man = open(sys.argv[2]).read()
sec = man[man.index('.SH IDENTIFIER TYPES'):man.index('.SH EXIT STATUS')]
doc = {}
for m in re.finditer(r'\.TP\n\.B (\S+)\n(.*?)\nForms: (.*?)\n', sec, re.S):
    name = m.group(1).replace('\\-', '-')
    forms = m.group(3).rstrip('.')
    doc[name] = [] if forms == 'none' else [
        f.replace('\\fB', '').replace('\\fP', '').replace('\\-', '-').strip()
        for f in forms.split(',')]
for t in types:
    if doc.get(t['name']) != t['forms']:
        print('%s: program %s, man page %s' % (t['name'], t['forms'],
                                               doc.get(t['name'])))
if len(doc) != len(types):
    print('man page documents %d types, program has %d' % (len(doc),
                                                           len(types)))
PYEOF
if [ ! -s "$WORK/formsdiff" ]; then
	ok "vigil(1) lists every identifier type with exactly the forms it has"
else
	notok "vigil(1) lists every identifier type with exactly the forms it has" \
	    "$(tr '\n' ';' <"$WORK/formsdiff")"
fi
# The first EXAMPLES block (identifier checks) shows real output.
"$PY" - "$MAN" "$VIGIL" >"$WORK/exdiff" <<'PYEOF'
import shlex, subprocess, sys
man = open(sys.argv[1]).read()
ex = man[man.index('.SH EXAMPLES'):]
block = ex[ex.index('.nf\n') + 4:ex.index('.fi\n')].replace('\\-', '-')
cmd, want = None, []
def check():
    if cmd is None:
        return
    args = shlex.split(cmd)[1:]
    got = subprocess.run([sys.argv[2]] + args, capture_output=True,
                         text=True).stdout.splitlines()
    if got != want:
        print('%s: man page shows %s, vigil printed %s' % (cmd, want, got))
for line in block.splitlines():
    if line.startswith('$ '):
        check()
        cmd, want = line[2:], []
    else:
        want.append(line)
check()
PYEOF
if [ ! -s "$WORK/exdiff" ]; then
	ok "the identifier examples in vigil(1) show what vigil prints"
else
	notok "the identifier examples in vigil(1) show what vigil prints" \
	    "$(tr '\n' ';' <"$WORK/exdiff")"
fi
if command -v groff >/dev/null; then
	set +e
	warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	set -e
	if [ -z "$warn" ]; then
		ok "vigil(1) renders with groff -ww without a warning"
	else
		notok "vigil(1) renders with groff -ww without a warning" "$warn"
	fi
fi

finish
