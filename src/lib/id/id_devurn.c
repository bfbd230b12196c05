/*
 * RFC 9039 device URNs (urn:dev:), parsed by the ABNF of §3:
 *
 *   devurn   = "urn:dev:" body componentpart
 *   body     = macbody / owbody / orgbody / osbody / opsbody / otherbody
 *   macbody  = %s"mac:" hexstring          owbody = %s"ow:" hexstring
 *   orgbody  = %s"org:" posnumber "-" identifier
 *   osbody   = %s"os:" posnumber "-" serial
 *   opsbody  = %s"ops:" posnumber "-" product "-" serial
 *   otherbody = subtype ":" identifier     subtype = LALPHA *(DIGIT/LALPHA)
 *   identifier = 1*devunreserved           product = 1*devunreservednodash
 *   serial   = identifier                  componentpart = *("_" identifier)
 *   devunreservednodash = ALPHA / DIGIT / "."
 *   devunreserved = devunreservednodash / "-"
 *   hexstring = 1*(hexdigit hexdigit)      posnumber = NZDIGIT *DIGIT
 *
 * Equivalence follows RFC 8141 §3: "urn" and the NID are
 * case-insensitive, the rest compares octet by octet. The one liberty
 * taken is lowering hex strings: ABNF literals "a".."f" match either
 * case, the RFC recommends lower case, and the same MAC must not get
 * two keys.
 */
#include <string.h>

#include "id_internal.h"

#define DEV_PREFIX "urn:dev:"
#define DEV_KEY_PREFIX "devurn:"
/* Longest URN whose match key still fits a struct vigil_id value. */
#define DEV_MAX_LEN (VIGIL_ID_MAX_VALUE - 1 - (sizeof DEV_KEY_PREFIX - 1))

enum dev_subtype { DEV_MAC, DEV_OW, DEV_ORG, DEV_OS, DEV_OPS, DEV_OTHER };

/* Parse state: the input, the message prefix and the pieces found. */
struct dev_parse {
	const char *in;
	size_t len;
	size_t p; /* next byte to read */
	char q[ID_QUOTE_SIZE];
	struct vigil_id *out;
	bool upper_hex;
};

/* devunreserved, or devunreservednodash when dash is false. */
static bool
is_unreserved(char c, bool dash)
{
	return id_is_alnum(c) || c == '.' || (dash && c == '-');
}

/* Error at the current byte: end of input, or a byte not allowed in
 * the named part. */
static enum vigil_err
fail_here(struct dev_parse *d, const char *part, const char *allowed)
{
	char b[8];

	if (d->p >= d->len)
		return id_fail(d->out, "device URN %s: %s missing at position "
		    "%zu (end of input)", d->q, part, d->len + 1);
	return id_fail(d->out, "device URN %s: invalid character '%s' in the "
	    "%s at position %zu (allowed: %s)", d->q,
	    id_quote(d->in + d->p, 1, b, sizeof b), part, d->p + 1, allowed);
}

/*
 * identifier / identifiernodash: one or more unreserved bytes. It ends
 * at '_' (a component follows), at the end of input, or, for a
 * product, at '-'. Sets [*s, *e).
 */
static enum vigil_err
scan_identifier(struct dev_parse *d, const char *part, bool dash,
    size_t *s, size_t *e)
{
	const char *allowed = dash ? "letters, digits, '.', '-'" :
	    "letters, digits, '.'";

	*s = d->p;
	while (d->p < d->len && is_unreserved(d->in[d->p], dash))
		d->p++;
	*e = d->p;
	if (d->p < d->len && d->in[d->p] != '_' && (dash ||
	    d->in[d->p] != '-'))
		return fail_here(d, part, allowed);
	if (*e == *s && d->p < d->len)
		return id_fail(d->out, "device URN %s: empty %s at position "
		    "%zu", d->q, part, d->p + 1);
	if (*e == *s)
		return fail_here(d, part, allowed);
	return VIGIL_OK;
}

/* hexstring: pairs of hex digits up to '_' or the end. */
static enum vigil_err
scan_hexstring(struct dev_parse *d, size_t *s, size_t *e)
{
	*s = d->p;
	while (d->p < d->len && id_is_hex(d->in[d->p])) {
		if (d->in[d->p] >= 'A' && d->in[d->p] <= 'F')
			d->upper_hex = true;
		d->p++;
	}
	*e = d->p;
	if (d->p < d->len && d->in[d->p] != '_')
		return fail_here(d, "hex string", "hex digits");
	if (*e == *s)
		return fail_here(d, "hex string", "hex digits");
	if ((*e - *s) % 2 != 0)
		return id_fail(d->out, "device URN %s: hex string at position "
		    "%zu has an odd number of digits (%zu)", d->q, *s + 1,
		    *e - *s);
	return VIGIL_OK;
}

/* posnumber "-": an IANA Private Enterprise Number. */
static enum vigil_err
scan_pen(struct dev_parse *d, size_t *s, size_t *e)
{
	char b[8];

	*s = d->p;
	if (d->p < d->len && d->in[d->p] == '0')
		return id_fail(d->out, "device URN %s: PEN at position %zu "
		    "starts with 0", d->q, d->p + 1);
	while (d->p < d->len && id_is_digit(d->in[d->p]))
		d->p++;
	*e = d->p;
	if (*e == *s)
		return fail_here(d, "PEN (enterprise number)", "digits");
	if (d->p >= d->len || d->in[d->p] != '-') {
		if (d->p >= d->len)
			return id_fail(d->out, "device URN %s: expected '-' "
			    "after the PEN at position %zu (end of input)",
			    d->q, d->p + 1);
		return id_fail(d->out, "device URN %s: expected '-' after the "
		    "PEN at position %zu, found '%s'", d->q, d->p + 1,
		    id_quote(d->in + d->p, 1, b, sizeof b));
	}
	d->p++;
	return VIGIL_OK;
}

/* Dallas/Maxim 1-Wire CRC-8 (polynomial x^8 + x^5 + x^4 + 1). */
static uint8_t
onewire_crc8(const uint8_t *b, size_t n)
{
	uint8_t crc = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t v = b[i];

		for (int k = 0; k < 8; k++) {
			uint8_t mix = (uint8_t)((crc ^ v) & 1);

			crc >>= 1;
			if (mix)
				crc ^= 0x8c;
			v >>= 1;
		}
	}
	return crc;
}

/* mac: always an EUI-64 (RFC 9039 §4.1); reuses the EUI-64 reading so
 * that the URN, the EUI-64 and the MAC of one device share a key. */
static enum vigil_err
describe_mac(struct dev_parse *d, const char *hex, size_t n, bool components)
{
	struct vigil_id e;
	struct vigil_id *out = d->out;

	if (n != 16) {
		if (n == 12)
			return id_fail(out, "device URN %s: mac needs 16 hex "
			    "digits (an EUI-64), got 12; a MAC-48 is written "
			    "urn:dev:mac:%.6sffff%.6s (RFC 9039 §4.1)", d->q,
			    hex, hex + 6);
		return id_fail(out, "device URN %s: mac needs 16 hex digits "
		    "(an EUI-64), got %zu", d->q, n);
	}
	memset(&e, 0, sizeof e);
	e.type = VIGIL_ID_EUI64;
	if (id_parse_eui64(hex, n, &e) != VIGIL_OK) /* cannot fail: 16 hex */
		return id_fail(out, "device URN %s: %s", d->q, e.error);
	/* A component names a part of the device, not the device. */
	if (!components)
		memcpy(out->match_key, e.match_key, sizeof out->match_key);
	for (size_t i = 0; i < e.nfields; i++)
		id_add_field(out, e.fields[i].name, "%s", e.fields[i].value);
	if (e.warning[0] != '\0')
		id_add_warning(out, "%s", e.warning);
	id_add_form(out, "eui64", "%s", e.normalized);
	if (vigil_id_field(&e, "encapsulated_mac") != NULL)
		id_add_form(out, "mac", "%s",
		    vigil_id_field(&e, "encapsulated_mac"));
	return VIGIL_OK;
}

/* ow: 1-Wire 64-bit ID = family code, 48-bit serial, CRC-8 of the
 * first seven bytes (RFC 9039 §4.2). The ABNF admits any hex string,
 * so deviations are remarks, not errors. */
static void
describe_ow(struct dev_parse *d, const char *hex, size_t n)
{
	uint8_t b[8];
	size_t nb;

	if (n != 16) {
		id_add_warning(d->out, "1-Wire identifiers are 64 bits (16 "
		    "hex digits), this one has %zu", n);
		return;
	}
	/* The scanner let only hex digits through, so this succeeds. */
	if (vigil_hex_decode(hex, n, b, sizeof b, &nb) != VIGIL_OK)
		return;
	id_add_field(d->out, "family_code", "%02x", b[0]);
	if (onewire_crc8(b, 7) != b[7])
		id_add_warning(d->out, "1-Wire CRC byte is %02x, expected "
		    "%02x: possibly mistyped", b[7], onewire_crc8(b, 7));
}

static enum dev_subtype
subtype_of(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum dev_subtype t;
	} known[] = { { "mac", DEV_MAC }, { "ow", DEV_OW }, { "org", DEV_ORG },
		{ "os", DEV_OS }, { "ops", DEV_OPS } };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (id_str_eq(s, n, known[i].name))
			return known[i].t;
	return DEV_OTHER;
}

/* subtype ":" with subtype = LALPHA *(DIGIT / LALPHA), lower case as
 * the RFC's text and every registered subtype have it. */
static enum vigil_err
scan_subtype(struct dev_parse *d, size_t *s, size_t *e)
{
	char b[8];

	*s = d->p;
	while (d->p < d->len && d->in[d->p] != ':') {
		char c = d->in[d->p];

		if (c >= 'A' && c <= 'Z')
			return id_fail(d->out, "device URN %s: subtype must be "
			    "lower case, found '%s' at position %zu", d->q,
			    id_quote(&c, 1, b, sizeof b), d->p + 1);
		if (!(c >= 'a' && c <= 'z') && !(id_is_digit(c) && d->p > *s))
			return fail_here(d, "subtype",
			    "a lower-case letter, then letters or digits");
		d->p++;
	}
	*e = d->p;
	if (*e == *s)
		return fail_here(d, "subtype", "a lower-case letter");
	if (d->p >= d->len)
		return id_fail(d->out, "device URN %s: expected ':' after the "
		    "subtype at position %zu (end of input)", d->q, d->p + 1);
	d->p++;
	return VIGIL_OK;
}

enum vigil_err
id_parse_dev_urn(const char *in, size_t len, struct vigil_id *out)
{
	struct dev_parse d;
	size_t ss = 0, se = 0, s1 = 0, e1 = 0, s2 = 0, e2 = 0, s3 = 0, e3 = 0;
	size_t cs;
	enum dev_subtype st;
	enum vigil_err rc;
	char norm[VIGIL_ID_MAX_VALUE];

	memset(&d, 0, sizeof d);
	d.in = in;
	d.len = len;
	d.out = out;
	id_quote(in, len, d.q, sizeof d.q);
	if (!id_has_prefix(in, len, DEV_PREFIX))
		return id_fail(out, "device URN %s: must start with "
		    DEV_PREFIX, d.q);
	if (len > DEV_MAX_LEN) {
		id_fail(out, "device URN %s: %zu characters, the limit is %zu",
		    d.q, len, DEV_MAX_LEN);
		return VIGIL_ERANGE;
	}
	d.p = sizeof DEV_PREFIX - 1;

	if ((rc = scan_subtype(&d, &ss, &se)) != VIGIL_OK)
		return rc;
	st = subtype_of(in + ss, se - ss);
	switch (st) {
	case DEV_MAC:
	case DEV_OW:
		rc = scan_hexstring(&d, &s1, &e1);
		break;
	case DEV_ORG:
	case DEV_OS:
		if ((rc = scan_pen(&d, &s1, &e1)) == VIGIL_OK)
			rc = scan_identifier(&d, st == DEV_ORG ? "identifier" :
			    "serial", true, &s2, &e2);
		break;
	case DEV_OPS:
		if ((rc = scan_pen(&d, &s1, &e1)) != VIGIL_OK ||
		    (rc = scan_identifier(&d, "product", false, &s2, &e2)) !=
		    VIGIL_OK)
			break;
		if (d.p >= d.len || in[d.p] != '-') {
			rc = id_fail(out, "device URN %s: expected '-' and a "
			    "serial after the product at position %zu",
			    d.q, d.p + 1);
			break;
		}
		d.p++;
		rc = scan_identifier(&d, "serial", true, &s3, &e3);
		break;
	case DEV_OTHER:
	default:
		rc = scan_identifier(&d, "identifier", true, &s1, &e1);
		break;
	}
	if (rc != VIGIL_OK)
		return rc;

	cs = d.p; /* componentpart = *( "_" identifier ) */
	while (d.p < d.len) {
		size_t a, b;

		d.p++; /* the '_' every scanner stopped at */
		if ((rc = scan_identifier(&d, "component", true, &a, &b)) !=
		    VIGIL_OK)
			return rc;
	}

	/* Canonical spelling: lower-case "urn:dev:", hex lowered, the
	 * rest exactly as given. */
	memcpy(norm, DEV_PREFIX, sizeof DEV_PREFIX - 1);
	for (size_t i = sizeof DEV_PREFIX - 1; i < len; i++) {
		char c = in[i];

		if (i >= s1 && i < e1 && (st == DEV_MAC || st == DEV_OW))
			c = id_lower(c);
		norm[i] = c;
	}
	norm[len] = '\0';
	id_set_normalized(out, "%s", norm);
	id_set_urn(out, "%s", norm);
	id_set_key(out, DEV_KEY_PREFIX "%s", norm);

	id_add_field(out, "subtype", "%.*s", (int)(se - ss), in + ss);
	switch (st) {
	case DEV_MAC:
	case DEV_OW:
		id_add_field(out, "id", "%.*s", (int)(e1 - s1), norm + s1);
		break;
	case DEV_ORG:
		id_add_field(out, "pen", "%.*s", (int)(e1 - s1), in + s1);
		id_add_field(out, "id", "%.*s", (int)(e2 - s2), in + s2);
		break;
	case DEV_OS:
		id_add_field(out, "pen", "%.*s", (int)(e1 - s1), in + s1);
		id_add_field(out, "serial", "%.*s", (int)(e2 - s2), in + s2);
		break;
	case DEV_OPS:
		id_add_field(out, "pen", "%.*s", (int)(e1 - s1), in + s1);
		id_add_field(out, "product", "%.*s", (int)(e2 - s2), in + s2);
		id_add_field(out, "serial", "%.*s", (int)(e3 - s3), in + s3);
		break;
	case DEV_OTHER:
	default:
		id_add_field(out, "id", "%.*s", (int)(e1 - s1), in + s1);
		break;
	}
	id_add_form(out, "urn", "%s", norm);

	if (d.upper_hex)
		id_add_warning(out, "upper-case hex lowered (RFC 9039 §3 "
		    "recommends lower case)");
	if (st == DEV_MAC && (rc = describe_mac(&d, norm + s1, e1 - s1,
	    cs < len)) != VIGIL_OK)
		return rc;
	if (st == DEV_OW)
		describe_ow(&d, norm + s1, e1 - s1);
	if (st == DEV_OTHER)
		id_add_warning(out, "subtype '%.*s' is not one defined by RFC "
		    "9039 (mac, ow, org, os, ops)", (int)(se - ss), in + ss);
	if (cs < len)
		id_add_field(out, "components", "%.*s", (int)(len - cs - 1),
		    in + cs + 1);
	return VIGIL_OK;
}

bool
id_shape_dev_urn(const char *in, size_t len)
{
	return id_has_prefix(in, len, DEV_PREFIX) != 0;
}
