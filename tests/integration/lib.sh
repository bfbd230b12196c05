# Shared helpers of the CLI integration tests; sourced, not run.
#
# Each script gets VIGIL (the built CLI), SRCDIR and BUILDDIR from meson,
# works in a private temporary directory (removed on exit) and prints one
# line per check: "ok - <what it proves>" or "not ok - <what>" followed by
# "#   " lines saying what was expected and what came. finish() exits
# non-zero when any check failed.

: "${VIGIL:?VIGIL must point at the vigil binary}"
: "${SRCDIR:?SRCDIR must point at the source tree}"

# Debian's python3 has python3-stdnum; a pyenv python3 on PATH has not.
PY=/usr/bin/python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
export VIGIL_DATA="$WORK/data"
unset VIGIL_TENANT
# ASan must not turn a leak report into noise on stderr we compare.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

npass=0
nfail=0

ok() {
	npass=$((npass + 1))
	echo "ok - $1"
}

notok() {
	nfail=$((nfail + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# run CMD...: stdout to $OUT, stderr to $ERR, exit status to $RC.
OUT="$WORK/stdout"
ERR="$WORK/stderr"
run() {
	set +e
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
	set -e
}

# run_in INPUT CMD...: as run, with INPUT (a string) on stdin.
run_in() {
	_in=$1
	shift
	set +e
	printf '%s' "$_in" | "$@" >"$OUT" 2>"$ERR"
	RC=$?
	set -e
}

_show() {
	printf 'exit %s; stdout: %s; stderr: %s' "$RC" \
	    "$(head -c 600 "$OUT" | tr '\n' '|')" \
	    "$(head -c 600 "$ERR" | tr '\n' '|')"
}

# expect NAME RC EXPECTED_STDOUT: checks the last run's exit status and
# exact stdout (without the final newline).
expect() {
	_got=$(cat "$OUT")
	if [ "$RC" = "$2" ] && [ "$_got" = "$3" ]; then
		ok "$1"
	else
		notok "$1" "expected exit $2 and stdout: $3" "got $(_show)"
	fi
}

# expect_rc NAME RC: exit status only (stdout checked separately).
expect_rc() {
	if [ "$RC" = "$2" ]; then
		ok "$1"
	else
		notok "$1" "expected exit $2" "got $(_show)"
	fi
}

# expect_err NAME RC SUBSTRING: exit status and a substring of stderr.
expect_err() {
	if [ "$RC" = "$2" ] && grep -qF -- "$3" "$ERR"; then
		ok "$1"
	else
		notok "$1" "expected exit $2 and stderr containing: $3" \
		    "got $(_show)"
	fi
}

# expect_out_has NAME RC SUBSTRING: exit status and a substring of stdout.
expect_out_has() {
	if [ "$RC" = "$2" ] && grep -qF -- "$3" "$OUT"; then
		ok "$1"
	else
		notok "$1" "expected exit $2 and stdout containing: $3" \
		    "got $(_show)"
	fi
}

# json EXPR: evaluates a Python expression over the last stdout, with d
# bound to its first JSON line and L to the list of all JSON lines, and
# prints the result (str() of it; JSON for lists and dicts).
json() {
	"$PY" - "$OUT" "$1" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")
         if l.strip()]
d = lines[0] if lines else None
L = lines
v = eval(sys.argv[2])
print(json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v)
PYEOF
}

# expect_json NAME RC EXPR EXPECTED: exit status and json EXPR == EXPECTED.
expect_json() {
	set +e
	_got=$(json "$3" 2>&1)
	_jrc=$?
	set -e
	if [ "$RC" = "$2" ] && [ $_jrc -eq 0 ] && [ "$_got" = "$4" ]; then
		ok "$1"
	else
		notok "$1" "expected exit $2 and $3 == $4" \
		    "got $3 = $_got; $(_show)"
	fi
}

finish() {
	echo "# $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

# term_safe FILE: prints "safe" when FILE is valid UTF-8 without a byte
# or character that would act on a terminal (C0 controls other than
# newline, DEL, C1 controls, bidi overrides and isolates, zero-width
# characters), else what it found first.
term_safe() {
	"$PY" - "$1" <<'PYEOF'
import sys
data = open(sys.argv[1], 'rb').read()
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    print('invalid UTF-8 at byte %d' % e.start)
    sys.exit()
bad = lambda c: ((ord(c) < 0x20 and c != '\n') or 0x7f <= ord(c) <= 0x9f
                 or c == '\u061c' or 0x200b <= ord(c) <= 0x200f
                 or 0x2028 <= ord(c) <= 0x202e or 0x2060 <= ord(c) <= 0x2069
                 or c == '\ufeff')
found = [c for c in text if bad(c)]
print('U+%04X at character %d' % (ord(found[0]), text.index(found[0]))
      if found else 'safe')
PYEOF
}

# expect_term_safe NAME FILE: FILE (the last stdout or stderr) is safe to
# show on a terminal.
expect_term_safe() {
	_ts=$(term_safe "$2")
	if [ "$_ts" = safe ]; then
		ok "$1"
	else
		notok "$1" "found $_ts" "got $(_show)"
	fi
}
