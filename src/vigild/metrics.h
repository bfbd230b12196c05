/*
 * Metrics shared by all net workers: a MAP_SHARED anonymous mapping
 * created by the parent before it forks, one slot per worker, written
 * with relaxed atomics by its worker only and summed by whichever
 * worker serves GET /metrics (Prometheus text exposition 0.0.4).
 * Fixed size: routes are indexed by their number in the route table.
 */
#ifndef VIGILD_METRICS_H
#define VIGILD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_WORKERS 64
#define METRICS_MAX_ROUTES 96
#define METRICS_STATUS_CLASSES 6    /* 1xx..5xx + other */
#define METRICS_LATENCY_BUCKETS 12  /* see metrics.c */

struct metrics_shm;

/* Parent: creates the mapping (NULL on failure). */
struct metrics_shm *metrics_create(unsigned nworkers);
void metrics_destroy(struct metrics_shm *m);

#endif
