/*
 * vmq.h — the pieces of the Mosquitto plugin (vigil_mosquitto.so)
 * shared between its files: the connection to vigild's decision point
 * (vmq_pdp.c), the per-client decision cache (vmq_cache.c) and the
 * table of connected clients (vmq_clients.c). Internal to the plugin;
 * nothing here depends on the broker's headers, so the pieces can be
 * reasoned about (and tested) without a broker.
 */
#ifndef VMQ_H
#define VMQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/pdp_wire.h>

/* Logging goes through the broker (vigil_mosquitto.c); levels are
 * ours so this header stays broker-free. */
enum vmq_level { VMQ_DEBUG, VMQ_INFO, VMQ_NOTICE, VMQ_WARN, VMQ_ERR };
void vmq_log(enum vmq_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* CLOCK_MONOTONIC in milliseconds. */
int64_t vmq_now_ms(void);

/* ---- the decision point connection (vmq_pdp.c) ---- */

#define VMQ_RECONNECT_MS 200 /* at most one connect attempt this often */

struct vmq_pdp;

struct vmq_decision {
	bool allow;
	bool cacheable;
	uint64_t epoch;
	char device_id[VIGIL_PDPW_DEVICE_MAX + 1];
	char reason[VIGIL_PDPW_TEXT_MAX + 1];
};

/* A handle for the socket at path; connects lazily. NULL on OOM or a
 * path too long for sun_path. */
struct vmq_pdp *vmq_pdp_new(const char *path, int timeout_ms);
void vmq_pdp_free(struct vmq_pdp *p);
/* Reads what vigild pushed (EPOCH) without blocking; reconnects when
 * down and the last attempt is VMQ_RECONNECT_MS old. */
void vmq_pdp_poll(struct vmq_pdp *p);
bool vmq_pdp_up(const struct vmq_pdp *p);
/* The epoch and the connection number decisions are cached under: a
 * cached entry is good only for both. */
uint64_t vmq_pdp_epoch(const struct vmq_pdp *p);
uint64_t vmq_pdp_conn(const struct vmq_pdp *p);
uint32_t vmq_pdp_ttl_ms(const struct vmq_pdp *p);
/* True once after the epoch moved or the connection was re-made: the
 * caller drops its caches and re-checks the live sessions. */
bool vmq_pdp_take_recheck(struct vmq_pdp *p);
/*
 * One DECIDE round trip bounded by the timeout. 0 with *out filled, -1
 * when there is no answer (down, timeout, malformed, field too long):
 * the caller denies.
 */
int vmq_pdp_decide(struct vmq_pdp *p, enum vigil_pdpw_action action,
    const char *client_id, const char *serial, const char *source_ip,
    const char *resource, struct vmq_decision *out /* OUT */);

/* One question of a batch. */
struct vmq_ask {
	enum vigil_pdpw_action action;
	const char *client_id, *serial, *source_ip, *resource;
};
/*
 * n questions pipelined (up to VMQ_WINDOW in flight, answers matched by
 * id in order), so re-checking every live session after an epoch costs
 * vigild's work, not n round trips. Each wait is bounded by the
 * timeout. 0 with out[0..n) filled, -1 when the connection failed
 * (the caller keeps the sessions it could not re-decide; the reconnect
 * re-checks them).
 */
#define VMQ_WINDOW 64
int vmq_pdp_decide_batch(struct vmq_pdp *p, const struct vmq_ask *asks,
    size_t n, struct vmq_decision *out /* OUT */);

/* ---- the per-client decision cache (vmq_cache.c) ---- */

struct vmq_cache;

/* Up to max entries (0: caching off); storage grows on demand. */
struct vmq_cache *vmq_cache_new(size_t max);
void vmq_cache_free(struct vmq_cache *c);
void vmq_cache_clear(struct vmq_cache *c);
/* 1 allow, 0 deny, -1 not cached (or from another epoch/connection,
 * or expired). */
int vmq_cache_get(const struct vmq_cache *c, int action, const char *res,
    uint64_t epoch, uint64_t conn, int64_t now_ms);
/* Stores (replacing the same key, else evicting the oldest entry when
 * full). Silently does nothing on OOM: the next check asks again. */
void vmq_cache_put(struct vmq_cache *c, int action, const char *res,
    bool allow, uint64_t epoch, uint64_t conn, int64_t expires_ms);
size_t vmq_cache_count(const struct vmq_cache *c);

/* ---- connected clients (vmq_clients.c) ---- */

struct vmq_client {
	const void *key;        /* the broker's struct mosquitto * */
	char *id;               /* MQTT client id, for kicking */
	char serial[VIGIL_PDPW_SERIAL_MAX + 1];
	char ip[VIGIL_PDPW_IP_MAX + 1];
	struct vmq_cache *cache;
	struct vmq_client *next; /* hash chain */
};

struct vmq_clients;

struct vmq_clients *vmq_clients_new(size_t cache_entries);
void vmq_clients_free(struct vmq_clients *t);
/* Records a client that was allowed to connect, replacing an entry for
 * the same key and dropping others with the same client id (session
 * takeover: the old connection is on its way out). NULL on OOM. */
struct vmq_client *vmq_clients_add(struct vmq_clients *t, const void *key,
    const char *id, const char *serial, const char *ip);
struct vmq_client *vmq_clients_find(const struct vmq_clients *t,
    const void *key);
void vmq_clients_remove(struct vmq_clients *t, const void *key);
size_t vmq_clients_count(const struct vmq_clients *t);
void vmq_clients_clear_caches(struct vmq_clients *t);
/* The keys of all clients (malloc'd array, *n entries; NULL with *n 0
 * when empty or OOM): stable while the caller removes entries. */
const void **vmq_clients_keys(const struct vmq_clients *t,
    size_t *n /* OUT */);

#endif
