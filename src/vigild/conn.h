/*
 * Per-connection tracking for the net worker (conn.c): the TLS
 * bufferevent evhttp uses for each accepted connection, the per-worker
 * and per-IP connection caps, and the deadlines that evhttp's own idle
 * timeouts do not give:
 *  - a request (TLS handshake included for the first one) must arrive
 *    completely within request_timeout_s of its first byte (of the
 *    connection's start for the first request), so a client trickling
 *    one byte every few seconds (slowloris) is cut;
 *  - between requests a keep-alive connection may stay idle for
 *    idle_timeout_s.
 * Cutting is shutdown(fd, SHUT_RDWR): evhttp then sees EOF and frees
 * the connection the normal way; the tracker learns about the end from
 * the SSL object's ex_data free callback (the SSL is freed with the
 * bufferevent) and releases its counts there.
 */
#ifndef VIGILD_CONN_H
#define VIGILD_CONN_H

#include <stdbool.h>

struct bufferevent;
struct event_base;
struct evhttp_request;
struct net_worker;
struct conn;
struct conn_table;

/* Once per process, before the first conn_bevcb: the SSL ex_data slot.
 * 0, or -1 with the reason in err. */
int conn_global_init(char *err, size_t errsize);

struct conn_table *conn_table_new(struct net_worker *w);
/* After evhttp_free() and a last non-blocking loop run (the SSL
 * objects are freed by bufferevent finalizers). */
void conn_table_free(struct conn_table *t);

/* evhttp_set_bevcb() callback; arg is the struct net_worker. Never
 * returns NULL (evhttp would fall back to plain text): failing to
 * allocate is fatal for the worker, which the parent restarts. */
struct bufferevent *conn_bevcb(struct event_base *base, void *arg);

/* The same for the device gateway's listener (w->gw_ssl): the same
 * caps and deadlines, counted in the same table (a device and an
 * operator from one address share max_connections_per_ip) and in
 * w->gw_conns. */
struct bufferevent *conn_gw_bevcb(struct event_base *base, void *arg);

/* The tracker of the connection a request arrived on, or NULL. */
struct conn *conn_of_request(struct evhttp_request *ev);

/* Peer address text ("192.0.2.1", "2001:db8::1"); "" when unknown. */
const char *conn_ip(struct conn *c);

/* The reply to the current request has been handed to evhttp: the
 * connection is idle again (or already has the next request's bytes). */
void conn_request_done(struct conn *c);

/* A piece of a streamed reply has left the output buffer: the client
 * reads, so the connection gets another idle_timeout_s, and a graceful
 * shutdown lets the stream finish instead of cutting it. */
void conn_stream_progress(struct conn *c);

/* A reply just handed to evhttp sits in the output buffer as separate
 * pieces (status and headers, body), which bufferevent_openssl would
 * send as one TLS record and one write() each: a small reply is made
 * contiguous so it leaves as one. */
void conn_coalesce_output(struct conn *c);

/* Open connections of this worker. */
unsigned conn_count(const struct conn_table *t);

/* Shutdown: cuts every connection that has no request in progress;
 * the others are cut by their request deadline at the latest. */
void conn_drain(struct conn_table *t);

#endif
