/*
 * SQLite backend of the IAM area: schema migration 4, the area's
 * statements (static text, bound parameters) and its operation table.
 * Scoped statements carry the tenant in their WHERE clause; the NULL
 * scope (platform) is a separate statement or an explicit "?2 IS NULL"
 * arm, so no query reaches another tenant's rows by accident.
 */
#include <string.h>

#include "sqlite_internal.h"
#include "store_iam.h"

const char *const store_sq_m4_iam[] = {
	/* tenant_id '' = platform scope (platform-admin and auditor only,
	 * enforced here as well as in C). Credentials live in the row but
	 * are selected only by IQ_SECRETS. The TOTP secret is a shared
	 * secret that must be read back to compute codes, so it is stored
	 * as is (see docs/iam.md); passwords only as argon2id PHC strings. */
	"CREATE TABLE iam_principals ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),"
	"  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	"  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 6),"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  password_hash TEXT,"
	"  totp_secret BLOB,"
	"  totp_pending BLOB,"
	"  totp_last_step INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  last_failure_ms INTEGER NOT NULL DEFAULT 0,"
	"  locked_until_ms INTEGER NOT NULL DEFAULT 0,"
	"  created_ms INTEGER NOT NULL,"
	"  last_login_ms INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (tenant_id, name),"
	"  UNIQUE (tenant_id, id),"
	"  CHECK (tenant_id <> '' OR role IN (1, 6)),"
	"  CHECK (tenant_id = '' OR role <> 1),"
	"  CHECK (kind = 1 OR (password_hash IS NULL AND totp_secret IS NULL))"
	") WITHOUT ROWID",

	/* hash = SHA-256 of the whole token text; the secret itself is
	 * never stored. The composite foreign key keeps a token in its
	 * principal's tenant and removes it with the principal. */
	"CREATE TABLE iam_tokens ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  principal_id TEXT NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 6),"
	"  label TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL,"
	"  expires_ms INTEGER NOT NULL CHECK (expires_ms > created_ms),"
	"  last_used_ms INTEGER NOT NULL DEFAULT 0,"
	"  last_ip TEXT NOT NULL DEFAULT '',"
	"  auth_ms INTEGER NOT NULL DEFAULT 0,"
	"  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	"  UNIQUE (tenant_id, id),"
	"  FOREIGN KEY (tenant_id, principal_id)"
	"    REFERENCES iam_principals (tenant_id, id) ON DELETE CASCADE"
	") WITHOUT ROWID",
	"CREATE INDEX iam_tokens_principal ON iam_tokens (principal_id, id)",

	/* Per source IP (IPv6 per /64), shared by every worker process. */
	"CREATE TABLE iam_ip_failures ("
	"  ip TEXT NOT NULL PRIMARY KEY,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  last_failure_ms INTEGER NOT NULL DEFAULT 0,"
	"  locked_until_ms INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID",
	"CREATE INDEX iam_ip_failures_age ON iam_ip_failures (last_failure_ms)",

	/* A deleted tenant takes its principals (and, by cascade, their
	 * tokens) with it: no orphan can log in to a tenant that a later
	 * one might reuse the id of. */
	"CREATE TRIGGER tenants_delete_iam AFTER DELETE ON tenants BEGIN"
	"  DELETE FROM iam_principals WHERE tenant_id = OLD.id;"
	"  END",
	NULL
};

#define P_COLS \
	"id, tenant_id, name, kind, role, disabled," \
	" password_hash IS NOT NULL, totp_secret IS NOT NULL, failures," \
	" locked_until_ms, created_ms, last_login_ms"
#define T_COLS \
	"id, principal_id, tenant_id, role, label, created_ms, expires_ms," \
	" last_used_ms, last_ip, auth_ms, revoked"
#define T_COLS_T \
	"t.id, t.principal_id, t.tenant_id, t.role, t.label, t.created_ms," \
	" t.expires_ms, t.last_used_ms, t.last_ip, t.auth_ms, t.revoked"
#define P_COLS_P \
	"p.id, p.tenant_id, p.name, p.kind, p.role, p.disabled," \
	" p.password_hash IS NOT NULL, p.totp_secret IS NOT NULL, p.failures," \
	" p.locked_until_ms, p.created_ms, p.last_login_ms"
#define P_NCOLS 12
#define T_NCOLS 11

enum iq {
	IQ_P_INSERT,
	IQ_P_GET_ID,
	IQ_P_GET_NAME,
	IQ_P_LIST_ALL,
	IQ_P_LIST_TENANT,
	IQ_P_SET_ROLE,
	IQ_P_SET_DISABLED,
	IQ_P_DELETE,
	IQ_P_ADMIN_COUNT,
	IQ_SECRETS,
	IQ_PASSWORD_SET,
	IQ_TOTP_PENDING,
	IQ_TOTP_ENABLE,
	IQ_TOTP_DISABLE,
	IQ_TOTP_STEP,
	IQ_P_COUNTER,
	IQ_P_LOGIN_OK,
	IQ_IP_GET,
	IQ_IP_PUT,
	IQ_IP_DELETE,
	IQ_IP_PURGE,
	IQ_T_INSERT,
	IQ_T_BY_HASH,
	IQ_T_GET,
	IQ_T_TOUCH,
	IQ_T_AUTH,
	IQ_T_LIST_ALL,
	IQ_T_LIST_TENANT,
	IQ_T_REVOKE,
	IQ_COUNT
};
_Static_assert(IQ_COUNT <= SQ_AREA_MAX_STMTS, "IAM statements fit the area");

static const char *const iam_sql[IQ_COUNT] = {
	[IQ_P_INSERT] = "INSERT INTO iam_principals (id, tenant_id, name,"
	    " kind, role, disabled, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[IQ_P_GET_ID] = "SELECT " P_COLS " FROM iam_principals"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[IQ_P_GET_NAME] = "SELECT " P_COLS " FROM iam_principals"
	    " WHERE tenant_id = ?1 AND name = ?2",
	[IQ_P_LIST_ALL] = "SELECT " P_COLS " FROM iam_principals"
	    " WHERE id > ?1 ORDER BY id LIMIT ?2",
	[IQ_P_LIST_TENANT] = "SELECT " P_COLS " FROM iam_principals"
	    " WHERE tenant_id = ?3 AND id > ?1 ORDER BY id LIMIT ?2",
	[IQ_P_SET_ROLE] = "UPDATE iam_principals SET role = ?3"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[IQ_P_SET_DISABLED] = "UPDATE iam_principals SET disabled = ?3"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[IQ_P_DELETE] = "DELETE FROM iam_principals"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[IQ_P_ADMIN_COUNT] = "SELECT count(*) FROM iam_principals"
	    " WHERE tenant_id = '' AND role = 1 AND disabled = 0",
	[IQ_SECRETS] = "SELECT password_hash, totp_secret, totp_pending,"
	    " totp_last_step, failures, last_failure_ms, locked_until_ms"
	    " FROM iam_principals WHERE id = ?1",
	[IQ_PASSWORD_SET] = "UPDATE iam_principals SET password_hash = ?2"
	    " WHERE id = ?1",
	[IQ_TOTP_PENDING] = "UPDATE iam_principals SET totp_pending = ?2"
	    " WHERE id = ?1",
	[IQ_TOTP_ENABLE] = "UPDATE iam_principals SET"
	    " totp_secret = totp_pending, totp_pending = NULL,"
	    " totp_last_step = ?3"
	    " WHERE id = ?1 AND totp_pending IS NOT NULL"
	    " AND totp_pending = ?2",
	[IQ_TOTP_DISABLE] = "UPDATE iam_principals SET totp_secret = NULL,"
	    " totp_pending = NULL, totp_last_step = 0 WHERE id = ?1",
	[IQ_TOTP_STEP] = "UPDATE iam_principals SET totp_last_step = ?2"
	    " WHERE id = ?1 AND totp_secret IS NOT NULL"
	    " AND totp_last_step < ?2",
	[IQ_P_COUNTER] = "UPDATE iam_principals SET failures = ?2,"
	    " last_failure_ms = ?3, locked_until_ms = ?4 WHERE id = ?1",
	[IQ_P_LOGIN_OK] = "UPDATE iam_principals SET failures = 0,"
	    " last_failure_ms = 0, locked_until_ms = 0,"
	    " last_login_ms = CASE WHEN ?2 > 0 THEN ?2 ELSE last_login_ms END"
	    " WHERE id = ?1",
	[IQ_IP_GET] = "SELECT failures, last_failure_ms, locked_until_ms"
	    " FROM iam_ip_failures WHERE ip = ?1",
	[IQ_IP_PUT] = "INSERT INTO iam_ip_failures (ip, failures,"
	    " last_failure_ms, locked_until_ms) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (ip) DO UPDATE SET failures = excluded.failures,"
	    " last_failure_ms = excluded.last_failure_ms,"
	    " locked_until_ms = excluded.locked_until_ms",
	[IQ_IP_DELETE] = "DELETE FROM iam_ip_failures WHERE ip = ?1",
	[IQ_IP_PURGE] = "DELETE FROM iam_ip_failures"
	    " WHERE last_failure_ms < ?1 AND locked_until_ms <= ?2",
	[IQ_T_INSERT] = "INSERT INTO iam_tokens (id, hash, principal_id,"
	    " tenant_id, role, label, created_ms, expires_ms, auth_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[IQ_T_BY_HASH] = "SELECT " T_COLS_T ", " P_COLS_P ", t.hash"
	    " FROM iam_tokens t JOIN iam_principals p ON p.id = t.principal_id"
	    " AND p.tenant_id = t.tenant_id WHERE t.hash = ?1",
	[IQ_T_GET] = "SELECT " T_COLS " FROM iam_tokens"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[IQ_T_TOUCH] = "UPDATE iam_tokens SET last_used_ms = ?2,"
	    " last_ip = ?3 WHERE id = ?1 AND last_used_ms <= ?2 - 1000",
	[IQ_T_AUTH] = "UPDATE iam_tokens SET auth_ms = ?2 WHERE id = ?1",
	[IQ_T_LIST_ALL] = "SELECT " T_COLS " FROM iam_tokens"
	    " WHERE (?3 IS NULL OR principal_id = ?3) AND id > ?1"
	    " ORDER BY id LIMIT ?2",
	[IQ_T_LIST_TENANT] = "SELECT " T_COLS " FROM iam_tokens"
	    " WHERE tenant_id = ?4 AND (?3 IS NULL OR principal_id = ?3)"
	    " AND id > ?1 ORDER BY id LIMIT ?2",
	[IQ_T_REVOKE] = "UPDATE iam_tokens SET revoked = 1"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
};

static sqlite3_stmt *
stmt(struct vigil_store *st, enum iq id)
{
	return store_sq_area_stmt(st, SQ_AREA_IAM, (int)id, iam_sql);
}

/* ------------------------------------------------------------------ */
/* Row readers. */

static void
read_principal(sqlite3_stmt *s, int c, struct vigil_principal *p)
{
	memset(p, 0, sizeof *p);
	store_sq_col_copy(s, c + 0, p->id, sizeof p->id);
	store_sq_col_copy(s, c + 1, p->tenant_id, sizeof p->tenant_id);
	store_sq_col_copy(s, c + 2, p->name, sizeof p->name);
	p->kind = (enum vigil_principal_kind)sqlite3_column_int(s, c + 3);
	p->role = (enum vigil_role)sqlite3_column_int(s, c + 4);
	p->disabled = sqlite3_column_int(s, c + 5);
	p->has_password = sqlite3_column_int(s, c + 6);
	p->totp_enabled = sqlite3_column_int(s, c + 7);
	p->failures = (uint32_t)sqlite3_column_int64(s, c + 8);
	p->locked_until_ms = sqlite3_column_int64(s, c + 9);
	p->created_ms = sqlite3_column_int64(s, c + 10);
	p->last_login_ms = sqlite3_column_int64(s, c + 11);
}

static void
read_token(sqlite3_stmt *s, int c, struct vigil_token_info *t)
{
	memset(t, 0, sizeof *t);
	store_sq_col_copy(s, c + 0, t->id, sizeof t->id);
	store_sq_col_copy(s, c + 1, t->principal_id, sizeof t->principal_id);
	store_sq_col_copy(s, c + 2, t->tenant_id, sizeof t->tenant_id);
	t->role = (enum vigil_role)sqlite3_column_int(s, c + 3);
	store_sq_col_copy(s, c + 4, t->label, sizeof t->label);
	t->created_ms = sqlite3_column_int64(s, c + 5);
	t->expires_ms = sqlite3_column_int64(s, c + 6);
	t->last_used_ms = sqlite3_column_int64(s, c + 7);
	store_sq_col_copy(s, c + 8, t->last_ip, sizeof t->last_ip);
	t->auth_ms = sqlite3_column_int64(s, c + 9);
	t->revoked = sqlite3_column_int(s, c + 10);
}

/* store_sq_read_fn forms of the two, for rows that hold one record. */
static void
principal_row(sqlite3_stmt *s, void *dst)
{
	read_principal(s, 0, dst);
}

static void
token_row(sqlite3_stmt *s, void *dst)
{
	read_token(s, 0, dst);
}

/* Copies a BLOB column of 1 to cap bytes into dst. Returns its length,
 * 0 for NULL, -1 for a value of another length or type (never
 * trusted: a TOTP secret that cannot be read must not turn TOTP off). */
static int
col_blob(sqlite3_stmt *s, int i, uint8_t *dst, size_t cap)
{
	const void *b;
	size_t n;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	if (sqlite3_column_type(s, i) != SQLITE_BLOB)
		return -1;
	b = sqlite3_column_blob(s, i);
	n = (size_t)sqlite3_column_bytes(s, i);
	if (b == NULL || n == 0 || n > cap)
		return -1;
	memcpy(dst, b, n);
	return (int)n;
}

/* Runs a scoped single-row UPDATE/DELETE; ENOTFOUND when no row. */
static enum vigil_err
run_changed(struct vigil_store *st, sqlite3_stmt *s, const char *what,
    const char *kind, const char *id)
{
	int changes;
	enum vigil_err rc = store_sq_run_changes(st, s, what, &changes);

	if (rc == VIGIL_OK && changes == 0)
		return store_seterr(st, VIGIL_ENOTFOUND, "%s %s: not found",
		    kind, id);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Principals. */

static enum vigil_err
sq_principal_insert(struct vigil_store *st, const struct vigil_principal *p)
{
	sqlite3_stmt *s = stmt(st, IQ_P_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, p->id);
	store_sq_bind_text(s, 2, p->tenant_id);
	store_sq_bind_text(s, 3, p->name);
	sqlite3_bind_int(s, 4, (int)p->kind);
	sqlite3_bind_int(s, 5, (int)p->role);
	sqlite3_bind_int(s, 6, p->disabled ? 1 : 0);
	sqlite3_bind_int64(s, 7, p->created_ms);
	rc = store_sq_run(st, s, "insert principal");
	if (rc == VIGIL_EEXIST)
		return store_seterr(st, rc, "principal %s: name already taken "
		    "in %s", p->name, p->tenant_id[0] == '\0' ?
		    "the platform scope" : "this tenant");
	return rc;
}

static enum vigil_err
get_one(struct vigil_store *st, sqlite3_stmt *s, const char *what,
    const char *key, struct vigil_principal *out)
{
	enum vigil_err rc = store_sq_step_one(st, s, principal_row, out, what);

	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "principal %s: not found", key);
	return rc;
}

static enum vigil_err
sq_principal_get_id(struct vigil_store *st, const char *scope,
    const char *id, struct vigil_principal *out)
{
	sqlite3_stmt *s = stmt(st, IQ_P_GET_ID);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	return get_one(st, s, "read principal", id, out);
}

static enum vigil_err
sq_principal_get_name(struct vigil_store *st, const char *tenant_id,
    const char *name, struct vigil_principal *out)
{
	sqlite3_stmt *s = stmt(st, IQ_P_GET_NAME);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id != NULL ? tenant_id : "");
	store_sq_bind_text(s, 2, name);
	return get_one(st, s, "read principal", name, out);
}

static enum vigil_err
sq_principal_list(struct vigil_store *st, const char *scope,
    const char *after, size_t limit, struct vigil_principal **out, size_t *n)
{
	sqlite3_stmt *s = stmt(st, scope == NULL ? IQ_P_LIST_ALL :
	    IQ_P_LIST_TENANT);
	void *arr;
	enum vigil_err rc;

	if (s != NULL && scope != NULL)
		store_sq_bind_text(s, 3, scope);
	rc = store_sq_page(st, s, after, limit, sizeof **out, principal_row,
	    &arr, n, "list principals");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_principal_set_role(struct vigil_store *st, const char *scope,
    const char *id, enum vigil_role role)
{
	sqlite3_stmt *s = stmt(st, IQ_P_SET_ROLE);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	sqlite3_bind_int(s, 3, (int)role);
	return run_changed(st, s, "set principal role", "principal", id);
}

static enum vigil_err
sq_principal_set_disabled(struct vigil_store *st, const char *scope,
    const char *id, int disabled)
{
	sqlite3_stmt *s = stmt(st, IQ_P_SET_DISABLED);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	sqlite3_bind_int(s, 3, disabled ? 1 : 0);
	return run_changed(st, s, "disable principal", "principal", id);
}

static enum vigil_err
sq_principal_delete(struct vigil_store *st, const char *scope,
    const char *id)
{
	sqlite3_stmt *s = stmt(st, IQ_P_DELETE);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	return run_changed(st, s, "delete principal", "principal", id);
}

static enum vigil_err
sq_platform_admin_count(struct vigil_store *st, uint64_t *n)
{
	sqlite3_stmt *s = stmt(st, IQ_P_ADMIN_COUNT);
	int64_t v = 0;
	enum vigil_err rc;

	*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	/* count(*) always has its row. */
	rc = store_sq_step_one(st, s, store_sq_read_int64, &v, "count admins");
	*n = (uint64_t)v;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Credentials. */

/* The credentials row, and whether a TOTP blob was unreadable. */
struct secrets_row {
	struct store_iam_secrets *out;
	int malformed;
};

static void
read_secrets(sqlite3_stmt *s, void *dst)
{
	struct secrets_row *r = dst;
	struct store_iam_secrets *out = r->out;
	int tl, pl;

	store_sq_col_copy(s, 0, out->password_hash, sizeof out->password_hash);
	tl = col_blob(s, 1, out->totp_secret, sizeof out->totp_secret);
	pl = col_blob(s, 2, out->totp_pending, sizeof out->totp_pending);
	out->totp_len = tl > 0 ? (size_t)tl : 0;
	out->pending_len = pl > 0 ? (size_t)pl : 0;
	out->totp_last_step = sqlite3_column_int64(s, 3);
	out->counter.failures = (uint32_t)sqlite3_column_int64(s, 4);
	out->counter.last_failure_ms = sqlite3_column_int64(s, 5);
	out->counter.locked_until_ms = sqlite3_column_int64(s, 6);
	r->malformed = tl < 0 || pl < 0;
}

static enum vigil_err
sq_secrets_get(struct vigil_store *st, const char *id,
    struct store_iam_secrets *out)
{
	sqlite3_stmt *s = stmt(st, IQ_SECRETS);
	struct secrets_row r = { out, 0 };
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	rc = store_sq_step_one(st, s, read_secrets, &r, "read credentials");
	if (rc == VIGIL_OK && r.malformed)
		return store_seterr(st, VIGIL_ESTORE, "principal %s: stored "
		    "TOTP secret is malformed", id);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "principal %s: not found", id);
	return rc;
}

static enum vigil_err
sq_password_set(struct vigil_store *st, const char *id, const char *phc)
{
	sqlite3_stmt *s = stmt(st, IQ_PASSWORD_SET);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	/* SQLITE_TRANSIENT: SQLite copies the hash; the caller wipes its
	 * buffer right after. */
	if (phc != NULL)
		sqlite3_bind_text(s, 2, phc, -1, SQLITE_TRANSIENT);
	return run_changed(st, s, "set password", "principal", id);
}

static enum vigil_err
sq_totp_set_pending(struct vigil_store *st, const char *id,
    const uint8_t *secret, size_t len)
{
	sqlite3_stmt *s = stmt(st, IQ_TOTP_PENDING);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_blob(s, 2, secret, (int)len, SQLITE_STATIC);
	rc = run_changed(st, s, "begin TOTP enrollment", "principal", id);
	sqlite3_clear_bindings(s);
	return rc;
}

static enum vigil_err
sq_totp_enable(struct vigil_store *st, const char *id,
    const uint8_t *pending, size_t len, int64_t last_step)
{
	sqlite3_stmt *s = stmt(st, IQ_TOTP_ENABLE);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_blob(s, 2, pending, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, last_step);
	rc = store_sq_run(st, s, "enable TOTP");
	sqlite3_clear_bindings(s);
	if (rc == VIGIL_OK && sqlite3_changes(store_sq_db(st)) == 0)
		return store_seterr(st, VIGIL_ESTATE, "principal %s: the TOTP "
		    "enrollment changed while it was confirmed; start again",
		    id);
	return rc;
}

static enum vigil_err
sq_totp_disable(struct vigil_store *st, const char *id)
{
	sqlite3_stmt *s = stmt(st, IQ_TOTP_DISABLE);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	return run_changed(st, s, "disable TOTP", "principal", id);
}

static enum vigil_err
sq_totp_use_step(struct vigil_store *st, const char *id, int64_t step,
    int *accepted)
{
	sqlite3_stmt *s = stmt(st, IQ_TOTP_STEP);
	enum vigil_err rc;
	int changes;

	*accepted = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, step);
	rc = store_sq_run_changes(st, s, "record TOTP step", &changes);
	*accepted = changes == 1;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Failure counters. */

static enum vigil_err
sq_principal_counter_set(struct vigil_store *st, const char *id,
    const struct store_iam_counter *c)
{
	sqlite3_stmt *s = stmt(st, IQ_P_COUNTER);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, c->failures);
	sqlite3_bind_int64(s, 3, c->last_failure_ms);
	sqlite3_bind_int64(s, 4, c->locked_until_ms);
	return run_changed(st, s, "record login failure", "principal", id);
}

static enum vigil_err
sq_principal_login_ok(struct vigil_store *st, const char *id,
    int64_t last_login_ms)
{
	sqlite3_stmt *s = stmt(st, IQ_P_LOGIN_OK);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, last_login_ms);
	return run_changed(st, s, "record login", "principal", id);
}

static void
read_counter(sqlite3_stmt *s, void *dst)
{
	struct store_iam_counter *c = dst;

	c->failures = (uint32_t)sqlite3_column_int64(s, 0);
	c->last_failure_ms = sqlite3_column_int64(s, 1);
	c->locked_until_ms = sqlite3_column_int64(s, 2);
}

static enum vigil_err
sq_ip_counter_get(struct vigil_store *st, const char *key,
    struct store_iam_counter *out)
{
	sqlite3_stmt *s = stmt(st, IQ_IP_GET);
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, key);
	rc = store_sq_step_one(st, s, read_counter, out,
	    "read IP failure counter");
	/* No row: no failures recorded for this address. */
	return rc == VIGIL_ENOTFOUND ? VIGIL_OK : rc;
}

static enum vigil_err
sq_ip_counter_set(struct vigil_store *st, const char *key,
    const struct store_iam_counter *c)
{
	sqlite3_stmt *s;

	if (c->failures == 0 && c->locked_until_ms == 0) {
		if ((s = stmt(st, IQ_IP_DELETE)) == NULL)
			return VIGIL_ESTORE;
		store_sq_bind_text(s, 1, key);
		return store_sq_run(st, s, "clear IP failure counter");
	}
	if ((s = stmt(st, IQ_IP_PUT)) == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, c->failures);
	sqlite3_bind_int64(s, 3, c->last_failure_ms);
	sqlite3_bind_int64(s, 4, c->locked_until_ms);
	return store_sq_run(st, s, "record IP failure");
}

static enum vigil_err
sq_ip_counter_purge(struct vigil_store *st, int64_t before_ms,
    int64_t now_ms)
{
	sqlite3_stmt *s = stmt(st, IQ_IP_PURGE);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, before_ms);
	sqlite3_bind_int64(s, 2, now_ms);
	return store_sq_run(st, s, "purge IP failure counters");
}

/* ------------------------------------------------------------------ */
/* Tokens. */

static enum vigil_err
sq_token_insert(struct vigil_store *st, const struct vigil_token_info *t,
    const uint8_t hash[32])
{
	sqlite3_stmt *s = stmt(st, IQ_T_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, t->id);
	sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
	store_sq_bind_text(s, 3, t->principal_id);
	store_sq_bind_text(s, 4, t->tenant_id);
	sqlite3_bind_int(s, 5, (int)t->role);
	store_sq_bind_text(s, 6, t->label);
	sqlite3_bind_int64(s, 7, t->created_ms);
	sqlite3_bind_int64(s, 8, t->expires_ms);
	sqlite3_bind_int64(s, 9, t->auth_ms);
	rc = store_sq_run(st, s, "insert token");
	sqlite3_clear_bindings(s);
	return rc;
}

/* A token joined with its principal, and the stored hash. */
struct auth_row {
	struct vigil_auth *out;
	uint8_t *hash;
};

static void
read_auth(sqlite3_stmt *s, void *dst)
{
	struct auth_row *r = dst;

	read_token(s, 0, &r->out->token);
	read_principal(s, T_NCOLS, &r->out->principal);
	if (col_blob(s, T_NCOLS + P_NCOLS, r->hash, 32) != 32)
		memset(r->hash, 0, 32);
}

static enum vigil_err
sq_token_by_hash(struct vigil_store *st, const uint8_t hash[32],
    struct vigil_auth *out, uint8_t hash_out[32])
{
	sqlite3_stmt *s = stmt(st, IQ_T_BY_HASH);
	struct auth_row r = { out, hash_out };
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	memset(hash_out, 0, 32);
	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	rc = store_sq_step_one(st, s, read_auth, &r, "read token");
	sqlite3_clear_bindings(s);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "unknown token");
	return rc;
}

static enum vigil_err
sq_token_get(struct vigil_store *st, const char *scope, const char *id,
    struct vigil_token_info *out)
{
	sqlite3_stmt *s = stmt(st, IQ_T_GET);
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	rc = store_sq_step_one(st, s, token_row, out, "read token");
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "token %s: not found", id);
	return rc;
}

static enum vigil_err
sq_token_touch(struct vigil_store *st, const char *id, int64_t now_ms,
    const char *ip)
{
	sqlite3_stmt *s = stmt(st, IQ_T_TOUCH);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now_ms);
	store_sq_bind_text(s, 3, ip != NULL ? ip : "");
	return store_sq_run(st, s, "record token use");
}

static enum vigil_err
sq_token_set_auth(struct vigil_store *st, const char *id, int64_t auth_ms)
{
	sqlite3_stmt *s = stmt(st, IQ_T_AUTH);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, auth_ms);
	return run_changed(st, s, "record re-authentication", "token", id);
}

static enum vigil_err
sq_token_list(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *after, size_t limit,
    struct vigil_token_info **out, size_t *n)
{
	sqlite3_stmt *s = stmt(st, scope == NULL ? IQ_T_LIST_ALL :
	    IQ_T_LIST_TENANT);
	void *arr;
	enum vigil_err rc;

	if (s != NULL) {
		store_sq_bind_text(s, 3, principal_id);
		if (scope != NULL)
			store_sq_bind_text(s, 4, scope);
	}
	rc = store_sq_page(st, s, after, limit, sizeof **out, token_row, &arr,
	    n, "list tokens");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_token_revoke(struct vigil_store *st, const char *scope, const char *id)
{
	sqlite3_stmt *s = stmt(st, IQ_T_REVOKE);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	return run_changed(st, s, "revoke token", "token", id);
}

const struct store_iam_ops store_sq_iam_ops = {
	.principal_insert = sq_principal_insert,
	.principal_get_id = sq_principal_get_id,
	.principal_get_name = sq_principal_get_name,
	.principal_list = sq_principal_list,
	.principal_set_role = sq_principal_set_role,
	.principal_set_disabled = sq_principal_set_disabled,
	.principal_delete = sq_principal_delete,
	.platform_admin_count = sq_platform_admin_count,
	.secrets_get = sq_secrets_get,
	.password_set = sq_password_set,
	.totp_set_pending = sq_totp_set_pending,
	.totp_enable = sq_totp_enable,
	.totp_disable = sq_totp_disable,
	.totp_use_step = sq_totp_use_step,
	.principal_counter_set = sq_principal_counter_set,
	.principal_login_ok = sq_principal_login_ok,
	.ip_counter_get = sq_ip_counter_get,
	.ip_counter_set = sq_ip_counter_set,
	.ip_counter_purge = sq_ip_counter_purge,
	.token_insert = sq_token_insert,
	.token_by_hash = sq_token_by_hash,
	.token_get = sq_token_get,
	.token_touch = sq_token_touch,
	.token_set_auth = sq_token_set_auth,
	.token_list = sq_token_list,
	.token_revoke = sq_token_revoke,
};
