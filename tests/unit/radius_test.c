/*
 * RADIUS accounting (flow.h): real radclient packets parse and verify,
 * a wrong secret is refused, every malformation is refused with a
 * message saying what and where, 3GPP values are checked, the
 * Accounting-Response verifies when recomputed independently, and the
 * IMEISV becomes the registry's IMEI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vigil/flow.h"
#include "vigil/id.h"

#define SECRET "vigiltest"
#define SLEN (sizeof SECRET - 1)

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static size_t
read_data(const char *name, uint8_t *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/radius/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static void
md5(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
    const uint8_t *c, size_t cn, uint8_t out[16])
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	unsigned n = 0;

	assert_non_null(x);
	assert_int_equal(EVP_DigestInit_ex(x, EVP_md5(), NULL), 1);
	EVP_DigestUpdate(x, a, an);
	EVP_DigestUpdate(x, b, bn);
	EVP_DigestUpdate(x, c, cn);
	EVP_DigestFinal_ex(x, out, &n);
	EVP_MD_CTX_free(x);
}

/* ---- a packet builder ----------------------------------------------- */

struct pk {
	uint8_t b[VIGIL_RADIUS_MAX + 64];
	size_t n;
};

static void
pk_begin(struct pk *p, uint8_t code, uint8_t id)
{
	memset(p, 0, sizeof *p);
	p->b[0] = code;
	p->b[1] = id;
	p->n = 20;
}

static void
pk_attr(struct pk *p, uint8_t t, const void *v, size_t n)
{
	p->b[p->n] = t;
	p->b[p->n + 1] = (uint8_t)(n + 2);
	memcpy(p->b + p->n + 2, v, n);
	p->n += n + 2;
}

static void
pk_int(struct pk *p, uint8_t t, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	pk_attr(p, t, b, 4);
}

static void
pk_3gpp(struct pk *p, uint8_t t, const void *v, size_t n)
{
	uint8_t b[300] = { 0, 0, 0x28, 0xaf, t, (uint8_t)(n + 2) };

	memcpy(b + 6, v, n);
	pk_attr(p, 26, b, n + 6);
}

/* Writes the length field and the Request Authenticator. */
static void
pk_sign(struct pk *p, const char *secret)
{
	static const uint8_t zero[16];
	uint8_t hdr[4];

	p->b[2] = (uint8_t)(p->n >> 8);
	p->b[3] = (uint8_t)p->n;
	memcpy(hdr, p->b, 4);
	{
		uint8_t tmp[VIGIL_RADIUS_MAX + 64];
		size_t tn = 0;

		memcpy(tmp, zero, 16);
		tn = 16;
		memcpy(tmp + tn, p->b + 20, p->n - 20);
		tn += p->n - 20;
		md5(hdr, 4, tmp, tn, (const uint8_t *)secret, strlen(secret),
		    p->b + 4);
	}
}

static void
pk_basic(struct pk *p)
{
	pk_begin(p, 4, 7);
	pk_int(p, 40, 1);
	pk_attr(p, 44, "sess-1", 6);
}

static enum vigil_err
parse(const struct pk *p, struct vigil_radius_acct *a, char *err,
    size_t errsize)
{
	return vigil_radius_acct_parse(p->b, p->n,
	    (const uint8_t *)SECRET, SLEN, a, err, errsize);
}

/* ---- tests -------------------------------------------------------- */

static void
test_radclient_start_parses(void **state)
{
	uint8_t buf[VIGIL_RADIUS_MAX];
	struct vigil_radius_acct a;
	char err[256];
	size_t n = read_data("radclient_start.bin", buf, sizeof buf);

	(void)state;
	say("a real radclient Accounting-Request Start parses and verifies");
	assert_int_equal(n, 171);
	assert_int_equal(vigil_radius_acct_parse(buf, n,
	    (const uint8_t *)SECRET, SLEN, &a, err, sizeof err), VIGIL_OK);
	assert_int_equal(a.code, 4);
	assert_int_equal(a.id, 0x93);
	assert_int_equal(a.status, VIGIL_ACCT_START);
	assert_string_equal(a.session_id, "5f2a9c01-0001");
	assert_string_equal(a.user_name, "204047000000123@apn.vigil.test");
	assert_string_equal(a.calling_station, "31612345678");
	assert_true(a.has_framed_ip);
	assert_memory_equal(a.framed_ip, "\x0a\x40\x00\x17", 4);
	assert_string_equal(a.nas_ip, "192.0.2.10");
	assert_string_equal(a.imsi, "204047000000123");
	assert_string_equal(a.imeisv, "3540000000000101");
	assert_string_equal(a.sgsn_mcc_mnc, "20404");
	assert_string_equal(a.mcc_mnc, "20404");
	assert_int_equal(a.uli_len, 0);
}

static void
test_radclient_stop_counts_gigawords(void **state)
{
	uint8_t buf[VIGIL_RADIUS_MAX];
	struct vigil_radius_acct a;
	char err[256];
	size_t n = read_data("radclient_stop.bin", buf, sizeof buf);

	(void)state;
	say("a radclient Stop adds the Gigawords to the octet counters");
	assert_int_equal(vigil_radius_acct_parse(buf, n,
	    (const uint8_t *)SECRET, SLEN, &a, err, sizeof err), VIGIL_OK);
	assert_int_equal(a.status, VIGIL_ACCT_STOP);
	assert_int_equal(a.session_time, 3600);
	assert_true(a.in_octets == (1ULL << 32) + 1000);
	assert_true(a.out_octets == (2ULL << 32) + 2000);
}

static void
test_wrong_secret_is_refused(void **state)
{
	uint8_t buf[VIGIL_RADIUS_MAX];
	struct vigil_radius_acct a;
	char err[256];
	size_t n = read_data("radclient_start.bin", buf, sizeof buf);

	(void)state;
	say("a wrong shared secret is refused as an authentication failure");
	assert_int_equal(vigil_radius_acct_parse(buf, n,
	    (const uint8_t *)"wrong", 5, &a, err, sizeof err), VIGIL_EAUTH);
	assert_non_null(strstr(err, "Request Authenticator does not verify"));
	assert_string_equal(a.session_id, "");
	say("one flipped attribute byte breaks the authenticator");
	buf[40] ^= 1;
	assert_int_equal(vigil_radius_acct_parse(buf, n,
	    (const uint8_t *)SECRET, SLEN, &a, err, sizeof err), VIGIL_EAUTH);
}

static void
test_response_verifies_when_recomputed(void **state)
{
	uint8_t buf[VIGIL_RADIUS_MAX], out[64], want[16];
	struct vigil_radius_acct a;
	char err[256];
	size_t n = read_data("radclient_start.bin", buf, sizeof buf);
	uint8_t hdr[4] = { 5, 0x93, 0, 20 };

	(void)state;
	say("the Accounting-Response is code 5, same id, MD5-authenticated");
	assert_int_equal(vigil_radius_acct_parse(buf, n,
	    (const uint8_t *)SECRET, SLEN, &a, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_radius_acct_response(&a,
	    (const uint8_t *)SECRET, SLEN, out, sizeof out), 20);
	assert_memory_equal(out, hdr, 4);
	md5(hdr, 4, buf + 4, 16, (const uint8_t *)SECRET, SLEN, want);
	assert_memory_equal(out + 4, want, 16);
	say("a response buffer under 20 bytes is refused");
	assert_int_equal(vigil_radius_acct_response(&a,
	    (const uint8_t *)SECRET, SLEN, out, 19), -1);
}

static void
test_built_packet_with_uli(void **state)
{
	struct pk p;
	struct vigil_radius_acct a;
	char err[256];
	uint8_t uli[13] = { 130, 0x02, 0xf4, 0x40, 0, 1, 0x02, 0xf4, 0x40,
	    0, 0, 0, 9 };

	(void)state;
	say("an Interim-Update with ULI, other vendors and unknown "
	    "attributes parses");
	pk_begin(&p, 4, 9);
	pk_int(&p, 40, 3);
	pk_attr(&p, 44, "s", 1);
	pk_3gpp(&p, 22, uli, sizeof uli);
	pk_attr(&p, 26, "\x00\x00\x01\x37\x01\x03x", 7); /* Microsoft */
	pk_attr(&p, 87, "port-1", 6);                   /* NAS-Port-Id */
	pk_sign(&p, SECRET);
	assert_int_equal(parse(&p, &a, err, sizeof err), VIGIL_OK);
	assert_int_equal(a.status, VIGIL_ACCT_INTERIM);
	assert_int_equal(a.uli_len, sizeof uli);
	assert_memory_equal(a.uli, uli, sizeof uli);
	assert_false(a.has_framed_ip);
	say("trailing padding past the Length field is ignored (RFC 2865)");
	p.b[p.n] = 0xee;
	p.n++;
	assert_int_equal(parse(&p, &a, err, sizeof err), VIGIL_OK);
}

/* One malformation: its packet is refused with err holding want. */
static void
refused(struct pk *p, bool sign, enum vigil_err code, const char *want)
{
	struct vigil_radius_acct a;
	char err[256] = "";

	if (sign)
		pk_sign(p, SECRET);
	assert_int_equal(parse(p, &a, err, sizeof err), code);
	printf("#   refused: %s\n", err);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not say '%s'", err, want);
}

static void
test_malformations_are_refused_with_reasons(void **state)
{
	struct pk p;

	(void)state;
	say("a short packet is refused");
	pk_basic(&p);
	pk_sign(&p, SECRET);
	p.n = 19;
	refused(&p, false, VIGIL_EINVAL, "shorter than the 20-byte");

	say("an Access-Request (code 1) is not accounting");
	pk_basic(&p);
	p.b[0] = 1;
	refused(&p, true, VIGIL_EINVAL, "code 1 at offset 0");

	say("a Length field past the bytes received is refused");
	pk_basic(&p);
	pk_sign(&p, SECRET);
	p.b[3] = (uint8_t)(p.n + 1);
	refused(&p, false, VIGIL_EINVAL, "length field");

	say("a Length field under 20 is refused");
	pk_basic(&p);
	pk_sign(&p, SECRET);
	p.b[3] = 19;
	refused(&p, false, VIGIL_EINVAL, "length field 19");

	say("an attribute overrunning the packet is refused with its offset");
	pk_basic(&p);
	p.b[p.n] = 31;
	p.b[p.n + 1] = 9;
	p.b[p.n + 2] = 'x';
	p.n += 3;
	refused(&p, true, VIGIL_EINVAL, "attribute 31 at offset 34: length 9");

	say("an attribute of length 1 is refused");
	pk_basic(&p);
	p.b[p.n] = 31;
	p.b[p.n + 1] = 1;
	p.n += 2;
	refused(&p, true, VIGIL_EINVAL, "shorter than its 2-byte header");

	say("a lone byte after the attributes is refused");
	pk_basic(&p);
	p.b[p.n++] = 31;
	refused(&p, true, VIGIL_EINVAL, "1 byte left");

	say("Acct-Status-Type of 3 bytes is refused");
	pk_begin(&p, 4, 1);
	pk_attr(&p, 40, "\x00\x00\x01", 3);
	refused(&p, true, VIGIL_EINVAL, "Acct-Status-Type at offset 20");

	say("a missing Acct-Status-Type is refused");
	pk_begin(&p, 4, 1);
	pk_attr(&p, 44, "s", 1);
	refused(&p, true, VIGIL_EINVAL, "Acct-Status-Type (40) is missing");

	say("Framed-IP-Address of 5 bytes is refused");
	pk_basic(&p);
	pk_attr(&p, 8, "\x0a\x00\x00\x01\x00", 5);
	refused(&p, true, VIGIL_EINVAL, "Framed-IP-Address");

	say("an Acct-Session-Id over 64 bytes is refused");
	pk_begin(&p, 4, 1);
	pk_int(&p, 40, 1);
	pk_attr(&p, 44, "0123456789012345678901234567890123456789"
	    "0123456789012345678901234", 65);
	refused(&p, true, VIGIL_EINVAL, "Acct-Session-Id at offset 26: 65");

	say("a User-Name with a control byte is refused");
	pk_basic(&p);
	pk_attr(&p, 1, "a\nb", 3);
	refused(&p, true, VIGIL_EINVAL, "control byte 0x0a");

	say("a Vendor-Specific too short for its Vendor-Id is refused");
	pk_basic(&p);
	pk_attr(&p, 26, "\x00\x00\x28", 3);
	refused(&p, true, VIGIL_EINVAL, "no room for its Vendor-Id");

	say("a 3GPP sub-attribute overrunning its VSA is refused");
	pk_basic(&p);
	pk_attr(&p, 26, "\x00\x00\x28\xaf\x01\x09" "1234", 10);
	refused(&p, true, VIGIL_EINVAL, "3GPP sub-attribute 1 at offset");

	say("a 3GPP-IMSI with a letter is refused");
	pk_basic(&p);
	pk_3gpp(&p, 1, "20404700000012a", 15);
	refused(&p, true, VIGIL_EINVAL, "3GPP-IMSI at offset");

	say("a 3GPP-IMSI of 5 digits is refused");
	pk_basic(&p);
	pk_3gpp(&p, 1, "20404", 5);
	refused(&p, true, VIGIL_EINVAL, "5 digits (6..15 allowed)");

	say("a 3GPP-IMEISV of 17 digits is refused");
	pk_basic(&p);
	pk_3gpp(&p, 20, "35400000000001011", 17);
	refused(&p, true, VIGIL_EINVAL, "3GPP-IMEISV");

	say("a 3GPP-SGSN-MCC-MNC of 4 digits is refused");
	pk_basic(&p);
	pk_3gpp(&p, 18, "2040", 4);
	refused(&p, true, VIGIL_EINVAL, "3GPP-SGSN-MCC-MNC");

	say("a User-Location-Info over 64 bytes is refused");
	{
		uint8_t big[65];

		memset(big, 1, sizeof big);
		pk_basic(&p);
		pk_3gpp(&p, 22, big, sizeof big);
		refused(&p, true, VIGIL_EINVAL, "3GPP-User-Location-Info");
	}

	say("an empty shared secret is refused");
	{
		struct vigil_radius_acct a;
		char err[128];

		pk_basic(&p);
		pk_sign(&p, SECRET);
		assert_int_equal(vigil_radius_acct_parse(p.b, p.n,
		    (const uint8_t *)"", 0, &a, err, sizeof err),
		    VIGIL_EINVAL);
		assert_non_null(strstr(err, "secret is empty"));
	}
}

static void
test_other_status_types(void **state)
{
	struct pk p;
	struct vigil_radius_acct a;
	char err[256];
	const uint32_t in[] = { 7, 8, 9 };
	const enum vigil_acct_status want[] = { VIGIL_ACCT_ON, VIGIL_ACCT_OFF,
	    VIGIL_ACCT_NONE };

	(void)state;
	say("Accounting-On/Off are read; tunnel records (9) are NONE");
	for (int i = 0; i < 3; i++) {
		pk_begin(&p, 4, 1);
		pk_int(&p, 40, in[i]);
		pk_sign(&p, SECRET);
		assert_int_equal(parse(&p, &a, err, sizeof err), VIGIL_OK);
		assert_int_equal(a.status, want[i]);
	}
}

static void
test_imeisv_to_imei(void **state)
{
	char imei[16];
	struct vigil_id id;

	(void)state;
	say("an IMEISV gives the IMEI with its Luhn check digit");
	assert_true(vigil_imeisv_to_imei("3540000000000101", imei));
	assert_int_equal(strlen(imei), 15);
	assert_memory_equal(imei, "35400000000001", 14);
	say("the IMEI made is one the registry's IMEI parser accepts");
	assert_int_equal(vigil_id_parse(VIGIL_ID_IMEI, imei, strlen(imei),
	    &id), VIGIL_OK);
	say("a known IMEI: 49015420323751 + check digit 8");
	assert_true(vigil_imeisv_to_imei("4901542032375101", imei));
	assert_string_equal(imei, "490154203237518");
	assert_true(vigil_imeisv_to_imei("490154203237518", imei));
	assert_string_equal(imei, "490154203237518");
	say("14 or 17 digits and non-digits are refused");
	assert_false(vigil_imeisv_to_imei("35400000000001", imei));
	assert_false(vigil_imeisv_to_imei("35400000000001011", imei));
	assert_false(vigil_imeisv_to_imei("354000000000010x", imei));
	assert_false(vigil_imeisv_to_imei(NULL, imei));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_radclient_start_parses),
		cmocka_unit_test(test_radclient_stop_counts_gigawords),
		cmocka_unit_test(test_wrong_secret_is_refused),
		cmocka_unit_test(test_response_verifies_when_recomputed),
		cmocka_unit_test(test_built_packet_with_uli),
		cmocka_unit_test(test_malformations_are_refused_with_reasons),
		cmocka_unit_test(test_other_status_types),
		cmocka_unit_test(test_imeisv_to_imei),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
