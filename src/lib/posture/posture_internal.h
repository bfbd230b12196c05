/*
 * Shared inside src/lib/posture/ only: the order of port strings.
 */
#ifndef VIGIL_POSTURE_INTERNAL_H
#define VIGIL_POSTURE_INTERNAL_H

/* qsort order of "proto/port" strings (char[VIGIL_PORT_STRLEN]):
 * protocol first, then the port by number: "tcp/22" < "tcp/443". */
int posture_port_cmp(const void *a, const void *b);

#endif
