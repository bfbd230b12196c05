/*
 * The PKI commands on a vigild (pki_cli.h): the tenant's routes
 * /v1/tenants/{tenant}/cas, /certs, /certs-audit, /certs-renewal,
 * /enrollment-tokens, /enrollments and /claims, and issuance (POST
 * /certs, /devices/{device}/certs). Replies are the same
 * renderings the local side builds (api_pki_json.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/json.h"

#include "pki_cli.h"
#include "remote_be.h"

static enum vigil_err
no_memory(struct cli_ctx *ctx)
{
	return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
}

/* method on /v1/tenants/<tenant>/<area>[/<ref>][/<tail>]; releases
 * body; the reply to *out (dropped when out is NULL). */
static enum vigil_err
call(struct cli_ctx *ctx, const char *method, const char *area, const char *ref,
    const char *tail, json_t *body, json_t **out)
{
	struct vigil_buf b;
	json_t *res = NULL;
	enum vigil_err rc;

	if ((rc = r_scoped_path(ctx, &b, ctx->tenant_id, area, ref, tail)) !=
	    VIGIL_OK) {
		json_decref(body);
		return rc;
	}
	rc = remote_json(ctx, method, b.data, body, out != NULL ? out : &res);
	json_decref(res);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

/* Every item of a listing at area with optional query pairs. */
static enum vigil_err
list(struct cli_ctx *ctx, const char *area, const char *const *query,
    json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = r_scoped_path(ctx, &b, ctx->tenant_id, area, NULL, NULL)) !=
	    VIGIL_OK)
		return rc;
	for (size_t i = 0; query != NULL && query[i] != NULL && rc == VIGIL_OK;
	     i += 2)
		rc = rpath_query(&b, query[i], query[i + 1]);
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return r_path_err(ctx, rc);
	}
	rc = r_get_all(ctx, b.data, out);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_ca_list(struct cli_ctx *ctx, json_t **out)
{
	return list(ctx, "cas", NULL, out);
}

static enum vigil_err
r_ca_get(struct cli_ctx *ctx, const char *ref, json_t **out)
{
	*out = NULL;
	return call(ctx, "GET", "cas", ref, NULL, NULL, out);
}

static enum vigil_err
r_ca_policy(struct cli_ctx *ctx, const char *ref, int64_t validity_s,
    int approval, json_t **out)
{
	json_t *body = json_object();

	*out = NULL;
	if (body == NULL)
		return no_memory(ctx);
	if (validity_s >= 0)
		cli_json_set(body, "validity_s", json_integer(validity_s));
	if (approval >= 0)
		cli_json_set(body, "approval", json_boolean(approval));
	return call(ctx, "PATCH", "cas", ref, NULL, body, out);
}

static enum vigil_err
r_cert_list(struct cli_ctx *ctx, const struct cli_cert_query *q, json_t **out)
{
	const char *query[8];
	char exp[32];
	size_t n = 0;

	if (q->device != NULL) {
		query[n++] = "device";
		query[n++] = q->device;
	}
	if (q->status != NULL) {
		query[n++] = "status";
		query[n++] = q->status;
	}
	if (q->expiring_s > 0) {
		snprintf(exp, sizeof exp, "%lld", (long long)q->expiring_s);
		query[n++] = "expiring_s";
		query[n++] = exp;
	}
	query[n] = NULL;
	return list(ctx, "certs", query, out);
}

static enum vigil_err
r_cert_get(struct cli_ctx *ctx, const char *serial, json_t **out)
{
	*out = NULL;
	return call(ctx, "GET", "certs", serial, NULL, NULL, out);
}

static enum vigil_err
r_cert_revoke(struct cli_ctx *ctx, const char *serial, int reason, json_t **out)
{
	json_t *body = NULL;

	*out = NULL;
	if (reason == VIGIL_REASON_HOLD)
		return call(ctx, "POST", "certs", serial, "hold", NULL, out);
	if ((body = json_pack(
	         "{ss}", "reason", vigil_crl_reason_name(reason))) == NULL)
		return no_memory(ctx);
	return call(ctx, "POST", "certs", serial, "revoke", body, out);
}

static enum vigil_err
r_cert_release(struct cli_ctx *ctx, const char *serial, json_t **out)
{
	*out = NULL;
	return call(ctx, "POST", "certs", serial, "release", NULL, out);
}

/* No route revokes by device: the device's good and held certificates
 * are revoked one by one (each audited by the server). */
static enum vigil_err
r_cert_revoke_device(
    struct cli_ctx *ctx, const char *device, int reason, json_t **out)
{
	struct cli_cert_query q;
	json_t *certs = NULL, *c, *res;
	enum vigil_err rc;
	size_t i, n = 0;

	*out = NULL;
	memset(&q, 0, sizeof q);
	q.device = device;
	if ((rc = r_cert_list(ctx, &q, &certs)) != VIGIL_OK)
		return rc;
	json_array_foreach(certs, i, c)
	{
		const char *st =
		    json_string_value(json_object_get(c, "status"));
		const char *serial =
		    json_string_value(json_object_get(c, "serial"));

		if (serial == NULL || st == NULL || strcmp(st, "revoked") == 0)
			continue;
		if ((rc = r_cert_revoke(ctx, serial, reason, &res)) != VIGIL_OK)
			break;
		json_decref(res);
		n++;
	}
	json_decref(certs);
	if (rc == VIGIL_OK &&
	    (*out = json_pack("{sI}", "revoked", (json_int_t)n)) == NULL)
		rc = no_memory(ctx);
	return rc;
}

static enum vigil_err
r_cert_audit(struct cli_ctx *ctx, json_t **out)
{
	*out = NULL;
	return call(ctx, "GET", "certs-audit", NULL, NULL, NULL, out);
}

static enum vigil_err
r_renew_report(struct cli_ctx *ctx, int64_t within_s, json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;
	char w[32];

	*out = NULL;
	snprintf(w, sizeof w, "%lld", (long long)within_s);
	if ((rc = r_scoped_path(ctx, &b, ctx->tenant_id, "certs-renewal", NULL,
	         NULL)) != VIGIL_OK)
		return rc;
	if ((rc = rpath_query(&b, "within_s", w)) != VIGIL_OK) {
		vigil_buf_free(&b);
		return r_path_err(ctx, rc);
	}
	rc = remote_json(ctx, "GET", b.data, NULL, out);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_token_create(struct cli_ctx *ctx, const char *device, int64_t ttl_s,
    char token[VIGIL_ENROLL_TOKEN_STRLEN], json_t **out)
{
	json_t *body, *res = NULL;
	const char *t;
	enum vigil_err rc;

	*out = NULL;
	token[0] = '\0';
	if ((body = json_pack("{sssI}", "device", device, "ttl_s",
	         (json_int_t)ttl_s)) == NULL)
		return no_memory(ctx);
	if ((rc = call(ctx, "POST", "enrollment-tokens", NULL, NULL, body,
	         &res)) != VIGIL_OK)
		return rc;
	t = json_string_value(json_object_get(res, "token"));
	if (t == NULL || strlen(t) >= VIGIL_ENROLL_TOKEN_STRLEN) {
		json_decref(res);
		return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN,
		    "the "
		    "server's reply has no enrollment token");
	}
	snprintf(token, VIGIL_ENROLL_TOKEN_STRLEN, "%s", t);
	vigil_json_wipe_str(res, "token");
	json_object_del(res, "token");
	*out = res;
	return VIGIL_OK;
}

static enum vigil_err
r_token_list(struct cli_ctx *ctx, json_t **out)
{
	return list(ctx, "enrollment-tokens", NULL, out);
}

static enum vigil_err
r_token_delete(struct cli_ctx *ctx, const char *id)
{
	return call(ctx, "DELETE", "enrollment-tokens", id, NULL, NULL, NULL);
}

static enum vigil_err
r_request_list(struct cli_ctx *ctx, const char *state, json_t **out)
{
	const char *query[] = {
	    "state", state != NULL ? state : "pending", NULL};

	return list(ctx, "enrollments", query, out);
}

static enum vigil_err
r_request_decide(struct cli_ctx *ctx, const char *id, int approve)
{
	return call(ctx, "POST", "enrollments", id,
	    approve ? "approve" : "reject", NULL, NULL);
}

static enum vigil_err
r_claim_allow(struct cli_ctx *ctx, const char *ident)
{
	json_t *body = json_pack("{ss}", "identifier", ident);

	if (body == NULL)
		return no_memory(ctx);
	return call(ctx, "POST", "claims", NULL, NULL, body, NULL);
}

const struct cli_pki_ops cli_pki_remote = {
    .ca_list = r_ca_list,
    .ca_get = r_ca_get,
    .ca_policy = r_ca_policy,
    .cert_list = r_cert_list,
    .cert_get = r_cert_get,
    .cert_revoke = r_cert_revoke,
    .cert_release = r_cert_release,
    .cert_revoke_device = r_cert_revoke_device,
    .cert_audit = r_cert_audit,
    .renew_report = r_renew_report,
    .token_create = r_token_create,
    .token_list = r_token_list,
    .token_delete = r_token_delete,
    .request_list = r_request_list,
    .request_decide = r_request_decide,
    .claim_allow = r_claim_allow,
};

/* Issuance through the signer (the reply waits for it). */
enum vigil_err
cli_pki_remote_issue(struct cli_ctx *ctx, const char *device, json_t *body,
    json_t **out)
{
	*out = NULL;
	if (device != NULL)
		return call(ctx, "POST", "devices", device, "certs", body, out);
	return call(ctx, "POST", "certs", NULL, NULL, body, out);
}
