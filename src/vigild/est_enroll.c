/*
 * EST enrollment (RFC 7030 §4.2): /simpleenroll and /simplereenroll
 * take a base64 PKCS#10 request, find who is enrolling (est_auth.c),
 * check the request early for precise errors, hold it for an operator
 * when the CA wants approval (202 + Retry-After, §4.2.3), and hand a
 * policy-level request to the signer, which re-checks everything,
 * takes the identity from the registry and signs. /serverkeygen is not
 * offered: keys stay on the device.
 *
 * Every refusal is audited (never with the token) and answered with a
 * text/plain reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca_client.h"
#include "est_auth.h"
#include "gw.h"
#include "log.h"
#include "net_worker.h"
#include "vigil/pki.h"

#define EST_BUSY_RETRY_S 5

/* What the signer's answer needs to finish the request. */
struct est_pending {
	struct gw_req *r;
	const char *action;
	char tenant[VIGIL_UUID_STRLEN];
	char actor[IPC_CA_ACTOR_LEN];
	char device[VIGIL_UUID_STRLEN];
	struct net_worker *w;
	char token_id[VIGIL_UUID_STRLEN]; /* spent token; "" = none */
	int64_t token_used_ms;
};

/*
 * No certificate came of a spent token (refused, signer restarting or
 * silent): give it back, so that the device can try again with the
 * same token. Single use means one certificate, not one attempt.
 */
static void
token_give_back(struct net_worker *w, const char *id, int64_t used_ms)
{
	if (id[0] == '\0')
		return;
	if (vigil_enroll_token_restore(w->st, id, used_ms) != VIGIL_OK)
		vlog(VLOG_WARN, "est.token", "enrollment token %s: not given "
		    "back after a failed issuance: %s", id,
		    vigil_store_errmsg(w->st));
}

/* Audits a refusal and replies with its reason (401s carry the
 * challenge of RFC 7030 §3.2.3). */
static void
est_refuse(struct gw_req *r, const char *action, const char *tenant,
    const char *actor, const char *device, int status, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
est_refuse(struct gw_req *r, const char *action, const char *tenant,
    const char *actor, const char *device, int status, const char *fmt, ...)
{
	char why[768], obj[VIGIL_UUID_STRLEN + 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(obj, sizeof obj, "device/%s", device != NULL ? device : "");
	gw_audit(r, tenant != NULL ? tenant : "",
	    actor != NULL ? actor : "anonymous", action,
	    device != NULL && device[0] != '\0' ? obj : "",
	    status >= 500 ? "failed" : "denied", why);
	if (status == 401 && r->ev != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(r->ev),
		    "WWW-Authenticate", "Basic realm=\"vigil EST\"");
	if (status == 503)
		gw_retry_later(r, 503, EST_BUSY_RETRY_S, "%s", why);
	else
		gw_error(r, status, "%s", why);
}

/* application/pkcs10, parameters allowed. */
static bool
is_pkcs10(const char *ct)
{
	size_t n = strlen("application/pkcs10");

	if (ct == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/pkcs10", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Decodes and parses the CSR: 0, or 400/415 with why. */
static int
csr_read(struct gw_req *r, struct vigil_csr *csr, char *why, size_t whysize)
{
	uint8_t *der = NULL;
	size_t len = 0;
	char err[512];
	enum vigil_err e;

	memset(csr, 0, sizeof *csr);
	if (!is_pkcs10(r->content_type)) {
		snprintf(why, whysize, "Content-Type must be "
		    "application/pkcs10 (a base64 DER CSR), not %s",
		    r->content_type != NULL ? r->content_type : "missing");
		return 415;
	}
	if (r->body == NULL || r->body_len == 0) {
		snprintf(why, whysize, "body: empty; expected a base64 DER "
		    "PKCS#10 request");
		return 400;
	}
	e = vigil_est_body_decode((const char *)r->body, r->body_len,
	    VIGIL_PKI_CSR_MAX, &der, &len, err, sizeof err);
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "%s", err);
		return 400;
	}
	e = vigil_csr_parse(der, len, csr, err, sizeof err);
	vigil_free(der);
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "%s%s",
		    strncmp(err, "CSR", 3) == 0 ? "" : "CSR: ", err);
		return e == VIGIL_ENOMEM ? 500 : 400;
	}
	return 0;
}

/* The SAN URIs a CSR asks for (informative only: vigil never copies
 * them). Caller frees with GENERAL_NAMES_free. */
static GENERAL_NAMES *
csr_sans(const struct vigil_csr *csr)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(csr->req);
	GENERAL_NAMES *gens;

	if (exts == NULL)
		return NULL;
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return gens;
}

/* A URI or DNS entry of a SAN as text into buf; 0 when not one or not
 * printable. */
static int
gen_text(const GENERAL_NAME *g, char *buf, size_t size)
{
	const ASN1_IA5STRING *s;
	int len;

	if (g->type == GEN_URI)
		s = g->d.uniformResourceIdentifier;
	else if (g->type == GEN_DNS)
		s = g->d.dNSName;
	else
		return 0;
	len = ASN1_STRING_length(s);
	if (len <= 0 || (size_t)len >= size ||
	    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)len) != NULL)
		return 0;
	memcpy(buf, ASN1_STRING_get0_data(s), (size_t)len);
	buf[len] = '\0';
	return 1;
}

/*
 * The CSR's identity fields are ignored (the signer takes the identity
 * from the registry), but a CSR that names ANOTHER device of the tenant
 * is a device trying to get someone else's identity: refused. 0, or
 * 403/500 with why.
 */
static int
csr_names_other(struct gw_req *r, const struct est_ident *id,
    const struct vigil_csr *csr, char *why, size_t whysize)
{
	const X509_NAME *subj = X509_REQ_get_subject_name(csr->req);
	char names[4 + 8][VIGIL_PKI_URN_MAX + 1];
	bool serial[4 + 8];
	char ids[8][VIGIL_UUID_STRLEN];
	GENERAL_NAMES *gens;
	size_t nn = 0;
	enum vigil_err e;

	if (est_name_entry(subj, NID_serialNumber, names[nn],
	    sizeof names[nn]) == 1)
		serial[nn++] = true;
	if (est_name_entry(subj, NID_commonName, names[nn],
	    sizeof names[nn]) == 1)
		serial[nn++] = true;
	if ((gens = csr_sans(csr)) != NULL) {
		for (int i = 0; i < sk_GENERAL_NAME_num(gens) && nn < 12; i++)
			if (gen_text(sk_GENERAL_NAME_value(gens, i),
			    names[nn], sizeof names[nn]))
				serial[nn++] = false;
		GENERAL_NAMES_free(gens);
	}
	for (size_t k = 0; k < nn; k++) {
		size_t n = 0;

		e = est_devices_named(r->w->st, id->tenant, names[k],
		    serial[k], ids, 8, &n);
		if (e != VIGIL_OK) {
			snprintf(why, whysize, "device lookup: %s",
			    vigil_store_errmsg(r->w->st));
			return 500;
		}
		for (size_t i = 0; i < n && i < 8; i++)
			if (strcmp(ids[i], id->dev->id) != 0) {
				snprintf(why, whysize, "CSR for another "
				    "identity: CSR names %s (device %s) but "
				    "the credential is for device %s",
				    names[k], ids[i], id->dev->id);
				return 403;
			}
	}
	return 0;
}

/* RFC 7030 §4.2.2: a re-enrollment keeps the subject and SAN of the
 * certificate being renewed. An empty subject is fine. */
static int
csr_same_subject(struct gw_req *r, const struct vigil_csr *csr, char *why,
    size_t whysize)
{
	const X509_NAME *subj = X509_REQ_get_subject_name(csr->req);
	GENERAL_NAMES *gens;
	char uri[VIGIL_PKI_URN_MAX + 1];
	int status = 0;

	if (subj != NULL && X509_NAME_entry_count(subj) > 0 &&
	    X509_NAME_cmp(subj, X509_get_subject_name(r->peer)) != 0) {
		snprintf(why, whysize, "simplereenroll: CSR subject %s "
		    "differs from the current certificate's %s", csr->subject,
		    r->peer_info.subject);
		return 400;
	}
	if ((gens = csr_sans(csr)) == NULL)
		return 0;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && status == 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_URI && gen_text(g, uri, sizeof uri) &&
		    strcmp(uri, r->peer_info.urn) != 0) {
			snprintf(why, whysize, "simplereenroll: CSR SAN URI %s "
			    "differs from the current certificate's %s", uri,
			    r->peer_info.urn[0] != '\0' ? r->peer_info.urn :
			    "(none)");
			status = 400;
		}
	}
	GENERAL_NAMES_free(gens);
	return status;
}

/* HTTP status for a signer refusal (RFC 7030 leaves them open). */
static int
signer_status(enum vigil_err e)
{
	switch (e) {
	case VIGIL_EINVAL:
	case VIGIL_ERANGE:
		return 400;
	case VIGIL_EDENIED:
	case VIGIL_ESTATE:
	case VIGIL_EEXIST:
	case VIGIL_EAUTH:
	case VIGIL_EAMBIGUOUS:
		return 403;
	case VIGIL_ENOTFOUND:
		return 404;
	case VIGIL_ELOCKED:
	case VIGIL_EIO:
		return 503;
	default:
		return 500;
	}
}

static void
issued(void *arg, enum vigil_err status, const uint8_t *data, size_t len)
{
	struct est_pending *p = arg;
	struct gw_req *r = p->r;
	const unsigned char *q = data;
	X509 *cert = NULL;
	char err[256];
	char *b64 = NULL;
	size_t b64len = 0;

	if (status != VIGIL_OK) {
		int n = len > 600 ? 600 : (int)len;
		int code = signer_status(status);

		token_give_back(p->w, p->token_id, p->token_used_ms);

		/* The signer audits its own refusals; what only this side
		 * sees (no answer, too many requests in flight) is audited
		 * here. */
		if (status == VIGIL_EIO || status == VIGIL_ELOCKED)
			est_refuse(r, p->action, p->tenant, p->actor,
			    p->device, code, "%.*s", n, (const char *)data);
		else
			gw_error(r, code, "%.*s", n, (const char *)data);
		free(p);
		return;
	}
	if ((cert = d2i_X509(NULL, &q, (long)len)) == NULL ||
	    vigil_est_certs_only(&cert, 1, &b64, &b64len, err, sizeof err) !=
	    VIGIL_OK) {
		/* Issued and recorded, but not deliverable: the device
		 * retries; the signer's audit entry shows the issuance. */
		X509_free(cert);
		est_refuse(r, p->action, p->tenant, p->actor, p->device, 500,
		    "the signer's certificate could not be encoded");
		free(p);
		return;
	}
	X509_free(cert);
	gw_reply(r, 200, "application/pkcs7-mime; smime-type=certs-only", b64,
	    b64len);
	vigil_free(b64);
	free(p);
}

/* Sends the issue request; replies on failure to send. */
static void
issue(struct gw_req *r, const char *action, const struct vigil_ca *ca,
    struct est_ident *id, const struct vigil_csr *csr)
{
	struct ipc_ca_issue_req q;
	struct est_pending *p;
	unsigned char *der = NULL;
	char err[256];
	int len;

	if ((len = i2d_X509_REQ(csr->req, &der)) <= 0 ||
	    len > IPC_CA_CSR_MAX) {
		OPENSSL_free(der);
		token_give_back(r->w, id->token_id, id->token_used_ms);
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 400,
		    "CSR: %d bytes; at most %d", len, IPC_CA_CSR_MAX);
		return;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		OPENSSL_free(der);
		token_give_back(r->w, id->token_id, id->token_used_ms);
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 503,
		    "out of memory");
		return;
	}
	p->r = r;
	p->action = action;
	snprintf(p->tenant, sizeof p->tenant, "%s", id->tenant);
	snprintf(p->actor, sizeof p->actor, "%s", id->actor);
	snprintf(p->device, sizeof p->device, "%s", id->dev->id);
	p->w = r->w;
	memcpy(p->token_id, id->token_id, sizeof p->token_id);
	p->token_used_ms = id->token_used_ms;

	memset(&q, 0, sizeof q);
	q.via = (uint16_t)id->via;
	q.csr_len = (uint16_t)len;
	q.validity_s = 0;
	q.profile = VIGIL_PROFILE_DEVICE;
	snprintf(q.tenant_id, sizeof q.tenant_id, "%s", id->tenant);
	snprintf(q.device_id, sizeof q.device_id, "%s", id->dev->id);
	snprintf(q.ca_id, sizeof q.ca_id, "%s", ca->id);
	snprintf(q.prev_serial, sizeof q.prev_serial, "%s", id->prev_serial);
	snprintf(q.actor, sizeof q.actor, "%s", id->actor);
	snprintf(q.request_id, sizeof q.request_id, "%s", r->request_id);
	snprintf(q.source_ip, sizeof q.source_ip, "%s", r->ip);
	if (r->w->cac == NULL || ca_client_issue(r->w->cac, &q, der,
	    (size_t)len, issued, p, err, sizeof err) != 0) {
		OPENSSL_free(der);
		token_give_back(r->w, p->token_id, p->token_used_ms);
		free(p);
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 503,
		    "signer unavailable: %s", r->w->cac == NULL ?
		    "no signer connection" : err);
		return;
	}
	OPENSSL_free(der);
}

/* Manual approval (the CA's policy): 0 to go on, or 1 when the reply
 * was sent (pending, rejected). The signer checks the approval again
 * and marks the request done when it issues. */
static int
approval_gate(struct gw_req *r, const char *action, const struct vigil_ca *ca,
    const struct est_ident *id, const struct vigil_csr *csr)
{
	struct vigil_enroll_request q;
	enum vigil_err e;

	if (!ca->approval)
		return 0;
	memset(&q, 0, sizeof q);
	e = vigil_enroll_request_get_or_add(r->w->st, id->tenant, id->dev->id,
	    ca->id, csr->key_fp, id->via_name, &q);
	if (e != VIGIL_OK) {
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 500,
		    "approval: %s", vigil_store_errmsg(r->w->st));
		return 1;
	}
	switch (q.state) {
	case VIGIL_ENROLL_APPROVED:
		return 0;
	case VIGIL_ENROLL_PENDING: {
		char obj[VIGIL_UUID_STRLEN + 8], detail[160];

		snprintf(obj, sizeof obj, "device/%s", id->dev->id);
		snprintf(detail, sizeof detail, "awaits approval (request %s)",
		    q.id);
		gw_audit(r, id->tenant, id->actor, "est.enroll.pending", obj,
		    "ok", detail);
		gw_retry_later(r, 202, r->w->cfg.est_retry_after_s,
		    "enrollment of device %s awaits approval (request %s)",
		    id->dev->id, q.id);
		return 1;
	}
	case VIGIL_ENROLL_REJECTED:
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 403,
		    "enrollment request %s of device %s was rejected by %s",
		    q.id, id->dev->id, q.decided_by);
		return 1;
	default:
		est_refuse(r, action, id->tenant, id->actor, id->dev->id, 403,
		    "enrollment request %s of device %s was approved once and "
		    "is used: enroll again with a new key", q.id,
		    id->dev->id);
		return 1;
	}
}

/* A key certified for another device is refused here already (the
 * signer checks again), so the one-time credential is not spent on it. */
static int
key_reused(struct gw_req *r, const struct est_ident *id,
    const struct vigil_csr *csr, char *why, size_t whysize)
{
	char other[VIGIL_UUID_STRLEN];
	int rc;

	rc = vigil_cert_key_owner(r->w->st, csr->key_fp, id->dev->id, other);
	if (rc == 1) {
		snprintf(why, whysize, "key %s is already certified for "
		    "another device", csr->key_fp);
		return 403;
	}
	if (rc < 0) {
		snprintf(why, whysize, "key lookup: %s",
		    vigil_store_errmsg(r->w->st));
		return 500;
	}
	return 0;
}

/* Who a refusal before authentication is audited as: what the
 * credential claims to be (never the token itself). */
static void
claimed_actor(const struct gw_req *r, char *buf, size_t size)
{
	const struct vigil_pki_cert_info *ci = &r->peer_info;
	const char *sn = ci->serial_number[0] != '\0' ? ci->serial_number :
	    ci->cn;

	if (r->peer != NULL && r->peer_kind == GW_PEER_MANUFACTURER)
		snprintf(buf, size, "idevid:%.80s", sn);
	else if (r->peer != NULL && r->peer_kind == GW_PEER_CLAIM)
		snprintf(buf, size, "claim:%.80s", sn);
	else if (est_has_token(r))
		snprintf(buf, size, "token");
	else if (r->peer != NULL && r->peer_kind == GW_PEER_DEVICE)
		snprintf(buf, size, "device:%.80s", ci->cn);
	else
		snprintf(buf, size, "anonymous");
}

static void
enroll(struct gw_req *r, bool re)
{
	const char *action = re ? "est.simplereenroll" : "est.simpleenroll";
	struct vigil_ca ca;
	struct vigil_csr csr;
	struct est_ident id;
	char why[768];
	int status;

	memset(&id, 0, sizeof id);
	memset(&csr, 0, sizeof csr);
	if (strcmp(r->method, "POST") != 0) {
		gw_error(r, 405, "%s: use POST", r->op);
		return;
	}
	if ((status = est_ca_resolve(r, &ca, why, sizeof why)) != 0) {
		est_refuse(r, action, "", "anonymous", NULL, status, "%s", why);
		return;
	}
	if (ca.status != VIGIL_CA_ACTIVE) {
		est_refuse(r, action, ca.tenant_id, "anonymous", NULL, 403,
		    "CA %s is %s and no longer issues", ca.label,
		    vigil_ca_status_name(ca.status));
		goto out;
	}
	/* Without any credential there is nothing to check a CSR for. */
	if (!re && r->peer == NULL && !est_has_token(r) &&
	    r->authorization[0] == '\0') {
		est_refuse(r, action, ca.tenant_id, "anonymous", NULL, 401,
		    "authentication required: an enrollment token (HTTP "
		    "Basic or Bearer), an IDevID or a claim certificate");
		goto out;
	}
	claimed_actor(r, id.actor, sizeof id.actor);
	status = 0;
	if (re) {
		struct vigil_cert cert;
		struct vigil_device *dev;

		/* Current, good, not blocked: the same check as every
		 * device request on the gateway (it replies when not). */
		if (gw_device_check(r, action, &cert, &dev) != 0)
			goto out;
		status = est_authenticate_reenroll(&ca, &cert, dev, &id, why,
		    sizeof why);
		vigil_cert_clear(&cert);
	}
	if (status == 0)
		status = csr_read(r, &csr, why, sizeof why);
	if (status == 0 && !re)
		status = est_authenticate(r, &ca, &csr, &id, why, sizeof why);
	if (status == 0 && re)
		status = csr_same_subject(r, &csr, why, sizeof why);
	if (status == 0)
		status = csr_names_other(r, &id, &csr, why, sizeof why);
	if (status == 0)
		status = key_reused(r, &id, &csr, why, sizeof why);
	if (status != 0) {
		est_refuse(r, action, id.tenant[0] != '\0' ? id.tenant :
		    ca.tenant_id, id.actor, id.dev != NULL ? id.dev->id : NULL,
		    status, "%s", why);
		goto out;
	}
	if (!re && approval_gate(r, action, &ca, &id, &csr) != 0)
		goto out;
	if ((status = est_commit(r, &id, why, sizeof why)) != 0) {
		est_refuse(r, action, id.tenant, id.actor, id.dev->id, status,
		    "%s", why);
		goto out;
	}
	issue(r, action, &ca, &id, &csr);
out:
	est_ident_clear(&id);
	vigil_csr_clear(&csr);
	vigil_ca_clear(&ca);
}

void
est_simpleenroll(struct gw_req *r)
{
	enroll(r, false);
}

void
est_simplereenroll(struct gw_req *r)
{
	enroll(r, true);
}

void
est_serverkeygen(struct gw_req *r)
{
	/* Devices with secure elements must generate their own keys; a
	 * server-made key would exist, if briefly, outside the device. */
	gw_error(r, 501, "serverkeygen is not offered: keys stay on the "
	    "device");
}
