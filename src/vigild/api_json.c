/*
 * Typed reads of request bodies and query parameters with precise
 * problem details naming the field (api_json.h). Bad input is the
 * client's error (422 for a body field, 400 for a query parameter),
 * never a 500.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "reqctx.h"
#include "vigil/id.h"

#define DETAIL_MAX 1024

/* Replies status/slug with "<kind> '<name>': <what>" (what from fmt). */
static void name_problem(struct req *r, int status, const char *slug,
    const char *kind, const char *name, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void
name_problem(struct req *r, int status, const char *slug, const char *kind,
    const char *name, const char *fmt, va_list ap)
{
	char what[DETAIL_MAX];

	if (vsnprintf(what, sizeof what, fmt, ap) < 0)
		what[0] = '\0';
	req_problem(r, status, slug, "%s '%s': %s", kind, name, what);
}

void
aj_field_problem(struct req *r, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	name_problem(r, 422, "validation-failed", "field", field, fmt, ap);
	va_end(ap);
}

void
aq_problem(struct req *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	name_problem(r, 400, "invalid-parameter", "query parameter", name,
	    fmt, ap);
	va_end(ap);
}

/* Key names come from the client: show at most 64 printable bytes. */
const char *
aj_safe(const char *k, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; k[i] != '\0' && o + 5 < size && i < 64; i++) {
		unsigned char c = (unsigned char)k[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (k[i] != '\0' && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

int
aj_only(struct req *r, const json_t *o, const char *const *allowed)
{
	char list[512], kb[300];
	size_t n = 0;

	for (void *it = json_object_iter((json_t *)o); it != NULL;
	    it = json_object_iter_next((json_t *)o, it)) {
		const char *k = json_object_iter_key(it);
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		list[0] = '\0';
		for (i = 0; allowed[i] != NULL && n < sizeof list; i++)
			n += (size_t)snprintf(list + n, sizeof list - n,
			    "%s%s", i > 0 ? ", " : "", allowed[i]);
		aj_field_problem(r, aj_safe(k, kb, sizeof kb),
		    "unknown field; expected %s", list);
		return -1;
	}
	return 0;
}

int
aj_new_password(struct req *r, const json_t *o, const char *key,
    const char **out)
{
	if (aj_str(r, o, key, VIGIL_PASSWORD_MAX, true, out) < 0)
		return -1;
	if (strlen(*out) < VIGIL_PASSWORD_MIN) {
		aj_field_problem(r, key, "at least %d characters",
		    VIGIL_PASSWORD_MIN);
		return -1;
	}
	return 0;
}

int
aj_str(struct req *r, const json_t *o, const char *key, size_t maxlen,
    bool required, const char **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		aj_field_problem(r, key, "required");
		return -1;
	}
	if (!json_is_string(v)) {
		aj_field_problem(r, key, "expected a string");
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		aj_field_problem(r, key, "contains a NUL character");
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		aj_field_problem(r, key, "%zu bytes long, the limit is %zu",
		    json_string_length(v), maxlen);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
aj_bool(struct req *r, const json_t *o, const char *key, int *out)
{
	const json_t *v = json_object_get(o, key);

	*out = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		aj_field_problem(r, key, "expected true or false");
		return -1;
	}
	*out = json_is_true(v) ? 1 : 0;
	return 0;
}

int
aj_int(struct req *r, const json_t *o, const char *key, int64_t min,
    int64_t max, bool required, int64_t *out, bool *present)
{
	const json_t *v = json_object_get(o, key);

	*out = 0;
	*present = false;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		aj_field_problem(r, key, "required (an integer from %" PRId64
		    " to %" PRId64 ")", min, max);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		aj_field_problem(r, key, "expected an integer from %" PRId64
		    " to %" PRId64, min, max);
		return -1;
	}
	*out = json_integer_value(v);
	*present = true;
	return 0;
}

static void
role_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 1; i < VIGIL_ROLE_COUNT && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    i > 1 ? ", " : "", vigil_role_name((enum vigil_role)i));
}

int
aj_role(struct req *r, const json_t *o, const char *key, bool required,
    enum vigil_role *out)
{
	const char *s;
	char list[256];

	*out = VIGIL_ROLE_NONE;
	if (aj_str(r, o, key, 64, required, &s) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if ((*out = vigil_role_from_name(s)) == VIGIL_ROLE_NONE) {
		role_list(list, sizeof list);
		aj_field_problem(r, key, "expected one of %s", list);
		return -1;
	}
	return 0;
}

int
aj_state(struct req *r, const json_t *o, const char *key, bool required,
    enum vigil_device_state *out)
{
	const char *s;

	*out = VIGIL_DEV_NONE;
	if (aj_str(r, o, key, 64, required, &s) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if ((*out = vigil_device_state_from_name(s)) == VIGIL_DEV_NONE) {
		aj_field_problem(r, key, "expected one of registered, "
		    "provisioned, active, quarantined, retired");
		return -1;
	}
	return 0;
}

void
aj_id_type_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT && n < size; t++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    t > 1 ? ", " : "",
		    vigil_id_type_name((enum vigil_id_type)t));
}

int
aj_id_type(struct req *r, const char *field, const char *name,
    enum vigil_id_type *out)
{
	char list[512];

	if ((*out = vigil_id_type_from_name(name)) != VIGIL_ID_UNKNOWN)
		return 0;
	aj_id_type_list(list, sizeof list);
	aj_field_problem(r, field, "unknown identifier type; expected one "
	    "of %s", list);
	return -1;
}

int
aq_bool(struct req *r, const char *name, bool def, bool *out)
{
	const char *v = req_query(r, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else {
		aq_problem(r, name, "expected true or false");
		return -1;
	}
	return 0;
}

int
aq_int(struct req *r, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);
	char *end;
	long long x;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 ||
	    x < min || x > max) {
		aq_problem(r, name, "expected an integer from %" PRId64
		    " to %" PRId64, min, max);
		return -1;
	}
	*out = x;
	return 0;
}

int
aq_time(struct req *r, const char *name, int64_t *ms)
{
	const char *v = req_query(r, name);
	char err[256];

	*ms = 0;
	if (v == NULL)
		return 0;
	if (vigil_time_parse(v, ms, err, sizeof err) != VIGIL_OK) {
		aq_problem(r, name, "expected an RFC 3339 time such as "
		    "2026-01-31T12:00:00Z: %s", err);
		return -1;
	}
	return 0;
}

int
aq_str(struct req *r, const char *name, size_t maxlen, const char **out)
{
	const char *v = req_query(r, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (v[0] == '\0') {
		aq_problem(r, name, "empty");
		return -1;
	}
	if (strlen(v) > maxlen) {
		aq_problem(r, name, "longer than %zu bytes", maxlen);
		return -1;
	}
	*out = v;
	return 0;
}

enum vigil_role
api_caller_role(const struct req *r)
{
	if (r->auth.token.role != VIGIL_ROLE_NONE)
		return r->auth.token.role;
	return r->auth.principal.role;
}

const char *
api_principal_scope(const struct vigil_principal *p)
{
	return p->tenant_id[0] != '\0' ? p->tenant_id : NULL;
}

bool
api_caller_is_platform(const struct req *r)
{
	return r->authed && r->auth.principal.tenant_id[0] == '\0';
}
