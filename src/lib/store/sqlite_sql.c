/*
 * Every SQL statement the SQLite backend runs after migration, in one
 * table: static text, parameters bound at run time, prepared once per
 * handle. Reviewing this file reviews all of the inventory's SQL.
 *
 * Tenant scope: every statement on customer rows has tenant_id in its
 * WHERE clause, except SQ_LABEL_* (labels are reached only after the
 * same transaction checked the device's tenant) and SQ_CLAIM_OWNER
 * (global uniqueness must see every tenant; the C side reveals only
 * whether the holder is in the asking tenant).
 */
#include "sqlite_internal.h"

#define DEVICE_COLUMNS                                                    \
	"id, tenant_id, name, model, gtin, state, region, owner, "        \
	"created_ms, updated_ms, last_seen_ms, version"

/* Shared WHERE clause of list and count:
 * ?1 tenant, ?2 after-id, ?3 state, ?4 model, ?5 gtin, ?6 label key,
 * ?7 label value, ?8 identifier type (0 = any). */
#define DEVICE_FILTER                                                     \
	" WHERE d.tenant_id = ?1 AND d.id > ?2"                           \
	" AND (?3 IS NULL OR d.state = ?3)"                               \
	" AND ((?4 IS NULL AND ?5 IS NULL) OR d.model = ?4"               \
	"      OR d.gtin = ?5)"                                           \
	" AND (?6 IS NULL OR EXISTS (SELECT 1 FROM device_labels l"       \
	"      WHERE l.device_id = d.id AND l.key = ?6"                   \
	"      AND (?7 IS NULL OR l.value = ?7)))"                        \
	" AND (?8 = 0 OR EXISTS (SELECT 1 FROM device_identifiers i"      \
	"      WHERE i.device_id = d.id AND i.type = ?8))"

const char *const store_sq_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_BEGIN_READ] = "BEGIN DEFERRED",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	/* Savepoints may share a name: ROLLBACK TO / RELEASE act on the
	 * innermost one, which is the nesting we want. */
	[SQ_SAVEPOINT] = "SAVEPOINT vigil_sp",
	[SQ_RELEASE] = "RELEASE vigil_sp",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO vigil_sp",
	[SQ_SCHEMA_VERSION] = "SELECT version FROM schema_version",

	[SQ_TENANT_INSERT] =
	    "INSERT INTO tenants (id, name, display_name, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[SQ_TENANT_GET] =
	    "SELECT id, name, display_name, created_ms FROM tenants"
	    " WHERE id = ?1 OR name = ?1 LIMIT 1",
	[SQ_TENANT_LIST] =
	    "SELECT id, name, display_name, created_ms FROM tenants"
	    " WHERE name > ?1 ORDER BY name LIMIT ?2",
	[SQ_TENANT_UPDATE] =
	    "UPDATE tenants SET name = coalesce(?2, name),"
	    " display_name = coalesce(?3, display_name) WHERE id = ?1",
	[SQ_TENANT_HAS_DEVICES] =
	    "SELECT 1 FROM devices WHERE tenant_id = ?1 LIMIT 1",
	[SQ_TENANT_DELETE] = "DELETE FROM tenants WHERE id = ?1",

	[SQ_DEVICE_INSERT] =
	    "INSERT INTO devices (" DEVICE_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 1)",
	[SQ_IDENT_INSERT] =
	    "INSERT INTO device_identifiers"
	    " (device_id, tenant_id, type, value, match_key, uniq_scope)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_LABEL_UPSERT] =
	    "INSERT INTO device_labels (device_id, key, value)"
	    " VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value",
	[SQ_HISTORY_INSERT] =
	    "INSERT INTO device_history (tenant_id, device_id, at_ms, event,"
	    " from_state, to_state, detail, actor, reason, import_id,"
	    " import_line)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[SQ_DEVICE_UPDATE] =
	    "UPDATE devices SET name = ?3, model = ?4, gtin = ?5, state = ?6,"
	    " region = ?7, owner = ?8, updated_ms = ?9,"
	    " version = version + 1"
	    " WHERE id = ?1 AND tenant_id = ?2 AND (?10 = 0 OR version = ?10)",
	[SQ_DEVICE_VERSION] =
	    "SELECT version FROM devices WHERE id = ?1 AND tenant_id = ?2",
	[SQ_IDENT_DELETE] =
	    "DELETE FROM device_identifiers WHERE device_id = ?1"
	    " AND tenant_id = ?2 AND type = ?3 AND value = ?4",
	[SQ_LABEL_DELETE] =
	    "DELETE FROM device_labels WHERE device_id = ?1 AND key = ?2",
	[SQ_DEVICE_TOUCH] =
	    "UPDATE devices SET last_seen_ms = max(last_seen_ms, ?3)"
	    " WHERE id = ?1 AND tenant_id = ?2",
	[SQ_DEVICE_GET] =
	    "SELECT " DEVICE_COLUMNS " FROM devices"
	    " WHERE id = ?1 AND tenant_id = ?2",
	[SQ_DEVICE_IDENTS] =
	    "SELECT type, value, match_key FROM device_identifiers"
	    " WHERE device_id = ?1 AND tenant_id = ?2 ORDER BY type, value",
	[SQ_DEVICE_LABELS] =
	    "SELECT key, value FROM device_labels WHERE device_id = ?1"
	    " ORDER BY key",
	[SQ_DEVICE_BY_NAME] =
	    "SELECT id FROM devices WHERE tenant_id = ?1 AND name = ?2",
	[SQ_DEVICE_LIST] =
	    "SELECT d.id FROM devices d" DEVICE_FILTER
	    " ORDER BY d.id LIMIT ?9",
	[SQ_DEVICE_COUNT] =
	    "SELECT count(*) FROM devices d" DEVICE_FILTER,
	[SQ_IDENT_FIND] =
	    "SELECT DISTINCT device_id FROM device_identifiers"
	    " WHERE match_key = ?1 AND tenant_id = ?2 ORDER BY device_id",
	[SQ_CLAIM_OWNER] =
	    "SELECT d.tenant_id, d.id, d.name FROM id_claims c"
	    " JOIN devices d ON d.id = c.device_id"
	    " WHERE c.uniq_scope = ?1 AND c.match_key = ?2",
	[SQ_IDENT_TYPE_MAX] =
	    "SELECT type, max(n) FROM (SELECT type, count(*) AS n"
	    " FROM device_identifiers WHERE tenant_id = ?1"
	    " GROUP BY device_id, type) GROUP BY type",
	/* Inventory summary. One ordered pass over the covering index
	 * devices_summary (tenant, model, gtin, region, state) groups the
	 * tenant's devices; each section aggregates those groups. Rows:
	 * section (1 state, 2 model, 3 region, 4 never seen), key, gtin,
	 * devices. ?2: how many models and regions to list. */
	[SQ_SUMMARY_DEVICES] =
	    "WITH g AS MATERIALIZED (SELECT model, gtin, region, state,"
	    " count(*) AS n FROM devices WHERE tenant_id = ?1"
	    " GROUP BY model, gtin, region, state)"
	    " SELECT 1, state, NULL, sum(n) FROM g GROUP BY state"
	    " UNION ALL SELECT * FROM (SELECT 2, model, gtin, sum(n) AS c"
	    " FROM g GROUP BY model, gtin ORDER BY c DESC, model, gtin"
	    " LIMIT ?2)"
	    " UNION ALL SELECT * FROM (SELECT 3, region, NULL, sum(n) AS c"
	    " FROM g GROUP BY region ORDER BY c DESC, region LIMIT ?2)"
	    " UNION ALL SELECT 4, NULL, NULL, count(*) FROM devices"
	    " WHERE tenant_id = ?1 AND last_seen_ms = 0",
	/* Devices per combination of identifier types (bit t of the mix:
	 * carries type t); devices without identifiers have no row. The
	 * primary key leads with the device, so this reads every tenant's
	 * identifiers (~0.8 s for 1.3M rows); the grouping needs no sort. */
	[SQ_SUMMARY_IDENT_MIX] =
	    "SELECT mix, count(*) FROM (SELECT sum(DISTINCT 1 << type) AS mix"
	    " FROM device_identifiers WHERE tenant_id = ?1 GROUP BY device_id)"
	    " GROUP BY mix",
	[SQ_HISTORY_LIST] =
	    "SELECT seq, at_ms, event, from_state, to_state, detail, actor,"
	    " reason FROM device_history"
	    " WHERE device_id = ?1 AND tenant_id = ?2 AND seq > ?3"
	    " ORDER BY seq LIMIT ?4",
	[SQ_HISTORY_IMPORT_LINE] =
	    "SELECT import_line FROM device_history"
	    " WHERE device_id = ?1 AND tenant_id = ?2 AND import_id = ?3"
	    " AND event = 'create'",
};
