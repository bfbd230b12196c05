/*
 * The net worker: serves vigil's HTTPS API on its share of the
 * listening port.
 *
 * SECURITY. This is the process that parses network input: TLS
 * (OpenSSL) and HTTP (libevent evhttp) from anyone who can reach the
 * port, then JSON bodies and bearer tokens. It holds the TLS server
 * key (read before the sandbox; only OpenSSL has it) and its own store
 * connection (SQLite, synchronous=FULL); it never holds a CA or audit
 * signing key: checkpoints are asked of the signer over a socket that
 * only carries IPC_SIGN_CKPT_REQ. It talks to the parent (config,
 * shutdown, its ready message) and the signer, nothing else. Before it
 * serves it drops to the configured user, sets no-new-privs and enters
 * a seccomp allow-list (sandbox_enter_net): no exec, no new sockets
 * except accepted ones, no ptrace, no setuid. Every request passes the
 * route table's checks (authentication, rate limit, tenant scope,
 * permission, re-authentication) before a handler runs; connection
 * caps and per-request deadlines keep one client from starving the
 * others. It must never log a secret, answer without a request id, or
 * let a handler run for a request it has not checked.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "audit_hook.h"
#include "auth.h"
#include "ca_client.h"
#include "conn.h"
#include "gw.h"
#include "gw_tls.h"
#include "http.h"
#include "ipc.h"
#include "child_ipc.h"
#include "log.h"
#include "metrics_rec.h"
#include "net.h"
#include "net_worker.h"
#include "pdp_server.h"
#include "proc.h"
#include "ratelimit.h"
#include "revset.h"
#include "sandbox.h"
#include "tls.h"
#include "vigil/store.h"
#include "vigil/zt.h"

/* Draining waits this much longer than a request may take. */
#define DRAIN_GRACE_S 2
/* The gateway polls the store's revocation generation this often, so
 * a change made outside this vigild (the CLI, another node) takes
 * effect within a second. */
#define REVSET_POLL_MS 250L
/* The decision service polls the zero-trust generation as often, for
 * the same reason (changes made by the CLI or another node). */
#define ZT_POLL_MS 250L

void
net_worker_conns_gone(struct net_worker *w)
{
	if (w->draining)
		event_base_loopbreak(w->base);
}

static void
drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_worker *w = arg;

	(void)fd;
	(void)what;
	vlog(VLOG_WARN, "net.drain", "%u connection(s) still open after "
	    "the drain period; closing them", conn_count(w->conns));
	event_base_loopbreak(w->base);
}

void
net_worker_drain(struct net_worker *w, const char *why)
{
	struct timeval tv = { .tv_sec = w->cfg.request_timeout_s +
		DRAIN_GRACE_S };

	if (w->draining)
		return;
	w->draining = true;
	vlog(VLOG_INFO, "net.drain", "%s: no new connections; finishing "
	    "%u open one(s)", why, conn_count(w->conns));
	http_stop_accepting(w);
	gw_stop_accepting(w);
	pdp_server_stop_accepting(w);
	conn_drain(w->conns);
	if (conn_count(w->conns) == 0) {
		event_base_loopbreak(w->base);
		return;
	}
	w->drain_ev = evtimer_new(w->base, drain_timeout_cb, w);
	if (w->drain_ev == NULL || evtimer_add(w->drain_ev, &tv) != 0)
		event_base_loopbreak(w->base);
}

/* The decision service's settings (posture_stale_s, pdp_allow_sample)
 * are fixed at creation: a reload that changes them builds a new one
 * and loads it before it replaces the old, which stays on failure. */
static void
zt_reconfigure(struct net_worker *w)
{
	struct vigil_zt_config zc;
	struct vigil_zt *zt;

	memset(&zc, 0, sizeof zc);
	zc.stale_s = (int64_t)w->cfg.posture_stale_s;
	zc.allow_sample = w->cfg.pdp_allow_sample;
	if (w->zt == NULL || vigil_zt_new(w->st, &zc, &zt) != VIGIL_OK)
		return;
	if (vigil_zt_refresh(zt, true) < 0) {
		vlog(VLOG_WARN, "config.reload", "decision service kept with "
		    "its old settings: %s", vigil_zt_errmsg(zt));
		vigil_zt_free(zt);
		return;
	}
	vigil_zt_free(w->zt);
	w->zt = zt;
}

/* IPC_CONFIG: reloadable keys take effect; the others need a restart,
 * which the parent has told the operator about. */
static void
apply_config(struct net_worker *w, const struct ipc_msg *m)
{
	struct vigild_config n, *c = &w->cfg;
	char err[512];

	if (config_parse(m->text, m->text_len, "IPC_CONFIG", NULL, &n, err,
	    sizeof err) != 0) {
		vlog(VLOG_WARN, "config.reload", "new config refused, keeping "
		    "the old one: %s", err);
		return;
	}
	c->max_body_bytes = n.max_body_bytes;
	c->max_header_bytes = n.max_header_bytes;
	c->request_timeout_s = n.request_timeout_s;
	c->idle_timeout_s = n.idle_timeout_s;
	c->max_connections = n.max_connections;
	c->max_connections_per_ip = n.max_connections_per_ip;
	c->rate_limit_rps = n.rate_limit_rps;
	c->rate_limit_burst = n.rate_limit_burst;
	c->token_ttl_s = n.token_ttl_s;
	c->max_token_ttl_s = n.max_token_ttl_s;
	c->reauth_s = n.reauth_s;
	c->audit_checkpoint_entries = n.audit_checkpoint_entries;
	c->audit_checkpoint_s = n.audit_checkpoint_s;
	c->pdp_max_clients = n.pdp_max_clients;
	c->pdp_cache_ttl_ms = n.pdp_cache_ttl_ms;
	c->posture_history_max = n.posture_history_max;
	if (n.pdp_allow_sample != c->pdp_allow_sample ||
	    n.posture_stale_s != c->posture_stale_s) {
		c->pdp_allow_sample = n.pdp_allow_sample;
		c->posture_stale_s = n.posture_stale_s;
		zt_reconfigure(w);
	}
	memcpy(c->log_level, n.log_level, sizeof c->log_level);
	memcpy(c->log_target, n.log_target, sizeof c->log_target);
	memcpy(c->log_format, n.log_format, sizeof c->log_format);
	vlog_init(w->proc, c->log_target, c->log_format, c->log_level);
	http_apply_limits(w);
	audit_hook_reconfigure(w->ah);
	vlog(VLOG_INFO, "config.reload", "limits, IAM, audit and log "
	    "settings reloaded");
}

static void
parent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_worker *w = arg;
	struct ipc_msg *m;
	const char *why;
	int status, pfd;

	(void)fd;
	(void)what;
	m = child_ipc_recv(w->ctx->parent_fd, PROC_NET, &pfd, &status, &why);
	if (m == NULL) {
		if (status >= 0) {
			event_del(w->parent_ev);
			w->exit_status = status;
			net_worker_drain(w, why);
		}
		return;
	}
	switch (m->type) {
	case IPC_CONFIG:
		apply_config(w, m);
		break;
	case IPC_SHUTDOWN:
		w->exit_status = 0;
		net_worker_drain(w, "shutdown requested");
		break;
	case IPC_SIGNER_FD:
		audit_hook_set_signer_fd(w->ah, pfd);
		/* Requests on the old socket will never be answered. */
		ca_client_signer_reset(w->cac);
		break;
	case IPC_EPOCH:
		/* Access changed somewhere: nothing cached may outlive it. */
		auth_cache_flush(w->authc);
		if (m->epoch.kind == EPOCH_KIND_REVOCATION)
			gw_refresh(w, false);
		/* Enforcement points drop their cached decisions. */
		pdp_server_epoch(w);
		break;
	default:
		vlog(VLOG_WARN, "ipc.unexpected", "%s from the parent ignored",
		    ipc_type_name(m->type));
		break;
	}
	free(m);
}

/* One event loop per worker. The epoll changelist folds the several
 * enable/disable calls evhttp makes per request on a connection into
 * one epoll_ctl per loop iteration. */
static struct event_base *
new_base(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *b;

	if (ec == NULL)
		return NULL;
	event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	b = event_base_new_with_config(ec);
	event_config_free(ec);
	return b;
}

static void
revset_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gw_refresh(arg, false);
}

/* Device PKI: the signer client (the API uses it too), and for the
 * gateway the revocation set and its poll timer, then the gateway and
 * PKI listeners. */
static int
setup_pki(struct net_worker *w, char *err, size_t errsize)
{
	static const struct timeval poll = { 0, REVSET_POLL_MS * 1000 };

	if ((w->cac = ca_client_new(w)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (w->ctx->gw_fd >= 0) {
		if ((w->revset = revset_new()) == NULL ||
		    (w->revset_ev = event_new(w->base, -1, EV_PERSIST,
		    revset_poll_cb, w)) == NULL ||
		    event_add(w->revset_ev, &poll) != 0) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
	}
	if (gw_setup(w, err, errsize) != 0)
		return -1;
	/* One worker runs the periodic certificate audit. */
	return w->index == 0 ? gw_cert_audit_start(w, err, errsize) : 0;
}

static void
zt_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pdp_server_epoch(arg);
}

/* Zero-trust access: the decision service on this worker's store
 * connection, its generation poll, and the decision point socket. */
static int
setup_zt(struct net_worker *w, char *err, size_t errsize)
{
	static const struct timeval poll = { 0, ZT_POLL_MS * 1000 };
	struct vigil_zt_config zc;

	memset(&zc, 0, sizeof zc);
	zc.stale_s = (int64_t)w->cfg.posture_stale_s;
	zc.allow_sample = w->cfg.pdp_allow_sample;
	if (vigil_zt_new(w->st, &zc, &w->zt) != VIGIL_OK) {
		snprintf(err, errsize, "decision service: out of memory");
		return -1;
	}
	/* Loaded before the first question, so WELCOME carries the real
	 * epoch; a failure here is retried by the poll. */
	if (vigil_zt_refresh(w->zt, true) < 0)
		vlog(VLOG_WARN, "pdp.refresh", "loading the policies failed "
		    "(retried): %s", vigil_zt_errmsg(w->zt));
	if ((w->zt_poll_ev = event_new(w->base, -1, EV_PERSIST, zt_poll_cb,
	    w)) == NULL || event_add(w->zt_poll_ev, &poll) != 0) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return pdp_server_setup(w, err, errsize);
}

/* Everything that opens a file or a socket happens here, before the
 * sandbox. */
static int
setup(struct net_worker *w, char *err, size_t errsize)
{
	const struct vigild_config *c = &w->cfg;
	enum vigil_err e;

	if (conn_global_init(err, errsize) != 0)
		return -1;
	e = vigil_store_open(&w->st, c->database, NULL, err, errsize);
	if (e != VIGIL_OK)
		return -1;
	/* An acknowledged change must survive power loss. */
	if (vigil_store_set_durability(w->st, 2) != VIGIL_OK) {
		snprintf(err, errsize, "store: %s", vigil_store_errmsg(w->st));
		return -1;
	}
	if ((w->ssl = tls_ctx_new(c, err, errsize)) == NULL)
		return -1;
	if ((w->base = new_base()) == NULL ||
	    (w->conns = conn_table_new(w)) == NULL ||
	    (w->rl = ratelimit_new(c->rate_limit_rps,
	    c->rate_limit_burst)) == NULL ||
	    (w->rl_denied = ratelimit_new(c->rate_limit_rps,
	    c->rate_limit_burst)) == NULL ||
	    (w->authc = auth_cache_new()) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (http_setup(w, err, errsize) != 0)
		return -1;
	w->parent_ev = event_new(w->base, w->ctx->parent_fd,
	    EV_READ | EV_PERSIST, parent_cb, w);
	if (w->parent_ev == NULL || event_add(w->parent_ev, NULL) != 0 ||
	    (w->ah = audit_hook_new(w)) == NULL) {
		snprintf(err, errsize, "event setup failed");
		return -1;
	}
	if (setup_pki(w, err, errsize) != 0)
		return -1;
	return setup_zt(w, err, errsize);
}

static void
teardown(struct net_worker *w)
{
	/* Pending signer requests fail (and their handlers reply) while
	 * their connections still exist. */
	ca_client_free(w->cac);
	w->cac = NULL;
	if (w->revset_ev != NULL)
		event_free(w->revset_ev);
	if (w->zt_poll_ev != NULL)
		event_free(w->zt_poll_ev);
	w->zt_poll_ev = NULL;
	pdp_server_free(w);
	/* Timers go while the event base exists; the last sightings are
	 * written while the store is open. */
	gw_cert_audit_stop(w);
	gw_sightings_stop(w);
	http_free(w);
	gw_free(w);
	if (w->base != NULL) {
		/* bufferevents are finalized from the loop: let them go
		 * (and release their connection trackers) first. */
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		event_base_loop(w->base, EVLOOP_NONBLOCK);
	}
	audit_hook_free(w->ah);
	conn_table_free(w->conns);
	if (w->parent_ev != NULL)
		event_free(w->parent_ev);
	if (w->drain_ev != NULL)
		event_free(w->drain_ev);
	if (w->base != NULL)
		event_base_free(w->base);
	SSL_CTX_free(w->ssl);
	gw_tls_free(w);
	revset_free(w->revset);
	ratelimit_free(w->rl);
	ratelimit_free(w->rl_denied);
	auth_cache_free(w->authc);
	vigil_zt_free(w->zt);
	vigil_store_close(w->st);
}

int
net_main(struct net_ctx *ctx)
{
	struct net_worker *w;
	char err[1024] = "";
	uint32_t pid = (uint32_t)getpid();
	int status;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return 1;
	w->ctx = ctx;
	w->cfg = *ctx->cfg;
	w->index = ctx->index;
	w->metrics = ctx->metrics;
	snprintf(w->proc, sizeof w->proc, "net[%u]", ctx->index);
	TAILQ_INIT(&w->rs.query);
	vlog_init(w->proc, w->cfg.log_target, w->cfg.log_format,
	    w->cfg.log_level);
	/* A peer that resets mid-write must not kill the worker; ^C in a
	 * foreground terminal is the parent's to handle. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	metrics_worker_start(w->metrics, w->index);

	if (setup(w, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "net.start", "%s", err);
		teardown(w);
		free(w);
		return 1;
	}
	if (sandbox_enter_net(&w->cfg, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "net.sandbox", "%s", err);
		teardown(w);
		free(w);
		return 1;
	}
	if (ipc_send(ctx->parent_fd, IPC_READY, &pid, sizeof pid, -1) != 0) {
		vlog(VLOG_ERROR, "net.start", "telling the parent: %s",
		    strerror(errno));
		teardown(w);
		free(w);
		return 1;
	}
	vlog(VLOG_INFO, "net.ready", "serving https on %s%s%s%s%s",
	    w->cfg.listen, ctx->gw_fd >= 0 ? ", device gateway on " : "",
	    ctx->gw_fd >= 0 ? w->cfg.gateway_listen : "",
	    ctx->pki_fd >= 0 ? ", PKI http on " : "",
	    ctx->pki_fd >= 0 ? w->cfg.pki_listen : "");
	event_base_dispatch(w->base);
	status = w->exit_status;
	vlog(VLOG_INFO, "net.exit", "worker stops (%d connection(s) left)",
	    (int)conn_count(w->conns));
	teardown(w);
	free(w);
	return status;
}
