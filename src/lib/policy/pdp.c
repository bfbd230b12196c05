/*
 * The policy decision point: a set of named policies, its index
 * (statements per action, then per resource: a trie on the literal
 * leading levels of topic patterns, lists for the other types) and
 * vigil_pdp_decide (explicit Deny over Allow, default deny).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp_internal.h"
#include "policy_internal.h"

#define PDP_STACK_CANDS 256 /* candidates held on the stack */

enum { RT_TOPIC, RT_FILTER, RT_CLIENT, RT_API, RT_DEVICE, RT_N };

struct pdp_list {
	size_t *v;
	size_t n, cap;
};

struct pdp_node {
	const char *label; /* a literal level, not NUL-terminated */
	size_t llen;
	struct pdp_node **kids; /* sorted by label after build */
	size_t nkids, capkids;
	struct pdp_list here; /* statements whose literal prefix ends here */
};

struct pdp_bucket {
	const char *action; /* exact action; NULL for the wildcard bucket */
	struct pdp_node *trie[2]; /* topic:, topicfilter: */
	struct pdp_list other[RT_N]; /* client:, api:, device: */
	struct pdp_list any; /* resource "*" */
};

struct pdp_stmt {
	const char *policy;
	int index;
	const struct vigil_statement *st;
};

struct pdp_pol {
	char *name;
	struct vigil_policy *p;
};

struct vigil_pdp {
	struct pdp_pol *pols;
	size_t npols, cappols;
	struct pdp_stmt *stmts;
	size_t nstmts;
	struct pdp_bucket *buckets; /* sorted by action after build */
	size_t nbuckets, capbuckets;
	struct pdp_bucket wild; /* action patterns with '*' */
	struct pdp_node **nodes; /* every trie node, for sorting and free */
	size_t nnodes, capnodes;
	int built;
};

static enum vigil_err
list_push(struct pdp_list *l, size_t seq)
{
	if (l->n > 0 && l->v[l->n - 1] == seq)
		return VIGIL_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		size_t *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return VIGIL_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = seq;
	return VIGIL_OK;
}

/* The trie nodes belong to p->nodes (freed in index_clear). */
static void
bucket_clear(struct pdp_bucket *b)
{
	for (int i = 0; i < RT_N; i++)
		free(b->other[i].v);
	free(b->any.v);
	memset(b, 0, sizeof *b);
}

static void
index_clear(struct vigil_pdp *p)
{
	for (size_t i = 0; i < p->nbuckets; i++)
		bucket_clear(&p->buckets[i]);
	free(p->buckets);
	p->buckets = NULL;
	p->nbuckets = p->capbuckets = 0;
	bucket_clear(&p->wild);
	for (size_t i = 0; i < p->nnodes; i++) {
		free(p->nodes[i]->kids);
		free(p->nodes[i]->here.v);
		free(p->nodes[i]);
	}
	free(p->nodes);
	p->nodes = NULL;
	p->nnodes = p->capnodes = 0;
	free(p->stmts);
	p->stmts = NULL;
	p->nstmts = 0;
	p->built = 0;
}

enum vigil_err
vigil_pdp_new(struct vigil_pdp **out)
{
	if (out == NULL)
		return VIGIL_EINVAL;
	*out = calloc(1, sizeof **out);
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

void
vigil_pdp_free(struct vigil_pdp *p)
{
	if (p == NULL)
		return;
	index_clear(p);
	for (size_t i = 0; i < p->npols; i++) {
		free(p->pols[i].name);
		vigil_policy_free(p->pols[i].p);
	}
	free(p->pols);
	free(p);
}

enum vigil_err
vigil_pdp_add(struct vigil_pdp *pdp, const char *name,
    const struct vigil_policy *p)
{
	struct pdp_pol pol;
	enum vigil_err e;

	if (pdp == NULL || name == NULL || p == NULL)
		return VIGIL_EINVAL;
	if (pdp->npols == pdp->cappols) {
		size_t cap = pdp->cappols ? pdp->cappols * 2 : 4;
		struct pdp_pol *v = realloc(pdp->pols, cap * sizeof *v);

		if (v == NULL)
			return VIGIL_ENOMEM;
		pdp->pols = v;
		pdp->cappols = cap;
	}
	pol.name = strdup(name);
	if (pol.name == NULL)
		return VIGIL_ENOMEM;
	e = policy_copy(p, &pol.p);
	if (e != VIGIL_OK) {
		free(pol.name);
		return e;
	}
	pdp->pols[pdp->npols++] = pol;
	pdp->built = 0;
	return VIGIL_OK;
}

/* A new trie node, owned by p->nodes. */
static struct pdp_node *
node_new(struct vigil_pdp *p)
{
	struct pdp_node *c;

	if (p->nnodes == p->capnodes) {
		size_t cap = p->capnodes ? p->capnodes * 2 : 16;
		struct pdp_node **v = realloc(p->nodes,
		    cap * sizeof(struct pdp_node *));

		if (v == NULL)
			return NULL;
		p->nodes = v;
		p->capnodes = cap;
	}
	c = calloc(1, sizeof *c);
	if (c != NULL)
		p->nodes[p->nnodes++] = c;
	return c;
}

static struct pdp_node *
node_child(struct vigil_pdp *p, struct pdp_node *n, const char *label,
    size_t llen)
{
	struct pdp_node *c;

	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->llen == llen &&
		    memcmp(n->kids[i]->label, label, llen) == 0)
			return n->kids[i];
	if (n->nkids == n->capkids) {
		size_t cap = n->capkids ? n->capkids * 2 : 4;
		struct pdp_node **v = realloc(n->kids,
		    cap * sizeof(struct pdp_node *));

		if (v == NULL)
			return NULL;
		n->kids = v;
		n->capkids = cap;
	}
	c = node_new(p);
	if (c == NULL)
		return NULL;
	c->label = label;
	c->llen = llen;
	n->kids[n->nkids++] = c;
	return c;
}

static int
literal_level(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '+' || s[i] == '#' ||
		    (s[i] == '$' && i + 1 < n && s[i + 1] == '{'))
			return 0;
	return 1;
}

/* Files seq under the literal leading levels of topic pattern pat. */
static enum vigil_err
trie_add(struct vigil_pdp *p, struct pdp_node **root, const char *pat,
    size_t seq)
{
	struct pdp_node *n;

	if (*root == NULL && (*root = node_new(p)) == NULL)
		return VIGIL_ENOMEM;
	n = *root;
	for (;;) {
		size_t l = strcspn(pat, "/");
		struct pdp_node *c;

		if (!literal_level(pat, l))
			break;
		c = node_child(p, n, pat, l);
		if (c == NULL)
			return VIGIL_ENOMEM;
		n = c;
		if (pat[l] == '\0')
			break;
		pat += l + 1;
	}
	return list_push(&n->here, seq);
}

static int
rtype(const char *s, size_t n)
{
	static const char *const names[RT_N] = { "topic", "topicfilter",
		"client", "api", "device" };

	for (int i = 0; i < RT_N; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

static enum vigil_err
bucket_add(struct vigil_pdp *p, struct pdp_bucket *b,
    const struct vigil_statement *st, size_t seq)
{
	enum vigil_err e = VIGIL_OK;

	for (size_t i = 0; i < st->nresources && e == VIGIL_OK; i++) {
		const char *r = st->resources[i], *c = strchr(r, ':');
		int t;

		if (strcmp(r, "*") == 0) {
			e = list_push(&b->any, seq);
			continue;
		}
		if (c == NULL || (t = rtype(r, (size_t)(c - r))) < 0)
			continue; /* matches nothing */
		if (t == RT_TOPIC || t == RT_FILTER)
			e = trie_add(p, &b->trie[t], c + 1, seq);
		else
			e = list_push(&b->other[t], seq);
	}
	return e;
}

static struct pdp_bucket *
bucket_get(struct vigil_pdp *p, const char *action)
{
	struct pdp_bucket *b;

	for (size_t i = 0; i < p->nbuckets; i++)
		if (strcmp(p->buckets[i].action, action) == 0)
			return &p->buckets[i];
	if (p->nbuckets == p->capbuckets) {
		size_t cap = p->capbuckets ? p->capbuckets * 2 : 8;

		b = realloc(p->buckets, cap * sizeof *b);
		if (b == NULL)
			return NULL;
		p->buckets = b;
		p->capbuckets = cap;
	}
	b = &p->buckets[p->nbuckets++];
	memset(b, 0, sizeof *b);
	b->action = action;
	return b;
}

static int
node_cmp(const void *a, const void *b)
{
	const struct pdp_node *x = *(const struct pdp_node *const *)a;
	const struct pdp_node *y = *(const struct pdp_node *const *)b;
	size_t n = x->llen < y->llen ? x->llen : y->llen;
	int c = memcmp(x->label, y->label, n);

	if (c != 0)
		return c;
	return (x->llen > y->llen) - (x->llen < y->llen);
}

static int
bucket_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pdp_bucket *)a)->action,
	    ((const struct pdp_bucket *)b)->action);
}

enum vigil_err
vigil_pdp_build(struct vigil_pdp *p)
{
	size_t n = 0, seq = 0;
	enum vigil_err e = VIGIL_OK;

	if (p == NULL)
		return VIGIL_EINVAL;
	index_clear(p);
	for (size_t i = 0; i < p->npols; i++)
		n += p->pols[i].p->nstatements;
	p->stmts = calloc(n > 0 ? n : 1, sizeof *p->stmts);
	if (p->stmts == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < p->npols && e == VIGIL_OK; i++) {
		const struct vigil_policy *pol = p->pols[i].p;

		for (size_t j = 0; j < pol->nstatements && e == VIGIL_OK;
		    j++, seq++) {
			const struct vigil_statement *st = &pol->statements[j];

			p->stmts[seq].policy = p->pols[i].name;
			p->stmts[seq].index = (int)j;
			p->stmts[seq].st = st;
			for (size_t k = 0; k < st->nactions && e == VIGIL_OK;
			    k++) {
				const char *a = st->actions[k];
				struct pdp_bucket *b = strchr(a, '*') != NULL ?
				    &p->wild : bucket_get(p, a);

				e = b != NULL ? bucket_add(p, b, st, seq) :
				    VIGIL_ENOMEM;
			}
		}
	}
	p->nstmts = seq;
	if (e != VIGIL_OK) {
		index_clear(p);
		return e;
	}
	if (p->nbuckets > 1)
		qsort(p->buckets, p->nbuckets, sizeof *p->buckets,
		    bucket_cmp);
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i]->nkids > 1)
			qsort(p->nodes[i]->kids, p->nodes[i]->nkids,
			    sizeof(struct pdp_node *), node_cmp);
	p->built = 1;
	return VIGIL_OK;
}

/* Candidate statement numbers, gathered from the index. */
struct cands {
	size_t *v;
	size_t n, cap;
	size_t stack[PDP_STACK_CANDS];
	int oom;
};

static void
cands_add(struct cands *c, const struct pdp_list *l)
{
	if (l->n == 0 || c->oom)
		return;
	if (c->n + l->n > c->cap) {
		size_t cap = (c->n + l->n) * 2;
		size_t *v = malloc(cap * sizeof *v);

		if (v == NULL) {
			c->oom = 1;
			return;
		}
		memcpy(v, c->v, c->n * sizeof *v);
		if (c->v != c->stack)
			free(c->v);
		c->v = v;
		c->cap = cap;
	}
	memcpy(c->v + c->n, l->v, l->n * sizeof *l->v);
	c->n += l->n;
}

static const struct pdp_node *
node_find(const struct pdp_node *n, const char *label, size_t llen)
{
	size_t lo = 0, hi = n->nkids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pdp_node *k = n->kids[mid];
		size_t m = k->llen < llen ? k->llen : llen;
		int c = memcmp(k->label, label, m);

		if (c == 0)
			c = (k->llen > llen) - (k->llen < llen);
		if (c == 0)
			return k;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
trie_collect(const struct pdp_node *n, const char *t, int filter,
    struct cands *c)
{
	while (n != NULL) {
		size_t l = strcspn(t, "/");

		cands_add(c, &n->here);
		if (filter && l == 1 && (t[0] == '+' || t[0] == '#'))
			return;
		n = node_find(n, t, l);
		if (t[l] == '\0') {
			if (n != NULL)
				cands_add(c, &n->here);
			return;
		}
		t += l + 1;
	}
}

static void
bucket_collect(const struct pdp_bucket *b, const char *resource,
    struct cands *c)
{
	const char *colon = strchr(resource, ':');
	int t = colon != NULL ? rtype(resource,
	    (size_t)(colon - resource)) : -1;

	cands_add(c, &b->any);
	if (t == RT_TOPIC || t == RT_FILTER)
		trie_collect(b->trie[t], colon + 1, t == RT_FILTER, c);
	else if (t >= 0)
		cands_add(c, &b->other[t]);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static int
any_matches(char **pats, size_t n, const char *s,
    const struct vigil_pdp_request *rq, int resource)
{
	for (size_t i = 0; i < n; i++)
		if (resource ? pdp_resource_matches(pats[i], rq) :
		    pdp_action_matches(pats[i], s))
			return 1;
	return 0;
}

static void
say_who(struct vigil_decision *out, const struct pdp_stmt *s,
    const char *verb)
{
	out->effect = s->st->effect;
	out->policy = s->policy;
	out->statement = s->index;
	out->sid = s->st->sid != NULL ? s->st->sid : "";
	if (out->sid[0] != '\0')
		snprintf(out->reason, sizeof out->reason, "%s by %s[%d] (%s)",
		    verb, s->policy, s->index, out->sid);
	else
		snprintf(out->reason, sizeof out->reason, "%s by %s[%d]",
		    verb, s->policy, s->index);
}

enum vigil_err
vigil_pdp_decide(const struct vigil_pdp *pdp,
    const struct vigil_pdp_request *rq, struct vigil_decision *out)
{
	struct cands c;
	const struct pdp_bucket *b = NULL;
	const struct pdp_stmt *allow = NULL;
	char why[sizeof out->reason] = "";
	size_t last = (size_t)-1;

	if (out == NULL)
		return VIGIL_EINVAL;
	memset(out, 0, sizeof *out);
	out->effect = VIGIL_EFFECT_DENY;
	out->policy = "";
	out->statement = -1;
	out->sid = "";
	if (pdp == NULL || rq == NULL || rq->action == NULL ||
	    rq->resource == NULL) {
		snprintf(out->reason, sizeof out->reason,
		    "invalid request (default deny)");
		return VIGIL_EINVAL;
	}
	if (!pdp->built) {
		snprintf(out->reason, sizeof out->reason,
		    "policy set not built (default deny)");
		return VIGIL_ESTATE;
	}
	memset(&c, 0, sizeof c);
	c.v = c.stack;
	c.cap = PDP_STACK_CANDS;
	if (pdp->nbuckets > 0) {
		struct pdp_bucket key;

		memset(&key, 0, sizeof key);
		key.action = rq->action;
		b = bsearch(&key, pdp->buckets, pdp->nbuckets,
		    sizeof *pdp->buckets, bucket_cmp);
	}
	if (b != NULL)
		bucket_collect(b, rq->resource, &c);
	bucket_collect(&pdp->wild, rq->resource, &c);
	if (c.oom) {
		if (c.v != c.stack)
			free(c.v);
		snprintf(out->reason, sizeof out->reason,
		    "out of memory (default deny)");
		return VIGIL_ENOMEM;
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, size_cmp);
	for (size_t i = 0; i < c.n; i++) {
		const struct pdp_stmt *s = &pdp->stmts[c.v[i]];
		int deny = s->st->effect == VIGIL_EFFECT_DENY;

		if (c.v[i] == last)
			continue;
		last = c.v[i];
		if (!deny && allow != NULL)
			continue; /* only a Deny can change the outcome */
		if (!any_matches(s->st->actions, s->st->nactions, rq->action,
		    rq, 0) || !any_matches(s->st->resources,
		    s->st->nresources, NULL, rq, 1))
			continue;
		if (!pdp_conds_hold(s->st, rq,
		    deny || why[0] != '\0' ? NULL : why, sizeof why))
			continue;
		if (deny) {
			allow = NULL;
			say_who(out, s, "denied");
			break;
		}
		allow = s;
	}
	if (c.v != c.stack)
		free(c.v);
	if (out->statement >= 0)
		return VIGIL_OK;
	if (allow != NULL)
		say_who(out, allow, "allowed");
	else if (why[0] != '\0')
		snprintf(out->reason, sizeof out->reason, "%s", why);
	else
		snprintf(out->reason, sizeof out->reason,
		    "no statement allows %s on %s (default deny)",
		    rq->action, rq->resource);
	return VIGIL_OK;
}
