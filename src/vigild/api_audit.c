/*
 * API handlers for the audit log: a tenant's entries (scoped to the
 * resolved {tenant}), every entry (platform), and whole-chain
 * verification against the audit public key (platform). Reading the
 * log is not itself audited: it would grow the chain on every poll.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"

/* Outcomes the log holds (audit.h). */
static int
check_outcome(struct req *r, const char *o)
{
	if (o == NULL || strcmp(o, "ok") == 0 || strcmp(o, "denied") == 0 ||
	    strcmp(o, "failed") == 0 || strcmp(o, "error") == 0)
		return 0;
	aq_problem(r, "outcome", "expected one of ok, denied, failed, error");
	return -1;
}

static void
audit_page(struct req *r, const char *scope)
{
	struct vigil_audit_filter f;
	struct vigil_audit_list l;
	char next[32] = "";
	int64_t cursor;
	size_t limit;
	json_t *items;
	enum vigil_err e;

	memset(&f, 0, sizeof f);
	if (aq_int(r, "after", 0, INT64_MAX, 0, &f.after_seq) < 0 ||
	    aq_int(r, "cursor", 0, INT64_MAX, 0, &cursor) < 0 ||
	    aq_time(r, "since", &f.since_ms) < 0 ||
	    aq_time(r, "until", &f.until_ms) < 0 ||
	    aq_str(r, "principal", VIGIL_AUDIT_FIELD_MAX, &f.principal) < 0 ||
	    aq_str(r, "action", VIGIL_AUDIT_FIELD_MAX, &f.action) < 0 ||
	    aq_str(r, "outcome", 16, &f.outcome) < 0 ||
	    check_outcome(r, f.outcome) < 0 || req_limit(r, &limit) < 0)
		return;
	/* ?cursor= is the list convention; ?after= names the sequence. */
	if (cursor > f.after_seq)
		f.after_seq = cursor;
	if (f.since_ms != 0 && f.until_ms != 0 && f.until_ms < f.since_ms) {
		aq_problem(r, "until", "earlier than since");
		return;
	}
	f.limit = limit;
	memset(&l, 0, sizeof l);
	if ((e = vigil_audit_list(r->st, scope, &f, &l)) != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	items = json_array();
	for (size_t i = 0; items != NULL && i < l.n; i++)
		if (json_array_append_new(items,
		    vigil_audit_entry_to_json(&l.items[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	if (l.next_after > 0)
		snprintf(next, sizeof next, "%" PRId64, l.next_after);
	api_reply_page(r, items, next);
	vigil_audit_list_free(&l);
}

void
api_audit_list(struct req *r)
{
	audit_page(r, r->tenant.id);
}

void
api_audit_list_all(struct req *r)
{
	audit_page(r, NULL);
}

void
api_audit_verify(struct req *r)
{
	struct vigil_audit_verify_result res;
	uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN], keyid[VIGIL_AUDIT_KEYID_LEN];
	char err[512];
	enum vigil_err e;

	/* Loaded per call: verification is rare, and a rotated key file
	 * is picked up without a restart. */
	e = vigil_audit_pubkey_load(r->cfg->audit_pubkey, pub, keyid, err,
	    sizeof err);
	if (e != VIGIL_OK) {
		req_problem(r, 500, "audit-key-unavailable", "audit public "
		    "key: %s", err);
		return;
	}
	memset(&res, 0, sizeof res);
	e = vigil_audit_verify(r->st, pub, &res);
	if (e != VIGIL_OK && e != VIGIL_ETAMPER) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	/* A broken chain is a finding, not a failed request: 200 with
	 * ok false and the first bad sequence number. */
	api_reply(r, 200, json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:s}",
	    "ok", res.ok != 0, "entries", (json_int_t)res.entries,
	    "checkpoints", (json_int_t)res.checkpoints,
	    "last_seq", (json_int_t)res.last_seq,
	    "last_checkpoint_seq", (json_int_t)res.last_checkpoint_seq,
	    "first_bad_seq", (json_int_t)res.first_bad_seq,
	    "reason", res.reason));
}
