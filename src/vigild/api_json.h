/*
 * Typed reads of request bodies (JSON objects) and query parameters for
 * the API handlers (api_json.c). Every reader names the field in its
 * problem detail ("field 'state': expected one of registered, ...") and
 * replies itself: it returns 0 when the value is fine or absent, -1
 * after replying 422 (body) or 400 (query), so a handler just returns.
 * Strings handed out point into the JSON object or the request and live
 * as long as it does.
 */
#ifndef VIGILD_API_JSON_H
#define VIGILD_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/iam.h"
#include "vigil/registry.h"

struct req;

/* Replies 422 "validation-failed" with "field '<field>': <what>". */
void aj_field_problem(struct req *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Client text (a key name) made safe to quote in a detail: at most 64
 * bytes, non-printable bytes, quotes and backslashes as \xNN. */
const char *aj_safe(const char *s, char *buf, size_t size);

/* "imei, imeisv, ..., serial": every identifier type name. */
void aj_id_type_list(char *buf, size_t size);

/* Refuses keys other than those in the NULL-terminated list. */
int aj_only(struct req *r, const json_t *o, const char *const *allowed);

/* A new password: a required string of VIGIL_PASSWORD_MIN to
 * VIGIL_PASSWORD_MAX bytes. */
int aj_new_password(struct req *r, const json_t *o, const char *key,
    const char **out /* OUT */);

/* Absent or null: *out NULL (or 422 "required" when required). Refuses
 * non-strings, embedded NULs and strings longer than maxlen bytes. */
int aj_str(struct req *r, const json_t *o, const char *key, size_t maxlen,
    bool required, const char **out /* OUT */);

/* *out = -1 when absent or null, else 0 or 1. */
int aj_bool(struct req *r, const json_t *o, const char *key,
    int *out /* OUT */);

/* Integer in [min, max]; *present says whether it was given. */
int aj_int(struct req *r, const json_t *o, const char *key, int64_t min,
    int64_t max, bool required, int64_t *out /* OUT */,
    bool *present /* OUT */);

/* A role name; VIGIL_ROLE_NONE when absent. */
int aj_role(struct req *r, const json_t *o, const char *key, bool required,
    enum vigil_role *out /* OUT */);

/* A lifecycle state name; VIGIL_DEV_NONE when absent. */
int aj_state(struct req *r, const json_t *o, const char *key, bool required,
    enum vigil_device_state *out /* OUT */);

/* An identifier type name (field is the name used in the detail). */
int aj_id_type(struct req *r, const char *field, const char *name,
    enum vigil_id_type *out /* OUT */);

/* Query parameters: replies 400 "invalid-parameter" with
 * "query parameter '<name>': <what>". */
void aq_problem(struct req *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "true"/"false"/"1"/"0"; def when absent. */
int aq_bool(struct req *r, const char *name, bool def, bool *out /* OUT */);
/* Decimal integer in [min, max]; def when absent. */
int aq_int(struct req *r, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out /* OUT */);
/* RFC 3339 time; 0 when absent. */
int aq_time(struct req *r, const char *name, int64_t *ms /* OUT */);
/* String of at most maxlen bytes; NULL when absent. */
int aq_str(struct req *r, const char *name, size_t maxlen,
    const char **out /* OUT */);

/* The caller's effective role (its token's). */
enum vigil_role api_caller_role(const struct req *r);
/* Scope argument for IAM calls about principal p: NULL for platform. */
const char *api_principal_scope(const struct vigil_principal *p);
/* True when the caller is a platform-scope principal. */
bool api_caller_is_platform(const struct req *r);

#endif
