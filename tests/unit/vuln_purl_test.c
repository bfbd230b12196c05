/*
 * Package URLs (src/lib/vuln/purl.c, purl_key.c): parsing and
 * canonical form in the style of the purl-spec test suite (cases
 * written here), errors with offsets, and package keys for every
 * ecosystem, purl side and OSV side giving byte-identical keys.
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

static struct vigil_purl *
parse_ok(const char *s)
{
	struct vigil_purl *p = NULL;
	char err[256] = "";

	if (vigil_purl_parse(s, &p, err, sizeof err) != VIGIL_OK)
		fail_msg("%s: expected valid: %s", s, err);
	return p;
}

/* One spec-style case: input, canonical output, components. */
struct pcase {
	const char *in, *canon;
	const char *type, *ns, *name, *version, *subpath;
};

static void
spec_style_cases_parse_and_canonicalise(void **state)
{
	static const struct pcase cases[] = {
		{ "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
		  "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
		  "deb", "debian", "curl", "7.50.3-1", "" },
		{ "pkg:maven/org.apache.commons/io@1.3.4",
		  "pkg:maven/org.apache.commons/io@1.3.4",
		  "maven", "org.apache.commons", "io", "1.3.4", "" },
		{ "PKG:PyPI/Django_Rest@1.11.1",
		  "pkg:pypi/django-rest@1.11.1",
		  "pypi", "", "django-rest", "1.11.1", "" },
		{ "pkg:npm/%40angular/animation@12.3.1",
		  "pkg:npm/%40angular/animation@12.3.1",
		  "npm", "@angular", "animation", "12.3.1", "" },
		{ "pkg:npm/@Angular/Animation@12.3.1",
		  "pkg:npm/%40angular/animation@12.3.1",
		  "npm", "@angular", "animation", "12.3.1", "" },
		{ "pkg:golang/github.com/Sirupsen/logrus@v1.9.0#hooks/syslog",
		  "pkg:golang/github.com/Sirupsen/logrus@v1.9.0#hooks/syslog",
		  "golang", "github.com/Sirupsen", "logrus", "v1.9.0",
		  "hooks/syslog" },
		{ "pkg:GitHub/Package-URL/Purl-Spec@244fd47e07d1004f0aed9c",
		  "pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c",
		  "github", "package-url", "purl-spec",
		  "244fd47e07d1004f0aed9c", "" },
		{ "pkg:deb/ubuntu/pcre3@2%3A8.39-12?distro=focal",
		  "pkg:deb/ubuntu/pcre3@2:8.39-12?distro=focal",
		  "deb", "ubuntu", "pcre3", "2:8.39-12", "" },
		{ "pkg://generic//openssl///@1.1.1w/",
		  "pkg:generic/openssl@1.1.1w",
		  "generic", "", "openssl", "1.1.1w", "" },
		{ "pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org"
		  "/dxtr/bitwarderl%40cc55108da32",
		  "pkg:generic/bitwarderl?vcs_url=git%2Bhttps:%2F%2Fgit.fsfe"
		  ".org%2Fdxtr%2Fbitwarderl%40cc55108da32",
		  "generic", "", "bitwarderl", "", "" },
		{ "pkg:rpm/RedHat/OpenSSL@1:3.0.7-18.el9?Arch=x86_64&epoch=1&"
		  "empty=#./src/../lib//",
		  "pkg:rpm/redhat/OpenSSL@1:3.0.7-18.el9?arch=x86_64&epoch=1"
		  "#src/lib",
		  "rpm", "redhat", "OpenSSL", "1:3.0.7-18.el9", "src/lib" },
		{ "pkg:generic/a%20b/c%2Fd@1%2B2",
		  "pkg:generic/a%20b/c%2Fd@1%2B2",
		  "generic", "a b", "c/d", "1+2", "" },
		{ "pkg:docker/customer/dockerimage@sha256%3A244fd47e07d10?"
		  "repository_url=gcr.io",
		  "pkg:docker/customer/dockerimage@sha256:244fd47e07d10?"
		  "repository_url=gcr.io",
		  "docker", "customer", "dockerimage", "sha256:244fd47e07d10",
		  "" },
	};

	(void)state;
	say("purl-spec style cases: components and canonical form");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct pcase *c = &cases[i];
		struct vigil_purl *p = parse_ok(c->in), *p2;
		char *s = NULL, *s2 = NULL;

		assert_string_equal(p->type, c->type);
		assert_string_equal(p->ns, c->ns);
		assert_string_equal(p->name, c->name);
		assert_string_equal(p->version, c->version);
		assert_string_equal(p->subpath, c->subpath);
		assert_int_equal(vigil_purl_to_string(p, 1, &s), VIGIL_OK);
		if (strcmp(s, c->canon) != 0)
			fail_msg("%s: canonical %s, expected %s", c->in, s,
			    c->canon);
		/* canonical form is a fixed point */
		p2 = parse_ok(s);
		assert_int_equal(vigil_purl_to_string(p2, 1, &s2), VIGIL_OK);
		assert_string_equal(s, s2);
		vigil_free(s);
		vigil_free(s2);
		vigil_purl_free(p2);
		vigil_purl_free(p);
	}
}

static void
qualifiers_sorted_lowercased_empty_dropped(void **state)
{
	struct vigil_purl *p;
	char *s = NULL;

	(void)state;
	say("qualifier keys lowercased, sorted, empty values dropped");
	p = parse_ok("pkg:apk/alpine/zlib@1.2.12-r1?distro=3.22.0&"
	    "Origin=zlib&arch=x86_64&x=&&");
	assert_int_equal(p->nqualifiers, 3);
	assert_string_equal(p->qualifiers[0].key, "arch");
	assert_string_equal(p->qualifiers[1].key, "distro");
	assert_string_equal(p->qualifiers[2].key, "origin");
	assert_string_equal(vigil_purl_qualifier(p, "origin"), "zlib");
	assert_null(vigil_purl_qualifier(p, "x"));
	assert_null(vigil_purl_qualifier(p, "Origin"));
	say("without version: no version, no qualifiers");
	assert_int_equal(vigil_purl_to_string(p, 0, &s), VIGIL_OK);
	assert_string_equal(s, "pkg:apk/alpine/zlib");
	vigil_free(s);
	vigil_purl_free(p);
}

static void
errors_name_what_and_offset(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "pkg:deb/x@%zz",
		  "purl pkg:deb/x@%zz: bad percent-encoding at offset 11" },
		{ "pkg:deb/x@1%2", "bad percent-encoding at offset 13" },
		{ "pkg:npm/a%00b", "encoded NUL at offset 9" },
		{ "http:npm/x", "scheme must be \"pkg:\" at offset 0" },
		{ "pkg:npm", "no name after the type" },
		{ "pkg:/x", "no name after the type" },
		{ "pkg:1npm/x", "type starts with a digit at offset 4" },
		{ "pkg:n_pm/x", "bad character in the type at offset 5" },
		{ "pkg:npm/x@", "'@' without a version at offset 9" },
		{ "pkg:npm/x?a=1&a=2", "repeated qualifier key" },
		{ "pkg:npm/x?1a=2", "qualifier key starts with a digit" },
		{ "pkg:npm/x?a%20b=2", "bad character in a qualifier key at "
		  "offset 11" },
		{ "pkg:npm/x?ab", "qualifier without '='" },
		{ "pkg:generic/a%2Fb/c", "encoded '/' inside a segment at "
		  "offset 13" },
		{ "pkg:npm/x\x01y", "control character at offset 9" },
		{ "pkg:npm/x%0Ay", "encoded control character at offset 9" },
	};
	char err[256];

	(void)state;
	say("malformed purls rejected with what and where");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vigil_purl *p = (struct vigil_purl *)1;

		err[0] = '\0';
		if (vigil_purl_parse(bad[i].in, &p, err, sizeof err) !=
		    VIGIL_EINVAL)
			fail_msg("%s: expected invalid", bad[i].in);
		assert_null(p);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: error '%s' lacks '%s'", bad[i].in, err,
			    bad[i].why);
	}
	say("an over-long purl is ERANGE");
	{
		char *big = malloc(VIGIL_PURL_MAX + 2);
		struct vigil_purl *p = NULL;

		assert_non_null(big);
		memset(big, 'a', VIGIL_PURL_MAX + 1);
		memcpy(big, "pkg:npm/", 8);
		big[VIGIL_PURL_MAX + 1] = '\0';
		assert_int_equal(vigil_purl_parse(big, &p, err, sizeof err),
		    VIGIL_ERANGE);
		free(big);
	}
}

static void
key_pair(const char *purl, const char *eco, const char *name,
    const char *want_eco, const char *want_rel, const char *want_name,
    enum vigil_vscheme want_scheme)
{
	struct vigil_purl *p = parse_ok(purl);
	struct vigil_pkg_key a, b;
	char err[256] = "";

	if (vigil_purl_pkg_key(p, &a, err, sizeof err) != VIGIL_OK)
		fail_msg("%s: %s", purl, err);
	if (vigil_osv_pkg_key(eco, name, &b, err, sizeof err) != VIGIL_OK)
		fail_msg("%s/%s: %s", eco, name, err);
	if (strcmp(a.ecosystem, want_eco) != 0 ||
	    strcmp(a.release, want_rel) != 0 ||
	    strcmp(a.name, want_name) != 0 || a.scheme != want_scheme)
		fail_msg("%s: key %s|%s|%s|%d, expected %s|%s|%s|%d", purl,
		    a.ecosystem, a.release, a.name, (int)a.scheme, want_eco,
		    want_rel, want_name, (int)want_scheme);
	if (memcmp(&a, &b, sizeof a) != 0)
		fail_msg("%s vs %s/%s: keys differ (%s|%s|%s vs %s|%s|%s)",
		    purl, eco, name, a.ecosystem, a.release, a.name,
		    b.ecosystem, b.release, b.name);
	assert_int_equal(vigil_ecosystem_scheme(eco), want_scheme);
	vigil_purl_free(p);
}

static void
keys_for_every_ecosystem_are_identical(void **state)
{
	(void)state;
	say("language ecosystems: purl key == OSV key");
	key_pair("pkg:npm/%40Babel/Core@7.0.0", "npm", "@babel/core", "npm",
	    "", "@babel/core", VIGIL_VS_SEMVER);
	key_pair("pkg:npm/lodash@4.17.20", "npm", "lodash", "npm", "",
	    "lodash", VIGIL_VS_SEMVER);
	key_pair("pkg:pypi/Zope.Interface@5.0", "PyPI", "zope_interface",
	    "PyPI", "", "zope-interface", VIGIL_VS_PEP440);
	key_pair("pkg:golang/github.com/gorilla/websocket@v1.5.0", "Go",
	    "github.com/gorilla/websocket", "Go", "",
	    "github.com/gorilla/websocket", VIGIL_VS_SEMVER);
	key_pair("pkg:cargo/tokio@1.0.0", "crates.io", "tokio", "crates.io",
	    "", "tokio", VIGIL_VS_SEMVER);
	key_pair("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
	    "Maven", "org.apache.logging.log4j:log4j-core", "Maven", "",
	    "org.apache.logging.log4j:log4j-core", VIGIL_VS_GENERIC);
	key_pair("pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet",
	    "Newtonsoft.Json", "NuGet", "", "newtonsoft.json",
	    VIGIL_VS_GENERIC);
	key_pair("pkg:gem/rails@6.1.0", "RubyGems", "rails", "RubyGems", "",
	    "rails", VIGIL_VS_GENERIC);
	key_pair("pkg:composer/Laravel/Framework@8.0.0", "Packagist",
	    "laravel/framework", "Packagist", "", "laravel/framework",
	    VIGIL_VS_GENERIC);
	key_pair("pkg:hex/Plug@1.0.0", "Hex", "plug", "Hex", "", "plug",
	    VIGIL_VS_SEMVER);
	key_pair("pkg:pub/http@0.13.0", "Pub", "http", "Pub", "", "http",
	    VIGIL_VS_SEMVER);
	key_pair("pkg:bitnami/nginx@1.25.2", "Bitnami", "nginx", "Bitnami",
	    "", "nginx", VIGIL_VS_SEMVER);
	key_pair("pkg:conan/zlib@1.2.13", "ConanCenter", "zlib",
	    "ConanCenter", "", "zlib", VIGIL_VS_GENERIC);
	key_pair("pkg:githubactions/actions/checkout@v4", "GitHub Actions",
	    "actions/checkout", "GitHub Actions", "", "actions/checkout",
	    VIGIL_VS_GENERIC);
	key_pair("pkg:swift/github.com/apple/swift-nio@2.0.0", "SwiftURL",
	    "github.com/apple/swift-nio", "SwiftURL", "",
	    "github.com/apple/swift-nio", VIGIL_VS_SEMVER);
	key_pair("pkg:hackage/aeson@2.0.0.0", "Hackage", "aeson", "Hackage",
	    "", "aeson", VIGIL_VS_GENERIC);
	key_pair("pkg:cran/Rcpp@1.0.0", "CRAN", "Rcpp", "CRAN", "", "Rcpp",
	    VIGIL_VS_GENERIC);

	say("distributions: release from distro, source package names");
	key_pair("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&"
	    "upstream=openssl&distro=debian-12", "Debian:12", "openssl",
	    "Debian", "12", "openssl", VIGIL_VS_DPKG);
	key_pair("pkg:deb/debian/curl@7.88.1-10?distro=bookworm", "Debian:12",
	    "curl", "Debian", "12", "curl", VIGIL_VS_DPKG);
	key_pair("pkg:deb/debian/libc6@2.36-9?source=glibc%402.36-9&"
	    "distro=debian-12.5", "Debian:12", "glibc", "Debian", "12",
	    "glibc", VIGIL_VS_DPKG);
	key_pair("pkg:deb/ubuntu/pcre3@2%3A8.39-12ubuntu0.1?arch=amd64&"
	    "distro=focal&source=pcre3", "Ubuntu:20.04:LTS", "pcre3",
	    "Ubuntu", "20.04", "pcre3", VIGIL_VS_DPKG);
	key_pair("pkg:deb/ubuntu/bash@5.1?distro=ubuntu-22.04",
	    "Ubuntu:Pro:22.04:LTS", "bash", "Ubuntu", "22.04", "bash",
	    VIGIL_VS_DPKG);
	key_pair("pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0&"
	    "origin=zlib", "Alpine:v3.22", "zlib", "Alpine", "v3.22", "zlib",
	    VIGIL_VS_APK);
	key_pair("pkg:apk/alpine/busybox-binsh@1.36.1-r2?distro=alpine-3.19"
	    "&upstream=busybox", "Alpine:v3.19", "busybox", "Alpine",
	    "v3.19", "busybox", VIGIL_VS_APK);
	key_pair("pkg:apk/wolfi/glibc@2.38-r1", "Wolfi", "glibc", "Wolfi",
	    "", "glibc", VIGIL_VS_APK);
	key_pair("pkg:rpm/rocky-linux/openssl-libs@3.0.7-18.el9?distro="
	    "rocky-9.2&upstream=openssl-3.0.7-18.el9.src.rpm",
	    "Rocky Linux:9", "openssl", "Rocky Linux", "9", "openssl",
	    VIGIL_VS_RPM);
	key_pair("pkg:rpm/almalinux/curl@7.76.1?distro=almalinux-8.8",
	    "AlmaLinux:8", "curl", "AlmaLinux", "8", "curl", VIGIL_VS_RPM);
	key_pair("pkg:rpm/redhat/openssl@3.0.7?distro=rhel-9.2",
	    "Red Hat:enterprise_linux:9::appstream", "openssl", "Red Hat",
	    "9", "openssl", VIGIL_VS_RPM);
	key_pair("pkg:rpm/mageia/nginx@1.24?distro=mageia-9", "Mageia:9",
	    "nginx", "Mageia", "9", "nginx", VIGIL_VS_RPM);
	key_pair("pkg:rpm/rhel/bash@5.1.8-6.el9?distro=rhel-9.4",
	    "Red Hat:enterprise_linux:9::baseos", "bash", "Red Hat", "9",
	    "bash", VIGIL_VS_RPM);
	say("SUSE/openSUSE are not release-scoped (suffix not derivable)");
	key_pair("pkg:rpm/sles/libopenssl3@3.0.8?distro=sles-15.5",
	    "SUSE:Linux Enterprise Server 15 SP5", "libopenssl3", "SUSE", "",
	    "libopenssl3", VIGIL_VS_RPM);
	key_pair("pkg:rpm/opensuse-leap/curl@8.0?distro=opensuse-leap-15.5",
	    "openSUSE:Leap 15.5", "curl", "openSUSE", "", "curl",
	    VIGIL_VS_RPM);

	say("unscoped distro purl: empty release");
	key_pair("pkg:apk/alpine/musl@1.2.3-r4?arch=aarch64", "Alpine",
	    "musl", "Alpine", "", "musl", VIGIL_VS_APK);
}

static void
keys_without_ecosystem(void **state)
{
	struct vigil_purl *p;
	struct vigil_pkg_key k;
	char err[256];

	(void)state;
	say("pkg:generic, pkg:oci, pkg:deb/unknown have no ecosystem");
	p = parse_ok("pkg:generic/openssl@3.0.8");
	assert_int_equal(vigil_purl_pkg_key(p, &k, err, sizeof err),
	    VIGIL_ENOTFOUND);
	assert_non_null(strstr(err, "generic"));
	vigil_purl_free(p);
	p = parse_ok("pkg:oci/alpine@sha256%3Aabc");
	assert_int_equal(vigil_purl_pkg_key(p, &k, err, sizeof err),
	    VIGIL_ENOTFOUND);
	vigil_purl_free(p);
	p = parse_ok("pkg:deb/raspbian/bash@5.1");
	assert_int_equal(vigil_purl_pkg_key(p, &k, err, sizeof err),
	    VIGIL_ENOTFOUND);
	vigil_purl_free(p);
	say("unknown OSV ecosystem: ENOTFOUND; scheme GENERIC");
	assert_int_equal(vigil_osv_pkg_key("Nopesys", "x", &k, err,
	    sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_ecosystem_scheme("Nopesys:1"),
	    VIGIL_VS_GENERIC);
	assert_int_equal(vigil_ecosystem_scheme("Debian:12"), VIGIL_VS_DPKG);
	assert_int_equal(vigil_ecosystem_scheme("Alpine:v3.22"),
	    VIGIL_VS_APK);
	assert_int_equal(vigil_ecosystem_scheme("npm"), VIGIL_VS_SEMVER);
	assert_int_equal(vigil_ecosystem_scheme(NULL), VIGIL_VS_GENERIC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_style_cases_parse_and_canonicalise),
		cmocka_unit_test(qualifiers_sorted_lowercased_empty_dropped),
		cmocka_unit_test(errors_name_what_and_offset),
		cmocka_unit_test(keys_for_every_ecosystem_are_identical),
		cmocka_unit_test(keys_without_ecosystem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
