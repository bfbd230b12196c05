/*
 * vigil/zt.h — the zero-trust decision service (issue 5 §3): identity
 * + live posture + context + policy → a decision, with the built-in
 * rules every deployment has:
 *
 *  - the identity must hold: a certificate that is unknown, revoked, on
 *    hold, expired or not a device certificate, and a retired device,
 *    are denied everything ("certificate 0A1B is revoked");
 *  - quarantine (policy VIGIL_POLICY_QUARANTINE_NAME, built in): a
 *    quarantined device may only device:Checkin and device:GetUpdate on
 *    device:<its id>; everything else is denied whatever the stored
 *    policies say;
 *  - baseline: every device may device:Checkin and device:GetUpdate on
 *    device:<its id> unless a stored policy explicitly denies it;
 *  - then the policies attached to the device (tenant, model, label
 *    selectors, the device) decide: explicit Deny overrides Allow, no
 *    Allow = deny.
 *
 * Context the service fills in from the store (a caller's ctx entries
 * override them, for "what if" explain): vigil:Quarantined,
 * vigil:FirmwareCurrent (absent when unknown), vigil:RiskScore,
 * vigil:CertAgeDays, vigil:LastCheckinSeconds (absent before the first
 * check-in), vigil:SourceIp, vigil:Country (when the caller knows it),
 * vigil:Time.
 *
 * Caching: compiled policy sets are shared by every device with the
 * same attachments; device facts are cached per device; all of it keys
 * on the zero-trust generation (vigil_zt_generation): vigil_zt_refresh
 * drops what is stale. A handle is used by one thread at a time.
 */
#ifndef VIGIL_ZT_H
#define VIGIL_ZT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_store;
struct vigil_zt;

struct vigil_zt_config {
	int64_t stale_s;           /* check-in age that degrades posture;
				    * 0 = 3600 */
	unsigned allow_sample;     /* flag 1 allow in N for logging
				    * (answer.log); 0 = never */
	size_t max_devices;        /* cached device facts; 0 = 200000 */
};

enum vigil_err vigil_zt_new(struct vigil_store *st,
    const struct vigil_zt_config *cfg, struct vigil_zt **out /* OUT */);
void vigil_zt_free(struct vigil_zt *zt);

/* Reads the generation; when it moved (or force), drops the caches and
 * reloads the policies — or, when every change since concerns single
 * devices (vigil_zt_changes), drops only those devices' facts. 1
 * refreshed, 0 unchanged, negative vigil_err (the old state stays;
 * vigil_zt_errmsg says why). */
int vigil_zt_refresh(struct vigil_zt *zt, bool force);
/* The generation the current state was loaded at. */
int64_t vigil_zt_epoch(const struct vigil_zt *zt);
const char *vigil_zt_errmsg(const struct vigil_zt *zt);

struct vigil_zt_query {
	const char *action;      /* "mqtt:Publish", "device:Checkin" */
	const char *resource;    /* typed: "topic:dev/a/t", "client:a" */
	/* Identity, one of: the device behind a client certificate (hex
	 * serial), or a device by id or name (explain, API). */
	const char *cert_serial;
	const char *device;
	const char *tenant;      /* scope: NULL = any (certificate path);
				  * required with device */
	const char *client_id;   /* MQTT client id, or NULL */
	const char *source_ip;   /* or NULL */
	const char *country;     /* ISO 3166-1 alpha-2, or NULL */
	size_t nctx;             /* context overrides ("what if") */
	const struct vigil_pdp_kv *ctx;
	int64_t now_ms;          /* 0 = now */
};

struct vigil_zt_answer {
	struct vigil_decision d; /* d.reason says why, always */
	int64_t epoch;           /* generation the decision was made at */
	char tenant[VIGIL_UUID_STRLEN];    /* "" when the device is unknown */
	char device_id[VIGIL_UUID_STRLEN];
	char device_name[128];
	bool identity_ok;        /* false: denied before any policy */
	bool quarantined;
	int risk;                /* 0..100; -1 when identity failed */
	bool log;                /* a deny, or a sampled allow */
};

/*
 * Decides. Always fills *out with a decision: any failure (store
 * error, unknown device) is a deny whose reason says why, and the
 * return value tells the caller whether it was a clean decision
 * (VIGIL_OK) or a failure (VIGIL_ENOTFOUND for an unknown device or
 * certificate, VIGIL_ESTORE ...). Callers enforce out->d.effect either
 * way (fail closed). out->d.policy and out->d.sid point into the
 * handle's compiled sets: valid until the next vigil_zt_refresh that
 * reloads, or vigil_zt_free. Built-in decisions name the policies
 * "vigil-quarantine" (statement 0 allow, 1 deny) and "vigil-baseline".
 */
enum vigil_err vigil_zt_decide(struct vigil_zt *zt,
    const struct vigil_zt_query *q, struct vigil_zt_answer *out /* OUT */);

/*
 * The decision with everything that went into it: {"decision":
 * "ALLOW"|"DENY","reason","policy","statement","sid","epoch","device":
 * {"id","name","tenant","model","labels":{...},"state"},"identity":
 * "...", "policies":["name@version", ...],"context":{"vigil:RiskScore":
 * "12",...},"posture":{vigil_posture_to_json}}. VIGIL_ENOTFOUND with err
 * when the device or certificate is unknown.
 */
enum vigil_err vigil_zt_explain(struct vigil_zt *zt,
    const struct vigil_zt_query *q, json_t **out /* OUT */, char *err,
    size_t errsize);

/* Counters for /metrics and benches. */
struct vigil_zt_stats {
	uint64_t decisions, allows, denies, reloads;
	uint64_t partial_reloads;  /* only some devices' facts dropped */
	uint64_t device_hits, device_misses, sets_compiled;
};
void vigil_zt_stats(const struct vigil_zt *zt,
    struct vigil_zt_stats *out /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
