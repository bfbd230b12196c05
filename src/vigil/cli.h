/*
 * Internal interface of the vigil command-line tool: the command table,
 * parsed arguments, the per-invocation context and output helpers.
 * Nothing here is installed; each command group lives in its own file.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "vigil/core.h"
#include "vigil/id.h"

/* Exit statuses (documented in vigil(1), EXIT STATUS). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
/* Remote mode (--server): not authenticated (no, bad or expired token)
 * or not allowed (permission, re-authentication, lockout). */
#define CLI_EXIT_AUTH 3
/* Remote mode: the server cannot be reached or trusted (connection,
 * TLS verification), or does not answer like a vigild. */
#define CLI_EXIT_CONN 4

/* ------------------------------------------------------------------ */
/* Command table (commands.c) — the single source of truth for dispatch,
 * `--help`, `vigil help --commands` and the man page check. */

#define CLI_OPT_REPEAT 0x1u /* may be given several times */

struct cli_opt {
	const char *name;    /* long name without "--"; NULL ends a table */
	char short_name;     /* e.g. 'o' for -o, 0 when none */
	const char *metavar; /* NULL for a flag without argument */
	const char *help;
	unsigned flags;
};

struct cli_ctx;
struct cli_args;

typedef int (*cli_run_fn)(struct cli_ctx *ctx, const struct cli_args *a);

#define CLI_CMD_IDOPTS 0x1u /* accepts --<identifier type> VALUE */
#define CLI_CMD_REMOTE 0x2u /* local store, or a vigild with --server */
#define CLI_CMD_SERVER 0x4u /* talks to a vigild only (login, ...) */
#define CLI_CMD_LOCAL 0x8u  /* local data directory only: --server is
			     * a usage error */

struct cli_cmd {
	const char *group;   /* "id", "device"; or the command itself */
	const char *name;    /* "check"; NULL for a single-word command */
	const char *args;    /* synopsis after the options, e.g. "VALUE..." */
	const char *summary; /* one line, no final period */
	const struct cli_opt *opts;
	unsigned flags;
	size_t min_pos;      /* positional arguments accepted */
	size_t max_pos;      /* SIZE_MAX: unlimited */
	cli_run_fn run;
};

/* The table and its length. */
extern const struct cli_cmd cli_commands[];
extern const size_t cli_ncommands;
/* Options accepted by every command (--data, --tenant, --json, ...). */
extern const struct cli_opt cli_global_opts[];

/* "id check" or "label": the command's full name into buf. */
const char *cli_cmd_fullname(const struct cli_cmd *c, char *buf,
    size_t size);
/* The remote implementation of command c when its local code reads the
 * store itself (remote_cmds.c), else NULL: c->run serves both modes
 * through the backend. */
cli_run_fn cli_remote_run(const struct cli_cmd *c);
/* Finds a command by group and name (name may be NULL). */
const struct cli_cmd *cli_cmd_find(const char *group, const char *name);
/* True when some command belongs to group. */
bool cli_group_exists(const char *group);

/* ------------------------------------------------------------------ */
/* Parsed arguments (args.c). */

struct cli_optval {
	const char *name;  /* option name as in the table, or id type name */
	const char *value; /* NULL for a flag */
	bool idopt;        /* --<identifier type> VALUE */
};

struct cli_args {
	const struct cli_cmd *cmd;
	struct cli_optval *opts; /* in command-line order */
	size_t nopts;
	char **pos;              /* positional arguments */
	size_t npos;
};

/*
 * Parses argv[0..argc) (after the command words) against cmd's option
 * table and the global options; the global ones update ctx. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE after printing what is wrong. Sets
 * *help when --help was given. Release with cli_args_free().
 */
int cli_args_parse(struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
    char **argv, struct cli_args *a /* OUT */, bool *help /* OUT */);
void cli_args_free(struct cli_args *a);
/* Last value of option name, NULL when absent. */
const char *cli_arg(const struct cli_args *a, const char *name);
/* True when flag name was given. */
bool cli_flag(const struct cli_args *a, const char *name);

/* Parses an unsigned decimal option value in [min, max]; prints a usage
 * error and returns false otherwise. */
bool cli_parse_size(const struct cli_args *a, const char *opt,
    const char *s, size_t min, size_t max, size_t *out /* OUT */);

/* ------------------------------------------------------------------ */
/* Per-invocation context (ctx.c). */

struct vigil_store;
struct cli_backend; /* backend.h */
struct cli_remote;  /* remote.h */
struct cli_conf;    /* remote.h: the user's config file */

struct cli_ctx {
	const char *data_dir;   /* --data, $VIGIL_DATA or "./var" */
	const char *tenant;     /* --tenant or $VIGIL_TENANT; may be NULL */
	bool data_opt;          /* --data was given (once only) */
	bool tenant_opt;        /* --tenant was given (once only) */
	bool json;
	bool quiet;
	char actor[96];         /* "local:<login name>" */
	/* Remote mode: --server URL, else $VIGIL_SERVER, else the config
	 * file (unless --data or $VIGIL_DATA says local); --ca FILE, else
	 * $VIGIL_CA, else the config file's. Set by cli_mode(). */
	const char *server;
	const char *ca;
	bool server_opt;        /* --server was given (once only) */
	bool ca_opt;            /* --ca was given (once only) */
	const struct cli_backend *be; /* local (default) or remote */
	struct cli_remote *remote;    /* open on first request */
	struct cli_conf *conf;        /* loaded by cli_mode() */
	/* Opened on first use by cli_store(). */
	struct vigil_store *store;
	/* Resolved by cli_tenant(). */
	char tenant_id[VIGIL_UUID_STRLEN];
	char tenant_name[64];
};

void cli_ctx_init(struct cli_ctx *ctx);
/* Chooses local or remote mode for command c (main.c calls it after
 * parsing): --server and --data exclude each other; CLI_CMD_LOCAL
 * commands refuse --server; CLI_CMD_SERVER commands need a server.
 * Returns CLI_EXIT_OK or the exit status after printing why. */
int cli_mode(struct cli_ctx *ctx, const struct cli_cmd *c);
/* Applies global option name (without "--", not "help") with value v.
 * NULL when done, else a usage error format with one %s for the name
 * (a repeated --data or --tenant, an empty value). */
const char *cli_global_value(struct cli_ctx *ctx, const char *name,
    const char *v);
void cli_ctx_close(struct cli_ctx *ctx);

/* Path of the database file: <data>/vigil.db. */
const char *cli_db_path(const struct cli_ctx *ctx, char *buf, size_t size);
/* True when the database file exists (commands that only read an
 * optional registry, like label, do not create it). */
bool cli_db_exists(const struct cli_ctx *ctx);

/* Opens the store (ctx_store.c), creating the database on first use.
 * Prints the error and returns NULL on failure. */
struct vigil_store *cli_store(struct cli_ctx *ctx);
/* Resolves the tenant: --tenant / $VIGIL_TENANT (name or id), else the
 * only tenant. Fills ctx->tenant_id / tenant_name. Prints what to do
 * and returns false when it cannot. */
bool cli_tenant(struct cli_ctx *ctx);
/* As cli_tenant, for commands where the registry is optional: returns
 * 1 when a tenant is chosen, 0 (silently) when none or several exist
 * and none was named, -1 after printing an error. */
int cli_tenant_maybe(struct cli_ctx *ctx);
/* Prints "vigil: <store error>" and returns CLI_EXIT_FAIL; in remote
 * mode "vigil: <detail> (HTTP <status>, request <id>)" and the exit
 * status that fits it (CLI_EXIT_AUTH, CLI_EXIT_CONN, ...). */
int cli_store_err(struct cli_ctx *ctx, enum vigil_err rc);

/* ------------------------------------------------------------------ */
/* Help (help.c). */

/* Full help of one command on f. */
void cli_help_command(FILE *f, const struct cli_cmd *c);
/* Commands of one group (or all when group is NULL). */
void cli_help_overview(FILE *f, const char *group);
/* "vigil help [--commands] [COMMAND...]". */
int cli_cmd_help(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cmd_version(struct cli_ctx *ctx, const struct cli_args *a);

/* ------------------------------------------------------------------ */
/* Output (out.c). Data goes to stdout, diagnostics to stderr. */

/* "vigil: <msg>" on stderr. Returns CLI_EXIT_FAIL. */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "vigil: <cmd>: <msg>" plus a hint to the command's help on stderr.
 * Returns CLI_EXIT_USAGE. */
int cli_usage(const struct cli_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Informational note on stderr unless --quiet. */
void cli_note(const struct cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* As cli_err without the prefix and newline, on f: the formatted text
 * escaped like cli_safe() and capped in length. cli_err, cli_usage and
 * cli_note escape the same way. */
void cli_diag(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* s made safe for a terminal: control characters (C0, DEL, C1),
 * invisible formatting characters (bidi overrides, zero-width) and
 * invalid UTF-8 shown as \xNN or \uNNNN; s itself when nothing needs
 * escaping. Human output passes every stored or imported value through
 * it. The result is valid until 8 more calls; never NULL. */
const char *cli_safe(const char *s);
/* Releases cli_safe()'s buffers (at exit). */
void cli_safe_free(void);

/* JSON string from n bytes that may be invalid UTF-8 (replaced by
 * U+FFFD); never NULL unless out of memory. */
json_t *cli_json_strn(const char *s, size_t n);
json_t *cli_json_str(const char *s);
/* JSON string or null for "" / NULL. */
json_t *cli_json_str_or_null(const char *s);
/* Prints v as one compact line on f and releases it. Returns false on
 * a write or allocation failure (reported). */
bool cli_json_emit(FILE *f, json_t *v);
/* Sets obj[key] = v, stealing the reference. */
void cli_json_set(json_t *obj, const char *key, json_t *v);

/* Flushes stdout and reports a write error (e.g. a full disk). */
int cli_finish_stdout(int status);

/* ------------------------------------------------------------------ */
/* Identifier rendering (idout.c), shared by id, device and label. */

/* JSON object for one check result. cand may be NULL. */
json_t *cli_id_json(const char *input, size_t inlen, enum vigil_err rc,
    const struct vigil_id *id, const enum vigil_id_type *cand,
    size_t ncand);
/* Value of a form name as accepted by `id convert --to` (forms plus
 * normalized, urn, match-key); NULL when the value has no such form. */
const char *cli_id_form(const struct vigil_id *id, const char *form);
/* Comma-separated list of the forms id has, into buf. */
const char *cli_id_form_list(const struct vigil_id *id, char *buf,
    size_t size);
/* Parses with t or auto-detects when t is VIGIL_ID_UNKNOWN. */
enum vigil_err cli_id_read(enum vigil_id_type t, const char *in, size_t len,
    struct vigil_id *id /* OUT */,
    enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES],
    size_t *ncand /* OUT */);
/* Resolves --type; prints a usage error listing the types and returns
 * false when unknown. *t = VIGIL_ID_UNKNOWN when s is NULL. */
bool cli_id_type_arg(const struct cli_args *a, const char *s,
    enum vigil_id_type *t /* OUT */);

/* ------------------------------------------------------------------ */
/* Bounded line reader (lines.c) for stdin and import files. */

struct cli_lines {
	FILE *f;
	size_t max;       /* longest accepted line, bytes */
	size_t lineno;    /* number of the line last returned */
	char *buf;        /* max + 2 bytes */
};

enum cli_line_rc {
	CLI_LINE_OK = 0,
	CLI_LINE_EOF = 1,
	CLI_LINE_TOOLONG = 2, /* line skipped; *len = its full length */
	CLI_LINE_ERR = 3,     /* read error (errno set) */
};

bool cli_lines_init(struct cli_lines *l, FILE *f, size_t max);
void cli_lines_free(struct cli_lines *l);
/* Next line without its "\n" (and "\r\n"); *line valid until the next
 * call. */
enum cli_line_rc cli_lines_next(struct cli_lines *l, const char **line,
    size_t *len);

/* ------------------------------------------------------------------ */
/* Prompts (prompt.c). */

/* Reads one line into buf: from the terminal after printing prompt on
 * stderr (without echo when secret), else from standard input. Returns
 * its length, or -1 after printing why (end of input, too long). The
 * caller wipes a secret with OPENSSL_cleanse. */
int cli_prompt(const char *prompt, bool secret, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Command handlers. */

int cli_id_check(struct cli_ctx *ctx, const struct cli_args *a);
int cli_id_convert(struct cli_ctx *ctx, const struct cli_args *a);
int cli_id_compare(struct cli_ctx *ctx, const struct cli_args *a);
int cli_id_explain(struct cli_ctx *ctx, const struct cli_args *a);
int cli_id_types(struct cli_ctx *ctx, const struct cli_args *a);
int cli_label(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_audit.c */
int cli_audit_verify(struct cli_ctx *ctx, const struct cli_args *a);
int cli_audit_list(struct cli_ctx *ctx, const struct cli_args *a);
/* One `audit list` row from an entry's JSON rendering (local and remote). */
void cli_audit_print_row(const json_t *e);
int cli_audit_export(struct cli_ctx *ctx, const struct cli_args *a);
int cli_init(struct cli_ctx *ctx, const struct cli_args *a);
int cli_login(struct cli_ctx *ctx, const struct cli_args *a);
int cli_logout(struct cli_ctx *ctx, const struct cli_args *a);
int cli_reauth(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_add(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_set_role(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_disable(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_enable(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_passwd(struct cli_ctx *ctx, const struct cli_args *a);
int cli_user_remove(struct cli_ctx *ctx, const struct cli_args *a);
int cli_token_create(struct cli_ctx *ctx, const struct cli_args *a);
int cli_token_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_token_revoke(struct cli_ctx *ctx, const struct cli_args *a);
/* Device PKI: cmd_ca.c, cmd_cert.c, cmd_enroll.c. */
int cli_ca_init(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_policy(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_export(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_rollover(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_retire(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_add_manufacturer(struct cli_ctx *ctx, const struct cli_args *a);
int cli_ca_add_claim(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_issue(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_revoke(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_hold(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_release(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_audit(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cert_renew_report(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_token(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_tokens(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_revoke_token(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_pending(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_approve(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_reject(struct cli_ctx *ctx, const struct cli_args *a);
int cli_enroll_allow(struct cli_ctx *ctx, const struct cli_args *a);
/* Vulnerability management: cmd_vuln.c. */
int cli_vuln_version_compare(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_import(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_feeds(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_scan(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_affected(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_exploited(struct cli_ctx *ctx, const struct cli_args *a);
int cli_vuln_vex(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_firmware(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_findings(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_sbom.c */
int cli_sbom_import(struct cli_ctx *ctx, const struct cli_args *a);
int cli_sbom_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_sbom_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_sbom_export(struct cli_ctx *ctx, const struct cli_args *a);
int cli_sbom_delete(struct cli_ctx *ctx, const struct cli_args *a);
int cli_sbom_quality(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_product.c */
int cli_product_set(struct cli_ctx *ctx, const struct cli_args *a);
int cli_product_list(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_cra.c */
int cli_cra_status(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cra_open(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cra_step(struct cli_ctx *ctx, const struct cli_args *a);
int cli_cra_export(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_policy.c */
int cli_policy_lint(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_test(struct cli_ctx *ctx, const struct cli_args *a);

#endif
