/*
 * CVSS vectors (src/lib/vuln/cvss.c, cvss4.c) against official scores
 * (FIRST specification examples and calculators, NVD-stated base
 * scores), malformed vectors; the priority formula and device risk
 * (priority.c); CRA Art. 14 deadlines incl. month-end clamping
 * (cra_clock.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vuln.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

struct vcase {
	const char *vec;
	double score;
	const char *severity;
};

static void
check_cases(const struct vcase *c, size_t n, int major, int minor)
{
	for (size_t i = 0; i < n; i++) {
		struct vigil_cvss v;
		char err[256] = "";

		if (vigil_cvss_parse(c[i].vec, &v, err, sizeof err) !=
		    VIGIL_OK)
			fail_msg("%s: %s", c[i].vec, err);
		if (fabs(v.base_score - c[i].score) > 1e-9)
			fail_msg("%s: score %.2f, expected %.1f", c[i].vec,
			    v.base_score, c[i].score);
		if (c[i].severity != NULL)
			assert_string_equal(v.severity, c[i].severity);
		assert_int_equal(v.major, major);
		assert_int_equal(v.minor, minor);
	}
}

static void
v3_official_scores(void **state)
{
	static const struct vcase v31[] = {
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8,
		  "critical" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0,
		  "critical" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0,
		  "critical" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.8, "high" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1,
		  "medium" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N", 5.0,
		  "medium" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "high" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", 3.7, "low" },
		{ "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, "low" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "none" },
		/* temporal/environmental metrics are valid, base unchanged */
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/"
		  "CR:H/MAV:L", 9.8, "critical" },
		/* metric order is free */
		{ "CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8, NULL },
	};
	static const struct vcase v30[] = {
		{ "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8,
		  "critical" },
		{ "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5, "high" },
		{ "CVSS:3.0/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:L/A:L", 3.9, "low" },
		{ "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0,
		  "critical" },
	};

	(void)state;
	say("CVSS 3.1 base scores incl. S:C and the Roundup");
	check_cases(v31, sizeof v31 / sizeof v31[0], 3, 1);
	say("CVSS 3.0 base scores");
	check_cases(v30, sizeof v30 / sizeof v30[0], 3, 0);
	say("flags: network, no privileges, no user interaction");
	{
		struct vigil_cvss v;

		assert_int_equal(vigil_cvss_parse(v31[0].vec, &v, NULL, 0),
		    VIGIL_OK);
		assert_true(v.network && v.no_privileges &&
		    v.no_user_interaction);
		assert_int_equal(vigil_cvss_parse(v31[3].vec, &v, NULL, 0),
		    VIGIL_OK);
		assert_false(v.network || v.no_privileges);
		assert_true(v.no_user_interaction);
	}
}

static void
v2_official_scores(void **state)
{
	static const struct vcase v2[] = {
		{ "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high" },
		{ "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "high" },
		{ "AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8, "medium" },
		{ "AV:L/AC:L/Au:N/C:N/I:N/A:P", 2.1, "low" },
		{ "AV:A/AC:L/Au:S/C:P/I:P/A:P", 5.2, "medium" },
		{ "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "medium" },
		{ "AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0, "low" },
		{ "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5, "high" },
		{ "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C", 7.5, NULL },
	};
	struct vigil_cvss v;

	(void)state;
	say("CVSS 2.0 base scores (bare and parenthesised vectors)");
	check_cases(v2, sizeof v2 / sizeof v2[0], 2, 0);
	assert_int_equal(vigil_cvss_parse(v2[0].vec, &v, NULL, 0), VIGIL_OK);
	assert_true(v.network && v.no_privileges);
}

static void
v4_official_scores(void **state)
{
	/* FIRST CVSS v4.0 examples and its reference calculator. */
	static const struct vcase v4[] = {
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/"
		  "SA:H", 10.0, "critical" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N", 9.3, "critical" },
		{ "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N", 7.3, "high" },
		{ "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N", 7.7, "high" },
		{ "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/"
		  "SA:N", 4.6, "medium" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/"
		  "SA:N", 6.9, "medium" },
		{ "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/"
		  "SA:N", 5.9, "medium" },
		{ "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N", 7.0, "high" },
		{ "CVSS:4.0/AV:A/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/"
		  "SA:N", 1.0, "low" },
		{ "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/"
		  "SA:N", 8.2, "high" },
		/* knife-edge: the calculator's rounding without epsilon */
		{ "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:H/VA:L/SC:N/SI:N/"
		  "SA:L", 5.6, "medium" },
		{ "CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/"
		  "SA:H", 4.9, "medium" },
		/* threat and environmental metrics take part */
		{ "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N/E:U", 5.2, "medium" },
		{ "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N/E:P", 8.2, "high" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N/E:P/CR:H/IR:H/AR:H", 8.9, "high" },
		{ "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/"
		  "SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L", 8.1,
		  "high" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/"
		  "SA:N", 0.0, "none" },
		/* supplemental metrics do not change the score */
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N/S:P/AU:Y/R:A/V:C/RE:H/U:Red", 9.3, "critical" },
	};

	(void)state;
	say("CVSS 4.0 scores from FIRST's examples and calculator");
	check_cases(v4, sizeof v4 / sizeof v4[0], 4, 0);
}

static void
malformed_vectors_name_the_metric(void **state)
{
	static const struct {
		const char *vec, *why;
	} bad[] = {
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
		  "metric A missing" },
		{ "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		  "metric AV: value 'X' not allowed at offset 12" },
		{ "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		  "metric AV repeated at offset 14" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
		  "unknown metric ZZ at offset 45" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
		  "trailing '/'" },
		{ "CVSS:3.1/AV:N/AC", "metric AC without ':'" },
		{ "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		  "metric AV: value 'n'" },
		{ "CVSS:3.2/AV:N", "unknown version prefix" },
		{ "AV:N/AC:L/Au:N/C:P/I:P", "CVSS 2.0 vector" },
		{ "AV:N/AC:L/Au:N/C:P/I:P/A:P/UI:N", "unknown metric UI" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/"
		  "SA:N", "metric UI: value 'R' not allowed" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
		  "metric SA missing" },
		{ "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:S/SI:N/"
		  "SA:N", "metric SC: value 'S'" },
		{ "7.5/CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H",
		  "without ':' at offset 0" },
		{ "", "empty vector" },
	};
	char err[256];

	(void)state;
	say("malformed vectors rejected, naming metric and offset");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vigil_cvss v;

		err[0] = '\0';
		if (vigil_cvss_parse(bad[i].vec, &v, err, sizeof err) !=
		    VIGIL_EINVAL)
			fail_msg("%s: expected invalid", bad[i].vec);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: error '%s' lacks '%s'", bad[i].vec, err,
			    bad[i].why);
	}
}

static double
prio(int kev, int rw, double epss, double cvss, int net, int exposed)
{
	struct vigil_prio_input in = { kev, rw, epss, cvss, net, exposed };

	return vigil_vuln_priority(&in);
}

static void
priority_formula(void **state)
{
	double p;

	(void)state;
	say("KEV dominates: any KEV finding >= 80, ransomware higher");
	assert_true(prio(1, 0, -1, -1, 0, -1) >= 80.0);
	assert_true(prio(1, 0, 0.0001, 1.0, 0, 0) >= 80.0);
	assert_true(prio(1, 1, -1, -1, 0, -1) > prio(1, 0, -1, -1, 0, -1));
	assert_true(prio(1, 1, 1.0, 10.0, 1, 1) <= 100.0);
	assert_true(fabs(prio(1, 1, 1.0, 10.0, 1, 1) - 100.0) < 1e-9);
	say("without KEV: below 80, EPSS/CVSS/network/exposure raise it");
	assert_true(prio(0, 0, 1.0, 10.0, 1, 1) < 80.0);
	assert_true(prio(0, 0, 0.5, 9.8, 1, 1) > prio(0, 0, 0.001, 9.8, 1,
	    1));
	assert_true(prio(0, 0, 0.01, 9.8, 1, 1) > prio(0, 0, 0.01, 5.0, 1,
	    1));
	assert_true(prio(0, 0, 0.01, 7.0, 1, 1) > prio(0, 0, 0.01, 7.0, 0,
	    1));
	assert_true(prio(0, 0, 0.01, 7.0, 1, 1) > prio(0, 0, 0.01, 7.0, 1,
	    -1));
	assert_true(prio(0, 0, 0.01, 7.0, 1, -1) > prio(0, 0, 0.01, 7.0, 1,
	    0));
	say("documented examples: 76.9, 55.8, 30.8");
	assert_true(fabs(prio(0, 0, 0.5, 9.8, 1, 1) - 76.86) < 0.01);
	assert_true(fabs(prio(0, 0, -1, 9.8, 1, -1) - 55.77) < 0.01);
	say("unknowns are neither zero nor maximum");
	p = prio(0, 0, -1, -1, 0, -1);
	assert_true(p > 20.0 && p < 60.0);
	assert_true(prio(0, 0, -1, -1, 0, -1) > prio(0, 0, 0.0, 0.0, 0, 0));
	assert_true(prio(0, 0, -1, -1, 0, -1) < prio(0, 0, 1.0, 10.0, 0, 1));
	say("out-of-range inputs are clamped");
	assert_true(prio(0, 0, 7.0, 99.0, 1, 1) <= 79.0 + 1e-9);
	assert_true(prio(0, 0, NAN, NAN, 0, -1) > 0.0);
	assert_true(vigil_vuln_priority(NULL) == 0.0);
	say("labels");
	assert_string_equal(vigil_priority_label(80.0), "critical");
	assert_string_equal(vigil_priority_label(79.99), "high");
	assert_string_equal(vigil_priority_label(60.0), "high");
	assert_string_equal(vigil_priority_label(30.0), "medium");
	assert_string_equal(vigil_priority_label(29.9), "low");
	assert_string_equal(vigil_priority_label(0.0), "low");
}

static void
device_risk(void **state)
{
	double one[] = { 55.0 };
	double ten[10], few[] = { 10.0, 90.0, 10.0 }, wild[] = { 150.0,
		-3.0, NAN };
	double rev[] = { 10.0, 10.0, 90.0 };
	double many[1000];

	(void)state;
	say("no findings: 0; one finding: its priority");
	assert_true(vigil_device_risk(NULL, 0) == 0.0);
	assert_true(fabs(vigil_device_risk(one, 1) - 55.0) < 1e-9);
	say("the mass of the others raises the maximum (10 x 80 = 90.6)");
	for (size_t i = 0; i < 10; i++)
		ten[i] = 80.0;
	assert_true(fabs(vigil_device_risk(ten, 10) - 90.557) < 0.01);
	assert_true(vigil_device_risk(few, 3) > 90.0);
	say("order-independent");
	assert_true(fabs(vigil_device_risk(few, 3) -
	    vigil_device_risk(rev, 3)) < 1e-9);
	say("capped at 100, inputs clamped");
	for (size_t i = 0; i < 1000; i++)
		many[i] = 99.0;
	assert_true(vigil_device_risk(many, 1000) <= 100.0);
	assert_true(fabs(vigil_device_risk(wild, 3) - 100.0) < 1e-9);
}

/* 2025-01-31T10:00:00Z etc. */
#define DAY ((int64_t)86400000)
#define HOUR ((int64_t)3600000)
static const int64_t jan31_2025 = 1738317600000LL; /* 10:00:00Z */

static void
cra_clocks(void **state)
{
	struct vigil_cra_due d;

	(void)state;
	say("Art. 14(2) vulnerability: 24 h, 72 h, fix + 14 days");
	vigil_cra_deadlines(VIGIL_CRA_VULN, jan31_2025, 0, 0, &d);
	assert_true(d.early_warning_ms == jan31_2025 + 24 * HOUR);
	assert_true(d.notification_ms == jan31_2025 + 72 * HOUR);
	assert_true(d.final_ms == 0);
	vigil_cra_deadlines(VIGIL_CRA_VULN, jan31_2025, jan31_2025 + 5 * DAY,
	    0, &d);
	assert_true(d.final_ms == jan31_2025 + 19 * DAY);

	say("Art. 14(4) incident: final = notification + 1 calendar month");
	/* notified 2025-01-31 10:00 -> 2025-02-28 10:00 (clamped) */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, jan31_2025 - DAY, 0,
	    jan31_2025, &d);
	assert_true(d.final_ms == 1740736800000LL);
	/* leap year: 2024-01-31 10:00 -> 2024-02-29 10:00 */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, 1706695200000LL - DAY, 0,
	    1706695200000LL, &d);
	assert_true(d.final_ms == 1709200800000LL);
	/* no notification yet: from its due time. aware 2025-03-28 10:00,
	 * due 2025-03-31 10:00 -> 2025-04-30 10:00 */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, 1743156000000LL, 0, 0, &d);
	assert_true(d.notification_ms == 1743415200000LL);
	assert_true(d.final_ms == 1746007200000LL);
	/* December rolls into the next year: 2024-12-15 -> 2025-01-15 */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, 0, 0, 1734264000000LL, &d);
	assert_true(d.final_ms == 1736942400000LL);
	/* same day next month when it exists: 2025-05-30 -> 2025-06-30 */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, 0, 0, 1748599200000LL, &d);
	assert_true(d.final_ms == 1751277600000LL);
	/* before 1970 works too: 1969-12-31 00:00 -> 1970-01-31 00:00 */
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, 0, 0, -DAY, &d);
	assert_true(d.final_ms == 30 * DAY);
	vigil_cra_deadlines(VIGIL_CRA_VULN, 0, 0, 0, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v3_official_scores),
		cmocka_unit_test(v2_official_scores),
		cmocka_unit_test(v4_official_scores),
		cmocka_unit_test(malformed_vectors_name_the_metric),
		cmocka_unit_test(priority_formula),
		cmocka_unit_test(device_risk),
		cmocka_unit_test(cra_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
