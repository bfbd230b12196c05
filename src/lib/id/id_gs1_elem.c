/*
 * The list of validated GS1 elements (AI + value) that element strings
 * and Digital Link URIs parse into: duplicate and pair checks, the
 * match key, the fields, and the three renderings (bracketed, data
 * with FNC1, Digital Link). Keeping them here means an element string
 * and the equivalent Digital Link cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "id_gs1.h"

void
gs1_elems_init(struct gs1_elems *es, const char *title, const char *in,
    size_t len)
{
	char q[ID_QUOTE_SIZE];

	es->n = 0;
	es->year = gs1_current_year();
	/* id_quote_uri: a Digital Link with "user:password@" is refused,
	 * and its messages must not repeat the password. Element strings
	 * never have the "scheme://" it looks for. */
	snprintf(es->prefix, sizeof es->prefix, "%s %s", title,
	    id_quote_uri(in, len, q, sizeof q));
}

static int
find_ai(const struct gs1_elems *es, const char *ai, size_t n)
{
	for (size_t i = 0; i < es->n; i++)
		if (id_str_eq(ai, n, es->e[i].ai->ai))
			return (int)i;
	return -1;
}

enum vigil_err
gs1_elems_add(struct gs1_elems *es, const struct gs1_ai *a, size_t aipos,
    const char *v, size_t n, size_t vpos, const uint16_t *pos,
    struct vigil_id *out)
{
	struct gs1_elem *e;
	char why[160];
	size_t off;

	if (find_ai(es, a->ai, strlen(a->ai)) >= 0)
		return id_fail(out, "%s: duplicate AI (%s) at position %zu",
		    es->prefix, a->ai, aipos);
	if (es->n >= GS1_MAX_ELEMS)
		return id_fail(out, "%s: more than %d AIs at position %zu",
		    es->prefix, GS1_MAX_ELEMS, aipos);
	if (!gs1_ai_validate(a, v, n, es->year, why, sizeof why, &off)) {
		if (off == SIZE_MAX)
			return id_fail(out, "%s: AI (%s) %s", es->prefix, a->ai,
			    why);
		return id_fail(out, "%s: AI (%s) %s at position %zu",
		    es->prefix, a->ai, why,
		    pos != NULL ? (size_t)pos[off] : vpos + off);
	}
	e = &es->e[es->n++];
	e->ai = a;
	e->aipos = aipos;
	e->len = n;
	e->path = false;
	memcpy(e->val, v, n);
	e->val[n] = '\0';
	for (size_t i = 0; i < n; i++)
		e->pos[i] = pos != NULL ? pos[i] : (uint16_t)(vpos + i);
	return VIGIL_OK;
}

/* Steps through a space-separated AI list; false at the end. */
static bool
next_tok(const char **p, const char **tok, size_t *n)
{
	while (**p == ' ')
		(*p)++;
	if (**p == '\0' || **p == '|')
		return false;
	*tok = *p;
	while (**p != '\0' && **p != ' ' && **p != '|')
		(*p)++;
	*n = (size_t)(*p - *tok);
	return true;
}

/* "(01) or (8006)" from "01 8006". */
static void
ai_list(const char *list, const char *sep_last, char *dst, size_t size)
{
	const char *p = list, *t;
	size_t n, o = 0, count = 0, total = 0;

	while (next_tok(&p, &t, &n))
		total++;
	p = list;
	dst[0] = '\0';
	while (next_tok(&p, &t, &n)) {
		const char *sep = count == 0 ? "" :
		    count + 1 == total ? sep_last : ", ";
		int w = snprintf(dst + o, size - o, "%s(%.*s)", sep, (int)n, t);

		if (w < 0 || (size_t)w >= size - o)
			return;
		o += (size_t)w;
		count++;
	}
}

enum vigil_err
gs1_elems_check_pairs(const struct gs1_elems *es, struct vigil_id *out)
{
	for (size_t i = 0; i < es->n; i++) {
		const struct gs1_ai *a = es->e[i].ai;
		const char *p, *t;
		size_t n;
		bool found = false;
		char list[80];

		p = a->ex != NULL ? a->ex : "";
		while (next_tok(&p, &t, &n)) {
			int j = find_ai(es, t, n);

			if (j >= 0 && (size_t)j > i)
				return id_fail(out, "%s: AI (%s) at position "
				    "%zu and AI (%.*s) at position %zu cannot "
				    "be used together", es->prefix, a->ai,
				    es->e[i].aipos, (int)n, t, es->e[j].aipos);
			if (j >= 0)
				return id_fail(out, "%s: AI (%.*s) at position "
				    "%zu and AI (%s) at position %zu cannot be "
				    "used together", es->prefix, (int)n, t,
				    es->e[j].aipos, a->ai, es->e[i].aipos);
		}
		if (a->req == NULL)
			continue;
		p = a->req;
		while (!found && next_tok(&p, &t, &n))
			found = find_ai(es, t, n) >= 0;
		if (!found) {
			ai_list(a->req, " or ", list, sizeof list);
			return id_fail(out, "%s: AI (%s) at position %zu "
			    "requires AI %s", es->prefix, a->ai, es->e[i].aipos,
			    list);
		}
	}
	return VIGIL_OK;
}

int
gs1_elems_dl_key(const struct gs1_elems *es)
{
	for (size_t i = 0; i < es->n; i++)
		if (es->e[i].ai->dl != NULL)
			return (int)i;
	return -1;
}

/* ---- Digital Link key qualifiers --------------------------------- */

size_t
gs1_dl_nalts(const struct gs1_ai *k)
{
	size_t n = 1;

	if (k->dl == NULL || k->dl[0] == '\0')
		return 0;
	for (const char *p = k->dl; *p; p++)
		if (*p == '|')
			n++;
	return n;
}

/* Start of alternative alt in k->dl. */
static const char *
alt_start(const struct gs1_ai *k, size_t alt)
{
	const char *p = k->dl;

	if (p == NULL)
		return NULL;
	while (alt > 0 && (p = strchr(p, '|')) != NULL) {
		p++;
		alt--;
	}
	return p;
}

int
gs1_dl_qual_index(const struct gs1_ai *k, size_t alt, const char *q,
    size_t qn)
{
	const char *p, *t;
	size_t n;
	int idx = 0;

	if (alt >= gs1_dl_nalts(k) || (p = alt_start(k, alt)) == NULL)
		return -1;
	while (next_tok(&p, &t, &n)) {
		if (n == qn && memcmp(t, q, n) == 0)
			return idx;
		idx++;
	}
	return -1;
}

/* True when AI a is a qualifier of key k in alternative alt. */
static bool
in_alt(const struct gs1_ai *k, size_t alt, const struct gs1_ai *a)
{
	return gs1_dl_qual_index(k, alt, a->ai, strlen(a->ai)) >= 0;
}

/* True when alternative alt of key k holds every element marked path. */
static bool
alt_holds_path(const struct gs1_elems *es, const struct gs1_ai *k,
    size_t alt)
{
	for (size_t i = 0; i < es->n; i++)
		if (es->e[i].path && !in_alt(k, alt, es->e[i].ai))
			return false;
	return true;
}

bool
gs1_dl_fits_path(const struct gs1_ai *k, const struct gs1_elems *es,
    const struct gs1_ai *q)
{
	size_t nalts = gs1_dl_nalts(k);

	for (size_t alt = 0; alt < nalts; alt++)
		if (in_alt(k, alt, q) && alt_holds_path(es, k, alt))
			return true;
	return false;
}

void
gs1_elems_plan_path(struct gs1_elems *es, int kidx)
{
	const struct gs1_ai *k = es->e[kidx].ai;
	size_t nalts = gs1_dl_nalts(k), best = 0, best_n = 0;

	for (size_t i = 0; i < es->n; i++)
		es->e[i].path = false;
	for (size_t alt = 0; alt < nalts; alt++) {
		size_t cnt = 0;

		for (size_t i = 0; i < es->n; i++)
			if (in_alt(k, alt, es->e[i].ai))
				cnt++;
		if (cnt > best_n) {
			best = alt;
			best_n = cnt;
		}
	}
	if (best_n == 0)
		return;
	for (size_t i = 0; i < es->n; i++)
		if (in_alt(k, best, es->e[i].ai))
			es->e[i].path = true;
}

void
gs1_dl_qual_list(const struct gs1_ai *k, char *dst, size_t size)
{
	size_t nalts = gs1_dl_nalts(k), o = 0;

	dst[0] = '\0';
	for (size_t alt = 0; alt < nalts; alt++) {
		const char *p = alt_start(k, alt), *t;
		size_t n, i = 0;
		int w;

		if (alt > 0) {
			w = snprintf(dst + o, size - o, " or ");
			if (w < 0 || (size_t)w >= size - o)
				return;
			o += (size_t)w;
		}
		while (p != NULL && next_tok(&p, &t, &n)) {
			w = snprintf(dst + o, size - o, "%s(%.*s)",
			    i++ ? ", " : "", (int)n, t);
			if (w < 0 || (size_t)w >= size - o)
				return;
			o += (size_t)w;
		}
	}
}

/* ---- renderings --------------------------------------------------- */

/* Bounded writer: ok turns false when the output does not fit. */
struct sink {
	char *p;
	size_t size;
	size_t len;
	bool ok;
};

static void
sink_init(struct sink *s, char *dst, size_t size)
{
	s->p = dst;
	s->size = size;
	s->len = 0;
	s->ok = size > 0;
	if (s->ok)
		dst[0] = '\0';
}

static void
put(struct sink *s, const char *src, size_t n)
{
	if (!s->ok)
		return;
	if (s->len + n >= s->size) {
		s->ok = false;
		return;
	}
	memcpy(s->p + s->len, src, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void
puts_(struct sink *s, const char *src)
{
	put(s, src, strlen(src));
}

/* RFC 3986 unreserved characters pass; every other byte is %XX. */
static void
put_pct(struct sink *s, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char enc[3];

		if (id_is_unreserved(v[i])) {
			put(s, v + i, 1);
			continue;
		}
		id_pct_encode((unsigned char)v[i], enc);
		put(s, enc, 3);
	}
}

bool
gs1_render_bracketed(const struct gs1_elems *es, char *dst, size_t size)
{
	struct sink s;

	sink_init(&s, dst, size);
	for (size_t i = 0; i < es->n; i++) {
		const struct gs1_elem *e = &es->e[i];

		put(&s, "(", 1);
		puts_(&s, e->ai->ai);
		put(&s, ")", 1);
		for (size_t j = 0; j < e->len; j++) {
			if (e->val[j] == '(')
				put(&s, "\\", 1);
			put(&s, &e->val[j], 1);
		}
	}
	return s.ok;
}

bool
gs1_render_data(const struct gs1_elems *es, char *dst, size_t size)
{
	struct sink s;

	sink_init(&s, dst, size);
	put(&s, "^", 1);
	for (size_t i = 0; i < es->n; i++) {
		const struct gs1_elem *e = &es->e[i];

		puts_(&s, e->ai->ai);
		put(&s, e->val, e->len);
		if (e->ai->fnc1 && i + 1 < es->n)
			put(&s, "^", 1);
	}
	return s.ok;
}

/* Index of the alternative of key k that holds every path element. */
static size_t
path_alt(const struct gs1_elems *es, const struct gs1_ai *k)
{
	size_t nalts = gs1_dl_nalts(k);

	for (size_t alt = 0; alt < nalts; alt++)
		if (alt_holds_path(es, k, alt))
			return alt;
	return 0;
}

/* Inserts element i into order[0..n), which stays sorted by AI. */
static void
insert_by_ai(const struct gs1_elems *es, size_t *order, size_t n, size_t i)
{
	size_t j;

	for (j = n; j > 0 && strcmp(es->e[order[j - 1]].ai->ai,
	    es->e[i].ai->ai) > 0; j--)
		order[j] = order[j - 1];
	order[j] = i;
}

bool
gs1_render_dl(const struct gs1_elems *es, int kidx, const char *base,
    char *dst, size_t size)
{
	const struct gs1_ai *k = es->e[kidx].ai;
	size_t alt = path_alt(es, k), order[GS1_MAX_ELEMS], nq = 0;
	struct sink s;

	sink_init(&s, dst, size);
	puts_(&s, base);
	put(&s, "/", 1);
	puts_(&s, k->ai);
	put(&s, "/", 1);
	put_pct(&s, es->e[kidx].val, es->e[kidx].len);
	/* Qualifiers in the order of their alternative (every alternative
	 * is far shorter than GS1_MAX_ELEMS). */
	for (int qi = 0; qi < GS1_MAX_ELEMS; qi++) {
		for (size_t i = 0; i < es->n; i++) {
			const struct gs1_elem *e = &es->e[i];

			if (!e->path || (int)i == kidx ||
			    gs1_dl_qual_index(k, alt, e->ai->ai,
			    strlen(e->ai->ai)) != qi)
				continue;
			put(&s, "/", 1);
			puts_(&s, e->ai->ai);
			put(&s, "/", 1);
			put_pct(&s, e->val, e->len);
		}
	}
	/* Everything else in the query, sorted by AI. */
	for (size_t i = 0; i < es->n; i++)
		if (!es->e[i].path && (int)i != kidx)
			insert_by_ai(es, order, nq++, i);
	for (size_t j = 0; j < nq; j++) {
		const struct gs1_elem *e = &es->e[order[j]];

		put(&s, j == 0 ? "?" : "&", 1);
		puts_(&s, e->ai->ai);
		put(&s, "=", 1);
		put_pct(&s, e->val, e->len);
	}
	return s.ok;
}

/* ---- match key and fields ---------------------------------------- */

/* The AI that serialises instances of key k, NULL when none. */
static int
serial_of(const struct gs1_elems *es, const struct gs1_ai *k)
{
	static const char *const pairs[][2] = {
		{ "01", "21" }, { "01", "235" }, { "414", "254" },
		{ "8006", "21" }, { "8010", "8011" },
	};

	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		int j;

		if (strcmp(pairs[i][0], k->ai) != 0)
			continue;
		j = find_ai(es, pairs[i][1], strlen(pairs[i][1]));
		if (j >= 0)
			return j;
	}
	return -1;
}

void
gs1_elems_set_key(const struct gs1_elems *es, struct vigil_id *out)
{
	int k = gs1_elems_dl_key(es), q;
	size_t order[GS1_MAX_ELEMS];
	struct sink s;

	if (k >= 0) {
		const struct gs1_elem *ke = &es->e[k];

		q = serial_of(es, ke->ai);
		if (q < 0 && strcmp(ke->ai->ai, "01") == 0)
			id_set_key(out, "gtin:%s", ke->val);
		else if (q < 0)
			id_set_key(out, "gs1:(%s)%s", ke->ai->ai, ke->val);
		else
			id_set_key(out, "gs1:(%s)%s(%s)%s", ke->ai->ai,
			    ke->val, es->e[q].ai->ai, es->e[q].val);
		return;
	}
	/* No identification key: the whole string is the identity, in a
	 * canonical (sorted) order so that the spelling does not matter. */
	for (size_t i = 0; i < es->n; i++)
		insert_by_ai(es, order, i, i);
	sink_init(&s, out->match_key, sizeof out->match_key);
	puts_(&s, "gs1:");
	for (size_t i = 0; i < es->n; i++) {
		const struct gs1_elem *e = &es->e[order[i]];

		put(&s, "(", 1);
		puts_(&s, e->ai->ai);
		put(&s, ")", 1);
		put(&s, e->val, e->len);
	}
}

void
gs1_elems_add_fields(const struct gs1_elems *es, struct vigil_id *out)
{
	for (size_t i = 0; i < es->n; i++) {
		const struct gs1_elem *e = &es->e[i];
		char date[11];

		id_add_field(out, e->ai->field, "%s", e->val);
		if (gs1_ai_date(e->ai, e->val, e->len, es->year, date))
			id_add_field(out, e->ai->date_field, "%s", date);
	}
}
