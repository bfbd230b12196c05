/*
 * The device gateway of a net worker (gw.h): evhttp over mutual TLS on
 * the gateway listener, the request pipeline of the device-facing
 * endpoints, and the reply helpers every gateway and PKI handler uses.
 *
 * SECURITY. This is where devices, and anyone pretending to be one,
 * reach vigil. The TLS layer (gw_tls.c) has verified any client
 * certificate against the registered CAs and refused revoked ones at
 * the handshake; this file routes only GET/POST on a closed set of
 * paths (EST under /.well-known/est/[<label>/]<op>, the device API
 * under /device/v1/), bounds every header and body, re-checks the
 * client certificate against the revocation set on every request (a
 * resumed session skipped the handshake check), and hands the handler
 * a struct gw_req it owns until it replies. Connections are tracked
 * by conn.c like the API's: the same caps and request/idle deadlines
 * (slowloris), counted per address together with the API's.
 *
 * Asynchronous replies: a handler may reply after the signer answered
 * (ca_client.h). If the client went away meanwhile, libevent has
 * detached the request from its connection (it is freed by the reply,
 * which then sends nothing): gw_reply sees that and marks r->gone. At
 * shutdown, ca_client_free fails every pending request before evhttp
 * is freed, so no reply reaches a freed request.
 *
 * The periodic certificate audit also lives here (gw_tls.h): net
 * worker 0 runs `vigil cert audit` for every tenant each
 * cert_audit_interval_s and reports what is new since its previous run
 * (the finding keys of that run are kept in memory only: after a
 * restart the first run reports everything again).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "api_pki_json.h"
#include "audit_hook.h"
#include "conn.h"
#include "gw.h"
#include "gw_tls.h"
#include "httputil.h"
#include "log.h"
#include "net_worker.h"
#include "problem.h"
#include "revset.h"
#include "vigil/audit.h"
#include "vigil/pki.h"
#include "vigil/posture.h"
#include "vigil/registry.h"
#include "vigil/store.h"

#define EST_PREFIX "/.well-known/est/"

typedef void (*gw_handler)(struct gw_req *);

/* The EST operations (RFC 7030 §3.2.2) and their methods. */
static const struct est_op {
	const char *name;
	const char *method;
	gw_handler fn;
} est_ops[] = {
	{ "cacerts", "GET", est_cacerts },
	{ "csrattrs", "GET", est_csrattrs },
	{ "simpleenroll", "POST", est_simpleenroll },
	{ "simplereenroll", "POST", est_simplereenroll },
	{ "serverkeygen", "POST", est_serverkeygen },
};

/* ---- replies ---- */

static void
req_free(struct gw_req *r)
{
	X509_free(r->peer);
	free(r->body);
	OPENSSL_cleanse(r->authorization, sizeof r->authorization);
	free(r);
}

void
gw_reply(struct gw_req *r, int status, const char *content_type,
    const void *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
	struct evbuffer *b = NULL;
	struct conn *c = NULL;

	if (r->replied) {
		/* Contract breach; r may not be touched further. */
		vlog(VLOG_ERROR, "gw.reply", "request %s: second reply (%d) "
		    "dropped", r->request_id, status);
		return;
	}
	r->replied = true;
	r->status = status;
	/* Detached by libevent: the client went away first. */
	r->gone = evhttp_request_get_connection(r->ev) == NULL;
	if (!r->gone) {
		if (content_type != NULL) {
			evhttp_remove_header(h, "Content-Type");
			evhttp_add_header(h, "Content-Type", content_type);
		}
		if (r->w->draining)
			evhttp_add_header(h, "Connection", "close");
		if (len > 0 && ((b = evbuffer_new()) == NULL ||
		    evbuffer_add(b, body, len) != 0)) {
			evbuffer_free(b);
			b = NULL;
			status = 500;
			r->status = 500;
		}
		c = conn_of_request(r->ev);
		conn_request_done(c);
	}
	/* Also when gone: libevent frees a detached request here. */
	evhttp_send_reply(r->ev, status, problem_title(status), b);
	if (c != NULL)
		conn_coalesce_output(c);
	evbuffer_free(b);
	if (r->gone || strcmp(r->w->cfg.log_level, "debug") == 0 ||
	    status >= 500)
		vlog(status >= 500 ? VLOG_WARN : VLOG_DEBUG, "gw.reply",
		    "%s %s %s %d in %.3f ms%s", r->request_id, r->method,
		    r->path, status,
		    (double)(httputil_mono_ns() - r->start_ns) / 1e6,
		    r->gone ? " (client gone; not sent)" : "");
	req_free(r);
}

static void
verror(struct gw_req *r, int status, const char *fmt, va_list ap)
{
	char text[1024];
	int n;

	n = vsnprintf(text, sizeof text - 1, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof text - 2)
		n = (int)sizeof text - 2;
	text[n++] = '\n';
	text[n] = '\0';
	gw_reply(r, status, "text/plain; charset=utf-8", text, (size_t)n);
}

void
gw_error(struct gw_req *r, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(r, status, fmt, ap);
	va_end(ap);
}

void
gw_retry_later(struct gw_req *r, int status, unsigned retry_after_s,
    const char *fmt, ...)
{
	char ra[16];
	va_list ap;

	snprintf(ra, sizeof ra, "%u", retry_after_s);
	evhttp_add_header(evhttp_request_get_output_headers(r->ev),
	    "Retry-After", ra);
	va_start(ap, fmt);
	verror(r, status, fmt, ap);
	va_end(ap);
}

void
gw_audit(struct gw_req *r, const char *tenant, const char *actor,
    const char *action, const char *object, const char *outcome,
    const char *detail)
{
	struct vigil_audit_event ev;
	int64_t seq;

	memset(&ev, 0, sizeof ev);
	ev.principal = actor;
	ev.tenant_id = tenant != NULL ? tenant : "";
	ev.source_ip = r->ip;
	ev.action = action;
	ev.object = object;
	ev.outcome = outcome;
	ev.request_id = r->request_id;
	ev.detail = detail;
	if (vigil_audit_append(r->w->st, &ev, &seq, NULL) != VIGIL_OK)
		vlog(VLOG_ERROR, "audit.append", "request %s: audit append "
		    "of %s failed: %s", r->request_id, action != NULL ?
		    action : "?", vigil_store_errmsg(r->w->st));
	else
		audit_hook_appended(r->w->ah, seq);
}

/* ---- the device check ---- */

static void
peer_actor(const struct gw_req *r, char *buf, size_t size)
{
	snprintf(buf, size, "cert:%s", r->peer_info.serial[0] != '\0' ?
	    r->peer_info.serial : "none");
}

/* The TLS connection of a gateway request; NULL when gone. */
static SSL *
req_ssl(struct gw_req *r)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
	struct bufferevent *bev = evcon != NULL ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;

	return bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
}

/* Audits the refusal and replies 401/403. */
static int
device_refuse(struct gw_req *r, const char *action, const char *tenant,
    int status, const char *why)
{
	char actor[64], object[80];

	peer_actor(r, actor, sizeof actor);
	snprintf(object, sizeof object, "cert/%s", r->peer_info.serial);
	gw_audit(r, tenant, actor, action, object, "denied", why);
	gw_error(r, status, "%s", why);
	return -1;
}

/* The one implementation of the device check; quarantine_ok lets a
 * quarantined device through (gw_device_check_posture). */
static int
device_check(struct gw_req *r, const char *action, bool quarantine_ok,
    struct vigil_cert *cert, struct vigil_device **dev)
{
	struct vigil_store *st = r->w->st;
	const char *serial = r->peer_info.serial;
	char why[256], tenant[VIGIL_UUID_STRLEN];
	enum vigil_err e;

	memset(cert, 0, sizeof *cert);
	*dev = NULL;
	if (r->peer == NULL || r->peer_kind == GW_PEER_NONE) {
		gw_error(r, 401, "a client certificate is required");
		return -1;
	}
	if (r->peer_kind != GW_PEER_DEVICE)
		return device_refuse(r, action, r->peer_tenant, 403,
		    "a vigil device certificate is required; this one is a "
		    "manufacturer or claim certificate");
	e = vigil_cert_get(st, NULL, serial, cert);
	if (e == VIGIL_ENOTFOUND) {
		snprintf(why, sizeof why, "certificate %s unknown to vigil",
		    serial);
		return device_refuse(r, action, r->peer_tenant, 403, why);
	}
	if (e != VIGIL_OK) {
		vlog(VLOG_ERROR, "gw.device", "request %s: certificate %s: %s",
		    r->request_id, serial, vigil_store_errmsg(st));
		gw_error(r, 500, "internal error; the server log has the "
		    "details under request id %s", r->request_id);
		return -1;
	}
	if (cert->status != VIGIL_CERT_GOOD && cert->device_id[0] != '\0')
		gw_tls_sight_refused(r->w, req_ssl(r));
	if (cert->status != VIGIL_CERT_GOOD || cert->device_id[0] == '\0') {
		snprintf(why, sizeof why, "certificate %s %s", serial,
		    cert->device_id[0] == '\0' ? "is not a device certificate" :
		    cert->status == VIGIL_CERT_HOLD ? "is on hold" :
		    "is revoked");
		vigil_cert_clear(cert);
		return device_refuse(r, action, r->peer_tenant, 403, why);
	}
	e = vigil_device_get(st, cert->tenant_id, cert->device_id, dev);
	/* The revocation set blocks quarantined and retired devices
	 * alike; with quarantine_ok the store's state decides which. */
	if (e != VIGIL_OK || (*dev)->state == VIGIL_DEV_RETIRED ||
	    (!quarantine_ok && (*dev)->state == VIGIL_DEV_QUARANTINED) ||
	    (revset_device_blocked(r->w->revset, cert->device_id) &&
	    !(quarantine_ok && (*dev)->state == VIGIL_DEV_QUARANTINED))) {
		snprintf(why, sizeof why, "device %s %s", cert->device_id,
		    e == VIGIL_ENOTFOUND ? "is unknown" : e != VIGIL_OK ?
		    "cannot be read" : (*dev)->state == VIGIL_DEV_RETIRED ?
		    "is retired" : "is quarantined");
		if (e != VIGIL_OK && e != VIGIL_ENOTFOUND)
			vlog(VLOG_ERROR, "gw.device", "request %s: device %s: "
			    "%s", r->request_id, cert->device_id,
			    vigil_store_errmsg(st));
		vigil_device_free(*dev);
		*dev = NULL;
		snprintf(tenant, sizeof tenant, "%s", cert->tenant_id);
		vigil_cert_clear(cert);
		return device_refuse(r, action, tenant, 403, why);
	}
	return 0;
}

int
gw_device_check(struct gw_req *r, const char *action,
    struct vigil_cert *cert, struct vigil_device **dev)
{
	return device_check(r, action, false, cert, dev);
}

int
gw_device_check_posture(struct gw_req *r, const char *action,
    struct vigil_cert *cert, struct vigil_device **dev)
{
	return device_check(r, action, true, cert, dev);
}

/* ---- building a request ---- */

struct gw_req *
gw_req_new(struct net_worker *w, struct evhttp_request *ev)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(ev);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	struct gw_req *r;
	char *dec;
	size_t n;

	if ((r = calloc(1, sizeof *r)) == NULL) {
		evhttp_send_reply(ev, 500, "Internal Server Error", NULL);
		return NULL;
	}
	r->ev = ev;
	r->w = w;
	r->start_ns = httputil_mono_ns();
	if (vigil_uuid7(r->request_id) != VIGIL_OK)
		snprintf(r->request_id, sizeof r->request_id, "%016" PRIx64,
		    (uint64_t)r->start_ns);
	r->method = httputil_method_name(evhttp_request_get_command(ev));
	httputil_peer_ip(r->ev, conn_ip(conn_of_request(r->ev)), r->ip,
	    sizeof r->ip);
	evhttp_add_header(h, "X-Request-Id", r->request_id);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	/* Decoded path; one with a NUL byte or too long stays "" (no
	 * route matches it). */
	if (path != NULL && (dec = evhttp_uridecode(path, 0, &n)) != NULL) {
		if (n < sizeof r->path && memchr(dec, '\0', n) == NULL)
			memcpy(r->path, dec, n + 1);
		free(dec);
	}
	r->content_type = evhttp_find_header(
	    evhttp_request_get_input_headers(ev), "Content-Type");
	return r;
}

/* The handler for r's path and method: fills label/op. NULL after
 * replying 404/405. */
static gw_handler
route(struct gw_req *r)
{
	const char *p = r->path, *slash, *op;
	char q[200];

	if (strncmp(p, EST_PREFIX, strlen(EST_PREFIX)) == 0) {
		p += strlen(EST_PREFIX);
		op = p;
		if ((slash = strchr(p, '/')) != NULL) {
			if ((size_t)(slash - p) > VIGIL_PKI_LABEL_MAX ||
			    !vigil_pki_label_chars(p, (size_t)(slash - p)) ||
			    strchr(slash + 1, '/') != NULL)
				goto not_found;
			memcpy(r->label, p, (size_t)(slash - p));
			r->label[slash - p] = '\0';
			op = slash + 1;
		}
		for (size_t i = 0; i < sizeof est_ops / sizeof est_ops[0];
		    i++) {
			if (strcmp(op, est_ops[i].name) != 0)
				continue;
			snprintf(r->op, sizeof r->op, "%s", op);
			if (strcmp(r->method, est_ops[i].method) != 0) {
				evhttp_add_header(
				    evhttp_request_get_output_headers(r->ev),
				    "Allow", est_ops[i].method);
				gw_error(r, 405, "method %s is not allowed on "
				    "%s; allowed: %s", r->method,
				    httputil_quote(r->path, q, sizeof q),
				    est_ops[i].method);
				return NULL;
			}
			return est_ops[i].fn;
		}
		goto not_found;
	}
	if (strcmp(p, "/device/v1/whoami") == 0) {
		if (strcmp(r->method, "GET") != 0) {
			evhttp_add_header(evhttp_request_get_output_headers(
			    r->ev), "Allow", "GET");
			gw_error(r, 405, "method %s is not allowed on %s; "
			    "allowed: GET", r->method, p);
			return NULL;
		}
		return dev_whoami;
	}
	if (strcmp(p, "/device/v1/checkin") == 0) {
		if (strcmp(r->method, "POST") != 0) {
			evhttp_add_header(evhttp_request_get_output_headers(
			    r->ev), "Allow", "POST");
			gw_error(r, 405, "method %s is not allowed on %s; "
			    "allowed: POST", r->method, p);
			return NULL;
		}
		return dev_checkin;
	}
not_found:
	gw_error(r, 404, "no such resource: %s",
	    httputil_quote(r->path[0] != '\0' ? r->path :
	    evhttp_request_get_uri(r->ev), q, sizeof q));
	return NULL;
}

/* The client certificate into r; 0, or -1 after replying. */
static int
take_peer(struct gw_req *r)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
	struct bufferevent *bev = evcon != NULL ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
	const struct gw_peer_info *pi = gw_tls_peer(r->w, ssl);
	X509 *x = ssl != NULL ? SSL_get0_peer_certificate(ssl) : NULL;
	char err[256];

	if (pi == NULL || x == NULL)
		return 0;
	if (pi->refused) {
		gw_error(r, 403, "%s", pi->why);
		return -1;
	}
	if (vigil_pki_cert_info(x, &r->peer_info, err, sizeof err) !=
	    VIGIL_OK) {
		gw_error(r, 400, "client certificate: %s", err);
		return -1;
	}
	/* One spelling of the serial for every check after this one. */
	snprintf(r->peer_info.serial, sizeof r->peer_info.serial, "%s",
	    pi->serial);
	X509_up_ref(x);
	r->peer = x;
	r->peer_kind = pi->kind;
	snprintf(r->peer_ca_id, sizeof r->peer_ca_id, "%s", pi->ca_id);
	snprintf(r->peer_tenant, sizeof r->peer_tenant, "%s", pi->tenant);
	return 0;
}

/* Headers and body (at most body_max bytes) into r; 0, or -1 after
 * replying. */
static int
take_input(struct gw_req *r, size_t body_max)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
	struct evbuffer *body = evhttp_request_get_input_buffer(r->ev);
	const char *auth = evhttp_find_header(in, "Authorization");
	size_t hs = httputil_head_size(r->ev), bs = evbuffer_get_length(body);

	if (hs > r->w->cfg.max_header_bytes) {
		gw_error(r, 431, "request line and headers are about %zu "
		    "bytes; the limit is %zu (max_header_bytes)", hs,
		    r->w->cfg.max_header_bytes);
		return -1;
	}
	if (bs > body_max) {
		gw_error(r, 413, "body is %zu bytes; the limit is %zu", bs,
		    body_max);
		return -1;
	}
	if (auth != NULL) {
		if (strlen(auth) >= sizeof r->authorization) {
			gw_error(r, 400, "Authorization header is longer than "
			    "%zu bytes", sizeof r->authorization - 1);
			return -1;
		}
		snprintf(r->authorization, sizeof r->authorization, "%s",
		    auth);
	}
	if (bs > 0) {
		if ((r->body = malloc(bs + 1)) == NULL) {
			gw_error(r, 500, "out of memory");
			return -1;
		}
		evbuffer_remove(body, r->body, bs);
		r->body[bs] = '\0'; /* text bodies may be read as strings */
		r->body_len = bs;
	}
	return 0;
}

static void
gw_request_cb(struct evhttp_request *ev, void *arg)
{
	struct net_worker *w = arg;
	struct gw_req *r;
	gw_handler fn;

	if ((r = gw_req_new(w, ev)) == NULL)
		return;
	if (strcmp(w->cfg.log_level, "debug") == 0)
		vlog(VLOG_DEBUG, "gw.request", "%s %s %s from %s",
		    r->request_id, r->method, r->path, r->ip);
	if ((fn = route(r)) == NULL || take_input(r, fn == dev_checkin ?
	    VIGIL_CHECKIN_MAX : GW_BODY_MAX) < 0 || take_peer(r) < 0)
		return;
	fn(r);
}

/* ---- setup ---- */

static void
gw_limits(struct net_worker *w)
{
	const struct vigild_config *c = &w->cfg;

	/* evhttp's own hard ceilings: twice ours, so that a request a
	 * little over gets our text reply (see http.c). */
	evhttp_set_max_headers_size(w->gw_http,
	    (ev_ssize_t)c->max_header_bytes * 2);
	evhttp_set_max_body_size(w->gw_http, (ev_ssize_t)GW_BODY_MAX * 2);
	evhttp_set_timeout(w->gw_http, (int)(c->idle_timeout_s > 0 ?
	    c->idle_timeout_s : 60));
}

int
gw_setup(struct net_worker *w, char *err, size_t errsize)
{
	if (w->ctx->gw_fd >= 0) {
		if (gw_tls_setup(w, err, errsize) != 0)
			return -1;
		if ((w->gw_http = evhttp_new(w->base)) == NULL) {
			snprintf(err, errsize, "gateway: evhttp_new failed");
			return -1;
		}
		evhttp_set_bevcb(w->gw_http, conn_gw_bevcb, w);
		evhttp_set_gencb(w->gw_http, gw_request_cb, w);
		/* Every method reaches the router: 405 with Allow. */
		evhttp_set_allowed_methods(w->gw_http, EVHTTP_REQ_GET |
		    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
		    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
		    EVHTTP_REQ_PATCH);
		evhttp_set_default_content_type(w->gw_http, NULL);
		evhttp_set_flags(w->gw_http, EVHTTP_SERVER_LINGERING_CLOSE);
		gw_limits(w);
		w->gw_bound = evhttp_accept_socket_with_handle(w->gw_http,
		    w->ctx->gw_fd);
		if (w->gw_bound == NULL) {
			snprintf(err, errsize, "gateway: cannot accept on the "
			    "listening socket (fd %d)", w->ctx->gw_fd);
			return -1;
		}
		gw_refresh(w, true);
	}
	if (w->ctx->pki_fd >= 0 && pki_http_setup(w, err, errsize) != 0)
		return -1;
	return 0;
}

void
gw_stop_accepting(struct net_worker *w)
{
	if (w->gw_http != NULL && w->gw_bound != NULL) {
		evhttp_del_accept_socket(w->gw_http, w->gw_bound);
		w->gw_bound = NULL;
	}
	pki_http_stop_accepting(w);
}

void
gw_free(struct net_worker *w)
{
	if (w->gw_http != NULL) {
		evhttp_free(w->gw_http);
		w->gw_http = NULL;
		w->gw_bound = NULL;
	}
	pki_http_free(w);
}

/* ---- the periodic certificate audit ---- */

#define CERT_AUDIT_FIRST_S 60 /* first run at most this long after
				* start (cert_audit_interval_s) */
/* Sightings are evidence for a week (api_pki_json.c); kept 30 days. */
#define SIGHTING_KEEP_MS ((int64_t)30 * 86400 * 1000)

/* One net worker per process: the job's state is the process's. */
static struct {
	struct net_worker *w;
	struct event *ev;
	json_t *prev; /* "kind object" keys of the previous run */
} cert_job;

static const char *
jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

/* Audits and logs one finding not seen in the previous run. */
static void
cert_finding_report(struct net_worker *w, json_t *f)
{
	struct vigil_audit_event ev;
	json_t *evid = json_object_get(f, "evidence");
	char detail[512];
	int64_t seq;

	vlog(VLOG_WARN, "cert.finding", "%s %s %s: %s", jstr(f, "severity"),
	    jstr(f, "kind"), jstr(f, "object"), jstr(f, "detail"));
	snprintf(detail, sizeof detail, "%s %s: %s", jstr(f, "kind"),
	    jstr(f, "object"), jstr(f, "detail"));
	memset(&ev, 0, sizeof ev);
	ev.principal = "system";
	ev.tenant_id = jstr(evid, "tenant_id");
	ev.source_ip = "";
	ev.action = "cert.finding";
	ev.object = jstr(f, "object");
	ev.outcome = "ok";
	ev.request_id = "";
	ev.detail = detail;
	if (vigil_audit_append(w->st, &ev, &seq, NULL) != VIGIL_OK)
		vlog(VLOG_ERROR, "audit.append", "cert.finding %s: %s",
		    jstr(f, "object"), vigil_store_errmsg(w->st));
	else
		audit_hook_appended(w->ah, seq);
}

static void
cert_audit_run(struct net_worker *w)
{
	json_t *r = NULL, *cur = json_object(), *f;
	int64_t now = vigil_time_now_ms();
	size_t i, fresh = 0, pruned = 0;
	char key[256];

	if (cur == NULL)
		return;
	if (pki_cert_audit(w->st, NULL, now / 1000, &r) != VIGIL_OK) {
		vlog(VLOG_WARN, "cert.audit", "periodic certificate audit: %s",
		    vigil_store_errmsg(w->st));
		json_decref(cur);
		return;
	}
	json_array_foreach(json_object_get(r, "findings"), i, f) {
		snprintf(key, sizeof key, "%s %s", jstr(f, "kind"),
		    jstr(f, "object"));
		if (json_object_get(cur, key) != NULL)
			continue; /* e.g. two expiry levels: one key */
		json_object_set_new(cur, key, json_true());
		if (cert_job.prev != NULL &&
		    json_object_get(cert_job.prev, key) != NULL)
			continue;
		fresh++;
		cert_finding_report(w, f);
	}
	json_decref(cert_job.prev);
	cert_job.prev = cur;
	if (vigil_sighting_prune(w->st, now - SIGHTING_KEEP_MS, &pruned) !=
	    VIGIL_OK)
		vlog(VLOG_WARN, "cert.audit", "pruning sightings: %s",
		    vigil_store_errmsg(w->st));
	vlog(VLOG_INFO, "cert.audit", "periodic certificate audit: %zu "
	    "finding(s), %zu new; %zu old sighting window(s) pruned",
	    json_array_size(json_object_get(r, "findings")), fresh, pruned);
	json_decref(r);
}

static void
cert_audit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_worker *w = arg;
	struct timeval tv = { w->cfg.cert_audit_interval_s > 0 ?
	    (time_t)w->cfg.cert_audit_interval_s : 3600, 0 };

	(void)fd;
	(void)what;
	if (w->draining)
		return;
	cert_audit_run(w);
	event_add(cert_job.ev, &tv);
}

int
gw_cert_audit_start(struct net_worker *w, char *err, size_t errsize)
{
	unsigned every = w->cfg.cert_audit_interval_s > 0 ?
	    w->cfg.cert_audit_interval_s : 3600;
	struct timeval tv = { every < CERT_AUDIT_FIRST_S ? (time_t)every :
	    CERT_AUDIT_FIRST_S, 0 };

	cert_job.w = w;
	if ((cert_job.ev = evtimer_new(w->base, cert_audit_cb, w)) == NULL ||
	    evtimer_add(cert_job.ev, &tv) != 0) {
		snprintf(err, errsize, "certificate audit timer: out of "
		    "memory");
		return -1;
	}
	return 0;
}

void
gw_cert_audit_stop(struct net_worker *w)
{
	(void)w;
	if (cert_job.ev != NULL)
		event_free(cert_job.ev);
	cert_job.ev = NULL;
	json_decref(cert_job.prev);
	cert_job.prev = NULL;
}
