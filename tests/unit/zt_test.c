/*
 * The zero-trust decision service (zt.h) against a real store: tenant,
 * model, label and device attachments, deny over allow, the built-in
 * retired/quarantine/baseline rules, context from posture and caller
 * overrides, certificate identity, refresh on the generation, caches
 * and the explain JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/pki.h"
#include "vigil/policydb.h"
#include "vigil/posture.h"
#include "vigil/vigil.h"
#include "vigil/zt.h"

#define ACTOR "local:test"
#define DAY_S 86400

struct fx {
	struct vigil_store *st;
	struct vigil_zt *zt;
	char ta[VIGIL_UUID_STRLEN], tb[VIGIL_UUID_STRLEN];
	char cam1[VIGIL_UUID_STRLEN], cam2[VIGIL_UUID_STRLEN];
	char meter[VIGIL_UUID_STRLEN], other[VIGIL_UUID_STRLEN];
	struct vigil_ca root, issuing;
};

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static void
device(struct fx *fx, const char *tenant, const char *name,
    const char *model, const char *site, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_label_spec l = {"site", site};
	struct vigil_device *d = NULL;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	if (site != NULL) {
		spec.nlabels = 1;
		spec.labels = &l;
	}
	assert_int_equal(vigil_device_add(fx->st, tenant, &spec, ACTOR, &d),
	    VIGIL_OK);
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

static void
ca_init(struct vigil_ca *ca, const char *label, enum vigil_ca_role role)
{
	memset(ca, 0, sizeof *ca);
	snprintf(ca->label, sizeof ca->label, "%s", label);
	ca->role = role;
	ca->alg = VIGIL_PKI_P256;
	snprintf(ca->subject, sizeof ca->subject, "CN=%s", label);
	ca->not_before = 1700000000;
	ca->not_after = 1700000000 + 3650LL * DAY_S;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_tenant t;
	char err[512];

	if (fx == NULL || vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err) != VIGIL_OK)
		return -1;
	if (vigil_admin_tenant_create(fx->st, "acme", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->ta, t.id, sizeof fx->ta);
	if (vigil_admin_tenant_create(fx->st, "globex", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->tb, t.id, sizeof fx->tb);
	device(fx, fx->ta, "cam-1", "cam", "berlin", fx->cam1);
	device(fx, fx->ta, "cam-2", "cam", "paris", fx->cam2);
	device(fx, fx->ta, "meter-1", "meter", NULL, fx->meter);
	device(fx, fx->tb, "cam-9", "cam", "berlin", fx->other);
	ca_init(&fx->root, "root", VIGIL_CA_ROOT);
	if (vigil_ca_add(fx->st, &fx->root) != VIGIL_OK)
		return -1;
	ca_init(&fx->issuing, "issuing", VIGIL_CA_ISSUING);
	memcpy(fx->issuing.parent_id, fx->root.id, VIGIL_UUID_STRLEN);
	if (vigil_ca_add(fx->st, &fx->issuing) != VIGIL_OK)
		return -1;
	if (vigil_zt_new(fx->st, NULL, &fx->zt) != VIGIL_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_zt_free(fx->zt);
	vigil_store_close(fx->st);
	free(fx);
	return 0;
}

static void
put(struct fx *fx, const char *tenant, const char *name, const char *doc)
{
	char err[512] = "";
	json_t *o = NULL;
	enum vigil_err rc;

	rc = vigil_policydb_put(fx->st, tenant, name, doc, strlen(doc), NULL, 0,
	    ACTOR, NULL, &o, err, sizeof err);
	if (rc != VIGIL_OK)
		printf("#   put %s: %s\n", name, err);
	assert_int_equal(rc, VIGIL_OK);
	json_decref(o);
}

static void
attach(struct fx *fx, const char *tenant, const char *name,
    enum vigil_attach_kind kind, const char *target)
{
	char err[512] = "";
	enum vigil_err rc;

	rc = vigil_policydb_attach(fx->st, tenant, name, kind, target, ACTOR,
	    NULL, err, sizeof err);
	if (rc != VIGIL_OK)
		printf("#   attach %s: %s\n", name, err);
	assert_int_equal(rc, VIGIL_OK);
}

static void
set_state(struct fx *fx, const char *dev, enum vigil_device_state to)
{
	assert_int_equal(vigil_device_set_state(fx->st, fx->ta, dev, to, 0,
	    ACTOR, "test", NULL), VIGIL_OK);
}

/* Refreshes (as the daemon does when the generation moves), then
 * decides as device dev of tenant acme. */
static enum vigil_err
ask(struct fx *fx, const char *dev, const char *action, const char *res,
    struct vigil_zt_answer *a)
{
	struct vigil_zt_query q;
	enum vigil_err rc;

	assert_true(vigil_zt_refresh(fx->zt, false) >= 0);
	memset(&q, 0, sizeof q);
	q.action = action;
	q.resource = res;
	q.device = dev;
	q.tenant = fx->ta;
	rc = vigil_zt_decide(fx->zt, &q, a);
	printf("#   %s %s on %s: %s (%s)\n", dev, action, res,
	    a->d.effect == VIGIL_EFFECT_ALLOW ? "ALLOW" : "DENY",
	    a->d.reason);
	return rc;
}

static int
allowed(struct fx *fx, const char *dev, const char *action,
    const char *res)
{
	struct vigil_zt_answer a;

	assert_int_equal(ask(fx, dev, action, res, &a), VIGIL_OK);
	return a.d.effect == VIGIL_EFFECT_ALLOW;
}

static const char *
topic(char buf[128], const char *dev, const char *rest)
{
	snprintf(buf, 128, "topic:dev/%s/%s", dev, rest);
	return buf;
}

static const char *
own(char buf[128], const char *dev)
{
	snprintf(buf, 128, "device:%s", dev);
	return buf;
}

#define OWN_TOPICS \
	"{\"Version\":\"2026-11-01\",\"Statement\":[{\"Sid\":\"own\"," \
	"\"Effect\":\"Allow\",\"Action\":\"mqtt:Publish\"," \
	"\"Resource\":\"topic:dev/${device.id}/#\"}]}"
#define ALLOW_ALL \
	"{\"Version\":\"2026-11-01\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define ALLOW_TOPIC(t) \
	"{\"Version\":\"2026-11-01\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Action\":\"mqtt:Publish\",\"Resource\":\"topic:" t "\"}]}"

/* ---- tests ---------------------------------------------------------- */

static void
default_deny_without_policies(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	char b[128];

	say("no policy attached: publishing is denied by default");
	assert_int_equal(ask(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "t"), &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_non_null(strstr(a.d.reason, "default deny"));
	assert_int_equal(a.d.statement, -1);
	assert_string_equal(a.d.policy, "");
	assert_true(a.identity_ok);
	assert_true(a.risk >= 0 && a.risk <= 100);
	assert_string_equal(a.device_id, fx->cam1);
	assert_string_equal(a.device_name, "cam-1");
	assert_string_equal(a.tenant, fx->ta);
	assert_true(a.epoch >= 1);
	assert_true(a.log);
}

static void
tenant_policy_allows_own_topic_only(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	char b[128];

	put(fx, fx->ta, "own", OWN_TOPICS);
	attach(fx, fx->ta, "own", VIGIL_ATTACH_TENANT, "");
	say("a tenant policy with ${device.id} lets cam-1 publish on its "
	    "own topics");
	assert_int_equal(ask(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "telemetry"), &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(a.d.reason, "allowed by own[0] (own)");
	assert_string_equal(a.d.policy, "own");
	say("... and not on cam-2's");
	assert_false(allowed(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam2, "telemetry")));
	say("... the device may be named by its name too");
	assert_true(allowed(fx, "cam-1", "mqtt:Publish",
	    topic(b, fx->cam1, "x")));
	say("the other tenant's policies do not apply to globex devices");
	{
		struct vigil_zt_query q;

		memset(&q, 0, sizeof q);
		q.action = "mqtt:Publish";
		q.resource = topic(b, fx->other, "t");
		q.device = fx->other;
		q.tenant = fx->tb;
		assert_int_equal(vigil_zt_decide(fx->zt, &q, &a), VIGIL_OK);
		assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
		say("an acme device asked for in globex is not found");
		q.device = fx->cam1;
		assert_int_equal(vigil_zt_decide(fx->zt, &q, &a),
		    VIGIL_ENOTFOUND);
		assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
		assert_false(a.identity_ok);
		assert_int_equal(a.risk, -1);
	}
}

static void
model_label_device_attachments(void **state)
{
	struct fx *fx = *state;

	put(fx, fx->ta, "cams", ALLOW_TOPIC("cams/#"));
	attach(fx, fx->ta, "cams", VIGIL_ATTACH_MODEL, "cam");
	put(fx, fx->ta, "berlin", ALLOW_TOPIC("berlin/#"));
	attach(fx, fx->ta, "berlin", VIGIL_ATTACH_LABEL, "site=berlin");
	put(fx, fx->ta, "just-cam2", ALLOW_TOPIC("cam2/#"));
	attach(fx, fx->ta, "just-cam2", VIGIL_ATTACH_DEVICE, "cam-2");
	say("a model attachment applies to that model only");
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish", "topic:cams/a"));
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish", "topic:cams/a"));
	assert_false(allowed(fx, fx->meter, "mqtt:Publish", "topic:cams/a"));
	say("a label selector applies to devices with that label");
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish", "topic:berlin/a"));
	assert_false(allowed(fx, fx->cam2, "mqtt:Publish", "topic:berlin/a"));
	assert_false(allowed(fx, fx->meter, "mqtt:Publish",
	    "topic:berlin/a"));
	say("a device attachment applies to that device only");
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish", "topic:cam2/a"));
	assert_false(allowed(fx, fx->cam1, "mqtt:Publish", "topic:cam2/a"));
	say("a label change moves the device to another set");
	{
		struct vigil_device_update u;
		struct vigil_label_spec l = {"site", "berlin"};

		memset(&u, 0, sizeof u);
		u.nlabels_set = 1;
		u.labels_set = &l;
		assert_int_equal(vigil_device_update(fx->st, fx->ta, fx->cam2,
		    &u, ACTOR, "moved", NULL), VIGIL_OK);
		assert_true(allowed(fx, fx->cam2, "mqtt:Publish",
		    "topic:berlin/a"));
	}
}

static void
deny_overrides_allow(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;

	put(fx, fx->ta, "all", ALLOW_ALL);
	attach(fx, fx->ta, "all", VIGIL_ATTACH_TENANT, "");
	put(fx, fx->ta, "no-secrets", "{\"Version\":\"2026-11-01\","
	    "\"Statement\":[{\"Sid\":\"secret\",\"Effect\":\"Deny\","
	    "\"Action\":\"mqtt:*\",\"Resource\":\"topic:secret/#\"}]}");
	attach(fx, fx->ta, "no-secrets", VIGIL_ATTACH_DEVICE, fx->cam1);
	say("an explicit Deny attached to the device beats a tenant Allow");
	assert_int_equal(ask(fx, fx->cam1, "mqtt:Publish", "topic:secret/x",
	    &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(a.d.reason, "denied by no-secrets[0] (secret)");
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish", "topic:secret/x"));
}

static void
quarantine_builtin(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	char b[128], m[300];

	put(fx, fx->ta, "all", ALLOW_ALL);
	attach(fx, fx->ta, "all", VIGIL_ATTACH_TENANT, "");
	set_state(fx, fx->cam1, VIGIL_DEV_PROVISIONED);
	set_state(fx, fx->cam1, VIGIL_DEV_ACTIVE);
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish", "topic:a"));
	set_state(fx, fx->cam1, VIGIL_DEV_QUARANTINED);
	say("quarantined: publishing is denied even with an Allow-all "
	    "policy");
	assert_int_equal(ask(fx, fx->cam1, "mqtt:Publish", "topic:a", &a),
	    VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_true(a.quarantined);
	assert_string_equal(a.d.policy, VIGIL_POLICY_QUARANTINE_NAME);
	snprintf(m, sizeof m, "denied by the built-in vigil-quarantine "
	    "policy: device cam-1 is quarantined (only check-in and "
	    "updates are allowed)");
	assert_string_equal(a.d.reason, m);
	say("... its own check-in and updates are allowed");
	assert_int_equal(ask(fx, fx->cam1, "device:Checkin",
	    own(b, fx->cam1), &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(a.d.reason, "allowed by the built-in "
	    "vigil-quarantine policy (device is quarantined: check-in and "
	    "updates only)");
	assert_true(allowed(fx, fx->cam1, "device:GetUpdate",
	    own(b, fx->cam1)));
	say("... not another device's check-in");
	assert_false(allowed(fx, fx->cam1, "device:Checkin",
	    own(b, fx->cam2)));
	say("release: the policies decide again");
	set_state(fx, fx->cam1, VIGIL_DEV_ACTIVE);
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish", "topic:a"));
}

static void
retired_denied(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	char b[128];

	put(fx, fx->ta, "all", ALLOW_ALL);
	attach(fx, fx->ta, "all", VIGIL_ATTACH_TENANT, "");
	assert_int_equal(vigil_device_retire(fx->st, fx->ta, fx->meter, 0,
	    ACTOR, "gone", NULL), VIGIL_OK);
	say("a retired device is denied everything, check-in included");
	assert_int_equal(ask(fx, fx->meter, "mqtt:Publish", "topic:a", &a),
	    VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(a.d.reason, "device meter-1 is retired");
	assert_false(a.identity_ok);
	assert_int_equal(a.risk, -1);
	assert_int_equal(a.d.statement, -1);
	assert_false(allowed(fx, fx->meter, "device:Checkin",
	    own(b, fx->meter)));
}

static void
baseline_checkin(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	char b[128];

	say("without any policy a device may check in and get updates");
	assert_int_equal(ask(fx, fx->cam1, "device:Checkin",
	    own(b, fx->cam1), &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(a.d.reason,
	    "allowed by the built-in device baseline");
	assert_true(allowed(fx, fx->cam1, "device:GetUpdate",
	    own(b, fx->cam1)));
	say("... for itself only");
	assert_false(allowed(fx, fx->cam1, "device:Checkin",
	    own(b, fx->cam2)));
	say("an explicit Deny on device:Checkin wins over the baseline");
	put(fx, fx->ta, "no-checkin", "{\"Version\":\"2026-11-01\","
	    "\"Statement\":[{\"Effect\":\"Deny\",\"Action\":"
	    "\"device:Checkin\",\"Resource\":\"device:*\"}]}");
	attach(fx, fx->ta, "no-checkin", VIGIL_ATTACH_MODEL, "cam");
	assert_int_equal(ask(fx, fx->cam1, "device:Checkin",
	    own(b, fx->cam1), &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(a.d.reason, "denied by no-checkin[0]");
	assert_true(allowed(fx, fx->meter, "device:Checkin",
	    own(b, fx->meter)));
}

static json_t *explain(struct fx *fx, const char *dev, const char *action,
    const char *res, size_t nctx, const struct vigil_pdp_kv *ctx);
static const char *jstr(const json_t *o, const char *k);

/* 1 when s is a decimal integer in lo..hi. */
static int
int_in_range(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s != '\0' && *end == '\0' && v >= lo && v <= hi;
}

static void
firmware_current_condition(void **state)
{
	struct fx *fx = *state;
	struct vigil_checkin c;
	enum vigil_err rc;
	char err[256] = "";

	put(fx, fx->ta, "fw", "{\"Version\":\"2026-11-01\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"mqtt:Publish\",\"Resource\":"
	    "\"topic:fw/#\",\"Condition\":{\"Bool\":"
	    "{\"vigil:FirmwareCurrent\":\"true\"}}}]}");
	attach(fx, fx->ta, "fw", VIGIL_ATTACH_TENANT, "");
	say("firmware unknown: vigil:FirmwareCurrent is absent, the Bool "
	    "condition fails");
	assert_false(allowed(fx, fx->cam1, "mqtt:Publish", "topic:fw/a"));
	rc = vigil_posture_baseline_set(fx->st, fx->ta, "cam", NULL, 0, "2.0",
	    NULL, err, sizeof err);
	if (rc != VIGIL_OK)
		printf("#   baseline: %s\n", err);
	assert_int_equal(rc, VIGIL_OK);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_checkin_parse("{\"firmware\":\"1.0\"}", 18, &c,
	    err, sizeof err), VIGIL_OK);
	rc = vigil_posture_checkin(fx->st, fx->ta, fx->cam1, &c, "192.0.2.1",
	    NULL, vigil_time_now_ms(), 10, NULL, err, sizeof err);
	if (rc != VIGIL_OK)
		printf("#   check-in: %s\n", err);
	assert_int_equal(rc, VIGIL_OK);
	vigil_checkin_clear(&c);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_checkin_parse("{\"firmware\":\"2.0\"}", 18, &c,
	    err, sizeof err), VIGIL_OK);
	rc = vigil_posture_checkin(fx->st, fx->ta, fx->cam2, &c, "192.0.2.2",
	    NULL, vigil_time_now_ms(), 10, NULL, err, sizeof err);
	if (rc != VIGIL_OK)
		printf("#   check-in: %s\n", err);
	assert_int_equal(rc, VIGIL_OK);
	vigil_checkin_clear(&c);
	say("cam-1 runs 1.0 of a model whose current firmware is 2.0: "
	    "denied");
	assert_false(allowed(fx, fx->cam1, "mqtt:Publish", "topic:fw/a"));
	say("cam-2 runs 2.0: allowed");
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish", "topic:fw/a"));
	say("after a check-in the context has vigil:FirmwareCurrent and "
	    "vigil:LastCheckinSeconds");
	{
		json_t *o = explain(fx, fx->cam1, "mqtt:Publish", "topic:fw/a",
		    0, NULL);
		json_t *ctx = json_object_get(o, "context");

		assert_string_equal(jstr(ctx, "vigil:FirmwareCurrent"),
		    "false");
		assert_non_null(json_object_get(ctx,
		    "vigil:LastCheckinSeconds"));
		assert_true(int_in_range(jstr(ctx, "vigil:LastCheckinSeconds"),
		    0, 5));
		json_decref(o);
	}
}

static json_t *
explain(struct fx *fx, const char *dev, const char *action, const char *res,
    size_t nctx, const struct vigil_pdp_kv *ctx)
{
	struct vigil_zt_query q;
	json_t *o = NULL;
	char err[256] = "";

	memset(&q, 0, sizeof q);
	q.action = action;
	q.resource = res;
	q.device = dev;
	q.tenant = fx->ta;
	q.source_ip = "192.0.2.7";
	q.nctx = nctx;
	q.ctx = ctx;
	assert_int_equal(vigil_zt_explain(fx->zt, &q, &o, err, sizeof err),
	    VIGIL_OK);
	return o;
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

static void
context_override_in_explain(void **state)
{
	struct fx *fx = *state;
	struct vigil_pdp_kv de = {"vigil:Country", "DE"};
	struct vigil_pdp_kv risky = {"vigil:RiskScore", "90"};
	json_t *o;

	put(fx, fx->ta, "de-only", "{\"Version\":\"2026-11-01\",\"Statement\":"
	    "[{\"Effect\":\"Allow\",\"Action\":\"mqtt:Publish\",\"Resource\":"
	    "\"topic:a\",\"Condition\":{\"StringEquals\":{\"vigil:Country\":"
	    "\"DE\"},\"NumericLessThan\":{\"vigil:RiskScore\":\"80\"}}}]}");
	attach(fx, fx->ta, "de-only", VIGIL_ATTACH_TENANT, "");
	say("no country known: the StringEquals condition fails");
	o = explain(fx, fx->cam1, "mqtt:Publish", "topic:a", 0, NULL);
	assert_string_equal(jstr(o, "decision"), "DENY");
	assert_null(json_object_get(json_object_get(o, "context"),
	    "vigil:Country"));
	json_decref(o);
	say("what if the device were in DE: allowed, and the context "
	    "shows DE");
	o = explain(fx, fx->cam1, "mqtt:Publish", "topic:a", 1, &de);
	assert_string_equal(jstr(o, "decision"), "ALLOW");
	assert_string_equal(jstr(json_object_get(o, "context"),
	    "vigil:Country"), "DE");
	json_decref(o);
	say("an override of the stored risk wins: 90 is not < 80");
	{
		struct vigil_pdp_kv two[2] = {de, risky};

		o = explain(fx, fx->cam1, "mqtt:Publish", "topic:a", 2, two);
		assert_string_equal(jstr(o, "decision"), "DENY");
		assert_string_equal(jstr(json_object_get(o, "context"),
		    "vigil:RiskScore"), "90");
		assert_non_null(strstr(jstr(o, "reason"), "vigil:RiskScore"));
		json_decref(o);
	}
	say("vigil:Time can be overridden too: a policy valid until 2030 "
	    "denies in 2031");
	put(fx, fx->ta, "until-2030", "{\"Version\":\"2026-11-01\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
	    "\"mqtt:Publish\",\"Resource\":\"topic:b\",\"Condition\":"
	    "{\"DateLessThan\":{\"vigil:Time\":\"2030-01-01T00:00:00Z\"}}}]}");
	attach(fx, fx->ta, "until-2030", VIGIL_ATTACH_TENANT, "");
	o = explain(fx, fx->cam1, "mqtt:Publish", "topic:b", 0, NULL);
	assert_string_equal(jstr(o, "decision"), "ALLOW");
	json_decref(o);
	{
		struct vigil_pdp_kv later = {"vigil:Time",
		    "2031-01-01T00:00:00Z"};

		o = explain(fx, fx->cam1, "mqtt:Publish", "topic:b", 1,
		    &later);
		assert_string_equal(jstr(o, "decision"), "DENY");
		assert_string_equal(jstr(json_object_get(o, "context"),
		    "vigil:Time"), "2031-01-01T00:00:00Z");
		json_decref(o);
	}
}

static void
explain_json_keys(void **state)
{
	struct fx *fx = *state;
	static const char *const keys[] = {"decision", "reason", "policy",
	    "statement", "sid", "epoch", "device", "identity", "policies",
	    "context", "posture"};
	static const char *const dkeys[] = {"id", "name", "tenant", "model",
	    "labels", "state"};
	json_t *o, *d, *ctx;
	char b[128];
	char *s;

	put(fx, fx->ta, "own", OWN_TOPICS);
	attach(fx, fx->ta, "own", VIGIL_ATTACH_TENANT, "");
	o = explain(fx, fx->cam1, "mqtt:Publish", topic(b, fx->cam1, "t"), 0,
	    NULL);
	s = json_dumps(o, JSON_COMPACT);
	printf("#   %s\n", s);
	free(s);
	say("explain has every documented key");
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		assert_non_null(json_object_get(o, keys[i]));
	d = json_object_get(o, "device");
	for (size_t i = 0; i < sizeof dkeys / sizeof *dkeys; i++)
		assert_non_null(json_object_get(d, dkeys[i]));
	assert_string_equal(jstr(o, "decision"), "ALLOW");
	assert_string_equal(jstr(o, "policy"), "own");
	assert_string_equal(jstr(o, "sid"), "own");
	assert_int_equal(json_integer_value(json_object_get(o, "statement")),
	    0);
	assert_string_equal(jstr(d, "name"), "cam-1");
	assert_string_equal(jstr(d, "model"), "cam");
	assert_string_equal(jstr(json_object_get(d, "labels"), "site"),
	    "berlin");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "policies"), 0)), "own@1");
	assert_string_equal(jstr(o, "identity"), "device cam-1");
	say("the context holds what the service filled in");
	ctx = json_object_get(o, "context");
	assert_string_equal(jstr(ctx, "vigil:Quarantined"), "false");
	assert_string_equal(jstr(ctx, "vigil:SourceIp"), "192.0.2.7");
	assert_non_null(json_object_get(ctx, "vigil:RiskScore"));
	assert_non_null(json_object_get(ctx, "vigil:Time"));
	assert_null(json_object_get(ctx, "vigil:LastCheckinSeconds"));
	assert_true(json_is_object(json_object_get(o, "posture")));
	json_decref(o);
	say("an unknown device: VIGIL_ENOTFOUND with the reason");
	{
		struct vigil_zt_query q;
		char err[256] = "";

		memset(&q, 0, sizeof q);
		q.action = "mqtt:Publish";
		q.resource = "topic:a";
		q.device = "nope";
		q.tenant = fx->ta;
		o = NULL;
		assert_int_equal(vigil_zt_explain(fx->zt, &q, &o, err,
		    sizeof err), VIGIL_ENOTFOUND);
		assert_null(o);
		assert_string_equal(err, "device nope not found");
	}
}

static void
refresh_follows_generation(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_stats s;
	char b[128];
	int64_t e0;

	assert_false(allowed(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "t")));
	e0 = vigil_zt_epoch(fx->zt);
	say("nothing changed: refresh reloads nothing");
	assert_int_equal(vigil_zt_refresh(fx->zt, false), 0);
	put(fx, fx->ta, "own", OWN_TOPICS);
	attach(fx, fx->ta, "own", VIGIL_ATTACH_TENANT, "");
	say("a policy and its attachment move the generation: refresh "
	    "reloads and the decision follows");
	assert_int_equal(vigil_zt_refresh(fx->zt, false), 1);
	assert_true(vigil_zt_epoch(fx->zt) > e0);
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "t")));
	say("a forced refresh reloads");
	assert_int_equal(vigil_zt_refresh(fx->zt, true), 1);
	vigil_zt_stats(fx->zt, &s);
	assert_true(s.reloads >= 3);
	assert_string_equal(vigil_zt_errmsg(fx->zt), "");
}

/* A change that concerns one device (a check-in, a label) drops that
 * device's cached facts only: the other devices are still decided
 * from the cache, without a reload. */
static void
device_change_drops_that_device_only(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_stats s0, s1;
	struct vigil_checkin c;
	char b[128], err[256];
	int64_t e0;

	put(fx, fx->ta, "own", OWN_TOPICS);
	attach(fx, fx->ta, "own", VIGIL_ATTACH_TENANT, "");
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "t")));
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish",
	    topic(b, fx->cam2, "t")));
	e0 = vigil_zt_epoch(fx->zt);
	vigil_zt_stats(fx->zt, &s0);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_checkin_parse("{\"firmware\":\"1.0\"}", 18,
	    &c, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_posture_checkin(fx->st, fx->ta, fx->cam1, &c,
	    "192.0.2.1", NULL, vigil_time_now_ms(), 10, NULL, err,
	    sizeof err), VIGIL_OK);
	vigil_checkin_clear(&c);
	say("cam-1 checks in: the generation moves, refresh drops cam-1's "
	    "facts without reloading the policies");
	assert_int_equal(vigil_zt_refresh(fx->zt, false), 1);
	assert_true(vigil_zt_epoch(fx->zt) > e0);
	vigil_zt_stats(fx->zt, &s1);
	assert_int_equal(s1.reloads, s0.reloads);
	assert_int_equal(s1.partial_reloads, s0.partial_reloads + 1);
	say("... cam-2 is still decided from the cache, cam-1 is read again");
	assert_true(allowed(fx, fx->cam2, "mqtt:Publish",
	    topic(b, fx->cam2, "t")));
	vigil_zt_stats(fx->zt, &s0);
	assert_int_equal(s0.device_misses, s1.device_misses);
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish",
	    topic(b, fx->cam1, "t")));
	vigil_zt_stats(fx->zt, &s1);
	assert_int_equal(s1.device_misses, s0.device_misses + 1);
	say("a policy change still reloads everything");
	put(fx, fx->ta, "own", "{\"Statement\":[{\"Effect\":\"Deny\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}]}");
	assert_int_equal(vigil_zt_refresh(fx->zt, false), 1);
	vigil_zt_stats(fx->zt, &s0);
	assert_int_equal(s0.reloads, s1.reloads + 1);
	assert_false(allowed(fx, fx->cam2, "mqtt:Publish",
	    topic(b, fx->cam2, "t")));
}

static void
cert_record(struct fx *fx, const char *tenant, const char *dev,
    const char *serial, char keych, enum vigil_pki_profile prof,
    int64_t not_after)
{
	struct vigil_cert c;

	memset(&c, 0, sizeof c);
	snprintf(c.serial, sizeof c.serial, "%s", serial);
	memcpy(c.ca_id, fx->issuing.id, VIGIL_UUID_STRLEN);
	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", tenant);
	snprintf(c.device_id, sizeof c.device_id, "%s", dev);
	c.profile = prof;
	snprintf(c.subject, sizeof c.subject, "CN=%s", serial);
	snprintf(c.urn, sizeof c.urn, "urn:dev:test:%s", serial);
	memset(c.key_fp, keych, VIGIL_PKI_FP_STRLEN - 1);
	c.key_fp[VIGIL_PKI_FP_STRLEN - 1] = '\0';
	snprintf(c.via, sizeof c.via, "cli");
	c.not_before = not_after - 30 * DAY_S;
	c.not_after = not_after;
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
}

static enum vigil_err
ask_cert(struct fx *fx, const char *serial, const char *tenant,
    const char *res, struct vigil_zt_answer *a)
{
	struct vigil_zt_query q;
	enum vigil_err rc;

	assert_true(vigil_zt_refresh(fx->zt, false) >= 0);
	memset(&q, 0, sizeof q);
	q.action = "mqtt:Publish";
	q.resource = res;
	q.cert_serial = serial;
	q.tenant = tenant;
	rc = vigil_zt_decide(fx->zt, &q, a);
	printf("#   cert %s on %s: %s (%s)\n", serial, res,
	    a->d.effect == VIGIL_EFFECT_ALLOW ? "ALLOW" : "DENY",
	    a->d.reason);
	return rc;
}

static void
cert_identity(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_answer a;
	int64_t now = (int64_t)time(NULL);
	char b[128];

	cert_record(fx, fx->ta, fx->cam1, "0A1B", 'a', VIGIL_PROFILE_DEVICE,
	    now + 20 * DAY_S);
	cert_record(fx, fx->ta, fx->cam2, "0C0D", 'b', VIGIL_PROFILE_DEVICE,
	    now - DAY_S);
	cert_record(fx, fx->ta, "", "0E0F", 'c', VIGIL_PROFILE_SERVER,
	    now + 20 * DAY_S);
	cert_record(fx, fx->ta, fx->meter, "1011", 'd', VIGIL_PROFILE_DEVICE,
	    now + 20 * DAY_S);
	put(fx, fx->ta, "urn", "{\"Version\":\"2026-11-01\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"mqtt:Publish\",\"Resource\":"
	    "[\"topic:dev/${device.id}/#\",\"topic:urn/${cert.urn}\"]}]}");
	attach(fx, fx->ta, "urn", VIGIL_ATTACH_TENANT, "");
	say("a good device certificate: the device it names decides");
	assert_int_equal(ask_cert(fx, "0a1b", NULL, topic(b, fx->cam1, "t"),
	    &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(a.device_id, fx->cam1);
	assert_string_equal(a.tenant, fx->ta);
	say("explain names the certificate and its age in days");
	{
		struct vigil_zt_query q;
		json_t *o = NULL;
		char err[256] = "";

		memset(&q, 0, sizeof q);
		q.action = "mqtt:Publish";
		q.resource = "topic:a";
		q.cert_serial = "0A1B";
		assert_int_equal(vigil_zt_explain(fx->zt, &q, &o, err,
		    sizeof err), VIGIL_OK);
		assert_string_equal(jstr(o, "identity"),
		    "certificate 0A1B of device cam-1");
		assert_string_equal(jstr(json_object_get(o, "context"),
		    "vigil:CertAgeDays"), "10");
		json_decref(o);
	}
	say("${cert.urn} is the certificate's URN");
	assert_int_equal(ask_cert(fx, "0A1B", fx->ta, "topic:urn/"
	    "urn:dev:test:0A1B", &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	say("an unknown serial: ENOTFOUND, denied with the reason");
	assert_int_equal(ask_cert(fx, "DEAD", NULL, "topic:a", &a),
	    VIGIL_ENOTFOUND);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(a.d.reason, "certificate DEAD is unknown to vigil");
	assert_false(a.identity_ok);
	assert_int_equal(a.risk, -1);
	assert_string_equal(a.tenant, "");
	say("another tenant's scope does not know the certificate");
	assert_int_equal(ask_cert(fx, "0A1B", fx->tb, "topic:a", &a),
	    VIGIL_ENOTFOUND);
	say("expired, and not a device certificate");
	assert_int_equal(ask_cert(fx, "0C0D", NULL, "topic:a", &a), VIGIL_OK);
	assert_string_equal(a.d.reason, "certificate 0C0D is expired");
	assert_int_equal(ask_cert(fx, "0E0F", NULL, "topic:a", &a), VIGIL_OK);
	assert_string_equal(a.d.reason,
	    "certificate 0E0F is not a device certificate");
	say("revoked and on hold, seen after the refresh the revocation "
	    "triggers");
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "0A1B",
	    VIGIL_REASON_KEY_COMPROMISE, vigil_time_now_ms()), VIGIL_OK);
	assert_int_equal(ask_cert(fx, "0A1B", NULL, topic(b, fx->cam1, "t"),
	    &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(a.d.reason, "certificate 0A1B is revoked");
	assert_false(a.identity_ok);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "1011",
	    VIGIL_REASON_HOLD, vigil_time_now_ms()), VIGIL_OK);
	assert_int_equal(ask_cert(fx, "1011", NULL, "topic:a", &a), VIGIL_OK);
	assert_string_equal(a.d.reason, "certificate 1011 is on hold");
}

static void
caches_and_sampling(void **state)
{
	struct fx *fx = *state;
	struct vigil_zt_config cfg = {0, 2, 2};
	struct vigil_zt *zt = NULL;
	struct vigil_zt_query q;
	struct vigil_zt_answer a;
	struct vigil_zt_stats s0, s1;
	struct timespec t0, t1;
	char b[128];
	int logged = 0;
	const int n = 20000;

	put(fx, fx->ta, "own", OWN_TOPICS);
	attach(fx, fx->ta, "own", VIGIL_ATTACH_TENANT, "");
	assert_int_equal(vigil_zt_new(fx->st, &cfg, &zt), VIGIL_OK);
	assert_int_equal(vigil_zt_refresh(zt, false), 1);
	memset(&q, 0, sizeof q);
	q.action = "mqtt:Publish";
	q.tenant = fx->ta;
	say("devices with the same attachments share one compiled set");
	q.device = fx->cam1;
	q.resource = topic(b, fx->cam1, "t");
	assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	q.device = fx->cam2;
	q.resource = topic(b, fx->cam2, "t");
	assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	vigil_zt_stats(zt, &s0);
	assert_int_equal(s0.sets_compiled, 1);
	assert_int_equal(s0.device_misses, 2);
	say("one allow in allow_sample (2) is flagged for the log; every "
	    "deny is");
	for (int i = 0; i < 10; i++) {
		assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
		assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
		logged += a.log;
	}
	assert_int_equal(logged, 5);
	q.resource = "topic:x";
	assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	assert_true(a.log);
	say("a cached device is decided without the store");
	vigil_zt_stats(zt, &s0);
	q.resource = topic(b, fx->cam2, "t");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	vigil_zt_stats(zt, &s1);
	assert_int_equal(s1.device_hits - s0.device_hits, (uint64_t)n);
	assert_int_equal(s1.device_misses, s0.device_misses);
	printf("#   %.0f ns per cached decision (sanitizer build, loose)\n",
	    ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / n);
	say("max_devices 2: a third device empties the cache, decisions "
	    "stay right");
	q.device = fx->meter;
	q.resource = topic(b, fx->meter, "t");
	assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	q.device = fx->cam1;
	q.resource = topic(b, fx->cam1, "t");
	assert_int_equal(vigil_zt_decide(zt, &q, &a), VIGIL_OK);
	assert_int_equal(a.d.effect, VIGIL_EFFECT_ALLOW);
	vigil_zt_stats(zt, &s1);
	assert_int_equal(s1.decisions, s1.allows + s1.denies);
	vigil_zt_free(zt);
}

static void
load_many_statements(void **state)
{
	struct fx *fx = *state;
	struct timespec t0, t1;
	char *doc;
	size_t cap = 64 << 10, len;
	char name[32], b[128];

	/* 100 policies of 100 statements: 10k statements. */
	doc = malloc(cap);
	assert_non_null(doc);
	for (int p = 0; p < 100; p++) {
		len = (size_t)snprintf(doc, cap,
		    "{\"Version\":\"2026-11-01\",\"Statement\":[");
		for (int i = 0; i < 100; i++)
			len += (size_t)snprintf(doc + len, cap - len,
			    "%s{\"Effect\":\"Allow\",\"Action\":"
			    "\"mqtt:Publish\",\"Resource\":\"topic:p%d/s%d/"
			    "${device.id}/#\"}", i ? "," : "", p, i);
		snprintf(doc + len, cap - len, "]}");
		snprintf(name, sizeof name, "p%03d", p);
		put(fx, fx->ta, name, doc);
		attach(fx, fx->ta, name, VIGIL_ATTACH_TENANT, "");
	}
	free(doc);
	say("10k statements load and compile");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vigil_zt_refresh(fx->zt, true), 1);
	snprintf(b, sizeof b, "topic:p42/s7/%s/x", fx->cam1);
	assert_true(allowed(fx, fx->cam1, "mqtt:Publish", b));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("#   load + first decision: %.1f ms (sanitizer build, "
	    "loose)\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(default_deny_without_policies,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    tenant_policy_allows_own_topic_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    model_label_device_attachments, setup, teardown),
		cmocka_unit_test_setup_teardown(deny_overrides_allow, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(quarantine_builtin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(retired_denied, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(baseline_checkin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(firmware_current_condition,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(context_override_in_explain,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(explain_json_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(refresh_follows_generation,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    device_change_drops_that_device_only, setup, teardown),
		cmocka_unit_test_setup_teardown(cert_identity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(caches_and_sampling, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(load_many_statements, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
