/*
 * The TLS server context of a net worker (tls.c): protocol versions,
 * cipher suites and options that the API offers (Mozilla
 * "intermediate": TLS 1.2 with ECDHE + AEAD suites only, TLS 1.3 with
 * its default suites), and the certificate and key it presents.
 */
#ifndef VIGILD_TLS_H
#define VIGILD_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "config.h"

/*
 * Builds the server context from cfg (tls_cert, tls_key,
 * tls_min_version). Reads the files now, before the sandbox. Returns
 * NULL with the reason in err ("tls_key /x/server.key: ...", never the
 * key material).
 */
SSL_CTX *tls_ctx_new(const struct vigild_config *cfg, char *err,
    size_t errsize);

/* The TLS 1.2 cipher list the context allows (for tests and docs). */
const char *tls_ciphers12(void);

#endif
