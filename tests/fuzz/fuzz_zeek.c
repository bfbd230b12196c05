/*
 * Fuzz target for the Zeek conn.log reader (flow.h): the input is a log,
 * fed line by line to one reader so headers change how later lines
 * read. Checks invariants, not just absence of crashes: a flow has a
 * family of 4 or 6, ends no earlier than it starts and has a terminated
 * state; a refusal always says why; a header or comment fills no flow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];
	size_t pos = 0;

	if (vigil_zeek_reader_new(&r) != VIGIL_OK)
		return 0;
	while (pos <= size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl != NULL ? (size_t)(nl - data) - pos : size - pos;
		int rc;

		err[0] = '\0';
		rc = vigil_zeek_line(r, (const char *)data + pos, n, &f, err,
		    sizeof err);
		if (rc == 1) {
			if ((f.family != 4 && f.family != 6) ||
			    f.end_ms < f.start_ms ||
			    memchr(f.state, '\0', sizeof f.state) == NULL)
				abort();
		} else if (rc == -1) {
			if (err[0] == '\0')
				abort();
		} else if (rc != 0 || f.family != 0) {
			abort();
		}
		if (nl == NULL)
			break;
		pos += n + 1;
	}
	vigil_zeek_reader_free(r);
	return 0;
}
