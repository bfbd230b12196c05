/*
 * vigil/registry.h — tenants and the fleet inventory.
 *
 * Tenants own devices. A device has a UUIDv7 id, a name unique in its
 * tenant (defaults to the id), a model (name and/or GTIN, the GTIN kept
 * as GTIN-14), any number of typed identifiers (vigil/id.h), labels,
 * region, owner contact (personal data), times, a lifecycle state and a
 * row version for optimistic concurrency.
 *
 * Lifecycle:  registered → provisioned → active ⇄ quarantined
 *             every state → retired; nothing leaves retired.
 *
 * Scoping: every function that touches customer rows takes the tenant
 * id as an explicit argument and sees only that tenant's rows, so an
 * API handler cannot forget the scope. Platform-admin functions that
 * see all tenants are named vigil_admin_*.
 *
 * Uniqueness, by identifier match key (every spelling of one identifier
 * has the same key, see vigil_id.match_key):
 *   - hardware identifiers (IMEI, IMEISV, MEID, ESN, ICCID, IMSI, EID,
 *     MAC, EUI-64, device URN, EPC, UUID) are unique across the whole
 *     platform; one device may carry several identifiers that share a
 *     key (its IMEI and its IMEISV);
 *   - a GS1 element string or Digital Link URI naming one item (with
 *     a serial, SSCC, GIAI, ...) shares the key of that item's EPC and
 *     is unique across the platform too;
 *   - serial numbers are unique per tenant and model;
 *   - other URIs and product-level GS1 values (GTIN, batch) are unique
 *     per tenant;
 *   - a pseudo-ESN (derived from a MEID, 24 bits) is never unique and
 *     is only checked against the same device.
 * A bare GTIN is not a device identifier (it names a product): it is
 * the device's model GTIN.
 * A clash with a device of another tenant is reported as "registered in
 * another tenant" without naming it.
 *
 * Every create, update and state change appends a history entry
 * (append-only: the store refuses to update or delete one).
 *
 * Errors: functions return enum vigil_err; the text is in
 * vigil_store_errmsg(st). Validation reports every problem of a device
 * at once, separated by "; ". Texts never contain the owner contact.
 *
 * Ownership: strings passed in are copied. Results are caller-owned and
 * freed with the matching *_free() function written on each prototype.
 */
#ifndef VIGIL_REGISTRY_H
#define VIGIL_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "core.h"
#include "id.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Limits (bytes, excluding the NUL). */
#define VIGIL_TENANT_NAME_MAX 63      /* slug [a-z0-9][a-z0-9-]{0,62} */
#define VIGIL_TENANT_DISPLAY_MAX 255
#define VIGIL_DEVICE_NAME_MAX 128
#define VIGIL_DEVICE_MODEL_MAX 128
#define VIGIL_DEVICE_REGION_MAX 64
#define VIGIL_DEVICE_OWNER_MAX 255
#define VIGIL_LABEL_KEY_MAX 63        /* [a-z0-9_./-]{1,63} */
#define VIGIL_LABEL_VALUE_MAX 255     /* printable text */
#define VIGIL_DEVICE_MAX_LABELS 64
#define VIGIL_DEVICE_MAX_IDENTS 64
#define VIGIL_ACTOR_MAX 128           /* e.g. "local:alice" */
#define VIGIL_REASON_MAX 512
#define VIGIL_LIST_DEFAULT_LIMIT 100
#define VIGIL_LIST_MAX_LIMIT 1000

/* ------------------------------------------------------------------ */
/* Tenants */

struct vigil_tenant {
	char id[VIGIL_UUID_STRLEN];
	char name[VIGIL_TENANT_NAME_MAX + 1];
	char display_name[VIGIL_TENANT_DISPLAY_MAX + 1];
	int64_t created_ms;
};

/* Platform admin: creates a tenant. name is a slug; display_name may be
 * NULL or "" (then it is the name). *out (may be NULL) receives it.
 * VIGIL_EEXIST when the name is taken. */
enum vigil_err vigil_admin_tenant_create(struct vigil_store *st,
    const char *name, const char *display_name,
    struct vigil_tenant *out /* OUT */);

/* Platform admin: finds a tenant by id or by name. */
enum vigil_err vigil_admin_tenant_get(struct vigil_store *st,
    const char *id_or_name, struct vigil_tenant *out /* OUT */);

/* Platform admin: lists tenants ordered by name, after the name `after`
 * (NULL = from the start), at most limit (0 = default). Caller frees
 * *out with vigil_free(). */
enum vigil_err vigil_admin_tenant_list(struct vigil_store *st,
    const char *after, size_t limit, struct vigil_tenant **out /* OUT */,
    size_t *n /* OUT */);

/* Platform admin: renames (new_name may be NULL to keep it) and/or sets
 * the display name (NULL to keep it). */
enum vigil_err vigil_admin_tenant_rename(struct vigil_store *st,
    const char *tenant_id, const char *new_name, const char *display_name,
    struct vigil_tenant *out /* OUT, may be NULL */);

/* Platform admin: deletes a tenant that has no devices (retired ones
 * count: their history is kept). VIGIL_ESTATE when not empty. */
enum vigil_err vigil_admin_tenant_delete(struct vigil_store *st,
    const char *tenant_id);

/* Scoped: the tenant's own record. */
enum vigil_err vigil_tenant_show(struct vigil_store *st,
    const char *tenant_id, struct vigil_tenant *out /* OUT */);

/* True when name is a valid tenant slug. */
int vigil_tenant_name_valid(const char *name);

/* ------------------------------------------------------------------ */
/* Devices */

/* Never renumber: stored in exports and used by callers. */
enum vigil_device_state {
	VIGIL_DEV_NONE = 0, /* "no state": default/filter "any" */
	VIGIL_DEV_REGISTERED = 1,
	VIGIL_DEV_PROVISIONED = 2,
	VIGIL_DEV_ACTIVE = 3,
	VIGIL_DEV_QUARANTINED = 4,
	VIGIL_DEV_RETIRED = 5,
};

/* "registered", ... ; "none" for VIGIL_DEV_NONE. Static string. */
const char *vigil_device_state_name(enum vigil_device_state s);
/* VIGIL_DEV_NONE when the name is unknown. */
enum vigil_device_state vigil_device_state_from_name(const char *name);
/*
 * VIGIL_OK when from → to is a legal transition; otherwise VIGIL_ESTATE
 * and why (e.g. "cannot go from registered to active: provision it
 * first (registered → provisioned → active)") in why (may be NULL).
 */
enum vigil_err vigil_device_transition_check(enum vigil_device_state from,
    enum vigil_device_state to, char *why, size_t whysize);

/* One stored identifier of a device. */
struct vigil_device_ident {
	enum vigil_id_type type;
	char *value;     /* normalised spelling (vigil_id.normalized) */
	char *match_key; /* vigil_id.match_key */
};

struct vigil_device_label {
	char *key;
	char *value;
};

struct vigil_device {
	char id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char *name;   /* never NULL; the id when no name was given */
	char *model;  /* "" when none */
	char *gtin;   /* GTIN-14 or "" */
	char *region; /* "" when none */
	char *owner;  /* PERSONAL DATA: owner contact, "" when none. Keep it
		       * out of logs; vigil_device_to_json can redact it. */
	enum vigil_device_state state;
	int64_t created_ms;
	int64_t updated_ms;
	int64_t last_seen_ms; /* 0 = never seen */
	int64_t version;      /* starts at 1, +1 on every update */
	size_t nidents;
	struct vigil_device_ident *idents; /* ordered by type, value */
	size_t nlabels;
	struct vigil_device_label *labels; /* ordered by key */
};

/* Frees a device returned by this API. NULL is a no-op. */
void vigil_device_free(struct vigil_device *d);

/* An identifier as given by a user: type VIGIL_ID_UNKNOWN means
 * auto-detect (an ambiguous value is rejected with its candidates). */
struct vigil_ident_spec {
	enum vigil_id_type type;
	const char *value; /* NUL-terminated, any valid spelling */
};

struct vigil_label_spec {
	const char *key;
	const char *value;
};

/* What vigil_device_add creates. NULL strings mean "none". */
struct vigil_device_spec {
	const char *name;  /* NULL or "": the device id */
	const char *model; /* model name */
	const char *gtin;  /* any GTIN-8/12/13/14 spelling */
	const char *region;
	const char *owner; /* personal data */
	enum vigil_device_state state; /* VIGIL_DEV_NONE = registered */
	size_t nidents;
	const struct vigil_ident_spec *idents;
	size_t nlabels;
	const struct vigil_label_spec *labels;
};

/*
 * Adds a device to the tenant. Every identifier is validated with
 * vigil_id_parse (or vigil_id_detect); all problems of the spec are
 * reported at once. actor (e.g. "local:alice") goes into the history.
 * *out (may be NULL) receives the new device; caller frees it with
 * vigil_device_free(). VIGIL_EINVAL for invalid input, VIGIL_EEXIST
 * for a name or identifier already registered.
 */
enum vigil_err vigil_device_add(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_spec *spec, const char *actor,
    struct vigil_device **out /* OUT */);

/* A device spec that owns what it points to: the result of
 * vigil_device_spec_from_json. Free with vigil_device_spec_owned_free(). */
struct vigil_device_spec_owned {
	struct vigil_device_spec spec;
	/* (private storage follows in the same allocation) */
};

/*
 * Reads ONE object of the JSON Lines import format (see "Bulk import"
 * below: name, model, gtin, state, region, owner, labels, identifier
 * type keys, "identifiers") into a device spec for vigil_device_add,
 * with the importer's rules and texts: "" and null mean none; unknown
 * keys, wrong member types, unknown states and identifier types and a
 * bad "k=v;..." labels string are refused. Every problem is reported
 * at once in err, joined by "; " as the importer words them without
 * its "line N: " prefix (e.g. `unknown key "colour"; key "imei": must
 * be a string or an array of strings`); err is cut to errsize. The
 * values themselves (identifier check digits, lengths, label keys)
 * are checked by vigil_device_add. The object is copied: *out does not
 * depend on o. VIGIL_EINVAL with problems, VIGIL_ENOMEM; on success
 * the caller frees *out with vigil_device_spec_owned_free().
 */
enum vigil_err vigil_device_spec_from_json(const json_t *o,
    struct vigil_device_spec_owned **out /* OUT */, char *err,
    size_t errsize);
/* NULL is a no-op. */
void vigil_device_spec_owned_free(struct vigil_device_spec_owned *s);

/*
 * Fetches one device of the tenant by reference: its id, else its name,
 * else any identifier in any valid spelling (auto-detected). Caller
 * frees *out with vigil_device_free(). VIGIL_ENOTFOUND when nothing
 * matches, VIGIL_EAMBIGUOUS when an identifier reading matches several
 * devices (the message lists them).
 */
enum vigil_err vigil_device_get(struct vigil_store *st, const char *tenant_id,
    const char *ref, struct vigil_device **out /* OUT */);

/* A page of devices. Free with vigil_device_list_free(). */
struct vigil_device_list {
	size_t n;
	struct vigil_device **items;
	/* Cursor for the next page ("" when this page is the last). */
	char next[VIGIL_UUID_STRLEN];
};
void vigil_device_list_free(struct vigil_device_list *l);

/*
 * Finds the tenant's devices carrying an identifier given in any valid
 * spelling. type VIGIL_ID_UNKNOWN auto-detects; when detection is
 * ambiguous, every candidate's match key is searched. VIGIL_EINVAL when
 * the text is not a valid identifier (message from vigil/id.h);
 * VIGIL_ENOTFOUND when no device matches. Results ordered by id.
 */
enum vigil_err vigil_device_find(struct vigil_store *st,
    const char *tenant_id, enum vigil_id_type type, const char *text,
    struct vigil_device_list *out /* OUT */);

struct vigil_device_filter {
	enum vigil_device_state state; /* VIGIL_DEV_NONE = any */
	const char *model;     /* model name, or a GTIN in any spelling */
	const char *label_key; /* with label_value NULL: has the key */
	const char *label_value;
	enum vigil_id_type id_type; /* has an identifier of this type */
	const char *after;     /* cursor: list.next of the previous page */
	size_t limit;          /* 0 = VIGIL_LIST_DEFAULT_LIMIT */
};

/* Lists the tenant's devices ordered by id (stable: UUIDv7 ids are
 * time-ordered). f may be NULL. */
enum vigil_err vigil_device_list(struct vigil_store *st,
    const char *tenant_id, const struct vigil_device_filter *f,
    struct vigil_device_list *out /* OUT */);

/* Counts the tenant's devices matching f (cursor and limit ignored). */
enum vigil_err vigil_device_count(struct vigil_store *st,
    const char *tenant_id, const struct vigil_device_filter *f,
    uint64_t *count /* OUT */);

/* Changes to a device. NULL / 0 members are left unchanged; "" clears
 * a text member (model, gtin, region, owner). */
struct vigil_device_update {
	/* Version the caller last saw (HTTP If-Match); VIGIL_ECONFLICT when
	 * the device changed since. 0 = do not check (CLI only). */
	int64_t expected_version;
	const char *name;
	const char *model;
	const char *gtin;
	const char *region;
	const char *owner;
	size_t nlabels_set;
	const struct vigil_label_spec *labels_set;
	size_t nlabels_unset;
	const char *const *labels_unset; /* keys */
	size_t nidents_add;
	const struct vigil_ident_spec *idents_add;
	size_t nidents_remove;
	const struct vigil_ident_spec *idents_remove; /* any spelling */
};

/*
 * Applies u to the device named by ref (as in vigil_device_get) and
 * appends a history entry saying what changed. Bumps the version.
 * Retired devices cannot be updated (VIGIL_ESTATE). *out (may be NULL)
 * receives the updated device; caller frees with vigil_device_free().
 */
enum vigil_err vigil_device_update(struct vigil_store *st,
    const char *tenant_id, const char *ref, const struct vigil_device_update *u,
    const char *actor, const char *reason,
    struct vigil_device **out /* OUT */);

/*
 * Moves the device to state `to` (see the lifecycle above); illegal
 * transitions fail with VIGIL_ESTATE and the reason, e.g. "device
 * cam-7: cannot go from registered to active: provision it first
 * (registered → provisioned → active)". expected_version as in
 * vigil_device_update. *out may be NULL.
 */
enum vigil_err vigil_device_set_state(struct vigil_store *st,
    const char *tenant_id, const char *ref, enum vigil_device_state to,
    int64_t expected_version, const char *actor, const char *reason,
    struct vigil_device **out /* OUT */);

/* Same as vigil_device_set_state(..., VIGIL_DEV_RETIRED, ...). */
enum vigil_err vigil_device_retire(struct vigil_store *st,
    const char *tenant_id, const char *ref, int64_t expected_version,
    const char *actor, const char *reason, struct vigil_device **out /* OUT */);

/* Records that the device was seen at at_ms. Telemetry, not an edit: no
 * history entry and no version bump (an If-Match would otherwise fail
 * on every heartbeat). */
enum vigil_err vigil_device_touch(struct vigil_store *st,
    const char *tenant_id, const char *device_id, int64_t at_ms);

/* ------------------------------------------------------------------ */
/* Inventory summary */

/* Models and regions listed by a summary, the largest first; the
 * devices of the rest are counted together as "other". */
#define VIGIL_SUMMARY_TOP 50

struct vigil_summary_model {
	char *model;      /* "" for devices without a model name */
	char *gtin;       /* GTIN-14, "" when none */
	uint64_t devices;
};

struct vigil_summary_region {
	char *region;     /* "" for devices without a region */
	uint64_t devices;
};

/*
 * Counts over every device of one tenant, retired ones included, taken
 * from one consistent state of the store. A model is a (model name,
 * GTIN) pair. Free with vigil_inventory_summary_free().
 */
struct vigil_inventory_summary {
	uint64_t devices;
	/* Indexed by enum vigil_device_state; [VIGIL_DEV_NONE] is 0. */
	uint64_t by_state[VIGIL_DEV_RETIRED + 1];
	uint64_t never_seen;   /* last_seen_ms == 0 */
	size_t nmodels;        /* at most VIGIL_SUMMARY_TOP */
	struct vigil_summary_model *models; /* most devices first, then by
					     * model and GTIN */
	uint64_t models_other; /* devices of the models not listed */
	size_t nregions;       /* at most VIGIL_SUMMARY_TOP */
	struct vigil_summary_region *regions; /* most devices first */
	uint64_t regions_other;
	/* Devices carrying at least one identifier of each type, indexed
	 * by enum vigil_id_type ([VIGIL_ID_UNKNOWN] is 0). A device with
	 * several types counts once under each. */
	uint64_t by_id_type[VIGIL_ID_TYPE_COUNT];
	/* Devices without any identifier: nothing ties the record to a
	 * physical device (a security finding). */
	uint64_t unidentified;
	/* Devices without a hardware identifier (the platform-unique types
	 * listed at the top of this file): at most a serial number, URI or
	 * product-level GS1 value. Includes the unidentified ones. */
	uint64_t no_hardware_id;
};

/*
 * Summarises the tenant's inventory: counts by lifecycle state, model,
 * region and identifier type, never-seen and unidentified devices.
 * Counted by the store without loading devices. *out is cleared on
 * entry and stays empty on error; on success the caller frees it with
 * vigil_inventory_summary_free(). An unknown tenant has no devices.
 */
enum vigil_err vigil_device_summary(struct vigil_store *st,
    const char *tenant_id, struct vigil_inventory_summary *out /* OUT */);

/* Frees the lists of a summary and clears it. NULL is a no-op. */
void vigil_inventory_summary_free(struct vigil_inventory_summary *s);

/* ------------------------------------------------------------------ */
/* History */

struct vigil_history_entry {
	int64_t seq;    /* increasing, unique in the store */
	int64_t at_ms;
	char event[16]; /* "create", "update", "state", "retire" */
	enum vigil_device_state from; /* VIGIL_DEV_NONE when not a move */
	enum vigil_device_state to;
	char *detail;   /* what changed, e.g. "labels: +site=berlin" */
	char *actor;
	char *reason;   /* "" when none */
};

struct vigil_history {
	size_t n;
	struct vigil_history_entry *items;
};
void vigil_history_free(struct vigil_history *h);

/* History of one device of the tenant, oldest first, entries with
 * seq > after_seq, at most limit (0 = default). */
enum vigil_err vigil_device_history(struct vigil_store *st,
    const char *tenant_id, const char *ref, int64_t after_seq, size_t limit,
    struct vigil_history *out /* OUT */);

/* ------------------------------------------------------------------ */
/* JSON renderings shared by the CLI and the HTTP API. Each returns a
 * new reference (json_decref() it) or NULL when out of memory. */

#define VIGIL_JSON_REDACT_PERSONAL 0x1 /* omit the owner contact */

json_t *vigil_tenant_to_json(const struct vigil_tenant *t);
json_t *vigil_device_to_json(const struct vigil_device *d, unsigned flags);
json_t *vigil_history_to_json(const struct vigil_history *h);
/* {"devices": N, "states": {"registered": N, ...}, "never_seen": N,
 *  "models": [{"model", "gtin", "devices"}...], "models_other": N,
 *  "regions": [{"region", "devices"}...], "regions_other": N,
 *  "identifiers": {"<type name>": N for every type}, "unidentified": N,
 *  "no_hardware_id": N} */
json_t *vigil_inventory_summary_to_json(
    const struct vigil_inventory_summary *s);

/* ------------------------------------------------------------------ */
/* Bulk import and export (streaming, constant memory).
 *
 * CSV (RFC 4180): header row required; columns name, model, gtin,
 * state, region, owner, labels ("k=v;k2=v2", a backslash escapes ';'
 * and '\' inside a value) and one column per identifier type named by
 * vigil_id_type_name(); a type column may repeat for devices with
 * several identifiers of that type. Unknown columns are rejected up
 * front. Empty cells mean "none".
 *
 * JSON Lines: one object per line with the same keys; an identifier key
 * may hold a string or an array of strings; "identifiers" may hold an
 * array of {"type": ..., "value": ...}; "labels" an object or a string
 * as in CSV. Blank lines are skipped.
 */

enum vigil_import_format {
	VIGIL_FORMAT_CSV = 1,
	VIGIL_FORMAT_JSONL = 2,
};

#define VIGIL_IMPORT_MAX_RECORD 65536 /* bytes per line/record (64 KiB) */
#define VIGIL_IMPORT_MAX_FIELDS 128         /* CSV columns */
#define VIGIL_IMPORT_DEFAULT_BATCH 2000     /* rows per transaction */

struct vigil_import_progress {
	uint64_t rows_read;
	uint64_t bytes_read;
	int64_t total_bytes; /* -1 when unknown */
};

/* Returns bytes read into buf (0 at end of input) or -1 on error. */
typedef ssize_t (*vigil_read_fn)(void *ctx, void *buf, size_t n);
/* Writes all n bytes; returns 0, or -1 on error. */
typedef int (*vigil_write_fn)(void *ctx, const void *buf, size_t n);

struct vigil_import_options {
	enum vigil_import_format format;
	/* All-or-nothing: every bad row is still reported, then nothing is
	 * kept. Default: every good row is kept, every bad one reported. */
	int atomic;
	size_t batch_rows;  /* rows per transaction, 0 = default */
	size_t max_record;  /* 0 = VIGIL_IMPORT_MAX_RECORD (the ceiling) */
	const char *actor;  /* history actor, NULL = "import" */
	int64_t total_bytes; /* for progress; -1 or 0 = unknown */
	/* One call per problem: line is the line where the record starts;
	 * msg is e.g. "line 1203: IMEI 35-209900-176148-2: check digit is
	 * 2, expected 1". May be NULL. */
	void (*on_error)(void *ctx, uint64_t line, const char *msg);
	/* Called after every batch and at the end. May be NULL. */
	void (*on_progress)(void *ctx, const struct vigil_import_progress *p);
	/*
	 * Called inside each transaction the import commits, just before
	 * the commit (once per batch, or once for an atomic run), with the
	 * number of devices the transaction creates: a caller that must
	 * record the change together with it (vigild's audit entry) does
	 * so here, on the same store handle. A non-OK return rolls that
	 * transaction back and ends the run with that error. May be NULL.
	 */
	enum vigil_err (*on_commit)(void *ctx, uint64_t rows_in_commit);
	void *ctx;
};

struct vigil_import_summary {
	uint64_t rows_read;     /* data rows, not counting header/blank */
	uint64_t rows_imported; /* committed */
	uint64_t rows_failed;
	uint64_t bytes_read;
	/* 1 when the run stopped on a problem of the input or the store
	 * as a whole (header, quoting, I/O, database), 0 when it read
	 * everything (bad rows, if any, were reported one by one). */
	int fatal;
};

/*
 * Imports devices into the tenant from a stream. Returns VIGIL_OK when
 * every row was imported; VIGIL_EINVAL when some rows were bad (the
 * good ones are kept unless atomic); other codes for a fatal problem
 * (unknown column, unterminated quote, read or store error), whose text
 * is in vigil_store_errmsg(). The summary is filled in every case.
 */
enum vigil_err vigil_import(struct vigil_store *st, const char *tenant_id,
    vigil_read_fn rd, void *rctx, const struct vigil_import_options *opt,
    struct vigil_import_summary *sum /* OUT */);

/* Convenience wrappers over vigil_import: a file descriptor (not
 * closed) and a memory buffer. */
enum vigil_err vigil_import_fd(struct vigil_store *st, const char *tenant_id,
    int fd, const struct vigil_import_options *opt,
    struct vigil_import_summary *sum /* OUT */);
enum vigil_err vigil_import_mem(struct vigil_store *st, const char *tenant_id,
    const void *buf, size_t len, const struct vigil_import_options *opt,
    struct vigil_import_summary *sum /* OUT */);

/*
 * Exports the tenant's devices matching f (cursor and limit ignored;
 * f may be NULL) as CSV or JSON Lines that vigil_import reads back into
 * the same devices, identifiers, labels and states. A device whose
 * name is its id is exported without a name. *count (may be NULL)
 * receives the number of devices written.
 */
enum vigil_err vigil_export(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, enum vigil_import_format format,
    vigil_write_fn wr, void *wctx, uint64_t *count /* OUT */);

#define VIGIL_EXPORT_DEFAULT_PAGE 500 /* devices per step */

struct vigil_export_options {
	enum vigil_import_format format;
	/*
	 * VIGIL_JSON_REDACT_PERSONAL leaves out the owner contact: JSON
	 * Lines objects have no "owner" key; CSV keeps its header as it
	 * is (the "owner" column stays, so column positions and the
	 * importer's view of the file do not change with the flag) and
	 * every owner cell is empty. Either file imports back into the
	 * same devices without owners.
	 */
	unsigned flags;
	size_t page; /* devices per vigil_export_step, 0 = default */
};

/* As vigil_export, with options. */
enum vigil_err vigil_export_opt(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, vigil_write_fn wr, void *wctx,
    uint64_t *count /* OUT */);
/* As vigil_export_opt, writing to a file descriptor. */
enum vigil_err vigil_export_fd(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, int fd, uint64_t *count /* OUT */);

/*
 * A resumable export: the same output as vigil_export_opt, produced one
 * page at a time, so that a caller can pause between pages (e.g. until
 * a slow network client has taken the previous one) and memory stays
 * at one page of devices. Devices come in id order (UUIDv7: time of
 * creation), each page after the last id written.
 *
 * Each step reads its page in a read snapshot of its own (unless the
 * caller holds a transaction), so a paused export sees changes made
 * meanwhile: a device created later comes at the end, one changed
 * before its page is written is written as changed. The CSV header is
 * fixed when the export opens; a device that gained identifiers of a
 * type beyond the header's columns in the meantime stops the export
 * with VIGIL_ECONFLICT (export again). vigil_export_opt runs every
 * step inside one snapshot, where that cannot happen.
 *
 * vigil_export_open copies f (cursor and limit ignored) and checks what
 * can be checked up front (tenant, format, CSV width: VIGIL_ERANGE); it
 * writes nothing. vigil_export_step writes the next page through wr (in
 * whole records: the CSV header and each device are one call each) and
 * sets *done after the last one; calling it again after done is a
 * no-op. After an error the export cannot continue; the text is in
 * vigil_store_errmsg(st). st must outlive the export. Free with
 * vigil_export_close() (NULL is a no-op).
 */
struct vigil_export;

enum vigil_err vigil_export_open(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, vigil_write_fn wr, void *wctx,
    struct vigil_export **out /* OUT */);
enum vigil_err vigil_export_step(struct vigil_export *ex, int *done /* OUT */);
/* Devices written so far. */
uint64_t vigil_export_count(const struct vigil_export *ex);
void vigil_export_close(struct vigil_export *ex);

#ifdef __cplusplus
}
#endif
#endif
