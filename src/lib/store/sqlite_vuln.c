/*
 * SQLite backend of the vulnerability feed/build/scan area
 * (store_vuln.h): its statements (static text, bound parameters) and
 * the functions that run them. The schema is migration 8
 * (sqlite_vuln_schema.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store_vuln.h"

#define BUILD_JSON_COLS \
	"b.id, b.model, b.version, b.format, b.spec_version, b.serial," \
	" (SELECT count(*) FROM fw_components c WHERE c.build_id = b.id)," \
	" b.imported_ms, b.scanned_ms, b.affected, b.unknown, b.unmatchable," \
	" (SELECT count(*) FROM device_firmware f JOIN devices d" \
	"  ON d.tenant_id = f.tenant_id AND d.id = f.device_id" \
	"  WHERE d.model = b.model AND f.version = b.version" \
	"  AND (?1 IS NULL OR f.tenant_id = ?1))"

enum vq {
	VQ_FEED_INSERT,
	VQ_FEED_RECORDS,
	VQ_FEED_LIST,
	VQ_REC_FIND,
	VQ_REC_PUT,
	VQ_REC_ALIAS_CLEAR,
	VQ_REC_KEY_CLEAR,
	VQ_ALIAS_ADD,
	VQ_KEY_ADD,
	VQ_REC_KEYS,
	VQ_KEV_PUT,
	VQ_EPSS_PUT,
	VQ_PRIO_KEV,
	VQ_PRIO_EPSS,
	VQ_BUILD_INSERT,
	VQ_BUILD_UPDATE,
	VQ_BUILD_COMPS_DROP,
	VQ_BUILD_FIND_ID,
	VQ_BUILD_FIND_MV,
	VQ_BUILD_BY_SERIAL,
	VQ_BUILD_DELETE,
	VQ_BUILD_JSON,
	VQ_BUILD_LIST,
	VQ_BUILD_SBOM,
	VQ_BUILD_IDS,
	VQ_BUILDS_BY_VULN,
	VQ_BUILD_ROW,
	VQ_BUILD_COUNTS,
	VQ_BUILD_DEVICES,
	VQ_PLATFORM,
	VQ_COMP_ADD,
	VQ_COMP_KEY_ADD,
	VQ_COMPS,
	VQ_CANDIDATES,
	VQ_RECORD_RAW,
	VQ_VEX_ADD,
	VQ_VEX_DROP_FORMAT,
	VQ_VEX_FOR_BUILD,
	VQ_FINDINGS_CLEAR,
	VQ_FINDING_ADD,
	VQ_FINDING_DEL,
	VQ_FINDINGS,
	VQ_KEY_COMPS,
	VQ_FINDINGS_REF,
	VQ_BUILD_RECOUNT,
	VQ_VULN_COMPS,
	VQ_COMP_KEYS,
	VQ_KEY_RIDS,
	VQ_COUNT
};
_Static_assert(VQ_COUNT <= SQ_AREA_MAX_STMTS, "vuln statements fit");

static const char *const vuln_sql[VQ_COUNT] = {
	[VQ_FEED_INSERT] = "INSERT INTO vuln_feeds (kind, source, path, meta,"
	    " sha256, fetched_ms, imported_ms, actor) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8)",
	[VQ_FEED_RECORDS] = "UPDATE vuln_feeds SET records = ?2, meta = ?3"
	    " WHERE id = ?1",
	[VQ_FEED_LIST] = "SELECT id, kind, source, path, meta, sha256,"
	    " imported_ms, fetched_ms, records FROM vuln_feeds"
	    " ORDER BY imported_ms DESC, id DESC",
	[VQ_REC_FIND] = "SELECT rid, modified_ms FROM vuln_records"
	    " WHERE source = ?1 AND id = ?2",
	[VQ_REC_PUT] = "INSERT INTO vuln_records (source, id, canonical,"
	    " modified_ms, withdrawn_ms, summary, cvss, cvss_vector, feed_id,"
	    " raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (source, id) DO UPDATE SET canonical = ?3,"
	    " modified_ms = ?4, withdrawn_ms = ?5, summary = ?6, cvss = ?7,"
	    " cvss_vector = ?8, feed_id = ?9, raw = ?10 RETURNING rid",
	[VQ_REC_ALIAS_CLEAR] = "DELETE FROM vuln_aliases WHERE rid = ?1",
	[VQ_REC_KEY_CLEAR] = "DELETE FROM vuln_keys WHERE rid = ?1",
	[VQ_ALIAS_ADD] = "INSERT OR IGNORE INTO vuln_aliases (alias, rid)"
	    " VALUES (upper(?2), ?1)",
	[VQ_KEY_ADD] = "INSERT OR IGNORE INTO vuln_keys (key, rid)"
	    " VALUES (?2, ?1)",
	[VQ_REC_KEYS] = "SELECT key FROM vuln_keys WHERE rid = ?1",
	[VQ_KEV_PUT] = "INSERT OR REPLACE INTO vuln_kev (cve, vendor, product,"
	    " name, description, action, notes, added_ms, due_ms, ransomware,"
	    " feed_id) VALUES (upper(?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11)",
	[VQ_EPSS_PUT] = "INSERT OR REPLACE INTO vuln_epss (cve, epss,"
	    " percentile, score_date, feed_id) VALUES (upper(?1), ?2, ?3, ?4,"
	    " ?5)",
	[VQ_PRIO_KEV] = "SELECT 1, ransomware FROM vuln_kev WHERE cve = upper(?1)"
	    " UNION ALL SELECT 1, 0 FROM vuln_exploited WHERE vuln = upper(?1)"
	    " ORDER BY 2 DESC LIMIT 1",
	[VQ_PRIO_EPSS] = "SELECT epss FROM vuln_epss WHERE cve = upper(?1)",
	[VQ_BUILD_INSERT] = "INSERT INTO fw_builds (id, model, version, format,"
	    " spec_version, serial, sha256, sbom, quality, imported_ms, actor)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[VQ_BUILD_UPDATE] = "UPDATE fw_builds SET format = ?4,"
	    " spec_version = ?5, serial = ?6, sha256 = ?7, sbom = ?8,"
	    " quality = ?9, imported_ms = ?10, actor = ?11, scanned_ms = 0,"
	    " affected = 0, unknown = 0, unmatchable = 0"
	    " WHERE id = ?1 AND model = ?2 AND version = ?3",
	[VQ_BUILD_COMPS_DROP] = "DELETE FROM fw_components WHERE build_id = ?1",
	[VQ_BUILD_FIND_ID] = "SELECT id FROM fw_builds WHERE id = ?1",
	[VQ_BUILD_FIND_MV] = "SELECT id FROM fw_builds"
	    " WHERE model = ?1 AND version = ?2",
	[VQ_BUILD_BY_SERIAL] = "SELECT id FROM fw_builds WHERE serial = ?1"
	    " AND serial <> '' ORDER BY imported_ms DESC LIMIT 1",
	[VQ_BUILD_DELETE] = "DELETE FROM fw_builds WHERE id = ?1",
	[VQ_BUILD_JSON] = "SELECT " BUILD_JSON_COLS " FROM fw_builds b"
	    " WHERE b.id = ?2",
	[VQ_BUILD_LIST] = "SELECT " BUILD_JSON_COLS " FROM fw_builds b"
	    " ORDER BY b.model, b.version",
	[VQ_BUILD_SBOM] = "SELECT sbom, format, quality FROM fw_builds"
	    " WHERE id = ?1",
	[VQ_BUILD_IDS] = "SELECT id FROM fw_builds ORDER BY model, version",
	[VQ_BUILDS_BY_VULN] = "SELECT build_id FROM fw_findings"
	    " WHERE vuln = upper(?1) UNION"
	    " SELECT f.build_id FROM vuln_aliases a"
	    " JOIN vuln_records r ON r.rid = a.rid"
	    " JOIN fw_findings f ON f.vuln = r.canonical"
	    " WHERE a.alias = upper(?1)",
	[VQ_BUILD_ROW] = "SELECT id, model, version, serial FROM fw_builds"
	    " WHERE id = ?1",
	[VQ_BUILD_COUNTS] = "UPDATE fw_builds SET scanned_ms = ?2,"
	    " affected = ?3, unknown = ?4, unmatchable = ?5 WHERE id = ?1",
	[VQ_BUILD_DEVICES] = "SELECT count(*) FROM device_firmware f"
	    " JOIN devices d ON d.tenant_id = f.tenant_id AND d.id = f.device_id"
	    " WHERE d.model = ?2 AND f.version = ?3"
	    " AND (?1 IS NULL OR f.tenant_id = ?1)",
	[VQ_PLATFORM] = "SELECT platform_cpes FROM vuln_products"
	    " WHERE model = ?1",
	[VQ_COMP_ADD] = "INSERT OR IGNORE INTO fw_components (build_id, ref,"
	    " name, version, supplier, purl, cpe) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7)",
	[VQ_COMP_KEY_ADD] = "INSERT OR IGNORE INTO fw_component_keys (key,"
	    " build_id, ref) VALUES (?3, ?1, ?2)",
	[VQ_COMPS] = "SELECT ref, name, version, supplier, purl, cpe"
	    " FROM fw_components WHERE build_id = ?1 ORDER BY ref",
	/* (component, record) pairs by ref, rid: the raw text is read
	 * once per record (store_vuln_record_raw), not once per pair. */
	[VQ_CANDIDATES] = "SELECT k.ref, v.rid FROM fw_component_keys k"
	    " JOIN vuln_keys v ON v.key = k.key"
	    " JOIN vuln_records r ON r.rid = v.rid"
	    " WHERE k.build_id = ?1 AND r.withdrawn_ms = 0"
	    " ORDER BY k.ref, v.rid",
	[VQ_RECORD_RAW] = "SELECT rid, source, raw, cvss, cvss_vector"
	    " FROM vuln_records WHERE rid = ?1",
	[VQ_VEX_ADD] = "INSERT INTO vex_statements (build_id, vuln, product,"
	    " serial, state, justification, detail, action, time_ms, format,"
	    " document, imported_ms, actor, versions) VALUES (?1, upper(?2),"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[VQ_VEX_DROP_FORMAT] = "DELETE FROM vex_statements WHERE build_id = ?1"
	    " AND format = ?2",
	[VQ_VEX_FOR_BUILD] = "SELECT build_id, vuln, product, serial, state,"
	    " justification, detail, action, time_ms, versions"
	    " FROM vex_statements"
	    " WHERE build_id = ?1 OR build_id IS NULL ORDER BY id",
	[VQ_FINDINGS_CLEAR] = "DELETE FROM fw_findings WHERE build_id = ?1",
	[VQ_FINDING_DEL] = "DELETE FROM fw_findings WHERE build_id = ?1"
	    " AND ref = ?2 AND vuln = ?3",
	[VQ_FINDING_ADD] = "INSERT OR REPLACE INTO fw_findings (build_id, ref,"
	    " vuln,"
	    " outcome, sources, reason, fixed, vex_state, vex_justification,"
	    " vex_detail, cvss, priority, scanned_ms) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[VQ_FINDINGS] = "SELECT ref, vuln, outcome, sources, reason, fixed,"
	    " vex_state, vex_justification, vex_detail, cvss, priority,"
	    " scanned_ms FROM fw_findings WHERE build_id = ?1"
	    " ORDER BY ref, vuln",
	/* The components a key names, in every build (primary key
	 * prefix). */
	[VQ_KEY_COMPS] = "SELECT build_id, ref FROM fw_component_keys"
	    " WHERE key = ?1",
	[VQ_FINDINGS_REF] = "SELECT ref, vuln, outcome, sources, reason,"
	    " fixed, vex_state, vex_justification, vex_detail, cvss, priority,"
	    " scanned_ms FROM fw_findings WHERE build_id = ?1 AND ref = ?2"
	    " ORDER BY vuln",
	/* The counts a scan stores, from the stored findings (after a
	 * partial re-scan); unmatchable stays (the components did not
	 * change). */
	[VQ_BUILD_RECOUNT] = "UPDATE fw_builds SET scanned_ms = ?2,"
	    " affected = (SELECT count(*) FROM fw_findings f"
	    " WHERE f.build_id = ?1 AND f.outcome = 'affected'"
	    " AND f.vex_state NOT IN ('not_affected', 'fixed',"
	    " 'false_positive')),"
	    " unknown = (SELECT count(*) FROM fw_findings f"
	    " WHERE f.build_id = ?1 AND f.outcome = 'unknown'"
	    " AND f.vex_state NOT IN ('not_affected', 'fixed',"
	    " 'false_positive')) WHERE id = ?1",
	/* The components with a finding about an id (or a record the id
	 * aliases): what a KEV or EPSS change re-prioritises. */
	[VQ_VULN_COMPS] = "SELECT build_id, ref FROM fw_findings"
	    " WHERE vuln = upper(?1) UNION"
	    " SELECT f.build_id, f.ref FROM vuln_aliases a"
	    " JOIN vuln_records r ON r.rid = a.rid"
	    " JOIN fw_findings f ON f.vuln = r.canonical"
	    " WHERE a.alias = upper(?1)",
	/* One component's keys (covering fw_component_keys_comp). */
	[VQ_COMP_KEYS] = "SELECT key FROM fw_component_keys"
	    " WHERE build_id = ?1 AND ref = ?2",
	/* The records under one key, not withdrawn. */
	[VQ_KEY_RIDS] = "SELECT v.rid FROM vuln_keys v"
	    " JOIN vuln_records r ON r.rid = v.rid"
	    " WHERE v.key = ?1 AND r.withdrawn_ms = 0",
};

static sqlite3_stmt *
stmt(struct vigil_store *st, enum vq id)
{
	return store_sq_area_stmt(st, SQ_AREA_VULN, (int)id, vuln_sql);
}

static const char *
col(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t != NULL ? t : "";
}

/* Binds text that outlives the step (the caller's strings). */
static void
bt(sqlite3_stmt *s, int i, const char *v)
{
	store_sq_bind_text(s, i, v);
}

/* Steps s to its end, calling row(s) for each row; resets s. */
static enum vigil_err
each(struct vigil_store *st, sqlite3_stmt *s,
    enum vigil_err (*row)(sqlite3_stmt *s, void *ctx), void *ctx,
    const char *what)
{
	enum vigil_err rc = VIGIL_OK;
	int r;

	if (s == NULL)
		return VIGIL_ESTORE;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = row(s, ctx)) != VIGIL_OK)
			break;
	}
	if (rc == VIGIL_OK && r != SQLITE_DONE)
		rc = store_sq_step_err(st, what);
	sqlite3_reset(s);
	return rc;
}

struct str_walk {
	store_vuln_str_fn cb;
	void *ctx;
};

static enum vigil_err
str_row(sqlite3_stmt *s, void *ctx)
{
	struct str_walk *w = ctx;

	return w->cb(w->ctx, col(s, 0));
}

static enum vigil_err
each_str(struct vigil_store *st, sqlite3_stmt *s, store_vuln_str_fn cb,
    void *ctx, const char *what)
{
	struct str_walk w = { cb, ctx };

	return each(st, s, str_row, &w, what);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static void
read_id(sqlite3_stmt *s, void *dst)
{
	store_sq_col_copy(s, 0, dst, VIGIL_UUID_STRLEN);
}

/* ------------------------------------------------------------------ */

enum vigil_err
store_vuln_feed_insert(struct vigil_store *st,
    const struct store_vuln_feed *f, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, VQ_FEED_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, f->kind);
	bt(s, 2, f->source);
	bt(s, 3, f->path);
	bt(s, 4, f->meta != NULL ? f->meta : "");
	bt(s, 5, f->sha256);
	sqlite3_bind_int64(s, 6, f->fetched_ms);
	sqlite3_bind_int64(s, 7, f->imported_ms);
	bt(s, 8, f->actor != NULL ? f->actor : "");
	rc = store_sq_run(st, s, "insert feed");
	if (rc == VIGIL_OK)
		*id = sqlite3_last_insert_rowid(store_sq_db(st));
	return rc;
}

enum vigil_err
store_vuln_feed_finish(struct vigil_store *st, int64_t id, int64_t records,
    const char *meta)
{
	sqlite3_stmt *s = stmt(st, VQ_FEED_RECORDS);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, records);
	bt(s, 3, nz(meta));
	return store_sq_run(st, s, "update feed");
}

static json_t *
time_json(int64_t ms)
{
	char t[VIGIL_RFC3339_LEN];

	if (ms <= 0)
		return json_null();
	vigil_time_format(ms, t);
	return json_string(t);
}

static enum vigil_err
feed_row(sqlite3_stmt *s, void *ctx)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:I}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0), "kind", col(s, 1),
	    "source", col(s, 2), "path", col(s, 3), "meta", col(s, 4),
	    "sha256", col(s, 5), "imported_at",
	    time_json(sqlite3_column_int64(s, 6)), "fetched_at",
	    time_json(sqlite3_column_int64(s, 7)), "records",
	    (json_int_t)sqlite3_column_int64(s, 8));

	if (o == NULL || json_array_append_new(ctx, o) != 0)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

enum vigil_err
store_vuln_feed_list(struct vigil_store *st, json_t **out)
{
	enum vigil_err rc;

	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	rc = each(st, stmt(st, VQ_FEED_LIST), feed_row, *out, "list feeds");
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

enum vigil_err
store_vuln_record_find(struct vigil_store *st, const char *source,
    const char *id, int64_t *rid, int64_t *modified_ms)
{
	sqlite3_stmt *s = stmt(st, VQ_REC_FIND);
	int r;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, source);
	bt(s, 2, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*rid = sqlite3_column_int64(s, 0);
		*modified_ms = sqlite3_column_int64(s, 1);
		sqlite3_reset(s);
		return VIGIL_OK;
	}
	sqlite3_reset(s);
	if (r == SQLITE_DONE)
		return VIGIL_ENOTFOUND;
	return store_sq_err(st, r, "find record");
}

static enum vigil_err
run_rid(struct vigil_store *st, enum vq q, int64_t rid, const char *what)
{
	sqlite3_stmt *s = stmt(st, q);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, rid);
	return store_sq_run(st, s, what);
}

enum vigil_err
store_vuln_record_put(struct vigil_store *st,
    const struct store_vuln_record *r, int64_t *rid)
{
	sqlite3_stmt *s = stmt(st, VQ_REC_PUT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, r->source);
	bt(s, 2, r->id);
	bt(s, 3, r->canonical);
	sqlite3_bind_int64(s, 4, r->modified_ms);
	sqlite3_bind_int64(s, 5, r->withdrawn_ms);
	bt(s, 6, r->summary != NULL ? r->summary : "");
	sqlite3_bind_double(s, 7, r->cvss);
	bt(s, 8, r->cvss_vector != NULL ? r->cvss_vector : "");
	if (r->feed_id > 0)
		sqlite3_bind_int64(s, 9, r->feed_id);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_text64(s, 10, r->raw, r->rawlen, SQLITE_STATIC,
	    SQLITE_UTF8);
	rc = store_sq_step_one(st, s, store_sq_read_int64, rid, "put record");
	if (rc == VIGIL_ENOTFOUND)
		rc = store_seterr(st, VIGIL_ESTORE, "store: put record: no rid");
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = run_rid(st, VQ_REC_ALIAS_CLEAR, *rid, "clear aliases")) !=
	    VIGIL_OK)
		return rc;
	return run_rid(st, VQ_REC_KEY_CLEAR, *rid, "clear keys");
}

static enum vigil_err
rid_text(struct vigil_store *st, enum vq q, int64_t rid, const char *t,
    const char *what)
{
	sqlite3_stmt *s = stmt(st, q);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, rid);
	bt(s, 2, t);
	return store_sq_run(st, s, what);
}

enum vigil_err
store_vuln_alias_add(struct vigil_store *st, int64_t rid, const char *alias)
{
	return rid_text(st, VQ_ALIAS_ADD, rid, alias, "add alias");
}

enum vigil_err
store_vuln_key_add(struct vigil_store *st, int64_t rid, const char *key)
{
	return rid_text(st, VQ_KEY_ADD, rid, key, "add key");
}

enum vigil_err
store_vuln_record_keys(struct vigil_store *st, int64_t rid,
    store_vuln_str_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_REC_KEYS);

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, rid);
	return each_str(st, s, cb, ctx, "record keys");
}

static void
bfeed(sqlite3_stmt *s, int i, int64_t feed_id)
{
	if (feed_id > 0)
		sqlite3_bind_int64(s, i, feed_id);
	else
		sqlite3_bind_null(s, i);
}

enum vigil_err
store_vuln_kev_put(struct vigil_store *st, const struct vigil_kev_entry *e,
    int64_t feed_id)
{
	sqlite3_stmt *s = stmt(st, VQ_KEV_PUT);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, e->cve);
	bt(s, 2, nz(e->vendor));
	bt(s, 3, nz(e->product));
	bt(s, 4, nz(e->name));
	bt(s, 5, nz(e->description));
	bt(s, 6, nz(e->action));
	bt(s, 7, nz(e->notes));
	sqlite3_bind_int64(s, 8, e->added_ms);
	sqlite3_bind_int64(s, 9, e->due_ms);
	sqlite3_bind_int(s, 10, e->ransomware != 0);
	bfeed(s, 11, feed_id);
	return store_sq_run(st, s, "put KEV entry");
}

enum vigil_err
store_vuln_epss_put(struct vigil_store *st, const struct vigil_epss_entry *e,
    const char *date, int64_t feed_id)
{
	sqlite3_stmt *s = stmt(st, VQ_EPSS_PUT);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, e->cve);
	sqlite3_bind_double(s, 2, e->epss);
	sqlite3_bind_double(s, 3, e->percentile);
	bt(s, 4, nz(date));
	bfeed(s, 5, feed_id);
	return store_sq_run(st, s, "put EPSS score");
}

enum vigil_err
store_vuln_prio_info(struct vigil_store *st, const char *id, int *kev,
    int *ransomware, double *epss)
{
	sqlite3_stmt *s = stmt(st, VQ_PRIO_KEV);
	int r;

	*kev = 0;
	*ransomware = 0;
	*epss = -1;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*kev = 1;
		*ransomware = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sq_err(st, r, "KEV lookup");
	if ((s = stmt(st, VQ_PRIO_EPSS)) == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		*epss = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sq_err(st, r, "EPSS lookup");
	return VIGIL_OK;
}

/* ---- builds -------------------------------------------------------- */

enum vigil_err
store_vuln_build_put(struct vigil_store *st, const struct store_vuln_build *b,
    int replace)
{
	sqlite3_stmt *s = stmt(st, replace ? VQ_BUILD_UPDATE :
	    VQ_BUILD_INSERT);
	enum vigil_err rc;
	int changes;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, b->id);
	bt(s, 2, b->model);
	bt(s, 3, b->version);
	bt(s, 4, b->format);
	bt(s, 5, nz(b->spec_version));
	bt(s, 6, nz(b->serial));
	bt(s, 7, b->sha256);
	sqlite3_bind_blob64(s, 8, b->sbom, b->sbomlen, SQLITE_STATIC);
	bt(s, 9, b->quality != NULL ? b->quality : "{}");
	sqlite3_bind_int64(s, 10, b->imported_ms);
	bt(s, 11, nz(b->actor));
	rc = store_sq_run_changes(st, s, "put build", &changes);
	if (rc != VIGIL_OK && sqlite3_extended_errcode(store_sq_db(st)) ==
	    SQLITE_CONSTRAINT_UNIQUE)
		return store_seterr(st, VIGIL_EEXIST, "build %s@%s exists",
		    b->model, b->version);
	if (rc != VIGIL_OK || !replace)
		return rc;
	if (changes == 0)
		return VIGIL_ENOTFOUND;
	if ((s = stmt(st, VQ_BUILD_COMPS_DROP)) == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, b->id);
	return store_sq_run(st, s, "drop components");
}

enum vigil_err
store_vuln_build_find(struct vigil_store *st, const char *id,
    const char *model, const char *version, char out[VIGIL_UUID_STRLEN])
{
	sqlite3_stmt *s;

	if (id != NULL) {
		if ((s = stmt(st, VQ_BUILD_FIND_ID)) == NULL)
			return VIGIL_ESTORE;
		bt(s, 1, id);
	} else {
		if ((s = stmt(st, VQ_BUILD_FIND_MV)) == NULL)
			return VIGIL_ESTORE;
		bt(s, 1, model);
		bt(s, 2, version);
	}
	return store_sq_step_one(st, s, read_id, out, "find build");
}

enum vigil_err
store_vuln_build_by_serial(struct vigil_store *st, const char *serial,
    char out[VIGIL_UUID_STRLEN])
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_BY_SERIAL);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, serial);
	return store_sq_step_one(st, s, read_id, out, "find build by serial");
}

enum vigil_err
store_vuln_build_delete(struct vigil_store *st, const char *id)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_DELETE);
	enum vigil_err rc;
	int changes;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	rc = store_sq_run_changes(st, s, "delete build", &changes);
	if (rc == VIGIL_OK && changes == 0)
		return VIGIL_ENOTFOUND;
	return rc;
}

static enum vigil_err
build_row_json(sqlite3_stmt *s, void *ctx)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:I,s:I,"
	    "s:I,s:I}", "id", col(s, 0), "model", col(s, 1), "firmware",
	    col(s, 2), "format", col(s, 3), "spec_version", col(s, 4),
	    "serial", col(s, 5), "components",
	    (json_int_t)sqlite3_column_int64(s, 6), "imported_at",
	    time_json(sqlite3_column_int64(s, 7)), "scanned_at",
	    time_json(sqlite3_column_int64(s, 8)), "affected",
	    (json_int_t)sqlite3_column_int64(s, 9), "unknown",
	    (json_int_t)sqlite3_column_int64(s, 10), "unmatchable",
	    (json_int_t)sqlite3_column_int64(s, 11), "devices",
	    (json_int_t)sqlite3_column_int64(s, 12));

	if (o == NULL)
		return VIGIL_ENOMEM;
	if (json_is_array((json_t *)ctx)) {
		if (json_array_append_new(ctx, o) != 0)
			return VIGIL_ENOMEM;
	} else {
		*(json_t **)ctx = o;
	}
	return VIGIL_OK;
}

enum vigil_err
store_vuln_build_json(struct vigil_store *st, const char *tenant,
    const char *id, json_t **out)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_JSON);
	enum vigil_err rc;
	json_t *o = NULL;

	*out = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, tenant);
	bt(s, 2, id);
	rc = each(st, s, build_row_json, &o, "get build");
	if (rc != VIGIL_OK) {
		json_decref(o);
		return rc;
	}
	if (o == NULL)
		return VIGIL_ENOTFOUND;
	*out = o;
	return VIGIL_OK;
}

enum vigil_err
store_vuln_build_list(struct vigil_store *st, const char *tenant,
    json_t **out)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_LIST);
	enum vigil_err rc;

	*out = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	bt(s, 1, tenant);
	rc = each(st, s, build_row_json, *out, "list builds");
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

enum vigil_err
store_vuln_build_sbom(struct vigil_store *st, const char *id, char **doc,
    size_t *len, char format[32], char **quality)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_SBOM);
	const void *b;
	int r;

	*doc = NULL;
	*len = 0;
	*quality = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	if ((r = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return r == SQLITE_DONE ? VIGIL_ENOTFOUND :
		    store_sq_err(st, r, "read SBOM");
	}
	b = sqlite3_column_blob(s, 0);
	*len = (size_t)sqlite3_column_bytes(s, 0);
	store_sq_col_copy(s, 1, format, 32);
	*doc = malloc(*len + 1);
	*quality = store_sq_col_strdup(s, 2);
	if (*doc == NULL || *quality == NULL) {
		sqlite3_reset(s);
		free(*doc);
		free(*quality);
		*doc = *quality = NULL;
		return VIGIL_ENOMEM;
	}
	if (*len > 0)
		memcpy(*doc, b, *len);
	(*doc)[*len] = '\0';
	sqlite3_reset(s);
	return VIGIL_OK;
}

enum vigil_err
store_vuln_build_ids(struct vigil_store *st, store_vuln_str_fn cb, void *ctx)
{
	return each_str(st, stmt(st, VQ_BUILD_IDS), cb, ctx, "list builds");
}

enum vigil_err
store_vuln_builds_by_vuln(struct vigil_store *st, const char *vuln,
    store_vuln_str_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILDS_BY_VULN);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, vuln);
	return each_str(st, s, cb, ctx, "builds by vulnerability");
}

struct row_walk {
	void (*cb)(void *ctx, const struct store_vuln_build_row *r);
	void *ctx;
	int found;
};

static enum vigil_err
build_row(sqlite3_stmt *s, void *ctx)
{
	struct row_walk *w = ctx;
	struct store_vuln_build_row r = { col(s, 0), col(s, 1), col(s, 2),
		col(s, 3) };

	w->found = 1;
	w->cb(w->ctx, &r);
	return VIGIL_OK;
}

enum vigil_err
store_vuln_build_row(struct vigil_store *st, const char *id,
    void (*cb)(void *ctx, const struct store_vuln_build_row *r), void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_ROW);
	struct row_walk w = { cb, ctx, 0 };
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	rc = each(st, s, build_row, &w, "read build");
	if (rc == VIGIL_OK && !w.found)
		return VIGIL_ENOTFOUND;
	return rc;
}

enum vigil_err
store_vuln_build_counts(struct vigil_store *st, const char *id,
    int64_t scanned_ms, int64_t affected, int64_t unknown,
    int64_t unmatchable)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_COUNTS);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	sqlite3_bind_int64(s, 2, scanned_ms);
	sqlite3_bind_int64(s, 3, affected);
	sqlite3_bind_int64(s, 4, unknown);
	sqlite3_bind_int64(s, 5, unmatchable);
	return store_sq_run(st, s, "update build counts");
}

enum vigil_err
store_vuln_build_devices(struct vigil_store *st, const char *tenant,
    const char *model, const char *version, int64_t *n)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_DEVICES);

	*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, tenant);
	bt(s, 2, model);
	bt(s, 3, version);
	return store_sq_step_one(st, s, store_sq_read_int64, n,
	    "count devices");
}

enum vigil_err
store_vuln_platform_cpes(struct vigil_store *st, const char *model,
    char **out)
{
	sqlite3_stmt *s = stmt(st, VQ_PLATFORM);
	int r;

	*out = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, model);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*out = store_sq_col_strdup(s, 0);
	else if (r == SQLITE_DONE)
		*out = strdup("");
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sq_err(st, r, "platform CPEs");
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

enum vigil_err
store_vuln_comp_add(struct vigil_store *st, const char *build_id,
    const struct store_vuln_comp *c, int *added)
{
	sqlite3_stmt *s = stmt(st, VQ_COMP_ADD);

	*added = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, c->ref);
	bt(s, 3, nz(c->name));
	bt(s, 4, nz(c->version));
	bt(s, 5, nz(c->supplier));
	bt(s, 6, nz(c->purl));
	bt(s, 7, nz(c->cpe));
	return store_sq_run_changes(st, s, "add component", added);
}

enum vigil_err
store_vuln_comp_key_add(struct vigil_store *st, const char *build_id,
    const char *ref, const char *key)
{
	sqlite3_stmt *s = stmt(st, VQ_COMP_KEY_ADD);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, ref);
	bt(s, 3, key);
	return store_sq_run(st, s, "add component key");
}

struct comp_walk {
	enum vigil_err (*cb)(void *ctx, const struct store_vuln_comp *c);
	void *ctx;
};

static enum vigil_err
comp_row(sqlite3_stmt *s, void *ctx)
{
	struct comp_walk *w = ctx;
	struct store_vuln_comp c = { col(s, 0), col(s, 1), col(s, 2),
		col(s, 3), col(s, 4), col(s, 5) };

	return w->cb(w->ctx, &c);
}

enum vigil_err
store_vuln_comps(struct vigil_store *st, const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_comp *c),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_COMPS);
	struct comp_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	return each(st, s, comp_row, &w, "read components");
}

struct cand_walk {
	enum vigil_err (*cb)(void *ctx, const char *ref, int64_t rid);
	void *ctx;
};

static enum vigil_err
cand_row(sqlite3_stmt *s, void *ctx)
{
	struct cand_walk *w = ctx;

	return w->cb(w->ctx, col(s, 0), sqlite3_column_int64(s, 1));
}

enum vigil_err
store_vuln_candidates(struct vigil_store *st, const char *build_id,
    enum vigil_err (*cb)(void *ctx, const char *ref, int64_t rid),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_CANDIDATES);
	struct cand_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	return each(st, s, cand_row, &w, "candidate records");
}

enum vigil_err
store_vuln_record_raw(struct vigil_store *st, int64_t rid,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_cand *c),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_RECORD_RAW);
	struct store_vuln_cand c;
	enum vigil_err rc;
	int r;

	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, rid);
	if ((r = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return r == SQLITE_DONE ? VIGIL_ENOTFOUND :
		    store_sq_err(st, r, "read record");
	}
	c.rid = sqlite3_column_int64(s, 0);
	c.source = col(s, 1);
	c.raw = col(s, 2);
	c.rawlen = (size_t)sqlite3_column_bytes(s, 2);
	c.cvss = sqlite3_column_double(s, 3);
	c.cvss_vector = col(s, 4);
	rc = cb(ctx, &c);
	sqlite3_reset(s);
	return rc;
}

/* ---- VEX and findings ---------------------------------------------- */

enum vigil_err
store_vuln_vex_add(struct vigil_store *st, const struct store_vuln_vex *v)
{
	sqlite3_stmt *s = stmt(st, VQ_VEX_ADD);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, v->build_id);
	bt(s, 2, v->vuln);
	bt(s, 3, nz(v->product));
	bt(s, 4, nz(v->serial));
	bt(s, 5, v->state);
	bt(s, 6, nz(v->justification));
	bt(s, 7, nz(v->detail));
	bt(s, 8, nz(v->action));
	sqlite3_bind_int64(s, 9, v->time_ms);
	bt(s, 10, v->format);
	bt(s, 11, nz(v->document));
	sqlite3_bind_int64(s, 12, v->imported_ms);
	bt(s, 13, nz(v->actor));
	bt(s, 14, nz(v->versions));
	return store_sq_run(st, s, "add VEX statement");
}

enum vigil_err
store_vuln_vex_drop_format(struct vigil_store *st, const char *build_id,
    const char *format)
{
	sqlite3_stmt *s = stmt(st, VQ_VEX_DROP_FORMAT);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, format);
	return store_sq_run(st, s, "drop VEX statements");
}

struct vex_walk {
	enum vigil_err (*cb)(void *ctx, const struct store_vuln_vex *v);
	void *ctx;
};

static enum vigil_err
vex_row(sqlite3_stmt *s, void *ctx)
{
	struct vex_walk *w = ctx;
	struct store_vuln_vex v;

	memset(&v, 0, sizeof v);
	v.build_id = (const char *)sqlite3_column_text(s, 0);
	v.vuln = col(s, 1);
	v.product = col(s, 2);
	v.serial = col(s, 3);
	v.state = col(s, 4);
	v.justification = col(s, 5);
	v.detail = col(s, 6);
	v.action = col(s, 7);
	v.time_ms = sqlite3_column_int64(s, 8);
	v.versions = col(s, 9);
	return w->cb(w->ctx, &v);
}

enum vigil_err
store_vuln_vex_for_build(struct vigil_store *st, const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_vex *v),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_VEX_FOR_BUILD);
	struct vex_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	return each(st, s, vex_row, &w, "VEX statements");
}

enum vigil_err
store_vuln_findings_clear(struct vigil_store *st, const char *build_id)
{
	sqlite3_stmt *s = stmt(st, VQ_FINDINGS_CLEAR);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	return store_sq_run(st, s, "clear findings");
}

enum vigil_err
store_vuln_finding_add(struct vigil_store *st, const char *build_id,
    const struct store_vuln_finding *f)
{
	sqlite3_stmt *s = stmt(st, VQ_FINDING_ADD);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, f->ref);
	bt(s, 3, f->vuln);
	bt(s, 4, f->outcome);
	bt(s, 5, f->sources);
	bt(s, 6, nz(f->reason));
	bt(s, 7, nz(f->fixed));
	bt(s, 8, nz(f->vex_state));
	bt(s, 9, nz(f->vex_justification));
	bt(s, 10, nz(f->vex_detail));
	sqlite3_bind_double(s, 11, f->cvss);
	sqlite3_bind_double(s, 12, f->priority);
	sqlite3_bind_int64(s, 13, f->scanned_ms);
	return store_sq_run(st, s, "add finding");
}

enum vigil_err
store_vuln_finding_del(struct vigil_store *st, const char *build_id,
    const char *ref, const char *vuln)
{
	sqlite3_stmt *s = stmt(st, VQ_FINDING_DEL);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, ref);
	bt(s, 3, vuln);
	return store_sq_run(st, s, "delete finding");
}

struct finding_walk {
	enum vigil_err (*cb)(void *ctx, const struct store_vuln_finding *f);
	void *ctx;
};

static enum vigil_err
finding_row(sqlite3_stmt *s, void *ctx)
{
	struct finding_walk *w = ctx;
	struct store_vuln_finding f;

	f.ref = col(s, 0);
	f.vuln = col(s, 1);
	f.outcome = col(s, 2);
	f.sources = col(s, 3);
	f.reason = col(s, 4);
	f.fixed = col(s, 5);
	f.vex_state = col(s, 6);
	f.vex_justification = col(s, 7);
	f.vex_detail = col(s, 8);
	f.cvss = sqlite3_column_double(s, 9);
	f.priority = sqlite3_column_double(s, 10);
	f.scanned_ms = sqlite3_column_int64(s, 11);
	return w->cb(w->ctx, &f);
}

enum vigil_err
store_vuln_findings(struct vigil_store *st, const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_finding *f),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_FINDINGS);
	struct finding_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	return each(st, s, finding_row, &w, "read findings");
}

/* ---- partial re-scans ---------------------------------------------- */

struct pair_walk {
	store_vuln_pair_fn cb;
	void *ctx;
};

static enum vigil_err
pair_row(sqlite3_stmt *s, void *ctx)
{
	struct pair_walk *w = ctx;

	return w->cb(w->ctx, col(s, 0), col(s, 1));
}

enum vigil_err
store_vuln_key_comps(struct vigil_store *st, const char *key,
    store_vuln_pair_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_KEY_COMPS);
	struct pair_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, key);
	return each(st, s, pair_row, &w, "components by key");
}

enum vigil_err
store_vuln_vuln_comps(struct vigil_store *st, const char *vuln,
    store_vuln_pair_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_VULN_COMPS);
	struct pair_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, vuln);
	return each(st, s, pair_row, &w, "components by vulnerability");
}

enum vigil_err
store_vuln_findings_ref(struct vigil_store *st, const char *build_id,
    const char *ref,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_finding *f),
    void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_FINDINGS_REF);
	struct finding_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, ref);
	return each(st, s, finding_row, &w, "read findings");
}

enum vigil_err
store_vuln_build_recount(struct vigil_store *st, const char *id,
    int64_t scanned_ms)
{
	sqlite3_stmt *s = stmt(st, VQ_BUILD_RECOUNT);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, id);
	sqlite3_bind_int64(s, 2, scanned_ms);
	return store_sq_run(st, s, "update build counts");
}

enum vigil_err
store_vuln_comp_keys(struct vigil_store *st, const char *build_id,
    const char *ref, store_vuln_str_fn cb, void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_COMP_KEYS);

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, build_id);
	bt(s, 2, ref);
	return each_str(st, s, cb, ctx, "component keys");
}

struct rid_walk {
	enum vigil_err (*cb)(void *ctx, int64_t rid);
	void *ctx;
};

static enum vigil_err
rid_row(sqlite3_stmt *s, void *ctx)
{
	struct rid_walk *w = ctx;

	return w->cb(w->ctx, sqlite3_column_int64(s, 0));
}

enum vigil_err
store_vuln_key_rids(struct vigil_store *st, const char *key,
    enum vigil_err (*cb)(void *ctx, int64_t rid), void *ctx)
{
	sqlite3_stmt *s = stmt(st, VQ_KEY_RIDS);
	struct rid_walk w = { cb, ctx };

	if (s == NULL)
		return VIGIL_ESTORE;
	bt(s, 1, key);
	return each(st, s, rid_row, &w, "records by key");
}
