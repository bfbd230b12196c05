/*
 * Route matching: method + path → an entry of the route table
 * (routes_table.c) with its decoded {parameters}, or why not (404,
 * 405 with the methods the path allows, 400 for a path no route could
 * take apart safely).
 *
 * Rules:
 *  - the path is split on '/' first and each segment percent-decoded
 *    afterwards, so "%2F" inside a parameter is data, never a separator;
 *  - a bad percent-escape, a decoded NUL byte, a decoded segment longer
 *    than ROUTE_PARAM_MAX bytes or a "." / ".." segment is a 400: such
 *    a path is an attack or a bug, and must not reach a handler (which
 *    might hand a ".." to something path-like);
 *  - no normalisation: "/v1/tenants/" (trailing slash) and "//" are
 *    not "/v1/tenants" — they are 404;
 *  - literal segments beat parameters, left to right, so
 *    GET /devices/export is the export, not a device called "export".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "routes.h"
#include "vigil/core.h"

#define ROUTE_MAX_SEGS 8
#define ROUTE_SEG_MAX 48   /* longest literal or parameter name */
#define ROUTE_CACHE_MAX 128

/* A pattern taken apart once. */
struct pattern {
	unsigned nseg;
	bool param[ROUTE_MAX_SEGS];
	char seg[ROUTE_MAX_SEGS][ROUTE_SEG_MAX];
};

static struct pattern patterns[ROUTE_CACHE_MAX];
static bool patterns_ready;

static void
split_pattern(const char *p, struct pattern *out)
{
	memset(out, 0, sizeof *out);
	while (*p == '/' && out->nseg < ROUTE_MAX_SEGS) {
		const char *end = strchr(p + 1, '/');
		size_t len = end != NULL ? (size_t)(end - p - 1) :
		    strlen(p + 1);
		char *dst = out->seg[out->nseg];

		if (len >= 2 && p[1] == '{' && p[len] == '}') {
			out->param[out->nseg] = true;
			snprintf(dst, ROUTE_SEG_MAX, "%.*s", (int)(len - 2),
			    p + 2);
		} else
			snprintf(dst, ROUTE_SEG_MAX, "%.*s", (int)len, p + 1);
		out->nseg++;
		p += len + 1;
	}
}

static void
patterns_init(void)
{
	size_t n = nroutes < ROUTE_CACHE_MAX ? nroutes : ROUTE_CACHE_MAX;

	for (size_t i = 0; i < n; i++)
		split_pattern(routes[i].pattern, &patterns[i]);
	patterns_ready = true;
}

/* Decodes one raw segment of len bytes. 0, or 400 with a reason. */
static int
decode_segment(const char *raw, size_t len, char *out, size_t outsize)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)raw[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return 400;
			hi = vigil_hex_value(raw[i + 1]);
			lo = vigil_hex_value(raw[i + 2]);
			if (hi < 0 || lo < 0)
				return 400;
			c = hi * 16 + lo;
			if (c == 0)
				return 400;
			i += 2;
		}
		if (o + 1 >= outsize)
			return 400;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return 400;
	return 0;
}

/* Segments of the request path, decoded. 0, 404 (too many segments or
 * not absolute) or 400. */
static int
split_path(const char *path, char segs[][ROUTE_PARAM_MAX + 1],
    unsigned *nseg)
{
	*nseg = 0;
	if (path == NULL || path[0] != '/')
		return 404;
	while (*path == '/') {
		const char *end = strchr(path + 1, '/');
		size_t len = end != NULL ? (size_t)(end - path - 1) :
		    strlen(path + 1);

		if (*nseg == ROUTE_MAX_SEGS)
			return 404;
		if (decode_segment(path + 1, len, segs[*nseg],
		    ROUTE_PARAM_MAX + 1) != 0)
			return 400;
		(*nseg)++;
		path += len + 1;
	}
	return 0;
}

/* Whether pattern p matches the segments; *key ranks the match:
 * literal segments further left weigh more. */
static bool
match(const struct pattern *p, char segs[][ROUTE_PARAM_MAX + 1],
    unsigned nseg, unsigned *key)
{
	if (p->nseg != nseg)
		return false;
	*key = 0;
	for (unsigned i = 0; i < nseg; i++) {
		if (p->param[i]) {
			if (segs[i][0] == '\0')
				return false; /* "/v1/tenants//devices" */
			continue;
		}
		if (strcmp(p->seg[i], segs[i]) != 0)
			return false;
		*key |= 1u << (ROUTE_MAX_SEGS - 1 - i);
	}
	return true;
}

static void
allow_list(const bool *seen, char *allow, size_t allowsize)
{
	static const char *const order[] = { "GET", "POST", "PUT",
		"PATCH", "DELETE" };
	size_t len = 0;

	if (allow == NULL || allowsize == 0)
		return;
	allow[0] = '\0';
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!seen[i])
			continue;
		int n = snprintf(allow + len, allowsize - len, "%s%s",
		    len > 0 ? ", " : "", order[i]);
		if (n < 0 || (size_t)n >= allowsize - len)
			return;
		len += (size_t)n;
	}
}

static int
method_slot(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return 0;
	if (strcmp(m, "POST") == 0)
		return 1;
	if (strcmp(m, "PUT") == 0)
		return 2;
	if (strcmp(m, "PATCH") == 0)
		return 3;
	if (strcmp(m, "DELETE") == 0)
		return 4;
	return -1;
}

static void
fill(struct route_match *m, size_t ri, char segs[][ROUTE_PARAM_MAX + 1])
{
	const struct pattern *p = &patterns[ri];

	m->route = &routes[ri];
	m->nparams = 0;
	for (unsigned i = 0; i < p->nseg; i++) {
		if (!p->param[i] || m->nparams == ROUTE_MAX_PARAMS)
			continue;
		m->names[m->nparams] = p->seg[i];
		memcpy(m->values[m->nparams], segs[i], ROUTE_PARAM_MAX + 1);
		m->nparams++;
	}
}

int
route_find(const char *method, const char *path, struct route_match *m,
    char *allow, size_t allowsize)
{
	char segs[ROUTE_MAX_SEGS][ROUTE_PARAM_MAX + 1];
	bool seen[5] = { false, false, false, false, false };
	bool path_known = false;
	size_t best = (size_t)-1;
	unsigned nseg, key, best_key = 0;
	size_t n = nroutes < ROUTE_CACHE_MAX ? nroutes : ROUTE_CACHE_MAX;
	int rc;

	memset(m, 0, sizeof *m);
	if (allow != NULL && allowsize > 0)
		allow[0] = '\0';
	if (!patterns_ready)
		patterns_init();
	if ((rc = split_path(path, segs, &nseg)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!match(&patterns[i], segs, nseg, &key))
			continue;
		path_known = true;
		if (method_slot(routes[i].method) >= 0)
			seen[method_slot(routes[i].method)] = true;
		if (method == NULL || strcmp(routes[i].method, method) != 0)
			continue;
		if (best == (size_t)-1 || key > best_key) {
			best = i;
			best_key = key;
		}
	}
	if (best != (size_t)-1) {
		fill(m, best, segs);
		return 0;
	}
	if (!path_known)
		return 404;
	allow_list(seen, allow, allowsize);
	return 405;
}

size_t
route_index(const struct route *r)
{
	return (size_t)(r - routes);
}
