/*
 * The risk score (posture.h, docs/posture.md "Risk score"): a pure sum
 * of fixed points per fact, capped at 100, so an operator can redo it
 * by hand from the parts it lists.
 *
 *   quarantined or retired device                      100 (nothing else)
 *   integrity "tampered"                               +60
 *   boot "failed" +50, "unverified" +20
 *   certificate revoked or expired +60, none +30,
 *     expiring (< 30 days left) +10
 *   certificate older than 397 days (good or expiring) +10
 *   firmware older than the expected version +25, unknown +5
 *   never checked in +20; last check-in older than stale_s +15,
 *     older than 4 * stale_s +30 instead
 *   each unexpected listening port +10; telnet (tcp/23, tcp/2323)
 *     +30 each instead
 *   known vulnerabilities: round(0.4 * vuln_risk)
 *   each open alert +15
 *
 * Parts are listed by points, highest first (ties in the order above).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vigil/posture.h"

#define CERT_AGE_MAX_DAYS 397 /* CA/Browser Forum's longest validity */

/* fmt is one of this file's literals, with one %s for arg. */
static void
add(struct vigil_posture *p, const char *factor, int points,
    const char *fmt, const char *arg)
{
	struct vigil_risk_part *r;
	char text[320];
	size_t n;

	if (points <= 0 || p->nparts >= VIGIL_RISK_PARTS_MAX)
		return;
	r = &p->parts[p->nparts++];
	r->factor = factor;
	r->points = points;
	/* Formatted in full, then cut to the part's size: a detail names a
	 * serial or version that may be long, and is only a hint. */
	snprintf(text, sizeof text, fmt, arg);
	n = strnlen(text, sizeof r->detail - 1);
	memcpy(r->detail, text, n);
	r->detail[n] = '\0';
}

static void
score_cert(struct vigil_posture *p)
{
	char d[48];

	switch (p->cert) {
	case VIGIL_CERTP_REVOKED:
		add(p, "certificate-revoked", 60, "certificate %s is revoked "
		    "or on hold", p->cert_serial);
		return;
	case VIGIL_CERTP_EXPIRED:
		add(p, "certificate-expired", 60, "certificate %s has "
		    "expired", p->cert_serial);
		return;
	case VIGIL_CERTP_NONE:
		add(p, "certificate-missing", 30, "%s",
		    "no certificate is known for the device");
		return;
	case VIGIL_CERTP_EXPIRING:
		snprintf(d, sizeof d, "%lld", (long long)p->cert_days_left);
		add(p, "certificate-expiring", 10, "certificate expires in "
		    "%s days", d);
		break;
	case VIGIL_CERTP_GOOD:
		break;
	}
	if (p->cert_age_days > CERT_AGE_MAX_DAYS) {
		snprintf(d, sizeof d, "%lld", (long long)p->cert_age_days);
		add(p, "certificate-old", 10, "certificate is %s days old", d);
	}
}

static void
score_checkin(struct vigil_posture *p, int64_t now_ms, int64_t stale_s)
{
	char d[48];
	int64_t age_s;

	if (p->checkin_ms <= 0) {
		add(p, "never-checked-in", 20, "%s",
		    "the device never checked in");
		return;
	}
	if (stale_s <= 0)
		return;
	age_s = (now_ms - p->checkin_ms) / 1000;
	snprintf(d, sizeof d, "%lld", (long long)age_s);
	if (age_s > 4 * stale_s)
		add(p, "very-stale-checkin", 30, "last check-in %s s ago", d);
	else if (age_s > stale_s)
		add(p, "stale-checkin", 15, "last check-in %s s ago", d);
}

static int
is_telnet(const char *port)
{
	return strcmp(port, "tcp/23") == 0 || strcmp(port, "tcp/2323") == 0;
}

/* One part per kind of port, naming the ports (cut to fit). */
static void
score_ports(struct vigil_posture *p)
{
	char list[2][96] = { "", "" };
	int n[2] = { 0, 0 };

	for (size_t i = 0; i < p->nunexpected; i++) {
		int t = is_telnet(p->unexpected[i]);
		size_t used = strlen(list[t]);

		n[t]++;
		if (used < sizeof list[t])
			snprintf(list[t] + used, sizeof list[t] - used, "%s%s",
			    used > 0 ? " " : "", p->unexpected[i]);
	}
	add(p, "telnet-listening", 30 * n[1], "telnet listening: %s",
	    list[1]);
	add(p, "unexpected-ports", 10 * n[0], "not in the baseline: %s",
	    list[0]);
}

/* Stable: equal points keep the order of the formula. */
static void
sort_parts(struct vigil_posture *p)
{
	for (size_t i = 1; i < p->nparts; i++) {
		struct vigil_risk_part r = p->parts[i];
		size_t j = i;

		while (j > 0 && p->parts[j - 1].points < r.points) {
			p->parts[j] = p->parts[j - 1];
			j--;
		}
		p->parts[j] = r;
	}
}

void
vigil_posture_score(struct vigil_posture *p, int64_t now_ms,
    int64_t stale_s)
{
	char d[48];
	int sum = 0;

	p->nparts = 0;
	p->risk = 0;
	if (p->quarantined || p->retired) {
		add(p, p->retired ? "retired" : "quarantined", 100, "%s",
		    p->retired ? "the device is retired" :
		    "the device is quarantined");
		p->risk = 100;
		return;
	}
	if (strcmp(p->integrity, "tampered") == 0)
		add(p, "integrity-tampered", 60, "%s",
		    "the device reports tampering");
	if (strcmp(p->boot_state, "failed") == 0)
		add(p, "boot-failed", 50, "%s", "verified boot failed");
	else if (strcmp(p->boot_state, "unverified") == 0)
		add(p, "boot-unverified", 20, "%s", "boot was not verified");
	score_cert(p);
	if (p->firmware_current == 0)
		add(p, "firmware-outdated", 25, "firmware %s is older than the "
		    "expected version", p->firmware);
	else if (p->firmware_current < 0)
		add(p, "firmware-unknown", 5, "%s",
		    "firmware currency is unknown");
	score_checkin(p, now_ms, stale_s);
	score_ports(p);
	/* Bounded inputs: the sum cannot overflow. */
	if (p->vuln_risk > 0) {
		double v = p->vuln_risk > 100 ? 100 : p->vuln_risk;

		snprintf(d, sizeof d, "%.1f", v);
		add(p, "vulnerabilities", (int)lround(v * 0.4),
		    "vulnerability risk %s of 100", d);
	}
	if (p->open_alerts > 0) {
		snprintf(d, sizeof d, "%d", p->open_alerts);
		add(p, "open-alerts", 15 * (p->open_alerts > 100 ? 100 :
		    p->open_alerts), "%s open alerts",
		    d);
	}
	sort_parts(p);
	for (size_t i = 0; i < p->nparts; i++)
		sum += p->parts[i].points;
	p->risk = sum > 100 ? 100 : sum;
}
