/*
 * Feed paths to documents: a file, a directory walked recursively in
 * sorted order, a .zip archive (libzip) or a .gz file (zlib), each
 * document bounded by VIGIL_FEED_DOC_MAX. What the feed importer reads.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>
#include <zlib.h>

#include "vdb_internal.h"

#define WALK_DEPTH_MAX 32 /* nested directories followed */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int
feed_name(const char *name)
{
	return ends_with(name, ".json") || ends_with(name, ".csv") ||
	    ends_with(name, ".gz") || ends_with(name, ".zip");
}

static enum vigil_err
files_add(struct vdb_files *f, const char *path, uint64_t size)
{
	struct vdb_file *nv;

	if (f->n % 64 == 0) {
		nv = realloc(f->v, (f->n + 64) * sizeof *nv);
		if (nv == NULL)
			return VIGIL_ENOMEM;
		f->v = nv;
	}
	if ((f->v[f->n].path = strdup(path)) == NULL)
		return VIGIL_ENOMEM;
	f->v[f->n].size = size;
	f->n++;
	f->total += size;
	return VIGIL_OK;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static enum vigil_err
/* NOLINTNEXTLINE(misc-no-recursion): bounded by WALK_DEPTH_MAX */
walk_dir(const char *dir, int depth, struct vdb_files *f, char *err,
    size_t errsize)
{
	struct dirent **ents = NULL;
	enum vigil_err rc = VIGIL_OK;
	int n, i;

	if (depth > WALK_DEPTH_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: directories nested deeper than %d", dir,
		    WALK_DEPTH_MAX);
	if ((n = scandir(dir, &ents, NULL, name_cmp)) < 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "%s: %s", dir,
		    strerror(errno));
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		struct stat sb;
		char *p;
		size_t plen;

		if (rc != VIGIL_OK || nm[0] == '.')
			continue;
		plen = strlen(dir) + strlen(nm) + 2;
		if ((p = malloc(plen)) == NULL) {
			rc = VIGIL_ENOMEM;
			continue;
		}
		snprintf(p, plen, "%s/%s", dir, nm);
		/* lstat: a symlinked directory is not followed (it may
		 * lead out of the tree or into a cycle). */
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				rc = walk_dir(p, depth + 1, f, err, errsize);
			/* A regular file, or a symlink to one. */
			else if (feed_name(nm) && (S_ISREG(sb.st_mode) ||
			    (S_ISLNK(sb.st_mode) && stat(p, &sb) == 0 &&
			    S_ISREG(sb.st_mode))))
				rc = files_add(f, p, (uint64_t)sb.st_size);
		}
		free(p);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

enum vigil_err
vdb_files_list(const char *path, struct vdb_files *out, char *err,
    size_t errsize)
{
	struct stat sb;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (path == NULL || stat(path, &sb) != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "%s: %s",
		    path != NULL ? path : "(null)", strerror(errno));
	if (S_ISDIR(sb.st_mode))
		rc = walk_dir(path, 0, out, err, errsize);
	else if (S_ISREG(sb.st_mode))
		rc = files_add(out, path, (uint64_t)sb.st_size);
	else
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: not a file or directory", path);
	if (rc != VIGIL_OK)
		vdb_files_free(out);
	return rc;
}

void
vdb_files_free(struct vdb_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* Reads a whole regular file (bounded). */
static enum vigil_err
read_plain(const char *path, char **buf, size_t *len, char *why,
    size_t whysize)
{
	FILE *fp = fopen(path, "rb");
	struct vigil_buf b;
	char chunk[65536];
	size_t n;
	enum vigil_err rc = VIGIL_OK;

	*buf = NULL;
	*len = 0;
	if (fp == NULL)
		return vigil_seterr(why, whysize, VIGIL_EINVAL, "%s",
		    strerror(errno));
	vigil_buf_init(&b, (size_t)VIGIL_FEED_DOC_MAX + 1);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + n > VIGIL_FEED_DOC_MAX) {
			rc = vigil_seterr(why, whysize, VIGIL_ERANGE,
			    "larger than %u bytes", VIGIL_FEED_DOC_MAX);
			break;
		}
		if ((rc = vigil_buf_append(&b, chunk, n)) != VIGIL_OK)
			break;
	}
	if (rc == VIGIL_OK && ferror(fp))
		rc = vigil_seterr(why, whysize, VIGIL_EINVAL, "read error");
	fclose(fp);
	if (rc == VIGIL_OK)
		rc = vigil_buf_append(&b, "", 1);
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return rc;
	}
	*buf = (char *)b.data;
	*len = b.len - 1;
	return VIGIL_OK;
}

/* Decompresses a .gz file (bounded by VIGIL_FEED_DOC_MAX). */
static enum vigil_err
read_gz(const char *path, char **buf, size_t *len, char *why, size_t whysize)
{
	gzFile gz = gzopen(path, "rb");
	struct vigil_buf b;
	char chunk[65536];
	int n;
	enum vigil_err rc = VIGIL_OK;

	*buf = NULL;
	*len = 0;
	if (gz == NULL)
		return vigil_seterr(why, whysize, VIGIL_EINVAL, "%s",
		    strerror(errno));
	vigil_buf_init(&b, (size_t)VIGIL_FEED_DOC_MAX + 1);
	while ((n = gzread(gz, chunk, sizeof chunk)) > 0) {
		if (b.len + (size_t)n > VIGIL_FEED_DOC_MAX) {
			rc = vigil_seterr(why, whysize, VIGIL_ERANGE,
			    "decompresses to more than %u bytes",
			    VIGIL_FEED_DOC_MAX);
			break;
		}
		if ((rc = vigil_buf_append(&b, chunk, (size_t)n)) != VIGIL_OK)
			break;
	}
	if (rc == VIGIL_OK && n < 0) {
		int zerr;
		const char *m = gzerror(gz, &zerr);

		rc = vigil_seterr(why, whysize, VIGIL_EINVAL, "gzip: %s",
		    m != NULL ? m : "read error");
	}
	gzclose(gz);
	if (rc == VIGIL_OK)
		rc = vigil_buf_append(&b, "", 1);
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return rc;
	}
	*buf = (char *)b.data;
	*len = b.len - 1;
	return VIGIL_OK;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Every file entry of a .zip in index order (the archive's own order,
 * stable across runs). */
static enum vigil_err
zip_docs(const char *path, vdb_doc_fn doc,
    void (*bad)(void *ctx, const char *where, const char *why), void *ctx,
    char *err, size_t errsize)
{
	enum vigil_err rc = VIGIL_OK;
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
	zip_int64_t n, i;
	char where[512], why[256];

	if (za == NULL) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		vigil_seterr(err, errsize, VIGIL_EINVAL, "%s: %s",
		    base_name(path), zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return VIGIL_EINVAL;
	}
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n && rc == VIGIL_OK; i++) {
		zip_stat_t zs;
		zip_file_t *zf;
		char *buf;
		zip_int64_t got;
		size_t nl;

		if (zip_stat_index(za, (zip_uint64_t)i, 0, &zs) != 0 ||
		    !(zs.valid & ZIP_STAT_NAME) || !(zs.valid & ZIP_STAT_SIZE))
			continue;
		nl = strlen(zs.name);
		if (nl == 0 || zs.name[nl - 1] == '/')
			continue; /* a directory entry */
		snprintf(where, sizeof where, "%s: %s", base_name(path),
		    zs.name);
		if (!ends_with(zs.name, ".json") && !ends_with(zs.name, ".csv"))
			continue;
		if (zs.size > VIGIL_FEED_DOC_MAX) {
			snprintf(why, sizeof why, "larger than %u bytes",
			    VIGIL_FEED_DOC_MAX);
			bad(ctx, where, why);
			continue;
		}
		if ((buf = malloc((size_t)zs.size + 1)) == NULL) {
			rc = VIGIL_ENOMEM;
			break;
		}
		zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		got = zf != NULL ? zip_fread(zf, buf, zs.size) : -1;
		if (zf != NULL)
			zip_fclose(zf);
		if (got < 0 || (zip_uint64_t)got != zs.size) {
			bad(ctx, where, zip_strerror(za));
			free(buf);
			continue;
		}
		buf[zs.size] = '\0';
		rc = doc(ctx, where, buf, (size_t)zs.size);
		free(buf);
	}
	zip_discard(za);
	return rc;
}

enum vigil_err
vdb_file_docs(const char *path, vdb_doc_fn doc,
    void (*bad)(void *ctx, const char *where, const char *why), void *ctx,
    char *err, size_t errsize)
{
	char *buf = NULL, name[512];
	size_t len = 0;
	enum vigil_err rc;

	if (ends_with(path, ".zip"))
		return zip_docs(path, doc, bad, ctx, err, errsize);
	snprintf(name, sizeof name, "%s", base_name(path));
	if (ends_with(path, ".gz")) {
		name[strlen(name) - 3] = '\0';
		rc = read_gz(path, &buf, &len, err, errsize);
	} else {
		rc = read_plain(path, &buf, &len, err, errsize);
	}
	if (rc != VIGIL_OK)
		return rc;
	rc = doc(ctx, name, buf, len);
	free(buf);
	return rc;
}
