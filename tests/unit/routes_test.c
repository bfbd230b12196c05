/*
 * Route matching (src/vigild/routes.c): literal segments against
 * {parameters}, 404 against 405 with the Allow list, percent-decoding
 * of parameters (and "%2F" staying data), over-long segments, trailing
 * slashes, dot segments, and that every route of the table matches its
 * own pattern (filled in with sample values) and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "routes.h"

static struct route_match m;
static char allow[64];

static int
find(const char *method, const char *path)
{
	return route_find(method, path, &m, allow, sizeof allow);
}

static void
literal_route_matches_exactly(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/healthz"), 0);
	assert_string_equal(m.route->name, "healthz");
	assert_int_equal(m.nparams, 0);
	assert_int_equal(find("GET", "/v1/tenants"), 0);
	assert_string_equal(m.route->name, "tenant_list");
}

static void
parameter_is_captured_by_name(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v1/tenants/acme/devices/dev-1"), 0);
	assert_string_equal(m.route->name, "device_get");
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.names[0], "tenant");
	assert_string_equal(m.values[0], "acme");
	assert_string_equal(m.names[1], "device");
	assert_string_equal(m.values[1], "dev-1");
}

static void
literal_segment_beats_parameter(void **state)
{
	(void)state;
	/* "export" is the export route, not a device called export. */
	assert_int_equal(find("GET", "/v1/tenants/acme/devices/export"), 0);
	assert_string_equal(m.route->name, "device_export");
	assert_int_equal(find("POST", "/v1/tenants/acme/devices/import"), 0);
	assert_string_equal(m.route->name, "device_import");
	/* With another method the parameter route still serves it. */
	assert_int_equal(find("PATCH", "/v1/tenants/acme/devices/export"), 0);
	assert_string_equal(m.route->name, "device_update");
	assert_string_equal(m.values[1], "export");
}

static void
unknown_path_is_404(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v2/tenants"), 404);
	assert_int_equal(find("GET", "/"), 404);
	assert_int_equal(find("GET", "/v1/tenants/acme/nothing"), 404);
	assert_int_equal(find("GET", "relative/path"), 404);
	assert_int_equal(find("GET", ""), 404);
	assert_null(m.route);
}

static void
known_path_other_method_is_405_with_allow(void **state)
{
	(void)state;
	assert_int_equal(find("DELETE", "/v1/tenants"), 405);
	assert_string_equal(allow, "GET, POST");
	assert_int_equal(find("POST", "/v1/tenants/acme"), 405);
	assert_string_equal(allow, "GET, PATCH, DELETE");
	assert_int_equal(find("GET", "/v1/auth/login"), 405);
	assert_string_equal(allow, "POST");
	/* PUT routes are named too (found by fuzz_route). */
	assert_int_equal(find("GET", "/v1/products/gw-100"), 405);
	assert_string_equal(allow, "PUT");
	assert_int_equal(find("POST", "/v1/tenants/acme/policies/p1"), 405);
	assert_string_equal(allow, "GET, PUT, DELETE");
	/* A method the table does not use at all (NULL here). */
	assert_int_equal(find(NULL, "/healthz"), 405);
	assert_string_equal(allow, "GET");
}

static void
parameters_are_percent_decoded(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v1/tenants/ac%6De/devices/a%20b"), 0);
	assert_string_equal(m.values[0], "acme");
	assert_string_equal(m.values[1], "a b");
	/* An encoded slash is data inside one segment, not a separator. */
	assert_int_equal(find("GET", "/v1/tenants/acme/devices/a%2Fb"), 0);
	assert_string_equal(m.route->name, "device_get");
	assert_string_equal(m.values[1], "a/b");
	/* Literal segments compare decoded too. */
	assert_int_equal(find("GET", "/v1/tenant%73"), 0);
	assert_string_equal(m.route->name, "tenant_list");
	/* UTF-8 passes through as bytes. */
	assert_int_equal(find("GET", "/v1/tenants/%C3%A9t%C3%A9"), 0);
	assert_string_equal(m.values[0], "\xc3\xa9t\xc3\xa9");
}

static void
bad_percent_escape_is_400(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v1/tenants/a%2"), 400);
	assert_int_equal(find("GET", "/v1/tenants/a%"), 400);
	assert_int_equal(find("GET", "/v1/tenants/a%zz"), 400);
	assert_int_equal(find("GET", "/v1/tenants/%00"), 400);
	assert_int_equal(find("GET", "/v1/tenants/a%00b"), 400);
}

static void
over_long_segment_is_400(void **state)
{
	char path[3 * ROUTE_PARAM_MAX + 64];
	size_t n;

	(void)state;
	/* Exactly ROUTE_PARAM_MAX decoded bytes still fit. */
	n = (size_t)snprintf(path, sizeof path, "/v1/tenants/");
	memset(path + n, 'a', ROUTE_PARAM_MAX);
	path[n + ROUTE_PARAM_MAX] = '\0';
	assert_int_equal(find("GET", path), 0);
	assert_int_equal(strlen(m.values[0]), ROUTE_PARAM_MAX);
	/* One more does not. */
	path[n + ROUTE_PARAM_MAX] = 'a';
	path[n + ROUTE_PARAM_MAX + 1] = '\0';
	assert_int_equal(find("GET", path), 400);
	/* The limit is on decoded bytes: 512 x "%41" is fine. */
	n = (size_t)snprintf(path, sizeof path, "/v1/tenants/");
	for (size_t i = 0; i < ROUTE_PARAM_MAX; i++)
		n += (size_t)snprintf(path + n, sizeof path - n, "%%41");
	assert_int_equal(find("GET", path), 0);
	assert_int_equal(strlen(m.values[0]), ROUTE_PARAM_MAX);
	assert_int_equal(m.values[0][0], 'A');
}

static void
trailing_slash_and_empty_segments_are_404(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v1/tenants/"), 404);
	assert_int_equal(find("GET", "/healthz/"), 404);
	assert_int_equal(find("GET", "//v1/tenants"), 404);
	assert_int_equal(find("GET", "/v1//tenants"), 404);
	/* An empty parameter is no parameter. */
	assert_int_equal(find("GET", "/v1/tenants//devices"), 404);
}

static void
dot_segments_are_400(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/v1/tenants/.."), 400);
	assert_int_equal(find("GET", "/v1/tenants/../devices"), 400);
	assert_int_equal(find("GET", "/v1/tenants/acme/devices/."), 400);
	assert_int_equal(find("GET", "/v1/tenants/%2e%2E"), 400);
	assert_int_equal(find("GET", "/v1/../v1/tenants"), 400);
	/* Dots inside a name are fine. */
	assert_int_equal(find("GET", "/v1/tenants/a..b"), 0);
	assert_int_equal(find("GET", "/v1/tenants/..."), 0);
}

static void
too_many_segments_is_404(void **state)
{
	(void)state;
	assert_int_equal(find("GET", "/a/b/c/d/e/f/g/h/i/j"), 404);
}

/* Fills a pattern's {params} with "p<i>". */
static void
instantiate(const char *pattern, char *out, size_t size)
{
	size_t o = 0;
	int i = 0;

	while (*pattern != '\0' && o + 8 < size) {
		if (*pattern == '{') {
			o += (size_t)snprintf(out + o, size - o, "p%d", i++);
			pattern = strchr(pattern, '}') + 1;
		} else
			out[o++] = *pattern++;
	}
	out[o] = '\0';
}

static void
every_route_matches_its_own_pattern(void **state)
{
	char path[512];

	(void)state;
	assert_true(nroutes > 30);
	for (size_t i = 0; i < nroutes; i++) {
		instantiate(routes[i].pattern, path, sizeof path);
		if (find(routes[i].method, path) != 0 ||
		    m.route != &routes[i])
			fail_msg("%s %s (as %s) matched %s", routes[i].method,
			    routes[i].pattern, path,
			    m.route != NULL ? m.route->name : "nothing");
		assert_int_equal(route_index(m.route), i);
		/* Parameter values come back in pattern order. */
		for (size_t p = 0; p < m.nparams; p++) {
			char want[24];

			snprintf(want, sizeof want, "p%zu", p);
			assert_string_equal(m.values[p], want);
		}
	}
}

static void
table_has_no_duplicates_and_default_deny(void **state)
{
	(void)state;
	for (size_t i = 0; i < nroutes; i++) {
		/* Only public routes may need no permission. */
		if (routes[i].perm == VIGIL_PERM_NONE)
			assert_true(routes[i].flags & ROUTE_PUBLIC);
		assert_non_null(routes[i].fn);
		for (size_t j = i + 1; j < nroutes; j++)
			if (strcmp(routes[i].method, routes[j].method) == 0 &&
			    strcmp(routes[i].pattern, routes[j].pattern) == 0)
				fail_msg("duplicate route %s %s",
				    routes[i].method, routes[i].pattern);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_route_matches_exactly),
		cmocka_unit_test(parameter_is_captured_by_name),
		cmocka_unit_test(literal_segment_beats_parameter),
		cmocka_unit_test(unknown_path_is_404),
		cmocka_unit_test(known_path_other_method_is_405_with_allow),
		cmocka_unit_test(parameters_are_percent_decoded),
		cmocka_unit_test(bad_percent_escape_is_400),
		cmocka_unit_test(over_long_segment_is_400),
		cmocka_unit_test(trailing_slash_and_empty_segments_are_404),
		cmocka_unit_test(dot_segments_are_400),
		cmocka_unit_test(too_many_segments_is_404),
		cmocka_unit_test(every_route_matches_its_own_pattern),
		cmocka_unit_test(table_has_no_duplicates_and_default_deny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
