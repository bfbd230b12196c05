/*
 * Beacon detection (detect.h: beacon): command-and-control implants
 * call home at a fixed period with little data. For each of an
 * entity's busiest destinations (host and port), the gaps between
 * connection starts feed a running mean and variance (Welford's,
 * fading to an exponential average after 64 gaps); at least beacon_min
 * connections, a coefficient of variation at or below beacon_max_cv
 * and small mean bytes make a beacon. Infrastructure nets and ports
 * (DNS, NTP, DHCP, mDNS, SSDP) are never tracked: they are periodic by
 * nature. Connections closer than beacon_min_gap_s are one burst.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

#define FADE 64
#define REFIRE_S 3600

/* The tracker of (host, port, proto), or -1: claimed when free, or
 * when the weakest tracker has worn down. */
static int
bslot(struct det_entity *e, uint32_t host, uint16_t port, uint8_t proto)
{
	int low = 0;

	for (int i = 0; i < DET_BSLOTS; i++) {
		const struct det_bkey *s = &e->b[i];

		if (s->host == host && s->port == port && s->proto == proto &&
		    s->n != 0)
			return i;
		if (s->n == 0) {
			low = i;
			break;
		}
		if (s->credit < e->b[low].credit)
			low = i;
	}
	/* The weakest tracker wears down before a newcomer takes it, so
	 * a regular destination survives a crowd of one-off peers. */
	if (e->b[low].n != 0 && e->b[low].credit > 0) {
		e->b[low].credit--;
		return -1;
	}
	memset(&e->b[low], 0, sizeof e->b[low]);
	memset(&e->bb[low], 0, sizeof e->bb[low]);
	e->b[low].host = host;
	e->b[low].port = port;
	e->b[low].proto = proto;
	return low;
}

int
det_beacon_peek(const struct det_entity *e, uint32_t host, uint16_t port,
    uint8_t proto)
{
	for (int i = 0; i < DET_BSLOTS; i++) {
		if (e->b[i].n == 0)
			return i;           /* the one bslot would claim */
		if (e->b[i].host == host && e->b[i].port == port &&
		    e->b[i].proto == proto)
			return i;
	}
	return -1;
}

void
det_beacon_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint32_t host = (uint32_t)d->cur.hdst | 1;
	double fb = (double)(f->bytes + f->rbytes), gap, delta, k, sd, cv;
	struct det_bkey *key;
	struct det_bbody *b;
	int i;
	char sum[256], peer[64];

	if (d->cur.dport_infra || d->cur.dst_infra)
		return;
	if ((i = bslot(e, host, f->dport, f->proto)) < 0)
		return;
	key = &e->b[i];
	b = &e->bb[i];
	if (key->n == 0) {
		key->n = 1;
		key->credit = 1;
		b->last_start_ms = f->start_ms;
		b->bytes = (float)fb;
		return;
	}
	if (key->credit < UINT16_MAX)
		key->credit++;
	gap = (double)(f->start_ms - b->last_start_ms) / 1000.0;
	if (gap < 0)
		return;              /* late flow: no gap to measure */
	if (gap < d->cfg.beacon_min_gap_s) {
		b->bytes += (float)fb;  /* one burst: one connection */
		return;
	}
	b->last_start_ms = f->start_ms;
	if (key->n < UINT16_MAX)
		key->n++;
	k = key->n - 1 < FADE ? key->n - 1 : FADE;   /* gaps, faded */
	delta = gap - b->mean;
	b->mean += (float)(delta / k);
	b->m2 += (float)((delta * (gap - b->mean) - b->m2) / k);
	b->bytes += (float)((fb - b->bytes) / (key->n < FADE ? key->n : FADE));
	if (key->n < d->cfg.beacon_min || b->mean <= 0)
		return;
	sd = sqrt(b->m2 > 0 ? b->m2 : 0);
	cv = sd / b->mean;
	if (cv > d->cfg.beacon_max_cv || b->bytes > d->cfg.beacon_max_bytes)
		return;
	if (b->fired_s != 0 && sec < b->fired_s + REFIRE_S)
		return;
	b->fired_s = sec;
	{
		struct det_fire x = { .kind = VIGIL_ALERT_BEACON,
		    .want_dport = f->dport, .want_peer = true,
		    .peer_family = f->family };

		memcpy(x.peer, f->dst, 16);
		det_addr_str(f->family, f->dst, peer, sizeof peer);
		snprintf(sum, sizeof sum, "%u connections to %s port %u every "
		    "%.1f s (cv %.2f, %.0f bytes each)", key->n, peer, f->dport,
		    b->mean, cv, b->bytes);
		x.first_ms = f->start_ms - (int64_t)(b->mean * 1000.0 *
		    (key->n - 1));
		x.last_ms = f->end_ms;
		x.count = key->n;
		x.summary = sum;
		x.numbers = json_pack("{s:s,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f}",
		    "peer", peer, "port", f->dport, "proto", f->proto,
		    "connections", (json_int_t)key->n, "period_s",
		    (double)b->mean, "stddev_s", sd, "cv", cv, "max_cv",
		    d->cfg.beacon_max_cv, "mean_bytes", (double)b->bytes);
		det_fire(d, e, f, &x);
	}
}
