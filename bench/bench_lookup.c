/*
 * bench_lookup [ROWS [LOOKUPS]] — find-by-identifier latency at fleet
 * size.
 *
 * Fills a fresh store file with ROWS devices (default 1,000,000; IMEI,
 * ICCID and MAC each, imported through vigil_import from a generated
 * stream), then times LOOKUPS (default 20,000) finds of random devices
 * by identifier in mixed spellings (IMEI plain, hyphenated and as a
 * 14-digit body, which auto-detection reads as IMEI or IMSI; MAC with
 * dashes or Cisco dots; ICCID):
 *   vigil: vigil_device_find(type = auto-detect) returning the device
 *          with its identifiers and labels;
 *   peer:  the raw indexed SELECT of the device id by match key, with
 *          the key precomputed (the index's physical limit).
 * Prints p50 and p99 in ns as "lookup_p50_1M: vigil X ns, peer
 * raw-sqlite Y ns, ratio R" (DESIGN.md §8), R = vigil / peer: how many
 * times the bare index probe a full find costs.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_lookup: %s: %s\n", what, msg);
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Row i's IMEI body (14 digits), ICCID (19) and MAC (6 bytes). */
/* rows <= 1e8: the TAC stays 8 digits, the body 14. */
static void
imei_body(uint64_t i, char out[32])
{
	snprintf(out, 32, "%08" PRIu64 "%06" PRIu64, 35209900 + i / 1000000,
	    i % 1000000);
}

static void
iccid(uint64_t i, char out[32])
{
	char d[32];

	snprintf(d, sizeof d, "898821%012" PRIu64, i);
	snprintf(out, 32, "%.18s%c", d,
	    (char)('0' + vigil_luhn_check_digit(d, 18)));
}

static void
mac_bytes(uint64_t i, unsigned b[6])
{
	b[0] = 0x02;
	for (int k = 1; k < 6; k++)
		b[k] = (unsigned)(i >> (8 * (5 - k))) & 0xff;
}

/* A reader generating the JSON Lines stream without a file. */
struct gen {
	uint64_t next, rows;
	char line[256];
	size_t len, pos;
};

static ssize_t
gen_read(void *ctx, void *buf, size_t n)
{
	struct gen *g = ctx;
	size_t done = 0;

	while (done < n) {
		if (g->pos == g->len) {
			char body[32], icc[32];
			unsigned m[6];
			int w;

			if (g->next == g->rows)
				break;
			imei_body(g->next, body);
			iccid(g->next, icc);
			mac_bytes(g->next, m);
			w = snprintf(g->line, sizeof g->line,
			    "{\"name\":\"dev-%07" PRIu64 "\",\"imei\":\"%.14s%c\","
			    "\"iccid\":\"%.19s\",\"mac\":\"%02x:%02x:%02x:%02x:"
			    "%02x:%02x\"}\n", g->next, body,
			    (char)('0' + vigil_luhn_check_digit(body, 14)),
			    icc, m[0], m[1],
			    m[2], m[3], m[4], m[5]);
			g->len = (size_t)w;
			g->pos = 0;
			g->next++;
		}
		size_t k = g->len - g->pos;

		if (k > n - done)
			k = n - done;
		memcpy((char *)buf + done, g->line + g->pos, k);
		g->pos += k;
		done += k;
	}
	return (ssize_t)done;
}

/* xorshift64*: deterministic choices without rand(). */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Spelling k of row i, and the canonical key the peer looks up. */
static void
spelling(uint64_t i, int k, char *text, size_t ts, char *key, size_t ks)
{
	char body[32], icc[32];
	unsigned m[6];
	int cd;

	imei_body(i, body);
	cd = vigil_luhn_check_digit(body, 14);
	mac_bytes(i, m);
	switch (k) {
	case 0:
		snprintf(text, ts, "%.14s%c", body, (char)('0' + cd));
		break;
	case 1:
		snprintf(text, ts, "%.2s-%.6s-%.6s-%c", body, body + 2,
		    body + 8, (char)('0' + cd));
		break;
	case 2:
		snprintf(text, ts, "%.14s", body);
		break;
	case 3:
		snprintf(text, ts, "%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1],
		    m[2], m[3], m[4], m[5]);
		break;
	case 4:
		snprintf(text, ts, "%02x%02x.%02x%02x.%02x%02x", m[0], m[1],
		    m[2], m[3], m[4], m[5]);
		break;
	default:
		iccid(i, icc);
		snprintf(text, ts, "%.19s", icc);
		snprintf(key, ks, "iccid:%.19s", icc);
		return;
	}
	if (k <= 2)
		snprintf(key, ks, "imei:%.14s", body);
	else
		snprintf(key, ks, "mac:%02x%02x%02x%02x%02x%02x", m[0], m[1],
		    m[2], m[3], m[4], m[5]);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
pct(int64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof v[0], cmp_i64);
	return v[(size_t)(p * (double)(n - 1))];
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

static uint64_t
arg(const char *s, const char *what)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end != '\0' || v == 0 || v > 100000000)
		die(what, "expected a count from 1 to 100000000");
	return v;
}

int
main(int argc, char **argv)
{
	uint64_t rows = argc > 1 ? arg(argv[1], "rows") : 1000000;
	size_t n = argc > 2 ? (size_t)arg(argv[2], "lookups") : 20000;
	char dir[] = "/tmp/vigil-bench-lookup-XXXXXX", path[512], err[512];
	char text[64], key[64], lb[32];
	struct vigil_import_options o;
	struct vigil_import_summary s;
	struct vigil_store *st;
	struct vigil_tenant t;
	struct gen g = { 0, 0, "", 0, 0 };
	int64_t *tv, *tp;
	uint64_t seed;
	sqlite3 *db;
	sqlite3_stmt *q;

	if ((tv = calloc(n, sizeof *tv)) == NULL ||
	    (tp = calloc(n, sizeof *tp)) == NULL)
		die("memory", "out of memory");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(path, sizeof path, "%s/vigil.db", dir);
	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die("open", err);
	if (vigil_admin_tenant_create(st, "bench", NULL, &t) != VIGIL_OK)
		die("tenant", vigil_store_errmsg(st));
	memset(&o, 0, sizeof o);
	o.format = VIGIL_FORMAT_JSONL;
	o.actor = "bench";
	g.rows = rows;
	if (vigil_import(st, t.id, gen_read, &g, &o, &s) != VIGIL_OK ||
	    s.rows_imported != rows)
		die("fill", vigil_store_errmsg(st));

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT device_id FROM device_identifiers"
	    " WHERE match_key = ?1 AND tenant_id = ?2", -1, &q, NULL) !=
	    SQLITE_OK)
		die("peer", sqlite3_errmsg(db));
	sqlite3_exec(db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);

	/* Warm both paths, then measure the same sequence on each. */
	for (int pass = 0; pass < 2; pass++) {
		seed = 0x9e3779b97f4a7c15ULL;
		for (size_t i = 0; i < n; i++) {
			uint64_t r = next_rand(&seed);
			struct vigil_device_list l;
			int64_t t0, t1;

			spelling(r % rows, (int)((r >> 32) % 6), text,
			    sizeof text, key, sizeof key);
			t0 = now_ns();
			if (vigil_device_find(st, t.id, VIGIL_ID_UNKNOWN, text,
			    &l) != VIGIL_OK || l.n != 1)
				die(text, vigil_store_errmsg(st));
			t1 = now_ns();
			vigil_device_list_free(&l);
			tv[i] = t1 - t0;

			t0 = now_ns();
			sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, t.id, -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_ROW ||
			    sqlite3_column_bytes(q, 0) != 36)
				die(key, "peer lookup failed");
			sqlite3_reset(q);
			t1 = now_ns();
			tp[i] = t1 - t0;
		}
	}
	for (int k = 0; k < 2; k++) {
		double p = k == 0 ? 0.50 : 0.99;
		int64_t v = pct(tv, n, p), w = pct(tp, n, p);

		printf("lookup_p%d_%s: vigil %" PRId64 " ns, peer raw-sqlite %"
		    PRId64 " ns, ratio %.2f\n", k == 0 ? 50 : 99,
		    label(rows, lb, sizeof lb), v, w, (double)v / (double)w);
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	vigil_store_close(st);
	{
		static const char *const names[] = { "vigil.db", "vigil.db-wal",
		    "vigil.db-shm" };

		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	free(tv);
	free(tp);
	return 0;
}
