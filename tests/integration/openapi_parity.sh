#!/bin/sh
# docs/api/openapi.yaml and the route table agree: every "METHOD
# PATTERN" that `vigild --routes` prints has an operation in the spec,
# and every operation in the spec is a route. The spec is read without
# a YAML library (python3-yaml is not a build dependency): under
# "paths:", paths are keys indented by 2 spaces and operations keys
# indented by 4, the layout the file's header promises. When PyYAML
# happens to be installed, the whole file is also parsed with it and
# must give the same list.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
VIGILD=${VIGILD:-$BUILDDIR/src/vigild/vigild}
SPEC="$SRCDIR/docs/api/openapi.yaml"

run "$VIGILD" --routes
expect_rc "vigild --routes exits 0" 0
sort -u "$OUT" >"$WORK/routes"
if [ "$(wc -l <"$WORK/routes")" -ge 30 ]; then
	ok "vigild --routes lists the route table ($(wc -l <"$WORK/routes") routes)"
else
	notok "vigild --routes lists the route table" "got $(_show)"
fi

set +e
"$PY" - "$SPEC" >"$WORK/spec" 2>"$ERR" <<'PYEOF'
import re, sys
METHODS = {"get", "put", "post", "delete", "options", "head", "patch",
           "trace"}
in_paths = False
path = None
out = []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    if not line.startswith(" "):
        in_paths = line.rstrip() == "paths:"
        path = None
        continue
    if not in_paths:
        continue
    m = re.match(r"^  (/\S*):\s*$", line)
    if m:
        path = m.group(1)
        continue
    if re.match(r"^  \S", line):
        sys.exit("%s:%d: under paths, a key that is not a path" %
                 (sys.argv[1], n))
    m = re.match(r"^    ([a-z]+):\s*$", line)
    if m and m.group(1) in METHODS:
        if path is None:
            sys.exit("%s:%d: operation outside a path" % (sys.argv[1], n))
        out.append("%s %s" % (m.group(1).upper(), path))
for o in sorted(set(out)):
    print(o)
if len(out) != len(set(out)):
    sys.exit("duplicate operations in the spec")
PYEOF
rc=$?
set -e
if [ $rc -eq 0 ]; then
	ok "the spec's paths and operations read ($(wc -l <"$WORK/spec") operations)"
else
	notok "the spec's paths and operations read" "$(cat "$ERR")"
fi

missing=$(comm -23 "$WORK/routes" "$WORK/spec")
if [ -z "$missing" ]; then
	ok "every route has an operation in docs/api/openapi.yaml"
else
	notok "every route has an operation in docs/api/openapi.yaml" \
	    "routes without a spec entry: $(echo "$missing" | paste -sd ';')"
fi
extra=$(comm -13 "$WORK/routes" "$WORK/spec")
if [ -z "$extra" ]; then
	ok "every operation in docs/api/openapi.yaml is a route"
else
	notok "every operation in docs/api/openapi.yaml is a route" \
	    "spec entries without a route: $(echo "$extra" | paste -sd ';')"
fi

# operationId is the route's name (metrics label): one per operation.
ids=$(grep -c '^      operationId: ' "$SPEC")
if [ "$ids" -eq "$(wc -l <"$WORK/spec")" ]; then
	ok "every operation has an operationId"
else
	notok "every operation has an operationId" \
	    "$ids operationIds for $(wc -l <"$WORK/spec") operations"
fi

if "$PY" -c 'import yaml' 2>/dev/null; then
	set +e
	"$PY" - "$SPEC" >"$WORK/spec_yaml" 2>"$ERR" <<'PYEOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
assert d["openapi"].startswith("3.1"), "not OpenAPI 3.1"
for p, item in d["paths"].items():
    for m in item:
        if m in ("get", "post", "patch", "delete", "put"):
            print("%s %s" % (m.upper(), p))
# Every $ref points at a component that exists.
def refs(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(x, list):
        for v in x:
            yield from refs(v)
for r in refs(d):
    node = d
    for part in r.lstrip("#/").split("/"):
        node = node[part]
PYEOF
	rc=$?
	set -e
	if [ $rc -eq 0 ] && sort "$WORK/spec_yaml" | cmp -s - "$WORK/spec"; then
		ok "PyYAML reads the same operations and every \$ref resolves"
	else
		notok "PyYAML reads the same operations and every \$ref resolves" \
		    "$(cat "$ERR")"
	fi
else
	echo "# PyYAML not installed: full YAML parse skipped"
fi
finish
