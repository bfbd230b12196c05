/*
 * Fuzz target for the SBOM readers (src/lib/vuln/sbom*.c): the input
 * parsed as each format and sniffed (AUTO); what parses is checked,
 * scored and exported to CycloneDX 1.6, and the export parsed back.
 *
 * Checks: no crash, leak or overread (ASan); a refusal has a reason and
 * leaves no document; every string field is set; each component's deps
 * name components; the export reads back with as many components.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_component(const struct vigil_sbom_component *c)
{
	if (c->ref == NULL || c->type == NULL || c->name == NULL ||
	    c->version == NULL || c->supplier == NULL || c->purl == NULL ||
	    c->cpe == NULL || c->license == NULL)
		abort();
	for (size_t i = 0; i < c->nhashes; i++)
		if (c->hashes[i].alg == NULL || c->hashes[i].value == NULL)
			abort();
}

static int
known(const struct vigil_sbom *s, const char *ref)
{
	if (strcmp(s->subject.ref, ref) == 0)
		return 1;
	for (size_t i = 0; i < s->ncomponents; i++)
		if (strcmp(s->components[i].ref, ref) == 0)
			return 1;
	return 0;
}

static void
check(const struct vigil_sbom *s)
{
	struct vigil_sbom_quality q;
	struct vigil_sbom *back = NULL;
	json_t *j;
	char *text, err[512];

	check_component(&s->subject);
	for (size_t i = 0; i < s->ncomponents; i++) {
		check_component(&s->components[i]);
		if (s->components[i].ref[0] == '\0')
			abort();
		/* Quadratic, but fuzz inputs are small. */
		for (size_t d = 0; i < 64 && d < s->components[i].ndeps; d++)
			if (!known(s, s->components[i].deps[d]))
				abort();
	}
	vigil_sbom_quality(s, &q);
	if (q.components != s->ncomponents ||
	    q.missing_identifier > q.components)
		abort();
	j = vigil_sbom_quality_to_json(&q);
	json_decref(j);
	j = vigil_sbom_to_cyclonedx(s,
	    "urn:uuid:00000000-0000-4000-8000-000000000000");
	if (j == NULL)
		return; /* out of memory only */
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return;
	if (vigil_sbom_parse(text, strlen(text), VIGIL_SBOM_CYCLONEDX, &back,
	    err, sizeof err) != VIGIL_OK)
		abort();
	if (back->ncomponents != s->ncomponents)
		abort();
	vigil_sbom_free(back);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char err[512];

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (int f = VIGIL_SBOM_AUTO; f <= VIGIL_SBOM_SPDX_TV; f++) {
		struct vigil_sbom *s = NULL;
		enum vigil_err rc;

		err[0] = '\0';
		/* Exactly size bytes: the NUL after them is not part of
		 * the input, so ASan sees reads past the end. */
		rc = vigil_sbom_parse(buf, size, (enum vigil_sbom_format)f,
		    &s, err, sizeof err);
		if (rc != VIGIL_OK) {
			if (s != NULL || err[0] == '\0')
				abort();
			continue;
		}
		check(s);
		vigil_sbom_free(s);
	}
	free(buf);
	return 0;
}
