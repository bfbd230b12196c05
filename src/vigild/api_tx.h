/*
 * The steps every state-changing API handler takes (api_tx.c): open a
 * store transaction, make the change, append its audit entry inside
 * the same transaction, commit, and only then reply, so the entry is
 * on disk before the client hears of the change. A failure rolls the
 * change back, audits the attempt as "failed" with the reason (in its
 * own transaction, so it survives the rollback) and replies with the
 * library's error text. Also the list-page reply shape.
 */
#ifndef VIGILD_API_TX_H
#define VIGILD_API_TX_H

#include <jansson.h>

#include "vigil/core.h"

struct req;

/* Opens the request's transaction; -1 after replying on failure. */
int api_begin(struct req *r);

/* Appends the "ok" audit entry and commits; -1 after api_fail. */
int api_commit(struct req *r, const char *action, const char *object,
    const char *detail);

/* Rolls back, audits outcome "failed" with the store's error text
 * (read before the rollback), and replies via req_reply_err. */
void api_fail(struct req *r, enum vigil_err e, const char *action,
    const char *object);

/* As api_fail for a check made by the handler itself (e.g. a role the
 * caller may not grant: outcome "denied"), replying status/slug with
 * detail. */
void api_fail_problem(struct req *r, int status, const char *slug,
    const char *action, const char *object, const char *outcome,
    const char *detail);

/* Replies status with body, or 500 when body is NULL (out of memory
 * while rendering). Steals body. */
void api_reply(struct req *r, int status, json_t *body);

/* {"items": items, "next_cursor": next or null}. Steals items. */
void api_reply_page(struct req *r, json_t *items, const char *next);

#endif
