#!/bin/sh
# Vulnerability management over the API with curl: a platform analyst
# uploads a firmware build's SBOM (CycloneDX) and vulnerability data
# (an NVD CVE API 2.0 response, an OSV record aliasing the same CVE, the
# CISA KEV catalog); devices of two tenants report their firmware; then
# fleet exposure ("affects 3 devices in 2 tenants"), the tenant's own
# view (its devices only, never the other tenant's), device findings and
# risk, VEX suppression, the CRA report opened by the KEV entry with its
# clocks and ordered steps, the draft, permissions (tenant principals get
# 404 on platform routes, a platform auditor reads but cannot change),
# and the audit entries of every change. Fixtures are written here.
set -eu
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/vigild_env.sh"

vigild_setup
unset VIGIL_DATA
L() { "$VIGIL" --data "$DATA" "$@"; }
"$MKADMIN" "$DATA/vigil.db" tenant alpha >/dev/null
"$MKADMIN" "$DATA/vigil.db" tenant beta >/dev/null
L --tenant alpha device add --name a1 --model gw-100 >/dev/null
L --tenant alpha device add --name a2 --model gw-100 >/dev/null
L --tenant alpha device add --name a3 --model gw-100 >/dev/null
L --tenant beta device add --name b1 --model gw-100 >/dev/null
vigild_start
echo "# vigild on $BASE"
PA=$(token - pa platform-admin fresh)
PAU=$(token - pau auditor fresh)
TA=$(token alpha ta tenant-admin fresh)
OPA=$(token alpha opa operator fresh)
TB=$(token beta tb tenant-admin fresh)
A=/v1/tenants/alpha
B=/v1/tenants/beta

# ---- fixtures ----------------------------------------------------------------
cat >"$WORK/sbom.cdx.json" <<'EOF'
{"bomFormat": "CycloneDX", "specVersion": "1.6",
 "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
 "version": 1,
 "metadata": {"timestamp": "2026-10-01T12:00:00Z",
  "authors": [{"name": "Example Devices"}],
  "component": {"type": "firmware", "name": "gw-100-firmware",
   "version": "1.0", "bom-ref": "fw",
   "cpe": "cpe:2.3:o:example:gw-100_firmware:1.0:*:*:*:*:*:*:*"}},
 "components": [
  {"type": "application", "bom-ref": "busybox", "name": "busybox",
   "version": "1.31.1", "supplier": {"name": "busybox.net"},
   "cpe": "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*",
   "hashes": [{"alg": "SHA-256", "content": "0000000000000000000000000000000000000000000000000000000000000001"}]},
  {"type": "library", "bom-ref": "zlib", "name": "zlib",
   "version": "1.3.1", "supplier": {"name": "zlib"},
   "cpe": "cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*"},
  {"type": "library", "bom-ref": "blob", "name": "vendor-blob",
   "version": "7"}],
 "dependencies": [{"ref": "fw", "dependsOn": ["busybox", "zlib", "blob"]}]}
EOF
cat >"$WORK/nvd.json" <<'EOF'
{"resultsPerPage": 1, "startIndex": 0, "totalResults": 1,
 "format": "NVD_CVE", "version": "2.0",
 "timestamp": "2026-11-01T00:00:00.000",
 "vulnerabilities": [{"cve": {
  "id": "CVE-2099-0001", "sourceIdentifier": "cve@mitre.org",
  "published": "2099-01-02T00:00:00.000",
  "lastModified": "2099-01-03T00:00:00.000", "vulnStatus": "Analyzed",
  "descriptions": [{"lang": "en", "value": "busybox shell injection."}],
  "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov",
   "type": "Primary", "cvssData": {"version": "3.1",
   "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
   "baseScore": 9.8, "baseSeverity": "CRITICAL"}}]},
  "configurations": [{"nodes": [{"operator": "OR", "negate": false,
   "cpeMatch": [{"vulnerable": true,
    "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
    "versionEndExcluding": "1.32.0",
    "matchCriteriaId": "00000000-0000-0000-0000-000000000001"}]}]}]}},
  {"cve": {
  "id": "CVE-2099-0002", "sourceIdentifier": "cve@mitre.org",
  "published": "2099-01-02T00:00:00.000",
  "lastModified": "2099-01-03T00:00:00.000", "vulnStatus": "Analyzed",
  "descriptions": [{"lang": "en", "value": "gw-100 firmware debug port."}],
  "configurations": [{"nodes": [{"operator": "OR", "negate": false,
   "cpeMatch": [{"vulnerable": true,
    "criteria": "cpe:2.3:o:example:gw-100_firmware:*:*:*:*:*:*:*:*",
    "versionEndIncluding": "1.0",
    "matchCriteriaId": "00000000-0000-0000-0000-000000000002"}]}]}]}}]}
EOF
cat >"$WORK/osv.json" <<'EOF'
{"schema_version": "1.6.0", "id": "EXAMPLE-2099-0001",
 "modified": "2099-01-04T00:00:00Z", "aliases": ["CVE-2099-0001"],
 "summary": "busybox shell injection",
 "affected": [{"package": {"ecosystem": "Bitnami", "name": "busybox"},
  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
   {"fixed": "1.32.0"}]}],
  "database_specific": {"cpes": ["cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"]}}]}
EOF
cat >"$WORK/kev.json" <<'EOF'
{"title": "CISA Catalog of Known Exploited Vulnerabilities",
 "catalogVersion": "2099.01.05", "dateReleased": "2099-01-05T00:00:00.000Z",
 "count": 1, "vulnerabilities": [{"cveID": "CVE-2099-0001",
  "vendorProject": "BusyBox", "product": "BusyBox",
  "vulnerabilityName": "BusyBox shell injection",
  "dateAdded": "2099-01-05", "shortDescription": "Shell injection.",
  "requiredAction": "Apply updates.", "dueDate": "2099-01-26",
  "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []}]}
EOF
cat >"$WORK/vex.json" <<'EOF'
{"@context": "https://openvex.dev/ns/v0.2.0",
 "@id": "https://example.com/vex/2099-0001", "author": "Example Devices",
 "timestamp": "2099-01-06T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2099-0001"},
  "products": [{"@id": "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*"}],
  "status": "not_affected",
  "justification": "vulnerable_code_not_in_execute_path",
  "impact_statement": "the affected applet is not built"}]}
EOF

# ---- builds and feeds ------------------------------------------------------------
api_raw POST "/v1/vuln/builds?model=gw-100&firmware=1.0" "$PA" \
    application/json "$WORK/sbom.cdx.json"
check "POST vuln/builds imports the SBOM for gw-100@1.0" 201 \
    '[d["build"]["model"], d["build"]["firmware"], d["quality"]["components"]]' \
    '["gw-100", "1.0", 3]'
check "the quality report counts the component with no purl or CPE" 201 \
    'd["quality"]["cannot_be_matched"]' 1
api_raw POST "/v1/vuln/builds?model=gw-100&firmware=1.0" "$PA" \
    application/json "$WORK/sbom.cdx.json"
check "the same build again without replace: 409" 409
api_raw POST "/v1/vuln/builds?model=gw-100" "$PA" \
    application/json "$WORK/sbom.cdx.json"
check "an SBOM without a firmware version: 400 naming it" 400 \
    '"firmware" in d["detail"]' True
api_raw POST "/v1/vuln/builds?model=gw-100&firmware=1.0" "$TA" \
    application/json "$WORK/sbom.cdx.json"
check "a tenant admin cannot reach the platform's builds: 404" 404
api_raw POST "/v1/vuln/builds?model=gw-100&firmware=1.1" "$PAU" \
    application/json "$WORK/sbom.cdx.json"
check "a platform auditor cannot import (vuln:manage): 403" 403

api_raw POST "/v1/vuln/feeds?name=nvd.json" "$PA" application/json \
    "$WORK/nvd.json"
check "POST vuln/feeds imports the NVD response" 200 \
    '[d["records"], d["added"], d["rejected"]]' '[2, 2, 0]'
api_raw POST "/v1/vuln/feeds?name=osv.json" "$PA" application/json \
    "$WORK/osv.json"
check "POST vuln/feeds imports the OSV record" 200 'd["added"]' 1
api_raw POST "/v1/vuln/feeds?name=nvd.json" "$PA" application/json \
    "$WORK/nvd.json"
check "the same NVD document again: unchanged" 200 \
    '[d["added"], d["unchanged"]]' '[0, 2]'
printf '{"vulnerabilities": [' >"$WORK/bad.json"
api_raw POST "/v1/vuln/feeds?name=bad.json&kind=nvd" "$PA" \
    application/json "$WORK/bad.json"
check "a truncated feed document: 422 with where it broke" 422
api GET /v1/vuln/feeds "$PAU"
check "GET vuln/feeds: provenance of each import" 200 \
    'sorted(set(f["kind"] for f in d))' '["nvd", "osv"]'

# ---- devices report their firmware -------------------------------------------------
for dev in a1 a2; do
	api PUT "$A/devices/$dev/firmware" "$TA" '{"version": "1.0"}'
	check "PUT firmware 1.0 on $dev" 200
done
api PUT "$A/devices/a3/firmware" "$TA" '{"version": "0.9"}'
check "PUT firmware 0.9 on a3 (a build with no SBOM)" 200
api PUT "$B/devices/b1/firmware" "$TB" '{"version": "1.0"}'
check "PUT firmware 1.0 on b1 (tenant beta)" 200
api PUT "$B/devices/a1/firmware" "$TB" '{"version": "1.0"}'
check "tenant beta cannot set alpha's device firmware: 404" 404
api PUT "$A/devices/a1/firmware" "$OPA" '{"version": "1.0"}'
check "an operator cannot set firmware (device:write): 403" 403

# ---- exposure -----------------------------------------------------------------
api GET /v1/vulns/CVE-2099-0001/affected "$PA"
check "CVE-2099-0001 affects 3 devices in 2 tenants (platform view)" 200 \
    '[d["devices"], d["tenants"]]' '[3, 2]'
api GET /v1/vulns/CVE-2099-0002/affected "$PAU"
check "a CVE on the firmware's own CPE (the SBOM's subject) affects the 3" 200 \
    'd["devices"]' 3
api GET "$A/vulns/CVE-2099-0001/affected" "$OPA"
check "tenant alpha's view: 2 devices in 1 tenant" 200 \
    '[d["devices"], d["tenants"]]' '[2, 1]'
api GET "$B/vulns/CVE-2099-0001/affected" "$TB"
check "tenant beta's view: its 1 device" 200 'd["devices"]' 1
api GET /v1/vulns/EXAMPLE-2099-0001 "$PAU"
check "the OSV alias finds the same vulnerability" 200 'd["id"]' \
    CVE-2099-0001
api GET /v1/vulns "$PA"
check "GET vulns: the CVE once (NVD and OSV merged)" 200 \
    '[v["id"] for v in d].count("CVE-2099-0001")' 1
api GET "$A/devices/a1/findings" "$OPA"
check "a1's findings name the busybox CVE with a risk score" 200 \
    '["CVE-2099-0001" in json.dumps(d), d["risk"] > 0]' '[true, true]'
api GET "$A/devices/a3/findings" "$OPA"
check "a3 runs a build with no SBOM: no findings, risk 0" 200 \
    'd["risk"] == 0' True
api GET "$B/devices/a1/findings" "$TB"
check "tenant beta cannot read alpha's device findings: 404" 404

# ---- KEV, priority, CRA ---------------------------------------------------------
api GET /v1/vulns/CVE-2099-0001 "$PA"
P0=$(jbody 'd["priority"]')
api_raw POST "/v1/vuln/feeds?name=kev.json" "$PA" application/json \
    "$WORK/kev.json"
check "POST vuln/feeds imports the KEV catalog" 200 'd["kev"]' 1
api GET /v1/vulns/CVE-2099-0001 "$PA"
check "KEV membership raises the priority" 200 \
    "d[\"priority\"] >= 80 > $P0 and d[\"kev\"][\"known_ransomware_use\"]" True
api GET /v1/cra "$PAU"
check "the KEV finding opened one CRA report for gw-100" 200 \
    '[(r["vuln"], r["model"], r["state"]) for r in d["reports"]]' \
    '[["CVE-2099-0001", "gw-100", "open"]]'
CRA=$(jbody 'd["reports"][0]["id"]')
T='__import__("datetime").datetime.fromisoformat'
check "its early warning is due 24 hours after awareness, notification 72" 200 \
    "[($T(c[k][\"due\"][:-1]) - $T(r[\"aware_at\"][:-1])).total_seconds() / 3600 for r in d[\"reports\"][:1] for c in [r[\"clocks\"]] for k in (\"early_warning\", \"notification\")]" \
    '[24.0, 72.0]'
api POST "/v1/cra/$CRA/notification" "$PA"
check "notification before the early warning: refused" 422
api POST "/v1/cra/$CRA/early-warning" "$PAU"
check "a platform auditor cannot step a report: 403" 403
api POST "/v1/cra/$CRA/early-warning" "$PA"
check "early warning submitted" 200
api GET "/v1/cra/$CRA/draft" "$PAU"
check "the draft names the vulnerability, product and devices" 200 \
    '["CVE-2099-0001" in json.dumps(d), "gw-100" in json.dumps(d)]' \
    '[true, true]'

# ---- VEX ----------------------------------------------------------------------
api_raw POST "/v1/vuln/vex?build=gw-100@1.0" "$PA" application/json \
    "$WORK/vex.json"
check "POST vuln/vex: one OpenVEX statement" 200 'd["statements"]' 1
api GET /v1/vulns "$PA"
check "not_affected with a justification hides the CVE" 200 \
    '[v["id"] for v in d].count("CVE-2099-0001")' 0
api GET "/v1/vulns?suppressed=1" "$PA"
check "?suppressed=1 still shows it" 200 \
    '[v["id"] for v in d].count("CVE-2099-0001")' 1
api GET "/v1/vuln/builds/gw-100@1.0/vex" "$PAU"
check "the build's VEX export is CycloneDX 1.6 with the analysis" 200 \
    '[d["specVersion"], d["vulnerabilities"][0]["analysis"]["state"]]' \
    '["1.6", "not_affected"]'
api GET "/v1/vuln/builds/gw-100@1.0/sbom" "$PAU"
check "the build's SBOM export is CycloneDX 1.6 with 3 components" 200 \
    '[d["bomFormat"], d["specVersion"], len(d["components"])]' \
    '["CycloneDX", "1.6", 3]'

# ---- products -------------------------------------------------------------------
api PUT /v1/products/gw-100 "$PA" \
    '{"manufacturer": "Example Devices", "support_until": "2000-01-01"}'
check "PUT products/gw-100 sets the end of support" 200
api GET /v1/products "$PAU"
check "a product past its end of support is flagged ended" 200 \
    '[p["support_state"] for p in d if p["model"] == "gw-100"]' \
    '["ended"]'
api PUT /v1/products/gw-100 "$PA" '{"support_until": "2000-13-01"}'
check "a bad date is refused naming the field" 422 \
    '"support_until" in json.dumps(d)' True

# ---- audit ----------------------------------------------------------------------
api GET "/v1/audit?limit=1000" "$PA"
check "every change is audited, the report opened by KEV too (cra.auto_open)" 200 \
    'sorted(set(e["action"] for e in d["items"] if e["action"].split(".")[0] in ("vuln", "cra", "product", "device") and e["outcome"] == "ok"))' \
    '["cra.auto_open", "cra.early-warning", "device.firmware", "product.set", "vuln.build.import", "vuln.feed.import", "vuln.vex.import"]'

vigild_finish
finish
