/*
 * The parent's listening sockets: one per net worker, all bound to the
 * same address and port with SO_REUSEPORT so the kernel spreads
 * connections over the workers.
 */
#ifndef VIGILD_LISTEN_H
#define VIGILD_LISTEN_H

#include <stddef.h>

#include "config.h"

#define LISTEN_BACKLOG 1024

/* Worker count for cfg: workers, or one per online CPU when 0; 1..64. */
unsigned listen_worker_count(const struct vigild_config *cfg);

/*
 * Opens n non-blocking listening sockets on cfg->listen (SO_REUSEADDR,
 * SO_REUSEPORT, IPv6 sockets v6-only). With port 0 the first socket
 * gets a free port and the others bind to that same port. *port gets
 * the port. 0, or -1 with the reason (and nothing left open).
 */
int listen_open(const struct vigild_config *cfg, unsigned n, int *fds,
    unsigned *port, char *err, size_t errsize);

/* "https://127.0.0.1:8443" or "https://[::1]:8443" for the log. */
void listen_url(const struct vigild_config *cfg, unsigned port, char *buf,
    size_t size);

/* Writes the port (decimal, newline) to path atomically (a temporary
 * file renamed into place), for tests that start vigild on port 0. */
int listen_write_port_file(const char *path, unsigned port, char *err,
    size_t errsize);

#endif
