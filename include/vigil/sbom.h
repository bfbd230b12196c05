/*
 * vigil/sbom.h — software bills of materials and VEX (issue 7, part of
 * the vuln module): CycloneDX JSON 1.4–1.6 and SPDX 2.2/2.3 (JSON and
 * tag-value) in, CycloneDX 1.6 SBOM and VEX out; the NTIA minimum
 * elements quality report; VEX statements from CycloneDX VEX, OpenVEX,
 * CSAF 2.0 VEX and build-system patch lists (Buildroot `make
 * show-info` ignore_cves, Yocto cve-check JSON).
 *
 * Every parser is bounded (VIGIL_SBOM_DOC_MAX, VIGIL_SBOM_COMPONENTS_MAX,
 * string lengths) and rejects with what and where:
 * "CycloneDX components[12].purl: not a purl (missing 'pkg:')".
 */
#ifndef VIGIL_SBOM_H
#define VIGIL_SBOM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "vuln.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_SBOM_DOC_MAX (256u << 20)    /* largest document read */
#define VIGIL_SBOM_COMPONENTS_MAX 1000000u /* components per document */

enum vigil_sbom_format {
	VIGIL_SBOM_AUTO = 0,
	VIGIL_SBOM_CYCLONEDX = 1, /* CycloneDX JSON 1.4, 1.5, 1.6 */
	VIGIL_SBOM_SPDX_JSON = 2, /* SPDX 2.2 / 2.3 JSON */
	VIGIL_SBOM_SPDX_TV = 3,   /* SPDX 2.2 / 2.3 tag-value */
	/* added by task BR: Buildroot `make show-info` JSON; the target
	 * packages are the components, ignore_cves is VEX */
	VIGIL_SBOM_BUILDROOT = 4,
};
const char *vigil_sbom_format_name(enum vigil_sbom_format f);
enum vigil_sbom_format vigil_sbom_format_from_name(const char *name);
/* Sniffs; VIGIL_SBOM_AUTO when none. */
enum vigil_sbom_format vigil_sbom_detect(const char *buf, size_t len);

struct vigil_sbom_hash {
	char *alg;   /* as CycloneDX spells it: "SHA-256", "SHA-1", "MD5"... */
	char *value; /* lowercase hex */
};

struct vigil_sbom_component {
	char *ref;      /* bom-ref / SPDXID; generated "c<N>" when absent */
	char *type;     /* "library", "firmware", "operating-system"...; "" */
	char *name;     /* "" when missing (a quality defect) */
	char *version;  /* "" when missing */
	char *supplier; /* "" when missing */
	char *purl;     /* "" when none */
	char *cpe;      /* 2.3 formatted string (2.2 URIs are bound); "" */
	char *license;  /* SPDX expression or ""; informational */
	size_t nhashes;
	struct vigil_sbom_hash *hashes;
	size_t ndeps;
	char **deps; /* refs this component depends on */
};

struct vigil_sbom {
	enum vigil_sbom_format format;
	char *spec_version; /* "1.6", "SPDX-2.3" */
	char *serial;       /* CycloneDX serialNumber / SPDX namespace; "" */
	int64_t bom_version; /* CycloneDX version; 1 otherwise */
	int64_t created_ms;  /* metadata.timestamp / creationInfo.created; 0 */
	char *authors;       /* authors/creators joined by "; "; "" none */
	char *tools;         /* producing tools joined by "; "; "" none */
	/* The product the SBOM describes (CycloneDX metadata.component,
	 * SPDX DESCRIBES): the firmware. Fields "" when absent. */
	struct vigil_sbom_component subject;
	size_t ncomponents;
	struct vigil_sbom_component *components; /* nested ones flattened */
	int has_dependencies; /* a dependency graph was present */
	size_t nwarnings;
	char **warnings; /* tolerated defects: "components[3]: bad purl ..." */
};

/* Parses a whole document of fmt (AUTO sniffs). Caller frees *out with
 * vigil_sbom_free. Tag-value is read line by line. */
enum vigil_err vigil_sbom_parse(const char *buf, size_t len,
    enum vigil_sbom_format fmt, struct vigil_sbom **out /* OUT */,
    char *err, size_t errsize);
void vigil_sbom_free(struct vigil_sbom *s);

/* NTIA "Minimum Elements for an SBOM" (2021) per component and document,
 * plus what matching needs. */
struct vigil_sbom_quality {
	size_t components;
	size_t missing_name;
	size_t missing_version;
	size_t missing_supplier;
	size_t missing_identifier; /* no purl, no CPE: cannot be matched */
	size_t missing_hash;
	int has_author;
	int has_timestamp;
	int has_dependencies;
	int ntia_ok; /* every NTIA element present for every component */
};
void vigil_sbom_quality(const struct vigil_sbom *s,
    struct vigil_sbom_quality *out /* OUT */);
/* {"components":N, "ntia_minimum_elements":{"supplier":{"missing":n},
 *  ...}, "cannot_be_matched":n, "ntia_ok":bool} */
json_t *vigil_sbom_quality_to_json(const struct vigil_sbom_quality *q);

/* ====================================================================
 * VEX
 * ==================================================================== */

enum vigil_vex_state {
	VIGIL_VEX_NONE = 0,
	VIGIL_VEX_AFFECTED = 1,    /* exploitable / known_affected */
	VIGIL_VEX_NOT_AFFECTED = 2, /* needs a justification */
	VIGIL_VEX_FIXED = 3,        /* resolved / fixed / patched */
	VIGIL_VEX_UNDER_INVESTIGATION = 4, /* in_triage */
	VIGIL_VEX_FALSE_POSITIVE = 5,      /* CycloneDX only */
};
/* "affected", "not_affected", "fixed", "under_investigation",
 * "false_positive". */
const char *vigil_vex_state_name(enum vigil_vex_state s);
enum vigil_vex_state vigil_vex_state_from_name(const char *name);

enum vigil_vex_format {
	VIGIL_VEX_AUTO = 0,
	VIGIL_VEX_CYCLONEDX = 1, /* a BOM's vulnerabilities[] */
	VIGIL_VEX_OPENVEX = 2,
	VIGIL_VEX_CSAF = 3,      /* CSAF 2.0 csaf_vex */
	VIGIL_VEX_BUILDROOT = 4, /* `make show-info` JSON: ignore_cves */
	VIGIL_VEX_YOCTO = 5,     /* cve-check JSON: Patched / Ignored */
};
const char *vigil_vex_format_name(enum vigil_vex_format f);
enum vigil_vex_format vigil_vex_format_from_name(const char *name);
enum vigil_vex_format vigil_vex_detect(const char *buf, size_t len);

/*
 * One statement. product says what it is about, in one of these forms:
 *   "pkg:..."           a purl; without version = every version
 *   "cpe:2.3:..."       a CPE
 *   "ref:<bom-ref>"     a component of the build's SBOM (CycloneDX
 *                       affects[].ref, BOM-Link fragment)
 *   "name:<package>"    a package name (Buildroot/Yocto patch lists)
 *   ""                  the whole product the document is about
 * serial is the BOM-Link serial ("urn:uuid:...") when the ref was a
 * BOM-Link, "" otherwise.
 */
struct vigil_vex_stmt {
	char *vuln;    /* as written: CVE, GHSA, ... */
	char *product;
	char *serial;
	enum vigil_vex_state state;
	char *justification; /* normalised to CycloneDX's names ("code_not_
			      * present"...), OpenVEX's kept as written */
	char *detail;        /* impact / detail text; "" */
	char *action;        /* response / action statement; "" */
	int64_t time_ms;     /* statement time (or the document's) */
	/* added by task VV: the versions the statement is about, an exact
	 * version or a "vers:" range (github.com/package-url/purl-spec
	 * VERSION-RANGE-SPEC: vers:<scheme>/<constraints separated by |>,
	 * comparators = != < <= > >= and "*"); "" = every version. */
	char *versions;
};
struct vigil_vex_doc {
	enum vigil_vex_format format;
	char *id;        /* document id / serial; "" */
	int64_t time_ms; /* document timestamp; 0 */
	size_t nstmts;
	struct vigil_vex_stmt *stmts;
	size_t nrejected;
	char **rejected; /* statements refused, each with why and where:
			  * "statements[2]: not_affected without a
			  * justification" */
};
/* Parses a VEX document; bad statements are listed in rejected, the
 * good ones kept. VIGIL_EINVAL only when the document is unreadable or
 * no statement survives. */
enum vigil_err vigil_vex_parse(const char *buf, size_t len,
    enum vigil_vex_format fmt, struct vigil_vex_doc **out /* OUT */,
    char *err, size_t errsize);
void vigil_vex_doc_free(struct vigil_vex_doc *d);

/*
 * The statement that applies to (vulnerability, component) among stmts:
 * the vulnerability matches on any of ids (the canonical id and its
 * aliases, compared case-insensitively), the product on the component's
 * purl (version must equal when the statement's purl has one; qualifiers
 * ignored), CPE, ref or name, or "" for every component. The newest
 * (time_ms) wins; ties go to the later in the array. NULL when none.
 * (added by task VV:) A statement with versions applies only when the
 * component's version satisfies them; a version that does not parse
 * under the scheme satisfies nothing.
 */
const struct vigil_vex_stmt *vigil_vex_lookup(
    const struct vigil_vex_stmt *const *stmts, size_t n,
    const char *const *ids, size_t nids,
    const struct vigil_sbom_component *c);

/* ====================================================================
 * Export
 * ==================================================================== */

/* s as a CycloneDX 1.6 BOM (new serialNumber serial, version 1,
 * metadata.component = subject, components, dependencies). */
json_t *vigil_sbom_to_cyclonedx(const struct vigil_sbom *s,
    const char *serial);

/* One finding for VEX export. */
struct vigil_vex_finding {
	const char *vuln;          /* canonical id */
	const char *source;        /* "osv", "nvd", "cve5" */
	const char *component_ref; /* bom-ref in the exported SBOM */
	enum vigil_vex_state state; /* AFFECTED when no analysis */
	const char *justification; /* "" */
	const char *detail;        /* "" */
	const char *fixed;         /* first fixed version, "" */
	double cvss;               /* < 0 unknown */
	const char *cvss_vector;   /* "" */
};
/* A CycloneDX 1.6 VEX BOM about the SBOM with serial bom_serial
 * (affects[].ref as BOM-Links "urn:cdx:<serial>/1#<ref>"). */
json_t *vigil_vex_to_cyclonedx(const char *bom_serial,
    const struct vigil_vex_finding *f, size_t n, const char *serial);

#ifdef __cplusplus
}
#endif
#endif
