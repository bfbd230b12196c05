/*
 * `vigil device list | find | history`: read-only views of the
 * inventory, local or remote (backend.h).
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "device.h"

int
cli_device_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_device_filter f;
	struct vigil_device_list l;
	struct vigil_label_spec lab = { NULL, NULL };
	const char *s;
	enum vigil_err rc;
	size_t limit = VIGIL_LIST_DEFAULT_LIMIT;

	memset(&f, 0, sizeof f);
	if ((s = cli_arg(a, "state")) != NULL && !dev_state_arg(a, s,
	    &f.state))
		return CLI_EXIT_USAGE;
	if ((s = cli_arg(a, "limit")) != NULL && !cli_parse_size(a, "limit",
	    s, 1, VIGIL_LIST_MAX_LIMIT, &limit))
		return CLI_EXIT_USAGE;
	if ((s = cli_arg(a, "label")) != NULL && !dev_label_arg(a, "label",
	    s, true, &lab))
		return CLI_EXIT_USAGE;
	f.model = cli_arg(a, "model");
	f.label_key = lab.key;
	f.label_value = lab.value;
	f.after = cli_arg(a, "cursor");
	f.limit = limit;
	if (!cli_tenant(ctx)) {
		free((char *)lab.key);
		return CLI_EXIT_FAIL;
	}
	rc = ctx->be->device_list(ctx, &f, &l);
	free((char *)lab.key);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		/* One device per line; a last line carries the cursor when
		 * another page follows. */
		bool ok = true;

		for (size_t i = 0; ok && i < l.n; i++)
			ok = dev_emit_json(l.items[i], false);
		if (ok && l.next[0] != '\0') {
			json_t *o = json_object();

			if (o != NULL)
				cli_json_set(o, "next_cursor",
				    json_string(l.next));
			ok = cli_json_emit(stdout, o);
		}
		vigil_device_list_free(&l);
		return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	}
	if (l.n > 0)
		dev_print_table(l.items, l.n);
	else
		cli_note(ctx, "no devices match");
	if (l.next[0] != '\0')
		cli_note(ctx, "more devices: add --cursor %s", l.next);
	vigil_device_list_free(&l);
	return cli_finish_stdout(CLI_EXIT_OK);
}

/* Match keys of every valid reading of the query value. */
struct find_keys {
	size_t n;
	char key[VIGIL_ID_MAX_CANDIDATES][VIGIL_ID_MAX_VALUE];
};

static void
query_keys(enum vigil_id_type t, const char *v, struct find_keys *k)
{
	static struct vigil_id id;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t ncand;
	enum vigil_err rc;

	k->n = 0;
	rc = cli_id_read(t, v, strlen(v), &id, cand, &ncand);
	if (rc == VIGIL_OK) {
		snprintf(k->key[k->n++], sizeof k->key[0], "%s", id.match_key);
		return;
	}
	for (size_t i = 0; rc == VIGIL_EAMBIGUOUS && i < ncand; i++)
		if (vigil_id_parse(cand[i], v, strlen(v), &id) == VIGIL_OK)
			snprintf(k->key[k->n++], sizeof k->key[0], "%s",
			    id.match_key);
}

static bool
key_matches(const struct find_keys *k, const char *mk)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->key[i], mk) == 0)
			return true;
	return false;
}

int
cli_device_find(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct find_keys keys;
	struct vigil_device_list l;
	enum vigil_id_type t;
	const char *v = a->pos[0];
	enum vigil_err rc;

	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = ctx->be->device_find(ctx, t, v, &l);
	if (rc == VIGIL_ENOTFOUND)
		return cli_err("no device in tenant %s has identifier %s",
		    ctx->tenant_name, v);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	/* Which identifier matched: the one whose key equals a key of the
	 * query (for an ambiguous query, of any of its readings). */
	query_keys(t, v, &keys);
	for (size_t i = 0; i < l.n; i++) {
		const struct vigil_device *d = l.items[i];
		json_t *m = NULL, *ms = NULL;

		if (ctx->json) {
			m = json_object();
			ms = json_array();
		}
		for (size_t k = 0; k < d->nidents; k++) {
			const struct vigil_device_ident *di = &d->idents[k];

			if (!key_matches(&keys, di->match_key))
				continue;
			if (!ctx->json) {
				printf("%s  %s  %s  matched %s %s\n",
				    cli_safe(d->name), cli_safe(d->id),
				    vigil_device_state_name(d->state),
				    vigil_id_type_name(di->type),
				    cli_safe(di->value));
			} else if (ms != NULL) {
				json_t *e = json_object();

				if (e != NULL) {
					cli_json_set(e, "type", json_string(
					    vigil_id_type_name(di->type)));
					cli_json_set(e, "value",
					    cli_json_str(di->value));
				}
				json_array_append_new(ms, e);
			}
		}
		if (!ctx->json)
			continue;
		if (m != NULL) {
			cli_json_set(m, "device", vigil_device_to_json(d,
			    VIGIL_JSON_REDACT_PERSONAL));
			cli_json_set(m, "matched", ms);
		} else {
			json_decref(ms);
		}
		if (!cli_json_emit(stdout, m)) {
			vigil_device_list_free(&l);
			return CLI_EXIT_FAIL;
		}
	}
	vigil_device_list_free(&l);
	return cli_finish_stdout(CLI_EXIT_OK);
}

#define HISTORY_PAGE 500

static void
print_entry(const struct vigil_history_entry *e)
{
	char when[VIGIL_RFC3339_LEN];

	vigil_time_format(e->at_ms, when);
	printf("%s  %-7s  %-20s", when, cli_safe(e->event),
	    cli_safe(e->actor));
	/* The registry's detail already names a state move it made. */
	if (e->detail != NULL && e->detail[0] != '\0')
		printf("  %s", cli_safe(e->detail));
	else if (e->to != VIGIL_DEV_NONE)
		printf("  %s -> %s", vigil_device_state_name(e->from),
		    vigil_device_state_name(e->to));
	if (e->reason != NULL && e->reason[0] != '\0')
		printf("  (reason: %s)", cli_safe(e->reason));
	putchar('\n');
}

/* Prints each entry of a page's JSON rendering on its own line. */
static bool
emit_entries(json_t *page)
{
	json_t *items = page, *v;
	size_t i;
	bool ok = true;

	if (page == NULL)
		return cli_err("out of memory") == 0;
	if (json_is_object(page) && json_object_get(page, "entries") != NULL)
		items = json_object_get(page, "entries");
	if (json_is_array(items)) {
		json_array_foreach(items, i, v) {
			json_incref(v);
			if (ok)
				ok = cli_json_emit(stdout, v);
			else
				json_decref(v);
		}
		json_decref(page);
		return ok;
	}
	return cli_json_emit(stdout, page);
}

int
cli_device_history(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_history h;
	int64_t after = 0;
	enum vigil_err rc;
	size_t n;
	bool ok = true;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	do {
		rc = ctx->be->device_history(ctx, a->pos[0], after,
		    HISTORY_PAGE, &h);
		if (rc != VIGIL_OK)
			return cli_store_err(ctx, rc);
		n = h.n;
		for (size_t i = 0; !ctx->json && i < h.n; i++)
			print_entry(&h.items[i]);
		if (ctx->json && ok)
			ok = emit_entries(vigil_history_to_json(&h));
		if (h.n > 0)
			after = h.items[h.n - 1].seq;
		vigil_history_free(&h);
	} while (n == HISTORY_PAGE && ok);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}
