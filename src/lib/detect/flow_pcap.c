/*
 * Flows from pcap files (flow.h): reads packets with libpcap offline,
 * decodes the link, IP and transport headers within the captured bytes,
 * folds packets into bidirectional 5-tuple flows, and delivers finished
 * flows in end-time order. The capture is outside data: every header is
 * bounded by the bytes captured and by the lengths it claims, and the
 * flow table and the queue of finished flows are bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "vigil/flow.h"

#define DEFAULT_IDLE_MS 60000
#define DEFAULT_MAX_FLOWS 1000000u
/* A closed TCP flow (FIN both ways or RST) stays this long in flow time
 * to absorb the last ACK and retransmissions, so they do not open a
 * second, bogus flow. */
#define LINGER_MS 2000
#define MAX_VLAN_TAGS 4
#define MAX_TS_S 100000000000LL /* the year 5138 */
#define MAX_V6_EXT 8

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* DLTs that older headers may not define. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* What one packet says, once decoded. */
struct pkt {
	uint8_t family, proto, flags;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t icmp_id;      /* echo identifier: pairs request and reply */
	bool icmp_echo;
	uint64_t bytes;        /* IP length */
	int64_t ms;
};

struct pflow {
	/* canonical key: (a, pa) <= (b, pb) */
	uint8_t family, proto;
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	/* the flow as delivered; src/sport is the originator */
	struct vigil_flow f;
	uint8_t rflags;
	bool closed;
	int64_t last_ms;
	uint64_t hash;
	struct pflow *hnext;          /* hash chain */
	struct pflow *older, *newer;  /* activity list, oldest first */
};

struct table {
	struct pflow **bucket;
	size_t nbucket, count, max;
	struct pflow *oldest, *newest;
	/* finished flows not yet safe to deliver: min-heap on end_ms */
	struct vigil_flow *heap;
	size_t nheap, capheap;
	int64_t idle_ms;
	vigil_flow_cb cb;
	void *ctx;
	struct vigil_flow_stats *st;
	bool stop;
	bool oom;
};

/* ---- the flow table ------------------------------------------------ */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
key_hash(const struct pflow *k)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, &k->family, 1);
	h = fnv(h, &k->proto, 1);
	h = fnv(h, k->a, 16);
	h = fnv(h, k->b, 16);
	h = fnv(h, &k->pa, 2);
	return fnv(h, &k->pb, 2);
}

static bool
key_eq(const struct pflow *x, const struct pflow *y)
{
	return x->family == y->family && x->proto == y->proto &&
	    x->pa == y->pa && x->pb == y->pb &&
	    memcmp(x->a, y->a, 16) == 0 && memcmp(x->b, y->b, 16) == 0;
}

static void
list_unlink(struct table *t, struct pflow *p)
{
	if (p->older != NULL)
		p->older->newer = p->newer;
	else
		t->oldest = p->newer;
	if (p->newer != NULL)
		p->newer->older = p->older;
	else
		t->newest = p->older;
	p->older = p->newer = NULL;
}

static void
list_append(struct table *t, struct pflow *p)
{
	p->older = t->newest;
	p->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = p;
	else
		t->oldest = p;
	t->newest = p;
}

static void
hash_unlink(struct table *t, struct pflow *p)
{
	struct pflow **pp = &t->bucket[p->hash & (t->nbucket - 1)];

	while (*pp != NULL && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp == p)
		*pp = p->hnext;
}

/* Doubles the buckets when the chains grow long; staying small is fine
 * when memory is short (only slower). */
static void
maybe_grow(struct table *t)
{
	struct pflow **nb;
	size_t n = t->nbucket * 2;

	if (t->count < t->nbucket || n > (size_t)1 << 24)
		return;
	if ((nb = calloc(n, sizeof(struct pflow *))) == NULL)
		return;
	for (size_t i = 0; i < t->nbucket; i++) {
		struct pflow *p = t->bucket[i], *next;

		for (; p != NULL; p = next) {
			next = p->hnext;
			p->hnext = nb[p->hash & (n - 1)];
			nb[p->hash & (n - 1)] = p;
		}
	}
	free(t->bucket);
	t->bucket = nb;
	t->nbucket = n;
}

/* ---- state and delivery ------------------------------------------- */

/* Zeek's conn_state from the flags each side sent. */
static void
derive_state(const struct pflow *p, char state[8])
{
	uint8_t o = p->f.tcp_flags, r = p->rflags;
	const char *s;

	if (p->proto != 6) {
		/* Zeek: one-sided UDP/ICMP is S0, answered is SF. */
		s = p->f.rpackets > 0 ? "SF" : "S0";
	} else if (!(o & TH_SYN) && !(r & TH_SYN)) {
		s = "OTH";
	} else if ((o & TH_SYN) && !(r & TH_SYN)) {
		if (r & TH_RST)
			s = "REJ";
		else if (o & TH_RST)
			s = "RSTOS0";
		else if (o & TH_FIN)
			s = "SH";
		else
			s = p->f.rpackets == 0 ? "S0" : "OTH";
	} else if (!(o & TH_SYN)) {
		s = (r & TH_RST) ? "RSTRH" : (r & TH_FIN) ? "SHR" : "OTH";
	} else if (o & TH_RST) {
		s = "RSTO";
	} else if (r & TH_RST) {
		s = "RSTR";
	} else if ((o & TH_FIN) && (r & TH_FIN)) {
		s = "SF";
	} else if (o & TH_FIN) {
		s = "S2";
	} else if (r & TH_FIN) {
		s = "S3";
	} else {
		s = "S1";
	}
	snprintf(state, 8, "%s", s);
}

static void
heap_swap(struct vigil_flow *h, size_t i, size_t j)
{
	struct vigil_flow tmp = h[i];

	h[i] = h[j];
	h[j] = tmp;
}

static void
deliver_top(struct table *t)
{
	struct vigil_flow top = t->heap[0];
	size_t i = 0;

	t->heap[0] = t->heap[--t->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->nheap && t->heap[l].end_ms < t->heap[m].end_ms)
			m = l;
		if (r < t->nheap && t->heap[r].end_ms < t->heap[m].end_ms)
			m = r;
		if (m == i)
			break;
		heap_swap(t->heap, i, m);
		i = m;
	}
	if (t->stop)
		return;
	t->st->records++;
	if (t->cb(t->ctx, &top) != 0)
		t->stop = true;
}

/* Delivers the finished flows that no live flow can end before: a live
 * flow ends at its last packet or later, so the oldest live activity is
 * the watermark. all: the file is done. */
static void
deliver_ready(struct table *t, bool all)
{
	while (t->nheap > 0 && !t->stop) {
		if (!all && t->oldest != NULL &&
		    t->heap[0].end_ms > t->oldest->last_ms &&
		    t->nheap <= t->max)
			break;
		deliver_top(t);
	}
}

/* Ends flow p: out of the table, into the queue of finished flows. */
static void
finish(struct table *t, struct pflow *p)
{
	size_t i;

	list_unlink(t, p);
	hash_unlink(t, p);
	t->count--;
	derive_state(p, p->f.state);
	if (t->nheap == t->capheap) {
		size_t n = t->capheap == 0 ? 1024 : t->capheap * 2;
		struct vigil_flow *h = realloc(t->heap, n * sizeof *h);

		if (h == NULL) {
			/* No room to wait: deliver now, out of order
			 * rather than lost. */
			t->oom = true;
			if (!t->stop) {
				t->st->records++;
				if (t->cb(t->ctx, &p->f) != 0)
					t->stop = true;
			}
			free(p);
			return;
		}
		t->heap = h;
		t->capheap = n;
	}
	i = t->nheap++;
	t->heap[i] = p->f;
	while (i > 0 && t->heap[(i - 1) / 2].end_ms > t->heap[i].end_ms) {
		heap_swap(t->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	free(p);
}

static void
expire(struct table *t, int64_t now)
{
	while (t->oldest != NULL) {
		struct pflow *p = t->oldest;
		int64_t keep = p->closed ? LINGER_MS : t->idle_ms;

		if (now - p->last_ms <= keep)
			break;
		finish(t, p);
	}
}

/* ---- one packet into the table ------------------------------------- */

static void
add_packet(struct table *t, const struct pkt *k)
{
	struct pflow key, *p;
	bool fwd_is_a;
	int c;

	memset(&key, 0, sizeof key);
	key.family = k->family;
	key.proto = k->proto;
	c = memcmp(k->src, k->dst, 16);
	fwd_is_a = c < 0 || (c == 0 && k->sport <= k->dport);
	if (k->proto == 1 || k->proto == 58) {
		/* ICMP: request and reply share the echo id; other
		 * types are one flow per address pair. */
		fwd_is_a = c <= 0;
		key.pa = key.pb = k->icmp_echo ? k->icmp_id : 0;
	} else {
		key.pa = fwd_is_a ? k->sport : k->dport;
		key.pb = fwd_is_a ? k->dport : k->sport;
	}
	memcpy(key.a, fwd_is_a ? k->src : k->dst, 16);
	memcpy(key.b, fwd_is_a ? k->dst : k->src, 16);
	key.hash = key_hash(&key);

	expire(t, k->ms);
	for (p = t->bucket[key.hash & (t->nbucket - 1)]; p != NULL;
	    p = p->hnext)
		if (p->hash == key.hash && key_eq(p, &key))
			break;
	/* A new SYN on a closed connection is a new connection. */
	if (p != NULL && p->closed && k->proto == 6 &&
	    (k->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		finish(t, p);
		p = NULL;
	}
	if (p == NULL) {
		bool flip;

		if (t->count >= t->max && t->oldest != NULL)
			finish(t, t->oldest);
		if ((p = calloc(1, sizeof *p)) == NULL) {
			t->oom = true;
			return;
		}
		*p = key;
		p->hnext = t->bucket[key.hash & (t->nbucket - 1)];
		t->bucket[key.hash & (t->nbucket - 1)] = p;
		t->count++;
		list_append(t, p);
		/* The originator is the first packet's sender, unless
		 * that packet is a SYN-ACK: then it is the SYN's. */
		flip = k->proto == 6 &&
		    (k->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
		p->f.family = k->family;
		p->f.proto = k->proto;
		memcpy(p->f.src, flip ? k->dst : k->src, 16);
		memcpy(p->f.dst, flip ? k->src : k->dst, 16);
		p->f.sport = flip ? k->dport : k->sport;
		p->f.dport = flip ? k->sport : k->dport;
		p->f.start_ms = p->f.end_ms = k->ms;
		p->last_ms = k->ms;
		maybe_grow(t);
	} else {
		list_unlink(t, p);
		list_append(t, p);
	}
	if (k->ms > p->last_ms)
		p->last_ms = k->ms;
	if (k->ms > p->f.end_ms)
		p->f.end_ms = k->ms;
	if (k->ms < p->f.start_ms)
		p->f.start_ms = k->ms;

	if (memcmp(k->src, p->f.src, 16) == 0 &&
	    ((k->proto == 1 || k->proto == 58) || k->sport == p->f.sport)) {
		p->f.packets++;
		p->f.bytes += k->bytes;
		p->f.tcp_flags |= k->flags;
	} else {
		p->f.rpackets++;
		p->f.rbytes += k->bytes;
		p->rflags |= k->flags;
	}
	if (k->proto == 6 && ((k->flags & TH_RST) ||
	    ((p->f.tcp_flags & TH_FIN) && (p->rflags & TH_FIN))))
		p->closed = true;
}

/* ---- decoding ------------------------------------------------------ */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Transport header at p (n bytes captured); false when too short. */
static bool
decode_l4(struct pkt *k, const uint8_t *p, size_t n)
{
	switch (k->proto) {
	case 6:
		if (n < 14)
			return false;
		k->sport = be16(p);
		k->dport = be16(p + 2);
		k->flags = p[13];
		return true;
	case 17:
	case 132: /* SCTP: ports at the same place */
		if (n < 4)
			return false;
		k->sport = be16(p);
		k->dport = be16(p + 2);
		return true;
	case 1:
	case 58:
		if (n < 2)
			return false;
		k->dport = (uint16_t)(p[0] << 8 | p[1]);
		/* echo request/reply, v4 (8/0) and v6 (128/129) */
		k->icmp_echo = (k->proto == 1 && (p[0] == 8 || p[0] == 0)) ||
		    (k->proto == 58 && (p[0] == 128 || p[0] == 129));
		if (k->icmp_echo && n >= 6)
			k->icmp_id = be16(p + 4);
		return true;
	default:
		return true; /* no ports */
	}
}

/* 1 decoded, 0 skipped safely (non-first fragment), -1 malformed. */
static int
decode_ip4(struct pkt *k, const uint8_t *p, size_t n)
{
	size_t ihl, tot;
	uint16_t frag;

	if (n < 20 || (p[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = be16(p + 2);
	if (ihl < 20 || ihl > n || tot < ihl)
		return -1;
	k->family = 4;
	k->proto = p[9];
	memcpy(k->src, p + 12, 4);
	memcpy(k->dst, p + 16, 4);
	k->bytes = tot;
	frag = be16(p + 6);
	if ((frag & 0x1fff) != 0)
		return 0; /* later fragments carry no ports */
	/* The transport header lies within both the capture and the
	 * IP length. */
	if (tot < n)
		n = tot;
	return decode_l4(k, p + ihl, n - ihl) ? 1 : -1;
}

static int
decode_ip6(struct pkt *k, const uint8_t *p, size_t n)
{
	size_t off = 40, plen;
	uint8_t nh;

	if (n < 40 || (p[0] >> 4) != 6)
		return -1;
	plen = be16(p + 4);
	k->family = 6;
	memcpy(k->src, p + 8, 16);
	memcpy(k->dst, p + 24, 16);
	/* plen 0 is a jumbogram (or TSO): count what was captured */
	k->bytes = plen == 0 ? n : 40 + plen;
	if (plen != 0 && 40 + plen < n)
		n = 40 + plen;
	nh = p[6];
	for (int i = 0; i < MAX_V6_EXT; i++) {
		size_t hl;

		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
			if (n - off < 8)
				return -1;
			hl = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51:  /* AH: length in 4-octet units minus 2 */
			if (n - off < 8)
				return -1;
			hl = ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44:  /* fragment */
			if (n - off < 8)
				return -1;
			if ((be16(p + off + 2) & 0xfff8) != 0) {
				k->proto = p[off];
				return 0;
			}
			hl = 8;
			break;
		default:
			k->proto = nh;
			return decode_l4(k, p + off, n - off) ? 1 : -1;
		}
		if (hl > n - off)
			return -1;
		nh = p[off];
		off += hl;
	}
	return -1; /* too many extension headers to believe */
}

/* The IP packet from a version nibble. */
static int
decode_ip(struct pkt *k, const uint8_t *p, size_t n)
{
	if (n < 1)
		return -1;
	if ((p[0] >> 4) == 4)
		return decode_ip4(k, p, n);
	if ((p[0] >> 4) == 6)
		return decode_ip6(k, p, n);
	return -1;
}

static int
decode_ethertype(struct pkt *k, uint16_t et, const uint8_t *p, size_t n)
{
	if (et == 0x0800)
		return decode_ip4(k, p, n);
	if (et == 0x86dd)
		return decode_ip6(k, p, n);
	return 0; /* ARP, LLDP, ...: not IP */
}

/* 1 decoded, 0 skipped (not IP, later fragment), -1 malformed. */
static int
decode(int dlt, struct pkt *k, const uint8_t *p, size_t n)
{
	switch (dlt) {
	case DLT_EN10MB: {
		size_t off = 12;
		uint16_t et;

		if (n < 14)
			return -1;
		et = be16(p + off);
		for (int i = 0; et == 0x8100 || et == 0x88a8 || et == 0x9100;
		    i++) {
			if (i == MAX_VLAN_TAGS || n - off < 6)
				return -1;
			off += 4;
			et = be16(p + off);
		}
		return decode_ethertype(k, et, p + off + 2, n - off - 2);
	}
	case DLT_LINUX_SLL:
		if (n < 16)
			return -1;
		return decode_ethertype(k, be16(p + 14), p + 16, n - 16);
	case DLT_LINUX_SLL2:
		if (n < 20)
			return -1;
		return decode_ethertype(k, be16(p), p + 20, n - 20);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return decode_ip(k, p, n);
	case DLT_NULL:
	case DLT_LOOP: {
		uint32_t fam;

		if (n < 4)
			return -1;
		/* DLT_NULL is in the writer's byte order: read both. */
		fam = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		if (fam > 0xffff)
			fam = (uint32_t)p[3] | (uint32_t)p[2] << 8;
		if (fam == 2 || fam == 24 || fam == 28 || fam == 30)
			return decode_ip(k, p + 4, n - 4);
		return 0;
	}
	default:
		return 0;
	}
}

static bool
dlt_known(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL ||
	    dlt == DLT_LINUX_SLL2 || dlt == DLT_RAW || dlt == DLT_IPV4 ||
	    dlt == DLT_IPV6 || dlt == DLT_NULL || dlt == DLT_LOOP;
}

enum vigil_err
vigil_pcap_flows(const char *path, int64_t idle_timeout_ms,
    size_t max_flows, vigil_flow_cb cb, void *ctx,
    struct vigil_flow_stats *stats, char *err, size_t errsize)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct vigil_flow_stats dummy;
	struct table t;
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *data;
	enum vigil_err rc = VIGIL_OK;
	int dlt, r;

	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (stats == NULL) {
		memset(&dummy, 0, sizeof dummy);
		stats = &dummy;
	}
	if (path == NULL || cb == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "no pcap file or no flow callback");
	pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (pc == NULL)
		return vigil_seterr(err, errsize, VIGIL_EIO, "%s: %s", path,
		    ebuf);
	dlt = pcap_datalink(pc);
	if (!dlt_known(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		pcap_close(pc);
		return vigil_seterr(err, errsize, VIGIL_EUNSUPPORTED,
		    "%s: link type %d (%s) is not Ethernet, Linux SLL, raw "
		    "IP or BSD loopback", path, dlt,
		    name != NULL ? name : "unknown");
	}

	memset(&t, 0, sizeof t);
	t.idle_ms = idle_timeout_ms > 0 ? idle_timeout_ms : DEFAULT_IDLE_MS;
	t.max = max_flows > 0 ? max_flows : DEFAULT_MAX_FLOWS;
	t.cb = cb;
	t.ctx = ctx;
	t.st = stats;
	t.nbucket = 4096;
	if ((t.bucket = calloc(t.nbucket, sizeof(struct pflow *))) == NULL) {
		pcap_close(pc);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "out of memory for the flow table");
	}

	while (!t.stop &&
	    (r = pcap_next_ex(pc, &h, &data)) != PCAP_ERROR_BREAK) {
		struct pkt k;
		int d;

		if (r == PCAP_ERROR) {
			/* A truncated last record: count it, keep the
			 * flows read so far. */
			stats->malformed++;
			break;
		}
		if (r != 1)
			continue;
		stats->packets++;
		/* pcapng can claim any 64-bit time: keep flow time in a
		 * range where milliseconds cannot overflow. */
		if (h->ts.tv_sec < 0 || h->ts.tv_sec > MAX_TS_S) {
			stats->malformed++;
			continue;
		}
		memset(&k, 0, sizeof k);
		k.ms = (int64_t)h->ts.tv_sec * 1000 + h->ts.tv_usec / 1000;
		d = decode(dlt, &k, data, h->caplen);
		if (d < 0) {
			stats->malformed++;
			continue;
		}
		if (d == 0) {
			stats->skipped++;
			continue;
		}
		add_packet(&t, &k);
		deliver_ready(&t, false);
	}
	while (t.oldest != NULL)
		finish(&t, t.oldest);
	deliver_ready(&t, true);
	if (t.oom)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "%s: out of memory: some packets were not counted",
		    path);
	free(t.heap);
	free(t.bucket);
	pcap_close(pc);
	return rc;
}
