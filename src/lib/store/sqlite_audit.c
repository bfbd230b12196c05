/*
 * SQLite backend of the audit area: schema migration 5, the area's
 * statements (static text, bound parameters only) and its operations.
 *
 * The tables are STRICT (a value of the wrong type is refused, not
 * converted) and append-only: triggers refuse UPDATE and DELETE, as for
 * device_history. An attacker holding the file can drop the triggers;
 * the hash chain and the signed checkpoints (src/lib/audit) are what
 * catch that. Reads therefore check each column's type and size and
 * flag a row that was forced into shape (store_audit_row.malformed).
 */
#include <string.h>

#include "sqlite_internal.h"
#include "store_audit.h"

const char *const store_sq_m5_audit[] = {
	/* seq is the rowid: appends go to the end of the B-tree. */
	"CREATE TABLE audit_entries ("
	"  seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
	"  at_ms INTEGER NOT NULL,"
	"  principal TEXT NOT NULL,"
	"  tenant_id TEXT NOT NULL,"               /* '' = platform */
	"  source_ip TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  privileged INTEGER NOT NULL CHECK (privileged IN (0, 1)),"
	"  detail TEXT NOT NULL,"
	"  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32)"
	") STRICT",
	/* A tenant's page of its own entries without a scan. */
	"CREATE INDEX audit_entries_tenant ON audit_entries (tenant_id, seq)",
	"CREATE TRIGGER audit_entries_no_update"
	"  BEFORE UPDATE ON audit_entries BEGIN"
	"  SELECT RAISE(ABORT, 'audit log is append-only');"
	"  END",
	"CREATE TRIGGER audit_entries_no_delete"
	"  BEFORE DELETE ON audit_entries BEGIN"
	"  SELECT RAISE(ABORT, 'audit log is append-only');"
	"  END",

	"CREATE TABLE audit_checkpoints ("
	"  seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
	"  head BLOB NOT NULL CHECK (length(head) = 32),"
	"  sig BLOB NOT NULL CHECK (length(sig) = 64),"
	"  keyid BLOB NOT NULL CHECK (length(keyid) = 8),"
	"  at_ms INTEGER NOT NULL"
	") STRICT",
	"CREATE TRIGGER audit_checkpoints_no_update"
	"  BEFORE UPDATE ON audit_checkpoints BEGIN"
	"  SELECT RAISE(ABORT, 'audit checkpoints are append-only');"
	"  END",
	"CREATE TRIGGER audit_checkpoints_no_delete"
	"  BEFORE DELETE ON audit_checkpoints BEGIN"
	"  SELECT RAISE(ABORT, 'audit checkpoints are append-only');"
	"  END",
	NULL
};

enum {
	A_HEAD,
	A_INSERT,
	A_GET,
	A_WALK,
	A_FIND_PREV,
	A_LIST_SCOPED,
	A_LIST_ALL,
	A_CKPT_INSERT,
	A_CKPT_LAST,
	A_CKPT_WALK,
	A_COUNT
};

#define A_COLS "seq, at_ms, principal, tenant_id, source_ip, action, " \
	"object, outcome, request_id, privileged, detail, prev_hash, hash"

/* The filters of struct vigil_audit_filter: ?2 after_seq, ?3 since
 * (0 = none), ?4 until (0 = none, exclusive), ?5 principal, ?6 action
 * (exact, or a prefix when it ends in '.'), ?7 outcome, ?8 limit (-1 =
 * none). No LIKE: a '%' or '_' in a filter is a plain character. */
#define A_FILTERS \
	" AND (?3 = 0 OR at_ms >= ?3) AND (?4 = 0 OR at_ms < ?4)" \
	" AND (?5 IS NULL OR principal = ?5)" \
	" AND (?6 IS NULL OR action = ?6 OR (substr(?6, -1) = '.'" \
	"   AND substr(action, 1, length(?6)) = ?6))" \
	" AND (?7 IS NULL OR outcome = ?7)" \
	" ORDER BY seq LIMIT ?8"

static const char *const a_sql[A_COUNT] = {
	[A_HEAD] = "SELECT seq, hash FROM audit_entries"
	    " ORDER BY seq DESC LIMIT 1",
	[A_INSERT] = "INSERT INTO audit_entries (" A_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[A_GET] = "SELECT " A_COLS " FROM audit_entries WHERE seq = ?1"
	    " ORDER BY rowid LIMIT 1",
	[A_WALK] = "SELECT " A_COLS " FROM audit_entries WHERE seq > ?1"
	    " ORDER BY seq, rowid",
	[A_FIND_PREV] = "SELECT " A_COLS " FROM audit_entries"
	    " WHERE prev_hash = ?1 ORDER BY seq LIMIT 1",
	[A_LIST_SCOPED] = "SELECT " A_COLS " FROM audit_entries"
	    " WHERE tenant_id = ?1 AND seq > ?2" A_FILTERS,
	[A_LIST_ALL] = "SELECT " A_COLS " FROM audit_entries"
	    " WHERE ?1 IS NULL AND seq > ?2" A_FILTERS,
	[A_CKPT_INSERT] = "INSERT INTO audit_checkpoints"
	    " (seq, head, sig, keyid, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (seq) DO NOTHING",
	[A_CKPT_LAST] = "SELECT seq, head, sig, keyid, at_ms"
	    " FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
	[A_CKPT_WALK] = "SELECT seq, head, sig, keyid, at_ms"
	    " FROM audit_checkpoints ORDER BY seq",
};

_Static_assert(A_COUNT <= SQ_AREA_MAX_STMTS, "audit statements fit");

static sqlite3_stmt *
stmt(struct vigil_store *st, int id)
{
	return store_sq_area_stmt(st, SQ_AREA_AUDIT, id, a_sql);
}

/* Copies a 32/64/8-byte blob column; false when it is not a blob of
 * exactly that size (dst is then zeros). */
static int
col_blob(sqlite3_stmt *s, int i, uint8_t *dst, size_t n)
{
	const void *p;

	memset(dst, 0, n);
	if (sqlite3_column_type(s, i) != SQLITE_BLOB ||
	    (size_t)sqlite3_column_bytes(s, i) != n)
		return 0;
	if ((p = sqlite3_column_blob(s, i)) == NULL)
		return 0;
	memcpy(dst, p, n);
	return 1;
}

/* Text column i, or "" with *bad set when it is not text. */
static const char *
col_text(sqlite3_stmt *s, int i, int *bad)
{
	const unsigned char *t;

	if (sqlite3_column_type(s, i) != SQLITE_TEXT ||
	    (t = sqlite3_column_text(s, i)) == NULL) {
		*bad = 1;
		return "";
	}
	/* An embedded NUL would cut the value short: hashing the C string
	 * would then miss the bytes after it. */
	if (strlen((const char *)t) != (size_t)sqlite3_column_bytes(s, i))
		*bad = 1;
	return (const char *)t;
}

static void
read_row(sqlite3_stmt *s, struct store_audit_row *r)
{
	int bad = 0;

	memset(r, 0, sizeof *r);
	if (sqlite3_column_type(s, 0) != SQLITE_INTEGER ||
	    sqlite3_column_type(s, 1) != SQLITE_INTEGER ||
	    sqlite3_column_type(s, 9) != SQLITE_INTEGER)
		bad = 1;
	r->seq = sqlite3_column_int64(s, 0);
	r->ev.at_ms = sqlite3_column_int64(s, 1);
	r->ev.principal = col_text(s, 2, &bad);
	r->ev.tenant_id = col_text(s, 3, &bad);
	r->ev.source_ip = col_text(s, 4, &bad);
	r->ev.action = col_text(s, 5, &bad);
	r->ev.object = col_text(s, 6, &bad);
	r->ev.outcome = col_text(s, 7, &bad);
	r->ev.request_id = col_text(s, 8, &bad);
	r->ev.privileged = (int)sqlite3_column_int64(s, 9);
	if (sqlite3_column_int64(s, 9) != 0 && sqlite3_column_int64(s, 9) != 1)
		bad = 1;
	r->ev.detail = col_text(s, 10, &bad);
	if (!col_blob(s, 11, r->prev_hash, sizeof r->prev_hash))
		bad = 1;
	if (!col_blob(s, 12, r->hash, sizeof r->hash))
		bad = 1;
	r->malformed = bad;
}

/* Steps s, handing each row to cb until it says stop or rows end. */
static enum vigil_err
each_row(struct vigil_store *st, sqlite3_stmt *s, store_audit_row_fn cb,
    void *ctx, int *nrows, const char *what)
{
	struct store_audit_row r;
	int rc;

	if (nrows != NULL)
		*nrows = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nrows != NULL)
			(*nrows)++;
		read_row(s, &r);
		if (cb(ctx, &r) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_sq_step_err(st, what);
	}
	sqlite3_reset(s);
	return VIGIL_OK;
}

/* The last entry's seq and hash. */
struct head_row {
	int64_t *seq;
	uint8_t *hash;
};

static void
read_head(sqlite3_stmt *s, void *dst)
{
	struct head_row *r = dst;

	*r->seq = sqlite3_column_int64(s, 0);
	col_blob(s, 1, r->hash, VIGIL_AUDIT_HASH_LEN);
}

static enum vigil_err
sq_head(struct vigil_store *st, int64_t *seq,
    uint8_t hash[VIGIL_AUDIT_HASH_LEN])
{
	sqlite3_stmt *s = stmt(st, A_HEAD);
	struct head_row r = { seq, hash };
	enum vigil_err rc;

	*seq = 0;
	memset(hash, 0, VIGIL_AUDIT_HASH_LEN);
	if (s == NULL)
		return VIGIL_ESTORE;
	rc = store_sq_step_one(st, s, read_head, &r, "read audit head");
	/* No row: an empty log, seq 0 and a zero hash. */
	return rc == VIGIL_ENOTFOUND ? VIGIL_OK : rc;
}

static enum vigil_err
sq_insert(struct vigil_store *st, const struct store_audit_row *r)
{
	sqlite3_stmt *s = stmt(st, A_INSERT);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, r->seq);
	sqlite3_bind_int64(s, 2, r->ev.at_ms);
	store_sq_bind_text(s, 3, r->ev.principal);
	store_sq_bind_text(s, 4, r->ev.tenant_id);
	store_sq_bind_text(s, 5, r->ev.source_ip);
	store_sq_bind_text(s, 6, r->ev.action);
	store_sq_bind_text(s, 7, r->ev.object);
	store_sq_bind_text(s, 8, r->ev.outcome);
	store_sq_bind_text(s, 9, r->ev.request_id);
	sqlite3_bind_int(s, 10, r->ev.privileged ? 1 : 0);
	store_sq_bind_text(s, 11, r->ev.detail);
	sqlite3_bind_blob(s, 12, r->prev_hash, VIGIL_AUDIT_HASH_LEN,
	    SQLITE_STATIC);
	sqlite3_bind_blob(s, 13, r->hash, VIGIL_AUDIT_HASH_LEN, SQLITE_STATIC);
	return store_sq_run(st, s, "append audit entry");
}

static enum vigil_err
sq_get(struct vigil_store *st, int64_t seq, store_audit_row_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, A_GET);
	enum vigil_err rc;
	int n;

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, seq);
	if ((rc = each_row(st, s, cb, ctx, &n, "read audit entry")) !=
	    VIGIL_OK)
		return rc;
	return n == 0 ? store_seterr(st, VIGIL_ENOTFOUND,
	    "audit: no entry %lld", (long long)seq) : VIGIL_OK;
}

static enum vigil_err
sq_walk(struct vigil_store *st, int64_t after_seq, store_audit_row_fn cb,
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, A_WALK);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, after_seq);
	return each_row(st, s, cb, ctx, NULL, "read audit log");
}

static enum vigil_err
sq_find_prev(struct vigil_store *st, const uint8_t prev[VIGIL_AUDIT_HASH_LEN],
    store_audit_row_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, A_FIND_PREV);
	enum vigil_err rc;
	int n;

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_blob(s, 1, prev, VIGIL_AUDIT_HASH_LEN, SQLITE_STATIC);
	if ((rc = each_row(st, s, cb, ctx, &n, "search audit log")) !=
	    VIGIL_OK)
		return rc;
	return n == 0 ? VIGIL_ENOTFOUND : VIGIL_OK;
}

static enum vigil_err
sq_list(struct vigil_store *st, const char *scope,
    const struct vigil_audit_filter *f, size_t limit, store_audit_row_fn cb,
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, scope != NULL ? A_LIST_SCOPED : A_LIST_ALL);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, scope);
	sqlite3_bind_int64(s, 2, f->after_seq);
	sqlite3_bind_int64(s, 3, f->since_ms);
	sqlite3_bind_int64(s, 4, f->until_ms);
	store_sq_bind_text(s, 5, f->principal);
	store_sq_bind_text(s, 6, f->action);
	store_sq_bind_text(s, 7, f->outcome);
	sqlite3_bind_int64(s, 8, limit == 0 || limit > INT64_MAX ? -1 :
	    (int64_t)limit);
	return each_row(st, s, cb, ctx, NULL, "list audit entries");
}

static enum vigil_err
sq_ckpt_insert(struct vigil_store *st, const struct store_audit_ckpt *c,
    int *inserted)
{
	sqlite3_stmt *s = stmt(st, A_CKPT_INSERT);
	enum vigil_err rc;
	int changes;

	*inserted = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, c->seq);
	sqlite3_bind_blob(s, 2, c->head, sizeof c->head, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, c->sig, sizeof c->sig, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, c->keyid, sizeof c->keyid, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, c->at_ms);
	rc = store_sq_run_changes(st, s, "store audit checkpoint", &changes);
	*inserted = changes > 0;
	return rc;
}

static void
read_ckpt(sqlite3_stmt *s, void *dst)
{
	struct store_audit_ckpt *c = dst;
	int ok = 1;

	memset(c, 0, sizeof *c);
	c->seq = sqlite3_column_int64(s, 0);
	ok &= col_blob(s, 1, c->head, sizeof c->head);
	ok &= col_blob(s, 2, c->sig, sizeof c->sig);
	ok &= col_blob(s, 3, c->keyid, sizeof c->keyid);
	c->at_ms = sqlite3_column_int64(s, 4);
	if (sqlite3_column_type(s, 0) != SQLITE_INTEGER)
		ok = 0;
	c->malformed = !ok;
}

static enum vigil_err
sq_ckpt_last(struct vigil_store *st, struct store_audit_ckpt *out)
{
	sqlite3_stmt *s = stmt(st, A_CKPT_LAST);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	/* VIGIL_ENOTFOUND, without a text, when there is none yet. */
	return store_sq_step_one(st, s, read_ckpt, out,
	    "read last audit checkpoint");
}

static enum vigil_err
sq_ckpt_walk(struct vigil_store *st, store_audit_ckpt_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, A_CKPT_WALK);
	struct store_audit_ckpt c;
	int rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_ckpt(s, &c);
		if (cb(ctx, &c) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_sq_step_err(st, "read audit checkpoints");
	}
	sqlite3_reset(s);
	return VIGIL_OK;
}

const struct store_audit_ops store_sq_audit_ops = {
	.head = sq_head,
	.insert = sq_insert,
	.get = sq_get,
	.walk = sq_walk,
	.find_prev = sq_find_prev,
	.list = sq_list,
	.ckpt_insert = sq_ckpt_insert,
	.ckpt_last = sq_ckpt_last,
	.ckpt_walk = sq_ckpt_walk,
};
