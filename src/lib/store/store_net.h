/*
 * Store operations behind network monitoring (alertdb.h;
 * src/lib/detect/alertdb*.c): alerts with their samples and responses,
 * shadow-IoT findings, cellular sessions, address bindings. The
 * statements are static text kept in sqlite_net.c; a caller names one
 * by its id, binds its parameters and gets rows back as JSON objects
 * (store_rows.h). No SQL leaves here.
 *
 * Tenant scope: "?T NULL" means every tenant (platform scope); a
 * tenant id limits the statement to that tenant's rows.
 */
#ifndef VIGIL_STORE_NET_H
#define VIGIL_STORE_NET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_internal.h"
#include "store_rows.h"

/* Never reordered against the SQL table in sqlite_net.c. */
enum store_nq {
	/* ?1 tenant, ?2 entity, ?3 kind: the alert not closed. Row: id,
	 * state. */
	NQ_ALERT_OPEN,
	/* ?1 tenant, ?2 kind, ?3 severity, ?4 entity, ?5 device_id,
	 * ?6 address, ?7 first, ?8 last, ?9 count, ?10 summary,
	 * ?11 techniques, ?12 now. Row: id. */
	NQ_ALERT_INSERT,
	/* ?1 id, ?2 count added, ?3 severity, ?4 first, ?5 last,
	 * ?6 summary, ?7 now. */
	NQ_ALERT_BUMP,
	/* ?1 alert id, ?2 ts, ?3 evidence JSON: appended. */
	NQ_SAMPLE_ADD,
	/* ?1 alert id, ?2 samples kept (the newest). */
	NQ_SAMPLE_TRIM,
	/* ?1 alert id: oldest first. Rows: seq, ts_ms, evidence. */
	NQ_SAMPLE_LIST,
	/* ?1 id, ?2 T. Row: the alert with d_name (NULL). */
	NQ_ALERT_GET,
	/* ?1 T, ?2 state text or NULL, ?3 all (0/1), ?4 kind (0 any),
	 * ?5 device id or name or NULL, ?6 min severity, ?7 since,
	 * ?8 limit: newest last seen first. */
	NQ_ALERT_LIST,
	/* ?1 id, ?2 new state, ?3 actor, ?4 note, ?5 now, ?6 closed_ms
	 * (NULL keeps), ?7 the state it must be in. */
	NQ_ALERT_STATE,
	/* ?1 alert id, ?2 ts, ?3 action, ?4 outcome, ?5 detail. */
	NQ_RESPONSE_ADD,
	/* ?1 alert id: oldest first. */
	NQ_RESPONSE_LIST,

	/* ?1 tenant, ?2 address, ?3 first, ?4 last, ?5 flows, ?6 bytes,
	 * ?7 peers, ?8 ports JSON, ?9 protos JSON, ?10 now. */
	NQ_SHADOW_PUT,
	/* ?1 T, ?2 all, ?3 limit: newest last seen first. */
	NQ_SHADOW_LIST,
	/* ?1 id, ?2 T. */
	NQ_SHADOW_GET,
	/* ?1 id, ?2 state, ?3 device_id, ?4 actor, ?5 note, ?6 now. */
	NQ_SHADOW_STATE,

	/* ?1 ip, ?2 now: closes the open sessions holding the address. */
	NQ_SESS_CLOSE_IP,
	/* ?1 nas, ?2 session id, ?3 now: closes that session. */
	NQ_SESS_CLOSE_SID,
	/* ?1 session id, ?2 nas, ?3 ip, ?4 imsi, ?5 imei, ?6 imeisv,
	 * ?7 mcc_mnc, ?8 sgsn_mcc_mnc, ?9 device_id, ?10 tenant,
	 * ?11 now, ?12 in, ?13 out. Row: id. */
	NQ_SESS_INSERT,
	/* ?1 nas, ?2 session id, ?3 now, ?4 in, ?5 out, ?6 stop (NULL:
	 * stays open): refreshes the open session. */
	NQ_SESS_UPDATE,
	/* ?1 nas, ?2 now: closes every open session of the NAS. */
	NQ_SESS_NAS_OFF,
	/* ?1 ip, ?2 ts: the session holding the address at ts (open, or
	 * closed with ts inside it) with a device. Row: device_id,
	 * tenant_id, model. */
	NQ_SESS_AT,
	/* ?1 T, ?2 all, ?3 limit: newest first, with d_name. */
	NQ_SESS_LIST,
	/* ?1 IMSI match key: the device carrying it. Row: id, tenant_id,
	 * model, imei (NULL), allowed (NULL). */
	NQ_SIM_DEVICE,

	/* ?1 device id or name, ?2 tenant. Row: id, name, tenant_id. */
	NQ_DEVICE_REF,
	/* ?1 tenant, ?2 cidr, ?3 family, ?4 prefix, ?5 net, ?6 last,
	 * ?7 device_id, ?8 site, ?9 now. */
	NQ_BIND_PUT,
	/* ?1 tenant, ?2 cidr. */
	NQ_BIND_DELETE,
	/* ?1 T: by cidr, with d_name. */
	NQ_BIND_LIST,
	/* ?1 tenant, ?2 cidr. */
	NQ_BIND_GET,
	/* ?1 family, ?2 address (hex): the binding to a device with the
	 * longest prefix, else the tenant-only one with the longest.
	 * Row: tenant_id, device_id, site, model. */
	NQ_BIND_AT,
	/* Row: gen (migration 11). */
	NQ_ATTR_GEN,
	NQ_COUNT_
};

/* As store_rows_all / store_rows_one / store_rows_exec (store_rows.h)
 * on the network monitoring statements. */
enum vigil_err store_nq_rows(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows /* OUT */);
enum vigil_err store_nq_row(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, json_t **row /* OUT */);
enum vigil_err store_nq_exec(struct vigil_store *st, enum store_nq q,
    const struct store_arg *args, size_t nargs, int *changes);

#endif
