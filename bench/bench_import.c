/*
 * bench_import [ROWS] — bulk import throughput against its physical
 * limit.
 *
 * Generates a deterministic JSON Lines file of ROWS devices (default
 * 1,000,000), each with an IMEI, an ICCID and a MAC (valid, distinct),
 * then measures:
 *   vigil: vigil_import_fd() into a fresh store file (parse, validate
 *          every identifier, check uniqueness, history, batches);
 *   peer:  raw prepared SQLite inserts of the same rows into the same
 *          schema with the same connection settings, one transaction
 *          per batch of the same size: the store's physical limit.
 * Prints "import_jsonl_1M: vigil X rows/s, peer raw-sqlite Y rows/s,
 * ratio R" (DESIGN.md §8). Work files live in a temporary directory
 * that is removed at the end.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"

#define BATCH VIGIL_IMPORT_DEFAULT_BATCH

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_import: %s: %s\n", what, msg);
	exit(1);
}

/* Row i's identifiers in canonical form: IMEI (TAC 35209900 + 6-digit
 * serial, more TACs past a million rows), ICCID (19 digits) and a
 * locally administered MAC. */
struct row {
	char imei[32], iccid[32], mac[32];
	char imei_key[40], iccid_key[40], mac_key[40];
};

static void
make_row(uint64_t i, struct row *r)
{
	char body[32];
	int cd;

	/* rows <= 1e8: the TAC stays 8 digits, the body 14. */
	snprintf(body, sizeof body, "%08" PRIu64 "%06" PRIu64,
	    35209900 + i / 1000000, i % 1000000);
	cd = vigil_luhn_check_digit(body, 14);
	snprintf(r->imei, sizeof r->imei, "%.14s%c", body, (char)('0' + cd));
	snprintf(r->imei_key, sizeof r->imei_key, "imei:%.14s", body);
	{
		char d[32];

		snprintf(d, sizeof d, "898821%012" PRIu64, i);
		cd = vigil_luhn_check_digit(d, 18);
		snprintf(r->iccid, sizeof r->iccid, "%.18s%c", d,
		    (char)('0' + cd));
		snprintf(r->iccid_key, sizeof r->iccid_key, "iccid:%.19s",
		    r->iccid);
	}
	snprintf(r->mac, sizeof r->mac, "02:%02x:%02x:%02x:%02x:%02x",
	    (unsigned)(i >> 32) & 0xff, (unsigned)(i >> 24) & 0xff,
	    (unsigned)(i >> 16) & 0xff, (unsigned)(i >> 8) & 0xff,
	    (unsigned)i & 0xff);
	snprintf(r->mac_key, sizeof r->mac_key, "mac:02%02x%02x%02x%02x%02x",
	    (unsigned)(i >> 32) & 0xff, (unsigned)(i >> 24) & 0xff,
	    (unsigned)(i >> 16) & 0xff, (unsigned)(i >> 8) & 0xff,
	    (unsigned)i & 0xff);
}

static void
write_jsonl(const char *path, uint64_t rows)
{
	FILE *f = fopen(path, "w");
	struct row r;

	if (f == NULL)
		die(path, "cannot create");
	for (uint64_t i = 0; i < rows; i++) {
		make_row(i, &r);
		fprintf(f, "{\"name\":\"dev-%07" PRIu64 "\",\"imei\":\"%s\","
		    "\"iccid\":\"%s\",\"mac\":\"%s\"}\n", i, r.imei, r.iccid,
		    r.mac);
	}
	if (fclose(f) != 0)
		die(path, "write failed");
}

static struct vigil_store *
fresh_store(const char *path, struct vigil_tenant *t)
{
	struct vigil_store *st;
	char err[512];

	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die("open", err);
	if (vigil_admin_tenant_create(st, "bench", NULL, t) != VIGIL_OK)
		die("tenant", vigil_store_errmsg(st));
	return st;
}

static double
run_vigil(const char *dir, const char *jsonl, uint64_t rows)
{
	struct vigil_import_options o;
	struct vigil_import_summary s;
	struct vigil_tenant t;
	struct vigil_store *st;
	char path[512];
	double t0, t1;
	int fd;

	snprintf(path, sizeof path, "%s/vigil.db", dir);
	st = fresh_store(path, &t);
	if ((fd = open(jsonl, O_RDONLY)) < 0)
		die(jsonl, "cannot open");
	memset(&o, 0, sizeof o);
	o.format = VIGIL_FORMAT_JSONL;
	o.actor = "bench";
	t0 = now_s();
	if (vigil_import_fd(st, t.id, fd, &o, &s) != VIGIL_OK)
		die("vigil import", vigil_store_errmsg(st));
	t1 = now_s();
	close(fd);
	if (s.rows_imported != rows)
		die("vigil import", "row count differs");
	vigil_store_close(st);
	return (double)rows / (t1 - t0);
}

/* The same schema and settings as the store; raw inserts. */
static double
run_peer(const char *dir, uint64_t rows)
{
	static const char *const sql[] = {
		"INSERT INTO devices (id, tenant_id, name, model, gtin, state,"
		" region, owner, created_ms, updated_ms, last_seen_ms, version)"
		" VALUES (?1, ?2, ?3, '', '', 'registered', '', '', ?4, ?4, 0,"
		" 1)",
		"INSERT INTO device_identifiers (device_id, tenant_id, type,"
		" value, match_key, uniq_scope) VALUES (?1, ?2, ?3, ?4, ?5, '')",
		"INSERT INTO device_history (tenant_id, device_id, at_ms, event,"
		" from_state, to_state, detail, actor, reason, import_id,"
		" import_line) VALUES (?1, ?2, ?3, 'create', NULL,"
		" 'registered', 'created: 3 identifiers, 0 labels', 'bench',"
		" 'import', ?4, ?5)",
	};
	struct vigil_tenant t;
	struct vigil_store *st;
	sqlite3_stmt *s[3];
	sqlite3 *db;
	char path[512], id[VIGIL_UUID_STRLEN], run[VIGIL_UUID_STRLEN];
	char name[32];
	struct row r;
	double t0, t1;

	snprintf(path, sizeof path, "%s/peer.db", dir);
	st = fresh_store(path, &t); /* creates the schema */
	vigil_store_close(st);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("peer open", sqlite3_errmsg(db));
	sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA temp_store = "
	    "MEMORY; PRAGMA cache_size = -32768; PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	for (int i = 0; i < 3; i++)
		if (sqlite3_prepare_v3(db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s[i], NULL) != SQLITE_OK)
			die("peer prepare", sqlite3_errmsg(db));
	vigil_uuid7(run);
	t0 = now_s();
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (uint64_t i = 0; i < rows; i++) {
		const char *vals[3][2];
		int64_t ms = vigil_time_now_ms();

		make_row(i, &r);
		vigil_uuid7(id);
		snprintf(name, sizeof name, "dev-%07" PRIu64, i);
		sqlite3_bind_text(s[0], 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s[0], 2, t.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s[0], 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s[0], 4, ms);
		if (sqlite3_step(s[0]) != SQLITE_DONE)
			die("peer insert", sqlite3_errmsg(db));
		sqlite3_reset(s[0]);
		vals[0][0] = r.imei, vals[0][1] = r.imei_key;
		vals[1][0] = r.iccid, vals[1][1] = r.iccid_key;
		vals[2][0] = r.mac, vals[2][1] = r.mac_key;
		for (int k = 0; k < 3; k++) {
			static const int types[3] = { VIGIL_ID_IMEI,
			    VIGIL_ID_ICCID, VIGIL_ID_MAC };

			sqlite3_bind_text(s[1], 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s[1], 2, t.id, -1, SQLITE_STATIC);
			sqlite3_bind_int(s[1], 3, types[k]);
			sqlite3_bind_text(s[1], 4, vals[k][0], -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s[1], 5, vals[k][1], -1,
			    SQLITE_STATIC);
			if (sqlite3_step(s[1]) != SQLITE_DONE)
				die("peer insert", sqlite3_errmsg(db));
			sqlite3_reset(s[1]);
		}
		sqlite3_bind_text(s[2], 1, t.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s[2], 2, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s[2], 3, ms);
		sqlite3_bind_text(s[2], 4, run, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s[2], 5, (sqlite3_int64)i + 1);
		if (sqlite3_step(s[2]) != SQLITE_DONE)
			die("peer insert", sqlite3_errmsg(db));
		sqlite3_reset(s[2]);
		if ((i + 1) % BATCH == 0) {
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("peer commit", sqlite3_errmsg(db));
	t1 = now_s();
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(s[i]);
	sqlite3_close(db);
	return (double)rows / (t1 - t0);
}

static void
cleanup(const char *dir)
{
	static const char *const names[] = { "devices.jsonl", "vigil.db",
	    "vigil.db-wal", "vigil.db-shm", "peer.db", "peer.db-wal",
	    "peer.db-shm" };
	char p[512];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static const char *
label(uint64_t rows, char *buf, size_t size)
{
	if (rows % 1000000 == 0)
		snprintf(buf, size, "%" PRIu64 "M", rows / 1000000);
	else if (rows % 1000 == 0)
		snprintf(buf, size, "%" PRIu64 "k", rows / 1000);
	else
		snprintf(buf, size, "%" PRIu64, rows);
	return buf;
}

int
main(int argc, char **argv)
{
	uint64_t rows = 1000000;
	char dir[] = "/tmp/vigil-bench-import-XXXXXX", jsonl[512], lb[32];
	double v, p;

	if (argc > 1) {
		char *end;

		rows = strtoull(argv[1], &end, 10);
		if (*end != '\0' || rows == 0 || rows > 100000000)
			die("rows", "expected a count from 1 to 100000000");
	}
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(jsonl, sizeof jsonl, "%s/devices.jsonl", dir);
	write_jsonl(jsonl, rows);
	v = run_vigil(dir, jsonl, rows);
	p = run_peer(dir, rows);
	cleanup(dir);
	printf("import_jsonl_%s: vigil %.0f rows/s, peer raw-sqlite %.0f "
	    "rows/s, ratio %.2f\n", label(rows, lb, sizeof lb), v, p, v / p);
	return 0;
}
