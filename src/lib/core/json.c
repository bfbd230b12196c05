/* JSON helpers over jansson: bounded reads with precise errors, and the
 * small builders every rendering uses. */
#include <string.h>

#include <openssl/crypto.h>

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

void
vigil_json_put(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		*ok = 0;
}

json_t *
vigil_json_done(json_t *obj, int ok)
{
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *
vigil_json_map(const json_t *rows, json_t *(*item)(const json_t *r))
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < json_array_size(rows); i++)
		if (json_array_append_new(a, item(json_array_get(rows, i))) !=
		    0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

json_t *
vigil_json_time(int64_t ms)
{
	char buf[VIGIL_RFC3339_LEN];

	if (ms <= 0)
		return json_null();
	vigil_time_format(ms, buf);
	return json_string(buf);
}

json_t *
vigil_json_str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

json_t *
vigil_json_string_lossy(const char *s, size_t n)
{
	struct vigil_buf b;
	json_t *v;

	if ((v = json_stringn(s, n)) != NULL)
		return v;
	/* Invalid UTF-8: rebuild with U+FFFD for each bad byte. */
	vigil_buf_init(&b, n * 3 + 1);
	for (size_t i = 0; i < n;) {
		size_t k = vigil_utf8_decode(s + i, n - i, NULL);

		if (vigil_buf_append(&b, k == 0 ? "\xef\xbf\xbd" : s + i,
		    k == 0 ? 3 : k) != VIGIL_OK)
			break;
		i += k == 0 ? 1 : k;
	}
	v = json_stringn(b.data != NULL ? b.data : "", b.len);
	vigil_buf_free(&b);
	return v;
}

void
vigil_json_wipe_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	/* jansson owns the bytes; overwriting them keeps the length and
	 * leaves a valid (if meaningless) string. */
	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
		    json_string_length(v));
}
