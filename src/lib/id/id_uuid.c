/*
 * RFC 9562 UUIDs: 8-4-4-4-12 hex (either case), {braced}, urn:uuid:
 * or 32 bare hex digits in; lower case out. Reports version, variant
 * and, for the time-based versions 1, 6 and 7, the embedded time.
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define UUID_URN_PREFIX "urn:uuid:"
#define UUID_OCTETS 16

/* 100-ns intervals from 1582-10-15 (the Gregorian reform, the v1/v6
 * epoch) to 1970-01-01 (RFC 9562 §5.1). */
#define GREGORIAN_TO_UNIX_100NS 122192928000000000LL

/* Offsets of the hyphens in the 36-character form. */
static const size_t uuid_hyphen[] = { 8, 13, 18, 23 };

static bool
is_hyphen_pos(size_t i)
{
	for (size_t k = 0; k < sizeof uuid_hyphen / sizeof uuid_hyphen[0];
	    k++)
		if (uuid_hyphen[k] == i)
			return true;
	return false;
}

/* Decodes the 36- or 32-character body in[off..off+n) into u. */
static enum vigil_err
decode_body(const char *in, size_t len, size_t off, size_t n,
    uint8_t u[UUID_OCTETS], struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], b[8];
	size_t k = 0;

	id_quote(in, len, q, sizeof q);
	if (n != 36 && n != 32)
		return id_fail(out, "UUID %s: %zu characters, expected 36 "
		    "(8-4-4-4-12) or 32 hex digits", q, n);
	for (size_t i = 0; i < n; i++) {
		char c = in[off + i];
		int v;

		if (n == 36 && is_hyphen_pos(i)) {
			if (c != '-')
				return id_fail(out, "UUID %s: expected '-' at "
				    "position %zu, found '%s'", q, off + i + 1,
				    id_quote(&c, 1, b, sizeof b));
			continue;
		}
		if (c == '-')
			return id_fail(out, "UUID %s: misplaced '-' at "
			    "position %zu (the form is 8-4-4-4-12)", q,
			    off + i + 1);
		if ((v = vigil_hex_value(c)) < 0)
			return id_fail(out, "UUID %s: invalid hex digit '%s' "
			    "at position %zu", q, id_quote(&c, 1, b, sizeof b),
			    off + i + 1);
		if (k % 2 == 0)
			u[k / 2] = (uint8_t)(v << 4);
		else
			u[k / 2] |= (uint8_t)v;
		k++;
	}
	return VIGIL_OK;
}

static bool
all_bytes(const uint8_t u[UUID_OCTETS], uint8_t v)
{
	for (size_t i = 0; i < UUID_OCTETS; i++)
		if (u[i] != v)
			return false;
	return true;
}

/* Variant field: the top bits of octet 8 (RFC 9562 §4.1, Table 1). */
static const char *
variant_name(uint8_t o8)
{
	if ((o8 & 0x80) == 0)
		return "ncs";
	if ((o8 & 0xc0) == 0x80)
		return "rfc9562";
	if ((o8 & 0xe0) == 0xc0)
		return "microsoft";
	return "future";
}

/* Floor division, so times before 1970 round towards the past. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The 60-bit Gregorian timestamp of v1 (time_low, time_mid,
 * time_hi_and_version) or v6 (time_high, time_mid, time_low). */
static uint64_t
gregorian_time(const uint8_t u[UUID_OCTETS], int version)
{
	uint64_t hi12 = (uint64_t)(u[6] & 0x0f) << 8 | u[7];
	uint64_t mid = (uint64_t)u[4] << 8 | u[5];
	uint64_t w32 = (uint64_t)u[0] << 24 | (uint64_t)u[1] << 16 |
	    (uint64_t)u[2] << 8 | u[3];

	if (version == 1)
		return hi12 << 48 | mid << 32 | w32;
	return w32 << 28 | mid << 12 | hi12;
}

static void
add_time_fields(struct vigil_id *out, const uint8_t u[UUID_OCTETS],
    int version)
{
	char ts[VIGIL_RFC3339_LEN];
	int64_t ms;

	if (version == 7) {
		/* unix_ts_ms: 48 bits of milliseconds (§5.7). */
		ms = 0;
		for (size_t i = 0; i < 6; i++)
			ms = ms << 8 | u[i];
		vigil_time_format(ms, ts);
		id_add_field(out, "timestamp", "%s", ts);
		return;
	}
	ms = floor_div((int64_t)gregorian_time(u, version) -
	    GREGORIAN_TO_UNIX_100NS, 10000);
	vigil_time_format(ms, ts);
	id_add_field(out, "timestamp", "%s", ts);
	id_add_field(out, "clock_seq", "%u",
	    (unsigned)((u[8] & 0x3f) << 8 | u[9]));
	id_add_field(out, "node", "%02x:%02x:%02x:%02x:%02x:%02x", u[10],
	    u[11], u[12], u[13], u[14], u[15]);
}

enum vigil_err
id_parse_uuid(const char *in, size_t len, struct vigil_id *out)
{
	uint8_t u[UUID_OCTETS] = { 0 }; /* filled only on success */
	char s[37], q[ID_QUOTE_SIZE];
	size_t off = 0, n = len, p;
	const char *variant;
	enum vigil_err rc;
	int version;

	if ((p = id_has_prefix(in, len, UUID_URN_PREFIX)) != 0) {
		off = p;
		n = len - p;
	} else if (in[0] == '{') {
		if (len < 2 || in[len - 1] != '}')
			return id_fail(out, "UUID %s: missing closing '}'",
			    id_quote(in, len, q, sizeof q));
		off = 1;
		n = len - 2;
	}
	if ((rc = decode_body(in, len, off, n, u, out)) != VIGIL_OK)
		return rc;

	snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	id_set_normalized(out, "%s", s);
	id_set_urn(out, UUID_URN_PREFIX "%s", s);
	id_set_key(out, "uuid:%s", s);

	version = u[6] >> 4;
	variant = variant_name(u[8]);
	if (all_bytes(u, 0x00) || all_bytes(u, 0xff)) {
		/* §5.9 / §5.10: special values outside version/variant. */
		id_add_field(out, "special", "%s", u[0] ? "max" : "nil");
	} else if (strcmp(variant, "rfc9562") != 0) {
		id_add_field(out, "variant", "%s", variant);
		id_add_warning(out, "variant %s is not the RFC 9562 variant "
		    "(%s); version and time fields are not interpreted",
		    variant, strcmp(variant, "future") == 0 ?
		    "reserved for future definition" :
		    "reserved for backward compatibility");
	} else {
		id_add_field(out, "version", "%d", version);
		id_add_field(out, "variant", "%s", variant);
		if (version == 1 || version == 6 || version == 7)
			add_time_fields(out, u, version);
		if (version == 0 || version > 8)
			id_add_warning(out, "version %d is not defined by RFC "
			    "9562 (%s)", version, version == 0 ? "unused" :
			    "reserved for future definition");
	}

	id_add_form(out, "uuid", "%s", s);
	id_add_form(out, "urn", "%s", out->urn);
	id_add_form(out, "braced", "{%s}", s);
	id_add_form(out, "hex", "%.8s%.4s%.4s%.4s%.12s", s, s + 9, s + 14,
	    s + 19, s + 24);
	return VIGIL_OK;
}

bool
id_shape_uuid(const char *in, size_t len)
{
	int ver, var;

	if (len == 0)
		return false;
	if (id_has_prefix(in, len, UUID_URN_PREFIX) || in[0] == '{')
		return true;
	if (len == 36) {
		for (size_t i = 0; i < len; i++)
			if ((in[i] == '-') != is_hyphen_pos(i))
				return false;
		return true;
	}
	if (len != 32 || !id_all_hex(in, len))
		return false;
	/*
	 * Without hyphens, 32 digits are also an EID's shape. Claim only
	 * what an RFC 9562 generator writes (version 1-8, variant 10xx)
	 * or Nil/Max, so that a typed EID is not drowned in UUID
	 * candidates; --type uuid still parses any 32 hex digits.
	 */
	ver = vigil_hex_value(in[12]);
	var = vigil_hex_value(in[16]);
	if (ver >= 1 && ver <= 8 && (var & 0xc) == 0x8)
		return true;
	for (size_t i = 1; i < len; i++)
		if ((in[i] | 0x20) != (in[0] | 0x20))
			return false;
	return in[0] == '0' || in[0] == 'f' || in[0] == 'F';
}
