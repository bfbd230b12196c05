/*
 * GS1 Application Identifier table and per-AI value validation.
 *
 * One row per AI: data title, value format as components (character
 * set, length, linter) in the notation of the GS1 Barcode Syntax
 * Dictionary, whether an FNC1 must end the value, the date field, the
 * invalid pairs / mandatory associations we enforce and the GS1
 * Digital Link key qualifiers. Everything else (element string and
 * Digital Link parsing, rendering) reads this table.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "id_gs1.h"

/* Component shorthands, named after the Syntax Dictionary notation:
 * N14 = exactly 14 digits, NV(8) = N..8, XV(20) = X..20, OPT_ marks an
 * optional trailing component. */
#define N_(n, l)  { GS1_CSET_N, n, n, GS1_LINT_##l }
#define NV(n, l)  { GS1_CSET_N, 1, n, GS1_LINT_##l }
#define XV(n, l)  { GS1_CSET_82, 1, n, GS1_LINT_##l }
#define X_(n, l)  { GS1_CSET_82, n, n, GS1_LINT_##l }
#define YV(n, l)  { GS1_CSET_39, 1, n, GS1_LINT_##l }
#define OPT_N(n)  { GS1_CSET_N, 0, n, GS1_LINT_NONE }
#define OPT_X(n)  { GS1_CSET_82, 0, n, GS1_LINT_NONE }

/* "01" → .ai = "01", .field = "ai_01"; the other columns follow. The
 * argument is a string literal pasted onto another, so it cannot be
 * parenthesised. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define A(x) .ai = x, .field = "ai_" x
#define DATE(ai) .date_field = "ai_" ai "_date"
/* FNC1 column: PRE = predefined length, none needed; VAR = needed. */
#define PRE false
#define VAR true

/* Six rows n = 0..5 (decimal point position) of a measure AI. */
#define MEASURE(p, t)                                                   \
	{ A(p "0"), t, PRE, { N_(6, NONE) } },                          \
	{ A(p "1"), t, PRE, { N_(6, NONE) } },                          \
	{ A(p "2"), t, PRE, { N_(6, NONE) } },                          \
	{ A(p "3"), t, PRE, { N_(6, NONE) } },                          \
	{ A(p "4"), t, PRE, { N_(6, NONE) } },                          \
	{ A(p "5"), t, PRE, { N_(6, NONE) } }
/* Ten rows n = 0..9 of an amount AI. */
#define AMOUNT(p, t)                                                    \
	{ A(p "0"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "1"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "2"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "3"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "4"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "5"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "6"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "7"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "8"), t, VAR, { NV(15, NONE) } },                         \
	{ A(p "9"), t, VAR, { NV(15, NONE) } }
#define INTERNAL(ai)                                                    \
	{ A(ai), "INTERNAL", VAR, { XV(90, NONE) } }

/*
 * Formats from the GS1 General Specifications (section 3) and the
 * Syntax Dictionary. req/ex are the pairs we are sure of (General
 * Specifications 4.14): a serial needs a GTIN or ITIP and excludes a
 * TPX; CONTENT (02) goes with COUNT (37) and never with a GTIN (01);
 * extensions need their key.
 */
static const struct gs1_ai ai_table[] = {
	{ A("00"), "SSCC", PRE, { N_(18, CSUM) }, .dl = "" },
	{ A("01"), "GTIN", PRE, { N_(14, CSUM) }, .ex = "02",
	    .dl = "22 10 21|235" },
	{ A("02"), "CONTENT", PRE, { N_(14, CSUM) }, .req = "37",
	    .ex = "01" },
	{ A("10"), "BATCH/LOT", VAR, { XV(20, NONE) } },
	{ A("11"), "PROD DATE", PRE, { N_(6, YYMMD0) }, DATE("11") },
	{ A("12"), "DUE DATE", PRE, { N_(6, YYMMD0) }, DATE("12") },
	{ A("13"), "PACK DATE", PRE, { N_(6, YYMMD0) }, DATE("13") },
	{ A("15"), "BEST BEFORE or BEST BY", PRE, { N_(6, YYMMD0) },
	    DATE("15") },
	{ A("16"), "SELL BY", PRE, { N_(6, YYMMD0) }, DATE("16") },
	{ A("17"), "USE BY OR EXPIRY", PRE, { N_(6, YYMMD0) }, DATE("17") },
	{ A("20"), "VARIANT", PRE, { N_(2, NONE) } },
	{ A("21"), "SERIAL", VAR, { XV(20, NONE) }, .req = "01 8006",
	    .ex = "235" },
	{ A("22"), "CPV", VAR, { XV(20, NONE) }, .req = "01 8006" },
	{ A("235"), "TPX", VAR, { XV(28, NONE) }, .req = "01", .ex = "21" },
	{ A("240"), "ADDITIONAL ID", VAR, { XV(30, NONE) } },
	{ A("241"), "CUST. PART No.", VAR, { XV(30, NONE) } },
	{ A("242"), "MTO VARIANT", VAR, { NV(6, NONE) } },
	{ A("243"), "PCN", VAR, { XV(20, NONE) } },
	{ A("250"), "SECONDARY SERIAL", VAR, { XV(30, NONE) } },
	{ A("251"), "REF. TO SOURCE", VAR, { XV(30, NONE) } },
	{ A("253"), "GDTI", VAR, { N_(13, CSUM), OPT_X(17) }, .dl = "" },
	{ A("254"), "GLN EXTENSION COMPONENT", VAR, { XV(20, NONE) },
	    .req = "414" },
	{ A("255"), "GCN", VAR, { N_(13, CSUM), OPT_N(12) }, .dl = "" },
	{ A("30"), "VAR. COUNT", VAR, { NV(8, NONE) } },
	MEASURE("310", "NET WEIGHT (kg)"),
	MEASURE("311", "LENGTH (m)"),
	MEASURE("312", "WIDTH (m)"),
	MEASURE("313", "HEIGHT (m)"),
	MEASURE("314", "AREA (m2)"),
	MEASURE("315", "NET VOLUME (l)"),
	MEASURE("316", "NET VOLUME (m3)"),
	MEASURE("320", "NET WEIGHT (lb)"),
	MEASURE("330", "GROSS WEIGHT (kg)"),
	{ A("37"), "COUNT", VAR, { NV(8, NONE) }, .req = "02 8026" },
	AMOUNT("390", "AMOUNT"),
	AMOUNT("392", "PRICE"),
	{ A("400"), "ORDER NUMBER", VAR, { XV(30, NONE) } },
	{ A("401"), "GINC", VAR, { XV(30, NONE) }, .dl = "" },
	{ A("402"), "GSIN", VAR, { N_(17, CSUM) }, .dl = "" },
	{ A("403"), "ROUTE", VAR, { XV(30, NONE) } },
	{ A("410"), "SHIP TO LOC", PRE, { N_(13, CSUM) } },
	{ A("411"), "BILL TO", PRE, { N_(13, CSUM) } },
	{ A("412"), "PURCHASE FROM", PRE, { N_(13, CSUM) } },
	{ A("413"), "SHIP FOR LOC", PRE, { N_(13, CSUM) } },
	{ A("414"), "LOC No.", PRE, { N_(13, CSUM) }, .dl = "254|7040" },
	{ A("415"), "PAY TO", PRE, { N_(13, CSUM) } },
	{ A("416"), "PROD/SERV LOC", PRE, { N_(13, CSUM) } },
	{ A("417"), "PARTY", PRE, { N_(13, CSUM) }, .dl = "7040" },
	{ A("420"), "SHIP TO POST", VAR, { XV(20, NONE) } },
	{ A("7003"), "EXPIRY TIME", VAR, { N_(6, YYMMDD), N_(4, HHMI) },
	    DATE("7003") },
	{ A("7040"), "UIC+EXT", VAR, { N_(1, NONE), X_(1, NONE),
	    X_(1, NONE), X_(1, IMPORTER) } },
	{ A("8003"), "GRAI", VAR, { N_(1, ZERO), N_(13, CSUM), OPT_X(16) },
	    .dl = "" },
	{ A("8004"), "GIAI", VAR, { XV(30, NONE) }, .dl = "7040" },
	{ A("8006"), "ITIP", VAR, { N_(14, CSUM), N_(4, PIECE) },
	    .dl = "22 10 21" },
	{ A("8010"), "CPID", VAR, { YV(30, NONE) }, .dl = "8011" },
	{ A("8011"), "CPID SERIAL", VAR, { NV(12, NOZEROPREFIX) },
	    .req = "8010" },
	{ A("8012"), "VERSION", VAR, { XV(20, NONE) } },
	{ A("8013"), "GMN", VAR, { XV(25, CSUMALPHA) }, .dl = "" },
	{ A("8017"), "GSRN - PROVIDER", VAR, { N_(18, CSUM) },
	    .ex = "8018", .dl = "8019" },
	{ A("8018"), "GSRN - RECIPIENT", VAR, { N_(18, CSUM) },
	    .ex = "8017", .dl = "8019" },
	{ A("8019"), "SRIN", VAR, { NV(10, NONE) }, .req = "8017 8018" },
	{ A("8020"), "REF No.", VAR, { XV(25, NONE) }, .req = "415" },
	{ A("8026"), "ITIP CONTENT", VAR, { N_(14, CSUM), N_(4, PIECE) } },
	{ A("8200"), "PRODUCT URL", VAR, { XV(70, NONE) }, .req = "01" },
	{ A("90"), "INTERNAL", VAR, { XV(30, NONE) } },
	INTERNAL("91"), INTERNAL("92"), INTERNAL("93"), INTERNAL("94"),
	INTERNAL("95"), INTERNAL("96"), INTERNAL("97"), INTERNAL("98"),
	INTERNAL("99"),
};

#define N_AIS (sizeof ai_table / sizeof ai_table[0])

const struct gs1_ai *
gs1_ai_table(size_t *n)
{
	*n = N_AIS;
	return ai_table;
}

const struct gs1_ai *
gs1_ai_lookup(const char *s, size_t n)
{
	for (size_t i = 0; i < N_AIS; i++)
		if (id_str_eq(s, n, ai_table[i].ai))
			return &ai_table[i];
	return NULL;
}

const struct gs1_ai *
gs1_ai_match(const char *s, size_t n)
{
	for (size_t i = 0; i < N_AIS; i++) {
		size_t l = strlen(ai_table[i].ai);

		if (l <= n && memcmp(ai_table[i].ai, s, l) == 0)
			return &ai_table[i];
	}
	return NULL;
}

size_t
gs1_ai_len_by_prefix(const char *s, size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 0; i < N_AIS; i++)
		if (memcmp(ai_table[i].ai, s, 2) == 0)
			return strlen(ai_table[i].ai);
	return 0;
}

bool
gs1_ai_predefined(const char *ai)
{
	/* General Specifications figure 5.10.1-2: the only AIs that need
	 * no FNC1 are those starting with these two digits. */
	static const char *const pre[] = { "00", "01", "02", "03", "04",
	    "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
	    "31", "32", "33", "34", "35", "36", "41" };

	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (ai[0] == pre[i][0] && ai[1] == pre[i][1])
			return true;
	return false;
}

size_t
gs1_ai_min_len(const struct gs1_ai *a)
{
	size_t n = 0;

	for (size_t i = 0; i < GS1_MAX_COMP && a->comp[i].max; i++)
		n += a->comp[i].min;
	return n;
}

size_t
gs1_ai_max_len(const struct gs1_ai *a)
{
	size_t n = 0;

	for (size_t i = 0; i < GS1_MAX_COMP && a->comp[i].max; i++)
		n += a->comp[i].max;
	return n;
}

/* ---- character sets and check characters ------------------------- */

static const char cset82[] = "!\"%&'()*+,-./0123456789:;<=>?"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
static const char cset39[] = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/* Check characters of a GMN: CSET 32 (digits 0/1 and I/O left out). */
static const char cset32[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

bool
gs1_cset82(int c)
{
	return c != 0 && strchr(cset82, c) != NULL;
}

bool
gs1_cset39(int c)
{
	return c != 0 && strchr(cset39, c) != NULL;
}

bool
gs1_csumalpha(const char *v, size_t n, char pair[2])
{
	/* General Specifications 7.9.5: the value of each character in
	 * CSET 82 times a prime weight, 2 for the rightmost, 3 for the
	 * next and so on; the sum mod 1021 is split into two CSET 32
	 * characters. */
	static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23,
	    29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83 };
	unsigned sum = 0;

	if (n == 0 || n > sizeof primes / sizeof primes[0])
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *p;

		if (!gs1_cset82((unsigned char)v[i]))
			return false;
		p = strchr(cset82, v[i]);
		sum += (unsigned)(p - cset82) * primes[n - 1 - i];
	}
	sum %= 1021;
	pair[0] = cset32[sum >> 5];
	pair[1] = cset32[sum & 31];
	return true;
}

/* ---- dates -------------------------------------------------------- */

int
gs1_century_year(int yy, int current_year)
{
	/* General Specifications 7.12: a two-digit year more than 50
	 * years ahead is in the past century; 50 or more years behind is
	 * in the next one. */
	int cy = current_year % 100, century = current_year - cy;
	int diff = yy - cy;

	if (diff >= 51)
		century -= 100;
	else if (diff <= -50)
		century += 100;
	return century + yy;
}

int
gs1_current_year(void)
{
	time_t now = (time_t)(vigil_time_now_ms() / 1000);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return 2000;
	return tm.tm_year + 1900;
}

static int
two(const char *v)
{
	return (v[0] - '0') * 10 + (v[1] - '0');
}

static const char *const month_names[] = { "January", "February",
    "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December" };

/* Validates the 6 digits YYMMDD at v; year, month and day receive the
 * expanded date (day 00 resolved to the last day of the month). */
static bool
check_date(const char *v, bool zero_day, int current_year, int *year,
    int *month, int *day, char *why, size_t whysize, size_t *off)
{
	int y = gs1_century_year(two(v), current_year);
	int m = two(v + 2), d = two(v + 4), last;

	if (m < 1 || m > 12) {
		snprintf(why, whysize, "month %02d is not 01-12", m);
		*off = 2;
		return false;
	}
	last = vigil_days_in_month(y, m);
	if ((d == 0 && !zero_day) || d > last) {
		snprintf(why, whysize, "day %02d is not valid in %s %d", d,
		    month_names[m - 1], y);
		*off = 4;
		return false;
	}
	*year = y;
	*month = m;
	*day = d == 0 ? last : d;
	return true;
}

bool
gs1_ai_date(const struct gs1_ai *a, const char *v, size_t n,
    int current_year, char out[11])
{
	int y, m, d;
	size_t off;
	char why[64];
	bool zero;

	if (a->date_field == NULL || n < 6)
		return false;
	zero = a->comp[0].lint == GS1_LINT_YYMMD0;
	if (!check_date(v, zero, current_year, &y, &m, &d, why, sizeof why,
	    &off))
		return false;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
	return true;
}

/* ---- value validation -------------------------------------------- */

static bool
in_cset(enum gs1_cset cs, int c)
{
	switch (cs) {
	case GS1_CSET_N:
		return c >= '0' && c <= '9';
	case GS1_CSET_82:
		return gs1_cset82(c);
	case GS1_CSET_39:
		return gs1_cset39(c);
	}
	return false;
}

static const char *
cset_name(enum gs1_cset cs)
{
	switch (cs) {
	case GS1_CSET_N:
		return "not a digit";
	case GS1_CSET_82:
		return "not in GS1 character set 82";
	case GS1_CSET_39:
		return "not in GS1 character set 39";
	}
	return "invalid";
}

/* Prints character c for a message: 'x' or \xNN. */
static void
char_repr(int c, char *dst, size_t size)
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(dst, size, "'%c'", c);
	else
		snprintf(dst, size, "\\x%02x", (unsigned)c & 0xff);
}

/* Applies the linter of one component v[0..n) starting at offset base
 * of the whole value. */
static bool
lint(const struct gs1_comp *c, const char *v, size_t n, size_t base,
    int current_year, char *why, size_t whysize, size_t *off)
{
	int y, m, d, cd;
	char pair[2];

	switch ((enum gs1_lint)c->lint) {
	case GS1_LINT_NONE:
		return true;
	case GS1_LINT_CSUM:
		cd = vigil_gs1_check_digit(v, n - 1);
		if (cd < 0) {
			snprintf(why, whysize, "check digit cannot be "
			    "computed");
			*off = SIZE_MAX;
			return false;
		}
		if (v[n - 1] - '0' != cd) {
			snprintf(why, whysize, "check digit is %c, expected %d",
			    v[n - 1], cd);
			*off = SIZE_MAX;
			return false;
		}
		return true;
	case GS1_LINT_CSUMALPHA:
		if (n < 3) {
			snprintf(why, whysize, "value has %zu characters, "
			    "too short for data and a check character pair", n);
			*off = SIZE_MAX;
			return false;
		}
		if (!gs1_csumalpha(v, n - 2, pair)) {
			snprintf(why, whysize, "value has %zu characters "
			    "before the check character pair, at most 23",
			    n - 2);
			*off = SIZE_MAX;
			return false;
		}
		if (v[n - 2] != pair[0] || v[n - 1] != pair[1]) {
			snprintf(why, whysize, "check character pair is "
			    "\"%c%c\", expected \"%c%c\"", v[n - 2], v[n - 1],
			    pair[0], pair[1]);
			*off = SIZE_MAX;
			return false;
		}
		return true;
	case GS1_LINT_YYMMD0:
	case GS1_LINT_YYMMDD:
		if (!check_date(v, c->lint == GS1_LINT_YYMMD0, current_year,
		    &y, &m, &d, why, whysize, off))
			break;
		return true;
	case GS1_LINT_HHMI:
		if (two(v) > 23) {
			snprintf(why, whysize, "hour %02d is not 00-23",
			    two(v));
			*off = 0;
			break;
		}
		if (two(v + 2) > 59) {
			snprintf(why, whysize, "minute %02d is not 00-59",
			    two(v + 2));
			*off = 2;
			break;
		}
		return true;
	case GS1_LINT_ZERO:
		if (v[0] == '0')
			return true;
		snprintf(why, whysize, "digit is %c, expected 0", v[0]);
		*off = 0;
		break;
	case GS1_LINT_PIECE:
		if (two(v) == 0 || two(v + 2) == 0 || two(v) > two(v + 2)) {
			snprintf(why, whysize, "piece %02d of total %02d is "
			    "invalid (need 01 <= piece <= total)", two(v),
			    two(v + 2));
			*off = SIZE_MAX;
			return false;
		}
		return true;
	case GS1_LINT_IMPORTER:
		if (id_is_alnum(v[0]) || v[0] == '-' || v[0] == '_')
			return true;
		snprintf(why, whysize, "importer index '%c' is not one of "
		    "0-9 A-Z a-z - _", v[0]);
		*off = 0;
		break;
	case GS1_LINT_NOZEROPREFIX:
		if (n > 1 && v[0] == '0') {
			snprintf(why, whysize, "value has a leading zero");
			*off = 0;
			break;
		}
		return true;
	}
	if (*off != SIZE_MAX)
		*off += base;
	return false;
}

bool
gs1_ai_shape(const struct gs1_ai *a, const char *v, size_t n)
{
	size_t o = 0;

	if (n == 0 || n < gs1_ai_min_len(a) || n > gs1_ai_max_len(a))
		return false;
	/* Components split as gs1_ai_validate() splits them. */
	for (size_t i = 0; i < GS1_MAX_COMP && a->comp[i].max && o < n;
	    i++) {
		const struct gs1_comp *c = &a->comp[i];
		size_t cl = n - o < c->max ? n - o : c->max;

		for (size_t j = 0; j < cl; j++)
			if (!in_cset(c->cset, (unsigned char)v[o + j]))
				return false;
		o += cl;
	}
	return true;
}

bool
gs1_ai_validate(const struct gs1_ai *a, const char *v, size_t n,
    int current_year, char *why, size_t whysize, size_t *off)
{
	size_t min = gs1_ai_min_len(a), max = gs1_ai_max_len(a);
	size_t o = 0;

	*off = SIZE_MAX;
	if (n == 0) {
		snprintf(why, whysize, "value is empty");
		return false;
	}
	if (n < min || n > max) {
		if (min == max)
			snprintf(why, whysize, "value has %zu characters, "
			    "expected %zu", n, max);
		else if (n > max)
			snprintf(why, whysize, "value has %zu characters, at "
			    "most %zu", n, max);
		else
			snprintf(why, whysize, "value has %zu characters, at "
			    "least %zu", n, min);
		return false;
	}
	/* Character sets first, over every component, so the message
	 * points at the first bad character. */
	for (size_t i = 0; i < GS1_MAX_COMP && a->comp[i].max && o < n;
	    i++) {
		const struct gs1_comp *c = &a->comp[i];
		size_t cl = n - o < c->max ? n - o : c->max;

		for (size_t j = 0; j < cl; j++) {
			char r[8];

			if (in_cset(c->cset, (unsigned char)v[o + j]))
				continue;
			char_repr((unsigned char)v[o + j], r, sizeof r);
			snprintf(why, whysize, "invalid character %s (%s)", r,
			    cset_name(c->cset));
			*off = o + j;
			return false;
		}
		o += cl;
	}
	o = 0;
	for (size_t i = 0; i < GS1_MAX_COMP && a->comp[i].max && o < n;
	    i++) {
		const struct gs1_comp *c = &a->comp[i];
		size_t cl = n - o < c->max ? n - o : c->max;

		if (!lint(c, v + o, cl, o, current_year, why, whysize, off))
			return false;
		o += cl;
	}
	return true;
}
