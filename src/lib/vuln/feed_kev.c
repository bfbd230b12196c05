/*
 * The CISA Known Exploited Vulnerabilities catalog
 * (github.com/cisagov/kev-data): catalogVersion names the snapshot,
 * each vulnerabilities[] entry goes to on_kev; bad entries to on_error.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vuln.h"
#include "feed_internal.h"

static enum vigil_err
parse_entry(const json_t *o, const char *path, struct vigil_kev_entry *e,
    char *err, size_t errsize)
{
	static const struct {
		const char *key;
		size_t off;
	} texts[] = {
		{ "vendorProject", offsetof(struct vigil_kev_entry, vendor) },
		{ "product", offsetof(struct vigil_kev_entry, product) },
		{ "vulnerabilityName", offsetof(struct vigil_kev_entry,
		    name) },
		{ "shortDescription", offsetof(struct vigil_kev_entry,
		    description) },
		{ "requiredAction", offsetof(struct vigil_kev_entry,
		    action) },
		{ "notes", offsetof(struct vigil_kev_entry, notes) },
	};
	const char *cve, *ransom, *s;
	enum vigil_err rc;

	memset(e, 0, sizeof *e);
	if (!json_is_object(o))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = feed_str(o, "cveID", sizeof e->cve - 1, 1, &cve, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (!feed_is_cve_id(cve))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.cveID: \"%.40s\" is not a CVE id", path, cve);
	snprintf(e->cve, sizeof e->cve, "%s", cve);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if ((rc = feed_str(o, texts[i].key, FEED_TEXT_MAX, 0, &s, path,
		    err, errsize)) != VIGIL_OK)
			return rc;
		*(const char **)((char *)e + texts[i].off) = s != NULL ? s :
		    "";
	}
	if ((rc = feed_get_time(o, "dateAdded", 1, &e->added_ms, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(o, "dueDate", 0, &e->due_ms, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(o, "knownRansomwareCampaignUse", 32, 0, &ransom,
	    path, err, errsize)) != VIGIL_OK)
		return rc;
	e->ransomware = ransom != NULL && strcmp(ransom, "Known") == 0;
	return VIGIL_OK;
}

enum vigil_err
feed_kev_doc(const json_t *doc, const struct vigil_feed_cb *cb,
    char meta[64], char *err, size_t errsize)
{
	char path[FEED_PATH_MAX], why[512];
	struct vigil_kev_entry e;
	const json_t *vulns;
	const char *version;
	enum vigil_err rc;

	if (!json_is_object(doc))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "KEV: expected the catalog object");
	if ((rc = feed_str(doc, "catalogVersion", 63, 1, &version, "KEV ",
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_arr(doc, "vulnerabilities", (size_t)-1, 1, &vulns,
	    "KEV ", err, errsize)) != VIGIL_OK)
		return rc;
	snprintf(meta, 64, "%s", version);
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		const json_t *o = json_array_get(vulns, i);

		snprintf(path, sizeof path, "KEV vulnerabilities[%zu]", i);
		if (parse_entry(o, path, &e, why, sizeof why) != VIGIL_OK) {
			feed_reject(cb, i, json_string_value(json_object_get(o,
			    "cveID")), why);
			continue;
		}
		if (cb->on_kev != NULL &&
		    (rc = cb->on_kev(cb->ctx, &e)) != VIGIL_OK)
			return vigil_seterr(err, errsize, rc,
			    "KEV vulnerabilities[%zu]: stopped: %s", i,
			    vigil_strerror(rc));
	}
	return VIGIL_OK;
}
