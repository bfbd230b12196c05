/*
 * The signer reads every ready net worker in each poll round: a worker
 * with a backlog of requests does not keep another worker's request
 * waiting behind all of it (the signer used to read one message per
 * round, always from the lowest-numbered ready worker, which also kept
 * its issuance batches at one request per store commit).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "proc.h"
#include "signer.h"
#include "vigil/audit.h"

#define BACKLOG 40 /* worker 0's queued checkpoint requests */

static char dir[64], priv[128], pub[128];
static struct vigild_config cfg;
static struct ipc_msg msg;
static char err[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vigild-signer-fair.XXXXXX");
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

static void
send_req(int fd, int64_t seq)
{
	struct ipc_sign_req r;

	memset(&r, 0, sizeof r);
	r.seq = seq;
	memset(r.head, 0x5a, sizeof r.head);
	assert_int_equal(ipc_send_sign_req(fd, &r), 0);
}

static enum ipc_type
answer(int fd)
{
	int got;

	assert_int_equal(ipc_recv_msg(fd, PROC_SIGNER, PROC_NET, &msg, &got,
	    err, sizeof err), 1);
	return msg.type;
}

static void
second_worker_is_not_kept_behind_the_first_workers_backlog(void **state)
{
	int ps[2], n0[2], n1[2], fd, st;
	uint32_t idx;
	unsigned refused = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ps), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, n0), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, n1), 0);
	/* Both workers' requests are queued before the signer sees
	 * either socket: worker 0 has BACKLOG of them, worker 1 one
	 * with a higher sequence number. */
	for (int i = 1; i <= BACKLOG; i++)
		send_req(n0[0], i);
	send_req(n1[0], 1000);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ps[0]);
		close(n0[0]);
		close(n1[0]);
		/* _exit: the sandboxed child cannot run LeakSanitizer. */
		_exit(signer_main(&cfg, ps[1]));
	}
	close(ps[1]);
	/* Both peers are handed over before the signer's loop starts
	 * (it reads them one per round), so the rounds are the same on
	 * any machine: peer 0 joins, peer 1 joins while worker 0's first
	 * request is read, then both are ready. */
	idx = 0;
	assert_int_equal(ipc_send(ps[0], IPC_PEER, &idx, 4, n0[1]), 0);
	idx = 1;
	assert_int_equal(ipc_send(ps[0], IPC_PEER, &idx, 4, n1[1]), 0);
	close(n0[1]);
	close(n1[1]);
	assert_int_equal(ipc_recv_msg(ps[0], PROC_SIGNER, PROC_PARENT, &msg,
	    &fd, err, sizeof err), 1);
	assert_int_equal(msg.type, IPC_READY);

	/* Worker 1's request is signed... */
	assert_int_equal(answer(n1[0]), IPC_SIGN_CKPT_RES);
	assert_int_equal(msg.sign_res.seq, 1000);
	/* ...in one of the first rounds that see both workers: the rest
	 * of worker 0's backlog then comes after seq 1000 and is
	 * refused. Read one message per round, worker 0's whole backlog
	 * was signed first and worker 1 waited behind it. */
	for (int i = 1; i <= BACKLOG; i++)
		if (answer(n0[0]) == IPC_SIGN_ERR)
			refused++;
	printf("# worker 1's seq 1000 signed; %u of worker 0's %d queued "
	    "requests came after it\n", refused, BACKLOG);
	assert_true(refused >= BACKLOG / 2);

	assert_int_equal(ipc_send(ps[0], IPC_SHUTDOWN, NULL, 0, -1), 0);
	close(n0[0]);
	close(n1[0]);
	close(ps[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    second_worker_is_not_kept_behind_the_first_workers_backlog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
