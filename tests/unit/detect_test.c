/*
 * The detection engine (detect.h) on synthetic flows: each detector
 * fires on the pattern it is for and stays quiet on its look-alikes
 * (scan thresholds exactly, beacons against random gaps, big transfers
 * and infrastructure ports, floods, spikes after warm-up, learning,
 * intel lists, exposure, lateral movement), the session checks, shadow
 * reports, the configuration's errors, eviction and the state budget.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/detect.h"

#define T0 1800000000000LL /* 2027-01-15, ms */

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- capture ----------------------------------------------------------- */

struct cap {
	unsigned by_kind[VIGIL_ALERT_KIND_COUNT];
	unsigned total;
	struct vigil_alert last;
	char evidence[8192];
	unsigned shadows;
	struct vigil_shadow_obs shadow;
	bool attribute_device;     /* the hook claims every address */
	const char *model_of_1_2;  /* with attribute_fleet: 10.0.1.2's
				    * model instead of "cam-x" */
	bool attribute_fleet;      /* 10.0.M.N: device N of model M (1
				    * "cam-x", else "meter"); others none */
	bool attribute_each;       /* every IPv4 address its own device,
				    * but 10.0.0.1 is 10.1.0.5's when
				    * each_alias */
	bool each_alias;
	unsigned attribute_calls;
	/* attribute_prefetch calls, in order: the address's last octet,
	 * the step and attribute_calls when it came */
	unsigned nprefetch;
	struct {
		uint8_t octet;
		int step;
		unsigned calls_before;
	} prefetch[64];
};

static void
on_alert(void *ctx, const struct vigil_alert *a)
{
	struct cap *c = ctx;
	char *s;

	c->by_kind[a->kind]++;
	c->total++;
	c->last = *a;
	c->last.evidence = NULL;
	s = a->evidence != NULL ? json_dumps(a->evidence, JSON_COMPACT |
	    JSON_SORT_KEYS) : NULL;
	snprintf(c->evidence, sizeof c->evidence, "%s", s != NULL ? s : "");
	free(s);
}

static void
on_shadow(void *ctx, const struct vigil_shadow_obs *s)
{
	struct cap *c = ctx;

	c->shadows++;
	c->shadow = *s;
}

static int
on_attribute(void *ctx, uint8_t family, const uint8_t addr[16],
    int64_t ts_ms, struct vigil_endpoint *out)
{
	struct cap *c = ctx;

	(void)ts_ms;
	c->attribute_calls++;
	if (c->attribute_fleet) {
		if (family != 4 || addr[0] != 10 || addr[1] != 0)
			return 0;
		out->device = true;
		snprintf(out->device_id, sizeof out->device_id,
		    "0190a000-0000-7000-8000-0000000%02x%03u", addr[2],
		    addr[3]);
		snprintf(out->tenant, sizeof out->tenant,
		    "0190a000-0000-7000-8000-0000000000aa");
		snprintf(out->model, sizeof out->model, "%s",
		    addr[2] == 1 && addr[3] == 2 && c->model_of_1_2 != NULL ?
		    c->model_of_1_2 : addr[2] == 1 ? "cam-x" : "meter");
		snprintf(out->via, sizeof out->via, "binding");
		return 1;
	}
	if (c->attribute_each && family == 4) {
		bool alias = c->each_alias && memcmp(addr, "\x0a\0\0\x01",
		    4) == 0;

		out->device = true;
		snprintf(out->device_id, sizeof out->device_id,
		    "0190a000-0000-7000-8000-0000%02x%02x%02x%02x", addr[0],
		    alias ? 1 : addr[1], addr[2], alias ? 5 : addr[3]);
		snprintf(out->model, sizeof out->model, "cam-x");
		snprintf(out->via, sizeof out->via, "binding");
		return 1;
	}
	if (!c->attribute_device)
		return 0;
	out->device = true;
	snprintf(out->device_id, sizeof out->device_id,
	    "0190a000-0000-7000-8000-000000000001");
	snprintf(out->tenant, sizeof out->tenant,
	    "0190a000-0000-7000-8000-0000000000aa");
	snprintf(out->model, sizeof out->model, "cam-x");
	snprintf(out->via, sizeof out->via, "radius");
	return 1;
}

static void
on_attribute_prefetch(void *ctx, uint8_t family, const uint8_t addr[16],
    int step)
{
	struct cap *c = ctx;

	if (family != 4 || c->nprefetch == 64)
		return;
	c->prefetch[c->nprefetch].octet = addr[3];
	c->prefetch[c->nprefetch].step = step;
	c->prefetch[c->nprefetch].calls_before = c->attribute_calls;
	c->nprefetch++;
}

static struct vigil_detect *
engine(const struct vigil_detect_config *cfg, struct cap *c)
{
	struct vigil_detect_config def;
	struct vigil_detect_hooks h = { .ctx = c, .attribute = on_attribute,
		.alert = on_alert, .shadow = on_shadow };
	struct vigil_detect *d = NULL;

	if (cfg == NULL) {
		vigil_detect_config_defaults(&def);
		cfg = &def;
	}
	memset(c, 0, sizeof *c);
	assert_int_equal(vigil_detect_new(cfg, &h, &d), VIGIL_OK);
	return d;
}

static struct vigil_flow
flow(const char *src, unsigned sport, const char *dst, unsigned dport,
    uint8_t proto, int64_t start, uint64_t bytes, uint64_t rbytes,
    const char *state)
{
	struct vigil_flow f;
	int fam = strchr(src, ':') != NULL ? AF_INET6 : AF_INET;

	memset(&f, 0, sizeof f);
	f.family = fam == AF_INET ? 4 : 6;
	assert_int_equal(inet_pton(fam, src, f.src), 1);
	assert_int_equal(inet_pton(fam, dst, f.dst), 1);
	f.sport = (uint16_t)sport;
	f.dport = (uint16_t)dport;
	f.proto = proto;
	f.start_ms = start;
	f.end_ms = start + 100;
	f.bytes = bytes;
	f.rbytes = rbytes;
	f.packets = bytes > 0 ? 1 + bytes / 1000 : 1;
	f.rpackets = rbytes > 0 ? 1 + rbytes / 1000 : 0;
	snprintf(f.state, sizeof f.state, "%s", state);
	return f;
}

static void
feed(struct vigil_detect *d, struct vigil_flow f)
{
	vigil_detect_flow(d, &f);
}

/* ---- scans ------------------------------------------------------------- */

/* Local nets of any prefix, also shorter than an octet and across
 * octet boundaries: the first-octet filter in front of the compares
 * must never turn a local address away. */
static void
test_local_nets_of_any_prefix(void **state)
{
	static const struct {
		const char *addr;
		bool local;
	} cases[] = {
		{ "96.0.0.1", true }, { "127.255.255.255", true },
		{ "95.255.255.255", false }, { "128.0.0.1", false },
		{ "192.168.4.0", true }, { "192.168.7.9", true },
		{ "192.168.8.1", false }, { "192.169.4.1", false },
		{ "10.0.0.1", false },
	};
	struct vigil_detect_config cfg;
	struct vigil_detect_stats st;
	struct vigil_detect *d;
	struct cap c;
	char err[256];
	uint64_t want = 0;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	assert_int_equal(vigil_detect_config_set(&cfg, "local_nets",
	    "96.0.0.0/3, 192.168.4.0/22", err, sizeof err), VIGIL_OK);
	d = engine(&cfg, &c);
	say("local_nets 96.0.0.0/3 and 192.168.4.0/22: exactly the "
	    "addresses inside them become entities");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		feed(d, flow(cases[i].addr, 40000, "203.0.113.5", 443, 6,
		    T0 + (int64_t)i * 1000, 500, 500, "SF"));
		want += cases[i].local;
		vigil_detect_stats(d, &st);
		assert_int_equal(st.entities, want);
	}
	vigil_detect_free(d);
	vigil_detect_config_defaults(&cfg);
	assert_int_equal(vigil_detect_config_set(&cfg, "local_nets",
	    "0.0.0.0/0", err, sizeof err), VIGIL_OK);
	d = engine(&cfg, &c);
	say("local_nets 0.0.0.0/0: both ends of every IPv4 flow are local");
	feed(d, flow("1.2.3.4", 40000, "255.1.2.3", 443, 6, T0, 500, 500,
	    "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 2);
	vigil_detect_free(d);
}

/* The batch entry point decides exactly as flow-by-flow feeding. */
static void
test_batch_feeding_equals_one_by_one(void **state)
{
	struct vigil_flow fs[40];
	struct cap c1, c2;
	struct vigil_detect *d1 = engine(NULL, &c1);
	struct vigil_detect *d2;
	char dst[32];
	size_t n = 0;

	(void)state;
	for (int i = 1; i <= 30; i++) {
		snprintf(dst, sizeof dst, "198.51.100.%d", i);
		fs[n++] = flow("10.0.0.5", 40000 + i, dst, 23, 6,
		    T0 + i * 1000, 60, 0, "S0");
	}
	for (int i = 0; i < 10; i++)
		fs[n++] = flow("10.0.0.6", 50000 + i, "203.0.113.9", 443, 6,
		    T0 + i * 500, 900, 4000, "SF");
	for (size_t i = 0; i < n; i++)
		vigil_detect_flow(d1, &fs[i]);
	d2 = engine(NULL, &c2);
	say("40 flows fed as one batch raise the same alerts as one by one");
	vigil_detect_flows(d2, fs, n);
	assert_int_equal(c2.total, c1.total);
	assert_int_equal(c2.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 1);
	assert_int_equal(c2.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL],
	    c1.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL]);
	assert_int_equal(c2.last.count, c1.last.count);
	say("an empty batch and a NULL engine are harmless");
	vigil_detect_flows(d2, fs, 0);
	vigil_detect_flows(NULL, fs, n);
	vigil_detect_free(d1);
	vigil_detect_free(d2);
}

/* The attribution prefetch hook: told, step 0 then step 1, about each
 * local address the engine does not know before it asks attribute,
 * and never about known ones. */
static void
test_attribute_prefetch_before_each_new_address(void **state)
{
	struct vigil_detect_config cfg;
	struct vigil_detect_hooks h = { 0 };
	struct vigil_flow fs[24];
	struct vigil_detect *d = NULL;
	struct cap c;
	char src[32];
	size_t n = 0;

	(void)state;
	memset(&c, 0, sizeof c);
	c.attribute_fleet = true;
	h.ctx = &c;
	h.attribute = on_attribute;
	h.attribute_prefetch = on_attribute_prefetch;
	h.alert = on_alert;
	h.shadow = on_shadow;
	vigil_detect_config_defaults(&cfg);
	assert_int_equal(vigil_detect_new(&cfg, &h, &d), VIGIL_OK);
	/* Eight new outbound sources, then inbound flows to four new
	 * local addresses, then the first eight again. */
	for (int i = 1; i <= 8; i++) {
		snprintf(src, sizeof src, "10.0.0.%d", i);
		fs[n++] = flow(src, 40000, "203.0.113.9", 443, 6, T0 + i, 90,
		    90, "SF");
	}
	for (int i = 101; i <= 104; i++) {
		snprintf(src, sizeof src, "10.0.0.%d", i);
		fs[n++] = flow("203.0.113.9", 50000, src, 8883, 6, T0 + i, 90,
		    90, "SF");
	}
	for (int i = 1; i <= 8; i++) {
		snprintf(src, sizeof src, "10.0.0.%d", i);
		fs[n++] = flow(src, 40001, "203.0.113.9", 443, 6, T0 + 200 + i,
		    90, 90, "SF");
	}
	say("a batch of 20 flows, 12 of them from or to a new local address");
	vigil_detect_flows(d, fs, n);
	assert_int_equal(c.attribute_calls, 12);
	say("each new address: step 0, then step 1, before its attribution");
	assert_int_equal(c.nprefetch, 24);
	for (unsigned i = 0; i < c.nprefetch; i++) {
		unsigned octet = c.prefetch[i].octet;
		/* the attribution of the octet-th address came after
		 * (octet - 1) others (outbound) or 8 + (octet - 101) */
		unsigned before = octet < 100 ? octet - 1 : 8 + octet - 101;
		int steps = 0;

		assert_true(c.prefetch[i].calls_before <= before);
		for (unsigned j = 0; j < c.nprefetch; j++)
			if (c.prefetch[j].octet == octet) {
				assert_int_equal(c.prefetch[j].step, steps);
				steps++;
			}
		assert_int_equal(steps, 2);
	}
	say("known addresses are not prefetched again");
	c.nprefetch = 0;
	vigil_detect_flows(d, fs + 12, 8);
	assert_int_equal(c.nprefetch, 0);
	assert_int_equal(c.attribute_calls, 12);
	vigil_detect_free(d);
}

static void
test_horizontal_scan_fires_at_25_hosts_not_24(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	char dst[32];
	json_t *ev;

	(void)state;
	say("24 hosts on tcp/23 within the window: no scan alert");
	for (int i = 1; i <= 24; i++) {
		snprintf(dst, sizeof dst, "198.51.100.%d", i);
		feed(d, flow("10.0.0.5", 40000 + i, dst, 23, 6, T0 + i * 1000,
		    60, 0, "S0"));
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 0);
	say("the 25th host fires scan.horizontal once, counting 25");
	feed(d, flow("10.0.0.5", 40100, "198.51.100.25", 23, 6, T0 + 26000,
	    60, 0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 1);
	assert_int_equal(c.last.count, 25);
	assert_int_equal(c.last.severity, VIGIL_SEV_HIGH);
	assert_non_null(strstr(c.last.summary, "25 hosts on tcp/23"));
	say("evidence: the numbers, and at most 10 sample flows on port 23");
	ev = json_loads(c.evidence, 0, NULL);
	assert_non_null(ev);
	assert_int_equal(json_integer_value(json_object_get(ev, "hosts")), 25);
	assert_int_equal(json_integer_value(json_object_get(ev, "failed")),
	    25);
	assert_int_equal(json_array_size(json_object_get(ev, "samples")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(ev, "samples"), 0), "dport")), 23);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(ev, "samples"), 0), "src")), "10.0.0.5");
	json_decref(ev);
	say("more hosts in the same window do not fire again");
	feed(d, flow("10.0.0.5", 40101, "198.51.100.26", 23, 6, T0 + 27000,
	    60, 0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 1);
	say("nothing else fired");
	assert_int_equal(c.total, 1);
	vigil_detect_free(d);
}

static void
test_vertical_scan_counts_ports_on_one_host(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.scan_ports = 30;
	d = engine(&cfg, &c);
	say("29 ports on one host: quiet; the 30th fires scan.vertical");
	for (int i = 1; i <= 29; i++)
		feed(d, flow("10.0.0.6", 50000, "203.0.113.80", 1000 + i, 6,
		    T0 + i * 100, 60, 0, "REJ"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 0);
	feed(d, flow("10.0.0.6", 50000, "203.0.113.80", 2000, 6, T0 + 5000,
	    60, 0, "REJ"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 1);
	assert_int_equal(c.last.count, 30);
	assert_non_null(strstr(c.evidence, "\"host\":\"203.0.113.80\""));
	vigil_detect_free(d);

	say("default threshold 50 (estimated past 31): 200 ports fire once, "
	    "20 ports do not");
	d = engine(NULL, &c);
	for (int i = 1; i <= 200; i++)
		feed(d, flow("10.0.0.7", 50000, "203.0.113.81", i, 6,
		    T0 + i * 100, 60, 0, "S0"));
	for (int i = 1; i <= 20; i++)
		feed(d, flow("10.0.0.8", 50000, "203.0.113.82", i, 6,
		    T0 + i * 100, 60, 0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 1);
	vigil_detect_free(d);
}

/* ---- beacons ----------------------------------------------------------- */

static unsigned
beacons_cfg(const char *dst, unsigned dport, uint8_t proto, uint64_t bytes,
    bool random_gaps, const char *infra_nets, const char *local_peers)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;
	char err[256];
	int64_t t = T0;
	uint32_t lcg = 12345;
	unsigned n;

	vigil_detect_config_defaults(&cfg);
	assert_int_equal(vigil_detect_config_set(&cfg, "infra_nets",
	    infra_nets, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_detect_config_set(&cfg, "beacon.local_peers",
	    local_peers, err, sizeof err), VIGIL_OK);
	d = engine(&cfg, &c);
	for (int i = 0; i < 30; i++) {
		feed(d, flow("10.0.0.9", 33000 + i, dst, dport, proto, t,
		    bytes / 2, bytes / 2, "SF"));
		if (random_gaps) {
			lcg = lcg * 1103515245u + 12345u;
			t += 5000 + (int64_t)(lcg >> 8) % 600000;
		} else {
			/* 60 s, ±2 s in a fixed pattern */
			t += 60000 + ((i * 7) % 5 - 2) * 1000;
		}
	}
	n = c.by_kind[VIGIL_ALERT_BEACON];
	vigil_detect_free(d);
	return n;
}

static unsigned
beacons(const char *dst, unsigned dport, uint8_t proto, uint64_t bytes,
    bool random_gaps, const char *infra_nets)
{
	return beacons_cfg(dst, dport, proto, bytes, random_gaps, infra_nets,
	    "0");
}

/* A slot's set lives in its header until a second element arrives:
 * repeats of the first one never count, and counts stay exact across
 * the spill into the slot's own line. */
static void
test_scan_sets_count_exactly_across_the_spill(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;
	char dst[32];

	(void)state;
	d = engine(NULL, &c);
	say("50 flows to one host on tcp/23, then 23 more hosts: 24 "
	    "distinct, no scan");
	for (int i = 0; i < 50; i++)
		feed(d, flow("10.0.0.7", 30000 + i, "198.51.100.1", 23, 6,
		    T0 + i * 100, 60, 0, "S0"));
	for (int i = 2; i <= 24; i++) {
		snprintf(dst, sizeof dst, "198.51.100.%d", i);
		feed(d, flow("10.0.0.7", 31000 + i, dst, 23, 6,
		    T0 + 6000 + i * 100, 60, 0, "S0"));
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 0);
	say("the first host again: still 24");
	feed(d, flow("10.0.0.7", 32000, "198.51.100.1", 23, 6, T0 + 9000, 60,
	    0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 0);
	say("a 25th host fires, counting 25");
	feed(d, flow("10.0.0.7", 32001, "198.51.100.25", 23, 6, T0 + 9100, 60,
	    0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 1);
	assert_int_equal(c.last.count, 25);
	vigil_detect_free(d);

	vigil_detect_config_defaults(&cfg);
	cfg.scan_ports = 3;
	d = engine(&cfg, &c);
	say("vertical, scan.ports 3: one port 20 times, then a second: no "
	    "scan; a third: fires, counting 3");
	for (int i = 0; i < 20; i++)
		feed(d, flow("10.0.0.8", 30000 + i, "198.51.100.50", 80, 6,
		    T0 + i * 100, 60, 0, "S0"));
	feed(d, flow("10.0.0.8", 31000, "198.51.100.50", 81, 6, T0 + 3000, 60,
	    0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 0);
	feed(d, flow("10.0.0.8", 31001, "198.51.100.50", 80, 6, T0 + 3100, 60,
	    0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 0);
	feed(d, flow("10.0.0.8", 31002, "198.51.100.50", 82, 6, T0 + 3200, 60,
	    0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_VERTICAL], 1);
	assert_int_equal(c.last.count, 3);
	vigil_detect_free(d);
}

static void
test_beacon_regular_small_fires_lookalikes_do_not(void **state)
{
	(void)state;
	say("every 60 s ± 2 s, 300 bytes, to tcp/8443: beacon");
	assert_int_equal(beacons("203.0.113.9", 8443, 6, 300, false, ""), 1);
	say("random gaps (5 s .. 10 min): no beacon");
	assert_int_equal(beacons("203.0.113.9", 8443, 6, 300, true, ""), 0);
	say("regular but 100 KB per connection (a sync job): no beacon");
	assert_int_equal(beacons("203.0.113.9", 8443, 6, 100000, false, ""),
	    0);
	say("regular to an infrastructure port (udp/123, NTP): no beacon");
	assert_int_equal(beacons("203.0.113.9", 123, 17, 96, false, ""), 0);
	say("regular to a configured infrastructure net: no beacon");
	assert_int_equal(beacons("203.0.113.9", 8443, 6, 300, false,
	    "203.0.113.0/28"), 0);
	say("regular to a local host (a master polling a PLC on tcp/502): "
	    "no beacon by default");
	assert_int_equal(beacons("10.0.0.20", 502, 6, 300, false, ""), 0);
	say("... a beacon with beacon.local_peers = 1 (an internal relay)");
	assert_int_equal(beacons_cfg("10.0.0.20", 502, 6, 300, false, "",
	    "1"), 1);
}

/* ---- volume ------------------------------------------------------------ */

static void
test_ddos_flood_to_one_target(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);

	(void)state;
	say("100 UDP flows of 1000 packets to one target within a minute: "
	    "ddos");
	for (int i = 0; i < 100; i++) {
		struct vigil_flow f = flow("10.0.0.11", 1024 + i,
		    "203.0.113.50", 80, 17, T0 + i * 500, 0, 0, "S0");

		f.packets = 1000;
		f.bytes = 64000;
		feed(d, f);
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_DDOS], 1);
	assert_non_null(strstr(c.evidence, "\"target\":\"203.0.113.50\""));
	vigil_detect_free(d);

	say("600 SYN-only flows to one target in a minute: ddos by flows");
	d = engine(NULL, &c);
	for (int i = 0; i < 600; i++)
		feed(d, flow("10.0.0.12", 1024 + i, "203.0.113.51", 443, 6,
		    T0 + i * 90, 60, 0, "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_DDOS], 1);
	vigil_detect_free(d);

	say("600 TCP flows with no reply at all (OTH, no handshake) to one "
	    "target in a minute: ddos");
	d = engine(NULL, &c);
	for (int i = 0; i < 600; i++) {
		struct vigil_flow f = flow("10.0.0.14", 1024, "203.0.113.53",
		    80, 6, T0 + i * 90, 0, 0, "OTH");

		f.packets = 0;
		feed(d, f);
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_DDOS], 1);
	vigil_detect_free(d);

	say("600 completed HTTPS connections in a minute: not a flood");
	d = engine(NULL, &c);
	for (int i = 0; i < 600; i++)
		feed(d, flow("10.0.0.13", 1024 + i, "203.0.113.52", 443, 6,
		    T0 + i * 90, 600, 4000, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_DDOS], 0);
	vigil_detect_free(d);
}

static void
test_volume_spike_after_warm_up(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.interval_s = 60;
	d = engine(&cfg, &c);
	say("a 50 MB burst in the second interval: no baseline yet, quiet");
	feed(d, flow("10.0.0.14", 5000, "203.0.113.60", 443, 6, T0, 500000,
	    500000, "SF"));
	feed(d, flow("10.0.0.14", 5001, "203.0.113.60", 443, 6, T0 + 61000,
	    50000000, 0, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 0);
	vigil_detect_free(d);

	d = engine(&cfg, &c);
	say("10 intervals of 1 MB, then 50 MB: volume.spike");
	for (int i = 0; i < 10; i++)
		feed(d, flow("10.0.0.14", 5000, "203.0.113.60", 443, 6,
		    T0 + i * 60000, 500000, 500000, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 0);
	feed(d, flow("10.0.0.14", 5001, "203.0.113.60", 443, 6,
	    T0 + 10 * 60000, 50000000, 0, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 1);
	assert_non_null(strstr(c.evidence, "\"baseline_bytes\""));
	say("a second burst in the same interval does not fire again");
	feed(d, flow("10.0.0.14", 5002, "203.0.113.60", 443, 6,
	    T0 + 10 * 60000 + 1000, 50000000, 0, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 1);
	vigil_detect_free(d);
}

/* ---- peers ------------------------------------------------------------- */

static void
test_new_destination_only_after_learning(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;
	int64_t hour = 3600000;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.learning_s = 3600;
	d = engine(&cfg, &c);
	say("during learning: destinations are learned, nothing fires");
	feed(d, flow("10.0.0.15", 6000, "203.0.113.70", 443, 6, T0, 500, 500,
	    "SF"));
	feed(d, flow("10.0.0.15", 6001, "198.51.100.70", 8883, 6, T0 + 60000,
	    500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
	say("after learning: a learned one (same /24) is quiet");
	feed(d, flow("10.0.0.15", 6002, "203.0.113.71", 443, 6, T0 + hour +
	    1000, 500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
	say("after learning: a new network fires new.destination once");
	feed(d, flow("10.0.0.15", 6003, "192.0.2.10", 443, 6, T0 + hour +
	    2000, 500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	assert_int_equal(c.last.severity, VIGIL_SEV_LOW);
	feed(d, flow("10.0.0.15", 6004, "192.0.2.10", 443, 6, T0 + hour +
	    3000, 500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	say("DNS to a new resolver is infrastructure: quiet");
	feed(d, flow("10.0.0.15", 6005, "192.0.2.53", 53, 17, T0 + hour +
	    4000, 60, 120, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	say("at most new_dest.max (5) per hour: 10 more new networks add 4");
	for (int i = 0; i < 10; i++) {
		char dst[32];

		snprintf(dst, sizeof dst, "11.%d.0.1", 10 + i);
		feed(d, flow("10.0.0.15", 6100 + i, dst, 443, 6, T0 + hour +
		    5000 + i, 500, 500, "SF"));
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 5);
	say("the next hour reports again");
	feed(d, flow("10.0.0.15", 6300, "12.0.0.1", 443, 6, T0 + 3 * hour,
	    500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 6);
	vigil_detect_free(d);
}

static void
test_intel_match_v4_v6_cidr(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	const char *list = "# test list\n1.2.3.4\n198.51.100.0/24\n\n"
	    "2001:db8:bad::/48  # v6 net\n";
	const char *blocks = "203.0.113.0/25\n203.0.113.128/26\n"
	    "203.0.113.192/26\n203.0.113.64/26\n";
	char err[256];
	size_t n;

	(void)state;
	say("a list of an address, a v4 CIDR and a v6 prefix loads 3 entries");
	assert_int_equal(vigil_detect_intel_load(d, "feodo", list,
	    strlen(list), &n, err, sizeof err), VIGIL_OK);
	assert_int_equal(n, 3);
	say("a flow to an address inside the v4 CIDR fires with the list name");
	feed(d, flow("10.0.0.16", 7000, "198.51.100.77", 443, 6, T0, 300, 300,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 1);
	assert_non_null(strstr(c.evidence, "\"list\":\"feodo\""));
	say("the single address matches, its neighbour does not");
	feed(d, flow("10.0.0.17", 7000, "1.2.3.5", 443, 6, T0, 300, 300,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 1);
	feed(d, flow("10.0.0.17", 7001, "1.2.3.4", 443, 6, T0 + 10, 300, 300,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 2);
	say("inbound from a listed v6 address to a local v6 host fires");
	feed(d, flow("2001:db8:bad::1", 7000, "fd00::5", 22, 6, T0, 300, 300,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 3);
	assert_non_null(strstr(c.evidence, "\"direction\":\"inbound\""));
	say("overlapping and adjacent prefixes merge: the whole /24 matches");
	assert_int_equal(vigil_detect_intel_load(d, "blocks", blocks,
	    strlen(blocks), &n, err, sizeof err), VIGIL_OK);
	assert_int_equal(n, 4);
	feed(d, flow("10.0.0.18", 7000, "203.0.113.250", 443, 6, T0, 300,
	    300, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 4);
	assert_non_null(strstr(c.evidence, "\"list\":\"blocks\""));
	feed(d, flow("10.0.0.18", 7001, "203.0.114.0", 443, 6, T0 + 1, 300,
	    300, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 4);
	say("a bad line is refused with its number; the old list stays");
	assert_int_equal(vigil_detect_intel_load(d, "feodo", "1.1.1.1\n"
	    "10.0.0.0/8\nbogus\n", 26, &n, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "line 3"));
	assert_non_null(strstr(err, "bogus"));
	feed(d, flow("10.0.0.19", 7000, "198.51.100.1", 443, 6, T0, 300, 300,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_INTEL_MATCH], 5);
	vigil_detect_free(d);
}

static void
test_exposure_inbound_telnet_answered_only(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);

	(void)state;
	say("telnet from outside, not answered (S0): quiet");
	feed(d, flow("203.0.113.7", 51000, "10.0.0.10", 23, 6, T0, 60, 0,
	    "S0"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 0);
	say("telnet from outside, answered (SF with reply bytes): exposure");
	feed(d, flow("203.0.113.7", 51001, "10.0.0.9", 23, 6, T0 + 1000, 60,
	    800, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	assert_non_null(strstr(c.last.summary, "port 23"));
	say("telnet from a local host: not exposure");
	feed(d, flow("10.0.0.3", 51002, "10.0.0.8", 23, 6, T0 + 2000, 60, 800,
	    "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	vigil_detect_free(d);
}

/* One-way exporters (softflowd, NetFlow v5/v9): each direction is its
 * own record, no reply counters, TCP flags of that direction only. */
static struct vigil_flow
oneway(const char *src, unsigned sport, const char *dst, unsigned dport,
    int64_t start, uint8_t flags)
{
	struct vigil_flow f = flow(src, sport, dst, dport, 6, start, 120, 0,
	    "");

	f.tcp_flags = flags;
	return f;
}

static void
test_exposure_inbound_from_one_way_syn_ack(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);

	(void)state;
	say("one-way: the outside SYN to telnet alone (no reply counters) is "
	    "quiet");
	feed(d, oneway("203.0.113.7", 51000, "10.0.0.10", 23, T0, 0x02));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 0);
	say("one-way: the device's RST from port 23 (refused) is quiet");
	feed(d, oneway("10.0.0.10", 23, "203.0.113.7", 51000, T0 + 10, 0x14));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 0);
	say("one-way: the device's SYN-ACK from port 23 to outside fires "
	    "exposure.inbound for the device, port 23");
	feed(d, oneway("203.0.113.8", 52000, "10.0.0.11", 23, T0 + 1000,
	    0x1a));
	feed(d, oneway("10.0.0.11", 23, "203.0.113.8", 52000, T0 + 1010,
	    0x1a));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	assert_int_equal(c.total, 1);
	assert_non_null(strstr(c.last.summary, "port 23"));
	assert_non_null(strstr(c.last.summary, "203.0.113.8"));
	assert_int_equal(c.last.addr[3], 11);
	assert_non_null(strstr(c.evidence, "\"seen\":\"syn-ack\""));
	assert_non_null(strstr(c.evidence, "\"dport\":23"));
	say("the same device again within the hour: not again");
	feed(d, oneway("10.0.0.11", 23, "203.0.113.9", 52001, T0 + 5000,
	    0x12));
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	say("a SYN-ACK from a port not in exposure_ports (443): quiet");
	feed(d, oneway("10.0.0.12", 443, "203.0.113.8", 52002, T0 + 6000,
	    0x12));
	say("a SYN-ACK from port 23 to a local host: quiet");
	feed(d, oneway("10.0.0.13", 23, "10.0.0.14", 52003, T0 + 7000, 0x12));
	say("the device's own client SYN from port 23 (no ACK): quiet");
	feed(d, oneway("10.0.0.15", 23, "203.0.113.8", 80, T0 + 8000, 0x02));
	say("UDP from port 23 with both bits in the flags byte: quiet");
	{
		struct vigil_flow u = oneway("10.0.0.16", 23, "203.0.113.8",
		    52004, T0 + 9000, 0x12);

		u.proto = 17;
		feed(d, u);
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	vigil_detect_free(d);
}

/* The compact slot table: many entities, growth, eviction and removal
 * (backward shift) must keep every live entity findable with its own
 * state, and flows with no local side must create nothing. */
static void
test_entity_table_survives_growth_and_eviction(void **state)
{
	struct cap c;
	struct vigil_detect_config cfg;
	struct vigil_detect_stats st;
	struct vigil_detect *d;
	char a[32];

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.max_entities = 3000;
	d = engine(&cfg, &c);
	say("flows between two outside hosts create no entity");
	feed(d, flow("198.51.100.1", 1000, "203.0.113.1", 443, 6, T0, 100,
	    100, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 0);
	say("5000 local hosts through a 3000-entity table: 3000 kept, 2000 "
	    "evicted");
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.%u", i / 65536 % 256,
		    i / 256 % 256, i % 256 + 0);
		feed(d, flow(a, 40000, "203.0.113.1", 443, 6, T0 + i, 100,
		    100, "SF"));
	}
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 3000);
	assert_int_equal(st.dropped_entities, 2000);
	say("each kept host is found again (no new entity, no eviction), "
	    "each keeping its own state: a horizontal scan by the last "
	    "one fires once");
	for (unsigned i = 2000; i < 5000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.%u", i / 65536 % 256,
		    i / 256 % 256, i % 256);
		feed(d, flow(a, 40000, "203.0.113.2", 443, 6, T0 + 6000 + i,
		    100, 100, "SF"));
	}
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 3000);
	assert_int_equal(st.dropped_entities, 2000);
	for (unsigned h = 0; h < 25; h++) {
		char t[32];

		snprintf(t, sizeof t, "198.51.100.%u", h + 1);
		feed(d, flow("10.0.19.135", 40000 + h, t, 23, 6, T0 + 20000 +
		    h, 60, 0, "S0"));
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_SCAN_HORIZONTAL], 1);
	assert_int_equal(c.last.addr[2], 19);
	assert_int_equal(c.last.addr[3], 135);
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 3000);
	vigil_detect_free(d);
}

static void
test_lateral_smb_to_three_local_hosts(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);

	(void)state;
	say("SMB to two local hosts: quiet; the third fires lateral");
	feed(d, flow("10.0.0.20", 49000, "10.0.0.21", 445, 6, T0, 500, 500,
	    "SF"));
	feed(d, flow("10.0.0.20", 49001, "10.0.0.22", 445, 6, T0 + 1000, 500,
	    500, "SF"));
	feed(d, flow("10.0.0.20", 49002, "10.0.0.22", 445, 6, T0 + 1500, 500,
	    500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_LATERAL], 0);
	feed(d, flow("10.0.0.20", 49003, "10.0.0.23", 445, 6, T0 + 2000, 500,
	    500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_LATERAL], 1);
	assert_int_equal(c.last.count, 3);
	assert_memory_equal(c.last.addr, "\x0a\x00\x00\x14", 4);
	say("HTTPS to local hosts is not lateral");
	for (int i = 0; i < 5; i++) {
		char dst[32];

		snprintf(dst, sizeof dst, "10.0.1.%d", i + 1);
		feed(d, flow("10.0.0.30", 49100 + i, dst, 443, 6, T0 + i, 500,
		    500, "SF"));
	}
	assert_int_equal(c.by_kind[VIGIL_ALERT_LATERAL], 1);
	vigil_detect_free(d);
}

/* ---- sessions ---------------------------------------------------------- */

static void
test_imei_change_and_roaming(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	struct vigil_radius_acct r;
	struct vigil_session_check s;
	const char *allowed[] = { "26201", "26202" };
	char expected[16];

	(void)state;
	memset(&r, 0, sizeof r);
	r.status = VIGIL_ACCT_START;
	snprintf(r.imsi, sizeof r.imsi, "262011234567890");
	snprintf(r.session_id, sizeof r.session_id, "sess-1");
	snprintf(r.imeisv, sizeof r.imeisv, "3569360012345601");
	snprintf(r.sgsn_mcc_mnc, sizeof r.sgsn_mcc_mnc, "26201");
	r.has_framed_ip = true;
	memcpy(r.framed_ip, "\x0a\x40\x00\x02", 4);
	assert_true(vigil_imeisv_to_imei("3569360012345601", expected));
	memset(&s, 0, sizeof s);
	s.acct = &r;
	s.ts_ms = T0;
	s.sim_known = true;
	s.who.device = true;
	snprintf(s.who.device_id, sizeof s.who.device_id,
	    "0190a000-0000-7000-8000-000000000001");
	snprintf(s.expected_imei, sizeof s.expected_imei, "%s", expected);
	s.nallowed = 2;
	s.allowed_mcc_mnc = allowed;

	say("the registered IMEI in an allowed network: nothing");
	vigil_detect_session(d, &s);
	assert_int_equal(c.total, 0);

	say("the SIM in another handset: imei.change, critical");
	snprintf(r.imeisv, sizeof r.imeisv, "3569360099999901");
	vigil_detect_session(d, &s);
	assert_int_equal(c.by_kind[VIGIL_ALERT_IMEI_CHANGE], 1);
	assert_int_equal(c.last.severity, VIGIL_SEV_CRITICAL);
	assert_string_equal(c.last.who.device_id,
	    "0190a000-0000-7000-8000-000000000001");
	assert_non_null(strstr(c.evidence, expected));

	say("attached through 310260, not allowed: roaming, high");
	snprintf(r.imeisv, sizeof r.imeisv, "3569360012345601");
	snprintf(r.sgsn_mcc_mnc, sizeof r.sgsn_mcc_mnc, "310260");
	vigil_detect_session(d, &s);
	assert_int_equal(c.by_kind[VIGIL_ALERT_ROAMING], 1);
	assert_int_equal(c.last.severity, VIGIL_SEV_HIGH);
	assert_non_null(strstr(c.evidence, "310260"));

	say("an unknown SIM is not judged");
	s.sim_known = false;
	vigil_detect_session(d, &s);
	assert_int_equal(c.total, 2);
	vigil_detect_free(d);
}

/* ---- shadow, attribution ------------------------------------------------ */

static void
test_shadow_reported_first_seen_then_periodically(void **state)
{
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);

	(void)state;
	say("an unattributed local address is reported on its first flow");
	feed(d, flow("192.168.1.50", 1883, "203.0.113.5", 1883, 6, T0, 100,
	    100, "SF"));
	assert_int_equal(c.shadows, 1);
	assert_int_equal(c.shadow.family, 4);
	assert_memory_equal(c.shadow.addr, "\xc0\xa8\x01\x32", 4);
	assert_int_equal(c.shadow.flows, 1);
	say("not again within shadow.report_s");
	for (int i = 1; i < 10; i++)
		feed(d, flow("192.168.1.50", 1883, "203.0.113.5", 1883, 6,
		    T0 + i * 60000, 100, 100, "SF"));
	assert_int_equal(c.shadows, 1);
	say("after an hour, again with totals and the top port");
	feed(d, flow("192.168.1.50", 1883, "203.0.113.6", 1883, 6, T0 +
	    3601000, 100, 100, "SF"));
	assert_int_equal(c.shadows, 2);
	assert_int_equal(c.shadow.flows, 11);
	assert_int_equal(c.shadow.bytes, 2200);
	assert_int_equal(c.shadow.top_ports[0], 1883);
	assert_true(c.shadow.peers >= 1 && c.shadow.peers <= 3);
	vigil_detect_free(d);

	say("an attributed device is never a shadow; alerts carry its model");
	d = engine(NULL, &c);
	c.attribute_device = true;
	feed(d, flow("192.168.1.51", 1, "203.0.113.7", 23, 6, T0, 60, 800,
	    "SF"));
	feed(d, flow("203.0.113.7", 1, "192.168.1.51", 23, 6, T0, 60, 800,
	    "SF"));
	assert_int_equal(c.shadows, 0);
	assert_int_equal(c.by_kind[VIGIL_ALERT_EXPOSURE_INBOUND], 1);
	assert_true(c.last.who.device);
	assert_string_equal(c.last.who.model, "cam-x");
	assert_string_equal(c.last.who.via, "radius");
	{
		unsigned before = c.attribute_calls;
		uint8_t a[16] = { 0 };

		/* sport, flow time after T0 (ms), attribute calls after it */
		static const struct {
			unsigned sport;
			int64_t at;
			unsigned calls;
			int before;     /* 1 reattribute, 2 reattribute_all */
		} steps[] = {
			{ 2, 301000, 0, 0 }, { 3, 302000, 1, 1 },
			{ 4, 303000, 1, 0 }, { 5, 303000, 2, 2 },
			{ 6, 304000, 2, 0 }, { 7, 304000 + 3600000, 3, 0 },
		};

		say("attribution is not asked again on later flows while "
		    "nothing changed (within attr_refresh_s); "
		    "vigil_detect_reattribute of its address: asked on its "
		    "next flow, once; vigil_detect_reattribute_all: asked "
		    "again once, even by an entity that asked in the same "
		    "second; and again after attr_refresh_s (3600 s) untold");
		inet_pton(AF_INET, "192.168.1.51", a);
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			if (steps[i].before == 1)
				vigil_detect_reattribute(d, 4, a);
			else if (steps[i].before == 2)
				vigil_detect_reattribute_all(d);
			feed(d, flow("192.168.1.51", steps[i].sport,
			    "203.0.113.8", 443, 6, T0 + steps[i].at, 60, 80,
			    "SF"));
			assert_int_equal(c.attribute_calls,
			    before + steps[i].calls);
		}
	}
	vigil_detect_free(d);
}

/* ---- fleet baselines ---------------------------------------------------- */

#define HOUR_MS 3600000LL

static void
test_fleet_profile_judges_a_new_device_from_its_first_flow(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;
	struct vigil_detect_stats st;

	(void)state;
	for (int fleet = 1; fleet >= 0; fleet--) {
		vigil_detect_config_defaults(&cfg);
		cfg.learning_s = 3600;
		cfg.fleet = (unsigned)fleet;
		d = engine(&cfg, &c);
		c.attribute_fleet = true;
		if (fleet)
			say("cam-x device 1 learns for an hour: tcp/443 to "
			    "203.0.113.1, tcp/8883 to 203.0.113.2");
		for (int i = 0; i < 60; i++) {
			feed(d, flow("10.0.1.1", 40000 + i, "203.0.113.1",
			    443, 6, T0 + i * 60000, 500, 900, "SF"));
			feed(d, flow("10.0.1.1", 41000 + i, "203.0.113.2",
			    8883, 6, T0 + i * 60000 + 500, 200, 100, "SF"));
		}
		feed(d, flow("10.0.1.2", 40000, "203.0.113.1", 443, 6,
		    T0 + 2 * HOUR_MS, 500, 900, "SF"));
		feed(d, flow("10.0.1.2", 40001, "203.0.113.2", 8883, 6,
		    T0 + 2 * HOUR_MS + 1000, 200, 100, "SF"));
		if (fleet) {
			say("a new cam-x device, two hours on, going where the "
			    "fleet goes: nothing");
			assert_int_equal(
			    c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
		}
		feed(d, flow("10.0.1.2", 40002, "198.51.100.77", 443, 6,
		    T0 + 2 * HOUR_MS + 2000, 500, 900, "SF"));
		if (fleet) {
			say("... going elsewhere on its first minute: "
			    "new.destination at once, profile \"model\"");
			assert_int_equal(
			    c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
			assert_non_null(strstr(c.evidence,
			    "\"profile\":\"model\""));
			say("the alert names the device's tenant (interned "
			    "by the engine)");
			assert_string_equal(c.last.who.tenant,
			    "0190a000-0000-7000-8000-0000000000aa");
			say("a new device of a model first seen now (meter) "
			    "learns alone: nothing");
			feed(d, flow("10.0.2.9", 40000, "198.51.100.88", 443,
			    6, T0 + 2 * HOUR_MS + 3000, 500, 900, "SF"));
			assert_int_equal(
			    c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
			vigil_detect_stats(d, &st);
			assert_int_equal(st.models, 2);
		} else {
			say("with fleet = 0 the new cam-x device learns alone: "
			    "nothing");
			assert_int_equal(
			    c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
			vigil_detect_stats(d, &st);
			assert_int_equal(st.models, 0);
		}
		vigil_detect_free(d);
	}
}

/* A destination new.destination judged is not judged again (its
 * beacon key remembers), until the device is attributed again: a new
 * model, whose fleet never went there, makes the same destination new. */
static void
test_judged_destination_judged_again_after_a_model_change(void **state)
{
	struct vigil_detect_config cfg;
	struct cap c;
	struct vigil_detect *d;
	uint8_t a[16] = { 10, 0, 1, 2 };

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.learning_s = 3600;
	d = engine(&cfg, &c);
	c.attribute_fleet = true;
	say("cam-x learns 203.0.113.1 tcp/443, meter learns 198.51.100.9 "
	    "tcp/443 for an hour");
	for (int i = 0; i < 60; i++) {
		feed(d, flow("10.0.1.1", 40000 + i, "203.0.113.1", 443, 6,
		    T0 + i * 60000, 500, 900, "SF"));
		feed(d, flow("10.0.2.1", 40000 + i, "198.51.100.9", 443, 6,
		    T0 + i * 60000 + 100, 500, 900, "SF"));
	}
	say("a new cam-x device goes where its fleet goes, again and again: "
	    "nothing");
	for (int i = 0; i < 5; i++)
		feed(d, flow("10.0.1.2", 41000 + i, "203.0.113.1", 443, 6,
		    T0 + 2 * HOUR_MS + i * 60000, 500, 900, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
	say("it turns out to be a meter (re-attributed): the same "
	    "destination is new for the meter fleet");
	c.model_of_1_2 = "meter";
	vigil_detect_reattribute(d, 4, a);
	feed(d, flow("10.0.1.2", 42000, "203.0.113.1", 443, 6,
	    T0 + 2 * HOUR_MS + 10 * 60000, 500, 900, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	assert_non_null(strstr(c.evidence, "\"profile\":\"model\""));
	say("once judged (and now learned by the device), not again");
	feed(d, flow("10.0.1.2", 42001, "203.0.113.1", 443, 6,
	    T0 + 2 * HOUR_MS + 11 * 60000, 500, 900, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	vigil_detect_free(d);
}

static void
test_fleet_volume_baseline_for_a_device_without_one(void **state)
{
	struct cap c;
	struct vigil_detect *d;
	const char *devs[] = { "10.0.1.1", "10.0.1.2", "10.0.1.3",
		"10.0.1.4" };

	(void)state;
	d = engine(NULL, &c);
	c.attribute_fleet = true;
	say("four cam-x devices, about 2 KB per 5-minute interval each for "
	    "half an hour (24 device intervals)");
	for (int i = 0; i < 7; i++)
		for (size_t k = 0; k < 4; k++)
			feed(d, flow(devs[k], 40000 + i, "203.0.113.1", 443,
			    6, T0 + i * 300000 + (int64_t)k * 1000, 900,
			    1100, "SF"));
	say("a new cam-x device moving 50 MB in its first minute: "
	    "volume.spike against the fleet's baseline");
	feed(d, flow("10.0.1.9", 40000, "203.0.113.1", 443, 6,
	    T0 + 7 * 300000, 50000000, 1000, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 1);
	assert_non_null(strstr(c.evidence, "\"baseline_of\":\"model\""));
	say("the same from an address of no model (a shadow): no baseline, "
	    "no spike");
	feed(d, flow("10.9.0.9", 40000, "203.0.113.1", 443, 6,
	    T0 + 7 * 300000 + 1000, 50000000, 1000, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_VOLUME_SPIKE], 1);
	vigil_detect_free(d);
}

static void
test_device_state_follows_its_new_address(void **state)
{
	struct vigil_detect_config cfg;
	struct vigil_detect_stats st;
	struct cap c;
	struct vigil_detect *d;
	int64_t hour = 3600000;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.learning_s = 3600;
	d = engine(&cfg, &c);
	c.attribute_device = true;
	say("a device learns its destinations under its first address");
	feed(d, flow("10.64.0.2", 6000, "203.0.113.70", 8883, 6, T0, 500, 500,
	    "SF"));
	feed(d, flow("10.64.0.2", 6001, "203.0.113.70", 8883, 6, T0 + hour +
	    1000, 500, 500, "SF"));
	say("a new session gives it another address: its state moves along");
	feed(d, flow("10.64.0.9", 6002, "203.0.113.70", 8883, 6, T0 + hour +
	    200000, 500, 500, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 1);
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 0);
	say("so it is past learning there: a new destination fires at once");
	feed(d, flow("10.64.0.9", 6003, "192.0.2.99", 443, 6, T0 + hour +
	    201000, 500, 500, "SF"));
	assert_int_equal(c.by_kind[VIGIL_ALERT_NEW_DESTINATION], 1);
	assert_memory_equal(c.last.addr, "\x0a\x40\x00\x09", 4);
	say("two addresses active together (dual stack) stay two entities");
	feed(d, flow("fd00::9", 6004, "2001:db8::70", 8883, 6, T0 + hour +
	    202000, 500, 500, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 2);
	vigil_detect_free(d);
}

/* An address's owner changing between none and a device keeps the
 * device index right (the engine tells a record without a device id
 * from its flags, without reading the id). */
static void
test_device_index_follows_owner_changes(void **state)
{
	struct vigil_detect_stats st;
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	uint8_t a2[16] = { 10, 64, 0, 2 }, a9[16] = { 10, 64, 0, 9 };
	int64_t min = 60000;

	(void)state;
	say("an address nobody owns is a shadow");
	feed(d, flow("10.64.0.2", 6000, "203.0.113.70", 8883, 6, T0, 500, 500,
	    "SF"));
	assert_int_equal(c.shadows, 1);
	say("once a device owns it, the device's next address takes its "
	    "state (it was indexed)");
	c.attribute_device = true;
	vigil_detect_reattribute(d, 4, a2);
	feed(d, flow("10.64.0.2", 6001, "203.0.113.70", 8883, 6, T0 + 1000,
	    500, 500, "SF"));
	feed(d, flow("10.64.0.9", 6002, "203.0.113.70", 8883, 6, T0 + 3 * min,
	    500, 500, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 1);
	say("when no device owns it any more, it leaves the index: the "
	    "device at a third address starts afresh");
	c.attribute_device = false;
	vigil_detect_reattribute(d, 4, a9);
	feed(d, flow("10.64.0.9", 6003, "203.0.113.70", 8883, 6, T0 + 4 * min,
	    500, 500, "SF"));
	c.attribute_device = true;
	feed(d, flow("10.64.0.12", 6004, "203.0.113.70", 8883, 6,
	    T0 + 6 * min, 500, 500, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 2);
	vigil_detect_free(d);
}

static void
test_hostile_flow_fields_are_contained(void **state)
{
	struct vigil_detect_stats st;
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	struct vigil_flow f;

	(void)state;
	say("a flow time before 1970 or after 2100 is ignored");
	f = flow("10.0.0.40", 1, "203.0.113.1", 23, 6, -5, 1, 1, "SF");
	vigil_detect_flow(d, &f);
	f.start_ms = INT64_MAX;
	vigil_detect_flow(d, &f);
	vigil_detect_stats(d, &st);
	assert_int_equal(st.flows, 0);
	say("an end before the start, an unterminated state, family 0 and "
	    "counters at their maximum are taken safely");
	f = flow("10.0.0.40", 1, "203.0.113.1", 23, 6, T0, 1, 1, "SF");
	f.end_ms = INT64_MIN;
	memset(f.state, 'S', sizeof f.state);
	f.bytes = f.rbytes = f.packets = f.rpackets = UINT64_MAX;
	vigil_detect_flow(d, &f);
	f.family = 0;
	vigil_detect_flow(d, &f);
	vigil_detect_session(d, NULL);
	vigil_detect_flow(NULL, &f);
	vigil_detect_stats(d, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.entities, 1);
	vigil_detect_free(d);
}

/* ---- configuration ----------------------------------------------------- */

static void
test_config_set_and_load_errors_name_key_and_line(void **state)
{
	struct vigil_detect_config cfg;
	char err[256];
	const char *good = "# detection\nscan.hosts = 40\n"
	    "local_nets = 10.1.0.0/16, fd00::/8\ninfra_ports = udp/53,123\n"
	    "beacon.max_cv = 0.1\n";
	const char *bad = "scan.hosts = 40\n\nscan.ports = 1\n";
	json_t *j;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	say("defaults: Zeek's 25 hosts in 300 s, RFC 1918 and friends local");
	assert_int_equal(cfg.scan_hosts, 25);
	assert_int_equal(cfg.scan_window_s, 300);
	assert_int_equal(cfg.nlocal, 6);
	say("a good file sets every key it names");
	assert_int_equal(vigil_detect_config_load(&cfg, good, strlen(good), err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(cfg.scan_hosts, 40);
	assert_int_equal(cfg.nlocal, 2);
	assert_int_equal(cfg.infra_ports[0], 53);
	assert_int_equal(cfg.infra_ports[1], 123);
	assert_int_equal(cfg.infra_ports[2], 0);
	assert_true(cfg.beacon_max_cv > 0.09 && cfg.beacon_max_cv < 0.11);
	say("an out-of-range value names the line, the key and the range");
	assert_int_equal(vigil_detect_config_load(&cfg, bad, strlen(bad), err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "line 3"));
	assert_non_null(strstr(err, "scan.ports"));
	assert_non_null(strstr(err, "2..65535"));
	say("unknown keys, bad CIDRs, bad ports, missing '=' are refused");
	assert_int_equal(vigil_detect_config_set(&cfg, "scan.hostz", "3", err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "scan.hostz"));
	assert_int_equal(vigil_detect_config_set(&cfg, "local_nets",
	    "10.0.0.1/8", err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "local_nets"));
	assert_int_equal(vigil_detect_config_set(&cfg, "lateral_ports",
	    "tcp/445,tcp/70000", err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "tcp/70000"));
	assert_int_equal(vigil_detect_config_set(&cfg, "beacon.max_cv", "x",
	    err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_detect_config_set(&cfg, "scan.hosts", "25.5",
	    err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_detect_config_load(&cfg, "\nscan.hosts 3\n", 14,
	    err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "line 2"));
	say("to_json lists every key with its value and doc");
	j = vigil_detect_config_to_json(&cfg);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "scan.hosts"), "value")), 40);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "local_nets"), "value")), "10.1.0.0/16,fd00::/8");
	assert_non_null(json_object_get(json_object_get(j, "max_entities"),
	    "doc"));
	assert_true(json_object_size(j) >= 22);
	json_decref(j);
}

static void
test_cidr_parse_and_contains(void **state)
{
	struct vigil_cidr c;
	uint8_t a[16] = { 0 };

	(void)state;
	say("CIDRs parse strictly and contain what they should");
	assert_true(vigil_cidr_parse("172.16.0.0/12", &c));
	inet_pton(AF_INET, "172.31.255.1", a);
	assert_true(vigil_cidr_contains(&c, 4, a));
	inet_pton(AF_INET, "172.32.0.1", a);
	assert_false(vigil_cidr_contains(&c, 4, a));
	assert_false(vigil_cidr_contains(&c, 6, a));
	say("IPv4 edges: /0 holds everything, /32 one address, /31 two");
	assert_true(vigil_cidr_parse("0.0.0.0/0", &c));
	assert_true(vigil_cidr_contains(&c, 4, a));
	assert_true(vigil_cidr_parse("172.32.0.1", &c));
	assert_int_equal(c.prefix, 32);
	assert_true(vigil_cidr_contains(&c, 4, a));
	inet_pton(AF_INET, "172.32.0.0", a);
	assert_false(vigil_cidr_contains(&c, 4, a));
	assert_true(vigil_cidr_parse("172.32.0.0/31", &c));
	assert_true(vigil_cidr_contains(&c, 4, a));
	inet_pton(AF_INET, "172.32.0.1", a);
	assert_true(vigil_cidr_contains(&c, 4, a));
	inet_pton(AF_INET, "172.32.0.2", a);
	assert_false(vigil_cidr_contains(&c, 4, a));
	assert_true(vigil_cidr_parse("2001:db8::1", &c));
	assert_int_equal(c.prefix, 128);
	assert_false(vigil_cidr_parse("10.0.0.0/33", &c));
	assert_false(vigil_cidr_parse("10.0.0.1/8", &c));
	assert_false(vigil_cidr_parse("10.0.0.0/", &c));
	assert_false(vigil_cidr_parse("host", &c));
}

/* ---- capacity ---------------------------------------------------------- */

/* 140,000 entities: the tables double past 2 MiB, where they are mapped
 * on their own (huge pages), and every entity is still found, by its
 * address and (attributed) by its device id. */
static void
test_large_tables_keep_every_entity(void **state)
{
	struct vigil_detect_stats st;
	struct vigil_flow fs[VIGIL_DETECT_BATCH];
	struct cap c;
	struct vigil_detect *d = engine(NULL, &c);
	char src[32];
	size_t n = 0;
	unsigned calls;

	(void)state;
	c.attribute_each = true;
	say("140,000 local sources, each attributed to its own device");
	for (int i = 0; i < 140000; i++) {
		snprintf(src, sizeof src, "10.%d.%d.%d", 1 + i / 65536,
		    i / 256 % 256, i % 256);
		fs[n++] = flow(src, 1000, "203.0.113.1", 443, 6, T0 + i / 100,
		    100, 100, "SF");
		if (n == VIGIL_DETECT_BATCH || i == 139999) {
			vigil_detect_flows(d, fs, n);
			n = 0;
		}
	}
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 140000);
	say("a second flow of each of 20,000 of them creates and asks "
	    "nothing");
	calls = c.attribute_calls;
	for (int i = 0; i < 140000; i += 7) {
		snprintf(src, sizeof src, "10.%d.%d.%d", 1 + i / 65536,
		    i / 256 % 256, i % 256);
		fs[0] = flow(src, 1001, "203.0.113.1", 443, 6, T0 + 2000, 100,
		    100, "SF");
		vigil_detect_flows(d, fs, 1);
	}
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 140000);
	assert_int_equal(c.attribute_calls, calls);
	say("each device is found by its id too: 10.1.0.5's device at a new "
	    "address, after two silent minutes, takes its state (no new "
	    "entity)");
	c.each_alias = true;
	feed(d, flow("10.0.0.1", 1002, "203.0.113.1", 443, 6, T0 + 120000,
	    100, 100, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 140000);
	vigil_detect_free(d);
}

static void
test_eviction_at_max_entities_and_state_size(void **state)
{
	struct vigil_detect_config cfg;
	struct vigil_detect_stats st;
	struct cap c;
	struct vigil_detect *d;

	(void)state;
	vigil_detect_config_defaults(&cfg);
	cfg.max_entities = 300;
	d = engine(&cfg, &c);
	say("700 local endpoints with max_entities 300: 300 kept, 400 evicted");
	for (int i = 0; i < 700; i++) {
		char src[32];

		snprintf(src, sizeof src, "10.1.%d.%d", i / 200, i % 200 + 1);
		feed(d, flow(src, 1000, "203.0.113.1", 443, 6, T0 + i, 100,
		    100, "SF"));
	}
	vigil_detect_stats(d, &st);
	assert_int_equal(st.flows, 700);
	assert_int_equal(st.entities, 300);
	assert_int_equal(st.dropped_entities, 400);
	say("each entity's state is at most 1024 bytes");
	printf("# entity state: %llu bytes\n",
	    (unsigned long long)(st.entity_bytes / st.entities));
	assert_true(st.entity_bytes / st.entities <= 1024);
	say("the most recent endpoints survive: a new flow of the last one "
	    "creates nothing");
	feed(d, flow("10.1.3.100", 1000, "203.0.113.1", 443, 6, T0 + 800, 100,
	    100, "SF"));
	vigil_detect_stats(d, &st);
	assert_int_equal(st.dropped_entities, 400);
	say("silent for twice the learning period: aged out by the tick");
	vigil_detect_tick(d, T0 + 3LL * 86400 * 1000);
	vigil_detect_stats(d, &st);
	assert_int_equal(st.entities, 0);
	vigil_detect_free(d);
}

static void
test_kind_names_severities_techniques(void **state)
{
	(void)state;
	say("kind names round-trip and every kind has ATT&CK ids");
	for (int k = 1; k < VIGIL_ALERT_KIND_COUNT; k++) {
		const char *n = vigil_alert_kind_name((enum vigil_alert_kind)k);

		assert_int_equal(vigil_alert_kind_from_name(n), k);
		assert_true(strlen(vigil_alert_kind_techniques(
		    (enum vigil_alert_kind)k)) >= 5);
	}
	assert_string_equal(vigil_alert_kind_name(VIGIL_ALERT_SCAN_HORIZONTAL),
	    "scan.horizontal");
	assert_string_equal(vigil_alert_kind_techniques(
	    VIGIL_ALERT_SCAN_HORIZONTAL), "T1046,T0846");
	assert_int_equal(vigil_alert_kind_from_name("nope"), VIGIL_ALERT_NONE);
	assert_string_equal(vigil_alert_sev_name(VIGIL_SEV_CRITICAL),
	    "critical");
	assert_int_equal(vigil_alert_sev_from_name("medium"), VIGIL_SEV_MEDIUM);
	assert_int_equal(vigil_alert_sev_from_name("x"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_feeding_equals_one_by_one),
		cmocka_unit_test(test_attribute_prefetch_before_each_new_address),
		cmocka_unit_test(test_local_nets_of_any_prefix),
		cmocka_unit_test(test_horizontal_scan_fires_at_25_hosts_not_24),
		cmocka_unit_test(test_vertical_scan_counts_ports_on_one_host),
		cmocka_unit_test(
		    test_scan_sets_count_exactly_across_the_spill),
		cmocka_unit_test(
		    test_beacon_regular_small_fires_lookalikes_do_not),
		cmocka_unit_test(test_ddos_flood_to_one_target),
		cmocka_unit_test(test_volume_spike_after_warm_up),
		cmocka_unit_test(test_new_destination_only_after_learning),
		cmocka_unit_test(test_intel_match_v4_v6_cidr),
		cmocka_unit_test(test_exposure_inbound_telnet_answered_only),
		cmocka_unit_test(test_exposure_inbound_from_one_way_syn_ack),
		cmocka_unit_test(
		    test_entity_table_survives_growth_and_eviction),
		cmocka_unit_test(test_lateral_smb_to_three_local_hosts),
		cmocka_unit_test(test_imei_change_and_roaming),
		cmocka_unit_test(
		    test_shadow_reported_first_seen_then_periodically),
		cmocka_unit_test(test_device_state_follows_its_new_address),
		cmocka_unit_test(test_device_index_follows_owner_changes),
		cmocka_unit_test(
		    test_judged_destination_judged_again_after_a_model_change),
		cmocka_unit_test(
		    test_fleet_profile_judges_a_new_device_from_its_first_flow),
		cmocka_unit_test(
		    test_fleet_volume_baseline_for_a_device_without_one),
		cmocka_unit_test(test_hostile_flow_fields_are_contained),
		cmocka_unit_test(
		    test_config_set_and_load_errors_name_key_and_line),
		cmocka_unit_test(test_cidr_parse_and_contains),
		cmocka_unit_test(test_large_tables_keep_every_entity),
		cmocka_unit_test(test_eviction_at_max_entities_and_state_size),
		cmocka_unit_test(test_kind_names_severities_techniques),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
