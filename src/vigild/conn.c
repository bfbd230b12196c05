/*
 * Per-connection tracking: caps (per worker, per IP) and the request /
 * idle deadlines of every TLS connection of a net worker. See conn.h
 * for why evhttp's own timeouts are not enough.
 *
 * Life of a tracker:
 *   conn_bevcb      evhttp accepted a socket and asks for a bufferevent:
 *                   we create the SSL + bufferevent (fd not known yet)
 *                   and a tracker in state SETUP with a 0 s timer;
 *   SETUP timer     evhttp has set the fd by now: read the peer address,
 *                   apply the caps (cut when over), then state REQUEST
 *                   with the deadline start + request_timeout_s;
 *   conn_stream_progress  a piece of a streamed reply left: state
 *                   STREAMING, deadline idle_timeout_s (a client that
 *                   stops reading is cut; a drain lets it finish);
 *   conn_request_done  the reply is out: state IDLE, deadline
 *                   idle_timeout_s (or REQUEST when bytes of the next
 *                   request are already buffered);
 *   first byte      (input buffer callback) IDLE → REQUEST, deadline
 *                   now + request_timeout_s;
 *   deadline        shutdown(fd): evhttp sees EOF and frees everything;
 *   SSL freed       ex_data free callback: counts released, tracker
 *                   freed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "log.h"
#include "metrics_rec.h"
#include "net_worker.h"

enum conn_state {
	CONN_SETUP,   /* accepted; peer not looked at yet */
	CONN_REQUEST, /* a request is being received */
	CONN_IDLE,    /* keep-alive, between requests */
	CONN_STREAMING, /* a streamed reply is going out (export) */
};

#define IP_BUCKETS 256

struct ip_count {
	struct ip_count *next;
	unsigned n;
	char ip[VIGIL_IP_STRLEN];
};

struct conn {
	struct conn_table *t;
	struct conn *prev, *next;
	struct bufferevent *bev;
	struct evbuffer_cb_entry *incb;
	struct event *timer;
	enum conn_state state;
	int fd;
	bool cut;
	bool gw;                /* a device gateway connection */
	struct ip_count *ipc;   /* counted against this address */
	char ip[VIGIL_IP_STRLEN];
};

struct conn_table {
	struct net_worker *w;
	struct conn *head;
	unsigned n;
	struct ip_count *ips[IP_BUCKETS];
};

static int ssl_idx = -1;

static void conn_release(struct conn *c);

static void
fatal(const char *what)
{
	vlog(VLOG_ERROR, "net.fatal", "%s: out of memory; the worker exits "
	    "and the parent restarts it", what);
	exit(70);
}

/* SSL ex_data free callback: the SSL is being freed together with its
 * bufferevent, i.e. the connection is gone. */
static void
conn_ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (ptr == NULL)
		return;
	/* bufferevent_openssl frees the SSL without SSL_shutdown, which
	 * makes OpenSSL drop the session from the cache as "bad" (SSL_free
	 * runs the ex_data callbacks first): mark it closed so a client
	 * can resume it. */
	SSL_set_shutdown(parent, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	conn_release(ptr);
}

int
conn_global_init(char *err, size_t errsize)
{
	if (ssl_idx >= 0)
		return 0;
	ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_ssl_free);
	if (ssl_idx < 0) {
		snprintf(err, errsize, "SSL_get_ex_new_index failed");
		return -1;
	}
	return 0;
}

struct conn_table *
conn_table_new(struct net_worker *w)
{
	struct conn_table *t = calloc(1, sizeof *t);

	if (t != NULL)
		t->w = w;
	return t;
}

void
conn_table_free(struct conn_table *t)
{
	struct conn *c, *next;

	if (t == NULL)
		return;
	/* Trackers still here belong to bufferevents never finalized:
	 * detach them so a late SSL_free does not touch freed memory. */
	for (c = t->head; c != NULL; c = next) {
		SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

		next = c->next;
		if (ssl != NULL)
			SSL_set_ex_data(ssl, ssl_idx, NULL);
		conn_release(c);
	}
	free(t);
}

unsigned
conn_count(const struct conn_table *t)
{
	return t != NULL ? t->n : 0;
}

/* ---- per-IP counts ---- */

static unsigned
ip_hash(const char *ip)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *ip != '\0'; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return h % IP_BUCKETS;
}

static struct ip_count *
ip_get(struct conn_table *t, const char *ip)
{
	unsigned h = ip_hash(ip);
	struct ip_count *e;

	for (e = t->ips[h]; e != NULL; e = e->next)
		if (strcmp(e->ip, ip) == 0)
			return e;
	if ((e = calloc(1, sizeof *e)) == NULL)
		fatal("connection table");
	snprintf(e->ip, sizeof e->ip, "%s", ip);
	e->next = t->ips[h];
	t->ips[h] = e;
	return e;
}

static void
ip_put(struct conn_table *t, struct ip_count *e)
{
	struct ip_count **pp;

	if (--e->n > 0)
		return;
	for (pp = &t->ips[ip_hash(e->ip)]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			free(e);
			return;
		}
}

/* ---- deadlines ---- */

static void
arm(struct conn *c, unsigned seconds)
{
	struct timeval tv = { .tv_sec = seconds > 0 ? seconds : 1 };

	evtimer_add(c->timer, &tv);
}

/* Cuts the connection: evhttp sees EOF/error on its next read or write
 * and frees it (and with it the SSL, which releases this tracker). */
static void
conn_cut(struct conn *c, enum metrics_reject why, const char *reason)
{
	struct net_worker *w = c->t->w;

	if (c->cut)
		return;
	c->cut = true;
	evtimer_del(c->timer);
	metrics_conn_rejected(w->metrics, w->index, why);
	vlog(VLOG_DEBUG, "http.cut", "connection from %s cut: %s",
	    c->ip[0] != '\0' ? c->ip : "?", reason);
	if (c->fd < 0)
		c->fd = bufferevent_getfd(c->bev);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

static void
peer_address(struct conn *c)
{
	struct sockaddr_storage ss = { 0 }; /* AF_UNSPEC unless filled */
	socklen_t len = sizeof ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

	c->ip[0] = '\0';
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &s4->sin_addr, c->ip, sizeof c->ip);
	else if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		/* One client, one text: ::ffff:192.0.2.1 is 192.0.2.1. */
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], c->ip,
		    sizeof c->ip);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, c->ip, sizeof c->ip);
}

/* The first timer run, just after evhttp set the socket on our
 * bufferevent: look at the peer and apply the caps. */
static void
conn_setup(struct conn *c)
{
	struct conn_table *t = c->t;
	const struct vigild_config *cfg = &t->w->cfg;

	c->fd = bufferevent_getfd(c->bev);
	if (c->fd < 0) {
		vlog(VLOG_WARN, "http.conn", "accepted connection has no "
		    "socket; dropped");
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	/* Replies leave as a few small TLS records: without this, Nagle
	 * holds the last one back until the client's delayed ACK, 40 ms
	 * per request on a keep-alive connection. */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int));
	peer_address(c);
	if (c->ip[0] != '\0') {
		c->ipc = ip_get(t, c->ip);
		c->ipc->n++;
	}
	c->state = CONN_REQUEST;
	if (t->w->draining) {
		conn_cut(c, MREJ_DRAINING, "shutting down");
		return;
	}
	if (cfg->max_connections > 0 && t->n > cfg->max_connections) {
		conn_cut(c, MREJ_MAX_CONNECTIONS, "max_connections reached");
		return;
	}
	if (c->ipc != NULL && cfg->max_connections_per_ip > 0 &&
	    c->ipc->n > cfg->max_connections_per_ip) {
		conn_cut(c, MREJ_MAX_PER_IP, "max_connections_per_ip reached");
		return;
	}
	arm(c, cfg->request_timeout_s);
}

static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	switch (c->state) {
	case CONN_SETUP:
		conn_setup(c);
		break;
	case CONN_REQUEST:
		conn_cut(c, MREJ_REQUEST_TIMEOUT, "request not complete "
		    "within request_timeout_s");
		break;
	case CONN_IDLE:
		conn_cut(c, MREJ_IDLE_TIMEOUT, "idle for idle_timeout_s");
		break;
	case CONN_STREAMING:
		conn_cut(c, MREJ_IDLE_TIMEOUT, "client stopped reading a "
		    "streamed reply for idle_timeout_s");
		break;
	}
}

/* Bytes arrived (decrypted) on an idle connection: a new request
 * starts, and with it its deadline. */
static void
conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn *c = arg;

	(void)buf;
	if (info->n_added == 0 || c->state != CONN_IDLE || c->cut)
		return;
	c->state = CONN_REQUEST;
	arm(c, c->t->w->cfg.request_timeout_s);
}

void
conn_stream_progress(struct conn *c)
{
	if (c == NULL || c->cut)
		return;
	c->state = CONN_STREAMING;
	arm(c, c->t->w->cfg.idle_timeout_s);
}

void
conn_request_done(struct conn *c)
{
	const struct vigild_config *cfg;

	if (c == NULL || c->cut)
		return;
	cfg = &c->t->w->cfg;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		/* A pipelined request is already partly here. */
		c->state = CONN_REQUEST;
		arm(c, cfg->request_timeout_s);
	} else {
		c->state = CONN_IDLE;
		arm(c, cfg->idle_timeout_s);
	}
}

/* A TLS bufferevent for a connection evhttp accepted, with its
 * tracker; ctx is the API's or the device gateway's context. */
static struct bufferevent *
new_conn(struct event_base *base, struct net_worker *w, SSL_CTX *ctx,
    bool gw)
{
	struct conn_table *t = w->conns;
	struct bufferevent *bev;
	struct conn *c;
	SSL *ssl = NULL;

	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL)
		fatal("new connection");
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatal("new connection");
	c->t = t;
	c->bev = bev;
	c->fd = -1;
	c->gw = gw;
	c->state = CONN_SETUP;
	if ((c->timer = evtimer_new(base, conn_timer_cb, c)) == NULL ||
	    (c->incb = evbuffer_add_cb(bufferevent_get_input(bev),
	    conn_input_cb, c)) == NULL)
		fatal("new connection");
	/* From here on the tracker lives and dies with the SSL object. */
	SSL_set_ex_data(ssl, ssl_idx, c);
	c->next = t->head;
	if (t->head != NULL)
		t->head->prev = c;
	t->head = c;
	t->n++;
	if (gw)
		w->gw_conns++;
	metrics_conn_delta(w->metrics, w->index, 1);
	evtimer_add(c->timer, &(struct timeval){ .tv_sec = 0 });
	return bev;
}

struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct net_worker *w = arg;

	return new_conn(base, w, w->ssl, false);
}

struct bufferevent *
conn_gw_bevcb(struct event_base *base, void *arg)
{
	struct net_worker *w = arg;

	return new_conn(base, w, w->gw_ssl, true);
}

static void
conn_release(struct conn *c)
{
	struct conn_table *t = c->t;
	struct net_worker *w = t->w;

	if (c->incb != NULL && c->bev != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->incb);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->ipc != NULL)
		ip_put(t, c->ipc);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	t->n--;
	if (c->gw && w->gw_conns > 0)
		w->gw_conns--;
	metrics_conn_delta(w->metrics, w->index, -1);
	free(c);
	if (t->n == 0 && w->draining)
		net_worker_conns_gone(w);
}

void
conn_coalesce_output(struct conn *c)
{
	struct evbuffer *out;
	size_t n;

	if (c == NULL || c->cut)
		return;
	out = bufferevent_get_output(c->bev);
	n = evbuffer_get_length(out);
	/* One TLS record holds at most 16 KiB. */
	if (n > 0 && n <= 16384)
		(void)evbuffer_pullup(out, -1);
}

struct conn *
conn_of_request(struct evhttp_request *ev)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	SSL *ssl;

	if ((evcon = evhttp_request_get_connection(ev)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, ssl_idx);
}

const char *
conn_ip(struct conn *c)
{
	if (c == NULL)
		return "";
	if (c->ip[0] == '\0' && c->fd < 0 &&
	    (c->fd = bufferevent_getfd(c->bev)) >= 0)
		peer_address(c);
	return c->ip;
}

void
conn_drain(struct conn_table *t)
{
	struct conn *c, *next;

	for (c = t->head; c != NULL; c = next) {
		next = c->next;
		/* Requests being received and replies being streamed
		 * finish (bounded by the worker's drain deadline). */
		if (c->state != CONN_REQUEST && c->state != CONN_STREAMING)
			conn_cut(c, MREJ_DRAINING, "shutting down");
	}
}
