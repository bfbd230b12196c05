/*
 * Internal interface of the tenant and device command groups, which
 * work on the registry API (vigil/registry.h) and never on SQL.
 */
#ifndef VIGIL_CLI_DEVICE_H
#define VIGIL_CLI_DEVICE_H

#include "vigil/registry.h"

#include "cli.h"

int cli_tenant_create(struct cli_ctx *ctx, const struct cli_args *a);
int cli_tenant_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_tenant_show(struct cli_ctx *ctx, const struct cli_args *a);

int cli_device_add(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_summary(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_update(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_set_state(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_retire(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_find(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_history(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_import(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_export(struct cli_ctx *ctx, const struct cli_args *a);


/* device_print.c: renderings shared by the device commands. */
void dev_print(const struct vigil_device *d);
/* One aligned row per device; widths computed over the page. */
void dev_print_table(struct vigil_device *const *items, size_t n);
/* "key=value" (or "key" when key_only_ok) → label spec. The key is
 * allocated (free((char *)out->key)); the value points into arg.
 * Prints a usage error and returns false when malformed. */
bool dev_label_arg(const struct cli_args *a, const char *opt,
    const char *arg, bool key_only_ok, struct vigil_label_spec *out);
/* "TYPE=VALUE" → identifier spec; usage error on an unknown type. */
bool dev_ident_arg(const struct cli_args *a, const char *opt,
    const char *arg, struct vigil_ident_spec *out);
/* Parses a lifecycle state name; usage error listing them otherwise. */
bool dev_state_arg(const struct cli_args *a, const char *s,
    enum vigil_device_state *out);
/* Prints a device as JSON (one line). The owner contact is personal
 * data: only `device show` (full = true) and `device export` print it;
 * listings, find and the reports of add/update/set-state/retire omit
 * it (VIGIL_JSON_REDACT_PERSONAL). */
bool dev_emit_json(const struct vigil_device *d, bool full);

#endif
