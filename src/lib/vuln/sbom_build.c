/*
 * The builder the SBOM format readers share (sbom_internal.h): bounded
 * growth, validated purl/CPE/hash setters, warnings, and the final pass
 * over refs and dependency edges.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbom_internal.h"
#include "vigil/sbom.h"
#include "vigil/vuln.h"

/* ------------------------------------------------------------------ */
/* Strings                                                              */

enum vigil_err
sbom_set_n(char **field, const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return VIGIL_ENOMEM;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	free(*field);
	*field = p;
	return VIGIL_OK;
}

enum vigil_err
sbom_component_init(struct vigil_sbom_component *c)
{
	char **f[] = { &c->ref, &c->type, &c->name, &c->version,
		&c->supplier, &c->purl, &c->cpe, &c->license };

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (sbom_set_n(f[i], "", 0) != VIGIL_OK) {
			sbom_component_clear(c);
			return VIGIL_ENOMEM;
		}
	return VIGIL_OK;
}

enum vigil_err
sbom_fail(struct sbom_build *b, enum vigil_err code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* code itself: callers rely on a failure never reading as
	 * VIGIL_OK (and the analyzer cannot see into vigil_seterr). */
	(void)vigil_seterr(b->err, b->errsize, code, "%s %s", b->fmt, msg);
	return code;
}

enum vigil_err
sbom_warn(struct sbom_build *b, const char *fmt, ...)
{
	struct vigil_sbom *s = b->s;
	char msg[512], **w;
	va_list ap;

	if (s->nwarnings >= SBOM_WARNINGS_MAX) {
		b->suppressed++;
		return VIGIL_OK;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Outside text ends up in the message: keep it printable ASCII,
	 * it is shown in logs and terminals. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	w = realloc(s->warnings, (s->nwarnings + 2) * sizeof *w);
	if (w == NULL)
		return VIGIL_ENOMEM;
	s->warnings = w;
	w[s->nwarnings] = NULL;
	if (sbom_set_n(&w[s->nwarnings], msg, strlen(msg)) != VIGIL_OK)
		return VIGIL_ENOMEM;
	s->nwarnings++;
	return VIGIL_OK;
}

enum vigil_err
sbom_set(struct sbom_build *b, char **field, const char *s, size_t n,
    const char *where)
{
	if (n > SBOM_FIELD_MAX)
		return sbom_fail(b, VIGIL_ERANGE,
		    "%s: %zu bytes, more than the %u allowed", where, n,
		    SBOM_FIELD_MAX);
	if (memchr(s, '\0', n) != NULL)
		return sbom_fail(b, VIGIL_EINVAL, "%s: contains a NUL byte",
		    where);
	return sbom_set_n(field, s, n) == VIGIL_OK ? VIGIL_OK :
	    sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", where);
}

enum vigil_err
sbom_join(struct sbom_build *b, char **field, const char *s,
    const char *what)
{
	size_t have = strlen(*field), n = strlen(s);
	char *p;

	if (n == 0)
		return VIGIL_OK;
	if (have + 2 + n > SBOM_JOINED_MAX)
		return sbom_warn(b, "%s: too many, '%.60s' not kept", what, s);
	p = realloc(*field, have + 2 + n + 1);
	if (p == NULL)
		return VIGIL_ENOMEM;
	if (have > 0) {
		p[have++] = ';';
		p[have++] = ' ';
	}
	memcpy(p + have, s, n + 1); /* with its NUL */
	*field = p;
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Builder                                                              */

enum vigil_err
sbom_build_init(struct sbom_build *b, enum vigil_sbom_format format,
    const char *fmt, char *err, size_t errsize)
{
	struct vigil_sbom *s;

	memset(b, 0, sizeof *b);
	b->fmt = fmt;
	b->err = err;
	b->errsize = errsize;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "%s: out of memory", fmt);
	b->s = s;
	s->format = format;
	s->bom_version = 1;
	if (sbom_set_n(&s->spec_version, "", 0) != VIGIL_OK ||
	    sbom_set_n(&s->serial, "", 0) != VIGIL_OK ||
	    sbom_set_n(&s->authors, "", 0) != VIGIL_OK ||
	    sbom_set_n(&s->tools, "", 0) != VIGIL_OK ||
	    sbom_component_init(&s->subject) != VIGIL_OK) {
		sbom_build_dispose(b);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "%s: out of memory", fmt);
	}
	return VIGIL_OK;
}

void
sbom_build_dispose(struct sbom_build *b)
{
	size_t n = b->s != NULL ? b->s->ncomponents : 0;

	for (size_t i = 0; b->paths != NULL && i < n; i++)
		free(b->paths[i]);
	free(b->paths);
	for (size_t i = 0; i < b->nedges; i++) {
		free(b->edges[i].from);
		free(b->edges[i].to);
		free(b->edges[i].where);
	}
	free(b->edges);
	for (size_t i = 0; i < b->nothers; i++)
		free(b->others[i]);
	free(b->others);
	vigil_sbom_free(b->s);
	memset(b, 0, sizeof *b);
}

void
sbom_build_take(struct sbom_build *b, struct vigil_sbom **out)
{
	*out = b->s;
	b->s = NULL;
	for (size_t i = 0; b->paths != NULL && i < (*out)->ncomponents;
	    i++)
		free(b->paths[i]);
	free(b->paths);
	b->paths = NULL;
	sbom_build_dispose(b);
}

enum vigil_err
sbom_add_component(struct sbom_build *b, const char *path,
    struct vigil_sbom_component **out)
{
	struct vigil_sbom *s = b->s;
	char *p = NULL;

	*out = NULL;
	if (s->ncomponents >= VIGIL_SBOM_COMPONENTS_MAX)
		return sbom_fail(b, VIGIL_ERANGE,
		    "%s: more than %u components", path,
		    VIGIL_SBOM_COMPONENTS_MAX);
	if (s->ncomponents == b->cap) {
		size_t cap = b->cap == 0 ? 16 : b->cap * 2;
		struct vigil_sbom_component *c;
		char **paths;

		c = realloc(s->components, cap * sizeof *c);
		if (c == NULL)
			goto nomem;
		s->components = c;
		paths = realloc(b->paths, cap * sizeof *paths);
		if (paths == NULL)
			goto nomem;
		b->paths = paths;
		b->cap = cap;
	}
	if (sbom_set_n(&p, path, strlen(path)) != VIGIL_OK)
		goto nomem;
	if (sbom_component_init(&s->components[s->ncomponents]) !=
	    VIGIL_OK) {
		free(p);
		goto nomem;
	}
	b->paths[s->ncomponents] = p;
	*out = &s->components[s->ncomponents++];
	return VIGIL_OK;
nomem:
	return sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", path);
}

int
sbom_take_subject(struct sbom_build *b, const char *ref)
{
	struct vigil_sbom *s = b->s;

	for (size_t i = 0; i < s->ncomponents; i++) {
		if (strcmp(s->components[i].ref, ref) != 0)
			continue;
		sbom_component_clear(&s->subject);
		s->subject = s->components[i];
		free(b->paths[i]);
		memmove(&s->components[i], &s->components[i + 1],
		    (s->ncomponents - i - 1) * sizeof s->components[0]);
		memmove(&b->paths[i], &b->paths[i + 1],
		    (s->ncomponents - i - 1) * sizeof b->paths[0]);
		s->ncomponents--;
		return 1;
	}
	return 0;
}

enum vigil_err
sbom_add_other(struct sbom_build *b, const char *ref)
{
	char **o, *p = NULL;

	if (b->nothers >= VIGIL_SBOM_COMPONENTS_MAX)
		return sbom_fail(b, VIGIL_ERANGE, "more than %u elements",
		    VIGIL_SBOM_COMPONENTS_MAX);
	o = realloc(b->others, (b->nothers + 1) * sizeof *o);
	if (o == NULL)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	b->others = o;
	if (sbom_set_n(&p, ref, strlen(ref)) != VIGIL_OK)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	o[b->nothers++] = p;
	return VIGIL_OK;
}

enum vigil_err
sbom_add_edge(struct sbom_build *b, const char *from, const char *to,
    const char *where)
{
	struct sbom_edge *e;

	if (b->nedges >= SBOM_DEPS_MAX)
		return sbom_fail(b, VIGIL_ERANGE,
		    "%s: more than %u dependency edges", where,
		    SBOM_DEPS_MAX);
	if (b->nedges == b->edgecap) {
		size_t cap = b->edgecap == 0 ? 16 : b->edgecap * 2;

		e = realloc(b->edges, cap * sizeof *e);
		if (e == NULL)
			goto nomem;
		b->edges = e;
		b->edgecap = cap;
	}
	e = &b->edges[b->nedges];
	memset(e, 0, sizeof *e);
	if (sbom_set_n(&e->from, from, strlen(from)) != VIGIL_OK ||
	    sbom_set_n(&e->to, to, strlen(to)) != VIGIL_OK ||
	    sbom_set_n(&e->where, where, strlen(where)) != VIGIL_OK) {
		free(e->from);
		free(e->to);
		free(e->where);
		goto nomem;
	}
	b->nedges++;
	return VIGIL_OK;
nomem:
	return sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", where);
}

/* ------------------------------------------------------------------ */
/* purl, CPE, hashes                                                    */

enum vigil_err
sbom_set_purl(struct sbom_build *b, struct vigil_sbom_component *c,
    const char *s, const char *where)
{
	struct vigil_purl *p = NULL;
	char why[256];
	enum vigil_err rc;

	if (s == NULL || *s == '\0')
		return VIGIL_OK;
	rc = vigil_purl_parse(s, &p, why, sizeof why);
	vigil_purl_free(p);
	if (rc == VIGIL_ENOMEM)
		return sbom_fail(b, rc, "%s: out of memory", where);
	if (rc != VIGIL_OK)
		return sbom_warn(b, "%s (%.80s): purl dropped: %s", where,
		    c->name, why);
	return sbom_set(b, &c->purl, s, strlen(s), where);
}

enum vigil_err
sbom_set_cpe(struct sbom_build *b, struct vigil_sbom_component *c,
    const char *s, const char *where)
{
	struct vigil_cpe cpe;
	char why[256], *text = NULL;
	enum vigil_err rc;

	if (s == NULL || *s == '\0')
		return VIGIL_OK;
	memset(&cpe, 0, sizeof cpe);
	rc = vigil_cpe_parse(s, &cpe, why, sizeof why);
	if (rc == VIGIL_ENOMEM)
		return sbom_fail(b, rc, "%s: out of memory", where);
	if (rc != VIGIL_OK)
		return sbom_warn(b, "%s (%.80s): CPE dropped: %s", where,
		    c->name, why);
	/* A 2.2 URI is kept as its 2.3 binding: matching speaks 2.3. */
	rc = strncmp(s, "cpe:2.3:", 8) == 0 ? VIGIL_OK :
	    vigil_cpe_to_string(&cpe, &text);
	vigil_cpe_clear(&cpe);
	if (rc != VIGIL_OK)
		return sbom_fail(b, rc, "%s: CPE: %s", where,
		    vigil_strerror(rc));
	rc = text != NULL ? sbom_set(b, &c->cpe, text, strlen(text), where) :
	    sbom_set(b, &c->cpe, s, strlen(s), where);
	vigil_free(text);
	return rc;
}

static const struct {
	const char *cdx;   /* CycloneDX spelling */
	const char *spdx;  /* SPDX spelling */
	size_t hexlen;     /* 0: any even length */
	int in_cdx;        /* in CycloneDX 1.6's hash-alg enum */
} hash_algs[] = {
	{ "MD5", "MD5", 32, 1 },
	{ "SHA-1", "SHA1", 40, 1 },
	{ "SHA-256", "SHA256", 64, 1 },
	{ "SHA-384", "SHA384", 96, 1 },
	{ "SHA-512", "SHA512", 128, 1 },
	{ "SHA3-256", "SHA3-256", 64, 1 },
	{ "SHA3-384", "SHA3-384", 96, 1 },
	{ "SHA3-512", "SHA3-512", 128, 1 },
	{ "BLAKE2b-256", "BLAKE2b-256", 64, 1 },
	{ "BLAKE2b-384", "BLAKE2b-384", 96, 1 },
	{ "BLAKE2b-512", "BLAKE2b-512", 128, 1 },
	{ "BLAKE3", "BLAKE3", 0, 1 },
	{ "SHA-224", "SHA224", 56, 0 },
	{ "MD2", "MD2", 32, 0 },
	{ "MD4", "MD4", 32, 0 },
	{ "MD6", "MD6", 0, 0 },
	{ "ADLER32", "ADLER32", 8, 0 },
};

const char *
sbom_hash_alg(const char *alg, size_t *hexlen, int cdx_only)
{
	for (size_t i = 0; i < sizeof hash_algs / sizeof hash_algs[0]; i++) {
		if (strcasecmp(alg, hash_algs[i].cdx) != 0 &&
		    strcasecmp(alg, hash_algs[i].spdx) != 0)
			continue;
		if (cdx_only && !hash_algs[i].in_cdx)
			return NULL;
		if (hexlen != NULL)
			*hexlen = hash_algs[i].hexlen;
		return hash_algs[i].cdx;
	}
	return NULL;
}

enum vigil_err
sbom_add_hash(struct sbom_build *b, struct vigil_sbom_component *c,
    const char *alg, const char *value, const char *where)
{
	struct vigil_sbom_hash *h;
	const char *name;
	size_t want = 0, n = strlen(value);
	char *v = NULL;

	name = sbom_hash_alg(alg, &want, 0);
	if (name == NULL)
		return sbom_warn(b, "%s (%.80s): unknown hash algorithm "
		    "'%.40s' dropped", where, c->name, alg);
	if ((want != 0 && n != want) || n == 0 || n % 2 != 0 ||
	    n > 1024)
		return sbom_warn(b, "%s (%.80s): %s value of %zu characters "
		    "dropped (expected %zu hex digits)", where, c->name, name,
		    n, want);
	for (size_t i = 0; i < n; i++)
		if (vigil_hex_value(value[i]) < 0)
			return sbom_warn(b, "%s (%.80s): %s value is not hex "
			    "(offset %zu), dropped", where, c->name, name, i);
	if (c->nhashes >= SBOM_HASHES_MAX)
		return sbom_warn(b, "%s (%.80s): more than %u hashes",
		    where, c->name, SBOM_HASHES_MAX);
	h = realloc(c->hashes, (c->nhashes + 1) * sizeof *h);
	if (h == NULL)
		goto nomem;
	c->hashes = h;
	h = &c->hashes[c->nhashes];
	h->alg = NULL;
	h->value = NULL;
	if (sbom_set_n(&v, value, n) != VIGIL_OK)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 'A' && v[i] <= 'F')
			v[i] = (char)(v[i] - 'A' + 'a');
	if (sbom_set_n(&h->alg, name, strlen(name)) != VIGIL_OK) {
		free(v);
		goto nomem;
	}
	h->value = v;
	c->nhashes++;
	return VIGIL_OK;
nomem:
	return sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", where);
}

/* ------------------------------------------------------------------ */
/* Final pass                                                           */

struct refent {
	const char *ref;
	size_t idx; /* component index; SIZE_MAX for the subject */
};

static int
refent_cmp(const void *a, const void *b)
{
	const struct refent *x = a, *y = b;
	int c = strcmp(x->ref, y->ref);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static struct refent *
ref_find(struct refent *tab, size_t n, const char *ref)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(tab[mid].ref, ref);

		if (c == 0) {
			/* The first of equal refs (there are none once
			 * duplicates were refused). */
			while (mid > 0 && strcmp(tab[mid - 1].ref, ref) == 0)
				mid--;
			return &tab[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum vigil_err
add_dep(struct vigil_sbom_component *c, const char *to)
{
	char **d, *p = NULL;

	if (sbom_set_n(&p, to, strlen(to)) != VIGIL_OK)
		return VIGIL_ENOMEM;
	/* Capacity doubles at each power of two: a subject that contains
	 * every package gets its edges in linear time. */
	if ((c->ndeps & (c->ndeps - 1)) == 0) {
		d = realloc(c->deps, (c->ndeps == 0 ? 1 : c->ndeps * 2) *
		    sizeof *d);
		if (d == NULL) {
			free(p);
			return VIGIL_ENOMEM;
		}
		c->deps = d;
	}
	c->deps[c->ndeps++] = p;
	return VIGIL_OK;
}

static void
dedup_deps(struct vigil_sbom_component *c)
{
	size_t o = 0;

	if (c->ndeps < 2)
		return;
	qsort(c->deps, c->ndeps, sizeof c->deps[0], str_cmp);
	for (size_t i = 0; i < c->ndeps; i++) {
		if (o > 0 && strcmp(c->deps[o - 1], c->deps[i]) == 0) {
			free(c->deps[i]);
			continue;
		}
		c->deps[o++] = c->deps[i];
	}
	c->ndeps = o;
}

/* Ends that are no component by design: SPDX files and snippets, the
 * document, NOASSERTION/NONE, elements of other documents. */
static int
not_a_component(const struct sbom_build *b, const char *ref)
{
	if (strcmp(ref, "NOASSERTION") == 0 || strcmp(ref, "NONE") == 0 ||
	    strncmp(ref, "DocumentRef-", 12) == 0)
		return 1;
	if (b->nothers == 0)
		return 0;
	return bsearch(&ref, b->others, b->nothers, sizeof b->others[0],
	    str_cmp) != NULL;
}

static const char *
pos(const struct sbom_build *b, size_t idx)
{
	return idx == SIZE_MAX ? "metadata.component" : b->paths[idx];
}

/* "c<N>" refs for components that had none, avoiding every written
 * ref (tab holds those, sorted). */
static enum vigil_err
name_missing(struct sbom_build *b, struct refent *tab, size_t ntab)
{
	struct vigil_sbom *s = b->s;
	size_t next = 1;

	for (size_t i = 0; i < s->ncomponents; i++) {
		char ref[32];

		if (s->components[i].ref[0] != '\0')
			continue;
		do
			snprintf(ref, sizeof ref, "c%zu", next++);
		while (ref_find(tab, ntab, ref) != NULL);
		if (sbom_set_n(&s->components[i].ref, ref, strlen(ref)) !=
		    VIGIL_OK)
			return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	}
	return VIGIL_OK;
}

static enum vigil_err
build_table(struct sbom_build *b, int named_only, struct refent **out,
    size_t *nout)
{
	struct vigil_sbom *s = b->s;
	struct refent *tab;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	tab = malloc((s->ncomponents + 1) * sizeof *tab);
	if (tab == NULL)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	if (s->subject.ref[0] != '\0')
		tab[n++] = (struct refent){ s->subject.ref, SIZE_MAX };
	for (size_t i = 0; i < s->ncomponents; i++)
		if (!named_only || s->components[i].ref[0] != '\0')
			tab[n++] = (struct refent){ s->components[i].ref, i };
	qsort(tab, n, sizeof *tab, refent_cmp);
	*out = tab;
	*nout = n;
	return VIGIL_OK;
}

enum vigil_err
sbom_finish(struct sbom_build *b)
{
	struct vigil_sbom *s = b->s;
	struct refent *tab = NULL;
	size_t n = 0;
	enum vigil_err rc;

	if ((rc = build_table(b, 1, &tab, &n)) != VIGIL_OK)
		return rc;
	for (size_t i = 1; i < n; i++)
		if (strcmp(tab[i - 1].ref, tab[i].ref) == 0) {
			/* The subject sorts last (SIZE_MAX): name the
			 * earlier position first. */
			rc = sbom_fail(b, VIGIL_EINVAL,
			    "%s: ref '%.80s' already used by %s",
			    pos(b, tab[i].idx), tab[i].ref,
			    pos(b, tab[i - 1].idx));
			free(tab);
			return rc;
		}
	rc = name_missing(b, tab, n);
	free(tab);
	tab = NULL; /* reused below: never a stale pointer */
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = build_table(b, 0, &tab, &n)) != VIGIL_OK)
		return rc;
	if (b->nothers > 0)
		qsort(b->others, b->nothers, sizeof b->others[0], str_cmp);
	for (size_t i = 0; i < b->nedges; i++) {
		const struct sbom_edge *e = &b->edges[i];
		struct refent *from = ref_find(tab, n, e->from),
		    *to = ref_find(tab, n, e->to);
		struct vigil_sbom_component *c;

		if (from == NULL || to == NULL) {
			if ((from == NULL && not_a_component(b, e->from)) ||
			    (to == NULL && not_a_component(b, e->to)))
				continue;
			rc = sbom_warn(b, "%s: ref '%.80s' names no component, "
			    "dependency dropped", e->where,
			    from == NULL ? e->from : e->to);
			if (rc != VIGIL_OK)
				break;
			continue;
		}
		c = from->idx == SIZE_MAX ? &s->subject :
		    &s->components[from->idx];
		s->has_dependencies = 1;
		if (add_dep(c, e->to) != VIGIL_OK) {
			rc = sbom_fail(b, VIGIL_ENOMEM, "out of memory");
			break;
		}
	}
	free(tab);
	if (rc != VIGIL_OK)
		return rc;
	dedup_deps(&s->subject);
	for (size_t i = 0; i < s->ncomponents; i++)
		dedup_deps(&s->components[i]);
	if (b->suppressed > 0) {
		size_t more = b->suppressed;

		b->suppressed = 0;
		s->nwarnings--; /* room for the summary; one is lost */
		free(s->warnings[s->nwarnings]);
		rc = sbom_warn(b, "%zu more warnings not listed", more + 1);
	}
	return rc;
}
