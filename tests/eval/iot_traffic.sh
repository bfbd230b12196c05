#!/bin/bash
# iot_traffic.sh [BUILD_DIR] — the holdout evaluation of the detection
# engine (issue 6): every IoT/OT file of ../shared/holdout-data/
# iot-ot-traffic/ through the default detection config, scored against
# its labels by score.py (table on stdout and in /tmp/eval.md). NOT part
# of make check: the data is read where it lies, at run time, and never
# copied into the repository.
#   EVAL_DATA  the data directory (default ../shared/holdout-data/
#              iot-ot-traffic next to the repository)
#   EVAL_ANALYZER  cli: `vigil flows analyze --json` of BUILD_DIR (the
#              default when that vigil has the command); lib:
#              tests/eval/eval_flows, built here against BUILD_DIR's
#              libvigil.a (the same engine driven directly)
#   EVAL_OUT   the Markdown table (default /tmp/eval.md)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${EVAL_DATA:-$root/../shared/holdout-data/iot-ot-traffic}
out=${EVAL_OUT:-/tmp/eval.md}
[ -d "$data" ] || { echo "iot_traffic: no data at $data" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-eval.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

mode=${EVAL_ANALYZER:-}
if [ -z "$mode" ]; then
	mode=lib
	"$build/src/vigil/vigil" flows analyze --help >/dev/null 2>&1 &&
		mode=cli
fi
if [ "$mode" = cli ]; then
	analyzer=$build/src/vigil/vigil
	[ -x "$analyzer" ] || { echo "iot_traffic: no $analyzer" >&2; exit 1; }
	cli=--cli
else
	lib=$build/libvigil.a
	[ -f "$lib" ] || { echo "iot_traffic: no $lib (build it first)" >&2
		exit 1; }
	analyzer=$work/eval_flows
	# shellcheck disable=SC2046
	cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow \
	    -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	    -I"$root/include" "$root/tests/eval/eval_flows.c" "$lib" \
	    $(pkg-config --libs jansson libpcap libcrypto sqlite3 \
	    liburiparser libargon2 libzip zlib 2>/dev/null ||
	    echo -ljansson -lpcap -lcrypto -lsqlite3 -luriparser -largon2 \
	    -lzip -lz) -lm -o "$analyzer"
	cli=
fi
python3 "$root/tests/eval/score.py" --data "$data" --analyzer "$analyzer" \
    $cli --work "$work" --out "$out"
