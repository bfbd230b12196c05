/*
 * IPC_CA_ISSUE_REQ in the signer: re-check a net worker's "issue a
 * certificate for device D of tenant T from this CSR" against the
 * store, in a fixed order (rate, profile, CA, device, identity, CSR,
 * repeated key, re-enrollment, approval), then sign, and record the
 * certificate, the device's move to "provisioned" and the audit entry
 * in one (sub)transaction. Every refusal is answered with a precise
 * text and audited; the identity always comes from the registry, the
 * CSR gives only its public key.
 *
 * An operator through the API may also ask for the server profile
 * (DNS names and IP addresses) or the operator-client profile (one
 * name): no device, the identity is the names of the request, checked
 * strictly here (the signer trusts no caller's syntax checks).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "log.h"
#include "signer_ca.h"
#include "vigil/iam.h"
#include "vigil/audit.h"
#include "vigil/registry.h"

/* Everything one issuance reads, released by ctx_clear. */
struct issue {
	struct signer_ca *sc;
	const struct ipc_ca_issue_req *r;
	int64_t now_ms;
	const struct vigil_pki_profile_info *prof;
	struct vigil_ca ca;              /* fresh from the store */
	struct signer_ca_key *k;
	struct vigil_device *dev;
	struct vigil_pki_identity id;
	struct vigil_csr csr;
	struct vigil_enroll_request ereq;
	int approved;                    /* ereq must be marked done */
};

static void
ctx_clear(struct issue *c)
{
	vigil_ca_clear(&c->ca);
	vigil_device_free(c->dev);
	vigil_csr_clear(&c->csr);
}

/* How the client authenticated, in audit details and in the record. */
static const char *
via_name(unsigned via)
{
	switch (via) {
	case IPC_VIA_TOKEN:
		return "token";
	case IPC_VIA_IDEVID:
		return "idevid";
	case IPC_VIA_CLAIM:
		return "claim";
	case IPC_VIA_REENROLL:
		return "reenroll";
	case IPC_VIA_OPERATOR:
		return "operator";
	}
	return "?";
}

static const char *
via_record(unsigned via)
{
	switch (via) {
	case IPC_VIA_TOKEN:
		return "est-token";
	case IPC_VIA_IDEVID:
		return "est-idevid";
	case IPC_VIA_CLAIM:
		return "est-claim";
	case IPC_VIA_REENROLL:
		return "est-reenroll";
	}
	return "api";
}

static enum vigil_err
refuse(struct signer_ca_ans *a, enum vigil_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum vigil_err
refuse(struct signer_ca_ans *a, enum vigil_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->text, sizeof a->text, fmt, ap);
	va_end(ap);
	a->status = e;
	return e;
}

/* Refusals of policy are "denied"; the signer's own trouble (store,
 * key, memory) is "failed". */
static const char *
outcome(enum vigil_err e)
{
	switch (e) {
	case VIGIL_EIO:
	case VIGIL_ESTORE:
	case VIGIL_ENOMEM:
		return "failed";
	default:
		return "denied";
	}
}

static void
audit_refusal(struct signer_ca *sc, const struct ipc_ca_issue_req *r,
    const struct signer_ca_ans *a)
{
	struct vigil_audit_event ev;
	char object[64];

	snprintf(object, sizeof object, "device/%s", r->device_id);
	memset(&ev, 0, sizeof ev);
	ev.principal = r->actor;
	ev.tenant_id = r->tenant_id;
	ev.source_ip = r->source_ip;
	ev.action = "cert.issue";
	ev.object = r->device_id[0] != '\0' ? object : "cert";
	ev.outcome = outcome(a->status);
	ev.request_id = r->request_id;
	ev.detail = a->text;
	if (vigil_audit_append(sc->st, &ev, NULL, NULL) != VIGIL_OK)
		vlog(VLOG_ERROR, "signer.audit", "cert.issue refusal for "
		    "device %s not audited: %s", r->device_id,
		    vigil_store_errmsg(sc->st));
	vlog(a->status == VIGIL_ELOCKED ? VLOG_DEBUG : VLOG_INFO,
	    "signer.issue", "tenant %s device %s: %s: %s", r->tenant_id,
	    r->device_id, outcome(a->status), a->text);
}

/* ---- Server and operator names ----------------------------------- */

#define NAMES_MAX 8 /* per kind: struct vigil_pki_identity */

/* A DNS name (RFC 1123 host name): labels of 1..63 letters, digits
 * and inner hyphens, at most 253 characters, a last label that is not
 * all digits (that would be a mistyped IP address). */
static const char *
dns_bad(const char *n)
{
	size_t len = strlen(n), lab = 0;
	bool digits = true;

	if (len == 0 || len > 253)
		return "is not 1 to 253 characters";
	for (size_t i = 0; i <= len; i++) {
		char ch = n[i];

		if (ch == '.' || ch == '\0') {
			if (lab == 0)
				return "has an empty label";
			if (n[i - 1] == '-')
				return "has a label ending in '-'";
			if (ch == '\0' && digits)
				return "has an all-numeric last label (not a "
				    "host name nor an IP address)";
			lab = 0;
			digits = true;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-')
			return "has a character other than letters, digits, "
			    "'-' and '.'";
		if (lab == 0 && ch == '-')
			return "has a label starting with '-'";
		if (++lab > 63)
			return "has a label longer than 63 characters";
		if (!isdigit((unsigned char)ch))
			digits = false;
	}
	return NULL;
}

/* An operator's name (principal or CN): 1..64 of letters, digits and
 * . _ - @ + : (no separators an RFC 2253 reader would trip on). */
static const char *
operator_bad(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 64)
		return "is not 1 to 64 characters";
	for (const char *q = n; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && strchr("._-@+:", *q) == NULL)
			return "has a character other than letters, digits "
			    "and . _ - @ + :";
	return NULL;
}

/* One server name into the identity: an IP address (normalised) or a
 * DNS name. */
static enum vigil_err
add_server_name(struct issue *c, const char *n, struct signer_ca_ans *a)
{
	struct vigil_pki_identity *id = &c->id;
	unsigned char bin[sizeof(struct in6_addr)];
	char ip[INET6_ADDRSTRLEN];
	const char *why;
	int af = strchr(n, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, n, bin) == 1) {
		if (inet_ntop(af, bin, ip, sizeof ip) == NULL)
			return refuse(a, VIGIL_EINVAL, "name '%s': not an IP "
			    "address", n);
		for (size_t i = 0; i < id->nip; i++)
			if (strcmp(id->ip[i], ip) == 0)
				return refuse(a, VIGIL_EINVAL, "name '%s' is "
				    "given twice", n);
		if (id->nip == NAMES_MAX)
			return refuse(a, VIGIL_EINVAL, "more than %d IP "
			    "addresses", NAMES_MAX);
		snprintf(id->ip[id->nip++], sizeof id->ip[0], "%s", ip);
		return VIGIL_OK;
	}
	if (af == AF_INET6)
		return refuse(a, VIGIL_EINVAL, "name '%s': not an IPv6 "
		    "address", n);
	if ((why = dns_bad(n)) != NULL)
		return refuse(a, VIGIL_EINVAL, "name '%s': not an IP address, "
		    "and as a DNS name it %s", n, why);
	for (size_t i = 0; i < id->ndns; i++)
		if (strcasecmp(id->dns[i], n) == 0)
			return refuse(a, VIGIL_EINVAL, "name '%s' is given "
			    "twice", n);
	if (id->ndns == NAMES_MAX)
		return refuse(a, VIGIL_EINVAL, "more than %d DNS names",
		    NAMES_MAX);
	snprintf(id->dns[id->ndns++], sizeof id->dns[0], "%s", n);
	return VIGIL_OK;
}

/* The identity of a server or operator certificate from the request's
 * names: server CN = the first name; operator CN = its one name; O =
 * the tenant's name when it can be read. */
static enum vigil_err
names_identity(struct issue *c, struct signer_ca_ans *a)
{
	const char *names = c->r->names, *p = names;
	struct vigil_tenant t;
	char one[IPC_CA_NAMES_LEN];
	const char *why;
	size_t count = 0;
	enum vigil_err e;

	if (names[0] == '\0')
		return refuse(a, VIGIL_EINVAL, "profile %s: no names given",
		    c->prof->name);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		memcpy(one, p, n);
		one[n] = '\0';
		p += n;
		if (*p == ',' && *++p == '\0')
			return refuse(a, VIGIL_EINVAL, "names: empty name at "
			    "the end");
		if (n == 0)
			return refuse(a, VIGIL_EINVAL, "names: empty name");
		if (n > 253)
			return refuse(a, VIGIL_EINVAL, "names: a name of %zu "
			    "characters; at most 253", n);
		if (count++ == 0)
			snprintf(c->id.cn, sizeof c->id.cn, "%.253s", one);
		if (c->prof->id == VIGIL_PROFILE_OPERATOR) {
			if (count > 1)
				return refuse(a, VIGIL_EINVAL, "profile "
				    "operator: one name only (the CN)");
			if ((why = operator_bad(one)) != NULL)
				return refuse(a, VIGIL_EINVAL, "name '%s' %s",
				    one, why);
		} else if ((e = add_server_name(c, one, a)) != VIGIL_OK)
			return e;
	}
	memset(&t, 0, sizeof t);
	if (vigil_admin_tenant_get(c->sc->st, c->r->tenant_id, &t) ==
	    VIGIL_OK)
		snprintf(c->id.org, sizeof c->id.org, "%s", t.name);
	return VIGIL_OK;
}

/* ---- The checks, in order ----------------------------------------- */

static enum vigil_err
check_profile(struct issue *c, struct signer_ca_ans *a)
{
	const struct ipc_ca_issue_req *r = c->r;

	if (r->profile > 0xffff ||
	    (c->prof = vigil_pki_profile_get(
	    (enum vigil_pki_profile)r->profile)) == NULL)
		return refuse(a, VIGIL_EINVAL, "profile %u is unknown",
		    r->profile);
	if (r->via != IPC_VIA_OPERATOR && c->prof->id != VIGIL_PROFILE_DEVICE)
		return refuse(a, VIGIL_EDENIED, "profile %s is not issued "
		    "through enrollment (%s): device only", c->prof->name,
		    via_name(r->via));
	if (c->prof->id != VIGIL_PROFILE_DEVICE) {
		if (r->device_id[0] != '\0')
			return refuse(a, VIGIL_EINVAL, "profile %s: names a "
			    "device; it takes names, not a device",
			    c->prof->name);
		return names_identity(c, a);
	}
	if (r->names[0] != '\0')
		return refuse(a, VIGIL_EINVAL, "profile device: the identity "
		    "comes from the registry; names are not accepted");
	if (r->device_id[0] == '\0')
		return refuse(a, VIGIL_EINVAL, "profile device: no device "
		    "named");
	return VIGIL_OK;
}

/* The tenant's own ACTIVE issuing CA (newest) before the shared one. */
static enum vigil_err
default_ca(struct issue *c, struct signer_ca_ans *a)
{
	struct vigil_ca *cas = NULL;
	size_t n = 0;
	long own = -1, shared = -1, pick;

	if (vigil_ca_list(c->sc->st, c->r->tenant_id, VIGIL_CA_ISSUING, &cas,
	    &n) != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "listing issuing CAs: %s",
		    vigil_store_errmsg(c->sc->st));
	for (size_t i = 0; i < n; i++) {
		if (cas[i].status != VIGIL_CA_ACTIVE)
			continue;
		if (strcmp(cas[i].tenant_id, c->r->tenant_id) == 0)
			own = (long)i;
		else if (cas[i].tenant_id[0] == '\0')
			shared = (long)i;
	}
	pick = own >= 0 ? own : shared;
	if (pick < 0) {
		vigil_ca_list_free(cas, n);
		return refuse(a, VIGIL_ENOTFOUND, "tenant %s has no active "
		    "issuing CA (vigil ca init)", c->r->tenant_id);
	}
	c->ca = cas[pick];
	memset(&cas[pick], 0, sizeof cas[pick]);
	vigil_ca_list_free(cas, n);
	return VIGIL_OK;
}

static enum vigil_err
check_ca(struct issue *c, struct signer_ca_ans *a)
{
	const struct ipc_ca_issue_req *r = c->r;
	enum vigil_err e;

	if (r->ca_id[0] == '\0') {
		if ((e = default_ca(c, a)) != VIGIL_OK)
			return e;
	} else if ((e = vigil_ca_get(c->sc->st, NULL, r->ca_id, &c->ca)) !=
	    VIGIL_OK) {
		return refuse(a, e == VIGIL_ENOTFOUND ? e : VIGIL_ESTORE,
		    "CA %s: %s", r->ca_id, e == VIGIL_ENOTFOUND ?
		    "not found" : vigil_store_errmsg(c->sc->st));
	}
	if (c->ca.role != VIGIL_CA_ISSUING)
		return refuse(a, VIGIL_EDENIED, "CA %s is a %s CA, not an "
		    "issuing CA", c->ca.label, vigil_ca_role_name(c->ca.role));
	if (c->ca.status != VIGIL_CA_ACTIVE)
		return refuse(a, VIGIL_EDENIED, "CA %s is %s: it no longer "
		    "issues", c->ca.label, vigil_ca_status_name(c->ca.status));
	if (c->ca.tenant_id[0] != '\0' &&
	    strcmp(c->ca.tenant_id, r->tenant_id) != 0)
		return refuse(a, VIGIL_EDENIED, "CA %s belongs to another "
		    "tenant", c->ca.label);
	c->k = signer_ca_find(c->sc, c->ca.id);
	if (c->k == NULL)
		return refuse(a, VIGIL_EIO, "CA %s: the signer does not hold "
		    "its key (added after vigild started? reload vigild)",
		    c->ca.label);
	if (c->k->key == NULL)
		return refuse(a, VIGIL_EIO, "%s", c->k->load_err);
	return VIGIL_OK;
}

static enum vigil_err
check_device(struct issue *c, struct signer_ca_ans *a)
{
	char err[256] = "";
	enum vigil_err e;

	if (c->prof->id != VIGIL_PROFILE_DEVICE)
		return VIGIL_OK; /* names_identity made the identity */
	e = vigil_device_get(c->sc->st, c->r->tenant_id, c->r->device_id,
	    &c->dev);
	if (e == VIGIL_ENOTFOUND)
		return refuse(a, e, "device %s: not found in tenant %s",
		    c->r->device_id, c->r->tenant_id);
	if (e != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "device %s: %s",
		    c->r->device_id, vigil_store_errmsg(c->sc->st));
	/* Refuses quarantined and retired devices (VIGIL_ESTATE). */
	if ((e = vigil_pki_identity_from_device(c->dev, &c->id, err,
	    sizeof err)) != VIGIL_OK)
		return refuse(a, e, "device %s: %s", c->dev->id,
		    err[0] != '\0' ? err : vigil_strerror(e));
	return VIGIL_OK;
}

static enum vigil_err
check_csr(struct issue *c, const uint8_t *der, size_t len,
    struct signer_ca_ans *a)
{
	char err[256] = "", other[VIGIL_UUID_STRLEN];
	enum vigil_err e;
	int owner;

	if ((e = vigil_csr_parse(der, len, &c->csr, err, sizeof err)) !=
	    VIGIL_OK)
		return refuse(a, e == VIGIL_ENOMEM ? e : VIGIL_EINVAL, "%s",
		    err[0] != '\0' ? err : "CSR: does not parse");
	owner = vigil_cert_key_owner(c->sc->st, c->csr.key_fp,
	    c->dev != NULL ? c->dev->id : "", other);
	if (owner < 0)
		return refuse(a, VIGIL_ESTORE, "key owner lookup: %s",
		    vigil_store_errmsg(c->sc->st));
	/* The other device's id is not named: it may be another
	 * tenant's. */
	if (owner == 1)
		return refuse(a, VIGIL_EEXIST, "key already certified for "
		    "%s", c->dev != NULL ? "another device" : "a device");
	return VIGIL_OK;
}

/* Re-enrollment renews the device's current certificate: it must be
 * good, the same device's and unexpired. The new certificate's
 * identity is derived from the same registry device, so subject and
 * SAN equal the old ones unless the registry changed the device's
 * identifiers, which is refused here (enroll anew instead). */
static enum vigil_err
check_reenroll(struct issue *c, struct signer_ca_ans *a)
{
	struct vigil_cert old;
	enum vigil_err e;
	const char *why = NULL;

	if (c->r->via != IPC_VIA_REENROLL)
		return VIGIL_OK;
	if (c->r->prev_serial[0] == '\0')
		return refuse(a, VIGIL_EINVAL, "re-enrollment: no current "
		    "certificate serial");
	if (c->dev == NULL)
		return refuse(a, VIGIL_EINVAL, "re-enrollment: device "
		    "certificates only");
	memset(&old, 0, sizeof old);
	e = vigil_cert_get(c->sc->st, c->r->tenant_id, c->r->prev_serial,
	    &old);
	if (e == VIGIL_ENOTFOUND)
		return refuse(a, VIGIL_EDENIED, "re-enrollment: certificate "
		    "%s is unknown", c->r->prev_serial);
	if (e != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "re-enrollment: %s",
		    vigil_store_errmsg(c->sc->st));
	if (strcmp(old.device_id, c->dev->id) != 0)
		why = "belongs to another device";
	else if (old.status != VIGIL_CERT_GOOD)
		why = old.status == VIGIL_CERT_HOLD ? "is on hold" :
		    "is revoked";
	else if (old.not_after <= c->now_ms / 1000)
		why = "has expired";
	else if (strcmp(old.urn, c->id.urn) != 0)
		why = "names another URN than the registry now derives "
		    "(identifiers changed: enroll anew)";
	if (why != NULL)
		refuse(a, VIGIL_EDENIED, "re-enrollment: certificate %s %s",
		    c->r->prev_serial, why);
	vigil_cert_clear(&old);
	return why != NULL ? VIGIL_EDENIED : VIGIL_OK;
}

/* Manual approval: the CA asks an operator to approve enrollments
 * (not operator requests, not re-enrollments of a known device). An
 * unknown (device, key) gets a pending request the operator can see. */
static enum vigil_err
check_approval(struct issue *c, struct signer_ca_ans *a)
{
	if (!c->ca.approval || c->r->via == IPC_VIA_OPERATOR ||
	    c->r->via == IPC_VIA_REENROLL)
		return VIGIL_OK;
	if (vigil_enroll_request_get_or_add(c->sc->st, c->r->tenant_id,
	    c->dev->id, c->ca.id, c->csr.key_fp, via_record(c->r->via),
	    &c->ereq) != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "approval lookup: %s",
		    vigil_store_errmsg(c->sc->st));
	if (c->ereq.state != VIGIL_ENROLL_APPROVED)
		return refuse(a, VIGIL_EDENIED, "enrollment awaits approval "
		    "(request %s is %s)", c->ereq.id,
		    vigil_enroll_state_name(c->ereq.state));
	c->approved = 1;
	return VIGIL_OK;
}

/* ---- Signing and recording ---------------------------------------- */

static void
url(const struct signer_ca *sc, char *buf, size_t size, const char *what,
    const char *label, const char *ext)
{
	snprintf(buf, size, "%s/%s/%s%s", sc->base_url, what, label, ext);
}

/* The writes of one issuance, all or nothing: a savepoint inside the
 * batch transaction (or a transaction of its own). */
static enum vigil_err
record(struct issue *c, const char *serial,
    const struct vigil_pki_cert_info *info, uint8_t *der, size_t der_len,
    struct signer_ca_ans *a)
{
	struct vigil_store *st = c->sc->st;
	const struct ipc_ca_issue_req *r = c->r;
	struct vigil_audit_event ev;
	struct vigil_cert rec;
	char object[64], until[32], detail[512], reason[96];
	struct tm tm;
	time_t na = (time_t)info->not_after;
	enum vigil_err e;

	memset(&rec, 0, sizeof rec);
	snprintf(rec.serial, sizeof rec.serial, "%s", serial);
	snprintf(rec.ca_id, sizeof rec.ca_id, "%s", c->ca.id);
	snprintf(rec.tenant_id, sizeof rec.tenant_id, "%s", r->tenant_id);
	snprintf(rec.device_id, sizeof rec.device_id, "%s",
	    c->dev != NULL ? c->dev->id : "");
	rec.profile = c->prof->id;
	snprintf(rec.subject, sizeof rec.subject, "%s", info->subject);
	snprintf(rec.urn, sizeof rec.urn, "%s", c->id.urn);
	snprintf(rec.key_fp, sizeof rec.key_fp, "%s", c->csr.key_fp);
	snprintf(rec.via, sizeof rec.via, "%s", via_record(r->via));
	rec.not_before = info->not_before;
	rec.not_after = info->not_after;
	rec.issued_ms = c->now_ms;
	rec.status = VIGIL_CERT_GOOD;
	rec.der = der;
	rec.der_len = der_len;

	gmtime_r(&na, &tm);
	strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(detail, sizeof detail, "%s %.200s profile %s via %s, key "
	    "%s, valid until %s", c->dev != NULL ? "device" : "names",
	    c->dev != NULL ? c->dev->id : r->names, c->prof->name,
	    via_name(r->via), c->csr.key_desc, until);
	snprintf(object, sizeof object, "cert/%s", serial);
	memset(&ev, 0, sizeof ev);
	ev.at_ms = c->now_ms;
	ev.principal = r->actor;
	ev.tenant_id = r->tenant_id;
	ev.source_ip = r->source_ip;
	ev.action = "cert.issue";
	ev.object = object;
	ev.outcome = "ok";
	ev.request_id = r->request_id;
	ev.detail = detail;

	if (vigil_store_begin(st) != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "store: %s",
		    vigil_store_errmsg(st));
	if ((e = vigil_cert_record(st, &rec)) != VIGIL_OK) {
		/* EEXIST: the same key certified for another device
		 * meanwhile (earlier in this batch). */
		refuse(a, e == VIGIL_EEXIST ? e : VIGIL_ESTORE,
		    "recording certificate %s: %s", serial,
		    e == VIGIL_EEXIST ? "key already certified for another "
		    "device" : vigil_store_errmsg(st));
		goto undo;
	}
	if (c->approved &&
	    vigil_enroll_request_done(st, c->ereq.id) != VIGIL_OK) {
		refuse(a, VIGIL_ESTORE, "marking enrollment request %s done: "
		    "%s", c->ereq.id, vigil_store_errmsg(st));
		goto undo;
	}
	if (c->dev != NULL && c->dev->state == VIGIL_DEV_REGISTERED) {
		snprintf(reason, sizeof reason, "certificate %s issued",
		    serial);
		if ((e = vigil_device_set_state(st, c->dev->tenant_id,
		    c->dev->id, VIGIL_DEV_PROVISIONED, c->dev->version,
		    r->actor, reason, NULL)) != VIGIL_OK) {
			refuse(a, e == VIGIL_ECONFLICT ? e : VIGIL_ESTORE,
			    "device %s: moving to provisioned: %s",
			    c->dev->id, vigil_store_errmsg(st));
			goto undo;
		}
	}
	if (vigil_audit_append(st, &ev, NULL, NULL) != VIGIL_OK) {
		refuse(a, VIGIL_ESTORE, "audit: %s", vigil_store_errmsg(st));
		goto undo;
	}
	if (vigil_store_commit(st) != VIGIL_OK)
		return refuse(a, VIGIL_ESTORE, "store commit: %s",
		    vigil_store_errmsg(st));
	return VIGIL_OK;
undo:
	vigil_store_rollback(st);
	return a->status;
}

/* Unix seconds of a certificate time. */
static int
cert_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/*
 * What record() needs of the certificate just made: its subject (the
 * RFC 2253 text vigil_pki_cert_info gives) and validity. Not
 * vigil_pki_cert_info itself: that also fingerprints and describes
 * the public key (an OpenSSL 3.0 encoder per call, about a tenth of
 * an issuance) and reads the SAN, none of which the record takes
 * from here (the key fingerprint is the CSR's).
 */
static int
issued_info(X509 *x, struct vigil_pki_cert_info *info)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;
	int ok;

	memset(info, 0, sizeof *info);
	if (b == NULL)
		return -1;
	ok = X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (len = BIO_get_mem_data(b, &p)) > 0;
	if (ok) {
		if ((size_t)len >= sizeof info->subject)
			len = (long)sizeof info->subject - 1;
		memcpy(info->subject, p, (size_t)len);
		info->subject[len] = '\0';
	}
	BIO_free(b);
	if (!ok || cert_time(X509_get0_notBefore(x), &info->not_before) != 0 ||
	    cert_time(X509_get0_notAfter(x), &info->not_after) != 0)
		return -1;
	return 0;
}

static enum vigil_err
sign_and_record(struct issue *c, struct signer_ca_ans *a)
{
	struct vigil_pki_issue_params p;
	struct vigil_pki_cert_info info;
	char serial[VIGIL_PKI_SERIAL_STRLEN], err[256] = "";
	char crl[SIGNER_CA_URL_MAX + 96], ocsp[SIGNER_CA_URL_MAX + 96];
	uint8_t *der = NULL;
	X509 *x = NULL;
	enum vigil_err e;
	int n;

	memset(&p, 0, sizeof p);
	p.profile = c->prof->id;
	p.id = &c->id;
	p.subject_pub = c->csr.pub;
	p.issuer = c->k->cert;
	p.issuer_key = vigil_pki_key_evp(c->k->key);
	p.now = c->now_ms / 1000;
	p.validity_s = c->r->validity_s != 0 ? c->r->validity_s :
	    c->ca.validity_s;
	if (c->sc->base_url[0] != '\0') {
		url(c->sc, crl, sizeof crl, "crl", c->ca.label, ".crl");
		url(c->sc, ocsp, sizeof ocsp, "ocsp", c->ca.label, "");
		p.crl_url = crl;
		p.ocsp_url = ocsp;
	}
	if ((e = vigil_pki_issue(&p, &x, serial, err, sizeof err)) !=
	    VIGIL_OK) {
		ERR_clear_error();
		return refuse(a, e == VIGIL_EINVAL ? e : VIGIL_EIO,
		    "CA %s: issuing: %s", c->ca.label,
		    err[0] != '\0' ? err : vigil_strerror(e));
	}
	if (issued_info(x, &info) != 0 || (n = i2d_X509(x, &der)) <= 0) {
		ERR_clear_error();
		X509_free(x);
		return refuse(a, VIGIL_EIO, "certificate %s: encoding "
		    "failed", serial);
	}
	if (record(c, serial, &info, der, (size_t)n, a) != VIGIL_OK) {
		OPENSSL_free(der);
		X509_free(x);
		return a->status;
	}
	X509_free(x);
	a->status = VIGIL_OK;
	a->data = der;
	a->len = (size_t)n;
	vlog(VLOG_DEBUG, "signer.issue", "tenant %s %s %s: certificate "
	    "%s under CA %s", c->r->tenant_id, c->prof->name,
	    c->dev != NULL ? c->dev->id : c->id.cn, serial, c->ca.label);
	return VIGIL_OK;
}

void
signer_ca_issue(struct signer_ca *sc, const struct ipc_ca_issue_req *r,
    const uint8_t *csr, size_t csr_len, int64_t now_ms,
    struct signer_ca_ans *ans)
{
	struct issue c;

	memset(ans, 0, sizeof *ans);
	memset(&c, 0, sizeof c);
	c.sc = sc;
	c.r = r;
	c.now_ms = now_ms;
	if (!signer_ca_bucket(&sc->issue_tokens, &sc->issue_at_ns,
	    sc->cfg->issue_rate))
		refuse(ans, VIGIL_ELOCKED, "issuance rate limited: at most %u "
		    "certificates per second", sc->cfg->issue_rate);
	else if (check_profile(&c, ans) == VIGIL_OK &&
	    check_ca(&c, ans) == VIGIL_OK &&
	    check_device(&c, ans) == VIGIL_OK &&
	    check_csr(&c, csr, csr_len, ans) == VIGIL_OK &&
	    check_reenroll(&c, ans) == VIGIL_OK &&
	    check_approval(&c, ans) == VIGIL_OK)
		sign_and_record(&c, ans);
	if (ans->status != VIGIL_OK)
		audit_refusal(sc, r, ans);
	ctx_clear(&c);
}
