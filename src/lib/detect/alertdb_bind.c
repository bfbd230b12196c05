/*
 * Address bindings and attribution (alertdb.h): an address or subnet
 * bound to a device or to a tenant (and site), and vigil_attribute, the
 * answer to "who had this address then": an open cellular session,
 * else the most specific device binding, else a tenant's subnet.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_net.h"
#include "vigil/alertdb.h"
#include "vigil/json.h"
#include "vigil/store.h"

#define SITE_MAX 128

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

/* 16 bytes as 32 lower-case hex digits: fixed width, so text order is
 * address order (the containment test of NQ_BIND_AT). */
static void
hex16(const uint8_t b[16], char out[33])
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < 16; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[32] = '\0';
}

struct net {
	uint8_t family;
	uint8_t prefix;
	uint8_t first[16], last[16];
	char text[64]; /* canonical: network address / prefix */
};

/* "10.1.0.0/16", "fd00::/8" or one address (/32, /128); host bits
 * are cleared, so "10.1.2.3/16" is 10.1.0.0/16. */
static bool
net_parse(const char *s, struct net *n)
{
	char buf[64], host[INET6_ADDRSTRLEN];
	const char *slash;
	size_t len;
	unsigned maxp, p;
	char *end;

	memset(n, 0, sizeof *n);
	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len + 1);
	slash = strchr(buf, '/');
	if (slash != NULL)
		buf[slash - buf] = '\0';
	if (inet_pton(AF_INET, buf, n->first) == 1) {
		n->family = 4;
		maxp = 32;
	} else if (inet_pton(AF_INET6, buf, n->first) == 1) {
		n->family = 6;
		maxp = 128;
	} else {
		return false;
	}
	p = maxp;
	if (slash != NULL) {
		const char *ps = slash + 1;
		unsigned long v;

		if (*ps < '0' || *ps > '9' || strlen(ps) > 3)
			return false;
		v = strtoul(ps, &end, 10);
		if (*end != '\0' || v > maxp)
			return false;
		p = (unsigned)v;
	}
	n->prefix = (uint8_t)p;
	for (unsigned i = 0; i < maxp / 8; i++) {
		unsigned bits = p >= 8 * (i + 1) ? 8 :
		    p > 8 * i ? p - 8 * i : 0;
		uint8_t mask = (uint8_t)(bits == 0 ? 0 : 0xff << (8 - bits));

		n->first[i] &= mask;
		n->last[i] = (uint8_t)(n->first[i] | (uint8_t)~mask);
	}
	(void)inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->first, host,
	    sizeof host);
	snprintf(n->text, sizeof n->text, "%s/%u", host, p);
	return true;
}

static json_t *
binding_item(const json_t *r)
{
	json_t *o = json_object();
	const char *did = store_row_str(r, "device_id");
	int ok = o != NULL;

	vigil_json_put(o, "cidr", json_string(store_row_str(r, "cidr")), &ok);
	vigil_json_put(o, "tenant", json_string(store_row_str(r, "tenant_id")),
	    &ok);
	if (did[0] != '\0') {
		json_t *d = json_object();
		int dok = d != NULL;

		vigil_json_put(d, "id", json_string(did), &dok);
		vigil_json_put(d, "name", vigil_json_str_or_null(store_row_str(r,
		    "d_name")), &dok);
		vigil_json_put(o, "device", vigil_json_done(d, dok), &ok);
	}
	if (store_row_str(r, "site")[0] != '\0')
		vigil_json_put(o, "site", json_string(store_row_str(r, "site")), &ok);
	vigil_json_put(o, "created", vigil_json_time(store_row_int(r,
	    "created_ms")), &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_netbinding_set(struct vigil_store *st, const char *tenant,
    const char *cidr, const char *device, const char *site, json_t **out,
    char *err, size_t errsize)
{
	char devid[VIGIL_UUID_STRLEN] = "", nh[33], lh[33];
	struct net n;
	json_t *row = NULL;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "binding: a tenant is required");
	if (!net_parse(cidr, &n))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "cidr: expected an address or address/prefix, got "
		    "\"%.64s\"", cidr != NULL ? cidr : "");
	if (site != NULL && strlen(site) > SITE_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "site: at most %d bytes", SITE_MAX);
	if (device != NULL && device[0] != '\0') {
		struct store_arg a[2] = { SA_S(device), SA_S(tenant) };

		if (strlen(device) > 256)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "device: at most 256 bytes");
		rc = store_nq_row(st, NQ_DEVICE_REF, a, 2, &row);
		if (rc == VIGIL_ENOTFOUND)
			return vigil_seterr(err, errsize, rc,
			    "device %.64s not found", device);
		if (rc != VIGIL_OK)
			return store_rows_err(st, rc, "device", err, errsize);
		snprintf(devid, sizeof devid, "%s", store_row_str(row, "id"));
		json_decref(row);
		row = NULL;
	}
	hex16(n.first, nh);
	hex16(n.last, lh);
	{
		struct store_arg a[9] = { SA_S(tenant), SA_S(n.text),
		    SA_I(n.family), SA_I(n.prefix), SA_S(nh), SA_S(lh),
		    SA_S(devid[0] != '\0' ? devid : NULL), SA_S(site),
		    SA_I(vigil_time_now_ms()) };

		rc = store_nq_exec(st, NQ_BIND_PUT, a, 9, NULL);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "binding", err, errsize);
	if (out == NULL)
		return VIGIL_OK;
	{
		struct store_arg a[2] = { SA_S(tenant), SA_S(n.text) };

		if ((rc = store_nq_row(st, NQ_BIND_GET, a, 2, &row)) !=
		    VIGIL_OK)
			return store_rows_err(st, rc, "binding", err, errsize);
	}
	*out = binding_item(row);
	json_decref(row);
	if (*out == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_netbinding_delete(struct vigil_store *st, const char *tenant,
    const char *cidr, char *err, size_t errsize)
{
	struct net n;
	enum vigil_err rc;
	int changes = 0;

	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "binding: a tenant is required");
	if (!net_parse(cidr, &n))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "cidr: expected an address or address/prefix, got "
		    "\"%.64s\"", cidr != NULL ? cidr : "");
	{
		struct store_arg a[2] = { SA_S(tenant), SA_S(n.text) };

		rc = store_nq_exec(st, NQ_BIND_DELETE, a, 2, &changes);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "binding", err, errsize);
	if (changes == 0)
		return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
		    "binding %s not found", n.text);
	return VIGIL_OK;
}

enum vigil_err
vigil_netbinding_list(struct vigil_store *st, const char *tenant,
    json_t **out, char *err, size_t errsize)
{
	struct store_arg a[1] = { SA_S(tenant != NULL && tenant[0] != '\0' ?
	    tenant : NULL) };
	json_t *rows = NULL, *items, *o;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = store_nq_rows(st, NQ_BIND_LIST, a, 1, 10000, &rows)) !=
	    VIGIL_OK)
		return store_rows_err(st, rc, "bindings", err, errsize);
	items = vigil_json_map(rows, binding_item);
	json_decref(rows);
	if (items == NULL)
		return oom(err, errsize);
	if ((o = json_object()) == NULL) {
		json_decref(items);
		return oom(err, errsize);
	}
	/* set_new takes items even when it fails. */
	if (json_object_set_new(o, "bindings", items) != 0) {
		json_decref(o);
		return oom(err, errsize);
	}
	*out = o;
	return VIGIL_OK;
}

static void
who_fill(struct vigil_endpoint *out, const json_t *r, bool device,
    const char *via)
{
	memset(out, 0, sizeof *out);
	out->device = device;
	if (device)
		snprintf(out->device_id, sizeof out->device_id, "%s",
		    store_row_str(r, "device_id"));
	snprintf(out->tenant, sizeof out->tenant, "%s", store_row_str(r,
	    "tenant_id"));
	snprintf(out->model, sizeof out->model, "%s", store_row_str(r, "model"));
	snprintf(out->via, sizeof out->via, "%s", via);
}

int
vigil_attribute(struct vigil_store *st, uint8_t family,
    const uint8_t addr[16], int64_t ts_ms, struct vigil_endpoint *out)
{
	char ip[INET6_ADDRSTRLEN], hx[33];
	uint8_t full[16];
	json_t *row = NULL;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (family != 4 && family != 6)
		return -(int)VIGIL_EINVAL;
	memset(full, 0, sizeof full);
	memcpy(full, addr, family == 4 ? 4 : 16);
	(void)inet_ntop(family == 4 ? AF_INET : AF_INET6, full, ip, sizeof ip);
	{
		struct store_arg a[2] = { SA_S(ip), SA_I(ts_ms) };

		rc = store_nq_row(st, NQ_SESS_AT, a, 2, &row);
	}
	if (rc == VIGIL_OK) {
		who_fill(out, row, true, "radius");
		json_decref(row);
		return 1;
	}
	if (rc != VIGIL_ENOTFOUND)
		return -(int)rc;
	hex16(full, hx);
	{
		struct store_arg a[2] = { SA_I(family), SA_S(hx) };

		rc = store_nq_row(st, NQ_BIND_AT, a, 2, &row);
	}
	if (rc == VIGIL_ENOTFOUND)
		return 0;
	if (rc != VIGIL_OK)
		return -(int)rc;
	if (store_row_str(row, "device_id")[0] != '\0')
		who_fill(out, row, true, "binding");
	else
		who_fill(out, row, false, "subnet");
	json_decref(row);
	return 1;
}

enum vigil_err
vigil_attribution_generation(struct vigil_store *st, int64_t *gen)
{
	json_t *row = NULL;
	enum vigil_err rc;

	if (gen == NULL)
		return VIGIL_EINVAL;
	*gen = 0;
	rc = store_nq_row(st, NQ_ATTR_GEN, NULL, 0, &row);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ESTORE, "attribution generation: "
		    "row missing (schema before migration 11?)");
	if (rc != VIGIL_OK)
		return rc;
	*gen = json_integer_value(json_object_get(row, "gen"));
	json_decref(row);
	return VIGIL_OK;
}
