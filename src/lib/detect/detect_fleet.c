/*
 * Fleet (model-level) baselines (detect.h, config key "fleet"), and
 * the interned tenant ids the entities refer to. The fleets: the
 * devices of one model in one tenant share a profile, so a new device
 * is judged from its first flow instead of after a learning period of
 * its own. A model keeps the destinations its devices used while they
 * were learning (a 4,096-bit set: many devices, many cloud endpoints)
 * and an exponentially weighted baseline of one device's flows, bytes
 * and packets per active interval. Its own learning period runs from
 * the first flow of its first device; once it has passed, a device of
 * the model that is still in its own learning period is judged against
 * the model's destinations (new.destination), and until it has a
 * baseline of its own, against the model's volume (volume.spike).
 *
 * The table is the engine's, not per device: a few hundred bytes per
 * model, at most DET_MODELS_MAX models (beyond, devices of further
 * models simply learn alone), allocated on the first model seen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_internal.h"

#define FLEET_ALPHA 0.05f       /* many devices feed it: slower than one */

static uint64_t
model_key(uint64_t tenant_hash, const char *model)
{
	uint64_t h = det_hash_more(tenant_hash, model);

	return h != 0 ? h : 1;
}

uint32_t
det_model_ref(struct vigil_detect *d, uint64_t tenant_hash,
    const char *model, int64_t now_ms)
{
	uint64_t k;
	size_t j, mask = DET_MODEL_SLOTS - 1;

	if (!d->cfg.fleet || model == NULL || model[0] == '\0')
		return 0;
	if (d->models == NULL) {
		d->models = calloc(DET_MODEL_SLOTS, sizeof *d->models);
		d->model_bits = calloc(DET_MODEL_SLOTS, sizeof *d->model_bits);
		if (d->models == NULL || d->model_bits == NULL) {
			det_models_free(d);
			return 0;
		}
	}
	k = model_key(tenant_hash, model);
	for (j = k & mask; d->models[j].key != 0; j = (j + 1) & mask)
		if (d->models[j].key == k)
			return (uint32_t)j + 1;
	if (d->nmodels >= DET_MODELS_MAX)
		return 0;
	d->models[j].key = k;
	d->models[j].first_ms = now_ms;
	d->models[j].learned = d->model_bits[j];
	d->nmodels++;
	return (uint32_t)j + 1;
}

struct det_model *
det_model_get(const struct vigil_detect *d, uint32_t ref)
{
	if (ref == 0 || ref > DET_MODEL_SLOTS || d->models == NULL ||
	    d->models[ref - 1].key == 0)
		return NULL;
	return &d->models[ref - 1];
}

bool
det_model_mature(const struct vigil_detect *d, const struct det_model *m,
    int64_t now_ms)
{
	return m != NULL && now_ms >= m->first_ms +
	    (int64_t)d->cfg.learning_s * 1000;
}

void
det_model_learn(struct det_model *m, uint64_t h)
{
	unsigned a, b;

	det_model_bits(h, &a, &b);
	m->learned[a / 64] |= 1ULL << (a % 64);
	m->learned[b / 64] |= 1ULL << (b % 64);
}

bool
det_model_knows(const struct det_model *m, uint64_t h)
{
	unsigned a, b;

	det_model_bits(h, &a, &b);
	return (m->learned[a / 64] >> (a % 64) & 1) != 0 &&
	    (m->learned[b / 64] >> (b % 64) & 1) != 0;
}

void
det_model_interval(struct det_model *m, uint32_t flows, uint64_t bytes,
    uint64_t pkts)
{
	if (flows == 0)
		return;             /* the baseline of an active device */
	if (m->nintervals == 0) {
		m->ew_flows = (float)flows;
		m->ew_bytes = (float)bytes;
		m->ew_pkts = (float)pkts;
	} else {
		m->ew_flows += FLEET_ALPHA * ((float)flows - m->ew_flows);
		m->ew_bytes += FLEET_ALPHA * ((float)bytes - m->ew_bytes);
		m->ew_pkts += FLEET_ALPHA * ((float)pkts - m->ew_pkts);
	}
	if (m->nintervals < UINT32_MAX)
		m->nintervals++;
}

void
det_models_free(struct vigil_detect *d)
{
	free(d->models);
	free(d->model_bits);
	d->models = NULL;
	d->model_bits = NULL;
	d->nmodels = 0;
}

/* ---- tenants, interned --------------------------------------------- */

/*
 * Entities name their tenant by a reference into this table instead of
 * carrying the 37-byte id, which keeps a record within 15 cache lines
 * (960 bytes). Tenants are few; the table grows by doubling and never
 * forgets (a tenant's id costs 37 bytes once per engine).
 */
static bool
tenants_grow(struct vigil_detect *d)
{
	size_t ncap = d->tenant_cap == 0 ? 16 : d->tenant_cap * 2;
	char (*names)[VIGIL_UUID_STRLEN];
	uint32_t *slots;

	if (ncap > DET_TENANTS_MAX)
		return false;
	names = realloc(d->tenant_names, ncap * sizeof *names);
	if (names == NULL)
		return false;
	d->tenant_names = names;
	slots = calloc(ncap * 2, sizeof *slots);
	if (slots == NULL)
		return false;
	for (uint32_t i = 0; i < d->ntenants; i++) {
		size_t j = (uint32_t)det_hash_str(names[i]) & (ncap * 2 - 1);

		while (slots[j] != 0)
			j = (j + 1) & (ncap * 2 - 1);
		slots[j] = i + 1;
	}
	free(d->tenant_slots);
	d->tenant_slots = slots;
	d->tenant_cap = ncap;
	return true;
}

uint32_t
det_tenant_ref(struct vigil_detect *d, const char *tenant,
    uint64_t tenant_hash)
{
	size_t j, mask;

	if (tenant == NULL || tenant[0] == '\0')
		return 0;
	if (d->ntenants == d->tenant_cap && !tenants_grow(d))
		return 0;
	mask = d->tenant_cap * 2 - 1;
	for (j = (uint32_t)tenant_hash & mask; d->tenant_slots[j] != 0;
	    j = (j + 1) & mask)
		if (strncmp(d->tenant_names[d->tenant_slots[j] - 1], tenant,
		    VIGIL_UUID_STRLEN) == 0)
			return d->tenant_slots[j];
	snprintf(d->tenant_names[d->ntenants], VIGIL_UUID_STRLEN, "%s",
	    tenant);
	d->tenant_slots[j] = (uint32_t)++d->ntenants;
	return d->tenant_slots[j];
}

const char *
det_tenant_str(const struct vigil_detect *d, uint32_t ref)
{
	if (ref == 0 || ref > d->ntenants)
		return "";
	return d->tenant_names[ref - 1];
}

void
det_tenants_free(struct vigil_detect *d)
{
	free(d->tenant_names);
	free(d->tenant_slots);
	d->tenant_names = NULL;
	d->tenant_slots = NULL;
	d->ntenants = d->tenant_cap = 0;
}
