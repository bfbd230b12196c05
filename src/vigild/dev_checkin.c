/*
 * POST /device/v1/checkin on the device gateway: a device reports its
 * posture (posture.h check-in document) with its client certificate;
 * vigil stores it and answers with what it now thinks of the device
 * (risk, quarantine, the posture facts) and when to check in next.
 *
 * A quarantined device may still check in (gw_device_check_posture,
 * and zt.h's built-in quarantine rule allows device:Checkin): that is
 * how it proves it has been fixed. Unknown, revoked, held and retired
 * are refused. The decision goes through the decision service like
 * every other access, so a stored policy may explicitly deny check-in.
 *
 * Audit: every refusal is audited; an accepted check-in only when it
 * changed a material fact (firmware, boot state, integrity,
 * configuration hash, listening ports) or was the device's first. A
 * fleet checking in every few minutes would otherwise flood the audit
 * log with entries that say nothing new. "Material" is exactly what
 * moves the zero-trust generation (the device_posture triggers of
 * migration 9), so the audit, the epoch and the caches agree.
 *
 * After a material change the epoch is published to the parent (like
 * http.c's publish_epoch) so that the other workers and the broker
 * plugin's connections drop their cached decisions at once, and this
 * worker's own decision service is refreshed (the parent does not send
 * an epoch back to the worker that published it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "epoch.h"
#include "gw.h"
#include "ipc.h"
#include "log.h"
#include "net.h"
#include "net_worker.h"
#include "pdp_server.h"
#include "vigil/audit.h"
#include "vigil/policydb.h"
#include "vigil/posture.h"
#include "vigil/registry.h"
#include "vigil/store.h"
#include "vigil/zt.h"

#define ACTION "device.checkin"
#define NEXT_CHECKIN_MIN_S 60

static void
internal_error(struct gw_req *r, const char *what, const char *why)
{
	vlog(VLOG_ERROR, "gw.checkin", "request %s: %s: %s", r->request_id,
	    what, why);
	gw_error(r, 500, "internal error; the server log has the details "
	    "under request id %s", r->request_id);
}

/* Tells the parent (→ other workers, broker plugin connections) and
 * this worker's decision service that access may have changed. */
static void
publish_epoch(struct gw_req *r, const char *device_id)
{
	struct net_worker *w = r->w;
	int64_t seq = 0;

	/* The epoch is the audit sequence number of the change (ipc.h);
	 * the check-in was audited just before. */
	if (vigil_audit_head(w->st, &seq, NULL) != VIGIL_OK || seq <= 0) {
		vlog(VLOG_WARN, "gw.checkin", "request %s: no audit head to "
		    "publish as epoch: %s", r->request_id,
		    vigil_store_errmsg(w->st));
		seq = 0;
	}
	epoch_publish(w, seq, EPOCH_KIND_API_CHANGE, "device/%s", device_id);
	/* The parent fans out to the other workers, not back to this one. */
	pdp_server_epoch(w);
}

/* The decision device:Checkin on device:<id>; 0, or -1 after replying
 * (a deny is audited). */
static int
decide(struct gw_req *r, const struct vigil_device *dev, int64_t now_ms)
{
	struct vigil_zt_query q;
	struct vigil_zt_answer a;
	char resource[VIGIL_UUID_STRLEN + 8], actor[VIGIL_UUID_STRLEN + 8];
	char object[VIGIL_UUID_STRLEN + 8];

	if (r->w->zt == NULL) {
		gw_error(r, 503, "the decision service is not available; try "
		    "again later");
		return -1;
	}
	snprintf(resource, sizeof resource, "device:%s", dev->id);
	memset(&q, 0, sizeof q);
	q.action = "device:Checkin";
	q.resource = resource;
	q.cert_serial = r->peer_info.serial;
	q.tenant = dev->tenant_id;
	q.source_ip = r->ip;
	q.now_ms = now_ms;
	/* Fail closed: whatever the return value, the effect decides. */
	(void)vigil_zt_decide(r->w->zt, &q, &a);
	if (a.d.effect == VIGIL_EFFECT_ALLOW)
		return 0;
	snprintf(actor, sizeof actor, "device:%s", dev->id);
	snprintf(object, sizeof object, "device/%s", dev->id);
	gw_audit(r, dev->tenant_id, actor, ACTION, object, "denied",
	    a.d.reason);
	gw_error(r, 403, "%s", a.d.reason);
	return -1;
}

/* The reply body; NULL when out of memory. Takes posture. "epoch" is
 * the zero-trust generation after the check-in (what decisions about
 * the device are now made at), not the IPC epoch (an audit sequence
 * number). */
static char *
reply_text(const struct vigil_device *dev, json_t *posture, int64_t epoch,
    unsigned stale_s)
{
	json_t *risk = json_object_get(posture, "risk");
	unsigned next = stale_s / 4;
	char *text;
	json_t *doc;

	if (next < NEXT_CHECKIN_MIN_S)
		next = NEXT_CHECKIN_MIN_S;
	doc = json_pack("{s:s, s:b, s:I, s:I, s:I, s:o}",
	    "device", dev->id,
	    "quarantined", dev->state == VIGIL_DEV_QUARANTINED,
	    "risk", (json_int_t)(json_is_integer(risk) ?
	    json_integer_value(risk) : -1),
	    "epoch", (json_int_t)epoch,
	    "next_checkin_s", (json_int_t)next,
	    "posture", posture);
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return text;
}

/* Stores the check-in; *material set when it changed a fact. 0, or -1
 * after replying. */
static int
record(struct gw_req *r, const struct vigil_device *dev,
    const struct vigil_checkin *c, int64_t now_ms, bool *material,
    int64_t *gen, json_t **posture)
{
	struct vigil_store *st = r->w->st;
	int64_t before = 0;
	char err[512];

	*material = false;
	if (vigil_zt_generation(st, &before) != VIGIL_OK) {
		internal_error(r, "zero-trust generation",
		    vigil_store_errmsg(st));
		return -1;
	}
	if (vigil_posture_checkin(st, dev->tenant_id, dev->id, c, r->ip,
	    r->peer_info.serial, now_ms, r->w->cfg.posture_history_max,
	    posture, err, sizeof err) != VIGIL_OK) {
		internal_error(r, "recording the check-in", err);
		return -1;
	}
	if (vigil_zt_generation(st, gen) != VIGIL_OK) {
		internal_error(r, "zero-trust generation",
		    vigil_store_errmsg(st));
		return -1;
	}
	/* A first check-in inserts the posture row and a changed fact
	 * updates it: both move the generation (migration 9). Another
	 * writer moving it at the same time only costs an extra entry. */
	*material = *gen != before;
	return 0;
}

static void
audit_accepted(struct gw_req *r, const struct vigil_device *dev,
    const struct vigil_checkin *c, json_t *posture)
{
	char actor[VIGIL_UUID_STRLEN + 8], object[VIGIL_UUID_STRLEN + 8];
	char detail[256];

	snprintf(actor, sizeof actor, "device:%s", dev->id);
	snprintf(object, sizeof object, "device/%s", dev->id);
	snprintf(detail, sizeof detail, "posture changed: firmware %s, "
	    "%zu listening port(s), integrity %s, risk %" JSON_INTEGER_FORMAT
	    "%s", c->firmware[0] != '\0' ? c->firmware : "(not reported)",
	    c->nports, c->integrity[0] != '\0' ? c->integrity :
	    "(not reported)", json_integer_value(json_object_get(posture,
	    "risk")), dev->state == VIGIL_DEV_QUARANTINED ?
	    " (device is quarantined)" : "");
	gw_audit(r, dev->tenant_id, actor, ACTION, object, "ok", detail);
}

void
dev_checkin(struct gw_req *r)
{
	struct vigil_device *dev = NULL;
	struct vigil_checkin c;
	struct vigil_cert cert;
	json_t *posture = NULL;
	int64_t now_ms, gen = 0;
	bool material;
	char err[512], actor[VIGIL_UUID_STRLEN + 8];
	char object[VIGIL_UUID_STRLEN + 8], *text;

	memset(&c, 0, sizeof c);
	if (gw_device_check_posture(r, ACTION, &cert, &dev) != 0)
		return;
	if (r->body_len == 0 || vigil_checkin_parse((const char *)r->body,
	    r->body_len, &c, err, sizeof err) != VIGIL_OK) {
		if (r->body_len == 0)
			snprintf(err, sizeof err, "the body must be a "
			    "check-in document (a JSON object)");
		snprintf(actor, sizeof actor, "device:%s", dev->id);
		snprintf(object, sizeof object, "device/%s", dev->id);
		gw_audit(r, dev->tenant_id, actor, ACTION, object, "failed",
		    err);
		gw_error(r, 400, "check-in document: %s", err);
		goto out;
	}
	now_ms = vigil_time_now_ms();
	if (decide(r, dev, now_ms) != 0 ||
	    record(r, dev, &c, now_ms, &material, &gen, &posture) != 0)
		goto out;
	if (material) {
		audit_accepted(r, dev, &c, posture);
		publish_epoch(r, dev->id);
	}
	text = reply_text(dev, posture, gen, r->w->cfg.posture_stale_s);
	posture = NULL; /* taken */
	if (text == NULL) {
		gw_error(r, 500, "out of memory");
		goto out;
	}
	gw_reply(r, 200, "application/json", text, strlen(text));
	free(text);
out:
	json_decref(posture);
	vigil_checkin_clear(&c);
	vigil_device_free(dev);
	vigil_cert_clear(&cert);
}
