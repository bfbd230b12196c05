#!/bin/sh
# The tour (make run) works end to end on a fresh data dir: the sample
# fleet imports with exactly its two bad rows reported, the summary
# counts the good rows by state, the inventory lists them, find works
# across spellings, the quarantine is on record and in the summary, and
# the PNG label decodes to the device's Digital Link.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fails=0
check() { # description, command...
	d=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $d"; else echo "not ok - $d"; fails=$((fails + 1)); fi
}

VIGIL_TOUR_DATA="$work/demo" "$SRCDIR/scripts/tour" "$VIGIL" >"$work/out" 2>&1 || {
	echo "not ok - tour exits 0"; cat "$work/out"; exit 1; }
echo "ok - tour exits 0"
check "tour reports the bad IMEI row by line number" \
	grep -q 'line 20: IMEI 35-209900-176148-2: check digit is 2, expected 1' "$work/out"
check "tour reports the MAC duplicate written in another spelling" \
	grep -q 'line 21: MAC 00-1B-63-D9-1E-3F: already registered' "$work/out"
check "tour imports the 18 good rows of 20" \
	grep -q 'imported 18 of 20 rows, 2 failed' "$work/out"
check "tour summarises the sample fleet before the quarantine" \
	grep -qx '18 devices: 14 active, 2 provisioned, 1 registered, 1 quarantined, 0 retired' "$work/out"
check "tour summary finds every sample device identified by hardware" \
	grep -Eq '^  no hardware identifier +0 +0%$' "$work/out"
check "tour summary after the quarantine counts it" \
	sh -c "'$VIGIL' --data '$work/demo' --tenant demo device summary | head -1 | grep -qx '18 devices: 13 active, 2 provisioned, 1 registered, 2 quarantined, 0 retired'"
check "tour lists exactly 18 devices" \
	sh -c "'$VIGIL' --data '$work/demo' --tenant demo --json device list | grep -c '\"id\"' | grep -qx 18"
check "tour quarantine is in the device history" \
	sh -c "'$VIGIL' --data '$work/demo' --tenant demo device history gateway-porto-03 | grep -q 'tour: suspicious traffic'"
if command -v zbarimg >/dev/null; then
	check "tour label PNG decodes to the device's GS1 Digital Link" \
		sh -c "zbarimg --raw -q '$work/demo/thermostat-berlin-01.png' | grep -qx 'https://id.gs1.org/01/09520123456788/21/SN100000'"
else
	echo "not ok - zbarimg missing (scripts/bootstrap installs zbar-tools)"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
