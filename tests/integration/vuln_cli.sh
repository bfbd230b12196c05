#!/bin/sh
# Vulnerability management from the command line on a local data
# directory: a CycloneDX and an SPDX tag-value SBOM bound to builds
# (model + firmware), devices running them, NVD + OSV + KEV feeds of our
# own (tests/data/vuln-cli/), then: one CVE listed once although NVD and
# an OSV alias both name it, "affects N devices in T tenants", an NVD
# AND configuration that needs a product's platform CPE, a rejected feed
# record listed with where/why (exit 1, the rest imported), VEX
# not_affected hiding a finding (--all shows it), CycloneDX 1.6 export
# read by jq, CRA reports opened by KEV with the 24 h early warning
# clock and their steps in order, product support warnings, the audit
# entries of every change, and `sbom quality` offline.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

V=$VIGIL
D="$SRCDIR/tests/data/vuln-cli"
CVE=CVE-2024-99001

run "$V" tenant create acme
expect_rc "tenant acme created" 0
run "$V" tenant create beta
expect_rc "tenant beta created" 0
run "$V" --tenant acme device add --name d1 --model gw100
expect_rc "device d1 (gw100) registered" 0
run "$V" --tenant acme device add --name d2 --model cam200
expect_rc "device d2 (cam200) registered" 0
run "$V" --tenant acme device add --name d3 --model gw100
expect_rc "device d3 (gw100) registered" 0
run "$V" --tenant beta device add --name b1 --model other
expect_rc "device b1 (other) registered in beta" 0

# ---- sbom quality: offline, nothing stored ---------------------------------
run "$V" --json sbom quality "$D/gw100-1.0.cdx.json"
expect_json "sbom quality reads CycloneDX and reports NTIA complete" 0 \
    '[d["components"], d["ntia_ok"], d["cannot_be_matched"]]' '[2, true, 0]'
run "$V" --json sbom quality --strict "$D/cam200-3.1.spdx"
expect_json "sbom quality reads SPDX tag-value (3 packages, dropbear has a CPE)" \
    "$RC" 'd["components"] >= 2 and d["format"] == "spdx-tv"' 'True'

# ---- builds ---------------------------------------------------------------
run "$V" --json sbom import "$D/gw100-1.0.cdx.json" --model gw100 --firmware 1.0
expect_json "sbom import binds the CycloneDX SBOM to gw100@1.0" 0 \
    '[d["build"]["model"], d["build"]["firmware"], d["build"]["components"]]' \
    '["gw100", "1.0", 2]'
run "$V" sbom import "$D/gw100-1.0.cdx.json" --model gw100 --firmware 1.0
expect_err "a second import of the same build needs --replace (exit 1)" 1 \
    "replace"
run "$V" --json sbom import "$D/cam200-3.1.spdx" --model cam200 --firmware 3.1 \
    --format spdx-tv
expect_json "sbom import reads SPDX tag-value for cam200@3.1" 0 \
    '[d["build"]["model"], d["build"]["firmware"], d["build"]["format"]]' \
    '["cam200", "3.1", "spdx-tv"]'
run "$V" sbom import "$D/gw100-1.0.cdx.json" --model gw100 --firmware 9 \
    --format nope
expect_err "an unknown --format is a usage error" 2 "unknown format 'nope'"
run "$V" --json sbom list
expect_json "sbom list shows both builds" 0 \
    'sorted(b["model"] + "@" + b["firmware"] for b in d)' \
    '["cam200@3.1", "gw100@1.0"]'

run "$V" --tenant acme device firmware d1 1.0
expect_rc "device firmware d1 1.0" 0
run "$V" --tenant acme device firmware d2 3.1
expect_rc "device firmware d2 3.1" 0
run "$V" --tenant acme device firmware d3 2.0
expect_rc "device firmware d3 2.0 (a build without SBOM)" 0
run "$V" --tenant beta device firmware b1 1.0
expect_rc "device firmware b1 1.0 (another model: no build)" 0
run "$V" --tenant acme device firmware nosuch 1.0
expect_rc "device firmware of an unknown device fails" 1

# ---- feeds ----------------------------------------------------------------
run "$V" --json vuln import "$D/nvd-busybox.json"
expect_json "vuln import reads an NVD API 2.0 page (2 records)" 0 \
    '[d["records"], d["added"], d["rejected"]]' '[2, 2, 0]'
run "$V" --json vuln import --kind osv --source fixture-osv "$D/osv-busybox.json"
expect_json "vuln import --kind osv adds the OSV record" 0 \
    '[d["records"], d["added"]]' '[1, 1]'
run "$V" --json vuln import "$D/nvd-bad.json"
expect_json "a bad NVD record is rejected, the good one imported (exit 1)" 1 \
    '[d["added"], d["rejected"]]' '[1, 1]'
if grep -qF "vulnerabilities[1]" "$ERR" &&
    grep -qF "operator must be AND or OR" "$ERR"; then
	ok "the rejected record is listed on stderr with where and why"
else
	notok "the rejected record is listed on stderr with where and why" \
	    "got $(_show)"
fi
run "$V" vuln import --kind bogus "$D/kev.json"
expect_err "vuln import --kind bogus is a usage error" 2 "unknown kind"
run "$V" --json vuln feeds
expect_json "vuln feeds lists the imports" 0 'len(d) >= 3' 'True'

# ---- aliases merged, exposure ---------------------------------------------
run "$V" --json vuln list
expect_json "vuln list shows $CVE once (the OSV alias merged into it)" 0 \
    "[v['id'] for v in d].count('$CVE')" '1'
expect_json "the OSV id is one of its aliases, not a row of its own" 0 \
    "['VGL-2024-0001' in v['aliases'] for v in d if v['id'] == '$CVE'] + [v['id'] for v in d if v['id'] == 'VGL-2024-0001']" \
    '[true]'
run "$V" vuln affected "$CVE"
if [ "$RC" = 0 ] && [ "$(head -n 1 "$OUT")" = "$CVE affects 2 devices in 1 tenant" ]; then
	ok "vuln affected prints the headline: 2 devices in 1 tenant"
else
	notok "vuln affected prints the headline: 2 devices in 1 tenant" \
	    "got $(_show)"
fi
expect_out_has "vuln affected lists the builds" 0 "cam200"
run "$V" --json vuln affected VGL-2024-0001
expect_json "vuln affected by the OSV alias finds the same CVE" 0 \
    '[d["id"], d["devices"], d["tenants"], sorted(b["model"] for b in d["builds"])]' \
    "[\"$CVE\", 2, 1, [\"cam200\", \"gw100\"]]"
run "$V" --json --tenant beta vuln affected "$CVE"
expect_json "in beta's scope the CVE affects none of its devices" 0 \
    '[d["devices"], d["tenants"]]' '[0, 0]'

# NVD AND configuration: busybox running on Acme GW100 hardware only.
run "$V" --json vuln affected CVE-2024-99002
expect_json "without the product's platform CPE the AND configuration matches nothing" \
    0 'd["devices"]' '0'
run "$V" --json product set gw100 --manufacturer Acme \
    --platform-cpe 'cpe:2.3:h:acme:gw100:-:*:*:*:*:*:*:*'
expect_rc "product set gw100 --platform-cpe" 0
run "$V" --json vuln scan
expect_rc "vuln scan re-matches every build" 0
run "$V" --json vuln affected CVE-2024-99002
expect_json "with the platform CPE only gw100 is affected (1 device)" 0 \
    '[d["devices"], [b["model"] for b in d["builds"]]]' '[1, ["gw100"]]'

run "$V" --json --tenant acme device findings d1
expect_out_has "device findings d1 names the CVE" 0 "$CVE"
run "$V" --json --tenant acme vuln list --device d3
expect_json "d3 runs a build without SBOM: nothing listed" 0 'len(d)' '0'
run "$V" --json vuln list --kev
expect_json "vuln list --kev shows the KEV-listed CVE only after the KEV import" \
    0 "[v['id'] for v in d]" '[]'
run "$V" --json vuln import "$D/kev.json"
expect_json "the KEV catalog is imported" 0 'd["kev"]' '1'
run "$V" --json vuln list --kev
expect_json "vuln list --kev shows $CVE" 0 "[v['id'] for v in d]" "[\"$CVE\"]"
run "$V" vuln show "$CVE"
expect_out_has "vuln show prints the CVE" 0 "$CVE"
run "$V" vuln show CVE-2099-0001
expect_rc "vuln show of an unknown id fails" 1

# ---- export ---------------------------------------------------------------
run "$V" sbom export gw100@1.0 -o "$WORK/gw100.cdx.json"
if [ "$RC" = 0 ] && [ "$(jq -r '.bomFormat + " " + .specVersion' "$WORK/gw100.cdx.json")" = "CycloneDX 1.6" ] &&
    [ "$(jq '[.components[].name] | sort | join(",")' "$WORK/gw100.cdx.json")" = '"busybox,zlib"' ]; then
	ok "sbom export writes CycloneDX 1.6 that jq reads, with the components"
else
	notok "sbom export writes CycloneDX 1.6 that jq reads, with the components" \
	    "got $(_show) $(head -c 300 "$WORK/gw100.cdx.json" 2>/dev/null)"
fi
run "$V" sbom export gw100@1.0 --vex
if [ "$RC" = 0 ] && jq -e "[.vulnerabilities[].id] | index(\"$CVE\")" "$OUT" >/dev/null; then
	ok "sbom export --vex lists the build's findings"
else
	notok "sbom export --vex lists the build's findings" "got $(_show)"
fi

# ---- VEX ------------------------------------------------------------------
run "$V" --json vuln vex "$D/vex-gw100.cdx.json" --build gw100@1.0
expect_json "vuln vex applies a not_affected statement to gw100@1.0" 0 \
    'd["statements"]' '1'
run "$V" --json vuln vex "$D/vex-bad.cdx.json" --build gw100@1.0
expect_json "a not_affected statement without justification is rejected, the other applied (exit 1)" \
    1 '[d["statements"], len(d["rejected"])]' '[1, 1]'
expect_err "the rejected statement is named on stderr" 1 "justification"
run "$V" --json vuln list
expect_json "$CVE is still listed: cam200 is affected" 0 \
    "[v['id'] for v in d].count('$CVE')" '1'
run "$V" --json vuln vex "$D/vex-cam200.cdx.json" --build cam200@3.1
expect_json "vuln vex applies a not_affected statement to cam200@3.1" 0 \
    'd["statements"]' '1'
run "$V" --json vuln list
expect_json "VEX not_affected on every build hides $CVE from vuln list" 0 \
    "[v['id'] for v in d].count('$CVE')" '0'
run "$V" --json vuln list --all
expect_json "vuln list --all shows it again" 0 \
    "[v['id'] for v in d].count('$CVE')" '1'

# ---- CRA ------------------------------------------------------------------
run "$V" --json vuln exploited CVE-2024-99002 --note "seen in the field"
expect_json "vuln exploited marks CVE-2024-99002 actively exploited" 0 \
    '[d["id"], d["exploited"]]' '["CVE-2024-99002", true]'
run "$V" --json vuln exploited CVE-2024-99003 --note "one-off"
expect_rc "vuln exploited marks another" 0
run "$V" --json vuln exploited CVE-2024-99003 --clear
expect_json "vuln exploited --clear removes the mark" 0 \
    '[d["id"], d["exploited"]]' '["CVE-2024-99003", false]'
run "$V" --json cra status
expect_json "cra status: KEV opened a report for $CVE per affected model" 0 \
    "sorted(r['model'] for r in d['reports'] if r.get('vuln') == '$CVE')" \
    '["cam200", "gw100"]'
expect_json "the analyst's mark opened a report for CVE-2024-99002 on gw100" 0 \
    "[r['model'] for r in d['reports'] if r.get('vuln') == 'CVE-2024-99002']" \
    '["gw100"]'
# The early warning is due 24 h after the manufacturer became aware.
"$PY" - "$OUT" "$CVE" >"$WORK/cra.txt" 2>&1 <<'PYEOF' || true
import json, sys, datetime
d = json.loads(open(sys.argv[1]).readline())
def ms(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, str):
        try:
            return int(datetime.datetime.fromisoformat(
                v.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None
    return None
def flat(o, p=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from flat(v, p + "." + k if p else k)
    else:
        yield p, o
r = [r for r in d["reports"] if r.get("vuln") == sys.argv[2]][0]
f = dict(flat(r))
aware = [ms(v) for k, v in f.items() if "aware" in k and ms(v)]
early = [ms(v) for k, v in f.items()
         if "early" in k and ("due" in k or "deadline" in k) and ms(v)]
print(r.get("state"), aware and early and early[0] - aware[0] == 86400000)
PYEOF
if [ "$(cat "$WORK/cra.txt")" = "open True" ]; then
	ok "the report is open and its early warning is due 24 h after awareness"
else
	notok "the report is open and its early warning is due 24 h after awareness" \
	    "$(cat "$WORK/cra.txt" | tr '\n' '|')" "$(head -c 800 "$OUT")"
fi
RID=$(json "[r['id'] for r in d['reports'] if r.get('vuln') == '$CVE' and r['model'] == 'gw100'][0]")
run "$V" cra step "$RID" notification
expect_err "cra step refuses the notification before the early warning" 1 \
    "before early warning"
run "$V" cra step "$RID" bogus
expect_err "cra step with an unknown step is a usage error" 2 "unknown step"
run "$V" --json cra step "$RID" early-warning
expect_rc "cra step early-warning" 0
run "$V" --json cra step "$RID" notification
expect_rc "cra step notification after the early warning" 0
run "$V" cra export "$RID" -o "$WORK/draft.json"
if [ "$RC" = 0 ] && jq -e . "$WORK/draft.json" >/dev/null 2>&1; then
	ok "cra export writes a JSON draft that jq reads"
else
	notok "cra export writes a JSON draft that jq reads" "got $(_show)"
fi
run "$V" --json cra open --incident --model cam200 --summary "tampered units"
expect_json "cra open --incident opens an incident report" 0 \
    '[d["kind"], d["model"]]' '["incident", "cam200"]'
run "$V" cra open --model cam200
expect_err "cra open needs --vuln or --incident" 2 "--vuln"

# ---- products: support period ---------------------------------------------
SOON=$(date -u -d '+30 days' +%Y-%m-%d)
run "$V" product set gw100 --support-until "$SOON"
expect_rc "product set gw100 --support-until in 30 days" 0
run "$V" product set cam200 --manufacturer Acme --support-until 2020-01-31
expect_rc "product set cam200 --support-until in the past" 0
run "$V" product set cam200 --support-until 2021-02-30
expect_err "an impossible date is a usage error" 2 "YYYY-MM-DD"
run "$V" --json product list --warn-days 90
expect_json "product list: gw100 support ending, cam200 ended" 0 \
    'sorted([p["model"], p["support_state"]] for p in d if p["model"] in ("gw100", "cam200"))' \
    '[["cam200", "ended"], ["gw100", "ending"]]'
run "$V" product list --warn-days 90
expect_err "product list warns about support ending and ended" 0 \
    "support for gw100 ends in"

# ---- audit ----------------------------------------------------------------
run "$V" --json audit list --limit 1000
expect_json "every change was audited with the API's action names" 0 \
    'sorted({e.get("action") for e in L} & {"vuln.build.import", "vuln.feed.import", "vuln.vex.import", "vuln.scan", "vuln.exploited", "device.firmware", "product.set", "cra.early-warning", "cra.notification", "cra.open"})' \
    '["cra.early-warning", "cra.notification", "cra.open", "device.firmware", "product.set", "vuln.build.import", "vuln.exploited", "vuln.feed.import", "vuln.scan", "vuln.vex.import"]'

# ---- delete ---------------------------------------------------------------
run "$V" sbom delete cam200@3.1
expect_rc "sbom delete cam200@3.1" 0
run "$V" sbom show cam200@3.1
expect_rc "the deleted build is gone" 1

# ---- the same through a vigild (--server) ---------------------------------
# The remote backend sends the same operations to the API routes; the
# renderings are the library's, so the same checks hold. Skipped when
# VIGILD is not given.
if [ -n "${VIGILD:-}" ]; then
	PIDS=
	cleanup() {
		for p in $PIDS; do
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
		rm -rf "$WORK"
	}
	trap cleanup EXIT
	chmod 711 "$WORK"
	SRV="$WORK/srv"
	CA="$SRV/tls/server.crt"
	env -u VIGIL_DATA "$V" --json init --data "$SRV" --listen 127.0.0.1:0 \
	    >"$WORK/init.json"
	echo "workers = 2" >>"$SRV/vigild.conf"
	echo "log_level = warn" >>"$SRV/vigild.conf"
	TOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/init.json")
	VIGILD_PORT_FILE="$WORK/port" "$VIGILD" -f --data "$SRV" \
	    >"$WORK/vigild.log" 2>&1 &
	PIDS="$!"
	i=0
	while [ ! -s "$WORK/port" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	URL="https://127.0.0.1:$(head -n 1 "$WORK/port" 2>/dev/null)"
	i=0
	until curl -s -o /dev/null --cacert "$CA" "$URL/healthz" ||
	    [ $i -gt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	R="env -u VIGIL_DATA XDG_CONFIG_HOME=$WORK/xdg VIGIL_TOKEN=$TOKEN $V --server $URL --ca $CA"
fi
if [ -n "${VIGILD:-}" ]; then

	run $R tenant create acme
	expect_rc "remote: tenant acme created" 0
	run $R --tenant acme device add --name r1 --model gw100
	expect_rc "remote: device r1 (gw100) registered" 0
	run $R --json sbom import "$D/gw100-1.0.cdx.json" --model gw100 \
	    --firmware 1.0
	expect_json "remote: sbom import through POST /v1/vuln/builds" 0 \
	    '[d["build"]["model"], d["build"]["firmware"]]' '["gw100", "1.0"]'
	run $R sbom import "$D/gw100-1.0.cdx.json" --model gw100 --firmware 1.0
	expect_rc "remote: a second import without --replace fails (409)" 1
	run $R --json sbom import "$D/cam200-3.1.spdx" --model cam200 \
	    --firmware 3.1 --format spdx-tv
	expect_json "remote: SPDX tag-value upload" 0 \
	    'd["build"]["format"]' 'spdx-tv'
	run $R --tenant acme device firmware r1 1.0
	expect_rc "remote: device firmware r1 1.0" 0
	run $R --json vuln import "$D/nvd-busybox.json" "$D/osv-busybox.json" \
	    "$D/kev.json"
	expect_json "remote: vuln import of three feed files" 0 \
	    '[d["added"], d["kev"], d["rejected"]]' '[3, 1, 0]'
	run $R vuln import "$D/nvd-bad.json"
	expect_err "remote: a rejected record is listed with where and why (exit 1)" \
	    1 "operator must be AND or OR"
	run $R --json vuln list
	expect_json "remote: vuln list shows $CVE once" 0 \
	    "[v['id'] for v in d].count('$CVE')" '1'
	run $R vuln affected "$CVE"
	if [ "$RC" = 0 ] && [ "$(head -n 1 "$OUT")" = "$CVE affects 1 device in 1 tenant" ]; then
		ok "remote: vuln affected prints the headline: 1 device in 1 tenant"
	else
		notok "remote: vuln affected prints the headline: 1 device in 1 tenant" \
		    "got $(_show)"
	fi
	run $R --json --tenant acme vuln affected "$CVE"
	expect_json "remote: --tenant acme counts through /v1/tenants/{tenant}/vulns" \
	    0 '[d["devices"], d["tenants"]]' '[1, 1]'
	run $R sbom export gw100@1.0
	if [ "$RC" = 0 ] && [ "$(jq -r '.specVersion' "$OUT")" = 1.6 ]; then
		ok "remote: sbom export gives CycloneDX 1.6"
	else
		notok "remote: sbom export gives CycloneDX 1.6" "got $(_show)"
	fi
	run $R --json --tenant acme device findings r1
	expect_out_has "remote: device findings r1 names the CVE" 0 "$CVE"
	run $R --json product set gw100 --manufacturer Acme \
	    --support-until "$SOON" --platform-cpe 'cpe:2.3:h:acme:gw100:-:*:*:*:*:*:*:*'
	expect_json "remote: product set" 0 \
	    '[d["manufacturer"], d["support_until"]]' "[\"Acme\", \"$SOON\"]"
	run $R --json product list --warn-days 90
	expect_json "remote: product list says gw100 support is ending" 0 \
	    '[p["support_state"] for p in d if p["model"] == "gw100"]' '["ending"]'
	run $R --json cra status
	expect_json "remote: cra status shows the KEV report for gw100" 0 \
	    "[r['state'] for r in d['reports'] if r.get('vuln') == '$CVE' and r['model'] == 'gw100']" \
	    '["open"]'
	RID=$(json "[r['id'] for r in d['reports'] if r.get('vuln') == '$CVE' and r['model'] == 'gw100'][0]" 2>/dev/null || echo none)
	run $R cra step "$RID" notification
	expect_err "remote: cra step refuses the notification before the early warning" \
	    1 "before early warning"
	run $R --json cra step "$RID" early-warning
	expect_rc "remote: cra step early-warning" 0
	run $R cra export "$RID"
	if [ "$RC" = 0 ] && jq -e . "$OUT" >/dev/null 2>&1; then
		ok "remote: cra export gives a JSON draft"
	else
		notok "remote: cra export gives a JSON draft" "got $(_show)"
	fi
	run $R --json vuln exploited "$CVE" --note "seen"
	expect_rc "remote: vuln exploited" 0
	run $R --json vuln scan --build gw100@1.0
	expect_json "remote: vuln scan --build" 0 \
	    '[b["model"] for b in d["builds"]]' '["gw100"]'
	run $R --json vuln vex "$D/vex-gw100.cdx.json" --build gw100@1.0
	expect_json "remote: vuln vex" 0 'd["statements"]' '1'
	run $R --json vuln list --build gw100@1.0
	expect_json "remote: VEX hides $CVE from gw100@1.0's list" 0 \
	    "[v['id'] for v in d].count('$CVE')" '0'
	run $R sbom delete cam200@3.1
	expect_rc "remote: sbom delete" 0
fi

finish
