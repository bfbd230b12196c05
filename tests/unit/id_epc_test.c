/*
 * Unit tests of the RFID EPC parser (src/lib/id/id_epc*.c): the GS1 EPC
 * Tag Data Standard App. E.3 vectors in every spelling (hex, tag URI,
 * pure-identity URI), an SGTIN-198 vector built from the TDS rules,
 * every SGTIN partition, and each rejection with its exact message;
 * and the reverse, GS1 element strings and Digital Links encoded as
 * EPCs (vigil_epc_encode), checked against the same vectors.
 * Expected hex strings that are not TDS vectors were computed
 * independently (Python, bit strings assembled by hand).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "id/id_internal.h"
#include "vigil/id.h"

static struct vigil_id id, again;

static void
parse_ok(const char *s)
{
	enum vigil_err rc = vigil_id_parse(VIGIL_ID_EPC, s, strlen(s), &id);

	if (rc != VIGIL_OK)
		fail_msg("%s: rc %d, error \"%s\"", s, rc, id.error);
	assert_int_equal(id.type, VIGIL_ID_EPC);
}

static void
parse_err(const char *s, const char *want)
{
	enum vigil_err rc = vigil_id_parse(VIGIL_ID_EPC, s, strlen(s), &id);

	assert_int_equal(rc, VIGIL_EINVAL);
	assert_string_equal(id.error, want);
}

static void
assert_field(const char *name, const char *want)
{
	const char *got = vigil_id_field(&id, name);

	if (got == NULL)
		fail_msg("field %s missing", name);
	assert_string_equal(got, want);
}

static void
assert_form(const char *name, const char *want)
{
	const char *got = vigil_id_form(&id, name);

	if (got == NULL)
		fail_msg("form %s missing", name);
	assert_string_equal(got, want);
}

/* Parses s and checks identity, key, tag URI and hex at once. */
static void
assert_epc(const char *s, const char *pure, const char *key,
    const char *tag, const char *hex)
{
	parse_ok(s);
	assert_string_equal(id.normalized, pure);
	assert_string_equal(id.urn, pure);
	assert_string_equal(id.match_key, key);
	assert_form("pure-uri", pure);
	assert_form("tag-uri", tag);
	assert_form("hex", hex);
}

/* ---- TDS App. E.3 vectors ---------------------------------------- */

static void
sgtin96_hex_decodes_to_tds_vector_with_all_fields(void **state)
{
	(void)state;
	assert_epc("3074257BF7194E4000001A85",
	    "urn:epc:id:sgtin:0614141.812345.6789",
	    "gs1:(01)80614141123458(21)6789",
	    "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
	    "3074257BF7194E4000001A85");
	assert_int_equal(id.nfields, 8);
	assert_field("scheme", "sgtin-96");
	assert_field("filter", "3");
	assert_field("filter_meaning", "reserved");
	assert_field("partition", "5");
	assert_field("company_prefix", "0614141");
	assert_field("item_reference", "812345");
	assert_field("serial", "6789");
	assert_field("gtin", "80614141123458");
	assert_form("element-string", "(01)80614141123458(21)6789");
	assert_string_equal(id.warning, "");
}

static void
sgtin96_tag_uri_encodes_to_tds_hex(void **state)
{
	(void)state;
	assert_epc("urn:epc:tag:sgtin-96:3.0614141.812345.6789",
	    "urn:epc:id:sgtin:0614141.812345.6789",
	    "gs1:(01)80614141123458(21)6789",
	    "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
	    "3074257BF7194E4000001A85");
}

static void
sgtin_pure_uri_uses_filter_0_and_96_bits_when_serial_fits(void **state)
{
	(void)state;
	assert_epc("urn:epc:id:sgtin:0614141.812345.6789",
	    "urn:epc:id:sgtin:0614141.812345.6789",
	    "gs1:(01)80614141123458(21)6789",
	    "urn:epc:tag:sgtin-96:0.0614141.812345.6789",
	    "3014257BF7194E4000001A85");
	assert_field("filter", "0");
	assert_field("filter_meaning", "all others");
	assert_string_equal(id.warning, "");
}

static void
sscc96_vector_in_all_spellings(void **state)
{
	(void)state;
	assert_epc("3174257BF4499602D2000000",
	    "urn:epc:id:sscc:0614141.1234567890",
	    "gs1:(00)106141412345678908",
	    "urn:epc:tag:sscc-96:3.0614141.1234567890",
	    "3174257BF4499602D2000000");
	assert_int_equal(id.nfields, 6);
	assert_field("scheme", "sscc-96");
	assert_field("partition", "5");
	assert_field("company_prefix", "0614141");
	assert_field("serial_reference", "1234567890");
	assert_field("sscc", "106141412345678908");
	assert_null(vigil_id_field(&id, "filter_meaning"));
	assert_form("element-string", "(00)106141412345678908");
	parse_ok("urn:epc:id:sscc:0614141.1234567890");
	assert_string_equal(id.match_key, "gs1:(00)106141412345678908");
	assert_form("hex", "3114257BF4499602D2000000");
}

static void
sgln96_vector_in_all_spellings(void **state)
{
	(void)state;
	assert_epc("3274257BF46072000000162E",
	    "urn:epc:id:sgln:0614141.12345.5678",
	    "gs1:(414)0614141123452(254)5678",
	    "urn:epc:tag:sgln-96:3.0614141.12345.5678",
	    "3274257BF46072000000162E");
	assert_field("location_reference", "12345");
	assert_field("extension", "5678");
	assert_field("gln", "0614141123452");
	assert_form("element-string", "(414)0614141123452(254)5678");
	parse_ok("urn:epc:tag:sgln-96:3.0614141.12345.5678");
	assert_form("hex", "3274257BF46072000000162E");
}

static void
grai96_vector_keeps_the_8003_filler_zero(void **state)
{
	(void)state;
	assert_epc("3374257BF40C0E400000162E",
	    "urn:epc:id:grai:0614141.12345.5678",
	    "gs1:(8003)006141411234525678",
	    "urn:epc:tag:grai-96:3.0614141.12345.5678",
	    "3374257BF40C0E400000162E");
	assert_field("asset_type", "12345");
	assert_field("serial", "5678");
	assert_field("grai", "006141411234525678");
	assert_form("element-string", "(8003)006141411234525678");
	parse_ok("urn:epc:id:grai:0614141.12345.5678");
	assert_form("hex", "3314257BF40C0E400000162E");
}

static void
giai96_vector_in_all_spellings(void **state)
{
	(void)state;
	assert_epc("3474257BF40000000000162E",
	    "urn:epc:id:giai:0614141.5678",
	    "gs1:(8004)06141415678",
	    "urn:epc:tag:giai-96:3.0614141.5678",
	    "3474257BF40000000000162E");
	assert_field("individual_asset_reference", "5678");
	assert_field("giai", "06141415678");
	assert_form("element-string", "(8004)06141415678");
	parse_ok("urn:epc:tag:giai-96:3.0614141.5678");
	assert_form("hex", "3474257BF40000000000162E");
}

/* ---- SGTIN-198 ----------------------------------------------------- */

static void
sgtin198_encodes_percent_escape_as_one_7bit_character(void **state)
{
	(void)state;
	/* '/' is 0x2F = 0101111: one character, not "%", "2", "F". */
	assert_epc("urn:epc:tag:sgtin-198:3.0614141.812345.32a%2Fb",
	    "urn:epc:id:sgtin:0614141.812345.32a%2Fb",
	    "gs1:(01)80614141123458(21)32a/b",
	    "urn:epc:tag:sgtin-198:3.0614141.812345.32a%2Fb",
	    "3674257BF7194E59B2C2BF1000000000000000000000000000");
	assert_field("scheme", "sgtin-198");
	assert_field("serial", "32a/b");
	assert_form("element-string", "(01)80614141123458(21)32a/b");
}

static void
sgtin198_hex_decodes_back_to_the_escaped_tag_uri(void **state)
{
	(void)state;
	assert_epc("3674257bf7194e59b2c2bf1000000000000000000000000000",
	    "urn:epc:id:sgtin:0614141.812345.32a%2Fb",
	    "gs1:(01)80614141123458(21)32a/b",
	    "urn:epc:tag:sgtin-198:3.0614141.812345.32a%2Fb",
	    "3674257BF7194E59B2C2BF1000000000000000000000000000");
}

static void
sgtin198_accepts_any_escape_and_renders_canonically(void **state)
{
	(void)state;
	parse_ok("urn:epc:tag:sgtin-198:3.0614141.812345.%33%32a%2fb");
	assert_string_equal(id.normalized,
	    "urn:epc:id:sgtin:0614141.812345.32a%2Fb");
	assert_form("hex",
	    "3674257BF7194E59B2C2BF1000000000000000000000000000");
}

static void
sgtin198_full_20_character_serial_round_trips(void **state)
{
	char hex[64];

	(void)state;
	parse_ok("urn:epc:tag:sgtin-198:1.0614141.812345."
	    "AZaz0!%22%25%26'()*+,-.%2F:;");
	snprintf(hex, sizeof hex, "%s", vigil_id_form(&id, "hex"));
	assert_field("serial", "AZaz0!\"%&'()*+,-./:;");
	parse_ok(hex);
	assert_form("tag-uri", "urn:epc:tag:sgtin-198:1.0614141.812345."
	    "AZaz0!%22%25%26'()*+,-.%2F:;");
}

static void
pure_sgtin_leading_zero_serial_uses_sgtin198(void **state)
{
	(void)state;
	assert_epc("urn:epc:id:sgtin:0614141.812345.06789",
	    "urn:epc:id:sgtin:0614141.812345.06789",
	    "gs1:(01)80614141123458(21)06789",
	    "urn:epc:tag:sgtin-198:0.0614141.812345.06789",
	    "3614257BF7194E58366EE1C800000000000000000000000000");
	assert_string_equal(id.warning, "serial '06789' has a leading zero, "
	    "which SGTIN-96 cannot encode; the tag URI and binary use "
	    "SGTIN-198");
}

static void
pure_sgtin_serial_of_2_pow_38_uses_sgtin198(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:sgtin:0614141.812345.274877906944");
	assert_field("scheme", "sgtin-198");
	assert_string_equal(id.warning, "serial '274877906944' is greater "
	    "than 274877906943, the largest 38-bit value SGTIN-96 can "
	    "encode; the tag URI and binary use SGTIN-198");
	parse_ok("urn:epc:id:sgtin:0614141.812345.274877906943");
	assert_field("scheme", "sgtin-96");
	assert_form("hex", "3014257BF7194E7FFFFFFFFF");
}

/* ---- partitions ---------------------------------------------------- */

static void
sgtin_every_partition_round_trips_through_hex(void **state)
{
	static const struct {
		const char *tag, *hex, *gtin;
	} v[] = {
		{ "urn:epc:tag:sgtin-96:1.061414181234.5.6789",
		    "302039324825C94000001A85", "50614141812344" },
		{ "urn:epc:tag:sgtin-96:1.06141418123.45.6789",
		    "30242DC1D3516B4000001A85", "40614141812354" },
		{ "urn:epc:tag:sgtin-96:1.0614141812.345.6789",
		    "3028249B0F74564000001A85", "30614141812456" },
		{ "urn:epc:tag:sgtin-96:1.061414181.2345.6789",
		    "302C3A91B2524A4000001A85", "20614141813456" },
		{ "urn:epc:tag:sgtin-96:1.06141418.12345.6789",
		    "30302EDAF50C0E4000001A85", "10614141823458" },
		{ "urn:epc:tag:sgtin-96:1.0614141.812345.6789",
		    "3034257BF7194E4000001A85", "80614141123458" },
		{ "urn:epc:tag:sgtin-96:1.061414.1812345.6789",
		    "30383BF986E9DE4000001A85", "10614148123452" },
	};
	char want[4];

	(void)state;
	for (size_t p = 0; p < sizeof v / sizeof v[0]; p++) {
		snprintf(want, sizeof want, "%zu", p);
		parse_ok(v[p].tag);
		assert_field("partition", want);
		assert_form("hex", v[p].hex);
		assert_field("gtin", v[p].gtin);
		parse_ok(v[p].hex);
		assert_field("partition", want);
		assert_form("tag-uri", v[p].tag);
		assert_field("filter_meaning",
		    "point of sale (POS) trade item");
	}
}

static void
other_schemes_every_partition_round_trips_through_hex(void **state)
{
	/* Digits of company prefix + second field for SSCC, SGLN, GRAI
	 * (GIAI has no second field). */
	static const struct {
		const char *kind;
		unsigned total;
		bool ser;
	} k[] = {
		{ "sscc", 17, false }, { "sgln", 12, true },
		{ "grai", 12, true }, { "giai", 0, true },
	};
	char uri[128], hex[VIGIL_ID_MAX_VALUE], norm[VIGIL_ID_MAX_VALUE];
	char want[4];

	(void)state;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		for (unsigned p = 0; p < 7; p++) {
			unsigned l = 12 - p;
			int n = snprintf(uri, sizeof uri, "urn:epc:id:%s:%.*s",
			    k[i].kind, (int)l, "061414112345");

			if (k[i].total > 0)
				n += snprintf(uri + n, sizeof uri - (size_t)n,
				    ".%.*s", (int)(k[i].total - l),
				    "12345678901");
			if (k[i].ser)
				snprintf(uri + n, sizeof uri - (size_t)n,
				    ".5678");
			parse_ok(uri);
			snprintf(want, sizeof want, "%u", p);
			assert_field("partition", want);
			snprintf(hex, sizeof hex, "%s",
			    vigil_id_form(&id, "hex"));
			snprintf(norm, sizeof norm, "%s", id.normalized);
			assert_string_equal(norm, uri);
			parse_ok(hex);
			assert_string_equal(id.normalized, norm);
			assert_field("partition", want);
		}
	}
}

static void
sgln_partition_0_has_an_empty_location_reference(void **state)
{
	(void)state;
	assert_epc("urn:epc:tag:sgln-96:0.061414112345..5678",
	    "urn:epc:id:sgln:061414112345..5678",
	    "gs1:(414)0614141123452(254)5678",
	    "urn:epc:tag:sgln-96:0.061414112345..5678",
	    "3200393243F164000000162E");
	assert_field("location_reference", "");
	parse_ok("3200393243F164000000162E");
	assert_string_equal(id.normalized,
	    "urn:epc:id:sgln:061414112345..5678");
}

static void
grai_partition_0_has_an_empty_asset_type(void **state)
{
	char hex[64];

	(void)state;
	parse_ok("urn:epc:id:grai:061414112345..7");
	assert_string_equal(id.match_key, "gs1:(8003)006141411234527");
	assert_field("asset_type", "");
	snprintf(hex, sizeof hex, "%s", vigil_id_form(&id, "hex"));
	parse_ok(hex);
	assert_string_equal(id.normalized, "urn:epc:id:grai:061414112345..7");
}

static void
giai96_asset_reference_limit_follows_partition_bits(void **state)
{
	(void)state;
	/* Partition 6: 62 bits, largest value 2^62 - 1. */
	parse_ok("345878903FFFFFFFFFFFFFFF");
	assert_string_equal(id.normalized,
	    "urn:epc:id:giai:123456.4611686018427387903");
	assert_form("tag-uri",
	    "urn:epc:tag:giai-96:2.123456.4611686018427387903");
	parse_err("urn:epc:tag:giai-96:2.123456.4611686018427387904",
	    "EPC urn:epc:tag:giai-96:2.123456.4611686018427387904: "
	    "individual asset reference '4611686018427387904' at position 30 "
	    "is greater than 4611686018427387903, the largest 62-bit value "
	    "GIAI-96 can encode");
}

/* ---- pure identities that no implemented scheme encodes ------------ */

static void
sgln_extension_zero_means_no_ai_254(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:sgln:0614141.12345.0");
	assert_string_equal(id.match_key, "gs1:(414)0614141123452");
	assert_form("element-string", "(414)0614141123452");
	assert_form("hex", "3214257BF460720000000000");
}

static void
pure_sgln_alnum_extension_warns_no_tag_form(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:sgln:0614141.12345.00");
	assert_string_equal(id.match_key, "gs1:(414)0614141123452(254)00");
	assert_null(vigil_id_form(&id, "hex"));
	assert_null(vigil_id_form(&id, "tag-uri"));
	assert_null(vigil_id_field(&id, "scheme"));
	assert_string_equal(id.warning, "extension '00' has a leading zero, "
	    "which SGLN-96 cannot encode; SGLN-195 is not implemented, so "
	    "there is no tag URI or binary form");
}

static void
pure_giai_with_letters_keeps_them_in_the_key(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:giai:0614141.A%2FB-7");
	assert_string_equal(id.match_key, "gs1:(8004)0614141A/B-7");
	assert_field("individual_asset_reference", "A/B-7");
	assert_string_equal(id.warning, "individual asset reference 'A/B-7' "
	    "is not a decimal integer, which GIAI-96 cannot encode; GIAI-202 "
	    "is not implemented, so there is no tag URI or binary form");
}

static void
pure_grai_serial_may_contain_dots(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:grai:0614141.12345.x.y");
	assert_field("serial", "x.y");
	assert_string_equal(id.match_key, "gs1:(8003)00614141123452x.y");
}

/* ---- spelling ------------------------------------------------------ */

static void
urn_and_nid_are_case_insensitive_the_rest_is_not(void **state)
{
	(void)state;
	parse_ok("URN:EPC:id:sscc:0614141.1234567890");
	assert_string_equal(id.normalized,
	    "urn:epc:id:sscc:0614141.1234567890");
	parse_err("urn:epc:ID:sgtin:0614141.812345.1",
	    "EPC urn:epc:ID:sgtin:0614141.812345.1: URI type 'ID' at position "
	    "9 is not supported; expected 'id' (pure identity) or 'tag' (tag "
	    "URI)");
	parse_err("urn:epc:id:SGTIN:0614141.812345.1",
	    "EPC urn:epc:id:SGTIN:0614141.812345.1: scheme 'SGTIN' at "
	    "position 12 must be written in lower case");
}

static void
hex_accepts_0x_prefix_lower_case_and_surrounding_space(void **state)
{
	(void)state;
	parse_ok("  0x3074257bf7194e4000001a85\n");
	assert_string_equal(id.match_key, "gs1:(01)80614141123458(21)6789");
	assert_form("hex", "3074257BF7194E4000001A85");
}

static void
all_spellings_share_the_gs1_match_key(void **state)
{
	char key[VIGIL_ID_MAX_VALUE];

	(void)state;
	parse_ok("3074257BF7194E4000001A85");
	snprintf(key, sizeof key, "%s", id.match_key);
	parse_ok("urn:epc:tag:sgtin-96:1.0614141.812345.6789");
	assert_string_equal(id.match_key, key);
	parse_ok("urn:epc:tag:sgtin-198:1.0614141.812345.6789");
	assert_string_equal(id.match_key, key);
	assert_int_equal(vigil_id_parse(VIGIL_ID_EPC, id.normalized,
	    strlen(id.normalized), &again), VIGIL_OK);
	assert_string_equal(again.match_key, key);
}

/* ---- binary rejections --------------------------------------------- */

static void
rejects_unsupported_header_listing_the_supported_ones(void **state)
{
	(void)state;
	parse_err("3974257BF7194E4000001A85",
	    "EPC 3974257BF7194E4000001A85: header 0x39 is not a supported "
	    "scheme (SGTIN-96 0x30, SSCC-96 0x31, SGLN-96 0x32, GRAI-96 0x33, "
	    "GIAI-96 0x34, SGTIN-198 0x36)");
}

static void
rejects_partition_7_with_its_bit_position(void **state)
{
	(void)state;
	parse_err("307C257BF7194E4000001A85",
	    "EPC 307C257BF7194E4000001A85: partition (bits 11-13) is 7, which "
	    "SGTIN-96 does not define (0-6 are valid)");
}

static void
rejects_hex_length_that_does_not_match_the_header(void **state)
{
	(void)state;
	parse_err("3074257BF7194E4000001A8",
	    "EPC 3074257BF7194E4000001A8: 23 hex digits, but header 0x30 "
	    "(SGTIN-96) needs 24");
	parse_err("3674257BF7194E4000001A85",
	    "EPC 3674257BF7194E4000001A85: 24 hex digits, but header 0x36 "
	    "(SGTIN-198) needs 50");
	parse_err("0x3", "EPC 0x3: 1 hex digit, expected 24 (96-bit schemes) "
	    "or 50 (SGTIN-198)");
}

static void
rejects_non_hex_character_with_position(void **state)
{
	(void)state;
	parse_err("3074257BF7194E4000001G85",
	    "EPC 3074257BF7194E4000001G85: invalid hex digit 'G' at position "
	    "22");
	parse_err("0x3074257BF7194E40000 1A85",
	    "EPC 0x3074257BF7194E40000 1A85: invalid hex digit ' ' at "
	    "position 22");
}

static void
rejects_company_prefix_value_beyond_partition_digits(void **state)
{
	(void)state;
	parse_err("3023FFFFFFFFFC0000000001",
	    "EPC 3023FFFFFFFFFC0000000001: company prefix (bits 14-53) is "
	    "1099511627775, more than the 12 digits of partition 0");
}

static void
rejects_item_reference_value_beyond_partition_digits(void **state)
{
	(void)state;
	parse_err("30200000257BF70000000001",
	    "EPC 30200000257BF70000000001: item reference (bits 54-57) is 12, "
	    "more than the 1 digit of partition 0");
}

static void
rejects_nonzero_location_reference_that_has_no_digits(void **state)
{
	(void)state;
	parse_err("32200000257BF60000000001",
	    "EPC 32200000257BF60000000001: location reference (bits 54-54) is "
	    "1, but partition 0 gives it no digits, so it must be 0");
}

static void
rejects_nonzero_sscc_reserved_bits(void **state)
{
	(void)state;
	parse_err("3174257BF4499602D2000001",
	    "EPC 3174257BF4499602D2000001: reserved bits 72-95 are not zero");
}

static void
rejects_nonzero_sgtin198_padding_bits(void **state)
{
	(void)state;
	parse_err("3674257BF7194E59B2C2BF1000000000000000000000000001",
	    "EPC 3674257BF7194E59B2C2BF1000000000000000000000000001: padding "
	    "bits 198-199 after the 198-bit SGTIN-198 are not zero");
}

static void
rejects_sgtin198_character_outside_gs1_set(void **state)
{
	(void)state;
	parse_err("3634257BF7194E60FE00000000000000000000000000000000",
	    "EPC 3634257BF7194E60FE00000000000000000000000000000000: serial "
	    "character 2 (bits 65-71) is 0x7E, which is not in the GS1 AI "
	    "encodable character set 82");
}

static void
rejects_sgtin198_character_after_terminator(void **state)
{
	(void)state;
	parse_err("3634257BF7194E608084000000000000000000000000000000",
	    "EPC 3634257BF7194E608084000000000000000000000000000000: serial "
	    "character 3 (bits 72-78) is 0x42 after the terminating zero "
	    "character; the rest of the field must be zero");
}

static void
rejects_sgtin198_empty_serial(void **state)
{
	(void)state;
	parse_err("3634257BF7194E400000000000000000000000000000000000",
	    "EPC 3634257BF7194E400000000000000000000000000000000000: serial "
	    "(bits 58-197) is empty: its first 7-bit character is zero");
}

/* ---- URI rejections ------------------------------------------------ */

static void
rejects_96_bit_serial_with_leading_zero_or_too_large(void **state)
{
	(void)state;
	parse_err("urn:epc:tag:sgtin-96:3.0614141.812345.06789",
	    "EPC urn:epc:tag:sgtin-96:3.0614141.812345.06789: serial '06789' "
	    "at position 39 has a leading zero, which SGTIN-96 cannot encode");
	parse_err("urn:epc:tag:grai-96:3.0614141.12345.274877906944",
	    "EPC urn:epc:tag:grai-96:3.0614141.12345.274877906944: serial "
	    "'274877906944' at position 37 is greater than 274877906943, the "
	    "largest 38-bit value GRAI-96 can encode");
	parse_err("urn:epc:tag:sgln-96:3.0614141.12345.x",
	    "EPC urn:epc:tag:sgln-96:3.0614141.12345.x: extension 'x' at "
	    "position 37 is not a decimal integer, which SGLN-96 cannot "
	    "encode");
}

static void
rejects_filter_outside_0_to_7(void **state)
{
	(void)state;
	parse_err("urn:epc:tag:sgtin-96:8.0614141.812345.1",
	    "EPC urn:epc:tag:sgtin-96:8.0614141.812345.1: filter '8' at "
	    "position 22 is not a single digit 0-7");
	parse_err("urn:epc:tag:sscc-96:03.0614141.1234567890",
	    "EPC urn:epc:tag:sscc-96:03.0614141.1234567890: filter '03' at "
	    "position 21 is not a single digit 0-7");
}

static void
rejects_digit_counts_that_match_no_partition(void **state)
{
	(void)state;
	parse_err("urn:epc:id:sgtin:06141.812345.1",
	    "EPC urn:epc:id:sgtin:06141.812345.1: company prefix '06141' at "
	    "position 18 has 5 digits; EPC partitions allow 6 to 12");
	parse_err("urn:epc:tag:sgtin-96:3.0614141.81234.1",
	    "EPC urn:epc:tag:sgtin-96:3.0614141.81234.1: item reference "
	    "'81234' at position 32 has 5 digits; with a 7-digit company "
	    "prefix SGTIN needs 6");
	parse_err("urn:epc:id:sscc:0614141.123456789",
	    "EPC urn:epc:id:sscc:0614141.123456789: serial reference "
	    "'123456789' at position 25 has 9 digits; with a 7-digit company "
	    "prefix SSCC needs 10");
	parse_err("urn:epc:id:sgtin:06x4141.812345.1",
	    "EPC urn:epc:id:sgtin:06x4141.812345.1: company prefix '06x4141' "
	    "at position 18: 'x' at position 20 is not a digit");
}

static void
rejects_reserved_character_that_is_not_percent_encoded(void **state)
{
	(void)state;
	parse_err("urn:epc:id:sgtin:0614141.812345.a/b",
	    "EPC urn:epc:id:sgtin:0614141.812345.a/b: serial 'a/b' at position "
	    "33: '/' at position 34 must be percent-encoded as %2F");
}

static void
rejects_bad_percent_escapes(void **state)
{
	(void)state;
	parse_err("urn:epc:id:sgtin:0614141.812345.a%2",
	    "EPC urn:epc:id:sgtin:0614141.812345.a%2: serial 'a%2' at "
	    "position 33: '%2' at position 34 is an incomplete "
	    "percent-escape");
	parse_err("urn:epc:id:sgtin:0614141.812345.a%G1",
	    "EPC urn:epc:id:sgtin:0614141.812345.a%G1: serial 'a%G1' at "
	    "position 33: '%G1' at position 34 is not a percent-escape (% and "
	    "two hex digits)");
	parse_err("urn:epc:id:sgtin:0614141.812345.a%7E",
	    "EPC urn:epc:id:sgtin:0614141.812345.a%7E: serial 'a%7E' at "
	    "position 33: '%7E' at position 34 encodes a character outside "
	    "the GS1 AI encodable character set 82");
	parse_err("urn:epc:id:sgtin:0614141.812345.a#b",
	    "EPC urn:epc:id:sgtin:0614141.812345.a#b: serial 'a#b' at "
	    "position 33: '#' at position 34 is not in the GS1 AI encodable "
	    "character set 82");
}

static void
rejects_last_component_longer_than_its_gs1_ai(void **state)
{
	(void)state;
	parse_err("urn:epc:id:sgtin:0614141.812345.123456789012345678901",
	    "EPC urn:epc:id:sgtin:0614141.812345.123456789012345678901: "
	    "serial '123456789012345678901' at position 33 has more than 20 "
	    "characters");
	parse_err("urn:epc:id:grai:0614141.12345.ABCDEFGHIJKLMNOPQ",
	    "EPC urn:epc:id:grai:0614141.12345.ABCDEFGHIJKLMNOPQ: serial "
	    "'ABCDEFGHIJKLMNOPQ' at position 31 has more than 16 characters");
	parse_err("urn:epc:id:giai:0614141.123456789012345678901234",
	    "EPC urn:epc:id:giai:0614141.123456789012345678901234: individual "
	    "asset reference '123456789012345678901234' at position 25 has "
	    "more than 23 characters; GIAI allows 30 including the 7-digit "
	    "company prefix");
}

static void
rejects_unsupported_uri_types_and_schemes(void **state)
{
	(void)state;
	parse_err("urn:epc:raw:96.x3074257BF7194E4000001A85",
	    "EPC urn:epc:raw:96.x3074257BF7194E4000001A85: URI type 'raw' at "
	    "position 9 is not supported; expected 'id' (pure identity) or "
	    "'tag' (tag URI)");
	parse_err("urn:epc:id:gsrn:0614141.1234567890",
	    "EPC urn:epc:id:gsrn:0614141.1234567890: pure-identity scheme "
	    "'gsrn' at position 12 is not supported (supported: sgtin, sscc, "
	    "sgln, grai, giai)");
	parse_err("urn:epc:tag:sgtin:3.0614141.812345.1",
	    "EPC urn:epc:tag:sgtin:3.0614141.812345.1: tag scheme 'sgtin' at "
	    "position 13 is not supported (supported: sgtin-96, sgtin-198, "
	    "sscc-96, sgln-96, grai-96, giai-96)");
	parse_err("urn:isbn:0451450523",
	    "EPC urn:isbn:0451450523: not an EPC URN; expected "
	    "urn:epc:id:<scheme>:... or urn:epc:tag:<scheme>:...");
}

static void
rejects_missing_components(void **state)
{
	(void)state;
	parse_err("urn:epc:id:sgtin:0614141.812345",
	    "EPC urn:epc:id:sgtin:0614141.812345: item reference '812345' at "
	    "position 26 is not followed by '.' and the serial");
	parse_err("urn:epc:id:sgtin:", "EPC urn:epc:id:sgtin:: company prefix "
	    "is missing after position 17");
	parse_err("urn:epc:id", "EPC urn:epc:id: nothing follows 'id'; "
	    "expected ':' and a scheme");
	parse_err("urn:epc:id:sgtin:0614141.812345.",
	    "EPC urn:epc:id:sgtin:0614141.812345.: serial at position 33 is "
	    "empty");
}

/* ---- detection, Digital Link --------------------------------------- */

static void
shape_accepts_epc_sized_hex_and_epc_urns_only(void **state)
{
	(void)state;
	assert_true(id_shape_epc("3074257BF7194E4000001A85", 24));
	assert_true(id_shape_epc("0x3474257BF40000000000162E", 26));
	assert_true(id_shape_epc(
	    "3674257BF7194E59B2C2BF1000000000000000000000000000", 50));
	assert_true(id_shape_epc("URN:epc:whatever", 16));
	/* An unsupported header still has the EPC shape, so detection
	 * reports the header error instead of "not recognised". */
	assert_true(id_shape_epc("3974257BF7194E4000001A85", 24));
	assert_false(id_shape_epc("3074257BF7194E4000001A8", 23));
	assert_false(id_shape_epc("307425-BF7194E4000001A85", 24));
	assert_false(id_shape_epc("490154203237518", 15));
	assert_false(id_shape_epc("urn:uuid:f81d4fae-7dec", 22));
}

static void
detect_recognises_epc_hex_and_uris(void **state)
{
	(void)state;
	assert_int_equal(vigil_id_detect("3174257BF4499602D2000000", 24, &id,
	    NULL, NULL), VIGIL_OK);
	assert_int_equal(id.type, VIGIL_ID_EPC);
	assert_string_equal(id.match_key, "gs1:(00)106141412345678908");
}

static void
digital_link_form_comes_from_the_gs1_parser(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:sgtin:0614141.812345.32a%2Fb");
	assert_form("digital-link",
	    "https://id.gs1.org/01/80614141123458/21/32a%2Fb");
	parse_ok("3274257BF46072000000162E");
	assert_form("digital-link",
	    "https://id.gs1.org/414/0614141123452/254/5678");
	parse_ok("3174257BF4499602D2000000");
	assert_form("digital-link",
	    "https://id.gs1.org/00/106141412345678908");
}

static void
match_key_equals_the_gs1_parser_key_of_the_element_string(void **state)
{
	static const char *const epcs[] = {
		"3074257BF7194E4000001A85", "3174257BF4499602D2000000",
		"3274257BF46072000000162E", "3374257BF40C0E400000162E",
		"3474257BF40000000000162E", "urn:epc:id:sgln:0614141.12345.0",
		"urn:epc:id:sgtin:0614141.812345.a(b%2F)",
		"urn:epc:id:giai:0614141.A%2FB-7",
	};
	const char *es;

	(void)state;
	for (size_t i = 0; i < sizeof epcs / sizeof epcs[0]; i++) {
		parse_ok(epcs[i]);
		es = vigil_id_form(&id, "element-string");
		assert_non_null(es);
		if (vigil_id_parse(VIGIL_ID_GS1, es, strlen(es), &again) !=
		    VIGIL_OK)
			fail_msg("%s: GS1 rejects %s: %s", epcs[i], es,
			    again.error);
		assert_string_equal(again.match_key, id.match_key);
	}
}

static void
element_string_escapes_parenthesis_but_key_keeps_it(void **state)
{
	(void)state;
	parse_ok("urn:epc:id:sgtin:0614141.812345.a(b");
	assert_string_equal(id.match_key, "gs1:(01)80614141123458(21)a(b");
	assert_field("serial", "a(b");
	assert_form("element-string", "(01)80614141123458(21)a\\(b");
	assert_form("digital-link",
	    "https://id.gs1.org/01/80614141123458/21/a%28b");
}

/* ---- GS1 element string -> EPC (vigil_epc_encode) ----------------- */

static void
encode_ok(const char *s, unsigned gcp, int filter, enum vigil_epc_size size)
{
	enum vigil_err rc = vigil_epc_encode(s, strlen(s), gcp, filter, size,
	    &id);

	if (rc != VIGIL_OK)
		fail_msg("%s: rc %d, error \"%s\"", s, rc, id.error);
	assert_int_equal(id.type, VIGIL_ID_EPC);
}

static void
encode_err(const char *s, unsigned gcp, int filter, enum vigil_epc_size size,
    const char *want)
{
	enum vigil_err rc = vigil_epc_encode(s, strlen(s), gcp, filter, size,
	    &id);

	assert_int_equal(rc, VIGIL_EINVAL);
	assert_string_equal(id.error, want);
}

/* The GS1 parser's match key of s. */
static const char *
gs1_key(const char *s)
{
	if (vigil_id_detect(s, strlen(s), &again, NULL, NULL) != VIGIL_OK)
		fail_msg("%s: %s", s, again.error);
	return again.match_key;
}

static void
encode_reverses_tds_app_e3_vectors(void **state)
{
	static const struct {
		const char *es, *pure, *tag, *hex;
	} v[] = {
		{ "(01)80614141123458(21)6789",
		    "urn:epc:id:sgtin:0614141.812345.6789",
		    "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
		    "3074257BF7194E4000001A85" },
		{ "(00)106141412345678908",
		    "urn:epc:id:sscc:0614141.1234567890",
		    "urn:epc:tag:sscc-96:3.0614141.1234567890",
		    "3174257BF4499602D2000000" },
		{ "(414)0614141123452(254)5678",
		    "urn:epc:id:sgln:0614141.12345.5678",
		    "urn:epc:tag:sgln-96:3.0614141.12345.5678",
		    "3274257BF46072000000162E" },
		{ "(8003)006141411234525678",
		    "urn:epc:id:grai:0614141.12345.5678",
		    "urn:epc:tag:grai-96:3.0614141.12345.5678",
		    "3374257BF40C0E400000162E" },
		{ "(8004)06141415678", "urn:epc:id:giai:0614141.5678",
		    "urn:epc:tag:giai-96:3.0614141.5678",
		    "3474257BF40000000000162E" },
	};
	char key[VIGIL_ID_MAX_VALUE];

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		snprintf(key, sizeof key, "%s", gs1_key(v[i].es));
		encode_ok(v[i].es, 7, 3, VIGIL_EPC_SIZE_AUTO);
		assert_string_equal(id.normalized, v[i].pure);
		assert_string_equal(id.urn, v[i].pure);
		assert_string_equal(id.match_key, key);
		assert_form("pure-uri", v[i].pure);
		assert_form("tag-uri", v[i].tag);
		assert_form("hex", v[i].hex);
		assert_form("element-string", v[i].es);
		assert_field("filter", "3");
		assert_field("partition", "5");
		assert_string_equal(id.warning, "");
	}
}

/* Field by field, the result of parsing the tag URI. */
static void
encode_equals_parse_of_the_tag_uri(void **state)
{
	static const char *const es[] = {
		"(01)80614141123458(21)6789", "(00)106141412345678908",
		"(414)0614141123452(254)5678", "(414)0614141123452",
		"(8003)006141411234525678", "(8004)06141415678",
		"(01)80614141123458(21)32a/b",
	};
	static struct vigil_id enc;

	(void)state;
	for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) {
		encode_ok(es[i], 7, 6, VIGIL_EPC_SIZE_AUTO);
		enc = id;
		parse_ok(vigil_id_form(&enc, "tag-uri"));
		assert_string_equal(enc.normalized, id.normalized);
		assert_string_equal(enc.urn, id.urn);
		assert_string_equal(enc.match_key, id.match_key);
		assert_int_equal(enc.nfields, id.nfields);
		for (size_t f = 0; f < id.nfields; f++) {
			assert_string_equal(enc.fields[f].name,
			    id.fields[f].name);
			assert_string_equal(enc.fields[f].value,
			    id.fields[f].value);
		}
		assert_int_equal(enc.nforms, id.nforms);
		for (size_t f = 0; f < id.nforms; f++) {
			assert_string_equal(enc.forms[f].name,
			    id.forms[f].name);
			assert_string_equal(enc.forms[f].value,
			    id.forms[f].value);
		}
	}
}

static void
encode_reads_digital_link_and_fnc1_data_form(void **state)
{
	(void)state;
	encode_ok("https://id.gs1.org/01/80614141123458/21/6789", 7, 3,
	    VIGIL_EPC_SIZE_AUTO);
	assert_form("hex", "3074257BF7194E4000001A85");
	encode_ok("  HTTPS://example.com/shop/414/0614141123452/254/5678 ", 7,
	    3, VIGIL_EPC_SIZE_AUTO);
	assert_form("hex", "3274257BF46072000000162E");
	encode_ok("]C10180614141123458216789", 7, 3, VIGIL_EPC_SIZE_AUTO);
	assert_form("hex", "3074257BF7194E4000001A85");
	encode_ok("^0180614141123458216789", 7, 3, VIGIL_EPC_SIZE_AUTO);
	assert_form("hex", "3074257BF7194E4000001A85");
}

static void
encode_default_filter_is_0(void **state)
{
	(void)state;
	encode_ok("(01)80614141123458(21)6789", 7, VIGIL_EPC_FILTER_DEFAULT,
	    VIGIL_EPC_SIZE_AUTO);
	assert_field("filter", "0");
	assert_form("hex", "3014257BF7194E4000001A85");
	encode_ok("(00)106141412345678908", 7, 7, VIGIL_EPC_SIZE_96);
	assert_form("tag-uri", "urn:epc:tag:sscc-96:7.0614141.1234567890");
}

static void
encode_sgtin198_when_serial_does_not_fit_or_when_asked(void **state)
{
	(void)state;
	/* The SGTIN-198 vector of the decoder tests, in reverse. */
	encode_ok("(01)80614141123458(21)32a/b", 7, 3, VIGIL_EPC_SIZE_AUTO);
	assert_form("hex",
	    "3674257BF7194E59B2C2BF1000000000000000000000000000");
	assert_form("tag-uri",
	    "urn:epc:tag:sgtin-198:3.0614141.812345.32a%2Fb");
	assert_string_equal(id.warning, "serial '32a/b' is not a decimal "
	    "integer, which SGTIN-96 cannot encode; the tag URI and binary "
	    "use SGTIN-198");
	encode_ok("(01)80614141123458(21)06789", 7, 0, VIGIL_EPC_SIZE_AUTO);
	assert_form("hex",
	    "3614257BF7194E58366EE1C800000000000000000000000000");
	/* Asked for: a serial that fits 96 bits, as 7-bit characters. */
	encode_ok("(01)80614141123458(21)6789", 7, 3, VIGIL_EPC_SIZE_LONG);
	assert_field("scheme", "sgtin-198");
	assert_form("tag-uri", "urn:epc:tag:sgtin-198:3.0614141.812345.6789");
	assert_string_equal(id.normalized,
	    "urn:epc:id:sgtin:0614141.812345.6789");
	assert_string_equal(id.warning, "");
	/* The largest 96-bit serial stays in 96 bits. */
	encode_ok("(01)80614141123458(21)274877906943", 7, 0,
	    VIGIL_EPC_SIZE_96);
	assert_form("hex", "3014257BF7194E7FFFFFFFFF");
}

static void
encode_every_sgtin_partition_round_trips(void **state)
{
	/* The partition vectors of the decoder tests, filter 1, serial
	 * 6789: gcp 12 (partition 0) to 6 (partition 6). */
	static const struct {
		const char *gtin, *hex;
	} v[] = {
		{ "50614141812344", "302039324825C94000001A85" },
		{ "40614141812354", "30242DC1D3516B4000001A85" },
		{ "30614141812456", "3028249B0F74564000001A85" },
		{ "20614141813456", "302C3A91B2524A4000001A85" },
		{ "10614141823458", "30302EDAF50C0E4000001A85" },
		{ "80614141123458", "3034257BF7194E4000001A85" },
		{ "10614148123452", "30383BF986E9DE4000001A85" },
	};
	char es[64], want[4];

	(void)state;
	for (unsigned p = 0; p < sizeof v / sizeof v[0]; p++) {
		snprintf(es, sizeof es, "(01)%s(21)6789", v[p].gtin);
		snprintf(want, sizeof want, "%u", p);
		encode_ok(es, 12 - p, 1, VIGIL_EPC_SIZE_AUTO);
		assert_field("partition", want);
		assert_form("hex", v[p].hex);
		parse_ok(v[p].hex);
		assert_form("element-string", es);
		assert_string_equal(id.match_key, gs1_key(es));
	}
}

static void
encode_other_schemes_at_every_company_prefix_length(void **state)
{
	static const char *const es[] = {
		"(00)106141412345678908", "(414)0614141123452(254)5678",
		"(8003)006141411234525678", "(8004)06141415678",
	};
	char hex[VIGIL_ID_MAX_VALUE];

	(void)state;
	for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) {
		for (unsigned g = 6; g <= 12; g++) {
			if (i == 3 && g >= 11)
				continue; /* 8004 value has 11 characters */
			encode_ok(es[i], g, 2, VIGIL_EPC_SIZE_AUTO);
			assert_int_equal(strlen(vigil_id_field(&id,
			    "company_prefix")), g);
			snprintf(hex, sizeof hex, "%s",
			    vigil_id_form(&id, "hex"));
			parse_ok(hex);
			assert_form("element-string", es[i]);
		}
	}
}

static void
encode_leaves_out_other_ais_with_a_warning(void **state)
{
	(void)state;
	encode_ok("(01)80614141123458(10)LOT1(21)6789(17)250101", 7, 3,
	    VIGIL_EPC_SIZE_AUTO);
	assert_form("hex", "3074257BF7194E4000001A85");
	assert_string_equal(id.match_key, "gs1:(01)80614141123458(21)6789");
	assert_string_equal(id.warning, "AIs (10), (17) are not part of the "
	    "EPC and are left out");
	encode_ok("(00)106141412345678908(02)80614141123458(37)10", 7, 0,
	    VIGIL_EPC_SIZE_AUTO);
	assert_string_equal(id.warning, "AIs (02), (37) are not part of the "
	    "EPC and are left out");
	encode_ok("https://id.gs1.org/8004/06141415678?7003=2501011200", 7, 0,
	    VIGIL_EPC_SIZE_AUTO);
	assert_string_equal(id.warning, "AI (7003) is not part of the EPC "
	    "and is left out");
}

static void
encode_sgln_without_extension_and_without_binary(void **state)
{
	(void)state;
	encode_ok("(414)0614141123452", 7, 0, VIGIL_EPC_SIZE_AUTO);
	assert_string_equal(id.normalized, "urn:epc:id:sgln:0614141.12345.0");
	assert_string_equal(id.match_key, "gs1:(414)0614141123452");
	/* As the pure-identity URI: no binary scheme, a warning. */
	encode_ok("(414)0614141123452(254)AB1", 7, 0, VIGIL_EPC_SIZE_AUTO);
	assert_string_equal(id.normalized,
	    "urn:epc:id:sgln:0614141.12345.AB1");
	assert_null(vigil_id_form(&id, "hex"));
	assert_string_equal(id.warning, "extension 'AB1' is not a decimal "
	    "integer, which SGLN-96 cannot encode; SGLN-195 is not "
	    "implemented, so there is no tag URI or binary form");
}

static void
encode_rejects_company_prefix_lengths_outside_the_partitions(void **state)
{
	(void)state;
	encode_err("(01)80614141123458(21)6789", 5, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (01)80614141123458(21)6789: company prefix "
	    "length 5 is not one SGTIN allows (6-12)");
	encode_err("(00)106141412345678908", 13, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (00)106141412345678908: company prefix "
	    "length 13 is not one SSCC allows (6-12)");
	encode_err("https://id.gs1.org/8004/06141415678", 0, 0,
	    VIGIL_EPC_SIZE_AUTO, "GS1 Digital Link URI "
	    "https://id.gs1.org/8004/06141415678: company prefix length 0 is "
	    "not one GIAI allows (6-12)");
}

static void
encode_rejects_values_without_an_epc(void **state)
{
	(void)state;
	encode_err("(01)80614141123458", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (01)80614141123458: SGTIN needs the serial "
	    "(21) with the GTIN (01); a GTIN alone has no EPC");
	encode_err("(01)80614141123458(235)XYZ", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (01)80614141123458(235)XYZ: a GTIN with a "
	    "third-party controlled serial (235) has no EPC scheme here; "
	    "SGTIN needs the serial (21)");
	encode_err("(8006)106141412345680102(21)5", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (8006)106141412345680102(21)5: no key with an "
	    "EPC scheme; an EPC encodes (01) with (21), (00), (414), (8003) or "
	    "(8004)");
	encode_err("(00)106141412345678908(8004)06141415678", 7, 0,
	    VIGIL_EPC_SIZE_AUTO, "GS1 element string "
	    "(00)106141412345678908(8004)06141415678: AI (00) and AI (8004) "
	    "are both keys with an EPC scheme; encode one at a time");
	encode_err("(8003)00614141123452", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (8003)00614141123452: GRAI (8003) "
	    "'00614141123452' has no serial; only a serialised GRAI has an "
	    "EPC");
	encode_err("(414)0614141123452(254)0", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (414)0614141123452(254)0: extension (254) '0' "
	    "cannot be encoded: in an SGLN, extension 0 means a GLN without "
	    "(254)");
	encode_err("(8004)0614141", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (8004)0614141: GIAI (8004) '0614141' has 7 "
	    "characters, so nothing is left for the asset reference after a "
	    "7-digit company prefix");
	encode_err("(8004)061414A5678", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (8004)061414A5678: GIAI (8004) '061414A5678' "
	    "cannot start with a 7-digit company prefix: character 7 is 'A', "
	    "not a digit");
}

static void
encode_rejects_what_the_binary_cannot_hold(void **state)
{
	(void)state;
	encode_err("(01)80614141123458(21)32a/b", 7, 0, VIGIL_EPC_SIZE_96,
	    "GS1 element string (01)80614141123458(21)32a/b: serial '32a/b' is "
	    "not a decimal integer, which SGTIN-96 cannot encode, and "
	    "SGTIN-198 was not allowed");
	encode_err("(01)80614141123458(21)274877906944", 7, 0,
	    VIGIL_EPC_SIZE_96, "GS1 element string "
	    "(01)80614141123458(21)274877906944: serial '274877906944' is "
	    "greater than 274877906943, the largest 38-bit value SGTIN-96 "
	    "can encode, and SGTIN-198 was not allowed");
	encode_err("(8003)00614141123452056789", 7, 0, VIGIL_EPC_SIZE_96,
	    "GS1 element string (8003)00614141123452056789: serial '056789' "
	    "has a leading zero, which GRAI-96 cannot encode, and GRAI-170 is "
	    "not implemented");
	encode_err("(00)106141412345678908", 7, 0, VIGIL_EPC_SIZE_LONG,
	    "GS1 element string (00)106141412345678908: SSCC has no long EPC "
	    "scheme; SSCC-96 holds every SSCC");
	encode_err("(414)0614141123452(254)5678", 7, 0, VIGIL_EPC_SIZE_LONG,
	    "GS1 element string (414)0614141123452(254)5678: SGLN-195 is not "
	    "implemented");
	encode_err("(01)80614141123458(21)6789", 7, 8, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (01)80614141123458(21)6789: filter 8 is not "
	    "one of 0-7");
}

static void
encode_passes_on_the_gs1_parser_errors(void **state)
{
	(void)state;
	encode_err("(01)80614141123457(21)6789", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string (01)80614141123457(21)6789: AI (01) check "
	    "digit is 7, expected 8");
	encode_err("https://id.gs1.org/01/80614141123458?21=6789", 7, 0,
	    VIGIL_EPC_SIZE_AUTO, "GS1 Digital Link URI "
	    "https://id.gs1.org/01/80614141123458?21=6789: AI (21) in the "
	    "query at position 38 is a key qualifier of (01) and belongs in "
	    "the path");
	encode_err("urn:epc:id:sgtin:0614141.812345.6789", 7, 0,
	    VIGIL_EPC_SIZE_AUTO, "GS1 element string "
	    "urn:epc:id:sgtin:0614141.812345.6789: expected '(' or a GS1 data "
	    "string at position 1");
	encode_err("   ", 7, 0, VIGIL_EPC_SIZE_AUTO,
	    "GS1 element string: empty value");
	assert_int_equal(id.type, VIGIL_ID_GS1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    sgtin96_hex_decodes_to_tds_vector_with_all_fields),
		cmocka_unit_test(sgtin96_tag_uri_encodes_to_tds_hex),
		cmocka_unit_test(
		    sgtin_pure_uri_uses_filter_0_and_96_bits_when_serial_fits),
		cmocka_unit_test(sscc96_vector_in_all_spellings),
		cmocka_unit_test(sgln96_vector_in_all_spellings),
		cmocka_unit_test(grai96_vector_keeps_the_8003_filler_zero),
		cmocka_unit_test(giai96_vector_in_all_spellings),
		cmocka_unit_test(
		    sgtin198_encodes_percent_escape_as_one_7bit_character),
		cmocka_unit_test(
		    sgtin198_hex_decodes_back_to_the_escaped_tag_uri),
		cmocka_unit_test(
		    sgtin198_accepts_any_escape_and_renders_canonically),
		cmocka_unit_test(sgtin198_full_20_character_serial_round_trips),
		cmocka_unit_test(
		    pure_sgtin_leading_zero_serial_uses_sgtin198),
		cmocka_unit_test(
		    pure_sgtin_serial_of_2_pow_38_uses_sgtin198),
		cmocka_unit_test(sgtin_every_partition_round_trips_through_hex),
		cmocka_unit_test(
		    other_schemes_every_partition_round_trips_through_hex),
		cmocka_unit_test(
		    sgln_partition_0_has_an_empty_location_reference),
		cmocka_unit_test(grai_partition_0_has_an_empty_asset_type),
		cmocka_unit_test(
		    giai96_asset_reference_limit_follows_partition_bits),
		cmocka_unit_test(sgln_extension_zero_means_no_ai_254),
		cmocka_unit_test(
		    pure_sgln_alnum_extension_warns_no_tag_form),
		cmocka_unit_test(pure_giai_with_letters_keeps_them_in_the_key),
		cmocka_unit_test(pure_grai_serial_may_contain_dots),
		cmocka_unit_test(
		    urn_and_nid_are_case_insensitive_the_rest_is_not),
		cmocka_unit_test(
		    hex_accepts_0x_prefix_lower_case_and_surrounding_space),
		cmocka_unit_test(all_spellings_share_the_gs1_match_key),
		cmocka_unit_test(
		    rejects_unsupported_header_listing_the_supported_ones),
		cmocka_unit_test(rejects_partition_7_with_its_bit_position),
		cmocka_unit_test(
		    rejects_hex_length_that_does_not_match_the_header),
		cmocka_unit_test(rejects_non_hex_character_with_position),
		cmocka_unit_test(
		    rejects_company_prefix_value_beyond_partition_digits),
		cmocka_unit_test(
		    rejects_item_reference_value_beyond_partition_digits),
		cmocka_unit_test(
		    rejects_nonzero_location_reference_that_has_no_digits),
		cmocka_unit_test(rejects_nonzero_sscc_reserved_bits),
		cmocka_unit_test(rejects_nonzero_sgtin198_padding_bits),
		cmocka_unit_test(rejects_sgtin198_character_outside_gs1_set),
		cmocka_unit_test(rejects_sgtin198_character_after_terminator),
		cmocka_unit_test(rejects_sgtin198_empty_serial),
		cmocka_unit_test(
		    rejects_96_bit_serial_with_leading_zero_or_too_large),
		cmocka_unit_test(rejects_filter_outside_0_to_7),
		cmocka_unit_test(rejects_digit_counts_that_match_no_partition),
		cmocka_unit_test(
		    rejects_reserved_character_that_is_not_percent_encoded),
		cmocka_unit_test(rejects_bad_percent_escapes),
		cmocka_unit_test(rejects_last_component_longer_than_its_gs1_ai),
		cmocka_unit_test(rejects_unsupported_uri_types_and_schemes),
		cmocka_unit_test(rejects_missing_components),
		cmocka_unit_test(
		    shape_accepts_epc_sized_hex_and_epc_urns_only),
		cmocka_unit_test(detect_recognises_epc_hex_and_uris),
		cmocka_unit_test(digital_link_form_comes_from_the_gs1_parser),
		cmocka_unit_test(
		    match_key_equals_the_gs1_parser_key_of_the_element_string),
		cmocka_unit_test(
		    element_string_escapes_parenthesis_but_key_keeps_it),
		cmocka_unit_test(encode_reverses_tds_app_e3_vectors),
		cmocka_unit_test(encode_equals_parse_of_the_tag_uri),
		cmocka_unit_test(encode_reads_digital_link_and_fnc1_data_form),
		cmocka_unit_test(encode_default_filter_is_0),
		cmocka_unit_test(
		    encode_sgtin198_when_serial_does_not_fit_or_when_asked),
		cmocka_unit_test(encode_every_sgtin_partition_round_trips),
		cmocka_unit_test(
		    encode_other_schemes_at_every_company_prefix_length),
		cmocka_unit_test(encode_leaves_out_other_ais_with_a_warning),
		cmocka_unit_test(
		    encode_sgln_without_extension_and_without_binary),
		cmocka_unit_test(
		    encode_rejects_company_prefix_lengths_outside_the_partitions),
		cmocka_unit_test(encode_rejects_values_without_an_epc),
		cmocka_unit_test(encode_rejects_what_the_binary_cannot_hold),
		cmocka_unit_test(encode_passes_on_the_gs1_parser_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
