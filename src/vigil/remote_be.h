/*
 * The pieces of the remote backend (backend.h over the HTTPS API), one
 * file per area: remote_device.c (tenants, devices), remote_bulk.c
 * (import, export), remote_iam.c (principals, tokens; it also holds the
 * table cli_backend_remote).
 */
#ifndef VIGIL_CLI_REMOTE_BE_H
#define VIGIL_CLI_REMOTE_BE_H

#include "backend.h"
#include "remote.h"

enum vigil_err r_tenant_create(struct cli_ctx *ctx, const char *name,
    const char *display_name, struct vigil_tenant *out);
enum vigil_err r_tenant_get(struct cli_ctx *ctx, const char *ref,
    struct vigil_tenant *out);
enum vigil_err r_tenant_list(struct cli_ctx *ctx, const char *cursor,
    size_t limit, struct vigil_tenant **out, size_t *n,
    char next[CLI_CURSOR_MAX]);
enum vigil_err r_device_count(struct cli_ctx *ctx, const char *tenant_id,
    uint64_t *count);
enum vigil_err r_device_add(struct cli_ctx *ctx,
    const struct vigil_device_spec *spec, struct vigil_device **out);
enum vigil_err r_device_get(struct cli_ctx *ctx, const char *ref,
    struct vigil_device **out);
enum vigil_err r_device_list(struct cli_ctx *ctx,
    const struct vigil_device_filter *f, struct vigil_device_list *out);
enum vigil_err r_device_find(struct cli_ctx *ctx, enum vigil_id_type type,
    const char *text, struct vigil_device_list *out);
enum vigil_err r_device_update(struct cli_ctx *ctx, const char *ref,
    const struct vigil_device_update *u, const char *reason,
    struct vigil_device **out);
enum vigil_err r_device_set_state(struct cli_ctx *ctx, const char *ref,
    enum vigil_device_state to, const char *reason,
    struct vigil_device **out);
enum vigil_err r_device_history(struct cli_ctx *ctx, const char *ref,
    int64_t after_seq, size_t limit, struct vigil_history *out);
enum vigil_err r_device_summary(struct cli_ctx *ctx,
    struct vigil_inventory_summary *out);
enum vigil_err r_device_import(struct cli_ctx *ctx, int fd,
    const struct vigil_import_options *opt,
    struct vigil_import_summary *sum);
enum vigil_err r_device_export(struct cli_ctx *ctx,
    const struct vigil_device_filter *f, enum vigil_import_format format,
    unsigned flags, int fd, uint64_t *count);

/* Builds "/v1/tenants/<tenant>/<area>[/<ref>][/<tail>]", or with a NULL
 * tenant "/v1/platform/<area>...", each segment escaped; on failure b
 * is released and the error reported (r_path_err). */
enum vigil_err r_scoped_path(struct cli_ctx *ctx, struct vigil_buf *b,
    const char *tenant, const char *area, const char *ref, const char *tail);
/* Builds "/v1/tenants/<ctx->tenant_id>/devices[/<ref>][/<tail>]". */
enum vigil_err r_device_path(struct cli_ctx *ctx, struct vigil_buf *b,
    const char *ref, const char *tail);
/* Reports a path that does not fit (over-long argument). */
enum vigil_err r_path_err(struct cli_ctx *ctx, enum vigil_err rc);
/*
 * method on /v1/tenants/<ctx tenant>/<area>[/<ref>][/<tail>] (platform:
 * /v1/<area>) + query pairs (a NULL value skips its pair); releases
 * body; the reply to *out (dropped when out is NULL).
 */
enum vigil_err r_area_call(struct cli_ctx *ctx, const char *method,
    bool platform, const char *area, const char *ref, const char *tail,
    const char *const *query, size_t nq, json_t *body, json_t **out);

/* Follows a list's pages (GET path, then ?cursor=...) and appends every
 * item to *out (a new array). */
enum vigil_err r_get_all(struct cli_ctx *ctx, const char *path,
    json_t **out /* OUT */);

#endif
