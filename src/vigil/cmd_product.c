/*
 * `vigil product set | list`: device models as products — manufacturer,
 * end of the support period (CRA Art. 13(8)) and the platform CPEs that
 * NVD configurations name ("running on" conditions), on the local store
 * or a vigild (vuln_cli.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_cli.h"

#define MAX_CPES 64

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Exactly n (<= 4) ASCII digits at s as a number: no sign, no
 * blanks, which strtol alone would accept. */
static bool
digits(const char *s, size_t n, int *out)
{
	char buf[5], *end;
	long v;

	if (n == 0 || n >= sizeof buf)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		buf[i] = s[i];
	}
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end != buf + n)
		return false;
	*out = (int)v; /* at most 9999 */
	return true;
}

/* "YYYY-MM-DD" to the end of that day (UTC) in ms; false when it is
 * no date. Support ends with the day it names. */
static bool
parse_day(const char *s, int64_t *ms)
{
	static const int mdays[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*ms = (days_from_civil(y, m, d) + 1) * INT64_C(86400000) - 1;
	return true;
}

int
cli_product_set(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_vdb_product p;
	const char *cpes[MAX_CPES], *su = cli_arg(a, "support-until");
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	size_t n = 0;

	memset(&p, 0, sizeof p);
	p.model = a->pos[0];
	p.manufacturer = cli_arg(a, "manufacturer");
	p.support_until_ms = -1;
	if (su != NULL && strcmp(su, "none") == 0)
		p.support_until_ms = 0;
	else if (su != NULL && !parse_day(su, &p.support_until_ms))
		return cli_usage(a->cmd,
		    "--support-until takes YYYY-MM-DD or "
		    "none, not '%s'",
		    su);
	for (size_t i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i].name, "platform-cpe") != 0)
			continue;
		if (n == MAX_CPES)
			return cli_usage(
			    a->cmd, "at most %d --platform-cpe", MAX_CPES);
		cpes[n++] = a->opts[i].value;
	}
	if (n > 0) {
		p.platform_cpes = cpes;
		p.nplatform_cpes = n;
	}
	if ((rc = cli_vuln(ctx)->product_set(ctx, &p, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_kv);
}

int
cli_product_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *wd = cli_arg(a, "warn-days");
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	size_t days = 90;
	int st;

	if (wd != NULL && !cli_parse_size(a, "warn-days", wd, 0, 3650, &days))
		return CLI_EXIT_USAGE;
	if ((st = cli_vuln_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_vuln(ctx)->product_list(ctx, (int)days, &out, err)) !=
	    VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_products);
}
