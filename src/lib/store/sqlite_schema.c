/*
 * SQLite schema: numbered migrations, applied at open in one
 * transaction each together with the version bump. A migration, once
 * released, is never edited: add a new one.
 *
 * Uniqueness lives in the schema, not only in C: id_claims has one row
 * per (uniq_scope, match_key) and its primary key refuses a second
 * device. A device's own identifiers that share a key (its IMEI and
 * IMEISV) share its claim. Triggers keep claims in step with
 * device_identifiers, and make device_history append-only.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_internal.h"

static const char *const m1_inventory[] = {
	"CREATE TABLE schema_version (version INTEGER NOT NULL)",
	"INSERT INTO schema_version (version) VALUES (0)",

	"CREATE TABLE tenants ("
	"  id TEXT NOT NULL PRIMARY KEY,"          /* UUIDv7 */
	"  name TEXT NOT NULL UNIQUE"              /* slug */
	"    CHECK (length(name) BETWEEN 1 AND 63),"
	"  display_name TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL"
	") WITHOUT ROWID",

	"CREATE TABLE devices ("
	"  id TEXT NOT NULL PRIMARY KEY,"          /* UUIDv7, time-ordered */
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id),"
	"  name TEXT NOT NULL,"                    /* the id when unnamed */
	"  model TEXT NOT NULL DEFAULT '',"
	"  gtin TEXT NOT NULL DEFAULT '',"         /* GTIN-14 or '' */
	"  state TEXT NOT NULL CHECK (state IN ('registered',"
	"    'provisioned', 'active', 'quarantined', 'retired')),"
	"  region TEXT NOT NULL DEFAULT '',"
	/* PERSONAL DATA (GDPR art. 4(1)): the owner's contact. Never copied
	 * into history details, error texts or log lines; exported only
	 * to the tenant that owns the device. */
	"  owner TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  last_seen_ms INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
	"  UNIQUE (tenant_id, name),"
	"  UNIQUE (tenant_id, id)"                 /* pagination, child FKs */
	") WITHOUT ROWID",

	"CREATE TABLE device_labels ("
	"  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, key)"
	") WITHOUT ROWID",
	"CREATE INDEX device_labels_kv ON device_labels (key, value)",

	/* type is enum vigil_id_type (never renumbered); value is the
	 * normalised spelling; uniq_scope is '' for platform-wide keys,
	 * 't:<tenant>' or 't:<tenant>|m:<model>' otherwise. */
	"CREATE TABLE device_identifiers ("
	"  device_id TEXT NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 255),"
	"  value TEXT NOT NULL,"
	"  match_key TEXT NOT NULL,"
	"  uniq_scope TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, type, value),"
	"  FOREIGN KEY (tenant_id, device_id)"
	"    REFERENCES devices (tenant_id, id) ON DELETE CASCADE"
	") WITHOUT ROWID",
	"CREATE INDEX device_identifiers_key"
	"  ON device_identifiers (match_key, tenant_id)",

	"CREATE TABLE id_claims ("
	"  uniq_scope TEXT NOT NULL,"
	"  match_key TEXT NOT NULL,"
	"  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
	"  PRIMARY KEY (uniq_scope, match_key)"
	") WITHOUT ROWID",

	/* The INSERT fails on the primary key when another device holds
	 * the claim; the device's own second spelling finds its claim. */
	"CREATE TRIGGER device_identifiers_claim"
	"  AFTER INSERT ON device_identifiers BEGIN"
	"  INSERT INTO id_claims (uniq_scope, match_key, device_id)"
	"    SELECT NEW.uniq_scope, NEW.match_key, NEW.device_id"
	"    WHERE NOT EXISTS (SELECT 1 FROM id_claims"
	"      WHERE uniq_scope = NEW.uniq_scope"
	"      AND match_key = NEW.match_key"
	"      AND device_id = NEW.device_id);"
	"  END",
	"CREATE TRIGGER device_identifiers_release"
	"  AFTER DELETE ON device_identifiers"
	"  WHEN NOT EXISTS (SELECT 1 FROM device_identifiers"
	"    WHERE match_key = OLD.match_key AND tenant_id = OLD.tenant_id"
	"    AND device_id = OLD.device_id AND uniq_scope = OLD.uniq_scope)"
	"  BEGIN"
	"  DELETE FROM id_claims WHERE uniq_scope = OLD.uniq_scope"
	"    AND match_key = OLD.match_key AND device_id = OLD.device_id;"
	"  END",
	/* Claims follow inserts and deletes only; an UPDATE could move a
	 * key without its claim. */
	"CREATE TRIGGER device_identifiers_no_update"
	"  BEFORE UPDATE ON device_identifiers BEGIN"
	"  SELECT RAISE(ABORT, 'device identifiers are replaced, not updated');"
	"  END",
	NULL
};

static const char *const m2_history[] = {
	"CREATE TABLE device_history ("
	"  seq INTEGER PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  device_id TEXT NOT NULL,"
	"  at_ms INTEGER NOT NULL,"
	"  event TEXT NOT NULL"
	"    CHECK (event IN ('create', 'update', 'state', 'retire')),"
	"  from_state TEXT,"
	"  to_state TEXT,"
	"  detail TEXT NOT NULL DEFAULT '',"       /* never personal data */
	"  actor TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  import_id TEXT,"                        /* import run, if any */
	"  import_line INTEGER,"                   /* its line in the file */
	"  FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id)"
	")",
	"CREATE INDEX device_history_device ON device_history (device_id, seq)",
	"CREATE TRIGGER device_history_no_update"
	"  BEFORE UPDATE ON device_history BEGIN"
	"  SELECT RAISE(ABORT, 'device history is append-only');"
	"  END",
	"CREATE TRIGGER device_history_no_delete"
	"  BEFORE DELETE ON device_history BEGIN"
	"  SELECT RAISE(ABORT, 'device history is append-only');"
	"  END",
	NULL
};

/* The inventory summary counts a tenant's devices from indexes alone
 * (sqlite_sql.c, SQ_SUMMARY_DEVICES). */
static const char *const m3_summary[] = {
	/* Ordered by what the summary groups by: one pass, no sort, no
	 * table reads. */
	"CREATE INDEX devices_summary"
	"  ON devices (tenant_id, model, gtin, region, state)",
	/* Never-seen devices only: a device leaves it on its first
	 * sighting, so later heartbeats do not maintain it. */
	"CREATE INDEX devices_unseen ON devices (tenant_id, last_seen_ms)"
	"  WHERE last_seen_ms = 0",
	NULL
};

/* Kept beside the PKI area's SQL (sqlite_pki.c); declared here because
 * sqlite_internal.h lists the earlier ones. */
extern const char *const store_sq_m7_sighting[];
extern const char *const store_sq_m8_vuln[]; /* sqlite_vuln_schema.c */
extern const char *const store_sq_m9_zt[];   /* sqlite_zt_schema.c */
extern const char *const store_sq_m10_net[]; /* sqlite_net_schema.c */
extern const char *const store_sq_m11_attr[]; /* sqlite_net_schema.c */

const struct store_sq_migration store_sq_migrations[] = {
	{ 1, "tenants, devices, identifiers, labels", m1_inventory },
	{ 2, "device history (append-only)", m2_history },
	{ 3, "inventory summary indexes", m3_summary },
	{ 4, "identity and access management", store_sq_m4_iam },
	{ 5, "audit log (hash chain, checkpoints)", store_sq_m5_audit },
	{ 6, "device PKI", store_sq_m6_pki },
	{ 7, "certificate sightings", store_sq_m7_sighting },
	{ 8, "vulnerability management", store_sq_m8_vuln },
	{ 9, "zero-trust policies and posture", store_sq_m9_zt },
	{ 10, "network monitoring", store_sq_m10_net },
	{ 11, "attribution generation", store_sq_m11_attr },
};
const size_t store_sq_nmigrations =
    sizeof store_sq_migrations / sizeof store_sq_migrations[0];

_Static_assert(sizeof store_sq_migrations / sizeof store_sq_migrations[0] ==
    VIGIL_STORE_SCHEMA_VERSION, "one migration per schema version");

/* Version of the database: 0 when it has no schema_version table. */
enum vigil_err
store_sq_schema_version(struct vigil_store *st, int *v)
{
	sqlite3 *db = store_sq_db(st);
	sqlite3_stmt *s = NULL;
	int rc;

	*v = 0;
	rc = sqlite3_table_column_metadata(db, "main", "schema_version",
	    "version", NULL, NULL, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return VIGIL_OK; /* no table: empty database */
	if ((s = store_sq_stmt(st, SQ_SCHEMA_VERSION)) == NULL)
		return VIGIL_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sq_err(st, rc, "read schema version");
	return VIGIL_OK;
}

static enum vigil_err
apply(struct vigil_store *st, const char *path,
    const struct store_sq_migration *m)
{
	sqlite3 *db = store_sq_db(st);
	char *msg = NULL;
	sqlite3_stmt *s;
	int rc;
	enum vigil_err vrc;
	int v;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	/* Another process may have migrated while we waited for the lock. */
	if ((vrc = store_sq_schema_version(st, &v)) != VIGIL_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return vrc;
	}
	if (v >= m->version)
		return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ?
		    VIGIL_OK : store_sq_err(st, sqlite3_errcode(db), "migrate");
	for (const char *const *q = m->sql; *q != NULL; q++)
		if (sqlite3_exec(db, *q, NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
	rc = sqlite3_prepare_v2(db, "UPDATE schema_version SET version = ?1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail_rollback;
	sqlite3_bind_int(s, 1, m->version);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail_rollback;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail_rollback;
	return VIGIL_OK;

fail_rollback:
	store_seterr(st, VIGIL_ESTORE,
	    "store %s: migration %d (%s) failed: %s", path, m->version,
	    m->what, msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return VIGIL_ESTORE;
fail:
	store_seterr(st, VIGIL_ESTORE, "store %s: cannot start migration %d: "
	    "%s", path, m->version, msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return VIGIL_ESTORE;
}

enum vigil_err
store_sq_migrate(struct vigil_store *st, const char *path, int target,
    int read_only)
{
	enum vigil_err rc;
	int v;

	if (target == 0)
		target = VIGIL_STORE_SCHEMA_VERSION;
	if ((rc = store_sq_schema_version(st, &v)) != VIGIL_OK)
		return rc;
	if (v > VIGIL_STORE_SCHEMA_VERSION)
		return store_seterr(st, VIGIL_EUNSUPPORTED,
		    "store %s: schema version %d is newer than this vigil "
		    "supports (%d); upgrade vigil", path, v,
		    VIGIL_STORE_SCHEMA_VERSION);
	if (read_only) {
		if (v < VIGIL_STORE_SCHEMA_VERSION)
			return store_seterr(st, VIGIL_ESTATE,
			    "store %s: schema version %d needs migrating to "
			    "%d; open it read-write once", path, v,
			    VIGIL_STORE_SCHEMA_VERSION);
		return VIGIL_OK;
	}
	for (size_t i = 0; i < store_sq_nmigrations; i++) {
		const struct store_sq_migration *m = &store_sq_migrations[i];

		if (m->version <= v || m->version > target)
			continue;
		if ((rc = apply(st, path, m)) != VIGIL_OK)
			return rc;
		vigil_log(VIGIL_LOG_INFO, "store %s: migrated to schema "
		    "version %d (%s)", path, m->version, m->what);
	}
	return VIGIL_OK;
}
