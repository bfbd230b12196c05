/*
 * Policy documents (src/lib/policy/policy*.c): AWS-IoT-like documents
 * that parse, every refusal with its exact path and reason, the
 * canonical JSON round trip, deep copy, and each lint finding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_internal.h"
#include "vigil/policy.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static struct vigil_policy *
parse_ok(const char *doc)
{
	struct vigil_policy *p = NULL;
	char err[256] = "";

	if (vigil_policy_parse(doc, strlen(doc), &p, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("%s: %s", doc, err);
	assert_non_null(p);
	return p;
}

static const char header_example[] =
    "{\"Version\": \"2026-11-01\",\n"
    " \"Statement\": [\n"
    "   {\"Sid\": \"own-telemetry\", \"Effect\": \"Allow\",\n"
    "    \"Action\": [\"mqtt:Publish\", \"mqtt:Receive\"],\n"
    "    \"Resource\": [\"topic:dev/${device.id}/telemetry/#\"],\n"
    "    \"Condition\": {\"Bool\": {\"vigil:Quarantined\": \"false\"},\n"
    "      \"NumericLessThan\": {\"vigil:RiskScore\": \"80\"}}},\n"
    "   {\"Effect\": \"Allow\", \"Action\": \"mqtt:Subscribe\",\n"
    "    \"Resource\": \"topicfilter:dev/${device.id}/cmd/+\"},\n"
    "   {\"Effect\": \"Allow\", \"Action\": \"mqtt:Connect\",\n"
    "    \"Resource\": \"client:${device.id}\"}]}";

static void
header_example_parses_into_statements(void **state)
{
	struct vigil_policy *p;
	const struct vigil_statement *s;

	(void)state;
	say("the documented example parses: 3 statements, lists, conditions");
	p = parse_ok(header_example);
	assert_string_equal(p->version, "2026-11-01");
	assert_int_equal(p->nstatements, 3);
	s = &p->statements[0];
	assert_string_equal(s->sid, "own-telemetry");
	assert_int_equal(s->effect, VIGIL_EFFECT_ALLOW);
	assert_int_equal(s->nactions, 2);
	assert_string_equal(s->actions[1], "mqtt:Receive");
	assert_int_equal(s->nresources, 1);
	assert_string_equal(s->resources[0],
	    "topic:dev/${device.id}/telemetry/#");
	assert_int_equal(s->nconds, 2);
	assert_int_equal(s->conds[0].op, VIGIL_COND_BOOL);
	assert_string_equal(s->conds[0].key, "vigil:Quarantined");
	assert_string_equal(s->conds[0].values[0], "false");
	assert_int_equal(s->conds[1].op, VIGIL_COND_NUMERIC_LESS_THAN);
	assert_string_equal(s->conds[1].values[0], "80");
	say("a string Action and Resource become one-element lists");
	s = &p->statements[1];
	assert_string_equal(s->sid, "");
	assert_int_equal(s->nactions, 1);
	assert_string_equal(s->actions[0], "mqtt:Subscribe");
	assert_string_equal(s->resources[0],
	    "topicfilter:dev/${device.id}/cmd/+");
	assert_int_equal(p->statements[2].nconds, 0);
	vigil_policy_free(p);
}

static void
aws_like_documents_parse(void **state)
{
	static const char *const docs[] = {
		/* a single statement object, no Version */
		"{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\","
		" \"Resource\": \"*\"}}",
		/* every operator family with typed values */
		"{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
		" [\"api:GetDevice\", \"device:Check*\"], \"Resource\":"
		" [\"api:/v1/devices/${device.id}\", \"device:${cert.urn}\"],"
		" \"Condition\": {"
		"  \"StringEquals\": {\"vigil:Country\": [\"DE\", \"FR\"]},"
		"  \"StringNotLike\": {\"vigil:Country\": \"X?\"},"
		"  \"NumericGreaterThanEquals\": {\"vigil:CertAgeDays\": 0},"
		"  \"NumericLessThanEquals\": {\"vigil:LastCheckinSeconds\":"
		"   3600.5},"
		"  \"Bool\": {\"vigil:FirmwareCurrent\": true},"
		"  \"IpAddress\": {\"vigil:SourceIp\": [\"192.0.2.0/24\","
		"   \"2001:db8::/32\", \"198.51.100.7\"]},"
		"  \"NotIpAddress\": {\"vigil:SourceIp\": \"203.0.113.9\"},"
		"  \"DateGreaterThan\": {\"vigil:Time\":"
		"   \"2026-01-01T00:00:00Z\"},"
		"  \"DateLessThan\": {\"vigil:Time\": 1893456000}}}]}",
		/* labels, tenant, model variables */
		"{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
		" \"mqtt:*\", \"Resource\": [\"topic:${device.tenant}/"
		"${device.model}/${device.label.site}/${client.id}/#\","
		" \"topicfilter:+/x/${device.id}\", \"client:*\"]}]}",
	};

	(void)state;
	say("AWS-like documents with every operator, service and "
	    "variable parse");
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		vigil_policy_free(parse_ok(docs[i]));
}

static void
numbers_and_bools_are_stringified(void **state)
{
	struct vigil_policy *p;

	(void)state;
	say("condition numbers and booleans keep their value as text");
	p = parse_ok("{\"Statement\": {\"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Connect\", \"Resource\": \"client:${client.id}\","
	    " \"Condition\": {\"NumericLessThan\": {\"vigil:RiskScore\":"
	    " [80, 2.5]}, \"Bool\": {\"vigil:Quarantined\": false}}}}");
	assert_int_equal(p->statements[0].conds[0].nvalues, 2);
	assert_string_equal(p->statements[0].conds[0].values[0], "80");
	assert_string_equal(p->statements[0].conds[0].values[1], "2.5");
	assert_string_equal(p->statements[0].conds[1].values[0], "false");
	vigil_policy_free(p);
}

struct refusal {
	const char *doc;
	enum vigil_err rc;
	const char *err;
};

#define ST(body) "{\"Statement\": [{\"Effect\": \"Allow\", " body "}]}"
#define AR "\"Action\": \"mqtt:Publish\", \"Resource\": \"topic:a/b\""

static const struct refusal refusals[] = {
	{ "[1]", VIGIL_EINVAL, "policy: must be a JSON object" },
	{ "{\"Statement\": [], \"Id\": \"x\"}", VIGIL_EINVAL,
	  "Id: unknown key" },
	{ "{\"Version\": 1, \"Statement\": []}", VIGIL_EINVAL,
	  "Version: must be a string" },
	{ "{}", VIGIL_EINVAL, "Statement: missing" },
	{ "{\"Statement\": \"x\"}", VIGIL_EINVAL,
	  "Statement: must be an object or an array" },
	{ "{\"Statement\": []}", VIGIL_EINVAL, "Statement: must not be empty" },
	{ "{\"Statement\": [1]}", VIGIL_EINVAL,
	  "Statement[0]: must be an object" },
	{ ST(AR ", \"Foo\": 1"), VIGIL_EINVAL,
	  "Statement[0].Foo: unknown key" },
	{ ST(AR ", \"NotAction\": \"mqtt:*\""), VIGIL_EUNSUPPORTED,
	  "Statement[0].NotAction: not supported" },
	{ ST(AR ", \"NotResource\": \"*\""), VIGIL_EUNSUPPORTED,
	  "Statement[0].NotResource: not supported" },
	{ ST(AR ", \"Principal\": \"*\""), VIGIL_EUNSUPPORTED,
	  "Statement[0].Principal: not supported" },
	{ ST(AR ", \"Sid\": 3"), VIGIL_EINVAL,
	  "Statement[0].Sid: must be a string" },
	{ "{\"Statement\": {" AR "}}", VIGIL_EINVAL,
	  "Statement[0].Effect: missing" },
	{ "{\"Statement\": {\"Effect\": \"allow\", " AR "}}", VIGIL_EINVAL,
	  "Statement[0].Effect: must be \"Allow\" or \"Deny\"" },
	{ ST("\"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: missing" },
	{ ST("\"Action\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Resource: missing" },
	{ ST("\"Action\": [], \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: must not be empty" },
	{ ST("\"Action\": 5, \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: must be a string or an array of strings" },
	{ ST("\"Action\": [\"*\", 5], \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action[1]: must be a string" },
	{ ST("\"Action\": \"Publish\", \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: 'Publish' is not service:Name" },
	{ ST("\"Action\": [\"*\", \"iot:Publish\"], \"Resource\": \"*\""),
	  VIGIL_EINVAL, "Statement[0].Action[1]: 'iot:Publish': service "
	  "must be mqtt, device or api" },
	{ ST("\"Action\": \"mqtt:Delete\", \"Resource\": \"*\""),
	  VIGIL_EINVAL, "Statement[0].Action: 'mqtt:Delete': MQTT actions "
	  "are Connect, Publish, Subscribe, Receive or *" },
	{ ST("\"Action\": \"api:get-x\", \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: 'api:get-x': action names are letters, "
	  "digits or '*'" },
	{ ST("\"Action\": \"api:\", \"Resource\": \"*\""), VIGIL_EINVAL,
	  "Statement[0].Action: 'api:' has no action name" },
	{ ST("\"Action\": \"*\", \"Resource\": \"dev/a\""), VIGIL_EINVAL,
	  "Statement[0].Resource: 'dev/a' is not \"*\" nor prefixed with "
	  "topic:, topicfilter:, client:, api: or device:" },
	{ ST("\"Action\": \"*\", \"Resource\": [\"*\", \"client:\"]"),
	  VIGIL_EINVAL, "Statement[0].Resource[1]: 'client:' has an empty "
	  "pattern" },
	{ ST("\"Action\": \"*\", \"Resource\": \"topic:a/#/b\""),
	  VIGIL_EINVAL, "Statement[0].Resource: 'topic:a/#/b' is not a "
	  "valid MQTT topic filter" },
	{ ST("\"Action\": \"*\", \"Resource\": \"topicfilter:a/b+\""),
	  VIGIL_EINVAL, "Statement[0].Resource: 'topicfilter:a/b+' is not "
	  "a valid MQTT topic filter" },
	{ ST("\"Action\": \"*\", \"Resource\": \"topic:a/${device.ip}\""),
	  VIGIL_EINVAL, "Statement[0].Resource: unknown variable "
	  "'${device.ip}' in 'a/${device.ip}'" },
	{ ST("\"Action\": \"*\", \"Resource\": \"client:${client.id\""),
	  VIGIL_EINVAL, "Statement[0].Resource: unterminated variable in "
	  "'${client.id'" },
	{ ST("\"Action\": \"*\", \"Resource\": \"api:${device.label.}\""),
	  VIGIL_EINVAL, "Statement[0].Resource: unknown variable "
	  "'${device.label.}' in '${device.label.}'" },
	{ ST(AR ", \"Condition\": []"), VIGIL_EINVAL,
	  "Statement[0].Condition: must be an object of operators" },
	{ ST(AR ", \"Condition\": {\"Bool\": true}"), VIGIL_EINVAL,
	  "Statement[0].Condition.Bool: must be an object of keys" },
	{ ST(AR ", \"Condition\": {\"StringEqualsIfExists\": {}}"),
	  VIGIL_EUNSUPPORTED, "Statement[0].Condition.StringEqualsIfExists: "
	  "*IfExists operators are not supported" },
	{ ST(AR ", \"Condition\": {\"ArnLike\": {}}"), VIGIL_EINVAL,
	  "Statement[0].Condition.ArnLike: unknown condition operator" },
	{ ST(AR ", \"Condition\": {\"Bool\": {\"aws:SecureTransport\":"
	  " \"true\"}}"), VIGIL_EINVAL, "Statement[0].Condition.Bool."
	  "aws:SecureTransport: unknown condition key" },
	{ ST(AR ", \"Condition\": {\"NumericLessThan\": {\"vigil:RiskScore\":"
	  " \"8o\"}}"), VIGIL_EINVAL, "Statement[0].Condition."
	  "NumericLessThan.vigil:RiskScore: '8o' is not a number" },
	{ ST(AR ", \"Condition\": {\"NumericEquals\": {\"vigil:RiskScore\":"
	  " [1, null]}}"), VIGIL_EINVAL, "Statement[0].Condition."
	  "NumericEquals.vigil:RiskScore[1]: must be a string, number or "
	  "boolean" },
	{ ST(AR ", \"Condition\": {\"Bool\": {\"vigil:Quarantined\":"
	  " \"yes\"}}"), VIGIL_EINVAL, "Statement[0].Condition.Bool."
	  "vigil:Quarantined: 'yes' is not true or false" },
	{ ST(AR ", \"Condition\": {\"IpAddress\": {\"vigil:SourceIp\":"
	  " \"10.0.0.0/33\"}}"), VIGIL_EINVAL, "Statement[0].Condition."
	  "IpAddress.vigil:SourceIp: '10.0.0.0/33' is not an IP address or "
	  "CIDR" },
	{ ST(AR ", \"Condition\": {\"DateLessThan\": {\"vigil:Time\":"
	  " \"tomorrow\"}}"), VIGIL_EINVAL, "Statement[0].Condition."
	  "DateLessThan.vigil:Time: 'tomorrow' is not an RFC 3339 time or "
	  "epoch seconds" },
	{ ST("\"Action\": \"*\", \"Resource\": \"client:a\\u0000b\""),
	  VIGIL_EINVAL, "JSON: \\u0000 is not allowed without JSON_ALLOW_NUL "
	  "near '\"client:a\\u0000b\"' at line 1 column 79" },
};

static void
refusals_name_their_path(void **state)
{
	(void)state;
	say("each malformed document is refused with its path and reason");
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const struct refusal *r = &refusals[i];
		struct vigil_policy *p = (struct vigil_policy *)1;
		char err[256] = "";
		enum vigil_err rc;

		rc = vigil_policy_parse(r->doc, strlen(r->doc), &p, err,
		    sizeof err);
		if (rc != r->rc || strcmp(err, r->err) != 0)
			fail_msg("%s\n  got %d '%s'\n  want %d '%s'", r->doc,
			    rc, err, r->rc, r->err);
		assert_null(p);
	}
}

static void
bounds_are_enforced(void **state)
{
	struct vigil_policy *p = NULL;
	char err[256] = "";
	char *doc;
	size_t len, cap = VIGIL_POLICY_DOC_MAX + 64;

	(void)state;
	say("more than 256 statements is a range error");
	doc = malloc(cap);
	assert_non_null(doc);
	len = (size_t)snprintf(doc, cap, "{\"Statement\": [");
	for (int i = 0; i < 257; i++)
		len += (size_t)snprintf(doc + len, cap - len,
		    "%s{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":"
		    "\"*\"}", i ? "," : "");
	len += (size_t)snprintf(doc + len, cap - len, "]}");
	assert_int_equal(vigil_policy_parse(doc, len, &p, err, sizeof err),
	    VIGIL_ERANGE);
	assert_string_equal(err, "Statement: 257 statements, at most 256");
	say("more than 64 actions is a range error");
	len = (size_t)snprintf(doc, cap, "{\"Statement\": {\"Effect\":"
	    "\"Deny\",\"Resource\":\"*\",\"Action\":[");
	for (int i = 0; i < 65; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"*\"",
		    i ? "," : "");
	len += (size_t)snprintf(doc + len, cap - len, "]}}");
	assert_int_equal(vigil_policy_parse(doc, len, &p, err, sizeof err),
	    VIGIL_ERANGE);
	assert_string_equal(err, "Statement[0].Action: 65 entries, at most 64");
	say("a document over 64 KiB is refused before parsing");
	memset(doc, ' ', cap);
	assert_int_equal(vigil_policy_parse(doc, VIGIL_POLICY_DOC_MAX + 1, &p,
	    err, sizeof err), VIGIL_ERANGE);
	assert_null(p);
	free(doc);
	say("duplicate keys are refused by the JSON reader");
	assert_int_not_equal(vigil_policy_parse("{\"Statement\":1,"
	    "\"Statement\":2}", 30, &p, err, sizeof err), VIGIL_OK);
}

static char *
canon(const struct vigil_policy *p)
{
	json_t *j = vigil_policy_to_json(p);
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void
canonical_json_round_trips(void **state)
{
	struct vigil_policy *p, *q;
	char *a, *b;

	(void)state;
	say("to_json renders lists as arrays, values as strings, and "
	    "parses back to the same rendering");
	p = parse_ok(header_example);
	a = canon(p);
	assert_string_equal(a, "{\"Statement\":[{\"Action\":[\"mqtt:Publish\","
	    "\"mqtt:Receive\"],\"Condition\":{\"Bool\":{\"vigil:Quarantined\":"
	    "[\"false\"]},\"NumericLessThan\":{\"vigil:RiskScore\":[\"80\"]}},"
	    "\"Effect\":\"Allow\",\"Resource\":[\"topic:dev/${device.id}/"
	    "telemetry/#\"],\"Sid\":\"own-telemetry\"},{\"Action\":[\"mqtt:"
	    "Subscribe\"],\"Effect\":\"Allow\",\"Resource\":[\"topicfilter:dev"
	    "/${device.id}/cmd/+\"]},{\"Action\":[\"mqtt:Connect\"],\"Effect\":"
	    "\"Allow\",\"Resource\":[\"client:${device.id}\"]}],\"Version\":"
	    "\"2026-11-01\"}");
	q = parse_ok(a);
	b = canon(q);
	assert_string_equal(a, b);
	free(b);
	vigil_policy_free(q);
	say("policy_copy yields the same rendering");
	assert_int_equal(policy_copy(p, &q), VIGIL_OK);
	b = canon(q);
	assert_string_equal(a, b);
	free(a);
	free(b);
	vigil_policy_free(q);
	vigil_policy_free(p);
	assert_string_equal(vigil_cond_op_name(VIGIL_COND_DATE_LESS_THAN),
	    "DateLessThan");
	assert_string_equal(vigil_cond_op_name((enum vigil_cond_op)99), "");
}

struct found {
	size_t n;
	char codes[16][40];
	int stmt[16];
	enum vigil_lint_severity sev[16];
	char msg[16][256];
};

static void
collect(void *ctx, const struct vigil_lint_finding *f)
{
	struct found *fd = ctx;

	if (fd->n < 16) {
		snprintf(fd->codes[fd->n], sizeof fd->codes[0], "%s", f->code);
		fd->stmt[fd->n] = f->statement;
		fd->sev[fd->n] = f->severity;
		snprintf(fd->msg[fd->n], sizeof fd->msg[0], "%s", f->message);
	}
	fd->n++;
}

static void
lint_doc(const char *doc, struct found *fd)
{
	struct vigil_policy *p = parse_ok(doc);
	size_t n;

	memset(fd, 0, sizeof *fd);
	n = vigil_policy_lint(p, collect, fd);
	assert_int_equal(n, fd->n);
	vigil_policy_free(p);
}

static void
lint_scoped_policy_is_clean(void **state)
{
	struct found fd;

	(void)state;
	say("the documented, device-scoped example has no finding");
	lint_doc(header_example, &fd);
	assert_int_equal(fd.n, 0);
	say("Deny statements are never over-permissive");
	lint_doc("{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\","
	    " \"Resource\": [\"*\", \"topic:#\"]}}", &fd);
	assert_int_equal(fd.n, 0);
}

static void
lint_flags_allow_any_action_and_resource(void **state)
{
	struct found fd;

	(void)state;
	say("Allow on mqtt:* and Resource * are critical, named by Sid");
	lint_doc("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Connect\", \"Resource\": \"client:${client.id}\"},"
	    " {\"Sid\": \"all\", \"Effect\": \"Allow\", \"Action\":"
	    " [\"mqtt:Publish\", \"mqtt:*\"], \"Resource\": \"*\"}]}", &fd);
	assert_int_equal(fd.n, 2);
	assert_string_equal(fd.codes[0], "allow-any-action");
	assert_int_equal(fd.sev[0], VIGIL_LINT_CRITICAL);
	assert_int_equal(fd.stmt[0], 1);
	assert_string_equal(fd.msg[0], "Statement[1] (all): Allow on action "
	    "'mqtt:*' grants every action");
	assert_string_equal(fd.codes[1], "allow-any-resource");
	assert_int_equal(fd.sev[1], VIGIL_LINT_CRITICAL);
}

static void
lint_flags_unscoped_wildcards_before_warnings(void **state)
{
	struct found fd;

	(void)state;
	say("'#', a leading '+' and a '#' not under ${device.id} are "
	    "critical; unscoped topics and clients are warnings, after");
	lint_doc("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Subscribe\", \"Resource\": [\"topicfilter:dev/a/x\","
	    " \"topicfilter:#\", \"topicfilter:+/telemetry\","
	    " \"topic:dev/#\", \"topic:dev/${device.id}/#\","
	    " \"client:${cert.urn}\", \"client:gw-*\"]}]}", &fd);
	assert_int_equal(fd.n, 5);
	assert_string_equal(fd.codes[0], "wildcard-topic-unscoped");
	assert_string_equal(fd.msg[0], "Statement[0]: Allow on "
	    "'topicfilter:#' reaches other devices' topics (wildcard not "
	    "under ${device.id} or ${client.id})");
	assert_string_equal(fd.codes[1], "wildcard-topic-unscoped");
	assert_string_equal(fd.codes[2], "wildcard-topic-unscoped");
	assert_non_null(strstr(fd.msg[2], "'topic:dev/#'"));
	assert_string_equal(fd.codes[3], "missing-device-scope");
	assert_int_equal(fd.sev[3], VIGIL_LINT_WARNING);
	assert_string_equal(fd.msg[3], "Statement[0]: Allow on "
	    "'topicfilter:dev/a/x' is not scoped by ${device.id}, "
	    "${client.id} or ${cert.urn}");
	assert_string_equal(fd.codes[4], "missing-device-scope");
	assert_non_null(strstr(fd.msg[4], "'client:gw-*'"));
}

static void
lint_flags_conditions_never_true(void **state)
{
	struct found fd;

	(void)state;
	say("LessThan 10 with GreaterThan 20 on one key never holds");
	lint_doc("{\"Statement\": {\"Sid\": \"dead\", \"Effect\": \"Allow\","
	    " \"Action\": \"mqtt:Connect\", \"Resource\":"
	    " \"client:${client.id}\", \"Condition\": {"
	    " \"NumericLessThan\": {\"vigil:RiskScore\": 10},"
	    " \"NumericGreaterThan\": {\"vigil:RiskScore\": \"20\"}}}}", &fd);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.codes[0], "condition-never-true");
	assert_string_equal(fd.msg[0], "Statement[0] (dead): vigil:RiskScore "
	    "must be > 20 and < 10 at once: never true");
	say("LessThan 10 with GreaterThanEquals 10 never holds; "
	    "LessThanEquals 10 with GreaterThanEquals 10 can");
	lint_doc(ST("\"Action\": \"*\", \"Resource\": \"api:/x\", "
	    "\"Condition\": {\"NumericLessThan\": {\"vigil:CertAgeDays\": 10},"
	    " \"NumericGreaterThanEquals\": {\"vigil:CertAgeDays\": 10}}"),
	    &fd);
	assert_int_equal(fd.n, 2);
	assert_string_equal(fd.codes[1], "condition-never-true");
	lint_doc(ST("\"Action\": \"api:Get\", \"Resource\": \"api:/x\", "
	    "\"Condition\": {\"NumericLessThanEquals\": {\"vigil:CertAgeDays\":"
	    " 10}, \"NumericGreaterThanEquals\": {\"vigil:CertAgeDays\": 10}}"),
	    &fd);
	assert_int_equal(fd.n, 0);
	say("StringEquals with an empty value list never holds; "
	    "StringNotEquals with one always does");
	lint_doc(ST("\"Action\": \"api:Get\", \"Resource\": \"api:/x\", "
	    "\"Condition\": {\"StringEquals\": {\"vigil:Country\": []},"
	    " \"StringNotEquals\": {\"vigil:Country\": []}}"), &fd);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.msg[0], "Statement[0]: StringEquals on "
	    "vigil:Country has an empty value list: never true");
}

static void
lint_flags_allow_shadowed_by_deny(void **state)
{
	struct found fd;

	(void)state;
	say("an Allow entirely covered by an unconditional Deny is "
	    "deny-shadowed; a conditional Deny shadows nothing");
	lint_doc("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Publish\", \"Resource\": \"topic:dev/${device.id}/t\"},"
	    " {\"Sid\": \"freeze\", \"Effect\": \"Deny\", \"Action\":"
	    " \"mqtt:*\", \"Resource\": \"topic:#\"},"
	    " {\"Effect\": \"Allow\", \"Action\": \"mqtt:Connect\","
	    " \"Resource\": \"client:${client.id}\"}]}", &fd);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.codes[0], "deny-shadowed");
	assert_int_equal(fd.stmt[0], 0);
	assert_string_equal(fd.msg[0], "Statement[0]: Allow on "
	    "'topic:dev/${device.id}/t' never applies: Statement[1] (freeze) "
	    "denies all of it unconditionally");
	lint_doc("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
	    " \"mqtt:Publish\", \"Resource\": \"topic:dev/${device.id}/t\"},"
	    " {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\":"
	    " \"*\", \"Condition\": {\"Bool\": {\"vigil:Quarantined\":"
	    " true}}}]}", &fd);
	assert_int_equal(fd.n, 0);
}

static void
numbers_are_decimal_and_reals_shortest(void **state)
{
	struct vigil_policy *p = NULL;
	char err[256] = "";
	static const char hex[] = ST(AR ", \"Condition\": {\"NumericEquals\":"
	    " {\"vigil:RiskScore\": \"0x10\"}}");

	(void)state;
	say("hex and nan are not numbers, though strtod takes them");
	assert_int_equal(vigil_policy_parse(hex, strlen(hex), &p, err,
	    sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "Statement[0].Condition.NumericEquals."
	    "vigil:RiskScore: '0x10' is not a number");
	say("a JSON real is kept in its shortest exact form");
	p = parse_ok(ST(AR ", \"Condition\": {\"NumericEquals\":"
	    " {\"vigil:RiskScore\": [0.1, -1.5e3, \"2e-2\"]}}"));
	assert_string_equal(p->statements[0].conds[0].values[0], "0.1");
	assert_string_equal(p->statements[0].conds[0].values[1], "-1500");
	assert_string_equal(p->statements[0].conds[0].values[2], "2e-2");
	vigil_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_example_parses_into_statements),
		cmocka_unit_test(aws_like_documents_parse),
		cmocka_unit_test(numbers_and_bools_are_stringified),
		cmocka_unit_test(refusals_name_their_path),
		cmocka_unit_test(bounds_are_enforced),
		cmocka_unit_test(canonical_json_round_trips),
		cmocka_unit_test(lint_scoped_policy_is_clean),
		cmocka_unit_test(lint_flags_allow_any_action_and_resource),
		cmocka_unit_test(lint_flags_unscoped_wildcards_before_warnings),
		cmocka_unit_test(lint_flags_conditions_never_true),
		cmocka_unit_test(lint_flags_allow_shadowed_by_deny),
		cmocka_unit_test(numbers_are_decimal_and_reals_shortest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
