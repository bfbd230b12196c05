/*
 * Shared between the policy parser (policy*.c) and the decision point
 * (pdp*.c): the operator name table and a deep copy of a policy.
 */
#ifndef VIGIL_POLICY_INTERNAL_H
#define VIGIL_POLICY_INTERNAL_H

#include "vigil/policy.h"

/* Operator names indexed by enum vigil_cond_op (index 0 unused). */
extern const char *const policy_op_names[];
#define POLICY_OP_MAX VIGIL_COND_DATE_GREATER_THAN_EQUALS

/* Deep copy of src; caller frees *out with vigil_policy_free. */
enum vigil_err policy_copy(const struct vigil_policy *src,
    struct vigil_policy **out /* OUT */);

/* Condition values (policy_value.c), 1 when s reads as the type. A
 * number is decimal as JSON writes it; a date is epoch seconds or RFC
 * 3339 (to ms); an address, or with cidr a network "addr/bits". */
struct policy_ipnet {
	int family;
	unsigned char a[16];
	int bits;
};
int policy_read_number(const char *s, double *out);
int policy_read_date(const char *s, int64_t *ms);
int policy_read_ip(const char *s, struct policy_ipnet *n, int cidr);

#endif
