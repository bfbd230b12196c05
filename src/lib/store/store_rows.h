/*
 * Statements by id with rows as JSON (sqlite_rows.c): the shared
 * executor of the store areas whose callers shape JSON renderings
 * (vulnerability queries, zero-trust policies, posture). An area keeps
 * its static SQL text table next to its header; a caller names a
 * statement by id, binds ?1..?n from a list of store_arg, and gets rows
 * back as JSON objects keyed by column name (INTEGER -> integer, REAL
 * -> real, TEXT -> string (invalid UTF-8 shown as U+FFFD), BLOB ->
 * string, NULL -> null).
 */
#ifndef VIGIL_STORE_ROWS_H
#define VIGIL_STORE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_internal.h"

enum store_arg_type {
	SA_NULL = 0,
	SA_TEXT,
	SA_INT,
	SA_REAL,
};
struct store_arg {
	enum store_arg_type type;
	const char *s;
	int64_t i;
	double d;
};
/* Builders for argument lists. A NULL string binds SQL NULL. */
#define SA_S(v) ((struct store_arg){ .type = SA_TEXT, .s = (v) })
#define SA_I(v) ((struct store_arg){ .type = SA_INT, .i = (v) })
#define SA_D(v) ((struct store_arg){ .type = SA_REAL, .d = (v) })

/* Reading a row: a text column ("" when NULL or not text) and an
 * integer column (0 when NULL). */
static inline const char *
store_row_str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s == NULL ? "" : s;
}

static inline int64_t
store_row_int(const json_t *row, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(row, key));
}

/* A library error that carries the store's text: "what: <store text>"
 * into err, returning rc. */
enum vigil_err store_rows_err(struct vigil_store *st, enum vigil_err rc,
    const char *what, char *err, size_t errsize);

/* One area's statements: its slot (enum sq_area in sqlite_internal.h,
 * passed as int so this header needs no SQLite), its SQL table of
 * count entries, and a name for error texts ("vuln query"). */
struct store_rows_area {
	int area;
	const char *const *sql;
	int count;
	const char *what;
};

/*
 * Runs statement id with args bound to ?1..?nargs; *rows (new array of
 * objects, json_decref) gets at most max_rows rows (VIGIL_ERANGE past
 * that: every result is bounded). VIGIL_ESTORE / ENOMEM with the
 * handle's error text.
 */
enum vigil_err store_rows_all(struct vigil_store *st,
    const struct store_rows_area *a, int id, const struct store_arg *args,
    size_t nargs, size_t max_rows, json_t **rows /* OUT */);
/* The first row only (*row NULL and VIGIL_ENOTFOUND, no error text,
 * when there is none). */
enum vigil_err store_rows_one(struct vigil_store *st,
    const struct store_rows_area *a, int id, const struct store_arg *args,
    size_t nargs, json_t **row /* OUT */);
/* A statement without rows; *changes (may be NULL) the rows changed. */
enum vigil_err store_rows_exec(struct vigil_store *st,
    const struct store_rows_area *a, int id, const struct store_arg *args,
    size_t nargs, int *changes);

#endif
