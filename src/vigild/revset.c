/*
 * The gateway's in-memory revocation set (revset.h): two hash sets of
 * short strings (revoked or held certificate serials, blocked device
 * ids), rebuilt from the store when the PKI generation moves.
 *
 * Open addressing with linear probing over fixed-size slots: one
 * allocation per set, no per-entry pointers, a lookup touches one or two
 * cache lines; the table is at most half full, so probes stay short.
 * Serials are kept in one canonical spelling (lowercase, leading zeros
 * dropped) so "0A1B" from one encoder and "a1b" from another are the
 * same certificate. A failed rebuild keeps the old set: a store hiccup
 * must not unrevoke anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revset.h"
#include "vigil/core.h"
#include "vigil/pki.h"
#include "vigil/store.h"

#define SLOT_LEN VIGIL_PKI_SERIAL_STRLEN /* ≥ VIGIL_UUID_STRLEN */

struct strset {
	char (*slots)[SLOT_LEN]; /* "" = empty */
	size_t cap;              /* power of two, or 0 */
	size_t n;
};

struct revset {
	struct strset serials;
	struct strset devices;
	int64_t gen;
	bool loaded;
};

/* Canonical key: lowercase; for serials also without leading zeros.
 * 0 when it does not fit (never a stored key then). */
static int
canon(const char *in, bool serial, char out[SLOT_LEN])
{
	size_t o = 0;

	if (serial)
		while (in[0] == '0' && in[1] != '\0')
			in++;
	for (; *in != '\0'; in++) {
		if (o + 1 >= SLOT_LEN)
			return 0;
		out[o++] = (char)(*in >= 'A' && *in <= 'Z' ? *in - 'A' + 'a' :
		    *in);
	}
	out[o] = '\0';
	return o > 0;
}

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void
strset_clear(struct strset *s)
{
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* A set with room for n keys at most half full. */
static int
strset_init(struct strset *s, size_t n)
{
	size_t cap = 16;

	memset(s, 0, sizeof *s);
	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4 / SLOT_LEN)
			return -1;
		cap *= 2;
	}
	if ((s->slots = calloc(cap, SLOT_LEN)) == NULL)
		return -1;
	s->cap = cap;
	return 0;
}

static void
strset_add(struct strset *s, const char *key)
{
	size_t i = (size_t)hash(key) & (s->cap - 1);

	while (s->slots[i][0] != '\0') {
		if (strcmp(s->slots[i], key) == 0)
			return;
		i = (i + 1) & (s->cap - 1);
	}
	memcpy(s->slots[i], key, strlen(key) + 1);
	s->n++;
}

static bool
strset_has(const struct strset *s, const char *key)
{
	size_t i;

	if (s->cap == 0)
		return false;
	for (i = (size_t)hash(key) & (s->cap - 1); s->slots[i][0] != '\0';
	    i = (i + 1) & (s->cap - 1))
		if (strcmp(s->slots[i], key) == 0)
			return true;
	return false;
}

struct revset *
revset_new(void)
{
	return calloc(1, sizeof(struct revset));
}

void
revset_free(struct revset *rs)
{
	if (rs == NULL)
		return;
	strset_clear(&rs->serials);
	strset_clear(&rs->devices);
	free(rs);
}

int
revset_refresh(struct revset *rs, struct vigil_store *st, bool force)
{
	struct vigil_pki_revoked *rev = NULL;
	char (*ids)[VIGIL_UUID_STRLEN] = NULL;
	struct strset ser, dev;
	size_t nrev = 0, nids = 0, i;
	char key[SLOT_LEN];
	int64_t gen;

	if (vigil_pki_generation(st, &gen) != VIGIL_OK)
		return -1;
	if (rs->loaded && !force && gen == rs->gen)
		return 0;
	if (vigil_cert_revoked(st, NULL, vigil_time_now_ms() / 1000, &rev,
	    &nrev) != VIGIL_OK)
		return -1;
	if (vigil_pki_blocked_devices(st, &ids, &nids) != VIGIL_OK) {
		vigil_free(rev);
		return -1;
	}
	if (strset_init(&ser, nrev) != 0) {
		vigil_free(rev);
		vigil_free(ids);
		return -1;
	}
	if (strset_init(&dev, nids) != 0) {
		strset_clear(&ser);
		vigil_free(rev);
		vigil_free(ids);
		return -1;
	}
	for (i = 0; i < nrev; i++)
		if (canon(rev[i].serial, true, key))
			strset_add(&ser, key);
	for (i = 0; i < nids; i++)
		if (canon(ids[i], false, key))
			strset_add(&dev, key);
	vigil_free(rev);
	vigil_free(ids);
	strset_clear(&rs->serials);
	strset_clear(&rs->devices);
	rs->serials = ser;
	rs->devices = dev;
	rs->gen = gen;
	rs->loaded = true;
	return 1;
}

bool
revset_serial_blocked(const struct revset *rs, const char *serial)
{
	char key[SLOT_LEN];

	return rs != NULL && serial != NULL && canon(serial, true, key) &&
	    strset_has(&rs->serials, key);
}

bool
revset_device_blocked(const struct revset *rs, const char *device_id)
{
	char key[SLOT_LEN];

	return rs != NULL && device_id != NULL &&
	    canon(device_id, false, key) && strset_has(&rs->devices, key);
}

int64_t
revset_generation(const struct revset *rs)
{
	return rs != NULL ? rs->gen : 0;
}

size_t
revset_count(const struct revset *rs)
{
	return rs != NULL ? rs->serials.n + rs->devices.n : 0;
}
