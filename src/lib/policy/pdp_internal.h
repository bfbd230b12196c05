/*
 * Shared by the decision point files: pdp.c (sets, index, decide),
 * pdp_match.c (variables, action and resource matching) and pdp_cond.c
 * (conditions).
 */
#ifndef VIGIL_PDP_INTERNAL_H
#define VIGIL_PDP_INTERNAL_H

#include <stddef.h>

#include "vigil/policy.h"

/* 1 when action pattern pat ("mqtt:Publish", "mqtt:*", "*") matches. */
int pdp_action_matches(const char *pat, const char *action);
/* 1 when the typed resource pattern pat matches rq->resource after
 * substituting rq's variables; a missing variable matches nothing. */
int pdp_resource_matches(const char *pat,
    const struct vigil_pdp_request *rq);
/* '*' (any run) and, when qmark, '?' (one character) glob of pat over
 * s; wild[i] == 0 makes pat[i] literal (NULL: all may be wild). */
int pdp_glob(const char *pat, const unsigned char *wild, size_t plen,
    const char *s, size_t slen, int qmark);
/* 1 when every condition of st holds for rq; else 0 and, when why is
 * not NULL, the failed condition in why. */
int pdp_conds_hold(const struct vigil_statement *st,
    const struct vigil_pdp_request *rq, char *why, size_t whysize);

#endif
