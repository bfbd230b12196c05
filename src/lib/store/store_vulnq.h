/*
 * Store operations behind the vulnerability queries, products and CRA
 * reports (vulndb.h; src/lib/vuln/vdb_query.c, vdb_product.c,
 * vdb_cra.c). The statements are static text kept in sqlite_vulnq.c;
 * a caller names one by its id and binds its parameters, and gets the
 * rows back as JSON objects keyed by column name (INTEGER -> integer,
 * REAL -> real, TEXT -> string (invalid UTF-8 shown as U+FFFD), NULL
 * -> null). The lib side shapes the renderings; no SQL leaves here.
 *
 * Tenant scope: every statement that touches devices binds the tenant
 * as the parameter named in its comment ("?T"); NULL = every tenant
 * (the platform's scope), otherwise only that tenant's devices are
 * seen or counted.
 */
#ifndef VIGIL_STORE_VULNQ_H
#define VIGIL_STORE_VULNQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_internal.h"
#include "store_rows.h"

/* Never reordered against the SQL table in sqlite_vulnq.c. */
enum store_vq {
	/* ?1 T, ?2 build or NULL, ?3 unused, ?4 kev only, ?5 include
	 * unknown, ?6 include suppressed, ?7 min priority, ?8 limit.
	 * Rows: vuln, priority, cvss, builds, devices and tenants (running
	 * a listed build, in scope), kev, ransomware, epss, summary,
	 * aliases (comma-joined). */
	VQ_VULN_LIST,
	/* ?1 an id or alias (upper case): the canonical id it is known
	 * under (records, findings, KEV, marks). Row: vuln. */
	VQ_RESOLVE,
	/* ?1 vuln: its records with feed provenance. */
	VQ_RECORDS,
	/* ?1 vuln: aliases ("\n"-joined) of its records. Row: aliases. */
	VQ_ALIASES,
	VQ_KEV,       /* ?1 vuln */
	VQ_EPSS,      /* ?1 vuln */
	VQ_EXPLOITED, /* ?1 vuln */
	/* ?1 vuln, ?2 T: every finding of the vulnerability with its
	 * build, component and the build's devices in scope. */
	VQ_FINDINGS_OF,
	/* ?1 vuln, ?2 T: devices and tenants running an affected,
	 * unsuppressed build. Row: devices, tenants. */
	VQ_AFFECTED_TOTALS,
	/* ?1 device id or name, ?2 T: the device, its firmware and build. */
	VQ_DEVICE_GET,
	/* ?1 build id: its findings, highest priority first. */
	VQ_BUILD_FINDINGS,
	/* ?1 build id: max priority per open (affected, unsuppressed)
	 * vulnerability. Row: priority. */
	VQ_BUILD_OPEN_PRIOS,
	/* ?1 tenant, ?2 device id, ?3 version, ?4 source, ?5 now. */
	VQ_FIRMWARE_SET,
	VQ_PRODUCT_GET, /* ?1 model */
	/* ?1 model, ?2 manufacturer, ?3 support_until_ms, ?4 platform
	 * CPEs (one per line), ?5 now. */
	VQ_PRODUCT_PUT,
	/* ?1 T: products (and models with builds but no product row) with
	 * their builds and devices in scope. */
	VQ_PRODUCT_LIST,
	/* ?1 vuln, ?2 now, ?3 actor, ?4 note. */
	VQ_EXPLOITED_SET,
	VQ_EXPLOITED_DEL, /* ?1 vuln */
	/* (vuln, model) pairs that need a CRA report and have none. Rows:
	 * vuln, model, trigger, summary. */
	VQ_CRA_DUE,
	/* ?1 id, ?2 kind, ?3 vuln, ?4 model, ?5 trigger, ?6 summary,
	 * ?7 aware_ms, ?8 now. */
	VQ_CRA_INSERT,
	VQ_CRA_GET,  /* ?1 id */
	VQ_CRA_LIST, /* ?1 all (1 = closed too) */
	VQ_CRA_FIND, /* ?1 vuln, ?2 model: the vulnerability report */
	/* ?1 id, ?2 expected state, ?3 new state, ?4 early_warning_ms,
	 * ?5 notification_ms, ?6 final_ms, ?7 closed_ms, ?8 fix_ms,
	 * ?9 now. */
	VQ_CRA_MOVE,
	/* ?1 vuln, ?2 model: firmware versions with an open finding. */
	VQ_CRA_VERSIONS,
	/* ?1 vuln, ?2 model: devices on those versions by region (every
	 * tenant: CRA reports are the manufacturer's). */
	VQ_CRA_REGIONS,
	/* ?1 vuln, ?2 model: components with their fixed versions. */
	VQ_CRA_FIXED,
	VQ_VEX_ACTIONS, /* ?1 vuln: distinct VEX actions and details */
	/* ?1 vuln, ?2 model: highest open priority. Row: priority. */
	VQ_CRA_PRIORITY,
	/* ?1 vuln: best CVSS vector of its records. Row: vector, cvss. */
	VQ_CVSS_OF,
	/* ?1 vuln, ?2 priority: raises its findings' priority to at least
	 * ?2 (an analyst's exploited mark). */
	VQ_PRIORITY_RAISE,
	/* ?1 build id or "MODEL@FIRMWARE". Row: id, model, version. */
	VQ_BUILD_RESOLVE,
	VQ_COUNT_
};

/* Arguments are the shared executor's (store_rows.h). */
#define store_vq_arg store_arg
#define VQ_S(v) SA_S(v)
#define VQ_I(v) SA_I(v)
#define VQ_D(v) SA_D(v)

/*
 * Runs statement q with args bound to ?1..?nargs; *rows (new array of
 * objects, json_decref) gets at most max_rows rows (VIGIL_ERANGE past
 * that: every result is bounded). VIGIL_ESTORE / ENOMEM with the
 * handle's error text.
 */
enum vigil_err store_vq_rows(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, size_t max_rows,
    json_t **rows /* OUT */);
/* The first row only (*row NULL and VIGIL_ENOTFOUND, no error text,
 * when there is none). */
enum vigil_err store_vq_row(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, json_t **row /* OUT */);
/* A statement without rows; *changes (may be NULL) the rows changed. */
enum vigil_err store_vq_exec(struct vigil_store *st, enum store_vq q,
    const struct store_vq_arg *args, size_t nargs, int *changes);

#endif
