/*
 * vigil/vulndb.h — vulnerability management on the store (issue 7): the
 * operations the CLI and the API share. Feeds, firmware builds with
 * their SBOMs, VEX, scans, fleet exposure, products (device models:
 * support period, platform CPEs, manufacturer) and the Cyber Resilience
 * Act report clocks.
 *
 * Scope. Vulnerability data, builds, products and CRA reports are the
 * platform's (the manufacturer's): changing them is a platform act.
 * Devices belong to tenants: every query that counts or lists devices
 * takes a tenant (NULL = platform scope, every tenant), so a tenant sees
 * its own devices only.
 *
 * How devices meet builds: a build is (model, firmware version); a
 * device runs the build whose model is the device's model and whose
 * version is the device's firmware version (vigil_vdb_device_firmware_
 * set: from the registry/CLI now, from posture check-in later).
 *
 * Results are JSON renderings (new references, json_decref) that the
 * API returns as they are and the CLI prints: one rendering, two modes.
 * These functions do not audit; their callers (CLI local backend, API
 * handlers) append the audit record of each change.
 *
 * Errors: VIGIL_EINVAL (bad input; err says what and where),
 * VIGIL_ENOTFOUND (err names what), VIGIL_ESTORE.
 */
#ifndef VIGIL_VULNDB_H
#define VIGIL_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "sbom.h"
#include "store.h"
#include "vuln.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- feeds -------------------------------------------------------- */

struct vigil_vdb_import_opts {
	enum vigil_feed_kind kind; /* AUTO: per file */
	const char *source;        /* provenance label; NULL = the kind */
	int64_t fetched_ms;        /* when fetched; 0 = now */
	const char *actor;
	void *ctx;
	/* bytes read of total (all files), records so far. */
	void (*on_progress)(void *ctx, uint64_t done, uint64_t total,
	    uint64_t records);
	/* A bad record or file: where ("nvd.json: vulnerabilities[3]",
	 * "osv.zip: BIT-x.json") and why. The import goes on. */
	void (*on_error)(void *ctx, const char *where, const char *msg);
};
struct vigil_vdb_import_stats {
	uint64_t files;
	uint64_t bytes;
	uint64_t records;   /* vulnerability records read */
	uint64_t added;
	uint64_t updated;   /* newer modified time than stored */
	uint64_t unchanged; /* same or older: kept as stored */
	uint64_t withdrawn;
	uint64_t rejected;  /* bad records (each went to on_error) */
	uint64_t no_data;   /* records naming no product (NVD awaiting
			     * analysis without CVE 5 data) */
	uint64_t kev;
	uint64_t epss;
	uint64_t builds_rescanned; /* builds re-matched after the update */
};
/*
 * Imports path: a feed file (JSON, CSV, .gz), a directory (recursively,
 * *.json / *.csv / *.gz / *.zip) or a .zip archive (OSV's per-ecosystem
 * all.zip). Each file commits on its own; a bad file or record is
 * reported and the rest imported (VIGIL_EINVAL at the end when any was
 * rejected, VIGIL_OK otherwise). Records merge by (source, id), newest
 * modified wins. The components the changed records name (before and
 * after the change), and those with a finding about a CVE whose KEV or
 * EPSS row the call wrote, are re-scanned in the same call (findings and
 * priorities as a full scan gives them). Opens no CRA report: the caller
 * calls vigil_vdb_cra_sync afterwards (and audits what it opened).
 */
enum vigil_err vigil_vdb_import(struct vigil_store *st, const char *path,
    const struct vigil_vdb_import_opts *o,
    struct vigil_vdb_import_stats *stats /* OUT */, char *err,
    size_t errsize);
/* The same over one document in memory (the API's upload). */
enum vigil_err vigil_vdb_import_mem(struct vigil_store *st, const char *name,
    const char *buf, size_t len, const struct vigil_vdb_import_opts *o,
    struct vigil_vdb_import_stats *stats /* OUT */, char *err,
    size_t errsize);
json_t *vigil_vdb_import_stats_to_json(
    const struct vigil_vdb_import_stats *s);
/* The feed imports so far, newest first: [{"id","kind","source","path",
 * "meta","sha256","imported_at","fetched_at","records"}]. */
enum vigil_err vigil_vdb_feed_list(struct vigil_store *st, json_t **out);

/* ---- firmware builds and SBOMs ------------------------------------- */

struct vigil_vdb_sbom_opts {
	const char *model;    /* required */
	const char *firmware; /* required: the firmware version */
	enum vigil_sbom_format format; /* AUTO sniffs */
	int replace;          /* an existing build's SBOM is replaced */
	const char *actor;
};
/* Binds the SBOM to build (model, firmware) and scans it. *out:
 * {"build":{...},"quality":{...},"scan":{...},"warnings":[...]}.
 * VIGIL_EEXIST when the build has an SBOM and !replace. Opens no CRA
 * report: the caller calls vigil_vdb_cra_sync afterwards. */
enum vigil_err vigil_vdb_sbom_import(struct vigil_store *st, const char *buf,
    size_t len, const struct vigil_vdb_sbom_opts *o, json_t **out /* OUT */,
    char *err, size_t errsize);
/* Builds: [{"id","model","firmware","format","spec_version","serial",
 * "components","imported_at","scanned_at","affected","unknown",
 * "unmatchable","devices"}] (devices counted in tenant's scope). */
enum vigil_err vigil_vdb_build_list(struct vigil_store *st,
    const char *tenant, json_t **out /* OUT */);
/* build: its id, or "MODEL@FIRMWARE". */
enum vigil_err vigil_vdb_build_get(struct vigil_store *st, const char *tenant,
    const char *build, json_t **out /* OUT */, char *err, size_t errsize);
enum vigil_err vigil_vdb_build_delete(struct vigil_store *st,
    const char *build, char *err, size_t errsize);
/* CycloneDX 1.6 SBOM (vex = 0) or CycloneDX VEX of the build's current
 * findings and analyses (vex = 1). */
enum vigil_err vigil_vdb_sbom_export(struct vigil_store *st, const char *build,
    int vex, json_t **out /* OUT */, char *err, size_t errsize);

/* ---- VEX ------------------------------------------------------------ */

/* Imports statements; build NULL = they apply wherever their product
 * matches (BOM-Link serials select their build). Re-applies VEX to the
 * findings. *out: {"statements":n,"rejected":[...],"findings_changed":n}.
 * Statements are kept with provenance; newest wins at lookup. */
enum vigil_err vigil_vdb_vex_import(struct vigil_store *st, const char *buf,
    size_t len, enum vigil_vex_format fmt, const char *build,
    const char *actor, json_t **out /* OUT */, char *err, size_t errsize);

/* ---- scanning ------------------------------------------------------- */

/* Re-matches build (NULL = every build) against the stored records and
 * rewrites its findings. *out: {"builds":[{"id","model","firmware",
 * "components","affected","unknown","not_affected","unmatchable",
 * "elapsed_ms"}]}. Opens no CRA report: the caller calls
 * vigil_vdb_cra_sync afterwards. */
enum vigil_err vigil_vdb_scan(struct vigil_store *st, const char *build,
    json_t **out /* OUT */, char *err, size_t errsize);

/* ---- queries -------------------------------------------------------- */

struct vigil_vdb_filter {
	const char *build;  /* NULL any */
	const char *device; /* NULL any: device id or name (tenant scope) */
	int kev_only;
	int include_unknown; /* list unknown outcomes too */
	int include_suppressed; /* VEX not_affected/fixed/false_positive */
	double min_priority; /* 0 = all */
	size_t limit;        /* 0 = 100 */
};
/* Vulnerabilities with affected builds, ordered by priority:
 * [{"id","aliases","priority","priority_label","kev","ransomware",
 * "epss","cvss","summary","builds","devices","tenants"}]. */
enum vigil_err vigil_vdb_vuln_list(struct vigil_store *st, const char *tenant,
    const struct vigil_vdb_filter *f, json_t **out /* OUT */);
/* One vulnerability: its records (by source, with provenance), aliases,
 * KEV/EPSS/CVSS, priority, the builds and components it affects with
 * reasons, fixed versions and VEX. VIGIL_ENOTFOUND when unknown (any
 * alias finds it). */
enum vigil_err vigil_vdb_vuln_show(struct vigil_store *st, const char *tenant,
    const char *id, json_t **out /* OUT */, char *err, size_t errsize);
/* "CVE-X affects N devices in T tenants": {"id","devices","tenants",
 * "builds":[{"id","model","firmware","devices","components":[{"ref",
 * "name","version","fixed","reason"}]}],"models":[...]} in scope. */
enum vigil_err vigil_vdb_affected(struct vigil_store *st, const char *tenant,
    const char *id, json_t **out /* OUT */, char *err, size_t errsize);
/* A device's build and findings, with its risk score. */
enum vigil_err vigil_vdb_device_findings(struct vigil_store *st,
    const char *tenant, const char *device, json_t **out /* OUT */,
    char *err, size_t errsize);
/* The risk score (0..100) posture and policy use; 0 with no findings or
 * no known build. */
enum vigil_err vigil_vdb_device_risk(struct vigil_store *st,
    const char *tenant, const char *device_id, double *risk /* OUT */);

/* Records the firmware version a device runs (source: "registry",
 * "checkin", "import"). tenant is required. */
enum vigil_err vigil_vdb_device_firmware_set(struct vigil_store *st,
    const char *tenant, const char *device, const char *version,
    const char *source, char *err, size_t errsize);

/* ---- products (device models) -------------------------------------- */

struct vigil_vdb_product {
	const char *model;
	const char *manufacturer;   /* NULL keeps */
	int64_t support_until_ms;   /* -1 keeps; 0 clears */
	const char *const *platform_cpes; /* NULL keeps */
	size_t nplatform_cpes;
};
enum vigil_err vigil_vdb_product_set(struct vigil_store *st,
    const struct vigil_vdb_product *p, json_t **out /* OUT */, char *err,
    size_t errsize);
/* [{"model","manufacturer","support_until","support_state":"supported"|
 * "ending"|"ended"|"unset","days_left","platform_cpes","builds",
 * "devices"}]; "ending" within warn_days. */
enum vigil_err vigil_vdb_product_list(struct vigil_store *st,
    const char *tenant, int64_t now_ms, int warn_days,
    json_t **out /* OUT */);

/* ---- Cyber Resilience Act ------------------------------------------- */

/* Marks a vulnerability actively exploited by an analyst (or clears
 * the mark): KEV-equivalent for priority and CRA. */
enum vigil_err vigil_vdb_mark_exploited(struct vigil_store *st,
    const char *vuln, int exploited, const char *note, const char *actor,
    char *err, size_t errsize);
/*
 * Opens the CRA report records due: one per (actively exploited
 * vulnerability, affected model) that has none yet; opened lists the new
 * ones ([{"id","vuln","model"}]). The library never calls it by itself:
 * callers (CLI, API) call it after feed, SBOM and VEX imports and scans,
 * and audit each opened report as "cra.auto_open".
 */
enum vigil_err vigil_vdb_cra_sync(struct vigil_store *st, int64_t now_ms,
    json_t **opened /* OUT, may be NULL */);
/* An analyst opens a report by hand: kind vulnerability or incident
 * (severe incident), about vuln (NULL for an incident) and model. */
enum vigil_err vigil_vdb_cra_open(struct vigil_store *st,
    enum vigil_cra_kind kind, const char *vuln, const char *model,
    const char *summary, int64_t aware_ms, json_t **out /* OUT */,
    char *err, size_t errsize);
/* Every report with its clocks, what is due next and when, overdue
 * flags, and support-period warnings: {"reports":[...],"support":[...]}.
 * all = include closed reports. */
enum vigil_err vigil_vdb_cra_status(struct vigil_store *st, int64_t now_ms,
    int all, json_t **out /* OUT */);
/* Transitions: "early-warning", "notification", "final" (submitted at
 * now_ms), "fix" (a corrective measure is available at now_ms; starts
 * the 14-day final clock), "close". Out-of-order steps are refused
 * (VIGIL_EINVAL: "notification before early warning"). */
enum vigil_err vigil_vdb_cra_step(struct vigil_store *st, const char *id,
    const char *step, int64_t now_ms, json_t **out /* OUT */, char *err,
    size_t errsize);
/* The report draft for the next (or given) stage, with the fields
 * Art. 14 asks for: manufacturer, product and versions, vulnerability,
 * severity, exploitation, affected devices by region, corrective
 * measures, clocks. */
enum vigil_err vigil_vdb_cra_export(struct vigil_store *st, const char *id,
    int64_t now_ms, json_t **out /* OUT */, char *err, size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
