/*
 * CPE names (src/lib/vuln/cpe.c, cpe_match.c): the 2.3 formatted
 * string and 2.2 URI bindings (NISTIR 7695), their canonical spelling
 * and errors; the NISTIR 7696 attribute relation table with
 * wildcards; whole-name matching with the hardening rules (concrete
 * target part/vendor/product, NA vs value, update takes part).
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

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static void
parse_ok(const char *s, struct vigil_cpe *c)
{
	char err[256] = "";

	if (vigil_cpe_parse(s, c, err, sizeof err) != VIGIL_OK)
		fail_msg("%s: expected valid: %s", s, err);
}

/* s parses and prints as want (the 2.3 formatted string). */
static void
binds_to(const char *s, const char *want)
{
	struct vigil_cpe c, d;
	char *out = NULL, *out2 = NULL;

	parse_ok(s, &c);
	assert_int_equal(vigil_cpe_to_string(&c, &out), VIGIL_OK);
	if (strcmp(out, want) != 0)
		fail_msg("%s: bound to %s, expected %s", s, out, want);
	/* copy is deep and equal */
	assert_int_equal(vigil_cpe_copy(&d, &c), VIGIL_OK);
	vigil_cpe_clear(&c);
	assert_null(c.buf);
	assert_int_equal(vigil_cpe_to_string(&d, &out2), VIGIL_OK);
	assert_string_equal(out, out2);
	vigil_free(out);
	vigil_free(out2);
	vigil_cpe_clear(&d);
}

static void
formatted_strings_parse_and_print(void **state)
{
	struct vigil_cpe c;

	(void)state;
	say("2.3 formatted strings: attributes, lowercase, quoting kept");
	parse_ok("cpe:2.3:a:OpenSSL:OpenSSL:1.0.2\\+build:-:*:en:*:*:*:*",
	    &c);
	assert_string_equal(c.attr[VIGIL_CPE_PART], "a");
	assert_string_equal(c.attr[VIGIL_CPE_VENDOR], "openssl");
	assert_string_equal(c.attr[VIGIL_CPE_PRODUCT], "openssl");
	assert_string_equal(c.attr[VIGIL_CPE_VERSION], "1.0.2\\+build");
	assert_string_equal(c.attr[VIGIL_CPE_UPDATE], "-");
	assert_string_equal(c.attr[VIGIL_CPE_EDITION], "*");
	assert_string_equal(c.attr[VIGIL_CPE_LANGUAGE], "en");
	assert_string_equal(c.attr[VIGIL_CPE_OTHER], "*");
	vigil_cpe_clear(&c);

	say("2.3 canonical spelling: '.', '-', '_' unquoted, rest quoted");
	binds_to("cpe:2.3:a:vendor:prod\\_uct:1\\.0\\-rc1:*:*:*:*:*:*:*",
	    "cpe:2.3:a:vendor:prod_uct:1.0-rc1:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
	    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:1.0+b:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:1.0\\+b:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:\\-:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:\\-:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:a\\:b:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:a\\:b:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:1.*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:1.*:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:1\\*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:1\\*:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:a:x:y:??1.0:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:??1.0:*:*:*:*:*:*:*");
	binds_to("cpe:2.3:h:intel:core_i7\\-6700k:-:*:*:*:*:*:*:*",
	    "cpe:2.3:h:intel:core_i7-6700k:-:*:*:*:*:*:*:*");
}

static void
uri_binding_binds_to_2_3(void **state)
{
	(void)state;
	say("2.2 URIs bind to 2.3: missing components ANY, empty ANY");
	binds_to("cpe:/a:openbsd:openssh:7.4",
	    "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*");
	binds_to("cpe:/o:linux:linux_kernel:5.10::~~~~arm64~",
	    "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:arm64:*");
	binds_to("cpe:/a:microsoft:internet_explorer:8.0.6001:beta:-:en-us",
	    "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:-:en-us:"
	    "*:*:*:*");
	say("2.2 percent-decoding: %xx quoted, %01/%02 wildcards");
	binds_to("cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003"
	    "~x64~", "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:"
	    "online:win2003:x64:*");
	binds_to("cpe:/a:foo%5cbar:big%24money_manager_2010",
	    "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:*:*:*:*");
	binds_to("cpe:/a:x:y:%01%011.0%02",
	    "cpe:2.3:a:x:y:??1.0*:*:*:*:*:*:*:*");
	binds_to("CPE:/A:Vendor:Product:1.0",
	    "cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*");
}

static void
bad_names_rejected_with_where(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "cpe:2.3:a:x:y:1.0", "11 components" },
		{ "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*:extra", "11 components" },
		{ "cpe:2.3:q:x:y:1:*:*:*:*:*:*:*", "part must be" },
		{ "cpe:2.3:a::y:1:*:*:*:*:*:*:*", "vendor: empty value at "
		  "offset 10" },
		{ "cpe:2.3:a:x y:z:1:*:*:*:*:*:*:*", "vendor: character not "
		  "allowed at offset 11" },
		{ "cpe:2.3:a:x:y:1*0:*:*:*:*:*:*:*", "version: wildcard inside "
		  "a value" },
		{ "cpe:/a:x:y:1%zz", "version: bad percent-encoding at offset "
		  "13" },
		{ "cpe:/a:x:y:1 0", "character must be percent-encoded" },
		{ "cpe:/q:x:y", "part must be a, o or h" },
		{ "cpe:/a:x:y:1:u:~a~b:en", "packed edition needs 5 fields" },
		{ "cpe:/a:x:y:1:u:e:en:extra", "at most 7 components" },
		{ "cpe:2.3:a:x:y:1\\", "bad quoting" },
		{ "cpe:x", "expected \"cpe:2.3:\" or \"cpe:/\"" },
	};
	char err[256];

	(void)state;
	say("malformed names rejected naming attribute and offset");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vigil_cpe c;

		err[0] = '\0';
		if (vigil_cpe_parse(bad[i].in, &c, err, sizeof err) !=
		    VIGIL_EINVAL)
			fail_msg("%s: expected invalid", bad[i].in);
		assert_null(c.buf);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: error '%s' lacks '%s'", bad[i].in, err,
			    bad[i].why);
	}
	say("an over-long CPE is ERANGE");
	{
		char *big = malloc(VIGIL_CPE_MAX + 2);
		struct vigil_cpe c;

		assert_non_null(big);
		memset(big, 'a', VIGIL_CPE_MAX + 1);
		memcpy(big, "cpe:/a:", 7);
		big[VIGIL_CPE_MAX + 1] = '\0';
		assert_int_equal(vigil_cpe_parse(big, &c, err, sizeof err),
		    VIGIL_ERANGE);
		free(big);
	}
}

static void
nistir_7696_relation_table(void **state)
{
	static const struct {
		const char *src, *tgt;
		enum vigil_cpe_rel rel;
	} t[] = {
		/* Table 6-2 rows 1-18 */
		{ "*", "*", VIGIL_CPE_EQUAL },
		{ "*", "-", VIGIL_CPE_SUPERSET },
		{ "*", "1.0", VIGIL_CPE_SUPERSET },
		{ "*", "1.*", VIGIL_CPE_UNDEFINED },
		{ "-", "*", VIGIL_CPE_SUBSET },
		{ "-", "-", VIGIL_CPE_EQUAL },
		{ "-", "1.0", VIGIL_CPE_DISJOINT },
		{ "-", "1.*", VIGIL_CPE_UNDEFINED },
		{ "1.0", "*", VIGIL_CPE_SUBSET },
		{ "1.0", "-", VIGIL_CPE_DISJOINT },
		{ "1.0", "1.0", VIGIL_CPE_EQUAL },
		{ "1.0", "1.1", VIGIL_CPE_DISJOINT },
		{ "1.0", "1.*", VIGIL_CPE_UNDEFINED },
		{ "1.*", "*", VIGIL_CPE_SUBSET },
		{ "1.*", "-", VIGIL_CPE_DISJOINT },
		{ "1.*", "1.4", VIGIL_CPE_SUPERSET },
		{ "1.*", "2.4", VIGIL_CPE_DISJOINT },
		{ "1.*", "?.4", VIGIL_CPE_UNDEFINED },
		/* wildcards: leading/trailing '*', '?' up to its count */
		{ "*ssl", "openssl", VIGIL_CPE_SUPERSET },
		{ "*ssl", "openssh", VIGIL_CPE_DISJOINT },
		{ "?.0", "1.0", VIGIL_CPE_SUPERSET },
		{ "?.0", "11.0", VIGIL_CPE_DISJOINT },
		{ "??.0", "11.0", VIGIL_CPE_SUPERSET },
		{ "1.?", "1.2", VIGIL_CPE_SUPERSET },
		{ "1.?", "1.23", VIGIL_CPE_DISJOINT },
		{ "1.?", "1.\\+", VIGIL_CPE_SUPERSET },
		{ "*", "1.0\\+b", VIGIL_CPE_SUPERSET },
		/* quoted wildcard characters are literals */
		{ "1\\*", "1\\*", VIGIL_CPE_EQUAL },
		{ "1\\*", "12", VIGIL_CPE_DISJOINT },
	};

	(void)state;
	say("NISTIR 7696 Table 6-2 and wildcard comparisons");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		enum vigil_cpe_rel r = vigil_cpe_attr_compare(t[i].src,
		    t[i].tgt);

		if (r != t[i].rel)
			fail_msg("%s vs %s: relation %d, expected %d",
			    t[i].src, t[i].tgt, (int)r, (int)t[i].rel);
	}
	assert_int_equal(vigil_cpe_attr_compare(NULL, "x"),
	    VIGIL_CPE_UNDEFINED);
}

static int
match(const char *src, const char *tgt, unsigned flags)
{
	struct vigil_cpe s, t;
	int m;

	parse_ok(src, &s);
	parse_ok(tgt, &t);
	m = vigil_cpe_match(&s, &t, flags);
	vigil_cpe_clear(&s);
	vigil_cpe_clear(&t);
	return m;
}

static void
name_matching_hardening(void **state)
{
	(void)state;
	say("plain matches: criteria ANY version, exact version");
	assert_true(match("cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
	    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*",
	    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*",
	    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
	    VIGIL_CPE_SKIP_VERSION));

	say("open62541: criteria 1.3:rc1/rc2 never match the final 1.3");
	assert_false(match("cpe:2.3:a:open62541:open62541:1.3:rc1:*:*:*:*:*:*",
	    "cpe:2.3:a:open62541:open62541:1.3:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*",
	    "cpe:2.3:a:open62541:open62541:1.3:-:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*",
	    "cpe:2.3:a:open62541:open62541:1.3:-:*:*:*:*:*:*",
	    VIGIL_CPE_SKIP_VERSION));
	assert_true(match("cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*",
	    "cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:a:open62541:open62541:*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:open62541:open62541:1.3:-:*:*:*:*:*:*", 0));

	say("'-' (NA) vs '*' (ANY) and vs values");
	assert_false(match("cpe:2.3:o:vendor:fw:-:*:*:*:*:*:*:*",
	    "cpe:2.3:o:vendor:fw:2.0:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:o:vendor:fw:-:*:*:*:*:*:*:*",
	    "cpe:2.3:o:vendor:fw:*:*:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:o:vendor:fw:-:*:*:*:*:*:*:*",
	    "cpe:2.3:o:vendor:fw:-:*:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:o:vendor:fw:*:*:*:*:*:*:*:*",
	    "cpe:2.3:o:vendor:fw:-:*:*:*:*:*:*:*", 0));

	say("a target with '*' vendor, product or part never matches");
	assert_false(match("cpe:2.3:h:intel:xeon:-:*:*:*:*:*:*:*",
	    "cpe:2.3:h:*:xeon:-:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:*:*:*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:*:*:*:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*",
	    "cpe:2.3:*:gnu:glibc:2.36:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:gnu:-:2.36:*:*:*:*:*:*:*", 0));
	assert_false(match("cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:gnu:glib*:2.36:*:*:*:*:*:*:*", 0));

	say("criteria target_sw narrower than the component: no match");
	assert_false(match("cpe:2.3:a:x:y:*:*:*:*:*:node.js:*:*",
	    "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*", 0));
	assert_true(match("cpe:2.3:a:x:y:*:*:*:*:*:node.js:*:*",
	    "cpe:2.3:a:x:y:1.0:*:*:*:*:node.js:*:*", 0));

	say("2.2 target against 2.3 criteria; quoting is compared exactly");
	assert_true(match("cpe:2.3:a:openbsd:openssh:7.4:p1:*:*:*:*:*:*",
	    "cpe:/a:openbsd:openssh:7.4:p1", 0));
	assert_true(match("cpe:2.3:a:x:y:1.0\\+b:*:*:*:*:*:*:*",
	    "cpe:/a:x:y:1.0%2bb", 0));
	assert_true(match("cpe:2.3:a:x:y:1.*:*:*:*:*:*:*:*",
	    "cpe:2.3:a:x:y:1.0\\+b:*:*:*:*:*:*:*", 0));

	say("NULL or cleared names never match");
	{
		struct vigil_cpe empty;

		memset(&empty, 0, sizeof empty);
		assert_false(vigil_cpe_match(&empty, &empty, 0));
		assert_false(vigil_cpe_match(NULL, NULL, 0));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formatted_strings_parse_and_print),
		cmocka_unit_test(uri_binding_binds_to_2_3),
		cmocka_unit_test(bad_names_rejected_with_where),
		cmocka_unit_test(nistir_7696_relation_table),
		cmocka_unit_test(name_matching_hardening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
