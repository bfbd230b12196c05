/*
 * Health endpoints for probes and scrapers (no token needed): liveness
 * (/healthz: the worker's event loop answers), readiness (/readyz: the
 * store answers and the signer answered recently, so state changes can
 * be audited and checkpointed) and the Prometheus metrics (/metrics).
 */
#include <stdio.h>

#include <event2/buffer.h>

#include "api.h"
#include "audit_hook.h"
#include "http.h"
#include "metrics_rec.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/audit.h"

void
api_healthz(struct req *r)
{
	req_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void
api_readyz(struct req *r)
{
	uint8_t head[VIGIL_AUDIT_HASH_LEN];
	char why[256];
	int64_t seq;
	enum vigil_err e;

	if ((e = vigil_audit_head(r->st, &seq, head)) != VIGIL_OK) {
		req_problem(r, 503, "not-ready", "store: %s",
		    vigil_store_errmsg(r->st)[0] != '\0' ?
		    vigil_store_errmsg(r->st) : vigil_strerror(e));
		return;
	}
	if (!audit_hook_signer_ok(r->w->ah, why, sizeof why)) {
		req_problem(r, 503, "not-ready", "%s", why);
		return;
	}
	req_reply_json(r, 200, json_pack("{s:s}", "status", "ready"));
}

void
api_metrics(struct req *r)
{
	struct metrics_extra x = { .have_audit = false };
	uint8_t head[VIGIL_AUDIT_HASH_LEN];
	struct vigil_buf b;
	struct evbuffer *eb;

	int64_t at;

	/* Read at scrape time: any worker may have appended or stored a
	 * checkpoint. */
	if (vigil_audit_head(r->st, &x.audit_chain_length, head) ==
	    VIGIL_OK) {
		x.have_audit = true;
		if (vigil_audit_checkpoint_last(r->st, &x.audit_checkpoint_seq,
		    &at) != VIGIL_OK)
			x.audit_checkpoint_seq =
			    audit_hook_checkpoint_seq(r->w->ah);
	}
	vigil_buf_init(&b, 16u << 20);
	if (metrics_render(r->w->metrics, &x, &b) != VIGIL_OK ||
	    (eb = evbuffer_new()) == NULL) {
		vigil_buf_free(&b);
		req_reply_err(r, VIGIL_ENOMEM, "rendering metrics");
		return;
	}
	evbuffer_add(eb, b.data != NULL ? b.data : "", b.len);
	vigil_buf_free(&b);
	http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", eb);
	evbuffer_free(eb);
}
