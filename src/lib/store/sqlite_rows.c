/*
 * The shared executor of store_rows.h: prepares an area's statement by
 * id (cached in the area's slots), binds the arguments, and hands rows
 * back as JSON objects keyed by column name.
 */
#include <stdint.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store_rows.h"
#include "vigil/json.h"

static sqlite3_stmt *
prepare(struct vigil_store *st, const struct store_rows_area *a, int id,
    const struct store_arg *args, size_t nargs)
{
	sqlite3_stmt *s;
	size_t i;
	int rc = SQLITE_OK;

	if (id < 0 || id >= a->count || id >= SQ_AREA_MAX_STMTS) {
		store_seterr(st, VIGIL_ESTORE, "store: %s %d unknown", a->what,
		    id);
		return NULL;
	}
	s = store_sq_area_stmt(st, (enum sq_area)a->area, id, a->sql);
	if (s == NULL)
		return NULL;
	for (i = 0; i < nargs && rc == SQLITE_OK; i++) {
		int at = (int)i + 1;

		switch (args[i].type) {
		case SA_TEXT:
			rc = store_sq_bind_text(s, at, args[i].s);
			break;
		case SA_INT:
			rc = sqlite3_bind_int64(s, at, args[i].i);
			break;
		case SA_REAL:
			rc = sqlite3_bind_double(s, at, args[i].d);
			break;
		default:
			rc = sqlite3_bind_null(s, at);
			break;
		}
	}
	if (rc != SQLITE_OK) {
		store_sq_err(st, rc, a->what);
		sqlite3_reset(s);
		return NULL;
	}
	return s;
}

static json_t *
col_json(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(s, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(s, i));
	case SQLITE_NULL:
		return json_null();
	default: {
		const char *t = (const char *)sqlite3_column_text(s, i);
		size_t n = (size_t)sqlite3_column_bytes(s, i);

		return t != NULL ? vigil_json_string_lossy(t, n) :
		    json_string("");
	}
	}
}

static json_t *
row_json(sqlite3_stmt *s)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(s), ok = o != NULL;

	for (i = 0; i < n && ok; i++)
		vigil_json_put(o, sqlite3_column_name(s, i), col_json(s, i),
		    &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
store_rows_all(struct vigil_store *st, const struct store_rows_area *area,
    int id, const struct store_arg *args, size_t nargs, size_t max_rows,
    json_t **rows)
{
	sqlite3_stmt *s;
	json_t *a;
	int rc;

	*rows = NULL;
	if ((s = prepare(st, area, id, args, nargs)) == NULL)
		return VIGIL_ESTORE;
	if ((a = json_array()) == NULL) {
		sqlite3_reset(s);
		return store_seterr(st, VIGIL_ENOMEM, "store: out of memory");
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *r;

		if (json_array_size(a) >= max_rows) {
			sqlite3_reset(s);
			json_decref(a);
			return store_seterr(st, VIGIL_ERANGE,
			    "store: %s %d: more than %zu rows", area->what, id,
			    max_rows);
		}
		if ((r = row_json(s)) == NULL ||
		    json_array_append_new(a, r) != 0) {
			sqlite3_reset(s);
			json_decref(a);
			return store_seterr(st, VIGIL_ENOMEM,
			    "store: out of memory");
		}
	}
	if (rc != SQLITE_DONE) {
		enum vigil_err e = store_sq_step_err(st, area->what);

		sqlite3_reset(s);
		json_decref(a);
		return e;
	}
	sqlite3_reset(s);
	*rows = a;
	return VIGIL_OK;
}

enum vigil_err
store_rows_one(struct vigil_store *st, const struct store_rows_area *area,
    int id, const struct store_arg *args, size_t nargs, json_t **row)
{
	sqlite3_stmt *s;
	enum vigil_err e = VIGIL_OK;
	int rc;

	*row = NULL;
	if ((s = prepare(st, area, id, args, nargs)) == NULL)
		return VIGIL_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if ((*row = row_json(s)) == NULL)
			e = store_seterr(st, VIGIL_ENOMEM,
			    "store: out of memory");
	} else if (rc == SQLITE_DONE)
		e = VIGIL_ENOTFOUND;
	else
		e = store_sq_step_err(st, area->what);
	sqlite3_reset(s);
	return e;
}

enum vigil_err
store_rows_exec(struct vigil_store *st, const struct store_rows_area *area,
    int id, const struct store_arg *args, size_t nargs, int *changes)
{
	sqlite3_stmt *s;
	int dummy;

	if (changes == NULL)
		changes = &dummy;
	*changes = 0;
	if ((s = prepare(st, area, id, args, nargs)) == NULL)
		return VIGIL_ESTORE;
	return store_sq_run_changes(st, s, area->what, changes);
}

enum vigil_err
store_rows_err(struct vigil_store *st, enum vigil_err rc, const char *what,
    char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, rc, "%s: %s", what,
	    vigil_store_errmsg(st));
}
