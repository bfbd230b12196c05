/*
 * bench_pdp [DEVICES] [CASBIN_JS] — zero-trust decisions per second.
 *
 * A store with DEVICES devices (default 100,000) at 900 sites (label
 * site=sNNN; each site runs one of 100 models) and 1,000 policies of 10
 * statements (10,000 statements): one per model, attached to the model,
 * one per site, attached to the label selector. Every statement scopes
 * its topics to the device with ${device.id}; half carry a condition
 * (vigil:Quarantined false); each policy has one Deny that overrides
 * one of its Allows. The requests are MQTT publish / receive / subscribe
 * decisions that are allowed, denied by default (another device's
 * topic, another site's, the wrong action) or denied explicitly.
 *
 * Timed on one core, warm: vigil_zt_decide (the decision service as
 * the broker plugin's socket uses it: device facts and compiled sets
 * cached) and vigil_pdp_decide alone (a compiled set per site), median
 * of 3 runs of at least a second. The peer is node-casbin
 * (bench/bench_pdp_casbin.js) with the same policies as an ABAC model:
 * keyMatch on the topics with the device id substituted, the device's
 * model, site and quarantine flag as request attributes, deny
 * overrides. It decides a sample of the same requests, and reports how
 * many agree with vigil's decisions. Prints
 *   bench_pdp: vigil X decisions/s, casbin Y decisions/s, ratio R
 * (goal R >= 50; vigil = vigil_zt_decide). When node or casbin is
 * missing (npm ci --prefix bench/casbin), the casbin part says so and
 * the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil/vigil.h"
#include "vigil/policy.h"
#include "vigil/policydb.h"
#include "vigil/registry.h"
#include "vigil/zt.h"

#define MODELS 100
#define SITES 900
#define STATEMENTS 10
#define NREQ 200000u
#define SAMPLE_DEFAULT 300u
#define TOPIC_MAX 96

enum kind { K_MODEL = 0, K_SITE = 1 };

struct request {
	unsigned dev;
	int act; /* 0 Publish, 1 Receive, 2 Subscribe */
	char resource[TOPIC_MAX + 16];
	const char *topic; /* resource without its type prefix */
};

static const char *const actions[] = { "mqtt:Publish", "mqtt:Receive",
	"mqtt:Subscribe" };

static char (*ids)[VIGIL_UUID_STRLEN];
static unsigned ndev;
static struct request *reqs;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_pdp: %s: %s\n", what, msg);
	exit(1);
}

/* xorshift64*: deterministic, so every run asks the same questions. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static unsigned
dev_site(unsigned i)
{
	return i % SITES;
}

static unsigned
site_model(unsigned s)
{
	return s % MODELS;
}

/* The topic prefix of a model or site policy: "m07", "s123". */
static void
prefix(enum kind k, unsigned idx, char *buf, size_t size)
{
	snprintf(buf, size, k == K_MODEL ? "m%02u" : "s%03u", idx);
}

/*
 * Statement s of a policy: Allows 0..8 on <prefix>/<id>/k<s>/# for
 * action s % 3 (odd ones only while not quarantined); 9 denies Publish
 * on <prefix>/<id>/k0/secret/#, inside Allow 0.
 */
static int
stmt_action(unsigned s)
{
	return s == STATEMENTS - 1 ? 0 : (int)(s % 3);
}

static void
stmt_topic(enum kind k, unsigned idx, unsigned s, const char *id, char *buf,
    size_t size)
{
	char p[8];

	prefix(k, idx, p, sizeof p);
	if (s == STATEMENTS - 1)
		snprintf(buf, size, "%s/%s/k0/secret/", p, id);
	else
		snprintf(buf, size, "%s/%s/k%u/", p, id, s);
}

static void
policy_doc(struct vigil_buf *b, enum kind k, unsigned idx)
{
	char topic[TOPIC_MAX];

	vigil_buf_reset(b);
	vigil_buf_appendf(b, "{\"Version\":\"2026-11-01\",\"Statement\":[");
	for (unsigned s = 0; s < STATEMENTS; s++) {
		int a = stmt_action(s);

		stmt_topic(k, idx, s, "${device.id}", topic, sizeof topic);
		vigil_buf_appendf(b, "%s{\"Sid\":\"s%u\",\"Effect\":\"%s\","
		    "\"Action\":\"%s\",\"Resource\":\"%s%s#\"", s ? "," : "",
		    s, s == STATEMENTS - 1 ? "Deny" : "Allow", actions[a],
		    a == 2 ? "topicfilter:" : "topic:", topic);
		if (s % 2 == 1 && s != STATEMENTS - 1)
			vigil_buf_appendf(b, ",\"Condition\":{\"Bool\":"
			    "{\"vigil:Quarantined\":\"false\"}}");
		vigil_buf_appendf(b, "}");
	}
	if (vigil_buf_appendf(b, "]}") != VIGIL_OK)
		die("policy", "out of memory");
}

/* The casbin rows of the same policy (bench_pdp_casbin.js reads them):
 * p, att, val, act, obj pattern ({id} = the device id), cond, eft. */
static void
policy_csv(FILE *f, enum kind k, unsigned idx)
{
	char topic[TOPIC_MAX], val[8];

	snprintf(val, sizeof val, k == K_MODEL ? "M%02u" : "s%03u", idx);
	for (unsigned s = 0; s < STATEMENTS; s++) {
		stmt_topic(k, idx, s, "{id}", topic, sizeof topic);
		fprintf(f, "p, %s, %s, %s, %s*, %s, %s\n",
		    k == K_MODEL ? "model" : "site", val,
		    actions[stmt_action(s)], topic,
		    s % 2 == 1 && s != STATEMENTS - 1 ? "notquarantined" : "-",
		    s == STATEMENTS - 1 ? "deny" : "allow");
	}
}

static void
make_devices(struct vigil_store *st, const char *tenant)
{
	struct vigil_import_options o;
	struct vigil_import_summary s;
	struct vigil_device *d;
	struct vigil_buf b;
	char name[32];

	vigil_buf_init(&b, (size_t)1 << 30);
	for (unsigned i = 0; i < ndev; i++)
		vigil_buf_appendf(&b, "{\"name\":\"dev-%07u\",\"model\":"
		    "\"M%02u\",\"labels\":{\"site\":\"s%03u\"}}\n", i,
		    site_model(dev_site(i)), dev_site(i));
	memset(&o, 0, sizeof o);
	o.format = VIGIL_FORMAT_JSONL;
	o.actor = "bench";
	if (vigil_import_mem(st, tenant, b.data, b.len, &o, &s) != VIGIL_OK ||
	    s.rows_imported != ndev)
		die("devices", vigil_store_errmsg(st));
	vigil_buf_free(&b);
	if ((ids = calloc(ndev, sizeof *ids)) == NULL)
		die("devices", "out of memory");
	for (unsigned i = 0; i < ndev; i++) {
		snprintf(name, sizeof name, "dev-%07u", i);
		if (vigil_device_get(st, tenant, name, &d) != VIGIL_OK)
			die("device get", vigil_store_errmsg(st));
		memcpy(ids[i], d->id, sizeof ids[i]);
		vigil_device_free(d);
	}
}

static void
make_policies(struct vigil_store *st, const char *tenant, const char *csv)
{
	struct vigil_buf b;
	char name[32], target[32], err[512];
	FILE *f;

	if ((f = fopen(csv, "w")) == NULL)
		die(csv, strerror(errno));
	vigil_buf_init(&b, VIGIL_POLICY_DOC_MAX);
	if (vigil_store_begin(st) != VIGIL_OK)
		die("begin", vigil_store_errmsg(st));
	for (unsigned i = 0; i < MODELS + SITES; i++) {
		enum kind k = i < MODELS ? K_MODEL : K_SITE;
		unsigned idx = i < MODELS ? i : i - MODELS;

		policy_doc(&b, k, idx);
		policy_csv(f, k, idx);
		snprintf(name, sizeof name, k == K_MODEL ? "model-m%02u" :
		    "site-s%03u", idx);
		if (k == K_MODEL)
			snprintf(target, sizeof target, "M%02u", idx);
		else
			snprintf(target, sizeof target, "site=s%03u", idx);
		if (vigil_policydb_put(st, tenant, name, b.data, b.len, NULL, 0,
		    "bench", NULL, NULL, err, sizeof err) != VIGIL_OK)
			die(name, err);
		if (vigil_policydb_attach(st, tenant, name, k == K_MODEL ?
		    VIGIL_ATTACH_MODEL : VIGIL_ATTACH_LABEL, target, "bench",
		    NULL, err, sizeof err) != VIGIL_OK)
			die(name, err);
	}
	if (vigil_store_commit(st) != VIGIL_OK)
		die("commit", vigil_store_errmsg(st));
	vigil_buf_free(&b);
	if (fclose(f) != 0)
		die(csv, strerror(errno));
}

/* One compiled set per site (its model's policy and its own), as the
 * decision service shares them. */
static struct vigil_pdp **
make_pdps(void)
{
	struct vigil_pdp **p = calloc(SITES, sizeof *p);
	struct vigil_policy *pol;
	struct vigil_buf b;
	char err[512], name[32];

	if (p == NULL)
		die("pdp", "out of memory");
	vigil_buf_init(&b, VIGIL_POLICY_DOC_MAX);
	for (unsigned s = 0; s < SITES; s++) {
		if (vigil_pdp_new(&p[s]) != VIGIL_OK)
			die("pdp", "out of memory");
		for (int k = 0; k < 2; k++) {
			unsigned idx = k == K_MODEL ? site_model(s) : s;

			policy_doc(&b, (enum kind)k, idx);
			if (vigil_policy_parse(b.data, b.len, &pol, err,
			    sizeof err) != VIGIL_OK)
				die("policy parse", err);
			snprintf(name, sizeof name, k == K_MODEL ?
			    "model-m%02u" : "site-s%03u", idx);
			if (vigil_pdp_add(p[s], name, pol) != VIGIL_OK)
				die("pdp add", "out of memory");
			vigil_policy_free(pol);
		}
		if (vigil_pdp_build(p[s]) != VIGIL_OK)
			die("pdp build", "failed");
	}
	vigil_buf_free(&b);
	return p;
}

/* The questions: a mix of allowed, default-denied and explicitly
 * denied decisions. */
static void
make_requests(void)
{
	char topic[TOPIC_MAX];

	if ((reqs = calloc(NREQ, sizeof *reqs)) == NULL)
		die("requests", "out of memory");
	for (unsigned r = 0; r < NREQ; r++) {
		struct request *q = &reqs[r];
		unsigned d = rnd(ndev), site = dev_site(d), pick = rnd(100);
		unsigned s = rnd(STATEMENTS - 1);
		enum kind k = rnd(2) ? K_SITE : K_MODEL;
		unsigned idx = k == K_SITE ? site : site_model(site);
		const char *id = ids[d];
		int act = stmt_action(s);

		if (pick < 45) {
			/* allowed: own topic, right action */
		} else if (pick < 55) {
			s = STATEMENTS - 1; /* the Deny inside Allow 0 */
			act = stmt_action(s);
		} else if (pick < 70) {
			id = ids[rnd(ndev)]; /* another device's topic */
		} else if (pick < 85) {
			act = (act + 1 + (int)rnd(2)) % 3; /* wrong action */
		} else {
			idx = k == K_SITE ? (idx + 1 + rnd(SITES - 1)) % SITES :
			    (idx + 1 + rnd(MODELS - 1)) % MODELS;
		}
		stmt_topic(k, idx, s, id, topic, sizeof topic);
		q->dev = d;
		q->act = act;
		snprintf(q->resource, sizeof q->resource, "%s%st%u",
		    act == 2 ? "topicfilter:" : "topic:", topic, r % 7);
		q->topic = strchr(q->resource, ':') + 1;
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
zt_one(struct vigil_zt *zt, const char *tenant, const struct request *q,
    int64_t now_ms)
{
	struct vigil_zt_query z;
	struct vigil_zt_answer a;

	memset(&z, 0, sizeof z);
	z.action = actions[q->act];
	z.resource = q->resource;
	z.device = ids[q->dev];
	z.tenant = tenant;
	z.now_ms = now_ms;
	(void)vigil_zt_decide(zt, &z, &a);
	return a.d.effect == VIGIL_EFFECT_ALLOW;
}

static int
pdp_one(struct vigil_pdp **pdps, const char *tenant, const struct request *q,
    int64_t now_ms)
{
	static const struct vigil_pdp_kv ctx[] = {
		{ VIGIL_KEY_QUARANTINED, "false" },
	};
	struct vigil_pdp_request rq;
	struct vigil_pdp_kv label;
	struct vigil_decision dd;
	char site[8], model[8];
	unsigned s = dev_site(q->dev);

	snprintf(site, sizeof site, "s%03u", s);
	snprintf(model, sizeof model, "M%02u", site_model(s));
	label.key = "site";
	label.value = site;
	memset(&rq, 0, sizeof rq);
	rq.action = actions[q->act];
	rq.resource = q->resource;
	rq.device_id = ids[q->dev];
	rq.tenant = tenant;
	rq.model = model;
	rq.nlabels = 1;
	rq.labels = &label;
	rq.nctx = 1;
	rq.ctx = ctx;
	rq.now_ms = now_ms;
	if (pdps == NULL || vigil_pdp_decide(pdps[s], &rq, &dd) != VIGIL_OK)
		die("pdp decide", "failed");
	return dd.effect == VIGIL_EFFECT_ALLOW;
}

/* Decisions per second over the requests, median of 3 runs of ≥ 1 s;
 * *allows: allowed decisions in one pass. */
static double
timed(struct vigil_zt *zt, struct vigil_pdp **pdps, const char *tenant,
    int64_t now_ms, unsigned *allows)
{
	double rate[3];

	for (int run = 0; run < 3; run++) {
		double t0 = now_s(), dt;
		uint64_t n = 0;
		unsigned al = 0;

		do {
			for (unsigned r = 0; r < NREQ; r++)
				al += (unsigned)(zt != NULL ?
				    zt_one(zt, tenant, &reqs[r], now_ms) :
				    pdp_one(pdps, tenant, &reqs[r], now_ms));
			n += NREQ;
			*allows = al;
			al = 0;
		} while ((dt = now_s() - t0) < 1.0);
		rate[run] = (double)n / dt;
	}
	qsort(rate, 3, sizeof rate[0], cmp_d);
	return rate[1];
}

/* The sample for casbin, with vigil's decisions. */
static void
write_sample(const char *path, const unsigned char *dec, unsigned n)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die(path, strerror(errno));
	for (unsigned r = 0; r < n; r++) {
		const struct request *q = &reqs[r];
		unsigned s = dev_site(q->dev);

		fprintf(f, "{\"id\":\"%s\",\"model\":\"M%02u\",\"site\":"
		    "\"s%03u\",\"act\":\"%s\",\"obj\":\"%s\",\"vigil\":%s}\n",
		    ids[q->dev], site_model(s), s, actions[q->act], q->topic,
		    dec[r] ? "true" : "false");
	}
	if (fclose(f) != 0)
		die(path, strerror(errno));
}

/* Runs node on the casbin peer; its one JSON line into buf. 0 or -1. */
static int
run_casbin(const char *js, const char *csv, const char *sample, char *buf,
    size_t size)
{
	const char *node = getenv("NODE") != NULL ? getenv("NODE") : "node";
	int fd[2], status;
	ssize_t k;
	size_t len = 0;
	pid_t pid;

	if (access(js, R_OK) != 0) {
		snprintf(buf, size, "%s: %s", js, strerror(errno));
		return -1;
	}
	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		snprintf(buf, size, "pipe/fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp(node, node, js, csv, sample, (char *)NULL);
		fprintf(stderr, "bench_pdp: %s: %s\n", node, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	while (len + 1 < size && (k = read(fd[0], buf + len,
	    size - len - 1)) > 0)
		len += (size_t)k;
	buf[len] = '\0';
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		snprintf(buf, size, "%s %s failed (npm ci --prefix "
		    "bench/casbin installs casbin)", node, js);
		return -1;
	}
	return 0;
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

int
main(int argc, char **argv)
{
	const char *js = argc > 2 ? argv[2] : "bench/bench_pdp_casbin.js";
	char dir[] = "/tmp/vigil-bench-pdp-XXXXXX", path[512], csv[512];
	char sample[512], err[512], out[4096];
	unsigned nsample = SAMPLE_DEFAULT, allows = 0, agree = 0, pallows;
	struct vigil_zt_config zc;
	struct vigil_zt_stats zs;
	struct vigil_tenant t;
	struct vigil_store *st;
	struct vigil_zt *zt;
	struct vigil_pdp **pdps;
	unsigned char *dec;
	double t0, zrate, prate, crate = 0;
	int64_t now_ms = vigil_time_now_ms();
	json_t *cj = NULL;
	int rc = 0;

	ndev = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	if (ndev < SITES || ndev > 10000000)
		die("devices", "expected 900 to 10000000");
	if (getenv("BENCH_PDP_SAMPLE") != NULL)
		nsample = (unsigned)strtoul(getenv("BENCH_PDP_SAMPLE"), NULL,
		    10);
	if (nsample == 0 || nsample > NREQ)
		nsample = SAMPLE_DEFAULT;
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(path, sizeof path, "%s/vigil.db", dir);
	snprintf(csv, sizeof csv, "%s/policy.csv", dir);
	snprintf(sample, sizeof sample, "%s/sample.jsonl", dir);
	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK)
		die("open", err);
	if (vigil_admin_tenant_create(st, "bench", NULL, &t) != VIGIL_OK)
		die("tenant", vigil_store_errmsg(st));
	t0 = now_s();
	make_devices(st, t.id);
	fprintf(stderr, "setup: %u devices at %d sites in %.1f s\n", ndev,
	    SITES, now_s() - t0);
	t0 = now_s();
	make_policies(st, t.id, csv);
	fprintf(stderr, "setup: %d policies x %d statements stored and "
	    "attached in %.1f s\n", MODELS + SITES, STATEMENTS, now_s() - t0);
	make_requests();

	memset(&zc, 0, sizeof zc);
	if (vigil_zt_new(st, &zc, &zt) != VIGIL_OK)
		die("zt", "cannot create the decision service");
	t0 = now_s();
	if (vigil_zt_refresh(zt, true) < 0)
		die("zt refresh", vigil_zt_errmsg(zt));
	fprintf(stderr, "setup: decision service loaded 10,000 statements "
	    "in %.0f ms\n", (now_s() - t0) * 1e3);
	/* Warm: every device asked once (facts + compiled sets cached). */
	if ((dec = malloc(NREQ)) == NULL)
		die("memory", "out of memory");
	t0 = now_s();
	for (unsigned r = 0; r < NREQ; r++)
		dec[r] = (unsigned char)zt_one(zt, t.id, &reqs[r], now_ms);
	fprintf(stderr, "setup: warm-up pass (%u requests, cold caches) in "
	    "%.1f s\n", NREQ, now_s() - t0);
	zrate = timed(zt, NULL, t.id, now_ms, &allows);
	vigil_zt_stats(zt, &zs);
	pdps = make_pdps();
	prate = timed(NULL, pdps, t.id, now_ms, &pallows);
	for (unsigned r = 0; r < NREQ; r++)
		agree += (unsigned)(dec[r] ==
		    pdp_one(pdps, t.id, &reqs[r], now_ms));
	printf("bench_pdp: vigil_zt_decide %.0f decisions/s warm (%u of %u "
	    "allowed; %" PRIu64 " compiled sets), vigil_pdp_decide alone "
	    "%.0f decisions/s; the two agree on %u of %u\n", zrate, allows,
	    NREQ, zs.sets_compiled, prate, agree, NREQ);
	if (agree != NREQ)
		rc = 1;

	write_sample(sample, dec, nsample);
	if (run_casbin(js, csv, sample, out, sizeof out) != 0 ||
	    (cj = json_loads(out, 0, NULL)) == NULL) {
		printf("bench_pdp: vigil %.0f decisions/s, casbin not measured "
		    "(%s)\n", zrate, out);
		rc = 1;
	} else {
		unsigned cag = (unsigned)json_integer_value(json_object_get(cj,
		    "agree"));
		unsigned cn = (unsigned)json_integer_value(json_object_get(cj,
		    "n"));

		crate = json_number_value(json_object_get(cj, "rate"));
		printf("bench_pdp: casbin %s over the same %u requests: "
		    "%u agree with vigil%s%s\n", json_string_value(
		    json_object_get(cj, "version")) != NULL ?
		    json_string_value(json_object_get(cj, "version")) : "?",
		    cn, cag, cag == cn ? "" : "; first mismatch: ",
		    cag == cn ? "" : json_string_value(json_object_get(cj,
		    "mismatch")));
		printf("bench_pdp: vigil %.0f decisions/s, casbin %.0f "
		    "decisions/s, ratio %.0f\n", zrate, crate,
		    crate > 0 ? zrate / crate : 0.0);
		if (cag != cn)
			rc = 1;
	}
	json_decref(cj);
	for (unsigned s = 0; s < SITES; s++)
		vigil_pdp_free(pdps[s]);
	free(pdps);
	free(dec);
	free(reqs);
	free(ids);
	vigil_zt_free(zt);
	vigil_store_close(st);
	if (getenv("BENCH_PDP_KEEP") == NULL)
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "kept %s\n", dir);
	return rc;
}
