# Shared by the shell benchmarks (sourced): tool checks, and a work
# directory whose vigild ($vpid) and nginx ($npid) are stopped and which
# is removed on exit.

# bench_need NAME TOOL...: exits 1 naming the first tool not found.
bench_need() {
	_bn=$1
	shift
	for _bp in "$@"; do
		command -v "$_bp" >/dev/null 2>&1 || {
			echo "$_bn: $_bp not found" >&2
			exit 1
		}
	done
}

bench_cleanup() {
	[ -n "$vpid" ] && kill -TERM "$vpid" 2>/dev/null && wait "$vpid" || true
	[ -n "$npid" ] && kill -QUIT "$npid" 2>/dev/null && wait "$npid" || true
	rm -rf "$work"
}

# bench_workdir PREFIX: sets work (mode 711: workers started by root run
# as nobody) and data=$work/data, and installs the cleanup.
bench_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	vpid=
	npid=
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	chmod 711 "$work"
	data=$work/data
}
