/*
 * Shared between cvss.c (v2, v3.x, dispatch) and cvss4.c (v4.0): the
 * metric-string reader and the qualitative severity scale.
 */
#ifndef VIGIL_CVSS_INTERNAL_H
#define VIGIL_CVSS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/vuln.h"

struct cvss_metric {
	const char *name;   /* "AV" */
	const char *values; /* allowed values, comma-separated: "N,A,L,P" */
	bool mandatory;
};

/*
 * Reads "K:V/K:V..." from vec + off (the prefix before off already
 * checked) into val[i]: the index of metric i's value in its list, -1
 * when absent. Every metric at most once, mandatory ones present, no
 * unknown metric or value. label names the version in errors
 * ("CVSS 3.1"). 0, or -1 with err set.
 */
int cvss_read_metrics(const char *vec, size_t off,
    const struct cvss_metric *m, size_t nm, int *val, const char *label,
    char *err, size_t errsize);

/* "none" "low" "medium" "high" "critical" (v3/v4 scale). */
const char *cvss_severity3(double score);

/* v4.0 parse and score; vec starts with "CVSS:4.0/". */
enum vigil_err cvss4_parse(const char *vec, struct vigil_cvss *out,
    char *err, size_t errsize);

#endif
