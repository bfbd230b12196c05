/*
 * API handlers of what network monitoring knows about a tenant's
 * network besides alerts (alertdb.h): shadow-IoT findings (list, adopt
 * into the inventory, dismiss), address bindings (which address or
 * subnet is which device or the tenant's site) and cellular sessions.
 * Thin shells over one library call each; every change runs in the
 * request's transaction with its audit entry (api_tx.h: shadow.adopt,
 * shadow.dismiss, netbinding.set, netbinding.delete).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/alertdb.h"

#define ERRMAX 512
#define NOTE_MAX 1024
#define NAME_MAX_ 255
#define CIDR_MAX 64 /* "ffff:...:ffff/128" is 43 bytes */

/* ------------------------------------------------------------------ */
/* Shadow IoT */

/* scope NULL: every tenant's findings and the platform's own. */
static void
shadow_list(struct req *r, const char *scope)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	bool all = false;
	enum vigil_err e;

	if (aq_bool(r, "all", false, &all) < 0)
		return;
	e = vigil_shadow_list(r->st, scope, all, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_shadow_list(struct req *r)
{
	shadow_list(r, r->scope);
}

void
api_shadow_list_all(struct req *r)
{
	/* Platform route: every tenant's findings and the platform's
	 * own (addresses outside any tenant's bound subnets). */
	shadow_list(r, NULL);
}

/* body {"name","model"?}: 201 with the device created. */
void
api_shadow_adopt(struct req *r)
{
	static const char *const keys[] = { "name", "model", NULL };
	char err[ERRMAX] = "", obj[64], detail[320];
	const char *name = NULL, *model = NULL;
	json_t *body = NULL, *out = NULL;
	int64_t id;
	enum vigil_err e;

	if (req_param_id(r, "shadow finding", &id) < 0 || api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "name", NAME_MAX_, true, &name) < 0 ||
	    aj_str(r, body, "model", 128, false, &model) < 0)
		goto out;
	if (name[0] == '\0') {
		aj_field_problem(r, "name", "required: the new device's name");
		goto out;
	}
	snprintf(obj, sizeof obj, "shadow/%" PRId64, id);
	snprintf(detail, sizeof detail, "device=%s", name);
	if (api_begin(r) < 0)
		goto out;
	e = vigil_shadow_adopt(r->st, r->scope, id, name, model, req_actor(r),
	    &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, "shadow.adopt", obj, err);
		goto out;
	}
	if (api_commit(r, "shadow.adopt", obj, detail) < 0) {
		json_decref(out);
		goto out;
	}
	api_reply(r, 201, out);
out:
	json_decref(body);
}

/* body {"note"?}: 204. */
void
api_shadow_dismiss(struct req *r)
{
	static const char *const keys[] = { "note", NULL };
	char err[ERRMAX] = "", obj[64];
	const char *note = NULL;
	json_t *body = NULL;
	int64_t id;
	enum vigil_err e;

	if (req_param_id(r, "shadow finding", &id) < 0 || api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "note", NOTE_MAX, false, &note) < 0)
		goto out;
	snprintf(obj, sizeof obj, "shadow/%" PRId64, id);
	if (api_begin(r) < 0)
		goto out;
	e = vigil_shadow_dismiss(r->st, r->scope, id, req_actor(r), note, err,
	    sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, "shadow.dismiss", obj, err);
		goto out;
	}
	api_finish_204(r, VIGIL_OK, "shadow.dismiss", obj, "dismissed");
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Address bindings */

void
api_netbinding_list(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	e = vigil_netbinding_list(r->st, r->scope, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/* body {"cidr","device"?,"site"?}: 200 with the binding. */
void
api_netbinding_put(struct req *r)
{
	static const char *const keys[] = { "cidr", "device", "site", NULL };
	char err[ERRMAX] = "", obj[96], detail[320];
	const char *cidr = NULL, *device = NULL, *site = NULL;
	struct vigil_cidr c;
	json_t *body = NULL, *out = NULL;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "cidr", CIDR_MAX, true, &cidr) < 0 ||
	    aj_str(r, body, "device", NAME_MAX_, false, &device) < 0 ||
	    aj_str(r, body, "site", 128, false, &site) < 0)
		goto out;
	if (!vigil_cidr_parse(cidr, &c)) {
		aj_field_problem(r, "cidr", "expected an address or a subnet "
		    "such as 192.0.2.0/24 or 2001:db8::/64");
		goto out;
	}
	snprintf(obj, sizeof obj, "netbinding/%s", cidr);
	snprintf(detail, sizeof detail, "%s%s%s%s",
	    device != NULL ? "device=" : "", device != NULL ? device : "",
	    site != NULL ? " site=" : "", site != NULL ? site : "");
	if (api_begin(r) < 0)
		goto out;
	e = vigil_netbinding_set(r->st, r->scope, cidr, device, site, &out,
	    err, sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, "netbinding.set", obj, err);
		goto out;
	}
	if (api_commit(r, "netbinding.set", obj, detail) < 0) {
		json_decref(out);
		goto out;
	}
	api_reply(r, 200, out);
out:
	json_decref(body);
}

/* ?cidr=X: 204. */
void
api_netbinding_delete(struct req *r)
{
	char err[ERRMAX] = "", obj[96];
	const char *cidr = NULL;
	enum vigil_err e;

	if (aq_str(r, "cidr", CIDR_MAX, &cidr) < 0)
		return;
	if (cidr == NULL) {
		aq_problem(r, "cidr", "required: the bound address or subnet");
		return;
	}
	snprintf(obj, sizeof obj, "netbinding/%s", cidr);
	if (api_begin(r) < 0)
		return;
	e = vigil_netbinding_delete(r->st, r->scope, cidr, err, sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, "netbinding.delete", obj, err);
		return;
	}
	api_finish_204(r, VIGIL_OK, "netbinding.delete", obj, NULL);
}

/* ------------------------------------------------------------------ */
/* Cellular sessions */

void
api_netsession_list(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	bool all = false;
	enum vigil_err e;

	if (aq_bool(r, "all", false, &all) < 0)
		return;
	e = vigil_netsession_list(r->st, r->scope, all, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}
