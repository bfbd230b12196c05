/*
 * SQLite statements of the stored zero-trust policies (store_zt.h):
 * static text, bound parameters, rows handed back as JSON objects by
 * the shared executor (sqlite_rows.c). Versions are only ever inserted
 * (a trigger refuses updates); the generation is bumped by the
 * migration 9 triggers, ZT_GEN_BUMP is for changes no trigger sees.
 */
#include <stdint.h>

#include "sqlite_internal.h"
#include "store_rows.h"
#include "store_zt.h"

_Static_assert(ZT_COUNT_ <= SQ_AREA_MAX_STMTS, "ZT statements fit");

static const char *const zt_sql[ZT_COUNT_] = {
	[ZT_POLICY_GET] = "SELECT id, tenant_id, name, version, description,"
	    " created_ms, updated_ms FROM policies"
	    " WHERE tenant_id = ?1 AND name = ?2",
	[ZT_POLICY_INSERT] = "INSERT INTO policies (id, tenant_id, name,"
	    " version, description, created_ms, updated_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[ZT_POLICY_UPDATE] = "UPDATE policies SET version = ?2,"
	    " description = ?3, updated_ms = ?4 WHERE id = ?1",
	[ZT_POLICY_DELETE] = "DELETE FROM policies WHERE id = ?1",
	[ZT_POLICY_LIST] = "SELECT p.name, p.version, p.description,"
	    " p.updated_ms, (SELECT count(*) FROM policy_attachments a"
	    " WHERE a.policy_id = p.id) AS attachments FROM policies p"
	    " WHERE p.tenant_id = ?1 ORDER BY p.name",
	[ZT_VERSION_INSERT] = "INSERT INTO policy_versions (policy_id,"
	    " version, document, sha256, author, comment, rollback_of,"
	    " created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ZT_VERSION_GET] = "SELECT version, document, sha256, author,"
	    " comment, rollback_of, created_ms FROM policy_versions"
	    " WHERE policy_id = ?1 AND version = ?2",
	[ZT_VERSION_LIST] = "SELECT version, sha256, author, comment,"
	    " rollback_of, created_ms FROM policy_versions"
	    " WHERE policy_id = ?1 ORDER BY version DESC",
	[ZT_ATTACH_INSERT] = "INSERT INTO policy_attachments (policy_id,"
	    " tenant_id, kind, target, author, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
	[ZT_ATTACH_DELETE] = "DELETE FROM policy_attachments"
	    " WHERE policy_id = ?1 AND kind = ?2 AND target = ?3",
	/* The device of a device attachment is looked up in the same
	 * tenant only: a stored id never names another tenant's device. */
	[ZT_ATTACH_LIST] = "SELECT p.name AS policy, a.kind, a.target,"
	    " d.name AS device_name, a.author, a.created_ms"
	    " FROM policy_attachments a JOIN policies p ON p.id = a.policy_id"
	    " LEFT JOIN devices d ON a.kind = 'device' AND d.id = a.target"
	    " AND d.tenant_id = a.tenant_id"
	    " WHERE a.tenant_id = ?1 AND (?2 IS NULL OR a.policy_id = ?2)"
	    " ORDER BY p.name, a.kind, a.target",
	[ZT_LOAD_POLICIES] = "SELECT p.id, p.tenant_id, p.name, p.version,"
	    " v.document FROM policies p JOIN policy_versions v"
	    " ON v.policy_id = p.id AND v.version = p.version"
	    " WHERE ?1 IS NULL OR p.tenant_id = ?1"
	    " ORDER BY p.tenant_id, p.name",
	[ZT_LOAD_ATTACH] = "SELECT policy_id, kind, target"
	    " FROM policy_attachments WHERE ?1 IS NULL OR tenant_id = ?1"
	    " ORDER BY policy_id, kind, target",
	[ZT_GEN_GET] = "SELECT gen FROM zt_gen WHERE id = 1",
	[ZT_GEN_BUMP] = "UPDATE zt_gen SET gen = gen + 1 WHERE id = 1",
	[ZT_CHANGES] = "SELECT gen, device_id FROM zt_changes"
	    " WHERE gen > ?1 AND gen <= ?2 ORDER BY gen LIMIT ?3",
};

static const struct store_rows_area zt_area = {
	SQ_AREA_ZT, zt_sql, ZT_COUNT_, "zero-trust policy"
};

enum vigil_err
store_zt_rows(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows)
{
	return store_rows_all(st, &zt_area, (int)q, args, nargs, max_rows,
	    rows);
}

enum vigil_err
store_zt_row(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, json_t **row)
{
	return store_rows_one(st, &zt_area, (int)q, args, nargs, row);
}

enum vigil_err
store_zt_exec(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, int *changes)
{
	return store_rows_exec(st, &zt_area, (int)q, args, nargs, changes);
}

enum vigil_err
store_zt_err(struct vigil_store *st, enum vigil_err rc, char *err,
    size_t errsize)
{
	const char *m = vigil_store_errmsg(st);

	if (m == NULL || m[0] == '\0')
		return vigil_seterr(err, errsize, rc, "%s",
		    rc == VIGIL_ENOMEM ? "out of memory" : vigil_strerror(rc));
	return vigil_seterr(err, errsize, rc, "%s", m);
}

enum vigil_err
store_zt_policy(struct vigil_store *st, const char *tenant, const char *name,
    json_t **row, char *err, size_t errsize)
{
	struct store_arg a[2] = { SA_S(tenant), SA_S(name) };
	enum vigil_err rc;

	rc = store_zt_row(st, ZT_POLICY_GET, a, 2, row);
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc, "policy %s not found",
		    name);
	if (rc != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	return VIGIL_OK;
}
