/*
 * Package URLs (github.com/package-url/purl-spec, PURL-SPECIFICATION
 * "How to parse" and "How to build"): parse into struct vigil_purl,
 * look a qualifier up, and print the canonical form.
 *
 * The parser works on offsets into the caller's string so that every
 * error names the offset where the text went wrong; components are
 * percent-decoded into their own allocations.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static void
str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)lower((unsigned char)*s);
}

/* The purl text cut for messages: outside data, so printable only. */
static void
quote_purl(const char *s, char *out, size_t outsize)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 4 < outsize && i < 120; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	if (s[i] != '\0' && i + 4 < outsize) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

struct pctx {
	const char *s;
	char *err;
	size_t errsize;
};

static enum vigil_err
fail(struct pctx *c, enum vigil_err code, size_t off, const char *what)
{
	char q[128];

	quote_purl(c->s, q, sizeof q);
	/* code itself, so that callers (and the analyzer) see the error
	 * whatever vigil_seterr does. */
	(void)vigil_seterr(c->err, c->errsize, code,
	    "purl %s: %s at offset %zu", q, what, off);
	return code;
}

/*
 * Percent-decodes s[from, to) into a new string. A '%' must be followed
 * by two hex digits; a decoded NUL is refused (C strings), and so is a
 * decoded '/' when no_slash (namespace and subpath segments, whose
 * joined form would otherwise mean something else).
 */
static enum vigil_err
decode(struct pctx *c, size_t from, size_t to, bool no_slash, char **out)
{
	char *d;
	size_t n = 0, len = to - from;

	*out = NULL;
	/* A caller's bug otherwise (the input is at most VIGIL_PURL_MAX
	 * bytes): the size below would wrap. */
	if (to < from || len > VIGIL_PURL_MAX)
		return VIGIL_EINVAL;
	if ((d = malloc(len + 1)) == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = from; i < to; i++) {
		unsigned char ch = (unsigned char)c->s[i];

		if (ch == '%') {
			int hi = i + 1 < to ? vigil_hex_value(c->s[i + 1]) : -1;
			int lo = hi >= 0 && i + 2 < to ?
			    vigil_hex_value(c->s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				/* where the first bad hex digit is */
				free(d);
				return fail(c, VIGIL_EINVAL, hi < 0 ? i + 1 :
				    i + 2, "bad percent-encoding");
			}
			ch = (unsigned char)(hi * 16 + lo);
			/* Control characters would reach logs and
			 * terminals through names and versions. */
			if (ch < 0x20 || ch == 0x7f ||
			    (no_slash && ch == '/')) {
				free(d);
				return fail(c, VIGIL_EINVAL, i,
				    ch == 0 ? "encoded NUL" :
				    ch == '/' ? "encoded '/' inside a segment" :
				    "encoded control character");
			}
			i += 2;
		} else if (ch < 0x20 || ch == 0x7f) {
			free(d);
			return fail(c, VIGIL_EINVAL, i, "control character");
		}
		d[n++] = (char)ch;
	}
	d[n] = '\0';
	*out = d;
	return VIGIL_OK;
}

/* The segments of s[from, to) split on '/', empty ones (and, for
 * subpaths, "." and "..") dropped, decoded and joined with '/'. */
static enum vigil_err
segments(struct pctx *c, size_t from, size_t to, bool subpath, char **out)
{
	struct vigil_buf b;
	enum vigil_err rc = VIGIL_OK;

	*out = NULL;
	vigil_buf_init(&b, VIGIL_PURL_MAX + 1);
	if ((rc = vigil_buf_appends(&b, "")) != VIGIL_OK)
		return rc;
	while (from < to) {
		size_t end = from;
		char *seg;

		while (end < to && c->s[end] != '/')
			end++;
		if (end > from) {
			rc = decode(c, from, end, true, &seg);
			if (rc != VIGIL_OK)
				break;
			if (subpath && (strcmp(seg, ".") == 0 ||
			    strcmp(seg, "..") == 0)) {
				free(seg);
			} else {
				if (b.len > 0)
					rc = vigil_buf_appends(&b, "/");
				if (rc == VIGIL_OK)
					rc = vigil_buf_appends(&b, seg);
				free(seg);
				if (rc != VIGIL_OK)
					break;
			}
		}
		from = end + 1;
	}
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return rc;
	}
	*out = b.data;
	return VIGIL_OK;
}

static int
qual_cmp(const void *a, const void *b)
{
	const struct vigil_purl_qualifier *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Qualifiers s[from, to): key=value pairs split on '&'; keys are
 * lowercased ASCII letters, digits, '.', '-', '_' and do not start with
 * a digit; pairs with empty values are dropped; a repeated key is an
 * error (its meaning would depend on the order). */
static enum vigil_err
qualifiers(struct pctx *c, size_t from, size_t to, struct vigil_purl *p)
{
	size_t max = 1;

	for (size_t i = from; i < to; i++)
		max += c->s[i] == '&';
	p->qualifiers = calloc(max, sizeof *p->qualifiers);
	if (p->qualifiers == NULL)
		return VIGIL_ENOMEM;
	while (from < to) {
		size_t end = from, eq;
		struct vigil_purl_qualifier *q;
		enum vigil_err rc;

		while (end < to && c->s[end] != '&')
			end++;
		if (end == from) {
			from = end + 1;
			continue;
		}
		eq = from;
		while (eq < end && c->s[eq] != '=')
			eq++;
		if (eq == end)
			return fail(c, VIGIL_EINVAL, from,
			    "qualifier without '='");
		if (eq == from)
			return fail(c, VIGIL_EINVAL, from,
			    "qualifier with an empty key");
		if (c->s[from] >= '0' && c->s[from] <= '9')
			return fail(c, VIGIL_EINVAL, from,
			    "qualifier key starts with a digit");
		for (size_t i = from; i < eq; i++) {
			int ch = (unsigned char)c->s[i];

			if (!is_alnum(ch) && ch != '.' && ch != '-' &&
			    ch != '_')
				return fail(c, VIGIL_EINVAL, i,
				    "bad character in a qualifier key");
		}
		if (eq + 1 == end) {
			from = end + 1;
			continue;
		}
		q = &p->qualifiers[p->nqualifiers];
		q->key = malloc(eq - from + 1);
		if (q->key == NULL)
			return VIGIL_ENOMEM;
		for (size_t i = from; i < eq; i++)
			q->key[i - from] = (char)lower(
			    (unsigned char)c->s[i]);
		q->key[eq - from] = '\0';
		p->nqualifiers++;
		rc = decode(c, eq + 1, end, false, &q->value);
		if (rc != VIGIL_OK)
			return rc;
		for (size_t i = 0; i + 1 < p->nqualifiers; i++)
			if (strcmp(p->qualifiers[i].key, q->key) == 0)
				return fail(c, VIGIL_EINVAL, from,
				    "repeated qualifier key");
		from = end + 1;
	}
	qsort(p->qualifiers, p->nqualifiers, sizeof *p->qualifiers,
	    qual_cmp);
	return VIGIL_OK;
}

/* Types whose namespace and name compare case-insensitively, so the
 * spec's type definitions have them lowercased. */
static const char *const lower_ns_types[] = {
	"alpm", "apk", "bitbucket", "bitnami", "composer", "deb", "github",
	"hex", "npm", "pub", "qpm", "rpm", "luarocks", "oci", "huggingface",
	"pypi", NULL,
};
static const char *const lower_name_types[] = {
	"alpm", "apk", "bitbucket", "bitnami", "composer", "deb", "github",
	"hex", "npm", "pub", "pypi", "oci", "luarocks", NULL,
};

static bool
in_list(const char *const *l, const char *t)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, t) == 0)
			return true;
	return false;
}

/*
 * Per-type normalisation from the spec's type definitions: lowercase
 * namespaces and names where the type is case-insensitive; PyPI
 * replaces '_' with '-' (PEP 503 comparison uses the same name); CRAN
 * and Go keep the name's case (Go module paths are case-sensitive; the
 * spec lowercases neither name nor path). rpm lowercases the namespace
 * (vendor) only.
 */
static void
normalise(struct vigil_purl *p)
{
	if (in_list(lower_ns_types, p->type))
		str_lower(p->ns);
	if (in_list(lower_name_types, p->type))
		str_lower(p->name);
	if (strcmp(p->type, "pypi") == 0)
		for (char *q = p->name; *q != '\0'; q++)
			if (*q == '_')
				*q = '-';
	if (strcmp(p->type, "huggingface") == 0)
		str_lower(p->version);
}

/* Last occurrence of ch in s[from, to), or to. */
static size_t
rfind(const char *s, size_t from, size_t to, char ch)
{
	for (size_t i = to; i > from; i--)
		if (s[i - 1] == ch)
			return i - 1;
	return to;
}

static size_t
find(const char *s, size_t from, size_t to, char ch)
{
	for (size_t i = from; i < to; i++)
		if (s[i] == ch)
			return i;
	return to;
}

static enum vigil_err
parse(struct pctx *c, struct vigil_purl *p)
{
	const char *s = c->s;
	size_t len = strlen(s), end = len, hash, qm, at, slash, t, i;
	enum vigil_err rc;

	/* Split from the right, as the spec's parsing steps do. */
	hash = rfind(s, 0, end, '#');
	if (hash < end) {
		rc = segments(c, hash + 1, end, true, &p->subpath);
		if (rc != VIGIL_OK)
			return rc;
		end = hash;
	}
	qm = rfind(s, 0, end, '?');
	if (qm < end) {
		if ((rc = qualifiers(c, qm + 1, end, p)) != VIGIL_OK)
			return rc;
		end = qm;
	}
	if (end < 4 || lower((unsigned char)s[0]) != 'p' ||
	    lower((unsigned char)s[1]) != 'k' ||
	    lower((unsigned char)s[2]) != 'g' || s[3] != ':')
		return fail(c, VIGIL_EINVAL, 0, "scheme must be \"pkg:\"");
	i = 4;
	/* "pkg://type/..." is tolerated: the slashes carry nothing. */
	while (i < end && s[i] == '/')
		i++;
	while (end > i && s[end - 1] == '/')
		end--;
	t = find(s, i, end, '/');
	if (t == i)
		return fail(c, VIGIL_EINVAL, i, "empty type");
	if (t == end)
		return fail(c, VIGIL_EINVAL, end, "no name after the type");
	if (s[i] >= '0' && s[i] <= '9')
		return fail(c, VIGIL_EINVAL, i, "type starts with a digit");
	for (size_t k = i; k < t; k++) {
		int ch = (unsigned char)s[k];

		if (!is_alnum(ch) && ch != '.' && ch != '+' && ch != '-')
			return fail(c, VIGIL_EINVAL, k,
			    "bad character in the type");
	}
	p->type = malloc(t - i + 1);
	if (p->type == NULL)
		return VIGIL_ENOMEM;
	for (size_t k = i; k < t; k++)
		p->type[k - i] = (char)lower((unsigned char)s[k]);
	p->type[t - i] = '\0';
	i = t + 1;
	/* '@' version: the last '@' that follows the last '/'. */
	slash = rfind(s, i, end, '/');
	at = rfind(s, slash < end ? slash : i, end, '@');
	if (at < end) {
		if (at + 1 == end)
			return fail(c, VIGIL_EINVAL, at,
			    "'@' without a version");
		if ((rc = decode(c, at + 1, end, false, &p->version)) !=
		    VIGIL_OK)
			return rc;
		end = at;
	}
	while (end > i && s[end - 1] == '/')
		end--;
	slash = rfind(s, i, end, '/');
	{
		size_t nfrom = slash < end ? slash + 1 : i;

		if (nfrom >= end)
			return fail(c, VIGIL_EINVAL, end, "empty name");
		if ((rc = decode(c, nfrom, end, false, &p->name)) !=
		    VIGIL_OK)
			return rc;
		if (p->name[0] == '\0')
			return fail(c, VIGIL_EINVAL, nfrom, "empty name");
		end = slash < end ? slash : i;
	}
	if ((rc = segments(c, i, end, false, &p->ns)) != VIGIL_OK)
		return rc;
	return VIGIL_OK;
}

static enum vigil_err
fill_empty(char **s)
{
	if (*s == NULL && (*s = calloc(1, 1)) == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

enum vigil_err
vigil_purl_parse(const char *s, struct vigil_purl **out, char *err,
    size_t errsize)
{
	struct pctx c = { s, err, errsize };
	struct vigil_purl *p;
	enum vigil_err rc;

	if (out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "purl: no output");
	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "purl: empty");
	if (strnlen(s, VIGIL_PURL_MAX + 1) > VIGIL_PURL_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "purl: longer than %d bytes", VIGIL_PURL_MAX);
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return VIGIL_ENOMEM;
	rc = parse(&c, p);
	if (rc == VIGIL_OK)
		rc = fill_empty(&p->ns);
	if (rc == VIGIL_OK)
		rc = fill_empty(&p->version);
	if (rc == VIGIL_OK)
		rc = fill_empty(&p->subpath);
	if (rc != VIGIL_OK) {
		if (rc == VIGIL_ENOMEM)
			vigil_seterr(err, errsize, rc, "purl: out of memory");
		vigil_purl_free(p);
		return rc;
	}
	normalise(p);
	*out = p;
	return VIGIL_OK;
}

void
vigil_purl_free(struct vigil_purl *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nqualifiers; i++) {
		free(p->qualifiers[i].key);
		free(p->qualifiers[i].value);
	}
	free(p->qualifiers);
	free(p->type);
	free(p->ns);
	free(p->name);
	free(p->version);
	free(p->subpath);
	free(p);
}

const char *
vigil_purl_qualifier(const struct vigil_purl *p, const char *key)
{
	if (p == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < p->nqualifiers; i++)
		if (strcmp(p->qualifiers[i].key, key) == 0)
			return p->qualifiers[i].value;
	return NULL;
}

/*
 * Percent-encodes s: everything but the unreserved characters (RFC
 * 3986: letters, digits, "-._~") and, as the spec allows, ':' is
 * encoded, so the canonical form of one purl is one string.
 */
static enum vigil_err
enc(struct vigil_buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	enum vigil_err rc = VIGIL_OK;

	for (; *s != '\0' && rc == VIGIL_OK; s++) {
		unsigned char ch = (unsigned char)*s;

		if (is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~' || ch == ':' || (keep_slash && ch == '/')) {
			rc = vigil_buf_append(b, s, 1);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rc = vigil_buf_append(b, e, 3);
		}
	}
	return rc;
}

enum vigil_err
vigil_purl_to_string(const struct vigil_purl *p, int with_version,
    char **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if (p == NULL || p->type == NULL || p->name == NULL)
		return VIGIL_EINVAL;
	/* Decoded text can grow threefold when re-encoded. */
	vigil_buf_init(&b, 4 * (size_t)VIGIL_PURL_MAX);
	rc = vigil_buf_appends(&b, "pkg:");
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(&b, p->type);
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(&b, "/");
	if (rc == VIGIL_OK && p->ns != NULL && p->ns[0] != '\0') {
		/* Segments were split on '/' and hold none themselves. */
		rc = enc(&b, p->ns, true);
		if (rc == VIGIL_OK)
			rc = vigil_buf_appends(&b, "/");
	}
	if (rc == VIGIL_OK)
		rc = enc(&b, p->name, false);
	if (rc == VIGIL_OK && with_version && p->version != NULL &&
	    p->version[0] != '\0') {
		rc = vigil_buf_appends(&b, "@");
		if (rc == VIGIL_OK)
			rc = enc(&b, p->version, false);
	}
	for (size_t i = 0; with_version && rc == VIGIL_OK &&
	    i < p->nqualifiers; i++) {
		rc = vigil_buf_appends(&b, i == 0 ? "?" : "&");
		if (rc == VIGIL_OK)
			rc = vigil_buf_appends(&b, p->qualifiers[i].key);
		if (rc == VIGIL_OK)
			rc = vigil_buf_appends(&b, "=");
		if (rc == VIGIL_OK)
			rc = enc(&b, p->qualifiers[i].value, false);
	}
	if (rc == VIGIL_OK && p->subpath != NULL && p->subpath[0] != '\0') {
		rc = vigil_buf_appends(&b, "#");
		if (rc == VIGIL_OK)
			rc = enc(&b, p->subpath, true);
	}
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return rc;
	}
	*out = b.data;
	return VIGIL_OK;
}
