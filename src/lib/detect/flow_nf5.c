/*
 * NetFlow version 5 export packets (flow.h): a 24-byte header and up to
 * 30 fixed 48-byte records, the uptime-relative First/Last turned into
 * unix milliseconds with the header's sysUptime and unix time.
 */
#include <string.h>

#include "flow_nf_internal.h"

#define NF5_HDR 24u
#define NF5_REC 48u
#define NF5_MAX_COUNT 30u

enum vigil_err
nf5_decode(struct vigil_flow_templates *tmpl, uint32_t exporter,
    const uint8_t *pkt, size_t len, vigil_flow_cb cb, void *ctx,
    struct vigil_flow_stats *stats, char *err, size_t errsize)
{
	unsigned count;
	uint32_t uptime, seq;
	int64_t now_ms;
	struct vigil_flow f;

	if (len < NF5_HDR) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "NetFlow v5 header at offset 0: %zu bytes, need 24", len);
	}
	count = nf_get16(pkt + 2);
	if (count > NF5_MAX_COUNT) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "NetFlow v5 header at offset 2: count %u is more than 30",
		    count);
	}
	if (len != NF5_HDR + (size_t)count * NF5_REC) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "NetFlow v5 header at offset 2: count %u needs %zu bytes, "
		    "packet has %zu", count, NF5_HDR + (size_t)count * NF5_REC,
		    len);
	}
	uptime = nf_get32(pkt + 4);
	now_ms = (int64_t)nf_get32(pkt + 8) * 1000 +
	    nf_get32(pkt + 12) / 1000000;
	seq = nf_get32(pkt + 16);
	if (tmpl != NULL) {
		/* engine type and id tell the exporter's engines apart */
		struct nf_domain *d = nf_domain_get(tmpl, exporter,
		    nf_get16(pkt + 20), 5);

		if (d != NULL) {
			nf_seq_check(d, seq, stats);
			d->next_seq = seq + count;
			d->have_seq = true;
		}
	}
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *r = pkt + NF5_HDR + (size_t)i * NF5_REC;

		nf_flow_zero(&f);
		f.family = 4;
		memcpy(f.src, r, 4);
		memcpy(f.dst, r + 4, 4);
		f.packets = nf_get32(r + 16);
		f.bytes = nf_get32(r + 20);
		/* signed difference: a First slightly after sysUptime is
		 * clock skew, not 49 days ago */
		f.start_ms = now_ms - (int32_t)(uptime - nf_get32(r + 24));
		f.end_ms = now_ms - (int32_t)(uptime - nf_get32(r + 28));
		if (f.end_ms < f.start_ms)
			f.end_ms = f.start_ms;
		f.sport = nf_get16(r + 32);
		f.dport = nf_get16(r + 34);
		f.tcp_flags = r[37];
		f.proto = r[38];
		f.exporter = exporter;
		stats->records++;
		if (cb != NULL && cb(ctx, &f) != 0)
			break;
	}
	return VIGIL_OK;
}
