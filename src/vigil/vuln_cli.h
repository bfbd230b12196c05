/*
 * The vulnerability commands' backend (`vigil sbom | vuln | product |
 * cra`, `device firmware | findings`): each operation runs on the local
 * store (vuln_local.c: include/vigil/vulndb.h plus the audit entry of
 * every change) or on a vigild (remote_vuln.c: the /v1/vuln, /v1/vulns,
 * /v1/products and /v1/cra routes). Results are the vulndb.h JSON
 * renderings in both modes, so one set of printers (vuln_out.c) serves
 * both.
 *
 * Errors: an operation returns the vigil_err; locally err holds the
 * library's text, remotely the error is recorded on ctx (remote.h).
 * cli_vuln_fail() prints whichever applies.
 */
#ifndef VIGIL_CLI_VULN_H
#define VIGIL_CLI_VULN_H

#include <jansson.h>

#include "vigil/vulndb.h"

#include "cli.h"

#define CLI_VERR 1024 /* size of the err buffers below */

struct cli_vuln_ops {
	/* ---- builds and SBOMs ---- */
	enum vigil_err (*build_list)(
	    struct cli_ctx *ctx, json_t **out, char *err);
	enum vigil_err (*build_get)(
	    struct cli_ctx *ctx, const char *build, json_t **out, char *err);
	enum vigil_err (*build_delete)(
	    struct cli_ctx *ctx, const char *build, char *err);
	enum vigil_err (*sbom_import)(struct cli_ctx *ctx, const char *buf,
	    size_t len, const struct vigil_vdb_sbom_opts *o, json_t **out,
	    char *err);
	enum vigil_err (*sbom_export)(struct cli_ctx *ctx, const char *build,
	    int vex, json_t **out, char *err);
	enum vigil_err (*vex_import)(struct cli_ctx *ctx, const char *buf,
	    size_t len, enum vigil_vex_format fmt, const char *build,
	    json_t **out, char *err);

	/* ---- feeds and scans ---- */
	/* One PATH of `vuln import` (locally a file, directory or zip;
	 * remotely a file). o's callbacks report progress and rejected
	 * records; *out gets the statistics JSON. */
	enum vigil_err (*feed_import)(struct cli_ctx *ctx, const char *path,
	    const struct vigil_vdb_import_opts *o, json_t **out, char *err);
	enum vigil_err (*feed_list)(
	    struct cli_ctx *ctx, json_t **out, char *err);
	enum vigil_err (*scan)(
	    struct cli_ctx *ctx, const char *build, json_t **out, char *err);

	/* ---- queries ---- */
	enum vigil_err (*vuln_list)(struct cli_ctx *ctx,
	    const struct vigil_vdb_filter *f, json_t **out, char *err);
	enum vigil_err (*vuln_show)(
	    struct cli_ctx *ctx, const char *id, json_t **out, char *err);
	enum vigil_err (*affected)(
	    struct cli_ctx *ctx, const char *id, json_t **out, char *err);
	enum vigil_err (*exploited)(struct cli_ctx *ctx, const char *id,
	    int exploited, const char *note, char *err);

	/* ---- devices (tenant scope) ---- */
	enum vigil_err (*device_findings)(
	    struct cli_ctx *ctx, const char *device, json_t **out, char *err);
	enum vigil_err (*device_firmware)(struct cli_ctx *ctx,
	    const char *device, const char *version, char *err);

	/* ---- products ---- */
	enum vigil_err (*product_set)(struct cli_ctx *ctx,
	    const struct vigil_vdb_product *p, json_t **out, char *err);
	enum vigil_err (*product_list)(
	    struct cli_ctx *ctx, int warn_days, json_t **out, char *err);

	/* ---- Cyber Resilience Act ---- */
	enum vigil_err (*cra_status)(
	    struct cli_ctx *ctx, int all, json_t **out, char *err);
	enum vigil_err (*cra_open)(struct cli_ctx *ctx,
	    enum vigil_cra_kind kind, const char *vuln, const char *model,
	    const char *summary, json_t **out, char *err);
	enum vigil_err (*cra_step)(struct cli_ctx *ctx, const char *id,
	    const char *step, json_t **out, char *err);
	enum vigil_err (*cra_export)(
	    struct cli_ctx *ctx, const char *id, json_t **out, char *err);
};

extern const struct cli_vuln_ops cli_vuln_local;
extern const struct cli_vuln_ops cli_vuln_remote;

/* The ops of ctx's mode. */
const struct cli_vuln_ops *cli_vuln(const struct cli_ctx *ctx);

/* Prints the error of a failed operation (err locally, the recorded
 * one remotely) and returns the exit status. */
int cli_vuln_fail(struct cli_ctx *ctx, enum vigil_err rc, const char *err);

/* Device counts in the scope of --tenant when given, else (locally)
 * every tenant's; the server scopes remote calls by the principal.
 * Returns an exit status (cmd_sbom.c). */
int cli_vuln_scope(struct cli_ctx *ctx);

/* The commands that read one object by reference in the --tenant
 * scope (sbom show, vuln show, vuln affected): get(ref), then print
 * (cmd_sbom.c). Returns an exit status. */
typedef enum vigil_err (*cli_vuln_get_fn)(struct cli_ctx *ctx,
    const char *ref, json_t **out, char *err);
int cli_vuln_show_ref(struct cli_ctx *ctx, const char *ref,
    cli_vuln_get_fn get, void (*human)(const json_t *v));

/* Reads a whole file (or "-" for stdin) of at most max bytes into *buf
 * (NUL-terminated; vigil_free). Prints why and returns false. */
bool cli_vuln_read(const char *path, size_t max, char **buf, size_t *len);

/* Writes v (pretty, indented) to path, or to stdout when path is NULL
 * or "-" (one compact line with --json). Releases v. Returns an exit
 * status. */
int cli_vuln_write_doc(const struct cli_ctx *ctx, const char *path, json_t *v);

/* ---- progress bar (progress.c): on stderr, only when stderr is a
 * terminal and the output is not --json; redrawn at most 10 times a
 * second. ---- */
struct cli_progress {
	bool on;
	bool drawn;
	int64_t last_ms;
	const char *label;
};
void cli_progress_init(
    struct cli_progress *p, const struct cli_ctx *ctx, const char *label);
void cli_progress_update(
    struct cli_progress *p, uint64_t done, uint64_t total, uint64_t records);
/* Clears the bar's line (before other stderr output and at the end). */
void cli_progress_clear(struct cli_progress *p);

/* ---- printers (vuln_out.c): each prints a rendering for humans, or
 * the JSON as it is with --json, releases v and returns the exit
 * status. ---- */
int cli_vuln_print(
    struct cli_ctx *ctx, json_t *v, void (*human)(const json_t *v));

void cli_vout_builds(const json_t *v);
void cli_vout_build(const json_t *v);
void cli_vout_sbom_import(const json_t *v);
void cli_vout_quality(const json_t *v);
void cli_vout_import_stats(const json_t *v);
void cli_vout_feeds(const json_t *v);
void cli_vout_scan(const json_t *v);
void cli_vout_vulns(const json_t *v);
void cli_vout_vuln(const json_t *v);
void cli_vout_affected(const json_t *v);
void cli_vout_findings(const json_t *v);
void cli_vout_vex(const json_t *v);
void cli_vout_products(const json_t *v);
void cli_vout_cra_status(const json_t *v);
void cli_vout_cra_report(const json_t *v);
/* Any other object: "key: value" lines. */
void cli_vout_kv(const json_t *v);

/* Member helpers: the string made terminal-safe ("-" when absent or
 * null), an integer (0 when absent), a number as text. */
const char *cli_vs(const json_t *o, const char *key);
long long cli_vi(const json_t *o, const char *key);
double cli_vd(const json_t *o, const char *key);

#endif
