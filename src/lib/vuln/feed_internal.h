/*
 * Internals shared by the feed parsers (feed*.c, vrecord.c): bounds,
 * JSON field readers that name the JSON path in their errors, feed
 * times, and the per-source record and document parsers.
 */
#ifndef VIGIL_FEED_INTERNAL_H
#define VIGIL_FEED_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include "vigil/vuln.h"

#define FEED_ID_MAX 256		/* record ids, aliases, CWE ids */
#define FEED_NAME_MAX 1024	/* package, vendor, product names, URLs */
#define FEED_TEXT_MAX (1u << 20) /* summaries and descriptions */
#define FEED_ARR_MAX 100000	/* any array inside one record */
#define FEED_PATH_MAX 256	/* JSON path text in errors */

/* dst = base + "." + formatted child (no dot after a base ending in a
 * space or an empty base); truncated to FEED_PATH_MAX. */
void feed_path(char dst[FEED_PATH_MAX], const char *base, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* obj[key] as a string of at most max bytes; absent or null gives
 * *out = NULL unless required. Errors name path.key. */
enum vigil_err feed_str(const json_t *obj, const char *key, size_t max,
    int required, const char **out, const char *path, char *err,
    size_t errsize);
/* obj[key] as an array of at most max items; absent or null gives
 * *out = NULL unless required. */
enum vigil_err feed_arr(const json_t *obj, const char *key, size_t max,
    int required, const json_t **out, const char *path, char *err,
    size_t errsize);
/* obj[key] as an object; absent or null gives *out = NULL. */
enum vigil_err feed_obj(const json_t *obj, const char *key,
    const json_t **out, const char *path, char *err, size_t errsize);
/* A feed time: RFC 3339, NVD's zoneless "2023-09-12T15:15:20.317"
 * (UTC), or a date "2025-08-25" (midnight UTC). */
enum vigil_err feed_time(const char *s, int64_t *ms, char *err,
    size_t errsize);
/* obj[key] read with feed_time; absent gives *ms = 0 unless required. */
enum vigil_err feed_get_time(const json_t *obj, const char *key,
    int required, int64_t *ms, const char *path, char *err,
    size_t errsize);
/* A heap copy; NULL gives "". NULL only when out of memory. */
char *feed_strdup(const char *s);
/* Appends a copy of s to (*arr, *n) unless an equal string is there. */
enum vigil_err feed_add_uniq(char ***arr, size_t *n, const char *s);
/* Appends a severity unless the same type and vector are there. */
enum vigil_err feed_add_severity(struct vigil_vuln *v, const char *type,
    const char *vector, double score);
/* "CVE-YYYY-NNNN..." with 4 to 19 digits in the sequence number. */
int feed_is_cve_id(const char *s);
/* A new record of source src with every string "". */
struct vigil_vuln *feed_vuln_new(enum vigil_vsource src);

/* One record from its JSON (base names it in errors). */
enum vigil_err feed_osv_record(const json_t *rec, const char *base,
    struct vigil_vuln **out, char *err, size_t errsize);
enum vigil_err feed_nvd_cve(const json_t *cve, const char *base,
    struct vigil_vuln **out, char *err, size_t errsize);
enum vigil_err feed_cve5_record(const json_t *rec, const char *base,
    struct vigil_vuln **out, char *err, size_t errsize);

/* Hands one parsed record and its compact JSON to cb->on_record. */
enum vigil_err feed_emit(const struct vigil_feed_cb *cb, const json_t *rec,
    const struct vigil_vuln *v);
/* Hands a bad record to cb->on_error. */
void feed_reject(const struct vigil_feed_cb *cb, size_t index,
    const char *id, const char *msg);

/* Whole documents. */
enum vigil_err feed_osv_doc(const json_t *doc, const struct vigil_feed_cb *cb,
    char *err, size_t errsize);
enum vigil_err feed_nvd_doc(const json_t *doc, const struct vigil_feed_cb *cb,
    char meta[64], char *err, size_t errsize);
enum vigil_err feed_cve5_doc(const json_t *doc,
    const struct vigil_feed_cb *cb, char *err, size_t errsize);
enum vigil_err feed_kev_doc(const json_t *doc, const struct vigil_feed_cb *cb,
    char meta[64], char *err, size_t errsize);
enum vigil_err feed_epss_doc(const char *buf, size_t len,
    const struct vigil_feed_cb *cb, char meta[64], char *err,
    size_t errsize);

#endif
