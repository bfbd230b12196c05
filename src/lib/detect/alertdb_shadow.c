/*
 * Shadow IoT (alertdb.h): local addresses no device claims, kept per
 * tenant ('' = the platform) with their totals and likely identifiers,
 * until an operator adopts one into the inventory (a device plus a
 * binding of the address, so later flows attribute to it) or dismisses
 * it (it stays dismissed; totals keep updating).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_net.h"
#include "vigil/alertdb.h"
#include "vigil/json.h"
#include "vigil/registry.h"
#include "vigil/store.h"

#define LIST_MAX 1000
#define NOTE_MAX 1024

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

static const char *
scope(const char *tenant)
{
	return tenant != NULL && tenant[0] != '\0' ? tenant : NULL;
}

static int64_t
clamp64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The non-zero entries of a short list as a JSON array text. */
static char *
list_text(const uint16_t *v16, const uint8_t *v8, size_t n)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; a != NULL && i < n; i++) {
		unsigned v = 0;

		if (v16 != NULL)
			v = v16[i];
		else if (v8 != NULL)
			v = v8[i];

		if (v != 0 && json_array_append_new(a, json_integer(v)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	if (a == NULL)
		return NULL;
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

enum vigil_err
vigil_shadow_record(struct vigil_store *st, const struct vigil_shadow_obs *o,
    int64_t now_ms, char *err, size_t errsize)
{
	char addr[INET6_ADDRSTRLEN];
	char *ports = NULL, *protos = NULL;
	enum vigil_err rc;
	int64_t first, last;

	if (o == NULL || (o->family != 4 && o->family != 6))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "shadow: address family %u is not 4 or 6",
		    o != NULL ? (unsigned)o->family : 0u);
	(void)inet_ntop(o->family == 4 ? AF_INET : AF_INET6, o->addr, addr,
	    sizeof addr);
	ports = list_text(o->top_ports, NULL, 4);
	protos = list_text(NULL, o->top_protos, 4);
	if (ports == NULL || protos == NULL) {
		free(ports);
		free(protos);
		return oom(err, errsize);
	}
	first = o->first_ms > 0 ? o->first_ms : now_ms;
	last = o->last_ms > 0 ? o->last_ms : first;
	{
		struct store_arg a[10] = { SA_S(o->tenant), SA_S(addr),
		    SA_I(first), SA_I(last), SA_I(clamp64(o->flows)),
		    SA_I(clamp64(o->bytes)), SA_I(o->peers), SA_S(ports),
		    SA_S(protos), SA_I(now_ms) };

		rc = store_nq_exec(st, NQ_SHADOW_PUT, a, 10, NULL);
	}
	free(ports);
	free(protos);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "shadow finding", err, errsize);
	return VIGIL_OK;
}

static json_t *
shadow_item(const json_t *r)
{
	json_t *o = json_object();
	const char *t = store_row_str(r, "tenant_id"), *did = store_row_str(r,
	    "device_id");
	json_t *ports = json_loads(store_row_str(r, "ports"), 0, NULL);
	json_t *protos = json_loads(store_row_str(r, "protos"), 0, NULL);
	int ok = o != NULL;

	vigil_json_put(o, "id", json_integer(store_row_int(r, "id")), &ok);
	vigil_json_put(o, "address", json_string(store_row_str(r, "address")),
	    &ok);
	vigil_json_put(o, "tenant", t[0] == '\0' ? json_null() :
	    json_string(t), &ok);
	vigil_json_put(o, "state", json_string(store_row_str(r, "state")), &ok);
	vigil_json_put(o, "first_seen", vigil_json_time(store_row_int(r,
	    "first_ms")), &ok);
	vigil_json_put(o, "last_seen", vigil_json_time(store_row_int(r,
	    "last_ms")), &ok);
	vigil_json_put(o, "flows", json_integer(store_row_int(r, "flows")), &ok);
	vigil_json_put(o, "bytes", json_integer(store_row_int(r, "bytes")), &ok);
	vigil_json_put(o, "peers", json_integer(store_row_int(r, "peers")), &ok);
	vigil_json_put(o, "ports", ports != NULL ? ports : json_array(), &ok);
	vigil_json_put(o, "protos", protos != NULL ? protos : json_array(),
	    &ok);
	if (did[0] != '\0') {
		json_t *d = json_object();
		int dok = d != NULL;

		vigil_json_put(d, "id", json_string(did), &dok);
		vigil_json_put(d, "name", vigil_json_str_or_null(store_row_str(r,
		    "d_name")), &dok);
		vigil_json_put(o, "device", vigil_json_done(d, dok), &ok);
	}
	if (store_row_str(r, "note")[0] != '\0')
		vigil_json_put(o, "note", json_string(store_row_str(r, "note")), &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_shadow_list(struct vigil_store *st, const char *tenant, bool all,
    json_t **out, char *err, size_t errsize)
{
	struct store_arg a[3] = { SA_S(scope(tenant)), SA_I(all ? 1 : 0),
	    SA_I(LIST_MAX) };
	json_t *rows = NULL, *items, *o;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = store_nq_rows(st, NQ_SHADOW_LIST, a, 3, LIST_MAX, &rows)) !=
	    VIGIL_OK)
		return store_rows_err(st, rc, "shadow findings", err, errsize);
	items = vigil_json_map(rows, shadow_item);
	json_decref(rows);
	if (items == NULL)
		return oom(err, errsize);
	if ((o = json_object()) == NULL) {
		json_decref(items);
		return oom(err, errsize);
	}
	if (json_object_set_new(o, "shadow", items) != 0) {
		json_decref(o);
		return oom(err, errsize);
	}
	*out = o;
	return VIGIL_OK;
}

static enum vigil_err
shadow_row(struct vigil_store *st, const char *tenant, int64_t id,
    json_t **row, char *err, size_t errsize)
{
	struct store_arg a[2] = { SA_I(id), SA_S(scope(tenant)) };
	enum vigil_err rc = store_nq_row(st, NQ_SHADOW_GET, a, 2, row);

	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc,
		    "shadow finding %lld not found", (long long)id);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "shadow finding", err, errsize);
	return VIGIL_OK;
}

/* A platform finding (tenant '') whose address a subnet of tenant now
 * covers (bound after the finding was made) is that tenant's to adopt:
 * *row gets it. Other tenants still do not see it. */
static bool
platform_finding_in(struct vigil_store *st, int64_t id, const char *tenant,
    json_t **row)
{
	struct store_arg a[2] = { SA_I(id), SA_S(NULL) };
	struct vigil_endpoint who;
	uint8_t addr[16];
	uint8_t family;
	json_t *r = NULL;
	bool ok = false;

	if (store_nq_row(st, NQ_SHADOW_GET, a, 2, &r) != VIGIL_OK)
		return false;
	memset(addr, 0, sizeof addr);
	if (store_row_str(r, "tenant_id")[0] == '\0') {
		const char *s = store_row_str(r, "address");

		family = strchr(s, ':') != NULL ? 6 : 4;
		ok = inet_pton(family == 4 ? AF_INET : AF_INET6, s,
		    addr) == 1 && vigil_attribute(st, family, addr,
		    vigil_time_now_ms(), &who) == 1 && !who.device &&
		    strcmp(who.tenant, tenant) == 0;
	}
	if (ok)
		*row = r;
	else
		json_decref(r);
	return ok;
}

static enum vigil_err
adopt_tx(struct vigil_store *st, const json_t *row, const char *t,
    const char *name, const char *model, const char *actor, json_t **out,
    char *err, size_t errsize)
{
	struct vigil_device_spec spec;
	struct vigil_device *dev = NULL;
	enum vigil_err rc;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	spec.state = VIGIL_DEV_REGISTERED;
	if ((rc = vigil_device_add(st, t, &spec, actor, &dev)) != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "device %.64s: %s", name,
		    vigil_store_errmsg(st));
	if ((rc = vigil_netbinding_set(st, t, store_row_str(row, "address"),
	    dev->id, NULL, NULL, err, errsize)) != VIGIL_OK) {
		vigil_device_free(dev);
		return rc;
	}
	{
		struct store_arg a[6] = { SA_I(store_row_int(row, "id")),
		    SA_S("adopted"), SA_S(dev->id), SA_S(actor), SA_S(NULL),
		    SA_I(vigil_time_now_ms()) };

		rc = store_nq_exec(st, NQ_SHADOW_STATE, a, 6, NULL);
	}
	if (rc != VIGIL_OK) {
		vigil_device_free(dev);
		return store_rows_err(st, rc, "shadow finding", err, errsize);
	}
	*out = vigil_device_to_json(dev, 0);
	vigil_device_free(dev);
	if (*out == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_shadow_adopt(struct vigil_store *st, const char *tenant, int64_t id,
    const char *name, const char *model, const char *actor, json_t **out,
    char *err, size_t errsize)
{
	json_t *row = NULL, *dev = NULL;
	enum vigil_err rc;
	const char *t;

	if (out != NULL)
		*out = NULL;
	if (name == NULL || name[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "name: the adopted device needs a name");
	rc = shadow_row(st, tenant, id, &row, err, errsize);
	if (rc == VIGIL_ENOTFOUND && scope(tenant) != NULL &&
	    platform_finding_in(st, id, tenant, &row))
		rc = VIGIL_OK;
	if (rc != VIGIL_OK)
		return rc;
	/* A device lives in a tenant: a platform finding is adopted in the
	 * tenant whose subnet now covers it. */
	t = store_row_str(row, "tenant_id")[0] != '\0' ? store_row_str(row, "tenant_id") :
	    scope(tenant);
	if (t == NULL) {
		json_decref(row);
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "shadow finding %lld belongs to no tenant: bind its subnet "
		    "to a tenant, then adopt it there", (long long)id);
	}
	if (strcmp(store_row_str(row, "state"), "new") != 0) {
		rc = vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "shadow finding %lld is %s: only a new one is adopted",
		    (long long)id, store_row_str(row, "state"));
		json_decref(row);
		return rc;
	}
	if (vigil_store_begin(st) != VIGIL_OK) {
		json_decref(row);
		return store_rows_err(st, VIGIL_ESTORE, "adopt", err, errsize);
	}
	rc = adopt_tx(st, row, t, name, model, actor, &dev, err, errsize);
	json_decref(row);
	if (rc != VIGIL_OK) {
		(void)vigil_store_rollback(st);
		return rc;
	}
	if (vigil_store_commit(st) != VIGIL_OK) {
		json_decref(dev);
		return store_rows_err(st, VIGIL_ESTORE, "adopt", err, errsize);
	}
	if (out != NULL)
		*out = dev;
	else
		json_decref(dev);
	return VIGIL_OK;
}

enum vigil_err
vigil_shadow_dismiss(struct vigil_store *st, const char *tenant, int64_t id,
    const char *actor, const char *note, char *err, size_t errsize)
{
	json_t *row = NULL;
	enum vigil_err rc;

	if (note != NULL && strlen(note) > NOTE_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "note: at most %d bytes", NOTE_MAX);
	if ((rc = shadow_row(st, tenant, id, &row, err, errsize)) != VIGIL_OK)
		return rc;
	if (strcmp(store_row_str(row, "state"), "adopted") == 0) {
		json_decref(row);
		return vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "shadow finding %lld is adopted: retire the device "
		    "instead", (long long)id);
	}
	json_decref(row);
	{
		struct store_arg a[6] = { SA_I(id), SA_S("dismissed"),
		    SA_S(NULL), SA_S(actor != NULL ? actor : ""), SA_S(note),
		    SA_I(vigil_time_now_ms()) };

		rc = store_nq_exec(st, NQ_SHADOW_STATE, a, 6, NULL);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "shadow finding", err, errsize);
	return VIGIL_OK;
}
