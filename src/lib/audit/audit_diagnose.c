/*
 * Explaining a broken audit chain. The verification walk stops at the
 * first entry that fails its own checks; this file works out what kind
 * of tampering produces exactly that picture, so that `vigil audit
 * verify` can say "entries 5 and 9 are swapped" instead of only "entry
 * 5 is bad", and names the first sequence number that cannot be
 * trusted. Each test below is a re-hash of a stored entry under another
 * sequence number or a lookup of one more entry; the only scan (for the
 * entry that follows the last good one) runs once, so memory stays
 * constant. docs/audit.md lists the cases.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

/* How far a renumbered entry is searched for: deletions or insertions
 * of up to this many entries in one place are named precisely; larger
 * ones still fail, with a plainer reason. */
#define SHIFT_MAX 64

/* Copy of one entry found by a lookup. */
struct found {
	int have;
	struct vigil_audit_entry e;
	int malformed;
	enum vigil_err rc;
};

static int
take(void *ctx, const struct store_audit_row *r)
{
	struct found *f = ctx;

	f->rc = audit_entry_from_row(&f->e, r);
	f->malformed = r->malformed;
	f->have = f->rc == VIGIL_OK;
	return 1;
}

/* True when entry e, stored with its prev_hash and hash, is the entry
 * that was written as number seq. */
static int
valid_as(const struct vigil_audit_entry *e, int malformed, int64_t seq)
{
	struct vigil_audit_event ev;
	uint8_t h[VIGIL_AUDIT_HASH_LEN];

	if (malformed || seq < 1)
		return 0;
	audit_event_view(e, &ev);
	if (audit_hash(e->prev_hash, seq, &ev, h) != 0)
		return 0;
	return memcmp(h, e->hash, sizeof h) == 0;
}

static enum vigil_err
get_entry(struct vigil_store *st, int64_t seq, struct found *f)
{
	enum vigil_err rc;

	memset(f, 0, sizeof *f);
	rc = store_audit(st)->get(st, seq, take, f);
	if (rc == VIGIL_ENOTFOUND)
		return VIGIL_OK;
	return rc != VIGIL_OK ? rc : f->rc;
}

static enum vigil_err
find_after(struct vigil_store *st, const uint8_t head[VIGIL_AUDIT_HASH_LEN],
    struct found *f)
{
	enum vigil_err rc;

	memset(f, 0, sizeof *f);
	rc = store_audit(st)->find_prev(st, head, take, f);
	if (rc == VIGIL_ENOTFOUND)
		return VIGIL_OK;
	return rc != VIGIL_OK ? rc : f->rc;
}

static void
verdict(struct vigil_audit_verify_result *res, int64_t seq, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
verdict(struct vigil_audit_verify_result *res, int64_t seq, const char *fmt,
    ...)
{
	va_list ap;

	res->ok = 0;
	res->first_bad_seq = seq;
	va_start(ap, fmt);
	if (vsnprintf(res->reason, sizeof res->reason, fmt, ap) < 0)
		res->reason[0] = '\0';
	va_end(ap);
}

/* Does the entry after s link straight to entry s-1? Then the entry at
 * s was slipped in between. */
static enum vigil_err
next_skips(struct vigil_store *st, const struct audit_break *b, int *skips)
{
	struct found n;
	enum vigil_err rc;

	*skips = 0;
	if ((rc = get_entry(st, b->e.seq + 1, &n)) != VIGIL_OK)
		return rc;
	if (n.have && !n.malformed &&
	    memcmp(n.e.prev_hash, b->head, VIGIL_AUDIT_HASH_LEN) == 0)
		*skips = 1;
	audit_entry_clear(&n.e);
	return VIGIL_OK;
}

/* Neither hash nor link: the entry at s is not the entry written as s.
 * Find where the original went, or what this one originally was. */
static enum vigil_err
misplaced(struct vigil_store *st, const struct audit_break *b,
    struct vigil_audit_verify_result *res)
{
	long long s = (long long)b->e.seq;
	struct found x;
	enum vigil_err rc;

	if ((rc = find_after(st, b->head, &x)) != VIGIL_OK)
		return rc;
	if (x.have && x.e.seq != b->e.seq &&
	    valid_as(&x.e, x.malformed, b->e.seq)) {
		long long t = (long long)x.e.seq;

		if (valid_as(&b->e, b->malformed, x.e.seq))
			verdict(res, b->e.seq, "entries %lld and %lld are "
			    "swapped (reordered)", s, t);
		else if (t > s)
			verdict(res, b->e.seq, "entry %lld was inserted: the "
			    "original entry %lld now sits at %lld (inserted)",
			    s, s, t);
		else
			verdict(res, b->e.seq, "entry %lld was moved: the "
			    "original entry %lld sits at %lld (reordered)",
			    s, s, t);
		audit_entry_clear(&x.e);
		return VIGIL_OK;
	}
	audit_entry_clear(&x.e);
	for (int64_t k = 1; k <= SHIFT_MAX; k++) {
		if (valid_as(&b->e, b->malformed, b->e.seq + k)) {
			if (k == 1)
				verdict(res, b->e.seq, "entry %lld missing: "
				    "entry %lld was renumbered to %lld "
				    "(deleted)", s, s + 1, s);
			else
				verdict(res, b->e.seq, "entries %lld to %lld "
				    "missing: entry %lld was renumbered to "
				    "%lld (deleted)", s, s + (long long)k - 1,
				    s + (long long)k, s);
			return VIGIL_OK;
		}
		if (b->e.seq - k >= 1 &&
		    valid_as(&b->e, b->malformed, b->e.seq - k)) {
			if (k == 1)
				verdict(res, b->e.seq - 1, "entry %lld was "
				    "inserted: the original entry %lld now "
				    "sits at %lld (inserted)", s - 1, s - 1,
				    s);
			else
				verdict(res, b->e.seq - k, "entries %lld to "
				    "%lld were inserted: the original entry "
				    "%lld now sits at %lld (inserted)",
				    s - (long long)k, s - 1,
				    s - (long long)k, s);
			return VIGIL_OK;
		}
	}
	verdict(res, b->e.seq, "entry %lld: hash does not match its content "
	    "and it does not link to entry %lld (replaced)", s, s - 1);
	return VIGIL_OK;
}

enum vigil_err
audit_diagnose(struct vigil_store *st, const struct audit_break *b,
    struct vigil_audit_verify_result *res)
{
	long long s = (long long)b->e.seq;
	enum vigil_err rc;
	int skips;

	if (!b->content_ok && !b->link_ok)
		return misplaced(st, b, res);
	if ((rc = next_skips(st, b, &skips)) != VIGIL_OK)
		return rc;
	if (skips) {
		verdict(res, b->e.seq, "entry %lld was inserted: entry %lld "
		    "links to entry %lld (inserted)", s, s + 1, s - 1);
		return VIGIL_OK;
	}
	if (!b->content_ok) {
		verdict(res, b->e.seq, "entry %lld: %s (modified)", s,
		    b->malformed ? "a column has the wrong type or size" :
		    "hash does not match its content");
		return VIGIL_OK;
	}
	/* Its own hash holds but it does not follow its predecessor. */
	if (b->e.seq == 1) {
		verdict(res, 1, "entry 1 does not start from the zero hash: "
		    "earlier entries were cut off (deleted)");
		return VIGIL_OK;
	}
	verdict(res, b->e.seq - 1, "entry %lld was rewritten: entry %lld does "
	    "not link to its hash (modified)", s - 1, s);
	return VIGIL_OK;
}
