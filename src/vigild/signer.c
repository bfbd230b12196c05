/*
 * signer — the process that holds vigild's signing keys.
 *
 * SECURITY: the signer loads the audit checkpoint key (Ed25519) while
 * it can still open files, then drops to the unprivileged user (when
 * started as root) and enters a seccomp sandbox with no network, no
 * file opening and no exec: from then on it only reads and writes the
 * IPC sockets it has. It talks to the parent (config, shutdown, and
 * IPC_PEER messages that hand it one socket per net worker) and to the
 * net workers, which may only ask IPC_SIGN_CKPT_REQ. It never signs
 * bytes it is given: it re-checks the request (sequence number
 * positive and strictly after the last one it signed, at most
 * SIGNER_RATE_PER_S per second) and signs its own encoding of (seq,
 * head) with vigil_audit_checkpoint_msg. A malformed or unexpected
 * message means the sender is broken or compromised: the signer logs
 * it and exits (the parent restarts it with fresh sockets), rather
 * than keep a key next to a confused state. The key is wiped on exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "signer.h"
#include "vigil/audit.h"

#define SIGNER_MAX_PEERS 64

struct signer {
	const struct vigild_config *cfg;
	struct vigil_audit_signer *key;
	int parent_fd;
	int peers[SIGNER_MAX_PEERS]; /* by worker index; -1 when none */
	int64_t last_seq;            /* last sequence number signed */
	double tokens;               /* rate limit bucket */
	int64_t tokens_at_ns;
	struct ipc_msg msg;          /* 16 KiB: not on the stack */
	struct vigild_config reload; /* IPC_CONFIG parse target */
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Token bucket: SIGNER_RATE_PER_S per second, burst of as many. */
static int
rate_ok(struct signer *s)
{
	int64_t t = now_ns();

	s->tokens += (double)(t - s->tokens_at_ns) * SIGNER_RATE_PER_S / 1e9;
	if (s->tokens > SIGNER_RATE_PER_S)
		s->tokens = SIGNER_RATE_PER_S;
	s->tokens_at_ns = t;
	if (s->tokens < 1.0)
		return 0;
	s->tokens -= 1.0;
	return 1;
}

/* Two workers racing for the same checkpoint is routine (debug); an
 * older seq is unusual but harmless (info); the others are warnings. */
static void
sign_err(int fd, unsigned idx, enum vlog_level level, const char *text)
{
	vlog(level, "signer.refused", "net[%u]: %s", idx, text);
	if (ipc_send(fd, IPC_SIGN_ERR, text, strlen(text), -1) != 0)
		vlog(VLOG_WARN, "signer.send", "net[%u]: %s", idx,
		    strerror(errno));
}

static void
handle_sign(struct signer *s, unsigned idx, const struct ipc_sign_req *r)
{
	uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN];
	struct ipc_sign_res res;
	char text[160];
	int fd = s->peers[idx];

	if (r->seq <= 0) {
		snprintf(text, sizeof text, "checkpoint seq %lld: must be "
		    "positive", (long long)r->seq);
		sign_err(fd, idx, VLOG_WARN, text);
		return;
	}
	if (r->seq <= s->last_seq) {
		snprintf(text, sizeof text, "checkpoint seq %lld: not after "
		    "the last signed checkpoint %lld", (long long)r->seq,
		    (long long)s->last_seq);
		sign_err(fd, idx, r->seq == s->last_seq ? VLOG_DEBUG :
		    VLOG_INFO, text);
		return;
	}
	if (!rate_ok(s)) {
		snprintf(text, sizeof text, "rate limited: at most %d "
		    "checkpoint signatures per second", SIGNER_RATE_PER_S);
		sign_err(fd, idx, VLOG_WARN, text);
		return;
	}
	memset(&res, 0, sizeof res);
	vigil_audit_checkpoint_msg(r->seq, r->head, msg);
	if (vigil_audit_signer_sign(s->key, msg, res.sig, res.keyid) !=
	    VIGIL_OK) {
		sign_err(fd, idx, VLOG_ERROR, "signing failed");
		return;
	}
	res.seq = r->seq;
	memcpy(res.head, r->head, sizeof res.head);
	s->last_seq = r->seq;
	vlog(VLOG_DEBUG, "signer.checkpoint", "net[%u]: signed checkpoint "
	    "seq %lld", idx, (long long)r->seq);
	if (ipc_send_sign_res(fd, &res) != 0)
		vlog(VLOG_WARN, "signer.send", "net[%u]: %s", idx,
		    strerror(errno));
}

/* One message from the parent. Returns 1 to go on, 0 to exit
 * normally, -1 to exit with an error. */
static int
from_parent(struct signer *s)
{
	char err[256];
	int fd, rc;

	rc = ipc_recv_msg(s->parent_fd, PROC_PARENT, PROC_SIGNER, &s->msg,
	    &fd, err, sizeof err);
	if (rc == 0)
		return 0; /* the parent is gone */
	if (rc < 0) {
		vlog(VLOG_ERROR, rc == -2 ? "ipc.malformed" : "ipc.error",
		    "from parent: %s", err);
		return -1;
	}
	switch (s->msg.type) {
	case IPC_SHUTDOWN:
		return 0;
	case IPC_CONFIG:
		/* Normalised text has absolute paths: base "/" spares the
		 * getcwd() the sandbox does not allow. */
		if (config_parse(s->msg.text, s->msg.text_len, "IPC_CONFIG",
		    "/", &s->reload, err, sizeof err) != 0) {
			vlog(VLOG_ERROR, "ipc.malformed", "%s", err);
			return -1;
		}
		vlog_init("signer", s->reload.log_target,
		    s->reload.log_format, s->reload.log_level);
		return 1;
	case IPC_PEER:
		if (s->msg.u32 >= SIGNER_MAX_PEERS) {
			vlog(VLOG_ERROR, "ipc.malformed", "IPC_PEER: worker "
			    "index %u out of range", s->msg.u32);
			close(fd);
			return -1;
		}
		if (s->peers[s->msg.u32] >= 0)
			close(s->peers[s->msg.u32]);
		s->peers[s->msg.u32] = fd;
		vlog(VLOG_DEBUG, "signer.peer", "net[%u] connected",
		    s->msg.u32);
		return 1;
	default:
		vlog(VLOG_ERROR, "ipc.malformed", "from parent: unexpected %s",
		    ipc_type_name(s->msg.type));
		return -1;
	}
}

/* One message from net worker idx. 1 to go on, -1 to exit. */
static int
from_peer(struct signer *s, unsigned idx)
{
	char err[256];
	int fd, rc;

	rc = ipc_recv_msg(s->peers[idx], PROC_NET, PROC_SIGNER, &s->msg, &fd,
	    err, sizeof err);
	if (rc == 0 || rc == -1) {
		if (rc == -1)
			vlog(VLOG_WARN, "ipc.error", "net[%u]: %s", idx, err);
		close(s->peers[idx]);
		s->peers[idx] = -1;
		return 1;
	}
	if (rc == -2) {
		vlog(VLOG_ERROR, "ipc.malformed", "net[%u]: %s; exiting",
		    idx, err);
		return -1;
	}
	/* The pair table lets net send only IPC_SIGN_CKPT_REQ here. */
	handle_sign(s, idx, &s->msg.sign_req);
	return 1;
}

static int
serve(struct signer *s)
{
	struct pollfd pfd[1 + SIGNER_MAX_PEERS];
	unsigned idx[1 + SIGNER_MAX_PEERS];

	for (;;) {
		nfds_t n = 1;
		int rc;

		pfd[0].fd = s->parent_fd;
		pfd[0].events = POLLIN;
		for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++) {
			if (s->peers[i] < 0)
				continue;
			pfd[n].fd = s->peers[i];
			pfd[n].events = POLLIN;
			idx[n++] = i;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			vlog(VLOG_ERROR, "signer.poll", "poll: %s",
			    strerror(errno));
			return 1;
		}
		if (pfd[0].revents != 0) {
			if ((rc = from_parent(s)) <= 0)
				return rc == 0 ? 0 : 1;
		}
		for (nfds_t i = 1; i < n; i++) {
			if (pfd[i].revents == 0 || s->peers[idx[i]] < 0)
				continue;
			if (from_peer(s, idx[i]) < 0)
				return 1;
		}
	}
}

int
signer_main(const struct vigild_config *cfg, int parent_fd)
{
	static struct signer s;
	char err[512];
	uint32_t pid = (uint32_t)getpid();
	int rc;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.parent_fd = parent_fd;
	s.tokens = SIGNER_RATE_PER_S;
	s.tokens_at_ns = now_ns();
	for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++)
		s.peers[i] = -1;
	err[0] = '\0';
	if (vigil_audit_signer_load(&s.key, cfg->audit_key, err,
	    sizeof err) != VIGIL_OK) {
		if (err[0] != '\0')
			vlog(VLOG_ERROR, "signer.key", "%s", err);
		else
			vlog(VLOG_ERROR, "signer.key", "audit_key %s: cannot "
			    "load", cfg->audit_key);
		return 1;
	}
	if (sandbox_enter_signer(cfg, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "sandbox.error", "%s", err);
		vigil_audit_signer_free(s.key);
		return 1;
	}
	if (ipc_send(parent_fd, IPC_READY, &pid, sizeof pid, -1) != 0) {
		vlog(VLOG_ERROR, "ipc.error", "IPC_READY: %s",
		    strerror(errno));
		vigil_audit_signer_free(s.key);
		return 1;
	}
	vlog(VLOG_DEBUG, "signer.ready", "audit key loaded, sandboxed");
	rc = serve(&s);
	for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++)
		if (s.peers[i] >= 0)
			close(s.peers[i]);
	vigil_audit_signer_free(s.key);
	return rc;
}
