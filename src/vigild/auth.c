/*
 * Bearer tokens (RFC 6750) → struct vigil_auth, and the per-token rate
 * limit. The token text is only ever handed to vigil_iam_authenticate,
 * which compares hashes in constant time; it never reaches a log line,
 * an audit entry or a problem detail.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "net_worker.h"
#include "ratelimit.h"
#include "reqctx.h"

/* Longer than any token vigil issues; longer input is refused before
 * it is copied or hashed. */
#define BEARER_MAX 256

enum vigil_err
auth_bearer(struct req *r, char *why, size_t whysize)
{
	const char *h = evhttp_find_header(
	    evhttp_request_get_input_headers(r->ev), "Authorization");
	char token[BEARER_MAX + 1];
	enum vigil_err e;
	size_t len;

	r->authed = false;
	if (h == NULL) {
		snprintf(why, whysize, "Authorization header missing; send "
		    "'Authorization: Bearer <token>'");
		return VIGIL_EAUTH;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		snprintf(why, whysize, "Authorization scheme is not Bearer; "
		    "send 'Authorization: Bearer <token>'");
		return VIGIL_EAUTH;
	}
	for (h += 7; *h == ' '; h++)
		;
	len = strcspn(h, " \t");
	if (len == 0) {
		snprintf(why, whysize, "Authorization: Bearer token is empty");
		return VIGIL_EAUTH;
	}
	if (len > BEARER_MAX || h[len] != '\0') {
		snprintf(why, whysize, "malformed token");
		return VIGIL_EAUTH;
	}
	memcpy(token, h, len);
	token[len] = '\0';
	e = vigil_iam_authenticate(r->st, token, r->ip[0] != '\0' ? r->ip :
	    NULL, vigil_time_now_ms(), &r->auth);
	OPENSSL_cleanse(token, sizeof token);
	if (e != VIGIL_OK) {
		snprintf(why, whysize, "%s", vigil_store_errmsg(r->st)[0] !=
		    '\0' ? vigil_store_errmsg(r->st) : vigil_strerror(e));
		memset(&r->auth, 0, sizeof r->auth);
		return e;
	}
	r->authed = true;
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
