/*
 * The zero-trust commands on a vigild (zt_cli.h): the tenant's routes
 * /v1/tenants/{tenant}/policies[/{policy}[/versions|rollback|
 * attachments]], policy-attachments, policy-decisions, devices/{device}/
 * quarantine|release|posture|checkins and baselines[/{model}]. Replies
 * are the library renderings the local side builds; the server audits.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/json.h"

#include "remote_be.h"
#include "zt_cli.h"

static enum vigil_err
no_memory(struct cli_ctx *ctx)
{
	return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
}

/* Sets o[key] to the string v unless v is NULL. */
static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		cli_json_set(o, key, cli_json_str(v));
}

/* The device's id: the routes take ids, the user gives names too. */
static enum vigil_err
device_id(struct cli_ctx *ctx, const char *ref, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device *d = NULL;
	enum vigil_err rc;

	if ((rc = r_device_get(ctx, ref, &d)) != VIGIL_OK)
		return rc;
	snprintf(id, VIGIL_UUID_STRLEN, "%s", d->id);
	vigil_device_free(d);
	return VIGIL_OK;
}

/* ---- stored policies ------------------------------------------------ */

static enum vigil_err
r_put(struct cli_ctx *ctx, const char *name, const char *doc, size_t len,
    const char *description, const char *comment, int64_t expected_version,
    json_t **out, char *err)
{
	json_t *body, *d = NULL;
	char jerr[256] = "";

	(void)err;
	*out = NULL;
	/* The server wants the document as JSON; the library's parser
	 * (duplicate keys refused) says what is wrong with it. */
	if (vigil_json_loadb(doc, len, &d, jerr, sizeof jerr) != VIGIL_OK)
		return remote_fail(ctx, VIGIL_EINVAL, CLI_EXIT_FAIL,
		    "policy document: %s", jerr);
	if ((body = json_object()) == NULL) {
		json_decref(d);
		return no_memory(ctx);
	}
	cli_json_set(body, "document", d);
	set_str(body, "description", description);
	set_str(body, "comment", comment);
	if (expected_version > 0)
		cli_json_set(
		    body, "expected_version", json_integer(expected_version));
	return r_area_call(ctx, "PUT", false, "policies", name, NULL, NULL, 0,
	    body, out);
}

static enum vigil_err
r_get(struct cli_ctx *ctx, const char *name, int64_t version, json_t **out,
    char *err)
{
	char v[24];
	const char *q[] = {"version", version > 0 ? v : NULL};

	(void)err;
	snprintf(v, sizeof v, "%lld", (long long)version);
	return r_area_call(ctx, "GET", false, "policies", name, NULL, q, 2,
	    NULL, out);
}

static enum vigil_err
r_list(struct cli_ctx *ctx, json_t **out, char *err)
{
	(void)err;
	return r_area_call(ctx, "GET", false, "policies", NULL, NULL, NULL, 0,
	    NULL, out);
}

static enum vigil_err
r_history(struct cli_ctx *ctx, const char *name, json_t **out, char *err)
{
	(void)err;
	return r_area_call(ctx, "GET", false, "policies", name, "versions",
	    NULL, 0, NULL, out);
}

static enum vigil_err
r_rollback(struct cli_ctx *ctx, const char *name, int64_t version,
    const char *comment, json_t **out, char *err)
{
	json_t *body = json_object();

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	cli_json_set(body, "version", json_integer(version));
	set_str(body, "comment", comment);
	return r_area_call(ctx, "POST", false, "policies", name, "rollback",
	    NULL, 0, body, out);
}

static enum vigil_err
r_remove(struct cli_ctx *ctx, const char *name, char *err)
{
	(void)err;
	return r_area_call(ctx, "DELETE", false, "policies", name, NULL, NULL,
	    0, NULL, NULL);
}

static enum vigil_err
r_attach(struct cli_ctx *ctx, const char *name, enum vigil_attach_kind kind,
    const char *target, json_t **out, char *err)
{
	json_t *body = json_object();

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	cli_json_set(body, "kind", cli_json_str(vigil_attach_kind_name(kind)));
	cli_json_set(body, "target", cli_json_str(target));
	return r_area_call(ctx, "POST", false, "policies", name, "attachments",
	    NULL, 0, body, out);
}

static enum vigil_err
r_detach(struct cli_ctx *ctx, const char *name, enum vigil_attach_kind kind,
    const char *target, char *err)
{
	const char *q[] = {
	    "kind", vigil_attach_kind_name(kind), "target", target};

	(void)err;
	return r_area_call(ctx, "DELETE", false, "policies", name,
	    "attachments", q, 4, NULL, NULL);
}

static enum vigil_err
r_attachments(struct cli_ctx *ctx, const char *name, json_t **out, char *err)
{
	const char *q[] = {"policy", name};

	(void)err;
	return r_area_call(ctx, "GET", false, "policy-attachments", NULL, NULL,
	    q, 2, NULL, out);
}

/* ---- decisions ------------------------------------------------------ */

static enum vigil_err
r_explain(
    struct cli_ctx *ctx, const struct cli_zt_query *q, json_t **out, char *err)
{
	json_t *body = json_object(), *cx = NULL;

	(void)err;
	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	set_str(body, "action", q->action);
	set_str(body, "resource", q->resource);
	set_str(body, "device", q->device);
	set_str(body, "cert_serial", q->cert_serial);
	set_str(body, "client_id", q->client_id);
	set_str(body, "source_ip", q->source_ip);
	set_str(body, "country", q->country);
	if (q->nctx > 0) {
		if ((cx = json_object()) == NULL) {
			json_decref(body);
			return no_memory(ctx);
		}
		for (size_t i = 0; i < q->nctx; i++)
			cli_json_set(
			    cx, q->ctx[i].key, cli_json_str(q->ctx[i].value));
		cli_json_set(body, "context", cx);
	}
	return r_area_call(ctx, "POST", false, "policy-decisions", NULL, NULL,
	    NULL, 0, body, out);
}

/* ---- devices -------------------------------------------------------- */

static enum vigil_err
r_quarantine(struct cli_ctx *ctx, const char *device, bool on,
    const char *reason, struct vigil_device **out, char *err)
{
	char id[VIGIL_UUID_STRLEN];
	json_t *body, *res = NULL;
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = device_id(ctx, device, id)) != VIGIL_OK)
		return rc;
	if ((body = json_object()) == NULL)
		return no_memory(ctx);
	set_str(body, "reason", reason);
	rc = r_area_call(ctx, "POST", false, "devices", id,
	    on ? "quarantine" : "release",
	    NULL, 0, body, &res);
	if (rc == VIGIL_OK)
		rc = rjson_device(ctx, res, out);
	json_decref(res);
	return rc;
}

static enum vigil_err
r_posture(struct cli_ctx *ctx, const char *device, json_t **out, char *err)
{
	char id[VIGIL_UUID_STRLEN];
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = device_id(ctx, device, id)) != VIGIL_OK)
		return rc;
	return r_area_call(ctx, "GET", false, "devices", id, "posture", NULL,
	    0, NULL, out);
}

static enum vigil_err
r_checkins(struct cli_ctx *ctx, const char *device, unsigned limit,
    json_t **out, char *err)
{
	char id[VIGIL_UUID_STRLEN], n[16];
	const char *q[] = {"limit", n};
	enum vigil_err rc;

	(void)err;
	*out = NULL;
	if ((rc = device_id(ctx, device, id)) != VIGIL_OK)
		return rc;
	snprintf(n, sizeof n, "%u", limit);
	return r_area_call(ctx, "GET", false, "devices", id, "checkins", q, 2,
	    NULL, out);
}

/* ---- model baselines ------------------------------------------------ */

static enum vigil_err
r_baseline_set(struct cli_ctx *ctx, const char *model, const char *const *ports,
    size_t nports, const char *firmware_current, json_t **out, char *err)
{
	json_t *body = json_object(), *p = json_array();

	(void)err;
	*out = NULL;
	if (body == NULL || p == NULL) {
		json_decref(body);
		json_decref(p);
		return no_memory(ctx);
	}
	for (size_t i = 0; i < nports; i++)
		json_array_append_new(p, cli_json_str(ports[i]));
	cli_json_set(body, "ports", p);
	set_str(body, "firmware_current", firmware_current);
	return r_area_call(ctx, "PUT", false, "baselines", model, NULL, NULL,
	    0, body, out);
}

static enum vigil_err
r_baselines(struct cli_ctx *ctx, json_t **out, char *err)
{
	(void)err;
	return r_area_call(ctx, "GET", false, "baselines", NULL, NULL, NULL, 0,
	    NULL, out);
}

const struct cli_zt_ops cli_zt_remote = {
    .put = r_put,
    .get = r_get,
    .list = r_list,
    .history = r_history,
    .rollback = r_rollback,
    .remove = r_remove,
    .attach = r_attach,
    .detach = r_detach,
    .attachments = r_attachments,
    .explain = r_explain,
    .quarantine = r_quarantine,
    .posture = r_posture,
    .checkins = r_checkins,
    .baseline_set = r_baseline_set,
    .baselines = r_baselines,
};
