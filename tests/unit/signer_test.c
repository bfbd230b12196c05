/*
 * The signer process, run for real in a forked child with a fresh
 * audit key: it becomes ready, accepts a net worker's socket from the
 * parent (IPC_PEER), signs checkpoint requests with a signature that
 * verifies under the public key, re-checks each request (seq positive,
 * strictly increasing, rate limited) and answers IPC_SIGN_ERR, and
 * exits on a malformed message from a peer and on IPC_SHUTDOWN.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "proc.h"
#include "signer.h"
#include "vigil/audit.h"

static char dir[64], priv[128], pub[128];
static struct vigild_config cfg;
static struct ipc_msg msg;
static char err[256];

struct child {
	pid_t pid;
	int parent_fd; /* our end, as the parent */
	int net_fd;    /* our end, as net worker 0 */
};

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vigild-signer.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(priv, sizeof priv, "%s/audit.key", dir);
	snprintf(pub, sizeof pub, "%s/audit.pub", dir);
	if (vigil_audit_keygen(priv, pub, err, sizeof err) != VIGIL_OK) {
		fprintf(stderr, "keygen: %s\n", err);
		return -1;
	}
	config_defaults(&cfg);
	snprintf(cfg.audit_key, sizeof cfg.audit_key, "%s", priv);
	vlog_init("test", "stderr", "text", "error");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(priv);
	unlink(pub);
	return rmdir(dir);
}

/* Starts the signer as the parent would and hands it one peer. */
static void
start(struct child *c)
{
	int ps[2], ns[2], fd;
	uint32_t idx = 0;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ps), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ns), 0);
	fflush(NULL);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		close(ps[0]);
		close(ns[0]);
		close(ns[1]);
		/* _exit: the sandboxed child cannot run LeakSanitizer. */
		_exit(signer_main(&cfg, ps[1]));
	}
	close(ps[1]);
	c->parent_fd = ps[0];
	assert_int_equal(ipc_recv_msg(c->parent_fd, PROC_SIGNER, PROC_PARENT,
	    &msg, &fd, err, sizeof err), 1);
	assert_int_equal(msg.type, IPC_READY);
	assert_int_equal(msg.u32, (uint32_t)c->pid);
	assert_int_equal(ipc_send(c->parent_fd, IPC_PEER, &idx, 4, ns[1]), 0);
	close(ns[1]);
	c->net_fd = ns[0];
}

static int
finish(struct child *c)
{
	int st;

	close(c->net_fd);
	close(c->parent_fd);
	assert_int_equal(waitpid(c->pid, &st, 0), c->pid);
	return st;
}

/* Waits for the child to exit on its own, then closes our ends. */
static int
wait_exit(struct child *c)
{
	int st;

	assert_int_equal(waitpid(c->pid, &st, 0), c->pid);
	close(c->net_fd);
	close(c->parent_fd);
	return st;
}

static void
request(struct child *c, int64_t seq, uint8_t fill)
{
	struct ipc_sign_req r;
	int fd;

	r.seq = seq;
	memset(r.head, fill, sizeof r.head);
	assert_int_equal(ipc_send_sign_req(c->net_fd, &r), 0);
	assert_int_equal(ipc_recv_msg(c->net_fd, PROC_SIGNER, PROC_NET, &msg,
	    &fd, err, sizeof err), 1);
}

static int
verifies(const struct ipc_sign_res *res)
{
	uint8_t m[VIGIL_AUDIT_CKPT_MSG_LEN];
	FILE *f = fopen(pub, "r");
	EVP_PKEY *k = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (f != NULL)
		fclose(f);
	vigil_audit_checkpoint_msg(res->seq, res->head, m);
	ok = k != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, res->sig, sizeof res->sig, m,
	    sizeof m) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return ok;
}

static void
signs_checkpoints_that_verify_under_the_public_key(void **state)
{
	struct child c;
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN], rawpub[VIGIL_AUDIT_PUBKEY_LEN];
	int st;

	(void)state;
	start(&c);
	request(&c, 1000, 0xaa);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_RES);
	assert_int_equal(msg.sign_res.seq, 1000);
	assert_int_equal(msg.sign_res.head[0], 0xaa);
	assert_true(verifies(&msg.sign_res));
	assert_int_equal(vigil_audit_pubkey_load(pub, rawpub, keyid, err,
	    sizeof err), VIGIL_OK);
	assert_memory_equal(msg.sign_res.keyid, keyid, sizeof keyid);
	printf("# seq 1000 signed; signature verifies; key id matches\n");
	/* A changed head does not verify with the old signature. */
	msg.sign_res.head[0] ^= 1;
	assert_false(verifies(&msg.sign_res));
	request(&c, 1001, 0xbb);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_RES);
	assert_true(verifies(&msg.sign_res));
	assert_int_equal(ipc_send(c.parent_fd, IPC_SHUTDOWN, NULL, 0, -1), 0);
	st = finish(&c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
refuses_non_positive_and_non_increasing_seq(void **state)
{
	struct child c;

	(void)state;
	start(&c);
	request(&c, 0, 1);
	assert_int_equal(msg.type, IPC_SIGN_ERR);
	assert_string_equal(msg.text, "checkpoint seq 0: must be positive");
	request(&c, -5, 1);
	assert_string_equal(msg.text, "checkpoint seq -5: must be positive");
	request(&c, 10, 1);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_RES);
	request(&c, 10, 2);
	assert_int_equal(msg.type, IPC_SIGN_ERR);
	assert_string_equal(msg.text, "checkpoint seq 10: not after the last "
	    "signed checkpoint 10");
	request(&c, 9, 2);
	assert_string_equal(msg.text, "checkpoint seq 9: not after the last "
	    "signed checkpoint 10");
	request(&c, 11, 2);
	assert_int_equal(msg.type, IPC_SIGN_CKPT_RES);
	printf("# 0, -5, 10 again and 9 refused; 10 and 11 signed\n");
	close(c.parent_fd); /* EOF from the parent: the signer exits */
	c.parent_fd = -1;
	assert_int_equal(WEXITSTATUS(finish(&c)), 0);
}

static void
rate_limit_caps_signatures_per_second(void **state)
{
	struct child c;
	int signed_ = 0, limited = 0;

	(void)state;
	start(&c);
	/* Far more than one second's worth, sent as fast as possible:
	 * the burst is granted, the rest mostly refused. */
	for (int i = 1; i <= 4 * SIGNER_RATE_PER_S; i++) {
		request(&c, i, 3);
		if (msg.type == IPC_SIGN_CKPT_RES)
			signed_++;
		else if (strcmp(msg.text, "rate limited: at most 100 "
		    "checkpoint signatures per second") == 0)
			limited++;
	}
	printf("# %d signed, %d rate limited\n", signed_, limited);
	assert_true(signed_ >= SIGNER_RATE_PER_S);
	assert_true(limited > 0);
	assert_int_equal(signed_ + limited, 4 * SIGNER_RATE_PER_S);
	finish(&c);
}

static void
malformed_peer_message_makes_the_signer_exit(void **state)
{
	struct child c;
	uint8_t bad[8 + 39];
	struct ipc_hdr h = { IPC_SIGN_CKPT_REQ, 0, 39 };
	int st;

	(void)state;
	start(&c);
	memset(bad, 0, sizeof bad);
	memcpy(bad, &h, sizeof h);
	assert_int_equal(send(c.net_fd, bad, sizeof bad, 0),
	    (ssize_t)sizeof bad);
	st = wait_exit(&c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	printf("# 39-byte IPC_SIGN_CKPT_REQ: signer exited 1\n");
}

static void
forbidden_type_from_a_peer_makes_the_signer_exit(void **state)
{
	struct child c;
	int st;

	(void)state;
	start(&c);
	/* Net may not send IPC_SHUTDOWN (nor anything but requests). */
	assert_int_equal(ipc_send(c.net_fd, IPC_SHUTDOWN, NULL, 0, -1), 0);
	st = wait_exit(&c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
}

static void
missing_key_file_fails_start(void **state)
{
	struct vigild_config bad = cfg;
	int ps[2], st;
	pid_t pid;

	(void)state;
	snprintf(bad.audit_key, sizeof bad.audit_key, "%s/none.key", dir);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ps), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(signer_main(&bad, ps[1]));
	close(ps[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 1);
	close(ps[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    signs_checkpoints_that_verify_under_the_public_key),
		cmocka_unit_test(refuses_non_positive_and_non_increasing_seq),
		cmocka_unit_test(rate_limit_caps_signatures_per_second),
		cmocka_unit_test(malformed_peer_message_makes_the_signer_exit),
		cmocka_unit_test(
		    forbidden_type_from_a_peer_makes_the_signer_exit),
		cmocka_unit_test(missing_key_file_fails_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
