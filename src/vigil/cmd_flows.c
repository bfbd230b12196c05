/*
 * `vigil flows analyze FILE...`: offline threat detection over recorded
 * traffic. Each file is read by the flow.h reader of its format (pcap,
 * Zeek conn.log TSV or JSON, NetFlow v5/v9 or IPFIX export packets),
 * every flow goes through the detect.h engine with addresses standing
 * for themselves (no store), or, with --devices FILE, attributed to the
 * devices and models of a device map (devmap.h) so fleet baselines
 * apply; the report says, per local endpoint with alerts, which device
 * it is, what fired, how often, when and why. Always local; needs no
 * data directory.
 *
 * Export packet files: IPFIX messages concatenated (each says its
 * length); NetFlow v5 packets concatenated (the length follows from the
 * record count); or any export packets (v5, v9, v10) each prefixed by
 * its length as a 16-bit big-endian number ("[u16 length][packet]..."),
 * since a v9 packet does not say its own length. docs/vigil.1 says so.
 *
 * Exit status: 0 no alert, 1 alerts found, 2 errors: a file that could
 * not be opened or recognised, or no flow read at all while some input
 * was malformed. Malformed parts of a file are reported on stderr (and
 * in the JSON under the file) with where they are, and the rest of the
 * file is analysed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "vigil/detect.h"
#include "vigil/devmap.h"
#include "vigil/flow.h"

#include "net_cli.h"
#include "vuln_cli.h"

#define EXIT_ALERTS 1
#define EXIT_ERRORS 2
#define FILE_ERRORS_KEPT 20      /* error texts kept per file */
#define EVIDENCE_KEPT 3          /* evidence samples per endpoint/kind */
#define ENDPOINTS_MAX (4u << 20) /* local addresses counted at most */
#define SIDE_FILE_MAX (64u << 20) /* --intel, --detect-config, --devices */
#define ERRMAX 512

enum fmt { FMT_AUTO, FMT_PCAP, FMT_ZEEK, FMT_EXPORT };

/* One (local address, kind): the firings of the engine, merged as the
 * store would merge them into one alert. */
struct agg {
	enum vigil_alert_kind kind;
	enum vigil_alert_sev sev;
	uint8_t family;
	uint8_t addr[16];
	int64_t first_ms, last_ms;
	uint64_t count, firings;
	char summary[256];
	json_t *evidence; /* array of at most EVIDENCE_KEPT */
	size_t next;      /* next agg of the endpoint + 1; 0 = none */
};

/* A local address seen in the traffic. */
struct ep {
	bool used;
	uint8_t family;
	uint8_t addr[16];
	uint64_t flows, bytes;
	uint32_t peers;      /* from the engine's shadow reports */
	size_t aggs;         /* first agg + 1; 0 = no alert */
};

struct run {
	struct vigil_detect_config cfg;
	struct vigil_detect *d;
	struct ep *eps;
	size_t cap, n;       /* eps: open addressing, cap a power of 2 */
	uint64_t untracked;  /* addresses past ENDPOINTS_MAX */
	struct agg *aggs;
	size_t naggs, capaggs;
	bool oom;
	uint64_t flows;
	int64_t max_ms;
	struct vigil_flow_templates *tmpl;
	/* Flows go to the engine in batches (vigil_detect_flows overlaps
	 * their state loads); flushed when full and after each file. */
	struct vigil_flow batch[VIGIL_DETECT_BATCH];
	size_t nbatch;
	struct vigil_devmap *devmap;    /* --devices; NULL: by address */
};

/* ---- endpoints and alerts ------------------------------------------------ */

static uint64_t
addr_hash(uint8_t family, const uint8_t addr[16])
{
	uint64_t h = 1469598103934665603ull ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	return h;
}

static bool
grow(struct run *r)
{
	size_t ncap = r->cap != 0 ? r->cap * 2 : 1024;
	struct ep *n = calloc(ncap, sizeof *n);

	if (n == NULL)
		return false;
	for (size_t i = 0; i < r->cap; i++) {
		size_t j;

		if (!r->eps[i].used)
			continue;
		j = addr_hash(r->eps[i].family, r->eps[i].addr) & (ncap - 1);
		while (n[j].used)
			j = (j + 1) & (ncap - 1);
		n[j] = r->eps[i];
	}
	free(r->eps);
	r->eps = n;
	r->cap = ncap;
	return true;
}

/* The endpoint of a local address (created); NULL past the bound or
 * out of memory. */
static struct ep *
ep_get(struct run *r, uint8_t family, const uint8_t addr[16])
{
	size_t i;

	if (r->cap != 0) {
		i = addr_hash(family, addr) & (r->cap - 1);
		for (; r->eps[i].used; i = (i + 1) & (r->cap - 1))
			if (r->eps[i].family == family &&
			    memcmp(r->eps[i].addr, addr, 16) == 0)
				return &r->eps[i];
	}
	if (r->n >= ENDPOINTS_MAX) {
		r->untracked++;
		return NULL;
	}
	if ((r->n + 1) * 2 > r->cap) {
		if (!grow(r)) {
			r->oom = true;
			return NULL;
		}
	}
	i = addr_hash(family, addr) & (r->cap - 1);
	while (r->eps[i].used)
		i = (i + 1) & (r->cap - 1);
	r->eps[i].used = true;
	r->eps[i].family = family;
	memcpy(r->eps[i].addr, addr, 16);
	r->n++;
	return &r->eps[i];
}

static bool
is_local(const struct run *r, uint8_t family, const uint8_t addr[16])
{
	for (size_t i = 0; i < r->cfg.nlocal; i++)
		if (vigil_cidr_contains(&r->cfg.local[i], family, addr))
			return true;
	return false;
}

/* Appends one evidence sample, dropping the oldest past the bound. */
static void
keep_evidence(struct run *r, struct agg *g, const json_t *ev)
{
	json_t *c;

	if (ev == NULL)
		return;
	if (g->evidence == NULL && (g->evidence = json_array()) == NULL) {
		r->oom = true;
		return;
	}
	if ((c = json_deep_copy(ev)) == NULL) {
		r->oom = true;
		return;
	}
	if (json_array_append_new(g->evidence, c) != 0) {
		r->oom = true;
		return;
	}
	if (json_array_size(g->evidence) > EVIDENCE_KEPT)
		json_array_remove(g->evidence, 0);
}

static void
on_alert(void *vctx, const struct vigil_alert *a)
{
	struct run *r = vctx;
	struct ep *e = ep_get(r, a->family, a->addr);
	struct agg *g = NULL;
	size_t i;

	if (e == NULL)
		return;
	for (i = e->aggs; i != 0; i = r->aggs[i - 1].next)
		if (r->aggs[i - 1].kind == a->kind) {
			g = &r->aggs[i - 1];
			break;
		}
	if (g == NULL) {
		if (r->naggs == r->capaggs) {
			size_t nc = r->capaggs != 0 ? r->capaggs * 2 : 64;
			struct agg *n = realloc(r->aggs, nc * sizeof *n);

			if (n == NULL) {
				r->oom = true;
				return;
			}
			r->aggs = n;
			r->capaggs = nc;
		}
		g = &r->aggs[r->naggs++];
		memset(g, 0, sizeof *g);
		g->kind = a->kind;
		g->family = a->family;
		memcpy(g->addr, a->addr, 16);
		g->first_ms = a->first_ms;
		g->last_ms = a->last_ms;
		g->next = e->aggs;
		e->aggs = r->naggs;
	}
	g->firings++;
	g->count += a->count;
	if (a->severity > g->sev)
		g->sev = a->severity;
	if (a->first_ms < g->first_ms)
		g->first_ms = a->first_ms;
	if (a->last_ms > g->last_ms)
		g->last_ms = a->last_ms;
	snprintf(g->summary, sizeof g->summary, "%s", a->summary);
	keep_evidence(r, g, a->evidence);
}

static void
on_shadow(void *vctx, const struct vigil_shadow_obs *s)
{
	struct run *r = vctx;
	struct ep *e = ep_get(r, s->family, s->addr);

	if (e != NULL && s->peers > e->peers)
		e->peers = s->peers;
}

/* hooks.attribute with --devices: the device map's longest prefix. */
static int
on_attribute(void *vctx, uint8_t family, const uint8_t addr[16],
    int64_t ts_ms, struct vigil_endpoint *out)
{
	const struct run *r = vctx;

	(void)ts_ms;
	return vigil_devmap_attribute(r->devmap, family, addr, out);
}

static void
on_attribute_prefetch(void *vctx, uint8_t family, const uint8_t addr[16],
    int step)
{
	const struct run *r = vctx;

	vigil_devmap_prefetch(r->devmap, family, addr, step);
}

static void
flush_flows(struct run *r)
{
	vigil_detect_flows(r->d, r->batch, r->nbatch);
	r->nbatch = 0;
}

static int
on_flow(void *vctx, const struct vigil_flow *f)
{
	struct run *r = vctx;
	uint64_t bytes = f->bytes + f->rbytes;
	struct ep *e;

	r->flows++;
	if (f->end_ms > r->max_ms)
		r->max_ms = f->end_ms;
	if (is_local(r, f->family, f->src) &&
	    (e = ep_get(r, f->family, f->src)) != NULL) {
		e->flows++;
		e->bytes += bytes;
	}
	if (is_local(r, f->family, f->dst) &&
	    memcmp(f->src, f->dst, 16) != 0 &&
	    (e = ep_get(r, f->family, f->dst)) != NULL) {
		e->flows++;
		e->bytes += bytes;
	}
	r->batch[r->nbatch++] = *f;
	if (r->nbatch == sizeof r->batch / sizeof r->batch[0])
		flush_flows(r);
	return 0;
}

/* ---- one file ----------------------------------------------------------- */

struct file_rep {
	const char *path;
	const char *format;          /* "pcap", "zeek", "ipfix", "netflow" */
	struct vigil_flow_stats st;
	json_t *errors;              /* texts, at most FILE_ERRORS_KEPT */
	uint64_t nerrors;
	bool fatal;                  /* nothing of it could be read */
};

static void
file_error(struct file_rep *fr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
file_error(struct file_rep *fr, const char *fmt, ...)
{
	char msg[ERRMAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fr->nerrors++;
	if (fr->nerrors <= FILE_ERRORS_KEPT) {
		if (fr->errors != NULL)
			json_array_append_new(fr->errors, json_string(msg));
		cli_err("%s: %s", fr->path, msg);
	} else if (fr->nerrors == FILE_ERRORS_KEPT + 1)
		cli_err("%s: more errors not shown", fr->path);
}

static bool
has_ext(const char *path, const char *const *exts)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return false;
	for (; *exts != NULL; exts++)
		if (strcasecmp(dot + 1, *exts) == 0)
			return true;
	return false;
}

/* The format by content (magic numbers, first bytes), else by name. */
static enum fmt
sniff(const char *path, const uint8_t *b, size_t n)
{
	static const char *const pcap_ext[] = { "pcap", "pcapng", "cap",
		"dmp", NULL };
	static const char *const zeek_ext[] = { "log", "tsv", "json", "jsonl",
		"ndjson", NULL };
	static const char *const exp_ext[] = { "ipfix", "nf", "netflow",
		"nf5", "nf9", "v5", "v9", NULL };
	unsigned v0, v1;

	if (n >= 4) {
		uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];

		if (m == 0xa1b2c3d4u || m == 0xd4c3b2a1u ||
		    m == 0xa1b23c4du || m == 0x4d3cb2a1u || m == 0x0a0d0d0au)
			return FMT_PCAP;
		v0 = (unsigned)b[0] << 8 | b[1];
		v1 = (unsigned)b[2] << 8 | b[3];
		if (v0 == 10 || v0 == 5)
			return FMT_EXPORT;
		if (v0 >= 20 && (v1 == 5 || v1 == 9 || v1 == 10))
			return FMT_EXPORT;
	}
	if (n >= 1 && (b[0] == '#' || b[0] == '{'))
		return FMT_ZEEK;
	if (has_ext(path, pcap_ext))
		return FMT_PCAP;
	if (has_ext(path, zeek_ext))
		return FMT_ZEEK;
	if (has_ext(path, exp_ext))
		return FMT_EXPORT;
	return FMT_AUTO;
}

static void
read_pcap(struct run *r, struct file_rep *fr)
{
	char err[ERRMAX] = "";
	enum vigil_err e;

	fr->format = "pcap";
	e = vigil_pcap_flows(fr->path, 0, 0, on_flow, r, &fr->st, err,
	    sizeof err);
	if (e != VIGIL_OK) {
		fr->fatal = fr->st.records == 0;
		file_error(fr, "%s", err[0] != '\0' ? err : vigil_strerror(e));
	}
}

/* err without a leading "line N: ". */
static const char *
without_line(const char *err)
{
	const char *p = err + 5;

	if (strncmp(err, "line ", 5) != 0 || *p < '0' || *p > '9')
		return err;
	while (*p >= '0' && *p <= '9')
		p++;
	return p[0] == ':' && p[1] == ' ' ? p + 2 : err;
}

static void
read_zeek(struct run *r, struct file_rep *fr, FILE *f)
{
	/* A line of up to VIGIL_ZEEK_LINE_MAX bytes, its newline and NUL. */
	static char line[VIGIL_ZEEK_LINE_MAX + 3];
	struct vigil_zeek_reader *zr = NULL;
	char err[ERRMAX];
	struct vigil_flow fl;
	uint64_t lineno = 0;
	size_t len;
	int rc;

	fr->format = "zeek";
	if (vigil_zeek_reader_new(&zr) != VIGIL_OK) {
		r->oom = true;
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		fr->st.packets++;
		len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			int c;

			/* Longer than any line the reader accepts: skip it
			 * whole, never parse a piece of it as a line. */
			while ((c = getc(f)) != EOF && c != '\n')
				;
			fr->st.malformed++;
			file_error(fr, "line %" PRIu64 ": longer than %u bytes",
			    lineno, VIGIL_ZEEK_LINE_MAX);
			continue;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0) {
			fr->st.skipped++;
			continue;
		}
		err[0] = '\0';
		rc = vigil_zeek_line(zr, line, len, &fl, err, sizeof err);
		if (rc > 0) {
			fr->st.records++;
			on_flow(r, &fl);
		} else if (rc == 0)
			fr->st.skipped++;
		else {
			fr->st.malformed++;
			/* The reader counts only the lines it was given (not
			 * the over-long or empty ones skipped here): the file's
			 * line number replaces its own. */
			file_error(fr, "line %" PRIu64 ": %s", lineno,
			    err[0] != '\0' ? without_line(err) : "refused");
		}
	}
	if (ferror(f))
		file_error(fr, "read error after line %" PRIu64 ": %s", lineno,
		    strerror(errno));
	vigil_zeek_reader_free(zr);
}

/* Reads exactly n bytes; false at end of file or on error. */
static bool
read_n(FILE *f, uint8_t *buf, size_t n)
{
	return fread(buf, 1, n, f) == n;
}

/*
 * Export packets: per packet, its length from its own header (v10: the
 * message length; v5: 24 + 48 x count) or from a 16-bit big-endian
 * prefix. A fault in a packet's bytes is reported with its offset and
 * the next packet read; a length that cannot be trusted ends the file
 * (nothing after it can be framed).
 */
static void
read_export(struct run *r, struct file_rep *fr, FILE *f)
{
	static uint8_t pkt[VIGIL_FLOWPKT_MAX + 4];
	char err[ERRMAX];
	uint64_t off = 0;
	size_t len, skip;
	unsigned v, c;
	bool first = true;

	/* Named by the first packet; an empty file by its name. */
	fr->format = has_ext(fr->path, (const char *const[]){ "ipfix", NULL })
	    ? "ipfix" : "netflow";
	for (;;) {
		size_t got = fread(pkt, 1, 4, f);

		if (got == 0)
			break;
		if (got < 4) {
			file_error(fr, "offset %" PRIu64 ": %zu bytes left, "
			    "too few for a packet header", off, got);
			fr->st.malformed++;
			break;
		}
		v = (unsigned)pkt[0] << 8 | pkt[1];
		c = (unsigned)pkt[2] << 8 | pkt[3];
		skip = 0;
		if (v == 10) {
			long l = vigil_ipfix_msg_len(pkt, 4);

			if (l < 0) {
				file_error(fr, "offset %" PRIu64 ": IPFIX "
				    "message length %u is out of 16..65535",
				    off, c);
				fr->st.malformed++;
				break;
			}
			len = (size_t)l;
		} else if (v == 5) {
			if (c == 0 || c > (VIGIL_FLOWPKT_MAX - 24) / 48) {
				file_error(fr, "offset %" PRIu64 ": NetFlow v5 "
				    "record count %u is out of 1..%u", off, c,
				    (VIGIL_FLOWPKT_MAX - 24) / 48);
				fr->st.malformed++;
				break;
			}
			len = 24 + 48 * (size_t)c;
		} else if (v >= 20) {
			/* [u16 length][packet]: the packet starts 2 bytes
			 * in, its version in the 2 bytes already read. */
			len = v;
			skip = 2;
			if (c != 5 && c != 9 && c != 10) {
				file_error(fr, "offset %" PRIu64 ": version %u "
				    "after a length prefix is not NetFlow v5, "
				    "v9 or IPFIX", off + 2, c);
				fr->st.malformed++;
				break;
			}
		} else {
			file_error(fr, "offset %" PRIu64 ": %u is neither an "
			    "export version (5, 9, 10) nor a packet length "
			    "prefix (20..65535)", off, v);
			fr->st.malformed++;
			break;
		}
		if (first)
			fr->format = v == 10 || (skip != 0 && c == 10) ?
			    "ipfix" : "netflow";
		first = false;
		/* The packet's bytes after the 4 already read. */
		if (!read_n(f, pkt + 4, len + skip - 4)) {
			file_error(fr, "offset %" PRIu64 ": packet of %zu "
			    "bytes is cut short by the end of the file",
			    off + skip, len);
			fr->st.malformed++;
			break;
		}
		err[0] = '\0';
		if (vigil_flowpkt_decode(r->tmpl, 0, pkt + skip, len, 0,
		    on_flow, r, &fr->st, err, sizeof err) != VIGIL_OK)
			file_error(fr, "packet at offset %" PRIu64 ": %s",
			    off + skip, err[0] != '\0' ? err : "refused");
		off += len + skip;
	}
	if (ferror(f))
		file_error(fr, "read error at offset %" PRIu64 ": %s", off,
		    strerror(errno));
}

static void
read_file(struct run *r, struct file_rep *fr, enum fmt want)
{
	uint8_t head[8];
	size_t n;
	enum fmt fm;
	FILE *f;

	if ((f = fopen(fr->path, "rb")) == NULL) {
		fr->fatal = true;
		file_error(fr, "cannot open: %s", strerror(errno));
		return;
	}
	n = fread(head, 1, sizeof head, f);
	fm = want != FMT_AUTO ? want : sniff(fr->path, head, n);
	if (fm == FMT_AUTO) {
		fclose(f);
		fr->fatal = true;
		fr->format = "unknown";
		file_error(fr, "cannot tell the format (not pcap, Zeek "
		    "conn.log or export packets); say it with --format");
		return;
	}
	if (fm == FMT_PCAP) {
		fclose(f);
		read_pcap(r, fr);
		return;
	}
	rewind(f);
	if (fm == FMT_ZEEK)
		read_zeek(r, fr, f);
	else
		read_export(r, fr, f);
	fclose(f);
}

/* ---- the report ---------------------------------------------------------- */

static json_t *
stats_json(const struct vigil_flow_stats *s)
{
	return json_pack("{sI sI sI sI sI sI sI sI}",
	    "packets", (json_int_t)s->packets,
	    "records", (json_int_t)s->records,
	    "malformed", (json_int_t)s->malformed,
	    "skipped", (json_int_t)s->skipped,
	    "no_template", (json_int_t)s->no_template,
	    "templates", (json_int_t)s->templates,
	    "withdrawn", (json_int_t)s->withdrawn,
	    "seq_gaps", (json_int_t)s->seq_gaps);
}

static json_t *
agg_json(const struct agg *g)
{
	char first[VIGIL_RFC3339_LEN], last[VIGIL_RFC3339_LEN];
	json_t *o, *tech = json_array();
	const char *t = vigil_alert_kind_techniques(g->kind);

	vigil_time_format(g->first_ms, first);
	vigil_time_format(g->last_ms, last);
	/* "T1046,T0846" → ["T1046","T0846"] */
	while (tech != NULL && t != NULL && *t != '\0') {
		const char *comma = strchr(t, ',');
		size_t l = comma != NULL ? (size_t)(comma - t) : strlen(t);

		json_array_append_new(tech, json_stringn(t, l));
		t = comma != NULL ? comma + 1 : NULL;
	}
	o = json_pack("{ss ss sI sI ss ss ss so* so*}",
	    "kind", vigil_alert_kind_name(g->kind),
	    "severity", vigil_alert_sev_name(g->sev),
	    "count", (json_int_t)g->count,
	    "firings", (json_int_t)g->firings,
	    "first", first, "last", last, "summary", g->summary,
	    "techniques", tech,
	    "evidence", g->evidence != NULL ? json_incref(g->evidence) :
	    json_array());
	return o;
}

static int
ep_cmp(const void *pa, const void *pb)
{
	const struct ep *a = *(const struct ep *const *)pa;
	const struct ep *b = *(const struct ep *const *)pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/* Builds the whole report as JSON (the text output prints from it). */
static json_t *
report(struct run *r, struct file_rep *frs, size_t nf)
{
	struct vigil_detect_stats ds;
	json_t *rep, *files, *eps, *bykind;
	struct ep **alerted = NULL;
	size_t na = 0, nalerts = 0;

	rep = json_object();
	files = json_array();
	eps = json_array();
	bykind = json_object();
	if (rep == NULL || files == NULL || eps == NULL || bykind == NULL)
		goto oom;
	for (size_t i = 0; i < nf; i++) {
		json_t *fo = json_pack("{ss ss so sO sI}", "path", frs[i].path,
		    "format", frs[i].format != NULL ? frs[i].format : "unknown",
		    "stats", stats_json(&frs[i].st), "errors",
		    frs[i].errors != NULL ? frs[i].errors : json_null(),
		    "errors_total", (json_int_t)frs[i].nerrors);

		if (fo == NULL || json_array_append_new(files, fo) != 0)
			goto oom;
	}
	if ((alerted = calloc(r->n + 1, sizeof(struct ep *))) == NULL)
		goto oom;
	for (size_t i = 0; i < r->cap; i++)
		if (r->eps[i].used && r->eps[i].aggs != 0)
			alerted[na++] = &r->eps[i];
	if (na > 1)
		qsort(alerted, na, sizeof(struct ep *), ep_cmp);
	for (size_t i = 0; i < na; i++) {
		char addr[VIGIL_FLOW_IP_STRLEN];
		struct vigil_endpoint who;
		json_t *eo, *dev, *model, *al = json_array();

		if (al == NULL)
			goto oom;
		for (size_t k = alerted[i]->aggs; k != 0;
		    k = r->aggs[k - 1].next) {
			const struct agg *g = &r->aggs[k - 1];
			const char *kn = vigil_alert_kind_name(g->kind);
			json_t *a = agg_json(g);

			if (a == NULL || json_array_insert_new(al, 0, a) != 0) {
				json_decref(al);
				goto oom;
			}
			nalerts++;
			json_object_set_new(bykind, kn, json_integer(
			    json_integer_value(json_object_get(bykind, kn)) +
			    1));
		}
		vigil_flow_addr_str(alerted[i]->family, alerted[i]->addr, addr);
		/* The device map's answer for the address (the engine asked
		 * the same through hooks.attribute); null without one. */
		if (vigil_devmap_attribute(r->devmap, alerted[i]->family,
		    alerted[i]->addr, &who) == 1) {
			dev = json_string(who.device_id);
			model = who.model[0] != '\0' ?
			    cli_json_str(who.model) : json_null();
		} else {
			dev = json_null();
			model = json_null();
		}
		eo = json_pack("{ss sI sI sI so* so* so}", "address", addr,
		    "flows", (json_int_t)alerted[i]->flows,
		    "bytes", (json_int_t)alerted[i]->bytes,
		    "peers", (json_int_t)alerted[i]->peers,
		    "device", dev, "model", model, "alerts", al);
		if (eo == NULL || json_array_append_new(eps, eo) != 0)
			goto oom;
	}
	free(alerted);
	alerted = NULL;
	vigil_detect_stats(r->d, &ds);
	if (json_object_set_new(rep, "files", files) != 0 ||
	    json_object_set_new(rep, "endpoints", eps) != 0 ||
	    json_object_set_new(rep, "alerts", json_integer(
	        (json_int_t)nalerts)) != 0 ||
	    json_object_set_new(rep, "by_kind", bykind) != 0) {
		files = eps = bykind = NULL;
		goto oom;
	}
	files = eps = bykind = NULL;
	json_object_set_new(rep, "flows", json_integer((json_int_t)r->flows));
	json_object_set_new(rep, "local_endpoints",
	    json_integer((json_int_t)r->n));
	json_object_set_new(rep, "untracked_endpoints",
	    json_integer((json_int_t)r->untracked));
	json_object_set_new(rep, "engine", json_pack("{sI sI sI sI}",
	    "firings", (json_int_t)ds.alerts,
	    "entities", (json_int_t)ds.entities,
	    "entity_bytes", (json_int_t)ds.entity_bytes,
	    "dropped_entities", (json_int_t)ds.dropped_entities));
	return rep;
oom:
	free(alerted);
	json_decref(rep);
	json_decref(files);
	json_decref(eps);
	json_decref(bykind);
	return NULL;
}

static void
print_text(const json_t *rep)
{
	const json_t *f, *e, *a, *st;
	const char *kind;
	json_t *v;
	size_t i, j;

	json_array_foreach(json_object_get(rep, "files"), i, f) {
		st = json_object_get(f, "stats");
		printf("%s: %s, %lld packets/lines, %lld flows, %lld malformed,"
		    " %lld skipped\n", cli_vs(f, "path"), cli_vs(f, "format"),
		    cli_vi(st, "packets"), cli_vi(st, "records"),
		    cli_vi(st, "malformed"), cli_vi(st, "skipped"));
	}
	json_array_foreach(json_object_get(rep, "endpoints"), i, e) {
		printf("\n%s  %lld flows, %lld bytes", cli_vs(e, "address"),
		    cli_vi(e, "flows"), cli_vi(e, "bytes"));
		if (json_is_string(json_object_get(e, "device")))
			printf(", device %s", cli_safe(cli_vs(e, "device")));
		if (json_is_string(json_object_get(e, "model")))
			printf(" (model %s)", cli_safe(cli_vs(e, "model")));
		printf("\n");
		json_array_foreach(json_object_get(e, "alerts"), j, a) {
			printf("  %-17s %-8s x%-6lld %s .. %s\n    %s\n",
			    cli_vs(a, "kind"), cli_vs(a, "severity"),
			    cli_vi(a, "count"), cli_vs(a, "first"),
			    cli_vs(a, "last"), cli_vs(a, "summary"));
		}
	}
	printf("\n%lld flows, %lld local endpoints, %lld alerts",
	    cli_vi(rep, "flows"), cli_vi(rep, "local_endpoints"),
	    cli_vi(rep, "alerts"));
	if (json_object_size(json_object_get(rep, "by_kind")) > 0) {
		const char *sep = " (";

		json_object_foreach((json_t *)json_object_get(rep, "by_kind"),
		    kind, v) {
			printf("%s%s %lld", sep, cli_safe(kind),
			    (long long)json_integer_value(v));
			sep = ", ";
		}
		printf(")");
	}
	printf("\n");
}

/* ---- options ------------------------------------------------------------- */

static bool
parse_format(const struct cli_args *a, const char *s, enum fmt *out)
{
	if (s == NULL || strcmp(s, "auto") == 0)
		*out = FMT_AUTO;
	else if (strcmp(s, "pcap") == 0)
		*out = FMT_PCAP;
	else if (strcmp(s, "zeek") == 0)
		*out = FMT_ZEEK;
	else if (strcmp(s, "netflow") == 0 || strcmp(s, "ipfix") == 0)
		*out = FMT_EXPORT;
	else {
		cli_usage(a->cmd, "--format: '%s' is not one of auto, pcap, "
		    "zeek, netflow, ipfix", s);
		return false;
	}
	return true;
}

/* --detect-config, then --local (which replaces the local networks). */
static int
setup_config(const struct cli_args *a, struct vigil_detect_config *c)
{
	const char *path = cli_arg(a, "detect-config");
	char err[ERRMAX] = "", *buf = NULL, *list = NULL;
	size_t len = 0, total = 1, at = 0;
	struct vigil_cidr cidr;
	enum vigil_err e;

	vigil_detect_config_defaults(c);
	if (path != NULL) {
		if (!cli_vuln_read(path, SIDE_FILE_MAX, &buf, &len))
			return EXIT_ERRORS;
		e = vigil_detect_config_load(c, buf, len, err, sizeof err);
		vigil_free(buf);
		if (e != VIGIL_OK) {
			cli_err("%s: %s", path, err);
			return EXIT_ERRORS;
		}
	}
	for (size_t i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i].name, "local") != 0)
			continue;
		if (!vigil_cidr_parse(a->opts[i].value, &cidr))
			return cli_usage(a->cmd, "--local: '%s' is not an "
			    "address or subnet (192.168.0.0/16)",
			    a->opts[i].value);
		total += strlen(a->opts[i].value) + 1;
	}
	if (total == 1)
		return CLI_EXIT_OK;
	if ((list = malloc(total)) == NULL)
		return cli_err("out of memory");
	for (size_t i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i].name, "local") != 0)
			continue;
		at += (size_t)snprintf(list + at, total - at, "%s%s",
		    at > 0 ? "," : "", a->opts[i].value);
	}
	e = vigil_detect_config_set(c, "local_nets", list, err, sizeof err);
	free(list);
	if (e != VIGIL_OK)
		return cli_usage(a->cmd, "--local: %s", err);
	return CLI_EXIT_OK;
}

static int
load_intel(const struct cli_args *a, struct vigil_detect *d, bool quiet)
{
	char err[ERRMAX], *buf;
	size_t len, entries;
	const char *name;

	for (size_t i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i].name, "intel") != 0)
			continue;
		if (!cli_vuln_read(a->opts[i].value, SIDE_FILE_MAX, &buf, &len))
			return EXIT_ERRORS;
		name = strrchr(a->opts[i].value, '/');
		name = name != NULL ? name + 1 : a->opts[i].value;
		err[0] = '\0';
		entries = 0;
		if (vigil_detect_intel_load(d, name, buf, len, &entries, err,
		    sizeof err) != VIGIL_OK) {
			vigil_free(buf);
			cli_err("%s: %s", a->opts[i].value, err);
			return EXIT_ERRORS;
		}
		vigil_free(buf);
		if (!quiet)
			fprintf(stderr, "vigil: %s: %zu intelligence entries\n",
			    cli_safe(a->opts[i].value), entries);
	}
	return CLI_EXIT_OK;
}

struct bad_rows {
	const struct cli_ctx *ctx;
	const char *path;
	size_t n;
};

static void
on_bad_row(void *vctx, size_t line, const char *msg)
{
	struct bad_rows *b = vctx;

	b->n++;
	if (b->n <= FILE_ERRORS_KEPT)
		cli_note(b->ctx, "vigil: %s: line %zu: %s", b->path, line,
		    msg);
	else if (b->n == FILE_ERRORS_KEPT + 1)
		cli_note(b->ctx, "vigil: %s: more skipped rows not shown",
		    b->path);
}

/* --devices FILE: the device map; bad rows are told and skipped, a bad
 * header or an unreadable file ends the run. */
static int
load_devices(const struct cli_ctx *ctx, const struct cli_args *a,
    struct run *r)
{
	const char *path = cli_arg(a, "devices");
	struct bad_rows b = { ctx, path, 0 };
	char err[ERRMAX] = "", *buf = NULL;
	size_t len = 0, rows = 0, bad = 0;
	enum vigil_err e;

	if (path == NULL)
		return CLI_EXIT_OK;
	if (!cli_vuln_read(path, SIDE_FILE_MAX, &buf, &len))
		return EXIT_ERRORS;
	e = vigil_devmap_load(buf, len, &r->devmap, &rows, &bad, on_bad_row,
	    &b, err, sizeof err);
	vigil_free(buf);
	if (e != VIGIL_OK) {
		cli_err("%s: %s", path, err[0] != '\0' ? err :
		    vigil_strerror(e));
		return EXIT_ERRORS;
	}
	cli_note(ctx, "vigil: %s: %zu devices mapped, %zu rows skipped", path,
	    rows, bad);
	return CLI_EXIT_OK;
}

int
cli_flows_analyze(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_detect_hooks hooks;
	struct file_rep *frs = NULL;
	struct run r;
	json_t *rep = NULL;
	enum fmt want;
	int status;
	bool any_fatal = false, any_errors = false;

	memset(&r, 0, sizeof r);
	if (!parse_format(a, cli_arg(a, "format"), &want))
		return CLI_EXIT_USAGE;
	if ((status = setup_config(a, &r.cfg)) != CLI_EXIT_OK)
		return status == CLI_EXIT_USAGE ? status : EXIT_ERRORS;
	if ((status = load_devices(ctx, a, &r)) != CLI_EXIT_OK)
		return status;
	memset(&hooks, 0, sizeof hooks);
	hooks.ctx = &r;
	/* Offline: every address is itself, unless a device map says
	 * which device (and model: fleet baselines) it is. */
	hooks.attribute = r.devmap != NULL ? on_attribute : NULL;
	hooks.attribute_prefetch = r.devmap != NULL ? on_attribute_prefetch :
	    NULL;
	hooks.alert = on_alert;
	hooks.shadow = on_shadow;
	if (vigil_detect_new(&r.cfg, &hooks, &r.d) != VIGIL_OK) {
		cli_err("cannot start the detection engine (out of memory?)");
		vigil_devmap_free(r.devmap);
		return EXIT_ERRORS;
	}
	/* Templates never expire offline: a file's packets are read in a
	 * moment, whatever time they were exported. */
	if (vigil_flow_templates_new(4096, INT64_MAX / 4, &r.tmpl) !=
	    VIGIL_OK ||
	    (frs = calloc(a->npos, sizeof *frs)) == NULL) {
		cli_err("out of memory");
		status = EXIT_ERRORS;
		goto out;
	}
	if ((status = load_intel(a, r.d, ctx->quiet)) != CLI_EXIT_OK)
		goto out;
	for (size_t i = 0; i < a->npos && !r.oom; i++) {
		frs[i].path = a->pos[i];
		frs[i].errors = json_array();
		read_file(&r, &frs[i], want);
		flush_flows(&r);
		any_fatal |= frs[i].fatal;
		any_errors |= frs[i].nerrors > 0;
	}
	/* Move flow time past the last flow so open windows close and
	 * periodicity is evaluated on what the files hold. */
	if (r.flows > 0)
		vigil_detect_tick(r.d, r.max_ms +
		    ((int64_t)r.cfg.scan_window_s + r.cfg.interval_s) * 1000 +
		    1000);
	if (r.oom || (rep = report(&r, frs, a->npos)) == NULL) {
		cli_err("out of memory");
		status = EXIT_ERRORS;
		goto out;
	}
	if (ctx->json) {
		char *s = json_dumps(rep, JSON_COMPACT);

		if (s == NULL) {
			status = EXIT_ERRORS;
			goto out;
		}
		printf("%s\n", s);
		free(s);
	} else
		print_text(rep);
	if (any_fatal || (r.flows == 0 && any_errors))
		status = EXIT_ERRORS;
	else
		status = json_integer_value(json_object_get(rep, "alerts")) > 0
		    ? EXIT_ALERTS : CLI_EXIT_OK;
out:
	json_decref(rep);
	for (size_t i = 0; frs != NULL && i < a->npos; i++)
		json_decref(frs[i].errors);
	free(frs);
	for (size_t i = 0; i < r.naggs; i++)
		json_decref(r.aggs[i].evidence);
	free(r.aggs);
	free(r.eps);
	vigil_flow_templates_free(r.tmpl);
	vigil_detect_free(r.d);
	vigil_devmap_free(r.devmap);
	return status;
}
