/*
 * Check-digit primitives shared by the identifier parsers:
 *   Luhn (ISO/IEC 7812-1) over decimal digits: IMEI, ICCID, decimal MEID;
 *   Luhn mod 16 over hex digits: hex MEID (3GPP2 S.R0048);
 *   GS1 mod 10 (GS1 General Specifications 7.9): GTIN, GLN, SSCC, ...;
 *   ISO/IEC 7064 MOD 97-10 (GSMA SGP.29 EID, same as IBAN).
 * Each takes the data digits only (not NUL-terminated) and never reads
 * past n.
 */
#include <stdint.h>

#include "id_internal.h"

/*
 * Luhn in base `base` (10 or 16). Starting from the rightmost data
 * digit, every other digit is doubled; a doubled value of base or more
 * has its two base-`base` digits added (the same as subtracting
 * base-1). The check digit brings the total to a multiple of base.
 */
static int
luhn_base(const char *s, size_t n, int base)
{
	unsigned sum = 0;
	int dbl = 1; /* the rightmost data digit is doubled */

	if (s == NULL && n > 0)
		return -1;
	for (size_t i = n; i > 0; i--) {
		int v = vigil_hex_value(s[i - 1]);

		if (v < 0 || v >= base)
			return -1;
		if (dbl) {
			v *= 2;
			if (v >= base)
				v -= base - 1;
		}
		sum += (unsigned)v;
		dbl = !dbl;
	}
	return (int)((unsigned)base - sum % (unsigned)base) % base;
}

int
vigil_luhn_check_digit(const char *digits, size_t n)
{
	return luhn_base(digits, n, 10);
}

int
vigil_luhn16_check_digit(const char *hex, size_t n)
{
	return luhn_base(hex, n, 16);
}

int
vigil_gs1_check_digit(const char *digits, size_t n)
{
	unsigned sum = 0;
	unsigned w = 3; /* weight of the rightmost data digit */

	if (digits == NULL && n > 0)
		return -1;
	for (size_t i = n; i > 0; i--) {
		char c = digits[i - 1];

		if (!id_is_digit(c))
			return -1;
		sum += w * (unsigned)(c - '0');
		w = 4 - w; /* 3, 1, 3, 1, ... */
	}
	return (int)((10 - sum % 10) % 10);
}

/*
 * Long division by 97, nine digits at a time: the running remainder is
 * below 97, so remainder * 10^9 + chunk stays below 10^11 and fits in
 * 64 bits whatever the length of the number.
 */
int
vigil_mod97(const char *digits, size_t n)
{
	uint64_t r = 0;
	size_t i = 0;

	if (digits == NULL && n > 0)
		return -1;
	while (i < n) {
		uint64_t chunk = 0, scale = 1;
		size_t end = n - i > 9 ? i + 9 : n;

		for (; i < end; i++) {
			char c = digits[i];

			if (!id_is_digit(c))
				return -1;
			chunk = chunk * 10 + (uint64_t)(c - '0');
			scale *= 10;
		}
		r = (r * scale + chunk) % 97;
	}
	return (int)r;
}
