/*
 * vigil_policy_lint: flags over-permissive or dead statements in a
 * parsed policy, in the manner of an AWS IoT Device Defender audit.
 * Findings come out most severe first (one pass per severity, so no
 * list is built and nothing can fail for memory).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

struct lint {
	const struct vigil_policy *p;
	void (*cb)(void *ctx, const struct vigil_lint_finding *f);
	void *ctx;
	size_t n;
	enum vigil_lint_severity pass;
};

static void emit(struct lint *l, enum vigil_lint_severity sev,
    const char *code, size_t si, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
emit(struct lint *l, enum vigil_lint_severity sev, const char *code,
    size_t si, const char *fmt, ...)
{
	const struct vigil_statement *s = &l->p->statements[si];
	struct vigil_lint_finding f;
	va_list ap;
	int off;

	if (sev != l->pass)
		return;
	memset(&f, 0, sizeof f);
	f.severity = sev;
	f.code = code;
	f.statement = (int)si;
	if (s->sid != NULL && s->sid[0] != '\0')
		off = snprintf(f.message, sizeof f.message,
		    "Statement[%zu] (%s): ", si, s->sid);
	else
		off = snprintf(f.message, sizeof f.message,
		    "Statement[%zu]: ", si);
	if (off < 0)
		off = 0;
	if ((size_t)off < sizeof f.message) {
		va_start(ap, fmt);
		(void)vsnprintf(f.message + off, sizeof f.message - (size_t)off,
		    fmt, ap);
		va_end(ap);
	}
	l->n++;
	if (l->cb != NULL)
		l->cb(l->ctx, &f);
}

/* Body of a topic: or topicfilter: resource, NULL for other types. */
static const char *
topic_body(const char *r)
{
	if (strncmp(r, "topic:", 6) == 0)
		return r + 6;
	if (strncmp(r, "topicfilter:", 12) == 0)
		return r + 12;
	return NULL;
}

static int
has_scope_var(const char *s, int cert)
{
	return strstr(s, "${device.id}") != NULL ||
	    strstr(s, "${client.id}") != NULL ||
	    (cert && strstr(s, "${cert.urn}") != NULL);
}

/* 1 when the filter reaches across devices: a leading "#" or "+"
 * level, or a "#" with no ${device.id}/${client.id} level before it. */
static int
topic_unscoped(const char *t)
{
	const char *hash;
	size_t before;
	char *pre;
	int scoped;

	if ((t[0] == '#' || t[0] == '+') && (t[1] == '\0' || t[1] == '/'))
		return 1;
	hash = strstr(t, "/#");
	if (hash == NULL || hash[2] != '\0')
		return 0;
	before = (size_t)(hash - t);
	pre = strndup(t, before);
	if (pre == NULL)
		return 1; /* fail towards flagging */
	scoped = has_scope_var(pre, 0);
	free(pre);
	return !scoped;
}

static int
is_numeric_op(enum vigil_cond_op op)
{
	return op >= VIGIL_COND_NUMERIC_EQUALS &&
	    op <= VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS;
}

static int
is_negative_op(enum vigil_cond_op op)
{
	return op == VIGIL_COND_STRING_NOT_EQUALS ||
	    op == VIGIL_COND_STRING_NOT_LIKE ||
	    op == VIGIL_COND_NUMERIC_NOT_EQUALS ||
	    op == VIGIL_COND_NOT_IP_ADDRESS ||
	    op == VIGIL_COND_DATE_NOT_EQUALS;
}

/* Numeric bounds on one key across a statement's conditions (which
 * all must hold; within one condition any value may match, so a
 * condition's own bound is its weakest value). */
static void
lint_bounds(struct lint *l, size_t si, const char *key)
{
	const struct vigil_statement *s = &l->p->statements[si];
	double lo = 0, hi = 0;
	int has_lo = 0, has_hi = 0, lo_strict = 0, hi_strict = 0;

	for (size_t j = 0; j < s->nconds; j++) {
		const struct vigil_cond *c = &s->conds[j];
		int gt = c->op == VIGIL_COND_NUMERIC_GREATER_THAN ||
		    c->op == VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS;
		int lt = c->op == VIGIL_COND_NUMERIC_LESS_THAN ||
		    c->op == VIGIL_COND_NUMERIC_LESS_THAN_EQUALS;
		double b = 0;

		if (strcmp(c->key, key) != 0 || c->nvalues == 0 ||
		    !(gt || lt))
			continue;
		for (size_t k = 0; k < c->nvalues; k++) {
			double v = strtod(c->values[k], NULL);

			if (k == 0 || (gt && v < b) || (lt && v > b))
				b = v;
		}
		if (gt && (!has_lo || b > lo || (b == lo &&
		    c->op == VIGIL_COND_NUMERIC_GREATER_THAN))) {
			lo = b;
			lo_strict = c->op == VIGIL_COND_NUMERIC_GREATER_THAN;
			has_lo = 1;
		}
		if (lt && (!has_hi || b < hi || (b == hi &&
		    c->op == VIGIL_COND_NUMERIC_LESS_THAN))) {
			hi = b;
			hi_strict = c->op == VIGIL_COND_NUMERIC_LESS_THAN;
			has_hi = 1;
		}
	}
	if (has_lo && has_hi &&
	    (lo > hi || (lo == hi && (lo_strict || hi_strict))))
		emit(l, VIGIL_LINT_WARNING, "condition-never-true", si,
		    "%s must be %s %g and %s %g at once: never true", key,
		    lo_strict ? ">" : ">=", lo, hi_strict ? "<" : "<=", hi);
}

static void
lint_conditions(struct lint *l, size_t si)
{
	const struct vigil_statement *s = &l->p->statements[si];

	for (size_t j = 0; j < s->nconds; j++) {
		const struct vigil_cond *c = &s->conds[j];
		int first = 1;

		if (c->nvalues == 0 && !is_negative_op(c->op))
			emit(l, VIGIL_LINT_WARNING, "condition-never-true",
			    si, "%s on %s has an empty value list: never "
			    "true", vigil_cond_op_name(c->op), c->key);
		if (!is_numeric_op(c->op))
			continue;
		/* Once per key: at its first numeric condition. */
		for (size_t k = 0; k < j; k++)
			if (is_numeric_op(s->conds[k].op) &&
			    strcmp(s->conds[k].key, c->key) == 0)
				first = 0;
		if (first)
			lint_bounds(l, si, c->key);
	}
}

/* 1 when action pattern d covers every action a names. */
static int
action_covers(const char *d, const char *a)
{
	size_t n = strlen(d);

	if (strcmp(d, "*") == 0 || strcmp(d, a) == 0)
		return 1;
	return n > 2 && strcmp(d + n - 2, ":*") == 0 &&
	    strncmp(d, a, n - 1) == 0;
}

/* 1 when resource pattern d covers r: equal, "*", or a whole-tree
 * "#" filter of the same type. */
static int
resource_covers(const char *d, const char *r)
{
	const char *dt = topic_body(d), *rt = topic_body(r);

	if (strcmp(d, "*") == 0 || strcmp(d, r) == 0)
		return 1;
	return dt != NULL && rt != NULL && strcmp(dt, "#") == 0 &&
	    (size_t)(dt - d) == (size_t)(rt - r) &&
	    strncmp(d, r, (size_t)(dt - d)) == 0 && rt[0] != '$';
}

static int
list_covered(char *const *d, size_t nd, char *const *v, size_t nv,
    int (*covers)(const char *, const char *))
{
	for (size_t i = 0; i < nv; i++) {
		size_t j;

		for (j = 0; j < nd; j++)
			if (covers(d[j], v[i]))
				break;
		if (j == nd)
			return 0;
	}
	return 1;
}

/* An Allow that an unconditional Deny covers entirely never applies. */
static void
lint_shadowed(struct lint *l, size_t si)
{
	const struct vigil_statement *s = &l->p->statements[si];

	for (size_t j = 0; j < l->p->nstatements; j++) {
		const struct vigil_statement *d = &l->p->statements[j];

		if (d->effect != VIGIL_EFFECT_DENY || d->nconds != 0)
			continue;
		if (!list_covered(d->actions, d->nactions, s->actions,
		    s->nactions, action_covers) ||
		    !list_covered(d->resources, d->nresources, s->resources,
		    s->nresources, resource_covers))
			continue;
		emit(l, VIGIL_LINT_WARNING, "deny-shadowed", si,
		    "Allow on '%s' never applies: Statement[%zu]%s%s%s denies "
		    "all of it unconditionally", s->resources[0], j,
		    d->sid[0] != '\0' ? " (" : "", d->sid,
		    d->sid[0] != '\0' ? ")" : "");
		return;
	}
}

static void
lint_statement(struct lint *l, size_t si)
{
	const struct vigil_statement *s = &l->p->statements[si];

	lint_conditions(l, si);
	if (s->effect != VIGIL_EFFECT_ALLOW)
		return;
	for (size_t i = 0; i < s->nactions; i++)
		if (strcmp(s->actions[i], "*") == 0 ||
		    strcmp(s->actions[i], "mqtt:*") == 0) {
			emit(l, VIGIL_LINT_CRITICAL, "allow-any-action", si,
			    "Allow on action '%s' grants every action",
			    s->actions[i]);
			break;
		}
	for (size_t i = 0; i < s->nresources; i++) {
		const char *r = s->resources[i];
		const char *t = topic_body(r);

		if (strcmp(r, "*") == 0) {
			emit(l, VIGIL_LINT_CRITICAL, "allow-any-resource", si,
			    "Allow on resource '*' grants every resource");
			continue;
		}
		if (t != NULL && topic_unscoped(t)) {
			emit(l, VIGIL_LINT_CRITICAL,
			    "wildcard-topic-unscoped", si, "Allow on '%s' "
			    "reaches other devices' topics (wildcard not "
			    "under ${device.id} or ${client.id})", r);
			continue;
		}
		if ((t != NULL || strncmp(r, "client:", 7) == 0) &&
		    !has_scope_var(r, 1))
			emit(l, VIGIL_LINT_WARNING, "missing-device-scope",
			    si, "Allow on '%s' is not scoped by "
			    "${device.id}, ${client.id} or ${cert.urn}", r);
	}
	lint_shadowed(l, si);
}

size_t
vigil_policy_lint(const struct vigil_policy *p,
    void (*cb)(void *ctx, const struct vigil_lint_finding *f), void *ctx)
{
	struct lint l = { p, cb, ctx, 0, VIGIL_LINT_CRITICAL };

	if (p == NULL)
		return 0;
	for (int sev = VIGIL_LINT_CRITICAL; sev >= VIGIL_LINT_INFO; sev--) {
		l.pass = (enum vigil_lint_severity)sev;
		for (size_t i = 0; i < p->nstatements; i++)
			lint_statement(&l, i);
	}
	return l.n;
}

const char *
vigil_lint_severity_name(enum vigil_lint_severity s)
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

json_t *
vigil_lint_finding_to_json(const struct vigil_lint_finding *f)
{
	return json_pack("{s:s, s:s, s:o, s:s}", "severity",
	    vigil_lint_severity_name(f->severity), "code", f->code,
	    "statement", f->statement < 0 ? json_null() :
	    json_integer(f->statement), "message", f->message);
}
