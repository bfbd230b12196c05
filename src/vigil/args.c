/*
 * Argument parsing against the command table. Options and positional
 * arguments may be mixed; "--" ends options; "-" is a positional
 * argument (stdin). Long options take their value as "--opt VALUE" or
 * "--opt=VALUE", short ones as "-o VALUE". Global options are accepted
 * anywhere so that `vigil id check --json X` and `vigil --json id check
 * X` mean the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt *
find_long(const struct cli_opt *tab, const char *name, size_t n)
{
	for (; tab != NULL && tab->name != NULL; tab++)
		if (strlen(tab->name) == n && strncmp(tab->name, name, n) == 0)
			return tab;
	return NULL;
}

static const struct cli_opt *
find_short(const struct cli_opt *tab, char c)
{
	for (; tab != NULL && tab->name != NULL; tab++)
		if (tab->short_name != 0 && tab->short_name == c)
			return tab;
	return NULL;
}

/* Identifier-type option (--imei V) of commands with CLI_CMD_IDOPTS:
 * returns the canonical type name or NULL. */
static const char *
id_option(const struct cli_cmd *cmd, const char *name, size_t n)
{
	char tmp[32];
	enum vigil_id_type t;

	if (!(cmd->flags & CLI_CMD_IDOPTS) || n == 0 || n >= sizeof tmp)
		return NULL;
	memcpy(tmp, name, n);
	tmp[n] = '\0';
	t = vigil_id_type_from_name(tmp);
	if (t == VIGIL_ID_UNKNOWN)
		return NULL;
	/* Only the canonical spelling: aliases would make --help lie. */
	if (strcmp(vigil_id_type_name(t), tmp) != 0)
		return NULL;
	return vigil_id_type_name(t);
}

static bool
repeated(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (a->opts[i].name != NULL &&
		    strcmp(a->opts[i].name, name) == 0)
			return true;
	return false;
}

int
cli_args_parse(struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
    char **argv, struct cli_args *a, bool *help)
{
	bool only_pos = false;
	size_t n = argc > 0 ? (size_t)argc : 0;

	memset(a, 0, sizeof *a);
	*help = false;
	a->cmd = cmd;
	a->opts = calloc(n + 1, sizeof *a->opts);
	a->pos = calloc(n + 1, sizeof *a->pos);
	if (a->opts == NULL || a->pos == NULL) {
		cli_args_free(a);
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		char *arg = argv[i];
		const struct cli_opt *o = NULL;
		const char *value = NULL, *idname = NULL;
		bool global = false, has_eq = false;

		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(cmd->opts, name, len);
			if (o == NULL && (o = find_long(cli_global_opts, name,
			    len)) != NULL)
				global = true;
			if (o == NULL)
				idname = id_option(cmd, name, len);
			if (o == NULL && idname == NULL)
				return cli_usage(cmd, "unknown option '%.*s'",
				    (int)(len + 2), arg);
			if (eq != NULL) {
				has_eq = true;
				value = eq + 1;
			}
		} else {
			if (arg[2] != '\0')
				return cli_usage(cmd, "unknown option '%s' "
				    "(short options take their value as a "
				    "separate argument)", arg);
			o = find_short(cmd->opts, arg[1]);
			if (o == NULL && (o = find_short(cli_global_opts,
			    arg[1])) != NULL)
				global = true;
			if (o == NULL)
				return cli_usage(cmd, "unknown option '%s'",
				    arg);
		}
		if ((o != NULL && o->metavar != NULL) || idname != NULL) {
			if (!has_eq) {
				if (i + 1 >= n)
					return cli_usage(cmd, "option '%s' "
					    "needs a value (%s)", arg,
					    o ? o->metavar : "VALUE");
				value = argv[++i];
			}
		} else if (has_eq) {
			return cli_usage(cmd, "option '--%s' takes no value",
			    o->name);
		}
		if (global) {
			const char *why;

			if (strcmp(o->name, "help") == 0)
				*help = true;
			else if ((why = cli_global_value(ctx, o->name,
			    value)) != NULL)
				return cli_usage(cmd, why, o->name);
			continue;
		}
		if (o == NULL && idname == NULL)
			continue; /* not reached: unknown options returned */
		if (o != NULL && !(o->flags & CLI_OPT_REPEAT) &&
		    o->metavar != NULL && repeated(a, o->name))
			return cli_usage(cmd, "option '--%s' given twice",
			    o->name);
		a->opts[a->nopts].name = o ? o->name : idname;
		a->opts[a->nopts].value = value;
		a->opts[a->nopts].idopt = idname != NULL;
		a->nopts++;
	}
	if (*help)
		return CLI_EXIT_OK;
	if (a->npos < cmd->min_pos)
		return cli_usage(cmd, "missing argument%s %s",
		    cmd->min_pos - a->npos > 1 ? "s" : "", cmd->args);
	if (a->npos > cmd->max_pos)
		return cli_usage(cmd, "unexpected argument '%s'",
		    a->pos[cmd->max_pos]);
	return CLI_EXIT_OK;
}

void
cli_args_free(struct cli_args *a)
{
	free(a->opts);
	free(a->pos);
	a->opts = NULL;
	a->pos = NULL;
	a->nopts = a->npos = 0;
}

const char *
cli_arg(const struct cli_args *a, const char *name)
{
	const char *v = NULL;

	for (size_t i = 0; i < a->nopts; i++)
		if (!a->opts[i].idopt && strcmp(a->opts[i].name, name) == 0)
			v = a->opts[i].value;
	return v;
}

bool
cli_flag(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (!a->opts[i].idopt && strcmp(a->opts[i].name, name) == 0)
			return true;
	return false;
}

bool
cli_parse_size(const struct cli_args *a, const char *opt, const char *s,
    size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	*out = 0;
	errno = 0;
	if (s == NULL || s[0] < '0' || s[0] > '9') {
		cli_usage(a->cmd, "--%s: '%s' is not a number", opt,
		    s ? s : "");
		return false;
	}
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		cli_usage(a->cmd, "--%s: '%s' is not a number", opt, s);
		return false;
	}
	if (errno == ERANGE || v < min || v > max) {
		cli_usage(a->cmd, "--%s: %s is out of range %zu-%zu", opt, s,
		    min, max);
		return false;
	}
	*out = (size_t)v;
	return true;
}
