/*
 * Private to the vulnerability store code (vdb_*.c): walking feed
 * paths into documents, scanning one build, resolving a build name.
 */
#ifndef VIGIL_VDB_INTERNAL_H
#define VIGIL_VDB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vulndb.h"

/* ---- vdb_files.c ---------------------------------------------------- */

/* The feed files under a path: the path itself when it is a file, else
 * every *.json, *.csv, *.gz and *.zip below it (sorted, recursively;
 * symlinked directories are not followed). */
struct vdb_file {
	char *path;
	uint64_t size;
};
struct vdb_files {
	size_t n;
	struct vdb_file *v;
	uint64_t total;
};
enum vigil_err vdb_files_list(const char *path, struct vdb_files *out,
    char *err, size_t errsize);
void vdb_files_free(struct vdb_files *f);

/* One document of a file: name ("osv.zip: BIT-x.json", "nvd.json" for
 * "nvd.json.gz"), bytes (NUL-terminated; at most VIGIL_FEED_DOC_MAX). */
typedef enum vigil_err (*vdb_doc_fn)(void *ctx, const char *name,
    const char *buf, size_t len);
/* Calls doc for each document of the file at path (a .zip holds many).
 * A document that cannot be read goes to bad(ctx, where, why) and the
 * walk goes on; VIGIL_EINVAL with err when the file itself cannot be
 * opened. A non-OK return of doc stops the walk and is returned. */
enum vigil_err vdb_file_docs(const char *path, vdb_doc_fn doc,
    void (*bad)(void *ctx, const char *where, const char *why), void *ctx,
    char *err, size_t errsize);

/* ---- vdb_scan.c ----------------------------------------------------- */

struct vdb_scan_res {
	size_t components;
	size_t affected, unknown, not_affected, unmatchable;
	size_t vex_changed; /* findings whose VEX state moved */
	int64_t elapsed_ms;
};
/* Parsed records shared by the scans of one batch (an import's
 * re-scans, a full scan): each record is parsed once. */
struct vdb_cache;
struct vdb_cache *vdb_cache_new(void);
void vdb_cache_free(struct vdb_cache *c);
/* Re-matches one build and rewrites its findings in one transaction;
 * cache NULL = a private one. The records must not change while a
 * cache lives. */
enum vigil_err vdb_scan_build(struct vigil_store *st, const char *build_id,
    struct vdb_cache *cache, struct vdb_scan_res *res /* OUT */, char *err,
    size_t errsize);
/* As vdb_scan_build for the components refs (sorted, vdb_strset_finish)
 * only: their findings are rewritten, the others stay, and the build's
 * counts are recomputed from the stored findings (res counts the refs
 * only). refs NULL = the whole build. What a feed change touches is a
 * few components of each build; each is matched as a full scan would. */
struct vdb_strset;
enum vigil_err vdb_scan_build_refs(struct vigil_store *st,
    const char *build_id, const struct vdb_strset *refs,
    struct vdb_cache *cache, struct vdb_scan_res *res /* OUT */, char *err,
    size_t errsize);
/* {"id","model","firmware","components","affected",...} of a result. */
json_t *vdb_scan_res_json(struct vigil_store *st, const char *build_id,
    const struct vdb_scan_res *r);

/* ---- vdb_sbom.c ------------------------------------------------------ */

/* The build id of "id" or "MODEL@FIRMWARE"; VIGIL_ENOTFOUND names it. */
enum vigil_err vdb_build_resolve(struct vigil_store *st, const char *build,
    char id[VIGIL_UUID_STRLEN], char *err, size_t errsize);

/* ---- a set of strings (keys, build ids) ------------------------------ */

struct vdb_strset {
	size_t n, cap;
	char **v;
};
enum vigil_err vdb_strset_add(struct vdb_strset *s, const char *str);
/* Sorts and drops duplicates. */
void vdb_strset_finish(struct vdb_strset *s);
void vdb_strset_free(struct vdb_strset *s);

/* Partial re-scans (vdb_rescan.c). vdb_pair_add collects a (build,
 * component) pair into a strset (a store_vuln_*_comps callback);
 * vdb_rescan_pairs re-matches the pairs (finished) build by build,
 * counting the builds in *rescanned (may be NULL); *err_set (may be
 * NULL) tells whether err already says what failed. */
enum vigil_err vdb_pair_add(void *ctx, const char *build_id,
    const char *ref);
enum vigil_err vdb_rescan_pairs(struct vigil_store *st,
    const struct vdb_strset *pairs, uint64_t *rescanned, int *err_set,
    char *err, size_t errsize);

#endif
