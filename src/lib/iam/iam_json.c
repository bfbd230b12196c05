/*
 * JSON renderings of principals and token records, shared by the API
 * and the CLI. Never a password hash, TOTP secret, token secret or
 * token hash: the structs rendered here do not even hold them. Times
 * are RFC 3339 UTC strings, null when unset; the platform scope's
 * tenant is null.
 */
#include "iam_internal.h"
#include "vigil/json.h"

json_t *
vigil_principal_to_json(const struct vigil_principal *p)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(p->id), &ok);
	vigil_json_put(o, "tenant", vigil_json_str_or_null(p->tenant_id), &ok);
	vigil_json_put(o, "name", json_string(p->name), &ok);
	vigil_json_put(o, "kind", json_string(p->kind ==
	    VIGIL_PRINCIPAL_SERVICE ? "service" : "human"), &ok);
	vigil_json_put(o, "role", json_string(vigil_role_name(p->role)), &ok);
	vigil_json_put(o, "disabled", json_boolean(p->disabled), &ok);
	vigil_json_put(o, "totp", json_boolean(p->totp_enabled), &ok);
	vigil_json_put(o, "has_password", json_boolean(p->has_password), &ok);
	vigil_json_put(o, "created", vigil_json_time(p->created_ms), &ok);
	vigil_json_put(o, "last_login", vigil_json_time(p->last_login_ms), &ok);
	vigil_json_put(o, "locked_until", vigil_json_time(p->locked_until_ms),
	    &ok);
	return vigil_json_done(o, ok);
}

json_t *
vigil_token_info_to_json(const struct vigil_token_info *t)
{
	json_t *o = json_object();
	int ok = 1;

	if (o == NULL)
		return NULL;
	vigil_json_put(o, "id", json_string(t->id), &ok);
	vigil_json_put(o, "principal", json_string(t->principal_id), &ok);
	vigil_json_put(o, "tenant", vigil_json_str_or_null(t->tenant_id), &ok);
	vigil_json_put(o, "role", json_string(vigil_role_name(t->role)), &ok);
	vigil_json_put(o, "label", json_string(t->label), &ok);
	vigil_json_put(o, "created", vigil_json_time(t->created_ms), &ok);
	vigil_json_put(o, "expires", vigil_json_time(t->expires_ms), &ok);
	vigil_json_put(o, "last_used", vigil_json_time(t->last_used_ms), &ok);
	vigil_json_put(o, "last_ip", vigil_json_str_or_null(t->last_ip), &ok);
	vigil_json_put(o, "auth_time", vigil_json_time(t->auth_ms), &ok);
	vigil_json_put(o, "revoked", json_boolean(t->revoked), &ok);
	return vigil_json_done(o, ok);
}
