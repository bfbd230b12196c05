/*
 * eval_flows — runs one flow file through the readers and the detection
 * engine with the DEFAULT detection config and prints what it found as
 * one JSON object, for tests/eval/iot_traffic.sh (the holdout
 * evaluation; not part of make check). It drives the library directly,
 * as `vigil flows analyze --json` does, so the evaluation does not
 * depend on the CLI's report layout.
 *
 *   eval_flows [--format auto|pcap|zeek] [--local CIDR]... FILE
 *
 * Output: {"file", "format", "flows", "read": {reader counters},
 * "alerts": [{"kind", "severity", "addr", "first_ms", "last_ms",
 * "count", "summary", "evidence"}], "shadow": [{"addr", "flows",
 * "bytes", "peers"}], "engine": {"entities", "entity_bytes", "alerts"}}.
 * --local replaces the local networks (every --local together), as the
 * CLI's option does; without it the defaults (RFC 1918 ...) apply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vigil/detect.h"
#include "vigil/flow.h"

struct eval {
	struct vigil_detect *det;
	json_t *alerts;
	json_t *shadow;     /* addr -> latest observation */
	uint64_t flows;
	int64_t last_ms;
};

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "eval_flows: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	exit(1);
}

/* The address as text (inet_ntop: the library's renderer lives with
 * the export-packet readers, which this program does not need). */
static void
addr_str(uint8_t family, const uint8_t addr[16], char *buf, size_t size)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
	    (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
}

static void
on_alert(void *ctx, const struct vigil_alert *a)
{
	struct eval *ev = ctx;
	char ip[VIGIL_FLOW_IP_STRLEN];
	json_t *o;

	addr_str(a->family, a->addr, ip, sizeof(ip));
	/* The evidence is borrowed for the hook's duration: copied. */
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
	    "kind", vigil_alert_kind_name(a->kind),
	    "severity", vigil_alert_sev_name(a->severity),
	    "addr", ip, "first_ms", (json_int_t)a->first_ms,
	    "last_ms", (json_int_t)a->last_ms, "count", (json_int_t)a->count,
	    "summary", a->summary,
	    "evidence", a->evidence ? json_deep_copy(a->evidence) :
	    json_null());
	if (o == NULL || json_array_append_new(ev->alerts, o) != 0)
		die("out of memory", NULL);
}

static void
on_shadow(void *ctx, const struct vigil_shadow_obs *s)
{
	struct eval *ev = ctx;
	char ip[VIGIL_FLOW_IP_STRLEN];
	json_t *o;

	addr_str(s->family, s->addr, ip, sizeof(ip));
	o = json_pack("{s:s, s:I, s:I, s:i}", "addr", ip,
	    "flows", (json_int_t)s->flows, "bytes", (json_int_t)s->bytes,
	    "peers", (int)s->peers);
	if (o == NULL || json_object_set_new(ev->shadow, ip, o) != 0)
		die("out of memory", NULL);
}

static int
on_flow(void *ctx, const struct vigil_flow *f)
{
	struct eval *ev = ctx;

	ev->flows++;
	if (f->end_ms > ev->last_ms)
		ev->last_ms = f->end_ms;
	vigil_detect_flow(ev->det, f);
	return 0;
}

static void
read_zeek(struct eval *ev, const char *path, struct vigil_flow_stats *st)
{
	struct vigil_zeek_reader *r;
	FILE *in = fopen(path, "r");
	char *line = NULL, err[256];
	size_t cap = 0;
	ssize_t n;

	if (in == NULL)
		die(path, strerror(errno));
	if (vigil_zeek_reader_new(&r) != VIGIL_OK)
		die("vigil_zeek_reader_new failed", NULL);
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct vigil_flow f;
		int rc;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		st->packets++;
		rc = vigil_zeek_line(r, line, (size_t)n, &f, err, sizeof(err));
		if (rc == 1) {
			st->records++;
			on_flow(ev, &f);
		} else if (rc < 0) {
			st->malformed++;
			if (st->malformed <= 3)
				fprintf(stderr, "eval_flows: %s: %s\n", path,
				    err);
		} else {
			st->skipped++;
		}
	}
	free(line);
	fclose(in);
	vigil_zeek_reader_free(r);
}

/* pcap files start with a magic number; Zeek logs with '#' or '{'. */
static const char *
sniff(const char *path)
{
	FILE *in = fopen(path, "rb");
	uint8_t m[4] = { 0 };
	size_t n;

	if (in == NULL)
		die(path, strerror(errno));
	n = fread(m, 1, 4, in);
	fclose(in);
	if (n == 4 && ((m[0] == 0xd4 && m[1] == 0xc3) ||
	    (m[0] == 0xa1 && m[1] == 0xb2) || (m[0] == 0x4d && m[1] == 0x3c) ||
	    (m[0] == 0x0a && m[1] == 0x0d)))
		return "pcap";
	return "zeek";
}

static json_t *
stats_json(const struct vigil_flow_stats *s)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "packets",
	    (json_int_t)s->packets, "records", (json_int_t)s->records,
	    "malformed", (json_int_t)s->malformed, "skipped",
	    (json_int_t)s->skipped);
}

int
main(int argc, char **argv)
{
	struct vigil_detect_config cfg;
	struct vigil_detect_hooks hooks;
	struct vigil_detect_stats ds;
	struct vigil_flow_stats st;
	struct eval ev;
	const char *format = "auto", *path = NULL;
	void *it;
	char err[256], nets[2048] = "";
	json_t *out, *shadow;
	int i;

	vigil_detect_config_defaults(&cfg);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if (strcmp(argv[i], "--local") == 0 && i + 1 < argc) {
			size_t l = strlen(nets);

			snprintf(nets + l, sizeof(nets) - l, "%s%s",
			    l ? "," : "", argv[++i]);
		} else if (argv[i][0] != '-' && path == NULL) {
			path = argv[i];
		} else {
			fprintf(stderr, "usage: eval_flows [--format auto|pcap|"
			    "zeek] [--local CIDR]... FILE\n");
			return 2;
		}
	}
	if (path == NULL)
		die("no FILE", NULL);
	if (nets[0] != '\0' && vigil_detect_config_set(&cfg, "local_nets",
	    nets, err, sizeof(err)) != VIGIL_OK)
		die("--local", err);
	memset(&ev, 0, sizeof(ev));
	ev.alerts = json_array();
	ev.shadow = json_object();
	memset(&hooks, 0, sizeof(hooks));
	hooks.ctx = &ev;
	hooks.alert = on_alert;
	hooks.shadow = on_shadow;
	if (vigil_detect_new(&cfg, &hooks, &ev.det) != VIGIL_OK)
		die("vigil_detect_new failed", NULL);
	if (strcmp(format, "auto") == 0)
		format = sniff(path);
	memset(&st, 0, sizeof(st));
	if (strcmp(format, "pcap") == 0) {
		if (vigil_pcap_flows(path, 0, 0, on_flow, &ev, &st, err,
		    sizeof(err)) != VIGIL_OK)
			die(path, err);
	} else if (strcmp(format, "zeek") == 0) {
		read_zeek(&ev, path, &st);
	} else {
		die("unknown --format", format);
	}
	/* The end of the data closes every window still open (scan
	 * windows, baseline intervals, periodicity), as time passing
	 * would in the collector. */
	if (ev.last_ms > 0)
		vigil_detect_tick(ev.det, ev.last_ms + 3600 * 1000);
	vigil_detect_stats(ev.det, &ds);
	shadow = json_array();
	for (it = json_object_iter(ev.shadow); it != NULL;
	    it = json_object_iter_next(ev.shadow, it))
		json_array_append(shadow, json_object_iter_value(it));
	out = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:{s:I, s:I, s:I}}",
	    "file", path, "format", format, "flows", (json_int_t)ev.flows,
	    "read", stats_json(&st), "alerts", ev.alerts, "shadow", shadow,
	    "engine", "entities", (json_int_t)ds.entities, "entity_bytes",
	    (json_int_t)ds.entity_bytes, "alerts", (json_int_t)ds.alerts);
	if (out == NULL)
		die("out of memory", NULL);
	if (json_dumpf(out, stdout, JSON_COMPACT) != 0)
		die("cannot write the report", NULL);
	putchar('\n');
	json_decref(out);
	json_decref(ev.shadow);
	vigil_detect_free(ev.det);
	return 0;
}
