/*
 * The detection engine (detect.h): the handle and its hooks, the names,
 * severities and ATT&CK techniques of the alert kinds, the per-flow
 * dispatch to the detectors (each local endpoint of a flow is an
 * entity), attribution and shadow reports, the firing of alerts with
 * their bounded evidence, the flow-time tick and the statistics.
 *
 * Hot path: a flow costs one table lookup per local endpoint (none for
 * a flow with no local side), a copy into the evidence ring and O(1)
 * work per detector; what several detectors ask of a flow (hashes,
 * locality, infrastructure, failure) is computed once here (d->cur);
 * JSON is only built when one fires.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detect_internal.h"

struct kind_info {
	const char *name;
	enum vigil_alert_sev sev;
	const char *techniques;
};

/* Severities: what an operator should look at first. Spreading or
 * being remote-controlled (scans of many hosts, beacons, floods,
 * known-bad peers, exposed telnet, lateral movement) is high; a SIM
 * in another device is critical (credential theft or a cloned SIM);
 * statistics that also fit benign change (one host's ports, volume,
 * a new peer) rank lower. docs/detection.md explains each. */
static const struct kind_info kinds[VIGIL_ALERT_KIND_COUNT] = {
	[VIGIL_ALERT_NONE] = { "none", 0, "" },
	[VIGIL_ALERT_SCAN_HORIZONTAL] = { "scan.horizontal", VIGIL_SEV_HIGH,
	    "T1046,T0846" },
	[VIGIL_ALERT_SCAN_VERTICAL] = { "scan.vertical", VIGIL_SEV_MEDIUM,
	    "T1046,T0846" },
	[VIGIL_ALERT_BEACON] = { "beacon", VIGIL_SEV_HIGH,
	    "T1071,T1571,T0869" },
	[VIGIL_ALERT_DDOS] = { "ddos", VIGIL_SEV_HIGH, "T1498,T0814" },
	[VIGIL_ALERT_VOLUME_SPIKE] = { "volume.spike", VIGIL_SEV_MEDIUM,
	    "T1030,T1048" },
	[VIGIL_ALERT_NEW_DESTINATION] = { "new.destination", VIGIL_SEV_LOW,
	    "T1071" },
	[VIGIL_ALERT_INTEL_MATCH] = { "intel.match", VIGIL_SEV_HIGH,
	    "T1071" },
	[VIGIL_ALERT_EXPOSURE_INBOUND] = { "exposure.inbound", VIGIL_SEV_HIGH,
	    "T1133,T0883" },
	[VIGIL_ALERT_LATERAL] = { "lateral", VIGIL_SEV_HIGH,
	    "T1021,T1210,T0866" },
	[VIGIL_ALERT_IMEI_CHANGE] = { "imei.change", VIGIL_SEV_CRITICAL,
	    "T1078,T0859" },
	[VIGIL_ALERT_ROAMING] = { "roaming", VIGIL_SEV_HIGH, "T1078" },
};

const char *
vigil_alert_kind_name(enum vigil_alert_kind k)
{
	if ((int)k <= 0 || k >= VIGIL_ALERT_KIND_COUNT)
		return "none";
	return kinds[k].name;
}

enum vigil_alert_kind
vigil_alert_kind_from_name(const char *s)
{
	for (int k = 1; s != NULL && k < VIGIL_ALERT_KIND_COUNT; k++)
		if (strcmp(kinds[k].name, s) == 0)
			return (enum vigil_alert_kind)k;
	return VIGIL_ALERT_NONE;
}

const char *
vigil_alert_kind_techniques(enum vigil_alert_kind k)
{
	if ((int)k <= 0 || k >= VIGIL_ALERT_KIND_COUNT)
		return "";
	return kinds[k].techniques;
}

static const char *const sev_names[] = { NULL, "low", "medium", "high",
	"critical" };

const char *
vigil_alert_sev_name(enum vigil_alert_sev s)
{
	if ((int)s < 1 || (int)s > 4)
		return "unknown";
	return sev_names[s];
}

enum vigil_alert_sev
vigil_alert_sev_from_name(const char *s)
{
	for (int i = 1; s != NULL && i <= 4; i++)
		if (strcmp(sev_names[i], s) == 0)
			return (enum vigil_alert_sev)i;
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

void
det_addr_str(uint8_t family, const uint8_t addr[16], char *buf, size_t size)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
	    (socklen_t)size) == NULL && size > 0)
		buf[0] = '\0';
}

bool
det_in6(const struct vigil_cidr *nets, size_t n, const uint8_t addr[16])
{
	for (size_t i = 0; i < n; i++)
		if (vigil_cidr_contains(&nets[i], 6, addr))
			return true;
	return false;
}

/* A TCP connection that got nowhere: no answer (S0), refused (REJ),
 * or, when the record knows both directions (it has a state), nothing
 * came back whatever the state says (OTH floods without a handshake).
 * Uni-directional records (NetFlow, no state) only tell by their
 * flags: a SYN without ACK, or no flags known at all. */
static bool
state_is(const struct vigil_flow *f, const char *s)
{
	return strncmp(f->state, s, sizeof f->state) == 0;
}

bool
det_failed(const struct vigil_flow *f)
{
	bool silent = f->rpackets == 0 && f->rbytes == 0;

	/* Bounded: the batch pipeline asks before the state is known to
	 * be terminated. */
	if (f->state[0] != '\0' && (state_is(f, "S0") || state_is(f, "REJ") ||
	    state_is(f, "RSTOS0") || state_is(f, "SH")))
		return true;
	if (f->proto != 6 || !silent)
		return false;
	if (f->state[0] != '\0')
		return true;
	return f->tcp_flags == 0 || (f->tcp_flags & 0x12) == 0x02;
}

static const char *
via_name(uint8_t via)
{
	static const char *const n[] = { "address", "radius", "binding",
		"subnet", "other" };

	return via < 5 ? n[via] : "address";
}

static uint8_t
via_code(const char *s)
{
	static const char *const n[] = { "address", "radius", "binding",
		"subnet" };

	for (uint8_t i = 0; i < 4; i++)
		if (strcmp(s, n[i]) == 0)
			return i;
	return DET_VIA_OTHER;
}

static void
attribute(struct vigil_detect *d, struct det_entity *e, int64_t ts_ms,
    struct vigil_endpoint *out)
{
	struct vigil_endpoint ep;
	const char *id;
	uint64_t id_hash = 0, th;
	uint32_t model, tenant;
	int rc = 0;

	memset(&ep, 0, sizeof ep);
	if (d->hooks.attribute != NULL)
		rc = d->hooks.attribute(d->hooks.ctx, e->family, e->addr,
		    ts_ms, &ep);
	if (rc != 1) {
		memset(&ep, 0, sizeof ep);
		snprintf(ep.via, sizeof ep.via, "address");
	}
	ep.device_id[sizeof ep.device_id - 1] = '\0';
	ep.tenant[sizeof ep.tenant - 1] = '\0';
	ep.model[sizeof ep.model - 1] = '\0';
	ep.via[sizeof ep.via - 1] = '\0';
	id = ep.device && ep.device_id[0] != '\0' ? ep.device_id : "";
	/* The device index slot starts loading while the model and tenant
	 * are looked up (each table is small enough to stay cached). */
	if (id[0] != '\0') {
		id_hash = det_hash_str(id);
		det_device_prefetch(d, id_hash);
	}
	th = det_hash_str(ep.tenant);
	/* Its fleet: the model of a device (a shadow has none). */
	model = id[0] != '\0' ? det_model_ref(d, th, ep.model, ts_ms) : 0;
	tenant = det_tenant_ref(d, ep.tenant, th);
	det_entity_set_device(d, e, id, id_hash, ts_ms);
	e->device = id[0] != '\0';
	e->model = model;
	e->via = via_code(ep.via);
	e->tenant = tenant;
	/* Its model may have changed, or its state moved here: what
	 * new.destination judged is judged again. */
	for (size_t i = 0; i < DET_BSLOTS; i++)
		e->b[i].flags &= (uint8_t)~DET_BK_LEARNED;
	if (out != NULL)
		*out = ep;
}

static uint32_t
to_sec(int64_t ms)
{
	if (ms < 0)
		return 0;
	if (ms / 1000 > (int64_t)UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)(ms / 1000);
}

/* ---- firing ------------------------------------------------------------ */

/* Constant-length compares (inlined, no library call per flow). */
static bool
same_addr(uint8_t fam, const uint8_t *a, const uint8_t *b)
{
	return fam == 4 ? memcmp(a, b, 4) == 0 : memcmp(a, b, 16) == 0;
}

_Static_assert(sizeof(struct det_sample) == DET_LINE,
    "an evidence sample is one line");

/* A flow as the evidence ring keeps it; bytes of both directions,
 * capped at what a JSON integer holds. */
static void
sample_of(const struct vigil_flow *f, struct det_sample *s)
{
	uint64_t b = f->bytes + f->rbytes;

	s->start_ms = f->start_ms;
	s->bytes = b < f->bytes || b > (uint64_t)INT64_MAX ?
	    (uint64_t)INT64_MAX : b;
	memcpy(s->src, f->src, 16);
	memcpy(s->dst, f->dst, 16);
	memcpy(s->state, f->state, sizeof s->state);
	s->sport = f->sport;
	s->dport = f->dport;
	s->family = f->family;
	s->proto = f->proto;
}

/* Appends f to the evidence ring. The ring line is streamed past the
 * caches (non-temporal stores of the whole line, x86-64): it is read
 * again only if an alert fires soon, while writing it through the
 * cache cost a read of the line first, a cache miss per flow once the
 * ring had left the cache among the entity lines. */
static void
ring_put(struct vigil_detect *d, const struct vigil_flow *f)
{
	struct det_sample *slot = &d->ring[d->ring_pos];
#if defined(__x86_64__) && defined(__SSE2__)
	union {
		struct det_sample s;
		__m128i v[4];
	} u;

	sample_of(f, &u.s);
	for (int i = 0; i < 4; i++)
		_mm_stream_si128((__m128i *)(void *)slot + i, u.v[i]);
#else
	sample_of(f, slot);
#endif
}

static json_t *
sample_json(const struct det_sample *f)
{
	char ts[VIGIL_RFC3339_LEN], s[64], t[64];

	vigil_time_format(f->start_ms, ts);
	det_addr_str(f->family, f->src, s, sizeof s);
	det_addr_str(f->family, f->dst, t, sizeof t);
	return json_pack("{s:s,s:s,s:i,s:s,s:i,s:i,s:I,s:s%}", "ts", ts,
	    "src", s, "sport", f->sport, "dst", t, "dport", f->dport,
	    "proto", f->proto, "bytes", (json_int_t)f->bytes,
	    "state", f->state, strnlen(f->state, sizeof f->state));
}

static bool
sample_wanted(const struct det_entity *e, const struct det_sample *f,
    const struct det_fire *x)
{
	bool src = f->family == e->family && same_addr(e->family, f->src,
	    e->addr);
	bool dst = f->family == e->family && same_addr(e->family, f->dst,
	    e->addr);

	if (!src && !dst)
		return false;
	if (x->want_dport >= 0 && f->dport != x->want_dport)
		return false;
	if (x->want_peer) {
		const uint8_t *peer = src ? f->dst : f->src;

		if (f->family != x->peer_family ||
		    !same_addr(f->family, peer, x->peer))
			return false;
	}
	return true;
}

/* Up to DET_SAMPLES of the entity's recent flows matching the filter,
 * newest first, from the engine's ring of recent flows. */
static json_t *
samples(const struct vigil_detect *d, const struct det_entity *e,
    const struct vigil_flow *cur, const struct det_fire *x)
{
	json_t *a = json_array();
	uint32_t efp = det_fp16(det_hash_addr(e->family, e->addr));
	size_t n = 0;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < d->ring_len && n < DET_SAMPLES; i++) {
		size_t k = (d->ring_pos + DET_RING - 1 - i) % DET_RING;
		const struct det_sample *f = &d->ring[k];

		if ((d->ring_fp[k] & 0xffff) != efp &&
		    d->ring_fp[k] >> 16 != efp)
			continue;
		if (!sample_wanted(e, f, x))
			continue;
		if (json_array_append_new(a, sample_json(f)) == 0)
			n++;
	}
	if (n == 0 && cur != NULL) {
		struct det_sample s;

		sample_of(cur, &s);
		(void)json_array_append_new(a, sample_json(&s));
	}
	return a;
}

void
det_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, struct det_fire *x)
{
	struct vigil_alert a;
	json_t *ev = x->numbers != NULL ? x->numbers : json_object();

	x->numbers = NULL;
	memset(&a, 0, sizeof a);
	a.kind = x->kind;
	a.severity = x->sev != 0 ? x->sev : kinds[x->kind].sev;
	a.who.device = e->device;
	memcpy(a.who.device_id, e->device_id, sizeof a.who.device_id);
	snprintf(a.who.tenant, sizeof a.who.tenant, "%s",
	    det_tenant_str(d, e->tenant));
	snprintf(a.who.via, sizeof a.who.via, "%s", via_name(e->via));
	if (e->device && d->hooks.attribute != NULL) {
		/* The model is not kept per entity (1 KB budget): ask
		 * again, only now that an alert needs it. */
		struct vigil_endpoint ep;

		memset(&ep, 0, sizeof ep);
		if (d->hooks.attribute(d->hooks.ctx, e->family, e->addr,
		    x->last_ms, &ep) == 1 && ep.device &&
		    strncmp(ep.device_id, e->device_id,
		    sizeof ep.device_id) == 0) {
			memcpy(a.who.model, ep.model, sizeof a.who.model);
			a.who.model[sizeof a.who.model - 1] = '\0';
		}
	}
	a.family = e->family;
	memcpy(a.addr, e->addr, 16);
	a.first_ms = x->first_ms;
	a.last_ms = x->last_ms;
	a.count = x->count;
	snprintf(a.summary, sizeof a.summary, "%s", x->summary);
	if (ev != NULL) {
		char addr[64];

		det_addr_str(e->family, e->addr, addr, sizeof addr);
		(void)json_object_set_new(ev, "address", json_string(addr));
		(void)json_object_set_new(ev, "techniques",
		    json_string(kinds[x->kind].techniques));
		if (f != NULL || d->ring_len > 0)
			(void)json_object_set_new(ev, "samples",
			    samples(d, e, f, x));
	}
	a.evidence = ev;
	d->st.alerts++;
	d->st.by_kind[x->kind]++;
	if (d->hooks.alert != NULL)
		d->hooks.alert(d->hooks.ctx, &a);
	json_decref(ev);
}

/* ---- the engine -------------------------------------------------------- */

/* The list's IPv4 nets as (network, mask) pairs; the first octets
 * they may hold marked with cls in oct4. */
static size_t
compile_nets4(const struct vigil_cidr *nets, size_t n, uint32_t (*out)[2],
    bool *any6, uint8_t *oct4, uint8_t cls)
{
	size_t k = 0;

	*any6 = false;
	for (size_t i = 0; i < n; i++) {
		const struct vigil_cidr *c = &nets[i];
		uint32_t m;

		if (c->family == 6) {
			*any6 = true;
			continue;
		}
		if (c->family != 4)
			continue;
		m = c->prefix == 0 ? 0 : c->prefix >= 32 ? UINT32_MAX :
		    ~(UINT32_MAX >> c->prefix);
		out[k][0] = ((uint32_t)c->addr[0] << 24 |
		    (uint32_t)c->addr[1] << 16 | (uint32_t)c->addr[2] << 8 |
		    c->addr[3]) & m;
		out[k][1] = m;
		for (uint32_t o = out[k][0] >> 24; o <= (out[k][0] | ~m) >> 24;
		    o++)
			oct4[o] |= cls;
		k++;
	}
	return k;
}

static void
mark_ports(uint8_t *cls, const uint16_t ports[16], uint8_t bit)
{
	for (size_t i = 0; i < 16 && ports[i] != 0; i++)
		cls[ports[i]] |= bit;
}

/* The config as the hot path asks it: IPv4 nets as masked compares,
 * port lists as one table lookup instead of a scan of up to 16. */
static void
compile_config(struct vigil_detect *d)
{
	d->nlocal4 = compile_nets4(d->cfg.local, d->cfg.nlocal, d->local4,
	    &d->local6, d->oct4, DET_NET_LOCAL);
	d->ninfra4 = compile_nets4(d->cfg.infra, d->cfg.ninfra, d->infra4,
	    &d->infra6, d->oct4, DET_NET_INFRA);
	mark_ports(d->portcls, d->cfg.infra_ports, DET_PORT_INFRA);
	mark_ports(d->portcls, d->cfg.exposure_ports, DET_PORT_EXPOSURE);
	mark_ports(d->portcls, d->cfg.lateral_ports, DET_PORT_LATERAL);
}

enum vigil_err
vigil_detect_new(const struct vigil_detect_config *cfg,
    const struct vigil_detect_hooks *hooks, struct vigil_detect **out)
{
	struct vigil_detect *d;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if (cfg == NULL || cfg->max_entities == 0 ||
	    cfg->max_entities > UINT32_MAX / 4 || cfg->interval_s == 0 ||
	    cfg->scan_window_s == 0 || cfg->shadow_report_s == 0 ||
	    cfg->nlocal > VIGIL_DETECT_NETS_MAX ||
	    cfg->ninfra > VIGIL_DETECT_NETS_MAX ||
	    cfg->lateral_hosts == 0 || cfg->lateral_hosts > DET_LATERAL)
		return VIGIL_EINVAL;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return VIGIL_ENOMEM;
	d->cfg = *cfg;
	if (hooks != NULL)
		d->hooks = *hooks;
	d->ring = aligned_alloc(DET_LINE, DET_RING * sizeof *d->ring);
	d->ring_fp = calloc(DET_RING, sizeof *d->ring_fp);
	d->portcls = calloc(65536, 1);
	if (d->ring == NULL || d->ring_fp == NULL || d->portcls == NULL) {
		free(d->ring);
		free(d->ring_fp);
		free(d->portcls);
		free(d);
		return VIGIL_ENOMEM;
	}
	compile_config(d);
	d->last_tick_ms = INT64_MIN;
	*out = d;
	return VIGIL_OK;
}

void
vigil_detect_free(struct vigil_detect *d)
{
	if (d == NULL)
		return;
	det_entity_free_all(d);
	det_models_free(d);
	det_tenants_free(d);
	for (size_t i = 0; i < d->nintel; i++)
		det_intel_free(&d->intel[i]);
	free(d->ring);
	free(d->ring_fp);
	free(d->portcls);
	free(d);
}

static void
top_port(struct det_entity *e, uint16_t port, uint8_t proto)
{
	size_t low = 0;

	for (size_t i = 0; i < DET_TOPPORTS; i++) {
		if (e->top_cnt[i] != 0 && e->top_port[i] == port &&
		    e->top_proto[i] == proto) {
			if (e->top_cnt[i] < UINT16_MAX)
				e->top_cnt[i]++;
			return;
		}
		if (e->top_cnt[i] < e->top_cnt[low])
			low = i;
	}
	/* Space-saving: the newcomer inherits the weakest count. */
	e->top_port[low] = port;
	e->top_proto[low] = proto;
	if (e->top_cnt[low] < UINT16_MAX)
		e->top_cnt[low]++;
}

static void
shadow_report(struct vigil_detect *d, struct det_entity *e, uint32_t sec)
{
	struct vigil_shadow_obs s;
	size_t order[DET_TOPPORTS] = { 0, 1, 2, 3 };

	e->shadow_sent = 1;
	e->shadow_s = sec;
	if (d->hooks.shadow == NULL)
		return;
	memset(&s, 0, sizeof s);
	s.family = e->family;
	memcpy(s.addr, e->addr, 16);
	snprintf(s.tenant, sizeof s.tenant, "%s", det_tenant_str(d, e->tenant));
	s.first_ms = e->first_ms;
	s.last_ms = e->last_ms;
	s.flows = e->t_flows;
	s.bytes = e->t_bytes;
	s.peers = det_tiny_count(&e->peers);
	/* Busiest first (insertion sort of four). */
	for (size_t i = 1; i < DET_TOPPORTS; i++)
		for (size_t j = i; j > 0 && e->top_cnt[order[j]] >
		    e->top_cnt[order[j - 1]]; j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < DET_TOPPORTS && i < 4; i++)
		if (e->top_cnt[order[i]] != 0) {
			s.top_ports[i] = e->top_port[order[i]];
			s.top_protos[i] = e->top_proto[order[i]];
		}
	d->hooks.shadow(d->hooks.ctx, &s);
}

/* hint: the pool index + 1 the pipeline found for addr (0 none); used
 * when it still holds addr, which saves the lookup. */
static void
entity_flow(struct vigil_detect *d, const struct vigil_flow *f,
    const uint8_t *addr, bool out, uint32_t hint)
{
	bool created = false;
	struct det_entity *e = det_entity_at(d, hint, f->family, addr);
	uint32_t sec = to_sec(f->start_ms);

	if (e == NULL)
		e = det_entity_get(d, f->family, addr, out ? d->cur.hsrc :
		    d->cur.hdst, &created);
	if (e == NULL)
		return;
	e->ref = 1;
	if (created) {
		e->first_ms = f->start_ms;
		e->last_ms = f->end_ms;
		e->win_s = e->int_s = e->min_s = e->hour_s = sec;
		attribute(d, e, f->start_ms, NULL);
		e->attr_s = sec;
	} else if (e->attr_s < d->reattr_s ||
	    sec >= e->attr_s + d->cfg.attr_refresh_s) {
		/* Told that owners changed, or a while since we asked. */
		e->attr_s = sec > d->reattr_s ? sec : d->reattr_s;
		attribute(d, e, f->start_ms, NULL);
	}
	if (f->start_ms < e->first_ms)
		e->first_ms = f->start_ms;
	if (f->end_ms > e->last_ms)
		e->last_ms = f->end_ms;

	/* The shadow report's summary: only an endpoint that is no device
	 * is reported, so a device does not pay for the line. */
	if (!e->device) {
		if (e->t_flows < UINT32_MAX)
			e->t_flows++;
		e->t_bytes += f->bytes + f->rbytes;
		det_tiny_add(&e->peers, out ? d->cur.hdst : d->cur.hsrc);
		top_port(e, f->dport, f->proto);
	}

	det_volume_flow(d, e, f, sec, out);
	d->cur.bslot = -1;
	if (out) {
		det_scan_flow(d, e, f, sec);
		det_beacon_flow(d, e, f, sec);
		det_ddos_flow(d, e, f, sec);
	}
	det_peer_flow(d, e, f, sec, out);
	if (d->nintel != 0)
		det_intel_flow(d, e, f, sec, out);

	if (!e->device && (!e->shadow_sent ||
	    sec >= e->shadow_s + d->cfg.shadow_report_s))
		shadow_report(d, e, sec);
}

/* Flow times outside 1970..2100 are a reader's or exporter's fault;
 * refusing them keeps every time difference below far from overflow. */
#define FLOW_MS_MAX 4102444800000LL

/*
 * The batch pipeline. Each flow passes four stages, the earlier ones
 * run a few flows ahead of the one being worked on, so that the memory
 * loads of several flows are in flight at once instead of one flow's
 * misses at a time (the state of a large fleet is far bigger than the
 * caches: without this a flow waits for its table slot, then its
 * record, then each slot line in turn):
 *   classify (CLASSIFY_AHEAD flows ahead): locality of both ends and
 *     their hashes, computed once; the table slots start loading;
 *   hint (HINT_AHEAD): the slot names the entity; its lines start
 *     loading (the three every flow touches; for the originator also
 *     the slot headers and the learned set);
 *   peek (PEEK_AHEAD): the originator's headers name the scan sketches
 *     and the beacon body this flow will touch; those start loading;
 *   work: the detectors, on lines that are (mostly) in cache.
 * Hints are only addresses to prefetch (a flow worked on may create
 * or move entities): every stage but work reads, none writes.
 */
#define CLASSIFY_AHEAD 10
#define HINT_AHEAD 5
#define PEEK_AHEAD 2
#define PIPE 16                 /* > CLASSIFY_AHEAD, a power of two */

struct det_pre {
	struct det_cur c;           /* what the detectors will be told */
	uint32_t esrc, edst;        /* hinted pool index + 1, 0 none */
	bool ok;
	bool want_keys;             /* the originator's beacon keys and
				     * lateral set (line 4) will be read */
	uint8_t fresh;              /* local ends with no entity (yet):
				     * 1 the source, 2 the destination */
};

static void
stage_classify(const struct vigil_detect *d, const struct vigil_flow *f,
    struct det_pre *p)
{
	struct det_cur *c = &p->c;

	p->ok = (f->family == 4 || f->family == 6) && f->start_ms >= 0 &&
	    f->start_ms <= FLOW_MS_MAX;
	c->src_local = c->dst_local = false;
	p->esrc = p->edst = 0;
	if (!p->ok)
		return;
	c->src_local = det_is_local(d, f->family, f->src);
	c->dst_local = det_is_local(d, f->family, f->dst);
	if (!c->src_local && !c->dst_local)
		return;
	c->hsrc = det_hash_addr(f->family, f->src);
	c->hdst = det_hash_addr(f->family, f->dst);
	if (c->src_local)
		det_entity_prefetch(d, c->hsrc);
	if (c->dst_local)
		det_entity_prefetch(d, c->hdst);
	c->dst_infra = c->src_local && det_is_infra(d, f->family, f->dst);
	c->dport_infra = det_port_is(d, f->dport, DET_PORT_INFRA);
	c->failed = det_failed(f);
	c->pfp = det_port_fp(f->dport, f->proto);
	c->bslot = -1;
	/* Beacon and new.destination skip infrastructure ports and (but
	 * for beacon.local_peers) local peers; lateral reads the set for
	 * local peers on its ports. */
	p->want_keys = !c->dport_infra && (!c->dst_local ||
	    d->cfg.beacon_local_peers ||
	    det_port_is(d, f->dport, DET_PORT_LATERAL));
}

/* The lines every flow of the entity touches (0 and 1) and, for the
 * originator, the scan headers (3) and, when wanted, the beacon keys
 * (4); the rest is decided at peek, once these have arrived. */
static uint32_t
hint_lines(const struct vigil_detect *d, uint64_t hash, bool out, bool keys)
{
	const struct det_entity *e = det_entity_hint(d, hash);
	const char *c = (const char *)e;

	if (e == NULL)
		return 0;
	__builtin_prefetch(c, 1);
	__builtin_prefetch(c + DET_LINE, 1);
	if (out) {
		__builtin_prefetch(&e->sc, 1);
		if (keys)
			__builtin_prefetch(&e->b, 1);
	}
	return (uint32_t)(e - d->pool) + 1;
}

/* The local ends with no entity yet (p->fresh): their attribution
 * will be asked when the flow is worked on. Out of line: most flows
 * have none. */
static void __attribute__((noinline))
attr_prefetch(const struct vigil_detect *d, const struct vigil_flow *f,
    const struct det_pre *p, int step)
{
	if (d->hooks.attribute_prefetch == NULL)
		return;
	if (p->fresh & 1)
		d->hooks.attribute_prefetch(d->hooks.ctx, f->family, f->src,
		    step);
	if (p->fresh & 2)
		d->hooks.attribute_prefetch(d->hooks.ctx, f->family, f->dst,
		    step);
}

static void
stage_hint(const struct vigil_detect *d, const struct vigil_flow *f,
    struct det_pre *p)
{
	p->fresh = 0;
	if (p->c.src_local) {
		p->esrc = hint_lines(d, p->c.hsrc, true, p->want_keys);
		p->fresh |= p->esrc == 0 ? 1 : 0;
	}
	if (p->c.dst_local) {
		p->edst = hint_lines(d, p->c.hdst, false, false);
		p->fresh |= p->edst == 0 ? 2 : 0;
	}
	if (p->fresh != 0)
		attr_prefetch(d, f, p, 0);
}

/* A hinted entity, or NULL (the hint is only checked against the
 * pool's size: the entity is read, never trusted). */
static const struct det_entity *
hinted(const struct vigil_detect *d, uint32_t idx)
{
	return idx != 0 && idx <= d->npool ? &d->pool[idx - 1] : NULL;
}

static void
stage_peek(const struct vigil_detect *d, const struct vigil_flow *f,
    const struct det_pre *p)
{
	const struct det_entity *e = hinted(d, p->edst);
	int hi, vi, bi = -1;
	bool known = false;

	if (p->fresh != 0)
		attr_prefetch(d, f, p, 1);
	/* An endpoint that is no device keeps its shadow summary. */
	if (e != NULL && !e->device)
		__builtin_prefetch((const char *)e + 2 * DET_LINE, 1);
	if ((e = hinted(d, p->esrc)) == NULL)
		return;
	if (!e->device)
		__builtin_prefetch((const char *)e + 2 * DET_LINE, 1);
	/* Set lines only exist once a slot spilled (a scanner, mostly):
	 * the full guess only then. */
	if (det_scan_spilled(e)) {
		det_scan_peek(e, f->dport, f->proto, p->c.hdst, p->c.pfp,
		    p->c.dport_infra, &hi, &vi);
		if (hi >= 0)
			__builtin_prefetch(&e->hs[hi], 1);
		if (vi >= 0)
			__builtin_prefetch(&e->vs[vi], 1);
	}
	if (p->want_keys && !p->c.dst_local) {
		bi = det_beacon_peek(e, (uint32_t)p->c.hdst | 1, f->dport,
		    f->proto, &known);
		if (bi >= 0)
			__builtin_prefetch(&e->bb[bi], 1);
		/* new.destination reads the learned set unless it judged
		 * this destination before. */
		if (!known || !(e->b[bi].flags & DET_BK_LEARNED)) {
			__builtin_prefetch(&e->learned, 1);
			det_model_prefetch(d, e->model, det_net_key(f));
		}
	}
}

static void
stage_work(struct vigil_detect *d, const struct vigil_flow *f,
    const struct det_pre *p)
{
	struct vigil_flow fixed;

	if (!p->ok)
		return;
	if (f->end_ms < f->start_ms || f->end_ms > FLOW_MS_MAX ||
	    (f->state[0] != '\0' &&
	    memchr(f->state, '\0', sizeof f->state) == NULL)) {
		fixed = *f;
		if (f->end_ms < f->start_ms || f->end_ms > FLOW_MS_MAX)
			fixed.end_ms = f->start_ms;
		fixed.state[sizeof fixed.state - 1] = '\0';
		f = &fixed;
	}
	d->st.flows++;
	if (f->end_ms > d->now_ms)
		d->now_ms = f->end_ms;
	ring_put(d, f);
	/* A flow with no local side is nobody's sample. */
	d->ring_fp[d->ring_pos] = p->c.src_local || p->c.dst_local ?
	    det_fp16(p->c.hsrc) | (uint32_t)det_fp16(p->c.hdst) << 16 : 0;
	d->ring_pos = (d->ring_pos + 1) % DET_RING;
	if (d->ring_len < DET_RING)
		d->ring_len++;
	if (p->c.src_local || p->c.dst_local) {
		d->cur = p->c;
		/* One at a time: a lookup may grow the pool and move
		 * entities. */
		if (p->c.src_local)
			entity_flow(d, f, f->src, true, p->esrc);
		if (p->c.dst_local && !(p->c.src_local &&
		    same_addr(f->family, f->src, f->dst)))
			entity_flow(d, f, f->dst, false, p->edst);
	}
	if (d->last_tick_ms == INT64_MIN)
		d->last_tick_ms = d->now_ms;
	else if (d->now_ms - d->last_tick_ms >= 60000)
		vigil_detect_tick(d, d->now_ms);
}

void
vigil_detect_flows(struct vigil_detect *d, const struct vigil_flow *f,
    size_t n)
{
	struct det_pre pre[PIPE];
	size_t i;

	if (d == NULL || f == NULL)
		return;
	for (i = 0; i < n && i < CLASSIFY_AHEAD; i++)
		stage_classify(d, &f[i], &pre[i % PIPE]);
	for (i = 0; i < n && i < HINT_AHEAD; i++)
		stage_hint(d, &f[i], &pre[i % PIPE]);
	for (i = 0; i < n && i < PEEK_AHEAD; i++)
		stage_peek(d, &f[i], &pre[i % PIPE]);
	for (i = 0; i < n; i++) {
		if (i + CLASSIFY_AHEAD < n)
			stage_classify(d, &f[i + CLASSIFY_AHEAD],
			    &pre[(i + CLASSIFY_AHEAD) % PIPE]);
		if (i + HINT_AHEAD < n)
			stage_hint(d, &f[i + HINT_AHEAD],
			    &pre[(i + HINT_AHEAD) % PIPE]);
		if (i + PEEK_AHEAD < n)
			stage_peek(d, &f[i + PEEK_AHEAD],
			    &pre[(i + PEEK_AHEAD) % PIPE]);
		stage_work(d, &f[i], &pre[i % PIPE]);
	}
}

void
vigil_detect_flow(struct vigil_detect *d, const struct vigil_flow *f)
{
	vigil_detect_flows(d, f, 1);
}

void
vigil_detect_reattribute(struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16])
{
	struct det_entity *e;

	if (d == NULL || addr == NULL || (family != 4 && family != 6))
		return;
	e = det_entity_find(d, family, addr, det_hash_addr(family, addr));
	if (e != NULL)
		e->attr_s = 0;
}

void
vigil_detect_reattribute_all(struct vigil_detect *d)
{
	if (d == NULL)
		return;
	/* One past the newest flow second: whoever asked up to now (even
	 * within this second) asks again. */
	d->reattr_s = to_sec(d->now_ms) + 1;
}

void
vigil_detect_tick(struct vigil_detect *d, int64_t now_ms)
{
	if (d == NULL)
		return;
	if (now_ms > d->now_ms)
		d->now_ms = now_ms;
	/* Windows close lazily on an entity's next flow (no walk over a
	 * million states per tick); here the silent ones age out. */
	det_entity_age(d, d->now_ms, d->last_tick_ms == INT64_MIN ? -1 :
	    d->now_ms - d->last_tick_ms);
	d->last_tick_ms = d->now_ms;
}

void
vigil_detect_stats(const struct vigil_detect *d,
    struct vigil_detect_stats *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	if (d == NULL)
		return;
	*out = d->st;
	out->entities = d->nentities;
	out->models = d->nmodels;
	out->entity_bytes = (uint64_t)d->nentities * sizeof(struct det_entity);
}
