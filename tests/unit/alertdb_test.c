/*
 * What network monitoring keeps (alertdb.h) against a real SQLite
 * store: alert deduplication and bounded samples, the ack/close state
 * rules, list filters and tenant isolation, responses, shadow-IoT
 * findings (adopt, dismiss), cellular sessions from accounting records
 * and attribution through them, SIM lookups, address bindings (most
 * specific wins) and the schema migration to version 10.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/vigil.h"

#define ACTOR "local:test"
#define T0 1800000000000LL /* 2027-01-15, flow time */

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

struct fx {
	struct vigil_store *st;
	struct vigil_tenant a, b;
	char dev_a[VIGIL_UUID_STRLEN]; /* "cam-1" in a, with a SIM */
	char dev_b[VIGIL_UUID_STRLEN]; /* "meter-1" in b */
};

#define IMSI "310150123456789"
#define IMEI "490154203237518"

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_ident_spec ids[2] = { { VIGIL_ID_IMSI, IMSI },
	    { VIGIL_ID_IMEI, IMEI } };
	struct vigil_label_spec lab[1] = { { "allowed_mcc_mnc",
	    "26201, 26202" } };
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;
	char err[512];

	assert_non_null(fx);
	assert_int_equal(vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "acme", NULL,
	    &fx->a), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "bolt", NULL,
	    &fx->b), VIGIL_OK);
	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	spec.model = "Cam X";
	spec.nidents = 2;
	spec.idents = ids;
	spec.nlabels = 1;
	spec.labels = lab;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, ACTOR, &d),
	    VIGIL_OK);
	snprintf(fx->dev_a, sizeof fx->dev_a, "%s", d->id);
	vigil_device_free(d);
	memset(&spec, 0, sizeof spec);
	spec.name = "meter-1";
	assert_int_equal(vigil_device_add(fx->st, fx->b.id, &spec, ACTOR, &d),
	    VIGIL_OK);
	snprintf(fx->dev_b, sizeof fx->dev_b, "%s", d->id);
	vigil_device_free(d);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_store_close(fx->st);
	free(fx);
	return 0;
}

static void
v4(const char *s, uint8_t addr[16])
{
	memset(addr, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, addr), 1);
}

/* An alert of kind k about device (or, dev NULL, about ip in tenant). */
static void
alert_fill(struct vigil_alert *a, enum vigil_alert_kind k,
    enum vigil_alert_sev sev, const char *tenant, const char *dev,
    const char *ip, int64_t t)
{
	memset(a, 0, sizeof *a);
	a->kind = k;
	a->severity = sev;
	a->who.device = dev != NULL;
	if (dev != NULL)
		snprintf(a->who.device_id, sizeof a->who.device_id, "%s", dev);
	snprintf(a->who.tenant, sizeof a->who.tenant, "%s", tenant);
	a->family = 4;
	v4(ip, a->addr);
	a->first_ms = t;
	a->last_ms = t + 1000;
	a->count = 2;
	snprintf(a->summary, sizeof a->summary, "test %d", (int)k);
}

static int64_t
record(struct fx *fx, const struct vigil_alert *a, int *isnew)
{
	json_t *out = NULL;
	char err[512];
	int64_t id;

	assert_int_equal(vigil_alert_record(fx->st, a, T0, &out, err,
	    sizeof err), VIGIL_OK);
	assert_non_null(out);
	id = json_integer_value(json_object_get(out, "id"));
	if (isnew != NULL)
		*isnew = json_is_true(json_object_get(out, "new"));
	json_decref(out);
	return id;
}

static size_t
list_count(struct fx *fx, const char *tenant,
    const struct vigil_alert_filter *f)
{
	json_t *out = NULL;
	char err[512];
	size_t n;

	assert_int_equal(vigil_alert_list(fx->st, tenant, f, &out, err,
	    sizeof err), VIGIL_OK);
	n = json_array_size(json_object_get(out, "alerts"));
	json_decref(out);
	return n;
}

static void
test_record_twice_sums_count_and_bounds_samples(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_alert a;
	json_t *out = NULL, *samples;
	char err[512];
	int64_t id = 0;
	int isnew = 0;

	say("25 firings of one kind on one device make one alert");
	for (int i = 0; i < 25; i++) {
		alert_fill(&a, VIGIL_ALERT_SCAN_HORIZONTAL, i == 10 ?
		    VIGIL_SEV_HIGH : VIGIL_SEV_MEDIUM, fx->a.id, fx->dev_a,
		    "10.0.0.5", T0 + i * 60000);
		a.evidence = json_pack("{si}", "n", i);
		int64_t got = record(fx, &a, &isnew);
		json_decref(a.evidence);
		if (i == 0) {
			assert_true(isnew);
			id = got;
		} else {
			assert_false(isnew);
			assert_int_equal(got, id);
		}
	}
	assert_int_equal(vigil_alert_get(fx->st, fx->a.id, id, &out, err,
	    sizeof err), VIGIL_OK);
	say("count summed (25 x 2), highest severity kept, first/last span");
	assert_int_equal(json_integer_value(json_object_get(out, "count")),
	    50);
	assert_string_equal(json_string_value(json_object_get(out,
	    "severity")), "high");
	assert_string_equal(json_string_value(json_object_get(out, "kind")),
	    "scan.horizontal");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    out, "device"), "name")), "cam-1");
	assert_string_equal(json_string_value(json_object_get(out,
	    "address")), "10.0.0.5");
	assert_string_equal(json_string_value(json_object_get(out,
	    "first_seen")), "2027-01-15T08:00:00.000Z");
	assert_true(json_is_array(json_object_get(out, "techniques")));
	say("samples bounded to VIGIL_ALERT_SAMPLES_MAX, the newest kept");
	samples = json_object_get(out, "samples");
	assert_int_equal(json_array_size(samples), VIGIL_ALERT_SAMPLES_MAX);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(samples, 0), "evidence"), "n")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(samples, VIGIL_ALERT_SAMPLES_MAX - 1), "evidence"),
	    "n")), 24);
	json_decref(out);

	say("another kind on the same device is another alert");
	alert_fill(&a, VIGIL_ALERT_BEACON, VIGIL_SEV_LOW, fx->a.id, fx->dev_a,
	    "10.0.0.5", T0);
	assert_int_not_equal(record(fx, &a, &isnew), id);
	assert_true(isnew);

	say("a bad kind or severity is refused with a message");
	a.kind = VIGIL_ALERT_KIND_COUNT;
	assert_int_equal(vigil_alert_record(fx->st, &a, T0, NULL, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "kind"));
	a.kind = VIGIL_ALERT_BEACON;
	a.severity = 9;
	assert_int_equal(vigil_alert_record(fx->st, &a, T0, NULL, err,
	    sizeof err), VIGIL_EINVAL);
}

static void
test_closed_alert_then_record_opens_a_new_one(void **state)
{
	struct fx *fx = *state;
	struct vigil_alert a;
	char err[512];
	int64_t id, id2;
	int isnew = 0;

	alert_fill(&a, VIGIL_ALERT_BEACON, VIGIL_SEV_MEDIUM, fx->a.id,
	    fx->dev_a, "10.0.0.5", T0);
	id = record(fx, &a, NULL);
	say("close needs a note");
	assert_int_equal(vigil_alert_close(fx->st, fx->a.id, id, ACTOR, NULL,
	    err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_alert_close(fx->st, fx->a.id, id, ACTOR,
	    "false positive: NTP", err, sizeof err), VIGIL_OK);
	say("the next detection opens a new alert; the closed one stays");
	id2 = record(fx, &a, &isnew);
	assert_true(isnew);
	assert_int_not_equal(id, id2);
	{
		struct vigil_alert_filter f = { .all = true };

		assert_int_equal(list_count(fx, fx->a.id, &f), 2);
		f.all = false;
		assert_int_equal(list_count(fx, fx->a.id, &f), 1);
	}
}

static void
test_ack_and_close_follow_the_state_rules(void **state)
{
	struct fx *fx = *state;
	struct vigil_alert a;
	json_t *out = NULL;
	char err[512];
	int64_t id;

	alert_fill(&a, VIGIL_ALERT_DDOS, VIGIL_SEV_HIGH, fx->a.id, fx->dev_a,
	    "10.0.0.5", T0);
	id = record(fx, &a, NULL);
	say("open -> acked");
	assert_int_equal(vigil_alert_ack(fx->st, fx->a.id, id, ACTOR,
	    "looking", err, sizeof err), VIGIL_OK);
	say("acked -> acked again is refused");
	assert_int_equal(vigil_alert_ack(fx->st, fx->a.id, id, ACTOR, NULL,
	    err, sizeof err), VIGIL_ESTATE);
	assert_non_null(strstr(err, "is acked"));
	say("an acked alert still deduplicates");
	assert_int_equal(record(fx, &a, NULL), id);
	say("acked -> closed, with note and actor kept");
	assert_int_equal(vigil_alert_close(fx->st, fx->a.id, id, ACTOR,
	    "patched", err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_alert_get(fx->st, NULL, id, &out, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")),
	    "closed");
	assert_string_equal(json_string_value(json_object_get(out, "note")),
	    "patched");
	assert_string_equal(json_string_value(json_object_get(out, "actor")),
	    ACTOR);
	assert_true(json_is_string(json_object_get(out, "closed")));
	json_decref(out);
	say("closed stays closed: neither ack nor close");
	assert_int_equal(vigil_alert_ack(fx->st, fx->a.id, id, ACTOR, NULL,
	    err, sizeof err), VIGIL_ESTATE);
	assert_int_equal(vigil_alert_close(fx->st, fx->a.id, id, ACTOR, "x",
	    err, sizeof err), VIGIL_ESTATE);
	say("an unknown alert is not found, by its number");
	assert_int_equal(vigil_alert_ack(fx->st, fx->a.id, 9999, ACTOR, NULL,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_string_equal(err, "alert 9999 not found");
}

static void
test_list_filters_and_tenant_isolation(void **state)
{
	struct fx *fx = *state;
	struct vigil_alert_filter f;
	struct vigil_alert a;
	json_t *out = NULL;
	char err[512];
	int64_t ida, idb;

	alert_fill(&a, VIGIL_ALERT_BEACON, VIGIL_SEV_LOW, fx->a.id, fx->dev_a,
	    "10.0.0.5", T0);
	ida = record(fx, &a, NULL);
	alert_fill(&a, VIGIL_ALERT_SCAN_VERTICAL, VIGIL_SEV_HIGH, fx->a.id,
	    NULL, "10.0.0.77", T0 + 3600000);
	record(fx, &a, NULL);
	alert_fill(&a, VIGIL_ALERT_INTEL_MATCH, VIGIL_SEV_CRITICAL, fx->b.id,
	    fx->dev_b, "10.9.0.1", T0 + 7200000);
	idb = record(fx, &a, NULL);

	memset(&f, 0, sizeof f);
	say("a tenant lists only its own alerts; platform scope sees all");
	assert_int_equal(list_count(fx, fx->a.id, &f), 2);
	assert_int_equal(list_count(fx, fx->b.id, &f), 1);
	assert_int_equal(list_count(fx, NULL, &f), 3);
	say("another tenant's alert is not found");
	assert_int_equal(vigil_alert_get(fx->st, fx->a.id, idb, &out, err,
	    sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_alert_ack(fx->st, fx->b.id, ida, ACTOR, NULL,
	    err, sizeof err), VIGIL_ENOTFOUND);
	say("filter by kind, severity, device (id or name), since, limit");
	f.kind = VIGIL_ALERT_SCAN_VERTICAL;
	assert_int_equal(list_count(fx, NULL, &f), 1);
	memset(&f, 0, sizeof f);
	f.min_severity = VIGIL_SEV_HIGH;
	assert_int_equal(list_count(fx, NULL, &f), 2);
	memset(&f, 0, sizeof f);
	f.device = "cam-1";
	assert_int_equal(list_count(fx, fx->a.id, &f), 1);
	f.device = fx->dev_b;
	assert_int_equal(list_count(fx, NULL, &f), 1);
	memset(&f, 0, sizeof f);
	f.since_ms = T0 + 3600000;
	assert_int_equal(list_count(fx, NULL, &f), 2);
	memset(&f, 0, sizeof f);
	f.limit = 1;
	assert_int_equal(vigil_alert_list(fx->st, NULL, &f, &out, err,
	    sizeof err), VIGIL_OK);
	say("newest first; a shadow entity has device null and its address");
	assert_int_equal(json_array_size(json_object_get(out, "alerts")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(out, "alerts"), 0), "id")), idb);
	json_decref(out);
	memset(&f, 0, sizeof f);
	f.kind = VIGIL_ALERT_SCAN_VERTICAL;
	assert_int_equal(vigil_alert_list(fx->st, fx->a.id, &f, &out, err,
	    sizeof err), VIGIL_OK);
	assert_true(json_is_null(json_object_get(json_array_get(
	    json_object_get(out, "alerts"), 0), "device")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(out, "alerts"), 0), "address")), "10.0.0.77");
	json_decref(out);
	say("state filter: acked only");
	assert_int_equal(vigil_alert_ack(fx->st, fx->a.id, ida, ACTOR, NULL,
	    err, sizeof err), VIGIL_OK);
	memset(&f, 0, sizeof f);
	f.state = VIGIL_ALERT_ACKED;
	assert_int_equal(list_count(fx, NULL, &f), 1);
	say("a limit past 1000 is refused");
	memset(&f, 0, sizeof f);
	f.limit = 1001;
	assert_int_equal(vigil_alert_list(fx->st, NULL, &f, &out, err,
	    sizeof err), VIGIL_EINVAL);
}

static void
test_responses_are_shown_with_the_alert(void **state)
{
	struct fx *fx = *state;
	struct vigil_alert a;
	json_t *out = NULL, *r;
	char err[512];
	int64_t id;

	alert_fill(&a, VIGIL_ALERT_INTEL_MATCH, VIGIL_SEV_CRITICAL, fx->a.id,
	    fx->dev_a, "10.0.0.5", T0);
	id = record(fx, &a, NULL);
	say("quarantine and held responses recorded in order");
	assert_int_equal(vigil_alert_response(fx->st, id, "quarantine", "ok",
	    "state quarantined", T0 + 5, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_alert_response(fx->st, id, "held", "awaiting "
	    "confirmation", NULL, T0 + 6, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_alert_response(fx->st, 4242, "held", "x", NULL,
	    T0, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_alert_get(fx->st, fx->a.id, id, &out, err,
	    sizeof err), VIGIL_OK);
	r = json_object_get(out, "responses");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    r, 0), "action")), "quarantine");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    r, 1), "outcome")), "awaiting confirmation");
	json_decref(out);
}

static int64_t
shadow_id(struct fx *fx, const char *tenant, bool all, const char *addr,
    const char **state_out)
{
	json_t *out = NULL, *s;
	char err[512];
	size_t i;
	int64_t id = -1;
	static char st[16];

	assert_int_equal(vigil_shadow_list(fx->st, tenant, all, &out, err,
	    sizeof err), VIGIL_OK);
	json_array_foreach(json_object_get(out, "shadow"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "address")),
		    addr) != 0)
			continue;
		id = json_integer_value(json_object_get(s, "id"));
		snprintf(st, sizeof st, "%s", json_string_value(
		    json_object_get(s, "state")));
	}
	json_decref(out);
	if (state_out != NULL)
		*state_out = st;
	return id;
}

static void
shadow_obs(struct vigil_shadow_obs *o, const char *tenant, const char *ip,
    uint64_t flows)
{
	memset(o, 0, sizeof *o);
	o->family = 4;
	v4(ip, o->addr);
	snprintf(o->tenant, sizeof o->tenant, "%s", tenant);
	o->first_ms = T0;
	o->last_ms = T0 + 1000;
	o->flows = flows;
	o->bytes = flows * 100;
	o->peers = 3;
	o->top_ports[0] = 1883;
	o->top_protos[0] = 6;
}

static void
test_shadow_record_list_adopt_and_dismiss(void **state)
{
	struct fx *fx = *state;
	struct vigil_shadow_obs o;
	struct vigil_endpoint who;
	const char *stname;
	json_t *out = NULL;
	uint8_t addr[16];
	char err[512];
	int64_t id, id2, id3;

	say("a finding is recorded once per address and tenant");
	shadow_obs(&o, fx->a.id, "10.0.0.50", 10);
	assert_int_equal(vigil_shadow_record(fx->st, &o, T0, err, sizeof err),
	    VIGIL_OK);
	shadow_obs(&o, fx->a.id, "10.0.0.50", 30);
	o.last_ms = T0 + 60000;
	assert_int_equal(vigil_shadow_record(fx->st, &o, T0, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_shadow_list(fx->st, fx->a.id, false, &out, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(out, "shadow")), 1);
	{
		json_t *s = json_array_get(json_object_get(out, "shadow"), 0);

		assert_int_equal(json_integer_value(json_object_get(s,
		    "flows")), 30);
		assert_int_equal(json_integer_value(json_array_get(
		    json_object_get(s, "ports"), 0)), 1883);
		assert_string_equal(json_string_value(json_object_get(s,
		    "state")), "new");
	}
	json_decref(out);
	say("the other tenant does not see it");
	assert_int_equal(shadow_id(fx, fx->b.id, true, "10.0.0.50", NULL),
	    -1);
	id = shadow_id(fx, fx->a.id, false, "10.0.0.50", NULL);
	assert_true(id > 0);

	say("adopt creates the device and binds the address to it");
	assert_int_equal(vigil_shadow_adopt(fx->st, fx->a.id, id, "sensor-9",
	    "Sens Y", ACTOR, &out, err, sizeof err), VIGIL_OK);
	assert_string_equal(json_string_value(json_object_get(out, "name")),
	    "sensor-9");
	json_decref(out);
	v4("10.0.0.50", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_true(who.device);
	assert_string_equal(who.via, "binding");
	assert_string_equal(who.tenant, fx->a.id);
	assert_string_equal(who.model, "Sens Y");
	say("an adopted finding leaves the default list, not the full one");
	assert_int_equal(shadow_id(fx, fx->a.id, false, "10.0.0.50", NULL),
	    -1);
	assert_int_equal(shadow_id(fx, fx->a.id, true, "10.0.0.50", &stname),
	    id);
	assert_string_equal(stname, "adopted");
	assert_int_equal(vigil_shadow_adopt(fx->st, fx->a.id, id, "again",
	    NULL, ACTOR, NULL, err, sizeof err), VIGIL_ESTATE);

	say("dismissed stays dismissed when seen again");
	shadow_obs(&o, fx->a.id, "10.0.0.51", 5);
	assert_int_equal(vigil_shadow_record(fx->st, &o, T0, err, sizeof err),
	    VIGIL_OK);
	id2 = shadow_id(fx, fx->a.id, false, "10.0.0.51", NULL);
	assert_int_equal(vigil_shadow_dismiss(fx->st, fx->b.id, id2, ACTOR,
	    "printer", err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_shadow_dismiss(fx->st, fx->a.id, id2, ACTOR,
	    "printer", err, sizeof err), VIGIL_OK);
	shadow_obs(&o, fx->a.id, "10.0.0.51", 50);
	assert_int_equal(vigil_shadow_record(fx->st, &o, T0, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(shadow_id(fx, fx->a.id, false, "10.0.0.51", NULL),
	    -1);
	assert_int_equal(shadow_id(fx, fx->a.id, true, "10.0.0.51", &stname),
	    id2);
	assert_string_equal(stname, "dismissed");

	say("a platform finding (no tenant) is listed at platform scope and "
	    "cannot be adopted before its subnet is bound");
	shadow_obs(&o, "", "192.168.9.9", 1);
	assert_int_equal(vigil_shadow_record(fx->st, &o, T0, err, sizeof err),
	    VIGIL_OK);
	id3 = shadow_id(fx, NULL, false, "192.168.9.9", NULL);
	assert_true(id3 > 0);
	assert_int_equal(shadow_id(fx, fx->a.id, true, "192.168.9.9", NULL),
	    -1);
	assert_int_equal(vigil_shadow_adopt(fx->st, NULL, id3, "x", NULL,
	    ACTOR, NULL, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "no tenant"));
	say("once a tenant's subnet covers it, that tenant adopts it; "
	    "another tenant still cannot");
	assert_int_equal(vigil_netbinding_set(fx->st, fx->b.id,
	    "192.168.9.0/24", NULL, NULL, NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_shadow_adopt(fx->st, fx->a.id, id3, "x", NULL,
	    ACTOR, NULL, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_shadow_adopt(fx->st, fx->b.id, id3, "gw-1",
	    NULL, ACTOR, NULL, err, sizeof err), VIGIL_OK);
	v4("192.168.9.9", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_true(who.device);
	assert_string_equal(who.tenant, fx->b.id);
}

static void
acct_fill(struct vigil_radius_acct *r, enum vigil_acct_status s,
    const char *sid, const char *ip)
{
	memset(r, 0, sizeof *r);
	r->code = 4;
	r->status = s;
	snprintf(r->session_id, sizeof r->session_id, "%s", sid);
	snprintf(r->nas_ip, sizeof r->nas_ip, "192.0.2.1");
	snprintf(r->imsi, sizeof r->imsi, IMSI);
	snprintf(r->imeisv, sizeof r->imeisv, "4901542032375101");
	snprintf(r->sgsn_mcc_mnc, sizeof r->sgsn_mcc_mnc, "26201");
	if (ip != NULL) {
		r->has_framed_ip = true;
		assert_int_equal(inet_pton(AF_INET, ip, r->framed_ip), 1);
	}
}

static size_t
sessions(struct fx *fx, const char *tenant, bool all)
{
	json_t *out = NULL;
	char err[512];
	size_t n;

	assert_int_equal(vigil_netsession_list(fx->st, tenant, all, &out, err,
	    sizeof err), VIGIL_OK);
	n = json_array_size(json_object_get(out, "sessions"));
	json_decref(out);
	return n;
}

static void
test_sessions_attribute_while_open_and_not_after_stop(void **state)
{
	struct fx *fx = *state;
	struct vigil_radius_acct r;
	struct vigil_endpoint who;
	json_t *out = NULL;
	uint8_t addr[16];
	char err[512];
	int64_t now = vigil_time_now_ms();

	say("Start opens a session carrying the SIM's device and tenant");
	acct_fill(&r, VIGIL_ACCT_START, "s1", "100.64.0.7");
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now, &out, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(json_string_value(json_object_get(out, "device")),
	    fx->dev_a);
	assert_string_equal(json_string_value(json_object_get(out, "imei")),
	    IMEI);
	assert_string_equal(json_string_value(json_object_get(out, "ip")),
	    "100.64.0.7");
	json_decref(out);
	v4("100.64.0.7", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, now, &who), 1);
	assert_true(who.device);
	assert_string_equal(who.device_id, fx->dev_a);
	assert_string_equal(who.tenant, fx->a.id);
	assert_string_equal(who.via, "radius");
	assert_int_equal(sessions(fx, fx->a.id, false), 1);
	assert_int_equal(sessions(fx, fx->b.id, true), 0);

	say("Interim-Update refreshes the counters");
	acct_fill(&r, VIGIL_ACCT_INTERIM, "s1", "100.64.0.7");
	r.in_octets = 5000;
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now + 1000, NULL,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_netsession_list(fx->st, NULL, false, &out, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(out, "sessions")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(out, "sessions"), 0), "in_octets")), 5000);
	json_decref(out);

	say("Stop closes it: no attribution after the stop");
	acct_fill(&r, VIGIL_ACCT_STOP, "s1", "100.64.0.7");
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now + 2000, NULL,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, now + 60000, &who),
	    0);
	say("but a flow inside the session's time still attributes");
	assert_int_equal(vigil_attribute(fx->st, 4, addr, now + 1500, &who),
	    1);
	assert_int_equal(sessions(fx, NULL, false), 0);
	assert_int_equal(sessions(fx, NULL, true), 1);

	say("Accounting-Off closes every open session of the NAS");
	acct_fill(&r, VIGIL_ACCT_START, "s2", "100.64.0.8");
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now + 3000, NULL,
	    err, sizeof err), VIGIL_OK);
	acct_fill(&r, VIGIL_ACCT_START, "s3", "100.64.0.9");
	snprintf(r.imsi, sizeof r.imsi, "310150999999999");
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now + 3000, NULL,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(sessions(fx, NULL, false), 2);
	say("an unknown SIM's session belongs to no tenant");
	assert_int_equal(sessions(fx, fx->a.id, false), 1);
	acct_fill(&r, VIGIL_ACCT_OFF, "", NULL);
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now + 4000, NULL,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(sessions(fx, NULL, false), 0);
	v4("100.64.0.8", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, now + 9000, &who),
	    0);

	say("a record without a session id is refused");
	acct_fill(&r, VIGIL_ACCT_START, "", "100.64.0.7");
	assert_int_equal(vigil_netsession_apply(fx->st, &r, now, NULL, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "Acct-Session-Id"));
}

static void
test_sim_lookup_finds_device_imei_and_allowed_networks(void **state)
{
	struct fx *fx = *state;
	struct vigil_sim_info sim;

	say("the IMSI finds its device, registered IMEI, allowed networks");
	assert_int_equal(vigil_sim_lookup(fx->st, IMSI, &sim), VIGIL_OK);
	assert_true(sim.who.device);
	assert_string_equal(sim.who.device_id, fx->dev_a);
	assert_string_equal(sim.who.tenant, fx->a.id);
	assert_string_equal(sim.imei, IMEI);
	assert_int_equal(sim.nallowed, 2);
	assert_string_equal(sim.allowed[0], "26201");
	assert_string_equal(sim.allowed[1], "26202");
	say("an IMSI no device carries is not found");
	assert_int_equal(vigil_sim_lookup(fx->st, "310150999999999", &sim),
	    VIGIL_ENOTFOUND);
}

static void
test_bindings_most_specific_wins_and_subnets_give_tenant(void **state)
{
	struct fx *fx = *state;
	struct vigil_endpoint who;
	json_t *out = NULL;
	uint8_t addr[16];
	char err[512];

	say("a tenant-only subnet, a device subnet and a device address");
	assert_int_equal(vigil_netbinding_set(fx->st, fx->a.id,
	    "10.1.2.3/16", NULL, "plant-1", &out, err, sizeof err), VIGIL_OK);
	say("host bits are cleared in the canonical cidr");
	assert_string_equal(json_string_value(json_object_get(out, "cidr")),
	    "10.1.0.0/16");
	json_decref(out);
	assert_int_equal(vigil_netbinding_set(fx->st, fx->b.id, "10.1.5.0/24",
	    "meter-1", NULL, NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_netbinding_set(fx->st, fx->a.id, "10.1.5.9",
	    "cam-1", NULL, NULL, err, sizeof err), VIGIL_OK);

	v4("10.1.5.9", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_string_equal(who.device_id, fx->dev_a);
	assert_string_equal(who.model, "Cam X");
	v4("10.1.5.10", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_string_equal(who.device_id, fx->dev_b);
	assert_string_equal(who.tenant, fx->b.id);
	say("a tenant-only subnet: device false, tenant set, via subnet");
	v4("10.1.200.1", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_false(who.device);
	assert_string_equal(who.tenant, fx->a.id);
	assert_string_equal(who.via, "subnet");
	say("outside every binding: unknown");
	v4("10.2.0.1", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 0);
	say("IPv6 bindings work the same way");
	assert_int_equal(vigil_netbinding_set(fx->st, fx->a.id, "fd00:1::/64",
	    "cam-1", NULL, NULL, err, sizeof err), VIGIL_OK);
	memset(addr, 0, sizeof addr);
	assert_int_equal(inet_pton(AF_INET6, "fd00:1::42", addr), 1);
	assert_int_equal(vigil_attribute(fx->st, 6, addr, T0, &who), 1);
	assert_string_equal(who.device_id, fx->dev_a);

	say("each tenant lists its own bindings");
	assert_int_equal(vigil_netbinding_list(fx->st, fx->a.id, &out, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(out, "bindings")), 3);
	json_decref(out);
	assert_int_equal(vigil_netbinding_list(fx->st, NULL, &out, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(out, "bindings")), 4);
	json_decref(out);

	say("delete removes one; the less specific one takes over; the "
	    "attribution generation moves with the delete, not with reads");
	{
		int64_t g0 = 0, g1 = 0;

		assert_int_equal(vigil_attribution_generation(fx->st, &g0),
		    VIGIL_OK);
		assert_int_equal(vigil_attribution_generation(fx->st, &g1),
		    VIGIL_OK);
		assert_int_equal(g0, g1);
		assert_int_equal(vigil_netbinding_delete(fx->st, fx->a.id,
		    "10.1.5.9/32", err, sizeof err), VIGIL_OK);
		assert_int_equal(vigil_attribution_generation(fx->st, &g1),
		    VIGIL_OK);
		assert_true(g1 > g0);
	}
	assert_int_equal(vigil_netbinding_delete(fx->st, fx->a.id,
	    "10.1.5.9/32", err, sizeof err), VIGIL_ENOTFOUND);
	v4("10.1.5.9", addr);
	assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who), 1);
	assert_string_equal(who.device_id, fx->dev_b);

	say("retiring the bound device moves the generation, and its "
	    "subnet falls back to the tenant subnet around it");
	{
		int64_t g0 = 0, g1 = 0;

		assert_int_equal(vigil_attribution_generation(fx->st, &g0),
		    VIGIL_OK);
		assert_int_equal(vigil_device_retire(fx->st, fx->b.id,
		    "meter-1", 0, "test", "scrapped", NULL), VIGIL_OK);
		assert_int_equal(vigil_attribution_generation(fx->st, &g1),
		    VIGIL_OK);
		assert_true(g1 > g0);
		v4("10.1.5.10", addr);
		assert_int_equal(vigil_attribute(fx->st, 4, addr, T0, &who),
		    1);
		assert_false(who.device);
		assert_string_equal(who.tenant, fx->a.id);
	}

	say("bad input is refused with what was wrong");
	assert_int_equal(vigil_netbinding_set(fx->st, fx->a.id, "10.1.0.0/33",
	    NULL, NULL, NULL, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "cidr"));
	assert_int_equal(vigil_netbinding_set(fx->st, fx->a.id, "10.3.0.0/16",
	    "nosuch-1", NULL, NULL, err, sizeof err), VIGIL_ENOTFOUND);
	assert_string_equal(err, "device nosuch-1 not found");
}

static void
test_schema_migrates_from_9_and_from_empty(void **state)
{
	char dir[] = "/tmp/vigil-alertdb-XXXXXX", path[256], err[512];
	struct vigil_store_options o = { NULL, 0, 0, 9 };
	struct vigil_store *st = NULL;
	struct vigil_endpoint who;
	struct vigil_tenant t;
	uint8_t addr[16];
	int v = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.db", dir);
	say("a version 9 database with a tenant migrates to 11 (network "
	    "monitoring, then the attribution generation)");
	assert_int_equal(vigil_store_open(&st, path, &o, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 9);
	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	vigil_store_close(st);
	assert_int_equal(vigil_store_open(&st, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 11);
	assert_int_equal(VIGIL_STORE_SCHEMA_VERSION, 11);
	{
		int64_t g0 = 0, g1 = 0;

		say("the attribution generation starts at 1 and moves with "
		    "a binding");
		assert_int_equal(vigil_attribution_generation(st, &g0),
		    VIGIL_OK);
		assert_int_equal(g0, 1);
		assert_int_equal(vigil_netbinding_set(st, t.id, "10.0.0.0/8",
		    NULL, NULL, NULL, err, sizeof err), VIGIL_OK);
		assert_int_equal(vigil_attribution_generation(st, &g1),
		    VIGIL_OK);
		assert_true(g1 > g0);
	}
	v4("10.4.4.4", addr);
	assert_int_equal(vigil_attribute(st, 4, addr, T0, &who), 1);
	vigil_store_close(st);
	unlink(path);
	say("an empty database migrates straight to 11");
	assert_int_equal(vigil_store_open(&st, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 11);
	vigil_store_close(st);
	unlink(path);
	snprintf(path, sizeof path, "%s/v.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/v.db-shm", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_record_twice_sums_count_and_bounds_samples,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_closed_alert_then_record_opens_a_new_one, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ack_and_close_follow_the_state_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_filters_and_tenant_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_responses_are_shown_with_the_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_shadow_record_list_adopt_and_dismiss, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sessions_attribute_while_open_and_not_after_stop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sim_lookup_finds_device_imei_and_allowed_networks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bindings_most_specific_wins_and_subnets_give_tenant,
		    setup, teardown),
		cmocka_unit_test(test_schema_migrates_from_9_and_from_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
