/*
 * Audit checkpoints requested by a net worker (audit_hook.h).
 *
 * One request at a time: (seq, head) of the chain as committed, sent
 * as IPC_SIGN_CKPT_REQ; the answer (IPC_SIGN_CKPT_RES) is checked to be
 * for what was asked and stored with vigil_audit_checkpoint_put, which
 * itself refuses a head that differs from the stored entry's hash. The
 * signer refuses (IPC_SIGN_ERR) a sequence number it has already
 * signed, e.g. when another worker was faster: that is normal. A
 * request goes out only when the head is past the last checkpoint
 * stored (by any worker). /readyz reports the signer as not ready when
 * its socket closed (it died; the parent passes a new one) or when the
 * last request got no answer in time.
 *
 * Everything runs from the event loop, outside handlers, so a store
 * transaction is never open here and a slow signer never holds up a
 * reply: its answer is awaited for AUDIT_HOOK_SIGNER_TIMEOUT_MS, then
 * given up (and logged).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "audit_hook.h"
#include "ca_client.h"
#include "ipc.h"
#include "log.h"
#include "net_worker.h"
#include "proc.h"
#include "vigil/audit.h"
#include "vigil/store.h"

struct audit_hook {
	struct net_worker *w;
	int fd;                    /* socket to the signer, -1 = none */
	struct event *read_ev;
	struct event *timeout_ev;  /* the outstanding request's deadline */
	struct event *period_ev;   /* every audit_checkpoint_s */
	struct event *soon_ev;     /* after appends, outside the handler */

	bool outstanding;
	bool again;                /* a trigger came while outstanding */
	struct ipc_sign_req asked; /* last request sent */
	int64_t last_answer_ms;    /* any answer, 0 = never */
	int64_t sent_ms;           /* when the outstanding one was sent */
	bool timed_out;            /* the last request got no answer */
	int64_t ckpt_seq;          /* last checkpoint known */
	char why[320];             /* why not ok */
};

static void hook_request(struct audit_hook *h);

static void
arm_period(struct audit_hook *h)
{
	unsigned s = h->w->cfg.audit_checkpoint_s;
	struct timeval tv = { .tv_sec = s > 0 ? s : 60 };

	evtimer_add(h->period_ev, &tv);
}

static void
stored(struct audit_hook *h, const struct ipc_sign_res *res)
{
	struct vigil_store *st = h->w->st;
	enum vigil_err e;

	e = vigil_audit_checkpoint_put(st, res->seq, res->head, res->sig,
	    res->keyid, vigil_time_now_ms());
	if (e == VIGIL_OK) {
		if (res->seq > h->ckpt_seq)
			h->ckpt_seq = res->seq;
		vlog(VLOG_DEBUG, "audit.checkpoint", "checkpoint at seq %lld "
		    "stored", (long long)res->seq);
	} else
		vlog(e == VIGIL_ETAMPER ? VLOG_ERROR : VLOG_WARN,
		    "audit.checkpoint", "checkpoint at seq %lld not stored: "
		    "%s", (long long)res->seq, vigil_store_errmsg(st));
}

static void
answered(struct audit_hook *h)
{
	h->last_answer_ms = vigil_time_now_ms();
	h->timed_out = false;
	h->outstanding = false;
	evtimer_del(h->timeout_ev);
	if (h->again) {
		h->again = false;
		hook_request(h);
	}
}

static void
signer_gone(struct audit_hook *h, const char *why)
{
	vlog(VLOG_WARN, "audit.signer", "signer socket: %s; waiting for the "
	    "parent to pass a new one", why);
	snprintf(h->why, sizeof h->why, "signer socket: %s", why);
	if (h->read_ev != NULL) {
		event_free(h->read_ev);
		h->read_ev = NULL;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->outstanding = false;
	evtimer_del(h->timeout_ev);
	/* PKI requests on that socket will never be answered. */
	if (h->w->cac != NULL)
		ca_client_signer_reset(h->w->cac);
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct audit_hook *h = arg;
	struct ipc_msg *m;
	char err[256];
	int rc, pfd;

	(void)fd;
	(void)what;
	if ((m = malloc(sizeof *m)) == NULL)
		return;
	rc = ipc_recv_msg(h->fd, PROC_SIGNER, PROC_NET, m, &pfd, err,
	    sizeof err);
	if (rc == 0)
		signer_gone(h, "closed by the signer");
	else if (rc == -1 && errno != EAGAIN && errno != EINTR)
		signer_gone(h, err);
	else if (rc == -2)
		vlog(VLOG_WARN, "audit.signer", "malformed message from the "
		    "signer ignored: %s", err);
	else if (rc == 1 && m->type == IPC_SIGN_CKPT_RES) {
		if (m->sign_res.seq == h->asked.seq && memcmp(m->sign_res.head,
		    h->asked.head, sizeof h->asked.head) == 0) {
			stored(h, &m->sign_res);
			answered(h);
		} else
			vlog(VLOG_WARN, "audit.signer", "signature for seq "
			    "%lld that was not asked for ignored",
			    (long long)m->sign_res.seq);
	} else if (rc == 1 && m->type == IPC_SIGN_ERR) {
		/* Usually "already signed": another worker was first. */
		vlog(VLOG_DEBUG, "audit.signer", "signer: %s", m->text);
		answered(h);
	} else if (rc == 1 && (m->type == IPC_CA_ISSUE_RES ||
	    m->type == IPC_CA_OCSP_RES || m->type == IPC_CA_CRL_RES)) {
		/* Device PKI answers: the request's owner takes them. */
		if (h->w->cac != NULL)
			ca_client_on_msg(h->w->cac, m);
	} else if (rc == 1)
		vlog(VLOG_WARN, "audit.signer", "unexpected %s from the "
		    "signer ignored", ipc_type_name(m->type));
	free(m);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct audit_hook *h = arg;

	(void)fd;
	(void)what;
	h->outstanding = false;
	h->timed_out = true;
	snprintf(h->why, sizeof h->why, "signer did not answer a checkpoint "
	    "request (seq %lld) within %d ms", (long long)h->asked.seq,
	    AUDIT_HOOK_SIGNER_TIMEOUT_MS);
	vlog(VLOG_WARN, "audit.signer", "%s", h->why);
}

static void
hook_request(struct audit_hook *h)
{
	struct vigil_store *st = h->w->st;
	struct timeval tv = { AUDIT_HOOK_SIGNER_TIMEOUT_MS / 1000,
		(suseconds_t)(AUDIT_HOOK_SIGNER_TIMEOUT_MS % 1000) * 1000 };
	struct ipc_sign_req req;
	int64_t last_at;

	if (h->fd < 0)
		return;
	if (h->outstanding) {
		h->again = true;
		return;
	}
	if (vigil_store_tx_depth(st) > 0) {
		/* Only the committed head may be signed. */
		evtimer_add(h->soon_ev, &(struct timeval){ .tv_usec = 100000 });
		return;
	}
	memset(&req, 0, sizeof req);
	if (vigil_audit_head(st, &req.seq, req.head) != VIGIL_OK) {
		vlog(VLOG_WARN, "audit.checkpoint", "reading the chain head: "
		    "%s", vigil_store_errmsg(st));
		return;
	}
	(void)vigil_audit_checkpoint_last(st, &h->ckpt_seq, &last_at);
	if (req.seq <= h->ckpt_seq)
		return; /* nothing new to sign (maybe another worker did) */
	if (ipc_send_sign_req(h->fd, &req) != 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* Its queue is full: it is not reading. */
			h->timed_out = true;
			snprintf(h->why, sizeof h->why, "signer is not reading "
			    "its socket");
			vlog(VLOG_WARN, "audit.signer", "%s", h->why);
		} else
			signer_gone(h, strerror(errno));
		return;
	}
	h->asked = req;
	h->outstanding = true;
	h->sent_ms = vigil_time_now_ms();
	evtimer_add(h->timeout_ev, &tv);
}

static void
period_cb(evutil_socket_t fd, short what, void *arg)
{
	struct audit_hook *h = arg;

	(void)fd;
	(void)what;
	hook_request(h);
	arm_period(h);
}

static void
soon_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hook_request(arg);
}

static int
watch(struct audit_hook *h)
{
	if (h->fd < 0)
		return 0;
	/* Never block the worker on a stuck signer. */
	if (evutil_make_socket_nonblocking(h->fd) != 0)
		return -1;
	h->read_ev = event_new(h->w->base, h->fd, EV_READ | EV_PERSIST,
	    read_cb, h);
	if (h->read_ev == NULL || event_add(h->read_ev, NULL) != 0)
		return -1;
	return 0;
}

struct audit_hook *
audit_hook_new(struct net_worker *w)
{
	struct audit_hook *h = calloc(1, sizeof *h);
	int64_t at;

	if (h == NULL)
		return NULL;
	h->w = w;
	h->fd = w->ctx->signer_fd;
	snprintf(h->why, sizeof h->why, "no signer socket");
	h->timeout_ev = evtimer_new(w->base, timeout_cb, h);
	h->period_ev = evtimer_new(w->base, period_cb, h);
	h->soon_ev = evtimer_new(w->base, soon_cb, h);
	if (h->timeout_ev == NULL || h->period_ev == NULL ||
	    h->soon_ev == NULL || watch(h) != 0) {
		audit_hook_free(h);
		return NULL;
	}
	(void)vigil_audit_checkpoint_last(w->st, &h->ckpt_seq, &at);
	arm_period(h);
	/* First contact right after start-up: readiness needs it. */
	evtimer_add(h->soon_ev, &(struct timeval){ .tv_sec = 0 });
	return h;
}

void
audit_hook_free(struct audit_hook *h)
{
	if (h == NULL)
		return;
	if (h->read_ev != NULL)
		event_free(h->read_ev);
	if (h->timeout_ev != NULL)
		event_free(h->timeout_ev);
	if (h->period_ev != NULL)
		event_free(h->period_ev);
	if (h->soon_ev != NULL)
		event_free(h->soon_ev);
	/* The fd belongs to the net_ctx unless it was replaced. */
	if (h->fd >= 0 && h->fd != h->w->ctx->signer_fd)
		close(h->fd);
	free(h);
}

void
audit_hook_appended(struct audit_hook *h, int64_t seq)
{
	unsigned n;

	if (h == NULL)
		return;
	n = h->w->cfg.audit_checkpoint_entries;
	if (n > 0 && seq - h->ckpt_seq >= (int64_t)n &&
	    !evtimer_pending(h->soon_ev, NULL))
		evtimer_add(h->soon_ev, &(struct timeval){ .tv_sec = 0 });
}

void
audit_hook_set_signer_fd(struct audit_hook *h, int fd)
{
	if (h->read_ev != NULL) {
		event_free(h->read_ev);
		h->read_ev = NULL;
	}
	if (h->fd >= 0 && h->fd != fd)
		close(h->fd);
	h->fd = fd;
	h->outstanding = false;
	h->timed_out = false;
	evtimer_del(h->timeout_ev);
	if (watch(h) != 0) {
		signer_gone(h, "cannot watch the new socket");
		return;
	}
	evtimer_add(h->soon_ev, &(struct timeval){ .tv_sec = 0 });
}

void
audit_hook_reconfigure(struct audit_hook *h)
{
	if (h == NULL)
		return;
	evtimer_del(h->period_ev);
	arm_period(h);
}

bool
audit_hook_signer_ok(struct audit_hook *h, char *why, size_t whysize)
{
	int64_t now = vigil_time_now_ms();

	/* A dead signer closes its socket (→ fd -1); a stuck one misses
	 * the deadline of the next checkpoint request. With nothing to
	 * sign since start-up there is nothing to hold against it. */
	if (h->fd < 0 || h->timed_out) {
		snprintf(why, whysize, "%s", h->why);
		return false;
	}
	if (h->outstanding && now - h->sent_ms > AUDIT_HOOK_SIGNER_TIMEOUT_MS) {
		snprintf(why, whysize, "signer has not answered for %lld ms",
		    (long long)(now - h->sent_ms));
		return false;
	}
	return true;
}

int
audit_hook_signer_fd(const struct audit_hook *h)
{
	return h != NULL ? h->fd : -1;
}

int64_t
audit_hook_checkpoint_seq(const struct audit_hook *h)
{
	return h != NULL ? h->ckpt_seq : 0;
}
