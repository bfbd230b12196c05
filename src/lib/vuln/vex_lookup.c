/*
 * vigil_vex_lookup: which VEX statement applies to a (vulnerability,
 * component) pair; the newest wins, a tie goes to the later one.
 *
 * Products are compared as the header documents: a purl without its
 * qualifiers and subpath (percent-decoding undone, compared without
 * regard to case; the version must equal only when the statement's
 * purl has one), a CPE 2.3 name field by field ('*' in the statement
 * matches any value), a bom-ref exactly, a package name without regard
 * to case, and "" for every component.
 *
 * A statement's versions narrows it further: an exact version must
 * compare equal under the scheme the component's purl implies (generic
 * without one), a "vers:" range is evaluated as purl-spec's
 * VERSION-RANGE-SPEC says, under the range's own scheme when vigil
 * knows it. Versions that do not parse make the statement not apply:
 * a VEX state must never land on a version nobody can place.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/sbom.h"
#include "vigil/vuln.h"
#include "vex_internal.h"

#define VERS_MAX 64 /* constraints evaluated per range */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A purl split into its base (pkg:type/ns/name) and version, both
 * percent-decoded into the caller's buffers. -1 when too long. */
static int
purl_split(const char *p, char *base, char *ver, size_t size)
{
	size_t end = strcspn(p, "?#");
	size_t slash = 0, at = end, nb = 0, nv = 0;

	for (size_t i = 0; i < end; i++)
		if (p[i] == '/')
			slash = i;
	for (size_t i = slash; i < end; i++)
		if (p[i] == '@')
			at = i;
	for (size_t i = 0; i < end; i++) {
		char c = p[i];
		char *dst = i < at ? base : ver;
		size_t *n = i < at ? &nb : &nv;

		if (i == at)
			continue;
		if (c == '%' && i + 2 < end && hexval(p[i + 1]) >= 0 &&
		    hexval(p[i + 2]) >= 0) {
			c = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
			i += 2;
		}
		if (*n + 1 >= size)
			return -1;
		dst[(*n)++] = c;
	}
	base[nb] = '\0';
	ver[nv] = '\0';
	return 0;
}

static int
purl_match(const char *stmt, const char *comp)
{
	char sb[VIGIL_PURL_MAX], sv[VIGIL_PURL_MAX];
	char cb[VIGIL_PURL_MAX], cv[VIGIL_PURL_MAX];

	if (comp == NULL || comp[0] == '\0')
		return 0;
	if (purl_split(stmt, sb, sv, sizeof sb) != 0 || purl_split(comp, cb,
	    cv, sizeof cb) != 0)
		return 0;
	if (strcasecmp(sb, cb) != 0)
		return 0;
	return sv[0] == '\0' || strcmp(sv, cv) == 0;
}

/* The next CPE 2.3 field of *p (':' separated, '\' escapes). */
static size_t
cpe_field(const char **p)
{
	const char *s = *p;
	size_t n = 0;

	while (s[n] != '\0' && s[n] != ':') {
		if (s[n] == '\\' && s[n + 1] != '\0')
			n++;
		n++;
	}
	*p = s[n] == ':' ? s + n + 1 : s + n;
	return n;
}

static int
cpe_match(const char *stmt, const char *comp)
{
	const char *a, *b;

	if (comp == NULL || comp[0] == '\0')
		return 0;
	if (strncasecmp(stmt, "cpe:2.3:", 8) != 0 || strncasecmp(comp,
	    "cpe:2.3:", 8) != 0)
		return strcasecmp(stmt, comp) == 0;
	a = stmt + 8;
	b = comp + 8;
	for (int f = 0; f < 11; f++) {
		const char *fa = a, *fb = b;
		size_t na = cpe_field(&a), nb = cpe_field(&b);

		if (na == 1 && fa[0] == '*')
			continue;
		/* A field missing from the statement is ANY too. */
		if (na == 0 && *fa == '\0')
			continue;
		if (na != nb || strncasecmp(fa, fb, na) != 0)
			return 0;
	}
	return 1;
}

static int
product_match(const char *p, const struct vigil_sbom_component *c)
{
	if (p == NULL || p[0] == '\0')
		return 1;
	if (c == NULL)
		return 0;
	if (strncmp(p, "pkg:", 4) == 0)
		return purl_match(p, c->purl);
	if (strncasecmp(p, "cpe:", 4) == 0)
		return cpe_match(p, c->cpe);
	if (strncmp(p, "ref:", 4) == 0)
		return c->ref != NULL && strcmp(p + 4, c->ref) == 0;
	if (strncmp(p, "name:", 5) == 0)
		return c->name != NULL && c->name[0] != '\0' &&
		    strcasecmp(p + 5, c->name) == 0;
	return 0;
}

/* The scheme the component's purl implies; generic without one. */
static enum vigil_vscheme
comp_scheme(const struct vigil_sbom_component *c)
{
	struct vigil_purl *p = NULL;
	struct vigil_pkg_key k;
	enum vigil_vscheme s = VIGIL_VS_GENERIC;

	if (c->purl == NULL || c->purl[0] == '\0' || vigil_purl_parse(
	    c->purl, &p, NULL, 0) != VIGIL_OK)
		return s;
	if (vigil_purl_pkg_key(p, &k, NULL, 0) == VIGIL_OK &&
	    k.scheme != VIGIL_VS_NONE)
		s = k.scheme;
	vigil_purl_free(p);
	return s;
}

/* The component's version: its own, else its purl's. 0 when none. */
static int
comp_version(const struct vigil_sbom_component *c, char *out, size_t size)
{
	char base[VIGIL_PURL_MAX];

	if (c->version != NULL && c->version[0] != '\0') {
		if (strlen(c->version) >= size)
			return 0;
		memcpy(out, c->version, strlen(c->version) + 1);
		return 1;
	}
	if (c->purl == NULL || c->purl[0] == '\0' || strlen(c->purl) >=
	    sizeof base)
		return 0;
	if (purl_split(c->purl, base, out, sizeof base) != 0)
		return 0;
	return out[0] != '\0';
}

enum vers_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct vers_c {
	enum vers_op op;
	char v[VIGIL_VERSION_MAX];
};

/* One constraint ("<=2.0", "1.2", "!=1.3%2B1") without whitespace,
 * percent-decoded. -1 when empty or too long. */
static int
vers_constraint(const char *s, size_t n, struct vers_c *c)
{
	static const struct {
		const char *t;
		enum vers_op op;
	} ops[] = {
		{ ">=", OP_GE }, { "<=", OP_LE }, { "!=", OP_NE },
		{ "<", OP_LT }, { ">", OP_GT }, { "=", OP_EQ },
	};
	size_t k = 0, nv = 0;

	c->op = OP_EQ;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t tl = strlen(ops[i].t);

		if (n >= tl && strncmp(s, ops[i].t, tl) == 0) {
			c->op = ops[i].op;
			k = tl;
			break;
		}
	}
	for (; k < n; k++) {
		char ch = s[k];

		if (ch == ' ' || ch == '\t')
			continue;
		if (ch == '%' && k + 2 < n && hexval(s[k + 1]) >= 0 &&
		    hexval(s[k + 2]) >= 0) {
			ch = (char)(hexval(s[k + 1]) * 16 + hexval(s[k + 2]));
			k += 2;
		}
		if (ch == '\0' || nv + 1 >= sizeof c->v)
			return -1;
		c->v[nv++] = ch;
	}
	c->v[nv] = '\0';
	return nv == 0 ? -1 : 0;
}

/* a <op> b as a truth value for cmp = a compared with b. */
static int
op_holds(enum vers_op op, int cmp)
{
	switch (op) {
	case OP_EQ: return cmp == 0;
	case OP_NE: return cmp != 0;
	case OP_LT: return cmp < 0;
	case OP_LE: return cmp <= 0;
	case OP_GT: return cmp > 0;
	case OP_GE: return cmp >= 0;
	}
	return 0;
}

/*
 * Whether version v lies in range r ("vers:<scheme>/<c>|<c>..."), by
 * the spec's algorithm: an equal "=" is in, an equal "!=" is out; of
 * the rest, sorted by version, the first "<"/"<=" bounds from below,
 * the last ">"/">=" from above and each ">"/">=" followed by a
 * "<"/"<=" is an interval. fallback orders versions when vigil does
 * not know the range's scheme.
 */
static int
vers_match(const char *r, const char *v, enum vigil_vscheme fallback)
{
	char scheme[32];
	const char *slash, *p;
	struct vers_c *cs;
	size_t n = 0, keep = 0;
	enum vigil_vscheme vs;
	int cmp, in = 0;

	slash = strchr(r + 5, '/');
	if (slash == NULL || (size_t)(slash - (r + 5)) >= sizeof scheme ||
	    slash == r + 5)
		return 0;
	memcpy(scheme, r + 5, (size_t)(slash - (r + 5)));
	scheme[slash - (r + 5)] = '\0';
	vs = vigil_vscheme_from_name(scheme);
	if (vs == VIGIL_VS_NONE)
		vs = fallback;
	p = slash + 1;
	while (*p == ' ')
		p++;
	if (strcmp(p, "*") == 0)
		return 1;
	if (vigil_version_check(vs, v, NULL, 0) != VIGIL_OK)
		return 0;
	cs = calloc(VERS_MAX, sizeof *cs);
	if (cs == NULL)
		return 0; /* cannot place it: the statement does not apply */
	for (;;) {
		size_t len = strcspn(p, "|");

		if (n == VERS_MAX || vers_constraint(p, len, &cs[n]) != 0 ||
		    vigil_version_check(vs, cs[n].v, NULL, 0) != VIGIL_OK)
			goto out;
		n++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (vigil_version_cmp(vs, v, cs[i].v, &cmp, NULL, 0) !=
		    VIGIL_OK)
			goto out;
		if (cmp == 0 && cs[i].op == OP_EQ) {
			in = 1;
			goto out;
		}
		if (cmp == 0 && cs[i].op == OP_NE)
			goto out;
		if (cs[i].op != OP_EQ && cs[i].op != OP_NE)
			cs[keep++] = cs[i];
	}
	/* Insertion sort by version: the spec wants them sorted, a
	 * producer may not have. n is at most VERS_MAX. */
	for (size_t i = 1; i < keep; i++) {
		for (size_t j = i; j > 0; j--) {
			struct vers_c t;

			if (vigil_version_cmp(vs, cs[j - 1].v, cs[j].v, &cmp,
			    NULL, 0) != VIGIL_OK)
				goto out;
			if (cmp <= 0)
				break;
			t = cs[j - 1];
			cs[j - 1] = cs[j];
			cs[j] = t;
		}
	}
	for (size_t i = 0; i < keep && !in; i++) {
		enum vers_op op = cs[i].op;
		int lower = op == OP_LT || op == OP_LE;

		if (vigil_version_cmp(vs, v, cs[i].v, &cmp, NULL, 0) !=
		    VIGIL_OK)
			goto out;
		/* An upper bound first, or a lower bound last, is open on
		 * its other side. */
		if (((i == 0 && lower) || (i + 1 == keep && !lower)) &&
		    op_holds(op, cmp))
			in = 1;
		else if (i + 1 < keep && !lower && op_holds(op, cmp) &&
		    (cs[i + 1].op == OP_LT || cs[i + 1].op == OP_LE)) {
			int c2;

			if (vigil_version_cmp(vs, v, cs[i + 1].v, &c2, NULL,
			    0) != VIGIL_OK)
				goto out;
			in = op_holds(cs[i + 1].op, c2);
		}
	}
out:
	free(cs);
	return in;
}

/* Whether the statement's version scope covers the component. */
static int
versions_match(const char *vers, const struct vigil_sbom_component *c)
{
	char v[VIGIL_PURL_MAX];
	enum vigil_vscheme s;
	int cmp;

	if (vers == NULL || vers[0] == '\0')
		return 1;
	if (c == NULL || !comp_version(c, v, sizeof v))
		return 0;
	s = comp_scheme(c);
	if (strncmp(vers, "vers:", 5) == 0)
		return vers_match(vers, v, s);
	return vigil_version_cmp(s, v, vers, &cmp, NULL, 0) == VIGIL_OK &&
	    cmp == 0;
}

static int
vuln_match(const char *v, const char *const *ids, size_t nids)
{
	if (v == NULL || v[0] == '\0')
		return 0;
	for (size_t i = 0; i < nids; i++)
		if (ids[i] != NULL && strcasecmp(v, ids[i]) == 0)
			return 1;
	return 0;
}

const struct vigil_vex_stmt *
vigil_vex_lookup(const struct vigil_vex_stmt *const *stmts, size_t n,
    const char *const *ids, size_t nids,
    const struct vigil_sbom_component *c)
{
	const struct vigil_vex_stmt *best = NULL;

	if (stmts == NULL || ids == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct vigil_vex_stmt *s = stmts[i];

		if (s == NULL || !vuln_match(s->vuln, ids, nids) ||
		    !product_match(s->product, c) ||
		    !versions_match(s->versions, c))
			continue;
		if (best == NULL || s->time_ms >= best->time_ms)
			best = s;
	}
	return best;
}
