/*
 * Reading devices: by reference (id, name or identifier), find by any
 * identifier spelling, list with filters and cursor, count, history,
 * last-seen, and the result destructors.
 */
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

void
vigil_device_free(struct vigil_device *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->model);
	free(d->gtin);
	free(d->region);
	free(d->owner);
	for (size_t i = 0; i < d->nidents; i++) {
		free(d->idents[i].value);
		free(d->idents[i].match_key);
	}
	free(d->idents);
	for (size_t i = 0; i < d->nlabels; i++) {
		free(d->labels[i].key);
		free(d->labels[i].value);
	}
	free(d->labels);
	free(d);
}

void
vigil_device_list_free(struct vigil_device_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		vigil_device_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
	l->next[0] = '\0';
}

void
vigil_history_free(struct vigil_history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->items[i].detail);
		free(h->items[i].actor);
		free(h->items[i].reason);
	}
	free(h->items);
	h->items = NULL;
	h->n = 0;
}

static void
list_init(struct vigil_device_list *l)
{
	l->n = 0;
	l->items = NULL;
	l->next[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* A small set of device ids collected from the store. */
struct idset {
	char (*ids)[VIGIL_UUID_STRLEN];
	size_t n, cap, max;
};

static enum vigil_err
idset_add(void *ctx, const char *id)
{
	struct idset *s = ctx;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return VIGIL_OK;
	if (s->n == s->max)
		return VIGIL_OK;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		char (*p)[VIGIL_UUID_STRLEN];

		if (ncap > s->max)
			ncap = s->max;
		if (ncap <= s->n)
			return VIGIL_OK;
		if ((p = realloc(s->ids, ncap * sizeof *p)) == NULL)
			return VIGIL_ENOMEM;
		s->ids = p;
		s->cap = ncap;
	}
	memcpy(s->ids[s->n++], id, VIGIL_UUID_STRLEN);
	return VIGIL_OK;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Loads ids[0..n) into out. */
static enum vigil_err
load_all(struct vigil_store *st, const char *tenant_id,
    const struct idset *s, size_t n, struct vigil_device_list *out)
{
	enum vigil_err rc;

	if (n == 0)
		return VIGIL_OK;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers */
	if ((out->items = calloc(n, sizeof *out->items)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "registry: out of memory");
	for (size_t i = 0; i < n; i++) {
		rc = store_device_load(st, tenant_id, s->ids[i],
		    &out->items[out->n]);
		if (rc == VIGIL_ENOTFOUND)
			continue; /* vanished between the two reads */
		if (rc != VIGIL_OK) {
			vigil_device_list_free(out);
			return rc;
		}
		out->n++;
	}
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */

static enum vigil_err
find_impl(struct vigil_store *st, const char *tenant_id,
    enum vigil_id_type type, const char *text,
    struct vigil_device_list *out)
{
	struct vigil_id *id;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	char keys[VIGIL_ID_MAX_CANDIDATES][VIGIL_ID_MAX_VALUE];
	size_t ncand = 0, nkeys = 0;
	struct idset set = { NULL, 0, 0, VIGIL_LIST_MAX_LIMIT };
	enum vigil_err rc;
	char q[REG_QUOTE_SIZE];

	list_init(out);
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if (text == NULL)
		return store_seterr(st, VIGIL_EINVAL, "identifier: missing");
	if ((id = malloc(sizeof *id)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "registry: out of memory");
	if (type == VIGIL_ID_UNKNOWN)
		rc = vigil_id_detect_ex(text, strlen(text),
		    VIGIL_ID_PARSE_NO_DETAIL, id, cand, &ncand);
	else
		rc = vigil_id_parse_ex(type, text, strlen(text),
		    VIGIL_ID_PARSE_NO_DETAIL, id);
	if (rc == VIGIL_OK) {
		memcpy(keys[nkeys++], id->match_key, VIGIL_ID_MAX_VALUE);
	} else if (rc == VIGIL_EAMBIGUOUS) {
		/* Several readings are valid: a device carrying any of them
		 * is a match, the caller sees which. */
		for (size_t i = 0; i < ncand; i++) {
			if (vigil_id_parse_ex(cand[i], text, strlen(text),
			    VIGIL_ID_PARSE_NO_DETAIL, id) != VIGIL_OK)
				continue;
			size_t k;

			for (k = 0; k < nkeys; k++)
				if (strcmp(keys[k], id->match_key) == 0)
					break;
			if (k == nkeys)
				memcpy(keys[nkeys++], id->match_key,
				    VIGIL_ID_MAX_VALUE);
		}
	} else {
		store_seterr(st, rc, "%s", id->error);
		free(id);
		return rc;
	}
	free(id);
	for (size_t k = 0; k < nkeys; k++)
		if ((rc = store_ident_find(st, tenant_id, keys[k], idset_add,
		    &set)) != VIGIL_OK) {
			free(set.ids);
			return rc == VIGIL_ENOMEM ? store_seterr(st, rc,
			    "registry: out of memory") : rc;
		}
	if (set.n == 0) {
		free(set.ids);
		return store_seterr(st, VIGIL_ENOTFOUND, "identifier %s: no "
		    "device in this tenant carries it",
		    reg_quote(text, q, sizeof q));
	}
	qsort(set.ids, set.n, sizeof set.ids[0], cmp_id);
	rc = load_all(st, tenant_id, &set, set.n, out);
	free(set.ids);
	return rc;
}

enum vigil_err
reg_device_resolve(struct vigil_store *st, const char *tenant_id,
    const char *ref, struct vigil_device **out)
{
	struct vigil_device_list l;
	char id[VIGIL_UUID_STRLEN];
	char q[REG_QUOTE_SIZE];
	enum vigil_err rc;

	*out = NULL;
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if (ref == NULL || ref[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "device: missing");
	if (reg_is_uuid_shape(ref)) {
		for (size_t i = 0; i < 36; i++)
			id[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ?
			    ref[i] - 'A' + 'a' : ref[i]);
		id[36] = '\0';
		rc = store_device_load(st, tenant_id, id, out);
		if (rc != VIGIL_ENOTFOUND)
			return rc;
	}
	rc = store_device_id_by_name(st, tenant_id, ref, id);
	if (rc == VIGIL_OK)
		return store_device_load(st, tenant_id, id, out);
	if (rc != VIGIL_ENOTFOUND)
		return rc;
	rc = find_impl(st, tenant_id, VIGIL_ID_UNKNOWN, ref, &l);
	if (rc == VIGIL_OK && l.n == 1) {
		*out = l.items[0];
		l.items[0] = NULL;
		l.n = 0;
		vigil_device_list_free(&l);
		return VIGIL_OK;
	}
	if (rc == VIGIL_OK && l.n > 1) {
		char names[512];
		size_t o = 0;

		names[0] = '\0';
		for (size_t i = 0; i < l.n && o + 80 < sizeof names; i++) {
			size_t n = strlen(l.items[i]->name);

			if (n > 70)
				n = 70;
			if (i > 0) {
				memcpy(names + o, ", ", 2);
				o += 2;
			}
			memcpy(names + o, l.items[i]->name, n);
			o += n;
			names[o] = '\0';
		}
		vigil_device_list_free(&l);
		return store_seterr(st, VIGIL_EAMBIGUOUS, "device %s: matches "
		    "%s; name one by id", reg_quote(ref, q, sizeof q), names);
	}
	if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND && rc != VIGIL_EINVAL &&
	    rc != VIGIL_EAMBIGUOUS && rc != VIGIL_ERANGE)
		return rc;
	return store_seterr(st, VIGIL_ENOTFOUND, "device %s: no device with "
	    "this id, name or identifier in this tenant",
	    reg_quote(ref, q, sizeof q));
}

/* Public reads run in one read snapshot: a device and its identifiers
 * and labels come from the same state of the store. */
#define READ(st, call)                                                     \
	do {                                                                \
		bool began_;                                                \
		enum vigil_err rc_;                                         \
		store_clearerr(st);                                         \
		if ((rc_ = store_read_begin(st, &began_)) != VIGIL_OK)      \
			return rc_;                                         \
		rc_ = (call);                                               \
		store_read_end(st, began_);                                 \
		return rc_;                                                 \
	} while (0)

enum vigil_err
vigil_device_find(struct vigil_store *st, const char *tenant_id,
    enum vigil_id_type type, const char *text,
    struct vigil_device_list *out)
{
	list_init(out);
	READ(st, find_impl(st, tenant_id, type, text, out));
}

enum vigil_err
vigil_device_get(struct vigil_store *st, const char *tenant_id,
    const char *ref, struct vigil_device **out)
{
	*out = NULL;
	READ(st, reg_device_resolve(st, tenant_id, ref, out));
}

/* Registry filter → store filter; the model may be a GTIN spelling. */
static enum vigil_err
make_filter(struct vigil_store *st, const struct vigil_device_filter *f,
    struct store_filter *sf, char gtin[15])
{
	memset(sf, 0, sizeof *sf);
	gtin[0] = '\0';
	if (f == NULL)
		return VIGIL_OK;
	if ((int)f->state < VIGIL_DEV_NONE || (int)f->state > VIGIL_DEV_RETIRED)
		return store_seterr(st, VIGIL_EINVAL, "filter: unknown state "
		    "%d", (int)f->state);
	if ((int)f->id_type < 0 || (int)f->id_type >= VIGIL_ID_TYPE_COUNT)
		return store_seterr(st, VIGIL_EINVAL, "filter: unknown "
		    "identifier type %d", (int)f->id_type);
	if (f->label_value != NULL && f->label_key == NULL)
		return store_seterr(st, VIGIL_EINVAL,
		    "filter: a label value needs a label key");
	sf->state = f->state;
	sf->model = f->model;
	sf->label_key = f->label_key;
	sf->label_value = f->label_value;
	sf->id_type = f->id_type;
	sf->after = f->after;
	sf->limit = f->limit;
	if (f->model != NULL) {
		struct vigil_id *id = malloc(sizeof *id);
		size_t n;

		if (id == NULL)
			return store_seterr(st, VIGIL_ENOMEM,
			    "registry: out of memory");
		if (vigil_id_parse(VIGIL_ID_GTIN, f->model, strlen(f->model),
		    id) == VIGIL_OK && (n = strlen(id->normalized)) <= 14 &&
		    strspn(id->normalized, "0123456789") == n) {
			memset(gtin, '0', 14 - n);
			memcpy(gtin + 14 - n, id->normalized, n);
			gtin[14] = '\0';
			sf->gtin = gtin;
		}
		free(id);
	}
	return VIGIL_OK;
}

static enum vigil_err
list_impl(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, struct vigil_device_list *out)
{
	struct store_filter sf;
	struct idset set = { NULL, 0, 0, 0 };
	char gtin[15];
	enum vigil_err rc;
	size_t limit;

	list_init(out);
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if ((rc = make_filter(st, f, &sf, gtin)) != VIGIL_OK)
		return rc;
	limit = sf.limit == 0 ? VIGIL_LIST_DEFAULT_LIMIT : sf.limit;
	if (limit > VIGIL_LIST_MAX_LIMIT)
		limit = VIGIL_LIST_MAX_LIMIT;
	/* One more than asked tells whether another page follows. */
	sf.limit = limit + 1;
	set.max = limit + 1;
	if ((rc = store_device_list(st, tenant_id, &sf, idset_add, &set)) !=
	    VIGIL_OK) {
		free(set.ids);
		return rc == VIGIL_ENOMEM ? store_seterr(st, rc,
		    "registry: out of memory") : rc;
	}
	rc = load_all(st, tenant_id, &set, set.n > limit ? limit : set.n, out);
	if (rc == VIGIL_OK && set.n > limit)
		memcpy(out->next, set.ids[limit - 1], VIGIL_UUID_STRLEN);
	free(set.ids);
	return rc;
}

enum vigil_err
vigil_device_list(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, struct vigil_device_list *out)
{
	list_init(out);
	READ(st, list_impl(st, tenant_id, f, out));
}

static enum vigil_err
count_impl(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, uint64_t *count)
{
	struct store_filter sf;
	char gtin[15];
	enum vigil_err rc;

	*count = 0;
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if ((rc = make_filter(st, f, &sf, gtin)) != VIGIL_OK)
		return rc;
	return store_device_count(st, tenant_id, &sf, count);
}

enum vigil_err
vigil_device_count(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, uint64_t *count)
{
	*count = 0;
	READ(st, count_impl(st, tenant_id, f, count));
}

enum vigil_err
vigil_device_touch(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t at_ms)
{
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if (device_id == NULL || !reg_is_uuid_shape(device_id))
		return store_seterr(st, VIGIL_EINVAL, "device: not a device id");
	if (at_ms <= 0)
		return store_seterr(st, VIGIL_EINVAL, "device %s: last-seen "
		    "time %lld is not after 1970", device_id,
		    (long long)at_ms);
	return store_device_touch(st, tenant_id, device_id, at_ms);
}

static enum vigil_err
history_impl(struct vigil_store *st, const char *tenant_id,
    const char *ref, int64_t after_seq, size_t limit,
    struct vigil_history *out)
{
	struct vigil_device *d;
	enum vigil_err rc;

	out->n = 0;
	out->items = NULL;
	store_clearerr(st);
	if ((rc = reg_device_resolve(st, tenant_id, ref, &d)) != VIGIL_OK)
		return rc;
	if (limit == 0)
		limit = VIGIL_LIST_DEFAULT_LIMIT;
	if (limit > VIGIL_LIST_MAX_LIMIT)
		limit = VIGIL_LIST_MAX_LIMIT;
	rc = store_history_list(st, tenant_id, d->id, after_seq, limit, out);
	vigil_device_free(d);
	return rc;
}

enum vigil_err
vigil_device_history(struct vigil_store *st, const char *tenant_id,
    const char *ref, int64_t after_seq, size_t limit,
    struct vigil_history *out)
{
	out->n = 0;
	out->items = NULL;
	READ(st, history_impl(st, tenant_id, ref, after_seq, limit, out));
}
