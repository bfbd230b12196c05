/*
 * SQLite statements of the vulnerability queries, products and CRA
 * reports (store_vulnq.h): static text, bound parameters, rows handed
 * back as JSON objects keyed by column name. Statements that touch
 * devices carry the tenant as an explicit "?N IS NULL OR d.tenant_id =
 * ?N" arm (NULL = platform scope), so no query reaches another tenant's
 * devices by accident.
 *
 * A device runs a build when the build's model is the device's model
 * and its version is the device's firmware version (device_firmware);
 * a (model, version) pair names one build, so the devices of different
 * builds never overlap and per-build counts add up.
 */
#include <stdint.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store_rows.h"
#include "store_vulnq.h"

/* An open finding: affected and not suppressed by VEX. */
#define OPEN_F \
	" f.outcome = 'affected' AND f.vex_state NOT IN ('not_affected'," \
	" 'fixed', 'false_positive') "
/* Devices d (with firmware df) running build b. */
#define RUNS_B \
	" JOIN devices d ON d.model = b.model" \
	" JOIN device_firmware df ON df.tenant_id = d.tenant_id" \
	" AND df.device_id = d.id AND df.version = b.version "
/* The findings a listing shows: ?2 build or NULL, ?5 include unknown,
 * ?6 include suppressed. */
#define FND_FILTER \
	" (f.outcome = 'affected' OR (?5 AND f.outcome = 'unknown'))" \
	" AND (?6 OR f.vex_state NOT IN ('not_affected', 'fixed'," \
	" 'false_positive')) AND (?2 IS NULL OR f.build_id = ?2) "
#define CRA_COLS \
	"id, kind, vuln, model, trigger, summary, state, aware_ms, fix_ms," \
	" early_warning_ms, notification_ms, final_ms, closed_ms, updated_ms"

_Static_assert(VQ_COUNT_ <= SQ_AREA_MAX_STMTS, "VULNQ statements fit");

static const char *const vq_sql[VQ_COUNT_] = {
	/* The page of vulnerabilities is chosen first (LIMIT inside) from
	 * one pass over the covering index fw_findings_vuln; devices per
	 * build come from one GROUP BY over the devices in scope (bt), and
	 * the page's (vuln, build) pairs are reached through the same
	 * index (CROSS JOIN keeps page first), so summaries, aliases and
	 * device counts run for the rows returned only. */
	[VQ_VULN_LIST] = "WITH bt AS MATERIALIZED (SELECT b.id AS build_id,"
	    " m.tenant_id, m.n FROM (SELECT d.model, df.version, d.tenant_id,"
	    " count(*) AS n FROM device_firmware df JOIN devices d"
	    " ON d.tenant_id = df.tenant_id AND d.id = df.device_id"
	    " WHERE (?1 IS NULL OR df.tenant_id = ?1)"
	    " GROUP BY d.model, df.version, d.tenant_id) m"
	    " JOIN fw_builds b ON b.model = m.model AND b.version = m.version),"
	    " v AS (SELECT f.vuln, max(f.priority) AS priority,"
	    " max(f.cvss) AS cvss, count(DISTINCT f.build_id) AS builds"
	    " FROM fw_findings f WHERE" FND_FILTER "GROUP BY f.vuln),"
	    " page AS MATERIALIZED (SELECT v.vuln, v.priority, v.cvss,"
	    " v.builds, (k.cve IS NOT NULL OR e.vuln IS NOT NULL) AS kev,"
	    " coalesce(k.ransomware, 0) AS ransomware, ep.epss AS epss"
	    " FROM v LEFT JOIN vuln_kev k ON k.cve = v.vuln"
	    " LEFT JOIN vuln_exploited e ON e.vuln = v.vuln"
	    " LEFT JOIN vuln_epss ep ON ep.cve = v.vuln"
	    " WHERE (NOT ?4 OR k.cve IS NOT NULL OR e.vuln IS NOT NULL)"
	    " AND v.priority >= ?7"
	    " ORDER BY v.priority DESC, v.vuln LIMIT ?8),"
	    " dv AS (SELECT x.vuln, sum(bt.n) AS devices,"
	    " count(DISTINCT bt.tenant_id) AS tenants"
	    " FROM (SELECT DISTINCT f.vuln, f.build_id FROM page p"
	    " CROSS JOIN fw_findings f ON f.vuln = p.vuln WHERE" FND_FILTER
	    ") x JOIN bt ON bt.build_id = x.build_id GROUP BY x.vuln)"
	    " SELECT l.vuln, l.priority, l.cvss, l.builds,"
	    " coalesce(dv.devices, 0) AS devices,"
	    " coalesce(dv.tenants, 0) AS tenants, l.kev, l.ransomware,"
	    " l.epss,"
	    " coalesce((SELECT r.summary FROM vuln_records r"
	    " WHERE r.canonical = l.vuln AND r.summary <> ''"
	    " ORDER BY r.source = 'osv' DESC, r.modified_ms DESC LIMIT 1),"
	    " '') AS summary,"
	    " (SELECT group_concat(DISTINCT a.alias) FROM vuln_aliases a"
	    " JOIN vuln_records r ON r.rid = a.rid"
	    " WHERE r.canonical = l.vuln) AS aliases"
	    " FROM page l LEFT JOIN dv ON dv.vuln = l.vuln"
	    " ORDER BY l.priority DESC, l.vuln",
	/* The canonical id itself first, then records' aliases. */
	[VQ_RESOLVE] = "SELECT vuln FROM ("
	    " SELECT r.canonical AS vuln, 1 AS o FROM vuln_aliases a"
	    " JOIN vuln_records r ON r.rid = a.rid WHERE a.alias = ?1"
	    " UNION ALL SELECT vuln, 2 FROM fw_findings WHERE vuln = ?1"
	    " UNION ALL SELECT cve, 3 FROM vuln_kev WHERE cve = ?1"
	    " UNION ALL SELECT vuln, 4 FROM vuln_exploited WHERE vuln = ?1"
	    " UNION ALL SELECT cve, 5 FROM vuln_epss WHERE cve = ?1)"
	    " ORDER BY vuln = ?1 DESC, o LIMIT 1",
	[VQ_RECORDS] = "SELECT r.source, r.id, r.modified_ms, r.withdrawn_ms,"
	    " r.summary, r.cvss, r.cvss_vector, f.kind AS feed_kind,"
	    " f.source AS feed_source, f.path AS feed_path,"
	    " f.fetched_ms AS fetched_ms, f.imported_ms AS imported_ms"
	    " FROM vuln_records r LEFT JOIN vuln_feeds f ON f.id = r.feed_id"
	    " WHERE r.canonical = ?1 ORDER BY r.source, r.id",
	[VQ_ALIASES] = "SELECT group_concat(DISTINCT a.alias) AS aliases"
	    " FROM vuln_aliases a JOIN vuln_records r ON r.rid = a.rid"
	    " WHERE r.canonical = ?1",
	[VQ_KEV] = "SELECT k.cve, k.vendor, k.product, k.name, k.description,"
	    " k.action, k.notes, k.added_ms, k.due_ms, k.ransomware,"
	    " f.meta AS catalog_version, f.source AS feed_source,"
	    " f.fetched_ms AS fetched_ms FROM vuln_kev k"
	    " LEFT JOIN vuln_feeds f ON f.id = k.feed_id WHERE k.cve = ?1",
	[VQ_EPSS] = "SELECT epss, percentile, score_date FROM vuln_epss"
	    " WHERE cve = ?1",
	[VQ_EXPLOITED] = "SELECT marked_ms, actor, note FROM vuln_exploited"
	    " WHERE vuln = ?1",
	[VQ_FINDINGS_OF] = "SELECT f.build_id, b.model, b.version AS firmware,"
	    " f.ref, coalesce(c.name, '') AS name,"
	    " coalesce(c.version, '') AS version,"
	    " coalesce(c.purl, '') AS purl, coalesce(c.cpe, '') AS cpe,"
	    " f.outcome, f.sources, f.reason, f.fixed, f.vex_state,"
	    " f.vex_justification, f.vex_detail, f.cvss, f.priority,"
	    " (SELECT count(*) FROM devices d JOIN device_firmware df"
	    " ON df.tenant_id = d.tenant_id AND df.device_id = d.id"
	    " WHERE d.model = b.model AND df.version = b.version"
	    " AND (?2 IS NULL OR d.tenant_id = ?2)) AS devices"
	    " FROM fw_findings f JOIN fw_builds b ON b.id = f.build_id"
	    " LEFT JOIN fw_components c ON c.build_id = f.build_id"
	    " AND c.ref = f.ref WHERE f.vuln = ?1"
	    " ORDER BY b.model, b.version, f.ref",
	[VQ_AFFECTED_TOTALS] = "SELECT count(*) AS devices,"
	    " count(DISTINCT d.tenant_id) AS tenants FROM fw_builds b" RUNS_B
	    " WHERE (?2 IS NULL OR d.tenant_id = ?2) AND b.id IN"
	    " (SELECT f.build_id FROM fw_findings f WHERE f.vuln = ?1 AND"
	    OPEN_F ")",
	/* An id wins over a name that spells another device's id. Three
	 * arms so that each uses an index: the id, the name in the
	 * tenant, the name in any tenant (platform scope only). */
	[VQ_DEVICE_GET] = "SELECT d.id, d.tenant_id, d.name, d.model, d.region,"
	    " d.state, coalesce(df.version, '') AS firmware,"
	    " coalesce(df.source, '') AS firmware_source,"
	    " coalesce(df.updated_ms, 0) AS firmware_updated_ms,"
	    " b.id AS build_id FROM (SELECT id, 0 AS o FROM devices"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)"
	    " UNION ALL SELECT id, 1 FROM devices"
	    " WHERE tenant_id = ?2 AND name = ?1"
	    " UNION ALL SELECT id, 1 FROM devices"
	    " WHERE ?2 IS NULL AND name = ?1) m"
	    " JOIN devices d ON d.id = m.id"
	    " LEFT JOIN device_firmware df ON df.tenant_id = d.tenant_id"
	    " AND df.device_id = d.id"
	    " LEFT JOIN fw_builds b ON b.model = d.model"
	    " AND b.version = df.version"
	    " ORDER BY m.o, d.tenant_id, d.id LIMIT 2",
	[VQ_BUILD_FINDINGS] = "SELECT f.vuln, f.ref, coalesce(c.name, '') AS"
	    " name, coalesce(c.version, '') AS version,"
	    " coalesce(c.purl, '') AS purl, f.outcome, f.sources, f.reason,"
	    " f.fixed, f.vex_state, f.vex_justification, f.cvss, f.priority,"
	    " (k.cve IS NOT NULL OR e.vuln IS NOT NULL) AS kev,"
	    " coalesce(k.ransomware, 0) AS ransomware, ep.epss AS epss"
	    " FROM fw_findings f LEFT JOIN fw_components c"
	    " ON c.build_id = f.build_id AND c.ref = f.ref"
	    " LEFT JOIN vuln_kev k ON k.cve = f.vuln"
	    " LEFT JOIN vuln_exploited e ON e.vuln = f.vuln"
	    " LEFT JOIN vuln_epss ep ON ep.cve = f.vuln"
	    " WHERE f.build_id = ?1 ORDER BY f.priority DESC, f.vuln, f.ref",
	[VQ_BUILD_OPEN_PRIOS] = "SELECT max(f.priority) AS priority"
	    " FROM fw_findings f WHERE f.build_id = ?1 AND" OPEN_F
	    " GROUP BY f.vuln",
	[VQ_FIRMWARE_SET] = "INSERT INTO device_firmware (tenant_id,"
	    " device_id, version, source, updated_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (tenant_id, device_id) DO UPDATE SET"
	    " version = excluded.version, source = excluded.source,"
	    " updated_ms = excluded.updated_ms",
	[VQ_PRODUCT_GET] = "SELECT model, manufacturer, support_until_ms,"
	    " platform_cpes, updated_ms FROM vuln_products WHERE model = ?1",
	[VQ_PRODUCT_PUT] = "INSERT INTO vuln_products (model, manufacturer,"
	    " support_until_ms, platform_cpes, updated_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (model) DO UPDATE SET"
	    " manufacturer = excluded.manufacturer,"
	    " support_until_ms = excluded.support_until_ms,"
	    " platform_cpes = excluded.platform_cpes,"
	    " updated_ms = excluded.updated_ms",
	[VQ_PRODUCT_LIST] = "SELECT m.model,"
	    " coalesce(p.manufacturer, '') AS manufacturer,"
	    " coalesce(p.support_until_ms, 0) AS support_until_ms,"
	    " coalesce(p.platform_cpes, '') AS platform_cpes,"
	    " (SELECT count(*) FROM fw_builds b WHERE b.model = m.model)"
	    " AS builds,"
	    " (SELECT count(*) FROM devices d WHERE d.model = m.model"
	    " AND (?1 IS NULL OR d.tenant_id = ?1)) AS devices"
	    " FROM (SELECT model FROM vuln_products"
	    " UNION SELECT model FROM fw_builds) m"
	    " LEFT JOIN vuln_products p ON p.model = m.model ORDER BY m.model",
	/* A repeated mark keeps when it was first made. */
	[VQ_EXPLOITED_SET] = "INSERT INTO vuln_exploited (vuln, marked_ms,"
	    " actor, note) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (vuln) DO UPDATE SET actor = excluded.actor,"
	    " note = excluded.note",
	[VQ_EXPLOITED_DEL] = "DELETE FROM vuln_exploited WHERE vuln = ?1",
	/* From the exploited ids (KEV and analysts' marks, few) to
	 * their findings through fw_findings_vuln: never a scan of every
	 * finding. */
	[VQ_CRA_DUE] = "SELECT DISTINCT f.vuln, b.model,"
	    " CASE WHEN k.cve IS NOT NULL THEN 'kev' ELSE 'analyst' END"
	    " AS trigger, coalesce(nullif(k.name, ''),"
	    " (SELECT r.summary FROM vuln_records r WHERE r.canonical = f.vuln"
	    " AND r.summary <> '' ORDER BY r.source = 'osv' DESC LIMIT 1),"
	    " '') AS summary"
	    " FROM (SELECT cve AS vuln FROM vuln_kev"
	    " UNION SELECT vuln FROM vuln_exploited) x"
	    " CROSS JOIN fw_findings f ON f.vuln = x.vuln"
	    " JOIN fw_builds b ON b.id = f.build_id"
	    " LEFT JOIN vuln_kev k ON k.cve = f.vuln"
	    " WHERE" OPEN_F
	    " AND NOT EXISTS (SELECT 1 FROM cra_reports r"
	    " WHERE r.kind = 'vulnerability' AND r.vuln = f.vuln"
	    " AND r.model = b.model) ORDER BY f.vuln, b.model",
	[VQ_CRA_INSERT] = "INSERT INTO cra_reports (id, kind, vuln, model,"
	    " trigger, summary, state, aware_ms, updated_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8)",
	[VQ_CRA_GET] = "SELECT " CRA_COLS " FROM cra_reports WHERE id = ?1",
	[VQ_CRA_LIST] = "SELECT " CRA_COLS " FROM cra_reports"
	    " WHERE ?1 OR state <> 'closed' ORDER BY aware_ms, id",
	[VQ_CRA_FIND] = "SELECT " CRA_COLS " FROM cra_reports"
	    " WHERE kind = 'vulnerability' AND vuln = ?1 AND model = ?2",
	/* Only a report still in the state the caller judged moves. */
	[VQ_CRA_MOVE] = "UPDATE cra_reports SET state = ?3,"
	    " early_warning_ms = ?4, notification_ms = ?5, final_ms = ?6,"
	    " closed_ms = ?7, fix_ms = ?8, updated_ms = ?9"
	    " WHERE id = ?1 AND state = ?2",
	[VQ_CRA_VERSIONS] = "SELECT DISTINCT b.version FROM fw_builds b"
	    " JOIN fw_findings f ON f.build_id = b.id"
	    " WHERE f.vuln = ?1 AND b.model = ?2 AND" OPEN_F
	    " ORDER BY b.version",
	[VQ_CRA_REGIONS] = "SELECT d.region, count(*) AS devices"
	    " FROM fw_builds b" RUNS_B "WHERE b.model = ?2 AND b.id IN"
	    " (SELECT f.build_id FROM fw_findings f WHERE f.vuln = ?1 AND"
	    OPEN_F ") GROUP BY d.region ORDER BY d.region",
	[VQ_CRA_FIXED] = "SELECT DISTINCT coalesce(c.name, f.ref) AS component,"
	    " coalesce(c.version, '') AS version, f.fixed, b.version AS"
	    " firmware FROM fw_findings f JOIN fw_builds b ON b.id = f.build_id"
	    " LEFT JOIN fw_components c ON c.build_id = f.build_id"
	    " AND c.ref = f.ref WHERE f.vuln = ?1 AND b.model = ?2"
	    " AND f.outcome = 'affected' ORDER BY 4, 1, 2",
	[VQ_VEX_ACTIONS] = "SELECT DISTINCT state, justification, detail,"
	    " action FROM vex_statements WHERE vuln = ?1"
	    " AND (action <> '' OR detail <> '') ORDER BY state, action",
	[VQ_CRA_PRIORITY] = "SELECT max(f.priority) AS priority"
	    " FROM fw_findings f JOIN fw_builds b ON b.id = f.build_id"
	    " WHERE f.vuln = ?1 AND b.model = ?2 AND" OPEN_F,
	[VQ_CVSS_OF] = "SELECT cvss_vector AS vector, cvss FROM vuln_records"
	    " WHERE canonical = ?1 AND cvss_vector <> ''"
	    " ORDER BY cvss DESC LIMIT 1",
	[VQ_PRIORITY_RAISE] = "UPDATE fw_findings SET priority = ?2"
	    " WHERE vuln = ?1 AND priority < ?2",
	[VQ_BUILD_RESOLVE] = "SELECT id, model, version FROM fw_builds"
	    " WHERE id = ?1 OR model || '@' || version = ?1"
	    " ORDER BY id = ?1 DESC LIMIT 1",
};

static const struct store_rows_area vq_area = {
	SQ_AREA_VULNQ, vq_sql, VQ_COUNT_, "vuln query"
};

enum vigil_err
store_vq_rows(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, size_t max_rows,
    json_t **rows)
{
	return store_rows_all(st, &vq_area, (int)q, args, nargs, max_rows,
	    rows);
}

enum vigil_err
store_vq_row(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, json_t **row)
{
	return store_rows_one(st, &vq_area, (int)q, args, nargs, row);
}

enum vigil_err
store_vq_exec(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, int *changes)
{
	return store_rows_exec(st, &vq_area, (int)q, args, nargs, changes);
}
