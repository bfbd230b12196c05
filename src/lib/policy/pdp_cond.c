/*
 * Condition evaluation for the decision point: string, numeric, bool,
 * IP (CIDR, v4 and v6) and date operators over the request context,
 * with AWS semantics for absent keys (positive false, Not* true).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp_internal.h"
#include "policy_internal.h"

static int
is_not_op(enum vigil_cond_op op)
{
	return op == VIGIL_COND_STRING_NOT_EQUALS ||
	    op == VIGIL_COND_STRING_NOT_LIKE ||
	    op == VIGIL_COND_NUMERIC_NOT_EQUALS ||
	    op == VIGIL_COND_NOT_IP_ADDRESS ||
	    op == VIGIL_COND_DATE_NOT_EQUALS;
}

static int
ip_in(const struct policy_ipnet *addr, const struct policy_ipnet *net)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (addr->family != net->family)
		return 0;
	if (memcmp(addr->a, net->a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((addr->a[full] ^ net->a[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

/*
 * One value test. Returns 1 match, 0 no match, -1 the context value is
 * unusable for this operator (the condition then fails, either way).
 */
static int
test_value(enum vigil_cond_op op, const char *cv, int64_t cms,
    const char *pv)
{
	double a, b;
	int64_t pms;
	struct policy_ipnet ia, ib;

	switch (op) {
	case VIGIL_COND_STRING_EQUALS:
	case VIGIL_COND_STRING_NOT_EQUALS:
		return strcmp(cv, pv) == 0;
	case VIGIL_COND_STRING_LIKE:
	case VIGIL_COND_STRING_NOT_LIKE:
		return pdp_glob(pv, NULL, strlen(pv), cv, strlen(cv), 1);
	case VIGIL_COND_BOOL:
		if (strcmp(cv, "true") != 0 && strcmp(cv, "false") != 0)
			return -1;
		return strcmp(cv, pv) == 0;
	case VIGIL_COND_NUMERIC_EQUALS:
	case VIGIL_COND_NUMERIC_NOT_EQUALS:
	case VIGIL_COND_NUMERIC_LESS_THAN:
	case VIGIL_COND_NUMERIC_LESS_THAN_EQUALS:
	case VIGIL_COND_NUMERIC_GREATER_THAN:
	case VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS:
		if (!policy_read_number(cv, &a))
			return -1;
		if (!policy_read_number(pv, &b))
			return 0;
		switch (op) {
		case VIGIL_COND_NUMERIC_LESS_THAN:
			return a < b;
		case VIGIL_COND_NUMERIC_LESS_THAN_EQUALS:
			return a <= b;
		case VIGIL_COND_NUMERIC_GREATER_THAN:
			return a > b;
		case VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS:
			return a >= b;
		default:
			return a == b;
		}
	case VIGIL_COND_IP_ADDRESS:
	case VIGIL_COND_NOT_IP_ADDRESS:
		if (!policy_read_ip(cv, &ia, 0))
			return -1;
		if (!policy_read_ip(pv, &ib, 1))
			return 0;
		return ip_in(&ia, &ib);
	case VIGIL_COND_DATE_EQUALS:
	case VIGIL_COND_DATE_NOT_EQUALS:
	case VIGIL_COND_DATE_LESS_THAN:
	case VIGIL_COND_DATE_LESS_THAN_EQUALS:
	case VIGIL_COND_DATE_GREATER_THAN:
	case VIGIL_COND_DATE_GREATER_THAN_EQUALS:
		if (cv != NULL && !policy_read_date(cv, &cms))
			return -1;
		if (!policy_read_date(pv, &pms))
			return 0;
		switch (op) {
		case VIGIL_COND_DATE_LESS_THAN:
			return cms < pms;
		case VIGIL_COND_DATE_LESS_THAN_EQUALS:
			return cms <= pms;
		case VIGIL_COND_DATE_GREATER_THAN:
			return cms > pms;
		case VIGIL_COND_DATE_GREATER_THAN_EQUALS:
			return cms >= pms;
		default:
			return cms == pms;
		}
	}
	return -1;
}

static const char *
ctx_value(const struct vigil_pdp_request *rq, const char *key)
{
	for (size_t i = 0; i < rq->nctx; i++)
		if (rq->ctx[i].key != NULL && strcmp(rq->ctx[i].key, key) == 0)
			return rq->ctx[i].value;
	return NULL;
}

/* 1 when c holds; else 0 with the reason in why. */
static int
cond_holds(const struct vigil_cond *c, const struct vigil_pdp_request *rq,
    char *why, size_t whysize)
{
	const char *cv;
	int64_t cms = 0;
	int is_time = strcmp(c->key, VIGIL_KEY_TIME) == 0;
	int neg = is_not_op(c->op), any = 0, bad = 0;
	char shown[48];

	if (is_time) {
		cms = rq->now_ms != 0 ? rq->now_ms : vigil_time_now_ms();
		cv = NULL;
		snprintf(shown, sizeof shown, "%lld ms", (long long)cms);
	} else {
		cv = ctx_value(rq, c->key);
		if (cv == NULL) {
			if (neg)
				return 1;
			if (why != NULL)
				snprintf(why, whysize,
				    "condition %s %s %s%s failed (absent)",
				    c->key, vigil_cond_op_name(c->op),
				    c->nvalues > 0 ? c->values[0] : "",
				    c->nvalues > 1 ? ",..." : "");
			return 0;
		}
		snprintf(shown, sizeof shown, "%s", cv);
	}
	if (is_time && c->op < VIGIL_COND_DATE_EQUALS) {
		bad = 1; /* vigil:Time is read by the Date operators only */
	} else {
		for (size_t i = 0; i < c->nvalues && !any; i++) {
			int r = test_value(c->op, cv, cms, c->values[i]);

			if (r < 0) {
				bad = 1;
				break;
			}
			any = r;
		}
	}
	if (!bad && any != neg)
		return 1;
	if (why != NULL)
		snprintf(why, whysize, "condition %s %s %s%s failed (%s%s)",
		    c->key, vigil_cond_op_name(c->op),
		    c->nvalues > 0 ? c->values[0] : "",
		    c->nvalues > 1 ? ",..." : "",
		    bad ? "unusable value " : "value ", shown);
	return 0;
}

int
pdp_conds_hold(const struct vigil_statement *st,
    const struct vigil_pdp_request *rq, char *why, size_t whysize)
{
	for (size_t i = 0; i < st->nconds; i++)
		if (!cond_holds(&st->conds[i], rq, why, whysize))
			return 0;
	return 1;
}
