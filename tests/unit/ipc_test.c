/*
 * IPC: the strict decoder for every message type (good, short, long,
 * bad flags, length mismatch, trailing bytes, bad type, text with NUL,
 * over-long text), fd passing (exactly one fd where the type wants
 * one, none elsewhere, more than one refused and closed), the pair
 * table, the device PKI messages sent with ipc_send2, and the
 * process table's restart back-off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"
#include "proc.h"

static struct ipc_msg msg;
static char err[256];

/* Builds header + payload into buf; returns the frame length. */
static size_t
frame(uint8_t *buf, uint16_t type, uint16_t flags, uint32_t lenfield,
    const void *payload, size_t plen)
{
	struct ipc_hdr h = { type, flags, lenfield };

	memcpy(buf, &h, sizeof h);
	if (plen > 0)
		memcpy(buf + sizeof h, payload, plen);
	return sizeof h + plen;
}

static int
decode(uint16_t type, const void *payload, size_t plen)
{
	static uint8_t buf[IPC_MAX_FRAME + 64];
	size_t n = frame(buf, type, 0, (uint32_t)plen, payload, plen);

	err[0] = '\0';
	return ipc_decode(buf, n, &msg, err, sizeof err);
}

static void
expect_bad(uint16_t type, const void *payload, size_t plen, const char *want)
{
	printf("# %s\n", want);
	assert_int_equal(decode(type, payload, plen), -1);
	assert_string_equal(err, want);
	assert_int_equal(msg.type, IPC_NONE);
}

static uint8_t zeros[IPC_MAX_PAYLOAD + 16];

static void
ready_peer_signer_fd_carry_u32(void **state)
{
	uint32_t v = 4242;

	(void)state;
	assert_int_equal(decode(IPC_READY, &v, 4), 0);
	assert_int_equal(msg.type, IPC_READY);
	assert_int_equal(msg.u32, 4242);
	assert_int_equal(decode(IPC_PEER, &v, 4), 0);
	assert_int_equal(msg.type, IPC_PEER);
	assert_int_equal(decode(IPC_SIGNER_FD, &v, 4), 0);
	assert_int_equal(msg.type, IPC_SIGNER_FD);
	expect_bad(IPC_READY, zeros, 3,
	    "IPC_READY: payload is 3 bytes, expected 4");
	expect_bad(IPC_READY, zeros, 5,
	    "IPC_READY: payload is 5 bytes, expected 4");
	expect_bad(IPC_PEER, zeros, 0,
	    "IPC_PEER: payload is 0 bytes, expected 4");
	expect_bad(IPC_SIGNER_FD, zeros, 8,
	    "IPC_SIGNER_FD: payload is 8 bytes, expected 4");
}

static void
shutdown_is_empty(void **state)
{
	(void)state;
	assert_int_equal(decode(IPC_SHUTDOWN, NULL, 0), 0);
	assert_int_equal(msg.type, IPC_SHUTDOWN);
	expect_bad(IPC_SHUTDOWN, zeros, 1,
	    "IPC_SHUTDOWN: payload is 1 bytes, expected none");
}

static void
sign_request_is_exactly_40_bytes(void **state)
{
	uint8_t p[41];
	int64_t seq = 77;

	(void)state;
	memcpy(p, &seq, 8);
	for (int i = 0; i < 32; i++)
		p[8 + i] = (uint8_t)i;
	assert_int_equal(decode(IPC_SIGN_CKPT_REQ, p, 40), 0);
	assert_int_equal(msg.sign_req.seq, 77);
	assert_int_equal(msg.sign_req.head[31], 31);
	expect_bad(IPC_SIGN_CKPT_REQ, p, 39,
	    "IPC_SIGN_CKPT_REQ: payload is 39 bytes, expected 40");
	expect_bad(IPC_SIGN_CKPT_REQ, p, 41,
	    "IPC_SIGN_CKPT_REQ: payload is 41 bytes, expected 40");
}

static void
sign_response_is_exactly_112_bytes(void **state)
{
	uint8_t p[113];
	int64_t seq = 9;

	(void)state;
	memset(p, 0xab, sizeof p);
	memcpy(p, &seq, 8);
	p[8 + 32] = 0x11;           /* first signature byte */
	p[8 + 32 + 64] = 0x22;      /* first key id byte */
	assert_int_equal(decode(IPC_SIGN_CKPT_RES, p, 112), 0);
	assert_int_equal(msg.sign_res.seq, 9);
	assert_int_equal(msg.sign_res.head[0], 0xab);
	assert_int_equal(msg.sign_res.sig[0], 0x11);
	assert_int_equal(msg.sign_res.keyid[0], 0x22);
	expect_bad(IPC_SIGN_CKPT_RES, p, 111,
	    "IPC_SIGN_CKPT_RES: payload is 111 bytes, expected 112");
	expect_bad(IPC_SIGN_CKPT_RES, p, 113,
	    "IPC_SIGN_CKPT_RES: payload is 113 bytes, expected 112");
}

static void
texts_are_bounded_and_without_nul(void **state)
{
	static char big[IPC_MAX_PAYLOAD + 1];

	(void)state;
	assert_int_equal(decode(IPC_SIGN_ERR, "rate limited", 12), 0);
	assert_int_equal(msg.type, IPC_SIGN_ERR);
	assert_string_equal(msg.text, "rate limited");
	assert_int_equal(msg.text_len, 12);
	memset(big, 'x', sizeof big);
	assert_int_equal(decode(IPC_SIGN_ERR, big, 256), 0);
	expect_bad(IPC_SIGN_ERR, big, 257,
	    "IPC_SIGN_ERR: payload is 257 bytes, expected 1 to 256");
	expect_bad(IPC_SIGN_ERR, "", 0,
	    "IPC_SIGN_ERR: payload is 0 bytes, expected 1 to 256");
	expect_bad(IPC_SIGN_ERR, "ab\0cd", 5,
	    "IPC_SIGN_ERR: text contains a NUL byte at offset 2");
	assert_int_equal(decode(IPC_CONFIG, "workers = 2\n", 12), 0);
	assert_string_equal(msg.text, "workers = 2\n");
	assert_int_equal(decode(IPC_CONFIG, big, IPC_MAX_PAYLOAD), 0);
	assert_int_equal(msg.text_len, IPC_MAX_PAYLOAD);
	assert_int_equal(msg.text[IPC_MAX_PAYLOAD], '\0');
	expect_bad(IPC_CONFIG, "a\0", 2,
	    "IPC_CONFIG: text contains a NUL byte at offset 1");
	expect_bad(IPC_CONFIG, big, IPC_MAX_PAYLOAD + 1,
	    "IPC_CONFIG: payload is 16385 bytes, more than 16384");
}

static void
epoch_has_fixed_part_and_bounded_object(void **state)
{
	uint8_t p[10 + IPC_EPOCH_OBJECT_MAX + 1];
	uint64_t e = 123456789;
	uint16_t kind = 3;

	(void)state;
	memcpy(p, &e, 8);
	memcpy(p + 8, &kind, 2);
	memset(p + 10, 'd', sizeof p - 10);
	assert_int_equal(decode(IPC_EPOCH, p, 10 + 5), 0);
	assert_int_equal(msg.epoch.epoch, 123456789);
	assert_int_equal(msg.epoch.kind, 3);
	assert_string_equal(msg.epoch.object, "ddddd");
	assert_int_equal(decode(IPC_EPOCH, p, 10 + IPC_EPOCH_OBJECT_MAX), 0);
	assert_int_equal(strlen(msg.epoch.object), IPC_EPOCH_OBJECT_MAX);
	expect_bad(IPC_EPOCH, p, 10,
	    "IPC_EPOCH: payload is 10 bytes, expected 11 to 138");
	expect_bad(IPC_EPOCH, p, 10 + IPC_EPOCH_OBJECT_MAX + 1,
	    "IPC_EPOCH: payload is 139 bytes, expected 11 to 138");
	p[12] = '\0';
	expect_bad(IPC_EPOCH, p, 15, "IPC_EPOCH: object contains a NUL byte");
}

static void
header_errors_are_rejected(void **state)
{
	uint8_t buf[64] = { 0 };
	uint32_t v = 1;
	size_t n;

	(void)state;
	assert_int_equal(ipc_decode(buf, 7, &msg, err, sizeof err), -1);
	assert_string_equal(err,
	    "frame is 7 bytes, shorter than its 8-byte header");
	n = frame(buf, IPC_READY, 1, 4, &v, 4);
	assert_int_equal(ipc_decode(buf, n, &msg, err, sizeof err), -1);
	assert_string_equal(err, "IPC_READY: flags are 0x0001, expected 0");
	/* The length field must equal what follows: no trailing bytes. */
	n = frame(buf, IPC_READY, 0, 4, zeros, 5);
	assert_int_equal(ipc_decode(buf, n, &msg, err, sizeof err), -1);
	assert_string_equal(err,
	    "IPC_READY: length field says 4 bytes, frame has 5");
	n = frame(buf, IPC_READY, 0, 5, zeros, 4);
	assert_int_equal(ipc_decode(buf, n, &msg, err, sizeof err), -1);
	assert_string_equal(err,
	    "IPC_READY: length field says 5 bytes, frame has 4");
	expect_bad(IPC_NONE, NULL, 0, "unknown message type 0");
	expect_bad(IPC_TYPE_COUNT, NULL, 0, "unknown message type 16");
	expect_bad(0xffff, NULL, 0, "unknown message type 65535");
	assert_string_equal(ipc_type_name(IPC_TYPE_COUNT), "IPC_?");
	assert_string_equal(ipc_type_name(IPC_SIGN_CKPT_REQ),
	    "IPC_SIGN_CKPT_REQ");
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

static void
send_and_receive_with_one_fd(void **state)
{
	int sv[2], pass[2], fd = -1, got;
	uint32_t idx = 5;
	struct ipc_sign_req rq = { .seq = 3 };
	uint8_t buf[IPC_MAX_FRAME];
	long n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pass), 0);
	assert_int_equal(ipc_send(sv[0], IPC_PEER, &idx, 4, pass[1]), 0);
	n = ipc_recv(sv[1], buf, sizeof buf, &fd);
	assert_int_equal(n, 12);
	assert_true(fd >= 0);
	assert_int_equal(ipc_decode(buf, (size_t)n, &msg, err, sizeof err), 0);
	assert_int_equal(msg.type, IPC_PEER);
	assert_int_equal(msg.u32, 5);
	/* The passed socket works and is close-on-exec. */
	got = fd;
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ipc_send_sign_req(got, &rq), 0);
	assert_int_equal(ipc_recv_msg(pass[0], PROC_NET, PROC_SIGNER, &msg,
	    &fd, err, sizeof err), 1);
	assert_int_equal(fd, -1);
	close(got);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_REQ);
	assert_int_equal(msg.sign_req.seq, 3);
	/* EOF. */
	close(pass[1]);
	assert_int_equal(ipc_recv_msg(pass[0], PROC_NET, PROC_SIGNER, &msg,
	    &fd, err, sizeof err), 0);
	close(pass[0]);
	close(sv[0]);
	close(sv[1]);
}

static void
more_than_one_fd_is_refused_and_all_are_closed(void **state)
{
	int sv[2], fds[2], fd = 7, before;
	uint8_t buf[IPC_MAX_FRAME];
	struct ipc_hdr h = { IPC_PEER, 0, 4 };
	uint8_t frame_[12];
	uint32_t idx = 0;
	struct iovec iov = { frame_, sizeof frame_ };
	union {
		struct cmsghdr a;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} cb;
	struct msghdr mh;
	struct cmsghdr *c;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(pipe(fds), 0);
	memcpy(frame_, &h, 8);
	memcpy(frame_ + 8, &idx, 4);
	memset(&mh, 0, sizeof mh);
	memset(&cb, 0, sizeof cb);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof cb.b;
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof fds);
	assert_int_equal(sendmsg(sv[0], &mh, 0), 12);
	close(fds[0]);
	close(fds[1]);
	before = count_fds();
	errno = 0;
	assert_int_equal(ipc_recv(sv[1], buf, sizeof buf, &fd), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(fd, -1);
	assert_int_equal(count_fds(), before);
	printf("# two fds: EPROTO, none leaked\n");
	close(sv[0]);
	close(sv[1]);
}

static void
fd_rules_and_pair_table_are_enforced_on_receive(void **state)
{
	int sv[2], p[2], fd, before;
	uint32_t v = 1;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	/* IPC_READY must not carry an fd: refused, and the fd closed. */
	assert_int_equal(ipc_send(sv[0], IPC_READY, &v, 4, p[0]), 0);
	before = count_fds();
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_PARENT, &msg, &fd,
	    err, sizeof err), -2);
	assert_string_equal(err, "IPC_READY: carries an fd it must not");
	assert_int_equal(count_fds(), before);
	/* IPC_PEER must carry one. */
	assert_int_equal(ipc_send(sv[0], IPC_PEER, &v, 4, -1), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_PARENT, PROC_SIGNER, &msg,
	    &fd, err, sizeof err), -2);
	assert_string_equal(err, "IPC_PEER: the fd it must carry is missing");
	/* A net worker may not send config to the parent... */
	assert_int_equal(ipc_send(sv[0], IPC_CONFIG, "x", 1, -1), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_PARENT, &msg, &fd,
	    err, sizeof err), -2);
	assert_string_equal(err, "IPC_CONFIG: not allowed from net to parent");
	/* ...nor IPC_PEER to the signer. */
	assert_int_equal(ipc_send(sv[0], IPC_PEER, &v, 4, p[1]), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), -2);
	assert_string_equal(err, "IPC_PEER: not allowed from net to signer");
	/* A malformed frame is reported as such. */
	{
		uint8_t bad[9];

		frame(bad, IPC_SHUTDOWN, 0, 1, "x", 1);
		assert_int_equal(send(sv[0], bad, sizeof bad, 0), 9);
		assert_int_equal(ipc_recv_msg(sv[1], PROC_PARENT, PROC_NET,
		    &msg, &fd, err, sizeof err), -2);
		assert_string_equal(err,
		    "IPC_SHUTDOWN: payload is 1 bytes, expected none");
	}
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
oversized_payload_is_not_sent(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	errno = 0;
	assert_int_equal(ipc_send(sv[0], IPC_CONFIG, zeros,
	    IPC_MAX_PAYLOAD + 1, -1), -1);
	assert_int_equal(errno, EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

static void
convenience_senders_round_trip(void **state)
{
	int sv[2], fd;
	struct ipc_sign_res rs;
	struct ipc_epoch ep;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&rs, 0x33, sizeof rs);
	rs.seq = 1000;
	assert_int_equal(ipc_send_sign_res(sv[0], &rs), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_SIGNER, PROC_NET, &msg, &fd,
	    err, sizeof err), 1);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_RES);
	assert_int_equal(msg.sign_res.seq, 1000);
	assert_memory_equal(msg.sign_res.sig, rs.sig, sizeof rs.sig);
	assert_memory_equal(msg.sign_res.keyid, rs.keyid, sizeof rs.keyid);
	memset(&ep, 0, sizeof ep);
	ep.epoch = 42;
	ep.kind = 2;
	snprintf(ep.object, sizeof ep.object, "device/abc");
	assert_int_equal(ipc_send_epoch(sv[0], &ep), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_PARENT, PROC_NET, &msg, &fd,
	    err, sizeof err), 1);
	assert_int_equal(msg.epoch.epoch, 42);
	assert_string_equal(msg.epoch.object, "device/abc");
	ep.object[0] = '\0';
	assert_int_equal(ipc_send_epoch(sv[0], &ep), -1);
	close(sv[0]);
	close(sv[1]);
}

/* A CA request and its answer each travel as one datagram: the fixed
 * struct, then exactly the bytes it announces (ipc_send2). */
static void
ca_request_and_answer_round_trip_through_ipc_send2(void **state)
{
	int sv[2], fd;
	struct ipc_ca_issue_req r;
	struct ipc_ca_res a;
	uint8_t csr[600];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&r, 0, sizeof r);
	r.reqid = 77;
	r.via = IPC_VIA_TOKEN;
	r.csr_len = sizeof csr;
	snprintf(r.tenant_id, sizeof r.tenant_id, "tenant-1");
	snprintf(r.device_id, sizeof r.device_id, "device-1");
	memset(csr, 0x5a, sizeof csr);
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), 1);
	assert_int_equal(msg.type, IPC_CA_ISSUE_REQ);
	assert_int_equal(msg.ca_issue.reqid, 77);
	assert_string_equal(msg.ca_issue.device_id, "device-1");
	assert_int_equal(msg.data_len, sizeof csr);
	assert_memory_equal(msg.data, csr, sizeof csr);
	printf("# IPC_CA_ISSUE_REQ: %zu + %zu bytes in one datagram\n",
	    sizeof r, sizeof csr);
	/* The same request from the signer's side is refused. */
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_SIGNER, PROC_NET, &msg, &fd,
	    err, sizeof err), -2);
	assert_string_equal(err,
	    "IPC_CA_ISSUE_REQ: not allowed from signer to net");
	memset(&a, 0, sizeof a);
	a.reqid = 77;
	a.status = VIGIL_EDENIED;
	a.len = 30;
	assert_int_equal(ipc_send2(sv[1], IPC_CA_ISSUE_RES, &a, sizeof a,
	    "enrollment awaits approval ...", 30), 0);
	assert_int_equal(ipc_recv_msg(sv[0], PROC_SIGNER, PROC_NET, &msg, &fd,
	    err, sizeof err), 1);
	assert_int_equal(msg.ca_res.status, VIGIL_EDENIED);
	assert_int_equal(msg.data_len, 30);
	/* More than one frame's worth is not sent. */
	assert_int_equal(ipc_send2(sv[0], IPC_CA_OCSP_REQ, &r, sizeof r, csr,
	    IPC_MAX_PAYLOAD), -1);
	close(sv[0]);
	close(sv[1]);
}

/* The names of a server/operator request travel NUL-padded and ASCII:
 * stale bytes after the NUL or a non-ASCII byte are refused. */
static void
ca_issue_names_are_padded_ascii(void **state)
{
	int sv[2], fd;
	struct ipc_ca_issue_req r;
	uint8_t csr[16];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&r, 0, sizeof r);
	memset(csr, 0x30, sizeof csr);
	r.reqid = 5;
	r.via = IPC_VIA_OPERATOR;
	r.profile = 2;
	r.csr_len = sizeof csr;
	snprintf(r.tenant_id, sizeof r.tenant_id, "tenant-1");
	snprintf(r.names, sizeof r.names, "host1.example,192.0.2.1");
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), 1);
	assert_string_equal(msg.ca_issue.names, "host1.example,192.0.2.1");
	printf("# names field: %zu bytes, decoded intact\n", sizeof r.names);
	memset(r.names, 'a', sizeof r.names);
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), -2);
	assert_non_null(strstr(err, "names is not NUL-terminated"));
	memset(r.names, 0, sizeof r.names);
	snprintf(r.names, sizeof r.names, "host1.example");
	r.names[30] = 'y';
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), -2);
	assert_non_null(strstr(err, "names is not NUL-padded"));
	r.names[30] = '\0';
	r.names[4] = (char)0xc3;
	assert_int_equal(ipc_send2(sv[0], IPC_CA_ISSUE_REQ, &r, sizeof r, csr,
	    sizeof csr), 0);
	assert_int_equal(ipc_recv_msg(sv[1], PROC_NET, PROC_SIGNER, &msg, &fd,
	    err, sizeof err), -2);
	assert_non_null(strstr(err, "names has a non-ASCII byte at offset 4"));
	printf("# refused: %s\n", err);
	close(sv[0]);
	close(sv[1]);
}

static void
pair_table_allows_only_designed_paths(void **state)
{
	(void)state;
	assert_true(proc_may_talk(PROC_PARENT, PROC_NET));
	assert_true(proc_may_talk(PROC_NET, PROC_SIGNER));
	assert_true(proc_may_talk(PROC_SIGNER, PROC_PARENT));
	assert_false(proc_may_talk(PROC_NET, PROC_NET));
	assert_false(proc_may_talk(PROC_SIGNER, PROC_SIGNER));
	for (int t = 1; t < IPC_TYPE_COUNT; t++) {
		/* Net may say only these: */
		int n2p = ipc_allowed(t, PROC_NET, PROC_PARENT);
		int n2s = ipc_allowed(t, PROC_NET, PROC_SIGNER);

		assert_int_equal(n2p, t == IPC_READY || t == IPC_EPOCH);
		assert_int_equal(n2s, t == IPC_SIGN_CKPT_REQ ||
		    t == IPC_CA_ISSUE_REQ || t == IPC_CA_OCSP_REQ ||
		    t == IPC_CA_CRL_REQ);
		assert_false(ipc_allowed(t, PROC_NET, PROC_NET));
		assert_int_equal(ipc_wants_fd(t),
		    t == IPC_PEER || t == IPC_SIGNER_FD);
	}
	assert_true(ipc_allowed(IPC_SIGN_CKPT_RES, PROC_SIGNER, PROC_NET));
	assert_false(ipc_allowed(IPC_SIGN_CKPT_RES, PROC_SIGNER, PROC_PARENT));
	assert_true(ipc_allowed(IPC_SHUTDOWN, PROC_PARENT, PROC_SIGNER));
	assert_false(ipc_allowed(IPC_NONE, PROC_PARENT, PROC_NET));
	assert_false(ipc_allowed(IPC_READY, 7, PROC_PARENT));
	/* The collector talks to the parent only: its readiness and the
	 * epochs of its automatic responses up, config and shutdown down. */
	assert_true(proc_may_talk(PROC_COLLECTOR, PROC_PARENT));
	assert_false(proc_may_talk(PROC_COLLECTOR, PROC_SIGNER));
	assert_false(proc_may_talk(PROC_COLLECTOR, PROC_NET));
	for (int t = 1; t < IPC_TYPE_COUNT; t++) {
		assert_int_equal(ipc_allowed(t, PROC_COLLECTOR, PROC_PARENT),
		    t == IPC_READY || t == IPC_EPOCH);
		assert_false(ipc_allowed(t, PROC_COLLECTOR, PROC_NET));
		assert_false(ipc_allowed(t, PROC_COLLECTOR, PROC_SIGNER));
	}
	assert_true(ipc_allowed(IPC_CONFIG, PROC_PARENT, PROC_COLLECTOR));
	assert_true(ipc_allowed(IPC_SHUTDOWN, PROC_PARENT, PROC_COLLECTOR));
	assert_false(ipc_allowed(IPC_CA_ISSUE_REQ, PROC_PARENT,
	    PROC_COLLECTOR));
}

static void
restart_back_off_doubles_then_gives_up(void **state)
{
	struct proc_restarts r = { { 0 }, 0 };

	(void)state;
	assert_int_equal(proc_restart_delay(&r, 1000), 0);
	assert_int_equal(proc_restart_delay(&r, 1100), 250);
	assert_int_equal(proc_restart_delay(&r, 1400), 500);
	assert_int_equal(proc_restart_delay(&r, 2000), 1000);
	assert_int_equal(proc_restart_delay(&r, 3000), 2000);
	/* A sixth within 30 s: give up. */
	assert_int_equal(proc_restart_delay(&r, 5000), -1);
	/* Later, the old ones have aged out. */
	assert_int_equal(proc_restart_delay(&r, 1000 + 30000 + 3000), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_peer_signer_fd_carry_u32),
		cmocka_unit_test(shutdown_is_empty),
		cmocka_unit_test(sign_request_is_exactly_40_bytes),
		cmocka_unit_test(sign_response_is_exactly_112_bytes),
		cmocka_unit_test(texts_are_bounded_and_without_nul),
		cmocka_unit_test(epoch_has_fixed_part_and_bounded_object),
		cmocka_unit_test(header_errors_are_rejected),
		cmocka_unit_test(send_and_receive_with_one_fd),
		cmocka_unit_test(
		    more_than_one_fd_is_refused_and_all_are_closed),
		cmocka_unit_test(
		    fd_rules_and_pair_table_are_enforced_on_receive),
		cmocka_unit_test(oversized_payload_is_not_sent),
		cmocka_unit_test(convenience_senders_round_trip),
		cmocka_unit_test(
		    ca_request_and_answer_round_trip_through_ipc_send2),
		cmocka_unit_test(ca_issue_names_are_padded_ascii),
		cmocka_unit_test(pair_table_allows_only_designed_paths),
		cmocka_unit_test(restart_back_off_doubles_then_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
