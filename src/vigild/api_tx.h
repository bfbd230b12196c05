/*
 * The steps every state-changing API handler takes (api_tx.c): open a
 * store transaction, make the change, append its audit entry inside
 * the same transaction, commit, and only then reply, so the entry is
 * on disk before the client hears of the change. A failure rolls the
 * change back, audits the attempt as "failed" with the reason (in its
 * own transaction, so it survives the rollback) and replies with the
 * library's error text. Also the request body read with its allowed
 * keys, and the list-page reply shape.
 */
#ifndef VIGILD_API_TX_H
#define VIGILD_API_TX_H

#include <jansson.h>

#include "vigil/core.h"

struct req;

/* The request body (req_json_body) with only the allowed keys (aj_only);
 * *out is a new reference. -1 after replying; a refused body is wiped
 * (a secret may sit under any name) and freed. */
int api_body(struct req *r, const char *const *allowed,
    json_t **out /* OUT */);

/* Opens the request's transaction; -1 after replying on failure. */
int api_begin(struct req *r);

/* Appends the "ok" audit entry and commits; -1 after api_fail. */
int api_commit(struct req *r, const char *action, const char *object,
    const char *detail);

/* Rolls back, audits outcome "failed" with the store's error text
 * (read before the rollback), and replies via req_reply_err. */
void api_fail(struct req *r, enum vigil_err e, const char *action,
    const char *object);

/* As api_fail with why (a library's what-and-where) as the reason when
 * it is not empty, else the store's text. */
void api_fail_why(struct req *r, enum vigil_err e, const char *action,
    const char *object, const char *why);

/* A library's what-and-where (err) when it says something, else the
 * store's error text. */
const char *api_why(struct req *r, const char *err);
/* Replies to a read that failed with e, saying api_why(r, err). */
void api_reply_lib_err(struct req *r, enum vigil_err e, const char *err);

/* Ends a change whose reply is 204 No Content: api_fail when e is an
 * error, else api_commit (action, object, detail) and the 204. */
void api_finish_204(struct req *r, enum vigil_err e, const char *action,
    const char *object, const char *detail);

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
