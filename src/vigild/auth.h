/*
 * Bearer-token authentication of API requests and the per-token rate
 * limit (auth.c). The pipeline (http.c) calls these in the contract's
 * order and does the replying and the auditing.
 */
#ifndef VIGILD_AUTH_H
#define VIGILD_AUTH_H

#include <stddef.h>

#include "vigil/core.h"

struct req;

/*
 * Reads "Authorization: Bearer <token>" and authenticates the token
 * (vigil_iam_authenticate). On success fills r->auth and sets
 * r->authed. Otherwise VIGIL_EAUTH (or a store error) with a precise
 * reason in why ("Authorization header missing", "token expired", ...),
 * never the token itself.
 */
enum vigil_err auth_bearer(struct req *r, char *why, size_t whysize);

/* Per-token rate limit: 0 when the request may proceed, else the
 * number of seconds for Retry-After. */
unsigned auth_rate_limit(struct req *r);

#endif
