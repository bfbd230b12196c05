/*
 * `vigil policy ...`: offline checks of policy documents
 * (include/vigil/policy.h) before they are stored (lint findings, and
 * the decision the policy decision point would take on one request
 * with FILE arguments), and the stored policies of a tenant (put, get,
 * list, history, rollback, delete, attach, detach, attachments, and
 * `test --device` explained by the decision service) through the
 * zero-trust backend (zt_cli.h), locally or on a vigild.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/policy.h"
#include "vuln_cli.h"
#include "zt_cli.h"

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
		json_array_append_new(o->findings,
		    vigil_lint_finding_to_json(f));
		return;
	}
	snprintf(sev, sizeof sev, "%s", vigil_lint_severity_name(f->severity));
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

static int policy_test_stored(struct cli_ctx *ctx, const struct cli_args *a);

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

	/* Without FILE: the stored policies, as the decision service
	 * sees the device. */
	if (a->npos == 0)
		return policy_test_stored(ctx, a);
	if (cli_arg(a, "source-ip") != NULL || cli_arg(a, "country") != NULL)
		return cli_usage(a->cmd, "with FILE, give vigil:SourceIp and "
		                         "vigil:Country with --context");
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

/* ---- stored policies (zt_cli.h) ------------------------------------- */

/* A JSON member as terminal-safe text: "-" when absent or null. */
static const char *
js(const json_t *o, const char *key)
{
	const char *s = cli_vs(o, key);

	return s[0] != '\0' ? s : "-";
}

/* --json: v on one line (released); the exit status. */
static int
emit(json_t *v)
{
	return cli_json_emit(stdout, v) ? cli_finish_stdout(CLI_EXIT_OK)
	                                : CLI_EXIT_FAIL;
}

/* Remote errors keep their own exit status (auth, connection). */
static int
fail(struct cli_ctx *ctx, enum vigil_err rc, const char *err)
{
	return cli_vuln_fail(ctx, rc, err);
}

/* Parses a policy version argument (≥ 1). */
static bool
version_arg(
    const struct cli_args *a, const char *what, const char *s, int64_t *v)
{
	size_t n;

	if (!cli_parse_size(a, what, s, 1, (size_t)INT64_MAX, &n))
		return false;
	*v = (int64_t)n;
	return true;
}

static void
lint_stderr(void *vctx, const struct vigil_lint_finding *f)
{
	const char *name = vctx;

	if (f->severity == VIGIL_LINT_INFO)
		return;
	/* cli_diag escapes control characters, the newline too. */
	cli_diag(stderr, "vigil: policy %s: %s %s %s", name,
	    f->severity == VIGIL_LINT_CRITICAL ? "CRITICAL" : "WARNING",
	    f->code, f->message);
	fputc('\n', stderr);
}

/* The document's lint findings on stderr (they do not refuse it: the
 * operator may mean it); a document that does not parse is left to
 * the store, whose error names the path. */
static void
lint_doc(const char *name, const char *doc, size_t len)
{
	struct vigil_policy *p = NULL;
	char err[256];

	if (vigil_policy_parse(doc, len, &p, err, sizeof err) != VIGIL_OK)
		return;
	vigil_policy_lint(p, lint_stderr, (void *)name);
	vigil_policy_free(p);
}

int
cli_policy_put(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = a->pos[0], *ev = cli_arg(a, "expect-version");
	char err[CLI_ZERR] = "";
	int64_t expect = 0;
	json_t *out = NULL;
	enum vigil_err rc;
	char *doc = NULL;
	size_t len = 0;

	if (ev != NULL && !version_arg(a, "expect-version", ev, &expect))
		return CLI_EXIT_USAGE;
	if (vigil_policydb_check_name(name, err, sizeof err) != VIGIL_OK)
		return cli_usage(a->cmd, "%s", err);
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if (!cli_vuln_read(a->pos[1], VIGIL_POLICY_DOC_MAX, &doc, &len))
		return CLI_EXIT_FAIL;
	lint_doc(name, doc, len);
	rc = cli_zt(ctx)->put(ctx, name, doc, len, cli_arg(a, "description"),
	    cli_arg(a, "comment"), expect, &out, err);
	vigil_free(doc);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json)
		return emit(out);
	if (json_is_false(json_object_get(out, "changed")))
		printf("policy %s unchanged (version %lld)\n", cli_safe(name),
		    cli_vi(out, "version"));
	else
		printf("policy %s version %lld stored\n", cli_safe(name),
		    cli_vi(out, "version"));
	json_decref(out);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_policy_get(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *vs = cli_arg(a, "version");
	char err[CLI_ZERR] = "";
	int64_t version = 0;
	json_t *out = NULL;
	enum vigil_err rc;
	char *text;

	if (vs != NULL && !version_arg(a, "version", vs, &version))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->get(ctx, a->pos[0], version, &out, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json)
		return emit(out);
	/* The document alone, ready to edit and put back. */
	text = json_dumps(json_object_get(out, "document"),
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(out);
	if (text == NULL)
		return cli_err(
		    "policy %s: no document in the reply", a->pos[0]);
	printf("%s\n", text);
	free(text);
	return cli_finish_stdout(CLI_EXIT_OK);
}

static void
out_list(const json_t *v)
{
	const json_t *e, *pols;
	size_t i;

	printf("%-24s %7s %6s %-24s %s\n", "NAME", "VERSION", "ATTACH",
	    "UPDATED", "DESCRIPTION");
	pols = json_object_get(v, "policies");
	for (i = 0; i < json_array_size(pols); i++) {
		e = json_array_get(pols, i);
		printf("%-24s %7lld %6lld %-24s %s\n", js(e, "name"),
		    cli_vi(e, "version"), cli_vi(e, "attachments"),
		    js(e, "updated"), js(e, "description"));
	}
}

int
cli_policy_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	(void)a;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_zt(ctx)->list(ctx, &out, err)) != VIGIL_OK)
		return fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_list);
}

static void
out_history(const json_t *v)
{
	const json_t *e;
	size_t i;

	printf("%7s %-24s %-20s %-8s %s\n", "VERSION", "CREATED", "AUTHOR",
	    "ROLLBACK", "COMMENT");
	json_array_foreach(json_object_get(v, "versions"), i, e) {
		char rb[24] = "-";

		if (cli_vi(e, "rollback_of") > 0)
			snprintf(
			    rb, sizeof rb, "%lld", cli_vi(e, "rollback_of"));
		printf("%7lld %-24s %-20s %-8s %s\n", cli_vi(e, "version"),
		    js(e, "created"), js(e, "author"), rb, js(e, "comment"));
	}
}

int
cli_policy_history(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->history(ctx, a->pos[0], &out, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_history);
}

int
cli_policy_rollback(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	int64_t version;
	json_t *out = NULL;
	enum vigil_err rc;

	if (!version_arg(a, "VERSION", a->pos[1], &version))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->rollback(
	    ctx, a->pos[0], version, cli_arg(a, "comment"), &out, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json)
		return emit(out);
	printf("policy %s version %lld stored (rollback to version %lld)\n",
	    cli_safe(a->pos[0]), cli_vi(out, "version"), (long long)version);
	json_decref(out);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_policy_delete(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_zt(ctx)->remove(ctx, a->pos[0], err)) != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json) {
		json_t *o =
		    json_pack("{s:s,s:b}", "policy", a->pos[0], "deleted", 1);

		return emit(o);
	}
	printf("deleted policy %s\n", cli_safe(a->pos[0]));
	return cli_finish_stdout(CLI_EXIT_OK);
}

/* The one attachment target of attach / detach: --tenant-wide,
 * --model M, --label KEY=VALUE or --device D. */
static bool
attach_target(
    const struct cli_args *a, enum vigil_attach_kind *kind, const char **target)
{
	static const struct {
		const char *opt;
		enum vigil_attach_kind kind;
	} kinds[] = {
	    {"tenant-wide", VIGIL_ATTACH_TENANT},
	    {"model", VIGIL_ATTACH_MODEL},
	    {"label", VIGIL_ATTACH_LABEL},
	    {"device", VIGIL_ATTACH_DEVICE},
	};
	size_t n = 0;

	*kind = VIGIL_ATTACH_NONE;
	*target = NULL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		bool flag = kinds[i].kind == VIGIL_ATTACH_TENANT;

		if (flag ? !cli_flag(a, kinds[i].opt)
		         : cli_arg(a, kinds[i].opt) == NULL)
			continue;
		n++;
		*kind = kinds[i].kind;
		*target = flag ? "" : cli_arg(a, kinds[i].opt);
	}
	if (n != 1) {
		cli_usage(a->cmd, "give exactly one of --tenant-wide, --model, "
		                  "--label or --device");
		return false;
	}
	if (*kind == VIGIL_ATTACH_LABEL && strchr(*target, '=') == NULL) {
		cli_usage(a->cmd, "--label wants KEY=VALUE, not '%s'", *target);
		return false;
	}
	return true;
}

/* "the tenant", "model M", "label k=v", "device D". */
static void
print_target(const char *verb, const char *name, enum vigil_attach_kind kind,
    const char *target)
{
	if (kind == VIGIL_ATTACH_TENANT)
		printf("%s policy %s %s the tenant\n", verb, cli_safe(name),
		    strcmp(verb, "attached") == 0 ? "to" : "from");
	else
		printf("%s policy %s %s %s %s\n", verb, cli_safe(name),
		    strcmp(verb, "attached") == 0 ? "to" : "from",
		    vigil_attach_kind_name(kind), cli_safe(target));
}

int
cli_policy_attach(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_attach_kind kind;
	const char *target;
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!attach_target(a, &kind, &target))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->attach(ctx, a->pos[0], kind, target, &out, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json)
		return emit(out);
	print_target("attached", a->pos[0], kind, target);
	json_decref(out);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_policy_detach(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_attach_kind kind;
	const char *target;
	char err[CLI_ZERR] = "";
	enum vigil_err rc;

	if (!attach_target(a, &kind, &target))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->detach(ctx, a->pos[0], kind, target, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	if (ctx->json) {
		json_t *o = json_pack("{s:s,s:s,s:s}", "policy", a->pos[0],
		    "kind", vigil_attach_kind_name(kind), "target", target);

		return emit(o);
	}
	print_target("detached", a->pos[0], kind, target);
	return cli_finish_stdout(CLI_EXIT_OK);
}

static void
out_attachments(const json_t *v)
{
	const json_t *e;
	size_t i;

	printf("%-24s %-7s %-30s %-20s %s\n", "POLICY", "KIND", "TARGET",
	    "AUTHOR", "CREATED");
	json_array_foreach(json_object_get(v, "attachments"), i, e) {
		const char *t = cli_vs(e, "target");

		printf("%-24s %-7s %-30s %-20s %s\n", js(e, "policy"),
		    js(e, "kind"), strcmp(t, "") == 0 ? "-" : t,
		    js(e, "author"), js(e, "created"));
	}
}

int
cli_policy_attachments(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_ZERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_zt(ctx)->attachments(
	    ctx, a->npos > 0 ? a->pos[0] : NULL, &out, err);
	if (rc != VIGIL_OK)
		return fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_attachments);
}

/* ---- policy test --device (the decision service) -------------------- */

static void
out_explain(const json_t *v)
{
	const json_t *dev = json_object_get(v, "device"), *e;
	const char *k;
	size_t i;

	printf("%s: %s\n", js(v, "decision"), js(v, "reason"));
	if (json_is_object(dev))
		printf("device:   %s (%s, %s)\n", js(dev, "name"),
		    js(dev, "id"), js(dev, "state"));
	printf("identity: %s\n", js(v, "identity"));
	printf("epoch:    %lld\n", cli_vi(v, "epoch"));
	printf("policies:");
	if (json_array_size(json_object_get(v, "policies")) == 0)
		printf(" (none)");
	json_array_foreach(json_object_get(v, "policies"), i, e) {
		printf(" %s", cli_safe(json_string_value(e) != NULL ?
		    json_string_value(e) : "?"));
	}
	printf("\ncontext:\n");
	json_object_foreach((json_t *)json_object_get(v, "context"), k, e) {
		printf("  %-24s %s\n", cli_safe(k), cli_safe(
		    json_string_value(e) != NULL ? json_string_value(e) : "?"));
	}
}

/* The error status of `policy test`: 2, unless a remote error has a
 * more precise one (authentication, connection). */
static int
test_error(int status)
{
	return status == CLI_EXIT_FAIL ? CLI_EXIT_USAGE : status;
}

static int
policy_test_stored(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct cli_zt_query q;
	struct vigil_pdp_kv *cx = NULL;
	char **ckeys = NULL, err[CLI_ZERR] = "";
	size_t nc = 0;
	json_t *out = NULL;
	enum vigil_err rc;
	int status = CLI_EXIT_USAGE;
	bool allow;

	memset(&q, 0, sizeof q);
	q.device = cli_arg(a, "device");
	q.cert_serial = cli_arg(a, "cert");
	q.action = cli_arg(a, "action");
	q.resource = cli_arg(a, "resource");
	if ((q.device == NULL) == (q.cert_serial == NULL))
		return cli_usage(a->cmd, "without FILE, one of --device and "
		    "--cert is required");
	if (q.action == NULL || q.resource == NULL)
		return cli_usage(a->cmd, "without FILE, --action and "
		    "--resource are required");
	if (cli_arg(a, "tenant-id") != NULL || cli_arg(a, "model") != NULL ||
	    cli_arg(a, "cert-urn") != NULL || cli_arg(a, "label") != NULL)
		return cli_usage(a->cmd,
		    "--tenant-id, --model, --cert-urn and --label describe the "
		    "device of a FILE test; the stored device has its own");
	q.client_id = cli_arg(a, "client-id");
	q.source_ip = cli_arg(a, "source-ip");
	q.country = cli_arg(a, "country");
	if (!collect_kv(a, "context", &cx, &ckeys, &nc))
		goto out;
	q.nctx = nc;
	q.ctx = cx;
	status = CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		goto out;
	if ((rc = cli_zt(ctx)->explain(ctx, &q, &out, err)) != VIGIL_OK) {
		status = test_error(fail(ctx, rc, err));
		goto out;
	}
	allow = strcmp(cli_vs(out, "decision"), "ALLOW") == 0;
	if (ctx->json) {
		status =
		    cli_json_emit(stdout, out) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		out = NULL;
	} else {
		out_explain(out);
		status = CLI_EXIT_OK;
	}
	if (status == CLI_EXIT_OK)
		status = cli_finish_stdout(allow ? CLI_EXIT_OK : CLI_EXIT_FAIL);
out:
	json_decref(out);
	free(cx);
	free_keys(ckeys, nc);
	return status;
}
