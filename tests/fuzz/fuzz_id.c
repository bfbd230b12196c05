/*
 * Fuzz target for one identifier parser, selected at build time with
 * -DFUZZ_ID_TYPE=VIGIL_ID_xxx (VIGIL_ID_UNKNOWN = auto-detection).
 * Checks invariants, not just absence of crashes: a success has a
 * non-empty normalised form and re-parses its own normalised form to
 * the same match key; a failure always has an error message; the
 * VIGIL_ID_PARSE_NO_DETAIL fast path gives the same verdict, canonical
 * form, URN, match key and error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_id id, again;
	enum vigil_id_type t = FUZZ_ID_TYPE;
	enum vigil_err rc;

	rc = vigil_id_parse(t, (const char *)data, size, &id);
	/* The fast path (no fields, no forms) must agree on everything it
	 * does fill. */
	if (t != VIGIL_ID_UNKNOWN) {
		if (vigil_id_parse_ex(t, (const char *)data, size,
		    VIGIL_ID_PARSE_NO_DETAIL, &again) != rc ||
		    strcmp(id.normalized, again.normalized) != 0 ||
		    strcmp(id.urn, again.urn) != 0 ||
		    strcmp(id.match_key, again.match_key) != 0 ||
		    strcmp(id.error, again.error) != 0 ||
		    again.nfields != 0 || again.nforms != 0)
			abort();
	}
	if (rc != VIGIL_OK) {
		if (id.error[0] == '\0')
			abort();
		return 0;
	}
	if (id.normalized[0] == '\0' || id.match_key[0] == '\0')
		abort();
	/* Idempotence: the canonical spelling parses to the same key. */
	if (vigil_id_parse(id.type, id.normalized, strlen(id.normalized),
	    &again) != VIGIL_OK)
		abort();
	if (strcmp(id.match_key, again.match_key) != 0)
		abort();
	return 0;
}
