/*
 * Partial re-scans: the (build, component) pairs a change touches are
 * collected as "build\x1fref" strings and re-matched build by build,
 * with one record cache for the batch. Used after feed imports (changed
 * records' keys, KEV/EPSS rows) and when an exploited mark is cleared.
 */
#include <stdlib.h>
#include <string.h>

#include "vdb_internal.h"

#define BUILD_ID_MAX 64

/* Sorted, a build's components are neighbours: the separator sorts
 * below any byte of an id. */
enum vigil_err
vdb_pair_add(void *ctx, const char *build_id, const char *ref)
{
	struct vdb_strset *s = ctx;
	size_t lb = strlen(build_id), lr = strlen(ref);
	enum vigil_err rc;
	char *p;

	if (lb >= BUILD_ID_MAX || lr > ((size_t)1 << 16))
		return VIGIL_OK; /* not a build id this store writes */
	if ((p = malloc(lb + lr + 2)) == NULL)
		return VIGIL_ENOMEM;
	memcpy(p, build_id, lb);
	p[lb] = '\x1f';
	memcpy(p + lb + 1, ref, lr + 1);
	rc = vdb_strset_add(s, p);
	free(p);
	return rc;
}

enum vigil_err
vdb_rescan_pairs(struct vigil_store *st, const struct vdb_strset *pairs,
    uint64_t *rescanned, int *err_set, char *err, size_t errsize)
{
	struct vdb_strset refs;
	struct vdb_cache *cache = NULL;
	struct vdb_scan_res res;
	enum vigil_err rc = VIGIL_OK;
	char build[BUILD_ID_MAX];
	size_t i = 0;

	memset(&refs, 0, sizeof refs);
	if (pairs->n > 0 && (cache = vdb_cache_new()) == NULL)
		rc = VIGIL_ENOMEM;
	while (rc == VIGIL_OK && i < pairs->n) {
		const char *sep = strchr(pairs->v[i], '\x1f');
		size_t lb = (size_t)(sep - pairs->v[i]);

		memcpy(build, pairs->v[i], lb);
		build[lb] = '\0';
		for (; rc == VIGIL_OK && i < pairs->n &&
		    strncmp(pairs->v[i], build, lb) == 0 &&
		    pairs->v[i][lb] == '\x1f'; i++)
			rc = vdb_strset_add(&refs, pairs->v[i] + lb + 1);
		if (rc != VIGIL_OK)
			break;
		/* Already sorted and distinct: finish only re-checks. */
		vdb_strset_finish(&refs);
		rc = vdb_scan_build_refs(st, build, &refs, cache, &res, err,
		    errsize);
		if (rc == VIGIL_OK) {
			if (rescanned != NULL)
				(*rescanned)++;
		} else if (rc == VIGIL_ENOTFOUND)
			rc = VIGIL_OK; /* deleted meanwhile */
		else if (err_set != NULL)
			*err_set = 1;
		vdb_strset_free(&refs);
	}
	vdb_strset_free(&refs);
	vdb_cache_free(cache);
	return rc;
}
