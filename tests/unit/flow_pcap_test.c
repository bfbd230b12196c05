/*
 * Flows from pcap files (flow.h): small captures written in the test
 * with pcap_open_dead + pcap_dump, read back as flows: TCP states (SF,
 * S0, REJ, picked-up SYN-ACK), UDP and ICMP pairs, IPv6 with an
 * extension header, VLAN tags, Linux SLL, raw IP and BSD loopback,
 * fragments and non-IP skipped, idle timeout, end-time order, the
 * table bound, truncated files and files that are not pcap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "vigil/flow.h"

#define MAXF 16
#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define ACK 0x10
#define PSH 0x08

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vigil-pcap-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "%s/t.pcap", dir);
	unlink(cmd);
	rmdir(dir);
	return 0;
}

/* ---- writing captures -------------------------------------------- */

struct cap {
	pcap_t *dead;
	pcap_dumper_t *d;
	char path[128];
	int dlt;
	int vlans;      /* Ethernet: 802.1Q tags to add */
};

static void
cap_open(struct cap *c, int dlt)
{
	memset(c, 0, sizeof *c);
	c->dlt = dlt;
	snprintf(c->path, sizeof c->path, "%s/t.pcap", dir);
	c->dead = pcap_open_dead(dlt, 65535);
	assert_non_null(c->dead);
	c->d = pcap_dump_open(c->dead, c->path);
	assert_non_null(c->d);
}

static void
cap_close(struct cap *c)
{
	pcap_dump_close(c->d);
	pcap_close(c->dead);
}

/* Writes the IP packet ip (n bytes) at time ms, framed for the DLT. */
static void
cap_write(struct cap *c, int64_t ms, const uint8_t *ip, size_t n)
{
	uint8_t fr[2048];
	size_t off = 0;
	struct pcap_pkthdr h;
	uint16_t et = (ip[0] >> 4) == 6 ? 0x86dd : 0x0800;

	switch (c->dlt) {
	case DLT_EN10MB:
		memcpy(fr, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01",
		    12);
		off = 12;
		for (int i = 0; i < c->vlans; i++) {
			fr[off] = i == 0 && c->vlans > 1 ? 0x88 : 0x81;
			fr[off + 1] = i == 0 && c->vlans > 1 ? 0xa8 : 0x00;
			fr[off + 2] = 0;
			fr[off + 3] = (uint8_t)(10 + i);
			off += 4;
		}
		fr[off] = (uint8_t)(et >> 8);
		fr[off + 1] = (uint8_t)et;
		off += 2;
		break;
	case DLT_LINUX_SLL:
		memset(fr, 0, 16);
		fr[14] = (uint8_t)(et >> 8);
		fr[15] = (uint8_t)et;
		off = 16;
		break;
	case DLT_NULL:
		/* host byte order, as BSD writes it */
		{
			uint32_t fam = et == 0x0800 ? 2 : 30;

			memcpy(fr, &fam, 4);
		}
		off = 4;
		break;
	default:
		break;
	}
	memcpy(fr + off, ip, n);
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(ms / 1000);
	h.ts.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	h.caplen = h.len = (bpf_u_int32)(off + n);
	pcap_dump((u_char *)c->d, &h, fr);
}

/* IPv4 header + transport into b; returns the length. payload bytes of
 * zeros follow the transport header. */
static size_t
ip4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
    uint16_t frag)
{
	uint8_t fam;

	memset(b, 0, 20);
	b[0] = 0x45;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[8] = 64;
	b[9] = proto;
	{
		uint8_t a[16];

		assert_true(vigil_flow_addr_parse(src, &fam, a));
		memcpy(b + 12, a, 4);
		assert_true(vigil_flow_addr_parse(dst, &fam, a));
		memcpy(b + 16, a, 4);
	}
	return 20;
}

static void
set_len4(uint8_t *b, size_t n)
{
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
}

static size_t
tcp(uint8_t *b, uint16_t sp, uint16_t dp, uint8_t flags, size_t payload)
{
	memset(b, 0, 20 + payload);
	b[0] = (uint8_t)(sp >> 8);
	b[1] = (uint8_t)sp;
	b[2] = (uint8_t)(dp >> 8);
	b[3] = (uint8_t)dp;
	b[12] = 0x50;
	b[13] = flags;
	return 20 + payload;
}

static size_t
udp(uint8_t *b, uint16_t sp, uint16_t dp, size_t payload)
{
	memset(b, 0, 8 + payload);
	b[0] = (uint8_t)(sp >> 8);
	b[1] = (uint8_t)sp;
	b[2] = (uint8_t)(dp >> 8);
	b[3] = (uint8_t)dp;
	b[4] = (uint8_t)((8 + payload) >> 8);
	b[5] = (uint8_t)(8 + payload);
	return 8 + payload;
}

static void
w_tcp4(struct cap *c, int64_t ms, const char *s, uint16_t sp,
    const char *d, uint16_t dp, uint8_t flags, size_t payload)
{
	uint8_t b[1600];
	size_t n = ip4(b, s, d, 6, 0);

	n += tcp(b + n, sp, dp, flags, payload);
	set_len4(b, n);
	cap_write(c, ms, b, n);
}

static void
w_udp4(struct cap *c, int64_t ms, const char *s, uint16_t sp,
    const char *d, uint16_t dp, size_t payload)
{
	uint8_t b[1600];
	size_t n = ip4(b, s, d, 17, 0);

	n += udp(b + n, sp, dp, payload);
	set_len4(b, n);
	cap_write(c, ms, b, n);
}

/* ---- reading ------------------------------------------------------ */

struct got {
	struct vigil_flow f[MAXF];
	int n;
	int stop_after;
};

static int
collect(void *ctx, const struct vigil_flow *f)
{
	struct got *g = ctx;

	assert_true(g->n < MAXF);
	g->f[g->n++] = *f;
	return g->stop_after > 0 && g->n >= g->stop_after;
}

static void
run(struct got *g, struct vigil_flow_stats *st, int64_t idle, size_t max)
{
	char err[256] = "";
	char path[128];

	memset(g->f, 0, sizeof g->f);
	g->n = 0;
	memset(st, 0, sizeof *st);
	snprintf(path, sizeof path, "%s/t.pcap", dir);
	assert_int_equal(vigil_pcap_flows(path, idle, max, collect, g, st,
	    err, sizeof err), VIGIL_OK);
}

static void
addr_is(const struct vigil_flow *f, bool src, const char *want)
{
	char a[VIGIL_FLOW_IP_STRLEN];

	vigil_flow_addr_str(f->family, src ? f->src : f->dst, a);
	assert_string_equal(a, want);
}

/* ---- tests ---------------------------------------------------------- */

static void
test_tcp_handshake_and_close_is_sf(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;

	(void)state;
	say("a TCP handshake, data and FIN both ways is one SF flow");
	cap_open(&c, DLT_EN10MB);
	w_tcp4(&c, 1000, "192.0.2.7", 40000, "198.51.100.9", 443, SYN, 0);
	w_tcp4(&c, 1010, "198.51.100.9", 443, "192.0.2.7", 40000,
	    SYN | ACK, 0);
	w_tcp4(&c, 1020, "192.0.2.7", 40000, "198.51.100.9", 443, ACK, 0);
	w_tcp4(&c, 1030, "192.0.2.7", 40000, "198.51.100.9", 443,
	    PSH | ACK, 100);
	w_tcp4(&c, 1040, "198.51.100.9", 443, "192.0.2.7", 40000, ACK, 0);
	w_tcp4(&c, 1050, "192.0.2.7", 40000, "198.51.100.9", 443,
	    FIN | ACK, 0);
	w_tcp4(&c, 1060, "198.51.100.9", 443, "192.0.2.7", 40000,
	    FIN | ACK, 0);
	w_tcp4(&c, 1070, "192.0.2.7", 40000, "198.51.100.9", 443, ACK, 0);
	cap_close(&c);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.f[0].state, "SF");
	addr_is(&g.f[0], true, "192.0.2.7");
	addr_is(&g.f[0], false, "198.51.100.9");
	assert_int_equal(g.f[0].sport, 40000);
	assert_int_equal(g.f[0].dport, 443);
	assert_int_equal(g.f[0].proto, 6);
	say("the last ACK after both FINs stays in the same flow");
	assert_int_equal(g.f[0].packets, 5);
	assert_int_equal(g.f[0].rpackets, 3);
	say("bytes are IP lengths each way");
	assert_int_equal(g.f[0].bytes, 5 * 40 + 100);
	assert_int_equal(g.f[0].rbytes, 3 * 40);
	assert_true(g.f[0].start_ms == 1000 && g.f[0].end_ms == 1070);
	assert_int_equal(g.f[0].tcp_flags, SYN | ACK | PSH | FIN);
	assert_int_equal(st.packets, 8);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.malformed, 0);
}

static void
test_tcp_s0_rej_and_picked_up(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;

	(void)state;
	cap_open(&c, DLT_EN10MB);
	/* SYN retransmitted, never answered */
	w_tcp4(&c, 1000, "10.0.0.1", 5000, "10.0.0.2", 23, SYN, 0);
	w_tcp4(&c, 2000, "10.0.0.1", 5000, "10.0.0.2", 23, SYN, 0);
	/* SYN answered by RST */
	w_tcp4(&c, 3000, "10.0.0.1", 5001, "10.0.0.3", 22, SYN, 0);
	w_tcp4(&c, 3001, "10.0.0.3", 22, "10.0.0.1", 5001, RST | ACK, 0);
	/* capture starts at the SYN-ACK: the originator is the SYN's */
	w_tcp4(&c, 4000, "10.0.0.9", 80, "10.0.0.1", 6000, SYN | ACK, 0);
	w_tcp4(&c, 4001, "10.0.0.1", 6000, "10.0.0.9", 80, ACK, 0);
	cap_close(&c);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 3);
	say("an unanswered SYN is S0, retransmissions in one flow");
	assert_string_equal(g.f[0].state, "S0");
	assert_int_equal(g.f[0].packets, 2);
	assert_int_equal(g.f[0].rpackets, 0);
	say("a SYN answered by RST is REJ");
	assert_string_equal(g.f[1].state, "REJ");
	assert_int_equal(g.f[1].dport, 22);
	say("a flow picked up at its SYN-ACK has the SYN sender as orig");
	addr_is(&g.f[2], true, "10.0.0.1");
	assert_int_equal(g.f[2].sport, 6000);
	assert_int_equal(g.f[2].dport, 80);
	assert_int_equal(g.f[2].packets, 1);
	assert_int_equal(g.f[2].rpackets, 1);
}

static void
test_udp_and_icmp_pairs(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;
	uint8_t b[200];
	size_t n;

	(void)state;
	cap_open(&c, DLT_EN10MB);
	w_udp4(&c, 1000, "10.0.0.1", 33000, "10.0.0.53", 53, 30);
	w_udp4(&c, 1005, "10.0.0.53", 53, "10.0.0.1", 33000, 80);
	w_udp4(&c, 1100, "10.0.0.1", 33001, "10.0.0.54", 53, 30);
	/* echo request and reply, id 0x1234 */
	n = ip4(b, "10.0.0.1", "10.0.0.2", 1, 0);
	memset(b + n, 0, 16);
	b[n] = 8;
	b[n + 4] = 0x12;
	b[n + 5] = 0x34;
	set_len4(b, n + 16);
	cap_write(&c, 1200, b, n + 16);
	n = ip4(b, "10.0.0.2", "10.0.0.1", 1, 0);
	memset(b + n, 0, 16);
	b[n + 4] = 0x12;
	b[n + 5] = 0x34;
	set_len4(b, n + 16);
	cap_write(&c, 1201, b, n + 16);
	cap_close(&c);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 3);
	say("a UDP query and its answer are one SF flow");
	assert_int_equal(g.f[0].proto, 17);
	assert_string_equal(g.f[0].state, "SF");
	assert_int_equal(g.f[0].bytes, 20 + 8 + 30);
	assert_int_equal(g.f[0].rbytes, 20 + 8 + 80);
	say("an unanswered UDP packet is S0");
	assert_string_equal(g.f[1].state, "S0");
	say("an ICMP echo and its reply are one flow, dport = type << 8");
	assert_int_equal(g.f[2].proto, 1);
	assert_int_equal(g.f[2].dport, 8 << 8);
	assert_int_equal(g.f[2].packets, 1);
	assert_int_equal(g.f[2].rpackets, 1);
}

static void
test_ipv6_with_extension_header(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;
	uint8_t b[200], fam;

	(void)state;
	say("IPv6 TCP behind a hop-by-hop header is read, on raw IP");
	cap_open(&c, DLT_RAW);
	memset(b, 0, sizeof b);
	b[0] = 0x60;
	b[4] = 0;
	b[5] = 8 + 20;
	b[6] = 0;   /* hop-by-hop */
	b[7] = 64;
	assert_true(vigil_flow_addr_parse("2001:db8::1", &fam, b + 8));
	assert_true(vigil_flow_addr_parse("2001:db8::2", &fam, b + 24));
	b[40] = 6;  /* next: TCP */
	b[41] = 0;  /* 8 bytes */
	tcp(b + 48, 50000, 8883, SYN, 0);
	cap_write(&c, 5000, b, 68);
	cap_close(&c);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].family, 6);
	addr_is(&g.f[0], false, "2001:db8::2");
	assert_int_equal(g.f[0].dport, 8883);
	assert_int_equal(g.f[0].bytes, 68);
	assert_string_equal(g.f[0].state, "S0");
}

static void
test_vlan_sll_and_loopback(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;
	const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_NULL };

	(void)state;
	say("802.1ad + 802.1Q tags, Linux SLL and BSD loopback all decode");
	for (int i = 0; i < 3; i++) {
		cap_open(&c, dlts[i]);
		c.vlans = 2;
		w_tcp4(&c, 1000, "10.1.0.1", 1234, "10.1.0.2", 1883, SYN, 0);
		cap_close(&c);
		run(&g, &st, 0, 0);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.f[0].dport, 1883);
		assert_int_equal(st.malformed + st.skipped, 0);
	}
}

static void
test_fragments_and_non_ip_are_skipped(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;
	uint8_t b[200];
	size_t n;
	struct pcap_pkthdr h;
	uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0,
	    1, 0x08, 0x06 };

	(void)state;
	say("a later IPv4 fragment and an ARP frame are skipped and counted");
	cap_open(&c, DLT_EN10MB);
	n = ip4(b, "10.0.0.1", "10.0.0.2", 17, 0x2000); /* MF, offset 0 */
	n += udp(b + n, 4000, 9999, 100);
	set_len4(b, n);
	cap_write(&c, 1000, b, n);
	n = ip4(b, "10.0.0.1", "10.0.0.2", 17, 14); /* offset 112 */
	memset(b + n, 0xaa, 50);
	set_len4(b, n + 50);
	cap_write(&c, 1001, b, n + 50);
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = 1;
	h.caplen = h.len = sizeof arp;
	pcap_dump((u_char *)c.d, &h, arp);
	say("a packet too short for its TCP header is malformed");
	n = ip4(b, "10.0.0.1", "10.0.0.2", 6, 0);
	memset(b + n, 0, 8);
	set_len4(b, n + 8);
	cap_write(&c, 1002, b, n + 8);
	cap_close(&c);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].dport, 9999);
	assert_int_equal(st.packets, 4);
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.malformed, 1);
}

static void
test_idle_timeout_and_end_order(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;

	(void)state;
	cap_open(&c, DLT_EN10MB);
	/* A: long UDP flow 0..20 s; B: 1..2 s; C: same tuple as B after
	 * 70 s of silence */
	w_udp4(&c, 0, "10.0.0.1", 1000, "10.0.0.2", 2000, 1);
	w_udp4(&c, 1000, "10.0.0.3", 1000, "10.0.0.4", 2000, 1);
	w_udp4(&c, 2000, "10.0.0.4", 2000, "10.0.0.3", 1000, 1);
	w_udp4(&c, 20000, "10.0.0.1", 1000, "10.0.0.2", 2000, 1);
	w_udp4(&c, 72000, "10.0.0.3", 1000, "10.0.0.4", 2000, 1);
	cap_close(&c);
	run(&g, &st, 60000, 0);
	say("flows come in end-time order: B (2 s), A (20 s), C (72 s)");
	assert_int_equal(g.n, 3);
	assert_true(g.f[0].end_ms == 2000);
	assert_true(g.f[1].end_ms == 20000 && g.f[1].start_ms == 0);
	assert_true(g.f[2].start_ms == 72000);
	say("70 s of silence past a 60 s idle timeout starts a new flow");
	addr_is(&g.f[2], true, "10.0.0.3");
	assert_int_equal(g.f[2].packets, 1);
	assert_int_equal(g.f[0].packets + g.f[0].rpackets, 2);
}

static void
test_table_bound_and_stop(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;

	(void)state;
	cap_open(&c, DLT_EN10MB);
	w_udp4(&c, 0, "10.0.0.1", 1, "10.0.0.2", 1, 1);
	w_udp4(&c, 10, "10.0.0.1", 2, "10.0.0.2", 2, 1);
	w_udp4(&c, 20, "10.0.0.1", 3, "10.0.0.2", 3, 1);
	w_udp4(&c, 30, "10.0.0.1", 1, "10.0.0.2", 1, 1);
	cap_close(&c);
	say("with max_flows 2, the oldest flow is flushed early");
	run(&g, &st, 0, 2);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.f[0].sport, 1);
	assert_true(g.f[0].end_ms == 0);
	say("a callback returning non-zero stops the reader");
	g.stop_after = 1;
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(st.records, 1);
}

static void
test_truncated_and_bad_files(void **state)
{
	struct cap c;
	struct got g = { .stop_after = 0 };
	struct vigil_flow_stats st;
	char err[256];
	FILE *f;
	long size;

	(void)state;
	say("a file cut inside its last record keeps the flows before it");
	cap_open(&c, DLT_EN10MB);
	w_udp4(&c, 0, "10.0.0.1", 1, "10.0.0.2", 1, 1);
	w_udp4(&c, 10, "10.0.0.1", 2, "10.0.0.2", 2, 200);
	cap_close(&c);
	f = fopen(c.path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(truncate(c.path, size - 100), 0);
	run(&g, &st, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(st.malformed, 1);

	say("a file that is not pcap is an I/O error naming the file");
	f = fopen(c.path, "wb");
	assert_non_null(f);
	fputs("this is not a capture file at all\n", f);
	fclose(f);
	assert_int_equal(vigil_pcap_flows(c.path, 0, 0, collect, &g, &st,
	    err, sizeof err), VIGIL_EIO);
	assert_non_null(strstr(err, c.path));
	say("a missing file is an I/O error");
	assert_int_equal(vigil_pcap_flows("/nonexistent/x.pcap", 0, 0,
	    collect, &g, &st, err, sizeof err), VIGIL_EIO);

	say("an 802.11 capture is refused as unsupported");
	cap_open(&c, DLT_IEEE802_11);
	cap_close(&c);
	assert_int_equal(vigil_pcap_flows(c.path, 0, 0, collect, &g, &st,
	    err, sizeof err), VIGIL_EUNSUPPORTED);
	assert_non_null(strstr(err, "link type 105"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_handshake_and_close_is_sf),
		cmocka_unit_test(test_tcp_s0_rej_and_picked_up),
		cmocka_unit_test(test_udp_and_icmp_pairs),
		cmocka_unit_test(test_ipv6_with_extension_header),
		cmocka_unit_test(test_vlan_sll_and_loopback),
		cmocka_unit_test(test_fragments_and_non_ip_are_skipped),
		cmocka_unit_test(test_idle_timeout_and_end_order),
		cmocka_unit_test(test_table_bound_and_stop),
		cmocka_unit_test(test_truncated_and_bad_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
