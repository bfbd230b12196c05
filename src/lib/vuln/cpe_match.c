/*
 * CPE name matching (NISTIR 7696): the per-attribute relation of a
 * source value to a target value (Table 6-2, with the wildcard string
 * comparison of §6.1.2.2), and whole-name matching with the hardening
 * rules of include/vigil/vuln.h.
 *
 * Values are in the canonical spelling cpe.c writes (lowercase, '\'
 * quoting kept, unquoted '*' and '?' are wildcards), so equality is
 * byte equality.
 */
#include <stdbool.h>
#include <string.h>

#include "vigil/vuln.h"

static bool
is_any(const char *v)
{
	return v[0] == '*' && v[1] == '\0';
}

static bool
is_na(const char *v)
{
	return v[0] == '-' && v[1] == '\0';
}

/* Unquoted '*' or '?' anywhere in v. */
static bool
has_wild(const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\') {
			if (v[1] == '\0')
				return false;
			v++;
			continue;
		}
		if (*v == '*' || *v == '?')
			return true;
	}
	return false;
}

/* The '\' quoting characters in t[from, to): each quoted pair is one
 * character of the value. */
static size_t
escapes(const char *t, size_t from, size_t to)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		if (t[i] == '\\') {
			n++;
			i++;
		}
	return n;
}

/* Whether the character at s[i] is quoted (preceded by an odd run of
 * backslashes). */
static bool
quoted_at(const char *s, size_t i)
{
	size_t n = 0;

	while (i > 0 && s[i - 1] == '\\') {
		n++;
		i--;
	}
	return (n & 1) != 0;
}

/* Occurrence of needle[0, nl) in hay at or after from, or -1. */
static long
index_of(const char *hay, size_t hl, const char *needle, size_t nl,
    size_t from)
{
	if (nl > hl)
		return -1;
	for (size_t i = from; i + nl <= hl; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			return (long)i;
	return -1;
}

/*
 * NISTIR 7696 §6.1.2.2 compareStrings: source with wildcards against a
 * target without. A leading '*' matches any prefix, a leading run of k
 * '?' up to k characters; likewise at the end.
 */
static enum vigil_cpe_rel
compare_wild(const char *src, const char *tgt)
{
	size_t sl = strlen(src), tl = strlen(tgt);
	size_t start = 0, end = sl, ml, left = tl;
	long begins = 0, ends = 0, idx = -1;
	const char *mid;

	if (sl > 0 && src[0] == '*') {
		start = 1;
		begins = -1;
	} else {
		while (start < sl && src[start] == '?') {
			start++;
			begins++;
		}
	}
	if (end > start && src[end - 1] == '*' && !quoted_at(src, end - 1)) {
		end--;
		ends = -1;
	} else {
		while (end > start && src[end - 1] == '?' &&
		    !quoted_at(src, end - 1)) {
			end--;
			ends++;
		}
	}
	mid = src + start;
	ml = end - start;
	while (left > 0) {
		size_t e;

		idx = index_of(tgt, tl, mid, ml, (size_t)(idx + 1));
		if (idx < 0)
			break;
		e = escapes(tgt, 0, (size_t)idx);
		if (idx > 0 && begins != -1 &&
		    (size_t)begins < (size_t)idx - e)
			break;
		e = escapes(tgt, (size_t)idx + 1, tl);
		left = tl - (size_t)idx - e - ml;
		if (tl < (size_t)idx + e + ml)
			left = 0;
		if (left > 0 && ends != -1 && left > (size_t)ends)
			continue;
		return VIGIL_CPE_SUPERSET;
	}
	return VIGIL_CPE_DISJOINT;
}

enum vigil_cpe_rel
vigil_cpe_attr_compare(const char *source, const char *target)
{
	if (source == NULL || target == NULL)
		return VIGIL_CPE_UNDEFINED;
	if (is_any(source))
		return is_any(target) ? VIGIL_CPE_EQUAL :
		    has_wild(target) ? VIGIL_CPE_UNDEFINED :
		    VIGIL_CPE_SUPERSET;
	if (!is_any(target) && !is_na(target) && has_wild(target))
		return VIGIL_CPE_UNDEFINED;
	if (is_na(source))
		return is_any(target) ? VIGIL_CPE_SUBSET :
		    is_na(target) ? VIGIL_CPE_EQUAL : VIGIL_CPE_DISJOINT;
	if (is_any(target))
		return VIGIL_CPE_SUBSET;
	if (is_na(target))
		return VIGIL_CPE_DISJOINT;
	if (has_wild(source))
		return compare_wild(source, target);
	return strcmp(source, target) == 0 ? VIGIL_CPE_EQUAL :
	    VIGIL_CPE_DISJOINT;
}

int
vigil_cpe_match(const struct vigil_cpe *source,
    const struct vigil_cpe *target, unsigned flags)
{
	if (source == NULL || target == NULL || source->buf == NULL ||
	    target->buf == NULL)
		return 0;
	/* A target that does not say what it is matches nothing: a "*"
	 * vendor would otherwise match every vendor's criteria. */
	for (int a = VIGIL_CPE_PART; a <= VIGIL_CPE_PRODUCT; a++) {
		const char *t = target->attr[a];

		if (is_any(t) || is_na(t) || has_wild(t))
			return 0;
	}
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++) {
		enum vigil_cpe_rel r;

		if (a == VIGIL_CPE_VERSION && (flags & VIGIL_CPE_SKIP_VERSION))
			continue;
		r = vigil_cpe_attr_compare(source->attr[a], target->attr[a]);
		if (r != VIGIL_CPE_SUPERSET && r != VIGIL_CPE_EQUAL)
			return 0;
	}
	return 1;
}
