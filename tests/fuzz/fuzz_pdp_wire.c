/*
 * Fuzz target for the decision point's socket protocol
 * (src/lib/policy/pdp_wire.c), the bytes vigild reads from the broker
 * plugin and the plugin reads from vigild: decode every frame of the
 * input as a stream reader would.
 *
 * Checks: no crash or overread (ASan); a refusal has a message; a frame
 * that decodes re-encodes to exactly the same bytes (the encoding is
 * canonical) and decodes again to the same message; a partial frame
 * uses nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/pdp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_again(const struct vigil_pdpw_msg *m, const uint8_t *frame, size_t n)
{
	static uint8_t buf[4 + VIGIL_PDPW_FRAME_MAX];
	static struct vigil_pdpw_msg again;
	char err[256];
	size_t used;
	long len;

	len = vigil_pdpw_encode(m, buf, sizeof buf, err, sizeof err);
	if (len < 0 || (size_t)len != n || memcmp(buf, frame, n) != 0)
		abort();
	if (vigil_pdpw_decode(buf, n, &again, &used, err, sizeof err) != 1 ||
	    used != n || memcmp(&again, m, sizeof again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_pdpw_msg m;
	size_t off = 0;

	while (off < size) {
		char err[256] = "";
		size_t used = 99;
		int rc;

		rc = vigil_pdpw_decode(data + off, size - off, &m, &used, err,
		    sizeof err);
		if (rc == 0) {
			if (used != 0)
				abort();
			break;
		}
		if (rc < 0) {
			if (err[0] == '\0' || memchr(err, '\0', sizeof err) ==
			    NULL)
				abort();
			break;
		}
		if (rc != 1 || used < VIGIL_PDPW_HDR || used > size - off)
			abort();
		same_again(&m, data + off, used);
		off += used;
	}
	return 0;
}
