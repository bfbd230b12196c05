/*
 * API handlers of vulnerability management (vulndb.h): vulnerability
 * feeds, firmware builds with their SBOMs, VEX, scans, fleet exposure,
 * device findings and firmware, products and the Cyber Resilience Act
 * reports. Each handler is a thin shell over one vulndb function: the
 * library renders the JSON the API returns, so the CLI's local and
 * remote modes print the same thing.
 *
 * Scope: feeds, builds, VEX, scans, products and CRA are platform
 * routes (vuln:manage to change, vuln:read to look); the vulnerability
 * views exist twice, on /v1/vulns (every tenant's devices counted) and
 * on /v1/tenants/{tenant}/vulns (that tenant's only) — the handler is
 * the same, r->scope says which.
 *
 * Every change runs in the request's transaction with its audit entry
 * (api_tx.h); a failure is audited as such.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/json.h"
#include "vigil/vulndb.h"

#define ERRMAX 512
#define FEED_ERRORS_MAX 100 /* per-record errors returned in the reply */

/* ------------------------------------------------------------------ */
/* Helpers */

static int64_t
now_ms(void)
{
	return vigil_time_now_ms();
}

/* Rolls back and audits a failed change with err (the library's
 * what-and-where) as the reason, replying as req_reply_err maps e. */
static void
fail_vdb(struct req *r, enum vigil_err e, const char *err,
    const char *action, const char *object)
{
	api_fail_why(r, e, action, object, err);
}

/* Commits the change with its audit entry and replies status/body. */
static void
commit_reply(struct req *r, int status, json_t *body, const char *action,
    const char *object, const char *detail)
{
	if (api_commit(r, action, object, detail) < 0) {
		json_decref(body);
		return;
	}
	api_reply(r, status, body);
}

/*
 * Opens the CRA reports that became due with this change (an exploited
 * vulnerability now affects a build), each audited as "cra.auto_open"
 * in the request's transaction, and adds them to the reply object as
 * "cra_opened". Returns the error to fail the change with.
 */
static enum vigil_err
sync_cra(struct req *r, json_t *reply)
{
	json_t *opened = NULL, *o;
	enum vigil_err e;
	size_t i;

	if ((e = vigil_vdb_cra_sync(r->st, now_ms(), &opened)) != VIGIL_OK)
		return e;
	json_array_foreach(opened, i, o) {
		char object[200], det[300];

		snprintf(object, sizeof object, "cra:%s",
		    json_string_value(json_object_get(o, "id")));
		snprintf(det, sizeof det, "vuln=%s model=%s",
		    json_string_value(json_object_get(o, "vuln")),
		    json_string_value(json_object_get(o, "model")));
		if ((e = req_audit(r, "cra.auto_open", object, "ok", det)) !=
		    VIGIL_OK) {
			json_decref(opened);
			return e;
		}
	}
	if (json_is_object(reply))
		json_object_set_new(reply, "cra_opened",
		    opened != NULL ? opened : json_array());
	else
		json_decref(opened);
	return VIGIL_OK;
}

/* The raw body (ROUTE_RAW_BODY); -1 after replying when empty. */
static int
raw_body(struct req *r, const char **buf, size_t *len)
{
	const uint8_t *b = req_body(r, len);

	if (b == NULL || *len == 0) {
		req_problem(r, 400, "empty-body", "the request body is empty: "
		    "send the document as the body");
		return -1;
	}
	*buf = (const char *)b;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Feeds */

struct feed_errors {
	json_t *list;
	size_t dropped;
};

static void
feed_error(void *ctx, const char *where, const char *msg)
{
	struct feed_errors *fe = ctx;
	json_t *o;

	if (json_array_size(fe->list) >= FEED_ERRORS_MAX) {
		fe->dropped++;
		return;
	}
	if ((o = json_pack("{s:s, s:s}", "where", where, "msg", msg)) != NULL)
		json_array_append_new(fe->list, o);
}

void
api_vuln_feed_import(struct req *r)
{
	struct vigil_vdb_import_opts o;
	struct vigil_vdb_import_stats stats;
	struct feed_errors fe = { NULL, 0 };
	const char *name = NULL, *kind = NULL, *source = NULL, *buf;
	char err[ERRMAX] = "", detail[160];
	enum vigil_err e;
	json_t *out;
	size_t len;

	if (aq_str(r, "name", 255, &name) < 0 ||
	    aq_str(r, "kind", 16, &kind) < 0 ||
	    aq_str(r, "source", 128, &source) < 0 || raw_body(r, &buf, &len) < 0)
		return;
	memset(&o, 0, sizeof o);
	if (kind != NULL && (o.kind = vigil_feed_kind_from_name(kind)) ==
	    VIGIL_FEED_AUTO && strcmp(kind, "auto") != 0) {
		aq_problem(r, "kind", "expected osv, nvd, cve5, kev or epss");
		return;
	}
	if ((fe.list = json_array()) == NULL) {
		req_reply_err(r, VIGIL_ENOMEM, NULL);
		return;
	}
	o.source = source;
	o.actor = req_actor(r);
	o.ctx = &fe;
	o.on_error = feed_error;
	if (api_begin(r) < 0) {
		json_decref(fe.list);
		return;
	}
	e = vigil_vdb_import_mem(r->st, name != NULL ? name : "upload", buf,
	    len, &o, &stats, err, sizeof err);
	/* Bad records alone (EINVAL with some imported) keep the good ones:
	 * the documented contract of an import. */
	if (e != VIGIL_OK && !(e == VIGIL_EINVAL && stats.records > 0)) {
		json_decref(fe.list);
		fail_vdb(r, e, err, "vuln.feed.import",
		    name != NULL ? name : "upload");
		return;
	}
	out = vigil_vdb_import_stats_to_json(&stats);
	if ((e = sync_cra(r, out)) != VIGIL_OK) {
		json_decref(out);
		json_decref(fe.list);
		fail_vdb(r, e, NULL, "vuln.feed.import",
		    name != NULL ? name : "upload");
		return;
	}
	if (out != NULL) {
		json_object_set_new(out, "errors", fe.list);
		json_object_set_new(out, "errors_not_shown",
		    json_integer((json_int_t)fe.dropped));
	} else
		json_decref(fe.list);
	snprintf(detail, sizeof detail, "records=%llu added=%llu updated=%llu "
	    "rejected=%llu kev=%llu epss=%llu",
	    (unsigned long long)stats.records, (unsigned long long)stats.added,
	    (unsigned long long)stats.updated,
	    (unsigned long long)stats.rejected, (unsigned long long)stats.kev,
	    (unsigned long long)stats.epss);
	commit_reply(r, 200, out, "vuln.feed.import",
	    name != NULL ? name : "upload", detail);
}

void
api_vuln_feed_list(struct req *r)
{
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_feed_list(r->st, &out)) != VIGIL_OK) {
		api_reply_lib_err(r, e, NULL);
		return;
	}
	api_reply(r, 200, out);
}

/* ------------------------------------------------------------------ */
/* Builds and SBOMs */

void
api_vuln_build_list(struct req *r)
{
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_build_list(r->st, r->scope, &out)) != VIGIL_OK) {
		api_reply_lib_err(r, e, NULL);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_build_import(struct req *r)
{
	struct vigil_vdb_sbom_opts o;
	const char *model = NULL, *fw = NULL, *fmt = NULL, *buf;
	char err[ERRMAX] = "", object[600];
	bool replace = false;
	enum vigil_err e;
	json_t *out = NULL;
	size_t len;

	if (aq_str(r, "model", 255, &model) < 0 ||
	    aq_str(r, "firmware", 255, &fw) < 0 ||
	    aq_str(r, "format", 32, &fmt) < 0 ||
	    aq_bool(r, "replace", false, &replace) < 0 ||
	    raw_body(r, &buf, &len) < 0)
		return;
	if (model == NULL || model[0] == '\0') {
		aq_problem(r, "model", "required: the device model the "
		    "firmware build is for");
		return;
	}
	if (fw == NULL || fw[0] == '\0') {
		aq_problem(r, "firmware", "required: the firmware version of "
		    "the build");
		return;
	}
	memset(&o, 0, sizeof o);
	if (fmt != NULL && (o.format = vigil_sbom_format_from_name(fmt)) ==
	    VIGIL_SBOM_AUTO && strcmp(fmt, "auto") != 0) {
		aq_problem(r, "format", "expected cyclonedx, spdx-json or "
		    "spdx-tv");
		return;
	}
	o.model = model;
	o.firmware = fw;
	o.replace = replace;
	o.actor = req_actor(r);
	snprintf(object, sizeof object, "build:%s@%s", model, fw);
	if (api_begin(r) < 0)
		return;
	if ((e = vigil_vdb_sbom_import(r->st, buf, len, &o, &out, err,
	    sizeof err)) != VIGIL_OK || (e = sync_cra(r, out)) != VIGIL_OK) {
		json_decref(out);
		fail_vdb(r, e, err, "vuln.build.import", object);
		return;
	}
	commit_reply(r, 201, out, "vuln.build.import", object,
	    replace ? "replace" : NULL);
}

void
api_vuln_build_get(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_build_get(r->st, r->scope, req_param(r, "build"),
	    &out, err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_build_delete(struct req *r)
{
	const char *b = req_param(r, "build");
	char err[ERRMAX] = "", object[600];
	enum vigil_err e;

	snprintf(object, sizeof object, "build:%s", b);
	if (api_begin(r) < 0)
		return;
	if ((e = vigil_vdb_build_delete(r->st, b, err, sizeof err)) !=
	    VIGIL_OK) {
		fail_vdb(r, e, err, "vuln.build.delete", object);
		return;
	}
	api_finish_204(r, VIGIL_OK, "vuln.build.delete", object, NULL);
}

static void
build_export(struct req *r, int vex)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_sbom_export(r->st, req_param(r, "build"), vex, &out,
	    err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_build_sbom(struct req *r)
{
	build_export(r, 0);
}

void
api_vuln_build_vex(struct req *r)
{
	build_export(r, 1);
}

/* ------------------------------------------------------------------ */
/* VEX and scans */

void
api_vuln_vex_import(struct req *r)
{
	const char *build = NULL, *fmt = NULL, *buf;
	enum vigil_vex_format f = VIGIL_VEX_AUTO;
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;
	size_t len;

	if (aq_str(r, "build", 600, &build) < 0 ||
	    aq_str(r, "format", 32, &fmt) < 0 || raw_body(r, &buf, &len) < 0)
		return;
	if (fmt != NULL && (f = vigil_vex_format_from_name(fmt)) ==
	    VIGIL_VEX_AUTO && strcmp(fmt, "auto") != 0) {
		aq_problem(r, "format", "expected cyclonedx, openvex, csaf, "
		    "buildroot or yocto");
		return;
	}
	if (api_begin(r) < 0)
		return;
	if ((e = vigil_vdb_vex_import(r->st, buf, len, f, build, req_actor(r),
	    &out, err, sizeof err)) != VIGIL_OK ||
	    (e = sync_cra(r, out)) != VIGIL_OK) {
		json_decref(out);
		fail_vdb(r, e, err, "vuln.vex.import",
		    build != NULL ? build : "all-builds");
		return;
	}
	commit_reply(r, 200, out, "vuln.vex.import",
	    build != NULL ? build : "all-builds", vigil_vex_format_name(f));
}

void
api_vuln_scan(struct req *r)
{
	const char *build = NULL;
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if (aq_str(r, "build", 600, &build) < 0 || api_begin(r) < 0)
		return;
	if ((e = vigil_vdb_scan(r->st, build, &out, err, sizeof err)) !=
	    VIGIL_OK || (e = sync_cra(r, out)) != VIGIL_OK) {
		json_decref(out);
		fail_vdb(r, e, err, "vuln.scan",
		    build != NULL ? build : "all-builds");
		return;
	}
	commit_reply(r, 200, out, "vuln.scan",
	    build != NULL ? build : "all-builds", NULL);
}

/* ------------------------------------------------------------------ */
/* Vulnerabilities and fleet exposure (platform and tenant routes) */

void
api_vuln_list(struct req *r)
{
	struct vigil_vdb_filter f;
	bool kev = false, unknown = false, suppressed = false;
	int64_t minp = 0, limit = 100;
	json_t *out = NULL;
	enum vigil_err e;

	memset(&f, 0, sizeof f);
	if (aq_str(r, "build", 600, &f.build) < 0 ||
	    aq_str(r, "device", 255, &f.device) < 0 ||
	    aq_bool(r, "kev", false, &kev) < 0 ||
	    aq_bool(r, "unknown", false, &unknown) < 0 ||
	    aq_bool(r, "suppressed", false, &suppressed) < 0 ||
	    aq_int(r, "min_priority", 0, 100, 0, &minp) < 0 ||
	    aq_int(r, "limit", 1, 10000, 100, &limit) < 0)
		return;
	f.kev_only = kev;
	f.include_unknown = unknown;
	f.include_suppressed = suppressed;
	f.min_priority = (double)minp;
	f.limit = (size_t)limit;
	if ((e = vigil_vdb_vuln_list(r->st, r->scope, &f, &out)) != VIGIL_OK) {
		api_reply_lib_err(r, e, NULL);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_show(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_vuln_show(r->st, r->scope, req_param(r, "id"), &out,
	    err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_affected(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_affected(r->st, r->scope, req_param(r, "id"), &out,
	    err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_vuln_exploited(struct req *r)
{
	static const char *const keys[] = {"exploited", "note", NULL};
	const char *id = req_param(r, "id"), *note = NULL;
	char err[ERRMAX] = "", object[200];
	json_t *body = NULL, *out = NULL;
	enum vigil_err e;
	int exploited = -1;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_bool(r, body, "exploited", &exploited) < 0 ||
	    aj_str(r, body, "note", 1024, false, &note) < 0)
		goto out;
	if (exploited < 0) {
		aj_field_problem(r, "exploited", "required: true marks the "
		    "vulnerability actively exploited, false clears the mark");
		goto out;
	}
	snprintf(object, sizeof object, "vuln:%s", id);
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_vdb_mark_exploited(r->st, id, exploited, note,
	    req_actor(r), err, sizeof err)) != VIGIL_OK) {
		fail_vdb(r, e, err, "vuln.exploited", object);
		goto out;
	}
	out = json_pack("{s:s, s:b}", "id", id, "exploited", exploited);
	if ((e = sync_cra(r, out)) != VIGIL_OK) {
		json_decref(out);
		fail_vdb(r, e, NULL, "vuln.exploited", object);
		goto out;
	}
	commit_reply(r, 200, out, "vuln.exploited", object,
	    exploited ? "marked" : "cleared");
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Devices (tenant routes) */

void
api_device_findings(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_device_findings(r->st, r->scope,
	    req_param(r, "device"), &out, err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_device_firmware(struct req *r)
{
	static const char *const keys[] = {"version", NULL};
	const char *dev = req_param(r, "device"), *version = NULL;
	char err[ERRMAX] = "", object[300];
	json_t *body = NULL, *out = NULL;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "version", VIGIL_VERSION_MAX, true, &version) < 0)
		goto out;
	snprintf(object, sizeof object, "device:%s", dev);
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_vdb_device_firmware_set(r->st, r->scope, dev, version,
	    "registry", err, sizeof err)) != VIGIL_OK) {
		fail_vdb(r, e, err, "device.firmware", object);
		goto out;
	}
	if ((e = vigil_vdb_device_findings(r->st, r->scope, dev, &out, err,
	    sizeof err)) != VIGIL_OK) {
		fail_vdb(r, e, err, "device.firmware", object);
		goto out;
	}
	commit_reply(r, 200, out, "device.firmware", object, version);
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Products */

void
api_product_list(struct req *r)
{
	int64_t warn = 90;
	json_t *out = NULL;
	enum vigil_err e;

	if (aq_int(r, "warn_days", 0, 3650, 90, &warn) < 0)
		return;
	if ((e = vigil_vdb_product_list(r->st, r->scope, now_ms(), (int)warn,
	    &out)) != VIGIL_OK) {
		api_reply_lib_err(r, e, NULL);
		return;
	}
	api_reply(r, 200, out);
}

/* "YYYY-MM-DD" (the last day of support, 00:00 UTC) as ms; -1 when
 * it is not such a date. */
static int64_t
parse_day(const char *s)
{
	char buf[32], err[128];
	int64_t ms;

	if (strlen(s) != 10 || snprintf(buf, sizeof buf, "%sT00:00:00Z", s) >=
	    (int)sizeof buf || vigil_time_parse(buf, &ms, err, sizeof err) !=
	    VIGIL_OK)
		return -1;
	return ms;
}

void
api_product_set(struct req *r)
{
	static const char *const keys[] = {"manufacturer", "support_until",
	    "platform_cpes", NULL};
	struct vigil_vdb_product p;
	const char *cpes[64];
	char err[ERRMAX] = "", object[300];
	json_t *body = NULL, *out = NULL, *v;
	enum vigil_err e;

	memset(&p, 0, sizeof p);
	p.model = req_param(r, "model");
	p.support_until_ms = -1;
	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "manufacturer", 255, false, &p.manufacturer) < 0)
		goto out;
	if ((v = json_object_get(body, "support_until")) != NULL) {
		if (json_is_null(v))
			p.support_until_ms = 0;
		else if (!json_is_string(v) || (p.support_until_ms =
		    parse_day(json_string_value(v))) < 0) {
			aj_field_problem(r, "support_until", "expected a date "
			    "YYYY-MM-DD (the last day of support) or null");
			goto out;
		}
	}
	if ((v = json_object_get(body, "platform_cpes")) != NULL) {
		size_t i;
		json_t *c;

		if (!json_is_array(v) || json_array_size(v) > 64) {
			aj_field_problem(r, "platform_cpes", "expected an "
			    "array of at most 64 CPE 2.3 names");
			goto out;
		}
		json_array_foreach(v, i, c) {
			if (!json_is_string(c)) {
				aj_field_problem(r, "platform_cpes",
				    "item %zu is not a string", i);
				goto out;
			}
			cpes[i] = json_string_value(c);
		}
		p.platform_cpes = cpes;
		p.nplatform_cpes = json_array_size(v);
	}
	snprintf(object, sizeof object, "product:%s", p.model);
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_vdb_product_set(r->st, &p, &out, err, sizeof err)) !=
	    VIGIL_OK) {
		fail_vdb(r, e, err, "product.set", object);
		goto out;
	}
	commit_reply(r, 200, out, "product.set", object, NULL);
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Cyber Resilience Act */

void
api_cra_status(struct req *r)
{
	bool all = false;
	json_t *out = NULL;
	enum vigil_err e;

	if (aq_bool(r, "all", false, &all) < 0)
		return;
	if ((e = vigil_vdb_cra_status(r->st, now_ms(), all, &out)) !=
	    VIGIL_OK) {
		api_reply_lib_err(r, e, NULL);
		return;
	}
	api_reply(r, 200, out);
}

void
api_cra_open(struct req *r)
{
	static const char *const keys[] = {"kind", "vuln", "model", "summary",
	    NULL};
	const char *kind = NULL, *vuln = NULL, *model = NULL, *summary = NULL;
	enum vigil_cra_kind k;
	char err[ERRMAX] = "", object[300];
	json_t *body = NULL, *out = NULL;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "kind", 32, true, &kind) < 0 ||
	    aj_str(r, body, "vuln", 128, false, &vuln) < 0 ||
	    aj_str(r, body, "model", 255, true, &model) < 0 ||
	    aj_str(r, body, "summary", 4096, false, &summary) < 0)
		goto out;
	if (strcmp(kind, "vulnerability") == 0)
		k = VIGIL_CRA_VULN;
	else if (strcmp(kind, "incident") == 0)
		k = VIGIL_CRA_INCIDENT;
	else {
		aj_field_problem(r, "kind", "expected vulnerability (an "
		    "actively exploited vulnerability) or incident (a severe "
		    "incident)");
		goto out;
	}
	if (k == VIGIL_CRA_VULN && vuln == NULL) {
		aj_field_problem(r, "vuln", "required for a vulnerability "
		    "report");
		goto out;
	}
	snprintf(object, sizeof object, "cra:%s:%s", vuln != NULL ? vuln :
	    "incident", model);
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_vdb_cra_open(r->st, k, vuln, model, summary, now_ms(),
	    &out, err, sizeof err)) != VIGIL_OK) {
		fail_vdb(r, e, err, "cra.open", object);
		goto out;
	}
	commit_reply(r, 201, out, "cra.open", object, kind);
out:
	json_decref(body);
}

void
api_cra_step(struct req *r)
{
	const char *id = req_param(r, "id"), *step = req_param(r, "step");
	char err[ERRMAX] = "", action[64], object[200];
	json_t *out = NULL;
	enum vigil_err e;

	snprintf(action, sizeof action, "cra.%s", step);
	snprintf(object, sizeof object, "cra:%s", id);
	if (api_begin(r) < 0)
		return;
	if ((e = vigil_vdb_cra_step(r->st, id, step, now_ms(), &out, err,
	    sizeof err)) != VIGIL_OK) {
		fail_vdb(r, e, err, action, object);
		return;
	}
	commit_reply(r, 200, out, action, object, NULL);
}

void
api_cra_draft(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if ((e = vigil_vdb_cra_export(r->st, req_param(r, "id"), now_ms(),
	    &out, err, sizeof err)) != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}
