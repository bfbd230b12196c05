/*
 * Passwords: argon2id hashing and verification (libargon2), length
 * rules, and vigil_iam_password_set. The password itself is never
 * stored, logged or put into an error text.
 */
#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "iam_internal.h"

/* Cost of new hashes and of the dummy verification. Production values
 * unless a unit test lowered them (iam_set_argon2_cost_for_tests). */
static uint32_t cost_t = IAM_ARGON2_T;
static uint32_t cost_m = IAM_ARGON2_M_KIB;

void
iam_set_argon2_cost_for_tests(uint32_t t_cost, uint32_t m_kib)
{
	cost_t = t_cost != 0 ? t_cost : IAM_ARGON2_T;
	cost_m = m_kib != 0 ? m_kib : IAM_ARGON2_M_KIB;
}

/* Code points of a UTF-8 string (continuation bytes not counted). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

enum vigil_err
iam_password_check(struct vigil_store *st, const char *password)
{
	size_t len;

	if (password == NULL || password[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "password: missing");
	len = strnlen(password, VIGIL_PASSWORD_MAX + 1);
	if (len > VIGIL_PASSWORD_MAX)
		return store_seterr(st, VIGIL_EINVAL, "password: longer than "
		    "%d bytes", VIGIL_PASSWORD_MAX);
	if (utf8_chars(password) < VIGIL_PASSWORD_MIN)
		return store_seterr(st, VIGIL_EINVAL, "password: shorter than "
		    "%d characters", VIGIL_PASSWORD_MIN);
	return VIGIL_OK;
}

enum vigil_err
iam_password_hash(struct vigil_store *st, const char *password, char *phc,
    size_t phcsize)
{
	uint8_t salt[IAM_SALT_LEN];
	size_t need;
	int rc;

	need = argon2_encodedlen(cost_t, cost_m, IAM_ARGON2_P, IAM_SALT_LEN,
	    IAM_HASH_LEN, Argon2_id);
	if (need > phcsize)
		return store_seterr(st, VIGIL_ERANGE, "password: hash needs "
		    "%zu bytes, have %zu", need, phcsize);
	if (RAND_bytes(salt, sizeof salt) != 1)
		return store_seterr(st, VIGIL_EIO,
		    "password: cannot draw a random salt");
	rc = argon2id_hash_encoded(cost_t, cost_m, IAM_ARGON2_P, password,
	    strlen(password), salt, sizeof salt, IAM_HASH_LEN, phc, phcsize);
	OPENSSL_cleanse(salt, sizeof salt);
	if (rc != ARGON2_OK)
		return store_seterr(st, rc == ARGON2_MEMORY_ALLOCATION_ERROR ?
		    VIGIL_ENOMEM : VIGIL_EIO, "password: argon2id failed: %s",
		    argon2_error_message(rc));
	return VIGIL_OK;
}

/* A PHC string with the current cost, a fixed salt and a hash nothing
 * matches: verifying against it costs what a real verification costs. */
static void
dummy_phc(char *out, size_t size)
{
	snprintf(out, size, "$argon2id$v=19$m=%u,t=%u,p=%u"
	    "$dmlnaWwtZHVtbXktc2FsdA"
	    "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    (unsigned)cost_m, (unsigned)cost_t, IAM_ARGON2_P);
}

int
iam_password_verify(const char *phc, const char *password)
{
	char dummy[160];
	size_t len = password != NULL ? strlen(password) : 0;

	if (phc == NULL || strncmp(phc, "$argon2id$", 10) != 0) {
		dummy_phc(dummy, sizeof dummy);
		(void)argon2id_verify(dummy, password != NULL ? password : "",
		    len);
		return 0;
	}
	return argon2id_verify(phc, password, len) == ARGON2_OK;
}

enum vigil_err
iam_password_target(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *password, struct vigil_principal *p)
{
	enum vigil_err rc;

	if ((rc = iam_principal_resolve(st, scope, principal_id, p)) !=
	    VIGIL_OK)
		return rc;
	if (p->kind != VIGIL_PRINCIPAL_HUMAN)
		return store_seterr(st, VIGIL_EINVAL, "principal %s: a service "
		    "account has no password (it uses tokens)", p->name);
	return iam_password_check(st, password);
}

enum vigil_err
vigil_iam_password_set(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *password)
{
	struct vigil_principal p;
	char phc[STORE_IAM_PHC_MAX];
	enum vigil_err rc;

	store_clearerr(st);
	if ((rc = iam_password_target(st, scope, principal_id, password, &p)) !=
	    VIGIL_OK)
		return rc;
	if ((rc = iam_password_hash(st, password, phc, sizeof phc)) !=
	    VIGIL_OK)
		return rc;
	rc = iam_ops(st)->password_set(st, p.id, phc);
	OPENSSL_cleanse(phc, sizeof phc);
	return rc;
}
