/*
 * vigil/audit.h — the tamper-evident audit log.
 *
 * Every state change and every denied request is one entry: sequence
 * number (1, 2, 3, ... without gaps), time, principal, tenant, source
 * IP, action, object, outcome, request id, privileged flag, detail.
 *
 * Hash chain: hash(n) = SHA-256("vigil-audit-v1" || hash(n-1) ||
 * canonical(entry n)), hash(0) = 32 zero bytes. canonical() is the
 * entry's fields in a fixed order, each as a 4-byte big-endian length
 * followed by its bytes (integers as decimal text), so that no two
 * different entries encode alike (docs/audit.md writes it out).
 *
 * Checkpoints: the signer process signs (Ed25519) the message
 * vigil_audit_checkpoint_msg(seq, head) every N entries or T seconds;
 * the store keeps (seq, head, signature, key id, time). A checkpoint
 * commits to every entry up to seq: whoever rewrites history must
 * forge a signature, and whoever cuts the tail below the last
 * checkpoint is caught.
 *
 * Durability: vigil_audit_append commits before it returns. On a store
 * handle set to vigil_store_set_durability(st, 2) (synchronous=FULL,
 * which vigild sets on every handle it opens) that COMMIT returns only
 * once the WAL is on disk, so an acknowledged request's entry survives
 * kill -9 and power loss; at level 1 it survives kill -9 only. Appends
 * from several processes serialise on the store's write lock (BEGIN
 * IMMEDIATE before the head is read).
 *
 * Scoping: listing takes the tenant scope (NULL = platform: all);
 * verification is over the whole chain (platform only).
 */
#ifndef VIGIL_AUDIT_H
#define VIGIL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_AUDIT_HASH_LEN 32
#define VIGIL_AUDIT_SIG_LEN 64       /* Ed25519 */
#define VIGIL_AUDIT_KEYID_LEN 8      /* first 8 bytes of SHA-256(pubkey) */
#define VIGIL_AUDIT_PUBKEY_LEN 32
#define VIGIL_AUDIT_CKPT_MSG_LEN 64  /* see vigil_audit_checkpoint_msg */
#define VIGIL_AUDIT_FIELD_MAX 1024   /* longest text field, bytes */
#define VIGIL_AUDIT_DETAIL_MAX 4096

/* What happened; strings are copied, NULL means "". */
struct vigil_audit_event {
	int64_t at_ms;          /* 0 = now */
	const char *principal;  /* "user:alice", "token:<id>", "system" */
	const char *tenant_id;  /* "" for platform-level actions */
	const char *source_ip;
	const char *action;     /* "device.update", "auth.login", ... */
	const char *object;     /* "device/<id>", "tenant/<id>", ... */
	const char *outcome;    /* "ok", "denied", "failed", "error" */
	const char *request_id;
	int privileged;         /* privileged action (role grants, ...) */
	const char *detail;     /* short text, never a secret */
};

struct vigil_audit_entry {
	int64_t seq;
	int64_t at_ms;
	char *principal;
	char *tenant_id;
	char *source_ip;
	char *action;
	char *object;
	char *outcome;
	char *request_id;
	int privileged;
	char *detail;
	uint8_t prev_hash[VIGIL_AUDIT_HASH_LEN];
	uint8_t hash[VIGIL_AUDIT_HASH_LEN];
};

/*
 * Appends one entry (its own transaction, synchronous=FULL; if a
 * transaction is open on st, the entry joins it and is durable at its
 * commit). seq and head (may be NULL) receive the new sequence number
 * and chain head. VIGIL_ERANGE when a field is longer than its limit.
 */
enum vigil_err vigil_audit_append(struct vigil_store *st,
    const struct vigil_audit_event *ev, int64_t *seq /* OUT */,
    uint8_t head[VIGIL_AUDIT_HASH_LEN] /* OUT */);

/* Current head: last sequence number (0 for an empty log) and hash
 * (head may be NULL). */
enum vigil_err vigil_audit_head(struct vigil_store *st, int64_t *seq /* OUT */,
    uint8_t head[VIGIL_AUDIT_HASH_LEN] /* OUT */);

/* The chain hash of entry seq holding ev after an entry whose hash is
 * prev (32 zero bytes for seq 1): SHA-256("vigil-audit-v1" || prev ||
 * canonical(seq, ev)). at_ms is taken as given (0 stays 0). For
 * independent verifiers and tests; docs/audit.md has the bytes. */
enum vigil_err vigil_audit_entry_hash(const uint8_t prev[VIGIL_AUDIT_HASH_LEN],
    int64_t seq, const struct vigil_audit_event *ev,
    uint8_t hash[VIGIL_AUDIT_HASH_LEN] /* OUT */);

/* The 64-byte message a checkpoint signs: "vigil-audit-ckpt-v1\0"
 * padded to 24 bytes, seq as 8 bytes big-endian, head (32 bytes). */
void vigil_audit_checkpoint_msg(int64_t seq,
    const uint8_t head[VIGIL_AUDIT_HASH_LEN],
    uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN] /* OUT */);

/* Stores a signed checkpoint. The store refuses a checkpoint whose
 * head differs from the stored entry's hash at seq (VIGIL_ETAMPER) and
 * ignores one for a seq already checkpointed (VIGIL_OK). */
enum vigil_err vigil_audit_checkpoint_put(struct vigil_store *st, int64_t seq,
    const uint8_t head[VIGIL_AUDIT_HASH_LEN],
    const uint8_t sig[VIGIL_AUDIT_SIG_LEN],
    const uint8_t keyid[VIGIL_AUDIT_KEYID_LEN], int64_t at_ms);

/* Last checkpoint's seq and time (0, 0 when none). */
enum vigil_err vigil_audit_checkpoint_last(struct vigil_store *st,
    int64_t *seq /* OUT */, int64_t *at_ms /* OUT */);

/* ---- Keys (Ed25519, PEM files; private key files are 0600) ---- */

/* Creates a new key pair: priv_path (PKCS#8 PEM, mode 0600, refuses to
 * overwrite) and pub_path (SubjectPublicKeyInfo PEM, 0644). */
enum vigil_err vigil_audit_keygen(const char *priv_path, const char *pub_path,
    char *err, size_t errsize);

/* Loads a public key file into raw bytes and its key id. */
enum vigil_err vigil_audit_pubkey_load(const char *pub_path,
    uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN] /* OUT */,
    uint8_t keyid[VIGIL_AUDIT_KEYID_LEN] /* OUT */, char *err, size_t errsize);

/* An opaque loaded signing key (lives only in the signer process). */
struct vigil_audit_signer;
/* Loads the private key; refuses a file readable by group or others. */
enum vigil_err vigil_audit_signer_load(struct vigil_audit_signer **out /* OUT */,
    const char *priv_path, char *err, size_t errsize);
/* Signs a checkpoint message. */
enum vigil_err vigil_audit_signer_sign(struct vigil_audit_signer *s,
    const uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN],
    uint8_t sig[VIGIL_AUDIT_SIG_LEN] /* OUT */,
    uint8_t keyid[VIGIL_AUDIT_KEYID_LEN] /* OUT */);
/* Wipes and frees. NULL is a no-op. */
void vigil_audit_signer_free(struct vigil_audit_signer *s);

/* ---- Verification ---- */

struct vigil_audit_verify_result {
	int ok;                  /* 1 when everything checked out */
	int64_t entries;         /* entries read */
	int64_t checkpoints;     /* checkpoints whose signature verified */
	int64_t last_seq;        /* last entry in the log */
	int64_t last_checkpoint_seq;
	int64_t first_bad_seq;   /* 0 when ok */
	/* What is wrong, e.g. "entry 42: hash does not match its content
	 * (modified)", "entry 17 missing: sequence jumps from 16 to 18
	 * (deleted)", "log ends at 90 but checkpoint 100 was signed
	 * (truncated)", "checkpoint 64: bad signature". */
	char reason[512];
};

/*
 * Walks the whole chain from seq 1: contiguous sequence numbers,
 * prev_hash links, recomputed hashes, every checkpoint's signature
 * (with pub; pub NULL = signatures not checked, reported in reason) and
 * head, and the tail against the last checkpoint. Returns VIGIL_OK
 * with res->ok = 1, or VIGIL_ETAMPER with res filled in; other codes
 * for store errors.
 */
enum vigil_err vigil_audit_verify(struct vigil_store *st,
    const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    struct vigil_audit_verify_result *res /* OUT */);

/* ---- Listing ---- */

struct vigil_audit_filter {
	int64_t after_seq;      /* cursor: entries with seq > after_seq */
	int64_t since_ms;       /* at_ms >= since_ms; 0 = no bound */
	int64_t until_ms;       /* at_ms < until_ms; 0 = no bound */
	const char *principal;  /* exact, NULL = any */
	const char *action;     /* exact or prefix ending in '.', NULL = any */
	const char *outcome;    /* exact, NULL = any */
	size_t limit;           /* 0 = 100, max 1000 */
};

struct vigil_audit_list {
	size_t n;
	struct vigil_audit_entry *items; /* seq ascending */
	int64_t next_after;              /* cursor for the next page, 0 = end */
};
void vigil_audit_list_free(struct vigil_audit_list *l);

/* Entries of tenant scope (NULL = platform: every entry; a tenant id
 * sees only entries whose tenant_id is that id). f may be NULL. Caller
 * releases *out with vigil_audit_list_free(). */
enum vigil_err vigil_audit_list(struct vigil_store *st, const char *scope,
    const struct vigil_audit_filter *f, struct vigil_audit_list *out /* OUT */);

/* Receives one entry; its strings are valid during the call only.
 * Returns 0 to go on, non-zero to stop. */
typedef int (*vigil_audit_entry_fn)(void *ctx,
    const struct vigil_audit_entry *e);

/* Streams every entry of scope matching f (f->limit ignored; f may be
 * NULL) in seq order from one consistent snapshot, in constant memory:
 * exports of any size. VIGIL_OK also when fn stopped the walk. */
enum vigil_err vigil_audit_foreach(struct vigil_store *st, const char *scope,
    const struct vigil_audit_filter *f, vigil_audit_entry_fn fn, void *ctx);

/* {"seq", "time" (RFC 3339), "principal", "tenant", "source_ip",
 *  "action", "object", "outcome", "request_id", "privileged", "detail",
 *  "hash" (hex), "prev_hash" (hex)} */
json_t *vigil_audit_entry_to_json(const struct vigil_audit_entry *e);

#ifdef __cplusplus
}
#endif
#endif
