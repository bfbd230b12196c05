/*
 * The decision point's UNIX socket in a net worker (pdp_server.c):
 * enforcement points on this host (the Mosquitto plugin) connect to
 * pdp_socket and ask for decisions in the protocol of
 * include/vigil/pdp_wire.h. The parent opens the listening socket once
 * (pdp_listen.c: path, mode, group) and every worker accepts on it;
 * each connection stays with the worker that accepted it.
 *
 * A DECIDE is answered from the worker's decision service (w->zt,
 * zt.h) on the event loop: no blocking beyond the store reads of a
 * cache miss. Every deny is audited (action "pdp.deny", actor
 * "device:<id>" or "cert:<serial>", the reason as detail); one allow in
 * pdp_allow_sample is logged (pdp.allow). When the zero-trust
 * generation moves (IPC_EPOCH, or the poll that catches changes made by
 * the CLI or another node), every connection gets an EPOCH message so
 * the plugin drops its cache and re-checks its live sessions.
 *
 * Malformed input (pdp_wire decode error) gets an ERROR message saying
 * why and the connection is closed; a connection is bounded in buffered
 * bytes and the number of connections per worker (pdp_max_clients).
 */
#ifndef VIGILD_PDP_SERVER_H
#define VIGILD_PDP_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct net_worker;
struct pdp_server;

/* Accepts on w->ctx->pdp_fd when ≥ 0 (else w->pdp stays NULL). Needs
 * w->zt. 0, or -1 with err. */
int pdp_server_setup(struct net_worker *w, char *err, size_t errsize);
/* The generation may have moved: refreshes w->zt and, when it moved,
 * pushes EPOCH to every connection. Safe with w->pdp NULL (refreshes
 * w->zt only). */
void pdp_server_epoch(struct net_worker *w);
void pdp_server_stop_accepting(struct net_worker *w);
void pdp_server_free(struct net_worker *w);
/* Open connections (for /metrics and tests). */
unsigned pdp_server_conns(const struct net_worker *w);

/* ---- the listening socket (parent side, pdp_listen.c) ---- */

/*
 * Creates the listening socket at path (a stale socket file is
 * replaced; any other file there is an error), with mode and, when
 * running as root, owner uid and group gid (-1 = keep). Non-blocking,
 * close-on-exec. Returns the fd, or -1 with err.
 */
int pdp_listen_open(const char *path, unsigned mode, long uid, long gid,
    char *err, size_t errsize);
/* The socket path from the pdp_socket key ("" when "off"), relative
 * paths under data_dir. */
void pdp_listen_path(const char *pdp_socket, const char *data_dir, char *out,
    size_t outsize);

#endif
