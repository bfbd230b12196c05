/*
 * Alpine apk versions, validated and ordered by the rules of current
 * apk-tools (src/version.c, 2.14 and 3.x):
 *
 *   digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-rdigits}
 *
 * letter: one of a-z; suffix: alpha beta pre rc (before the plain
 * version) or cvs svn git hg p (after it); hash: lowercase hex.
 * Versions are compared token by token while both have a token of
 * the same kind: numbers by value, except that a '.'-component with a
 * leading zero on either side is compared as a string ("1.01" <
 * "1.1", "1.0" < "1.00"); letters and suffixes by their order; hashes
 * as strings. When the kinds differ, a pre-release suffix is older;
 * otherwise the version whose next token comes later in the grammar
 * (the end being last) is older: "1.0" < "1.0-r1" < "1.0_p1" <
 * "1.0a" < "1.0.1". Numbers are compared at any length.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"

enum apk_tok {
	T_INITIAL,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_HASH,
	T_REVISION,
	T_END,
	T_INVALID,
};

/* Suffix order; S_NONE is the plain version, never spelled. */
static const char *const suffixes[] = {"alpha", "beta", "pre", "rc", "",
    "cvs", "svn", "git", "hg", "p"};
#define S_NONE 4

struct apk_tokenizer {
	const char *p;
	enum apk_tok tok;
	const char *val; /* the token's text */
	size_t len;
	int suffix;
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static void
take_digits(struct apk_tokenizer *t)
{
	t->val = t->p;
	while (is_digit(*t->p))
		t->p++;
	t->len = (size_t)(t->p - t->val);
	if (t->len == 0)
		t->tok = T_INVALID;
}

static void
first(struct apk_tokenizer *t, const char *v)
{
	t->p = v;
	t->tok = T_INITIAL;
	take_digits(t);
}

/* Reads the next token; T_INVALID when the grammar forbids it here. */
static void
next(struct apk_tokenizer *t)
{
	char c = *t->p;

	if (c == '\0') {
		t->tok = T_END;
		return;
	}
	if (is_lower(c)) {
		if (t->tok > T_DIGIT)
			goto invalid;
		t->val = t->p++;
		t->len = 1;
		t->tok = T_LETTER;
	} else if (c == '.') {
		if (t->tok > T_DIGIT)
			goto invalid;
		t->p++;
		t->tok = T_DIGIT;
		take_digits(t);
	} else if (is_digit(c)) {
		if (t->tok != T_SUFFIX) /* digits after digits are taken */
			goto invalid;
		t->tok = T_SUFFIX_NO;
		take_digits(t);
	} else if (c == '_') {
		if (t->tok > T_SUFFIX_NO)
			goto invalid;
		t->val = ++t->p;
		while (is_lower(*t->p))
			t->p++;
		t->len = (size_t)(t->p - t->val);
		t->suffix = -1;
		for (int i = 0; i < (int)(sizeof(suffixes) / sizeof(*suffixes));
		     i++) {
			if (i != S_NONE && strlen(suffixes[i]) == t->len &&
			    memcmp(suffixes[i], t->val, t->len) == 0)
				t->suffix = i;
		}
		if (t->suffix < 0)
			goto invalid;
		t->tok = T_SUFFIX;
	} else if (c == '~') {
		if (t->tok >= T_HASH)
			goto invalid;
		t->val = ++t->p;
		while (is_hex(*t->p))
			t->p++;
		t->len = (size_t)(t->p - t->val);
		if (t->len == 0)
			goto invalid;
		t->tok = T_HASH;
	} else if (c == '-') {
		if (t->tok >= T_REVISION || t->p[1] != 'r')
			goto invalid;
		t->p += 2;
		t->tok = T_REVISION;
		take_digits(t);
	} else {
		goto invalid;
	}
	return;
invalid:
	t->tok = T_INVALID;
}

static int
fail(char *err, size_t errsize, const char *v, const char *why)
{
	if (err != NULL && errsize > 0)
		snprintf(err, errsize, "apk %.80s: %s", v, why);
	return -1;
}

int
version_apk_check(const char *v, char *err, size_t errsize)
{
	struct apk_tokenizer t;
	const char *at;
	char why[96];

	if (v == NULL || *v == '\0')
		return fail(err, errsize, "\"\"", "empty version");
	at = v;
	for (first(&t, v); t.tok < T_END; next(&t))
		at = t.p;
	if (t.tok == T_END)
		return 0;
	/* at: where the token that broke the grammar starts */
	if (at == v)
		snprintf(why, sizeof(why), "must start with a digit");
	else
		snprintf(why, sizeof(why), "invalid version at offset %zu",
		    (size_t)(at - v));
	return fail(err, errsize, v, why);
}

static int
strsort(const struct apk_tokenizer *a, const struct apk_tokenizer *b)
{
	int r = memcmp(a->val, b->val, a->len < b->len ? a->len : b->len);

	if (r == 0 && a->len != b->len)
		r = a->len < b->len ? -1 : 1;
	return (r > 0) - (r < 0);
}

static int
numsort(const struct apk_tokenizer *a, const struct apk_tokenizer *b)
{
	const char *x = a->val, *y = b->val;
	size_t xn = a->len, yn = b->len;
	int r;

	while (xn > 0 && *x == '0')
		x++, xn--;
	while (yn > 0 && *y == '0')
		y++, yn--;
	if (xn != yn)
		return xn < yn ? -1 : 1;
	r = memcmp(x, y, xn);
	return (r > 0) - (r < 0);
}

/* Two tokens of the same kind. */
static int
token_cmp(const struct apk_tokenizer *a, const struct apk_tokenizer *b)
{
	switch (a->tok) {
	case T_DIGIT:
		if (a->val[0] == '0' || b->val[0] == '0')
			return strsort(a, b);
		return numsort(a, b);
	case T_INITIAL:
	case T_SUFFIX_NO:
	case T_REVISION:
		return numsort(a, b);
	case T_LETTER:
		return (a->val[0] > b->val[0]) - (a->val[0] < b->val[0]);
	case T_SUFFIX:
		return (a->suffix > b->suffix) - (a->suffix < b->suffix);
	default:
		return strsort(a, b);
	}
}

int
version_apk_cmp(const char *a, const char *b)
{
	struct apk_tokenizer ta, tb;

	for (first(&ta, a), first(&tb, b); ta.tok == tb.tok && ta.tok < T_END;
	     next(&ta), next(&tb)) {
		int r = token_cmp(&ta, &tb);

		if (r != 0)
			return r;
	}
	if (ta.tok == tb.tok)
		return 0;
	if (ta.tok == T_SUFFIX && ta.suffix < S_NONE)
		return -1;
	if (tb.tok == T_SUFFIX && tb.suffix < S_NONE)
		return 1;
	return ta.tok > tb.tok ? -1 : 1;
}
