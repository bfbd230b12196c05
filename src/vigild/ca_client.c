/*
 * A net worker's PKI requests to the signer (ca_client.h): issuance,
 * OCSP answers and CRL regeneration, sent over the worker's signer
 * socket (owned by audit_hook.c, which hands the IPC_CA_* answers
 * back here) and matched to their callers by request id.
 *
 * The pending table is a fixed array of CA_CLIENT_MAX_PENDING slots: a
 * request id is (sequence << 10 | slot), so an answer finds its slot
 * at once and a late answer to a slot that has been reused since
 * (after a timeout) does not match the new occupant. One 100 ms timer
 * runs while anything is pending and fails requests older than
 * CA_CLIENT_TIMEOUT_MS: a stuck signer must never keep a device's
 * request (and its connection) waiting without bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "audit_hook.h"
#include "ca_client.h"
#include "log.h"
#include "net_worker.h"
#include "vigil/core.h"

#define SLOT_BITS 10
#define NSLOTS CA_CLIENT_MAX_PENDING /* 1 << SLOT_BITS */
#define TICK_MS 100L

struct pending {
	uint32_t reqid;        /* 0 = free */
	enum ipc_type answer;  /* the answer type it waits for */
	ca_client_cb cb;
	void *arg;
	int64_t deadline_ms;
};

struct ca_client {
	struct net_worker *w;
	struct event *tick;
	struct pending slots[NSLOTS];
	unsigned n;
	uint32_t seq;
	unsigned next_free; /* where to start looking */
};

_Static_assert(NSLOTS == 1u << SLOT_BITS, "slot bits match the table");

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ca_client *c = arg;
	int64_t now = vigil_time_now_ms();
	static const char why[] = "signer did not answer within 5 s";

	(void)fd;
	(void)what;
	for (unsigned i = 0; i < NSLOTS && c->n > 0; i++) {
		struct pending p = c->slots[i];

		if (p.reqid == 0 || p.deadline_ms > now)
			continue;
		memset(&c->slots[i], 0, sizeof c->slots[i]);
		c->n--;
		vlog(VLOG_WARN, "pki.signer", "request %u: %s", p.reqid, why);
		if (p.cb != NULL)
			p.cb(p.arg, VIGIL_EIO, (const uint8_t *)why,
			    sizeof why - 1);
	}
	if (c->n > 0)
		evtimer_add(c->tick, &(struct timeval){ .tv_usec =
		    TICK_MS * 1000 });
}

struct ca_client *
ca_client_new(struct net_worker *w)
{
	struct ca_client *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->w = w;
	if ((c->tick = evtimer_new(w->base, tick_cb, c)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

/* Fails every pending request with why (callbacks run; they may start
 * new requests, which go into freed slots). */
static void
fail_all(struct ca_client *c, const char *why)
{
	for (unsigned i = 0; i < NSLOTS && c->n > 0; i++) {
		struct pending p = c->slots[i];

		if (p.reqid == 0)
			continue;
		memset(&c->slots[i], 0, sizeof c->slots[i]);
		c->n--;
		if (p.cb != NULL)
			p.cb(p.arg, VIGIL_EIO, (const uint8_t *)why,
			    strlen(why));
	}
}

void
ca_client_free(struct ca_client *c)
{
	if (c == NULL)
		return;
	fail_all(c, "worker is shutting down");
	event_free(c->tick);
	free(c);
}

void
ca_client_signer_reset(struct ca_client *c)
{
	if (c != NULL && c->n > 0)
		fail_all(c, "signer restarted");
}

/* A free slot with a fresh request id, or NULL when the table is
 * full. */
static struct pending *
slot_take(struct ca_client *c)
{
	for (unsigned k = 0; k < NSLOTS; k++) {
		unsigned i = (c->next_free + k) % NSLOTS;

		if (c->slots[i].reqid != 0)
			continue;
		c->next_free = (i + 1) % NSLOTS;
		if (++c->seq >= (1u << (32 - SLOT_BITS)))
			c->seq = 1;
		c->slots[i].reqid = c->seq << SLOT_BITS | i;
		return &c->slots[i];
	}
	return NULL;
}

static int
send_req(struct ca_client *c, enum ipc_type type, enum ipc_type answer,
    void *fixed, size_t fixed_len, uint32_t *reqid_field, const void *data,
    size_t len, ca_client_cb cb, void *arg, char *err, size_t errsize)
{
	int fd = audit_hook_signer_fd(c->w->ah);
	struct pending *p;

	if (fd < 0) {
		snprintf(err, errsize, "no connection to the signer (it is "
		    "restarting)");
		return -1;
	}
	if (fixed_len + len > IPC_MAX_PAYLOAD) {
		snprintf(err, errsize, "request of %zu bytes exceeds the IPC "
		    "limit of %d", fixed_len + len, IPC_MAX_PAYLOAD);
		return -1;
	}
	if ((p = slot_take(c)) == NULL) {
		snprintf(err, errsize, "%d signer requests already waiting",
		    CA_CLIENT_MAX_PENDING);
		return -1;
	}
	*reqid_field = p->reqid;
	if (ipc_send2(fd, type, fixed, fixed_len, data, len) != 0) {
		snprintf(err, errsize, "sending %s to the signer: %s",
		    ipc_type_name(type), errno == EAGAIN ||
		    errno == EWOULDBLOCK ? "its queue is full" :
		    strerror(errno));
		memset(p, 0, sizeof *p);
		return -1;
	}
	p->answer = answer;
	p->cb = cb;
	p->arg = arg;
	p->deadline_ms = vigil_time_now_ms() + CA_CLIENT_TIMEOUT_MS;
	if (c->n++ == 0)
		evtimer_add(c->tick, &(struct timeval){ .tv_usec =
		    TICK_MS * 1000 });
	return 0;
}

int
ca_client_issue(struct ca_client *c, struct ipc_ca_issue_req *req,
    const uint8_t *csr, size_t csr_len, ca_client_cb cb, void *arg,
    char *err, size_t errsize)
{
	if (csr_len == 0 || csr_len > IPC_CA_CSR_MAX) {
		snprintf(err, errsize, "CSR of %zu bytes; 1..%d allowed",
		    csr_len, IPC_CA_CSR_MAX);
		return -1;
	}
	req->csr_len = (uint16_t)csr_len;
	return send_req(c, IPC_CA_ISSUE_REQ, IPC_CA_ISSUE_RES, req,
	    sizeof *req, &req->reqid, csr, csr_len, cb, arg, err, errsize);
}

/* Copies a CA id into a NUL-padded fixed field; -1 when too long. */
static int
copy_id(char dst[IPC_CA_ID_LEN], const char *id, char *err, size_t errsize)
{
	size_t n = id != NULL ? strlen(id) : 0;

	memset(dst, 0, IPC_CA_ID_LEN);
	if (n >= IPC_CA_ID_LEN) {
		snprintf(err, errsize, "CA id of %zu characters is too long",
		    n);
		return -1;
	}
	if (n > 0)
		memcpy(dst, id, n + 1);
	return 0;
}

int
ca_client_ocsp(struct ca_client *c, const char *ca_id, const uint8_t *der,
    size_t len, ca_client_cb cb, void *arg, char *err, size_t errsize)
{
	struct ipc_ca_ocsp_req req;

	memset(&req, 0, sizeof req);
	if (len == 0 || len > IPC_CA_DATA_MAX - sizeof req) {
		snprintf(err, errsize, "OCSP request of %zu bytes; 1..%zu "
		    "allowed", len, IPC_CA_DATA_MAX - sizeof req);
		return -1;
	}
	if (copy_id(req.ca_id, ca_id, err, errsize) != 0)
		return -1;
	req.len = (uint32_t)len;
	return send_req(c, IPC_CA_OCSP_REQ, IPC_CA_OCSP_RES, &req, sizeof req,
	    &req.reqid, der, len, cb, arg, err, errsize);
}

int
ca_client_crl(struct ca_client *c, const char *ca_id, ca_client_cb cb,
    void *arg, char *err, size_t errsize)
{
	struct ipc_ca_crl_req req;

	memset(&req, 0, sizeof req);
	if (copy_id(req.ca_id, ca_id, err, errsize) != 0)
		return -1;
	return send_req(c, IPC_CA_CRL_REQ, IPC_CA_CRL_RES, &req, sizeof req,
	    &req.reqid, NULL, 0, cb, arg, err, errsize);
}

void
ca_client_on_msg(struct ca_client *c, const struct ipc_msg *m)
{
	uint32_t id = m->ca_res.reqid;
	struct pending p, *s = &c->slots[id & (NSLOTS - 1)];

	if (id == 0 || s->reqid != id || s->answer != m->type) {
		/* Timed out already, or not ours: nobody waits for it. */
		vlog(VLOG_DEBUG, "pki.signer", "%s for request %u that "
		    "nobody waits for ignored", ipc_type_name(m->type), id);
		return;
	}
	p = *s;
	memset(s, 0, sizeof *s);
	c->n--;
	if (c->n == 0)
		evtimer_del(c->tick);
	if (p.cb != NULL)
		p.cb(p.arg, (enum vigil_err)m->ca_res.status, m->data,
		    m->data_len);
}
