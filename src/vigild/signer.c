/*
 * signer — the process that holds vigild's signing keys.
 *
 * SECURITY: the signer loads the audit checkpoint key (Ed25519) and
 * the keys of the device PKI's issuing and OCSP responder CAs (PEM
 * files or PKCS#11 token keys through libp11) while it can still open
 * files, then drops to the unprivileged user (when started as root)
 * and enters a seccomp sandbox: no network (socket() fails), no
 * bind/listen/accept, no exec, no fork, no ptrace, no setuid. With CA
 * keys it keeps SQLite's file calls (open, pread/pwrite, fsync, fcntl
 * locks) for the database it answers from and records into, and, for
 * a PKCS#11 key, what the module does while signing (SoftHSM2 re-reads
 * its token directory and flocks object files); no new key can be
 * loaded from then on, so a changed CA set makes it exit for a restart
 * ("CA set changed: restarting to load keys"). Without a database it
 * opens no file at all. It talks to the parent (config, shutdown, and
 * IPC_PEER messages that hand it one socket per net worker) and to the
 * net workers, which may ask IPC_SIGN_CKPT_REQ and the policy-level
 * IPC_CA_* requests. It never signs bytes it is given: checkpoints
 * are re-checked (sequence number positive and strictly after the
 * last one it signed, at most SIGNER_RATE_PER_S per second) and signed
 * over its own encoding of (seq, head); a certificate is issued only
 * for a registry device after signer_ca_issue.c re-read the device,
 * the CA, the CSR's proof of possession, key reuse, re-enrollment and
 * approval state, with the identity taken from the registry, and every
 * issuance or refusal audited; OCSP and CRLs are built from the
 * store's certificate status. A malformed or unexpected message means
 * the sender is broken or compromised: the signer logs it and exits
 * (the parent restarts it with fresh sockets), rather than keep a key
 * next to a confused state. Keys are wiped on exit.
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
#include "signer_ca.h"
#include "vigil/audit.h"

#define SIGNER_MAX_PEERS 64
/* One batch: at most this many CA requests, or this long, in one store
 * transaction; then answers go out and the parent is polled again. */
#define SIGNER_BATCH_MAX 64
#define SIGNER_BATCH_NS (50 * 1000000LL)

/* A CA answer waiting for its batch's commit. */
struct signer_pending {
	unsigned idx;          /* worker */
	enum ipc_type type;    /* the *_RES type */
	uint32_t reqid;
	struct signer_ca_ans ans;
};

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
	struct signer_ca *ca;        /* NULL: no database, no PKI */
	struct signer_pending pend[SIGNER_BATCH_MAX];
	size_t npend;
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

/* ---- Device PKI requests ------------------------------------------ */

static void
send_ca_res(struct signer *s, unsigned idx, enum ipc_type type,
    uint32_t reqid, const struct signer_ca_ans *a)
{
	struct ipc_ca_res h;
	const void *data;
	size_t len;
	const char *big = "answer larger than an IPC frame";

	if (s->peers[idx] < 0)
		return; /* the worker went away meanwhile */
	memset(&h, 0, sizeof h);
	h.reqid = reqid;
	h.status = (uint16_t)a->status;
	if (a->status == VIGIL_OK) {
		data = a->data;
		len = a->len;
		if (len > IPC_CA_DATA_MAX) {
			h.status = VIGIL_ERANGE;
			data = big;
			len = strlen(big);
		}
	} else {
		data = a->text;
		len = strlen(a->text);
		if (len == 0) {
			data = vigil_strerror(a->status);
			len = strlen(data);
		}
	}
	h.len = (uint32_t)len;
	if (ipc_send2(s->peers[idx], type, &h, sizeof h, data, len) != 0)
		vlog(VLOG_WARN, "signer.send", "net[%u]: %s: %s", idx,
		    ipc_type_name(type), strerror(errno));
}

/* Sends the batch's answers after its commit; a failed commit turns
 * what it would have made durable into failures. */
static void
flush(struct signer *s)
{
	char err[512] = "";
	enum vigil_err e = VIGIL_OK;

	if (s->ca != NULL)
		e = signer_ca_batch_end(s->ca, err, sizeof err);
	if (e != VIGIL_OK)
		vlog(VLOG_ERROR, "signer.store", "batch of %zu requests: %s",
		    s->npend, err);
	for (size_t i = 0; i < s->npend; i++) {
		struct signer_pending *p = &s->pend[i];

		if (e != VIGIL_OK && p->ans.status == VIGIL_OK &&
		    p->type != IPC_CA_OCSP_RES) {
			signer_ca_ans_clear(&p->ans);
			p->ans.status = VIGIL_ESTORE;
			snprintf(p->ans.text, sizeof p->ans.text, "%s", err);
		}
		send_ca_res(s, p->idx, p->type, p->reqid, &p->ans);
		signer_ca_ans_clear(&p->ans);
	}
	s->npend = 0;
}

/* One IPC_CA_* request from worker idx, answered at the flush. */
static void
handle_ca(struct signer *s, unsigned idx)
{
	const struct ipc_msg *m = &s->msg;
	struct signer_pending *p = &s->pend[s->npend++];
	int64_t now = vigil_time_now_ms();

	memset(p, 0, sizeof *p);
	p->idx = idx;
	if (s->ca == NULL) {
		p->ans.status = VIGIL_EUNSUPPORTED;
		snprintf(p->ans.text, sizeof p->ans.text, "the signer has no "
		    "database: device PKI is off");
	} else {
		signer_ca_batch_begin(s->ca);
	}
	switch (m->type) {
	case IPC_CA_ISSUE_REQ:
		p->type = IPC_CA_ISSUE_RES;
		p->reqid = m->ca_issue.reqid;
		if (s->ca != NULL)
			signer_ca_issue(s->ca, &m->ca_issue, m->data,
			    m->data_len, now, &p->ans);
		break;
	case IPC_CA_OCSP_REQ:
		p->type = IPC_CA_OCSP_RES;
		p->reqid = m->ca_ocsp.reqid;
		if (s->ca != NULL)
			signer_ca_ocsp(s->ca, m->ca_ocsp.ca_id, m->data,
			    m->data_len, now, &p->ans);
		break;
	default: /* IPC_CA_CRL_REQ: the pair table allows nothing else */
		p->type = IPC_CA_CRL_RES;
		p->reqid = m->ca_crl.reqid;
		if (s->ca != NULL)
			signer_ca_crl(s->ca, m->ca_crl.ca_id, now, &p->ans);
		break;
	}
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
		if (s->ca != NULL) {
			signer_ca_set_config(s->ca, &s->reload);
			/* The sandbox cannot open a new key: a restart
			 * (the parent restarts a signer that exits)
			 * loads the new set. */
			if (signer_ca_set_changed(s->ca)) {
				vlog(VLOG_INFO, "signer.ca", "CA set changed: "
				    "restarting to load keys");
				return 0;
			}
		}
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
	/* The pair table lets net send only checkpoint and CA requests
	 * here. */
	if (s->msg.type == IPC_SIGN_CKPT_REQ)
		handle_sign(s, idx, &s->msg.sign_req);
	else
		handle_ca(s, idx);
	return 1;
}

/* After a poll round's first reads: keep reading whatever else the
 * workers have queued, without waiting, so that N issuances share one
 * commit — until the batch is full or has taken SIGNER_BATCH_NS. */
static int
drain(struct signer *s, int64_t started_ns)
{
	struct pollfd pfd[SIGNER_MAX_PEERS];
	unsigned idx[SIGNER_MAX_PEERS];

	while (s->npend > 0 && s->npend < SIGNER_BATCH_MAX &&
	    now_ns() - started_ns < SIGNER_BATCH_NS) {
		nfds_t n = 0;
		int got = 0;

		for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++) {
			if (s->peers[i] < 0)
				continue;
			pfd[n].fd = s->peers[i];
			pfd[n].events = POLLIN;
			idx[n++] = i;
		}
		if (n == 0 || poll(pfd, n, 0) <= 0)
			break;
		for (nfds_t i = 0; i < n && s->npend < SIGNER_BATCH_MAX; i++) {
			if (pfd[i].revents == 0 || s->peers[idx[i]] < 0)
				continue;
			got = 1;
			if (from_peer(s, idx[i]) < 0)
				return -1;
		}
		if (!got)
			break;
	}
	return 0;
}

static int
serve(struct signer *s)
{
	struct pollfd pfd[1 + SIGNER_MAX_PEERS];
	unsigned idx[1 + SIGNER_MAX_PEERS];

	for (;;) {
		nfds_t n = 1;
		int rc, timeout = -1;
		int64_t started;

		if (s->ca != NULL)
			timeout = signer_ca_tick(s->ca, vigil_time_now_ms());
		pfd[0].fd = s->parent_fd;
		pfd[0].events = POLLIN;
		for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++) {
			if (s->peers[i] < 0)
				continue;
			pfd[n].fd = s->peers[i];
			pfd[n].events = POLLIN;
			idx[n++] = i;
		}
		if (poll(pfd, n, timeout) < 0) {
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
		started = now_ns();
		rc = 0;
		/* from_peer: 1 goes on, -1 exits. Every ready worker is
		 * read (none starves), then drain() batches the rest. */
		for (nfds_t i = 1; i < n; i++) {
			if (pfd[i].revents == 0 || s->peers[idx[i]] < 0)
				continue;
			if (s->npend >= SIGNER_BATCH_MAX)
				break; /* the rest waits for the next round */
			if (from_peer(s, idx[i]) < 0) {
				rc = -1;
				break;
			}
		}
		if (rc == 0)
			rc = drain(s, started);
		/* Answer what was done, also before exiting on a
		 * malformed message: those requests are committed. */
		flush(s);
		if (rc < 0)
			return 1;
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
	if (signer_ca_open(&s.ca, cfg, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "signer.ca", "%s", err);
		vigil_audit_signer_free(s.key);
		return 1;
	}
	if ((s.ca != NULL ? sandbox_enter_signer_pki(cfg,
	    signer_ca_has_pkcs11(s.ca), err, sizeof err) :
	    sandbox_enter_signer(cfg, err, sizeof err)) != 0) {
		vlog(VLOG_ERROR, "sandbox.error", "%s", err);
		signer_ca_free(s.ca);
		vigil_audit_signer_free(s.key);
		return 1;
	}
	/* Every CA with a key gets its CRL before the signer says it is
	 * ready, so the CRL endpoint always has one. */
	if (s.ca != NULL)
		signer_ca_tick(s.ca, vigil_time_now_ms());
	if (ipc_send(parent_fd, IPC_READY, &pid, sizeof pid, -1) != 0) {
		vlog(VLOG_ERROR, "ipc.error", "IPC_READY: %s",
		    strerror(errno));
		signer_ca_free(s.ca);
		vigil_audit_signer_free(s.key);
		return 1;
	}
	vlog(VLOG_DEBUG, "signer.ready", "audit key loaded, %zu CA keys, "
	    "sandboxed", s.ca != NULL ? s.ca->nkeys : (size_t)0);
	rc = serve(&s);
	for (size_t i = 0; i < s.npend; i++)
		signer_ca_ans_clear(&s.pend[i].ans);
	for (unsigned i = 0; i < SIGNER_MAX_PEERS; i++)
		if (s.peers[i] >= 0)
			close(s.peers[i]);
	signer_ca_free(s.ca);
	vigil_audit_signer_free(s.key);
	return rc;
}
