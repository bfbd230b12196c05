/*
 * Sandboxes for the child processes (sandbox.h): drop to the configured
 * user when started as root, no-new-privs, no core dumps (they would
 * hold keys), and a seccomp allow-list whose default is to kill the
 * whole process. The lists below are what glibc, OpenSSL, SQLite,
 * libevent and, in test builds, AddressSanitizer/UBSan need at run
 * time; anything else (exec, fork, ptrace, mount, setuid, bind,
 * connect, ...) kills the process, which the parent logs with the
 * signal (SIGSYS) and restarts.
 *
 * Two calls fail softly instead (EACCES): socket(), because glibc's
 * syslog() tries to reconnect after journald restarts and must not
 * take the worker down with it; and, in the signer without a CA,
 * open()/openat(), so that a library that probes a file (time zone,
 * locale) gets an error rather than killing the key holder. Neither
 * opens anything.
 *
 * The signer holding CA keys (sandbox_enter_signer_pki) needs the
 * database: SQLite's file calls, as in the net worker, but none of the
 * net worker's socket calls (no accept, listen, epoll). A CA key in a
 * PKCS#11 token adds what SoftHSM2 does when it signs: it re-reads its
 * token directory (getdents64) and locks object files (flock, fcntl).
 *
 * The collector (sandbox_enter_collector) keeps the net worker's file
 * calls (its store, and the Zeek log it opens again when it rotates),
 * reads datagrams in batches (recvmmsg) and accepts IPFIX over TCP;
 * unlike the others it may create outbound sockets (syslog over UDP,
 * the alert webhook and its DNS queries), never a thread or a process.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>

#include "privdrop.h"
#include "sandbox.h"

/* Both sandboxes: memory, signals, time, identity queries, IPC on
 * descriptors the process already has, and what the sanitizers use
 * to report an error. */
static const char *const common_calls[] = {
	"read", "write", "readv", "writev", "close", "exit", "exit_group",
	"restart_syscall", "brk", "mmap", "munmap", "mremap", "mprotect",
	"madvise", "mincore", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigaltstack", "clock_gettime", "clock_getres",
	"clock_nanosleep", "nanosleep", "gettimeofday", "time", "getpid",
	"gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
	"getresuid", "getresgid", "getgroups", "tgkill", "futex",
	"sched_yield", "sched_getaffinity", "getrlimit", "prlimit64",
	"prctl", "readlink", "readlinkat", "getrandom", "fstat",
	"newfstatat", "statx", "lseek", "fcntl", "poll", "ppoll",
	"recvmsg", "sendmsg", "recvfrom", "sendto", "rseq",
	"set_robust_list", "uname", "sysinfo", "dup", "dup2", "dup3",
	"getrusage",
	NULL,
};

/* The net worker: files through SQLite (which opens its -wal, -shm and
 * journal files and locks with fcntl), connections accepted on the
 * listening socket it was given, libevent's epoll and timers. */
static const char *const net_calls[] = {
	"open", "openat", "access", "faccessat", "faccessat2", "stat",
	"lstat", "pread64", "pwrite64", "preadv", "pwritev", "fsync",
	"fdatasync", "ftruncate", "fallocate", "unlink", "unlinkat",
	"fchmod", "fchown", "flock", "getcwd", "fstatfs",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "select", "pselect6", "accept",
	"accept4", "setsockopt", "getsockopt", "getpeername",
	"getsockname", "shutdown", "listen", "eventfd2", "pipe", "pipe2",
	"timerfd_create", "timerfd_settime", "timerfd_gettime",
	NULL,
};

/* The collector: SQLite's and the Zeek log's files, its datagram and
 * IPFIX/TCP sockets, epoll and timers, and outbound sockets for the
 * alert outputs (syslog UDP, the webhook over libevent's HTTP client
 * and its evdns resolver, all on the collector's one thread). No bind,
 * no listen: its listening sockets come from the parent. */
static const char *const collector_calls[] = {
	"open", "openat", "access", "faccessat", "faccessat2", "stat",
	"lstat", "pread64", "pwrite64", "preadv", "pwritev", "fsync",
	"fdatasync", "ftruncate", "fallocate", "unlink", "unlinkat",
	"fchmod", "fchown", "flock", "getcwd", "fstatfs", "statfs",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "select", "pselect6", "accept",
	"accept4", "recvmmsg", "sendmmsg", "socket", "socketpair",
	"connect", "setsockopt", "getsockopt", "getpeername",
	"getsockname", "shutdown", "eventfd2", "pipe", "pipe2",
	"timerfd_create", "timerfd_settime", "timerfd_gettime",
	"set_tid_address", "membarrier",
	NULL,
};

/* The signer with CA keys: SQLite's file work only. */
static const char *const signer_pki_calls[] = {
	"open", "openat", "access", "faccessat", "faccessat2", "stat",
	"lstat", "pread64", "pwrite64", "preadv", "pwritev", "fsync",
	"fdatasync", "ftruncate", "fallocate", "unlink", "unlinkat",
	"fchmod", "fchown", "flock", "getcwd", "fstatfs",
	NULL,
};

/* A PKCS#11 module (SoftHSM2) refreshing its token while signing. */
static const char *const signer_pkcs11_calls[] = {
	"getdents64", "getdents", "statfs", "mkdir", "rename",
	NULL,
};

enum sandbox_kind {
	SB_NET,
	SB_COLLECTOR,     /* + outbound sockets, threads */
	SB_SIGNER,        /* no files */
	SB_SIGNER_PKI,    /* + the database */
	SB_SIGNER_PKCS11, /* + the database + a PKCS#11 module's files */
};

static int
add_list(scmp_filter_ctx ctx, const char *const *names, char *err,
    size_t errsize)
{
	for (size_t i = 0; names[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int rc;

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0) {
			snprintf(err, errsize, "seccomp: cannot allow %s: %s",
			    names[i], strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int
add_errno(scmp_filter_ctx ctx, const char *name, int e, char *err,
    size_t errsize)
{
	int nr = seccomp_syscall_resolve_name(name), rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), nr, 0)) < 0) {
		snprintf(err, errsize, "seccomp: rule for %s: %s", name,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

/* ioctl only for what libevent, stdio and the sanitizers need: bytes readable on a
 * socket, non-blocking mode, and isatty(). */
static int
add_ioctls(scmp_filter_ctx ctx, char *err, size_t errsize)
{
	static const unsigned long reqs[] = { FIONREAD, FIONBIO, TCGETS };

	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		struct scmp_arg_cmp cmp = { .arg = 1, .op = SCMP_CMP_EQ,
			.datum_a = reqs[i], .datum_b = 0 };
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(ioctl), 1, cmp);

		if (rc < 0) {
			snprintf(err, errsize, "seccomp: ioctl rule: %s",
			    strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Privileges first (the drop needs setuid, which the filter forbids),
 * then the filter. */
static int
enter(const struct vigild_config *cfg, enum sandbox_kind kind, char *err,
    size_t errsize)
{
	struct rlimit nocore = { 0, 0 };
	scmp_filter_ctx ctx;
	int rc;

	if (privdrop_to(cfg->user, err, errsize) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsize, "no-new-privs: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    setrlimit(RLIMIT_CORE, &nocore) != 0) {
		snprintf(err, errsize, "disabling core dumps: %s",
		    strerror(errno));
		return -1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		snprintf(err, errsize, "seccomp_init failed");
		return -1;
	}
	if (add_list(ctx, common_calls, err, errsize) != 0 ||
	    add_ioctls(ctx, err, errsize) != 0)
		goto fail;
	/* The collector's outputs open sockets; for everyone else
	 * socket() fails softly (see the top of the file). */
	if (kind != SB_COLLECTOR &&
	    add_errno(ctx, "socket", EACCES, err, errsize) != 0)
		goto fail;
	switch (kind) {
	case SB_COLLECTOR:
		if (add_list(ctx, collector_calls, err, errsize) != 0)
			goto fail;
		break;
	case SB_NET:
		if (add_list(ctx, net_calls, err, errsize) != 0)
			goto fail;
		break;
	case SB_SIGNER:
		if (add_errno(ctx, "open", EACCES, err, errsize) != 0 ||
		    add_errno(ctx, "openat", EACCES, err, errsize) != 0)
			goto fail;
		break;
	case SB_SIGNER_PKCS11:
		if (add_list(ctx, signer_pkcs11_calls, err, errsize) != 0)
			goto fail;
		/* The PKCS#11 signer needs the store's calls too. */
		__attribute__((fallthrough));
	case SB_SIGNER_PKI:
		if (add_list(ctx, signer_pki_calls, err, errsize) != 0)
			goto fail;
		break;
	}
	if ((rc = seccomp_load(ctx)) < 0) {
		snprintf(err, errsize, "seccomp_load: %s", strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

int
sandbox_enter_net(const struct vigild_config *cfg, char *err,
    size_t errsize)
{
	return enter(cfg, SB_NET, err, errsize);
}

int
sandbox_enter_collector(const struct vigild_config *cfg, char *err,
    size_t errsize)
{
	return enter(cfg, SB_COLLECTOR, err, errsize);
}

int
sandbox_enter_signer(const struct vigild_config *cfg, char *err,
    size_t errsize)
{
	return enter(cfg, SB_SIGNER, err, errsize);
}

int
sandbox_enter_signer_pki(const struct vigild_config *cfg, int pkcs11,
    char *err, size_t errsize)
{
	return enter(cfg, pkcs11 ? SB_SIGNER_PKCS11 : SB_SIGNER_PKI, err,
	    errsize);
}
