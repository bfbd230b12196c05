/*
 * Remote backend, tenants and devices: each backend call becomes one
 * API request (two for changes, which first read the device's version
 * for If-Match unless --if-version gave it), and each reply is read
 * back into the registry's structs.
 */
#include <stdlib.h>
#include <string.h>

#include "remote_be.h"

#define PATH_MAX_BYTES 16384

enum vigil_err
r_path_err(struct cli_ctx *ctx, enum vigil_err rc)
{
	return remote_fail(ctx, rc, CLI_EXIT_FAIL, rc == VIGIL_ERANGE ?
	    "request path longer than %d bytes" : "out of memory",
	    PATH_MAX_BYTES);
}

enum vigil_err
r_scoped_path(struct cli_ctx *ctx, struct vigil_buf *b, const char *tenant,
    const char *area, const char *ref, const char *tail)
{
	enum vigil_err rc;

	vigil_buf_init(b, PATH_MAX_BYTES);
	if (tenant != NULL)
		rc = rpath_tenant(ctx, b, tenant);
	else
		rc = vigil_buf_appends(b, "/v1/platform");
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, area);
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, ref);
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, tail);
	if (rc != VIGIL_OK) {
		vigil_buf_free(b);
		return r_path_err(ctx, rc);
	}
	return VIGIL_OK;
}

enum vigil_err
r_device_path(struct cli_ctx *ctx, struct vigil_buf *b, const char *ref,
    const char *tail)
{
	return r_scoped_path(ctx, b, ctx->tenant_id, "devices", ref, tail);
}

/* GETs the path built in b, or reports why it could not be built
 * (path_rc), and releases b. The reply goes to *res (json_decref it). */
static enum vigil_err
get_built(struct cli_ctx *ctx, struct vigil_buf *b, enum vigil_err path_rc,
    json_t **res)
{
	enum vigil_err rc;

	*res = NULL;
	if (path_rc != VIGIL_OK)
		rc = r_path_err(ctx, path_rc);
	else
		rc = remote_json(ctx, "GET", b->data, NULL, res);
	vigil_buf_free(b);
	return rc;
}

/* GET /v1/tenants/<tenant_id>/summary. */
static enum vigil_err
get_summary(struct cli_ctx *ctx, const char *tenant_id, json_t **res)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*res = NULL;
	if ((rc = r_scoped_path(ctx, &b, tenant_id, "summary", NULL, NULL)) !=
	    VIGIL_OK)
		return rc;
	return get_built(ctx, &b, VIGIL_OK, res);
}

enum vigil_err
r_get_all(struct cli_ctx *ctx, const char *path, json_t **out)
{
	struct vigil_buf b;
	json_t *page = NULL, *items;
	const char *next = NULL;
	enum vigil_err rc = VIGIL_OK;
	size_t i;
	json_t *v;

	if ((*out = json_array()) == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	vigil_buf_init(&b, PATH_MAX_BYTES);
	do {
		vigil_buf_reset(&b);
		rc = vigil_buf_appends(&b, path);
		if (rc == VIGIL_OK)
			rc = rpath_query(&b, "limit", "1000");
		if (rc == VIGIL_OK)
			rc = rpath_query(&b, "cursor", next);
		json_decref(page);
		page = NULL;
		if (rc != VIGIL_OK) {
			rc = r_path_err(ctx, rc);
			break;
		}
		if ((rc = remote_json(ctx, "GET", b.data, NULL, &page)) !=
		    VIGIL_OK)
			break;
		if ((rc = rjson_page(ctx, page, &items, &next)) != VIGIL_OK)
			break;
		json_array_foreach(items, i, v) {
			json_array_append(*out, v);
		}
	} while (next != NULL);
	json_decref(page);
	vigil_buf_free(&b);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Tenants */

enum vigil_err
r_tenant_create(struct cli_ctx *ctx, const char *name, const char *display,
    struct vigil_tenant *out)
{
	json_t *body = json_object(), *res = NULL;
	enum vigil_err rc;

	if (body == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	cli_json_set(body, "name", cli_json_str(name));
	if (display != NULL)
		cli_json_set(body, "display_name", cli_json_str(display));
	rc = remote_json(ctx, "POST", "/v1/tenants", body, &res);
	json_decref(body);
	if (rc == VIGIL_OK)
		rc = rjson_tenant(ctx, res, out);
	json_decref(res);
	return rc;
}

enum vigil_err
r_tenant_get(struct cli_ctx *ctx, const char *ref, struct vigil_tenant *out)
{
	struct vigil_buf b;
	json_t *res;
	enum vigil_err rc;

	vigil_buf_init(&b, PATH_MAX_BYTES);
	rc = get_built(ctx, &b, rpath_tenant(ctx, &b, ref), &res);
	if (rc == VIGIL_OK)
		rc = rjson_tenant(ctx, res, out);
	json_decref(res);
	return rc;
}

enum vigil_err
r_tenant_list(struct cli_ctx *ctx, const char *cursor, size_t limit,
    struct vigil_tenant **out, size_t *n, char next[CLI_CURSOR_MAX])
{
	struct vigil_buf b;
	json_t *res, *items, *v;
	const char *nx = NULL;
	char lim[24];
	enum vigil_err rc;
	size_t i;

	*out = NULL;
	*n = 0;
	next[0] = '\0';
	snprintf(lim, sizeof lim, "%zu", limit);
	vigil_buf_init(&b, PATH_MAX_BYTES);
	rc = vigil_buf_appends(&b, "/v1/tenants");
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "limit", lim);
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "cursor", cursor);
	if ((rc = get_built(ctx, &b, rc, &res)) == VIGIL_OK)
		rc = rjson_page(ctx, res, &items, &nx);
	if (rc == VIGIL_OK && (*out = calloc(json_array_size(items) + 1,
	    sizeof **out)) == NULL)
		rc = remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	if (rc == VIGIL_OK) {
		json_array_foreach(items, i, v) {
			if ((rc = rjson_tenant(ctx, v, &(*out)[i])) !=
			    VIGIL_OK)
				break;
			(*n)++;
		}
	}
	if (rc == VIGIL_OK && nx != NULL) {
		if (strlen(nx) >= CLI_CURSOR_MAX)
			rc = remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN,
			    "malformed reply from the server: cursor too long");
		else
			snprintf(next, CLI_CURSOR_MAX, "%s", nx);
	}
	json_decref(res);
	if (rc != VIGIL_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

enum vigil_err
r_device_count(struct cli_ctx *ctx, const char *tenant_id, uint64_t *count)
{
	json_t *res, *v;
	enum vigil_err rc;

	*count = 0;
	if ((rc = get_summary(ctx, tenant_id, &res)) == VIGIL_OK) {
		v = json_object_get(res, "devices");
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			rc = remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN,
			    "malformed reply from the server: summary: field "
			    "'devices' is missing or of the wrong type");
		else
			*count = (uint64_t)json_integer_value(v);
	}
	json_decref(res);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One device */

/* {"type": ..., "value": ...} */
static json_t *
ident_json(const struct vigil_ident_spec *s)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (s->type != VIGIL_ID_UNKNOWN)
		cli_json_set(o, "type", json_string(vigil_id_type_name(
		    s->type)));
	cli_json_set(o, "value", cli_json_str(s->value));
	return o;
}

static json_t *
idents_json(const struct vigil_ident_spec *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, ident_json(&s[i]));
	return a;
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		cli_json_set(o, key, cli_json_str(v));
}

/* A body with the text fields a new device and an update share (each
 * left out when NULL), and a new empty object in *labels. NULL when out
 * of memory. */
static json_t *
fields_json(const char *name, const char *model, const char *gtin,
    const char *region, const char *owner, json_t **labels)
{
	json_t *o = json_object();

	*labels = json_object();
	if (o == NULL || *labels == NULL) {
		json_decref(o);
		json_decref(*labels);
		return NULL;
	}
	set_str(o, "name", name);
	set_str(o, "model", model);
	set_str(o, "gtin", gtin);
	set_str(o, "region", region);
	set_str(o, "owner", owner);
	return o;
}

/* The device as one JSON Lines import object (the POST body). */
static json_t *
spec_json(const struct vigil_device_spec *spec)
{
	json_t *labels, *o = fields_json(spec->name, spec->model, spec->gtin,
	    spec->region, spec->owner, &labels);

	if (o == NULL)
		return NULL;
	if (spec->state != VIGIL_DEV_NONE)
		cli_json_set(o, "state", json_string(vigil_device_state_name(
		    spec->state)));
	for (size_t i = 0; i < spec->nlabels; i++)
		cli_json_set(labels, spec->labels[i].key,
		    cli_json_str(spec->labels[i].value));
	cli_json_set(o, "labels", labels);
	cli_json_set(o, "identifiers", idents_json(spec->idents,
	    spec->nidents));
	return o;
}

/* Sends a request whose reply is one device. */
static enum vigil_err
device_call(struct cli_ctx *ctx, const char *method, const char *path,
    json_t *body, int64_t if_match, struct vigil_device **out,
    int64_t *version)
{
	struct remote_req rq;
	struct remote_resp resp;
	enum vigil_err rc;

	remote_req_init(&rq, method, path, body);
	rq.if_match = if_match;
	rc = remote_do(ctx, &rq, &resp);
	if (rc == VIGIL_OK)
		rc = rjson_device(ctx, resp.json, out);
	if (rc == VIGIL_OK && version != NULL)
		*version = resp.version > 0 ? resp.version : (*out)->version;
	remote_resp_free(&resp);
	return rc;
}

enum vigil_err
r_device_add(struct cli_ctx *ctx, const struct vigil_device_spec *spec,
    struct vigil_device **out)
{
	struct vigil_buf b;
	json_t *body;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = r_device_path(ctx, &b, NULL, NULL)) != VIGIL_OK)
		return rc;
	if ((body = spec_json(spec)) == NULL)
		rc = remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	else
		rc = device_call(ctx, "POST", b.data, body, 0, out, NULL);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

enum vigil_err
r_device_get(struct cli_ctx *ctx, const char *ref, struct vigil_device **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = r_device_path(ctx, &b, ref, NULL)) != VIGIL_OK)
		return rc;
	rc = device_call(ctx, "GET", b.data, NULL, 0, out, NULL);
	vigil_buf_free(&b);
	return rc;
}

/* The device's id and version: what a change names and sends in
 * If-Match. version given (--if-version) skips nothing: the id is
 * still needed, since ref may be any identifier. */
static enum vigil_err
current(struct cli_ctx *ctx, const char *ref, char id[VIGIL_UUID_STRLEN],
    int64_t *version)
{
	struct vigil_device *d = NULL;
	struct vigil_buf b;
	enum vigil_err rc;

	if ((rc = r_device_path(ctx, &b, ref, NULL)) != VIGIL_OK)
		return rc;
	rc = device_call(ctx, "GET", b.data, NULL, 0, &d, version);
	vigil_buf_free(&b);
	if (rc == VIGIL_OK)
		memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
	return rc;
}

static json_t *
update_json(const struct vigil_device_update *u, const char *reason)
{
	json_t *labels, *o = fields_json(u->name, u->model, u->gtin,
	    u->region, u->owner, &labels);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < u->nlabels_set; i++)
		cli_json_set(labels, u->labels_set[i].key,
		    cli_json_str(u->labels_set[i].value));
	for (size_t i = 0; i < u->nlabels_unset; i++)
		cli_json_set(labels, u->labels_unset[i], json_null());
	if (json_object_size(labels) > 0)
		cli_json_set(o, "labels", labels);
	else
		json_decref(labels);
	if (u->nidents_add > 0)
		cli_json_set(o, "add_identifiers", idents_json(u->idents_add,
		    u->nidents_add));
	if (u->nidents_remove > 0)
		cli_json_set(o, "remove_identifiers", idents_json(
		    u->idents_remove, u->nidents_remove));
	set_str(o, "reason", reason);
	return o;
}

enum vigil_err
r_device_update(struct cli_ctx *ctx, const char *ref,
    const struct vigil_device_update *u, const char *reason,
    struct vigil_device **out)
{
	char id[VIGIL_UUID_STRLEN];
	int64_t version = 0;
	struct vigil_buf b;
	json_t *body = NULL;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = current(ctx, ref, id, &version)) != VIGIL_OK)
		return rc;
	/* --if-version: the server refuses the change (412) unless the
	 * device is still at that version. */
	if (u->expected_version > 0)
		version = u->expected_version;
	if ((rc = r_device_path(ctx, &b, id, NULL)) != VIGIL_OK)
		return rc;
	if ((body = update_json(u, reason)) == NULL)
		rc = remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	else
		rc = device_call(ctx, "PATCH", b.data, body, version, out,
		    NULL);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

enum vigil_err
r_device_set_state(struct cli_ctx *ctx, const char *ref,
    enum vigil_device_state to, const char *reason, struct vigil_device **out)
{
	char id[VIGIL_UUID_STRLEN];
	int64_t version = 0;
	struct vigil_buf b;
	json_t *body;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = current(ctx, ref, id, &version)) != VIGIL_OK)
		return rc;
	if ((rc = r_device_path(ctx, &b, id, "state")) != VIGIL_OK)
		return rc;
	if ((body = json_object()) == NULL) {
		vigil_buf_free(&b);
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	}
	cli_json_set(body, "state", json_string(vigil_device_state_name(to)));
	set_str(body, "reason", reason);
	rc = device_call(ctx, "POST", b.data, body, version, out, NULL);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Lists */

static enum vigil_err
devices_of(struct cli_ctx *ctx, const json_t *items,
    struct vigil_device_list *out)
{
	enum vigil_err rc = VIGIL_OK;
	json_t *v;
	size_t i;

	out->items = calloc(json_array_size(items) + 1,
	    sizeof(struct vigil_device *));
	if (out->items == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	json_array_foreach(items, i, v) {
		if ((rc = rjson_device(ctx, v, &out->items[out->n])) !=
		    VIGIL_OK)
			break;
		out->n++;
	}
	return rc;
}

/* GET of a device page into out. */
static enum vigil_err
device_page(struct cli_ctx *ctx, const char *path,
    struct vigil_device_list *out)
{
	json_t *res = NULL, *items;
	const char *next = NULL;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	rc = remote_json(ctx, "GET", path, NULL, &res);
	if (rc == VIGIL_OK)
		rc = rjson_page(ctx, res, &items, &next);
	if (rc == VIGIL_OK)
		rc = devices_of(ctx, items, out);
	if (rc == VIGIL_OK && next != NULL) {
		if (strlen(next) >= sizeof out->next)
			rc = remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN,
			    "malformed reply from the server: cursor too long");
		else
			snprintf(out->next, sizeof out->next, "%s", next);
	}
	json_decref(res);
	if (rc != VIGIL_OK)
		vigil_device_list_free(out);
	return rc;
}

enum vigil_err
r_device_list(struct cli_ctx *ctx, const struct vigil_device_filter *f,
    struct vigil_device_list *out)
{
	struct vigil_buf b, lab;
	char lim[24];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = r_device_path(ctx, &b, NULL, NULL)) != VIGIL_OK)
		return rc;
	vigil_buf_init(&lab, PATH_MAX_BYTES);
	if (f->label_key != NULL) {
		rc = vigil_buf_appends(&lab, f->label_key);
		if (rc == VIGIL_OK && f->label_value != NULL)
			rc = vigil_buf_appendf(&lab, "=%s", f->label_value);
	}
	snprintf(lim, sizeof lim, "%zu", f->limit ? f->limit :
	    (size_t)VIGIL_LIST_DEFAULT_LIMIT);
	if (rc == VIGIL_OK && f->state != VIGIL_DEV_NONE)
		rc = rpath_query(&b, "state", vigil_device_state_name(
		    f->state));
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "model", f->model);
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "label", lab.data);
	if (rc == VIGIL_OK && f->id_type != VIGIL_ID_UNKNOWN)
		rc = rpath_query(&b, "id_type", vigil_id_type_name(
		    f->id_type));
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "cursor", f->after);
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "limit", lim);
	vigil_buf_free(&lab);
	if (rc != VIGIL_OK)
		rc = r_path_err(ctx, rc);
	else
		rc = device_page(ctx, b.data, out);
	vigil_buf_free(&b);
	return rc;
}

enum vigil_err
r_device_find(struct cli_ctx *ctx, enum vigil_id_type type, const char *text,
    struct vigil_device_list *out)
{
	struct vigil_buf b;
	char lim[24];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = r_device_path(ctx, &b, NULL, NULL)) != VIGIL_OK)
		return rc;
	snprintf(lim, sizeof lim, "%d", VIGIL_LIST_MAX_LIMIT);
	rc = rpath_query(&b, "identifier", text);
	if (rc == VIGIL_OK && type != VIGIL_ID_UNKNOWN)
		rc = rpath_query(&b, "type", vigil_id_type_name(type));
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "limit", lim);
	if (rc != VIGIL_OK)
		rc = r_path_err(ctx, rc);
	else
		rc = device_page(ctx, b.data, out);
	vigil_buf_free(&b);
	/* The library reports "none" as an error; the API as an empty
	 * page. */
	if (rc == VIGIL_OK && out->n == 0)
		return VIGIL_ENOTFOUND;
	return rc;
}

enum vigil_err
r_device_history(struct cli_ctx *ctx, const char *ref, int64_t after,
    size_t limit, struct vigil_history *out)
{
	struct vigil_buf b;
	json_t *res, *items;
	const char *next = NULL;
	char a[24], lim[24];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = r_device_path(ctx, &b, ref, "history")) != VIGIL_OK)
		return rc;
	snprintf(a, sizeof a, "%lld", (long long)after);
	snprintf(lim, sizeof lim, "%zu", limit);
	rc = rpath_query(&b, "after", after > 0 ? a : NULL);
	if (rc == VIGIL_OK)
		rc = rpath_query(&b, "limit", lim);
	if ((rc = get_built(ctx, &b, rc, &res)) == VIGIL_OK)
		rc = rjson_page(ctx, res, &items, &next);
	if (rc == VIGIL_OK)
		rc = rjson_history(ctx, items, out);
	json_decref(res);
	if (rc != VIGIL_OK)
		vigil_history_free(out);
	return rc;
}

enum vigil_err
r_device_summary(struct cli_ctx *ctx, struct vigil_inventory_summary *out)
{
	json_t *res;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = get_summary(ctx, ctx->tenant_id, &res)) == VIGIL_OK)
		rc = rjson_summary(ctx, res, out);
	json_decref(res);
	return rc;
}

/*
 * method on /v1/tenants/<tenant>/<area>[/<ref>][/<tail>] (tenant NULL:
 * /v1/<area>, the platform's) + query pairs (a NULL value skips its
 * pair); releases body; the reply to *out (dropped when out is NULL).
 */
enum vigil_err
r_area_call(struct cli_ctx *ctx, const char *method, bool platform,
    const char *area, const char *ref, const char *tail,
    const char *const *query, size_t nq, json_t *body, json_t **out)
{
	struct vigil_buf b;
	json_t *res = NULL;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (platform) {
		vigil_buf_init(&b, 4096);
		rc = vigil_buf_appends(&b, "/v1");
		if (rc == VIGIL_OK)
			rc = rpath_seg(&b, area);
	} else {
		rc = r_scoped_path(ctx, &b, ctx->tenant_id, area, ref, tail);
		if (rc != VIGIL_OK) {
			json_decref(body);
			return rc;
		}
	}
	for (size_t i = 0; rc == VIGIL_OK && i + 1 < nq; i += 2)
		if (query[i + 1] != NULL)
			rc = rpath_query(&b, query[i], query[i + 1]);
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		json_decref(body);
		return r_path_err(ctx, rc);
	}
	rc = remote_json(ctx, method, b.data, body, out != NULL ? out : &res);
	json_decref(res);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}
