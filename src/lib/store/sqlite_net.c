/*
 * SQLite statements of network monitoring (store_net.h): static text,
 * bound parameters, rows handed back as JSON objects by the shared
 * executor (sqlite_rows.c). Attribution (NQ_SESS_AT, NQ_BIND_AT) runs
 * for every new entity the collector sees, so each is one indexed
 * probe.
 */
#include "sqlite_internal.h"
#include "store_net.h"
#include "store_rows.h"

_Static_assert(NQ_COUNT_ <= SQ_AREA_MAX_STMTS, "NET statements fit");

/* The columns of an alert as vigil_alert_get renders it. */
#define ALERT_COLS "a.id, a.tenant_id, a.kind, a.severity, a.state," \
	" a.entity, a.device_id, a.address, a.first_ms, a.last_ms," \
	" a.count, a.summary, a.techniques, a.created_ms, a.updated_ms," \
	" a.closed_ms, a.note, a.actor, d.name AS d_name"

#define SHADOW_COLS "s.id, s.tenant_id, s.address, s.state, s.first_ms," \
	" s.last_ms, s.flows, s.bytes, s.peers, s.ports, s.protos," \
	" s.device_id, s.note, s.actor, s.updated_ms, d.name AS d_name"

static const char *const nq_sql[NQ_COUNT_] = {
	[NQ_ALERT_OPEN] = "SELECT id, state FROM alerts WHERE tenant_id = ?1"
	    " AND entity = ?2 AND kind = ?3 AND state != 'closed'",
	[NQ_ALERT_INSERT] = "INSERT INTO alerts (tenant_id, kind, severity,"
	    " state, entity, device_id, address, first_ms, last_ms, count,"
	    " summary, techniques, created_ms, updated_ms)"
	    " VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?12) RETURNING id",
	[NQ_ALERT_BUMP] = "UPDATE alerts SET count = count + ?2,"
	    " severity = max(severity, ?3), first_ms = min(first_ms, ?4),"
	    " last_ms = max(last_ms, ?5), summary = ?6, updated_ms = ?7"
	    " WHERE id = ?1",
	[NQ_SAMPLE_ADD] = "INSERT INTO alert_samples (alert_id, seq, ts_ms,"
	    " evidence) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1"
	    " FROM alert_samples WHERE alert_id = ?1), ?2, ?3)",
	[NQ_SAMPLE_TRIM] = "DELETE FROM alert_samples WHERE alert_id = ?1"
	    " AND seq <= (SELECT seq FROM alert_samples WHERE alert_id = ?1"
	    " ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
	[NQ_SAMPLE_LIST] = "SELECT seq, ts_ms, evidence FROM alert_samples"
	    " WHERE alert_id = ?1 ORDER BY seq",
	[NQ_ALERT_GET] = "SELECT " ALERT_COLS " FROM alerts a"
	    " LEFT JOIN devices d ON d.id = a.device_id"
	    " WHERE a.id = ?1 AND (?2 IS NULL OR a.tenant_id = ?2)",
	[NQ_ALERT_LIST] = "SELECT " ALERT_COLS " FROM alerts a"
	    " LEFT JOIN devices d ON d.id = a.device_id"
	    " WHERE (?1 IS NULL OR a.tenant_id = ?1)"
	    " AND (CASE WHEN ?2 IS NOT NULL THEN a.state = ?2"
	    " WHEN ?3 THEN 1 ELSE a.state != 'closed' END)"
	    " AND (?4 = 0 OR a.kind = ?4)"
	    " AND (?5 IS NULL OR a.device_id = ?5 OR d.name = ?5)"
	    " AND a.severity >= ?6 AND a.last_ms >= ?7"
	    " ORDER BY a.last_ms DESC, a.id DESC LIMIT ?8",
	[NQ_ALERT_STATE] = "UPDATE alerts SET state = ?2, actor = ?3,"
	    " note = coalesce(?4, note), updated_ms = ?5,"
	    " closed_ms = coalesce(?6, closed_ms)"
	    " WHERE id = ?1 AND state = ?7",
	[NQ_RESPONSE_ADD] = "INSERT INTO alert_responses (alert_id, ts_ms,"
	    " action, outcome, detail) VALUES (?1, ?2, ?3, ?4,"
	    " coalesce(?5, ''))",
	[NQ_RESPONSE_LIST] = "SELECT ts_ms, action, outcome, detail"
	    " FROM alert_responses WHERE alert_id = ?1 ORDER BY id",

	/* Totals are the engine's running totals: the larger is kept, so
	 * a report repeated or replayed does not count twice. */
	[NQ_SHADOW_PUT] = "INSERT INTO shadow_devices (tenant_id, address,"
	    " state, first_ms, last_ms, flows, bytes, peers, ports, protos,"
	    " updated_ms) VALUES (?1, ?2, 'new', ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10) ON CONFLICT (tenant_id, address) DO UPDATE SET"
	    " first_ms = min(shadow_devices.first_ms, excluded.first_ms),"
	    " last_ms = max(shadow_devices.last_ms, excluded.last_ms),"
	    " flows = max(shadow_devices.flows, excluded.flows),"
	    " bytes = max(shadow_devices.bytes, excluded.bytes),"
	    " peers = max(shadow_devices.peers, excluded.peers),"
	    " ports = excluded.ports, protos = excluded.protos,"
	    " updated_ms = excluded.updated_ms",
	[NQ_SHADOW_LIST] = "SELECT " SHADOW_COLS " FROM shadow_devices s"
	    " LEFT JOIN devices d ON d.id = s.device_id"
	    " WHERE (?1 IS NULL OR s.tenant_id = ?1)"
	    " AND (?2 OR s.state = 'new')"
	    " ORDER BY s.last_ms DESC, s.id DESC LIMIT ?3",
	[NQ_SHADOW_GET] = "SELECT " SHADOW_COLS " FROM shadow_devices s"
	    " LEFT JOIN devices d ON d.id = s.device_id"
	    " WHERE s.id = ?1 AND (?2 IS NULL OR s.tenant_id = ?2)",
	[NQ_SHADOW_STATE] = "UPDATE shadow_devices SET state = ?2,"
	    " device_id = ?3, actor = ?4, note = coalesce(?5, ''),"
	    " updated_ms = ?6 WHERE id = ?1",

	[NQ_SESS_CLOSE_IP] = "UPDATE net_sessions SET stop_ms = ?2"
	    " WHERE ip = ?1 AND stop_ms IS NULL",
	[NQ_SESS_CLOSE_SID] = "UPDATE net_sessions SET stop_ms = ?3"
	    " WHERE nas = ?1 AND session_id = ?2 AND stop_ms IS NULL",
	[NQ_SESS_INSERT] = "INSERT INTO net_sessions (session_id, nas, ip,"
	    " imsi, imei, imeisv, mcc_mnc, sgsn_mcc_mnc, device_id,"
	    " tenant_id, start_ms, last_ms, in_octets, out_octets)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11,"
	    " ?12, ?13) RETURNING id",
	[NQ_SESS_UPDATE] = "UPDATE net_sessions SET last_ms = ?3,"
	    " in_octets = ?4, out_octets = ?5, stop_ms = ?6"
	    " WHERE nas = ?1 AND session_id = ?2 AND stop_ms IS NULL",
	[NQ_SESS_NAS_OFF] = "UPDATE net_sessions SET stop_ms = ?2"
	    " WHERE nas = ?1 AND stop_ms IS NULL",
	[NQ_SESS_AT] = "SELECT s.device_id, s.tenant_id, d.model"
	    " FROM net_sessions s JOIN devices d ON d.id = s.device_id"
	    " WHERE s.ip = ?1 AND (s.stop_ms IS NULL"
	    " OR (s.start_ms <= ?2 AND s.stop_ms >= ?2))"
	    " ORDER BY s.stop_ms IS NULL DESC, s.start_ms DESC LIMIT 1",
	[NQ_SESS_LIST] = "SELECT s.id, s.session_id, s.nas, s.ip, s.imsi,"
	    " s.imei, s.imeisv, s.mcc_mnc, s.sgsn_mcc_mnc, s.device_id,"
	    " s.tenant_id, s.start_ms, s.last_ms, s.stop_ms, s.in_octets,"
	    " s.out_octets, d.name AS d_name FROM net_sessions s"
	    " LEFT JOIN devices d ON d.id = s.device_id"
	    " WHERE (?1 IS NULL OR s.tenant_id = ?1)"
	    " AND (?2 OR s.stop_ms IS NULL)"
	    " ORDER BY s.last_ms DESC, s.id DESC LIMIT ?3",
	/* A retired device no longer owns its SIM (nor, in NQ_BIND_AT, its
	 * addresses). */
	[NQ_SIM_DEVICE] = "SELECT d.id, d.tenant_id, d.model,"
	    " (SELECT value FROM device_identifiers"
	    " WHERE device_id = d.id AND type = 1 ORDER BY value LIMIT 1)"
	    " AS imei, (SELECT value FROM device_labels"
	    " WHERE device_id = d.id AND key = 'allowed_mcc_mnc') AS allowed"
	    " FROM device_identifiers i JOIN devices d ON d.id = i.device_id"
	    " WHERE i.match_key = ?1 AND i.type = 6 AND d.state != 'retired'"
	    " ORDER BY d.id LIMIT 1",

	[NQ_DEVICE_REF] = "SELECT d.id, d.name, d.tenant_id FROM"
	    " (SELECT id, 0 AS o FROM devices WHERE id = ?1 AND tenant_id = ?2"
	    " UNION ALL SELECT id, 1 FROM devices"
	    " WHERE tenant_id = ?2 AND name = ?1) m"
	    " JOIN devices d ON d.id = m.id ORDER BY m.o LIMIT 1",
	[NQ_BIND_PUT] = "INSERT INTO net_bindings (tenant_id, cidr, family,"
	    " prefix, net, last, device_id, site, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, ''), ?9)"
	    " ON CONFLICT (tenant_id, cidr) DO UPDATE SET"
	    " device_id = excluded.device_id, site = excluded.site,"
	    " created_ms = excluded.created_ms",
	[NQ_BIND_DELETE] = "DELETE FROM net_bindings WHERE tenant_id = ?1"
	    " AND cidr = ?2",
	[NQ_BIND_LIST] = "SELECT b.tenant_id, b.cidr, b.family, b.prefix,"
	    " b.device_id, b.site, b.created_ms, d.name AS d_name"
	    " FROM net_bindings b LEFT JOIN devices d ON d.id = b.device_id"
	    " WHERE (?1 IS NULL OR b.tenant_id = ?1)"
	    " ORDER BY b.tenant_id, b.family, b.net, b.prefix LIMIT 10000",
	[NQ_BIND_GET] = "SELECT b.tenant_id, b.cidr, b.family, b.prefix,"
	    " b.device_id, b.site, b.created_ms, d.name AS d_name"
	    " FROM net_bindings b LEFT JOIN devices d ON d.id = b.device_id"
	    " WHERE b.tenant_id = ?1 AND b.cidr = ?2",
	[NQ_BIND_AT] = "SELECT b.tenant_id, b.device_id, b.site, d.model"
	    " FROM net_bindings b LEFT JOIN devices d ON d.id = b.device_id"
	    " WHERE b.family = ?1 AND b.net <= ?2 AND b.last >= ?2"
	    " AND (b.device_id IS NULL OR d.state != 'retired')"
	    " ORDER BY b.device_id IS NOT NULL DESC, b.prefix DESC,"
	    " b.tenant_id LIMIT 1",
	[NQ_ATTR_GEN] = "SELECT gen FROM net_attr_gen WHERE id = 1",
};

static const struct store_rows_area nq_area = {
	SQ_AREA_NET, nq_sql, NQ_COUNT_, "network monitoring"
};

enum vigil_err
store_nq_rows(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows)
{
	return store_rows_all(st, &nq_area, (int)q, args, nargs, max_rows,
	    rows);
}

enum vigil_err
store_nq_row(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, json_t **row)
{
	return store_rows_one(st, &nq_area, (int)q, args, nargs, row);
}

enum vigil_err
store_nq_exec(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, int *changes)
{
	return store_rows_exec(st, &nq_area, (int)q, args, nargs, changes);
}
