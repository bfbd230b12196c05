/*
 * One printer per vulndb.h rendering, for both modes (vuln_cli.h):
 * tables and headlines for humans, the JSON as it is with --json. Every
 * value from the store or a feed goes through cli_safe().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "remote.h"
#include "vuln_cli.h"

/* ---- members ------------------------------------------------------- */

const char *
cli_vs(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return cli_safe(json_string_value(v));
	return "-";
}

long long
cli_vi(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	if (json_is_true(v))
		return 1;
	return 0;
}

double
cli_vd(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const char *
yes(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "yes" : "no";
}

/* A scalar member as text ("-" for absent/null), arrays of strings
 * joined by ",". buf holds the text when it is not a string. */
static const char *
text(const json_t *v, char *buf, size_t size)
{
	size_t n = 0, i;
	json_t *e;

	if (json_is_string(v))
		return cli_safe(json_string_value(v));
	if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%.2f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, size, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_array(v)) {
		buf[0] = '\0';
		json_array_foreach(v, i, e) {
			const char *s =
			    json_is_string(e) ? json_string_value(e) : "...";
			int w = snprintf(buf + n, size - n, "%s%s",
			    n ? "," : "", cli_safe(s));

			if (w < 0 || (size_t)w >= size - n)
				break;
			n += (size_t)w;
		}
		if (n == 0)
			snprintf(buf, size, "-");
	} else if (json_is_object(v))
		snprintf(buf, size, "{...}");
	else
		snprintf(buf, size, "-");
	return buf;
}

static const char *
mtext(const json_t *o, const char *key, char *buf, size_t size)
{
	return text(json_object_get(o, key), buf, size);
}

/* ---- common -------------------------------------------------------- */

int
cli_vuln_fail(struct cli_ctx *ctx, enum vigil_err rc, const char *err)
{
	if (ctx->be == &cli_backend_remote)
		return remote_report(ctx);
	if (err != NULL && err[0] != '\0')
		return cli_err("%s", err);
	return cli_store_err(ctx, rc);
}

bool
cli_vuln_read(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct vigil_buf b;
	char chunk[65536];
	size_t n;
	bool ok = true;

	*buf = NULL;
	*len = 0;
	if (f == NULL) {
		cli_err("%s: %s", path, strerror(errno));
		return false;
	}
	vigil_buf_init(&b, max + 1);
	while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (b.len + n > max) {
			cli_err("%s: larger than %zu bytes", path, max);
			ok = false;
		} else if (vigil_buf_append(&b, chunk, n) != VIGIL_OK) {
			cli_err("%s: out of memory", path);
			ok = false;
		}
	if (ok && ferror(f)) {
		cli_err("%s: %s", path, strerror(errno));
		ok = false;
	}
	if (ok && vigil_buf_append(&b, "", 1) != VIGIL_OK) {
		cli_err("%s: out of memory", path);
		ok = false;
	}
	if (f != stdin)
		fclose(f);
	if (!ok) {
		vigil_buf_free(&b);
		return false;
	}
	*buf = (char *)b.data;
	*len = b.len - 1;
	return true;
}

int
cli_vuln_write_doc(const struct cli_ctx *ctx, const char *path, json_t *v)
{
	FILE *f = stdout;
	int bad;

	if (v == NULL)
		return cli_err("out of memory");
	/* --json on standard output: one line, like every other result. */
	if (ctx->json && (path == NULL || strcmp(path, "-") == 0))
		return cli_json_emit(stdout, v) ? cli_finish_stdout(CLI_EXIT_OK)
		                                : CLI_EXIT_FAIL;
	if (path != NULL && strcmp(path, "-") != 0 &&
	    (f = fopen(path, "w")) == NULL) {
		json_decref(v);
		return cli_err("%s: %s", path, strerror(errno));
	}
	bad = json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0;
	bad |= fputc('\n', f) == EOF;
	json_decref(v);
	if (f != stdout) {
		bad |= fclose(f) != 0;
		if (bad)
			return cli_err("%s: write failed", path);
		return CLI_EXIT_OK;
	}
	if (bad)
		return cli_err("write to standard output failed");
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_vuln_print(struct cli_ctx *ctx, json_t *v, void (*human)(const json_t *v))
{
	if (v == NULL)
		return cli_err("out of memory");
	if (ctx->json)
		return cli_json_emit(stdout, v) ? cli_finish_stdout(CLI_EXIT_OK)
		                                : CLI_EXIT_FAIL;
	human(v);
	json_decref(v);
	return cli_finish_stdout(CLI_EXIT_OK);
}

void
cli_vout_kv(const json_t *v)
{
	const char *k;
	json_t *e;
	char buf[512];

	json_object_foreach((json_t *)v, k, e) {
		if (!json_is_object(e))
			printf("%-16s %s\n", cli_safe(k),
			    text(e, buf, sizeof buf));
	}
}

/* ---- builds -------------------------------------------------------- */

void
cli_vout_builds(const json_t *v)
{
	size_t i;
	json_t *b;

	if (json_array_size(v) == 0) {
		printf("no builds\n");
		return;
	}
	printf("%-20s %-14s %-10s %6s %8s %7s %7s %7s\n", "MODEL", "FIRMWARE",
	    "FORMAT", "COMPS", "AFFECTED", "UNKNOWN", "NOMATCH", "DEVICES");
	json_array_foreach(v, i, b) {
		printf("%-20s %-14s %-10s %6lld %8lld %7lld %7lld %7lld\n",
		    cli_vs(b, "model"), cli_vs(b, "firmware"),
		    cli_vs(b, "format"), cli_vi(b, "components"),
		    cli_vi(b, "affected"), cli_vi(b, "unknown"),
		    cli_vi(b, "unmatchable"), cli_vi(b, "devices"));
	}
}

void
cli_vout_build(const json_t *v)
{
	const json_t *b = json_object_get(v, "build") != NULL
	                      ? json_object_get(v, "build")
	                      : v;

	cli_vout_kv(b);
}

void
cli_vout_quality(const json_t *q)
{
	const json_t *el = json_object_get(q, "ntia_minimum_elements");
	const char *k;
	json_t *e;

	printf("components:        %lld\n", cli_vi(q, "components"));
	printf("NTIA minimum elements: %s\n",
	    json_is_true(json_object_get(q, "ntia_ok")) ? "complete"
	                                                : "INCOMPLETE");
	/* Per-component elements count what is missing; document-level
	 * ones (author, timestamp, dependency graph) are present or not. */
	json_object_foreach((json_t *)el, k, e) {
		const json_t *p = json_object_get(e, "present");

		if (json_is_boolean(p))
			printf("  %-24s %s\n", cli_safe(k),
			    json_is_true(p) ? "present" : "MISSING");
		else
			printf("  %-24s missing in %lld of %lld\n", cli_safe(k),
			    cli_vi(e, "missing"), cli_vi(q, "components"));
	}
	printf("cannot be matched: %lld (no purl, no CPE)\n",
	    cli_vi(q, "cannot_be_matched"));
}

void
cli_vout_sbom_import(const json_t *v)
{
	const json_t *b = json_object_get(v, "build");
	const json_t *s = json_object_get(v, "scan");
	const json_t *w = json_object_get(v, "warnings");
	size_t i;
	json_t *e;

	printf("build %s@%s (%s): %lld components\n", cli_vs(b, "model"),
	    cli_vs(b, "firmware"), cli_vs(b, "id"), cli_vi(b, "components"));
	if (json_object_get(v, "quality") != NULL)
		cli_vout_quality(json_object_get(v, "quality"));
	if (s != NULL) {
		const json_t *sb =
		    json_array_get(json_object_get(s, "builds"), 0);

		if (sb == NULL)
			sb = s;
		printf("scan: %lld affected, %lld unknown, %lld not affected, "
		       "%lld unmatchable\n",
		    cli_vi(sb, "affected"), cli_vi(sb, "unknown"),
		    cli_vi(sb, "not_affected"), cli_vi(sb, "unmatchable"));
	}
	json_array_foreach(w, i, e) {
		if (json_is_string(e))
			fprintf(stderr, "warning: %s\n",
			    cli_safe(json_string_value(e)));
	}
}

void
cli_vout_scan(const json_t *v)
{
	size_t i;
	json_t *b;

	printf("%-20s %-14s %6s %8s %7s %8s %7s %8s\n", "MODEL", "FIRMWARE",
	    "COMPS", "AFFECTED", "UNKNOWN", "NOT-AFF", "NOMATCH", "MS");
	json_array_foreach(json_object_get(v, "builds"), i, b) {
		printf("%-20s %-14s %6lld %8lld %7lld %8lld %7lld %8lld\n",
		    cli_vs(b, "model"), cli_vs(b, "firmware"),
		    cli_vi(b, "components"), cli_vi(b, "affected"),
		    cli_vi(b, "unknown"), cli_vi(b, "not_affected"),
		    cli_vi(b, "unmatchable"), cli_vi(b, "elapsed_ms"));
	}
}

/* ---- feeds --------------------------------------------------------- */

void
cli_vout_import_stats(const json_t *v)
{
	printf("%lld files, %lld records: %lld added, %lld updated, "
	       "%lld unchanged, %lld withdrawn, %lld rejected, %lld without "
	       "product data",
	    cli_vi(v, "files"), cli_vi(v, "records"), cli_vi(v, "added"),
	    cli_vi(v, "updated"), cli_vi(v, "unchanged"),
	    cli_vi(v, "withdrawn"), cli_vi(v, "rejected"),
	    cli_vi(v, "no_data"));
	if (cli_vi(v, "kev") > 0)
		printf(", %lld KEV entries", cli_vi(v, "kev"));
	if (cli_vi(v, "epss") > 0)
		printf(", %lld EPSS scores", cli_vi(v, "epss"));
	printf("; %lld builds re-scanned\n", cli_vi(v, "builds_rescanned"));
}

void
cli_vout_feeds(const json_t *v)
{
	size_t i;
	json_t *f;

	if (json_array_size(v) == 0) {
		printf("no feeds imported\n");
		return;
	}
	printf("%-6s %-6s %-14s %8s %-24s %s\n", "ID", "KIND", "SOURCE",
	    "RECORDS", "IMPORTED", "PATH");
	json_array_foreach(v, i, f) {
		char id[32];

		printf("%-6s %-6s %-14s %8lld %-24s %s\n",
		    mtext(f, "id", id, sizeof id), cli_vs(f, "kind"),
		    cli_vs(f, "source"), cli_vi(f, "records"),
		    cli_vs(f, "imported_at"), cli_vs(f, "path"));
	}
}

/* ---- vulnerabilities ----------------------------------------------- */

void
cli_vout_vulns(const json_t *v)
{
	size_t i;
	json_t *e;

	if (json_array_size(v) == 0) {
		printf("no vulnerabilities affect the builds\n");
		return;
	}
	printf("%-20s %6s %-8s %-3s %6s %5s %6s %7s %s\n", "ID", "PRIO",
	    "LABEL", "KEV", "EPSS", "CVSS", "BUILDS", "DEVICES", "SUMMARY");
	json_array_foreach(v, i, e) {
		char b1[32], b2[32], b3[32];

		if (json_is_number(json_object_get(e, "epss")))
			snprintf(b3, sizeof b3, "%.3f", cli_vd(e, "epss"));
		else
			snprintf(b3, sizeof b3, "-");
		printf("%-20s %6.1f %-8s %-3s %6s %5s %6s %7lld %.60s\n",
		    cli_vs(e, "id"), cli_vd(e, "priority"),
		    cli_vs(e, "priority_label"), yes(e, "kev"), b3,
		    mtext(e, "cvss", b1, sizeof b1),
		    json_is_array(json_object_get(e, "builds"))
		        ? (snprintf(b2, sizeof b2, "%zu",
		               json_array_size(json_object_get(e, "builds"))),
		              b2)
		        : mtext(e, "builds", b2, sizeof b2),
		    cli_vi(e, "devices"), cli_vs(e, "summary"));
	}
}

void
cli_vout_vuln(const json_t *v)
{
	const char *k;
	json_t *e, *x;
	size_t i;
	char buf[1024];

	json_object_foreach((json_t *)v, k, e) {
		if (json_is_object(e))
			continue;
		if (json_is_array(e) && json_is_object(json_array_get(e, 0))) {
			printf("%s:\n", cli_safe(k));
			json_array_foreach(e, i, x) {
				const char *k2;
				json_t *y;

				printf("  -");
				json_object_foreach(x, k2, y) {
					if (json_is_object(y) ||
					    (json_is_array(y) && json_is_object(
					    json_array_get(y, 0))))
						continue;
					printf(" %s=%s", cli_safe(k2),
					    text(y, buf, sizeof buf));
				}
				printf("\n");
			}
			continue;
		}
		printf("%-16s %s\n", cli_safe(k), text(e, buf, sizeof buf));
	}
}

void
cli_vout_affected(const json_t *v)
{
	long long nd = cli_vi(v, "devices"), nt = cli_vi(v, "tenants");
	size_t i, j;
	json_t *b, *c;

	printf("%s affects %lld device%s in %lld tenant%s\n", cli_vs(v, "id"),
	    nd, nd == 1 ? "" : "s", nt, nt == 1 ? "" : "s");
	if (json_array_size(json_object_get(v, "builds")) == 0)
		return;
	printf("%-20s %-14s %7s  %-24s %-14s %-14s %s\n", "MODEL", "FIRMWARE",
	    "DEVICES", "COMPONENT", "VERSION", "FIXED", "REASON");
	json_array_foreach(json_object_get(v, "builds"), i, b) {
		const json_t *comps = json_object_get(b, "components");

		if (json_array_size(comps) == 0)
			printf("%-20s %-14s %7lld\n", cli_vs(b, "model"),
			    cli_vs(b, "firmware"), cli_vi(b, "devices"));
		json_array_foreach(comps, j, c) {
			char fx[128];

			printf("%-20s %-14s %7lld  %-24s %-14s %-14s %s\n",
			    j == 0 ? cli_vs(b, "model") : "",
			    j == 0 ? cli_vs(b, "firmware") : "",
			    j == 0 ? cli_vi(b, "devices") : 0LL,
			    cli_vs(c, "name"), cli_vs(c, "version"),
			    mtext(c, "fixed", fx, sizeof fx),
			    cli_vs(c, "reason"));
		}
	}
}

void
cli_vout_findings(const json_t *v)
{
	const char *k;
	json_t *e, *f;
	size_t i;
	char buf[256];

	json_object_foreach((json_t *)v, k, e) {
		if (!json_is_array(e) && !json_is_object(e))
			printf("%-16s %s\n", cli_safe(k),
			    text(e, buf, sizeof buf));
	}
	json_object_foreach((json_t *)v, k, e) {
		if (!json_is_array(e) || !json_is_object(json_array_get(e, 0)))
			continue;
		printf("%s:\n", cli_safe(k));
		json_array_foreach(e, i, f) {
			const char *k2;
			json_t *y;

			printf("  -");
			json_object_foreach(f, k2, y) {
				if (!json_is_object(y))
					printf(" %s=%s", cli_safe(k2),
					    text(y, buf, sizeof buf));
			}
			printf("\n");
		}
	}
	if (json_object_get(v, "build") != NULL &&
	    json_is_object(json_object_get(v, "build")))
		cli_vout_kv(json_object_get(v, "build"));
}

void
cli_vout_vex(const json_t *v)
{
	printf("%lld statements imported, %lld findings changed\n",
	    cli_vi(v, "statements"), cli_vi(v, "findings_changed"));
}

/* ---- products and CRA ---------------------------------------------- */

void
cli_vout_products(const json_t *v)
{
	size_t i;
	json_t *p;

	if (json_array_size(v) == 0) {
		printf("no products\n");
		return;
	}
	printf("%-20s %-20s %-11s %-10s %6s %6s %7s\n", "MODEL", "MANUFACTURER",
	    "SUPPORT", "STATE", "DAYS", "BUILDS", "DEVICES");
	json_array_foreach(v, i, p) {
		char days[32], bld[32];

		printf("%-20s %-20s %-11s %-10s %6s %6s %7lld\n",
		    cli_vs(p, "model"), cli_vs(p, "manufacturer"),
		    cli_vs(p, "support_until"), cli_vs(p, "support_state"),
		    mtext(p, "days_left", days, sizeof days),
		    json_is_array(json_object_get(p, "builds"))
		        ? (snprintf(bld, sizeof bld, "%zu",
		               json_array_size(json_object_get(p, "builds"))),
		              bld)
		        : mtext(p, "builds", bld, sizeof bld),
		    cli_vi(p, "devices"));
	}
	json_array_foreach(v, i, p) {
		const char *st =
		    json_string_value(json_object_get(p, "support_state"));

		if (st != NULL && strcmp(st, "ending") == 0)
			fprintf(stderr,
			    "warning: support for %s ends in %lld "
			    "days (%s)\n",
			    cli_vs(p, "model"), cli_vi(p, "days_left"),
			    cli_vs(p, "support_until"));
		else if (st != NULL && strcmp(st, "ended") == 0)
			fprintf(stderr,
			    "warning: support for %s ended on "
			    "%s\n",
			    cli_vs(p, "model"), cli_vs(p, "support_until"));
	}
}

void
cli_vout_cra_report(const json_t *r)
{
	const json_t *next = json_object_get(r, "next");
	const char *k;
	json_t *c;

	cli_vout_kv(r);
	json_object_foreach(json_object_get(r, "clocks"), k, c) {
		printf("%-16s due %s, submitted %s%s\n", cli_safe(k),
		    cli_vs(c, "due"), cli_vs(c, "submitted"),
		    json_is_true(json_object_get(c, "overdue")) ?
		    ", OVERDUE" : "");
	}
	if (json_is_object(next))
		printf("%-16s %s due %s\n", "next", cli_vs(next, "stage"),
		    cli_vs(next, "due"));
}

void
cli_vout_cra_status(const json_t *v)
{
	const json_t *reports = json_object_get(v, "reports");
	size_t i;
	json_t *r;

	if (json_array_size(reports) == 0)
		printf("no open CRA reports\n");
	else
		printf("%-36s %-13s %-16s %-12s %-18s %-14s %-24s %s\n", "ID",
		    "KIND", "VULN", "MODEL", "STATE", "NEXT", "DUE", "OVERDUE");
	json_array_foreach(reports, i, r) {
		const json_t *nx = json_object_get(r, "next");

		printf("%-36s %-13s %-16s %-12s %-18s %-14s %-24s %s\n",
		    cli_vs(r, "id"), cli_vs(r, "kind"), cli_vs(r, "vuln"),
		    cli_vs(r, "model"), cli_vs(r, "state"), cli_vs(nx, "stage"),
		    cli_vs(nx, "due"), yes(r, "overdue"));
	}
	json_array_foreach(json_object_get(v, "support"), i, r) {
		char buf[512];

		if (json_is_string(r))
			printf("support: %s\n", cli_safe(json_string_value(r)));
		else
			printf("support: %s %s until %s (%s days)\n",
			    cli_vs(r, "model"), cli_vs(r, "support_state"),
			    cli_vs(r, "support_until"),
			    mtext(r, "days_left", buf, sizeof buf));
	}
}
