/*
 * Version schemes' common entry points (src/lib/vuln/version.c):
 * scheme names and aliases, the input bounds and errors, dispatch to
 * the right scheme; and the generic scheme (version_generic.c), whose
 * order is vigil's own and so is tested by its rules and by the
 * properties of an order (antisymmetry, transitivity) on generated
 * versions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

static int
vcmp(enum vigil_vscheme s, const char *a, const char *b)
{
	char err[512];
	int c = 99;

	if (vigil_version_cmp(s, a, b, &c, err, sizeof err) != VIGIL_OK)
		fail_msg("%s: %s vs %s: %s", vigil_vscheme_name(s), a, b,
		    err);
	return c;
}

static void
names_and_aliases_round_trip(void **state)
{
	(void)state;
	printf("# scheme names, aliases, case, unknown names\n");
	for (int s = VIGIL_VS_SEMVER; s <= VIGIL_VS_GENERIC; s++)
		assert_int_equal(vigil_vscheme_from_name(
		    vigil_vscheme_name((enum vigil_vscheme)s)), s);
	assert_string_equal(vigil_vscheme_name(VIGIL_VS_SEMVER), "semver");
	assert_string_equal(vigil_vscheme_name(VIGIL_VS_PEP440), "pep440");
	assert_string_equal(vigil_vscheme_name(VIGIL_VS_NONE), "none");
	assert_string_equal(vigil_vscheme_name((enum vigil_vscheme)77),
	    "none");
	assert_int_equal(vigil_vscheme_from_name("SemVer"), VIGIL_VS_SEMVER);
	assert_int_equal(vigil_vscheme_from_name("npm"), VIGIL_VS_SEMVER);
	assert_int_equal(vigil_vscheme_from_name("deb"), VIGIL_VS_DPKG);
	assert_int_equal(vigil_vscheme_from_name("Debian"), VIGIL_VS_DPKG);
	assert_int_equal(vigil_vscheme_from_name("RPM"), VIGIL_VS_RPM);
	assert_int_equal(vigil_vscheme_from_name("alpine"), VIGIL_VS_APK);
	assert_int_equal(vigil_vscheme_from_name("python"), VIGIL_VS_PEP440);
	assert_int_equal(vigil_vscheme_from_name("PyPI"), VIGIL_VS_PEP440);
	assert_int_equal(vigil_vscheme_from_name("generic"),
	    VIGIL_VS_GENERIC);
	assert_int_equal(vigil_vscheme_from_name("none"), VIGIL_VS_NONE);
	assert_int_equal(vigil_vscheme_from_name("maven"), VIGIL_VS_NONE);
	assert_int_equal(vigil_vscheme_from_name(""), VIGIL_VS_NONE);
	assert_int_equal(vigil_vscheme_from_name(NULL), VIGIL_VS_NONE);
}

static void
bounds_and_errors_are_reported(void **state)
{
	char err[512], big[VIGIL_VERSION_MAX + 2];
	int c = 5;

	(void)state;
	printf("# NULL, empty, too long, unknown scheme, invalid a or b\n");
	for (int s = VIGIL_VS_SEMVER; s <= VIGIL_VS_GENERIC; s++) {
		enum vigil_vscheme sc = (enum vigil_vscheme)s;

		assert_int_equal(vigil_version_check(sc, NULL, err,
		    sizeof err), VIGIL_EINVAL);
		assert_int_equal(vigil_version_check(sc, "", err,
		    sizeof err), VIGIL_EINVAL);
		assert_non_null(strstr(err, "empty version"));
	}
	memset(big, '1', sizeof big - 1);
	big[VIGIL_VERSION_MAX] = '\0'; /* exactly the limit: fine */
	assert_int_equal(vigil_version_check(VIGIL_VS_GENERIC, big, err,
	    sizeof err), VIGIL_OK);
	big[VIGIL_VERSION_MAX] = '1';
	big[VIGIL_VERSION_MAX + 1] = '\0';
	assert_int_equal(vigil_version_check(VIGIL_VS_GENERIC, big, err,
	    sizeof err), VIGIL_ERANGE);
	assert_non_null(strstr(err, "longer than 256"));
	assert_int_equal(vigil_version_cmp(VIGIL_VS_GENERIC, "1", big, &c,
	    err, sizeof err), VIGIL_ERANGE);
	assert_int_equal(vigil_version_check(VIGIL_VS_NONE, "1", err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "unknown version scheme"));
	assert_int_equal(vigil_version_check((enum vigil_vscheme)42, "1",
	    err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_version_cmp(VIGIL_VS_SEMVER, "1.2", "1.2.0",
	    &c, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(c, 0);
	assert_string_equal(err, "a: SemVer 1.2: expected MAJOR.MINOR.PATCH "
	    "('.' at offset 3)");
	assert_int_equal(vigil_version_cmp(VIGIL_VS_SEMVER, "1.2.0", "x",
	    &c, err, sizeof err), VIGIL_EINVAL);
	assert_memory_equal(err, "b: ", 3);
	assert_int_equal(vigil_version_cmp(VIGIL_VS_SEMVER, "1.2.0", "1.2.0",
	    NULL, err, sizeof err), VIGIL_EINVAL);
	/* No room for a reason is not a crash. */
	assert_int_equal(vigil_version_check(VIGIL_VS_SEMVER, "x", NULL, 0),
	    VIGIL_EINVAL);
	/* Bytes from outside never reach the message raw. */
	assert_int_equal(vigil_version_check(VIGIL_VS_GENERIC, "1\x1b[2J",
	    err, sizeof err), VIGIL_EINVAL);
	assert_null(strchr(err, '\x1b'));
	printf("# sanitised: %s\n", err);
}

static void
dispatch_reaches_each_scheme(void **state)
{
	(void)state;
	printf("# one pair per scheme whose order only that scheme gives\n");
	assert_int_equal(vcmp(VIGIL_VS_SEMVER, "1.0.0-rc.1", "1.0.0"), -1);
	assert_int_equal(vcmp(VIGIL_VS_DPKG, "1.0~rc1", "1.0"), -1);
	assert_int_equal(vcmp(VIGIL_VS_DPKG, "0:1.0", "1.0"), 0);
	assert_int_equal(vcmp(VIGIL_VS_RPM, "1.0~rc1", "1.0"), -1);
	assert_int_equal(vcmp(VIGIL_VS_RPM, "1.0^git1", "1.0"), 1);
	assert_int_equal(vcmp(VIGIL_VS_APK, "1.0_rc1", "1.0"), -1);
	assert_int_equal(vcmp(VIGIL_VS_APK, "1.0_p1", "1.0"), 1);
	assert_int_equal(vcmp(VIGIL_VS_PEP440, "1.0rc1", "1.0"), -1);
	assert_int_equal(vcmp(VIGIL_VS_PEP440, "1.0", "1.0.0"), 0);
	/* The same text under generic: no pre-release is assumed. */
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.0rc1", "1.0"), 1);
	/* Normalised to -1, 0, 1. */
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.0", "9.0"), -1);
}

static void
generic_orders_segments_by_its_documented_rules(void **state)
{
	static const char *chain[] = {
		"0", "0.9", "0.10", "1", "1.0.1", "1.0a", "1.0b", "1.1",
		"1.1.0.1", "1.2rc1", "1.2rc2", "1.2rc10", "1.2rca", "2",
		"10", "99999999999999999999999", "a", "b",
	};
	size_t n = sizeof chain / sizeof chain[0];

	(void)state;
	printf("# generic: numbers by value < words; zero padding; "
	    "case-insensitive words\n");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;

			if (vcmp(VIGIL_VS_GENERIC, chain[i], chain[j]) !=
			    want)
				fail_msg("%s vs %s: want %d", chain[i],
				    chain[j], want);
		}
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.0", "1.0.0"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1", "1.0.0.0"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.2a", "1-2_a"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.2+a", "1.2.a"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.01", "1.1"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "1.0RC1", "1.0rc1"), 0);
	assert_int_equal(vcmp(VIGIL_VS_GENERIC, "2.4.10", "2.4.9"), 1);
}

static void
generic_rejects_with_a_reason(void **state)
{
	static const struct {
		const char *v, *why;
	} bad[] = {
		{ "1..2", "generic 1..2: empty segment at offset 2" },
		{ ".1", "empty segment at offset 0" },
		{ "1.", "empty segment at offset 2" },
		{ "1.-2", "empty segment at offset 2" },
		{ "1 2", "unexpected byte 0x20 at offset 1" },
		{ "1/2", "unexpected character '/' at offset 1" },
		{ "1~rc", "unexpected character '~' at offset 1" },
		{ "1:2", "unexpected character ':'" },
	};
	char err[512];

	(void)state;
	printf("# generic: invalid forms and their reasons\n");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (vigil_version_check(VIGIL_VS_GENERIC, bad[i].v, err,
		    sizeof err) != VIGIL_EINVAL)
			fail_msg("%s: expected invalid", bad[i].v);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: '%s' lacks '%s'", bad[i].v, err,
			    bad[i].why);
	}
}

static uint64_t prng = 0x6e6e657269630001ULL;

static uint32_t
rnd(uint32_t n)
{
	prng ^= prng >> 12;
	prng ^= prng << 25;
	prng ^= prng >> 27;
	return (uint32_t)((prng * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

#define NGEN 300

static char gen[NGEN][40];

static void
generic_is_a_total_order_on_generated_versions(void **state)
{
	static const char *segs[] = { "0", "00", "1", "01", "2", "9", "10",
		"a", "A", "b", "rc", "RC", "beta", "p", "1a", "a1" };
	static const char seps[] = ".-_+";
	size_t checks = 0;

	(void)state;
	for (size_t i = 0; i < NGEN; i++) {
		size_t k = 1 + rnd(4), n = 0;

		for (size_t j = 0; j < k; j++) {
			int w = snprintf(gen[i] + n, sizeof gen[i] - n,
			    "%s%s", j ? (char[2]){ seps[rnd(4)], 0 } : "",
			    segs[rnd(sizeof segs / sizeof segs[0])]);

			n += (size_t)w;
		}
	}
	printf("# generic: antisymmetry and transitivity over %d generated "
	    "versions\n", NGEN);
	for (size_t i = 0; i < NGEN; i++)
		for (size_t j = 0; j < NGEN; j++) {
			int ij = vcmp(VIGIL_VS_GENERIC, gen[i], gen[j]);

			if (ij != -vcmp(VIGIL_VS_GENERIC, gen[j], gen[i]))
				fail_msg("not antisymmetric: %s %s", gen[i],
				    gen[j]);
			checks++;
		}
	/* Transitivity on sampled triples: a <= b and b <= c => a <= c. */
	for (size_t t = 0; t < 20000; t++) {
		const char *a = gen[rnd(NGEN)], *b = gen[rnd(NGEN)],
		    *c = gen[rnd(NGEN)];
		int ab = vcmp(VIGIL_VS_GENERIC, a, b),
		    bc = vcmp(VIGIL_VS_GENERIC, b, c),
		    ac = vcmp(VIGIL_VS_GENERIC, a, c);

		if (ab <= 0 && bc <= 0 && ac > 0)
			fail_msg("not transitive: %s %s %s", a, b, c);
		if (ab == 0 && bc == 0 && ac != 0)
			fail_msg("equality not transitive: %s %s %s", a, b,
			    c);
		checks++;
	}
	printf("# %zu checks\n", checks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_round_trip),
		cmocka_unit_test(bounds_and_errors_are_reported),
		cmocka_unit_test(dispatch_reaches_each_scheme),
		cmocka_unit_test(
		    generic_orders_segments_by_its_documented_rules),
		cmocka_unit_test(generic_rejects_with_a_reason),
		cmocka_unit_test(
		    generic_is_a_total_order_on_generated_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
