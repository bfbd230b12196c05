/*
 * NetFlow v5 / v9 and IPFIX decoding (flow.h): hand-built packets for
 * each field, template life cycle (learning, withdrawal, expiry,
 * eviction), variable-length and enterprise fields, reduced-size
 * counters, IPv6, every malformation with its message, sequence gaps,
 * and real export packets recorded from softflowd
 * (tests/data/flows/README.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/flow.h"

#define T0 1700000000u   /* export time of the hand-made packets */
#define MAXF 64

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- packet builder ---------------------------------------------------- */

struct pk {
	uint8_t b[4096];
	size_t n;
};

static void
put8(struct pk *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void
put16(struct pk *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void
put32(struct pk *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void
put64(struct pk *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p, (uint32_t)v);
}

static void
putn(struct pk *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void
set16(struct pk *p, size_t off, unsigned v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

static void
ipfix_begin(struct pk *p, uint32_t seq, uint32_t domain)
{
	p->n = 0;
	put16(p, 10);
	put16(p, 0);
	put32(p, T0);
	put32(p, seq);
	put32(p, domain);
}

static void
ipfix_end(struct pk *p)
{
	set16(p, 2, (unsigned)p->n);
}

static void
v9_begin(struct pk *p, uint32_t uptime, uint32_t seq, uint32_t source)
{
	p->n = 0;
	put16(p, 9);
	put16(p, 0);
	put32(p, uptime);
	put32(p, T0);
	put32(p, seq);
	put32(p, source);
}

static size_t
set_begin(struct pk *p, unsigned id)
{
	size_t off = p->n;

	put16(p, id);
	put16(p, 0);
	return off;
}

static void
set_end(struct pk *p, size_t off)
{
	set16(p, off + 2, (unsigned)(p->n - off));
}

static const uint8_t a1[4] = { 10, 0, 0, 1 }, a2[4] = { 10, 1, 2, 3 };

/* Template 256 (IPFIX): src, dst, sport, dport, proto, flags, bytes,
 * packets, flowStart/EndMilliseconds. */
static void
tmpl_basic(struct pk *p, unsigned tid)
{
	size_t s = set_begin(p, 2);

	put16(p, tid);
	put16(p, 10);
	put16(p, 8); put16(p, 4);
	put16(p, 12); put16(p, 4);
	put16(p, 7); put16(p, 2);
	put16(p, 11); put16(p, 2);
	put16(p, 4); put16(p, 1);
	put16(p, 6); put16(p, 1);
	put16(p, 1); put16(p, 8);
	put16(p, 2); put16(p, 8);
	put16(p, 152); put16(p, 8);
	put16(p, 153); put16(p, 8);
	set_end(p, s);
}

static void
data_basic(struct pk *p, unsigned tid, unsigned nrec)
{
	size_t s = set_begin(p, tid);

	for (unsigned i = 0; i < nrec; i++) {
		putn(p, a1, 4);
		putn(p, a2, 4);
		put16(p, 40000 + i);
		put16(p, 443);
		put8(p, 6);
		put8(p, 0x1b);
		put64(p, 1500 + i);
		put64(p, 3);
		put64(p, (uint64_t)T0 * 1000 - 5000);
		put64(p, (uint64_t)T0 * 1000 - 1000);
	}
	set_end(p, s);
}

/* ---- what the callback collects ------------------------------------------ */

struct got {
	struct vigil_flow f[MAXF];
	size_t n;
};

static int
collect(void *ctx, const struct vigil_flow *f)
{
	struct got *g = ctx;

	if (g->n < MAXF)
		g->f[g->n++] = *f;
	return 0;
}

struct fx {
	struct vigil_flow_templates *t;
	struct vigil_flow_stats st;
	struct got g;
	char err[256];
};

static enum vigil_err
feed(struct fx *x, const struct pk *p, int64_t now)
{
	x->err[0] = '\0';
	return vigil_flowpkt_decode(x->t, 7, p->b, p->n, now, collect, &x->g,
	    &x->st, x->err, sizeof x->err);
}

static struct fx *
fx_new(size_t max, int64_t ttl)
{
	struct fx *x = calloc(1, sizeof *x);

	assert_non_null(x);
	assert_int_equal(vigil_flow_templates_new(max, ttl, &x->t), VIGIL_OK);
	return x;
}

static void
fx_free(struct fx *x)
{
	vigil_flow_templates_free(x->t);
	free(x);
}

static void
addr_is(const struct vigil_flow *f, const char *src, const char *dst)
{
	char s[VIGIL_FLOW_IP_STRLEN], d[VIGIL_FLOW_IP_STRLEN];

	vigil_flow_addr_str(f->family, f->src, s);
	vigil_flow_addr_str(f->family, f->dst, d);
	assert_string_equal(s, src);
	assert_string_equal(d, dst);
}

/* ---- addresses ----------------------------------------------------------- */

static void
test_addr_round_trip(void **state)
{
	uint8_t fam, a[16];
	char s[VIGIL_FLOW_IP_STRLEN];

	(void)state;
	say("IPv4 and IPv6 addresses parse and print back");
	assert_true(vigil_flow_addr_parse("192.0.2.7", &fam, a));
	assert_int_equal(fam, 4);
	vigil_flow_addr_str(fam, a, s);
	assert_string_equal(s, "192.0.2.7");
	assert_true(vigil_flow_addr_parse("2001:db8::1", &fam, a));
	assert_int_equal(fam, 6);
	vigil_flow_addr_str(fam, a, s);
	assert_string_equal(s, "2001:db8::1");
	say("a non-address is refused");
	assert_false(vigil_flow_addr_parse("10.0.0.256", &fam, a));
	assert_false(vigil_flow_addr_parse("", &fam, a));
}

/* ---- NetFlow v5 ---------------------------------------------------------- */

static void
v5_packet(struct pk *p, unsigned count, uint32_t seq)
{
	p->n = 0;
	put16(p, 5);
	put16(p, count);
	put32(p, 100000);          /* sysUptime */
	put32(p, T0);
	put32(p, 500000000);       /* +500 ms */
	put32(p, seq);
	put8(p, 0);
	put8(p, 1);
	put16(p, 0);
	for (unsigned i = 0; i < count; i++) {
		putn(p, a1, 4);
		putn(p, a2, 4);
		put32(p, 0);
		put16(p, 1);
		put16(p, 2);
		put32(p, 10 + i);          /* packets */
		put32(p, 1000 + i);        /* bytes */
		put32(p, 90000);           /* First: 10 s before */
		put32(p, 99000);           /* Last: 1 s before */
		put16(p, 40000);
		put16(p, 443);
		put8(p, 0);
		put8(p, 0x12);
		put8(p, 6);
		put8(p, 0);
		put32(p, 0);
		put32(p, 0);
	}
}

static void
test_v5_known_packet_fields(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;

	(void)state;
	v5_packet(&p, 2, 100);
	say("a v5 packet of 2 records gives 2 flows with every field");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 2);
	addr_is(&x->g.f[0], "10.0.0.1", "10.1.2.3");
	assert_int_equal(x->g.f[0].family, 4);
	assert_int_equal(x->g.f[0].proto, 6);
	assert_int_equal(x->g.f[0].sport, 40000);
	assert_int_equal(x->g.f[0].dport, 443);
	assert_int_equal(x->g.f[0].tcp_flags, 0x12);
	assert_int_equal(x->g.f[1].packets, 11);
	assert_int_equal(x->g.f[1].bytes, 1001);
	assert_int_equal(x->g.f[0].exporter, 7);
	say("First/Last are switched to unix ms with sysUptime");
	assert_int_equal(x->g.f[0].start_ms, (int64_t)T0 * 1000 + 500 - 10000);
	assert_int_equal(x->g.f[0].end_ms, (int64_t)T0 * 1000 + 500 - 1000);
	assert_int_equal(x->st.records, 2);
	say("v5 decodes without a template cache too");
	assert_int_equal(vigil_flowpkt_decode(NULL, 0, p.b, p.n, 0, NULL, NULL,
	    NULL, NULL, 0), VIGIL_OK);
	fx_free(x);
}

static void
test_v5_malformed_refused(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;

	(void)state;
	v5_packet(&p, 1, 0);
	say("a v5 header cut short is refused");
	p.n = 20;
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err,
	    "NetFlow v5 header at offset 0: 20 bytes, need 24");
	say("a count that disagrees with the length is refused");
	v5_packet(&p, 2, 0);
	p.n -= 48;
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "NetFlow v5 header at offset 2: count 2 "
	    "needs 120 bytes, packet has 72");
	say("a count above 30 is refused");
	v5_packet(&p, 1, 0);
	set16(&p, 2, 31);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err,
	    "NetFlow v5 header at offset 2: count 31 is more than 30");
	say("an unknown version is refused");
	set16(&p, 0, 7);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err,
	    "export packet at offset 0: version 7 is not 5, 9 or 10");
	assert_int_equal(x->g.n, 0);
	assert_int_equal(x->st.malformed, 4);
	assert_int_equal(x->st.packets, 4);
	fx_free(x);
}

/* ---- NetFlow v9 ---------------------------------------------------------- */

static void
test_v9_template_then_data(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	v9_begin(&p, 10000, 1, 3);
	s = set_begin(&p, 0);
	put16(&p, 300);
	put16(&p, 9);
	put16(&p, 8); put16(&p, 4);
	put16(&p, 12); put16(&p, 4);
	put16(&p, 7); put16(&p, 2);
	put16(&p, 11); put16(&p, 2);
	put16(&p, 4); put16(&p, 1);
	put16(&p, 1); put16(&p, 4);
	put16(&p, 2); put16(&p, 4);
	put16(&p, 22); put16(&p, 4);
	put16(&p, 21); put16(&p, 4);
	set_end(&p, s);
	s = set_begin(&p, 300);
	putn(&p, a1, 4);
	putn(&p, a2, 4);
	put16(&p, 5353);
	put16(&p, 53);
	put8(&p, 17);
	put32(&p, 174);
	put32(&p, 3);
	put32(&p, 4000);
	put32(&p, 9000);
	put8(&p, 0);    /* padding to 4 */
	put8(&p, 0);
	put8(&p, 0);
	set_end(&p, s);
	say("a v9 template and its data in one packet decode");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 1);
	assert_int_equal(x->st.templates, 1);
	addr_is(&x->g.f[0], "10.0.0.1", "10.1.2.3");
	assert_int_equal(x->g.f[0].proto, 17);
	assert_int_equal(x->g.f[0].sport, 5353);
	assert_int_equal(x->g.f[0].dport, 53);
	assert_int_equal(x->g.f[0].bytes, 174);
	assert_int_equal(x->g.f[0].packets, 3);
	say("FIRST/LAST_SWITCHED are switched to absolute time");
	assert_int_equal(x->g.f[0].start_ms, (int64_t)T0 * 1000 - 6000);
	assert_int_equal(x->g.f[0].end_ms, (int64_t)T0 * 1000 - 1000);

	say("the v9 sequence counts packets: 1 then 3 is one missed");
	v9_begin(&p, 11000, 3, 3);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.seq_gaps, 1);
	fx_free(x);
}

static void
test_v9_options_skipped_and_bad_template(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	v9_begin(&p, 10000, 1, 3);
	s = set_begin(&p, 1);
	put16(&p, 301);
	put16(&p, 4);       /* scope: one field */
	put16(&p, 8);       /* options: two fields */
	put16(&p, 1); put16(&p, 4);
	put16(&p, 160); put16(&p, 8);
	put16(&p, 143); put16(&p, 4);
	put16(&p, 0);       /* padding */
	set_end(&p, s);
	s = set_begin(&p, 301);
	put32(&p, 1);
	put64(&p, 5);
	put32(&p, 9);
	set_end(&p, s);
	say("a v9 options template is learned and its data skipped");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(vigil_flow_templates_count(x->t), 1);
	assert_int_equal(x->st.skipped, 1);
	assert_int_equal(x->g.n, 0);
	say("a v9 template without fields is refused");
	v9_begin(&p, 10000, 2, 3);
	s = set_begin(&p, 0);
	put16(&p, 302);
	put16(&p, 0);
	set_end(&p, s);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "NetFlow v9 flowset 0 at offset 24: "
	    "template 302 has no fields");
	fx_free(x);
}

static int
stop_after_one(void *ctx, const struct vigil_flow *f)
{
	(void)f;
	return ++*(int *)ctx >= 1;
}

static void
test_callback_stop_ends_packet(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	int calls = 0;

	(void)state;
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	data_basic(&p, 256, 3);
	ipfix_end(&p);
	say("a non-zero callback return stops the packet there");
	assert_int_equal(vigil_flowpkt_decode(x->t, 1, p.b, p.n, 0,
	    stop_after_one, &calls, &x->st, x->err, sizeof x->err), VIGIL_OK);
	assert_int_equal(calls, 1);
	assert_int_equal(x->st.records, 1);
	fx_free(x);
}

/* ---- IPFIX --------------------------------------------------------------- */

static void
test_ipfix_data_before_template_then_after(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;

	(void)state;
	say("data whose template is not known is counted no_template");
	ipfix_begin(&p, 0, 1);
	data_basic(&p, 256, 2);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 0);
	assert_int_equal(x->st.no_template, 1);
	say("after the template arrives, the same data decodes");
	ipfix_begin(&p, 2, 1);
	tmpl_basic(&p, 256);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(vigil_flow_templates_count(x->t), 1);
	ipfix_begin(&p, 2, 1);
	data_basic(&p, 256, 2);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 2);
	addr_is(&x->g.f[1], "10.0.0.1", "10.1.2.3");
	assert_int_equal(x->g.f[1].sport, 40001);
	assert_int_equal(x->g.f[1].dport, 443);
	assert_int_equal(x->g.f[1].tcp_flags, 0x1b);
	assert_int_equal(x->g.f[1].bytes, 1501);
	assert_int_equal(x->g.f[1].packets, 3);
	assert_int_equal(x->g.f[1].start_ms, (int64_t)T0 * 1000 - 5000);
	assert_int_equal(x->g.f[1].end_ms, (int64_t)T0 * 1000 - 1000);
	say("the same template from another domain is a different one");
	ipfix_begin(&p, 0, 2);
	data_basic(&p, 256, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 2);
	assert_int_equal(x->st.no_template, 2);
	say("re-announcing an unchanged template is not a new one");
	ipfix_begin(&p, 4, 1);
	tmpl_basic(&p, 256);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.templates, 1);
	fx_free(x);
}

static void
test_ipfix_withdrawal(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	tmpl_basic(&p, 257);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(vigil_flow_templates_count(x->t), 2);
	say("a template record with field count 0 withdraws it");
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 2);
	put16(&p, 256);
	put16(&p, 0);
	set_end(&p, s);
	data_basic(&p, 256, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(vigil_flow_templates_count(x->t), 1);
	assert_int_equal(x->g.n, 0);
	assert_int_equal(x->st.no_template, 1);
	assert_int_equal(x->st.withdrawn, 1);
	say("template id 2 withdraws every template of the domain");
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 2);
	put16(&p, 2);
	put16(&p, 0);
	set_end(&p, s);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(vigil_flow_templates_count(x->t), 0);
	assert_int_equal(x->st.withdrawn, 2);
	fx_free(x);
}

static void
test_template_expiry_and_refresh(void **state)
{
	struct fx *x = fx_new(0, 1000);
	struct pk p;

	(void)state;
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	say("re-announcing a template renews its age");
	assert_int_equal(feed(x, &p, 900), VIGIL_OK);
	ipfix_begin(&p, 0, 1);
	data_basic(&p, 256, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 1800), VIGIL_OK);
	assert_int_equal(x->g.n, 1);
	say("a template not refreshed within ttl expires");
	assert_int_equal(feed(x, &p, 3000), VIGIL_OK);
	assert_int_equal(x->g.n, 1);
	assert_int_equal(vigil_flow_templates_count(x->t), 0);
	assert_int_equal(x->st.withdrawn, 1);
	assert_int_equal(x->st.no_template, 1);
	fx_free(x);
}

static void
test_max_templates_evicts_oldest(void **state)
{
	struct fx *x = fx_new(2, 0);
	struct pk p;

	(void)state;
	say("with room for 2 templates a third drops the oldest");
	for (unsigned tid = 256; tid < 259; tid++) {
		ipfix_begin(&p, 0, 1);
		tmpl_basic(&p, tid);
		ipfix_end(&p);
		assert_int_equal(feed(x, &p, tid), VIGIL_OK);
	}
	assert_int_equal(vigil_flow_templates_count(x->t), 2);
	ipfix_begin(&p, 0, 1);
	data_basic(&p, 256, 1);
	data_basic(&p, 257, 1);
	data_basic(&p, 258, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 10), VIGIL_OK);
	assert_int_equal(x->g.n, 2);
	assert_int_equal(x->st.no_template, 1);
	fx_free(x);
}

static void
test_varlen_enterprise_reduced_size(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 2);
	put16(&p, 400);
	put16(&p, 8);
	put16(&p, 8); put16(&p, 4);
	put16(&p, 0x8000 | 1); put16(&p, 4); put32(&p, 29305); /* reverse */
	put16(&p, 82); put16(&p, 0xffff);                       /* varlen */
	put16(&p, 12); put16(&p, 4);
	put16(&p, 1); put16(&p, 4);                             /* reduced */
	put16(&p, 2); put16(&p, 2);
	put16(&p, 4); put16(&p, 1);
	put16(&p, 150); put16(&p, 4);
	set_end(&p, s);
	s = set_begin(&p, 400);
	/* record 1: 1-byte varlen length */
	putn(&p, a1, 4);
	put32(&p, 999999);
	put8(&p, 4);
	putn(&p, "eth0", 4);
	putn(&p, a2, 4);
	put32(&p, 123456);
	put16(&p, 77);
	put8(&p, 17);
	put32(&p, T0 - 10);
	/* record 2: 3-byte varlen length (255 + 2 bytes) */
	putn(&p, a2, 4);
	put32(&p, 1);
	put8(&p, 255);
	put16(&p, 300);
	for (unsigned i = 0; i < 300; i++)
		put8(&p, 'x');
	putn(&p, a1, 4);
	put32(&p, 42);
	put16(&p, 1);
	put8(&p, 6);
	put32(&p, T0 - 5);
	set_end(&p, s);
	ipfix_end(&p);
	say("varlen (1- and 3-byte lengths) and enterprise fields skip");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 2);
	addr_is(&x->g.f[0], "10.0.0.1", "10.1.2.3");
	addr_is(&x->g.f[1], "10.1.2.3", "10.0.0.1");
	say("reduced-size counters (4 and 2 bytes) read in full");
	assert_int_equal(x->g.f[0].bytes, 123456);
	assert_int_equal(x->g.f[0].packets, 77);
	say("the enterprise reverse count is not taken as the count");
	assert_int_equal(x->g.f[1].bytes, 42);
	assert_int_equal(x->g.f[1].proto, 6);
	say("flowStartSeconds alone gives start and end");
	assert_int_equal(x->g.f[0].start_ms, ((int64_t)T0 - 10) * 1000);
	assert_int_equal(x->g.f[0].end_ms, ((int64_t)T0 - 10) * 1000);

	say("a varlen record running past its set is refused");
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 400);
	putn(&p, a1, 4);
	put32(&p, 1);
	put8(&p, 200);
	putn(&p, "short", 5);
	putn(&p, a2, 4);
	put32(&p, 1);
	put16(&p, 1);
	set_end(&p, s);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set 400 at offset 20: record 0 "
	    "overruns the set (28 bytes)");
	fx_free(x);
}

static void
test_ipv6_and_icmp(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;
	uint8_t s6[16], d6[16], fam;

	(void)state;
	assert_true(vigil_flow_addr_parse("2001:db8::1", &fam, s6));
	assert_true(vigil_flow_addr_parse("2001:db8::2", &fam, d6));
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 2);
	put16(&p, 500);
	put16(&p, 5);
	put16(&p, 27); put16(&p, 16);
	put16(&p, 28); put16(&p, 16);
	put16(&p, 4); put16(&p, 1);
	put16(&p, 139); put16(&p, 2);
	put16(&p, 85); put16(&p, 8);
	set_end(&p, s);
	s = set_begin(&p, 500);
	putn(&p, s6, 16);
	putn(&p, d6, 16);
	put8(&p, 58);
	put16(&p, 128 << 8);
	put64(&p, 64);
	set_end(&p, s);
	ipfix_end(&p);
	say("IPv6 addresses, ICMPv6 type/code and total counts decode");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 1);
	assert_int_equal(x->g.f[0].family, 6);
	addr_is(&x->g.f[0], "2001:db8::1", "2001:db8::2");
	assert_int_equal(x->g.f[0].dport, 128 << 8);
	assert_int_equal(x->g.f[0].bytes, 64);
	say("without times the export time is used");
	assert_int_equal(x->g.f[0].start_ms, (int64_t)T0 * 1000);
	fx_free(x);
}

static void
test_ntp_time_fields(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;
	uint64_t ntp = (uint64_t)(T0 + 2208988800u) << 32;

	(void)state;
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 2);
	put16(&p, 800);
	put16(&p, 4);
	put16(&p, 8); put16(&p, 4);
	put16(&p, 12); put16(&p, 4);
	put16(&p, 154); put16(&p, 8);
	put16(&p, 157); put16(&p, 8);
	set_end(&p, s);
	s = set_begin(&p, 800);
	putn(&p, a1, 4);
	putn(&p, a2, 4);
	put64(&p, ntp | 0x80000000u);     /* + 0.5 s */
	put64(&p, ntp + (3ull << 32));    /* + 3 s */
	set_end(&p, s);
	ipfix_end(&p);
	say("flowStartMicroseconds / flowEndNanoseconds (NTP format) read");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->g.n, 1);
	assert_int_equal(x->g.f[0].start_ms, (int64_t)T0 * 1000 + 500);
	assert_int_equal(x->g.f[0].end_ms, (int64_t)T0 * 1000 + 3000);
	fx_free(x);
}

static void
test_options_and_system_init_time(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 3);
	put16(&p, 600);
	put16(&p, 2);
	put16(&p, 1);
	put16(&p, 143); put16(&p, 4);
	put16(&p, 160); put16(&p, 8);
	set_end(&p, s);
	s = set_begin(&p, 2);
	put16(&p, 601);
	put16(&p, 4);
	put16(&p, 8); put16(&p, 4);
	put16(&p, 12); put16(&p, 4);
	put16(&p, 22); put16(&p, 4);
	put16(&p, 21); put16(&p, 4);
	set_end(&p, s);
	s = set_begin(&p, 600);
	put32(&p, 1);
	put64(&p, (uint64_t)T0 * 1000 - 100000);
	set_end(&p, s);
	s = set_begin(&p, 601);
	putn(&p, a1, 4);
	putn(&p, a2, 4);
	put32(&p, 20000);
	put32(&p, 30000);
	set_end(&p, s);
	ipfix_end(&p);
	say("options data is skipped, not delivered");
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.skipped, 1);
	assert_int_equal(x->g.n, 1);
	say("flowStart/EndSysUpTime count from systemInitTimeMilliseconds");
	assert_int_equal(x->g.f[0].start_ms, (int64_t)T0 * 1000 - 80000);
	assert_int_equal(x->g.f[0].end_ms, (int64_t)T0 * 1000 - 70000);
	fx_free(x);
}

static void
test_ipfix_malformed_refused(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;
	size_t s;

	(void)state;
	say("a short IPFIX header is refused");
	ipfix_begin(&p, 0, 1);
	p.n = 10;
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err,
	    "IPFIX header at offset 0: 10 bytes, need 16");
	say("a message length that disagrees is refused");
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	ipfix_end(&p);
	p.n -= 4;
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX header at offset 2: length 64 "
	    "disagrees with the 60 bytes received");
	say("a set longer than the message is refused");
	ipfix_begin(&p, 0, 1);
	s = set_begin(&p, 256);
	put32(&p, 0);
	set16(&p, s + 2, 100);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set 256 at offset 16: length 100 "
	    "overruns the packet (8 bytes left)");
	say("a zero-length set is refused");
	ipfix_begin(&p, 0, 1);
	set_begin(&p, 256);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set 256 at offset 16: length 0 is "
	    "shorter than its header");
	say("a template declaring more fields than its set holds is refused, "
	    "after the records before it were delivered");
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	data_basic(&p, 256, 1);
	s = set_begin(&p, 2);
	put16(&p, 257);
	put16(&p, 5);
	put16(&p, 8); put16(&p, 4);
	set_end(&p, s);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set 2 at offset 118: template 257 "
	    "declares 5 fields, more than its set holds");
	assert_int_equal(x->g.n, 1);
	say("a set header cut short is refused");
	ipfix_begin(&p, 0, 1);
	put16(&p, 256);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set header at offset 16: 2 bytes "
	    "left, need 4");
	say("a template id below 256 is refused");
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 255);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_EINVAL);
	assert_string_equal(x->err, "IPFIX set 2 at offset 20: template id "
	    "255 is reserved (below 256)");
	assert_int_equal(x->st.malformed, 7);
	fx_free(x);
}

static void
test_ipfix_sequence_gaps(void **state)
{
	struct fx *x = fx_new(0, 0);
	struct pk p;

	(void)state;
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	data_basic(&p, 256, 2);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	say("IPFIX sequence numbers count data records: 2 then 2 is no gap");
	ipfix_begin(&p, 2, 1);
	data_basic(&p, 256, 3);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.seq_gaps, 0);
	say("5 expected, 9 received: 4 records missed");
	ipfix_begin(&p, 9, 1);
	data_basic(&p, 256, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.seq_gaps, 4);
	say("an older sequence number (reordering) is not a gap");
	ipfix_begin(&p, 3, 1);
	ipfix_end(&p);
	assert_int_equal(feed(x, &p, 0), VIGIL_OK);
	assert_int_equal(x->st.seq_gaps, 4);
	fx_free(x);
}

static void
test_ipfix_msg_len(void **state)
{
	struct pk p;

	(void)state;
	say("the IPFIX message length is read from its header");
	ipfix_begin(&p, 0, 1);
	tmpl_basic(&p, 256);
	ipfix_end(&p);
	assert_int_equal(vigil_ipfix_msg_len(p.b, p.n), 64);
	assert_int_equal(vigil_ipfix_msg_len(p.b, 3), 0);
	set16(&p, 2, 15);
	assert_int_equal(vigil_ipfix_msg_len(p.b, p.n), -1);
	set16(&p, 0, 9);
	assert_int_equal(vigil_ipfix_msg_len(p.b, p.n), -1);
}

/* ---- real packets from softflowd ----------------------------------------- */

static size_t
load(const char *name, uint8_t *buf, size_t size)
{
	char path[512];
	FILE *fp;
	size_t n;

	(void)snprintf(path, sizeof path, "%s/flows/%s", TEST_DATA_DIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, size, fp);
	fclose(fp);
	return n;
}

static const struct vigil_flow *
find(const struct got *g, const char *src, uint16_t sport, uint8_t proto)
{
	char s[VIGIL_FLOW_IP_STRLEN];

	for (size_t i = 0; i < g->n; i++) {
		vigil_flow_addr_str(g->f[i].family, g->f[i].src, s);
		if (strcmp(s, src) == 0 && g->f[i].sport == sport &&
		    g->f[i].proto == proto)
			return &g->f[i];
	}
	fail_msg("no flow from %s:%u", src, (unsigned)sport);
	return NULL;
}

/* What tests/data/flows/README.md says softflowd was fed. */
static void
check_softflowd(const struct got *g, bool v6, bool biflow)
{
	const struct vigil_flow *f;

	f = find(g, "10.0.0.1", 40000, 6);
	addr_is(f, "10.0.0.1", "10.1.2.3");
	assert_int_equal(f->dport, 443);
	assert_int_equal(f->packets, 5);
	assert_int_equal(f->bytes, 300);
	assert_int_equal(f->end_ms - f->start_ms, 1200);
	assert_int_equal(f->tcp_flags & 0x1f, 0x1b);
	f = find(g, "10.0.0.2", 5353, 17);
	assert_int_equal(f->dport, 53);
	assert_int_equal(f->packets, 3);
	assert_int_equal(f->bytes, 174);
	f = find(g, "10.0.0.5", 41000, 6);
	assert_int_equal(f->packets, 1);
	assert_int_equal(f->bytes, 40);
	if (!biflow) {
		f = find(g, "10.1.2.3", 443, 6);
		assert_int_equal(f->packets, 3);
		assert_int_equal(f->bytes, 1120);
		f = find(g, "10.9.9.9", 53, 17);
		assert_int_equal(f->bytes, 354);
	}
	f = find(g, "10.0.0.3", 0, 1);
	assert_int_equal(f->packets, 2);
	assert_int_equal(f->bytes, 168);
	assert_int_equal(f->dport, 8 << 8);
	if (v6) {
		f = find(g, "fd00::1", 7000, 17);
		assert_int_equal(f->family, 6);
		addr_is(f, "fd00::1", "fd00::2");
		assert_int_equal(f->packets, 2);
		assert_int_equal(f->bytes, 136);
	}
}

static void
test_softflowd_packets_decode(void **state)
{
	static const struct {
		const char *file;
		size_t flows;
		bool v6, biflow;
	} files[] = {
		{ "softflowd_v5.bin", 6, false, false },
		{ "softflowd_v9.bin", 7, true, false },
		{ "softflowd_ipfix.bin", 7, true, false },
		{ "softflowd_ipfix_ms.bin", 7, true, false },
		{ "softflowd_ipfix_biflow.bin", 5, true, true },
	};
	uint8_t buf[VIGIL_FLOWPKT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct fx *x = fx_new(0, 0);
		size_t n = load(files[i].file, buf, sizeof buf);
		char msg[160];

		(void)snprintf(msg, sizeof msg, "softflowd's %s: %zu flows "
		    "with the counts it was fed", files[i].file,
		    files[i].flows);
		say(msg);
		x->err[0] = '\0';
		assert_int_equal(vigil_flowpkt_decode(x->t, 1, buf, n, 0,
		    collect, &x->g, &x->st, x->err, sizeof x->err), VIGIL_OK);
		assert_int_equal(x->g.n, files[i].flows);
		assert_int_equal(x->st.no_template, 0);
		check_softflowd(&x->g, files[i].v6, files[i].biflow);
		if (strcmp(files[i].file, "softflowd_ipfix_ms.bin") == 0) {
			say("flowStartMilliseconds is the pcap's own time");
			assert_int_equal(find(&x->g, "10.0.0.1", 40000,
			    6)->start_ms, 1700000000000LL);
		}
		fx_free(x);
	}
}

/* ---- the direct plan against the field plan --------------------------------- */

/* (IE, length) pairs a random template is drawn from: every field the
 * decoders read, some at lengths they do not (stepped over), unknown
 * ones; len 0 = a random counter length (reduced-size encoding). */
static const uint16_t pick_ies[][2] = {
	{ 1, 0 }, { 2, 0 }, { 85, 0 }, { 86, 0 }, { 23, 0 }, { 24, 0 },
	{ 4, 1 }, { 6, 1 }, { 6, 2 }, { 7, 2 }, { 11, 2 }, { 8, 4 },
	{ 12, 4 }, { 27, 16 }, { 28, 16 }, { 21, 4 }, { 22, 4 },
	{ 150, 4 }, { 151, 4 }, { 152, 8 }, { 153, 8 }, { 154, 8 },
	{ 155, 8 }, { 156, 8 }, { 157, 8 }, { 32, 2 }, { 139, 2 },
	{ 8, 3 }, { 7, 4 }, { 152, 4 }, { 99, 5 }, { 210, 3 },
};

static void
flow_equal(const struct vigil_flow *a, const struct vigil_flow *b)
{
	assert_int_equal(a->start_ms, b->start_ms);
	assert_int_equal(a->end_ms, b->end_ms);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->tcp_flags, b->tcp_flags);
	assert_memory_equal(a->src, b->src, 16);
	assert_memory_equal(a->dst, b->dst, 16);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->packets, b->packets);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->rpackets, b->rpackets);
	assert_int_equal(a->rbytes, b->rbytes);
	assert_memory_equal(a->state, b->state, sizeof a->state);
	assert_int_equal(a->exporter, b->exporter);
}

/* Fixed-length templates decode through their compiled (direct) plan;
 * the same fields followed by one variable-length field go through the
 * field plan, field by field. Random templates (fields repeated, mixed
 * families, every time form, reduced sizes) and random records: both
 * must give the same flows, and skip the same records. */
static void
test_direct_plan_matches_field_plan(void **state)
{
	unsigned seed = 20261126u;

	(void)state;
	say("2,000 random templates: compiled and field-plan decoding agree "
	    "on every record");
	for (int it = 0; it < 2000; it++) {
		struct fx *x = fx_new(0, 0), *y = fx_new(0, 0);
		uint16_t ies[12], lens[12];
		unsigned nf = 1 + rand_r(&seed) % 12, nrec = 1 + rand_r(&seed) % 4;
		struct pk p, q;
		size_t s, t;

		for (unsigned i = 0; i < nf; i++) {
			const uint16_t *c = pick_ies[rand_r(&seed) %
			    (sizeof pick_ies / sizeof pick_ies[0])];

			ies[i] = c[0];
			lens[i] = c[1] != 0 ? c[1] :
			    (uint16_t)(1 + rand_r(&seed) % 8);
		}
		ipfix_begin(&p, 0, 1);
		ipfix_begin(&q, 0, 1);
		s = set_begin(&p, 2);
		t = set_begin(&q, 2);
		put16(&p, 300);
		put16(&p, nf);
		put16(&q, 300);
		put16(&q, nf + 1);
		for (unsigned i = 0; i < nf; i++) {
			put16(&p, ies[i]);
			put16(&p, lens[i]);
			put16(&q, ies[i]);
			put16(&q, lens[i]);
		}
		put16(&q, 82);          /* interfaceName, variable length */
		put16(&q, 0xffff);
		set_end(&p, s);
		set_end(&q, t);
		s = set_begin(&p, 300);
		t = set_begin(&q, 300);
		for (unsigned r = 0; r < nrec; r++) {
			for (unsigned i = 0; i < nf; i++) {
				for (unsigned k = 0; k < lens[i]; k++) {
					unsigned v = (unsigned)rand_r(&seed);

					/* ICMP now and then */
					if (ies[i] == 4 && v % 3 == 0)
						v = v % 2 ? 1 : 58;
					put8(&p, v & 0xff);
					put8(&q, v & 0xff);
				}
			}
			put8(&q, 0);        /* an empty interfaceName */
		}
		set_end(&p, s);
		set_end(&q, t);
		ipfix_end(&p);
		ipfix_end(&q);
		assert_int_equal(feed(x, &p, 0), VIGIL_OK);
		assert_int_equal(feed(y, &q, 0), VIGIL_OK);
		assert_int_equal(x->g.n, y->g.n);
		assert_int_equal(x->st.records, y->st.records);
		assert_int_equal(x->st.skipped, y->st.skipped);
		for (size_t i = 0; i < x->g.n; i++)
			flow_equal(&x->g.f[i], &y->g.f[i]);
		fx_free(x);
		fx_free(y);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_round_trip),
		cmocka_unit_test(test_v5_known_packet_fields),
		cmocka_unit_test(test_v5_malformed_refused),
		cmocka_unit_test(test_v9_template_then_data),
		cmocka_unit_test(test_v9_options_skipped_and_bad_template),
		cmocka_unit_test(test_callback_stop_ends_packet),
		cmocka_unit_test(test_ipfix_data_before_template_then_after),
		cmocka_unit_test(test_ipfix_withdrawal),
		cmocka_unit_test(test_template_expiry_and_refresh),
		cmocka_unit_test(test_max_templates_evicts_oldest),
		cmocka_unit_test(test_varlen_enterprise_reduced_size),
		cmocka_unit_test(test_ipv6_and_icmp),
		cmocka_unit_test(test_ntp_time_fields),
		cmocka_unit_test(test_options_and_system_init_time),
		cmocka_unit_test(test_ipfix_malformed_refused),
		cmocka_unit_test(test_ipfix_sequence_gaps),
		cmocka_unit_test(test_ipfix_msg_len),
		cmocka_unit_test(test_softflowd_packets_decode),
		cmocka_unit_test(test_direct_plan_matches_field_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
