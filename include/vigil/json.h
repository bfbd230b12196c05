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

#ifdef __cplusplus
}
#endif
#endif
