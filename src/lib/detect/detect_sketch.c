/*
 * The small sketches behind the per-entity state (detect_internal.h):
 * a distinct counter that is exact while small and HyperLogLog-style
 * after, a bloom-like learned set, and the hashes that feed them. They
 * never allocate: every byte lives inside the entity.
 */
#include <math.h>
#include <string.h>

#include "detect_internal.h"

#define HLL_M 64

static unsigned
reg_get(const uint8_t *r, unsigned i)
{
	unsigned bit = i * 6, byte = bit / 8, off = bit % 8;
	unsigned v = r[byte];

	if (byte + 1 < 48)
		v |= (unsigned)r[byte + 1] << 8;
	return (v >> off) & 63;
}

static void
reg_set(uint8_t *r, unsigned i, unsigned val)
{
	unsigned bit = i * 6, byte = bit / 8, off = bit % 8;
	unsigned v = r[byte], mask = 63u << off;

	if (byte + 1 < 48)
		v |= (unsigned)r[byte + 1] << 8;
	v = (v & ~mask) | ((val & 63) << off);
	r[byte] = (uint8_t)v;
	if (byte + 1 < 48)
		r[byte + 1] = (uint8_t)(v >> 8);
}

/* The register index is the low 6 bits; the rank counts the leading
 * zeros of the other 10 (so it is at most 11). */
static bool
hll_add(uint8_t *r, uint16_t fp)
{
	unsigned idx = fp & 63, w = fp >> 6, rank = 1;

	for (unsigned m = 1u << 9; m != 0 && (w & m) == 0; m >>= 1)
		rank++;
	if (reg_get(r, idx) >= rank)
		return false;
	reg_set(r, idx, rank);
	return true;
}

void
det_distinct_clear(struct det_distinct *c)
{
	memset(c, 0, sizeof *c);
}

bool
det_distinct_add_slow(struct det_distinct *c, uint16_t fp)
{
	uint16_t tmp[DET_EXACT];

	if (c->n == DET_HLL_MODE)
		return hll_add(c->u.reg, fp);
	/* Full: the exact entries become registers (same storage). */
	memcpy(tmp, c->u.fp, sizeof tmp);
	memset(c->u.reg, 0, sizeof c->u.reg);
	for (unsigned i = 0; i < DET_EXACT; i++)
		(void)hll_add(c->u.reg, tmp[i]);
	c->n = DET_HLL_MODE;
	(void)hll_add(c->u.reg, fp);
	return true;
}

unsigned
det_distinct_count(const struct det_distinct *c)
{
	double sum = 0, est;
	unsigned zeros = 0;

	if (c->n != DET_HLL_MODE)
		return c->n;
	for (unsigned i = 0; i < HLL_M; i++) {
		unsigned r = reg_get(c->u.reg, i);

		sum += ldexp(1.0, -(int)r);
		zeros += r == 0;
	}
	est = 0.709 * HLL_M * HLL_M / sum;
	if (est <= 2.5 * HLL_M && zeros > 0)
		est = HLL_M * log((double)HLL_M / zeros);
	/* It was exact up to DET_EXACT: never report fewer. */
	if (est < DET_EXACT + 1)
		est = DET_EXACT + 1;
	return (unsigned)(est + 0.5);
}

unsigned
det_tiny_count(const struct det_tiny *t)
{
	double sum = 0, est;
	unsigned zeros = 0;

	for (unsigned i = 0; i < 32; i++) {
		unsigned r = (t->reg[i / 2] >> (i % 2 * 4)) & 15;

		sum += ldexp(1.0, -(int)r);
		zeros += r == 0;
	}
	est = 0.697 * 32 * 32 / sum;
	if (est <= 2.5 * 32 && zeros > 0)
		est = 32 * log(32.0 / zeros);
	return (unsigned)(est + 0.5);
}
