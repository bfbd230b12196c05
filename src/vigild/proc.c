/*
 * The process table (which kinds exist, what they hold, which pairs may
 * talk) and the mechanics of supervising children: fork with fd
 * hygiene, wait-status text, restart back-off. The parent's event loop
 * that drives them is parent.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "proc.h"

#define P PROC_BIT(PROC_PARENT)
#define N PROC_BIT(PROC_NET)
#define S PROC_BIT(PROC_SIGNER)
#define C PROC_BIT(PROC_COLLECTOR)

/* DESIGN.md §2. The parent talks to every child; net workers talk to
 * the signer (checkpoint requests) and never to each other; the signer
 * has no other peer; the collector talks to the parent only (its
 * access-changing events reach the workers through it). */
const struct proc_kind_info proc_kinds[PROC_KIND_COUNT] = {
	[PROC_PARENT] = { "parent", N | S | C, false,
	    "config, listening sockets" },
	[PROC_NET] = { "net", P | S, true,
	    "TLS server key, HTTPS API, database handle" },
	[PROC_SIGNER] = { "signer", P | N, true,
	    "audit checkpoint key, CA keys (file or PKCS#11)" },
	[PROC_COLLECTOR] = { "collector", P, true,
	    "flow, RADIUS and Zeek parsers, detection state, database "
	    "handle; no key" },
};

#undef P
#undef N
#undef S
#undef C

int
proc_may_talk(enum proc_kind a, enum proc_kind b)
{
	if ((unsigned)a >= PROC_KIND_COUNT || (unsigned)b >= PROC_KIND_COUNT)
		return 0;
	/* The table must be symmetric; check both directions so that a
	 * one-sided edit cannot open a path. */
	return (proc_kinds[a].talks_to & PROC_BIT(b)) != 0 &&
	    (proc_kinds[b].talks_to & PROC_BIT(a)) != 0;
}

const char *
proc_kind_name(enum proc_kind k)
{
	return (unsigned)k < PROC_KIND_COUNT ? proc_kinds[k].name : "?";
}

long
proc_restart_delay(struct proc_restarts *r, int64_t now_ms)
{
	unsigned j = 0;
	long delay;

	/* Forget restarts older than the window. */
	for (unsigned i = 0; i < r->n; i++)
		if (now_ms - r->at_ms[i] < PROC_RESTART_WINDOW_MS)
			r->at_ms[j++] = r->at_ms[i];
	r->n = j;
	if (r->n >= PROC_RESTART_MAX)
		return -1;
	delay = r->n == 0 ? 0 : 250L << (r->n - 1);
	if (delay > 5000)
		delay = 5000;
	r->at_ms[r->n++] = now_ms;
	return delay;
}

void
proc_status_text(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGSYS ? ": a system call outside "
		    "its seccomp allow-list" : "");
	else
		snprintf(buf, size, "wait status 0x%x", (unsigned)status);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every fd but 0-2 and those in keep (at most 8). */
static void
close_all_but(const int *keep, unsigned nkeep)
{
	int k[8] = { 0 };
	unsigned n = 0, lo = 3;

	for (unsigned i = 0; i < nkeep && n < 8; i++)
		if (keep[i] >= 3)
			k[n++] = keep[i];
	qsort(k, n, sizeof k[0], cmp_int);
	for (unsigned i = 0; i < n; i++) {
		if ((unsigned)k[i] > lo)
			close_range(lo, (unsigned)k[i] - 1, 0);
		if ((unsigned)k[i] + 1 > lo)
			lo = (unsigned)k[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

/*
 * Children leave stopping and reloading to the parent: ^C in a terminal
 * and systemd's stop (KillMode=control-group) signal every process of
 * the group at once, and a worker killed by that SIGTERM would drop its
 * in-flight requests instead of draining them. So the children ignore
 * SIGHUP, SIGINT, SIGTERM and SIGQUIT; the parent tells them to drain
 * (IPC_SHUTDOWN), a dead parent shows as EOF on their channel, and
 * stragglers get SIGKILL.
 */
static void
reset_signals(void)
{
	static const int dfl[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	static const int ign[] = { SIGPIPE, SIGHUP, SIGINT, SIGTERM,
		SIGQUIT };
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof dfl / sizeof dfl[0]; i++)
		sigaction(dfl[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof ign / sizeof ign[0]; i++)
		sigaction(ign[i], &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

int
proc_spawn(struct proc *p, const int *keep, unsigned nkeep,
    proc_child_fn fn, void *arg)
{
	int sv[2], k[9];
	pid_t pid;

	if (nkeep > 8) {
		errno = EINVAL;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		/* Drop the inherited syslog connection cleanly before its
		 * fd goes away with the rest (vlog_init reopens it). */
		closelog();
		if (nkeep > 0)
			memcpy(k, keep, nkeep * sizeof keep[0]);
		k[nkeep] = sv[1];
		close_all_but(k, nkeep + 1);
		reset_signals();
		_exit(fn(arg, sv[1]));
	}
	close(sv[1]);
	p->pid = pid;
	p->fd = sv[0];
	p->ready = false;
	return 0;
}
