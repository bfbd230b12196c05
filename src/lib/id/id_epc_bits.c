/*
 * Bit reader/writer and decimal helpers for the EPC binary encodings.
 * EPC fields are not byte aligned (3-bit filter, 24-bit prefix, ...), so
 * fields are moved one bit at a time: at most 200 bits per EPC, which
 * keeps the code obviously correct at negligible cost.
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

bool
id_epc_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	/* 19 digits always fit in 64 bits; every EPC integer is shorter. */
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

int
id_epc_nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
