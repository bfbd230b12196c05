/*
 * bench_vuln_import [MB] — feed import throughput against jq.
 *
 * Generates about MB megabytes (default 50) of OSV (JSON arrays of
 * records) and NVD CVE API 2.0 documents in a temporary directory, then
 * times vigil_vdb_import of the directory into a fresh store (parse,
 * normalise, index keys, provenance, one transaction per document) and
 * `jq -c . FILE > /dev/null` over the same files (fork/exec, one jq per
 * file): a JSON parse-and-print peer. Prints "vuln_import: vigil X MB/s
 * (N records/s), peer jq -c . Y MB/s, ratio R" (ratio = vigil / peer).
 * The directory is removed at the end.
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"
#include "vigil/vulndb.h"

#define PER_FILE 1000 /* records per document */

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
	fprintf(stderr, "bench_vuln_import: %s: %s\n", what, msg);
	exit(1);
}

static void
osv(struct vigil_buf *b, unsigned r)
{
	vigil_buf_appendf(b, "{\"schema_version\":\"1.6.0\",\"id\":"
	    "\"GHSA-bench-%06u\",\"modified\":\"2024-05-31T08:00:00Z\","
	    "\"published\":\"2024-05-25T08:00:00Z\",\"aliases\":"
	    "[\"CVE-2023-%06u\"],\"summary\":\"Bench record %u: a flaw in "
	    "package %u that lets a remote attacker do things\",\"details\":"
	    "\"Longer text describing the flaw in some detail, as real "
	    "advisories do, with a reference or two.\",\"severity\":[{"
	    "\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/"
	    "S:U/C:H/I:H/A:H\"}],\"affected\":[{\"package\":{\"ecosystem\":"
	    "\"npm\",\"name\":\"bench-pkg-%u\",\"purl\":\"pkg:npm/bench-pkg-"
	    "%u\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced"
	    "\":\"0\"},{\"fixed\":\"%u.%u.1\"}]}],\"versions\":[\"1.0.0\","
	    "\"1.0.1\"]}],\"references\":[{\"type\":\"ADVISORY\",\"url\":"
	    "\"https://example.org/advisories/%u\"}]}", r, r, r, r % 20000,
	    r % 20000, r % 20000, 1 + r % 9, r % 30, r);
}

static void
nvd(struct vigil_buf *b, unsigned r)
{
	vigil_buf_appendf(b, "{\"cve\":{\"id\":\"CVE-2022-%06u\","
	    "\"sourceIdentifier\":\"cve@mitre.org\",\"published\":"
	    "\"2022-05-20T10:15:00.000\",\"lastModified\":"
	    "\"2024-05-30T10:15:00.000\",\"vulnStatus\":\"Analyzed\","
	    "\"descriptions\":[{\"lang\":\"en\",\"value\":\"Bench CVE %u: "
	    "buffer overflow in product %u allows remote code execution via "
	    "a crafted request.\"}],\"metrics\":{\"cvssMetricV31\":[{"
	    "\"source\":\"nvd@nist.gov\",\"type\":\"Primary\",\"cvssData\":{"
	    "\"version\":\"3.1\",\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/"
	    "UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":9.8,\"baseSeverity\":"
	    "\"CRITICAL\"},\"exploitabilityScore\":3.9,\"impactScore\":5.9}]},"
	    "\"weaknesses\":[{\"source\":\"nvd@nist.gov\",\"type\":"
	    "\"Primary\",\"description\":[{\"lang\":\"en\",\"value\":"
	    "\"CWE-787\"}]}],\"configurations\":[{\"nodes\":[{\"operator\":"
	    "\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
	    "\"criteria\":\"cpe:2.3:a:vendor%u:product%u:*:*:*:*:*:*:*:*\","
	    "\"versionStartIncluding\":\"1.0\",\"versionEndExcluding\":"
	    "\"%u.%u\",\"matchCriteriaId\":\"11111111-2222-3333-4444-"
	    "%012u\"}]}]}],\"references\":[{\"url\":\"https://example.org/"
	    "cve/%u\",\"source\":\"cve@mitre.org\"}]}}", r, r, r % 20000,
	    r % 5000, r % 20000, 1 + r % 9, r % 30, r, r);
}

static size_t
write_doc(const char *path, struct vigil_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len)
		die("write", path);
	fclose(f);
	return b->len;
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/* jq -c . path > /dev/null; 0 when it exited 0. */
static int
run_jq(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execlp("jq", "jq", "-c", ".", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	unsigned mb = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 50;
	char dir[] = "/tmp/vigil-bench-vimport-XXXXXX", feeds[600];
	char path[700], err[512];
	struct vigil_vdb_import_stats s;
	struct vigil_store *st;
	struct vigil_buf b;
	size_t total = 0, nfiles = 0;
	unsigned r = 0;
	double t0, tv, tj;

	if (mb == 0 || mb > 4096)
		die("size", "expected 1 to 4096 MB");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(feeds, sizeof feeds, "%s/feeds", dir);
	if (mkdir(feeds, 0700) != 0)
		die("mkdir", feeds);
	vigil_buf_init(&b, (size_t)1 << 30);
	while (total < (size_t)mb << 20) {
		int is_nvd = nfiles % 2 == 1;

		vigil_buf_reset(&b);
		if (is_nvd)
			vigil_buf_appendf(&b, "{\"resultsPerPage\":%d,"
			    "\"startIndex\":0,\"totalResults\":%d,\"format\":"
			    "\"NVD_CVE\",\"version\":\"2.0\",\"timestamp\":"
			    "\"2024-06-02T00:00:00.000\",\"vulnerabilities\":[",
			    PER_FILE, PER_FILE);
		else
			vigil_buf_appends(&b, "[");
		for (unsigned i = 0; i < PER_FILE; i++, r++) {
			if (i > 0)
				vigil_buf_appends(&b, ",");
			if (is_nvd)
				nvd(&b, r);
			else
				osv(&b, r);
		}
		if (vigil_buf_appends(&b, is_nvd ? "]}" : "]") != VIGIL_OK)
			die("memory", "out of memory");
		snprintf(path, sizeof path, "%s/%s-%04zu.json", feeds,
		    is_nvd ? "nvd" : "osv", nfiles);
		total += write_doc(path, &b);
		nfiles++;
	}
	vigil_buf_free(&b);

	snprintf(path, sizeof path, "%s/vigil.db", dir);
	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die("open", err);
	t0 = now_s();
	if (vigil_vdb_import(st, feeds, NULL, &s, err, sizeof err) !=
	    VIGIL_OK)
		die("import", err);
	tv = now_s() - t0;
	vigil_store_close(st);
	if (s.added != r)
		die("import", "not every record was added");

	t0 = now_s();
	for (size_t i = 0; i < nfiles; i++) {
		snprintf(path, sizeof path, "%s/%s-%04zu.json", feeds,
		    i % 2 == 1 ? "nvd" : "osv", i);
		if (run_jq(path) != 0)
			die("jq", "jq -c . failed (is jq installed?)");
	}
	tj = now_s() - t0;

	printf("vuln_import: vigil %.1f MB/s (%.0f records/s), peer jq -c . "
	    "%.1f MB/s, ratio %.2f\n", (double)total / 1048576.0 / tv,
	    (double)r / tv, (double)total / 1048576.0 / tj, tj / tv);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
