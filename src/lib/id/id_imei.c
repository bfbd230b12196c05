/*
 * IMEI and IMEISV (3GPP TS 23.003 §6.2) and their URN (RFC 7254).
 *
 * IMEI   = TAC (8) + SNR (6) + CD (1, Luhn over the 14 before it).
 * IMEISV = TAC (8) + SNR (6) + SVN (2), no check digit.
 * URN    = urn:gsma:imei:TAC-SNR-spare[;svn=NN][;vers=N]; the third
 *          field is the spare digit (0 over the air, TS 23.003 §13.8),
 *          not the Luhn digit, so it is never Luhn-checked.
 * Both share the match key imei:<TAC+SNR>: they name the same device.
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define IMEI_URN_PREFIX "urn:gsma:imei:"

struct imei_urn {
	char body[15]; /* TAC + SNR, NUL-terminated */
	char spare;
	char svn[3];   /* "" when the ;svn= parameter is absent */
};

/* Copies exactly n digits from in[*p] to dst; false if not there. */
static bool
take_digits(const char *in, size_t len, size_t *p, size_t n, char *dst)
{
	for (size_t i = 0; i < n; i++, (*p)++) {
		if (*p >= len || !id_is_digit(in[*p]))
			return false;
		dst[i] = in[*p];
	}
	return true;
}

/*
 * RFC 7254 §3 (ABNF, so the literals are case-insensitive):
 *   imei-urn = "urn:gsma:imei:" tac "-" snr "-" spare
 *              [";svn=" 2DIGIT] [";vers=" 1*DIGIT]
 */
static enum vigil_err
parse_urn(const char *title, const char *in, size_t len, struct imei_urn *u,
    struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE];
	size_t p;

	memset(u, 0, sizeof *u);
	if ((p = id_has_prefix(in, len, IMEI_URN_PREFIX)) == 0)
		return id_fail(out, "%s %s: not a urn:gsma:imei URN (RFC 7254)",
		    title, id_quote(in, len, q, sizeof q));
	if (!take_digits(in, len, &p, 8, u->body))
		return id_fail_expected(out, title, in, len, p,
		    "the 8-digit TAC");
	if (p >= len || in[p] != '-')
		return id_fail_expected(out, title, in, len, p,
		    "'-' after the TAC");
	p++;
	if (!take_digits(in, len, &p, 6, u->body + 8))
		return id_fail_expected(out, title, in, len, p,
		    "the 6-digit SNR");
	if (p >= len || in[p] != '-')
		return id_fail_expected(out, title, in, len, p,
		    "'-' after the SNR");
	p++;
	if (p >= len || !id_is_digit(in[p]))
		return id_fail_expected(out, title, in, len, p,
		    "the spare digit");
	u->spare = in[p++];
	if (p < len && in[p] == ';' &&
	    id_has_prefix(in + p + 1, len - p - 1, "svn=")) {
		p += 5;
		if (!take_digits(in, len, &p, 2, u->svn))
			return id_fail_expected(out, title, in, len, p,
			    "the 2-digit SVN");
	}
	if (p < len && in[p] == ';' &&
	    id_has_prefix(in + p + 1, len - p - 1, "vers=")) {
		p += 6;
		if (p >= len || !id_is_digit(in[p]))
			return id_fail_expected(out, title, in, len, p,
			    "the URN version number");
		while (p < len && id_is_digit(in[p]))
			p++;
	}
	if (p < len)
		return id_fail_expected(out, title, in, len, p,
		    in[p] == ';' ? ";svn=NN or ;vers=N (in that order)" :
		    "the end of the URN");
	return VIGIL_OK;
}

/* True when the URN carries a ;svn= parameter (case-insensitive). */
static bool
urn_has_svn(const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (in[i] == ';' && id_has_prefix(in + i + 1, len - i - 1,
		    "svn="))
			return true;
	return false;
}

/* Fills the result of an IMEI from its 14-digit body. */
static void
fill_imei(struct vigil_id *out, const char *body, int cd, bool present)
{
	id_set_normalized(out, "%.14s%d", body, cd);
	id_set_urn(out, "urn:gsma:imei:%.8s-%.6s-0", body, body + 8);
	id_set_key(out, "imei:%.14s", body);
	id_add_field(out, "tac", "%.8s", body);
	id_add_field(out, "reporting_body", "%.2s", body);
	id_add_field(out, "snr", "%.6s", body + 8);
	id_add_field(out, "check_digit", "%d", cd);
	id_add_field(out, "check_digit_present", "%s", present ? "yes" : "no");
	id_add_form(out, "imei", "%.14s%d", body, cd);
	id_add_form(out, "body", "%.14s", body);
	id_add_form(out, "formatted", "%.2s-%.6s-%.6s-%d", body, body + 2,
	    body + 8, cd);
	id_add_form(out, "urn", "%s", out->urn);
}

static void
spare_warning(struct vigil_id *out, char spare)
{
	if (spare != '0')
		id_add_warning(out, "URN spare digit is %c; TS 23.003 §13.8 "
		    "sets it to 0 (it is not the check digit)", spare);
}

enum vigil_err
id_parse_imei(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[16];
	struct id_scan s;
	int cd;

	if (id_has_prefix(in, len, "urn:")) {
		struct imei_urn u;
		enum vigil_err rc = parse_urn("IMEI", in, len, &u, out);

		if (rc != VIGIL_OK)
			return rc;
		cd = vigil_luhn_check_digit(u.body, 14);
		fill_imei(out, u.body, cd, false);
		id_add_warning(out, "the URN carries no check digit; "
		    "computed %d", cd);
		spare_warning(out, u.spare);
		return VIGIL_OK;
	}
	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	if (s.bad)
		return id_fail_badchar(out, "IMEI", in, len, &s);
	if (s.n != 14 && s.n != 15)
		return id_fail(out, "IMEI %s: %zu digit%s, expected 15 "
		    "(or 14 without check digit)",
		    id_quote(in, len, q, sizeof q), s.n, id_plural(s.n));
	cd = vigil_luhn_check_digit(d, 14);
	if (s.n == 15 && d[14] - '0' != cd)
		return id_fail(out, "IMEI %s: check digit is %c, expected %d",
		    id_quote(in, len, q, sizeof q), d[14], cd);
	fill_imei(out, d, cd, s.n == 15);
	if (s.n == 14) {
		id_add_warning(out, "check digit absent; computed %d", cd);
	}
	return VIGIL_OK;
}

/* Reporting Body Identifiers allocated by the GSMA (the first two TAC
 * digits; 00 is the test range). */
static bool
known_reporting_body(const char *d)
{
	static const char *const rbi[] = { "00", "01", "10", "30", "33", "35",
		"44", "45", "49", "50", "51", "52", "53", "54", "86", "91",
		"98", "99" };

	for (size_t i = 0; i < sizeof rbi / sizeof rbi[0]; i++)
		if (d[0] == rbi[i][0] && d[1] == rbi[i][1])
			return true;
	return false;
}

bool
id_shape_imei(const char *in, size_t len)
{
	char d[16];
	struct id_scan s;

	if (id_has_prefix(in, len, IMEI_URN_PREFIX))
		return !urn_has_svn(in, len);
	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	if (s.bad != 0)
		return false;
	/* A 14-digit body carries no check digit, so any 14 digits would
	 * do (every GTIN-14 among them): auto-detection wants its first
	 * two digits to be a GSMA reporting body identifier. --type imei
	 * accepts any body. */
	return s.n == 15 || (s.n == 14 && known_reporting_body(d));
}

/* ------------------------------------------------------------------ */
/* IMEISV */

static void
fill_imeisv(struct vigil_id *out, const char *body, const char *svn)
{
	int cd = vigil_luhn_check_digit(body, 14);

	id_set_normalized(out, "%.14s%.2s", body, svn);
	id_set_urn(out, "urn:gsma:imei:%.8s-%.6s-0;svn=%.2s", body, body + 8,
	    svn);
	id_set_key(out, "imei:%.14s", body);
	id_add_field(out, "tac", "%.8s", body);
	id_add_field(out, "snr", "%.6s", body + 8);
	id_add_field(out, "svn", "%.2s", svn);
	id_add_form(out, "imeisv", "%.14s%.2s", body, svn);
	id_add_form(out, "imei", "%.14s%d", body, cd);
	id_add_form(out, "urn", "%s", out->urn);
	/* TS 23.003 §6.2.2: "The SVN value 99 is reserved for future use." */
	if (svn[0] == '9' && svn[1] == '9')
		id_add_warning(out, "SVN 99 is reserved for future use "
		    "(3GPP TS 23.003 §6.2.2)");
}

enum vigil_err
id_parse_imeisv(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], d[17];
	struct id_scan s;

	if (id_has_prefix(in, len, "urn:")) {
		struct imei_urn u;
		enum vigil_err rc = parse_urn("IMEISV", in, len, &u, out);

		if (rc != VIGIL_OK)
			return rc;
		if (u.svn[0] == '\0')
			return id_fail(out, "IMEISV %s: the URN has no ;svn= "
			    "parameter, so it names an IMEI, not an IMEISV",
			    id_quote(in, len, q, sizeof q));
		fill_imeisv(out, u.body, u.svn);
		spare_warning(out, u.spare);
		return VIGIL_OK;
	}
	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	if (s.bad)
		return id_fail_badchar(out, "IMEISV", in, len, &s);
	if (s.n != 16)
		return id_fail(out, "IMEISV %s: %zu digit%s, expected 16",
		    id_quote(in, len, q, sizeof q), s.n, id_plural(s.n));
	fill_imeisv(out, d, d + 14);
	return VIGIL_OK;
}

bool
id_shape_imeisv(const char *in, size_t len)
{
	char d[17];
	struct id_scan s;

	if (id_has_prefix(in, len, IMEI_URN_PREFIX))
		return urn_has_svn(in, len);
	id_scan_digits(in, len, ID_TEL_SEPS, false, d, sizeof d, &s);
	return s.bad == 0 && s.n == 16;
}
