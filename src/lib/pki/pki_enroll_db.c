/*
 * Enrollment records in the store: one-time enrollment tokens
 * ("vet_" + base64url(32 random bytes), shown once; the store keeps
 * the SHA-256 of the text and finds a token by it) and the EST
 * enrollments that wait for an operator's approval. SQL in
 * store/sqlite_pki.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/pki.h"

#define PREFIX VIGIL_ENROLL_TOKEN_PREFIX
#define PREFIX_LEN 4
#define BODY_LEN 43 /* base64url of 32 bytes, no padding */
#define TTL_MIN_S 60u
#define TTL_MAX_S (30u * 86400u)
#define BY_MAX 127 /* created_by, decided_by */
#define VIA_MAX 23

_Static_assert(PREFIX_LEN + BODY_LEN + 1 == VIGIL_ENROLL_TOKEN_STRLEN,
    "token text fits VIGIL_ENROLL_TOKEN_STRLEN");

/* ------------------------------------------------------------------ */
/* Tokens. */

static int
token_wellformed(const char *text)
{
	uint8_t raw[32];
	size_t n = 0;
	int ok;

	if (text == NULL || strnlen(text, VIGIL_ENROLL_TOKEN_STRLEN) !=
	    VIGIL_ENROLL_TOKEN_STRLEN - 1 ||
	    memcmp(text, PREFIX, PREFIX_LEN) != 0)
		return 0;
	/* The strict decoder refuses non-zero pad bits: one spelling per
	 * token. */
	ok = vigil_base64url_decode(text + PREFIX_LEN, BODY_LEN, raw,
	    sizeof raw, &n) == VIGIL_OK && n == sizeof raw;
	OPENSSL_cleanse(raw, sizeof raw);
	return ok;
}

static int
token_hash(const char *text, uint8_t out[32])
{
	unsigned int n = 0;

	return EVP_Digest(text, strlen(text), out, &n, EVP_sha256(), NULL) ==
	    1 && n == 32;
}

/* The device must be registered in the tenant and able to get a
 * certificate (not quarantined, not retired). */
static enum vigil_err
device_enrollable(struct vigil_store *st, const char *tenant_id,
    const char *device_id)
{
	enum vigil_device_state state;
	enum vigil_err rc;

	rc = store_pki_ops(st)->device_state(st, tenant_id, device_id, &state);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "device %s: no such device in this "
		    "tenant", device_id);
	if (rc != VIGIL_OK)
		return rc;
	if (state == VIGIL_DEV_QUARANTINED || state == VIGIL_DEV_RETIRED)
		return store_seterr(st, VIGIL_ESTATE, "device %s is %s: no "
		    "enrollment", device_id, vigil_device_state_name(state));
	return VIGIL_OK;
}

static enum vigil_err
token_insert(struct vigil_store *st, const struct vigil_enroll_token *t,
    char text[VIGIL_ENROLL_TOKEN_STRLEN])
{
	uint8_t raw[32], hash[32];
	enum vigil_err rc;

	if ((rc = device_enrollable(st, t->tenant_id, t->device_id)) !=
	    VIGIL_OK)
		return rc;
	if (RAND_bytes(raw, sizeof raw) != 1)
		return store_seterr(st, VIGIL_EIO, "enrollment token: cannot "
		    "draw random bytes");
	/* The prefix, then the secret's text over its NUL. */
	snprintf(text, PREFIX_LEN + 1, "%s", PREFIX);
	rc = vigil_base64url_encode(raw, sizeof raw, text + PREFIX_LEN,
	    VIGIL_ENROLL_TOKEN_STRLEN - PREFIX_LEN);
	OPENSSL_cleanse(raw, sizeof raw);
	if (rc != VIGIL_OK || !token_hash(text, hash))
		return store_seterr(st, VIGIL_EIO, "enrollment token: cannot "
		    "encode or hash");
	return store_pki_ops(st)->token_insert(st, t, hash);
}

enum vigil_err
vigil_enroll_token_create(struct vigil_store *st, const char *tenant_id,
    const char *device_id, uint32_t ttl_s, const char *created_by,
    char token[VIGIL_ENROLL_TOKEN_STRLEN], struct vigil_enroll_token *out)
{
	struct vigil_enroll_token t;
	char text[VIGIL_ENROLL_TOKEN_STRLEN];
	enum vigil_err rc;

	memset(token, 0, VIGIL_ENROLL_TOKEN_STRLEN);
	if (out != NULL)
		memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (!pki_db_id_ok(tenant_id) || !pki_db_id_ok(device_id))
		return store_seterr(st, VIGIL_EINVAL, "enrollment token: "
		    "tenant and device ids expected");
	if (ttl_s < TTL_MIN_S || ttl_s > TTL_MAX_S)
		return store_seterr(st, VIGIL_EINVAL, "enrollment token: ttl "
		    "%u s is outside %u s .. %u s (30 days)", ttl_s, TTL_MIN_S,
		    TTL_MAX_S);
	if (!pki_db_printable(created_by, BY_MAX))
		return store_seterr(st, VIGIL_EINVAL, "enrollment token: "
		    "creator name is not printable ASCII of at most %d bytes",
		    BY_MAX);
	memset(&t, 0, sizeof t);
	if (vigil_uuid7(t.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO, "enrollment token: cannot "
		    "generate an id");
	memcpy(t.tenant_id, tenant_id, strlen(tenant_id) + 1);
	memcpy(t.device_id, device_id, strlen(device_id) + 1);
	if (created_by != NULL)
		memcpy(t.created_by, created_by, strlen(created_by) + 1);
	t.created_ms = vigil_time_now_ms();
	t.expires_ms = t.created_ms + (int64_t)ttl_s * 1000;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_tx_end(st, token_insert(st, &t, text));
	if (rc == VIGIL_OK) {
		memcpy(token, text, VIGIL_ENROLL_TOKEN_STRLEN);
		if (out != NULL)
			*out = t;
	}
	OPENSSL_cleanse(text, sizeof text);
	return rc;
}

static enum vigil_err
auth_fail(struct vigil_store *st, const char *why)
{
	return store_seterr(st, VIGIL_EAUTH, "%s", why);
}

/* Replay or expiry of a found token; VIGIL_OK when usable at now_ms. */
static enum vigil_err
token_usable(struct vigil_store *st, const struct vigil_enroll_token *t,
    int64_t now_ms)
{
	char when[VIGIL_RFC3339_LEN];

	if (t->used_ms != 0) {
		vigil_time_format(t->used_ms, when);
		return store_seterr(st, VIGIL_EAUTH, "enrollment token already "
		    "used at %s (replay)", when);
	}
	if (now_ms >= t->expires_ms) {
		vigil_time_format(t->expires_ms, when);
		return store_seterr(st, VIGIL_EAUTH, "enrollment token expired "
		    "at %s", when);
	}
	return VIGIL_OK;
}

enum vigil_err
vigil_enroll_token_use(struct vigil_store *st, const char *token,
    int64_t now_ms, int dry_run, struct vigil_enroll_token *out)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	uint8_t hash[32], stored[32];
	int consumed = 0;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (!token_wellformed(token))
		return auth_fail(st, "malformed enrollment token");
	if (!token_hash(token, hash))
		return store_seterr(st, VIGIL_EIO, "enrollment token: cannot "
		    "hash");
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	rc = ops->token_by_hash(st, hash, out, stored);
	/* The index found it; compare again without a timing signal. */
	if (rc == VIGIL_ENOTFOUND || (rc == VIGIL_OK &&
	    CRYPTO_memcmp(hash, stored, sizeof hash) != 0)) {
		memset(out, 0, sizeof *out);
		return auth_fail(st, "unknown enrollment token");
	}
	if (rc != VIGIL_OK)
		return rc;
	/* On refusal *out still names the token's device: the caller
	 * audits whose token was replayed. */
	if ((rc = token_usable(st, out, now_ms)) != VIGIL_OK || dry_run)
		return rc;
	if ((rc = ops->token_consume(st, out->id, now_ms, &consumed)) !=
	    VIGIL_OK)
		return rc;
	if (!consumed) {
		/* Another worker used it between our read and our write. */
		if ((rc = ops->token_by_hash(st, hash, out, stored)) !=
		    VIGIL_OK)
			return rc == VIGIL_ENOTFOUND ?
			    auth_fail(st, "unknown enrollment token") : rc;
		if ((rc = token_usable(st, out, now_ms)) == VIGIL_OK)
			rc = auth_fail(st, "enrollment token already used "
			    "(replay)");
		return rc;
	}
	out->used_ms = now_ms;
	return VIGIL_OK;
}

enum vigil_err
vigil_enroll_token_restore(struct vigil_store *st, const char *id,
    int64_t used_ms)
{
	int restored = 0;
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(id) || used_ms <= 0)
		return store_seterr(st, VIGIL_EINVAL, "enrollment token: id "
		    "and the time of its use expected");
	rc = store_pki_ops(st)->token_restore(st, id, used_ms, &restored);
	if (rc == VIGIL_OK && !restored)
		rc = store_seterr(st, VIGIL_ESTATE, "enrollment token %s was "
		    "not used at that time (already restored or deleted)",
		    id);
	return rc;
}

enum vigil_err
vigil_enroll_token_list(struct vigil_store *st, const char *scope,
    struct vigil_enroll_token **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	return store_pki_ops(st)->token_list(st, scope, out, n);
}

enum vigil_err
vigil_enroll_token_delete(struct vigil_store *st, const char *scope,
    const char *id)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(id))
		return store_seterr(st, VIGIL_ENOTFOUND, "enrollment token: "
		    "not found (malformed id)");
	rc = store_pki_ops(st)->token_delete(st, scope, id);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "enrollment token %s: not found",
		    id);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Enrollment requests. */

const char *
vigil_enroll_state_name(enum vigil_enroll_state s)
{
	switch (s) {
	case VIGIL_ENROLL_PENDING:
		return "pending";
	case VIGIL_ENROLL_APPROVED:
		return "approved";
	case VIGIL_ENROLL_REJECTED:
		return "rejected";
	case VIGIL_ENROLL_DONE:
		return "done";
	}
	return "unknown";
}

static enum vigil_err
get_or_add_in(struct vigil_store *st, const struct vigil_enroll_request *r,
    struct vigil_enroll_request *out)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	enum vigil_device_state state;
	struct vigil_ca ca;
	enum vigil_err rc;

	rc = ops->device_state(st, r->tenant_id, r->device_id, &state);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "enrollment request: device %s: no "
		    "such device in this tenant", r->device_id);
	if (rc != VIGIL_OK)
		return rc;
	rc = ops->ca_get(st, r->tenant_id, r->ca_id, &ca);
	vigil_ca_clear(&ca);
	if (rc == VIGIL_ENOTFOUND || (rc == VIGIL_OK &&
	    strcmp(ca.id, r->ca_id) != 0))
		return store_seterr(st, VIGIL_ENOTFOUND, "enrollment request: "
		    "CA %s not found", r->ca_id);
	if (rc != VIGIL_OK)
		return rc;
	return ops->req_get_or_add(st, r, out);
}

enum vigil_err
vigil_enroll_request_get_or_add(struct vigil_store *st,
    const char *tenant_id, const char *device_id, const char *ca_id,
    const char *key_fp, const char *via, struct vigil_enroll_request *out)
{
	struct vigil_enroll_request r;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (!pki_db_id_ok(tenant_id) || !pki_db_id_ok(device_id) ||
	    !pki_db_id_ok(ca_id))
		return store_seterr(st, VIGIL_EINVAL, "enrollment request: "
		    "tenant, device and CA ids expected");
	if (!pki_db_hex_ok(key_fp, 64, 64))
		return store_seterr(st, VIGIL_EINVAL, "enrollment request: key "
		    "fingerprint is not 64 lowercase hex digits");
	if (!pki_db_printable(via, VIA_MAX))
		return store_seterr(st, VIGIL_EINVAL, "enrollment request: "
		    "enrollment path is not printable ASCII of at most %d "
		    "bytes", VIA_MAX);
	memset(&r, 0, sizeof r);
	if (vigil_uuid7(r.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO, "enrollment request: cannot "
		    "generate an id");
	memcpy(r.tenant_id, tenant_id, strlen(tenant_id) + 1);
	memcpy(r.device_id, device_id, strlen(device_id) + 1);
	memcpy(r.ca_id, ca_id, strlen(ca_id) + 1);
	memcpy(r.key_fp, key_fp, VIGIL_PKI_FP_STRLEN);
	if (via != NULL)
		memcpy(r.via, via, strlen(via) + 1);
	r.state = VIGIL_ENROLL_PENDING;
	r.created_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_tx_end(st, get_or_add_in(st, &r, out));
	if (rc != VIGIL_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

/* Moves a request from `from` to `to`; says why it could not. */
static enum vigil_err
move(struct vigil_store *st, const char *scope, const char *id,
    enum vigil_enroll_state from, enum vigil_enroll_state to, const char *by,
    int64_t now_ms)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct vigil_enroll_request r;
	int changed = 0;
	enum vigil_err rc;

	if ((rc = ops->req_move(st, scope, id, (int)from, (int)to, by, now_ms,
	    &changed)) != VIGIL_OK || changed)
		return rc;
	rc = ops->req_get(st, scope, id, &r);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "enrollment request %s: not found",
		    id);
	if (rc != VIGIL_OK)
		return rc;
	return store_seterr(st, VIGIL_ESTATE, "enrollment request %s is %s, "
	    "not %s", id, vigil_enroll_state_name(r.state),
	    vigil_enroll_state_name(from));
}

enum vigil_err
vigil_enroll_request_decide(struct vigil_store *st, const char *scope,
    const char *id, int approve, const char *by, int64_t now_ms)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(id))
		return store_seterr(st, VIGIL_ENOTFOUND, "enrollment request: "
		    "not found (malformed id)");
	if (by == NULL || by[0] == '\0' || !pki_db_printable(by, BY_MAX))
		return store_seterr(st, VIGIL_EINVAL, "enrollment request %s: "
		    "who decides is printable ASCII of 1 to %d bytes", id,
		    BY_MAX);
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, move(st, scope, id, VIGIL_ENROLL_PENDING,
	    approve ? VIGIL_ENROLL_APPROVED : VIGIL_ENROLL_REJECTED, by,
	    now_ms));
}

enum vigil_err
vigil_enroll_request_done(struct vigil_store *st, const char *id)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(id))
		return store_seterr(st, VIGIL_ENOTFOUND, "enrollment request: "
		    "not found (malformed id)");
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, move(st, NULL, id, VIGIL_ENROLL_APPROVED,
	    VIGIL_ENROLL_DONE, NULL, 0));
}

enum vigil_err
vigil_enroll_request_list(struct vigil_store *st, const char *scope,
    enum vigil_enroll_state state, struct vigil_enroll_request **out,
    size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if ((int)state < 0 || state > VIGIL_ENROLL_DONE)
		return store_seterr(st, VIGIL_EINVAL, "enrollment requests: "
		    "unknown state %d", (int)state);
	return store_pki_ops(st)->req_list(st, scope, (int)state, out, n);
}
