/*
 * MAC-48 / EUI-48 and EUI-64 (IEEE 802; RFC 9039 §4.1 for the URN;
 * RFC 4291 App. A for the IPv6 interface identifier).
 *
 * Every common spelling comes in (colons, hyphens, spaces, Cisco dots,
 * bare hex, single-digit octets as python-stdnum pads them), one
 * canonical lower-case colon form goes out. Single-digit octets are a
 * colon-form convention (python-stdnum mac.compact("d0:5:9:04:a2:a0"),
 * which reads '-' as ':' too), never a spaced one: "AF 01 23 45 0A BC
 * DE C" is a MEID with its check digit, not an EUI-64. An EUI-64 that
 * merely wraps a MAC (ff:ff or ff:fe in octets 4-5) shares the MAC's
 * match key, so the same device is found whichever way it was
 * enrolled.
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define EUI_MAX_OCTETS 8
#define EUI_MAX_GROUPS 17 /* one past any valid count, for messages */

#define DEV_MAC_PREFIX "urn:dev:mac:"

/* Separators that may stand between single-digit octets. A MAC keeps
 * '-' as well, as python-stdnum does (its compact() turns '-' into ':'
 * before padding; tests/integration/id_stdnum_crosscheck.sh holds vigil
 * to it). An EUI-64 has no such precedent, and 8 groups are what a
 * grouped MEID with its check digit looks like ("AF-01-...-DE-C"), so
 * only ':' there. */
#define MAC_SHORT_SEPS ":-"
#define EUI64_SHORT_SEPS ":"

/* Bits of the first octet (IEEE 802-2014 §8.2). */
#define IG_BIT 0x01 /* individual/group: 1 = group (multicast) */
#define UL_BIT 0x02 /* universal/local: 1 = locally administered */

struct eui_group {
	size_t start;  /* offset of the first digit */
	size_t ndig;   /* hex digits in the group */
};

/*
 * Splits in[0..len) into hex groups at one kind of separator (':',
 * '-', ' ' or '.') and decodes noctets octets into o. Accepted: bare
 * hex (2*noctets digits), noctets groups of 2 digits (or of 1-2
 * digits when the separator is in short_seps), or noctets/2
 * dot-separated groups of 4 digits (Cisco). Anything else fails with
 * what and where; positions are 1-based in the text as given.
 */
static enum vigil_err
decode_octets(const char *title, const char *in, size_t len, size_t noctets,
    const char *short_seps, uint8_t o[EUI_MAX_OCTETS], struct vigil_id *out)
{
	struct eui_group g[EUI_MAX_GROUPS];
	size_t ng = 0, start = 0, ndig = 0;
	char sep = '\0', q[ID_QUOTE_SIZE], b[8];
	bool short_ok;

	id_quote(in, len, q, sizeof q);
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? in[i] : '\0';

		if (i < len && id_is_hex(c)) {
			ndig++;
			continue;
		}
		if (i < len && strchr(":- .", c) == NULL) {
			return id_fail(out, "%s %s: invalid %s '%s' at "
			    "position %zu", title, q,
			    id_is_alnum(c) ? "hex digit" :
			    "character", id_quote(&c, 1, b, sizeof b), i + 1);
		}
		if (i < len && sep != '\0' && c != sep)
			return id_fail(out, "%s %s: mixed separators: '%c' at "
			    "position %zu, but '%c' before", title, q, c,
			    i + 1, sep);
		if (i < len)
			sep = c;
		if (ndig == 0)
			return id_fail(out, "%s %s: %s at position %zu",
			    title, q, i < len ? "empty group" :
			    "trailing separator", i < len ? i + 1 : len);
		if (ng < EUI_MAX_GROUPS) {
			g[ng].start = start;
			g[ng].ndig = ndig;
		}
		ng++;
		start = i + 1;
		ndig = 0;
	}

	if (sep == '\0') {
		if (g[0].ndig != 2 * noctets)
			return id_fail(out, "%s %s: %zu hex digits, expected "
			    "%zu", title, q, g[0].ndig, 2 * noctets);
		for (size_t k = 0; k < noctets; k++)
			o[k] = (uint8_t)id_hex_uint(in + 2 * k, 2);
		return VIGIL_OK;
	}
	if (sep == '.') {
		for (size_t k = 0; k < ng && k < EUI_MAX_GROUPS; k++)
			if (g[k].ndig != 4)
				return id_fail(out, "%s %s: group '%.*s' at "
				    "position %zu has %zu hex digits, the "
				    "dotted form needs 4", title, q,
				    (int)g[k].ndig, in + g[k].start,
				    g[k].start + 1, g[k].ndig);
		if (ng != noctets / 2)
			return id_fail(out, "%s %s: %zu groups of 4 hex "
			    "digits, expected %zu", title, q, ng,
			    noctets / 2);
		for (size_t k = 0; k < noctets; k++)
			o[k] = (uint8_t)id_hex_uint(in + g[k / 2].start +
			    2 * (k % 2), 2);
		return VIGIL_OK;
	}
	short_ok = strchr(short_seps, sep) != NULL;
	for (size_t k = 0; k < ng && k < EUI_MAX_GROUPS; k++) {
		if (g[k].ndig > 2 && short_ok)
			return id_fail(out, "%s %s: octet '%.*s' at position "
			    "%zu has %zu hex digits, expected 1 or 2", title,
			    q, (int)g[k].ndig, in + g[k].start,
			    g[k].start + 1, g[k].ndig);
		if (g[k].ndig != 2 && !short_ok)
			return id_fail(out, "%s %s: octet '%.*s' at position "
			    "%zu has %zu hex digit%s, expected 2 with '%c' "
			    "separators", title, q, (int)g[k].ndig,
			    in + g[k].start, g[k].start + 1, g[k].ndig,
			    id_plural(g[k].ndig), sep);
	}
	if (ng != noctets)
		return id_fail(out, "%s %s: %zu octets, expected %zu", title,
		    q, ng, noctets);
	for (size_t k = 0; k < noctets; k++)
		o[k] = (uint8_t)id_hex_uint(in + g[k].start, g[k].ndig);
	return VIGIL_OK;
}

/* The RFC 9039 spelling urn:dev:mac:<16 hex>, always an EUI-64. */
static enum vigil_err
decode_dev_mac(const char *title, const char *in, size_t len,
    uint8_t o[EUI_MAX_OCTETS], struct vigil_id *out)
{
	size_t p = strlen(DEV_MAC_PREFIX);
	char q[ID_QUOTE_SIZE], b[8];

	id_quote(in, len, q, sizeof q);
	for (size_t i = p; i < len; i++)
		if (!id_is_hex(in[i]))
			return id_fail(out, "%s %s: invalid hex digit '%s' "
			    "at position %zu", title, q,
			    id_quote(in + i, 1, b, sizeof b), i + 1);
	if (len - p != 16)
		return id_fail(out, "%s %s: %zu hex digits after "
		    DEV_MAC_PREFIX ", expected 16 (RFC 9039 §4.1)", title, q,
		    len - p);
	for (size_t k = 0; k < 8; k++)
		o[k] = (uint8_t)id_hex_uint(in + p + 2 * k, 2);
	return VIGIL_OK;
}

/* True when an EUI-64 wraps a MAC-48 (ff:ff) or EUI-48 (ff:fe). */
static bool
encapsulates_mac(const uint8_t o[EUI_MAX_OCTETS])
{
	return o[3] == 0xff && (o[4] == 0xff || o[4] == 0xfe);
}

/* Fields and warnings shared by MAC and EUI-64: the two flag bits of
 * the first octet. */
static void
add_flags(struct vigil_id *out, uint8_t first)
{
	bool group = (first & IG_BIT) != 0, local = (first & UL_BIT) != 0;

	id_add_field(out, "group", "%s", group ? "yes" : "no");
	id_add_field(out, "locally_administered", "%s", local ? "yes" : "no");
	if (group)
		id_add_warning(out, "group (multicast) address: names a group, "
		    "not one interface");
	if (local)
		id_add_warning(out, "locally administered (U/L bit set): may "
		    "be randomised or locally assigned, not a stable "
		    "hardware identity");
}

enum vigil_err
id_parse_mac(const char *in, size_t len, struct vigil_id *out)
{
	/* Zeroed: the decoders fill them only on success. */
	uint8_t o[EUI_MAX_OCTETS] = { 0 }, m[EUI_MAX_OCTETS] = { 0 };
	enum vigil_err rc;

	if (id_has_prefix(in, len, DEV_MAC_PREFIX)) {
		char q[ID_QUOTE_SIZE];

		if ((rc = decode_dev_mac("MAC", in, len, o, out)) != VIGIL_OK)
			return rc;
		if (!encapsulates_mac(o))
			return id_fail(out, "MAC %s: octets 4-5 are "
			    "%02x:%02x, expected ff:ff (MAC-48) or ff:fe "
			    "(EUI-48): an EUI-64, not a MAC",
			    id_quote(in, len, q, sizeof q), o[3], o[4]);
		memcpy(m, o, 3);
		memcpy(m + 3, o + 5, 3);
	} else if ((rc = decode_octets("MAC", in, len, 6, MAC_SHORT_SEPS, m,
	    out)) != VIGIL_OK)
		return rc;

	id_set_normalized(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
	    m[2], m[3], m[4], m[5]);
	/* RFC 9039 §4.1: a MAC-48 gets ffff after the OUI. */
	id_set_urn(out, DEV_MAC_PREFIX "%02x%02x%02xffff%02x%02x%02x", m[0],
	    m[1], m[2], m[3], m[4], m[5]);
	id_set_key(out, "mac:%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);

	id_add_field(out, "oui", "%02x:%02x:%02x", m[0], m[1], m[2]);
	id_add_field(out, "nic", "%02x:%02x:%02x", m[3], m[4], m[5]);
	add_flags(out, m[0]);

	id_add_form(out, "colon", "%s", out->normalized);
	id_add_form(out, "hyphen", "%02X-%02X-%02X-%02X-%02X-%02X", m[0],
	    m[1], m[2], m[3], m[4], m[5]);
	id_add_form(out, "dot", "%02x%02x.%02x%02x.%02x%02x", m[0], m[1],
	    m[2], m[3], m[4], m[5]);
	id_add_form(out, "bare", "%02x%02x%02x%02x%02x%02x", m[0], m[1],
	    m[2], m[3], m[4], m[5]);
	id_add_form(out, "urn", "%s", out->urn);
	id_add_form(out, "urn-eui48", DEV_MAC_PREFIX
	    "%02x%02x%02xfffe%02x%02x%02x", m[0], m[1], m[2], m[3], m[4],
	    m[5]);
	/* RFC 4291 App. A: modified EUI-64 inverts the U/L bit. */
	id_add_form(out, "ipv6-iid", "%02x%02x:%02xff:fe%02x:%02x%02x",
	    m[0] ^ UL_BIT, m[1], m[2], m[3], m[4], m[5]);
	id_add_form(out, "eui64", "%02x:%02x:%02x:ff:fe:%02x:%02x:%02x", m[0],
	    m[1], m[2], m[3], m[4], m[5]);
	return VIGIL_OK;
}

enum vigil_err
id_parse_eui64(const char *in, size_t len, struct vigil_id *out)
{
	uint8_t o[EUI_MAX_OCTETS] = { 0 }; /* filled only on success */
	enum vigil_err rc;

	if (id_has_prefix(in, len, DEV_MAC_PREFIX))
		rc = decode_dev_mac("EUI-64", in, len, o, out);
	else
		rc = decode_octets("EUI-64", in, len, 8, EUI64_SHORT_SEPS, o,
		    out);
	if (rc != VIGIL_OK)
		return rc;

	id_set_normalized(out, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x",
	    o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	id_set_urn(out, DEV_MAC_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x",
	    o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	if (encapsulates_mac(o))
		id_set_key(out, "mac:%02x%02x%02x%02x%02x%02x", o[0], o[1],
		    o[2], o[5], o[6], o[7]);
	else
		id_set_key(out, "eui64:%02x%02x%02x%02x%02x%02x%02x%02x",
		    o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]);

	id_add_field(out, "oui", "%02x:%02x:%02x", o[0], o[1], o[2]);
	add_flags(out, o[0]);
	if (encapsulates_mac(o))
		id_add_field(out, "encapsulated_mac",
		    "%02x:%02x:%02x:%02x:%02x:%02x", o[0], o[1], o[2], o[5],
		    o[6], o[7]);

	id_add_form(out, "colon", "%s", out->normalized);
	id_add_form(out, "hyphen", "%02X-%02X-%02X-%02X-%02X-%02X-%02X-%02X",
	    o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	id_add_form(out, "dot", "%02x%02x.%02x%02x.%02x%02x.%02x%02x", o[0],
	    o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	id_add_form(out, "bare", "%02x%02x%02x%02x%02x%02x%02x%02x", o[0],
	    o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	id_add_form(out, "urn", "%s", out->urn);
	/* RFC 4291 App. A: modified EUI-64 inverts the U/L bit. */
	id_add_form(out, "ipv6-iid", "%02x%02x:%02x%02x:%02x%02x:%02x%02x",
	    o[0] ^ UL_BIT, o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
	/* The MAC-48 it wraps, as the dev-urn type gives it. */
	if (encapsulates_mac(o))
		id_add_form(out, "mac", "%02x:%02x:%02x:%02x:%02x:%02x", o[0],
		    o[1], o[2], o[5], o[6], o[7]);
	return VIGIL_OK;
}

/* ngroups groups of 1-2 letters or digits joined by one kind of
 * separator from ":- ". Letters beyond f are let through so that a
 * typo is reported by the parser rather than ignored. */
static bool
shape_octet_groups(const char *in, size_t len, size_t ngroups)
{
	size_t ng = 1, run = 0;
	char sep = '\0';

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (id_is_alnum(c)) {
			if (++run > 2)
				return false;
			continue;
		}
		if (strchr(":- ", c) == NULL || run == 0 ||
		    (sep != '\0' && c != sep))
			return false;
		sep = c;
		run = 0;
		ng++;
	}
	return sep != '\0' && run > 0 && ng == ngroups;
}

/* Bare hex digits: only with at least one letter a-f. A string of
 * decimal digits is far more often a GTIN, an IMEISV or a serial than a
 * MAC written without separators; --type mac still accepts it. */
static bool
shape_bare(const char *in, size_t len, size_t ndigits)
{
	if (len != ndigits || !id_all_hex(in, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!id_is_digit(in[i]))
			return true;
	return false;
}

/* Cisco style: ngroups groups of exactly 4 letters or digits joined by
 * dots. */
static bool
shape_dotted(const char *in, size_t len, size_t ngroups)
{
	if (len != ngroups * 5 - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i % 5 == 4) {
			if (in[i] != '.')
				return false;
		} else if (!id_is_alnum(in[i]))
			return false;
	}
	return true;
}

bool
id_shape_mac(const char *in, size_t len)
{
	if (shape_bare(in, len, 12) || shape_dotted(in, len, 3))
		return true;
	/* 4 to 7 groups: a MAC with an octet missing or one too many is
	 * reported as a bad MAC rather than as nothing at all (8 groups
	 * are an EUI-64). */
	for (size_t g = 4; g <= 7; g++)
		if (shape_octet_groups(in, len, g))
			return true;
	return false;
}

bool
id_shape_eui64(const char *in, size_t len)
{
	return shape_bare(in, len, 16) || shape_octet_groups(in, len, 8) ||
	    shape_dotted(in, len, 4);
}
