/*
 * Fuzz target for package URLs (src/lib/vuln/purl.c, purl_key.c): the
 * input is one purl.
 *
 * Checks: no crash or overread (ASan); a rejected purl has a reason;
 * an accepted one has a type and a name, prints canonically, and the
 * canonical text parses again to the same canonical text (a fixed
 * point); its package key, when it has one, is NUL-terminated and
 * names an ecosystem.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *c1 = NULL, *c2 = NULL;
	struct vigil_purl *p = NULL, *q = NULL;
	struct vigil_pkg_key k;
	char err[512];

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (vigil_purl_parse(s, &p, err, sizeof err) != VIGIL_OK) {
		if (err[0] == '\0' || p != NULL)
			abort();
		free(s);
		return 0;
	}
	if (p->type[0] == '\0' || p->name[0] == '\0')
		abort();
	if (vigil_purl_to_string(p, 1, &c1) != VIGIL_OK)
		abort();
	/* The canonical form may exceed VIGIL_PURL_MAX once re-encoded. */
	if (strlen(c1) <= VIGIL_PURL_MAX) {
		if (vigil_purl_parse(c1, &q, err, sizeof err) != VIGIL_OK)
			abort();
		if (vigil_purl_to_string(q, 1, &c2) != VIGIL_OK ||
		    strcmp(c1, c2) != 0)
			abort();
	}
	if (vigil_purl_pkg_key(p, &k, err, sizeof err) == VIGIL_OK) {
		if (k.ecosystem[0] == '\0' ||
		    memchr(k.name, '\0', sizeof k.name) == NULL ||
		    memchr(k.release, '\0', sizeof k.release) == NULL)
			abort();
	}
	vigil_free(c1);
	vigil_free(c2);
	vigil_purl_free(q);
	vigil_purl_free(p);
	free(s);
	return 0;
}
