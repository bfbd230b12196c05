/*
 * PEP 440 (Python) versions: parsing with the PEP's normalisation and
 * the ordering of packaging.version.Version.
 *
 * The grammar is the PEP's permissive one (the regular expression of
 * its appendix, as packaging uses it): optional surrounding whitespace,
 * optional "v", [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], letters
 * in any case, alternative spellings (alpha, beta, c, pre, preview;
 * rev, r, -N) and separators (. - _) with implicit 0 numbers.
 *
 * Numbers are compared as digit strings (leading zeros stripped, then
 * length, then digits), so there is no overflow: Python's integers are
 * unbounded and "1.0.99999999999999999999" is a valid version.
 *
 * Divergence on purpose: outside the surrounding whitespace we accept
 * ASCII only. Python's case-insensitive regex also lets a few
 * non-ASCII letters stand for ASCII ones (KELVIN SIGN for k, LONG S
 * for s, dotless i); no real version uses them, and a byte-oriented
 * library cannot reproduce str.lower() for them faithfully.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "vigil/core.h"
#include "vigil/vuln.h"
#include "vuln/version_internal.h"

enum { PRE_A = 0, PRE_B = 1, PRE_RC = 2 };

/* A run of decimal digits; len 0 means "absent, counts as 0". */
struct pnum {
	const char *p;
	size_t len;
};

struct pep {
	struct pnum epoch;
	const char *rel; /* "N(.N)*" */
	size_t rel_len;
	int pre; /* -1 when absent, else PRE_* */
	struct pnum pre_n;
	bool post;
	struct pnum post_n;
	bool dev;
	struct pnum dev_n;
	const char *local; /* after '+', NULL when absent */
	size_t local_len;
};

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static bool
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static bool
isalnum_ascii(int c)
{
	c = lower(c);
	return isdig(c) || (c >= 'a' && c <= 'z');
}

static bool
issep(int c)
{
	return c == '.' || c == '-' || c == '_';
}

/*
 * Length of the whitespace character at s (0 if none): what Python's
 * \s matches in a str pattern, i.e. str.isspace(), in UTF-8.
 */
static size_t
space_len(const unsigned char *s, const unsigned char *end)
{
	size_t n = (size_t)(end - s);
	unsigned cp;

	if (n == 0)
		return 0;
	if ((s[0] >= '\t' && s[0] <= '\r') || s[0] == ' ' ||
	    (s[0] >= 0x1c && s[0] <= 0x1f))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3 || (s[0] & 0xf0) != 0xe0 || (s[1] & 0xc0) != 0x80 ||
	    (s[2] & 0xc0) != 0x80)
		return 0;
	cp = ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) |
	    (unsigned)(s[2] & 0x3f);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return 3;
	return 0;
}

/* Whitespace just before end (0 if none), for trimming the tail. */
static size_t
space_len_back(const unsigned char *start, const unsigned char *end)
{
	size_t k;

	for (k = 1; k <= 3 && k <= (size_t)(end - start); k++)
		if (space_len(end - k, end) == k)
			return k;
	return 0;
}

/* Case-insensitive match of word at s; the word is lower-case ASCII. */
static bool
word_at(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - s) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != word[i])
			return false;
	return true;
}

static const char *
digits(const char *s, const char *end, struct pnum *out)
{
	const char *q = s;

	while (q < end && isdig((unsigned char)*q))
		q++;
	out->p = s;
	out->len = (size_t)(q - s);
	return q;
}

/* Pre-release spelling at s: its length and kind; longest first, as
 * the shorter spellings would leave letters nothing can consume. */
static size_t
pre_word(const char *s, const char *end, int *kind)
{
	static const struct {
		const char *w;
		int kind;
	} words[] = {
		{"preview", PRE_RC}, {"alpha", PRE_A}, {"beta", PRE_B},
		{"pre", PRE_RC}, {"rc", PRE_RC}, {"a", PRE_A}, {"b", PRE_B},
		{"c", PRE_RC},
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (word_at(s, end, words[i].w)) {
			*kind = words[i].kind;
			return strlen(words[i].w);
		}
	return 0;
}

static size_t
post_word(const char *s, const char *end)
{
	if (word_at(s, end, "post"))
		return 4;
	if (word_at(s, end, "rev"))
		return 3;
	if (word_at(s, end, "r"))
		return 1;
	return 0;
}

/*
 * "[sep] word [sep] [N]" starting at s: on a match returns the end and
 * fills n; otherwise NULL. The optional trailing separator is taken
 * even without a number after it ("1.0a-" is 1.0a0), as the PEP's
 * regular expression does.
 */
static const char *
labelled(const char *s, const char *end, size_t (*word)(const char *,
    const char *, int *), int *kind, struct pnum *n)
{
	const char *q = s;
	size_t wl;

	if (q < end && issep((unsigned char)*q))
		q++;
	wl = word(q, end, kind);
	if (wl == 0)
		return NULL;
	q += wl;
	if (q < end && issep((unsigned char)*q))
		q++;
	return digits(q, end, n);
}

static size_t
post_word3(const char *s, const char *end, int *kind)
{
	*kind = 0;
	return post_word(s, end);
}

static size_t
dev_word(const char *s, const char *end, int *kind)
{
	*kind = 0;
	return word_at(s, end, "dev") ? 3 : 0;
}

/* Parses v into *p; 0, or -1 with the reason (and offset) in err. */
static int
pep_parse(const char *v, struct pep *p, char *err, size_t errsize)
{
	const char *s = v, *end, *q, *r;
	size_t n = strnlen(v, VIGIL_VERSION_MAX + 1), k;
	struct pnum num;
	int kind;

	memset(p, 0, sizeof *p);
	p->pre = -1;
	if (n > VIGIL_VERSION_MAX) {
		vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "PEP 440 %.32s...: longer than %d bytes", v,
		    VIGIL_VERSION_MAX);
		return -1;
	}
	end = v + n;
	while ((k = space_len((const unsigned char *)s,
	    (const unsigned char *)end)) > 0)
		s += k;
	while (end > s && (k = space_len_back((const unsigned char *)s,
	    (const unsigned char *)end)) > 0)
		end -= k;
	if (s < end && lower((unsigned char)*s) == 'v')
		s++;
	/* Epoch "N!" or the first release number. */
	q = digits(s, end, &num);
	if (num.len == 0)
		goto bad_release;
	if (q < end && *q == '!') {
		p->epoch = num;
		s = q + 1;
		q = digits(s, end, &num);
		if (num.len == 0)
			goto bad_release;
	}
	p->rel = s;
	while (q + 1 < end && *q == '.' && isdig((unsigned char)q[1]))
		q = digits(q + 1, end, &num);
	p->rel_len = (size_t)(q - s);
	s = q;
	/* Pre-release. */
	r = labelled(s, end, pre_word, &kind, &p->pre_n);
	if (r != NULL) {
		p->pre = kind;
		s = r;
	}
	/* Post-release: "-N" first, then "[sep](post|rev|r)[sep][N]". */
	if (s + 1 < end && *s == '-' && isdig((unsigned char)s[1])) {
		p->post = true;
		s = digits(s + 1, end, &p->post_n);
	} else if ((r = labelled(s, end, post_word3, &kind,
	    &p->post_n)) != NULL) {
		p->post = true;
		s = r;
	}
	/* Development release. */
	if ((r = labelled(s, end, dev_word, &kind, &p->dev_n)) != NULL) {
		p->dev = true;
		s = r;
	}
	/* Local version label: alnum runs joined by single separators. */
	if (s < end && *s == '+') {
		q = s + 1;
		for (;;) {
			r = q;
			while (q < end && isalnum_ascii((unsigned char)*q))
				q++;
			if (q == r) {
				vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "PEP 440 %s: invalid local version label "
				    "at offset %zu", v, (size_t)(q - v));
				return -1;
			}
			if (q < end && issep((unsigned char)*q)) {
				q++;
				continue;
			}
			break;
		}
		p->local = s + 1;
		p->local_len = (size_t)(q - p->local);
		s = q;
	}
	if (s != end) {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "PEP 440 %s: unexpected character at offset %zu", v,
		    (size_t)(s - v));
		return -1;
	}
	return 0;
bad_release:
	vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "PEP 440 %s: expected a release number at offset %zu", v,
	    (size_t)(s - v));
	return -1;
}

/* Numeric comparison of digit runs (absent = 0), without overflow. */
static int
num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c;

	while (al > 0 && *a == '0') {
		a++;
		al--;
	}
	while (bl > 0 && *b == '0') {
		b++;
		bl--;
	}
	if (al != bl)
		return al < bl ? -1 : 1;
	if (al == 0)
		return 0; /* absent (NULL) or all zeros */
	c = memcmp(a, b, al);
	return (c > 0) - (c < 0);
}

static int
pnum_cmp(const struct pnum *a, const struct pnum *b)
{
	return num_cmp(a->p, a->len, b->p, b->len);
}

/* Next release number at *s (advancing past it), or an empty run once
 * the release is exhausted: trailing zeros are insignificant. */
static struct pnum
rel_next(const char **s, const char *end)
{
	struct pnum n = {NULL, 0};

	if (*s >= end)
		return n;
	*s = digits(*s, end, &n);
	if (*s < end)
		(*s)++; /* the '.' */
	return n;
}

static int
rel_cmp(const struct pep *a, const struct pep *b)
{
	const char *as = a->rel, *ae = a->rel + a->rel_len;
	const char *bs = b->rel, *be = b->rel + b->rel_len;
	int c;

	while (as < ae || bs < be) {
		struct pnum x = rel_next(&as, ae), y = rel_next(&bs, be);

		if ((c = pnum_cmp(&x, &y)) != 0)
			return c;
	}
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdig((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Local labels: segment by segment, a numeric segment sorts after an
 * alphanumeric one, numbers numerically, others case-insensitively;
 * when one is a prefix of the other the shorter sorts first.
 */
static int
local_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;

	for (;;) {
		size_t i0 = i, j0 = j, an, bn;
		bool ad, bd;
		int c = 0;

		if (i >= al || j >= bl)
			return (i < al) - (j < bl);
		while (i < al && !issep((unsigned char)a[i]))
			i++;
		while (j < bl && !issep((unsigned char)b[j]))
			j++;
		an = i - i0;
		bn = j - j0;
		ad = all_digits(a + i0, an);
		bd = all_digits(b + j0, bn);
		if (ad && bd)
			c = num_cmp(a + i0, an, b + j0, bn);
		else if (ad != bd)
			c = ad ? 1 : -1;
		else {
			for (size_t k = 0; k < an && k < bn && c == 0; k++)
				c = lower((unsigned char)a[i0 + k]) -
				    lower((unsigned char)b[j0 + k]);
			if (c == 0)
				c = (an > bn) - (an < bn);
		}
		if (c != 0)
			return c < 0 ? -1 : 1;
		if (i < al)
			i++;
		if (j < bl)
			j++;
	}
}

/* The pre-release key: a dev release of a final version ("1.0.dev1")
 * sorts before its pre-releases; no pre-release sorts after all. */
static int
pre_rank(const struct pep *p)
{
	if (p->pre < 0 && !p->post && p->dev)
		return -1;
	if (p->pre < 0)
		return 3;
	return p->pre;
}

static int
pep_cmp(const struct pep *a, const struct pep *b)
{
	int c, ra, rb;

	if ((c = pnum_cmp(&a->epoch, &b->epoch)) != 0)
		return c;
	if ((c = rel_cmp(a, b)) != 0)
		return c;
	ra = pre_rank(a);
	rb = pre_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->pre >= 0 && (c = pnum_cmp(&a->pre_n, &b->pre_n)) != 0)
		return c;
	if (a->post != b->post)
		return a->post ? 1 : -1;
	if (a->post && (c = pnum_cmp(&a->post_n, &b->post_n)) != 0)
		return c;
	if (a->dev != b->dev)
		return a->dev ? -1 : 1;
	if (a->dev && (c = pnum_cmp(&a->dev_n, &b->dev_n)) != 0)
		return c;
	if ((a->local != NULL) != (b->local != NULL))
		return a->local != NULL ? 1 : -1;
	if (a->local != NULL)
		return local_cmp(a->local, a->local_len, b->local,
		    b->local_len);
	return 0;
}

int
version_pep440_check(const char *v, char *err, size_t errsize)
{
	struct pep p;

	return pep_parse(v, &p, err, errsize);
}

int
version_pep440_cmp(const char *a, const char *b)
{
	struct pep pa, pb;
	char err[8];

	/* Callers check first; an invalid version sorts before any. */
	if (pep_parse(a, &pa, err, sizeof err) != 0)
		return pep_parse(b, &pb, err, sizeof err) != 0 ? 0 : -1;
	if (pep_parse(b, &pb, err, sizeof err) != 0)
		return 1;
	return pep_cmp(&pa, &pb);
}
