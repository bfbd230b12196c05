/*
 * The collector process (DESIGN.md §2): flow and session intake and
 * detection, apart from the net workers so a flood of export packets
 * never slows the API, and without any key.
 *
 *   collector.c       the process: its sockets (flow_listen UDP,
 *                     flow_tcp_listen IPFIX/TCP, radius_listen UDP),
 *                     zeek_log following, the event loop, IPC with the
 *                     parent, the sandbox, SECURITY paragraph
 *   coll_pipeline.c   decoded flows and sessions → attribution (cached
 *                     vigil_attribute; an in-memory snapshot of
 *                     bindings and session addresses under a burst) →
 *                     the detection engine → alerts and shadow
 *                     findings in the store, batched: one transaction
 *                     per tick (alerts: 100 ms after the first), never
 *                     one per record on the receive path
 *   coll_out.c        alert outputs: webhook (libevent HTTP client
 *                     over OpenSSL, asynchronous,
 *                     bounded queue), syslog RFC 5424 over UDP, stdout
 *                     JSON lines
 *   coll_respond.c    automatic responses per detector (notify,
 *                     quarantine, revoke) with the storm guard; every
 *                     action audited with its evidence
 */
#ifndef VIGILD_COLLECTOR_H
#define VIGILD_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "metrics.h"
#include "vigil/detect.h"
#include "vigil/flow.h"

struct vigil_store;
struct event_base;

/* What the collector was given by the parent. Sockets are open, bound,
 * non-blocking; -1 = off. */
struct collector_ctx {
	const struct vigild_config *cfg;
	int parent_fd;
	int flow_fd;        /* UDP */
	int flow_tcp_fd;    /* TCP listening */
	int radius_fd;      /* UDP */
	struct metrics_shm *metrics; /* its counters for GET /metrics; may
				      * be NULL */
};

/* Runs the collector until IPC_SHUTDOWN or EOF from the parent; the
 * exit status. */
int collector_main(struct collector_ctx *ctx);

/* ---- the pipeline (coll_pipeline.c) ---- */

struct coll_pipeline;

/* Publishes an access-changing event (a quarantine or revocation the
 * collector made) to the parent, which fans it out (IPC_EPOCH). */
typedef void (*coll_epoch_fn)(void *ctx, int64_t seq, const char *object);

/*
 * Builds the pipeline on st (the collector's own store connection):
 * the detection engine from cfg->detect_config and cfg->intel_files,
 * the outputs and the response policy. 0, or -1 with err (a bad
 * detection file or response spec is an error at start; on reload,
 * coll_pipeline_reconfigure keeps the old settings and says why).
 */
struct coll_pipeline *coll_pipeline_new(struct vigil_store *st,
    struct event_base *base, const struct vigild_config *cfg,
    coll_epoch_fn epoch, void *epoch_ctx, char *err, size_t errsize);
void coll_pipeline_free(struct coll_pipeline *p);
int coll_pipeline_reconfigure(struct coll_pipeline *p,
    const struct vigild_config *cfg, char *err, size_t errsize);

void coll_pipeline_flow(struct coll_pipeline *p, const struct vigil_flow *f);
/* n flows, exactly as n calls of coll_pipeline_flow in order, handed
 * to the engine as one batch (vigil_detect_flows); coll_pipeline_flow
 * is this with n = 1. */
void coll_pipeline_flows(struct coll_pipeline *p, const struct vigil_flow *f,
    size_t n);
/* A verified accounting request: the session store, then IMEI lock and
 * roaming checks. */
void coll_pipeline_session(struct coll_pipeline *p,
    const struct vigil_radius_acct *r);
/* Timer (1 s): detection windows, batched store writes, output retries. */
void coll_pipeline_tick(struct coll_pipeline *p, int64_t now_ms);

/* Counters for logs and tests. */
struct coll_stats {
	struct vigil_flow_stats flows;   /* all readers */
	uint64_t radius_ok, radius_bad;  /* verified / refused requests */
	uint64_t alerts, alerts_new, shadow, responses, held;
	uint64_t udp_drops;              /* SO_RXQ_OVFL when available */
	uint64_t entities, models;       /* the engine's state now */
};
void coll_pipeline_stats(const struct coll_pipeline *p,
    struct coll_stats *out /* OUT */);

/* ---- outputs (coll_out.c) ---- */

struct coll_out;
struct coll_out *coll_out_new(struct event_base *base,
    const struct vigild_config *cfg, char *err, size_t errsize);
void coll_out_free(struct coll_out *o);
/* Sends one alert (the vigil_alert_get JSON plus "new") to every
 * configured output; never blocks (queues, bounded; drops counted). */
void coll_out_alert(struct coll_out *o, const json_t *alert);

/* ---- responses (coll_respond.c) ---- */

struct coll_respond;
/* spec: the response key ("kind=action,..."); err names a bad entry. */
struct coll_respond *coll_respond_new(struct vigil_store *st,
    const char *spec, unsigned max_per_min, coll_epoch_fn epoch,
    void *epoch_ctx, char *err, size_t errsize);
void coll_respond_free(struct coll_respond *r);
/* After an alert was recorded (id, its JSON): applies the kind's action
 * to the alert's device (if any): quarantine (vigil_device_set_state),
 * revoke (every good certificate of the device), or notify; held by the
 * storm guard beyond max_per_min. Audits and records the response on
 * the alert (vigil_alert_response). */
void coll_respond_alert(struct coll_respond *r, const struct vigil_alert *a,
    int64_t alert_id, int64_t now_ms);

/* ---- added by N7 (pipeline): counters for coll_pipeline_stats ---- */
/* Automatic actions taken (quarantines, revocations) and held by the
 * storm guard since coll_respond_new. */
void coll_respond_counts(const struct coll_respond *r,
    uint64_t *taken /* OUT */, uint64_t *held /* OUT */);
/* ---- end of N7 block ---- */

#endif
