/*
 * The net worker: the network-facing process (DESIGN.md §2). One per
 * core, each with its own SO_REUSEPORT listening socket opened by the
 * parent. Serves the HTTPS API (libevent evhttp over
 * bufferevent_openssl), /healthz, /readyz and /metrics.
 */
#ifndef VIGILD_NET_H
#define VIGILD_NET_H

#include "config.h"
#include "metrics.h"

struct gw_sesscache;

struct net_ctx {
	const struct vigild_config *cfg; /* as parsed by the parent */
	unsigned index;        /* worker number, 0..nworkers-1 */
	unsigned nworkers;
	int listen_fd;         /* bound, listening, non-blocking */
	int gw_fd;             /* device gateway listener; -1 = off */
	int pki_fd;            /* plain-HTTP CRL/OCSP listener; -1 = off */
	int pdp_fd;            /* decision point UNIX socket (listening,
				* shared by all workers); -1 = off */
	int parent_fd;         /* IPC with the parent */
	int signer_fd;         /* IPC with the signer (checkpoint requests) */
	struct metrics_shm *metrics; /* shared with all workers */
	struct gw_sesscache *sesscache; /* gateway TLS sessions, shared
					 * with all workers; NULL = off */
};

/*
 * Runs the worker: loads the TLS key and certificate, opens the store,
 * then (before serving) the caller has already dropped privileges and
 * entered the seccomp sandbox via sandbox_enter_net() — net_main calls
 * it itself right after opening files, so everything it opens later is
 * through already-open descriptors. Serves until IPC_SHUTDOWN or EOF
 * on parent_fd, then drains connections (bounded by
 * request_timeout_s) and returns the exit status.
 */
int net_main(struct net_ctx *ctx);

#endif
