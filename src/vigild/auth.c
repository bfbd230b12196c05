/*
 * Who is asking and in which tenant (auth.h): bearer tokens (RFC 6750)
 * → struct vigil_auth, {tenant} → struct vigil_tenant, the short-lived
 * cache in front of both, and the per-token rate limit. The token text
 * is only ever handed to vigil_iam_authenticate, which compares hashes
 * in constant time, and hashed for the cache key; it never reaches a
 * log line, an audit entry or a problem detail.
 *
 * The cache is two small direct-mapped tables. A slot is valid while
 * its generation equals the cache's and it is younger than
 * AUTH_CACHE_TTL_MS; flushing bumps the generation. A collision just
 * replaces the older entry: a miss only costs the lookup it saves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "net_worker.h"
#include "ratelimit.h"
#include "reqctx.h"

/* Longer than any token vigil issues; longer input is refused before
 * it is copied or hashed. */
#define BEARER_MAX 256
#define KEY_LEN 32
#define AUTH_SLOTS 256
#define TENANT_SLOTS 64
#define TENANT_REF_MAX 64

struct auth_slot {
	uint64_t gen;
	int64_t at_ms;
	uint8_t key[KEY_LEN];
	struct vigil_auth auth;
};

struct tenant_slot {
	uint64_t gen;
	int64_t at_ms;
	char ref[TENANT_REF_MAX + 1];
	struct vigil_tenant tenant;
};

struct auth_cache {
	uint64_t gen; /* starts at 1: zeroed slots are never valid */
	struct auth_slot auth[AUTH_SLOTS];
	struct tenant_slot tenant[TENANT_SLOTS];
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct auth_cache *
auth_cache_new(void)
{
	struct auth_cache *c = calloc(1, sizeof *c);

	if (c != NULL)
		c->gen = 1;
	return c;
}

void
auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c, sizeof *c);
	free(c);
}

void
auth_cache_flush(struct auth_cache *c)
{
	if (c != NULL)
		c->gen++;
}

static bool
fresh(const struct auth_cache *c, uint64_t gen, int64_t at, int64_t now)
{
	return gen == c->gen && now >= at && now - at < AUTH_CACHE_TTL_MS;
}

/* The slot for a key: the key is a SHA-256, any byte of it is as good
 * as a hash. */
static struct auth_slot *
auth_slot(struct auth_cache *c, const uint8_t *key)
{
	return &c->auth[key[0] % AUTH_SLOTS];
}

static bool
cached_auth(struct auth_cache *c, const uint8_t *key, struct vigil_auth *out)
{
	struct auth_slot *s;

	if (c == NULL)
		return false;
	s = auth_slot(c, key);
	if (!fresh(c, s->gen, s->at_ms, mono_ms()) ||
	    CRYPTO_memcmp(s->key, key, KEY_LEN) != 0)
		return false;
	/* Expiry is exact, whatever the entry's age. */
	if (s->auth.token.expires_ms != 0 &&
	    vigil_time_now_ms() >= s->auth.token.expires_ms)
		return false;
	*out = s->auth;
	return true;
}

static void
cache_auth(struct auth_cache *c, const uint8_t *key,
    const struct vigil_auth *a)
{
	struct auth_slot *s;

	if (c == NULL)
		return;
	s = auth_slot(c, key);
	s->gen = c->gen;
	s->at_ms = mono_ms();
	memcpy(s->key, key, KEY_LEN);
	s->auth = *a;
}

/* Cuts the token out of the header. 0, or -1 with why set. */
static int
bearer_token(const char *h, char token[BEARER_MAX + 1], char *why,
    size_t whysize)
{
	size_t len;

	if (h == NULL) {
		snprintf(why, whysize, "Authorization header missing; send "
		    "'Authorization: Bearer <token>'");
		return -1;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		snprintf(why, whysize, "Authorization scheme is not Bearer; "
		    "send 'Authorization: Bearer <token>'");
		return -1;
	}
	for (h += 7; *h == ' '; h++)
		;
	len = strcspn(h, " \t");
	if (len == 0) {
		snprintf(why, whysize, "Authorization: Bearer token is empty");
		return -1;
	}
	if (len > BEARER_MAX || h[len] != '\0') {
		snprintf(why, whysize, "malformed token");
		return -1;
	}
	memcpy(token, h, len);
	token[len] = '\0';
	return 0;
}

enum vigil_err
auth_bearer(struct req *r, bool cacheable, char *why, size_t whysize)
{
	struct auth_cache *c = r->w->authc;
	char token[BEARER_MAX + 1];
	uint8_t key[KEY_LEN];
	unsigned keylen = 0;
	enum vigil_err e;
	bool keyed;

	r->authed = false;
	if (bearer_token(evhttp_find_header(
	    evhttp_request_get_input_headers(r->ev), "Authorization"), token,
	    why, whysize) != 0)
		return VIGIL_EAUTH;
	keyed = EVP_Digest(token, strlen(token), key, &keylen, EVP_sha256(),
	    NULL) == 1 && keylen == KEY_LEN;
	if (keyed && cacheable && cached_auth(c, key, &r->auth)) {
		OPENSSL_cleanse(token, sizeof token);
		r->authed = true;
		return VIGIL_OK;
	}
	e = vigil_iam_authenticate(r->st, token, r->ip[0] != '\0' ? r->ip :
	    NULL, vigil_time_now_ms(), &r->auth);
	OPENSSL_cleanse(token, sizeof token);
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "%s", vigil_store_errmsg(r->st)[0] !=
		    '\0' ? vigil_store_errmsg(r->st) : vigil_strerror(e));
		memset(&r->auth, 0, sizeof r->auth);
		return e;
	}
	if (keyed)
		cache_auth(c, key, &r->auth);
	r->authed = true;
	return VIGIL_OK;
}

static struct tenant_slot *
tenant_slot(struct auth_cache *c, const char *ref)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *ref != '\0'; ref++)
		h = (h ^ (unsigned char)*ref) * 16777619u;
	return &c->tenant[h % TENANT_SLOTS];
}

enum vigil_err
auth_tenant(struct req *r, const char *ref, bool cacheable,
    struct vigil_tenant *out)
{
	struct auth_cache *c = r->w->authc;
	size_t n = strlen(ref);
	struct tenant_slot *s = NULL;
	enum vigil_err e;

	if (c != NULL && n <= TENANT_REF_MAX) {
		s = tenant_slot(c, ref);
		if (cacheable && fresh(c, s->gen, s->at_ms, mono_ms()) &&
		    strcmp(s->ref, ref) == 0) {
			*out = s->tenant;
			return VIGIL_OK;
		}
	}
	if ((e = vigil_admin_tenant_get(r->st, ref, out)) != VIGIL_OK)
		return e;
	if (s != NULL) {
		s->gen = c->gen;
		s->at_ms = mono_ms();
		memcpy(s->ref, ref, n + 1);
		s->tenant = *out;
	}
	return VIGIL_OK;
}

unsigned
auth_rate_limit(struct req *r)
{
	struct timespec ts;
	unsigned retry;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ratelimit_take(r->w->rl, r->auth.token.id,
	    (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, &retry))
		return 0;
	return retry;
}
