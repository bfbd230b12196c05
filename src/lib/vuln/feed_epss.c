/*
 * FIRST EPSS scores (first.org/epss/data_stats), the daily CSV once
 * decompressed: an optional "#model_version:...,score_date:..." line
 * (the date is the snapshot's meta), the header "cve,epss,percentile",
 * then one row per CVE with two probabilities in 0..1. Bad rows go to
 * on_error with their line number.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"
#include "feed_internal.h"

#define EPSS_LINE_MAX 256 /* a row is ~40 bytes */

/* A decimal in 0..1 spanning exactly s[0..n). */
static int
prob(const char *s, size_t n, double *out)
{
	char t[64], *end;

	if (n == 0 || n >= sizeof t)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789.eE-+", s[i]) == NULL)
			return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	errno = 0;
	*out = strtod(t, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*out) || *out < 0 ||
	    *out > 1)
		return -1;
	return 0;
}

static int
parse_row(const char *line, size_t n, struct vigil_epss_entry *e,
    const char **why)
{
	const char *c1 = memchr(line, ',', n), *c2;

	memset(e, 0, sizeof *e);
	if (c1 == NULL || (c2 = memchr(c1 + 1, ',', n - (size_t)(c1 + 1 -
	    line))) == NULL || memchr(c2 + 1, ',', n - (size_t)(c2 + 1 -
	    line)) != NULL) {
		*why = "expected three fields: cve,epss,percentile";
		return -1;
	}
	if ((size_t)(c1 - line) >= sizeof e->cve) {
		*why = "not a CVE id";
		return -1;
	}
	memcpy(e->cve, line, (size_t)(c1 - line));
	e->cve[c1 - line] = '\0';
	if (!feed_is_cve_id(e->cve)) {
		*why = "not a CVE id";
		return -1;
	}
	if (prob(c1 + 1, (size_t)(c2 - c1 - 1), &e->epss) != 0) {
		*why = "epss must be a number from 0 to 1";
		return -1;
	}
	if (prob(c2 + 1, n - (size_t)(c2 + 1 - line), &e->percentile) != 0) {
		*why = "percentile must be a number from 0 to 1";
		return -1;
	}
	return 0;
}

/* "#model_version:v2023.03.01,score_date:2025-08-25T00:00:00+0000":
 * meta = "2025-08-25". */
static enum vigil_err
parse_comment(const char *line, size_t n, char meta[64], char *err,
    size_t errsize)
{
	static const char key[] = "score_date:";
	int64_t ms;
	char date[11], why[128];

	for (size_t i = 0; i + sizeof key - 1 <= n; i++) {
		if (memcmp(line + i, key, sizeof key - 1) != 0)
			continue;
		i += sizeof key - 1;
		if (n - i < 10)
			break;
		memcpy(date, line + i, 10);
		date[10] = '\0';
		if (feed_time(date, &ms, why, sizeof why) != VIGIL_OK)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "EPSS line 1: score_date: %s", why);
		snprintf(meta, 64, "%s", date);
		return VIGIL_OK;
	}
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "EPSS line 1: no score_date");
}

enum vigil_err
feed_epss_doc(const char *buf, size_t len, const struct vigil_feed_cb *cb,
    char meta[64], char *err, size_t errsize)
{
	const char *p = buf, *end = buf + len, *why;
	struct vigil_epss_entry e;
	size_t lineno = 0;
	int header = 0;
	char msg[128];
	enum vigil_err rc;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p;

		p = nl != NULL ? nl + 1 : end;
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (!header && lineno == 1 && line[0] == '#') {
			if ((rc = parse_comment(line, n, meta, err,
			    errsize)) != VIGIL_OK)
				return rc;
			continue;
		}
		if (!header) {
			if (n != 19 || memcmp(line, "cve,epss,percentile",
			    19) != 0)
				return vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "EPSS line %zu: expected the header "
				    "cve,epss,percentile", lineno);
			header = 1;
			continue;
		}
		if (n > EPSS_LINE_MAX) {
			why = "line too long";
		} else if (parse_row(line, n, &e, &why) == 0) {
			if (cb->on_epss != NULL &&
			    (rc = cb->on_epss(cb->ctx, &e)) != VIGIL_OK)
				return vigil_seterr(err, errsize, rc,
				    "EPSS line %zu: stopped: %s", lineno,
				    vigil_strerror(rc));
			continue;
		}
		snprintf(msg, sizeof msg, "EPSS line %zu: %s", lineno, why);
		feed_reject(cb, lineno, NULL, msg);
	}
	if (!header)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "EPSS: no header cve,epss,percentile");
	return VIGIL_OK;
}
