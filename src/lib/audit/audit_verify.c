/*
 * Verifying the audit log: one streaming walk over every entry in
 * sequence order (contiguous numbers, prev_hash links, recomputed
 * hashes), then every checkpoint (signature, key id, signed head against
 * the stored entry, and the log's end against the last checkpoint).
 * Runs in one read snapshot, so appends may go on meanwhile; memory is
 * constant whatever the length of the log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

struct chain {
	struct vigil_audit_verify_result *res;
	int64_t expect;                     /* next sequence number */
	uint8_t head[VIGIL_AUDIT_HASH_LEN]; /* hash of the last good entry */
	uint8_t link[VIGIL_AUDIT_HASH_LEN]; /* its prev_hash */
	int broken;                         /* brk holds the bad entry */
	struct audit_break brk;
	enum vigil_err rc;
};

static void
say(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, size, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
}

static int
chain_row(void *ctx, const struct store_audit_row *r)
{
	struct chain *c = ctx;
	struct vigil_audit_verify_result *res = c->res;
	uint8_t h[VIGIL_AUDIT_HASH_LEN];
	int content_ok, link_ok;

	res->entries++;
	if (r->seq < c->expect) {
		/* Only a rebuilt table without its primary key can hold
		 * this: a number seen already, or one below 1. */
		res->first_bad_seq = r->seq < 1 ? 1 : r->seq;
		say(res->reason, sizeof res->reason, "entry %lld appears "
		    "%s (inserted)", (long long)r->seq, r->seq < 1 ?
		    "with a sequence number below 1" : "more than once");
		return 1;
	}
	if (r->seq > c->expect) {
		long long e = (long long)c->expect, s = (long long)r->seq;

		res->first_bad_seq = c->expect;
		if (s == e + 1)
			say(res->reason, sizeof res->reason, "entry %lld "
			    "missing: sequence jumps from %lld to %lld "
			    "(deleted)", e, e - 1, s);
		else
			say(res->reason, sizeof res->reason, "entries %lld to "
			    "%lld missing: sequence jumps from %lld to %lld "
			    "(deleted)", e, s - 1, e - 1, s);
		return 1;
	}
	if (!r->malformed && audit_hash(r->prev_hash, r->seq, &r->ev, h) != 0) {
		c->rc = VIGIL_ENOMEM;
		return 1;
	}
	content_ok = !r->malformed && memcmp(h, r->hash, sizeof h) == 0;
	link_ok = memcmp(r->prev_hash, c->head, sizeof c->head) == 0;
	if (content_ok && link_ok) {
		memcpy(c->link, r->prev_hash, sizeof c->link);
		memcpy(c->head, r->hash, sizeof c->head);
		c->expect++;
		return 0;
	}
	c->broken = 1;
	c->brk.malformed = r->malformed;
	c->brk.content_ok = content_ok;
	c->brk.link_ok = link_ok;
	memcpy(c->brk.head, c->head, sizeof c->head);
	memcpy(c->brk.link, c->link, sizeof c->link);
	c->rc = audit_entry_from_row(&c->brk.e, r);
	return 1;
}

struct ckpts {
	struct vigil_store *st;
	const uint8_t *pub;          /* NULL: signatures not checked */
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN];
	struct vigil_audit_verify_result *res;
	int64_t last_seq;            /* last entry in the log */
	int64_t last_good;           /* last checkpoint that held */
	int64_t bad;                 /* first failing checkpoint's bad seq */
	char reason[sizeof ((struct vigil_audit_verify_result *)0)->reason];
	enum vigil_err rc;
};

struct one_hash {
	int have;
	int malformed;
	uint8_t hash[VIGIL_AUDIT_HASH_LEN];
};

static int
take_hash(void *ctx, const struct store_audit_row *r)
{
	struct one_hash *o = ctx;

	o->have = 1;
	o->malformed = r->malformed;
	memcpy(o->hash, r->hash, sizeof o->hash);
	return 1;
}

static void
hex8(const uint8_t id[VIGIL_AUDIT_KEYID_LEN], char out[17])
{
	if (vigil_hex_encode(id, VIGIL_AUDIT_KEYID_LEN, out, 17) != VIGIL_OK)
		out[0] = '\0';
}

/* Checks one checkpoint; returns 1 (stop) at the first that fails:
 * checkpoints come in sequence order, so it is also the earliest. */
static int
ckpt_row(void *ctx, const struct store_audit_ckpt *cp)
{
	struct ckpts *k = ctx;
	uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN];
	struct one_hash e;
	long long c = (long long)cp->seq;
	enum vigil_err rc;
	int v;

	k->res->last_checkpoint_seq = cp->seq;
	if (cp->malformed || cp->seq < 1) {
		k->bad = cp->seq < 1 ? 1 : cp->seq;
		say(k->reason, sizeof k->reason, "checkpoint %lld: a column "
		    "has the wrong type or size (modified)", c);
		return 1;
	}
	if (cp->seq > k->last_seq) {
		k->bad = k->last_seq + 1;
		say(k->reason, sizeof k->reason, "log ends at %lld but "
		    "checkpoint %lld was signed (truncated)",
		    (long long)k->last_seq, c);
		return 1;
	}
	if (k->pub != NULL) {
		if (memcmp(cp->keyid, k->keyid, sizeof k->keyid) != 0) {
			char got[17], want[17];

			hex8(cp->keyid, got);
			hex8(k->keyid, want);
			k->bad = cp->seq;
			say(k->reason, sizeof k->reason, "checkpoint %lld: "
			    "signed by key id %s, not by the verifying key %s "
			    "(unknown key)", c, got, want);
			return 1;
		}
		vigil_audit_checkpoint_msg(cp->seq, cp->head, msg);
		if ((v = audit_sig_verify(k->pub, msg, cp->sig)) < 0) {
			k->rc = VIGIL_ENOMEM;
			return 1;
		}
		if (v == 0) {
			k->bad = cp->seq;
			say(k->reason, sizeof k->reason, "checkpoint %lld: bad "
			    "signature", c);
			return 1;
		}
		k->res->checkpoints++;
	}
	memset(&e, 0, sizeof e);
	rc = store_audit(k->st)->get(k->st, cp->seq, take_hash, &e);
	if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND) {
		k->rc = rc;
		return 1;
	}
	if (!e.have) {
		k->bad = cp->seq;
		say(k->reason, sizeof k->reason, "checkpoint %lld: entry %lld "
		    "is missing (deleted)", c, c);
		return 1;
	}
	if (e.malformed || memcmp(e.hash, cp->head, sizeof e.hash) != 0) {
		k->bad = cp->seq;
		say(k->reason, sizeof k->reason, "checkpoint %lld: the signed "
		    "head differs from entry %lld's hash: entries %lld to %lld "
		    "were rewritten (modified)", c, c,
		    (long long)k->last_good + 1, c);
		return 1;
	}
	k->last_good = cp->seq;
	return 0;
}

/* Drains the remaining checkpoints to learn the last one's number. */
static int
ckpt_count(void *ctx, const struct store_audit_ckpt *cp)
{
	struct vigil_audit_verify_result *res = ctx;

	res->last_checkpoint_seq = cp->seq;
	return 0;
}

static void
summary(struct vigil_audit_verify_result *res, int signed_checked)
{
	char tail[160] = "";

	if (res->last_seq > res->last_checkpoint_seq)
		say(tail, sizeof tail, "; entries %lld to %lld are not covered "
		    "by a checkpoint yet", (long long)res->last_checkpoint_seq +
		    1, (long long)res->last_seq);
	if (res->last_checkpoint_seq == 0)
		say(res->reason, sizeof res->reason, "%lld entries, chain "
		    "intact; no checkpoint yet%s", (long long)res->entries,
		    tail);
	else if (signed_checked)
		say(res->reason, sizeof res->reason, "%lld entries, chain "
		    "intact; %lld checkpoint%s verified, the last at %lld%s",
		    (long long)res->entries, (long long)res->checkpoints,
		    res->checkpoints == 1 ? "" : "s",
		    (long long)res->last_checkpoint_seq, tail);
	else
		say(res->reason, sizeof res->reason, "%lld entries, chain "
		    "intact; checkpoint heads match but their signatures were "
		    "not checked (no public key)%s", (long long)res->entries,
		    tail);
}

enum vigil_err
vigil_audit_verify(struct vigil_store *st,
    const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    struct vigil_audit_verify_result *res)
{
	const struct store_audit_ops *ops = store_audit(st);
	uint8_t lasthash[VIGIL_AUDIT_HASH_LEN];
	struct chain c;
	struct ckpts k;
	enum vigil_err rc;
	bool began;

	memset(res, 0, sizeof *res);
	store_clearerr(st);
	memset(&c, 0, sizeof c);
	memset(&k, 0, sizeof k);
	c.res = res;
	c.expect = 1;
	k.st = st;
	k.pub = pub;
	k.res = res;
	if (pub != NULL && audit_keyid(pub, k.keyid) != 0)
		return store_seterr(st, VIGIL_ENOMEM, "audit: cannot compute "
		    "the key id (OpenSSL)");
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return rc;
	if ((rc = ops->walk(st, 0, chain_row, &c)) != VIGIL_OK)
		goto out;
	if ((rc = c.rc) != VIGIL_OK) {
		store_seterr(st, rc, "audit: out of memory while verifying");
		goto out;
	}
	if (c.broken && (rc = audit_diagnose(st, &c.brk, res)) != VIGIL_OK)
		goto out;
	if ((rc = ops->head(st, &res->last_seq, lasthash)) != VIGIL_OK)
		goto out;
	k.last_seq = res->last_seq;
	if ((rc = ops->ckpt_walk(st, ckpt_row, &k)) != VIGIL_OK)
		goto out;
	if ((rc = k.rc) != VIGIL_OK) {
		store_seterr(st, rc, "audit: cannot check checkpoint %lld",
		    (long long)res->last_checkpoint_seq);
		goto out;
	}
	if (k.bad != 0 && (rc = ops->ckpt_walk(st, ckpt_count, res)) !=
	    VIGIL_OK)
		goto out;
	/* The earliest problem wins; on a tie the chain's own finding is
	 * the more precise one. */
	if (k.bad != 0 && (res->first_bad_seq == 0 ||
	    k.bad < res->first_bad_seq)) {
		res->first_bad_seq = k.bad;
		memcpy(res->reason, k.reason, sizeof res->reason);
	}
	if (res->first_bad_seq != 0) {
		res->ok = 0;
		rc = store_seterr(st, VIGIL_ETAMPER, "audit: %s", res->reason);
		goto out;
	}
	res->ok = 1;
	summary(res, pub != NULL);
	rc = VIGIL_OK;
out:
	store_read_end(st, began);
	audit_entry_clear(&c.brk.e);
	return rc;
}
