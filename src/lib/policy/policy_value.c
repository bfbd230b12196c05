/*
 * Condition values, read one way for the parser (which refuses a policy
 * whose value cannot be read) and the decision point (which reads the
 * policy's and the request's values): decimal numbers, dates, IP
 * addresses and CIDR networks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* A decimal number as JSON writes one (no hex, inf or nan, which strtod
 * would take): -?digits(.digits)?([eE][+-]?digits)?. */
int
policy_read_number(const char *s, double *out)
{
	const char *p = s;
	size_t n;

	if (s == NULL)
		return 0;
	if (*p == '-')
		p++;
	if ((n = strspn(p, "0123456789")) == 0)
		return 0;
	p += n;
	if (*p == '.') {
		if ((n = strspn(++p, "0123456789")) == 0)
			return 0;
		p += n;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if ((n = strspn(p, "0123456789")) == 0)
			return 0;
		p += n;
	}
	if (*p != '\0')
		return 0;
	errno = 0;
	*out = strtod(s, NULL);
	return errno == 0 && isfinite(*out);
}

/* Epoch seconds (an integer) or RFC 3339, to ms. */
int
policy_read_date(const char *s, int64_t *ms)
{
	const char *p = s;
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return 0;
	if (*p == '-')
		p++;
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || v > INT64_MAX / 1000 ||
		    v < INT64_MIN / 1000)
			return 0;
		*ms = (int64_t)v * 1000;
		return 1;
	}
	return vigil_time_parse(s, ms, NULL, 0) == VIGIL_OK;
}

int
policy_read_ip(const char *s, struct policy_ipnet *n, int cidr)
{
	char buf[64];
	const char *slash = cidr && s != NULL ? strchr(s, '/') : NULL;
	size_t al;
	int max;

	if (s == NULL)
		return 0;
	al = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (al == 0 || al >= sizeof buf)
		return 0;
	memcpy(buf, s, al);
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, n->a) == 1) {
		n->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->a) == 1) {
		n->family = AF_INET6;
		max = 128;
	} else {
		return 0;
	}
	n->bits = max;
	if (slash != NULL) {
		const char *d = slash + 1;
		int b = 0;

		if (*d == '\0' || strlen(d) > 3 ||
		    strspn(d, "0123456789") != strlen(d))
			return 0;
		for (; *d != '\0'; d++)
			b = b * 10 + (*d - '0');
		if (b > max)
			return 0;
		n->bits = b;
	}
	return 1;
}
