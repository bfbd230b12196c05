/*
 * The HTTPS server of a net worker (http.c): evhttp over
 * bufferevent_openssl on the worker's listening socket, its limits,
 * and the per-request pipeline (route → authenticate → rate limit →
 * platform → tenant → permission → re-authentication → handler) in
 * the order the API contract fixes. Replies leave through the senders
 * below, which add the headers every response carries and keep the
 * connection's deadlines and the metrics right.
 */
#ifndef VIGILD_HTTP_H
#define VIGILD_HTTP_H

#include <stddef.h>

struct evbuffer;
struct net_worker;
struct req;

/* Creates the evhttp server on w->base and w->ctx->listen_fd with the
 * limits of w->cfg. 0, or -1 with the reason in err. */
int http_setup(struct net_worker *w, char *err, size_t errsize);

/* Applies reloadable limits of w->cfg (after IPC_CONFIG). */
void http_apply_limits(struct net_worker *w);

/* Stops accepting new connections (closes the listening socket). */
void http_stop_accepting(struct net_worker *w);

/* Frees the server and every connection it still has. */
void http_free(struct net_worker *w);

/* Sends the reply: status, Content-Type (NULL: none) and body (NULL:
 * empty; drained). Only the first reply of a request is sent; a second
 * one is a handler bug, logged and dropped. */
void http_send(struct req *r, int status, const char *content_type,
    struct evbuffer *body);

/* Streaming replies (chunked transfer encoding). */
void http_stream_start(struct req *r, int status, const char *content_type);
void http_stream_chunk(struct req *r, const void *data, size_t len);
void http_stream_end(struct req *r);

#endif
