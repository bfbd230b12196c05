/*
 * `vigil audit verify | list | export`: the audit log of the local
 * store (vigil/audit.h). verify walks the whole hash chain and checks
 * the signed checkpoints; list pages through entries with filters;
 * export streams every matching entry as JSON lines, in constant memory
 * however long the log is. Without --tenant these are platform views
 * of every entry; with it, only that tenant's entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vigil/audit.h"

#include "cli.h"

/* The database must exist: reading an audit log never creates one. */
static struct vigil_store *
audit_store(struct cli_ctx *ctx)
{
	char path[4096];

	if (!cli_db_exists(ctx)) {
		cli_err("no database at %s (nothing has been recorded there)",
		    cli_db_path(ctx, path, sizeof path));
		return NULL;
	}
	return cli_store(ctx);
}

/* ------------------------------------------------------------------ */
/* verify */

/* The public key to check signatures with: --pubkey, else
 * <data>/keys/audit.pub when it exists, else none (path[0] = 0). */
static bool
pubkey_path(struct cli_ctx *ctx, const struct cli_args *a, char *path,
    size_t size, bool *given)
{
	const char *p = cli_arg(a, "pubkey");
	struct stat sb;
	int n;

	*given = p != NULL;
	if (p != NULL) {
		n = snprintf(path, size, "%s", p);
	} else {
		n = snprintf(path, size, "%s/keys/audit.pub", ctx->data_dir);
		if (n >= 0 && (size_t)n < size && stat(path, &sb) != 0) {
			path[0] = '\0';
			return true;
		}
	}
	if (n < 0 || (size_t)n >= size) {
		cli_err("public key path is too long");
		return false;
	}
	return true;
}

static json_t *
verify_json(const struct vigil_audit_verify_result *r, const char *pubpath)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	cli_json_set(o, "ok", json_boolean(r->ok));
	cli_json_set(o, "entries", json_integer((json_int_t)r->entries));
	cli_json_set(o, "last_seq", json_integer((json_int_t)r->last_seq));
	cli_json_set(o, "checkpoints", json_integer(
	    (json_int_t)r->checkpoints));
	cli_json_set(o, "last_checkpoint_seq", json_integer(
	    (json_int_t)r->last_checkpoint_seq));
	cli_json_set(o, "first_bad_seq", r->first_bad_seq != 0 ?
	    json_integer((json_int_t)r->first_bad_seq) : json_null());
	cli_json_set(o, "signatures_checked", json_boolean(pubpath[0] != 0));
	cli_json_set(o, "pubkey", cli_json_str_or_null(pubpath));
	cli_json_set(o, "reason", cli_json_str(r->reason));
	return o;
}

int
cli_audit_verify(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_audit_verify_result r;
	uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN], keyid[VIGIL_AUDIT_KEYID_LEN];
	char path[4096], err[512];
	struct vigil_store *st;
	enum vigil_err rc;
	bool given;

	if (!pubkey_path(ctx, a, path, sizeof path, &given))
		return CLI_EXIT_FAIL;
	if (path[0] != '\0' && vigil_audit_pubkey_load(path, pub, keyid, err,
	    sizeof err) != VIGIL_OK)
		return cli_err("%s", err);
	if (path[0] == '\0')
		cli_note(ctx, "no public key (%s/keys/audit.pub is missing and "
		    "--pubkey was not given): checkpoint signatures are not "
		    "checked", ctx->data_dir);
	if ((st = audit_store(ctx)) == NULL)
		return CLI_EXIT_FAIL;
	rc = vigil_audit_verify(st, path[0] != '\0' ? pub : NULL, &r);
	if (rc != VIGIL_OK && rc != VIGIL_ETAMPER)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		if (!cli_json_emit(stdout, verify_json(&r, path)))
			return CLI_EXIT_FAIL;
	} else if (r.ok) {
		printf("audit log intact: %s\n", cli_safe(r.reason));
	} else {
		printf("audit log TAMPERED: first bad entry %lld: %s\n",
		    (long long)r.first_bad_seq, cli_safe(r.reason));
	}
	return cli_finish_stdout(r.ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* ------------------------------------------------------------------ */
/* Filters shared by list and export. */

static bool
time_arg(const struct cli_args *a, const char *opt, int64_t *ms)
{
	const char *s = cli_arg(a, opt);
	char err[256];

	*ms = 0;
	if (s == NULL)
		return true;
	if (vigil_time_parse(s, ms, err, sizeof err) != VIGIL_OK) {
		cli_usage(a->cmd, "--%s: %s", opt, err);
		return false;
	}
	if (*ms <= 0) {
		cli_usage(a->cmd, "--%s: %s is not after 1970", opt, s);
		return false;
	}
	return true;
}

/* Fills f from the options; resolves --tenant into *scope (NULL: the
 * platform view of every entry). */
static bool
filter_args(struct cli_ctx *ctx, const struct cli_args *a,
    struct vigil_audit_filter *f, const char **scope, int *status)
{
	const char *s;
	size_t v;

	memset(f, 0, sizeof *f);
	*scope = NULL;
	*status = CLI_EXIT_USAGE;
	if ((s = cli_arg(a, "after")) != NULL) {
		if (!cli_parse_size(a, "after", s, 0, (size_t)INT64_MAX, &v))
			return false;
		f->after_seq = (int64_t)v;
	}
	if ((s = cli_arg(a, "limit")) != NULL) {
		if (!cli_parse_size(a, "limit", s, 1, 1000, &v))
			return false;
		f->limit = v;
	}
	if (!time_arg(a, "since", &f->since_ms) ||
	    !time_arg(a, "until", &f->until_ms))
		return false;
	if (f->since_ms != 0 && f->until_ms != 0 &&
	    f->until_ms <= f->since_ms) {
		cli_usage(a->cmd, "--until must be later than --since");
		return false;
	}
	f->principal = cli_arg(a, "principal");
	f->action = cli_arg(a, "action");
	f->outcome = cli_arg(a, "outcome");
	*status = CLI_EXIT_FAIL;
	if (audit_store(ctx) == NULL)
		return false;
	if (ctx->tenant != NULL) {
		if (!cli_tenant(ctx))
			return false;
		*scope = ctx->tenant_id;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* list */

/* One row of `audit list`, from the entry's JSON rendering
 * (vigil_audit_entry_to_json), so that the local listing and the remote
 * one (remote_audit.c, from the API's JSON) print alike. */
void
cli_audit_print_row(const json_t *e)
{
	const char *t = json_string_value(json_object_get(e, "tenant"));

#define S(k) cli_safe(json_string_value(json_object_get(e, k)) ? \
    json_string_value(json_object_get(e, k)) : "")
	printf("%-7lld %-24s %-8s %-4s %-20s %-22s %-24s %s\n",
	    (long long)json_integer_value(json_object_get(e, "seq")),
	    S("time"), S("outcome"),
	    json_is_true(json_object_get(e, "privileged")) ? "yes" : "-",
	    S("principal"), S("action"), S("object"),
	    t != NULL && t[0] != '\0' ? cli_safe(t) : "-");
#undef S
}

static void
print_row(const struct vigil_audit_entry *e)
{
	json_t *j = vigil_audit_entry_to_json(e);

	if (j == NULL)
		return;
	cli_audit_print_row(j);
	json_decref(j);
}

int
cli_audit_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_audit_filter f;
	struct vigil_audit_list l;
	const char *scope;
	enum vigil_err rc;
	bool ok = true;
	int status;

	if (!filter_args(ctx, a, &f, &scope, &status))
		return status;
	if ((rc = vigil_audit_list(ctx->store, scope, &f, &l)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		/* One entry per line; a last line carries the cursor when
		 * another page follows. */
		for (size_t i = 0; ok && i < l.n; i++)
			ok = cli_json_emit(stdout,
			    vigil_audit_entry_to_json(&l.items[i]));
		if (ok && l.next_after != 0) {
			json_t *o = json_object();

			if (o != NULL)
				cli_json_set(o, "next_after", json_integer(
				    (json_int_t)l.next_after));
			ok = cli_json_emit(stdout, o);
		}
	} else if (l.n > 0) {
		printf("%-7s %-24s %-8s %-4s %-20s %-22s %-24s %s\n", "SEQ",
		    "TIME", "OUTCOME", "PRIV", "PRINCIPAL", "ACTION", "OBJECT",
		    "TENANT");
		for (size_t i = 0; i < l.n; i++)
			print_row(&l.items[i]);
	} else {
		cli_note(ctx, "no audit entries match");
	}
	if (!ctx->json && l.next_after != 0)
		cli_note(ctx, "more entries: add --after %lld",
		    (long long)l.next_after);
	vigil_audit_list_free(&l);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* ------------------------------------------------------------------ */
/* export */

struct export {
	uint64_t n;
	bool failed;
};

static int
export_one(void *ctx, const struct vigil_audit_entry *e)
{
	struct export *x = ctx;

	if (!cli_json_emit(stdout, vigil_audit_entry_to_json(e))) {
		x->failed = true;
		return 1;
	}
	x->n++;
	return 0;
}

int
cli_audit_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_audit_filter f;
	struct export x = { 0, false };
	const char *scope;
	enum vigil_err rc;
	int status;

	if (!filter_args(ctx, a, &f, &scope, &status))
		return status;
	rc = vigil_audit_foreach(ctx->store, scope, &f, export_one, &x);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (x.failed)
		return CLI_EXIT_FAIL;
	status = cli_finish_stdout(CLI_EXIT_OK);
	if (status == CLI_EXIT_OK)
		cli_note(ctx, "exported %llu audit entries",
		    (unsigned long long)x.n);
	return status;
}
