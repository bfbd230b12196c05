/*
 * Fuzz target for CVSS vectors (src/lib/vuln/cvss.c, cvss4.c): the
 * input is one vector string.
 *
 * Checks: no crash or overread (ASan); a rejected vector has a reason;
 * an accepted one has a known version, a score in 0..10 with one
 * decimal, and a severity.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct vigil_cvss v;
	char err[512];

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (vigil_cvss_parse(s, &v, err, sizeof err) != VIGIL_OK) {
		if (err[0] == '\0')
			abort();
	} else {
		double tenths = v.base_score * 10;

		if (v.major != 2 && v.major != 3 && v.major != 4)
			abort();
		if (!(v.base_score >= 0.0 && v.base_score <= 10.0) ||
		    fabs(tenths - round(tenths)) > 1e-6 ||
		    v.severity == NULL)
			abort();
	}
	free(s);
	return 0;
}
