/*
 * collector — the process that takes in flows and sessions from the
 * network and runs detection on them (collector.h).
 *
 * SECURITY. The collector parses untrusted input from anyone who can
 * reach its ports: NetFlow v5/v9 and IPFIX export packets over UDP,
 * IPFIX messages over TCP, RADIUS accounting requests, and the lines of
 * a Zeek conn.log. Every packet goes through the bounded readers of
 * libvigil (flow.h), which never trust a length they read; a stream
 * that breaks IPFIX framing is closed; TCP connections, their buffers
 * and their idle time are bounded. RADIUS requests are acted upon only
 * when their Request Authenticator verifies with the shared secret
 * (read once at start from a 0600 file and wiped at exit); a refused
 * request gets no answer, is counted, and is logged and audited at
 * most once a minute per sending address, so a flood cannot fill the
 * log or the audit chain. It holds no key: no TLS key, no CA or audit
 * key. It has its own store connection (alerts, shadow findings,
 * sessions, audit entries for its responses). It talks to the parent
 * only (config, shutdown, IPC_READY, and IPC_EPOCH when one of its
 * automatic responses changed access). Before it reads any input it
 * drops to the configured user, sets no-new-privs and enters a seccomp
 * allow-list (sandbox_enter_collector): no exec, no fork, no
 * threads, no ptrace, no setuid, no bind or listen; files can be opened because SQLite and the followed Zeek log
 * (which rotates) need it. It must never act on an unverified RADIUS
 * request, block its loop on an output, or log a secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "collector.h"
#include "ipc.h"
#include "child_ipc.h"
#include "log.h"
#include "metrics_rec.h"
#include "proc.h"
#include "sandbox.h"
#include "vigil/audit.h"
#include "vigil/store.h"

/* recvmmsg batch size, and how many batches one wake-up may read
 * before the loop turns to the other sockets and the timers (the
 * event fires again while datagrams are waiting). */
#define COLL_BATCH 64
#define COLL_BATCHES_PER_WAKE 32
/* Decoded flows handed to the pipeline together (coll_pipeline_flows):
 * the flows of one recvmmsg batch of datagrams, of the messages of one
 * TCP read, or of one chunk of Zeek lines, so the engine can overlap
 * their state loads; flushed when full and at the end of each batch,
 * read or chunk, so nothing waits for a later one. */
#define COLL_FLOW_BATCH VIGIL_DETECT_BATCH
/* IPFIX over TCP: connections, per-connection buffer (two maximal
 * messages, so a complete one always fits after a partial one), and
 * idle time after which a silent exporter is disconnected (exporters
 * send templates every few minutes; ten is generous). */
#define COLL_TCP_MAX 64
#define COLL_TCP_BUF ((size_t)2 * 65535)
#define COLL_TCP_IDLE_MS (600L * 1000)
/* Templates of all exporters, and how long a UDP template lives
 * without being refreshed (RFC 7011 §8.4 leaves it to the collector;
 * exporters resend far more often). */
#define COLL_TEMPLATES_MAX 4096
#define COLL_TEMPLATE_TTL_MS (1800L * 1000)
/* The Zeek log is read at most this much per tick, so catching up on
 * a large file never stalls the flow sockets. */
#define COLL_ZEEK_READ_MAX (8u << 20)
/* RADIUS: the shared secret's largest accepted size, and the table of
 * senders whose refusals are logged and audited once a minute. */
#define COLL_SECRET_MAX 1024
#define COLL_NAS_MAX 64
#define COLL_REFUSED_EVERY_MS (60L * 1000)
/* Counters are logged when they changed, at most this often. */
#define COLL_STATS_EVERY_MS (10L * 1000)

struct coll;

struct tcp_conn {
	struct coll *c;
	int fd;              /* -1: free slot */
	struct event *ev;
	uint32_t exporter;
	char peer[VIGIL_FLOW_IP_STRLEN + 8];
	uint8_t *buf;        /* COLL_TCP_BUF */
	size_t len;
	int64_t last_ms;
};

struct nas_note {
	char ip[VIGIL_FLOW_IP_STRLEN];
	uint64_t refused;     /* since the last log line */
	int64_t logged_ms;
	int64_t audited_ms;
};

struct zeek_follow {
	int fd;               /* -1: not open (missing or not yet) */
	dev_t dev;
	ino_t ino;
	off_t off;            /* bytes read so far */
	off_t skip_until;     /* data lines before this offset were there
			       * at start: headers only */
	struct vigil_zeek_reader *r;
	char *line;           /* VIGIL_ZEEK_LINE_MAX + 1 */
	size_t len;
	bool overlong;        /* discarding until the next newline */
	bool missing_logged;
	uint64_t lineno;
};

struct coll {
	struct collector_ctx *ctx;
	struct vigild_config cfg;
	struct event_base *base;
	struct vigil_store *st;
	struct coll_pipeline *pipe;
	struct vigil_flow_templates *tmpl;
	struct event *parent_ev, *flow_ev, *tcp_ev, *radius_ev, *tick_ev;
	/* UDP batch */
	uint8_t *bufs;        /* COLL_BATCH * VIGIL_FLOWPKT_MAX */
	struct mmsghdr msgs[COLL_BATCH];
	struct iovec iov[COLL_BATCH];
	struct sockaddr_storage from[COLL_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctrl[COLL_BATCH];
	struct tcp_conn tcp[COLL_TCP_MAX];
	unsigned ntcp;
	struct zeek_follow zk;
	struct vigil_flow fbatch[COLL_FLOW_BATCH];
	size_t nfbatch;
	uint8_t secret[COLL_SECRET_MAX];
	size_t secret_len;
	struct nas_note nas[COLL_NAS_MAX];
	/* Counters of what this file saw (the pipeline counts the rest). */
	struct vigil_flow_stats fstats;
	uint64_t radius_ok, radius_bad, udp_drops, tcp_refused;
	uint64_t last_sig;
	int64_t stats_ms;
	int64_t err_log_ms;   /* decoder errors: one line per second */
	uint64_t err_suppressed;
	bool stopping;
	int exit_status;
};

static int64_t
now_ms(void)
{
	return vigil_time_now_ms();
}

/* ---- Flows ---------------------------------------------------------- */

static void
flows_flush(struct coll *c)
{
	if (c->nfbatch > 0)
		coll_pipeline_flows(c->pipe, c->fbatch, c->nfbatch);
	c->nfbatch = 0;
}

/* Queues one decoded flow; the batch goes to the pipeline when full. */
static void
flows_add(struct coll *c, const struct vigil_flow *f)
{
	c->fbatch[c->nfbatch++] = *f;
	if (c->nfbatch == COLL_FLOW_BATCH)
		flows_flush(c);
}

static int
on_flow(void *arg, const struct vigil_flow *f)
{
	flows_add(arg, f);
	return 0;
}

/* The exporter id: FNV-1a over the sender's address and port, so
 * templates of different exporters (or of two on one host) never mix. */
static uint32_t
exporter_id(const struct sockaddr_storage *ss)
{
	const uint8_t *p;
	size_t n;
	uint32_t h = 2166136261u;
	uint16_t port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		p = s6->sin6_addr.s6_addr;
		n = 16;
		port = s6->sin6_port;
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		p = (const uint8_t *)&s4->sin_addr;
		n = 4;
		port = s4->sin_port;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (uint8_t)(port >> 8)) * 16777619u;
	h = (h ^ (uint8_t)port) * 16777619u;
	return h == 0 ? 1 : h; /* 0 means "offline" in flow.h */
}

static void
addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	uint8_t a[16] = { 0 };
	char ip[VIGIL_FLOW_IP_STRLEN];
	unsigned port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		memcpy(a, s6->sin6_addr.s6_addr, 16);
		vigil_flow_addr_str(6, a, ip);
		port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		memcpy(a, &s4->sin_addr, 4);
		vigil_flow_addr_str(4, a, ip);
		port = ntohs(s4->sin_port);
	} else {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%s:%u", ip, port);
}

/* Decoder errors name the sender; a flood of garbage gives one line a
 * second and a count of the rest. */
static void
decode_error(struct coll *c, const char *from, const char *err)
{
	int64_t t = now_ms();

	if (t - c->err_log_ms < 1000) {
		c->err_suppressed++;
		return;
	}
	vlog(VLOG_WARN, "collector.malformed", "%s: %s%s", from, err,
	    c->err_suppressed > 0 ? " (and earlier ones not logged)" : "");
	c->err_log_ms = t;
	c->err_suppressed = 0;
}

static void
decode_packet(struct coll *c, uint32_t exporter, const char *from,
    const uint8_t *pkt, size_t len)
{
	char err[256];

	/* The caller flushes the batch (also the flows decoded before an
	 * error stopped the decoder). */
	if (vigil_flowpkt_decode(c->tmpl, exporter, pkt, len, now_ms(),
	    on_flow, c, &c->fstats, err, sizeof err) != VIGIL_OK)
		decode_error(c, from, err);
}

/* SO_RXQ_OVFL: the kernel's count of datagrams dropped on the socket
 * (buffer full) so far, carried on each received one. */
static void
note_drops(struct coll *c, const struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL;
	    cm = CMSG_NXTHDR((struct msghdr *)mh, cm)) {
		uint32_t v;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SO_RXQ_OVFL ||
		    cm->cmsg_len < CMSG_LEN(sizeof v))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof v);
		if (v > c->udp_drops)
			c->udp_drops = v;
	}
}

static void
flow_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coll *c = arg;

	(void)what;
	for (unsigned b = 0; b < COLL_BATCHES_PER_WAKE; b++) {
		int n;

		for (unsigned i = 0; i < COLL_BATCH; i++) {
			struct msghdr *mh = &c->msgs[i].msg_hdr;

			c->iov[i].iov_base = c->bufs +
			    (size_t)i * VIGIL_FLOWPKT_MAX;
			c->iov[i].iov_len = VIGIL_FLOWPKT_MAX;
			memset(mh, 0, sizeof *mh);
			mh->msg_name = &c->from[i];
			mh->msg_namelen = sizeof c->from[i];
			mh->msg_iov = &c->iov[i];
			mh->msg_iovlen = 1;
			mh->msg_control = c->ctrl[i].buf;
			mh->msg_controllen = sizeof c->ctrl[i].buf;
			c->msgs[i].msg_len = 0;
		}
		n = recvmmsg(fd, c->msgs, COLL_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				vlog(VLOG_WARN, "collector.udp", "recvmmsg: %s",
				    strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &c->msgs[i].msg_hdr;
			char from[VIGIL_FLOW_IP_STRLEN + 8];

			note_drops(c, mh);
			if (mh->msg_flags & MSG_TRUNC) {
				/* Longer than any export packet may be. */
				c->fstats.packets++;
				c->fstats.malformed++;
				continue;
			}
			addr_text(&c->from[i], from, sizeof from);
			decode_packet(c, exporter_id(&c->from[i]), from,
			    c->bufs + (size_t)i * VIGIL_FLOWPKT_MAX,
			    c->msgs[i].msg_len);
		}
		flows_flush(c);
		if (n < COLL_BATCH)
			return;
	}
}

/* ---- IPFIX over TCP ------------------------------------------------- */

static void
tcp_close(struct tcp_conn *t, const char *why)
{
	if (t->fd < 0)
		return;
	vlog(VLOG_INFO, "collector.tcp", "%s: closed: %s", t->peer, why);
	if (t->ev != NULL)
		event_free(t->ev);
	t->ev = NULL;
	close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
	t->len = 0;
	t->c->ntcp--;
}

/* Decodes every complete message at the start of the buffer; -1 when
 * the stream is not IPFIX (framing is lost for good). */
static int
tcp_frames(struct tcp_conn *t)
{
	size_t off = 0;
	int rc = 0;

	for (;;) {
		long ml = vigil_ipfix_msg_len(t->buf + off, t->len - off);

		if (ml < 0) {
			rc = -1;
			break;
		}
		if (ml == 0 || (size_t)ml > t->len - off)
			break;
		decode_packet(t->c, t->exporter, t->peer, t->buf + off,
		    (size_t)ml);
		off += (size_t)ml;
	}
	flows_flush(t->c);
	if (off > 0) {
		memmove(t->buf, t->buf + off, t->len - off);
		t->len -= off;
	}
	return rc;
}

static void
tcp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_conn *t = arg;
	ssize_t n;

	(void)what;
	n = read(fd, t->buf + t->len, COLL_TCP_BUF - t->len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		tcp_close(t, strerror(errno));
		return;
	}
	if (n == 0) {
		tcp_close(t, "end of stream");
		return;
	}
	t->len += (size_t)n;
	t->last_ms = now_ms();
	if (tcp_frames(t) != 0) {
		t->c->fstats.malformed++;
		tcp_close(t, "not an IPFIX message stream (version or "
		    "length field out of range)");
	}
}

static void
tcp_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct coll *c = arg;

	(void)what;
	for (int k = 0; k < COLL_TCP_MAX; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct tcp_conn *t = NULL;
		int fd;

		memset(&ss, 0, sizeof ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				vlog(VLOG_WARN, "collector.tcp", "accept: %s",
				    strerror(errno));
			return;
		}
		for (unsigned i = 0; i < COLL_TCP_MAX; i++)
			if (c->tcp[i].fd < 0) {
				t = &c->tcp[i];
				break;
			}
		if (t == NULL || (t->buf = malloc(COLL_TCP_BUF)) == NULL) {
			c->tcp_refused++;
			close(fd);
			continue;
		}
		t->fd = fd;
		t->len = 0;
		t->exporter = exporter_id(&ss);
		t->last_ms = now_ms();
		addr_text(&ss, t->peer, sizeof t->peer);
		t->ev = event_new(c->base, fd, EV_READ | EV_PERSIST,
		    tcp_read_cb, t);
		c->ntcp++;
		if (t->ev == NULL || event_add(t->ev, NULL) != 0) {
			tcp_close(t, "out of memory");
			continue;
		}
		vlog(VLOG_INFO, "collector.tcp", "%s: IPFIX exporter "
		    "connected", t->peer);
	}
}

static void
tcp_expire(struct coll *c, int64_t t)
{
	for (unsigned i = 0; i < COLL_TCP_MAX; i++)
		if (c->tcp[i].fd >= 0 &&
		    t - c->tcp[i].last_ms > COLL_TCP_IDLE_MS)
			tcp_close(&c->tcp[i], "idle");
}

/* ---- RADIUS accounting ---------------------------------------------- */

static struct nas_note *
nas_find(struct coll *c, const char *ip)
{
	struct nas_note *oldest = &c->nas[0];

	for (unsigned i = 0; i < COLL_NAS_MAX; i++) {
		struct nas_note *n = &c->nas[i];

		if (strcmp(n->ip, ip) == 0)
			return n;
		if (n->ip[0] == '\0' || (oldest->ip[0] != '\0' &&
		    n->logged_ms < oldest->logged_ms))
			oldest = n;
	}
	/* A new sender takes a free slot or the least recently logged
	 * one; at worst a forgotten sender is logged once more. */
	memset(oldest, 0, sizeof *oldest);
	oldest->logged_ms = oldest->audited_ms = -COLL_REFUSED_EVERY_MS;
	snprintf(oldest->ip, sizeof oldest->ip, "%s", ip);
	return oldest;
}

static void
radius_refused(struct coll *c, const char *ip, const char *err)
{
	struct nas_note *n = nas_find(c, ip);
	int64_t t = now_ms();
	char detail[512], object[VIGIL_FLOW_IP_STRLEN + 8];
	struct vigil_audit_event ev;

	c->radius_bad++;
	n->refused++;
	if (t - n->logged_ms >= COLL_REFUSED_EVERY_MS) {
		vlog(VLOG_WARN, "radius.refused", "accounting request from "
		    "%s refused (%llu in the last minute, no answer sent): "
		    "%s", ip, (unsigned long long)n->refused, err);
		n->logged_ms = t;
		n->refused = 0;
	}
	if (t - n->audited_ms < COLL_REFUSED_EVERY_MS)
		return;
	n->audited_ms = t;
	snprintf(detail, sizeof detail, "%s", err);
	snprintf(object, sizeof object, "nas/%s", ip);
	memset(&ev, 0, sizeof ev);
	ev.principal = "system:collector";
	ev.tenant_id = "";
	ev.source_ip = ip;
	ev.action = "radius.refused";
	ev.object = object;
	ev.outcome = "denied";
	ev.detail = detail;
	if (vigil_audit_append(c->st, &ev, NULL, NULL) != VIGIL_OK)
		vlog(VLOG_WARN, "audit.error", "radius.refused for %s: %s", ip,
		    vigil_store_errmsg(c->st));
}

static void
radius_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coll *c = arg;
	uint8_t pkt[VIGIL_RADIUS_MAX + 1], resp[64];

	(void)what;
	/* A bounded number per wake-up, like the flow socket. */
	for (unsigned k = 0; k < COLL_BATCH; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct vigil_radius_acct req;
		char err[256], from[VIGIL_FLOW_IP_STRLEN + 8], *colon;
		ssize_t n;
		long rl;

		memset(&ss, 0, sizeof ss);
		n = recvfrom(fd, pkt, sizeof pkt, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				vlog(VLOG_WARN, "collector.radius", "recvfrom: "
				    "%s", strerror(errno));
			return;
		}
		addr_text(&ss, from, sizeof from);
		/* The sender's address without the port names the NAS. */
		if ((colon = strrchr(from, ':')) != NULL)
			*colon = '\0';
		if ((size_t)n > VIGIL_RADIUS_MAX) {
			radius_refused(c, from, "packet longer than 4096 "
			    "bytes");
			continue;
		}
		if (vigil_radius_acct_parse(pkt, (size_t)n, c->secret,
		    c->secret_len, &req, err, sizeof err) != VIGIL_OK) {
			radius_refused(c, from, err);
			continue;
		}
		c->radius_ok++;
		coll_pipeline_session(c->pipe, &req);
		rl = vigil_radius_acct_response(&req, c->secret,
		    c->secret_len, resp, sizeof resp);
		if (rl > 0 && sendto(fd, resp, (size_t)rl, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, sl) < 0)
			vlog(VLOG_WARN, "collector.radius", "answering %s: %s",
			    from, strerror(errno));
	}
}

/* The shared secret: first line of a regular file that group and
 * others cannot access (like tls_key), read before the sandbox. */
static int
load_secret(struct coll *c, char *err, size_t errsize)
{
	char buf[COLL_SECRET_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (c->cfg.radius_secret[0] == '\0') {
		snprintf(err, errsize, "radius_listen is set but "
		    "radius_secret is not");
		return -1;
	}
	fd = open(c->cfg.radius_secret, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errsize, "radius_secret %.512s: %s",
		    c->cfg.radius_secret, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errsize, "radius_secret %.512s: not a regular file "
		    "with mode 0600 (mode %04o)", c->cfg.radius_secret,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	while (len < sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsize, "radius_secret %.512s: %s",
			    c->cfg.radius_secret, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof buf);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	len = strcspn(buf, "\r\n");
	if (len == 0 || len > COLL_SECRET_MAX) {
		snprintf(err, errsize, "radius_secret %.512s: the first line must "
		    "hold 1 to %d bytes", c->cfg.radius_secret,
		    COLL_SECRET_MAX);
		OPENSSL_cleanse(buf, sizeof buf);
		return -1;
	}
	memcpy(c->secret, buf, len);
	c->secret_len = len;
	OPENSSL_cleanse(buf, sizeof buf);
	return 0;
}

/* ---- Zeek conn.log following ---------------------------------------- */

static void
zeek_close(struct zeek_follow *z)
{
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	z->len = 0;
	z->overlong = false;
	vigil_zeek_reader_free(z->r);
	z->r = NULL;
}

/* Opens the log. At start only its header lines count (what was there
 * was seen by an earlier run, or is history); a file that appears or
 * replaces the old one later is read from its first byte. */
static void
zeek_open(struct coll *c, bool at_start)
{
	struct zeek_follow *z = &c->zk;
	struct stat st;
	int fd;

	fd = open(c->cfg.zeek_log, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd < 0) {
		if (!z->missing_logged)
			vlog(VLOG_WARN, "collector.zeek", "%s: %s (waiting "
			    "for it)", c->cfg.zeek_log, strerror(errno));
		z->missing_logged = true;
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    vigil_zeek_reader_new(&z->r) != VIGIL_OK) {
		if (!z->missing_logged)
			vlog(VLOG_WARN, "collector.zeek", "%s: not a regular "
			    "file, or out of memory", c->cfg.zeek_log);
		z->missing_logged = true;
		close(fd);
		return;
	}
	z->missing_logged = false;
	z->fd = fd;
	z->dev = st.st_dev;
	z->ino = st.st_ino;
	z->off = 0;
	z->skip_until = at_start ? st.st_size : 0;
	z->len = 0;
	z->overlong = false;
	z->lineno = 0;
	vlog(VLOG_INFO, "collector.zeek", "following %s%s", c->cfg.zeek_log,
	    at_start && st.st_size > 0 ? " (new lines only)" : "");
}

static void
zeek_line(struct coll *c, off_t end_off)
{
	struct zeek_follow *z = &c->zk;
	struct vigil_flow f;
	char err[256], where[CONFIG_PATH_MAX + 32];
	int rc;

	z->lineno++;
	c->fstats.packets++;
	/* Data lines that were in the file at start are history; header
	 * lines are needed to read the rest. */
	if (end_off <= z->skip_until && z->len > 0 && z->line[0] != '#') {
		c->fstats.skipped++;
		return;
	}
	rc = vigil_zeek_line(z->r, z->line, z->len, &f, err, sizeof err);
	if (rc == 1) {
		f.exporter = 0;
		c->fstats.records++;
		flows_add(c, &f);
	} else if (rc < 0) {
		c->fstats.malformed++;
		snprintf(where, sizeof where, "%s line %llu", c->cfg.zeek_log,
		    (unsigned long long)z->lineno);
		decode_error(c, where, err);
	} else {
		c->fstats.skipped++;
	}
}

/* Reads what is new, line by line; a line longer than the reader's
 * limit is refused and skipped to its end. */
static void
zeek_read(struct coll *c)
{
	struct zeek_follow *z = &c->zk;
	char chunk[65536];
	size_t total = 0;

	while (z->fd >= 0 && total < COLL_ZEEK_READ_MAX) {
		ssize_t n = read(z->fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		total += (size_t)n;
		for (ssize_t i = 0; i < n; i++) {
			off_t at = z->off + i + 1;

			if (chunk[i] == '\n') {
				if (z->overlong) {
					c->fstats.packets++;
					c->fstats.malformed++;
					z->lineno++;
					z->overlong = false;
				} else {
					z->line[z->len] = '\0';
					zeek_line(c, at);
				}
				z->len = 0;
				continue;
			}
			if (z->overlong)
				continue;
			if (z->len >= VIGIL_ZEEK_LINE_MAX) {
				z->overlong = true;
				z->len = 0;
				continue;
			}
			z->line[z->len++] = chunk[i];
		}
		z->off += n;
		/* The lines of this chunk go as one batch (at most
		 * COLL_FLOW_BATCH at a time). */
		flows_flush(c);
	}
}

/* Each second: open the log if it was missing, read what was added,
 * and notice truncation (read again from the start) and rotation (the
 * old file read to its end, then the new one from its start), as
 * tail -F does. */
static void
zeek_tick(struct coll *c)
{
	struct zeek_follow *z = &c->zk;
	struct stat st;

	if (c->cfg.zeek_log[0] == '\0')
		return;
	if (z->fd < 0) {
		zeek_open(c, false);
		zeek_read(c);
		return;
	}
	zeek_read(c);
	if (stat(c->cfg.zeek_log, &st) != 0)
		return; /* rotated away, the new one not there yet */
	if (st.st_dev != z->dev || st.st_ino != z->ino) {
		vlog(VLOG_INFO, "collector.zeek", "%s was rotated; following "
		    "the new file", c->cfg.zeek_log);
		zeek_read(c); /* the rest of the old file */
		zeek_close(z);
		zeek_open(c, false);
		zeek_read(c);
		return;
	}
	if (st.st_size < z->off) {
		vlog(VLOG_INFO, "collector.zeek", "%s was truncated; reading "
		    "it from the start", c->cfg.zeek_log);
		zeek_close(z);
		zeek_open(c, false);
		zeek_read(c);
	}
}

/* ---- Timer, stats, IPC ---------------------------------------------- */

static void
log_stats(struct coll *c, bool force)
{
	struct coll_stats s;
	uint64_t sig;
	int64_t t = now_ms();

	memset(&s, 0, sizeof s);
	coll_pipeline_stats(c->pipe, &s);
	sig = c->fstats.packets + c->fstats.records + c->fstats.malformed +
	    c->radius_ok + c->radius_bad + s.alerts + s.shadow + s.held +
	    c->udp_drops;
	if (!force && (sig == c->last_sig ||
	    t - c->stats_ms < COLL_STATS_EVERY_MS))
		return;
	c->last_sig = sig;
	c->stats_ms = t;
	vlog(VLOG_INFO, "collector.stats", "packets %llu, flows %llu, "
	    "malformed %llu, skipped %llu, no_template %llu, templates %llu "
	    "(%zu live), seq_gaps %llu, udp_drops %llu, tcp %u open "
	    "(%llu refused), radius ok %llu refused %llu, alerts %llu "
	    "(new %llu), shadow %llu, responses %llu (held %llu)",
	    (unsigned long long)c->fstats.packets,
	    (unsigned long long)c->fstats.records,
	    (unsigned long long)c->fstats.malformed,
	    (unsigned long long)c->fstats.skipped,
	    (unsigned long long)c->fstats.no_template,
	    (unsigned long long)c->fstats.templates,
	    vigil_flow_templates_count(c->tmpl),
	    (unsigned long long)c->fstats.seq_gaps,
	    (unsigned long long)c->udp_drops, c->ntcp,
	    (unsigned long long)c->tcp_refused,
	    (unsigned long long)c->radius_ok,
	    (unsigned long long)c->radius_bad,
	    (unsigned long long)s.alerts, (unsigned long long)s.alerts_new,
	    (unsigned long long)s.shadow, (unsigned long long)s.responses,
	    (unsigned long long)s.held);
}

/* The counters for GET /metrics (served by the net workers from the
 * shared mapping), once a second. */
static void
publish_metrics(struct coll *c)
{
	struct coll_stats s;
	struct metrics_coll m;

	if (c->ctx->metrics == NULL)
		return;
	memset(&s, 0, sizeof s);
	coll_pipeline_stats(c->pipe, &s);
	memset(&m, 0, sizeof m);
	m.packets = c->fstats.packets;
	m.records = c->fstats.records;
	m.malformed = c->fstats.malformed;
	m.no_template = c->fstats.no_template;
	m.udp_drops = c->udp_drops;
	m.radius_ok = c->radius_ok;
	m.radius_refused = c->radius_bad;
	m.alerts = s.alerts;
	m.alerts_new = s.alerts_new;
	m.shadow = s.shadow;
	m.responses = s.responses;
	m.held = s.held;
	m.entities = s.entities;
	m.models = s.models;
	metrics_collector_publish(c->ctx->metrics, &m);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coll *c = arg;
	int64_t t = now_ms();

	(void)fd;
	(void)what;
	zeek_tick(c);
	tcp_expire(c, t);
	coll_pipeline_tick(c->pipe, t);
	log_stats(c, false);
	publish_metrics(c);
}

/* The pipeline's responses changed access: the parent fans it out. */
static void
send_epoch(void *arg, int64_t seq, const char *object)
{
	struct coll *c = arg;
	struct ipc_epoch e;

	memset(&e, 0, sizeof e);
	e.epoch = seq > 0 ? (uint64_t)seq : 0;
	/* A quarantine blocks a device and a revocation revokes
	 * certificates: both are what EPOCH_KIND_REVOCATION announces. */
	e.kind = EPOCH_KIND_REVOCATION;
	snprintf(e.object, sizeof e.object, "%s", object != NULL &&
	    object[0] != '\0' ? object : "collector");
	if (ipc_send_epoch(c->ctx->parent_fd, &e) != 0)
		vlog(VLOG_WARN, "ipc.error", "cannot send IPC_EPOCH: %s",
		    strerror(errno));
}

static void
stop(struct coll *c, int status, const char *why)
{
	if (c->stopping)
		return;
	c->stopping = true;
	c->exit_status = status;
	vlog(VLOG_INFO, "collector.stop", "%s", why);
	event_base_loopbreak(c->base);
}

/* IPC_CONFIG: the parent sends the effective configuration, with the
 * keys that need a restart at their running values, so it is taken
 * whole; the pipeline keeps its old settings when the new ones are
 * wrong. */
static void
apply_config(struct coll *c, const struct ipc_msg *m)
{
	struct vigild_config n;
	char err[512];

	if (config_parse(m->text, m->text_len, "IPC_CONFIG", NULL, &n, err,
	    sizeof err) != 0) {
		vlog(VLOG_WARN, "config.reload", "new config refused, keeping "
		    "the old one: %s", err);
		return;
	}
	c->cfg = n;
	vlog_init("collector", c->cfg.log_target, c->cfg.log_format,
	    c->cfg.log_level);
	if (coll_pipeline_reconfigure(c->pipe, &c->cfg, err,
	    sizeof err) != 0) {
		vlog(VLOG_WARN, "config.reload", "detection, outputs and "
		    "responses keep their old settings: %s", err);
		return;
	}
	vlog(VLOG_INFO, "config.reload", "detection, outputs and responses "
	    "reloaded");
}

static void
parent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct coll *c = arg;
	struct ipc_msg *m;
	const char *why;
	int status, pfd;

	(void)what;
	m = child_ipc_recv(fd, PROC_COLLECTOR, &pfd, &status, &why);
	if (m == NULL) {
		if (status >= 0) {
			event_del(c->parent_ev);
			stop(c, status, why);
		}
		return;
	}
	switch (m->type) {
	case IPC_CONFIG:
		apply_config(c, m);
		break;
	case IPC_SHUTDOWN:
		stop(c, 0, "shutdown requested");
		break;
	default:
		vlog(VLOG_WARN, "ipc.unexpected", "%s from the parent ignored",
		    ipc_type_name(m->type));
		break;
	}
	free(m);
}

/* ---- Start and stop ------------------------------------------------- */

static int
add_event(struct coll *c, struct event **ev, int fd, event_callback_fn cb,
    void *arg)
{
	*ev = event_new(c->base, fd, EV_READ | EV_PERSIST, cb, arg);
	return *ev == NULL || event_add(*ev, NULL) != 0 ? -1 : 0;
}

/* Everything that opens a file, reads the secret or builds state
 * happens here, before the sandbox. */
static int
setup(struct coll *c, char *err, size_t errsize)
{
	static const struct timeval sec = { 1, 0 };
	struct collector_ctx *x = c->ctx;

	if (x->radius_fd >= 0 && load_secret(c, err, errsize) != 0)
		return -1;
	if (vigil_store_open(&c->st, c->cfg.database, NULL, err,
	    errsize) != VIGIL_OK)
		return -1;
	if ((c->base = event_base_new()) == NULL ||
	    vigil_flow_templates_new(COLL_TEMPLATES_MAX,
	    COLL_TEMPLATE_TTL_MS, &c->tmpl) != VIGIL_OK ||
	    (c->zk.line = malloc(VIGIL_ZEEK_LINE_MAX + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if ((c->pipe = coll_pipeline_new(c->st, c->base, &c->cfg, send_epoch,
	    c, err, errsize)) == NULL)
		return -1;
	if (x->flow_fd >= 0 && ((c->bufs = malloc((size_t)COLL_BATCH *
	    VIGIL_FLOWPKT_MAX)) == NULL ||
	    add_event(c, &c->flow_ev, x->flow_fd, flow_udp_cb, c) != 0)) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if ((x->flow_tcp_fd >= 0 && add_event(c, &c->tcp_ev, x->flow_tcp_fd,
	    tcp_accept_cb, c) != 0) ||
	    (x->radius_fd >= 0 && add_event(c, &c->radius_ev, x->radius_fd,
	    radius_cb, c) != 0) ||
	    add_event(c, &c->parent_ev, x->parent_fd, parent_cb, c) != 0 ||
	    (c->tick_ev = event_new(c->base, -1, EV_PERSIST, tick_cb,
	    c)) == NULL || event_add(c->tick_ev, &sec) != 0) {
		snprintf(err, errsize, "event setup failed");
		return -1;
	}
	if (c->cfg.zeek_log[0] != '\0')
		zeek_open(c, true);
	return 0;
}

static void
teardown(struct coll *c)
{
	for (unsigned i = 0; i < COLL_TCP_MAX; i++)
		tcp_close(&c->tcp[i], "collector stops");
	if (c->pipe != NULL) {
		/* The last batch of store writes. */
		coll_pipeline_tick(c->pipe, now_ms());
		log_stats(c, true);
	}
	coll_pipeline_free(c->pipe);
	if (c->flow_ev != NULL)
		event_free(c->flow_ev);
	if (c->tcp_ev != NULL)
		event_free(c->tcp_ev);
	if (c->radius_ev != NULL)
		event_free(c->radius_ev);
	if (c->parent_ev != NULL)
		event_free(c->parent_ev);
	if (c->tick_ev != NULL)
		event_free(c->tick_ev);
	if (c->base != NULL)
		event_base_free(c->base);
	zeek_close(&c->zk);
	free(c->zk.line);
	free(c->bufs);
	vigil_flow_templates_free(c->tmpl);
	vigil_store_close(c->st);
	OPENSSL_cleanse(c->secret, sizeof c->secret);
}

int
collector_main(struct collector_ctx *ctx)
{
	struct coll *c;
	char err[1024] = "";
	uint32_t pid = (uint32_t)getpid();
	int status;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return 1;
	c->ctx = ctx;
	c->cfg = *ctx->cfg;
	c->zk.fd = -1;
	for (unsigned i = 0; i < COLL_TCP_MAX; i++) {
		c->tcp[i].fd = -1;
		c->tcp[i].c = c;
	}
	vlog_init("collector", c->cfg.log_target, c->cfg.log_format,
	    c->cfg.log_level);
	if (setup(c, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "collector.start", "%s", err);
		goto fail;
	}
	if (sandbox_enter_collector(&c->cfg, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "collector.sandbox", "%s", err);
		goto fail;
	}
	if (ipc_send(ctx->parent_fd, IPC_READY, &pid, sizeof pid, -1) != 0) {
		vlog(VLOG_ERROR, "collector.start", "telling the parent: %s",
		    strerror(errno));
		goto fail;
	}
	vlog(VLOG_INFO, "collector.ready", "collecting:%s%s%s%s%s%s%s%s",
	    ctx->flow_fd >= 0 ? " flows (UDP) on " : "",
	    ctx->flow_fd >= 0 ? c->cfg.flow_listen : "",
	    ctx->flow_tcp_fd >= 0 ? " IPFIX/TCP on " : "",
	    ctx->flow_tcp_fd >= 0 ? c->cfg.flow_tcp_listen : "",
	    ctx->radius_fd >= 0 ? " RADIUS accounting on " : "",
	    ctx->radius_fd >= 0 ? c->cfg.radius_listen : "",
	    c->cfg.zeek_log[0] != '\0' ? " Zeek log " : "",
	    c->cfg.zeek_log);
	event_base_dispatch(c->base);
	status = c->exit_status;
	teardown(c);
	free(c);
	return status;
fail:
	teardown(c);
	free(c);
	return 1;
}
