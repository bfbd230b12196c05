/*
 * Listening sockets (listen.h), opened by the parent before it forks so
 * that a worker never needs socket(), bind() or listen() itself: the
 * API's, the device gateway's and the PKI endpoint's, and the
 * collector's flow and RADIUS sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config_internal.h"
#include "listen.h"
#include "metrics.h"

unsigned
listen_worker_count(const struct vigild_config *cfg)
{
	long n = cfg->workers;

	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > METRICS_MAX_WORKERS)
		n = METRICS_MAX_WORKERS;
	return (unsigned)n;
}

static void
set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static unsigned
get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int
open_one(struct sockaddr_storage *ss, socklen_t len, const char *what,
    char *err, size_t errsize)
{
	int fd, one = 1;
	const char *step;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		step = "socket";
		goto fail;
	}
	step = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
		goto fail;
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
		goto fail;
	step = "bind";
	if (bind(fd, (struct sockaddr *)ss, len) != 0)
		goto fail;
	step = "listen";
	if (listen(fd, LISTEN_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errsize, "listen %s: %s: %s", what, step,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int
listen_open_addr(const char *addr, const char *what, unsigned n, int *fds,
    unsigned *port, char *err, size_t errsize)
{
	struct sockaddr_storage ss, got;
	socklen_t len, glen = sizeof got;
	char where[CONFIG_STR_MAX + 32];
	unsigned i;

	snprintf(where, sizeof where, "%s%s%s", what, what[0] != '\0' ?
	    " " : "", addr);
	if (config_parse_listen(addr, &ss, &len, err, errsize) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((fds[i] = open_one(&ss, len, where, err, errsize)) < 0)
			goto fail;
		if (i == 0) {
			/* Port 0: the kernel's choice becomes everyone's.
			 * Zeroed: defined even past a short fill. */
			memset(&got, 0, sizeof got);
			if (getsockname(fds[0], (struct sockaddr *)&got,
			    &glen) != 0) {
				snprintf(err, errsize, "listen %s: "
				    "getsockname: %s", where,
				    strerror(errno));
				i++;
				goto fail;
			}
			*port = get_port(&got);
			set_port(&ss, *port);
		}
	}
	return 0;
fail:
	while (i-- > 0)
		close(fds[i]);
	return -1;
}

int
listen_open(const struct vigild_config *cfg, unsigned n, int *fds,
    unsigned *port, char *err, size_t errsize)
{
	return listen_open_addr(cfg->listen, "", n, fds, port, err, errsize);
}

int
listen_is_off(const char *addr)
{
	return strcmp(addr, "off") == 0;
}

int
listen_port_is_zero(const char *addr)
{
	const char *colon = strrchr(addr, ':');

	return colon != NULL && strcmp(colon + 1, "0") == 0;
}

void
listen_url_addr(const char *scheme, const char *addr, unsigned port,
    char *buf, size_t size)
{
	const char *colon = strrchr(addr, ':');
	int hl = colon != NULL ? (int)(colon - addr) : (int)strlen(addr);

	snprintf(buf, size, "%s://%.*s:%u", scheme, hl, addr, port);
}

void
listen_url(const struct vigild_config *cfg, unsigned port, char *buf,
    size_t size)
{
	listen_url_addr("https", cfg->listen, port, buf, size);
}

/* Writes text to path through a temporary file renamed into place, so
 * a reader never sees a half-written file. */
static int
write_atomic(const char *path, const char *text, size_t n, char *err,
    size_t errsize)
{
	char tmp[4096];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		snprintf(err, errsize, "port file path is too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0)
		goto fail;
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		goto fail_unlink;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0)
		goto fail_unlink;
	return 0;
fail_unlink:
	e = errno;
	unlink(tmp);
	errno = e;
fail:
	snprintf(err, errsize, "port file %s: %s", path, strerror(errno));
	return -1;
}

int
listen_write_port_file(const char *path, unsigned port, char *err,
    size_t errsize)
{
	return listen_write_ports(path, port, 0, 0, err, errsize);
}

int
listen_write_ports(const char *path, unsigned port, unsigned gw_port,
    unsigned pki_port, char *err, size_t errsize)
{
	struct listen_ports p = { .api = port, .gateway = gw_port,
		.pki = pki_port };

	return listen_write_port_lines(path, &p, err, errsize);
}

int
listen_write_port_lines(const char *path, const struct listen_ports *p,
    char *err, size_t errsize)
{
	static const char *const names[] = { "gateway", "pki", "flow",
		"flowtcp", "radius" };
	const unsigned vals[] = { p->gateway, p->pki, p->flow, p->flowtcp,
		p->radius };
	char text[160];
	size_t n;

	/* Six lines of at most 14 bytes each always fit. */
	n = (size_t)snprintf(text, sizeof text, "%u\n", p->api);
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		if (vals[i] != 0 && n < sizeof text)
			n += (size_t)snprintf(text + n, sizeof text - n,
			    "%s=%u\n", names[i], vals[i]);
	if (n >= sizeof text)
		n = sizeof text - 1;
	return write_atomic(path, text, n, err, errsize);
}

int
listen_open_udp(const char *addr, const char *what, size_t rcvbuf,
    unsigned *port, char *err, size_t errsize)
{
	struct sockaddr_storage ss, got;
	socklen_t len, glen = sizeof got;
	int fd, one = 1;
	const char *step;

	if (config_parse_listen(addr, &ss, &len, err, errsize) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		step = "socket";
		goto fail;
	}
	step = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
		goto fail;
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
		goto fail;
	if (rcvbuf > 0) {
		int sz = rcvbuf > (size_t)(1 << 30) ? 1 << 30 : (int)rcvbuf;

		/* Bursts of export packets wait here; as root the size
		 * is not capped by net.core.rmem_max. Best effort: a
		 * smaller buffer still works, drops are counted. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
		    sizeof sz) != 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz,
			    sizeof sz);
		(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one,
		    sizeof one);
	}
	step = "bind";
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		goto fail;
	step = "getsockname";
	memset(&got, 0, sizeof got);
	if (getsockname(fd, (struct sockaddr *)&got, &glen) != 0)
		goto fail;
	*port = get_port(&got);
	return fd;
fail:
	snprintf(err, errsize, "listen %s %s (UDP): %s: %s", what, addr, step,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
