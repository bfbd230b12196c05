/*
 * The network monitoring commands' backend (`vigil alert list | show |
 * ack | close`, `vigil shadow list | adopt | dismiss`, `vigil net bind |
 * unbind | bindings | sessions`): each operation runs on the local store
 * (net_local.c: alertdb.h plus the audit entry of every change, with
 * the action names of the API) or on a vigild (remote_net.c: the
 * /v1/tenants/{tenant}/alerts, shadow, net-bindings and sessions
 * routes). Results are the alertdb.h JSON renderings in both modes, so
 * one set of printers serves both. `vigil flows analyze` (cmd_flows.c)
 * is offline and needs no backend.
 *
 * Errors as in vuln_cli.h: locally err holds the library's text,
 * remotely the error is recorded on ctx; cli_vuln_fail() prints
 * whichever applies.
 */
#ifndef VIGIL_CLI_NET_H
#define VIGIL_CLI_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/alertdb.h"

#include "cli.h"

#define CLI_NERR 1024 /* size of the err buffers below */

/* An alert listing's filters, as text (the API's query parameters):
 * NULL = no filter. */
struct cli_alert_query {
	const char *state;    /* open, acked, closed */
	const char *kind;     /* detect.h name */
	const char *device;   /* id or name */
	const char *severity; /* minimum: low ... critical */
	const char *since;    /* RFC 3339 */
	unsigned limit;       /* 0 = the default (100) */
	bool all;             /* closed ones too */
	bool all_tenants;     /* platform scope: every tenant's */
};

struct cli_net_ops {
	/* ---- alerts ---- */
	enum vigil_err (*alert_list)(struct cli_ctx *ctx,
	    const struct cli_alert_query *q, json_t **out, char *err);
	enum vigil_err (*alert_get)(
	    struct cli_ctx *ctx, int64_t id, json_t **out, char *err);
	/* close: note required. *out the alert after the move. */
	enum vigil_err (*alert_move)(struct cli_ctx *ctx, int64_t id,
	    bool close, const char *note, json_t **out, char *err);

	/* ---- shadow IoT ---- */
	enum vigil_err (*shadow_list)(
	    struct cli_ctx *ctx, bool all, json_t **out, char *err);
	/* *out: the device created. */
	enum vigil_err (*shadow_adopt)(struct cli_ctx *ctx, int64_t id,
	    const char *name, const char *model, json_t **out, char *err);
	enum vigil_err (*shadow_dismiss)(struct cli_ctx *ctx, int64_t id,
	    const char *note, char *err);

	/* ---- address bindings and sessions ---- */
	enum vigil_err (*bind)(struct cli_ctx *ctx, const char *cidr,
	    const char *device, const char *site, json_t **out, char *err);
	enum vigil_err (*unbind)(
	    struct cli_ctx *ctx, const char *cidr, char *err);
	enum vigil_err (*bindings)(
	    struct cli_ctx *ctx, json_t **out, char *err);
	enum vigil_err (*sessions)(
	    struct cli_ctx *ctx, bool all, json_t **out, char *err);
};

extern const struct cli_net_ops cli_net_local;
extern const struct cli_net_ops cli_net_remote;

/* The ops of ctx's mode. */
const struct cli_net_ops *cli_net(const struct cli_ctx *ctx);

/* ---- command handlers ---- */
/* cmd_alert.c */
int cli_alert_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_alert_show(struct cli_ctx *ctx, const struct cli_args *a);
int cli_alert_ack(struct cli_ctx *ctx, const struct cli_args *a);
int cli_alert_close(struct cli_ctx *ctx, const struct cli_args *a);
int cli_shadow_list(struct cli_ctx *ctx, const struct cli_args *a);
int cli_shadow_adopt(struct cli_ctx *ctx, const struct cli_args *a);
int cli_shadow_dismiss(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_net.c */
int cli_net_bind(struct cli_ctx *ctx, const struct cli_args *a);
int cli_net_unbind(struct cli_ctx *ctx, const struct cli_args *a);
int cli_net_bindings(struct cli_ctx *ctx, const struct cli_args *a);
int cli_net_sessions(struct cli_ctx *ctx, const struct cli_args *a);
/* cmd_flows.c */
int cli_flows_analyze(struct cli_ctx *ctx, const struct cli_args *a);

#endif
