/*
 * eUICC identifier, EID (GSMA SGP.29 §10): 32 decimal digits, "89"
 * (telecommunications), a 3-digit country code, a 3-digit issuer
 * identifier, 22 digits of issuer-specific information and 2 check
 * digits chosen so that the whole number is 1 mod 97 (ISO/IEC 7064
 * MOD 97-10, as for IBAN).
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define EID_LEN 32

enum vigil_err
id_parse_eid(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[EID_LEN + 1];
	size_t n;
	enum vigil_err rc;

	rc = id_scan_number(out, "EID", in, len, EID_LEN, EID_LEN, d,
	    sizeof d, &n);
	if (rc != VIGIL_OK)
		return rc;
	if (d[0] != '8' || d[1] != '9')
		return id_fail(out, "EID %s: starts with %.2s, expected 89 "
		    "(telecommunications, GSMA SGP.29)",
		    id_quote(in, len, q, sizeof q), d);
	if (vigil_mod97(d, EID_LEN) != 1) {
		/* SGP.29 §10: with the check digits set to 00, they are
		 * 98 - (N mod 97). */
		int r = vigil_mod97(d, EID_LEN - 2) * 100 % 97;

		return id_fail(out, "EID %s: check digits are %.2s, "
		    "expected %02d", id_quote(in, len, q, sizeof q),
		    d + EID_LEN - 2, 98 - r);
	}
	id_set_normalized(out, "%s", d);
	id_set_key(out, "eid:%s", d);
	id_add_field(out, "industry", "%.2s", d);
	id_add_field(out, "country_code", "%.3s", d + 2);
	id_add_field(out, "issuer", "%.3s", d + 5);
	id_add_field(out, "rest", "%.22s", d + 8);
	id_add_field(out, "check_digits", "%.2s", d + 30);
	id_add_form(out, "eid", "%s", d);
	return VIGIL_OK;
}

bool
id_shape_eid(const char *in, size_t len)
{
	char d[EID_LEN + 1];
	struct id_scan s;

	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	return s.bad == 0 && s.n == EID_LEN && d[0] == '8' && d[1] == '9';
}
