/*
 * SQLite backend: connection settings, the per-handle statement cache,
 * error mapping, transactions and the backend table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store_audit.h"
#include "store_iam.h"
#include "store_pki.h"

/* Page cache per connection (KiB, negative for SQLite). The inventory
 * indexes are keyed by random-looking identifiers; a larger cache keeps
 * bulk imports off the disk. */
#define SQ_CACHE_KIB 32768
#define SQ_DEFAULT_BUSY_MS 5000

enum vigil_err
store_sq_err(struct vigil_store *st, int rc, const char *what)
{
	sqlite3 *db = store_sq_db(st);
	const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	enum vigil_err code;

	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		code = VIGIL_EEXIST;
		break;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		code = VIGIL_EINVAL;
		break;
	case SQLITE_NOMEM:
		code = VIGIL_ENOMEM;
		break;
	default:
		switch (rc & 0xff) {
		case SQLITE_IOERR:
		case SQLITE_FULL:
		case SQLITE_CANTOPEN:
		case SQLITE_READONLY:
			code = VIGIL_EIO;
			break;
		default:
			code = VIGIL_ESTORE;
		}
	}
	return store_seterr(st, code, "store: %s: %s", what, msg);
}

sqlite3_stmt *
store_sq_stmt(struct vigil_store *st, enum sq_stmt id)
{
	struct store_sq *sq = st->impl;
	sqlite3_stmt *s = sq->stmt[id];
	int rc;

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(sq->db, store_sq_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		store_sq_err(st, rc, "prepare statement");
		return NULL;
	}
	sq->stmt[id] = s;
	return s;
}

sqlite3_stmt *
store_sq_area_stmt(struct vigil_store *st, enum sq_area area, int id,
    const char *const *sql)
{
	struct store_sq *sq = st->impl;
	sqlite3_stmt *s;
	int rc;

	if (id < 0 || id >= SQ_AREA_MAX_STMTS) {
		store_seterr(st, VIGIL_ESTORE, "store: statement %d out of range",
		    id);
		return NULL;
	}
	s = sq->area[area][id];
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(sq->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL);
	if (rc != SQLITE_OK) {
		store_sq_err(st, rc, "prepare statement");
		return NULL;
	}
	sq->area[area][id] = s;
	return s;
}

enum vigil_err
store_sq_run(struct vigil_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return VIGIL_OK;
	/* sqlite3_reset returns the same code; the extended one is kept by
	 * the connection. */
	return store_sq_step_err(st, what);
}

enum vigil_err
store_sq_step_err(struct vigil_store *st, const char *what)
{
	return store_sq_err(st, sqlite3_extended_errcode(store_sq_db(st)),
	    what);
}

void
store_sq_read_int64(sqlite3_stmt *s, void *dst)
{
	*(int64_t *)dst = sqlite3_column_int64(s, 0);
}

enum vigil_err
store_sq_step_one(struct vigil_store *st, sqlite3_stmt *s,
    store_sq_read_fn read, void *dst, const char *what)
{
	int rc = sqlite3_step(s);

	/* Read before the reset: it invalidates the row's values. */
	if (rc == SQLITE_ROW && read != NULL)
		read(s, dst);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return VIGIL_OK;
	if (rc == SQLITE_DONE)
		return VIGIL_ENOTFOUND;
	return store_sq_step_err(st, what);
}

enum vigil_err
store_sq_page(struct vigil_store *st, sqlite3_stmt *s, const char *after,
    size_t limit, size_t size, store_sq_read_fn read, void **out, size_t *n,
    const char *what)
{
	unsigned char *arr;
	int rc = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	if ((arr = calloc(limit ? limit : 1, size)) == NULL) {
		sqlite3_reset(s);
		return store_seterr(st, VIGIL_ENOMEM, "store: out of memory");
	}
	store_sq_bind_text(s, 1, after != NULL ? after : "");
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	/* Stop at limit without stepping again: the page is full. */
	while (*n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		read(s, arr + (*n)++ * size);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(arr);
		*n = 0;
		return store_sq_step_err(st, what);
	}
	*out = arr;
	return VIGIL_OK;
}

int
store_sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

char *
store_sq_col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	char *p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (t != NULL && n > 0)
		memcpy(p, t, n);
	p[n] = '\0';
	return p;
}

void
store_sq_col_copy(sqlite3_stmt *s, int i, char *dst, size_t dstsize)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	if (dstsize == 0)
		return;
	if (t == NULL)
		n = 0;
	if (n > dstsize - 1)
		n = dstsize - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

/* Settings that are not data: static text only. */
static enum vigil_err
configure(struct vigil_store *st, const char *path,
    const struct vigil_store_options *opt)
{
	static const char *const pragmas[] = {
		/* Refuse SQL functions with side effects inside triggers and
		 * views, and writes to the schema by ordinary statements. */
		"PRAGMA trusted_schema = OFF",
		"PRAGMA foreign_keys = ON",
		/* Savepoint journals in memory: per-row savepoints during
		 * bulk import must not touch the disk. */
		"PRAGMA temp_store = MEMORY",
		NULL
	};
	sqlite3 *db = store_sq_db(st);
	char *msg = NULL;
	char q[64];
	int rc;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, opt->busy_timeout_ms ?
	    (int)opt->busy_timeout_ms : SQ_DEFAULT_BUSY_MS);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	for (const char *const *p = pragmas; *p != NULL; p++)
		if ((rc = sqlite3_exec(db, *p, NULL, NULL, &msg)) != SQLITE_OK)
			goto fail;
	snprintf(q, sizeof q, "PRAGMA cache_size = -%d", SQ_CACHE_KIB);
	if ((rc = sqlite3_exec(db, q, NULL, NULL, &msg)) != SQLITE_OK)
		goto fail;
	if (!opt->read_only) {
		/* WAL: readers never block the writer. NORMAL is durable
		 * across application crashes, and consistent across power
		 * loss (the last transactions may be lost). */
		if ((rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL,
		    NULL, &msg)) != SQLITE_OK)
			goto fail;
		if ((rc = sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL,
		    NULL, &msg)) != SQLITE_OK)
			goto fail;
	}
	return VIGIL_OK;
fail:
	store_seterr(st, VIGIL_ESTORE, "store %s: cannot configure: %s", path,
	    msg != NULL ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return VIGIL_ESTORE;
}

static enum vigil_err
sq_open(struct vigil_store *st, const char *path,
    const struct vigil_store_options *opt)
{
	struct store_sq *sq;
	int flags, rc;
	enum vigil_err e;

	if ((sq = calloc(1, sizeof *sq)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "store %s: out of memory",
		    path);
	st->impl = sq;
	flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
	    (opt->read_only ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = sqlite3_open_v2(path, &sq->db, flags, NULL);
	if (rc != SQLITE_OK)
		return store_seterr(st, rc == SQLITE_NOMEM ? VIGIL_ENOMEM :
		    VIGIL_EIO, "store %s: cannot open: %s", path,
		    sq->db != NULL ? sqlite3_errmsg(sq->db) : sqlite3_errstr(rc));
	if ((e = configure(st, path, opt)) != VIGIL_OK)
		return e;
	return store_sq_migrate(st, path, opt->schema_version, opt->read_only);
}

static void
sq_close(struct vigil_store *st)
{
	struct store_sq *sq = st->impl;

	if (sq == NULL)
		return;
	for (int i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(sq->stmt[i]);
	for (int a = 0; a < SQ_AREA_COUNT; a++)
		for (int i = 0; i < SQ_AREA_MAX_STMTS; i++)
			sqlite3_finalize(sq->area[a][i]);
	sqlite3_close_v2(sq->db);
	free(sq);
	st->impl = NULL;
}

static enum vigil_err
sq_set_durability(struct vigil_store *st, int level)
{
	const char *q = level == 2 ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL";
	int rc = sqlite3_exec(store_sq_db(st), q, NULL, NULL, NULL);

	return rc == SQLITE_OK ? VIGIL_OK :
	    store_sq_err(st, rc, "set durability");
}

static enum vigil_err
tx_exec(struct vigil_store *st, enum sq_stmt id, const char *what)
{
	sqlite3_stmt *s = store_sq_stmt(st, id);

	if (s == NULL)
		return VIGIL_ESTORE;
	return store_sq_run(st, s, what);
}

static enum vigil_err
sq_tx_begin(struct vigil_store *st, int depth)
{
	if (depth == 1)
		return tx_exec(st, SQ_BEGIN, "begin transaction");
	return tx_exec(st, SQ_SAVEPOINT, "open savepoint");
}

static enum vigil_err
sq_tx_read_begin(struct vigil_store *st)
{
	return tx_exec(st, SQ_BEGIN_READ, "begin read");
}

static enum vigil_err
sq_tx_commit(struct vigil_store *st, int depth)
{
	if (depth == 1)
		return tx_exec(st, SQ_COMMIT, "commit");
	return tx_exec(st, SQ_RELEASE, "release savepoint");
}

static enum vigil_err
sq_tx_rollback(struct vigil_store *st, int depth)
{
	enum vigil_err rc;

	if (depth == 1) {
		/* SQLite may already have rolled back (e.g. after a full
		 * disk); then there is nothing to undo. */
		if (sqlite3_get_autocommit(store_sq_db(st)))
			return VIGIL_OK;
		return tx_exec(st, SQ_ROLLBACK, "rollback");
	}
	/* ROLLBACK TO keeps the savepoint open; RELEASE closes it. */
	if ((rc = tx_exec(st, SQ_ROLLBACK_TO, "roll back savepoint")) !=
	    VIGIL_OK)
		return rc;
	return tx_exec(st, SQ_RELEASE, "release savepoint");
}

const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = store_sq_schema_version,
	.set_durability = sq_set_durability,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.tx_rollback = sq_tx_rollback,
	.tx_read_begin = sq_tx_read_begin,
	.tenant_insert = store_sq_tenant_insert,
	.tenant_get_unscoped = store_sq_tenant_get,
	.tenant_list_unscoped = store_sq_tenant_list,
	.tenant_update = store_sq_tenant_update,
	.tenant_delete = store_sq_tenant_delete,
	.device_create = store_sq_device_create,
	.device_modify = store_sq_device_modify,
	.device_touch = store_sq_device_touch,
	.device_load = store_sq_device_load,
	.device_id_by_name = store_sq_device_id_by_name,
	.device_list = store_sq_device_list,
	.device_count = store_sq_device_count,
	.ident_find = store_sq_ident_find,
	.claim_owner = store_sq_claim_owner,
	.ident_type_max = store_sq_ident_type_max,
	.device_summary = store_sq_device_summary,
	.history_list = store_sq_history_list,
	.history_import_line = store_sq_history_import_line,
	.iam = &store_sq_iam_ops,
	.audit = &store_sq_audit_ops,
	.pki = &store_sq_pki_ops,
};
