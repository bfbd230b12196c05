/*
 * The zero-trust commands' backend (`vigil policy put | get | list |
 * history | rollback | delete | attach | detach | attachments | test
 * --device`, `vigil device quarantine | release | posture | checkins`,
 * `vigil baseline set | list`): each operation runs on the local store
 * (zt_local.c: policydb.h, posture.h and zt.h plus the audit entry of
 * every change) or on a vigild (remote_zt.c: the /v1/tenants/{tenant}/
 * policies, policy-attachments, policy-decisions, devices/{device}/
 * quarantine|release|posture|checkins and baselines routes). Results
 * are the library's JSON renderings in both modes, so one set of
 * printers serves both.
 *
 * Every operation works in the tenant chosen by cli_tenant() (callers
 * resolve it first). Errors as in vuln_cli.h: locally err holds the
 * library's text, remotely the error is recorded on ctx; cli_vuln_fail()
 * prints whichever applies.
 */
#ifndef VIGIL_CLI_ZT_H
#define VIGIL_CLI_ZT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/policydb.h"
#include "vigil/registry.h"

#include "cli.h"

#define CLI_ZERR 1024 /* size of the err buffers below */

/* One "what would the decision point say" question (policy test
 * --device). */
struct cli_zt_query {
	const char *device; /* id or name; or */
	const char *cert_serial; /* the device behind this certificate */
	const char *action;
	const char *resource;
	const char *client_id; /* or NULL */
	const char *source_ip; /* or NULL */
	const char *country;   /* or NULL */
	size_t nctx;           /* --context overrides */
	const struct vigil_pdp_kv *ctx;
};

struct cli_zt_ops {
	/* ---- stored policies ---- */
	enum vigil_err (*put)(struct cli_ctx *ctx, const char *name,
	    const char *doc, size_t len, const char *description,
	    const char *comment, int64_t expected_version, json_t **out,
	    char *err);
	enum vigil_err (*get)(struct cli_ctx *ctx, const char *name,
	    int64_t version, json_t **out, char *err);
	enum vigil_err (*list)(struct cli_ctx *ctx, json_t **out, char *err);
	enum vigil_err (*history)(
	    struct cli_ctx *ctx, const char *name, json_t **out, char *err);
	enum vigil_err (*rollback)(struct cli_ctx *ctx, const char *name,
	    int64_t version, const char *comment, json_t **out, char *err);
	enum vigil_err (*remove)(
	    struct cli_ctx *ctx, const char *name, char *err);
	enum vigil_err (*attach)(struct cli_ctx *ctx, const char *name,
	    enum vigil_attach_kind kind, const char *target, json_t **out,
	    char *err);
	enum vigil_err (*detach)(struct cli_ctx *ctx, const char *name,
	    enum vigil_attach_kind kind, const char *target, char *err);
	/* name NULL: every policy's. */
	enum vigil_err (*attachments)(
	    struct cli_ctx *ctx, const char *name, json_t **out, char *err);

	/* ---- decisions ---- */
	/* The vigil_zt_explain JSON, for ALLOW and DENY alike. */
	enum vigil_err (*explain)(struct cli_ctx *ctx,
	    const struct cli_zt_query *q, json_t **out, char *err);

	/* ---- devices ---- */
	/* quarantine (on) or release (back to active); *out the device. */
	enum vigil_err (*quarantine)(struct cli_ctx *ctx, const char *device,
	    bool on, const char *reason, struct vigil_device **out, char *err);
	enum vigil_err (*posture)(
	    struct cli_ctx *ctx, const char *device, json_t **out, char *err);
	enum vigil_err (*checkins)(struct cli_ctx *ctx, const char *device,
	    unsigned limit, json_t **out, char *err);

	/* ---- model baselines ---- */
	enum vigil_err (*baseline_set)(struct cli_ctx *ctx, const char *model,
	    const char *const *ports, size_t nports,
	    const char *firmware_current, json_t **out, char *err);
	enum vigil_err (*baselines)(
	    struct cli_ctx *ctx, json_t **out, char *err);
};

extern const struct cli_zt_ops cli_zt_local;
extern const struct cli_zt_ops cli_zt_remote;

/* The ops of ctx's mode. */
const struct cli_zt_ops *cli_zt(const struct cli_ctx *ctx);

/* The check-in history length shown by default (device checkins). */
#define CLI_ZT_CHECKINS_DEFAULT 20
/* The check-in age past which posture degrades, in local mode (the
 * decision service's default). */
#define CLI_ZT_STALE_S 3600

/* ---- command handlers ---- */
/* cmd_policy.c */
int cli_policy_put(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_get(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_history(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_rollback(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_delete(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_attach(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_detach(struct cli_ctx *ctx, const struct cli_args *a);
int cli_policy_attachments(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_device.c */
int cli_device_quarantine(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_release(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_posture(struct cli_ctx *ctx, const struct cli_args *a);
int cli_device_checkins(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_baseline.c */
int cli_baseline_set(struct cli_ctx *ctx, const struct cli_args *a);
int cli_baseline_list(struct cli_ctx *ctx, const struct cli_args *a);

#endif
