/*
 * vigil/detect.h — per-device behaviour and threat detection over flows
 * and cellular sessions (issue 6 §3). Pure: flows in (vigil_flow,
 * already decoded), alerts out through hooks; the caller attributes
 * addresses to devices (hooks.attribute, from the store in vigild; by
 * address, or from a device map with --devices (devmap.h), in `vigil
 * flows analyze`). Works in flow time (the
 * flows' own timestamps), so a pcap from last year is analysed as it
 * happened.
 *
 * Local endpoints (inside cfg.local_nets) are the monitored entities:
 * an attributed device, or, when no device claims the address, a
 * shadow endpoint keyed by its address (reported through hooks.shadow
 * and analysed all the same). Each entity has a compact state (target
 * ≤ 1 KiB; vigil_detect_stats reports the real figure): EWMA baselines
 * of flows/bytes/packets per interval, learned destinations and ports
 * (small bounded sketches), fan-out counters (distinct hosts per port
 * and ports per host within a window, as HyperLogLog-style registers),
 * and periodicity trackers for its busiest destinations.
 *
 * Detectors (docs/detection.md gives each one's rationale, thresholds,
 * evidence and ATT&CK ids; every threshold is a config key):
 *   scan.horizontal  one port, many hosts (Zeek's 25 hosts / 5 min)
 *   scan.vertical    one host, many ports
 *   beacon           regular small connections to one destination
 *                    (infrastructure excluded by cfg, not by address)
 *   ddos             flood participation: packet/flow rate to one target
 *   volume.spike     bytes/flows far above the entity's own baseline
 *   new.destination  a destination or port outside the learned profile
 *                    after the learning period
 *   intel.match      a peer on a loaded threat-intelligence list
 *   exposure.inbound the device accepts connections on telnet (and
 *                    other configured risky services) from outside
 *   lateral          SMB/RDP/admin protocols from an IoT device to
 *                    local hosts
 *   imei.change      a SIM seen with another IMEI than its device's
 *   roaming          a session from a network (MCC-MNC) the device's
 *                    policy does not allow
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "flow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Never renumber (stored). */
enum vigil_alert_kind {
	VIGIL_ALERT_NONE = 0,
	VIGIL_ALERT_SCAN_HORIZONTAL = 1,
	VIGIL_ALERT_SCAN_VERTICAL = 2,
	VIGIL_ALERT_BEACON = 3,
	VIGIL_ALERT_DDOS = 4,
	VIGIL_ALERT_VOLUME_SPIKE = 5,
	VIGIL_ALERT_NEW_DESTINATION = 6,
	VIGIL_ALERT_INTEL_MATCH = 7,
	VIGIL_ALERT_EXPOSURE_INBOUND = 8,
	VIGIL_ALERT_LATERAL = 9,
	VIGIL_ALERT_IMEI_CHANGE = 10,
	VIGIL_ALERT_ROAMING = 11,
	VIGIL_ALERT_KIND_COUNT
};
/* "scan.horizontal", ...; "none". Static. */
const char *vigil_alert_kind_name(enum vigil_alert_kind k);
enum vigil_alert_kind vigil_alert_kind_from_name(const char *s);
/* MITRE ATT&CK (Enterprise / ICS) technique ids of a kind, comma
 * separated ("T1046,T0846"). Static. */
const char *vigil_alert_kind_techniques(enum vigil_alert_kind k);

enum vigil_alert_sev {
	VIGIL_SEV_LOW = 1,
	VIGIL_SEV_MEDIUM = 2,
	VIGIL_SEV_HIGH = 3,
	VIGIL_SEV_CRITICAL = 4,
};
const char *vigil_alert_sev_name(enum vigil_alert_sev s); /* "low", ... */
enum vigil_alert_sev vigil_alert_sev_from_name(const char *s); /* 0 bad */

/* Who a local address is. */
struct vigil_endpoint {
	bool device;                        /* false: shadow (unknown) */
	char device_id[VIGIL_UUID_STRLEN];
	char tenant[VIGIL_UUID_STRLEN];     /* "" when not known */
	char model[129];                    /* "" */
	char via[16];                       /* "radius", "binding",
					     * "subnet", "address" */
};

/* One detection: the engine reports each time a detector fires (the
 * store deduplicates: one open alert per entity and kind). */
struct vigil_alert {
	enum vigil_alert_kind kind;
	enum vigil_alert_sev severity;
	struct vigil_endpoint who;
	uint8_t family;
	uint8_t addr[16];           /* the local endpoint's address */
	int64_t first_ms, last_ms;  /* flow time of the evidence */
	uint64_t count;             /* events behind this firing (hosts
				     * scanned, beacons, flows ...) */
	char summary[256];          /* "scanned 143 hosts on tcp/23 in
				     * 300 s" */
	json_t *evidence;           /* borrowed for the hook's duration:
				     * {"samples":[flows...], numbers} */
};

/* A local address no device claims (shadow IoT), reported when first
 * seen and then at most once per cfg.shadow_report_s with totals. */
struct vigil_shadow_obs {
	uint8_t family;
	uint8_t addr[16];
	char tenant[VIGIL_UUID_STRLEN]; /* from the subnet's owner, "" */
	int64_t first_ms, last_ms;
	uint64_t flows, bytes;
	uint32_t peers;                 /* distinct peers (estimate) */
	uint16_t top_ports[4];          /* ports it served or used most */
	uint8_t top_protos[4];
};

/* ---- configuration --------------------------------------------------- */

#define VIGIL_DETECT_NETS_MAX 64

struct vigil_cidr {
	uint8_t family;
	uint8_t addr[16];
	uint8_t prefix;
};
/* "192.168.0.0/16", "fd00::/8", or one address; false when invalid. */
bool vigil_cidr_parse(const char *s, struct vigil_cidr *out);
bool vigil_cidr_contains(const struct vigil_cidr *c, uint8_t family,
    const uint8_t addr[16]);

struct vigil_detect_config {
	/* Monitored address space (default RFC 1918, 100.64/10, fc00::/7,
	 * 169.254/16) and infrastructure peers the beacon and new-
	 * destination detectors ignore (default none: DNS and NTP are
	 * excluded by port below, not by address). */
	size_t nlocal;
	struct vigil_cidr local[VIGIL_DETECT_NETS_MAX];
	size_t ninfra;
	struct vigil_cidr infra[VIGIL_DETECT_NETS_MAX];
	uint16_t infra_ports[16];        /* default udp/53, udp/123, udp/67,
					  * udp/5353, udp/1900 (0-ended) */

	unsigned scan_hosts;             /* horizontal: distinct hosts on one
					  * port in scan_window_s; 25 */
	unsigned scan_ports;             /* vertical: distinct ports on one
					  * host in the window; 50 */
	unsigned scan_window_s;          /* 300 */
	unsigned beacon_min;             /* connections to one destination
					  * before periodicity counts; 8 */
	double beacon_max_cv;            /* coefficient of variation of the
					  * gaps below which it is regular;
					  * 0.25 */
	uint64_t beacon_max_bytes;       /* average bytes per connection
					  * (both ways) at most; 4096 */
	unsigned beacon_min_gap_s;       /* gaps shorter than this are one
					  * burst, not beacons; 1 */
	unsigned beacon_local_peers;     /* 1: local destinations are
					  * tracked too; 0 (default): only
					  * outside ones (command and
					  * control is outside; polling
					  * between local hosts is not) */
	unsigned ddos_pps;               /* packets per second to one target
					  * in the window; 1000 */
	unsigned ddos_flows;             /* flows to one target in a
					  * minute; 500 */
	double spike_factor;             /* bytes per interval above
					  * factor x the EWMA; 10 */
	uint64_t spike_min_bytes;        /* and above this; 10 MiB */
	unsigned interval_s;             /* baseline interval; 300 */
	unsigned fleet;                  /* 1 (default): model-level
					  * baselines (docs/detection.md,
					  * "Fleet baselines"); 0: every
					  * device learns alone */
	unsigned attr_refresh_s;         /* attribution asked again at
					  * least this often unless told
					  * (vigil_detect_reattribute);
					  * 3600 */
	unsigned learning_s;             /* an entity's learning period
					  * (new-destination quiet); 86400 */
	unsigned new_dest_max;           /* new destinations reported per
					  * entity and hour at most; 5 */
	uint16_t exposure_ports[16];     /* inbound risky: tcp/23, 2323,
					  * 21, 5900, 3389 (0-ended) */
	uint16_t lateral_ports[16];      /* tcp/445, 139, 3389, 22, 5985,
					  * 5986, 135 (0-ended) */
	unsigned lateral_hosts;          /* distinct local hosts on those
					  * ports before it fires; 3 */
	unsigned shadow_report_s;        /* 3600 */
	size_t max_entities;             /* tracked at once; 1,000,000 */
};
void vigil_detect_config_defaults(struct vigil_detect_config *c);
/* Sets one key ("scan.hosts", "beacon.max_cv", "local_nets" (comma-
 * separated CIDRs, replacing), "infra_nets", "infra_ports"
 * ("udp/53,udp/123"), "exposure_ports", "lateral_ports" ...) from text;
 * VIGIL_EINVAL with err naming the key and the expected range. */
enum vigil_err vigil_detect_config_set(struct vigil_detect_config *c,
    const char *key, const char *value, char *err, size_t errsize);
/* Reads "key = value" lines (# comments) with config_set; err names the
 * line. */
enum vigil_err vigil_detect_config_load(struct vigil_detect_config *c,
    const char *text, size_t len, char *err, size_t errsize);
/* Every key with its value and doc (for --help and docs). */
json_t *vigil_detect_config_to_json(const struct vigil_detect_config *c);

/* ---- the engine ------------------------------------------------------ */

struct vigil_detect_hooks {
	void *ctx;
	/* Who is the local address at ts? 1 with *out filled (a device or a
	 * known shadow owner: out->device false, out->tenant set), 0 when
	 * unknown (the engine keys it by address, via "address"). May be
	 * NULL (everything by address). Called on an entity's first flow,
	 * on its next flow after vigil_detect_reattribute named it (or
	 * vigil_detect_reattribute_all), and at least every
	 * attr_refresh_s. */
	int (*attribute)(void *ctx, uint8_t family, const uint8_t addr[16],
	    int64_t ts_ms, struct vigil_endpoint *out);
	/* May be NULL. A flow a few places ahead in vigil_detect_flows has
	 * a local address the engine does not know yet, so attribute will
	 * probably be asked about it soon: start loading (prefetching)
	 * what that answer reads, without waiting for memory and without
	 * changing anything. Called with step 0, then with step 1 a few
	 * flows later, when the loads step 0 started have probably
	 * arrived (a lookup in two levels, a table slot naming a record,
	 * reads the slot at step 1 and starts loading the record). With
	 * a large fleet coming online at once, the attribution of each
	 * new device otherwise waits for its cache misses one after the
	 * other. */
	void (*attribute_prefetch)(void *ctx, uint8_t family,
	    const uint8_t addr[16], int step);
	/* A detector fired. */
	void (*alert)(void *ctx, const struct vigil_alert *a);
	/* A local address without a device (may be NULL). */
	void (*shadow)(void *ctx, const struct vigil_shadow_obs *s);
};

struct vigil_detect;
enum vigil_err vigil_detect_new(const struct vigil_detect_config *cfg,
    const struct vigil_detect_hooks *hooks, struct vigil_detect **out /* OUT */);
void vigil_detect_free(struct vigil_detect *d);

/* Loads a threat-intelligence list (one address or CIDR per line, #
 * comments, ≤ 1,000,000 entries) under name, replacing a list of that
 * name. VIGIL_EINVAL with err naming the line. */
enum vigil_err vigil_detect_intel_load(struct vigil_detect *d,
    const char *name, const char *text, size_t len, size_t *entries /* OUT */,
    char *err, size_t errsize);

/* Feeds one flow. Flows should come roughly in time order; a flow older
 * than the entity's window is still counted where it can be. */
void vigil_detect_flow(struct vigil_detect *d, const struct vigil_flow *f);

/* Feeds n flows, exactly as n calls of vigil_detect_flow in order, but
 * starting the memory loads of the next flows' state while the current
 * one is worked on: the way in for a decoded export packet or a batch
 * of log lines. Each call starts its pipeline anew (its first flows
 * wait for their loads), so batches of VIGIL_DETECT_BATCH flows, when
 * there are that many, make the most of it (256 measured 2-3 % faster
 * than 64 with 100,000 devices in bench_flow). */
#define VIGIL_DETECT_BATCH 256
void vigil_detect_flows(struct vigil_detect *d, const struct vigil_flow *f,
    size_t n);

/* The owner of an address may have changed (a session began or ended
 * on it, a binding moved): its entity asks hooks.attribute again on its
 * next flow. vigil_detect_session does this for the session's
 * Framed-IP itself. */
void vigil_detect_reattribute(struct vigil_detect *d, uint8_t family,
    const uint8_t addr[16]);
/* Every entity asks again on its next flow (bindings or devices
 * changed in the store). O(1): no walk. */
void vigil_detect_reattribute_all(struct vigil_detect *d);

/* A cellular session event, with what the caller knows of the SIM's
 * device from the registry. */
struct vigil_session_check {
	const struct vigil_radius_acct *acct;
	int64_t ts_ms;
	bool sim_known;                 /* the IMSI belongs to a device */
	struct vigil_endpoint who;      /* that device */
	char expected_imei[16];         /* its registered IMEI, "" none */
	size_t nallowed;                /* allowed MCC-MNC; 0 = any */
	const char *const *allowed_mcc_mnc;
};
void vigil_detect_session(struct vigil_detect *d,
    const struct vigil_session_check *s);

/* Advances flow time: closes windows, evaluates periodicity, ages
 * state (entities silent for 2 x learning_s are dropped). Called by the
 * engine itself as flows move time; the collector also calls it on a
 * timer so quiet periods close windows. */
void vigil_detect_tick(struct vigil_detect *d, int64_t now_ms);

struct vigil_detect_stats {
	uint64_t flows, alerts, sessions;
	uint64_t entities;             /* tracked now */
	uint64_t entity_bytes;         /* memory of their state, total */
	uint64_t dropped_entities;     /* evicted at max_entities */
	uint64_t models;               /* fleet baselines (tenant, model) */
	uint64_t by_kind[VIGIL_ALERT_KIND_COUNT];
};
void vigil_detect_stats(const struct vigil_detect *d,
    struct vigil_detect_stats *out /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
