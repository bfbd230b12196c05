/*
 * API handlers for tenants. Listing shows a platform principal every
 * tenant and a tenant principal only its own; creating, renaming and
 * deleting are platform routes (the server hides them from tenant
 * principals), deletion also needs a fresh re-authentication.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"

void
api_tenant_list(struct req *r)
{
	struct vigil_tenant *page = NULL, own;
	const char *cursor;
	json_t *items;
	size_t limit, n = 0;
	enum vigil_err e;

	if (aq_str(r, "cursor", VIGIL_TENANT_NAME_MAX, &cursor) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	if (!api_caller_is_platform(r)) {
		/* A tenant principal sees exactly one tenant: its own. */
		e = vigil_tenant_show(r->st, r->auth.principal.tenant_id, &own);
		if (e != VIGIL_OK) {
			req_reply_err(r, e, vigil_store_errmsg(r->st));
			return;
		}
		items = json_array();
		if (items != NULL && cursor == NULL)
			json_array_append_new(items,
			    vigil_tenant_to_json(&own));
		api_reply_page(r, items, NULL);
		return;
	}
	e = vigil_admin_tenant_list(r->st, cursor, limit, &page, &n);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	items = json_array();
	for (size_t i = 0; items != NULL && i < n; i++)
		if (json_array_append_new(items, vigil_tenant_to_json(
		    &page[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	/* The cursor is the last name of a full page. */
	api_reply_page(r, items, n == limit && n > 0 ? page[n - 1].name :
	    NULL);
	vigil_free(page);
}

static int
check_name(struct req *r, const char *name)
{
	if (name == NULL || vigil_tenant_name_valid(name))
		return 0;
	aj_field_problem(r, "name", "expected 1-%d lower-case letters, "
	    "digits and '-', starting with a letter or digit",
	    VIGIL_TENANT_NAME_MAX);
	return -1;
}

void
api_tenant_create(struct req *r)
{
	static const char *const keys[] = { "name", "display_name", NULL };
	const char *name, *display;
	struct vigil_tenant t;
	char obj[64], loc[128];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "name", VIGIL_TENANT_NAME_MAX, true, &name) < 0 ||
	    check_name(r, name) < 0 ||
	    aj_str(r, body, "display_name", VIGIL_TENANT_DISPLAY_MAX, false,
	    &display) < 0 || api_begin(r) < 0)
		goto out;
	if ((e = vigil_admin_tenant_create(r->st, name, display, &t)) !=
	    VIGIL_OK) {
		api_fail(r, e, "tenant.create", "tenant");
		goto out;
	}
	snprintf(obj, sizeof obj, "tenant/%s", t.id);
	if (api_commit(r, "tenant.create", obj, t.name) < 0)
		goto out;
	snprintf(loc, sizeof loc, "/v1/tenants/%s", t.id);
	req_header(r, "Location", loc);
	api_reply(r, 201, vigil_tenant_to_json(&t));
out:
	json_decref(body);
}

void
api_tenant_get(struct req *r)
{
	api_reply(r, 200, vigil_tenant_to_json(&r->tenant));
}

void
api_tenant_update(struct req *r)
{
	static const char *const keys[] = { "name", "display_name", NULL };
	const char *name, *display;
	struct vigil_tenant t;
	char obj[64], detail[VIGIL_TENANT_NAME_MAX + 32];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "name", VIGIL_TENANT_NAME_MAX, false, &name) < 0 ||
	    check_name(r, name) < 0 ||
	    aj_str(r, body, "display_name", VIGIL_TENANT_DISPLAY_MAX, false,
	    &display) < 0)
		goto out;
	if (name == NULL && display == NULL) {
		req_problem(r, 422, "validation-failed", "body: nothing to "
		    "change; give name and/or display_name");
		goto out;
	}
	if (api_begin(r) < 0)
		goto out;
	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	e = vigil_admin_tenant_rename(r->st, r->tenant.id, name, display, &t);
	if (e != VIGIL_OK) {
		api_fail(r, e, "tenant.update", obj);
		goto out;
	}
	if (name != NULL && strcmp(name, r->tenant.name) != 0)
		snprintf(detail, sizeof detail, "renamed from %s",
		    r->tenant.name);
	else
		snprintf(detail, sizeof detail, "display name");
	if (api_commit(r, "tenant.update", obj, detail) < 0)
		goto out;
	api_reply(r, 200, vigil_tenant_to_json(&t));
out:
	json_decref(body);
}

/* Deletes every principal of the tenant (their tokens go with them):
 * nothing in the store ties principals to the tenant row, and a
 * deleted tenant's tokens must stop working. Inside the caller's
 * transaction. */
static enum vigil_err
delete_principals(struct req *r)
{
	struct vigil_principal *p;
	size_t n;
	enum vigil_err e;

	do {
		p = NULL;
		e = vigil_iam_principal_list(r->st, r->tenant.id, NULL,
		    VIGIL_LIST_MAX_LIMIT, &p, &n);
		for (size_t i = 0; e == VIGIL_OK && i < n; i++)
			e = vigil_iam_principal_delete(r->st, r->tenant.id,
			    p[i].id);
		vigil_free(p);
	} while (e == VIGIL_OK && n > 0);
	return e;
}

void
api_tenant_delete(struct req *r)
{
	char obj[64];
	enum vigil_err e;

	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	if (api_begin(r) < 0)
		return;
	/* The registry refuses a tenant with devices (409) first. */
	if ((e = vigil_admin_tenant_delete(r->st, r->tenant.id)) == VIGIL_OK)
		e = delete_principals(r);
	api_finish_204(r, e, "tenant.delete", obj, r->tenant.name);
}
