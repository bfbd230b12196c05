/*
 * bench_audit [ENTRIES [VERIFY_ROWS]] — audit log append and verify.
 *
 * Append (default 2,000 entries per side): each entry its own durable
 * transaction, as vigild writes them (store durability 2:
 * synchronous=FULL, WAL):
 *   vigil: vigil_audit_append (BEGIN IMMEDIATE, read the head, SHA-256,
 *          INSERT, COMMIT with the WAL fsync'ed);
 *   peer:  the physical limit on the same disk: a raw SQLite single-row
 *          INSERT + COMMIT into a table of the same columns, same
 *          journal and synchronous settings, no hashing.
 * The two sides alternate in three rounds and the median round counts,
 * so that a burst of disk noise does not favour either.
 *
 * Verify (default 100,000 rows, filled in one transaction):
 *   vigil: vigil_audit_verify over the whole chain;
 *   peer:  a raw SQLite scan of the same rows with one SHA-256 over each
 *          row's bytes (what any re-hashing verifier must at least do).
 *
 * Prints "audit_append: vigil X entries/s, peer Y entries/s (raw sqlite
 * fsync insert), ratio R" and the same for audit_verify (DESIGN.md §8),
 * R = vigil / peer.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "vigil/audit.h"
#include "vigil/vigil.h"

#define ROUNDS 3

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_audit: %s: %s\n", what, msg);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
remove_db(const char *path)
{
	char p[256];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* A realistic entry: an API request by a user of a tenant. */
static void
event(long i, struct vigil_audit_event *ev, char who[32], char obj[64],
    char req[40])
{
	snprintf(who, 32, "user:operator%ld", i % 17);
	snprintf(obj, 64, "device/0190a3b2-7c4e-7d11-8f00-%012ld", i);
	snprintf(req, 40, "01HQ%020ld", i);
	memset(ev, 0, sizeof *ev);
	ev->principal = who;
	ev->tenant_id = "0190a000-0000-7000-8000-00000000000a";
	ev->source_ip = "198.51.100.23";
	ev->action = "device.update";
	ev->object = obj;
	ev->outcome = "ok";
	ev->request_id = req;
	ev->detail = "state active -> quarantined";
}

static struct vigil_store *
open_store(const char *path, int durability)
{
	struct vigil_store *st = NULL;
	char err[512];

	remove_db(path);
	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die(path, err);
	if (vigil_store_set_durability(st, durability) != VIGIL_OK)
		die(path, vigil_store_errmsg(st));
	return st;
}

static void
vigil_appends(struct vigil_store *st, long from, long n)
{
	for (long i = from; i < from + n; i++) {
		struct vigil_audit_event ev;
		char who[32], obj[64], req[40];

		event(i, &ev, who, obj, req);
		if (vigil_audit_append(st, &ev, NULL, NULL) != VIGIL_OK)
			die("append", vigil_store_errmsg(st));
	}
}

static sqlite3 *
peer_open(const char *path)
{
	static const char *const setup[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"CREATE TABLE e (seq INTEGER PRIMARY KEY, at_ms INTEGER, "
		"principal TEXT, tenant_id TEXT, source_ip TEXT, action TEXT, "
		"object TEXT, outcome TEXT, request_id TEXT, privileged "
		"INTEGER, detail TEXT, prev_hash BLOB, hash BLOB)",
		NULL
	};
	sqlite3 *db;

	remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	for (const char *const *q = setup; *q != NULL; q++)
		if (sqlite3_exec(db, *q, NULL, NULL, NULL) != SQLITE_OK)
			die(*q, sqlite3_errmsg(db));
	return db;
}

static void
peer_inserts(sqlite3 *db, long from, long n)
{
	static const uint8_t h[32];
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "INSERT INTO e VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", -1, &s, NULL) != SQLITE_OK)
		die("peer prepare", sqlite3_errmsg(db));
	for (long i = from; i < from + n; i++) {
		struct vigil_audit_event ev;
		char who[32], obj[64], req[40];

		event(i, &ev, who, obj, req);
		sqlite3_bind_int64(s, 1, i + 1);
		sqlite3_bind_int64(s, 2, 1700000000000 + i);
		sqlite3_bind_text(s, 3, ev.principal, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, ev.tenant_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, ev.source_ip, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, ev.action, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, ev.object, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, ev.outcome, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, ev.request_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 10, 0);
		sqlite3_bind_text(s, 11, ev.detail, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 12, h, 32, SQLITE_STATIC);
		sqlite3_bind_blob(s, 13, h, 32, SQLITE_STATIC);
		/* Autocommit: one transaction, one WAL fsync per row. */
		if (sqlite3_step(s) != SQLITE_DONE)
			die("peer insert", sqlite3_errmsg(db));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
bench_append(long n)
{
	struct vigil_store *st = open_store("audit-bench.db", 2);
	sqlite3 *db = peer_open("audit-peer.db");
	double v[ROUNDS], p[ROUNDS], t;
	long per = n / ROUNDS > 0 ? n / ROUNDS : 1;

	/* Warm both files (first pages, WAL creation) outside the clock. */
	vigil_appends(st, 0, 10);
	peer_inserts(db, 0, 10);
	for (int r = 0; r < ROUNDS; r++) {
		long from = 10 + (long)r * per;

		t = now_s();
		vigil_appends(st, from, per);
		v[r] = (double)per / (now_s() - t);
		t = now_s();
		peer_inserts(db, from, per);
		p[r] = (double)per / (now_s() - t);
	}
	qsort(v, ROUNDS, sizeof v[0], cmp_double);
	qsort(p, ROUNDS, sizeof p[0], cmp_double);
	printf("audit_append: vigil %.0f entries/s, peer %.0f entries/s "
	    "(raw sqlite fsync insert), ratio %.2f\n", v[ROUNDS / 2],
	    p[ROUNDS / 2], v[ROUNDS / 2] / p[ROUNDS / 2]);
	vigil_store_close(st);
	sqlite3_close(db);
	remove_db("audit-bench.db");
	remove_db("audit-peer.db");
}

/* The peer verifier: every row read, one SHA-256 over its bytes. */
static long
peer_scan(sqlite3 *db)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t out[32];
	sqlite3_stmt *s = NULL;
	long n = 0;

	if (md == NULL || sqlite3_prepare_v2(db, "SELECT * FROM e ORDER BY "
	    "seq", -1, &s, NULL) != SQLITE_OK)
		die("peer scan", sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		for (int c = 0; c < 13; c++)
			EVP_DigestUpdate(md, sqlite3_column_blob(s, c),
			    (size_t)sqlite3_column_bytes(s, c));
		EVP_DigestFinal_ex(md, out, NULL);
		n++;
	}
	sqlite3_finalize(s);
	EVP_MD_CTX_free(md);
	return n;
}

static void
bench_verify(long rows)
{
	struct vigil_store *st = open_store("audit-verify.db", 1);
	struct vigil_audit_verify_result res;
	sqlite3 *db = peer_open("audit-verify-peer.db");
	double t, v, p;
	long n;

	if (vigil_store_begin(st) != VIGIL_OK)
		die("begin", vigil_store_errmsg(st));
	vigil_appends(st, 0, rows);
	if (vigil_store_commit(st) != VIGIL_OK)
		die("commit", vigil_store_errmsg(st));
	sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
	peer_inserts(db, 0, rows);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);

	t = now_s();
	if (vigil_audit_verify(st, NULL, &res) != VIGIL_OK || !res.ok)
		die("verify", res.reason);
	v = (double)res.entries / (now_s() - t);
	t = now_s();
	n = peer_scan(db);
	p = (double)n / (now_s() - t);
	printf("audit_verify: vigil %.0f entries/s, peer %.0f entries/s "
	    "(raw sqlite scan + sha256 per row), ratio %.2f\n", v, p, v / p);
	vigil_store_close(st);
	sqlite3_close(db);
	remove_db("audit-verify.db");
	remove_db("audit-verify-peer.db");
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	long rows = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;

	if (n < ROUNDS || rows < 1)
		die("usage", "bench_audit [ENTRIES >= 3 [VERIFY_ROWS >= 1]]");
	bench_append(n);
	bench_verify(rows);
	return 0;
}
