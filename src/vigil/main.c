/*
 * vigil — command-line front end of libvigil.
 *
 * SECURITY: runs with the invoking user's privileges on a local data
 * directory, or (remote mode, --server) as an HTTPS client of a vigild
 * whose certificate it always verifies (remote.h); it listens on no
 * socket. Every value from the command line, stdin, an import file or a
 * server reply is treated as hostile input: it goes through the bounded
 * libvigil parsers, lines and replies are read with a ceiling, and
 * text is escaped before it reaches the terminal. Secrets (passwords,
 * tokens) are read from the terminal, stdin or the environment, never
 * from the command line, and wiped after use. Nothing here executes
 * other programs or builds SQL.
 *
 * Exit status: 0 success / all valid, 1 invalid, not found or failed,
 * 2 usage error, 3 not authenticated or not allowed (remote), 4 server
 * unreachable or untrusted (remote).
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cli.h"
#include "remote.h"

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("vigil: ", stderr);
	cli_diag(stderr, fmt, arg);
	fputs("\nTry 'vigil --help' for more information.\n", stderr);
	return CLI_EXIT_USAGE;
}

/* Matches argv[i] against the global options. NULL with *why set when
 * it is unknown or lacks its value. */
static const struct cli_opt *
global_opt(const char *arg, const char **value, int *consumed, int argc,
    char **argv, int i, const char **why)
{
	const struct cli_opt *o;

	*value = NULL;
	*consumed = 1;
	*why = "unknown option '%s'";
	for (o = cli_global_opts; o->name != NULL; o++) {
		size_t n = strlen(o->name);

		if (arg[0] == '-' && arg[1] != '-' && o->short_name != 0 &&
		    arg[1] == o->short_name && arg[2] == '\0')
			break;
		if (strncmp(arg, "--", 2) == 0 &&
		    strncmp(arg + 2, o->name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '='))
			break;
	}
	if (o->name == NULL)
		return NULL;
	if (o->metavar == NULL) {
		*why = "option '%s' takes no value";
		return strchr(arg, '=') != NULL ? NULL : o;
	}
	if (strchr(arg, '=') != NULL) {
		*value = strchr(arg, '=') + 1;
	} else if (i + 1 < argc) {
		*value = argv[i + 1];
		*consumed = 2;
	} else {
		*why = "option '%s' needs a value";
		return NULL;
	}
	return o;
}

static int
run(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *c;
	struct cli_args a;
	bool help = false;
	int i = 1, status;

	/* Global options before the command. */
	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		const struct cli_opt *o;
		const char *v, *why;
		int used;

		if (strcmp(argv[i], "--version") == 0)
			return cli_cmd_version(ctx, NULL);
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if ((o = global_opt(argv[i], &v, &used, argc, argv, i,
		    &why)) == NULL)
			return usage_error(why, argv[i]);
		if (strcmp(o->name, "help") == 0) {
			cli_help_overview(stdout, NULL);
			return cli_finish_stdout(CLI_EXIT_OK);
		}
		if ((why = cli_global_value(ctx, o->name, v)) != NULL)
			return usage_error(why, o->name);
		i += used;
	}
	if (i >= argc) {
		cli_help_overview(stderr, NULL);
		return CLI_EXIT_USAGE;
	}
	if (!cli_group_exists(argv[i]))
		return usage_error("unknown command '%s'", argv[i]);
	c = cli_cmd_find(argv[i], NULL);
	if (c == NULL) {
		const char *group = argv[i++];

		if (i >= argc) {
			fprintf(stderr, "vigil: %s: missing command\n", group);
			cli_help_overview(stderr, group);
			return CLI_EXIT_USAGE;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_help_overview(stdout, group);
			return cli_finish_stdout(CLI_EXIT_OK);
		}
		if ((c = cli_cmd_find(group, argv[i])) == NULL) {
			cli_diag(stderr, "vigil: %s: unknown command '%s'",
			    group, argv[i]);
			fputc('\n', stderr);
			cli_help_overview(stderr, group);
			return CLI_EXIT_USAGE;
		}
	}
	i++;
	status = cli_args_parse(ctx, c, argc - i, argv + i, &a, &help);
	if (status == CLI_EXIT_OK && help) {
		cli_help_command(stdout, c);
		status = cli_finish_stdout(CLI_EXIT_OK);
	} else if (status == CLI_EXIT_OK &&
	    (status = cli_mode(ctx, c)) == CLI_EXIT_OK) {
		cli_run_fn fn = NULL;

		/* A command whose local code reads the store itself has a
		 * separate remote implementation. */
		if (ctx->be == &cli_backend_remote)
			fn = cli_remote_run(c);
		status = (fn != NULL ? fn : c->run)(ctx, &a);
		status = remote_exit_status(ctx, status);
	}
	cli_args_free(&a);
	return status;
}

int
main(int argc, char **argv)
{
	struct cli_ctx ctx;
	int status;

	cli_ctx_init(&ctx);
	status = run(&ctx, argc, argv);
	cli_ctx_close(&ctx);
	cli_safe_free();
	return status;
}
