/* Unit tests of identifier auto-detection (src/lib/id/id.c): one clear
 * reading wins, real ambiguity is listed with its candidates, and a
 * value that fails its own type's check reports that type's error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "vigil/id.h"

static enum vigil_id_type
detect(const char *s, struct vigil_id *id, enum vigil_err *rc)
{
	*rc = vigil_id_detect(s, strlen(s), id, NULL, NULL);
	return id->type;
}

static void
detect_assert_type(const char *s, enum vigil_id_type want)
{
	struct vigil_id id;
	enum vigil_err rc;

	if (detect(s, &id, &rc) != want || rc != VIGIL_OK)
		fail_msg("%s: detected %s (rc %d, error \"%s\"), want %s", s,
		    vigil_id_type_name(id.type), rc, id.error,
		    vigil_id_type_name(want));
}

static void
detect_finds_the_single_valid_reading(void **state)
{
	(void)state;
	detect_assert_type("urn:gsma:imei:90420156-025763-0", VIGIL_ID_IMEI);
	detect_assert_type("35-209900-176148-1", VIGIL_ID_IMEI);
	detect_assert_type("00:1a:2b:3c:4d:5e", VIGIL_ID_MAC);
	detect_assert_type("3074257BF7194E4000001A85", VIGIL_ID_EPC);
	detect_assert_type("urn:epc:id:sgtin:0614141.812345.6789",
	    VIGIL_ID_EPC);
	detect_assert_type("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
	    VIGIL_ID_UUID);
	detect_assert_type("(01)80614141123458(21)6789", VIGIL_ID_GS1);
	detect_assert_type("89049032123451234512345678901235", VIGIL_ID_EID);
	detect_assert_type("urn:dev:ow:10e2073a01080063", VIGIL_ID_DEV_URN);
	detect_assert_type("urn:3gpp2:meid:AF012345-0ABCDE", VIGIL_ID_MEID);
}

static void
detect_prefers_specific_type_over_generic_uri(void **state)
{
	(void)state;
	detect_assert_type("https://id.gs1.org/01/09520123456788",
	    VIGIL_ID_DIGITAL_LINK);
	detect_assert_type("https://example.com/device/42", VIGIL_ID_URI);
}

static void
detect_lists_candidates_when_ambiguous(void **state)
{
	struct vigil_id id;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t n = 99;
	int has_imei = 0, has_imsi = 0;

	(void)state;
	/* Valid Luhn IMEI and a valid UK IMSI (MCC 234, MNC 15). */
	assert_int_equal(vigil_id_detect("234150999999999", 15, &id, cand, &n),
	    VIGIL_EAMBIGUOUS);
	for (size_t i = 0; i < n; i++) {
		has_imei |= cand[i] == VIGIL_ID_IMEI;
		has_imsi |= cand[i] == VIGIL_ID_IMSI;
	}
	assert_true(has_imei && has_imsi);
	assert_int_equal(id.type, VIGIL_ID_UNKNOWN);
	assert_non_null(strstr(id.error, "ambiguous, valid as "));
	assert_non_null(strstr(id.error, "imei"));
	assert_non_null(strstr(id.error, "imsi"));
	assert_non_null(strstr(id.error, "--type"));
}

static void
detect_reports_the_error_of_the_matching_shape(void **state)
{
	struct vigil_id id;
	enum vigil_err rc;

	(void)state;
	detect("35-209900-176148-2", &id, &rc);
	assert_int_equal(rc, VIGIL_EINVAL);
	assert_int_equal(id.type, VIGIL_ID_IMEI);
	assert_string_equal(id.error,
	    "IMEI 35-209900-176148-2: check digit is 2, expected 1");

	/* A bad EPC URN is reported as a bad EPC, not accepted as a
	 * generic URI. */
	detect("urn:epc:tag:sgtin-96:3.0614141.812345.06789", &id, &rc);
	assert_int_equal(rc, VIGIL_EINVAL);
	assert_int_equal(id.type, VIGIL_ID_EPC);
	assert_non_null(strstr(id.error, "leading zero"));
}

static void
detect_error_prefix(const char *s, const char *want_prefix)
{
	struct vigil_id id;
	enum vigil_err rc;

	detect(s, &id, &rc);
	if (rc != VIGIL_EINVAL || strncmp(id.error, want_prefix,
	    strlen(want_prefix)) != 0)
		fail_msg("%s: rc %d, error \"%s\", want \"%s...\"", s, rc,
		    id.error, want_prefix);
}

static void
detect_gives_the_likely_type_for_near_misses(void **state)
{
	(void)state;
	/* 19 digits starting 89 with a bad Luhn digit: an ICCID typo,
	 * not a MEID with an oversized manufacturer code. */
	detect_error_prefix("8988211000000530081",
	    "ICCID 8988211000000530081: check digit is 1, expected 2");
	/* A GTIN-13 typo is not a 13-digit IMSI. */
	detect_error_prefix("7501031311308",
	    "GTIN 7501031311308: check digit is 8, expected 9");
	/* A MAC with an octet missing is a bad MAC. */
	detect_error_prefix("00:00:00:00:00", "MAC 00:00:00:00:00: ");
	/* An EPC with an unsupported header is a bad EPC. */
	detect_error_prefix("3974257BF7194E4000001A85",
	    "EPC 3974257BF7194E4000001A85: header 0x39");
}

static void
detect_avoids_false_ambiguity_of_digit_strings(void **state)
{
	(void)state;
	/* A GTIN-14 is not also an IMEI body (09 is no reporting body). */
	detect_assert_type("09520123456788", VIGIL_ID_GTIN);
	/* 16 decimal digits are an IMEISV, not a bare EUI-64. */
	detect_assert_type("3520990017614823", VIGIL_ID_IMEISV);
	/* Bare hex with letters is still a MAC / EUI-64. */
	detect_assert_type("001b63d91e3f", VIGIL_ID_MAC);
	detect_assert_type("acde48234567019f", VIGIL_ID_EUI64);
}

static void
detect_rejects_empty_unknown_and_oversized_input(void **state)
{
	struct vigil_id id;
	enum vigil_err rc;
	static char big[VIGIL_ID_MAX_INPUT + 2];

	(void)state;
	detect("   ", &id, &rc);
	assert_int_equal(rc, VIGIL_EINVAL);
	assert_string_equal(id.error, "identifier: empty value");

	detect("hello world", &id, &rc);
	assert_int_equal(rc, VIGIL_EINVAL);
	assert_string_equal(id.error, "identifier hello world: not recognised "
	    "as any supported identifier type");

	memset(big, '1', sizeof big - 1);
	rc = vigil_id_detect(big, sizeof big - 1, &id, NULL, NULL);
	assert_int_equal(rc, VIGIL_ERANGE);
	assert_non_null(strstr(id.error, "the limit is 2048"));

	rc = vigil_id_parse(VIGIL_ID_IMEI, "3520990\0" "176148", 14, &id);
	assert_int_equal(rc, VIGIL_EINVAL);
	assert_string_equal(id.error,
	    "IMEI: value contains a NUL byte at position 8");
}

static void
parse_with_explicit_type_ignores_other_readings(void **state)
{
	struct vigil_id id;

	(void)state;
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMSI, "234150999999999", 15,
	    &id), VIGIL_OK);
	assert_int_equal(id.type, VIGIL_ID_IMSI);
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMEI, " 234150999999999\n",
	    17, &id), VIGIL_OK);
	assert_string_equal(id.normalized, "234150999999999");
}

static void
parse_no_detail_skips_fields_and_forms_only(void **state)
{
	static const struct {
		enum vigil_id_type t;
		const char *v;
	} vals[] = {
		{ VIGIL_ID_IMEI, "35-209900-176148-1" },
		{ VIGIL_ID_MEID, "AF0123450ABCDE" },
		{ VIGIL_ID_MAC, "00-1A-2B-3C-4D-5E" },
		{ VIGIL_ID_EPC, "3074257BF7194E4000001A85" },
		{ VIGIL_ID_GS1, "(01)09520123456788(21)12345" },
		{ VIGIL_ID_ESN, "8016B128" },
		{ VIGIL_ID_IMEI, "35-209900-176148-2" },
	};
	static struct vigil_id full, fast;

	(void)state;
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		size_t n = strlen(vals[i].v);

		assert_int_equal(vigil_id_parse(vals[i].t, vals[i].v, n, &full),
		    vigil_id_parse_ex(vals[i].t, vals[i].v, n,
		    VIGIL_ID_PARSE_NO_DETAIL, &fast));
		assert_string_equal(full.normalized, fast.normalized);
		assert_string_equal(full.urn, fast.urn);
		assert_string_equal(full.match_key, fast.match_key);
		assert_string_equal(full.warning, fast.warning);
		assert_string_equal(full.error, fast.error);
		assert_int_equal(fast.nfields, 0);
		assert_int_equal(fast.nforms, 0);
	}
	/* The pseudo-ESN warning survives: the registry relies on it. */
	assert_int_equal(vigil_id_parse_ex(VIGIL_ID_ESN, "8016B128", 8,
	    VIGIL_ID_PARSE_NO_DETAIL, &fast), VIGIL_OK);
	assert_non_null(strstr(fast.warning, "pseudo-ESN"));
}

static void
type_names_round_trip_and_accept_aliases(void **state)
{
	(void)state;
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		assert_int_equal(vigil_id_type_from_name(
		    vigil_id_type_name((enum vigil_id_type)t)), t);
	assert_int_equal(vigil_id_type_from_name("eui48"), VIGIL_ID_MAC);
	assert_int_equal(vigil_id_type_from_name("dl"),
	    VIGIL_ID_DIGITAL_LINK);
	assert_int_equal(vigil_id_type_from_name("nope"), VIGIL_ID_UNKNOWN);
	assert_string_equal(vigil_id_type_name((enum vigil_id_type)999),
	    "unknown");
}

static void
detect_reads_a_spaced_meid_with_check_digit_as_meid_only(void **state)
{
	struct vigil_id id;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t n = 99;
	const char *in = "AF 01 23 45 0A BC DE C"; /* python-stdnum meid */

	(void)state;
	/* Spaced single-digit groups are no EUI-64 spelling. */
	assert_int_equal(vigil_id_detect(in, strlen(in), &id, cand, &n),
	    VIGIL_OK);
	assert_int_equal(id.type, VIGIL_ID_MEID);
	assert_int_equal(n, 0);
	assert_string_equal(id.normalized, "AF0123450ABCDE");
}

/* Every message of a type starts with the type's title, the way
 * "<title>: empty value" does: "IMEI 4901...: check digit ...". */
static void
every_error_starts_with_the_type_title_and_the_input(void **state)
{
	static const struct {
		enum vigil_id_type t;
		const char *bad;
	} v[] = {
		{ VIGIL_ID_IMEI, "490154203237512" },
		{ VIGIL_ID_IMEISV, "35209900176148234" },
		{ VIGIL_ID_MEID, "AF 01 23 45 0A BC DE D" },
		{ VIGIL_ID_ESN, "25600000000" },
		{ VIGIL_ID_ICCID, "89882110000005300812" },
		{ VIGIL_ID_IMSI, "439011234567890" },
		{ VIGIL_ID_EID, "89049032123451234512345678901234" },
		{ VIGIL_ID_MAC, "00:24:be:80:4f:fg" },
		{ VIGIL_ID_EUI64, "ac:de:48:23:45:67:01" },
		{ VIGIL_ID_DEV_URN, "urn:dev:org:032473-foo" },
		{ VIGIL_ID_GTIN, "7501031311308" },
		{ VIGIL_ID_GS1, "(00)106141412345678907" },
		{ VIGIL_ID_DIGITAL_LINK,
		    "https://id.gs1.org/01/09520123456789" },
		{ VIGIL_ID_EPC, "307C257BF7194E4000001A85" },
		{ VIGIL_ID_UUID, "{2ed6657d-e927-568b-95e1-2665a8aea6a2" },
		{ VIGIL_ID_URI, "/relative/path" },
		{ VIGIL_ID_SERIAL, "SN  42" },
	};
	struct vigil_id id;
	char want[VIGIL_ID_MAX_ERR];

	(void)state;
	assert_int_equal(sizeof v / sizeof v[0], VIGIL_ID_TYPE_COUNT - 1);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const char *title = vigil_id_type_title(v[i].t);

		assert_int_equal(vigil_id_parse(v[i].t, v[i].bad,
		    strlen(v[i].bad), &id), VIGIL_EINVAL);
		snprintf(want, sizeof want, "%s %s: ", title, v[i].bad);
		if (strncmp(id.error, want, strlen(want)) != 0)
			fail_msg("%s: error \"%s\" does not start with \"%s\"",
			    vigil_id_type_name(v[i].t), id.error, want);
		assert_int_equal(vigil_id_parse(v[i].t, "", 0, &id),
		    VIGIL_EINVAL);
		snprintf(want, sizeof want, "%s: empty value", title);
		assert_string_equal(id.error, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_finds_the_single_valid_reading),
		cmocka_unit_test(detect_prefers_specific_type_over_generic_uri),
		cmocka_unit_test(detect_lists_candidates_when_ambiguous),
		cmocka_unit_test(detect_reports_the_error_of_the_matching_shape),
		cmocka_unit_test(detect_gives_the_likely_type_for_near_misses),
		cmocka_unit_test(
		    detect_avoids_false_ambiguity_of_digit_strings),
		cmocka_unit_test(
		    detect_rejects_empty_unknown_and_oversized_input),
		cmocka_unit_test(
		    parse_with_explicit_type_ignores_other_readings),
		cmocka_unit_test(parse_no_detail_skips_fields_and_forms_only),
		cmocka_unit_test(type_names_round_trip_and_accept_aliases),
		cmocka_unit_test(
		    detect_reads_a_spaced_meid_with_check_digit_as_meid_only),
		cmocka_unit_test(
		    every_error_starts_with_the_type_title_and_the_input),
	};

	return cmocka_run_group_tests_name("id_detect", tests, NULL, NULL);
}
