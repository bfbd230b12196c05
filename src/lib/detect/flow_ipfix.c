/*
 * NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) export packets (flow.h),
 * and the entry point that tells them and v5 apart. Templates go to the
 * cache (flow_tmpl.c); data records are decoded through the template's
 * direct plan when it has one (fixed-length data templates), else its
 * precomputed field plan. Every length is checked before it is read;
 * a bad set ends the packet with its offset and id after the records
 * already delivered. Nothing is allocated per record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flow_nf_internal.h"

#define IPFIX_HDR 16u
#define NF9_HDR 20u
#define NTP_UNIX_OFFSET 2208988800ull
/* 9999-12-31T23:59:59.999Z: later times read are clamped, so that no
 * arithmetic on them can overflow */
#define MS_MAX 253402300799999ll

struct dec {
	struct vigil_flow_templates *t;
	uint32_t exporter, domain;
	uint8_t version;
	int64_t export_ms;
	uint32_t uptime;          /* v9 sysUptime */
	struct nf_domain *dom;
	vigil_flow_cb cb;
	void *ctx;
	struct vigil_flow_stats *stats;
	char *err;
	size_t errsize;
	const char *set;          /* "IPFIX set" / "NetFlow v9 flowset" */
	uint32_t nrec;            /* data records, for IPFIX sequences */
	bool seq_lost, stop;
};

/* Values of one record by target; have says which were present. */
struct rec {
	uint32_t have;
	uint64_t v[NF_T_SYSINIT + 1];
};

#define HAVE(r, tg) (((r)->have >> (tg)) & 1u)
/* v[] is not cleared per record (speed): read it only through this */
#define VAL(r, tg) (HAVE(r, tg) ? (r)->v[tg] : 0)

static inline void
apply(uint8_t target, const uint8_t *p, uint16_t len, struct vigil_flow *f,
    struct rec *r)
{
	switch (target) {
	case NF_T_SRC4:
		memcpy(f->src, p, 4);
		break;
	case NF_T_DST4:
		memcpy(f->dst, p, 4);
		break;
	case NF_T_SRC6:
		memcpy(f->src, p, 16);
		break;
	case NF_T_DST6:
		memcpy(f->dst, p, 16);
		break;
	default:
		r->v[target] = nf_getn(p, len);
		break;
	}
	r->have |= 1u << target;
}

static int64_t
ntp_ms(uint64_t v)
{
	uint64_t sec = v >> 32, frac = v & 0xffffffffu;

	if (sec < NTP_UNIX_OFFSET)
		return 0;
	return (int64_t)((sec - NTP_UNIX_OFFSET) * 1000 +
	    ((frac * 1000) >> 32));
}

/* The uptime-relative 21/22 as unix ms: v9 with its header's
 * sysUptime, IPFIX with the exporter's systemInitTimeMilliseconds when
 * its options data told it, else relative to the export time (through
 * the record's flowEndSysUpTime when it has one: last, have_last). */
static int64_t
uptime_ms(const struct dec *d, bool have_last, uint64_t last, uint64_t v)
{
	if (d->version == 9)
		return d->export_ms - (int32_t)(d->uptime - (uint32_t)v);
	if (d->dom != NULL && d->dom->have_init) {
		/* the 32-bit uptime wraps every 49.7 days: take the
		 * reading nearest the export time, as v9 does */
		int64_t ago = d->export_ms - (d->dom->sysinit_ms + (int64_t)v);

		return d->export_ms - (int32_t)(uint32_t)ago;
	}
	if (have_last)
		return d->export_ms - (int64_t)(last - v);
	return d->export_ms;
}

/* A time field's value v as unix ms, by its target. */
static int64_t
time_ms(const struct dec *d, uint8_t target, uint64_t v, bool have_last,
    uint64_t last)
{
	switch (target) {
	case NF_T_START_MS:
	case NF_T_END_MS:
		return v > (uint64_t)MS_MAX ? MS_MAX : (int64_t)v;
	case NF_T_START_S:
	case NF_T_END_S:
		return (int64_t)v * 1000;
	case NF_T_START_US:
	case NF_T_END_US:
	case NF_T_START_NS:
	case NF_T_END_NS:
		return ntp_ms(v);
	default:                    /* NF_T_UP_FIRST, NF_T_UP_LAST */
		return uptime_ms(d, have_last, last, v);
	}
}

static bool
pick_time(const struct dec *d, const struct rec *r, int start, int64_t *out)
{
	static const uint8_t order[2][5] = {
		{ NF_T_END_MS, NF_T_END_S, NF_T_END_US, NF_T_END_NS,
		    NF_T_UP_LAST },
		{ NF_T_START_MS, NF_T_START_S, NF_T_START_US, NF_T_START_NS,
		    NF_T_UP_FIRST },
	};

	for (size_t i = 0; i < sizeof order[0]; i++) {
		uint8_t t = order[start != 0][i];

		if (HAVE(r, t)) {
			*out = time_ms(d, t, r->v[t], HAVE(r, NF_T_UP_LAST),
			    VAL(r, NF_T_UP_LAST));
			return true;
		}
	}
	return false;
}

/* Completes a decoded flow's times (hs, he: whether the record had a
 * start and an end) and hands it over. */
static void
finish(struct dec *d, struct vigil_flow *f, bool hs, bool he)
{
	if (!hs && !he)
		f->start_ms = f->end_ms = d->export_ms;
	else if (!hs)
		f->start_ms = f->end_ms;
	else if (!he)
		f->end_ms = f->start_ms;
	if (f->end_ms < f->start_ms)
		f->end_ms = f->start_ms;
	f->exporter = d->exporter;
	d->stats->records++;
	if (d->cb != NULL && d->cb(d->ctx, f) != 0)
		d->stop = true;
}

/* Completes a data record decoded through the field plan. */
static void
deliver(struct dec *d, struct vigil_flow *f, const struct rec *r)
{
	bool hs, he;

	if (HAVE(r, NF_T_SRC6) || HAVE(r, NF_T_DST6))
		f->family = 6;
	else if (HAVE(r, NF_T_SRC4) || HAVE(r, NF_T_DST4))
		f->family = 4;
	else {
		d->stats->skipped++;    /* not an IP flow (L2, MPLS...) */
		return;
	}
	f->bytes = HAVE(r, NF_T_BYTES) ? r->v[NF_T_BYTES] :
	    HAVE(r, NF_T_TOTBYTES) ? r->v[NF_T_TOTBYTES] :
	    VAL(r, NF_T_POSTBYTES);
	f->packets = HAVE(r, NF_T_PKTS) ? r->v[NF_T_PKTS] :
	    HAVE(r, NF_T_TOTPKTS) ? r->v[NF_T_TOTPKTS] :
	    VAL(r, NF_T_POSTPKTS);
	f->proto = (uint8_t)VAL(r, NF_T_PROTO);
	f->tcp_flags = (uint8_t)VAL(r, NF_T_TCPFLAGS);
	f->sport = (uint16_t)VAL(r, NF_T_SPORT);
	f->dport = (uint16_t)VAL(r, NF_T_DPORT);
	if (f->proto == 1 || f->proto == 58) {
		uint8_t ic = f->proto == 1 ? NF_T_ICMP4 : NF_T_ICMP6;

		if (HAVE(r, ic)) {
			f->dport = (uint16_t)r->v[ic];
			f->sport = 0;
		}
	}
	hs = pick_time(d, r, 1, &f->start_ms);
	he = pick_time(d, r, 0, &f->end_ms);
	finish(d, f, hs, he);
}

/* A field of a direct plan (0 when absent): counters of any length
 * 1..8, and those whose length the template cache fixed (ie_target):
 * 1 byte (protocol), 2 (ports, ICMP type), 4 or 8 (times). */
static inline uint64_t
dval(const uint8_t *rec, struct nf_dfield x)
{
	return x.len != 0 ? nf_getn(rec + x.off, x.len) : 0;
}

static inline uint64_t
dval8(const uint8_t *rec, struct nf_dfield x)
{
	return x.len != 0 ? rec[x.off] : 0;
}

static inline uint64_t
dval16(const uint8_t *rec, struct nf_dfield x)
{
	return x.len != 0 ? nf_get16(rec + x.off) : 0;
}

static inline uint64_t
dtime(const uint8_t *rec, struct nf_dfield x)
{
	return x.len == 8 ? nf_getn(rec + x.off, 8) : nf_get32(rec + x.off);
}

/* Decodes and hands over one record of a compiled template: the same
 * flow deliver makes of it through the plan. */
static void
deliver_direct(struct dec *d, const struct nf_direct *x,
    const uint8_t *rec)
{
	struct vigil_flow f;
	struct nf_dfield ic;
	uint64_t last;

	if (x->family == 0) {
		d->stats->skipped++;    /* not an IP flow (L2, MPLS...) */
		return;
	}
	nf_flow_zero(&f);
	f.family = x->family;
	/* Fixed lengths, so that each copy is one or two moves. */
	if (x->family == 4) {
		if (x->src.len != 0)
			memcpy(f.src, rec + x->src.off, 4);
		if (x->dst.len != 0)
			memcpy(f.dst, rec + x->dst.off, 4);
	} else {
		if (x->src.len != 0)
			memcpy(f.src, rec + x->src.off, 16);
		if (x->dst.len != 0)
			memcpy(f.dst, rec + x->dst.off, 16);
	}
	f.bytes = dval(rec, x->bytes);
	f.packets = dval(rec, x->pkts);
	f.proto = (uint8_t)dval8(rec, x->proto);
	f.tcp_flags = (uint8_t)dval(rec, x->flags);
	f.sport = (uint16_t)dval16(rec, x->sport);
	f.dport = (uint16_t)dval16(rec, x->dport);
	ic = f.proto == 1 ? x->icmp4 : f.proto == 58 ? x->icmp6 :
	    (struct nf_dfield){ 0, 0 };
	if (ic.len != 0) {
		f.dport = (uint16_t)dval16(rec, ic);
		f.sport = 0;
	}
	last = x->up_last.len != 0 ? nf_get32(rec + x->up_last.off) : 0;
	if (x->start_t != NF_T_NONE)
		f.start_ms = time_ms(d, x->start_t, dtime(rec, x->start),
		    x->up_last.len != 0, last);
	if (x->end_t != NF_T_NONE)
		f.end_ms = time_ms(d, x->end_t, dtime(rec, x->end),
		    x->up_last.len != 0, last);
	finish(d, &f, x->start_t != NF_T_NONE, x->end_t != NF_T_NONE);
}

static enum vigil_err set_err(struct dec *d, uint16_t sid, size_t off,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "IPFIX set 2 at offset 36: " + what went wrong there. */
static enum vigil_err
set_err(struct dec *d, uint16_t sid, size_t off, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return vigil_seterr(d->err, d->errsize, VIGIL_EINVAL,
	    "%s %u at offset %zu: %s", d->set, (unsigned)sid, off, msg);
}

/* Learns the template records of one template / options template set
 * (IPFIX 2/3, v9 0/1). off is the set's offset in the packet. */
static enum vigil_err
template_set(struct dec *d, uint16_t sid, size_t off, const uint8_t *b,
    size_t blen, int64_t now_ms)
{
	uint16_t ies[NF_MAX_FIELDS], lens[NF_MAX_FIELDS];
	bool ent[NF_MAX_FIELDS];
	bool options = d->version == 10 ? sid == 3 : sid == 1;
	size_t p = 0;
	char lerr[160];
	enum vigil_err e;

	while (blen - p >= 4) {
		uint16_t tid = nf_get16(b + p), fc = nf_get16(b + p + 2);
		size_t roff = off + 4 + p;
		size_t k;

		if (tid == 0) {
			/* zero padding ends the set (RFC 7011 §3.3.1) */
			for (k = p; k < blen && b[k] == 0; k++)
				;
			if (k == blen)
				break;
		}
		if (d->version == 9 && options) {
			/* v9: scope and option lengths in bytes */
			uint16_t sl, ol;

			if (blen - p < 6)
				break;      /* padding */
			sl = fc;
			ol = nf_get16(b + p + 4);
			if (sl % 4 != 0 || ol % 4 != 0 || sl + ol == 0)
				return set_err(d, sid, roff, "options template "
				    "%u: scope/option lengths are not whole "
				    "fields (%u)", tid, (unsigned)sl + ol);
			fc = (uint16_t)((sl + ol) / 4);
			p += 6;
		} else {
			p += 4;
			if (fc == 0) {
				if (d->version == 9)
					return set_err(d, sid, roff,
					    "template %u has no fields", tid);
				if (tid != 2 && tid != 3 && tid < 256)
					return set_err(d, sid, roff,
					    "withdrawal of reserved template "
					    "id %u", tid);
				nf_tmpl_withdraw(d->t, d->exporter, d->domain,
				    tid, d->stats);
				continue;
			}
			if (options && d->version == 10) {
				uint16_t sc;

				if (blen - p < 2)
					return set_err(d, sid, roff,
					    "options template %u is cut "
					    "short", tid);
				sc = nf_get16(b + p);
				p += 2;
				if (sc == 0 || sc > fc)
					return set_err(d, sid, roff,
					    "options template scope field "
					    "count %u is not in 1..%u", sc,
					    fc);
			}
		}
		if (tid < 256)
			return set_err(d, sid, roff,
			    "template id %u is reserved (below 256)", tid);
		if (fc > NF_MAX_FIELDS)
			return set_err(d, sid, roff, "template %u declares %u "
			    "fields, more than 512", tid, fc);
		for (unsigned i = 0; i < fc; i++) {
			uint16_t ie;

			if (blen - p < 4)
				return set_err(d, sid, roff, "template %u "
				    "declares %u fields, more than its set "
				    "holds", tid, fc);
			ie = nf_get16(b + p);
			lens[i] = nf_get16(b + p + 2);
			p += 4;
			ent[i] = d->version == 10 && (ie & 0x8000u) != 0;
			ies[i] = d->version == 10 ? (uint16_t)(ie & 0x7fffu) :
			    ie;
			if (d->version == 9 && lens[i] == NF_VARLEN)
				return set_err(d, sid, roff, "template %u "
				    "field %u has length 65535", tid, i);
			if (ent[i]) {
				/* enterprise number: fields are skipped */
				if (blen - p < 4)
					return set_err(d, sid, roff,
					    "template %u declares %u fields, "
					    "more than its set holds", tid,
					    fc);
				p += 4;
			}
		}
		lerr[0] = '\0';
		e = nf_tmpl_learn(d->t, d->exporter, d->domain, tid,
		    d->version, options, fc, ies, lens, ent, now_ms, d->stats,
		    lerr, sizeof lerr);
		if (e != VIGIL_OK)
			return vigil_seterr(d->err, d->errsize, e,
			    "%s %u at offset %zu: %s", d->set, (unsigned)sid,
			    roff, lerr);
	}
	return VIGIL_OK;
}

/* Reads one variable-layout record at b[*p]; false when it overruns. */
static bool
walk_record(const struct nf_tmpl *m, const uint8_t *b, size_t blen,
    size_t *p, struct vigil_flow *f, struct rec *r)
{
	size_t q = *p;

	for (unsigned i = 0; i < m->nfields; i++) {
		size_t flen = m->fields[i].len;

		if (flen == NF_VARLEN) {
			/* RFC 7011 §7: 1 length byte, or 255 + 2 bytes */
			if (q >= blen)
				return false;
			flen = b[q++];
			if (flen == 255) {
				if (blen - q < 2)
					return false;
				flen = nf_get16(b + q);
				q += 2;
			}
		}
		if (flen > blen - q)
			return false;
		if (m->fields[i].target != NF_T_NONE)
			apply(m->fields[i].target, b + q,
			    (uint16_t)flen, f, r);
		q += flen;
	}
	*p = q;
	return true;
}

static enum vigil_err
data_set(struct dec *d, uint16_t sid, size_t off, const uint8_t *b,
    size_t blen)
{
	const struct nf_tmpl *m = nf_tmpl_find(d->t, d->exporter, d->domain,
	    sid, d->version);
	struct vigil_flow f;
	struct rec r;
	size_t p = 0;
	unsigned n = 0;

	if (m == NULL) {
		d->stats->no_template++;
		d->seq_lost = true;     /* its record count is unknown */
		return VIGIL_OK;
	}
	if (m->direct.ok) {
		for (; !d->stop && blen - p >= m->min_len; p += m->min_len) {
			d->nrec++;
			deliver_direct(d, &m->direct, b + p);
		}
		return VIGIL_OK;
	}
	while (!d->stop && blen - p >= m->min_len) {
		nf_flow_zero(&f);
		r.have = 0;
		if (!m->varlen) {
			const uint8_t *rec = b + p;

			for (unsigned i = 0; i < m->nplan; i++)
				apply(m->plan[i].target, rec + m->plan[i].off,
				    m->plan[i].len, &f, &r);
			p += m->min_len;
		} else if (!walk_record(m, b, blen, &p, &f, &r)) {
			d->seq_lost = true;
			return set_err(d, sid, off + 4 + p, "record %u "
			    "overruns the set (%u bytes)", n,
			    (unsigned)(blen + 4));
		}
		n++;
		d->nrec++;
		if (m->options) {
			if (HAVE(&r, NF_T_SYSINIT) && d->dom != NULL) {
				uint64_t si = r.v[NF_T_SYSINIT];

				d->dom->sysinit_ms = si > (uint64_t)MS_MAX ?
				    MS_MAX : (int64_t)si;
				d->dom->have_init = true;
			}
			d->stats->skipped++;
			continue;
		}
		deliver(d, &f, &r);
	}
	return VIGIL_OK;
}

static enum vigil_err
sets(struct dec *d, const uint8_t *pkt, size_t len, size_t off,
    int64_t now_ms)
{
	uint16_t tset = d->version == 10 ? 2 : 0;
	uint16_t oset = d->version == 10 ? 3 : 1;
	enum vigil_err e = VIGIL_OK;

	while (off < len && !d->stop) {
		uint16_t sid, slen;

		if (len - off < 4)
			return vigil_seterr(d->err, d->errsize, VIGIL_EINVAL,
			    "%s header at offset %zu: %zu bytes left, "
			    "need 4", d->set, off, len - off);
		sid = nf_get16(pkt + off);
		slen = nf_get16(pkt + off + 2);
		if (slen < 4)
			return set_err(d, sid, off, "length %u is shorter "
			    "than its header", slen);
		if (slen > len - off)
			return set_err(d, sid, off, "length %u overruns the "
			    "packet (%u bytes left)", slen,
			    (unsigned)(len - off));
		if (sid == tset || sid == oset)
			e = template_set(d, sid, off, pkt + off + 4,
			    slen - 4u, now_ms);
		else if (sid >= 256)
			e = data_set(d, sid, off, pkt + off + 4, slen - 4u);
		else
			d->stats->skipped++;   /* reserved set ids */
		if (e != VIGIL_OK)
			return e;
		off += slen;
	}
	return VIGIL_OK;
}

static enum vigil_err
decode_tmpl(struct vigil_flow_templates *t, uint32_t exporter,
    const uint8_t *pkt, size_t len, int64_t now_ms, vigil_flow_cb cb,
    void *ctx, struct vigil_flow_stats *stats, char *err, size_t errsize,
    uint8_t version)
{
	struct dec d;
	uint32_t seq;
	enum vigil_err e;
	size_t hdr = version == 10 ? IPFIX_HDR : NF9_HDR;

	memset(&d, 0, sizeof d);
	d.set = version == 10 ? "IPFIX set" : "NetFlow v9 flowset";
	if (len < hdr)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s header at offset 0: %zu bytes, need %zu",
		    version == 10 ? "IPFIX" : "NetFlow v9", len, hdr);
	if (version == 10) {
		unsigned mlen = nf_get16(pkt + 2);

		if (mlen != len)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "IPFIX header at offset 2: length %u disagrees "
			    "with the %zu bytes received", mlen, len);
		d.export_ms = (int64_t)nf_get32(pkt + 4) * 1000;
		seq = nf_get32(pkt + 8);
		d.domain = nf_get32(pkt + 12);
	} else {
		d.uptime = nf_get32(pkt + 4);
		d.export_ms = (int64_t)nf_get32(pkt + 8) * 1000;
		seq = nf_get32(pkt + 12);
		d.domain = nf_get32(pkt + 16);
	}
	d.t = t;
	d.exporter = exporter;
	d.version = version;
	d.cb = cb;
	d.ctx = ctx;
	d.stats = stats;
	d.err = err;
	d.errsize = errsize;
	nf_tmpl_expire(t, now_ms, stats);
	d.dom = nf_domain_get(t, exporter, d.domain, version);
	if (d.dom != NULL)
		nf_seq_check(d.dom, seq, stats);
	e = sets(&d, pkt, len, hdr, now_ms);
	if (d.dom != NULL) {
		/* v9 counts packets, IPFIX data records (RFC 7011 §3.1) */
		d.dom->next_seq = version == 9 ? seq + 1 : seq + d.nrec;
		d.dom->have_seq = version == 9 ||
		    (e == VIGIL_OK && !d.seq_lost && !d.stop);
	}
	return e;
}

enum vigil_err
vigil_flowpkt_decode(struct vigil_flow_templates *tmpl, uint32_t exporter,
    const uint8_t *pkt, size_t len, int64_t now_ms, vigil_flow_cb cb,
    void *ctx, struct vigil_flow_stats *stats, char *err, size_t errsize)
{
	struct vigil_flow_stats dummy;
	enum vigil_err e;
	unsigned version;

	if (stats == NULL) {
		memset(&dummy, 0, sizeof dummy);
		stats = &dummy;
	}
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	stats->packets++;
	if (pkt == NULL || len < 2) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "export packet at offset 0: %zu bytes, too short for a "
		    "version", pkt == NULL ? 0 : len);
	}
	if (len > VIGIL_FLOWPKT_MAX) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "export packet: %zu bytes, more than 65535", len);
	}
	version = nf_get16(pkt);
	if (version == 5)
		return nf5_decode(tmpl, exporter, pkt, len, cb, ctx, stats,
		    err, errsize);
	if (version != 9 && version != 10) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "export packet at offset 0: version %u is not 5, 9 or "
		    "10", version);
	}
	if (tmpl == NULL) {
		stats->malformed++;
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "NetFlow v%u needs a template cache", version);
	}
	e = decode_tmpl(tmpl, exporter, pkt, len, now_ms, cb, ctx, stats,
	    err, errsize, (uint8_t)version);
	if (e != VIGIL_OK)
		stats->malformed++;
	return e;
}

long
vigil_ipfix_msg_len(const uint8_t *buf, size_t len)
{
	unsigned mlen;

	if (buf == NULL || len < 4)
		return 0;
	if (nf_get16(buf) != 10)
		return -1;
	mlen = nf_get16(buf + 2);
	if (mlen < IPFIX_HDR)
		return -1;
	return (long)mlen;
}
