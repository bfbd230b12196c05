/*
 * Store operations of the audit area (hash-chained entries and signed
 * checkpoints). Implemented per backend (sqlite_audit.c); reached only
 * through src/lib/audit, which computes every hash: the store keeps
 * rows and never judges them.
 *
 * Both tables are append-only in the schema (triggers refuse UPDATE and
 * DELETE). Reads hand rows to a callback with borrowed strings, so that
 * a walk over millions of entries needs constant memory.
 */
#ifndef VIGIL_STORE_AUDIT_H
#define VIGIL_STORE_AUDIT_H

#include "store_internal.h"
#include "vigil/audit.h"

/* One entry as stored. Strings are borrowed (valid during the callback
 * or until the caller's strings die). */
struct store_audit_row {
	int64_t seq;
	struct vigil_audit_event ev;
	uint8_t prev_hash[VIGIL_AUDIT_HASH_LEN];
	uint8_t hash[VIGIL_AUDIT_HASH_LEN];
	/* Read side only: a column had the wrong type or size (a NULL or
	 * integer where text belongs, a hash that is not 32 bytes, a
	 * privileged flag other than 0/1). The row then never verifies:
	 * reading it as "" or zeros would hide the change. */
	int malformed;
};

/* One checkpoint as stored. */
struct store_audit_ckpt {
	int64_t seq;
	int64_t at_ms;
	uint8_t head[VIGIL_AUDIT_HASH_LEN];
	uint8_t sig[VIGIL_AUDIT_SIG_LEN];
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN];
	int malformed; /* a blob of the wrong size */
};

/* Row callbacks: return 0 to go on, non-zero to stop the walk (which
 * then returns VIGIL_OK; the caller keeps its own verdict in ctx). */
typedef int (*store_audit_row_fn)(void *ctx, const struct store_audit_row *r);
typedef int (*store_audit_ckpt_fn)(void *ctx,
    const struct store_audit_ckpt *c);

struct store_audit_ops {
	/* Last entry's seq and hash; seq 0 and zeros when empty. */
	enum vigil_err (*head)(struct vigil_store *st, int64_t *seq,
	    uint8_t hash[VIGIL_AUDIT_HASH_LEN]);
	/* Inserts one entry (the caller holds the write lock). */
	enum vigil_err (*insert)(struct vigil_store *st,
	    const struct store_audit_row *r);
	/* Entry seq to cb; VIGIL_ENOTFOUND when there is none. */
	enum vigil_err (*get)(struct vigil_store *st, int64_t seq,
	    store_audit_row_fn cb, void *ctx);
	/* Every entry with seq > after_seq, in seq order (duplicates of a
	 * rebuilt table included). */
	enum vigil_err (*walk)(struct vigil_store *st, int64_t after_seq,
	    store_audit_row_fn cb, void *ctx);
	/* The first entry (lowest seq) whose prev_hash is prev: a full
	 * scan, used only to explain a broken chain. ENOTFOUND if none. */
	enum vigil_err (*find_prev)(struct vigil_store *st,
	    const uint8_t prev[VIGIL_AUDIT_HASH_LEN], store_audit_row_fn cb,
	    void *ctx);
	/* Entries of tenant scope (NULL = every entry) matching f, seq
	 * ascending, at most limit (0 = no limit); f->limit is ignored. */
	enum vigil_err (*list)(struct vigil_store *st, const char *scope,
	    const struct vigil_audit_filter *f, size_t limit,
	    store_audit_row_fn cb, void *ctx);

	/* Inserts a checkpoint; *inserted = 0 when seq already had one
	 * (the stored one is kept). */
	enum vigil_err (*ckpt_insert)(struct vigil_store *st,
	    const struct store_audit_ckpt *c, int *inserted);
	/* Last checkpoint; ENOTFOUND when none. */
	enum vigil_err (*ckpt_last)(struct vigil_store *st,
	    struct store_audit_ckpt *out);
	/* Every checkpoint in seq order. */
	enum vigil_err (*ckpt_walk)(struct vigil_store *st,
	    store_audit_ckpt_fn cb, void *ctx);
};

extern const struct store_audit_ops store_sq_audit_ops;

/* The handle's audit operations (the backend's table). */
static inline const struct store_audit_ops *
store_audit(const struct vigil_store *st)
{
	return st->be->audit;
}

#endif
