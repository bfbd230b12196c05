/*
 * CIDR prefixes (detect.h): "10.0.0.0/8", "fd00::/8" or one address,
 * parsed strictly (host bits must be zero, the prefix in range) and
 * matched against flow addresses.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "vigil/detect.h"

bool
vigil_cidr_parse(const char *s, struct vigil_cidr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;
	unsigned prefix, max;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return false;
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		memset(out, 0, sizeof *out);
		return false;
	}
	prefix = max;
	if (slash != NULL) {
		const char *p = slash + 1;

		if (*p == '\0' || strlen(p) > 3)
			goto bad;
		prefix = 0;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > max)
			goto bad;
	}
	out->prefix = (uint8_t)prefix;
	/* Host bits set mean a typo ("10.1.2.3/8"): refuse it. */
	for (unsigned i = prefix; i < max; i++)
		if (out->addr[i / 8] & (0x80 >> (i % 8)))
			goto bad;
	return true;
bad:
	memset(out, 0, sizeof *out);
	return false;
}

bool
vigil_cidr_contains(const struct vigil_cidr *c, uint8_t family,
    const uint8_t addr[16])
{
	unsigned full, rest;

	if (c == NULL || c->family != family)
		return false;
	if (family == 4) {
		/* One masked compare: this runs for every flow endpoint. */
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
		    (uint32_t)addr[2] << 8 | addr[3];
		uint32_t n = (uint32_t)c->addr[0] << 24 |
		    (uint32_t)c->addr[1] << 16 | (uint32_t)c->addr[2] << 8 |
		    c->addr[3];
		uint32_t m = c->prefix == 0 ? 0 : c->prefix >= 32 ?
		    UINT32_MAX : ~(UINT32_MAX >> c->prefix);

		return (a & m) == (n & m);
	}
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((c->addr[full] & mask) != (addr[full] & mask))
			return false;
	}
	return true;
}
