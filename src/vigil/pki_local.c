/*
 * The PKI commands on the local store (pki_cli.h): the library's
 * vigil_ca_* / vigil_cert_* / vigil_enroll_* calls, each change with
 * its audit entry in the same transaction (actor "local:<user>"), as
 * backend_local.c does for principals and tokens.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/audit.h"

#include "../vigild/api_pki_json.h"
#include "backend.h"
#include "pki_cli.h"

#define PAGE 1000

const struct cli_pki_ops *
cli_pki(const struct cli_ctx *ctx)
{
	return ctx->be == &cli_backend_remote ? &cli_pki_remote
	                                      : &cli_pki_local;
}

enum vigil_err
cli_local_store(struct cli_ctx *ctx, struct vigil_store **st)
{
	*st = cli_store(ctx);
	return *st != NULL ? VIGIL_OK : VIGIL_ESTORE;
}

enum vigil_err
cli_local_begin(struct cli_ctx *ctx, struct vigil_store **st)
{
	enum vigil_err rc;

	if ((rc = cli_local_store(ctx, st)) != VIGIL_OK)
		return rc;
	return vigil_store_begin(*st);
}

/* The tenant scope of a local call: the chosen tenant, else all. */
static const char *
scope(const struct cli_ctx *ctx)
{
	return ctx->tenant_id[0] != '\0' ? ctx->tenant_id : NULL;
}

enum vigil_err
cli_pki_audit(struct cli_ctx *ctx, const char *tenant, const char *action,
    const char *object, const char *detail)
{
	struct vigil_audit_event ev;

	if (ctx == NULL || ctx->store == NULL)
		return VIGIL_EINVAL;
	memset(&ev, 0, sizeof ev);
	ev.principal = ctx->actor;
	ev.tenant_id = tenant != NULL ? tenant : "";
	ev.action = action;
	ev.object = object;
	ev.outcome = "ok";
	ev.privileged = 1;
	ev.detail = detail;
	return vigil_audit_append(ctx->store, &ev, NULL, NULL);
}

enum vigil_err
cli_local_finish(struct cli_ctx *ctx, enum vigil_err rc, const char *tenant,
    const char *action, const char *object, const char *detail)
{
	if (rc == VIGIL_OK)
		rc = cli_pki_audit(ctx, tenant, action, object, detail);
	if (rc != VIGIL_OK) {
		vigil_store_rollback(ctx->store);
		return rc;
	}
	return vigil_store_commit(ctx->store);
}

enum vigil_err
cli_pki_issuing_ca(struct vigil_store *st, const char *tenant,
    const char *label, struct vigil_ca *out)
{
	struct vigil_ca *cas = NULL;
	enum vigil_err rc;
	size_t n = 0, pick = SIZE_MAX;

	memset(out, 0, sizeof *out);
	if (label != NULL)
		return vigil_ca_get(st, tenant, label, out);
	if ((rc = vigil_ca_list(st, tenant, VIGIL_CA_ISSUING, &cas, &n)) !=
	    VIGIL_OK)
		return rc;
	/* The tenant's own active CA wins over a shared one; the newest
	 * of each kind (the list is in creation order). */
	for (size_t i = 0; i < n; i++) {
		if (cas[i].status != VIGIL_CA_ACTIVE)
			continue;
		if (pick == SIZE_MAX || cas[i].tenant_id[0] != '\0' ||
		    cas[pick].tenant_id[0] == '\0')
			pick = i;
	}
	if (pick == SIZE_MAX) {
		vigil_ca_list_free(cas, n);
		/* No store call words this: the caller says it. */
		return VIGIL_ENOTFOUND;
	}
	*out = cas[pick];
	cas[pick].cert_der = NULL;
	vigil_ca_list_free(cas, n);
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* CAs */

static enum vigil_err
l_ca_list(struct cli_ctx *ctx, json_t **out)
{
	struct vigil_store *st;
	struct vigil_ca *cas = NULL;
	enum vigil_err rc;
	size_t n = 0;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_ca_list(st, scope(ctx), 0, &cas, &n)) != VIGIL_OK)
		return rc;
	if ((*out = json_array()) == NULL)
		rc = VIGIL_ENOMEM;
	for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
		if (json_array_append_new(*out, pki_ca_json(&cas[i], false)) !=
		    0)
			rc = VIGIL_ENOMEM;
	vigil_ca_list_free(cas, n);
	return rc;
}

static enum vigil_err
l_ca_get(struct cli_ctx *ctx, const char *ref, json_t **out)
{
	struct vigil_store *st;
	struct vigil_ca ca;
	enum vigil_err rc;

	*out = NULL;
	memset(&ca, 0, sizeof ca);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_ca_get(st, scope(ctx), ref, &ca)) != VIGIL_OK)
		return rc;
	if ((*out = pki_ca_json(&ca, true)) == NULL)
		rc = VIGIL_ENOMEM;
	else if ((rc = pki_ca_chain(st, &ca, *out)) != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	vigil_ca_clear(&ca);
	return rc;
}

static enum vigil_err
l_ca_policy(struct cli_ctx *ctx, const char *ref, int64_t validity_s,
    int approval, json_t **out)
{
	struct vigil_store *st;
	struct vigil_ca ca;
	enum vigil_err rc;
	char obj[96], det[96];

	*out = NULL;
	memset(&ca, 0, sizeof ca);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_ca_get(st, scope(ctx), ref, &ca)) == VIGIL_OK) {
		if (validity_s >= 0)
			ca.validity_s = (uint32_t)validity_s;
		if (approval >= 0)
			ca.approval = approval;
		rc = vigil_ca_set_policy(st, ca.id, ca.validity_s, ca.approval);
	}
	snprintf(obj, sizeof obj, "ca/%s", ca.id);
	snprintf(det, sizeof det, "validity_s=%u approval=%s", ca.validity_s,
	    ca.approval ? "on" : "off");
	rc = cli_local_finish(ctx, rc, ca.tenant_id, "ca.policy", obj, det);
	vigil_ca_clear(&ca);
	if (rc == VIGIL_OK)
		rc = l_ca_get(ctx, ref, out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Certificates */

/* A device reference to its id: through the registry when a tenant is
 * chosen, else taken as an id. */
static enum vigil_err
device_id(struct cli_ctx *ctx, const char *ref, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device *d = NULL;
	enum vigil_err rc;

	if (scope(ctx) == NULL) {
		snprintf(id, VIGIL_UUID_STRLEN, "%s", ref);
		return VIGIL_OK;
	}
	if ((rc = vigil_device_get(ctx->store, ctx->tenant_id, ref, &d)) !=
	    VIGIL_OK)
		return rc;
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
	return VIGIL_OK;
}

static enum vigil_err
l_cert_list(struct cli_ctx *ctx, const struct cli_cert_query *q, json_t **out)
{
	struct vigil_cert_filter f;
	struct vigil_store *st;
	struct vigil_cert *page;
	char dev[VIGIL_UUID_STRLEN], after[VIGIL_PKI_SERIAL_STRLEN] = "";
	enum vigil_err rc;
	size_t n;

	*out = NULL;
	memset(&f, 0, sizeof f);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if (q->device != NULL) {
		if ((rc = device_id(ctx, q->device, dev)) != VIGIL_OK)
			return rc;
		f.device_id = dev;
	}
	if (q->status != NULL)
		f.status = strcmp(q->status, "good") == 0 ? VIGIL_CERT_GOOD
		           : strcmp(q->status, "revoked") == 0
		               ? VIGIL_CERT_REVOKED
		               : VIGIL_CERT_HOLD;
	if (q->expiring_s > 0) {
		f.expires_before = vigil_time_now_ms() / 1000 + q->expiring_s;
		f.current_only = 1;
	}
	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	do {
		page = NULL;
		n = 0;
		rc =
		    vigil_cert_list(st, scope(ctx), &f, after, PAGE, &page, &n);
		for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
			if (json_array_append_new(
			        *out, pki_cert_json(&page[i], false)) != 0)
				rc = VIGIL_ENOMEM;
		if (n > 0)
			snprintf(after, sizeof after, "%s", page[n - 1].serial);
		vigil_cert_list_free(page, n);
	} while (rc == VIGIL_OK && n == PAGE);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_cert_get(struct cli_ctx *ctx, const char *serial, json_t **out)
{
	struct vigil_store *st;
	struct vigil_cert c;
	enum vigil_err rc;

	*out = NULL;
	memset(&c, 0, sizeof c);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_cert_get(st, scope(ctx), serial, &c)) != VIGIL_OK)
		return rc;
	if ((*out = pki_cert_json(&c, true)) == NULL)
		rc = VIGIL_ENOMEM;
	vigil_cert_clear(&c);
	return rc;
}

/* revoke, hold and release: one transaction with its audit entry. */
static enum vigil_err
cert_change(struct cli_ctx *ctx, const char *serial, int reason, bool release,
    json_t **out)
{
	const char *rname = vigil_crl_reason_name(reason);
	const char *action = release                       ? "cert.release"
	                     : reason == VIGIL_REASON_HOLD ? "cert.hold"
	                                                   : "cert.revoke";
	struct vigil_store *st;
	struct vigil_cert c;
	enum vigil_err rc;
	char obj[80];

	*out = NULL;
	memset(&c, 0, sizeof c);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_cert_get(st, scope(ctx), serial, &c)) == VIGIL_OK)
		rc = release ? vigil_cert_release(st, scope(ctx), c.serial)
		             : vigil_cert_revoke(st, scope(ctx), c.serial,
		                   reason, vigil_time_now_ms());
	snprintf(obj, sizeof obj, "cert/%s", c.serial);
	rc = cli_local_finish(ctx, rc, c.tenant_id, action, obj, release ? NULL : rname);
	vigil_cert_clear(&c);
	if (rc == VIGIL_OK)
		rc = l_cert_get(ctx, serial, out);
	return rc;
}

static enum vigil_err
l_cert_revoke(struct cli_ctx *ctx, const char *serial, int reason, json_t **out)
{
	return cert_change(ctx, serial, reason, false, out);
}

static enum vigil_err
l_cert_release(struct cli_ctx *ctx, const char *serial, json_t **out)
{
	return cert_change(ctx, serial, 0, true, out);
}

static enum vigil_err
l_cert_revoke_device(
    struct cli_ctx *ctx, const char *device, int reason, json_t **out)
{
	struct vigil_store *st;
	char id[VIGIL_UUID_STRLEN], obj[96], det[96];
	enum vigil_err rc;
	size_t n = 0;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = device_id(ctx, device, id)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_cert_revoke_device(
	    st, scope(ctx), id, reason, vigil_time_now_ms(), &n);
	snprintf(obj, sizeof obj, "device/%s", id);
	snprintf(det, sizeof det, "%zu certificate(s), %s", n,
	    vigil_crl_reason_name(reason));
	rc = cli_local_finish(ctx, rc, scope(ctx), "cert.revoke", obj, det);
	if (rc == VIGIL_OK &&
	    (*out = json_pack("{sI}", "revoked", (json_int_t)n)) == NULL)
		rc = VIGIL_ENOMEM;
	return rc;
}

static enum vigil_err
l_cert_audit(struct cli_ctx *ctx, json_t **out)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return pki_cert_audit(st, scope(ctx), vigil_time_now_ms() / 1000, out);
}

static enum vigil_err
l_renew_report(struct cli_ctx *ctx, int64_t within_s, json_t **out)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return pki_renew_report(
	    st, scope(ctx), vigil_time_now_ms() / 1000, within_s, out);
}

/* ------------------------------------------------------------------ */
/* Enrollment */

static enum vigil_err
l_token_create(struct cli_ctx *ctx, const char *device, int64_t ttl_s,
    char token[VIGIL_ENROLL_TOKEN_STRLEN], json_t **out)
{
	struct vigil_enroll_token t;
	struct vigil_store *st;
	char id[VIGIL_UUID_STRLEN], obj[96];
	enum vigil_err rc;

	*out = NULL;
	memset(&t, 0, sizeof t);
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = device_id(ctx, device, id)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_enroll_token_create(
	    st, ctx->tenant_id, id, (uint32_t)ttl_s, ctx->actor, token, &t);
	snprintf(obj, sizeof obj, "enroll-token/%s", t.id);
	rc = cli_local_finish(ctx, rc, ctx->tenant_id, "enroll.token.create", obj, id);
	if (rc == VIGIL_OK &&
	    (*out = pki_token_json(&t, vigil_time_now_ms())) == NULL)
		rc = VIGIL_ENOMEM;
	if (rc != VIGIL_OK)
		OPENSSL_cleanse(token, VIGIL_ENROLL_TOKEN_STRLEN);
	return rc;
}

static enum vigil_err
l_token_list(struct cli_ctx *ctx, json_t **out)
{
	struct vigil_enroll_token *t = NULL;
	struct vigil_store *st;
	enum vigil_err rc;
	int64_t now = vigil_time_now_ms();
	size_t n = 0;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_enroll_token_list(st, scope(ctx), &t, &n)) != VIGIL_OK)
		return rc;
	if ((*out = json_array()) == NULL)
		rc = VIGIL_ENOMEM;
	for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
		if (json_array_append_new(*out, pki_token_json(&t[i], now)) !=
		    0)
			rc = VIGIL_ENOMEM;
	vigil_free(t);
	return rc;
}

static enum vigil_err
l_token_delete(struct cli_ctx *ctx, const char *id)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[96];

	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_enroll_token_delete(st, scope(ctx), id);
	snprintf(obj, sizeof obj, "enroll-token/%s", id);
	return cli_local_finish(ctx, rc, scope(ctx), "enroll.token.delete", obj, NULL);
}

/* "pending", "approved", "rejected", "done", "any" (0). */
static int
state_of(const char *s)
{
	if (s == NULL || strcmp(s, "pending") == 0)
		return VIGIL_ENROLL_PENDING;
	if (strcmp(s, "approved") == 0)
		return VIGIL_ENROLL_APPROVED;
	if (strcmp(s, "rejected") == 0)
		return VIGIL_ENROLL_REJECTED;
	if (strcmp(s, "done") == 0)
		return VIGIL_ENROLL_DONE;
	return 0;
}

static enum vigil_err
l_request_list(struct cli_ctx *ctx, const char *state, json_t **out)
{
	struct vigil_enroll_request *q = NULL;
	struct vigil_store *st;
	enum vigil_err rc;
	size_t n = 0;

	*out = NULL;
	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_enroll_request_list(st, scope(ctx),
	         (enum vigil_enroll_state)state_of(state), &q, &n)) != VIGIL_OK)
		return rc;
	if ((*out = json_array()) == NULL)
		rc = VIGIL_ENOMEM;
	for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
		if (json_array_append_new(*out, pki_request_json(&q[i])) != 0)
			rc = VIGIL_ENOMEM;
	vigil_free(q);
	return rc;
}

static enum vigil_err
l_request_decide(struct cli_ctx *ctx, const char *id, int approve)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[96];

	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_enroll_request_decide(
	    st, scope(ctx), id, approve, ctx->actor, vigil_time_now_ms());
	snprintf(obj, sizeof obj, "enrollment/%s", id);
	return cli_local_finish(ctx, rc, scope(ctx),
	    approve ? "enroll.approve" : "enroll.reject", obj, NULL);
}

static enum vigil_err
l_claim_allow(struct cli_ctx *ctx, const char *ident)
{
	struct vigil_store *st;
	enum vigil_err rc;
	char obj[300];

	if ((rc = cli_local_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_claim_allow(st, ctx->tenant_id, ident);
	snprintf(obj, sizeof obj, "claim/%s", ident);
	return cli_local_finish(ctx, rc, ctx->tenant_id, "enroll.claim.allow", obj, NULL);
}

const struct cli_pki_ops cli_pki_local = {
    .ca_list = l_ca_list,
    .ca_get = l_ca_get,
    .ca_policy = l_ca_policy,
    .cert_list = l_cert_list,
    .cert_get = l_cert_get,
    .cert_revoke = l_cert_revoke,
    .cert_release = l_cert_release,
    .cert_revoke_device = l_cert_revoke_device,
    .cert_audit = l_cert_audit,
    .renew_report = l_renew_report,
    .token_create = l_token_create,
    .token_list = l_token_list,
    .token_delete = l_token_delete,
    .request_list = l_request_list,
    .request_decide = l_request_decide,
    .claim_allow = l_claim_allow,
};

/* ------------------------------------------------------------------ */
/* Files */

bool
cli_pki_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	*data = NULL;
	*len = 0;
	if (f == NULL) {
		cli_err("cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		cli_err("out of memory");
		return false;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		if (n > max)
			cli_err("%s: larger than %zu bytes", path, max);
		else
			cli_err("%s: read error", path);
		fclose(f);
		free(buf);
		return false;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return true;
}
