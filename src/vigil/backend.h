/*
 * The backend table behind the tenant, device, user and token commands:
 * the same command code runs on the local store (backend_local.c, the
 * library) or on a vigild over HTTPS (remote_*.c), so the two modes
 * share every line that prints and produce the same output.
 *
 * Devices, tenants, histories and summaries come back as the registry's
 * structs (the remote side rebuilds them from the API's JSON, which is
 * the registry's own rendering), so the existing printers serve both.
 * Principals and tokens come back as their JSON rendering
 * (vigil_principal_to_json, vigil_token_info_to_json), which the user
 * and token printers read.
 *
 * Every function returns enum vigil_err; the text is reported by
 * cli_store_err() (the store's message locally, the API's problem
 * detail remotely). Tenant-scoped calls act on ctx->tenant_id.
 */
#ifndef VIGIL_CLI_BACKEND_H
#define VIGIL_CLI_BACKEND_H

#include "vigil/iam.h"
#include "vigil/registry.h"

#include "cli.h"

/* Longest list cursor kept between pages. */
#define CLI_CURSOR_MAX 256

struct cli_backend {
	const char *name; /* "local", "remote" */

	/* Tenants. list: a page after cursor (NULL = the first); next
	 * receives the following page's cursor, "" after the last. */
	enum vigil_err (*tenant_create)(struct cli_ctx *ctx, const char *name,
	    const char *display_name, struct vigil_tenant *out /* OUT */);
	enum vigil_err (*tenant_get)(struct cli_ctx *ctx, const char *ref,
	    struct vigil_tenant *out /* OUT */);
	enum vigil_err (*tenant_list)(struct cli_ctx *ctx, const char *cursor,
	    size_t limit, struct vigil_tenant **out /* OUT, vigil_free */,
	    size_t *n /* OUT */, char next[CLI_CURSOR_MAX] /* OUT */);
	/* Every device of a tenant, retired ones included. */
	enum vigil_err (*device_count)(struct cli_ctx *ctx,
	    const char *tenant_id, uint64_t *count /* OUT */);

	/* Devices of ctx->tenant_id; as the registry functions of the same
	 * names, with the actor of the context. */
	enum vigil_err (*device_add)(struct cli_ctx *ctx,
	    const struct vigil_device_spec *spec,
	    struct vigil_device **out /* OUT */);
	enum vigil_err (*device_get)(struct cli_ctx *ctx, const char *ref,
	    struct vigil_device **out /* OUT */);
	enum vigil_err (*device_list)(struct cli_ctx *ctx,
	    const struct vigil_device_filter *f,
	    struct vigil_device_list *out /* OUT */);
	enum vigil_err (*device_find)(struct cli_ctx *ctx,
	    enum vigil_id_type type, const char *text,
	    struct vigil_device_list *out /* OUT */);
	enum vigil_err (*device_update)(struct cli_ctx *ctx, const char *ref,
	    const struct vigil_device_update *u, const char *reason,
	    struct vigil_device **out /* OUT */);
	enum vigil_err (*device_set_state)(struct cli_ctx *ctx,
	    const char *ref, enum vigil_device_state to, const char *reason,
	    struct vigil_device **out /* OUT */);
	enum vigil_err (*device_history)(struct cli_ctx *ctx, const char *ref,
	    int64_t after_seq, size_t limit,
	    struct vigil_history *out /* OUT */);
	enum vigil_err (*device_summary)(struct cli_ctx *ctx,
	    struct vigil_inventory_summary *out /* OUT */);
	/* Reads fd to its end; opt's callbacks see every bad row. */
	enum vigil_err (*device_import)(struct cli_ctx *ctx, int fd,
	    const struct vigil_import_options *opt,
	    struct vigil_import_summary *sum /* OUT */);
	/* flags: VIGIL_JSON_REDACT_PERSONAL leaves out owner contacts. */
	enum vigil_err (*device_export)(struct cli_ctx *ctx,
	    const struct vigil_device_filter *f,
	    enum vigil_import_format format, unsigned flags, int fd,
	    uint64_t *count /* OUT */);

	/* Principals of tenant (an id; NULL = the platform scope). Results
	 * are new JSON references. list: an array of every principal. */
	enum vigil_err (*user_list)(struct cli_ctx *ctx, const char *tenant,
	    json_t **out /* OUT */);
	enum vigil_err (*user_get)(struct cli_ctx *ctx, const char *tenant,
	    const char *ref, json_t **out /* OUT */);
	enum vigil_err (*user_add)(struct cli_ctx *ctx, const char *tenant,
	    const char *name, enum vigil_principal_kind kind,
	    enum vigil_role role, const char *password,
	    json_t **out /* OUT */);
	/* role VIGIL_ROLE_NONE keeps it; disabled -1 keeps it. */
	enum vigil_err (*user_update)(struct cli_ctx *ctx, const char *tenant,
	    const char *ref, enum vigil_role role, int disabled,
	    json_t **out /* OUT */);
	enum vigil_err (*user_remove)(struct cli_ctx *ctx, const char *tenant,
	    const char *ref);
	/* Locally sets ref's password. Remotely, with ref NULL, changes
	 * the caller's own (old, and totp when the caller has TOTP, are
	 * checked by the server); with ref, an administrator's reset of
	 * ref's password (old unused). */
	enum vigil_err (*user_passwd)(struct cli_ctx *ctx, const char *tenant,
	    const char *ref, const char *old, const char *new_,
	    const char *totp);

	/* Tokens. create: secret receives the token text (shown once);
	 * *info its record. list: array of records (principal NULL = all
	 * in scope). */
	enum vigil_err (*token_create)(struct cli_ctx *ctx, const char *tenant,
	    const char *principal, enum vigil_role role, int64_t ttl_s,
	    const char *label, char secret[VIGIL_TOKEN_STRLEN] /* OUT */,
	    json_t **info /* OUT */);
	enum vigil_err (*token_list)(struct cli_ctx *ctx, const char *tenant,
	    const char *principal, json_t **out /* OUT */);
	enum vigil_err (*token_revoke)(struct cli_ctx *ctx, const char *tenant,
	    const char *id);
};

/* The scope of the user and token commands (cmd_user.c): --tenant (or
 * $VIGIL_TENANT, or the tenant of vigil login) resolved to its id;
 * else remotely the caller's own tenant (GET /v1/auth/whoami); else
 * NULL, the platform. Returns CLI_EXIT_OK or the exit status after
 * printing why. */
int cli_iam_scope(struct cli_ctx *ctx, const char **tenant /* OUT */);

extern const struct cli_backend cli_backend_local;
extern const struct cli_backend cli_backend_remote;

#endif
