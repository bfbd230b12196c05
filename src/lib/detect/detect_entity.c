/*
 * The entity table (detect_internal.h): every monitored local endpoint
 * in a pool of compact states, found by its address through an
 * open-addressing hash (linear probing, backward-shift deletion) whose
 * slots hold the key's 32-bit hash next to the pool index, so probing
 * reads one 8-byte slot per step and touches the 1 KiB state only on a
 * hash match (one cache miss per lookup, not one per probe); and,
 * once attributed, by its device id through a second one, so a device
 * that comes back under a new address (cellular session, DHCP lease)
 * keeps its state. Entities are chained in least-recently-seen order,
 * so lookup, eviction at max_entities and aging are O(1) per entity.
 * Memory grows by doubling up to max_entities, never per flow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_internal.h"

_Static_assert(sizeof(struct det_entity) <= 1024,
    "an entity's state must stay within 1 KiB");

#define POOL_MIN 256

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return det_mix(h);
}

static bool
rehash(struct vigil_detect *d, size_t nslots)
{
	struct det_slot *s = calloc(nslots, sizeof *s);
	struct det_slot *ds = calloc(nslots, sizeof *ds);

	if (s == NULL || ds == NULL) {
		free(s);
		free(ds);
		return false;
	}
	free(d->slots);
	free(d->dslots);
	d->slots = s;
	d->dslots = ds;
	d->nslots = nslots;
	for (uint32_t i = d->lru_head; i != 0; i = d->pool[i - 1].next) {
		struct det_entity *e = &d->pool[i - 1];
		uint32_t h = (uint32_t)det_hash_addr(e->family, e->addr);
		size_t j = h & (nslots - 1);

		while (s[j].idx != 0)
			j = (j + 1) & (nslots - 1);
		s[j].hash = h;
		s[j].idx = i;
		e->slot = (uint32_t)j;
		if (!e->indev)
			continue;
		h = (uint32_t)hash_str(e->device_id);
		j = h & (nslots - 1);
		while (ds[j].idx != 0)
			j = (j + 1) & (nslots - 1);
		ds[j].hash = h;
		ds[j].idx = i;
		e->dslot = (uint32_t)j;
	}
	return true;
}

/* Removes slot i of table t (slots or dslots) with a backward shift:
 * later members of the probe run move into the hole when their home
 * (from the hash kept in the slot) allows it, so lookups never stop
 * early; only a moved member's state is written (its slot index). */
static void
unslot(struct vigil_detect *d, struct det_slot *t, size_t i, bool dev)
{
	size_t mask = d->nslots - 1, j = i;

	t[i].idx = 0;
	for (;;) {
		struct det_entity *m;
		size_t k;

		j = (j + 1) & mask;
		if (t[j].idx == 0)
			break;
		k = t[j].hash & mask;
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			m = &d->pool[t[j].idx - 1];
			t[i] = t[j];
			if (dev)
				m->dslot = (uint32_t)i;
			else
				m->slot = (uint32_t)i;
			t[j].idx = 0;
			i = j;
		}
	}
}

static bool
grow(struct vigil_detect *d)
{
	size_t cap = d->cappool == 0 ? POOL_MIN : d->cappool * 2, ns = 1;
	struct det_entity *p;

	if (cap > d->cfg.max_entities)
		cap = d->cfg.max_entities;
	if (cap <= d->cappool)
		return false;
	p = realloc(d->pool, cap * sizeof *p);
	if (p == NULL)
		return false;
	d->pool = p;
	d->cappool = cap;
	while (ns < cap * 2)
		ns <<= 1;
	if (ns > d->nslots)
		return rehash(d, ns);
	return true;
}

static void
lru_unlink(struct vigil_detect *d, struct det_entity *e)
{
	if (e->prev != 0)
		d->pool[e->prev - 1].next = e->next;
	else
		d->lru_head = e->next;
	if (e->next != 0)
		d->pool[e->next - 1].prev = e->prev;
	else
		d->lru_tail = e->prev;
	e->prev = e->next = 0;
}

static void
lru_push(struct vigil_detect *d, struct det_entity *e, uint32_t idx)
{
	e->prev = 0;
	e->next = d->lru_head;
	if (d->lru_head != 0)
		d->pool[d->lru_head - 1].prev = idx;
	d->lru_head = idx;
	if (d->lru_tail == 0)
		d->lru_tail = idx;
}

void
det_entity_touch(struct vigil_detect *d, struct det_entity *e)
{
	uint32_t idx = (uint32_t)(e - d->pool) + 1;

	if (d->lru_head == idx)
		return;
	lru_unlink(d, e);
	lru_push(d, e, idx);
}

static void
remove_entity(struct vigil_detect *d, uint32_t idx)
{
	struct det_entity *e = &d->pool[idx - 1];

	lru_unlink(d, e);
	unslot(d, d->slots, e->slot, false);
	if (e->indev)
		unslot(d, d->dslots, e->dslot, true);
	memset(e, 0, sizeof *e);
	e->next = d->free_head;
	d->free_head = idx;
	d->nentities--;
}

static inline bool
same_key(const struct det_entity *e, uint8_t family, const uint8_t addr[16])
{
	uint64_t a0, a1, b0, b1;

	if (e->family != family)
		return false;
	if (family == 4)
		return memcmp(e->addr, addr, 4) == 0;
	memcpy(&a0, e->addr, 8);
	memcpy(&a1, e->addr + 8, 8);
	memcpy(&b0, addr, 8);
	memcpy(&b1, addr + 8, 8);
	return a0 == b0 && a1 == b1;
}

void
det_entity_prefetch_state(const struct vigil_detect *d, uint64_t hash)
{
	size_t j, mask;
	uint32_t h = (uint32_t)hash;

	if (d->nslots == 0)
		return;
	mask = d->nslots - 1;
	/* A few probes at most: this is a hint, not a lookup. */
	for (j = h & mask; d->slots[j].idx != 0 && j != ((h + 4) & mask);
	    j = (j + 1) & mask) {
		const char *e;

		if (d->slots[j].hash != h)
			continue;
		/* The first entity with the hash: reading its key here
		 * would wait for the very load this starts. The lines every
		 * flow touches come first. */
		e = (const char *)&d->pool[d->slots[j].idx - 1];
		__builtin_prefetch(e, 1);
		__builtin_prefetch(e + 64, 1);
		__builtin_prefetch(e + 128, 1);
		return;
	}
}

struct det_entity *
det_entity_get(struct vigil_detect *d, uint8_t family, const uint8_t addr[16],
    uint64_t hash, bool *created)
{
	size_t j, mask;
	uint32_t idx, h = (uint32_t)hash;
	struct det_entity *e;

	*created = false;
	if (d->nslots == 0 && !grow(d))
		return NULL;
	mask = d->nslots - 1;
	j = h & mask;
	while (d->slots[j].idx != 0) {
		if (d->slots[j].hash == h) {
			e = &d->pool[d->slots[j].idx - 1];
			if (same_key(e, family, addr))
				return e;
		}
		j = (j + 1) & mask;
	}
	if (d->nentities >= d->cfg.max_entities && d->lru_tail != 0) {
		remove_entity(d, d->lru_tail);
		d->st.dropped_entities++;
	}
	if (d->free_head == 0 && d->npool == d->cappool) {
		if (!grow(d))
			return NULL;
	}
	if (d->free_head != 0) {
		idx = d->free_head;
		d->free_head = d->pool[idx - 1].next;
	} else {
		idx = (uint32_t)++d->npool;
	}
	/* Growth or eviction may have moved the probe run: find the hole
	 * again. */
	mask = d->nslots - 1;
	j = h & mask;
	while (d->slots[j].idx != 0)
		j = (j + 1) & mask;
	e = &d->pool[idx - 1];
	memset(e, 0, sizeof *e);
	e->family = family;
	memcpy(e->addr, addr, family == 4 ? 4 : 16);
	e->slot = (uint32_t)j;
	d->slots[j].hash = h;
	d->slots[j].idx = idx;
	lru_push(d, e, idx);
	d->nentities++;
	*created = true;
	return e;
}

void
det_entity_age(struct vigil_detect *d, int64_t now_ms)
{
	unsigned keep_s = d->cfg.learning_s > d->cfg.interval_s ?
	    d->cfg.learning_s : d->cfg.interval_s;
	int64_t cut = now_ms - 2LL * keep_s * 1000;

	while (d->lru_tail != 0 && d->pool[d->lru_tail - 1].last_ms < cut)
		remove_entity(d, d->lru_tail);
}

void
det_entity_free_all(struct vigil_detect *d)
{
	free(d->pool);
	free(d->slots);
	free(d->dslots);
	d->pool = NULL;
	d->slots = NULL;
	d->dslots = NULL;
	d->npool = d->cappool = d->nslots = d->nentities = 0;
	d->free_head = d->lru_head = d->lru_tail = 0;
}

#define MOVE_SILENCE_MS 60000

static struct det_entity *
by_device(const struct vigil_detect *d, const char *device_id, uint32_t h,
    size_t *slot)
{
	size_t mask = d->nslots - 1, j = h & mask;

	while (d->dslots[j].idx != 0) {
		if (d->dslots[j].hash == h) {
			struct det_entity *e = &d->pool[d->dslots[j].idx - 1];

			if (strcmp(e->device_id, device_id) == 0) {
				*slot = j;
				return e;
			}
		}
		j = (j + 1) & mask;
	}
	*slot = j;
	return NULL;
}

static void
dslot_put(struct vigil_detect *d, struct det_entity *e, size_t j, uint32_t h)
{
	d->dslots[j].hash = h;
	d->dslots[j].idx = (uint32_t)(e - d->pool) + 1;
	e->dslot = (uint32_t)j;
	e->indev = 1;
}

void
det_entity_set_device(struct vigil_detect *d, struct det_entity *e,
    const char *device_id, int64_t now_ms)
{
	struct det_entity *o;
	size_t j;
	uint32_t h;

	if (strcmp(e->device_id, device_id) == 0)
		return;
	if (e->indev) {
		unslot(d, d->dslots, e->dslot, true);
		e->indev = 0;
	}
	snprintf(e->device_id, sizeof e->device_id, "%s", device_id);
	if (device_id[0] == '\0')
		return;
	h = (uint32_t)hash_str(device_id);
	o = by_device(d, device_id, h, &j);
	if (o == NULL) {
		dslot_put(d, e, j, h);
		return;
	}
	/* Both addresses active (dual stack, two interfaces): two
	 * entities, the index keeps the first. */
	if (o->last_ms + MOVE_SILENCE_MS > now_ms)
		return;
	/* The device moved: its state follows it to the new address. */
	{
		struct det_entity keep = *e;
		uint32_t oidx = (uint32_t)(o - d->pool) + 1;

		unslot(d, d->dslots, o->dslot, true);
		o->indev = 0;
		*e = *o;
		memcpy(e->addr, keep.addr, sizeof e->addr);
		e->family = keep.family;
		e->prev = keep.prev;
		e->next = keep.next;
		e->slot = keep.slot;
		if (keep.last_ms > e->last_ms)
			e->last_ms = keep.last_ms;
		e->t_flows += keep.t_flows;
		e->t_bytes += keep.t_bytes;
		remove_entity(d, oidx);
		(void)by_device(d, device_id, h, &j);
		dslot_put(d, e, j, h);
		d->moved++;
	}
}
