/*
 * ICCID (ITU-T E.118 §4.2): "89" (telecommunications major industry
 * identifier) + E.164 country code (1-3 digits) + issuer identifier and
 * individual account number + a Luhn check digit over everything
 * before it; at most 20 digits with the check digit. A SIM stores it in
 * EF.ICCID (3GPP TS 31.102 §4.1.1 / ETSI TS 102 221 §13.2) as 10 bytes
 * of BCD, low nibble first, padded with F.
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define ICCID_MIN 18 /* without check digit */
#define ICCID_MAX 20 /* with check digit */
#define EF_ICCID_NIBBLES 20

/*
 * Length of the E.164 country code at the start of d (ITU-T E.164 and
 * its list of assigned country codes): zones 1 and 7 are one digit,
 * the two-digit codes are listed here, every other code has three.
 */
static size_t
e164_cc_len(const char *d)
{
	static const char two[] =
	    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 "
	    "51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 "
	    "81 82 84 86 90 91 92 93 94 95 98";

	if (d[0] == '1' || d[0] == '7')
		return 1;
	/* Issuers in zones 1 and 7 often pad the code to two digits
	 * (8901..., 8907...); no E.164 code starts with 0. */
	if (d[0] == '0' && (d[1] == '1' || d[1] == '7'))
		return 2;
	for (size_t i = 0; i + 1 < sizeof two; i += 3)
		if (two[i] == d[0] && two[i + 1] == d[1])
			return 2;
	return 3;
}

/* EF.ICCID contents: BCD digits swapped per byte, F-padded. */
static void
ef_iccid(const char *d, size_t n, char out[EF_ICCID_NIBBLES + 1])
{
	for (size_t i = 0; i < EF_ICCID_NIBBLES; i += 2) {
		out[i] = i + 1 < n ? d[i + 1] : 'F';
		out[i + 1] = i < n ? d[i] : 'F';
	}
	out[EF_ICCID_NIBBLES] = '\0';
}

enum vigil_err
id_parse_iccid(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[ICCID_MAX + 1], ef[EF_ICCID_NIBBLES + 1];
	size_t n, body, cclen;
	enum vigil_err rc;
	int cd;

	rc = id_scan_number(out, "ICCID", in, len, ICCID_MIN, ICCID_MAX, d,
	    sizeof d, &n);
	if (rc != VIGIL_OK)
		return rc;
	if (d[0] != '8' || d[1] != '9')
		return id_fail(out, "ICCID %s: starts with %.2s, expected 89 "
		    "(telecommunications, ITU-T E.118)",
		    id_quote(in, len, q, sizeof q), d);
	/* 19 and 20 digits end in the check digit; 18 lack it. */
	body = n == ICCID_MIN ? n : n - 1;
	cd = vigil_luhn_check_digit(d, body);
	if (body < n && d[body] - '0' != cd)
		return id_fail(out, "ICCID %s: check digit is %c, expected %d",
		    id_quote(in, len, q, sizeof q), d[body], cd);
	d[body] = (char)('0' + cd);
	d[body + 1] = '\0';
	cclen = e164_cc_len(d + 2);

	id_set_normalized(out, "%s", d);
	id_set_key(out, "iccid:%s", d);
	id_add_field(out, "industry", "%.2s", d);
	id_add_field(out, "country_code", "%.*s", (int)cclen, d + 2);
	id_add_field(out, "issuer_and_account", "%.*s",
	    (int)(body - 2 - cclen), d + 2 + cclen);
	id_add_field(out, "check_digit", "%d", cd);
	id_add_field(out, "check_digit_present", "%s",
	    body < n ? "yes" : "no");
	id_add_form(out, "iccid", "%s", d);
	ef_iccid(d, body + 1, ef);
	id_add_form(out, "ef-iccid", "%s", ef);
	if (body == n)
		id_add_warning(out, "check digit absent; computed %d", cd);
	return VIGIL_OK;
}

bool
id_shape_iccid(const char *in, size_t len)
{
	char d[ICCID_MAX + 1];
	struct id_scan s;

	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	return s.bad == 0 && s.n >= ICCID_MIN && s.n <= ICCID_MAX &&
	    d[0] == '8' && d[1] == '9';
}
