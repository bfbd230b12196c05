/*
 * API handlers for one tenant's devices: list/find, create, get,
 * update, lifecycle moves, history and the inventory summary. The
 * server has resolved {tenant} (r->tenant) and checked the permission;
 * every registry call takes that tenant as its scope. Single-device
 * replies carry ETag "v<version>"; changes need a matching If-Match.
 * Bulk import and export are in api_device_bulk.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_devspec.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/id.h"

/* The scope of every registry call here: the resolved {tenant}. */
static const char *
tid(const struct req *r)
{
	return r->tenant.id;
}

/* Replies with one device, its ETag and (201) its Location. */
static void
reply_device(struct req *r, int status, struct vigil_device *d)
{
	char loc[256];

	req_etag(r, d->version);
	if (status == 201) {
		snprintf(loc, sizeof loc, "/v1/tenants/%s/devices/%s", tid(r),
		    d->id);
		req_header(r, "Location", loc);
	}
	api_reply(r, status, vigil_device_to_json(d, 0));
	vigil_device_free(d);
}

static json_t *
devices_json(const struct vigil_device_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < l->n; i++)
		if (json_array_append_new(a, vigil_device_to_json(l->items[i],
		    0)) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* GET ?identifier=X[&type=T]: every device carrying the identifier. */
static void
device_find(struct req *r, const char *ident, const struct api_devfilter *df)
{
	struct vigil_device_list l;
	enum vigil_id_type t = VIGIL_ID_UNKNOWN;
	const char *type;
	char list[512];
	enum vigil_err e;

	if (df->f.state != VIGIL_DEV_NONE || df->f.model != NULL ||
	    df->f.label_key != NULL || df->f.id_type != VIGIL_ID_UNKNOWN ||
	    req_query(r, "cursor") != NULL) {
		aq_problem(r, "identifier", "cannot be combined with state, "
		    "model, label, id_type or cursor");
		return;
	}
	if (aq_str(r, "type", 32, &type) < 0)
		return;
	if (type != NULL &&
	    (t = vigil_id_type_from_name(type)) == VIGIL_ID_UNKNOWN) {
		aj_id_type_list(list, sizeof list);
		aq_problem(r, "type", "unknown identifier type; expected one "
		    "of %s", list);
		return;
	}
	memset(&l, 0, sizeof l);
	e = vigil_device_find(r->st, tid(r), t, ident, &l);
	if (e == VIGIL_ENOTFOUND) {
		api_reply_page(r, json_array(), NULL);
		return;
	}
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	api_reply_page(r, devices_json(&l), NULL);
	vigil_device_list_free(&l);
}

void
api_device_list(struct req *r)
{
	struct api_devfilter df;
	struct vigil_device_list l;
	const char *ident, *cursor;
	enum vigil_err e;
	size_t limit;

	if (api_devfilter_from_query(r, &df) < 0 ||
	    aq_str(r, "identifier", VIGIL_ID_MAX_INPUT, &ident) < 0 ||
	    aq_str(r, "cursor", VIGIL_UUID_STRLEN - 1, &cursor) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	if (ident != NULL) {
		device_find(r, ident, &df);
		return;
	}
	if (req_query(r, "type") != NULL) {
		aq_problem(r, "type", "only with 'identifier' (the type of "
		    "the identifier searched for); to filter by the types a "
		    "device carries use id_type");
		return;
	}
	df.f.after = cursor;
	df.f.limit = limit;
	memset(&l, 0, sizeof l);
	if ((e = vigil_device_list(r->st, tid(r), &df.f, &l)) != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	api_reply_page(r, devices_json(&l), l.next);
	vigil_device_list_free(&l);
}

/* The body is one object of the JSON Lines import format, read by the
 * importer's own reader: the same keys, rules and problem texts. */
void
api_device_create(struct req *r)
{
	struct vigil_device_spec_owned *ds = NULL;
	struct vigil_device *d = NULL;
	char obj[200], err[2048];
	json_t *body;
	enum vigil_err e;

	if (req_json_body(r, &body) < 0)
		return;
	e = vigil_device_spec_from_json(body, &ds, err, sizeof err);
	json_decref(body);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, err);
		return;
	}
	if (api_begin(r) < 0)
		goto out;
	e = vigil_device_add(r->st, tid(r), &ds->spec, req_actor(r), &d);
	if (e != VIGIL_OK) {
		api_fail(r, e, "device.create", "device");
		goto out;
	}
	snprintf(obj, sizeof obj, "device/%s", d->id);
	if (api_commit(r, "device.create", obj, d->name) < 0) {
		vigil_device_free(d);
		goto out;
	}
	reply_device(r, 201, d);
out:
	vigil_device_spec_owned_free(ds);
}

void
api_device_get(struct req *r)
{
	struct vigil_device *d = NULL;
	enum vigil_err e;

	e = vigil_device_get(r->st, tid(r), req_param(r, "device"), &d);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	reply_device(r, 200, d);
}

/*
 * If-Match is mandatory on changes: without it two clients editing the
 * same device would silently overwrite each other. 0 with *version
 * set, or -1 after replying (428 missing, 400 malformed, 412 for a
 * version no device ever has).
 */
static int
need_if_match(struct req *r, int64_t *version)
{
	int rc = req_if_match(r, version);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		req_problem(r, 428, "precondition-required", "If-Match: "
		    "required; send the device's ETag (\"v<version>\") from "
		    "a GET so that a concurrent change is not overwritten");
		return -1;
	}
	if (*version < 1) {
		/* 0 would mean "do not check" to the registry. */
		req_problem(r, 412, "precondition-failed", "If-Match: "
		    "version %" PRId64 " does not exist; versions start at "
		    "1", *version);
		return -1;
	}
	return 0;
}

/* Audit detail of an update: which members it touches. */
static void
update_detail(const struct api_devupdate *du, char *buf, size_t size)
{
	const struct vigil_device_update *u = &du->u;

	snprintf(buf, size, "fields:%s%s%s%s%s%s%s%s",
	    u->name != NULL ? " name" : "", u->model != NULL ? " model" : "",
	    u->gtin != NULL ? " gtin" : "", u->region != NULL ? " region" : "",
	    u->owner != NULL ? " owner" : "",
	    u->nlabels_set + u->nlabels_unset > 0 ? " labels" : "",
	    u->nidents_add > 0 ? " add_identifiers" : "",
	    u->nidents_remove > 0 ? " remove_identifiers" : "");
}

/*
 * Ends a change of device ref (update, lifecycle move, quarantine): on
 * error e rolls back and audits the failure under the reference the client
 * gave; else commits the audit entry under the device's id and replies
 * 200 with d, which it frees.
 */
void
api_device_finish(struct req *r, enum vigil_err e, const char *action,
    const char *ref, struct vigil_device *d, const char *detail)
{
	char obj[VIGIL_DEVICE_NAME_MAX + 600];

	if (e != VIGIL_OK) {
		snprintf(obj, sizeof obj, "device/%s", ref);
		api_fail(r, e, action, obj);
		return;
	}
	snprintf(obj, sizeof obj, "device/%s", d->id);
	if (api_commit(r, action, obj, detail) < 0) {
		vigil_device_free(d);
		return;
	}
	reply_device(r, 200, d);
}

void
api_device_update(struct req *r)
{
	const char *ref = req_param(r, "device");
	struct api_devupdate du;
	struct vigil_device *d = NULL;
	char detail[200];
	json_t *body;
	int64_t version;
	enum vigil_err e;

	if (need_if_match(r, &version) < 0 || req_json_body(r, &body) < 0)
		return;
	if (api_devupdate_from_json(r, body, &du) < 0 || api_begin(r) < 0)
		goto out;
	du.u.expected_version = version;
	e = vigil_device_update(r->st, tid(r), ref, &du.u, req_actor(r),
	    du.reason, &d);
	update_detail(&du, detail, sizeof detail);
	api_device_finish(r, e, "device.update", ref, d, detail);
out:
	json_decref(body);
}

void
api_device_state(struct req *r)
{
	static const char *const keys[] = { "state", "reason", NULL };
	const char *ref = req_param(r, "device"), *reason;
	enum vigil_device_state to;
	struct vigil_device *d = NULL;
	char detail[64];
	json_t *body;
	int64_t version;
	enum vigil_err e;

	if (need_if_match(r, &version) < 0 || api_body(r, keys, &body) < 0)
		return;
	if (aj_state(r, body, "state", true, &to) < 0 ||
	    aj_str(r, body, "reason", VIGIL_REASON_MAX, false, &reason) < 0 ||
	    api_begin(r) < 0)
		goto out;
	e = vigil_device_set_state(r->st, tid(r), ref, to, version,
	    req_actor(r), reason, &d);
	snprintf(detail, sizeof detail, "state: %s",
	    vigil_device_state_name(to));
	api_device_finish(r, e, "device.state", ref, d, detail);
out:
	json_decref(body);
}

void
api_device_history(struct req *r)
{
	struct vigil_history h;
	char next[32] = "";
	int64_t after, cursor;
	size_t limit;
	enum vigil_err e;

	if (aq_int(r, "after", 0, INT64_MAX, 0, &after) < 0 ||
	    aq_int(r, "cursor", 0, INT64_MAX, 0, &cursor) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	/* ?cursor= is the list convention; ?after= says what it is. */
	if (cursor > after)
		after = cursor;
	memset(&h, 0, sizeof h);
	e = vigil_device_history(r->st, tid(r), req_param(r, "device"), after,
	    limit, &h);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	if (h.n == limit && h.n > 0)
		snprintf(next, sizeof next, "%" PRId64, h.items[h.n - 1].seq);
	api_reply_page(r, vigil_history_to_json(&h), next);
	vigil_history_free(&h);
}

void
api_device_summary(struct req *r)
{
	struct vigil_inventory_summary s;
	enum vigil_err e;

	if ((e = vigil_device_summary(r->st, tid(r), &s)) != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	api_reply(r, 200, vigil_inventory_summary_to_json(&s));
	vigil_inventory_summary_free(&s);
}
