/*
 * Debian package versions, deb-version(7): [epoch:]upstream[-revision],
 * compared exactly as dpkg (lib/dpkg/version.c) compares them.
 *
 * Parsing follows dpkg's parseversion: the epoch ends at the first ':',
 * the revision starts after the last '-' (so upstream may hold '-'
 * only when there is a revision, and ':' only when there is an epoch).
 * Where dpkg only warns, we decide:
 *   - an upstream version that does not start with a digit is
 *     ACCEPTED: dpkg --compare-versions warns and then compares it
 *     with the ordinary algorithm, and old archive versions exist;
 *   - a character outside deb-version(7)'s set (upstream: alphanumerics
 *     and . + ~ - :, revision: alphanumerics and . + ~) is REFUSED: it
 *     never occurs in a real archive and means the input is not a
 *     Debian version (e.g. "1.0 (sid)").
 * Stricter than dpkg: the epoch must be plain decimal digits (strtol
 * would also take "+1"), and whitespace anywhere is refused (dpkg
 * trims it at both ends); callers trim.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"

struct dpkg_ver {
	const char *epoch; /* digits, or NULL for epoch 0 */
	size_t elen;
	const char *up;
	size_t ulen;
	const char *rev; /* NULL: no revision, which compares as "0" */
	size_t rlen;
};

/* Splits without validating; v must have passed version_dpkg_check. */
static void
split(const char *v, struct dpkg_ver *d)
{
	const char *colon = strchr(v, ':');
	const char *hyphen;

	memset(d, 0, sizeof(*d));
	if (colon != NULL) {
		d->epoch = v;
		d->elen = (size_t)(colon - v);
		v = colon + 1;
	}
	hyphen = strrchr(v, '-');
	d->up = v;
	if (hyphen != NULL) {
		d->ulen = (size_t)(hyphen - v);
		d->rev = hyphen + 1;
		d->rlen = strlen(d->rev);
	} else {
		d->ulen = strlen(v);
	}
}

int
version_dpkg_check(const char *v, char *err, size_t errsize)
{
	struct dpkg_ver d;
	char why[96];
	size_t i;

	if (v == NULL || *v == '\0')
		return version_fail(
		    err, errsize, "dpkg", "\"\"", "empty version");
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] == ' ' || (v[i] >= '\t' && v[i] <= '\r')) {
			snprintf(
			    why, sizeof(why), "whitespace at offset %zu", i);
			return version_fail(err, errsize, "dpkg", v, why);
		}
	}
	split(v, &d);
	if (d.epoch != NULL) {
		unsigned long long e = 0;

		if (d.elen == 0)
			return version_fail(
			    err, errsize, "dpkg", v, "epoch is empty");
		for (i = 0; i < d.elen; i++) {
			if (!version_is_digit(d.epoch[i])) {
				snprintf(why, sizeof(why),
				    "epoch is not a number at offset %zu", i);
				return version_fail(
				    err, errsize, "dpkg", v, why);
			}
			e = e * 10 + (unsigned long long)(d.epoch[i] - '0');
			if (e > INT_MAX)
				return version_fail(err, errsize, "dpkg", v,
				    "epoch is too big (max 2147483647)");
		}
		if (d.up[0] == '\0')
			return version_fail(err, errsize, "dpkg", v,
			    "nothing after the epoch colon");
	}
	if (d.rev != NULL && d.rlen == 0)
		return version_fail(
		    err, errsize, "dpkg", v, "revision is empty");
	if (d.ulen == 0)
		return version_fail(
		    err, errsize, "dpkg", v, "upstream version is empty");
	for (i = 0; i < d.ulen; i++) {
		char c = d.up[i];

		if (!version_is_digit(c) && !version_is_alpha(c) &&
		    strchr(".+~-:", c) == NULL) {
			snprintf(why, sizeof(why),
			    "invalid character in upstream version at "
			    "offset %zu",
			    (size_t)(d.up - v) + i);
			return version_fail(err, errsize, "dpkg", v, why);
		}
	}
	for (i = 0; i < d.rlen; i++) {
		char c = d.rev[i];

		if (!version_is_digit(c) && !version_is_alpha(c) &&
		    strchr(".+~", c) == NULL) {
			snprintf(why, sizeof(why),
			    "invalid character in revision at offset %zu",
			    (size_t)(d.rev - v) + i);
			return version_fail(err, errsize, "dpkg", v, why);
		}
	}
	return 0;
}

/*
 * deb-version(7) sort weight of a non-digit character: '~' before the
 * end of the part, the end before letters, letters (ASCII order)
 * before every other character.
 */
static int
weight(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	if (*p == '~')
		return -1;
	if (version_is_alpha(*p))
		return (unsigned char)*p;
	return (unsigned char)*p + 256;
}

/* Two digit runs compared as numbers of any length. */
static int
numcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r;

	while (alen > 0 && *a == '0')
		a++, alen--;
	while (blen > 0 && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	r = memcmp(a, b, alen);
	return (r > 0) - (r < 0);
}

/*
 * The deb-version(7) algorithm: alternate the longest non-digit
 * prefix (compared by weight, character by character) and the longest
 * digit prefix (compared numerically, an empty run being 0).
 */
static int
part_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae || b < be) {
		const char *as, *bs;
		int r;

		while ((a < ae && !version_is_digit(*a)) ||
		       (b < be && !version_is_digit(*b))) {
			int wa =
			    a < ae && !version_is_digit(*a) ? weight(a, ae) : 0;
			int wb =
			    b < be && !version_is_digit(*b) ? weight(b, be) : 0;

			if (wa != wb)
				return wa < wb ? -1 : 1;
			a++, b++;
		}
		for (as = a; a < ae && version_is_digit(*a); a++)
			;
		for (bs = b; b < be && version_is_digit(*b); b++)
			;
		r = numcmp(as, (size_t)(a - as), bs, (size_t)(b - bs));
		if (r != 0)
			return r;
	}
	return 0;
}

int
version_dpkg_cmp(const char *a, const char *b)
{
	struct dpkg_ver x, y;
	int r;

	split(a, &x);
	split(b, &y);
	r = numcmp(x.epoch != NULL ? x.epoch : "", x.elen,
	    y.epoch != NULL ? y.epoch : "", y.elen);
	if (r == 0)
		r = part_cmp(x.up, x.ulen, y.up, y.ulen);
	if (r == 0)
		r = part_cmp(x.rev != NULL ? x.rev : "", x.rlen,
		    y.rev != NULL ? y.rev : "", y.rlen);
	return r;
}
