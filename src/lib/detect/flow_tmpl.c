/*
 * The IPFIX / NetFlow v9 template cache (flow.h): templates per
 * (exporter, domain, template id, version) in a hash table with an age
 * list, bounded in number (oldest dropped first) and in age (UDP
 * templates expire unless re-announced, RFC 7011 §8.4). Learning a
 * template precomputes its field plan so that decoding a record never
 * looks an IE up, and for a fixed-length data template its direct plan
 * (struct nf_direct), where each part of a flow is read. Also the
 * per-domain state: sequence numbers and the exporter's system init
 * time.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_nf_internal.h"

#define DOMAINS_MIN 64u

static size_t
tmpl_hash(const struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint16_t tid, uint8_t version)
{
	uint64_t h = exporter * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)domain * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)tid << 8 | version;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (t->nbuckets - 1);
}

enum vigil_err
vigil_flow_templates_new(size_t max_templates, int64_t ttl_ms,
    struct vigil_flow_templates **out)
{
	struct vigil_flow_templates *t;
	size_t n = 64;

	*out = NULL;
	if (max_templates == 0)
		max_templates = 4096;
	if (max_templates > (1u << 24))
		return VIGIL_ERANGE;
	while (n < max_templates)
		n <<= 1;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return VIGIL_ENOMEM;
	t->max = max_templates;
	t->ttl_ms = ttl_ms;
	t->nbuckets = n;
	t->dmax = max_templates < DOMAINS_MIN ? DOMAINS_MIN : max_templates;
	t->buckets = calloc(n, sizeof(struct nf_tmpl *));
	/* the domain table shares the bucket count: dmax <= n or 64 */
	t->dbuckets = calloc(n, sizeof(struct nf_domain *));
	if (t->buckets == NULL || t->dbuckets == NULL) {
		vigil_flow_templates_free(t);
		return VIGIL_ENOMEM;
	}
	*out = t;
	return VIGIL_OK;
}

void
vigil_flow_templates_free(struct vigil_flow_templates *t)
{
	if (t == NULL)
		return;
	for (struct nf_tmpl *m = t->oldest, *next; m != NULL; m = next) {
		next = m->newer;
		free(m);
	}
	for (struct nf_domain *d = t->doldest, *next; d != NULL; d = next) {
		next = d->newer;
		free(d);
	}
	free(t->buckets);
	free(t->dbuckets);
	free(t);
}

size_t
vigil_flow_templates_count(const struct vigil_flow_templates *t)
{
	return t == NULL ? 0 : t->count;
}

struct nf_tmpl *
nf_tmpl_find(struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint16_t tid, uint8_t version)
{
	struct nf_tmpl *m = t->buckets[tmpl_hash(t, exporter, domain, tid,
	    version)];

	for (; m != NULL; m = m->hnext)
		if (m->tid == tid && m->exporter == exporter &&
		    m->domain == domain && m->version == version)
			return m;
	return NULL;
}

static void
age_unlink(struct vigil_flow_templates *t, struct nf_tmpl *m)
{
	if (m->older != NULL)
		m->older->newer = m->newer;
	else
		t->oldest = m->newer;
	if (m->newer != NULL)
		m->newer->older = m->older;
	else
		t->newest = m->older;
	m->older = m->newer = NULL;
}

static void
age_append(struct vigil_flow_templates *t, struct nf_tmpl *m)
{
	m->older = t->newest;
	m->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = m;
	else
		t->oldest = m;
	t->newest = m;
}

static void
tmpl_remove(struct vigil_flow_templates *t, struct nf_tmpl *m)
{
	struct nf_tmpl **pp = &t->buckets[tmpl_hash(t, m->exporter,
	    m->domain, m->tid, m->version)];

	while (*pp != NULL && *pp != m)
		pp = &(*pp)->hnext;
	if (*pp == m)
		*pp = m->hnext;
	age_unlink(t, m);
	t->count--;
	free(m);
}

/* The meaning of a non-enterprise IE at this length; fields of an
 * unexpected length are only stepped over. */
static uint8_t
ie_target(uint16_t ie, uint16_t len, bool options)
{
	bool cnt = len >= 1 && len <= 8;

	if (options)
		return ie == 160 && len == 8 ? NF_T_SYSINIT : NF_T_NONE;
	switch (ie) {
	case 1: return cnt ? NF_T_BYTES : NF_T_NONE;
	case 2: return cnt ? NF_T_PKTS : NF_T_NONE;
	case 85: return cnt ? NF_T_TOTBYTES : NF_T_NONE;
	case 86: return cnt ? NF_T_TOTPKTS : NF_T_NONE;
	case 23: return cnt ? NF_T_POSTBYTES : NF_T_NONE;
	case 24: return cnt ? NF_T_POSTPKTS : NF_T_NONE;
	case 4: return len == 1 ? NF_T_PROTO : NF_T_NONE;
	case 6: return len == 1 || len == 2 ? NF_T_TCPFLAGS : NF_T_NONE;
	case 7: return len == 2 ? NF_T_SPORT : NF_T_NONE;
	case 11: return len == 2 ? NF_T_DPORT : NF_T_NONE;
	case 8: return len == 4 ? NF_T_SRC4 : NF_T_NONE;
	case 12: return len == 4 ? NF_T_DST4 : NF_T_NONE;
	case 27: return len == 16 ? NF_T_SRC6 : NF_T_NONE;
	case 28: return len == 16 ? NF_T_DST6 : NF_T_NONE;
	case 21: return len == 4 ? NF_T_UP_LAST : NF_T_NONE;
	case 22: return len == 4 ? NF_T_UP_FIRST : NF_T_NONE;
	case 150: return len == 4 ? NF_T_START_S : NF_T_NONE;
	case 151: return len == 4 ? NF_T_END_S : NF_T_NONE;
	case 152: return len == 8 ? NF_T_START_MS : NF_T_NONE;
	case 153: return len == 8 ? NF_T_END_MS : NF_T_NONE;
	case 154: return len == 8 ? NF_T_START_US : NF_T_NONE;
	case 155: return len == 8 ? NF_T_END_US : NF_T_NONE;
	case 156: return len == 8 ? NF_T_START_NS : NF_T_NONE;
	case 157: return len == 8 ? NF_T_END_NS : NF_T_NONE;
	case 32: return len == 2 ? NF_T_ICMP4 : NF_T_NONE;
	case 139: return len == 2 ? NF_T_ICMP6 : NF_T_NONE;
	default: return NF_T_NONE;
	}
}

/* The first of the fields that say the same thing, in the order the
 * plan's reader prefers them; len 0 when none is there. */
static struct nf_dfield
first_of(const struct nf_dfield *at, const uint8_t *order, size_t n,
    uint8_t *which)
{
	for (size_t i = 0; i < n; i++)
		if (at[order[i]].len != 0) {
			if (which != NULL)
				*which = order[i];
			return at[order[i]];
		}
	if (which != NULL)
		*which = NF_T_NONE;
	return (struct nf_dfield){ 0, 0 };
}

/* Compiles a fixed-length data template's plan to its direct form
 * (struct nf_direct); leaves ok false when it cannot. */
static void
direct_compile(struct nf_tmpl *m)
{
	static const uint8_t bytes[] = { NF_T_BYTES, NF_T_TOTBYTES,
	    NF_T_POSTBYTES };
	static const uint8_t pkts[] = { NF_T_PKTS, NF_T_TOTPKTS,
	    NF_T_POSTPKTS };
	static const uint8_t start[] = { NF_T_START_MS, NF_T_START_S,
	    NF_T_START_US, NF_T_START_NS, NF_T_UP_FIRST };
	static const uint8_t end[] = { NF_T_END_MS, NF_T_END_S,
	    NF_T_END_US, NF_T_END_NS, NF_T_UP_LAST };
	struct nf_dfield at[NF_T_SYSINIT + 1];
	struct nf_direct *x = &m->direct;
	bool v4, v6;

	memset(x, 0, sizeof *x);
	if (m->varlen || m->options)
		return;
	memset(at, 0, sizeof at);
	/* In order: a later field of the same meaning replaces an earlier
	 * one, as applying the plan does. */
	for (uint16_t i = 0; i < m->nplan; i++)
		at[m->plan[i].target] = (struct nf_dfield){ m->plan[i].off,
		    m->plan[i].len };
	v4 = at[NF_T_SRC4].len != 0 || at[NF_T_DST4].len != 0;
	v6 = at[NF_T_SRC6].len != 0 || at[NF_T_DST6].len != 0;
	if (v4 && v6)
		return;
	x->family = v6 ? 6 : v4 ? 4 : 0;
	x->src = at[v6 ? NF_T_SRC6 : NF_T_SRC4];
	x->dst = at[v6 ? NF_T_DST6 : NF_T_DST4];
	x->bytes = first_of(at, bytes, sizeof bytes, NULL);
	x->pkts = first_of(at, pkts, sizeof pkts, NULL);
	x->proto = at[NF_T_PROTO];
	x->flags = at[NF_T_TCPFLAGS];
	x->sport = at[NF_T_SPORT];
	x->dport = at[NF_T_DPORT];
	x->icmp4 = at[NF_T_ICMP4];
	x->icmp6 = at[NF_T_ICMP6];
	x->start = first_of(at, start, sizeof start, &x->start_t);
	x->end = first_of(at, end, sizeof end, &x->end_t);
	x->up_last = at[NF_T_UP_LAST];
	x->ok = true;
}

enum vigil_err
nf_tmpl_learn(struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint16_t tid, uint8_t version, bool options,
    uint16_t nfields, const uint16_t *ies, const uint16_t *lens,
    const bool *ent, int64_t now_ms, struct vigil_flow_stats *stats,
    char *err, size_t errsize)
{
	struct nf_field fields[NF_MAX_FIELDS];
	uint32_t off = 0, min_len = 0;
	uint16_t nplan = 0;
	bool varlen = false;
	struct nf_tmpl *m, *old;
	size_t h;

	if (nfields == 0 || nfields > NF_MAX_FIELDS)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "template %u has %u fields (1..%u)", (unsigned)tid,
		    (unsigned)nfields, NF_MAX_FIELDS);
	/* cleared whole: the padding byte takes part in the memcmp below */
	memset(fields, 0, nfields * sizeof *fields);
	for (uint16_t i = 0; i < nfields; i++) {
		fields[i].len = lens[i];
		fields[i].target = ent[i] || lens[i] == NF_VARLEN ? NF_T_NONE :
		    ie_target(ies[i], lens[i], options);
		if (lens[i] == NF_VARLEN) {
			varlen = true;
			min_len += 1;
		} else {
			min_len += lens[i];
		}
		if (fields[i].target != NF_T_NONE)
			nplan++;
	}
	if (min_len == 0 || min_len > VIGIL_FLOWPKT_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "template %u: record length %u is out of 1..65535",
		    (unsigned)tid, (unsigned)min_len);
	if (varlen)
		nplan = 0;

	old = nf_tmpl_find(t, exporter, domain, tid, version);
	if (old != NULL && old->options == options &&
	    old->nfields == nfields && old->varlen == varlen &&
	    memcmp(old->fields, fields, nfields * sizeof *fields) == 0) {
		/* re-announced unchanged: only its age is renewed */
		old->refreshed_ms = now_ms;
		age_unlink(t, old);
		age_append(t, old);
		return VIGIL_OK;
	}
	m = malloc(sizeof *m + nfields * sizeof *m->fields +
	    nplan * sizeof *m->plan);
	if (m == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "out of memory learning template %u", (unsigned)tid);
	if (old != NULL)
		tmpl_remove(t, old);
	else if (t->count >= t->max && t->oldest != NULL) {
		/* full: the oldest goes first */
		tmpl_remove(t, t->oldest);
		stats->withdrawn++;
	}
	memset(m, 0, sizeof *m);
	m->exporter = exporter;
	m->domain = domain;
	m->tid = tid;
	m->version = version;
	m->options = options;
	m->varlen = varlen;
	m->nfields = nfields;
	m->nplan = nplan;
	m->min_len = min_len;
	m->refreshed_ms = now_ms;
	m->fields = (struct nf_field *)(m + 1);
	m->plan = (struct nf_plan *)(m->fields + nfields);
	memcpy(m->fields, fields, nfields * sizeof *fields);
	nplan = 0;
	for (uint16_t i = 0; !varlen && i < nfields; i++) {
		if (fields[i].target != NF_T_NONE) {
			m->plan[nplan].off = (uint16_t)off;
			m->plan[nplan].len = fields[i].len;
			m->plan[nplan].target = fields[i].target;
			nplan++;
		}
		off += fields[i].len;
	}
	direct_compile(m);
	h = tmpl_hash(t, exporter, domain, tid, version);
	m->hnext = t->buckets[h];
	t->buckets[h] = m;
	age_append(t, m);
	t->count++;
	stats->templates++;
	return VIGIL_OK;
}

void
nf_tmpl_withdraw(struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint16_t tid, struct vigil_flow_stats *stats)
{
	if (tid >= 256) {
		struct nf_tmpl *m = nf_tmpl_find(t, exporter, domain, tid, 10);

		if (m != NULL) {
			tmpl_remove(t, m);
			stats->withdrawn++;
		}
		return;
	}
	/* RFC 7011 §8.1: id 2 withdraws all templates, 3 all options
	 * templates, of the domain; rare, so a walk is fine */
	for (struct nf_tmpl *m = t->oldest, *next; m != NULL; m = next) {
		next = m->newer;
		if (m->exporter == exporter && m->domain == domain &&
		    m->version == 10 && m->options == (tid == 3)) {
			tmpl_remove(t, m);
			stats->withdrawn++;
		}
	}
}

void
nf_tmpl_expire(struct vigil_flow_templates *t, int64_t now_ms,
    struct vigil_flow_stats *stats)
{
	struct nf_tmpl *m, *next;

	if (t->ttl_ms <= 0)
		return;
	/* Oldest first; the next oldest is the one refreshed after. */
	for (m = t->oldest; m != NULL && now_ms - m->refreshed_ms > t->ttl_ms;
	    m = next) {
		next = m->newer;
		tmpl_remove(t, m);
		stats->withdrawn++;
	}
}

static void
dom_unlink(struct vigil_flow_templates *t, struct nf_domain *d)
{
	if (d->older != NULL)
		d->older->newer = d->newer;
	else
		t->doldest = d->newer;
	if (d->newer != NULL)
		d->newer->older = d->older;
	else
		t->dnewest = d->older;
	d->older = d->newer = NULL;
}

static void
dom_append(struct vigil_flow_templates *t, struct nf_domain *d)
{
	d->older = t->dnewest;
	d->newer = NULL;
	if (t->dnewest != NULL)
		t->dnewest->newer = d;
	else
		t->doldest = d;
	t->dnewest = d;
}

static void
dom_remove(struct vigil_flow_templates *t, struct nf_domain *d)
{
	struct nf_domain **pp = &t->dbuckets[tmpl_hash(t, d->exporter,
	    d->domain, 0, d->version)];

	while (*pp != NULL && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp == d)
		*pp = d->hnext;
	dom_unlink(t, d);
	t->dcount--;
	free(d);
}

struct nf_domain *
nf_domain_get(struct vigil_flow_templates *t, uint32_t exporter,
    uint32_t domain, uint8_t version)
{
	size_t h = tmpl_hash(t, exporter, domain, 0, version);
	struct nf_domain *d;

	for (d = t->dbuckets[h]; d != NULL; d = d->hnext)
		if (d->exporter == exporter && d->domain == domain &&
		    d->version == version) {
			if (d != t->dnewest) {
				dom_unlink(t, d);
				dom_append(t, d);
			}
			return d;
		}
	if (t->dcount >= t->dmax && t->doldest != NULL)
		dom_remove(t, t->doldest);
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->exporter = exporter;
	d->domain = domain;
	d->version = version;
	d->hnext = t->dbuckets[h];
	t->dbuckets[h] = d;
	dom_append(t, d);
	t->dcount++;
	return d;
}

void
nf_seq_check(struct nf_domain *d, uint32_t seq,
    struct vigil_flow_stats *stats)
{
	if (d->have_seq && seq != d->next_seq) {
		uint32_t ahead = seq - d->next_seq;

		/* behind (reordered, restarted) resynchronises silently */
		if (ahead < 0x80000000u)
			stats->seq_gaps += ahead;
	}
}
