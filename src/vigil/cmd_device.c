/*
 * `vigil device add | show | update | set-state | retire`: changes to
 * one device, through the backend (backend.h): the registry API, which
 * validates, enforces uniqueness and writes the history, locally or in
 * a vigild.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "device.h"

/* Repeatable option values collected for one registry call. */
struct dev_lists {
	struct vigil_ident_spec *ids;
	size_t nids;
	struct vigil_ident_spec *rm_ids;
	size_t nrm_ids;
	struct vigil_label_spec *labels;
	size_t nlabels;
	const char **unlabels;
	size_t nunlabels;
};

static void
lists_free(struct dev_lists *l)
{
	for (size_t i = 0; i < l->nlabels; i++)
		free((char *)l->labels[i].key);
	free(l->ids);
	free(l->rm_ids);
	free(l->labels);
	free(l->unlabels);
	memset(l, 0, sizeof *l);
}

/* Collects --id / --<type> / --add-id, --remove-id, --label and
 * --unlabel values. Returns CLI_EXIT_OK or the exit status. */
static int
lists_collect(const struct cli_args *a, const char *idopt,
    struct dev_lists *l)
{
	memset(l, 0, sizeof *l);
	l->ids = calloc(a->nopts + 1, sizeof *l->ids);
	l->rm_ids = calloc(a->nopts + 1, sizeof *l->rm_ids);
	l->labels = calloc(a->nopts + 1, sizeof *l->labels);
	l->unlabels = calloc(a->nopts + 1, sizeof *l->unlabels);
	if (!l->ids || !l->rm_ids || !l->labels || !l->unlabels)
		return cli_err("out of memory");
	for (size_t i = 0; i < a->nopts; i++) {
		const struct cli_optval *o = &a->opts[i];

		if (o->idopt) {
			l->ids[l->nids].type = vigil_id_type_from_name(o->name);
			l->ids[l->nids++].value = o->value;
		} else if (strcmp(o->name, idopt) == 0) {
			if (!dev_ident_arg(a, o->name, o->value,
			    &l->ids[l->nids]))
				return CLI_EXIT_USAGE;
			l->nids++;
		} else if (strcmp(o->name, "remove-id") == 0) {
			if (!dev_ident_arg(a, o->name, o->value,
			    &l->rm_ids[l->nrm_ids]))
				return CLI_EXIT_USAGE;
			l->nrm_ids++;
		} else if (strcmp(o->name, "label") == 0) {
			if (!dev_label_arg(a, o->name, o->value, false,
			    &l->labels[l->nlabels]))
				return CLI_EXIT_USAGE;
			l->nlabels++;
		} else if (strcmp(o->name, "unlabel") == 0) {
			l->unlabels[l->nunlabels++] = o->value;
		}
	}
	return CLI_EXIT_OK;
}

/* Prints the device the command produced. */
static int
report(struct cli_ctx *ctx, const char *verb, struct vigil_device *d)
{
	bool ok = true;

	if (ctx->json)
		ok = dev_emit_json(d, false);
	else
		printf("%s %s (%s, %s, version %lld)\n", verb,
		    cli_safe(d->name), cli_safe(d->id),
		    vigil_device_state_name(d->state), (long long)d->version);
	vigil_device_free(d);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_device_add(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;
	struct dev_lists l;
	const char *state = cli_arg(a, "state");
	enum vigil_err rc;
	int status;

	memset(&spec, 0, sizeof spec);
	spec.name = cli_arg(a, "name");
	if (spec.name == NULL)
		return cli_usage(a->cmd, "--name NAME is required");
	if (state != NULL && !dev_state_arg(a, state, &spec.state))
		return CLI_EXIT_USAGE;
	if ((status = lists_collect(a, "id", &l)) != CLI_EXIT_OK) {
		lists_free(&l);
		return status;
	}
	spec.model = cli_arg(a, "model");
	spec.gtin = cli_arg(a, "gtin");
	spec.region = cli_arg(a, "region");
	spec.owner = cli_arg(a, "owner");
	spec.nidents = l.nids;
	spec.idents = l.ids;
	spec.nlabels = l.nlabels;
	spec.labels = l.labels;
	if (!cli_tenant(ctx)) {
		lists_free(&l);
		return CLI_EXIT_FAIL;
	}
	rc = ctx->be->device_add(ctx, &spec, &d);
	lists_free(&l);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return report(ctx, "added", d);
}

int
cli_device_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_device *d = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = ctx->be->device_get(ctx, a->pos[0], &d);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		bool ok = dev_emit_json(d, true);

		vigil_device_free(d);
		return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	}
	dev_print(d);
	vigil_device_free(d);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_device_update(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_device_update u;
	struct vigil_device *d = NULL;
	struct dev_lists l;
	const char *ver = cli_arg(a, "if-version");
	enum vigil_err rc;
	size_t v = 0;
	int status;

	memset(&u, 0, sizeof u);
	if (ver != NULL && !cli_parse_size(a, "if-version", ver, 1,
	    (size_t)INT64_MAX, &v))
		return CLI_EXIT_USAGE;
	if ((status = lists_collect(a, "add-id", &l)) != CLI_EXIT_OK) {
		lists_free(&l);
		return status;
	}
	u.expected_version = (int64_t)v;
	u.name = cli_arg(a, "name");
	u.model = cli_arg(a, "model");
	u.gtin = cli_arg(a, "gtin");
	u.region = cli_arg(a, "region");
	u.owner = cli_arg(a, "owner");
	u.nlabels_set = l.nlabels;
	u.labels_set = l.labels;
	u.nlabels_unset = l.nunlabels;
	u.labels_unset = l.unlabels;
	u.nidents_add = l.nids;
	u.idents_add = l.ids;
	u.nidents_remove = l.nrm_ids;
	u.idents_remove = l.rm_ids;
	if (!u.name && !u.model && !u.gtin && !u.region && !u.owner &&
	    !l.nlabels && !l.nunlabels && !l.nids && !l.nrm_ids) {
		lists_free(&l);
		return cli_usage(a->cmd, "nothing to change");
	}
	if (!cli_tenant(ctx)) {
		lists_free(&l);
		return CLI_EXIT_FAIL;
	}
	rc = ctx->be->device_update(ctx, a->pos[0], &u, cli_arg(a, "reason"),
	    &d);
	lists_free(&l);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return report(ctx, "updated", d);
}

/* set-state and retire share the checks: a reason is mandatory because
 * the history is the audit trail of every lifecycle move. */
static int
move(struct cli_ctx *ctx, const struct cli_args *a, const char *ref,
    enum vigil_device_state to)
{
	const char *reason = cli_arg(a, "reason");
	struct vigil_device *d = NULL;
	enum vigil_err rc;

	if (reason == NULL || reason[0] == '\0')
		return cli_usage(a->cmd, "--reason TEXT is required");
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = ctx->be->device_set_state(ctx, ref, to, reason, &d);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return report(ctx, to == VIGIL_DEV_RETIRED ? "retired" : "moved", d);
}

int
cli_device_set_state(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_device_state to;

	if (!dev_state_arg(a, a->pos[1], &to))
		return CLI_EXIT_USAGE;
	return move(ctx, a, a->pos[0], to);
}

int
cli_device_retire(struct cli_ctx *ctx, const struct cli_args *a)
{
	return move(ctx, a, a->pos[0], VIGIL_DEV_RETIRED);
}
