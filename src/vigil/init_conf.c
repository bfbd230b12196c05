/*
 * What `vigil init` tells vigild: the listen address it checks and the
 * vigild.conf it writes, in the format of vigild.conf(5) (key = value,
 * paths double-quoted with \" and \\ escapes).
 */
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

bool
init_listen_parse(const char *s, struct init_listen *out, char *err,
    size_t errsize)
{
	const char *colon;
	unsigned char bin[16];
	size_t hlen;
	char *end;
	unsigned long port;

	memset(out, 0, sizeof *out);
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		hlen = (size_t)(rb - s - 1);
		colon = rb + 1;
		out->v6 = true;
		if (hlen >= sizeof out->host)
			goto bad;
		memcpy(out->host, s + 1, hlen);
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hlen = (size_t)(colon - s);
		if (hlen >= sizeof out->host)
			goto bad;
		memcpy(out->host, s, hlen);
	}
	out->host[hlen] = '\0';
	if (inet_pton(out->v6 ? AF_INET6 : AF_INET, out->host, bin) != 1)
		goto bad;
	errno = 0;
	if (colon[1] < '0' || colon[1] > '9')
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || errno != 0 || port > 65535)
		goto bad;
	out->port = (unsigned)port;
	out->wildcard = strcmp(out->host, out->v6 ? "::" : "0.0.0.0") == 0;
	return true;
bad:
	snprintf(err, errsize, "--listen '%s': expected an IPv4 address and "
	    "port (127.0.0.1:8443) or a bracketed IPv6 address and port "
	    "([::1]:8443)", s);
	return false;
}

/* A quoted value; false when it holds a character vigild.conf cannot
 * carry (a line break or other control character). */
static bool
put(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s = \"", key);
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"\n", f);
	return true;
}

bool
init_conf_write(const char *path, const struct init_conf *c, char *err,
    size_t errsize)
{
	FILE *f;
	int fd;
	bool ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "cannot create %s: %s", path,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return false;
	}
	fputs("# vigild configuration, written by vigil init. Every key, its "
	    "default and\n# its bounds: vigild.conf(5); 'vigild -nv --data "
	    "DIR' prints them all.\n# Only the keys that differ from the "
	    "defaults are set here.\n\n", f);
	ok = put(f, "data_dir", c->data_dir);
	ok = ok && put(f, "database", c->database);
	fputs("\n# The API's TLS identity (self-signed by vigil init; clients "
	    "pin tls_cert).\n", f);
	ok = ok && put(f, "tls_cert", c->tls_cert);
	ok = ok && put(f, "tls_key", c->tls_key);
	fputs("\n# Ed25519 key pair that signs audit log checkpoints.\n", f);
	ok = ok && put(f, "audit_key", c->audit_key);
	ok = ok && put(f, "audit_pubkey", c->audit_pubkey);
	fputs("\n", f);
	ok = ok && put(f, "listen", c->listen);
	fputs("\n# Devices: EST enrollment and the device API over mutual TLS "
	    "(gateway),\n# CRLs and OCSP over plain HTTP (pki). \"off\" "
	    "disables one.\n", f);
	ok = ok && put(f, "gateway_listen", c->gateway_listen);
	ok = ok && put(f, "pki_listen", c->pki_listen);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = false;
	if (!ok) {
		snprintf(err, errsize, "cannot write %s (a path holds a "
		    "control character, or the disk is full)", path);
		unlink(path);
		return false;
	}
	return true;
}
