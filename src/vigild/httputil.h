/*
 * httputil.h — small text helpers shared by the HTTP front ends of a
 * net worker (the API in http.c and reqctx.c, the device gateway in
 * gateway.c): method names, the request clock, request head sizes,
 * the peer's address, and quoting client text for replies and logs.
 */
#ifndef VIGILD_HTTPUTIL_H
#define VIGILD_HTTPUTIL_H

#include <stddef.h>
#include <stdint.h>

struct evhttp_request;

/* The name of an evhttp command (enum evhttp_cmd_type), "?" when it is
 * none of them. */
const char *httputil_method_name(int cmd);

/* The client's address into out: known, the address the connection
 * tracker recorded at accept; else what evhttp says of the peer ("" when
 * neither knows). */
void httputil_peer_ip(struct evhttp_request *ev, const char *known,
    char *out, size_t size);

/* Client text made safe for a reply detail or a log line: printable
 * ASCII kept, anything else (and quotes, backslashes) as \xNN, cut to
 * fit size with "..." marking the cut. s may be NULL (""). Returns
 * buf. */
const char *httputil_quote(const char *s, char *buf, size_t size);

/* CLOCK_MONOTONIC in nanoseconds: request durations and rate-limit
 * clocks. */
int64_t httputil_mono_ns(void);

/* Size of a request's head as received, near enough: the request line
 * and every header line (for the head-size limits). */
size_t httputil_head_size(struct evhttp_request *ev);

#endif
