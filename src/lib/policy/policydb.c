/*
 * Stored policies (policydb.h): put, get, list, history, rollback and
 * delete of named, versioned policy documents of a tenant. A document
 * is stored in canonical form (parsed, rendered by vigil_policy_to_json
 * with sorted keys), so the same policy written twice is one version
 * and its sha256 names the content. History only grows: a rollback is
 * a new version holding an old one's document. The generation is
 * bumped by the store's triggers, never here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "registry/registry_internal.h"
#include "store/store_internal.h"
#include "store/store_zt.h"
#include "vigil/json.h"
#include "vigil/policydb.h"
#include "vigil/registry.h"

#define RESERVED_PREFIX "vigil-"
#define SHA256_HEX 65
#define HISTORY_ROWS_MAX 100000 /* versions of one policy */
#define LIST_ROWS_MAX 100000    /* policies of one tenant */

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static int64_t
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* A local error buffer when the caller passed none, cleared. */
#define ERRBUF(err, errsize, local)                 \
	do {                                        \
		if ((err) == NULL || (errsize) == 0) {  \
			(err) = (local);                \
			(errsize) = sizeof(local);      \
		}                                   \
		(err)[0] = '\0';                    \
	} while (0)

enum vigil_err
vigil_policydb_check_name(const char *name, char *err, size_t errsize)
{
	size_t n, i;

	if (name == NULL || name[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy name: missing");
	n = strlen(name);
	if (n > VIGIL_POLICY_NAME_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy name: %zu bytes, the limit is %d", n,
		    VIGIL_POLICY_NAME_MAX);
	for (i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "policy name: must be 1 to %d of a-z 0-9 . _ - "
			    "starting with a letter or digit (byte %zu)",
			    VIGIL_POLICY_NAME_MAX, i + 1);
	}
	return VIGIL_OK;
}

/* Free text of at most max bytes (NULL is fine: none given). */
static enum vigil_err
check_text(const char *what, const char *s, size_t max, char *err,
    size_t errsize)
{
	char why[128];

	if (s == NULL || reg_text_ok(s, max, why, sizeof why))
		return VIGIL_OK;
	return vigil_seterr(err, errsize, VIGIL_EINVAL, "policy %s: %s", what,
	    why);
}

/* The canonical text of a document and its sha256 (hex). Parse errors
 * are vigil_policy_parse's own, path included. */
static enum vigil_err
canonical(const char *json, size_t len, char **doc, char sha[SHA256_HEX],
    char *err, size_t errsize)
{
	struct vigil_policy *p = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	enum vigil_err rc;
	json_t *j;

	*doc = NULL;
	if (json == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy document: missing");
	if ((rc = vigil_policy_parse(json, len, &p, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	j = vigil_policy_to_json(p);
	vigil_policy_free(p);
	if (j != NULL)
		*doc = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (*doc == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy document: out of memory");
	if (EVP_Digest(*doc, strlen(*doc), md, &mdlen, EVP_sha256(), NULL) !=
	    1 || vigil_hex_encode(md, mdlen, sha, SHA256_HEX) != VIGIL_OK) {
		free(*doc);
		*doc = NULL;
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy document: sha256 failed");
	}
	return VIGIL_OK;
}

/* The put / rollback rendering of the policy row after the change. */
static json_t *
put_json(const json_t *pol, const char *sha, bool changed)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "id", json_string(str(pol, "id")), &ok);
	vigil_json_put(o, "name", json_string(str(pol, "name")), &ok);
	vigil_json_put(o, "tenant", json_string(str(pol, "tenant_id")), &ok);
	vigil_json_put(o, "version", json_integer(num(pol, "version")), &ok);
	vigil_json_put(o, "sha256", json_string(sha), &ok);
	vigil_json_put(o, "created", vigil_json_time(num(pol,
	    "created_ms")), &ok);
	vigil_json_put(o, "updated", vigil_json_time(num(pol,
	    "updated_ms")), &ok);
	vigil_json_put(o, "description", json_string(str(pol,
	    "description")), &ok);
	vigil_json_put(o, "changed", json_boolean(changed), &ok);
	return vigil_json_done(o, ok);
}

/* What a new version is made of. */
struct newver {
	const char *doc;
	const char *sha;
	const char *description; /* NULL: keep */
	const char *actor;
	const char *comment;
	int64_t rollback_of; /* 0: none */
};

/* Inserts version cur+1 of the policy row pol and moves the policy to
 * it. Inside the caller's transaction. */
static enum vigil_err
add_version(struct vigil_store *st, const json_t *pol,
    const struct newver *v, char *err, size_t errsize)
{
	int64_t now = vigil_time_now_ms(), ver = num(pol, "version") + 1;
	struct store_arg a[8];
	enum vigil_err rc;

	a[0] = SA_S(str(pol, "id"));
	a[1] = SA_I(ver);
	a[2] = SA_S(v->doc);
	a[3] = SA_S(v->sha);
	a[4] = SA_S(v->actor != NULL ? v->actor : "");
	a[5] = SA_S(v->comment != NULL ? v->comment : "");
	a[6] = v->rollback_of > 0 ? SA_I(v->rollback_of) :
	    (struct store_arg){ .type = SA_NULL };
	a[7] = SA_I(now);
	if ((rc = store_zt_exec(st, ZT_VERSION_INSERT, a, 8, NULL)) !=
	    VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	a[1] = SA_I(ver);
	a[2] = SA_S(v->description != NULL ? v->description :
	    str(pol, "description"));
	a[3] = SA_I(now);
	if ((rc = store_zt_exec(st, ZT_POLICY_UPDATE, a, 4, NULL)) !=
	    VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	return VIGIL_OK;
}

/* A new policy at version 1. */
static enum vigil_err
create(struct vigil_store *st, const char *tenant, const char *name,
    const struct newver *v, char *err, size_t errsize)
{
	char id[VIGIL_UUID_STRLEN];
	struct store_arg a[8];
	struct vigil_tenant t;
	enum vigil_err rc;
	int64_t now = vigil_time_now_ms();

	if ((rc = vigil_tenant_show(st, tenant, &t)) != VIGIL_OK) {
		if (rc == VIGIL_ENOTFOUND)
			return vigil_seterr(err, errsize, rc,
			    "tenant %s not found", tenant);
		return store_zt_err(st, rc, err, errsize);
	}
	if ((rc = vigil_uuid7(id)) != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "policy %s: no id: %s",
		    name, vigil_strerror(rc));
	a[0] = SA_S(id);
	a[1] = SA_S(tenant);
	a[2] = SA_S(name);
	a[3] = SA_I(1);
	a[4] = SA_S(v->description != NULL ? v->description : "");
	a[5] = SA_I(now);
	if ((rc = store_zt_exec(st, ZT_POLICY_INSERT, a, 6, NULL)) !=
	    VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	a[1] = SA_I(1);
	a[2] = SA_S(v->doc);
	a[3] = SA_S(v->sha);
	a[4] = SA_S(v->actor != NULL ? v->actor : "");
	a[5] = SA_S(v->comment != NULL ? v->comment : "");
	a[6] = (struct store_arg){ .type = SA_NULL };
	a[7] = SA_I(now);
	if ((rc = store_zt_exec(st, ZT_VERSION_INSERT, a, 8, NULL)) !=
	    VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	return VIGIL_OK;
}

/* The version row `version` of policy row pol; "policy P has no
 * version N" when there is none. */
static enum vigil_err
version_row(struct vigil_store *st, const json_t *pol, int64_t version,
    json_t **row, char *err, size_t errsize)
{
	struct store_arg a[2] = { SA_S(str(pol, "id")), SA_I(version) };
	enum vigil_err rc;

	rc = store_zt_row(st, ZT_VERSION_GET, a, 2, row);
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc,
		    "policy %s has no version %lld", str(pol, "name"),
		    (long long)version);
	if (rc != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	return VIGIL_OK;
}

/* The put, inside a transaction: *pol the policy row afterwards. */
static enum vigil_err
put_tx(struct vigil_store *st, const char *tenant, const char *name,
    const struct newver *v, int64_t expected, json_t **pol, bool *changed,
    char *err, size_t errsize)
{
	json_t *cur = NULL;
	enum vigil_err rc;

	*changed = false;
	rc = store_zt_policy(st, tenant, name, pol, err, errsize);
	if (rc == VIGIL_ENOTFOUND) {
		err[0] = '\0';
		if (expected > 0)
			return vigil_seterr(err, errsize, VIGIL_ECONFLICT,
			    "policy %s does not exist, not at version %lld",
			    name, (long long)expected);
		if ((rc = create(st, tenant, name, v, err, errsize)) !=
		    VIGIL_OK)
			return rc;
		*changed = true;
		return store_zt_policy(st, tenant, name, pol, err, errsize);
	}
	if (rc != VIGIL_OK)
		return rc;
	if (expected > 0 && num(*pol, "version") != expected)
		return vigil_seterr(err, errsize, VIGIL_ECONFLICT,
		    "policy %s is at version %lld, not %lld", name,
		    (long long)num(*pol, "version"), (long long)expected);
	if ((rc = version_row(st, *pol, num(*pol, "version"), &cur, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (strcmp(str(cur, "sha256"), v->sha) == 0 &&
	    strcmp(str(cur, "document"), v->doc) == 0) {
		json_decref(cur);
		/* Same content: only a new description is written. */
		if (v->description == NULL ||
		    strcmp(v->description, str(*pol, "description")) == 0)
			return VIGIL_OK;
		struct store_arg a[4] = { SA_S(str(*pol, "id")),
			SA_I(num(*pol, "version")), SA_S(v->description),
			SA_I(vigil_time_now_ms()) };

		if ((rc = store_zt_exec(st, ZT_POLICY_UPDATE, a, 4, NULL)) !=
		    VIGIL_OK)
			return store_zt_err(st, rc, err, errsize);
	} else {
		json_decref(cur);
		if ((rc = add_version(st, *pol, v, err, errsize)) != VIGIL_OK)
			return rc;
		*changed = true;
	}
	json_decref(*pol);
	*pol = NULL;
	return store_zt_policy(st, tenant, name, pol, err, errsize);
}

/* Runs put_tx in its own transaction and renders the result. */
static enum vigil_err
put_run(struct vigil_store *st, const char *tenant, const char *name,
    const struct newver *v, int64_t expected, json_t **out, char *err,
    size_t errsize)
{
	json_t *pol = NULL;
	enum vigil_err rc;
	bool changed = false;

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	rc = put_tx(st, tenant, name, v, expected, &pol, &changed, err,
	    errsize);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK) {
		json_decref(pol);
		return err[0] != '\0' ? rc : store_zt_err(st, rc, err,
		    errsize);
	}
	if (out != NULL && (*out = put_json(pol, v->sha, changed)) == NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy %s: out of memory", name);
	json_decref(pol);
	return rc;
}

/* Checks shared by every function naming a policy. */
static enum vigil_err
check_args(const char *tenant, const char *name, char *err, size_t errsize)
{
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy: tenant missing");
	return vigil_policydb_check_name(name, err, errsize);
}

enum vigil_err
vigil_policydb_put(struct vigil_store *st, const char *tenant,
    const char *name, const char *json, size_t len, const char *description,
    int64_t expected_version, const char *actor, const char *comment,
    json_t **out, char *err, size_t errsize)
{
	struct newver v = { 0 };
	char lerr[512], sha[SHA256_HEX], *doc = NULL;
	enum vigil_err rc;

	ERRBUF(err, errsize, lerr);
	if (out != NULL)
		*out = NULL;
	if ((rc = check_args(tenant, name, err, errsize)) != VIGIL_OK)
		return rc;
	if (strncmp(name, RESERVED_PREFIX, strlen(RESERVED_PREFIX)) == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: policy names starting with %s are reserved "
		    "for built-in policies", name, RESERVED_PREFIX);
	if ((rc = check_text("description", description,
	    VIGIL_POLICY_COMMENT_MAX, err, errsize)) != VIGIL_OK ||
	    (rc = check_text("comment", comment, VIGIL_POLICY_COMMENT_MAX,
	    err, errsize)) != VIGIL_OK ||
	    (rc = check_text("author", actor, VIGIL_ACTOR_MAX, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if ((rc = canonical(json, len, &doc, sha, err, errsize)) != VIGIL_OK)
		return rc;
	v.doc = doc;
	v.sha = sha;
	v.description = description;
	v.actor = actor;
	v.comment = comment;
	rc = put_run(st, tenant, name, &v, expected_version, out, err,
	    errsize);
	free(doc);
	return rc;
}

enum vigil_err
vigil_policydb_rollback(struct vigil_store *st, const char *tenant,
    const char *name, int64_t version, const char *actor,
    const char *comment, json_t **out, char *err, size_t errsize)
{
	json_t *pol = NULL, *old = NULL, *cur = NULL;
	struct newver v = { 0 };
	char lerr[512];
	enum vigil_err rc;
	bool began = false;

	ERRBUF(err, errsize, lerr);
	if (out != NULL)
		*out = NULL;
	if ((rc = check_args(tenant, name, err, errsize)) != VIGIL_OK)
		return rc;
	if (version < 1)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: version %lld: versions start at 1", name,
		    (long long)version);
	if ((rc = check_text("comment", comment, VIGIL_POLICY_COMMENT_MAX,
	    err, errsize)) != VIGIL_OK || (rc = check_text("author", actor,
	    VIGIL_ACTOR_MAX, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	if ((rc = store_zt_policy(st, tenant, name, &pol, err, errsize)) ==
	    VIGIL_OK && (rc = version_row(st, pol, version, &old, err,
	    errsize)) == VIGIL_OK)
		rc = version_row(st, pol, num(pol, "version"), &cur, err,
		    errsize);
	store_read_end(st, began);
	if (rc == VIGIL_OK && strcmp(str(old, "document"),
	    str(cur, "document")) == 0)
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: version %lld is the current content (version "
		    "%lld)", name, (long long)version,
		    (long long)num(pol, "version"));
	if (rc == VIGIL_OK) {
		v.doc = str(old, "document");
		v.sha = str(old, "sha256");
		v.actor = actor;
		v.comment = comment;
		v.rollback_of = version;
		/* Conditional on the version seen: a put in between makes
		 * the check above stale. */
		rc = put_run(st, tenant, name, &v, num(pol, "version"), out,
		    err, errsize);
	}
	json_decref(pol);
	json_decref(old);
	json_decref(cur);
	return rc;
}

/* The get rendering; attachments appended by the caller. */
static json_t *
get_json(const json_t *pol, const json_t *ver, json_t *doc)
{
	json_t *o = json_object();
	int ok = o != NULL;
	const json_t *rb = json_object_get(ver, "rollback_of");

	vigil_json_put(o, "id", json_string(str(pol, "id")), &ok);
	vigil_json_put(o, "name", json_string(str(pol, "name")), &ok);
	vigil_json_put(o, "tenant", json_string(str(pol, "tenant_id")), &ok);
	vigil_json_put(o, "version", json_integer(num(ver, "version")), &ok);
	vigil_json_put(o, "current_version", json_integer(num(pol,
	    "version")), &ok);
	vigil_json_put(o, "description", json_string(str(pol,
	    "description")), &ok);
	vigil_json_put(o, "sha256", json_string(str(ver, "sha256")), &ok);
	vigil_json_put(o, "author", json_string(str(ver, "author")), &ok);
	vigil_json_put(o, "comment", json_string(str(ver, "comment")), &ok);
	vigil_json_put(o, "rollback_of", json_is_integer(rb) ?
	    json_integer(json_integer_value(rb)) : json_null(), &ok);
	vigil_json_put(o, "created", vigil_json_time(num(ver, "created_ms")),
	    &ok);
	vigil_json_put(o, "document", doc, &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_policydb_get(struct vigil_store *st, const char *tenant,
    const char *name, int64_t version, json_t **out, char *err,
    size_t errsize)
{
	json_t *pol = NULL, *ver = NULL, *doc = NULL, *att = NULL;
	const char *text;
	char lerr[512];
	enum vigil_err rc;
	bool began = false;

	ERRBUF(err, errsize, lerr);
	*out = NULL;
	if ((rc = check_args(tenant, name, err, errsize)) != VIGIL_OK)
		return rc;
	if (version < 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: version %lld: 0 (current) or a version", name,
		    (long long)version);
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	if ((rc = store_zt_policy(st, tenant, name, &pol, err, errsize)) ==
	    VIGIL_OK && (rc = version_row(st, pol, version > 0 ? version :
	    num(pol, "version"), &ver, err, errsize)) == VIGIL_OK)
		rc = vigil_policydb_attachments(st, tenant, name, &att, err,
		    errsize);
	store_read_end(st, began);
	if (rc == VIGIL_OK) {
		text = str(ver, "document");
		char why[256];

		if (vigil_json_loadb(text, strlen(text), &doc, why,
		    sizeof why) != VIGIL_OK) {
			rc = vigil_seterr(err, errsize, VIGIL_ESTORE,
			    "policy %s version %lld: stored document: %s",
			    name, (long long)num(ver, "version"), why);
		}
	}
	if (rc == VIGIL_OK) {
		*out = get_json(pol, ver, doc);
		doc = NULL;
		if (*out == NULL || json_object_set(*out, "attachments",
		    json_object_get(att, "attachments")) != 0) {
			json_decref(*out);
			*out = NULL;
			rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
			    "policy %s: out of memory", name);
		}
	}
	json_decref(doc);
	json_decref(att);
	json_decref(pol);
	json_decref(ver);
	return rc;
}

static json_t *
list_item(const json_t *r)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "name", json_string(str(r, "name")), &ok);
	vigil_json_put(o, "version", json_integer(num(r, "version")), &ok);
	vigil_json_put(o, "description", json_string(str(r, "description")),
	    &ok);
	vigil_json_put(o, "updated", vigil_json_time(num(r, "updated_ms")),
	    &ok);
	vigil_json_put(o, "attachments", json_integer(num(r, "attachments")),
	    &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_policydb_list(struct vigil_store *st, const char *tenant,
    json_t **out, char *err, size_t errsize)
{
	struct store_arg a[1] = { SA_S(tenant) };
	json_t *rows = NULL;
	char lerr[512];
	enum vigil_err rc;
	int ok;

	ERRBUF(err, errsize, lerr);
	*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policies: tenant missing");
	if ((rc = store_zt_rows(st, ZT_POLICY_LIST, a, 1, LIST_ROWS_MAX,
	    &rows)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	*out = json_object();
	ok = *out != NULL;
	vigil_json_put(*out, "policies", vigil_json_map(rows, list_item), &ok);
	json_decref(rows);
	if ((*out = vigil_json_done(*out, ok)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policies: out of memory");
	return VIGIL_OK;
}

static json_t *
history_item(const json_t *r)
{
	json_t *o = json_object();
	const json_t *rb = json_object_get(r, "rollback_of");
	int ok = o != NULL;

	vigil_json_put(o, "version", json_integer(num(r, "version")), &ok);
	vigil_json_put(o, "sha256", json_string(str(r, "sha256")), &ok);
	vigil_json_put(o, "author", json_string(str(r, "author")), &ok);
	vigil_json_put(o, "comment", json_string(str(r, "comment")), &ok);
	vigil_json_put(o, "rollback_of", json_is_integer(rb) ?
	    json_integer(json_integer_value(rb)) : json_null(), &ok);
	vigil_json_put(o, "created", vigil_json_time(num(r, "created_ms")),
	    &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_policydb_history(struct vigil_store *st, const char *tenant,
    const char *name, json_t **out, char *err, size_t errsize)
{
	json_t *pol = NULL, *rows = NULL;
	struct store_arg a[1];
	char lerr[512];
	enum vigil_err rc;
	bool began = false;
	int ok = 0;

	ERRBUF(err, errsize, lerr);
	*out = NULL;
	if ((rc = check_args(tenant, name, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	if ((rc = store_zt_policy(st, tenant, name, &pol, err, errsize)) ==
	    VIGIL_OK) {
		a[0] = SA_S(str(pol, "id"));
		if ((rc = store_zt_rows(st, ZT_VERSION_LIST, a, 1,
		    HISTORY_ROWS_MAX, &rows)) != VIGIL_OK)
			store_zt_err(st, rc, err, errsize);
	}
	store_read_end(st, began);
	json_decref(pol);
	if (rc != VIGIL_OK)
		return rc;
	*out = json_object();
	ok = *out != NULL;
	vigil_json_put(*out, "name", json_string(name), &ok);
	vigil_json_put(*out, "versions", vigil_json_map(rows, history_item),
	    &ok);
	json_decref(rows);
	if ((*out = vigil_json_done(*out, ok)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy %s: out of memory", name);
	return VIGIL_OK;
}

enum vigil_err
vigil_policydb_delete(struct vigil_store *st, const char *tenant,
    const char *name, char *err, size_t errsize)
{
	struct store_arg a[1];
	json_t *pol = NULL;
	char lerr[512];
	enum vigil_err rc;

	ERRBUF(err, errsize, lerr);
	if ((rc = check_args(tenant, name, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	/* Versions and attachments go with it (ON DELETE CASCADE). */
	if ((rc = store_zt_policy(st, tenant, name, &pol, err, errsize)) ==
	    VIGIL_OK) {
		a[0] = SA_S(str(pol, "id"));
		if ((rc = store_zt_exec(st, ZT_POLICY_DELETE, a, 1, NULL)) !=
		    VIGIL_OK)
			store_zt_err(st, rc, err, errsize);
	}
	json_decref(pol);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK && err[0] == '\0')
		store_zt_err(st, rc, err, errsize);
	return rc;
}
