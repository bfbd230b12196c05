/*
 * Finding priority and device risk: the documented formulas below.
 *
 * Priority of one finding, 0..100
 * -------------------------------
 * Four signals, each scaled to 0..1, unknowns set to a middle value so
 * that a finding nobody has scored is neither ignored nor alarming:
 *
 *   c = CVSS base score / 10                      (unknown: 0.5)
 *   e = (log10(max(EPSS, 1e-5)) + 5) / 5          (unknown: 0.3)
 *       EPSS, the probability of exploitation in the next 30 days, is
 *       heavily skewed (most CVEs < 0.01), so it is weighed on a log
 *       scale: 1e-5 -> 0, 0.001 -> 0.4, 0.01 -> 0.6, 0.1 -> 0.8, 1 -> 1.
 *   n = 1 when the attack vector is Network, else 0
 *   x = 1 when the device is exposed, 0 when not (unknown: 0.5)
 *
 *   b = 45 c + 30 e + 10 n + 15 x                 (0..100)
 *
 * Known exploitation dominates: a finding in CISA KEV is critical
 * whatever its score, and KEV entries tied to ransomware campaigns
 * rank above the other KEV entries:
 *
 *   not in KEV:            priority = 0.79 b        (0..79)
 *   KEV:                   priority = 80 + 0.15 b   (80..95)
 *   KEV and ransomware:    priority = 85 + 0.15 b   (85..100)
 *
 * Labels: critical >= 80 (only KEV reaches it), high >= 60, medium >=
 * 30, low below. A critical CVSS 9.8 network flaw on an exposed device
 * with EPSS 0.5 scores 0.79 * (44.1 + 28.2 + 10 + 15) = 76.9, high; the
 * same flaw with nothing known about it but its CVSS is 0.79 * (44.1 +
 * 9 + 10 + 7.5) = 55.8, medium; a finding with no data at all scores
 * 0.79 * (22.5 + 9 + 7.5) = 30.8, medium.
 *
 * Device risk, 0..100
 * -------------------
 * The highest priority p_max, raised by each other open finding p_i
 * closing a tenth of its own share of the remaining gap:
 *
 *   risk = 100 - (100 - p_max) * prod_{i != max} (1 - 0.1 p_i / 100)
 *
 * Order-independent, never above 100, equal to p_max for a single
 * finding; many high findings push a device above one critical one
 * (ten findings at 80 give 90.6). Values outside 0..100 (and NaN) are
 * clamped before use.
 */
#include <math.h>
#include <stddef.h>

#include "vigil/vuln.h"

static double
clamp(double v, double lo, double hi)
{
	if (isnan(v))
		return lo;
	return v < lo ? lo : v > hi ? hi : v;
}

double
vigil_vuln_priority(const struct vigil_prio_input *in)
{
	double c, e, n, x, b;

	if (in == NULL)
		return 0.0;
	c = in->cvss < 0 || isnan(in->cvss) ? 0.5 :
	    clamp(in->cvss, 0, 10) / 10.0;
	if (in->epss < 0 || isnan(in->epss))
		e = 0.3;
	else
		e = (log10(clamp(in->epss, 1e-5, 1.0)) + 5.0) / 5.0;
	n = in->network ? 1.0 : 0.0;
	x = in->exposed < 0 ? 0.5 : in->exposed ? 1.0 : 0.0;
	b = 45.0 * c + 30.0 * e + 10.0 * n + 15.0 * x;
	b = clamp(b, 0, 100);
	if (in->kev && in->ransomware)
		return 85.0 + 0.15 * b;
	if (in->kev)
		return 80.0 + 0.15 * b;
	return 0.79 * b;
}

const char *
vigil_priority_label(double p)
{
	if (p >= 80.0)
		return "critical";
	if (p >= 60.0)
		return "high";
	if (p >= 30.0)
		return "medium";
	return "low";
}

double
vigil_device_risk(const double *priorities, size_t n)
{
	size_t imax = 0;
	double max, rest = 1.0;

	if (priorities == NULL || n == 0)
		return 0.0;
	for (size_t i = 1; i < n; i++)
		if (clamp(priorities[i], 0, 100) >
		    clamp(priorities[imax], 0, 100))
			imax = i;
	max = clamp(priorities[imax], 0, 100);
	for (size_t i = 0; i < n; i++)
		if (i != imax)
			rest *= 1.0 - 0.1 * clamp(priorities[i], 0, 100) /
			    100.0;
	return clamp(100.0 - (100.0 - max) * rest, 0, 100);
}
