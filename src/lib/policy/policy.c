/*
 * Policy document lifetime: operator names, free and deep copy
 * (include/vigil/policy.h, policy_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

const char *const policy_op_names[] = {
	"",
	"StringEquals",
	"StringNotEquals",
	"StringLike",
	"StringNotLike",
	"NumericEquals",
	"NumericNotEquals",
	"NumericLessThan",
	"NumericLessThanEquals",
	"NumericGreaterThan",
	"NumericGreaterThanEquals",
	"Bool",
	"IpAddress",
	"NotIpAddress",
	"DateEquals",
	"DateNotEquals",
	"DateLessThan",
	"DateLessThanEquals",
	"DateGreaterThan",
	"DateGreaterThanEquals",
};

const char *
vigil_cond_op_name(enum vigil_cond_op op)
{
	if ((int)op < 1 || (int)op > POLICY_OP_MAX)
		return "";
	return policy_op_names[op];
}

static void
free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
vigil_policy_free(struct vigil_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nstatements; i++) {
		struct vigil_statement *s = &p->statements[i];

		free(s->sid);
		free_strv(s->actions, s->nactions);
		free_strv(s->resources, s->nresources);
		for (size_t j = 0; j < s->nconds; j++) {
			free(s->conds[j].key);
			free_strv(s->conds[j].values, s->conds[j].nvalues);
		}
		free(s->conds);
	}
	free(p->statements);
	free(p->version);
	free(p);
}

static int
copy_strv(char **src, size_t n, char ***out)
{
	char **v;

	*out = NULL;
	if (n == 0)
		return 0;
	v = calloc(n, sizeof *v);
	if (v == NULL)
		return -1;
	*out = v;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (v[i] == NULL)
			return -1;
	}
	return 0;
}

static int
copy_statement(const struct vigil_statement *s, struct vigil_statement *d)
{
	d->effect = s->effect;
	d->sid = strdup(s->sid != NULL ? s->sid : "");
	if (d->sid == NULL)
		return -1;
	d->nactions = s->nactions;
	if (copy_strv(s->actions, s->nactions, &d->actions) != 0)
		return -1;
	d->nresources = s->nresources;
	if (copy_strv(s->resources, s->nresources, &d->resources) != 0)
		return -1;
	if (s->nconds == 0)
		return 0;
	d->conds = calloc(s->nconds, sizeof *d->conds);
	if (d->conds == NULL)
		return -1;
	d->nconds = s->nconds;
	for (size_t j = 0; j < s->nconds; j++) {
		const struct vigil_cond *c = &s->conds[j];
		struct vigil_cond *e = &d->conds[j];

		e->op = c->op;
		e->nvalues = c->nvalues;
		e->key = strdup(c->key);
		if (e->key == NULL)
			return -1;
		if (copy_strv(c->values, c->nvalues, &e->values) != 0)
			return -1;
	}
	return 0;
}

enum vigil_err
policy_copy(const struct vigil_policy *src, struct vigil_policy **out)
{
	struct vigil_policy *p;

	*out = NULL;
	if (src == NULL)
		return VIGIL_EINVAL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return VIGIL_ENOMEM;
	p->version = strdup(src->version != NULL ? src->version : "");
	if (p->version == NULL)
		goto oom;
	if (src->nstatements > 0) {
		p->statements = calloc(src->nstatements,
		    sizeof *p->statements);
		if (p->statements == NULL)
			goto oom;
	}
	for (size_t i = 0; i < src->nstatements; i++) {
		/* Counted as it goes so that free sees only what is set. */
		p->nstatements = i + 1;
		if (copy_statement(&src->statements[i],
		    &p->statements[i]) != 0)
			goto oom;
	}
	*out = p;
	return VIGIL_OK;
oom:
	vigil_policy_free(p);
	return VIGIL_ENOMEM;
}
