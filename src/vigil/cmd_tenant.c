/*
 * `vigil tenant create | list | show`: platform-admin operations on the
 * tenants, of the local store or of a vigild (backend.h).
 */
#include <string.h>

#include "backend.h"
#include "device.h"

int
cli_tenant_create(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = a->pos[0];
	struct vigil_tenant t;
	enum vigil_err rc;

	if (!vigil_tenant_name_valid(name))
		return cli_err("tenant name '%s' is not valid: use 1-%d "
		    "lower-case letters, digits and '-', starting with a "
		    "letter or digit", name, VIGIL_TENANT_NAME_MAX);
	rc = ctx->be->tenant_create(ctx, name, cli_arg(a, "display-name"),
	    &t);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		if (!cli_json_emit(stdout, vigil_tenant_to_json(&t)))
			return CLI_EXIT_FAIL;
	} else {
		printf("created tenant %s (%s)\n", cli_safe(t.name),
		    cli_safe(t.id));
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}

#define TENANT_PAGE 200

int
cli_tenant_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_tenant *page = NULL;
	char cursor[CLI_CURSOR_MAX] = "", next[CLI_CURSOR_MAX];
	char when[VIGIL_RFC3339_LEN];
	enum vigil_err rc;
	size_t n;
	bool header = false;

	(void)a;
	do {
		rc = ctx->be->tenant_list(ctx, cursor[0] ? cursor : NULL,
		    TENANT_PAGE, &page, &n, next);
		if (rc != VIGIL_OK)
			return cli_store_err(ctx, rc);
		for (size_t i = 0; i < n; i++) {
			if (ctx->json) {
				if (!cli_json_emit(stdout,
				    vigil_tenant_to_json(&page[i]))) {
					vigil_free(page);
					return CLI_EXIT_FAIL;
				}
				continue;
			}
			if (!header) {
				printf("%-24s %-24s %-24s %s\n", "NAME",
				    "DISPLAY NAME", "CREATED", "ID");
				header = true;
			}
			vigil_time_format(page[i].created_ms, when);
			printf("%-24s %-24s %-24s %s\n",
			    cli_safe(page[i].name),
			    cli_safe(page[i].display_name), when,
			    cli_safe(page[i].id));
		}
		vigil_free(page);
		page = NULL;
		memcpy(cursor, next, sizeof cursor);
	} while (cursor[0] != '\0');
	if (!ctx->json && !header)
		cli_note(ctx, "no tenants; create one with 'vigil tenant "
		    "create NAME'");
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_tenant_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_tenant t;
	char when[VIGIL_RFC3339_LEN];
	uint64_t count = 0;
	enum vigil_err rc;

	rc = ctx->be->tenant_get(ctx, a->pos[0], &t);
	if (rc == VIGIL_ENOTFOUND)
		return cli_err("tenant '%s' does not exist (see 'vigil tenant "
		    "list')", a->pos[0]);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if ((rc = ctx->be->device_count(ctx, t.id, &count)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		json_t *o = vigil_tenant_to_json(&t);

		if (o != NULL)
			cli_json_set(o, "devices", json_integer(
			    (json_int_t)count));
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	vigil_time_format(t.created_ms, when);
	printf("%s\n", cli_safe(t.name));
	printf("  %-13s %s\n", "id", cli_safe(t.id));
	printf("  %-13s %s\n", "display name", cli_safe(t.display_name));
	printf("  %-13s %s\n", "created", when);
	printf("  %-13s %llu\n", "devices", (unsigned long long)count);
	return cli_finish_stdout(CLI_EXIT_OK);
}
