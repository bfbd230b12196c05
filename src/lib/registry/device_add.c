/*
 * Adding a device: validate everything, report every problem at once,
 * insert inside a savepoint, and explain uniqueness failures. The same
 * body serves vigil_device_add and each row of a bulk import.
 */
#include <stdio.h>
#include <string.h>

#include "registry_internal.h"

static void
check_spec(struct reg_ctx *c, const struct vigil_device_spec *spec,
    const char *actor)
{
	struct reg_problems *p = &c->prob;

	reg_check_actor(p, actor, NULL);
	if (spec->name != NULL && spec->name[0] != '\0')
		reg_check_name(p, spec->name, NULL);
	reg_check_field(p, "model", spec->model, VIGIL_DEVICE_MODEL_MAX, true);
	if (spec->gtin != NULL && spec->gtin[0] != '\0')
		reg_gtin(c, spec->gtin, c->gtin);
	reg_check_field(p, "region", spec->region, VIGIL_DEVICE_REGION_MAX,
	    true);
	reg_check_field(p, "owner", spec->owner, VIGIL_DEVICE_OWNER_MAX,
	    false);
	if ((int)spec->state < VIGIL_DEV_NONE ||
	    (int)spec->state > VIGIL_DEV_RETIRED)
		reg_problem(p, "state: unknown state %d", (int)spec->state);
	if (spec->nlabels > 0 && spec->labels == NULL)
		reg_problem(p, "labels: %zu announced, none given",
		    spec->nlabels);
	else
		reg_check_labels(p, spec->labels, spec->nlabels);
	if (spec->nidents > 0 && spec->idents == NULL)
		reg_problem(p, "identifiers: %zu announced, none given",
		    spec->nidents);
	else
		for (size_t i = 0; i < spec->nidents; i++)
			reg_ident_parse(c, spec->idents[i].type,
			    spec->idents[i].value);
}

enum vigil_err
reg_device_create(struct reg_ctx *c, const struct vigil_device_spec *spec,
    const char *actor)
{
	struct vigil_store *st = c->st;
	struct store_device_row row;
	struct store_history_row h;
	const char *name;
	char detail[128];
	enum vigil_err rc;
	int64_t now;

	c->nidents = 0;
	c->gtin[0] = '\0';
	check_spec(c, spec, actor);
	if (vigil_uuid7(c->device_id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO,
		    "registry: cannot generate a device id");
	name = spec->name != NULL && spec->name[0] != '\0' ? spec->name :
	    c->device_id;
	reg_ident_scopes(c, 0, c->gtin[0] != '\0' ? c->gtin :
	    (spec->model != NULL ? spec->model : ""), c->device_id);
	reg_ident_repeats(c, 0);
	if (c->prob.n > 0) {
		/* Report clashes of the valid parts too: one pass shows the
		 * user everything to fix in this device. */
		if ((rc = reg_diagnose_clashes(c, 0, spec->name != NULL &&
		    spec->name[0] != '\0' ? spec->name : NULL,
		    c->device_id)) != VIGIL_OK)
			return rc;
		return reg_problems_fail(st, &c->prob, VIGIL_EINVAL);
	}

	now = vigil_time_now_ms();
	row.id = c->device_id;
	row.name = name;
	row.model = spec->model;
	row.gtin = c->gtin;
	row.region = spec->region;
	row.owner = spec->owner;
	row.state = spec->state != VIGIL_DEV_NONE ? spec->state :
	    VIGIL_DEV_REGISTERED;
	row.created_ms = now;
	row.updated_ms = now;
	for (size_t i = 0; i < c->nidents; i++) {
		c->rows[i].type = c->idents[i].type;
		c->rows[i].value = c->idents[i].value;
		c->rows[i].match_key = c->idents[i].key;
		c->rows[i].uniq_scope = c->idents[i].scope;
	}
	snprintf(detail, sizeof detail, "created: %zu identifier%s, %zu "
	    "label%s", c->nidents, c->nidents == 1 ? "" : "s",
	    spec->nlabels, spec->nlabels == 1 ? "" : "s");
	h.at_ms = now;
	h.event = "create";
	h.from = VIGIL_DEV_NONE;
	h.to = row.state;
	h.detail = detail;
	h.actor = actor;
	h.reason = c->import_id != NULL ? "import" : "";
	h.import_id = c->import_id;
	h.import_line = (int64_t)c->line;

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_device_create(st, c->tenant.id, &row, c->nidents, c->rows,
	    spec->nlabels, spec->labels, &h);
	if (rc == VIGIL_OK)
		return vigil_store_commit(st);
	vigil_store_rollback(st);
	if (rc != VIGIL_EEXIST)
		return rc;
	/* A unique index refused the row: say which part and whose. */
	{
		char saved[VIGIL_STORE_MAX_ERR];
		enum vigil_err drc;

		memcpy(saved, st->err, sizeof saved);
		drc = reg_diagnose_clashes(c, 0, spec->name != NULL &&
		    spec->name[0] != '\0' ? spec->name : NULL, c->device_id);
		if (drc != VIGIL_OK)
			return drc;
		if (c->prob.n == 0) {
			memcpy(st->err, saved, sizeof saved);
			reg_problem(&c->prob, "%s", saved);
		}
	}
	return reg_problems_fail(st, &c->prob, VIGIL_EEXIST);
}

enum vigil_err
vigil_device_add(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_spec *spec, const char *actor,
    struct vigil_device **out)
{
	struct reg_ctx *c;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	store_clearerr(st);
	if (spec == NULL)
		return store_seterr(st, VIGIL_EINVAL, "device: no spec given");
	if ((rc = reg_ctx_new(st, tenant_id, &c)) != VIGIL_OK)
		return rc;
	reg_problems_reset(&c->prob);
	rc = reg_device_create(c, spec, actor);
	if (rc == VIGIL_OK && out != NULL)
		rc = store_device_load(st, c->tenant.id, c->device_id, out);
	reg_ctx_free(c);
	return rc;
}
