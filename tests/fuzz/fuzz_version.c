/*
 * Fuzz target for the version schemes (src/lib/vuln/version*.c): the
 * input split at its first newline into two versions A and B; every
 * scheme checks both and, when both are valid, compares them.
 *
 * Checks: no crash or overread (ASan); a rejected version has a
 * reason; the result is -1, 0 or 1; cmp(A, B) = -cmp(B, A);
 * cmp(A, A) = 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy of exactly n bytes plus NUL, so ASan sees overreads. */
static char *
dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t alen = nl != NULL ? (size_t)(nl - data) : size;
	char *a = dup_n(data, alen);
	char *b = nl != NULL ? dup_n(nl + 1, size - alen - 1) : dup_n(data,
	    size);
	char err[512];

	for (int s = VIGIL_VS_SEMVER; s <= VIGIL_VS_GENERIC; s++) {
		enum vigil_vscheme sc = (enum vigil_vscheme)s;
		enum vigil_err ra, rb;
		int ab = 7, ba = 7, aa = 7;

		err[0] = '\0';
		ra = vigil_version_check(sc, a, err, sizeof err);
		if (ra != VIGIL_OK && err[0] == '\0')
			abort();
		rb = vigil_version_check(sc, b, err, sizeof err);
		if (ra != VIGIL_OK || rb != VIGIL_OK) {
			if (vigil_version_cmp(sc, a, b, &ab, err,
			    sizeof err) == VIGIL_OK)
				abort();
			continue;
		}
		if (vigil_version_cmp(sc, a, b, &ab, err, sizeof err) !=
		    VIGIL_OK || vigil_version_cmp(sc, b, a, &ba, err,
		    sizeof err) != VIGIL_OK || vigil_version_cmp(sc, a, a,
		    &aa, err, sizeof err) != VIGIL_OK)
			abort();
		if (ab < -1 || ab > 1 || ab != -ba || aa != 0)
			abort();
	}
	free(a);
	free(b);
	return 0;
}
