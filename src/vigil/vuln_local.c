/*
 * The vulnerability commands on the local store (vuln_cli.h): the
 * vulndb.h calls, each change with its audit entry (actor
 * "local:<user>", action names of the API: vuln.build.import,
 * vuln.feed.import, cra.open, ...) in the same transaction where the
 * library allows one, as pki_local.c does for the PKI.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/store.h"

#include "backend.h"
#include "pki_cli.h"
#include "vuln_cli.h"

const struct cli_vuln_ops *
cli_vuln(const struct cli_ctx *ctx)
{
	return ctx->be == &cli_backend_remote ? &cli_vuln_remote
	                                      : &cli_vuln_local;
}

/* Device counts: the chosen tenant's, else every tenant's. */
static const char *
scope(const struct cli_ctx *ctx)
{
	return ctx->tenant_id[0] != '\0' ? ctx->tenant_id : NULL;
}

static const char *
jstr(const json_t *o, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	return json_string_value(v) != NULL ? json_string_value(v) : "";
}

/* Opens the CRA reports that became due (an exploited vulnerability
 * now affects a build), each with its "cra.auto_open" audit entry. The
 * library leaves this to its callers so that every opened report is
 * audited by whoever caused it. */
static enum vigil_err
sync_cra(struct cli_ctx *ctx, struct vigil_store *st)
{
	json_t *opened = NULL, *r;
	enum vigil_err rc;
	size_t i;

	if ((rc = vigil_vdb_cra_sync(st, vigil_time_now_ms(), &opened)) !=
	    VIGIL_OK)
		return rc;
	json_array_foreach(opened, i, r) {
		char det[256];

		snprintf(det, sizeof det, "vuln=%s model=%s",
		    jstr(r, "vuln", NULL), jstr(r, "model", NULL));
		if ((rc = cli_pki_audit(ctx, NULL, "cra.auto_open",
		         jstr(r, "id", NULL), det)) != VIGIL_OK)
			break;
	}
	json_decref(opened);
	return rc;
}

/* finish() of a change that can make CRA reports due. */
static enum vigil_err
finish_sync(struct cli_ctx *ctx, struct vigil_store *st, enum vigil_err rc,
    const char *action, const char *object, const char *detail)
{
	if (rc == VIGIL_OK)
		rc = sync_cra(ctx, st);
	return cli_local_finish(ctx, rc, NULL, action, object, detail);
}

/* ---- builds and SBOMs ---------------------------------------------- */

static enum vigil_err
l_build_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_build_list(st, scope(ctx), out);
}

static enum vigil_err
l_build_get(struct cli_ctx *ctx, const char *build, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_build_get(st, scope(ctx), build, out, err, CLI_VERR);
}

static enum vigil_err
l_build_delete(struct cli_ctx *ctx, const char *build, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[512];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_build_delete(st, build, err, CLI_VERR);
	snprintf(obj, sizeof obj, "build/%s", build);
	return cli_local_finish(ctx, rc, NULL, "vuln.build.delete", obj, NULL);
}

static enum vigil_err
l_sbom_import(struct cli_ctx *ctx, const char *buf, size_t len,
    const struct vigil_vdb_sbom_opts *o, json_t **out, char *err)
{
	struct vigil_vdb_sbom_opts opts = *o;
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[512], det[256];

	*out = NULL;
	opts.actor = ctx->actor;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_sbom_import(st, buf, len, &opts, out, err, CLI_VERR);
	snprintf(obj, sizeof obj, "build/%s@%s", o->model, o->firmware);
	snprintf(det, sizeof det, "id=%s format=%s components=%lld%s",
	    jstr(*out, "build", "id"), jstr(*out, "build", "format"),
	    (long long)json_integer_value(
	        json_object_get(json_object_get(*out, "build"), "components")),
	    o->replace ? " replace" : "");
	rc = finish_sync(ctx, st, rc, "vuln.build.import", obj, det);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_sbom_export(
    struct cli_ctx *ctx, const char *build, int vex, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_sbom_export(st, build, vex, out, err, CLI_VERR);
}

static enum vigil_err
l_vex_import(struct cli_ctx *ctx, const char *buf, size_t len,
    enum vigil_vex_format fmt, const char *build, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char det[128];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_vex_import(
	    st, buf, len, fmt, build, ctx->actor, out, err, CLI_VERR);
	snprintf(det, sizeof det, "format=%s statements=%lld",
	    vigil_vex_format_name(fmt),
	    (long long)json_integer_value(json_object_get(*out, "statements")));
	rc = finish_sync(ctx, st, rc, "vuln.vex.import",
	    build != NULL ? build : "vex", det);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- feeds and scans ----------------------------------------------- */

static enum vigil_err
l_feed_import(struct cli_ctx *ctx, const char *path,
    const struct vigil_vdb_import_opts *o, json_t **out, char *err)
{
	struct vigil_vdb_import_opts opts = *o;
	struct vigil_vdb_import_stats s;
	struct vigil_store *st;
	enum vigil_err rc, arc;
	char det[256];

	*out = NULL;
	memset(&s, 0, sizeof s);
	opts.actor = ctx->actor;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	/* Each file commits on its own (a feed can be gigabytes): the
	 * audit entry follows the import and records what it did, also
	 * when some records were rejected. */
	rc = vigil_vdb_import(st, path, &opts, &s, err, CLI_VERR);
	if (rc != VIGIL_OK && s.added + s.updated + s.kev + s.epss == 0 &&
	    s.rejected == 0)
		return rc;
	snprintf(det, sizeof det,
	    "kind=%s records=%llu added=%llu "
	    "updated=%llu rejected=%llu kev=%llu epss=%llu",
	    vigil_feed_kind_name(o->kind), (unsigned long long)s.records,
	    (unsigned long long)s.added, (unsigned long long)s.updated,
	    (unsigned long long)s.rejected, (unsigned long long)s.kev,
	    (unsigned long long)s.epss);
	arc = cli_pki_audit(ctx, NULL, "vuln.feed.import", path, det);
	if (arc == VIGIL_OK)
		arc = sync_cra(ctx, st);
	if ((*out = vigil_vdb_import_stats_to_json(&s)) == NULL)
		return VIGIL_ENOMEM;
	return rc != VIGIL_OK ? rc : arc;
}

static enum vigil_err
l_feed_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_feed_list(st, out);
}

static enum vigil_err
l_scan(struct cli_ctx *ctx, const char *build, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_scan(st, build, out, err, CLI_VERR);
	rc = finish_sync(ctx, st, rc, "vuln.scan",
	    build != NULL ? build : "all", NULL);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- queries ------------------------------------------------------- */

static enum vigil_err
l_vuln_list(struct cli_ctx *ctx, const struct vigil_vdb_filter *f, json_t **out,
    char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_vuln_list(st, scope(ctx), f, out);
}

static enum vigil_err
l_vuln_show(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_vuln_show(st, scope(ctx), id, out, err, CLI_VERR);
}

static enum vigil_err
l_affected(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_affected(st, scope(ctx), id, out, err, CLI_VERR);
}

static enum vigil_err
l_exploited(struct cli_ctx *ctx, const char *id, int exploited,
    const char *note, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char det[512];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_mark_exploited(
	    st, id, exploited, note, ctx->actor, err, CLI_VERR);
	snprintf(det, sizeof det, "exploited=%s%s%s",
	    exploited ? "true" : "false", note != NULL ? " note=" : "",
	    note != NULL ? note : "");
	/* A KEV-equivalent mark opens the CRA reports it makes due. */
	return finish_sync(ctx, st, rc, "vuln.exploited", id, det);
}

/* ---- devices ------------------------------------------------------- */

static enum vigil_err
l_device_findings(
    struct cli_ctx *ctx, const char *device, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_device_findings(
	    st, scope(ctx), device, out, err, CLI_VERR);
}

static enum vigil_err
l_device_firmware(
    struct cli_ctx *ctx, const char *device, const char *version, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[512], det[160];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_device_firmware_set(
	    st, ctx->tenant_id, device, version, "registry", err, CLI_VERR);
	snprintf(obj, sizeof obj, "device/%s", device);
	snprintf(det, sizeof det, "firmware=%s", version);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "device.firmware", obj, det);
}

/* ---- products ------------------------------------------------------ */

static enum vigil_err
l_product_set(struct cli_ctx *ctx, const struct vigil_vdb_product *p,
    json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[512], det[256];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_product_set(st, p, out, err, CLI_VERR);
	snprintf(obj, sizeof obj, "product/%s", p->model);
	snprintf(det, sizeof det,
	    "manufacturer=%s support_until=%s "
	    "platform_cpes=%zu",
	    jstr(*out, "manufacturer", NULL), jstr(*out, "support_until", NULL),
	    p->nplatform_cpes);
	rc = cli_local_finish(ctx, rc, NULL, "product.set", obj, det);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_product_list(struct cli_ctx *ctx, int warn_days, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_product_list(
	    st, scope(ctx), vigil_time_now_ms(), warn_days, out);
}

/* ---- CRA ----------------------------------------------------------- */

static enum vigil_err
l_cra_status(struct cli_ctx *ctx, int all, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	/* Reports that became due since the last change (e.g. one made
	 * before this version audited them) are opened first. */
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = sync_cra(ctx, st)) != VIGIL_OK) {
		vigil_store_rollback(st);
		return rc;
	}
	if ((rc = vigil_store_commit(st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_cra_status(st, vigil_time_now_ms(), all, out);
}

static enum vigil_err
l_cra_open(struct cli_ctx *ctx, enum vigil_cra_kind kind, const char *vuln,
    const char *model, const char *summary, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char det[512];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_cra_open(st, kind, vuln, model, summary,
	    vigil_time_now_ms(), out, err, CLI_VERR);
	snprintf(det, sizeof det, "kind=%s vuln=%s model=%s",
	    kind == VIGIL_CRA_INCIDENT ? "incident" : "vulnerability",
	    vuln != NULL ? vuln : "-", model);
	rc = cli_local_finish(ctx, rc, NULL, "cra.open", jstr(*out, "id", NULL), det);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_cra_step(struct cli_ctx *ctx, const char *id, const char *step, json_t **out,
    char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char action[64];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_vdb_cra_step(
	    st, id, step, vigil_time_now_ms(), out, err, CLI_VERR);
	snprintf(action, sizeof action, "cra.%s", step);
	rc = cli_local_finish(ctx, rc, NULL, action, id, NULL);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_cra_export(struct cli_ctx *ctx, const char *id, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_vdb_cra_export(
	    st, id, vigil_time_now_ms(), out, err, CLI_VERR);
}

const struct cli_vuln_ops cli_vuln_local = {
    .build_list = l_build_list,
    .build_get = l_build_get,
    .build_delete = l_build_delete,
    .sbom_import = l_sbom_import,
    .sbom_export = l_sbom_export,
    .vex_import = l_vex_import,
    .feed_import = l_feed_import,
    .feed_list = l_feed_list,
    .scan = l_scan,
    .vuln_list = l_vuln_list,
    .vuln_show = l_vuln_show,
    .affected = l_affected,
    .exploited = l_exploited,
    .device_findings = l_device_findings,
    .device_firmware = l_device_firmware,
    .product_set = l_product_set,
    .product_list = l_product_list,
    .cra_status = l_cra_status,
    .cra_open = l_cra_open,
    .cra_step = l_cra_step,
    .cra_export = l_cra_export,
};
