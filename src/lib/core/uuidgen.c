/* UUIDv7 generation (RFC 9562 §5.7). */
#include <stdio.h>

#include <openssl/rand.h>

#include "vigil/core.h"

enum vigil_err
vigil_uuid7(char out[VIGIL_UUID_STRLEN])
{
	uint8_t b[16];
	uint64_t ms = (uint64_t)vigil_time_now_ms();

	out[0] = '\0';
	if (RAND_bytes(b + 6, 10) != 1)
		return VIGIL_EIO;
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)(0x70 | (b[6] & 0x0f)); /* version 7 */
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* variant 10 */
	snprintf(out, VIGIL_UUID_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return VIGIL_OK;
}
