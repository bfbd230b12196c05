/*
 * Fuzz target for EST request bodies (vigil_est_body_decode,
 * src/lib/pki/pki_est.c): the base64 (RFC 8951) or PEM text a device
 * POSTs to /simpleenroll before anything else looks at it. Checks:
 *  - a failure is EINVAL or ERANGE with a reason, and no output;
 *  - a success yields at most max bytes, and the canonical base64 of
 *    those bytes is exactly the input's base64 digits (whitespace and
 *    padding dropped): the decoder is strict, one encoding per value;
 *  - the ceiling is exact: a success under max also succeeds with
 *    max = its own length and fails with one byte less.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/pki.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY_MAX 8192

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The input's base64 digits, for a body that is not PEM. */
static size_t
digits_of(const char *s, size_t n, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]) && s[i] != '=')
			out[k++] = s[i];
	out[k] = '\0';
	return k;
}

static void
check_canonical(const char *body, size_t len, const uint8_t *der,
    size_t dlen)
{
	size_t i = 0, k;
	char *digits, *enc;

	while (i < len && is_ws(body[i]))
		i++;
	if (len - i >= 5 && memcmp(body + i, "-----", 5) == 0)
		return; /* PEM courtesy: framing is not base64 */
	if ((digits = malloc(len + 1)) == NULL ||
	    (enc = malloc(dlen / 3 * 4 + 8)) == NULL)
		abort();
	k = digits_of(body, len, digits);
	if (vigil_base64_encode(der, dlen, enc, dlen / 3 * 4 + 8) != VIGIL_OK)
		abort();
	/* Drop the encoder's padding; the digits must match. */
	enc[strcspn(enc, "=")] = '\0';
	if (strlen(enc) != k || memcmp(enc, digits, k) != 0)
		abort();
	free(digits);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	uint8_t *der = (uint8_t *)"x", *der2 = NULL;
	size_t dlen = 1, dlen2 = 0, max = size > 0 ? data[0] * 16 : 0;
	char err[256];
	enum vigil_err rc;

	if (size > BODY_MAX)
		return 0;
	err[0] = '\0';
	rc = vigil_est_body_decode(body, size, max, &der, &dlen, err,
	    sizeof err);
	if (rc != VIGIL_OK) {
		if ((rc != VIGIL_EINVAL && rc != VIGIL_ERANGE) ||
		    der != NULL || dlen != 0 || err[0] == '\0')
			abort();
		return 0;
	}
	if (der == NULL || dlen == 0 || dlen > max)
		abort();
	check_canonical(body, size, der, dlen);
	if (vigil_est_body_decode(body, size, dlen, &der2, &dlen2, err,
	    sizeof err) != VIGIL_OK || dlen2 != dlen ||
	    memcmp(der, der2, dlen) != 0)
		abort();
	free(der2);
	der2 = NULL;
	if (vigil_est_body_decode(body, size, dlen - 1, &der2, &dlen2, err,
	    sizeof err) != VIGIL_ERANGE || der2 != NULL)
		abort();
	free(der);
	return 0;
}
