/*
 * Package keys: what a matcher compares a component and an OSV record
 * by. A purl (type, namespace, name, distro qualifier) and an OSV
 * (ecosystem, name) pair reduce to the same struct vigil_pkg_key,
 * byte for byte, when they name the same package: OSV ecosystem base
 * name, distribution release, name normalised as the ecosystem
 * compares it, and the version scheme.
 *
 * Sources: OSV schema "ecosystems" list (ossf/osv-schema), the purl
 * type definitions, PEP 503 (PyPI names), and what syft/trivy write
 * into distro purls (deb "distro=debian-12" / "upstream=openssl",
 * apk "distro=3.22.0" / "origin=zlib", rpm "upstream=x-1-2.src.rpm").
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "vigil/vuln.h"

/* How a name is normalised before comparison. */
enum norm {
	N_KEEP,  /* case-sensitive: Go, Maven, crates.io, ... */
	N_LOWER, /* case-insensitive */
	N_PEP503 /* lowercase, runs of "-_." become one '-' */
};

/* How the release part of an ecosystem is derived. */
enum rel {
	R_NONE,   /* not release-scoped */
	R_DEBIAN, /* "12" */
	R_UBUNTU, /* "22.04" */
	R_ALPINE, /* "v3.22" */
	R_MAJOR   /* rpm distributions: "9" */
};
/*
 * SUSE, openSUSE and openEuler are not release-scoped: their OSV
 * suffixes ("SUSE:Linux Enterprise Server 15 SP5", "openSUSE:Leap
 * 15.5") cannot be derived from a purl's distro qualifier
 * ("sles-15.5"), so both sides leave the release empty: their
 * advisories then apply across service packs, compared by RPM order.
 */

struct eco {
	const char *type; /* purl type */
	const char *ns;   /* purl namespace for distro types, else NULL */
	const char *eco;  /* OSV ecosystem base name */
	enum vigil_vscheme scheme;
	enum norm norm;
	enum rel rel;
	bool join_ns; /* name = namespace + sep + name */
	char sep;
};

static const struct eco ecos[] = {
	{ "npm", NULL, "npm", VIGIL_VS_SEMVER, N_LOWER, R_NONE, true, '/' },
	{ "pypi", NULL, "PyPI", VIGIL_VS_PEP440, N_PEP503, R_NONE, false,
	    0 },
	{ "golang", NULL, "Go", VIGIL_VS_SEMVER, N_KEEP, R_NONE, true, '/' },
	{ "cargo", NULL, "crates.io", VIGIL_VS_SEMVER, N_KEEP, R_NONE, false,
	    0 },
	{ "maven", NULL, "Maven", VIGIL_VS_GENERIC, N_KEEP, R_NONE, true,
	    ':' },
	{ "nuget", NULL, "NuGet", VIGIL_VS_GENERIC, N_LOWER, R_NONE, false,
	    0 },
	{ "gem", NULL, "RubyGems", VIGIL_VS_GENERIC, N_KEEP, R_NONE, false,
	    0 },
	{ "composer", NULL, "Packagist", VIGIL_VS_GENERIC, N_LOWER, R_NONE,
	    true, '/' },
	{ "hex", NULL, "Hex", VIGIL_VS_SEMVER, N_LOWER, R_NONE, false, 0 },
	{ "pub", NULL, "Pub", VIGIL_VS_SEMVER, N_LOWER, R_NONE, false, 0 },
	{ "hackage", NULL, "Hackage", VIGIL_VS_GENERIC, N_KEEP, R_NONE,
	    false, 0 },
	{ "cran", NULL, "CRAN", VIGIL_VS_GENERIC, N_KEEP, R_NONE, false, 0 },
	{ "bitnami", NULL, "Bitnami", VIGIL_VS_SEMVER, N_LOWER, R_NONE,
	    false, 0 },
	{ "conan", NULL, "ConanCenter", VIGIL_VS_GENERIC, N_KEEP, R_NONE,
	    false, 0 },
	{ "githubactions", NULL, "GitHub Actions", VIGIL_VS_GENERIC, N_LOWER,
	    R_NONE, true, '/' },
	{ "swift", NULL, "SwiftURL", VIGIL_VS_SEMVER, N_KEEP, R_NONE, true,
	    '/' },
	{ "opam", NULL, "opam", VIGIL_VS_GENERIC, N_KEEP, R_NONE, false, 0 },
	{ "deb", "debian", "Debian", VIGIL_VS_DPKG, N_LOWER, R_DEBIAN, false,
	    0 },
	{ "deb", "ubuntu", "Ubuntu", VIGIL_VS_DPKG, N_LOWER, R_UBUNTU, false,
	    0 },
	{ "apk", "alpine", "Alpine", VIGIL_VS_APK, N_LOWER, R_ALPINE, false,
	    0 },
	{ "apk", "wolfi", "Wolfi", VIGIL_VS_APK, N_LOWER, R_NONE, false, 0 },
	{ "apk", "chainguard", "Chainguard", VIGIL_VS_APK, N_LOWER, R_NONE,
	    false, 0 },
	/* rpm namespaces: the purl spec's vendor names and the os-release
	 * IDs syft writes ("rhel", "rocky", "sles", "opensuse-leap") */
	{ "rpm", "redhat", "Red Hat", VIGIL_VS_RPM, N_KEEP, R_MAJOR, false,
	    0 },
	{ "rpm", "rhel", "Red Hat", VIGIL_VS_RPM, N_KEEP, R_MAJOR, false,
	    0 },
	{ "rpm", "rocky-linux", "Rocky Linux", VIGIL_VS_RPM, N_KEEP, R_MAJOR,
	    false, 0 },
	{ "rpm", "rocky", "Rocky Linux", VIGIL_VS_RPM, N_KEEP, R_MAJOR, false,
	    0 },
	{ "rpm", "almalinux", "AlmaLinux", VIGIL_VS_RPM, N_KEEP, R_MAJOR,
	    false, 0 },
	{ "rpm", "mageia", "Mageia", VIGIL_VS_RPM, N_KEEP, R_MAJOR, false,
	    0 },
	{ "rpm", "opensuse", "openSUSE", VIGIL_VS_RPM, N_KEEP, R_NONE, false,
	    0 },
	{ "rpm", "opensuse-leap", "openSUSE", VIGIL_VS_RPM, N_KEEP, R_NONE,
	    false, 0 },
	{ "rpm", "suse", "SUSE", VIGIL_VS_RPM, N_KEEP, R_NONE, false, 0 },
	{ "rpm", "sles", "SUSE", VIGIL_VS_RPM, N_KEEP, R_NONE, false, 0 },
	{ "rpm", "openeuler", "openEuler", VIGIL_VS_RPM, N_KEEP, R_NONE,
	    false, 0 },
};
#define NECOS (sizeof ecos / sizeof ecos[0])

/* Codenames in distro qualifiers ("distro=bookworm", "focal"). */
static const struct {
	const char *name, *rel;
} codenames[] = {
	{ "wheezy", "7" }, { "jessie", "8" }, { "stretch", "9" },
	{ "buster", "10" }, { "bullseye", "11" }, { "bookworm", "12" },
	{ "trixie", "13" }, { "forky", "14" },
	{ "trusty", "14.04" }, { "xenial", "16.04" }, { "bionic", "18.04" },
	{ "focal", "20.04" }, { "jammy", "22.04" }, { "kinetic", "22.10" },
	{ "lunar", "23.04" }, { "mantic", "23.10" }, { "noble", "24.04" },
	{ "oracular", "24.10" }, { "plucky", "25.04" },
	{ "questing", "25.10" },
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* Copies at most n bytes of s into dst[size]; false when it does not
 * fit. */
static bool
put(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* The digits (and dots) run starting at s: "12.5-x" -> 4. */
static size_t
numlen(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]) || (s[n] == '.' && is_digit(s[n + 1])))
		n++;
	return n;
}

/*
 * Release of a distro qualifier or OSV ecosystem suffix s, per rule r,
 * into out[VIGIL_PKGKEY_REL_MAX] ("" when it cannot be derived: the
 * component is then not release-scoped).
 */
static void
release(enum rel r, const char *s, char *out)
{
	size_t n;

	out[0] = '\0';
	if (s == NULL || s[0] == '\0' || r == R_NONE)
		return;
	for (size_t i = 0; i < sizeof codenames / sizeof codenames[0]; i++)
		if (strcasecmp(s, codenames[i].name) == 0) {
			put(out, VIGIL_PKGKEY_REL_MAX, codenames[i].rel,
			    strlen(codenames[i].rel));
			return;
		}
	/* Skip a distribution name: "debian-12", "alpine-3.22",
	 * "rocky-9.2", "Pro:18.04:LTS", "enterprise_linux:9::appstream". */
	while (*s != '\0' && !is_digit(*s)) {
		if (r == R_ALPINE && (*s == 'v' || *s == 'V') &&
		    is_digit(s[1]))
			break;
		s++;
	}
	if (*s == 'v' || *s == 'V')
		s++;
	n = numlen(s);
	if (n == 0)
		return;
	switch (r) {
	case R_DEBIAN:
	case R_MAJOR: {
		size_t m = 0;

		while (m < n && s[m] != '.')
			m++;
		put(out, VIGIL_PKGKEY_REL_MAX, s, m);
		break;
	}
	case R_UBUNTU:
		put(out, VIGIL_PKGKEY_REL_MAX, s, n);
		break;
	case R_ALPINE: {
		/* major.minor: "3.22.0" -> "v3.22". */
		size_t m = 0, dots = 0;

		while (m < n && !(s[m] == '.' && ++dots == 2))
			m++;
		if (dots == 0 && m == n)
			return; /* "3" alone is no Alpine release */
		if (m + 2 > VIGIL_PKGKEY_REL_MAX)
			return;
		out[0] = 'v';
		memcpy(out + 1, s, m);
		out[m + 1] = '\0';
		break;
	}
	default:
		break;
	}
}

/* Normalises name (already joined with its namespace) in place. */
static void
norm_name(enum norm nm, char *name)
{
	char *w = name;

	if (nm == N_KEEP)
		return;
	for (const char *r = name; *r != '\0'; r++) {
		if (nm == N_PEP503 && (*r == '-' || *r == '_' || *r == '.')) {
			if (w == name || w[-1] != '-')
				*w++ = '-';
			continue;
		}
		*w++ = lower(*r);
	}
	*w = '\0';
}

static enum vigil_err
too_long(char *err, size_t errsize, const char *what)
{
	return vigil_seterr(err, errsize, VIGIL_ERANGE,
	    "package key: %s name longer than %d bytes", what,
	    VIGIL_PKGKEY_NAME_MAX - 1);
}

/* The source package named by a distro purl's qualifiers, cut to the
 * bare name ("openssl@3.0.11-1" or "openssl (3.0.11-1)" from syft and
 * Debian's Source field; rpm "openssl-3.0.7-18.el9.src.rpm"). */
static bool
source_name(const struct vigil_purl *p, char *out, size_t size)
{
	static const char *const keys[] = { "source", "upstream", "origin" };
	const char *v = NULL;
	size_t n;

	for (size_t i = 0; i < 3 && v == NULL; i++) {
		v = vigil_purl_qualifier(p, keys[i]);
		if (v != NULL && v[0] == '\0')
			v = NULL;
	}
	if (v == NULL)
		return false;
	n = strcspn(v, "@ (");
	if (strcmp(p->type, "rpm") == 0 && n > 8 &&
	    strcmp(v + n - 8, ".src.rpm") == 0) {
		/* name-version-release.src.rpm: drop the last two fields */
		size_t k = n - 8;
		int dashes = 0;

		while (k > 0 && dashes < 2)
			if (v[--k] == '-')
				dashes++;
		if (dashes < 2 || k == 0)
			return false;
		n = k;
	}
	if (n == 0)
		return false;
	return put(out, size, v, n);
}

static const struct eco *
eco_by_purl(const struct vigil_purl *p)
{
	for (size_t i = 0; i < NECOS; i++) {
		if (strcmp(ecos[i].type, p->type) != 0)
			continue;
		if (ecos[i].ns != NULL && strcasecmp(ecos[i].ns, p->ns) != 0)
			continue;
		return &ecos[i];
	}
	return NULL;
}

enum vigil_err
vigil_purl_pkg_key(const struct vigil_purl *p, struct vigil_pkg_key *out,
    char *err, size_t errsize)
{
	const struct eco *e;
	size_t nl, nsl;

	if (out == NULL || p == NULL || p->type == NULL || p->name == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "package key: no purl");
	memset(out, 0, sizeof *out);
	e = eco_by_purl(p);
	if (e == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
		    "package key: purl type %.32s%s%.64s has no OSV ecosystem",
		    p->type, p->ns[0] != '\0' ? "/" : "", p->ns);
	put(out->ecosystem, sizeof out->ecosystem, e->eco, strlen(e->eco));
	out->scheme = e->scheme;
	if (e->ns != NULL) {
		release(e->rel, vigil_purl_qualifier(p, "distro"),
		    out->release);
		if (!source_name(p, out->name, sizeof out->name) &&
		    !put(out->name, sizeof out->name, p->name,
		    strlen(p->name)))
			return too_long(err, errsize, "purl");
	} else {
		nl = strlen(p->name);
		nsl = e->join_ns ? strlen(p->ns) : 0;
		if (nsl + 1 + nl >= sizeof out->name)
			return too_long(err, errsize, "purl");
		if (nsl > 0) {
			memcpy(out->name, p->ns, nsl);
			out->name[nsl++] = e->sep;
		}
		memcpy(out->name + nsl, p->name, nl + 1);
	}
	norm_name(e->norm, out->name);
	return VIGIL_OK;
}

enum vigil_err
vigil_osv_pkg_key(const char *ecosystem, const char *name,
    struct vigil_pkg_key *out, char *err, size_t errsize)
{
	const char *colon;
	size_t bl;

	if (out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "package key: no output");
	memset(out, 0, sizeof *out);
	if (ecosystem == NULL || name == NULL || name[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "package key: no ecosystem or name");
	colon = strchr(ecosystem, ':');
	bl = colon != NULL ? (size_t)(colon - ecosystem) : strlen(ecosystem);
	for (size_t i = 0; i < NECOS; i++) {
		const struct eco *e = &ecos[i];

		if (strlen(e->eco) != bl ||
		    strncasecmp(e->eco, ecosystem, bl) != 0)
			continue;
		put(out->ecosystem, sizeof out->ecosystem, e->eco, bl);
		out->scheme = e->scheme;
		if (colon != NULL)
			release(e->rel, colon + 1, out->release);
		if (!put(out->name, sizeof out->name, name, strlen(name)))
			return too_long(err, errsize, "OSV");
		norm_name(e->norm, out->name);
		return VIGIL_OK;
	}
	return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
	    "package key: OSV ecosystem \"%.48s\" is not known", ecosystem);
}

enum vigil_vscheme
vigil_ecosystem_scheme(const char *ecosystem)
{
	size_t bl;

	if (ecosystem == NULL)
		return VIGIL_VS_GENERIC;
	bl = strcspn(ecosystem, ":");
	for (size_t i = 0; i < NECOS; i++)
		if (strlen(ecos[i].eco) == bl &&
		    strncasecmp(ecos[i].eco, ecosystem, bl) == 0)
			return ecos[i].scheme;
	return VIGIL_VS_GENERIC;
}
