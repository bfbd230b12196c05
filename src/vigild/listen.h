/*
 * The parent's listening sockets: one per net worker and listener (the
 * API, the device gateway, the PKI endpoint), all of a listener bound to
 * the same address and port with SO_REUSEPORT so the kernel spreads
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

/* The same for any address in the listen syntax (gateway_listen,
 * pki_listen); what names the config key in messages. */
int listen_open_addr(const char *addr, const char *what, unsigned n,
    int *fds, unsigned *port, char *err, size_t errsize);

/* Whether a listener address is the word "off" (listener disabled). */
int listen_is_off(const char *addr);

/* 1 when addr's port is 0 (the kernel picks one), else 0. */
int listen_port_is_zero(const char *addr);

/* "https://127.0.0.1:8443" or "https://[::1]:8443" for the log. */
void listen_url(const struct vigild_config *cfg, unsigned port, char *buf,
    size_t size);

/* scheme://host:port of any listen address ("http", "https"). */
void listen_url_addr(const char *scheme, const char *addr, unsigned port,
    char *buf, size_t size);

/* Writes the port (decimal, newline) to path atomically (a temporary
 * file renamed into place), for tests that start vigild on port 0. */
int listen_write_port_file(const char *path, unsigned port, char *err,
    size_t errsize);

/* The same file with extra lines after the API port's (which stays the
 * first line, so readers of one number keep working): "gateway=PORT"
 * when gw_port is not 0, "pki=PORT" when pki_port is not 0. */
int listen_write_ports(const char *path, unsigned port, unsigned gw_port,
    unsigned pki_port, char *err, size_t errsize);

/*
 * One non-blocking UDP socket bound to addr (the listen syntax; what
 * names the config key in messages), with SO_REUSEADDR, IPv6 v6-only,
 * and, when rcvbuf is not 0, a receive buffer of that size (forced past
 * net.core.rmem_max when running as root) and SO_RXQ_OVFL so that the
 * reader sees the kernel's drop count. *port gets the bound port.
 * The fd, or -1 with the reason.
 */
int listen_open_udp(const char *addr, const char *what, size_t rcvbuf,
    unsigned *port, char *err, size_t errsize);

/* Every port VIGILD_PORT_FILE may name; 0 = no line. */
struct listen_ports {
	unsigned api;                   /* first line, always */
	unsigned gateway, pki;          /* gateway=, pki= */
	unsigned flow, flowtcp, radius; /* flow=, flowtcp=, radius= */
};

/* listen_write_ports with every line of ports. */
int listen_write_port_lines(const char *path,
    const struct listen_ports *ports, char *err, size_t errsize);

#endif
