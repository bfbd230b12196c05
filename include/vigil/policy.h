/*
 * vigil/policy.h — the zero-trust policy language and decision point
 * (issue 5, first part: the library). Policy documents are JSON in the
 * shape of AWS IoT policies:
 *
 *   {"Version": "2026-11-01",
 *    "Statement": [
 *      {"Sid": "own-telemetry", "Effect": "Allow",
 *       "Action": ["mqtt:Publish", "mqtt:Receive"],
 *       "Resource": ["topic:dev/${device.id}/telemetry/#"],
 *       "Condition": {"Bool": {"vigil:Quarantined": "false"},
 *                     "NumericLessThan": {"vigil:RiskScore": "80"}}},
 *      {"Effect": "Allow", "Action": "mqtt:Subscribe",
 *       "Resource": "topicfilter:dev/${device.id}/cmd/+"},
 *      {"Effect": "Allow", "Action": "mqtt:Connect",
 *       "Resource": "client:${device.id}"}]}
 *
 * Resources are typed by prefix: "topic:" (an MQTT topic filter that
 * the published or received topic must match), "topicfilter:" (a
 * filter that must cover the filter a client subscribes to: "dev/a/#"
 * covers "dev/a/+/x", never "#"), "client:" (the MQTT client id),
 * "api:" (an API path pattern), "device:" (a gateway resource), or "*".
 * '*' inside a non-topic pattern matches any run of characters.
 * Policy variables ${device.id}, ${device.tenant}, ${device.model},
 * ${device.label.<key>}, ${cert.urn}, ${client.id} are substituted from
 * the request; a variable the request lacks makes that resource match
 * nothing (never "everything"). Substituted values that contain MQTT
 * wildcards (+ # /) never act as wildcards.
 *
 * Decision: explicit Deny overrides Allow; no matching Allow is a
 * deny (default deny). Errors say what and where:
 * "Statement[2].Condition.NumericLessThan.vigil:RiskScore: '8o' is not
 * a number".
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_POLICY_DOC_MAX (64u << 10) /* bytes per policy document */
#define VIGIL_POLICY_STATEMENTS_MAX 256  /* statements per document */
#define VIGIL_POLICY_VALUES_MAX 64 /* actions/resources/values per list */

enum vigil_effect {
	VIGIL_EFFECT_DENY = 0, /* also the default decision */
	VIGIL_EFFECT_ALLOW = 1,
};

/* Condition operators (AWS IAM names). *IfExists variants are not
 * supported (refused with a clear error). */
enum vigil_cond_op {
	VIGIL_COND_STRING_EQUALS = 1,
	VIGIL_COND_STRING_NOT_EQUALS,
	VIGIL_COND_STRING_LIKE,     /* '*' and '?' wildcards */
	VIGIL_COND_STRING_NOT_LIKE,
	VIGIL_COND_NUMERIC_EQUALS,
	VIGIL_COND_NUMERIC_NOT_EQUALS,
	VIGIL_COND_NUMERIC_LESS_THAN,
	VIGIL_COND_NUMERIC_LESS_THAN_EQUALS,
	VIGIL_COND_NUMERIC_GREATER_THAN,
	VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS,
	VIGIL_COND_BOOL,
	VIGIL_COND_IP_ADDRESS,     /* CIDR or address, IPv4 and IPv6 */
	VIGIL_COND_NOT_IP_ADDRESS,
	VIGIL_COND_DATE_EQUALS,    /* RFC 3339 or epoch seconds */
	VIGIL_COND_DATE_NOT_EQUALS,
	VIGIL_COND_DATE_LESS_THAN,
	VIGIL_COND_DATE_LESS_THAN_EQUALS,
	VIGIL_COND_DATE_GREATER_THAN,
	VIGIL_COND_DATE_GREATER_THAN_EQUALS,
};
const char *vigil_cond_op_name(enum vigil_cond_op op);

/* Context keys conditions may name (others are refused at parse). */
#define VIGIL_KEY_QUARANTINED "vigil:Quarantined"       /* Bool */
#define VIGIL_KEY_FIRMWARE_CURRENT "vigil:FirmwareCurrent" /* Bool */
#define VIGIL_KEY_RISK_SCORE "vigil:RiskScore"         /* 0..100 */
#define VIGIL_KEY_CERT_AGE_DAYS "vigil:CertAgeDays"
#define VIGIL_KEY_LAST_CHECKIN_S "vigil:LastCheckinSeconds"
#define VIGIL_KEY_SOURCE_IP "vigil:SourceIp"
#define VIGIL_KEY_COUNTRY "vigil:Country"   /* ISO 3166-1 alpha-2 */
#define VIGIL_KEY_TIME "vigil:Time"         /* the decision time */

/* One condition: op, key, and values (any value matching = true; for
 * the Not* operators: no value matching = true). */
struct vigil_cond {
	enum vigil_cond_op op;
	char *key;
	size_t nvalues;
	char **values; /* as written (strings; numbers/bools stringified) */
};

struct vigil_statement {
	char *sid; /* "" when absent */
	enum vigil_effect effect;
	size_t nactions;
	char **actions; /* "mqtt:Publish", "mqtt:*", "*" ... */
	size_t nresources;
	char **resources; /* typed patterns as written, with variables */
	size_t nconds;
	struct vigil_cond *conds; /* all must hold (AND) */
};

struct vigil_policy {
	char *version;
	size_t nstatements;
	struct vigil_statement *statements;
};

/* Parses and validates a document: unknown keys, effects, actions
 * (service must be mqtt, device, api or *), resource prefixes,
 * variables, operators, context keys and value types are refused with
 * their path. Caller frees *out with vigil_policy_free. */
enum vigil_err vigil_policy_parse(const char *json, size_t len,
    struct vigil_policy **out /* OUT */, char *err, size_t errsize);
void vigil_policy_free(struct vigil_policy *p);
/* The canonical rendering (lists always arrays). */
json_t *vigil_policy_to_json(const struct vigil_policy *p);

/* ---- lint ----------------------------------------------------------- */

enum vigil_lint_severity {
	VIGIL_LINT_INFO = 0,
	VIGIL_LINT_WARNING = 1,
	VIGIL_LINT_CRITICAL = 2,
};
struct vigil_lint_finding {
	enum vigil_lint_severity severity;
	const char *code;  /* "allow-any-action", "allow-any-resource",
			    * "wildcard-topic-unscoped" ("#" or "+" across
			    * other devices' topics), "missing-device-scope"
			    * (an Allow on topics without ${device.id} or
			    * ${client.id}), "condition-never-true",
			    * "deny-shadowed"... */
	int statement;     /* index, -1 for the document */
	char message[256]; /* says what and why, with the offending value */
};
/* "critical", "warning", "info". Static. */
const char *vigil_lint_severity_name(enum vigil_lint_severity s);
/* {"severity","code","statement" (null for the document),"message"};
 * NULL when out of memory. */
json_t *vigil_lint_finding_to_json(const struct vigil_lint_finding *f);
/* Calls cb for each finding, most severe first; returns the number. */
size_t vigil_policy_lint(const struct vigil_policy *p,
    void (*cb)(void *ctx, const struct vigil_lint_finding *f), void *ctx);

/* ---- decisions ------------------------------------------------------ */

struct vigil_pdp_kv {
	const char *key;
	const char *value;
};

/* What is asked: action on resource by a device, with its posture and
 * context. Context values are strings typed by the condition that
 * reads them ("true", "42", "192.0.2.7", RFC 3339 time). Absent keys:
 * a positive operator is false, a Not* operator true (AWS semantics). */
struct vigil_pdp_request {
	const char *action;   /* "mqtt:Publish" */
	const char *resource; /* typed: "topic:dev/a/t", "topicfilter:dev/+/x",
			       * "client:a", "api:/v1/..." */
	const char *device_id, *tenant, *model, *cert_urn, *client_id;
	size_t nlabels;
	const struct vigil_pdp_kv *labels;
	size_t nctx;
	const struct vigil_pdp_kv *ctx;
	int64_t now_ms; /* vigil:Time; 0 = now */
};

struct vigil_decision {
	enum vigil_effect effect;
	const char *policy; /* name of the deciding policy, "" default */
	int statement;      /* its index, -1 for the default deny */
	const char *sid;    /* its Sid, "" */
	char reason[256];   /* "allowed by dev-base[0] (own-telemetry)",
			     * "denied by quarantine[1]", "no statement
			     * allows mqtt:Publish on topic:x (default
			     * deny)", "condition vigil:RiskScore < 80
			     * failed (value 93)" */
};

/* A compiled set of policies (those attached to one device: tenant,
 * model, label selector and device policies together). Decisions on a
 * built set are read-only and thread-safe. */
struct vigil_pdp;
enum vigil_err vigil_pdp_new(struct vigil_pdp **out /* OUT */);
void vigil_pdp_free(struct vigil_pdp *p);
/* Adds (deep-copies) p under name. */
enum vigil_err vigil_pdp_add(struct vigil_pdp *pdp, const char *name,
    const struct vigil_policy *p);
/* Builds the indexes (per action, topic trie); call after the adds. */
enum vigil_err vigil_pdp_build(struct vigil_pdp *pdp);
enum vigil_err vigil_pdp_decide(const struct vigil_pdp *pdp,
    const struct vigil_pdp_request *rq, struct vigil_decision *out /* OUT */);

/* MQTT helpers the decision uses, exposed for the broker plugin and
 * tests. 1 when topic (a name, no wildcards) matches filter (MQTT 3.1.1
 * §4.7: '+' one level, '#' the rest, "$"-topics not matched by a leading
 * wildcard); 1 when filter `outer` covers every topic `inner` matches. */
int vigil_mqtt_topic_matches(const char *filter, const char *topic);
int vigil_mqtt_filter_covers(const char *outer, const char *inner);
/* VIGIL_OK when s is a valid topic name (wildcards = 0) or filter. */
enum vigil_err vigil_mqtt_check(const char *s, int wildcards, char *err,
    size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
