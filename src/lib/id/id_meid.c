/*
 * MEID and ESN (3GPP2 S.R0048; URN per RFC 8464).
 *
 * MEID = 56 bits: 32-bit manufacturer code (its top 8 bits are the
 * regional code RR) + 24-bit serial. Written as 14 hex digits (+ a Luhn
 * mod 16 check digit) or as 18 decimal digits: the manufacturer code as
 * 10 digits and the serial as 8, converted field by field (+ a decimal
 * Luhn check digit). The two check digits differ for the same MEID.
 * An MEID whose 14 hex digits are all decimal is an IMEI body, and its
 * hex-form check digit is then the decimal Luhn digit.
 *
 * ESN = 32 bits: 8-bit manufacturer code + 24-bit serial, 8 hex digits
 * or 3 + 8 decimal digits, no check digit. Manufacturer code 0x80 is
 * reserved for pseudo-ESNs derived from MEIDs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "id_internal.h"

#define MEID_URN_PREFIX "urn:3gpp2:meid:"
#define MFR_MAX 0xFFFFFFFFu  /* 32-bit MEID manufacturer code */
#define SERIAL_MAX 0xFFFFFFu /* 24-bit serial, MEID and ESN */
#define ESN_MFR_MAX 0xFFu
#define PESN_MFR 0x80u

static const char hexu[] = "0123456789ABCDEF";

/* Check digit of the 14-digit hex form, as a character. */
static char
meid_hex_cd(const char *hex)
{
	if (id_all_digits(hex, 14))
		return (char)('0' + vigil_luhn_check_digit(hex, 14));
	return hexu[vigil_luhn16_check_digit(hex, 14)];
}

/*
 * Pseudo-ESN (S.R0048 §2.3 / TIA-1082): 0x80 followed by the low 24
 * bits of SHA-1 over the 7-byte MEID. False when the digest fails.
 */
static bool
meid_pesn(const char *hex, uint32_t *pesn)
{
	unsigned char bin[7], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t n;

	if (vigil_hex_decode(hex, 14, bin, sizeof bin, &n) != VIGIL_OK ||
	    EVP_Digest(bin, n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return false;
	*pesn = PESN_MFR << 24 | (uint32_t)md[17] << 16 |
	    (uint32_t)md[18] << 8 | md[19];
	return true;
}

static void
fill_meid(struct vigil_id *out, const char *hex, const char *given_form)
{
	uint64_t mfr = id_hex_uint(hex, 8), serial = id_hex_uint(hex + 8, 6);
	uint32_t pesn;
	char cdh = meid_hex_cd(hex), dec[32];
	int cdd;

	snprintf(dec, sizeof dec, "%010lu%08lu", (unsigned long)mfr,
	    (unsigned long)serial);
	cdd = vigil_luhn_check_digit(dec, 18);

	id_set_normalized(out, "%.14s", hex);
	id_set_urn(out, "urn:3gpp2:meid:%.8s-%.6s", hex, hex + 8);
	if (id_all_digits(hex, 14)) {
		/* Same number space as the IMEI: one device, one key. */
		id_set_key(out, "imei:%.14s", hex);
		id_add_warning(out, "all 14 digits are decimal, so this MEID "
		    "is the IMEI body %.14s and matches that IMEI", hex);
	} else {
		id_set_key(out, "meid:%.14s", hex);
		if (id_is_digit(hex[0]))
			id_add_warning(out, "regional code %.2s is outside "
			    "A0-FF, the range administered for MEIDs", hex);
	}
	id_add_field(out, "regional_code", "%.2s", hex);
	id_add_field(out, "manufacturer_code", "%.8s", hex);
	id_add_field(out, "serial", "%.6s", hex + 8);
	id_add_field(out, "check_digit_hex", "%c", cdh);
	id_add_field(out, "check_digit_dec", "%d", cdd);
	id_add_field(out, "given_form", "%s", given_form);
	id_add_form(out, "hex", "%.14s", hex);
	id_add_form(out, "hex-cd", "%.14s%c", hex, cdh);
	id_add_form(out, "dec", "%s", dec);
	id_add_form(out, "dec-cd", "%s%d", dec, cdd);
	id_add_form(out, "urn", "%s", out->urn);
	if (meid_pesn(hex, &pesn)) {
		id_add_form(out, "pesn", "%08lX", (unsigned long)pesn);
		id_add_form(out, "pesn-dec", "%03lu%08lu",
		    (unsigned long)(pesn >> 24),
		    (unsigned long)(pesn & SERIAL_MAX));
	} else {
		id_add_warning(out, "pseudo-ESN not computed: SHA-1 "
		    "unavailable");
	}
}

/* urn:3gpp2:meid: 8HEXDIG "-" 6HEXDIG (RFC 8464 §3). */
static enum vigil_err
parse_meid_urn(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], hex[15];
	size_t p = id_has_prefix(in, len, MEID_URN_PREFIX), o = 0;
	const char *expected = NULL;
	bool dash = false;

	if (p == 0)
		return id_fail(out, "MEID %s: not a urn:3gpp2:meid URN "
		    "(RFC 8464)", id_quote(in, len, q, sizeof q));
	while (o < 14) {
		if (o == 8 && !dash) {
			if (p >= len || in[p] != '-') {
				expected = "'-' after the manufacturer code";
				break;
			}
			dash = true;
			p++;
			continue;
		}
		if (p >= len || !id_is_hex(in[p])) {
			expected = "a hex digit";
			break;
		}
		hex[o++] = id_upper(in[p++]);
	}
	if (expected == NULL && p == len) {
		hex[14] = '\0';
		fill_meid(out, hex, "hex");
		return VIGIL_OK;
	}
	if (expected == NULL)
		expected = "the end of the URN";
	return id_fail_expected(out, "MEID", in, len, p, expected);
}

/* 18 decimal digits: 10-digit manufacturer code, 8-digit serial. */
static enum vigil_err
meid_from_dec(const char *in, size_t len, const char *d, char hex[15],
    struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE];
	uint64_t mfr, serial;

	/* d holds 18 checked digits, so the reads fail only in theory. */
	if (!id_dec_uint(d, 10, &mfr) || mfr > MFR_MAX)
		return id_fail(out, "MEID %s: manufacturer code %.10s exceeds "
		    "32 bits (max %lu)", id_quote(in, len, q, sizeof q), d,
		    (unsigned long)MFR_MAX);
	if (!id_dec_uint(d + 10, 8, &serial) || serial > SERIAL_MAX)
		return id_fail(out, "MEID %s: serial number %.8s exceeds "
		    "24 bits (max %lu)", id_quote(in, len, q, sizeof q),
		    d + 10, (unsigned long)SERIAL_MAX);
	snprintf(hex, 15, "%08lX%06lX", (unsigned long)mfr,
	    (unsigned long)serial);
	return VIGIL_OK;
}

enum vigil_err
id_parse_meid(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[20], hex[15];
	struct id_scan s;
	enum vigil_err rc;

	if (id_has_prefix(in, len, "urn:"))
		return parse_meid_urn(in, len, out);
	id_scan_digits(in, len, ID_TEL_SEPS, true, d, sizeof d, &s);
	if (s.bad)
		return id_fail_badchar(out, "MEID", in, len, &s);
	if (s.n == 14 || s.n == 15) {
		char cd;

		memcpy(hex, d, 14);
		hex[14] = '\0';
		cd = meid_hex_cd(hex);
		if (s.n == 15 && d[14] != cd)
			return id_fail(out, "MEID %s: check digit is %c, "
			    "expected %c", id_quote(in, len, q, sizeof q),
			    d[14], cd);
		fill_meid(out, hex, "hex");
		return VIGIL_OK;
	}
	if (!s.letter && (s.n == 18 || s.n == 19)) {
		int cd;

		if ((rc = meid_from_dec(in, len, d, hex, out)) != VIGIL_OK)
			return rc;
		cd = vigil_luhn_check_digit(d, 18);
		if (s.n == 19 && d[18] - '0' != cd)
			return id_fail(out, "MEID %s: check digit is %c, "
			    "expected %d", id_quote(in, len, q, sizeof q),
			    d[18], cd);
		fill_meid(out, hex, "dec");
		return VIGIL_OK;
	}
	if (s.letter)
		return id_fail(out, "MEID %s: %zu hex digit%s, expected 14 "
		    "(or 15 with check digit)", id_quote(in, len, q, sizeof q),
		    s.n, id_plural(s.n));
	return id_fail(out, "MEID %s: %zu digit%s, expected 14 hex digits "
	    "(15 with check digit) or 18 decimal digits (19 with check digit)",
	    id_quote(in, len, q, sizeof q), s.n, id_plural(s.n));
}

bool
id_shape_meid(const char *in, size_t len)
{
	char d[20];
	struct id_scan s;

	if (id_has_prefix(in, len, MEID_URN_PREFIX))
		return true;
	id_scan_digits(in, len, ID_TEL_SEPS, true, d, sizeof d, &s);
	if (s.bad)
		return false;
	/* All-decimal 14/15 digits are left to the IMEI. */
	return (s.letter && (s.n == 14 || s.n == 15)) ||
	    (!s.letter && (s.n == 18 || s.n == 19));
}

/* ------------------------------------------------------------------ */
/* ESN */

static void
fill_esn(struct vigil_id *out, uint32_t esn)
{
	uint32_t mfr = esn >> 24, serial = esn & SERIAL_MAX;

	id_set_normalized(out, "%08lX", (unsigned long)esn);
	id_set_key(out, "esn:%08lX", (unsigned long)esn);
	id_add_field(out, "manufacturer_code", "%02lX", (unsigned long)mfr);
	id_add_field(out, "serial", "%06lX", (unsigned long)serial);
	id_add_field(out, "pseudo", "%s", mfr == PESN_MFR ? "yes" : "no");
	id_add_form(out, "hex", "%08lX", (unsigned long)esn);
	id_add_form(out, "dec", "%03lu%08lu", (unsigned long)mfr,
	    (unsigned long)serial);
	if (mfr == PESN_MFR)
		id_add_warning(out, "pseudo-ESN: derived from an MEID, "
		    "not unique");
}

enum vigil_err
id_parse_esn(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[12];
	struct id_scan s;
	size_t skip = id_has_prefix(in, len, "0x");

	id_scan_digits(in + skip, len - skip, ID_TEL_SEPS, true, d, sizeof d,
	    &s);
	if (s.bad) {
		s.bad += skip;
		return id_fail_badchar(out, "ESN", in, len, &s);
	}
	if (s.n == 8) {
		fill_esn(out, (uint32_t)id_hex_uint(d, 8));
		return VIGIL_OK;
	}
	if (skip == 0 && !s.letter && s.n == 11) {
		uint64_t mfr, serial;

		if (!id_dec_uint(d, 3, &mfr) || mfr > ESN_MFR_MAX)
			return id_fail(out, "ESN %s: manufacturer code %.3s "
			    "exceeds 8 bits (max %u)",
			    id_quote(in, len, q, sizeof q), d, ESN_MFR_MAX);
		if (!id_dec_uint(d + 3, 8, &serial) || serial > SERIAL_MAX)
			return id_fail(out, "ESN %s: serial number %.8s "
			    "exceeds 24 bits (max %lu)",
			    id_quote(in, len, q, sizeof q), d + 3,
			    (unsigned long)SERIAL_MAX);
		fill_esn(out, (uint32_t)(mfr << 24 | serial));
		return VIGIL_OK;
	}
	if (skip)
		return id_fail(out, "ESN %s: %zu hex digit%s after 0x, "
		    "expected 8", id_quote(in, len, q, sizeof q), s.n,
		    id_plural(s.n));
	return id_fail(out, "ESN %s: %zu %s%s, expected 8 hex digits or 11 "
	    "decimal digits", id_quote(in, len, q, sizeof q), s.n,
	    s.letter ? "hex digit" : "digit", id_plural(s.n));
}

/*
 * Ungrouped only: eight digits with separators are far more often a
 * date (2024-01-05) than an ESN; naming the type still accepts them.
 */
bool
id_shape_esn(const char *in, size_t len)
{
	if (id_has_prefix(in, len, "0x"))
		return len == 10 && id_all_hex(in + 2, 8);
	return (len == 8 && id_all_hex(in, 8)) ||
	    (len == 11 && id_all_digits(in, 11));
}
