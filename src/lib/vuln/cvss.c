/*
 * CVSS vectors: the metric reader, v2 (FIRST CVSS v2 guide §3.2.1)
 * and v3.0/v3.1 (FIRST CVSS v3.x specification §7) parsing and base
 * scores, and vigil_cvss_parse, which dispatches on the prefix (v4.0
 * lives in cvss4.c).
 *
 * Only base scores are computed: temporal and environmental metrics are
 * checked for validity and otherwise ignored (records state base
 * scores, and those are what the priority formula weighs).
 */
#include <math.h>
#include <string.h>

#include "vigil/vuln.h"
#include "cvss_internal.h"

#define CVSS_MAX_LEN 512 /* longest vector accepted */

/* The i-th comma-separated token of list equal to s[0, n)? */
static int
value_index(const char *list, const char *s, size_t n)
{
	int idx = 0;

	while (*list != '\0') {
		size_t l = strcspn(list, ",");

		if (l == n && memcmp(list, s, n) == 0)
			return idx;
		list += l;
		if (*list == ',')
			list++;
		idx++;
	}
	return -1;
}

/* vec cut to printable ASCII for messages. */
static void
quote(const char *vec, char *q, size_t qsize)
{
	size_t i = 0;

	for (; vec[i] != '\0' && i + 1 < qsize; i++) {
		unsigned char c = (unsigned char)vec[i];

		q[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	q[i] = '\0';
}

int
cvss_read_metrics(const char *vec, size_t off, const struct cvss_metric *m,
    size_t nm, int *val, const char *label, char *err, size_t errsize)
{
	char q[128];
	size_t i = off;

	quote(vec, q, sizeof q);
	for (size_t k = 0; k < nm; k++)
		val[k] = -1;
	while (vec[i] != '\0') {
		size_t ks = i, kl, vs, vl, k;

		while (vec[i] != '\0' && vec[i] != ':' && vec[i] != '/')
			i++;
		kl = i - ks;
		if (vec[i] != ':') {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s vector %s: metric %.*s without ':' at offset "
			    "%zu", label, q, (int)(kl < 8 ? kl : 8),
			    vec + ks, ks);
			return -1;
		}
		for (k = 0; k < nm; k++)
			if (strlen(m[k].name) == kl &&
			    memcmp(m[k].name, vec + ks, kl) == 0)
				break;
		if (k == nm) {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s vector %s: unknown metric %.*s at offset %zu",
			    label, q, (int)(kl < 8 ? kl : 8), vec + ks, ks);
			return -1;
		}
		if (val[k] >= 0) {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s vector %s: metric %s repeated at offset %zu",
			    label, q, m[k].name, ks);
			return -1;
		}
		vs = ++i;
		while (vec[i] != '\0' && vec[i] != '/')
			i++;
		vl = i - vs;
		val[k] = value_index(m[k].values, vec + vs, vl);
		if (vl == 0 || val[k] < 0) {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s vector %s: metric %s: value '%.*s' not "
			    "allowed at offset %zu", label, q, m[k].name,
			    (int)(vl < 8 ? vl : 8), vec + vs, vs);
			return -1;
		}
		if (vec[i] == '/') {
			i++;
			if (vec[i] == '\0') {
				vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "%s vector %s: trailing '/' at offset "
				    "%zu", label, q, i - 1);
				return -1;
			}
		}
	}
	for (size_t k = 0; k < nm; k++)
		if (m[k].mandatory && val[k] < 0) {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s vector %s: metric %s missing", label, q,
			    m[k].name);
			return -1;
		}
	return 0;
}

const char *
cvss_severity3(double s)
{
	if (s <= 0.0)
		return "none";
	if (s < 4.0)
		return "low";
	if (s < 7.0)
		return "medium";
	if (s < 9.0)
		return "high";
	return "critical";
}

/* ---- v2 ---- */

enum { V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A, V2_N = 14 };
static const struct cvss_metric v2_metrics[V2_N] = {
	{ "AV", "L,A,N", true }, { "AC", "H,M,L", true },
	{ "Au", "M,S,N", true }, { "C", "N,P,C", true },
	{ "I", "N,P,C", true }, { "A", "N,P,C", true },
	{ "E", "U,POC,F,H,ND", false }, { "RL", "OF,TF,W,U,ND", false },
	{ "RC", "UC,UR,C,ND", false }, { "CDP", "N,L,LM,MH,H,ND", false },
	{ "TD", "N,L,M,H,ND", false }, { "CR", "L,M,H,ND", false },
	{ "IR", "L,M,H,ND", false }, { "AR", "L,M,H,ND", false },
};

static enum vigil_err
parse_v2(const char *vec, size_t off, struct vigil_cvss *out, char *err,
    size_t errsize)
{
	static const double av[] = { 0.395, 0.646, 1.0 };
	static const double ac[] = { 0.35, 0.61, 0.71 };
	static const double au[] = { 0.45, 0.56, 0.704 };
	static const double cia[] = { 0.0, 0.275, 0.660 };
	int v[V2_N];
	double impact, expl, f, base;

	if (cvss_read_metrics(vec, off, v2_metrics, V2_N, v, "CVSS 2.0",
	    err, errsize) != 0)
		return VIGIL_EINVAL;
	impact = 10.41 * (1 - (1 - cia[v[V2_C]]) * (1 - cia[v[V2_I]]) *
	    (1 - cia[v[V2_A]]));
	expl = 20 * av[v[V2_AV]] * ac[v[V2_AC]] * au[v[V2_AU]];
	f = impact == 0 ? 0 : 1.176;
	base = ((0.6 * impact) + (0.4 * expl) - 1.5) * f;
	base = floor(base * 10 + 0.5) / 10;
	if (base < 0)
		base = 0;
	out->major = 2;
	out->minor = 0;
	out->base_score = base;
	/* NVD's v2 ranges: low < 4.0 <= medium < 7.0 <= high. */
	out->severity = base < 4.0 ? "low" : base < 7.0 ? "medium" : "high";
	out->network = v[V2_AV] == 2;
	out->no_privileges = v[V2_AU] == 2;
	out->no_user_interaction = 0; /* v2 has no UI metric */
	return VIGIL_OK;
}

/* ---- v3.x ---- */

enum {
	V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_N = 22
};
static const struct cvss_metric v3_metrics[V3_N] = {
	{ "AV", "N,A,L,P", true }, { "AC", "L,H", true },
	{ "PR", "N,L,H", true }, { "UI", "N,R", true },
	{ "S", "U,C", true }, { "C", "H,L,N", true },
	{ "I", "H,L,N", true }, { "A", "H,L,N", true },
	{ "E", "X,H,F,P,U", false }, { "RL", "X,U,W,T,O", false },
	{ "RC", "X,C,R,U", false }, { "CR", "X,H,M,L", false },
	{ "IR", "X,H,M,L", false }, { "AR", "X,H,M,L", false },
	{ "MAV", "X,N,A,L,P", false }, { "MAC", "X,L,H", false },
	{ "MPR", "X,N,L,H", false }, { "MUI", "X,N,R", false },
	{ "MS", "X,U,C", false }, { "MC", "X,H,L,N", false },
	{ "MI", "X,H,L,N", false }, { "MA", "X,H,L,N", false },
};

/* v3.1 Appendix A Roundup: the smallest one-decimal number >= x,
 * computed on integers so that 4.000000000000001 is 4.0. */
static double
roundup31(double x)
{
	long long i = llround(x * 100000.0);
	long long tenths;

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	/* Truncating division is the point: the next tenth up (x >= 0). */
	tenths = i / 10000 + 1;
	return (double)tenths / 10.0;
}

/* v3.0 §8.1 Round up as its calculator does it. */
static double
roundup30(double x)
{
	return ceil(x * 10.0) / 10.0;
}

static enum vigil_err
parse_v3(const char *vec, int minor, struct vigil_cvss *out, char *err,
    size_t errsize)
{
	static const double av[] = { 0.85, 0.62, 0.55, 0.2 };
	static const double ac[] = { 0.77, 0.44 };
	static const double pr_u[] = { 0.85, 0.62, 0.27 };
	static const double pr_c[] = { 0.85, 0.68, 0.5 };
	static const double ui[] = { 0.85, 0.62 };
	static const double cia[] = { 0.56, 0.22, 0.0 };
	int v[V3_N];
	bool changed;
	double iss, impact, expl, base;

	if (cvss_read_metrics(vec, 9, v3_metrics, V3_N, v,
	    minor == 1 ? "CVSS 3.1" : "CVSS 3.0", err, errsize) != 0)
		return VIGIL_EINVAL;
	changed = v[V3_S] == 1;
	iss = 1 - (1 - cia[v[V3_C]]) * (1 - cia[v[V3_I]]) *
	    (1 - cia[v[V3_A]]);
	impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) :
	    6.42 * iss;
	expl = 8.22 * av[v[V3_AV]] * ac[v[V3_AC]] *
	    (changed ? pr_c : pr_u)[v[V3_PR]] * ui[v[V3_UI]];
	if (impact <= 0) {
		base = 0;
	} else {
		double raw = changed ? 1.08 * (impact + expl) : impact + expl;

		if (raw > 10)
			raw = 10;
		base = minor == 1 ? roundup31(raw) : roundup30(raw);
	}
	out->major = 3;
	out->minor = minor;
	out->base_score = base;
	out->severity = cvss_severity3(base);
	out->network = v[V3_AV] == 0;
	out->no_privileges = v[V3_PR] == 0;
	out->no_user_interaction = v[V3_UI] == 0;
	return VIGIL_OK;
}

enum vigil_err
vigil_cvss_parse(const char *vector, struct vigil_cvss *out, char *err,
    size_t errsize)
{
	if (out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVSS: no output");
	memset(out, 0, sizeof *out);
	out->severity = "none";
	if (vector == NULL || vector[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVSS: empty vector");
	if (strnlen(vector, CVSS_MAX_LEN + 1) > CVSS_MAX_LEN)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "CVSS: vector longer than %d bytes", CVSS_MAX_LEN);
	if (strncmp(vector, "CVSS:3.1/", 9) == 0)
		return parse_v3(vector, 1, out, err, errsize);
	if (strncmp(vector, "CVSS:3.0/", 9) == 0)
		return parse_v3(vector, 0, out, err, errsize);
	if (strncmp(vector, "CVSS:4.0/", 9) == 0)
		return cvss4_parse(vector, out, err, errsize);
	if (strncmp(vector, "CVSS:", 5) == 0) {
		char q[16];

		quote(vector, q, sizeof q);
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVSS vector %s...: unknown version prefix at offset 0",
		    q);
	}
	/* v2 has no prefix; NVD sometimes wraps it in parentheses. */
	if (vector[0] == '(') {
		char buf[CVSS_MAX_LEN + 1];
		size_t n = strlen(vector);

		if (n < 2 || vector[n - 1] != ')')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CVSS 2.0 vector: unbalanced '(' at offset 0");
		memcpy(buf, vector + 1, n - 2);
		buf[n - 2] = '\0';
		return parse_v2(buf, 0, out, err, errsize);
	}
	return parse_v2(vector, 0, out, err, errsize);
}
