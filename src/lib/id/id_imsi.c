/*
 * IMSI (3GPP TS 23.003 §2.2): MCC (3 digits) + MNC (2 or 3) + MSIN, at
 * most 15 digits. Whether the MNC has 2 or 3 digits is decided by the
 * MCC's numbering plan (id_mcc_table.c), not by the digits; where both
 * lengths exist under one MCC we say so rather than guess (the SIM's
 * EF.AD holds the real length).
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"
#include "id_mcc.h"

#define IMSI_MIN 6
#define IMSI_MAX 15

static unsigned
mcc_of(const char *d)
{
	return (unsigned)((d[0] - '0') * 100 + (d[1] - '0') * 10 +
	    (d[2] - '0'));
}

/*
 * PLMN identity as coded in 3GPP TS 24.008 §10.5.1.3 (and EF.IMSI /
 * EF.PLMNsel): three octets, each holding two BCD digits low nibble
 * first: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1, with MNC3 = F for a 2-digit
 * MNC. Printed high nibble first, so 295/10 reads 92F501.
 */
static void
plmn_bcd(const char *mcc, const char *mnc, size_t mnclen, char out[7])
{
	out[0] = mcc[1];
	out[1] = mcc[0];
	out[2] = mnclen == 3 ? mnc[2] : 'F';
	out[3] = mcc[2];
	out[4] = mnc[1];
	out[5] = mnc[0];
	out[6] = '\0';
}

enum vigil_err
id_parse_imsi(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[IMSI_MAX + 1], bcd[7];
	const struct id_mcc *m;
	size_t n, mnclen;
	enum vigil_err rc;

	rc = id_scan_number(out, "IMSI", in, len, IMSI_MIN, IMSI_MAX, d,
	    sizeof d, &n);
	if (rc != VIGIL_OK)
		return rc;
	if ((m = id_mcc_lookup(mcc_of(d))) == NULL)
		return id_fail(out, "IMSI %s: unknown mobile country code %.3s",
		    id_quote(in, len, q, sizeof q), d);
	mnclen = m->mnc_len;
	if (mnclen != ID_MNC_BOTH && n <= 3 + mnclen)
		return id_fail(out, "IMSI %s: no MSIN after MCC %.3s and "
		    "%zu-digit MNC %.*s", id_quote(in, len, q, sizeof q), d,
		    mnclen, (int)mnclen, d + 3);

	id_set_normalized(out, "%s", d);
	id_set_key(out, "imsi:%s", d);
	id_add_field(out, "mcc", "%.3s", d);
	id_add_field(out, "country", "%s", m->country);
	if (mnclen == ID_MNC_BOTH) {
		id_add_field(out, "mnc", "%s", "");
		id_add_field(out, "mnc_length", "%s", "ambiguous (2 or 3)");
		id_add_field(out, "msin", "%s", "");
		id_add_warning(out, "MCC %.3s (%s) has both 2- and 3-digit "
		    "MNCs, and an IMSI does not say which; the SIM's EF.AD "
		    "holds the MNC length", d, m->country);
		return VIGIL_OK;
	}
	id_add_field(out, "mnc", "%.*s", (int)mnclen, d + 3);
	id_add_field(out, "mnc_length", "%zu", mnclen);
	id_add_field(out, "msin", "%s", d + 3 + mnclen);
	plmn_bcd(d, d + 3, mnclen, bcd);
	id_add_form(out, "plmn-bcd", "%s", bcd);
	return VIGIL_OK;
}

/*
 * Plain digits only: an IMSI has no printed grouping, so a grouped
 * string such as 35-209900-176148-1 is an IMEI, not an IMSI, for
 * auto-detection (naming the type still accepts separators).
 */
bool
id_shape_imsi(const char *in, size_t len)
{
	/* Auto-detection only considers 14-15 digits, the lengths IMSIs
	 * have in practice (python-stdnum accepts only these): shorter
	 * digit strings are far more often GTINs or serials. --type imsi
	 * accepts the full 6-15 range of TS 23.003. */
	return len >= 14 && len <= IMSI_MAX && id_all_digits(in, len) &&
	    id_mcc_lookup(mcc_of(in)) != NULL;
}
