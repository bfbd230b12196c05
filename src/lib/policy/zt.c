/*
 * The zero-trust decision service (zt.h): the handle, the refresh that
 * follows the zero-trust generation, and the decision itself: identity
 * (certificate or device), the built-in retired/quarantine/baseline
 * rules, the context filled from the cached device facts, then the
 * device's compiled policy set. A decision on a cached device reads no
 * store and allocates nothing (unless the caller passes more context
 * overrides than fit on the stack).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"
#include "zt_internal.h"

#define QUAR_ALLOW_SID "check-in-and-updates"
#define QUAR_DENY_SID "everything-else"
#define BASE_SID "own-check-in-and-updates"

enum vigil_err
vigil_zt_new(struct vigil_store *st, const struct vigil_zt_config *cfg,
    struct vigil_zt **out)
{
	struct vigil_zt *zt;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if (st == NULL)
		return VIGIL_EINVAL;
	zt = calloc(1, sizeof *zt);
	if (zt == NULL)
		return VIGIL_ENOMEM;
	zt->st = st;
	zt->stale_s = cfg != NULL && cfg->stale_s > 0 ? cfg->stale_s :
	    ZT_DEFAULT_STALE_S;
	zt->allow_sample = cfg != NULL ? cfg->allow_sample : 0;
	zt->max_devices = cfg != NULL && cfg->max_devices > 0 ?
	    cfg->max_devices : ZT_DEFAULT_MAX_DEVICES;
	*out = zt;
	return VIGIL_OK;
}

void
vigil_zt_free(struct vigil_zt *zt)
{
	if (zt == NULL)
		return;
	zt_cache_free(zt);
	zt_sets_clear(zt);
	vigil_policydb_entries_free(zt->ent, zt->nent);
	free(zt);
}

/*
 * When every change since the loaded generation concerns one device
 * (a check-in, a label, a state change), only those devices' cached
 * facts go: the policies, the compiled sets and every other device's
 * facts stay valid. 1 done, 0 when a full reload is needed.
 */
static int
forget_changed(struct vigil_zt *zt, int64_t gen)
{
	char (*ids)[VIGIL_UUID_STRLEN] = NULL;
	size_t n = 0;

	if (vigil_zt_changes(zt->st, zt->epoch, gen, ZT_CHANGES_MAX, &ids,
	    &n) != 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		zt_dev_forget(zt, ids[i]);
	free(ids);
	zt->epoch = gen;
	zt->stats.partial_reloads++;
	return 1;
}

int
vigil_zt_refresh(struct vigil_zt *zt, bool force)
{
	struct vigil_policydb_entry *ent = NULL;
	struct zt_tenant *ten = NULL;
	size_t n = 0, skipped = 0, nten = 0;
	int64_t gen = 0;
	char err[256] = "";
	enum vigil_err rc;

	if (zt == NULL)
		return -VIGIL_EINVAL;
	/* The generation first: a change made while loading moves it past
	 * what we record, so the next refresh loads again. */
	rc = vigil_zt_generation(zt->st, &gen);
	if (rc != VIGIL_OK) {
		snprintf(zt->err, sizeof zt->err,
		    "reading the zero-trust generation: %s",
		    vigil_strerror(rc));
		return -(int)rc;
	}
	if (!force && zt->epoch != 0 && gen == zt->epoch)
		return 0;
	if (!force && zt->epoch != 0 && gen > zt->epoch &&
	    forget_changed(zt, gen) == 1)
		return 1;
	rc = vigil_policydb_load(zt->st, NULL, &ent, &n, &skipped, err,
	    sizeof err);
	if (rc != VIGIL_OK) {
		snprintf(zt->err, sizeof zt->err, "loading policies: %s",
		    err[0] != '\0' ? err : vigil_strerror(rc));
		return -(int)rc;
	}
	/* Built aside: on failure the old state keeps deciding. */
	rc = zt_sets_index(ent, n, &ten, &nten);
	if (rc != VIGIL_OK) {
		vigil_policydb_entries_free(ent, n);
		snprintf(zt->err, sizeof zt->err, "indexing policies: %s",
		    vigil_strerror(rc));
		return -(int)rc;
	}
	zt_cache_clear(zt);
	zt_sets_clear(zt);
	vigil_policydb_entries_free(zt->ent, zt->nent);
	zt->ent = ent;
	zt->nent = n;
	zt->ten = ten;
	zt->nten = nten;
	zt->epoch = gen;
	zt->stats.reloads++;
	if (skipped > 0)
		snprintf(zt->err, sizeof zt->err, "%zu stored policies "
		    "skipped: %s", skipped, err);
	else
		zt->err[0] = '\0';
	return 1;
}

int64_t
vigil_zt_epoch(const struct vigil_zt *zt)
{
	return zt != NULL ? zt->epoch : 0;
}

const char *
vigil_zt_errmsg(const struct vigil_zt *zt)
{
	return zt != NULL ? zt->err : "no decision service";
}

void
vigil_zt_stats(const struct vigil_zt *zt, struct vigil_zt_stats *out)
{
	if (out == NULL)
		return;
	if (zt == NULL)
		memset(out, 0, sizeof *out);
	else
		*out = zt->stats;
}

void
zt_trace_clear(struct zt_trace *t)
{
	if (t->ctx != NULL && t->ctx != t->stack)
		free(t->ctx);
	t->ctx = NULL;
	t->nctx = 0;
}

static const char *
ctx_override(const struct vigil_zt_query *q, const char *key)
{
	for (size_t i = 0; i < q->nctx; i++)
		if (q->ctx[i].key != NULL && q->ctx[i].value != NULL &&
		    strcmp(q->ctx[i].key, key) == 0)
			return q->ctx[i].value;
	return NULL;
}

/* Appends key = value unless the caller overrides key (the overrides
 * are already in, first). */
static void
ctx_put(struct zt_trace *t, const struct vigil_zt_query *q, const char *key,
    const char *value)
{
	if (value == NULL || ctx_override(q, key) != NULL)
		return;
	t->ctx[t->nctx].key = key;
	t->ctx[t->nctx].value = value;
	t->nctx++;
}

/* The context: the caller's overrides, then what the service knows. */
static enum vigil_err
ctx_fill(struct zt_trace *t, const struct vigil_zt_query *q,
    const struct zt_dev *e)
{
	size_t need = q->nctx + 9;

	t->ctx = t->stack;
	if (need > ZT_CTX_STACK) {
		t->ctx = calloc(need, sizeof *t->ctx);
		if (t->ctx == NULL)
			return VIGIL_ENOMEM;
	}
	t->nctx = 0;
	for (size_t i = 0; i < q->nctx; i++)
		if (q->ctx[i].key != NULL && q->ctx[i].value != NULL)
			t->ctx[t->nctx++] = q->ctx[i];
	ctx_put(t, q, VIGIL_KEY_QUARANTINED,
	    e->state == VIGIL_DEV_QUARANTINED ? "true" : "false");
	if (e->firmware_current >= 0)
		ctx_put(t, q, VIGIL_KEY_FIRMWARE_CURRENT,
		    e->firmware_current ? "true" : "false");
	ctx_put(t, q, VIGIL_KEY_RISK_SCORE, e->risk_s);
	if (e->age_s[0] != '\0')
		ctx_put(t, q, VIGIL_KEY_CERT_AGE_DAYS, e->age_s);
	if (e->checkin_ms > 0) {
		int64_t s = (t->now_ms - e->checkin_ms) / 1000;

		snprintf(t->last_s, sizeof t->last_s, "%lld",
		    (long long)(s < 0 ? 0 : s));
		ctx_put(t, q, VIGIL_KEY_LAST_CHECKIN_S, t->last_s);
	}
	ctx_put(t, q, VIGIL_KEY_SOURCE_IP, q->source_ip);
	ctx_put(t, q, VIGIL_KEY_COUNTRY, q->country);
	if (t->want_time) {
		vigil_time_format(t->now_ms, t->time_s);
		ctx_put(t, q, VIGIL_KEY_TIME, t->time_s);
	}
	return VIGIL_OK;
}

static void deny(struct vigil_zt_answer *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
deny(struct vigil_zt_answer *out, const char *fmt, ...)
{
	va_list ap;

	out->d.effect = VIGIL_EFFECT_DENY;
	out->d.policy = "";
	out->d.statement = -1;
	out->d.sid = "";
	va_start(ap, fmt);
	vsnprintf(out->d.reason, sizeof out->d.reason, fmt, ap);
	va_end(ap);
}

static void
builtin(struct vigil_zt_answer *out, enum vigil_effect eff,
    const char *policy, int statement, const char *sid, const char *reason)
{
	out->d.effect = eff;
	out->d.policy = policy;
	out->d.statement = statement;
	out->d.sid = sid;
	snprintf(out->d.reason, sizeof out->d.reason, "%s", reason);
}

/* 1 when the request is the device's own check-in or update. */
static int
own_gateway(const struct vigil_zt_query *q, const char *id)
{
	if (strcmp(q->action, "device:Checkin") != 0 &&
	    strcmp(q->action, "device:GetUpdate") != 0)
		return 0;
	return strncmp(q->resource, "device:", 7) == 0 &&
	    strcmp(q->resource + 7, id) == 0;
}

/* Identity by certificate: the device it names, or a deny. 1 when the
 * identity holds (tenant, ref and serial set), 0 denied cleanly, else
 * the negated error. */
static int
cert_identity(struct vigil_zt *zt, const struct vigil_zt_query *q,
    struct vigil_zt_answer *out, struct zt_trace *t, int64_t now_s)
{
	const struct zt_cert *c = NULL;
	enum vigil_err rc;

	rc = zt_cert_get(zt, q->cert_serial, &c, out->d.reason,
	    sizeof out->d.reason);
	if (rc == VIGIL_OK && q->tenant != NULL &&
	    strcmp(q->tenant, c->tenant_id) != 0) {
		/* Another tenant's certificate is unknown here. */
		snprintf(out->d.reason, sizeof out->d.reason,
		    "certificate %s is unknown to vigil", q->cert_serial);
		rc = VIGIL_ENOTFOUND;
	}
	if (rc != VIGIL_OK) {
		snprintf(t->identity, sizeof t->identity, "%s",
		    out->d.reason);
		return -(int)rc;
	}
	t->cert = c;
	if (c->status == VIGIL_CERT_REVOKED)
		deny(out, "certificate %s is revoked", q->cert_serial);
	else if (c->status == VIGIL_CERT_HOLD)
		deny(out, "certificate %s is on hold", q->cert_serial);
	else if (c->status != VIGIL_CERT_GOOD)
		deny(out, "certificate %s is not valid", q->cert_serial);
	else if (c->not_after < now_s)
		deny(out, "certificate %s is expired", q->cert_serial);
	else if (c->profile != VIGIL_PROFILE_DEVICE ||
	    c->device_id[0] == '\0')
		deny(out, "certificate %s is not a device certificate",
		    q->cert_serial);
	else
		return 1;
	snprintf(t->identity, sizeof t->identity, "%s", out->d.reason);
	return 0;
}

static enum vigil_err
decide(struct vigil_zt *zt, const struct vigil_zt_query *q,
    struct vigil_zt_answer *out, struct zt_trace *t)
{
	const struct zt_dev *e = NULL;
	const char *tenant, *ref, *serial = "", *tov;
	struct vigil_pdp_request rq;
	enum vigil_err rc;
	int r;

	if (zt->epoch == 0 && (r = vigil_zt_refresh(zt, false)) < 0) {
		deny(out, "policies unavailable (%s)", zt->err);
		return (enum vigil_err)-r;
	}
	out->epoch = zt->epoch;
	if (q == NULL || q->action == NULL || q->resource == NULL) {
		deny(out, "invalid query: no action or resource");
		return VIGIL_EINVAL;
	}
	t->now_ms = q->now_ms != 0 ? q->now_ms : vigil_time_now_ms();
	if (q->cert_serial != NULL && q->cert_serial[0] != '\0') {
		r = cert_identity(zt, q, out, t, t->now_ms / 1000);
		if (r <= 0)
			return r == 0 ? VIGIL_OK : (enum vigil_err)-r;
		tenant = t->cert->tenant_id;
		ref = t->cert->device_id;
		serial = t->cert->serial;
	} else if (q->device != NULL && q->device[0] != '\0') {
		if (q->tenant == NULL || q->tenant[0] == '\0') {
			deny(out, "invalid query: device %s without a tenant",
			    q->device);
			return VIGIL_EINVAL;
		}
		tenant = q->tenant;
		ref = q->device;
	} else {
		deny(out, "invalid query: no certificate and no device");
		return VIGIL_EINVAL;
	}
	rc = zt_dev_get(zt, tenant, ref, serial, t->now_ms, &e, out->d.reason,
	    sizeof out->d.reason);
	if (rc != VIGIL_OK) {
		snprintf(t->identity, sizeof t->identity, "%s",
		    out->d.reason);
		return rc;
	}
	t->dev = e;
	memcpy(out->tenant, e->tenant, sizeof out->tenant);
	memcpy(out->device_id, e->id, sizeof out->device_id);
	snprintf(out->device_name, sizeof out->device_name, "%s", e->name);
	if (t->cert != NULL)
		snprintf(t->identity, sizeof t->identity,
		    "certificate %s of device %s", serial, e->name);
	else
		snprintf(t->identity, sizeof t->identity, "device %s",
		    e->name);
	if (e->state == VIGIL_DEV_RETIRED) {
		deny(out, "device %s is retired", e->name);
		return VIGIL_OK;
	}
	out->identity_ok = true;
	out->quarantined = e->state == VIGIL_DEV_QUARANTINED;
	out->risk = e->risk;
	/* Quarantine follows the stored state only: an override of
	 * vigil:Quarantined changes what conditions read, never this. */
	if (out->quarantined) {
		if (own_gateway(q, e->id))
			builtin(out, VIGIL_EFFECT_ALLOW,
			    VIGIL_POLICY_QUARANTINE_NAME, 0, QUAR_ALLOW_SID,
			    "allowed by the built-in vigil-quarantine policy "
			    "(device is quarantined: check-in and updates "
			    "only)");
		else {
			builtin(out, VIGIL_EFFECT_DENY,
			    VIGIL_POLICY_QUARANTINE_NAME, 1, QUAR_DENY_SID,
			    "");
			snprintf(out->d.reason, sizeof out->d.reason,
			    "denied by the built-in vigil-quarantine policy: "
			    "device %s is quarantined (only check-in and "
			    "updates are allowed)", e->name);
		}
		if (t->want_time) /* explain shows the context anyway */
			return ctx_fill(t, q, e);
		return VIGIL_OK;
	}
	rc = ctx_fill(t, q, e);
	if (rc != VIGIL_OK) {
		deny(out, "out of memory (default deny)");
		return rc;
	}
	memset(&rq, 0, sizeof rq);
	rq.action = q->action;
	rq.resource = q->resource;
	rq.device_id = e->id;
	rq.tenant = e->tenant;
	rq.model = e->model[0] != '\0' ? e->model : NULL;
	rq.cert_urn = t->cert != NULL && t->cert->urn[0] != '\0' ?
	    t->cert->urn : e->cert_urn;
	rq.client_id = q->client_id;
	rq.nlabels = e->nlabels;
	rq.labels = e->labels;
	rq.nctx = t->nctx;
	rq.ctx = t->ctx;
	rq.now_ms = t->now_ms;
	tov = ctx_override(q, VIGIL_KEY_TIME);
	if (tov != NULL && !policy_read_date(tov, &rq.now_ms)) {
		deny(out, "invalid query: %s '%s' is not a date",
		    VIGIL_KEY_TIME, tov);
		return VIGIL_EINVAL;
	}
	rc = vigil_pdp_decide(e->set->pdp, &rq, &out->d);
	if (rc != VIGIL_OK)
		return rc; /* a deny with the reason */
	if (own_gateway(q, e->id) && !(out->d.effect == VIGIL_EFFECT_DENY &&
	    out->d.statement >= 0))
		builtin(out, VIGIL_EFFECT_ALLOW, ZT_BASELINE_NAME, 0,
		    BASE_SID, "allowed by the built-in device baseline");
	return VIGIL_OK;
}

enum vigil_err
zt_decide_trace(struct vigil_zt *zt, const struct vigil_zt_query *q,
    struct vigil_zt_answer *out, struct zt_trace *t)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	out->d.effect = VIGIL_EFFECT_DENY;
	out->d.policy = "";
	out->d.statement = -1;
	out->d.sid = "";
	out->risk = -1;
	if (zt == NULL) {
		snprintf(out->d.reason, sizeof out->d.reason,
		    "no decision service (default deny)");
		return VIGIL_EINVAL;
	}
	rc = decide(zt, q, out, t);
	if (rc != VIGIL_OK || out->d.effect != VIGIL_EFFECT_ALLOW)
		out->d.effect = VIGIL_EFFECT_DENY; /* fail closed */
	if (!out->identity_ok) {
		out->risk = -1;
		out->quarantined = false;
	}
	zt->stats.decisions++;
	if (out->d.effect == VIGIL_EFFECT_ALLOW) {
		zt->stats.allows++;
		out->log = zt->allow_sample > 0 &&
		    ++zt->allow_seq % zt->allow_sample == 0;
	} else {
		zt->stats.denies++;
		out->log = true;
	}
	return rc;
}

enum vigil_err
vigil_zt_decide(struct vigil_zt *zt, const struct vigil_zt_query *q,
    struct vigil_zt_answer *out)
{
	struct zt_trace t;
	enum vigil_err rc;

	if (out == NULL)
		return VIGIL_EINVAL;
	t.dev = NULL;
	t.cert = NULL;
	t.ctx = NULL;
	t.nctx = 0;
	t.identity[0] = '\0';
	t.want_time = false;
	rc = zt_decide_trace(zt, q, out, &t);
	zt_trace_clear(&t);
	return rc;
}
