/*
 * coll_respond.c — the collector's automatic responses to alerts
 * (collector.h): the response policy ("kind=action,..."), the storm
 * guard, and the actions themselves (quarantine the device, revoke its
 * certificates), each audited and recorded on the alert.
 *
 * Choices worth knowing:
 * - Only a new alert triggers a response (the pipeline calls us once
 *   per alert id): a repeat firing of an open alert adds evidence, not
 *   another quarantine, so an operator's release is not undone by the
 *   next flow of the same scan.
 * - The storm guard counts automatic actions actually taken (not
 *   skipped ones) in a sliding one-minute window of wall-clock time.
 *   Beyond response_max_per_min the action is held: the alert records
 *   "held" and response.held is audited, so an operator decides. A
 *   detector misfiring across a fleet thus quarantines at most a few
 *   devices per minute instead of all of them.
 * - Revocation uses reason keyCompromise (RFC 5280 §5.3.1): a device
 *   that scans, beacons or talks to a listed address is presumed to be
 *   under someone else's control, and its key with it. That is also the
 *   reason relying parties treat most strictly; cessationOfOperation
 *   would say the device was retired on purpose, which is not what
 *   happened.
 * - Quarantine acts only on an active device; an already quarantined
 *   one is recorded "skipped" (nothing to do), other states likewise
 *   with the state named.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "log.h"
#include "vigil/alertdb.h"
#include "vigil/audit.h"
#include "vigil/pki.h"
#include "vigil/registry.h"
#include "vigil/store.h"

enum resp_action {
	RESP_NOTIFY = 0,
	RESP_QUARANTINE = 1,
	RESP_REVOKE = 2,
};

/* The window never needs more slots than the limit allows actions. */
#define RESP_WINDOW_MS 60000
#define RESP_MAX_PER_MIN_CAP 100000u

struct coll_respond {
	struct vigil_store *st;
	enum resp_action action[VIGIL_ALERT_KIND_COUNT];
	unsigned max_per_min;
	/* Ring of the times of the last max_per_min actions taken. */
	int64_t *ring;
	size_t nring, head, count;
	coll_epoch_fn epoch;
	void *epoch_ctx;
	uint64_t taken, held;   /* for coll_pipeline_stats */
};

static const char *
action_name(enum resp_action a)
{
	switch (a) {
	case RESP_QUARANTINE:
		return "quarantine";
	case RESP_REVOKE:
		return "revoke";
	case RESP_NOTIFY:
		break;
	}
	return "notify";
}

/* Trims spaces and tabs at both ends of [*s, *e). */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* Parses the response spec into act[]; err names the bad entry (its
 * position and text) and what is wrong with it. */
static int
parse_spec(const char *spec, enum resp_action act[VIGIL_ALERT_KIND_COUNT],
    char *err, size_t errsize)
{
	const char *p = spec != NULL ? spec : "";
	unsigned n = 0;

	for (size_t i = 0; i < VIGIL_ALERT_KIND_COUNT; i++)
		act[i] = RESP_NOTIFY;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		const char *s = p, *e, *eq;
		char kind[64], action[32];
		size_t kl, al;
		enum vigil_alert_kind k;

		if (end == NULL)
			end = p + strlen(p);
		e = end;
		n++;
		trim(&s, &e);
		if (s == e) {
			snprintf(err, errsize, "response entry %u is empty "
			    "(expected kind=action)", n);
			return -1;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL) {
			snprintf(err, errsize, "response entry %u '%.*s': "
			    "expected kind=action", n, (int)(e - s), s);
			return -1;
		}
		{
			const char *ks = s, *ke = eq, *as = eq + 1, *ae = e;

			trim(&ks, &ke);
			trim(&as, &ae);
			kl = (size_t)(ke - ks);
			al = (size_t)(ae - as);
			if (kl == 0 || kl >= sizeof kind || al == 0 ||
			    al >= sizeof action) {
				snprintf(err, errsize, "response entry %u "
				    "'%.*s': expected kind=action", n,
				    (int)(e - s), s);
				return -1;
			}
			memcpy(kind, ks, kl);
			kind[kl] = '\0';
			memcpy(action, as, al);
			action[al] = '\0';
		}
		k = vigil_alert_kind_from_name(kind);
		if (k <= VIGIL_ALERT_NONE || k >= VIGIL_ALERT_KIND_COUNT) {
			snprintf(err, errsize, "response entry %u: unknown "
			    "alert kind '%s' (e.g. scan.horizontal, beacon, "
			    "intel.match)", n, kind);
			return -1;
		}
		if (strcmp(action, "notify") == 0)
			act[k] = RESP_NOTIFY;
		else if (strcmp(action, "quarantine") == 0)
			act[k] = RESP_QUARANTINE;
		else if (strcmp(action, "revoke") == 0)
			act[k] = RESP_REVOKE;
		else {
			snprintf(err, errsize, "response entry %u (%s): "
			    "unknown action '%s' (notify, quarantine or "
			    "revoke)", n, kind, action);
			return -1;
		}
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0') {
			snprintf(err, errsize, "response entry %u is empty "
			    "(trailing comma)", n + 1);
			return -1;
		}
	}
	return 0;
}

struct coll_respond *
coll_respond_new(struct vigil_store *st, const char *spec,
    unsigned max_per_min, coll_epoch_fn epoch, void *epoch_ctx, char *err,
    size_t errsize)
{
	struct coll_respond *r;

	if (max_per_min > RESP_MAX_PER_MIN_CAP) {
		snprintf(err, errsize, "response_max_per_min %u is above %u",
		    max_per_min, RESP_MAX_PER_MIN_CAP);
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (parse_spec(spec, r->action, err, errsize) != 0) {
		free(r);
		return NULL;
	}
	r->st = st;
	r->max_per_min = max_per_min;
	r->nring = max_per_min;
	if (r->nring > 0 &&
	    (r->ring = calloc(r->nring, sizeof *r->ring)) == NULL) {
		free(r);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	r->epoch = epoch;
	r->epoch_ctx = epoch_ctx;
	return r;
}

void
coll_respond_free(struct coll_respond *r)
{
	if (r == NULL)
		return;
	free(r->ring);
	free(r);
}

/* Actions taken within the last minute before now (drops older ones
 * from the ring). */
static size_t
window_count(struct coll_respond *r, int64_t now_ms)
{
	while (r->count > 0) {
		size_t oldest = (r->head + r->nring - r->count) % r->nring;

		if (now_ms - r->ring[oldest] < RESP_WINDOW_MS)
			break;
		r->count--;
	}
	return r->count;
}

static bool
storm_allows(struct coll_respond *r, int64_t now_ms)
{
	if (r->nring == 0)
		return false;
	return window_count(r, now_ms) < r->max_per_min;
}

static void
storm_note(struct coll_respond *r, int64_t now_ms)
{
	if (r->nring == 0)
		return;
	r->ring[r->head] = now_ms;
	r->head = (r->head + 1) % r->nring;
	if (r->count < r->nring)
		r->count++;
}

/* Audits one response; the sequence number (0 when the append failed,
 * which is logged). */
static int64_t
audit(struct coll_respond *r, const struct vigil_alert *a, int64_t alert_id,
    const char *action, const char *outcome, const char *what)
{
	struct vigil_audit_event ev;
	char object[16 + VIGIL_UUID_STRLEN], detail[512];
	int64_t seq = 0;
	enum vigil_err e;

	snprintf(object, sizeof object, "device/%s", a->who.device_id);
	snprintf(detail, sizeof detail, "alert %" PRId64 " %s: %s%s%s",
	    alert_id, vigil_alert_kind_name(a->kind), a->summary,
	    what != NULL ? "; " : "", what != NULL ? what : "");
	memset(&ev, 0, sizeof ev);
	ev.principal = "collector";
	ev.tenant_id = a->who.tenant;
	ev.action = action;
	ev.object = object;
	ev.outcome = outcome;
	ev.detail = detail;
	if ((e = vigil_audit_append(r->st, &ev, &seq, NULL)) != VIGIL_OK) {
		vlog(VLOG_ERROR, "response.audit", "%s for alert %" PRId64
		    " not audited: %s: %s", action, alert_id,
		    vigil_strerror(e), vigil_store_errmsg(r->st));
		return 0;
	}
	return seq;
}

static void
record(struct coll_respond *r, int64_t alert_id, const char *action,
    const char *outcome, const char *detail, int64_t now_ms)
{
	char err[256];
	enum vigil_err e;

	e = vigil_alert_response(r->st, alert_id, action, outcome, detail,
	    now_ms, err, sizeof err);
	if (e != VIGIL_OK)
		vlog(VLOG_ERROR, "response.record", "alert %" PRId64
		    ": response %s not recorded: %s", alert_id, action, err);
}

static void
publish(struct coll_respond *r, int64_t seq, const char *device_id)
{
	char object[16 + VIGIL_UUID_STRLEN];

	if (r->epoch == NULL || seq <= 0)
		return;
	snprintf(object, sizeof object, "device/%s", device_id);
	r->epoch(r->epoch_ctx, seq, object);
}

static const char *
scope(const struct vigil_alert *a)
{
	return a->who.tenant[0] != '\0' ? a->who.tenant : NULL;
}

/* Whether the device is in a state quarantine applies to; otherwise
 * records why it was skipped. version gets the device's version. */
static bool
quarantine_applies(struct coll_respond *r, const struct vigil_alert *a,
    int64_t alert_id, int64_t now_ms, int64_t *version)
{
	struct vigil_device *d = NULL;
	char detail[256];
	enum vigil_err e;

	e = vigil_device_get(r->st, scope(a), a->who.device_id, &d);
	if (e != VIGIL_OK) {
		snprintf(detail, sizeof detail, "device %s: %s",
		    a->who.device_id, vigil_store_errmsg(r->st));
		record(r, alert_id, "quarantine", "failed", detail, now_ms);
		return false;
	}
	*version = d->version;
	if (d->state == VIGIL_DEV_ACTIVE) {
		vigil_device_free(d);
		return true;
	}
	snprintf(detail, sizeof detail, "device %s is %s%s", d->name,
	    vigil_device_state_name(d->state),
	    d->state == VIGIL_DEV_QUARANTINED ? " already" : ", not active");
	vigil_device_free(d);
	record(r, alert_id, "quarantine", "skipped", detail, now_ms);
	return false;
}

static bool
do_quarantine(struct coll_respond *r, const struct vigil_alert *a,
    int64_t alert_id, int64_t version, int64_t now_ms)
{
	char reason[160], detail[512];
	int64_t seq;
	enum vigil_err e;

	snprintf(reason, sizeof reason, "automatic response to alert %"
	    PRId64 " (%s)", alert_id, vigil_alert_kind_name(a->kind));
	e = vigil_device_set_state(r->st, scope(a), a->who.device_id,
	    VIGIL_DEV_QUARANTINED, version, "collector", reason, NULL);
	if (e != VIGIL_OK) {
		snprintf(detail, sizeof detail, "%s: %s", vigil_strerror(e),
		    vigil_store_errmsg(r->st));
		audit(r, a, alert_id, "response.quarantine", "failed",
		    detail);
		record(r, alert_id, "quarantine", "failed", detail, now_ms);
		vlog(VLOG_ERROR, "response.quarantine", "device %s, alert %"
		    PRId64 ": %s", a->who.device_id, alert_id, detail);
		return false;
	}
	seq = audit(r, a, alert_id, "response.quarantine", "ok", NULL);
	record(r, alert_id, "quarantine", "ok", reason, now_ms);
	publish(r, seq, a->who.device_id);
	vlog(VLOG_WARN, "response.quarantine", "device %s quarantined: %s",
	    a->who.device_id, reason);
	return true;
}

static bool
do_revoke(struct coll_respond *r, const struct vigil_alert *a,
    int64_t alert_id, int64_t now_ms)
{
	char detail[512];
	size_t n = 0;
	int64_t seq;
	enum vigil_err e;

	e = vigil_cert_revoke_device(r->st, scope(a), a->who.device_id,
	    VIGIL_REASON_KEY_COMPROMISE, now_ms, &n);
	if (e != VIGIL_OK) {
		snprintf(detail, sizeof detail, "%s: %s", vigil_strerror(e),
		    vigil_store_errmsg(r->st));
		audit(r, a, alert_id, "response.revoke", "failed", detail);
		record(r, alert_id, "revoke", "failed", detail, now_ms);
		vlog(VLOG_ERROR, "response.revoke", "device %s, alert %"
		    PRId64 ": %s", a->who.device_id, alert_id, detail);
		return false;
	}
	if (n == 0) {
		record(r, alert_id, "revoke", "skipped",
		    "the device has no good certificate", now_ms);
		return false;
	}
	snprintf(detail, sizeof detail, "%zu certificate%s revoked "
	    "(keyCompromise)", n, n == 1 ? "" : "s");
	seq = audit(r, a, alert_id, "response.revoke", "ok", detail);
	record(r, alert_id, "revoke", "ok", detail, now_ms);
	publish(r, seq, a->who.device_id);
	vlog(VLOG_WARN, "response.revoke", "device %s: %s (alert %" PRId64
	    ")", a->who.device_id, detail, alert_id);
	return true;
}

void
coll_respond_counts(const struct coll_respond *r, uint64_t *taken,
    uint64_t *held)
{
	*taken = r != NULL ? r->taken : 0;
	*held = r != NULL ? r->held : 0;
}

void
coll_respond_alert(struct coll_respond *r, const struct vigil_alert *a,
    int64_t alert_id, int64_t now_ms)
{
	enum resp_action act;
	int64_t version = 0;
	char detail[256];

	if (r == NULL || a == NULL || a->kind <= VIGIL_ALERT_NONE ||
	    a->kind >= VIGIL_ALERT_KIND_COUNT)
		return;
	act = r->action[a->kind];
	/* Notify is what the outputs already did. */
	if (act == RESP_NOTIFY)
		return;
	if (!a->who.device || a->who.device_id[0] == '\0') {
		record(r, alert_id, action_name(act), "skipped",
		    "the address is not attributed to a device", now_ms);
		return;
	}
	if (act == RESP_QUARANTINE &&
	    !quarantine_applies(r, a, alert_id, now_ms, &version))
		return;
	if (!storm_allows(r, now_ms)) {
		if (r->max_per_min == 0)
			snprintf(detail, sizeof detail, "storm guard: "
			    "response_max_per_min=0 holds every automatic "
			    "action; %s awaits an operator",
			    action_name(act));
		else
			snprintf(detail, sizeof detail, "storm guard: %zu "
			    "automatic action%s in the last minute "
			    "(response_max_per_min=%u); %s awaits an "
			    "operator", r->count, r->count == 1 ? "" : "s",
			    r->max_per_min, action_name(act));
		audit(r, a, alert_id, "response.held", "ok", detail);
		record(r, alert_id, "held", "held", detail, now_ms);
		r->held++;
		vlog(VLOG_WARN, "response.held", "device %s, alert %" PRId64
		    ": %s", a->who.device_id, alert_id, detail);
		return;
	}
	if (act == RESP_QUARANTINE) {
		if (do_quarantine(r, a, alert_id, version, now_ms)) {
			storm_note(r, now_ms);
			r->taken++;
		}
	} else if (act == RESP_REVOKE) {
		if (do_revoke(r, a, alert_id, now_ms)) {
			storm_note(r, now_ms);
			r->taken++;
		}
	}
}
