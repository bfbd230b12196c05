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
 */
#include <string.h>
#include <strings.h>

#include "vigil/sbom.h"
#include "vex_internal.h"

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
		    !product_match(s->product, c))
			continue;
		if (best == NULL || s->time_ms >= best->time_ms)
			best = s;
	}
	return best;
}
