/*
 * Rendering of identifier results (struct vigil_id) for the id, device
 * and label commands, so that every command spells a result the same
 * way.
 */
#include <string.h>

#include "cli.h"

json_t *
cli_id_json(const char *input, size_t inlen, enum vigil_err rc,
    const struct vigil_id *id, const enum vigil_id_type *cand, size_t ncand)
{
	json_t *o = json_object(), *fields, *forms;
	bool ok = rc == VIGIL_OK;

	if (o == NULL)
		return NULL;
	cli_json_set(o, "input", cli_json_strn(input, inlen));
	cli_json_set(o, "type", id->type != VIGIL_ID_UNKNOWN ?
	    json_string(vigil_id_type_name(id->type)) : json_null());
	cli_json_set(o, "valid", json_boolean(ok));
	cli_json_set(o, "normalized", ok ? cli_json_str(id->normalized) :
	    json_null());
	cli_json_set(o, "urn", ok ? cli_json_str_or_null(id->urn) :
	    json_null());
	cli_json_set(o, "match_key", ok ? cli_json_str(id->match_key) :
	    json_null());
	fields = json_object();
	forms = json_object();
	for (size_t i = 0; ok && fields && i < id->nfields; i++)
		cli_json_set(fields, id->fields[i].name,
		    cli_json_str(id->fields[i].value));
	for (size_t i = 0; ok && forms && i < id->nforms; i++)
		cli_json_set(forms, id->forms[i].name,
		    cli_json_str(id->forms[i].value));
	cli_json_set(o, "fields", fields);
	cli_json_set(o, "forms", forms);
	cli_json_set(o, "warning", cli_json_str_or_null(id->warning));
	cli_json_set(o, "error", ok ? json_null() :
	    cli_json_str_or_null(id->error));
	if (rc == VIGIL_EAMBIGUOUS && cand != NULL) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < ncand; i++)
			json_array_append_new(arr,
			    json_string(vigil_id_type_name(cand[i])));
		cli_json_set(o, "candidates", arr);
	}
	return o;
}

const char *
cli_id_form(const struct vigil_id *id, const char *form)
{
	if (strcmp(form, "normalized") == 0)
		return id->normalized;
	if (strcmp(form, "urn") == 0)
		return id->urn[0] ? id->urn : NULL;
	if (strcmp(form, "match-key") == 0)
		return id->match_key;
	return vigil_id_form(id, form);
}

const char *
cli_id_form_list(const struct vigil_id *id, char *buf, size_t size)
{
	size_t o = 0;
	int n;

	n = snprintf(buf, size, "normalized%s, match-key",
	    id->urn[0] ? ", urn" : "");
	if (n < 0 || (size_t)n >= size)
		return buf;
	o = (size_t)n;
	for (size_t i = 0; i < id->nforms; i++) {
		/* Parsers may repeat a built-in name as a form. */
		if (strcmp(id->forms[i].name, "urn") == 0 ||
		    strcmp(id->forms[i].name, "normalized") == 0 ||
		    strcmp(id->forms[i].name, "match-key") == 0)
			continue;
		n = snprintf(buf + o, size - o, ", %s", id->forms[i].name);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	return buf;
}

enum vigil_err
cli_id_read(enum vigil_id_type t, const char *in, size_t len,
    struct vigil_id *id, enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES],
    size_t *ncand)
{
	*ncand = 0;
	if (t != VIGIL_ID_UNKNOWN)
		return vigil_id_parse(t, in, len, id);
	return vigil_id_detect(in, len, id, cand, ncand);
}

bool
cli_id_type_arg(const struct cli_args *a, const char *s,
    enum vigil_id_type *t)
{
	char list[400];
	size_t o = 0;

	*t = VIGIL_ID_UNKNOWN;
	if (s == NULL)
		return true;
	*t = vigil_id_type_from_name(s);
	if (*t != VIGIL_ID_UNKNOWN)
		return true;
	list[0] = '\0';
	for (int i = 1; i < VIGIL_ID_TYPE_COUNT; i++) {
		int n = snprintf(list + o, sizeof list - o, "%s%s",
		    i > 1 ? ", " : "",
		    vigil_id_type_name((enum vigil_id_type)i));
		if (n < 0 || (size_t)n >= sizeof list - o)
			break;
		o += (size_t)n;
	}
	cli_usage(a->cmd, "unknown identifier type '%s' (types: %s)", s, list);
	return false;
}
