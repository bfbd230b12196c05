/*
 * Build-system patch lists as VEX: Buildroot `make show-info` JSON
 * (each package's ignore_cves) and Yocto cve-check JSON (each issue's
 * Patched / Ignored status). Statements name the package ("name:<pkg>")
 * and carry time 0: neither format dates its decisions.
 *
 * Buildroot's ignore_cves lists CVEs the package's patches fix or that
 * do not apply; Buildroot does not say which, so they import as fixed.
 * Yocto: Patched -> fixed; Ignored -> not_affected with a justification
 * from the CVE_STATUS detail (table below; any other detail, including
 * none, "disputed" and "upstream-wontfix", becomes
 * "requires_environment", the original detail kept in detail);
 * Unpatched -> no statement (it is a finding, not a decision).
 */
#include <stdio.h>
#include <string.h>

#include "vigil/sbom.h"
#include "vex_internal.h"

#define BR_DETAIL "ignored/patched in Buildroot (ignore_cves)"

static enum vigil_err
br_package(struct vex_build *b, const char *key, const json_t *pkg)
{
	const json_t *ign = json_object_get(pkg, "ignore_cves");
	const char *name;
	char product[VEX_PRODUCT_MAX + 8];
	enum vigil_err rc = VIGIL_OK;

	if (ign == NULL)
		return VIGIL_OK;
	if (!json_is_array(ign))
		return vex_reject(b, "Buildroot %.64s.ignore_cves: not an "
		    "array", key);
	if (vex_str(pkg, "name", VEX_PRODUCT_MAX, &name) != 0 ||
	    name == NULL || name[0] == '\0')
		name = key;
	snprintf(product, sizeof product, "name:%s", name);
	for (size_t i = 0; i < json_array_size(ign) && rc == VIGIL_OK; i++) {
		struct vex_stmt_in in = { 0 };
		const char *cve;

		if (vex_str_value(json_array_get(ign, i), VEX_ID_MAX, &cve) !=
		    0 || cve == NULL || cve[0] == '\0') {
			rc = vex_reject(b, "Buildroot %.64s.ignore_cves[%zu]: "
			    "not a CVE id string", key, i);
			continue;
		}
		in.vuln = cve;
		in.product = product;
		in.state = VIGIL_VEX_FIXED;
		in.detail = BR_DETAIL;
		rc = vex_add(b, &in);
	}
	return rc;
}

enum vigil_err
vex_parse_buildroot(const json_t *root, struct vex_build *b)
{
	const char *key;
	json_t *pkg;
	enum vigil_err rc = VIGIL_OK;

	if (!json_is_object(root))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "Buildroot show-info: not a JSON object of packages");
	json_object_foreach((json_t *)root, key, pkg) {
		if (!json_is_object(pkg)) {
			rc = vex_reject(b, "Buildroot %.64s: not a package "
			    "object", key);
		} else {
			rc = br_package(b, key, pkg);
		}
		if (rc != VIGIL_OK)
			break;
	}
	return rc;
}

/* Yocto CVE_STATUS details (meta/conf/cve-check-map.conf) of Ignored
 * issues, in CycloneDX justification names. */
static const struct {
	const char *detail;
	const char *justification;
} yocto_just[] = {
	{ "cpe-incorrect", "code_not_present" },
	{ "not-applicable-config", "requires_configuration" },
	{ "not-applicable-platform", "requires_environment" },
};

static const char *
yocto_justification(const char *detail)
{
	for (size_t i = 0; detail != NULL && i < sizeof yocto_just /
	    sizeof yocto_just[0]; i++)
		if (strcmp(detail, yocto_just[i].detail) == 0)
			return yocto_just[i].justification;
	return "requires_environment";
}

static enum vigil_err
yocto_issue(struct vex_build *b, const char *product, const json_t *is,
    size_t pi, size_t ii)
{
	struct vex_stmt_in in = { 0 };
	const char *id, *status, *detail;
	char text[VEX_ID_MAX + 64];

	if (vex_str(is, "id", VEX_ID_MAX, &id) != 0 || id == NULL ||
	    id[0] == '\0' || vex_str(is, "status", 32, &status) != 0 ||
	    status == NULL || vex_str(is, "detail", VEX_ID_MAX,
	    &detail) != 0)
		return vex_reject(b, "Yocto package[%zu].issue[%zu]: needs "
		    "string id and status", pi, ii);
	in.vuln = id;
	in.product = product;
	if (strcmp(status, "Unpatched") == 0)
		return VIGIL_OK;
	if (strcmp(status, "Patched") == 0) {
		in.state = VIGIL_VEX_FIXED;
		snprintf(text, sizeof text, "Yocto cve-check: Patched%s%s%s",
		    detail != NULL ? " (" : "", detail != NULL ? detail : "",
		    detail != NULL ? ")" : "");
	} else if (strcmp(status, "Ignored") == 0) {
		in.state = VIGIL_VEX_NOT_AFFECTED;
		in.justification = yocto_justification(detail);
		snprintf(text, sizeof text, "Yocto cve-check: Ignored%s%s%s",
		    detail != NULL ? " (" : "", detail != NULL ? detail : "",
		    detail != NULL ? ")" : "");
	} else {
		return vex_reject(b, "Yocto package[%zu].issue[%zu].status: "
		    "'%.32s' is not Patched, Ignored or Unpatched", pi, ii,
		    status);
	}
	in.detail = text;
	return vex_add(b, &in);
}

enum vigil_err
vex_parse_yocto(const json_t *root, struct vex_build *b)
{
	const json_t *pkgs = json_object_get(root, "package");
	enum vigil_err rc = VIGIL_OK;

	if (!json_is_array(pkgs))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "Yocto cve-check package: missing or not an array");
	for (size_t i = 0; i < json_array_size(pkgs) && rc == VIGIL_OK; i++) {
		const json_t *p = json_array_get(pkgs, i);
		const json_t *issues = json_object_get(p, "issue");
		char product[VEX_PRODUCT_MAX + 8];
		const char *name;

		if (vex_str(p, "name", VEX_PRODUCT_MAX, &name) != 0 ||
		    name == NULL || name[0] == '\0') {
			rc = vex_reject(b, "Yocto package[%zu].name: missing",
			    i);
			continue;
		}
		if (issues != NULL && !json_is_array(issues)) {
			rc = vex_reject(b, "Yocto package[%zu].issue: not an "
			    "array", i);
			continue;
		}
		snprintf(product, sizeof product, "name:%s", name);
		for (size_t k = 0; k < json_array_size(issues) && rc ==
		    VIGIL_OK; k++)
			rc = yocto_issue(b, product, json_array_get(issues, k),
			    i, k);
	}
	return rc;
}
