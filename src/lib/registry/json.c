/*
 * JSON renderings of registry results, shared by the CLI and the HTTP
 * API so both print the same thing. Times are RFC 3339 UTC strings.
 */
#include "registry_internal.h"
#include "vigil/json.h"

json_t *
vigil_tenant_to_json(const struct vigil_tenant *t)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(t->id), &ok);
	vigil_json_put(o, "name", json_string(t->name), &ok);
	vigil_json_put(o, "display_name", json_string(t->display_name), &ok);
	vigil_json_put(o, "created", vigil_json_time(t->created_ms), &ok);
	return vigil_json_done(o, ok);
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
	vigil_json_put(o, "id", json_string(d->id), &ok);
	vigil_json_put(o, "tenant_id", json_string(d->tenant_id), &ok);
	vigil_json_put(o, "name", json_string(d->name), &ok);
	vigil_json_put(o, "model", json_string(d->model), &ok);
	vigil_json_put(o, "gtin", json_string(d->gtin), &ok);
	vigil_json_put(o, "state",
	    json_string(vigil_device_state_name(d->state)), &ok);
	vigil_json_put(o, "region", json_string(d->region), &ok);
	if (!(flags & VIGIL_JSON_REDACT_PERSONAL))
		vigil_json_put(o, "owner", json_string(d->owner), &ok);
	for (size_t i = 0; i < d->nlabels; i++)
		vigil_json_put(labels, d->labels[i].key,
		    json_string(d->labels[i].value), &ok);
	vigil_json_put(o, "labels", labels, &ok);
	for (size_t i = 0; i < d->nidents; i++) {
		json_t *e = json_object();

		if (e == NULL) {
			ok = 0;
			break;
		}
		vigil_json_put(e, "type",
		    json_string(vigil_id_type_name(d->idents[i].type)), &ok);
		vigil_json_put(e, "value", json_string(d->idents[i].value),
		    &ok);
		vigil_json_put(e, "match_key",
		    json_string(d->idents[i].match_key), &ok);
		if (json_array_append_new(ids, e) != 0)
			ok = 0;
	}
	vigil_json_put(o, "identifiers", ids, &ok);
	vigil_json_put(o, "created", vigil_json_time(d->created_ms), &ok);
	vigil_json_put(o, "updated", vigil_json_time(d->updated_ms), &ok);
	vigil_json_put(o, "last_seen", vigil_json_time(d->last_seen_ms), &ok);
	vigil_json_put(o, "version", json_integer(d->version), &ok);
	return vigil_json_done(o, ok);
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
		vigil_json_put(o, "seq", json_integer(e->seq), &ok);
		vigil_json_put(o, "at", vigil_json_time(e->at_ms), &ok);
		vigil_json_put(o, "event", json_string(e->event), &ok);
		vigil_json_put(o, "from", e->from != VIGIL_DEV_NONE ?
		    json_string(vigil_device_state_name(e->from)) : json_null(),
		    &ok);
		vigil_json_put(o, "to", e->to != VIGIL_DEV_NONE ?
		    json_string(vigil_device_state_name(e->to)) : json_null(),
		    &ok);
		vigil_json_put(o, "detail", json_string(e->detail), &ok);
		vigil_json_put(o, "actor", json_string(e->actor), &ok);
		vigil_json_put(o, "reason", json_string(e->reason), &ok);
		if (json_array_append_new(a, o) != 0)
			ok = 0;
	}
	return vigil_json_done(a, ok);
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
	vigil_json_put(o, "devices", json_integer((json_int_t)s->devices), &ok);
	for (int st = VIGIL_DEV_REGISTERED; st <= VIGIL_DEV_RETIRED; st++)
		vigil_json_put(states,
		    vigil_device_state_name((enum vigil_device_state)st),
		    json_integer((json_int_t)s->by_state[st]), &ok);
	vigil_json_put(o, "states", states, &ok);
	vigil_json_put(o, "never_seen", json_integer((json_int_t)s->never_seen),
	    &ok);
	for (size_t i = 0; i < s->nmodels; i++) {
		json_t *e = json_object();

		if (e == NULL || json_array_append_new(models, e) != 0) {
			ok = 0;
			break;
		}
		vigil_json_put(e, "model", json_string(s->models[i].model),
		    &ok);
		vigil_json_put(e, "gtin", json_string(s->models[i].gtin), &ok);
		vigil_json_put(e, "devices",
		    json_integer((json_int_t)s->models[i].devices), &ok);
	}
	vigil_json_put(o, "models", models, &ok);
	vigil_json_put(o, "models_other",
	    json_integer((json_int_t)s->models_other), &ok);
	for (size_t i = 0; i < s->nregions; i++) {
		json_t *e = json_object();

		if (e == NULL || json_array_append_new(regions, e) != 0) {
			ok = 0;
			break;
		}
		vigil_json_put(e, "region", json_string(s->regions[i].region),
		    &ok);
		vigil_json_put(e, "devices",
		    json_integer((json_int_t)s->regions[i].devices), &ok);
	}
	vigil_json_put(o, "regions", regions, &ok);
	vigil_json_put(o, "regions_other",
	    json_integer((json_int_t)s->regions_other), &ok);
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		vigil_json_put(ids, vigil_id_type_name((enum vigil_id_type)t),
		    json_integer((json_int_t)s->by_id_type[t]), &ok);
	vigil_json_put(o, "identifiers", ids, &ok);
	vigil_json_put(o, "unidentified",
	    json_integer((json_int_t)s->unidentified), &ok);
	vigil_json_put(o, "no_hardware_id",
	    json_integer((json_int_t)s->no_hardware_id), &ok);
	return vigil_json_done(o, ok);
}
