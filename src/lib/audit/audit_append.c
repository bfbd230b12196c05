/*
 * Writing the audit log: append one entry under the store's write lock,
 * read the head, store a signed checkpoint after checking it commits to
 * what is stored.
 *
 * Durability is the connection's: vigild sets synchronous=FULL on its
 * store handle (vigil_store_set_durability(st, 2)) so that the COMMIT
 * that ends an append returns only once the WAL is on disk.
 */
#include <string.h>

#include "audit_internal.h"

/* Reads the row given to it into a fixed buffer (get callback). */
struct one_hash {
	uint8_t hash[VIGIL_AUDIT_HASH_LEN];
	int malformed;
};

static int
take_hash(void *ctx, const struct store_audit_row *r)
{
	struct one_hash *h = ctx;

	memcpy(h->hash, r->hash, sizeof h->hash);
	h->malformed = r->malformed;
	return 1;
}

static void
nonnull(const char **s)
{
	if (*s == NULL)
		*s = "";
}

enum vigil_err
vigil_audit_head(struct vigil_store *st, int64_t *seq,
    uint8_t head[VIGIL_AUDIT_HASH_LEN])
{
	uint8_t h[VIGIL_AUDIT_HASH_LEN];
	int64_t s = 0;
	enum vigil_err rc;

	*seq = 0;
	if (head != NULL)
		memset(head, 0, VIGIL_AUDIT_HASH_LEN);
	if ((rc = store_audit(st)->head(st, &s, h)) != VIGIL_OK)
		return rc;
	*seq = s;
	if (head != NULL)
		memcpy(head, h, sizeof h);
	return VIGIL_OK;
}

enum vigil_err
vigil_audit_append(struct vigil_store *st, const struct vigil_audit_event *ev,
    int64_t *seq, uint8_t head[VIGIL_AUDIT_HASH_LEN])
{
	const struct store_audit_ops *ops = store_audit(st);
	struct store_audit_row r;
	enum vigil_err rc;

	if (seq != NULL)
		*seq = 0;
	if (head != NULL)
		memset(head, 0, VIGIL_AUDIT_HASH_LEN);
	store_clearerr(st);
	if ((rc = audit_check_event(st, ev)) != VIGIL_OK)
		return rc;
	memset(&r, 0, sizeof r);
	r.ev = *ev;
	if (r.ev.at_ms == 0)
		r.ev.at_ms = vigil_time_now_ms();
	r.ev.privileged = ev->privileged ? 1 : 0;
	/* NULL means "": stored as such, hashed as such. */
	nonnull(&r.ev.principal);
	nonnull(&r.ev.tenant_id);
	nonnull(&r.ev.source_ip);
	nonnull(&r.ev.action);
	nonnull(&r.ev.object);
	nonnull(&r.ev.outcome);
	nonnull(&r.ev.request_id);
	nonnull(&r.ev.detail);
	/* BEGIN IMMEDIATE (or a savepoint inside the caller's write
	 * transaction): the head cannot move between reading it and
	 * inserting after it, whichever process appends. */
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = ops->head(st, &r.seq, r.prev_hash)) != VIGIL_OK)
		goto end;
	r.seq++;
	if (audit_hash(r.prev_hash, r.seq, &r.ev, r.hash) != 0) {
		rc = store_seterr(st, VIGIL_ENOMEM, "audit: cannot compute the "
		    "entry hash (OpenSSL)");
		goto end;
	}
	rc = ops->insert(st, &r);
end:
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK)
		return rc;
	if (seq != NULL)
		*seq = r.seq;
	if (head != NULL)
		memcpy(head, r.hash, VIGIL_AUDIT_HASH_LEN);
	return VIGIL_OK;
}

enum vigil_err
vigil_audit_checkpoint_put(struct vigil_store *st, int64_t seq,
    const uint8_t head[VIGIL_AUDIT_HASH_LEN],
    const uint8_t sig[VIGIL_AUDIT_SIG_LEN],
    const uint8_t keyid[VIGIL_AUDIT_KEYID_LEN], int64_t at_ms)
{
	const struct store_audit_ops *ops = store_audit(st);
	struct store_audit_ckpt c;
	struct one_hash stored;
	enum vigil_err rc;
	int inserted;

	store_clearerr(st);
	if (seq < 1)
		return store_seterr(st, VIGIL_EINVAL, "audit: checkpoint at "
		    "sequence number %lld; the log starts at 1",
		    (long long)seq);
	memset(&c, 0, sizeof c);
	c.seq = seq;
	c.at_ms = at_ms != 0 ? at_ms : vigil_time_now_ms();
	memcpy(c.head, head, sizeof c.head);
	memcpy(c.sig, sig, sizeof c.sig);
	memcpy(c.keyid, keyid, sizeof c.keyid);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = ops->get(st, seq, take_hash, &stored);
	if (rc == VIGIL_ENOTFOUND) {
		rc = store_seterr(st, VIGIL_ENOTFOUND, "audit: checkpoint at "
		    "%lld, but the log has no entry %lld", (long long)seq,
		    (long long)seq);
		goto end;
	}
	if (rc != VIGIL_OK)
		goto end;
	/* The signer signed what it was told is the head; refuse to store
	 * a checkpoint that would vouch for something else. */
	if (stored.malformed || memcmp(stored.hash, head, sizeof c.head) != 0) {
		rc = store_seterr(st, VIGIL_ETAMPER, "audit: checkpoint at "
		    "%lld signs a head that differs from entry %lld's hash",
		    (long long)seq, (long long)seq);
		goto end;
	}
	rc = ops->ckpt_insert(st, &c, &inserted);
end:
	return store_tx_end(st, rc);
}

enum vigil_err
vigil_audit_checkpoint_last(struct vigil_store *st, int64_t *seq,
    int64_t *at_ms)
{
	struct store_audit_ckpt c;
	enum vigil_err rc;

	*seq = 0;
	*at_ms = 0;
	rc = store_audit(st)->ckpt_last(st, &c);
	if (rc == VIGIL_ENOTFOUND)
		return VIGIL_OK;
	if (rc != VIGIL_OK)
		return rc;
	*seq = c.seq;
	*at_ms = c.at_ms;
	return VIGIL_OK;
}
