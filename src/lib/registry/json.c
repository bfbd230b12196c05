/*
 * JSON renderings of registry results, shared by the CLI and the HTTP
 * API so both print the same thing. Times are RFC 3339 UTC strings.
 */
#include "registry_internal.h"

/* json_object_set_new that tracks failure in *ok (jansson steals the
 * value's reference even on failure). */
static void
put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*ok = 0;
}

static json_t *
time_json(int64_t ms)
{
	char buf[VIGIL_RFC3339_LEN];

	if (ms <= 0)
		return json_null();
	vigil_time_format(ms, buf);
	return json_string(buf);
}

json_t *
vigil_tenant_to_json(const struct vigil_tenant *t)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	put(o, "id", json_string(t->id), &ok);
	put(o, "name", json_string(t->name), &ok);
	put(o, "display_name", json_string(t->display_name), &ok);
	put(o, "created", time_json(t->created_ms), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
vigil_device_to_json(const struct vigil_device *d, unsigned flags)
{
	json_t *o = json_object(), *ids = json_array(), *labels = json_object();
	int ok = o != NULL && ids != NULL && labels != NULL;

	if (!ok) {
		json_decref(o);
		json_decref(ids);
		json_decref(labels);
		return NULL;
	}
	put(o, "id", json_string(d->id), &ok);
	put(o, "tenant_id", json_string(d->tenant_id), &ok);
	put(o, "name", json_string(d->name), &ok);
	put(o, "model", json_string(d->model), &ok);
	put(o, "gtin", json_string(d->gtin), &ok);
	put(o, "state", json_string(vigil_device_state_name(d->state)), &ok);
	put(o, "region", json_string(d->region), &ok);
	if (!(flags & VIGIL_JSON_REDACT_PERSONAL))
		put(o, "owner", json_string(d->owner), &ok);
	for (size_t i = 0; i < d->nlabels; i++)
		put(labels, d->labels[i].key, json_string(d->labels[i].value),
		    &ok);
	put(o, "labels", labels, &ok);
	for (size_t i = 0; i < d->nidents; i++) {
		json_t *e = json_object();

		if (e == NULL) {
			ok = 0;
			break;
		}
		put(e, "type", json_string(vigil_id_type_name(
		    d->idents[i].type)), &ok);
		put(e, "value", json_string(d->idents[i].value), &ok);
		put(e, "match_key", json_string(d->idents[i].match_key), &ok);
		if (json_array_append_new(ids, e) != 0)
			ok = 0;
	}
	put(o, "identifiers", ids, &ok);
	put(o, "created", time_json(d->created_ms), &ok);
	put(o, "updated", time_json(d->updated_ms), &ok);
	put(o, "last_seen", time_json(d->last_seen_ms), &ok);
	put(o, "version", json_integer(d->version), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
vigil_history_to_json(const struct vigil_history *h)
{
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t i = 0; ok && i < h->n; i++) {
		const struct vigil_history_entry *e = &h->items[i];
		json_t *o = json_object();

		if (o == NULL) {
			ok = 0;
			break;
		}
		put(o, "seq", json_integer(e->seq), &ok);
		put(o, "at", time_json(e->at_ms), &ok);
		put(o, "event", json_string(e->event), &ok);
		put(o, "from", e->from != VIGIL_DEV_NONE ?
		    json_string(vigil_device_state_name(e->from)) :
		    json_null(), &ok);
		put(o, "to", e->to != VIGIL_DEV_NONE ?
		    json_string(vigil_device_state_name(e->to)) :
		    json_null(), &ok);
		put(o, "detail", json_string(e->detail), &ok);
		put(o, "actor", json_string(e->actor), &ok);
		put(o, "reason", json_string(e->reason), &ok);
		if (json_array_append_new(a, o) != 0)
			ok = 0;
	}
	if (!ok) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *
vigil_inventory_summary_to_json(const struct vigil_inventory_summary *s)
{
	json_t *o = json_object(), *states = json_object();
	json_t *models = json_array(), *regions = json_array();
	json_t *ids = json_object();
	int ok = o != NULL && states != NULL && models != NULL &&
	    regions != NULL && ids != NULL;

	if (!ok) {
		json_decref(o);
		json_decref(states);
		json_decref(models);
		json_decref(regions);
		json_decref(ids);
		return NULL;
	}
	put(o, "devices", json_integer((json_int_t)s->devices), &ok);
	for (int st = VIGIL_DEV_REGISTERED; st <= VIGIL_DEV_RETIRED; st++)
		put(states, vigil_device_state_name((enum vigil_device_state)st),
		    json_integer((json_int_t)s->by_state[st]), &ok);
	put(o, "states", states, &ok);
	put(o, "never_seen", json_integer((json_int_t)s->never_seen), &ok);
	for (size_t i = 0; i < s->nmodels; i++) {
		json_t *e = json_object();

		if (e == NULL || json_array_append_new(models, e) != 0) {
			ok = 0;
			break;
		}
		put(e, "model", json_string(s->models[i].model), &ok);
		put(e, "gtin", json_string(s->models[i].gtin), &ok);
		put(e, "devices", json_integer((json_int_t)s->models[i].devices),
		    &ok);
	}
	put(o, "models", models, &ok);
	put(o, "models_other", json_integer((json_int_t)s->models_other),
	    &ok);
	for (size_t i = 0; i < s->nregions; i++) {
		json_t *e = json_object();

		if (e == NULL || json_array_append_new(regions, e) != 0) {
			ok = 0;
			break;
		}
		put(e, "region", json_string(s->regions[i].region), &ok);
		put(e, "devices",
		    json_integer((json_int_t)s->regions[i].devices), &ok);
	}
	put(o, "regions", regions, &ok);
	put(o, "regions_other", json_integer((json_int_t)s->regions_other),
	    &ok);
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		put(ids, vigil_id_type_name((enum vigil_id_type)t),
		    json_integer((json_int_t)s->by_id_type[t]), &ok);
	put(o, "identifiers", ids, &ok);
	put(o, "unidentified", json_integer((json_int_t)s->unidentified),
	    &ok);
	put(o, "no_hardware_id", json_integer((json_int_t)s->no_hardware_id),
	    &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}
