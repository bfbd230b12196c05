/*
 * EPC binary encodings (TDS §14): hex text <-> struct epc_value.
 *
 * Decoding is strict, as TDS §14.3 asks of a decoder: a field whose
 * value has more decimal digits than its partition allows, a non-zero
 * reserved or padding bit, or a character outside the GS1 set makes
 * the bit string "not a legal encoding". Bit positions in messages are
 * counted from 0 at the first bit of the header.
 */
#include <stdio.h>
#include <string.h>

#include "id_epc.h"
#include "id_gs1.h"

#define HDR_BITS 8
#define FILTER_BITS 3
#define PARTITION_BITS 3

/* True when every bit in [from, to) is zero. */
static bool
bits_zero(const uint8_t *buf, unsigned from, unsigned to)
{
	for (unsigned off = from; off < to; off += 64) {
		unsigned n = to - off < 64 ? to - off : 64;

		if (id_epc_bits_get(buf, off, n) != 0)
			return false;
	}
	return true;
}

static enum vigil_err
decode_string(const char *in, size_t len, const uint8_t *buf, unsigned off,
    struct epc_value *v, struct vigil_id *out)
{
	size_t nc = 0;
	bool ended = false;

	/* TDS §14.3.5: 7-bit characters up to the first all-zero one; the
	 * rest of the field must be zero too. */
	for (unsigned i = 0; i < EPC_STRING_CHARS; i++) {
		unsigned at = off + 7 * i;
		unsigned c = (unsigned)id_epc_bits_get(buf, at, 7);

		if (ended) {
			if (c != 0)
				return id_epc_fail(out, in, len, "serial "
				    "character %u (bits %u-%u) is 0x%02X after "
				    "the terminating zero character; the rest "
				    "of the field must be zero", i + 1, at,
				    at + 6, c);
			continue;
		}
		if (c == 0) {
			ended = true;
			continue;
		}
		if (!gs1_cset82((int)c))
			return id_epc_fail(out, in, len, "serial character %u "
			    "(bits %u-%u) is 0x%02X, which is not in the GS1 "
			    "AI encodable character set 82", i + 1, at, at + 6,
			    c);
		v->ser[nc++] = (char)c;
	}
	v->ser[nc] = '\0';
	if (nc == 0)
		return id_epc_fail(out, in, len, "serial (bits %u-%u) is "
		    "empty: its first 7-bit character is zero", off,
		    off + 7 * EPC_STRING_CHARS - 1);
	return VIGIL_OK;
}

/* Reads a partition-table numeric field of `digits` digits. */
static enum vigil_err
decode_digits(const char *in, size_t len, const uint8_t *buf, unsigned off,
    unsigned bits, unsigned digits, const char *name, unsigned p,
    char *dst, size_t dstsize, struct vigil_id *out)
{
	uint64_t x = id_epc_bits_get(buf, off, bits);
	int w;

	if (digits == 0) {
		/* TDS §14.3.3: a zero-digit field is encoded as 0 and
		 * decodes to the empty string. */
		if (x != 0)
			return id_epc_fail(out, in, len, "%s (bits %u-%u) is "
			    "%llu, but partition %u gives it no digits, so it "
			    "must be 0", name, off, off + bits - 1,
			    (unsigned long long)x, p);
		dst[0] = '\0';
		return VIGIL_OK;
	}
	if (x >= id_epc_pow10(digits))
		return id_epc_fail(out, in, len, "%s (bits %u-%u) is %llu, "
		    "more than the %u digit%s of partition %u", name, off,
		    off + bits - 1, (unsigned long long)x, digits,
		    id_plural(digits), p);
	/* The partition tables fit dst; checking turns a table mistake
	 * into an error instead of a silently shortened field. */
	w = snprintf(dst, dstsize, "%0*llu", (int)digits,
	    (unsigned long long)x);
	if (w < 0 || (size_t)w >= dstsize)
		return id_epc_fail(out, in, len, "internal error: %s of %u "
		    "digits does not fit", name, digits);
	return VIGIL_OK;
}

static enum vigil_err
decode_bits(const char *in, size_t len, const struct epc_scheme *s,
    const uint8_t *buf, struct epc_value *v, struct vigil_id *out)
{
	const struct epc_kind_desc *k = s->kind;
	const struct epc_partition *pt;
	unsigned off = HDR_BITS, p;
	enum vigil_err rc;
	uint64_t x;

	memset(v, 0, sizeof *v);
	v->kind = k;
	v->scheme = s;
	v->filter = (unsigned)id_epc_bits_get(buf, off, FILTER_BITS);
	off += FILTER_BITS;
	p = (unsigned)id_epc_bits_get(buf, off, PARTITION_BITS);
	if (p >= EPC_NPARTITIONS)
		return id_epc_fail(out, in, len, "partition (bits %u-%u) is "
		    "%u, which %s does not define (0-6 are valid)", off,
		    off + PARTITION_BITS - 1, p, s->title);
	off += PARTITION_BITS;
	v->partition = p;
	pt = &k->partitions[p];

	rc = decode_digits(in, len, buf, off, pt->gcp_bits, pt->gcp_digits,
	    "company prefix", p, v->gcp, sizeof v->gcp, out);
	if (rc != VIGIL_OK)
		return rc;
	off += pt->gcp_bits;
	if (k->ref_name != NULL) {
		rc = decode_digits(in, len, buf, off, pt->ref_bits,
		    pt->ref_digits, k->ref_name, p, v->ref, sizeof v->ref,
		    out);
		if (rc != VIGIL_OK)
			return rc;
		off += pt->ref_bits;
	}

	switch (s->ser_enc) {
	case EPC_SER_NONE:
		break;
	case EPC_SER_INT:
		x = id_epc_bits_get(buf, off, s->ser_bits);
		snprintf(v->ser, sizeof v->ser, "%llu", (unsigned long long)x);
		off += s->ser_bits;
		break;
	case EPC_SER_PART_INT:
		x = id_epc_bits_get(buf, off, pt->ref_bits);
		snprintf(v->ser, sizeof v->ser, "%llu", (unsigned long long)x);
		off += pt->ref_bits;
		break;
	case EPC_SER_STRING:
		rc = decode_string(in, len, buf, off, v, out);
		if (rc != VIGIL_OK)
			return rc;
		off += s->ser_bits;
		break;
	}
	if (off < s->bits && !bits_zero(buf, off, s->bits))
		return id_epc_fail(out, in, len, "reserved bits %u-%u are not "
		    "zero", off, s->bits - 1);
	if (!bits_zero(buf, s->bits, s->hex_digits * 4))
		return id_epc_fail(out, in, len, "padding bits %u-%u after the "
		    "%u-bit %s are not zero", s->bits, s->hex_digits * 4 - 1,
		    s->bits, s->title);
	return VIGIL_OK;
}

enum vigil_err
id_epc_parse_hex(const char *in, size_t len, struct epc_value *v,
    struct vigil_id *out)
{
	const struct epc_scheme *s;
	uint8_t buf[EPC_BYTES_MAX];
	size_t skip = id_has_prefix(in, len, "0x"), n = len - skip, nb;
	unsigned header;
	char q[ID_QUOTE_SIZE];

	for (size_t i = skip; i < len; i++)
		if (!id_is_hex(in[i]))
			return id_epc_fail(out, in, len, "invalid hex digit "
			    "'%s' at position %zu",
			    id_quote(in + i, 1, q, sizeof q), i + 1);
	if (n < 2)
		return id_epc_fail(out, in, len, "%zu hex digit%s, expected "
		    "24 (96-bit schemes) or 50 (SGTIN-198)", n, id_plural(n));
	header = (unsigned)id_hex_uint(in + skip, 2);
	s = id_epc_scheme_by_header(header);
	if (s == NULL)
		return id_epc_fail(out, in, len, "header 0x%02X is not a "
		    "supported scheme (%s)", header, id_epc_header_list());
	if (n != s->hex_digits)
		return id_epc_fail(out, in, len, "%zu hex digits, but header "
		    "0x%02X (%s) needs %u", n, header, s->title,
		    s->hex_digits);
	/* Checked above: hex digits, an even number, at most 50. */
	if (vigil_hex_decode(in + skip, n, buf, sizeof buf, &nb) != VIGIL_OK)
		return id_epc_fail(out, in, len, "internal error decoding "
		    "%zu hex digits", n);
	return decode_bits(in, len, s, buf, v, out);
}

bool
id_epc_to_hex(const struct epc_value *v, char *dst, size_t size)
{
	static const char hexd[] = "0123456789ABCDEF";
	const struct epc_scheme *s = v->scheme;
	const struct epc_partition *pt;
	uint8_t buf[EPC_BYTES_MAX];
	unsigned off = 0;
	uint64_t x = 0;
	size_t n;

	if (s == NULL || v->partition >= EPC_NPARTITIONS ||
	    size <= s->hex_digits)
		return false;
	pt = &s->kind->partitions[v->partition];
	memset(buf, 0, sizeof buf);
	id_epc_bits_put(buf, off, HDR_BITS, s->header);
	off += HDR_BITS;
	id_epc_bits_put(buf, off, FILTER_BITS, v->filter);
	off += FILTER_BITS;
	id_epc_bits_put(buf, off, PARTITION_BITS, v->partition);
	off += PARTITION_BITS;
	if (!id_dec_uint(v->gcp, strlen(v->gcp), &x))
		return false;
	id_epc_bits_put(buf, off, pt->gcp_bits, x);
	off += pt->gcp_bits;
	if (s->kind->ref_name != NULL) {
		x = 0;
		if (pt->ref_digits > 0 &&
		    !id_dec_uint(v->ref, strlen(v->ref), &x))
			return false;
		id_epc_bits_put(buf, off, pt->ref_bits, x);
		off += pt->ref_bits;
	}
	switch (s->ser_enc) {
	case EPC_SER_NONE:
		break;
	case EPC_SER_INT:
	case EPC_SER_PART_INT:
		n = s->ser_enc == EPC_SER_INT ? s->ser_bits : pt->ref_bits;
		if (!id_dec_uint(v->ser, strlen(v->ser), &x) ||
		    (n < 64 && x >> n != 0))
			return false;
		id_epc_bits_put(buf, off, (unsigned)n, x);
		break;
	case EPC_SER_STRING:
		n = strlen(v->ser);
		if (n > EPC_STRING_CHARS)
			return false;
		for (size_t i = 0; i < n; i++)
			id_epc_bits_put(buf, off + 7 * (unsigned)i, 7,
			    (unsigned char)v->ser[i]);
		break;
	}
	for (size_t i = 0; i < s->hex_digits / 2; i++) {
		dst[2 * i] = hexd[buf[i] >> 4];
		dst[2 * i + 1] = hexd[buf[i] & 15];
	}
	dst[s->hex_digits] = '\0';
	return true;
}
