/*
 * JSON Lines import: one JSON object per line, parsed by jansson
 * (duplicate keys rejected). Keys as the CSV columns; an identifier key
 * may hold a string or an array of strings, "identifiers" an array of
 * {"type", "value"} objects, "labels" an object or a "k=v;..." string.
 * An over-long line fails that row; reading resumes after its end.
 */
#include <stdio.h>
#include <string.h>

#include "import_internal.h"

/* Reads one line (without its end) into im->rec. 1: a line; 0: end of
 * input; -1: read error. *too_long when it did not fit. */
static int
read_line(struct imp *im, size_t *len, bool *too_long)
{
	size_t n = 0;
	bool any = false;
	int ch;

	*too_long = false;
	while ((ch = imp_getc(im)) >= 0) {
		any = true;
		if (ch == '\n') {
			im->line++;
			break;
		}
		if (n < im->max_record)
			im->rec[n++] = (char)ch;
		else
			*too_long = true;
	}
	if (ch < 0 && im->ioerr)
		return -1;
	if (!any)
		return 0;
	if (n > 0 && im->rec[n - 1] == '\r')
		n--;
	im->rec[n] = '\0';
	*len = n;
	return 1;
}

static bool
blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* jansson's message without its "near '<token>'" tail: the token is
 * input text, possibly the owner contact (personal data), which must
 * not reach an error message. The column says where. Modifies je. */
static const char *
json_error_what(json_error_t *je)
{
	char *near = strstr(je->text, " near '");

	if (near != NULL)
		*near = '\0';
	return je->text;
}

/* A string member ("" and null mean none). */
static const char *
str_of(struct imp *im, const char *key, json_t *v)
{
	if (json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		imp_problem(im, "key \"%s\": must be a string", key);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		imp_problem(im, "key \"%s\": contains a NUL character", key);
		return NULL;
	}
	return json_string_value(v)[0] != '\0' ? json_string_value(v) : NULL;
}

static void
add_ident(struct imp *im, struct vigil_device_spec *spec,
    enum vigil_id_type t, const char *v)
{
	if (v == NULL)
		return;
	if (spec->nidents >= VIGIL_IMPORT_MAX_FIELDS) {
		if (spec->nidents == VIGIL_IMPORT_MAX_FIELDS)
			imp_problem(im, "identifiers: more than %d on one "
			    "device", VIGIL_DEVICE_MAX_IDENTS);
		spec->nidents = VIGIL_IMPORT_MAX_FIELDS + 1;
		return;
	}
	im->idents[spec->nidents].type = t;
	im->idents[spec->nidents].value = v;
	spec->nidents++;
}

static void
ident_key(struct imp *im, struct vigil_device_spec *spec, const char *key,
    enum vigil_id_type t, json_t *v)
{
	size_t i;

	if (!json_is_array(v)) {
		add_ident(im, spec, t, str_of(im, key, v));
		return;
	}
	for (i = 0; i < json_array_size(v); i++)
		add_ident(im, spec, t, str_of(im, key, json_array_get(v, i)));
}

static void
identifiers(struct imp *im, struct vigil_device_spec *spec, json_t *v)
{
	char q[REG_QUOTE_SIZE];
	size_t i;

	if (!json_is_array(v)) {
		imp_problem(im, "key \"identifiers\": must be an array of "
		    "{\"type\": ..., \"value\": ...}");
		return;
	}
	for (i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);
		const char *type, *value;
		enum vigil_id_type t;

		if (!json_is_object(e) || json_object_size(e) != 2 ||
		    (type = str_of(im, "type", json_object_get(e, "type"))) ==
		    NULL ||
		    (value = str_of(im, "value", json_object_get(e,
		    "value"))) == NULL) {
			imp_problem(im, "identifiers[%zu]: must be {\"type\": "
			    "..., \"value\": ...}", i);
			continue;
		}
		if ((t = vigil_id_type_from_name(type)) == VIGIL_ID_UNKNOWN) {
			imp_problem(im, "identifiers[%zu]: unknown type \"%s\"",
			    i, reg_quote(type, q, sizeof q));
			continue;
		}
		add_ident(im, spec, t, value);
	}
}

static void
labels(struct imp *im, struct vigil_device_spec *spec, json_t *v)
{
	int n;

	if (json_is_string(v)) {
		/* Same syntax as the CSV cell; parsed in a copy because the
		 * split writes into its buffer. */
		size_t len = json_string_length(v);

		if (len > im->max_record || strlen(json_string_value(v)) !=
		    len) {
			imp_problem(im, "key \"labels\": invalid string");
			return;
		}
		memcpy(im->scratch, json_string_value(v), len + 1);
		n = reg_labels_parse(im->scratch, im->labels,
		    VIGIL_DEVICE_MAX_LABELS, &im->c->prob);
		spec->nlabels = n > 0 ? (size_t)n : 0;
		return;
	}
	if (!json_is_object(v)) {
		if (!json_is_null(v))
			imp_problem(im, "key \"labels\": must be an object of "
			    "strings");
		return;
	}
	if (json_object_size(v) > VIGIL_DEVICE_MAX_LABELS) {
		imp_problem(im, "labels: %zu given, the limit is %d",
		    json_object_size(v), VIGIL_DEVICE_MAX_LABELS);
		return;
	}
	for (void *it = json_object_iter(v); it != NULL;
	    it = json_object_iter_next(v, it)) {
		const char *k = json_object_iter_key(it);
		const char *s = str_of(im, "labels", json_object_iter_value(it));

		im->labels[spec->nlabels].key = k;
		im->labels[spec->nlabels].value = s != NULL ? s : "";
		spec->nlabels++;
	}
}

static void
convert(struct imp *im, json_t *o, struct vigil_device_spec *spec)
{
	char q[REG_QUOTE_SIZE];

	for (void *it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		enum vigil_id_type t;

		if (strcmp(k, "identifiers") == 0) {
			identifiers(im, spec, v);
			continue;
		}
		switch (imp_col_of(k, &t)) {
		case IMP_COL_NAME:
			spec->name = str_of(im, k, v);
			break;
		case IMP_COL_MODEL:
			spec->model = str_of(im, k, v);
			break;
		case IMP_COL_GTIN:
			spec->gtin = str_of(im, k, v);
			break;
		case IMP_COL_REGION:
			spec->region = str_of(im, k, v);
			break;
		case IMP_COL_OWNER:
			spec->owner = str_of(im, k, v);
			break;
		case IMP_COL_STATE:
			imp_state(im, str_of(im, k, v), spec);
			break;
		case IMP_COL_LABELS:
			labels(im, spec, v);
			break;
		case IMP_COL_IDENT:
			ident_key(im, spec, k, t, v);
			break;
		case IMP_COL_UNKNOWN:
			imp_problem(im, "unknown key \"%s\"",
			    reg_quote(k, q, sizeof q));
			break;
		}
	}
}

enum vigil_err
imp_jsonl(struct imp *im)
{
	enum vigil_err rc;
	size_t len;
	bool too_long;
	int got;

	imp_skip_bom(im);
	for (;;) {
		uint64_t line = im->line;
		struct vigil_device_spec spec;
		json_error_t je;
		json_t *o;

		if ((got = read_line(im, &len, &too_long)) <= 0)
			break;
		if (too_long) {
			imp_problem(im, "line is longer than %zu bytes",
			    im->max_record);
			if ((rc = imp_row(im, NULL, line)) != VIGIL_OK)
				return rc;
			continue;
		}
		if (blank_line(im->rec, len))
			continue;
		o = json_loadb(im->rec, len, JSON_REJECT_DUPLICATES, &je);
		if (o == NULL || !json_is_object(o)) {
			if (o == NULL)
				imp_problem(im, "invalid JSON at column %d: %s",
				    je.column, json_error_what(&je));
			else
				imp_problem(im, "expected a JSON object");
			json_decref(o);
			if ((rc = imp_row(im, NULL, line)) != VIGIL_OK)
				return rc;
			continue;
		}
		memset(&spec, 0, sizeof spec);
		spec.idents = im->idents;
		spec.labels = im->labels;
		convert(im, o, &spec);
		if (spec.nidents > VIGIL_IMPORT_MAX_FIELDS)
			spec.nidents = VIGIL_IMPORT_MAX_FIELDS;
		rc = imp_row(im, &spec, line);
		json_decref(o);
		if (rc != VIGIL_OK)
			return rc;
	}
	if (got < 0)
		return imp_fatal(im, VIGIL_EIO, im->line, "read error");
	return VIGIL_OK;
}
