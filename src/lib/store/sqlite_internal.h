/*
 * Private to the SQLite backend: connection state, the table of
 * prepared statements (every statement is static text with bound
 * parameters; no SQL is ever built from data) and small helpers.
 */
#ifndef VIGIL_STORE_SQLITE_INTERNAL_H
#define VIGIL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store_internal.h"

/* Statement ids; the text of each is in sqlite_sql.c. */
enum sq_stmt {
	SQ_BEGIN,
	SQ_BEGIN_READ,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_SCHEMA_VERSION,
	SQ_TENANT_INSERT,
	SQ_TENANT_GET,
	SQ_TENANT_LIST,
	SQ_TENANT_UPDATE,
	SQ_TENANT_HAS_DEVICES,
	SQ_TENANT_DELETE,
	SQ_DEVICE_INSERT,
	SQ_IDENT_INSERT,
	SQ_LABEL_UPSERT,
	SQ_HISTORY_INSERT,
	SQ_DEVICE_UPDATE,
	SQ_DEVICE_VERSION,
	SQ_IDENT_DELETE,
	SQ_LABEL_DELETE,
	SQ_DEVICE_TOUCH,
	SQ_DEVICE_GET,
	SQ_DEVICE_IDENTS,
	SQ_DEVICE_LABELS,
	SQ_DEVICE_BY_NAME,
	SQ_DEVICE_LIST,
	SQ_DEVICE_COUNT,
	SQ_IDENT_FIND,
	SQ_CLAIM_OWNER,
	SQ_IDENT_TYPE_MAX,
	SQ_SUMMARY_DEVICES,
	SQ_SUMMARY_IDENT_MIX,
	SQ_HISTORY_LIST,
	SQ_HISTORY_IMPORT_LINE,
	SQ_COUNT
};

extern const char *const store_sq_sql[SQ_COUNT];

/* Areas with their own statement tables (sqlite_iam.c, sqlite_audit.c):
 * each keeps its SQL next to its code and its prepared statements in
 * its own slot array here. */
enum sq_area {
	SQ_AREA_IAM,
	SQ_AREA_AUDIT,
	SQ_AREA_PKI,
	SQ_AREA_VULN,  /* sqlite_vuln.c: feeds, builds, scans */
	SQ_AREA_VULNQ, /* sqlite_vulnq.c: queries, products, CRA */
	SQ_AREA_ZT,    /* sqlite_zt.c: policies, attachments, generation */
	SQ_AREA_POSTURE, /* sqlite_posture.c: check-ins, baselines */
	SQ_AREA_NET,   /* sqlite_net.c: alerts, shadow, sessions, bindings */
	SQ_AREA_COUNT
};
#define SQ_AREA_MAX_STMTS 64

struct store_sq {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ_COUNT];
	sqlite3_stmt *area[SQ_AREA_COUNT][SQ_AREA_MAX_STMTS];
};

/* As store_sq_stmt for statement `id` (< SQ_AREA_MAX_STMTS) of an area
 * whose SQL text table is `sql` (static text, bound parameters only). */
sqlite3_stmt *store_sq_area_stmt(struct vigil_store *st, enum sq_area area,
    int id, const char *const *sql);

/* One numbered migration: statements run in order, in one transaction
 * with the version bump. */
struct store_sq_migration {
	int version;
	const char *what;
	const char *const *sql; /* NULL-terminated */
};
extern const struct store_sq_migration store_sq_migrations[];
/* Migrations kept beside their areas' SQL. */
extern const char *const store_sq_m4_iam[];   /* sqlite_iam.c */
extern const char *const store_sq_m5_audit[]; /* sqlite_audit.c */
extern const char *const store_sq_m6_pki[];   /* sqlite_pki.c */
extern const size_t store_sq_nmigrations;

static inline sqlite3 *
store_sq_db(struct vigil_store *st)
{
	return ((struct store_sq *)st->impl)->db;
}

/* The cached statement id, reset and with bindings cleared; NULL after
 * setting the error text when it cannot be prepared. */
sqlite3_stmt *store_sq_stmt(struct vigil_store *st, enum sq_stmt id);

/* Maps an SQLite result code to enum vigil_err and sets the error text
 * "store: <what>: <sqlite message>". */
enum vigil_err store_sq_err(struct vigil_store *st, int rc, const char *what);

/* Steps a statement that returns no rows, resets it; maps errors. */
enum vigil_err store_sq_run(struct vigil_store *st, sqlite3_stmt *s,
    const char *what);

/* store_sq_run that also gives how many rows the statement changed (0
 * when it failed): single-use flips, scoped deletes, bulk updates. */
static inline enum vigil_err
store_sq_run_changes(struct vigil_store *st, sqlite3_stmt *s,
    const char *what, int *changes)
{
	enum vigil_err rc = store_sq_run(st, s, what);

	*changes = rc == VIGIL_OK ? sqlite3_changes(store_sq_db(st)) : 0;
	return rc;
}

/* The mapped error of a step that just failed: store_sq_err with the
 * connection's extended result code. */
enum vigil_err store_sq_step_err(struct vigil_store *st, const char *what);

/* Copies the current row of s into dst (the area's own struct). */
typedef void (*store_sq_read_fn)(sqlite3_stmt *s, void *dst);
/* Reads column 0 as an int64_t (counts, versions, sequence numbers). */
void store_sq_read_int64(sqlite3_stmt *s, void *dst);

/* Single-row read: steps s once, copies the row with read(s, dst) when
 * there is one (read may be NULL: an existence check), then resets s.
 * VIGIL_ENOTFOUND without an error text when there is no row: the
 * caller names what is missing, or takes it as an empty result. */
enum vigil_err store_sq_step_one(struct vigil_store *st, sqlite3_stmt *s,
    store_sq_read_fn read, void *dst, const char *what);

/* Keyset page of a listing statement whose ?1 is the cursor (rows after
 * it; NULL for the first page) and ?2 the limit, its other parameters
 * bound by the caller: at most limit rows into a new array of limit
 * elements of size bytes each (read(s, element)), then resets s. s may
 * be NULL (a statement that failed to prepare: VIGIL_ESTORE). *out
 * (caller frees with free()) and *n are cleared on entry and on
 * failure. */
enum vigil_err store_sq_page(struct vigil_store *st, sqlite3_stmt *s,
    const char *after, size_t limit, size_t size, store_sq_read_fn read,
    void **out /* OUT */, size_t *n /* OUT */, const char *what);

/* Binds text, or NULL when s is NULL. */
int store_sq_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Copy of column i as a NUL-terminated heap string ("" for NULL);
 * NULL when out of memory. */
char *store_sq_col_strdup(sqlite3_stmt *s, int i);
/* Copies column i into dst (truncating at dstsize-1). */
void store_sq_col_copy(sqlite3_stmt *s, int i, char *dst, size_t dstsize);

/* Schema (sqlite_schema.c). */
enum vigil_err store_sq_schema_version(struct vigil_store *st, int *v);
enum vigil_err store_sq_migrate(struct vigil_store *st, const char *path,
    int target, int read_only);

/* Tenants (sqlite_tenant.c). */
enum vigil_err store_sq_tenant_insert(struct vigil_store *st,
    const struct vigil_tenant *t);
enum vigil_err store_sq_tenant_get(struct vigil_store *st,
    const char *id_or_name, struct vigil_tenant *out);
enum vigil_err store_sq_tenant_list(struct vigil_store *st, const char *after,
    size_t limit, struct vigil_tenant **out, size_t *n);
enum vigil_err store_sq_tenant_update(struct vigil_store *st,
    const char *tenant_id, const char *name, const char *display);
enum vigil_err store_sq_tenant_delete(struct vigil_store *st,
    const char *tenant_id);

/* Device writes (sqlite_device.c). */
enum vigil_err store_sq_device_create(struct vigil_store *st,
    const char *tenant_id, const struct store_device_row *row, size_t nident,
    const struct store_ident_row *idents, size_t nlabel,
    const struct vigil_label_spec *labels, const struct store_history_row *h);
enum vigil_err store_sq_device_modify(struct vigil_store *st,
    const char *tenant_id, const char *device_id,
    const struct store_device_change *c);
enum vigil_err store_sq_device_touch(struct vigil_store *st,
    const char *tenant_id, const char *device_id, int64_t at_ms);

/* Device reads (sqlite_query.c). */
enum vigil_err store_sq_device_load(struct vigil_store *st,
    const char *tenant_id, const char *device_id, struct vigil_device **out);
enum vigil_err store_sq_device_id_by_name(struct vigil_store *st,
    const char *tenant_id, const char *name, char id[VIGIL_UUID_STRLEN]);
enum vigil_err store_sq_device_list(struct vigil_store *st,
    const char *tenant_id, const struct store_filter *f, store_id_cb cb,
    void *ctx);
enum vigil_err store_sq_device_count(struct vigil_store *st,
    const char *tenant_id, const struct store_filter *f, uint64_t *count);
enum vigil_err store_sq_ident_find(struct vigil_store *st,
    const char *tenant_id, const char *match_key, store_id_cb cb, void *ctx);
enum vigil_err store_sq_claim_owner(struct vigil_store *st,
    const char *tenant_id, const char *uniq_scope, const char *match_key,
    struct store_claim *out);
enum vigil_err store_sq_ident_type_max(struct vigil_store *st,
    const char *tenant_id, size_t counts[VIGIL_ID_TYPE_COUNT]);
enum vigil_err store_sq_history_list(struct vigil_store *st,
    const char *tenant_id, const char *device_id, int64_t after_seq,
    size_t limit, struct vigil_history *out);
enum vigil_err store_sq_history_import_line(struct vigil_store *st,
    const char *tenant_id, const char *device_id, const char *import_id,
    int64_t *line);

/* Inventory summary (sqlite_summary.c). */
enum vigil_err store_sq_device_summary(struct vigil_store *st,
    const char *tenant_id, uint64_t hw_types, size_t top,
    struct vigil_inventory_summary *out);

#endif
