/*
 * vigil/policydb.h — stored zero-trust policies (issue 5): named
 * documents per tenant with every version kept, rollback (an old
 * version restored as a new one: history only grows), and attachments
 * to the tenant, a device model, a label selector ("site=berlin") or
 * one device. The set of policies that applies to a device is the
 * union of all four kinds.
 *
 * Also the zero-trust generation (the epoch of DESIGN.md §2): a store
 * counter that triggers bump with every change that can alter an
 * access decision (policies, attachments, device state/model/labels,
 * revocations, material posture changes, baselines, firmware), so a
 * cache keyed on it is never stale, whoever changed the store.
 *
 * The library never audits: callers (API handlers, the CLI in local
 * mode) audit each change with the returned version. Tenant scope is
 * an argument everywhere (a tenant id, never NULL: policies always
 * belong to a tenant). Errors say what and where.
 */
#ifndef VIGIL_POLICYDB_H
#define VIGIL_POLICYDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_store;

#define VIGIL_POLICY_NAME_MAX 63     /* [a-z0-9][a-z0-9._-]* */
#define VIGIL_POLICY_COMMENT_MAX 500
#define VIGIL_POLICY_TARGET_MAX 320 /* label key (63) = value (255) */

/* The reserved name of the built-in quarantine policy (zt.h): refused
 * by vigil_policydb_put. */
#define VIGIL_POLICY_QUARANTINE_NAME "vigil-quarantine"

enum vigil_attach_kind {
	VIGIL_ATTACH_NONE = 0,
	VIGIL_ATTACH_TENANT = 1, /* target "" */
	VIGIL_ATTACH_MODEL = 2,  /* target: a model name */
	VIGIL_ATTACH_LABEL = 3,  /* target: "key=value" */
	VIGIL_ATTACH_DEVICE = 4, /* target: a device id (names resolved by
				  * vigil_policydb_attach) */
};
/* "tenant", "model", "label", "device"; "none". Static. */
const char *vigil_attach_kind_name(enum vigil_attach_kind k);
enum vigil_attach_kind vigil_attach_kind_from_name(const char *s);

/* VIGIL_OK when name is a valid policy name; else VIGIL_EINVAL + why. */
enum vigil_err vigil_policydb_check_name(const char *name, char *err,
    size_t errsize);

/*
 * Stores a new version of policy `name` (created at version 1 when
 * new). The document is parsed and validated (vigil_policy_parse, with
 * its path-precise errors: VIGIL_EINVAL) and stored in canonical form;
 * a document identical to the current version stores nothing and
 * returns that version with *changed = false. expected_version > 0
 * makes it conditional (VIGIL_ECONFLICT "policy P is at version 4, not
 * 3"). *out: {"id","name","tenant","version","sha256","created",
 * "updated","description","changed"}.
 */
enum vigil_err vigil_policydb_put(struct vigil_store *st, const char *tenant,
    const char *name, const char *json, size_t len, const char *description,
    int64_t expected_version, const char *actor, const char *comment,
    json_t **out /* OUT */, char *err, size_t errsize);

/* Version `version` (0 = current): {"id","name","tenant","version",
 * "current_version","sha256","author","comment","rollback_of",
 * "created","document": <the policy JSON>, "attachments":[...]}.
 * VIGIL_ENOTFOUND "policy P not found" / "policy P has no version 9". */
enum vigil_err vigil_policydb_get(struct vigil_store *st, const char *tenant,
    const char *name, int64_t version, json_t **out /* OUT */, char *err,
    size_t errsize);

/* {"policies":[{"name","version","description","updated",
 * "attachments": N}]} in name order. */
enum vigil_err vigil_policydb_list(struct vigil_store *st, const char *tenant,
    json_t **out /* OUT */, char *err, size_t errsize);

/* {"name","versions":[{"version","sha256","author","comment",
 * "rollback_of","created"}]} newest first. */
enum vigil_err vigil_policydb_history(struct vigil_store *st,
    const char *tenant, const char *name, json_t **out /* OUT */, char *err,
    size_t errsize);

/* Restores version `version` as a new current version (rollback_of =
 * version). Same *out as put. VIGIL_EINVAL when it is already the
 * current content. */
enum vigil_err vigil_policydb_rollback(struct vigil_store *st,
    const char *tenant, const char *name, int64_t version, const char *actor,
    const char *comment, json_t **out /* OUT */, char *err, size_t errsize);

/* Deletes the policy, its versions and attachments. VIGIL_ENOTFOUND. */
enum vigil_err vigil_policydb_delete(struct vigil_store *st,
    const char *tenant, const char *name, char *err, size_t errsize);

/*
 * Attaches / detaches. target: "" for the tenant; a model name; a label
 * selector "key=value" (key and value checked like device labels); a
 * device id or name (resolved in the tenant: VIGIL_ENOTFOUND "device X
 * not found"). Attaching twice is VIGIL_EEXIST; detaching what is not
 * attached VIGIL_ENOTFOUND. *out (may be NULL): {"policy","kind",
 * "target","device_name"?}.
 */
enum vigil_err vigil_policydb_attach(struct vigil_store *st,
    const char *tenant, const char *name, enum vigil_attach_kind kind,
    const char *target, const char *actor, json_t **out /* OUT */,
    char *err, size_t errsize);
enum vigil_err vigil_policydb_detach(struct vigil_store *st,
    const char *tenant, const char *name, enum vigil_attach_kind kind,
    const char *target, json_t **out /* OUT */, char *err, size_t errsize);

/* {"attachments":[{"policy","kind","target","author","created"}]}; name
 * NULL = every policy of the tenant. */
enum vigil_err vigil_policydb_attachments(struct vigil_store *st,
    const char *tenant, const char *name, json_t **out /* OUT */, char *err,
    size_t errsize);

/* ---- loading everything for the decision point ---------------------- */

/* One stored policy (current version), parsed, with its attachments. */
struct vigil_policydb_entry {
	char *tenant_id;
	char *name;
	int64_t version;
	struct vigil_policy *policy; /* parsed current version */
	size_t nattach;
	struct vigil_policydb_attach {
		enum vigil_attach_kind kind;
		char *target;
	} *attach;
};
/* Every tenant's policies (tenant NULL) or one tenant's, sorted by
 * (tenant, name). A stored document that no longer parses (a newer
 * vigil wrote it) is skipped with a warning in err and counted in
 * *skipped. Caller frees with vigil_policydb_entries_free. */
enum vigil_err vigil_policydb_load(struct vigil_store *st, const char *tenant,
    struct vigil_policydb_entry **out /* OUT */, size_t *n /* OUT */,
    size_t *skipped /* OUT */, char *err, size_t errsize);
void vigil_policydb_entries_free(struct vigil_policydb_entry *e, size_t n);

/* ---- the zero-trust generation -------------------------------------- */

/* The current generation (≥ 1); it only grows. */
enum vigil_err vigil_zt_generation(struct vigil_store *st,
    int64_t *gen /* OUT */);
/*
 * What changed in generations (since, upto]: 1 with the ids of the
 * devices concerned (*ids: n entries, caller frees with free()) when
 * every change in the range concerns one device and the log still
 * covers it; 0 when one of them concerns everyone (a policy, an
 * attachment, a revocation, a baseline) or the range is too old or
 * larger than max (reload everything then); negative vigil_err.
 */
int vigil_zt_changes(struct vigil_store *st, int64_t since, int64_t upto,
    size_t max, char (**ids)[VIGIL_UUID_STRLEN] /* OUT */,
    size_t *n /* OUT */);
/* Bumps it: for changes no trigger sees (a vulnerability scan that
 * changed risk scores, an explicit refresh). */
enum vigil_err vigil_zt_bump(struct vigil_store *st);

#ifdef __cplusplus
}
#endif
#endif
