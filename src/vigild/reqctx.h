/*
 * One API request as handlers see it (reqctx.c): who asked, from where,
 * in which tenant scope, its parameters and body, and the reply and
 * audit helpers. The server (http.c) fills it in and runs the checks
 * of the route table (authentication, rate limit, tenant resolution,
 * permission, re-authentication) before calling the handler, so a
 * handler only sees requests it is allowed to serve.
 */
#ifndef VIGILD_REQCTX_H
#define VIGILD_REQCTX_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "routes.h"
#include "vigil/audit.h"
#include "vigil/iam.h"
#include "vigil/registry.h"

struct evhttp_request;
struct net_worker; /* net.c */
struct req_scratch; /* net_worker.h */
struct req_deferred; /* reqctx.c: what a deferred copy owns */

struct req {
	struct evhttp_request *ev;
	struct net_worker *w;
	const struct vigild_config *cfg;
	struct vigil_store *st;          /* the worker's store handle */
	struct route_match match;
	char request_id[VIGIL_UUID_STRLEN];
	char ip[VIGIL_IP_STRLEN];
	int64_t start_ns;

	bool authed;
	struct vigil_auth auth;          /* when authed */
	/* Tenant scope for scoped store calls: the principal's tenant id,
	 * or for a platform principal on a ROUTE_TENANT route the resolved
	 * {tenant}; NULL = platform scope (platform principal elsewhere). */
	const char *scope;
	bool has_tenant;
	struct vigil_tenant tenant;      /* resolved {tenant} */
	int status;                      /* status sent (metrics) */
	struct req_deferred *def;        /* on a req_defer() copy only */
};

/* Decoded path parameter by name ("tenant", "device", ...); NULL when
 * the route has none of that name. */
const char *req_param(const struct req *r, const char *name);

/* The {id} path parameter as a positive decimal integer. Anything else
 * names no object, so it is a 404 "<what> <id> not found" (a UUID or a
 * name is not a malformed request, just not such an id); -1 then, and
 * the handler just returns. */
int req_param_id(struct req *r, const char *what, int64_t *id /* OUT */);

/* Decoded query parameter (first occurrence); NULL when absent. */
const char *req_query(struct req *r, const char *name);

/* Parses the body as one JSON object (duplicate keys rejected, depth
 * and size bounded). On failure replies 400/415 with a precise problem
 * detail ("body: line 1 column 17: '}' expected near ','") and returns
 * -1; the handler just returns. *out is a new reference. */
int req_json_body(struct req *r, json_t **out /* OUT */);

/* Raw body bytes (ROUTE_RAW_BODY) and its Content-Type (may be NULL). */
const uint8_t *req_body(struct req *r, size_t *len /* OUT */);
const char *req_content_type(struct req *r);

/* Replies with JSON (steals body; NULL = no body, e.g. 204). */
void req_reply_json(struct req *r, int status, json_t *body);

/* RFC 9457 problem+json: type https://vigil.dev/problems/<slug>,
 * title from the status, detail formatted, instance = request id. */
void req_problem(struct req *r, int status, const char *slug,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Maps a libvigil error to a problem reply: EINVAL 422 (400 for
 * syntax), ENOTFOUND 404, EEXIST 409, ESTATE 409, ECONFLICT 412,
 * ERANGE 413/422, EAUTH 401, EDENIED 403, ELOCKED 429, EAMBIGUOUS 409,
 * others 500 (detail hidden, logged with the request id).
 * detail is usually vigil_store_errmsg(r->st). */
void req_reply_err(struct req *r, enum vigil_err e, const char *detail);

/* Adds a response header. */
void req_header(struct req *r, const char *key, const char *value);

/* If-Match: 0 when absent, 1 with *version set for "v<N>" (quoted
 * entity tag), -1 when malformed (already replied 400). */
int req_if_match(struct req *r, int64_t *version /* OUT */);

/* Sets ETag: "v<version>". */
void req_etag(struct req *r, int64_t version);

/* Actor text for registry history: "user:<name>" or "service:<name>". */
const char *req_actor(struct req *r);

/* Appends an audit entry for this request (principal, tenant, IP,
 * request id, privileged flag of the route). Joins an open store
 * transaction: call it before vigil_store_commit so the change and its
 * entry are durable together, before the reply. Returns the append
 * result (on failure the handler must roll back and reply 500). */
enum vigil_err req_audit(struct req *r, const char *action,
    const char *object, const char *outcome, const char *detail);

/* Cursor pagination helpers: limit from ?limit (default 100, 1..1000;
 * 0 and bad values → 400 replied, returns -1). */
int req_limit(struct req *r, size_t *limit /* OUT */);

/*
 * Deferred replies: a handler that waits for another process (the
 * signer) calls req_defer(r), keeps the heap copy it returns and
 * returns without replying; the pipeline then sends nothing for r.
 * Later, from the event loop, exactly one req_reply_json /
 * req_problem / req_reply_err on the copy sends the reply (with the
 * same headers, metrics, audit and epoch publication as an immediate
 * one) and FREES the copy: do not touch it afterwards.
 *
 * The copy keeps everything struct req says (principal, tenant,
 * parameters, request id) and the scratch state its reply needs, but
 * not the body nor the query: read them before deferring. If the
 * client goes away first, req_gone() turns true and the reply is
 * dropped (the copy is still freed by it). NULL when out of memory
 * (a 500 has been replied on r then). The connection's request
 * deadline keeps running until the reply.
 */
struct req *req_defer(struct req *r);

/* 1 when the client of a deferred request has gone. */
bool req_gone(const struct req *r);

/* The per-request scratch state of r: the worker's, or the deferred
 * copy's own (http.c and reqctx.c only). */
struct req_scratch *req_rs(struct req *r);

/* Streaming replies (ROUTE_STREAM). */
void req_stream_start(struct req *r, int status, const char *content_type);
void req_stream_chunk(struct req *r, const void *data, size_t len);
void req_stream_end(struct req *r);

#endif
