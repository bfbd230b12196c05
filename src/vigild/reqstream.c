/*
 * Paced streaming replies (reqstream.h): one piece at a time, the next
 * one produced when evhttp reports that the previous one has left the
 * output buffer (evhttp_send_reply_chunk_with_cb), so a large reply
 * never sits in memory as a whole.
 *
 * The stream outlives the handler's call and its struct req, so it
 * keeps what it needs: the evhttp request, its connection and the
 * connection tracker. A client that goes away mid-stream makes evhttp
 * free the connection; its close callback tells the stream, which then
 * frees the request evhttp has detached for it (evhttp does not free a
 * request whose reply is unfinished) and its own state.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "conn.h"
#include "log.h"
#include "net_worker.h"
#include "reqctx.h"
#include "reqstream.h"

struct req_pace {
	struct evhttp_request *ev;
	struct evhttp_connection *evcon; /* NULL once it is gone */
	struct conn *conn;
	struct evbuffer *piece;
	req_pace_fn fn;
	req_pace_end_fn end_fn;
	void *arg;
	char request_id[VIGIL_UUID_STRLEN];
};

int
req_pace_write(struct req_pace *p, const void *data, size_t len)
{
	return len == 0 || evbuffer_add(p->piece, data, len) == 0 ? 0 : -1;
}

static void
pace_free(struct req_pace *p, bool finished)
{
	if (p->evcon != NULL)
		evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	p->end_fn(p->arg, finished);
	evbuffer_free(p->piece);
	free(p);
}

static void pace_next(struct req_pace *p);

/* The previous piece has left the output buffer: the client is
 * reading, so the connection's idle deadline starts again. */
static void
pace_drained(struct evhttp_connection *evcon, void *arg)
{
	struct req_pace *p = arg;

	(void)evcon;
	conn_stream_progress(p->conn);
	pace_next(p);
}

/* evhttp is freeing the connection (client gone, deadline cut, server
 * shutdown): the stream ends here. */
static void
pace_closed(struct evhttp_connection *evcon, void *arg)
{
	struct req_pace *p = arg;

	(void)evcon;
	vlog(VLOG_INFO, "http.stream", "request %s: connection closed "
	    "before the end of the streamed reply", p->request_id);
	/* The connection clears its own callbacks as it goes. */
	p->evcon = NULL;
	p->conn = NULL;
	/* Detached (the reply was unfinished): ours to free, which
	 * evhttp_send_reply_end does for a request without connection.
	 * Still attached (evhttp_free at shutdown): evhttp frees it. */
	if (evhttp_request_get_connection(p->ev) == NULL)
		evhttp_send_reply_end(p->ev);
	pace_free(p, false);
}

static void
pace_next(struct req_pace *p)
{
	enum req_pace_step step;

	/* An empty piece would never drain: ask again at once. */
	do
		step = p->fn(p, p->arg);
	while (step == REQ_PACE_MORE && evbuffer_get_length(p->piece) == 0);
	if (step == REQ_PACE_MORE) {
		evhttp_send_reply_chunk_with_cb(p->ev, p->piece, pace_drained,
		    p);
		return;
	}
	if (evbuffer_get_length(p->piece) > 0)
		evhttp_send_reply_chunk(p->ev, p->piece);
	conn_request_done(p->conn);
	/* Before the end: ending may free a connection that closes after
	 * its reply, and its close callback must not find us. */
	evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	p->evcon = NULL;
	evhttp_send_reply_end(p->ev);
	pace_free(p, true);
}

void
req_stream_paced(struct req *r, int status, const char *content_type,
    req_pace_fn fn, req_pace_end_fn end_fn, void *arg)
{
	struct req_pace *p;

	if (r->status != 0) {
		vlog(VLOG_ERROR, "http.reply", "request %s: streamed reply "
		    "after a reply; dropped", r->request_id);
		end_fn(arg, false);
		return;
	}
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->piece = evbuffer_new()) == NULL) {
		free(p);
		end_fn(arg, false);
		req_problem(r, 500, "internal-error", "internal error: out of "
		    "memory; request id %s", r->request_id);
		return;
	}
	req_stream_start(r, status, content_type);
	if (evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD ||
	    evhttp_request_get_connection(r->ev) == NULL) {
		/* No body (or nowhere to send it): evhttp would take no
		 * piece, and never call back. */
		req_stream_end(r);
		evbuffer_free(p->piece);
		free(p);
		end_fn(arg, true);
		return;
	}
	p->ev = r->ev;
	p->evcon = evhttp_request_get_connection(r->ev);
	p->conn = r->w->rs.conn;
	p->fn = fn;
	p->end_fn = end_fn;
	p->arg = arg;
	memcpy(p->request_id, r->request_id, sizeof p->request_id);
	/* From here on the stream, not the handler, ends the reply; the
	 * streaming flag req_stream_start set keeps a stray reply of the
	 * handler from being sent. */
	evhttp_connection_set_closecb(p->evcon, pace_closed, p);
	/* Until the client takes pieces, the request deadline holds. */
	pace_next(p);
}
