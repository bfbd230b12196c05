/*
 * Metrics shared by the net workers: one MAP_SHARED anonymous mapping
 * created by the parent before it forks (so every worker, restarted
 * ones included, sees the same pages), a slot per worker written by
 * that worker only with relaxed atomics, and the Prometheus text
 * exposition (format 0.0.4) of the sum over all slots, rendered by
 * whichever worker serves GET /metrics.
 *
 * Histograms keep per-bucket (not cumulative) counts so a recorder
 * touches one bucket; the exposition accumulates them. Durations are
 * in nanoseconds, exposed in seconds.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "metrics.h"
#include "metrics_rec.h"
#include "routes.h"

#define NB METRICS_LATENCY_BUCKETS
#define NR (METRICS_MAX_ROUTES + 1) /* last: no route matched */

/* Upper bounds of the latency buckets, seconds (+Inf is implied). */
static const double bounds[NB] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
static const int64_t bounds_ns[NB] = { 500000, 1000000, 2500000, 5000000,
	10000000, 25000000, 50000000, 100000000, 250000000, 500000000,
	1000000000, 2500000000 };

static const char *const reject_names[MREJ_COUNT] = { "max_connections",
	"max_connections_per_ip", "request_timeout", "idle_timeout",
	"shutdown" };

struct metrics_slot {
	uint64_t requests[NR][METRICS_STATUS_CLASSES];
	uint64_t lat[NR][NB + 1];   /* [NB] = above the last bound */
	uint64_t lat_sum_ns[NR];
	uint64_t store[NB + 1];
	uint64_t store_sum_ns;
	int64_t conns_open;
	uint64_t rejected[MREJ_COUNT];
};

struct metrics_shm {
	size_t size;
	unsigned nworkers;
	uint64_t coll_published;    /* the collector has published once */
	struct metrics_coll coll;
	struct metrics_slot slot[];
};

struct metrics_shm *
metrics_create(unsigned nworkers)
{
	struct metrics_shm *m;
	size_t size;

	if (nworkers == 0)
		nworkers = 1;
	if (nworkers > METRICS_MAX_WORKERS)
		nworkers = METRICS_MAX_WORKERS;
	size = sizeof *m + nworkers * sizeof m->slot[0];
	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Anonymous mappings are zero-filled. */
	m->size = size;
	m->nworkers = nworkers;
	return m;
}

void
metrics_destroy(struct metrics_shm *m)
{
	if (m != NULL)
		munmap(m, m->size);
}

static struct metrics_slot *
slot(struct metrics_shm *m, unsigned worker)
{
	if (m == NULL || worker >= m->nworkers)
		return NULL;
	return &m->slot[worker];
}

static void
add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static unsigned
bucket_of(int64_t ns)
{
	unsigned b = 0;

	while (b < NB && ns > bounds_ns[b])
		b++;
	return b;
}

void
metrics_worker_start(struct metrics_shm *m, unsigned worker)
{
	struct metrics_slot *s = slot(m, worker);

	if (s != NULL)
		__atomic_store_n(&s->conns_open, 0, __ATOMIC_RELAXED);
}

void
metrics_conn_delta(struct metrics_shm *m, unsigned worker, int delta)
{
	struct metrics_slot *s = slot(m, worker);

	if (s != NULL)
		__atomic_fetch_add(&s->conns_open, delta, __ATOMIC_RELAXED);
}

void
metrics_conn_rejected(struct metrics_shm *m, unsigned worker,
    enum metrics_reject why)
{
	struct metrics_slot *s = slot(m, worker);

	if (s != NULL && (unsigned)why < MREJ_COUNT)
		add(&s->rejected[why], 1);
}

void
metrics_request(struct metrics_shm *m, unsigned worker, size_t route,
    int status, int64_t ns)
{
	struct metrics_slot *s = slot(m, worker);
	unsigned cls = status >= 100 && status < 600 ?
	    (unsigned)(status / 100 - 1) : METRICS_STATUS_CLASSES - 1;

	if (s == NULL)
		return;
	if (route >= nroutes || route >= METRICS_MAX_ROUTES)
		route = NR - 1;
	if (ns < 0)
		ns = 0;
	add(&s->requests[route][cls], 1);
	add(&s->lat[route][bucket_of(ns)], 1);
	add(&s->lat_sum_ns[route], (uint64_t)ns);
}

void
metrics_store_time(struct metrics_shm *m, unsigned worker, int64_t ns)
{
	struct metrics_slot *s = slot(m, worker);

	if (s == NULL)
		return;
	if (ns < 0)
		ns = 0;
	add(&s->store[bucket_of(ns)], 1);
	add(&s->store_sum_ns, (uint64_t)ns);
}

/* ---- exposition ---- */

static const char *
route_label(size_t r)
{
	return r < nroutes && r < METRICS_MAX_ROUTES ? routes[r].name :
	    "unmatched";
}

/* One histogram (buckets summed over the slots by the caller). */
static enum vigil_err
histogram(struct vigil_buf *b, const char *name, const char *labels,
    const uint64_t *counts, uint64_t sum_ns)
{
	uint64_t cum = 0;
	enum vigil_err e = VIGIL_OK;
	const char *sep = labels[0] != '\0' ? "," : "";

	for (unsigned i = 0; i < NB && e == VIGIL_OK; i++) {
		cum += counts[i];
		e = vigil_buf_appendf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n",
		    name, labels, sep, bounds[i], (unsigned long long)cum);
	}
	cum += counts[NB];
	if (e == VIGIL_OK)
		e = vigil_buf_appendf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n"
		    "%s_sum%s%s%s %.9f\n%s_count%s%s%s %llu\n", name, labels,
		    sep, (unsigned long long)cum, name,
		    labels[0] != '\0' ? "{" : "", labels,
		    labels[0] != '\0' ? "}" : "", (double)sum_ns / 1e9, name,
		    labels[0] != '\0' ? "{" : "", labels,
		    labels[0] != '\0' ? "}" : "", (unsigned long long)cum);
	return e;
}

static enum vigil_err
render_requests(const struct metrics_shm *m, struct vigil_buf *b)
{
	static const char *const cls[METRICS_STATUS_CLASSES] = { "1xx",
		"2xx", "3xx", "4xx", "5xx", "other" };
	enum vigil_err e;

	e = vigil_buf_appends(b, "# HELP vigil_http_requests_total HTTP "
	    "requests answered, by route and status class.\n"
	    "# TYPE vigil_http_requests_total counter\n");
	for (size_t r = 0; r < NR && e == VIGIL_OK; r++)
		for (unsigned c = 0; c < METRICS_STATUS_CLASSES; c++) {
			uint64_t v = 0;

			for (unsigned w = 0; w < m->nworkers; w++)
				v += get(&m->slot[w].requests[r][c]);
			if (v == 0)
				continue;
			e = vigil_buf_appendf(b, "vigil_http_requests_total{"
			    "route=\"%s\",code_class=\"%s\"} %llu\n",
			    route_label(r), cls[c], (unsigned long long)v);
			if (e != VIGIL_OK)
				break;
		}
	return e;
}

static enum vigil_err
render_latency(const struct metrics_shm *m, struct vigil_buf *b)
{
	enum vigil_err e;

	e = vigil_buf_appends(b, "# HELP vigil_http_request_duration_seconds "
	    "Time from the start of handling a request to its reply, by "
	    "route.\n# TYPE vigil_http_request_duration_seconds "
	    "histogram\n");
	for (size_t r = 0; r < NR && e == VIGIL_OK; r++) {
		uint64_t counts[NB + 1] = { 0 }, sum = 0, total = 0;
		char labels[96];

		for (unsigned w = 0; w < m->nworkers; w++) {
			for (unsigned i = 0; i <= NB; i++)
				counts[i] += get(&m->slot[w].lat[r][i]);
			sum += get(&m->slot[w].lat_sum_ns[r]);
		}
		for (unsigned i = 0; i <= NB; i++)
			total += counts[i];
		if (total == 0)
			continue;
		snprintf(labels, sizeof labels, "route=\"%s\"",
		    route_label(r));
		e = histogram(b, "vigil_http_request_duration_seconds", labels,
		    counts, sum);
	}
	return e;
}

static enum vigil_err
render_conns(const struct metrics_shm *m, struct vigil_buf *b)
{
	int64_t open = 0;
	enum vigil_err e;

	for (unsigned w = 0; w < m->nworkers; w++)
		open += __atomic_load_n(&m->slot[w].conns_open,
		    __ATOMIC_RELAXED);
	e = vigil_buf_appendf(b, "# HELP vigil_http_connections_open Open "
	    "client connections.\n# TYPE vigil_http_connections_open gauge\n"
	    "vigil_http_connections_open %lld\n"
	    "# HELP vigil_http_connections_rejected_total Connections refused "
	    "or cut, by reason.\n# TYPE vigil_http_connections_rejected_total "
	    "counter\n", (long long)(open > 0 ? open : 0));
	for (unsigned i = 0; i < MREJ_COUNT && e == VIGIL_OK; i++) {
		uint64_t v = 0;

		for (unsigned w = 0; w < m->nworkers; w++)
			v += get(&m->slot[w].rejected[i]);
		e = vigil_buf_appendf(b, "vigil_http_connections_rejected_total"
		    "{reason=\"%s\"} %llu\n", reject_names[i],
		    (unsigned long long)v);
	}
	return e;
}

static enum vigil_err
render_store(const struct metrics_shm *m, struct vigil_buf *b)
{
	uint64_t counts[NB + 1] = { 0 }, sum = 0;
	enum vigil_err e;

	for (unsigned w = 0; w < m->nworkers; w++) {
		for (unsigned i = 0; i <= NB; i++)
			counts[i] += get(&m->slot[w].store[i]);
		sum += get(&m->slot[w].store_sum_ns);
	}
	e = vigil_buf_appends(b, "# HELP vigil_store_seconds Time spent in "
	    "store calls, measured as the run time of each API handler "
	    "(handlers do little but store calls).\n"
	    "# TYPE vigil_store_seconds histogram\n");
	if (e == VIGIL_OK)
		e = histogram(b, "vigil_store_seconds", "", counts, sum);
	return e;
}

void
metrics_collector_publish(struct metrics_shm *m, const struct metrics_coll *c)
{
	const uint64_t *src = (const uint64_t *)c;
	uint64_t *dst = (uint64_t *)&m->coll;

	if (m == NULL || c == NULL)
		return;
	_Static_assert(sizeof(struct metrics_coll) % sizeof(uint64_t) == 0,
	    "the collector's metrics are 64-bit words");
	for (size_t i = 0; i < sizeof *c / sizeof(uint64_t); i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&m->coll_published, 1, __ATOMIC_RELAXED);
}

/* One counter or gauge with its help line. */
static enum vigil_err
one(struct vigil_buf *b, const char *name, const char *type,
    const char *help, const char *labels, const uint64_t *v)
{
	return vigil_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n%s%s %llu\n",
	    name, help, name, type, name, labels, (unsigned long long)get(v));
}

static enum vigil_err
render_collector(const struct metrics_shm *m, struct vigil_buf *b)
{
	const struct metrics_coll *c = &m->coll;
	enum vigil_err e;

	if (__atomic_load_n(&m->coll_published, __ATOMIC_RELAXED) == 0)
		return VIGIL_OK;    /* no collector (no flow input set) */
	if ((e = one(b, "vigil_collector_packets_total", "counter",
	    "Export packets and log lines read.", "", &c->packets)) !=
	    VIGIL_OK ||
	    (e = one(b, "vigil_collector_records_total", "counter",
	    "Flow records decoded.", "", &c->records)) != VIGIL_OK ||
	    (e = one(b, "vigil_collector_malformed_total", "counter",
	    "Packets or lines refused as malformed.", "", &c->malformed)) !=
	    VIGIL_OK ||
	    (e = one(b, "vigil_collector_no_template_total", "counter",
	    "IPFIX/NetFlow v9 data sets whose template was not known.", "",
	    &c->no_template)) != VIGIL_OK ||
	    (e = one(b, "vigil_collector_udp_drops_total", "counter",
	    "Datagrams the kernel dropped on the flow socket (SO_RXQ_OVFL).",
	    "", &c->udp_drops)) != VIGIL_OK)
		return e;
	if ((e = vigil_buf_appendf(b, "# HELP vigil_collector_radius_requests"
	    "_total RADIUS accounting requests, by result.\n# TYPE "
	    "vigil_collector_radius_requests_total counter\n"
	    "vigil_collector_radius_requests_total{result=\"ok\"} %llu\n"
	    "vigil_collector_radius_requests_total{result=\"refused\"} "
	    "%llu\n", (unsigned long long)get(&c->radius_ok),
	    (unsigned long long)get(&c->radius_refused))) != VIGIL_OK ||
	    (e = vigil_buf_appendf(b, "# HELP vigil_collector_responses_total "
	    "Automatic responses, taken or held by the storm guard.\n"
	    "# TYPE vigil_collector_responses_total counter\n"
	    "vigil_collector_responses_total{result=\"taken\"} %llu\n"
	    "vigil_collector_responses_total{result=\"held\"} %llu\n",
	    (unsigned long long)get(&c->responses),
	    (unsigned long long)get(&c->held))) != VIGIL_OK)
		return e;
	if ((e = one(b, "vigil_collector_alerts_total", "counter",
	    "Detector firings recorded (deduplicated into open alerts).", "",
	    &c->alerts)) != VIGIL_OK ||
	    (e = one(b, "vigil_collector_alerts_opened_total", "counter",
	    "Firings that opened a new alert.", "", &c->alerts_new)) !=
	    VIGIL_OK ||
	    (e = one(b, "vigil_collector_shadow_total", "counter",
	    "Shadow-IoT observations recorded.", "", &c->shadow)) !=
	    VIGIL_OK ||
	    (e = one(b, "vigil_detect_entities", "gauge",
	    "Local endpoints the detection engine tracks now.", "",
	    &c->entities)) != VIGIL_OK)
		return e;
	return one(b, "vigil_detect_models", "gauge",
	    "Fleet baselines (tenant, model) the engine keeps.", "",
	    &c->models);
}

enum vigil_err
metrics_render(const struct metrics_shm *m, const struct metrics_extra *x,
    struct vigil_buf *out)
{
	enum vigil_err e = VIGIL_OK;

	if (m != NULL) {
		if ((e = render_requests(m, out)) == VIGIL_OK &&
		    (e = render_latency(m, out)) == VIGIL_OK &&
		    (e = render_conns(m, out)) == VIGIL_OK)
			e = render_store(m, out);
		if (e == VIGIL_OK)
			e = vigil_buf_appendf(out, "# HELP vigil_net_workers "
			    "Net worker processes.\n# TYPE vigil_net_workers "
			    "gauge\nvigil_net_workers %u\n", m->nworkers);
		if (e == VIGIL_OK)
			e = render_collector(m, out);
	}
	if (e == VIGIL_OK && x != NULL && x->have_audit)
		e = vigil_buf_appendf(out, "# HELP vigil_audit_chain_length "
		    "Entries in the audit log (sequence number of its head)."
		    "\n# TYPE vigil_audit_chain_length gauge\n"
		    "vigil_audit_chain_length %lld\n"
		    "# HELP vigil_audit_checkpoint_seq Sequence number of the "
		    "last signed audit checkpoint.\n"
		    "# TYPE vigil_audit_checkpoint_seq gauge\n"
		    "vigil_audit_checkpoint_seq %lld\n",
		    (long long)x->audit_chain_length,
		    (long long)x->audit_checkpoint_seq);
	return e;
}
