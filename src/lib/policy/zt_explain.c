/*
 * vigil_zt_explain: a decision with everything that went into it (the
 * identity, the device, the policies of its set, the context as the
 * conditions read it, the posture) as JSON, for the API's
 * policy-decisions route and `vigil policy test --device`.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/posture.h"
#include "zt_internal.h"

static json_t *
device_json(const struct zt_dev *e)
{
	json_t *o = json_object(), *labels = json_object();

	if (o == NULL || labels == NULL) {
		json_decref(o);
		json_decref(labels);
		return NULL;
	}
	for (size_t i = 0; i < e->nlabels; i++)
		json_object_set_new(labels, e->labels[i].key,
		    json_string(e->labels[i].value));
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "tenant", json_string(e->tenant));
	json_object_set_new(o, "model", json_string(e->model));
	json_object_set_new(o, "labels", labels);
	json_object_set_new(o, "state",
	    json_string(vigil_device_state_name(e->state)));
	return o;
}

/* "name@version" of every policy in the device's set. */
static json_t *
policies_json(const struct vigil_zt *zt, const struct zt_dev *e)
{
	json_t *a = json_array();

	if (a == NULL || e == NULL || e->set == NULL)
		return a;
	for (size_t i = 0; i < e->set->n; i++) {
		const struct vigil_policydb_entry *p =
		    &zt->ent[e->set->entries[i]];
		char s[VIGIL_POLICY_NAME_MAX + 24];

		snprintf(s, sizeof s, "%s@%lld", p->name,
		    (long long)p->version);
		json_array_append_new(a, json_string(s));
	}
	return a;
}

static json_t *
context_json(const struct zt_trace *t)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	/* Overrides come first in the list and win: keep the first. */
	for (size_t i = 0; i < t->nctx; i++)
		if (json_object_get(o, t->ctx[i].key) == NULL)
			json_object_set_new(o, t->ctx[i].key,
			    json_string(t->ctx[i].value));
	return o;
}

static json_t *
posture_json(struct vigil_zt *zt, const struct zt_dev *e, int64_t now_ms)
{
	struct vigil_posture p;
	char err[256];

	if (e == NULL || vigil_posture_get(zt->st, e->tenant, e->id, e->serial,
	    now_ms, zt->stale_s, &p, err, sizeof err) != VIGIL_OK)
		return json_null();
	return vigil_posture_to_json(&p, now_ms);
}

enum vigil_err
vigil_zt_explain(struct vigil_zt *zt, const struct vigil_zt_query *q,
    json_t **out, char *err, size_t errsize)
{
	struct vigil_zt_answer a;
	struct zt_trace t;
	enum vigil_err rc;
	json_t *o, *dev;
	int r;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if (zt == NULL) {
		snprintf(err, errsize, "no decision service");
		return VIGIL_EINVAL;
	}
	/* Explain is not the hot path: always at the newest generation. */
	r = vigil_zt_refresh(zt, false);
	if (r < 0) {
		snprintf(err, errsize, "%s", zt->err);
		return (enum vigil_err)-r;
	}
	memset(&t, 0, sizeof t);
	t.want_time = true;
	rc = zt_decide_trace(zt, q, &a, &t);
	if (rc != VIGIL_OK) {
		snprintf(err, errsize, "%s", a.d.reason);
		zt_trace_clear(&t);
		return rc;
	}
	o = json_object();
	dev = t.dev != NULL ? device_json(t.dev) : json_null();
	if (o == NULL || dev == NULL) {
		json_decref(o);
		json_decref(dev);
		zt_trace_clear(&t);
		snprintf(err, errsize, "explain: %s",
		    vigil_strerror(VIGIL_ENOMEM));
		return VIGIL_ENOMEM;
	}
	json_object_set_new(o, "decision", json_string(
	    a.d.effect == VIGIL_EFFECT_ALLOW ? "ALLOW" : "DENY"));
	json_object_set_new(o, "reason", json_string(a.d.reason));
	json_object_set_new(o, "policy", json_string(a.d.policy));
	json_object_set_new(o, "statement", json_integer(a.d.statement));
	json_object_set_new(o, "sid", json_string(a.d.sid));
	json_object_set_new(o, "epoch", json_integer(a.epoch));
	json_object_set_new(o, "device", dev);
	json_object_set_new(o, "identity", json_string(t.identity));
	json_object_set_new(o, "policies", policies_json(zt, t.dev));
	json_object_set_new(o, "context", context_json(&t));
	json_object_set_new(o, "posture", posture_json(zt, t.dev, t.now_ms));
	zt_trace_clear(&t);
	*out = o;
	return VIGIL_OK;
}
