/*
 * SQLite statements of device posture (store_posture.h): static text,
 * bound parameters, rows handed back as JSON objects by the shared
 * executor (sqlite_rows.c). The lookup the decision service runs on a
 * cache miss (PQ_DEVICE) reads the device, its posture, firmware and
 * model baseline in one statement, each through a primary key.
 */
#include "sqlite_internal.h"
#include "store_posture.h"
#include "store_rows.h"

_Static_assert(PQ_COUNT_ <= SQ_AREA_MAX_STMTS, "POSTURE statements fit");

static const char *const pq_sql[PQ_COUNT_] = {
	/* Two arms so that each uses an index: the id (in the tenant, or
	 * in any tenant when ?2 is NULL), the name in the tenant. */
	[PQ_DEVICE] = "SELECT d.id, d.tenant_id, d.name, d.model, d.state,"
	    " p.checkin_ms AS p_checkin_ms, p.checkins AS p_checkins,"
	    " p.firmware AS p_firmware, p.boot_state AS p_boot_state,"
	    " p.integrity AS p_integrity, p.config_hash AS p_config_hash,"
	    " p.ports AS p_ports, p.cert_serial AS p_cert_serial,"
	    " df.version AS df_firmware, bl.ports AS bl_ports,"
	    " bl.firmware_current AS bl_firmware_current"
	    " FROM (SELECT id, 0 AS o FROM devices"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)"
	    " UNION ALL SELECT id, 1 FROM devices"
	    " WHERE tenant_id = ?2 AND name = ?1) m"
	    " JOIN devices d ON d.id = m.id"
	    " LEFT JOIN device_posture p ON p.device_id = d.id"
	    " LEFT JOIN device_firmware df ON df.tenant_id = d.tenant_id"
	    " AND df.device_id = d.id"
	    " LEFT JOIN model_baselines bl ON bl.tenant_id = d.tenant_id"
	    " AND bl.model = d.model"
	    " ORDER BY m.o LIMIT 1",
	[PQ_MODEL_BUILDS] = "SELECT version FROM fw_builds WHERE model = ?1"
	    " ORDER BY imported_ms DESC LIMIT 256",
	/* The device's certificates through pki_cert_device; a serial of
	 * another device is not taken. */
	[PQ_CERT] = "SELECT serial, status, not_before, not_after FROM ("
	    " SELECT serial, status, not_before, not_after, issued_ms,"
	    " 0 AS o FROM pki_cert WHERE ?3 IS NOT NULL AND serial = ?3"
	    " AND tenant_id = ?1 AND device_id = ?2"
	    " UNION ALL SELECT serial, status, not_before, not_after,"
	    " issued_ms, 1 FROM pki_cert"
	    " WHERE tenant_id = ?1 AND device_id = ?2)"
	    " ORDER BY o, status = 1 DESC, issued_ms DESC, serial LIMIT 1",
	[PQ_POSTURE_PUT] = "INSERT INTO device_posture (device_id, tenant_id,"
	    " checkin_ms, checkins, firmware, boot_state, integrity,"
	    " config_hash, uptime_s, ports, metrics, source_ip, cert_serial)"
	    " VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT (device_id) DO UPDATE SET"
	    " checkin_ms = excluded.checkin_ms,"
	    " checkins = device_posture.checkins + 1,"
	    " firmware = excluded.firmware,"
	    " boot_state = excluded.boot_state,"
	    " integrity = excluded.integrity,"
	    " config_hash = excluded.config_hash,"
	    " uptime_s = excluded.uptime_s, ports = excluded.ports,"
	    " metrics = excluded.metrics, source_ip = excluded.source_ip,"
	    " cert_serial = excluded.cert_serial",
	[PQ_CHECKIN_ADD] = "INSERT INTO device_checkins (device_id, tenant_id,"
	    " checkin_ms, body) VALUES (?1, ?2, ?3, ?4)",
	/* Everything at or below the (?2+1)-th newest row: one probe of
	 * device_checkins_dev, then a range delete on it. */
	[PQ_CHECKIN_TRIM] = "DELETE FROM device_checkins WHERE device_id = ?1"
	    " AND id <= (SELECT id FROM device_checkins WHERE device_id = ?1"
	    " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	[PQ_CHECKIN_LIST] = "SELECT checkin_ms, body FROM device_checkins"
	    " WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2",
	[PQ_BASELINE_GET] = "SELECT model, ports, firmware_current, updated_ms"
	    " FROM model_baselines WHERE tenant_id = ?1 AND model = ?2",
	[PQ_BASELINE_LIST] = "SELECT model, ports, firmware_current,"
	    " updated_ms FROM model_baselines WHERE tenant_id = ?1"
	    " ORDER BY model",
	[PQ_BASELINE_PUT] = "INSERT INTO model_baselines (tenant_id, model,"
	    " ports, firmware_current, updated_ms)"
	    " VALUES (?1, ?2, coalesce(?3, '[]'), coalesce(?4, ''), ?5)"
	    " ON CONFLICT (tenant_id, model) DO UPDATE SET"
	    " ports = coalesce(?3, model_baselines.ports),"
	    " firmware_current = coalesce(?4,"
	    " model_baselines.firmware_current), updated_ms = ?5",
};

static const struct store_rows_area pq_area = {
	SQ_AREA_POSTURE, pq_sql, PQ_COUNT_, "posture"
};

enum vigil_err
store_pq_rows(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows)
{
	return store_rows_all(st, &pq_area, (int)q, args, nargs, max_rows,
	    rows);
}

enum vigil_err
store_pq_row(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, json_t **row)
{
	return store_rows_one(st, &pq_area, (int)q, args, nargs, row);
}

enum vigil_err
store_pq_exec(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, int *changes)
{
	return store_rows_exec(st, &pq_area, (int)q, args, nargs, changes);
}
