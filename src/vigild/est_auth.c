/*
 * Who is enrolling over EST: the CA the URL's label names, and the
 * registry device an IDevID, a fleet-claim certificate, a one-time
 * enrollment token (HTTP Basic or Bearer, only ever inside the
 * gateway's TLS) or the current device certificate stands for
 * (RFC 7030 §3.2.3, §3.3). Refusals come back as an HTTP status and a
 * reason the handler audits and sends; a token secret never reaches a
 * reason, a log line or the audit.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "est_auth.h"
#include "net_worker.h"
#include "vigil/pki.h"
#include "vigil/registry.h"

#define EST_MAX_MATCHES 8

void
est_ident_clear(struct est_ident *id)
{
	OPENSSL_cleanse(id->token, sizeof id->token);
	vigil_device_free(id->dev);
	id->dev = NULL;
}

static const char *
store_why(struct vigil_store *st, enum vigil_err e)
{
	const char *m = vigil_store_errmsg(st);

	return m != NULL && m[0] != '\0' ? m : vigil_strerror(e);
}

/* ------------------------------------------------------------------ */
/* The CA */

/* Whether label is base or base-<digits>: the names `vigil ca
 * rollover` gives one CA's successors. */
static bool
same_family(const char *label, const char *base, size_t blen)
{
	if (strncmp(label, base, blen) != 0)
		return false;
	if (label[blen] == '\0')
		return true;
	if (label[blen] != '-' || label[blen + 1] == '\0')
		return false;
	return strspn(label + blen + 1, "0123456789") ==
	    strlen(label + blen + 1);
}

/*
 * Devices keep the EST URL they were given. After `vigil ca rollover`
 * the label they use names a retiring CA, which no longer issues: the
 * enrollment goes to the newest active issuing CA of the same family
 * (label, label-2, ...) and tenant instead. ca holds the retiring CA
 * and is replaced.
 */
static int
follow_rollover(struct vigil_store *st, struct vigil_ca *ca, char *why,
    size_t whysize)
{
	struct vigil_ca *cas = NULL;
	size_t n = 0, blen = strlen(ca->label), pick = (size_t)-1;
	const char *dash = strrchr(ca->label, '-');
	enum vigil_err e;

	if (dash != NULL && dash[1] != '\0' &&
	    strspn(dash + 1, "0123456789") == strlen(dash + 1))
		blen = (size_t)(dash - ca->label);
	if ((e = vigil_ca_list(st, NULL, VIGIL_CA_ISSUING, &cas, &n)) !=
	    VIGIL_OK) {
		snprintf(why, whysize, "CA list: %s", store_why(st, e));
		vigil_ca_clear(ca);
		return 500;
	}
	for (size_t i = 0; i < n; i++)
		if (cas[i].status == VIGIL_CA_ACTIVE &&
		    strcmp(cas[i].tenant_id, ca->tenant_id) == 0 &&
		    same_family(cas[i].label, ca->label, blen) &&
		    (pick == (size_t)-1 ||
		    cas[i].created_ms >= cas[pick].created_ms))
			pick = i;
	if (pick == (size_t)-1) {
		snprintf(why, whysize, "CA \"%s\" is retiring and has no "
		    "active successor", ca->label);
		vigil_ca_list_free(cas, n);
		vigil_ca_clear(ca);
		return 404;
	}
	vigil_ca_clear(ca);
	*ca = cas[pick];
	cas[pick].cert_der = NULL;
	cas[pick].cert_len = 0;
	vigil_ca_list_free(cas, n);
	return 0;
}

int
est_ca_resolve(struct gw_req *r, struct vigil_ca *ca, char *why,
    size_t whysize)
{
	struct vigil_store *st = r->w->st;
	struct vigil_ca *cas = NULL;
	size_t n = 0, nactive = 0, pick = 0;
	enum vigil_err e;

	memset(ca, 0, sizeof *ca);
	if (r->label[0] != '\0') {
		e = vigil_ca_get(st, NULL, r->label, ca);
		if (e == VIGIL_ENOTFOUND || (e == VIGIL_OK &&
		    (ca->role != VIGIL_CA_ISSUING ||
		    ca->status == VIGIL_CA_RETIRED))) {
			vigil_ca_clear(ca);
			snprintf(why, whysize, "no issuing CA labelled \"%s\"",
			    r->label);
			return 404;
		}
		if (e != VIGIL_OK) {
			snprintf(why, whysize, "CA lookup: %s",
			    store_why(st, e));
			return 500;
		}
		if (ca->status == VIGIL_CA_RETIRING)
			return follow_rollover(st, ca, why, whysize);
		return 0;
	}
	/* No label: only unambiguous when the platform has one issuing CA
	 * in service; otherwise a device could land in the wrong tenant. */
	if ((e = vigil_ca_list(st, NULL, VIGIL_CA_ISSUING, &cas, &n)) !=
	    VIGIL_OK) {
		snprintf(why, whysize, "CA list: %s", store_why(st, e));
		return 500;
	}
	for (size_t i = 0; i < n; i++)
		if (cas[i].status == VIGIL_CA_ACTIVE) {
			nactive++;
			pick = i;
		}
	if (nactive != 1) {
		vigil_ca_list_free(cas, n);
		snprintf(why, whysize, nactive == 0 ?
		    "no active issuing CA: run `vigil ca init`" :
		    "several CAs: use /.well-known/est/<label>/");
		return 404;
	}
	*ca = cas[pick];
	/* The picked entry's certificate now belongs to *ca. */
	cas[pick].cert_der = NULL;
	cas[pick].cert_len = 0;
	vigil_ca_list_free(cas, n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names and devices */

int
est_name_entry(const X509_NAME *name, int nid, char *buf, size_t size)
{
	const X509_NAME_ENTRY *ne;
	unsigned char *utf8 = NULL;
	int i, len;

	buf[0] = '\0';
	if (name == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, nid, -1)) < 0)
		return 0;
	ne = X509_NAME_get_entry(name, i);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ne));
	if (len < 0)
		return -1;
	if ((size_t)len >= size || memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		return -1;
	}
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	OPENSSL_free(utf8);
	return 1;
}

static void
ids_add(char ids[][VIGIL_UUID_STRLEN], size_t max, size_t *n,
    const char *id)
{
	for (size_t i = 0; i < *n && i < max; i++)
		if (strcmp(ids[i], id) == 0)
			return;
	if (*n < max)
		snprintf(ids[*n], VIGIL_UUID_STRLEN, "%s", id);
	(*n)++;
}

static enum vigil_err
find_add(struct vigil_store *st, const char *tenant, enum vigil_id_type t,
    const char *text, char ids[][VIGIL_UUID_STRLEN], size_t max, size_t *n)
{
	struct vigil_device_list l;
	enum vigil_err e;

	e = vigil_device_find(st, tenant, t, text, &l);
	if (e == VIGIL_OK)
		for (size_t i = 0; i < l.n; i++)
			ids_add(ids, max, n, l.items[i]->id);
	vigil_device_list_free(&l);
	return e == VIGIL_ENOTFOUND || e == VIGIL_EINVAL ? VIGIL_OK : e;
}

enum vigil_err
est_devices_named(struct vigil_store *st, const char *tenant,
    const char *text, bool serial, char ids[][VIGIL_UUID_STRLEN], size_t max,
    size_t *n)
{
	struct vigil_device *d = NULL;
	enum vigil_err e;

	if (text == NULL || text[0] == '\0' || tenant[0] == '\0')
		return VIGIL_OK;
	/* A serial number is never auto-detected (any text could be one),
	 * so it is looked up as such; the rest by id, name or identifier. */
	if (serial && (e = find_add(st, tenant, VIGIL_ID_SERIAL, text, ids,
	    max, n)) != VIGIL_OK)
		return e;
	e = vigil_device_get(st, tenant, text, &d);
	if (e == VIGIL_OK)
		ids_add(ids, max, n, d->id);
	vigil_device_free(d);
	if (e == VIGIL_EAMBIGUOUS)
		return find_add(st, tenant, VIGIL_ID_UNKNOWN, text, ids, max,
		    n);
	return e == VIGIL_ENOTFOUND || e == VIGIL_EINVAL ? VIGIL_OK : e;
}

/* The tenant a credential of cred_tenant may enroll into under a CA of
 * ca_tenant ("" = shared). */
static int
tenant_pick(const char *ca_tenant, const char *cred_tenant, char *out,
    const char *what, char *why, size_t whysize)
{
	if (ca_tenant[0] != '\0' && cred_tenant[0] != '\0' &&
	    strcmp(ca_tenant, cred_tenant) != 0) {
		snprintf(why, whysize, "%s belongs to another tenant than "
		    "this CA", what);
		return 403;
	}
	snprintf(out, VIGIL_UUID_STRLEN, "%s",
	    ca_tenant[0] != '\0' ? ca_tenant : cred_tenant);
	if (out[0] == '\0') {
		snprintf(why, whysize, "%s and this CA are shared by all "
		    "tenants: use the label of the tenant's CA", what);
		return 403;
	}
	return 0;
}

static int
device_load(struct vigil_store *st, const char *tenant, const char *ref,
    struct est_ident *id, char *why, size_t whysize)
{
	enum vigil_err e;

	if ((e = vigil_device_get(st, tenant, ref, &id->dev)) != VIGIL_OK) {
		snprintf(why, whysize, "device %s: %s", ref, store_why(st, e));
		return e == VIGIL_ENOTFOUND ? 403 : 500;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* IDevID: the manufacturer certificate names the device */

static void
hw_serial_text(const struct vigil_pki_cert_info *ci, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < ci->hw_serial_len; i++)
		if (ci->hw_serial[i] < 0x21 || ci->hw_serial[i] > 0x7e)
			break;
	if (i == ci->hw_serial_len && i > 0 && i < size) {
		memcpy(buf, ci->hw_serial, i);
		buf[i] = '\0';
	} else if (ci->hw_serial_len > 0) {
		vigil_hex_encode(ci->hw_serial, ci->hw_serial_len, buf, size);
	}
}

static int
auth_idevid(struct gw_req *r, const struct vigil_ca *ca,
    struct est_ident *id, char *why, size_t whysize)
{
	struct vigil_store *st = r->w->st;
	const struct vigil_pki_cert_info *ci = &r->peer_info;
	char ids[EST_MAX_MATCHES][VIGIL_UUID_STRLEN];
	char hw[2 * VIGIL_PKI_HMN_SERIAL_MAX + 1], shown[800];
	size_t n = 0;
	enum vigil_err e;
	int status;

	id->via = IPC_VIA_IDEVID;
	snprintf(id->via_name, sizeof id->via_name, "est-idevid");
	snprintf(id->actor, sizeof id->actor, "idevid:%.100s",
	    ci->serial_number[0] != '\0' ? ci->serial_number :
	    ci->urn[0] != '\0' ? ci->urn : ci->serial);
	if ((status = tenant_pick(ca->tenant_id, r->peer_tenant, id->tenant,
	    "the IDevID's manufacturer CA", why, whysize)) != 0)
		return status;
	hw_serial_text(ci, hw, sizeof hw);
	if ((e = est_devices_named(st, id->tenant, ci->serial_number, true,
	    ids, EST_MAX_MATCHES, &n)) != VIGIL_OK ||
	    (e = est_devices_named(st, id->tenant, ci->urn, false, ids,
	    EST_MAX_MATCHES, &n)) != VIGIL_OK ||
	    (e = est_devices_named(st, id->tenant, hw, true, ids,
	    EST_MAX_MATCHES, &n)) != VIGIL_OK) {
		snprintf(why, whysize, "device lookup: %s", store_why(st, e));
		return 500;
	}
	snprintf(shown, sizeof shown, "%s%s%s%s%s%s",
	    ci->serial_number[0] != '\0' ? "serialNumber=" : "",
	    ci->serial_number, ci->urn[0] != '\0' ? " URI=" : "", ci->urn,
	    hw[0] != '\0' ? " hwSerialNum=" : "", hw);
	if (n != 1) {
		snprintf(why, whysize, n == 0 ?
		    "no registered device matches IDevID %s" :
		    "several registered devices match IDevID %s", shown);
		return 403;
	}
	return device_load(st, id->tenant, ids[0], id, why, whysize);
}

/* ------------------------------------------------------------------ */
/* Fleet claim: the CSR names the identifier, an allow-list admits it */

static int
auth_claim(struct gw_req *r, const struct vigil_ca *ca,
    const struct vigil_csr *csr, struct est_ident *id, char *why,
    size_t whysize)
{
	struct vigil_store *st = r->w->st;
	struct vigil_ca claim_ca;
	char ids[EST_MAX_MATCHES][VIGIL_UUID_STRLEN], detail[300];
	char obj[VIGIL_UUID_STRLEN + 8];
	const X509_NAME *subj = X509_REQ_get_subject_name(csr->req);
	size_t n = 0;
	enum vigil_err e;
	int status, rc;

	id->via = IPC_VIA_CLAIM;
	snprintf(id->via_name, sizeof id->via_name, "est-claim");
	memset(&claim_ca, 0, sizeof claim_ca);
	e = vigil_ca_get(st, NULL, r->peer_ca_id, &claim_ca);
	snprintf(id->actor, sizeof id->actor, "claim:%s",
	    e == VIGIL_OK ? claim_ca.label : r->peer_ca_id);
	vigil_ca_clear(&claim_ca);
	if ((status = tenant_pick(ca->tenant_id, r->peer_tenant, id->tenant,
	    "the claim certificate's CA", why, whysize)) != 0)
		return status;
	rc = est_name_entry(subj, NID_serialNumber, id->claim,
	    sizeof id->claim);
	if (rc == 0)
		rc = est_name_entry(subj, NID_commonName, id->claim,
		    sizeof id->claim);
	if (rc <= 0 || id->claim[0] == '\0') {
		snprintf(why, whysize, "CSR: a claim enrollment names the "
		    "device's identifier in the subject serialNumber or CN");
		return 400;
	}
	rc = vigil_claim_check(st, id->tenant, id->claim, 0);
	if (rc < 0) {
		snprintf(why, whysize, "claim allow-list: %s",
		    store_why(st, (enum vigil_err)-rc));
		return 500;
	}
	if (rc == 0) {
		snprintf(why, whysize, "identifier %s is not on the claim "
		    "allow-list (or was claimed already)", id->claim);
		return 403;
	}
	if ((e = est_devices_named(st, id->tenant, id->claim, true, ids,
	    EST_MAX_MATCHES, &n)) != VIGIL_OK) {
		snprintf(why, whysize, "device lookup: %s", store_why(st, e));
		return 500;
	}
	if (n > 1) {
		snprintf(why, whysize, "several registered devices carry "
		    "identifier %s", id->claim);
		return 403;
	}
	if (n == 1)
		return device_load(st, id->tenant, ids[0], id, why, whysize);

	/* Zero-touch: the allow-list vouches for a device nobody has
	 * registered yet (like AWS just-in-time provisioning). */
	struct vigil_ident_spec is = { VIGIL_ID_UNKNOWN, id->claim };
	struct vigil_device_spec spec = { 0 };

	spec.state = VIGIL_DEV_REGISTERED;
	spec.nidents = 1;
	spec.idents = &is;
	e = vigil_device_add(st, id->tenant, &spec, id->actor, &id->dev);
	if (e == VIGIL_EINVAL) {
		/* Not a hardware identifier: a manufacturer serial. */
		is.type = VIGIL_ID_SERIAL;
		e = vigil_device_add(st, id->tenant, &spec, id->actor,
		    &id->dev);
	}
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "registering claimed device %s: %s",
		    id->claim, store_why(st, e));
		return e == VIGIL_EINVAL || e == VIGIL_EEXIST ? 403 : 500;
	}
	snprintf(detail, sizeof detail, "zero-touch claim of %s", id->claim);
	snprintf(obj, sizeof obj, "device/%s", id->dev->id);
	gw_audit(r, id->tenant, id->actor, "device.create", obj, "ok", detail);
	return 0;
}

/* ------------------------------------------------------------------ */
/* One-time enrollment token */

bool
est_has_token(const struct gw_req *r)
{
	return strncasecmp(r->authorization, "Basic ", 6) == 0 ||
	    strncasecmp(r->authorization, "Bearer ", 7) == 0;
}

/* Splits the Authorization header into user (Basic only, "" for
 * Bearer) and token. -1 when malformed. */
static int
token_parse(const char *auth, char *user, size_t usize, char *token,
    size_t tsize)
{
	uint8_t raw[400];
	size_t len = 0;
	const char *p;
	char *colon;
	int rc = -1;

	user[0] = token[0] = '\0';
	if (strncasecmp(auth, "Bearer ", 7) == 0) {
		for (p = auth + 7; *p == ' '; p++)
			;
		if (strlen(p) == 0 || strlen(p) >= tsize)
			return -1;
		snprintf(token, tsize, "%s", p);
		return 0;
	}
	for (p = auth + 6; *p == ' '; p++)
		;
	if (vigil_base64_decode(p, strlen(p), raw, sizeof raw - 1, &len) !=
	    VIGIL_OK)
		goto out;
	raw[len] = '\0';
	colon = memchr(raw, ':', len);
	if (colon == NULL || memchr(raw, '\0', len) != NULL)
		goto out;
	*colon = '\0';
	if ((size_t)(colon - (char *)raw) >= usize ||
	    strlen(colon + 1) >= tsize || colon[1] == '\0')
		goto out;
	/* Both lengths were checked above. */
	memcpy(user, raw, (size_t)(colon - (char *)raw) + 1);
	memcpy(token, colon + 1, strlen(colon + 1) + 1);
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}

static int
auth_token(struct gw_req *r, const struct vigil_ca *ca,
    struct est_ident *id, char *why, size_t whysize)
{
	struct vigil_store *st = r->w->st;
	struct vigil_enroll_token tok;
	char user[VIGIL_DEVICE_NAME_MAX + 1];
	enum vigil_err e;
	int status;

	id->via = IPC_VIA_TOKEN;
	snprintf(id->via_name, sizeof id->via_name, "est-token");
	snprintf(id->actor, sizeof id->actor, "token");
	if (token_parse(r->authorization, user, sizeof user, id->token,
	    sizeof id->token) != 0) {
		snprintf(why, whysize, "malformed Authorization header: "
		    "Basic <device>:<token> or Bearer <token>");
		return 401;
	}
	/* A dry run: the token is used up by est_commit only, so a 202
	 * (approval pending) or a refused CSR leaves it valid. */
	e = vigil_enroll_token_use(st, id->token, vigil_time_now_ms(), 1,
	    &tok);
	if (e == VIGIL_EAUTH || e == VIGIL_ENOTFOUND) {
		snprintf(why, whysize, "%s", e == VIGIL_EAUTH ?
		    store_why(st, e) : "unknown enrollment token");
		return 401;
	}
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "enrollment token: %s",
		    store_why(st, e));
		return 500;
	}
	snprintf(id->actor, sizeof id->actor, "token:%s", tok.id);
	if ((status = tenant_pick(ca->tenant_id, tok.tenant_id, id->tenant,
	    "the enrollment token", why, whysize)) != 0)
		return status;
	if ((status = device_load(st, id->tenant, tok.device_id, id, why,
	    whysize)) != 0)
		return status;
	if (user[0] != '\0' && strcmp(user, id->dev->id) != 0 &&
	    strcmp(user, id->dev->name) != 0) {
		struct vigil_device *named = NULL;

		/* The user may also name the device by an identifier. */
		e = vigil_device_get(st, id->tenant, user, &named);
		bool same = e == VIGIL_OK && strcmp(named->id, id->dev->id) ==
		    0;

		vigil_device_free(named);
		if (!same) {
			snprintf(why, whysize, "user \"%s\" does not name the "
			    "device the enrollment token was issued for",
			    user);
			return 403;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */

int
est_authenticate(struct gw_req *r, const struct vigil_ca *ca,
    const struct vigil_csr *csr, struct est_ident *id, char *why,
    size_t whysize)
{
	memset(id, 0, sizeof *id);
	snprintf(id->actor, sizeof id->actor, "anonymous");
	if (r->peer != NULL && r->peer_kind == GW_PEER_MANUFACTURER)
		return auth_idevid(r, ca, id, why, whysize);
	if (r->peer != NULL && r->peer_kind == GW_PEER_CLAIM)
		return auth_claim(r, ca, csr, id, why, whysize);
	if (est_has_token(r))
		return auth_token(r, ca, id, why, whysize);
	if (r->peer != NULL && r->peer_kind == GW_PEER_DEVICE) {
		snprintf(id->actor, sizeof id->actor, "device:%.100s",
		    r->peer_info.cn);
		snprintf(why, whysize, "already enrolled: use "
		    "simplereenroll");
		return 403;
	}
	if (r->authorization[0] != '\0') {
		snprintf(why, whysize, "unsupported Authorization scheme: "
		    "use Basic or Bearer with an enrollment token");
		return 401;
	}
	snprintf(why, whysize, "authentication required: an enrollment "
	    "token (HTTP Basic or Bearer), an IDevID or a claim "
	    "certificate");
	return 401;
}

int
est_authenticate_reenroll(const struct vigil_ca *ca,
    const struct vigil_cert *cert, struct vigil_device *dev,
    struct est_ident *id, char *why, size_t whysize)
{
	memset(id, 0, sizeof *id);
	id->dev = dev;
	id->via = IPC_VIA_REENROLL;
	snprintf(id->via_name, sizeof id->via_name, "est-reenroll");
	snprintf(id->actor, sizeof id->actor, "device:%s", dev->id);
	snprintf(id->prev_serial, sizeof id->prev_serial, "%s", cert->serial);
	if (cert->profile != VIGIL_PROFILE_DEVICE) {
		snprintf(why, whysize, "certificate %s is not a device "
		    "certificate", cert->serial);
		return 403;
	}
	return tenant_pick(ca->tenant_id, cert->tenant_id, id->tenant,
	    "the device certificate", why, whysize);
}

int
est_commit(struct gw_req *r, struct est_ident *id, char *why, size_t whysize)
{
	struct vigil_store *st = r->w->st;
	struct vigil_enroll_token tok;
	enum vigil_err e;
	int rc;

	if (id->via == IPC_VIA_TOKEN) {
		e = vigil_enroll_token_use(st, id->token, vigil_time_now_ms(),
		    0, &tok);
		OPENSSL_cleanse(id->token, sizeof id->token);
		if (e != VIGIL_OK) {
			snprintf(why, whysize, "%s", e == VIGIL_EAUTH ?
			    store_why(st, e) : vigil_strerror(e));
			return e == VIGIL_EAUTH ? 401 : 500;
		}
		if (strcmp(tok.device_id, id->dev->id) != 0) {
			snprintf(why, whysize, "enrollment token changed "
			    "hands");
			return 403;
		}
		memcpy(id->token_id, tok.id, sizeof id->token_id);
		id->token_used_ms = tok.used_ms;
	}
	if (id->via == IPC_VIA_CLAIM) {
		rc = vigil_claim_check(st, id->tenant, id->claim, 1);
		if (rc != 1) {
			snprintf(why, whysize, rc == 0 ? "identifier %s was "
			    "claimed meanwhile" : "claim allow-list: %s",
			    rc == 0 ? id->claim : store_why(st,
			    (enum vigil_err)-rc));
			return rc == 0 ? 403 : 500;
		}
	}
	return 0;
}
