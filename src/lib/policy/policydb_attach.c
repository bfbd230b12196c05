/*
 * Policy attachments (policydb.h): which devices a stored policy
 * applies to — the whole tenant, a device model, a label selector
 * ("key=value", checked like device labels) or one device (stored by
 * id; a name is resolved in the tenant when attaching). The store's
 * triggers bump the generation on every attach and detach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry_internal.h"
#include "store/store_internal.h"
#include "store/store_zt.h"
#include "vigil/json.h"
#include "vigil/policydb.h"
#include "vigil/registry.h"

#define ATTACH_ROWS_MAX 100000 /* attachments of one tenant */

static const char *const kind_names[] = {
	[VIGIL_ATTACH_NONE] = "none",
	[VIGIL_ATTACH_TENANT] = "tenant",
	[VIGIL_ATTACH_MODEL] = "model",
	[VIGIL_ATTACH_LABEL] = "label",
	[VIGIL_ATTACH_DEVICE] = "device",
};

const char *
vigil_attach_kind_name(enum vigil_attach_kind k)
{
	if ((int)k < 0 || (size_t)k >= sizeof kind_names / sizeof *kind_names)
		return "none";
	return kind_names[k];
}

enum vigil_attach_kind
vigil_attach_kind_from_name(const char *s)
{
	size_t i;

	if (s == NULL)
		return VIGIL_ATTACH_NONE;
	for (i = VIGIL_ATTACH_TENANT; i < sizeof kind_names /
	    sizeof *kind_names; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (enum vigil_attach_kind)i;
	return VIGIL_ATTACH_NONE;
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* A label selector "key=value": the key as a device label key, the
 * value as a device label value. */
static enum vigil_err
check_label(const char *name, const char *t, char *err, size_t errsize)
{
	char key[VIGIL_LABEL_KEY_MAX + 1], why[128];
	const char *eq = strchr(t, '=');
	size_t n;

	if (eq == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: label selector: expected key=value", name);
	/* Key and value fit device labels; the pair must fit the stored
	 * target too. */
	if (strlen(t) > VIGIL_POLICY_TARGET_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: label selector: %zu bytes, the limit is %d",
		    name, strlen(t), VIGIL_POLICY_TARGET_MAX);
	n = (size_t)(eq - t);
	if (n == 0 || n > VIGIL_LABEL_KEY_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: label selector: key must be 1 to %d of a-z "
		    "0-9 _ . - /", name, VIGIL_LABEL_KEY_MAX);
	memcpy(key, t, n);
	key[n] = '\0';
	if (!reg_label_key_ok(key))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: label selector: key must be 1 to %d of a-z "
		    "0-9 _ . - /", name, VIGIL_LABEL_KEY_MAX);
	if (!reg_text_ok(eq + 1, VIGIL_LABEL_VALUE_MAX, why, sizeof why))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: label selector %s: value %s", name, key, why);
	return VIGIL_OK;
}

/*
 * Checks kind and target; a device target becomes the device's id in
 * id (its name in dname). A device that cannot be resolved is kept as
 * given when `lenient` (detaching from a device since deleted).
 */
static enum vigil_err
check_target(struct vigil_store *st, const char *tenant, const char *name,
    enum vigil_attach_kind kind, const char *t, bool lenient,
    char id[VIGIL_UUID_STRLEN], char **dname, char *err, size_t errsize)
{
	struct vigil_device *d = NULL;
	char why[128];
	enum vigil_err rc;

	id[0] = '\0';
	*dname = NULL;
	switch (kind) {
	case VIGIL_ATTACH_TENANT:
		if (t[0] != '\0')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "policy %s: a tenant attachment has no target",
			    name);
		return VIGIL_OK;
	case VIGIL_ATTACH_MODEL:
		if (t[0] == '\0')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "policy %s: model: missing", name);
		if (!reg_text_ok(t, VIGIL_DEVICE_MODEL_MAX, why, sizeof why))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "policy %s: model %s", name, why);
		return VIGIL_OK;
	case VIGIL_ATTACH_LABEL:
		return check_label(name, t, err, errsize);
	case VIGIL_ATTACH_DEVICE:
		break;
	case VIGIL_ATTACH_NONE:
	default:
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: attachment kind must be tenant, model, label "
		    "or device", name);
	}
	if (t[0] == '\0' || strlen(t) > VIGIL_POLICY_TARGET_MAX ||
	    !reg_text_ok(t, VIGIL_POLICY_TARGET_MAX, why, sizeof why))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: device: expected a device id or name", name);
	rc = vigil_device_get(st, tenant, t, &d);
	if (rc == VIGIL_ENOTFOUND && lenient && strlen(t) <
	    VIGIL_UUID_STRLEN) {
		snprintf(id, VIGIL_UUID_STRLEN, "%s", t);
		return VIGIL_OK;
	}
	if (rc == VIGIL_ENOTFOUND) {
		char q[REG_QUOTE_SIZE];

		return vigil_seterr(err, errsize, rc, "device %s not found",
		    reg_quote(t, q, sizeof q));
	}
	if (rc != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	snprintf(id, VIGIL_UUID_STRLEN, "%s", d->id);
	*dname = strdup(d->name);
	vigil_device_free(d);
	if (*dname == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy %s: out of memory", name);
	return VIGIL_OK;
}

static json_t *
attach_json(const char *name, enum vigil_attach_kind kind,
    const char *target, const char *dname)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "policy", json_string(name), &ok);
	vigil_json_put(o, "kind", json_string(vigil_attach_kind_name(kind)),
	    &ok);
	vigil_json_put(o, "target", json_string(target), &ok);
	if (dname != NULL)
		vigil_json_put(o, "device_name", json_string(dname), &ok);
	return vigil_json_done(o, ok);
}

/* attach (detach false) or detach, inside a transaction. */
static enum vigil_err
change(struct vigil_store *st, const char *tenant, const char *name,
    enum vigil_attach_kind kind, const char *target, const char *actor,
    bool detach, json_t **out, char *err, size_t errsize)
{
	char id[VIGIL_UUID_STRLEN], why[128];
	const char *t = target != NULL ? target : "";
	struct store_arg a[6];
	json_t *pol = NULL;
	char *dname = NULL;
	enum vigil_err rc;
	int n = 0;

	if (actor != NULL && !reg_text_ok(actor, VIGIL_ACTOR_MAX, why,
	    sizeof why))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy %s: author %s", name, why);
	if ((rc = store_zt_policy(st, tenant, name, &pol, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if ((rc = check_target(st, tenant, name, kind, t, detach, id, &dname,
	    err, errsize)) != VIGIL_OK)
		goto done;
	if (kind == VIGIL_ATTACH_DEVICE)
		t = id;
	a[0] = SA_S(str(pol, "id"));
	if (detach) {
		a[1] = SA_S(vigil_attach_kind_name(kind));
		a[2] = SA_S(t);
		rc = store_zt_exec(st, ZT_ATTACH_DELETE, a, 3, &n);
	} else {
		a[1] = SA_S(tenant);
		a[2] = SA_S(vigil_attach_kind_name(kind));
		a[3] = SA_S(t);
		a[4] = SA_S(actor != NULL ? actor : "");
		a[5] = SA_I(vigil_time_now_ms());
		rc = store_zt_exec(st, ZT_ATTACH_INSERT, a, 6, &n);
	}
	if (rc != VIGIL_OK) {
		store_zt_err(st, rc, err, errsize);
		goto done;
	}
	if (n == 0) {
		rc = vigil_seterr(err, errsize, detach ? VIGIL_ENOTFOUND :
		    VIGIL_EEXIST, "policy %s is %s attached to %s%s%s", name,
		    detach ? "not" : "already", vigil_attach_kind_name(kind),
		    t[0] != '\0' ? " " : "", dname != NULL ? dname : t);
		goto done;
	}
	if (out != NULL && (*out = attach_json(name, kind, t, dname)) ==
	    NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy %s: out of memory", name);
done:
	free(dname);
	json_decref(pol);
	return rc;
}

static enum vigil_err
attach_run(struct vigil_store *st, const char *tenant, const char *name,
    enum vigil_attach_kind kind, const char *target, const char *actor,
    bool detach, json_t **out, char *err, size_t errsize)
{
	char lerr[512];
	enum vigil_err rc;

	if (err == NULL || errsize == 0) {
		err = lerr;
		errsize = sizeof lerr;
	}
	err[0] = '\0';
	if (out != NULL)
		*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy: tenant missing");
	if ((rc = vigil_policydb_check_name(name, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	rc = change(st, tenant, name, kind, target, actor, detach, out, err,
	    errsize);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK) {
		if (out != NULL) {
			json_decref(*out);
			*out = NULL;
		}
		if (err[0] == '\0')
			store_zt_err(st, rc, err, errsize);
	}
	return rc;
}

enum vigil_err
vigil_policydb_attach(struct vigil_store *st, const char *tenant,
    const char *name, enum vigil_attach_kind kind, const char *target,
    const char *actor, json_t **out, char *err, size_t errsize)
{
	return attach_run(st, tenant, name, kind, target, actor, false, out,
	    err, errsize);
}

enum vigil_err
vigil_policydb_detach(struct vigil_store *st, const char *tenant,
    const char *name, enum vigil_attach_kind kind, const char *target,
    json_t **out, char *err, size_t errsize)
{
	return attach_run(st, tenant, name, kind, target, NULL, true, out,
	    err, errsize);
}

static json_t *
list_item(const json_t *r)
{
	json_t *o = json_object();
	const json_t *dn = json_object_get(r, "device_name");
	int ok = o != NULL;

	vigil_json_put(o, "policy", json_string(str(r, "policy")), &ok);
	vigil_json_put(o, "kind", json_string(str(r, "kind")), &ok);
	vigil_json_put(o, "target", json_string(str(r, "target")), &ok);
	if (json_is_string(dn))
		vigil_json_put(o, "device_name", json_copy((json_t *)dn),
		    &ok);
	vigil_json_put(o, "author", json_string(str(r, "author")), &ok);
	vigil_json_put(o, "created", vigil_json_time(json_integer_value(
	    json_object_get(r, "created_ms"))), &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_policydb_attachments(struct vigil_store *st, const char *tenant,
    const char *name, json_t **out, char *err, size_t errsize)
{
	json_t *pol = NULL, *rows = NULL;
	struct store_arg a[2];
	char lerr[512];
	enum vigil_err rc;
	bool began = false;
	int ok;

	if (err == NULL || errsize == 0) {
		err = lerr;
		errsize = sizeof lerr;
	}
	err[0] = '\0';
	*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy attachments: tenant missing");
	if (name != NULL && (rc = vigil_policydb_check_name(name, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	if (name != NULL)
		rc = store_zt_policy(st, tenant, name, &pol, err, errsize);
	if (rc == VIGIL_OK) {
		a[0] = SA_S(tenant);
		a[1] = SA_S(pol != NULL ? str(pol, "id") : NULL);
		if ((rc = store_zt_rows(st, ZT_ATTACH_LIST, a, 2,
		    ATTACH_ROWS_MAX, &rows)) != VIGIL_OK)
			store_zt_err(st, rc, err, errsize);
	}
	store_read_end(st, began);
	json_decref(pol);
	if (rc != VIGIL_OK)
		return rc;
	*out = json_object();
	ok = *out != NULL;
	vigil_json_put(*out, "attachments", vigil_json_map(rows, list_item),
	    &ok);
	json_decref(rows);
	if ((*out = vigil_json_done(*out, ok)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy attachments: out of memory");
	return VIGIL_OK;
}
