/*
 * The CVE JSON 5 part of matching: which containers.cna/adp affected[]
 * entries relate to a component, and what their versions[] say about
 * its version.
 *
 * Relation: (a) one of the entry's cpes[] names the component CPE's
 * part:vendor:product; (b) packageName equals the purl's name (the
 * ecosystem-normalised one, the bare one, or "namespace/name") and
 * collectionURL, when it is a known package registry or distribution,
 * is the purl type's; (c) vendor and product in CPE spelling (lowercase,
 * spaces as '_') equal the component CPE's.
 *
 * Versions: "version" + lessThan / lessThanOrEqual is the range
 * [version, bound) / [version, bound], a start of "0", "*" or "" open;
 * "version" alone is that version; GitHub's CNA writes constraints in
 * "version" itself (">= 2.0.0, < 2.0.7", "< 1.26.18"), read as such.
 * versionType picks the order: "semver" coerced SemVer; "rpm", "dpkg",
 * "apk", "pypi"... only against a purl of that ecosystem, otherwise
 * the version is not compared at all (a Red Hat rpm range says nothing
 * about an upstream build); "git" cannot be decided offline; "custom"
 * or none the generic order. An entry whose versions are all of other
 * ecosystems is unrelated. Precedence within an entry: a listed
 * affected version > a listed unaffected one > an undecidable one >
 * defaultStatus (unknown when absent).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vigil/vuln.h"
#include "match_internal.h"

/* collectionURL hosts that scope an entry to one purl type. */
static const struct {
	const char *host;
	const char *type;
} registries[] = {
	{ "access.redhat.com", "rpm" },
	{ "fedoraproject.org", "rpm" },
	{ "suse.com", "rpm" },
	{ "debian.org", "deb" },
	{ "ubuntu.com", "deb" },
	{ "alpinelinux.org", "apk" },
	{ "pypi.org", "pypi" },
	{ "npmjs.com", "npm" },
	{ "npmjs.org", "npm" },
	{ "crates.io", "cargo" },
	{ "rubygems.org", "gem" },
	{ "packagist.org", "composer" },
	{ "nuget.org", "nuget" },
	{ "maven.org", "maven" },
	{ "maven.apache.org", "maven" },
	{ "pkg.go.dev", "golang" },
	{ "proxy.golang.org", "golang" },
	{ "hex.pm", "hex" },
	{ "pub.dev", "pub" },
};

static int
ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static const char *
url_type(const char *url)
{
	if (url == NULL || url[0] == '\0')
		return NULL;
	for (size_t i = 0; i < sizeof registries / sizeof registries[0]; i++)
		if (ci_contains(url, registries[i].host))
			return registries[i].type;
	return NULL;
}

static int
same_spelling(const char *a, const char *b)
{
	return a != NULL && a[0] != '\0' && match_spell_eq(a, b);
}

/* 1 via purl (package name), 2 via CPE, 0 unrelated. */
static int
relates(const struct vigil_mcomp *c, const struct vigil_cve5_affected *a)
{
	if (c->has_cpe) {
		for (size_t i = 0; i < a->ncpes; i++)
			if (match_cpe_same_product(&a->cpes[i], &c->cpe))
				return 2;
	}
	if (c->purl != NULL && a->package_name != NULL &&
	    a->package_name[0] != '\0') {
		const char *t = url_type(a->collection_url);
		const struct vigil_purl *p = c->purl;
		char nsname[VIGIL_PKGKEY_NAME_MAX + 64];

		if (t == NULL || strcmp(t, p->type) == 0) {
			snprintf(nsname, sizeof nsname, "%s/%s", p->ns,
			    p->name);
			if ((c->has_key && same_spelling(a->package_name,
			    c->key.name)) ||
			    same_spelling(a->package_name, p->name) ||
			    (p->ns[0] != '\0' &&
			    same_spelling(a->package_name, nsname)))
				return 1;
		}
	}
	if (c->has_cpe && match_vp_usable(a->vendor) &&
	    match_vp_usable(a->product) &&
	    same_spelling(a->vendor, c->cpe.attr[VIGIL_CPE_VENDOR]) &&
	    same_spelling(a->product, c->cpe.attr[VIGIL_CPE_PRODUCT]))
		return 2;
	return 0;
}

/* The scheme of a versionType for this component: SCHEME_SKIP when the
 * type is another ecosystem's, SCHEME_GIT for git. */
#define SCHEME_SKIP ((enum vigil_vscheme)100)
#define SCHEME_GIT ((enum vigil_vscheme)101)
static enum vigil_vscheme
vt_scheme(const char *vt, const struct vigil_mcomp *c)
{
	static const struct {
		const char *vt;
		const char *purl_type;
		enum vigil_vscheme s;
	} eco[] = {
		{ "rpm", "rpm", VIGIL_VS_RPM },
		{ "dpkg", "deb", VIGIL_VS_DPKG },
		{ "deb", "deb", VIGIL_VS_DPKG },
		{ "debian", "deb", VIGIL_VS_DPKG },
		{ "apk", "apk", VIGIL_VS_APK },
		{ "alpine", "apk", VIGIL_VS_APK },
		{ "pypi", "pypi", VIGIL_VS_PEP440 },
		{ "python", "pypi", VIGIL_VS_PEP440 },
		{ "pep440", "pypi", VIGIL_VS_PEP440 },
		{ "npm", "npm", VIGIL_VS_SEMVER },
		{ "maven", "maven", VIGIL_VS_GENERIC },
	};

	if (vt == NULL || vt[0] == '\0' || strcasecmp(vt, "custom") == 0)
		return VIGIL_VS_GENERIC;
	if (strcasecmp(vt, "semver") == 0)
		return VIGIL_VS_SEMVER;
	if (strcasecmp(vt, "git") == 0)
		return SCHEME_GIT;
	for (size_t i = 0; i < sizeof eco / sizeof eco[0]; i++)
		if (strcasecmp(vt, eco[i].vt) == 0)
			return c->purl != NULL &&
			    strcmp(c->purl->type, eco[i].purl_type) == 0 ?
			    eco[i].s : SCHEME_SKIP;
	return VIGIL_VS_GENERIC;
}

/* a vs b under s, SemVer coerced: 0 and *cmp, or -1. */
static int
vcmp(enum vigil_vscheme s, const char *a, const char *b, int *cmp)
{
	char x[VIGIL_VERSION_MAX + 8], y[VIGIL_VERSION_MAX + 8];

	if (s != VIGIL_VS_SEMVER)
		return match_vcmp(s, a, b, cmp);
	if (match_semver_coerce(a, x, sizeof x) != 0 ||
	    match_semver_coerce(b, y, sizeof y) != 0)
		return -1;
	return match_vcmp(s, x, y, cmp);
}

static int
is_open(const char *v)
{
	return v == NULL || v[0] == '\0' || strcmp(v, "0") == 0 ||
	    strcmp(v, "*") == 0;
}

/*
 * GitHub-style constraints in "version": ">= 1.7.0, < 1.18.4". 1 in, 0
 * out, -1 undecidable. Each term is an operator and a version.
 */
static int
constraints(enum vigil_vscheme s, const char *v, const char *expr)
{
	const char *p = expr;
	int terms = 0;

	while (*p != '\0' && terms < 16) {
		char op[3] = "", ver[VIGIL_VERSION_MAX + 1];
		size_t n = 0, k;
		int c, ok;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		while ((*p == '<' || *p == '>' || *p == '=') && n < 2)
			op[n++] = *p++;
		op[n] = '\0';
		while (*p == ' ')
			p++;
		k = strcspn(p, ", ");
		if (n == 0 || k == 0 || k > VIGIL_VERSION_MAX)
			return -1;
		memcpy(ver, p, k);
		ver[k] = '\0';
		p += k;
		if (vcmp(s, v, ver, &c) != 0)
			return -1;
		if (strcmp(op, "<") == 0)
			ok = c < 0;
		else if (strcmp(op, "<=") == 0)
			ok = c <= 0;
		else if (strcmp(op, ">") == 0)
			ok = c > 0;
		else if (strcmp(op, ">=") == 0)
			ok = c >= 0;
		else if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0)
			ok = c == 0;
		else
			return -1;
		if (!ok)
			return 0;
		terms++;
	}
	return terms > 0 ? 1 : -1;
}

/* One versions[] item: 1 when v is in it, 0 not, -1 undecidable. */
static int
in_version(enum vigil_vscheme s, const char *v,
    const struct vigil_cve5_version *ver, struct mpart *out)
{
	const char *lt = ver->less_than, *le = ver->less_than_or_equal;
	const char *start = ver->version != NULL ? ver->version : "";
	int c;

	if (start[0] == '<' || start[0] == '>' || start[0] == '=')
		return constraints(s, v, start);
	if ((lt == NULL || lt[0] == '\0') && (le == NULL || le[0] == '\0')) {
		if (strcmp(start, "*") == 0 || strcmp(start, v) == 0)
			return 1;
		if (vcmp(s, v, start, &c) != 0)
			return -1;
		return c == 0;
	}
	if (!is_open(start)) {
		if (vcmp(s, v, start, &c) != 0)
			return -1;
		if (c < 0)
			return 0;
	}
	if (lt != NULL && lt[0] != '\0') {
		if (strcmp(lt, "*") == 0)
			return 1;
		if (vcmp(s, v, lt, &c) != 0)
			return -1;
		if (ver->status == VIGIL_VST_AFFECTED && c <= 0)
			mpart_offer_fixed(out, lt, s);
		return c < 0;
	}
	if (strcmp(le, "*") == 0)
		return 1;
	if (vcmp(s, v, le, &c) != 0)
		return -1;
	return c <= 0;
}

static void
describe(char *buf, size_t n, const struct vigil_cve5_version *ver)
{
	if (ver->less_than != NULL && ver->less_than[0] != '\0')
		snprintf(buf, n, "[%.40s, %.40s) (CVE 5 lessThan)",
		    ver->version, ver->less_than);
	else if (ver->less_than_or_equal != NULL &&
	    ver->less_than_or_equal[0] != '\0')
		snprintf(buf, n, "[%.40s, %.40s] (CVE 5 lessThanOrEqual)",
		    ver->version, ver->less_than_or_equal);
	else
		snprintf(buf, n, "{%.60s} (CVE 5 version)", ver->version);
}

static void
entry_part(const struct vigil_mcomp *c, const struct vigil_cve5_affected *a,
    struct mpart *out)
{
	char cver[VIGIL_VERSION_MAX + 1], d[128];
	const char *v, *name;
	int how, skipped = 0, unaff = -1, aff = -1, unk = 0;

	mpart_init(out);
	if ((how = relates(c, a)) == 0)
		return;
	name = c->name != NULL && c->name[0] != '\0' ? c->name :
	    a->product != NULL ? a->product : "";
	if (how == 2) {
		match_cpe_version(c, cver, sizeof cver);
		v = cver;
	} else {
		v = c->version != NULL ? c->version : "";
	}
	for (size_t i = 0; i < a->nversions; i++) {
		const struct vigil_cve5_version *ver = &a->versions[i];
		enum vigil_vscheme s = vt_scheme(ver->version_type, c);
		int in;

		if (s == SCHEME_SKIP) {
			skipped++;
			continue;
		}
		if (s == SCHEME_GIT || v[0] == '\0') {
			unk = 1;
			continue;
		}
		in = in_version(s, v, ver, out);
		if (in < 0)
			unk = 1;
		else if (in > 0 && ver->status == VIGIL_VST_AFFECTED &&
		    aff < 0)
			aff = (int)i;
		else if (in > 0 && ver->status == VIGIL_VST_UNAFFECTED &&
		    unaff < 0)
			unaff = (int)i;
	}
	if (a->nversions > 0 && (size_t)skipped == a->nversions)
		return; /* another ecosystem's versions: not this one */
	if (aff >= 0) {
		describe(d, sizeof d, &a->versions[aff]);
		mpart_set(out, VIGIL_AFFECTED, "%.64s %.64s in %s", name, v,
		    d);
	} else if (unaff >= 0) {
		describe(d, sizeof d, &a->versions[unaff]);
		mpart_set(out, VIGIL_NOT_AFFECTED, "%.64s %.64s listed "
		    "unaffected: %s", name, v, d);
	} else if (v[0] == '\0') {
		mpart_set(out, VIGIL_UNKNOWN, "%.64s: no version", name);
	} else if (unk) {
		mpart_set(out, VIGIL_UNKNOWN, "%.64s %.64s: unparseable "
		    "version or git range in CVE 5 versions", name, v);
	} else if (a->default_status == VIGIL_VST_AFFECTED) {
		mpart_set(out, VIGIL_AFFECTED, "%.64s %.64s: outside the "
		    "listed versions, defaultStatus affected", name, v);
	} else if (a->default_status == VIGIL_VST_UNAFFECTED) {
		mpart_set(out, VIGIL_NOT_AFFECTED, "%.64s %.64s: outside the "
		    "listed versions, defaultStatus unaffected", name, v);
	} else {
		mpart_set(out, VIGIL_UNKNOWN, "%.64s %.64s: outside the "
		    "listed versions, defaultStatus unknown", name, v);
	}
}

void
match_cve5_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    struct mpart *out)
{
	struct mpart r;

	mpart_init(out);
	/* ADP entries (CISA vulnrichment) count like the CNA's. */
	for (size_t i = 0; i < v->ncve5; i++) {
		entry_part(c, &v->cve5[i], &r);
		mpart_fold(out, &r, VIGIL_VS_GENERIC);
	}
}
