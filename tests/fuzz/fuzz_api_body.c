/*
 * Fuzz target for the API's readers of request bodies and queries
 * (src/vigild/api_devspec.c, src/vigild/api_json.c). Each input is read
 * two ways, as the server would:
 *  - as a body: parsed by jansson with JSON_REJECT_DUPLICATES (as
 *    req_json_body does); an object goes through the PATCH device body
 *    parser (api_devupdate_from_json) and the typed field readers
 *    (aj_only, aj_str, aj_bool, aj_int, aj_role, aj_state, aj_id_type,
 *    aj_safe);
 *  - as a query string: parsed by evhttp_parse_query_str (as http.c
 *    does); it goes through the device list filter parser
 *    (api_devfilter_from_query) and the query readers (aq_*).
 * Every reader must either accept (0, no reply) or reply exactly one
 * problem (-1) whose detail is non-empty, renders as problem+json and,
 * for body fields, quotes client key names only escaped.
 *
 * The readers take a struct req only to reply through req_problem and
 * to look up the query through req_query. Both are defined below, so
 * the linker takes them from here and never pulls reqctx.o (and with it
 * the network side) out of libvigild_core.a: the readers run unchanged,
 * on a zeroed struct req, and their reply lands in `got`. Should a
 * reader ever call another reqctx.c function, the link fails with
 * "multiple definition of req_problem": extend the seam then.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api_devspec.h"
#include "api_json.h"
#include "problem.h"
#include "reqctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QUERY_MAX 8192

/* What the readers replied. */
static struct {
	unsigned n;
	int status;
	char slug[64];
	char detail[2048]; /* DETAIL_MAX of reqctx.c */
} got;

static struct evkeyvalq query;

void
req_problem(struct req *r, int status, const char *slug, const char *fmt,
    ...)
{
	va_list ap;
	json_t *p;

	(void)r;
	got.n++;
	got.status = status;
	snprintf(got.slug, sizeof got.slug, "%s", slug);
	va_start(ap, fmt);
	vsnprintf(got.detail, sizeof got.detail, fmt, ap);
	va_end(ap);
	/* What send_problem would render: it must always render. */
	if ((p = problem_json(status, slug, got.detail, "fuzz")) == NULL)
		abort();
	json_decref(p);
}

const char *
req_query(struct req *r, const char *name)
{
	(void)r;
	return evhttp_find_header(&query, name);
}

static void
reset(void)
{
	memset(&got, 0, sizeof got);
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A reader's verdict: 0 and silent, or -1 and exactly one problem. */
static void
verdict(int rc, int status, const char *slug)
{
	if (rc == 0) {
		if (got.n != 0)
			abort();
	} else {
		if (rc != -1 || got.n != 1 || got.status != status ||
		    strcmp(got.slug, slug) != 0 || got.detail[0] == '\0')
			abort();
		if (status == 422 && !printable(got.detail))
			abort();
	}
	reset();
}

/* The string a text member of a PATCH body must have produced. */
static void
check_text(const json_t *o, const char *key, const char *out)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (out != NULL)
			abort();
	} else if (json_is_null(v)) {
		if (out == NULL || out[0] != '\0')
			abort();
	} else if (out != json_string_value(v) ||
	    strlen(out) != json_string_length(v))
		abort();
}

static void
check_idents(const struct vigil_ident_spec *a, size_t n)
{
	if (n > VIGIL_DEVICE_MAX_IDENTS)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned)a[i].type >= VIGIL_ID_TYPE_COUNT ||
		    a[i].value == NULL || a[i].value[0] == '\0')
			abort();
}

static void
fuzz_devupdate(struct req *r, const json_t *o)
{
	static struct api_devupdate du;
	const struct vigil_device_update *u = &du.u;
	int rc;

	rc = api_devupdate_from_json(r, o, &du);
	if (rc != 0) {
		if (strncmp(got.detail, "field '", 7) != 0)
			abort();
		verdict(rc, 422, "validation-failed");
		return;
	}
	verdict(rc, 422, "validation-failed");
	if (u->expected_version != 0 || u->labels_set != du.set ||
	    u->labels_unset != du.unset || u->idents_add != du.add ||
	    u->idents_remove != du.remove)
		abort();
	if (u->name != NULL && u->name[0] == '\0')
		abort(); /* a name is never cleared */
	check_text(o, "name", u->name);
	check_text(o, "model", u->model);
	check_text(o, "gtin", u->gtin);
	check_text(o, "region", u->region);
	check_text(o, "owner", u->owner);
	if (u->nlabels_set + u->nlabels_unset > VIGIL_DEVICE_MAX_LABELS ||
	    u->nlabels_set + u->nlabels_unset !=
	    json_object_size(json_object_get(o, "labels")))
		abort();
	for (size_t i = 0; i < u->nlabels_set; i++)
		if (u->labels_set[i].key == NULL ||
		    u->labels_set[i].value == NULL)
			abort();
	for (size_t i = 0; i < u->nlabels_unset; i++)
		if (u->labels_unset[i] == NULL)
			abort();
	check_idents(u->idents_add, u->nidents_add);
	check_idents(u->idents_remove, u->nidents_remove);
	if (du.reason != NULL && !json_is_string(json_object_get(o,
	    "reason")))
		abort();
}

static void
fuzz_fields(struct req *r, const json_t *o)
{
	static const char *const allowed[] = { "name", "s", "b", "i", "role",
		"state", "type", NULL };
	const char *s;
	int b, rc;
	int64_t i;
	bool present;
	enum vigil_role role;
	enum vigil_device_state state;
	enum vigil_id_type t;
	char buf[100];

	verdict(aj_only(r, o, allowed), 422, "validation-failed");
	rc = aj_str(r, o, "name", 16, false, &s);
	if (rc == 0 && s != NULL && strlen(s) > 16)
		abort();
	verdict(rc, 422, "validation-failed");
	rc = aj_str(r, o, "s", 4096, true, &s);
	if ((rc == 0) != (s != NULL))
		abort();
	verdict(rc, 422, "validation-failed");
	rc = aj_bool(r, o, "b", &b);
	if (rc == 0 && b != -1 && b != 0 && b != 1)
		abort();
	verdict(rc, 422, "validation-failed");
	rc = aj_int(r, o, "i", -5, 1000, false, &i, &present);
	if (rc == 0 && present && (i < -5 || i > 1000))
		abort();
	verdict(rc, 422, "validation-failed");
	rc = aj_role(r, o, "role", false, &role);
	if (rc == 0 && (unsigned)role >= VIGIL_ROLE_COUNT)
		abort();
	verdict(rc, 422, "validation-failed");
	rc = aj_state(r, o, "state", false, &state);
	if (rc == 0 && (unsigned)state > VIGIL_DEV_RETIRED)
		abort();
	verdict(rc, 422, "validation-failed");
	if (json_is_string(json_object_get(o, "type"))) {
		rc = aj_id_type(r, "type", json_string_value(
		    json_object_get(o, "type")), &t);
		if (rc == 0 && (t == VIGIL_ID_UNKNOWN ||
		    (unsigned)t >= VIGIL_ID_TYPE_COUNT))
			abort();
		verdict(rc, 422, "validation-failed");
	}
	/* Key names quoted in details: bounded and printable. */
	for (void *it = json_object_iter((json_t *)o); it != NULL;
	    it = json_object_iter_next((json_t *)o, it)) {
		const char *k = json_object_iter_key(it);
		size_t sizes[] = { 5, 9, 40, sizeof buf };

		for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			aj_safe(k, buf, sizes[j]);
			if (strlen(buf) >= sizes[j] || !printable(buf) ||
			    strchr(buf, '\'') != NULL)
				abort();
			for (const char *c = buf; *c != '\0'; c++)
				if ((unsigned char)*c >= 0x7f)
					abort();
		}
	}
}

static void
fuzz_body(struct req *r, const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *o;

	o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return;
	if (json_is_object(o)) {
		fuzz_devupdate(r, o);
		fuzz_fields(r, o);
	}
	json_decref(o);
}

static void
fuzz_query(struct req *r, const uint8_t *data, size_t size)
{
	static char q[QUERY_MAX + 1];
	static struct api_devfilter df;
	const char *s, *label;
	bool b;
	int64_t i;
	int rc;

	if (size > QUERY_MAX || memchr(data, '\0', size) != NULL)
		return;
	memcpy(q, data, size);
	q[size] = '\0';
	TAILQ_INIT(&query);
	if (evhttp_parse_query_str(q, &query) != 0) {
		/* http.c replies "bad-query" before any handler runs. */
		evhttp_clear_headers(&query);
		return;
	}
	label = evhttp_find_header(&query, "label");
	rc = api_devfilter_from_query(r, &df);
	if (rc == 0) {
		if ((unsigned)df.f.state > VIGIL_DEV_RETIRED ||
		    (unsigned)df.f.id_type >= VIGIL_ID_TYPE_COUNT ||
		    df.f.after != NULL || df.f.limit != 0)
			abort();
		if ((label == NULL) != (df.f.label_key == NULL))
			abort();
		if (label != NULL && (df.f.label_key[0] == '\0' ||
		    (df.f.label_value != NULL) != (strchr(label, '=') !=
		    NULL)))
			abort();
		if (df.f.model != NULL && (df.f.model[0] == '\0' ||
		    strlen(df.f.model) > VIGIL_DEVICE_MODEL_MAX))
			abort();
	}
	verdict(rc, 400, "invalid-parameter");
	verdict(aq_bool(r, "b", true, &b), 400, "invalid-parameter");
	rc = aq_int(r, "limit", 1, 1000, 100, &i);
	if (rc == 0 && (i < 1 || i > 1000))
		abort();
	verdict(rc, 400, "invalid-parameter");
	verdict(aq_time(r, "since", &i), 400, "invalid-parameter");
	rc = aq_str(r, "q", 8, &s);
	if (rc == 0 && s != NULL && (s[0] == '\0' || strlen(s) > 8))
		abort();
	verdict(rc, 400, "invalid-parameter");
	evhttp_clear_headers(&query);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct req r; /* zeroed: nobody authenticated, no network */

	reset();
	fuzz_body(&r, data, size);
	fuzz_query(&r, data, size);
	return 0;
}
