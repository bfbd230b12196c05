/*
 * Feed import into the store (vulndb.h "feeds"): each document of a
 * path in its own transaction with a provenance row, records merged by
 * (source, id) with the newest modified time winning, KEV and EPSS
 * rows; then the components the changed records name (and those with a
 * finding about a CVE whose KEV or EPSS row changed) are re-scanned.
 * The CRA clocks are the caller's (vigil_vdb_cra_sync).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/store_vuln.h"
#include "vdb_internal.h"

#define PROGRESS_RECORDS 1000 /* progress at least this often */

/* ---- string sets ----------------------------------------------------- */

enum vigil_err
vdb_strset_add(struct vdb_strset *s, const char *str)
{
	char **nv;

	if (s->n == s->cap) {
		size_t ncap = s->cap != 0 ? s->cap * 2 : 64;

		if ((nv = realloc(s->v, ncap * sizeof *nv)) == NULL)
			return VIGIL_ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	if ((s->v[s->n] = strdup(str)) == NULL)
		return VIGIL_ENOMEM;
	s->n++;
	return VIGIL_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
vdb_strset_finish(struct vdb_strset *s)
{
	size_t i, j = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, str_cmp);
	for (i = 1; i < s->n; i++) {
		if (strcmp(s->v[i], s->v[j]) == 0)
			free(s->v[i]);
		else
			s->v[++j] = s->v[i];
	}
	s->n = j + 1;
}

void
vdb_strset_free(struct vdb_strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- one import ------------------------------------------------------ */

struct imp {
	struct vigil_store *st;
	const struct vigil_vdb_import_opts *o;
	struct vigil_vdb_import_stats *s;
	struct vdb_strset keys; /* what changed records name(d) */
	struct vdb_strset prio; /* CVEs whose KEV / EPSS rows changed */
	const char *doc;        /* the document being read */
	int64_t feed_id;
	int64_t doc_records;
	int64_t now;
	char meta[64];
	uint64_t done, total; /* bytes of files, for progress */
	uint64_t next_progress;
	char first[512]; /* the first rejection, for the error text */
};

static void
reject(struct imp *im, const char *where, const char *msg)
{
	im->s->rejected++;
	/* A longer text is cut: the error text is a pointer, on_error
	 * got the whole. */
	if (im->first[0] == '\0' && snprintf(im->first, sizeof im->first,
	    "%s: %s", where, msg) >= (int)sizeof im->first)
		im->first[sizeof im->first - 1] = '\0';
	if (im->o != NULL && im->o->on_error != NULL)
		im->o->on_error(im->o->ctx, where, msg);
}

static void
progress(struct imp *im)
{
	if (im->o != NULL && im->o->on_progress != NULL)
		im->o->on_progress(im->o->ctx, im->done, im->total,
		    im->s->records);
}

static enum vigil_err
key_collect(void *ctx, const char *key)
{
	return vdb_strset_add(&((struct imp *)ctx)->keys, key);
}

struct key_put {
	struct imp *im;
	int64_t rid;
};

static enum vigil_err
key_put(void *ctx, const char *key)
{
	struct key_put *k = ctx;
	enum vigil_err rc = store_vuln_key_add(k->im->st, k->rid, key);

	return rc != VIGIL_OK ? rc : vdb_strset_add(&k->im->keys, key);
}

/* The record's best CVSS: the newest CVSS version's highest score
 * (stated, else computed from the vector). */
static double
best_cvss(const struct vigil_vuln *v, const char **vector)
{
	double best = -1;
	int best_ver = -1;

	*vector = "";
	for (size_t i = 0; i < v->nseverity; i++) {
		const struct vigil_severity *sv = &v->severity[i];
		struct vigil_cvss c;
		double score = sv->score;
		int ver = 0;
		char e[128];

		if (sv->vector == NULL || sv->vector[0] == '\0')
			continue;
		if (vigil_cvss_parse(sv->vector, &c, e, sizeof e) == VIGIL_OK) {
			ver = c.major * 10 + c.minor;
			if (score < 0)
				score = c.base_score;
		}
		if (score < 0)
			continue;
		if (ver > best_ver || (ver == best_ver && score > best)) {
			best = score;
			best_ver = ver;
			*vector = sv->vector;
		}
	}
	return best;
}

static enum vigil_err
on_record(void *ctx, const struct vigil_vuln *v, const char *raw,
    size_t rawlen)
{
	struct imp *im = ctx;
	struct store_vuln_record r;
	struct key_put kp;
	int64_t rid = 0, mod = 0;
	enum vigil_err rc;
	int found;

	im->s->records++;
	im->doc_records++;
	if (im->s->records >= im->next_progress) {
		im->next_progress = im->s->records + PROGRESS_RECORDS;
		progress(im);
	}
	rc = store_vuln_record_find(im->st, vigil_vsource_name(v->source),
	    v->id, &rid, &mod);
	if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
		return rc;
	found = rc == VIGIL_OK;
	if (found && v->modified_ms <= mod) {
		im->s->unchanged++;
		return VIGIL_OK;
	}
	/* What the record named before may no longer be named: those
	 * builds need a re-scan too. */
	if (found && (rc = store_vuln_record_keys(im->st, rid, key_collect,
	    im)) != VIGIL_OK)
		return rc;
	memset(&r, 0, sizeof r);
	r.source = vigil_vsource_name(v->source);
	r.id = v->id;
	r.canonical = vigil_vuln_canonical_id(v);
	r.summary = v->summary;
	r.modified_ms = v->modified_ms;
	r.withdrawn_ms = v->withdrawn_ms;
	r.feed_id = im->feed_id;
	r.cvss = best_cvss(v, &r.cvss_vector);
	r.raw = raw;
	r.rawlen = rawlen;
	if ((rc = store_vuln_record_put(im->st, &r, &rid)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_alias_add(im->st, rid, v->id)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < v->naliases; i++)
		if ((rc = store_vuln_alias_add(im->st, rid, v->aliases[i])) !=
		    VIGIL_OK)
			return rc;
	kp.im = im;
	kp.rid = rid;
	if ((rc = vigil_vuln_keys(v, key_put, &kp)) != VIGIL_OK)
		return rc;
	if (found)
		im->s->updated++;
	else
		im->s->added++;
	if (v->withdrawn_ms != 0)
		im->s->withdrawn++;
	if (v->npkgs == 0 && v->nconfigs == 0 && v->ncve5 == 0)
		im->s->no_data++;
	return VIGIL_OK;
}

static enum vigil_err
on_kev(void *ctx, const struct vigil_kev_entry *e)
{
	struct imp *im = ctx;

	enum vigil_err rc;
	double epss;
	int kev, ransom;

	im->s->kev++;
	im->doc_records++;
	/* Only a change of what the priority reads re-prioritises. */
	if ((rc = store_vuln_prio_info(im->st, e->cve, &kev, &ransom,
	    &epss)) != VIGIL_OK ||
	    (rc = store_vuln_kev_put(im->st, e, im->feed_id)) != VIGIL_OK)
		return rc;
	if (kev && ransom == (e->ransomware != 0))
		return VIGIL_OK;
	return vdb_strset_add(&im->prio, e->cve);
}

static enum vigil_err
on_epss(void *ctx, const struct vigil_epss_entry *e)
{
	struct imp *im = ctx;
	enum vigil_err rc;
	double epss;
	int kev, ransom;

	im->s->epss++;
	im->doc_records++;
	/* meta is the parser's output buffer: the score date once the
	 * header was read. Only a changed score re-prioritises. */
	if ((rc = store_vuln_prio_info(im->st, e->cve, &kev, &ransom,
	    &epss)) != VIGIL_OK ||
	    (rc = store_vuln_epss_put(im->st, e, im->meta, im->feed_id)) !=
	    VIGIL_OK)
		return rc;
	if (epss == e->epss)
		return VIGIL_OK;
	return vdb_strset_add(&im->prio, e->cve);
}

static void
on_bad(void *ctx, size_t index, const char *id, const char *msg)
{
	struct imp *im = ctx;
	char where[512];

	if (id != NULL && id[0] != '\0')
		snprintf(where, sizeof where, "%s: record %zu (%s)", im->doc,
		    index, id);
	else
		snprintf(where, sizeof where, "%s: record %zu", im->doc,
		    index);
	reject(im, where, msg);
}

static void
sha256_hex(const char *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) == 1)
		vigil_hex_encode(md, mdlen, out, 65);
}

/* One document: one transaction, one provenance row. */
static enum vigil_err
import_doc(void *ctx, const char *name, const char *buf, size_t len)
{
	struct imp *im = ctx;
	const struct vigil_vdb_import_opts *o = im->o;
	struct vigil_vdb_import_stats saved;
	struct vigil_feed_cb cb;
	struct store_vuln_feed f;
	enum vigil_feed_kind kind;
	enum vigil_err rc;
	char sha[65], err[512];

	im->s->files++;
	im->s->bytes += len;
	kind = o != NULL ? o->kind : VIGIL_FEED_AUTO;
	if (kind == VIGIL_FEED_AUTO)
		kind = vigil_feed_detect(buf, len);
	if (kind == VIGIL_FEED_AUTO) {
		reject(im, name, "not a feed document (OSV, NVD CVE API 2.0, "
		    "CVE JSON 5, CISA KEV or EPSS CSV)");
		return VIGIL_OK;
	}
	sha256_hex(buf, len, sha);
	memset(&f, 0, sizeof f);
	f.kind = vigil_feed_kind_name(kind);
	f.source = o != NULL && o->source != NULL ? o->source : f.kind;
	f.path = name;
	f.sha256 = sha;
	f.actor = o != NULL ? o->actor : NULL;
	f.fetched_ms = o != NULL && o->fetched_ms > 0 ? o->fetched_ms :
	    im->now;
	f.imported_ms = im->now;
	saved = *im->s;
	im->doc = name;
	im->doc_records = 0;
	memset(im->meta, 0, sizeof im->meta);
	if ((rc = vigil_store_begin(im->st)) != VIGIL_OK)
		return rc;
	rc = store_vuln_feed_insert(im->st, &f, &im->feed_id);
	if (rc == VIGIL_OK) {
		memset(&cb, 0, sizeof cb);
		cb.ctx = im;
		cb.on_record = on_record;
		cb.on_kev = on_kev;
		cb.on_epss = on_epss;
		cb.on_error = on_bad;
		err[0] = '\0';
		rc = vigil_feed_parse(kind, buf, len, &cb, im->meta, err,
		    sizeof err);
		if (rc == VIGIL_EINVAL) {
			/* The document as a whole is unreadable: nothing of
			 * it is kept, and the counts say so. */
			vigil_store_rollback(im->st);
			saved.rejected = im->s->rejected;
			*im->s = saved;
			reject(im, name, err[0] != '\0' ? err :
			    "unreadable feed document");
			return VIGIL_OK;
		}
	}
	if (rc == VIGIL_OK)
		rc = store_vuln_feed_finish(im->st, im->feed_id,
		    im->doc_records, im->meta);
	if (rc != VIGIL_OK) {
		vigil_store_rollback(im->st);
		return rc;
	}
	return vigil_store_commit(im->st);
}

static void
file_bad(void *ctx, const char *where, const char *why)
{
	reject(ctx, where, why);
}

/* Re-scans the components the changed records name (before and after
 * the change) and those with findings about CVEs whose KEV or EPSS row
 * changed: the same findings and priorities a full scan would give. */
static enum vigil_err
import_finish(struct imp *im, char *err, size_t errsize)
{
	struct vdb_strset pairs;
	enum vigil_err rc = VIGIL_OK;

	memset(&pairs, 0, sizeof pairs);
	vdb_strset_finish(&im->keys);
	vdb_strset_finish(&im->prio);
	for (size_t i = 0; i < im->keys.n && rc == VIGIL_OK; i++)
		rc = store_vuln_key_comps(im->st, im->keys.v[i], vdb_pair_add,
		    &pairs);
	for (size_t i = 0; i < im->prio.n && rc == VIGIL_OK; i++)
		rc = store_vuln_vuln_comps(im->st, im->prio.v[i], vdb_pair_add,
		    &pairs);
	if (rc != VIGIL_OK) {
		vdb_strset_free(&pairs);
		return vigil_seterr(err, errsize, rc, "%s",
		    rc == VIGIL_ENOMEM ? "re-scan: out of memory" :
		    vigil_store_errmsg(im->st));
	}
	vdb_strset_finish(&pairs);
	rc = vdb_rescan_pairs(im->st, &pairs, &im->s->builds_rescanned, NULL,
	    err, errsize);
	vdb_strset_free(&pairs);
	if (rc == VIGIL_ENOMEM)
		return vigil_seterr(err, errsize, rc, "re-scan: out of memory");
	if (rc != VIGIL_OK)
		return rc;
	progress(im);
	if (im->s->rejected > 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%llu rejected; first: %s",
		    (unsigned long long)im->s->rejected, im->first);
	return VIGIL_OK;
}

static void
imp_init(struct imp *im, struct vigil_store *st,
    const struct vigil_vdb_import_opts *o,
    struct vigil_vdb_import_stats *stats)
{
	memset(im, 0, sizeof *im);
	memset(stats, 0, sizeof *stats);
	im->st = st;
	im->o = o;
	im->s = stats;
	im->now = vigil_time_now_ms();
	im->next_progress = PROGRESS_RECORDS;
}

enum vigil_err
vigil_vdb_import(struct vigil_store *st, const char *path,
    const struct vigil_vdb_import_opts *o,
    struct vigil_vdb_import_stats *stats, char *err, size_t errsize)
{
	struct vdb_files files;
	struct imp im;
	enum vigil_err rc;
	char ferr[512];

	imp_init(&im, st, o, stats);
	if (st == NULL || path == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "import: no store or path");
	if ((rc = vdb_files_list(path, &files, err, errsize)) != VIGIL_OK)
		return rc;
	im.total = files.total;
	for (size_t i = 0; i < files.n; i++) {
		ferr[0] = '\0';
		rc = vdb_file_docs(files.v[i].path, import_doc, file_bad, &im,
		    ferr, sizeof ferr);
		if (rc == VIGIL_EINVAL) {
			char where[512];
			const char *b = strrchr(files.v[i].path, '/');

			snprintf(where, sizeof where, "%s",
			    b != NULL ? b + 1 : files.v[i].path);
			reject(&im, where, ferr);
			rc = VIGIL_OK;
		}
		if (rc != VIGIL_OK)
			break;
		im.done += files.v[i].size;
		progress(&im);
	}
	vdb_files_free(&files);
	if (rc != VIGIL_OK) {
		vdb_strset_free(&im.keys);
		vdb_strset_free(&im.prio);
		if (rc == VIGIL_ENOMEM)
			return vigil_seterr(err, errsize, rc, "out of memory");
		return vigil_seterr(err, errsize, rc, "import: %s",
		    vigil_store_errmsg(st));
	}
	rc = import_finish(&im, err, errsize);
	vdb_strset_free(&im.keys);
	vdb_strset_free(&im.prio);
	return rc;
}

enum vigil_err
vigil_vdb_import_mem(struct vigil_store *st, const char *name,
    const char *buf, size_t len, const struct vigil_vdb_import_opts *o,
    struct vigil_vdb_import_stats *stats, char *err, size_t errsize)
{
	struct imp im;
	enum vigil_err rc;

	imp_init(&im, st, o, stats);
	if (st == NULL || buf == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "import: no store or document");
	if (len > VIGIL_FEED_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "%s: larger than %u bytes", name != NULL ? name : "feed",
		    VIGIL_FEED_DOC_MAX);
	im.total = len;
	rc = import_doc(&im, name != NULL && name[0] != '\0' ? name : "feed",
	    buf, len);
	im.done = len;
	if (rc != VIGIL_OK) {
		vdb_strset_free(&im.keys);
		vdb_strset_free(&im.prio);
		return vigil_seterr(err, errsize, rc, "import: %s",
		    rc == VIGIL_ENOMEM ? "out of memory" :
		    vigil_store_errmsg(st));
	}
	rc = import_finish(&im, err, errsize);
	vdb_strset_free(&im.keys);
	vdb_strset_free(&im.prio);
	return rc;
}

json_t *
vigil_vdb_import_stats_to_json(const struct vigil_vdb_import_stats *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "files", (json_int_t)s->files, "bytes", (json_int_t)s->bytes,
	    "records", (json_int_t)s->records, "added", (json_int_t)s->added,
	    "updated", (json_int_t)s->updated, "unchanged",
	    (json_int_t)s->unchanged, "withdrawn", (json_int_t)s->withdrawn,
	    "rejected", (json_int_t)s->rejected, "no_data",
	    (json_int_t)s->no_data, "kev", (json_int_t)s->kev, "epss",
	    (json_int_t)s->epss, "builds_rescanned",
	    (json_int_t)s->builds_rescanned);
}

enum vigil_err
vigil_vdb_feed_list(struct vigil_store *st, json_t **out)
{
	*out = NULL;
	if (st == NULL)
		return VIGIL_EINVAL;
	return store_vuln_feed_list(st, out);
}
