/*
 * The network monitoring commands on a vigild (net_cli.h): the tenant's
 * routes /v1/tenants/{tenant}/alerts[/{id}[/ack|close]], shadow[/{id}/
 * adopt|dismiss], net-bindings and sessions, and the platform's
 * /v1/alerts. Replies are the library renderings the local side
 * builds; the server audits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "remote_be.h"
#include "net_cli.h"

static enum vigil_err
no_memory(struct cli_ctx *ctx)
{
	return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		cli_json_set(o, key, cli_json_str(v));
}

/* ---- alerts ------------------------------------------------------------ */

static enum vigil_err
r_alert_list(struct cli_ctx *ctx, const struct cli_alert_query *q,
    json_t **out, char *err)
{
	char limit[16];
	const char *qs[] = { "state", q->state, "kind", q->kind, "device",
		q->device, "severity", q->severity, "since", q->since,
		"limit", q->limit > 0 ? limit : NULL,
		"all", q->all ? "1" : NULL };

	(void)err;
	snprintf(limit, sizeof limit, "%u", q->limit);
	return r_area_call(ctx, "GET", q->all_tenants, "alerts", NULL, NULL, qs,
	    sizeof qs / sizeof qs[0], NULL, out);
}

static enum vigil_err
r_alert_get(struct cli_ctx *ctx, int64_t id, json_t **out, char *err)
{
	char ref[24];

	(void)err;
	snprintf(ref, sizeof ref, "%" PRId64, id);
	return r_area_call(ctx, "GET", false, "alerts", ref, NULL, NULL, 0, NULL, out);
}

static enum vigil_err
r_alert_move(struct cli_ctx *ctx, int64_t id, bool close, const char *note,
    json_t **out, char *err)
{
	json_t *body = json_object();
	char ref[24];

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	set_str(body, "note", note);
	snprintf(ref, sizeof ref, "%" PRId64, id);
	return r_area_call(ctx, "POST", false, "alerts", ref, close ? "close" : "ack",
	    NULL, 0, body, out);
}

/* ---- shadow IoT -------------------------------------------------------- */

static enum vigil_err
r_shadow_list(struct cli_ctx *ctx, bool all, json_t **out, char *err)
{
	const char *qs[] = { "all", all ? "1" : NULL };

	(void)err;
	return r_area_call(ctx, "GET", false, "shadow", NULL, NULL, qs, 2, NULL, out);
}

static enum vigil_err
r_shadow_adopt(struct cli_ctx *ctx, int64_t id, const char *name,
    const char *model, json_t **out, char *err)
{
	json_t *body = json_object();
	char ref[24];

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	set_str(body, "name", name);
	set_str(body, "model", model);
	snprintf(ref, sizeof ref, "%" PRId64, id);
	return r_area_call(ctx, "POST", false, "shadow", ref, "adopt", NULL, 0, body,
	    out);
}

static enum vigil_err
r_shadow_dismiss(struct cli_ctx *ctx, int64_t id, const char *note,
    char *err)
{
	json_t *body = json_object();
	char ref[24];

	(void)err;
	if (body == NULL)
		return no_memory(ctx);
	set_str(body, "note", note);
	snprintf(ref, sizeof ref, "%" PRId64, id);
	return r_area_call(ctx, "POST", false, "shadow", ref, "dismiss", NULL, 0,
	    body, NULL);
}

/* ---- bindings and sessions --------------------------------------------- */

static enum vigil_err
r_bind(struct cli_ctx *ctx, const char *cidr, const char *device,
    const char *site, json_t **out, char *err)
{
	json_t *body = json_object();

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	set_str(body, "cidr", cidr);
	set_str(body, "device", device);
	set_str(body, "site", site);
	return r_area_call(ctx, "PUT", false, "net-bindings", NULL, NULL, NULL, 0,
	    body, out);
}

static enum vigil_err
r_unbind(struct cli_ctx *ctx, const char *cidr, char *err)
{
	const char *qs[] = { "cidr", cidr };

	(void)err;
	return r_area_call(ctx, "DELETE", false, "net-bindings", NULL, NULL, qs, 2,
	    NULL, NULL);
}

static enum vigil_err
r_bindings(struct cli_ctx *ctx, json_t **out, char *err)
{
	(void)err;
	return r_area_call(ctx, "GET", false, "net-bindings", NULL, NULL, NULL, 0,
	    NULL, out);
}

static enum vigil_err
r_sessions(struct cli_ctx *ctx, bool all, json_t **out, char *err)
{
	const char *qs[] = { "all", all ? "1" : NULL };

	(void)err;
	return r_area_call(ctx, "GET", false, "sessions", NULL, NULL, qs, 2, NULL,
	    out);
}

const struct cli_net_ops cli_net_remote = {
	.alert_list = r_alert_list,
	.alert_get = r_alert_get,
	.alert_move = r_alert_move,
	.shadow_list = r_shadow_list,
	.shadow_adopt = r_shadow_adopt,
	.shadow_dismiss = r_shadow_dismiss,
	.bind = r_bind,
	.unbind = r_unbind,
	.bindings = r_bindings,
	.sessions = r_sessions,
};
