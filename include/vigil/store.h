/*
 * vigil/store.h — the database behind an API.
 *
 * A store handle owns one connection to one backend. Only SQLite is
 * implemented; the backend is chosen at open time through an internal
 * table of function pointers, so a PostgreSQL backend can be added
 * without touching any caller.
 *
 * SQLite settings (DESIGN.md §5): WAL journal, foreign keys ON, a busy
 * timeout, synchronous=NORMAL for the inventory tables (FULL is kept
 * for the audit and PKI tables that will join later). The schema is a
 * list of numbered migrations applied at open inside one transaction;
 * a database written by a newer vigil (higher schema version) is
 * refused with a message naming both versions. A new database file is
 * created mode 0600 and a missing parent directory mode 0700.
 *
 * Customer rows (devices, identifiers, labels, history) are reached
 * only through the registry API (vigil/registry.h), whose functions
 * all take the tenant scope as an explicit argument.
 *
 * A handle is not thread-safe: use one handle per thread.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_store;

/* Schema version written by this build of libvigil. */
#define VIGIL_STORE_SCHEMA_VERSION 11

/* Longest error text kept by a handle, bytes including the NUL. */
#define VIGIL_STORE_MAX_ERR 4096

struct vigil_store_options {
	/* Backend name: "sqlite" (NULL = "sqlite"). */
	const char *backend;
	/* How long to wait for a lock held by another connection,
	 * milliseconds (0 = 5000). */
	unsigned busy_timeout_ms;
	/* Open an existing database read-only; no migration runs, and a
	 * database behind the current schema is refused. */
	int read_only;
	/* Migrate only up to this schema version (0 = latest). For tests
	 * of the migration path and for tools; never needed otherwise. */
	int schema_version;
};

/*
 * Opens (creating when missing) the database at path; ":memory:" gives
 * a private in-memory database. opt may be NULL for the defaults.
 * Applies pending migrations. On success *st is a new handle (caller
 * closes with vigil_store_close()); on failure *st is NULL and err
 * (may be NULL) says what went wrong, e.g. "store /var/lib/vigil/
 * vigil.db: schema version 7 is newer than this vigil supports (2);
 * upgrade vigil".
 */
enum vigil_err vigil_store_open(struct vigil_store **st /* OUT */,
    const char *path, const struct vigil_store_options *opt, char *err,
    size_t errsize);

/* Closes the handle; rolls back an open transaction. NULL is a no-op. */
void vigil_store_close(struct vigil_store *st);

/* Text of the last error on this handle ("" if none). Valid until the
 * next call on this handle. Never contains personal data such as a
 * device owner's contact. */
const char *vigil_store_errmsg(const struct vigil_store *st);

/* "sqlite". Static string. */
const char *vigil_store_backend(const struct vigil_store *st);

/* Schema version of the open database. */
enum vigil_err vigil_store_schema_version(struct vigil_store *st,
    int *version /* OUT */);

/*
 * Transactions. begin at depth 0 starts a write transaction; a begin
 * inside a transaction opens a savepoint, so a library function that
 * needs atomicity can run inside a caller's transaction. Each begin
 * must be matched by exactly one commit or rollback; rollback undoes
 * only the innermost level. Every registry function that changes
 * several rows runs in its own (possibly nested) transaction.
 */
enum vigil_err vigil_store_begin(struct vigil_store *st);
enum vigil_err vigil_store_commit(struct vigil_store *st);
enum vigil_err vigil_store_rollback(struct vigil_store *st);
/* Current nesting depth (0 = no transaction). */
int vigil_store_tx_depth(const struct vigil_store *st);

/*
 * Durability of the inventory tables: 1 = synchronous=NORMAL (the
 * default; WAL keeps the database consistent, the last commits may be
 * lost on power failure), 2 = FULL. Bulk import keeps NORMAL.
 */
enum vigil_err vigil_store_set_durability(struct vigil_store *st,
    int level);

#ifdef __cplusplus
}
#endif
#endif
