/*
 * Fuzz target: bulk import (CSV or JSONL, chosen at build time with
 * -DFUZZ_IMPORT_FORMAT=VIGIL_FORMAT_xxx) through the production entry point
 * (vigil_import_mem) into an in-memory store opened once. Each input
 * runs inside an outer transaction that is rolled back, so inputs are
 * independent and fast. Checks invariants, not just absence of
 * crashes: the summary adds up, the store holds exactly the imported
 * rows, every failure has a message and the handle leaves no
 * transaction open.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vigil_store *st;
static struct vigil_tenant tenant;
static uint64_t nerrors;

static void
on_error(void *ctx, uint64_t line, const char *msg)
{
	(void)ctx;
	if (line == 0 || msg == NULL || msg[0] == '\0')
		abort();
	nerrors++;
}

static void
init(void)
{
	char err[256];

	if (vigil_store_open(&st, ":memory:", NULL, err, sizeof err) !=
	    VIGIL_OK ||
	    vigil_admin_tenant_create(st, "fuzz", NULL, &tenant) != VIGIL_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_import_options o;
	struct vigil_import_summary s;
	enum vigil_err rc;
	uint64_t n = 0;

	if (st == NULL)
		init();
	memset(&o, 0, sizeof o);
	o.format = FUZZ_IMPORT_FORMAT;
	o.on_error = on_error;
	o.batch_rows = 7; /* exercise batch boundaries */
	o.atomic = size > 0 && (data[0] & 1);
	nerrors = 0;
	if (vigil_store_begin(st) != VIGIL_OK)
		abort();
	rc = vigil_import_mem(st, tenant.id, data, size, &o, &s);
	if (rc != VIGIL_OK && vigil_store_errmsg(st)[0] == '\0')
		abort();
	if (s.bytes_read > size || s.rows_imported + s.rows_failed >
	    s.rows_read || nerrors < s.rows_failed)
		abort();
	if (rc == VIGIL_OK && s.rows_failed != 0)
		abort();
	/* Input errors keep every checked row (default mode) or none
	 * (atomic); only store failures may drop a batch. */
	if (rc == VIGIL_OK || rc == VIGIL_EINVAL || rc == VIGIL_ERANGE) {
		if (!o.atomic &&
		    s.rows_imported + s.rows_failed != s.rows_read)
			abort();
		if (o.atomic && s.rows_imported != (rc == VIGIL_OK ?
		    s.rows_read : 0))
			abort();
	}
	if (vigil_device_count(st, tenant.id, NULL, &n) != VIGIL_OK ||
	    n != s.rows_imported)
		abort();
	if (vigil_store_tx_depth(st) != 1 || vigil_store_rollback(st) !=
	    VIGIL_OK)
		abort();
	return 0;
}
