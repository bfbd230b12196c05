/*
 * Fuzz target for NetFlow v5/v9 and IPFIX export packets
 * (src/lib/detect/flow_*.c). One template cache lives across inputs, so
 * templates learned from an earlier input apply to later data. An input
 * that is several concatenated IPFIX messages (as over TCP or in a
 * file) is split with vigil_ipfix_msg_len; any other input is one
 * datagram.
 *
 * Checks: no crash or overread (ASan); a refusal has a reason; every
 * delivered flow is IPv4 or IPv6 and ends no earlier than it starts;
 * the cache stays within its bound.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vigil/flow.h"

#define MAX_TEMPLATES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check_flow(void *ctx, const struct vigil_flow *f)
{
	(void)ctx;
	if (f->family != 4 && f->family != 6)
		abort();
	if (f->end_ms < f->start_ms)
		abort();
	return 0;
}

static void
one(struct vigil_flow_templates *t, const uint8_t *p, size_t n, int64_t now)
{
	struct vigil_flow_stats st = { 0 };
	char err[256];

	err[0] = '\0';
	if (vigil_flowpkt_decode(t, 1, p, n, now, check_flow, NULL, &st, err,
	    sizeof err) != VIGIL_OK) {
		if (err[0] == '\0' || st.malformed != 1)
			abort();
	}
	if (st.packets != 1)
		abort();
	if (vigil_flow_templates_count(t) > MAX_TEMPLATES)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_flow_templates *t;
	static int64_t now;
	long m;

	if (t == NULL &&
	    vigil_flow_templates_new(MAX_TEMPLATES, 60000, &t) != VIGIL_OK)
		abort();
	now += 1000;
	m = vigil_ipfix_msg_len(data, size);
	if (m >= 16 && (size_t)m < size) {
		while (size > 0) {
			m = vigil_ipfix_msg_len(data, size);
			if (m < 16 || (size_t)m > size)
				break;
			one(t, data, (size_t)m, now);
			data += m;
			size -= (size_t)m;
		}
		return 0;
	}
	one(t, data, size, now);
	return 0;
}
