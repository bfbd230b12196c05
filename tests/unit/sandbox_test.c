/*
 * The seccomp sandboxes, tried for real in forked children: what the
 * net worker and the signer need keeps working (file I/O through
 * SQLite-style calls, accept on an inherited socket, epoll, IPC), and
 * what they must never do either kills the process with SIGSYS
 * (execve, fork, ptrace, mount, setuid, bind, connect) or fails
 * (socket: EACCES; the signer's open: EACCES). When the test runs as
 * root, it also proves the child ends up as the unprivileged user.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "sandbox.h"

typedef int (*body_fn)(void);

static struct vigild_config cfg;

/* Runs body in a child inside the net (net = 1) or signer sandbox and
 * returns its wait status. The child leaves with _exit: LeakSanitizer's
 * exit-time check needs ptrace, which the sandbox forbids. */
static int
in_sandbox(int net, body_fn body)
{
	char err[256];
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = net ? sandbox_enter_net(&cfg, err, sizeof err) :
		    sandbox_enter_signer(&cfg, err, sizeof err);

		if (rc != 0) {
			fprintf(stderr, "sandbox: %s\n", err);
			_exit(100);
		}
		_exit(body());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
expect_sigsys(int net, body_fn body, const char *what)
{
	int st = in_sandbox(net, body);

	printf("# %s sandbox: %s -> %s %d\n", net ? "net" : "signer", what,
	    WIFSIGNALED(st) ? "signal" : "exit",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
expect_exit0(int net, body_fn body, const char *what)
{
	int st = in_sandbox(net, body);

	printf("# %s sandbox: %s -> %s %d\n", net ? "net" : "signer", what,
	    WIFSIGNALED(st) ? "signal" : "exit",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int
do_execve(void)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 1;
}

static int
do_fork(void)
{
	/* The raw system call: glibc's fork() may use clone. */
	return syscall(SYS_fork) >= 0 ? 1 : 2;
}

static int
do_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 1;
}

static int
do_mount(void)
{
	mount("none", "/mnt", "tmpfs", 0, NULL);
	return 1;
}

static int
do_setuid(void)
{
	setuid(0);
	return 1;
}

static int listen_fd = -1;

static int
do_bind(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	bind(listen_fd, (struct sockaddr *)&a, sizeof a);
	return 1;
}

static int
do_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons(9), .sin_addr = { htonl(0x7f000001) } };

	connect(listen_fd, (struct sockaddr *)&a, sizeof a);
	return 1;
}

static int
socket_fails_eacces(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return fd < 0 && errno == EACCES ? 0 : 1;
}

static int
open_fails_eacces(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	return fd < 0 && errno == EACCES ? 0 : 1;
}

static char dbdir[64];

/* What SQLite does with its database and journal files. */
static int
file_io_works(void)
{
	char path[128], buf[8];
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "%s/db-wal", dbdir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	if (pwrite(fd, "abcdefgh", 8, 0) != 8 || fdatasync(fd) != 0 ||
	    fsync(fd) != 0 || fstat(fd, &st) != 0 || st.st_size != 8)
		return 2;
	if (pread(fd, buf, 8, 0) != 8 || memcmp(buf, "abcdefgh", 8) != 0)
		return 3;
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_END) != 0)
		return 4;
	{
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (fcntl(fd, F_SETLK, &fl) != 0)
			return 5;
	}
	close(fd);
	if (unlink(path) != 0 || access(path, F_OK) == 0)
		return 6;
	if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf)
		return 7;
	return 0;
}

/* libevent's loop: epoll over the inherited listening socket, accept
 * a connection made before the sandbox, read from it. */
static int client_fd = -1;

static int
accept_and_epoll_work(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	char buf[8];
	int ep, c, one = 1;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 1;
	ev.data.fd = listen_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0)
		return 2;
	if (epoll_wait(ep, &out, 1, 5000) != 1)
		return 3;
	if ((c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) < 0)
		return 4;
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof one) != 0)
		return 5;
	ev.data.fd = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0 ||
	    epoll_wait(ep, &out, 1, 5000) != 1 || read(c, buf, 2) != 2 ||
	    write(c, "ok", 2) != 2 || shutdown(c, SHUT_RDWR) != 0)
		return 6;
	close(c);
	close(ep);
	return 0;
}

static int ipc_fd = -1;

static int
ipc_works(void)
{
	char b[4];

	if (write(ipc_fd, "ping", 4) != 4 || read(ipc_fd, b, 4) != 4)
		return 1;
	return memcmp(b, "pong", 4) == 0 ? 0 : 2;
}

static int
runs_unprivileged(void)
{
	return getuid() != 0 && geteuid() != 0 && getgid() != 0 ? 0 : 1;
}

static void
net_sandbox_kills_exec_fork_ptrace_mount_setuid(void **state)
{
	(void)state;
	expect_sigsys(1, do_execve, "execve");
	expect_sigsys(1, do_fork, "fork");
	expect_sigsys(1, do_ptrace, "ptrace");
	expect_sigsys(1, do_mount, "mount");
	expect_sigsys(1, do_setuid, "setuid");
}

static void
net_sandbox_refuses_new_sockets_bind_and_connect(void **state)
{
	(void)state;
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(listen_fd >= 0);
	expect_exit0(1, socket_fails_eacces, "socket() fails with EACCES");
	expect_sigsys(1, do_bind, "bind");
	expect_sigsys(1, do_connect, "connect");
	close(listen_fd);
}

static void
net_sandbox_allows_database_file_io(void **state)
{
	(void)state;
	snprintf(dbdir, sizeof dbdir, "/tmp/vigild-sbx.XXXXXX");
	assert_non_null(mkdtemp(dbdir));
	/* The worker user must be able to create files in it. */
	assert_int_equal(chmod(dbdir, 0777), 0);
	expect_exit0(1, file_io_works, "open/pwrite/fsync/lock/unlink");
	assert_int_equal(rmdir(dbdir), 0);
}

static void
net_sandbox_allows_accept_and_epoll_on_inherited_socket(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_addr = { htonl(0x7f000001) } };
	socklen_t len = sizeof a;
	char buf[2];

	(void)state;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(listen_fd >= 0);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(listen_fd, 8), 0);
	assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&a, &len),
	    0);
	client_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(client_fd, (struct sockaddr *)&a, sizeof a),
	    0);
	assert_int_equal(write(client_fd, "hi", 2), 2);
	expect_exit0(1, accept_and_epoll_work, "epoll/accept4/read/write");
	assert_int_equal(read(client_fd, buf, 2), 2);
	assert_memory_equal(buf, "ok", 2);
	close(client_fd);
	close(listen_fd);
}

static void
signer_sandbox_has_no_files_no_sockets_no_exec(void **state)
{
	(void)state;
	expect_exit0(0, open_fails_eacces, "open() fails with EACCES");
	expect_exit0(0, socket_fails_eacces, "socket() fails with EACCES");
	expect_sigsys(0, do_execve, "execve");
	expect_sigsys(0, do_ptrace, "ptrace");
	expect_sigsys(0, do_fork, "fork");
}

static void
signer_sandbox_allows_ipc_on_its_sockets(void **state)
{
	int sv[2];
	pid_t pid;
	char b[4];
	int st;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ipc_fd = sv[1];
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		close(sv[0]);
		if (sandbox_enter_signer(&cfg, err, sizeof err) != 0)
			_exit(100);
		_exit(ipc_works());
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], b, 4), 4);
	assert_int_equal(write(sv[0], "pong", 4), 4);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	close(sv[0]);
	printf("# signer sandbox: read/write on its socket work\n");
}

static void
root_start_drops_to_configured_user(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		printf("# not root: privilege drop not exercised\n");
		skip();
	}
	expect_exit0(1, runs_unprivileged, "runs as 'nobody'");
	expect_exit0(0, runs_unprivileged, "runs as 'nobody'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    net_sandbox_kills_exec_fork_ptrace_mount_setuid),
		cmocka_unit_test(
		    net_sandbox_refuses_new_sockets_bind_and_connect),
		cmocka_unit_test(net_sandbox_allows_database_file_io),
		cmocka_unit_test(
		    net_sandbox_allows_accept_and_epoll_on_inherited_socket),
		cmocka_unit_test(signer_sandbox_has_no_files_no_sockets_no_exec),
		cmocka_unit_test(signer_sandbox_allows_ipc_on_its_sockets),
		cmocka_unit_test(root_start_drops_to_configured_user),
	};

	config_defaults(&cfg);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
