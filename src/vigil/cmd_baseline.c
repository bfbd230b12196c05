/*
 * `vigil baseline set | list`: a device model's posture baseline (the
 * ports its devices may listen on, the firmware declared current),
 * which the risk score and the decision service compare check-ins
 * against (posture.h), through the zero-trust backend (zt_cli.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/posture.h"

#include "vuln_cli.h"
#include "zt_cli.h"

/* Splits "tcp/22,udp/5683" into ports (pointers into buf, a copy of
 * list). "" or "none" is the empty list: no port may be open. */
static bool
split_ports(const struct cli_args *a, const char *list, char **buf,
    const char ***ports, size_t *n)
{
	size_t max = 1;
	char *p;

	*buf = NULL;
	*ports = NULL;
	*n = 0;
	if (list[0] == '\0' || strcmp(list, "none") == 0)
		return true;
	for (const char *c = list; *c != '\0'; c++)
		if (*c == ',')
			max++;
	if (max > VIGIL_CHECKIN_PORTS_MAX) {
		cli_usage(a->cmd, "--ports: more than %d ports",
		    VIGIL_CHECKIN_PORTS_MAX);
		return false;
	}
	*buf = strdup(list);
	*ports = calloc(max, sizeof **ports);
	if (*buf == NULL || *ports == NULL) {
		cli_err("out of memory");
		return false;
	}
	for (p = *buf;;) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = '\0';
		if (p[0] == '\0') {
			cli_usage(a->cmd, "--ports: empty entry in '%s'", list);
			return false;
		}
		(*ports)[(*n)++] = p;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return true;
}

static void
out_baseline_row(const json_t *e)
{
	const json_t *ports = json_object_get(e, "ports"), *p;
	size_t i;

	printf(
	    "%-24s %-12s ", cli_vs(e, "model"), cli_vs(e, "firmware_current"));
	if (json_array_size(ports) == 0)
		printf("(none)");
	for (i = 0; i < json_array_size(ports); i++) {
		p = json_array_get(ports, i);
		printf("%s%s", i > 0 ? "," : "", cli_safe(
		    json_string_value(p) != NULL ? json_string_value(p) : "?"));
	}
	printf("\n");
}

static void
out_baseline(const json_t *v)
{
	printf("baseline of model ");
	out_baseline_row(v);
}

static void
out_baselines(const json_t *v)
{
	const json_t *e;
	size_t i;

	printf("%-24s %-12s %s\n", "MODEL", "FIRMWARE", "PORTS");
	json_array_foreach(json_object_get(v, "baselines"), i, e) {
		out_baseline_row(e);
	}
}

int
cli_baseline_set(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *list = cli_arg(a, "ports");
	const char **ports = NULL;
	char *buf = NULL, err[CLI_ZERR] = "";
	json_t *out = NULL;
	size_t n = 0;
	enum vigil_err rc;
	int status;

	if (list == NULL)
		return cli_usage(a->cmd, "--ports LIST is required (\"none\" "
		                         "for no open port)");
	if (!split_ports(a, list, &buf, &ports, &n)) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (!cli_tenant(ctx)) {
		status = CLI_EXIT_FAIL;
		goto out;
	}
	rc = cli_zt(ctx)->baseline_set(ctx, a->pos[0],
	    (const char *const *)ports, n, cli_arg(a, "firmware-current"), &out,
	    err);
	if (rc != VIGIL_OK)
		status = cli_vuln_fail(ctx, rc, err);
	else
		status = cli_vuln_print(ctx, out, out_baseline);
out:
	free(ports);
	free(buf);
	return status;
}

int
cli_baseline_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	(void)a;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_zt(ctx)->baselines(ctx, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_baselines);
}
