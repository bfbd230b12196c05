/*
 * detect_internal.h — what the detection engine's files share: the
 * compact per-entity state, the sketches it is built from, the engine
 * handle, and the detectors' entry points. Private to src/lib/detect/.
 *
 * Budget: one entity's state stays within 1 KB, 1,000 bytes (a static
 * assert in detect_entity.c; vigil_detect_stats reports the real
 * figure: 960), so a million tracked endpoints fit in under a
 * gigabyte. Times inside the state
 * are unix seconds in 32 bits where a second is precise enough.
 */
#ifndef VIGIL_DETECT_INTERNAL_H
#define VIGIL_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vigil/detect.h"

/* ---- sketches (detect_sketch.c) ---------------------------------------- */

/*
 * A distinct counter in one 64-byte cache line: exact over the first
 * DET_EXACT 16-bit fingerprints (so thresholds like "25 hosts, not 24"
 * hold exactly), then HyperLogLog-style: 64 registers of 6 bits packed
 * in 48 bytes (about 13 % error), fed the same fingerprints.
 */
#define DET_EXACT 31
struct det_distinct {
	union {
		uint16_t fp[DET_EXACT];
		uint8_t reg[48];
	} u;
	uint8_t n;          /* exact entries, or 255 once in HLL mode */
	uint8_t pad;
};
#define DET_HLL_MODE 255
void det_distinct_clear(struct det_distinct *c);
unsigned det_distinct_count(const struct det_distinct *c);
/* HLL mode, or a full exact set turning into registers. */
bool det_distinct_add_slow(struct det_distinct *c, uint16_t fp);

/* Whether fp is among the first n exact entries: eight at a time with
 * the compiler's vector extension (SSE2 on x86-64, plain code
 * elsewhere); this runs on every outbound flow. Lanes past n are
 * masked out (the 32nd lane is the count and padding). */
typedef uint16_t det_v8 __attribute__((vector_size(16)));

static inline bool
det_exact_has(const struct det_distinct *c, uint16_t fp)
{
	det_v8 key = { fp, fp, fp, fp, fp, fp, fp, fp };

	for (unsigned i = 0; i < c->n; i += 8) {
		det_v8 v, eq;
		uint64_t lo, hi;
		unsigned live = c->n - i < 8 ? c->n - i : 8;

		memcpy(&v, (const char *)c + 2 * i, sizeof v);
		eq = v == key;
		memcpy(&lo, &eq, 8);
		memcpy(&hi, (const char *)&eq + 8, 8);
		if (live < 8) {
			/* Keep the first live lanes (16 bits each). */
			if (live <= 4) {
				lo &= live == 4 ? UINT64_MAX :
				    (1ULL << (16 * live)) - 1;
				hi = 0;
			} else {
				hi &= (1ULL << (16 * (live - 4))) - 1;
			}
		}
		if ((lo | hi) != 0)
			return true;
	}
	return false;
}

/* Adds a fingerprint; true when it was new (exact mode) or raised a
 * register (HLL mode). The exact case inline: it is nearly every
 * call. */
static inline bool
det_distinct_add(struct det_distinct *c, uint16_t fp)
{
	if (c->n != DET_HLL_MODE) {
		if (det_exact_has(c, fp))
			return false;
		if (c->n < DET_EXACT) {
			c->u.fp[c->n++] = fp;
			return true;
		}
	}
	return det_distinct_add_slow(c, fp);
}
/* A coarse distinct estimate for totals (shadow peers): 32 registers
 * of 4 bits, about 18 % error, 16 bytes. */
struct det_tiny {
	uint8_t reg[16];
};
unsigned det_tiny_count(const struct det_tiny *t);
static inline void
det_tiny_add(struct det_tiny *t, uint64_t h)
{
	unsigned idx = (unsigned)(h & 31), rank, cur;
	uint64_t w = h >> 5;

	/* The rank: trailing zeros of the rest + 1, at most 15. */
	rank = w == 0 ? 15 : (unsigned)__builtin_ctzll(w) + 1;
	if (rank > 15)
		rank = 15;
	cur = (t->reg[idx / 2] >> (idx % 2 * 4)) & 15;
	if (rank > cur)
		t->reg[idx / 2] = (uint8_t)((t->reg[idx / 2] &
		    ~(15u << (idx % 2 * 4))) | rank << (idx % 2 * 4));
}

/* A learned set: a 512-bit bloom-like bitmap with two probes. */
struct det_learned {
	uint64_t bits[8];
};
static inline void
det_learned_add(struct det_learned *l, uint64_t h)
{
	unsigned a = (unsigned)(h & 511), b = (unsigned)((h >> 20) & 511);

	l->bits[a / 64] |= 1ULL << (a % 64);
	l->bits[b / 64] |= 1ULL << (b % 64);
}
static inline bool
det_learned_has(const struct det_learned *l, uint64_t h)
{
	unsigned a = (unsigned)(h & 511), b = (unsigned)((h >> 20) & 511);

	return (l->bits[a / 64] >> (a % 64) & 1) != 0 &&
	    (l->bits[b / 64] >> (b % 64) & 1) != 0;
}

/* Hashes and fingerprints (inline: several run per flow, and for IPv4
 * the inner mix folds to a constant). */
static inline uint64_t
det_mix(uint64_t x)
{
	/* splitmix64's finaliser: every input bit moves every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}
/* A string's hash, continuing from h (DET_HASH_START to begin): eight
 * bytes per mixing step (a byte-wise FNV took 4 cycles a character,
 * three 36-character ids per new entity), the length mixed in last so
 * that chained strings cannot run into each other. */
#define DET_HASH_START 0xcbf29ce484222325ULL
static inline uint64_t
det_hash_more(uint64_t h, const char *s)
{
	size_t n = strlen(s), len = n;
	uint64_t w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = det_mix(h ^ w);
	}
	w = 0;
	memcpy(&w, s, n);
	return det_mix(h ^ w ^ (uint64_t)len << 56);
}
static inline uint64_t
det_hash_str(const char *s)
{
	return det_hash_more(DET_HASH_START, s);
}
static inline uint64_t
det_hash_addr(uint8_t family, const uint8_t addr[16])
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	if (family == 4)
		return det_mix(a ^ det_mix(4));
	memcpy(&b, addr + 8, 8);
	return det_mix(a ^ det_mix(b ^ family));
}
/* The destination key of new.destination: the "/24-ish" network of
 * the flow's destination (/24 for IPv4, /48 for IPv6, so one
 * provider's rotating addresses read as one destination), its port and
 * protocol. The prefix is assembled in a register: copying it into a
 * zeroed array and reading that back stalled on store forwarding. */
static inline uint64_t
det_net_key(const struct vigil_flow *f)
{
	unsigned n = f->family == 4 ? 3 : 6;
	uint64_t a = 0;

	for (unsigned i = 0; i < n; i++)
		a |= (uint64_t)f->dst[i] << (8 * i);
	a = det_mix(a ^ det_mix(f->family));
	return det_mix(a ^ ((uint64_t)f->dport << 8 | f->proto));
}
static inline uint16_t
det_fp16(uint64_t h)
{
	return (uint16_t)(h >> 48);
}
/* The fingerprint a destination port takes in a vertical scan set. */
static inline uint16_t
det_port_fp(uint16_t port, uint8_t proto)
{
	return det_fp16(det_mix((uint64_t)port | (uint64_t)proto << 16));
}

/* ---- the entity state (detect_entity.c) -------------------------------- */

#define DET_HSLOTS 3    /* horizontal scan: the busiest ports */
#define DET_VSLOTS 3    /* vertical scan: the busiest hosts */
#define DET_BSLOTS 4    /* beacon trackers: the busiest destinations */
#define DET_LATERAL 8   /* exact local hosts for lateral */
#define DET_TOPPORTS 4

enum det_via { DET_VIA_ADDRESS = 0, DET_VIA_RADIUS, DET_VIA_BINDING,
	DET_VIA_SUBNET, DET_VIA_OTHER };

/*
 * The scan slots' headers sit together in one line (line 3), as arrays
 * so they fit: h: one port, many hosts; v: one host, many ports. Each
 * slot's distinct counter is lazy: its first fingerprint lives in the
 * header (fp0), and the slot's own line (hs[i] or vs[i]) is written
 * only when a second, different one arrives (DET_SC_SPILL). A device
 * that talks to one host per port and one port per host, most of an
 * IoT fleet, never touches those lines; claiming a slot writes only
 * the header.
 */
#define DET_SC_FIRED 1          /* fired in this window */
#define DET_SC_ONE 2            /* fp0 holds the one fingerprint */
#define DET_SC_SPILL 4          /* the slot's line holds the set */
struct det_scanhdr {
	uint32_t v_host[DET_VSLOTS];    /* fingerprint of the peer address */
	uint16_t h_port[DET_HSLOTS];
	uint16_t h_weight[DET_HSLOTS];  /* flows, failed ones count 2; 0 free */
	uint16_t h_fails[DET_HSLOTS];
	uint16_t h_fp0[DET_HSLOTS];
	uint16_t v_weight[DET_VSLOTS];
	uint16_t v_fails[DET_VSLOTS];
	uint16_t v_fp0[DET_VSLOTS];
	uint8_t h_proto[DET_HSLOTS];
	uint8_t h_flags[DET_HSLOTS];    /* DET_SC_* */
	uint8_t v_flags[DET_VSLOTS];
};

/* Beacon key flags. */
/* new.destination has judged this destination (its network is in the
 * learned set, or the fleet's): later flows to it skip that detector
 * and its line. Cleared when the entity is attributed again (its model
 * may change) and when the key is replaced. */
#define DET_BK_LEARNED 1

struct det_bkey {               /* which destination a beacon slot tracks */
	uint32_t host;              /* 0: free */
	uint16_t port;
	uint8_t proto;
	uint8_t flags;              /* DET_BK_* */
	uint16_t n;                 /* connections (gaps + 1); 0 free */
	uint16_t credit;            /* space-saving replacement credit */
};

struct det_bbody {              /* periodicity of that destination */
	int64_t last_start_ms;
	float mean, m2;             /* gap mean and variance sum (s) */
	float bytes;                /* mean bytes per connection */
	uint32_t fired_s;
	uint64_t pad;
};

#define DET_LINE ((size_t)64)

/*
 * Layout, in 64-byte lines (the pool is 64-aligned, the record 960
 * bytes). Lines 0-1 hold what every flow of a device reads or writes
 * (key, times, its model, this interval, its baselines, ddos); line 2
 * the refire times of rare alerts and what only an endpoint that is no
 * device keeps for its shadow report (totals, peers, top ports). Lines 3-5 are what
 * an outbound flow reads to find its slots (scan headers, beacon keys
 * and lateral set, learned set); then each scan slot's set and each
 * beacon body has a line, of which a flow touches at most the ones
 * its slots name, and usually none of the scan ones (lazy sets above);
 * the identity strings, read only at attribution and when an alert
 * fires, come last. A device's usual outbound flow, to a destination
 * it has been judged against, touches 5 lines of 15 (0, 1, 3, 4 and
 * its beacon body), an inbound one 2, and the batch entry point
 * starts those loads before the flow is worked on.
 */
struct det_entity {
	/* line 0: key, times, fleet */
	uint8_t family;
	uint8_t device;             /* attributed to a device */
	uint8_t via;                /* enum det_via */
	uint8_t shadow_sent;
	uint8_t nlat;
	uint8_t new_count;          /* new destinations this hour */
	uint8_t ddos_fired;
	uint8_t indev;              /* listed in the device index */
	uint8_t addr[16];
	int64_t first_ms, last_ms;
	uint32_t attr_s;            /* last attribution */
	uint32_t int_s;             /* volume interval start */
	uint32_t win_s;             /* scan window start */
	uint32_t min_s;             /* ddos minute start */
	uint32_t model;             /* det_model_ref, 0 none */
	float ew_bytes;             /* byte baseline (volume reads it) */

	/* line 1: this interval, the other baselines, ddos */
	uint64_t i_bytes, i_pkts;
	uint32_t i_flows;
	uint32_t spike_s;           /* last volume firing */
	uint32_t dd_host;
	uint32_t dd_flows;
	uint64_t dd_pkts;
	uint32_t dd_syn;
	uint16_t nintervals;
	uint8_t ref;                /* seen since the clock hand passed */
	uint8_t pad1;
	float ew_flows, ew_pkts;    /* folded in when an interval ends */

	/* line 2: refire times; a shadow's report */
	uint32_t t_flows;           /* kept while it is no device */
	uint32_t shadow_s;          /* last shadow report */
	uint64_t t_bytes;
	struct det_tiny peers;
	uint16_t top_port[DET_TOPPORTS];
	uint8_t top_proto[DET_TOPPORTS];
	uint16_t top_cnt[DET_TOPPORTS];
	uint32_t exp_s;             /* last exposure firing */
	uint32_t intel_s;           /* last intel firing */
	uint32_t intel_peer;

	/* line 3: scan slot headers */
	_Alignas(DET_LINE) struct det_scanhdr sc;
	/* line 4: beacon keys, lateral set */
	_Alignas(DET_LINE) struct det_bkey b[DET_BSLOTS];
	uint16_t lat[DET_LATERAL];   /* local hosts reached on lateral ports */
	/* line 5 */
	_Alignas(DET_LINE) struct det_learned learned;
	/* lines 6-11: one per scan slot, once it spills */
	_Alignas(DET_LINE) struct det_distinct hs[DET_HSLOTS];
	_Alignas(DET_LINE) struct det_distinct vs[DET_VSLOTS];
	/* lines 12-13: beacon bodies */
	_Alignas(DET_LINE) struct det_bbody bb[DET_BSLOTS];

	/* line 14, cold: table positions and identity */
	_Alignas(DET_LINE) uint32_t free_next; /* free: the next free
				     * record's index + 1 */
	uint32_t tenant;            /* det_tenant_ref, 0: "" */
	uint32_t hour_s;            /* new-destination hour start */
	uint32_t lat_s;             /* last lateral firing */
	char device_id[VIGIL_UUID_STRLEN];
};

/* ---- fleet baselines (detect_fleet.c) ---------------------------------- */

#define DET_MODEL_SLOTS 1024    /* a power of two */
#define DET_MODELS_MAX 768

struct det_model {
	uint64_t key;               /* hash of tenant and model; 0 free */
	int64_t first_ms;           /* its first device's first flow */
	float ew_flows, ew_bytes, ew_pkts; /* one device, one interval */
	uint32_t nintervals;        /* active device intervals folded in */
	/* Destinations of learning devices (4,096 bits), in an array of
	 * their own: the headers stay small enough to keep in cache. */
	uint64_t *learned;
};

/* The model of (tenant, model) as a reference (slot + 1), created on
 * first use; 0 when fleet is off, the model is "" or the table full.
 * The tenant comes as its det_hash_str: attribution hashes it once for
 * this and det_tenant_ref. */
uint32_t det_model_ref(struct vigil_detect *d, uint64_t tenant_hash,
    const char *model, int64_t now_ms);
struct det_model *det_model_get(const struct vigil_detect *d, uint32_t ref);
/* Its own learning period has passed. */
bool det_model_mature(const struct vigil_detect *d, const struct det_model *m,
    int64_t now_ms);
/* The two bits of a destination key in a model's learned set. */
static inline void
det_model_bits(uint64_t h, unsigned *a, unsigned *b)
{
	*a = (unsigned)(h & 4095);
	*b = (unsigned)((h >> 24) & 4095);
}
void det_model_learn(struct det_model *m, uint64_t h);
bool det_model_knows(const struct det_model *m, uint64_t h);
/* A device of the model finished an interval (empty ones are not
 * folded in). */
void det_model_interval(struct det_model *m, uint32_t flows, uint64_t bytes,
    uint64_t pkts);
void det_models_free(struct vigil_detect *d);

/* Starts loading the words of key h in model ref's learned set. */
static inline void
det_model_prefetch(const struct vigil_detect *d, uint32_t ref, uint64_t h);

/* Tenant ids interned (0 is ""); det_tenant_ref gives 0 too when the
 * table cannot grow (DET_TENANTS_MAX). tenant_hash is
 * det_hash_str(tenant). */
#define DET_TENANTS_MAX ((size_t)1 << 20)
uint32_t det_tenant_ref(struct vigil_detect *d, const char *tenant,
    uint64_t tenant_hash);
const char *det_tenant_str(const struct vigil_detect *d, uint32_t ref);
void det_tenants_free(struct vigil_detect *d);

/* ---- intel lists (detect_intel.c) -------------------------------------- */

struct det_range4 {
	uint32_t lo, hi;
};
struct det_range6 {
	uint8_t lo[16], hi[16];
};
struct det_intel {
	char name[64];
	struct det_range4 *v4;
	size_t n4;
	struct det_range6 *v6;
	size_t n6;
};
#define DET_INTEL_MAX 32
/* The name of the first list holding the address, or NULL. */
const char *det_intel_match(const struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16]);
void det_intel_free(struct det_intel *l);

/* ---- the engine -------------------------------------------------------- */

/* One slot of an entity table: the key's hash beside the pool index,
 * so a probe compares 8 bytes and reads a state only on a match. */
struct det_slot {
	uint32_t hash;              /* low 32 bits of the key's hash */
	uint32_t idx;               /* pool index + 1, 0 empty */
};

/* Port classes (vigil_detect.portcls). */
#define DET_PORT_INFRA 1
#define DET_PORT_EXPOSURE 2
#define DET_PORT_LATERAL 4

struct det_cur {
	uint64_t hsrc, hdst;        /* det_hash_addr of src and dst */
	bool src_local, dst_local;
	bool dst_infra;             /* set only when src_local */
	bool dport_infra;           /* dport in infra_ports */
	bool failed;                /* det_failed(f) */
	uint16_t pfp;               /* det_port_fp of (dport, proto) */
	int bslot;                  /* the originator's beacon key of the
				     * flow's destination, -1 none */
};

#define DET_RING 4096           /* recent flows, for evidence samples */

/* What an evidence sample shows of a flow, in one line: the ring of
 * recent flows is written on every flow, and a whole vigil_flow took
 * two lines (a cache miss more per flow once the ring left the cache). */
struct det_sample {
	int64_t start_ms;
	uint64_t bytes;             /* both ways, saturated */
	uint8_t src[16], dst[16];
	char state[8];              /* vigil_flow's, not terminated when full */
	uint16_t sport, dport;
	uint8_t family, proto;
};
#define DET_SAMPLES 10

struct vigil_detect {
	struct vigil_detect_config cfg;
	struct vigil_detect_hooks hooks;
	int64_t now_ms;             /* max end_ms seen */
	int64_t last_tick_ms;

	/* entities: a pool and open-addressing tables of pool indices */
	struct det_entity *pool;
	size_t npool, cappool;
	size_t pool_map;            /* bytes reserved with mmap, 0: heap */
	bool pool_tried;            /* the reservation was tried */
	uint32_t free_head;         /* free list through next (index + 1) */
	struct det_slot *slots;     /* by address */
	struct det_slot *dslots;    /* by device id */
	size_t nslots;              /* power of two, both tables */
	size_t nentities;
	size_t clock_hand;          /* eviction: next pool index to judge */
	uint32_t reattr_s;          /* entities asked before this flow-time
				     * second ask again */
	size_t age_hand;            /* aging sweep: next pool index */

	/* The flow-facing parts of the config, compiled for the hot path:
	 * IPv4 local and infrastructure nets as (network, mask) pairs and
	 * every port list as one bit per port. */
	uint32_t local4[VIGIL_DETECT_NETS_MAX][2];
	uint32_t infra4[VIGIL_DETECT_NETS_MAX][2];
	size_t nlocal4, ninfra4;
	uint8_t oct4[256];          /* by first octet: DET_NET_* bits of the
				     * lists with a net that may hold it, so
				     * that most addresses need no compare */
	bool local6, infra6;        /* any IPv6 net configured */
	uint8_t *portcls;           /* 65,536 entries of DET_PORT_* bits */

	struct det_sample *ring;
	/* Beside each sample, the 16-bit fingerprints of its source (low
	 * half) and destination (high half): finding an entity's samples
	 * reads these 16 KB, not the 256 KB ring. */
	uint32_t *ring_fp;
	size_t ring_pos, ring_len;

	struct det_intel intel[DET_INTEL_MAX];
	size_t nintel;

	struct det_model *models;   /* DET_MODEL_SLOTS, or NULL */
	uint64_t (*model_bits)[64]; /* their learned sets */
	size_t nmodels;
	char (*tenant_names)[VIGIL_UUID_STRLEN];
	uint32_t *tenant_slots;     /* 2 x tenant_cap, name index + 1 */
	size_t ntenants, tenant_cap;

	struct vigil_detect_stats st;
	uint64_t moved;             /* states that followed their device */

	/* The flow being dispatched: facts several detectors need,
	 * computed once per flow instead of once per detector. */
	struct det_cur cur;
};

/* detect_entity.c */
/* The entity of an address, created when absent (evicting the least
 * recently seen at max_entities); NULL only when memory runs out. */
struct det_entity *det_entity_get(struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16], uint64_t hash, bool *created);
/* Starts loading the table slot of hash (det_hash_addr of the key). */
static inline void
det_entity_prefetch(const struct vigil_detect *d, uint64_t hash)
{
	if (d->nslots != 0)
		__builtin_prefetch(&d->slots[hash & (d->nslots - 1)]);
}
/* The entity at pool index idx + 1 if it holds this address (a hint
 * checked), else NULL. */
static inline struct det_entity *det_entity_at(struct vigil_detect *d,
    uint32_t idx, uint8_t family, const uint8_t addr[16]);
/* The entity of an address, or NULL; never creates. */
struct det_entity *det_entity_find(const struct vigil_detect *d,
    uint8_t family, const uint8_t addr[16], uint64_t hash);
/* The entity whose key probably hashes to hash (the first with that
 * 32-bit hash in its probe run), or NULL: a hint for prefetching, read
 * from a slot that should have been prefetched a while before; its key
 * is not checked. */
static inline const struct det_entity *det_entity_hint(
    const struct vigil_detect *d, uint64_t hash);
/* Records who e is now (device id, "" for none; id_hash its
 * det_hash_str, which det_device_prefetch may have been given a while
 * before). When that device's
 * state lives under another address that has been silent for a
 * minute (a new cellular session, a new DHCP lease), the state moves
 * to e, so the device keeps its baselines and learned profile; both
 * stay when both addresses are active (dual stack). */
void det_entity_set_device(struct vigil_detect *d, struct det_entity *e,
    const char *device_id, uint64_t id_hash, int64_t now_ms);
/* Starts loading the device index slot of id_hash: a new entity's
 * lookup there is a cache miss that the rest of its attribution can
 * overlap. */
static inline void
det_device_prefetch(const struct vigil_detect *d, uint64_t id_hash)
{
	if (d->nslots != 0)
		__builtin_prefetch(&d->dslots[id_hash & (d->nslots - 1)]);
}
/* Drops entities silent for 2 x max(learning_s, interval_s), judging a
 * share of the pool in proportion to elapsed_ms of flow time. */
void det_entity_age(struct vigil_detect *d, int64_t now_ms,
    int64_t elapsed_ms);
void det_entity_free_all(struct vigil_detect *d);

/* detect.c: firing */
struct det_fire {
	enum vigil_alert_kind kind;
	enum vigil_alert_sev sev;
	int64_t first_ms, last_ms;
	uint64_t count;
	const char *summary;
	json_t *numbers;            /* stolen; may be NULL */
	/* sample filter: flows of the entity, and if set these too */
	int want_dport;             /* -1 any */
	bool want_peer;
	uint8_t peer_family;
	uint8_t peer[16];
};
void det_fire(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, struct det_fire *x);
/* Inside one of the compiled IPv4 (network, mask) pairs. */
static inline bool
det_in4(const uint32_t (*nets)[2], size_t n, const uint8_t addr[16])
{
	uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
	    (uint32_t)addr[2] << 8 | addr[3];

	for (size_t i = 0; i < n; i++)
		if ((a & nets[i][1]) == nets[i][0])
			return true;
	return false;
}
bool det_in6(const struct vigil_cidr *nets, size_t n, const uint8_t addr[16]);
/* Net list classes of vigil_detect.oct4. */
#define DET_NET_LOCAL 1
#define DET_NET_INFRA 2
static inline bool
det_is_local(const struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16])
{
	if (family == 4)
		return (d->oct4[addr[0]] & DET_NET_LOCAL) &&
		    det_in4(d->local4, d->nlocal4, addr);
	return d->local6 && det_in6(d->cfg.local, d->cfg.nlocal, addr);
}
static inline bool
det_is_infra(const struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16])
{
	if (family == 4)
		return (d->oct4[addr[0]] & DET_NET_INFRA) &&
		    det_in4(d->infra4, d->ninfra4, addr);
	return d->infra6 && det_in6(d->cfg.infra, d->cfg.ninfra, addr);
}
static inline bool
det_port_is(const struct vigil_detect *d, uint16_t port, uint8_t cls)
{
	return (d->portcls[port] & cls) != 0;
}
bool det_failed(const struct vigil_flow *f);
void det_addr_str(uint8_t family, const uint8_t addr[16], char *buf,
    size_t size);

/* The detectors: entity e is the flow's originator (out) or its
 * responder (in); sec is the flow's start in unix seconds. */
void det_scan_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec);
void det_beacon_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec);
/* Read-only guesses of the lines the next outbound flow of e will
 * write (-1 none), for prefetching: the set lines of its port's and
 * its peer's scan slots (det_scan_peek; hpeer is det_hash_addr of the
 * peer), the beacon tracker of its destination (det_beacon_peek, which
 * also says whether that tracker's key is the destination's, not a
 * free one it would claim). */
void det_scan_peek(const struct det_entity *e, uint16_t port, uint8_t proto,
    uint64_t hpeer, uint16_t pfp, bool infra_port, int *hi, int *vi);
/* Whether any scan slot's set has spilled into its line. */
static inline bool
det_scan_spilled(const struct det_entity *e)
{
	uint8_t any = 0;

	for (int i = 0; i < DET_HSLOTS; i++)
		any |= e->sc.h_flags[i];
	for (int i = 0; i < DET_VSLOTS; i++)
		any |= e->sc.v_flags[i];
	return (any & DET_SC_SPILL) != 0;
}
int det_beacon_peek(const struct det_entity *e, uint32_t host, uint16_t port,
    uint8_t proto, bool *match);
void det_volume_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out);
void det_ddos_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec);
void det_peer_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out);
void det_intel_flow(struct vigil_detect *d, struct det_entity *e,
    const struct vigil_flow *f, uint32_t sec, bool out);

static inline void
det_model_prefetch(const struct vigil_detect *d, uint32_t ref, uint64_t h)
{
	unsigned a, b;

	if (ref == 0 || ref > DET_MODEL_SLOTS || d->model_bits == NULL)
		return;
	det_model_bits(h, &a, &b);
	__builtin_prefetch(&d->model_bits[ref - 1][a / 64], 1);
	__builtin_prefetch(&d->model_bits[ref - 1][b / 64], 1);
}

/* The entity lookups every flow makes, inline (detect_entity.c has
 * the rest of the table). */
static inline bool
det_same_key(const struct det_entity *e, uint8_t family, const uint8_t addr[16])
{
	uint64_t a0, a1, b0, b1;

	if (e->family != family)
		return false;
	if (family == 4) {
		uint32_t x, y;

		memcpy(&x, e->addr, 4);
		memcpy(&y, addr, 4);
		return x == y;
	}
	memcpy(&a0, e->addr, 8);
	memcpy(&a1, e->addr + 8, 8);
	memcpy(&b0, addr, 8);
	memcpy(&b1, addr + 8, 8);
	return a0 == b0 && a1 == b1;
}

static inline const struct det_entity *
det_entity_hint(const struct vigil_detect *d, uint64_t hash)
{
	size_t j, mask;
	uint32_t h = (uint32_t)hash;

	if (d->nslots == 0)
		return NULL;
	mask = d->nslots - 1;
	/* A few probes at most: this is a hint, not a lookup. */
	for (j = h & mask; d->slots[j].idx != 0 && j != ((h + 4) & mask);
	    j = (j + 1) & mask)
		if (d->slots[j].hash == h && d->slots[j].idx <= d->npool)
			return &d->pool[d->slots[j].idx - 1];
	return NULL;
}

static inline struct det_entity *
det_entity_at(struct vigil_detect *d, uint32_t idx, uint8_t family,
    const uint8_t addr[16])
{
	if (idx == 0 || idx > d->npool ||
	    !det_same_key(&d->pool[idx - 1], family, addr))
		return NULL;
	return &d->pool[idx - 1];
}

#endif
