/*
 * The state of one net worker process (net.c), shared by the files
 * that serve its HTTPS API: http.c (request pipeline), conn.c
 * (connection limits and deadlines), reqctx.c (what handlers see),
 * auth.c, audit_hook.c and api_health.c. One worker = one thread = one
 * event_base, so nothing here needs a lock; requests are handled to
 * completion one at a time, which is what makes the per-request
 * scratch state (struct req_scratch) safe to keep here.
 */
#ifndef VIGILD_NET_WORKER_H
#define VIGILD_NET_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include "config.h"
#include "metrics.h"
#include "net.h"
#include "vigil/iam.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct vigil_store;
struct conn_table;
struct ratelimit;
struct audit_hook;
struct auth_cache;
struct conn;
struct revset;
struct ca_client;
struct vigil_zt;
struct pdp_server;

#define REQ_ACTOR_MAX (VIGIL_PRINCIPAL_NAME_MAX + 16)

/* Per-request state that struct req (reqctx.h, a fixed contract) has
 * no room for. Reset by http.c before each request. */
struct req_scratch {
	struct conn *conn;           /* the request's connection, or NULL */
	bool query_parsed;
	bool query_bad;              /* the query string did not parse */
	struct evkeyvalq query;      /* decoded query parameters */
	char actor[REQ_ACTOR_MAX];   /* req_actor() text */
	bool streaming;              /* req_stream_start() was called */
	bool privileged;             /* route is ROUTE_PRIVILEGED */
	bool cacheable;              /* GET/HEAD, not privileged: may use
				      * the auth cache (auth.h) */
	int64_t handler_ns;          /* time spent in the handler */
	int64_t change_seq;          /* audit seq of the last change ("ok"
				      * entry) this request made; 0 = none */
};

struct net_worker {
	struct net_ctx *ctx;
	struct vigild_config cfg;    /* current config (reloads land here) */
	unsigned index;
	char proc[16];               /* "net[3]" */

	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	SSL_CTX *ssl;
	struct vigil_store *st;

	struct conn_table *conns;
	struct ratelimit *rl;        /* per token */
	struct ratelimit *rl_denied; /* per IP, failed authentications */
	struct audit_hook *ah;
	struct auth_cache *authc;    /* short-lived, read-only requests */
	struct metrics_shm *metrics;

	struct event *parent_ev;     /* IPC from the parent */
	struct event *drain_ev;      /* hard stop while draining */
	bool draining;               /* IPC_SHUTDOWN or parent gone */
	int exit_status;

	struct req_scratch rs;

	/* Device PKI (gateway.c, pki_http.c, revset.c, ca_client.c). */
	struct evhttp *gw_http;      /* mTLS device gateway + EST */
	struct evhttp_bound_socket *gw_bound;
	SSL_CTX *gw_ssl;             /* client certificates requested */
	X509_STORE *gw_trust;        /* vigil, manufacturer, claim CAs */
	struct evhttp *pki_http;     /* plain HTTP: CRL, OCSP */
	struct evhttp_bound_socket *pki_bound;
	struct revset *revset;       /* revoked serials, blocked devices */
	struct event *revset_ev;     /* generation poll timer */
	struct ca_client *cac;       /* PKI requests to the signer */
	unsigned gw_conns;           /* open gateway connections */

	/* Zero-trust access (issue 5). */
	struct vigil_zt *zt;         /* the decision service (zt.h), on
				      * this worker's store connection;
				      * refreshed on IPC_EPOCH and by
				      * the generation poll */
	struct event *zt_poll_ev;    /* zero-trust generation poll */
	struct pdp_server *pdp;      /* pdp_socket connections
				      * (pdp_server.h); NULL = off */
};

/* Starts an orderly shutdown: stop accepting, cut idle connections,
 * let requests in flight finish (bounded), then leave the loop
 * (net.c). */
void net_worker_drain(struct net_worker *w, const char *why);

/* Called by conn.c when the last connection closed while draining. */
void net_worker_conns_gone(struct net_worker *w);

#endif
