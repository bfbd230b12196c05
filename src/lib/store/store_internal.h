/*
 * Internal interface of the store module: the handle, the backend
 * table and the row-level operations the registry builds on. This is
 * the only way into the database; no SQL exists outside src/lib/store.
 *
 * Every operation on customer rows takes the tenant id and touches only
 * that tenant's rows. The few unscoped ones (tenants themselves, the
 * identifier claim check that must see the whole platform to enforce
 * global uniqueness) say so in their names.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/registry.h"
#include "vigil/store.h"

struct store_backend;
struct store_iam_ops;
struct store_audit_ops;
struct store_pki_ops;

struct vigil_store {
	const struct store_backend *be;
	void *impl;   /* backend state */
	int depth;    /* transaction nesting depth */
	char err[VIGIL_STORE_MAX_ERR];
};

/* A device row as stored (strings borrowed from the caller). */
struct store_device_row {
	const char *id;
	const char *name;
	const char *model;
	const char *gtin;
	const char *region;
	const char *owner;
	enum vigil_device_state state;
	int64_t created_ms;
	int64_t updated_ms;
};

/* One identifier of a device. uniq_scope is "" for platform-wide
 * uniqueness, otherwise the scope the key is unique in. */
struct store_ident_row {
	enum vigil_id_type type;
	const char *value;
	const char *match_key;
	const char *uniq_scope;
};

/* One history entry to append. */
struct store_history_row {
	int64_t at_ms;
	const char *event;
	enum vigil_device_state from;
	enum vigil_device_state to;
	const char *detail;
	const char *actor;
	const char *reason;
	const char *import_id; /* NULL unless created by an import */
	int64_t import_line;
};

/* Changes applied by store_device_modify, in this order: identifier
 * removals, row update (version check), identifier additions, label
 * unsets, label sets, history. */
struct store_device_change {
	int64_t expected_version; /* 0 = unchecked */
	const struct store_device_row *row; /* new values of all columns */
	size_t nident_del;
	const struct store_ident_row *ident_del; /* type + value used */
	size_t nident_add;
	const struct store_ident_row *ident_add;
	size_t nlabel_unset;
	const char *const *label_unset;
	size_t nlabel_set;
	const struct vigil_label_spec *label_set;
	const struct store_history_row *history;
};

/* Who holds an identifier claim, as far as the asking tenant may know. */
struct store_claim {
	bool found;
	bool same_tenant; /* false: held in another tenant, nothing more */
	char device_id[VIGIL_UUID_STRLEN];      /* same tenant only */
	char device_name[VIGIL_DEVICE_NAME_MAX + 1]; /* same tenant only */
};

/* Internal list filter: the registry resolves the model to a GTIN. */
struct store_filter {
	enum vigil_device_state state;
	const char *model; /* exact model name or NULL */
	const char *gtin;  /* GTIN-14 or NULL; matches when model or gtin do */
	const char *label_key;
	const char *label_value;
	enum vigil_id_type id_type;
	const char *after;
	size_t limit;
};

/* Callback receiving device ids, e.g. from store_ident_find. */
typedef enum vigil_err (*store_id_cb)(void *ctx, const char *device_id);

struct store_backend {
	const char *name;
	enum vigil_err (*open)(struct vigil_store *st, const char *path,
	    const struct vigil_store_options *opt);
	void (*close)(struct vigil_store *st);
	enum vigil_err (*schema_version)(struct vigil_store *st, int *v);
	enum vigil_err (*set_durability)(struct vigil_store *st, int level);
	/* depth is the level being opened/closed (1 = outermost). */
	enum vigil_err (*tx_begin)(struct vigil_store *st, int depth);
	enum vigil_err (*tx_commit)(struct vigil_store *st, int depth);
	enum vigil_err (*tx_rollback)(struct vigil_store *st, int depth);
	/* Starts a read-only snapshot (depth 1 only); ended by tx_commit. */
	enum vigil_err (*tx_read_begin)(struct vigil_store *st);

	enum vigil_err (*tenant_insert)(struct vigil_store *st,
	    const struct vigil_tenant *t);
	enum vigil_err (*tenant_get_unscoped)(struct vigil_store *st,
	    const char *id_or_name, struct vigil_tenant *out);
	enum vigil_err (*tenant_list_unscoped)(struct vigil_store *st,
	    const char *after, size_t limit, struct vigil_tenant **out,
	    size_t *n);
	enum vigil_err (*tenant_update)(struct vigil_store *st,
	    const char *tenant_id, const char *name, const char *display);
	enum vigil_err (*tenant_delete)(struct vigil_store *st,
	    const char *tenant_id);

	enum vigil_err (*device_create)(struct vigil_store *st,
	    const char *tenant_id, const struct store_device_row *row,
	    size_t nident, const struct store_ident_row *idents,
	    size_t nlabel, const struct vigil_label_spec *labels,
	    const struct store_history_row *h);
	enum vigil_err (*device_modify)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id,
	    const struct store_device_change *c);
	enum vigil_err (*device_touch)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id, int64_t at_ms);
	/* Loads the device with identifiers and labels; ENOTFOUND. */
	enum vigil_err (*device_load)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id,
	    struct vigil_device **out);
	enum vigil_err (*device_id_by_name)(struct vigil_store *st,
	    const char *tenant_id, const char *name,
	    char id[VIGIL_UUID_STRLEN]);
	enum vigil_err (*device_list)(struct vigil_store *st,
	    const char *tenant_id, const struct store_filter *f,
	    store_id_cb cb, void *ctx);
	enum vigil_err (*device_count)(struct vigil_store *st,
	    const char *tenant_id, const struct store_filter *f,
	    uint64_t *count);
	/* Devices of the tenant carrying an identifier with this key. */
	enum vigil_err (*ident_find)(struct vigil_store *st,
	    const char *tenant_id, const char *match_key, store_id_cb cb,
	    void *ctx);
	/* Claim check: sees every tenant, reveals only what `tenant_id`
	 * may know (see struct store_claim). */
	enum vigil_err (*claim_owner)(struct vigil_store *st,
	    const char *tenant_id, const char *uniq_scope,
	    const char *match_key, struct store_claim *out);
	/* Largest number of identifiers of each type on one device. */
	enum vigil_err (*ident_type_max)(struct vigil_store *st,
	    const char *tenant_id, size_t counts[VIGIL_ID_TYPE_COUNT]);
	/* Aggregate counts of the tenant's devices into *out (cleared
	 * first; lists owned by *out): at most `top` models and regions.
	 * Bit t of hw_types set: identifier type t is a hardware one.
	 * Run inside a read snapshot so that the counts agree. */
	enum vigil_err (*device_summary)(struct vigil_store *st,
	    const char *tenant_id, uint64_t hw_types, size_t top,
	    struct vigil_inventory_summary *out);
	enum vigil_err (*history_list)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id, int64_t after_seq,
	    size_t limit, struct vigil_history *out);
	/* Line of import_id that created the device; ENOTFOUND if another
	 * import or no import created it. */
	enum vigil_err (*history_import_line)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id,
	    const char *import_id, int64_t *line);

	/* Areas with their own operation tables. */
	const struct store_iam_ops *iam;     /* store_iam.h */
	const struct store_audit_ops *audit; /* store_audit.h */
	const struct store_pki_ops *pki;     /* store_pki.h */
};

/*
 * Read snapshot for operations made of several queries (a device and
 * its identifiers and labels, a page of devices, an export): one
 * consistent view, one lock round-trip. Inside a transaction it does
 * nothing. *began says whether store_read_end must end it.
 */
enum vigil_err store_read_begin(struct vigil_store *st, bool *began);
void store_read_end(struct vigil_store *st, bool began);

/* Ends the caller's vigil_store_begin(): commits when rc is VIGIL_OK,
 * otherwise rolls back and returns rc with its error text kept (a
 * failed rollback does not overwrite why the work failed). */
enum vigil_err store_tx_end(struct vigil_store *st, enum vigil_err rc);

/* Sets the handle's error text; returns code. */
enum vigil_err store_seterr(struct vigil_store *st, enum vigil_err code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Clears the handle's error text. */
void store_clearerr(struct vigil_store *st);

/* The SQLite backend (sqlite.c). */
extern const struct store_backend store_sqlite_backend;

/* Dispatchers used by the registry (store.c): one per backend entry. */
enum vigil_err store_tenant_insert(struct vigil_store *st,
    const struct vigil_tenant *t);
enum vigil_err store_tenant_get_unscoped(struct vigil_store *st,
    const char *id_or_name, struct vigil_tenant *out);
enum vigil_err store_tenant_list_unscoped(struct vigil_store *st,
    const char *after, size_t limit, struct vigil_tenant **out, size_t *n);
enum vigil_err store_tenant_update(struct vigil_store *st,
    const char *tenant_id, const char *name, const char *display);
enum vigil_err store_tenant_delete(struct vigil_store *st,
    const char *tenant_id);
enum vigil_err store_device_create(struct vigil_store *st,
    const char *tenant_id, const struct store_device_row *row, size_t nident,
    const struct store_ident_row *idents, size_t nlabel,
    const struct vigil_label_spec *labels, const struct store_history_row *h);
enum vigil_err store_device_modify(struct vigil_store *st,
    const char *tenant_id, const char *device_id,
    const struct store_device_change *c);
enum vigil_err store_device_touch(struct vigil_store *st,
    const char *tenant_id, const char *device_id, int64_t at_ms);
enum vigil_err store_device_load(struct vigil_store *st,
    const char *tenant_id, const char *device_id, struct vigil_device **out);
enum vigil_err store_device_id_by_name(struct vigil_store *st,
    const char *tenant_id, const char *name, char id[VIGIL_UUID_STRLEN]);
enum vigil_err store_device_list(struct vigil_store *st,
    const char *tenant_id, const struct store_filter *f, store_id_cb cb,
    void *ctx);
enum vigil_err store_device_count(struct vigil_store *st,
    const char *tenant_id, const struct store_filter *f, uint64_t *count);
enum vigil_err store_ident_find(struct vigil_store *st,
    const char *tenant_id, const char *match_key, store_id_cb cb, void *ctx);
enum vigil_err store_claim_owner(struct vigil_store *st,
    const char *tenant_id, const char *uniq_scope, const char *match_key,
    struct store_claim *out);
enum vigil_err store_ident_type_max(struct vigil_store *st,
    const char *tenant_id, size_t counts[VIGIL_ID_TYPE_COUNT]);
enum vigil_err store_device_summary(struct vigil_store *st,
    const char *tenant_id, uint64_t hw_types, size_t top,
    struct vigil_inventory_summary *out);
enum vigil_err store_history_list(struct vigil_store *st,
    const char *tenant_id, const char *device_id, int64_t after_seq,
    size_t limit, struct vigil_history *out);
enum vigil_err store_history_import_line(struct vigil_store *st,
    const char *tenant_id, const char *device_id, const char *import_id,
    int64_t *line);

#endif
