/*
 * Who is asking, and in which tenant (auth.c): bearer-token
 * authentication of API requests, resolution of the {tenant} a route
 * names, both behind a short-lived per-worker cache for read-only
 * requests, and the per-token rate limit. The pipeline (http.c) calls
 * these in the contract's order and does the replying and auditing.
 *
 * The cache: under load one token makes thousands of requests a second
 * and looking it and its tenant up again each time costs two store
 * round trips per request. A GET or HEAD that is not privileged may use
 * a result up to AUTH_CACHE_TTL_MS old. What may go stale, and for how
 * long: a token revoked, a principal disabled or demoted, a tenant
 * renamed or deleted through the API is dropped from every worker's
 * cache before the next request: the worker that made the change drops
 * its own and publishes IPC_EPOCH, which the parent fans out to the
 * others (http.c, tests/integration/api_revoke.sh). A change made
 * outside the API (the CLI on the database) can be seen stale by a GET
 * for at most AUTH_CACHE_TTL_MS (DESIGN.md §1: access changes take
 * effect within a second); expiry is checked exactly. Requests that
 * change state and privileged ones always go
 * to the store. The token text is never kept: entries are keyed by its
 * SHA-256, which is what the store holds anyway.
 */
#ifndef VIGILD_AUTH_H
#define VIGILD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/core.h"
#include "vigil/registry.h"

#define AUTH_CACHE_TTL_MS 250

struct req;
struct auth_cache;

struct auth_cache *auth_cache_new(void);
void auth_cache_free(struct auth_cache *c);
/* Forgets every entry. */
void auth_cache_flush(struct auth_cache *c);

/*
 * Reads "Authorization: Bearer <token>" and authenticates the token
 * (vigil_iam_authenticate, or the cache when `cacheable`). On success
 * fills r->auth and sets r->authed. Otherwise VIGIL_EAUTH (or a store
 * error) with a precise reason in why ("Authorization header missing",
 * "token expired", ...), never the token itself.
 */
enum vigil_err auth_bearer(struct req *r, bool cacheable, char *why,
    size_t whysize);

/* The tenant a {tenant} parameter names (id or name): VIGIL_OK,
 * VIGIL_ENOTFOUND, or a store error. */
enum vigil_err auth_tenant(struct req *r, const char *ref, bool cacheable,
    struct vigil_tenant *out /* OUT */);

/* Per-token rate limit: 0 when the request may proceed, else the
 * number of seconds for Retry-After. */
unsigned auth_rate_limit(struct req *r);

#endif
