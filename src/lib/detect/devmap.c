/*
 * Device map files (devmap.h): parses the address,device[,model][,tenant]
 * CSV into indexed rows, reporting and skipping bad rows, and answers
 * "who is this address" (longest prefix) for offline attribution.
 *
 * Memory: a row is one 64-byte line, its prefix, its device id and two
 * offsets into a string pool where each distinct model and tenant is
 * stored once (a fleet is a few models and tenants), so a million rows
 * take about 80 MiB with the index. The rows' line numbers are kept
 * only while parsing.
 *
 * Lookup: a hash index over all rows, keyed by (family, prefix,
 * network), probed once per prefix length of the family, longest
 * first. The same index finds duplicates while parsing, so bad rows are
 * reported in line order. A binary search over a large map's rows was a chain of cache
 * misses per lookup; a probe is one slot and, on a match, one row.
 * vigil_devmap_prefetch starts those loads ahead for the detection
 * engine, which knows a few flows in advance which addresses it will
 * ask about.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "detect_internal.h"
#include "vigil/devmap.h"

enum col { COL_ADDRESS, COL_DEVICE, COL_MODEL, COL_TENANT, COL_COUNT };

static const char *const col_names[COL_COUNT] = {
	"address", "device", "model", "tenant",
};

/* One cache line: what a lookup reads, the device id with it. */
struct dm_row {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
	char dev[VIGIL_DEVMAP_DEVICE_MAX + 1];
	uint8_t pad;
	uint32_t model, tenant;         /* offsets into the pool; 0 = "" */
};
_Static_assert(sizeof(struct dm_row) == 64, "a map row is one line");

/* A family and prefix length the map has rows of; the groups are
 * ordered longest prefix first, the order a lookup probes them in. */
struct dm_group {
	uint8_t family;
	uint8_t prefix;
};

/* A slot of the lookup index: the row's hash (high half) beside its
 * index, so a probe reads a row only when the hashes agree. */
struct dm_slot {
	uint32_t fp;
	uint32_t row;                   /* index + 1, 0 empty */
};

struct vigil_devmap {
	struct dm_row *rows;
	size_t n, cap;
	struct dm_slot *index;          /* a power of two, at least 2n */
	size_t imask;
	char *pool;                     /* pool[0] = '\0' */
	size_t plen, pcap;
	struct dm_group groups[33 + 129];
	size_t ngroups;
};

/* Parser state beyond the map. */
struct dm_parse {
	struct vigil_devmap *m;
	int col_of[COL_COUNT];          /* field index of a column; -1 */
	size_t ncols;
	size_t *lines;                  /* each row's line, by index */
	uint32_t *strs;                 /* interned pool offsets; 0 empty */
	size_t strcap, nstrs;
	size_t bad;
	vigil_devmap_bad_fn on_bad;
	void *ctx;
};

/* ---- helpers ---------------------------------------------------------- */

/* s[0..n) for an error message: at most 48 bytes, anything outside
 * printable ASCII as '?', "..." when cut (the file is outside data). */
static void
shown(char *dst, size_t dsz, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < 48 && o + 1 < dsz; i++)
		dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n && o + 4 < dsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static void
bad_row(struct dm_parse *p, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad_row(struct dm_parse *p, size_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	p->bad++;
	if (p->on_bad == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->on_bad(p->ctx, line, msg);
}

/* Appends s[0..n) and a NUL to the pool; its offset, 0 for "" and on
 * failure (*oom set). */
static uint32_t
pool_add(struct vigil_devmap *m, const char *s, size_t n, bool *oom)
{
	size_t off;

	if (n == 0)
		return 0;
	if (m->plen + n + 1 > m->pcap) {
		size_t nc = m->pcap != 0 ? m->pcap * 2 : 4096;
		char *np;

		while (nc < m->plen + n + 1)
			nc *= 2;
		/* 1M rows of 36 + 128 + 36 bytes stay far below 4 GiB. */
		if (nc > UINT32_MAX || (np = realloc(m->pool, nc)) == NULL) {
			*oom = true;
			return 0;
		}
		m->pool = np;
		m->pcap = nc;
	}
	off = m->plen;
	memcpy(m->pool + off, s, n);
	m->pool[off + n] = '\0';
	m->plen += n + 1;
	return (uint32_t)off;
}

static uint64_t
str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}


/* Two words, not sixteen byte steps: lookups hash once per prefix
 * length. */
static uint64_t
row_hash(uint8_t family, uint8_t prefix, const uint8_t addr[16])
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	return det_mix(a ^ det_mix(b ^ ((uint64_t)family << 8 | prefix)));
}

/* Doubles the interned-string set (offsets, 0 empty). */
static bool
strs_grow(struct dm_parse *p)
{
	size_t nc = p->strcap != 0 ? p->strcap * 2 : 256;
	uint32_t *ns = calloc(nc, sizeof *ns);

	if (ns == NULL)
		return false;
	for (size_t i = 0; i < p->strcap; i++) {
		const char *t = p->m->pool + p->strs[i];
		size_t j;

		if (p->strs[i] == 0)
			continue;
		j = str_hash(t, strlen(t)) & (nc - 1);
		while (ns[j] != 0)
			j = (j + 1) & (nc - 1);
		ns[j] = p->strs[i];
	}
	free(p->strs);
	p->strs = ns;
	p->strcap = nc;
	return true;
}

/* Doubles the lookup index (at least 1024 slots), placing each row by
 * its hash again. */
static bool
index_grow(struct vigil_devmap *m)
{
	size_t nc = m->imask != 0 ? (m->imask + 1) * 2 : 1024;
	struct dm_slot *ns = calloc(nc, sizeof *ns);

	if (ns == NULL)
		return false;
	for (size_t i = 0; m->index != NULL && i <= m->imask; i++) {
		const struct dm_row *r;
		size_t j;

		if (m->index[i].row == 0)
			continue;
		r = &m->rows[m->index[i].row - 1];
		j = row_hash(r->family, r->prefix, r->addr) & (nc - 1);
		while (ns[j].row != 0)
			j = (j + 1) & (nc - 1);
		ns[j] = m->index[i];
	}
	free(m->index);
	m->index = ns;
	m->imask = nc - 1;
	return true;
}

/* The row of (family, prefix, key: the network, host bits clear), or
 * NULL; *slot is then where a new one goes (the index has a free
 * slot: it stays at most half full). */
static const struct dm_row *
index_find(const struct vigil_devmap *m, uint8_t family, uint8_t prefix,
    const uint8_t key[16], size_t *slot)
{
	uint64_t h = row_hash(family, prefix, key);
	uint32_t fp = (uint32_t)(h >> 32);
	size_t j;

	for (j = h & m->imask; m->index[j].row != 0; j = (j + 1) & m->imask) {
		const struct dm_row *r;

		if (m->index[j].fp != fp)
			continue;
		r = &m->rows[m->index[j].row - 1];
		if (r->family == family && r->prefix == prefix &&
		    memcmp(r->addr, key, 16) == 0)
			return r;
	}
	*slot = j;
	return NULL;
}

/* As pool_add, but each distinct string is stored once (models and
 * tenants: a fleet has a few of each, so they stay in cache). */
static uint32_t
pool_intern(struct dm_parse *p, const char *s, size_t n, bool *oom)
{
	struct vigil_devmap *m = p->m;
	size_t j;
	uint32_t off;

	if (n == 0)
		return 0;
	/* The set stays at most half full. */
	if ((p->nstrs + 1) * 2 > p->strcap && !strs_grow(p)) {
		*oom = true;
		return 0;
	}
	for (j = str_hash(s, n) & (p->strcap - 1); p->strs[j] != 0;
	    j = (j + 1) & (p->strcap - 1)) {
		const char *t = m->pool + p->strs[j];

		if (strncmp(t, s, n) == 0 && t[n] == '\0')
			return p->strs[j];
	}
	if ((off = pool_add(m, s, n, oom)) != 0) {
		p->strs[j] = off;
		p->nstrs++;
	}
	return off;
}

static void
cidr_str(const struct vigil_cidr *c, char out[INET6_ADDRSTRLEN + 8])
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a,
	    sizeof a) == NULL)
		snprintf(a, sizeof a, "?");
	snprintf(out, INET6_ADDRSTRLEN + 8, "%s/%u", a, c->prefix);
}

/* Position (1-based) of the first byte of s[0..n) that is not allowed in
 * a device id or tenant, 0 when all are fine. */
static size_t
bad_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f || s[i] == ',' ||
		    s[i] == '"')
			return i + 1;
	return 0;
}

/* Byte position (1-based) of invalid UTF-8 or of a control or invisible
 * character in s[0..n); 0 when it is clean text. */
static size_t
bad_text(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = vigil_utf8_decode(s + i, n - i, &cp);
		if (k == 0 || vigil_cp_unsafe(cp))
			return i + 1;
		i += k;
	}
	return 0;
}

/* ---- header and rows -------------------------------------------------- */

/* Splits line[0..n) at commas into at most max fields; the count, or
 * max + 1 when there are more. */
static size_t
split(const char *line, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t nf = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != ',')
			continue;
		if (nf == max)
			return max + 1;
		f[nf] = line + start;
		fl[nf] = i - start;
		trim(&f[nf], &fl[nf]);
		nf++;
		start = i + 1;
	}
	return nf;
}

static enum vigil_err
parse_header(struct dm_parse *p, size_t line, const char *s, size_t n,
    char *err, size_t errsize)
{
	const char *f[COL_COUNT + 1];
	size_t fl[COL_COUNT + 1], nf, c;
	char name[64];
	const char *q;

	if ((q = memchr(s, '"', n)) != NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "line %zu: a "
		    "quote at column %zu of the header: quoting is not "
		    "supported", line, (size_t)(q - s) + 1);
	for (c = 0; c < COL_COUNT; c++)
		p->col_of[c] = -1;
	nf = split(s, n, f, fl, COL_COUNT + 1);
	/* A fifth column is unknown, repeated or empty: the loop ends on
	 * it at the latest. */
	for (size_t i = 0; i < nf && i <= COL_COUNT; i++) {
		if (fl[i] == 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: header column %zu has no name", line,
			    i + 1);
		for (c = 0; c < COL_COUNT; c++)
			if (strlen(col_names[c]) == fl[i] &&
			    strncasecmp(col_names[c], f[i], fl[i]) == 0)
				break;
		shown(name, sizeof name, f[i], fl[i]);
		if (c == COL_COUNT)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: unknown column '%s' (known: address, "
			    "device, model, tenant)", line, name);
		if (p->col_of[c] >= 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: column '%s' appears twice", line,
			    col_names[c]);
		p->col_of[c] = (int)i;
	}
	p->ncols = nf;
	for (c = COL_ADDRESS; c <= COL_DEVICE; c++)
		if (p->col_of[c] < 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: the header has no '%s' column "
			    "(address,device[,model][,tenant])", line,
			    col_names[c]);
	return VIGIL_OK;
}

/* One data row: added, or reported and skipped. Only running out of
 * memory or rows is an error. */
static enum vigil_err
parse_row(struct dm_parse *p, size_t line, const char *s, size_t n,
    char *err, size_t errsize)
{
	struct vigil_devmap *m = p->m;
	const char *f[COL_COUNT + 1], *q;
	size_t fl[COL_COUNT + 1], nf, pos, slot = 0;
	const char *v[COL_COUNT] = { "", "", "", "" };
	size_t vl[COL_COUNT] = { 0, 0, 0, 0 };
	char addr[INET6_ADDRSTRLEN + 8], shw[64], cs[INET6_ADDRSTRLEN + 8];
	struct vigil_cidr cidr;
	const struct dm_row *dup;
	struct dm_row *r;
	bool oom = false;

	if ((q = memchr(s, '"', n)) != NULL) {
		bad_row(p, line, "a quote at column %zu: quoted fields are "
		    "not supported", (size_t)(q - s) + 1);
		return VIGIL_OK;
	}
	nf = split(s, n, f, fl, p->ncols);
	if (nf != p->ncols) {
		if (nf > p->ncols)
			bad_row(p, line, "more than %zu fields (the header "
			    "has %zu)", p->ncols, p->ncols);
		else
			bad_row(p, line, "%zu fields, the header has %zu", nf,
			    p->ncols);
		return VIGIL_OK;
	}
	for (int c = 0; c < COL_COUNT; c++)
		if (p->col_of[c] >= 0) {
			v[c] = f[p->col_of[c]];
			vl[c] = fl[p->col_of[c]];
		}

	shown(shw, sizeof shw, v[COL_ADDRESS], vl[COL_ADDRESS]);
	if (vl[COL_ADDRESS] == 0) {
		bad_row(p, line, "address is empty");
		return VIGIL_OK;
	}
	if (vl[COL_ADDRESS] >= sizeof addr) {
		bad_row(p, line, "address '%s' is not an IP address or CIDR",
		    shw);
		return VIGIL_OK;
	}
	memcpy(addr, v[COL_ADDRESS], vl[COL_ADDRESS]);
	addr[vl[COL_ADDRESS]] = '\0';
	if (!vigil_cidr_parse(addr, &cidr)) {
		char *slash = strchr(addr, '/');

		if (slash != NULL) {
			*slash = '\0';
			if (vigil_cidr_parse(addr, &cidr)) {
				bad_row(p, line, "address '%s': the prefix "
				    "length is out of range or host bits are "
				    "set (10.0.0.0/8, not 10.1.2.3/8)", shw);
				return VIGIL_OK;
			}
		}
		bad_row(p, line, "address '%s' is not an IP address or CIDR",
		    shw);
		return VIGIL_OK;
	}

	shown(shw, sizeof shw, v[COL_DEVICE], vl[COL_DEVICE]);
	if (vl[COL_DEVICE] == 0) {
		bad_row(p, line, "device is empty");
		return VIGIL_OK;
	}
	if (vl[COL_DEVICE] > VIGIL_DEVMAP_DEVICE_MAX) {
		bad_row(p, line, "device '%s' is longer than %d characters",
		    shw, VIGIL_DEVMAP_DEVICE_MAX);
		return VIGIL_OK;
	}
	if ((pos = bad_ascii(v[COL_DEVICE], vl[COL_DEVICE])) != 0) {
		bad_row(p, line, "device '%s' has a character that is not "
		    "printable ASCII at position %zu", shw, pos);
		return VIGIL_OK;
	}
	if (vl[COL_MODEL] > VIGIL_DEVMAP_MODEL_MAX) {
		bad_row(p, line, "model is longer than %d bytes",
		    VIGIL_DEVMAP_MODEL_MAX);
		return VIGIL_OK;
	}
	if ((pos = bad_text(v[COL_MODEL], vl[COL_MODEL])) != 0) {
		bad_row(p, line, "model has invalid UTF-8 or a control "
		    "character at byte %zu", pos);
		return VIGIL_OK;
	}
	shown(shw, sizeof shw, v[COL_TENANT], vl[COL_TENANT]);
	if (vl[COL_TENANT] > VIGIL_DEVMAP_TENANT_MAX) {
		bad_row(p, line, "tenant '%s' is longer than %d characters",
		    shw, VIGIL_DEVMAP_TENANT_MAX);
		return VIGIL_OK;
	}
	if ((pos = bad_ascii(v[COL_TENANT], vl[COL_TENANT])) != 0) {
		bad_row(p, line, "tenant '%s' has a character that is not "
		    "printable ASCII at position %zu", shw, pos);
		return VIGIL_OK;
	}

	/* The index stays at most half full. */
	if ((m->n + 1) * 2 > m->imask + 1 && !index_grow(m))
		return vigil_seterr(err, errsize, VIGIL_ENOMEM, "line %zu: "
		    "out of memory", line);
	if ((dup = index_find(m, cidr.family, cidr.prefix, cidr.addr,
	    &slot)) != NULL) {
		cidr_str(&cidr, cs);
		bad_row(p, line, "%s already mapped on line %zu", cs,
		    p->lines[dup - m->rows]);
		return VIGIL_OK;
	}
	if (m->n >= VIGIL_DEVMAP_ROWS_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE, "line %zu: "
		    "more than %d rows", line, VIGIL_DEVMAP_ROWS_MAX);
	if (m->n == m->cap) {
		/* Aligned, so that a row is one cache line. */
		size_t nc = m->cap != 0 ? m->cap * 2 : 256;
		struct dm_row *nr = aligned_alloc(64, nc * sizeof *nr);
		size_t *nl = realloc(p->lines, nc * sizeof *nl);

		if (nl != NULL)
			p->lines = nl;
		if (nr == NULL || nl == NULL) {
			free(nr);
			return vigil_seterr(err, errsize, VIGIL_ENOMEM,
			    "line %zu: out of memory", line);
		}
		if (m->n != 0)
			memcpy(nr, m->rows, m->n * sizeof *nr);
		free(m->rows);
		m->rows = nr;
		m->cap = nc;
	}
	r = &m->rows[m->n];
	memset(r, 0, sizeof *r);
	r->family = cidr.family;
	r->prefix = cidr.prefix;
	memcpy(r->addr, cidr.addr, 16);
	p->lines[m->n] = line;
	/* Checked above: 1..VIGIL_DEVMAP_DEVICE_MAX characters. */
	memcpy(r->dev, v[COL_DEVICE], vl[COL_DEVICE]);
	r->model = pool_intern(p, v[COL_MODEL], vl[COL_MODEL], &oom);
	r->tenant = pool_intern(p, v[COL_TENANT], vl[COL_TENANT], &oom);
	if (oom)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM, "line %zu: "
		    "out of memory", line);
	m->n++;
	m->index[slot].fp = (uint32_t)(row_hash(r->family, r->prefix,
	    r->addr) >> 32);
	m->index[slot].row = (uint32_t)m->n;
	return VIGIL_OK;
}

/* ---- lookup ---------------------------------------------------------- */

/* The prefix lengths the map has rows of, per family, longest first:
 * the order a lookup probes them in. */
static void
build_groups(struct vigil_devmap *m)
{
	bool have[2][129] = { { false } };

	for (size_t i = 0; i < m->n; i++)
		have[m->rows[i].family == 6][m->rows[i].prefix] = true;
	m->ngroups = 0;
	for (int f = 0; f < 2; f++)
		for (int pl = f == 0 ? 32 : 128; pl >= 0; pl--)
			if (have[f][pl]) {
				m->groups[m->ngroups].family = f == 0 ? 4 : 6;
				m->groups[m->ngroups].prefix = (uint8_t)pl;
				m->ngroups++;
			}
}

enum vigil_err
vigil_devmap_load(const char *buf, size_t len, struct vigil_devmap **out,
    size_t *rows, size_t *bad, vigil_devmap_bad_fn on_bad, void *ctx,
    char *err, size_t errsize)
{
	struct dm_parse p;
	size_t pos = 0, line = 0;
	bool header = false;
	enum vigil_err e = VIGIL_OK;

	if (out != NULL)
		*out = NULL;
	if (rows != NULL)
		*rows = 0;
	if (bad != NULL)
		*bad = 0;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (out == NULL || (buf == NULL && len > 0))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "no buffer or no place for the map");
	memset(&p, 0, sizeof p);
	p.on_bad = on_bad;
	p.ctx = ctx;
	if ((p.m = calloc(1, sizeof *p.m)) == NULL ||
	    (p.m->pool = malloc(4096)) == NULL) {
		free(p.m);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "out of memory");
	}
	p.m->pool[0] = '\0';
	p.m->plen = 1;
	p.m->pcap = 4096;
	/* A UTF-8 byte order mark (spreadsheet exports) is not part of the
	 * first column's name. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;

	while (pos < len && e == VIGIL_OK) {
		const char *s = buf + pos, *nl, *z, *t;
		size_t n, tn;

		line++;
		nl = memchr(s, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > VIGIL_DEVMAP_LINE_MAX) {
			if (!header)
				e = vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "line %zu: longer than %d bytes", line,
				    VIGIL_DEVMAP_LINE_MAX);
			else
				bad_row(&p, line, "longer than %d bytes",
				    VIGIL_DEVMAP_LINE_MAX);
			continue;
		}
		if ((z = memchr(s, '\0', n)) != NULL) {
			if (!header)
				e = vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "line %zu: a NUL byte at column %zu", line,
				    (size_t)(z - s) + 1);
			else
				bad_row(&p, line, "a NUL byte at column %zu",
				    (size_t)(z - s) + 1);
			continue;
		}
		t = s;
		tn = n;
		trim(&t, &tn);
		if (tn == 0 || t[0] == '#')
			continue;
		if (!header) {
			e = parse_header(&p, line, s, n, err, errsize);
			header = true;
		} else
			e = parse_row(&p, line, s, n, err, errsize);
	}
	if (e == VIGIL_OK && !header)
		e = vigil_seterr(err, errsize, VIGIL_EINVAL, "line %zu: no "
		    "header line (address,device[,model][,tenant])", line + 1);
	free(p.lines);
	free(p.strs);
	if (e != VIGIL_OK) {
		vigil_devmap_free(p.m);
		return e;
	}
	/* An empty map has an index too: lookups probe it. */
	if (p.m->index == NULL && !index_grow(p.m)) {
		vigil_devmap_free(p.m);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "out of memory");
	}
	build_groups(p.m);
	*out = p.m;
	if (rows != NULL)
		*rows = p.m->n;
	if (bad != NULL)
		*bad = p.bad;
	return VIGIL_OK;
}

/* addr with the host bits of a /prefix cleared, as rows are. */
static void
net_key(const uint8_t addr[16], unsigned prefix, uint8_t key[16])
{
	unsigned full = prefix / 8, rest = prefix % 8;

	memset(key, 0, 16);
	memcpy(key, addr, full);
	if (rest != 0)
		key[full] = addr[full] & (uint8_t)(0xff00 >> rest);
}

/* A pool string into a field of size bytes (map strings are shorter
 * than the fields by construction; bounded all the same). */
static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
vigil_devmap_attribute(const struct vigil_devmap *m, uint8_t family,
    const uint8_t addr[16], struct vigil_endpoint *out)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (m == NULL || addr == NULL || out == NULL)
		return 0;
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct dm_group *g = &m->groups[i];
		const struct dm_row *r;
		uint8_t key[16];
		size_t slot;

		if (g->family != family)
			continue;
		net_key(addr, g->prefix, key);
		if ((r = index_find(m, g->family, g->prefix, key, &slot)) ==
		    NULL)
			continue;
		out->device = true;
		copy_str(out->device_id, sizeof out->device_id, r->dev);
		copy_str(out->tenant, sizeof out->tenant, m->pool + r->tenant);
		copy_str(out->model, sizeof out->model, m->pool + r->model);
		copy_str(out->via, sizeof out->via, "binding");
		return 1;
	}
	return 0;
}

/* Prefix lengths a prefetch looks at, longest first: a map with more
 * is still answered right, only the rest are not loaded ahead. */
#define PREFETCH_GROUPS 4

void
vigil_devmap_prefetch(const struct vigil_devmap *m, uint8_t family,
    const uint8_t addr[16], int step)
{
	size_t seen = 0;

	if (m == NULL || addr == NULL || m->index == NULL)
		return;
	for (size_t i = 0; i < m->ngroups && seen < PREFETCH_GROUPS; i++) {
		const struct dm_group *g = &m->groups[i];
		uint8_t key[16];
		uint64_t h;
		size_t j;

		if (g->family != family)
			continue;
		seen++;
		net_key(addr, g->prefix, key);
		h = row_hash(g->family, g->prefix, key);
		j = h & m->imask;
		if (step == 0) {
			__builtin_prefetch(&m->index[j]);
			continue;
		}
		/* Step 1: the slot has (probably) arrived; the row it names
		 * (one line, the device id in it) starts loading. */
		for (; m->index[j].row != 0; j = (j + 1) & m->imask) {
			if (m->index[j].fp != (uint32_t)(h >> 32))
				continue;
			__builtin_prefetch(&m->rows[m->index[j].row - 1]);
			return;
		}
	}
}

size_t
vigil_devmap_count(const struct vigil_devmap *m)
{
	return m != NULL ? m->n : 0;
}

void
vigil_devmap_free(struct vigil_devmap *m)
{
	if (m == NULL)
		return;
	free(m->rows);
	free(m->pool);
	free(m->index);
	free(m);
}
