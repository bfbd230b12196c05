/* Time: milliseconds since the epoch, RFC 3339 formatting and parsing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vigil/core.h"

int64_t
vigil_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
vigil_time_format(int64_t ms, char out[VIGIL_RFC3339_LEN])
{
	time_t sec = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		sec -= 1;
	}
	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(out, VIGIL_RFC3339_LEN, "invalid-time");
		return;
	}
	char tmp[96]; /* room for any int fields; the result fits 32 */

	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, frac);
	memcpy(out, tmp, VIGIL_RFC3339_LEN - 1);
	out[VIGIL_RFC3339_LEN - 1] = '\0';
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int
num(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
vigil_days_in_month(int year, int month)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : dm[month - 1];
}

enum vigil_err
vigil_time_parse(const char *s, int64_t *ms, char *err, size_t errsize)
{
	int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0;
	size_t len, i = 19;

	*ms = 0;
	if (s == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time: missing");
	len = strnlen(s, 64);
	if (len < 20 || len >= 64)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time '%.40s': not an RFC 3339 date-time "
		    "(expected YYYY-MM-DDTHH:MM:SSZ)", s);
	if (num(s, 4, &y) || s[4] != '-' || num(s + 5, 2, &mo) ||
	    s[7] != '-' || num(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    num(s + 11, 2, &h) || s[13] != ':' || num(s + 14, 2, &mi) ||
	    s[16] != ':' || num(s + 17, 2, &sec))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time '%.40s': not an RFC 3339 date-time "
		    "(expected YYYY-MM-DDTHH:MM:SSZ)", s);
	if (mo < 1 || mo > 12 || d < 1 || d > vigil_days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time '%.40s': field out of range", s);
	if (s[i] == '.') {
		int digits = 0;

		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
			if (digits < 3)
				frac = frac * 10 + (s[i] - '0');
		if (digits == 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "time '%.40s': empty fraction at position %zu", s,
			    i);
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		sign = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    num(s + i + 1, 2, &oh) == 0 && s[i + 3] == ':' &&
	    num(s + i + 4, 2, &om) == 0 && oh <= 23 && om <= 59) {
		sign = s[i] == '+' ? 1 : -1;
	} else {
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time '%.40s': missing or bad UTC offset at position %zu "
		    "(expected Z or +HH:MM)", s, i + 1);
	}
	if (sec == 60)
		sec = 59; /* leap second: clamp, POSIX time has none */
	int64_t t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	    (int64_t)mi * 60 + sec - (int64_t)sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return VIGIL_OK;
}
