/*
 * `vigil device add | show | update | set-state | retire`: changes to
 * one device, through the backend (backend.h): the registry API, which
 * validates, enforces uniqueness and writes the history, locally or in
 * a vigild. `quarantine | release | posture | checkins` go through the
 * zero-trust backend (zt_cli.h): quarantine is an access decision as
 * much as a lifecycle state, audited as one.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "device.h"
#include "vuln_cli.h"
#include "zt_cli.h"

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

/* ---- quarantine and posture (zt_cli.h) ------------------------------ */

static int
quarantine(struct cli_ctx *ctx, const struct cli_args *a, bool on)
{
	const char *reason = cli_arg(a, "reason");
	struct vigil_device *d = NULL;
	char err[CLI_ZERR] = "";
	enum vigil_err rc;

	if (reason == NULL || reason[0] == '\0')
		return cli_usage(a->cmd, "--reason TEXT is required");
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->quarantine(ctx, a->pos[0], on, reason, &d, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return report(ctx, on ? "quarantined" : "released", d);
}

int
cli_device_quarantine(struct cli_ctx *ctx, const struct cli_args *a)
{
	return quarantine(ctx, a, true);
}

int
cli_device_release(struct cli_ctx *ctx, const struct cli_args *a)
{
	return quarantine(ctx, a, false);
}

static void
out_strings(const char *label, const json_t *arr)
{
	const json_t *e;
	size_t i;

	printf("%-18s", label);
	if (json_array_size(arr) == 0)
		printf(" -");
	for (i = 0; i < json_array_size(arr); i++) {
		e = json_array_get(arr, i);
		printf(" %s", cli_safe(json_string_value(e) != NULL ?
		    json_string_value(e) : "?"));
	}
	printf("\n");
}

static void
out_posture(const json_t *v)
{
	const json_t *fw = json_object_get(v, "firmware");
	const json_t *cert = json_object_get(v, "certificate");
	const json_t *ck = json_object_get(v, "checkin"), *e;
	const json_t *cur = json_object_get(fw, "current");
	size_t i;

	printf("%-18s %s\n", "device", cli_vs(v, "device"));
	printf("%-18s %lld\n", "risk", cli_vi(v, "risk"));
	printf("%-18s %s\n", "quarantined",
	    json_is_true(json_object_get(v, "quarantined")) ? "yes" : "no");
	if (!json_is_object(ck))
		printf("%-18s never checked in\n", "last check-in");
	else
		printf("%-18s %lld s ago\n", "last check-in",
		    cli_vi(v, "last_checkin_s"));
	printf("%-18s %s (expected %s, %s)\n", "firmware",
	    cli_vs(fw, "version"), cli_vs(fw, "expected"),
	    json_is_true(cur)    ? "current"
	    : json_is_false(cur) ? "outdated"
	                         : "unknown");
	printf("%-18s %s\n", "boot", cli_vs(v, "boot"));
	printf("%-18s %s\n", "integrity", cli_vs(v, "integrity"));
	out_strings("ports", json_object_get(v, "ports"));
	out_strings("unexpected ports", json_object_get(v, "unexpected_ports"));
	printf("%-18s %s %s\n", "certificate", cli_vs(cert, "state"),
	    cli_vs(cert, "serial"));
	printf("%-18s %.1f\n", "vulnerability risk", cli_vd(v, "vuln_risk"));
	printf("%-18s %lld\n", "open alerts", cli_vi(v, "open_alerts"));
	if (json_array_size(json_object_get(v, "risk_parts")) > 0)
		printf("risk parts:\n");
	json_array_foreach(json_object_get(v, "risk_parts"), i, e) {
		printf("  %+4lld %-20s %s\n", cli_vi(e, "points"),
		    cli_vs(e, "factor"), cli_vs(e, "detail"));
	}
}

int
cli_device_posture(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_zt(ctx)->posture(ctx, a->pos[0], &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_posture);
}

static void
out_checkins(const json_t *v)
{
	const json_t *e;
	size_t i;

	if (json_array_size(json_object_get(v, "checkins")) == 0) {
		printf("never checked in\n");
		return;
	}
	json_array_foreach(json_object_get(v, "checkins"), i, e) {
		const json_t *body = json_object_get(e, "body");
		char *text =
		    json_is_string(body)
		        ? NULL
		        : json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);

		const json_t *t = json_object_get(e, "time");

		if (json_is_integer(t))
			printf("%lld ", (long long)json_integer_value(t));
		else
			printf("%s ", cli_vs(e, "time"));
		printf(
		    "%s\n", text != NULL ? cli_safe(text) : cli_vs(e, "body"));
		free(text);
	}
}

int
cli_device_checkins(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *ls = cli_arg(a, "limit");
	size_t limit = CLI_ZT_CHECKINS_DEFAULT;
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (ls != NULL && !cli_parse_size(a, "limit", ls, 1, 1000, &limit))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->checkins(ctx, a->pos[0], (unsigned)limit, &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_checkins);
}
