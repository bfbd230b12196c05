/*
 * Changing devices: field/label/identifier updates and lifecycle moves.
 * Each computes the new row in C, records what changed in one history
 * entry, and lets the store apply it under the version check (the
 * version is the HTTP ETag; a stale one fails with VIGIL_ECONFLICT).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

#define DETAIL_MAX 2048

static enum vigil_err
version_check(struct vigil_store *st, const struct vigil_device *d,
    int64_t expected)
{
	if (expected != 0 && expected != d->version)
		return store_seterr(st, VIGIL_ECONFLICT, "device %s: changed "
		    "since version %lld (now version %lld); reload it and "
		    "retry", d->name, (long long)expected,
		    (long long)d->version);
	return VIGIL_OK;
}

static void
row_from(struct store_device_row *r, const struct vigil_device *d)
{
	r->id = d->id;
	r->name = d->name;
	r->model = d->model;
	r->gtin = d->gtin;
	r->region = d->region;
	r->owner = d->owner;
	r->state = d->state;
	r->created_ms = d->created_ms;
	r->updated_ms = vigil_time_now_ms();
}

static void
note(struct vigil_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends "; "-separated change notes; silently stops at the ceiling
 * (the history keeps the start of a very long list). */
static void
note(struct vigil_buf *b, const char *fmt, ...)
{
	char tmp[600];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(tmp, sizeof tmp, fmt, ap) < 0)
		tmp[0] = '\0';
	va_end(ap);
	if (b->len > 0)
		vigil_buf_appends(b, "; ");
	vigil_buf_appends(b, tmp);
}

/* A label value as written in a history detail: bare when it cannot be
 * confused with the "; " separators, quoted and escaped otherwise. */
static const char *
detail_value(const char *v, char *dst, size_t dstsize)
{
	char q[REG_QUOTE_SIZE];

	if (v[0] != '\0' && strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/@+-") == strlen(v) &&
	    strlen(v) <= 64) {
		snprintf(dst, dstsize, "%s", v);
		return dst;
	}
	snprintf(dst, dstsize, "\"%s\"", reg_quote(v, q, sizeof q));
	return dst;
}

static const char *
label_value(const struct vigil_device *d, const char *key)
{
	for (size_t i = 0; i < d->nlabels; i++)
		if (strcmp(d->labels[i].key, key) == 0)
			return d->labels[i].value;
	return NULL;
}

/* Everything an update needs besides the context. */
struct upd {
	const struct vigil_device *cur;
	struct store_device_row row;
	struct vigil_buf detail;
	char name_buf[VIGIL_UUID_STRLEN];
	struct store_ident_row del[VIGIL_DEVICE_MAX_IDENTS];
	size_t ndel;
	struct vigil_label_spec set[VIGIL_DEVICE_MAX_LABELS];
	size_t nset;
	const char *unset[VIGIL_DEVICE_MAX_LABELS];
	size_t nunset;
	bool model_key_changed;
};

static void
upd_fields(struct reg_ctx *c, struct upd *x, const struct vigil_device_update *u)
{
	const struct vigil_device *d = x->cur;
	struct reg_problems *p = &c->prob;
	char q[REG_QUOTE_SIZE], q2[REG_QUOTE_SIZE];

	if (u->name != NULL) {
		const char *n = u->name[0] != '\0' ? u->name : d->id;

		reg_check_name(p, n, d->id);
		if (strcmp(n, d->name) != 0) {
			x->row.name = n;
			note(&x->detail, "name: \"%s\" → \"%s\"",
			    reg_quote(d->name, q, sizeof q),
			    reg_quote(n, q2, sizeof q2));
		}
	}
	if (u->model != NULL) {
		reg_check_field(p, "model", u->model, VIGIL_DEVICE_MODEL_MAX,
		    true);
		if (strcmp(u->model, d->model) != 0) {
			x->row.model = u->model;
			note(&x->detail, "model: \"%s\" → \"%s\"",
			    reg_quote(d->model, q, sizeof q),
			    reg_quote(u->model, q2, sizeof q2));
		}
	}
	if (u->gtin != NULL) {
		c->gtin[0] = '\0';
		if (u->gtin[0] == '\0' || reg_gtin(c, u->gtin, c->gtin)) {
			if (strcmp(c->gtin, d->gtin) != 0) {
				x->row.gtin = c->gtin;
				note(&x->detail, "gtin: \"%s\" → \"%s\"",
				    d->gtin, c->gtin);
			}
		}
	}
	if (u->region != NULL) {
		reg_check_field(p, "region", u->region,
		    VIGIL_DEVICE_REGION_MAX, true);
		if (strcmp(u->region, d->region) != 0) {
			x->row.region = u->region;
			note(&x->detail, "region: \"%s\" → \"%s\"",
			    reg_quote(d->region, q, sizeof q),
			    reg_quote(u->region, q2, sizeof q2));
		}
	}
	if (u->owner != NULL) {
		reg_check_field(p, "owner", u->owner, VIGIL_DEVICE_OWNER_MAX,
		    false);
		if (strcmp(u->owner, d->owner) != 0) {
			x->row.owner = u->owner;
			/* Personal data: the history says that, not what. */
			note(&x->detail, "owner: changed");
		}
	}
	x->model_key_changed = strcmp(x->row.gtin[0] != '\0' ? x->row.gtin :
	    x->row.model, d->gtin[0] != '\0' ? d->gtin : d->model) != 0;
}

static void
upd_labels(struct reg_ctx *c, struct upd *x, const struct vigil_device_update *u)
{
	const struct vigil_device *d = x->cur;
	struct reg_problems *p = &c->prob;
	char q[REG_QUOTE_SIZE];
	size_t total = d->nlabels;

	if ((u->nlabels_set > 0 && u->labels_set == NULL) ||
	    (u->nlabels_unset > 0 && u->labels_unset == NULL) ||
	    u->nlabels_set > VIGIL_DEVICE_MAX_LABELS ||
	    u->nlabels_unset > VIGIL_DEVICE_MAX_LABELS) {
		reg_problem(p, "labels: %zu to set and %zu to unset, at most "
		    "%d each", u->nlabels_set, u->nlabels_unset,
		    VIGIL_DEVICE_MAX_LABELS);
		return;
	}
	reg_check_labels(p, u->labels_set, u->nlabels_set);
	for (size_t i = 0; i < u->nlabels_unset; i++) {
		const char *k = u->labels_unset[i];

		if (k == NULL || !reg_label_key_ok(k)) {
			reg_problem(p, "label key \"%s\": must be 1 to %d of "
			    "a-z 0-9 _ . - /", reg_quote(k != NULL ? k : "", q,
			    sizeof q), VIGIL_LABEL_KEY_MAX);
			continue;
		}
		for (size_t j = 0; j < u->nlabels_set; j++)
			if (u->labels_set[j].key != NULL &&
			    strcmp(u->labels_set[j].key, k) == 0)
				reg_problem(p, "label %s: both set and unset",
				    k);
		/* Unsetting an absent label is a no-op (idempotent); so is
		 * naming the same key twice, which must not count twice
		 * against the label limit. */
		bool again = false;

		for (size_t j = 0; j < x->nunset && !again; j++)
			again = strcmp(x->unset[j], k) == 0;
		if (!again && label_value(d, k) != NULL) {
			x->unset[x->nunset++] = k;
			note(&x->detail, "labels: -%s", k);
			total--;
		}
	}
	for (size_t i = 0; i < u->nlabels_set; i++) {
		const struct vigil_label_spec *l = &u->labels_set[i];
		const char *old;

		if (l->key == NULL || l->value == NULL)
			continue;
		old = label_value(d, l->key);
		if (old != NULL && strcmp(old, l->value) == 0)
			continue;
		if (old == NULL)
			total++;
		x->set[x->nset++] = *l;
		note(&x->detail, "labels: +%s=%s", l->key,
		    detail_value(l->value, q, sizeof q));
	}
	if (total > VIGIL_DEVICE_MAX_LABELS)
		reg_problem(p, "labels: the device would have %zu, the limit "
		    "is %d", total, VIGIL_DEVICE_MAX_LABELS);
}

/* Index of the device's identifier with this type and value, or -1. */
static long
find_ident(const struct vigil_device *d, enum vigil_id_type t, const char *v)
{
	for (size_t i = 0; i < d->nidents; i++)
		if (d->idents[i].type == t && strcmp(d->idents[i].value, v) == 0)
			return (long)i;
	return -1;
}

static bool
in_del(const struct upd *x, const struct vigil_device_ident *di)
{
	for (size_t i = 0; i < x->ndel; i++)
		if (x->del[i].type == di->type &&
		    strcmp(x->del[i].value, di->value) == 0)
			return true;
	return false;
}

static void
upd_idents(struct reg_ctx *c, struct upd *x, const struct vigil_device_update *u)
{
	const struct vigil_device *d = x->cur;
	struct reg_problems *p = &c->prob;
	char q[REG_QUOTE_SIZE];
	size_t nadd;

	if ((u->nidents_remove > 0 && u->idents_remove == NULL) ||
	    (u->nidents_add > 0 && u->idents_add == NULL) ||
	    u->nidents_remove > VIGIL_DEVICE_MAX_IDENTS) {
		reg_problem(p, "identifiers: bad add/remove lists");
		return;
	}
	for (size_t i = 0; i < u->nidents_remove; i++) {
		const struct vigil_ident_spec *r = &u->idents_remove[i];
		enum vigil_err rc;
		long k;

		if (r->value == NULL) {
			reg_problem(p, "identifier to remove: missing value");
			continue;
		}
		rc = r->type == VIGIL_ID_UNKNOWN ?
		    vigil_id_detect(r->value, strlen(r->value), &c->id, NULL,
		    NULL) : vigil_id_parse(r->type, r->value, strlen(r->value),
		    &c->id);
		if (rc != VIGIL_OK) {
			reg_problem(p, "%s", c->id.error);
			continue;
		}
		if ((k = find_ident(d, c->id.type, c->id.normalized)) < 0) {
			reg_problem(p, "%s %s: this device has no such "
			    "identifier", vigil_id_type_title(c->id.type),
			    reg_quote(r->value, q, sizeof q));
			continue;
		}
		if (in_del(x, &d->idents[k]))
			continue;
		x->del[x->ndel].type = d->idents[k].type;
		x->del[x->ndel].value = d->idents[k].value;
		x->ndel++;
		note(&x->detail, "identifiers: -%s:%s",
		    vigil_id_type_name(d->idents[k].type), d->idents[k].value);
	}
	for (size_t i = 0; i < u->nidents_add; i++)
		reg_ident_parse(c, u->idents_add[i].type,
		    u->idents_add[i].value);
	nadd = c->nidents;
	for (size_t i = 0; i < nadd && i < VIGIL_DEVICE_MAX_IDENTS; i++) {
		struct reg_ident *ri = &c->idents[i];

		if (!ri->ok)
			continue;
		if (find_ident(d, ri->type, ri->value) >= 0) {
			reg_problem(p, "%s %s: the device already carries it",
			    vigil_id_type_title(ri->type),
			    reg_quote(ri->given, q, sizeof q));
			continue;
		}
		note(&x->detail, "identifiers: +%s:%s",
		    vigil_id_type_name(ri->type), ri->value);
	}
	/* Serials are unique per model: a new model moves them to the new
	 * scope (remove and re-add, so the claims follow). */
	if (x->model_key_changed) {
		for (size_t i = 0; i < d->nidents; i++) {
			const struct vigil_device_ident *di = &d->idents[i];
			struct reg_ident *ri;

			if (di->type != VIGIL_ID_SERIAL || in_del(x, di))
				continue;
			if (c->nidents >= VIGIL_DEVICE_MAX_IDENTS) {
				reg_problem(p, "identifiers: more than %d on "
				    "one device", VIGIL_DEVICE_MAX_IDENTS);
				break;
			}
			x->del[x->ndel].type = di->type;
			x->del[x->ndel].value = di->value;
			x->ndel++;
			ri = &c->idents[c->nidents++];
			ri->type = di->type;
			ri->ok = true;
			ri->nonunique = false;
			ri->given = di->value;
			snprintf(ri->value, sizeof ri->value, "%s", di->value);
			snprintf(ri->key, sizeof ri->key, "%s", di->match_key);
		}
	}
	reg_ident_scopes(c, 0, x->row.gtin[0] != '\0' ? x->row.gtin :
	    x->row.model, d->id);
	reg_ident_repeats(c, 0);
	if (d->nidents - x->ndel + c->nidents > VIGIL_DEVICE_MAX_IDENTS)
		reg_problem(p, "identifiers: the device would have %zu, the "
		    "limit is %d", d->nidents - x->ndel + c->nidents,
		    VIGIL_DEVICE_MAX_IDENTS);
}

static enum vigil_err
apply(struct reg_ctx *c, struct upd *x, int64_t expected,
    const struct store_history_row *h, const char *new_name)
{
	struct vigil_store *st = c->st;
	struct store_device_change ch;
	enum vigil_err rc;

	memset(&ch, 0, sizeof ch);
	ch.expected_version = expected;
	ch.row = &x->row;
	ch.nident_del = x->ndel;
	ch.ident_del = x->del;
	ch.nident_add = c->nidents;
	for (size_t i = 0; i < c->nidents; i++) {
		c->rows[i].type = c->idents[i].type;
		c->rows[i].value = c->idents[i].value;
		c->rows[i].match_key = c->idents[i].key;
		c->rows[i].uniq_scope = c->idents[i].scope;
	}
	ch.ident_add = c->rows;
	ch.nlabel_unset = x->nunset;
	ch.label_unset = x->unset;
	ch.nlabel_set = x->nset;
	ch.label_set = x->set;
	ch.history = h;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_device_modify(st, c->tenant.id, x->cur->id, &ch);
	if (rc == VIGIL_OK)
		return vigil_store_commit(st);
	vigil_store_rollback(st);
	if (rc == VIGIL_EEXIST) {
		enum vigil_err drc;

		reg_problems_reset(&c->prob);
		if ((drc = reg_diagnose_clashes(c, 0, new_name, x->cur->id)) !=
		    VIGIL_OK)
			return drc;
		if (c->prob.n > 0)
			return reg_problems_fail(st, &c->prob, rc);
	}
	return rc;
}

static enum vigil_err
retired_refusal(struct vigil_store *st, const struct vigil_device *d)
{
	return store_seterr(st, VIGIL_ESTATE, "device %s: retired; a retired "
	    "device cannot be changed", d->name);
}

/*
 * One edit of one device: the registry context, the device as read,
 * and the row being built, read and written in one transaction so the
 * diff is computed from the row that gets replaced.
 */
struct edit {
	struct reg_ctx *c;
	struct vigil_device *d;
	struct upd *x;
	bool in_tx;
};

static enum vigil_err
edit_begin(struct vigil_store *st, const char *tenant_id, const char *ref,
    struct edit *e)
{
	enum vigil_err rc;

	memset(e, 0, sizeof *e);
	store_clearerr(st);
	if ((rc = reg_ctx_new(st, tenant_id, &e->c)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	e->in_tx = true;
	if ((rc = reg_device_resolve(st, tenant_id, ref, &e->d)) != VIGIL_OK)
		return rc;
	if ((e->x = calloc(1, sizeof *e->x)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "registry: out of memory");
	e->x->cur = e->d;
	vigil_buf_init(&e->x->detail, DETAIL_MAX);
	row_from(&e->x->row, e->d);
	return VIGIL_OK;
}

/* Ends the edit with rc: on success loads the device into *out (when
 * out is not NULL) and commits; otherwise rolls back. Frees everything. */
static enum vigil_err
edit_end(struct vigil_store *st, const char *tenant_id, struct edit *e,
    enum vigil_err rc, struct vigil_device **out)
{
	if (rc == VIGIL_OK && out != NULL)
		rc = store_device_load(st, tenant_id, e->d->id, out);
	if (e->in_tx)
		rc = store_tx_end(st, rc);
	if (rc != VIGIL_OK && out != NULL) {
		vigil_device_free(*out);
		*out = NULL;
	}
	if (e->x != NULL)
		vigil_buf_free(&e->x->detail);
	free(e->x);
	vigil_device_free(e->d);
	reg_ctx_free(e->c);
	return rc;
}

static void
history_row(struct store_history_row *h, int64_t at_ms, const char *event,
    enum vigil_device_state from, enum vigil_device_state to,
    const char *detail, const char *actor, const char *reason)
{
	h->at_ms = at_ms;
	h->event = event;
	h->from = from;
	h->to = to;
	h->detail = detail;
	h->actor = actor;
	h->reason = reason;
	h->import_id = NULL;
	h->import_line = 0;
}

static enum vigil_err
update_in(struct vigil_store *st, struct edit *e,
    const struct vigil_device_update *u, const char *actor,
    const char *reason)
{
	struct reg_ctx *c = e->c;
	struct vigil_device *d = e->d;
	struct upd *x = e->x;
	struct store_history_row h;
	enum vigil_err rc;

	if (d->state == VIGIL_DEV_RETIRED)
		return retired_refusal(st, d);
	if ((rc = version_check(st, d, u->expected_version)) != VIGIL_OK)
		return rc;
	reg_check_actor(&c->prob, actor, reason);
	upd_fields(c, x, u);
	upd_labels(c, x, u);
	upd_idents(c, x, u);
	if (c->prob.n > 0) {
		if ((rc = reg_diagnose_clashes(c, 0, x->row.name != d->name ?
		    x->row.name : NULL, d->id)) == VIGIL_OK)
			rc = reg_problems_fail(st, &c->prob, VIGIL_EINVAL);
		return rc;
	}
	if (x->detail.len == 0)
		return VIGIL_OK; /* nothing changes: no write, no history */
	history_row(&h, x->row.updated_ms, "update", VIGIL_DEV_NONE,
	    VIGIL_DEV_NONE, x->detail.data, actor, reason);
	return apply(c, x, u->expected_version != 0 ? u->expected_version :
	    d->version, &h, x->row.name != d->name ? x->row.name : NULL);
}

enum vigil_err
vigil_device_update(struct vigil_store *st, const char *tenant_id,
    const char *ref, const struct vigil_device_update *u, const char *actor,
    const char *reason, struct vigil_device **out)
{
	struct edit e;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (u == NULL) {
		store_clearerr(st);
		return store_seterr(st, VIGIL_EINVAL, "update: nothing given");
	}
	if ((rc = edit_begin(st, tenant_id, ref, &e)) == VIGIL_OK)
		rc = update_in(st, &e, u, actor, reason);
	return edit_end(st, tenant_id, &e, rc, out);
}

static enum vigil_err
set_state_in(struct vigil_store *st, struct edit *e,
    enum vigil_device_state to, int64_t expected_version, const char *actor,
    const char *reason)
{
	struct vigil_device *d = e->d;
	struct store_history_row h;
	char why[256], detail[64];
	enum vigil_err rc;

	if ((rc = vigil_device_transition_check(d->state, to, why,
	    sizeof why)) != VIGIL_OK)
		return store_seterr(st, rc, "device %s: %s", d->name, why);
	if ((rc = version_check(st, d, expected_version)) != VIGIL_OK)
		return rc;
	reg_check_actor(&e->c->prob, actor, reason);
	if (e->c->prob.n > 0)
		return reg_problems_fail(st, &e->c->prob, VIGIL_EINVAL);
	e->x->row.state = to;
	snprintf(detail, sizeof detail, "%s → %s",
	    vigil_device_state_name(d->state), vigil_device_state_name(to));
	history_row(&h, e->x->row.updated_ms, to == VIGIL_DEV_RETIRED ?
	    "retire" : "state", d->state, to, detail, actor, reason);
	e->c->nidents = 0;
	return apply(e->c, e->x, expected_version != 0 ? expected_version :
	    d->version, &h, NULL);
}

enum vigil_err
vigil_device_set_state(struct vigil_store *st, const char *tenant_id,
    const char *ref, enum vigil_device_state to, int64_t expected_version,
    const char *actor, const char *reason, struct vigil_device **out)
{
	struct edit e;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = edit_begin(st, tenant_id, ref, &e)) == VIGIL_OK)
		rc = set_state_in(st, &e, to, expected_version, actor, reason);
	return edit_end(st, tenant_id, &e, rc, out);
}

enum vigil_err
vigil_device_retire(struct vigil_store *st, const char *tenant_id,
    const char *ref, int64_t expected_version, const char *actor,
    const char *reason, struct vigil_device **out)
{
	return vigil_device_set_state(st, tenant_id, ref, VIGIL_DEV_RETIRED,
	    expected_version, actor, reason, out);
}
