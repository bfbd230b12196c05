/*
 * Store: open/migrate/refuse, file modes, pragmas, transactions, and
 * the schema-level guarantees (append-only history, unique claims)
 * checked from a second raw SQLite connection, so they hold whatever
 * the C code does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/vigil.h"

struct fx {
	char dir[64];
	char path[128];
};

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/vigil-store-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/data/vigil.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static struct vigil_store *
open_ok(const char *path, int version)
{
	struct vigil_store_options o = { NULL, 0, 0, version };
	struct vigil_store *st = NULL;
	char err[512];

	assert_int_equal(vigil_store_open(&st, path, &o, err, sizeof err),
	    VIGIL_OK);
	assert_non_null(st);
	return st;
}

/* Runs one statement on a raw connection; returns the SQLite code and
 * copies the message. */
static int
raw_exec(const char *path, const char *sql, char *msg, size_t msgsize)
{
	sqlite3 *db;
	char *m = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	if (msg != NULL)
		snprintf(msg, msgsize, "%s", m != NULL ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static void
store_open_memory_migrates_to_latest_schema(void **state)
{
	struct vigil_store *st = open_ok(":memory:", 0);
	int v = -1;

	(void)state;
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	assert_string_equal(vigil_store_backend(st), "sqlite");
	assert_string_equal(vigil_store_errmsg(st), "");
	vigil_store_close(st);
}

static void
store_migrates_empty_file_and_reopens_without_migrating_again(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st = open_ok(fx->path, 0);
	struct vigil_tenant t, got;
	int v = 0;

	assert_int_equal(vigil_admin_tenant_create(st, "acme", "Acme", &t),
	    VIGIL_OK);
	vigil_store_close(st);
	st = open_ok(fx->path, 0);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	assert_int_equal(vigil_admin_tenant_get(st, "acme", &got), VIGIL_OK);
	assert_string_equal(got.id, t.id);
	vigil_store_close(st);
}

static void
store_migrates_from_previous_schema_keeping_rows(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st = open_ok(fx->path, 1);
	struct vigil_device_spec spec;
	struct vigil_tenant t;
	struct vigil_history h;
	char msg[256];
	int v = 0;

	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 1);
	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	vigil_store_close(st);
	/* Version 1 has no history table yet. */
	assert_int_equal(raw_exec(fx->path, "SELECT 1 FROM device_history",
	    msg, sizeof msg), SQLITE_ERROR);
	assert_string_equal(msg, "no such table: device_history");

	st = open_ok(fx->path, 0);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	assert_int_equal(vigil_device_add(st, t.id, &spec, "local:alice",
	    NULL), VIGIL_OK);
	assert_int_equal(vigil_device_history(st, t.id, "cam-1", 0, 0, &h),
	    VIGIL_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.items[0].event, "create");
	vigil_history_free(&h);
	vigil_store_close(st);
}

static void
store_migrates_from_version_2_adding_summary_indexes(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st = open_ok(fx->path, 2);
	struct vigil_inventory_summary sum;
	struct vigil_device_spec spec;
	struct vigil_tenant t;
	char msg[256];
	int v = 0;

	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	spec.model = "Cam X";
	spec.region = "eu";
	assert_int_equal(vigil_device_add(st, t.id, &spec, "local:alice",
	    NULL), VIGIL_OK);
	vigil_store_close(st);
	assert_int_equal(raw_exec(fx->path, "SELECT count(*) FROM devices"
	    " INDEXED BY devices_summary", msg, sizeof msg), SQLITE_ERROR);
	assert_string_equal(msg, "no such index: devices_summary");

	st = open_ok(fx->path, 0);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	/* The version 2 rows are in the new indexes. */
	assert_int_equal(vigil_device_summary(st, t.id, &sum), VIGIL_OK);
	assert_int_equal(sum.devices, 1);
	assert_int_equal(sum.by_state[VIGIL_DEV_REGISTERED], 1);
	assert_int_equal(sum.never_seen, 1);
	assert_int_equal(sum.nmodels, 1);
	assert_string_equal(sum.models[0].model, "Cam X");
	assert_int_equal(sum.nregions, 1);
	assert_string_equal(sum.regions[0].region, "eu");
	assert_int_equal(sum.unidentified, 1);
	vigil_inventory_summary_free(&sum);
	vigil_store_close(st);
	assert_int_equal(raw_exec(fx->path, "SELECT count(*) FROM devices"
	    " INDEXED BY devices_summary", msg, sizeof msg), SQLITE_OK);
	assert_int_equal(raw_exec(fx->path, "SELECT count(*) FROM devices"
	    " INDEXED BY devices_unseen WHERE tenant_id = 'x'"
	    " AND last_seen_ms = 0", msg, sizeof msg), SQLITE_OK);
}

static void
store_refuses_database_of_newer_schema_with_message(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st = open_ok(fx->path, 0);
	char err[512], want[512];

	vigil_store_close(st);
	assert_int_equal(raw_exec(fx->path,
	    "UPDATE schema_version SET version = 99", NULL, 0), SQLITE_OK);
	st = (struct vigil_store *)1;
	assert_int_equal(vigil_store_open(&st, fx->path, NULL, err,
	    sizeof err), VIGIL_EUNSUPPORTED);
	assert_null(st);
	snprintf(want, sizeof want, "store %s: schema version 99 is newer "
	    "than this vigil supports (%d); upgrade vigil", fx->path,
	    VIGIL_STORE_SCHEMA_VERSION);
	assert_string_equal(err, want);
}

static void
store_creates_file_0600_in_new_directory_0700(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st;
	char dir[160];
	struct stat sb;

	umask(022);
	st = open_ok(fx->path, 0);
	vigil_store_close(st);
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof dir, "%s/data", fx->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

static void
store_tightens_existing_world_readable_file_to_0600(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st;
	char path[160];
	struct stat sb;
	FILE *f;

	snprintf(path, sizeof path, "%s/old.db", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	st = open_ok(path, 0);
	vigil_store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
store_file_uses_wal_journal(void **state)
{
	struct fx *fx = *state;
	struct vigil_store *st = open_ok(fx->path, 0);
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	vigil_store_close(st);
}

static void
store_unknown_backend_is_refused_naming_it(void **state)
{
	struct vigil_store_options o = { "postgresql", 0, 0, 0 };
	struct vigil_store *st;
	char err[256];

	(void)state;
	assert_int_equal(vigil_store_open(&st, ":memory:", &o, err,
	    sizeof err), VIGIL_EUNSUPPORTED);
	assert_string_equal(err, "store :memory:: backend \"postgresql\" is "
	    "not built in (have: sqlite)");
}

static void
store_nested_rollback_undoes_only_inner_level(void **state)
{
	struct vigil_store *st = open_ok(":memory:", 0);
	struct vigil_tenant t;

	(void)state;
	assert_int_equal(vigil_store_begin(st), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st, "outer", NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_store_begin(st), VIGIL_OK);
	assert_int_equal(vigil_store_tx_depth(st), 2);
	assert_int_equal(vigil_admin_tenant_create(st, "inner", NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_store_rollback(st), VIGIL_OK);
	assert_int_equal(vigil_store_commit(st), VIGIL_OK);
	assert_int_equal(vigil_store_tx_depth(st), 0);
	assert_int_equal(vigil_admin_tenant_get(st, "outer", &t), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_get(st, "inner", &t),
	    VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(st),
	    "tenant inner: no such tenant");
	vigil_store_close(st);
}

static void
store_outer_rollback_discards_committed_inner_level(void **state)
{
	struct vigil_store *st = open_ok(":memory:", 0);
	struct vigil_tenant t;

	(void)state;
	assert_int_equal(vigil_store_begin(st), VIGIL_OK);
	assert_int_equal(vigil_store_begin(st), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st, "inner", NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_store_commit(st), VIGIL_OK);
	assert_int_equal(vigil_store_rollback(st), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_get(st, "inner", &t),
	    VIGIL_ENOTFOUND);
	vigil_store_close(st);
}

static void
store_commit_without_transaction_is_refused(void **state)
{
	struct vigil_store *st = open_ok(":memory:", 0);

	(void)state;
	assert_int_equal(vigil_store_commit(st), VIGIL_ESTATE);
	assert_string_equal(vigil_store_errmsg(st),
	    "store: commit without a transaction");
	assert_int_equal(vigil_store_rollback(st), VIGIL_ESTATE);
	vigil_store_close(st);
}

/* A tenant with one device carrying a MAC, for the schema tests. */
static void
seed_device(const char *path, const char *mac)
{
	struct vigil_store *st = open_ok(path, 0);
	struct vigil_ident_spec id = { VIGIL_ID_MAC, mac };
	struct vigil_device_spec spec;
	struct vigil_tenant t;

	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	spec.nidents = 1;
	spec.idents = &id;
	assert_int_equal(vigil_device_add(st, t.id, &spec, "local:alice",
	    NULL), VIGIL_OK);
	vigil_store_close(st);
}

static void
store_history_update_and_delete_refused_by_trigger(void **state)
{
	struct fx *fx = *state;
	char msg[256];

	seed_device(fx->path, "00:1a:2b:3c:4d:5e");
	assert_int_equal(raw_exec(fx->path,
	    "UPDATE device_history SET actor = 'mallory'", msg, sizeof msg),
	    SQLITE_CONSTRAINT);
	assert_string_equal(msg, "device history is append-only");
	assert_int_equal(raw_exec(fx->path, "DELETE FROM device_history", msg,
	    sizeof msg), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "device history is append-only");
}

static void
store_schema_refuses_second_device_claiming_same_key(void **state)
{
	struct fx *fx = *state;
	char msg[256];

	seed_device(fx->path, "00:1a:2b:3c:4d:5e");
	/* Bypass the C layer: a second device row and an identifier row
	 * with the same match key must be refused by the schema. */
	assert_int_equal(raw_exec(fx->path,
	    "PRAGMA foreign_keys = ON;"
	    "INSERT INTO devices (id, tenant_id, name, state, created_ms,"
	    " updated_ms) SELECT '00000000-0000-7000-8000-000000000001',"
	    " id, 'intruder', 'registered', 0, 0 FROM tenants;"
	    "INSERT INTO device_identifiers (device_id, tenant_id, type,"
	    " value, match_key, uniq_scope) SELECT"
	    " '00000000-0000-7000-8000-000000000001', id, 8,"
	    " '00:1a:2b:3c:4d:5e', 'mac:001a2b3c4d5e', '' FROM tenants",
	    msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "UNIQUE constraint failed: "
	    "id_claims.uniq_scope, id_claims.match_key");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_open_memory_migrates_to_latest_schema),
		cmocka_unit_test_setup_teardown(
		    store_migrates_empty_file_and_reopens_without_migrating_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    store_migrates_from_previous_schema_keeping_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    store_migrates_from_version_2_adding_summary_indexes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    store_refuses_database_of_newer_schema_with_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    store_creates_file_0600_in_new_directory_0700, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    store_tightens_existing_world_readable_file_to_0600, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(store_file_uses_wal_journal,
		    setup, teardown),
		cmocka_unit_test(store_unknown_backend_is_refused_naming_it),
		cmocka_unit_test(store_nested_rollback_undoes_only_inner_level),
		cmocka_unit_test(
		    store_outer_rollback_discards_committed_inner_level),
		cmocka_unit_test(store_commit_without_transaction_is_refused),
		cmocka_unit_test_setup_teardown(
		    store_history_update_and_delete_refused_by_trigger, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    store_schema_refuses_second_device_claiming_same_key, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
