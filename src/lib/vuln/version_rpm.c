/*
 * RPM versions: [epoch:]version[-release], ordered as python3-rpm's
 * rpm.labelCompare orders (epoch, version, release) triples, each part
 * compared with rpmvercmp (rpm >= 4.15: '~' and '^').
 *
 * Parsing as rpm's parseEVR: an epoch is the leading digits before a
 * ':'; the release is what follows the last '-'. Missing epoch = 0. A
 * missing release sorts before every release, as labelCompare does
 * with None ("1.0" < "1.0-0"): a vulnerability bound always names a
 * release, an installed package always has one.
 * Validity (stricter than rpmvercmp, which treats any other byte as a
 * separator): version and release are non-empty and made of ASCII
 * alphanumerics and . _ + ~ ^ (rpmbuild's set without the macro
 * characters % { }); the epoch, when present, is non-empty digits.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"

struct evr {
	const char *e; /* NULL: epoch 0 */
	size_t elen;
	const char *v;
	size_t vlen;
	const char *r; /* NULL: no release */
	size_t rlen;
};

static void
split(const char *s, struct evr *p)
{
	const char *q = s, *hyphen;

	memset(p, 0, sizeof(*p));
	while (version_is_digit(*q))
		q++;
	if (*q == ':') {
		p->e = s;
		p->elen = (size_t)(q - s);
		s = q + 1;
	}
	hyphen = strrchr(s, '-');
	p->v = s;
	if (hyphen != NULL) {
		p->vlen = (size_t)(hyphen - s);
		p->r = hyphen + 1;
		p->rlen = strlen(p->r);
	} else {
		p->vlen = strlen(s);
	}
}

static int
check_part(const char *whole, const char *p, size_t n, const char *name,
    char *err, size_t errsize)
{
	char why[96];

	if (n == 0) {
		snprintf(why, sizeof(why), "%s is empty", name);
		return version_fail(err, errsize, "RPM", whole, why);
	}
	for (size_t i = 0; i < n; i++) {
		if (!version_is_digit(p[i]) && !version_is_alpha(p[i]) &&
		    strchr("._+~^", p[i]) == NULL) {
			snprintf(why, sizeof(why),
			    "invalid character in %s at offset %zu", name,
			    (size_t)(p - whole) + i);
			return version_fail(err, errsize, "RPM", whole, why);
		}
	}
	return 0;
}

int
version_rpm_check(const char *v, char *err, size_t errsize)
{
	struct evr p;

	if (v == NULL || *v == '\0')
		return version_fail(
		    err, errsize, "RPM", "\"\"", "empty version");
	if (v[0] == ':')
		return version_fail(err, errsize, "RPM", v, "epoch is empty");
	split(v, &p);
	if (check_part(v, p.v, p.vlen, "version", err, errsize) != 0)
		return -1;
	if (p.r != NULL &&
	    check_part(v, p.r, p.rlen, "release", err, errsize) != 0)
		return -1;
	return 0;
}

static int
sep(char c)
{
	return !version_is_digit(c) && !version_is_alpha(c) && c != '~' &&
	       c != '^';
}

/*
 * rpmvercmp: skip separators; '~' sorts before anything, even the
 * end; '^' sorts after the end but before anything else; then compare
 * the next all-digit or all-letter segment (numbers by value, letters
 * by strcmp, a number beating letters). The longer remainder wins.
 */
static int
vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	while (a < ae || b < be) {
		const char *as, *bs;
		size_t an, bn;
		int num, r;

		while (a < ae && sep(*a))
			a++;
		while (b < be && sep(*b))
			b++;
		if ((a < ae && *a == '~') || (b < be && *b == '~')) {
			if (a >= ae || *a != '~')
				return 1;
			if (b >= be || *b != '~')
				return -1;
			a++, b++;
			continue;
		}
		if ((a < ae && *a == '^') || (b < be && *b == '^')) {
			if (a >= ae)
				return -1;
			if (b >= be)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++, b++;
			continue;
		}
		if (a >= ae || b >= be)
			break;
		as = a;
		bs = b;
		num = version_is_digit(*a);
		if (num) {
			while (a < ae && version_is_digit(*a))
				a++;
			while (b < be && version_is_digit(*b))
				b++;
		} else {
			while (a < ae && version_is_alpha(*a))
				a++;
			while (b < be && version_is_alpha(*b))
				b++;
		}
		if (b == bs) /* different kinds: a number is newer */
			return num ? 1 : -1;
		if (num) {
			while (as < a && *as == '0')
				as++;
			while (bs < b && *bs == '0')
				bs++;
		}
		an = (size_t)(a - as);
		bn = (size_t)(b - bs);
		if (num && an != bn)
			return an < bn ? -1 : 1;
		r = memcmp(as, bs, an < bn ? an : bn);
		if (r == 0 && an != bn)
			r = an < bn ? -1 : 1;
		if (r != 0)
			return r < 0 ? -1 : 1;
	}
	if (a >= ae && b >= be)
		return 0;
	return a >= ae ? -1 : 1;
}

int
version_rpm_cmp(const char *a, const char *b)
{
	struct evr x, y;
	int r;

	split(a, &x);
	split(b, &y);
	r = vercmp(x.e != NULL ? x.e : "0", x.e != NULL ? x.elen : 1,
	    y.e != NULL ? y.e : "0", y.e != NULL ? y.elen : 1);
	if (r == 0)
		r = vercmp(x.v, x.vlen, y.v, y.vlen);
	if (r == 0 && (x.r != NULL || y.r != NULL)) {
		if (x.r == NULL)
			return -1;
		if (y.r == NULL)
			return 1;
		r = vercmp(x.r, x.rlen, y.r, y.rlen);
	}
	return r;
}
