/*
 * JSON renderings of principals and token records, shared by the API
 * and the CLI. Never a password hash, TOTP secret, token secret or
 * token hash: the structs rendered here do not even hold them. Times
 * are RFC 3339 UTC strings, null when unset; the platform scope's
 * tenant is null.
 */
#include "iam_internal.h"

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

static json_t *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
done(json_t *o, int ok)
{
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
vigil_principal_to_json(const struct vigil_principal *p)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	put(o, "id", json_string(p->id), &ok);
	put(o, "tenant", str_or_null(p->tenant_id), &ok);
	put(o, "name", json_string(p->name), &ok);
	put(o, "kind", json_string(p->kind == VIGIL_PRINCIPAL_SERVICE ?
	    "service" : "human"), &ok);
	put(o, "role", json_string(vigil_role_name(p->role)), &ok);
	put(o, "disabled", json_boolean(p->disabled), &ok);
	put(o, "totp", json_boolean(p->totp_enabled), &ok);
	put(o, "has_password", json_boolean(p->has_password), &ok);
	put(o, "created", time_json(p->created_ms), &ok);
	put(o, "last_login", time_json(p->last_login_ms), &ok);
	put(o, "locked_until", time_json(p->locked_until_ms), &ok);
	return done(o, ok);
}

json_t *
vigil_token_info_to_json(const struct vigil_token_info *t)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	put(o, "id", json_string(t->id), &ok);
	put(o, "principal", json_string(t->principal_id), &ok);
	put(o, "tenant", str_or_null(t->tenant_id), &ok);
	put(o, "role", json_string(vigil_role_name(t->role)), &ok);
	put(o, "label", json_string(t->label), &ok);
	put(o, "created", time_json(t->created_ms), &ok);
	put(o, "expires", time_json(t->expires_ms), &ok);
	put(o, "last_used", time_json(t->last_used_ms), &ok);
	put(o, "last_ip", str_or_null(t->last_ip), &ok);
	put(o, "auth_time", time_json(t->auth_ms), &ok);
	put(o, "revoked", json_boolean(t->revoked), &ok);
	return done(o, ok);
}
