/*
 * The decision point (src/lib/policy/pdp*.c) and the MQTT topic helpers
 * (mqtt_topic.c): topic matching and filter covering tables, device
 * scoping with variables, wildcard injection through variables, Deny
 * over Allow, default deny and explain reasons, every condition
 * operator incl. absent keys, CIDR and dates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/policy.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* A set built from one JSON policy document named name. */
static struct vigil_pdp *
pdp_of(const char *name, const char *json)
{
	struct vigil_policy *p = NULL;
	struct vigil_pdp *pdp = NULL;
	char err[256] = "";

	if (vigil_policy_parse(json, strlen(json), &p, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("parse: %s\n%s", err, json);
	assert_int_equal(vigil_pdp_new(&pdp), VIGIL_OK);
	assert_int_equal(vigil_pdp_add(pdp, name, p), VIGIL_OK);
	vigil_policy_free(p);
	assert_int_equal(vigil_pdp_build(pdp), VIGIL_OK);
	return pdp;
}

static struct vigil_pdp_request
rq_of(const char *device, const char *action, const char *resource)
{
	struct vigil_pdp_request rq;

	memset(&rq, 0, sizeof rq);
	rq.device_id = device;
	rq.client_id = device;
	rq.action = action;
	rq.resource = resource;
	return rq;
}

static struct vigil_decision
decide(const struct vigil_pdp *pdp, const struct vigil_pdp_request *rq)
{
	struct vigil_decision d;

	assert_int_equal(vigil_pdp_decide(pdp, rq, &d), VIGIL_OK);
	return d;
}

static int
allowed(const struct vigil_pdp *pdp, const char *device, const char *action,
    const char *resource)
{
	struct vigil_pdp_request rq = rq_of(device, action, resource);

	return decide(pdp, &rq).effect == VIGIL_EFFECT_ALLOW;
}

static void
topic_matching_table(void **state)
{
	static const struct {
		const char *filter, *topic;
		int match;
	} t[] = {
		{ "a/b/c", "a/b/c", 1 },
		{ "a/b/c", "a/b", 0 },
		{ "a/b", "a/b/c", 0 },
		{ "a/+/c", "a/x/c", 1 },
		{ "a/+/c", "a/x/y/c", 0 },
		{ "a/+", "a/", 1 },          /* empty level */
		{ "a/+", "a", 0 },
		{ "+/+", "/x", 1 },
		{ "/+", "/x", 1 },
		{ "+", "/x", 0 },
		{ "a//c", "a//c", 1 },
		{ "a/#", "a", 1 },           /* parent */
		{ "a/#", "a/b/c", 1 },
		{ "a/#", "ab", 0 },
		{ "#", "a/b", 1 },
		{ "#", "/", 1 },
		{ "#", "$SYS/x", 0 },        /* $-topics vs leading wildcard */
		{ "+/x", "$SYS/x", 0 },
		{ "$SYS/#", "$SYS/x", 1 },
		{ "$SYS/+", "$SYS/x", 1 },
		{ "a/#/b", "a/x/b", 0 },     /* invalid filters */
		{ "a/b#", "a/b#", 0 },
		{ "a+/b", "a+/b", 0 },
		{ "", "", 0 },
		{ "a/+", "a/+", 0 },         /* wildcard in a topic name */
		{ "Sport", "sport", 0 },
	};
	char err[128];

	(void)state;
	say("'+' is one whole level, '#' the rest incl. the parent");
	say("empty levels count; $SYS not matched by a leading wildcard");
	say("invalid filters and names with wildcards match nothing");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (vigil_mqtt_topic_matches(t[i].filter, t[i].topic) !=
		    t[i].match)
			fail_msg("'%s' vs '%s': expected %d", t[i].filter,
			    t[i].topic, t[i].match);
	say("vigil_mqtt_check says what is wrong and where");
	assert_int_equal(vigil_mqtt_check("a/b#", 1, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "offset 3"));
	assert_int_equal(vigil_mqtt_check("a/#/b", 1, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "last level"));
	assert_int_equal(vigil_mqtt_check("a/+", 0, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_mqtt_check("", 1, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_mqtt_check("a/+/#", 1, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_mqtt_check("a//b", 0, err, sizeof err),
	    VIGIL_OK);
	say("names are UTF-8: 'caf\\xc3\\xa9' passes, a lone 0xff does not");
	assert_int_equal(vigil_mqtt_check("caf\xc3\xa9/x", 0, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_mqtt_check("a/\xff", 0, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "offset 2"));
	{
		char *big = malloc(65537);

		assert_non_null(big);
		memset(big, 'a', 65536);
		big[65536] = '\0';
		say("a name longer than 65535 bytes is refused");
		assert_int_equal(vigil_mqtt_check(big, 0, NULL, 0),
		    VIGIL_EINVAL);
		big[65535] = '\0';
		assert_int_equal(vigil_mqtt_check(big, 0, NULL, 0), VIGIL_OK);
		free(big);
	}
}

static void
filter_covering_table(void **state)
{
	static const struct {
		const char *outer, *inner;
		int covers;
	} t[] = {
		{ "dev/a/#", "dev/a/+/x", 1 },
		{ "dev/a/#", "dev/a/#", 1 },
		{ "dev/a/#", "dev/a", 1 },
		{ "dev/a/#", "#", 0 },
		{ "dev/a/#", "dev/+/x", 0 },
		{ "dev/+/x", "dev/a/x", 1 },
		{ "dev/+/x", "dev/+/x", 1 },
		{ "dev/+/x", "dev/#", 0 },
		{ "dev/+", "dev/a/b", 0 },
		{ "#", "a/+/#", 1 },
		{ "#", "$SYS/#", 0 },
		{ "+/#", "$SYS/x", 0 },
		{ "$SYS/#", "$SYS/+", 1 },
		{ "a/b", "a/b", 1 },
		{ "a/b", "a/+", 0 },
		{ "a/#", "a/b#", 0 },
	};

	(void)state;
	say("a filter covers another when every topic of the inner matches");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (vigil_mqtt_filter_covers(t[i].outer, t[i].inner) !=
		    t[i].covers)
			fail_msg("'%s' covers '%s': expected %d", t[i].outer,
			    t[i].inner, t[i].covers);
}

static const char *device_doc =
    "{\"Version\": \"2026-11-01\", \"Statement\": ["
    "{\"Sid\": \"own-telemetry\", \"Effect\": \"Allow\","
    " \"Action\": [\"mqtt:Publish\", \"mqtt:Receive\"],"
    " \"Resource\": [\"topic:dev/${device.id}/telemetry/#\"]},"
    "{\"Effect\": \"Allow\", \"Action\": \"mqtt:Subscribe\","
    " \"Resource\": \"topicfilter:dev/${device.id}/#\"},"
    "{\"Effect\": \"Allow\", \"Action\": \"mqtt:Connect\","
    " \"Resource\": \"client:${device.id}\"}]}";

static void
device_scoped_topics(void **state)
{
	struct vigil_pdp *pdp = pdp_of("dev-base", device_doc);
	struct vigil_pdp_request rq;
	struct vigil_decision d;

	(void)state;
	say("device A publishes on its own topic: allowed, reason names it");
	rq = rq_of("a", "mqtt:Publish", "topic:dev/a/telemetry/temp");
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(d.policy, "dev-base");
	assert_int_equal(d.statement, 0);
	assert_string_equal(d.sid, "own-telemetry");
	assert_string_equal(d.reason,
	    "allowed by dev-base[0] (own-telemetry)");
	assert_true(allowed(pdp, "a", "mqtt:Publish", "topic:dev/a/telemetry"));
	say("device A on device B's topic: denied");
	assert_false(allowed(pdp, "a", "mqtt:Publish",
	    "topic:dev/b/telemetry/temp"));
	say("the resource type must match the pattern's type");
	assert_false(allowed(pdp, "a", "mqtt:Publish",
	    "topicfilter:dev/a/telemetry/temp"));
	assert_false(allowed(pdp, "a", "mqtt:Publish",
	    "client:dev/a/telemetry/temp"));
	say("subscribing: own subtree allowed, '#' and others' denied");
	assert_true(allowed(pdp, "a", "mqtt:Subscribe", "topicfilter:dev/a/#"));
	assert_true(allowed(pdp, "a", "mqtt:Subscribe",
	    "topicfilter:dev/a/+/x"));
	assert_false(allowed(pdp, "a", "mqtt:Subscribe", "topicfilter:#"));
	assert_false(allowed(pdp, "a", "mqtt:Subscribe",
	    "topicfilter:dev/+/x"));
	assert_false(allowed(pdp, "a", "mqtt:Subscribe", "topicfilter:dev/#"));
	say("client: patterns substitute the device id");
	assert_true(allowed(pdp, "a", "mqtt:Connect", "client:a"));
	assert_false(allowed(pdp, "a", "mqtt:Connect", "client:b"));
	say("a missing device id matches nothing (never everything)");
	assert_false(allowed(pdp, NULL, "mqtt:Publish",
	    "topic:dev//telemetry/x"));
	assert_false(allowed(pdp, "", "mqtt:Connect", "client:"));
	vigil_pdp_free(pdp);
}

static void
variable_injection_cannot_widen(void **state)
{
	struct vigil_pdp *pdp = pdp_of("dev-base", device_doc);
	struct vigil_pdp *g = pdp_of("glob",
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": \"api:*\","
	    " \"Resource\": \"api:/v1/devices/${device.id}/*\"}]}");

	(void)state;
	say("device id '+' subscribing dev/+/#: denied (literal level)");
	assert_false(allowed(pdp, "+", "mqtt:Subscribe",
	    "topicfilter:dev/+/#"));
	assert_false(allowed(pdp, "+", "mqtt:Publish",
	    "topic:dev/b/telemetry/x"));
	say("device id '#' cannot reach other devices");
	assert_false(allowed(pdp, "#", "mqtt:Subscribe", "topicfilter:dev/#"));
	assert_false(allowed(pdp, "#", "mqtt:Publish",
	    "topic:dev/b/telemetry/x"));
	say("device id 'a/#' is one literal level, not a separator");
	assert_false(allowed(pdp, "a/#", "mqtt:Subscribe",
	    "topicfilter:dev/a/#"));
	assert_false(allowed(pdp, "a/#", "mqtt:Publish",
	    "topic:dev/a/telemetry/x"));
	assert_false(allowed(pdp, "b/telemetry", "mqtt:Publish",
	    "topic:dev/b/telemetry/telemetry/x"));
	say("device id '*' in a glob pattern is literal");
	assert_false(allowed(g, "*", "api:Get", "api:/v1/devices/b/x"));
	assert_true(allowed(g, "*", "api:Get", "api:/v1/devices/*/x"));
	assert_true(allowed(g, "b", "api:Get", "api:/v1/devices/b/x/y"));
	vigil_pdp_free(pdp);
	vigil_pdp_free(g);
}

static void
other_variables_are_substituted(void **state)
{
	struct vigil_pdp *pdp = pdp_of("vars",
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": \"mqtt:Publish\","
	    " \"Resource\": [\"topic:t/${device.tenant}/m/${device.model}/+\","
	    " \"topic:site/${device.label.site}/${client.id}\","
	    " \"topic:u/x-${cert.urn}-y\"]}]}");
	struct vigil_pdp_kv labels[] = { { "site", "ber" } };
	struct vigil_pdp_request rq = rq_of("a", "mqtt:Publish",
	    "topic:t/acme/m/m1/x");

	(void)state;
	say("tenant and model substituted level by level");
	rq.tenant = "acme";
	rq.model = "m1";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_ALLOW);
	rq.model = "m2";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	say("labels by key; a missing label matches nothing");
	rq.resource = "topic:site/ber/a";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	rq.nlabels = 1;
	rq.labels = labels;
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_ALLOW);
	rq.resource = "topic:site/muc/a";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	say("a variable inside a level, with literal text around it");
	rq.resource = "topic:u/x-urn:dev:1-y";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	rq.cert_urn = "urn:dev:1";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_ALLOW);
	rq.resource = "topic:u/x-urn:dev:1-yz";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	vigil_pdp_free(pdp);
}

static void
deny_overrides_allow_and_default_deny(void **state)
{
	struct vigil_pdp *pdp = pdp_of("dev-base", device_doc);
	struct vigil_policy *q = NULL;
	const char *qdoc =
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\","
	    " \"Condition\": {\"Bool\": {\"vigil:Quarantined\": \"false\"}}},"
	    "{\"Sid\": \"q\", \"Effect\": \"Deny\", \"Action\": \"mqtt:*\","
	    " \"Resource\": \"*\","
	    " \"Condition\": {\"Bool\": {\"vigil:Quarantined\": \"true\"}}}]}";
	struct vigil_pdp_kv kv[] = { { "vigil:Quarantined", "true" } };
	struct vigil_pdp_request rq;
	struct vigil_decision d;
	char err[256] = "";

	(void)state;
	say("default deny says what was asked");
	rq = rq_of("a", "mqtt:Publish", "topic:x");
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_DENY);
	assert_int_equal(d.statement, -1);
	assert_string_equal(d.policy, "");
	assert_string_equal(d.reason,
	    "no statement allows mqtt:Publish on topic:x (default deny)");
	if (vigil_policy_parse(qdoc, strlen(qdoc), &q, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("%s", err);
	assert_int_equal(vigil_pdp_add(pdp, "quarantine", q), VIGIL_OK);
	vigil_policy_free(q);
	say("deciding before build is refused (state)");
	assert_int_equal(vigil_pdp_decide(pdp, &rq, &d), VIGIL_ESTATE);
	assert_int_equal(d.effect, VIGIL_EFFECT_DENY);
	assert_int_equal(vigil_pdp_build(pdp), VIGIL_OK);
	say("an explicit Deny overrides the earlier Allow");
	rq = rq_of("a", "mqtt:Publish", "topic:dev/a/telemetry/t");
	rq.nctx = 1;
	rq.ctx = kv;
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(d.policy, "quarantine");
	assert_int_equal(d.statement, 1);
	assert_string_equal(d.reason, "denied by quarantine[1] (q)");
	say("the Deny does not reach api: actions (mqtt:* only)");
	rq.action = "api:Get";
	rq.resource = "api:/v1/x";
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_DENY);
	kv[0].value = "false";
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(d.reason, "allowed by quarantine[0]");
	say("with the Deny's condition false, the first Allow decides");
	rq.action = "mqtt:Publish";
	rq.resource = "topic:dev/a/telemetry/t";
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_ALLOW);
	assert_string_equal(d.policy, "dev-base");
	vigil_pdp_free(pdp);
}

static void
failed_condition_is_explained(void **state)
{
	struct vigil_pdp *pdp = pdp_of("risk",
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": \"mqtt:Publish\","
	    " \"Resource\": \"topic:dev/${device.id}/#\","
	    " \"Condition\": {\"NumericLessThan\":"
	    " {\"vigil:RiskScore\": \"80\"}}}]}");
	struct vigil_pdp_kv kv[] = { { "vigil:RiskScore", "93" } };
	struct vigil_pdp_request rq = rq_of("a", "mqtt:Publish",
	    "topic:dev/a/x");
	struct vigil_decision d;

	(void)state;
	say("an Allow whose condition failed is named in the reason");
	rq.nctx = 1;
	rq.ctx = kv;
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(d.reason,
	    "condition vigil:RiskScore NumericLessThan 80 failed (value 93)");
	say("an absent key is said as absent");
	rq.nctx = 0;
	d = decide(pdp, &rq);
	assert_string_equal(d.reason,
	    "condition vigil:RiskScore NumericLessThan 80 failed (absent)");
	kv[0].value = "12";
	rq.nctx = 1;
	assert_int_equal(decide(pdp, &rq).effect, VIGIL_EFFECT_ALLOW);
	vigil_pdp_free(pdp);
}

/* Decision of a one-condition Allow for ctx key=value (NULL: absent). */
static int
cond_allows(const char *op, const char *key, const char *pvalue,
    const char *cvalue, int64_t now_ms)
{
	char doc[512];
	struct vigil_pdp *pdp;
	struct vigil_pdp_kv kv = { key, cvalue };
	struct vigil_pdp_request rq = rq_of("a", "mqtt:Connect", "client:a");
	int r;

	snprintf(doc, sizeof doc,
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Effect\": \"Allow\", \"Action\": \"mqtt:Connect\","
	    " \"Resource\": \"client:${client.id}\","
	    " \"Condition\": {\"%s\": {\"%s\": %s}}}]}", op, key, pvalue);
	pdp = pdp_of("c", doc);
	rq.nctx = cvalue != NULL ? 1 : 0;
	rq.ctx = &kv;
	rq.now_ms = now_ms;
	r = decide(pdp, &rq).effect == VIGIL_EFFECT_ALLOW;
	vigil_pdp_free(pdp);
	return r;
}

static void
condition_operators(void **state)
{
	const char *C = "vigil:Country", *R = "vigil:RiskScore";
	const char *Q = "vigil:Quarantined", *T = "vigil:Time";

	(void)state;
	say("StringEquals: any value; absent key false");
	assert_true(cond_allows("StringEquals", C, "[\"DE\", \"FR\"]", "FR",
	    0));
	assert_false(cond_allows("StringEquals", C, "\"DE\"", "de", 0));
	assert_false(cond_allows("StringEquals", C, "\"DE\"", NULL, 0));
	say("StringNotEquals: no value matches; absent key true");
	assert_true(cond_allows("StringNotEquals", C, "[\"DE\", \"FR\"]",
	    "US", 0));
	assert_false(cond_allows("StringNotEquals", C, "[\"DE\", \"FR\"]",
	    "DE", 0));
	assert_true(cond_allows("StringNotEquals", C, "\"DE\"", NULL, 0));
	say("StringLike/NotLike: '*' and '?'");
	assert_true(cond_allows("StringLike", C, "\"D?\"", "DE", 0));
	assert_true(cond_allows("StringLike", C, "\"*\"", "", 0));
	assert_false(cond_allows("StringLike", C, "\"D?\"", "DEU", 0));
	assert_true(cond_allows("StringNotLike", C, "\"D*\"", "FR", 0));
	assert_false(cond_allows("StringNotLike", C, "\"D*\"", "DE", 0));
	assert_true(cond_allows("StringNotLike", C, "\"D*\"", NULL, 0));
	say("Numeric*: compared as doubles; junk and NaN fail");
	assert_true(cond_allows("NumericEquals", R, "\"80\"", "80.0", 0));
	assert_true(cond_allows("NumericNotEquals", R, "\"80\"", "81", 0));
	assert_false(cond_allows("NumericNotEquals", R, "\"80\"", "80", 0));
	assert_true(cond_allows("NumericNotEquals", R, "\"80\"", NULL, 0));
	assert_true(cond_allows("NumericLessThan", R, "\"80\"", "79.5", 0));
	assert_false(cond_allows("NumericLessThan", R, "\"80\"", "80", 0));
	assert_true(cond_allows("NumericLessThanEquals", R, "\"80\"", "80",
	    0));
	assert_true(cond_allows("NumericGreaterThan", R, "\"80\"", "81", 0));
	assert_false(cond_allows("NumericGreaterThan", R, "\"80\"", "80", 0));
	assert_true(cond_allows("NumericGreaterThanEquals", R, "\"80\"", "80",
	    0));
	assert_false(cond_allows("NumericLessThan", R, "\"80\"", "nan", 0));
	assert_false(cond_allows("NumericLessThan", R, "\"80\"", "8o", 0));
	assert_false(cond_allows("NumericNotEquals", R, "\"80\"", "8o", 0));
	assert_false(cond_allows("NumericLessThan", R, "\"80\"", NULL, 0));
	say("Bool: 'true'/'false' only");
	assert_true(cond_allows("Bool", Q, "\"false\"", "false", 0));
	assert_false(cond_allows("Bool", Q, "\"false\"", "true", 0));
	assert_false(cond_allows("Bool", Q, "\"false\"", "no", 0));
	assert_false(cond_allows("Bool", Q, "\"false\"", NULL, 0));
	say("Date*: RFC 3339 or epoch seconds; vigil:Time from now_ms");
	assert_true(cond_allows("DateLessThan", T,
	    "\"2027-01-01T00:00:00Z\"", NULL, 1700000000000LL));
	assert_false(cond_allows("DateGreaterThan", T,
	    "\"2027-01-01T00:00:00Z\"", NULL, 1700000000000LL));
	assert_true(cond_allows("DateEquals", T, "\"1700000000\"", NULL,
	    1700000000000LL));
	assert_true(cond_allows("DateNotEquals", T, "\"1700000001\"", NULL,
	    1700000000000LL));
	assert_true(cond_allows("DateGreaterThanEquals", T,
	    "\"2023-11-14T22:13:20Z\"", NULL, 1700000000000LL));
	assert_true(cond_allows("DateLessThanEquals", T,
	    "\"2023-11-14T22:13:20Z\"", NULL, 1700000000000LL));
	assert_false(cond_allows("DateLessThan", T, "\"2023-11-14T22:13:20Z\"",
	    NULL, 1700000000000LL));
	say("vigil:Time 0 means now");
	assert_true(cond_allows("DateGreaterThan", T, "\"1700000000\"", NULL,
	    0));
}

static void
ip_address_cidr(void **state)
{
	const char *S = "vigil:SourceIp";

	(void)state;
	say("IpAddress: IPv4 CIDR and single address");
	assert_true(cond_allows("IpAddress", S, "\"192.0.2.0/24\"",
	    "192.0.2.7", 0));
	assert_false(cond_allows("IpAddress", S, "\"192.0.2.0/24\"",
	    "192.0.3.7", 0));
	assert_true(cond_allows("IpAddress", S, "\"10.0.0.0/9\"",
	    "10.127.1.1", 0));
	assert_false(cond_allows("IpAddress", S, "\"10.0.0.0/9\"",
	    "10.128.1.1", 0));
	assert_true(cond_allows("IpAddress", S, "\"192.0.2.7\"", "192.0.2.7",
	    0));
	assert_true(cond_allows("IpAddress", S, "\"0.0.0.0/0\"", "8.8.8.8",
	    0));
	say("IpAddress: IPv6; a v4 value never matches a v6 CIDR");
	assert_true(cond_allows("IpAddress", S, "\"2001:db8::/32\"",
	    "2001:db8:1::5", 0));
	assert_false(cond_allows("IpAddress", S, "\"2001:db8::/33\"",
	    "2001:db8:8000::5", 0));
	assert_false(cond_allows("IpAddress", S, "\"::/0\"", "192.0.2.7", 0));
	assert_false(cond_allows("IpAddress", S, "\"::ffff:0:0/96\"",
	    "192.0.2.7", 0));
	say("NotIpAddress: outside every range; absent true; junk false");
	assert_true(cond_allows("NotIpAddress", S,
	    "[\"10.0.0.0/8\", \"2001:db8::/32\"]", "192.0.2.7", 0));
	assert_false(cond_allows("NotIpAddress", S, "\"10.0.0.0/8\"",
	    "10.1.2.3", 0));
	assert_true(cond_allows("NotIpAddress", S, "\"10.0.0.0/8\"", NULL,
	    0));
	assert_false(cond_allows("NotIpAddress", S, "\"10.0.0.0/8\"",
	    "not-an-ip", 0));
	assert_false(cond_allows("IpAddress", S, "\"10.0.0.0/8\"",
	    "10.0.0.1/8", 0));
}

static void
index_keeps_order_and_finds_all(void **state)
{
	struct vigil_pdp *pdp = NULL;
	struct vigil_policy *p = NULL;
	char err[256] = "";
	const char *docs[] = {
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Sid\": \"one\", \"Effect\": \"Allow\", \"Action\": \"*\","
	    " \"Resource\": \"topic:+/x\"},"
	    "{\"Sid\": \"two\", \"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Publish\","
	    " \"Resource\": [\"topic:a/x\", \"topic:a/#\"]}]}",
	    "{\"Version\": \"2026-11-01\", \"Statement\": ["
	    "{\"Sid\": \"three\", \"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Publish\", \"Resource\": \"topic:a/b/c\"},"
	    "{\"Sid\": \"four\", \"Effect\": \"Deny\", \"Action\":"
	    " \"mqtt:Publish\", \"Resource\": \"topic:a/b/c/d\"}]}",
	};
	struct vigil_pdp_request rq;
	struct vigil_decision d;

	(void)state;
	assert_int_equal(vigil_pdp_new(&pdp), VIGIL_OK);
	for (size_t i = 0; i < 2; i++) {
		char name[8];

		if (vigil_policy_parse(docs[i], strlen(docs[i]), &p, err,
		    sizeof err) != VIGIL_OK)
			fail_msg("%s", err);
		snprintf(name, sizeof name, "p%zu", i);
		assert_int_equal(vigil_pdp_add(pdp, name, p), VIGIL_OK);
		vigil_policy_free(p);
	}
	assert_int_equal(vigil_pdp_build(pdp), VIGIL_OK);
	say("the first matching Allow in add order decides");
	rq = rq_of("a", "mqtt:Publish", "topic:a/x");
	d = decide(pdp, &rq);
	assert_string_equal(d.sid, "one");
	rq.resource = "topic:a/b/c";
	assert_string_equal(decide(pdp, &rq).sid, "two");
	say("a Deny deeper in the topic trie is found");
	rq.resource = "topic:a/b/c/d";
	d = decide(pdp, &rq);
	assert_int_equal(d.effect, VIGIL_EFFECT_DENY);
	assert_string_equal(d.sid, "four");
	say("rebuilding after another add keeps working");
	assert_int_equal(vigil_pdp_build(pdp), VIGIL_OK);
	assert_string_equal(decide(pdp, &rq).sid, "four");
	vigil_pdp_free(pdp);
	vigil_pdp_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(topic_matching_table),
		cmocka_unit_test(filter_covering_table),
		cmocka_unit_test(device_scoped_topics),
		cmocka_unit_test(variable_injection_cannot_widen),
		cmocka_unit_test(other_variables_are_substituted),
		cmocka_unit_test(deny_overrides_allow_and_default_deny),
		cmocka_unit_test(failed_condition_is_explained),
		cmocka_unit_test(condition_operators),
		cmocka_unit_test(ip_address_cidr),
		cmocka_unit_test(index_keeps_order_and_finds_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
