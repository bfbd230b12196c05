/*
 * API handlers of the device PKI's operator side: a tenant's CAs
 * (read, enrollment policy), issued certificates (list, show, revoke,
 * hold, release, hygiene reports), enrollment tokens, approvals and the
 * claim allow-list. The API never sees key material: CAs are created
 * with `vigil ca init` on the data directory, and certificates are
 * signed by the signer process.
 *
 * Every store call takes the request's tenant scope, so another
 * tenant's certificate is 404. Every change is audited in its own
 * transaction (api_tx.h); revoke, hold and release also publish an
 * EPOCH_KIND_REVOCATION epoch (gateways refresh their revocation set
 * at once) and ask the signer for a fresh CRL of the CA.
 *
 * Issuance from a CSR is in api_pki_issue.c (the signer answers
 * asynchronously: those handlers defer their reply, reqctx.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api.h"
#include "api_json.h"
#include "api_pki_json.h"
#include "api_tx.h"
#include "ca_client.h"
#include "epoch.h"
#include "ipc.h"
#include "log.h"
#include "net.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/json.h"

#define DAY INT64_C(86400)
#define PAGE_MAX 1000

/* ------------------------------------------------------------------ */
/* Helpers */

static int64_t
now_s(void)
{
	return vigil_time_now_ms() / 1000;
}

static void
reply_store_err(struct req *r, enum vigil_err e)
{
	req_reply_err(r, e, vigil_store_errmsg(r->st));
}

/* Tells the gateways and the signer that a certificate's status
 * changed: an EPOCH_KIND_REVOCATION epoch (the audit sequence number of
 * the change) through the parent, and a CRL refresh of its CA. Both
 * are best effort: the gateways also poll the revocation generation
 * and the signer regenerates CRLs on a schedule. */
static void
revocation_changed(struct req *r, const char *serial, const char *ca_id)
{
	char err[128];

	epoch_publish(r->w, r->w->rs.change_seq, EPOCH_KIND_REVOCATION,
	    "cert/%s", serial);
	if (r->w->cac != NULL &&
	    ca_client_crl(r->w->cac, ca_id, NULL, NULL, err, sizeof err) != 0)
		vlog(VLOG_WARN, "pki.crl",
		    "request %s: CRL refresh of CA %s "
		    "not sent: %s",
		    r->request_id, ca_id, err);
}

static json_t *
array_or_null(json_t *a, bool ok)
{
	if (!ok) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* CAs */

void
api_ca_list(struct req *r)
{
	struct vigil_ca *cas = NULL;
	json_t *a = json_array();
	enum vigil_err e;
	size_t n = 0;
	bool ok = a != NULL;

	if ((e = vigil_ca_list(r->st, r->scope, 0, &cas, &n)) != VIGIL_OK) {
		json_decref(a);
		reply_store_err(r, e);
		return;
	}
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(a, pki_ca_json(&cas[i], false)) == 0;
	vigil_ca_list_free(cas, n);
	api_reply_page(r, array_or_null(a, ok), NULL);
}

void
api_ca_get(struct req *r)
{
	struct vigil_ca ca;
	enum vigil_err e;
	json_t *o;

	memset(&ca, 0, sizeof ca);
	if ((e = vigil_ca_get(r->st, r->scope, req_param(r, "ca"), &ca)) !=
	    VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	o = pki_ca_json(&ca, true);
	if (o != NULL && pki_ca_chain(r->st, &ca, o) != VIGIL_OK) {
		json_decref(o);
		o = NULL;
	}
	vigil_ca_clear(&ca);
	api_reply(r, 200, o);
}

void
api_ca_update(struct req *r)
{
	static const char *const keys[] = {"validity_s", "approval", NULL};
	struct vigil_ca ca;
	int64_t validity = 0;
	bool has_validity = false;
	int approval = -1;
	char obj[96], det[96];
	json_t *body = NULL, *o;
	enum vigil_err e;

	memset(&ca, 0, sizeof ca);
	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_int(r, body, "validity_s", 0, 397 * DAY, false, &validity,
	        &has_validity) < 0 ||
	    aj_bool(r, body, "approval", &approval) < 0)
		goto out;
	if (has_validity && validity != 0 && validity < 3600) {
		aj_field_problem(r, "validity_s",
		    "expected 0 (the profile's "
		    "default) or 3600 to %d seconds",
		    (int)(397 * DAY));
		goto out;
	}
	if ((e = vigil_ca_get(r->st, r->scope, req_param(r, "ca"), &ca)) !=
	    VIGIL_OK) {
		reply_store_err(r, e);
		goto out;
	}
	snprintf(obj, sizeof obj, "ca/%s", ca.id);
	if (ca.role != VIGIL_CA_ISSUING) {
		api_fail_problem(r, 409, "conflict", "ca.policy", obj, "failed",
		    "only an issuing CA has an enrollment policy");
		goto out;
	}
	/* A shared CA is the platform's: one tenant may not change it
	 * for all the others. */
	if (ca.tenant_id[0] == '\0' && !api_caller_is_platform(r)) {
		api_fail_problem(r, 403, "forbidden", "ca.policy", obj,
		    "denied",
		    "the CA is shared by all tenants; only a "
		    "platform administrator changes its policy");
		goto out;
	}
	if (has_validity)
		ca.validity_s = (uint32_t)validity;
	if (approval >= 0)
		ca.approval = approval;
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_ca_set_policy(
	         r->st, ca.id, ca.validity_s, ca.approval)) != VIGIL_OK) {
		api_fail(r, e, "ca.policy", obj);
		goto out;
	}
	snprintf(det, sizeof det, "validity_s=%u approval=%s", ca.validity_s,
	    ca.approval ? "on" : "off");
	if (api_commit(r, "ca.policy", obj, det) < 0)
		goto out;
	o = pki_ca_json(&ca, false);
	api_reply(r, 200, o);
out:
	vigil_ca_clear(&ca);
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Certificates */

void
api_cert_list(struct req *r)
{
	struct vigil_cert_filter f;
	struct vigil_device *d = NULL;
	struct vigil_cert *certs = NULL;
	const char *dev, *status, *cursor;
	char devid[VIGIL_UUID_STRLEN];
	int64_t expiring;
	size_t limit, n = 0;
	enum vigil_err e;
	json_t *a;
	bool ok;

	memset(&f, 0, sizeof f);
	if (aq_str(r, "device", 512, &dev) < 0 ||
	    aq_str(r, "status", 16, &status) < 0 ||
	    aq_str(r, "cursor", VIGIL_PKI_SERIAL_STRLEN - 1, &cursor) < 0 ||
	    aq_int(r, "expiring_s", 0, (int64_t)3650 * DAY, 0, &expiring) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	if (status != NULL) {
		if (strcmp(status, "good") == 0)
			f.status = VIGIL_CERT_GOOD;
		else if (strcmp(status, "revoked") == 0)
			f.status = VIGIL_CERT_REVOKED;
		else if (strcmp(status, "hold") == 0)
			f.status = VIGIL_CERT_HOLD;
		else {
			aq_problem(r, "status",
			    "expected good, revoked or "
			    "hold");
			return;
		}
	}
	if (dev != NULL) {
		if ((e = vigil_device_get(r->st, r->scope, dev, &d)) !=
		    VIGIL_OK) {
			reply_store_err(r, e);
			return;
		}
		memcpy(devid, d->id, sizeof devid);
		vigil_device_free(d);
		f.device_id = devid;
	}
	if (expiring > 0) {
		f.expires_before = now_s() + expiring;
		f.current_only = 1;
	}
	if (limit > PAGE_MAX)
		limit = PAGE_MAX;
	if ((e = vigil_cert_list(r->st, r->scope, &f,
	         cursor != NULL ? cursor : "", limit, &certs, &n)) !=
	    VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	a = json_array();
	ok = a != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(
		         a, pki_cert_json(&certs[i], false)) == 0;
	api_reply_page(r, array_or_null(a, ok),
	    n == limit && n > 0 ? certs[n - 1].serial : NULL);
	vigil_cert_list_free(certs, n);
}

void
api_cert_get(struct req *r)
{
	struct vigil_cert c;
	enum vigil_err e;

	memset(&c, 0, sizeof c);
	if ((e = vigil_cert_get(r->st, r->scope, req_param(r, "serial"), &c)) !=
	    VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	api_reply(r, 200, pki_cert_json(&c, true));
	vigil_cert_clear(&c);
}

/* revoke (reason), hold (VIGIL_REASON_HOLD) or release (reason -1). */
static void
cert_change(struct req *r, int reason, const char *action)
{
	const char *serial = req_param(r, "serial");
	char obj[80], sn[VIGIL_PKI_SERIAL_STRLEN], ca_id[VIGIL_UUID_STRLEN];
	struct vigil_cert c;
	enum vigil_err e;

	memset(&c, 0, sizeof c);
	/* 404 for another tenant's serial before anything is opened. */
	if ((e = vigil_cert_get(r->st, r->scope, serial, &c)) != VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	memcpy(sn, c.serial, sizeof sn);
	memcpy(ca_id, c.ca_id, sizeof ca_id);
	vigil_cert_clear(&c);
	snprintf(obj, sizeof obj, "cert/%s", sn);
	if (api_begin(r) < 0)
		return;
	e = reason < 0 ? vigil_cert_release(r->st, r->scope, sn)
	               : vigil_cert_revoke(
	                     r->st, r->scope, sn, reason, vigil_time_now_ms());
	if (e != VIGIL_OK) {
		api_fail(r, e, action, obj);
		return;
	}
	if (api_commit(r, action, obj,
	        reason < 0 ? NULL : vigil_crl_reason_name(reason)) < 0)
		return;
	revocation_changed(r, sn, ca_id);
	if ((e = vigil_cert_get(r->st, r->scope, serial, &c)) != VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	api_reply(r, 200, pki_cert_json(&c, false));
	vigil_cert_clear(&c);
}

void
api_cert_revoke(struct req *r)
{
	static const char *const keys[] = {"reason", NULL};
	const char *name = NULL;
	json_t *body = NULL;
	int reason = VIGIL_REASON_UNSPECIFIED;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "reason", 64, false, &name) < 0)
		goto out;
	if (name != NULL && ((reason = vigil_crl_reason_from_name(name)) < 0 ||
	                        reason == VIGIL_REASON_HOLD)) {
		aj_field_problem(r, "reason",
		    reason == VIGIL_REASON_HOLD
		        ? "certificateHold is a suspension: POST .../hold"
		        : "expected an RFC 5280 reason: unspecified, "
		          "keyCompromise, "
		          "caCompromise, affiliationChanged, superseded, "
		          "cessationOfOperation, privilegeWithdrawn or "
		          "aACompromise");
		goto out;
	}
	cert_change(r, reason, "cert.revoke");
out:
	json_decref(body);
}

void
api_cert_hold(struct req *r)
{
	cert_change(r, VIGIL_REASON_HOLD, "cert.hold");
}

void
api_cert_release(struct req *r)
{
	cert_change(r, -1, "cert.release");
}

void
api_cert_audit(struct req *r)
{
	json_t *o = NULL;
	enum vigil_err e;

	if ((e = pki_cert_audit(r->st, r->scope, now_s(), &o)) != VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	api_reply(r, 200, o);
}

void
api_cert_renewal(struct req *r)
{
	json_t *o = NULL;
	int64_t within;
	enum vigil_err e;

	if (aq_int(r, "within_s", 1, (int64_t)3650 * DAY, 7 * DAY, &within) < 0)
		return;
	if ((e = pki_renew_report(r->st, r->scope, now_s(), within, &o)) !=
	    VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	api_reply(r, 200, o);
}

/* ------------------------------------------------------------------ */
/* Enrollment tokens, approvals, claims */

void
api_enroll_token_create(struct req *r)
{
	static const char *const keys[] = {"device", "ttl_s", NULL};
	static char token[VIGIL_ENROLL_TOKEN_STRLEN];
	struct vigil_enroll_token t;
	struct vigil_device *d = NULL;
	const char *dev;
	int64_t ttl = DAY;
	bool has_ttl;
	char obj[96], loc[160];
	json_t *body = NULL, *o;
	enum vigil_err e;

	memset(&t, 0, sizeof t);
	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "device", 512, true, &dev) < 0 ||
	    aj_int(r, body, "ttl_s", 60, 30 * DAY, false, &ttl, &has_ttl) < 0)
		goto out;
	if (!has_ttl)
		ttl = DAY;
	if ((e = vigil_device_get(r->st, r->scope, dev, &d)) != VIGIL_OK) {
		reply_store_err(r, e);
		goto out;
	}
	snprintf(obj, sizeof obj, "device/%s", d->id);
	if (api_begin(r) < 0)
		goto out;
	if ((e = vigil_enroll_token_create(r->st, r->scope, d->id,
	         (uint32_t)ttl, req_actor(r), token, &t)) != VIGIL_OK) {
		api_fail(r, e, "enroll.token.create", obj);
		goto out;
	}
	snprintf(obj, sizeof obj, "enroll-token/%s", t.id);
	if (api_commit(r, "enroll.token.create", obj, d->id) < 0)
		goto out;
	o = pki_token_json(&t, vigil_time_now_ms());
	if (o != NULL)
		json_object_set_new(o, "token", json_string(token));
	snprintf(loc, sizeof loc, "/v1/tenants/%s/enrollment-tokens/%s",
	    r->scope, t.id);
	req_header(r, "Location", loc);
	/* The secret is in the reply once; the copies here are wiped. */
	api_reply(r, 201, json_incref(o));
	vigil_json_wipe_str(o, "token");
	json_decref(o);
out:
	OPENSSL_cleanse(token, sizeof token);
	vigil_device_free(d);
	json_decref(body);
}

void
api_enroll_token_list(struct req *r)
{
	struct vigil_enroll_token *t = NULL;
	int64_t now = vigil_time_now_ms();
	json_t *a = json_array();
	enum vigil_err e;
	size_t n = 0;
	bool ok = a != NULL;

	if ((e = vigil_enroll_token_list(r->st, r->scope, &t, &n)) !=
	    VIGIL_OK) {
		json_decref(a);
		reply_store_err(r, e);
		return;
	}
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(a, pki_token_json(&t[i], now)) == 0;
	vigil_free(t);
	api_reply_page(r, array_or_null(a, ok), NULL);
}

void
api_enroll_token_delete(struct req *r)
{
	const char *id = req_param(r, "id");
	char obj[96];

	snprintf(obj, sizeof obj, "enroll-token/%s", id);
	if (api_begin(r) < 0)
		return;
	api_finish_204(r, vigil_enroll_token_delete(r->st, r->scope, id),
	    "enroll.token.delete", obj, NULL);
}

void
api_enroll_list(struct req *r)
{
	struct vigil_enroll_request *q = NULL;
	const char *s;
	int state = VIGIL_ENROLL_PENDING;
	json_t *a;
	enum vigil_err e;
	size_t n = 0;
	bool ok;

	if (aq_str(r, "state", 16, &s) < 0)
		return;
	if (s == NULL || strcmp(s, "pending") == 0)
		state = VIGIL_ENROLL_PENDING;
	else if (strcmp(s, "approved") == 0)
		state = VIGIL_ENROLL_APPROVED;
	else if (strcmp(s, "rejected") == 0)
		state = VIGIL_ENROLL_REJECTED;
	else if (strcmp(s, "done") == 0)
		state = VIGIL_ENROLL_DONE;
	else if (strcmp(s, "any") == 0)
		state = 0;
	else {
		aq_problem(r, "state",
		    "expected pending, approved, rejected, "
		    "done or any");
		return;
	}
	if ((e = vigil_enroll_request_list(r->st, r->scope,
	         (enum vigil_enroll_state)state, &q, &n)) != VIGIL_OK) {
		reply_store_err(r, e);
		return;
	}
	a = json_array();
	ok = a != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(a, pki_request_json(&q[i])) == 0;
	vigil_free(q);
	api_reply_page(r, array_or_null(a, ok), NULL);
}

static void
decide(struct req *r, int approve)
{
	const char *id = req_param(r, "id");
	const char *action = approve ? "enroll.approve" : "enroll.reject";
	char obj[96];

	snprintf(obj, sizeof obj, "enrollment/%s", id);
	if (api_begin(r) < 0)
		return;
	api_finish_204(r,
	    vigil_enroll_request_decide(r->st, r->scope, id, approve,
	        req_actor(r), vigil_time_now_ms()),
	    action, obj, NULL);
}

void
api_enroll_approve(struct req *r)
{
	decide(r, 1);
}

void
api_enroll_reject(struct req *r)
{
	decide(r, 0);
}

void
api_claim_allow(struct req *r)
{
	static const char *const keys[] = {"identifier", NULL};
	const char *ident;
	json_t *body = NULL;
	char obj[320];

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "identifier", 255, true, &ident) < 0)
		goto out;
	snprintf(obj, sizeof obj, "claim/%s", ident);
	if (api_begin(r) < 0)
		goto out;
	api_finish_204(r, vigil_claim_allow(r->st, r->scope, ident),
	    "enroll.claim.allow", obj, NULL);
out:
	json_decref(body);
}
