/*
 * The zero-trust commands on the local store (zt_cli.h): the
 * policydb.h, posture.h and zt.h calls, each change with its audit
 * entry (actor "local:<user>", the action names of the API: policy.put,
 * policy.attach, device.quarantine, baseline.set, ...) in the same
 * transaction, as vuln_local.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/posture.h"
#include "vigil/store.h"
#include "vigil/zt.h"

#include "backend.h"
#include "pki_cli.h"
#include "zt_cli.h"

const struct cli_zt_ops *
cli_zt(const struct cli_ctx *ctx)
{
	return ctx->be == &cli_backend_remote ? &cli_zt_remote : &cli_zt_local;
}

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void
drop(json_t **out)
{
	json_decref(*out);
	*out = NULL;
}

/* ---- stored policies ------------------------------------------------ */

static enum vigil_err
l_put(struct cli_ctx *ctx, const char *name, const char *doc, size_t len,
    const char *description, const char *comment, int64_t expected_version,
    json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128], det[128];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_policydb_put(st, ctx->tenant_id, name, doc, len, description,
	    expected_version, ctx->actor, comment, out, err, CLI_ZERR);
	/* An identical document stores nothing: nothing to audit. */
	if (rc == VIGIL_OK && !json_is_true(json_object_get(*out, "changed"))) {
		vigil_store_rollback(st);
		return VIGIL_OK;
	}
	snprintf(obj, sizeof obj, "policy/%s", name);
	snprintf(det, sizeof det, "version=%lld", jint(*out, "version"));
	if ((rc = cli_local_finish(ctx, rc, ctx->tenant_id, "policy.put", obj, det)) != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_get(struct cli_ctx *ctx, const char *name, int64_t version, json_t **out,
    char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_policydb_get(
	    st, ctx->tenant_id, name, version, out, err, CLI_ZERR);
}

static enum vigil_err
l_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_policydb_list(st, ctx->tenant_id, out, err, CLI_ZERR);
}

static enum vigil_err
l_history(struct cli_ctx *ctx, const char *name, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_policydb_history(
	    st, ctx->tenant_id, name, out, err, CLI_ZERR);
}

static enum vigil_err
l_rollback(struct cli_ctx *ctx, const char *name, int64_t version,
    const char *comment, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128], det[128];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_policydb_rollback(st, ctx->tenant_id, name, version,
	    ctx->actor, comment, out, err, CLI_ZERR);
	snprintf(obj, sizeof obj, "policy/%s", name);
	snprintf(det, sizeof det, "version=%lld rollback_of=%lld",
	    jint(*out, "version"), (long long)version);
	if ((rc = cli_local_finish(ctx, rc, ctx->tenant_id, "policy.rollback", obj, det)) != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_remove(struct cli_ctx *ctx, const char *name, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_policydb_delete(st, ctx->tenant_id, name, err, CLI_ZERR);
	snprintf(obj, sizeof obj, "policy/%s", name);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "policy.delete", obj, NULL);
}

static enum vigil_err
l_attach(struct cli_ctx *ctx, const char *name, enum vigil_attach_kind kind,
    const char *target, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128], det[400];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_policydb_attach(st, ctx->tenant_id, name, kind, target,
	    ctx->actor, out, err, CLI_ZERR);
	snprintf(obj, sizeof obj, "policy/%s", name);
	snprintf(det, sizeof det, "kind=%s target=%s",
	    vigil_attach_kind_name(kind), target);
	if ((rc = cli_local_finish(ctx, rc, ctx->tenant_id, "policy.attach", obj, det)) != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_detach(struct cli_ctx *ctx, const char *name, enum vigil_attach_kind kind,
    const char *target, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128], det[400];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_policydb_detach(
	    st, ctx->tenant_id, name, kind, target, NULL, err, CLI_ZERR);
	snprintf(obj, sizeof obj, "policy/%s", name);
	snprintf(det, sizeof det, "kind=%s target=%s",
	    vigil_attach_kind_name(kind), target);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "policy.detach", obj, det);
}

static enum vigil_err
l_attachments(struct cli_ctx *ctx, const char *name, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_policydb_attachments(
	    st, ctx->tenant_id, name, out, err, CLI_ZERR);
}

/* ---- decisions ------------------------------------------------------ */

static enum vigil_err
l_explain(
    struct cli_ctx *ctx, const struct cli_zt_query *q, json_t **out, char *err)
{
	struct vigil_zt_config cfg;
	struct vigil_zt_query zq;
	struct vigil_store *st;
	struct vigil_zt *zt = NULL;
	enum vigil_err rc;
	int r;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	memset(&cfg, 0, sizeof cfg);
	cfg.stale_s = CLI_ZT_STALE_S;
	if ((rc = vigil_zt_new(st, &cfg, &zt)) != VIGIL_OK) {
		snprintf(err, CLI_ZERR, "cannot start the decision service: %s",
		    vigil_strerror(rc));
		return rc;
	}
	if ((r = vigil_zt_refresh(zt, true)) < 0) {
		snprintf(err, CLI_ZERR, "cannot load the policies: %s",
		    vigil_zt_errmsg(zt));
		vigil_zt_free(zt);
		return (enum vigil_err) - r;
	}
	memset(&zq, 0, sizeof zq);
	zq.action = q->action;
	zq.resource = q->resource;
	zq.device = q->device;
	zq.cert_serial = q->cert_serial;
	zq.tenant = ctx->tenant_id;
	zq.client_id = q->client_id;
	zq.source_ip = q->source_ip;
	zq.country = q->country;
	zq.nctx = q->nctx;
	zq.ctx = q->ctx;
	rc = vigil_zt_explain(zt, &zq, out, err, CLI_ZERR);
	vigil_zt_free(zt);
	return rc;
}

/* ---- devices -------------------------------------------------------- */

static enum vigil_err
l_quarantine(struct cli_ctx *ctx, const char *device, bool on,
    const char *reason, struct vigil_device **out, char *err)
{
	struct vigil_device *d = NULL;
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[128];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_device_get(st, ctx->tenant_id, device, &d);
	/* Release only undoes a quarantine: a device in another state
	 * keeps it (set-state is the general move). */
	if (rc == VIGIL_OK && !on && d->state != VIGIL_DEV_QUARANTINED) {
		snprintf(err, CLI_ZERR, "device %s is not quarantined (%s)",
		    d->name, vigil_device_state_name(d->state));
		rc = VIGIL_ESTATE;
	}
	if (rc == VIGIL_OK && on && d->state == VIGIL_DEV_QUARANTINED) {
		snprintf(
		    err, CLI_ZERR, "device %s is already quarantined", d->name);
		rc = VIGIL_ESTATE;
	}
	if (rc == VIGIL_OK)
		rc = vigil_device_set_state(st, ctx->tenant_id, d->id,
		    on ? VIGIL_DEV_QUARANTINED : VIGIL_DEV_ACTIVE, 0,
		    ctx->actor, reason, out);
	snprintf(obj, sizeof obj, "device/%s", d != NULL ? d->id : device);
	vigil_device_free(d);
	rc = cli_local_finish(ctx, rc, ctx->tenant_id,
	    on ? "device.quarantine" : "device.release", obj, reason);
	if (rc != VIGIL_OK) {
		vigil_device_free(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_posture(struct cli_ctx *ctx, const char *device, json_t **out, char *err)
{
	struct vigil_posture *p;
	struct vigil_store *st;
	enum vigil_err rc;
	int64_t now = vigil_time_now_ms();

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	/* A few kilobytes of ports: not for the stack. */
	if ((p = calloc(1, sizeof *p)) == NULL)
		return VIGIL_ENOMEM;
	rc = vigil_posture_get(st, ctx->tenant_id, device, NULL, now,
	    CLI_ZT_STALE_S, p, err, CLI_ZERR);
	if (rc == VIGIL_OK && (*out = vigil_posture_to_json(p, now)) == NULL)
		rc = VIGIL_ENOMEM;
	free(p);
	return rc;
}

static enum vigil_err
l_checkins(struct cli_ctx *ctx, const char *device, unsigned limit,
    json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_posture_history(
	    st, ctx->tenant_id, device, limit, out, err, CLI_ZERR);
}

/* ---- model baselines ------------------------------------------------ */

static enum vigil_err
l_baseline_set(struct cli_ctx *ctx, const char *model, const char *const *ports,
    size_t nports, const char *firmware_current, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[300], det[128];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_posture_baseline_set(st, ctx->tenant_id, model, ports,
	    nports, firmware_current, out, err, CLI_ZERR);
	snprintf(obj, sizeof obj, "baseline/%s", model);
	snprintf(det, sizeof det, "ports=%zu%s%s", nports,
	    firmware_current != NULL ? " firmware_current=" : "",
	    firmware_current != NULL ? firmware_current : "");
	if ((rc = cli_local_finish(ctx, rc, ctx->tenant_id, "baseline.set", obj, det)) != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_baselines(struct cli_ctx *ctx, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_posture_baselines(
	    st, ctx->tenant_id, NULL, out, err, CLI_ZERR);
}

const struct cli_zt_ops cli_zt_local = {
    .put = l_put,
    .get = l_get,
    .list = l_list,
    .history = l_history,
    .rollback = l_rollback,
    .remove = l_remove,
    .attach = l_attach,
    .detach = l_detach,
    .attachments = l_attachments,
    .explain = l_explain,
    .quarantine = l_quarantine,
    .posture = l_posture,
    .checkins = l_checkins,
    .baseline_set = l_baseline_set,
    .baselines = l_baselines,
};
