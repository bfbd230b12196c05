/*
 * The device gateway's TLS session cache, shared by all net workers:
 * one MAP_SHARED anonymous mapping created by the parent before it
 * forks (like metrics.h), so a device that reconnects to another worker
 * (SO_REUSEPORT picks any) still resumes its session. nginx calls this
 * "ssl_session_cache shared:".
 *
 * The table stores opaque blobs (gw_tls serialises the SSL_SESSION)
 * by session id, expires them, and forgets every entry at once when
 * any worker bumps the shared generation (a revocation or trust store
 * change). The mapping holds master secrets: only vigild's parent and
 * net workers map it (the signer unmaps it at start), it is never
 * written to a file, and entries are wiped when evicted, removed or
 * found stale, and all of it when the parent exits.
 */
#ifndef VIGILD_GW_SESSCACHE_H
#define VIGILD_GW_SESSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define GW_SESSCACHE_ID_MAX 32      /* SSL_MAX_SSL_SESSION_ID_LENGTH */
/* Bytes per entry, header included. Measured: a session with a vigil
 * device certificate (P-256, 662 bytes DER) is 811 bytes DER (TLS 1.2
 * and 1.3); with the issuing CA certificate the device may send along
 * about 1.5 KiB; an RSA-2048 leaf about 1.4 KiB. A longer chain does
 * not fit: that client does full handshakes. */
#define GW_SESSCACHE_SLOT 2048
#define GW_SESSCACHE_DEFAULT 20480  /* entries (gateway_session_cache) */
#define GW_SESSCACHE_TIMEOUT_S 300  /* lifetime of an entry */

struct gw_sesscache;

/* Counters since creation, over all workers. */
struct gw_sesscache_stats {
	uint64_t hits, misses, stores, evictions, refused, flushes;
	uint64_t generation;
	size_t entries;             /* capacity */
};

/* Parent: creates the mapping for at least entries sessions living
 * timeout_s seconds each. NULL when entries is 0 (resumption off) or
 * on failure (errno set). */
struct gw_sesscache *gw_sesscache_create(unsigned entries,
    unsigned timeout_s);

/* Parent, at exit: wipes every entry and unmaps. */
void gw_sesscache_destroy(struct gw_sesscache *c);

/* A child that must not see the sessions (the signer): unmaps without
 * wiping (the workers still use them). */
void gw_sesscache_unmap(struct gw_sesscache *c);

/* The largest blob an entry holds. */
size_t gw_sesscache_data_max(void);

/* Stores data under id (replacing what was there), expiring timeout_s
 * after now (seconds). 0, or -1 when refused: no cache, id empty or
 * too long, data too big, lock not recoverable. */
int gw_sesscache_put(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen, const void *data, size_t len, int64_t now);

/* Copies the live entry of id into out (outsize bytes). 1 with *len
 * set, or 0 when there is none (or it does not fit). */
int gw_sesscache_get(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen, void *out, size_t outsize, size_t *len, int64_t now);

/* Forgets (and wipes) the entry of id, if any. */
void gw_sesscache_remove(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen);

/* Invalidates every entry for every worker: bumps the generation. */
void gw_sesscache_flush(struct gw_sesscache *c);

void gw_sesscache_stats(struct gw_sesscache *c,
    struct gw_sesscache_stats *out);

/*
 * OpenSSL hookup (gw_tls.c): makes ctx keep its server sessions in c
 * only (no per-worker internal cache, so a session removed or flushed
 * by one worker is gone for all). c NULL turns resumption off.
 * 0, or -1 (OpenSSL error left queued).
 */
int gw_sesscache_attach(SSL_CTX *ctx, struct gw_sesscache *c);

/*
 * The client's certificate chain (without its leaf) for ssl: what it
 * sent in this handshake, or for a session resumed from the shared
 * cache the chain stored with it (i2d_SSL_SESSION keeps only the leaf).
 * NULL when there is none. Not a new reference.
 */
STACK_OF(X509) *gw_sesscache_peer_chain(SSL *ssl);

/* Tests only: takes the lock and returns without releasing it, so a
 * test can kill the holder. 0, or -1. */
int gw_sesscache_test_hold_lock(struct gw_sesscache *c);

#endif
