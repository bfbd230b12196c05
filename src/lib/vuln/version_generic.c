/*
 * The "generic" version scheme, for versions of no known ecosystem
 * (NVD version strings, vendor firmware): a simple, total order, with
 * no ecosystem's special cases guessed at.
 *
 * Valid: ASCII letters and digits, separated by single '.', '-', '_'
 * or '+'; starting and ending with a letter or digit.
 * Segments: maximal runs of digits and of letters; the separators and
 * the digit/letter boundaries only delimit them ("1.2a" = "1.2.a" =
 * "1-2_a").
 * Order: segment by segment; numbers by value (no size limit; leading
 * zeros ignored), words case-insensitively in ASCII order, and any
 * number below any word. The shorter version is padded with zeros, so
 * "1.0" = "1.0.0" < "1.0.1" < "1.0a" (= "1.0.a") < "1.0b".
 * Deliberately NOT assumed: that a trailing word is a pre-release
 * ("1.0rc1" < "1.0"); that needs the ecosystem's scheme. Being a
 * lexicographic order over zero-padded sequences, it is transitive.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "version_internal.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_sep(char c)
{
	return c == '.' || c == '-' || c == '_' || c == '+';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
version_generic_check(const char *v, char *err, size_t errsize)
{
	for (const char *p = v; *p != '\0'; p++) {
		size_t off = (size_t)(p - v);

		if (is_digit(*p) || is_alpha(*p))
			continue;
		if (!is_sep(*p)) {
			if ((unsigned char)*p > 0x20 &&
			    (unsigned char)*p < 0x7f)
				snprintf(err, errsize, "generic %s: "
				    "unexpected character '%c' at offset "
				    "%zu", v, *p, off);
			else
				snprintf(err, errsize, "generic %s: "
				    "unexpected byte 0x%02x at offset %zu",
				    v, (unsigned)(unsigned char)*p, off);
			return -1;
		}
		if (p == v || p[1] == '\0' || is_sep(p[1])) {
			snprintf(err, errsize, "generic %s: empty segment "
			    "at offset %zu", v, p == v ? off : off + 1);
			return -1;
		}
	}
	if (v[0] == '\0') {
		snprintf(err, errsize, "generic: empty version");
		return -1;
	}
	return 0;
}

struct seg {
	const char *s;
	size_t n;
	bool num;
};

/* Next segment at *p, moving *p past it; false at the end. */
static bool
seg_next(const char **p, struct seg *g)
{
	const char *q = *p;

	while (is_sep(*q))
		q++;
	if (*q == '\0')
		return false;
	g->s = q;
	g->num = is_digit(*q);
	while (*q != '\0' && (g->num ? is_digit(*q) : is_alpha(*q)))
		q++;
	g->n = (size_t)(q - g->s);
	*p = q;
	return true;
}

static int
seg_cmp(struct seg a, struct seg b)
{
	if (a.num != b.num)
		return a.num ? -1 : 1;
	if (a.num) {
		while (a.n > 1 && *a.s == '0') {
			a.s++;
			a.n--;
		}
		while (b.n > 1 && *b.s == '0') {
			b.s++;
			b.n--;
		}
		if (a.n != b.n)
			return a.n < b.n ? -1 : 1;
		for (size_t i = 0; i < a.n; i++)
			if (a.s[i] != b.s[i])
				return a.s[i] < b.s[i] ? -1 : 1;
		return 0;
	}
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		char x = lower(a.s[i]), y = lower(b.s[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return a.n == b.n ? 0 : a.n < b.n ? -1 : 1;
}

int
version_generic_cmp(const char *a, const char *b)
{
	static const struct seg zero = { "0", 1, true };
	const char *p = a, *q = b;

	for (;;) {
		struct seg x, y;
		bool hx = seg_next(&p, &x), hy = seg_next(&q, &y);
		int c;

		if (!hx && !hy)
			return 0;
		/* Padding: a missing segment is the number zero. */
		if ((c = seg_cmp(hx ? x : zero, hy ? y : zero)) != 0)
			return c;
	}
}
