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

static struct det_bslot *
bslot(struct det_entity *e, uint32_t host, uint16_t port, uint8_t proto)
{
	struct det_bslot *low = &e->b[0];

	for (size_t i = 0; i < DET_BSLOTS; i++) {
		struct det_bslot *s = &e->b[i];

		if (s->host == host && s->port == port && s->proto == proto &&
		    s->n != 0)
			return s;
		if (s->n == 0) {
			low = s;
			break;
		}
		if (s->credit < low->credit)
			low = s;
	}
	/* The weakest tracker wears down before a newcomer takes it, so
	 * a regular destination survives a crowd of one-off peers. */
	if (low->n != 0 && low->credit > 0) {
		low->credit--;
		return NULL;
	}
	memset(low, 0, sizeof *low);
	low->host = host;
	low->port = port;
	low->proto = proto;
	return low;
}

void
det_beacon_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint32_t host = (uint32_t)d->cur.hdst | 1;
	double fb = (double)(f->bytes + f->rbytes), gap, delta, k, sd, cv;
	struct det_bslot *b;
	char sum[256], peer[64];

	if (d->cur.dport_infra || d->cur.dst_infra)
		return;
	b = bslot(e, host, f->dport, f->proto);
	if (b == NULL)
		return;
	if (b->n == 0) {
		b->n = 1;
		b->credit = 1;
		b->last_start_ms = f->start_ms;
		b->bytes = (float)fb;
		return;
	}
	if (b->credit < UINT16_MAX)
		b->credit++;
	gap = (double)(f->start_ms - b->last_start_ms) / 1000.0;
	if (gap < 0)
		return;              /* late flow: no gap to measure */
	if (gap < d->cfg.beacon_min_gap_s) {
		b->bytes += (float)fb;  /* one burst: one connection */
		return;
	}
	b->last_start_ms = f->start_ms;
	if (b->n < UINT16_MAX)
		b->n++;
	k = b->n - 1 < FADE ? b->n - 1 : FADE;   /* gaps, faded */
	delta = gap - b->mean;
	b->mean += (float)(delta / k);
	b->m2 += (float)((delta * (gap - b->mean) - b->m2) / k);
	b->bytes += (float)((fb - b->bytes) / (b->n < FADE ? b->n : FADE));
	if (b->n < d->cfg.beacon_min || b->mean <= 0)
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
		    "%.1f s (cv %.2f, %.0f bytes each)", b->n, peer, f->dport,
		    b->mean, cv, b->bytes);
		x.first_ms = f->start_ms - (int64_t)(b->mean * 1000.0 *
		    (b->n - 1));
		x.last_ms = f->end_ms;
		x.count = b->n;
		x.summary = sum;
		x.numbers = json_pack("{s:s,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f}",
		    "peer", peer, "port", f->dport, "proto", f->proto,
		    "connections", (json_int_t)b->n, "period_s",
		    (double)b->mean, "stddev_s", sd, "cv", cv, "max_cv",
		    d->cfg.beacon_max_cv, "mean_bytes", (double)b->bytes);
		det_fire(d, e, f, &x);
	}
}
