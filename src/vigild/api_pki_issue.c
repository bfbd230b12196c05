/*
 * Certificate issuance through the API: POST .../devices/{device}/certs
 * (device profile, identity from the registry) and POST .../certs
 * (server or operator profile, identity from the names given). The
 * handler checks what it can answer at once (body, CSR, names,
 * validity, the device in the tenant's scope), then asks the signer,
 * which holds the CA key and re-checks everything (signer_ca_issue.c),
 * and replies when the signer answers: the reply is deferred
 * (req_defer), so the worker serves other requests meanwhile.
 *
 * Audit: the signer audits every issuance and every refusal it makes;
 * this file audits the refusals decided here (outcome "denied" for
 * input the policy refuses, "failed" when the signer cannot be asked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "api.h"
#include "api_pki_json.h"
#include "api_tx.h"
#include "ca_client.h"
#include "ipc.h"
#include "log.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/pki.h"

#define NAMES_MAX_COUNT 16 /* 8 DNS + 8 IP (struct vigil_pki_identity) */

/* The request as far as the handler got: what goes to the signer. */
struct issue_ask {
	struct ipc_ca_issue_req ipc;
	uint8_t *csr;
	size_t csr_len;
	char object[96];                 /* audit object */
};

static void
refused(struct req *r, const struct issue_ask *q, int status,
    const char *slug, const char *detail)
{
	api_fail_problem(r, status, slug, "cert.issue", q->object, "denied",
	    detail);
}

/* "csr": PEM, or base64 DER (whitespace allowed, RFC 8951), parsed
 * and checked here for a precise 400; the signer checks again. */
static int
get_csr(struct req *r, json_t *body, struct issue_ask *q)
{
	const char *s = json_string_value(json_object_get(body, "csr"));
	struct vigil_csr csr;
	char err[256] = "", detail[300];
	enum vigil_err e;

	if (s == NULL) {
		refused(r, q, 400, "invalid-csr", "csr: required, a PKCS#10 "
		    "request as PEM or base64 DER");
		return -1;
	}
	e = vigil_est_body_decode(s, strlen(s), IPC_CA_CSR_MAX, &q->csr,
	    &q->csr_len, err, sizeof err);
	if (e != VIGIL_OK) {
		snprintf(detail, sizeof detail, "csr: %s", err[0] != '\0' ?
		    err : "not PEM nor base64");
		refused(r, q, 400, "invalid-csr", detail);
		return -1;
	}
	memset(&csr, 0, sizeof csr);
	e = vigil_csr_parse(q->csr, q->csr_len, &csr, err, sizeof err);
	vigil_csr_clear(&csr);
	if (e != VIGIL_OK) {
		snprintf(detail, sizeof detail, "csr: %s", err[0] != '\0' ?
		    err : "does not parse");
		refused(r, q, 400, "invalid-csr", detail);
		return -1;
	}
	return 0;
}

/* "validity": a duration ("30d", "8h", "90m") or seconds, within the
 * profile's bounds; absent = the CA's default. */
static int
get_validity(struct req *r, json_t *body, struct issue_ask *q,
    const struct vigil_pki_profile_info *pi)
{
	json_t *v = json_object_get(body, "validity");
	int64_t s = -1;
	char detail[200];

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v))
		s = pki_duration(json_string_value(v), pi->max_validity_s);
	else if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= (json_int_t)pi->max_validity_s)
		s = (int64_t)json_integer_value(v);
	if (s < (int64_t)pi->min_validity_s) {
		snprintf(detail, sizeof detail, "validity: the %s profile "
		    "allows %u h to %u days (a duration such as \"30d\", "
		    "\"8h\", or seconds)", pi->name, pi->min_validity_s / 3600,
		    pi->max_validity_s / 86400);
		refused(r, q, 422, "validation-failed", detail);
		return -1;
	}
	q->ipc.validity_s = (uint32_t)s;
	return 0;
}

/* "names": an array of strings, comma-free, joined into the IPC
 * field; their syntax is the signer's to judge. */
static int
get_names(struct req *r, json_t *body, struct issue_ask *q,
    const struct vigil_pki_profile_info *pi)
{
	json_t *a = json_object_get(body, "names"), *v;
	size_t i, o = 0, n = json_array_size(a);
	char detail[200];

	if (!json_is_array(a) || n == 0 || n > NAMES_MAX_COUNT ||
	    (pi->id == VIGIL_PROFILE_OPERATOR && n != 1)) {
		snprintf(detail, sizeof detail, "names: required, an array of "
		    "%s", pi->id == VIGIL_PROFILE_OPERATOR ? "exactly one "
		    "name (the CN)" : "1 to 16 DNS names and IP addresses");
		refused(r, q, 422, "validation-failed", detail);
		return -1;
	}
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		size_t len = s != NULL ? strlen(s) : 0;

		if (len == 0 || strchr(s, ',') != NULL ||
		    o + len + 1 >= sizeof q->ipc.names) {
			snprintf(detail, sizeof detail, "names[%zu]: %s", i,
			    len == 0 ? "not a non-empty string" :
			    strchr(s, ',') != NULL ? "has a ','" :
			    "the names are longer than 511 characters "
			    "together");
			refused(r, q, 422, "validation-failed", detail);
			return -1;
		}
		if (o > 0)
			q->ipc.names[o++] = ',';
		memcpy(q->ipc.names + o, s, len);
		o += len;
	}
	return 0;
}

/* The PEM of the certificate, its record and its CA chain. NULL when
 * out of memory or the store cannot read them (logged). */
static json_t *
issued_json(struct req *r, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	struct vigil_pki_cert_info info;
	struct vigil_cert rec;
	struct vigil_ca ca;
	char err[256] = "", *pem = NULL;
	json_t *o = NULL;
	X509 *x;

	memset(&rec, 0, sizeof rec);
	memset(&ca, 0, sizeof ca);
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    vigil_pki_cert_info(x, &info, err, sizeof err) != VIGIL_OK ||
	    vigil_cert_get(r->st, r->scope, info.serial, &rec) != VIGIL_OK ||
	    vigil_ca_get(r->st, NULL, rec.ca_id, &ca) != VIGIL_OK ||
	    (pem = pki_pem_cert(der, len)) == NULL ||
	    (o = pki_cert_json(&rec, false)) == NULL ||
	    json_object_set_new(o, "certificate", json_string(pem)) != 0 ||
	    pki_ca_chain(r->st, &ca, o) != VIGIL_OK) {
		vlog(VLOG_ERROR, "pki.issue", "request %s: issued certificate: "
		    "rendering the reply: %s", r->request_id, err[0] != '\0' ?
		    err : vigil_store_errmsg(r->st));
		json_decref(o);
		o = NULL;
	}
	vigil_free(pem);
	vigil_cert_clear(&rec);
	vigil_ca_clear(&ca);
	X509_free(x);
	return o;
}

/* The signer's answer, from the event loop: r is the deferred copy,
 * freed by the reply (dropped when the client has gone). */
static void
issue_done(void *arg, enum vigil_err status, const uint8_t *data, size_t len)
{
	struct req *r = arg;
	char text[1024], loc[512];
	json_t *o;

	if (status != VIGIL_OK) {
		snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ?
		    len : sizeof text - 1), (const char *)data);
		for (char *c = text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		if (status == VIGIL_EIO) {
			/* The signer never decided: not in its audit. */
			(void)req_audit(r, "cert.issue", "cert", "failed",
			    text);
			req_problem(r, 503, "signer-unavailable", "the signer "
			    "could not issue: %s", text);
		} else if (status == VIGIL_ELOCKED) {
			req_header(r, "Retry-After", "1");
			req_problem(r, 429, "rate-limited", "%s", text);
		} else
			req_reply_err(r, status, text);
		return;
	}
	if (req_gone(r)) {
		req_reply_json(r, 201, NULL); /* dropped; frees r */
		return;
	}
	if ((o = issued_json(r, data, len)) == NULL) {
		req_problem(r, 500, "internal-error", "the certificate was "
		    "issued but the reply could not be rendered; see `vigil "
		    "cert list`; request id %s", r->request_id);
		return;
	}
	snprintf(loc, sizeof loc, "/v1/tenants/%s/certs/%s", r->tenant.id,
	    json_string_value(json_object_get(o, "serial")));
	req_header(r, "Location", loc);
	req_reply_json(r, 201, o);
}

/* Hands the request to the signer and defers the reply. */
static void
ask_signer(struct req *r, struct issue_ask *q)
{
	struct ipc_ca_issue_req *m = &q->ipc;
	struct req *d;
	char err[256];

	m->via = IPC_VIA_OPERATOR;
	snprintf(m->tenant_id, sizeof m->tenant_id, "%s", r->tenant.id);
	snprintf(m->actor, sizeof m->actor, "%s", req_actor(r));
	snprintf(m->request_id, sizeof m->request_id, "%s", r->request_id);
	snprintf(m->source_ip, sizeof m->source_ip, "%s", r->ip);
	if (r->w->cac == NULL) {
		api_fail_problem(r, 503, "signer-unavailable", "cert.issue",
		    q->object, "failed", "this worker has no connection to "
		    "the signer");
		return;
	}
	if ((d = req_defer(r)) == NULL)
		return;
	if (ca_client_issue(d->w->cac, m, q->csr, q->csr_len, issue_done, d,
	    err, sizeof err) != 0) {
		(void)req_audit(d, "cert.issue", q->object, "failed", err);
		req_problem(d, 503, "signer-unavailable", "the signer cannot "
		    "take the request: %s", err);
	}
}

/* The body's common part: profile-independent checks. */
static int
common(struct req *r, json_t *body, struct issue_ask *q,
    const struct vigil_pki_profile_info *pi)
{
	q->ipc.profile = (uint32_t)pi->id;
	if (get_validity(r, body, q, pi) < 0 || get_csr(r, body, q) < 0)
		return -1;
	return 0;
}

void
api_cert_issue_device(struct req *r)
{
	static const char *const keys[] = {"csr", "validity", NULL};
	struct vigil_device *dev = NULL;
	struct issue_ask q;
	json_t *body = NULL;
	enum vigil_err e;

	memset(&q, 0, sizeof q);
	snprintf(q.object, sizeof q.object, "device/%.64s",
	    req_param(r, "device"));
	if (api_body(r, keys, &body) < 0)
		return;
	e = vigil_device_get(r->st, r->scope, req_param(r, "device"), &dev);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		goto out;
	}
	snprintf(q.object, sizeof q.object, "device/%s", dev->id);
	snprintf(q.ipc.device_id, sizeof q.ipc.device_id, "%s", dev->id);
	if (common(r, body, &q, vigil_pki_profile_get(VIGIL_PROFILE_DEVICE)) <
	    0)
		goto out;
	ask_signer(r, &q);
out:
	vigil_device_free(dev);
	vigil_free(q.csr);
	json_decref(body);
}

void
api_cert_issue(struct req *r)
{
	static const char *const keys[] = {"profile", "names", "csr",
	    "validity", NULL};
	const struct vigil_pki_profile_info *pi;
	struct issue_ask q;
	json_t *body = NULL;
	const char *pn;

	memset(&q, 0, sizeof q);
	snprintf(q.object, sizeof q.object, "cert");
	if (api_body(r, keys, &body) < 0)
		return;
	pn = json_string_value(json_object_get(body, "profile"));
	if (pn == NULL || (pi = vigil_pki_profile_find(pn)) == NULL ||
	    pi->id == VIGIL_PROFILE_DEVICE) {
		refused(r, &q, 422, "validation-failed", "profile: required, "
		    "\"server\" or \"operator\" (device certificates: POST "
		    ".../devices/{device}/certs)");
		goto out;
	}
	if (get_names(r, body, &q, pi) < 0 || common(r, body, &q, pi) < 0)
		goto out;
	ask_signer(r, &q);
out:
	vigil_free(q.csr);
	json_decref(body);
}
