/*
 * flow_nf_internal.h — what the NetFlow v5/v9 and IPFIX decoders share
 * inside libvigil: the template cache's records (flow_tmpl.c) with their
 * precomputed field plans, the per-exporter-domain state (sequence
 * numbers, system init time), and the v5 decoder's entry point.
 */
#ifndef VIGIL_FLOW_NF_INTERNAL_H
#define VIGIL_FLOW_NF_INTERNAL_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vigil/flow.h"

/* What a template field means to us; NF_T_NONE fields are only
 * stepped over. Decoding switches on this, never on the IE number. */
enum nf_target {
	NF_T_NONE = 0,
	NF_T_BYTES, NF_T_PKTS, NF_T_TOTBYTES, NF_T_TOTPKTS,
	NF_T_POSTBYTES, NF_T_POSTPKTS,
	NF_T_PROTO, NF_T_TCPFLAGS, NF_T_SPORT, NF_T_DPORT,
	NF_T_SRC4, NF_T_DST4, NF_T_SRC6, NF_T_DST6,
	NF_T_UP_LAST, NF_T_UP_FIRST,          /* 21/22: uptime ms */
	NF_T_START_S, NF_T_END_S, NF_T_START_MS, NF_T_END_MS,
	NF_T_START_US, NF_T_END_US, NF_T_START_NS, NF_T_END_NS,
	NF_T_ICMP4, NF_T_ICMP6,
	NF_T_SYSINIT,                         /* 160, options data only */
};

#define NF_VARLEN 0xffffu
#define NF_MAX_FIELDS 512u

struct nf_field {
	uint16_t len;    /* NF_VARLEN for variable-length fields */
	uint8_t target;
};

/* A field of interest at a fixed offset (templates without varlen). */
struct nf_plan {
	uint16_t off;
	uint16_t len;
	uint8_t target;
};

/* One field of a direct plan: its offset and length (len 0: absent). */
struct nf_dfield {
	uint16_t off;
	uint16_t len;
};

/*
 * A fixed-length data template compiled to where each part of a flow
 * is read (flow_tmpl.c), so that decoding a record is straight-line
 * loads instead of a switch per field and a search for which of the
 * fields that can say the same thing (bytes, times) is there. It says
 * exactly what the field plan says: where a field appears twice the
 * last one counts, as when the plan is applied in order; templates it
 * cannot say as simply (IPv4 and IPv6 addresses together,
 * variable-length fields, options) are not compiled (ok false) and go
 * through the plan.
 */
struct nf_direct {
	bool ok;
	uint8_t family;              /* 4, 6; 0: no address (skipped) */
	uint8_t start_t, end_t;      /* the time fields' targets, NF_T_NONE
				      * when absent */
	struct nf_dfield src, dst;   /* addresses: len 4 or 16 */
	struct nf_dfield bytes, pkts, proto, flags, sport, dport;
	struct nf_dfield icmp4, icmp6, start, end, up_last;
};

struct nf_tmpl {
	uint32_t exporter, domain;
	uint16_t tid;
	uint8_t version;      /* 9 or 10 */
	bool options;
	bool varlen;
	uint16_t nfields, nplan;
	uint32_t min_len;     /* record length (fixed) or its minimum */
	int64_t refreshed_ms;
	struct nf_field *fields;
	struct nf_plan *plan;
	struct nf_direct direct;
	struct nf_tmpl *hnext;         /* hash chain */
	struct nf_tmpl *older, *newer; /* age list, oldest at head */
};

/* Per (exporter, domain, version): sequence tracking and, for IPFIX,
 * the exporter's systemInitTimeMilliseconds from options data. */
struct nf_domain {
	uint32_t exporter, domain;
	uint8_t version;
	bool have_seq, have_init;
	uint32_t next_seq;
	int64_t sysinit_ms;
	struct nf_domain *hnext;
	struct nf_domain *older, *newer;
};

struct vigil_flow_templates {
	size_t max, count;
	int64_t ttl_ms;
	size_t nbuckets;               /* power of two */
	struct nf_tmpl **buckets;
	struct nf_tmpl *oldest, *newest;
	size_t dmax, dcount;
	struct nf_domain **dbuckets;
	struct nf_domain *doldest, *dnewest;
};

/* Looks a template up (NULL when unknown). */
struct nf_tmpl *nf_tmpl_find(struct vigil_flow_templates *t,
    uint32_t exporter, uint32_t domain, uint16_t tid, uint8_t version);
/* Learns (or refreshes) a template from its field list: ies[i] is the
 * IE number without the enterprise bit, ent[i] whether it had one (such
 * fields are only stepped over), lens[i] its length or NF_VARLEN.
 * Returns VIGIL_OK, or VIGIL_ENOMEM / VIGIL_EINVAL with err. */
enum vigil_err nf_tmpl_learn(struct vigil_flow_templates *t,
    uint32_t exporter, uint32_t domain, uint16_t tid, uint8_t version,
    bool options, uint16_t nfields, const uint16_t *ies,
    const uint16_t *lens, const bool *ent, int64_t now_ms,
    struct vigil_flow_stats *stats, char *err, size_t errsize);
/* Withdraws one template, or (tid 2 / 3) every template / options
 * template of the domain (IPFIX). */
void nf_tmpl_withdraw(struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint16_t tid, struct vigil_flow_stats *stats);
/* Drops templates not refreshed within ttl_ms. */
void nf_tmpl_expire(struct vigil_flow_templates *t, int64_t now_ms,
    struct vigil_flow_stats *stats);
/* The domain state, created on first use; NULL on OOM. */
struct nf_domain *nf_domain_get(struct vigil_flow_templates *t,
    uint32_t exporter, uint32_t domain, uint8_t version);
/* Checks seq against the expected one and counts the gap. */
void nf_seq_check(struct nf_domain *d, uint32_t seq,
    struct vigil_flow_stats *stats);

enum vigil_err nf5_decode(struct vigil_flow_templates *tmpl,
    uint32_t exporter, const uint8_t *pkt, size_t len, vigil_flow_cb cb,
    void *ctx, struct vigil_flow_stats *stats, char *err, size_t errsize);

/* Zeroes a flow record with vector stores. A memset of its 104 bytes
 * compiles to `rep stosq`, whose start-up cost was a third of the time
 * spent decoding a record. */
static inline void
nf_flow_zero(struct vigil_flow *f)
{
	static const struct vigil_flow zero;

	*f = zero;
}

static inline uint16_t
nf_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
nf_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian unsigned of 1..8 bytes (reduced-size encoding). */
static inline uint64_t
nf_getn(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	/* The usual widths as one load each: this runs for every field
	 * of every record. */
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return nf_get16(p);
	case 4:
		return nf_get32(p);
	case 8:
		memcpy(&v, p, 8);
		return be64toh(v);
	default:
		for (unsigned i = 0; i < n; i++)
			v = v << 8 | p[i];
		return v;
	}
}

#endif
