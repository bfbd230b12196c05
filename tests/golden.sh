#!/bin/sh
# Golden tests: tests/data/<suite>/NNN.in through the command in
# tests/data/<suite>/cmd must give exactly NNN.ok (stdout, stderr, exit
# status). A suite with a per-line file runs the command once per input
# line, passing the line as its last argument. See tests/data/README.md. --update rewrites the .ok files.
set -u
: "${VIGIL:?VIGIL must point at the vigil binary}"
root=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
update=0
[ "${1:-}" = "--update" ] && update=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fails=0
for dir in "$root"/tests/data/*/; do
	[ -f "$dir/cmd" ] || continue
	suite=$(basename "$dir")
	for in in "$dir"/*.in; do
		[ -f "$in" ] || continue
		ok=${in%.in}.ok
		data="$work/$suite-$(basename "$in" .in)"
		args=$(sed "s|@DATA@|$data|g" "$dir/cmd")
		# Suites that need a tenant get one named "golden".
		case "$args" in *"--tenant golden"*)
			"$VIGIL" --data "$data" tenant create golden >/dev/null 2>&1 ;;
		esac
		if [ -f "$dir/per-line" ]; then
			# One run per input line, the line as the last argument.
			: >"$work/out"
			while IFS= read -r line; do
				# shellcheck disable=SC2086
				"$VIGIL" $args "$line" >>"$work/out" 2>&1
				echo "exit $?" >>"$work/out"
			done <"$in"
		else
			# shellcheck disable=SC2086
			"$VIGIL" $args <"$in" >"$work/out" 2>&1
			echo "exit $?" >>"$work/out"
		fi
		name="$suite/$(basename "$in")"
		if [ "$update" -eq 1 ]; then
			cp "$work/out" "$ok"
			echo "updated $name"
		elif cmp -s "$work/out" "$ok"; then
			echo "ok - golden $name"
		else
			echo "not ok - golden $name differs from $(basename "$ok"):"
			diff -u "$ok" "$work/out" | head -n 40
			fails=$((fails + 1))
		fi
	done
done
[ "$fails" -eq 0 ]
