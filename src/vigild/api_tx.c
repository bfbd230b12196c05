/*
 * Transaction, audit and reply steps shared by the state-changing API
 * handlers (api_tx.h): change + audit entry in one transaction,
 * committed before the reply; failures rolled back and audited.
 */
#include <stdio.h>
#include <string.h>

#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/json.h"
#include "vigil/store.h"

/* Audit details are short: the first part of an error text says what
 * went wrong; the entry limit is VIGIL_AUDIT_DETAIL_MAX. */
#define AUDIT_DETAIL_MAX 1000

static void
rollback_all(struct req *r)
{
	/* The handler owns the store handle for the request: whatever
	 * level a failing library call left open is undone. */
	while (vigil_store_tx_depth(r->st) > 0)
		if (vigil_store_rollback(r->st) != VIGIL_OK)
			break;
}

/* Not in api_json.c: that file is linked without reqctx.c by the body
 * fuzzer (tests/fuzz/fuzz_api_body.c), which stubs the reply helpers. */
int
api_body(struct req *r, const char *const *allowed, json_t **out)
{
	const char *k;
	json_t *v;

	if (req_json_body(r, out) < 0)
		return -1;
	if (aj_only(r, *out, allowed) == 0)
		return 0;
	json_object_foreach(*out, k, v) {
		(void)v;
		vigil_json_wipe_str(*out, k);
	}
	json_decref(*out);
	*out = NULL;
	return -1;
}

int
api_begin(struct req *r)
{
	enum vigil_err e;

	if ((e = vigil_store_begin(r->st)) != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

int
api_commit(struct req *r, const char *action, const char *object,
    const char *detail)
{
	enum vigil_err e;

	if ((e = req_audit(r, action, object, "ok", detail)) != VIGIL_OK ||
	    (e = vigil_store_commit(r->st)) != VIGIL_OK) {
		api_fail(r, e, action, object);
		return -1;
	}
	return 0;
}

void
api_fail(struct req *r, enum vigil_err e, const char *action,
    const char *object)
{
	api_fail_why(r, e, action, object, NULL);
}

const char *
api_why(struct req *r, const char *err)
{
	return err != NULL && err[0] != '\0' ? err :
	    vigil_store_errmsg(r->st);
}

void
api_reply_lib_err(struct req *r, enum vigil_err e, const char *err)
{
	req_reply_err(r, e, api_why(r, err));
}

void
api_fail_why(struct req *r, enum vigil_err e, const char *action,
    const char *object, const char *why)
{
	char msg[VIGIL_STORE_MAX_ERR], detail[AUDIT_DETAIL_MAX + 1];
	size_t n;

	snprintf(msg, sizeof msg, "%s", why != NULL && why[0] != '\0' ? why :
	    vigil_store_errmsg(r->st));
	if (msg[0] == '\0')
		snprintf(msg, sizeof msg, "%s", vigil_strerror(e));
	rollback_all(r);
	/* Cut on a character boundary (UTF-8 continuation bytes are
	 * 10xxxxxx). */
	n = strlen(msg);
	if (n > AUDIT_DETAIL_MAX) {
		n = AUDIT_DETAIL_MAX;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(detail, msg, n);
	detail[n] = '\0';
	/* Best effort: when the audit append itself failed, this one
	 * probably fails too, and the reply says 500 either way. */
	(void)req_audit(r, action, object, "failed", detail);
	req_reply_err(r, e, msg);
}

void
api_finish_204(struct req *r, enum vigil_err e, const char *action,
    const char *object, const char *detail)
{
	if (e != VIGIL_OK) {
		api_fail(r, e, action, object);
		return;
	}
	if (api_commit(r, action, object, detail) < 0)
		return;
	req_reply_json(r, 204, NULL);
}

void
api_fail_problem(struct req *r, int status, const char *slug,
    const char *action, const char *object, const char *outcome,
    const char *detail)
{
	rollback_all(r);
	(void)req_audit(r, action, object, outcome, detail);
	req_problem(r, status, slug, "%s", detail);
}

void
api_reply(struct req *r, int status, json_t *body)
{
	if (body == NULL) {
		req_problem(r, 500, "internal-error", "out of memory while "
		    "rendering the reply");
		return;
	}
	req_reply_json(r, status, body);
}

void
api_reply_page(struct req *r, json_t *items, const char *next)
{
	json_t *o;

	if (items == NULL) {
		api_reply(r, 200, NULL);
		return;
	}
	o = json_pack("{s:o, s:o}", "items", items, "next_cursor",
	    next != NULL && next[0] != '\0' ? json_string(next) :
	    json_null());
	api_reply(r, 200, o);
}
