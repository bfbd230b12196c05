/*
 * Store operations behind the stored zero-trust policies (policydb.h;
 * src/lib/policy/policydb*.c): policies, their versions and
 * attachments, and the zero-trust generation. The statements are
 * static text kept in sqlite_zt.c; a caller names one by its id, binds
 * its parameters (store_rows.h) and gets rows back as JSON objects
 * keyed by column name. The lib side shapes the renderings; no SQL
 * leaves here.
 *
 * Tenant scope: every statement that finds a policy by name or lists
 * binds the tenant explicitly; statements keyed by a policy id are
 * only reached with an id a tenant-scoped statement returned.
 */
#ifndef VIGIL_STORE_ZT_H
#define VIGIL_STORE_ZT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_internal.h"
#include "store_rows.h"

/* Never reordered against the SQL table in sqlite_zt.c. */
enum store_zt {
	/* ?1 tenant, ?2 name. Row: id, tenant_id, name, version,
	 * description, created_ms, updated_ms. */
	ZT_POLICY_GET,
	/* ?1 id, ?2 tenant, ?3 name, ?4 version, ?5 description, ?6 now. */
	ZT_POLICY_INSERT,
	/* ?1 id, ?2 version, ?3 description, ?4 now. */
	ZT_POLICY_UPDATE,
	/* ?1 id: the policy; its versions and attachments cascade. */
	ZT_POLICY_DELETE,
	/* ?1 tenant. Rows: name, version, description, updated_ms,
	 * attachments (count), in name order. */
	ZT_POLICY_LIST,
	/* ?1 policy id, ?2 version, ?3 document, ?4 sha256, ?5 author,
	 * ?6 comment, ?7 rollback_of or NULL, ?8 now. */
	ZT_VERSION_INSERT,
	/* ?1 policy id, ?2 version. Row: version, document, sha256, author,
	 * comment, rollback_of, created_ms. */
	ZT_VERSION_GET,
	/* ?1 policy id. Rows: version, sha256, author, comment,
	 * rollback_of, created_ms, newest first. */
	ZT_VERSION_LIST,
	/* ?1 policy id, ?2 tenant, ?3 kind, ?4 target, ?5 author, ?6 now;
	 * changes 0 when the attachment exists already. */
	ZT_ATTACH_INSERT,
	/* ?1 policy id, ?2 kind, ?3 target. */
	ZT_ATTACH_DELETE,
	/* ?1 tenant, ?2 policy id or NULL (every policy). Rows: policy
	 * (name), kind, target, device_name (device kind: the device's
	 * name when it still exists, else NULL), author, created_ms, by
	 * policy name, kind, target. */
	ZT_ATTACH_LIST,
	/* ?1 tenant or NULL (every tenant). Rows: id, tenant_id, name,
	 * version, document (the current version's), by tenant, name. */
	ZT_LOAD_POLICIES,
	/* ?1 tenant or NULL. Rows: policy_id, kind, target by policy_id,
	 * kind, target. */
	ZT_LOAD_ATTACH,
	/* Row: gen. */
	ZT_GEN_GET,
	ZT_GEN_BUMP,
	/* ?1 since (exclusive), ?2 upto (inclusive), ?3 limit: what each
	 * generation changed. Rows: gen, device_id (NULL = global). */
	ZT_CHANGES,
	ZT_COUNT_
};

/* As store_rows_all / store_rows_one / store_rows_exec (store_rows.h)
 * on the zero-trust area. */
enum vigil_err store_zt_rows(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows /* OUT */);
enum vigil_err store_zt_row(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, json_t **row /* OUT */);
enum vigil_err store_zt_exec(struct vigil_store *st, enum store_zt q,
    const struct store_arg *args, size_t nargs, int *changes);

/* err gets the handle's error text for rc ("out of memory" when the
 * handle has none); returns rc. */
enum vigil_err store_zt_err(struct vigil_store *st, enum vigil_err rc,
    char *err, size_t errsize);
/* The policy `name` of the tenant as a ZT_POLICY_GET row; VIGIL_ENOTFOUND
 * "policy P not found" in err. */
enum vigil_err store_zt_policy(struct vigil_store *st, const char *tenant,
    const char *name, json_t **row /* OUT */, char *err, size_t errsize);

#endif
