/*
 * Shared inside src/lib/posture/ only: reading and ordering port strings.
 */
#ifndef VIGIL_POSTURE_INTERNAL_H
#define VIGIL_POSTURE_INTERNAL_H

#include <stddef.h>

#include "vigil/posture.h"

/* qsort order of "proto/port" strings (char[VIGIL_PORT_STRLEN]):
 * protocol first, then the port by number: "tcp/22" < "tcp/443". */
int posture_port_cmp(const void *a, const void *b);

/* "tcp/22" (protocol tcp/udp/sctp in any case, decimal port 1..65535)
 * to its stored spelling; VIGIL_EINVAL with why. */
enum vigil_err posture_port_parse(const char *s,
    char out[VIGIL_PORT_STRLEN], char *err, size_t errsize);

#endif
