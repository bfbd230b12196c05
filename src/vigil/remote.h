/*
 * Remote mode of the CLI: the HTTPS client that talks to a vigild
 * (remote.c, libcurl), the user's config file that `vigil login`
 * writes (remote_conf.c), path building and the JSON-to-struct
 * readers of the API's replies (remote_json.c).
 *
 * Trust: the server's certificate is always verified, host name or IP
 * address included, against --ca FILE or the system store; there is no
 * switch to turn that off. Only https:// URLs are accepted, TLS 1.2 is
 * the minimum, redirects are not followed, and every reply is bounded
 * in size and time.
 *
 * Secrets: the token comes from $VIGIL_TOKEN or the config file, never
 * from the command line; it is wiped from memory when the handle
 * closes, and never printed. The config file must be the user's own
 * with mode 0600.
 */
#ifndef VIGIL_CLI_REMOTE_H
#define VIGIL_CLI_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/core.h"

#include "cli.h"

/* ------------------------------------------------------------------ */
/* Config file (remote_conf.c): $XDG_CONFIG_HOME/vigil/config, else
 * ~/.config/vigil/config. Lines "key = value"; keys server, ca, tenant,
 * token; '#' starts a comment line. */

#define CLI_CONF_MAX 65536 /* bytes */

struct cli_conf {
	char path[4096];
	char *server;
	char *ca;
	char *tenant;
	char *token;  /* secret: wiped on free */
};

/* Loads the config file; a missing file gives an empty config. Refuses
 * a file not owned by the user, accessible by group or others, larger
 * than CLI_CONF_MAX, or with an unknown key (err says where). */
enum vigil_err cli_conf_load(struct cli_conf **out /* OUT */, char *err,
    size_t errsize);
/* Writes it back atomically (temporary file, fsync, rename), mode
 * 0600, creating the directory with mode 0700. */
enum vigil_err cli_conf_save(const struct cli_conf *c, char *err,
    size_t errsize);
/* Replaces *field with a copy of v (NULL clears it). */
bool cli_conf_set(char **field, const char *v);
/* Wipes the token and frees. NULL is a no-op. */
void cli_conf_free(struct cli_conf *c);

/* ------------------------------------------------------------------ */
/* Requests (remote.c). */

struct remote_req {
	const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
	const char *path;     /* "/v1/..." with its query, escaped */
	json_t *body;         /* JSON body (borrowed), or NULL */
	const void *raw;      /* or a raw body (import) */
	size_t rawlen;
	const char *ctype;    /* Content-Type of the raw body */
	int64_t if_match;     /* > 0: If-Match: "v<N>" */
	int out_fd;           /* >= 0: a 2xx body is streamed to this fd */
	bool anonymous;       /* no Authorization header (login) */
	/* Counts the records of a streamed body: REMOTE_COUNT_LINES (JSON
	 * Lines) or REMOTE_COUNT_CSV (line breaks outside quotes). */
	int count;
};

#define REMOTE_COUNT_NONE 0
#define REMOTE_COUNT_LINES 1
#define REMOTE_COUNT_CSV 2

struct remote_resp {
	long status;          /* HTTP status, 0 when none came */
	json_t *json;         /* the body when it is JSON, else NULL */
	char request_id[64];  /* X-Request-Id */
	int64_t version;      /* ETag "v<N>", 0 when none */
	char problem[64];     /* slug of a problem's type, e.g.
			       * "totp-required"; "" when none */
	uint64_t streamed;    /* bytes written to out_fd */
	uint64_t records;     /* line breaks counted as rq->count says */
};

/*
 * Sends one request to ctx->server and waits for the reply. VIGIL_OK
 * for a 2xx status; otherwise the error mapped from the status (401
 * VIGIL_EAUTH, 403 VIGIL_EDENIED, 404 VIGIL_ENOTFOUND, 409 VIGIL_EEXIST,
 * 412 VIGIL_ECONFLICT, 422/400 VIGIL_EINVAL, 429 VIGIL_ELOCKED, ...),
 * or VIGIL_EIO when no usable reply came (connection, TLS, size, not
 * JSON); the text for cli_store_err() is recorded. Free *out with
 * remote_resp_free() in every case.
 */
enum vigil_err remote_do(struct cli_ctx *ctx, const struct remote_req *rq,
    struct remote_resp *out /* OUT */);
/* Sets rq to a request of method on path with a JSON body (borrowed;
 * NULL for none) and its reply kept in memory: the fields not named
 * here cleared, out_fd -1. */
void remote_req_init(struct remote_req *rq, const char *method,
    const char *path, json_t *body);
void remote_resp_free(struct remote_resp *r);

/* Shorthand for a JSON request without If-Match; *out is the reply's
 * JSON (a new reference, NULL for 204) on success. */
enum vigil_err remote_json(struct cli_ctx *ctx, const char *method,
    const char *path, json_t *body, json_t **out /* OUT */);

/* Records an error to report (printf-like) with its exit status, for
 * problems found in a reply (e.g. a field of the wrong type). Returns
 * code. */
enum vigil_err remote_fail(struct cli_ctx *ctx, enum vigil_err code,
    int exit_status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints the recorded error as "vigil: <text>" and returns its exit
 * status. */
int remote_report(struct cli_ctx *ctx);

/* The exit status of a command that failed (status CLI_EXIT_FAIL)
 * after reporting a remote error: that error's more precise status
 * (CLI_EXIT_AUTH, CLI_EXIT_CONN) when it has one. */
int remote_exit_status(struct cli_ctx *ctx, int status);

/* Closes the connection and wipes the token. */
void remote_close(struct cli_ctx *ctx);

/* Checks a server URL: https, a host, no user name, query or fragment.
 * err says what is wrong. */
bool remote_url_valid(const char *url, char *err, size_t errsize);

/* ------------------------------------------------------------------ */
/* Paths: every value is percent-encoded (RFC 3986 unreserved characters
 * pass). A NULL value adds nothing. */

/* Appends "/" + the encoded segment. */
enum vigil_err rpath_seg(struct vigil_buf *b, const char *seg);
/* Appends "?key=value" or "&key=value". */
enum vigil_err rpath_query(struct vigil_buf *b, const char *key,
    const char *value);
/* "/v1/tenants/<id>" + each segment, for ctx's tenant. */
enum vigil_err rpath_tenant(struct cli_ctx *ctx, struct vigil_buf *b,
    const char *tenant_id);

/* ------------------------------------------------------------------ */
/* Reading replies back into the registry's structs (remote_json.c).
 * Each checks the types and says which field is wrong. */

struct vigil_tenant;
struct vigil_device;
struct vigil_history;
struct vigil_inventory_summary;

enum vigil_err rjson_tenant(struct cli_ctx *ctx, const json_t *j,
    struct vigil_tenant *out /* OUT */);
enum vigil_err rjson_device(struct cli_ctx *ctx, const json_t *j,
    struct vigil_device **out /* OUT, vigil_device_free */);
/* Appends the history entries of the array j to out. */
enum vigil_err rjson_history(struct cli_ctx *ctx, const json_t *j,
    struct vigil_history *out);
enum vigil_err rjson_summary(struct cli_ctx *ctx, const json_t *j,
    struct vigil_inventory_summary *out /* OUT */);
/* The "items" array and "next_cursor" (string or null) of a page. */
enum vigil_err rjson_page(struct cli_ctx *ctx, const json_t *j,
    json_t **items /* OUT, borrowed */, const char **next /* OUT */);

#endif
