/*
 * Bit reader/writer for the EPC binary encodings. EPC fields are not
 * byte aligned (3-bit filter, 24-bit prefix, ...), so fields are moved
 * one bit at a time: at most 200 bits per EPC, which keeps the code
 * obviously correct at negligible cost.
 */
#include "id_epc.h"

uint64_t
id_epc_bits_get(const uint8_t *buf, unsigned off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && i < 64; i++) {
		unsigned b = off + i;

		v = (v << 1) | ((buf[b / 8] >> (7 - b % 8)) & 1u);
	}
	return v;
}

void
id_epc_bits_put(uint8_t *buf, unsigned off, unsigned n, uint64_t v)
{
	if (n > 64)
		n = 64;
	for (unsigned i = 0; i < n; i++) {
		unsigned b = off + i;
		uint8_t mask = (uint8_t)(1u << (7 - b % 8));

		if ((v >> (n - 1 - i)) & 1u)
			buf[b / 8] |= mask;
		else
			buf[b / 8] &= (uint8_t)~mask;
	}
}

uint64_t
id_epc_pow10(unsigned n)
{
	uint64_t p = 1;

	for (unsigned i = 0; i < n && i < 19; i++)
		p *= 10;
	return p;
}
