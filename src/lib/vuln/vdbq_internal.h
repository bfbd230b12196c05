/*
 * Helpers shared by the vulnerability queries, products and CRA
 * reports (vdb_query.c, vdb_product.c, vdb_cra.c): id resolution,
 * device lookup in a tenant, reading the store's JSON rows.
 */
#ifndef VIGIL_VDBQ_INTERNAL_H
#define VIGIL_VDBQ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/vulndb.h"

#define VDBQ_ID_MAX 128     /* longest vulnerability id (schema) */
#define VDBQ_ROWS_MAX 100000 /* ceiling of any one listing */
#define VDBQ_DAY_MS INT64_C(86400000)

/* Suppressed VEX states: the finding is not an open one. */
int vdbq_suppressed(const char *vex_state);

/* Row accessors: "" / 0 / -1 when the member is missing or null. */
const char *vdbq_str(const json_t *row, const char *key);
int64_t vdbq_int(const json_t *row, const char *key);
double vdbq_real(const json_t *row, const char *key, double none);

/* Copies the store's error text into err; returns rc. */
enum vigil_err vdbq_store_err(struct vigil_store *st, enum vigil_err rc,
    char *err, size_t errsize);

/* The id as stored (trimmed, upper case, 1..VDBQ_ID_MAX printable
 * bytes) in out; VIGIL_EINVAL with err naming what is wrong. */
enum vigil_err vdbq_norm_id(const char *id, char out[VDBQ_ID_MAX + 1],
    char *err, size_t errsize);
/* The canonical id findings use for id (any alias); VIGIL_ENOTFOUND
 * ("vulnerability X: not known") when nothing names it. */
enum vigil_err vdbq_resolve(struct vigil_store *st, const char *id,
    char out[VDBQ_ID_MAX + 1], char *err, size_t errsize);

/* The device (id or name) in tenant scope with its firmware and build
 * (VQ_DEVICE_GET row); VIGIL_ENOTFOUND / EAMBIGUOUS with err. */
enum vigil_err vdbq_device(struct vigil_store *st, const char *tenant,
    const char *device, json_t **row /* OUT */, char *err,
    size_t errsize);

/* Comma-joined aliases (group_concat) as a sorted array without
 * `except`; NULL when out of memory. */
json_t *vdbq_aliases(const char *joined, const char *except);

/* "YYYY-MM-DD" (UTC) of ms, or null when ms <= 0. */
json_t *vdbq_date(int64_t ms);

/* Support state of a product at now (vdb_product.c): "unset" (until
 * 0), "ended", "ending" (within warn_days) or "supported"; *days_left
 * whole days from now to until (negative once ended). */
const char *vdbq_support_state(int64_t until_ms, int64_t now_ms,
    int warn_days, int64_t *days_left);
/* Products as vigil_vdb_product_list renders them (vdb_product.c). */
json_t *vdbq_product_item(const json_t *row, int64_t now_ms, int warn_days);

#endif
