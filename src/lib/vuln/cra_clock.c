/*
 * Cyber Resilience Act reporting clocks (Regulation (EU) 2024/2847,
 * Art. 14). Actively exploited vulnerabilities (Art. 14(2)): early
 * warning within 24 hours of awareness, notification within 72 hours,
 * final report within 14 days after a corrective or mitigating measure
 * is available. Severe incidents (Art. 14(4)): 24 hours, 72 hours, and
 * a final report within one month after the notification.
 *
 * "One month" is calendar arithmetic in UTC (Regulation 1182/71 on
 * periods: the same day of the next month, or that month's last day
 * when it has no such day): 31 January + 1 month = 28/29 February.
 * Civil dates are computed with Howard Hinnant's days-from-civil, so no
 * time zone or libc timegm() is involved.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vigil/vuln.h"

#define HOUR_MS ((int64_t)3600 * 1000)
#define DAY_MS (24 * HOUR_MS)

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
month_days(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* t + one calendar month, same time of day, day clamped. */
static int64_t
plus_one_month(int64_t t)
{
	int64_t days = floor_div(t, DAY_MS), tod = t - days * DAY_MS, y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	if (++m > 12) {
		m = 1;
		y++;
	}
	if (d > month_days(y, m))
		d = month_days(y, m);
	return days_from_civil(y, m, d) * DAY_MS + tod;
}

void
vigil_cra_deadlines(enum vigil_cra_kind kind, int64_t aware_ms,
    int64_t fix_ms, int64_t notified_ms, struct vigil_cra_due *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	out->early_warning_ms = aware_ms + 24 * HOUR_MS;
	out->notification_ms = aware_ms + 72 * HOUR_MS;
	if (kind == VIGIL_CRA_INCIDENT)
		out->final_ms = plus_one_month(notified_ms != 0 ?
		    notified_ms : out->notification_ms);
	else if (fix_ms != 0)
		out->final_ms = fix_ms + 14 * DAY_MS;
}
