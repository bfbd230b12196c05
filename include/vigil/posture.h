/*
 * vigil/posture.h — device posture and risk (issue 5 §2). A device
 * checks in over the mTLS gateway (POST /device/v1/checkin) with what
 * it knows of itself; vigil stores the newest check-in (plus a bounded
 * history), derives posture facts from it and from what vigil knows
 * (firmware current for the model, certificate age and validity,
 * quarantine, open alerts, known vulnerabilities, listening ports
 * outside the model's baseline) and combines them into a risk score
 * (0..100, formula in docs/posture.md "Risk score") that policy reads as
 * vigil:RiskScore.
 *
 * Check-in document (JSON object, ≤ VIGIL_CHECKIN_MAX bytes; unknown
 * top-level keys refused with their name; every field optional):
 *   {"firmware": "1.4.2",
 *    "boot": {"state": "verified"|"unverified"|"failed"|"unknown",
 *             "secure_boot": true},
 *    "integrity": "ok"|"tampered"|"unknown",
 *    "listening": ["tcp/22", "udp/5683"]   (or [{"proto":"tcp","port":22}]),
 *    "config_hash": "sha256:<64 hex>",
 *    "uptime_s": 86400,
 *    "metrics": {<flat object of numbers/strings/bools, ≤ 32 keys>}}
 * Errors name the JSON path: "listening[2]: port 70000 is out of range
 * 1..65535".
 */
#ifndef VIGIL_POSTURE_H
#define VIGIL_POSTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_store;

#define VIGIL_CHECKIN_MAX 8192u     /* bytes of one check-in document */
#define VIGIL_CHECKIN_PORTS_MAX 64  /* listening entries */
#define VIGIL_CHECKIN_METRICS_MAX 32
#define VIGIL_PORT_STRLEN 12        /* "tcp/65535" + NUL */
#define VIGIL_FW_STRLEN 129
#define VIGIL_STATE_STRLEN 16

struct vigil_checkin {
	char firmware[VIGIL_FW_STRLEN];        /* "" = not reported */
	char boot_state[VIGIL_STATE_STRLEN];   /* "" = not reported */
	int secure_boot;                       /* 1, 0, -1 = not reported */
	char integrity[VIGIL_STATE_STRLEN];    /* "" = not reported */
	char config_hash[72];                  /* "sha256:<hex>" or "" */
	int64_t uptime_s;                      /* -1 = not reported */
	size_t nports;
	char ports[VIGIL_CHECKIN_PORTS_MAX][VIGIL_PORT_STRLEN]; /* sorted,
						* unique, "tcp/22" */
	char *metrics;                         /* compact JSON object or
						* NULL; heap */
};

/* Parses and validates a check-in document. Caller clears *out with
 * vigil_checkin_clear (also on error). */
enum vigil_err vigil_checkin_parse(const char *json, size_t len,
    struct vigil_checkin *out /* OUT */, char *err, size_t errsize);
void vigil_checkin_clear(struct vigil_checkin *c);
/* "tcp/23" from ("TCP", 23); VIGIL_EINVAL for another protocol than
 * tcp/udp/sctp or a port outside 1..65535. */
enum vigil_err vigil_port_format(const char *proto, long port,
    char out[VIGIL_PORT_STRLEN], char *err, size_t errsize);

/* ---- facts and risk ------------------------------------------------- */

enum vigil_cert_posture {
	VIGIL_CERTP_NONE = 0,     /* no certificate known */
	VIGIL_CERTP_GOOD = 1,
	VIGIL_CERTP_EXPIRING = 2, /* good, < 30 days left */
	VIGIL_CERTP_EXPIRED = 3,
	VIGIL_CERTP_REVOKED = 4,  /* revoked or on hold */
};
const char *vigil_cert_posture_name(enum vigil_cert_posture s);

#define VIGIL_RISK_PARTS_MAX 16

struct vigil_posture {
	char device_id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	bool quarantined, retired;
	/* Check-in: checkin_ms 0 = never checked in. */
	int64_t checkin_ms;
	int64_t checkins;
	char firmware[VIGIL_FW_STRLEN];   /* reported, else the inventory's */
	char firmware_expected[VIGIL_FW_STRLEN]; /* "" = unknown */
	int firmware_current;             /* 1, 0, -1 = unknown */
	char boot_state[VIGIL_STATE_STRLEN];
	char integrity[VIGIL_STATE_STRLEN];
	char config_hash[72];
	size_t nports, nunexpected;
	char ports[VIGIL_CHECKIN_PORTS_MAX][VIGIL_PORT_STRLEN];
	char unexpected[VIGIL_CHECKIN_PORTS_MAX][VIGIL_PORT_STRLEN];
	bool baseline_known;              /* the model has a port baseline */
	/* The certificate behind the request, else the device's newest
	 * good one. */
	enum vigil_cert_posture cert;
	char cert_serial[64];
	int64_t cert_age_days;            /* -1 = no certificate */
	int64_t cert_days_left;
	double vuln_risk;                 /* vigil_vdb_device_risk, 0..100 */
	int open_alerts;                  /* detection (issue 6); 0 now */
	/* The score and what made it. */
	int risk;                         /* 0..100 */
	size_t nparts;
	struct vigil_risk_part {
		const char *factor;       /* "quarantined", "firmware-outdated",
					   * "stale-checkin", ... (static) */
		int points;
		char detail[96];
	} parts[VIGIL_RISK_PARTS_MAX];
};

/*
 * The documented formula (docs/posture.md "Risk score"), pure: fills
 * p->risk and p->parts from the facts. now_ms is the decision time;
 * stale_s the check-in age past which posture degrades.
 */
void vigil_posture_score(struct vigil_posture *p, int64_t now_ms,
    int64_t stale_s);

/* {"device","tenant","quarantined","checkin":{...}|null,"firmware":{
 * "version","expected","current"},"boot","integrity","ports":[...],
 * "unexpected_ports":[...],"certificate":{"state","serial","age_days",
 * "days_left"},"vuln_risk","open_alerts","risk","risk_parts":[{"factor",
 * "points","detail"}],"last_checkin_s"} */
json_t *vigil_posture_to_json(const struct vigil_posture *p, int64_t now_ms);

/* ---- store ---------------------------------------------------------- */

/*
 * Records a check-in of device_id (tenant scoped): the newest posture
 * row, one history row (older ones beyond history_max dropped), the
 * firmware version into the inventory's device_firmware (source
 * "checkin", so vulnerability findings follow it) and the device's
 * last_seen. One transaction. *out (may be NULL): the posture JSON
 * after the check-in (vigil_posture_to_json).
 */
enum vigil_err vigil_posture_checkin(struct vigil_store *st,
    const char *tenant, const char *device_id,
    const struct vigil_checkin *c, const char *source_ip,
    const char *cert_serial, int64_t now_ms, unsigned history_max,
    json_t **out /* OUT */, char *err, size_t errsize);

/*
 * The posture facts of a device (id or name in tenant; tenant NULL =
 * look the id up in any tenant) at now_ms, scored with stale_s.
 * cert_serial: the certificate of the request ("" / NULL = the
 * device's newest good certificate). VIGIL_ENOTFOUND "device X not
 * found".
 */
enum vigil_err vigil_posture_get(struct vigil_store *st, const char *tenant,
    const char *device, const char *cert_serial, int64_t now_ms,
    int64_t stale_s, struct vigil_posture *out /* OUT */, char *err,
    size_t errsize);

/* The last `limit` check-ins: {"device","checkins":[{"time","body"}]}. */
enum vigil_err vigil_posture_history(struct vigil_store *st,
    const char *tenant, const char *device, unsigned limit,
    json_t **out /* OUT */, char *err, size_t errsize);

/*
 * A model's baseline: the ports its devices may listen on (NULL keeps;
 * an empty list = none may listen) and the firmware version declared
 * current (NULL keeps, "" = the newest known build of the model).
 * *out (may be NULL): {"model","ports":[...],"firmware_current",
 * "updated"}.
 */
enum vigil_err vigil_posture_baseline_set(struct vigil_store *st,
    const char *tenant, const char *model, const char *const *ports,
    size_t nports, const char *firmware_current, json_t **out /* OUT */,
    char *err, size_t errsize);
/* {"baselines":[...]} of the tenant; model non-NULL = that one
 * (VIGIL_ENOTFOUND). */
enum vigil_err vigil_posture_baselines(struct vigil_store *st,
    const char *tenant, const char *model, json_t **out /* OUT */,
    char *err, size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
