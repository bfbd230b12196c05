/*
 * Threat-intelligence lists (detect.h: intel.match): each named list is
 * read from text (one address or CIDR per line, # comments), its
 * prefixes turned into address ranges, sorted and merged, so a lookup
 * is one binary search per list. A flow's peer on a list fires
 * intel.match with the list's name in the evidence.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_internal.h"

#define INTEL_ENTRIES_MAX 1000000u
#define INTEL_LINE_MAX 128
#define INTEL_REFIRE_S 3600

void
det_intel_free(struct det_intel *l)
{
	free(l->v4);
	free(l->v6);
	memset(l, 0, sizeof *l);
}

static int
cmp4(const void *a, const void *b)
{
	const struct det_range4 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int
cmp6(const void *a, const void *b)
{
	const struct det_range6 *x = a, *y = b;

	return memcmp(x->lo, y->lo, 16);
}

/* a + 1 == b, big-endian 128-bit. */
static bool
adjacent6(const uint8_t *a, const uint8_t *b)
{
	uint8_t t[16];
	int i;

	memcpy(t, a, 16);
	for (i = 15; i >= 0; i--)
		if (++t[i] != 0)
			break;
	return i >= 0 && memcmp(t, b, 16) == 0;
}

static void
merge(struct det_intel *l)
{
	size_t o = 0;

	if (l->n4 > 0) {
		qsort(l->v4, l->n4, sizeof *l->v4, cmp4);
		for (size_t i = 1; i < l->n4; i++) {
			if (l->v4[i].lo <= l->v4[o].hi ||
			    (l->v4[o].hi != UINT32_MAX &&
			    l->v4[i].lo == l->v4[o].hi + 1)) {
				if (l->v4[i].hi > l->v4[o].hi)
					l->v4[o].hi = l->v4[i].hi;
			} else {
				l->v4[++o] = l->v4[i];
			}
		}
		l->n4 = o + 1;
	}
	o = 0;
	if (l->n6 > 0) {
		qsort(l->v6, l->n6, sizeof *l->v6, cmp6);
		for (size_t i = 1; i < l->n6; i++) {
			if (memcmp(l->v6[i].lo, l->v6[o].hi, 16) <= 0 ||
			    adjacent6(l->v6[o].hi, l->v6[i].lo)) {
				if (memcmp(l->v6[i].hi, l->v6[o].hi, 16) > 0)
					memcpy(l->v6[o].hi, l->v6[i].hi, 16);
			} else {
				l->v6[++o] = l->v6[i];
			}
		}
		l->n6 = o + 1;
	}
}

/* "a.b.c.d", "a.b.c.d/n", "x::y" or "x::/n"; host bits are masked (feeds
 * write "192.0.2.7/24" for the network it sits in). */
static bool
parse_entry(const char *s, uint8_t *family, uint8_t lo[16], uint8_t hi[16])
{
	char buf[INTEL_LINE_MAX + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned prefix, max;

	if (alen == 0 || alen > INTEL_LINE_MAX)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(lo, 0, 16);
	if (inet_pton(AF_INET, buf, lo) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, lo) == 1) {
		*family = 6;
		max = 128;
	} else {
		return false;
	}
	prefix = max;
	if (slash != NULL) {
		const char *p = slash + 1;

		if (*p == '\0' || strlen(p) > 3)
			return false;
		prefix = 0;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return false;
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > max)
			return false;
	}
	memcpy(hi, lo, 16);
	for (unsigned i = prefix; i < max; i++) {
		lo[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		hi[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	return true;
}

/* arr with room for one more element: the same or a grown copy, or
 * NULL (arr untouched) when memory runs out. */
static void *
reserve(void *arr, size_t n, size_t *cap, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return arr;
	nc = *cap == 0 ? 64 : *cap * 2;
	p = realloc(arr, nc * size);
	if (p != NULL)
		*cap = nc;
	return p;
}

static uint32_t
be32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
}

enum vigil_err
vigil_detect_intel_load(struct vigil_detect *d, const char *name,
    const char *text, size_t len, size_t *entries, char *err, size_t errsize)
{
	struct det_intel l;
	size_t pos = 0, lineno = 0, cap4 = 0, cap6 = 0, total = 0, slot;

	if (entries != NULL)
		*entries = 0;
	if (d == NULL || name == NULL || (text == NULL && len > 0))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "missing engine, list name or text");
	if (name[0] == '\0' || strlen(name) >= sizeof l.name)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "intel list name must be 1..%zu bytes", sizeof l.name - 1);
	for (slot = 0; slot < d->nintel; slot++)
		if (strcmp(d->intel[slot].name, name) == 0)
			break;
	if (slot == d->nintel && d->nintel == DET_INTEL_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "more than %d intel lists", DET_INTEL_MAX);
	memset(&l, 0, sizeof l);
	snprintf(l.name, sizeof l.name, "%s", name);
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		char line[INTEL_LINE_MAX + 1];
		uint8_t fam, lo[16], hi[16];
		const char *hash;
		size_t a = 0, b;

		pos += n + (nl != NULL);
		lineno++;
		hash = memchr(s, '#', n);
		if (hash != NULL)
			n = (size_t)(hash - s);
		while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
			a++;
		b = n;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' ||
		    s[b - 1] == '\r'))
			b--;
		if (a == b)
			continue;
		if (b - a > INTEL_LINE_MAX || memchr(s + a, '\0', b - a)) {
			det_intel_free(&l);
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s line %zu: not an address or CIDR (longer than "
			    "%d bytes or binary)", name, lineno,
			    INTEL_LINE_MAX);
		}
		memcpy(line, s + a, b - a);
		line[b - a] = '\0';
		if (!parse_entry(line, &fam, lo, hi)) {
			det_intel_free(&l);
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s line %zu: '%.64s' is not an address or CIDR",
			    name, lineno, line);
		}
		if (++total > INTEL_ENTRIES_MAX) {
			det_intel_free(&l);
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s line %zu: more than %u entries", name, lineno,
			    INTEL_ENTRIES_MAX);
		}
		if (fam == 4) {
			struct det_range4 *p = reserve(l.v4, l.n4, &cap4,
			    sizeof *l.v4);

			if (p == NULL)
				goto nomem;
			l.v4 = p;
			l.v4[l.n4].lo = be32(lo);
			l.v4[l.n4].hi = be32(hi);
			l.n4++;
		} else {
			struct det_range6 *p = reserve(l.v6, l.n6, &cap6,
			    sizeof *l.v6);

			if (p == NULL)
				goto nomem;
			l.v6 = p;
			memcpy(l.v6[l.n6].lo, lo, 16);
			memcpy(l.v6[l.n6].hi, hi, 16);
			l.n6++;
		}
	}
	merge(&l);
	if (slot < d->nintel)
		det_intel_free(&d->intel[slot]);
	else
		d->nintel++;
	d->intel[slot] = l;
	if (entries != NULL)
		*entries = total;
	return VIGIL_OK;
nomem:
	det_intel_free(&l);
	return vigil_seterr(err, errsize, VIGIL_ENOMEM,
	    "%s line %zu: out of memory", name, lineno);
}

static bool
in_list(const struct det_intel *l, uint8_t family, const uint8_t addr[16])
{
	size_t lo = 0, hi;

	if (family == 4) {
		uint32_t x = be32(addr);

		hi = l->n4;
		/* The last range starting at or below x. */
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;

			if (l->v4[m].lo <= x)
				lo = m + 1;
			else
				hi = m;
		}
		return lo > 0 && x <= l->v4[lo - 1].hi;
	}
	hi = l->n6;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (memcmp(l->v6[m].lo, addr, 16) <= 0)
			lo = m + 1;
		else
			hi = m;
	}
	return lo > 0 && memcmp(addr, l->v6[lo - 1].hi, 16) <= 0;
}

const char *
det_intel_match(const struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16])
{
	for (size_t i = 0; i < d->nintel; i++)
		if (in_list(&d->intel[i], family, addr))
			return d->intel[i].name;
	return NULL;
}

void
det_intel_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out)
{
	const uint8_t *peer = out ? f->dst : f->src;
	const char *list;
	uint32_t h;
	char sum[256], p[64];

	if (d->nintel == 0 || (list = det_intel_match(d, f->family, peer)) ==
	    NULL)
		return;
	h = (uint32_t)(out ? d->cur.hdst : d->cur.hsrc) | 1;
	if (e->intel_peer == h && sec < e->intel_s + INTEL_REFIRE_S)
		return;
	e->intel_peer = h;
	e->intel_s = sec;
	{
		struct det_fire x = { .kind = VIGIL_ALERT_INTEL_MATCH,
		    .want_dport = -1, .want_peer = true,
		    .peer_family = f->family };

		memcpy(x.peer, peer, 16);
		det_addr_str(f->family, peer, p, sizeof p);
		snprintf(sum, sizeof sum, "%s %s on intel list %s",
		    out ? "contacted" : "contacted by", p, list);
		x.first_ms = f->start_ms;
		x.last_ms = f->end_ms;
		x.count = 1;
		x.summary = sum;
		x.numbers = json_pack("{s:s,s:s,s:s,s:i}", "peer", p, "list",
		    list, "direction", out ? "outbound" : "inbound", "port",
		    f->dport);
		det_fire(d, e, f, &x);
	}
}
