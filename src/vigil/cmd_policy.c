/*
 * `vigil policy lint | test`: offline checks of policy documents
 * (include/vigil/policy.h) before they are stored: lint findings, and
 * the decision the policy decision point would take on one request.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/policy.h"

/* Reads and parses path; prints "vigil: <path>: <what and where>" and
 * returns NULL on failure. */
static struct vigil_policy *
load_policy(const char *path)
{
	struct vigil_policy *p = NULL;
	char err[512];
	char *buf;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		cli_err("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(VIGIL_POLICY_DOC_MAX + 1)) == NULL) {
		fclose(f);
		cli_err("out of memory");
		return NULL;
	}
	n = fread(buf, 1, VIGIL_POLICY_DOC_MAX + 1, f);
	if (ferror(f) || n > VIGIL_POLICY_DOC_MAX) {
		if (n > VIGIL_POLICY_DOC_MAX)
			cli_err("%s: larger than %u bytes", path,
			    VIGIL_POLICY_DOC_MAX);
		else
			cli_err("%s: read error", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	err[0] = '\0';
	if (vigil_policy_parse(buf, n, &p, err, sizeof err) != VIGIL_OK) {
		cli_err("%s: %s", path, err[0] ? err : "invalid policy");
		p = NULL;
	}
	free(buf);
	return p;
}

/* ---- policy lint ---------------------------------------------------- */

static const char *
severity_name(enum vigil_lint_severity s)
{
	switch (s) {
	case VIGIL_LINT_CRITICAL:
		return "critical";
	case VIGIL_LINT_WARNING:
		return "warning";
	case VIGIL_LINT_INFO:
		break;
	}
	return "info";
}

struct lint_out {
	const char *path;
	bool prefix; /* several files: "<path>: " before each line */
	bool critical;
	json_t *findings; /* --json */
};

static void
on_finding(void *vctx, const struct vigil_lint_finding *f)
{
	struct lint_out *o = vctx;
	char sev[16];
	size_t i;

	if (f->severity == VIGIL_LINT_CRITICAL)
		o->critical = true;
	if (o->findings != NULL) {
		json_t *j = json_object();

		if (j == NULL)
			return;
		cli_json_set(
		    j, "severity", cli_json_str(severity_name(f->severity)));
		cli_json_set(j, "code", cli_json_str(f->code));
		cli_json_set(j, "statement",
		    f->statement < 0 ? json_null()
		                     : json_integer(f->statement));
		cli_json_set(j, "message", cli_json_str(f->message));
		json_array_append_new(o->findings, j);
		return;
	}
	snprintf(sev, sizeof sev, "%s", severity_name(f->severity));
	for (i = 0; sev[i] != '\0'; i++)
		if (sev[i] >= 'a' && sev[i] <= 'z')
			sev[i] = (char)(sev[i] - 'a' + 'A');
	if (o->prefix)
		printf("%s: ", cli_safe(o->path));
	printf("%s %s %s\n", sev, f->code, cli_safe(f->message));
}

int
cli_policy_lint(struct cli_ctx *ctx, const struct cli_args *a)
{
	int status = CLI_EXIT_OK;

	for (size_t i = 0; i < a->npos; i++) {
		struct lint_out o = {a->pos[i], a->npos > 1, false, NULL};
		struct vigil_policy *p = load_policy(a->pos[i]);
		size_t n;

		if (p == NULL) {
			status = CLI_EXIT_FAIL;
			continue;
		}
		if (ctx->json && (o.findings = json_array()) == NULL) {
			vigil_policy_free(p);
			return cli_err("out of memory");
		}
		n = vigil_policy_lint(p, on_finding, &o);
		vigil_policy_free(p);
		if (o.critical)
			status = CLI_EXIT_FAIL;
		if (ctx->json) {
			json_t *j = json_object();

			if (j != NULL) {
				cli_json_set(
				    j, "file", cli_json_str(a->pos[i]));
				cli_json_set(j, "findings", o.findings);
			} else {
				json_decref(o.findings);
			}
			if (!cli_json_emit(stdout, j))
				return CLI_EXIT_FAIL;
		} else if (n == 0) {
			cli_note(ctx, "%s: no findings", a->pos[i]);
		}
	}
	return cli_finish_stdout(status);
}

/* ---- policy test ---------------------------------------------------- */

/* The options named opt as KEY=VALUE pairs into kv (keys copied into
 * *keys, freed by the caller). Returns false after a usage error. */
static bool
collect_kv(const struct cli_args *a, const char *opt,
    struct vigil_pdp_kv **kv /* OUT */, char ***keys /* OUT */,
    size_t *n /* OUT */)
{
	size_t cnt = 0;

	*kv = NULL;
	*keys = NULL;
	*n = 0;
	for (size_t i = 0; i < a->nopts; i++)
		if (!a->opts[i].idopt && strcmp(a->opts[i].name, opt) == 0)
			cnt++;
	if (cnt == 0)
		return true;
	*kv = calloc(cnt, sizeof **kv);
	*keys = calloc(cnt, sizeof **keys);
	if (*kv == NULL || *keys == NULL) {
		cli_err("out of memory");
		return false;
	}
	for (size_t i = 0; i < a->nopts; i++) {
		const char *v = a->opts[i].value, *eq;
		size_t klen;

		if (a->opts[i].idopt || strcmp(a->opts[i].name, opt) != 0)
			continue;
		if (v == NULL || (eq = strchr(v, '=')) == NULL || eq == v) {
			cli_usage(a->cmd, "--%s wants KEY=VALUE, not '%s'", opt,
			    v != NULL ? v : "");
			return false;
		}
		klen = (size_t)(eq - v);
		if (((*keys)[*n] = malloc(klen + 1)) == NULL) {
			cli_err("out of memory");
			return false;
		}
		memcpy((*keys)[*n], v, klen);
		(*keys)[*n][klen] = '\0';
		(*kv)[*n].key = (*keys)[*n];
		(*kv)[*n].value = eq + 1;
		(*n)++;
	}
	return true;
}

static void
free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

/* Builds the decision point from the files; NULL after printing why. */
static struct vigil_pdp *
build_pdp(const struct cli_args *a, int *status)
{
	struct vigil_pdp *pdp = NULL;
	enum vigil_err rc;

	*status = CLI_EXIT_FAIL;
	if (vigil_pdp_new(&pdp) != VIGIL_OK) {
		cli_err("out of memory");
		return NULL;
	}
	for (size_t i = 0; i < a->npos; i++) {
		struct vigil_policy *p = load_policy(a->pos[i]);

		if (p == NULL) {
			vigil_pdp_free(pdp);
			return NULL;
		}
		rc = vigil_pdp_add(pdp, base_name(a->pos[i]), p);
		vigil_policy_free(p);
		if (rc != VIGIL_OK) {
			cli_err("%s: %s", a->pos[i], vigil_strerror(rc));
			vigil_pdp_free(pdp);
			return NULL;
		}
	}
	if ((rc = vigil_pdp_build(pdp)) != VIGIL_OK) {
		cli_err("cannot build the policy set: %s", vigil_strerror(rc));
		vigil_pdp_free(pdp);
		return NULL;
	}
	*status = CLI_EXIT_OK;
	return pdp;
}

static int
print_decision(const struct cli_ctx *ctx, const struct vigil_decision *d)
{
	int status =
	    d->effect == VIGIL_EFFECT_ALLOW ? CLI_EXIT_OK : CLI_EXIT_FAIL;

	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "effect",
			    cli_json_str(d->effect == VIGIL_EFFECT_ALLOW
			                     ? "allow"
			                     : "deny"));
			cli_json_set(
			    o, "policy", cli_json_str_or_null(d->policy));
			cli_json_set(o, "statement",
			    d->statement < 0 ? json_null()
			                     : json_integer(d->statement));
			cli_json_set(o, "sid", cli_json_str_or_null(d->sid));
			cli_json_set(o, "reason", cli_json_str(d->reason));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("%s: %s\n",
		    d->effect == VIGIL_EFFECT_ALLOW ? "ALLOW" : "DENY",
		    cli_safe(d->reason));
	}
	return cli_finish_stdout(status);
}

int
cli_policy_test(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_pdp_request rq;
	struct vigil_decision d;
	struct vigil_pdp_kv *labels = NULL, *cx = NULL;
	char **lkeys = NULL, **ckeys = NULL;
	size_t nl = 0, nc = 0;
	struct vigil_pdp *pdp = NULL;
	enum vigil_err rc;
	int status = CLI_EXIT_USAGE;

	memset(&rq, 0, sizeof rq);
	rq.action = cli_arg(a, "action");
	rq.resource = cli_arg(a, "resource");
	if (rq.action == NULL || rq.resource == NULL)
		return cli_usage(a->cmd, "--action and --resource are "
		                         "required");
	rq.device_id = cli_arg(a, "device");
	rq.tenant = cli_arg(a, "tenant-id");
	rq.model = cli_arg(a, "model");
	rq.client_id = cli_arg(a, "client-id");
	rq.cert_urn = cli_arg(a, "cert-urn");
	if (!collect_kv(a, "label", &labels, &lkeys, &nl) ||
	    !collect_kv(a, "context", &cx, &ckeys, &nc))
		goto out;
	rq.nlabels = nl;
	rq.labels = labels;
	rq.nctx = nc;
	rq.ctx = cx;
	if ((pdp = build_pdp(a, &status)) == NULL)
		goto out;
	memset(&d, 0, sizeof d);
	if ((rc = vigil_pdp_decide(pdp, &rq, &d)) != VIGIL_OK) {
		status = cli_err("cannot decide: %s", vigil_strerror(rc));
		goto out;
	}
	status = print_decision(ctx, &d);
out:
	vigil_pdp_free(pdp);
	free(labels);
	free(cx);
	free_keys(lkeys, nl);
	free_keys(ckeys, nc);
	return status;
}
