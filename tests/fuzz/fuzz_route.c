/*
 * Fuzz target for API route matching (src/vigild/routes.c, route_find):
 * the first input byte picks a method from a small table (the four the
 * table uses, others, wrong case, empty, NULL), the rest is the request
 * path. The result is checked against a deliberately plain reference
 * reading of the rules stated in routes.c:
 *  - the path is split on '/' first, each segment percent-decoded
 *    afterwards, so a '/' inside a value can only come from %2F;
 *  - a bad escape, a decoded NUL, a decoded segment over
 *    ROUTE_PARAM_MAX bytes or a "." / ".." segment is 400 (checked in
 *    order, so more than ROUTE_MAX_SEGS segments before any bad one is
 *    404);
 *  - no normalisation: empty segments never match a parameter;
 *  - literal segments beat parameters, left to right; the best match
 *    is unique (an ambiguous table would dispatch by table order);
 *  - 405 lists the path's methods and never the one asked for.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REF_MAX_SEGS 8 /* ROUTE_MAX_SEGS in routes.c */
#define PATH_MAX_FUZZ 8192

static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE",
	"PUT", "HEAD", "get", "", NULL };
#define NMETHODS (sizeof methods / sizeof methods[0])

struct ref_path {
	unsigned nseg;
	char seg[REF_MAX_SEGS][ROUTE_PARAM_MAX + 1];
	const char *raw[REF_MAX_SEGS]; /* start of each raw segment */
	size_t rawlen[REF_MAX_SEGS];
};

static int
hexval(int c)
{
	if (!isxdigit(c))
		return -1;
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* The reference decoder of one segment: 0 or 400. */
static int
ref_decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= len)
				return 400;
			if (hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return 400;
			c = hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]);
			if (c == 0)
				return 400;
			i += 2;
		}
		if (o == ROUTE_PARAM_MAX)
			return 400;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return strcmp(out, ".") == 0 || strcmp(out, "..") == 0 ? 400 : 0;
}

/* The reference split: 0, 404 or 400, in the order routes.c checks. */
static int
ref_split(const char *path, struct ref_path *rp)
{
	rp->nseg = 0;
	if (path == NULL || path[0] != '/')
		return 404;
	while (*path == '/') {
		const char *seg = path + 1;
		size_t len = strcspn(seg, "/");

		if (rp->nseg == REF_MAX_SEGS)
			return 404;
		if (ref_decode(seg, len, rp->seg[rp->nseg]) != 0)
			return 400;
		rp->raw[rp->nseg] = seg;
		rp->rawlen[rp->nseg] = len;
		rp->nseg++;
		path = seg + len;
	}
	return 0;
}

/* Whether route ri's pattern matches; *key as documented in routes.c
 * (a literal at segment i weighs 1 << (7 - i)). */
static bool
ref_match(size_t ri, const struct ref_path *rp, unsigned *key)
{
	const char *p = routes[ri].pattern;
	unsigned i = 0;

	*key = 0;
	while (*p == '/') {
		size_t len = strcspn(p + 1, "/");
		bool param = len >= 2 && p[1] == '{' && p[len] == '}';

		if (i >= rp->nseg)
			return false;
		if (param) {
			if (rp->seg[i][0] == '\0')
				return false;
		} else {
			if (strlen(rp->seg[i]) != len ||
			    memcmp(rp->seg[i], p + 1, len) != 0)
				return false;
			*key |= 1u << (REF_MAX_SEGS - 1 - i);
		}
		i++;
		p += len + 1;
	}
	return i == rp->nseg;
}

static bool
has_encoded_slash(const char *s, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++)
		if (s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'F' || s[i + 2] == 'f'))
			return true;
	return false;
}

/* On a match: the route, its parameters in pattern order, values equal
 * to the reference decoding of their raw segments. */
static void
check_match(const char *method, const struct route_match *m,
    const struct ref_path *rp)
{
	const char *p;
	unsigned i = 0;
	size_t np = 0;

	if (m->route == NULL || method == NULL ||
	    strcmp(m->route->method, method) != 0 ||
	    route_index(m->route) >= nroutes)
		abort();
	for (p = m->route->pattern; *p == '/'; i++) {
		size_t len = strcspn(p + 1, "/");

		if (len >= 2 && p[1] == '{' && p[len] == '}') {
			const char *v = m->values[np];

			if (np >= m->nparams || np >= ROUTE_MAX_PARAMS ||
			    strlen(m->names[np]) != len - 2 ||
			    memcmp(m->names[np], p + 2, len - 2) != 0)
				abort();
			if (v[0] == '\0' || strlen(v) > ROUTE_PARAM_MAX ||
			    strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
			    strcmp(v, rp->seg[i]) != 0)
				abort();
			if (strchr(v, '/') != NULL &&
			    !has_encoded_slash(rp->raw[i], rp->rawlen[i]))
				abort();
			np++;
		}
		p += len + 1;
	}
	if (np != m->nparams)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX_FUZZ + 1];
	static struct route_match m;
	static struct ref_path rp;
	char allow[64];
	const char *method;
	size_t best = (size_t)-1, n;
	unsigned key, best_key = 0;
	bool known = false, method_known = false, tie = false;
	int rc, want;

	if (size == 0)
		return 0;
	method = methods[data[0] % NMETHODS];
	n = size - 1 < PATH_MAX_FUZZ ? size - 1 : PATH_MAX_FUZZ;
	memcpy(path, data + 1, n);
	path[n] = '\0';

	rc = route_find(method, path, &m, allow, sizeof allow);
	want = ref_split(path, &rp);
	if (want != 0) {
		if (rc != want || m.route != NULL || m.nparams != 0)
			abort();
		return 0;
	}
	for (size_t i = 0; i < nroutes; i++) {
		if (!ref_match(i, &rp, &key))
			continue;
		known = true;
		if (method == NULL || strcmp(routes[i].method, method) != 0)
			continue;
		method_known = true;
		if (best == (size_t)-1 || key > best_key) {
			best = i;
			best_key = key;
			tie = false;
		} else if (key == best_key)
			tie = true;
	}
	if (!known) {
		if (rc != 404 || m.route != NULL)
			abort();
		return 0;
	}
	if (!method_known) {
		if (rc != 405 || m.route != NULL || allow[0] == '\0')
			abort();
		if (method != NULL && method[0] != '\0' &&
		    strstr(allow, method) != NULL)
			abort();
		return 0;
	}
	if (rc != 0 || tie || m.route != &routes[best])
		abort();
	check_match(method, &m, &rp);
	return 0;
}
