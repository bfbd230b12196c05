/*
 * Fuzz target for bearer tokens: the token text check
 * (iam_token_wellformed, src/lib/iam/iam_token.c) and the production
 * reading of "Authorization: Bearer <token>" (auth_bearer,
 * src/vigild/auth.c) down to vigil_iam_authenticate.
 *
 * Token text: a well-formed token has exactly one spelling, that of
 * iam_token_format of its 32 bytes; any 32 bytes format to a
 * well-formed token.
 *
 * Header: the input is the header's value, as libevent hands it over
 * (empty input: no header). "@T@" in it stands for a live token and
 * "@R@" for a revoked one, both created once in an in-memory store, so
 * the fuzzer can vary everything around a real token. auth_bearer runs
 * on a struct req with a header-only evhttp_request (no connection)
 * and a worker that has nothing but an auth cache; once uncached, then
 * cacheable, and both must agree. It must accept exactly
 * "Bearer" (any case), one or more spaces, the live token, nothing
 * after; any other header is VIGIL_EAUTH with a reason that never
 * quotes a token, and leaves the request unauthenticated.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "auth.h"
#include "iam/iam_internal.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_MAX 4096

static struct vigil_store *st;
static struct net_worker worker;
static char live[VIGIL_TOKEN_STRLEN], revoked[VIGIL_TOKEN_STRLEN];
static struct vigil_token_info live_info;

static void
init(void)
{
	struct vigil_tenant t;
	struct vigil_principal p;
	struct vigil_token_info ri;
	char err[256];
	int64_t now = vigil_time_now_ms();

	if (vigil_store_open(&st, ":memory:", NULL, err, sizeof err) !=
	    VIGIL_OK ||
	    vigil_admin_tenant_create(st, "fuzz", NULL, &t) != VIGIL_OK ||
	    vigil_iam_principal_create(st, t.id, "svc",
	    VIGIL_PRINCIPAL_SERVICE, VIGIL_ROLE_OPERATOR, &p) != VIGIL_OK ||
	    vigil_iam_token_create(st, t.id, p.id, VIGIL_ROLE_NONE, 86400,
	    "live", now, 0, live, &live_info) != VIGIL_OK ||
	    vigil_iam_token_create(st, t.id, p.id, VIGIL_ROLE_NONE, 86400,
	    "revoked", now, 0, revoked, &ri) != VIGIL_OK ||
	    vigil_iam_token_revoke(st, t.id, ri.id) != VIGIL_OK)
		abort();
	if ((worker.authc = auth_cache_new()) == NULL)
		abort();
}

static int
b64url(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	const char *p = c != '\0' ? strchr(a, c) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Token text: the one-spelling property, both ways. */
static void
fuzz_text(const uint8_t *data, size_t size)
{
	char text[TEXT_MAX + 1], again[VIGIL_TOKEN_STRLEN];
	uint8_t raw[33];
	size_t n = size < TEXT_MAX ? size : TEXT_MAX;

	memcpy(text, data, n);
	text[n] = '\0';
	if (iam_token_wellformed(text)) {
		uint32_t acc = 0;
		int bits = 0;
		size_t o = 0;

		if (strlen(text) != VIGIL_TOKEN_STRLEN - 1 ||
		    strncmp(text, "vgl_", 4) != 0)
			abort();
		for (const char *p = text + 4; *p != '\0'; p++) {
			int v = b64url(*p);

			if (v < 0)
				abort();
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				raw[o++] = (uint8_t)(acc >> bits);
			}
		}
		if (o != 32)
			abort();
		iam_token_format(raw, again);
		if (strcmp(again, text) != 0)
			abort();
	}
	if (size >= 32) {
		iam_token_format(data, again);
		if (!iam_token_wellformed(again))
			abort();
	}
}

/* The header with the placeholders replaced; NULL for no header. */
static char *
expand(const uint8_t *data, size_t size)
{
	char *h;
	size_t o = 0;

	if (size == 0 || memchr(data, '\0', size) != NULL)
		return NULL;
	if ((h = malloc(size * VIGIL_TOKEN_STRLEN / 3 + 1)) == NULL)
		abort();
	for (size_t i = 0; i < size; i++) {
		const char *tok = NULL;

		if (i + 3 <= size && memcmp(data + i, "@T@", 3) == 0)
			tok = live;
		else if (i + 3 <= size && memcmp(data + i, "@R@", 3) == 0)
			tok = revoked;
		if (tok != NULL) {
			memcpy(h + o, tok, strlen(tok));
			o += strlen(tok);
			i += 2;
		} else
			h[o++] = (char)data[i];
	}
	h[o] = '\0';
	return h;
}

/* What auth_bearer must accept: "Bearer", spaces, the live token. */
static bool
should_accept(const char *h)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	for (h += 7; *h == ' '; h++)
		;
	return strcmp(h, live) == 0;
}

static void
check_secret_free(const char *why, const char *h)
{
	if (strstr(why, live) != NULL || strstr(why, revoked) != NULL)
		abort();
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		for (h += 7; *h == ' '; h++)
			;
		/* Long enough not to be a word of a fixed reason. */
		if (strlen(h) >= 16 && strstr(why, h) != NULL)
			abort();
	}
}

static enum vigil_err
run(struct evhttp_request *ev, bool cacheable, struct req *r)
{
	char why[512];
	enum vigil_err e;

	memset(r, 0, sizeof *r);
	r->ev = ev;
	r->w = &worker;
	r->st = st;
	memcpy(r->ip, "192.0.2.1", sizeof "192.0.2.1");
	why[0] = '\0';
	e = auth_bearer(r, cacheable, why, sizeof why);
	if (e == VIGIL_OK) {
		if (!r->authed ||
		    strcmp(r->auth.token.id, live_info.id) != 0 ||
		    strcmp(r->auth.principal.id, live_info.principal_id) !=
		    0 || r->auth.token.revoked)
			abort();
		return e;
	}
	/* The store is in memory: every failure is the token's. */
	if (e != VIGIL_EAUTH || r->authed || why[0] == '\0' ||
	    r->auth.token.id[0] != '\0' || r->auth.principal.id[0] != '\0')
		abort();
	check_secret_free(why, evhttp_find_header(
	    evhttp_request_get_input_headers(ev), "Authorization"));
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct req r;
	struct evhttp_request *ev;
	enum vigil_err e;
	char *h;

	if (st == NULL)
		init();
	fuzz_text(data, size);

	if ((ev = evhttp_request_new(NULL, NULL)) == NULL)
		abort();
	h = expand(data, size);
	if (size > 0 && (h == NULL || evhttp_add_header(
	    evhttp_request_get_input_headers(ev), "Authorization", h) != 0)) {
		/* Not a header libevent would have handed over. */
		free(h);
		evhttp_request_free(ev);
		return 0;
	}
	e = run(ev, false, &r);
	if ((e == VIGIL_OK) != should_accept(h))
		abort();
	if (run(ev, true, &r) != e)
		abort();
	free(h);
	evhttp_request_free(ev);
	return 0;
}
