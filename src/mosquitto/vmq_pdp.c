/*
 * The plugin's connection to vigild's decision point (pdp_wire.h): a
 * UNIX stream socket used from the broker's single thread, so every
 * wait is bounded by poll() with the configured timeout — the broker
 * must never hang on vigild. HELLO/WELCOME on connect, one DECIDE /
 * DECISION round trip per question, EPOCH pushes drained without
 * blocking. Any failure closes the connection (an answer arriving
 * after a timeout must not be taken for the next question's) and the
 * caller denies; a new connection is tried at most every
 * VMQ_RECONNECT_MS so a broker under load does not hammer a dead
 * socket, yet recovers quickly when vigild returns.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmq.h"

#define AGENT "vigil_mosquitto/1 mosquitto/2.0"

enum pdp_state { ST_NEVER, ST_UP, ST_DOWN };

struct vmq_pdp {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;
	int fd;
	enum pdp_state logged; /* what the log last said */
	uint32_t next_id;
	uint64_t epoch;
	uint64_t conn;         /* connections made; 0 = never */
	uint32_t ttl_ms;
	bool recheck;
	int64_t last_try_ms;
	size_t rlen;
	struct vigil_pdpw_msg msg; /* large: kept off the stack */
	uint8_t rbuf[4 + VIGIL_PDPW_FRAME_MAX];
	uint8_t wbuf[4 + VIGIL_PDPW_FRAME_MAX];
};

int64_t
vmq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct vmq_pdp *
vmq_pdp_new(const char *path, int timeout_ms)
{
	struct vmq_pdp *p;

	if (strlen(path) >= sizeof(p->path))
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	memcpy(p->path, path, strlen(path) + 1);
	p->timeout_ms = timeout_ms;
	p->fd = -1;
	p->next_id = 1;
	p->last_try_ms = vmq_now_ms() - VMQ_RECONNECT_MS;
	return p;
}

void
vmq_pdp_free(struct vmq_pdp *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

/* Closes the connection; the log says so once per outage. */
static void
pdp_down(struct vmq_pdp *p, const char *why)
{
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	p->rlen = 0;
	if (p->logged != ST_DOWN) {
		vmq_log(VMQ_ERR, "vigil: decision point %s: %s; denying "
		    "until it is back (retry every %d ms)", p->path, why,
		    VMQ_RECONNECT_MS);
		p->logged = ST_DOWN;
	}
}

static int
remaining(int64_t deadline)
{
	int64_t r = deadline - vmq_now_ms();

	return r < 0 ? 0 : (int)r;
}

static int
write_all(struct vmq_pdp *p, const uint8_t *b, size_t n, int64_t deadline)
{
	char why[96];

	while (n > 0) {
		ssize_t w = send(p->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { .fd = p->fd, .events = POLLOUT };
			int rc = poll(&pf, 1, remaining(deadline));

			if (rc > 0 || (rc < 0 && errno == EINTR))
				continue;
			pdp_down(p, rc == 0 ? "write timed out" :
			    "poll failed");
			return -1;
		}
		snprintf(why, sizeof(why), "write: %s",
		    w < 0 ? strerror(errno) : "nothing written");
		pdp_down(p, why);
		return -1;
	}
	return 0;
}

/*
 * The next frame into p->msg. block: wait until deadline. 1 a frame, 0
 * none yet (only when not blocking), -1 the connection is gone (closed
 * and logged).
 */
static int
read_frame(struct vmq_pdp *p, bool block, int64_t deadline)
{
	char err[160], why[200];

	for (;;) {
		size_t used = 0;
		int rc = vigil_pdpw_decode(p->rbuf, p->rlen, &p->msg, &used,
		    err, sizeof(err));
		ssize_t r;

		if (rc == 1) {
			memmove(p->rbuf, p->rbuf + used, p->rlen - used);
			p->rlen -= used;
			return 1;
		}
		if (rc < 0) {
			snprintf(why, sizeof(why), "malformed message: %s",
			    err);
			pdp_down(p, why);
			return -1;
		}
		r = recv(p->fd, p->rbuf + p->rlen, sizeof(p->rbuf) - p->rlen,
		    MSG_DONTWAIT);
		if (r > 0) {
			p->rlen += (size_t)r;
			continue;
		}
		if (r == 0) {
			pdp_down(p, "vigild closed the connection");
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(why, sizeof(why), "read: %s",
			    strerror(errno));
			pdp_down(p, why);
			return -1;
		}
		if (!block)
			return 0;
		{
			struct pollfd pf = { .fd = p->fd, .events = POLLIN };
			int prc = poll(&pf, 1, remaining(deadline));

			if (prc == 0) {
				snprintf(why, sizeof(why), "no answer within "
				    "%d ms", p->timeout_ms);
				pdp_down(p, why);
				return -1;
			}
			if (prc < 0 && errno != EINTR) {
				pdp_down(p, "poll failed");
				return -1;
			}
		}
	}
}

static void
epoch_seen(struct vmq_pdp *p, uint64_t epoch)
{
	if (epoch != p->epoch) {
		p->epoch = epoch;
		p->recheck = true;
	}
}

/* A message that is not the answer being waited for. 0 handled, -1
 * the connection was closed. */
static int
unsolicited(struct vmq_pdp *p)
{
	char why[VIGIL_PDPW_TEXT_MAX + 40];

	switch (p->msg.type) {
	case VIGIL_PDPW_EPOCH:
		epoch_seen(p, p->msg.epoch);
		return 0;
	case VIGIL_PDPW_DECISION:
		/* The answer to a question we gave up on: never here, as a
		 * timeout closes the connection; harmless anyway. */
		return 0;
	case VIGIL_PDPW_ERROR:
		snprintf(why, sizeof(why), "vigild says: %s", p->msg.text);
		pdp_down(p, why);
		return -1;
	default:
		snprintf(why, sizeof(why), "unexpected message type %d",
		    (int)p->msg.type);
		pdp_down(p, why);
		return -1;
	}
}

static int
send_msg(struct vmq_pdp *p, const struct vigil_pdpw_msg *m, int64_t deadline)
{
	char err[160], why[200];
	long n = vigil_pdpw_encode(m, p->wbuf, sizeof(p->wbuf), err,
	    sizeof(err));

	if (n < 0) {
		/* Our input (a topic, a client id), not the connection:
		 * deny this one question and keep the connection. */
		snprintf(why, sizeof(why), "vigil: not asking the decision "
		    "point: %s", err);
		vmq_log(VMQ_NOTICE, "%s", why);
		return -2;
	}
	return write_all(p, p->wbuf, (size_t)n, deadline);
}

static int
pdp_connect(struct vmq_pdp *p)
{
	struct sockaddr_un sa;
	struct vigil_pdpw_msg hello;
	int64_t deadline = vmq_now_ms() + p->timeout_ms;
	char why[160];

	p->last_try_ms = vmq_now_ms();
	p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (p->fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		pdp_down(p, why);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, p->path, strlen(p->path) + 1);
	if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		/* A full backlog (EAGAIN) is an outage like any other. */
		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		pdp_down(p, why);
		return -1;
	}
	memset(&hello, 0, sizeof(hello));
	hello.type = VIGIL_PDPW_HELLO;
	snprintf(hello.text, sizeof(hello.text), "%s", AGENT);
	if (send_msg(p, &hello, deadline) != 0) {
		pdp_down(p, "cannot send HELLO");
		return -1;
	}
	if (read_frame(p, true, deadline) != 1)
		return -1;
	if (p->msg.type != VIGIL_PDPW_WELCOME) {
		if (p->msg.type == VIGIL_PDPW_ERROR)
			snprintf(why, sizeof(why), "HELLO refused: %.120s",
			    p->msg.text);
		else
			snprintf(why, sizeof(why), "message type %d instead "
			    "of WELCOME", (int)p->msg.type);
		pdp_down(p, why);
		return -1;
	}
	p->epoch = p->msg.epoch;
	p->ttl_ms = p->msg.cache_ttl_ms;
	p->conn++;
	/* Pushes may have been missed while down. */
	p->recheck = true;
	if (p->logged != ST_UP) {
		vmq_log(VMQ_NOTICE, "vigil: decision point %s: connected "
		    "(%s, epoch %llu, cache %u ms)", p->path, p->msg.text,
		    (unsigned long long)p->epoch, (unsigned)p->ttl_ms);
		p->logged = ST_UP;
	}
	return 0;
}

void
vmq_pdp_poll(struct vmq_pdp *p)
{
	if (p->fd < 0) {
		if (vmq_now_ms() - p->last_try_ms >= VMQ_RECONNECT_MS)
			(void)pdp_connect(p);
		return;
	}
	while (read_frame(p, false, 0) == 1)
		if (unsolicited(p) != 0)
			return;
}

bool
vmq_pdp_up(const struct vmq_pdp *p)
{
	return p->fd >= 0;
}

uint64_t
vmq_pdp_epoch(const struct vmq_pdp *p)
{
	return p->epoch;
}

uint64_t
vmq_pdp_conn(const struct vmq_pdp *p)
{
	return p->conn;
}

uint32_t
vmq_pdp_ttl_ms(const struct vmq_pdp *p)
{
	return p->ttl_ms;
}

bool
vmq_pdp_take_recheck(struct vmq_pdp *p)
{
	bool r = p->recheck;

	p->recheck = false;
	return r;
}

static void
copy_field(char *dst, size_t size, const char *src)
{
	size_t n = src == NULL ? 0 : strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src == NULL ? "" : src, n);
	dst[n] = '\0';
}

/* Builds the DECIDE of one question into p->msg; -1 when a field is
 * too long (denied rather than cut: a cut topic could be allowed where
 * the real one is not). */
static int
build_decide(struct vmq_pdp *p, const struct vmq_ask *a, uint32_t id)
{
	struct vigil_pdpw_msg *q = &p->msg;

	if ((a->client_id != NULL && strlen(a->client_id) >
	    VIGIL_PDPW_CLIENT_ID_MAX) ||
	    (a->serial != NULL && strlen(a->serial) > VIGIL_PDPW_SERIAL_MAX) ||
	    (a->source_ip != NULL && strlen(a->source_ip) >
	    VIGIL_PDPW_IP_MAX) ||
	    (a->resource != NULL && strlen(a->resource) >
	    VIGIL_PDPW_RESOURCE_MAX))
		return -1;
	memset(q, 0, sizeof(*q));
	q->type = VIGIL_PDPW_DECIDE;
	q->id = id;
	q->action = (uint8_t)a->action;
	copy_field(q->client_id, sizeof(q->client_id), a->client_id);
	copy_field(q->cert_serial, sizeof(q->cert_serial), a->serial);
	copy_field(q->source_ip, sizeof(q->source_ip), a->source_ip);
	copy_field(q->resource, sizeof(q->resource), a->resource);
	return 0;
}

static uint32_t
take_id(struct vmq_pdp *p)
{
	uint32_t id = p->next_id++;

	if (p->next_id == 0)
		p->next_id = 1;
	return id;
}

/* The DECISION in p->msg into *out. */
static void
take_decision(struct vmq_pdp *p, struct vmq_decision *out)
{
	out->allow = p->msg.effect == 1;
	out->cacheable = (p->msg.dflags & VIGIL_PDPW_CACHEABLE) != 0;
	out->epoch = p->msg.epoch;
	copy_field(out->device_id, sizeof(out->device_id), p->msg.device_id);
	copy_field(out->reason, sizeof(out->reason), p->msg.text);
	/* A decision made at a newer generation means a push is on its
	 * way; act on it now. */
	if (p->msg.epoch > p->epoch)
		epoch_seen(p, p->msg.epoch);
}

int
vmq_pdp_decide_batch(struct vmq_pdp *p, const struct vmq_ask *asks,
    size_t n, struct vmq_decision *out)
{
	uint32_t ids[VMQ_WINDOW];
	size_t sent = 0, got = 0;

	vmq_pdp_poll(p);
	if (p->fd < 0)
		return -1;
	while (got < n) {
		/* Fill the window; a question that cannot be asked (a field
		 * too long) is answered "deny" at once, in order. */
		while (sent < n && sent - got < VMQ_WINDOW) {
			int64_t deadline = vmq_now_ms() + p->timeout_ms;
			uint32_t id = take_id(p);
			int rc;

			memset(&out[sent], 0, sizeof(out[sent]));
			if (build_decide(p, &asks[sent], id) != 0) {
				ids[sent % VMQ_WINDOW] = 0;
				sent++;
				continue;
			}
			ids[sent % VMQ_WINDOW] = id;
			rc = send_msg(p, &p->msg, deadline);
			if (rc == -2) {
				ids[sent % VMQ_WINDOW] = 0;
			} else if (rc != 0)
				return -1;
			sent++;
		}
		if (ids[got % VMQ_WINDOW] == 0) {
			got++; /* never asked: a deny */
			continue;
		}
		if (read_frame(p, true, vmq_now_ms() + p->timeout_ms) != 1)
			return -1;
		if (p->msg.type == VIGIL_PDPW_DECISION &&
		    p->msg.id == ids[got % VMQ_WINDOW]) {
			take_decision(p, &out[got]);
			got++;
			continue;
		}
		if (unsolicited(p) != 0)
			return -1;
	}
	return 0;
}

int
vmq_pdp_decide(struct vmq_pdp *p, enum vigil_pdpw_action action,
    const char *client_id, const char *serial, const char *source_ip,
    const char *resource, struct vmq_decision *out)
{
	struct vmq_ask a = { action, client_id, serial, source_ip, resource };
	int64_t deadline;
	uint32_t id;

	memset(out, 0, sizeof(*out));
	vmq_pdp_poll(p);
	if (p->fd < 0)
		return -1;
	id = take_id(p);
	if (build_decide(p, &a, id) != 0)
		return -1;
	deadline = vmq_now_ms() + p->timeout_ms;
	if (send_msg(p, &p->msg, deadline) != 0)
		return -1;
	for (;;) {
		if (read_frame(p, true, deadline) != 1)
			return -1;
		if (p->msg.type == VIGIL_PDPW_DECISION && p->msg.id == id)
			break;
		if (unsolicited(p) != 0)
			return -1;
	}
	take_decision(p, out);
	return 0;
}
