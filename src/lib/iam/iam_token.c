/*
 * API tokens: "vgl_" + base64url(32 random bytes), shown once; the
 * store keeps SHA-256 of the text. Creation (scope, role no higher
 * than the principal's, mandatory expiry), authentication of a bearer
 * token, re-authentication stamp, listing and revocation.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "iam_internal.h"

#define PREFIX "vgl_"
#define PREFIX_LEN 4
#define BODY_LEN 43 /* base64url of 32 bytes, no padding */
#define LIST_DEFAULT 100
#define LIST_MAX 1000

_Static_assert(PREFIX_LEN + BODY_LEN + 1 == VIGIL_TOKEN_STRLEN,
    "token text fits VIGIL_TOKEN_STRLEN");

void
iam_token_format(const uint8_t raw[32], char out[VIGIL_TOKEN_STRLEN])
{
	memcpy(out, PREFIX, PREFIX_LEN);
	if (vigil_base64url_encode(raw, 32, out + PREFIX_LEN,
	    VIGIL_TOKEN_STRLEN - PREFIX_LEN) != VIGIL_OK)
		out[0] = '\0';
}

bool
iam_token_wellformed(const char *text)
{
	uint8_t raw[32];
	size_t n = 0;
	bool ok;

	if (text == NULL ||
	    strnlen(text, VIGIL_TOKEN_STRLEN) != VIGIL_TOKEN_STRLEN - 1 ||
	    memcmp(text, PREFIX, PREFIX_LEN) != 0)
		return false;
	/* The strict decoder refuses non-zero pad bits (43 characters
	 * carry 258 bits), so each token has exactly one spelling. */
	ok = vigil_base64url_decode(text + PREFIX_LEN, BODY_LEN, raw,
	    sizeof raw, &n) == VIGIL_OK && n == sizeof raw;
	OPENSSL_cleanse(raw, sizeof raw);
	return ok;
}

enum vigil_err
iam_token_hash(const char *text, uint8_t out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(text, strlen(text), out, &n, EVP_sha256(), NULL) != 1 ||
	    n != 32)
		return VIGIL_EIO;
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_token_create(struct vigil_store *st, const char *scope,
    const char *principal_id, enum vigil_role role, int64_t ttl_s,
    const char *label, int64_t now_ms, int64_t auth_ms,
    char secret[VIGIL_TOKEN_STRLEN], struct vigil_token_info *info)
{
	struct vigil_principal p;
	struct vigil_token_info t;
	uint8_t raw[32], hash[32];
	char text[VIGIL_TOKEN_STRLEN], why[96];
	bool platform;
	enum vigil_err rc;

	memset(secret, 0, VIGIL_TOKEN_STRLEN);
	if (info != NULL)
		memset(info, 0, sizeof *info);
	store_clearerr(st);
	if ((rc = iam_principal_resolve(st, scope, principal_id, &p)) !=
	    VIGIL_OK)
		return rc;
	platform = p.tenant_id[0] == '\0';
	if (p.disabled)
		return store_seterr(st, VIGIL_ESTATE, "principal %s is "
		    "disabled: no new tokens", p.name);
	if (role == VIGIL_ROLE_NONE)
		role = p.role;
	if (!iam_role_valid_in(role, platform))
		return store_seterr(st, VIGIL_EINVAL, "token role %s: not "
		    "valid in %s", vigil_role_name(role), platform ?
		    "the platform scope" : "a tenant");
	if (!iam_role_within(p.role, role, platform))
		return store_seterr(st, VIGIL_EDENIED, "token role %s exceeds "
		    "the role of principal %s (%s)", vigil_role_name(role),
		    p.name, vigil_role_name(p.role));
	if (ttl_s <= 0)
		return store_seterr(st, VIGIL_EINVAL, "token ttl: every token "
		    "expires; give a positive number of seconds");
	if (ttl_s > VIGIL_TOKEN_TTL_MAX_S)
		return store_seterr(st, VIGIL_EINVAL, "token ttl: %lld s is "
		    "more than the limit of %lld s", (long long)ttl_s,
		    (long long)VIGIL_TOKEN_TTL_MAX_S);
	if (label == NULL)
		label = "";
	if (!iam_text_ok(label, VIGIL_TOKEN_LABEL_MAX, why, sizeof why))
		return store_seterr(st, VIGIL_EINVAL, "token label: %s", why);
	if (auth_ms < 0 || auth_ms > now_ms)
		return store_seterr(st, VIGIL_EINVAL, "token auth time: must "
		    "be 0 or a time not after now");

	memset(&t, 0, sizeof t);
	if (vigil_uuid7(t.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO,
		    "iam: cannot generate a token id");
	memcpy(t.principal_id, p.id, sizeof t.principal_id);
	memcpy(t.tenant_id, p.tenant_id, sizeof t.tenant_id);
	t.role = role;
	memcpy(t.label, label, strlen(label) + 1);
	t.created_ms = now_ms;
	t.expires_ms = now_ms + ttl_s * 1000;
	t.auth_ms = auth_ms;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return store_seterr(st, VIGIL_EIO,
		    "token: cannot draw random bytes");
	iam_token_format(raw, text);
	OPENSSL_cleanse(raw, sizeof raw);
	if (iam_token_hash(text, hash) != VIGIL_OK) {
		OPENSSL_cleanse(text, sizeof text);
		return store_seterr(st, VIGIL_EIO, "token: cannot hash");
	}
	if ((rc = iam_ops(st)->token_insert(st, &t, hash)) != VIGIL_OK) {
		OPENSSL_cleanse(text, sizeof text);
		return rc;
	}
	memcpy(secret, text, VIGIL_TOKEN_STRLEN);
	OPENSSL_cleanse(text, sizeof text);
	if (info != NULL)
		*info = t;
	return VIGIL_OK;
}

static enum vigil_err
auth_fail(struct vigil_store *st, struct vigil_auth *out, const char *why)
{
	memset(out, 0, sizeof *out);
	return store_seterr(st, VIGIL_EAUTH, "%s", why);
}

enum vigil_err
vigil_iam_authenticate(struct vigil_store *st, const char *token_text,
    const char *ip, int64_t now_ms, struct vigil_auth *out)
{
	uint8_t hash[32], stored[32];
	bool platform;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (ip == NULL)
		ip = "";
	if (strnlen(ip, VIGIL_IP_STRLEN) >= VIGIL_IP_STRLEN)
		return store_seterr(st, VIGIL_EINVAL, "source address: longer "
		    "than %d bytes", VIGIL_IP_STRLEN - 1);
	if (!iam_token_wellformed(token_text))
		return auth_fail(st, out, "malformed token");
	if (iam_token_hash(token_text, hash) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO, "token: cannot hash");
	rc = iam_ops(st)->token_by_hash(st, hash, out, stored);
	if (rc == VIGIL_ENOTFOUND)
		return auth_fail(st, out, "unknown token");
	if (rc != VIGIL_OK) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	/* The index found it; compare again without a timing signal. */
	if (CRYPTO_memcmp(hash, stored, sizeof hash) != 0)
		return auth_fail(st, out, "unknown token");
	if (out->token.revoked)
		return auth_fail(st, out, "token revoked");
	if (now_ms >= out->token.expires_ms)
		return auth_fail(st, out, "token expired");
	if (out->principal.disabled)
		return auth_fail(st, out, "token's principal is disabled");
	platform = out->principal.tenant_id[0] == '\0';
	/* A principal demoted after the token was made: the token may not
	 * keep the old powers. */
	if (!iam_role_within(out->principal.role, out->token.role, platform))
		return auth_fail(st, out, "token role exceeds its principal's "
		    "current role");
	/* At most one write per token and second: busy tokens must not
	 * turn every read request into a disk write. */
	if (now_ms - out->token.last_used_ms >= 1000) {
		if ((rc = iam_ops(st)->token_touch(st, out->token.id, now_ms,
		    ip)) != VIGIL_OK) {
			memset(out, 0, sizeof *out);
			return rc;
		}
		out->token.last_used_ms = now_ms;
		memcpy(out->token.last_ip, ip, strlen(ip) + 1);
	}
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_token_touch_auth(struct vigil_store *st, const char *token_id,
    int64_t now_ms)
{
	store_clearerr(st);
	if (!iam_is_uuid_shape(token_id))
		return store_seterr(st, VIGIL_ENOTFOUND, "token: not found");
	return iam_ops(st)->token_set_auth(st, token_id, now_ms);
}

enum vigil_err
vigil_iam_token_list(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *after, size_t limit,
    struct vigil_token_info **out, size_t *n)
{
	struct vigil_principal p;
	enum vigil_err rc;

	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (principal_id != NULL && (rc = iam_principal_resolve(st, scope,
	    principal_id, &p)) != VIGIL_OK)
		return rc;
	if (limit == 0)
		limit = LIST_DEFAULT;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	return iam_ops(st)->token_list(st, scope,
	    principal_id != NULL ? p.id : NULL, after, limit, out, n);
}

enum vigil_err
vigil_iam_token_get(struct vigil_store *st, const char *scope,
    const char *token_id, struct vigil_token_info *out)
{
	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (!iam_is_uuid_shape(token_id))
		return store_seterr(st, VIGIL_ENOTFOUND, "token: not found");
	return iam_ops(st)->token_get(st, scope, token_id, out);
}

enum vigil_err
vigil_iam_token_revoke(struct vigil_store *st, const char *scope,
    const char *token_id)
{
	store_clearerr(st);
	if (!iam_is_uuid_shape(token_id))
		return store_seterr(st, VIGIL_ENOTFOUND, "token: not found");
	return iam_ops(st)->token_revoke(st, scope, token_id);
}
