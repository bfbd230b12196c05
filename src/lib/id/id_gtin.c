/*
 * GTIN-8, GTIN-12, GTIN-13 and GTIN-14 (GS1 General Specifications
 * 3.3.2, 7.9): digits with a GS1 mod 10 check digit, stored as GTIN-14
 * (left-padded with zeros) so every spelling of one GTIN meets.
 */
#include <string.h>

#include "id_gs1.h"

#define GTIN_SEPS " -"

/* Restricted circulation numbers are valid GTIN syntax but are not
 * globally unique (General Specifications, GS1 Prefix list): 02,
 * 04 and 20-29, and GTIN-8s starting with 0 or 2. */
static const char *
rcn_note(const char *g14)
{
	if (memcmp(g14 + 1, "00000", 5) == 0) {
		if (g14[6] == '0' || g14[6] == '2')
			return "RCN-8";
		return NULL;
	}
	if (g14[1] == '2' || (g14[1] == '0' && (g14[2] == '2' ||
	    g14[2] == '4')))
		return "RCN";
	return NULL;
}

enum vigil_err
id_parse_gtin(const char *in, size_t len, struct vigil_id *out)
{
	char d[16], g14[15], q[ID_QUOTE_SIZE];
	struct id_scan s;
	size_t n;
	int cd;
	const char *rcn;

	id_scan_digits(in, len, GTIN_SEPS, false, d, sizeof d, &s);
	if (s.bad)
		return id_fail_badchar(out, "GTIN", in, len, &s);
	id_quote(in, len, q, sizeof q);
	n = s.n;
	if (n != 8 && n != 12 && n != 13 && n != 14)
		return id_fail(out, "GTIN %s: %zu digits, expected 8, 12, 13 "
		    "or 14", q, n);
	cd = vigil_gs1_check_digit(d, n - 1);
	if (cd < 0)
		return id_fail(out, "GTIN %s: check digit cannot be computed",
		    q);
	if (d[n - 1] - '0' != cd)
		return id_fail(out, "GTIN %s: check digit is %c, expected %d",
		    q, d[n - 1], cd);

	memset(g14, '0', 14 - n);
	memcpy(g14 + 14 - n, d, n + 1);
	id_set_normalized(out, "%s", g14);
	id_set_key(out, "gtin:%s", g14);
	id_add_field(out, "gtin_type", "GTIN-%zu", n);
	id_add_field(out, "indicator", "%c", g14[0]);
	id_add_field(out, "check_digit", "%c", g14[13]);
	id_add_form(out, "gtin-14", "%s", g14);
	if (g14[0] == '0')
		id_add_form(out, "gtin-13", "%s", g14 + 1);
	if (memcmp(g14, "00", 2) == 0)
		id_add_form(out, "gtin-12", "%s", g14 + 2);
	if (memcmp(g14, "000000", 6) == 0)
		id_add_form(out, "gtin-8", "%s", g14 + 6);
	id_add_form(out, "element-string", "(01)%s", g14);
	id_add_form(out, "digital-link", "https://id.gs1.org/01/%s", g14);
	if ((rcn = rcn_note(g14)) != NULL)
		id_add_warning(out, "restricted circulation number (%s): valid "
		    "only within a company or region, not globally unique",
		    rcn);
	return VIGIL_OK;
}

bool
id_shape_gtin(const char *in, size_t len)
{
	char d[16];
	struct id_scan s;

	id_scan_digits(in, len, GTIN_SEPS, false, d, sizeof d, &s);
	return s.bad == 0 && (s.n == 8 || s.n == 12 || s.n == 13 ||
	    s.n == 14);
}
