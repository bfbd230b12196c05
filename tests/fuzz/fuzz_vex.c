/*
 * Fuzz target for the VEX parsers (src/lib/vuln/vex*.c): the input is
 * parsed as every format in turn and as AUTO, then each statement is
 * looked up against a component built from the statement's own product.
 *
 * Checks: no crash, leak or overread (ASan); a refusal has a reason;
 * an accepted document has at least one statement, and every
 * not_affected statement carries a justification.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_doc(const struct vigil_vex_doc *d)
{
	const char *ids[1];
	struct vigil_sbom_component c;

	if (d->nstmts == 0)
		abort();
	memset(&c, 0, sizeof c);
	for (size_t i = 0; i < d->nstmts; i++) {
		const struct vigil_vex_stmt *s = &d->stmts[i];
		const struct vigil_vex_stmt *p = s;

		if (s->state == VIGIL_VEX_NOT_AFFECTED &&
		    s->justification[0] == '\0')
			abort();
		ids[0] = s->vuln;
		c.ref = s->product + (strncmp(s->product, "ref:", 4) == 0 ?
		    4 : 0);
		c.name = s->product;
		c.version = (char *)"";
		c.purl = s->product;
		c.cpe = s->product;
		(void)vigil_vex_lookup(&p, 1, ids, 1, &c);
	}
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
	(void)vigil_vex_detect(buf, size);
	for (int f = VIGIL_VEX_AUTO; f <= VIGIL_VEX_YOCTO; f++) {
		struct vigil_vex_doc *d = NULL;
		enum vigil_err rc;

		err[0] = '\0';
		rc = vigil_vex_parse(buf, size, (enum vigil_vex_format)f, &d,
		    err, sizeof err);
		if (rc != VIGIL_OK) {
			if (err[0] == '\0' || d != NULL)
				abort();
			continue;
		}
		check_doc(d);
		vigil_vex_doc_free(d);
	}
	free(buf);
	return 0;
}
