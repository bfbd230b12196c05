/*
 * Device map files (devmap.h): the header in any order and case, rows
 * looked up by longest prefix over IPv4 and IPv6, bad rows reported with
 * their line numbers and skipped while good rows stay, duplicates, a bad
 * header being fatal, the line and NUL limits, CRLF and comments.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/devmap.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* The bad rows a load reported: "N: msg" lines, joined. */
struct bad {
	size_t n;
	char text[4096];
};

static void
on_bad(void *ctx, size_t line, const char *msg)
{
	struct bad *b = ctx;
	size_t l = strlen(b->text);

	b->n++;
	snprintf(b->text + l, sizeof b->text - l, "%zu: %s\n", line, msg);
}

static struct vigil_devmap *
load_ok(const char *csv, size_t len, size_t want_rows, size_t want_bad,
    struct bad *b)
{
	struct vigil_devmap *m = NULL;
	size_t rows = 99, nbad = 99;
	char err[256];
	enum vigil_err e;

	memset(b, 0, sizeof *b);
	e = vigil_devmap_load(csv, len, &m, &rows, &nbad, on_bad, b, err,
	    sizeof err);
	if (e != VIGIL_OK)
		printf("# unexpected error: %s\n", err);
	assert_int_equal(e, VIGIL_OK);
	assert_non_null(m);
	assert_int_equal(rows, want_rows);
	assert_int_equal(nbad, want_bad);
	assert_int_equal(b->n, want_bad);
	assert_int_equal(vigil_devmap_count(m), want_rows);
	return m;
}

/* The device id of text address s, "" when none. */
static const char *
who(const struct vigil_devmap *m, const char *s, struct vigil_endpoint *ep)
{
	uint8_t a[16] = { 0 };
	uint8_t fam = strchr(s, ':') != NULL ? 6 : 4;

	assert_int_equal(inet_pton(fam == 4 ? AF_INET : AF_INET6, s, a), 1);
	if (vigil_devmap_attribute(m, fam, a, ep) == 1) {
		assert_true(ep->device);
		assert_string_equal(ep->via, "binding");
		return ep->device_id;
	}
	assert_false(ep->device);
	return "";
}

static void
test_header_in_any_order_and_case_with_optional_columns(void **state)
{
	static const char csv1[] = "address,device\n10.0.0.1,cam-1\n";
	static const char csv2[] =
	    "  Tenant ,MODEL,Device,ADDRESS\n"
	    "t-1,cam-x,cam-2,10.0.0.2\n";
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	say("address and device alone: model and tenant are empty");
	m = load_ok(csv1, strlen(csv1), 1, 0, &b);
	assert_string_equal(who(m, "10.0.0.1", &ep), "cam-1");
	assert_string_equal(ep.model, "");
	assert_string_equal(ep.tenant, "");
	vigil_devmap_free(m);

	say("columns in another order and case, spaces around names");
	m = load_ok(csv2, strlen(csv2), 1, 0, &b);
	assert_string_equal(who(m, "10.0.0.2", &ep), "cam-2");
	assert_string_equal(ep.model, "cam-x");
	assert_string_equal(ep.tenant, "t-1");
	vigil_devmap_free(m);
}

static void
test_longest_prefix_wins_over_ipv4_and_ipv6(void **state)
{
	static const char csv[] =
	    "address,device,model\n"
	    "10.0.0.0/8,big,m8\n"
	    "10.1.2.0/24,net-24,m24\n"
	    "10.1.2.5,host-5,m32\n"
	    "10.1.2.4/31,pair,m31\n"
	    "fd00::/16,v6-16,m\n"
	    "fd00:1::/64,v6-64,m\n"
	    "fd00:1::7/128,v6-128,m\n";
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	m = load_ok(csv, strlen(csv), 7, 0, &b);
	say("a /32 beats the /31, /24 and /8 that contain it");
	assert_string_equal(who(m, "10.1.2.5", &ep), "host-5");
	assert_string_equal(ep.model, "m32");
	say("the /31 covers its other address");
	assert_string_equal(who(m, "10.1.2.4", &ep), "pair");
	say("the /24 covers the rest of its range");
	assert_string_equal(who(m, "10.1.2.200", &ep), "net-24");
	say("the /8 covers what no longer prefix does");
	assert_string_equal(who(m, "10.200.0.1", &ep), "big");
	say("an address outside every row: not found, out cleared");
	assert_string_equal(who(m, "192.168.0.1", &ep), "");
	assert_string_equal(ep.device_id, "");

	say("IPv6: /128 beats /64 beats /16; IPv4 rows never match IPv6");
	assert_string_equal(who(m, "fd00:1::7", &ep), "v6-128");
	assert_string_equal(who(m, "fd00:1::8", &ep), "v6-64");
	assert_string_equal(who(m, "fd00:2::1", &ep), "v6-16");
	assert_string_equal(who(m, "::ffff:10.1.2.5", &ep), "");
	assert_string_equal(who(m, "fe80::1", &ep), "");

	say("a NULL map finds nothing; freeing NULL is harmless");
	assert_int_equal(vigil_devmap_attribute(NULL, 4,
	    (const uint8_t[16]){ 10, 1, 2, 5 }, &ep), 0);
	vigil_devmap_free(NULL);
	vigil_devmap_free(m);
}

/* A random map of 3,000 rows over five IPv4 and three IPv6 prefix
 * lengths, in a small address space so that they nest: every lookup
 * (and the prefetch before it) must agree with a brute-force longest
 * prefix match over the rows. */
#define RND_ROWS 1500
struct rnd_row {
	uint8_t family, prefix;
	uint8_t addr[16];
	char dev[16];
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static bool
rnd_covers(const struct rnd_row *r, uint8_t family, const uint8_t a[16])
{
	unsigned full = r->prefix / 8, rest = r->prefix % 8;

	if (r->family != family || memcmp(r->addr, a, full) != 0)
		return false;
	return rest == 0 || ((r->addr[full] ^ a[full]) &
	    (uint8_t)(0xff00 >> rest)) == 0;
}

/* A random address of the family among the first span (a power of
 * two up to 65,536) of 10.0.0.0/16 or fd00::/112. */
static void
rnd_addr(uint8_t family, uint32_t span, uint8_t a[16])
{
	uint32_t v = rnd() & (span - 1);

	memset(a, 0, 16);
	if (family == 4) {
		a[0] = 10;
		a[2] = (uint8_t)(v >> 8);
		a[3] = (uint8_t)v;
	} else {
		a[0] = 0xfd;
		a[14] = (uint8_t)(v >> 8);
		a[15] = (uint8_t)v;
	}
}

static void
test_random_map_matches_brute_force(void **state)
{
	static const uint8_t p4[] = { 32, 31, 28, 24, 23 };
	static const uint8_t p6[] = { 128, 124, 120 };
	static struct rnd_row rows[RND_ROWS];
	size_t n = 0, len = 0, cap = RND_ROWS * 64 + 64;
	char *csv = malloc(cap);
	struct vigil_devmap *m = NULL;
	unsigned hits = 0;
	size_t kept = 0, bad = 0;
	char err[256];

	(void)state;
	assert_non_null(csv);
	len += (size_t)snprintf(csv, cap, "address,device,model,tenant\n");
	while (n < RND_ROWS) {
		struct rnd_row *r = &rows[n];
		char text[INET6_ADDRSTRLEN];
		unsigned full, rest;
		bool dup = false;

		r->family = rnd() % 3 == 0 ? 6 : 4;
		r->prefix = r->family == 4 ? p4[rnd() % 5] : p6[rnd() % 3];
		rnd_addr(r->family, 1024, r->addr);
		full = r->prefix / 8;
		rest = r->prefix % 8;
		if (rest != 0)
			r->addr[full] &= (uint8_t)(0xff00 >> rest);
		memset(r->addr + full + (rest != 0), 0,
		    16 - full - (rest != 0));
		for (size_t i = 0; i < n && !dup; i++)
			dup = rows[i].family == r->family &&
			    rows[i].prefix == r->prefix &&
			    memcmp(rows[i].addr, r->addr, 16) == 0;
		if (dup)
			continue;
		snprintf(r->dev, sizeof r->dev, "d%zu", n);
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, text,
		    sizeof text);
		/* Models and tenants repeat, not in runs: each is stored
		 * once and must come back right. */
		len += (size_t)snprintf(csv + len, cap - len,
		    "%s/%u,%s,model-%u,tenant-%u\n", text, r->prefix, r->dev,
		    r->prefix, r->family);
		n++;
	}
	say("1,500 random nested rows over 8 prefix lengths load");
	assert_int_equal(vigil_devmap_load(csv, len, &m, &kept, &bad, NULL,
	    NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal(kept, RND_ROWS);
	say("10,000 lookups agree with a brute-force longest-prefix match "
	    "(device, model and tenant), each after its prefetch steps");
	for (int k = 0; k < 10000; k++) {
		uint8_t family = k % 3 == 0 ? 6 : 4, a[16];
		const struct rnd_row *best = NULL;
		struct vigil_endpoint ep;
		int rc;

		/* Half of them outside the rows' space. */
		rnd_addr(family, 2048, a);
		for (size_t i = 0; i < n; i++)
			if (rnd_covers(&rows[i], family, a) &&
			    (best == NULL || rows[i].prefix > best->prefix))
				best = &rows[i];
		vigil_devmap_prefetch(m, family, a, 0);
		vigil_devmap_prefetch(m, family, a, 1);
		rc = vigil_devmap_attribute(m, family, a, &ep);
		assert_int_equal(rc, best != NULL);
		assert_string_equal(ep.device_id, best != NULL ? best->dev :
		    "");
		if (best != NULL) {
			char want[32];

			snprintf(want, sizeof want, "model-%u", best->prefix);
			assert_string_equal(ep.model, want);
			snprintf(want, sizeof want, "tenant-%u", best->family);
			assert_string_equal(ep.tenant, want);
		}
		hits += rc == 1;
	}
	printf("# %u of 10000 lookups found a row\n", hits);
	assert_true(hits > 1000 && hits < 9000);
	say("a prefetch on a NULL map or of an unmapped family is harmless");
	vigil_devmap_prefetch(NULL, 4, rows[0].addr, 0);
	vigil_devmap_prefetch(m, 5, rows[0].addr, 1);
	vigil_devmap_free(m);
	free(csv);
}

static void
test_bad_rows_are_reported_by_line_and_skipped(void **state)
{
	static const char csv[] =
	    "address,device,model,tenant\n"                  /* 1 */
	    "10.0.0.1,cam-1,cam-x,t\n"                       /* 2 good */
	    "10.0.0.300,cam-2,cam-x,t\n"                     /* 3 */
	    "10.0.0.3,,cam-x,t\n"                            /* 4 */
	    "10.0.0.4,cam-4,cam-x\n"                         /* 5 */
	    "10.0.0.5,\"cam-5\",cam-x,t\n"                   /* 6 */
	    "10.0.0.6,0123456789012345678901234567890123456,m,t\n" /* 7 */
	    "10.0.0.0/8,net,m,t\n"                           /* 8 good */
	    "10.1.2.3/8,net2,m,t\n"                          /* 9 */
	    "10.0.0.10,cam-\x01,m,t\n"                       /* 10 */
	    "10.0.0.11,cam-11,bad\xff,t\n"                   /* 11 */
	    "10.0.0.12,cam-12,m,t,extra\n"                   /* 12 */
	    ",cam-13,m,t\n"                                  /* 13 */
	    "10.0.0.14,cam-14,m,t\n";                        /* 14 good */
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	m = load_ok(csv, strlen(csv), 3, 10, &b);
	printf("# reported:\n%s", b.text);
	say("each bad row names its line and what is wrong");
	assert_non_null(strstr(b.text, "3: address '10.0.0.300' is not an "
	    "IP address or CIDR"));
	assert_non_null(strstr(b.text, "4: device is empty"));
	assert_non_null(strstr(b.text, "5: 3 fields, the header has 4"));
	assert_non_null(strstr(b.text, "6: a quote at column 10"));
	assert_non_null(strstr(b.text, "7: device '0123456789012345678901"
	    "234567890123456' is longer than 36 characters"));
	assert_non_null(strstr(b.text, "9: address '10.1.2.3/8': the prefix "
	    "length is out of range or host bits are set"));
	assert_non_null(strstr(b.text, "10: device 'cam-?' has a character "
	    "that is not printable ASCII at position 5"));
	assert_non_null(strstr(b.text, "11: model has invalid UTF-8"));
	assert_non_null(strstr(b.text, "12: more than 4 fields"));
	assert_non_null(strstr(b.text, "13: address is empty"));
	say("the good rows around them are kept");
	assert_string_equal(who(m, "10.0.0.1", &ep), "cam-1");
	assert_string_equal(who(m, "10.0.0.14", &ep), "cam-14");
	say("a skipped row's address falls to the covering /8");
	assert_string_equal(who(m, "10.0.0.5", &ep), "net");
	vigil_devmap_free(m);
}

static void
test_duplicate_cidr_is_a_bad_row_naming_the_first(void **state)
{
	static const char csv[] =
	    "address,device\n"
	    "10.0.0.5,first\n"
	    "fd00::1,v6\n"
	    "10.0.0.0/24,net\n"
	    "10.0.0.5/32,second\n"
	    "fd00:0::1/128,v6-again\n"
	    "10.0.0.0/25,other-prefix\n";
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	m = load_ok(csv, strlen(csv), 4, 2, &b);
	printf("# reported:\n%s", b.text);
	say("10.0.0.5 and 10.0.0.5/32 are the same: line 5 is refused");
	assert_non_null(strstr(b.text, "5: 10.0.0.5/32 already mapped on "
	    "line 2"));
	assert_non_null(strstr(b.text, "6: fd00::1/128 already mapped on "
	    "line 3"));
	say("the first row stays; the same network with another prefix is "
	    "not a duplicate");
	assert_string_equal(who(m, "10.0.0.5", &ep), "first");
	assert_string_equal(who(m, "10.0.0.6", &ep), "other-prefix");
	assert_string_equal(who(m, "10.0.0.200", &ep), "net");
	vigil_devmap_free(m);
}

static void
expect_fatal(const char *csv, size_t len, enum vigil_err code,
    const char *msg)
{
	struct vigil_devmap *m = (struct vigil_devmap *)&m;
	size_t rows = 99, bad = 99;
	char err[256];

	assert_int_equal(vigil_devmap_load(csv, len, &m, &rows, &bad, NULL,
	    NULL, err, sizeof err), code);
	printf("# error: %s\n", err);
	assert_null(m);
	assert_int_equal(rows, 0);
	assert_int_equal(bad, 0);
	assert_string_equal(err, msg);
}

static void
test_bad_header_is_fatal(void **state)
{
	(void)state;
	say("an unknown column is named");
	expect_fatal("address,device,mac\n10.0.0.1,x,aa\n", 32, VIGIL_EINVAL,
	    "line 1: unknown column 'mac' (known: address, device, model, "
	    "tenant)");
	say("a required column missing");
	expect_fatal("# map\naddress,model\n", 20, VIGIL_EINVAL,
	    "line 2: the header has no 'device' column "
	    "(address,device[,model][,tenant])");
	say("a repeated column");
	expect_fatal("address,device,Device\n", 22, VIGIL_EINVAL,
	    "line 1: column 'device' appears twice");
	say("an empty column name");
	expect_fatal("address,,device\n", 16, VIGIL_EINVAL,
	    "line 1: header column 2 has no name");
	say("a quoted header");
	expect_fatal("\"address\",device\n", 17, VIGIL_EINVAL,
	    "line 1: a quote at column 1 of the header: quoting is not "
	    "supported");
	say("no header at all (empty, or only comments)");
	expect_fatal("", 0, VIGIL_EINVAL,
	    "line 1: no header line (address,device[,model][,tenant])");
	expect_fatal("# nothing\n\n", 11, VIGIL_EINVAL,
	    "line 3: no header line (address,device[,model][,tenant])");
}

static void
test_limits_long_line_and_nul(void **state)
{
	size_t n = 0, cap = 16 + VIGIL_DEVMAP_LINE_MAX + 64;
	char *csv = malloc(cap);
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	assert_non_null(csv);
	n += (size_t)snprintf(csv + n, cap - n, "address,device\n");
	/* line 2: one byte over the limit */
	memset(csv + n, 'a', VIGIL_DEVMAP_LINE_MAX + 1);
	n += VIGIL_DEVMAP_LINE_MAX + 1;
	csv[n++] = '\n';
	/* line 3: a NUL inside */
	memcpy(csv + n, "10.0.0.3,ca\0m\n", 14);
	n += 14;
	n += (size_t)snprintf(csv + n, cap - n, "10.0.0.4,cam-4\n");
	m = load_ok(csv, n, 1, 2, &b);
	printf("# reported:\n%s", b.text);
	say("a line over 4096 bytes is reported and skipped whole");
	assert_non_null(strstr(b.text, "2: longer than 4096 bytes"));
	say("a line with a NUL byte is reported with its column");
	assert_non_null(strstr(b.text, "3: a NUL byte at column 12"));
	say("the row after them is read");
	assert_string_equal(who(m, "10.0.0.4", &ep), "cam-4");
	vigil_devmap_free(m);

	say("a header over the limit is fatal");
	memset(csv, 'a', VIGIL_DEVMAP_LINE_MAX + 1);
	expect_fatal(csv, VIGIL_DEVMAP_LINE_MAX + 1, VIGIL_EINVAL,
	    "line 1: longer than 4096 bytes");
	say("a line of exactly 4096 bytes is read");
	n = (size_t)snprintf(csv, cap, "address,device\n10.0.0.9,");
	memset(csv + n, 'd', VIGIL_DEVMAP_LINE_MAX - 9);
	n += VIGIL_DEVMAP_LINE_MAX - 9;
	m = load_ok(csv, n, 0, 1, &b);
	assert_non_null(strstr(b.text, "2: device 'dddd"));
	vigil_devmap_free(m);
	free(csv);
}

static void
test_million_rows_then_refused(void **state)
{
	size_t cap = (size_t)VIGIL_DEVMAP_ROWS_MAX * 32 + 64, n;
	char *csv = malloc(cap), err[256];
	struct vigil_devmap *m = NULL;
	struct vigil_endpoint ep;
	size_t rows, bad;
	struct bad b;

	(void)state;
	assert_non_null(csv);
	n = (size_t)snprintf(csv, cap, "address,device,model\n");
	for (unsigned i = 0; i < VIGIL_DEVMAP_ROWS_MAX; i++)
		n += (size_t)snprintf(csv + n, cap - n, "10.%u.%u.%u,d%u,m\n",
		    i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff, i);
	say("1,000,000 rows load, and each is found");
	m = load_ok(csv, n, VIGIL_DEVMAP_ROWS_MAX, 0, &b);
	assert_string_equal(who(m, "10.0.0.0", &ep), "d0");
	assert_string_equal(who(m, "10.15.66.63", &ep), "d999999");
	assert_string_equal(ep.model, "m");
	vigil_devmap_free(m);
	say("one more row is refused: VIGIL_ERANGE naming its line");
	n += (size_t)snprintf(csv + n, cap - n, "192.168.0.1,last,m\n");
	assert_int_equal(vigil_devmap_load(csv, n, &m, &rows, &bad, NULL,
	    NULL, err, sizeof err), VIGIL_ERANGE);
	assert_null(m);
	assert_string_equal(err, "line 1000002: more than 1000000 rows");
	free(csv);
}

static void
test_crlf_comments_blank_lines_and_bom(void **state)
{
	static const char csv[] =
	    "\xef\xbb\xbf# exported from the inventory\r\n"
	    "\r\n"
	    "address,device,model\r\n"
	    "# a comment row\r\n"
	    "   # an indented comment\r\n"
	    "10.0.0.1 , cam-1 , cam-x \r\n"
	    "\t\r\n"
	    "10.0.0.2,cam-2,Caméra \xe2\x80\x93 X\r\n"
	    "10.0.0.3,cam-3,cam-x";          /* no final line end */
	struct vigil_endpoint ep;
	struct vigil_devmap *m;
	struct bad b;

	(void)state;
	say("a BOM, comments, blank lines and CRLF are skipped; fields "
	    "trimmed; the last line needs no line end");
	m = load_ok(csv, strlen(csv), 3, 0, &b);
	assert_string_equal(who(m, "10.0.0.1", &ep), "cam-1");
	assert_string_equal(ep.model, "cam-x");
	say("a UTF-8 model is kept as written");
	assert_string_equal(who(m, "10.0.0.2", &ep), "cam-2");
	assert_string_equal(ep.model, "Caméra \xe2\x80\x93 X");
	assert_string_equal(who(m, "10.0.0.3", &ep), "cam-3");
	vigil_devmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_header_in_any_order_and_case_with_optional_columns),
		cmocka_unit_test(test_longest_prefix_wins_over_ipv4_and_ipv6),
		cmocka_unit_test(test_random_map_matches_brute_force),
		cmocka_unit_test(
		    test_bad_rows_are_reported_by_line_and_skipped),
		cmocka_unit_test(
		    test_duplicate_cidr_is_a_bad_row_naming_the_first),
		cmocka_unit_test(test_bad_header_is_fatal),
		cmocka_unit_test(test_limits_long_line_and_nul),
		cmocka_unit_test(test_million_rows_then_refused),
		cmocka_unit_test(test_crlf_comments_blank_lines_and_bom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
