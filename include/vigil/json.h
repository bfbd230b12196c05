/*
 * vigil/json.h — JSON helpers over jansson.
 */
#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H

#include <jansson.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads obj[key] as a string of at most maxlen bytes without NULs.
 * Missing or null: VIGIL_OK with *out = NULL unless required. *out is
 * valid while obj lives. */
enum vigil_err vigil_json_get_str(const json_t *obj, const char *key,
    size_t maxlen, int required, const char **out /* OUT */, char *err,
    size_t errsize);

/* Parses one JSON document, rejecting duplicate object keys. Caller
 * releases *out with json_decref(). */
enum vigil_err vigil_json_loadb(const char *buf, size_t len,
    json_t **out /* OUT */, char *err, size_t errsize);

/* Builders for renderings (vigil_*_to_json): each returns a new
 * reference, NULL when out of memory. */

/* json_object_set_new(obj, key, v) that clears *ok on failure, v being
 * NULL (a constructor that failed) included; jansson releases v either
 * way, so a renderer sets every field and checks once at the end. */
void vigil_json_put(json_t *obj, const char *key, json_t *v, int *ok);
/* The end of such a renderer: obj when ok, else NULL (obj released). */
json_t *vigil_json_done(json_t *obj, int ok);
/* A new array of item(r) for each element r of rows (store rows to
 * their renderings); NULL when out of memory (an item NULL included). */
json_t *vigil_json_map(const json_t *rows, json_t *(*item)(const json_t *r));
/* RFC 3339 UTC time of ms, or null when ms <= 0 (never set). */
json_t *vigil_json_time(int64_t ms);
/* String s, or null when s is empty (an unset fixed-size field). */
json_t *vigil_json_str_or_null(const char *s);

/* JSON string of s[0..n), which need not be valid UTF-8: each byte that
 * does not start a valid sequence becomes U+FFFD, so that a value is
 * shown, never refused (a garbled stored name, an audited input). */
json_t *vigil_json_string_lossy(const char *s, size_t n);

/* Overwrites the bytes of the string member obj[key], if there is one,
 * in place: a secret (password, token) must not linger in freed memory
 * once obj is released. */
void vigil_json_wipe_str(json_t *obj, const char *key);

#ifdef __cplusplus
}
#endif
#endif
