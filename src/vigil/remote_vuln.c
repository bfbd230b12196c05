/*
 * The vulnerability commands on a vigild (vuln_cli.h): the routes
 * /v1/vuln/builds, /v1/vuln/vex, /v1/vuln/feeds, /v1/vuln/scan,
 * /v1/vulns (or /v1/tenants/{tenant}/vulns with --tenant), /v1/products,
 * /v1/cra and the tenant's /v1/tenants/{tenant}/devices/{device}/findings
 * and /firmware. Replies are the vulndb.h renderings the local side
 * builds; the server audits.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vigil/json.h"

#include "remote_be.h"
#include "vuln_cli.h"

static enum vigil_err
no_memory(struct cli_ctx *ctx)
{
	return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
}

/* "/v1/<a>[/<seg>][/<tail>]" + query pairs (NULL-terminated, a NULL
 * value skips its pair) into b; reports a path that does not fit. */
static enum vigil_err
path(struct cli_ctx *ctx, struct vigil_buf *b, const char *a, const char *seg,
    const char *tail, const char *const *query, size_t nq)
{
	enum vigil_err rc;

	vigil_buf_init(b, 8192);
	rc = vigil_buf_appends(b, "/v1/");
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(b, a);
	if (rc == VIGIL_OK && seg != NULL)
		rc = rpath_seg(b, seg);
	if (rc == VIGIL_OK && tail != NULL)
		rc = vigil_buf_appendf(b, "/%s", tail);
	for (size_t i = 0; rc == VIGIL_OK && i + 1 < nq; i += 2)
		if (query[i + 1] != NULL)
			rc = rpath_query(b, query[i], query[i + 1]);
	if (rc != VIGIL_OK) {
		vigil_buf_free(b);
		return r_path_err(ctx, rc);
	}
	return VIGIL_OK;
}

/* method on a path; releases body; the reply to *out (dropped when out
 * is NULL). */
static enum vigil_err
call(struct cli_ctx *ctx, const char *method, const char *a, const char *seg,
    const char *tail, const char *const *query, size_t nq, json_t *body,
    json_t **out)
{
	struct vigil_buf b;
	json_t *res = NULL;
	enum vigil_err rc;

	if ((rc = path(ctx, &b, a, seg, tail, query, nq)) != VIGIL_OK) {
		json_decref(body);
		return rc;
	}
	rc = remote_json(ctx, method, b.data, body, out != NULL ? out : &res);
	json_decref(res);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

/* POST of a raw document (SBOM, VEX, feed) to a path. */
static enum vigil_err
post_raw(struct cli_ctx *ctx, const char *a, const char *const *query,
    size_t nq, const char *buf, size_t len, const char *ctype, json_t **out)
{
	struct remote_req rq;
	struct remote_resp resp;
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = path(ctx, &b, a, NULL, NULL, query, nq)) != VIGIL_OK)
		return rc;
	remote_req_init(&rq, "POST", b.data, NULL);
	rq.raw = buf != NULL ? buf : "";
	rq.rawlen = len;
	rq.ctype = ctype;
	rc = remote_do(ctx, &rq, &resp);
	if (rc == VIGIL_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	remote_resp_free(&resp);
	vigil_buf_free(&b);
	return rc;
}

/* The vulnerability views: a tenant's (its devices counted) when one
 * was chosen, else the principal's scope. */
static const char *
vulns_area(const struct cli_ctx *ctx, char *buf, size_t size)
{
	if (ctx->tenant_id[0] == '\0')
		return "vulns";
	/* A tenant id is a UUID: nothing to escape. */
	snprintf(buf, size, "tenants/%s/vulns", ctx->tenant_id);
	return buf;
}

/* ---- builds and SBOMs ---------------------------------------------- */

static enum vigil_err
r_build_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return call(ctx, "GET", "vuln/builds", NULL, NULL, NULL, 0, NULL, out);
}

static enum vigil_err
r_build_get(struct cli_ctx *ctx, const char *build, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return call(ctx, "GET", "vuln/builds", build, NULL, NULL, 0, NULL, out);
}

static enum vigil_err
r_build_delete(struct cli_ctx *ctx, const char *build, char *err)
{
	(void)err;
	return call(
	    ctx, "DELETE", "vuln/builds", build, NULL, NULL, 0, NULL, NULL);
}

static enum vigil_err
r_sbom_import(struct cli_ctx *ctx, const char *buf, size_t len,
    const struct vigil_vdb_sbom_opts *o, json_t **out, char *err)
{
	const char *q[] = {
	    "model",
	    o->model,
	    "firmware",
	    o->firmware,
	    "format",
	    o->format != VIGIL_SBOM_AUTO ? vigil_sbom_format_name(o->format)
	                                 : NULL,
	    "replace",
	    o->replace ? "1" : NULL,
	};

	(void)err;
	return post_raw(ctx, "vuln/builds", q, sizeof q / sizeof q[0], buf, len,
	    o->format == VIGIL_SBOM_SPDX_TV ? "text/spdx" : "application/json",
	    out);
}

static enum vigil_err
r_sbom_export(
    struct cli_ctx *ctx, const char *build, int vex, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return call(ctx, "GET", "vuln/builds", build, vex ? "vex" : "sbom",
	    NULL, 0, NULL, out);
}

static enum vigil_err
r_vex_import(struct cli_ctx *ctx, const char *buf, size_t len,
    enum vigil_vex_format fmt, const char *build, json_t **out, char *err)
{
	const char *q[] = {
	    "build",
	    build,
	    "format",
	    fmt != VIGIL_VEX_AUTO ? vigil_vex_format_name(fmt) : NULL,
	};

	(void)err;
	return post_raw(ctx, "vuln/vex", q, sizeof q / sizeof q[0], buf, len,
	    "application/json", out);
}

/* ---- feeds and scans ----------------------------------------------- */

static enum vigil_err
r_feed_import(struct cli_ctx *ctx, const char *file,
    const struct vigil_vdb_import_opts *o, json_t **out, char *err)
{
	const char *base = strrchr(file, '/');
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, i;
	json_t *e;
	enum vigil_err rc;
	const char *q[6];

	(void)err;
	*out = NULL;
	if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode))
		return remote_fail(ctx, VIGIL_EINVAL, CLI_EXIT_USAGE,
		    "%s: a directory; with --server, name the feed files",
		    file);
	if (!cli_vuln_read(file, VIGIL_FEED_DOC_MAX, &buf, &len))
		return remote_fail(
		    ctx, VIGIL_EIO, CLI_EXIT_FAIL, "%s: not imported", file);
	q[0] = "name";
	q[1] = base != NULL ? base + 1 : file;
	q[2] = "kind";
	q[3] =
	    o->kind != VIGIL_FEED_AUTO ? vigil_feed_kind_name(o->kind) : NULL;
	q[4] = "source";
	q[5] = o->source;
	if (o->on_progress != NULL)
		o->on_progress(o->ctx, 0, len, 0);
	rc = post_raw(ctx, "vuln/feeds", q, 6, buf, len,
	    strstr(file, ".csv") != NULL ? "text/csv" : "application/json",
	    out);
	vigil_free(buf);
	if (rc != VIGIL_OK)
		return rc;
	json_array_foreach(
	    json_object_get(*out, "errors"), i, e) if (o->on_error != NULL)
	    o->on_error(o->ctx, cli_vs(e, "where"), cli_vs(e, "msg"));
	if (o->on_progress != NULL)
		o->on_progress(
		    o->ctx, len, len, (uint64_t)cli_vi(*out, "records"));
	json_object_del(*out, "errors");
	return cli_vi(*out, "rejected") > 0 ? VIGIL_EINVAL : VIGIL_OK;
}

static enum vigil_err
r_feed_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return call(ctx, "GET", "vuln/feeds", NULL, NULL, NULL, 0, NULL, out);
}

static enum vigil_err
r_scan(struct cli_ctx *ctx, const char *build, json_t **out, char *err)
{
	const char *q[] = {"build", build};

	(void)err;
	*out = NULL;
	return call(ctx, "POST", "vuln/scan", NULL, NULL, q, 2, NULL, out);
}

/* ---- queries ------------------------------------------------------- */

static enum vigil_err
r_vuln_list(struct cli_ctx *ctx, const struct vigil_vdb_filter *f, json_t **out,
    char *err)
{
	char prio[32], lim[32], area[96];
	const char *q[14];

	(void)err;
	*out = NULL;
	snprintf(prio, sizeof prio, "%.0f", f->min_priority);
	snprintf(lim, sizeof lim, "%zu", f->limit);
	q[0] = "build";
	q[1] = f->build;
	q[2] = "device";
	q[3] = f->device;
	q[4] = "kev";
	q[5] = f->kev_only ? "1" : NULL;
	q[6] = "unknown";
	q[7] = f->include_unknown ? "1" : NULL;
	q[8] = "suppressed";
	q[9] = f->include_suppressed ? "1" : NULL;
	q[10] = "min_priority";
	q[11] = f->min_priority > 0 ? prio : NULL;
	q[12] = "limit";
	q[13] = f->limit > 0 ? lim : NULL;
	return call(ctx, "GET", vulns_area(ctx, area, sizeof area), NULL, NULL,
	    q, 14, NULL, out);
}

static enum vigil_err
r_vuln_show(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	char area[96];

	(void)err;
	*out = NULL;
	return call(ctx, "GET", vulns_area(ctx, area, sizeof area), id, NULL,
	    NULL, 0, NULL, out);
}

static enum vigil_err
r_affected(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	char area[96];

	(void)err;
	*out = NULL;
	return call(ctx, "GET", vulns_area(ctx, area, sizeof area), id,
	    "affected", NULL, 0, NULL, out);
}

static enum vigil_err
r_exploited(struct cli_ctx *ctx, const char *id, int exploited,
    const char *note, char *err)
{
	json_t *body = json_object();

	(void)err;
	if (body == NULL)
		return no_memory(ctx);
	cli_json_set(body, "exploited", json_boolean(exploited));
	if (note != NULL)
		cli_json_set(body, "note", cli_json_str(note));
	return call(ctx, "PUT", "vulns", id, "exploited", NULL, 0, body, NULL);
}

/* ---- devices ------------------------------------------------------- */

static enum vigil_err
device_call(struct cli_ctx *ctx, const char *method, const char *device,
    const char *tail, json_t *body, json_t **out)
{
	struct vigil_buf b;
	json_t *res = NULL;
	enum vigil_err rc;

	if ((rc = r_device_path(ctx, &b, device, tail)) != VIGIL_OK) {
		json_decref(body);
		return rc;
	}
	rc = remote_json(ctx, method, b.data, body, out != NULL ? out : &res);
	json_decref(res);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_device_findings(
    struct cli_ctx *ctx, const char *device, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return device_call(ctx, "GET", device, "findings", NULL, out);
}

static enum vigil_err
r_device_firmware(
    struct cli_ctx *ctx, const char *device, const char *version, char *err)
{
	json_t *body = json_pack("{ss}", "version", version);

	(void)err;
	if (body == NULL)
		return no_memory(ctx);
	return device_call(ctx, "PUT", device, "firmware", body, NULL);
}

/* ---- products ------------------------------------------------------ */

static enum vigil_err
r_product_set(struct cli_ctx *ctx, const struct vigil_vdb_product *p,
    json_t **out, char *err)
{
	json_t *body = json_object(), *cpes;

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	if (p->manufacturer != NULL)
		cli_json_set(
		    body, "manufacturer", cli_json_str(p->manufacturer));
	if (p->support_until_ms == 0) {
		cli_json_set(body, "support_until", json_null());
	} else if (p->support_until_ms > 0) {
		char day[48];
		int64_t d = p->support_until_ms / 86400000;
		/* civil date from days since 1970 (H. Hinnant) */
		int64_t z = d + 719468,
		        era = (z >= 0 ? z : z - 146096) / 146097;
		int64_t doe = z - era * 146097;
		int64_t yoe =
		    (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153;
		int64_t dd = doy - (153 * mp + 2) / 5 + 1;
		int64_t mm = mp < 10 ? mp + 3 : mp - 9;
		int64_t yy = yoe + era * 400 + (mm <= 2);

		snprintf(day, sizeof day, "%04lld-%02lld-%02lld", (long long)yy,
		    (long long)mm, (long long)dd);
		cli_json_set(body, "support_until", cli_json_str(day));
	}
	if (p->platform_cpes != NULL) {
		if ((cpes = json_array()) == NULL) {
			json_decref(body);
			return no_memory(ctx);
		}
		for (size_t i = 0; i < p->nplatform_cpes; i++)
			json_array_append_new(
			    cpes, cli_json_str(p->platform_cpes[i]));
		cli_json_set(body, "platform_cpes", cpes);
	}
	return call(ctx, "PUT", "products", p->model, NULL, NULL, 0, body, out);
}

static enum vigil_err
r_product_list(struct cli_ctx *ctx, int warn_days, json_t **out, char *err)
{
	char wd[32];
	const char *q[] = {"warn_days", wd};

	(void)err;
	*out = NULL;
	snprintf(wd, sizeof wd, "%d", warn_days);
	return call(ctx, "GET", "products", NULL, NULL, q, 2, NULL, out);
}

/* ---- CRA ----------------------------------------------------------- */

static enum vigil_err
r_cra_status(struct cli_ctx *ctx, int all, json_t **out, char *err)
{
	const char *q[] = {"all", all ? "1" : NULL};

	(void)err;
	*out = NULL;
	return call(ctx, "GET", "cra", NULL, NULL, q, 2, NULL, out);
}

static enum vigil_err
r_cra_open(struct cli_ctx *ctx, enum vigil_cra_kind kind, const char *vuln,
    const char *model, const char *summary, json_t **out, char *err)
{
	json_t *body = json_object();

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	cli_json_set(body, "kind",
	    cli_json_str(
	        kind == VIGIL_CRA_INCIDENT ? "incident" : "vulnerability"));
	if (vuln != NULL)
		cli_json_set(body, "vuln", cli_json_str(vuln));
	cli_json_set(body, "model", cli_json_str(model));
	if (summary != NULL)
		cli_json_set(body, "summary", cli_json_str(summary));
	return call(ctx, "POST", "cra", NULL, NULL, NULL, 0, body, out);
}

static enum vigil_err
r_cra_step(struct cli_ctx *ctx, const char *id, const char *step, json_t **out,
    char *err)
{
	(void)err;
	*out = NULL;
	/* step is one of the fixed names cmd_cra.c checked. */
	return call(ctx, "POST", "cra", id, step, NULL, 0, NULL, out);
}

static enum vigil_err
r_cra_export(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	(void)err;
	*out = NULL;
	return call(ctx, "GET", "cra", id, "draft", NULL, 0, NULL, out);
}

const struct cli_vuln_ops cli_vuln_remote = {
    .build_list = r_build_list,
    .build_get = r_build_get,
    .build_delete = r_build_delete,
    .sbom_import = r_sbom_import,
    .sbom_export = r_sbom_export,
    .vex_import = r_vex_import,
    .feed_import = r_feed_import,
    .feed_list = r_feed_list,
    .scan = r_scan,
    .vuln_list = r_vuln_list,
    .vuln_show = r_vuln_show,
    .affected = r_affected,
    .exploited = r_exploited,
    .device_findings = r_device_findings,
    .device_firmware = r_device_firmware,
    .product_set = r_product_set,
    .product_list = r_product_list,
    .cra_status = r_cra_status,
    .cra_open = r_cra_open,
    .cra_step = r_cra_step,
    .cra_export = r_cra_export,
};
