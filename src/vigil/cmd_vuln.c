/*
 * `vigil vuln` commands. This first part: `vuln version-compare`,
 * which orders two versions under one scheme (include/vigil/vuln.h),
 * so an operator can see how vigil reads a version range.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vigil/vuln.h"

/* "semver, dpkg, ..." into buf: the names --scheme accepts. */
static const char *
scheme_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int s = VIGIL_VS_SEMVER; s <= VIGIL_VS_GENERIC; s++) {
		int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
		    vigil_vscheme_name((enum vigil_vscheme)s));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

int
cli_vuln_version_compare(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = cli_arg(a, "scheme"), *r;
	enum vigil_vscheme s;
	enum vigil_err rc;
	char err[VIGIL_VERSION_MAX * 2 + 128], list[128];
	int cmp;

	if (name == NULL)
		return cli_usage(a->cmd, "--scheme is required (%s)",
		    scheme_list(list, sizeof list));
	if ((s = vigil_vscheme_from_name(name)) == VIGIL_VS_NONE)
		return cli_usage(a->cmd, "unknown scheme '%s' (%s)", name,
		    scheme_list(list, sizeof list));
	rc = vigil_version_cmp(s, a->pos[0], a->pos[1], &cmp, err,
	    sizeof err);
	if (rc != VIGIL_OK)
		return cli_err("%s", err);
	r = cmp < 0 ? "<" : cmp > 0 ? ">" : "=";
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "scheme", cli_json_str(
			    vigil_vscheme_name(s)));
			cli_json_set(o, "a", cli_json_str(a->pos[0]));
			cli_json_set(o, "b", cli_json_str(a->pos[1]));
			cli_json_set(o, "result", cli_json_str(r));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("%s\n", r);
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
