/*
 * Unit tests of the network and generic identifiers: MAC-48/EUI-48,
 * EUI-64, RFC 9039 urn:dev, RFC 9562 UUIDs, RFC 3986 URIs and free-form
 * serials. Vectors are the published ones of the reference notes
 * (A.7, A.12, A.13): RFC 9039 §7, python-stdnum's mac doctests,
 * RFC 9562 App. A, RFC 4122, RFC 3986 §6.2.2 and RFC 8141 §3.2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vigil/id.h"

static struct vigil_id id;

static void
parse_ok(enum vigil_id_type t, const char *s)
{
	enum vigil_err rc = vigil_id_parse(t, s, strlen(s), &id);

	if (rc != VIGIL_OK)
		fail_msg("parse of \"%s\" failed: %s", s, id.error);
	assert_int_equal(id.type, t);
}

static void
parse_err(enum vigil_id_type t, const char *s, const char *msg)
{
	assert_int_equal(vigil_id_parse(t, s, strlen(s), &id), VIGIL_EINVAL);
	assert_string_equal(id.error, msg);
}

static void
field_is(const char *name, const char *value)
{
	const char *v = vigil_id_field(&id, name);

	if (v == NULL)
		fail_msg("field %s missing", name);
	assert_string_equal(v, value);
}

static void
form_is(const char *name, const char *value)
{
	const char *v = vigil_id_form(&id, name);

	if (v == NULL)
		fail_msg("form %s missing", name);
	assert_string_equal(v, value);
}

/* ---------------------------------------------------------------- */
/* MAC-48 / EUI-48 */

static void
mac_colon_upper_case_normalizes_to_lower_colon(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "00:1A:2B:3C:4D:5E");
	assert_string_equal(id.normalized, "00:1a:2b:3c:4d:5e");
	assert_string_equal(id.urn, "urn:dev:mac:001a2bffff3c4d5e");
	assert_string_equal(id.match_key, "mac:001a2b3c4d5e");
	assert_string_equal(id.warning, "");
}

static void
mac_every_common_spelling_gives_the_same_key(void **state)
{
	static const char *const spellings[] = {
		"00-1a-2b-3c-4d-5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e",
		"001a2b3c4d5e", "001A2B3C4D5E", "00 1a 2b 3c 4d 5e",
		"  00:1a:2b:3c:4d:5e\n", "0:1a:2b:3c:4d:5e",
	};

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		parse_ok(VIGIL_ID_MAC, spellings[i]);
		assert_string_equal(id.normalized, "00:1a:2b:3c:4d:5e");
		assert_string_equal(id.match_key, "mac:001a2b3c4d5e");
	}
}

static void
mac_stdnum_compact_of_upper_hyphen_form(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "D0-50-99-84-A2-A0");
	assert_string_equal(id.normalized, "d0:50:99:84:a2:a0");
}

static void
mac_stdnum_single_digit_octets_are_zero_padded(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "d0:5:9:04:a2:a0");
	assert_string_equal(id.normalized, "d0:05:09:04:a2:a0");
	assert_string_equal(id.match_key, "mac:d0050904a2a0");
}

static void
mac_stdnum_five_octets_rejected_with_count(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "00:00:00:00:00",
	    "MAC 00:00:00:00:00: 5 octets, expected 6");
}

static void
mac_rejects_invalid_hex_digit_with_position(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "00:1a:2b:3c:4d:zz",
	    "MAC 00:1a:2b:3c:4d:zz: invalid hex digit 'z' at position 16");
}

static void
mac_rejects_non_ascii_byte_escaped(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "00:1a:2b:3c:4d:5\xc3",
	    "MAC 00:1a:2b:3c:4d:5\\xc3: invalid character '\\xc3' at "
	    "position 17");
}

static void
mac_rejects_mixed_separators_with_position(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "00:1a-2b:3c:4d:5e",
	    "MAC 00:1a-2b:3c:4d:5e: mixed separators: '-' at position 6, "
	    "but ':' before");
}

static void
mac_rejects_bare_hex_of_wrong_length(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "001a2b3c4d",
	    "MAC 001a2b3c4d: 10 hex digits, expected 12");
}

static void
mac_rejects_octet_of_three_digits(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "001:a2:b3:c4:d5:e6",
	    "MAC 001:a2:b3:c4:d5:e6: octet '001' at position 1 has 3 hex "
	    "digits, expected 1 or 2");
}

static void
mac_rejects_empty_octet_and_trailing_separator(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "00::1a:2b:3c:4d",
	    "MAC 00::1a:2b:3c:4d: empty group at position 4");
	parse_err(VIGIL_ID_MAC, "00:1a:2b:3c:4d:5e:",
	    "MAC 00:1a:2b:3c:4d:5e:: trailing separator at position 18");
}

static void
mac_rejects_dotted_group_not_of_four_digits(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "001a.2b3.c4d5e",
	    "MAC 001a.2b3.c4d5e: group '2b3' at position 6 has 3 hex "
	    "digits, the dotted form needs 4");
	parse_err(VIGIL_ID_MAC, "001a.2b3c",
	    "MAC 001a.2b3c: 2 groups of 4 hex digits, expected 3");
}

static void
mac_fields_split_oui_and_nic_with_flags_clear(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "00:1a:2b:3c:4d:5e");
	assert_int_equal(id.nfields, 4);
	field_is("oui", "00:1a:2b");
	field_is("nic", "3c:4d:5e");
	field_is("group", "no");
	field_is("locally_administered", "no");
}

static void
mac_stdnum_locally_administered_warns_not_stable(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "fe:54:00:76:07:0a");
	field_is("locally_administered", "yes");
	field_is("group", "no");
	assert_string_equal(id.warning, "locally administered (U/L bit set): "
	    "may be randomised or locally assigned, not a stable hardware "
	    "identity");
}

static void
mac_group_bit_reported_as_multicast(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "01:00:5e:00:00:fb");
	field_is("group", "yes");
	field_is("locally_administered", "no");
	assert_string_equal(id.warning, "group (multicast) address: names a "
	    "group, not one interface");
}

static void
mac_all_forms_of_rfc9039_example(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "0024be804ff1");
	assert_int_equal(id.nforms, 8);
	form_is("colon", "00:24:be:80:4f:f1");
	form_is("hyphen", "00-24-BE-80-4F-F1");
	form_is("dot", "0024.be80.4ff1");
	form_is("bare", "0024be804ff1");
	form_is("urn", "urn:dev:mac:0024beffff804ff1");
	form_is("urn-eui48", "urn:dev:mac:0024befffe804ff1");
	form_is("ipv6-iid", "0224:beff:fe80:4ff1");
	form_is("eui64", "00:24:be:ff:fe:80:4f:f1");
}

static void
mac_ipv6_iid_inverts_ul_bit_of_local_address(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "02:00:00:00:00:01");
	form_is("ipv6-iid", "0000:00ff:fe00:0001");
}

static void
mac_accepts_its_rfc9039_urn_in_both_encapsulations(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_MAC, "urn:dev:mac:0024beffff804ff1");
	assert_string_equal(id.normalized, "00:24:be:80:4f:f1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
	parse_ok(VIGIL_ID_MAC, "URN:DEV:MAC:0024BEFFFE804FF1");
	assert_string_equal(id.normalized, "00:24:be:80:4f:f1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
}

static void
mac_rejects_urn_of_a_true_eui64(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_MAC, "urn:dev:mac:acde48234567019f",
	    "MAC urn:dev:mac:acde48234567019f: octets 4-5 are 23:45, "
	    "expected ff:ff (MAC-48) or ff:fe (EUI-48): an EUI-64, not a "
	    "MAC");
}

/* ---------------------------------------------------------------- */
/* EUI-64 */

static void
eui64_rfc9039_example_normalized_urn_and_key(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_EUI64, "ACDE48234567019F");
	assert_string_equal(id.normalized, "ac:de:48:23:45:67:01:9f");
	assert_string_equal(id.urn, "urn:dev:mac:acde48234567019f");
	assert_string_equal(id.match_key, "eui64:acde48234567019f");
	field_is("oui", "ac:de:48");
	field_is("group", "no");
	field_is("locally_administered", "no");
	assert_null(vigil_id_field(&id, "encapsulated_mac"));
}

static void
eui64_every_spelling_gives_the_same_key(void **state)
{
	static const char *const spellings[] = {
		"ac:de:48:23:45:67:01:9f", "AC-DE-48-23-45-67-01-9F",
		"acde.4823.4567.019f", "ac de 48 23 45 67 01 9f",
		"ac:de:48:23:45:67:1:9f",
		"urn:dev:mac:acde48234567019f",
	};

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		parse_ok(VIGIL_ID_EUI64, spellings[i]);
		assert_string_equal(id.normalized, "ac:de:48:23:45:67:01:9f");
		assert_string_equal(id.match_key, "eui64:acde48234567019f");
	}
}

static void
eui64_wrapping_a_mac_shares_the_mac_key(void **state)
{
	char mac_key[VIGIL_ID_MAX_VALUE];

	(void)state;
	parse_ok(VIGIL_ID_MAC, "00:24:be:80:4f:f1");
	memcpy(mac_key, id.match_key, sizeof mac_key);
	parse_ok(VIGIL_ID_EUI64, "00:24:be:ff:ff:80:4f:f1");
	assert_string_equal(id.match_key, mac_key);
	field_is("encapsulated_mac", "00:24:be:80:4f:f1");
	parse_ok(VIGIL_ID_EUI64, "00:24:be:ff:fe:80:4f:f1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
	field_is("encapsulated_mac", "00:24:be:80:4f:f1");
}

static void
eui64_all_forms(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_EUI64, "ac:de:48:23:45:67:01:9f");
	assert_int_equal(id.nforms, 6);
	form_is("colon", "ac:de:48:23:45:67:01:9f");
	form_is("hyphen", "AC-DE-48-23-45-67-01-9F");
	form_is("dot", "acde.4823.4567.019f");
	form_is("bare", "acde48234567019f");
	form_is("urn", "urn:dev:mac:acde48234567019f");
	form_is("ipv6-iid", "aede:4823:4567:019f");
	assert_null(vigil_id_form(&id, "mac"));
}

static void
eui64_wrapping_a_mac_has_a_mac_form_like_dev_urn(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_EUI64, "00:24:be:ff:fe:80:4f:f1");
	assert_int_equal(id.nforms, 7);
	form_is("mac", "00:24:be:80:4f:f1");
	parse_ok(VIGIL_ID_EUI64, "0024.beff.ff80.4ff1");
	form_is("mac", "00:24:be:80:4f:f1");
	form_is("dot", "0024.beff.ff80.4ff1");
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:0024beffff804ff1");
	form_is("mac", "00:24:be:80:4f:f1");
}

static void
eui_single_digit_octets_only_in_the_colon_form(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_EUI64, "ac de 48 23 45 67 1 9f",
	    "EUI-64 ac de 48 23 45 67 1 9f: octet '1' at position 19 has 1 "
	    "hex digit, expected 2 with ' ' separators");
	parse_err(VIGIL_ID_EUI64, "ac-de-48-23-45-67-1-9f",
	    "EUI-64 ac-de-48-23-45-67-1-9f: octet '1' at position 19 has 1 "
	    "hex digit, expected 2 with '-' separators");
	parse_err(VIGIL_ID_EUI64, "ac de 48 23 45 67 001 9f",
	    "EUI-64 ac de 48 23 45 67 001 9f: octet '001' at position 19 has "
	    "3 hex digits, expected 2 with ' ' separators");
	parse_err(VIGIL_ID_MAC, "d0 5 9 04 a2 a0",
	    "MAC d0 5 9 04 a2 a0: octet '5' at position 4 has 1 hex digit, "
	    "expected 2 with ' ' separators");
	/* python-stdnum reads '-' as ':' before padding; MAC follows. */
	parse_ok(VIGIL_ID_MAC, "d0-5-9-04-a2-a0");
	assert_string_equal(id.normalized, "d0:05:09:04:a2:a0");
}

static void
eui64_rejects_seven_octets_and_short_urn(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_EUI64, "ac:de:48:23:45:67:01",
	    "EUI-64 ac:de:48:23:45:67:01: 7 octets, expected 8");
	parse_err(VIGIL_ID_EUI64, "urn:dev:mac:acde4823456701",
	    "EUI-64 urn:dev:mac:acde4823456701: 14 hex digits after "
	    "urn:dev:mac:, expected 16 (RFC 9039 §4.1)");
}

/* ---------------------------------------------------------------- */
/* RFC 9039 urn:dev */

static void
devurn_all_rfc9039_section7_examples_parse_unchanged(void **state)
{
	static const char *const ex[] = {
		"urn:dev:mac:0024beffff804ff1", "urn:dev:mac:0024befffe804ff1",
		"urn:dev:mac:acde48234567019f", "urn:dev:ow:10e2073a01080063",
		"urn:dev:ow:264437f5000000ed_humidity", "urn:dev:org:32473-foo",
		"urn:dev:os:32473-123456", "urn:dev:os:32473-12-34-56",
		"urn:dev:ops:32473-Refrigerator-5002",
		"urn:dev:example:new-1-2-3_comp",
	};

	(void)state;
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		parse_ok(VIGIL_ID_DEV_URN, ex[i]);
		assert_string_equal(id.normalized, ex[i]);
		assert_string_equal(id.urn, ex[i]);
	}
}

static void
devurn_mac_shares_key_with_mac_and_eui64(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:0024beffff804ff1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
	field_is("subtype", "mac");
	field_is("id", "0024beffff804ff1");
	field_is("encapsulated_mac", "00:24:be:80:4f:f1");
	form_is("mac", "00:24:be:80:4f:f1");
	form_is("eui64", "00:24:be:ff:ff:80:4f:f1");
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:0024befffe804ff1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:acde48234567019f");
	assert_string_equal(id.match_key, "eui64:acde48234567019f");
	field_is("oui", "ac:de:48");
}

static void
devurn_mac_with_component_keeps_its_own_key(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:0024beffff804ff1_eth0");
	assert_string_equal(id.match_key,
	    "devurn:urn:dev:mac:0024beffff804ff1_eth0");
	field_is("components", "eth0");
}

static void
devurn_ow_fields_component_and_valid_crc(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:ow:264437f5000000ed_humidity");
	assert_string_equal(id.match_key,
	    "devurn:urn:dev:ow:264437f5000000ed_humidity");
	field_is("subtype", "ow");
	field_is("id", "264437f5000000ed");
	field_is("family_code", "26");
	field_is("components", "humidity");
	assert_string_equal(id.warning, "");
}

static void
devurn_ow_wrong_crc_is_a_warning(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:ow:10e2073a01080064");
	assert_string_equal(id.warning,
	    "1-Wire CRC byte is 64, expected 63: possibly mistyped");
}

static void
devurn_org_os_ops_fields(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:org:32473-foo");
	field_is("subtype", "org");
	field_is("pen", "32473");
	field_is("id", "foo");
	assert_string_equal(id.match_key, "devurn:urn:dev:org:32473-foo");
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:os:32473-12-34-56");
	field_is("pen", "32473");
	field_is("serial", "12-34-56");
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:ops:32473-Refrigerator-5002");
	field_is("subtype", "ops");
	field_is("pen", "32473");
	field_is("product", "Refrigerator");
	field_is("serial", "5002");
	assert_string_equal(id.warning, "");
}

static void
devurn_other_subtype_accepted_with_warning(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:example:new-1-2-3_comp");
	field_is("subtype", "example");
	field_is("id", "new-1-2-3");
	field_is("components", "comp");
	assert_string_equal(id.warning, "subtype 'example' is not one defined "
	    "by RFC 9039 (mac, ow, org, os, ops)");
}

static void
devurn_prefix_case_folds_but_rest_is_case_sensitive(void **state)
{
	char key[VIGIL_ID_MAX_VALUE];

	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "URN:Dev:ops:32473-Refrigerator-5002");
	assert_string_equal(id.normalized,
	    "urn:dev:ops:32473-Refrigerator-5002");
	memcpy(key, id.match_key, sizeof key);
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:ops:32473-refrigerator-5002");
	assert_string_not_equal(id.match_key, key);
}

static void
devurn_upper_case_hex_lowered_with_warning(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_DEV_URN, "urn:dev:mac:0024BEFFFF804FF1");
	assert_string_equal(id.normalized, "urn:dev:mac:0024beffff804ff1");
	assert_string_equal(id.match_key, "mac:0024be804ff1");
	assert_string_equal(id.warning,
	    "upper-case hex lowered (RFC 9039 §3 recommends lower case)");
}

static void
devurn_mac_of_twelve_digits_rejected_with_ffff_hint(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:mac:0024be804ff1",
	    "device URN urn:dev:mac:0024be804ff1: mac needs 16 hex digits "
	    "(an EUI-64), got 12; a MAC-48 is written "
	    "urn:dev:mac:0024beffff804ff1 (RFC 9039 §4.1)");
}

static void
devurn_rejects_pen_with_leading_zero(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:os:032473-1",
	    "device URN urn:dev:os:032473-1: PEN at position 12 starts "
	    "with 0");
}

static void
devurn_rejects_pen_without_dash(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:org:32473foo",
	    "device URN urn:dev:org:32473foo: expected '-' after the PEN at "
	    "position 18, found 'f'");
}

static void
devurn_rejects_character_outside_the_abnf(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:os:32473-12/34",
	    "device URN urn:dev:os:32473-12/34: invalid character '/' in the "
	    "serial at position 20 (allowed: letters, digits, '.', '-')");
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:ow:10e2073a0108006g",
	    "device URN urn:dev:ow:10e2073a0108006g: invalid character 'g' "
	    "in the hex string at position 27 (allowed: hex digits)");
}

static void
devurn_rejects_upper_case_subtype(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:MAC:0024beffff804ff1",
	    "device URN urn:dev:MAC:0024beffff804ff1: subtype must be lower "
	    "case, found 'M' at position 9");
}

static void
devurn_rejects_odd_length_hex(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:ow:10e2073a0108006",
	    "device URN urn:dev:ow:10e2073a0108006: hex string at position "
	    "12 has an odd number of digits (15)");
}

static void
devurn_rejects_ops_without_serial(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:ops:32473-Refrigerator",
	    "device URN urn:dev:ops:32473-Refrigerator: expected '-' and a "
	    "serial after the product at position 31");
}

static void
devurn_rejects_empty_component(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:org:32473-foo_",
	    "device URN urn:dev:org:32473-foo_: component missing at "
	    "position 23 (end of input)");
}

static void
devurn_rejects_missing_subtype_separator(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_DEV_URN, "urn:dev:mac",
	    "device URN urn:dev:mac: expected ':' after the subtype at "
	    "position 12 (end of input)");
	parse_err(VIGIL_ID_DEV_URN, "urn:uuid:x",
	    "device URN urn:uuid:x: must start with urn:dev:");
}

/* ---------------------------------------------------------------- */
/* RFC 9562 UUIDs */

static void
uuid_rfc9562_v7_vector_timestamp(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "017F22E2-79B0-7CC3-98C4-DC0C0C07398F");
	assert_string_equal(id.normalized,
	    "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	assert_string_equal(id.urn,
	    "urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	assert_string_equal(id.match_key,
	    "uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	field_is("version", "7");
	field_is("variant", "rfc9562");
	field_is("timestamp", "2022-02-22T19:22:22.000Z");
	assert_null(vigil_id_field(&id, "clock_seq"));
	assert_string_equal(id.warning, "");
}

static void
uuid_rfc9562_v1_vector_time_clock_seq_node(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "C232AB00-9414-11EC-B3C8-9F6BDECED846");
	assert_string_equal(id.normalized,
	    "c232ab00-9414-11ec-b3c8-9f6bdeced846");
	field_is("version", "1");
	field_is("timestamp", "2022-02-22T19:22:22.000Z");
	field_is("clock_seq", "13256");
	field_is("node", "9f:6b:de:ce:d8:46");
}

static void
uuid_rfc9562_v6_vector_same_time_as_v1(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "1EC9414C-232A-6B00-B3C8-9F6BDECED846");
	field_is("version", "6");
	field_is("timestamp", "2022-02-22T19:22:22.000Z");
	field_is("clock_seq", "13256");
	field_is("node", "9f:6b:de:ce:d8:46");
}

static void
uuid_rfc4122_v1_urn_example(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID,
	    "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	assert_string_equal(id.normalized,
	    "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	field_is("version", "1");
	field_is("timestamp", "1997-02-03T17:43:12.216Z");
	field_is("clock_seq", "10085");
	field_is("node", "00:a0:c9:1e:6b:f6");
}

static void
uuid_rfc9562_v3_v4_v5_vectors_report_version(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "5df41881-3aed-3515-88a7-2f4a814cf09e");
	field_is("version", "3");
	parse_ok(VIGIL_ID_UUID, "919108f7-52d1-4320-9bac-f847db4148a8");
	field_is("version", "4");
	parse_ok(VIGIL_ID_UUID, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
	field_is("version", "5");
	field_is("variant", "rfc9562");
	assert_null(vigil_id_field(&id, "timestamp"));
}

static void
uuid_braced_urn_and_bare_spellings_share_the_key(void **state)
{
	static const char *const spellings[] = {
		"{919108F7-52D1-4320-9BAC-F847DB4148A8}",
		"URN:UUID:919108f7-52d1-4320-9bac-f847db4148a8",
		"919108f752d143209bacf847db4148a8",
	};

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		parse_ok(VIGIL_ID_UUID, spellings[i]);
		assert_string_equal(id.match_key,
		    "uuid:919108f7-52d1-4320-9bac-f847db4148a8");
	}
}

static void
uuid_all_forms(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "919108f7-52d1-4320-9bac-f847db4148a8");
	assert_int_equal(id.nforms, 4);
	form_is("uuid", "919108f7-52d1-4320-9bac-f847db4148a8");
	form_is("urn", "urn:uuid:919108f7-52d1-4320-9bac-f847db4148a8");
	form_is("braced", "{919108f7-52d1-4320-9bac-f847db4148a8}");
	form_is("hex", "919108f752d143209bacf847db4148a8");
}

static void
uuid_nil_and_max_are_named(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "00000000-0000-0000-0000-000000000000");
	field_is("special", "nil");
	assert_string_equal(id.warning, "");
	parse_ok(VIGIL_ID_UUID, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");
	field_is("special", "max");
	assert_string_equal(id.normalized,
	    "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

static void
uuid_non_rfc_variants_accepted_with_warning(void **state)
{
	(void)state;
	/* IUnknown: a Microsoft-variant GUID. */
	parse_ok(VIGIL_ID_UUID, "00000000-0000-0000-C000-000000000046");
	field_is("variant", "microsoft");
	assert_null(vigil_id_field(&id, "version"));
	assert_string_equal(id.warning, "variant microsoft is not the RFC "
	    "9562 variant (reserved for backward compatibility); version and "
	    "time fields are not interpreted");
	parse_ok(VIGIL_ID_UUID, "12345678-1234-1234-1234-123456789abc");
	field_is("variant", "ncs");
	parse_ok(VIGIL_ID_UUID, "12345678-1234-1234-e234-123456789abc");
	field_is("variant", "future");
}

static void
uuid_undefined_version_warned(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_UUID, "017f22e2-79b0-0cc3-98c4-dc0c0c07398f");
	field_is("version", "0");
	assert_string_equal(id.warning,
	    "version 0 is not defined by RFC 9562 (unused)");
}

static void
uuid_rejects_bad_digit_length_hyphen_and_brace(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_UUID, "017f22e2-79b0-7cc3-98c4-dc0c0c07398g",
	    "UUID 017f22e2-79b0-7cc3-98c4-dc0c0c07398g: invalid hex digit "
	    "'g' at position 36");
	parse_err(VIGIL_ID_UUID, "017f22e2-79b0-7cc3-98c4-dc0c0c07398",
	    "UUID 017f22e2-79b0-7cc3-98c4-dc0c0c07398: 35 characters, "
	    "expected 36 (8-4-4-4-12) or 32 hex digits");
	parse_err(VIGIL_ID_UUID, "017f22e279b0-7cc3-98c4-dc0c-0c07398f",
	    "UUID 017f22e279b0-7cc3-98c4-dc0c-0c07398f: expected '-' at "
	    "position 9, found '7'");
	parse_err(VIGIL_ID_UUID, "017f22e2-79b0-7cc3-98c4dc0c0c07398f-",
	    "UUID 017f22e2-79b0-7cc3-98c4dc0c0c07398f-: expected '-' at "
	    "position 24, found 'd'");
	parse_err(VIGIL_ID_UUID, "{017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
	    "UUID {017f22e2-79b0-7cc3-98c4-dc0c0c07398f: missing closing "
	    "'}'");
	parse_err(VIGIL_ID_UUID, "017f22e2-79b07cc3-98c4-dc0c0c07398f",
	    "UUID 017f22e2-79b07cc3-98c4-dc0c0c07398f: 35 characters, "
	    "expected 36 (8-4-4-4-12) or 32 hex digits");
	parse_err(VIGIL_ID_UUID, "017f22e2-79b07cc398c4dc0c0c07398",
	    "UUID 017f22e2-79b07cc398c4dc0c0c07398: misplaced '-' at "
	    "position 9 (the form is 8-4-4-4-12)");
}

/* ---------------------------------------------------------------- */
/* RFC 3986 URIs */

static void
uri_rfc3986_section_6_2_2_normalization(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "eXAMPLE://a/./b/../b/%63/%7bfoo%7d");
	assert_string_equal(id.normalized, "example://a/b/c/%7Bfoo%7D");
	assert_string_equal(id.urn, "example://a/b/c/%7Bfoo%7D");
	assert_string_equal(id.match_key, "uri:example://a/b/c/%7Bfoo%7D");
	field_is("scheme", "example");
	field_is("host", "a");
	field_is("path", "/b/c/%7Bfoo%7D");
}

static void
uri_fields_only_those_present(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI,
	    "HTTPS://Example.COM:8443/a/%7euser?q=%7e1#Frag");
	assert_string_equal(id.normalized,
	    "https://example.com:8443/a/~user?q=~1#Frag");
	assert_int_equal(id.nfields, 6);
	field_is("scheme", "https");
	field_is("host", "example.com");
	field_is("port", "8443");
	field_is("path", "/a/~user");
	field_is("query", "q=~1");
	field_is("fragment", "Frag");
	parse_ok(VIGIL_ID_URI, "mailto:ops@example.com");
	assert_int_equal(id.nfields, 2);
	field_is("scheme", "mailto");
	field_is("path", "ops@example.com");
}

static void
uri_percent_encoded_dots_removed_to_a_fixed_point(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "http://a/b/%2e%2E/c/./%2E/d");
	assert_string_equal(id.normalized, "http://a/c/d");
}

static void
uri_rejects_dot_segments_that_would_create_an_authority(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_URI, "a:/.//c",
	    "URI a:/.//c: removing dot segments leaves a path starting with "
	    "\"//\", which would read as an authority (RFC 3986 §3.3)");
}

static void
uri_ipv6_host_keeps_brackets(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "coap://[FE80::1]:5683/sensors");
	field_is("host", "[fe80:0000:0000:0000:0000:0000:0000:0001]");
	field_is("port", "5683");
	field_is("path", "/sensors");
}

static void
uri_rejects_space_with_liburiparser_position(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_URI, "http://a b",
	    "URI http://a b: invalid character ' ' at position 9");
	parse_err(VIGIL_ID_URI, "http://[::1",
	    "URI http://[::1: incomplete at position 12 (end of input)");
}

static void
uri_rejects_relative_reference(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_URI, "//a/b",
	    "URI //a/b: a relative reference; an identifier needs an "
	    "absolute URI with a scheme (e.g. urn: or https:)");
}

static void
uri_password_in_userinfo_is_rejected_without_echoing_it(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_URI, "https://user:secret@host/x",
	    "URI https://user:...@host/x: contains a password in its "
	    "userinfo at position 14; identifiers must not carry secrets");
	assert_null(strstr(id.error, ":secret@"));
	parse_err(VIGIL_ID_URI, "ftp://user:secret@files.example/x",
	    "URI ftp://user:...@files.example/x: contains a password in its "
	    "userinfo at position 12; identifiers must not carry secrets");
	/* Other errors of such a URI do not show the password either. */
	parse_err(VIGIL_ID_URI, "https://u:pw@exa mple.com/",
	    "URI https://u:...@exa mple.com/: invalid character ' ' at "
	    "position 17");
	/* Auto-detection reports the same refusal. */
	assert_int_equal(vigil_id_detect("https://user:secret@host/x", 26, &id,
	    NULL, NULL), VIGIL_EINVAL);
	assert_int_equal(id.type, VIGIL_ID_URI);
	assert_null(strstr(id.error, ":secret@"));
}

static void
uri_user_without_password_is_accepted(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "ftp://user@files.example/x");
	assert_string_equal(id.normalized, "ftp://user@files.example/x");
	assert_string_equal(id.warning, "");
	parse_ok(VIGIL_ID_URI, "ftp://user:@files.example/x");
	assert_string_equal(id.warning, "userinfo has an empty password "
	    "field: the user:password form is deprecated (RFC 3986 §3.2.1)");
}

static void
uri_urn_lowercases_urn_and_nid_only(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "URN:EXAMPLE:A123,z456%2c");
	assert_string_equal(id.normalized, "urn:example:A123,z456%2C");
	assert_string_equal(id.urn, "urn:example:A123,z456%2C");
	field_is("scheme", "urn");
	field_is("nid", "example");
	field_is("nss", "A123,z456%2C");
}

static void
uri_urn_rfc8141_section_3_2_equivalence_examples(void **state)
{
	static const char *const same[] = {
		"urn:example:a123,z456", "URN:example:a123,z456",
		"urn:EXAMPLE:a123,z456", "urn:example:a123,z456?+abc",
		"urn:example:a123,z456?=xyz", "urn:example:a123,z456#789",
	};
	static const char *const differ[] = {
		"urn:example:a123,z456/foo", "urn:example:a123%2Cz456",
		"urn:example:A123,z456", "urn:example:a123,Z456",
	};

	(void)state;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		parse_ok(VIGIL_ID_URI, same[i]);
		assert_string_equal(id.match_key,
		    "uri:urn:example:a123,z456");
	}
	for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++) {
		parse_ok(VIGIL_ID_URI, differ[i]);
		assert_string_not_equal(id.match_key,
		    "uri:urn:example:a123,z456");
	}
	parse_ok(VIGIL_ID_URI, "urn:example:a123%2Cz456");
	assert_string_equal(id.match_key, "uri:urn:example:a123%2Cz456");
	parse_ok(VIGIL_ID_URI, "URN:EXAMPLE:a123%2cz456");
	assert_string_equal(id.match_key, "uri:urn:example:a123%2Cz456");
}

static void
uri_urn_components_are_fields_not_key(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI,
	    "urn:example:weather?+CCResolve:cc=uk?=op=map#top");
	assert_string_equal(id.match_key, "uri:urn:example:weather");
	field_is("r_component", "CCResolve:cc=uk");
	field_is("q_component", "op=map");
	field_is("fragment", "top");
}

static void
uri_urn_keeps_dot_segments(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_URI, "urn:example:a/../b");
	assert_string_equal(id.normalized, "urn:example:a/../b");
}

static void
uri_urn_rejects_bad_nid_and_plain_query(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_URI, "urn:x:foo",
	    "URI urn:x:foo: URN namespace identifier 'x' at position 5 must "
	    "be 2-32 letters, digits or '-', not starting or ending with '-' "
	    "(RFC 8141)");
	parse_err(VIGIL_ID_URI, "urn:example:a?b",
	    "URI urn:example:a?b: a URN query must be '?+' (r-component) or "
	    "'?=' (q-component) at position 14");
	parse_err(VIGIL_ID_URI, "urn:example:",
	    "URI urn:example:: URN namespace-specific string at position 13 "
	    "must not be empty or start with '/'");
}

/* ---------------------------------------------------------------- */
/* Serial numbers */

static void
serial_kept_as_given_case_sensitive(void **state)
{
	(void)state;
	parse_ok(VIGIL_ID_SERIAL, "  SN-00a12 B\t");
	assert_string_equal(id.normalized, "SN-00a12 B");
	assert_string_equal(id.match_key, "serial:SN-00a12 B");
	assert_string_equal(id.urn, "");
	field_is("length", "10");
}

static void
serial_rejects_control_character_with_position(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_SERIAL, "AB\x01" "C",
	    "serial AB\\x01C: control character 0x01 at position 3");
}

static void
serial_rejects_non_ascii_byte(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_SERIAL, "AB\xc3\xa9",
	    "serial AB\\xc3\\xa9: non-ASCII byte 0xc3 at position 3");
}

static void
serial_rejects_consecutive_spaces(void **state)
{
	(void)state;
	parse_err(VIGIL_ID_SERIAL, "AB  C",
	    "serial AB  C: consecutive spaces at position 3");
}

static void
serial_accepts_64_characters_rejects_65(void **state)
{
	char s[66], msg[160];

	(void)state;
	memset(s, 'A', 64);
	s[64] = '\0';
	parse_ok(VIGIL_ID_SERIAL, s);
	field_is("length", "64");
	s[64] = 'A';
	s[65] = '\0';
	memset(msg, 0, sizeof msg);
	memcpy(msg, "serial ", 7);
	memset(msg + 7, 'A', 64);
	memcpy(msg + 71, "...: 65 characters, the limit is 64",
	    sizeof "...: 65 characters, the limit is 64");
	parse_err(VIGIL_ID_SERIAL, s, msg);
}

/* ---------------------------------------------------------------- */
/* Auto-detection over these types */

static void
detect_finds_mac_not_uri_for_colon_form(void **state)
{
	size_t n;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	const char *s = "ab:cd:ef:01:23:45";

	(void)state;
	assert_int_equal(vigil_id_detect(s, strlen(s), &id, cand, &n),
	    VIGIL_OK);
	assert_int_equal(id.type, VIGIL_ID_MAC);
}

static void
detect_reports_mac_error_not_a_uri_reading(void **state)
{
	size_t n;
	const char *s = "ab:cd:ef:01:23:zz";

	(void)state;
	assert_int_equal(vigil_id_detect(s, strlen(s), &id, NULL, &n),
	    VIGIL_EINVAL);
	assert_string_equal(id.error,
	    "MAC ab:cd:ef:01:23:zz: invalid hex digit 'z' at position 16");
}

static void
detect_reports_dev_urn_error_not_a_uri_reading(void **state)
{
	size_t n;
	const char *s = "urn:dev:os:032473-1";

	(void)state;
	assert_int_equal(vigil_id_detect(s, strlen(s), &id, NULL, &n),
	    VIGIL_EINVAL);
	assert_string_equal(id.error, "device URN urn:dev:os:032473-1: PEN "
	    "at position 12 starts with 0");
}

static void
detect_finds_dev_urn_uuid_eui64_and_generic_uri(void **state)
{
	static const struct {
		const char *in;
		enum vigil_id_type t;
	} cases[] = {
		{ "urn:dev:ops:32473-Refrigerator-5002", VIGIL_ID_DEV_URN },
		{ "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
		    VIGIL_ID_UUID },
		{ "017f22e2-79b0-7cc3-98c4-dc0c0c07398f", VIGIL_ID_UUID },
		{ "acde48234567019f", VIGIL_ID_EUI64 },
		{ "001a.2b3c.4d5e", VIGIL_ID_MAC },
		{ "urn:example:a123,z456", VIGIL_ID_URI },
		{ "https://example.com/device/42", VIGIL_ID_URI },
	};
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum vigil_err rc = vigil_id_detect(cases[i].in,
		    strlen(cases[i].in), &id, NULL, &n);

		if (rc != VIGIL_OK)
			fail_msg("detect \"%s\": %s", cases[i].in, id.error);
		assert_int_equal(id.type, cases[i].t);
	}
}

static void
detect_never_offers_serial_or_uuid_for_an_eid(void **state)
{
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t n = 0;
	const char *eid = "89049032123451234512345678901235";
	enum vigil_err rc;

	(void)state;
	rc = vigil_id_detect(eid, strlen(eid), &id, cand, &n);
	if (rc == VIGIL_OK)
		assert_int_not_equal(id.type, VIGIL_ID_UUID);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(cand[i], VIGIL_ID_UUID);
		assert_int_not_equal(cand[i], VIGIL_ID_SERIAL);
	}
	rc = vigil_id_detect("SN1234", 6, &id, cand, &n);
	if (rc == VIGIL_OK)
		assert_int_not_equal(id.type, VIGIL_ID_SERIAL);
}

static void
normalized_forms_reparse_to_the_same_key(void **state)
{
	static const struct {
		enum vigil_id_type t;
		const char *in;
	} cases[] = {
		{ VIGIL_ID_MAC, "D0-50-99-84-A2-A0" },
		{ VIGIL_ID_EUI64, "urn:dev:mac:0024BEFFFE804FF1" },
		{ VIGIL_ID_DEV_URN, "URN:DEV:mac:0024BEFFFE804FF1" },
		{ VIGIL_ID_UUID, "{919108F7-52D1-4320-9BAC-F847DB4148A8}" },
		{ VIGIL_ID_URI, "eXAMPLE://a/./b/../b/%63/%7bfoo%7d" },
		{ VIGIL_ID_URI, "URN:Example:x?+r?=q#f" },
		{ VIGIL_ID_SERIAL, "ABC 123" },
	};
	struct vigil_id again;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		parse_ok(cases[i].t, cases[i].in);
		assert_int_equal(vigil_id_parse(cases[i].t, id.normalized,
		    strlen(id.normalized), &again), VIGIL_OK);
		assert_string_equal(again.match_key, id.match_key);
		assert_string_equal(again.normalized, id.normalized);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    mac_colon_upper_case_normalizes_to_lower_colon),
		cmocka_unit_test(mac_every_common_spelling_gives_the_same_key),
		cmocka_unit_test(mac_stdnum_compact_of_upper_hyphen_form),
		cmocka_unit_test(
		    mac_stdnum_single_digit_octets_are_zero_padded),
		cmocka_unit_test(mac_stdnum_five_octets_rejected_with_count),
		cmocka_unit_test(mac_rejects_invalid_hex_digit_with_position),
		cmocka_unit_test(mac_rejects_non_ascii_byte_escaped),
		cmocka_unit_test(mac_rejects_mixed_separators_with_position),
		cmocka_unit_test(mac_rejects_bare_hex_of_wrong_length),
		cmocka_unit_test(mac_rejects_octet_of_three_digits),
		cmocka_unit_test(
		    mac_rejects_empty_octet_and_trailing_separator),
		cmocka_unit_test(mac_rejects_dotted_group_not_of_four_digits),
		cmocka_unit_test(mac_fields_split_oui_and_nic_with_flags_clear),
		cmocka_unit_test(
		    mac_stdnum_locally_administered_warns_not_stable),
		cmocka_unit_test(mac_group_bit_reported_as_multicast),
		cmocka_unit_test(mac_all_forms_of_rfc9039_example),
		cmocka_unit_test(mac_ipv6_iid_inverts_ul_bit_of_local_address),
		cmocka_unit_test(
		    mac_accepts_its_rfc9039_urn_in_both_encapsulations),
		cmocka_unit_test(mac_rejects_urn_of_a_true_eui64),
		cmocka_unit_test(eui64_rfc9039_example_normalized_urn_and_key),
		cmocka_unit_test(eui64_every_spelling_gives_the_same_key),
		cmocka_unit_test(eui64_wrapping_a_mac_shares_the_mac_key),
		cmocka_unit_test(eui64_all_forms),
		cmocka_unit_test(
		    eui64_wrapping_a_mac_has_a_mac_form_like_dev_urn),
		cmocka_unit_test(
		    eui_single_digit_octets_only_in_the_colon_form),
		cmocka_unit_test(eui64_rejects_seven_octets_and_short_urn),
		cmocka_unit_test(
		    devurn_all_rfc9039_section7_examples_parse_unchanged),
		cmocka_unit_test(devurn_mac_shares_key_with_mac_and_eui64),
		cmocka_unit_test(devurn_mac_with_component_keeps_its_own_key),
		cmocka_unit_test(devurn_ow_fields_component_and_valid_crc),
		cmocka_unit_test(devurn_ow_wrong_crc_is_a_warning),
		cmocka_unit_test(devurn_org_os_ops_fields),
		cmocka_unit_test(devurn_other_subtype_accepted_with_warning),
		cmocka_unit_test(
		    devurn_prefix_case_folds_but_rest_is_case_sensitive),
		cmocka_unit_test(devurn_upper_case_hex_lowered_with_warning),
		cmocka_unit_test(
		    devurn_mac_of_twelve_digits_rejected_with_ffff_hint),
		cmocka_unit_test(devurn_rejects_pen_with_leading_zero),
		cmocka_unit_test(devurn_rejects_pen_without_dash),
		cmocka_unit_test(devurn_rejects_character_outside_the_abnf),
		cmocka_unit_test(devurn_rejects_upper_case_subtype),
		cmocka_unit_test(devurn_rejects_odd_length_hex),
		cmocka_unit_test(devurn_rejects_ops_without_serial),
		cmocka_unit_test(devurn_rejects_empty_component),
		cmocka_unit_test(devurn_rejects_missing_subtype_separator),
		cmocka_unit_test(uuid_rfc9562_v7_vector_timestamp),
		cmocka_unit_test(uuid_rfc9562_v1_vector_time_clock_seq_node),
		cmocka_unit_test(uuid_rfc9562_v6_vector_same_time_as_v1),
		cmocka_unit_test(uuid_rfc4122_v1_urn_example),
		cmocka_unit_test(uuid_rfc9562_v3_v4_v5_vectors_report_version),
		cmocka_unit_test(
		    uuid_braced_urn_and_bare_spellings_share_the_key),
		cmocka_unit_test(uuid_all_forms),
		cmocka_unit_test(uuid_nil_and_max_are_named),
		cmocka_unit_test(uuid_non_rfc_variants_accepted_with_warning),
		cmocka_unit_test(uuid_undefined_version_warned),
		cmocka_unit_test(
		    uuid_rejects_bad_digit_length_hyphen_and_brace),
		cmocka_unit_test(uri_rfc3986_section_6_2_2_normalization),
		cmocka_unit_test(uri_fields_only_those_present),
		cmocka_unit_test(
		    uri_percent_encoded_dots_removed_to_a_fixed_point),
		cmocka_unit_test(
		    uri_rejects_dot_segments_that_would_create_an_authority),
		cmocka_unit_test(uri_ipv6_host_keeps_brackets),
		cmocka_unit_test(uri_rejects_space_with_liburiparser_position),
		cmocka_unit_test(uri_rejects_relative_reference),
		cmocka_unit_test(
		    uri_password_in_userinfo_is_rejected_without_echoing_it),
		cmocka_unit_test(uri_user_without_password_is_accepted),
		cmocka_unit_test(uri_urn_lowercases_urn_and_nid_only),
		cmocka_unit_test(
		    uri_urn_rfc8141_section_3_2_equivalence_examples),
		cmocka_unit_test(uri_urn_components_are_fields_not_key),
		cmocka_unit_test(uri_urn_keeps_dot_segments),
		cmocka_unit_test(uri_urn_rejects_bad_nid_and_plain_query),
		cmocka_unit_test(serial_kept_as_given_case_sensitive),
		cmocka_unit_test(
		    serial_rejects_control_character_with_position),
		cmocka_unit_test(serial_rejects_non_ascii_byte),
		cmocka_unit_test(serial_rejects_consecutive_spaces),
		cmocka_unit_test(serial_accepts_64_characters_rejects_65),
		cmocka_unit_test(detect_finds_mac_not_uri_for_colon_form),
		cmocka_unit_test(detect_reports_mac_error_not_a_uri_reading),
		cmocka_unit_test(
		    detect_reports_dev_urn_error_not_a_uri_reading),
		cmocka_unit_test(
		    detect_finds_dev_urn_uuid_eui64_and_generic_uri),
		cmocka_unit_test(detect_never_offers_serial_or_uuid_for_an_eid),
		cmocka_unit_test(normalized_forms_reparse_to_the_same_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
