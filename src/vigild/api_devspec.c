/*
 * The API's own device request parts (api_devspec.h): PATCH bodies →
 * struct vigil_device_update with every problem of a body collected
 * and reported at once, and the list/export filters of the query. The
 * create body is read by the registry (vigil_device_spec_from_json),
 * the same reader as the JSON Lines importer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_devspec.h"
#include "api_json.h"
#include "reqctx.h"
#include "vigil/id.h"

#define PROBS_MAX 4000

struct probs {
	struct vigil_buf b;
	size_t n;
};

static void
prob(struct probs *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
prob(struct probs *p, const char *field, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof what, fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	/* A full buffer drops further problems: the first ones are the
	 * ones a client fixes first. */
	(void)vigil_buf_appendf(&p->b, "%sfield '%s': %s", p->n > 0 ? "; " :
	    "", field, what);
	p->n++;
}

/* Replies with the collected problems; returns -1 when there were. */
static int
probs_done(struct req *r, struct probs *p)
{
	int rc = 0;

	if (p->n > 0) {
		req_problem(r, 422, "validation-failed", "%s",
		    p->b.data != NULL ? p->b.data : "invalid body");
		rc = -1;
	}
	vigil_buf_free(&p->b);
	return rc;
}

/* A string member: "" and null are none (NULL). */
static const char *
str_of(struct probs *p, const char *field, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		prob(p, field, "expected a string");
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		prob(p, field, "contains a NUL character");
		return NULL;
	}
	return json_string_value(v)[0] != '\0' ? json_string_value(v) : NULL;
}

static void
add_ident(struct probs *p, struct vigil_ident_spec *arr, size_t *n,
    const char *field, enum vigil_id_type t, const char *v)
{
	if (v == NULL)
		return;
	if (*n == VIGIL_DEVICE_MAX_IDENTS) {
		prob(p, field, "more than %d identifiers on one device",
		    VIGIL_DEVICE_MAX_IDENTS);
		(*n)++; /* reported once */
		return;
	}
	if (*n > VIGIL_DEVICE_MAX_IDENTS)
		return;
	arr[*n].type = t;
	arr[*n].value = v;
	(*n)++;
}

/* One element of "add_identifiers" / "remove_identifiers": a string
 * (type detected), {"value": ...} (the same) or {"type": ...,
 * "value": ...}. */
static void
ident_elem(struct probs *p, const char *list, size_t i, const json_t *e,
    struct vigil_ident_spec *arr, size_t *n)
{
	char f[128], tq[160], list_names[512];
	const char *type, *value;
	enum vigil_id_type t = VIGIL_ID_UNKNOWN;

	snprintf(f, sizeof f, "%s[%zu]", list, i);
	if (json_is_string(e)) {
		add_ident(p, arr, n, f, VIGIL_ID_UNKNOWN, str_of(p, f, e));
		return;
	}
	if (!json_is_object(e) || json_object_get(e, "value") == NULL ||
	    json_object_size(e) != 1U + (json_object_get(e, "type") !=
	    NULL)) {
		prob(p, f, "expected {\"type\": ..., \"value\": ...} or a "
		    "string");
		return;
	}
	snprintf(f, sizeof f, "%s[%zu].type", list, i);
	type = str_of(p, f, json_object_get(e, "type"));
	if (type != NULL &&
	    (t = vigil_id_type_from_name(type)) == VIGIL_ID_UNKNOWN) {
		aj_id_type_list(list_names, sizeof list_names);
		prob(p, f, "unknown identifier type '%s'; expected one of %s",
		    aj_safe(type, tq, sizeof tq), list_names);
		return;
	}
	snprintf(f, sizeof f, "%s[%zu].value", list, i);
	if ((value = str_of(p, f, json_object_get(e, "value"))) == NULL) {
		prob(p, f, "required");
		return;
	}
	add_ident(p, arr, n, f, t, value);
}

static void
ident_list(struct probs *p, const char *list, const json_t *v,
    struct vigil_ident_spec *arr, size_t *n)
{
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		prob(p, list, "expected an array of {\"type\": ..., "
		    "\"value\": ...} or strings");
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++)
		ident_elem(p, list, i, json_array_get(v, i), arr, n);
}

/* ------------------------------------------------------------------ */
/* PATCH bodies */

/* Text member of an update: a string sets it, "" or null clears it
 * (model, gtin, region, owner); absent keeps it. */
static void
text_update(struct probs *p, const json_t *o, const char *key,
    const char **out)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return;
	if (json_is_null(v)) {
		*out = "";
		return;
	}
	if (!json_is_string(v)) {
		prob(p, key, "expected a string (\"\" or null clears it)");
		return;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		prob(p, key, "contains a NUL character");
		return;
	}
	*out = json_string_value(v);
}

/* "labels": {"k": "v" sets, "k": null removes}. */
static void
labels_update(struct probs *p, const json_t *v, struct api_devupdate *du)
{
	char f[128], kq[100];

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		prob(p, "labels", "expected an object: {\"key\": \"value\" "
		    "sets a label, \"key\": null removes it}");
		return;
	}
	if (json_object_size(v) > VIGIL_DEVICE_MAX_LABELS) {
		prob(p, "labels", "%zu given, the limit is %d",
		    json_object_size(v), VIGIL_DEVICE_MAX_LABELS);
		return;
	}
	for (void *it = json_object_iter((json_t *)v); it != NULL;
	    it = json_object_iter_next((json_t *)v, it)) {
		const char *k = json_object_iter_key(it);
		const json_t *lv = json_object_iter_value(it);

		snprintf(f, sizeof f, "labels.%s", aj_safe(k, kq, sizeof kq));
		if (json_is_null(lv)) {
			du->unset[du->u.nlabels_unset++] = k;
			continue;
		}
		if (!json_is_string(lv) || strlen(json_string_value(lv)) !=
		    json_string_length(lv)) {
			prob(p, f, "expected a string, or null to remove the "
			    "label");
			continue;
		}
		du->set[du->u.nlabels_set].key = k;
		du->set[du->u.nlabels_set].value = json_string_value(lv);
		du->u.nlabels_set++;
	}
}

int
api_devupdate_from_json(struct req *r, const json_t *o,
    struct api_devupdate *du)
{
	static const char *const keys[] = { "name", "model", "gtin", "region",
		"owner", "labels", "add_identifiers", "remove_identifiers",
		"reason", NULL };
	struct probs p;
	const json_t *v;
	char kq[100];

	memset(du, 0, sizeof *du);
	du->u.labels_set = du->set;
	du->u.labels_unset = du->unset;
	du->u.idents_add = du->add;
	du->u.idents_remove = du->remove;
	memset(&p, 0, sizeof p);
	vigil_buf_init(&p.b, PROBS_MAX);
	for (void *it = json_object_iter((json_t *)o); it != NULL;
	    it = json_object_iter_next((json_t *)o, it)) {
		const char *k = json_object_iter_key(it);
		size_t i;

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], k) == 0)
				break;
		if (keys[i] != NULL)
			continue;
		if (strcmp(k, "state") == 0)
			prob(&p, k, "not changed by PATCH; POST "
			    ".../devices/{device}/state with {\"state\": ...}");
		else if (strcmp(k, "identifiers") == 0 ||
		    vigil_id_type_from_name(k) != VIGIL_ID_UNKNOWN)
			prob(&p, aj_safe(k, kq, sizeof kq), "unknown field; "
			    "use add_identifiers and remove_identifiers");
		else
			prob(&p, aj_safe(k, kq, sizeof kq), "unknown field; "
			    "expected name, model, gtin, region, owner, "
			    "labels, add_identifiers, remove_identifiers or "
			    "reason");
	}
	if ((v = json_object_get(o, "name")) != NULL &&
	    (!json_is_string(v) || json_string_length(v) == 0))
		prob(&p, "name", "expected a non-empty string");
	else
		text_update(&p, o, "name", &du->u.name);
	text_update(&p, o, "model", &du->u.model);
	text_update(&p, o, "gtin", &du->u.gtin);
	text_update(&p, o, "region", &du->u.region);
	text_update(&p, o, "owner", &du->u.owner);
	labels_update(&p, json_object_get(o, "labels"), du);
	ident_list(&p, "add_identifiers", json_object_get(o,
	    "add_identifiers"), du->add, &du->u.nidents_add);
	ident_list(&p, "remove_identifiers", json_object_get(o,
	    "remove_identifiers"), du->remove, &du->u.nidents_remove);
	if (du->u.nidents_add > VIGIL_DEVICE_MAX_IDENTS)
		du->u.nidents_add = VIGIL_DEVICE_MAX_IDENTS;
	if (du->u.nidents_remove > VIGIL_DEVICE_MAX_IDENTS)
		du->u.nidents_remove = VIGIL_DEVICE_MAX_IDENTS;
	v = json_object_get(o, "reason");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v))
			prob(&p, "reason", "expected a string");
		else
			du->reason = json_string_value(v);
	}
	return probs_done(r, &p);
}

/* ------------------------------------------------------------------ */
/* Query filters */

int
api_devfilter_from_query(struct req *r, struct api_devfilter *df)
{
	const char *state, *label, *id_type;
	char list[512];
	char *eq;

	memset(df, 0, sizeof *df);
	if (aq_str(r, "state", 32, &state) < 0 ||
	    aq_str(r, "model", VIGIL_DEVICE_MODEL_MAX, &df->f.model) < 0 ||
	    aq_str(r, "label", sizeof df->label - 1, &label) < 0 ||
	    aq_str(r, "id_type", 32, &id_type) < 0)
		return -1;
	if (state != NULL &&
	    (df->f.state = vigil_device_state_from_name(state)) ==
	    VIGIL_DEV_NONE) {
		aq_problem(r, "state", "expected one of registered, "
		    "provisioned, active, quarantined, retired");
		return -1;
	}
	if (id_type != NULL &&
	    (df->f.id_type = vigil_id_type_from_name(id_type)) ==
	    VIGIL_ID_UNKNOWN) {
		aj_id_type_list(list, sizeof list);
		aq_problem(r, "id_type", "unknown identifier type; expected "
		    "one of %s", list);
		return -1;
	}
	if (label != NULL) {
		memcpy(df->label, label, strlen(label) + 1);
		df->f.label_key = df->label;
		if ((eq = strchr(df->label, '=')) != NULL) {
			*eq = '\0';
			df->f.label_value = eq + 1;
		}
		if (df->label[0] == '\0') {
			aq_problem(r, "label", "expected key or key=value");
			return -1;
		}
	}
	return 0;
}
