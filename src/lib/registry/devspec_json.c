/*
 * One device object of the JSON Lines import format read into a struct
 * vigil_device_spec: the single reader behind the JSON Lines importer
 * (one object a line) and vigil_device_spec_from_json (the HTTP API's
 * create body), so both accept the same objects and say the same
 * things about bad ones. It checks the shape: member types, known keys,
 * state names, the label syntax. The values (identifiers, lengths,
 * label keys) are checked when the device is created, where the
 * importer adds their problems to the same list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

/* A string member: "" and null mean none (NULL). */
static const char *
str_of(struct reg_problems *p, const char *key, json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		reg_problem(p, "key \"%s\": must be a string", key);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		reg_problem(p, "key \"%s\": contains a NUL character", key);
		return NULL;
	}
	return json_string_value(v)[0] != '\0' ? json_string_value(v) : NULL;
}

/* Adds one identifier; past the limit the first extra one is reported
 * and the rest dropped, so the message comes once. */
static void
add_ident(struct reg_json_spec *js, struct reg_problems *p,
    enum vigil_id_type t, const char *v)
{
	struct vigil_device_spec *spec = &js->spec;

	if (v == NULL)
		return;
	if (spec->nidents >= VIGIL_DEVICE_MAX_IDENTS) {
		if (!js->too_many)
			reg_problem(p, "identifiers: more than %d on one "
			    "device", VIGIL_DEVICE_MAX_IDENTS);
		js->too_many = true;
		return;
	}
	js->idents[spec->nidents].type = t;
	js->idents[spec->nidents].value = v;
	spec->nidents++;
}

/* "imei": "..." or "imei": ["...", ...]. */
static void
ident_key(struct reg_json_spec *js, struct reg_problems *p, const char *key,
    enum vigil_id_type t, json_t *v)
{
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);

			if (!json_is_string(e) && !json_is_null(e))
				reg_problem(p, "key \"%s\"[%zu]: must be a "
				    "string", key, i);
			else
				add_ident(js, p, t, str_of(p, key, e));
		}
		return;
	}
	if (!json_is_string(v) && !json_is_null(v)) {
		reg_problem(p, "key \"%s\": must be a string or an array of "
		    "strings", key);
		return;
	}
	add_ident(js, p, t, str_of(p, key, v));
}

/* "identifiers": [{"type": "imei", "value": "..."}, ...]. */
static void
identifiers(struct reg_json_spec *js, struct reg_problems *p, json_t *v)
{
	char q[REG_QUOTE_SIZE];

	if (json_is_null(v))
		return;
	if (!json_is_array(v)) {
		reg_problem(p, "key \"identifiers\": must be an array of "
		    "{\"type\": ..., \"value\": ...}");
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);
		json_t *type = json_object_get(e, "type");
		json_t *value = json_object_get(e, "value");
		enum vigil_id_type t;

		if (!json_is_object(e) || json_object_size(e) != 2 ||
		    !json_is_string(type) || !json_is_string(value) ||
		    json_string_length(value) == 0 ||
		    strlen(json_string_value(type)) !=
		    json_string_length(type) ||
		    strlen(json_string_value(value)) !=
		    json_string_length(value)) {
			reg_problem(p, "identifiers[%zu]: must be {\"type\": "
			    "..., \"value\": ...}", i);
			continue;
		}
		t = vigil_id_type_from_name(json_string_value(type));
		if (t == VIGIL_ID_UNKNOWN) {
			reg_problem(p, "identifiers[%zu]: unknown type \"%s\"",
			    i, reg_quote(json_string_value(type), q,
			    sizeof q));
			continue;
		}
		add_ident(js, p, t, json_string_value(value));
	}
}

/* "labels": {"k": "v", ...} or the CSV cell's "k=v;k2=v2". */
static void
labels(struct reg_json_spec *js, struct reg_problems *p, json_t *v)
{
	struct vigil_device_spec *spec = &js->spec;
	char q[REG_QUOTE_SIZE];
	int n;

	if (json_is_string(v)) {
		/* Split in a copy: the split writes into its buffer. */
		size_t len = json_string_length(v);

		if (strlen(json_string_value(v)) != len) {
			reg_problem(p, "key \"labels\": contains a NUL "
			    "character");
			return;
		}
		if (js->scratch == NULL || len >= js->scratch_size) {
			reg_problem(p, "key \"labels\": longer than %zu bytes",
			    js->scratch_size > 0 ? js->scratch_size - 1 : 0);
			return;
		}
		memcpy(js->scratch, json_string_value(v), len + 1);
		n = reg_labels_parse(js->scratch, js->labels,
		    VIGIL_DEVICE_MAX_LABELS, p);
		spec->nlabels = n > 0 ? (size_t)n : 0;
		return;
	}
	if (json_is_null(v))
		return;
	if (!json_is_object(v)) {
		reg_problem(p, "key \"labels\": must be an object of strings "
		    "or a \"k=v;k2=v2\" string");
		return;
	}
	if (json_object_size(v) > VIGIL_DEVICE_MAX_LABELS) {
		reg_problem(p, "labels: %zu given, the limit is %d",
		    json_object_size(v), VIGIL_DEVICE_MAX_LABELS);
		return;
	}
	for (void *it = json_object_iter(v); it != NULL;
	    it = json_object_iter_next(v, it)) {
		const char *k = json_object_iter_key(it);
		json_t *lv = json_object_iter_value(it);
		const char *s;

		if (!json_is_string(lv) && !json_is_null(lv)) {
			reg_problem(p, "key \"labels\": the value of \"%s\" "
			    "must be a string", reg_quote(k, q, sizeof q));
			continue;
		}
		s = str_of(p, "labels", lv);
		js->labels[spec->nlabels].key = k;
		js->labels[spec->nlabels].value = s != NULL ? s : "";
		spec->nlabels++;
	}
}

/* A lifecycle state by name; NULL and "" mean the default. Shared by
 * the JSON and CSV readers (import.c), so both say the same. */
void
reg_spec_state(struct reg_problems *p, const char *v,
    struct vigil_device_spec *spec)
{
	char q[REG_QUOTE_SIZE];

	if (v == NULL || v[0] == '\0')
		return;
	if ((spec->state = vigil_device_state_from_name(v)) == VIGIL_DEV_NONE)
		reg_problem(p, "state \"%s\": unknown; expected registered, "
		    "provisioned, active, quarantined or retired",
		    reg_quote(v, q, sizeof q));
}

void
reg_json_spec_read(struct reg_json_spec *js, json_t *o,
    struct reg_problems *p)
{
	struct vigil_device_spec *spec = &js->spec;
	char q[REG_QUOTE_SIZE];

	memset(spec, 0, sizeof *spec);
	spec->idents = js->idents;
	spec->labels = js->labels;
	js->too_many = false;
	if (!json_is_object(o)) {
		reg_problem(p, "expected a JSON object");
		return;
	}
	for (void *it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		enum vigil_id_type t;

		if (strcmp(k, "identifiers") == 0) {
			identifiers(js, p, v);
			continue;
		}
		switch (imp_col_of(k, &t)) {
		case IMP_COL_NAME:
			spec->name = str_of(p, k, v);
			break;
		case IMP_COL_MODEL:
			spec->model = str_of(p, k, v);
			break;
		case IMP_COL_GTIN:
			spec->gtin = str_of(p, k, v);
			break;
		case IMP_COL_REGION:
			spec->region = str_of(p, k, v);
			break;
		case IMP_COL_OWNER:
			spec->owner = str_of(p, k, v);
			break;
		case IMP_COL_STATE:
			reg_spec_state(p, str_of(p, k, v), spec);
			break;
		case IMP_COL_LABELS:
			labels(js, p, v);
			break;
		case IMP_COL_IDENT:
			ident_key(js, p, k, t, v);
			break;
		case IMP_COL_UNKNOWN:
			reg_problem(p, "unknown key \"%s\"",
			    reg_quote(k, q, sizeof q));
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The public entry point: an owned copy. */

struct spec_owned {
	struct vigil_device_spec_owned pub; /* first: the caller's pointer */
	json_t *copy;                       /* the strings point into it */
	struct reg_json_spec js;
};

/* Problems joined by "; " into err (cut to fit). */
static void
join(const struct reg_problems *p, char *err, size_t errsize)
{
	const char *s = p->buf.data != NULL ? p->buf.data : "";
	size_t o = 0;

	if (err == NULL || errsize == 0)
		return;
	for (; *s != '\0' && o + 1 < errsize; s++) {
		if (*s != '\n') {
			err[o++] = *s;
			continue;
		}
		if (o + 3 >= errsize)
			break;
		memcpy(err + o, "; ", 2);
		o += 2;
	}
	err[o] = '\0';
}

void
vigil_device_spec_owned_free(struct vigil_device_spec_owned *s)
{
	struct spec_owned *so = (struct spec_owned *)s;

	if (so == NULL)
		return;
	json_decref(so->copy);
	free(so->js.scratch);
	free(so);
}

enum vigil_err
vigil_device_spec_from_json(const json_t *o,
    struct vigil_device_spec_owned **out, char *err, size_t errsize)
{
	struct spec_owned *so;
	struct reg_problems p;
	json_t *lv;

	*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (!json_is_object(o)) {
		if (err != NULL && errsize > 0)
			snprintf(err, errsize, "expected a JSON object");
		return VIGIL_EINVAL;
	}
	if ((so = calloc(1, sizeof *so)) == NULL ||
	    (so->copy = json_deep_copy(o)) == NULL)
		goto oom;
	/* Room for splitting a "k=v;..." labels string. */
	lv = json_object_get(so->copy, "labels");
	so->js.scratch_size = json_is_string(lv) ?
	    json_string_length(lv) + 1 : 1;
	if ((so->js.scratch = malloc(so->js.scratch_size)) == NULL)
		goto oom;
	reg_problems_init(&p);
	reg_json_spec_read(&so->js, so->copy, &p);
	if (p.n > 0) {
		join(&p, err, errsize);
		reg_problems_free(&p);
		vigil_device_spec_owned_free(&so->pub);
		return VIGIL_EINVAL;
	}
	reg_problems_free(&p);
	so->pub.spec = so->js.spec;
	*out = &so->pub;
	return VIGIL_OK;
oom:
	if (so != NULL)
		vigil_device_spec_owned_free(&so->pub);
	if (err != NULL && errsize > 0)
		snprintf(err, errsize, "out of memory");
	return VIGIL_ENOMEM;
}
