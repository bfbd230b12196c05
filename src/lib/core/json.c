/* JSON helpers over jansson: bounded reads with precise errors. */
#include <string.h>

#include "vigil/json.h"

enum vigil_err
vigil_json_get_str(const json_t *obj, const char *key, size_t maxlen,
    int required, const char **out, char *err, size_t errsize)
{
	const json_t *v;

	*out = NULL;
	if (!json_is_object(obj))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "expected a JSON object");
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "field \"%s\" is missing", key);
		return VIGIL_OK;
	}
	if (!json_is_string(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "field \"%s\" must be a string", key);
	if (json_string_length(v) > maxlen)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "field \"%s\" is %zu bytes long, the limit is %zu", key,
		    json_string_length(v), maxlen);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "field \"%s\" contains a NUL character", key);
	*out = json_string_value(v);
	return VIGIL_OK;
}

enum vigil_err
vigil_json_loadb(const char *buf, size_t len, json_t **out, char *err,
    size_t errsize)
{
	json_error_t je;

	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES,
	    &je);
	if (*out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "JSON: %s at line %d column %d", je.text, je.line,
		    je.column);
	return VIGIL_OK;
}
