/*
 * VEX on the store (vulndb.h "VEX"): statements kept with provenance,
 * each bound to the build given, or to the build its BOM-Link serial
 * names, or to every build; then the builds with findings about the
 * statements' vulnerabilities are re-scanned so the findings carry
 * their new VEX state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_vuln.h"
#include "vdb_internal.h"
#include "vigil/policydb.h"

static enum vigil_err
add_build(void *ctx, const char *id)
{
	return vdb_strset_add(ctx, id);
}

static enum vigil_err
reject(json_t *rejected, const char *fmt, const char *a, size_t i)
{
	char m[512];

	snprintf(m, sizeof m, fmt, i, a);
	return json_array_append_new(rejected, json_string(m)) == 0 ?
	    VIGIL_OK : VIGIL_ENOMEM;
}

/* Stores the statements; collects the builds to re-scan. */
static enum vigil_err
put_statements(struct vigil_store *st, const struct vigil_vex_doc *d,
    const char *build_id, const char *actor, json_t *rejected,
    struct vdb_strset *builds, size_t *stored)
{
	enum vigil_err rc = VIGIL_OK;
	int64_t now = vigil_time_now_ms();

	for (size_t i = 0; i < d->nstmts && rc == VIGIL_OK; i++) {
		const struct vigil_vex_stmt *s = &d->stmts[i];
		struct store_vuln_vex v;
		char bid[VIGIL_UUID_STRLEN];
		const char *where = build_id;

		if (where == NULL && s->serial != NULL && s->serial[0] != '\0') {
			rc = store_vuln_build_by_serial(st, s->serial, bid);
			if (rc == VIGIL_ENOTFOUND) {
				rc = reject(rejected, "statements[%zu]: "
				    "BOM-Link serial %s names no build", s->serial,
				    i);
				continue;
			}
			if (rc != VIGIL_OK)
				break;
			where = bid;
		}
		if (s->state == VIGIL_VEX_NONE) {
			rc = reject(rejected, "statements[%zu]: %s: no status",
			    s->vuln, i);
			continue;
		}
		memset(&v, 0, sizeof v);
		v.build_id = where;
		v.vuln = s->vuln;
		v.product = s->product;
		v.serial = s->serial;
		v.state = vigil_vex_state_name(s->state);
		v.justification = s->justification;
		v.detail = s->detail;
		v.action = s->action;
		v.versions = s->versions;
		v.time_ms = s->time_ms > 0 ? s->time_ms :
		    (d->time_ms > 0 ? d->time_ms : now);
		v.format = vigil_vex_format_name(d->format);
		v.document = d->id;
		v.imported_ms = now;
		v.actor = actor;
		if ((rc = store_vuln_vex_add(st, &v)) != VIGIL_OK)
			break;
		(*stored)++;
		if (where != NULL)
			rc = vdb_strset_add(builds, where);
		else
			rc = store_vuln_builds_by_vuln(st, s->vuln, add_build,
			    builds);
	}
	return rc;
}

enum vigil_err
vigil_vdb_vex_import(struct vigil_store *st, const char *buf, size_t len,
    enum vigil_vex_format fmt, const char *build, const char *actor,
    json_t **out, char *err, size_t errsize)
{
	struct vigil_vex_doc *d = NULL;
	struct vdb_strset builds;
	struct vdb_scan_res res;
	struct vdb_cache *cache = NULL;
	json_t *rejected = NULL;
	char bid[VIGIL_UUID_STRLEN];
	size_t stored = 0, changed = 0;
	enum vigil_err rc;

	*out = NULL;
	memset(&builds, 0, sizeof builds);
	if (st == NULL || buf == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "VEX import: no store or document");
	if (build != NULL && (rc = vdb_build_resolve(st, build, bid, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_vex_parse(buf, len, fmt, &d, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if ((rejected = json_array()) == NULL) {
		rc = VIGIL_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < d->nrejected; i++)
		json_array_append_new(rejected, json_string(d->rejected[i]));
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		goto fail;
	rc = put_statements(st, d, build != NULL ? bid : NULL, actor,
	    rejected, &builds, &stored);
	if (rc == VIGIL_OK) /* suppressed findings move risk scores */
		rc = vigil_zt_bump(st);
	if (rc != VIGIL_OK) {
		vigil_store_rollback(st);
		goto fail;
	}
	if ((rc = vigil_store_commit(st)) != VIGIL_OK)
		goto fail;
	vdb_strset_finish(&builds);
	if ((cache = vdb_cache_new()) == NULL) {
		rc = VIGIL_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < builds.n; i++) {
		rc = vdb_scan_build(st, builds.v[i], cache, &res, err,
		    errsize);
		if (rc != VIGIL_OK)
			goto out;
		changed += res.vex_changed;
	}
	*out = json_pack("{s:I,s:O,s:I}", "statements", (json_int_t)stored,
	    "rejected", rejected, "findings_changed", (json_int_t)changed);
	if (*out == NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "VEX import: out of memory");
	goto out;
fail:
	if (rc == VIGIL_ENOMEM)
		vigil_seterr(err, errsize, rc, "VEX import: out of memory");
	else
		vigil_seterr(err, errsize, rc, "VEX import: %s",
		    vigil_store_errmsg(st));
out:
	vdb_cache_free(cache);
	json_decref(rejected);
	vdb_strset_free(&builds);
	vigil_vex_doc_free(d);
	return rc;
}
