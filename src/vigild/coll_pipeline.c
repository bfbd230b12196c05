/*
 * coll_pipeline.c — the collector's pipeline (collector.h): decoded
 * flows and RADIUS sessions go to the detection engine; its hooks
 * attribute local addresses to devices (a small cache over
 * vigil_attribute), store alerts and shadow findings, and hand new
 * alerts to the outputs (coll_out.c) and the responses
 * (coll_respond.c).
 *
 * Choices worth knowing:
 * - The receive path never waits on the store for each new address
 *   (100k new devices a second would be 100k transactions, and the
 *   kernel drops what arrives meanwhile): shadow observations are
 *   merged per address in a bounded table, written in one transaction
 *   per 1 s tick (earlier when 3/4 full); alerts are queued in order
 *   and written in one transaction 100 ms after the first of a burst
 *   (or the tick, or when 1024 wait). Outputs and responses run after
 *   that write, with the stored id, in the order the detectors
 *   fired.
 * - Attribution asks the store (vigil_attribute), cached per address
 *   for 30 s of wall-clock time in a fixed table (direct-mapped, 4096
 *   slots: bounded memory, a collision only costs a store lookup). A
 *   RADIUS session event drops its address from the cache and has the
 *   engine ask again (vigil_detect_session), so a SIM taking an address
 *   is seen by the next flow; a binding or device changed through the
 *   API moves the store's attribution generation, polled every second,
 *   which empties the cache and has every entity ask again on its next
 *   flow. Unchanged, an entity asks once per attr_refresh_s. Beyond
 *   1000 store lookups in a second (a burst of new addresses: two
 *   probes each), a snapshot answers instead: the bindings and the
 *   addresses that have (or had) RADIUS sessions, reloaded every 5 s
 *   and before use when older than 1 s (the session set also updated
 *   at once by each accounting request). It answers in memory for an
 *   address with no session and no device binding (unknown, or the
 *   most specific tenant subnet, as vigil_attribute would); the others
 *   still ask the store. So under a burst a binding is at most ~1 s
 *   stale; an answer from the snapshot is not cached.
 * - Each firing is recorded (the store deduplicates into one open
 *   alert per entity and kind); the outputs get an alert when it is new
 *   or when its severity rose since we last sent it; the response runs
 *   once, when the alert is new.
 * - Detection works in flow time. The 1 s timer advances the engine's
 *   clock from the newest flow seen plus the wall time since, so quiet
 *   periods still close windows without jumping to a clock the
 *   exporters do not share.
 * - On reload a changed detection config builds a new engine (learned
 *   baselines restart: said in the log); unchanged, the engine is kept
 *   and only the intel lists are re-read. Outputs and responses are
 *   rebuilt when their keys changed. Anything invalid keeps the old.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "collector.h"
#include "log.h"
#include "vigil/alertdb.h"
#include "vigil/store.h"

#define ATTR_SLOTS 4096u
#define ATTR_TTL_MS 30000
#define SENT_SLOTS 1024u
#define DETECT_FILE_MAX (1u << 20)
#define INTEL_FILE_MAX (64u << 20)
/* Shadow observations merged per address between ticks; written early
 * when 3/4 full. */
#define SHADOW_SLOTS 32768u
#define SHADOW_FLUSH_AT ((size_t)SHADOW_SLOTS / 4 * 3)
/* Alerts queued; written ALERT_DELAY_MS after the first one was
 * queued (one transaction for a burst, an alert still out at once), or
 * at once when the queue is full. */
#define ALERT_QUEUE_MAX 1024u
#define ALERT_DELAY_MS 100
/* The attribution snapshot: reloaded this often; beyond these sizes it
 * is not kept (the store answers every miss, as before). */
#define SNAP_RELOAD_MS 5000
#define SNAP_FRESH_MS 1000
/* Attribution misses the store answers per second before the snapshot
 * takes over. */
#define ATTR_STORE_PER_S 1000u
#define SNAP_BINDINGS_MAX 1024u
#define SNAP_SESS_SLOTS 8192u    /* power of two; at most half used */
#define SNAP_SESS_LIST_MAX 1000u /* vigil_netsession_list's page */

struct attr_slot {
	bool used, found;
	uint8_t family;
	uint8_t addr[16];
	int64_t expires_ms;
	struct vigil_endpoint ep;
};

struct shadow_slot {
	bool used;
	struct vigil_shadow_obs o;
};

struct pending_alert {
	struct vigil_alert a;       /* evidence: our own copy */
	int64_t now_ms;
};

/* A binding as the snapshot keeps it. */
struct snap_net {
	struct vigil_cidr net;
	bool device;
	char tenant[VIGIL_UUID_STRLEN];
};

struct sess_slot {
	bool used;
	uint8_t family;
	uint8_t addr[16];
};

/* The severity we last sent an alert id with (escalations). */
struct sent_slot {
	int64_t id;
	int sev;
};

struct coll_pipeline {
	struct vigil_store *st;
	struct event_base *base;
	coll_epoch_fn epoch;
	void *epoch_ctx;

	struct vigil_detect *d;
	struct vigil_detect_config dcfg;
	char intel_files[CONFIG_STR_MAX];

	struct coll_out *out;
	char webhook[CONFIG_STR_MAX], syslog[CONFIG_STR_MAX];
	char webhook_ca[CONFIG_PATH_MAX];
	char stdout_on[8];

	struct coll_respond *resp;
	char response[CONFIG_STR_MAX];
	unsigned max_per_min;
	uint64_t taken_before, held_before; /* of replaced responders */

	struct attr_slot *attr;
	struct sent_slot sent[SENT_SLOTS];

	struct shadow_slot *shadow_buf;
	size_t nshadow_buf;
	struct pending_alert *alert_q;
	size_t nalert_q;
	struct event *alert_ev;     /* the delayed write; NULL: tick only */

	/* Attribution snapshot; snap_ok false: ask the store. */
	bool snap_ok, snap_warned;
	int64_t snap_ms;
	struct snap_net *nets;
	size_t nnets;
	struct sess_slot *sess;
	size_t nsess;
	int64_t lookup_sec;     /* wall second of the lookups count */
	unsigned lookups;       /* store lookups in that second */

	int64_t last_flow_ms, last_flow_wall;
	uint64_t flows, sessions, alerts, alerts_new, shadow;
	int64_t attr_gen;       /* vigil_attribution_generation; 0 unread */
};

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads a whole regular file of at most max bytes (NUL-terminated);
 * err names the file and the problem. */
static int
slurp(const char *path, size_t max, char **buf, size_t *len, char *err,
    size_t errsize)
{
	struct stat sb;
	char *b;
	size_t n = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)sb.st_size > max) {
		snprintf(err, errsize, "%s: %lld bytes, more than the %zu "
		    "allowed", path, (long long)sb.st_size, max);
		close(fd);
		return -1;
	}
	if ((b = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	/* The size may change while we read: never past what we have. */
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, b + n, (size_t)sb.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsize, "%s: %s", path,
			    strerror(errno));
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int
load_detect_config(const char *path, struct vigil_detect_config *c,
    char *err, size_t errsize)
{
	char *text, e2[256];
	size_t len;
	enum vigil_err e;

	memset(c, 0, sizeof *c);
	vigil_detect_config_defaults(c);
	if (path[0] == '\0')
		return 0;
	if (slurp(path, DETECT_FILE_MAX, &text, &len, err, errsize) != 0)
		return -1;
	e = vigil_detect_config_load(c, text, len, e2, sizeof e2);
	free(text);
	if (e != VIGIL_OK) {
		snprintf(err, errsize, "detect_config %s: %s", path, e2);
		return -1;
	}
	return 0;
}

/* Calls fn for each path of a comma-separated list (trimmed, empty
 * entries skipped); stops at the first non-zero return. */
static int
each_path(const char *list, int (*fn)(void *, const char *), void *ctx)
{
	char buf[CONFIG_STR_MAX];
	char *p, *save = NULL;

	snprintf(buf, sizeof buf, "%s", list);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		char *e;
		int rc;

		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p == '\0')
			continue;
		if ((rc = fn(ctx, p)) != 0)
			return rc;
	}
	return 0;
}

struct intel_ctx {
	struct vigil_detect *d;
	char *err;
	size_t errsize;
	const char *keep;   /* for unload: the new list */
};

static int
intel_load_one(void *arg, const char *path)
{
	struct intel_ctx *c = arg;
	char *text, e2[256];
	size_t len, n = 0;
	enum vigil_err e;

	if (slurp(path, INTEL_FILE_MAX, &text, &len, c->err, c->errsize) !=
	    0)
		return -1;
	e = vigil_detect_intel_load(c->d, path, text, len, &n, e2,
	    sizeof e2);
	free(text);
	if (e != VIGIL_OK) {
		snprintf(c->err, c->errsize, "intel file %s: %s", path, e2);
		return -1;
	}
	vlog(VLOG_INFO, "detect.intel", "%s: %zu entries", path, n);
	return 0;
}

static int
path_is(void *arg, const char *path)
{
	return strcmp(arg, path) == 0;
}

/* A list that is no longer configured is emptied (the engine keeps
 * lists by name and has no unload). */
static int
intel_unload_one(void *arg, const char *path)
{
	struct intel_ctx *c = arg;
	char e2[256];
	size_t n;

	if (each_path(c->keep, path_is, (void *)path) != 0)
		return 0;
	(void)vigil_detect_intel_load(c->d, path, "", 0, &n, e2, sizeof e2);
	vlog(VLOG_INFO, "detect.intel", "%s: no longer loaded", path);
	return 0;
}

/* ------------------------------------------------------------------ */
/* hooks */

static uint32_t
addr_hash(uint8_t family, const uint8_t addr[16])
{
	uint32_t h = 2166136261u ^ family;

	for (size_t i = 0; i < 16; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}
	return h;
}

static struct attr_slot *
attr_slot(struct coll_pipeline *p, uint8_t family, const uint8_t addr[16])
{
	return &p->attr[addr_hash(family, addr) % ATTR_SLOTS];
}

static void
attr_forget(struct coll_pipeline *p, uint8_t family, const uint8_t addr[16])
{
	struct attr_slot *s = attr_slot(p, family, addr);

	if (s->used && s->family == family && memcmp(s->addr, addr, 16) == 0)
		s->used = false;
}

/* ---- the attribution snapshot */

static struct sess_slot *
sess_find(struct coll_pipeline *p, uint8_t family, const uint8_t addr[16])
{
	uint32_t i = addr_hash(family, addr) & (SNAP_SESS_SLOTS - 1);

	for (uint32_t n = 0; n < SNAP_SESS_SLOTS; n++) {
		struct sess_slot *s = &p->sess[i];

		if (!s->used || (s->family == family &&
		    memcmp(s->addr, addr, 16) == 0))
			return s;
		i = (i + 1) & (SNAP_SESS_SLOTS - 1);
	}
	return NULL;
}

/* Adds an address that has (or had) a session; a set too full to stay
 * fast invalidates the snapshot until the next reload. */
static void
sess_add(struct coll_pipeline *p, uint8_t family, const uint8_t addr[16])
{
	struct sess_slot *s;

	if (!p->snap_ok)
		return;
	if ((s = sess_find(p, family, addr)) == NULL) {
		p->snap_ok = false;
		return;
	}
	if (s->used)
		return;
	if (p->nsess >= SNAP_SESS_SLOTS / 2) {
		p->snap_ok = false;
		return;
	}
	s->used = true;
	s->family = family;
	memcpy(s->addr, addr, 16);
	p->nsess++;
}

/* Reads a textual address into the 16-byte form the engine uses. */
static bool
parse_addr(const char *text, uint8_t *family, uint8_t addr[16])
{
	struct vigil_cidr c;

	if (text == NULL || !vigil_cidr_parse(text, &c))
		return false;
	if ((c.family == 4 && c.prefix != 32) ||
	    (c.family == 6 && c.prefix != 128))
		return false;
	*family = c.family;
	memcpy(addr, c.addr, 16);
	return true;
}

/* Reloads bindings and session addresses; on any failure or when they
 * do not fit, the snapshot is off (every miss asks the store). */
static void
snap_reload(struct coll_pipeline *p, int64_t now)
{
	json_t *bj = NULL, *sj = NULL, *v;
	const json_t *arr;
	char err[256];
	size_t i;

	p->snap_ms = now;
	p->snap_ok = false;
	p->nnets = 0;
	p->nsess = 0;
	memset(p->sess, 0, SNAP_SESS_SLOTS * sizeof *p->sess);
	if (vigil_netbinding_list(p->st, NULL, &bj, err, sizeof err) !=
	    VIGIL_OK ||
	    vigil_netsession_list(p->st, NULL, true, &sj, err, sizeof err) !=
	    VIGIL_OK) {
		/* Once per failing streak, not every 5 s. */
		if (!p->snap_warned)
			vlog(VLOG_WARN, "collector.attribute", "snapshot not "
			    "loaded (the store answers): %s", err);
		p->snap_warned = true;
		goto out;
	}
	p->snap_warned = false;
	arr = json_object_get(bj, "bindings");
	if (json_array_size(arr) > SNAP_BINDINGS_MAX)
		goto out;
	json_array_foreach(arr, i, v) {
		struct snap_net *n = &p->nets[p->nnets];

		if (!vigil_cidr_parse(json_string_value(json_object_get(v,
		    "cidr")), &n->net))
			goto out;
		n->device = json_object_get(v, "device") != NULL;
		snprintf(n->tenant, sizeof n->tenant, "%s",
		    json_string_value(json_object_get(v, "tenant")) ?
		    json_string_value(json_object_get(v, "tenant")) : "");
		p->nnets++;
	}
	arr = json_object_get(sj, "sessions");
	/* A full page may not be all of them: not a complete set. */
	if (json_array_size(arr) >= SNAP_SESS_LIST_MAX)
		goto out;
	p->snap_ok = true;
	json_array_foreach(arr, i, v) {
		uint8_t fam, a[16] = { 0 };

		if (!parse_addr(json_string_value(json_object_get(v, "ip")),
		    &fam, a))
			continue; /* no address: attributes nothing */
		sess_add(p, fam, a);
	}
out:
	json_decref(bj);
	json_decref(sj);
}

/*
 * Answers from the snapshot when it can: 1 or 0 as vigil_attribute
 * would, or -1 when the store must answer (a session or a device
 * binding may own the address). The tenant subnet is the most specific
 * one, ties to the lowest tenant id, as the store orders them.
 */
static int
snap_attribute(struct coll_pipeline *p, uint8_t family,
    const uint8_t addr[16], struct vigil_endpoint *out)
{
	const struct snap_net *best = NULL;
	const struct sess_slot *s;

	if (!p->snap_ok)
		return -1;
	if ((s = sess_find(p, family, addr)) == NULL || s->used)
		return -1;
	for (size_t i = 0; i < p->nnets; i++) {
		const struct snap_net *n = &p->nets[i];

		if (!vigil_cidr_contains(&n->net, family, addr))
			continue;
		if (n->device)
			return -1;
		if (best == NULL || n->net.prefix > best->net.prefix ||
		    (n->net.prefix == best->net.prefix &&
		    strcmp(n->tenant, best->tenant) < 0))
			best = n;
	}
	memset(out, 0, sizeof *out);
	if (best == NULL)
		return 0;
	snprintf(out->tenant, sizeof out->tenant, "%s", best->tenant);
	snprintf(out->via, sizeof out->via, "subnet");
	return 1;
}

/* Whether this second's store lookups are used up (a burst of new
 * addresses): then the snapshot answers, reloaded first when older
 * than SNAP_FRESH_MS. */
static bool
store_busy(struct coll_pipeline *p, int64_t now)
{
	int64_t sec = now / 1000;

	if (sec != p->lookup_sec) {
		p->lookup_sec = sec;
		p->lookups = 0;
	}
	if (p->lookups < ATTR_STORE_PER_S) {
		p->lookups++;
		return false;
	}
	if (now - p->snap_ms >= SNAP_FRESH_MS || now < p->snap_ms)
		snap_reload(p, now);
	return p->snap_ok;
}

static int
hook_attribute(void *ctx, uint8_t family, const uint8_t addr[16],
    int64_t ts_ms, struct vigil_endpoint *out)
{
	struct coll_pipeline *p = ctx;
	struct attr_slot *s = attr_slot(p, family, addr);
	int64_t now = wall_ms();
	int rc;

	if (s->used && s->family == family &&
	    memcmp(s->addr, addr, 16) == 0 && now < s->expires_ms) {
		if (s->found)
			*out = s->ep;
		return s->found ? 1 : 0;
	}
	/* Not cached on purpose: once the burst is over, the store gives
	 * the exact answer. */
	if (store_busy(p, now) &&
	    (rc = snap_attribute(p, family, addr, out)) >= 0)
		return rc;
	memset(out, 0, sizeof *out);
	rc = vigil_attribute(p->st, family, addr, ts_ms, out);
	if (rc < 0) {
		char a[VIGIL_FLOW_IP_STRLEN];

		/* Not cached: the next flow asks again. */
		vigil_flow_addr_str(family, addr, a);
		vlog(VLOG_WARN, "collector.attribute", "%s: %s: %s", a,
		    vigil_strerror((enum vigil_err)-rc),
		    vigil_store_errmsg(p->st));
		return 0;
	}
	s->used = true;
	s->found = rc == 1;
	s->family = family;
	memcpy(s->addr, addr, 16);
	s->expires_ms = now + ATTR_TTL_MS;
	if (s->found)
		s->ep = *out;
	return s->found ? 1 : 0;
}

/* The engine's attribute_prefetch: the cached answer's slot, all of
 * it (the cache has one level, so step 1 has nothing to add). A miss
 * there still asks the store, which no prefetch helps. */
static void
hook_attribute_prefetch(void *ctx, uint8_t family, const uint8_t addr[16],
    int step)
{
	const char *s;

	if (step != 0)
		return;
	s = (const char *)attr_slot(ctx, family, addr);
	for (size_t o = 0; o < sizeof(struct attr_slot); o += 64)
		__builtin_prefetch(s + o);
	__builtin_prefetch(s + sizeof(struct attr_slot) - 1);
}

static int
sev_rank(const char *name)
{
	return name != NULL ? (int)vigil_alert_sev_from_name(name) : 0;
}

/* Whether an alert that is not new goes to the outputs again: only when
 * its severity rose above what we sent. */
static bool
escalated(struct coll_pipeline *p, int64_t id, int sev, bool is_new)
{
	struct sent_slot *s = &p->sent[(uint64_t)id % SENT_SLOTS];

	if (is_new || s->id != id) {
		s->id = id;
		s->sev = sev;
		return is_new;
	}
	if (sev > s->sev) {
		s->sev = sev;
		return true;
	}
	return false;
}

/* ---- alerts and shadow findings, written once per tick */

/* What happens after an alert was stored: the log line of a new one,
 * the outputs (new or escalated), the response (new). */
static void
alert_after(struct coll_pipeline *p, const struct vigil_alert *a,
    int64_t now, json_t *j)
{
	int64_t id = json_integer_value(json_object_get(j, "id"));
	bool is_new = json_is_true(json_object_get(j, "new"));

	if (is_new) {
		char addr[VIGIL_FLOW_IP_STRLEN];

		p->alerts_new++;
		vigil_flow_addr_str(a->family, a->addr, addr);
		vlog(VLOG_WARN, "alert.new", "alert %" PRId64 " %s (%s) "
		    "%s%s%s: %s", id, vigil_alert_kind_name(a->kind),
		    vigil_alert_sev_name(a->severity), addr,
		    a->who.device ? " device " : "",
		    a->who.device ? a->who.device_id : "", a->summary);
	}
	if (escalated(p, id, sev_rank(json_string_value(json_object_get(j,
	    "severity"))), is_new))
		coll_out_alert(p->out, j);
	if (is_new)
		coll_respond_alert(p->resp, a, id, now);
}

/* Stores the queued alerts in one transaction (each record is its own
 * savepoint inside it), then runs what follows each, in order. Without
 * the outer transaction (begin failed) each record commits alone. */
static void
flush_alerts(struct coll_pipeline *p)
{
	json_t *done[ALERT_QUEUE_MAX];
	size_t n = p->nalert_q;
	bool tx;

	if (n == 0)
		return;
	tx = vigil_store_begin(p->st) == VIGIL_OK;
	for (size_t i = 0; i < n; i++) {
		struct pending_alert *q = &p->alert_q[i];
		char err[256];
		enum vigil_err e;

		done[i] = NULL;
		e = vigil_alert_record(p->st, &q->a, q->now_ms, &done[i], err,
		    sizeof err);
		if (e != VIGIL_OK || done[i] == NULL) {
			vlog(VLOG_ERROR, "alert.record", "%s alert not "
			    "stored: %s", vigil_alert_kind_name(q->a.kind),
			    e != VIGIL_OK ? err : "no rendering");
			json_decref(done[i]);
			done[i] = NULL;
		}
	}
	if (tx && vigil_store_commit(p->st) != VIGIL_OK) {
		vlog(VLOG_ERROR, "alert.record", "%zu alerts not stored: %s",
		    n, vigil_store_errmsg(p->st));
		(void)vigil_store_rollback(p->st);
		for (size_t i = 0; i < n; i++) {
			json_decref(done[i]);
			done[i] = NULL;
		}
	}
	/* Reset first: a response may not feed the queue, but be safe. */
	p->nalert_q = 0;
	for (size_t i = 0; i < n; i++) {
		struct pending_alert *q = &p->alert_q[i];

		if (done[i] != NULL)
			alert_after(p, &q->a, q->now_ms, done[i]);
		json_decref(done[i]);
		json_decref(q->a.evidence);
		q->a.evidence = NULL;
	}
}

static void
alert_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_alerts(arg);
}

static void
hook_alert(void *ctx, const struct vigil_alert *a)
{
	struct coll_pipeline *p = ctx;
	struct pending_alert *q;

	p->alerts++;
	if (p->nalert_q >= ALERT_QUEUE_MAX)
		flush_alerts(p);
	q = &p->alert_q[p->nalert_q];
	q->a = *a;
	/* The engine's evidence is borrowed for this call only. */
	q->a.evidence = NULL;
	if (a->evidence != NULL &&
	    (q->a.evidence = json_deep_copy(a->evidence)) == NULL) {
		vlog(VLOG_ERROR, "alert.record", "%s alert not stored: out "
		    "of memory", vigil_alert_kind_name(a->kind));
		return;
	}
	q->now_ms = wall_ms();
	p->nalert_q++;
	if (p->alert_ev != NULL && !evtimer_pending(p->alert_ev, NULL)) {
		struct timeval tv = { 0, (long)ALERT_DELAY_MS * 1000 };

		(void)evtimer_add(p->alert_ev, &tv);
	}
}

/* Writes the merged shadow observations in one transaction. */
static void
flush_shadow(struct coll_pipeline *p)
{
	int64_t now = wall_ms();
	size_t failed = 0;
	char err[256] = "";
	bool tx;

	if (p->nshadow_buf == 0)
		return;
	tx = vigil_store_begin(p->st) == VIGIL_OK;
	for (size_t i = 0; i < SHADOW_SLOTS; i++) {
		struct shadow_slot *s = &p->shadow_buf[i];

		if (!s->used)
			continue;
		if (vigil_shadow_record(p->st, &s->o, now, err, sizeof err) !=
		    VIGIL_OK)
			failed++;
		s->used = false;
	}
	if (failed > 0)
		vlog(VLOG_ERROR, "shadow.record", "%zu of %zu findings not "
		    "stored: %s", failed, p->nshadow_buf, err);
	if (tx && vigil_store_commit(p->st) != VIGIL_OK) {
		vlog(VLOG_ERROR, "shadow.record", "%zu findings not stored: "
		    "%s", p->nshadow_buf, vigil_store_errmsg(p->st));
		(void)vigil_store_rollback(p->st);
	}
	p->nshadow_buf = 0;
}

/* Merges as the store does (first the earliest, last the latest,
 * totals the largest: the engine reports running totals); ports and
 * protocols from the newest report. */
static void
shadow_merge(struct vigil_shadow_obs *o, const struct vigil_shadow_obs *n)
{
	int64_t first = o->first_ms, last = o->last_ms;
	uint64_t flows = o->flows, bytes = o->bytes;
	uint32_t peers = o->peers;

	*o = *n;
	if (first > 0 && (o->first_ms == 0 || first < o->first_ms))
		o->first_ms = first;
	if (last > o->last_ms)
		o->last_ms = last;
	if (flows > o->flows)
		o->flows = flows;
	if (bytes > o->bytes)
		o->bytes = bytes;
	if (peers > o->peers)
		o->peers = peers;
}

static void
hook_shadow(void *ctx, const struct vigil_shadow_obs *o)
{
	struct coll_pipeline *p = ctx;
	uint32_t i;

	p->shadow++;
	if (p->nshadow_buf >= SHADOW_FLUSH_AT)
		flush_shadow(p);
	i = addr_hash(o->family, o->addr) & (SHADOW_SLOTS - 1);
	for (;;) {
		struct shadow_slot *s = &p->shadow_buf[i];

		if (!s->used) {
			s->used = true;
			s->o = *o;
			p->nshadow_buf++;
			return;
		}
		if (s->o.family == o->family &&
		    memcmp(s->o.addr, o->addr, 16) == 0 &&
		    strcmp(s->o.tenant, o->tenant) == 0) {
			shadow_merge(&s->o, o);
			return;
		}
		/* At most 3/4 full: an empty slot is always ahead. */
		i = (i + 1) & (SHADOW_SLOTS - 1);
	}
}

static int
build_engine(struct coll_pipeline *p, const struct vigil_detect_config *c,
    const char *intel, struct vigil_detect **out, char *err, size_t errsize)
{
	struct vigil_detect_hooks h = {
		.ctx = p,
		.attribute = hook_attribute,
		.attribute_prefetch = hook_attribute_prefetch,
		.alert = hook_alert,
		.shadow = hook_shadow,
	};
	struct intel_ctx ic = { .err = err, .errsize = errsize };
	enum vigil_err e;

	*out = NULL;
	if ((e = vigil_detect_new(c, &h, &ic.d)) != VIGIL_OK) {
		snprintf(err, errsize, "detection engine: %s",
		    vigil_strerror(e));
		return -1;
	}
	if (each_path(intel, intel_load_one, &ic) != 0) {
		vigil_detect_free(ic.d);
		return -1;
	}
	*out = ic.d;
	return 0;
}

/* ------------------------------------------------------------------ */

static bool
out_changed(const struct coll_pipeline *p, const struct vigild_config *cfg)
{
	return strcmp(p->webhook, cfg->alert_webhook) != 0 ||
	    strcmp(p->webhook_ca, cfg->alert_webhook_ca) != 0 ||
	    strcmp(p->syslog, cfg->alert_syslog) != 0 ||
	    strcmp(p->stdout_on, cfg->alert_stdout) != 0;
}

static bool
resp_changed(const struct coll_pipeline *p, const struct vigild_config *cfg)
{
	return strcmp(p->response, cfg->response) != 0 ||
	    p->max_per_min != cfg->response_max_per_min;
}

static void
remember(struct coll_pipeline *p, const struct vigild_config *cfg)
{
	snprintf(p->intel_files, sizeof p->intel_files, "%s",
	    cfg->intel_files);
	snprintf(p->webhook, sizeof p->webhook, "%s", cfg->alert_webhook);
	snprintf(p->webhook_ca, sizeof p->webhook_ca, "%s",
	    cfg->alert_webhook_ca);
	snprintf(p->syslog, sizeof p->syslog, "%s", cfg->alert_syslog);
	snprintf(p->stdout_on, sizeof p->stdout_on, "%s", cfg->alert_stdout);
	snprintf(p->response, sizeof p->response, "%s", cfg->response);
	p->max_per_min = cfg->response_max_per_min;
}

/* Compared through their renderings: every key, no padding. */
static bool
same_detect_config(const struct vigil_detect_config *a,
    const struct vigil_detect_config *b)
{
	json_t *ja = vigil_detect_config_to_json(a);
	json_t *jb = vigil_detect_config_to_json(b);
	bool same = ja != NULL && jb != NULL && json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return same;
}

struct coll_pipeline *
coll_pipeline_new(struct vigil_store *st, struct event_base *base,
    const struct vigild_config *cfg, coll_epoch_fn epoch, void *epoch_ctx,
    char *err, size_t errsize)
{
	struct coll_pipeline *p;

	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->attr = calloc(ATTR_SLOTS, sizeof *p->attr)) == NULL ||
	    (p->shadow_buf = calloc(SHADOW_SLOTS, sizeof *p->shadow_buf)) ==
	    NULL ||
	    (p->alert_q = calloc(ALERT_QUEUE_MAX, sizeof *p->alert_q)) ==
	    NULL ||
	    (p->nets = calloc(SNAP_BINDINGS_MAX, sizeof *p->nets)) == NULL ||
	    (p->sess = calloc(SNAP_SESS_SLOTS, sizeof *p->sess)) == NULL) {
		if (p != NULL) {
			free(p->attr);
			free(p->shadow_buf);
			free(p->alert_q);
			free(p->nets);
		}
		free(p);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	p->st = st;
	p->base = base;
	/* Without it alerts wait for the tick. */
	if (base != NULL)
		p->alert_ev = evtimer_new(base, alert_timer_cb, p);
	p->epoch = epoch;
	p->epoch_ctx = epoch_ctx;
	if (load_detect_config(cfg->detect_config, &p->dcfg, err, errsize) !=
	    0 ||
	    build_engine(p, &p->dcfg, cfg->intel_files, &p->d, err,
	    errsize) != 0 ||
	    (p->out = coll_out_new(base, cfg, err, errsize)) == NULL ||
	    (p->resp = coll_respond_new(st, cfg->response,
	    cfg->response_max_per_min, epoch, epoch_ctx, err, errsize)) ==
	    NULL) {
		coll_pipeline_free(p);
		return NULL;
	}
	remember(p, cfg);
	snap_reload(p, wall_ms());
	return p;
}

void
coll_pipeline_free(struct coll_pipeline *p)
{
	if (p == NULL)
		return;
	/* What the last tick did not write (a half-built pipeline has
	 * nothing queued). */
	if (p->out != NULL && p->resp != NULL) {
		flush_shadow(p);
		flush_alerts(p);
	}
	for (size_t i = 0; i < p->nalert_q; i++)
		json_decref(p->alert_q[i].a.evidence);
	if (p->alert_ev != NULL)
		event_free(p->alert_ev);
	vigil_detect_free(p->d);
	coll_out_free(p->out);
	coll_respond_free(p->resp);
	free(p->attr);
	free(p->shadow_buf);
	free(p->alert_q);
	free(p->nets);
	free(p->sess);
	free(p);
}

int
coll_pipeline_reconfigure(struct coll_pipeline *p,
    const struct vigild_config *cfg, char *err, size_t errsize)
{
	struct vigil_detect_config c;
	struct vigil_detect *nd = NULL;
	struct coll_out *no = NULL;
	struct coll_respond *nr = NULL;
	bool new_engine;

	/* Build everything that changed first; swap only if all built. */
	if (load_detect_config(cfg->detect_config, &c, err, errsize) != 0)
		return -1;
	new_engine = !same_detect_config(&c, &p->dcfg);
	if (new_engine &&
	    build_engine(p, &c, cfg->intel_files, &nd, err, errsize) != 0)
		return -1;
	if (out_changed(p, cfg) &&
	    (no = coll_out_new(p->base, cfg, err, errsize)) == NULL)
		goto fail;
	if (resp_changed(p, cfg) &&
	    (nr = coll_respond_new(p->st, cfg->response,
	    cfg->response_max_per_min, p->epoch, p->epoch_ctx, err,
	    errsize)) == NULL)
		goto fail;
	if (nd != NULL) {
		vigil_detect_free(p->d);
		p->d = nd;
		p->dcfg = c;
		vlog(VLOG_WARN, "detect.reload", "detection settings changed: "
		    "a new engine starts (learned baselines restart)");
	}
	if (no != NULL) {
		coll_out_free(p->out);
		p->out = no;
	}
	if (nr != NULL) {
		uint64_t t, h;

		coll_respond_counts(p->resp, &t, &h);
		p->taken_before += t;
		p->held_before += h;
		coll_respond_free(p->resp);
		p->resp = nr;
	}
	if (!new_engine) {
		struct intel_ctx ic = { .d = p->d, .err = err,
		    .errsize = errsize, .keep = cfg->intel_files };
		char old[CONFIG_STR_MAX];

		snprintf(old, sizeof old, "%s", p->intel_files);
		(void)each_path(old, intel_unload_one, &ic);
		if (each_path(cfg->intel_files, intel_load_one, &ic) != 0) {
			/* The other changes stand; the failed list stays as
			 * it was. */
			remember(p, cfg);
			return -1;
		}
	}
	remember(p, cfg);
	return 0;
fail:
	vigil_detect_free(nd);
	coll_out_free(no);
	return -1;
}

void
coll_pipeline_flows(struct coll_pipeline *p, const struct vigil_flow *f,
    size_t n)
{
	int64_t newest;

	if (p == NULL || f == NULL || n == 0)
		return;
	p->flows += n;
	newest = p->last_flow_ms;
	/* Flow time: the newest end seen, and the wall clock when it was
	 * seen (the tick moves flow time on from there). */
	for (size_t i = 0; i < n; i++)
		if (f[i].end_ms > newest)
			newest = f[i].end_ms;
	if (newest > p->last_flow_ms) {
		p->last_flow_ms = newest;
		p->last_flow_wall = wall_ms();
	}
	vigil_detect_flows(p->d, f, n);
}

void
coll_pipeline_flow(struct coll_pipeline *p, const struct vigil_flow *f)
{
	coll_pipeline_flows(p, f, 1);
}

void
coll_pipeline_session(struct coll_pipeline *p,
    const struct vigil_radius_acct *r)
{
	struct vigil_session_check chk;
	struct vigil_sim_info sim;
	const char *allowed[8];
	int64_t now = wall_ms();
	char err[256];
	enum vigil_err e;

	if (p == NULL || r == NULL)
		return;
	p->sessions++;
	e = vigil_netsession_apply(p->st, r, now, NULL, err, sizeof err);
	if (e != VIGIL_OK)
		vlog(VLOG_ERROR, "radius.session", "session %s not applied: "
		    "%s", r->session_id, err);
	/* The address may have a new owner from now on. */
	if (r->has_framed_ip) {
		uint8_t a[16] = { 0 };

		memcpy(a, r->framed_ip, 4);
		attr_forget(p, 4, a);
		sess_add(p, 4, a);
	}
	memset(&chk, 0, sizeof chk);
	memset(&sim, 0, sizeof sim);
	chk.acct = r;
	chk.ts_ms = now;
	if (r->imsi[0] != '\0' &&
	    (e = vigil_sim_lookup(p->st, r->imsi, &sim)) == VIGIL_OK) {
		chk.sim_known = true;
		chk.who = sim.who;
		snprintf(chk.expected_imei, sizeof chk.expected_imei, "%s",
		    sim.imei);
		for (size_t i = 0; i < sim.nallowed && i < 8; i++)
			allowed[i] = sim.allowed[i];
		chk.nallowed = sim.nallowed < 8 ? sim.nallowed : 8;
		chk.allowed_mcc_mnc = allowed;
	} else if (r->imsi[0] != '\0' && e != VIGIL_ENOTFOUND) {
		vlog(VLOG_WARN, "radius.session", "SIM lookup failed: %s",
		    vigil_store_errmsg(p->st));
	}
	vigil_detect_session(p->d, &chk);
}

/* Once a second: did a binding or a device change in the store (the
 * API, another node)? Then every address may have a new owner: the
 * cache forgets all and the engine asks again on each entity's next
 * flow, so the change is seen within about a second instead of at the
 * engine's periodic re-ask (attr_refresh_s). Sessions need no poll:
 * they come through us (coll_pipeline_session). */
static void
attr_gen_check(struct coll_pipeline *p)
{
	int64_t gen = 0;

	if (vigil_attribution_generation(p->st, &gen) != VIGIL_OK)
		return;             /* the next tick tries again */
	if (p->attr_gen != 0 && gen != p->attr_gen) {
		memset(p->attr, 0, ATTR_SLOTS * sizeof *p->attr);
		/* The snapshot too (reloaded right after this), so no
		 * entity asking again gets an answer from before. */
		p->snap_ms = 0;
		vigil_detect_reattribute_all(p->d);
		vlog(VLOG_DEBUG, "collector.attribute", "bindings or devices "
		    "changed (generation %lld): attributing again",
		    (long long)gen);
	}
	p->attr_gen = gen;
}

void
coll_pipeline_tick(struct coll_pipeline *p, int64_t now_ms)
{
	if (p == NULL)
		return;
	if (p->last_flow_wall != 0) {
		/* Flow time moves with the wall clock since the newest
		 * flow. */
		if (now_ms > p->last_flow_wall)
			vigil_detect_tick(p->d,
			    p->last_flow_ms + (now_ms - p->last_flow_wall));
		else
			vigil_detect_tick(p->d, p->last_flow_ms);
	}
	/* After the engine's tick: what its windows fired goes too. */
	flush_shadow(p);
	flush_alerts(p);
	attr_gen_check(p);
	if (now_ms - p->snap_ms >= SNAP_RELOAD_MS || now_ms < p->snap_ms)
		snap_reload(p, now_ms);
}

void
coll_pipeline_stats(const struct coll_pipeline *p, struct coll_stats *out)
{
	uint64_t t = 0, h = 0;

	memset(out, 0, sizeof *out);
	if (p == NULL)
		return;
	/* Reader counters and radius_bad / udp_drops are the collector's
	 * (it owns the readers and sockets); we know what reached us. */
	out->flows.records = p->flows;
	out->radius_ok = p->sessions;
	out->alerts = p->alerts;
	out->alerts_new = p->alerts_new;
	out->shadow = p->shadow;
	coll_respond_counts(p->resp, &t, &h);
	out->responses = p->taken_before + t;
	out->held = p->held_before + h;
	{
		struct vigil_detect_stats ds;

		vigil_detect_stats(p->d, &ds);
		out->entities = ds.entities;
		out->models = ds.models;
	}
}
