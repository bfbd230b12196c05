/*
 * Volume detection (detect.h: volume.spike, ddos). Each entity keeps
 * exponentially weighted baselines of its flows, bytes and packets per
 * interval_s; after WARM intervals, an interval whose bytes exceed
 * spike_factor x the baseline and spike_min_bytes fires once. Flood
 * participation is judged per minute against the entity's heaviest
 * external target (a one-counter Misra-Gries heavy hitter): packets
 * above ddos_pps x 60, or flood-shaped flows (unanswered TCP, UDP,
 * ICMP) above ddos_flows. Completed TCP connections do not count as
 * flood flows, so a chatty but healthy client does not look like one.
 */
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

#define WARM 4          /* intervals before a baseline is trusted */
#define FLEET_WARM 16   /* device intervals before a fleet's is */
#define ALPHA 0.2f
#define MAX_ROLL 64     /* past this many silent intervals: restart */

static void
roll(struct vigil_detect *d, struct det_entity *e, uint32_t sec)
{
	unsigned steps = 0;

	while (sec >= e->int_s + d->cfg.interval_s) {
		if (++steps > MAX_ROLL) {
			/* Silent for long: the old baseline says little. */
			e->int_s = sec;
			break;
		}
		/* The fleet learns from every active interval of its
		 * devices. */
		if (e->model != 0 && steps == 1) {
			struct det_model *m = det_model_get(d, e->model);

			if (m != NULL)
				det_model_interval(m, e->i_flows, e->i_bytes,
				    e->i_pkts);
		}
		if (e->nintervals == 0) {
			e->ew_flows = (float)e->i_flows;
			e->ew_bytes = (float)e->i_bytes;
			e->ew_pkts = (float)e->i_pkts;
		} else {
			e->ew_flows += ALPHA * ((float)e->i_flows -
			    e->ew_flows);
			e->ew_bytes += ALPHA * ((float)e->i_bytes -
			    e->ew_bytes);
			e->ew_pkts += ALPHA * ((float)e->i_pkts - e->ew_pkts);
		}
		if (e->nintervals < UINT16_MAX)
			e->nintervals++;
		e->i_flows = 0;
		e->i_bytes = e->i_pkts = 0;
		e->int_s += d->cfg.interval_s;
	}
}

/* Fires volume.spike; the other baselines (line 2) are read only
 * here, so a flow that does not fire never loads them. */
static void __attribute__((noinline))
spike_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, const struct det_model *m, double base)
{
	float ew_flows = m != NULL ? m->ew_flows : e->ew_flows;
	float ew_pkts = m != NULL ? m->ew_pkts : e->ew_pkts;
	struct det_fire x = { .kind = VIGIL_ALERT_VOLUME_SPIKE,
	    .want_dport = -1 };
	char sum[256];

	snprintf(sum, sizeof sum, "%llu bytes in %u s, %.1f x its "
	    "baseline of %.0f", (unsigned long long)e->i_bytes,
	    d->cfg.interval_s, (double)e->i_bytes / base, base);
	x.first_ms = (int64_t)e->int_s * 1000;
	x.last_ms = f->end_ms;
	x.count = e->i_flows;
	x.summary = sum;
	x.numbers = json_pack("{s:I,s:f,s:f,s:I,s:i,s:f,s:f,s:i,s:s}",
	    "bytes", (json_int_t)e->i_bytes, "baseline_bytes", base,
	    "factor", d->cfg.spike_factor, "min_bytes",
	    (json_int_t)d->cfg.spike_min_bytes, "flows",
	    (json_int_t)e->i_flows, "baseline_flows", (double)ew_flows,
	    "baseline_packets", (double)ew_pkts, "interval_s",
	    d->cfg.interval_s, "baseline_of", m != NULL ? "model" : "device");
	det_fire(d, e, f, &x);
}

void
det_volume_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out)
{
	double base;
	const struct det_model *m = NULL;
	float ew_bytes;

	(void)out;
	if (sec >= e->int_s + d->cfg.interval_s)
		roll(d, e, sec);
	e->i_flows++;
	e->i_bytes += f->bytes + f->rbytes;
	e->i_pkts += f->packets + f->rpackets;
	if (e->spike_s != 0 && e->spike_s >= e->int_s)
		return;
	if (e->nintervals >= WARM) {
		ew_bytes = e->ew_bytes;
	} else if (e->model != 0 && (m = det_model_get(d, e->model)) != NULL &&
	    m->nintervals >= FLEET_WARM) {
		/* No baseline of its own yet: its fleet's. */
		ew_bytes = m->ew_bytes;
	} else {
		return;
	}
	base = ew_bytes > 1 ? ew_bytes : 1;
	if ((double)e->i_bytes <= base * d->cfg.spike_factor ||
	    e->i_bytes < d->cfg.spike_min_bytes)
		return;
	e->spike_s = sec > e->int_s ? sec : e->int_s;
	spike_fire(d, e, f, m, base);
}

static bool
flood_shaped(const struct vigil_flow *f, bool failed)
{
	return f->proto == 17 || f->proto == 1 || f->proto == 58 ||
	    (f->proto == 6 && failed);
}

/* The alert, out of line: the per-flow path stays small. */
static void __attribute__((noinline))
ddos_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, bool by_flows)
{
	struct det_fire x = { .kind = VIGIL_ALERT_DDOS, .want_dport = -1,
	    .want_peer = true, .peer_family = f->family };
	char sum[256], peer[64];

	memcpy(x.peer, f->dst, 16);
	det_addr_str(f->family, f->dst, peer, sizeof peer);
	snprintf(sum, sizeof sum, "flooding %s: %llu packets, %u flood flows "
	    "within a minute", peer, (unsigned long long)e->dd_pkts,
	    e->dd_syn);
	x.first_ms = (int64_t)e->min_s * 1000;
	x.last_ms = f->end_ms;
	x.count = by_flows ? e->dd_syn : e->dd_pkts;
	x.summary = sum;
	x.numbers = json_pack("{s:s,s:I,s:i,s:i,s:i,s:i}", "target", peer,
	    "packets", (json_int_t)e->dd_pkts, "flood_flows",
	    (json_int_t)e->dd_syn, "pps_threshold", d->cfg.ddos_pps,
	    "flows_threshold", d->cfg.ddos_flows, "window_s", 60);
	det_fire(d, e, f, &x);
}

void
det_ddos_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint32_t host = (uint32_t)d->cur.hdst | 1;
	bool by_pkts, by_flows;

	if (d->cur.dst_local)
		return;
	if (sec >= e->min_s + 60 || sec + 3600 < e->min_s) {
		e->min_s = sec;
		e->dd_host = 0;
		e->dd_flows = e->dd_syn = 0;
		e->dd_pkts = 0;
		e->ddos_fired = 0;
	}
	if (e->dd_host != host) {
		if (e->dd_host != 0 && e->dd_flows > 1) {
			e->dd_flows--;
			return;
		}
		e->dd_host = host;
		e->dd_flows = 0;
		e->dd_syn = 0;
		e->dd_pkts = 0;
		e->ddos_fired = 0;
	}
	e->dd_flows++;
	e->dd_pkts += f->packets;
	e->dd_syn += flood_shaped(f, d->cur.failed);
	if (e->ddos_fired)
		return;
	by_pkts = e->dd_pkts >= (uint64_t)d->cfg.ddos_pps * 60;
	by_flows = e->dd_syn >= d->cfg.ddos_flows;
	if (!by_pkts && !by_flows)
		return;
	e->ddos_fired = 1;
	ddos_fire(d, e, f, by_flows);
}
