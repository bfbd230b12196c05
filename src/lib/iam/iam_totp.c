/*
 * TOTP (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s steps, 6 digits,
 * one step of clock skew either way) and its enrollment: begin (a new
 * pending secret), confirm (a current code proves the authenticator
 * holds it), disable. Base32 (RFC 4648) is how the secret is shown.
 *
 * The secret is shared: the server must compute the same codes as the
 * authenticator, so it is stored as is, not hashed (docs/iam.md says
 * how to protect the database accordingly).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "iam_internal.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

enum vigil_err
iam_base32_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	size_t need = (n * 8 + 4) / 5 + 1, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (outsize < need) {
		if (outsize > 0)
			out[0] = '\0';
		return VIGIL_ERANGE;
	}
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return VIGIL_OK;
}

static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

enum vigil_err
iam_base32_decode(const char *in, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, i;

	*outlen = 0;
	for (i = 0; in[i] != '\0' && in[i] != '='; i++) {
		int v = b32_value(in[i]);

		if (v < 0)
			return VIGIL_EINVAL;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsize)
				return VIGIL_ERANGE;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	for (; in[i] == '='; i++)
		;
	if (in[i] != '\0')
		return VIGIL_EINVAL;
	*outlen = o;
	return VIGIL_OK;
}

uint32_t
vigil_totp_code(const uint8_t *secret, size_t len, int64_t t, unsigned step,
    unsigned digits)
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint64_t counter;
	uint32_t bin, mod = 1;
	unsigned off;

	if (secret == NULL || len == 0 || len > INT32_MAX || step == 0 ||
	    digits == 0 || digits > 9 || t < 0)
		return 0;
	counter = (uint64_t)t / step;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), secret, (int)len, msg, sizeof msg, mac,
	    &maclen) == NULL || maclen < 20)
		return 0;
	/* RFC 4226 §5.3 dynamic truncation. */
	off = mac[maclen - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	OPENSSL_cleanse(mac, sizeof mac);
	for (unsigned i = 0; i < digits; i++)
		mod *= 10;
	return bin % mod;
}

bool
iam_totp_code_wellformed(const char *code)
{
	if (code == NULL || strlen(code) != IAM_TOTP_DIGITS)
		return false;
	for (unsigned i = 0; i < IAM_TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

int64_t
iam_totp_match(const uint8_t *secret, size_t len, const char *code,
    int64_t now_ms, int64_t last_step)
{
	int64_t cur, found = -1;
	char want[16];

	/* No secret, no match: vigil_totp_code's 0 for an empty secret is
	 * also the valid code "000000". */
	if (secret == NULL || len == 0 || !iam_totp_code_wellformed(code) ||
	    now_ms < 0)
		return -1;
	cur = now_ms / 1000 / IAM_TOTP_STEP;
	/* Every candidate is computed and compared, whether or not an
	 * earlier one matched. */
	for (int64_t s = cur - 1; s <= cur + 1; s++) {
		uint32_t c;
		int eq;

		if (s < 0)
			continue;
		c = vigil_totp_code(secret, len, s * IAM_TOTP_STEP,
		    IAM_TOTP_STEP, IAM_TOTP_DIGITS);
		snprintf(want, sizeof want, "%06u", (unsigned)c);
		eq = CRYPTO_memcmp(want, code, IAM_TOTP_DIGITS) == 0;
		if (eq && s > last_step && found < 0)
			found = s;
	}
	OPENSSL_cleanse(want, sizeof want);
	return found;
}

/* Resolves a human principal for an enrollment operation. */
static enum vigil_err
human(struct vigil_store *st, const char *scope, const char *id,
    struct vigil_principal *p)
{
	enum vigil_err rc;

	store_clearerr(st);
	if ((rc = iam_principal_resolve(st, scope, id, p)) != VIGIL_OK)
		return rc;
	if (p->kind != VIGIL_PRINCIPAL_HUMAN)
		return store_seterr(st, VIGIL_EINVAL, "principal %s: a service "
		    "account has no TOTP (it uses tokens)", p->name);
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_totp_begin(struct vigil_store *st, const char *scope,
    const char *principal_id, char *secret_b32, size_t b32size, char *uri,
    size_t urisize)
{
	struct vigil_principal p;
	uint8_t raw[VIGIL_TOTP_SECRET_LEN];
	char b32[64];
	size_t need;
	enum vigil_err rc;

	if (secret_b32 != NULL && b32size > 0)
		secret_b32[0] = '\0';
	if (uri != NULL && urisize > 0)
		uri[0] = '\0';
	if ((rc = human(st, scope, principal_id, &p)) != VIGIL_OK)
		return rc;
	need = (VIGIL_TOTP_SECRET_LEN * 8 + 4) / 5 + 1;
	if (secret_b32 == NULL || b32size < need)
		return store_seterr(st, VIGIL_ERANGE, "TOTP: the secret needs "
		    "a %zu-byte buffer", need);
	/* otpauth://totp/vigil:<name>?secret=<b32>&issuer=vigil */
	need = strlen("otpauth://totp/vigil:?secret=&issuer=vigil") +
	    strlen(p.name) + need;
	if (uri == NULL || urisize < need)
		return store_seterr(st, VIGIL_ERANGE, "TOTP: the URI needs a "
		    "%zu-byte buffer", need);
	if (RAND_bytes(raw, sizeof raw) != 1)
		return store_seterr(st, VIGIL_EIO,
		    "TOTP: cannot draw a random secret");
	rc = iam_ops(st)->totp_set_pending(st, p.id, raw, sizeof raw);
	if (rc == VIGIL_OK)
		rc = iam_base32_encode(raw, sizeof raw, b32, sizeof b32);
	OPENSSL_cleanse(raw, sizeof raw);
	if (rc != VIGIL_OK) {
		OPENSSL_cleanse(b32, sizeof b32);
		return rc;
	}
	/* The name is [a-z0-9._@-]: nothing in it needs escaping. */
	snprintf(secret_b32, b32size, "%s", b32);
	snprintf(uri, urisize, "otpauth://totp/vigil:%s?secret=%s&issuer=vigil",
	    p.name, b32);
	OPENSSL_cleanse(b32, sizeof b32);
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_totp_confirm(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *code, int64_t now_ms)
{
	struct vigil_principal p;
	struct store_iam_secrets sec;
	int64_t step;
	enum vigil_err rc;

	if ((rc = human(st, scope, principal_id, &p)) != VIGIL_OK)
		return rc;
	if (!iam_totp_code_wellformed(code))
		return store_seterr(st, VIGIL_EINVAL, "TOTP code: expected %u "
		    "digits", IAM_TOTP_DIGITS);
	if ((rc = iam_ops(st)->secrets_get(st, p.id, &sec)) != VIGIL_OK)
		return rc;
	if (sec.pending_len == 0) {
		rc = store_seterr(st, VIGIL_ESTATE, "principal %s: no TOTP "
		    "enrollment pending; begin one first", p.name);
		goto out;
	}
	step = iam_totp_match(sec.totp_pending, sec.pending_len, code, now_ms,
	    INT64_MIN);
	if (step < 0) {
		rc = store_seterr(st, VIGIL_EAUTH, "TOTP code does not match "
		    "the pending secret (check the authenticator's clock)");
		goto out;
	}
	/* The confirming code's step is spent: it cannot log in again. */
	rc = iam_ops(st)->totp_enable(st, p.id, sec.totp_pending,
	    sec.pending_len, step);
out:
	OPENSSL_cleanse(&sec, sizeof sec);
	return rc;
}

enum vigil_err
vigil_iam_totp_disable(struct vigil_store *st, const char *scope,
    const char *principal_id)
{
	struct vigil_principal p;
	enum vigil_err rc;

	if ((rc = human(st, scope, principal_id, &p)) != VIGIL_OK)
		return rc;
	return iam_ops(st)->totp_disable(st, p.id);
}
