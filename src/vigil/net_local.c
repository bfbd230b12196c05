/*
 * The network monitoring commands on the local store (net_cli.h): the
 * alertdb.h calls, each change with its audit entry (actor
 * "local:<user>", the API's action names: alert.ack, alert.close,
 * shadow.adopt, shadow.dismiss, netbinding.set, netbinding.delete) in
 * the same transaction, as zt_local.c does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vigil/store.h"

#include "backend.h"
#include "net_cli.h"
#include "pki_cli.h"

const struct cli_net_ops *
cli_net(const struct cli_ctx *ctx)
{
	return ctx->be == &cli_backend_remote ? &cli_net_remote :
	    &cli_net_local;
}

/* The tenant scope of a call: the chosen tenant (cli_tenant), else the
 * platform's (every tenant). */
static const char *
scope(const struct cli_ctx *ctx)
{
	return ctx->tenant_id[0] != '\0' ? ctx->tenant_id : NULL;
}

static void
drop(json_t **out)
{
	json_decref(*out);
	*out = NULL;
}

/* ---- alerts ------------------------------------------------------------ */

static enum vigil_err
l_alert_list(struct cli_ctx *ctx, const struct cli_alert_query *q,
    json_t **out, char *err)
{
	struct vigil_alert_filter f;
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	memset(&f, 0, sizeof f);
	f.all = q->all;
	f.device = q->device;
	f.limit = q->limit;
	if (q->state != NULL) {
		if (strcmp(q->state, "open") == 0)
			f.state = VIGIL_ALERT_OPEN;
		else if (strcmp(q->state, "acked") == 0)
			f.state = VIGIL_ALERT_ACKED;
		else if (strcmp(q->state, "closed") == 0) {
			f.state = VIGIL_ALERT_CLOSED;
			f.all = true;
		} else {
			snprintf(err, CLI_NERR, "--state: '%s' is not one of "
			    "open, acked, closed", q->state);
			return VIGIL_EINVAL;
		}
	}
	if (q->kind != NULL && (f.kind = vigil_alert_kind_from_name(q->kind)) ==
	    VIGIL_ALERT_NONE) {
		snprintf(err, CLI_NERR, "--kind: '%s' is not an alert kind",
		    q->kind);
		return VIGIL_EINVAL;
	}
	if (q->severity != NULL &&
	    (int)(f.min_severity = vigil_alert_sev_from_name(q->severity)) ==
	    0) {
		snprintf(err, CLI_NERR, "--severity: '%s' is not one of low, "
		    "medium, high, critical", q->severity);
		return VIGIL_EINVAL;
	}
	if (q->since != NULL &&
	    (rc = vigil_time_parse(q->since, &f.since_ms, err, CLI_NERR)) !=
	    VIGIL_OK)
		return rc;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_alert_list(st, q->all_tenants ? NULL : scope(ctx), &f,
	    out, err, CLI_NERR);
}

static enum vigil_err
l_alert_get(struct cli_ctx *ctx, int64_t id, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_alert_get(st, scope(ctx), id, out, err, CLI_NERR);
}

static enum vigil_err
l_alert_move(struct cli_ctx *ctx, int64_t id, bool close, const char *note,
    json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[64];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	if (close)
		rc = vigil_alert_close(st, scope(ctx), id, ctx->actor, note,
		    err, CLI_NERR);
	else
		rc = vigil_alert_ack(st, scope(ctx), id, ctx->actor, note, err,
		    CLI_NERR);
	if (rc == VIGIL_OK)
		rc = vigil_alert_get(st, scope(ctx), id, out, err, CLI_NERR);
	snprintf(obj, sizeof obj, "alert/%" PRId64, id);
	rc = cli_local_finish(ctx, rc, ctx->tenant_id,
	    close ? "alert.close" : "alert.ack", obj,
	    close ? "closed" : "acked");
	if (rc != VIGIL_OK)
		drop(out);
	return rc;
}

/* ---- shadow IoT -------------------------------------------------------- */

static enum vigil_err
l_shadow_list(struct cli_ctx *ctx, bool all, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_shadow_list(st, scope(ctx), all, out, err, CLI_NERR);
}

static enum vigil_err
l_shadow_adopt(struct cli_ctx *ctx, int64_t id, const char *name,
    const char *model, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[64], det[320];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_shadow_adopt(st, scope(ctx), id, name, model, ctx->actor,
	    out, err, CLI_NERR);
	snprintf(obj, sizeof obj, "shadow/%" PRId64, id);
	snprintf(det, sizeof det, "device=%s", name);
	rc = cli_local_finish(ctx, rc, ctx->tenant_id, "shadow.adopt", obj,
	    det);
	if (rc != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_shadow_dismiss(struct cli_ctx *ctx, int64_t id, const char *note,
    char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[64];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_shadow_dismiss(st, scope(ctx), id, ctx->actor, note, err,
	    CLI_NERR);
	snprintf(obj, sizeof obj, "shadow/%" PRId64, id);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "shadow.dismiss", obj,
	    "dismissed");
}

/* ---- bindings and sessions --------------------------------------------- */

static enum vigil_err
l_bind(struct cli_ctx *ctx, const char *cidr, const char *device,
    const char *site, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[96], det[320];

	*out = NULL;
	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_netbinding_set(st, scope(ctx), cidr, device, site, out, err,
	    CLI_NERR);
	snprintf(obj, sizeof obj, "netbinding/%s", cidr);
	snprintf(det, sizeof det, "%s%s%s%s", device != NULL ? "device=" : "",
	    device != NULL ? device : "", site != NULL ? " site=" : "",
	    site != NULL ? site : "");
	rc = cli_local_finish(ctx, rc, ctx->tenant_id, "netbinding.set", obj,
	    det);
	if (rc != VIGIL_OK)
		drop(out);
	return rc;
}

static enum vigil_err
l_unbind(struct cli_ctx *ctx, const char *cidr, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[96];

	if ((rc = cli_local_begin(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_netbinding_delete(st, scope(ctx), cidr, err, CLI_NERR);
	snprintf(obj, sizeof obj, "netbinding/%s", cidr);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "netbinding.delete",
	    obj, NULL);
}

static enum vigil_err
l_bindings(struct cli_ctx *ctx, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_netbinding_list(st, scope(ctx), out, err, CLI_NERR);
}

static enum vigil_err
l_sessions(struct cli_ctx *ctx, bool all, json_t **out, char *err)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_netsession_list(st, scope(ctx), all, out, err, CLI_NERR);
}

const struct cli_net_ops cli_net_local = {
	.alert_list = l_alert_list,
	.alert_get = l_alert_get,
	.alert_move = l_alert_move,
	.shadow_list = l_shadow_list,
	.shadow_adopt = l_shadow_adopt,
	.shadow_dismiss = l_shadow_dismiss,
	.bind = l_bind,
	.unbind = l_unbind,
	.bindings = l_bindings,
	.sessions = l_sessions,
};
