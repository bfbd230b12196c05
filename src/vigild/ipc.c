/*
 * IPC framing and the strict decoders (ipc.h). One table says, per
 * message type, its payload rule, whether it carries an fd, and which
 * process kinds may send it to which; the decoder accepts exactly that
 * and nothing else. Everything here treats the bytes as hostile: the
 * sender may be a compromised net worker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"
#include "proc.h"

enum ipc_rule {
	RULE_EMPTY,  /* no payload */
	RULE_U32,    /* exactly 4 bytes */
	RULE_SIGN_REQ,
	RULE_SIGN_RES,
	RULE_EPOCH,
	RULE_TEXT,   /* 1..max bytes, no NUL */
	RULE_CA_ISSUE_REQ, /* struct ipc_ca_issue_req + csr_len bytes */
	RULE_CA_OCSP_REQ,  /* struct ipc_ca_ocsp_req + len bytes */
	RULE_CA_CRL_REQ,   /* struct ipc_ca_crl_req */
	RULE_CA_RES,       /* struct ipc_ca_res + len bytes */
};

#define SIGN_REQ_LEN (8 + VIGIL_AUDIT_HASH_LEN)
#define SIGN_RES_LEN (8 + VIGIL_AUDIT_HASH_LEN + VIGIL_AUDIT_SIG_LEN + \
	VIGIL_AUDIT_KEYID_LEN)
#define EPOCH_FIXED_LEN (8 + 2)

_Static_assert(sizeof(struct ipc_hdr) == 8, "ipc_hdr is 8 bytes");

struct ipc_type_info {
	const char *name;
	enum ipc_rule rule;
	uint32_t text_max; /* RULE_TEXT */
	int fd;           /* carries exactly one fd */
	/* Allowed directions: senders[k] = receivers bitmask for sender
	 * kind k. */
	unsigned to[PROC_KIND_COUNT];
};

#define P PROC_BIT(PROC_PARENT)
#define N PROC_BIT(PROC_NET)
#define S PROC_BIT(PROC_SIGNER)
#define C PROC_BIT(PROC_COLLECTOR)

/* Indexed by enum ipc_type; .to[sender] = receivers. */
static const struct ipc_type_info types[IPC_TYPE_COUNT] = {
	[IPC_NONE] = { "IPC_NONE", RULE_EMPTY, 0, 0, { 0, 0, 0 } },
	[IPC_READY] = { "IPC_READY", RULE_U32, 0, 0,
	    { [PROC_NET] = P, [PROC_SIGNER] = P, [PROC_COLLECTOR] = P } },
	[IPC_CONFIG] = { "IPC_CONFIG", RULE_TEXT, IPC_MAX_PAYLOAD, 0,
	    { [PROC_PARENT] = N | S | C } },
	[IPC_SHUTDOWN] = { "IPC_SHUTDOWN", RULE_EMPTY, 0, 0,
	    { [PROC_PARENT] = N | S | C } },
	[IPC_SIGN_CKPT_REQ] = { "IPC_SIGN_CKPT_REQ", RULE_SIGN_REQ, 0, 0,
	    { [PROC_NET] = S } },
	[IPC_SIGN_CKPT_RES] = { "IPC_SIGN_CKPT_RES", RULE_SIGN_RES, 0, 0,
	    { [PROC_SIGNER] = N } },
	[IPC_SIGN_ERR] = { "IPC_SIGN_ERR", RULE_TEXT, 256, 0,
	    { [PROC_SIGNER] = N } },
	/* The collector publishes its responses' epochs; the parent
	 * fans them out to the workers (never back to the collector,
	 * which caches no access decision). */
	[IPC_EPOCH] = { "IPC_EPOCH", RULE_EPOCH, 0, 0,
	    { [PROC_NET] = P, [PROC_PARENT] = N, [PROC_COLLECTOR] = P } },
	[IPC_PEER] = { "IPC_PEER", RULE_U32, 0, 1,
	    { [PROC_PARENT] = S } },
	[IPC_SIGNER_FD] = { "IPC_SIGNER_FD", RULE_U32, 0, 1,
	    { [PROC_PARENT] = N } },
	/* Device PKI: net asks, the signer answers; nobody else. */
	[IPC_CA_ISSUE_REQ] = { "IPC_CA_ISSUE_REQ", RULE_CA_ISSUE_REQ, 0, 0,
	    { [PROC_NET] = S } },
	[IPC_CA_ISSUE_RES] = { "IPC_CA_ISSUE_RES", RULE_CA_RES, 0, 0,
	    { [PROC_SIGNER] = N } },
	[IPC_CA_OCSP_REQ] = { "IPC_CA_OCSP_REQ", RULE_CA_OCSP_REQ, 0, 0,
	    { [PROC_NET] = S } },
	[IPC_CA_OCSP_RES] = { "IPC_CA_OCSP_RES", RULE_CA_RES, 0, 0,
	    { [PROC_SIGNER] = N } },
	[IPC_CA_CRL_REQ] = { "IPC_CA_CRL_REQ", RULE_CA_CRL_REQ, 0, 0,
	    { [PROC_NET] = S } },
	[IPC_CA_CRL_RES] = { "IPC_CA_CRL_RES", RULE_CA_RES, 0, 0,
	    { [PROC_SIGNER] = N } },
};

#undef P
#undef N
#undef S
#undef C

const char *
ipc_type_name(enum ipc_type t)
{
	if ((unsigned)t == IPC_NONE || (unsigned)t >= IPC_TYPE_COUNT)
		return "IPC_?";
	return types[t].name;
}

int
ipc_allowed(enum ipc_type t, int from, int to)
{
	if ((unsigned)t == IPC_NONE || (unsigned)t >= IPC_TYPE_COUNT ||
	    from < 0 || from >= PROC_KIND_COUNT || to < 0 ||
	    to >= PROC_KIND_COUNT)
		return 0;
	return (types[t].to[from] & PROC_BIT(to)) != 0 &&
	    proc_may_talk((enum proc_kind)from, (enum proc_kind)to);
}

int
ipc_wants_fd(enum ipc_type t)
{
	if ((unsigned)t >= IPC_TYPE_COUNT)
		return 0;
	return types[t].fd;
}

/* ---- Sending ------------------------------------------------------ */

int
ipc_send(int sock, enum ipc_type type, const void *payload, size_t len,
    int fd)
{
	uint8_t frame[IPC_MAX_FRAME];
	struct ipc_hdr h;
	struct iovec iov;
	struct msghdr msg;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	ssize_t n;

	if (len > IPC_MAX_PAYLOAD || (len > 0 && payload == NULL)) {
		errno = EMSGSIZE;
		return -1;
	}
	h.type = (uint16_t)type;
	h.flags = 0;
	h.len = (uint32_t)len;
	memcpy(frame, &h, sizeof h);
	if (len > 0)
		memcpy(frame + sizeof h, payload, len);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = frame;
	iov.iov_len = sizeof h + len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof cbuf.buf;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != iov.iov_len) {
		errno = EMSGSIZE; /* cannot happen on SOCK_SEQPACKET */
		return -1;
	}
	return 0;
}

int
ipc_send_sign_req(int sock, const struct ipc_sign_req *r)
{
	uint8_t p[SIGN_REQ_LEN];

	memcpy(p, &r->seq, 8);
	memcpy(p + 8, r->head, VIGIL_AUDIT_HASH_LEN);
	return ipc_send(sock, IPC_SIGN_CKPT_REQ, p, sizeof p, -1);
}

int
ipc_send_sign_res(int sock, const struct ipc_sign_res *r)
{
	uint8_t p[SIGN_RES_LEN], *q = p;

	memcpy(q, &r->seq, 8);
	q += 8;
	memcpy(q, r->head, VIGIL_AUDIT_HASH_LEN);
	q += VIGIL_AUDIT_HASH_LEN;
	memcpy(q, r->sig, VIGIL_AUDIT_SIG_LEN);
	q += VIGIL_AUDIT_SIG_LEN;
	memcpy(q, r->keyid, VIGIL_AUDIT_KEYID_LEN);
	return ipc_send(sock, IPC_SIGN_CKPT_RES, p, sizeof p, -1);
}

int
ipc_send_epoch(int sock, const struct ipc_epoch *e)
{
	uint8_t p[EPOCH_FIXED_LEN + IPC_EPOCH_OBJECT_MAX];
	size_t ol = strnlen(e->object, sizeof e->object);

	if (ol == 0 || ol > IPC_EPOCH_OBJECT_MAX) {
		errno = EINVAL;
		return -1;
	}
	memcpy(p, &e->epoch, 8);
	memcpy(p + 8, &e->kind, 2);
	memcpy(p + EPOCH_FIXED_LEN, e->object, ol);
	return ipc_send(sock, IPC_EPOCH, p, EPOCH_FIXED_LEN + ol, -1);
}

int
ipc_send2(int sock, enum ipc_type type, const void *fixed, size_t fixed_len,
    const void *data, size_t data_len)
{
	uint8_t p[IPC_MAX_PAYLOAD];

	if (fixed_len > sizeof p || data_len > sizeof p - fixed_len ||
	    (fixed_len > 0 && fixed == NULL) ||
	    (data_len > 0 && data == NULL)) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fixed_len > 0)
		memcpy(p, fixed, fixed_len);
	if (data_len > 0)
		memcpy(p + fixed_len, data, data_len);
	return ipc_send(sock, type, p, fixed_len + data_len, -1);
}

/* ---- Receiving ---------------------------------------------------- */

#define IPC_RECV_FDS 8 /* room to see (and close) a few too many */

static void
close_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				    sizeof fd);
				close(fd);
			}
		}
	}
}

long
ipc_recv(int sock, uint8_t *buf, size_t size, int *fd)
{
	struct iovec iov = { buf, size };
	struct msghdr msg;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(IPC_RECV_FDS * sizeof(int))];
	} cbuf;
	size_t nfds = 0;
	ssize_t n;

	*fd = -1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
	    c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_RIGHTS) {
			nfds += 2; /* anything else is an error too */
			continue;
		}
		nfds += (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	}
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds > 1) {
		close_fds(&msg);
		errno = EPROTO;
		return -1;
	}
	if (nfds == 1) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		if (c == NULL) { /* counted above, so never; but be safe */
			errno = EPROTO;
			return -1;
		}
		memcpy(fd, CMSG_DATA(c), sizeof *fd);
	}
	return (long)n;
}

static int
fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (errsize > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- Device PKI payloads ------------------------------------------ */

/*
 * The fixed parts travel as the C struct (both ends are the same
 * binary): sizeof bytes, then the variable part. Struct padding carries
 * nothing and is ignored; every field is checked after the copy. A
 * text field must hold a NUL and only NULs after it (NUL-padded), so
 * no stale bytes ride along, and no control characters (they end up
 * in logs and audit entries).
 */
static int
text_field(const char *f, size_t size, const char *type, const char *name,
    char *err, size_t errsize)
{
	const char *nul = memchr(f, '\0', size);

	if (nul == NULL)
		return fail(err, errsize, "%s: %s is not NUL-terminated",
		    type, name);
	for (const char *q = nul; q < f + size; q++)
		if (*q != '\0')
			return fail(err, errsize, "%s: %s is not NUL-padded "
			    "(byte %zu after its end)", type, name,
			    (size_t)(q - f));
	for (const char *q = f; q < nul; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return fail(err, errsize, "%s: %s has a control "
			    "character at offset %zu", type, name,
			    (size_t)(q - f));
	return 0;
}

#define TEXT(st, fld) \
	text_field((st)->fld, sizeof (st)->fld, t->name, #fld, err, errsize)

static int
dec_ca_issue_req(const struct ipc_type_info *t, const uint8_t *p, size_t pl,
    struct ipc_msg *m, char *err, size_t errsize)
{
	struct ipc_ca_issue_req *r = &m->ca_issue;

	if (pl < sizeof *r)
		return fail(err, errsize, "%s: payload is %zu bytes, shorter "
		    "than its %zu-byte fixed part", t->name, pl, sizeof *r);
	memcpy(r, p, sizeof *r);
	if (r->csr_len == 0 || r->csr_len > IPC_CA_CSR_MAX)
		return fail(err, errsize, "%s: csr_len %u, expected 1 to %d",
		    t->name, r->csr_len, IPC_CA_CSR_MAX);
	if (pl - sizeof *r != r->csr_len)
		return fail(err, errsize, "%s: csr_len says %u bytes, %zu "
		    "follow", t->name, r->csr_len, pl - sizeof *r);
	if (r->via < IPC_VIA_TOKEN || r->via > IPC_VIA_OPERATOR)
		return fail(err, errsize, "%s: via %u is unknown", t->name,
		    r->via);
	if (TEXT(r, tenant_id) || TEXT(r, device_id) || TEXT(r, ca_id) ||
	    TEXT(r, prev_serial) || TEXT(r, actor) || TEXT(r, request_id) ||
	    TEXT(r, source_ip) || TEXT(r, names))
		return -1;
	if (r->tenant_id[0] == '\0')
		return fail(err, errsize, "%s: tenant_id is empty", t->name);
	/* Names become certificate SANs: ASCII only (the signer checks
	 * their syntax). */
	for (const char *q = r->names; *q != '\0'; q++)
		if ((unsigned char)*q > 0x7e)
			return fail(err, errsize, "%s: names has a non-ASCII "
			    "byte at offset %zu", t->name,
			    (size_t)(q - r->names));
	memcpy(m->data, p + sizeof *r, r->csr_len);
	m->data_len = r->csr_len;
	return 0;
}

static int
dec_ca_ocsp_req(const struct ipc_type_info *t, const uint8_t *p, size_t pl,
    struct ipc_msg *m, char *err, size_t errsize)
{
	struct ipc_ca_ocsp_req *r = &m->ca_ocsp;

	if (pl < sizeof *r)
		return fail(err, errsize, "%s: payload is %zu bytes, shorter "
		    "than its %zu-byte fixed part", t->name, pl, sizeof *r);
	memcpy(r, p, sizeof *r);
	if (r->len == 0 || r->len > IPC_CA_DATA_MAX)
		return fail(err, errsize, "%s: len %u, expected 1 to %d",
		    t->name, r->len, IPC_CA_DATA_MAX);
	if (pl - sizeof *r != r->len)
		return fail(err, errsize, "%s: len says %u bytes, %zu follow",
		    t->name, r->len, pl - sizeof *r);
	if (TEXT(r, ca_id))
		return -1;
	memcpy(m->data, p + sizeof *r, r->len);
	m->data_len = r->len;
	return 0;
}

static int
dec_ca_crl_req(const struct ipc_type_info *t, const uint8_t *p, size_t pl,
    struct ipc_msg *m, char *err, size_t errsize)
{
	struct ipc_ca_crl_req *r = &m->ca_crl;

	if (pl != sizeof *r)
		return fail(err, errsize, "%s: payload is %zu bytes, expected "
		    "%zu", t->name, pl, sizeof *r);
	memcpy(r, p, sizeof *r);
	if (TEXT(r, ca_id))
		return -1;
	if (r->ca_id[0] == '\0')
		return fail(err, errsize, "%s: ca_id is empty", t->name);
	return 0;
}

/* Status 0 carries the result (a certificate or an OCSP response: at
 * least one byte; nothing for a CRL); any other status an error text
 * of 1.. bytes without NUL. */
static int
dec_ca_res(const struct ipc_type_info *t, enum ipc_type type,
    const uint8_t *p, size_t pl, struct ipc_msg *m, char *err,
    size_t errsize)
{
	struct ipc_ca_res *r = &m->ca_res;

	if (pl < sizeof *r)
		return fail(err, errsize, "%s: payload is %zu bytes, shorter "
		    "than its %zu-byte fixed part", t->name, pl, sizeof *r);
	memcpy(r, p, sizeof *r);
	if (r->pad != 0)
		return fail(err, errsize, "%s: pad is 0x%04x, expected 0",
		    t->name, r->pad);
	if (r->len > IPC_CA_DATA_MAX)
		return fail(err, errsize, "%s: len %u, more than %d",
		    t->name, r->len, IPC_CA_DATA_MAX);
	if (pl - sizeof *r != r->len)
		return fail(err, errsize, "%s: len says %u bytes, %zu follow",
		    t->name, r->len, pl - sizeof *r);
	p += sizeof *r;
	if (r->status != 0) {
		if (r->len == 0)
			return fail(err, errsize, "%s: status %u without an "
			    "error text", t->name, r->status);
		if (memchr(p, '\0', r->len) != NULL)
			return fail(err, errsize, "%s: error text contains a "
			    "NUL byte", t->name);
	} else if (type == IPC_CA_CRL_RES) {
		if (r->len != 0)
			return fail(err, errsize, "%s: status 0 with %u bytes "
			    "of data, expected none", t->name, r->len);
	} else if (r->len == 0) {
		return fail(err, errsize, "%s: status 0 without data",
		    t->name);
	}
	memcpy(m->data, p, r->len);
	m->data_len = r->len;
	return 0;
}

#undef TEXT

int
ipc_decode(const uint8_t *frame, size_t len, struct ipc_msg *m, char *err,
    size_t errsize)
{
	const struct ipc_type_info *t;
	const uint8_t *p = frame + sizeof(struct ipc_hdr);
	struct ipc_hdr h;
	size_t pl;

	m->type = IPC_NONE;
	m->u32 = 0;
	m->text[0] = '\0';
	m->text_len = 0;
	m->data_len = 0;
	if (len < sizeof h)
		return fail(err, errsize, "frame is %zu bytes, shorter than "
		    "its %zu-byte header", len, sizeof h);
	memcpy(&h, frame, sizeof h);
	if (h.type == IPC_NONE || h.type >= IPC_TYPE_COUNT)
		return fail(err, errsize, "unknown message type %u", h.type);
	t = &types[h.type];
	if (h.flags != 0)
		return fail(err, errsize, "%s: flags are 0x%04x, expected 0",
		    t->name, h.flags);
	pl = len - sizeof h;
	if (h.len != pl)
		return fail(err, errsize, "%s: length field says %u bytes, "
		    "frame has %zu", t->name, h.len, pl);
	if (pl > IPC_MAX_PAYLOAD)
		return fail(err, errsize, "%s: payload is %zu bytes, more "
		    "than %d", t->name, pl, IPC_MAX_PAYLOAD);
	switch (t->rule) {
	case RULE_EMPTY:
		if (pl != 0)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected none", t->name, pl);
		break;
	case RULE_U32:
		if (pl != 4)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected 4", t->name, pl);
		memcpy(&m->u32, p, 4);
		break;
	case RULE_SIGN_REQ:
		if (pl != SIGN_REQ_LEN)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected %d", t->name, pl, SIGN_REQ_LEN);
		memcpy(&m->sign_req.seq, p, 8);
		memcpy(m->sign_req.head, p + 8, VIGIL_AUDIT_HASH_LEN);
		break;
	case RULE_SIGN_RES:
		if (pl != SIGN_RES_LEN)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected %d", t->name, pl, SIGN_RES_LEN);
		memcpy(&m->sign_res.seq, p, 8);
		p += 8;
		memcpy(m->sign_res.head, p, VIGIL_AUDIT_HASH_LEN);
		p += VIGIL_AUDIT_HASH_LEN;
		memcpy(m->sign_res.sig, p, VIGIL_AUDIT_SIG_LEN);
		p += VIGIL_AUDIT_SIG_LEN;
		memcpy(m->sign_res.keyid, p, VIGIL_AUDIT_KEYID_LEN);
		break;
	case RULE_EPOCH:
		if (pl <= EPOCH_FIXED_LEN ||
		    pl > EPOCH_FIXED_LEN + IPC_EPOCH_OBJECT_MAX)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected %d to %d", t->name, pl,
			    EPOCH_FIXED_LEN + 1,
			    EPOCH_FIXED_LEN + IPC_EPOCH_OBJECT_MAX);
		if (memchr(p + EPOCH_FIXED_LEN, '\0',
		    pl - EPOCH_FIXED_LEN) != NULL)
			return fail(err, errsize, "%s: object contains a NUL "
			    "byte", t->name);
		memcpy(&m->epoch.epoch, p, 8);
		memcpy(&m->epoch.kind, p + 8, 2);
		memcpy(m->epoch.object, p + EPOCH_FIXED_LEN,
		    pl - EPOCH_FIXED_LEN);
		m->epoch.object[pl - EPOCH_FIXED_LEN] = '\0';
		break;
	case RULE_TEXT:
		if (pl == 0 || pl > t->text_max)
			return fail(err, errsize, "%s: payload is %zu bytes, "
			    "expected 1 to %zu", t->name, pl, (size_t)t->text_max);
		if (memchr(p, '\0', pl) != NULL)
			return fail(err, errsize, "%s: text contains a NUL "
			    "byte at offset %zu", t->name,
			    (size_t)((const uint8_t *)memchr(p, '\0', pl) -
			    p));
		memcpy(m->text, p, pl);
		m->text[pl] = '\0';
		m->text_len = pl;
		break;
	case RULE_CA_ISSUE_REQ:
		if (dec_ca_issue_req(t, p, pl, m, err, errsize) != 0)
			return -1;
		break;
	case RULE_CA_OCSP_REQ:
		if (dec_ca_ocsp_req(t, p, pl, m, err, errsize) != 0)
			return -1;
		break;
	case RULE_CA_CRL_REQ:
		if (dec_ca_crl_req(t, p, pl, m, err, errsize) != 0)
			return -1;
		break;
	case RULE_CA_RES:
		if (dec_ca_res(t, (enum ipc_type)h.type, p, pl, m, err,
		    errsize) != 0)
			return -1;
		break;
	}
	m->type = (enum ipc_type)h.type;
	return 0;
}

int
ipc_recv_msg(int sock, int from, int to, struct ipc_msg *m, int *fd,
    char *err, size_t errsize)
{
	uint8_t buf[IPC_MAX_FRAME];
	long n;
	int rfd;

	*fd = -1;
	if ((n = ipc_recv(sock, buf, sizeof buf, &rfd)) < 0) {
		int e = errno;

		if (e == EPROTO) {
			fail(err, errsize, "truncated message or more than "
			    "one fd passed");
			return -2;
		}
		fail(err, errsize, "recvmsg: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (n == 0)
		return 0;
	if (ipc_decode(buf, (size_t)n, m, err, errsize) != 0)
		goto bad;
	if (!ipc_allowed(m->type, from, to)) {
		fail(err, errsize, "%s: not allowed from %s to %s",
		    ipc_type_name(m->type),
		    proc_kind_name((enum proc_kind)from),
		    proc_kind_name((enum proc_kind)to));
		goto bad;
	}
	if (ipc_wants_fd(m->type) != (rfd >= 0)) {
		fail(err, errsize, "%s: %s", ipc_type_name(m->type),
		    rfd >= 0 ? "carries an fd it must not" :
		    "the fd it must carry is missing");
		goto bad;
	}
	*fd = rfd;
	return 1;
bad:
	if (rfd >= 0)
		close(rfd);
	return -2;
}
