/*
 * The in-memory aggregate of certificate sightings (pki.h, struct
 * vigil_sighting_agg): a fixed-size open-addressing hash keyed by
 * (serial, source address, refused), so the gateway counts every use
 * in memory and writes one batch every few seconds instead of one row
 * per request. Bounded: when 3/4 full, add refuses and the caller
 * flushes first.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/pki.h"

struct slot {
	struct vigil_sighting s;
	uint32_t hash;
	int used;
};

struct vigil_sighting_agg {
	struct slot *slots;
	size_t cap;   /* power of two */
	size_t count;
};

struct vigil_sighting_agg *
vigil_sighting_agg_new(size_t capacity)
{
	struct vigil_sighting_agg *a;
	size_t cap = 16;

	if (capacity < 16 || capacity > 65536)
		return NULL;
	/* Room for capacity keys at a load of at most 3/4. */
	while (cap * 3 / 4 < capacity)
		cap *= 2;
	if ((a = calloc(1, sizeof *a)) == NULL ||
	    (a->slots = calloc(cap, sizeof *a->slots)) == NULL) {
		free(a);
		return NULL;
	}
	a->cap = cap;
	return a;
}

void
vigil_sighting_agg_free(struct vigil_sighting_agg *a)
{
	if (a == NULL)
		return;
	free(a->slots);
	free(a);
}

size_t
vigil_sighting_agg_count(const struct vigil_sighting_agg *a)
{
	return a != NULL ? a->count : 0;
}

/* FNV-1a over serial, NUL, ip, NUL, refused. */
static uint32_t
key_hash(const char *serial, const char *ip, int refused)
{
	uint32_t h = 2166136261u;
	const char *parts[2] = { serial, ip };

	for (int p = 0; p < 2; p++) {
		for (const unsigned char *c = (const unsigned char *)parts[p];
		    ; c++) {
			h = (h ^ *c) * 16777619u;
			if (*c == '\0')
				break;
		}
	}
	return (h ^ (uint32_t)(refused != 0)) * 16777619u;
}

static void
copy(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strnlen(src, size - 1) : 0;

	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* What the store accepts (pki_sighting_db.c): one bad key must not
 * make every later flush fail. */
static int
key_ok(const char *serial, const char *ip)
{
	size_t n = strnlen(serial, 41), m = strnlen(ip,
	    VIGIL_SIGHTING_IP_STRLEN);

	if (n == 0 || n > 40 || m == 0 || m >= VIGIL_SIGHTING_IP_STRLEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((serial[i] >= '0' && serial[i] <= '9') ||
		    (serial[i] >= 'a' && serial[i] <= 'f')))
			return 0;
	for (size_t i = 0; i < m; i++)
		if (!((ip[i] >= '0' && ip[i] <= '9') ||
		    (ip[i] >= 'a' && ip[i] <= 'f') ||
		    (ip[i] >= 'A' && ip[i] <= 'F') || ip[i] == '.' ||
		    ip[i] == ':'))
			return 0;
	return 1;
}

int
vigil_sighting_agg_add(struct vigil_sighting_agg *a, const char *serial,
    const char *tenant_id, const char *device_id, const char *ip,
    int refused, int64_t now_ms)
{
	struct slot *sl;
	uint32_t h;
	size_t i;

	if (a == NULL || serial == NULL || ip == NULL || !key_ok(serial, ip) ||
	    now_ms <= 0)
		return -1;
	refused = refused != 0;
	h = key_hash(serial, ip, refused);
	for (i = h & (a->cap - 1);; i = (i + 1) & (a->cap - 1)) {
		sl = &a->slots[i];
		if (!sl->used)
			break;
		if (sl->hash == h && sl->s.refused == refused &&
		    strcmp(sl->s.serial, serial) == 0 &&
		    strcmp(sl->s.ip, ip) == 0) {
			if (now_ms < sl->s.first_ms)
				sl->s.first_ms = now_ms;
			if (now_ms > sl->s.last_ms)
				sl->s.last_ms = now_ms;
			sl->s.count++;
			return 0;
		}
	}
	if ((a->count + 1) * 4 > a->cap * 3)
		return -1;
	memset(sl, 0, sizeof *sl);
	sl->used = 1;
	sl->hash = h;
	copy(sl->s.serial, sizeof sl->s.serial, serial);
	copy(sl->s.ip, sizeof sl->s.ip, ip);
	copy(sl->s.tenant_id, sizeof sl->s.tenant_id, tenant_id);
	copy(sl->s.device_id, sizeof sl->s.device_id, device_id);
	sl->s.refused = refused;
	sl->s.first_ms = now_ms;
	sl->s.last_ms = now_ms;
	sl->s.count = 1;
	a->count++;
	return 0;
}

enum vigil_err
vigil_sighting_agg_flush(struct vigil_sighting_agg *a, struct vigil_store *st,
    size_t *n)
{
	struct vigil_sighting *batch;
	enum vigil_err rc;
	size_t k = 0;

	if (n != NULL)
		*n = 0;
	if (a == NULL || a->count == 0)
		return VIGIL_OK;
	if ((batch = malloc(a->count * sizeof *batch)) == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < a->cap && k < a->count; i++)
		if (a->slots[i].used)
			batch[k++] = a->slots[i].s;
	rc = vigil_sighting_record_batch(st, batch, k);
	free(batch);
	if (rc != VIGIL_OK)
		return rc;
	memset(a->slots, 0, a->cap * sizeof *a->slots);
	a->count = 0;
	if (n != NULL)
		*n = k;
	return VIGIL_OK;
}
