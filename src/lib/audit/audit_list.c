/*
 * Reading the audit log for people: a page of entries of one tenant
 * scope (vigil_audit_list) and a streaming walk of every matching entry
 * (vigil_audit_foreach, for exports of any size in constant memory).
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000

static char *
dup_str(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	char *p = malloc(n + 1);

	if (p != NULL) {
		if (n > 0)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
audit_entry_clear(struct vigil_audit_entry *e)
{
	free(e->principal);
	free(e->tenant_id);
	free(e->source_ip);
	free(e->action);
	free(e->object);
	free(e->outcome);
	free(e->request_id);
	free(e->detail);
	memset(e, 0, sizeof *e);
}

enum vigil_err
audit_entry_from_row(struct vigil_audit_entry *e,
    const struct store_audit_row *r)
{
	memset(e, 0, sizeof *e);
	e->seq = r->seq;
	e->at_ms = r->ev.at_ms;
	e->privileged = r->ev.privileged;
	memcpy(e->prev_hash, r->prev_hash, sizeof e->prev_hash);
	memcpy(e->hash, r->hash, sizeof e->hash);
	e->principal = dup_str(r->ev.principal);
	e->tenant_id = dup_str(r->ev.tenant_id);
	e->source_ip = dup_str(r->ev.source_ip);
	e->action = dup_str(r->ev.action);
	e->object = dup_str(r->ev.object);
	e->outcome = dup_str(r->ev.outcome);
	e->request_id = dup_str(r->ev.request_id);
	e->detail = dup_str(r->ev.detail);
	if (e->principal == NULL || e->tenant_id == NULL ||
	    e->source_ip == NULL || e->action == NULL || e->object == NULL ||
	    e->outcome == NULL || e->request_id == NULL || e->detail == NULL) {
		audit_entry_clear(e);
		return VIGIL_ENOMEM;
	}
	return VIGIL_OK;
}

void
audit_event_view(const struct vigil_audit_entry *e,
    struct vigil_audit_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->at_ms = e->at_ms;
	ev->principal = e->principal;
	ev->tenant_id = e->tenant_id;
	ev->source_ip = e->source_ip;
	ev->action = e->action;
	ev->object = e->object;
	ev->outcome = e->outcome;
	ev->request_id = e->request_id;
	ev->privileged = e->privileged;
	ev->detail = e->detail;
}

void
vigil_audit_list_free(struct vigil_audit_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		audit_entry_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* Checks a filter; fills defaults for a NULL one. */
static enum vigil_err
check_filter(struct vigil_store *st, const struct vigil_audit_filter *in,
    struct vigil_audit_filter *f)
{
	static const char *const name[] = { "principal", "action", "outcome" };

	memset(f, 0, sizeof *f);
	if (in != NULL)
		*f = *in;
	if (f->after_seq < 0 || f->since_ms < 0 || f->until_ms < 0)
		return store_seterr(st, VIGIL_EINVAL, "audit: negative cursor "
		    "or time in the filter");
	{
		const char *const v[] = { f->principal, f->action, f->outcome };

		for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
			if (v[i] != NULL &&
			    strlen(v[i]) > VIGIL_AUDIT_FIELD_MAX)
				return store_seterr(st, VIGIL_ERANGE, "audit: "
				    "%s filter is longer than %d bytes",
				    name[i], VIGIL_AUDIT_FIELD_MAX);
	}
	return VIGIL_OK;
}

struct page {
	struct vigil_audit_list *l;
	size_t want; /* limit + 1: one more tells whether a page follows */
	int nomem;
};

static int
add_row(void *ctx, const struct store_audit_row *r)
{
	struct page *p = ctx;

	if (p->l->n >= p->want)
		return 1;
	if (audit_entry_from_row(&p->l->items[p->l->n], r) != VIGIL_OK) {
		p->nomem = 1;
		return 1;
	}
	p->l->n++;
	return 0;
}

enum vigil_err
vigil_audit_list(struct vigil_store *st, const char *scope,
    const struct vigil_audit_filter *fin, struct vigil_audit_list *out)
{
	struct vigil_audit_filter f;
	struct page p;
	enum vigil_err rc;
	size_t limit;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if ((rc = check_filter(st, fin, &f)) != VIGIL_OK)
		return rc;
	limit = f.limit == 0 ? LIST_DEFAULT : f.limit > LIST_MAX ? LIST_MAX :
	    f.limit;
	if ((out->items = calloc(limit + 1, sizeof *out->items)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "audit: out of memory");
	p.l = out;
	p.want = limit + 1;
	p.nomem = 0;
	rc = store_audit(st)->list(st, scope, &f, limit + 1, add_row, &p);
	if (rc == VIGIL_OK && p.nomem)
		rc = store_seterr(st, VIGIL_ENOMEM, "audit: out of memory");
	if (rc != VIGIL_OK) {
		vigil_audit_list_free(out);
		return rc;
	}
	if (out->n > limit) {
		audit_entry_clear(&out->items[limit]);
		out->n = limit;
		out->next_after = out->items[limit - 1].seq;
	}
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Streaming: one reusable buffer holds the strings of the current
 * entry, so memory stays flat however long the log is. */

struct walk {
	vigil_audit_entry_fn fn;
	void *ctx;
	struct vigil_buf b;
	enum vigil_err rc;
	int stopped;
};

static int
each_row(void *ctx, const struct store_audit_row *r)
{
	struct walk *w = ctx;
	const char *src[8] = { r->ev.principal, r->ev.tenant_id,
	    r->ev.source_ip, r->ev.action, r->ev.object, r->ev.outcome,
	    r->ev.request_id, r->ev.detail };
	size_t off[8];
	struct vigil_audit_entry e;

	vigil_buf_reset(&w->b);
	for (int i = 0; i < 8; i++) {
		const char *s = src[i] != NULL ? src[i] : "";

		off[i] = w->b.len;
		if (vigil_buf_append(&w->b, s, strlen(s) + 1) != VIGIL_OK) {
			w->rc = VIGIL_ENOMEM;
			return 1;
		}
	}
	memset(&e, 0, sizeof e);
	e.seq = r->seq;
	e.at_ms = r->ev.at_ms;
	e.privileged = r->ev.privileged;
	e.principal = w->b.data + off[0];
	e.tenant_id = w->b.data + off[1];
	e.source_ip = w->b.data + off[2];
	e.action = w->b.data + off[3];
	e.object = w->b.data + off[4];
	e.outcome = w->b.data + off[5];
	e.request_id = w->b.data + off[6];
	e.detail = w->b.data + off[7];
	memcpy(e.prev_hash, r->prev_hash, sizeof e.prev_hash);
	memcpy(e.hash, r->hash, sizeof e.hash);
	if (w->fn(w->ctx, &e) != 0) {
		w->stopped = 1;
		return 1;
	}
	return 0;
}

enum vigil_err
vigil_audit_foreach(struct vigil_store *st, const char *scope,
    const struct vigil_audit_filter *fin, vigil_audit_entry_fn fn, void *ctx)
{
	struct vigil_audit_filter f;
	struct walk w;
	enum vigil_err rc;
	bool began;

	store_clearerr(st);
	if ((rc = check_filter(st, fin, &f)) != VIGIL_OK)
		return rc;
	memset(&w, 0, sizeof w);
	w.fn = fn;
	w.ctx = ctx;
	/* Strings are bounded in the schema's writer; a tampered row may
	 * be longer, and still must not eat memory. */
	vigil_buf_init(&w.b, 8 * (VIGIL_AUDIT_FIELD_MAX + 1) +
	    VIGIL_AUDIT_DETAIL_MAX + 1 + 1024 * 1024);
	/* One snapshot: the export is one consistent view of the log while
	 * appends go on. */
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK) {
		vigil_buf_free(&w.b);
		return rc;
	}
	rc = store_audit(st)->list(st, scope, &f, 0, each_row, &w);
	store_read_end(st, began);
	vigil_buf_free(&w.b);
	if (rc == VIGIL_OK && w.rc != VIGIL_OK)
		rc = store_seterr(st, w.rc, "audit: an entry is larger than "
		    "the export buffer or memory ran out");
	if (rc == VIGIL_OK && w.stopped)
		return VIGIL_OK;
	return rc;
}
