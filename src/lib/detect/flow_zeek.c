/*
 * Zeek conn.log reader (flow.h): turns one line of a conn.log, TSV with
 * its #-header or JSON, into a vigil_flow. Logs come from outside
 * (sensors, IoT-23 captures), so every line is bounded, every number is
 * range-checked, and each refusal names the line, the field and the
 * value.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/flow.h"
#include "vigil/json.h"

#define ZEEK_MAX_FIELDS 64
#define ZEEK_TOKEN_MAX 16 /* #set_separator, #empty_field, #unset_field */
/* Timestamps past the year 5138 are not clocks; durations past a year
 * are not connections. */
#define ZEEK_TS_MAX_S 100000000000LL
#define ZEEK_DUR_MAX_S (366LL * 86400)

/* The conn.log fields the reader uses, in this order. */
enum zf {
	ZF_TS, ZF_ORIG_H, ZF_ORIG_P, ZF_RESP_H, ZF_RESP_P, ZF_PROTO,
	ZF_DURATION, ZF_ORIG_BYTES, ZF_RESP_BYTES, ZF_CONN_STATE,
	ZF_ORIG_PKTS, ZF_RESP_PKTS, ZF_COUNT
};

static const char *const zf_names[ZF_COUNT] = {
	"ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
	"duration", "orig_bytes", "resp_bytes", "conn_state", "orig_pkts",
	"resp_pkts",
};

/* Zeek's own conn.log column order, used when a TSV log comes without
 * its #fields header (a header-less excerpt). */
static const char *const default_fields[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
	"proto", "service", "duration", "orig_bytes", "resp_bytes",
	"conn_state", "local_orig", "local_resp", "missed_bytes", "history",
	"orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
	"tunnel_parents",
};

struct vigil_zeek_reader {
	char sep;
	char set_sep[ZEEK_TOKEN_MAX];
	char empty[ZEEK_TOKEN_MAX];
	char unset[ZEEK_TOKEN_MAX];
	int idx[ZF_COUNT];  /* column of each used field, -1 absent */
	int nfields;        /* columns the #fields header names */
	uint64_t lineno;
};

/* A piece of the line: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static void
set_fields(struct vigil_zeek_reader *r, const struct span *names, int n)
{
	for (int k = 0; k < ZF_COUNT; k++) {
		r->idx[k] = -1;
		for (int i = 0; i < n; i++) {
			if (strlen(zf_names[k]) == names[i].n &&
			    memcmp(zf_names[k], names[i].p, names[i].n) == 0) {
				r->idx[k] = i;
				break;
			}
		}
	}
	r->nfields = n;
}

enum vigil_err
vigil_zeek_reader_new(struct vigil_zeek_reader **out)
{
	struct vigil_zeek_reader *r;
	struct span names[sizeof default_fields / sizeof default_fields[0]];
	int n = (int)(sizeof default_fields / sizeof default_fields[0]);

	*out = NULL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return VIGIL_ENOMEM;
	r->sep = '\t';
	snprintf(r->set_sep, sizeof r->set_sep, ",");
	snprintf(r->empty, sizeof r->empty, "(empty)");
	snprintf(r->unset, sizeof r->unset, "-");
	for (int i = 0; i < n; i++) {
		names[i].p = default_fields[i];
		names[i].n = strlen(default_fields[i]);
	}
	set_fields(r, names, n);
	*out = r;
	return VIGIL_OK;
}

void
vigil_zeek_reader_free(struct vigil_zeek_reader *r)
{
	free(r);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes Zeek's \xHH escapes of a header value into out (NUL-ended);
 * the decoded length, or -1 when it does not fit or holds a NUL. */
static long
unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			c = hexval(s[i + 2]) * 16 + hexval(s[i + 3]);
			i += 3;
		}
		if (c == 0 || o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

/* Splits line at sep into at most ZEEK_MAX_FIELDS spans; -1 when there
 * are more. */
static int
split(const char *line, size_t len, char sep, struct span *f)
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != sep)
			continue;
		if (n == ZEEK_MAX_FIELDS)
			return -1;
		f[n].p = line + start;
		f[n].n = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static bool
span_is(const struct span *s, const char *word)
{
	return strlen(word) == s->n && memcmp(s->p, word, s->n) == 0;
}

#define VAL_SHOW 40 /* bytes of a refused value quoted in an error */
#define SHOWN(s) (int)((s)->n < VAL_SHOW ? (s)->n : VAL_SHOW), (s)->p

static int
refuse(struct vigil_zeek_reader *r, char *err, size_t errsize,
    const char *field, const struct span *v, const char *why)
{
	if (v != NULL)
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "line %llu: field %s: '%.*s' %s",
		    (unsigned long long)r->lineno, field, SHOWN(v), why);
	else
		vigil_seterr(err, errsize, VIGIL_EINVAL, "line %llu: %s%s%s",
		    (unsigned long long)r->lineno, field, *field ? " " : "",
		    why);
	return -1;
}

static int
refuse_field(struct vigil_zeek_reader *r, char *err, size_t errsize,
    const char *field, const char *why)
{
	vigil_seterr(err, errsize, VIGIL_EINVAL, "line %llu: field %s %s",
	    (unsigned long long)r->lineno, field, why);
	return -1;
}

/* ---- the header --------------------------------------------------- */

static int
header_line(struct vigil_zeek_reader *r, const char *line, size_t len,
    char *err, size_t errsize)
{
	struct span f[ZEEK_MAX_FIELDS];
	char tmp[ZEEK_TOKEN_MAX];
	char *dst = NULL;
	int n;

	/* "#separator \x09": the one header line split by a space, since
	 * it is the line that says what the separator is. */
	if (len >= 11 && memcmp(line, "#separator ", 11) == 0) {
		if (unescape(line + 11, len - 11, tmp, sizeof tmp) != 1)
			return refuse(r, err, errsize, "#separator", NULL,
			    "is not one character");
		if (tmp[0] == '\n' || tmp[0] == '\r')
			return refuse(r, err, errsize, "#separator", NULL,
			    "cannot be a line break");
		r->sep = tmp[0];
		return 0;
	}
	if ((n = split(line, len, r->sep, f)) < 0)
		return refuse(r, err, errsize, "#-header", NULL,
		    "has more than 64 fields");
	if (span_is(&f[0], "#fields")) {
		if (n < 2)
			return refuse(r, err, errsize, "#fields", NULL,
			    "names no field");
		set_fields(r, f + 1, n - 1);
		return 0;
	}
	if (span_is(&f[0], "#set_separator"))
		dst = r->set_sep;
	else if (span_is(&f[0], "#empty_field"))
		dst = r->empty;
	else if (span_is(&f[0], "#unset_field"))
		dst = r->unset;
	if (dst != NULL) {
		if (n != 2 || unescape(f[1].p, f[1].n, tmp, sizeof tmp) < 1)
			return refuse(r, err, errsize, "header", &f[0],
			    "needs one value of 1-15 bytes");
		memcpy(dst, tmp, sizeof tmp);
		return 0;
	}
	/* #path, #open, #close, #types and any other comment. */
	return 0;
}

/* ---- values -------------------------------------------------------- */

/* Unsigned decimal of at most 20 digits into *v; false otherwise. */
static bool
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

/* Seconds with an optional fraction ("1525879831.015811") into
 * microseconds; digits past the sixth decimal are read and dropped. */
static bool
parse_secs_us(const char *s, size_t n, int64_t max_s, int64_t *us)
{
	size_t i = 0;
	int64_t sec = 0, frac = 0;
	int fd = 0;

	if (n == 0)
		return false;
	for (; i < n && s[i] != '.'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 12)
			return false;
		sec = sec * 10 + (s[i] - '0');
	}
	if (i == 0 || sec > max_s)
		return false;
	if (i < n) {
		if (++i == n)
			return false; /* "12." */
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || i > 40)
				return false;
			if (fd < 6) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		}
	}
	while (fd++ < 6)
		frac *= 10;
	*us = sec * 1000000 + frac;
	return true;
}

/* Zeek's JSON writer with json_timestamps=JSON::TS_ISO8601 writes
 * "2019-01-01T00:00:00.123456Z"; read it to the millisecond. */
static bool
parse_iso_us(const struct span *s, int64_t *us)
{
	char buf[40], e[64];
	int64_t ms;

	if (s->n < 20 || s->n >= sizeof buf)
		return false;
	memcpy(buf, s->p, s->n);
	buf[s->n] = '\0';
	if (vigil_time_parse(buf, &ms, e, sizeof e) != VIGIL_OK || ms < 0 ||
	    ms / 1000 > ZEEK_TS_MAX_S)
		return false;
	*us = ms * 1000;
	return true;
}

/* What one field's value is; "unset" when absent, "-" or "(empty)". */
struct value {
	bool set;
	bool is_num;        /* JSON number */
	double num;
	struct span s;      /* string form */
};

static bool
span_eq_cstr(const struct span *s, const char *c)
{
	return strlen(c) == s->n && memcmp(s->p, c, s->n) == 0;
}

/* The flow from the values of one line (TSV or JSON). */
static int
fill_flow(struct vigil_zeek_reader *r, struct value *v,
    struct vigil_flow *fl, char *err, size_t errsize)
{
	int64_t ts_us = 0, dur_us = 0;
	uint64_t port[2] = { 0, 0 };
	uint64_t *cnt[4];
	int ports[2] = { ZF_ORIG_P, ZF_RESP_P };
	int cntf[4] = { ZF_ORIG_BYTES, ZF_RESP_BYTES, ZF_ORIG_PKTS,
	    ZF_RESP_PKTS };
	char addr[VIGIL_FLOW_IP_STRLEN];
	uint8_t fam[2];
	int hosts[2] = { ZF_ORIG_H, ZF_RESP_H };

	memset(fl, 0, sizeof *fl);
	cnt[0] = &fl->bytes;
	cnt[1] = &fl->rbytes;
	cnt[2] = &fl->packets;
	cnt[3] = &fl->rpackets;

	/* ts */
	if (!v[ZF_TS].set)
		return refuse_field(r, err, errsize, "ts", "is missing");
	if (v[ZF_TS].is_num) {
		double d = v[ZF_TS].num;

		if (!isfinite(d) || d < 0 || d > (double)ZEEK_TS_MAX_S)
			return refuse_field(r, err, errsize, "ts",
			    "is not a time in seconds");
		ts_us = llround(d * 1e6);
	} else if (!parse_secs_us(v[ZF_TS].s.p, v[ZF_TS].s.n,
	    ZEEK_TS_MAX_S, &ts_us) && !parse_iso_us(&v[ZF_TS].s, &ts_us))
		return refuse(r, err, errsize, "ts", &v[ZF_TS].s,
		    "is not a time in seconds or RFC 3339");

	/* addresses */
	for (int k = 0; k < 2; k++) {
		struct value *a = &v[hosts[k]];

		if (!a->set || a->is_num)
			return refuse_field(r, err, errsize,
			    zf_names[hosts[k]],
			    a->set ? "is a number" : "is missing");
		if (a->s.n >= sizeof addr)
			return refuse(r, err, errsize, zf_names[hosts[k]],
			    &a->s, "is not an IP address");
		memcpy(addr, a->s.p, a->s.n);
		addr[a->s.n] = '\0';
		if (!vigil_flow_addr_parse(addr, &fam[k],
		    k == 0 ? fl->src : fl->dst))
			return refuse(r, err, errsize, zf_names[hosts[k]],
			    &a->s, "is not an IP address");
	}
	if (fam[0] != fam[1])
		return refuse(r, err, errsize, "", NULL,
		    "id.orig_h and id.resp_h are of different families");
	fl->family = fam[0];

	/* proto */
	if (v[ZF_PROTO].set && !v[ZF_PROTO].is_num) {
		struct span *p = &v[ZF_PROTO].s;

		if (span_eq_cstr(p, "tcp"))
			fl->proto = 6;
		else if (span_eq_cstr(p, "udp"))
			fl->proto = 17;
		else if (span_eq_cstr(p, "icmp"))
			fl->proto = 1;
		else if (span_eq_cstr(p, "unknown_transport"))
			fl->proto = 0;
		else
			return refuse(r, err, errsize, "proto", p,
			    "is not tcp, udp, icmp or unknown_transport");
	} else if (v[ZF_PROTO].set)
		return refuse_field(r, err, errsize, "proto",
		    "is a number, not tcp/udp/icmp");

	/* ports: numbers or strings */
	for (int k = 0; k < 2; k++) {
		struct value *pv = &v[ports[k]];

		if (!pv->set)
			continue;
		if (pv->is_num) {
			if (pv->num < 0 || pv->num > 65535 ||
			    pv->num != floor(pv->num))
				return refuse_field(r, err, errsize,
				    zf_names[ports[k]],
				    "is not a port");
			port[k] = (uint64_t)pv->num;
		} else if (!parse_u64(pv->s.p, pv->s.n, 65535, &port[k]))
			return refuse(r, err, errsize, zf_names[ports[k]],
			    &pv->s, "is not a port");
	}
	if (fl->proto == 1) {
		/* Zeek puts the ICMP type in orig_p and the code in
		 * resp_p; flow.h wants type << 8 | code in dport. */
		if (port[0] > 255 || port[1] > 255)
			return refuse(r, err, errsize, "", NULL,
			    "ICMP type or code is over 255");
		fl->dport = (uint16_t)(port[0] << 8 | port[1]);
	} else {
		fl->sport = (uint16_t)port[0];
		fl->dport = (uint16_t)port[1];
	}

	/* duration */
	if (v[ZF_DURATION].set) {
		struct value *d = &v[ZF_DURATION];

		if (d->is_num) {
			if (!isfinite(d->num) || d->num < 0 ||
			    d->num > (double)ZEEK_DUR_MAX_S)
				return refuse_field(r, err, errsize,
				    "duration",
				    "is not a duration in seconds");
			dur_us = llround(d->num * 1e6);
		} else if (!parse_secs_us(d->s.p, d->s.n, ZEEK_DUR_MAX_S,
		    &dur_us))
			return refuse(r, err, errsize, "duration", &d->s,
			    "is not a duration in seconds");
	}
	fl->start_ms = ts_us / 1000;
	fl->end_ms = (ts_us + dur_us) / 1000;

	/* counters */
	for (int k = 0; k < 4; k++) {
		struct value *c = &v[cntf[k]];

		if (!c->set)
			continue;
		if (c->is_num) {
			/* 2^53: past it a JSON double is not exact. */
			if (c->num < 0 || c->num > 9007199254740992.0 ||
			    c->num != floor(c->num))
				return refuse_field(r, err, errsize,
				    zf_names[cntf[k]],
				    "is not a count");
			*cnt[k] = (uint64_t)c->num;
		} else if (!parse_u64(c->s.p, c->s.n, UINT64_MAX, cnt[k]))
			return refuse(r, err, errsize, zf_names[cntf[k]],
			    &c->s, "is not a count");
	}

	/* conn_state */
	if (v[ZF_CONN_STATE].set) {
		struct span *s = &v[ZF_CONN_STATE].s;

		if (v[ZF_CONN_STATE].is_num || s->n >= sizeof fl->state)
			return refuse(r, err, errsize, "conn_state", s,
			    "is not a state of at most 7 letters");
		for (size_t i = 0; i < s->n; i++)
			if (!isalnum((unsigned char)s->p[i]))
				return refuse(r, err, errsize, "conn_state",
				    s, "is not a state of letters");
		memcpy(fl->state, s->p, s->n);
		fl->state[s->n] = '\0';
	}
	return 1;
}

static int
tsv_line(struct vigil_zeek_reader *r, const char *line, size_t len,
    struct vigil_flow *fl, char *err, size_t errsize)
{
	struct span f[ZEEK_MAX_FIELDS];
	struct value v[ZF_COUNT];
	int n;

	if ((n = split(line, len, r->sep, f)) < 0)
		return refuse(r, err, errsize, "", NULL,
		    "has more than 64 fields");
	if (n < r->nfields) {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "line %llu: %d fields, the #fields header names %d",
		    (unsigned long long)r->lineno, n, r->nfields);
		return -1;
	}
	memset(v, 0, sizeof v);
	for (int k = 0; k < ZF_COUNT; k++) {
		if (r->idx[k] < 0)
			continue;
		v[k].s = f[r->idx[k]];
		v[k].set = !span_eq_cstr(&v[k].s, r->unset) &&
		    !span_eq_cstr(&v[k].s, r->empty) && v[k].s.n > 0;
	}
	return fill_flow(r, v, fl, err, errsize);
}

static int
json_line(struct vigil_zeek_reader *r, const char *line, size_t len,
    struct vigil_flow *fl, char *err, size_t errsize)
{
	json_t *doc;
	struct value v[ZF_COUNT];
	char jerr[160];
	int rc;

	if (vigil_json_loadb(line, len, &doc, jerr, sizeof jerr) !=
	    VIGIL_OK) {
		vigil_seterr(err, errsize, VIGIL_EINVAL, "line %llu: %s",
		    (unsigned long long)r->lineno, jerr);
		return -1;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return refuse(r, err, errsize, "", NULL,
		    "is not a JSON object");
	}
	memset(v, 0, sizeof v);
	for (int k = 0; k < ZF_COUNT; k++) {
		json_t *j = json_object_get(doc, zf_names[k]);

		if (j == NULL || json_is_null(j))
			continue;
		if (json_is_number(j)) {
			v[k].set = true;
			v[k].is_num = true;
			v[k].num = json_number_value(j);
		} else if (json_is_string(j)) {
			v[k].s.p = json_string_value(j);
			v[k].s.n = json_string_length(j);
			v[k].set = v[k].s.n > 0;
			/* a NUL inside the string is not a value */
			if (memchr(v[k].s.p, '\0', v[k].s.n) != NULL) {
				json_decref(doc);
				return refuse_field(r, err, errsize,
				    zf_names[k], "holds a NUL byte");
			}
		} else {
			json_decref(doc);
			return refuse_field(r, err, errsize, zf_names[k],
			    "is neither a number nor a string");
		}
	}
	rc = fill_flow(r, v, fl, err, errsize);
	json_decref(doc);
	return rc;
}

int
vigil_zeek_line(struct vigil_zeek_reader *r, const char *line, size_t len,
    struct vigil_flow *f, char *err, size_t errsize)
{
	size_t i = 0;

	memset(f, 0, sizeof *f);
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	r->lineno++;
	if (len > VIGIL_ZEEK_LINE_MAX) {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "line %llu: %zu bytes is longer than %u",
		    (unsigned long long)r->lineno, len, VIGIL_ZEEK_LINE_MAX);
		return -1;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--; /* a log that went through a CRLF system */
	if (memchr(line, '\0', len) != NULL)
		return refuse(r, err, errsize, "", NULL, "holds a NUL byte");
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len)
		return 0; /* blank */
	if (line[0] == '#')
		return header_line(r, line, len, err, errsize);
	if (line[i] == '{')
		return json_line(r, line + i, len - i, f, err, errsize);
	return tsv_line(r, line, len, f, err, errsize);
}
