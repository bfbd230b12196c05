/*
 * vigil/vuln.h — vulnerability management (issue 7). This first part:
 * version schemes, implemented to their ecosystems' specifications, so
 * that "is version X inside this affected range" has exactly the
 * answer the ecosystem's own tools give.
 *
 *   SemVer 2.0.0 (semver.org; npm/Go/Cargo... purls)
 *   Debian dpkg (deb-version(7): epoch, upstream, revision, '~')
 *   RPM (rpmvercmp: epoch:version-release, '~' and '^')
 *   Alpine apk (apk-tools version.c: digits, letters, suffixes _alpha
 *     _beta _pre _rc < none < _cvs _svn _git _hg _p, -rN)
 *   PEP 440 (Python: epochs, pre/post/dev releases, local versions,
 *     normalisation)
 *   generic (dotted numeric and alphanumeric segments, as OSV's
 *     "generic" ordering and NVD version strings need)
 *
 * Errors say what and where: "SemVer 1.2: expected MAJOR.MINOR.PATCH",
 * "PEP 440 1.0.dev-x: invalid local version label at offset 7".
 */
#ifndef VIGIL_VULN_H
#define VIGIL_VULN_H

#include <stddef.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_VERSION_MAX 256 /* longest version string accepted */

/* Never renumber. */
enum vigil_vscheme {
	VIGIL_VS_NONE = 0,
	VIGIL_VS_SEMVER = 1,
	VIGIL_VS_DPKG = 2,
	VIGIL_VS_RPM = 3,
	VIGIL_VS_APK = 4,
	VIGIL_VS_PEP440 = 5,
	VIGIL_VS_GENERIC = 6,
};

/* "semver", "dpkg", "rpm", "apk", "pep440", "generic"; "none". */
const char *vigil_vscheme_name(enum vigil_vscheme s);
/* The names above (case-insensitive; also "deb", "debian", "alpine",
 * "python", "pypi", "npm"); VIGIL_VS_NONE when unknown. */
enum vigil_vscheme vigil_vscheme_from_name(const char *name);

/* VIGIL_OK when v is a valid version of scheme s, else VIGIL_EINVAL
 * (VIGIL_ERANGE beyond VIGIL_VERSION_MAX) with the reason in err. */
enum vigil_err vigil_version_check(enum vigil_vscheme s, const char *v,
    char *err, size_t errsize);

/*
 * Compares a and b under scheme s: *cmp < 0, 0 or > 0 (normalised to
 * -1, 0, 1). Equal means equal precedence (SemVer build metadata, PEP
 * 440 normalisation, dpkg's "1.0" = "0:1.0"). VIGIL_EINVAL when either
 * is not valid for the scheme (err names which and why).
 */
enum vigil_err vigil_version_cmp(enum vigil_vscheme s, const char *a,
    const char *b, int *cmp /* OUT */, char *err, size_t errsize);


/* ====================================================================
 * Package URLs (github.com/package-url/purl-spec): parse, canonical
 * form, and the OSV ecosystem + version scheme a purl type maps to.
 * ==================================================================== */

#define VIGIL_PURL_MAX 2048 /* longest purl accepted */

struct vigil_purl_qualifier {
	char *key;   /* lowercase */
	char *value; /* percent-decoded */
};

struct vigil_purl {
	char *type;    /* lowercase: "deb", "apk", "npm", "generic"... */
	char *ns;      /* percent-decoded segments joined by '/'; "" none */
	char *name;    /* percent-decoded */
	char *version; /* percent-decoded ("2:8.39-12"); "" none */
	size_t nqualifiers;
	struct vigil_purl_qualifier *qualifiers; /* sorted by key */
	char *subpath; /* "" none */
};

/* Parses s (at most VIGIL_PURL_MAX bytes). Errors say what and where:
 * "purl pkg:deb/x@%zz: bad percent-encoding at offset 11". Caller frees
 * *out with vigil_purl_free. */
enum vigil_err vigil_purl_parse(const char *s, struct vigil_purl **out /* OUT */,
    char *err, size_t errsize);
void vigil_purl_free(struct vigil_purl *p);
/* A qualifier's decoded value, NULL when absent. */
const char *vigil_purl_qualifier(const struct vigil_purl *p, const char *key);
/* Canonical text per the purl spec (type/ns/name lowercased where the
 * type says so, qualifiers sorted, percent-encoding normalised); the
 * version and qualifiers only when with_version. Caller frees *out with
 * vigil_free(). */
enum vigil_err vigil_purl_to_string(const struct vigil_purl *p,
    int with_version, char **out /* OUT */);

/*
 * What a matcher compares packages by. Both a purl and an OSV
 * (ecosystem, name) pair reduce to one: ecosystem is OSV's base name
 * ("Debian", "Alpine", "PyPI", "npm", "Go", "crates.io", "Maven",
 * "Bitnami", ...; "" when the purl type has no ecosystem, e.g.
 * pkg:generic), release the distribution release ("12", "v3.22", ""
 * when unscoped), name the package name normalised as the ecosystem
 * compares it (PyPI PEP 503, npm "@scope/name", Maven "group:artifact",
 * Go module path). scheme orders its versions.
 */
#define VIGIL_PKGKEY_ECO_MAX 48
#define VIGIL_PKGKEY_REL_MAX 48
#define VIGIL_PKGKEY_NAME_MAX 512
struct vigil_pkg_key {
	char ecosystem[VIGIL_PKGKEY_ECO_MAX];
	char release[VIGIL_PKGKEY_REL_MAX];
	char name[VIGIL_PKGKEY_NAME_MAX];
	enum vigil_vscheme scheme;
};
/* For deb/apk/rpm purls the source package (qualifier "source",
 * "upstream" or "origin" when present) is the name: OSV names source
 * packages. VIGIL_ENOTFOUND when the type has no OSV ecosystem. */
enum vigil_err vigil_purl_pkg_key(const struct vigil_purl *p,
    struct vigil_pkg_key *out /* OUT */, char *err, size_t errsize);
enum vigil_err vigil_osv_pkg_key(const char *ecosystem, const char *name,
    struct vigil_pkg_key *out /* OUT */, char *err, size_t errsize);
/* The version scheme of an OSV ecosystem ("Alpine:v3.22" -> APK,
 * "Debian:12" -> DPKG, "npm" -> SEMVER, unknown -> GENERIC). */
enum vigil_vscheme vigil_ecosystem_scheme(const char *ecosystem);

/* ====================================================================
 * CPE 2.3 names (NISTIR 7695) and name matching (NISTIR 7696). CPE 2.2
 * URIs ("cpe:/a:vendor:product:1.0") are accepted and bound to 2.3.
 * ==================================================================== */

enum vigil_cpe_attr {
	VIGIL_CPE_PART = 0,
	VIGIL_CPE_VENDOR,
	VIGIL_CPE_PRODUCT,
	VIGIL_CPE_VERSION,
	VIGIL_CPE_UPDATE,
	VIGIL_CPE_EDITION,
	VIGIL_CPE_LANGUAGE,
	VIGIL_CPE_SW_EDITION,
	VIGIL_CPE_TARGET_SW,
	VIGIL_CPE_TARGET_HW,
	VIGIL_CPE_OTHER,
	VIGIL_CPE_NATTRS
};
#define VIGIL_CPE_MAX 1024 /* longest CPE string accepted */

/*
 * A parsed CPE: each attribute in 2.3 formatted-string form, lowercased,
 * with its backslash quoting kept ("1.0\\+build"), "*" for ANY and "-"
 * for NA. Unquoted '*' and '?' inside a value are NISTIR 7696 wildcards.
 * The strings live in buf (one allocation), so a struct vigil_cpe may be
 * embedded by value and freed with vigil_cpe_clear.
 */
struct vigil_cpe {
	const char *attr[VIGIL_CPE_NATTRS];
	char *buf;
};
enum vigil_err vigil_cpe_parse(const char *s, struct vigil_cpe *out /* OUT */,
    char *err, size_t errsize);
void vigil_cpe_clear(struct vigil_cpe *c);
/* Deep copy. */
enum vigil_err vigil_cpe_copy(struct vigil_cpe *dst /* OUT */,
    const struct vigil_cpe *src);
/* The 2.3 formatted string. Caller frees *out with vigil_free(). */
enum vigil_err vigil_cpe_to_string(const struct vigil_cpe *c, char **out);

/* NISTIR 7696 per-attribute relation of source to target. */
enum vigil_cpe_rel {
	VIGIL_CPE_DISJOINT = 0,
	VIGIL_CPE_SUBSET,
	VIGIL_CPE_SUPERSET,
	VIGIL_CPE_EQUAL,
	VIGIL_CPE_UNDEFINED
};
enum vigil_cpe_rel vigil_cpe_attr_compare(const char *source,
    const char *target);
#define VIGIL_CPE_SKIP_VERSION 0x1u /* the caller checks version bounds */
/*
 * 1 when the source name (an NVD criteria) matches the target (a
 * component or platform): every attribute SUPERSET or EQUAL (NISTIR
 * 7696 CPE_SUPERSET/CPE_EQUAL), with two hardening rules real data
 * needs: the target's part, vendor and product must be concrete (a
 * target "*" vendor never matches everything) and NA ("-") is DISJOINT
 * from any value. With VIGIL_CPE_SKIP_VERSION the version attribute is
 * left to the caller (criteria version "*" plus bounds); update still
 * takes part, so criteria "1.3:rc1" never matches the final "1.3".
 */
int vigil_cpe_match(const struct vigil_cpe *source,
    const struct vigil_cpe *target, unsigned flags);

/* ====================================================================
 * Vulnerability records, normalised from OSV, NVD CVE API 2.0 and CVE
 * JSON 5. A record names what it affects in up to three ways (OSV
 * packages with ranges, NVD CPE configurations, CVE 5 affected[]).
 * ==================================================================== */

enum vigil_vsource {
	VIGIL_VSRC_NONE = 0,
	VIGIL_VSRC_OSV = 1,
	VIGIL_VSRC_NVD = 2,
	VIGIL_VSRC_CVE5 = 3,
};
/* "osv", "nvd", "cve5". */
const char *vigil_vsource_name(enum vigil_vsource s);
enum vigil_vsource vigil_vsource_from_name(const char *name);

enum vigil_vevent_kind {
	VIGIL_EV_INTRODUCED = 1,
	VIGIL_EV_FIXED = 2,
	VIGIL_EV_LAST_AFFECTED = 3,
	VIGIL_EV_LIMIT = 4,
};
struct vigil_vevent {
	enum vigil_vevent_kind kind;
	char *version; /* "0" for introduced-at-the-beginning */
};
enum vigil_vrange_type {
	VIGIL_VRANGE_SEMVER = 1,
	VIGIL_VRANGE_ECOSYSTEM = 2,
	VIGIL_VRANGE_GIT = 3,
};
struct vigil_vrange {
	enum vigil_vrange_type type;
	char *repo; /* GIT ranges; "" otherwise */
	size_t nevents;
	struct vigil_vevent *events; /* as written (unsorted in real data) */
};
/* One OSV affected[] entry. */
struct vigil_vpkg {
	char *ecosystem; /* as written: "Debian:12", "Bitnami" */
	char *name;
	char *purl; /* "" when none */
	size_t nranges;
	struct vigil_vrange *ranges;
	size_t nversions;
	char **versions; /* explicit affected versions */
	size_t ncpes;
	struct vigil_cpe *cpes; /* database_specific.cpes (Bitnami) */
};

/* NVD configurations: OR over configs; a config ANDs or ORs its nodes;
 * a node ANDs or ORs its cpeMatch entries; negate inverts. */
struct vigil_cpe_match {
	int vulnerable; /* 0: a "running on/with" platform entry */
	struct vigil_cpe cpe;
	char *start; /* "" none */
	int start_incl;
	char *end; /* "" none */
	int end_incl;
};
struct vigil_cpe_node {
	int and_op;
	int negate;
	size_t nmatches;
	struct vigil_cpe_match *matches;
};
struct vigil_cpe_config {
	int and_op;
	int negate;
	size_t nnodes;
	struct vigil_cpe_node *nodes;
};

/* CVE JSON 5 containers.cna/adp affected[] entries. */
enum vigil_vstatus {
	VIGIL_VST_UNKNOWN = 0,
	VIGIL_VST_AFFECTED = 1,
	VIGIL_VST_UNAFFECTED = 2,
};
struct vigil_cve5_version {
	char *version;
	char *less_than;          /* "" none */
	char *less_than_or_equal; /* "" none */
	char *version_type;       /* "semver", "rpm", "git", "custom", "" */
	enum vigil_vstatus status;
};
struct vigil_cve5_affected {
	char *vendor;  /* "" or as written ("[UNKNOWN]" kept) */
	char *product;
	char *package_name;   /* "" none */
	char *collection_url; /* "" none */
	enum vigil_vstatus default_status;
	int adp; /* from an ADP container (e.g. CISA vulnrichment) */
	size_t nversions;
	struct vigil_cve5_version *versions;
	size_t ncpes;
	struct vigil_cpe *cpes;
};

struct vigil_severity {
	char *type;   /* "CVSS_V2", "CVSS_V3", "CVSS_V4" */
	char *vector; /* the vector string as written */
	double score; /* base score when the record states it, else -1 */
};

struct vigil_vuln {
	enum vigil_vsource source;
	char *id; /* "CVE-2023-4863", "GHSA-...", "BIT-nginx-2023-44487" */
	size_t naliases;
	char **aliases;
	char *summary; /* "" none */
	int64_t published_ms;
	int64_t modified_ms;
	int64_t withdrawn_ms; /* 0 = not withdrawn; NVD Rejected sets it */
	char *status; /* NVD vulnStatus / CVE 5 state; "" none */
	size_t nseverity;
	struct vigil_severity *severity;
	size_t ncwes;
	char **cwes;
	size_t npkgs;
	struct vigil_vpkg *pkgs; /* OSV */
	size_t nconfigs;
	struct vigil_cpe_config *configs; /* NVD */
	size_t ncve5;
	struct vigil_cve5_affected *cve5; /* CVE 5 */
	int64_t kev_added_ms; /* NVD cisaExploitAdd; 0 none */
};
void vigil_vuln_free(struct vigil_vuln *v);
/* The id findings are merged under: the record's own id when it is a
 * CVE, else its first CVE alias, else its id. */
const char *vigil_vuln_canonical_id(const struct vigil_vuln *v);

/* Feeds. A feed document holds one or many records. */
enum vigil_feed_kind {
	VIGIL_FEED_AUTO = 0,
	VIGIL_FEED_OSV = 1,  /* one OSV record, or a JSON array of them */
	VIGIL_FEED_NVD = 2,  /* an NVD CVE API 2.0 response */
	VIGIL_FEED_CVE5 = 3, /* one CVE JSON 5 record */
	VIGIL_FEED_KEV = 4,  /* the CISA KEV catalog */
	VIGIL_FEED_EPSS = 5, /* FIRST EPSS CSV (already decompressed) */
};
const char *vigil_feed_kind_name(enum vigil_feed_kind k);
enum vigil_feed_kind vigil_feed_kind_from_name(const char *name);
/* Sniffs a document's kind from its first bytes/keys; VIGIL_FEED_AUTO
 * when it is none of them. */
enum vigil_feed_kind vigil_feed_detect(const char *buf, size_t len);

#define VIGIL_FEED_DOC_MAX (512u << 20) /* largest feed document read */

struct vigil_kev_entry {
	char cve[32];
	const char *vendor, *product, *name, *description, *action, *notes;
	int64_t added_ms;
	int64_t due_ms;
	int ransomware; /* knownRansomwareCampaignUse == "Known" */
};
struct vigil_epss_entry {
	char cve[32];
	double epss;       /* 0..1 */
	double percentile; /* 0..1 */
};

/*
 * Callbacks of vigil_feed_parse. on_record gets each record parsed and
 * raw, the record's own JSON text (compact; what the store keeps and
 * vigil_vuln_parse reads back); a non-OK return stops the parse with
 * that code. on_error gets each bad record (index in the document, its
 * id when known, the reason) and the parse goes on. Pointers are valid
 * during the call only.
 */
struct vigil_feed_cb {
	void *ctx;
	enum vigil_err (*on_record)(void *ctx, const struct vigil_vuln *v,
	    const char *raw, size_t rawlen);
	enum vigil_err (*on_kev)(void *ctx, const struct vigil_kev_entry *e);
	enum vigil_err (*on_epss)(void *ctx, const struct vigil_epss_entry *e);
	void (*on_error)(void *ctx, size_t index, const char *id,
	    const char *msg);
};
/*
 * Parses one feed document of kind (AUTO sniffs). meta receives what
 * identifies the snapshot: KEV catalogVersion, EPSS score_date, NVD
 * timestamp ("" otherwise). VIGIL_EINVAL with err when the document as a
 * whole is unreadable; bad records alone go to on_error.
 */
enum vigil_err vigil_feed_parse(enum vigil_feed_kind kind, const char *buf,
    size_t len, const struct vigil_feed_cb *cb, char meta[64] /* OUT */,
    char *err, size_t errsize);
/* One record back from its raw text (as given to on_record). */
enum vigil_err vigil_vuln_parse(enum vigil_vsource src, const char *raw,
    size_t len, struct vigil_vuln **out /* OUT */, char *err,
    size_t errsize);

/* ====================================================================
 * Matching: one component against one record, three outcomes.
 * ==================================================================== */

enum vigil_outcome {
	VIGIL_UNRELATED = 0,    /* the record names other products */
	VIGIL_NOT_AFFECTED = 1, /* names this product; version outside */
	VIGIL_AFFECTED = 2,
	VIGIL_UNKNOWN = 3, /* names it, but cannot decide: unparseable
			    * version, no configurations, GIT-only ranges */
};
const char *vigil_outcome_name(enum vigil_outcome o); /* "affected"... */

/* A component prepared for matching (parsed once, matched many times). */
struct vigil_mcomp {
	const char *ref;     /* SBOM bom-ref / SPDXID; borrowed */
	const char *name;    /* borrowed */
	const char *version; /* borrowed; "" none */
	struct vigil_purl *purl; /* owned; NULL none or unparseable */
	int has_key;
	struct vigil_pkg_key key; /* from the purl when has_key */
	int has_cpe;
	struct vigil_cpe cpe; /* owned */
};
/* Fills c from the strings (purl, cpe may be NULL or ""); the strings
 * ref, name and version must outlive c. An unparseable purl or CPE is
 * not an error: the component then matches on what remains. */
enum vigil_err vigil_mcomp_init(struct vigil_mcomp *c, const char *ref,
    const char *name, const char *version, const char *purl,
    const char *cpe);
void vigil_mcomp_clear(struct vigil_mcomp *c);

/* The device model's platform (hardware, OS) CPEs, matched against NVD
 * vulnerable:false entries. */
struct vigil_platform {
	size_t ncpes;
	const struct vigil_cpe *cpes;
};

struct vigil_match {
	enum vigil_outcome outcome;
	enum vigil_vsource by; /* which part of the record decided */
	char reason[192];      /* "1.31.1 < 1.32.0 (versionEndExcluding)",
				* "no configurations (Awaiting Analysis)" */
	char fixed[VIGIL_VERSION_MAX]; /* first fixed version, "" unknown */
};
/* Decides c against v (and plat, NULL = no platform known: an AND
 * configuration needing a platform entry is then UNKNOWN). */
enum vigil_err vigil_match_one(const struct vigil_mcomp *c,
    const struct vigil_vuln *v, const struct vigil_platform *plat,
    struct vigil_match *out /* OUT */);

/*
 * Index keys: a record is found under "p:<ecosystem>/<name>" for each
 * OSV package (ecosystem lowercased, no release), "c:<vendor>:
 * <product>" for each CPE it names (vulnerable entries, Bitnami CPEs,
 * CVE 5 cpes and vendor/product pairs normalised to CPE spelling) and
 * "n:<name>" for each CVE 5 packageName (a component is found under
 * the name of its purl). All keys are lowercase. A component looks
 * itself up under the same spellings. cb gets each key once.
 */
typedef enum vigil_err (*vigil_key_fn)(void *ctx, const char *key);
enum vigil_err vigil_vuln_keys(const struct vigil_vuln *v, vigil_key_fn cb,
    void *ctx);
enum vigil_err vigil_mcomp_keys(const struct vigil_mcomp *c, vigil_key_fn cb,
    void *ctx);

/* An in-memory index of records for matching many components fast. */
struct vigil_vindex;
enum vigil_err vigil_vindex_new(struct vigil_vindex **out /* OUT */);
void vigil_vindex_free(struct vigil_vindex *ix);
/* Takes ownership of v (also on error). */
enum vigil_err vigil_vindex_add(struct vigil_vindex *ix, struct vigil_vuln *v);
size_t vigil_vindex_size(const struct vigil_vindex *ix);
/* Calls cb for every record related to c (outcome != UNRELATED), each
 * record once; a non-OK return from cb stops and is returned. */
typedef enum vigil_err (*vigil_match_fn)(void *ctx,
    const struct vigil_vuln *v, const struct vigil_match *m);
enum vigil_err vigil_vindex_match(const struct vigil_vindex *ix,
    const struct vigil_mcomp *c, const struct vigil_platform *plat,
    vigil_match_fn cb, void *ctx);

/* ====================================================================
 * CVSS vectors (v2, v3.0, v3.1, v4.0), prioritisation, risk.
 * ==================================================================== */

struct vigil_cvss {
	int major, minor;  /* 2.0, 3.0, 3.1, 4.0 */
	double base_score; /* computed from the vector, 0.0..10.0 */
	const char *severity; /* "none" "low" "medium" "high" "critical" */
	int network;       /* attack vector Network */
	int no_privileges; /* PR:N (v3/v4) or Au:N (v2) */
	int no_user_interaction; /* UI:N */
};
/* Parses and scores a vector ("CVSS:3.1/AV:N/...", "CVSS:4.0/...", v2
 * bare "AV:N/AC:L/Au:N/C:P/I:P/A:P"); every mandatory metric once, no
 * unknown metric or value: the error names the metric and offset. */
enum vigil_err vigil_cvss_parse(const char *vector, struct vigil_cvss *out,
    char *err, size_t errsize);

struct vigil_prio_input {
	int kev;        /* in CISA KEV (or marked exploited by an analyst) */
	int ransomware; /* KEV knownRansomwareCampaignUse Known */
	double epss;    /* 0..1, < 0 unknown */
	double cvss;    /* base score 0..10, < 0 unknown */
	int network;    /* attack vector network */
	int exposed;    /* device exposes a service / is internet-reachable;
			 * < 0 unknown */
};
/* The documented priority formula (docs/vulnerabilities.md): 0..100. */
double vigil_vuln_priority(const struct vigil_prio_input *in);
/* "critical" (>= 80), "high" (>= 60), "medium" (>= 30), "low". */
const char *vigil_priority_label(double priority);
/* A device's risk from its open findings' priorities: 0..100, the
 * highest priority raised by the mass of the others (documented). */
double vigil_device_risk(const double *priorities, size_t n);

/* ====================================================================
 * Cyber Resilience Act (Regulation (EU) 2024/2847, Art. 14) clocks.
 * ==================================================================== */

enum vigil_cra_kind {
	VIGIL_CRA_VULN = 1,     /* actively exploited vulnerability */
	VIGIL_CRA_INCIDENT = 2, /* severe incident */
};
struct vigil_cra_due {
	int64_t early_warning_ms; /* aware + 24 h */
	int64_t notification_ms;  /* aware + 72 h */
	int64_t final_ms; /* VULN: fix available + 14 days; INCIDENT:
			   * notification submitted (else due) + 1 month;
			   * 0 when not yet determined (no fix yet) */
};
/* aware_ms: when the manufacturer became aware; fix_ms: when a
 * corrective measure became available (0 none); notified_ms: when the
 * notification was submitted (0 not yet). */
void vigil_cra_deadlines(enum vigil_cra_kind kind, int64_t aware_ms,
    int64_t fix_ms, int64_t notified_ms, struct vigil_cra_due *out);

#ifdef __cplusplus
}
#endif
#endif
