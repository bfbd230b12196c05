/*
 * vigil_policy_to_json: the canonical rendering of a parsed policy
 * (lists always arrays, condition values always strings, empty Sid and
 * Version left out), which vigil_policy_parse reads back unchanged.
 */
#include <stdlib.h>

#include "policy_internal.h"
#include "vigil/json.h"

static json_t *
strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
conds_json(const struct vigil_statement *s)
{
	json_t *o = json_object();
	int ok = o != NULL;

	for (size_t i = 0; ok && i < s->nconds; i++) {
		const struct vigil_cond *c = &s->conds[i];
		const char *op = vigil_cond_op_name(c->op);
		json_t *ov = json_object_get(o, op);

		if (ov == NULL) {
			ov = json_object();
			vigil_json_put(o, op, ov, &ok);
			if (!ok)
				break;
		}
		vigil_json_put(ov, c->key, strv_json(c->values, c->nvalues),
		    &ok);
	}
	if (o == NULL)
		return NULL;
	return vigil_json_done(o, ok);
}

static json_t *
statement_json(const struct vigil_statement *s)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	if (s->sid != NULL && s->sid[0] != '\0')
		vigil_json_put(o, "Sid", json_string(s->sid), &ok);
	vigil_json_put(o, "Effect", json_string(s->effect ==
	    VIGIL_EFFECT_ALLOW ? "Allow" : "Deny"), &ok);
	vigil_json_put(o, "Action", strv_json(s->actions, s->nactions), &ok);
	vigil_json_put(o, "Resource", strv_json(s->resources, s->nresources),
	    &ok);
	if (s->nconds > 0)
		vigil_json_put(o, "Condition", conds_json(s), &ok);
	return vigil_json_done(o, ok);
}

json_t *
vigil_policy_to_json(const struct vigil_policy *p)
{
	json_t *o, *st;
	int ok = 1;

	if (p == NULL)
		return NULL;
	o = json_object();
	if (o == NULL)
		return NULL;
	if (p->version != NULL && p->version[0] != '\0')
		vigil_json_put(o, "Version", json_string(p->version), &ok);
	st = json_array();
	if (st == NULL)
		ok = 0;
	for (size_t i = 0; st != NULL && i < p->nstatements; i++)
		if (json_array_append_new(st,
		    statement_json(&p->statements[i])) != 0)
			ok = 0;
	vigil_json_put(o, "Statement", st, &ok);
	return vigil_json_done(o, ok);
}
