/*
 * Check-digit primitives and telecom identifiers: IMEI, IMEISV, MEID,
 * ESN, ICCID, IMSI, EID.
 *
 * Vectors marked [pub] are published (python-stdnum doctests, RFC 7254,
 * TS 23.003 §13.8, osmocom/pysim unit tests, GS1 examples); the others
 * were derived from the standards' rules and confirmed with Debian
 * python3-stdnum 1.18 (luhn, imei, meid, ean, iso7064.mod_97_10), e.g.
 *   python3 -c "from stdnum import luhn; print(luhn.calc_check_digit(
 *   '35417803685978'))"   -> 9
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vigil/id.h"
#include "id/id_internal.h"

static struct vigil_id id;

static enum vigil_err
parse(enum vigil_id_type t, const char *s)
{
	return vigil_id_parse(t, s, strlen(s), &id);
}

static void
assert_field(const char *name, const char *want)
{
	const char *v = vigil_id_field(&id, name);

	if (v == NULL)
		fail_msg("field %s missing", name);
	assert_string_equal(v, want);
}

static void
assert_form(const char *name, const char *want)
{
	const char *v = vigil_id_form(&id, name);

	if (v == NULL)
		fail_msg("form %s missing", name);
	assert_string_equal(v, want);
}

static void
assert_rejects(enum vigil_id_type t, const char *in, const char *msg)
{
	assert_int_equal(parse(t, in), VIGIL_EINVAL);
	assert_int_equal(id.type, t);
	assert_string_equal(id.error, msg);
}

static void
assert_accepts(enum vigil_id_type t, const char *in, const char *normalized,
    const char *key)
{
	if (parse(t, in) != VIGIL_OK)
		fail_msg("%s rejected: %s", in, id.error);
	assert_string_equal(id.normalized, normalized);
	assert_string_equal(id.match_key, key);
}

/* ------------------------------------------------------------------ */
/* Check-digit primitives */

static void
luhn_check_digit_matches_stdnum_doctest(void **state)
{
	(void)state;
	/* [pub] stdnum luhn: calc_check_digit('7894') -> 9 */
	assert_int_equal(vigil_luhn_check_digit("7894", 4), 9);
	assert_int_equal(vigil_luhn_check_digit("49015420323751", 14), 8);
	/* [pub] pysim calculate_luhn('898821100000053008') -> 2 */
	assert_int_equal(vigil_luhn_check_digit("898821100000053008", 18), 2);
}

static void
luhn_reads_only_n_digits_and_rejects_non_digits(void **state)
{
	(void)state;
	assert_int_equal(vigil_luhn_check_digit("7894x", 4), 9);
	assert_int_equal(vigil_luhn_check_digit("78a4", 4), -1);
	assert_int_equal(vigil_luhn_check_digit("", 0), 0);
}

static void
luhn16_check_digit_of_stdnum_meid_is_c(void **state)
{
	(void)state;
	/* [pub] stdnum: AF 01 23 45 0A BC DE has hex check digit C */
	assert_int_equal(vigil_luhn16_check_digit("AF0123450ABCDE", 14), 12);
	assert_int_equal(vigil_luhn16_check_digit("af0123450abcde", 14), 12);
	assert_int_equal(vigil_luhn16_check_digit("AF01G3", 6), -1);
}

static void
gs1_check_digit_matches_published_gtins(void **state)
{
	static const char *const valid[] = {
		"73513537", "9780471117094", "98412345678908",
		"7501031311309", "012345678905", "09520123456788",
		"2112345678900", "416000336108", "02345673",
	};

	(void)state;
	/* [pub] stdnum ean, digital-link.js, gs1-syntax-engine (A.8) */
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		size_t n = strlen(valid[i]);

		assert_int_equal(vigil_gs1_check_digit(valid[i], n - 1),
		    valid[i][n - 1] - '0');
	}
	/* [pub] 7501031311308 is InvalidChecksum: the digit is 9 */
	assert_int_equal(vigil_gs1_check_digit("750103131130", 12), 9);
	assert_int_equal(vigil_gs1_check_digit("0123456789O", 11), -1);
}

static void
mod97_of_pysim_eids_is_one_and_of_the_invalid_one_is_not(void **state)
{
	(void)state;
	assert_int_equal(vigil_mod97("89049032123451234512345678901235", 32),
	    1);
	assert_int_equal(vigil_mod97("89086030202200000022000023022943", 32),
	    1);
	assert_int_equal(vigil_mod97("89044045116727494800000004479366", 32),
	    1);
	assert_int_equal(vigil_mod97("89049032123451234512345678901234", 32),
	    0);
}

static void
mod97_handles_numbers_far_beyond_64_bits(void **state)
{
	char big[103];

	(void)state;
	for (size_t i = 0; i < 100; i++)
		big[i] = (char)('0' + (i + 1) % 10);
	memcpy(big + 100, "12", 3);
	/* python3: int('1234567890' * 10 + '12') % 97 == 13 */
	assert_int_equal(vigil_mod97(big, 102), 13);
	assert_int_equal(vigil_mod97("97", 2), 0);
	assert_int_equal(vigil_mod97("9 7", 3), -1);
}

/* ------------------------------------------------------------------ */
/* IMEI */

static void
imei_accepts_stdnum_vector_with_separators(void **state)
{
	(void)state;
	/* [pub] stdnum: 35-209900-176148-1 is a valid IMEI */
	assert_accepts(VIGIL_ID_IMEI, "35-209900-176148-1", "352099001761481",
	    "imei:35209900176148");
	assert_string_equal(id.urn, "urn:gsma:imei:35209900-176148-0");
	assert_string_equal(id.warning, "");
	assert_field("tac", "35209900");
	assert_field("reporting_body", "35");
	assert_field("snr", "176148");
	assert_field("check_digit", "1");
	assert_field("check_digit_present", "yes");
	assert_form("imei", "352099001761481");
	assert_form("body", "35209900176148");
	assert_form("formatted", "35-209900-176148-1");
	assert_form("urn", "urn:gsma:imei:35209900-176148-0");
}

static void
imei_accepts_spaces_dots_and_slashes_as_separators(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEI, "35 209900.176148/1", "352099001761481",
	    "imei:35209900176148");
}

static void
imei_accepts_14_digit_body_and_computes_check_digit(void **state)
{
	(void)state;
	/* [pub] stdnum: 49-015420-323751 is valid (14 digits) */
	assert_accepts(VIGIL_ID_IMEI, "49-015420-323751", "490154203237518",
	    "imei:49015420323751");
	assert_field("check_digit", "8");
	assert_field("check_digit_present", "no");
	assert_string_equal(id.warning, "check digit absent; computed 8");
}

static void
imei_formats_body_with_computed_check_digit_like_stdnum(void **state)
{
	(void)state;
	/* [pub] stdnum format('35686800-004141', add_check_digit=True) */
	assert_accepts(VIGIL_ID_IMEI, "35686800-004141", "356868000041418",
	    "imei:35686800004141");
	assert_form("formatted", "35-686800-004141-8");
}

static void
imei_rejects_wrong_check_digit_with_expected_digit(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEI, "490154203237512",
	    "IMEI 490154203237512: check digit is 2, expected 8");
	/* [pub] stdnum: 35-417803-685978-1 -> InvalidChecksum */
	assert_rejects(VIGIL_ID_IMEI, "35-417803-685978-1",
	    "IMEI 35-417803-685978-1: check digit is 1, expected 9");
}

static void
imei_rejects_wrong_length_with_digit_count(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEI, "1234",
	    "IMEI 1234: 4 digits, expected 15 (or 14 without check digit)");
	assert_rejects(VIGIL_ID_IMEI, "-7-",
	    "IMEI -7-: 1 digit, expected 15 (or 14 without check digit)");
	assert_rejects(VIGIL_ID_IMEI, "3520990017614823",
	    "IMEI 3520990017614823: 16 digits, expected 15 "
	    "(or 14 without check digit)");
}

static void
imei_rejects_invalid_character_with_position(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEI, "35209900x761481",
	    "IMEI 35209900x761481: invalid character 'x' at position 9");
	assert_rejects(VIGIL_ID_IMEI, "3520990\x01" "1761481",
	    "IMEI 3520990\\x011761481: invalid character '\\x01' at "
	    "position 8");
}

static void
imei_urn_third_field_is_spare_digit_not_luhn(void **state)
{
	(void)state;
	/* [pub] RFC 7254 / TS 23.003 §13.8: spare 0 although the Luhn
	 * digit of 90420156025763 is 7. */
	assert_accepts(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0",
	    "904201560257637", "imei:90420156025763");
	assert_string_equal(id.urn, "urn:gsma:imei:90420156-025763-0");
	assert_field("check_digit", "7");
	assert_field("check_digit_present", "no");
	assert_string_equal(id.warning,
	    "the URN carries no check digit; computed 7");
}

static void
imei_urn_is_case_insensitive_and_takes_svn_and_vers(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEI,
	    "URN:GSMA:IMEI:90420156-025763-0;SVN=12;vers=0",
	    "904201560257637", "imei:90420156025763");
	assert_string_equal(id.urn, "urn:gsma:imei:90420156-025763-0");
	assert_accepts(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0;vers=0",
	    "904201560257637", "imei:90420156025763");
}

static void
imei_urn_warns_when_spare_digit_is_not_zero(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-7",
	    "904201560257637", "imei:90420156025763");
	assert_string_equal(id.urn, "urn:gsma:imei:90420156-025763-0");
	assert_string_equal(id.warning,
	    "the URN carries no check digit; computed 7; URN spare digit is "
	    "7; TS 23.003 §13.8 sets it to 0 (it is not the check digit)");
}

static void
imei_urn_rejects_malformed_fields_with_position(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:9042015-025763-0",
	    "IMEI urn:gsma:imei:9042015-025763-0: unexpected character '-' "
	    "at position 22, expected the 8-digit TAC");
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:90420156025763-0",
	    "IMEI urn:gsma:imei:90420156025763-0: unexpected character '0' "
	    "at position 23, expected '-' after the TAC");
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763",
	    "IMEI urn:gsma:imei:90420156-025763: URN ends after position 29, "
	    "expected '-' after the SNR");
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0;svn=1",
	    "IMEI urn:gsma:imei:90420156-025763-0;svn=1: URN ends after "
	    "position 37, expected the 2-digit SVN");
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0;foo=1",
	    "IMEI urn:gsma:imei:90420156-025763-0;foo=1: unexpected "
	    "character ';' at position 32, expected ;svn=NN or ;vers=N "
	    "(in that order)");
	assert_rejects(VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0x",
	    "IMEI urn:gsma:imei:90420156-025763-0x: unexpected character "
	    "'x' at position 32, expected the end of the URN");
}

static void
imei_rejects_other_urn_namespaces(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEI, "urn:3gpp2:meid:AF012345-0ABCDE",
	    "IMEI urn:3gpp2:meid:AF012345-0ABCDE: not a urn:gsma:imei URN "
	    "(RFC 7254)");
}

/* ------------------------------------------------------------------ */
/* IMEISV */

static void
imeisv_accepts_stdnum_vector(void **state)
{
	(void)state;
	/* [pub] stdnum: 35-209900-176148-23 is a valid IMEISV */
	assert_accepts(VIGIL_ID_IMEISV, "35-209900-176148-23",
	    "3520990017614823", "imei:35209900176148");
	assert_string_equal(id.urn, "urn:gsma:imei:35209900-176148-0;svn=23");
	assert_string_equal(id.warning, "");
	assert_field("tac", "35209900");
	assert_field("snr", "176148");
	assert_field("svn", "23");
	assert_form("imeisv", "3520990017614823");
	assert_form("imei", "352099001761481");
	assert_form("urn", "urn:gsma:imei:35209900-176148-0;svn=23");
}

static void
imeisv_shares_match_key_with_its_imei(void **state)
{
	char key[VIGIL_ID_MAX_VALUE];

	(void)state;
	/* [pub] stdnum imei_type('35686800-004141-20') -> IMEISV */
	assert_int_equal(parse(VIGIL_ID_IMEISV, "35686800-004141-20"),
	    VIGIL_OK);
	memcpy(key, id.match_key, sizeof key);
	assert_int_equal(parse(VIGIL_ID_IMEI, "356868000041418"), VIGIL_OK);
	assert_string_equal(id.match_key, key);
}

static void
imeisv_accepts_urn_with_svn(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEISV,
	    "urn:gsma:imei:90420156-025763-0;svn=42;vers=0",
	    "9042015602576342", "imei:90420156025763");
	assert_field("svn", "42");
	assert_form("imei", "904201560257637");
}

static void
imeisv_rejects_urn_without_svn(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEISV, "urn:gsma:imei:90420156-025763-0",
	    "IMEISV urn:gsma:imei:90420156-025763-0: the URN has no ;svn= "
	    "parameter, so it names an IMEI, not an IMEISV");
}

static void
imeisv_accepts_reserved_svn_99_with_warning(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEISV, "3520990017614899",
	    "3520990017614899", "imei:35209900176148");
	assert_string_equal(id.warning,
	    "SVN 99 is reserved for future use (3GPP TS 23.003 §6.2.2)");
}

static void
imeisv_rejects_wrong_length_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMEISV, "352099001761481",
	    "IMEISV 352099001761481: 15 digits, expected 16");
	assert_rejects(VIGIL_ID_IMEISV, "35209900176148_3",
	    "IMEISV 35209900176148_3: invalid character '_' at position 15");
}

/* ------------------------------------------------------------------ */
/* MEID and ESN */

static void
meid_accepts_stdnum_hex_vector_with_all_forms(void **state)
{
	(void)state;
	/* [pub] stdnum: AF 01 23 45 0A BC DE C valid; decimal form
	 * 29360 87365 0070 3710 0; pESN 8016B128. */
	assert_accepts(VIGIL_ID_MEID, "AF 01 23 45 0A BC DE C",
	    "AF0123450ABCDE", "meid:AF0123450ABCDE");
	assert_string_equal(id.urn, "urn:3gpp2:meid:AF012345-0ABCDE");
	assert_string_equal(id.warning, "");
	assert_field("regional_code", "AF");
	assert_field("manufacturer_code", "AF012345");
	assert_field("serial", "0ABCDE");
	assert_field("check_digit_hex", "C");
	assert_field("check_digit_dec", "0");
	assert_field("given_form", "hex");
	assert_form("hex", "AF0123450ABCDE");
	assert_form("hex-cd", "AF0123450ABCDEC");
	assert_form("dec", "293608736500703710");
	assert_form("dec-cd", "2936087365007037100");
	assert_form("urn", "urn:3gpp2:meid:AF012345-0ABCDE");
	assert_form("pesn", "8016B128");
	assert_form("pesn-dec", "12801487144");
}

static void
meid_rejects_wrong_hex_check_digit(void **state)
{
	(void)state;
	/* [pub] stdnum: ... DE D -> InvalidChecksum */
	assert_rejects(VIGIL_ID_MEID, "AF 01 23 45 0A BC DE D",
	    "MEID AF 01 23 45 0A BC DE D: check digit is D, expected C");
}

static void
meid_decimal_form_has_its_own_check_digit(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_MEID, "29360 87365 0070 3710 0",
	    "AF0123450ABCDE", "meid:AF0123450ABCDE");
	assert_field("given_form", "dec");
	assert_field("check_digit_hex", "C");
	assert_field("check_digit_dec", "0");
	assert_accepts(VIGIL_ID_MEID, "293608736500703710", "AF0123450ABCDE",
	    "meid:AF0123450ABCDE");
	assert_rejects(VIGIL_ID_MEID, "2936087365007037101",
	    "MEID 2936087365007037101: check digit is 1, expected 0");
}

static void
meid_rejects_decimal_fields_that_overflow(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_MEID, "999999999900703710",
	    "MEID 999999999900703710: manufacturer code 9999999999 exceeds "
	    "32 bits (max 4294967295)");
	/* [pub] stdnum: 99999 99999 0070 3710 4 -> InvalidComponent */
	assert_rejects(VIGIL_ID_MEID, "99999 99999 0070 3710 4",
	    "MEID 99999 99999 0070 3710 4: manufacturer code 9999999999 "
	    "exceeds 32 bits (max 4294967295)");
	assert_rejects(VIGIL_ID_MEID, "293608736516777216",
	    "MEID 293608736516777216: serial number 16777216 exceeds 24 "
	    "bits (max 16777215)");
}

static void
meid_all_decimal_is_an_imei_body_and_shares_its_key(void **state)
{
	(void)state;
	/* [pub] stdnum format('35-209900-176148', format='dec') ->
	 * 08913 28768 0153 2232 */
	assert_accepts(VIGIL_ID_MEID, "35-209900-176148", "35209900176148",
	    "imei:35209900176148");
	assert_form("dec", "089132876801532232");
	/* The hex-form check digit of an all-decimal MEID is the decimal
	 * Luhn digit, i.e. the IMEI's. */
	assert_field("check_digit_hex", "1");
	assert_form("hex-cd", "352099001761481");
	assert_string_equal(id.warning,
	    "all 14 digits are decimal, so this MEID is the IMEI body "
	    "35209900176148 and matches that IMEI");
	assert_accepts(VIGIL_ID_MEID, "352099001761481", "35209900176148",
	    "imei:35209900176148");
}

static void
meid_warns_about_regional_code_outside_a0_ff(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_MEID, "35AB9900176148", "35AB9900176148",
	    "meid:35AB9900176148");
	assert_string_equal(id.warning, "regional code 35 is outside A0-FF, "
	    "the range administered for MEIDs");
}

static void
meid_urn_accepts_lower_case_and_emits_upper_case(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_MEID, "urn:3gpp2:meid:af012345-0abcde",
	    "AF0123450ABCDE", "meid:AF0123450ABCDE");
	assert_string_equal(id.urn, "urn:3gpp2:meid:AF012345-0ABCDE");
	assert_form("pesn", "8016B128");
}

static void
meid_urn_rejects_malformed_value_with_position(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_MEID, "urn:3gpp2:meid:AF0123450ABCDE",
	    "MEID urn:3gpp2:meid:AF0123450ABCDE: unexpected character '0' at "
	    "position 24, expected '-' after the manufacturer code");
	assert_rejects(VIGIL_ID_MEID, "urn:3gpp2:meid:AF012345-0ABCDX",
	    "MEID urn:3gpp2:meid:AF012345-0ABCDX: unexpected character 'X' at "
	    "position 30, expected a hex digit");
	assert_rejects(VIGIL_ID_MEID, "urn:3gpp2:meid:AF012345-0ABCDEC",
	    "MEID urn:3gpp2:meid:AF012345-0ABCDEC: unexpected character 'C' "
	    "at position 31, expected the end of the URN");
	assert_rejects(VIGIL_ID_MEID, "urn:3gpp2:meid:AF012345",
	    "MEID urn:3gpp2:meid:AF012345: URN ends after position 23, "
	    "expected '-' after the manufacturer code");
}

static void
meid_rejects_wrong_length_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_MEID, "123",
	    "MEID 123: 3 digits, expected 14 hex digits (15 with check digit) "
	    "or 18 decimal digits (19 with check digit)");
	assert_rejects(VIGIL_ID_MEID, "AF0123450ABCDEC1",
	    "MEID AF0123450ABCDEC1: 16 hex digits, expected 14 (or 15 with "
	    "check digit)");
	assert_rejects(VIGIL_ID_MEID, "AF0123450ABCDG",
	    "MEID AF0123450ABCDG: invalid character 'G' at position 14");
}

static void
esn_pseudo_esn_is_flagged_not_unique(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_ESN, "8016B128", "8016B128", "esn:8016B128");
	assert_string_equal(id.urn, "");
	assert_string_equal(id.warning,
	    "pseudo-ESN: derived from an MEID, not unique");
	assert_field("manufacturer_code", "80");
	assert_field("serial", "16B128");
	assert_field("pseudo", "yes");
	assert_form("hex", "8016B128");
	assert_form("dec", "12801487144");
}

static void
esn_decimal_and_0x_forms_normalise_to_hex(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_ESN, "12801487144", "8016B128",
	    "esn:8016B128");
	assert_accepts(VIGIL_ID_ESN, "0x8016b128", "8016B128", "esn:8016B128");
	assert_accepts(VIGIL_ID_ESN, "211 10794438", "D3A4B5C6",
	    "esn:D3A4B5C6");
	assert_field("pseudo", "no");
	assert_string_equal(id.warning, "");
	assert_form("dec", "21110794438");
}

static void
esn_rejects_decimal_fields_that_overflow(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_ESN, "25601487144",
	    "ESN 25601487144: manufacturer code 256 exceeds 8 bits (max 255)");
	assert_rejects(VIGIL_ID_ESN, "12899999999",
	    "ESN 12899999999: serial number 99999999 exceeds 24 bits "
	    "(max 16777215)");
}

static void
esn_rejects_wrong_length_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_ESN, "12345",
	    "ESN 12345: 5 digits, expected 8 hex digits or 11 decimal digits");
	assert_rejects(VIGIL_ID_ESN, "0x1234",
	    "ESN 0x1234: 4 hex digits after 0x, expected 8");
	assert_rejects(VIGIL_ID_ESN, "0x8016g128",
	    "ESN 0x8016g128: invalid character 'g' at position 7");
	assert_rejects(VIGIL_ID_ESN, "128014871AB",
	    "ESN 128014871AB: 11 hex digits, expected 8 hex digits or 11 "
	    "decimal digits");
}

/* ------------------------------------------------------------------ */
/* ICCID */

static void
iccid_accepts_pysim_19_digit_vector(void **state)
{
	(void)state;
	/* [pub] pysim: 8988211000000530082 valid */
	assert_accepts(VIGIL_ID_ICCID, "8988211000000530082",
	    "8988211000000530082", "iccid:8988211000000530082");
	assert_string_equal(id.urn, "");
	assert_string_equal(id.warning, "");
	assert_field("industry", "89");
	assert_field("country_code", "882");
	assert_field("issuer_and_account", "1100000053008");
	assert_field("check_digit", "2");
	assert_field("check_digit_present", "yes");
	assert_form("iccid", "8988211000000530082");
	assert_form("ef-iccid", "988812010000500380F2");
}

static void
iccid_accepts_pysim_20_digit_vector(void **state)
{
	(void)state;
	/* [pub] pysim: 89882110000005300811 valid */
	assert_accepts(VIGIL_ID_ICCID, "8988 2110 0000 0530 0811",
	    "89882110000005300811", "iccid:89882110000005300811");
	assert_field("issuer_and_account", "11000000530081");
	assert_field("check_digit", "1");
	assert_form("ef-iccid", "98881201000050038011");
}

static void
iccid_rejects_wrong_check_digit_with_expected_digit(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_ICCID, "8988211000000530081",
	    "ICCID 8988211000000530081: check digit is 1, expected 2");
	assert_rejects(VIGIL_ID_ICCID, "89882110000005300812",
	    "ICCID 89882110000005300812: check digit is 2, expected 1");
}

static void
iccid_computes_absent_check_digit_for_18_digits(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_ICCID, "898821100000053008",
	    "8988211000000530082", "iccid:8988211000000530082");
	assert_field("check_digit", "2");
	assert_field("check_digit_present", "no");
	assert_string_equal(id.warning, "check digit absent; computed 2");
}

static void
iccid_country_code_length_follows_e164(void **state)
{
	(void)state;
	assert_int_equal(parse(VIGIL_ID_ICCID, "894412345678901234"),
	    VIGIL_OK);
	assert_field("country_code", "44");
	assert_int_equal(parse(VIGIL_ID_ICCID, "893581234567890123"),
	    VIGIL_OK);
	assert_field("country_code", "358");
	assert_int_equal(parse(VIGIL_ID_ICCID, "891480000000000000"),
	    VIGIL_OK);
	assert_field("country_code", "1");
	assert_field("issuer_and_account", "480000000000000");
	assert_int_equal(parse(VIGIL_ID_ICCID, "897012345678901234"),
	    VIGIL_OK);
	assert_field("country_code", "7");
	/* Zone 1 padded to two digits, as North American issuers do. */
	assert_int_equal(parse(VIGIL_ID_ICCID, "890141032111185107"),
	    VIGIL_OK);
	assert_field("country_code", "01");
	assert_string_equal(id.normalized, "8901410321111851072");
}

static void
iccid_rejects_prefix_other_than_89_naming_it(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_ICCID, "1288211000000530082",
	    "ICCID 1288211000000530082: starts with 12, expected 89 "
	    "(telecommunications, ITU-T E.118)");
}

static void
iccid_rejects_wrong_length_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_ICCID, "89441000",
	    "ICCID 89441000: 8 digits, expected 18 to 20");
	assert_rejects(VIGIL_ID_ICCID, "898821100000053008211",
	    "ICCID 898821100000053008211: 21 digits, expected 18 to 20");
	assert_rejects(VIGIL_ID_ICCID, "8988211000000530082F",
	    "ICCID 8988211000000530082F: invalid character 'F' at "
	    "position 20");
}

/* ------------------------------------------------------------------ */
/* IMSI */

static void
imsi_splits_stdnum_two_digit_mnc_vector(void **state)
{
	(void)state;
	/* [pub] stdnum split('429011234567890') -> 429 / 01 / 1234567890 */
	assert_accepts(VIGIL_ID_IMSI, "429011234567890", "429011234567890",
	    "imsi:429011234567890");
	assert_string_equal(id.urn, "");
	assert_string_equal(id.warning, "");
	assert_field("mcc", "429");
	assert_field("country", "Nepal");
	assert_field("mnc", "01");
	assert_field("mnc_length", "2");
	assert_field("msin", "1234567890");
	assert_form("plmn-bcd", "24F910");
}

static void
imsi_splits_stdnum_three_digit_mnc_vector(void **state)
{
	(void)state;
	/* [pub] stdnum split('310150123456789') -> 310 / 150 / 123456789 */
	assert_accepts(VIGIL_ID_IMSI, "310150123456789", "310150123456789",
	    "imsi:310150123456789");
	assert_field("country", "United States");
	assert_field("mnc", "150");
	assert_field("mnc_length", "3");
	assert_field("msin", "123456789");
	assert_form("plmn-bcd", "130051");
}

static void
imsi_rejects_unknown_mcc(void **state)
{
	(void)state;
	/* [pub] stdnum validate('439011234567890') -> InvalidComponent */
	assert_rejects(VIGIL_ID_IMSI, "439011234567890",
	    "IMSI 439011234567890: unknown mobile country code 439");
}

static void
imsi_reports_ambiguous_mnc_length_without_guessing(void **state)
{
	(void)state;
	/* 467 has 2-digit MNCs (467 05) and 3-digit ones (467 193). */
	assert_accepts(VIGIL_ID_IMSI, "467 07 1234567890", "467071234567890",
	    "imsi:467071234567890");
	assert_field("mcc", "467");
	assert_field("mnc", "");
	assert_field("mnc_length", "ambiguous (2 or 3)");
	assert_field("msin", "");
	assert_null(vigil_id_form(&id, "plmn-bcd"));
	assert_string_equal(id.warning, "MCC 467 (Korea (Democratic People's "
	    "Republic of)) has both 2- and 3-digit MNCs, and an IMSI does not "
	    "say which; the SIM's EF.AD holds the MNC length");
}

static void
imsi_plmn_bcd_matches_pysim_vectors(void **state)
{
	(void)state;
	/* [pub] pysim enc_plmn: 295/10 -> 92F501, 302/361 -> 031263,
	 * 001/01 -> 00F110 */
	assert_int_equal(parse(VIGIL_ID_IMSI, "295101234567890"), VIGIL_OK);
	assert_form("plmn-bcd", "92F501");
	assert_int_equal(parse(VIGIL_ID_IMSI, "302361234567890"), VIGIL_OK);
	assert_field("mnc", "361");
	assert_form("plmn-bcd", "031263");
	assert_int_equal(parse(VIGIL_ID_IMSI, "001010123456789"), VIGIL_OK);
	assert_field("country", "Test networks");
	assert_form("plmn-bcd", "00F110");
}

static void
imsi_rejects_wrong_length_missing_msin_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_IMSI, "4290112345678901",
	    "IMSI 4290112345678901: 16 digits, expected 6 to 15");
	assert_rejects(VIGIL_ID_IMSI, "42901",
	    "IMSI 42901: 5 digits, expected 6 to 15");
	assert_rejects(VIGIL_ID_IMSI, "310150",
	    "IMSI 310150: no MSIN after MCC 310 and 3-digit MNC 150");
	assert_rejects(VIGIL_ID_IMSI, "42901+1234567890",
	    "IMSI 42901+1234567890: invalid character '+' at position 6");
}

/* ------------------------------------------------------------------ */
/* EID */

static void
eid_accepts_pysim_vectors(void **state)
{
	(void)state;
	/* [pub] pysim test_euicc.py: the SGP.23 test EID and two more */
	assert_accepts(VIGIL_ID_EID, "89049032123451234512345678901235",
	    "89049032123451234512345678901235",
	    "eid:89049032123451234512345678901235");
	assert_string_equal(id.urn, "");
	assert_field("industry", "89");
	assert_field("country_code", "049");
	assert_field("issuer", "032");
	assert_field("rest", "1234512345123456789012");
	assert_field("check_digits", "35");
	assert_form("eid", "89049032123451234512345678901235");
	assert_accepts(VIGIL_ID_EID, "89086030202200000022000023022943",
	    "89086030202200000022000023022943",
	    "eid:89086030202200000022000023022943");
	assert_accepts(VIGIL_ID_EID, "8904 4045 1167 2749 4800 0000 0447 9366",
	    "89044045116727494800000004479366",
	    "eid:89044045116727494800000004479366");
}

static void
eid_rejects_wrong_check_digits_with_expected_ones(void **state)
{
	(void)state;
	/* [pub] pysim: ...901234 invalid; compute_eid_checksum gives 35 */
	assert_rejects(VIGIL_ID_EID, "89049032123451234512345678901234",
	    "EID 89049032123451234512345678901234: check digits are 34, "
	    "expected 35");
	assert_rejects(VIGIL_ID_EID, "89049032123451234512345678901200",
	    "EID 89049032123451234512345678901200: check digits are 00, "
	    "expected 35");
}

static void
eid_rejects_wrong_prefix_length_and_characters(void **state)
{
	(void)state;
	assert_rejects(VIGIL_ID_EID, "99049032123451234512345678901235",
	    "EID 99049032123451234512345678901235: starts with 99, expected "
	    "89 (telecommunications, GSMA SGP.29)");
	assert_rejects(VIGIL_ID_EID, "8904903212345123451234567890123",
	    "EID 8904903212345123451234567890123: 31 digits, expected 32");
	assert_rejects(VIGIL_ID_EID, "8904903212345123451234567890123O",
	    "EID 8904903212345123451234567890123O: invalid character 'O' at "
	    "position 32");
}

/* ------------------------------------------------------------------ */
/* Through vigil_id_parse: bounds, NUL bytes, whitespace, idempotence */

static void
parse_reads_exactly_len_bytes_of_unterminated_input(void **state)
{
	char *buf = malloc(15);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "352099001761481", 15); /* no NUL: ASan guards the end */
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMEI, buf, 15, &id),
	    VIGIL_OK);
	assert_string_equal(id.normalized, "352099001761481");
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMEI, buf, 14, &id),
	    VIGIL_OK);
	assert_string_equal(id.normalized, "352099001761481");
	assert_field("check_digit_present", "no");
	free(buf);
}

static void
parse_rejects_embedded_nul_byte_with_position(void **state)
{
	(void)state;
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMEI, "35209900\0" "761481",
	    15, &id), VIGIL_EINVAL);
	assert_string_equal(id.error,
	    "IMEI: value contains a NUL byte at position 9");
}

static void
parse_rejects_overlong_input_with_erange(void **state)
{
	char *buf = malloc(VIGIL_ID_MAX_INPUT + 1);

	(void)state;
	assert_non_null(buf);
	memset(buf, '8', VIGIL_ID_MAX_INPUT + 1);
	assert_int_equal(vigil_id_parse(VIGIL_ID_EID, buf,
	    VIGIL_ID_MAX_INPUT + 1, &id), VIGIL_ERANGE);
	assert_string_equal(id.error,
	    "EID: value is 2049 bytes long, the limit is 2048");
	free(buf);
}

static void
parse_of_longest_input_counts_digits_and_truncates_quote(void **state)
{
	static const enum vigil_id_type types[] = {
		VIGIL_ID_IMEI, VIGIL_ID_IMEISV, VIGIL_ID_MEID, VIGIL_ID_ESN,
		VIGIL_ID_ICCID, VIGIL_ID_IMSI, VIGIL_ID_EID,
	};
	char *buf = malloc(VIGIL_ID_MAX_INPUT);

	(void)state;
	assert_non_null(buf);
	memset(buf, '8', VIGIL_ID_MAX_INPUT);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		assert_int_equal(vigil_id_parse(types[i], buf,
		    VIGIL_ID_MAX_INPUT, &id), VIGIL_EINVAL);
		assert_non_null(strstr(id.error, "8888..."));
		assert_non_null(strstr(id.error, ": 2048 digits, expected"));
	}
	assert_string_equal(id.error, "EID 8888888888888888888888888888888888"
	    "888888888888888888888888888888...: 2048 digits, expected 32");
	free(buf);
}

static void
parse_ignores_surrounding_whitespace(void **state)
{
	(void)state;
	assert_accepts(VIGIL_ID_IMEI, " \t352099001761481\r\n",
	    "352099001761481", "imei:35209900176148");
}

static void
every_normalized_form_reparses_to_the_same_match_key(void **state)
{
	static const struct {
		enum vigil_id_type t;
		const char *in;
	} cases[] = {
		{ VIGIL_ID_IMEI, "urn:gsma:imei:90420156-025763-0" },
		{ VIGIL_ID_IMEI, "49-015420-323751" },
		{ VIGIL_ID_IMEISV, "urn:gsma:imei:90420156-025763-0;svn=99" },
		{ VIGIL_ID_MEID, "29360 87365 0070 3710 0" },
		{ VIGIL_ID_MEID, "urn:3gpp2:meid:35209900-176148" },
		{ VIGIL_ID_ESN, "12801487144" },
		{ VIGIL_ID_ICCID, "898821100000053008" },
		{ VIGIL_ID_IMSI, "467 07 1234567890" },
		{ VIGIL_ID_EID, "8904 4045 1167 2749 4800 0000 0447 9366" },
	};
	struct vigil_id again;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].t, cases[i].in), VIGIL_OK);
		assert_int_equal(vigil_id_parse(cases[i].t, id.normalized,
		    strlen(id.normalized), &again), VIGIL_OK);
		assert_string_equal(again.match_key, id.match_key);
		assert_string_equal(again.normalized, id.normalized);
	}
}

/* ------------------------------------------------------------------ */
/* Shapes used by auto-detection */

#define SHAPE(fn, s) fn(s, strlen(s))

static void
imei_and_imeisv_shapes_split_urns_on_svn(void **state)
{
	(void)state;
	assert_true(SHAPE(id_shape_imei, "35-209900-176148-1"));
	assert_true(SHAPE(id_shape_imei, "35209900176148"));
	assert_true(SHAPE(id_shape_imei, "urn:gsma:imei:90420156-025763-0"));
	assert_false(SHAPE(id_shape_imei,
	    "urn:gsma:imei:90420156-025763-0;svn=12"));
	assert_false(SHAPE(id_shape_imei, "3520990017614823"));
	assert_false(SHAPE(id_shape_imei, "35209900x761481"));
	assert_true(SHAPE(id_shape_imeisv, "3520990017614823"));
	assert_true(SHAPE(id_shape_imeisv,
	    "urn:gsma:imei:90420156-025763-0;svn=12"));
	assert_false(SHAPE(id_shape_imeisv, "urn:gsma:imei:90420156-025763-0"));
	assert_false(SHAPE(id_shape_imeisv, "352099001761481"));
}

static void
meid_and_esn_shapes_leave_all_decimal_14_digits_to_imei(void **state)
{
	(void)state;
	assert_true(SHAPE(id_shape_meid, "AF0123450ABCDE"));
	assert_true(SHAPE(id_shape_meid, "AF0123450ABCDEC"));
	assert_true(SHAPE(id_shape_meid, "293608736500703710"));
	assert_true(SHAPE(id_shape_meid, "urn:3gpp2:meid:AF012345-0ABCDE"));
	assert_false(SHAPE(id_shape_meid, "35209900176148"));
	assert_false(SHAPE(id_shape_meid, "AF0123450ABCDEC1"));
	assert_true(SHAPE(id_shape_esn, "8016B128"));
	assert_true(SHAPE(id_shape_esn, "0x8016b128"));
	assert_true(SHAPE(id_shape_esn, "12801487144"));
	assert_false(SHAPE(id_shape_esn, "0x8016b12"));
	assert_false(SHAPE(id_shape_esn, "1280148714A"));
	assert_false(SHAPE(id_shape_esn, "2024-01-05"));
}

static void
iccid_imsi_eid_shapes_check_prefix_and_mcc(void **state)
{
	(void)state;
	assert_true(SHAPE(id_shape_iccid, "8988211000000530082"));
	assert_false(SHAPE(id_shape_iccid, "1288211000000530082"));
	assert_false(SHAPE(id_shape_iccid, "89882110000005300"));
	assert_true(SHAPE(id_shape_imsi, "429011234567890"));
	assert_false(SHAPE(id_shape_imsi, "439011234567890"));
	assert_false(SHAPE(id_shape_imsi, "4290112345678901"));
	/* Grouped digits are an IMEI's printed form, not an IMSI's. */
	assert_false(SHAPE(id_shape_imsi, "35-209900-176148-1"));
	assert_true(SHAPE(id_shape_imsi, "352099001761481"));
	assert_true(SHAPE(id_shape_eid, "89049032123451234512345678901234"));
	assert_false(SHAPE(id_shape_eid, "8904903212345123451234567890123"));
}

static void
detect_keeps_imei_imsi_ambiguity_visible(void **state)
{
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t ncand = 0;
	bool imei = false, imsi = false;
	const char *s = "429011234567899"; /* Luhn-valid and MCC 429 */

	(void)state;
	assert_int_equal(vigil_id_detect(s, strlen(s), &id, cand, &ncand),
	    VIGIL_EAMBIGUOUS);
	for (size_t i = 0; i < ncand; i++) {
		imei |= cand[i] == VIGIL_ID_IMEI;
		imsi |= cand[i] == VIGIL_ID_IMSI;
	}
	assert_true(imei);
	assert_true(imsi);
}

static void
detect_reports_imei_check_digit_error_for_bad_15_digits(void **state)
{
	const char *s = "490154203237512";

	(void)state;
	assert_int_equal(vigil_id_detect(s, strlen(s), &id, NULL, NULL),
	    VIGIL_EINVAL);
	assert_string_equal(id.error,
	    "IMEI 490154203237512: check digit is 2, expected 8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(luhn_check_digit_matches_stdnum_doctest),
		cmocka_unit_test(
		    luhn_reads_only_n_digits_and_rejects_non_digits),
		cmocka_unit_test(luhn16_check_digit_of_stdnum_meid_is_c),
		cmocka_unit_test(gs1_check_digit_matches_published_gtins),
		cmocka_unit_test(
		    mod97_of_pysim_eids_is_one_and_of_the_invalid_one_is_not),
		cmocka_unit_test(mod97_handles_numbers_far_beyond_64_bits),
		cmocka_unit_test(imei_accepts_stdnum_vector_with_separators),
		cmocka_unit_test(
		    imei_accepts_spaces_dots_and_slashes_as_separators),
		cmocka_unit_test(
		    imei_accepts_14_digit_body_and_computes_check_digit),
		cmocka_unit_test(
		    imei_formats_body_with_computed_check_digit_like_stdnum),
		cmocka_unit_test(
		    imei_rejects_wrong_check_digit_with_expected_digit),
		cmocka_unit_test(imei_rejects_wrong_length_with_digit_count),
		cmocka_unit_test(imei_rejects_invalid_character_with_position),
		cmocka_unit_test(imei_urn_third_field_is_spare_digit_not_luhn),
		cmocka_unit_test(
		    imei_urn_is_case_insensitive_and_takes_svn_and_vers),
		cmocka_unit_test(imei_urn_warns_when_spare_digit_is_not_zero),
		cmocka_unit_test(
		    imei_urn_rejects_malformed_fields_with_position),
		cmocka_unit_test(imei_rejects_other_urn_namespaces),
		cmocka_unit_test(imeisv_accepts_stdnum_vector),
		cmocka_unit_test(imeisv_shares_match_key_with_its_imei),
		cmocka_unit_test(imeisv_accepts_urn_with_svn),
		cmocka_unit_test(imeisv_rejects_urn_without_svn),
		cmocka_unit_test(imeisv_accepts_reserved_svn_99_with_warning),
		cmocka_unit_test(imeisv_rejects_wrong_length_and_characters),
		cmocka_unit_test(meid_accepts_stdnum_hex_vector_with_all_forms),
		cmocka_unit_test(meid_rejects_wrong_hex_check_digit),
		cmocka_unit_test(meid_decimal_form_has_its_own_check_digit),
		cmocka_unit_test(meid_rejects_decimal_fields_that_overflow),
		cmocka_unit_test(
		    meid_all_decimal_is_an_imei_body_and_shares_its_key),
		cmocka_unit_test(meid_warns_about_regional_code_outside_a0_ff),
		cmocka_unit_test(
		    meid_urn_accepts_lower_case_and_emits_upper_case),
		cmocka_unit_test(
		    meid_urn_rejects_malformed_value_with_position),
		cmocka_unit_test(meid_rejects_wrong_length_and_characters),
		cmocka_unit_test(esn_pseudo_esn_is_flagged_not_unique),
		cmocka_unit_test(esn_decimal_and_0x_forms_normalise_to_hex),
		cmocka_unit_test(esn_rejects_decimal_fields_that_overflow),
		cmocka_unit_test(esn_rejects_wrong_length_and_characters),
		cmocka_unit_test(iccid_accepts_pysim_19_digit_vector),
		cmocka_unit_test(iccid_accepts_pysim_20_digit_vector),
		cmocka_unit_test(
		    iccid_rejects_wrong_check_digit_with_expected_digit),
		cmocka_unit_test(
		    iccid_computes_absent_check_digit_for_18_digits),
		cmocka_unit_test(iccid_country_code_length_follows_e164),
		cmocka_unit_test(iccid_rejects_prefix_other_than_89_naming_it),
		cmocka_unit_test(iccid_rejects_wrong_length_and_characters),
		cmocka_unit_test(imsi_splits_stdnum_two_digit_mnc_vector),
		cmocka_unit_test(imsi_splits_stdnum_three_digit_mnc_vector),
		cmocka_unit_test(imsi_rejects_unknown_mcc),
		cmocka_unit_test(
		    imsi_reports_ambiguous_mnc_length_without_guessing),
		cmocka_unit_test(imsi_plmn_bcd_matches_pysim_vectors),
		cmocka_unit_test(
		    imsi_rejects_wrong_length_missing_msin_and_characters),
		cmocka_unit_test(eid_accepts_pysim_vectors),
		cmocka_unit_test(
		    eid_rejects_wrong_check_digits_with_expected_ones),
		cmocka_unit_test(
		    eid_rejects_wrong_prefix_length_and_characters),
		cmocka_unit_test(
		    parse_reads_exactly_len_bytes_of_unterminated_input),
		cmocka_unit_test(
		    parse_rejects_embedded_nul_byte_with_position),
		cmocka_unit_test(parse_rejects_overlong_input_with_erange),
		cmocka_unit_test(
		    parse_of_longest_input_counts_digits_and_truncates_quote),
		cmocka_unit_test(parse_ignores_surrounding_whitespace),
		cmocka_unit_test(
		    every_normalized_form_reparses_to_the_same_match_key),
		cmocka_unit_test(imei_and_imeisv_shapes_split_urns_on_svn),
		cmocka_unit_test(
		    meid_and_esn_shapes_leave_all_decimal_14_digits_to_imei),
		cmocka_unit_test(iccid_imsi_eid_shapes_check_prefix_and_mcc),
		cmocka_unit_test(detect_keeps_imei_imsi_ambiguity_visible),
		cmocka_unit_test(
		    detect_reports_imei_check_digit_error_for_bad_15_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
