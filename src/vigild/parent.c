/*
 * The parent's supervision loop (parent.h), on libevent: children's
 * IPC sockets, SIGCHLD (reap and restart with back-off), SIGHUP
 * (reload), SIGTERM/SIGINT (drain and stop). The parent reads only
 * its children's IPC messages, through the strict decoders; a child
 * that sends a malformed one is killed (it is broken or compromised)
 * and restarted like any dead child, so that one bad worker cannot
 * take the service down but cannot keep talking either.
 */
#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector.h"
#include "config_internal.h"
#include "gw_sesscache.h"
#include "ipc.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "notify.h"
#include "parent.h"
#include "pdp_server.h"
#include "privdrop.h"
#include "proc.h"
#include "signer.h"
#include "vigil/core.h"

struct parent {
	const struct parent_opts *o;
	struct vigild_config cfg;      /* effective (after reloads) */
	struct event_base *base;
	struct event *sigs[4];
	struct event *stop_timer;
	struct metrics_shm *metrics;
	struct gw_sesscache *sesscache; /* gateway TLS sessions; NULL = off */
	struct proc signer;
	struct proc collector;         /* only when coll_on */
	struct proc workers[METRICS_MAX_WORKERS];
	struct proc_restarts restarts[PROC_KIND_COUNT];
	bool announced;                /* READY=1 sent */
	bool stopping;
	bool signer_stop_sent;
	int exit_code;
	char url[CONFIG_STR_MAX + 16];
	/* Device PKI listeners, one socket per worker each; -1 = off. */
	int gw_fds[METRICS_MAX_WORKERS];
	int pki_fds[METRICS_MAX_WORKERS];
	bool gw_on, pki_on;
	/* The collector's sockets (-1 = off), and whether it runs: when
	 * at least one input (a socket or zeek_log) is configured. */
	int flow_fd, flow_tcp_fd, radius_fd;
	bool coll_on;
	/* Ports for VIGILD_PORT_FILE (only those picked by the kernel). */
	struct listen_ports ports;
	/* The decision point socket, shared by every worker; -1 = off.
	 * Its path and inode, so exit removes our socket and no other. */
	int pdp_fd;
	char pdp_path[CONFIG_PATH_MAX];
	dev_t pdp_dev;
	ino_t pdp_ino;
	struct ipc_msg msg;
};

static struct parent P;

static void schedule_restart(struct proc *p);
static void begin_stop(int code);

static const char *
log_target(void)
{
	return P.cfg.log_target;
}

/* A daemonised vigild has no stderr: its effective target (the one the
 * children get too) is syslog. */
static void
effective_log_target(struct vigild_config *c)
{
	if (P.o->daemonised)
		snprintf(c->log_target, sizeof c->log_target, "syslog");
}

/* ---- Children ----------------------------------------------------- */

struct net_arg {
	unsigned index;
	int signer_fd;
};

static int
net_child(void *arg, int parent_fd)
{
	const struct net_arg *a = arg;
	struct net_ctx ctx;
	char name[16];

	snprintf(name, sizeof name, "net[%u]", a->index);
	vlog_init(name, log_target(), P.cfg.log_format, P.cfg.log_level);
	memset(&ctx, 0, sizeof ctx);
	ctx.cfg = &P.cfg;
	ctx.index = a->index;
	ctx.nworkers = P.o->nworkers;
	ctx.listen_fd = P.o->listen_fds[a->index];
	ctx.gw_fd = P.gw_on ? P.gw_fds[a->index] : -1;
	ctx.pki_fd = P.pki_on ? P.pki_fds[a->index] : -1;
	ctx.pdp_fd = P.pdp_fd;
	ctx.parent_fd = parent_fd;
	ctx.signer_fd = a->signer_fd;
	ctx.metrics = P.metrics;
	ctx.sesscache = P.sesscache;
	return net_main(&ctx);
}

static int
signer_child(void *arg, int parent_fd)
{
	(void)arg;
	/* The gateway's TLS sessions (master secrets) are none of the
	 * signer's business. */
	gw_sesscache_unmap(P.sesscache);
	P.sesscache = NULL;
	vlog_init("signer", log_target(), P.cfg.log_format, P.cfg.log_level);
	return signer_main(&P.cfg, parent_fd);
}

static int
collector_child(void *arg, int parent_fd)
{
	struct collector_ctx ctx;

	(void)arg;
	/* Gateway TLS sessions are none of the collector's business. */
	gw_sesscache_unmap(P.sesscache);
	P.sesscache = NULL;
	vlog_init("collector", log_target(), P.cfg.log_format,
	    P.cfg.log_level);
	memset(&ctx, 0, sizeof ctx);
	ctx.cfg = &P.cfg;
	ctx.parent_fd = parent_fd;
	ctx.flow_fd = P.flow_fd;
	ctx.flow_tcp_fd = P.flow_tcp_fd;
	ctx.metrics = P.metrics;
	ctx.radius_fd = P.radius_fd;
	return collector_main(&ctx);
}

static bool
alive(const struct proc *p)
{
	return p->pid > 0;
}

static void
close_channel(struct proc *p)
{
	if (p->ev != NULL) {
		event_free(p->ev);
		p->ev = NULL;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}

static void
kill_proc(struct proc *p, int sig)
{
	if (alive(p) && kill(p->pid, sig) != 0 && errno != ESRCH)
		vlog(VLOG_WARN, "proc.kill", "%s (pid %d): kill: %s", p->name,
		    (int)p->pid, strerror(errno));
}

/* Sends to a child; a child that cannot be told is ended instead. */
static void
send_or_kill(struct proc *p, enum ipc_type t, const void *payload,
    size_t len, int fd)
{
	if (p->fd < 0 || ipc_send(p->fd, t, payload, len, fd) != 0) {
		vlog(VLOG_WARN, "ipc.error", "%s (pid %d): cannot send %s: "
		    "%s; terminating it", p->name, (int)p->pid,
		    ipc_type_name(t), p->fd < 0 ? "channel closed" :
		    strerror(errno));
		kill_proc(p, SIGTERM);
	}
}

static void
check_all_ready(void)
{
	char status[CONFIG_STR_MAX + 64];

	if (P.announced || !P.signer.ready ||
	    (P.coll_on && !P.collector.ready))
		return;
	for (unsigned i = 0; i < P.o->nworkers; i++)
		if (!P.workers[i].ready)
			return;
	P.announced = true;
	snprintf(status, sizeof status, "serving %s with %u net workers",
	    P.url, P.o->nworkers);
	notify_ready(status);
	vlog(VLOG_INFO, "vigild.ready", "ready: %s", status);
}

static void
fan_out_epoch(const struct proc *from, const struct ipc_epoch *e)
{
	for (unsigned i = 0; i < P.o->nworkers; i++) {
		struct proc *w = &P.workers[i];

		if (w == from || !alive(w) || w->fd < 0)
			continue;
		if (ipc_send_epoch(w->fd, e) != 0)
			vlog(VLOG_WARN, "ipc.error", "%s: cannot forward "
			    "IPC_EPOCH: %s", w->name, strerror(errno));
	}
}

static void
on_child_msg(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	char err[256];
	int rfd, rc;

	(void)fd;
	(void)what;
	rc = ipc_recv_msg(p->fd, p->kind, PROC_PARENT, &P.msg, &rfd, err,
	    sizeof err);
	if (rc == 0 || rc == -1) {
		/* The child is exiting; SIGCHLD does the rest. */
		if (rc == -1)
			vlog(VLOG_WARN, "ipc.error", "%s (pid %d): %s",
			    p->name, (int)p->pid, err);
		close_channel(p);
		return;
	}
	if (rc == -2)
		goto malformed;
	switch (P.msg.type) {
	case IPC_READY:
		if (P.msg.u32 != (uint32_t)p->pid) {
			snprintf(err, sizeof err, "IPC_READY: pid %u, "
			    "expected %d", P.msg.u32, (int)p->pid);
			goto malformed;
		}
		p->ready = true;
		vlog(VLOG_INFO, "proc.ready", "%s (pid %d) ready", p->name,
		    (int)p->pid);
		check_all_ready();
		return;
	case IPC_EPOCH:
		fan_out_epoch(p, &P.msg.epoch);
		return;
	default:
		snprintf(err, sizeof err, "unexpected %s",
		    ipc_type_name(P.msg.type));
		goto malformed;
	}
malformed:
	vlog(VLOG_ERROR, "ipc.malformed", "%s (pid %d): %s; killing it",
	    p->name, (int)p->pid, err);
	close_channel(p);
	kill_proc(p, SIGKILL);
}

static int
watch(struct proc *p)
{
	p->ev = event_new(P.base, p->fd, EV_READ | EV_PERSIST, on_child_msg,
	    p);
	if (p->ev == NULL || event_add(p->ev, NULL) != 0) {
		vlog(VLOG_ERROR, "vigild.event", "%s: cannot watch its "
		    "socket", p->name);
		return -1;
	}
	return 0;
}

/* Gives worker i and the signer a fresh socket pair: the signer gets
 * its end with IPC_PEER, and (tell_worker) the worker its end with
 * IPC_SIGNER_FD. */
static void
connect_to_signer(unsigned i, int signer_end, bool tell_worker)
{
	struct proc *w = &P.workers[i];
	uint32_t idx = i;
	int sv[2];

	if (!alive(&P.signer) || P.signer.fd < 0) {
		/* The signer's restart will connect everyone. */
		if (signer_end >= 0)
			close(signer_end);
		return;
	}
	if (signer_end < 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sv) != 0) {
			vlog(VLOG_ERROR, "vigild.socketpair", "%s: %s",
			    w->name, strerror(errno));
			return;
		}
	} else {
		sv[0] = -1;
		sv[1] = signer_end;
	}
	send_or_kill(&P.signer, IPC_PEER, &idx, sizeof idx, sv[1]);
	if (tell_worker && sv[0] >= 0)
		send_or_kill(w, IPC_SIGNER_FD, &idx, sizeof idx, sv[0]);
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
}

static int
spawn_worker(unsigned i)
{
	struct proc *w = &P.workers[i];
	struct net_arg a;
	int sv[2], keep[5];
	unsigned nkeep = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		vlog(VLOG_ERROR, "proc.spawn", "%s: socketpair: %s", w->name,
		    strerror(errno));
		return -1;
	}
	a.index = i;
	a.signer_fd = sv[0];
	keep[nkeep++] = P.o->listen_fds[i];
	keep[nkeep++] = sv[0];
	if (P.gw_on)
		keep[nkeep++] = P.gw_fds[i];
	if (P.pki_on)
		keep[nkeep++] = P.pki_fds[i];
	if (P.pdp_fd >= 0)
		keep[nkeep++] = P.pdp_fd;
	if (proc_spawn(w, keep, nkeep, net_child, &a) != 0) {
		vlog(VLOG_ERROR, "proc.spawn", "%s: fork: %s", w->name,
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[0]);
	vlog(VLOG_INFO, "proc.start", "%s started (pid %d)", w->name,
	    (int)w->pid);
	if (watch(w) != 0)
		kill_proc(w, SIGKILL);
	connect_to_signer(i, sv[1], false);
	return 0;
}

static int
spawn_signer(void)
{
	if (proc_spawn(&P.signer, NULL, 0, signer_child, NULL) != 0) {
		vlog(VLOG_ERROR, "proc.spawn", "signer: fork: %s",
		    strerror(errno));
		return -1;
	}
	vlog(VLOG_INFO, "proc.start", "signer started (pid %d)",
	    (int)P.signer.pid);
	if (watch(&P.signer) != 0) {
		kill_proc(&P.signer, SIGKILL);
		return 0;
	}
	/* Live workers hold sockets to the old signer: give them new
	 * ones. (At start-up there are none yet.) */
	for (unsigned i = 0; i < P.o->nworkers; i++)
		if (alive(&P.workers[i]))
			connect_to_signer(i, -1, true);
	return 0;
}

/* The collector gets its sockets and nothing else of the parent's. */
static int
spawn_collector(void)
{
	int keep[3];
	unsigned nkeep = 0;

	if (P.flow_fd >= 0)
		keep[nkeep++] = P.flow_fd;
	if (P.flow_tcp_fd >= 0)
		keep[nkeep++] = P.flow_tcp_fd;
	if (P.radius_fd >= 0)
		keep[nkeep++] = P.radius_fd;
	if (proc_spawn(&P.collector, keep, nkeep, collector_child,
	    NULL) != 0) {
		vlog(VLOG_ERROR, "proc.spawn", "collector: fork: %s",
		    strerror(errno));
		return -1;
	}
	vlog(VLOG_INFO, "proc.start", "collector started (pid %d)",
	    (int)P.collector.pid);
	if (watch(&P.collector) != 0)
		kill_proc(&P.collector, SIGKILL);
	return 0;
}

/* ---- Restarts ----------------------------------------------------- */

/* Starts p again; 0 when it runs (or need not: vigild is stopping). */
static int
respawn(struct proc *p)
{
	if (P.stopping)
		return 0;
	switch (p->kind) {
	case PROC_SIGNER:
		return spawn_signer();
	case PROC_COLLECTOR:
		return spawn_collector();
	default:
		return spawn_worker(p->index);
	}
}

static void
on_restart_timer(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	(void)fd;
	(void)what;
	event_free(p->restart_ev);
	p->restart_ev = NULL;
	if (respawn(p) != 0)
		schedule_restart(p);
}

/*
 * Restarts p after its back-off. The first restart in the window has
 * no delay and happens here; a spawn that fails counts as one more
 * restart, so the loop ends at a delay (a timer) or at the limit. A
 * loop, not a call back into here, so the bound is plain to see.
 */
static void
schedule_restart(struct proc *p)
{
	long delay;

	for (;;) {
		if (P.stopping || p->restart_ev != NULL)
			return;
		delay = proc_restart_delay(&P.restarts[p->kind],
		    vigil_time_now_ms());
		if (delay < 0) {
			vlog(VLOG_ERROR, "proc.restart_limit", "%s died more "
			    "than %d times in %d s; giving up",
			    proc_kind_name(p->kind), PROC_RESTART_MAX,
			    PROC_RESTART_WINDOW_MS / 1000);
			begin_stop(1);
			return;
		}
		if (delay > 0)
			break;
		if (respawn(p) == 0)
			return;
	}
	vlog(VLOG_INFO, "proc.restart", "restarting %s in %ld ms", p->name,
	    delay);
	p->restart_ev = evtimer_new(P.base, on_restart_timer, p);
	if (p->restart_ev != NULL) {
		struct timeval tv = { delay / 1000, (delay % 1000) * 1000 };

		evtimer_add(p->restart_ev, &tv);
	}
}

/* ---- Stopping ----------------------------------------------------- */

static void
maybe_finish_stop(void)
{
	if (!P.stopping)
		return;
	for (unsigned i = 0; i < P.o->nworkers; i++)
		if (alive(&P.workers[i]))
			return;
	/* The collector's last store writes may audit a response: it
	 * goes before the signer too. */
	if (alive(&P.collector))
		return;
	if (alive(&P.signer)) {
		/* Workers may ask for a last checkpoint while draining,
		 * so the signer goes last. */
		if (!P.signer_stop_sent) {
			P.signer_stop_sent = true;
			send_or_kill(&P.signer, IPC_SHUTDOWN, NULL, 0, -1);
		}
		return;
	}
	event_base_loopbreak(P.base);
}

static void
on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	for (unsigned i = 0; i < P.o->nworkers; i++) {
		if (alive(&P.workers[i])) {
			vlog(VLOG_WARN, "vigild.stop", "%s (pid %d) still "
			    "running after the drain time; killing it",
			    P.workers[i].name, (int)P.workers[i].pid);
			kill_proc(&P.workers[i], SIGKILL);
		}
	}
	if (alive(&P.collector)) {
		vlog(VLOG_WARN, "vigild.stop", "collector (pid %d) still "
		    "running; killing it", (int)P.collector.pid);
		kill_proc(&P.collector, SIGKILL);
	}
	if (alive(&P.signer)) {
		vlog(VLOG_WARN, "vigild.stop", "signer (pid %d) still "
		    "running; killing it", (int)P.signer.pid);
		kill_proc(&P.signer, SIGKILL);
	}
}

static void
begin_stop(int code)
{
	struct timeval tv;

	if (code > P.exit_code)
		P.exit_code = code;
	if (P.stopping)
		return;
	P.stopping = true;
	notify_stopping();
	vlog(VLOG_INFO, "vigild.stop", "stopping: workers drain their "
	    "connections (at most %u s)", P.cfg.request_timeout_s + 5);
	for (unsigned i = 0; i < P.o->nworkers; i++) {
		struct proc *w = &P.workers[i];

		if (w->restart_ev != NULL) {
			event_free(w->restart_ev);
			w->restart_ev = NULL;
		}
		if (alive(w))
			send_or_kill(w, IPC_SHUTDOWN, NULL, 0, -1);
	}
	if (P.signer.restart_ev != NULL) {
		event_free(P.signer.restart_ev);
		P.signer.restart_ev = NULL;
	}
	if (P.collector.restart_ev != NULL) {
		event_free(P.collector.restart_ev);
		P.collector.restart_ev = NULL;
	}
	if (alive(&P.collector))
		send_or_kill(&P.collector, IPC_SHUTDOWN, NULL, 0, -1);
	tv.tv_sec = (time_t)P.cfg.request_timeout_s + 5;
	tv.tv_usec = 0;
	P.stop_timer = evtimer_new(P.base, on_stop_timeout, NULL);
	if (P.stop_timer != NULL)
		evtimer_add(P.stop_timer, &tv);
	maybe_finish_stop();
}

/* ---- Signals ------------------------------------------------------ */

static struct proc *
find_pid(pid_t pid)
{
	if (P.signer.pid == pid)
		return &P.signer;
	if (P.coll_on && P.collector.pid == pid)
		return &P.collector;
	for (unsigned i = 0; i < P.o->nworkers; i++)
		if (P.workers[i].pid == pid)
			return &P.workers[i];
	return NULL;
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	pid_t pid;
	int status;

	(void)sig;
	(void)what;
	(void)arg;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct proc *p = find_pid(pid);
		char how[128];
		bool clean, reloading;

		if (p == NULL)
			continue;
		proc_status_text(status, how, sizeof how);
		clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		/* A signer leaves with status 0 on its own only after a
		 * reload changed the CA set: it cannot open key files in
		 * its sandbox, so a fresh one loads them. That is a
		 * planned restart, not a death the back-off counts. */
		reloading = clean && !P.stopping && p->kind == PROC_SIGNER;
		vlog(clean && (P.stopping || reloading) ? VLOG_INFO :
		    VLOG_ERROR, "proc.exit", "%s (pid %d) %s%s", p->name,
		    (int)pid, how, reloading ? ": restarting it to load the "
		    "changed CA set" : "");
		close_channel(p);
		p->pid = 0;
		p->ready = false;
		if (P.stopping)
			maybe_finish_stop();
		else if (!reloading || respawn(p) != 0)
			schedule_restart(p);
	}
}

/* After RELOADING=1, systemd waits for READY=1; before the first
 * READY=1 (children still starting) only the status changes. */
static void
reload_done(const char *status)
{
	if (P.announced)
		notify_ready(status);
	else
		notify_status(status);
}

/* Applies a new configuration: reloadable keys take effect, the
 * others keep their running values until a restart. */
static void
reload(void)
{
	struct vigild_config next, eff;
	char err[1024], restart[512];
	char *text;
	int len;

	if (P.announced)
		notify_reloading();
	if (config_load(P.o->config_path, &next, err, sizeof err) != 0) {
		vlog(VLOG_ERROR, "config.reload", "reload failed, keeping the "
		    "running configuration: %s", err);
		reload_done("reload failed; running configuration kept");
		return;
	}
	config_restart_needed(&P.cfg, &next, restart, sizeof restart);
	eff = next;
	effective_log_target(&eff);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (!k->reloadable)
			memcpy((char *)&eff + k->offset,
			    (const char *)&P.cfg + k->offset, k->size);
	}
	if ((text = malloc(CONFIG_TEXT_MAX)) == NULL ||
	    (len = config_format(&eff, text, CONFIG_TEXT_MAX)) < 0) {
		vlog(VLOG_ERROR, "config.reload", "reload failed, keeping the "
		    "running configuration: normalised text does not fit "
		    "%d bytes", CONFIG_TEXT_MAX);
		free(text);
		reload_done("reload failed; running configuration kept");
		return;
	}
	P.cfg = eff;
	vlog_init("parent", log_target(), P.cfg.log_format,
	    P.cfg.log_level);
	if (alive(&P.signer))
		send_or_kill(&P.signer, IPC_CONFIG, text, (size_t)len, -1);
	if (alive(&P.collector))
		send_or_kill(&P.collector, IPC_CONFIG, text, (size_t)len, -1);
	for (unsigned i = 0; i < P.o->nworkers; i++)
		if (alive(&P.workers[i]))
			send_or_kill(&P.workers[i], IPC_CONFIG, text,
			    (size_t)len, -1);
	free(text);
	vlog(VLOG_INFO, "config.reload", "configuration %s reloaded",
	    P.o->config_path);
	if (restart[0] != '\0')
		vlog(VLOG_WARN, "config.reload", "changed keys that need a "
		    "restart (still running with the old values): %s",
		    restart);
	reload_done("configuration reloaded");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (sig == SIGHUP) {
		if (!P.stopping)
			reload();
		return;
	}
	vlog(VLOG_INFO, "vigild.signal", "%s received",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	begin_stop(0);
}

/* ---- Run ---------------------------------------------------------- */

static void
init_proc(struct proc *p, enum proc_kind kind, unsigned index)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->index = index;
	p->fd = -1;
	if (kind == PROC_NET)
		snprintf(p->name, sizeof p->name, "net[%u]", index);
	else
		snprintf(p->name, sizeof p->name, "%s", proc_kind_name(kind));
}

/* ---- Decision point socket ---------------------------------------- */

/* Closes the socket and removes its file, if it is still the one this
 * vigild created (a successor may already have replaced it). */
static void
close_pdp_socket(void)
{
	struct stat st;

	if (P.pdp_fd < 0)
		return;
	close(P.pdp_fd);
	P.pdp_fd = -1;
	if (lstat(P.pdp_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == P.pdp_dev && st.st_ino == P.pdp_ino)
		unlink(P.pdp_path);
}

/* The owner and group of the socket: when root, the user the workers
 * run as and pdp_socket_group (else the user's group); otherwise the
 * group only, when one is configured. 0, or -1 with err. */
static int
pdp_owner(long *uid, long *gid, char *err, size_t errsize)
{
	const struct vigild_config *c = &P.cfg;

	*uid = *gid = -1;
	if (geteuid() == 0) {
		uid_t u;
		gid_t g;

		if (privdrop_lookup(c->user, &u, &g, err, errsize) != 0)
			return -1;
		*uid = (long)u;
		*gid = (long)g;
	}
	if (c->pdp_socket_group[0] != '\0') {
		struct group *gr = getgrnam(c->pdp_socket_group);

		if (gr == NULL) {
			snprintf(err, errsize, "pdp_socket_group %s: no such "
			    "group", c->pdp_socket_group);
			return -1;
		}
		*gid = (long)gr->gr_gid;
	}
	return 0;
}

/* Opens pdp_socket unless it is "off", and logs where it listens.
 * 0, or -1 (logged). */
static int
open_pdp_socket(void)
{
	const struct vigild_config *c = &P.cfg;
	char err[1024], *end;
	unsigned long mode;
	struct stat st;
	long uid, gid;

	pdp_listen_path(c->pdp_socket, c->data_dir, P.pdp_path,
	    sizeof P.pdp_path);
	if (P.pdp_path[0] == '\0')
		return 0;
	mode = strtoul(c->pdp_socket_mode, &end, 8);
	if (end == c->pdp_socket_mode || *end != '\0' || mode > 0777) {
		vlog(VLOG_ERROR, "vigild.listen", "pdp_socket_mode %s: not an "
		    "octal mode", c->pdp_socket_mode);
		return -1;
	}
	if (pdp_owner(&uid, &gid, err, sizeof err) != 0 ||
	    (P.pdp_fd = pdp_listen_open(P.pdp_path, (unsigned)mode, uid,
	    gid, err, sizeof err)) < 0) {
		vlog(VLOG_ERROR, "vigild.listen", "%s", err);
		return -1;
	}
	if (lstat(P.pdp_path, &st) == 0) {
		P.pdp_dev = st.st_dev;
		P.pdp_ino = st.st_ino;
	}
	vlog(VLOG_INFO, "vigild.listen", "policy decision point on unix:%s "
	    "(mode %04lo)", P.pdp_path, mode);
	return 0;
}

static void
cleanup(void)
{
	struct proc *all[2 + METRICS_MAX_WORKERS];
	unsigned n = 0;

	all[n++] = &P.signer;
	all[n++] = &P.collector;
	for (unsigned i = 0; i < P.o->nworkers; i++)
		all[n++] = &P.workers[i];
	for (unsigned i = 0; i < n; i++) {
		close_channel(all[i]);
		if (all[i]->restart_ev != NULL)
			event_free(all[i]->restart_ev);
		all[i]->restart_ev = NULL;
	}
	for (size_t i = 0; i < sizeof P.sigs / sizeof P.sigs[0]; i++)
		if (P.sigs[i] != NULL)
			event_free(P.sigs[i]);
	if (P.stop_timer != NULL)
		event_free(P.stop_timer);
	metrics_destroy(P.metrics);
	gw_sesscache_destroy(P.sesscache);
	P.sesscache = NULL;
	if (P.base != NULL)
		event_base_free(P.base);
	for (unsigned i = 0; i < P.o->nworkers; i++) {
		if (P.gw_on)
			close(P.gw_fds[i]);
		if (P.pki_on)
			close(P.pki_fds[i]);
	}
	P.gw_on = P.pki_on = false;
	if (P.flow_fd >= 0)
		close(P.flow_fd);
	if (P.flow_tcp_fd >= 0)
		close(P.flow_tcp_fd);
	if (P.radius_fd >= 0)
		close(P.radius_fd);
	P.flow_fd = P.flow_tcp_fd = P.radius_fd = -1;
	close_pdp_socket();
}

/* ---- Device PKI listeners ----------------------------------------- */

/*
 * Opens the gateway and PKI sockets (one per worker, like the API's)
 * unless their address is "off" and logs where they listen; their
 * ports go to VIGILD_PORT_FILE (write_port_file) for the listeners
 * configured with port 0. 0, or -1 (logged).
 */
static int
open_pki_listeners(void)
{
	unsigned n = P.o->nworkers, gw_port = 0, pki_port = 0;
	char err[1024], url[CONFIG_STR_MAX + 16];

	if (!listen_is_off(P.cfg.gateway_listen)) {
		if (listen_open_addr(P.cfg.gateway_listen, "gateway_listen",
		    n, P.gw_fds, &gw_port, err, sizeof err) != 0) {
			vlog(VLOG_ERROR, "vigild.listen", "%s", err);
			return -1;
		}
		P.gw_on = true;
		listen_url_addr("https", P.cfg.gateway_listen, gw_port, url,
		    sizeof url);
		vlog(VLOG_INFO, "vigild.listen", "device gateway (mTLS, EST) "
		    "on %s/.well-known/est/", url);
	}
	if (!listen_is_off(P.cfg.pki_listen)) {
		if (listen_open_addr(P.cfg.pki_listen, "pki_listen", n,
		    P.pki_fds, &pki_port, err, sizeof err) != 0) {
			vlog(VLOG_ERROR, "vigild.listen", "%s", err);
			return -1;
		}
		P.pki_on = true;
		listen_url_addr("http", P.cfg.pki_listen, pki_port, url,
		    sizeof url);
		vlog(VLOG_INFO, "vigild.listen", "CRLs on %s/crl/, OCSP on "
		    "%s/ocsp/", url, url);
	}
	/* Only ports the kernel picked need telling; a file with one line
	 * stays exactly what it was before the gateway existed. */
	if (!listen_port_is_zero(P.cfg.gateway_listen))
		gw_port = 0;
	if (!listen_port_is_zero(P.cfg.pki_listen))
		pki_port = 0;
	P.ports.gateway = gw_port;
	P.ports.pki = pki_port;
	return 0;
}

/* ---- Collector sockets -------------------------------------------- */

/* Opens one collector socket unless its address is "off": UDP, or TCP
 * (one socket, the collector is one process). 0, or -1 (logged). */
static int
open_coll_socket(const char *addr, const char *key, bool tcp,
    const char *what, int *fd, unsigned *port_out)
{
	char err[1024];
	unsigned port = 0;

	if (listen_is_off(addr))
		return 0;
	if (tcp ? listen_open_addr(addr, key, 1, fd, &port, err,
	    sizeof err) : (*fd = listen_open_udp(addr, key,
	    strcmp(key, "flow_listen") == 0 ? P.cfg.flow_rcvbuf : 0, &port,
	    err, sizeof err)) < 0) {
		*fd = -1;
		vlog(VLOG_ERROR, "vigild.listen", "%s", err);
		return -1;
	}
	vlog(VLOG_INFO, "vigild.listen", "%s on %s %.*s:%u", what,
	    tcp ? "tcp" : "udp", (int)(strrchr(addr, ':') != NULL ?
	    strrchr(addr, ':') - addr : (long)strlen(addr)), addr, port);
	*port_out = listen_port_is_zero(addr) ? port : 0;
	return 0;
}

/* The collector's inputs; it runs when at least one is configured. */
static int
open_collector_sockets(void)
{
	const struct vigild_config *c = &P.cfg;

	if (open_coll_socket(c->flow_listen, "flow_listen", false,
	    "flow collector (NetFlow v5/v9, IPFIX)", &P.flow_fd,
	    &P.ports.flow) != 0 ||
	    open_coll_socket(c->flow_tcp_listen, "flow_tcp_listen", true,
	    "IPFIX over TCP", &P.flow_tcp_fd, &P.ports.flowtcp) != 0 ||
	    open_coll_socket(c->radius_listen, "radius_listen", false,
	    "RADIUS accounting", &P.radius_fd, &P.ports.radius) != 0)
		return -1;
	P.coll_on = P.flow_fd >= 0 || P.flow_tcp_fd >= 0 ||
	    P.radius_fd >= 0 || c->zeek_log[0] != '\0';
	return 0;
}

/* VIGILD_PORT_FILE: main.c wrote the API port; the ports the kernel
 * picked for the other listeners follow as name=PORT lines. */
static int
write_port_file(void)
{
	const char *port_file = getenv("VIGILD_PORT_FILE");
	const struct listen_ports *p = &P.ports;
	char err[1024];

	if (port_file == NULL || port_file[0] == '\0' ||
	    (p->gateway | p->pki | p->flow | p->flowtcp | p->radius) == 0)
		return 0;
	P.ports.api = P.o->port;
	if (listen_write_port_lines(port_file, &P.ports, err,
	    sizeof err) != 0) {
		vlog(VLOG_ERROR, "vigild.listen", "%s", err);
		return -1;
	}
	return 0;
}

int
parent_run(const struct parent_opts *o)
{
	static const int signals[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT };
	struct sigaction sa;

	memset(&P, 0, sizeof P);
	P.pdp_fd = -1;
	P.flow_fd = P.flow_tcp_fd = P.radius_fd = -1;
	P.o = o;
	P.cfg = *o->cfg;
	effective_log_target(&P.cfg);
	listen_url(&P.cfg, o->port, P.url, sizeof P.url);
	init_proc(&P.signer, PROC_SIGNER, 0);
	init_proc(&P.collector, PROC_COLLECTOR, 0);
	for (unsigned i = 0; i < o->nworkers; i++)
		init_proc(&P.workers[i], PROC_NET, i);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if ((P.base = event_base_new()) == NULL) {
		vlog(VLOG_ERROR, "vigild.event", "event_base_new failed");
		return 1;
	}
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		P.sigs[i] = evsignal_new(P.base, signals[i],
		    signals[i] == SIGCHLD ? on_sigchld : on_signal, NULL);
		if (P.sigs[i] == NULL || evsignal_add(P.sigs[i], NULL) != 0) {
			vlog(VLOG_ERROR, "vigild.event", "cannot watch signal "
			    "%d", signals[i]);
			cleanup();
			return 1;
		}
	}
	if ((P.metrics = metrics_create(o->nworkers)) == NULL) {
		vlog(VLOG_ERROR, "vigild.metrics", "cannot create the shared "
		    "metrics mapping");
		cleanup();
		return 1;
	}
	if (open_pki_listeners() != 0 || open_collector_sockets() != 0 ||
	    write_port_file() != 0 || open_pdp_socket() != 0) {
		cleanup();
		return 1;
	}
	if (P.gw_on && P.cfg.gateway_session_cache > 0 &&
	    (P.sesscache = gw_sesscache_create(P.cfg.gateway_session_cache,
	    GW_SESSCACHE_TIMEOUT_S)) == NULL) {
		vlog(VLOG_ERROR, "vigild.gateway", "cannot create the shared "
		    "TLS session cache (%u entries): %s",
		    P.cfg.gateway_session_cache, strerror(errno));
		cleanup();
		return 1;
	}
	notify_status("starting");
	if (spawn_signer() != 0)
		schedule_restart(&P.signer);
	for (unsigned i = 0; i < o->nworkers && !P.stopping; i++)
		if (spawn_worker(i) != 0)
			schedule_restart(&P.workers[i]);
	if (P.coll_on && !P.stopping && spawn_collector() != 0)
		schedule_restart(&P.collector);
	event_base_dispatch(P.base);
	vlog(P.exit_code == 0 ? VLOG_INFO : VLOG_ERROR, "vigild.exit",
	    "stopped (exit status %d)", P.exit_code);
	cleanup();
	return P.exit_code;
}
