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

#endif
