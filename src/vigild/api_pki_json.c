/*
 * JSON renderings of PKI records and the certificate hygiene reports,
 * shared by vigild's API (api_pki.c) and the CLI (see api_pki_json.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "vigil/json.h"

#include "api_pki_json.h"

#define DAY INT64_C(86400)
/* Certificates read per page while building a report. */
#define PAGE 1000

const char *
pki_key_storage(const char *key_ref)
{
	if (key_ref == NULL || key_ref[0] == '\0')
		return "offline";
	return vigil_pki_ref_is_pkcs11(key_ref) ? "pkcs11" : "file";
}

/* Unix seconds as RFC 3339 (null for 0). */
static json_t *
jsec(int64_t s)
{
	return vigil_json_time(s * 1000);
}

char *
pki_pem_cert(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	char *out = NULL, *data;
	long n;

	if (x != NULL && b != NULL && PEM_write_bio_X509(b, x) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	X509_free(x);
	BIO_free(b);
	return out;
}

static void
put_pem(json_t *o, const uint8_t *der, size_t len, int *ok)
{
	char *pem;

	if (der == NULL || len == 0)
		return;
	pem = pki_pem_cert(der, len);
	vigil_json_put(o, "pem", pem != NULL ? json_string(pem) : NULL, ok);
	vigil_free(pem);
}

json_t *
pki_ca_json(const struct vigil_ca *ca, bool with_pem)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(ca->id), &ok);
	vigil_json_put(
	    o, "tenant_id", vigil_json_str_or_null(ca->tenant_id), &ok);
	vigil_json_put(o, "label", json_string(ca->label), &ok);
	vigil_json_put(
	    o, "role", json_string(vigil_ca_role_name(ca->role)), &ok);
	vigil_json_put(
	    o, "status", json_string(vigil_ca_status_name(ca->status)), &ok);
	vigil_json_put(
	    o, "parent_id", vigil_json_str_or_null(ca->parent_id), &ok);
	vigil_json_put(
	    o, "key_storage", json_string(pki_key_storage(ca->key_ref)), &ok);
	vigil_json_put(o, "alg", json_string(vigil_pki_alg_name(ca->alg)), &ok);
	vigil_json_put(o, "subject",
	    vigil_json_string_lossy(ca->subject, strlen(ca->subject)), &ok);
	vigil_json_put(o, "key_fingerprint", json_string(ca->key_fp), &ok);
	vigil_json_put(o, "not_before", jsec(ca->not_before), &ok);
	vigil_json_put(o, "not_after", jsec(ca->not_after), &ok);
	vigil_json_put(o, "created", vigil_json_time(ca->created_ms), &ok);
	if (ca->role == VIGIL_CA_ISSUING) {
		vigil_json_put(o, "validity_s",
		    json_integer((json_int_t)ca->validity_s), &ok);
		vigil_json_put(o, "approval", json_boolean(ca->approval), &ok);
	}
	if (with_pem)
		put_pem(o, ca->cert_der, ca->cert_len, &ok);
	return vigil_json_done(o, ok);
}

/* "chain": the CA's PEM and its issuers' up to a self-signed root. */
enum vigil_err
pki_ca_chain(struct vigil_store *st, const struct vigil_ca *ca, json_t *o)
{
	struct vigil_buf b;
	struct vigil_ca cur;
	enum vigil_err rc = VIGIL_OK;
	char parent[VIGIL_UUID_STRLEN];
	char *pem;
	int depth = 0;

	vigil_buf_init(&b, 1u << 20);
	memset(&cur, 0, sizeof cur);
	pem = pki_pem_cert(ca->cert_der, ca->cert_len);
	if (pem == NULL || vigil_buf_appends(&b, pem) != VIGIL_OK)
		rc = VIGIL_ENOMEM;
	vigil_free(pem);
	snprintf(parent, sizeof parent, "%s", ca->parent_id);
	while (rc == VIGIL_OK && parent[0] != '\0' && depth++ < 8) {
		if ((rc = vigil_ca_get(st, NULL, parent, &cur)) != VIGIL_OK)
			break;
		pem = pki_pem_cert(cur.cert_der, cur.cert_len);
		if (pem == NULL || vigil_buf_appends(&b, pem) != VIGIL_OK)
			rc = VIGIL_ENOMEM;
		vigil_free(pem);
		snprintf(parent, sizeof parent, "%s",
		    strcmp(cur.parent_id, cur.id) == 0 ? "" : cur.parent_id);
		vigil_ca_clear(&cur);
	}
	if (rc == VIGIL_OK &&
	    json_object_set_new(o, "chain",
	        json_stringn(b.data != NULL ? b.data : "", b.len)) != 0)
		rc = VIGIL_ENOMEM;
	vigil_buf_free(&b);
	return rc;
}

json_t *
pki_cert_json(const struct vigil_cert *c, bool with_pem)
{
	const struct vigil_pki_profile_info *pi =
	    vigil_pki_profile_get(c->profile);
	const char *reason = vigil_crl_reason_name(c->reason);
	json_t *o = json_object();
	int ok = o != NULL;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "serial", json_string(c->serial), &ok);
	vigil_json_put(o, "ca_id", json_string(c->ca_id), &ok);
	vigil_json_put(
	    o, "tenant_id", vigil_json_str_or_null(c->tenant_id), &ok);
	vigil_json_put(
	    o, "device_id", vigil_json_str_or_null(c->device_id), &ok);
	vigil_json_put(
	    o, "profile", json_string(pi != NULL ? pi->name : "none"), &ok);
	vigil_json_put(o, "subject",
	    vigil_json_string_lossy(c->subject, strlen(c->subject)), &ok);
	vigil_json_put(o, "urn", vigil_json_str_or_null(c->urn), &ok);
	vigil_json_put(o, "key_fingerprint", json_string(c->key_fp), &ok);
	vigil_json_put(o, "via", json_string(c->via), &ok);
	vigil_json_put(o, "not_before", jsec(c->not_before), &ok);
	vigil_json_put(o, "not_after", jsec(c->not_after), &ok);
	vigil_json_put(o, "issued", vigil_json_time(c->issued_ms), &ok);
	vigil_json_put(
	    o, "status", json_string(vigil_cert_status_name(c->status)), &ok);
	if (c->status != VIGIL_CERT_GOOD) {
		vigil_json_put(o, "reason",
		    json_string(reason != NULL ? reason : "unspecified"), &ok);
		vigil_json_put(
		    o, "revoked", vigil_json_time(c->revoked_ms), &ok);
	}
	if (with_pem)
		put_pem(o, c->der, c->der_len, &ok);
	return vigil_json_done(o, ok);
}

json_t *
pki_token_json(const struct vigil_enroll_token *t, int64_t now_ms)
{
	const char *state = t->used_ms > 0            ? "used"
	                    : t->expires_ms <= now_ms ? "expired"
	                                              : "unused";
	json_t *o = json_object();
	int ok = o != NULL;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(t->id), &ok);
	vigil_json_put(o, "tenant_id", json_string(t->tenant_id), &ok);
	vigil_json_put(o, "device_id", json_string(t->device_id), &ok);
	vigil_json_put(o, "created", vigil_json_time(t->created_ms), &ok);
	vigil_json_put(o, "expires", vigil_json_time(t->expires_ms), &ok);
	vigil_json_put(o, "used", vigil_json_time(t->used_ms), &ok);
	vigil_json_put(o, "state", json_string(state), &ok);
	vigil_json_put(o, "created_by",
	    vigil_json_string_lossy(t->created_by, strlen(t->created_by)), &ok);
	return vigil_json_done(o, ok);
}

json_t *
pki_request_json(const struct vigil_enroll_request *q)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(q->id), &ok);
	vigil_json_put(o, "tenant_id", json_string(q->tenant_id), &ok);
	vigil_json_put(o, "device_id", json_string(q->device_id), &ok);
	vigil_json_put(o, "ca_id", json_string(q->ca_id), &ok);
	vigil_json_put(o, "key_fingerprint", json_string(q->key_fp), &ok);
	vigil_json_put(o, "via", json_string(q->via), &ok);
	vigil_json_put(
	    o, "state", json_string(vigil_enroll_state_name(q->state)), &ok);
	vigil_json_put(o, "created", vigil_json_time(q->created_ms), &ok);
	vigil_json_put(o, "decided", vigil_json_time(q->decided_ms), &ok);
	vigil_json_put(
	    o, "decided_by", vigil_json_str_or_null(q->decided_by), &ok);
	return vigil_json_done(o, ok);
}

int64_t
pki_duration(const char *s, int64_t max)
{
	unsigned long long v, mult = 1;
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0')
			return -1;
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = DAY;
			break;
		default:
			return -1;
		}
	}
	if (v == 0 || v > (unsigned long long)max / mult)
		return -1;
	return (int64_t)(v * mult);
}

/* ------------------------------------------------------------------ */
/* Reports */

static int
finding(json_t *arr, const char *kind, const char *severity, const char *object,
    const char *detail)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (o == NULL)
		return -1;
	vigil_json_put(o, "kind", json_string(kind), &ok);
	vigil_json_put(o, "severity", json_string(severity), &ok);
	vigil_json_put(o, "object", json_string(object), &ok);
	vigil_json_put(
	    o, "detail", vigil_json_string_lossy(detail, strlen(detail)), &ok);
	if ((o = vigil_json_done(o, ok)) == NULL)
		return -1;
	return json_array_append_new(arr, o) == 0 ? 0 : -1;
}

/* CA certificates (ours, not manufacturers') expiring within 90 days. */
static enum vigil_err
audit_cas(struct vigil_store *st, const char *scope, int64_t now, json_t *arr)
{
	struct vigil_ca *cas = NULL;
	size_t n = 0;
	enum vigil_err rc;
	char obj[96], det[256];

	if ((rc = vigil_ca_list(st, scope, 0, &cas, &n)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
		const struct vigil_ca *ca = &cas[i];
		int64_t left = ca->not_after - now;

		if (ca->status == VIGIL_CA_RETIRED ||
		    ca->role == VIGIL_CA_MANUFACTURER ||
		    ca->role == VIGIL_CA_CLAIM || left > 90 * DAY)
			continue;
		snprintf(obj, sizeof obj, "ca/%s", ca->label);
		snprintf(det, sizeof det,
		    left <= 0 ? "%s CA %s expired %lld "
		                "days ago"
		              : "%s CA %s expires in %lld days",
		    vigil_ca_role_name(ca->role), ca->label,
		    (long long)((left < 0 ? -left : left) / DAY));
		if (finding(arr, "ca-expiring",
		        left <= 30 * DAY ? "high" : "medium", obj, det) < 0)
			rc = VIGIL_ENOMEM;
	}
	vigil_ca_list_free(cas, n);
	return rc;
}

/*
 * Whether a certificate with left seconds to live is worth an
 * "expiring" finding. The 30/7/1-day marks only apply to certificates
 * that live at least twice as long as the mark: a 30-day device
 * certificate is not "expiring within 30 days" the day it is issued,
 * but is worth a look with 7 days left (devices renew at about two
 * thirds of the lifetime); short-lived certificates (hours) are meant
 * to lapse. And a device that already holds a newer good certificate
 * has renewed: its old one lapsing is no finding.
 */
static bool
expiry_matters(struct vigil_store *st, const struct vigil_cert *c,
    int64_t left)
{
	struct vigil_cert_filter f = { .status = VIGIL_CERT_GOOD,
		.current_only = 1 };
	struct vigil_cert *list = NULL;
	int64_t life = c->not_after - c->not_before;
	int64_t mark = left <= DAY ? DAY : left <= 7 * DAY ? 7 * DAY :
	    30 * DAY;
	size_t n = 0;
	bool newer = false;

	if (life < 2 * mark)
		return false;
	if (c->device_id[0] == '\0')
		return true;
	f.device_id = c->device_id;
	if (vigil_cert_list(st, NULL, &f, "", 1000, &list, &n) != VIGIL_OK)
		return true;
	for (size_t i = 0; i < n && !newer; i++)
		newer = strcmp(list[i].serial, c->serial) != 0 &&
		    list[i].not_after > c->not_after;
	vigil_cert_list_free(list, n);
	return !newer;
}

/* The findings of one good, current certificate. */
static enum vigil_err
audit_cert(struct vigil_store *st, const struct vigil_cert *c, int64_t now,
    json_t *arr)
{
	struct vigil_cert full;
	struct vigil_device *d = NULL;
	struct vigil_pki_identity id;
	char obj[64], det[1024], err[256];
	int64_t left = c->not_after - now;
	enum vigil_err rc;

	snprintf(obj, sizeof obj, "cert/%s", c->serial);
	if (left <= 30 * DAY && expiry_matters(st, c, left)) {
		int days = left <= DAY ? 1 : left <= 7 * DAY ? 7 : 30;

		snprintf(det, sizeof det,
		    "certificate of %s expires within "
		    "%d day%s (%lld h left)",
		    c->device_id[0] ? c->device_id : c->subject, days,
		    days == 1 ? "" : "s", (long long)(left / 3600));
		if (finding(arr, "cert-expiring",
		        days == 1   ? "high"
		        : days == 7 ? "medium"
		                    : "low",
		        obj, det) < 0)
			return VIGIL_ENOMEM;
	}
	/* Weak keys: the stored certificate's key against today's rules
	 * (a key accepted under older rules, or an imported record). */
	memset(&full, 0, sizeof full);
	if (vigil_cert_get(st, NULL, c->serial, &full) == VIGIL_OK &&
	    full.der != NULL) {
		const unsigned char *p = full.der;
		X509 *x = d2i_X509(NULL, &p, (long)full.der_len);

		if (x != NULL && vigil_pki_pubkey_check(X509_get0_pubkey(x),
		                     err, sizeof err) != VIGIL_OK) {
			snprintf(det, sizeof det, "weak key: %s", err);
			if (finding(arr, "weak-key", "high", obj, det) < 0) {
				X509_free(x);
				vigil_cert_clear(&full);
				return VIGIL_ENOMEM;
			}
		}
		X509_free(x);
	}
	vigil_cert_clear(&full);
	if (c->device_id[0] == '\0')
		return VIGIL_OK;
	rc = vigil_device_get(st, c->tenant_id, c->device_id, &d);
	if (rc == VIGIL_ENOTFOUND) {
		snprintf(det, sizeof det, "device %s is no longer registered",
		    c->device_id);
		return finding(arr, "identity-mismatch", "high", obj, det) < 0
		           ? VIGIL_ENOMEM
		           : VIGIL_OK;
	}
	if (rc != VIGIL_OK)
		return rc;
	rc = vigil_pki_identity_from_device(d, &id, err, sizeof err);
	if (rc == VIGIL_ESTATE) {
		snprintf(det, sizeof det,
		    "device %s is %s but its "
		    "certificate is still good: %s",
		    c->device_id, vigil_device_state_name(d->state), err);
		rc = finding(arr, "device-blocked", "medium", obj, det) < 0
		         ? VIGIL_ENOMEM
		         : VIGIL_OK;
	} else if (rc == VIGIL_OK && strcmp(id.urn, c->urn) != 0) {
		snprintf(det, sizeof det,
		    "certificate names %s but the "
		    "registry now identifies device %s as %s",
		    c->urn[0] ? c->urn : "no URN", c->device_id, id.urn);
		rc = finding(arr, "identity-mismatch", "high", obj, det) < 0
		         ? VIGIL_ENOMEM
		         : VIGIL_OK;
	} else
		rc = VIGIL_OK;
	vigil_device_free(d);
	return rc;
}

/* ---- What the gateway saw (pki.h, "Store: sightings") ---- */

/* Sightings older than this are not evidence any more. */
#define SIGHTING_PERIOD_S (7 * DAY)

static json_t *
jms(int64_t ms)
{
	return vigil_json_time(ms);
}

/* Appends o (stolen) to arr with its evidence (stolen). */
static int
finding_with(json_t *arr, const char *kind, const char *severity,
    const char *object, const char *detail, json_t *evidence)
{
	json_t *o;

	if (evidence == NULL || finding(arr, kind, severity, object,
	    detail) < 0) {
		json_decref(evidence);
		return -1;
	}
	o = json_array_get(arr, json_array_size(arr) - 1);
	return json_object_set_new(o, "evidence", evidence) == 0 ? 0 : -1;
}

/* One clone-suspect finding for rows [from, to) of one serial. */
static int
clone_finding(json_t *arr, const struct vigil_sighting *v, size_t from,
    size_t to)
{
	json_t *ev, *ips = json_array(), *wins = json_array();
	char obj[64], det[1024];
	size_t o, k;
	int ok = ips != NULL && wins != NULL;

	o = (size_t)snprintf(det, sizeof det, "certificate of %s used from "
	    "more than one address at once:", v[from].device_id[0] != '\0' ?
	    v[from].device_id : "an unknown device");
	for (k = from; ok && k < to; k++) {
		size_t j;
		bool dup = false;

		for (j = from; j < k; j++)
			dup = dup || strcmp(v[j].ip, v[k].ip) == 0;
		if (!dup)
			ok = json_array_append_new(ips,
			    json_string(v[k].ip)) == 0;
		ok = ok && json_array_append_new(wins, json_pack(
		    "{ss so so sI}", "ip", v[k].ip, "first",
		    jms(v[k].first_ms), "last", jms(v[k].last_ms), "count",
		    (json_int_t)v[k].count)) == 0;
		if (o < sizeof det)
			o += (size_t)snprintf(det + o, sizeof det - o,
			    "%s %s (%lld use%s)", k == from ? "" : ",",
			    v[k].ip, (long long)v[k].count,
			    v[k].count == 1 ? "" : "s");
	}
	if (!ok) {
		json_decref(ips);
		json_decref(wins);
		return -1;
	}
	ev = json_pack("{ss ss ss so so}", "serial", v[from].serial,
	    "device_id", v[from].device_id, "tenant_id", v[from].tenant_id,
	    "ips", ips, "windows", wins);
	snprintf(obj, sizeof obj, "cert/%s", v[from].serial);
	return finding_with(arr, "clone-suspect", "high", obj, det, ev);
}

static enum vigil_err
audit_clones(struct vigil_store *st, const char *scope, int64_t now,
    json_t *arr)
{
	struct vigil_sighting *v = NULL;
	size_t n = 0, from = 0;
	enum vigil_err rc;

	rc = vigil_sighting_clones(st, scope, (now - SIGHTING_PERIOD_S) *
	    1000, &v, &n);
	for (size_t i = 1; rc == VIGIL_OK && i <= n; i++)
		if (i == n || strcmp(v[i].serial, v[from].serial) != 0) {
			if (clone_finding(arr, v, from, i) < 0)
				rc = VIGIL_ENOMEM;
			from = i;
		}
	vigil_free(v);
	return rc;
}

static enum vigil_err
audit_revoked_use(struct vigil_store *st, const char *scope, int64_t now,
    json_t *arr)
{
	struct vigil_sighting_revoked *v = NULL;
	json_t *ev, *ips;
	char obj[64], det[1024], *ip, *end;
	size_t n = 0;
	enum vigil_err rc;
	bool held;

	rc = vigil_sighting_revoked_connecting(st, scope,
	    (now - SIGHTING_PERIOD_S) * 1000, &v, &n);
	for (size_t i = 0; rc == VIGIL_OK && i < n; i++) {
		held = v[i].status == VIGIL_CERT_HOLD;
		snprintf(obj, sizeof obj, "cert/%s", v[i].serial);
		snprintf(det, sizeof det, "certificate of %s is %s but was "
		    "tried %lld time%s since, from %s", v[i].device_id[0]
		    != '\0' ? v[i].device_id : "an unknown device",
		    held ? "on hold" : "revoked", (long long)v[i].attempts,
		    v[i].attempts == 1 ? "" : "s", v[i].ips);
		if ((ips = json_array()) == NULL) {
			rc = VIGIL_ENOMEM;
			break;
		}
		/* group_concat's list: "a,b,c" (addresses have no comma). */
		for (ip = v[i].ips; *ip != '\0'; ip = end + (*end == ',')) {
			end = strchr(ip, ',');
			if (end == NULL)
				end = ip + strlen(ip);
			if (end > ip)
				json_array_append_new(ips,
				    json_stringn(ip, (size_t)(end - ip)));
		}
		ev = json_pack("{ss ss ss ss so sI so so so}", "serial",
		    v[i].serial, "device_id", v[i].device_id, "tenant_id",
		    v[i].tenant_id, "status", held ? "hold" : "revoked",
		    "revoked_at", jms(v[i].revoked_ms), "attempts",
		    (json_int_t)v[i].attempts, "first_attempt",
		    jms(v[i].first_ms), "last_attempt", jms(v[i].last_ms),
		    "ips", ips);
		if (finding_with(arr, "revoked-still-connecting",
		    held ? "medium" : "high", obj, det, ev) < 0)
			rc = VIGIL_ENOMEM;
	}
	vigil_free(v);
	return rc;
}

/* Calls fn on every good, current certificate of scope. */
typedef enum vigil_err (*cert_fn)(
    struct vigil_store *st, const struct vigil_cert *c, int64_t now, void *arg);

static enum vigil_err
each_good(struct vigil_store *st, const char *scope, int64_t now, cert_fn fn,
    void *arg, size_t *count)
{
	struct vigil_cert_filter f;
	char after[VIGIL_PKI_SERIAL_STRLEN] = "";
	struct vigil_cert *page;
	enum vigil_err rc;
	size_t n;

	memset(&f, 0, sizeof f);
	f.status = VIGIL_CERT_GOOD;
	f.current_only = 1;
	*count = 0;
	do {
		page = NULL;
		n = 0;
		rc = vigil_cert_list(st, scope, &f, after, PAGE, &page, &n);
		for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
			if (page[i].not_after > now) {
				rc = fn(st, &page[i], now, arg);
				(*count)++;
			}
		if (n > 0)
			snprintf(after, sizeof after, "%s", page[n - 1].serial);
		vigil_cert_list_free(page, n);
	} while (rc == VIGIL_OK && n == PAGE);
	return rc;
}

static enum vigil_err
audit_one(
    struct vigil_store *st, const struct vigil_cert *c, int64_t now, void *arg)
{
	return audit_cert(st, c, now, arg);
}

enum vigil_err
pki_cert_audit(
    struct vigil_store *st, const char *scope, int64_t now, json_t **out)
{
	json_t *arr = json_array(), *o = json_object();
	enum vigil_err rc = VIGIL_ENOMEM;
	size_t count = 0;
	int ok = 1;

	*out = NULL;
	if (arr == NULL || o == NULL)
		goto fail;
	if ((rc = audit_cas(st, scope, now, arr)) != VIGIL_OK ||
	    (rc = each_good(st, scope, now, audit_one, arr, &count)) !=
	        VIGIL_OK ||
	    (rc = audit_clones(st, scope, now, arr)) != VIGIL_OK ||
	    (rc = audit_revoked_use(st, scope, now, arr)) != VIGIL_OK)
		goto fail;
	vigil_json_put(o, "checked", json_integer((json_int_t)count), &ok);
	vigil_json_put(o, "findings", arr, &ok);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
fail:
	json_decref(arr);
	json_decref(o);
	return rc;
}

/* Newest good certificate per device: an object device id → [serial,
 * not_after]. */
static enum vigil_err
newest_one(
    struct vigil_store *st, const struct vigil_cert *c, int64_t now, void *arg)
{
	json_t *map = arg, *cur;

	(void)st;
	(void)now;
	if (c->device_id[0] == '\0')
		return VIGIL_OK;
	cur = json_object_get(map, c->device_id);
	if (cur != NULL &&
	    json_integer_value(json_array_get(cur, 1)) >= c->not_after)
		return VIGIL_OK;
	return json_object_set_new(map, c->device_id,
	           json_pack("[sI]", c->serial, (json_int_t)c->not_after)) == 0
	           ? VIGIL_OK
	           : VIGIL_ENOMEM;
}

enum vigil_err
pki_renew_report(struct vigil_store *st, const char *scope, int64_t now,
    int64_t within_s, json_t **out)
{
	json_t *map = json_object(), *arr = json_array(), *v;
	enum vigil_err rc = VIGIL_ENOMEM;
	const char *dev;
	size_t count;

	*out = NULL;
	if (map == NULL || arr == NULL)
		goto done;
	if ((rc = each_good(st, scope, now, newest_one, map, &count)) !=
	    VIGIL_OK)
		goto done;
	json_object_foreach(map, dev, v)
	{
		json_int_t na = json_integer_value(json_array_get(v, 1));

		if (na - now > within_s)
			continue;
		if (json_array_append_new(arr,
		        json_pack("{ss ss so sI}", "device_id", dev, "serial",
		            json_string_value(json_array_get(v, 0)),
		            "not_after", jsec(na), "expires_in_s",
		            (json_int_t)(na - now))) != 0) {
			rc = VIGIL_ENOMEM;
			goto done;
		}
	}
	if ((*out = json_pack("{sO}", "devices", arr)) == NULL)
		rc = VIGIL_ENOMEM;
done:
	json_decref(map);
	json_decref(arr);
	return rc;
}
