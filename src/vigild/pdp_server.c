/*
 * The decision point's UNIX socket in a net worker (pdp_server.h):
 * accepts enforcement points (the Mosquitto plugin), answers their
 * DECIDE messages from the worker's decision service and pushes EPOCH
 * when the zero-trust generation moves.
 *
 * SECURITY. The peer is trusted only as far as the socket's mode and
 * group say: it may ask about any device, but every byte it sends goes
 * through the strict pdp_wire decoder first, a malformed frame ends the
 * connection, and each connection is bounded in buffered bytes (a peer
 * that stops reading is cut, not buffered for). Fail closed: a decision
 * that could not be made cleanly is a deny, never cacheable. Every deny
 * is audited once per (identity, action, resource) and epoch, so a
 * looping client cannot flood the audit chain.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "audit_hook.h"
#include "log.h"
#include "net_worker.h"
#include "pdp_server.h"
#include "vigil/audit.h"
#include "vigil/pdp_wire.h"
#include "vigil/store.h"
#include "vigil/zt.h"

/* Unread input or unsent output beyond this closes the connection. */
#define PDP_BUF_MAX ((size_t)64 << 10)
/* Distinct denies audited per epoch before the set starts over. */
#define PDP_SEEN_SLOTS 4096u
#define PDP_OBJECT_MAX 320

struct pdp_conn {
	LIST_ENTRY(pdp_conn) link;
	struct pdp_server *srv;
	struct bufferevent *bev;
	uint64_t seq;                /* connection number, for logs */
	bool hello;                  /* HELLO received */
	bool closing;                /* flush the output, then free */
};

struct pdp_server {
	struct net_worker *w;
	struct evconnlistener *lis;
	LIST_HEAD(pdp_conn_list, pdp_conn) conns;
	unsigned nconns;
	uint64_t next_seq;
	bool refresh_failing;        /* last generation read failed */
	/* Denies audited in this epoch, by hash; 0 = empty slot. */
	uint64_t seen[PDP_SEEN_SLOTS];
	unsigned nseen;
	uint64_t suppressed;         /* repeated denies not audited */
};

static void conn_free(struct pdp_conn *c);

/* ---- the audit of denies, once per key and epoch ---- */

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff; /* separator: ("ab","c") differs from ("a","bc") */
	return h * 0x100000001b3ULL;
}

static void
seen_reset(struct pdp_server *s, const char *why)
{
	if (s->suppressed > 0)
		vlog(VLOG_INFO, "pdp.deny", "%" PRIu64 " repeated deny(s) "
		    "were not audited again (%s)", s->suppressed, why);
	memset(s->seen, 0, sizeof s->seen);
	s->nseen = 0;
	s->suppressed = 0;
}

/* True the first time (identity, action, resource) is denied in this
 * epoch: that one is audited, the repeats are counted. */
static bool
seen_first(struct pdp_server *s, const char *who, const char *action,
    const char *resource)
{
	uint64_t h = fnv1a(fnv1a(fnv1a(0xcbf29ce484222325ULL, who), action),
	    resource);
	size_t i;

	if (h == 0)
		h = 1;
	if (s->nseen >= PDP_SEEN_SLOTS / 4 * 3)
		seen_reset(s, "deny set full");
	for (i = (size_t)(h % PDP_SEEN_SLOTS); s->seen[i] != 0;
	    i = (i + 1) % PDP_SEEN_SLOTS) {
		if (s->seen[i] == h) {
			s->suppressed++;
			return false;
		}
	}
	s->seen[i] = h;
	s->nseen++;
	return true;
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static void
utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

static void
audit_deny(struct pdp_conn *c, const struct vigil_pdpw_msg *m,
    const char *action, const char *resource,
    const struct vigil_zt_answer *a)
{
	struct net_worker *w = c->srv->w;
	struct vigil_audit_event ev;
	char actor[96], rid[64];
	/* Room for the whole "action/resource", cut to PDP_OBJECT_MAX. */
	char object[sizeof "mqtt:Subscribe/topicfilter:" +
	    VIGIL_PDPW_RESOURCE_MAX + VIGIL_PDPW_CLIENT_ID_MAX + 64];
	int64_t seq;

	if (a->device_id[0] != '\0')
		snprintf(actor, sizeof actor, "device:%s", a->device_id);
	else
		snprintf(actor, sizeof actor, "cert:%s",
		    m->cert_serial[0] != '\0' ? m->cert_serial : "none");
	if (!seen_first(c->srv, actor, action, resource))
		return;
	snprintf(object, sizeof object, "%s/%s", action, resource);
	utf8_cut(object, PDP_OBJECT_MAX);
	snprintf(rid, sizeof rid, "pdp-%u-%" PRIu64 "-%" PRIu32, w->index,
	    c->seq, m->id);
	memset(&ev, 0, sizeof ev);
	ev.principal = actor;
	ev.tenant_id = a->tenant;
	ev.source_ip = m->source_ip;
	ev.action = "pdp.deny";
	ev.object = object;
	ev.outcome = "denied";
	ev.request_id = rid;
	ev.detail = a->d.reason;
	if (vigil_audit_append(w->st, &ev, &seq, NULL) != VIGIL_OK)
		vlog(VLOG_ERROR, "audit.append", "%s: audit append of pdp.deny "
		    "failed: %s", rid, vigil_store_errmsg(w->st));
	else
		audit_hook_appended(w->ah, seq);
}

/* ---- sending ---- */

/* Queues m; a peer that lets output pile up is cut. 0, or -1 when the
 * connection is being closed. */
static int
conn_send(struct pdp_conn *c, const struct vigil_pdpw_msg *m)
{
	uint8_t buf[4 + VIGIL_PDPW_FRAME_MAX];
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char err[256];
	long n;

	if (evbuffer_get_length(out) > PDP_BUF_MAX) {
		vlog(VLOG_WARN, "pdp.slow", "connection %" PRIu64 ": over %zu "
		    "bytes of answers unread; closing it", c->seq,
		    PDP_BUF_MAX);
		conn_free(c);
		return -1;
	}
	if ((n = vigil_pdpw_encode(m, buf, sizeof buf, err, sizeof err)) < 0) {
		/* Only our own text can get here; never send a half frame. */
		vlog(VLOG_ERROR, "pdp.encode", "connection %" PRIu64 ": %s",
		    c->seq, err);
		conn_free(c);
		return -1;
	}
	if (evbuffer_add(out, buf, (size_t)n) != 0) {
		conn_free(c);
		return -1;
	}
	return 0;
}

/* ERROR, then close once it is written. */
static void
conn_fail(struct pdp_conn *c, const char *msg)
{
	struct vigil_pdpw_msg *m = calloc(1, sizeof *m);

	if (m != NULL) {
		m->type = VIGIL_PDPW_ERROR;
		snprintf(m->text, sizeof m->text, "%s", msg);
		utf8_cut(m->text, VIGIL_PDPW_TEXT_MAX);
		if (conn_send(c, m) != 0) {
			free(m);
			return;
		}
		free(m);
	}
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (m == NULL ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

/* ---- requests ---- */

static int
on_hello(struct pdp_conn *c, const struct vigil_pdpw_msg *in,
    struct vigil_pdpw_msg *out)
{
	struct net_worker *w = c->srv->w;

	if (!c->hello)
		vlog(VLOG_INFO, "pdp.hello", "connection %" PRIu64 ": %s",
		    c->seq, in->text);
	c->hello = true;
	memset(out, 0, sizeof *out);
	out->type = VIGIL_PDPW_WELCOME;
	out->id = in->id;
	out->epoch = (uint64_t)vigil_zt_epoch(w->zt);
	out->cache_ttl_ms = w->cfg.pdp_cache_ttl_ms;
	snprintf(out->text, sizeof out->text, "vigild");
	return conn_send(c, out);
}

/* The typed resource of a request: client:<id>, topic:<t>,
 * topicfilter:<f>. */
static void
typed_resource(const struct vigil_pdpw_msg *m, char *buf, size_t size)
{
	switch (m->action) {
	case VIGIL_PDPW_CONNECT:
		snprintf(buf, size, "client:%s", m->client_id);
		break;
	case VIGIL_PDPW_SUBSCRIBE:
		snprintf(buf, size, "topicfilter:%s", m->resource);
		break;
	default:
		snprintf(buf, size, "topic:%s", m->resource);
		break;
	}
}

static int
on_decide(struct pdp_conn *c, const struct vigil_pdpw_msg *in,
    struct vigil_pdpw_msg *out)
{
	struct net_worker *w = c->srv->w;
	const char *action = vigil_pdpw_action_name(in->action);
	char resource[sizeof "topicfilter:" + VIGIL_PDPW_RESOURCE_MAX +
	    VIGIL_PDPW_CLIENT_ID_MAX];
	struct vigil_zt_query q;
	struct vigil_zt_answer a;
	enum vigil_err e;

	typed_resource(in, resource, sizeof resource);
	memset(&a, 0, sizeof a);
	if (in->cert_serial[0] == '\0') {
		/* Without a certificate there is no identity to decide on. */
		a.d.effect = VIGIL_EFFECT_DENY;
		snprintf(a.d.reason, sizeof a.d.reason, "no client "
		    "certificate");
		a.epoch = vigil_zt_epoch(w->zt);
		a.risk = -1;
		e = VIGIL_OK;
	} else {
		memset(&q, 0, sizeof q);
		q.action = action;
		q.resource = resource;
		q.cert_serial = in->cert_serial;
		q.client_id = in->client_id[0] != '\0' ? in->client_id : NULL;
		q.source_ip = in->source_ip[0] != '\0' ? in->source_ip : NULL;
		e = vigil_zt_decide(w->zt, &q, &a);
	}
	memset(out, 0, sizeof *out);
	out->type = VIGIL_PDPW_DECISION;
	out->id = in->id;
	out->effect = a.d.effect == VIGIL_EFFECT_ALLOW ? 1 : 0;
	out->dflags = e == VIGIL_OK && w->cfg.pdp_cache_ttl_ms > 0 ?
	    VIGIL_PDPW_CACHEABLE : 0;
	out->epoch = (uint64_t)a.epoch;
	snprintf(out->device_id, sizeof out->device_id, "%s", a.device_id);
	snprintf(out->text, sizeof out->text, "%s", a.d.reason);
	utf8_cut(out->text, VIGIL_PDPW_TEXT_MAX);
	if (out->effect == 0)
		audit_deny(c, in, action, resource, &a);
	else if (a.log)
		vlog(VLOG_INFO, "pdp.allow", "%s %s by device %s (%s): %s",
		    action, resource, a.device_id, a.device_name, a.d.reason);
	return conn_send(c, out);
}

/* One decoded message; -1 when the connection is gone or closing. */
static int
dispatch(struct pdp_conn *c, const struct vigil_pdpw_msg *in,
    struct vigil_pdpw_msg *out)
{
	char why[128];

	switch (in->type) {
	case VIGIL_PDPW_HELLO:
		return on_hello(c, in, out);
	case VIGIL_PDPW_DECIDE:
		if (!c->hello) {
			conn_fail(c, "DECIDE before HELLO");
			return -1;
		}
		return on_decide(c, in, out);
	case VIGIL_PDPW_ERROR:
		vlog(VLOG_WARN, "pdp.peer_error", "connection %" PRIu64
		    ": the enforcement point says: %s", c->seq, in->text);
		conn_free(c);
		return -1;
	default:
		snprintf(why, sizeof why, "unexpected message type %d from an "
		    "enforcement point", (int)in->type);
		vlog(VLOG_WARN, "pdp.malformed", "connection %" PRIu64 ": %s",
		    c->seq, why);
		conn_fail(c, why);
		return -1;
	}
}

/* ---- connection events ---- */

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct pdp_conn *c = arg;
	struct evbuffer *inb = bufferevent_get_input(bev);
	struct vigil_pdpw_msg *in, *out;

	if (c->closing)
		return;
	if ((in = malloc(sizeof *in)) == NULL ||
	    (out = malloc(sizeof *out)) == NULL) {
		free(in);
		return; /* retried on the next read */
	}
	for (;;) {
		size_t have = evbuffer_get_length(inb), used = 0;
		size_t look = have < 4 + VIGIL_PDPW_FRAME_MAX ? have :
		    4 + VIGIL_PDPW_FRAME_MAX;
		const uint8_t *p;
		char err[256];
		int rc;

		if (have == 0)
			break;
		if ((p = evbuffer_pullup(inb, (ev_ssize_t)look)) == NULL)
			break;
		rc = vigil_pdpw_decode(p, look, in, &used, err, sizeof err);
		if (rc == 0) {
			if (have > PDP_BUF_MAX) {
				conn_fail(c, "too much unread input");
				goto out;
			}
			break;
		}
		if (rc < 0) {
			vlog(VLOG_WARN, "pdp.malformed", "connection %" PRIu64
			    ": %s", c->seq, err);
			conn_fail(c, err);
			goto out;
		}
		evbuffer_drain(inb, used);
		if (dispatch(c, in, out) != 0)
			goto out;
	}
out:
	free(in);
	free(out);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct pdp_conn *c = arg;

	if (c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct pdp_conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR)
		vlog(VLOG_DEBUG, "pdp.close", "connection %" PRIu64 ": socket "
		    "error", c->seq);
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(c);
}

static void
conn_free(struct pdp_conn *c)
{
	LIST_REMOVE(c, link);
	c->srv->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct pdp_server *s = arg;
	struct net_worker *w = s->w;
	struct pdp_conn *c;

	(void)lis;
	(void)sa;
	(void)salen;
	if (s->nconns >= w->cfg.pdp_max_clients) {
		vlog(VLOG_WARN, "pdp.busy", "pdp_max_clients (%u) reached; "
		    "connection refused", w->cfg.pdp_max_clients);
		evutil_closesocket(fd);
		return;
	}
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->bev = bufferevent_socket_new(w->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->srv = s;
	c->seq = ++s->next_seq;
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	/* Stop reading (and so cut a flooding peer at the check in
	 * read_cb) rather than buffer without end. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, PDP_BUF_MAX + 1);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	LIST_INSERT_HEAD(&s->conns, c, link);
	s->nconns++;
	vlog(VLOG_DEBUG, "pdp.accept", "connection %" PRIu64 " (%u open)",
	    c->seq, s->nconns);
}

/* ---- the server ---- */

int
pdp_server_setup(struct net_worker *w, char *err, size_t errsize)
{
	struct pdp_server *s;

	if (w->ctx->pdp_fd < 0)
		return 0;
	if (w->zt == NULL) {
		snprintf(err, errsize, "pdp_socket: no decision service");
		return -1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		snprintf(err, errsize, "pdp_socket: out of memory");
		return -1;
	}
	s->w = w;
	LIST_INIT(&s->conns);
	/* The listening socket belongs to the context (the parent opened
	 * it for every worker): the listener does not close it. */
	s->lis = evconnlistener_new(w->base, accept_cb, s,
	    LEV_OPT_CLOSE_ON_EXEC, -1, w->ctx->pdp_fd);
	if (s->lis == NULL) {
		snprintf(err, errsize, "pdp_socket: cannot listen on the "
		    "socket from the parent");
		free(s);
		return -1;
	}
	w->pdp = s;
	return 0;
}

void
pdp_server_epoch(struct net_worker *w)
{
	struct pdp_server *s = w->pdp;
	struct vigil_pdpw_msg *m;
	struct pdp_conn *c, *next;
	int rc;

	if (w->zt == NULL)
		return;
	rc = vigil_zt_refresh(w->zt, false);
	if (rc < 0) {
		/* Once per failure streak: the poll runs 4 times a second. */
		if (s == NULL || !s->refresh_failing)
			vlog(VLOG_WARN, "pdp.refresh", "reading the zero-trust "
			    "generation failed (decisions use the previous "
			    "state): %s", vigil_zt_errmsg(w->zt));
		if (s != NULL)
			s->refresh_failing = true;
		return;
	}
	if (s == NULL)
		return;
	s->refresh_failing = false;
	if (rc != 1)
		return;
	seen_reset(s, "new epoch");
	if ((m = calloc(1, sizeof *m)) == NULL)
		return;
	m->type = VIGIL_PDPW_EPOCH;
	m->epoch = (uint64_t)vigil_zt_epoch(w->zt);
	for (c = LIST_FIRST(&s->conns); c != NULL; c = next) {
		next = LIST_NEXT(c, link);
		if (c->hello && !c->closing)
			(void)conn_send(c, m);
	}
	vlog(VLOG_DEBUG, "pdp.epoch", "epoch %" PRIu64 " pushed to %u "
	    "connection(s)", m->epoch, s->nconns);
	free(m);
}

void
pdp_server_stop_accepting(struct net_worker *w)
{
	if (w->pdp != NULL && w->pdp->lis != NULL)
		evconnlistener_disable(w->pdp->lis);
}

void
pdp_server_free(struct net_worker *w)
{
	struct pdp_server *s = w->pdp;
	struct pdp_conn *c, *next;

	if (s == NULL)
		return;
	for (c = LIST_FIRST(&s->conns); c != NULL; c = next) {
		next = LIST_NEXT(c, link);
		conn_free(c);
	}
	if (s->lis != NULL)
		evconnlistener_free(s->lis);
	seen_reset(s, "worker stops");
	free(s);
	w->pdp = NULL;
}

unsigned
pdp_server_conns(const struct net_worker *w)
{
	return w->pdp != NULL ? w->pdp->nconns : 0;
}
