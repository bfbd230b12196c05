/*
 * Fuzz target for device map files (src/lib/detect/devmap.c): arbitrary
 * bytes read as an address,device[,model][,tenant] CSV.
 *
 * Checks: no crash, leak or overread (ASan); a refusal names its line;
 * skipped rows are reported in line order, each with a reason, and kept
 * plus skipped rows never outnumber the lines; every lookup (addresses
 * taken from the input itself, so they sometimes hit), after its two
 * prefetch steps, answers either nothing or a device id of 1..36
 * characters via "binding".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/devmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t last_line, calls;
};

static void
on_bad(void *ctx, size_t line, const char *msg)
{
	struct seen *s = ctx;

	if (line <= s->last_line || msg == NULL || msg[0] == '\0')
		abort();
	s->last_line = line;
	s->calls++;
}

static void
check(const struct vigil_devmap *m, uint8_t family, const uint8_t a[16])
{
	struct vigil_endpoint ep;
	size_t l;

	vigil_devmap_prefetch(m, family, a, 0);
	vigil_devmap_prefetch(m, family, a, 1);
	if (vigil_devmap_attribute(m, family, a, &ep) == 1) {
		l = strlen(ep.device_id);
		if (!ep.device || l == 0 || l > VIGIL_DEVMAP_DEVICE_MAX ||
		    strcmp(ep.via, "binding") != 0)
			abort();
	} else if (ep.device || ep.device_id[0] != '\0') {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_devmap *m = NULL;
	struct seen s = { 0, 0 };
	size_t rows = 0, bad = 0, lines = 1;
	uint8_t a[16];
	char err[256];

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (vigil_devmap_load((const char *)data, size, &m, &rows, &bad,
	    on_bad, &s, err, sizeof err) != VIGIL_OK) {
		if (m != NULL || strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	if (m == NULL || bad != s.calls || rows + bad > lines ||
	    vigil_devmap_count(m) != rows)
		abort();
	for (size_t off = 0; off + 16 <= size && off < 64 * 16; off += 16) {
		memcpy(a, data + off, 16);
		check(m, 6, a);
		memset(a + 4, 0, 12);
		check(m, 4, a);
	}
	memset(a, 0, sizeof a);
	check(m, 4, a);
	check(m, 6, a);
	vigil_devmap_free(m);
	return 0;
}
