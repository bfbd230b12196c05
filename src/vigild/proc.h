/*
 * vigild's process kinds (DESIGN.md §2) in one table: what each holds,
 * which kinds it may talk to, and whether a dead one is restarted; and
 * the running processes the parent supervises: spawning (fork without
 * exec, every unneeded fd closed), reaping and restarting with
 * back-off.
 */
#ifndef VIGILD_PROC_H
#define VIGILD_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum proc_kind {
	PROC_PARENT = 0,
	PROC_NET = 1,
	PROC_SIGNER = 2,
	PROC_COLLECTOR = 3,
	PROC_KIND_COUNT
};

#define PROC_BIT(k) (1u << (k))

struct proc_kind_info {
	const char *name;  /* "parent", "net", "signer", "collector" */
	unsigned talks_to; /* PROC_BIT()s of the kinds it has a socket to */
	bool restart;      /* a dead one is restarted by the parent */
	const char *holds; /* what it holds (documentation, logs) */
};

extern const struct proc_kind_info proc_kinds[PROC_KIND_COUNT];

/* 1 when kinds a and b may have a socket between them. */
int proc_may_talk(enum proc_kind a, enum proc_kind b);

const char *proc_kind_name(enum proc_kind k);

/* Restarts: more than PROC_RESTART_MAX restarts of one kind within
 * PROC_RESTART_WINDOW_MS means something is persistently wrong; the
 * parent then gives up (exit 1) instead of spinning. */
#define PROC_RESTART_MAX 5
#define PROC_RESTART_WINDOW_MS 30000

/* A running (or restarting) child, as the parent sees it. */
struct proc {
	enum proc_kind kind;
	unsigned index;      /* net worker number; 0 for the signer */
	pid_t pid;           /* 0 when not running */
	int fd;              /* parent's end of the IPC socket; -1 */
	bool ready;          /* IPC_READY received since the last spawn */
	char name[16];       /* "net[3]", "signer" */
	void *ev;            /* parent.c: read event on fd */
	void *restart_ev;    /* parent.c: pending restart timer */
};

/* Per-kind restart history. */
struct proc_restarts {
	int64_t at_ms[PROC_RESTART_MAX + 1];
	unsigned n;
};

/* Records a restart at now_ms. Returns the back-off delay in ms before
 * it should happen (0 for the first in the window, then doubling from
 * 250 ms, at most 5 s), or -1 when it would be the (MAX+1)th within
 * the window: give up. */
long proc_restart_delay(struct proc_restarts *r, int64_t now_ms);

/* The child's work after fork: gets the child's end of the IPC socket
 * and returns its exit status. */
typedef int (*proc_child_fn)(void *arg, int parent_fd);

/*
 * Forks p: a SOCK_SEQPACKET socketpair to the parent, then in the
 * child: closes every fd except 0-2, its socket end and the nkeep fds
 * of keep; restores default signal handling (SIGPIPE ignored),
 * unblocks signals, runs fn and leaves with _exit (no atexit handlers:
 * a sandboxed child could not run LeakSanitizer's ptrace-based check,
 * and must not flush state inherited from the parent). In the parent:
 * sets p->pid and p->fd. 0, or -1 with errno.
 */
int proc_spawn(struct proc *p, const int *keep, unsigned nkeep,
    proc_child_fn fn, void *arg);

/* Describes a wait status: "exited with status 1", "killed by signal
 * 9 (Killed)". */
void proc_status_text(int status, char *buf, size_t size);

#endif
