/*
 * Peer detectors (detect.h): new.destination (an external network or
 * service outside what the entity used during its learning period),
 * exposure.inbound (an outside host got an answer from a risky service
 * on the entity: telnet and friends; seen in the outside host's record
 * when it has reply counters or a state, or in the entity's own SYN-ACK
 * record from one-way exporters) and lateral (the entity reached
 * several local hosts on admin or file-sharing ports in one window).
 */
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

#define EXPOSURE_REFIRE_S 3600

/* Judges the flow's destination against what the entity (or its
 * fleet) learned; learns it while learning. Afterwards its network is
 * in the entity's learned set, or the fleet's: both only grow. */
static void __attribute__((noinline))
judge_destination(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint64_t k;
	struct det_model *m;
	bool fleet;
	char sum[256], peer[64];

	k = det_net_key(f);
	m = det_model_get(d, e->model);
	/* A device learning on its own, unless its model's fleet has
	 * learned already: then it is judged against the fleet from its
	 * first flow. While it learns, the fleet learns with it. */
	fleet = m != NULL && det_model_mature(d, m, (int64_t)sec * 1000);
	if (!fleet && (int64_t)sec * 1000 < e->first_ms +
	    (int64_t)d->cfg.learning_s * 1000) {
		det_learned_add(&e->learned, k);
		if (m != NULL)
			det_model_learn(m, k);
		return;
	}
	if (det_learned_has(&e->learned, k) ||
	    (m != NULL && det_model_knows(m, k)))
		return;
	det_learned_add(&e->learned, k);
	if (sec >= e->hour_s + 3600 || sec + 3600 < e->hour_s) {
		e->hour_s = sec;
		e->new_count = 0;
	}
	if (e->new_count >= d->cfg.new_dest_max)
		return;
	e->new_count++;
	{
		struct det_fire x = { .kind = VIGIL_ALERT_NEW_DESTINATION,
		    .want_dport = f->dport, .want_peer = true,
		    .peer_family = f->family };

		memcpy(x.peer, f->dst, 16);
		det_addr_str(f->family, f->dst, peer, sizeof peer);
		snprintf(sum, sizeof sum, "new destination %s port %u after "
		    "learning", peer, f->dport);
		x.first_ms = f->start_ms;
		x.last_ms = f->end_ms;
		x.count = 1;
		x.summary = sum;
		x.numbers = json_pack("{s:s,s:i,s:i,s:i,s:i,s:s}", "peer", peer,
		    "port", f->dport, "proto", f->proto, "learning_s",
		    d->cfg.learning_s, "this_hour", e->new_count, "profile",
		    m == NULL ? "device" : (int64_t)sec * 1000 < e->first_ms +
		    (int64_t)d->cfg.learning_s * 1000 ? "model" :
		    "device+model");
		det_fire(d, e, f, &x);
	}
}

/* A destination judged before (its beacon key says so) is skipped
 * with its learned-set line: the answer cannot have changed, since the
 * sets only grow and the key's flag is cleared when the entity is
 * attributed again (its model may change). */
static void
new_destination(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	int bi = d->cur.bslot;

	if (d->cur.dst_local || d->cur.dst_infra || d->cur.dport_infra)
		return;
	if (bi >= 0 && (e->b[bi].flags & DET_BK_LEARNED))
		return;
	judge_destination(d, e, f, sec);
	if (bi >= 0)
		e->b[bi].flags |= DET_BK_LEARNED;
}

static bool
answered(const struct vigil_flow *f)
{
	if (f->rpackets > 0 || f->rbytes > 0)
		return true;
	return f->state[0] != '\0' && !det_failed(f) &&
	    strcmp(f->state, "OTH") != 0;
}

/* Fires exposure.inbound for entity e serving port to the outside
 * host peer; the refire gap keeps one open service from repeating. */
static void __attribute__((noinline))
exposure_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, uint16_t port,
    const uint8_t *peer, bool one_way)
{
	char sum[256], p[64];

	if (e->exp_s != 0 && sec < e->exp_s + EXPOSURE_REFIRE_S)
		return;
	e->exp_s = sec;
	{
		struct det_fire x = { .kind = VIGIL_ALERT_EXPOSURE_INBOUND,
		    .want_dport = one_way ? -1 : port, .want_peer = one_way,
		    .peer_family = f->family };

		memcpy(x.peer, peer, 16);
		det_addr_str(f->family, peer, p, sizeof p);
		snprintf(sum, sizeof sum, "answered %s on port %u from outside "
		    "(%s)", f->proto == 17 ? "udp" : "tcp", port, p);
		x.first_ms = f->start_ms;
		x.last_ms = f->end_ms;
		x.count = 1;
		x.summary = sum;
		/* One-way: the SYN-ACK record is the response itself. */
		x.numbers = json_pack("{s:i,s:s,s:I,s:I,s:s,s:s}", "port",
		    port, "from", p, "resp_bytes",
		    (json_int_t)(one_way ? f->bytes : f->rbytes),
		    "resp_packets",
		    (json_int_t)(one_way ? f->packets : f->rpackets),
		    "state", f->state, "seen", one_way ? "syn-ack" : "reply");
		det_fire(d, e, f, &x);
	}
}

/* Inbound (e is the responder): the outside host's record, with reply
 * counters or a connection state (Zeek, bidirectional IPFIX). */
static void
exposure(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	if (d->cur.src_local ||
	    !det_port_is(d, f->dport, DET_PORT_EXPOSURE) || !answered(f))
		return;
	exposure_fire(d, e, f, sec, f->dport, f->src, false);
}

/* Outbound (e is the originator): one-way exporters (softflowd,
 * NetFlow v5/v9) give each direction its own record and no reply
 * counters, so the inbound half never shows an answer. The answer half
 * does: a TCP record from the entity's service port with SYN and ACK
 * both set is the SYN-ACK of a connection it accepted, to an outside
 * host. */
static void
exposure_answer(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	if (f->proto != 6 || (f->tcp_flags & 0x12) != 0x12 ||
	    d->cur.dst_local || !det_port_is(d, f->sport, DET_PORT_EXPOSURE))
		return;
	exposure_fire(d, e, f, sec, f->sport, f->dst, true);
}

static void __attribute__((noinline))
lateral_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	struct det_fire x = { .kind = VIGIL_ALERT_LATERAL, .want_dport = -1 };
	char sum[256];

	snprintf(sum, sizeof sum, "reached %u local hosts on admin or "
	    "file-sharing ports (last tcp/%u) in %u s", e->nlat, f->dport,
	    sec >= e->win_s ? sec - e->win_s : 0);
	x.first_ms = (int64_t)e->win_s * 1000;
	x.last_ms = f->end_ms;
	x.count = e->nlat;
	x.summary = sum;
	x.numbers = json_pack("{s:i,s:i,s:i,s:i}", "hosts", e->nlat,
	    "threshold", d->cfg.lateral_hosts, "last_port", f->dport,
	    "window_s", d->cfg.scan_window_s);
	det_fire(d, e, f, &x);
}

static void
lateral(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec)
{
	uint16_t h;

	if (!d->cur.dst_local ||
	    !det_port_is(d, f->dport, DET_PORT_LATERAL))
		return;
	h = (uint16_t)(det_fp16(d->cur.hdst) | 1);
	for (unsigned i = 0; i < e->nlat; i++)
		if (e->lat[i] == h)
			return;
	if (e->nlat >= DET_LATERAL)
		return;
	e->lat[e->nlat++] = h;
	/* Fires on reaching the threshold: once per scan window (the
	 * window resets the set). */
	if (e->nlat == d->cfg.lateral_hosts)
		lateral_fire(d, e, f, sec);
}

void
det_peer_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out)
{
	if (out) {
		new_destination(d, e, f, sec);
		lateral(d, e, f, sec);
		exposure_answer(d, e, f, sec);
	} else {
		exposure(d, e, f, sec);
	}
}
