/* Unit tests of the PEP 440 version scheme (src/lib/vuln/
 * version_pep440.c): the PEP's ordering examples, its normalisation
 * rules, refusals with offsets, and a differential test against
 * packaging.version.Version run by Debian's /usr/bin/python3 on
 * thousands of generated pairs, invalid strings included. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/vuln.h"
#include "vuln/version_internal.h"

#define PYTHON "/usr/bin/python3"

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

static int
cmp_valid(const char *a, const char *b)
{
	char err[256];

	if (version_pep440_check(a, err, sizeof err) != 0)
		fail_msg("'%s' refused: %s", a, err);
	if (version_pep440_check(b, err, sizeof err) != 0)
		fail_msg("'%s' refused: %s", b, err);
	return sign(version_pep440_cmp(a, b));
}

/* The PEP's own ordering example (its "Summary of permitted suffixes
 * and relative ordering"), plus the chain the packaging docs give. */
static void
pep_examples_sort_strictly_ascending(void **state)
{
	static const char *order[] = {
		"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456",
		"1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
		"1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
		"1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
		"1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
		"1!0.1",
	};
	static const char *chain[] = {
		"1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1",
		"1.0a1.post1", "1.0", "1.0.post1.dev1", "1.0.post1",
	};
	size_t n = sizeof order / sizeof order[0];

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = (i < j) ? -1 : (i > j) ? 1 : 0;

			if (cmp_valid(order[i], order[j]) != want)
				fail_msg("%s vs %s: want %d", order[i],
				    order[j], want);
		}
	printf("PEP 440 summary ordering: %zu versions, %zu pairs\n", n,
	    n * n);
	n = sizeof chain / sizeof chain[0];
	for (size_t i = 0; i + 1 < n; i++) {
		printf("  %s < %s\n", chain[i], chain[i + 1]);
		assert_int_equal(cmp_valid(chain[i], chain[i + 1]), -1);
		assert_int_equal(cmp_valid(chain[i + 1], chain[i]), 1);
	}
}

/* Each pair is one version spelled two ways that normalise alike. */
static void
normalisation_makes_spellings_equal(void **state)
{
	static const char *eq[][2] = {
		{"1.0", "1.0.0.0"}, {"1.0", "1"}, {"1.0", "0!1.0"},
		{"1.0", "v1.0"}, {"1.0", "V1.0"}, {"1.0", "  1.0\t\n"},
		{"1.0", "\xe3\x80\x80" "1.0\xc2\xa0"}, {"1.0", "\x1c" "1.0"},
		{"01.002", "1.2"}, {"00!1", "1"},
		{"1.0a1", "1.0A1"}, {"1.0a1", "1.0alpha1"},
		{"1.0a1", "1.0-a1"}, {"1.0a1", "1.0_a_1"}, {"1.0a1", "1.0.a.1"},
		{"1.0a0", "1.0a"}, {"1.0a0", "1.0a-"}, {"1.0b2", "1.0beta2"},
		{"1.0rc1", "1.0c1"}, {"1.0rc1", "1.0pre1"},
		{"1.0rc1", "1.0preview1"}, {"1.0rc1", "1.0RC1"},
		{"1.0.post1", "1.0-1"}, {"1.0.post1", "1.0post1"},
		{"1.0.post1", "1.0.rev1"}, {"1.0.post1", "1.0-r-1"},
		{"1.0.post1", "1.0_post_1"}, {"1.0.post0", "1.0.post"},
		{"1.0.post0", "1.0r"}, {"1.0.post0", "1.0.post."},
		{"1.0.dev0", "1.0.dev"}, {"1.0.dev0", "1.0-DEV"},
		{"1.0.dev2", "1.0dev2"}, {"1.0.dev0", "1.0.dev-"},
		{"1.0.post1.dev0", "1.0-1-dev"},
		{"1.0+ubuntu.1", "1.0+UBUNTU-1"},
		{"1.0+ubuntu.1", "1.0+ubuntu_1"},
		{"1.0+1", "1.0+01"},
		{"1.0.99999999999999999999999", "1.0.099999999999999999999999"},
	};
	size_t n = sizeof eq / sizeof eq[0];

	(void)state;
	for (size_t i = 0; i < n; i++) {
		if (cmp_valid(eq[i][0], eq[i][1]) != 0)
			fail_msg("'%s' should equal '%s'", eq[i][0], eq[i][1]);
	}
	printf("normalisation: %zu spellings compare equal\n", n);
}

/* Trailing zeros are insignificant, numbers are numbers, local labels
 * compare by segment, a local label sorts after none. */
static void
release_and_local_order_as_packaging(void **state)
{
	static const char *lt[][2] = {
		{"1.0", "1.0.1"}, {"1.9", "1.10"}, {"1.0", "1!0.1"},
		{"1.0.99999999999999999999", "1.0.100000000000000000000"},
		{"1.0", "1.0+0"}, {"1.0+abc", "1.0+1"}, {"1.0+1", "1.0+1.0"},
		{"1.0+a", "1.0+B"}, {"1.0+2", "1.0+10"}, {"1.0+1a", "1.0+a"},
		{"1.0+abc", "1.0+abcd"}, {"1.0a1+z", "1.0a2"},
		{"1.0.dev1", "1.0a0"}, {"1.0.post0.dev0", "1.0.post0"},
		{"1.0rc1", "1.0"}, {"1.0c1", "1.0rc2"},
	};
	size_t n = sizeof lt / sizeof lt[0];

	(void)state;
	for (size_t i = 0; i < n; i++) {
		if (cmp_valid(lt[i][0], lt[i][1]) != -1 ||
		    cmp_valid(lt[i][1], lt[i][0]) != 1)
			fail_msg("want %s < %s", lt[i][0], lt[i][1]);
		printf("  %s < %s\n", lt[i][0], lt[i][1]);
	}
}

/* Refusals say where: the offset is the first byte no rule accepts. */
static void
invalid_versions_are_refused_with_offset(void **state)
{
	static const struct {
		const char *v;
		const char *msg;
	} bad[] = {
		{"", "offset 0"}, {"   ", "offset 3"}, {"v", "offset 1"},
		{"1.0-", "offset 3"}, {"1!", "offset 2"}, {"1.0+", "offset 4"},
		{"1.0+a..b", "offset 6"}, {"1.0+a.", "offset 6"},
		{"1.0.dev-x", "offset 8"}, {"1.0-1-", "offset 5"},
		{"1.0_1", "offset 3"}, {"a1.0", "offset 0"},
		{"1.0 a", "offset 3"},
		{"1..0", "offset 1"}, {"1.0a1a1", "offset 5"},
		{"1.0.post1.post2", "offset 9"}, {"1.0.dev1.a1", "offset 8"},
		{"vv1.0", "offset 1"}, {"1.0+\xc3\xa9", "offset 4"},
		{"1.0\xce\xb1", "offset 3"}, {"-1.0", "offset 0"},
	};
	char err[256], longv[VIGIL_VERSION_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (version_pep440_check(bad[i].v, err, sizeof err) == 0)
			fail_msg("'%s' accepted", bad[i].v);
		printf("  refused '%s': %s\n", bad[i].v, err);
		if (strncmp(err, "PEP 440 ", 8) != 0 ||
		    strstr(err, bad[i].msg) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].v, err,
			    bad[i].msg);
	}
	memset(longv, '1', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_int_not_equal(version_pep440_check(longv, err, sizeof err), 0);
	printf("  refused a %zu-byte version: %s\n", strlen(longv), err);
}

/* --- differential test against packaging.version --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* splitmix64: fixed seed, so every run checks the same pairs. */
static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

struct sbuf {
	char s[VIGIL_VERSION_MAX + 1];
	size_t n;
};

static void
put(struct sbuf *b, const char *t)
{
	size_t k = strlen(t);

	if (b->n + k < sizeof b->s) {
		memcpy(b->s + b->n, t, k);
		b->n += k;
		b->s[b->n] = '\0';
	}
}

/* A word in random case: the scheme is case-insensitive. */
static void
put_word(struct sbuf *b, const char *w)
{
	char t[16];
	size_t i;

	for (i = 0; w[i] != '\0' && i + 1 < sizeof t; i++)
		t[i] = (pick(4) == 0 && w[i] >= 'a' && w[i] <= 'z') ?
		    (char)(w[i] - 'a' + 'A') : w[i];
	t[i] = '\0';
	put(b, t);
}

static void
put_num(struct sbuf *b)
{
	static const char *nums[] = {"0", "1", "2", "3", "10", "01", "00",
	    "9", "11", "100", "020", "99999999999999999999999"};

	put(b, nums[pick(pick(3) == 0 ? 12 : 5)]);
}

static void
put_sep(struct sbuf *b, bool optional)
{
	static const char *seps[] = {".", "-", "_"};

	if (!optional || pick(2) == 0)
		put(b, seps[pick(3)]);
}

static void
gen_version(struct sbuf *b)
{
	static const char *pre[] = {"a", "b", "rc", "c", "alpha", "beta",
	    "pre", "preview"};
	static const char *post[] = {"post", "rev", "r"};
	static const char *lsegs[] = {"abc", "1", "2", "01", "ubuntu",
	    "Z", "a1", "10"};
	static const char *ws[] = {" ", "\t", "\n", "\xc2\xa0", "\x1f"};

	b->n = 0;
	b->s[0] = '\0';
	if (pick(20) == 0)
		put(b, ws[pick(5)]);
	if (pick(10) == 0)
		put(b, pick(2) ? "v" : "V");
	if (pick(8) == 0) {
		put_num(b);
		put(b, "!");
	}
	put_num(b);
	for (unsigned i = pick(4); i > 0; i--) {
		put(b, ".");
		put_num(b);
	}
	if (pick(3) == 0) {
		put_sep(b, true);
		put_word(b, pre[pick(8)]);
		put_sep(b, true);
		if (pick(4) != 0)
			put_num(b);
	}
	if (pick(3) == 0) {
		if (pick(3) == 0) {
			put(b, "-");
			put_num(b);
		} else {
			put_sep(b, true);
			put_word(b, post[pick(3)]);
			put_sep(b, true);
			if (pick(4) != 0)
				put_num(b);
		}
	}
	if (pick(3) == 0) {
		put_sep(b, true);
		put_word(b, "dev");
		put_sep(b, true);
		if (pick(4) != 0)
			put_num(b);
	}
	if (pick(4) == 0) {
		put(b, "+");
		put_word(b, lsegs[pick(8)]);
		for (unsigned i = pick(3); i > 0; i--) {
			put_sep(b, false);
			put_word(b, lsegs[pick(8)]);
		}
	}
	if (pick(20) == 0)
		put(b, ws[pick(5)]);
}

/* Breaks a version in one place, to probe the refusals. */
static void
mutate(struct sbuf *b)
{
	static const char alpha[] = ".-_+!vVaAbBcrRpPdDeEoOsStTlLx0129 ";
	size_t at = b->n == 0 ? 0 : pick((unsigned)b->n + 1);
	char c = alpha[pick(sizeof alpha - 1)];

	switch (pick(3)) {
	case 0: /* insert */
		if (b->n + 1 < sizeof b->s) {
			memmove(b->s + at + 1, b->s + at, b->n - at + 1);
			b->s[at] = c;
			b->n++;
		}
		break;
	case 1: /* delete */
		if (at < b->n) {
			memmove(b->s + at, b->s + at + 1, b->n - at);
			b->n--;
		}
		break;
	default: /* replace */
		if (at < b->n)
			b->s[at] = c;
		break;
	}
}

static const char *edge[] = {
	"", " ", "0", "1", "1.0", "1.0.0", "1!0", "0!0", "1.0a", "1.0a0",
	"1.0.dev", "1.0.post", "1.0-1", "1.0-", "1.0+", "1.0+a", "1.0+A",
	"1.0+1", "1.0+01", "1.0+a.1", "1.0+a-1", "1.0+1.a", "1.0rc1.dev1",
	"1.0.post1.dev1", "1.0a1.post1", "1.0a1.post1.dev1", "1.0.dev1",
	"1.0a1.dev1", "1.0b", "1.0c", "1.0rc", "1.0preview", "1.0pre",
	"1.0alpha", "1.0beta", "1.0r", "1.0rev", "1.0post", "1.0dev",
	"1.0.a.1", "1.0-a-1", "1.0_a_1", "1.0a.1", "1.0a-1", "1.0a1-1",
	"1.0-1-1", "1.0.post1-1", "1.0a1a1", "1.0alpa1", "1.0pr", "1.0re",
	"1.0de", "1.0devv", "v1", "vv1", "V1.0", "1.0v", "1..0", ".1", "1.",
	"1.0.", "1.0+.a", "1.0+a.", "1.0+a..b", "1.0+a_b-c.d", "01!01",
	"1!", "!1", "1!1!1", "1.0 ", " 1.0", "1 .0", "1.0\x0b", "\x0c1.0",
	"\x1c" "1.0", "1.0\x1d", "\xe2\x80\x83" "1.0", "1.0\xe3\x80\x80",
	"1.0\xe2\x80\xa8", "\xc2\x85" "1.0", "1.0\xc2\xa0", "1.0\xc2",
	"1.0+\xc3\xa9", "1.0a\xce\xb1", "1.0.post.dev", "1.0-post-dev",
	"1.0_r_", "1.0r.", "1.0rc.", "1.0a_", "1.0.dev.", "1.0.dev_1",
	"1.0rc1+1", "1.0.99999999999999999999", "1.0.100000000000000000000",
	"1.0+99999999999999999999999", "1.0+abc999", "1.0+999abc",
};

/*
 * Sends all pairs to one python process as hex (whitespace and
 * non-ASCII survive the pipe) and compares its answers with ours.
 */
static void
differential_matches_python_packaging(void **state)
{
	static const char script[] =
	    "import sys\n"
	    "from packaging.version import Version, InvalidVersion\n"
	    "def p(h):\n"
	    "    try:\n"
	    "        return Version(bytes.fromhex(h[1:]).decode('utf-8'))\n"
	    "    except (InvalidVersion, UnicodeDecodeError):\n"
	    "        return None\n"
	    "out = []\n"
	    "for line in sys.stdin:\n"
	    "    a, b = line.split()\n"
	    "    x, y = p(a), p(b)\n"
	    "    c = 'x' if x is None or y is None else "
	    "str((x > y) - (x < y))\n"
	    "    out.append('%d %d %s' % (x is not None, y is not None, c))\n"
	    "sys.stdout.write('\\n'.join(out) + '\\nEND\\n')\n";
	char path[] = "/tmp/vigil-pep440-XXXXXX";
	char cmd[512], line[64];
	size_t ne = sizeof edge / sizeof edge[0], npairs = 0, nvalid = 0;
	size_t ninvalid = 0, nmis = 0, i;
	struct sbuf a, b;
	FILE *in, *out;
	int fd, st;
	struct {
		struct sbuf a, b;
	} *pairs;
	const size_t ngen = 6000;

	(void)state;
	if (access(PYTHON, X_OK) != 0)
		fail_msg("%s missing: install python3 and python3-packaging "
		    "(the differential test needs packaging.version)", PYTHON);
	pairs = calloc(ne * ne + ngen, sizeof *pairs);
	assert_non_null(pairs);
	for (i = 0; i < ne * ne; i++) {
		put(&pairs[npairs].a, edge[i / ne]);
		put(&pairs[npairs].b, edge[i % ne]);
		npairs++;
	}
	for (i = 0; i < ngen; i++) {
		gen_version(&a);
		switch (pick(4)) {
		case 0: /* unrelated */
			gen_version(&b);
			break;
		case 1: /* one broken */
			b = a;
			mutate(&b);
			break;
		default: /* near: same prefix, different suffix */
			b = a;
			if (pick(2))
				mutate(&b);
			mutate(&b);
			if (pick(3) == 0)
				mutate(&a);
			break;
		}
		pairs[npairs].a = a;
		pairs[npairs].b = b;
		npairs++;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	in = fdopen(fd, "w");
	assert_non_null(in);
	for (i = 0; i < npairs; i++) {
		fputc('x', in);
		for (const char *p = pairs[i].a.s; *p; p++)
			fprintf(in, "%02x", (unsigned char)*p);
		fputs(" x", in);
		for (const char *p = pairs[i].b.s; *p; p++)
			fprintf(in, "%02x", (unsigned char)*p);
		fputc('\n', in);
	}
	assert_int_equal(fclose(in), 0);
	{
		char spath[] = "/tmp/vigil-pep440-py-XXXXXX";
		int sfd = mkstemp(spath);
		FILE *sf;

		assert_true(sfd >= 0);
		sf = fdopen(sfd, "w");
		assert_non_null(sf);
		fputs(script, sf);
		assert_int_equal(fclose(sf), 0);
		snprintf(cmd, sizeof cmd, "%s %s < %s", PYTHON, spath, path);
		out = popen(cmd, "r");
		assert_non_null(out);
		for (i = 0; i < npairs; i++) {
			char err[256];
			int va = -1, vb = -1, ours_a, ours_b, theirs = 2, ours = 2;
			char c[4];

			if (fgets(line, sizeof line, out) == NULL ||
			    sscanf(line, "%d %d %3s", &va, &vb, c) != 3) {
				pclose(out);
				unlink(spath);
				unlink(path);
				fail_msg("python packaging gave no answer for "
				    "pair %zu (is python3-packaging "
				    "installed for %s?)", i, PYTHON);
			}
			ours_a = version_pep440_check(pairs[i].a.s, err,
			    sizeof err) == 0;
			ours_b = version_pep440_check(pairs[i].b.s, err,
			    sizeof err) == 0;
			if (c[0] != 'x')
				theirs = c[0] == '-' ? -1 : c[0] == '1';
			if (ours_a && ours_b)
				ours = sign(version_pep440_cmp(pairs[i].a.s,
				    pairs[i].b.s));
			if (va != ours_a || vb != ours_b ||
			    (va && vb && ours != theirs)) {
				if (nmis++ < 20)
					printf("MISMATCH '%s' '%s': python "
					    "valid %d %d cmp %s; ours valid "
					    "%d %d cmp %d\n", pairs[i].a.s,
					    pairs[i].b.s, va, vb, c, ours_a,
					    ours_b, ours);
			}
			nvalid += (size_t)(va && vb);
			ninvalid += (size_t)(!va) + (size_t)(!vb);
		}
		if (fgets(line, sizeof line, out) == NULL ||
		    strcmp(line, "END\n") != 0)
			nmis++;
		st = pclose(out);
		unlink(spath);
	}
	unlink(path);
	free(pairs);
	printf("differential vs packaging.version: %zu pairs (%zu edge, "
	    "%zu generated), %zu both valid, %zu invalid strings, "
	    "%zu mismatches, python exit %d\n", npairs, ne * ne, ngen, nvalid,
	    ninvalid, nmis, st);
	assert_int_equal(st, 0);
	assert_int_equal(nmis, 0);
	assert_true(nvalid > 2000);
	assert_true(ninvalid > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pep_examples_sort_strictly_ascending),
		cmocka_unit_test(normalisation_makes_spellings_equal),
		cmocka_unit_test(release_and_local_order_as_packaging),
		cmocka_unit_test(invalid_versions_are_refused_with_offset),
		cmocka_unit_test(differential_matches_python_packaging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
