/*
 * Per-invocation context: where the data lives (a local directory or a
 * vigild), which tenant, who acts.
 */
#include <sys/stat.h>

#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cli.h"
#include "remote.h"

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

void
cli_ctx_init(struct cli_ctx *ctx)
{
	struct passwd *pw;
	const char *d;

	memset(ctx, 0, sizeof *ctx);
	ctx->be = &cli_backend_local;
	d = env_nonempty("VIGIL_DATA");
	ctx->data_dir = d ? d : "./var";
	ctx->tenant = env_nonempty("VIGIL_TENANT");
	/* The actor recorded in history comes from the password database,
	 * never from $USER or $LOGNAME alone, which anyone can set. */
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		snprintf(ctx->actor, sizeof ctx->actor, "local:%s",
		    pw->pw_name);
	else
		snprintf(ctx->actor, sizeof ctx->actor, "local:uid-%lu",
		    (unsigned long)getuid());
}

const char *
cli_db_path(const struct cli_ctx *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "%s/vigil.db", ctx->data_dir);
	return buf;
}

bool
cli_db_exists(const struct cli_ctx *ctx)
{
	char path[4096];
	struct stat sb;

	cli_db_path(ctx, path, sizeof path);
	return stat(path, &sb) == 0;
}

const char *
cli_global_value(struct cli_ctx *ctx, const char *name, const char *v)
{
	static const struct {
		const char *name;
		size_t seen, value; /* offsets into struct cli_ctx */
	} once[] = {
		{ "data", offsetof(struct cli_ctx, data_opt),
		    offsetof(struct cli_ctx, data_dir) },
		{ "tenant", offsetof(struct cli_ctx, tenant_opt),
		    offsetof(struct cli_ctx, tenant) },
		{ "server", offsetof(struct cli_ctx, server_opt),
		    offsetof(struct cli_ctx, server) },
		{ "ca", offsetof(struct cli_ctx, ca_opt),
		    offsetof(struct cli_ctx, ca) },
	};
	size_t i;

	for (i = 0; i < sizeof once / sizeof once[0]; i++)
		if (strcmp(name, once[i].name) == 0)
			break;
	if (i < sizeof once / sizeof once[0]) {
		bool *seen = (bool *)((char *)ctx + once[i].seen);

		/* The last of two --tenant would silently win: refuse. */
		if (*seen)
			return "option '--%s' given twice";
		/* An empty --data would put vigil.db in "/". */
		if (v == NULL || v[0] == '\0')
			return "option '--%s' needs a non-empty value";
		*seen = true;
		*(const char **)((char *)ctx + once[i].value) = v;
	} else if (strcmp(name, "json") == 0) {
		ctx->json = true;
	} else if (strcmp(name, "quiet") == 0) {
		ctx->quiet = true;
	}
	return NULL;
}

/* Same server? Trailing slashes aside, the text must match: a token
 * saved for one server is never sent to another. */
static bool
same_server(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

static int
load_conf(struct cli_ctx *ctx)
{
	char err[1024];

	if (ctx->conf != NULL)
		return CLI_EXIT_OK;
	if (cli_conf_load(&ctx->conf, err, sizeof err) != VIGIL_OK)
		return cli_err("%s", err);
	return CLI_EXIT_OK;
}

int
cli_mode(struct cli_ctx *ctx, const struct cli_cmd *c)
{
	const char *env = env_nonempty("VIGIL_SERVER");
	bool remote = false;
	char err[512];
	int st;

	ctx->be = &cli_backend_local;
	if (c->flags & CLI_CMD_LOCAL) {
		if (ctx->server_opt || ctx->ca_opt)
			return cli_usage(c, "works on a local data directory "
			    "only; drop --server and --ca");
		return CLI_EXIT_OK;
	}
	if (!(c->flags & (CLI_CMD_REMOTE | CLI_CMD_SERVER)))
		return CLI_EXIT_OK;
	if (ctx->data_opt && (ctx->server_opt || (c->flags &
	    CLI_CMD_SERVER)))
		return cli_usage(c, ctx->server_opt ? "--server and --data "
		    "exclude each other" : "talks to a vigild: give --server "
		    "URL, not --data");
	/* Explicit choices first, then the environment, then the config
	 * file that vigil login wrote. */
	if (ctx->server_opt) {
		remote = true;
	} else if (env != NULL && !ctx->data_opt) {
		ctx->server = env;
		remote = true;
	} else if (ctx->data_opt || (!(c->flags & CLI_CMD_SERVER) &&
	    env_nonempty("VIGIL_DATA") != NULL)) {
		remote = false;
	} else {
		if ((st = load_conf(ctx)) != CLI_EXIT_OK)
			return st;
		ctx->server = ctx->conf->server;
		remote = ctx->server != NULL || (c->flags & CLI_CMD_SERVER);
	}
	if (!remote)
		return CLI_EXIT_OK;
	if ((st = load_conf(ctx)) != CLI_EXIT_OK)
		return st;
	if (ctx->server == NULL)
		return cli_usage(c, "needs a server: give --server URL, set "
		    "VIGIL_SERVER or run 'vigil login --server URL'");
	if (!remote_url_valid(ctx->server, err, sizeof err))
		return cli_usage(c, "%s", err);
	if (!same_server(ctx->server, ctx->conf->server)) {
		/* The saved CA, tenant and token belong to another server. */
		cli_conf_set(&ctx->conf->ca, NULL);
		cli_conf_set(&ctx->conf->tenant, NULL);
		cli_conf_set(&ctx->conf->token, NULL);
	}
	if (ctx->ca == NULL)
		ctx->ca = env_nonempty("VIGIL_CA");
	if (ctx->ca == NULL)
		ctx->ca = ctx->conf->ca;
	if (ctx->tenant == NULL)
		ctx->tenant = ctx->conf->tenant;
	ctx->be = &cli_backend_remote;
	return CLI_EXIT_OK;
}
