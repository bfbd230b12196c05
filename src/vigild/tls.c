/*
 * The TLS server context of the API: what protocol versions, suites
 * and options it accepts, and the certificate and key it presents.
 *
 * Choices (Mozilla "intermediate", server side):
 *  - TLS 1.2 minimum (tls_min_version "1.3" → TLS 1.3 only);
 *  - TLS 1.2: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305
 *    only; no RSA key exchange (no forward secrecy), no CBC (padding
 *    oracles), no RC4/3DES/NULL/anonymous suites;
 *  - TLS 1.3: OpenSSL's default suites (all AEAD);
 *  - the server's suite order wins, so a client cannot steer towards
 *    the weakest suite both sides allow;
 *  - no compression (CRIME), no renegotiation (client-initiated
 *    renegotiation is a cheap CPU DoS and was the source of
 *    CVE-2009-3555);
 *  - no stateless session tickets: their key would be static for the
 *    life of the worker, so one leaked key would decrypt every
 *    recorded session. Resumption uses the worker's session cache.
 *  - groups X25519, P-256, P-384.
 * The key file is read before the sandbox; key material never reaches
 * a log line or an error text (only OpenSSL's reason strings do).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls.h"
#include "vigil/core.h"

#define TLS12_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"
#define TLS_GROUPS "X25519:P-256:P-384"

const char *
tls_ciphers12(void)
{
	return TLS12_CIPHERS;
}

/* The last OpenSSL reason on the error queue (never key bytes). */
static void
ssl_err(char *err, size_t errsize, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(err, errsize, "%s%s%s: %s", what, path != NULL ? " " : "",
	    path != NULL ? path : "", reason != NULL ? reason : "failed");
	ERR_clear_error();
}

/* ALPN: speak HTTP/1.1 only; a client offering only h2 proceeds
 * without ALPN (and then speaks HTTP/1.1 or leaves). */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char http11[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, http11, sizeof http11 - 1,
	    in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static int
tls_versions(SSL_CTX *ctx, const char *min, char *err, size_t errsize)
{
	int v;

	if (strcmp(min, "1.3") == 0)
		v = TLS1_3_VERSION;
	else if (min[0] == '\0' || strcmp(min, "1.2") == 0)
		v = TLS1_2_VERSION;
	else {
		snprintf(err, errsize, "tls_min_version: '%s' is not 1.2 or "
		    "1.3", min);
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(ctx, v) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, 0) != 1) {
		ssl_err(err, errsize, "tls: protocol versions", NULL);
		return -1;
	}
	return 0;
}

static int
tls_suites(SSL_CTX *ctx, char *err, size_t errsize)
{
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES) != 1) {
		ssl_err(err, errsize, "tls: cipher suites", NULL);
		return -1;
	}
	if (SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1) {
		ssl_err(err, errsize, "tls: groups", NULL);
		return -1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_TICKET | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
	    SSL_OP_NO_TLSv1_1);
	return 0;
}

static int
tls_keys(SSL_CTX *ctx, const struct vigild_config *cfg, char *err,
    size_t errsize)
{
	/* An encrypted key would make OpenSSL prompt on the terminal:
	 * refuse it instead, the daemon has no one to ask. */
	SSL_CTX_set_default_passwd_cb(ctx, vigil_pem_no_passphrase);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		ssl_err(err, errsize, "tls_cert", cfg->tls_cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key,
	    SSL_FILETYPE_PEM) != 1) {
		ssl_err(err, errsize, "tls_key", cfg->tls_key);
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errsize, "tls_key", cfg->tls_key);
		snprintf(err + strlen(err), errsize - strlen(err),
		    " (does not match tls_cert %s)", cfg->tls_cert);
		return -1;
	}
	return 0;
}

SSL_CTX *
tls_ctx_new(const struct vigild_config *cfg, char *err, size_t errsize)
{
	static const unsigned char sid_ctx[] = "vigil-api";
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_err(err, errsize, "tls: SSL_CTX_new", NULL);
		return NULL;
	}
	if (tls_versions(ctx, cfg->tls_min_version, err, errsize) < 0 ||
	    tls_suites(ctx, err, errsize) < 0 ||
	    tls_keys(ctx, cfg, err, errsize) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Idle connections keep no TLS buffers (saves ~34 KiB each). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, 4096);
	SSL_CTX_set_timeout(ctx, 300);
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return ctx;
}
