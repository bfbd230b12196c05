/*
 * Store operations of the vulnerability feed/build/scan area (vulndb.h):
 * feed provenance, records with their aliases and index keys, KEV and
 * EPSS rows, firmware builds with components and component keys, VEX
 * statements and findings. SQLite only (sqlite_vuln.c); reached only
 * from src/lib/vuln/vdb_*.c, which validate input and word errors.
 *
 * Row readers hand each row to a callback; pointers in a row are valid
 * during the call only. A callback's non-OK return stops the walk and
 * is returned. Lookups that find nothing return VIGIL_ENOTFOUND without
 * an error text. Listings that the API renders as they are come back as
 * JSON arrays (one rendering, no intermediate structs).
 */
#ifndef VIGIL_STORE_VULN_H
#define VIGIL_STORE_VULN_H

#include <jansson.h>

#include "store_internal.h"
#include "vigil/vuln.h"

/* ---- feeds and records --------------------------------------------- */

struct store_vuln_feed {
	const char *kind, *source, *path, *meta, *sha256, *actor;
	int64_t fetched_ms, imported_ms;
};
enum vigil_err store_vuln_feed_insert(struct vigil_store *st,
    const struct store_vuln_feed *f, int64_t *id /* OUT */);
/* After the parse: how many records, what the snapshot is called. */
enum vigil_err store_vuln_feed_finish(struct vigil_store *st, int64_t id,
    int64_t records, const char *meta);
/* Newest first, as vigil_vdb_feed_list renders them. */
enum vigil_err store_vuln_feed_list(struct vigil_store *st, json_t **out);

/* The stored version of (source, id): ENOTFOUND when none. */
enum vigil_err store_vuln_record_find(struct vigil_store *st,
    const char *source, const char *id, int64_t *rid /* OUT */,
    int64_t *modified_ms /* OUT */);
struct store_vuln_record {
	const char *source, *id, *canonical, *summary, *cvss_vector;
	int64_t modified_ms, withdrawn_ms, feed_id;
	double cvss;
	const char *raw;
	size_t rawlen;
};
/* Inserts or replaces (source, id); its aliases and keys are cleared
 * (the caller adds the new ones). */
enum vigil_err store_vuln_record_put(struct vigil_store *st,
    const struct store_vuln_record *r, int64_t *rid /* OUT */);
enum vigil_err store_vuln_alias_add(struct vigil_store *st, int64_t rid,
    const char *alias);
enum vigil_err store_vuln_key_add(struct vigil_store *st, int64_t rid,
    const char *key);
typedef enum vigil_err (*store_vuln_str_fn)(void *ctx, const char *s);
/* The keys stored for rid (before a replace: what it used to name). */
enum vigil_err store_vuln_record_keys(struct vigil_store *st, int64_t rid,
    store_vuln_str_fn cb, void *ctx);

enum vigil_err store_vuln_kev_put(struct vigil_store *st,
    const struct vigil_kev_entry *e, int64_t feed_id);
enum vigil_err store_vuln_epss_put(struct vigil_store *st,
    const struct vigil_epss_entry *e, const char *date, int64_t feed_id);
/* KEV (or analyst mark), ransomware and EPSS (-1 unknown) of one id. */
enum vigil_err store_vuln_prio_info(struct vigil_store *st, const char *id,
    int *kev /* OUT */, int *ransomware /* OUT */, double *epss /* OUT */);

/* ---- builds and components ---------------------------------------- */

struct store_vuln_build {
	const char *id, *model, *version, *format, *spec_version, *serial;
	const char *sha256, *quality, *actor;
	const void *sbom;
	size_t sbomlen;
	int64_t imported_ms;
};
/* Inserts, or (replace) rewrites the row of the same id and drops its
 * components. */
enum vigil_err store_vuln_build_put(struct vigil_store *st,
    const struct store_vuln_build *b, int replace);
/* The build id of an id or (model, version); ENOTFOUND. */
enum vigil_err store_vuln_build_find(struct vigil_store *st, const char *id,
    const char *model, const char *version, char out[VIGIL_UUID_STRLEN]);
enum vigil_err store_vuln_build_by_serial(struct vigil_store *st,
    const char *serial, char out[VIGIL_UUID_STRLEN]);
enum vigil_err store_vuln_build_delete(struct vigil_store *st,
    const char *id);
/* One build as its JSON object (as in vigil_vdb_build_list, with
 * "devices" in tenant's scope); ENOTFOUND. */
enum vigil_err store_vuln_build_json(struct vigil_store *st,
    const char *tenant, const char *id, json_t **out);
/* Every build as above, ordered by model, version. */
enum vigil_err store_vuln_build_list(struct vigil_store *st,
    const char *tenant, json_t **out);
/* The build's stored SBOM document and format; *doc heap (free()). */
enum vigil_err store_vuln_build_sbom(struct vigil_store *st, const char *id,
    char **doc, size_t *len, char format[32], char **quality);
/* Every build id, ordered (a full scan). */
enum vigil_err store_vuln_build_ids(struct vigil_store *st,
    store_vuln_str_fn cb, void *ctx);
/* The builds with a finding about vuln (or a record vuln aliases). */
enum vigil_err store_vuln_builds_by_vuln(struct vigil_store *st,
    const char *vuln, store_vuln_str_fn cb, void *ctx);
struct store_vuln_build_row {
	const char *id, *model, *version, *serial;
};
enum vigil_err store_vuln_build_row(struct vigil_store *st, const char *id,
    void (*cb)(void *ctx, const struct store_vuln_build_row *r), void *ctx);
enum vigil_err store_vuln_build_counts(struct vigil_store *st,
    const char *id, int64_t scanned_ms, int64_t affected, int64_t unknown,
    int64_t unmatchable);
/* Devices running (model, version) in tenant's scope (NULL all). */
enum vigil_err store_vuln_build_devices(struct vigil_store *st,
    const char *tenant, const char *model, const char *version,
    int64_t *n /* OUT */);
/* The platform CPEs of a model, one per line ("" none). *out heap. */
enum vigil_err store_vuln_platform_cpes(struct vigil_store *st,
    const char *model, char **out);

struct store_vuln_comp {
	const char *ref, *name, *version, *supplier, *purl, *cpe;
};
/* 0 in *added when the ref was already there (a duplicate). */
enum vigil_err store_vuln_comp_add(struct vigil_store *st,
    const char *build_id, const struct store_vuln_comp *c, int *added);
enum vigil_err store_vuln_comp_key_add(struct vigil_store *st,
    const char *build_id, const char *ref, const char *key);
/* Components by ref. */
enum vigil_err store_vuln_comps(struct vigil_store *st, const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_comp *c),
    void *ctx);
/* The (component ref, record) pairs of a build: the records under any
 * key of its components, not withdrawn, ordered by ref, rid (a pair may
 * repeat when several keys meet). */
enum vigil_err store_vuln_candidates(struct vigil_store *st,
    const char *build_id,
    enum vigil_err (*cb)(void *ctx, const char *ref, int64_t rid),
    void *ctx);
/* One record's stored text and scores. */
struct store_vuln_cand {
	int64_t rid;
	const char *source, *raw;
	size_t rawlen;
	double cvss;
	const char *cvss_vector;
};
enum vigil_err store_vuln_record_raw(struct vigil_store *st, int64_t rid,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_cand *c),
    void *ctx);

/* ---- VEX and findings ---------------------------------------------- */

struct store_vuln_vex {
	const char *build_id; /* NULL every build */
	const char *vuln, *product, *serial, *state, *justification;
	const char *detail, *action, *format, *document, *actor;
	int64_t time_ms, imported_ms;
	const char *versions; /* exact version or "vers:" range; "" all */
};
enum vigil_err store_vuln_vex_add(struct vigil_store *st,
    const struct store_vuln_vex *v);
/* Drops the build's statements of one format (those a replaced SBOM
 * carried, e.g. Buildroot's ignore_cves). */
enum vigil_err store_vuln_vex_drop_format(struct vigil_store *st,
    const char *build_id, const char *format);
/* Statements of the build and those for every build, by id. */
enum vigil_err store_vuln_vex_for_build(struct vigil_store *st,
    const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_vex *v),
    void *ctx);

struct store_vuln_finding {
	const char *ref, *vuln, *outcome, *sources, *reason, *fixed;
	const char *vex_state, *vex_justification, *vex_detail;
	double cvss, priority;
	int64_t scanned_ms;
};
enum vigil_err store_vuln_findings_clear(struct vigil_store *st,
    const char *build_id);
/* Inserts or replaces the finding (build, ref, vuln). */
enum vigil_err store_vuln_finding_add(struct vigil_store *st,
    const char *build_id, const struct store_vuln_finding *f);
enum vigil_err store_vuln_finding_del(struct vigil_store *st,
    const char *build_id, const char *ref, const char *vuln);
/* By ref, vuln. */
enum vigil_err store_vuln_findings(struct vigil_store *st,
    const char *build_id,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_finding *f),
    void *ctx);

/* ---- partial re-scans (what a feed change touches) ------------------ */

typedef enum vigil_err (*store_vuln_pair_fn)(void *ctx, const char *build_id,
    const char *ref);
/* The (build, component) pairs with a component under key. */
enum vigil_err store_vuln_key_comps(struct vigil_store *st, const char *key,
    store_vuln_pair_fn cb, void *ctx);
/* The (build, component) pairs with a finding about vuln (or a record
 * vuln aliases). */
enum vigil_err store_vuln_vuln_comps(struct vigil_store *st,
    const char *vuln, store_vuln_pair_fn cb, void *ctx);
/* store_vuln_findings for one component, by vuln. */
enum vigil_err store_vuln_findings_ref(struct vigil_store *st,
    const char *build_id, const char *ref,
    enum vigil_err (*cb)(void *ctx, const struct store_vuln_finding *f),
    void *ctx);
/* The keys stored for one component (fw_component_keys). */
enum vigil_err store_vuln_comp_keys(struct vigil_store *st,
    const char *build_id, const char *ref, store_vuln_str_fn cb, void *ctx);
/* The records under key that are not withdrawn. */
enum vigil_err store_vuln_key_rids(struct vigil_store *st, const char *key,
    enum vigil_err (*cb)(void *ctx, int64_t rid), void *ctx);
/* Sets scanned_ms and the affected / unknown counts from the stored
 * findings (unmatchable is left as it is). */
enum vigil_err store_vuln_build_recount(struct vigil_store *st,
    const char *id, int64_t scanned_ms);

#endif
