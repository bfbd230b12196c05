/*
 * GS1 identifiers: GTIN, element strings with the AI table, Digital
 * Link URIs. Vectors from python-stdnum, gs1-syntax-engine and
 * digital-link.js (research notes A.8-A.10) and from the GS1 General
 * Specifications; every test asserts exact strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "id/id_gs1.h"
#include "vigil/id.h"

static struct vigil_id id;

/* ---- helpers ------------------------------------------------------ */

static void
parse_ok(enum vigil_id_type t, const char *s)
{
	enum vigil_err rc = vigil_id_parse(t, s, strlen(s), &id);

	if (rc != VIGIL_OK)
		fail_msg("%s: expected success, got %d: %s", s, rc, id.error);
}

static void
parse_bad(enum vigil_id_type t, const char *s, const char *err)
{
	enum vigil_err rc = vigil_id_parse(t, s, strlen(s), &id);

	if (rc != VIGIL_EINVAL)
		fail_msg("%s: expected EINVAL, got %d (%s)", s, rc,
		    id.normalized);
	assert_string_equal(id.error, err);
}

static void
field_is(const char *name, const char *want)
{
	const char *v = vigil_id_field(&id, name);

	if (v == NULL)
		fail_msg("field %s missing", name);
	assert_string_equal(v, want);
}

static void
form_is(const char *name, const char *want)
{
	const char *v = vigil_id_form(&id, name);

	if (v == NULL)
		fail_msg("form %s missing", name);
	assert_string_equal(v, want);
}

#define GTIN VIGIL_ID_GTIN
#define GS1 VIGIL_ID_GS1
#define DL VIGIL_ID_DIGITAL_LINK

/* ---- GTIN --------------------------------------------------------- */

static void
gtin_accepts_stdnum_vectors_and_pads_to_gtin14(void **state)
{
	(void)state;
	parse_ok(GTIN, "73513537");
	assert_string_equal(id.normalized, "00000073513537");
	field_is("gtin_type", "GTIN-8");
	parse_ok(GTIN, "9780471117094");
	assert_string_equal(id.normalized, "09780471117094");
	parse_ok(GTIN, "98412345678908");
	assert_string_equal(id.normalized, "98412345678908");
	field_is("gtin_type", "GTIN-14");
	parse_ok(GTIN, "7501031311309");
	assert_string_equal(id.match_key, "gtin:07501031311309");
}

static void
gtin_rejects_wrong_check_digit_with_expected_digit(void **state)
{
	(void)state;
	parse_bad(GTIN, "7501031311308",
	    "GTIN 7501031311308: check digit is 8, expected 9");
}

static void
gtin_rejects_11_digits_naming_the_allowed_lengths(void **state)
{
	(void)state;
	parse_bad(GTIN, "75010313113",
	    "GTIN 75010313113: 11 digits, expected 8, 12, 13 or 14");
	parse_bad(GTIN, "123456789012345",
	    "GTIN 123456789012345: 15 digits, expected 8, 12, 13 or 14");
}

static void
gtin_digital_link_js_vectors(void **state)
{
	(void)state;
	parse_ok(GTIN, "012345678905");
	assert_string_equal(id.normalized, "00012345678905");
	field_is("gtin_type", "GTIN-12");
	parse_bad(GTIN, "012345678906",
	    "GTIN 012345678906: check digit is 6, expected 5");
}

static void
gtin_syntax_engine_vectors(void **state)
{
	(void)state;
	parse_ok(GTIN, "09520123456788");
	assert_string_equal(id.normalized, "09520123456788");
	parse_ok(GTIN, "2112345678900");
	assert_string_equal(id.normalized, "02112345678900");
	parse_ok(GTIN, "416000336108");
	assert_string_equal(id.normalized, "00416000336108");
	parse_ok(GTIN, "02345673");
	assert_string_equal(id.normalized, "00000002345673");
}

static void
gtin13_has_fields_and_forms_but_no_gtin12_form(void **state)
{
	(void)state;
	parse_ok(GTIN, "9780471117094");
	assert_string_equal(id.urn, "");
	assert_string_equal(id.warning, "");
	field_is("gtin_type", "GTIN-13");
	field_is("indicator", "0");
	field_is("check_digit", "4");
	form_is("gtin-14", "09780471117094");
	form_is("gtin-13", "9780471117094");
	assert_null(vigil_id_form(&id, "gtin-12"));
	assert_null(vigil_id_form(&id, "gtin-8"));
	form_is("element-string", "(01)09780471117094");
	form_is("digital-link", "https://id.gs1.org/01/09780471117094");
}

static void
gtin8_has_every_shorter_form(void **state)
{
	(void)state;
	parse_ok(GTIN, "73513537");
	form_is("gtin-14", "00000073513537");
	form_is("gtin-13", "0000073513537");
	form_is("gtin-12", "000073513537");
	form_is("gtin-8", "73513537");
	field_is("indicator", "0");
	field_is("check_digit", "7");
}

static void
gtin14_with_indicator_has_no_shorter_form(void **state)
{
	(void)state;
	parse_ok(GTIN, "98412345678908");
	field_is("indicator", "9");
	assert_null(vigil_id_form(&id, "gtin-13"));
	form_is("digital-link", "https://id.gs1.org/01/98412345678908");
}

static void
gtin_ignores_spaces_and_hyphens(void **state)
{
	(void)state;
	parse_ok(GTIN, "978-0-471-11709-4");
	assert_string_equal(id.match_key, "gtin:09780471117094");
	parse_ok(GTIN, "9 780471 117094");
	assert_string_equal(id.normalized, "09780471117094");
}

static void
gtin_rejects_letter_with_its_position(void **state)
{
	(void)state;
	parse_bad(GTIN, "97804a1117094",
	    "GTIN 97804a1117094: invalid character 'a' at position 6");
}

static void
gtin_warns_on_restricted_circulation_numbers(void **state)
{
	(void)state;
	parse_ok(GTIN, "2112345678900");
	assert_string_equal(id.warning, "restricted circulation number "
	    "(RCN): valid only within a company or region, not globally "
	    "unique");
	parse_ok(GTIN, "02345673");
	assert_string_equal(id.warning, "restricted circulation number "
	    "(RCN-8): valid only within a company or region, not globally "
	    "unique");
	parse_ok(GTIN, "73513537");
	assert_string_equal(id.warning, "");
}

static void
gtin_shape_counts_digits_after_separators(void **state)
{
	(void)state;
	assert_true(id_shape_gtin("978-0471-11709-4", 16));
	assert_true(id_shape_gtin("73513537", 8));
	assert_false(id_shape_gtin("75010313113", 11));
	assert_false(id_shape_gtin("123456789012345", 15));
	assert_false(id_shape_gtin("9780471117O94", 13));
}

/* ---- AI table ----------------------------------------------------- */

static void
ai_table_fnc1_flags_match_predefined_length_prefixes(void **state)
{
	size_t n;
	const struct gs1_ai *t = gs1_ai_table(&n);

	(void)state;
	assert_true(n > 60);
	for (size_t i = 0; i < n; i++) {
		char want[16];

		if (t[i].fnc1 == gs1_ai_predefined(t[i].ai))
			fail_msg("AI %s: FNC1 flag disagrees with the "
			    "predefined-length prefix list", t[i].ai);
		if (!t[i].fnc1 &&
		    gs1_ai_min_len(&t[i]) != gs1_ai_max_len(&t[i]))
			fail_msg("AI %s: predefined but variable", t[i].ai);
		snprintf(want, sizeof want, "ai_%s", t[i].ai);
		assert_string_equal(t[i].field, want);
		assert_ptr_equal(gs1_ai_lookup(t[i].ai, strlen(t[i].ai)),
		    &t[i]);
	}
}

/* Every AI named in req/ex/dl columns is itself in the table. */
static void
ai_table_cross_references_exist(void **state)
{
	size_t n;
	const struct gs1_ai *t = gs1_ai_table(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *cols[] = { t[i].req, t[i].ex, t[i].dl };

		for (size_t c = 0; c < 3; c++) {
			const char *p = cols[c];

			while (p != NULL && *p != '\0') {
				size_t l = strcspn(p, " |");

				if (l > 0 && gs1_ai_lookup(p, l) == NULL)
					fail_msg("AI %s refers to unknown %.*s",
					    t[i].ai, (int)l, p);
				p += l;
				if (*p != '\0')
					p++;
			}
		}
	}
}

static void
ai_prefix_lookup_finds_ai_length_from_first_two_digits(void **state)
{
	(void)state;
	assert_int_equal(gs1_ai_len_by_prefix("2499", 4), 3);
	assert_int_equal(gs1_ai_len_by_prefix("7099", 4), 4);
	assert_int_equal(gs1_ai_len_by_prefix("0100", 4), 2);
	assert_int_equal(gs1_ai_len_by_prefix("0500", 4), 0);
	assert_string_equal(gs1_ai_match("3103000500", 10)->ai, "3103");
	assert_null(gs1_ai_match("3106000500", 10));
}

static void
century_follows_the_general_specifications_sliding_window(void **state)
{
	(void)state;
	assert_int_equal(gs1_century_year(26, 2026), 2026);
	assert_int_equal(gs1_century_year(76, 2026), 2076);
	assert_int_equal(gs1_century_year(77, 2026), 1977);
	assert_int_equal(gs1_century_year(0, 2026), 2000);
	assert_int_equal(gs1_century_year(29, 2080), 2129);
	assert_int_equal(gs1_century_year(31, 2080), 2031);
	assert_int_equal(gs1_century_year(99, 2001), 1999);
}

static void
gmn_check_pair_matches_general_specifications_example(void **s)
{
	char pair[2];

	(void)s;
	assert_true(gs1_csumalpha("1987654Ad4X4bL5ttr2310c", 23, pair));
	assert_memory_equal(pair, "2K", 2);
	assert_false(gs1_csumalpha("abc def", 7, pair));
}

/* ---- element strings ---------------------------------------------- */

static void
gs1_fixed_length_ai_needs_no_fnc1_in_data_form(void **state)
{
	(void)state;
	parse_ok(GS1, "(01)12345678901231(10)12345");
	form_is("data", "^01123456789012311012345");
	assert_string_equal(id.normalized, "(01)12345678901231(10)12345");
	assert_string_equal(id.urn, "");
}

static void
gs1_variable_length_ai_gets_fnc1_before_the_next_ai(void **state)
{
	(void)state;
	parse_ok(GS1, "(10)12345(11)991225");
	form_is("data", "^1012345^11991225");
	field_is("ai_11_date", "1999-12-25");
}

static void
gs1_rejects_29_character_tpx(void **state)
{
	(void)state;
	parse_bad(GS1, "(235)12345678901234567890123456789",
	    "GS1 element string "
	    "(235)12345678901234567890123456789: AI (235) value has 29 "
	    "characters, at most 28");
	parse_ok(GS1, "(01)12345678901231(235)1234567890123456789012345678");
	assert_string_equal(id.match_key, "gs1:(01)12345678901231"
	    "(235)1234567890123456789012345678");
}

static void
gs1_rejects_15_digit_gtin(void **state)
{
	(void)state;
	parse_bad(GS1, "(01)123456789012312(10)12345",
	    "GS1 element string "
	    "(01)123456789012312(10)12345: AI (01) value has 15 "
	    "characters, expected 14");
}

/* stdnum's info() vector tokenises (01)(17)(37) but does not check
 * associations: COUNT (37) is only valid with CONTENT (02) or 8026. */
static void
gs1_stdnum_data_string_fails_count_without_content(void **state)
{
	(void)state;
	parse_bad(GS1, "013842587609507417181119371",
	    "GS1 element string "
	    "013842587609507417181119371: AI (37) at position 25 "
	    "requires AI (02) or (8026)");
	parse_ok(GS1, "023842587609507417181119371");
	field_is("ai_02", "38425876095074");
	field_is("ai_17", "181119");
	field_is("ai_17_date", "2018-11-19");
	field_is("ai_37", "1");
	assert_string_equal(id.normalized, "(02)38425876095074(17)181119(37)1");
}

static void
gs1_day_00_is_the_last_day_of_the_month(void **state)
{
	(void)state;
	parse_ok(GS1, "(01)38425876095074(17)260400(10)123456");
	field_is("ai_17", "260400");
	field_is("ai_17_date", "2026-04-30");
	parse_ok(GS1, "(01)38425876095074(15)240200");
	field_is("ai_15_date", "2024-02-29");
	parse_ok(GS1, "(01)38425876095074(11)250200");
	field_is("ai_11_date", "2025-02-28");
}

static void
gs1_rejects_impossible_dates_with_position(void **state)
{
	(void)state;
	parse_bad(GS1, "(17)261301", "GS1 element string "
	    "(17)261301: AI (17) month 13 is "
	    "not 01-12 at position 7");
	parse_bad(GS1, "(17)260431", "GS1 element string "
	    "(17)260431: AI (17) day 31 is not "
	    "valid in April 2026 at position 9");
	parse_bad(GS1, "(17)250229", "GS1 element string "
	    "(17)250229: AI (17) day 29 is not "
	    "valid in February 2025 at position 9");
	parse_ok(GS1, "(17)240229");
	/* 7003 is YYMMDD without the DD 00 convention, plus HHMI. */
	parse_bad(GS1, "(7003)2604001230", "GS1 element string "
	    "(7003)2604001230: AI (7003) "
	    "day 00 is not valid in April 2026 at position 11");
	parse_bad(GS1, "(7003)2604302460", "GS1 element string "
	    "(7003)2604302460: AI (7003) "
	    "hour 24 is not 00-23 at position 13");
	parse_ok(GS1, "(7003)2604302359");
	field_is("ai_7003_date", "2026-04-30");
}

static void
gs1_stdnum_encode_vector_fails_gtin_check_digit(void **state)
{
	(void)state;
	parse_bad(GS1, "(01)38425876095079", "GS1 element string "
	    "(01)38425876095079: AI "
	    "(01) check digit is 9, expected 4");
}

/* python-stdnum checks only 01/02; these pass there and must not. */
static void
gs1_checks_sscc_and_gln_digits_unlike_stdnum(void **state)
{
	(void)state;
	parse_bad(GS1, "(00)106141412345678907", "GS1 element string "
	    "(00)106141412345678907"
	    ": AI (00) check digit is 7, expected 8");
	parse_bad(GS1, "(414)0614141123453", "GS1 element string "
	    "(414)0614141123453: AI "
	    "(414) check digit is 3, expected 2");
}

static void
gs1_checks_every_ai_with_a_check_digit(void **state)
{
	static const struct {
		const char *good, *bad, *err;
	} v[] = {
		{ "(02)09520123456788(37)1", "(02)09520123456781(37)1",
		  "AI (02) check digit is 1, expected 8" },
		{ "(253)4602443000331XYZ", "(253)4602443000332XYZ",
		  "AI (253) check digit is 2, expected 1" },
		{ "(255)0614141000012", "(255)0614141000013",
		  "AI (255) check digit is 3, expected 2" },
		{ "(402)06141411234567890", "(402)06141411234567891",
		  "AI (402) check digit is 1, expected 0" },
		{ "(410)0614141123452", "(410)0614141123450",
		  "AI (410) check digit is 0, expected 2" },
		{ "(411)0614141123452", "(411)0614141123450",
		  "AI (411) check digit is 0, expected 2" },
		{ "(412)0614141123452", "(412)0614141123450",
		  "AI (412) check digit is 0, expected 2" },
		{ "(413)0614141123452", "(413)0614141123450",
		  "AI (413) check digit is 0, expected 2" },
		{ "(415)0614141123452", "(415)0614141123450",
		  "AI (415) check digit is 0, expected 2" },
		{ "(416)0614141123452", "(416)0614141123450",
		  "AI (416) check digit is 0, expected 2" },
		{ "(417)0614141123452", "(417)0614141123450",
		  "AI (417) check digit is 0, expected 2" },
		{ "(8003)006141411234525678", "(8003)006141411234535678",
		  "AI (8003) check digit is 3, expected 2" },
		{ "(8006)095201234567880102", "(8006)095201234567870102",
		  "AI (8006) check digit is 7, expected 8" },
		{ "(8017)061414112345678902", "(8017)061414112345678903",
		  "AI (8017) check digit is 3, expected 2" },
		{ "(8018)061414112345678902", "(8018)061414112345678900",
		  "AI (8018) check digit is 0, expected 2" },
		{ "(8026)095201234567880102(37)5",
		  "(8026)095201234567890102(37)5",
		  "AI (8026) check digit is 9, expected 8" },
		{ "(8013)1987654Ad4X4bL5ttr2310c2K",
		  "(8013)1987654Ad4X4bL5ttr2310c2L",
		  "AI (8013) check character pair is \"2L\", expected \"2K\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char want[VIGIL_ID_MAX_ERR];

		parse_ok(GS1, v[i].good);
		snprintf(want, sizeof want, "GS1 element string %s: %s",
		    v[i].bad, v[i].err);
		parse_bad(GS1, v[i].bad, want);
	}
}

static void
gs1_unknown_ai_names_it_and_its_position(void **state)
{
	(void)state;
	parse_bad(GS1, "(99x)ABC", "GS1 element string "
	    "(99x)ABC: unknown Application "
	    "Identifier 99x at position 2");
	parse_bad(GS1, "(01)09520123456788(249)X", "GS1 element string "
	    "(01)09520123456788"
	    "(249)X: unknown Application Identifier 249 at position 20");
	parse_bad(GS1, "^0109520123456788249X", "GS1 element string "
	    "^0109520123456788249X: "
	    "unknown Application Identifier 249 at position 18");
}

static void
gs1_rejects_duplicate_ai(void **state)
{
	(void)state;
	parse_bad(GS1, "(10)A(10)A", "GS1 element string "
	    "(10)A(10)A: duplicate AI (10) at "
	    "position 7");
}

static void
gs1_value_outside_cset82_is_rejected_with_position(void **state)
{
	(void)state;
	parse_bad(GS1, "(10)AB~C", "GS1 element string "
	    "(10)AB~C: AI (10) invalid character "
	    "'~' (not in GS1 character set 82) at position 7");
	parse_bad(GS1, "(01)0952012345678X", "GS1 element string "
	    "(01)0952012345678X: AI (01) "
	    "invalid character 'X' (not a digit) at position 18");
	/* Every CSET 82 punctuation character; '(' written as "\(". */
	parse_ok(GS1, "(91)!\"%&'\\()*+,-./:;<=>?_z");
	field_is("ai_91", "!\"%&'()*+,-./:;<=>?_z");
}

static void
gs1_cpid_uses_cset39(void **state)
{
	(void)state;
	parse_ok(GS1, "(8010)0614141ABC-#/");
	parse_bad(GS1, "(8010)0614141abc", "GS1 element string "
	    "(8010)0614141abc: AI (8010) "
	    "invalid character 'a' (not in GS1 character set 39) at "
	    "position 14");
}

static void
gs1_component_linters(void **state)
{
	(void)state;
	parse_bad(GS1, "(8003)106141411234525678", "GS1 element string (8003)"
	    "106141411234525678: AI (8003) digit is 1, expected 0 at "
	    "position 7");
	parse_bad(GS1, "(8006)095201234567880201", "GS1 element string (8006)"
	    "095201234567880201: AI (8006) piece 02 of total 01 is invalid "
	    "(need 01 <= piece <= total)");
	parse_bad(GS1, "(8010)ABC(8011)0123", "GS1 element string "
	    "(8010)ABC(8011)0123: AI "
	    "(8011) value has a leading zero at position 16");
	parse_ok(GS1, "(8010)ABC(8011)0");
	parse_bad(GS1, "(414)0614141123452(7040)1ab*", "GS1 element string "
	    "(414)"
	    "0614141123452(7040)1ab*: AI (7040) importer index '*' is not "
	    "one of 0-9 A-Z a-z - _ at position 28");
	parse_ok(GS1, "(414)0614141123452(7040)1ab_");
}

static void
gs1_data_form_accepts_gs_and_symbology_identifiers(void **state)
{
	static const char *const in[] = {
		"]C1010952012345678810ABC1\x1d" "2112345",
		"]d2010952012345678810ABC1\x1d" "2112345",
		"]Q3010952012345678810ABC1^2112345",
		"^010952012345678810ABC1^2112345",
		"010952012345678810ABC1\x1d" "2112345",
	};

	(void)state;
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		parse_ok(GS1, in[i]);
		assert_string_equal(id.normalized,
		    "(01)09520123456788(10)ABC1(21)12345");
		assert_string_equal(id.match_key,
		    "gs1:(01)09520123456788(21)12345");
	}
}

static void
gs1_data_form_tolerates_fnc1_after_fixed_length_value(void **state)
{
	(void)state;
	parse_ok(GS1, "^0109520123456788^10ABC1");
	assert_string_equal(id.normalized, "(01)09520123456788(10)ABC1");
	form_is("data", "^010952012345678810ABC1");
	parse_bad(GS1, "^10ABC1^", "GS1 element string "
	    "^10ABC1^: FNC1 at the end of the "
	    "data at position 8");
}

static void
gs1_data_form_missing_fnc1_is_reported_as_too_long(void **state)
{
	(void)state;
	parse_bad(GS1, "^1012345678901234567890121X", "GS1 element string "
	    "^1012345678901234567890121X: AI (10) value has 24 characters, "
	    "at most 20 (FNC1 separator missing after position 23?)");
	parse_bad(GS1, "^0109520123456", "GS1 element string "
	    "^0109520123456: AI (01) value "
	    "has 11 characters, expected 14");
}

static void
gs1_enforces_invalid_pairs_and_mandatory_associations(void **state)
{
	(void)state;
	parse_bad(GS1, "(21)X", "GS1 element string "
	    "(21)X: AI (21) at position 2 requires "
	    "AI (01) or (8006)");
	parse_bad(GS1, "(254)X", "GS1 element string "
	    "(254)X: AI (254) at position 2 "
	    "requires AI (414)");
	parse_bad(GS1, "(02)09520123456788", "GS1 element string "
	    "(02)09520123456788: AI "
	    "(02) at position 2 requires AI (37)");
	parse_bad(GS1, "(01)09520123456788(02)09520123456788(37)1",
	    "GS1 element string (01)09520123456788(02)09520123456788(37)1: "
	    "AI (01) at position 2 and AI (02) at position 20 cannot be used "
	    "together");
	parse_bad(GS1, "(01)09520123456788(21)A(235)B", "GS1 element string "
	    "(01)09520123456788(21)A(235)B: AI (21) at position 20 and AI "
	    "(235) at position 25 cannot be used together");
	parse_bad(GS1, "(8019)5", "GS1 element string "
	    "(8019)5: AI (8019) at position 2 "
	    "requires AI (8017) or (8018)");
}

static void
gs1_match_keys_use_primary_key_and_serial_only(void **state)
{
	static const struct {
		const char *in, *key;
	} v[] = {
		{ "(01)80614141123458(21)6789(10)L1",
		  "gs1:(01)80614141123458(21)6789" },
		{ "(01)80614141123458(10)L1(17)260400", "gtin:80614141123458" },
		{ "(00)106141412345678908", "gs1:(00)106141412345678908" },
		{ "(414)0614141123452(254)5678",
		  "gs1:(414)0614141123452(254)5678" },
		{ "(414)0614141123452", "gs1:(414)0614141123452" },
		{ "(8003)006141411234525678", "gs1:(8003)006141411234525678" },
		{ "(8004)06141415678", "gs1:(8004)06141415678" },
		{ "(8006)095201234567880102(21)Z",
		  "gs1:(8006)095201234567880102(21)Z" },
		{ "(253)4602443000331XYZ", "gs1:(253)4602443000331XYZ" },
		{ "(8010)0614141ABC(8011)123",
		  "gs1:(8010)0614141ABC(8011)123" },
		{ "(8018)061414112345678902(8019)5",
		  "gs1:(8018)061414112345678902" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		parse_ok(GS1, v[i].in);
		assert_string_equal(id.match_key, v[i].key);
	}
}

static void
gs1_key_without_identification_key_ignores_ai_order(void **state)
{
	char first[VIGIL_ID_MAX_VALUE];

	(void)state;
	parse_ok(GS1, "(11)991225(10)12345");
	memcpy(first, id.match_key, sizeof first);
	parse_ok(GS1, "(10)12345(11)991225");
	assert_string_equal(id.match_key, first);
	assert_string_equal(first, "gs1:(10)12345(11)991225");
	assert_null(vigil_id_form(&id, "digital-link"));
}

static void
gs1_generates_syntax_engine_digital_link_vector(void **state)
{
	static struct gs1_elems es;
	static const char *const ai[] = { "21", "01", "10", "99" };
	static const char *const val[] = { "XYZ", "12312312312333", "ABC123",
	    "XYZ" };
	char buf[VIGIL_ID_MAX_VALUE];
	int k;

	(void)state;
	gs1_elems_init(&es, "GS1", "x", 1);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(gs1_elems_add(&es, gs1_ai_lookup(ai[i],
		    strlen(ai[i])), 1, val[i], strlen(val[i]), 1, NULL, &id),
		    VIGIL_OK);
	k = gs1_elems_dl_key(&es);
	assert_int_equal(k, 1);
	gs1_elems_plan_path(&es, k);
	assert_true(gs1_render_dl(&es, k, "https://example.com", buf,
	    sizeof buf));
	assert_string_equal(buf, "https://example.com/01/12312312312333/10/"
	    "ABC123/21/XYZ?99=XYZ");
	/* The same through the public parser and its form. */
	parse_ok(GS1, "(21)XYZ(01)12312312312333(10)ABC123(99)XYZ");
	form_is("digital-link", "https://id.gs1.org/01/12312312312333/10/"
	    "ABC123/21/XYZ?99=XYZ");
	assert_string_equal(id.normalized,
	    "(21)XYZ(01)12312312312333(10)ABC123(99)XYZ");
	form_is("data", "^21XYZ^011231231231233310ABC123^99XYZ");
}

static void
gs1_fields_name_each_ai(void **state)
{
	(void)state;
	parse_ok(GS1, "(01)09520123456788(17)260400(10)ABC");
	assert_int_equal(id.nfields, 4);
	assert_string_equal(id.fields[0].name, "ai_01");
	assert_string_equal(id.fields[0].value, "09520123456788");
	assert_string_equal(id.fields[1].name, "ai_17");
	assert_string_equal(id.fields[2].name, "ai_17_date");
	assert_string_equal(id.fields[2].value, "2026-04-30");
	assert_string_equal(id.fields[3].name, "ai_10");
	assert_string_equal(id.fields[3].value, "ABC");
	form_is("element-string", "(01)09520123456788(17)260400(10)ABC");
}

static void
gs1_escapes_parenthesis_in_values(void **state)
{
	(void)state;
	parse_ok(GS1, "(01)09520123456788(10)a\\(b(21)c)");
	field_is("ai_10", "a(b");
	field_is("ai_21", "c)");
	assert_string_equal(id.normalized, "(01)09520123456788(10)a\\(b(21)c)");
	form_is("data", "^010952012345678810a(b^21c)");
	form_is("digital-link",
	    "https://id.gs1.org/01/09520123456788/10/a%28b/21/c%29");
}

static void
gs1_bracket_syntax_errors(void **state)
{
	(void)state;
	parse_bad(GS1, "(01", "GS1 element string "
	    "(01: missing ')' after the Application "
	    "Identifier at position 2");
	parse_bad(GS1, "(10)", "GS1 element string "
	    "(10): AI (10) has no value at position 5");
	parse_bad(GS1, "()X", "GS1 element string "
	    "()X: empty Application Identifier at "
	    "position 2");
	parse_bad(GS1, "ABC", "GS1 element string "
	    "ABC: expected '(' or a GS1 data string at "
	    "position 1");
}

static void
gs1_shape_needs_bracketed_ai_or_gs1_data_marker(void **state)
{
	(void)state;
	assert_true(id_shape_gs1("(01)1", 5));
	assert_true(id_shape_gs1("(8003)1", 7));
	assert_true(id_shape_gs1("^0109", 5));
	assert_true(id_shape_gs1("]C1010", 6));
	assert_true(id_shape_gs1("10AB\x1d" "21X", 8));
	assert_false(id_shape_gs1("(1)23", 5));
	assert_false(id_shape_gs1("(12345)6", 8));
	assert_false(id_shape_gs1("09520123456788", 14));
}

/* ---- Digital Link ------------------------------------------------- */

static void
dl_syntax_engine_vector_to_data_form(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345"
	    "?17=180426");
	form_is("data", "^010952012345678810ABC1^2112345^17180426");
	form_is("element-string",
	    "(01)09520123456788(10)ABC1(21)12345(17)180426");
	assert_string_equal(id.normalized, "https://id.gs1.org/01/"
	    "09520123456788/10/ABC1/21/12345?17=180426");
	assert_string_equal(id.match_key, "gs1:(01)09520123456788(21)12345");
	assert_string_equal(id.urn, "");
	field_is("domain", "id.gs1.org");
	assert_null(vigil_id_field(&id, "stem"));
	field_is("ai_17_date", "2018-04-26");
}

static void
dl_decodes_percent_encoded_slash_in_a_value(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/414/9520123456788/254/32a%2Fb");
	form_is("data", "^414952012345678825432a/b");
	field_is("ai_254", "32a/b");
	assert_string_equal(id.match_key, "gs1:(414)9520123456788(254)32a/b");
	form_is("digital-link",
	    "https://id.gs1.org/414/9520123456788/254/32a%2Fb");
}

static void
dl_takes_the_rightmost_primary_key(void **state)
{
	(void)state;
	parse_ok(DL, "https://a/00/faux/00/006141411234567890");
	form_is("data", "^00006141411234567890");
	field_is("stem", "00/faux");
	field_is("domain", "a");
	assert_string_equal(id.normalized,
	    "https://a/00/faux/00/006141411234567890");
	form_is("digital-link", "https://id.gs1.org/00/006141411234567890");
	assert_string_equal(id.match_key, "gs1:(00)006141411234567890");
}

static void
dl_rejects_key_qualifier_in_the_query(void **state)
{
	(void)state;
	parse_bad(DL, "https://example.com/01/09520123456788?10=ABC123",
	    "GS1 Digital Link URI "
	    "https://example.com/01/09520123456788?10=ABC123"
	    ": AI (10) in the query at position 39 is a key qualifier of (01)"
	    " and belongs in the path");
}

static void
dl_rejects_a_non_qualifier_in_the_path(void **state)
{
	(void)state;
	parse_bad(DL, "https://a/01/12312312312333/99/ABC",
	    "GS1 Digital Link URI "
	    "https://a/01/12312312312333/99/ABC: AI (99) at "
	    "position 29 is not a key qualifier of (01); (01) takes (22), "
	    "(10), (21) or (235)");
	parse_bad(DL, "https://id.gs1.org/00/106141412345678908/21/x",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/00/106141412345678908/21/x: "
	    "primary key (00) takes no qualifier, but the path continues at "
	    "position 42");
}

static void
dl_rejects_qualifiers_out_of_order(void **state)
{
	(void)state;
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/21/X/10/Y",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788/21/X/10/Y"
	    ": qualifier (10) at position 43 must come before (21) at "
	    "position 38; (01) takes (22), (10), (21) or (235) in this order");
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/21/X/235/Y",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788/21/X/235/"
	    "Y: qualifiers (21) and (235) at position 43 cannot be combined; "
	    "(01) takes (22), (10), (21) or (235)");
}

static void
dl_rejects_path_qualifier_repeated_in_query(void **state)
{
	(void)state;
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/21/X?21=Y",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788/21/X?21=Y"
	    ": AI (21) in the query at position 43 repeats AI (21) of the "
	    "path at position 38");
}

static void
dl_rejects_duplicate_query_ai(void **state)
{
	(void)state;
	parse_bad(DL, "https://id.gs1.org/01/09520123456788?17=180426&"
	    "17=180427", "GS1 Digital Link URI https://id.gs1.org/01/"
	    "09520123456788?17=180426&17=180427: duplicate AI (17) at "
	    "position 48");
}

static void
dl_rejects_unknown_numeric_query_key_and_ignores_others(void **state)
{
	(void)state;
	parse_bad(DL, "https://id.gs1.org/01/09520123456788?991=Y",
	    "GS1 Digital Link URI https://id.gs1.org/01/09520123456788?991=Y: "
	    "unknown Application Identifier 991 in the query at position 38");
	parse_ok(DL, "https://id.gs1.org/01/09520123456788?linkType=gs1:pip"
	    "&3103=000500&context=x");
	assert_string_equal(id.normalized,
	    "https://id.gs1.org/01/09520123456788?3103=000500");
	assert_string_equal(id.match_key, "gtin:09520123456788");
}

static void
dl_plus_is_a_space_only_in_the_query(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/01/09520123456788/21/A+B");
	field_is("ai_21", "A+B");
	assert_string_equal(id.normalized,
	    "https://id.gs1.org/01/09520123456788/21/A%2BB");
	parse_bad(DL, "https://id.gs1.org/01/09520123456788?99=a+b",
	    "GS1 Digital Link URI https://id.gs1.org/01/09520123456788?99=a+b: "
	    "AI (99) invalid character ' ' (not in GS1 character set 82) at "
	    "position 42");
}

static void
dl_decodes_percent_encoded_unreserved_character(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/01/09520123456788/10/ABC%2D123");
	field_is("ai_10", "ABC-123");
	assert_string_equal(id.normalized,
	    "https://id.gs1.org/01/09520123456788/10/ABC-123");
}

static void
dl_pads_short_gtin_with_a_legacy_warning(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/01/9520123456788");
	assert_string_equal(id.normalized,
	    "https://id.gs1.org/01/09520123456788");
	assert_string_equal(id.match_key, "gtin:09520123456788");
	assert_string_equal(id.warning, "GTIN-13 in a Digital Link URI is "
	    "legacy; padded to GTIN-14 09520123456788");
	parse_ok(DL, "https://id.gs1.org/01/73513537");
	assert_string_equal(id.match_key, "gtin:00000073513537");
	parse_bad(DL, "https://id.gs1.org/01/0952012345678",
	    "GS1 Digital Link URI https://id.gs1.org/01/0952012345678: AI (01) "
	    "check digit is 8, expected 2");
}

static void
dl_rejects_convenience_alphas(void **state)
{
	(void)state;
	parse_bad(DL, "https://x/gtin/09520123456788", "GS1 Digital Link URI "
	    "https://x/gtin/09520123456788: convenience alpha \"gtin\" at "
	    "position 11 is not supported; use the numeric AI (01)");
	parse_bad(DL, "https://x/01/09520123456788/ser/1",
	    "GS1 Digital Link URI https://x/01/09520123456788/ser/1: "
	    "convenience alpha \"ser\" at position 29 is not supported; use "
	    "the numeric AI (21)");
}

static void
dl_normalizes_case_encoding_query_order_and_drops_fragment(void **state)
{
	(void)state;
	parse_ok(DL, "HTTPS://Example.COM/products/01/09520123456788/21/"
	    "A%2dB+C?linkType=gs1:pip&99=a%2Bb&17=180400#frag");
	assert_string_equal(id.normalized, "https://example.com/products/01/"
	    "09520123456788/21/A-B%2BC?17=180400&99=a%2Bb");
	form_is("digital-link", "https://id.gs1.org/01/09520123456788/21/"
	    "A-B%2BC?17=180400&99=a%2Bb");
	form_is("element-string",
	    "(01)09520123456788(21)A-B+C(17)180400(99)a+b");
	field_is("domain", "example.com");
	field_is("stem", "products");
	field_is("ai_17_date", "2018-04-30");
}

static void
dl_accepts_http_and_port(void **state)
{
	(void)state;
	parse_ok(DL, "http://example.com:8080/01/09520123456788");
	assert_string_equal(id.normalized,
	    "http://example.com:8080/01/09520123456788");
	field_is("domain", "example.com:8080");
}

static void
dl_uri_syntax_errors_say_where(void **state)
{
	(void)state;
	parse_bad(DL, "https://id.gs1.org/01/09520123456788?17=1804%",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788?17=1804%: "
	    "invalid percent-encoding at position 45");
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/10/a b",
	    "GS1 Digital Link URI https://id.gs1.org/01/09520123456788/10/a b: "
	    "character ' ' at position 42 is not allowed in a URI "
	    "(percent-encode it)");
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788/: the path "
	    "ends with '/' at position 37");
	parse_bad(DL, "ftp://id.gs1.org/01/09520123456788",
	    "GS1 Digital Link URI "
	    "ftp://id.gs1.org/01/09520123456788: expected an "
	    "http:// or https:// URI");
	parse_bad(DL, "https://u@id.gs1.org/01/09520123456788",
	    "GS1 Digital Link URI https://u@id.gs1.org/01/09520123456788: user "
	    "information before '@' is not allowed at position 9");
	parse_bad(DL, "https://id.gs1.org/", "GS1 Digital Link URI "
	    "https://id.gs1.org/: no path; expected /{key AI}/{value} after "
	    "the domain");
	parse_bad(DL, "https://id.gs1.org/10/ABC",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/10/ABC: no GS1 primary key "
	    "in the path; expected /{key AI}/{value}[/{qualifier AI}/"
	    "{value}...] at its end, e.g. /01/{GTIN-14}");
}

static void
dl_invalid_value_position_counts_raw_characters(void **state)
{
	(void)state;
	/* "%7E" decodes to '~', outside CSET 82: the position is the '%'. */
	parse_bad(DL, "https://id.gs1.org/01/09520123456788/10/%41%7Eb",
	    "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456788/10/%41%7Eb"
	    ": AI (10) invalid character '~' (not in GS1 character set 82) at "
	    "position 44");
}

static void
dl_tpx_path_leaves_batch_to_the_query(void **state)
{
	(void)state;
	parse_ok(DL, "https://id.gs1.org/01/09520123456788/235/X?10=Y");
	assert_string_equal(id.match_key, "gs1:(01)09520123456788(235)X");
	assert_string_equal(id.normalized,
	    "https://id.gs1.org/01/09520123456788/235/X?10=Y");
}

static void
dl_itip_takes_gtin_qualifiers(void **state)
{
	(void)state;
	parse_ok(DL, "https://example.com/a/b/8006/095201234567880102/22/x/"
	    "10/y/21/z");
	assert_string_equal(id.match_key,
	    "gs1:(8006)095201234567880102(21)z");
	form_is("element-string", "(8006)095201234567880102(22)x(10)y(21)z");
	field_is("stem", "a/b");
}

/* Element string → Digital Link → element string keeps the AIs and
 * the key; Digital Link → element string → Digital Link is canonical. */
static void
dl_round_trips_with_element_strings(void **state)
{
	static const char *const es[] = {
		"(01)09520123456788(10)ABC1(21)12345(17)180426",
		"(00)106141412345678908",
		"(414)0614141123452(254)32a/b",
		"(8003)006141411234525678",
		"(8004)06141415678",
		"(8010)0614141ABC(8011)123",
		"(8018)061414112345678902(8019)5",
		"(02)09520123456788(37)5(00)106141412345678908",
		"(01)09520123456788(10)a\\(b%&",
	};

	(void)state;
	for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) {
		char key[VIGIL_ID_MAX_VALUE], dl[VIGIL_ID_MAX_VALUE];
		char back[VIGIL_ID_MAX_VALUE];

		parse_ok(GS1, es[i]);
		memcpy(key, id.match_key, sizeof key);
		memcpy(dl, vigil_id_form(&id, "digital-link"), sizeof dl);
		parse_ok(DL, dl);
		assert_string_equal(id.match_key, key);
		assert_string_equal(id.normalized, dl);
		memcpy(back, vigil_id_form(&id, "element-string"), sizeof back);
		parse_ok(GS1, back);
		assert_string_equal(id.match_key, key);
		form_is("digital-link", dl);
	}
}

static void
normalized_forms_reparse_to_the_same_key(void **state)
{
	static const struct {
		enum vigil_id_type t;
		const char *in;
	} v[] = {
		{ GTIN, "978-0471-11709-4" },
		{ GS1, "]C1010952012345678810ABC1\x1d" "2112345" },
		{ GS1, "(01)09520123456788(10)a\\(b(21)c" },
		{ DL, "HTTPS://Example.COM/x/01/9520123456788/21/A%2dB+C"
		    "?99=%28" },
		{ DL, "https://a/00/faux/00/006141411234567890#x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char norm[VIGIL_ID_MAX_VALUE], key[VIGIL_ID_MAX_VALUE];

		parse_ok(v[i].t, v[i].in);
		memcpy(norm, id.normalized, sizeof norm);
		memcpy(key, id.match_key, sizeof key);
		parse_ok(v[i].t, norm);
		assert_string_equal(id.normalized, norm);
		assert_string_equal(id.match_key, key);
	}
}

#define DL_SHAPE(s) id_shape_digital_link(s, strlen(s))

static void
dl_shape_wants_a_key_segment_and_a_plausible_value(void **state)
{
	(void)state;
	/* Numeric keys: length and digits of the AI, check digit not
	 * verified; GTIN-8/12/13 as the parser pads them. */
	assert_true(DL_SHAPE("https://x/01/09520123456788"));
	assert_true(DL_SHAPE("https://x/01/09520123456789"));
	assert_true(DL_SHAPE("https://x/01/9520123456788"));
	assert_true(DL_SHAPE("https://x/01/95201234"));
	assert_true(DL_SHAPE("http://x/p/414/0614141123452?a"));
	assert_true(DL_SHAPE("https://x/00/106141412345678908"));
	assert_true(DL_SHAPE("https://x/8003/00614141123452"));
	assert_true(DL_SHAPE("https://x/8003/00614141123452AB"));
	assert_true(DL_SHAPE("https://x/01/%30%39520123456788"));
	assert_false(DL_SHAPE("https://x/01/1"));
	assert_false(DL_SHAPE("https://x/01/intro"));
	assert_false(DL_SHAPE("https://x/01/095201234567881"));
	assert_false(DL_SHAPE("https://x/00/10614141234567890"));
	assert_false(DL_SHAPE("https://x/414/061414112345"));
	assert_false(DL_SHAPE("https://x/8003/A0614141123452"));
	/* Alphanumeric keys: anything of the character set on
	 * id.gs1.org, elsewhere only what starts with a company prefix. */
	assert_true(DL_SHAPE("https://id.gs1.org/8004/intro"));
	assert_true(DL_SHAPE("https://ID.GS1.ORG:443/8004/intro"));
	assert_true(DL_SHAPE("https://example.com/8004/0614141ABC"));
	assert_false(DL_SHAPE("https://example.com/8004/intro"));
	assert_false(DL_SHAPE("https://example.com/8004/061A"));
	assert_false(DL_SHAPE("https://id.gs1.org.example/8004/intro"));
	/* Structure. */
	assert_false(DL_SHAPE("https://x/01"));
	assert_false(DL_SHAPE("https://x/10/1"));
	assert_false(DL_SHAPE("ftp://x/01/09520123456788"));
	assert_false(DL_SHAPE("https://x/a?01/09520123456788"));
	/* A later key segment still counts after an implausible one. */
	assert_true(DL_SHAPE("https://x/01/intro/01/09520123456788"));
}

static void
dl_detect_leaves_a_blog_url_with_01_to_uri(void **state)
{
	const char *in = "https://example.com/blog/01/intro";

	(void)state;
	assert_int_equal(vigil_id_detect(in, strlen(in), &id, NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(id.type, VIGIL_ID_URI);
	assert_string_equal(id.normalized, in);
}

static void
dl_detect_reports_the_check_digit_error_of_a_gs1_link(void **state)
{
	const char *in = "https://id.gs1.org/01/09520123456789";

	(void)state;
	assert_int_equal(vigil_id_detect(in, strlen(in), &id, NULL, NULL),
	    VIGIL_EINVAL);
	assert_int_equal(id.type, VIGIL_ID_DIGITAL_LINK);
	assert_string_equal(id.error, "GS1 Digital Link URI "
	    "https://id.gs1.org/01/09520123456789: AI (01) check digit is 9, "
	    "expected 8");
}

static void
dl_warnings_append_so_none_is_lost(void **state)
{
	(void)state;
	/* The legacy-GTIN remark and, past 16 fields, the dropped-fields
	 * remark (once, although four fields are dropped). */
	parse_ok(DL, "https://id.gs1.org/01/9520123456788/10/A?11=250101&"
	    "12=250101&13=250101&15=250101&16=250101&17=250101&20=01&30=1&"
	    "240=X&241=Y");
	assert_int_equal(id.nfields, VIGIL_ID_MAX_FIELDS);
	assert_string_equal(id.warning, "GTIN-13 in a Digital Link URI is "
	    "legacy; padded to GTIN-14 09520123456788; more than 16 fields: "
	    "only the first 16 are listed");
}

static void
dl_and_gs1_name_their_renderings_alike(void **state)
{
	(void)state;
	/* One name per rendering, whatever the type parsed. */
	parse_ok(GS1, "(01)09520123456788(21)12345");
	form_is("element-string", "(01)09520123456788(21)12345");
	form_is("digital-link",
	    "https://id.gs1.org/01/09520123456788/21/12345");
	assert_null(vigil_id_form(&id, "bracketed"));
	parse_ok(DL, "https://example.com/01/09520123456788/21/12345");
	form_is("element-string", "(01)09520123456788(21)12345");
	form_is("digital-link",
	    "https://id.gs1.org/01/09520123456788/21/12345");
	assert_null(vigil_id_form(&id, "canonical"));
	parse_ok(GTIN, "9520123456788");
	form_is("element-string", "(01)09520123456788");
	form_is("digital-link", "https://id.gs1.org/01/09520123456788");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    gtin_accepts_stdnum_vectors_and_pads_to_gtin14),
		cmocka_unit_test(
		    gtin_rejects_wrong_check_digit_with_expected_digit),
		cmocka_unit_test(
		    gtin_rejects_11_digits_naming_the_allowed_lengths),
		cmocka_unit_test(gtin_digital_link_js_vectors),
		cmocka_unit_test(gtin_syntax_engine_vectors),
		cmocka_unit_test(
		    gtin13_has_fields_and_forms_but_no_gtin12_form),
		cmocka_unit_test(gtin8_has_every_shorter_form),
		cmocka_unit_test(gtin14_with_indicator_has_no_shorter_form),
		cmocka_unit_test(gtin_ignores_spaces_and_hyphens),
		cmocka_unit_test(gtin_rejects_letter_with_its_position),
		cmocka_unit_test(gtin_warns_on_restricted_circulation_numbers),
		cmocka_unit_test(gtin_shape_counts_digits_after_separators),
		cmocka_unit_test(
		    ai_table_fnc1_flags_match_predefined_length_prefixes),
		cmocka_unit_test(ai_table_cross_references_exist),
		cmocka_unit_test(
		    ai_prefix_lookup_finds_ai_length_from_first_two_digits),
		cmocka_unit_test(
		    century_follows_the_general_specifications_sliding_window),
		cmocka_unit_test(
		    gmn_check_pair_matches_general_specifications_example),
		cmocka_unit_test(
		    gs1_fixed_length_ai_needs_no_fnc1_in_data_form),
		cmocka_unit_test(
		    gs1_variable_length_ai_gets_fnc1_before_the_next_ai),
		cmocka_unit_test(gs1_rejects_29_character_tpx),
		cmocka_unit_test(gs1_rejects_15_digit_gtin),
		cmocka_unit_test(
		    gs1_stdnum_data_string_fails_count_without_content),
		cmocka_unit_test(gs1_day_00_is_the_last_day_of_the_month),
		cmocka_unit_test(gs1_rejects_impossible_dates_with_position),
		cmocka_unit_test(
		    gs1_stdnum_encode_vector_fails_gtin_check_digit),
		cmocka_unit_test(gs1_checks_sscc_and_gln_digits_unlike_stdnum),
		cmocka_unit_test(gs1_checks_every_ai_with_a_check_digit),
		cmocka_unit_test(gs1_unknown_ai_names_it_and_its_position),
		cmocka_unit_test(gs1_rejects_duplicate_ai),
		cmocka_unit_test(
		    gs1_value_outside_cset82_is_rejected_with_position),
		cmocka_unit_test(gs1_cpid_uses_cset39),
		cmocka_unit_test(gs1_component_linters),
		cmocka_unit_test(
		    gs1_data_form_accepts_gs_and_symbology_identifiers),
		cmocka_unit_test(
		    gs1_data_form_tolerates_fnc1_after_fixed_length_value),
		cmocka_unit_test(
		    gs1_data_form_missing_fnc1_is_reported_as_too_long),
		cmocka_unit_test(
		    gs1_enforces_invalid_pairs_and_mandatory_associations),
		cmocka_unit_test(
		    gs1_match_keys_use_primary_key_and_serial_only),
		cmocka_unit_test(
		    gs1_key_without_identification_key_ignores_ai_order),
		cmocka_unit_test(
		    gs1_generates_syntax_engine_digital_link_vector),
		cmocka_unit_test(gs1_fields_name_each_ai),
		cmocka_unit_test(gs1_escapes_parenthesis_in_values),
		cmocka_unit_test(gs1_bracket_syntax_errors),
		cmocka_unit_test(
		    gs1_shape_needs_bracketed_ai_or_gs1_data_marker),
		cmocka_unit_test(dl_syntax_engine_vector_to_data_form),
		cmocka_unit_test(dl_decodes_percent_encoded_slash_in_a_value),
		cmocka_unit_test(dl_takes_the_rightmost_primary_key),
		cmocka_unit_test(dl_rejects_key_qualifier_in_the_query),
		cmocka_unit_test(dl_rejects_a_non_qualifier_in_the_path),
		cmocka_unit_test(dl_rejects_qualifiers_out_of_order),
		cmocka_unit_test(dl_rejects_path_qualifier_repeated_in_query),
		cmocka_unit_test(dl_rejects_duplicate_query_ai),
		cmocka_unit_test(
		    dl_rejects_unknown_numeric_query_key_and_ignores_others),
		cmocka_unit_test(dl_plus_is_a_space_only_in_the_query),
		cmocka_unit_test(
		    dl_decodes_percent_encoded_unreserved_character),
		cmocka_unit_test(dl_pads_short_gtin_with_a_legacy_warning),
		cmocka_unit_test(dl_rejects_convenience_alphas),
		cmocka_unit_test(
		    dl_normalizes_case_encoding_query_order_and_drops_fragment),
		cmocka_unit_test(dl_accepts_http_and_port),
		cmocka_unit_test(dl_uri_syntax_errors_say_where),
		cmocka_unit_test(
		    dl_invalid_value_position_counts_raw_characters),
		cmocka_unit_test(dl_tpx_path_leaves_batch_to_the_query),
		cmocka_unit_test(dl_itip_takes_gtin_qualifiers),
		cmocka_unit_test(dl_round_trips_with_element_strings),
		cmocka_unit_test(normalized_forms_reparse_to_the_same_key),
		cmocka_unit_test(
		    dl_shape_wants_a_key_segment_and_a_plausible_value),
		cmocka_unit_test(dl_detect_leaves_a_blog_url_with_01_to_uri),
		cmocka_unit_test(
		    dl_detect_reports_the_check_digit_error_of_a_gs1_link),
		cmocka_unit_test(dl_and_gs1_name_their_renderings_alike),
		cmocka_unit_test(dl_warnings_append_so_none_is_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
