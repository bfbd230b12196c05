/*
 * Feed documents: kind names, sniffing a document's kind from its top
 * level keys, dispatch to the per-kind parsers, and the JSON readers
 * and time parsing they share (feed_internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/json.h"
#include "vigil/vuln.h"
#include "feed_internal.h"

static const char *const kind_names[] = { "auto", "osv", "nvd", "cve5",
	"kev", "epss" };
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *
vigil_feed_kind_name(enum vigil_feed_kind k)
{
	if ((unsigned)k >= NKINDS)
		return "auto";
	return kind_names[k];
}

enum vigil_feed_kind
vigil_feed_kind_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_FEED_AUTO;
	for (size_t i = 1; i < NKINDS; i++)
		if (strcasecmp(name, kind_names[i]) == 0)
			return (enum vigil_feed_kind)i;
	return VIGIL_FEED_AUTO;
}

/* ---- sniffing: a walk over the top-level keys, no tree built ---- */

struct scan {
	const char *p, *end;
};

/* What the top-level object (or the first item of an array) has. */
struct topkeys {
	int id, modified, vulns, results_per_page, catalog, nvd_format,
	    cve_record;
};

static void
scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* At '"': moves past the closing quote; body and n get the raw
 * contents. */
static int
scan_string(struct scan *s, const char **body, size_t *n)
{
	const char *b = ++s->p;

	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\')
			s->p++;
		s->p++;
	}
	if (s->p >= s->end)
		return -1;
	*body = b;
	*n = (size_t)(s->p - b);
	s->p++;
	return 0;
}

/* Skips one value: a string, a container (strings inside it skipped
 * as strings) or a scalar. */
static int
scan_skip(struct scan *s)
{
	const char *b;
	size_t n, depth = 0;

	scan_ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == '"')
		return scan_string(s, &b, &n);
	if (*s->p != '{' && *s->p != '[') {
		while (s->p < s->end && strchr(",}] \t\r\n", *s->p) == NULL)
			s->p++;
		return 0;
	}
	while (s->p < s->end) {
		char c = *s->p;

		if (c == '"') {
			if (scan_string(s, &b, &n) != 0)
				return -1;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0) {
			s->p++;
			return 0;
		}
		s->p++;
	}
	return -1;
}

static int
raw_eq(const char *b, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(b, lit, n) == 0;
}

static void
scan_object(struct scan *s, struct topkeys *k)
{
	const char *key, *val;
	size_t kn, vn;

	scan_ws(s);
	if (s->p >= s->end || *s->p != '{')
		return;
	s->p++;
	for (;;) {
		scan_ws(s);
		if (s->p >= s->end || *s->p != '"' ||
		    scan_string(s, &key, &kn) != 0)
			return;
		scan_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return;
		s->p++;
		scan_ws(s);
		if (s->p < s->end && *s->p == '"' &&
		    (raw_eq(key, kn, "format") ||
		    raw_eq(key, kn, "dataType"))) {
			if (scan_string(s, &val, &vn) != 0)
				return;
			k->nvd_format |= raw_eq(key, kn, "format") &&
			    raw_eq(val, vn, "NVD_CVE");
			k->cve_record |= raw_eq(key, kn, "dataType") &&
			    raw_eq(val, vn, "CVE_RECORD");
		} else if (scan_skip(s) != 0) {
			return;
		}
		k->id |= raw_eq(key, kn, "id");
		k->modified |= raw_eq(key, kn, "modified");
		k->vulns |= raw_eq(key, kn, "vulnerabilities");
		k->results_per_page |= raw_eq(key, kn, "resultsPerPage");
		k->catalog |= raw_eq(key, kn, "catalogVersion");
		scan_ws(s);
		if (s->p >= s->end || *s->p != ',')
			return;
		s->p++;
	}
}

enum vigil_feed_kind
vigil_feed_detect(const char *buf, size_t len)
{
	struct scan s;
	struct topkeys k = { 0 };

	if (buf == NULL)
		return VIGIL_FEED_AUTO;
	/* Only now: NULL + len is undefined behaviour. */
	s.p = buf;
	s.end = buf + len;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		s.p += 3;
	if ((size_t)(s.end - s.p) >= 14 && memcmp(s.p, "#model_version",
	    14) == 0)
		return VIGIL_FEED_EPSS;
	if ((size_t)(s.end - s.p) >= 8 && memcmp(s.p, "cve,epss", 8) == 0)
		return VIGIL_FEED_EPSS;
	scan_ws(&s);
	if (s.p < s.end && *s.p == '[') {
		s.p++;
		scan_ws(&s);
		if (s.p < s.end && *s.p == ']')
			return VIGIL_FEED_OSV; /* an empty list of records */
		scan_object(&s, &k);
		return k.id && k.modified ? VIGIL_FEED_OSV : VIGIL_FEED_AUTO;
	}
	scan_object(&s, &k);
	if (k.catalog)
		return VIGIL_FEED_KEV;
	if (k.vulns && (k.nvd_format || k.results_per_page))
		return VIGIL_FEED_NVD;
	if (k.cve_record)
		return VIGIL_FEED_CVE5;
	if (k.id && k.modified)
		return VIGIL_FEED_OSV;
	return VIGIL_FEED_AUTO;
}

enum vigil_err
vigil_feed_parse(enum vigil_feed_kind kind, const char *buf, size_t len,
    const struct vigil_feed_cb *cb, char meta[64], char *err,
    size_t errsize)
{
	json_t *doc;
	enum vigil_err rc;

	if (meta != NULL)
		meta[0] = '\0';
	if (buf == NULL || cb == NULL || meta == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "feed: missing document or callbacks");
	if (len > VIGIL_FEED_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "feed: document is %zu bytes, the limit is %u", len,
		    VIGIL_FEED_DOC_MAX);
	if (kind == VIGIL_FEED_AUTO)
		kind = vigil_feed_detect(buf, len);
	if (kind == VIGIL_FEED_AUTO)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "feed: not an OSV, NVD, CVE 5, KEV or EPSS document");
	if (kind == VIGIL_FEED_EPSS)
		return feed_epss_doc(buf, len, cb, meta, err, errsize);
	if ((unsigned)kind >= NKINDS)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "feed: unknown kind %d", (int)kind);
	rc = vigil_json_loadb(buf, len, &doc, err, errsize);
	if (rc != VIGIL_OK)
		return rc;
	switch (kind) {
	case VIGIL_FEED_OSV:
		rc = feed_osv_doc(doc, cb, err, errsize);
		break;
	case VIGIL_FEED_NVD:
		rc = feed_nvd_doc(doc, cb, meta, err, errsize);
		break;
	case VIGIL_FEED_CVE5:
		rc = feed_cve5_doc(doc, cb, err, errsize);
		break;
	default:
		rc = feed_kev_doc(doc, cb, meta, err, errsize);
		break;
	}
	json_decref(doc);
	return rc;
}

enum vigil_err
feed_emit(const struct vigil_feed_cb *cb, const json_t *rec,
    const struct vigil_vuln *v)
{
	char *raw;
	enum vigil_err rc;

	if (cb->on_record == NULL)
		return VIGIL_OK;
	raw = json_dumps(rec, JSON_COMPACT);
	if (raw == NULL)
		return VIGIL_ENOMEM;
	rc = cb->on_record(cb->ctx, v, raw, strlen(raw));
	free(raw);
	return rc;
}

void
feed_reject(const struct vigil_feed_cb *cb, size_t index, const char *id,
    const char *msg)
{
	if (cb->on_error != NULL)
		cb->on_error(cb->ctx, index, id, msg);
}

/* ---- JSON readers ---- */

void
feed_path(char dst[FEED_PATH_MAX], const char *base, const char *fmt, ...)
{
	size_t n = strlen(base);
	int dot = n > 0 && base[n - 1] != ' ';
	va_list ap;

	snprintf(dst, FEED_PATH_MAX, "%s%s", base, dot ? "." : "");
	n = strlen(dst);
	va_start(ap, fmt);
	vsnprintf(dst + n, FEED_PATH_MAX - n, fmt, ap);
	va_end(ap);
}

enum vigil_err
feed_str(const json_t *obj, const char *key, size_t max, int required,
    const char **out, const char *path, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	feed_path(p, path, "%s", key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: missing", p);
		return VIGIL_OK;
	}
	if (!json_is_string(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be a string", p);
	if (json_string_length(v) > max)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "%s: %zu bytes long, the limit is %zu", p,
		    json_string_length(v), max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: contains a NUL character", p);
	*out = json_string_value(v);
	return VIGIL_OK;
}

enum vigil_err
feed_arr(const json_t *obj, const char *key, size_t max, int required,
    const json_t **out, const char *path, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	feed_path(p, path, "%s", key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: missing", p);
		return VIGIL_OK;
	}
	if (!json_is_array(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an array", p);
	if (json_array_size(v) > max)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "%s: %zu items, the limit is %zu", p, json_array_size(v),
		    max);
	*out = v;
	return VIGIL_OK;
}

enum vigil_err
feed_obj(const json_t *obj, const char *key, const json_t **out,
    const char *path, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return VIGIL_OK;
	if (!json_is_object(v)) {
		feed_path(p, path, "%s", key);
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", p);
	}
	*out = v;
	return VIGIL_OK;
}

enum vigil_err
feed_time(const char *s, int64_t *ms, char *err, size_t errsize)
{
	char t[64];
	size_t n = strnlen(s, sizeof t), i;

	*ms = 0;
	if (n >= sizeof t - 12)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "time '%.40s': too long", s);
	memcpy(t, s, n + 1);
	if (n == 10) {
		/* A date alone (KEV, NVD cisaExploitAdd): midnight UTC. */
		memcpy(t + 10, "T00:00:00Z", 11);
	} else if (n >= 19) {
		/* Past the seconds and any fraction: a zone, or none
		 * (NVD writes UTC without one); "+0000" gains its colon. */
		for (i = 19; i < n && (t[i] == '.' || (t[i] >= '0' &&
		    t[i] <= '9')); i++)
			;
		if (i == n) {
			memcpy(t + n, "Z", 2);
		} else if ((t[i] == '+' || t[i] == '-') && n - i == 5) {
			memmove(t + i + 4, t + i + 3, 3);
			t[i + 3] = ':';
		}
	}
	return vigil_time_parse(t, ms, err, errsize);
}

enum vigil_err
feed_get_time(const json_t *obj, const char *key, int required, int64_t *ms,
    const char *path, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX], why[160];
	const char *s;
	enum vigil_err rc;

	*ms = 0;
	rc = feed_str(obj, key, 63, required, &s, path, err, errsize);
	if (rc != VIGIL_OK || s == NULL)
		return rc;
	if (feed_time(s, ms, why, sizeof why) != VIGIL_OK) {
		feed_path(p, path, "%s", key);
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "%s: %s", p,
		    why);
	}
	return VIGIL_OK;
}
