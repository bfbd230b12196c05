/*
 * HardwareModuleName (RFC 4108 §5: SEQUENCE { hwType OBJECT
 * IDENTIFIER, hwSerialNum OCTET STRING }), the otherName in the SAN
 * of IEEE 802.1AR device certificates. OpenSSL 3.0 has no type for it
 * (it prints "<unsupported>"), so this file reads and writes it with a
 * small strict DER codec: definite minimal lengths, minimal OID arcs,
 * no trailing bytes, every length checked against what is left.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vigil/pki.h"

#define TAG_OID 0x06
#define TAG_OCTETS 0x04
#define TAG_SEQUENCE 0x30
#define ARC_MAX (UINT64_C(1) << 56) /* 8 base-128 bytes at most */
#define OID_TEXT 64

/* Reads one TLV with the given tag at *p (bounded by end): sets *v and
 * *vlen and moves *p past it. -1 on anything but strict DER. */
static int
der_read(const uint8_t **p, const uint8_t *end, uint8_t tag,
    const uint8_t **v, size_t *vlen)
{
	const uint8_t *q = *p;
	size_t len;

	if (end - q < 2 || q[0] != tag)
		return -1;
	len = q[1];
	q += 2;
	if (len == 0x81) {
		if (end - q < 1 || q[0] < 0x80)
			return -1; /* short form was required */
		len = q[0];
		q += 1;
	} else if (len == 0x82) {
		if (end - q < 2 || q[0] == 0)
			return -1; /* 0x81 form was required */
		len = (size_t)q[0] << 8 | q[1];
		q += 2;
	} else if (len >= 0x80) {
		return -1; /* indefinite or longer than we accept */
	}
	if ((size_t)(end - q) < len)
		return -1;
	*v = q;
	*vlen = len;
	*p = q + len;
	return 0;
}

/* Dotted text of OID content bytes; -1 when not minimal or too long. */
static int
oid_text(const uint8_t *c, size_t len, char *out, size_t size)
{
	size_t i = 0, pos = 0;
	int first = 1, n;

	if (len == 0)
		return -1;
	while (i < len) {
		uint64_t arc = 0;

		if (c[i] == 0x80)
			return -1; /* leading zero group: not minimal */
		do {
			if (i >= len || arc >= ARC_MAX >> 7)
				return -1;
			arc = arc << 7 | (c[i] & 0x7f);
		} while (c[i++] & 0x80);
		if (first) {
			unsigned top = arc < 40 ? 0 : arc < 80 ? 1 : 2;

			n = snprintf(out + pos, size - pos, "%u.%llu", top,
			    (unsigned long long)(arc - (uint64_t)40 * top));
			first = 0;
		} else {
			n = snprintf(out + pos, size - pos, ".%llu",
			    (unsigned long long)arc);
		}
		if (n < 0 || (size_t)n >= size - pos)
			return -1;
		pos += (size_t)n;
	}
	return 0;
}

enum vigil_err
vigil_pki_hmn_parse(const uint8_t *der, size_t len, char oid[64],
    uint8_t serial[VIGIL_PKI_HMN_SERIAL_MAX], size_t *serial_len,
    char *err, size_t errsize)
{
	const uint8_t *p = der, *end, *seq, *o, *s;
	size_t seqlen, olen, slen;

	oid[0] = '\0';
	*serial_len = 0;
	if (der == NULL || len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: empty");
	end = der + len;
	if (der_read(&p, end, TAG_SEQUENCE, &seq, &seqlen) != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: not a DER SEQUENCE");
	if (p != end)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: %zu trailing bytes",
		    (size_t)(end - p));
	p = seq;
	end = seq + seqlen;
	if (der_read(&p, end, TAG_OID, &o, &olen) != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: hwType is not a DER OBJECT "
		    "IDENTIFIER");
	if (oid_text(o, olen, oid, OID_TEXT) != 0) {
		oid[0] = '\0';
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: hwType OID is malformed or too "
		    "long");
	}
	if (der_read(&p, end, TAG_OCTETS, &s, &slen) != 0) {
		oid[0] = '\0';
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "HardwareModuleName: hwSerialNum is not a DER OCTET "
		    "STRING");
	}
	if (p != end || slen == 0 || slen > VIGIL_PKI_HMN_SERIAL_MAX) {
		oid[0] = '\0';
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    p != end ? "HardwareModuleName: bytes after hwSerialNum" :
		    "HardwareModuleName: hwSerialNum must be 1 to 64 bytes");
	}
	memcpy(serial, s, slen);
	*serial_len = slen;
	return VIGIL_OK;
}

/* Parses the next decimal arc of a dotted OID; -1 when malformed. */
static int
arc_next(const char **s, uint64_t *arc)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return -1; /* leading zero */
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= ARC_MAX)
			return -1;
	}
	if (*p == '.')
		p++;
	else if (*p != '\0')
		return -1;
	*arc = v;
	*s = p;
	return 0;
}

/* Base-128 encoding of arc at out (room checked); bytes written or -1. */
static long
arc_put(uint64_t arc, uint8_t *out, size_t room)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (uint8_t)(arc & 0x7f);
		arc >>= 7;
	} while (arc != 0);
	if (n > room)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
	return (long)n;
}

/* Writes a DER length at out; bytes written or -1. */
static long
len_put(size_t len, uint8_t *out, size_t room)
{
	if (len < 0x80 && room >= 1) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xff && room >= 2) {
		out[0] = 0x81;
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff && room >= 3) {
		out[0] = 0x82;
		out[1] = (uint8_t)(len >> 8);
		out[2] = (uint8_t)len;
		return 3;
	}
	return -1;
}

static size_t
len_size(size_t len)
{
	return len < 0x80 ? 1 : len <= 0xff ? 2 : 3;
}

long
vigil_pki_hmn_encode(const char *oid, const uint8_t *serial,
    size_t serial_len, uint8_t *buf, size_t size)
{
	uint8_t body[64];
	size_t blen = 0, inner, total, pos = 0;
	const char *s = oid;
	uint64_t a1, a2, arc;
	long n;

	if (oid == NULL || buf == NULL || (serial == NULL && serial_len) ||
	    serial_len > VIGIL_PKI_HMN_SERIAL_MAX || serial_len == 0 ||
	    strlen(oid) >= OID_TEXT)
		return -1;
	if (arc_next(&s, &a1) != 0 || *s == '\0' || arc_next(&s, &a2) != 0)
		return -1;
	if (a1 > 2 || (a1 < 2 && a2 >= 40) || a2 > ARC_MAX - 81)
		return -1;
	if ((n = arc_put(a1 * 40 + a2, body, sizeof body)) < 0)
		return -1;
	blen = (size_t)n;
	while (*s != '\0') {
		if (arc_next(&s, &arc) != 0 ||
		    (n = arc_put(arc, body + blen, sizeof body - blen)) < 0)
			return -1;
		blen += (size_t)n;
	}
	if (s > oid && s[-1] == '.')
		return -1; /* trailing dot */
	inner = 1 + len_size(blen) + blen + 1 + len_size(serial_len) +
	    serial_len;
	total = 1 + len_size(inner) + inner;
	if (total > size)
		return -1;
	buf[pos++] = TAG_SEQUENCE;
	pos += (size_t)len_put(inner, buf + pos, size - pos);
	buf[pos++] = TAG_OID;
	pos += (size_t)len_put(blen, buf + pos, size - pos);
	memcpy(buf + pos, body, blen);
	pos += blen;
	buf[pos++] = TAG_OCTETS;
	pos += (size_t)len_put(serial_len, buf + pos, size - pos);
	memcpy(buf + pos, serial, serial_len);
	pos += serial_len;
	return (long)pos;
}
