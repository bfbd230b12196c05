/*
 * The NVD part of matching: configurations evaluated as written, in
 * three states (true, false, unknown). vulnerable:true entries are
 * tested against the component's CPE (name by vigil_cpe_match, then
 * version bounds or the exact criteria version under the generic
 * scheme); vulnerable:false entries are "running on/with" platforms and
 * are tested against the device model's platform CPEs only, unknown
 * when none are known. The record relates to the component only when
 * a vulnerable:true entry names the component's part:vendor:product;
 * platform entries never produce a finding on their own.
 *
 * Three-state logic: AND is false when any operand is, else unknown
 * when any is; OR is true when any operand is, else unknown when any
 * is; negate swaps true and false and keeps unknown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vuln.h"
#include "match_internal.h"

enum tri { T_FALSE = 0, T_TRUE = 1, T_UNK = 2 };

#define NOTE_ARGS 8
#define NOTE_ARG_MAX 64
struct pnote {
	const char *fmt; /* NULL: none yet */
	size_t n;
	char arg[NOTE_ARGS][NOTE_ARG_MAX + 1];
};

struct nctx {
	const struct vigil_mcomp *c;
	const struct vigil_platform *plat;
	const char *name;
	char v[VIGIL_VERSION_MAX + 1]; /* the component's version */
	int v_ok;                      /* valid under the generic scheme */
	/* First reason of each state within the configuration being
	 * evaluated, kept unformatted (most are never shown). */
	struct pnote why[3];
	struct mpart *out; /* for fixed */
	int related; /* a vulnerable entry names the component's product */
};

/*
 * Notes a reason for state t unless one is noted already. The format
 * takes strings only ("%s", "%.64s"); they are copied (cut at 64
 * bytes) and the text is put together only when it is the result's
 * reason (note_render).
 */
static void
note(struct nctx *x, enum tri t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct nctx *x, enum tri t, const char *fmt, ...)
{
	struct pnote *p = &x->why[t];
	va_list ap;

	if (p->fmt != NULL)
		return;
	p->fmt = fmt;
	p->n = 0;
	va_start(ap, fmt);
	for (const char *f = fmt; *f != '\0'; f++) {
		const char *a;
		size_t len;

		if (*f != '%')
			continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		a = va_arg(ap, const char *);
		if (p->n >= NOTE_ARGS)
			continue;
		a = a != NULL ? a : "";
		len = strnlen(a, NOTE_ARG_MAX);
		memcpy(p->arg[p->n], a, len);
		p->arg[p->n++][len] = '\0';
	}
	va_end(ap);
}

static void
note_render(const struct pnote *p, char *out, size_t outsize)
{
	size_t j = 0, k = 0;

	if (outsize == 0)
		return;
	for (const char *f = p->fmt; f != NULL && *f != '\0' &&
	    j + 1 < outsize; f++) {
		const char *a;

		if (*f != '%') {
			out[j++] = *f;
			continue;
		}
		if (f[1] == '%') {
			out[j++] = '%';
			f++;
			continue;
		}
		while (f[1] != '\0' && f[1] != 's')
			f++; /* ".64": the copy is cut already */
		if (f[1] == 's')
			f++;
		a = k < p->n ? p->arg[k] : "";
		k++;
		for (; *a != '\0' && j + 1 < outsize; a++)
			out[j++] = *a;
	}
	out[j] = '\0';
}

static enum tri
tri_not(enum tri t)
{
	return t == T_TRUE ? T_FALSE : t == T_FALSE ? T_TRUE : T_UNK;
}

static int
has_wildcard(const char *a)
{
	for (size_t i = 0; a[i] != '\0'; i++) {
		if (a[i] == '\\' && a[i + 1] != '\0')
			i++;
		else if (a[i] == '*' || a[i] == '?')
			return 1;
	}
	return 0;
}

static void
unquote(const char *in, char *out, size_t outsize)
{
	size_t j = 0;

	for (size_t i = 0; in[i] != '\0' && j + 1 < outsize; i++) {
		if (in[i] == '\\' && in[i + 1] != '\0')
			i++;
		out[j++] = in[i];
	}
	out[j] = '\0';
}

/* Version v against the entry's bounds; "" fields are absent. The
 * reason of a pass is formatted only while none is noted yet. */
static enum tri
bounds(struct nctx *x, const struct vigil_cpe_match *m, const char *v,
    int v_ok, const char *what)
{
	int has_s = m->start != NULL && m->start[0] != '\0';
	int has_e = m->end != NULL && m->end[0] != '\0';
	const char *sn = m->start_incl ? "Including" : "Excluding";
	const char *en = m->end_incl ? "Including" : "Excluding";
	int c;

	if (v[0] == '\0') {
		note(x, T_UNK, "%.64s: no version to compare with the "
		    "version bounds", what);
		return T_UNK;
	}
	if (!v_ok) {
		note(x, T_UNK, "%.64s %.64s: unparseable version", what, v);
		return T_UNK;
	}
	if (has_s) {
		if (match_vcheck(VIGIL_VS_GENERIC, m->start) != 0) {
			note(x, T_UNK, "%.64s: unparseable bound %.64s", what,
			    m->start);
			return T_UNK;
		}
		c = match_vcmp_checked(VIGIL_VS_GENERIC, v, m->start);
		if (m->start_incl ? c < 0 : c <= 0) {
			note(x, T_FALSE, "%.64s %.64s %s %.64s "
			    "(versionStart%s)", what, v,
			    m->start_incl ? "<" : "<=", m->start, sn);
			return T_FALSE;
		}
	}
	if (has_e) {
		if (match_vcheck(VIGIL_VS_GENERIC, m->end) != 0) {
			note(x, T_UNK, "%.64s: unparseable bound %.64s", what,
			    m->end);
			return T_UNK;
		}
		c = match_vcmp_checked(VIGIL_VS_GENERIC, v, m->end);
		if (!m->end_incl && c <= 0 && x->out != NULL)
			mpart_offer_fixed(x->out, m->end, VIGIL_VS_GENERIC);
		if (m->end_incl ? c > 0 : c >= 0) {
			note(x, T_FALSE, "%.64s %.64s %s %.64s "
			    "(versionEnd%s)", what, v, m->end_incl ? ">" : ">=",
			    m->end, en);
			return T_FALSE;
		}
	}
	if (has_s && has_e)
		note(x, T_TRUE, "%.64s %.64s %s %.64s (versionStart%s), %s "
		    "%.64s (versionEnd%s)", what, v,
		    m->start_incl ? ">=" : ">", m->start, sn,
		    m->end_incl ? "<=" : "<", m->end, en);
	else if (has_s)
		note(x, T_TRUE, "%.64s %.64s %s %.64s (versionStart%s)", what,
		    v, m->start_incl ? ">=" : ">", m->start, sn);
	else
		note(x, T_TRUE, "%.64s %.64s %s %.64s (versionEnd%s)", what,
		    v, m->end_incl ? "<=" : "<", m->end, en);
	return T_TRUE;
}

/* A vulnerable:true entry against the component. */
static enum tri
vuln_entry(struct nctx *x, const struct vigil_cpe_match *m)
{
	const char *cv = m->cpe.attr[VIGIL_CPE_VERSION];
	int has_bounds = (m->start != NULL && m->start[0] != '\0') ||
	    (m->end != NULL && m->end[0] != '\0');
	char crit[VIGIL_VERSION_MAX + 1];
	int c;

	if (!x->c->has_cpe || !match_cpe_same_product(&m->cpe, &x->c->cpe))
		return T_FALSE;
	x->related = 1;
	if (cv == NULL || strcmp(cv, "*") == 0) {
		if (!vigil_cpe_match(&m->cpe, &x->c->cpe,
		    VIGIL_CPE_SKIP_VERSION)) {
			note(x, T_FALSE, "%.64s: CPE attributes differ from "
			    "the criteria", x->name);
			return T_FALSE;
		}
		if (!has_bounds) {
			note(x, T_TRUE, "%.64s: every version (criteria "
			    "version *)", x->name);
			return T_TRUE;
		}
		return bounds(x, m, x->v, x->v_ok, x->name);
	}
	if (strcmp(cv, "-") == 0 || has_wildcard(cv)) {
		/* NA is disjoint from any real version; wildcards are
		 * NISTIR 7696's to decide. */
		if (vigil_cpe_match(&m->cpe, &x->c->cpe, 0)) {
			note(x, T_TRUE, "%.64s: CPE matches criteria version "
			    "%.64s", x->name, cv);
			return T_TRUE;
		}
		note(x, T_FALSE, "%.64s %.64s: criteria version %.64s",
		    x->name, x->v, cv);
		return T_FALSE;
	}
	/* An exact version: update and the rest must match too, so
	 * "1.3:rc1" never names the final 1.3. */
	if (!vigil_cpe_match(&m->cpe, &x->c->cpe, VIGIL_CPE_SKIP_VERSION)) {
		note(x, T_FALSE, "%.64s %.64s: not %.64s:%.64s", x->name,
		    x->v, cv, m->cpe.attr[VIGIL_CPE_UPDATE]);
		return T_FALSE;
	}
	if (x->v[0] == '\0') {
		note(x, T_UNK, "%.64s: no version to compare with %.64s",
		    x->name, cv);
		return T_UNK;
	}
	unquote(cv, crit, sizeof crit);
	if (strcmp(crit, x->v) == 0) {
		note(x, T_TRUE, "%.64s %.64s named exactly", x->name, x->v);
		return T_TRUE;
	}
	if (match_vcmp(VIGIL_VS_GENERIC, x->v, crit, &c) != 0) {
		note(x, T_UNK, "%.64s %.64s: unparseable version", x->name,
		    x->v);
		return T_UNK;
	}
	if (c == 0) {
		note(x, T_TRUE, "%.64s %.64s = %.64s", x->name, x->v, crit);
		return T_TRUE;
	}
	note(x, T_FALSE, "%.64s %.64s != %.64s", x->name, x->v, crit);
	return T_FALSE;
}

/* A vulnerable:false entry against the platform CPEs. */
static enum tri
platform_entry(struct nctx *x, const struct vigil_cpe_match *m)
{
	const char *vd = m->cpe.attr[VIGIL_CPE_VENDOR];
	const char *pd = m->cpe.attr[VIGIL_CPE_PRODUCT];
	int has_bounds = (m->start != NULL && m->start[0] != '\0') ||
	    (m->end != NULL && m->end[0] != '\0');
	enum tri best = T_FALSE;

	if (x->plat == NULL || x->plat->ncpes == 0 || x->plat->cpes == NULL) {
		note(x, T_UNK, "%.64s: needs platform %.64s:%.64s, platform "
		    "unknown", x->name, vd, pd);
		return T_UNK;
	}
	for (size_t i = 0; i < x->plat->ncpes; i++) {
		const struct vigil_cpe *pc = &x->plat->cpes[i];
		char pv[VIGIL_VERSION_MAX + 1];
		const char *a;
		enum tri t;

		if (!has_bounds) {
			if (vigil_cpe_match(&m->cpe, pc, 0))
				return T_TRUE;
			continue;
		}
		if (!vigil_cpe_match(&m->cpe, pc, VIGIL_CPE_SKIP_VERSION))
			continue;
		a = pc->attr[VIGIL_CPE_VERSION];
		if (a == NULL || strcmp(a, "*") == 0 || strcmp(a, "-") == 0)
			pv[0] = '\0';
		else
			unquote(a, pv, sizeof pv);
		t = bounds(x, m, pv, match_vcheck(VIGIL_VS_GENERIC, pv) == 0,
		    pd);
		if (t == T_TRUE)
			return T_TRUE;
		if (t == T_UNK)
			best = T_UNK;
	}
	if (best == T_FALSE)
		note(x, T_FALSE, "%.64s: not running on %.64s:%.64s",
		    x->name, vd, pd);
	return best;
}

static enum tri
combine(int and_op, enum tri acc, enum tri t)
{
	if (and_op) {
		if (acc == T_FALSE || t == T_FALSE)
			return T_FALSE;
		return acc == T_UNK || t == T_UNK ? T_UNK : T_TRUE;
	}
	if (acc == T_TRUE || t == T_TRUE)
		return T_TRUE;
	return acc == T_UNK || t == T_UNK ? T_UNK : T_FALSE;
}

static enum tri
eval_node(struct nctx *x, const struct vigil_cpe_node *nd)
{
	enum tri acc;

	if (nd->nmatches == 0)
		return T_FALSE; /* names nothing */
	acc = nd->and_op ? T_TRUE : T_FALSE;
	for (size_t i = 0; i < nd->nmatches; i++) {
		const struct vigil_cpe_match *m = &nd->matches[i];

		acc = combine(nd->and_op, acc, m->vulnerable ?
		    vuln_entry(x, m) : platform_entry(x, m));
	}
	return nd->negate ? tri_not(acc) : acc;
}

static enum tri
eval_config(struct nctx *x, const struct vigil_cpe_config *cf)
{
	enum tri acc;

	if (cf->nnodes == 0)
		return T_FALSE;
	acc = cf->and_op ? T_TRUE : T_FALSE;
	for (size_t i = 0; i < cf->nnodes; i++)
		acc = combine(cf->and_op, acc, eval_node(x, &cf->nodes[i]));
	return cf->negate ? tri_not(acc) : acc;
}

void
match_nvd_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    const struct vigil_platform *plat, struct mpart *out)
{
	struct nctx x;
	char reason[3][192];
	enum tri res = T_FALSE;

	mpart_init(out);
	if (v->nconfigs == 0 || !c->has_cpe)
		return;
	x.related = 0;
	reason[0][0] = reason[1][0] = reason[2][0] = '\0';
	x.c = c;
	x.plat = plat;
	x.out = out;
	x.name = c->name != NULL && c->name[0] != '\0' ? c->name :
	    c->cpe.attr[VIGIL_CPE_PRODUCT];
	match_cpe_version(c, x.v, sizeof x.v);
	x.v_ok = match_vcheck(VIGIL_VS_GENERIC, x.v) == 0;
	for (size_t i = 0; i < v->nconfigs; i++) {
		enum tri t;

		x.why[0].fmt = x.why[1].fmt = x.why[2].fmt = NULL;
		t = eval_config(&x, &v->configs[i]);
		/* The configuration's own first reason for its result. */
		if (reason[t][0] == '\0')
			note_render(&x.why[t], reason[t], sizeof reason[t]);
		res = combine(0, res, t);
	}
	if (!x.related) {
		/* Another product's record (found under a shared key):
		 * nothing said, not even a fixed version. */
		mpart_init(out);
		return;
	}
	out->outcome = res == T_TRUE ? VIGIL_AFFECTED : res == T_UNK ?
	    VIGIL_UNKNOWN : VIGIL_NOT_AFFECTED;
	memcpy(out->reason, reason[res], sizeof out->reason);
	if (out->reason[0] == '\0')
		snprintf(out->reason, sizeof out->reason, "%.64s %.64s: %s "
		    "by the NVD configurations", x.name, x.v,
		    vigil_outcome_name(out->outcome));
}
