/*
 * Store operations behind device posture (posture.h;
 * src/lib/posture/posture_store.c, posture_baseline.c): the newest
 * check-in of each device, the bounded check-in history and the
 * per-model baselines. The statements are static text kept in
 * sqlite_posture.c; a caller names one by its id, binds its
 * parameters and gets rows back as JSON objects (store_rows.h). No SQL
 * leaves here.
 *
 * Tenant scope: a statement that reads a device binds the tenant id
 * ("?T"); NULL = the device id in any tenant (the decision service's
 * lookup by certificate), never a name across tenants.
 */
#ifndef VIGIL_STORE_POSTURE_H
#define VIGIL_STORE_POSTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_internal.h"
#include "store_rows.h"

/* Never reordered against the SQL table in sqlite_posture.c. */
enum store_pq {
	/*
	 * ?1 device id or name, ?2 T. One row (LIMIT 1; an id wins over a
	 * name): id, tenant_id, name, model, state; the posture row
	 * (p_checkin_ms NULL when never checked in, p_checkins,
	 * p_firmware, p_boot_state, p_integrity, p_config_hash, p_ports,
	 * p_cert_serial); df_firmware (the inventory's, NULL); the model's
	 * baseline (bl_ports NULL when the model has none,
	 * bl_firmware_current).
	 */
	PQ_DEVICE,
	/* ?1 model: the versions of its builds, newest import first
	 * (LIMIT 256). Row: version. */
	PQ_MODEL_BUILDS,
	/* ?1 tenant id, ?2 device id, ?3 serial (lower-case hex) or NULL:
	 * that certificate of the device, else the device's newest good
	 * one, else its newest. Row: serial, status, not_before,
	 * not_after. */
	PQ_CERT,
	/* ?1 device id, ?2 tenant id, ?3 now, ?4 firmware, ?5 boot_state,
	 * ?6 integrity, ?7 config_hash, ?8 uptime_s, ?9 ports (JSON),
	 * ?10 metrics (JSON), ?11 source_ip, ?12 cert_serial. */
	PQ_POSTURE_PUT,
	/* ?1 device id, ?2 tenant id, ?3 now, ?4 body. */
	PQ_CHECKIN_ADD,
	/* ?1 device id, ?2 rows kept: drops older check-ins. */
	PQ_CHECKIN_TRIM,
	/* ?1 device id, ?2 limit: newest first. Rows: checkin_ms, body. */
	PQ_CHECKIN_LIST,
	/* ?1 tenant id, ?2 model. Row: model, ports, firmware_current,
	 * updated_ms. */
	PQ_BASELINE_GET,
	/* ?1 tenant id: every baseline, by model. */
	PQ_BASELINE_LIST,
	/* ?1 tenant id, ?2 model, ?3 ports (JSON) or NULL (keep),
	 * ?4 firmware_current or NULL (keep), ?5 now. */
	PQ_BASELINE_PUT,
	PQ_COUNT_
};

/* As store_rows_all / store_rows_one / store_rows_exec (store_rows.h)
 * on the posture statements. */
enum vigil_err store_pq_rows(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows /* OUT */);
enum vigil_err store_pq_row(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, json_t **row /* OUT */);
enum vigil_err store_pq_exec(struct vigil_store *st, enum store_pq q,
    const struct store_arg *args, size_t nargs, int *changes);

#endif
