/*
 * The HTTPS server of a net worker: evhttp on the worker's listening
 * socket, every connection a bufferevent_openssl (conn.c), and the
 * request pipeline that runs the checks of the API contract in its
 * fixed order before a handler sees the request:
 *
 *   method and request-target form, header and body size limits
 *   → route (404 / 405 + Allow)
 *   → authenticate unless PUBLIC (401 + WWW-Authenticate, audited;
 *     a GET may use a token result up to 250 ms old, see auth.h)
 *   → per-token rate limit (429 + Retry-After)
 *   → PLATFORM route, non-platform principal: 404 (audited)
 *   → TENANT route: resolve {tenant}; unknown or not the principal's
 *     own: 404 "tenant <x> not found", one text for both (audited)
 *   → permission (403, audited)
 *   → PRIVILEGED: password proof older than reauth_s: 403
 *     reauthentication-required (audited)
 *   → handler.
 *
 * Limits: evhttp enforces hard ceilings on header and body size while
 * reading (2 x the configured limits: it answers a request beyond them
 * itself, with a plain 413). Requests between the configured limit and
 * the ceiling reach the pipeline, which answers with a proper problem
 * (431 / 413). libevent 2.1 has no hook to answer before it has read
 * the request, so this two-level scheme is how a client that is a
 * little over the limit learns which limit it hit.
 *
 * Every response carries X-Request-Id (a UUIDv7, also the problem's
 * "instance" and the audit entries' request id), Cache-Control:
 * no-store, X-Content-Type-Options: nosniff and
 * Strict-Transport-Security.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "conn.h"
#include "epoch.h"
#include "http.h"
#include "httputil.h"
#include "ipc.h"
#include "log.h"
#include "metrics_rec.h"
#include "net_worker.h"
#include "problem.h"
#include "ratelimit.h"
#include "reqctx.h"
#include "routes.h"
#include "vigil/registry.h"

#define PATH_QUOTE_MAX 256
/* r->status of a request whose reply a req_defer() copy sends. */
#define REQ_STATUS_DEFERRED (-1)

/* What a deferred copy owns besides struct req (req_defer). */
struct req_deferred {
	struct req_scratch rs;           /* its own: the worker's is
					  * reused by later requests */
	struct evhttp_connection *evcon; /* NULL once it is gone */
	enum evhttp_cmd_type cmd;
	bool gone;                       /* the client went away */
};

/* One allocation: the copy and what it owns. */
struct req_copy {
	struct req r;
	struct req_deferred d;
};

static void finish_request(struct net_worker *w, struct req *r,
    enum evhttp_cmd_type cmd);

/* ---- sending ---- */

static bool
first_reply(struct req *r, int status)
{
	if (r->status != 0) {
		vlog(VLOG_ERROR, "http.reply", "request %s: handler replied "
		    "twice (%d after %d); second reply dropped",
		    r->request_id, status, r->status);
		return false;
	}
	r->status = status;
	return true;
}

static void
reply_headers(struct req *r, const char *content_type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);

	if (content_type != NULL) {
		evhttp_remove_header(h, "Content-Type");
		evhttp_add_header(h, "Content-Type", content_type);
	}
	/* While draining, each connection closes after its reply. */
	if (r->w->draining)
		evhttp_add_header(h, "Connection", "close");
}

static void deferred_send(struct req *r, int status,
    const char *content_type, struct evbuffer *body);

void
http_send(struct req *r, int status, const char *content_type,
    struct evbuffer *body)
{
	struct req_scratch *rs = req_rs(r);

	if (rs->streaming || !first_reply(r, status))
		return;
	if (r->def != NULL) {
		deferred_send(r, status, content_type, body);
		return;
	}
	reply_headers(r, content_type);
	conn_request_done(rs->conn);
	evhttp_send_reply(r->ev, status, problem_title(status), body);
	conn_coalesce_output(rs->conn);
}

void
http_stream_start(struct req *r, int status, const char *content_type)
{
	if (r->def != NULL) {
		/* A deferred reply is one piece (req_defer). */
		vlog(VLOG_ERROR, "http.reply", "request %s: streamed reply "
		    "on a deferred request; sending 500 instead",
		    r->request_id);
		http_send(r, 500, NULL, NULL);
		return;
	}
	if (!first_reply(r, status))
		return;
	r->w->rs.streaming = true;
	reply_headers(r, content_type);
	evhttp_send_reply_start(r->ev, status, problem_title(status));
}

void
http_stream_chunk(struct req *r, const void *data, size_t len)
{
	struct evbuffer *b;

	if (r->def != NULL || !r->w->rs.streaming || len == 0)
		return;
	if ((b = evbuffer_new()) == NULL)
		return;
	if (evbuffer_add(b, data, len) == 0)
		evhttp_send_reply_chunk(r->ev, b);
	evbuffer_free(b);
}

void
http_stream_end(struct req *r)
{
	if (r->def != NULL || !r->w->rs.streaming)
		return;
	r->w->rs.streaming = false;
	conn_request_done(r->w->rs.conn);
	evhttp_send_reply_end(r->ev);
	/* A later http_send must not send a second reply. */
	r->w->rs.streaming = true;
}

/* ---- deferred replies ---- */

struct req_scratch *
req_rs(struct req *r)
{
	return r->def != NULL ? &r->def->rs : &r->w->rs;
}

bool
req_gone(const struct req *r)
{
	return r->def != NULL && r->def->gone;
}

/* evhttp is freeing the connection of a deferred request (client
 * gone, deadline cut, worker shutdown): its reply has nowhere to go. */
static void
deferred_closed(struct evhttp_connection *evcon, void *arg)
{
	struct req *r = arg;
	struct req_deferred *d = r->def;

	(void)evcon;
	vlog(VLOG_INFO, "http.reply", "request %s: connection closed "
	    "before the deferred reply", r->request_id);
	d->gone = true;
	d->evcon = NULL;
	/* The tracker is freed with the connection. */
	d->rs.conn = NULL;
	/* Detached (evhttp does not free a request the handler still
	 * owes a reply): ours to free. Still attached (evhttp_free at
	 * shutdown): evhttp frees it right after this callback. */
	if (r->ev != NULL && evhttp_request_get_connection(r->ev) == NULL)
		evhttp_request_free(r->ev);
	r->ev = NULL;
}

struct req *
req_defer(struct req *r)
{
	struct req_copy *c;
	struct evhttp_connection *evcon;

	if (r->def != NULL)
		return r; /* already a copy */
	if (r->status != 0 || (evcon = evhttp_request_get_connection(r->ev)) ==
	    NULL || (c = calloc(1, sizeof *c)) == NULL) {
		vlog(VLOG_ERROR, "http.reply", "request %s: cannot defer the "
		    "reply (%s)", r->request_id, r->status != 0 ? "already "
		    "replied" : "out of memory or no connection");
		if (r->status == 0)
			req_problem(r, 500, "internal-error", "internal error; "
			    "the server log has the details under request id "
			    "%s", r->request_id);
		return NULL;
	}
	c->r = *r;
	c->r.def = &c->d;
	/* scope points into struct req itself, or at nothing. */
	if (r->scope == r->tenant.id)
		c->r.scope = c->r.tenant.id;
	else if (r->scope == r->auth.principal.tenant_id)
		c->r.scope = c->r.auth.principal.tenant_id;
	else
		c->r.scope = NULL;
	c->d.rs.conn = r->w->rs.conn;
	c->d.rs.privileged = r->w->rs.privileged;
	c->d.rs.cacheable = r->w->rs.cacheable;
	c->d.rs.change_seq = r->w->rs.change_seq;
	memcpy(c->d.rs.actor, r->w->rs.actor, sizeof c->d.rs.actor);
	/* The query is not carried over: read it before deferring. */
	TAILQ_INIT(&c->d.rs.query);
	c->d.evcon = evcon;
	c->d.cmd = evhttp_request_get_command(r->ev);
	evhttp_connection_set_closecb(evcon, deferred_closed, &c->r);
	/* The pipeline must neither reply for r nor let a stray reply
	 * through (first_reply logs it). */
	r->status = REQ_STATUS_DEFERRED;
	return &c->r;
}

static void
deferred_send(struct req *r, int status, const char *content_type,
    struct evbuffer *body)
{
	struct req_deferred *d = r->def;

	/* Before the send: a connection that closes after its reply must
	 * not find us in its close callback. */
	if (d->evcon != NULL) {
		evhttp_connection_set_closecb(d->evcon, NULL, NULL);
		d->evcon = NULL;
	}
	if (r->ev != NULL) {
		reply_headers(r, content_type);
		conn_request_done(d->rs.conn);
		evhttp_send_reply(r->ev, status, problem_title(status), body);
		conn_coalesce_output(d->rs.conn);
	} else
		vlog(VLOG_INFO, "http.reply", "request %s: client gone; "
		    "reply %d dropped", r->request_id, status);
	r->ev = NULL;
	finish_request(r->w, r, d->cmd);
	OPENSSL_cleanse(&r->auth, sizeof r->auth);
	free((struct req_copy *)(void *)r);
}

/* ---- checks ---- */

/* Audits a refused request: who, what route, why (never a secret). */
static void
audit_denied(struct req *r, const char *path, const char *why)
{
	char action[96], object[PATH_QUOTE_MAX + 8], q[PATH_QUOTE_MAX];

	snprintf(action, sizeof action, "api.%s", r->match.route != NULL ?
	    r->match.route->name : "unknown");
	snprintf(object, sizeof object, "path:%s",
	    httputil_quote(path, q, sizeof q));
	(void)req_audit(r, action, object, "denied", why);
}

static int
check_limits(struct req *r)
{
	const struct vigild_config *cfg = r->cfg;
	size_t hs = httputil_head_size(r->ev);
	size_t bs = evbuffer_get_length(evhttp_request_get_input_buffer(r->ev));

	if (hs > cfg->max_header_bytes) {
		req_problem(r, 431, "headers-too-large", "request line and "
		    "headers are about %zu bytes; the limit is %zu "
		    "(max_header_bytes)", hs, cfg->max_header_bytes);
		return -1;
	}
	if (bs > cfg->max_body_bytes) {
		req_problem(r, 413, "body-too-large", "body is %zu bytes; the "
		    "limit is %zu (max_body_bytes)", bs, cfg->max_body_bytes);
		return -1;
	}
	return 0;
}

/* Authentication; 0 or -1 after replying. */
static int
authenticate(struct req *r, const char *path)
{
	char why[512];
	unsigned retry;
	enum vigil_err e;

	if ((e = auth_bearer(r, r->w->rs.cacheable, why, sizeof why)) ==
	    VIGIL_OK)
		return 0;
	if (e != VIGIL_EAUTH) {
		req_reply_err(r, e, why);
		return -1;
	}
	/* Failed authentications are audited, which costs a synchronous
	 * write: an address that keeps failing is slowed down first, so
	 * it cannot turn the audit log into a disk-filling DoS. */
	if (!ratelimit_take(r->w->rl_denied, r->ip, httputil_mono_ns(),
	    &retry)) {
		char ra[16];

		snprintf(ra, sizeof ra, "%u", retry);
		req_header(r, "Retry-After", ra);
		req_problem(r, 429, "too-many-requests", "too many failed "
		    "authentications from %s; retry in %u s", r->ip, retry);
		return -1;
	}
	audit_denied(r, path, why);
	/* RFC 6750 §3: say "invalid_token" when one was presented. */
	req_header(r, "WWW-Authenticate", evhttp_find_header(
	    evhttp_request_get_input_headers(r->ev), "Authorization") != NULL ?
	    "Bearer realm=\"vigil\", error=\"invalid_token\"" :
	    "Bearer realm=\"vigil\"");
	req_problem(r, 401, "unauthorized", "%s", why);
	return -1;
}

static int
rate_limit(struct req *r)
{
	unsigned retry = auth_rate_limit(r);
	char ra[16];

	if (retry == 0)
		return 0;
	snprintf(ra, sizeof ra, "%u", retry);
	req_header(r, "Retry-After", ra);
	req_problem(r, 429, "rate-limited", "rate limit of %u requests/s "
	    "(burst %u) exceeded for this token; retry in %u s",
	    r->cfg->rate_limit_rps, r->cfg->rate_limit_burst, retry);
	return -1;
}

static bool
is_platform(const struct req *r)
{
	return r->auth.principal.tenant_id[0] == '\0';
}

/* {tenant} → r->tenant and the scope. 0, or -1 after replying. */
static int
resolve_tenant(struct req *r, const char *path)
{
	const char *ref = req_param(r, "tenant");
	char q[PATH_QUOTE_MAX], why[PATH_QUOTE_MAX + 64];
	enum vigil_err e;

	e = auth_tenant(r, ref != NULL ? ref : "", r->w->rs.cacheable,
	    &r->tenant);
	if (e != VIGIL_OK && e != VIGIL_ENOTFOUND) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return -1;
	}
	if (e == VIGIL_OK && (is_platform(r) || strcmp(r->tenant.id,
	    r->auth.principal.tenant_id) == 0)) {
		r->has_tenant = true;
		r->scope = r->tenant.id;
		return 0;
	}
	/* Unknown, or another tenant's: one answer for both, so a
	 * principal cannot learn which tenants exist. */
	snprintf(why, sizeof why, "tenant %s not found",
	    httputil_quote(ref != NULL ? ref : "", q, sizeof q));
	memset(&r->tenant, 0, sizeof r->tenant);
	if (!is_platform(r))
		audit_denied(r, path, why);
	req_problem(r, 404, "not-found", "%s", why);
	return -1;
}

static int
check_permission(struct req *r, const char *path)
{
	const struct route *rt = r->match.route;
	char why[256];

	if (rt->perm == VIGIL_PERM_NONE)
		return 0;
	/* The token's role is at most the principal's; checking both
	 * also covers a principal demoted after the token was made. */
	if (vigil_role_has(r->auth.token.role, rt->perm) &&
	    vigil_role_has(r->auth.principal.role, rt->perm))
		return 0;
	snprintf(why, sizeof why, "role %s does not have permission %s",
	    vigil_role_name(r->auth.token.role), vigil_perm_name(rt->perm));
	audit_denied(r, path, why);
	req_problem(r, 403, "forbidden", "%s", why);
	return -1;
}

static int
check_fresh(struct req *r, const char *path)
{
	int64_t now = vigil_time_now_ms();
	int64_t max_age = (int64_t)r->cfg->reauth_s * 1000;
	char why[256];

	if (!(r->match.route->flags & ROUTE_PRIVILEGED))
		return 0;
	if (r->auth.token.auth_ms > 0 && now - r->auth.token.auth_ms <= max_age)
		return 0;
	snprintf(why, sizeof why, "this is a privileged action: it needs a "
	    "password proof less than %u s old; POST /v1/auth/reauth first",
	    r->cfg->reauth_s);
	audit_denied(r, path, why);
	req_problem(r, 403, "reauthentication-required", "%s", why);
	return -1;
}

/* Method, target form and route. 0, or -1 after replying. */
static int
route(struct req *r, enum evhttp_cmd_type cmd, const char **pathp)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r->ev);
	const char *uri = evhttp_request_get_uri(r->ev);
	const char *method = httputil_method_name(cmd), *path, *query;
	char allow[64], q[PATH_QUOTE_MAX];
	struct req_scratch *rs = &r->w->rs;
	int rc;

	if (uri == NULL || uri[0] != '/' || u == NULL) {
		req_problem(r, 400, "bad-request-target", "request target "
		    "'%s' is not a path (origin-form, starting with '/')",
		    httputil_quote(uri, q, sizeof q));
		return -1;
	}
	path = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	*pathp = path;
	if (check_limits(r) < 0)
		return -1;
	if (cmd == EVHTTP_REQ_HEAD)
		method = "GET";
	else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_POST &&
	    cmd != EVHTTP_REQ_PATCH && cmd != EVHTTP_REQ_DELETE &&
	    cmd != EVHTTP_REQ_PUT)
		method = NULL; /* never matches; finds what the path allows */
	rc = route_find(method, path, &r->match, allow, sizeof allow);
	if (rc == 405 || (rc == 0 && method == NULL)) {
		req_header(r, "Allow", allow);
		req_problem(r, 405, "method-not-allowed", "method %s is not "
		    "allowed on %s; allowed: %s", httputil_method_name(cmd),
		    httputil_quote(path, q, sizeof q), allow);
		return -1;
	}
	if (rc == 404 && method == NULL) {
		req_problem(r, 501, "not-implemented", "method %s is not "
		    "implemented", httputil_method_name(cmd));
		return -1;
	}
	if (rc == 404) {
		req_problem(r, 404, "not-found", "no route for %s",
		    httputil_quote(path, q, sizeof q));
		return -1;
	}
	if (rc != 0) {
		req_problem(r, 400, "bad-path", "path %s: a segment has a bad "
		    "percent-escape, a NUL byte, more than %d bytes, or is "
		    "'.' or '..'", httputil_quote(path, q, sizeof q),
		    ROUTE_PARAM_MAX);
		return -1;
	}
	rs->privileged = (r->match.route->flags & ROUTE_PRIVILEGED) != 0;
	rs->cacheable = (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) &&
	    !rs->privileged;
	if (query != NULL) {
		rs->query_parsed = true;
		if (evhttp_parse_query_str(query, &rs->query) != 0) {
			rs->query_bad = true;
			req_problem(r, 400, "bad-query", "query string '%s' is "
			    "malformed: expected name=value pairs separated "
			    "by '&'", httputil_quote(query, q, sizeof q));
			return -1;
		}
	}
	return 0;
}

static void
pipeline(struct req *r, enum evhttp_cmd_type cmd)
{
	const char *path = "";
	const struct route *rt;
	char q[PATH_QUOTE_MAX];
	int64_t t0;

	if (route(r, cmd, &path) < 0)
		return;
	rt = r->match.route;
	if (!(rt->flags & ROUTE_PUBLIC)) {
		if (authenticate(r, path) < 0 || rate_limit(r) < 0)
			return;
		if ((rt->flags & ROUTE_PLATFORM) && !is_platform(r)) {
			/* The route "does not exist" for this principal. */
			audit_denied(r, path, "platform route");
			req_problem(r, 404, "not-found", "no route for %s",
			    httputil_quote(path, q, sizeof q));
			return;
		}
		if (rt->flags & ROUTE_TENANT) {
			if (resolve_tenant(r, path) < 0)
				return;
		} else
			r->scope = is_platform(r) ? NULL :
			    r->auth.principal.tenant_id;
		if (check_permission(r, path) < 0 || check_fresh(r, path) < 0)
			return;
	}
	t0 = httputil_mono_ns();
	rt->fn(r);
	r->w->rs.handler_ns = httputil_mono_ns() - t0;
	metrics_store_time(r->w->metrics, r->w->index, r->w->rs.handler_ns);
}

/* After the reply (sent, or dropped for a client that went away):
 * caches, epoch, metrics and the log line. */
static void
finish_request(struct net_worker *w, struct req *r, enum evhttp_cmd_type cmd)
{
	bool debug = strcmp(w->cfg.log_level, "debug") == 0;
	int64_t dt;

	/* Anything but a read may have changed tokens, principals or
	 * tenants: cached results must not outlive it (auth.h), here or
	 * in the other workers. A change that took effect (2xx, audited
	 * "ok") is published as an epoch: its audit sequence number, which
	 * only grows. The parent fans it out (DESIGN.md §2). */
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		auth_cache_flush(w->authc);
		if (req_rs(r)->change_seq > 0 && r->status >= 200 &&
		    r->status < 300)
			epoch_publish(w, req_rs(r)->change_seq,
			    EPOCH_KIND_API_CHANGE, "%s",
			    r->match.route != NULL ? r->match.route->name :
			    "api");
	}
	/* ev may be gone now: only r's own fields from here on. */
	dt = httputil_mono_ns() - r->start_ns;
	metrics_request(w->metrics, w->index, r->match.route != NULL ?
	    route_index(r->match.route) : (size_t)-1, r->status, dt);
	/* 503 is /readyz saying "not yet": not worth a warning. */
	if (debug || (r->status >= 500 && r->status != 503))
		vlog(r->status >= 500 && r->status != 503 ? VLOG_WARN :
		    VLOG_DEBUG, "http.reply", "%s %d in %.3f ms",
		    r->request_id, r->status, (double)dt / 1e6);
}

static void
scratch_reset(struct net_worker *w)
{
	struct req_scratch *rs = &w->rs;

	if (rs->query_parsed)
		evhttp_clear_headers(&rs->query);
	memset(rs, 0, sizeof *rs);
	TAILQ_INIT(&rs->query);
}

static void
common_headers(struct req *r)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);

	evhttp_add_header(h, "X-Request-Id", r->request_id);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
}

static void
request_cb(struct evhttp_request *ev, void *arg)
{
	struct net_worker *w = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(ev);
	bool debug = strcmp(w->cfg.log_level, "debug") == 0;
	char q[PATH_QUOTE_MAX];
	struct req r;

	memset(&r, 0, sizeof r);
	r.ev = ev;
	r.w = w;
	r.cfg = &w->cfg;
	r.st = w->st;
	r.start_ns = httputil_mono_ns();
	scratch_reset(w);
	w->rs.conn = conn_of_request(ev);
	if (vigil_uuid7(r.request_id) != VIGIL_OK)
		snprintf(r.request_id, sizeof r.request_id, "%016" PRIx64,
		    (uint64_t)r.start_ns);
	httputil_peer_ip(r.ev, conn_ip(w->rs.conn), r.ip, sizeof r.ip);
	common_headers(&r);
	if (debug)
		vlog(VLOG_DEBUG, "http.request", "%s %s %s from %s",
		    r.request_id, httputil_method_name(cmd),
		    httputil_quote(evhttp_request_get_uri(ev), q, sizeof q),
		    r.ip);

	pipeline(&r, cmd);

	if (r.status == 0) {
		vlog(VLOG_ERROR, "http.reply", "request %s: handler %s "
		    "returned without replying", r.request_id,
		    r.match.route != NULL ? r.match.route->name : "?");
		req_problem(&r, 500, "internal-error", "internal error; the "
		    "server log has the details under request id %s",
		    r.request_id);
	}
	if (r.status == REQ_STATUS_DEFERRED) {
		/* The copy req_defer made replies later (or already has)
		 * and does the bookkeeping below then. */
		scratch_reset(w);
		OPENSSL_cleanse(&r.auth, sizeof r.auth);
		return;
	}
	finish_request(w, &r, cmd);
	scratch_reset(w);
	/* Nothing the request held may outlive it. */
	OPENSSL_cleanse(&r.auth, sizeof r.auth);
}

/* ---- setup ---- */

void
http_apply_limits(struct net_worker *w)
{
	const struct vigild_config *c = &w->cfg;
	size_t hh = c->max_header_bytes * 2, hb = c->max_body_bytes * 2;

	/* See the header comment: evhttp's own hard ceilings. */
	evhttp_set_max_headers_size(w->http, (ev_ssize_t)hh);
	evhttp_set_max_body_size(w->http, (ev_ssize_t)hb);
	evhttp_set_timeout(w->http, (int)(c->idle_timeout_s > 0 ?
	    c->idle_timeout_s : 60));
	ratelimit_set(w->rl, c->rate_limit_rps, c->rate_limit_burst);
	ratelimit_set(w->rl_denied, c->rate_limit_rps, c->rate_limit_burst);
}

int
http_setup(struct net_worker *w, char *err, size_t errsize)
{
	if ((w->http = evhttp_new(w->base)) == NULL) {
		snprintf(err, errsize, "evhttp_new failed");
		return -1;
	}
	evhttp_set_bevcb(w->http, conn_bevcb, w);
	evhttp_set_gencb(w->http, request_cb, w);
	/* Every method evhttp knows reaches the pipeline, so that the
	 * ones the API does not use get a problem reply (405/501). */
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(w->http, NULL);
	/* Read and discard an oversized body before answering, so the
	 * client sees the 413 instead of a reset. */
	evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
	http_apply_limits(w);
	w->bound = evhttp_accept_socket_with_handle(w->http,
	    w->ctx->listen_fd);
	if (w->bound == NULL) {
		snprintf(err, errsize, "evhttp: cannot accept on the "
		    "listening socket (fd %d)", w->ctx->listen_fd);
		return -1;
	}
	return 0;
}

void
http_stop_accepting(struct net_worker *w)
{
	if (w->http != NULL && w->bound != NULL) {
		evhttp_del_accept_socket(w->http, w->bound);
		w->bound = NULL;
	}
}

void
http_free(struct net_worker *w)
{
	if (w->http != NULL) {
		evhttp_free(w->http);
		w->http = NULL;
		w->bound = NULL;
	}
}
