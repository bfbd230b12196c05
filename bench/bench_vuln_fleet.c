/*
 * bench_vuln_fleet [DEVICES] — fleet exposure after a feed update.
 *
 * Builds a store with DEVICES devices (default 100,000) in 2 tenants,
 * 200 firmware builds (20 models x 10 versions) of ~300 components
 * each, and ~50,000 OSV records over a pool of 5,000 Debian packages.
 * Then a feed update changes 1,000 records, and "recompute exposure" is
 * timed: the import of the update with its re-scan of the touched
 * builds, plus the per-vulnerability device counts (vigil_vdb_vuln_list
 * over everything). Median of 3 updates. Prints "vuln_fleet: vigil X ms
 * for N devices / 200 builds, goal 2000 ms, ratio R" (ratio = goal / X,
 * as bench_vuln_match: above 1 meets it), then the medians of the two
 * parts ("breakdown: rescan X ms, list Y ms"; rescan = the import with
 * its re-scan of the touched components). Builds are imported before
 * the records, so each build is scanned once, by the records' import.
 * Work files live in a temporary directory that is removed at the end
 * (VULN_FLEET_KEEP=1 keeps it, to study query plans).
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"
#include "vigil/vulndb.h"

#define MODELS 20
#define VERSIONS 10
#define COMPONENTS 300
#define PACKAGES 5000
#define RECORDS 50000
#define UPDATE 1000
#define GOAL_MS 2000.0

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_vuln_fleet: %s: %s\n", what, msg);
	exit(1);
}

/* Record r names package r % PACKAGES, fixed at 1.(r/PACKAGES % 12).0
 * (revision rev: the update moves the modified time). */
static void
osv_record(struct vigil_buf *b, unsigned r, int rev)
{
	if (vigil_buf_appendf(b, "{\"id\":\"BENCH-%06u\",\"modified\":"
	    "\"2024-%02d-01T00:00:00Z\",\"aliases\":[\"CVE-2024-%06u\"],"
	    "\"summary\":\"bench record %u\",\"severity\":[{\"type\":"
	    "\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/"
	    "I:H/A:H\"}],\"affected\":[{\"package\":{\"ecosystem\":"
	    "\"Debian:12\",\"name\":\"pkg%05u\"},\"ranges\":[{\"type\":"
	    "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
	    "\"1.%u.0\"}]}]}]}", r, 1 + rev, r + 10000, r, r % PACKAGES,
	    (r / PACKAGES) % 12) != VIGIL_OK)
		die("memory", "out of memory");
}

static void
feed(struct vigil_store *st, unsigned from, unsigned to, int rev,
    struct vigil_vdb_import_stats *s)
{
	struct vigil_buf b;
	char err[512];

	vigil_buf_init(&b, (size_t)1 << 30);
	vigil_buf_appends(&b, "[");
	for (unsigned r = from; r < to; r++) {
		if (r > from)
			vigil_buf_appends(&b, ",");
		osv_record(&b, r, rev);
	}
	if (vigil_buf_appends(&b, "]") != VIGIL_OK)
		die("memory", "out of memory");
	if (vigil_vdb_import_mem(st, "bench.json", b.data, b.len, NULL, s,
	    err, sizeof err) != VIGIL_OK)
		die("feed import", err);
	vigil_buf_free(&b);
}

static void
sbom(struct vigil_store *st, int model, int version)
{
	struct vigil_vdb_sbom_opts o;
	struct vigil_buf b;
	char m[32], v[32], err[512];
	json_t *out = NULL;

	vigil_buf_init(&b, (size_t)1 << 30);
	vigil_buf_appendf(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":"
	    "\"1.6\",\"version\":1,\"components\":[");
	for (int j = 0; j < COMPONENTS; j++) {
		unsigned p = (unsigned)(model * 211 + j * 16 + version) %
		    PACKAGES;

		vigil_buf_appendf(&b, "%s{\"type\":\"library\",\"bom-ref\":"
		    "\"c%d\",\"name\":\"pkg%05u\",\"version\":\"1.%d.0\","
		    "\"purl\":\"pkg:deb/debian/pkg%05u@1.%d.0?distro="
		    "debian-12\"}", j > 0 ? "," : "", j, p, version, p,
		    version);
	}
	if (vigil_buf_appends(&b, "]}") != VIGIL_OK)
		die("memory", "out of memory");
	snprintf(m, sizeof m, "M%02d", model);
	snprintf(v, sizeof v, "%d.0", version);
	memset(&o, 0, sizeof o);
	o.model = m;
	o.firmware = v;
	if (vigil_vdb_sbom_import(st, b.data, b.len, &o, &out, err,
	    sizeof err) != VIGIL_OK)
		die("SBOM import", err);
	json_decref(out);
	vigil_buf_free(&b);
}

static void
devices(struct vigil_store *st, const struct vigil_tenant *t, int tn,
    unsigned n)
{
	struct vigil_import_options o;
	struct vigil_import_summary s;
	struct vigil_buf b;
	char err[512], name[32], ver[32];
	unsigned i, k = 0;

	vigil_buf_init(&b, (size_t)1 << 30);
	for (i = (unsigned)tn; i < n; i += 2, k++)
		vigil_buf_appendf(&b, "{\"name\":\"dev-%07u\",\"model\":"
		    "\"M%02u\"}\n", i, i % MODELS);
	memset(&o, 0, sizeof o);
	o.format = VIGIL_FORMAT_JSONL;
	o.actor = "bench";
	if (vigil_import_mem(st, t->id, b.data, b.len, &o, &s) != VIGIL_OK ||
	    s.rows_imported != k)
		die("devices", vigil_store_errmsg(st));
	vigil_buf_free(&b);
	if (vigil_store_begin(st) != VIGIL_OK)
		die("begin", vigil_store_errmsg(st));
	for (i = (unsigned)tn; i < n; i += 2) {
		snprintf(name, sizeof name, "dev-%07u", i);
		snprintf(ver, sizeof ver, "%u.0", (i / MODELS) % VERSIONS);
		if (vigil_vdb_device_firmware_set(st, t->id, name, ver,
		    "import", err, sizeof err) != VIGIL_OK)
			die("firmware", err);
	}
	if (vigil_store_commit(st) != VIGIL_OK)
		die("commit", vigil_store_errmsg(st));
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	char dir[] = "/tmp/vigil-bench-fleet-XXXXXX", path[512], err[512];
	struct vigil_vdb_import_stats s;
	struct vigil_vdb_filter f;
	struct vigil_tenant t[2];
	struct vigil_store *st;
	double t0, tv[3], ti[3], tl[3];
	json_t *list = NULL;

	if (n < 2 || n > 10000000)
		die("devices", "expected 2 to 10000000");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(path, sizeof path, "%s/vigil.db", dir);
	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die("open", err);
	if (vigil_admin_tenant_create(st, "alpha", NULL, &t[0]) != VIGIL_OK ||
	    vigil_admin_tenant_create(st, "beta", NULL, &t[1]) != VIGIL_OK)
		die("tenant", vigil_store_errmsg(st));
	t0 = now_ms();
	for (int m = 0; m < MODELS; m++)
		for (int v = 0; v < VERSIONS; v++)
			sbom(st, m, v);
	fprintf(stderr, "setup: %d builds imported in %.0f ms\n",
	    MODELS * VERSIONS, now_ms() - t0);
	t0 = now_ms();
	for (unsigned r = 0; r < RECORDS; r += 5000)
		feed(st, r, r + 5000, 0, &s);
	fprintf(stderr, "setup: %u records imported and builds re-scanned "
	    "in %.0f ms\n", (unsigned)RECORDS, now_ms() - t0);
	t0 = now_ms();
	devices(st, &t[0], 0, n);
	devices(st, &t[1], 1, n);
	fprintf(stderr, "setup: %u devices in %.0f ms\n", n, now_ms() - t0);

	memset(&f, 0, sizeof f);
	f.limit = 1000000;
	for (int run = 0; run < 3; run++) {
		/* 1,000 records spread over the package pool. */
		unsigned from = (unsigned)run * 7000;

		t0 = now_ms();
		feed(st, from, from + UPDATE, run + 1, &s);
		ti[run] = now_ms() - t0;
		if (s.updated != UPDATE)
			die("update", "records not updated");
		if (vigil_vdb_vuln_list(st, NULL, &f, &list) != VIGIL_OK)
			die("vuln list", vigil_store_errmsg(st));
		tv[run] = now_ms() - t0;
		tl[run] = tv[run] - ti[run];
		fprintf(stderr, "run %d: rescan (update import + re-scan) %.0f "
		    "ms (%" PRIu64 " builds), vuln list %.0f ms (%zu "
		    "vulnerabilities)\n", run,
		    ti[run], s.builds_rescanned, tl[run],
		    json_array_size(list));
		json_decref(list);
	}
	qsort(tv, 3, sizeof tv[0], cmp_d);
	qsort(ti, 3, sizeof ti[0], cmp_d);
	qsort(tl, 3, sizeof tl[0], cmp_d);
	printf("vuln_fleet: vigil %.0f ms for %u devices / %d builds, goal "
	    "%.0f ms, ratio %.2f\n", tv[1], n, MODELS * VERSIONS, GOAL_MS,
	    GOAL_MS / tv[1]);
	printf("vuln_fleet: breakdown rescan %.0f ms, list %.0f ms "
	    "(medians)\n", ti[1], tl[1]);
	vigil_store_close(st);
	if (getenv("VULN_FLEET_KEEP") != NULL)
		fprintf(stderr, "store kept in %s\n", dir);
	else
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
