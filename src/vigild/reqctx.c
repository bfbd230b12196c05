/*
 * What an API handler sees of its request (reqctx.h): parameters,
 * query, body, the reply helpers (JSON, problem+json, errors mapped
 * from libvigil codes, ETag/If-Match, streaming) and the audit append.
 * The pipeline in http.c has filled struct req and run every check
 * of the route before the handler runs.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "audit_hook.h"
#include "http.h"
#include "httputil.h"
#include "log.h"
#include "net_worker.h"
#include "problem.h"
#include "reqctx.h"

#define DETAIL_MAX 2048

const char *
req_param(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->match.nparams; i++)
		if (strcmp(r->match.names[i], name) == 0)
			return r->match.values[i];
	return NULL;
}

int
req_param_id(struct req *r, const char *what, int64_t *id)
{
	const char *s = req_param(r, "id");
	char *end = NULL;
	long long v;

	errno = 0;
	v = s != NULL && s[0] >= '0' && s[0] <= '9' ? strtoll(s, &end, 10) : 0;
	if (s == NULL || v <= 0 || errno != 0 || *end != '\0') {
		req_problem(r, 404, "not-found", "%s %s not found", what,
		    s != NULL && strlen(s) <= 40 ? s : "(id)");
		return -1;
	}
	*id = (int64_t)v;
	return 0;
}

const char *
req_query(struct req *r, const char *name)
{
	struct req_scratch *rs = req_rs(r);

	if (!rs->query_parsed || rs->query_bad)
		return NULL;
	return evhttp_find_header(&rs->query, name);
}

const uint8_t *
req_body(struct req *r, size_t *len)
{
	struct evbuffer *in = r->ev != NULL ?
	    evhttp_request_get_input_buffer(r->ev) : NULL;
	static const uint8_t empty[1];
	const uint8_t *p;

	/* A deferred copy whose client went away has no request. */
	*len = in != NULL ? evbuffer_get_length(in) : 0;
	if (*len == 0)
		return empty;
	p = evbuffer_pullup(in, -1);
	return p != NULL ? p : empty;
}

const char *
req_content_type(struct req *r)
{
	if (r->ev == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev),
	    "Content-Type");
}

/* "application/json" or "application/<x>+json", parameters allowed. */
static int
is_json_type(const char *ct)
{
	size_t n = strcspn(ct, ";");

	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

static const char *
json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	default:
		return "an object";
	}
}

int
req_json_body(struct req *r, json_t **out)
{
	const char *ct = req_content_type(r);
	const uint8_t *body;
	json_error_t je;
	char q[128];
	json_t *root;
	size_t len;

	*out = NULL;
	if (ct != NULL && !is_json_type(ct)) {
		req_problem(r, 415, "unsupported-media-type", "Content-Type "
		    "'%s' is not accepted here; send application/json",
		    httputil_quote(ct, q, sizeof q));
		return -1;
	}
	body = req_body(r, &len);
	if (len == 0) {
		req_problem(r, 400, "malformed-json", "body: a JSON object "
		    "is required and the request has no body");
		return -1;
	}
	if (ct == NULL) {
		req_problem(r, 415, "unsupported-media-type", "Content-Type "
		    "is missing; send application/json");
		return -1;
	}
	root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &je);
	if (root == NULL) {
		req_problem(r, 400, "malformed-json", "body: line %d column "
		    "%d: %s", je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(root)) {
		req_problem(r, 400, "malformed-json", "body: expected a JSON "
		    "object, got %s", json_type_name(root));
		json_decref(root);
		return -1;
	}
	*out = root;
	return 0;
}

void
req_header(struct req *r, const char *key, const char *value)
{
	if (r->ev == NULL)
		return; /* deferred, client gone: nothing is sent */
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), key,
	    value);
}

static int
dump_cb(const char *buf, size_t size, void *data)
{
	return evbuffer_add(data, buf, size);
}

void
req_reply_json(struct req *r, int status, json_t *body)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL || (body != NULL && (json_dump_callback(body, dump_cb,
	    b, JSON_COMPACT) != 0 || evbuffer_add(b, "\n", 1) != 0))) {
		json_decref(body);
		if (b != NULL)
			evbuffer_free(b);
		vlog(VLOG_ERROR, "http.reply", "request %s: out of memory "
		    "while rendering the reply", r->request_id);
		http_send(r, 500, NULL, NULL);
		return;
	}
	http_send(r, status, body != NULL ? "application/json" : NULL, b);
	json_decref(body);
	evbuffer_free(b);
}

static void
send_problem(struct req *r, int status, const char *slug,
    const char *detail)
{
	json_t *p = problem_json(status, slug, detail, r->request_id);
	struct evbuffer *b = evbuffer_new();

	if (p != NULL && b != NULL && json_dump_callback(p, dump_cb, b,
	    JSON_COMPACT) == 0 && evbuffer_add(b, "\n", 1) == 0)
		http_send(r, status, PROBLEM_CONTENT_TYPE, b);
	else
		http_send(r, status, NULL, NULL);
	json_decref(p);
	if (b != NULL)
		evbuffer_free(b);
}

void
req_problem(struct req *r, int status, const char *slug, const char *fmt,
    ...)
{
	char detail[DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	send_problem(r, status, slug, detail);
}

void
req_reply_err(struct req *r, enum vigil_err e, const char *detail)
{
	int status;
	const char *slug;

	if (detail == NULL || detail[0] == '\0')
		detail = vigil_strerror(e);
	switch (e) {
	case VIGIL_EINVAL:
		status = 422, slug = "validation-failed";
		break;
	case VIGIL_ENOTFOUND:
		status = 404, slug = "not-found";
		break;
	case VIGIL_EEXIST:
		status = 409, slug = "already-exists";
		break;
	case VIGIL_ESTATE:
		status = 409, slug = "invalid-state";
		break;
	case VIGIL_ECONFLICT:
		status = 412, slug = "precondition-failed";
		break;
	case VIGIL_ERANGE:
		status = 422, slug = "limit-exceeded";
		break;
	case VIGIL_EAUTH:
		status = 401, slug = "unauthorized";
		req_header(r, "WWW-Authenticate", "Bearer realm=\"vigil\"");
		break;
	case VIGIL_EDENIED:
		status = 403, slug = "forbidden";
		break;
	case VIGIL_ELOCKED:
		status = 429, slug = "locked";
		break;
	case VIGIL_EAMBIGUOUS:
		status = 409, slug = "ambiguous";
		break;
	case VIGIL_EUNSUPPORTED:
		status = 501, slug = "unsupported";
		break;
	default:
		/* Store, I/O and memory errors: the text may describe the
		 * server's internals, so it goes to the log only. */
		vlog(VLOG_ERROR, "http.error", "request %s: %s: %s",
		    r->request_id, vigil_strerror(e), detail);
		req_problem(r, 500, "internal-error", "internal error; the "
		    "server log has the details under request id %s",
		    r->request_id);
		return;
	}
	send_problem(r, status, slug, detail);
}

int
req_if_match(struct req *r, int64_t *version)
{
	const char *v = evhttp_find_header(
	    evhttp_request_get_input_headers(r->ev), "If-Match");
	char q[96], *end;
	long long n;

	*version = 0;
	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (v[0] != '"' || v[1] != 'v' || !isdigit((unsigned char)v[2]))
		goto bad;
	errno = 0;
	n = strtoll(v + 2, &end, 10);
	if (errno != 0 || n < 0 || *end != '"')
		goto bad;
	for (end++; *end == ' ' || *end == '\t'; end++)
		;
	if (*end != '\0')
		goto bad;
	*version = n;
	return 1;
bad:
	req_problem(r, 400, "invalid-header", "If-Match: '%s' is not an "
	    "entity tag of the form \"v<version>\" (one, strong, quoted)",
	    httputil_quote(v, q, sizeof q));
	return -1;
}

void
req_etag(struct req *r, int64_t version)
{
	char tag[32];

	snprintf(tag, sizeof tag, "\"v%" PRId64 "\"", version);
	req_header(r, "ETag", tag);
}

const char *
req_actor(struct req *r)
{
	struct req_scratch *rs = req_rs(r);

	if (!r->authed)
		return "anonymous";
	snprintf(rs->actor, sizeof rs->actor, "%s:%s",
	    r->auth.principal.kind == VIGIL_PRINCIPAL_SERVICE ? "service" :
	    "user", r->auth.principal.name);
	return rs->actor;
}

enum vigil_err
req_audit(struct req *r, const char *action, const char *object,
    const char *outcome, const char *detail)
{
	struct vigil_audit_event ev;
	enum vigil_err e;
	int64_t seq = 0;

	memset(&ev, 0, sizeof ev);
	ev.principal = req_actor(r);
	if (r->has_tenant)
		ev.tenant_id = r->tenant.id;
	else if (r->authed)
		ev.tenant_id = r->auth.principal.tenant_id;
	else
		ev.tenant_id = "";
	ev.source_ip = r->ip;
	ev.action = action;
	ev.object = object;
	ev.outcome = outcome;
	ev.request_id = r->request_id;
	ev.privileged = req_rs(r)->privileged;
	ev.detail = detail;
	e = vigil_audit_append(r->st, &ev, &seq, NULL);
	if (e != VIGIL_OK)
		vlog(VLOG_ERROR, "audit.append", "request %s: audit append "
		    "of %s failed: %s", r->request_id,
		    action != NULL ? action : "?", vigil_store_errmsg(r->st));
	else {
		audit_hook_appended(r->w->ah, seq);
		if (outcome != NULL && strcmp(outcome, "ok") == 0)
			req_rs(r)->change_seq = seq;
	}
	return e;
}

int
req_limit(struct req *r, size_t *limit)
{
	const char *v = req_query(r, "limit");
	char q[64], *end = NULL;
	long n;

	*limit = 100;
	if (v == NULL)
		return 0;
	errno = 0;
	n = isdigit((unsigned char)v[0]) ? strtol(v, &end, 10) : -1;
	if (n < 1 || n > 1000 || errno != 0 || *end != '\0') {
		req_problem(r, 400, "invalid-parameter", "query parameter "
		    "'limit': '%s' is not an integer from 1 to 1000",
		    httputil_quote(v, q, sizeof q));
		return -1;
	}
	*limit = (size_t)n;
	return 0;
}

void
req_stream_start(struct req *r, int status, const char *content_type)
{
	http_stream_start(r, status, content_type);
}

void
req_stream_chunk(struct req *r, const void *data, size_t len)
{
	http_stream_chunk(r, data, len);
}

void
req_stream_end(struct req *r)
{
	http_stream_end(r);
}
