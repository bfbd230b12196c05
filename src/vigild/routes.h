/*
 * The API route table (routes.c): the single source of truth for
 * dispatch, the permission each route needs, /metrics labels and the
 * OpenAPI parity test (`vigild --routes` prints "METHOD PATTERN" per
 * route; tests/integration/openapi_parity.sh compares with
 * docs/api/openapi.yaml).
 *
 * Patterns are literal segments and {name} parameters:
 *   "/v1/tenants/{tenant}/devices/{device}"
 * Default deny: a route without a permission must say ROUTE_PUBLIC.
 */
#ifndef VIGILD_ROUTES_H
#define VIGILD_ROUTES_H

#include <stddef.h>

#include "vigil/iam.h"

struct req;
typedef void (*route_fn)(struct req *r);

#define ROUTE_PUBLIC 0x1u     /* no token needed (health, login) */
#define ROUTE_TENANT 0x2u     /* has {tenant}: resolved and scope-checked
			       * before the handler; another tenant's is 404 */
#define ROUTE_PRIVILEGED 0x4u /* needs a password proof newer than
			       * reauth_s; flagged privileged in the audit */
#define ROUTE_PLATFORM 0x8u   /* platform-scope principals only (others
			       * get 404: the route "does not exist" for them) */
#define ROUTE_STREAM 0x10u    /* handler streams its reply (export) */
#define ROUTE_RAW_BODY 0x20u  /* body is not JSON (import: CSV/JSONL) */

struct route {
	const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
	const char *pattern;
	enum vigil_perm perm; /* VIGIL_PERM_NONE only with ROUTE_PUBLIC */
	unsigned flags;
	route_fn fn;
	const char *name;     /* operationId and metrics label */
};

extern const struct route routes[];
extern const size_t nroutes;

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX 512

struct route_match {
	const struct route *route;
	size_t nparams;
	const char *names[ROUTE_MAX_PARAMS];
	char values[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX + 1]; /* decoded */
};

/* Matches method + path (without query). Returns 0 on a match, 404
 * when no pattern matches the path, 405 when the path matches with
 * another method (allow gets "GET, POST"), 400 for a bad
 * percent-encoding or an over-long segment. */
int route_find(const char *method, const char *path,
    struct route_match *m, char *allow, size_t allowsize);

/* Index of a route in the table (metrics). */
size_t route_index(const struct route *r);

#endif
