/*
 * Paced streaming replies (reqstream.c): a reply too big to build in
 * memory (an export of the whole fleet) is produced one piece at a
 * time, and the next piece only once the previous one has left the
 * connection's output buffer. The worker keeps serving other requests
 * in between, and memory stays at one piece whatever the size of the
 * reply or the speed of the client.
 *
 * struct req lives only as long as the handler's call: a producer sees
 * the stream (struct req_pace) and its own state, never the request.
 */
#ifndef VIGILD_REQSTREAM_H
#define VIGILD_REQSTREAM_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct req_pace;

enum req_pace_step {
	REQ_PACE_MORE, /* call again once this piece has left */
	REQ_PACE_DONE, /* this piece (maybe empty) is the last */
};

/* Appends to the piece being produced. 0, or -1 when out of memory. */
int req_pace_write(struct req_pace *p, const void *data, size_t len);

/* Produces the next piece with req_pace_write. */
typedef enum req_pace_step (*req_pace_fn)(struct req_pace *p, void *arg);
/* Called exactly once, when the stream is over: finished is true when
 * the whole reply was handed over, false when the client went away
 * (or the server shut down) first. Frees arg. */
typedef void (*req_pace_end_fn)(void *arg, bool finished);

/*
 * Starts a chunked reply with status and Content-Type and runs fn for
 * its pieces, the first one before returning. From then on arg belongs
 * to the stream: end_fn frees it, maybe before this returns (a HEAD
 * request has no body; a stream of one piece ends at once). Cuts and
 * deadlines of the connection (conn.h) still apply: each piece that
 * leaves renews the idle deadline, so a client that stops reading is
 * cut after idle_timeout_s.
 */
void req_stream_paced(struct req *r, int status, const char *content_type,
    req_pace_fn fn, req_pace_end_fn end_fn, void *arg);

#endif
