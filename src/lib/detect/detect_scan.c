/*
 * Scan detection (detect.h: scan.horizontal, scan.vertical): within a
 * window of scan_window_s flow-time seconds per entity, the distinct
 * hosts it contacted on each of its busiest destination ports, and the
 * distinct ports it tried on each of its busiest peers. Slots are kept
 * Misra-Gries style (a newcomer with no free slot wears every slot
 * down), failed connections (S0, REJ, no reply) weighing double, so a
 * scan's port holds its slot against ordinary traffic. Each slot fires
 * once per window, with the counts and sample targets.
 */
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

static const char *
proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp" :
	    p == 58 ? "icmp6" : p == 132 ? "sctp" : "ip";
}

/* A new window frees every slot (weight 0); a slot's sketch is cleared
 * when it is claimed, so the reset writes one line, not seven. */
static void
window(struct vigil_detect *d, struct det_entity *e, uint32_t sec)
{
	if (sec < e->win_s + d->cfg.scan_window_s)
		return;
	memset(e->h, 0, sizeof e->h);
	memset(e->v, 0, sizeof e->v);
	memset(e->lat, 0, sizeof e->lat);
	e->nlat = 0;
	e->win_s = sec;
}

/* The slot of (port, proto), claimed when free; -1 when every slot is
 * taken by another port (which then wears down). */
static int
hslot(struct det_entity *e, uint16_t port, uint8_t proto, unsigned w)
{
	int free_slot = -1;

	for (int i = 0; i < DET_HSLOTS; i++) {
		struct det_hslot *s = &e->h[i];

		if (s->weight != 0 && s->port == port && s->proto == proto) {
			s->weight = (uint16_t)(s->weight + w > UINT16_MAX ?
			    UINT16_MAX : s->weight + w);
			return i;
		}
		if (s->weight == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		for (size_t i = 0; i < DET_HSLOTS; i++)
			if (--e->h[i].weight == 0)
				memset(&e->h[i], 0, sizeof e->h[i]);
		return -1;
	}
	memset(&e->h[free_slot], 0, sizeof e->h[free_slot]);
	det_distinct_clear(&e->hs[free_slot]);
	e->h[free_slot].port = port;
	e->h[free_slot].proto = proto;
	e->h[free_slot].weight = (uint16_t)w;
	return free_slot;
}

static int
vslot(struct det_entity *e, uint32_t host, unsigned w)
{
	int free_slot = -1;

	for (int i = 0; i < DET_VSLOTS; i++) {
		struct det_vslot *s = &e->v[i];

		if (s->weight != 0 && s->host == host) {
			s->weight = (uint16_t)(s->weight + w > UINT16_MAX ?
			    UINT16_MAX : s->weight + w);
			return i;
		}
		if (s->weight == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		for (size_t i = 0; i < DET_VSLOTS; i++)
			if (--e->v[i].weight == 0)
				memset(&e->v[i], 0, sizeof e->v[i]);
		return -1;
	}
	memset(&e->v[free_slot], 0, sizeof e->v[free_slot]);
	det_distinct_clear(&e->vs[free_slot]);
	e->v[free_slot].host = host;
	e->v[free_slot].weight = (uint16_t)w;
	return free_slot;
}

/* Which sketch lines the next flow of e will touch (-1: none): the
 * slot hslot and vslot would answer, the matching one or the free one
 * they would claim, found without changing anything, so the batch
 * entry point can start those loads early. */
void
det_scan_peek(const struct det_entity *e, uint16_t port, uint8_t proto,
    uint32_t host, int *hi, int *vi)
{
	*hi = *vi = -1;
	for (int i = 0; i < DET_HSLOTS; i++) {
		if (e->h[i].weight == 0) {
			if (*hi < 0)
				*hi = i;
		} else if (e->h[i].port == port && e->h[i].proto == proto) {
			*hi = i;
			break;
		}
	}
	for (int i = 0; i < DET_VSLOTS; i++) {
		if (e->v[i].weight == 0) {
			if (*vi < 0)
				*vi = i;
		} else if (e->v[i].host == host) {
			*vi = i;
			break;
		}
	}
}

void
det_scan_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	bool failed = d->cur.failed;
	unsigned w = failed ? 2 : 1;
	uint64_t ph = d->cur.hdst;
	struct det_hslot *h;
	struct det_vslot *v;
	int hi, vi;
	char sum[256], peer[64];

	window(d, e, sec);
	/* Horizontal: infrastructure ports (a resolver's fan-out on 53)
	 * are not scans. */
	if (!d->cur.dport_infra &&
	    (hi = hslot(e, f->dport, f->proto, w)) >= 0) {
		h = &e->h[hi];
		h->fails = (uint16_t)(h->fails + failed > UINT16_MAX ?
		    UINT16_MAX : h->fails + failed);
		if (det_distinct_add(&e->hs[hi], det_fp16(ph)) && !h->fired &&
		    det_distinct_count(&e->hs[hi]) >= d->cfg.scan_hosts) {
			unsigned n = det_distinct_count(&e->hs[hi]);
			struct det_fire x = {
				.kind = VIGIL_ALERT_SCAN_HORIZONTAL,
				.want_dport = h->port,
			};

			h->fired = 1;
			snprintf(sum, sizeof sum, "scanned %u hosts on %s/%u "
			    "in %u s", n, proto_name(h->proto), h->port,
			    sec >= e->win_s ? sec - e->win_s : 0);
			x.first_ms = (int64_t)e->win_s * 1000;
			x.last_ms = f->end_ms;
			x.count = n;
			x.summary = sum;
			x.numbers = json_pack("{s:i,s:i,s:s,s:i,s:i,s:i}",
			    "hosts", (json_int_t)n, "port", h->port, "proto",
			    proto_name(h->proto), "failed", h->fails,
			    "threshold", d->cfg.scan_hosts, "window_s",
			    d->cfg.scan_window_s);
			det_fire(d, e, f, &x);
		}
	}
	vi = vslot(e, (uint32_t)ph, w);
	if (vi < 0)
		return;
	v = &e->v[vi];
	v->fails = (uint16_t)(v->fails + failed > UINT16_MAX ? UINT16_MAX :
	    v->fails + failed);
	if (det_distinct_add(&e->vs[vi], det_fp16(det_mix((uint64_t)f->dport |
	    (uint64_t)f->proto << 16))) && !v->fired &&
	    det_distinct_count(&e->vs[vi]) >= d->cfg.scan_ports) {
		unsigned n = det_distinct_count(&e->vs[vi]);
		struct det_fire x = { .kind = VIGIL_ALERT_SCAN_VERTICAL,
		    .want_dport = -1, .want_peer = true,
		    .peer_family = f->family };

		v->fired = 1;
		memcpy(x.peer, f->dst, 16);
		det_addr_str(f->family, f->dst, peer, sizeof peer);
		snprintf(sum, sizeof sum, "scanned %u ports on %s in %u s", n,
		    peer, sec >= e->win_s ? sec - e->win_s : 0);
		x.first_ms = (int64_t)e->win_s * 1000;
		x.last_ms = f->end_ms;
		x.count = n;
		x.summary = sum;
		x.numbers = json_pack("{s:i,s:s,s:i,s:i,s:i}", "ports",
		    (json_int_t)n, "host", peer, "failed", v->fails,
		    "threshold", d->cfg.scan_ports, "window_s",
		    d->cfg.scan_window_s);
		det_fire(d, e, f, &x);
	}
}
