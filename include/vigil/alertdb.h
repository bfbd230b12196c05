/*
 * vigil/alertdb.h — what network monitoring keeps (issue 6 §2, §4):
 * alerts (deduplicated: one open alert per entity and kind, with a
 * count, first/last seen and a bounded list of evidence samples),
 * shadow-IoT findings (local addresses no device claims: adopt into
 * the inventory or dismiss), cellular sessions from RADIUS accounting
 * (which SIM and device had which address when), and address
 * bindings (a static address or subnet → device, or subnet → tenant
 * and site) that attribute flows to devices.
 *
 * Tenant scope is an argument (NULL = platform scope, every tenant).
 * The library never audits: callers audit changes (alert.ack,
 * alert.close, shadow.adopt, shadow.dismiss, netbinding.set,
 * response.quarantine ...). Renderings are JSON, as the API serves
 * them and the CLI prints them.
 */
#ifndef VIGIL_ALERTDB_H
#define VIGIL_ALERTDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "detect.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_store;

#define VIGIL_ALERT_SAMPLES_MAX 20 /* evidence samples kept per alert */

/* ---- alerts ---------------------------------------------------------- */

enum vigil_alert_state {
	VIGIL_ALERT_OPEN = 1,
	VIGIL_ALERT_ACKED = 2,   /* seen by an operator, still open */
	VIGIL_ALERT_CLOSED = 3,
};
const char *vigil_alert_state_name(enum vigil_alert_state s);

/*
 * Records a detection: the open (or acknowledged) alert of the same
 * entity (device id, else the address) and kind gets count += a->count,
 * last_seen, the highest severity and the evidence appended (oldest
 * samples dropped past VIGIL_ALERT_SAMPLES_MAX); otherwise a new alert
 * opens. *out (may be NULL): {"id","new":bool,"count","severity",...}
 * (the alert as vigil_alert_get renders it, plus "new").
 */
enum vigil_err vigil_alert_record(struct vigil_store *st,
    const struct vigil_alert *a, int64_t now_ms, json_t **out /* OUT */,
    char *err, size_t errsize);

struct vigil_alert_filter {
	enum vigil_alert_state state;   /* 0 = open and acked */
	bool all;                       /* closed ones too */
	enum vigil_alert_kind kind;     /* 0 = any */
	const char *device;             /* id or name, or NULL */
	enum vigil_alert_sev min_severity; /* 0 = any */
	int64_t since_ms;               /* last seen at or after; 0 */
	unsigned limit;                 /* 0 = 100; at most 1000 */
};
/* {"alerts":[{"id","kind","severity","state","device":{"id","name"}|
 * null,"address","tenant","first_seen","last_seen","count","summary",
 * "techniques":[...]}]} newest first. */
enum vigil_err vigil_alert_list(struct vigil_store *st, const char *tenant,
    const struct vigil_alert_filter *f, json_t **out /* OUT */, char *err,
    size_t errsize);
/* One alert with its evidence samples, notes and response actions.
 * VIGIL_ENOTFOUND "alert 42 not found". */
enum vigil_err vigil_alert_get(struct vigil_store *st, const char *tenant,
    int64_t id, json_t **out /* OUT */, char *err, size_t errsize);
/* open → acked; acked/open → closed (note required for close). A closed
 * alert stays closed: the next detection opens a new one. VIGIL_ESTATE
 * for a wrong move. */
enum vigil_err vigil_alert_ack(struct vigil_store *st, const char *tenant,
    int64_t id, const char *actor, const char *note, char *err,
    size_t errsize);
enum vigil_err vigil_alert_close(struct vigil_store *st, const char *tenant,
    int64_t id, const char *actor, const char *note, char *err,
    size_t errsize);
/* Records an automatic response taken for an alert ("quarantine",
 * "revoke", "notify", "held" (storm guard: awaiting confirmation)),
 * with its outcome; shown by vigil_alert_get. */
enum vigil_err vigil_alert_response(struct vigil_store *st, int64_t id,
    const char *action, const char *outcome, const char *detail,
    int64_t now_ms, char *err, size_t errsize);

/* ---- shadow IoT ------------------------------------------------------ */

/* Upserts the finding of a local address (per tenant, "" = platform):
 * first/last seen, totals, likely identifiers (ports, protocols). A
 * dismissed address stays dismissed (totals still updated). */
enum vigil_err vigil_shadow_record(struct vigil_store *st,
    const struct vigil_shadow_obs *o, int64_t now_ms, char *err,
    size_t errsize);
/* {"shadow":[{"id","address","tenant","state":"new|adopted|dismissed",
 * "first_seen","last_seen","flows","bytes","peers","ports":[...],
 * "device"?}]}; all: dismissed and adopted too. */
enum vigil_err vigil_shadow_list(struct vigil_store *st, const char *tenant,
    bool all, json_t **out /* OUT */, char *err, size_t errsize);
/* Adopts: creates the device (name, model; registered) in tenant, binds
 * the address to it (vigil_netbinding_set), marks the finding adopted.
 * *out: the device JSON. */
enum vigil_err vigil_shadow_adopt(struct vigil_store *st, const char *tenant,
    int64_t id, const char *name, const char *model, const char *actor,
    json_t **out /* OUT */, char *err, size_t errsize);
enum vigil_err vigil_shadow_dismiss(struct vigil_store *st,
    const char *tenant, int64_t id, const char *actor, const char *note,
    char *err, size_t errsize);

/* ---- cellular sessions (RADIUS accounting) --------------------------- */

/*
 * Applies an accounting record: Start opens (or replaces) the session
 * of its Framed-IP-Address; Interim-Update refreshes it; Stop closes
 * it. The SIM is looked up in the registry by IMSI (identifier type
 * IMSI), so the session carries its device and tenant when known.
 * Accounting-On/Off close every session of that NAS. *out (may be
 * NULL): {"session","device"?,"tenant"?,"imsi","imei","ip",...}.
 */
enum vigil_err vigil_netsession_apply(struct vigil_store *st,
    const struct vigil_radius_acct *r, int64_t now_ms, json_t **out /* OUT */,
    char *err, size_t errsize);
/* What the registry says about a SIM: its device, tenant and the
 * registered IMEI (identifier type IMEI), and the allowed networks (the
 * device's label "allowed_mcc_mnc", comma separated; none = any).
 * VIGIL_ENOTFOUND when no device has the IMSI. */
struct vigil_sim_info {
	struct vigil_endpoint who;
	char imei[16];
	char allowed[8][7];
	size_t nallowed;
};
enum vigil_err vigil_sim_lookup(struct vigil_store *st, const char *imsi,
    struct vigil_sim_info *out /* OUT */);
/* {"sessions":[...]} open ones (all: recent closed too), newest first. */
enum vigil_err vigil_netsession_list(struct vigil_store *st,
    const char *tenant, bool all, json_t **out /* OUT */, char *err,
    size_t errsize);

/* ---- attribution ----------------------------------------------------- */

/*
 * Binds an address or subnet: to a device (device id or name in
 * tenant), or (device NULL) to the tenant alone with an optional site
 * ("the tenant's network": its unknown hosts are that tenant's shadow
 * findings). Replaces the same cidr's binding.
 */
enum vigil_err vigil_netbinding_set(struct vigil_store *st, const char *tenant,
    const char *cidr, const char *device, const char *site, json_t **out,
    char *err, size_t errsize);
enum vigil_err vigil_netbinding_delete(struct vigil_store *st,
    const char *tenant, const char *cidr, char *err, size_t errsize);
/* {"bindings":[{"cidr","device"?,"site"?,"created"}]} */
enum vigil_err vigil_netbinding_list(struct vigil_store *st,
    const char *tenant, json_t **out /* OUT */, char *err, size_t errsize);

/*
 * Who had the address at ts: an open cellular session (via "radius"),
 * else the most specific binding to a device ("binding"), else a
 * tenant-only subnet (out->device false, tenant set: "subnet").
 * 1 found, 0 unknown, negative vigil_err.
 */
int vigil_attribute(struct vigil_store *st, uint8_t family,
    const uint8_t addr[16], int64_t ts_ms, struct vigil_endpoint *out /* OUT */);
/* A counter that moves whenever what vigil_attribute answers may have
 * changed for reasons other than sessions (a binding set or deleted, a
 * device retired, moved or deleted): store triggers bump it in the
 * changing transaction. The collector polls it. */
enum vigil_err vigil_attribution_generation(struct vigil_store *st,
    int64_t *gen /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
