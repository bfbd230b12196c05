/*
 * The entity table (detect_internal.h): every monitored local endpoint
 * in a pool of compact states, found by its address through an
 * open-addressing hash (linear probing, backward-shift deletion) whose
 * slots hold the key's 32-bit hash next to the pool index, so probing
 * reads one 8-byte slot per step and touches the 960-byte state only
 * on a hash match (one cache miss per lookup, not one per probe); and,
 * once attributed, by its device id through a second one, so a device
 * that comes back under a new address (cellular session, DHCP lease)
 * keeps its state. The tables grow by doubling up to max_entities,
 * never per flow; the pool's address space is reserved once (reserve
 * below).
 *
 * Recency is a CLOCK, not a list: a flow sets its entity's ref bit
 * (in a line the flow writes anyway); at max_entities the hand walks
 * the pool, clearing ref bits, and evicts the least recently seen of
 * the next few unreferenced entities. A least-recently-seen list cost
 * two more random cache misses per flow (relinking the neighbours)
 * for an order only eviction and aging read. Aging is a sweep too, in
 * proportion to flow time (the whole pool per 64 minutes), so a silent
 * entity goes within about an hour of passing its limit, itself days.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "detect_internal.h"

_Static_assert(sizeof(struct det_entity) <= 1000,
    "an entity's state must stay within 1 KB (1,000 bytes)");
_Static_assert(sizeof(struct det_distinct) == DET_LINE,
    "a distinct counter is one cache line");
_Static_assert(offsetof(struct det_entity, ew_bytes) < DET_LINE &&
    offsetof(struct det_entity, ew_pkts) < DET_LINE * 2,
    "a device's every-flow fields stay in the first two lines");
_Static_assert(offsetof(struct det_entity, intel_peer) < DET_LINE * 3,
    "the shadow report's fields stay in the third line");
_Static_assert(sizeof(struct det_scanhdr) <= DET_LINE,
    "the scan slot headers are one line");

#define POOL_MIN 256
#define HUGE_PAGE ((size_t)2 << 20)

/* Doubles the tables from their own slots (each keeps its key's hash):
 * no record is read or written, so growing a large table costs two
 * sequential reads, not two cache misses per entity. */
static void
reinsert(const struct det_slot *from, size_t nfrom, struct det_slot *to,
    size_t nto)
{
	for (size_t i = 0; i < nfrom; i++) {
		size_t j;

		if (from[i].idx == 0)
			continue;
		for (j = from[i].hash & (nto - 1); to[j].idx != 0;
		    j = (j + 1) & (nto - 1))
			;
		to[j] = from[i];
	}
}

/* len bytes (a multiple of HUGE_PAGE) of zeroed memory mapped on their
 * own, aligned to a huge page and advised to use them (advice only:
 * without transparent huge pages it changes nothing); extra mmap flags
 * (MAP_NORESERVE), NULL when refused. */
static void *
map_huge(size_t len, int flags)
{
	uint8_t *m, *a;
	size_t slack;

	m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Aligned to a huge page: unmap the ends. */
	a = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	slack = (size_t)(a - m);
	if (slack != 0)
		(void)munmap(m, slack);
	(void)munmap(a + len, HUGE_PAGE - slack);
	(void)madvise(a, len, MADV_HUGEPAGE);
	return a;
}

/*
 * A zeroed slot table. From 2 MiB on (a power of two, so a multiple of
 * a huge page), mapped on its own in huge pages: every flow probes a
 * random slot, so in 4 KiB pages each probe of a large fleet's table
 * was a TLB miss too, and its first touches were a page fault per
 * 4 KiB (about 4,000 per 100,000 new entities, a tenth of their
 * creation cost).
 */
static struct det_slot *
table_alloc(size_t nslots)
{
	size_t len = nslots * sizeof(struct det_slot);

	if (len < HUGE_PAGE)
		return calloc(nslots, sizeof(struct det_slot));
	return map_huge(len, 0);
}

static void
table_free(struct det_slot *t, size_t nslots)
{
	size_t len = nslots * sizeof(struct det_slot);

	if (t == NULL)
		return;
	if (len < HUGE_PAGE)
		free(t);
	else
		(void)munmap(t, len);
}

static bool
rehash(struct vigil_detect *d, size_t nslots)
{
	struct det_slot *s = table_alloc(nslots);
	struct det_slot *ds = table_alloc(nslots);

	if (s == NULL || ds == NULL) {
		table_free(s, nslots);
		table_free(ds, nslots);
		return false;
	}
	if (d->slots != NULL)
		reinsert(d->slots, d->nslots, s, nslots);
	if (d->dslots != NULL)
		reinsert(d->dslots, d->nslots, ds, nslots);
	table_free(d->slots, d->nslots);
	table_free(d->dslots, d->nslots);
	d->slots = s;
	d->dslots = ds;
	d->nslots = nslots;
	return true;
}

/* Where pool index idx sits in table t, whose slots for it hold h. */
static size_t
slot_of(const struct vigil_detect *d, const struct det_slot *t, uint32_t h,
    uint32_t idx)
{
	size_t j, mask = d->nslots - 1;

	for (j = h & mask; t[j].idx != idx; j = (j + 1) & mask)
		;
	return j;
}

/* Removes slot i of table t (slots or dslots) with a backward shift:
 * later members of the probe run move into the hole when their home
 * (from the hash kept in the slot) allows it, so lookups never stop
 * early. */
static void
unslot(struct vigil_detect *d, struct det_slot *t, size_t i)
{
	size_t mask = d->nslots - 1, j = i;

	t[i].idx = 0;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (t[j].idx == 0)
			break;
		k = t[j].hash & mask;
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			t[i] = t[j];
			t[j].idx = 0;
			i = j;
		}
	}
}

/* Takes e out of the address table. */
static void
unslot_addr(struct vigil_detect *d, const struct det_entity *e)
{
	uint32_t idx = (uint32_t)(e - d->pool) + 1;

	unslot(d, d->slots, slot_of(d, d->slots,
	    (uint32_t)det_hash_addr(e->family, e->addr), idx));
}

/* Takes e out of the device index (it is listed: indev). */
static void
unslot_device(struct vigil_detect *d, struct det_entity *e)
{
	uint32_t idx = (uint32_t)(e - d->pool) + 1;

	unslot(d, d->dslots, slot_of(d, d->dslots,
	    (uint32_t)det_hash_str(e->device_id), idx));
	e->indev = 0;
}

/*
 * The pool's address space for max_entities, reserved once (not
 * committed: the kernel gives a page on its first touch), so growing
 * never copies the pool nor touches memory twice, and pool addresses
 * never move. Huge pages when the kernel has them (a 1 GB pool in
 * 4 KiB pages is a TLB miss per flow). Where the reservation is refused
 * (strict overcommit), the pool grows by copying instead.
 */
static bool
reserve(struct vigil_detect *d)
{
	size_t len = d->cfg.max_entities * sizeof(struct det_entity);
	void *a;

	if (len / sizeof(struct det_entity) != d->cfg.max_entities ||
	    len > SIZE_MAX - 2 * HUGE_PAGE)
		return false;
	len = (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if ((a = map_huge(len, MAP_NORESERVE)) == NULL)
		return false;
	d->pool = a;
	d->pool_map = len;
	return true;
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
	if (d->pool == NULL && !d->pool_tried) {
		d->pool_tried = true;
		(void)reserve(d);
	}
	if (d->pool_map != 0)
		goto grown;         /* reserved: nothing to move */
	/* Aligned to the lines the layout counts on; large pools asked to
	 * use huge pages (a 1 GB pool in 4 KiB pages is a TLB miss per
	 * flow). */
	if (cap * sizeof *p >= HUGE_PAGE) {
		void *m = NULL;

		if (posix_memalign(&m, HUGE_PAGE, cap * sizeof *p) != 0)
			return false;
		p = m;
		/* Advice only: without transparent huge pages it fails and
		 * changes nothing. */
		(void)madvise(p, cap * sizeof *p, MADV_HUGEPAGE);
	} else if ((p = aligned_alloc(DET_LINE, cap * sizeof *p)) == NULL) {
		return false;
	}
	if (d->npool != 0 && d->pool != NULL)
		memcpy(p, d->pool, d->npool * sizeof *p);
	free(d->pool);
	d->pool = p;
grown:
	d->cappool = cap;
	while (ns < cap * 2)
		ns <<= 1;
	if (ns > d->nslots)
		return rehash(d, ns);
	return true;
}

static void
remove_entity(struct vigil_detect *d, uint32_t idx)
{
	struct det_entity *e = &d->pool[idx - 1];

	unslot_addr(d, e);
	if (e->indev)
		unslot_device(d, e);
	memset(e, 0, sizeof *e);
	/* A free record has family 0; the free list runs through
	 * free_next. */
	e->free_next = d->free_head;
	d->free_head = idx;
	d->nentities--;
}

/* At max_entities: the hand clears ref bits as it goes and evicts the
 * least recently seen of the first EVICT_SAMPLE unreferenced entities
 * it meets (sampled LRU: close to the true one, O(1) amortised). The
 * hand stays at the first of them, so the ones not taken are judged
 * again next time: with entities seen in pool order this is exact
 * LRU. */
#define EVICT_SAMPLE 8

static void
evict_one(struct vigil_detect *d)
{
	size_t best = 0, seen = 0, steps = 0, pos = d->clock_hand, first = 0;

	while (seen < EVICT_SAMPLE && steps < 2 * d->npool + EVICT_SAMPLE) {
		struct det_entity *e;

		if (pos >= d->npool)
			pos = 0;
		e = &d->pool[pos++];
		steps++;
		if (e->family == 0)
			continue;
		if (e->ref) {
			e->ref = 0;
			if (seen == 0)
				d->clock_hand = pos;
			continue;
		}
		if (seen++ == 0)
			first = pos - 1;
		if (best == 0 || e->last_ms < d->pool[best - 1].last_ms)
			best = (size_t)(e - d->pool) + 1;
	}
	if (best != 0) {
		d->clock_hand = first;
		remove_entity(d, (uint32_t)best);
		d->st.dropped_entities++;
	}
}

struct det_entity *
det_entity_find(const struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16], uint64_t hash)
{
	size_t j, mask;
	uint32_t h = (uint32_t)hash;

	if (d->nslots == 0)
		return NULL;
	mask = d->nslots - 1;
	for (j = h & mask; d->slots[j].idx != 0; j = (j + 1) & mask)
		if (d->slots[j].hash == h && det_same_key(&d->pool[d->slots[j].idx -
		    1], family, addr))
			return &d->pool[d->slots[j].idx - 1];
	return NULL;
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
	if ((e = det_entity_find(d, family, addr, hash)) != NULL)
		return e;
	if (d->nentities >= d->cfg.max_entities && d->nentities != 0)
		evict_one(d);
	if (d->free_head == 0 && d->npool == d->cappool) {
		if (!grow(d))
			return NULL;
	}
	/* A record is zero when it is taken: freed ones were cleared when
	 * freed, and fresh ones in the reserved space never written (the
	 * kernel's pages are zero), so only the heap pool clears here;
	 * writing all 15 lines of each new record was the largest memory
	 * traffic of a growing fleet. */
	if (d->free_head != 0) {
		idx = d->free_head;
		e = &d->pool[idx - 1];
		d->free_head = e->free_next;
		e->free_next = 0;
	} else {
		idx = (uint32_t)++d->npool;
		e = &d->pool[idx - 1];
		if (d->pool_map == 0)
			memset(e, 0, sizeof *e);
	}
	/* Growth or eviction may have moved the probe run: find the hole
	 * again. */
	mask = d->nslots - 1;
	j = h & mask;
	while (d->slots[j].idx != 0)
		j = (j + 1) & mask;
	e->family = family;
	memcpy(e->addr, addr, family == 4 ? 4 : 16);
	d->slots[j].hash = h;
	d->slots[j].idx = idx;
	d->nentities++;
	*created = true;
	return e;
}

/* A full sweep of the pool per this much flow time. */
#define AGE_SWEEP_MS (64LL * 60000)

void
det_entity_age(struct vigil_detect *d, int64_t now_ms, int64_t elapsed_ms)
{
	unsigned keep_s = d->cfg.learning_s > d->cfg.interval_s ?
	    d->cfg.learning_s : d->cfg.interval_s;
	int64_t cut = now_ms - 2LL * keep_s * 1000;
	size_t n = d->npool;

	/* In proportion to the flow time since the last tick: a jump of an
	 * hour or more judges every entity. */
	if (elapsed_ms >= 0 && elapsed_ms < AGE_SWEEP_MS)
		n = (size_t)((double)d->npool * (double)elapsed_ms /
		    (double)AGE_SWEEP_MS) + 1;

	while (n-- > 0 && d->npool != 0) {
		struct det_entity *e;

		if (d->age_hand >= d->npool)
			d->age_hand = 0;
		e = &d->pool[d->age_hand++];
		if (e->family != 0 && e->last_ms < cut)
			remove_entity(d, (uint32_t)(e - d->pool) + 1);
	}
}

void
det_entity_free_all(struct vigil_detect *d)
{
	if (d->pool_map != 0)
		(void)munmap(d->pool, d->pool_map);
	else
		free(d->pool);
	table_free(d->slots, d->nslots);
	table_free(d->dslots, d->nslots);
	d->pool = NULL;
	d->slots = NULL;
	d->dslots = NULL;
	d->npool = d->cappool = d->nslots = d->nentities = 0;
	d->free_head = 0;
	d->clock_hand = d->age_hand = 0;
	d->pool_map = 0;
	d->pool_tried = false;
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
	e->indev = 1;
}

void
det_entity_set_device(struct vigil_detect *d, struct det_entity *e,
    const char *device_id, uint64_t id_hash, int64_t now_ms)
{
	struct det_entity *o;
	size_t j;
	uint32_t h;

	/* e->device says whether the id is empty (attribution keeps them
	 * in step): an entity without one, every new one among them, is
	 * told apart without reading its identity line, a cache miss
	 * per new device. */
	if (!e->device ? device_id[0] == '\0' :
	    strcmp(e->device_id, device_id) == 0)
		return;
	if (e->indev)
		unslot_device(d, e);
	{
		size_t n = strnlen(device_id, sizeof e->device_id - 1);

		memcpy(e->device_id, device_id, n);
		e->device_id[n] = '\0';
	}
	if (device_id[0] == '\0')
		return;
	h = (uint32_t)id_hash;
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

		unslot_device(d, o);
		*e = *o;
		memcpy(e->addr, keep.addr, sizeof e->addr);
		e->family = keep.family;
		if (keep.last_ms > e->last_ms)
			e->last_ms = keep.last_ms;
		e->t_flows = keep.t_flows > UINT32_MAX - e->t_flows ?
		    UINT32_MAX : e->t_flows + keep.t_flows;
		e->t_bytes += keep.t_bytes;
		remove_entity(d, oidx);
		(void)by_device(d, device_id, h, &j);
		dslot_put(d, e, j, h);
		d->moved++;
	}
}
