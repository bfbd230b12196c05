/*
 * Unit tests of the dpkg, RPM and apk version schemes
 * (src/lib/vuln/version_{dpkg,rpm,apk}.c). dpkg and RPM are checked
 * differentially against the ecosystems' own code on thousands of
 * generated pairs (fixed-seed PRNG) plus the man pages' edge cases:
 * `dpkg --compare-versions` (one sh process runs the whole batch) and
 * Debian's /usr/bin/python3 with rpm.labelCompare (one python process
 * reads every pair). A missing peer is a failure, never a skip. apk
 * has no tool on Debian: hand-made expectations from apk-tools'
 * version.c rules and Alpine versions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vuln/version_internal.h"

#define NPAIRS 3000
#define VLEN 48

static uint64_t prng_state;

/* splitmix64: deterministic across platforms, unlike rand(). */
static uint64_t
prng(void)
{
	uint64_t z = (prng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(prng() % n);
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

struct pair {
	char a[VLEN];
	char b[VLEN];
};

/* Appends one random piece out of set to s (bounded). */
static void
add(char *s, const char *piece)
{
	size_t n = strlen(s), m = strlen(piece);

	if (n + m < VLEN - 1)
		memcpy(s + n, piece, m + 1);
}

static void
gen_part(char *s, const char *seps, int first_digit)
{
	static const char *digits[] = {"0", "1", "2", "9", "10", "01", "00",
	    "100", "007", "12345678901234567890"};
	static const char *words[] = {"a", "b", "z", "A", "Z", "rc", "alpha",
	    "beta", "git", "p", "dfsg", "ubuntu", "deb", "el", "fc"};
	unsigned n = 1 + pick(5);
	char one[2] = {0, 0};

	if (first_digit)
		add(s, digits[pick(10)]);
	for (unsigned i = 0; i < n; i++) {
		switch (pick(4)) {
		case 0:
		case 1:
			one[0] = seps[pick((unsigned)strlen(seps))];
			add(s, one);
			add(s, digits[pick(10)]);
			break;
		case 2:
			add(s, words[pick(15)]);
			break;
		default:
			add(s, digits[pick(10)]);
			break;
		}
	}
}

/* A close relative of a: same text with one small edit. */
static void
mutate(const char *a, char *b, const char *alphabet)
{
	size_t n = strlen(a), at = n > 0 ? pick((unsigned)n) : 0;
	char c = alphabet[pick((unsigned)strlen(alphabet))];

	memcpy(b, a, n + 1);
	switch (pick(3)) {
	case 0: /* replace */
		if (n > 0)
			b[at] = c;
		break;
	case 1: /* insert */
		if (n + 1 < VLEN) {
			memmove(b + at + 1, b + at, n - at + 1);
			b[at] = c;
		}
		break;
	default: /* append */
		if (n + 1 < VLEN) {
			b[n] = c;
			b[n + 1] = '\0';
		}
		break;
	}
}

static void
gen_dpkg(char *s)
{
	s[0] = '\0';
	if (pick(4) == 0)
		add(s, pick(2) ? "1:" : (pick(2) ? "0:" : "10:"));
	/* A few upstreams that start with a letter: dpkg warns and
	 * compares them; we accept them too. */
	gen_part(s, pick(3) ? ".+~" : ".+~-:", pick(20) != 0);
	if (pick(3) != 0) {
		add(s, "-");
		gen_part(s, ".+~", pick(4) != 0);
	}
}

static void
gen_rpm(char *s)
{
	s[0] = '\0';
	if (pick(4) == 0)
		add(s, pick(2) ? "1:" : (pick(2) ? "0:" : "10:"));
	gen_part(s, "._+~^", pick(20) != 0);
	if (pick(3) != 0) {
		add(s, "-");
		gen_part(s, "._+~^", pick(4) != 0);
	}
}

static const char *const dpkg_edges[][2] = {
	/* deb-version(7): ~~ < ~~a < ~ < (empty) < a */
	{"1.0~~", "1.0~~a"}, {"1.0~~a", "1.0~"}, {"1.0~", "1.0"},
	{"1.0", "1.0a"}, {"1.0~rc1", "1.0"}, {"1.0-1", "1.0-1~bpo1"},
	{"1.0", "1.0-0"}, {"0:1.0", "1.0"}, {"1:0.1", "2.0"},
	{"1.0", "1.00"}, {"1.01", "1.1"}, {"1.0+dfsg-1", "1.0-1"},
	{"1.0.", "1.0"}, {"1.0a", "1.0+"}, {"1.0-1ubuntu1", "1.0-1"},
	{"2.30-21ubuntu1~18.04.4", "2.30-21ubuntu1~18.04.10"},
	{"1:2:3-4", "1:2:3"}, {"1.0-a-b", "1.0-a"}, {"a1.0", "1.0"},
	{"abc", "abd"}, {"0001", "1"}, {"99999999999999999999", "1"},
	{"1.2.3-1+deb12u1", "1.2.3-1"}, {"7.88.1-10+deb12u5",
	    "7.88.1-10+deb12u12"}, {"1.0~", "1.0~~"}, {"1", "1-0"},
	{"1:1", "2:0"}, {"2147483647:1", "1:1"},
};

static const char *const rpm_edges[][2] = {
	{"1.0~rc1", "1.0"}, {"1.0^git1", "1.0"}, {"1.0^git1", "1.0.1"},
	{"1.0~rc1^git1", "1.0~rc1"}, {"1.0~rc1^git1", "1.0"},
	{"1.0^", "1.0"}, {"1.0~", "1.0"}, {"1.0", "1.0-1"},
	{"1.0-1", "1.0-1.el9"}, {"0:1.0-1", "1.0-1"}, {"1:0.1", "9.9"},
	{"1.0a", "1.0"}, {"1.0a", "1.0.1"}, {"1.0_1", "1.0.1"},
	{"1.0+1", "1.0.1"}, {"1.01", "1.1"}, {"1.a", "1.1"},
	{"2.el9", "2.el10"}, {"1e", "1.e"}, {"1.0", "1.0."},
	{"5.14.0-362.8.1.el9_3", "5.14.0-362.18.1.el9_3"},
	{"abc", "ABC"}, {"1^1", "1~1"}, {"1~~", "1~"}, {"1^^", "1^"},
};

/* Runs cmd, which prints one result line per pair, into got[]. */
static void
run_peer(const char *cmd, const char *peer, int *got, size_t n)
{
	char line[64];
	size_t i = 0;
	FILE *f = popen(cmd, "r");

	if (f == NULL)
		fail_msg("%s: cannot run", peer);
	while (i < n && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "lt", 2) == 0 || strcmp(line, "-1\n") == 0)
			got[i++] = -1;
		else if (strncmp(line, "eq", 2) == 0 ||
		    strcmp(line, "0\n") == 0)
			got[i++] = 0;
		else if (strncmp(line, "gt", 2) == 0 ||
		    strcmp(line, "1\n") == 0)
			got[i++] = 1;
		else
			fail_msg("%s: unexpected output \"%s\"", peer, line);
	}
	if (pclose(f) != 0 || i != n)
		fail_msg("%s: %zu of %zu answers (peer missing or failed?)",
		    peer, i, n);
}

static struct pair pairs[NPAIRS + 64];
static int peer[NPAIRS + 64];

static size_t
fill(void (*gen)(char *), const char *const (*edges)[2], size_t nedges,
    const char *alphabet, int (*check)(const char *, char *, size_t))
{
	char err[256];
	size_t n = 0;

	for (size_t i = 0; i < nedges; i++, n++) {
		snprintf(pairs[n].a, VLEN, "%s", edges[i][0]);
		snprintf(pairs[n].b, VLEN, "%s", edges[i][1]);
	}
	while (n < nedges + NPAIRS) {
		gen(pairs[n].a);
		if (pick(3) == 0)
			gen(pairs[n].b);
		else
			mutate(pairs[n].a, pairs[n].b, alphabet);
		/* Mutations may leave the scheme: keep valid pairs only. */
		if (check(pairs[n].a, err, sizeof(err)) == 0 &&
		    check(pairs[n].b, err, sizeof(err)) == 0)
			n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (check(pairs[i].a, err, sizeof(err)) != 0 ||
		    check(pairs[i].b, err, sizeof(err)) != 0)
			fail_msg("edge pair %zu refused: %s", i, err);
	}
	return n;
}

static void
compare_all(const char *scheme, size_t n, int (*cmp)(const char *,
    const char *))
{
	size_t eq = 0, bad = 0;

	for (size_t i = 0; i < n; i++) {
		int r = sign(cmp(pairs[i].a, pairs[i].b));
		int rev = sign(cmp(pairs[i].b, pairs[i].a));

		if (r != peer[i] && bad++ < 20)
			print_message("MISMATCH %s %s vs %s: ours %d, peer %d\n",
			    scheme, pairs[i].a, pairs[i].b, r, peer[i]);
		if (rev != -r)
			fail_msg("%s %s vs %s: not antisymmetric", scheme,
			    pairs[i].a, pairs[i].b);
		eq += r == 0;
	}
	print_message("%s: %zu pairs (%zu equal) compared with the peer, "
		      "%zu mismatches\n",
	    scheme, n, eq, bad);
	assert_int_equal(bad, 0);
}

static void
dpkg_agrees_with_dpkg_compare_versions(void **state)
{
	char path[] = "/tmp/vigil-vdpkg-XXXXXX", cmd[128];
	size_t n;
	FILE *f = NULL;
	int fd;

	(void)state;
	prng_state = 0x64706b67ULL;
	n = fill(gen_dpkg, dpkg_edges,
	    sizeof(dpkg_edges) / sizeof(*dpkg_edges), "0123456789ab.+~-:",
	    version_dpkg_check);
	fd = mkstemp(path);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		fail_msg("cannot create %s", path);
	/* Exit status 2 (bad syntax, unknown option) prints "err";
	 * "--" because a version may start with '-'. */
	fputs("c() {\n"
	      "  dpkg --compare-versions -- \"$1\" lt \"$2\"\n"
	      "  case $? in 0) echo lt; return;; 1) ;; *) echo err; "
	      "return;; esac\n"
	      "  dpkg --compare-versions -- \"$1\" eq \"$2\"\n"
	      "  case $? in 0) echo eq;; 1) echo gt;; *) echo err;; esac\n"
	      "}\n",
	    f);
	/* Versions hold only [A-Za-z0-9.+~:-]: safe in single quotes. */
	for (size_t i = 0; i < n; i++)
		fprintf(f, "c '%s' '%s'\n", pairs[i].a, pairs[i].b);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	    "command -v dpkg >/dev/null && sh %s 2>/dev/null", path);
	print_message("dpkg: %zu pairs through dpkg --compare-versions\n", n);
	run_peer(cmd, "dpkg --compare-versions", peer, n);
	unlink(path);
	compare_all("dpkg", n, version_dpkg_cmp);
}

static void
rpm_agrees_with_python3_rpm_labelcompare(void **state)
{
	static const char script[] =
	    "import re, sys, rpm\n"
	    "def evr(s):\n"
	    "    e = None\n"
	    "    m = re.match(r'(\\d+):', s)\n"
	    "    if m:\n"
	    "        e, s = m.group(1), s[m.end():]\n"
	    "    v, _, r = s.rpartition('-')\n"
	    "    return (e, v, r) if v else (e, s, None)\n"
	    "for line in sys.stdin:\n"
	    "    a, b = line.split()\n"
	    "    print(rpm.labelCompare(evr(a), evr(b)))\n";
	char path[] = "/tmp/vigil-vdpkg-XXXXXX", spath[] =
	    "/tmp/vigil-vdpkg-py-XXXXXX", cmd[160];
	size_t n;
	FILE *f = NULL;
	int fd;

	(void)state;
	prng_state = 0x72706dULL;
	n = fill(gen_rpm, rpm_edges, sizeof(rpm_edges) / sizeof(*rpm_edges),
	    "0123456789ab._+~^-:", version_rpm_check);
	fd = mkstemp(path);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		fail_msg("cannot create %s", path);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s\n", pairs[i].a, pairs[i].b);
	fclose(f);
	fd = mkstemp(spath);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		fail_msg("cannot create %s", spath);
	fputs(script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s < %s", spath, path);
	print_message("rpm: %zu pairs through python3 rpm.labelCompare\n",
	    n);
	run_peer(cmd, "/usr/bin/python3 rpm.labelCompare", peer, n);
	unlink(path);
	unlink(spath);
	compare_all("rpm", n, version_rpm_cmp);
}

static void
expect(int (*cmp)(const char *, const char *), const char *a, int want,
    const char *b)
{
	int r = sign(cmp(a, b));

	print_message("  %s %s %s\n", a, want < 0 ? "<" : want ? ">" : "=",
	    b);
	if (r != want || sign(cmp(b, a)) != -want)
		fail_msg("%s vs %s: got %d, want %d", a, b, r, want);
}

static void
refused(int (*check)(const char *, char *, size_t), const char *v,
    const char *want)
{
	char err[256] = "";

	if (check(v, err, sizeof(err)) == 0)
		fail_msg("\"%s\" accepted", v);
	print_message("  refused \"%s\": %s\n", v, err);
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("\"%s\": error \"%s\", want \"%s\"", v, err, want);
}

static void
dpkg_refuses_what_deb_version_forbids(void **state)
{
	(void)state;
	refused(version_dpkg_check, "", "dpkg \"\": empty version");
	refused(version_dpkg_check, ":1.0", "dpkg :1.0: epoch is empty");
	refused(version_dpkg_check, "a:1.0",
	    "dpkg a:1.0: epoch is not a number at offset 0");
	refused(version_dpkg_check, "1:",
	    "dpkg 1:: nothing after the epoch colon");
	refused(version_dpkg_check, "2147483648:1",
	    "dpkg 2147483648:1: epoch is too big (max 2147483647)");
	refused(version_dpkg_check, "1.0-", "dpkg 1.0-: revision is empty");
	refused(version_dpkg_check, "-1",
	    "dpkg -1: upstream version is empty");
	refused(version_dpkg_check, "1.0 1",
	    "dpkg 1.0 1: whitespace at offset 3");
	refused(version_dpkg_check, "1.0_1",
	    "dpkg 1.0_1: invalid character in upstream version at offset 3");
	refused(version_dpkg_check, "1.0-1:2",
	    "dpkg 1.0-1:2: epoch is not a number at offset 1");
	refused(version_dpkg_check, "1.0-1_2",
	    "dpkg 1.0-1_2: invalid character in revision at offset 5");
	refused(version_dpkg_check, "+1:1.0", NULL);
	assert_int_equal(version_dpkg_check("a1.0", NULL, 0), 0);
	assert_int_equal(version_dpkg_check("1:2:3-4-5", NULL, 0), 0);
	assert_int_equal(version_dpkg_check("1.0~rc1+dfsg-1~bpo12+1", NULL,
			     0),
	    0);
}

static void
dpkg_orders_as_deb_version_describes(void **state)
{
	(void)state;
	expect(version_dpkg_cmp, "1.0~~", -1, "1.0~~a");
	expect(version_dpkg_cmp, "1.0~~a", -1, "1.0~");
	expect(version_dpkg_cmp, "1.0~", -1, "1.0");
	expect(version_dpkg_cmp, "1.0", -1, "1.0a");
	expect(version_dpkg_cmp, "1.0a", -1, "1.0+");
	expect(version_dpkg_cmp, "1.0", 0, "1.0-0");
	expect(version_dpkg_cmp, "1.0", 0, "0:1.0");
	expect(version_dpkg_cmp, "1.0", 0, "1.00");
	expect(version_dpkg_cmp, "1:0.1", 1, "99.0");
	expect(version_dpkg_cmp, "99999999999999999999", 1,
	    "99999999999999999998");
}

static void
rpm_refuses_malformed_evr(void **state)
{
	(void)state;
	refused(version_rpm_check, "", "RPM \"\": empty version");
	refused(version_rpm_check, ":1.0", "RPM :1.0: epoch is empty");
	refused(version_rpm_check, "1:", "RPM 1:: version is empty");
	refused(version_rpm_check, "1.0-", "RPM 1.0-: release is empty");
	refused(version_rpm_check, "1-2-3",
	    "RPM 1-2-3: invalid character in version at offset 1");
	refused(version_rpm_check, "1.0 ",
	    "RPM 1.0 : invalid character in version at offset 3");
	refused(version_rpm_check, "a:1.0",
	    "RPM a:1.0: invalid character in version at offset 1");
	refused(version_rpm_check, "1.0-1%{?dist}",
	    "RPM 1.0-1%{?dist}: invalid character in release at offset 5");
	assert_int_equal(version_rpm_check("1:1.0^git1~rc2-3.el9_3", NULL, 0),
	    0);
}

static void
rpm_orders_tilde_caret_and_missing_parts(void **state)
{
	(void)state;
	expect(version_rpm_cmp, "1.0~rc1", -1, "1.0");
	expect(version_rpm_cmp, "1.0", -1, "1.0^git1");
	expect(version_rpm_cmp, "1.0^git1", -1, "1.0.1");
	expect(version_rpm_cmp, "1.0~rc1", -1, "1.0~rc1^git1");
	expect(version_rpm_cmp, "1.0~rc1^git1", -1, "1.0");
	expect(version_rpm_cmp, "1.0-1", 0, "0:1.0-1");
	expect(version_rpm_cmp, "1.0", -1, "1.0-0");
	expect(version_rpm_cmp, "1.0_1", 0, "1.0.1");
	expect(version_rpm_cmp, "1.a", -1, "1.1");
	expect(version_rpm_cmp, "2.el9", -1, "2.el10");
	expect(version_rpm_cmp, "1:0.1", 1, "99");
}

static void
apk_accepts_the_grammar_and_refuses_the_rest(void **state)
{
	static const char *const ok[] = {"1", "01", "1.2.3", "1.0a",
	    "1.0_alpha", "1.0_alpha1_p2", "1.0a_rc3-r7", "2.14.0_git20230101",
	    "1.0~a1b2c3", "1.0_p1~dead-r2", "0.0.0-r0",
	    "123456789012345678901234567890"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		char err[256] = "";

		print_message("  accepted \"%s\"\n", ok[i]);
		if (version_apk_check(ok[i], err, sizeof(err)) != 0)
			fail_msg("\"%s\" refused: %s", ok[i], err);
	}
	refused(version_apk_check, "", "apk \"\": empty version");
	refused(version_apk_check, "a1", "apk a1: must start with a digit");
	refused(version_apk_check, "v1.0", "apk v1.0: must start with a digit");
	refused(version_apk_check, "1.", "apk 1.: invalid version at offset 1");
	refused(version_apk_check, "1..2",
	    "apk 1..2: invalid version at offset 1");
	refused(version_apk_check, "1.0ab",
	    "apk 1.0ab: invalid version at offset 4");
	refused(version_apk_check, "1.0a1",
	    "apk 1.0a1: invalid version at offset 4");
	refused(version_apk_check, "1.0A", NULL);
	refused(version_apk_check, "1.0_foo",
	    "apk 1.0_foo: invalid version at offset 3");
	refused(version_apk_check, "1.0_RC1", NULL);
	refused(version_apk_check, "1.0_", NULL);
	refused(version_apk_check, "1.0-1",
	    "apk 1.0-1: invalid version at offset 3");
	refused(version_apk_check, "1.0-r", NULL);
	refused(version_apk_check, "1.0-r1-r2", NULL);
	refused(version_apk_check, "1.0-r1_p1", NULL);
	refused(version_apk_check, "1.0~", NULL);
	refused(version_apk_check, "1.0~xyz", NULL);
	refused(version_apk_check, "1.0~ab_p1", NULL);
	refused(version_apk_check, "1.0-r1~ab", NULL);
	refused(version_apk_check, "1.0 ", NULL);
	refused(version_apk_check, "1.0.a", NULL);
}

static void
apk_orders_as_apk_tools(void **state)
{
	/* Each version older than the next. */
	static const char *const chain[] = {"0.1", "0.1.0", "0.1.0.1",
	    "0.2_alpha", "0.2_alpha1", "0.2_alpha2", "0.2_alpha10",
	    "0.2_beta", "0.2_pre", "0.2_rc", "0.2_rc1", "0.2", "0.2-r1",
	    "0.2-r10", "0.2~ab", "0.2~ab-r1", "0.2~b", "0.2_cvs", "0.2_svn",
	    "0.2_git", "0.2_hg", "0.2_p", "0.2_p1", "0.2_p1_p1", "0.2a",
	    "0.2a_p1", "0.2b", "0.2z", "0.2.0", "0.2.01", "0.2.09", "0.2.1",
	    "0.2.9", "0.2.10", "1.0", "2.0", "10", "99999999999999999999",
	    "100000000000000000000"};
	size_t n = sizeof(chain) / sizeof(*chain);

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(version_apk_check(chain[i], NULL, 0), 0);
	for (size_t i = 0; i + 1 < n; i++)
		expect(version_apk_cmp, chain[i], -1, chain[i + 1]);
	/* The chain must be totally ordered, not only pairwise. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (sign(version_apk_cmp(chain[i], chain[j])) !=
			    (i < j ? -1 : i > j))
				fail_msg("%s vs %s out of order", chain[i],
				    chain[j]);
	expect(version_apk_cmp, "01", 0, "1");
	expect(version_apk_cmp, "1.0", -1, "1.00");
	expect(version_apk_cmp, "1.001", -1, "1.01");
	expect(version_apk_cmp, "1.010", 1, "1.01");
	expect(version_apk_cmp, "1.2.3_rc1-r0", -1, "1.2.3-r0");
	expect(version_apk_cmp, "1.0_p1", 1, "1.0-r1");
	expect(version_apk_cmp, "1.0_p1", -1, "1.0.1");
	expect(version_apk_cmp, "1.0_rc1", -1, "1.0.1");
	expect(version_apk_cmp, "1.0_alpha", -1, "1.0-r0");
	expect(version_apk_cmp, "3.0.13-r0", -1, "3.0.15-r0");
	expect(version_apk_cmp, "1.36.1-r2", 1, "1.36.1-r1");
	expect(version_apk_cmp, "2.34", 1, "0.1.0_alpha");
	expect(version_apk_cmp, "1.0-r0", 1, "1.0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dpkg_refuses_what_deb_version_forbids),
		cmocka_unit_test(dpkg_orders_as_deb_version_describes),
		cmocka_unit_test(dpkg_agrees_with_dpkg_compare_versions),
		cmocka_unit_test(rpm_refuses_malformed_evr),
		cmocka_unit_test(rpm_orders_tilde_caret_and_missing_parts),
		cmocka_unit_test(rpm_agrees_with_python3_rpm_labelcompare),
		cmocka_unit_test(apk_accepts_the_grammar_and_refuses_the_rest),
		cmocka_unit_test(apk_orders_as_apk_tools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
