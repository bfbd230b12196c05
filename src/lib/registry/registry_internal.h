/*
 * Internal interface of the registry module: validation helpers, the
 * reusable device-preparation context shared by vigil_device_add and
 * bulk import, and the conflict diagnosis. No SQL here: rows go through
 * store/store_internal.h.
 */
#ifndef VIGIL_REGISTRY_INTERNAL_H
#define VIGIL_REGISTRY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_internal.h"
#include "vigil/id.h"
#include "vigil/registry.h"

/* Room for quoting a user value in a message (see reg_quote). */
#define REG_QUOTE_SIZE 280
/* uniq_scope: "t:<uuid>|m:<model or gtin>" or "d:<uuid>". */
#define REG_SCOPE_MAX (2 * VIGIL_UUID_STRLEN + VIGIL_DEVICE_MODEL_MAX + 16)
/* Ceiling of a collected problem list. */
#define REG_PROBLEMS_MAX ((size_t)32 * 1024)

/* ------------------------------------------------------------------ */
/* Problems: every problem of one operation, one message each. */
struct reg_problems {
	struct vigil_buf buf; /* messages separated by '\n' */
	size_t n;
};

void reg_problems_init(struct reg_problems *p);
void reg_problems_reset(struct reg_problems *p);
void reg_problems_free(struct reg_problems *p);
void reg_problem(struct reg_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void reg_vproblem(struct reg_problems *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Sets the store error to all problems joined by "; "; returns code. */
enum vigil_err reg_problems_fail(struct vigil_store *st,
    const struct reg_problems *p, enum vigil_err code);

/* ------------------------------------------------------------------ */
/* Text checks. */

/* Copies s for embedding in a message: bytes that are not UTF-8 and C0
 * controls become \xNN, C1 controls and the characters that reorder or
 * hide text (vigil_cp_unsafe) \uNNNN, '"' and '\' are escaped, long
 * values end in "...". Returns dst. */
const char *reg_quote(const char *s, char *dst, size_t dstsize);

/*
 * Checks free text (name, model, region, owner, label value, actor,
 * reason): valid UTF-8, no control characters, at most max bytes.
 * On failure writes what is wrong (without the value) into why and
 * returns false.
 */
bool reg_text_ok(const char *s, size_t max, char *why, size_t whysize);
bool reg_label_key_ok(const char *k);
/* True for the identifier types that name hardware (unique across the
 * platform; see vigil/registry.h). */
bool reg_id_is_hardware(enum vigil_id_type t);
bool reg_is_uuid_shape(const char *s);

/* Field checks shared by add, update and import; problems go to p.
 * A device name: printable, no surrounding blanks, not shaped like a
 * device id unless it is self_id (NULL: any id shape is refused). */
/* A lifecycle state by name into spec->state (NULL or "": default);
 * one problem text for every reader (devspec_json.c). */
void reg_spec_state(struct reg_problems *p, const char *v,
    struct vigil_device_spec *spec);
void reg_check_name(struct reg_problems *p, const char *name,
    const char *self_id);
/* Free text field; show_value false keeps the value (personal data)
 * out of the message. */
void reg_check_field(struct reg_problems *p, const char *field,
    const char *v, size_t max, bool show_value);
/* Label keys and values, and keys repeated within labels[0..n). */
void reg_check_labels(struct reg_problems *p,
    const struct vigil_label_spec *labels, size_t n);

/* Validates actor (required) and reason (optional) into problems. */
void reg_check_actor(struct reg_problems *p, const char *actor,
    const char *reason);

/* ------------------------------------------------------------------ */
/* Preparing device rows. */

/* One identifier after parsing. */
struct reg_ident {
	enum vigil_id_type type;
	bool ok;
	bool nonunique; /* pseudo-ESN: checked against the device only */
	const char *given;
	char value[VIGIL_ID_MAX_VALUE];
	char key[VIGIL_ID_MAX_VALUE];
	char scope[REG_SCOPE_MAX];
};

/*
 * Reusable context: holds the identifier parse buffer (struct vigil_id
 * is ~12 KiB) and per-identifier results so bulk import allocates
 * nothing per row. One per operation or per import run.
 */
struct reg_ctx {
	struct vigil_store *st;
	struct vigil_tenant tenant;
	struct vigil_id id;
	size_t nidents;
	struct reg_ident idents[VIGIL_DEVICE_MAX_IDENTS];
	struct store_ident_row rows[VIGIL_DEVICE_MAX_IDENTS];
	char gtin[VIGIL_ID_MAX_VALUE];
	char device_id[VIGIL_UUID_STRLEN];
	struct reg_problems prob;
	/* Set during import: clashes with devices this run created name
	 * the line that created them. */
	const char *import_id;
	uint64_t line;
};

/* Allocates a context for the tenant (checked to exist); the store
 * error says why it failed. Free with reg_ctx_free(). */
enum vigil_err reg_ctx_new(struct vigil_store *st, const char *tenant_id,
    struct reg_ctx **out /* OUT */);
void reg_ctx_free(struct reg_ctx *c);

/* Parses one identifier into c->idents[c->nidents++]; problems go to
 * c->prob. */
void reg_ident_parse(struct reg_ctx *c, enum vigil_id_type type,
    const char *given);
/* Computes the uniqueness scope of every parsed identifier for a device
 * with this model key (gtin, else model name). */
void reg_ident_scopes(struct reg_ctx *c, size_t from, const char *model_key,
    const char *device_id);
/* Reports an identifier (same type and value) given twice among
 * c->idents[from..]. */
void reg_ident_repeats(struct reg_ctx *c, size_t from);
/* Normalises a GTIN into GTIN-14 (c->gtin); false with a problem. */
bool reg_gtin(struct reg_ctx *c, const char *given, char out[15]);
/* Reports identifiers (from index `from`) already held by another
 * device, and a device name already taken, into c->prob. */
enum vigil_err reg_diagnose_clashes(struct reg_ctx *c, size_t from,
    const char *name, const char *self_id);

/*
 * Validates and inserts one device (the body of vigil_device_add and of
 * every import row), inside its own savepoint. c->prob may already hold
 * problems found by the caller (e.g. an import row's syntax); any
 * problem fails the device, and all are reported together. On VIGIL_OK,
 * c->device_id is the new id. On failure c->prob lists every problem.
 */
enum vigil_err reg_device_create(struct reg_ctx *c,
    const struct vigil_device_spec *spec, const char *actor);

/* Resolves a reference (id, name or identifier) to a loaded device. */
enum vigil_err reg_device_resolve(struct vigil_store *st,
    const char *tenant_id, const char *ref, struct vigil_device **out);

/* ------------------------------------------------------------------ */
/* One device object of the JSON Lines import format (devspec_json.c). */

struct reg_json_spec {
	/* The result: points into the object read and into scratch. */
	struct vigil_device_spec spec;
	struct vigil_ident_spec idents[VIGIL_DEVICE_MAX_IDENTS];
	struct vigil_label_spec labels[VIGIL_DEVICE_MAX_LABELS];
	/* The caller's buffer for splitting a "k=v;..." labels string; a
	 * longer string is a problem. */
	char *scratch;
	size_t scratch_size;
	bool too_many; /* the identifier limit was reported */
};

/*
 * Reads object o into js->spec (cleared first). Every problem of its
 * shape (member types, unknown keys, state names, label syntax) goes
 * to p in the importer's words, without a line prefix; what is valid
 * is still filled in, so that creating the device can add the
 * problems of the values to the same list. Allocates nothing.
 */
void reg_json_spec_read(struct reg_json_spec *js, json_t *o,
    struct reg_problems *p);

/* Label cell "k=v;k2=v2" with '\' escaping ';' and '\': splits into
 * labels written into buf (modified in place). Returns the count, or
 * -1 after reporting a problem. */
int reg_labels_parse(char *buf, struct vigil_label_spec *labels, size_t max,
    struct reg_problems *p);

#endif
