/*
 * Help texts, generated from the command table so that `vigil help`,
 * `vigil COMMAND --help` and `vigil help --commands` always agree with
 * what dispatch accepts.
 */
#include <string.h>

#include "cli.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "unknown"
#endif

#define HELP_WIDTH 79
#define HELP_COL 30 /* where descriptions start */

/* "  LHS   text..." with text word-wrapped at HELP_WIDTH and continued
 * under HELP_COL; an LHS too wide for its column gets its own line. */
static void
print_item(FILE *f, const char *lhs, const char *text)
{
	size_t col;

	col = (size_t)fprintf(f, "  %s", lhs);
	if (col + 1 > HELP_COL) {
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", (int)(HELP_COL - col), "");
	col = HELP_COL;
	while (*text != '\0') {
		size_t w = strcspn(text, " ");

		if (col > HELP_COL && col + 1 + w > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, w, f);
		col += w;
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

static void
print_opts(FILE *f, const struct cli_opt *o)
{
	for (; o != NULL && o->name != NULL; o++) {
		char lhs[64], text[256];

		snprintf(lhs, sizeof lhs, "%s%c%s--%s%s%s",
		    o->short_name ? "-" : "  ",
		    o->short_name ? o->short_name : ' ',
		    o->short_name ? ", " : " ", o->name,
		    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		snprintf(text, sizeof text, "%s%s", o->help,
		    (o->flags & CLI_OPT_REPEAT) ? " (repeatable)" : "");
		print_item(f, lhs, text);
	}
}

void
cli_help_command(FILE *f, const struct cli_cmd *c)
{
	char name[64];

	cli_cmd_fullname(c, name, sizeof name);
	fprintf(f, "usage: vigil %s%s%s%s\n\n%s.\n", name,
	    c->opts[0].name || (c->flags & CLI_CMD_IDOPTS) ? " [OPTIONS]" : "",
	    c->args[0] ? " " : "", c->args, c->summary);
	if (c->opts[0].name != NULL || (c->flags & CLI_CMD_IDOPTS)) {
		fprintf(f, "\noptions:\n");
		print_opts(f, c->opts);
	}
	if (c->flags & CLI_CMD_IDOPTS) {
		char text[512] = "identifier of that type (repeatable):";
		size_t o = strlen(text);

		for (int i = 1; i < VIGIL_ID_TYPE_COUNT; i++) {
			const char *n =
			    vigil_id_type_name((enum vigil_id_type)i);
			bool own = false;
			int k;

			/* An explicit option of the same name wins. */
			for (const struct cli_opt *op = c->opts; op->name; op++)
				own = own || strcmp(op->name, n) == 0;
			if (own)
				continue;
			k = snprintf(text + o, sizeof text - o, " --%s", n);
			if (k < 0 || (size_t)k >= sizeof text - o)
				break;
			o += (size_t)k;
		}
		print_item(f, "    --TYPE VALUE", text);
	}
	fprintf(f, "\nglobal options:\n");
	print_opts(f, cli_global_opts);
	fprintf(f, "\nSee vigil(1) for details.\n");
}

void
cli_help_overview(FILE *f, const char *group)
{
	const char *last = NULL;
	bool last_has_sub = false;

	if (group == NULL)
		fprintf(f, "usage: vigil [GLOBAL OPTIONS] COMMAND [OPTIONS] "
		    "[ARGS]\n"
		    "       vigil --version | --help\n\n"
		    "vigil: device inventory and identifiers for IoT "
		    "fleets.\n\ncommands:\n");
	else
		fprintf(f, "usage: vigil %s COMMAND [OPTIONS] [ARGS]\n\n"
		    "commands:\n", group);
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_cmd *c = &cli_commands[i];
		char name[64], lhs[96];

		if (group != NULL && strcmp(c->group, group) != 0)
			continue;
		/* A blank line between groups; single-word commands stay
		 * together. */
		if (group == NULL && last != NULL &&
		    strcmp(last, c->group) != 0 &&
		    (c->name != NULL || last_has_sub))
			fputc('\n', f);
		last = c->group;
		last_has_sub = c->name != NULL;
		cli_cmd_fullname(c, name, sizeof name);
		snprintf(lhs, sizeof lhs, "%s%s%s", name, c->args[0] ? " " : "",
		    c->args);
		print_item(f, lhs, c->summary);
	}
	if (group == NULL) {
		fprintf(f, "\nglobal options:\n");
		print_opts(f, cli_global_opts);
	}
	fprintf(f, "\nRun 'vigil help COMMAND' for its options; see vigil(1) "
	    "for details.\n");
}

static json_t *
opts_json(const struct cli_opt *o)
{
	json_t *arr = json_array();

	for (; arr != NULL && o != NULL && o->name != NULL; o++) {
		json_t *j = json_object();
		char sh[3] = { '-', o->short_name, '\0' };

		if (j == NULL)
			break;
		cli_json_set(j, "name", json_string(o->name));
		cli_json_set(j, "short", o->short_name ? json_string(sh) :
		    json_null());
		cli_json_set(j, "value", o->metavar ? json_string(o->metavar) :
		    json_null());
		cli_json_set(j, "help", json_string(o->help));
		cli_json_set(j, "repeatable",
		    json_boolean(o->flags & CLI_OPT_REPEAT));
		json_array_append_new(arr, j);
	}
	return arr;
}

/* One command as JSON, for completion scripts and front ends. */
static json_t *
cmd_json(const struct cli_cmd *c)
{
	json_t *j = json_object();
	char name[64];

	if (j == NULL)
		return NULL;
	cli_json_set(j, "command", json_string(cli_cmd_fullname(c, name,
	    sizeof name)));
	cli_json_set(j, "args", json_string(c->args));
	cli_json_set(j, "summary", json_string(c->summary));
	cli_json_set(j, "options", opts_json(c->opts));
	cli_json_set(j, "identifier_options",
	    json_boolean(c->flags & CLI_CMD_IDOPTS));
	return j;
}

static int
help_json(const struct cli_args *a)
{
	const struct cli_cmd *c = NULL;

	if (a->npos > 0 && (c = cli_cmd_find(a->pos[0], a->npos > 1 ?
	    a->pos[1] : NULL)) != NULL && (c->name != NULL || a->npos == 1))
		return cli_json_emit(stdout, cmd_json(c)) ?
		    cli_finish_stdout(CLI_EXIT_OK) : CLI_EXIT_FAIL;
	if (a->npos > 0 && !(a->npos == 1 && cli_group_exists(a->pos[0])))
		return cli_usage(a->cmd, "no such command '%s%s%s'", a->pos[0],
		    a->npos > 1 ? " " : "", a->npos > 1 ? a->pos[1] : "");
	for (size_t i = 0; i < cli_ncommands; i++) {
		c = &cli_commands[i];
		if (a->npos == 1 && strcmp(c->group, a->pos[0]) != 0)
			continue;
		if (!cli_json_emit(stdout, cmd_json(c)))
			return CLI_EXIT_FAIL;
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_cmd_help(struct cli_ctx *ctx, const struct cli_args *a)
{
	const struct cli_cmd *c;

	if (ctx->json)
		return help_json(a);
	if (cli_flag(a, "commands")) {
		for (size_t i = 0; i < cli_ncommands; i++) {
			char name[64];

			puts(cli_cmd_fullname(&cli_commands[i], name,
			    sizeof name));
		}
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	if (a->npos == 0) {
		cli_help_overview(stdout, NULL);
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	c = cli_cmd_find(a->pos[0], a->npos > 1 ? a->pos[1] : NULL);
	if (c != NULL && (c->name != NULL || a->npos == 1)) {
		cli_help_command(stdout, c);
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	if (a->npos == 1 && cli_group_exists(a->pos[0])) {
		cli_help_overview(stdout, a->pos[0]);
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	return cli_usage(a->cmd, "no such command '%s%s%s'", a->pos[0],
	    a->npos > 1 ? " " : "", a->npos > 1 ? a->pos[1] : "");
}

int
cli_cmd_version(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)a;
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL)
			cli_json_set(o, "version", json_string(VIGIL_VERSION));
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("vigil %s\n", VIGIL_VERSION);
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
