/*
 * Inventory summary: counts by state, model, region and identifier
 * type, counted by the store in one read snapshot (no device is
 * loaded), and its destructor.
 */
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

void
vigil_inventory_summary_free(struct vigil_inventory_summary *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmodels; i++) {
		free(s->models[i].model);
		free(s->models[i].gtin);
	}
	free(s->models);
	for (size_t i = 0; i < s->nregions; i++)
		free(s->regions[i].region);
	free(s->regions);
	memset(s, 0, sizeof *s);
}

enum vigil_err
vigil_device_summary(struct vigil_store *st, const char *tenant_id,
    struct vigil_inventory_summary *out)
{
	uint64_t hw = 0;
	bool began;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		if (reg_id_is_hardware((enum vigil_id_type)t))
			hw |= (uint64_t)1 << t;
	/* One snapshot: the sections add up to the same total. */
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return rc;
	rc = store_device_summary(st, tenant_id, hw, VIGIL_SUMMARY_TOP, out);
	store_read_end(st, began);
	if (rc != VIGIL_OK)
		vigil_inventory_summary_free(out);
	return rc;
}
