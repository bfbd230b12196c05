/*
 * Fuzz target for the pcap flow builder (flow.h, vigil_pcap_flows): the
 * input is a whole capture file. The reader takes a path (libpcap
 * offline), so the input is written to a memory file that is opened by
 * its /proc/self/fd name: no disk I/O per input.
 *
 * Checks invariants, not just absence of crashes (ASan): every flow is
 * IPv4 or IPv6, ends no earlier than it starts and has a terminated
 * state; the flows hold no more packets than the file had; the
 * records counter is the number of flows delivered; a refusal says
 * why. A small flow table (MAX_FLOWS) makes the early-flush path run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vigil/flow.h"

#define MAX_FLOWS 16
#define IDLE_MS 30000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t flows, packets;
};

static int
check_flow(void *ctx, const struct vigil_flow *f)
{
	struct seen *s = ctx;

	if (f->family != 4 && f->family != 6)
		abort();
	if (f->end_ms < f->start_ms)
		abort();
	if (memchr(f->state, '\0', sizeof f->state) == NULL)
		abort();
	s->flows++;
	s->packets += f->packets + f->rpackets;
	return 0;
}

/* Replaces the memory file's contents with the input; 0 or -1. */
static int
fill(int fd, const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fd, 0) != 0)
		return -1;
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);

		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct vigil_flow_stats st;
	struct seen s = { 0, 0 };
	char err[256];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz_pcap", MFD_CLOEXEC)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (fill(fd, data, size) != 0)
		abort();
	memset(&st, 0, sizeof st);
	err[0] = '\0';
	if (vigil_pcap_flows(path, IDLE_MS, MAX_FLOWS, check_flow, &s, &st,
	    err, sizeof err) != VIGIL_OK) {
		if (err[0] == '\0')
			abort();
	}
	if (st.records != s.flows || s.packets > st.packets)
		abort();
	return 0;
}
