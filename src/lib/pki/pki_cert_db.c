/*
 * Issued-certificate records in the store: record (one key, one
 * device), look up, list, and the status moves (revoke, hold, release)
 * that bump the revocation generation in the same transaction.
 * Validation and error texts live here; SQL in store/sqlite_pki.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/pki.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000

const char *
vigil_cert_status_name(enum vigil_cert_status s)
{
	switch (s) {
	case VIGIL_CERT_GOOD:
		return "good";
	case VIGIL_CERT_REVOKED:
		return "revoked";
	case VIGIL_CERT_HOLD:
		return "hold";
	}
	return "unknown";
}

void
vigil_cert_clear(struct vigil_cert *c)
{
	if (c == NULL)
		return;
	free(c->der);
	c->der = NULL;
	c->der_len = 0;
}

void
vigil_cert_list_free(struct vigil_cert *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		vigil_cert_clear(&c[i]);
	free(c);
}

/* Lowercase copy of a hex string of 1..max digits; 0 when it is not. */
static int
hex_lower(const char *in, size_t max, char *out)
{
	size_t n;

	if (in == NULL || (n = strnlen(in, max + 1)) == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = in[i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return 0;
		out[i] = ch;
	}
	out[n] = '\0';
	return 1;
}

/* RFC 5280 reason codes vigil records (7 is unused, 8 is delta-only). */
static int
reason_ok(int r)
{
	return r >= VIGIL_REASON_UNSPECIFIED &&
	    r <= VIGIL_REASON_AA_COMPROMISE && r != 7 &&
	    r != VIGIL_REASON_REMOVE;
}

static enum vigil_err
check_record(struct vigil_store *st, const struct vigil_cert *c,
    struct vigil_cert *row)
{
	*row = *c;
	row->der = c->der;
	if (!hex_lower(c->serial, VIGIL_PKI_SERIAL_STRLEN - 1, row->serial))
		return store_seterr(st, VIGIL_EINVAL, "certificate: serial is "
		    "not 1 to %d hex digits", VIGIL_PKI_SERIAL_STRLEN - 1);
	if (!hex_lower(c->key_fp, VIGIL_PKI_FP_STRLEN - 1, row->key_fp) ||
	    strlen(row->key_fp) != VIGIL_PKI_FP_STRLEN - 1)
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: key "
		    "fingerprint is not 64 hex digits", row->serial);
	if (!pki_db_id_ok(c->ca_id))
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: no "
		    "issuing CA", row->serial);
	if (!pki_db_fits(c->tenant_id, sizeof c->tenant_id) ||
	    !pki_db_fits(c->device_id, sizeof c->device_id) ||
	    !pki_db_fits(c->subject, sizeof c->subject) ||
	    !pki_db_fits(c->urn, sizeof c->urn) ||
	    !pki_db_fits(c->via, sizeof c->via))
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: a text "
		    "field is not NUL-terminated", row->serial);
	if (c->profile < VIGIL_PROFILE_DEVICE ||
	    c->profile > VIGIL_PROFILE_OPERATOR)
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: unknown "
		    "profile %d", row->serial, (int)c->profile);
	if (c->profile == VIGIL_PROFILE_DEVICE && c->device_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: a "
		    "device certificate names its device", row->serial);
	if (c->device_id[0] != '\0' && (!pki_db_id_ok(c->device_id) ||
	    c->tenant_id[0] == '\0'))
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: device "
		    "id malformed or without its tenant", row->serial);
	if (c->der_len > VIGIL_PKI_CERT_MAX ||
	    (c->der_len > 0 && c->der == NULL))
		return store_seterr(st, VIGIL_ERANGE, "certificate %s: %zu "
		    "bytes of DER (at most %d)", row->serial, c->der_len,
		    VIGIL_PKI_CERT_MAX);
	if (c->not_after <= c->not_before)
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: "
		    "notAfter is not after notBefore", row->serial);
	row->status = VIGIL_CERT_GOOD;
	row->reason = 0;
	row->revoked_ms = 0;
	if (row->issued_ms <= 0)
		row->issued_ms = vigil_time_now_ms();
	return VIGIL_OK;
}

/* The "one key, one device" rule: the message never names a device of
 * another tenant. */
static enum vigil_err
key_taken(struct vigil_store *st, const struct vigil_cert *c,
    const struct store_pki_key_owner *o)
{
	if (o->device_id[0] == '\0')
		return store_seterr(st, VIGIL_EEXIST, "key %s is already "
		    "certified by certificate %s (not a device certificate)",
		    c->key_fp, o->serial);
	if (strcmp(o->tenant_id, c->tenant_id) != 0)
		return store_seterr(st, VIGIL_EEXIST, "key %s is already "
		    "certified for a device of another tenant", c->key_fp);
	return store_seterr(st, VIGIL_EEXIST, "key %s is already certified "
	    "for device %s", c->key_fp, o->device_id);
}

static enum vigil_err
record_in(struct vigil_store *st, const struct vigil_cert *c)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct store_pki_key_owner o;
	enum vigil_device_state state;
	struct vigil_ca ca;
	enum vigil_err rc;

	rc = ops->ca_get(st, NULL, c->ca_id, &ca);
	vigil_ca_clear(&ca);
	if (rc == VIGIL_ENOTFOUND || (rc == VIGIL_OK &&
	    strcmp(ca.id, c->ca_id) != 0))
		return store_seterr(st, VIGIL_ENOTFOUND, "certificate %s: "
		    "issuing CA %s not found", c->serial, c->ca_id);
	if (rc != VIGIL_OK)
		return rc;
	if (c->device_id[0] != '\0') {
		rc = ops->device_state(st, c->tenant_id, c->device_id, &state);
		if (rc == VIGIL_ENOTFOUND)
			return store_seterr(st, rc, "certificate %s: device "
			    "%s: no such device in this tenant", c->serial,
			    c->device_id);
		if (rc != VIGIL_OK)
			return rc;
	}
	rc = ops->cert_key_owner(st, c->key_fp, c->device_id, &o);
	if (rc == VIGIL_OK)
		return key_taken(st, c, &o);
	if (rc != VIGIL_ENOTFOUND)
		return rc;
	rc = ops->cert_insert(st, c);
	if (rc == VIGIL_EEXIST)
		return store_seterr(st, rc, "certificate serial %s is already "
		    "recorded", c->serial);
	return rc;
}

enum vigil_err
vigil_cert_record(struct vigil_store *st, const struct vigil_cert *c)
{
	struct vigil_cert row;
	enum vigil_err rc;

	store_clearerr(st);
	if (c == NULL)
		return store_seterr(st, VIGIL_EINVAL, "certificate: nothing "
		    "given");
	if ((rc = check_record(st, c, &row)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, record_in(st, &row));
}

int
vigil_cert_key_owner(struct vigil_store *st, const char *key_fp,
    const char *device_id, char other[VIGIL_UUID_STRLEN])
{
	struct store_pki_key_owner o;
	char fp[VIGIL_PKI_FP_STRLEN];
	enum vigil_err rc;

	memset(other, 0, VIGIL_UUID_STRLEN);
	store_clearerr(st);
	if (!hex_lower(key_fp, VIGIL_PKI_FP_STRLEN - 1, fp) ||
	    strlen(fp) != VIGIL_PKI_FP_STRLEN - 1)
		return -(int)store_seterr(st, VIGIL_EINVAL, "key fingerprint "
		    "is not 64 hex digits");
	rc = store_pki_ops(st)->cert_key_owner(st, fp,
	    device_id != NULL ? device_id : "", &o);
	if (rc == VIGIL_ENOTFOUND)
		return 0;
	if (rc != VIGIL_OK)
		return -(int)rc;
	memcpy(other, o.device_id, VIGIL_UUID_STRLEN);
	return 1;
}

/* Normalises a serial given by a caller; ENOTFOUND-shaped error. */
static enum vigil_err
serial_arg(struct vigil_store *st, const char *serial,
    char out[VIGIL_PKI_SERIAL_STRLEN])
{
	if (!hex_lower(serial, VIGIL_PKI_SERIAL_STRLEN - 1, out))
		return store_seterr(st, VIGIL_EINVAL, "certificate serial: "
		    "1 to %d hex digits expected", VIGIL_PKI_SERIAL_STRLEN - 1);
	return VIGIL_OK;
}

enum vigil_err
vigil_cert_get(struct vigil_store *st, const char *scope,
    const char *serial, struct vigil_cert *out)
{
	char sn[VIGIL_PKI_SERIAL_STRLEN];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if ((rc = serial_arg(st, serial, sn)) != VIGIL_OK)
		return rc;
	rc = store_pki_ops(st)->cert_get(st, scope, sn, 1, out);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "certificate %s: not found", sn);
	return rc;
}

enum vigil_err
vigil_cert_list(struct vigil_store *st, const char *scope,
    const struct vigil_cert_filter *f, const char *after, size_t limit,
    struct vigil_cert **out, size_t *n)
{
	static const struct vigil_cert_filter none;
	struct store_pki_cert_query q;
	char cursor[VIGIL_PKI_SERIAL_STRLEN] = "";
	enum vigil_err rc;

	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (f == NULL)
		f = &none;
	if (limit == 0)
		limit = LIST_DEFAULT;
	if (limit > LIST_MAX)
		return store_seterr(st, VIGIL_ERANGE, "certificate list: limit "
		    "%zu is above %d", limit, LIST_MAX);
	if (after != NULL && after[0] != '\0' &&
	    (rc = serial_arg(st, after, cursor)) != VIGIL_OK)
		return rc;
	if (f->status < 0 || f->status > VIGIL_CERT_HOLD)
		return store_seterr(st, VIGIL_EINVAL, "certificate list: "
		    "unknown status %d", (int)f->status);
	memset(&q, 0, sizeof q);
	q.scope = scope;
	q.device_id = f->device_id;
	q.ca_id = f->ca_id;
	q.status = (int)f->status;
	q.expires_before = f->expires_before;
	q.not_expired_at = f->current_only ? vigil_time_now_ms() / 1000 : 0;
	return store_pki_ops(st)->cert_list(st, &q, cursor, limit, out, n);
}

/* ------------------------------------------------------------------ */
/* Status moves. */

/* The certificate in scope, for a move inside the caller's
 * transaction. */
static enum vigil_err
load(struct vigil_store *st, const char *scope, const char *sn,
    struct vigil_cert *c)
{
	enum vigil_err rc = store_pki_ops(st)->cert_get(st, scope, sn, 0, c);

	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "certificate %s: not found", sn);
	return rc;
}

static enum vigil_err
revoke_in(struct vigil_store *st, const char *scope, const char *sn,
    int reason, int64_t now_ms)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct vigil_cert c;
	char when[VIGIL_RFC3339_LEN];
	int to = reason == VIGIL_REASON_HOLD ? VIGIL_CERT_HOLD :
	    VIGIL_CERT_REVOKED;
	enum vigil_err rc;

	if ((rc = load(st, scope, sn, &c)) != VIGIL_OK)
		return rc;
	if (c.status == VIGIL_CERT_REVOKED) {
		vigil_time_format(c.revoked_ms, when);
		return store_seterr(st, VIGIL_ESTATE, "certificate %s is "
		    "already revoked (since %s)", sn, when);
	}
	if (c.status == VIGIL_CERT_HOLD && to == VIGIL_CERT_HOLD)
		return store_seterr(st, VIGIL_ESTATE, "certificate %s is "
		    "already on hold", sn);
	if ((rc = ops->cert_set_status(st, sn, (int)c.status, to, reason,
	    now_ms)) != VIGIL_OK)
		return rc;
	return ops->gen_bump(st);
}

enum vigil_err
vigil_cert_revoke(struct vigil_store *st, const char *scope,
    const char *serial, int reason, int64_t now_ms)
{
	char sn[VIGIL_PKI_SERIAL_STRLEN];
	enum vigil_err rc;

	store_clearerr(st);
	if ((rc = serial_arg(st, serial, sn)) != VIGIL_OK)
		return rc;
	if (!reason_ok(reason))
		return store_seterr(st, VIGIL_EINVAL, "certificate %s: reason "
		    "code %d is not a revocation reason", sn, reason);
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, revoke_in(st, scope, sn, reason, now_ms));
}

static enum vigil_err
release_in(struct vigil_store *st, const char *scope, const char *sn)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct vigil_cert c;
	enum vigil_err rc;

	if ((rc = load(st, scope, sn, &c)) != VIGIL_OK)
		return rc;
	if (c.status != VIGIL_CERT_HOLD)
		return store_seterr(st, VIGIL_ESTATE, "certificate %s is %s, "
		    "not on hold", sn, vigil_cert_status_name(c.status));
	if ((rc = ops->cert_set_status(st, sn, VIGIL_CERT_HOLD,
	    VIGIL_CERT_GOOD, 0, 0)) != VIGIL_OK)
		return rc;
	return ops->gen_bump(st);
}

enum vigil_err
vigil_cert_release(struct vigil_store *st, const char *scope,
    const char *serial)
{
	char sn[VIGIL_PKI_SERIAL_STRLEN];
	enum vigil_err rc;

	store_clearerr(st);
	if ((rc = serial_arg(st, serial, sn)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, release_in(st, scope, sn));
}

static enum vigil_err
revoke_device_in(struct vigil_store *st, const char *scope,
    const char *device_id, int reason, int64_t now_ms, size_t *n)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	enum vigil_err rc;

	if ((rc = ops->cert_revoke_device(st, scope, device_id, reason, now_ms,
	    n)) != VIGIL_OK || *n == 0)
		return rc;
	return ops->gen_bump(st);
}

enum vigil_err
vigil_cert_revoke_device(struct vigil_store *st, const char *scope,
    const char *device_id, int reason, int64_t now_ms, size_t *n)
{
	enum vigil_err rc;

	*n = 0;
	store_clearerr(st);
	if (!pki_db_id_ok(device_id))
		return store_seterr(st, VIGIL_EINVAL, "revoke device "
		    "certificates: device id expected");
	/* Holding every certificate of a device is what quarantine does,
	 * without touching the certificates. */
	if (!reason_ok(reason) || reason == VIGIL_REASON_HOLD)
		return store_seterr(st, VIGIL_EINVAL, "device %s: reason code "
		    "%d is not a revocation reason (quarantine the device to "
		    "suspend its certificates)", device_id, reason);
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_tx_end(st, revoke_device_in(st, scope, device_id, reason,
	    now_ms, n));
	if (rc != VIGIL_OK)
		*n = 0;
	return rc;
}
