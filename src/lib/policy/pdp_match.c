/*
 * Policy variable substitution and action/resource matching for the
 * decision point. Substituted values are always literal: an MQTT
 * wildcard, a level separator or '*' inside a value never widens.
 */
#include <string.h>

#include "pdp_internal.h"

#define LABEL_PREFIX "device.label."

/* Value of variable name[0, n) from rq, NULL when missing or empty. */
static const char *
var_value(const char *name, size_t n, const struct vigil_pdp_request *rq)
{
	static const struct {
		const char *name;
		size_t off;
	} vars[] = {
		{ "device.id", offsetof(struct vigil_pdp_request, device_id) },
		{ "device.tenant", offsetof(struct vigil_pdp_request, tenant) },
		{ "device.model", offsetof(struct vigil_pdp_request, model) },
		{ "cert.urn", offsetof(struct vigil_pdp_request, cert_urn) },
		{ "client.id", offsetof(struct vigil_pdp_request, client_id) },
	};
	const char *v = NULL;
	size_t i, pl = strlen(LABEL_PREFIX);

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if (strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, name, n) == 0) {
			memcpy(&v, (const char *)rq + vars[i].off, sizeof v);
			break;
		}
	}
	if (i == sizeof vars / sizeof vars[0] && n > pl &&
	    memcmp(name, LABEL_PREFIX, pl) == 0) {
		for (i = 0; i < rq->nlabels; i++) {
			const char *k = rq->labels[i].key;

			if (k != NULL && strlen(k) == n - pl &&
			    memcmp(k, name + pl, n - pl) == 0) {
				v = rq->labels[i].value;
				break;
			}
		}
	}
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * Compares pattern level p[0, pl) (literal text with ${var}) to target
 * level t[0, tl) exactly. 1 equal, 0 not, -1 a variable is missing or
 * the pattern is malformed (the resource then matches nothing).
 */
static int
level_equal(const char *p, size_t pl, const char *t, size_t tl,
    const struct vigil_pdp_request *rq)
{
	size_t i = 0, j = 0;
	int eq = 1;

	while (i < pl) {
		if (p[i] == '$' && i + 1 < pl && p[i + 1] == '{') {
			const char *end = memchr(p + i + 2, '}', pl - i - 2);
			const char *v;
			size_t vl;

			if (end == NULL)
				return -1;
			v = var_value(p + i + 2, (size_t)(end - p - i - 2),
			    rq);
			if (v == NULL)
				return -1;
			vl = strlen(v);
			if (eq && (tl - j < vl || memcmp(t + j, v, vl) != 0))
				eq = 0;
			else if (eq)
				j += vl;
			i = (size_t)(end - p) + 1;
			continue;
		}
		if (p[i] == '+' || p[i] == '#')
			return -1; /* a wildcard inside a level */
		if (eq && (j >= tl || t[j] != p[i]))
			eq = 0;
		else if (eq)
			j++;
		i++;
	}
	return eq && j == tl;
}

static int
is_wild_level(const char *s, size_t n)
{
	return n == 1 && (s[0] == '+' || s[0] == '#');
}

/*
 * Topic pattern pat (a filter with variables) against target: a topic
 * name (covers == 0) or a filter it must cover (covers == 1).
 */
static int
topic_match(const char *pat, const char *target, int covers,
    const struct vigil_pdp_request *rq)
{
	const char *p = pat, *t = target;

	if (vigil_mqtt_check(target, covers, NULL, 0) != VIGIL_OK ||
	    pat[0] == '\0')
		return 0;
	if ((pat[0] == '+' || pat[0] == '#') && target[0] == '$')
		return 0;
	for (;;) {
		size_t pl = strcspn(p, "/"), tl = strcspn(t, "/");

		if (pl == 1 && p[0] == '#')
			return p[1] == '\0';
		if (covers && tl == 1 && t[0] == '#')
			return 0;
		if (pl == 1 && p[0] == '+') {
			/* one level: any name level or a '+' level */
		} else {
			if (covers && is_wild_level(t, tl))
				return 0;
			if (level_equal(p, pl, t, tl, rq) != 1)
				return 0;
		}
		p += pl;
		t += tl;
		if (*p == '\0' && *t == '\0')
			return 1;
		if (*p == '/' && *t == '/') {
			p++;
			t++;
			continue;
		}
		return *t == '\0' && strcmp(p, "/#") == 0;
	}
}

int
pdp_glob(const char *pat, const unsigned char *wild, size_t plen,
    const char *s, size_t slen, int qmark)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < slen) {
		int w = pi < plen && (wild == NULL || wild[pi]);

		if (pi < plen && w && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < plen && (pat[pi] == s[si] ||
		    (qmark && w && pat[pi] == '?'))) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return 0;
		}
	}
	while (pi < plen && pat[pi] == '*' && (wild == NULL || wild[pi]))
		pi++;
	return pi == plen;
}

/* Non-topic pattern: '*' globs; variables substituted literally. */
static int
glob_match(const char *pat, const char *target,
    const struct vigil_pdp_request *rq)
{
	char buf[512];
	unsigned char wild[512];
	size_t n = 0, i = 0, pl = strlen(pat);

	while (i < pl) {
		if (pat[i] == '$' && pat[i + 1] == '{') {
			const char *end = strchr(pat + i + 2, '}');
			const char *v;
			size_t vl;

			if (end == NULL)
				return 0;
			v = var_value(pat + i + 2, (size_t)(end - pat - i - 2),
			    rq);
			if (v == NULL)
				return 0;
			vl = strlen(v);
			if (vl > sizeof buf - n)
				return 0; /* fail closed */
			memcpy(buf + n, v, vl);
			memset(wild + n, 0, vl);
			n += vl;
			i = (size_t)(end - pat) + 1;
			continue;
		}
		if (n == sizeof buf)
			return 0;
		buf[n] = pat[i++];
		wild[n++] = 1;
	}
	return pdp_glob(buf, wild, n, target, strlen(target), 0);
}

int
pdp_action_matches(const char *pat, const char *action)
{
	if (pat == NULL || action == NULL)
		return 0;
	if (strchr(pat, '*') == NULL)
		return strcmp(pat, action) == 0;
	return pdp_glob(pat, NULL, strlen(pat), action, strlen(action), 0);
}

int
pdp_resource_matches(const char *pat, const struct vigil_pdp_request *rq)
{
	const char *rc = rq->resource, *pc, *qc;
	size_t tl;

	if (pat == NULL || rc == NULL)
		return 0;
	if (strcmp(pat, "*") == 0)
		return 1;
	pc = strchr(pat, ':');
	qc = strchr(rc, ':');
	if (pc == NULL || qc == NULL)
		return 0;
	tl = (size_t)(pc - pat);
	if (tl != (size_t)(qc - rc) || memcmp(pat, rc, tl) != 0)
		return 0;
	if (tl == 5 && memcmp(pat, "topic", 5) == 0)
		return topic_match(pc + 1, qc + 1, 0, rq);
	if (tl == 11 && memcmp(pat, "topicfilter", 11) == 0)
		return topic_match(pc + 1, qc + 1, 1, rq);
	return glob_match(pc + 1, qc + 1, rq);
}
