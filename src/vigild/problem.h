/*
 * RFC 9457 problem details (problem.c): the JSON object every error
 * reply of the API carries as application/problem+json.
 */
#ifndef VIGILD_PROBLEM_H
#define VIGILD_PROBLEM_H

#include <jansson.h>

#define PROBLEM_TYPE_BASE "https://vigil.dev/problems/"
#define PROBLEM_CONTENT_TYPE "application/problem+json"

/* Reason phrase of an HTTP status ("Not Found"); "Error" if unknown. */
const char *problem_title(int status);

/* {"type": PROBLEM_TYPE_BASE slug, "title", "status", "detail",
 *  "instance": request id}. New reference; NULL when out of memory. */
json_t *problem_json(int status, const char *slug, const char *detail,
    const char *instance);

#endif
