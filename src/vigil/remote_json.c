/*
 * Reads the API's JSON replies back into the registry's structs: the
 * inverse of src/lib/registry/json.c, so that remote results go through
 * the very printers (and JSON renderings) of local mode and print the
 * same bytes. Every field is type-checked; a reply that does not fit is
 * reported as a malformed reply naming the field.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/registry.h"

#include "remote.h"

static enum vigil_err
bad(struct cli_ctx *ctx, const char *what, const char *field)
{
	return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed reply "
	    "from the server: %s: field '%s' is missing or of the wrong "
	    "type", what, field);
}

/* obj[key] as a string copied into buf (bounded). */
static bool
str_into(const json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || strlen(s) >= size)
		return false;
	memcpy(buf, s, strlen(s) + 1);
	return true;
}

/* obj[key] as a new string; null or missing gives "" when optional. */
static bool
str_dup(const json_t *o, const char *key, bool optional, char **out)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	*out = NULL;
	if (s == NULL && !(optional && (v == NULL || json_is_null(v))))
		return false;
	*out = strdup(s != NULL ? s : "");
	return *out != NULL;
}

/* An RFC 3339 time, or null (0). */
static bool
time_of(const json_t *o, const char *key, int64_t *ms)
{
	const json_t *v = json_object_get(o, key);
	char err[128];

	*ms = 0;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	return vigil_time_parse(json_string_value(v), ms, err, sizeof err) ==
	    VIGIL_OK;
}

static bool
int_of(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

static bool
count_of(const json_t *o, const char *key, uint64_t *out)
{
	int64_t v;

	if (!int_of(o, key, &v) || v < 0)
		return false;
	*out = (uint64_t)v;
	return true;
}

enum vigil_err
rjson_tenant(struct cli_ctx *ctx, const json_t *j, struct vigil_tenant *out)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(j))
		return bad(ctx, "tenant", "(object)");
	if (!str_into(j, "id", out->id, sizeof out->id))
		return bad(ctx, "tenant", "id");
	if (!str_into(j, "name", out->name, sizeof out->name))
		return bad(ctx, "tenant", "name");
	if (!str_into(j, "display_name", out->display_name,
	    sizeof out->display_name))
		return bad(ctx, "tenant", "display_name");
	if (!time_of(j, "created", &out->created_ms))
		return bad(ctx, "tenant", "created");
	return VIGIL_OK;
}

static const char *
device_fields(const json_t *j, struct vigil_device *d)
{
	const char *s;

	if (!str_into(j, "id", d->id, sizeof d->id))
		return "id";
	if (!str_into(j, "tenant_id", d->tenant_id, sizeof d->tenant_id))
		return "tenant_id";
	if (!str_dup(j, "name", false, &d->name))
		return "name";
	if (!str_dup(j, "model", true, &d->model))
		return "model";
	if (!str_dup(j, "gtin", true, &d->gtin))
		return "gtin";
	if (!str_dup(j, "region", true, &d->region))
		return "region";
	/* Absent when the server redacted the personal data. */
	if (!str_dup(j, "owner", true, &d->owner))
		return "owner";
	s = json_string_value(json_object_get(j, "state"));
	if (s == NULL || (d->state = vigil_device_state_from_name(s)) ==
	    VIGIL_DEV_NONE)
		return "state";
	if (!time_of(j, "created", &d->created_ms))
		return "created";
	if (!time_of(j, "updated", &d->updated_ms))
		return "updated";
	if (!time_of(j, "last_seen", &d->last_seen_ms))
		return "last_seen";
	if (!int_of(j, "version", &d->version))
		return "version";
	return NULL;
}

static const char *
device_lists(const json_t *j, struct vigil_device *d)
{
	const json_t *ids = json_object_get(j, "identifiers");
	const json_t *labels = json_object_get(j, "labels");
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_array(ids) || json_array_size(ids) >
	    VIGIL_DEVICE_MAX_IDENTS)
		return "identifiers";
	if (!json_is_object(labels) || json_object_size(labels) >
	    VIGIL_DEVICE_MAX_LABELS)
		return "labels";
	d->idents = calloc(json_array_size(ids) + 1, sizeof *d->idents);
	d->labels = calloc(json_object_size(labels) + 1, sizeof *d->labels);
	if (d->idents == NULL || d->labels == NULL)
		return "(out of memory)";
	json_array_foreach(ids, i, v) {
		struct vigil_device_ident *di = &d->idents[d->nidents];
		const char *t = json_string_value(json_object_get(v, "type"));

		if (t == NULL || (di->type = vigil_id_type_from_name(t)) ==
		    VIGIL_ID_UNKNOWN)
			return "identifiers[].type";
		if (!str_dup(v, "value", false, &di->value) ||
		    !str_dup(v, "match_key", true, &di->match_key)) {
			free(di->value);
			di->value = NULL;
			return "identifiers[].value";
		}
		d->nidents++;
	}
	json_object_foreach((json_t *)labels, key, v) {
		struct vigil_device_label *l = &d->labels[d->nlabels];

		if (!json_is_string(v))
			return "labels";
		l->key = strdup(key);
		l->value = strdup(json_string_value(v));
		d->nlabels++;
		if (l->key == NULL || l->value == NULL)
			return "(out of memory)";
	}
	return NULL;
}

enum vigil_err
rjson_device(struct cli_ctx *ctx, const json_t *j, struct vigil_device **out)
{
	struct vigil_device *d;
	const char *why;

	*out = NULL;
	if (!json_is_object(j))
		return bad(ctx, "device", "(object)");
	if ((d = calloc(1, sizeof *d)) == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	if ((why = device_fields(j, d)) == NULL)
		why = device_lists(j, d);
	if (why != NULL) {
		vigil_device_free(d);
		return bad(ctx, "device", why);
	}
	*out = d;
	return VIGIL_OK;
}

/* "from"/"to" of a history entry: a state name or null. */
static bool
state_or_none(const json_t *o, const char *key, enum vigil_device_state *s)
{
	const json_t *v = json_object_get(o, key);

	*s = VIGIL_DEV_NONE;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*s = vigil_device_state_from_name(json_string_value(v));
	return *s != VIGIL_DEV_NONE;
}

static const char *
history_entry(const json_t *v, struct vigil_history_entry *e)
{
	memset(e, 0, sizeof *e);
	if (!json_is_object(v))
		return "items[]";
	if (!int_of(v, "seq", &e->seq))
		return "seq";
	if (!time_of(v, "at", &e->at_ms))
		return "at";
	if (!str_into(v, "event", e->event, sizeof e->event))
		return "event";
	if (!state_or_none(v, "from", &e->from))
		return "from";
	if (!state_or_none(v, "to", &e->to))
		return "to";
	if (!str_dup(v, "detail", true, &e->detail))
		return "detail";
	if (!str_dup(v, "actor", true, &e->actor))
		return "actor";
	if (!str_dup(v, "reason", true, &e->reason))
		return "reason";
	return NULL;
}

enum vigil_err
rjson_history(struct cli_ctx *ctx, const json_t *j, struct vigil_history *out)
{
	struct vigil_history_entry *grown;
	const char *why;
	json_t *v;
	size_t i;

	if (!json_is_array(j))
		return bad(ctx, "history", "items");
	grown = realloc(out->items, (out->n + json_array_size(j) + 1) *
	    sizeof *out->items);
	if (grown == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	out->items = grown;
	json_array_foreach(j, i, v) {
		why = history_entry(v, &out->items[out->n]);
		/* Counted even when incomplete, so that its strings are
		 * freed with the rest. */
		out->n++;
		if (why != NULL)
			return bad(ctx, "history entry", why);
	}
	return VIGIL_OK;
}

static const char *
summary_lists(const json_t *j, struct vigil_inventory_summary *s)
{
	const json_t *models = json_object_get(j, "models");
	const json_t *regions = json_object_get(j, "regions");
	json_t *v;
	size_t i;

	if (!json_is_array(models) || json_array_size(models) >
	    VIGIL_SUMMARY_TOP)
		return "models";
	if (!json_is_array(regions) || json_array_size(regions) >
	    VIGIL_SUMMARY_TOP)
		return "regions";
	s->models = calloc(json_array_size(models) + 1, sizeof *s->models);
	s->regions = calloc(json_array_size(regions) + 1, sizeof *s->regions);
	if (s->models == NULL || s->regions == NULL)
		return "(out of memory)";
	json_array_foreach(models, i, v) {
		struct vigil_summary_model *m = &s->models[s->nmodels++];

		if (!str_dup(v, "model", true, &m->model) ||
		    !str_dup(v, "gtin", true, &m->gtin) ||
		    !count_of(v, "devices", &m->devices))
			return "models[]";
	}
	json_array_foreach(regions, i, v) {
		struct vigil_summary_region *r = &s->regions[s->nregions++];

		if (!str_dup(v, "region", true, &r->region) ||
		    !count_of(v, "devices", &r->devices))
			return "regions[]";
	}
	return NULL;
}

static const char *
summary_counts(const json_t *j, struct vigil_inventory_summary *s)
{
	const json_t *states = json_object_get(j, "states");
	const json_t *ids = json_object_get(j, "identifiers");

	if (!count_of(j, "devices", &s->devices))
		return "devices";
	if (!json_is_object(states))
		return "states";
	for (int st = VIGIL_DEV_REGISTERED; st <= VIGIL_DEV_RETIRED; st++)
		if (!count_of(states, vigil_device_state_name(
		    (enum vigil_device_state)st), &s->by_state[st]))
			return "states";
	if (!count_of(j, "never_seen", &s->never_seen))
		return "never_seen";
	if (!count_of(j, "models_other", &s->models_other))
		return "models_other";
	if (!count_of(j, "regions_other", &s->regions_other))
		return "regions_other";
	if (!json_is_object(ids))
		return "identifiers";
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		if (!count_of(ids, vigil_id_type_name((enum vigil_id_type)t),
		    &s->by_id_type[t]))
			return "identifiers";
	if (!count_of(j, "unidentified", &s->unidentified))
		return "unidentified";
	if (!count_of(j, "no_hardware_id", &s->no_hardware_id))
		return "no_hardware_id";
	return NULL;
}

enum vigil_err
rjson_summary(struct cli_ctx *ctx, const json_t *j,
    struct vigil_inventory_summary *out)
{
	const char *why;

	memset(out, 0, sizeof *out);
	if (!json_is_object(j))
		return bad(ctx, "summary", "(object)");
	if ((why = summary_counts(j, out)) == NULL)
		why = summary_lists(j, out);
	if (why != NULL) {
		vigil_inventory_summary_free(out);
		return bad(ctx, "summary", why);
	}
	return VIGIL_OK;
}

enum vigil_err
rjson_page(struct cli_ctx *ctx, const json_t *j, json_t **items,
    const char **next)
{
	const json_t *n;

	*items = NULL;
	*next = NULL;
	if (!json_is_object(j) ||
	    !json_is_array(*items = json_object_get(j, "items")))
		return bad(ctx, "page", "items");
	n = json_object_get(j, "next_cursor");
	if (n != NULL && !json_is_null(n) && !json_is_string(n))
		return bad(ctx, "page", "next_cursor");
	*next = json_string_value(n);
	if (*next != NULL && (*next)[0] == '\0')
		*next = NULL;
	return VIGIL_OK;
}
