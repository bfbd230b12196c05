/*
 * Beacon detection (detect.h: beacon): command-and-control implants
 * call home at a fixed period with little data. For each of an
 * entity's busiest destinations (host and port), the gaps between
 * connection starts feed a running mean and variance (Welford's,
 * fading to an exponential average after 64 gaps); at least beacon_min
 * connections, a coefficient of variation at or below beacon_max_cv
 * and small mean bytes make a beacon. Infrastructure nets and ports
 * (DNS, NTP, DHCP, mDNS, SSDP) are never tracked: they are periodic by
 * nature; nor, unless beacon.local_peers says so, are local
 * destinations: a command-and-control server is outside, while a
 * SCADA master polling its PLCs, a hub its sensors or a monitoring
 * system its targets is regular by design. Connections closer than
 * beacon_min_gap_s are one burst.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

#define FADE 64
#define REFIRE_S 3600

/* 1/k for the running averages' divisors (k in 1..FADE): a multiply
 * per update instead of three divisions on every gap. */
static const double inv[FADE + 1] = { 0,
	1.0 / 1, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6,
	1.0 / 7, 1.0 / 8, 1.0 / 9, 1.0 / 10, 1.0 / 11, 1.0 / 12,
	1.0 / 13, 1.0 / 14, 1.0 / 15, 1.0 / 16, 1.0 / 17, 1.0 / 18,
	1.0 / 19, 1.0 / 20, 1.0 / 21, 1.0 / 22, 1.0 / 23, 1.0 / 24,
	1.0 / 25, 1.0 / 26, 1.0 / 27, 1.0 / 28, 1.0 / 29, 1.0 / 30,
	1.0 / 31, 1.0 / 32, 1.0 / 33, 1.0 / 34, 1.0 / 35, 1.0 / 36,
	1.0 / 37, 1.0 / 38, 1.0 / 39, 1.0 / 40, 1.0 / 41, 1.0 / 42,
	1.0 / 43, 1.0 / 44, 1.0 / 45, 1.0 / 46, 1.0 / 47, 1.0 / 48,
	1.0 / 49, 1.0 / 50, 1.0 / 51, 1.0 / 52, 1.0 / 53, 1.0 / 54,
	1.0 / 55, 1.0 / 56, 1.0 / 57, 1.0 / 58, 1.0 / 59, 1.0 / 60,
	1.0 / 61, 1.0 / 62, 1.0 / 63, 1.0 / 64
};

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
    uint8_t proto, bool *match)
{
	*match = false;
	for (int i = 0; i < DET_BSLOTS; i++) {
		if (e->b[i].n == 0)
			return i;           /* the one bslot would claim */
		if (e->b[i].host == host && e->b[i].port == port &&
		    e->b[i].proto == proto) {
			*match = true;
			return i;
		}
	}
	return -1;
}

/* The alert, out of line: the per-flow path stays small. */
static void __attribute__((noinline))
beacon_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, const struct det_bkey *key,
    const struct det_bbody *b, double sd, double cv)
{
	struct det_fire x = { .kind = VIGIL_ALERT_BEACON,
	    .want_dport = f->dport, .want_peer = true,
	    .peer_family = f->family };
	char sum[256], peer[64];

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
	    "connections", (json_int_t)key->n, "period_s", (double)b->mean,
	    "stddev_s", sd, "cv", cv, "max_cv", d->cfg.beacon_max_cv,
	    "mean_bytes", (double)b->bytes);
	det_fire(d, e, f, &x);
}

void
det_beacon_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint32_t host = (uint32_t)d->cur.hdst | 1;
	double fb = (double)(f->bytes + f->rbytes), gap, delta, ik, sd, cv;
	double lim;
	int64_t gap_ms;
	struct det_bkey *key;
	struct det_bbody *b;
	int i;

	if (d->cur.dport_infra || d->cur.dst_infra ||
	    (d->cur.dst_local && !d->cfg.beacon_local_peers))
		return;
	if ((i = bslot(e, host, f->dport, f->proto)) < 0)
		return;
	d->cur.bslot = i;
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
	gap_ms = f->start_ms - b->last_start_ms;
	if (gap_ms < 0)
		return;              /* late flow: no gap to measure */
	if (gap_ms < (int64_t)d->cfg.beacon_min_gap_s * 1000) {
		b->bytes += (float)fb;  /* one burst: one connection */
		return;
	}
	/* A multiply, not a division: this runs on every gap. */
	gap = (double)gap_ms * 0.001;
	b->last_start_ms = f->start_ms;
	if (key->n < UINT16_MAX)
		key->n++;
	ik = inv[key->n - 1 < FADE ? key->n - 1 : FADE];   /* gaps, faded */
	delta = gap - b->mean;
	b->mean += (float)(delta * ik);
	b->m2 += (float)((delta * (gap - b->mean) - b->m2) * ik);
	b->bytes += (float)((fb - b->bytes) * inv[key->n < FADE ? key->n :
	    FADE]);
	if (key->n < d->cfg.beacon_min || b->mean <= 0 ||
	    b->bytes > d->cfg.beacon_max_bytes)
		return;
	if (b->fired_s != 0 && sec < b->fired_s + REFIRE_S)
		return;
	/* cv = sd / mean > max_cv, without the square root while it is
	 * not a beacon (both sides are non-negative). */
	lim = d->cfg.beacon_max_cv * b->mean;
	if ((b->m2 > 0 ? b->m2 : 0) > lim * lim)
		return;
	sd = sqrt(b->m2 > 0 ? b->m2 : 0);
	cv = sd / b->mean;
	if (cv > d->cfg.beacon_max_cv)
		return;
	b->fired_s = sec;
	beacon_fire(d, e, f, key, b, sd, cv);
}
