/*
 * Recording into and rendering of the shared metrics (metrics.c; the
 * mapping itself is declared in metrics.h). Recorders are called by
 * the worker that owns slot `worker` only; they use relaxed atomics
 * so a concurrent scrape by another worker reads whole values.
 */
#ifndef VIGILD_METRICS_REC_H
#define VIGILD_METRICS_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "vigil/core.h"

/* Why a connection was cut or refused
 * (vigil_http_connections_rejected_total{reason}). */
enum metrics_reject {
	MREJ_MAX_CONNECTIONS = 0, /* "max_connections" */
	MREJ_MAX_PER_IP,          /* "max_connections_per_ip" */
	MREJ_REQUEST_TIMEOUT,     /* "request_timeout" (slowloris) */
	MREJ_IDLE_TIMEOUT,        /* "idle_timeout" */
	MREJ_DRAINING,            /* "shutdown" */
	MREJ_COUNT
};

/* A worker (re)starts: its gauges start from zero again. */
void metrics_worker_start(struct metrics_shm *m, unsigned worker);

void metrics_conn_delta(struct metrics_shm *m, unsigned worker, int delta);
void metrics_conn_rejected(struct metrics_shm *m, unsigned worker,
    enum metrics_reject why);

/* One request: route index in the table (nroutes or more = no route
 * matched), status sent, duration in nanoseconds. */
void metrics_request(struct metrics_shm *m, unsigned worker, size_t route,
    int status, int64_t ns);

/* Time spent in store calls (the handler's run time). */
void metrics_store_time(struct metrics_shm *m, unsigned worker, int64_t ns);

/* The collector process's counters (it is their only writer; totals
 * since it started, so a restart is a counter reset to Prometheus). */
struct metrics_coll {
	uint64_t packets;            /* export packets, log lines */
	uint64_t records;            /* flows decoded */
	uint64_t malformed, no_template, udp_drops;
	uint64_t radius_ok, radius_refused;
	uint64_t alerts, alerts_new, shadow;
	uint64_t responses, held;
	uint64_t entities, models;   /* gauges: the engine's state now */
};
void metrics_collector_publish(struct metrics_shm *m,
    const struct metrics_coll *c);

/* Values read at scrape time by the scraping worker. */
struct metrics_extra {
	bool have_audit;
	int64_t audit_chain_length;  /* vigil_audit_head seq */
	int64_t audit_checkpoint_seq;
};

/* Prometheus text exposition 0.0.4 of every worker's slot, summed. */
enum vigil_err metrics_render(const struct metrics_shm *m,
    const struct metrics_extra *x, struct vigil_buf *out);

#endif
