/*
 * Fuzz target for CPE names (src/lib/vuln/cpe.c, cpe_match.c): the
 * input split at its first newline into a source and a target name.
 *
 * Checks: no crash or overread (ASan); a rejected name has a reason;
 * an accepted one prints as a 2.3 formatted string that parses back to
 * itself; a copy matches exactly when the original does; a name
 * compares EQUAL or UNDEFINED to itself, attribute by attribute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* Parses s; on success checks the round trip. 1 when parsed. */
static int
one(const char *s, struct vigil_cpe *c)
{
	char err[512], *t = NULL, *t2 = NULL;
	struct vigil_cpe r;

	err[0] = '\0';
	if (vigil_cpe_parse(s, c, err, sizeof err) != VIGIL_OK) {
		if (err[0] == '\0' || c->buf != NULL)
			abort();
		return 0;
	}
	if (vigil_cpe_to_string(c, &t) != VIGIL_OK)
		abort();
	if (strlen(t) <= VIGIL_CPE_MAX) {
		if (vigil_cpe_parse(t, &r, err, sizeof err) != VIGIL_OK)
			abort();
		if (vigil_cpe_to_string(&r, &t2) != VIGIL_OK ||
		    strcmp(t, t2) != 0)
			abort();
		vigil_cpe_clear(&r);
	}
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++) {
		enum vigil_cpe_rel rel = vigil_cpe_attr_compare(c->attr[a],
		    c->attr[a]);

		if (rel != VIGIL_CPE_EQUAL && rel != VIGIL_CPE_UNDEFINED &&
		    rel != VIGIL_CPE_SUPERSET)
			abort();
	}
	vigil_free(t);
	vigil_free(t2);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t alen = nl != NULL ? (size_t)(nl - data) : size;
	char *a = dup_n(data, alen);
	char *b = nl != NULL ? dup_n(nl + 1, size - alen - 1) :
	    dup_n(data, size);
	struct vigil_cpe s, t, s2;
	int hs = one(a, &s), ht = one(b, &t);

	if (hs && ht) {
		int m = vigil_cpe_match(&s, &t, 0);
		int mv = vigil_cpe_match(&s, &t, VIGIL_CPE_SKIP_VERSION);

		if (vigil_cpe_copy(&s2, &s) != VIGIL_OK)
			abort();
		if (vigil_cpe_match(&s2, &t, 0) != m || (m && !mv))
			abort();
		vigil_cpe_clear(&s2);
	}
	if (hs)
		vigil_cpe_clear(&s);
	if (ht)
		vigil_cpe_clear(&t);
	free(a);
	free(b);
	return 0;
}
