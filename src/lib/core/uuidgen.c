/* UUIDv7 generation (RFC 9562 §5.7 and §6.2). */
#include <stdio.h>

#include <openssl/rand.h>

#include "vigil/core.h"

/*
 * Monotonicity within a process (RFC 9562 §6.2, method 1: a counter in
 * rand_a): ids made in the same millisecond keep their creation order,
 * so "ordered by id" lists devices in the order they were added. The
 * per-thread state is only an ordering hint; uniqueness comes from the
 * 62 random bits of rand_b.
 */
static _Thread_local uint64_t last_ms;
static _Thread_local uint16_t last_seq;

enum vigil_err
vigil_uuid7(char out[VIGIL_UUID_STRLEN])
{
	uint8_t b[16];
	uint64_t ms = (uint64_t)vigil_time_now_ms();
	uint16_t seq;

	out[0] = '\0';
	if (RAND_bytes(b + 6, 10) != 1)
		return VIGIL_EIO;
	if (ms <= last_ms) {
		/* Same millisecond (or the clock stepped back): count on
		 * from the last id; on counter overflow borrow the next
		 * millisecond rather than repeat or reorder. */
		ms = last_ms;
		seq = (uint16_t)(last_seq + 1);
		if (seq > 0x0fff) {
			ms++;
			seq = (uint16_t)(b[6] & 0x03); /* small random start */
		}
	} else {
		seq = (uint16_t)(((b[6] & 0x01) << 8) | b[7]); /* < 512 */
	}
	last_ms = ms;
	last_seq = seq;
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)(0x70 | (seq >> 8));  /* version 7 + rand_a high */
	b[7] = (uint8_t)(seq & 0xff);         /* rand_a low: the counter */
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* variant 10 */
	snprintf(out, VIGIL_UUID_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return VIGIL_OK;
}
