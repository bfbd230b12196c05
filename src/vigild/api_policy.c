/*
 * API handlers of the zero-trust policies of one tenant (policydb.h):
 * stored policies with their versions and rollback, attachments, the
 * decision of the live decision service explained (zt.h) and lint.
 * Each handler is a thin shell over one library call that renders the
 * JSON the API returns, so the CLI's local and remote modes print the
 * same thing.
 *
 * Every change runs in the request's transaction with its audit entry
 * (api_tx.h), named with the policy and the version it produced; a
 * failure is audited as such. Statuses the generic error map does not
 * give: 400 for a document that is not a valid policy (the parser's
 * path-precise text), 409 for a version conflict (expected_version).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "log.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/json.h"
#include "vigil/policy.h"
#include "vigil/policydb.h"
#include "vigil/zt.h"

#define ERRMAX 512
#define OBJMAX (VIGIL_POLICY_TARGET_MAX + 600)
#define CTX_MAX 32 /* "what if" context entries of an explain */
#define CTX_VALUE_MAX 256

/* ------------------------------------------------------------------ */
/* Helpers */

static const char *
tid(const struct req *r)
{
	return r->tenant.id;
}

/*
 * Rolls back and audits a failed change. A document the parser refused
 * is 400 "invalid-policy" and a stale expected_version 409
 * "version-conflict" (the generic map says 422 and 412); everything
 * else as req_reply_err maps it.
 */
static void
fail_change(struct req *r, enum vigil_err e, const char *err,
    const char *action, const char *object)
{
	if (e == VIGIL_EINVAL)
		api_fail_problem(r, 400, "invalid-policy", action, object,
		    "failed", api_why(r, err));
	else if (e == VIGIL_ECONFLICT)
		api_fail_problem(r, 409, "version-conflict", action, object,
		    "failed", api_why(r, err));
	else
		api_fail_why(r, e, action, object, err);
}

static void
policy_object(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "policy/%s", name != NULL ? name : "");
}

/* The "version" member of a library reply (0 when absent). */
static int64_t
reply_version(const json_t *o)
{
	return (int64_t)json_integer_value(json_object_get(o, "version"));
}

/* Commits the change with its audit entry and replies status/body. */
static void
commit_reply(struct req *r, int status, json_t *body, const char *action,
    const char *object, const char *detail)
{
	if (api_commit(r, action, object, detail) < 0) {
		json_decref(body);
		return;
	}
	api_reply(r, status, body);
}

/* The compact text of a JSON document for the parser; NULL after
 * replying 500. Caller frees. */
static char *
doc_text(struct req *r, const json_t *doc, size_t *len)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	if (s == NULL) {
		req_reply_err(r, VIGIL_ENOMEM, NULL);
		return NULL;
	}
	*len = strlen(s);
	return s;
}

/* ------------------------------------------------------------------ */
/* Policies and versions */

void
api_policy_list(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	e = vigil_policydb_list(r->st, tid(r), &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_policy_get(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	int64_t version;
	enum vigil_err e;

	if (aq_int(r, "version", 1, INT64_MAX, 0, &version) < 0)
		return;
	e = vigil_policydb_get(r->st, tid(r), req_param(r, "policy"), version,
	    &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/*
 * body {"document":{...},"description"?,"comment"?,"expected_version"?}:
 * 201 with Location when it created the policy, 200 otherwise (also
 * when the document equals the current version: nothing stored, nothing
 * audited, "changed": false).
 */
void
api_policy_put(struct req *r)
{
	static const char *const keys[] = {
	    "document", "description", "comment", "expected_version", NULL};
	const char *name = req_param(r, "policy"), *desc, *comment;
	char err[ERRMAX] = "", obj[OBJMAX], detail[64], loc[512];
	json_t *body, *doc, *out = NULL;
	int64_t expected, version;
	char *text = NULL;
	bool present;
	size_t len;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	doc = json_object_get(body, "document");
	if (!json_is_object(doc)) {
		aj_field_problem(r, "document",
		    doc == NULL
		        ? "required"
		        : "expected the policy document (a JSON object)");
		goto out;
	}
	if (aj_str(r, body, "description", VIGIL_POLICY_COMMENT_MAX, false,
	        &desc) < 0 ||
	    aj_str(r, body, "comment", VIGIL_POLICY_COMMENT_MAX, false,
	        &comment) < 0 ||
	    aj_int(r, body, "expected_version", 1, INT64_MAX, false, &expected,
	        &present) < 0)
		goto out;
	if (!present)
		expected = 0;
	if ((text = doc_text(r, doc, &len)) == NULL || api_begin(r) < 0)
		goto out;
	policy_object(obj, sizeof obj, name);
	e = vigil_policydb_put(r->st, tid(r), name, text, len, desc, expected,
	    req_actor(r), comment, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		fail_change(r, e, err, "policy.put", obj);
		goto out;
	}
	version = reply_version(out);
	if (!json_is_true(json_object_get(out, "changed"))) {
		/* Nothing stored: no change to audit. */
		if ((e = vigil_store_commit(r->st)) != VIGIL_OK) {
			json_decref(out);
			api_fail(r, e, "policy.put", obj);
			goto out;
		}
		api_reply(r, 200, out);
		goto out;
	}
	snprintf(detail, sizeof detail, "version %" PRId64, version);
	if (version == 1) {
		snprintf(loc, sizeof loc, "/v1/tenants/%s/policies/%s", tid(r),
		    name);
		req_header(r, "Location", loc);
	}
	commit_reply(
	    r, version == 1 ? 201 : 200, out, "policy.put", obj, detail);
out:
	free(text);
	json_decref(body);
}

void
api_policy_delete(struct req *r)
{
	const char *name = req_param(r, "policy");
	char err[ERRMAX] = "", obj[OBJMAX];
	enum vigil_err e;

	if (api_begin(r) < 0)
		return;
	policy_object(obj, sizeof obj, name);
	e = vigil_policydb_delete(r->st, tid(r), name, err, sizeof err);
	if (e != VIGIL_OK) {
		fail_change(r, e, err, "policy.delete", obj);
		return;
	}
	api_finish_204(r, VIGIL_OK, "policy.delete", obj, NULL);
}

void
api_policy_versions(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	e = vigil_policydb_history(
	    r->st, tid(r), req_param(r, "policy"), &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/* body {"version":N,"comment"?}: the old version restored as a new one.
 * Restoring what is already current is 409 (nothing to do). */
void
api_policy_rollback(struct req *r)
{
	static const char *const keys[] = {"version", "comment", NULL};
	const char *name = req_param(r, "policy"), *comment;
	char err[ERRMAX] = "", obj[OBJMAX], detail[96];
	json_t *body, *out = NULL;
	int64_t version;
	bool present;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_int(r, body, "version", 1, INT64_MAX, true, &version, &present) <
	        0 ||
	    aj_str(r, body, "comment", VIGIL_POLICY_COMMENT_MAX, false,
	        &comment) < 0 ||
	    api_begin(r) < 0)
		goto out;
	policy_object(obj, sizeof obj, name);
	e = vigil_policydb_rollback(r->st, tid(r), name, version, req_actor(r),
	    comment, &out, err, sizeof err);
	if (e == VIGIL_EINVAL) {
		api_fail_problem(r, 409, "invalid-state", "policy.rollback",
		    obj, "failed", api_why(r, err));
		goto out;
	}
	if (e != VIGIL_OK) {
		fail_change(r, e, err, "policy.rollback", obj);
		goto out;
	}
	snprintf(detail, sizeof detail,
	    "version %" PRId64 " (rollback of "
	    "%" PRId64 ")",
	    reply_version(out), version);
	commit_reply(r, 200, out, "policy.rollback", obj, detail);
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Attachments */

/* Kind and target of an attachment; -1 after replying. The tenant kind
 * has no target (""), every other needs one. */
static int
attach_args(struct req *r, const char *kind, const char *target, bool query,
    enum vigil_attach_kind *k, const char **t)
{
	static const char expect[] = "expected tenant, model, label or device";
	static const char need[] = "required for this kind";

	*k = kind != NULL ? vigil_attach_kind_from_name(kind)
	                  : VIGIL_ATTACH_NONE;
	if (*k == VIGIL_ATTACH_NONE) {
		if (query)
			aq_problem(r, "kind", "%s",
			    kind == NULL ? "required" : expect);
		else
			aj_field_problem(r, "kind", "%s",
			    kind == NULL ? "required" : expect);
		return -1;
	}
	if (*k == VIGIL_ATTACH_TENANT) {
		*t = "";
		return 0;
	}
	if (target == NULL || target[0] == '\0') {
		if (query)
			aq_problem(r, "target", "%s", need);
		else
			aj_field_problem(r, "target", "%s", need);
		return -1;
	}
	*t = target;
	return 0;
}

static void
attach_detail(
    char *buf, size_t size, enum vigil_attach_kind k, const char *target)
{
	snprintf(
	    buf, size, "kind=%s target=%s", vigil_attach_kind_name(k), target);
}

void
api_policy_attach(struct req *r)
{
	static const char *const keys[] = {"kind", "target", NULL};
	const char *name = req_param(r, "policy"), *kind, *target, *t;
	char err[ERRMAX] = "", obj[OBJMAX], detail[OBJMAX];
	enum vigil_attach_kind k;
	json_t *body, *out = NULL;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "kind", 16, true, &kind) < 0 ||
	    aj_str(r, body, "target", VIGIL_POLICY_TARGET_MAX, false, &target) <
	        0 ||
	    attach_args(r, kind, target, false, &k, &t) < 0 || api_begin(r) < 0)
		goto out;
	policy_object(obj, sizeof obj, name);
	e = vigil_policydb_attach(
	    r->st, tid(r), name, k, t, req_actor(r), &out, err, sizeof err);
	if (e != VIGIL_OK) {
		fail_change(r, e, err, "policy.attach", obj);
		goto out;
	}
	attach_detail(detail, sizeof detail, k, t);
	commit_reply(r, 201, out, "policy.attach", obj, detail);
out:
	json_decref(body);
}

/* DELETE ?kind=K&target=T */
void
api_policy_detach(struct req *r)
{
	const char *name = req_param(r, "policy"), *kind, *target, *t;
	char err[ERRMAX] = "", obj[OBJMAX], detail[OBJMAX];
	enum vigil_attach_kind k;
	json_t *out = NULL;
	enum vigil_err e;

	if (aq_str(r, "kind", 16, &kind) < 0 ||
	    aq_str(r, "target", VIGIL_POLICY_TARGET_MAX, &target) < 0 ||
	    attach_args(r, kind, target, true, &k, &t) < 0 || api_begin(r) < 0)
		return;
	policy_object(obj, sizeof obj, name);
	e = vigil_policydb_detach(
	    r->st, tid(r), name, k, t, &out, err, sizeof err);
	json_decref(out);
	if (e != VIGIL_OK) {
		fail_change(r, e, err, "policy.detach", obj);
		return;
	}
	attach_detail(detail, sizeof detail, k, t);
	api_finish_204(r, VIGIL_OK, "policy.detach", obj, detail);
}

void
api_policy_attachments(struct req *r)
{
	char err[ERRMAX] = "";
	const char *name;
	json_t *out = NULL;
	enum vigil_err e;

	if (aq_str(r, "policy", VIGIL_POLICY_NAME_MAX, &name) < 0)
		return;
	e = vigil_policydb_attachments(
	    r->st, tid(r), name, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/* ------------------------------------------------------------------ */
/* Decisions explained */

/* The "what if" context: string values as they are, numbers and bools
 * as their text (what a condition compares). Values live in vals. */
static int
read_context(struct req *r, const json_t *body, struct vigil_pdp_kv *kv,
    char vals[][CTX_VALUE_MAX], size_t *n)
{
	const json_t *c = json_object_get(body, "context"), *v;
	const char *k;
	char safe[80];

	*n = 0;
	if (c == NULL || json_is_null(c))
		return 0;
	if (!json_is_object(c)) {
		aj_field_problem(r, "context",
		    "expected an object of "
		    "key: value");
		return -1;
	}
	if (json_object_size(c) > CTX_MAX) {
		aj_field_problem(r, "context", "at most %d entries", CTX_MAX);
		return -1;
	}
	json_object_foreach((json_t *)c, k, v)
	{
		char *dst = vals[*n];

		if (json_is_string(v))
			snprintf(
			    dst, CTX_VALUE_MAX, "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(dst, CTX_VALUE_MAX, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else if (json_is_boolean(v))
			snprintf(dst, CTX_VALUE_MAX, "%s",
			    json_is_true(v) ? "true" : "false");
		else {
			aj_field_problem(r, "context",
			    "key '%s': expected a "
			    "string, integer or boolean",
			    aj_safe(k, safe, sizeof safe));
			return -1;
		}
		kv[*n].key = k;
		kv[*n].value = dst;
		(*n)++;
	}
	return 0;
}

/*
 * body {"action","resource","device"|"cert_serial","client_id"?,
 * "source_ip"?,"country"?,"context"?}: the live decision service's answer with
 * everything that went into it; 200 for ALLOW and DENY alike.
 */
void
api_policy_decide(struct req *r)
{
	static const char *const keys[] = {"action", "resource", "device",
	    "cert_serial", "client_id", "source_ip", "country", "context",
	    NULL};
	struct vigil_pdp_kv kv[CTX_MAX];
	char vals[CTX_MAX][CTX_VALUE_MAX], err[ERRMAX] = "";
	struct vigil_zt_query q;
	struct vigil_zt *zt = r->w != NULL ? r->w->zt : NULL;
	json_t *body, *out = NULL;
	enum vigil_err e;
	size_t n;

	if (api_body(r, keys, &body) < 0)
		return;
	memset(&q, 0, sizeof q);
	if (aj_str(r, body, "action", 256, false, &q.action) < 0 ||
	    aj_str(r, body, "resource", 1024, false, &q.resource) < 0 ||
	    aj_str(r, body, "device", 256, false, &q.device) < 0 ||
	    aj_str(r, body, "cert_serial", 64, false, &q.cert_serial) < 0 ||
	    aj_str(r, body, "client_id", 256, false, &q.client_id) < 0 ||
	    aj_str(r, body, "source_ip", VIGIL_IP_STRLEN, false, &q.source_ip) <
	        0 ||
	    aj_str(r, body, "country", 2, false, &q.country) < 0 ||
	    read_context(r, body, kv, vals, &n) < 0)
		goto out;
	/* Nothing to decide without the three: 400, the question is
	 * incomplete rather than a field invalid. The device is named by
	 * id or name, or by its certificate as the broker asks. */
	if (q.action == NULL || q.resource == NULL ||
	    (q.device == NULL && q.cert_serial == NULL)) {
		req_problem(r, 400, "missing-field",
		    "field '%s': required (a "
		    "decision needs action, resource and device or "
		    "cert_serial)",
		    q.action == NULL     ? "action"
		    : q.resource == NULL ? "resource"
		                         : "device");
		goto out;
	}
	if (q.device != NULL && q.cert_serial != NULL) {
		req_problem(r, 422, "validation-failed", "fields 'device' and "
		    "'cert_serial': give one of them, not both");
		goto out;
	}
	/* After the body checks: a bad request is refused whether or not
	 * the service runs. */
	if (zt == NULL) {
		req_problem(r, 503, "unavailable",
		    "the decision service is "
		    "not running in this server");
		goto out;
	}
	q.tenant = tid(r);
	q.nctx = n;
	q.ctx = n > 0 ? kv : NULL;
	/* A stale state would explain yesterday's decision: the store's
	 * generation says whether anything changed since. */
	if (vigil_zt_refresh(zt, false) < 0) {
		vlog(VLOG_WARN, "zt.refresh", "request %s: %s", r->request_id,
		    vigil_zt_errmsg(zt));
		if (vigil_zt_epoch(zt) <= 0) {
			req_problem(r, 503, "unavailable",
			    "the decision "
			    "service could not load the policies");
			goto out;
		}
	}
	e = vigil_zt_explain(zt, &q, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		json_decref(out);
		api_reply_lib_err(r, e, err);
		goto out;
	}
	api_reply(r, 200, out);
out:
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Lint */

struct lint_out {
	json_t *findings;
	int critical;
	bool oom;
};

static void
on_finding(void *ctx, const struct vigil_lint_finding *f)
{
	struct lint_out *o = ctx;
	json_t *j;

	if (f->severity == VIGIL_LINT_CRITICAL)
		o->critical++;
	j = vigil_lint_finding_to_json(f);
	if (j == NULL || json_array_append_new(o->findings, j) != 0)
		o->oom = true;
}

/* body: a policy document. 400 when it does not parse, else 200 with
 * {"findings":[...],"critical":N}. */
void
api_policy_lint(struct req *r)
{
	struct lint_out o = {NULL, 0, false};
	struct vigil_policy *p = NULL;
	char err[ERRMAX] = "", *text;
	json_t *body;
	size_t len;
	enum vigil_err e;

	if (req_json_body(r, &body) < 0)
		return;
	text = doc_text(r, body, &len);
	json_decref(body);
	if (text == NULL)
		return;
	e = vigil_policy_parse(text, len, &p, err, sizeof err);
	free(text);
	if (e == VIGIL_EINVAL) {
		req_problem(r, 400, "invalid-policy", "%s", api_why(r, err));
		return;
	}
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	if ((o.findings = json_array()) == NULL) {
		vigil_policy_free(p);
		req_reply_err(r, VIGIL_ENOMEM, NULL);
		return;
	}
	(void)vigil_policy_lint(p, on_finding, &o);
	vigil_policy_free(p);
	if (o.oom) {
		json_decref(o.findings);
		api_reply(r, 200, NULL);
		return;
	}
	api_reply(r, 200,
	    json_pack(
	        "{s:o, s:i}", "findings", o.findings, "critical", o.critical));
}
