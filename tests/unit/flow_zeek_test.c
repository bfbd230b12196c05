/*
 * Zeek conn.log reader (flow.h): TSV with its header, escaped
 * separators and custom unset markers, JSON lines, IoT-23 labelled
 * logs, header-less logs in Zeek's default column order, and refusals
 * that name the line, the field and the value.
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

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static int
line(struct vigil_zeek_reader *r, const char *s, struct vigil_flow *f,
    char *err, size_t errsize)
{
	return vigil_zeek_line(r, s, strlen(s), f, err, errsize);
}

static const char *tsv_header[] = {
	"#separator \\x09",
	"#set_separator\t,",
	"#empty_field\t(empty)",
	"#unset_field\t-",
	"#path\tconn",
	"#open\t2026-11-26-04-00-00",
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	    "proto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\t"
	    "local_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
	    "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
	    "interval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\t"
	    "count\tcount\tcount\tcount\tset[string]",
};

static void
feed_header(struct vigil_zeek_reader *r, const char *const *h, size_t n)
{
	struct vigil_flow f;
	char err[256];

	for (size_t i = 0; i < n; i++)
		assert_int_equal(line(r, h[i], &f, err, sizeof err), 0);
}

static void
test_tsv_with_header(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256], a[VIGIL_FLOW_IP_STRLEN];

	(void)state;
	say("a TSV conn.log with its header gives flows");
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	feed_header(r, tsv_header, sizeof tsv_header / sizeof *tsv_header);
	assert_int_equal(line(r, "1700000000.123456\tCabc\t192.0.2.7\t49152\t"
	    "198.51.100.9\t443\ttcp\tssl\t2.5005\t517\t4096\tSF\tT\tF\t0\t"
	    "ShADadFf\t9\t989\t8\t4516\t-", &f, err, sizeof err), 1);
	assert_int_equal(f.family, 4);
	assert_int_equal(f.proto, 6);
	vigil_flow_addr_str(f.family, f.src, a);
	assert_string_equal(a, "192.0.2.7");
	vigil_flow_addr_str(f.family, f.dst, a);
	assert_string_equal(a, "198.51.100.9");
	assert_int_equal(f.sport, 49152);
	assert_int_equal(f.dport, 443);
	assert_true(f.start_ms == 1700000000123LL);
	say("duration gives the end: start + 2.5005 s");
	assert_true(f.end_ms == 1700000002623LL);
	assert_int_equal(f.bytes, 517);
	assert_int_equal(f.rbytes, 4096);
	assert_int_equal(f.packets, 9);
	assert_int_equal(f.rpackets, 8);
	assert_string_equal(f.state, "SF");

	say("unset fields ('-') read as zero and empty state");
	assert_int_equal(line(r, "1700000001\tC2\t2001:db8::1\t5353\t"
	    "2001:db8::2\t53\tudp\t-\t-\t-\t-\t-\t-\t-\t0\t-\t-\t-\t-\t-\t-",
	    &f, err, sizeof err), 1);
	assert_int_equal(f.family, 6);
	assert_int_equal(f.proto, 17);
	assert_true(f.start_ms == 1700000001000LL && f.end_ms == f.start_ms);
	assert_int_equal(f.bytes, 0);
	assert_string_equal(f.state, "");

	say("ICMP: type and code go to dport as type << 8 | code");
	assert_int_equal(line(r, "1700000002.5\tC3\t192.0.2.7\t8\t"
	    "192.0.2.1\t0\ticmp\t-\t0.001\t56\t56\tOTH\t-\t-\t0\t-\t1\t84\t"
	    "1\t84\t-", &f, err, sizeof err), 1);
	assert_int_equal(f.proto, 1);
	assert_int_equal(f.dport, 8 << 8);
	assert_int_equal(f.sport, 0);

	say("#close and blank lines are consumed");
	assert_int_equal(line(r, "#close\t2026-11-26-05-00-00", &f, err,
	    sizeof err), 0);
	assert_int_equal(line(r, "", &f, err, sizeof err), 0);
	vigil_zeek_reader_free(r);
}

static void
test_custom_separator_and_markers(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];
	static const char *const h[] = {
		"#separator \\x2c",
		"#unset_field,NA",
		"#empty_field,EMPTY",
		("#fields,ts,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,"
		    "conn_state,orig_bytes"),
	};

	(void)state;
	say("an escaped ',' separator and custom unset/empty markers apply");
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	feed_header(r, h, 4);
	assert_int_equal(line(r, "10.5,10.0.0.1,1000,10.0.0.2,80,tcp,S0,NA",
	    &f, err, sizeof err), 1);
	assert_int_equal(f.dport, 80);
	assert_string_equal(f.state, "S0");
	assert_true(f.start_ms == 10500);
	assert_int_equal(line(r, "11,10.0.0.1,1000,10.0.0.2,80,tcp,EMPTY,7",
	    &f, err, sizeof err), 1);
	assert_string_equal(f.state, "");
	assert_int_equal(f.bytes, 7);
	vigil_zeek_reader_free(r);
}

static void
test_json_lines(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];

	(void)state;
	say("JSON lines: numbers or strings for ports, ts as float seconds");
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	assert_int_equal(line(r, "{\"ts\":1700000000.25,\"uid\":\"C1\","
	    "\"id.orig_h\":\"192.0.2.7\",\"id.orig_p\":40000,"
	    "\"id.resp_h\":\"192.0.2.8\",\"id.resp_p\":\"22\","
	    "\"proto\":\"tcp\",\"duration\":1.5,\"orig_bytes\":10,"
	    "\"resp_bytes\":\"20\",\"conn_state\":\"REJ\",\"orig_pkts\":1,"
	    "\"resp_pkts\":1}", &f, err, sizeof err), 1);
	assert_true(f.start_ms == 1700000000250LL);
	assert_true(f.end_ms == 1700000001750LL);
	assert_int_equal(f.sport, 40000);
	assert_int_equal(f.dport, 22);
	assert_int_equal(f.bytes, 10);
	assert_int_equal(f.rbytes, 20);
	assert_string_equal(f.state, "REJ");
	say("a JSON line with missing optional fields reads them as zero");
	assert_int_equal(line(r, "  {\"ts\":\"1700000003\",\"id.orig_h\":"
	    "\"192.0.2.7\",\"id.resp_h\":\"192.0.2.9\",\"proto\":\"udp\","
	    "\"id.resp_p\":null}", &f, err, sizeof err), 1);
	assert_int_equal(f.dport, 0);
	assert_int_equal(f.proto, 17);
	say("a JSON ts in RFC 3339 (Zeek's TS_ISO8601) is read too");
	assert_int_equal(line(r, "{\"ts\":\"2023-11-14T22:13:20.500000Z\","
	    "\"id.orig_h\":\"192.0.2.7\",\"id.resp_h\":\"192.0.2.9\","
	    "\"duration\":0.25}", &f, err, sizeof err), 1);
	assert_true(f.start_ms == 1700000000500LL);
	assert_true(f.end_ms == 1700000000750LL);
	vigil_zeek_reader_free(r);
}

static void
test_iot23_labelled(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];
	static const char *const h[] = {
		"#separator \\x09",
		"#set_separator\t,",
		"#empty_field\t(empty)",
		"#unset_field\t-",
		"#path\tconn",
		"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\t"
		    "id.resp_p\tproto\tservice\tduration\torig_bytes\t"
		    "resp_bytes\tconn_state\tlocal_orig\tlocal_resp\t"
		    "missed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
		    "resp_pkts\tresp_ip_bytes\ttunnel_parents   label   "
		    "detailed-label",
	};

	(void)state;
	say("an IoT-23 labelled line reads as conn.log, the label ignored");
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	feed_header(r, h, 6);
	assert_int_equal(line(r, "1545403816.962094\tCrDn63WjJEmrWGjqf\t"
	    "192.168.1.195\t41040\t185.244.25.235\t80\ttcp\t-\t3.139211\t0\t"
	    "0\tS0\t-\t-\t0\tS\t3\t180\t0\t0\t-   Malicious   "
	    "PartOfAHorizontalPortScan", &f, err, sizeof err), 1);
	assert_int_equal(f.dport, 80);
	assert_string_equal(f.state, "S0");
	assert_int_equal(f.packets, 3);
	vigil_zeek_reader_free(r);
}

static void
test_headerless_default_order(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];

	(void)state;
	say("without a header, Zeek's default conn.log order is assumed");
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	assert_int_equal(line(r, "5\tC\t10.1.1.1\t1\t10.1.1.2\t2\tudp\t-\t-\t"
	    "-\t-\tS0\t-\t-\t0\tD\t1\t29\t0\t0\t-\r", &f, err, sizeof err),
	    1);
	assert_int_equal(f.dport, 2);
	assert_string_equal(f.state, "S0");
	vigil_zeek_reader_free(r);
}

static void
refused(struct vigil_zeek_reader *r, const char *s, const char *want)
{
	struct vigil_flow f;
	char err[256] = "";

	assert_int_equal(line(r, s, &f, err, sizeof err), -1);
	printf("#   refused: %s\n", err);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not say '%s'", err, want);
}

static void
test_refusals_name_line_field_value(void **state)
{
	struct vigil_zeek_reader *r;
	struct vigil_flow f;
	char err[256];
	char *big;

	(void)state;
	assert_int_equal(vigil_zeek_reader_new(&r), VIGIL_OK);
	feed_header(r, tsv_header, sizeof tsv_header / sizeof *tsv_header);
	say("a port over 65535 is refused with line, field and value");
	refused(r, "1\tC\t10.0.0.1\t1\t10.0.0.2\t70000\ttcp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-",
	    "line 9: field id.resp_p: '70000' is not a port");
	say("a bad address is refused");
	refused(r, "1\tC\t10.0.0.999\t1\t10.0.0.2\t7\ttcp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "field id.orig_h: '10.0.0.999'");
	say("mixed address families are refused");
	refused(r, "1\tC\t10.0.0.1\t1\t::1\t7\ttcp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "different families");
	say("a bad timestamp is refused");
	refused(r, "1e9\tC\t10.0.0.1\t1\t10.0.0.2\t7\ttcp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "field ts: '1e9' is not a time");
	say("a negative count is refused");
	refused(r, "1\tC\t10.0.0.1\t1\t10.0.0.2\t7\ttcp\t-\t-\t-5\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "field orig_bytes: '-5'");
	say("an unknown proto is refused");
	refused(r, "1\tC\t10.0.0.1\t1\t10.0.0.2\t7\tsctp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "field proto: 'sctp'");
	say("a conn_state over 7 letters is refused");
	refused(r, "1\tC\t10.0.0.1\t1\t10.0.0.2\t7\ttcp\t-\t-\t-\t-\t"
	    "ABCDEFGH\t-\t-\t0\t-\t-\t-\t-\t-\t-", "field conn_state");
	say("a line with fewer fields than the header is refused");
	refused(r, "1\tC\t10.0.0.1", "3 fields, the #fields header names 21");
	say("a missing ts is refused");
	refused(r, "-\tC\t10.0.0.1\t1\t10.0.0.2\t7\ttcp\t-\t-\t-\t-\t-\t"
	    "-\t-\t0\t-\t-\t-\t-\t-\t-", "field ts is missing");
	say("broken JSON and JSON of the wrong type are refused");
	refused(r, "{\"ts\":1,", "JSON");
	refused(r, "{\"ts\":1,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":"
	    "\"10.0.0.2\",\"id.resp_p\":[1]}", "id.resp_p");
	refused(r, "{\"ts\":1,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":"
	    "\"10.0.0.2\",\"id.resp_p\":1.5}", "id.resp_p");
	say("a line over VIGIL_ZEEK_LINE_MAX is refused");
	big = malloc(VIGIL_ZEEK_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', VIGIL_ZEEK_LINE_MAX + 1);
	big[VIGIL_ZEEK_LINE_MAX + 1] = '\0';
	refused(r, big, "is longer than 8192");
	free(big);
	say("more than 64 fields are refused");
	{
		char many[200];

		memset(many, '\t', 70);
		many[0] = '1';
		many[70] = '\0';
		refused(r, many, "more than 64 fields");
	}
	say("a #separator that is not one character is refused");
	refused(r, "#separator \\x09\\x09", "#separator");
	say("the reader keeps going after refusals");
	assert_int_equal(line(r, "1\tC\t10.0.0.1\t1\t10.0.0.2\t7\ttcp\t-\t-\t"
	    "-\t-\t-\t-\t-\t0\t-\t-\t-\t-\t-\t-", &f, err, sizeof err), 1);
	vigil_zeek_reader_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsv_with_header),
		cmocka_unit_test(test_custom_separator_and_markers),
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_iot23_labelled),
		cmocka_unit_test(test_headerless_default_order),
		cmocka_unit_test(test_refusals_name_line_field_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
