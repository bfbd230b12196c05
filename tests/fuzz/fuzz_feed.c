/*
 * Fuzz target for the vulnerability feed parsers (src/lib/vuln/feed*.c,
 * vrecord.c): the first input byte picks the feed kind (mod 6, 0 =
 * AUTO sniffing), the rest is the document; the whole input is also
 * read as one OSV, NVD and CVE 5 record by vigil_vuln_parse.
 *
 * Checks: no crash, leak or overread (ASan); the sniffed kind is in
 * range; every bad record and refused document has a reason; every
 * record's raw text reads back to a record with the same id, source
 * and shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum vigil_err
on_record(void *ctx, const struct vigil_vuln *v, const char *raw,
    size_t rawlen)
{
	struct vigil_vuln *back;
	char err[512];

	(void)ctx;
	if (v->id == NULL || v->id[0] == '\0' || strlen(raw) != rawlen)
		abort();
	if (vigil_vuln_parse(v->source, raw, rawlen, &back, err,
	    sizeof err) != VIGIL_OK)
		abort();
	if (strcmp(back->id, v->id) != 0 || back->source != v->source ||
	    back->npkgs != v->npkgs || back->nconfigs != v->nconfigs ||
	    back->ncve5 != v->ncve5 || back->nseverity != v->nseverity ||
	    back->modified_ms != v->modified_ms ||
	    back->withdrawn_ms != v->withdrawn_ms)
		abort();
	(void)vigil_vuln_canonical_id(back);
	vigil_vuln_free(back);
	return VIGIL_OK;
}

static enum vigil_err
on_kev(void *ctx, const struct vigil_kev_entry *e)
{
	(void)ctx;
	if (e->cve[0] == '\0' || e->vendor == NULL || e->notes == NULL)
		abort();
	return VIGIL_OK;
}

static enum vigil_err
on_epss(void *ctx, const struct vigil_epss_entry *e)
{
	(void)ctx;
	if (!(e->epss >= 0 && e->epss <= 1 && e->percentile >= 0 &&
	    e->percentile <= 1))
		abort();
	return VIGIL_OK;
}

static void
on_error(void *ctx, size_t index, const char *id, const char *msg)
{
	(void)ctx;
	(void)index;
	(void)id;
	if (msg == NULL || msg[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_feed_cb cb = { NULL, on_record, on_kev, on_epss,
		on_error };
	enum vigil_feed_kind kind;
	struct vigil_vuln *v;
	char meta[64], err[512];
	char *doc;

	if (size == 0)
		return 0;
	kind = (enum vigil_feed_kind)(data[0] % 6);
	/* A heap copy of exactly the document, so ASan sees overreads. */
	doc = malloc(size - 1 > 0 ? size - 1 : 1);
	if (doc == NULL)
		abort();
	memcpy(doc, data + 1, size - 1);
	if ((unsigned)vigil_feed_detect(doc, size - 1) > VIGIL_FEED_EPSS)
		abort();
	err[0] = '\0';
	if (vigil_feed_parse(kind, doc, size - 1, &cb, meta, err,
	    sizeof err) != VIGIL_OK && err[0] == '\0')
		abort();
	if (strlen(meta) >= 64)
		abort();
	for (int s = VIGIL_VSRC_OSV; s <= VIGIL_VSRC_CVE5; s++) {
		err[0] = '\0';
		if (vigil_vuln_parse((enum vigil_vsource)s, doc, size - 1, &v,
		    err, sizeof err) == VIGIL_OK)
			vigil_vuln_free(v);
		else if (err[0] == '\0' || v != NULL)
			abort();
	}
	free(doc);
	return 0;
}
