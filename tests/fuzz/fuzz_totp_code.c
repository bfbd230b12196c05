/*
 * Fuzz target for user-given TOTP input (src/lib/iam/iam_totp.c): the
 * code check (iam_totp_code_wellformed) and the matcher the login and
 * enrollment confirmation run on it (iam_totp_match), plus the base32
 * secret reader (iam_base32_decode) and writer.
 *
 * Input: byte 0 picks the code length (low nibble) and the clock and
 * replay window (high nibble), then the code, then the rest is both
 * the HMAC secret and, as text, a base32 string. Checks:
 *  - a code is well-formed exactly when it is 6 ASCII digits;
 *  - a match is a step within one step of now, after last_step, whose
 *    RFC 6238 code is the given one; no match means no such step;
 *  - base32 decoding either fails for a stated reason (a character
 *    outside the alphabet, text after padding, a full buffer) or yields
 *    5 bits a character; encoding what it yields decodes back to the
 *    same bytes, whatever the case of the input.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/iam_internal.h"
#include "vigil/iam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_MAX 1024

static bool
ref_wellformed(const char *c)
{
	if (strlen(c) != IAM_TOTP_DIGITS)
		return false;
	for (; *c != '\0'; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

static void
fuzz_match(unsigned sel, const char *code, const uint8_t *secret,
    size_t len)
{
	static const int64_t nows[] = { 0, 29999, 30000, 59999,
		1700000000000LL, 4102444800000LL, INT64_MAX, -1 };
	int64_t now = nows[sel % 8], cur, last, step;
	char want[16];

	cur = now >= 0 ? now / 1000 / IAM_TOTP_STEP : 0;
	last = sel & 8 ? cur - 1 : INT64_MIN; /* last login used cur-1 */
	step = iam_totp_match(secret, len, code, now, last);
	if (step >= 0) {
		if (!ref_wellformed(code) || now < 0 || len == 0 ||
		    step < cur - 1 ||
		    step > cur + 1 || step <= last)
			abort();
		snprintf(want, sizeof want, "%06u", (unsigned)vigil_totp_code(
		    secret, len, step * IAM_TOTP_STEP, IAM_TOTP_STEP,
		    IAM_TOTP_DIGITS));
		if (strcmp(want, code) != 0)
			abort();
		return;
	}
	if (step != -1)
		abort();
	/* An empty secret never matches (its "code" would be 000000). */
	if (!ref_wellformed(code) || now < 0 || len == 0)
		return;
	/* No match: no step in the window has this code. */
	for (int64_t s = cur - 1; s <= cur + 1; s++) {
		if (s < 0 || s <= last)
			continue;
		snprintf(want, sizeof want, "%06u", (unsigned)vigil_totp_code(
		    secret, len, s * IAM_TOTP_STEP, IAM_TOTP_STEP,
		    IAM_TOTP_DIGITS));
		if (strcmp(want, code) == 0)
			abort();
	}
}

static bool
b32_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '2' && c <= '7');
}

static void
fuzz_base32(const char *text, size_t outsize)
{
	static uint8_t back[TEXT_MAX];
	static char enc[TEXT_MAX * 2], upper[TEXT_MAX + 1];
	size_t n = 0, nchars, i, len2;
	enum vigil_err e;
	bool bad = false;
	uint8_t *out;

	/* Exactly outsize bytes, so ASan sees a write past them. */
	if ((out = malloc(outsize)) == NULL)
		abort();
	e = iam_base32_decode(text, out, outsize, &n);
	/* The reference verdict. */
	for (i = 0; text[i] != '\0' && text[i] != '='; i++)
		if (!b32_char(text[i]))
			bad = true;
	nchars = i;
	for (; text[i] == '='; i++)
		;
	if (text[i] != '\0')
		bad = true;
	if (e == VIGIL_EINVAL || e == VIGIL_ERANGE) {
		if ((e == VIGIL_EINVAL && !bad) || n != 0 ||
		    (e == VIGIL_ERANGE && nchars * 5 / 8 <= outsize))
			abort();
		free(out);
		return;
	}
	if (e != VIGIL_OK || bad || n != nchars * 5 / 8 || n > outsize)
		abort();
	if (iam_base32_encode(out, n, enc, sizeof enc) != VIGIL_OK ||
	    strlen(enc) != (n * 8 + 4) / 5)
		abort();
	if (iam_base32_decode(enc, back, sizeof back, &len2) != VIGIL_OK ||
	    len2 != n || memcmp(back, out, n) != 0)
		abort();
	/* Either case reads the same. */
	for (i = 0; text[i] != '\0'; i++)
		upper[i] = (char)toupper((unsigned char)text[i]);
	upper[i] = '\0';
	if (iam_base32_decode(upper, back, outsize, &len2) != VIGIL_OK ||
	    len2 != n || memcmp(back, out, n) != 0)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char code[16], text[TEXT_MAX + 1];
	size_t clen, rest;
	unsigned sel;

	if (size == 0)
		return 0;
	clen = data[0] & 15;
	sel = data[0] >> 4;
	if (clen > size - 1)
		clen = size - 1;
	memcpy(code, data + 1, clen);
	code[clen] = '\0';
	data += 1 + clen;
	rest = size - 1 - clen;

	if (iam_totp_code_wellformed(code) != ref_wellformed(code))
		abort();
	fuzz_match(sel, code, data, rest);

	if (rest > TEXT_MAX || memchr(data, '\0', rest) != NULL)
		return 0;
	memcpy(text, data, rest);
	text[rest] = '\0';
	fuzz_base32(text, TEXT_MAX);
	fuzz_base32(text, 5); /* a short buffer: ERANGE, never overflow */
	return 0;
}
