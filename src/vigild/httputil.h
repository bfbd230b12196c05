/*
 * httputil.h — small text helpers shared by the HTTP front ends of a
 * net worker (the API in http.c and reqctx.c, the device gateway in
 * gateway.c): method names and quoting client text for replies and
 * log lines.
 */
#ifndef VIGILD_HTTPUTIL_H
#define VIGILD_HTTPUTIL_H

#include <stddef.h>

/* The name of an evhttp command (enum evhttp_cmd_type), "?" when it is
 * none of them. */
const char *httputil_method_name(int cmd);

/* Client text made safe for a reply detail or a log line: printable
 * ASCII kept, anything else (and quotes, backslashes) as \xNN, cut to
 * fit size with "..." marking the cut. s may be NULL (""). Returns
 * buf. */
const char *httputil_quote(const char *s, char *buf, size_t size);

#endif
