/*
 * SQLite backend: the inventory summary. Two statements count
 * everything (sqlite_sql.c, SQ_SUMMARY_*); C only adds up their small
 * results: one row per state, listed model and region, and one per
 * combination of identifier types present in the tenant.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

/* The identifier mix is a 64-bit mask with bit t for type t. */
_Static_assert(VIGIL_ID_TYPE_COUNT <= 63,
    "identifier types must fit the summary's type mask");

enum { SEC_STATE = 1, SEC_MODEL = 2, SEC_REGION = 3, SEC_UNSEEN = 4 };

static uint64_t
col_count(sqlite3_stmt *s, int i)
{
	sqlite3_int64 n = sqlite3_column_int64(s, i);

	return n > 0 ? (uint64_t)n : 0;
}

/* Adds one row of SQ_SUMMARY_DEVICES to out; false when out of memory. */
static bool
device_row(sqlite3_stmt *s, size_t top, struct vigil_inventory_summary *out)
{
	uint64_t n = col_count(s, 3);
	enum vigil_device_state state;

	switch (sqlite3_column_int(s, 0)) {
	case SEC_STATE:
		state = vigil_device_state_from_name(
		    (const char *)sqlite3_column_text(s, 1));
		/* The schema's CHECK admits the five states only. */
		if (state != VIGIL_DEV_NONE)
			out->by_state[state] += n;
		out->devices += n;
		break;
	case SEC_MODEL: {
		struct vigil_summary_model *m;

		if (out->nmodels == top)
			break;
		m = &out->models[out->nmodels];
		m->model = store_sq_col_strdup(s, 1);
		m->gtin = store_sq_col_strdup(s, 2);
		m->devices = n;
		out->nmodels++;
		if (m->model == NULL || m->gtin == NULL)
			return false;
		break;
	}
	case SEC_REGION: {
		struct vigil_summary_region *r;

		if (out->nregions == top)
			break;
		r = &out->regions[out->nregions];
		r->region = store_sq_col_strdup(s, 1);
		r->devices = n;
		out->nregions++;
		if (r->region == NULL)
			return false;
		break;
	}
	case SEC_UNSEEN:
		out->never_seen = n;
		break;
	default:
		break;
	}
	return true;
}

static int
cmp_model(const void *a, const void *b)
{
	const struct vigil_summary_model *x = a, *y = b;
	int c;

	if (x->devices != y->devices)
		return x->devices > y->devices ? -1 : 1;
	if ((c = strcmp(x->model, y->model)) != 0)
		return c;
	return strcmp(x->gtin, y->gtin);
}

static int
cmp_region(const void *a, const void *b)
{
	const struct vigil_summary_region *x = a, *y = b;

	if (x->devices != y->devices)
		return x->devices > y->devices ? -1 : 1;
	return strcmp(x->region, y->region);
}

static enum vigil_err
count_devices(struct vigil_store *st, const char *tenant_id, size_t top,
    struct vigil_inventory_summary *out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_SUMMARY_DEVICES);
	uint64_t listed = 0;
	int rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	if ((out->models = calloc(top ? top : 1, sizeof *out->models)) ==
	    NULL ||
	    (out->regions = calloc(top ? top : 1, sizeof *out->regions)) ==
	    NULL)
		return store_seterr(st, VIGIL_ENOMEM, "store: out of memory");
	store_sq_bind_text(s, 1, tenant_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)top);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!device_row(s, top, out)) {
			sqlite3_reset(s);
			return store_seterr(st, VIGIL_ENOMEM,
			    "store: out of memory");
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sq_step_err(st, "summarise devices");
	/* SQL orders each LIMITed section; a UNION ALL need not keep that
	 * order, so it is restored here. */
	qsort(out->models, out->nmodels, sizeof *out->models, cmp_model);
	qsort(out->regions, out->nregions, sizeof *out->regions, cmp_region);
	for (size_t i = 0; i < out->nmodels; i++)
		listed += out->models[i].devices;
	out->models_other = out->devices > listed ? out->devices - listed : 0;
	listed = 0;
	for (size_t i = 0; i < out->nregions; i++)
		listed += out->regions[i].devices;
	out->regions_other = out->devices > listed ? out->devices - listed :
	    0;
	return VIGIL_OK;
}

static enum vigil_err
count_identifiers(struct vigil_store *st, const char *tenant_id,
    uint64_t hw_types, struct vigil_inventory_summary *out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_SUMMARY_IDENT_MIX);
	uint64_t identified = 0, hardware = 0;
	int rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t mix = (uint64_t)sqlite3_column_int64(s, 0);
		uint64_t n = col_count(s, 1);

		identified += n;
		if ((mix & hw_types) != 0)
			hardware += n;
		for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
			if ((mix >> t) & 1u)
				out->by_id_type[t] += n;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sq_step_err(st, "summarise identifiers");
	/* Both statements ran in the caller's read snapshot. */
	out->unidentified = out->devices > identified ?
	    out->devices - identified : 0;
	out->no_hardware_id = out->devices > hardware ?
	    out->devices - hardware : 0;
	return VIGIL_OK;
}

enum vigil_err
store_sq_device_summary(struct vigil_store *st, const char *tenant_id,
    uint64_t hw_types, size_t top, struct vigil_inventory_summary *out)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = count_devices(st, tenant_id, top, out)) != VIGIL_OK)
		return rc;
	return count_identifiers(st, tenant_id, hw_types, out);
}
