/*
 * Internal interface of `vigil init` (cmd_init.c): the TLS identity
 * (init_tls.c) and the vigild.conf it writes (init_conf.c).
 */
#ifndef VIGIL_CLI_INIT_H
#define VIGIL_CLI_INIT_H

#include <stdbool.h>
#include <stddef.h>

/* Writes key_path (ECDSA P-256, PKCS#8 PEM, mode 0600) and crt_path (a
 * self-signed certificate, mode 0644) for the subjectAltName value san
 * ("DNS:localhost,IP:127.0.0.1,..."); neither file may exist. On
 * failure nothing is left behind and err says why. */
bool init_tls_create(const char *key_path, const char *crt_path,
    const char *san, char *err, size_t errsize);

/* A vigild listen address: "a.b.c.d:port" or "[v6]:port". */
struct init_listen {
	char host[64];  /* without brackets */
	bool v6;
	unsigned port;
	bool wildcard;  /* 0.0.0.0 or :: */
};

/* Parses and checks a listen address; err says what is wrong. */
bool init_listen_parse(const char *s, struct init_listen *out, char *err,
    size_t errsize);

/* The keys of vigild.conf that init sets. */
struct init_conf {
	const char *data_dir, *database, *tls_cert, *tls_key, *audit_key,
	    *audit_pubkey, *listen;
	/* The device gateway and the plain-HTTP PKI listener, derived from
	 * listen (same host; port 0 stays 0 for tests). */
	char gateway_listen[80], pki_listen[80];
};

/* Writes path (mode 0600, never over an existing file). */
bool init_conf_write(const char *path, const struct init_conf *c,
    char *err, size_t errsize);

#endif
