/*
 * Per-invocation context: where the data lives, which tenant, who acts.
 */
#include <sys/stat.h>

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
	if (strcmp(name, "data") == 0 || strcmp(name, "tenant") == 0) {
		bool *seen = name[0] == 'd' ? &ctx->data_opt :
		    &ctx->tenant_opt;

		/* The last of two --tenant would silently win: refuse. */
		if (*seen)
			return "option '--%s' given twice";
		/* An empty --data would put vigil.db in "/". */
		if (v == NULL || v[0] == '\0')
			return "option '--%s' needs a non-empty value";
		*seen = true;
		if (name[0] == 'd')
			ctx->data_dir = v;
		else
			ctx->tenant = v;
	} else if (strcmp(name, "json") == 0) {
		ctx->json = true;
	} else if (strcmp(name, "quiet") == 0) {
		ctx->quiet = true;
	}
	return NULL;
}
