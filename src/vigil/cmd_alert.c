/*
 * `vigil alert list | show | ack | close` and `vigil shadow list |
 * adopt | dismiss`: triage of what network monitoring found, through
 * the network backend (net_cli.h) on the local store or a vigild.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_cli.h"
#include "vuln_cli.h"

/* An alert's or finding's id: a positive decimal integer. */
static bool
parse_id(const struct cli_args *a, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = s[0] >= '0' && s[0] <= '9' ? strtoll(s, &end, 10) : 0;
	if (v <= 0 || errno != 0 || *end != '\0') {
		cli_usage(a->cmd, "'%s' is not an id (a positive number)", s);
		return false;
	}
	*id = (int64_t)v;
	return true;
}

/* "device-name" or the address when no device claims it. */
static const char *
who(const json_t *e)
{
	const json_t *d = json_object_get(e, "device");

	if (json_is_object(d)) {
		if (json_is_string(json_object_get(d, "name")))
			return cli_vs(d, "name");
		return cli_vs(d, "id");
	}
	return cli_vs(e, "address");
}

/* ---- printers ----------------------------------------------------------- */

static void
out_alert_row(const json_t *e)
{
	printf("%-6lld %-8s %-6s %-17s %-24s %7lld %-24s %s\n",
	    cli_vi(e, "id"), cli_vs(e, "severity"), cli_vs(e, "state"),
	    cli_vs(e, "kind"), who(e), cli_vi(e, "count"),
	    cli_vs(e, "last_seen"), cli_vs(e, "summary"));
}

static void
out_alerts(const json_t *v)
{
	const json_t *e;
	size_t i;

	printf("%-6s %-8s %-6s %-17s %-24s %7s %-24s %s\n", "ID", "SEVERITY",
	    "STATE", "KIND", "DEVICE/ADDRESS", "COUNT", "LAST SEEN", "SUMMARY");
	json_array_foreach(json_object_get(v, "alerts"), i, e) {
		out_alert_row(e);
	}
}

/* One member as compact JSON, made terminal-safe. */
static void
out_json_line(const char *indent, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	printf("%s%s\n", indent, s != NULL ? cli_safe(s) : "?");
	free(s);
}

static void
out_alert(const json_t *v)
{
	const json_t *list, *e, *t;
	size_t i;

	printf("alert      %lld\n", cli_vi(v, "id"));
	printf("kind       %s (%s)\n", cli_vs(v, "kind"),
	    cli_vs(v, "severity"));
	printf("state      %s\n", cli_vs(v, "state"));
	printf("device     %s\n", json_is_object(json_object_get(v, "device"))
	    ? who(v) : "- (no device claims the address)");
	printf("address    %s\n", cli_vs(v, "address"));
	printf("tenant     %s\n", cli_vs(v, "tenant"));
	printf("first seen %s\n", cli_vs(v, "first_seen"));
	printf("last seen  %s\n", cli_vs(v, "last_seen"));
	printf("count      %lld\n", cli_vi(v, "count"));
	printf("summary    %s\n", cli_vs(v, "summary"));
	if (json_array_size(t = json_object_get(v, "techniques")) > 0) {
		printf("techniques");
		json_array_foreach(t, i, e) {
			printf(" %s", json_is_string(e) ?
			    cli_safe(json_string_value(e)) : "?");
		}
		printf("\n");
	}
	if (json_is_string(json_object_get(v, "note")))
		printf("note       %s (%s)\n", cli_vs(v, "note"),
		    cli_vs(v, "actor"));
	/* Evidence samples and responses: whatever the library keeps, one
	 * JSON line each, so nothing it records is hidden. */
	if (json_array_size(list = json_object_get(v, "samples")) > 0) {
		printf("evidence:\n");
		json_array_foreach(list, i, e) {
			const json_t *ev = json_object_get(e, "evidence");

			printf("  %s ", cli_vs(e, "time"));
			out_json_line("", ev != NULL ? ev : e);
		}
	}
	if (json_array_size(list = json_object_get(v, "responses")) > 0) {
		printf("responses:\n");
		json_array_foreach(list, i, e) {
			out_json_line("  ", e);
		}
	}
}

static void
out_shadows(const json_t *v)
{
	const json_t *e, *ports, *p;
	size_t i, j;

	printf("%-6s %-39s %-9s %8s %12s %5s %-24s %s\n", "ID", "ADDRESS",
	    "STATE", "FLOWS", "BYTES", "PEERS", "LAST SEEN", "PORTS");
	json_array_foreach(json_object_get(v, "shadow"), i, e) {
		printf("%-6lld %-39s %-9s %8lld %12lld %5lld %-24s ",
		    cli_vi(e, "id"), cli_vs(e, "address"), cli_vs(e, "state"),
		    cli_vi(e, "flows"), cli_vi(e, "bytes"), cli_vi(e, "peers"),
		    cli_vs(e, "last_seen"));
		ports = json_object_get(e, "ports");
		if (json_array_size(ports) == 0)
			printf("-");
		json_array_foreach(ports, j, p) {
			if (json_is_integer(p))
				printf("%s%lld", j > 0 ? "," : "",
				    (long long)json_integer_value(p));
			else
				printf("%s%s", j > 0 ? "," : "",
				    json_is_string(p) ?
				    cli_safe(json_string_value(p)) : "?");
		}
		printf("\n");
	}
}

static void
out_adopted(const json_t *v)
{
	printf("adopted as device %s (%s)\n", cli_vs(v, "name"),
	    cli_vs(v, "id"));
}

/* ---- alerts -------------------------------------------------------------- */

int
cli_alert_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct cli_alert_query q;
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	size_t limit = 0;
	enum vigil_err rc;

	memset(&q, 0, sizeof q);
	q.state = cli_arg(a, "state");
	q.kind = cli_arg(a, "kind");
	q.device = cli_arg(a, "device");
	q.severity = cli_arg(a, "severity");
	q.since = cli_arg(a, "since");
	q.all = cli_flag(a, "all");
	q.all_tenants = cli_flag(a, "all-tenants");
	if (cli_arg(a, "limit") != NULL &&
	    !cli_parse_size(a, "limit", cli_arg(a, "limit"), 1, 1000, &limit))
		return CLI_EXIT_USAGE;
	q.limit = (unsigned)limit;
	if (q.all_tenants && ctx->tenant != NULL)
		return cli_usage(a->cmd, "--all-tenants and --tenant exclude "
		    "each other");
	if (!q.all_tenants && !cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_net(ctx)->alert_list(ctx, &q, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_alerts);
}

int
cli_alert_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	int64_t id;
	enum vigil_err rc;

	if (!parse_id(a, a->pos[0], &id))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_net(ctx)->alert_get(ctx, id, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_alert);
}

static int
alert_move(struct cli_ctx *ctx, const struct cli_args *a, bool close)
{
	const char *note = cli_arg(a, "note");
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	int64_t id;
	enum vigil_err rc;

	if (!parse_id(a, a->pos[0], &id))
		return CLI_EXIT_USAGE;
	if (close && (note == NULL || note[0] == '\0'))
		return cli_usage(a->cmd, "--note TEXT is required: say why the "
		    "alert is closed");
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->alert_move(ctx, id, close, note, &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_alert);
}

int
cli_alert_ack(struct cli_ctx *ctx, const struct cli_args *a)
{
	return alert_move(ctx, a, false);
}

int
cli_alert_close(struct cli_ctx *ctx, const struct cli_args *a)
{
	return alert_move(ctx, a, true);
}

/* ---- shadow IoT ---------------------------------------------------------- */

int
cli_shadow_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->shadow_list(ctx, cli_flag(a, "all"), &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_shadows);
}

int
cli_shadow_adopt(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = cli_arg(a, "name");
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	int64_t id;
	enum vigil_err rc;

	if (!parse_id(a, a->pos[0], &id))
		return CLI_EXIT_USAGE;
	if (name == NULL || name[0] == '\0')
		return cli_usage(a->cmd, "--name NAME is required: the new "
		    "device's name");
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->shadow_adopt(ctx, id, name, cli_arg(a, "model"),
	    &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_adopted);
}

int
cli_shadow_dismiss(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	int64_t id;
	enum vigil_err rc;

	if (!parse_id(a, a->pos[0], &id))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->shadow_dismiss(ctx, id, cli_arg(a, "note"), err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	if (!ctx->quiet && !ctx->json)
		fprintf(stderr, "vigil: shadow finding %" PRId64 " dismissed\n",
		    id);
	return CLI_EXIT_OK;
}
