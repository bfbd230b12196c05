/*
 * The decision point's socket protocol (src/lib/policy/pdp_wire.c):
 * every message type survives encode + decode, partial frames wait for
 * more, and each kind of malformed frame is refused with a message
 * that says what and where.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/pdp_wire.h"

#define BUFSZ (4 + VIGIL_PDPW_FRAME_MAX + 64)

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- raw frames, for the malformed cases ---- */

struct raw {
	uint8_t b[BUFSZ * 2];
	size_t n;
};

static void
raw_u8(struct raw *r, unsigned v)
{
	r->b[r->n++] = (uint8_t)v;
}

static void
raw_u16(struct raw *r, unsigned v)
{
	raw_u8(r, v >> 8 & 0xff);
	raw_u8(r, v & 0xff);
}

static void
raw_u32(struct raw *r, uint32_t v)
{
	raw_u16(r, v >> 16);
	raw_u16(r, v & 0xffff);
}

static void
raw_bytes(struct raw *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void
raw_str(struct raw *r, const char *s, size_t n)
{
	raw_u16(r, (unsigned)n);
	raw_bytes(r, s, n);
}

/* Header with a length placeholder; raw_end() fills it in. */
static void
raw_hdr(struct raw *r, unsigned version, unsigned type, unsigned flags)
{
	r->n = 0;
	raw_u32(r, 0);
	raw_u8(r, version);
	raw_u8(r, type);
	raw_u16(r, flags);
	raw_u32(r, 7);
}

static void
raw_end(struct raw *r)
{
	uint32_t len = (uint32_t)(r->n - 4);

	r->b[0] = (uint8_t)(len >> 24);
	r->b[1] = (uint8_t)(len >> 16);
	r->b[2] = (uint8_t)(len >> 8);
	r->b[3] = (uint8_t)len;
}

/* A well-formed DECIDE whose resource is the n bytes of res. */
static void
raw_decide(struct raw *r, unsigned action, const char *res, size_t n)
{
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_DECIDE, 0);
	raw_u8(r, action);
	raw_str(r, "c1", 2);
	raw_str(r, "0A1B", 4);
	raw_str(r, "127.0.0.1", 9);
	raw_str(r, res, n);
	raw_end(r);
}

/* Decodes r expecting a refusal whose message contains want. */
static void
refused(const struct raw *r, const char *want)
{
	struct vigil_pdpw_msg *m = malloc(sizeof *m);
	char err[256] = "";
	size_t used = 99;

	assert_non_null(m);
	assert_int_equal(vigil_pdpw_decode(r->b, r->n, m, &used, err,
	    sizeof err), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	printf("#   refused: %s\n", err);
	free(m);
}

/* ---- round trips ---- */

static struct vigil_pdpw_msg *
round_trip(const struct vigil_pdpw_msg *in)
{
	static uint8_t buf[BUFSZ];
	struct vigil_pdpw_msg *out = calloc(1, sizeof *out);
	char err[256] = "";
	size_t used = 0;
	long n;

	assert_non_null(out);
	n = vigil_pdpw_encode(in, buf, sizeof buf, err, sizeof err);
	if (n < 0)
		fail_msg("encode: %s", err);
	assert_true((size_t)n >= VIGIL_PDPW_HDR);
	assert_int_equal(vigil_pdpw_decode(buf, (size_t)n, out, &used, err,
	    sizeof err), 1);
	assert_int_equal(used, (size_t)n);
	assert_int_equal(out->type, in->type);
	assert_int_equal(out->id, in->id);
	return out;
}

static void
every_type_round_trips(void **state)
{
	struct vigil_pdpw_msg in, *out;

	(void)state;
	say("HELLO keeps its agent string");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_HELLO;
	in.id = 1;
	snprintf(in.text, sizeof in.text, "vigil_mosquitto/1 mosquitto/2.0");
	out = round_trip(&in);
	assert_string_equal(out->text, in.text);
	free(out);

	say("WELCOME keeps epoch (all 64 bits), ttl and server");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_WELCOME;
	in.id = 0xfffffffe;
	in.epoch = 0x0123456789abcdefULL;
	in.cache_ttl_ms = 5000;
	snprintf(in.text, sizeof in.text, "vigild/0.5");
	out = round_trip(&in);
	assert_true(out->epoch == in.epoch);
	assert_int_equal(out->cache_ttl_ms, 5000);
	assert_string_equal(out->text, "vigild/0.5");
	free(out);

	say("DECIDE keeps action and all four strings (UTF-8 topic, "
	    "maximum-length resource)");
	for (int a = VIGIL_PDPW_CONNECT; a <= VIGIL_PDPW_RECEIVE; a++) {
		memset(&in, 0, sizeof in);
		in.type = VIGIL_PDPW_DECIDE;
		in.id = (uint32_t)a;
		in.action = (uint8_t)a;
		snprintf(in.client_id, sizeof in.client_id, "sensor-%d", a);
		snprintf(in.cert_serial, sizeof in.cert_serial, "0A1B2C");
		snprintf(in.source_ip, sizeof in.source_ip, "::ffff:10.0.0.1");
		snprintf(in.resource, sizeof in.resource,
		    "dev/\xc3\xa4/\xf0\x9f\x98\x80/+");
		out = round_trip(&in);
		assert_int_equal(out->action, a);
		assert_string_equal(out->client_id, in.client_id);
		assert_string_equal(out->cert_serial, in.cert_serial);
		assert_string_equal(out->source_ip, in.source_ip);
		assert_string_equal(out->resource, in.resource);
		free(out);
	}
	memset(in.resource, 'r', VIGIL_PDPW_RESOURCE_MAX);
	in.resource[VIGIL_PDPW_RESOURCE_MAX] = '\0';
	out = round_trip(&in);
	assert_int_equal(strlen(out->resource), VIGIL_PDPW_RESOURCE_MAX);
	free(out);

	say("DECIDE for CONNECT with an empty resource and no serial");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_DECIDE;
	in.action = VIGIL_PDPW_CONNECT;
	out = round_trip(&in);
	assert_string_equal(out->resource, "");
	assert_string_equal(out->cert_serial, "");
	free(out);

	say("DECISION keeps effect, cacheable flag, epoch, device, reason");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_DECISION;
	in.id = 42;
	in.effect = 1;
	in.dflags = VIGIL_PDPW_CACHEABLE;
	in.epoch = 17;
	snprintf(in.device_id, sizeof in.device_id,
	    "0b6f3c1e-2a5d-4c8e-9f10-1a2b3c4d5e6f");
	snprintf(in.text, sizeof in.text, "allowed by sid Telemetry");
	out = round_trip(&in);
	assert_int_equal(out->effect, 1);
	assert_int_equal(out->dflags, VIGIL_PDPW_CACHEABLE);
	assert_true(out->epoch == 17);
	assert_string_equal(out->device_id, in.device_id);
	assert_string_equal(out->text, in.text);
	free(out);

	say("EPOCH keeps its epoch");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_EPOCH;
	in.epoch = 99;
	out = round_trip(&in);
	assert_true(out->epoch == 99);
	free(out);

	say("ERROR keeps its message");
	memset(&in, 0, sizeof in);
	in.type = VIGIL_PDPW_ERROR;
	snprintf(in.text, sizeof in.text, "DECIDE before HELLO");
	out = round_trip(&in);
	assert_string_equal(out->text, in.text);
	free(out);
}

static void
partial_frames_wait_for_more(void **state)
{
	struct vigil_pdpw_msg *m = malloc(sizeof *m);
	struct raw *r = malloc(sizeof *r);
	char err[256];
	size_t used;

	(void)state;
	assert_non_null(m);
	assert_non_null(r);
	say("every proper prefix of a DECIDE returns 0 with used 0");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "a/b", 3);
	for (size_t n = 0; n < r->n; n++) {
		used = 99;
		assert_int_equal(vigil_pdpw_decode(r->b, n, m, &used, err,
		    sizeof err), 0);
		assert_int_equal(used, 0);
	}
	say("two frames in one buffer: the first is used, then the second");
	{
		size_t one = r->n;

		memcpy(r->b + one, r->b, one);
		assert_int_equal(vigil_pdpw_decode(r->b, 2 * one, m, &used,
		    err, sizeof err), 1);
		assert_int_equal(used, one);
		assert_string_equal(m->resource, "a/b");
		assert_int_equal(vigil_pdpw_decode(r->b + used, 2 * one - used,
		    m, &used, err, sizeof err), 1);
		assert_int_equal(used, one);
	}
	free(r);
	free(m);
}

static void
malformed_frames_refused_with_reason(void **state)
{
	struct raw *r = malloc(sizeof *r);
	char big[5000];

	(void)state;
	assert_non_null(r);
	say("a length field below the header size");
	r->n = 0;
	raw_u32(r, 3);
	raw_u32(r, 0);
	refused(r, "frame length 3, at least 8");

	say("a length field over the maximum is refused at once (4 bytes)");
	r->n = 0;
	raw_u32(r, VIGIL_PDPW_FRAME_MAX + 1);
	refused(r, "frame length 8193, at most 8192");

	say("a bad protocol version");
	raw_hdr(r, 2, VIGIL_PDPW_EPOCH, 0);
	raw_u32(r, 0);
	raw_u32(r, 1);
	raw_end(r);
	refused(r, "protocol version 2, expected 1");

	say("non-zero header flags");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_EPOCH, 0x0100);
	raw_u32(r, 0);
	raw_u32(r, 1);
	raw_end(r);
	refused(r, "EPOCH: header flags 0x0100, must be 0");

	say("an unknown message type");
	raw_hdr(r, VIGIL_PDPW_VERSION, 9, 0);
	raw_end(r);
	refused(r, "unknown message type 9");
	raw_hdr(r, VIGIL_PDPW_VERSION, 0, 0);
	raw_end(r);
	refused(r, "unknown message type 0");

	say("an unknown action");
	raw_decide(r, 5, "x", 1);
	refused(r, "DECIDE: unknown action 5");
	raw_decide(r, 0, "x", 1);
	refused(r, "DECIDE: unknown action 0");

	say("trailing bytes after the body");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "x", 1);
	raw_u16(r, 0);
	raw_end(r);
	refused(r, "DECIDE: 2 trailing bytes");

	say("a length field that is too short for the body");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "abc", 3);
	r->n -= 2;
	raw_end(r);
	refused(r, "DECIDE: resource: truncated");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_EPOCH, 0);
	raw_u32(r, 1);
	raw_end(r);
	refused(r, "EPOCH: epoch: truncated");

	say("a field over its maximum");
	memset(big, 't', sizeof big);
	raw_decide(r, VIGIL_PDPW_PUBLISH, big, 5000);
	refused(r, "DECIDE: resource: 5000 bytes, at most 4096");
	raw_decide(r, VIGIL_PDPW_PUBLISH, big, VIGIL_PDPW_RESOURCE_MAX + 1);
	refused(r, "DECIDE: resource: 4097 bytes, at most 4096");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_DECIDE, 0);
	raw_u8(r, VIGIL_PDPW_CONNECT);
	raw_str(r, big, VIGIL_PDPW_CLIENT_ID_MAX + 1);
	raw_end(r);
	refused(r, "DECIDE: client_id: 257 bytes, at most 256");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_DECIDE, 0);
	raw_u8(r, VIGIL_PDPW_CONNECT);
	raw_str(r, "c", 1);
	raw_str(r, big, VIGIL_PDPW_SERIAL_MAX + 1);
	raw_end(r);
	refused(r, "DECIDE: cert_serial: 65 bytes, at most 64");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_HELLO, 0);
	raw_str(r, big, VIGIL_PDPW_TEXT_MAX + 1);
	raw_end(r);
	refused(r, "HELLO: agent: 256 bytes, at most 255");

	say("a NUL byte in a string");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "a\0b", 3);
	refused(r, "DECIDE: resource: NUL byte at 1");

	say("invalid UTF-8: bad lead, overlong, surrogate, truncated");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "ab\xff", 3);
	refused(r, "DECIDE: resource: invalid UTF-8 at byte 2");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "\xc0\xaf", 2);
	refused(r, "invalid UTF-8 at byte 0");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "\xe0\x80\xaf", 3);
	refused(r, "invalid UTF-8 at byte 0");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "\xed\xa0\x80", 3);
	refused(r, "invalid UTF-8 at byte 0");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "x\xf4\x90\x80\x80", 5);
	refused(r, "invalid UTF-8 at byte 1");
	raw_decide(r, VIGIL_PDPW_PUBLISH, "x\xe2\x82", 3);
	refused(r, "invalid UTF-8 at byte 1");

	say("a DECISION with an effect or flags out of range");
	raw_hdr(r, VIGIL_PDPW_VERSION, VIGIL_PDPW_DECISION, 0);
	raw_u8(r, 2);
	raw_u8(r, 0);
	raw_u32(r, 0);
	raw_u32(r, 1);
	raw_str(r, "", 0);
	raw_str(r, "", 0);
	raw_end(r);
	refused(r, "DECISION: effect 2, must be 0 or 1");
	r->b[VIGIL_PDPW_HDR] = 1;
	r->b[VIGIL_PDPW_HDR + 1] = 2;
	refused(r, "DECISION: flags 0x02, only bit 0 is defined");
	free(r);
}

static void
encoder_refuses_what_the_decoder_would(void **state)
{
	struct vigil_pdpw_msg m;
	uint8_t buf[64];
	static uint8_t big[BUFSZ];
	char err[256];

	(void)state;
	say("an unknown type or action is not encoded");
	memset(&m, 0, sizeof m);
	m.type = (enum vigil_pdpw_type)9;
	assert_int_equal(vigil_pdpw_encode(&m, big, sizeof big, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "unknown type 9"));
	m.type = VIGIL_PDPW_DECIDE;
	m.action = 7;
	assert_int_equal(vigil_pdpw_encode(&m, big, sizeof big, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "DECIDE: unknown action 7"));

	say("invalid UTF-8 in a string is not encoded");
	m.action = VIGIL_PDPW_PUBLISH;
	snprintf(m.resource, sizeof m.resource, "a\xc3(");
	assert_int_equal(vigil_pdpw_encode(&m, big, sizeof big, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "DECIDE: resource: invalid UTF-8 at "
	    "byte 1"));

	say("an unterminated field is not encoded");
	memset(m.resource, 0, sizeof m.resource);
	memset(m.client_id, 'c', sizeof m.client_id);
	assert_int_equal(vigil_pdpw_encode(&m, big, sizeof big, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "DECIDE: client_id: longer than 256"));

	say("a buffer too small is refused, not overrun");
	memset(&m, 0, sizeof m);
	m.type = VIGIL_PDPW_DECIDE;
	m.action = VIGIL_PDPW_PUBLISH;
	memset(m.resource, 'r', 100);
	assert_int_equal(vigil_pdpw_encode(&m, buf, sizeof buf, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "too small"));

	say("an effect out of range is not encoded");
	memset(&m, 0, sizeof m);
	m.type = VIGIL_PDPW_DECISION;
	m.effect = 3;
	assert_int_equal(vigil_pdpw_encode(&m, big, sizeof big, err,
	    sizeof err), -1);
}

static void
action_names(void **state)
{
	(void)state;
	say("each action has its policy name; unknown ones have none");
	assert_string_equal(vigil_pdpw_action_name(VIGIL_PDPW_CONNECT),
	    "mqtt:Connect");
	assert_string_equal(vigil_pdpw_action_name(VIGIL_PDPW_PUBLISH),
	    "mqtt:Publish");
	assert_string_equal(vigil_pdpw_action_name(VIGIL_PDPW_SUBSCRIBE),
	    "mqtt:Subscribe");
	assert_string_equal(vigil_pdpw_action_name(VIGIL_PDPW_RECEIVE),
	    "mqtt:Receive");
	assert_null(vigil_pdpw_action_name(0));
	assert_null(vigil_pdpw_action_name(5));
	assert_null(vigil_pdpw_action_name(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_type_round_trips),
		cmocka_unit_test(partial_frames_wait_for_more),
		cmocka_unit_test(malformed_frames_refused_with_reason),
		cmocka_unit_test(encoder_refuses_what_the_decoder_would),
		cmocka_unit_test(action_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
