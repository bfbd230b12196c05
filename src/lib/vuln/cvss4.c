/*
 * CVSS v4.0 (FIRST CVSS v4.0 specification, §8 "Scoring"): parse a
 * vector and score it the way the specification's reference
 * calculator does: the vector's MacroVector (EQ1..EQ6) selects a score
 * from the lookup table the specification publishes; the score is then
 * lowered by the mean, over the EQs, of the available distance to the
 * next lower MacroVector times the vector's proportional severity
 * distance from the MacroVector's highest-severity vectors.
 *
 * The score is of the whole vector: threat and environmental metrics,
 * when present, take part as the specification defines (E:X is E:A,
 * CR/IR/AR:X are H, modified metrics replace base ones), so a vector
 * with only base metrics gets its CVSS-B score. The arithmetic follows
 * the reference calculator's order of double operations so that
 * results round the same way.
 */
#include <math.h>
#include <string.h>

#include "vigil/vuln.h"
#include "cvss_internal.h"

enum {
	AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR, MAV, MAC,
	MAT, MPR, MUI, MVC, MVI, MVA, MSC, MSI, MSA, S, AU, R, V, RE, U, NM
};
static const struct cvss_metric v4_metrics[NM] = {
	{ "AV", "N,A,L,P", true }, { "AC", "L,H", true },
	{ "AT", "N,P", true }, { "PR", "N,L,H", true },
	{ "UI", "N,P,A", true }, { "VC", "H,L,N", true },
	{ "VI", "H,L,N", true }, { "VA", "H,L,N", true },
	{ "SC", "H,L,N", true }, { "SI", "H,L,N", true },
	{ "SA", "H,L,N", true }, { "E", "X,A,P,U", false },
	{ "CR", "X,H,M,L", false }, { "IR", "X,H,M,L", false },
	{ "AR", "X,H,M,L", false }, { "MAV", "X,N,A,L,P", false },
	{ "MAC", "X,L,H", false }, { "MAT", "X,N,P", false },
	{ "MPR", "X,N,L,H", false }, { "MUI", "X,N,P,A", false },
	{ "MVC", "X,H,L,N", false }, { "MVI", "X,H,L,N", false },
	{ "MVA", "X,H,L,N", false }, { "MSC", "X,H,L,N", false },
	{ "MSI", "X,S,H,L,N", false }, { "MSA", "X,S,H,L,N", false },
	{ "S", "X,N,P", false }, { "AU", "X,N,Y", false },
	{ "R", "X,A,U,I", false }, { "V", "X,D,C", false },
	{ "RE", "X,L,M,H", false }, { "U", "X,Clear,Green,Amber,Red", false },
};

/*
 * The specification's MacroVector scores, indexed by
 * ((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6;
 * -1 where no MacroVector exists (EQ3 = 2 only with EQ6 = 1).
 */
static const double lookup[324] = {
	10, 9.9, 9.8, 9.5, 9.5, 9.2, 10, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9,
	8.9, 8, 8.1, 6.8, 9.8, 9.5, 9.5, 9.2, 9, 8.4, 9.3, 9.2, 8.9, 8.1,
	8.1, 6.5, 8.8, 8, 7.8, 7, 6.9, 4.8, -1, 9.2, -1, 8.2, -1, 7.2, -1,
	7.9, -1, 6.9, -1, 5, -1, 6.9, -1, 5.5, -1, 2.7, 9.9, 9.7, 9.5, 9.2,
	9.2, 8.5, 9.5, 9.1, 9, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3,
	9.5, 9.3, 9.2, 8.5, 8.5, 7.3, 9.2, 8.2, 8, 7.2, 7, 5.9, 8.4, 7, 7.1,
	5.2, 5, 3, -1, 8.6, -1, 7.5, -1, 5.2, -1, 7.1, -1, 5.2, -1, 2.9, -1,
	6.3, -1, 2.9, -1, 1.7, 9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6,
	7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9, 9.4, 8.9, 8.8, 7.7, 7.6,
	6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5, -1,
	8.3, -1, 7, -1, 5.4, -1, 6.5, -1, 5.8, -1, 2.6, -1, 5.3, -1, 2.1, -1,
	1.3, 9.5, 9, 8.8, 7.6, 7.6, 7, 9, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6,
	6.8, 5.9, 5.2, 3, 8.9, 7.8, 7.6, 6.7, 6.2, 5.8, 7.4, 5.9, 5.7, 5.7,
	4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6, -1, 7.1, -1, 5.9, -1, 3, -1,
	5.8, -1, 2.6, -1, 1.5, -1, 2.3, -1, 1.3, -1, 0.6, 9.3, 8.7, 8.6, 7.2,
	7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7, 5.4, 5.2, 4, 4, 2.2, 8.5,
	7.5, 7.4, 5.5, 6.2, 5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4,
	1.9, 1.9, 0.8, -1, 6.4, -1, 5.1, -1, 2, -1, 4.7, -1, 2.1, -1, 1.1,
	-1, 2.4, -1, 0.9, -1, 0.4, 8.8, 7.5, 7.3, 5.3, 6, 5, 7.3, 5.5, 5.9,
	4, 4.1, 2, 5.4, 4.3, 4.5, 2.2, 2, 1.1, 7.5, 5.5, 5.8, 4.5, 4, 2.1,
	6.1, 5.1, 4.8, 1.8, 2, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2, -1, 5.3,
	-1, 2.4, -1, 1.4, -1, 2.4, -1, 1.2, -1, 0.5, -1, 1, -1, 0.3, -1, 0.1,
};

static double
mv_score(int e1, int e2, int e3, int e4, int e5, int e6)
{
	if (e1 < 0 || e1 > 2 || e2 < 0 || e2 > 1 || e3 < 0 || e3 > 2 ||
	    e4 < 0 || e4 > 2 || e5 < 0 || e5 > 2 || e6 < 0 || e6 > 1)
		return -1;
	return lookup[((((e1 * 2 + e2) * 3 + e3) * 3 + e4) * 3 + e5) * 2 +
	    e6];
}

/* Letter of metric k's value ('X' when absent). */
static char
letter(const int *val, int k)
{
	const char *l = v4_metrics[k].values;

	if (val[k] < 0)
		return 'X';
	for (int i = 0; i < val[k]; i++)
		l = strchr(l, ',') + 1;
	return *l;
}

/* The effective value of base metric k (spec §7.2 and the defaults of
 * §4.1, §5.1): modified metric when set, worst case for X. */
static char
m(const int *val, int k)
{
	char c;

	if (k == E) {
		c = letter(val, E);
		return c == 'X' ? 'A' : c;
	}
	if (k == CR || k == IR || k == AR) {
		c = letter(val, k);
		return c == 'X' ? 'H' : c;
	}
	if (k <= SA) {
		c = letter(val, MAV + (k - AV));
		if (c != 'X')
			return c;
	}
	return letter(val, k);
}

/* Severity levels of each metric's values (the calculator's *_levels),
 * as doubles in steps of 0.1. */
static double
level(int k, char c)
{
	switch (k) {
	case AV:
		return c == 'N' ? 0.0 : c == 'A' ? 0.1 : c == 'L' ? 0.2 : 0.3;
	case PR:
		return c == 'N' ? 0.0 : c == 'L' ? 0.1 : 0.2;
	case UI:
		return c == 'N' ? 0.0 : c == 'P' ? 0.1 : 0.2;
	case AC:
		return c == 'L' ? 0.0 : 0.1;
	case AT:
		return c == 'N' ? 0.0 : 0.1;
	case VC:
	case VI:
	case VA:
		return c == 'H' ? 0.0 : c == 'L' ? 0.1 : 0.2;
	case SC:
		return c == 'H' ? 0.1 : c == 'L' ? 0.2 : 0.3;
	case SI:
	case SA:
		return c == 'S' ? 0.0 : c == 'H' ? 0.1 : c == 'L' ? 0.2 :
		    0.3;
	case CR:
	case IR:
	case AR:
		return c == 'H' ? 0.0 : c == 'M' ? 0.1 : 0.2;
	default:
		return 0.0;
	}
}

/* Highest-severity vectors of each EQ level (the calculator's
 * max_composed), as metric letters. */
static const char *const eq1_max[3][3] = {
	{ "AV:N/PR:N/UI:N/", NULL, NULL },
	{ "AV:A/PR:N/UI:N/", "AV:N/PR:L/UI:N/", "AV:N/PR:N/UI:P/" },
	{ "AV:P/PR:N/UI:N/", "AV:A/PR:L/UI:P/", NULL },
};
static const char *const eq2_max[2][2] = {
	{ "AC:L/AT:N/", NULL },
	{ "AC:H/AT:N/", "AC:L/AT:P/" },
};
static const char *const eq36_max[3][2][5] = {
	{ { "VC:H/VI:H/VA:H/CR:H/IR:H/AR:H/" },
	  { "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H/",
	    "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M/" } },
	{ { "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H/",
	    "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H/" },
	  { "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H/",
	    "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M/",
	    "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M/",
	    "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H/",
	    "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M/" } },
	{ { NULL }, { "VC:L/VI:L/VA:L/CR:H/IR:H/AR:H/" } },
};
static const char *const eq4_max[3] = {
	"SC:H/SI:S/SA:S/", "SC:H/SI:H/SA:H/", "SC:L/SI:L/SA:L/",
};
/* Max severity distances (+1) per EQ level, in steps. */
static const double eq1_depth[3] = { 1, 4, 5 };
static const double eq2_depth[2] = { 1, 2 };
static const double eq36_depth[3][2] = { { 7, 6 }, { 8, 8 }, { 0, 10 } };
static const double eq4_depth[3] = { 6, 5, 4 };

/* The letter of metric name in a max-vector fragment "AV:N/PR:N/". */
static char
hv_get(const char *frag, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = frag; *p != '\0';) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':')
			return p[nl + 1];
		p = strchr(p, '/');
		if (p == NULL)
			break;
		p++;
	}
	return '?';
}

static int
count(const char *const *l, int max)
{
	int n = 0;

	while (n < max && l[n] != NULL)
		n++;
	return n;
}

static double
score(const int *val)
{
	static const int dist_metrics[] = {
		AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, CR, IR, AR,
	};
	static const char *const names[] = {
		"AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI",
		"SA", "CR", "IR", "AR",
	};
	int e1, e2, e3, e4, e5, e6, n1, n2, n36;
	double value, d[14] = { 0 }, nl[5], sum = 0;
	int nexist = 0;
	char av = m(val, AV), pr = m(val, PR), ui = m(val, UI);

	if (m(val, VC) == 'N' && m(val, VI) == 'N' && m(val, VA) == 'N' &&
	    m(val, SC) == 'N' && m(val, SI) == 'N' && m(val, SA) == 'N')
		return 0.0;
	/* EQ1..EQ6 (spec Table 24) */
	if (av == 'N' && pr == 'N' && ui == 'N')
		e1 = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		e1 = 1;
	else
		e1 = 2;
	e2 = m(val, AC) == 'L' && m(val, AT) == 'N' ? 0 : 1;
	if (m(val, VC) == 'H' && m(val, VI) == 'H')
		e3 = 0;
	else if (m(val, VC) == 'H' || m(val, VI) == 'H' || m(val, VA) == 'H')
		e3 = 1;
	else
		e3 = 2;
	if (m(val, SI) == 'S' || m(val, SA) == 'S')
		e4 = 0;
	else if (m(val, SC) == 'H' || m(val, SI) == 'H' || m(val, SA) == 'H')
		e4 = 1;
	else
		e4 = 2;
	e5 = m(val, E) == 'A' ? 0 : m(val, E) == 'P' ? 1 : 2;
	e6 = (m(val, CR) == 'H' && m(val, VC) == 'H') ||
	    (m(val, IR) == 'H' && m(val, VI) == 'H') ||
	    (m(val, AR) == 'H' && m(val, VA) == 'H') ? 0 : 1;
	value = mv_score(e1, e2, e3, e4, e5, e6);
	if (value < 0)
		return 0.0; /* cannot happen for a valid vector */

	/* Next lower MacroVector of each EQ (-1: none). */
	nl[0] = mv_score(e1 + 1, e2, e3, e4, e5, e6);
	nl[1] = mv_score(e1, e2 + 1, e3, e4, e5, e6);
	if (e3 == 0 && e6 == 0) {
		double l = mv_score(e1, e2, e3, e4, e5, e6 + 1);
		double r = mv_score(e1, e2, e3 + 1, e4, e5, e6);

		nl[2] = l > r ? l : r;
	} else if (e3 == 1 && e6 == 0) {
		nl[2] = mv_score(e1, e2, e3, e4, e5, e6 + 1);
	} else if (e6 == 1 && e3 < 2) {
		nl[2] = mv_score(e1, e2, e3 + 1, e4, e5, e6);
	} else {
		nl[2] = mv_score(e1, e2, e3 + 1, e4, e5, e6 + 1);
	}
	nl[3] = mv_score(e1, e2, e3, e4 + 1, e5, e6);
	nl[4] = mv_score(e1, e2, e3, e4, e5 + 1, e6);

	/* Severity distance from the first highest-severity vector of
	 * the MacroVector that is not below the vector in any metric. */
	n1 = count(eq1_max[e1], 3);
	n2 = count(eq2_max[e2], 2);
	n36 = count(eq36_max[e3][e6], 5);
	for (int a = 0, found = 0; a < n1 && !found; a++)
	for (int b = 0; b < n2 && !found; b++)
	for (int c = 0; c < n36 && !found; c++) {
		const char *frag[3] = { eq1_max[e1][a], eq2_max[e2][b],
		    eq36_max[e3][e6][c] };
		int neg = 0;

		for (int k = 0; k < 14; k++) {
			int mk = dist_metrics[k];
			const char *f = k < 3 ? frag[0] : k < 5 ? frag[1] :
			    k < 8 || k > 10 ? frag[2] : eq4_max[e4];

			d[k] = level(mk, m(val, mk)) -
			    level(mk, hv_get(f, names[k]));
			if (d[k] < 0)
				neg = 1;
		}
		found = !neg;
	}
	{
		double cur[4], depth[4], step = 0.1;

		cur[0] = d[0] + d[1] + d[2];
		cur[1] = d[3] + d[4];
		cur[2] = d[5] + d[6] + d[7] + d[11] + d[12] + d[13];
		cur[3] = d[8] + d[9] + d[10];
		depth[0] = eq1_depth[e1] * step;
		depth[1] = eq2_depth[e2] * step;
		depth[2] = eq36_depth[e3][e6] * step;
		depth[3] = eq4_depth[e4] * step;
		for (int k = 0; k < 4; k++)
			if (nl[k] >= 0) {
				nexist++;
				sum += (value - nl[k]) * (cur[k] / depth[k]);
			}
		if (nl[4] >= 0)
			nexist++; /* EQ5's proportion is always 0 */
	}
	if (nexist > 0)
		value -= sum / nexist;
	if (value < 0)
		value = 0;
	if (value > 10)
		value = 10;
	/* One decimal, half up, exactly as the reference calculator's
	 * Math.round(value * 10) / 10: no epsilon, or the knife-edge
	 * vectors (AT:P/PR:H/UI:A/VC:N/VI:H/VA:L/.../SA:L = 5.6) move. */
	return floor(value * 10 + 0.5) / 10;
}

enum vigil_err
cvss4_parse(const char *vec, struct vigil_cvss *out, char *err,
    size_t errsize)
{
	int val[NM];

	if (cvss_read_metrics(vec, 9, v4_metrics, NM, val, "CVSS 4.0", err,
	    errsize) != 0)
		return VIGIL_EINVAL;
	out->major = 4;
	out->minor = 0;
	out->base_score = score(val);
	out->severity = cvss_severity3(out->base_score);
	out->network = m(val, AV) == 'N';
	out->no_privileges = m(val, PR) == 'N';
	out->no_user_interaction = m(val, UI) == 'N';
	return VIGIL_OK;
}
