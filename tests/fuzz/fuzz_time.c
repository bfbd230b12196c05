/* Fuzz target for the RFC 3339 parser: a parsed time formats and
 * re-parses to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[80], out[VIGIL_RFC3339_LEN], err[128];
	int64_t ms, ms2;

	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (vigil_time_parse(s, &ms, err, sizeof err) != VIGIL_OK)
		return 0;
	vigil_time_format(ms, out);
	if (ms > -62135596800000LL && ms < 253402300800000LL &&
	    (vigil_time_parse(out, &ms2, err, sizeof err) != VIGIL_OK ||
	    ms2 != ms))
		abort();
	return 0;
}
