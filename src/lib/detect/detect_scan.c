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

/* A new window frees every slot (weight 0); a slot's set is emptied
 * when it is claimed, in its header (the lazy set below), so the reset
 * writes one line, not seven. */
static void
window(struct vigil_detect *d, struct det_entity *e, uint32_t sec)
{
	if (sec < e->win_s + d->cfg.scan_window_s)
		return;
	memset(&e->sc, 0, sizeof e->sc);
	memset(e->lat, 0, sizeof e->lat);
	e->nlat = 0;
	e->win_s = sec;
}

/*
 * The lazy distinct set of a slot: empty, one fingerprint in the
 * header (fp0), or spilled into the slot's line. Counts are those of
 * det_distinct (exact to DET_EXACT): spilling writes fp0 and the new
 * one into an emptied line.
 */
static bool
lazy_add(struct det_distinct *line, uint16_t *fp0, uint8_t *flags,
    uint16_t fp)
{
	if (*flags & DET_SC_SPILL)
		return det_distinct_add(line, fp);
	if (!(*flags & DET_SC_ONE)) {
		*fp0 = fp;
		*flags |= DET_SC_ONE;
		return true;
	}
	if (*fp0 == fp)
		return false;
	det_distinct_clear(line);
	(void)det_distinct_add(line, *fp0);
	(void)det_distinct_add(line, fp);
	*flags |= DET_SC_SPILL;
	return true;
}

static unsigned
lazy_count(const struct det_distinct *line, uint8_t flags)
{
	if (flags & DET_SC_SPILL)
		return det_distinct_count(line);
	return (flags & DET_SC_ONE) ? 1 : 0;
}

/* Whether adding fp writes the slot's line. */
static bool
lazy_touches(uint16_t fp0, uint8_t flags, uint16_t fp)
{
	return (flags & DET_SC_SPILL) ||
	    ((flags & DET_SC_ONE) && fp0 != fp);
}

static uint16_t
sat_add16(uint16_t a, unsigned b)
{
	return (uint16_t)(a + b > UINT16_MAX ? UINT16_MAX : a + b);
}

/* The slot of (port, proto), claimed when free; -1 when every slot is
 * taken by another port (which then wears down). */
static int
hslot(struct det_scanhdr *sc, uint16_t port, uint8_t proto, unsigned w)
{
	int free_slot = -1;

	for (int i = 0; i < DET_HSLOTS; i++) {
		if (sc->h_weight[i] != 0 && sc->h_port[i] == port &&
		    sc->h_proto[i] == proto) {
			sc->h_weight[i] = sat_add16(sc->h_weight[i], w);
			return i;
		}
		if (sc->h_weight[i] == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		for (size_t i = 0; i < DET_HSLOTS; i++)
			if (--sc->h_weight[i] == 0)
				sc->h_flags[i] = 0;
		return -1;
	}
	sc->h_port[free_slot] = port;
	sc->h_proto[free_slot] = proto;
	sc->h_weight[free_slot] = (uint16_t)w;
	sc->h_fails[free_slot] = 0;
	sc->h_flags[free_slot] = 0;
	return free_slot;
}

static int
vslot(struct det_scanhdr *sc, uint32_t host, unsigned w)
{
	int free_slot = -1;

	for (int i = 0; i < DET_VSLOTS; i++) {
		if (sc->v_weight[i] != 0 && sc->v_host[i] == host) {
			sc->v_weight[i] = sat_add16(sc->v_weight[i], w);
			return i;
		}
		if (sc->v_weight[i] == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		for (size_t i = 0; i < DET_VSLOTS; i++)
			if (--sc->v_weight[i] == 0)
				sc->v_flags[i] = 0;
		return -1;
	}
	sc->v_host[free_slot] = host;
	sc->v_weight[free_slot] = (uint16_t)w;
	sc->v_fails[free_slot] = 0;
	sc->v_flags[free_slot] = 0;
	return free_slot;
}

/* Which set lines the next outbound flow of e will write (-1: none),
 * found without changing anything, so the batch entry point can start
 * those loads early: the line of its port's slot and of its peer's,
 * when the lazy set there has spilled or is about to. A slot claimed
 * by the flow writes only the header. (A window about to reset makes
 * this a guess; a guess only costs a useless load.) */
void
det_scan_peek(const struct det_entity *e, uint16_t port, uint8_t proto,
    uint64_t hpeer, uint16_t pfp, bool infra_port, int *hi, int *vi)
{
	const struct det_scanhdr *sc = &e->sc;
	uint32_t host = (uint32_t)hpeer;

	*hi = *vi = -1;
	if (!infra_port)
		for (int i = 0; i < DET_HSLOTS; i++)
			if (sc->h_weight[i] != 0 && sc->h_port[i] == port &&
			    sc->h_proto[i] == proto) {
				if (lazy_touches(sc->h_fp0[i], sc->h_flags[i],
				    det_fp16(hpeer)))
					*hi = i;
				break;
			}
	for (int i = 0; i < DET_VSLOTS; i++)
		if (sc->v_weight[i] != 0 && sc->v_host[i] == host) {
			if (lazy_touches(sc->v_fp0[i], sc->v_flags[i], pfp))
				*vi = i;
			break;
		}
}

/* The alerts, out of line: the per-flow path stays small. */
static void __attribute__((noinline))
hscan_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, int hi, uint32_t sec)
{
	struct det_scanhdr *sc = &e->sc;
	unsigned n = lazy_count(&e->hs[hi], sc->h_flags[hi]);
	struct det_fire x = { .kind = VIGIL_ALERT_SCAN_HORIZONTAL,
	    .want_dport = sc->h_port[hi] };
	char sum[256];

	sc->h_flags[hi] |= DET_SC_FIRED;
	snprintf(sum, sizeof sum, "scanned %u hosts on %s/%u in %u s", n,
	    proto_name(sc->h_proto[hi]), sc->h_port[hi],
	    sec >= e->win_s ? sec - e->win_s : 0);
	x.first_ms = (int64_t)e->win_s * 1000;
	x.last_ms = f->end_ms;
	x.count = n;
	x.summary = sum;
	x.numbers = json_pack("{s:i,s:i,s:s,s:i,s:i,s:i}", "hosts",
	    (json_int_t)n, "port", sc->h_port[hi], "proto",
	    proto_name(sc->h_proto[hi]), "failed", sc->h_fails[hi],
	    "threshold", d->cfg.scan_hosts, "window_s", d->cfg.scan_window_s);
	det_fire(d, e, f, &x);
}

static void __attribute__((noinline))
vscan_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, int vi, uint32_t sec)
{
	struct det_scanhdr *sc = &e->sc;
	unsigned n = lazy_count(&e->vs[vi], sc->v_flags[vi]);
	struct det_fire x = { .kind = VIGIL_ALERT_SCAN_VERTICAL,
	    .want_dport = -1, .want_peer = true, .peer_family = f->family };
	char sum[256], peer[64];

	sc->v_flags[vi] |= DET_SC_FIRED;
	memcpy(x.peer, f->dst, 16);
	det_addr_str(f->family, f->dst, peer, sizeof peer);
	snprintf(sum, sizeof sum, "scanned %u ports on %s in %u s", n, peer,
	    sec >= e->win_s ? sec - e->win_s : 0);
	x.first_ms = (int64_t)e->win_s * 1000;
	x.last_ms = f->end_ms;
	x.count = n;
	x.summary = sum;
	x.numbers = json_pack("{s:i,s:s,s:i,s:i,s:i}", "ports", (json_int_t)n,
	    "host", peer, "failed", sc->v_fails[vi], "threshold",
	    d->cfg.scan_ports, "window_s", d->cfg.scan_window_s);
	det_fire(d, e, f, &x);
}

void
det_scan_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	struct det_scanhdr *sc = &e->sc;
	bool failed = d->cur.failed;
	unsigned w = failed ? 2 : 1;
	int hi, vi;

	window(d, e, sec);
	/* Horizontal: infrastructure ports (a resolver's fan-out on 53)
	 * are not scans. */
	if (!d->cur.dport_infra &&
	    (hi = hslot(sc, f->dport, f->proto, w)) >= 0) {
		sc->h_fails[hi] = sat_add16(sc->h_fails[hi], failed);
		if (lazy_add(&e->hs[hi], &sc->h_fp0[hi], &sc->h_flags[hi],
		    det_fp16(d->cur.hdst)) &&
		    !(sc->h_flags[hi] & DET_SC_FIRED) &&
		    lazy_count(&e->hs[hi], sc->h_flags[hi]) >=
		    d->cfg.scan_hosts)
			hscan_fire(d, e, f, hi, sec);
	}
	vi = vslot(sc, (uint32_t)d->cur.hdst, w);
	if (vi < 0)
		return;
	sc->v_fails[vi] = sat_add16(sc->v_fails[vi], failed);
	if (lazy_add(&e->vs[vi], &sc->v_fp0[vi], &sc->v_flags[vi],
	    d->cur.pfp) && !(sc->v_flags[vi] & DET_SC_FIRED) &&
	    lazy_count(&e->vs[vi], sc->v_flags[vi]) >= d->cfg.scan_ports)
		vscan_fire(d, e, f, vi, sec);
}
