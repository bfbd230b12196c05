/*
 * SemVer 2.0.0 (semver.org), exactly: validity is the specification's
 * grammar (the regular expression it publishes), precedence is its
 * §11. Strict on purpose: no leading "v" or "=", no surrounding
 * spaces, no missing MINOR or PATCH, no leading zeros in numeric
 * identifiers (node-semver's loose mode accepts some of these; a
 * vulnerability range must not quietly match a version the ecosystem
 * itself would call invalid). Numbers have no size limit: they are
 * compared as digit strings, never converted.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "version_internal.h"

struct sv {
	const char *num[3]; /* MAJOR, MINOR, PATCH digits */
	size_t numlen[3];
	const char *pre;    /* pre-release after '-', NULL when none */
	size_t prelen;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ident(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-';
}

static const char *const part_names[3] = { "major", "minor", "patch" };

/* Fills *sv; 0, or -1 with the reason in err. */
static int
sv_parse(const char *v, struct sv *sv, char *err, size_t errsize)
{
	const char *p = v;

	memset(sv, 0, sizeof *sv);
	for (int i = 0; i < 3; i++) {
		const char *s = p;

		while (is_digit(*p))
			p++;
		if (p == s) {
			if (*p == 'v' || *p == 'V' || *p == '=')
				snprintf(err, errsize, "SemVer %s: prefix "
				    "'%c' not allowed (SemVer 2.0.0 is "
				    "MAJOR.MINOR.PATCH)", v, *p);
			else
				snprintf(err, errsize, "SemVer %s: expected "
				    "MAJOR.MINOR.PATCH (%s version at offset "
				    "%zu)", v, part_names[i],
				    (size_t)(s - v));
			return -1;
		}
		if (*s == '0' && p - s > 1) {
			snprintf(err, errsize, "SemVer %s: leading zero in "
			    "%s version at offset %zu", v, part_names[i],
			    (size_t)(s - v));
			return -1;
		}
		sv->num[i] = s;
		sv->numlen[i] = (size_t)(p - s);
		if (i < 2) {
			if (*p != '.') {
				snprintf(err, errsize, "SemVer %s: expected "
				    "MAJOR.MINOR.PATCH ('.' at offset %zu)",
				    v, (size_t)(p - v));
				return -1;
			}
			p++;
		}
	}
	if (*p == '-') {
		p++;
		sv->pre = p;
		/* Dot-separated identifiers, none empty; numeric ones
		 * without leading zeros. */
		for (;;) {
			const char *s = p;
			bool numeric = true;

			while (is_ident(*p)) {
				numeric = numeric && is_digit(*p);
				p++;
			}
			if (p == s) {
				snprintf(err, errsize, "SemVer %s: empty "
				    "pre-release identifier at offset %zu", v,
				    (size_t)(s - v));
				return -1;
			}
			if (numeric && *s == '0' && p - s > 1) {
				snprintf(err, errsize, "SemVer %s: leading "
				    "zero in numeric pre-release identifier "
				    "at offset %zu", v, (size_t)(s - v));
				return -1;
			}
			if (*p != '.')
				break;
			p++;
		}
		sv->prelen = (size_t)(p - sv->pre);
	}
	if (*p == '+') {
		p++;
		/* Build metadata: identifiers may have leading zeros. */
		for (;;) {
			const char *s = p;

			while (is_ident(*p))
				p++;
			if (p == s) {
				snprintf(err, errsize, "SemVer %s: empty "
				    "build metadata identifier at offset %zu",
				    v, (size_t)(s - v));
				return -1;
			}
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p != '\0') {
		if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
			snprintf(err, errsize, "SemVer %s: unexpected "
			    "character '%c' at offset %zu", v, *p,
			    (size_t)(p - v));
		else
			snprintf(err, errsize, "SemVer %s: unexpected "
			    "byte 0x%02x at offset %zu", v,
			    (unsigned)(unsigned char)*p, (size_t)(p - v));
		return -1;
	}
	return 0;
}

int
version_semver_check(const char *v, char *err, size_t errsize)
{
	struct sv sv;

	return sv_parse(v, &sv, err, errsize);
}

/* Digit strings without leading zeros: the longer is larger, else the
 * first differing digit decides. */
static int
num_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	if (alen != blen)
		return alen < blen ? -1 : 1;
	c = memcmp(a, b, alen);
	return c < 0 ? -1 : c > 0;
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* §11.4: identifiers left to right; numeric ones numerically and below
 * alphanumeric ones, which compare in ASCII order; a longer list wins
 * when all before are equal. */
static int
pre_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		size_t si = i, sj = j, ni, nj;
		bool da, db;
		int c;

		while (i < alen && a[i] != '.')
			i++;
		while (j < blen && b[j] != '.')
			j++;
		ni = i - si;
		nj = j - sj;
		da = all_digits(a + si, ni);
		db = all_digits(b + sj, nj);
		if (da && db)
			c = num_cmp(a + si, ni, b + sj, nj);
		else if (da != db)
			c = da ? -1 : 1;
		else {
			c = memcmp(a + si, b + sj, ni < nj ? ni : nj);
			if (c == 0 && ni != nj)
				c = ni < nj ? -1 : 1;
		}
		if (c != 0)
			return c < 0 ? -1 : 1;
		if (i < alen)
			i++; /* skip '.' */
		if (j < blen)
			j++;
	}
	if (i < alen)
		return 1;
	if (j < blen)
		return -1;
	return 0;
}

int
version_semver_cmp(const char *a, const char *b)
{
	struct sv x, y;
	char err[8];
	int c;

	/* The dispatcher checked both; parse again for the positions. */
	if (sv_parse(a, &x, err, sizeof err) != 0 ||
	    sv_parse(b, &y, err, sizeof err) != 0)
		return 0;
	for (int i = 0; i < 3; i++)
		if ((c = num_cmp(x.num[i], x.numlen[i], y.num[i],
		    y.numlen[i])) != 0)
			return c;
	/* §11.3: a pre-release is below the release itself. */
	if (x.pre == NULL || y.pre == NULL)
		return x.pre == y.pre ? 0 : x.pre == NULL ? 1 : -1;
	return pre_cmp(x.pre, x.prelen, y.pre, y.prelen);
}
