/* Unit tests of src/lib/core: errors, bounded buffers, hex, base64 and
 * base64url (RFC 4648 §10 vectors, §5 alphabet), UTF-8 decoding, RFC
 * 3339 time and calendar, UUIDv7, JSON helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "vigil/core.h"
#include "vigil/json.h"

static void
strerror_names_every_code_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(vigil_strerror(VIGIL_OK), "success");
	assert_string_equal(vigil_strerror(VIGIL_ESTATE),
	    "illegal state transition");
	assert_string_equal(vigil_strerror((enum vigil_err)999),
	    "unknown error");
}

static void
seterr_formats_and_returns_code(void **state)
{
	char err[16];

	(void)state;
	assert_int_equal(vigil_seterr(err, sizeof err, VIGIL_EINVAL,
	    "line %d: %s", 12, "a very long message"), VIGIL_EINVAL);
	assert_string_equal(err, "line 12: a very"); /* 15 chars + NUL */
}

static void
buf_grows_until_ceiling_then_refuses(void **state)
{
	struct vigil_buf b;

	(void)state;
	vigil_buf_init(&b, 10);
	assert_int_equal(vigil_buf_appends(&b, "hello"), VIGIL_OK);
	assert_int_equal(vigil_buf_appendf(&b, "%d", 1234), VIGIL_OK);
	assert_string_equal(b.data, "hello1234");
	assert_int_equal(vigil_buf_appends(&b, "x"), VIGIL_OK);
	assert_int_equal(vigil_buf_appends(&b, "y"), VIGIL_ERANGE);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "hello1234x");
	vigil_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	vigil_buf_free(&b);
	vigil_buf_free(&b); /* double free is harmless */
}

static void
hex_round_trips_and_rejects_odd_or_bad_digits(void **state)
{
	uint8_t raw[4] = { 0xde, 0xad, 0xbe, 0xef }, out[4];
	char hex[9];
	size_t n;

	(void)state;
	assert_int_equal(vigil_hex_encode(raw, 4, hex, sizeof hex), VIGIL_OK);
	assert_string_equal(hex, "deadbeef");
	assert_int_equal(vigil_hex_encode(raw, 4, hex, 8), VIGIL_ERANGE);
	assert_int_equal(vigil_hex_decode("DEADbeef", 8, out, 4, &n), VIGIL_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(out, raw, 4);
	assert_int_equal(vigil_hex_decode("abc", 3, out, 4, &n), VIGIL_EINVAL);
	assert_int_equal(vigil_hex_decode("zz", 2, out, 4, &n), VIGIL_EINVAL);
	assert_int_equal(vigil_hex_decode("aabbccddee", 10, out, 4, &n),
	    VIGIL_ERANGE);
}

static void
hex_value_reads_one_ascii_digit_of_either_case(void **state)
{
	(void)state;
	assert_int_equal(vigil_hex_value('0'), 0);
	assert_int_equal(vigil_hex_value('9'), 9);
	assert_int_equal(vigil_hex_value('a'), 10);
	assert_int_equal(vigil_hex_value('F'), 15);
	assert_int_equal(vigil_hex_value('g'), -1);
	assert_int_equal(vigil_hex_value('\0'), -1);
	/* Above ASCII, whatever the locale says. */
	assert_int_equal(vigil_hex_value((char)0xe9), -1);
}

static void
base64_matches_rfc4648_vectors(void **state)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba",
		"foobar" };
	static const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
		"Zm9vYmE=", "Zm9vYmFy" };
	char b64[16];
	uint8_t out[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(vigil_base64_encode((const uint8_t *)plain[i],
		    strlen(plain[i]), b64, sizeof b64), VIGIL_OK);
		assert_string_equal(b64, enc[i]);
		assert_int_equal(vigil_base64_decode(enc[i], strlen(enc[i]),
		    out, sizeof out, &n), VIGIL_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);
	}
}

static void
base64_rejects_noncanonical_input(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(vigil_base64_decode("Zg=", 3, out, 16, &n),
	    VIGIL_EINVAL); /* length not a multiple of 4 */
	assert_int_equal(vigil_base64_decode("Zh==", 4, out, 16, &n),
	    VIGIL_EINVAL); /* non-zero pad bits */
	assert_int_equal(vigil_base64_decode("Zm 9", 4, out, 16, &n),
	    VIGIL_EINVAL); /* whitespace */
	assert_int_equal(vigil_base64_decode("Z=9v", 4, out, 16, &n),
	    VIGIL_EINVAL); /* padding in the middle */
}

/* RFC 4648 §10 vectors without their padding, as §5 allows when the
 * length is known, plus the two characters where §5 differs from §4. */
static void
base64url_matches_rfc4648_vectors_unpadded(void **state)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba",
		"foobar", "\xfb\xef\xbe", "\xff\xff", "\xfb\xff" };
	static const char *enc[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
		"Zm9vYmE", "Zm9vYmFy", "----", "__8", "-_8" };
	char b64[16];
	uint8_t out[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		print_message("base64url \"%s\"\n", enc[i]);
		assert_int_equal(vigil_base64url_encode(
		    (const uint8_t *)plain[i], strlen(plain[i]), b64,
		    sizeof b64), VIGIL_OK);
		assert_string_equal(b64, enc[i]);
		assert_int_equal(vigil_base64url_decode(enc[i], strlen(enc[i]),
		    out, sizeof out, &n), VIGIL_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);
	}
}

static void
base64url_needs_room_for_text_and_nul(void **state)
{
	const uint8_t raw[32] = { 0 };
	char text[44];

	(void)state;
	/* 32 bytes are 43 characters without padding. */
	assert_int_equal(vigil_base64url_encode(raw, 32, text, 43),
	    VIGIL_ERANGE);
	assert_int_equal(vigil_base64url_encode(raw, 32, text, 44), VIGIL_OK);
	assert_int_equal(strlen(text), 43);
	assert_int_equal(vigil_base64url_encode(raw, 1, text, 2),
	    VIGIL_ERANGE);
	assert_int_equal(vigil_base64url_encode(raw, 1, text, 3), VIGIL_OK);
	assert_string_equal(text, "AA");
}

static void
base64url_rejects_padding_and_noncanonical_input(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(vigil_base64url_decode("Zg==", 4, out, 16, &n),
	    VIGIL_EINVAL); /* padding */
	assert_int_equal(vigil_base64url_decode("+/8", 3, out, 16, &n),
	    VIGIL_EINVAL); /* §4 alphabet */
	assert_int_equal(vigil_base64url_decode("Zm9vY", 5, out, 16, &n),
	    VIGIL_EINVAL); /* a lone last character */
	assert_int_equal(vigil_base64url_decode("Zh", 2, out, 16, &n),
	    VIGIL_EINVAL); /* non-zero pad bits */
	assert_int_equal(vigil_base64url_decode("Zm9", 3, out, 16, &n),
	    VIGIL_EINVAL); /* non-zero pad bits */
	assert_int_equal(vigil_base64url_decode("Zm 9", 4, out, 16, &n),
	    VIGIL_EINVAL); /* whitespace */
	assert_int_equal(n, 0);
	assert_int_equal(vigil_base64url_decode("Zm9vYmFy", 8, out, 5, &n),
	    VIGIL_ERANGE);
	assert_int_equal(vigil_base64url_decode("Zm9vYmE", 7, out, 5, &n),
	    VIGIL_OK);
	assert_int_equal(n, 5);
}

static void
utf8_decode_accepts_shortest_forms_and_rejects_the_rest(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} ok[] = {
		{ "A", 1, 0x41 },
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	static const char *const bad[] = {
		"\x80",             /* lone continuation byte */
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong, 3 bytes */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"\xf5\x80\x80\x80", /* no such lead byte */
		("\xc3" "A"),       /* continuation missing */
	};
	uint32_t cp;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		print_message("valid U+%04X\n", (unsigned)ok[i].cp);
		assert_int_equal(vigil_utf8_decode(ok[i].s, strlen(ok[i].s),
		    &cp), ok[i].len);
		assert_int_equal(cp, ok[i].cp);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("invalid #%zu\n", i);
		assert_int_equal(vigil_utf8_decode(bad[i], strlen(bad[i]),
		    NULL), 0);
	}
	/* A sequence cut short by the length is invalid too. */
	assert_int_equal(vigil_utf8_decode("\xe2\x82\xac", 2, NULL), 0);
}

static void
time_formats_rfc3339_with_milliseconds(void **state)
{
	char s[VIGIL_RFC3339_LEN];

	(void)state;
	vigil_time_format(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00.000Z");
	vigil_time_format(1645557742000LL, s);
	assert_string_equal(s, "2022-02-22T19:22:22.000Z");
	vigil_time_format(-1, s);
	assert_string_equal(s, "1969-12-31T23:59:59.999Z");
}

static void
time_parses_offsets_fractions_and_rejects_bad_fields(void **state)
{
	int64_t ms;
	char err[128];

	(void)state;
	assert_int_equal(vigil_time_parse("2022-02-22T19:22:22Z", &ms, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(ms, 1645557742000LL);
	assert_int_equal(vigil_time_parse("2022-02-22T21:22:22.5+02:00", &ms,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(ms, 1645557742500LL);
	assert_int_equal(vigil_time_parse("2024-02-29T00:00:00.123456Z", &ms,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(ms % 1000, 123);
	assert_int_equal(vigil_time_parse("2023-02-29T00:00:00Z", &ms, err,
	    sizeof err), VIGIL_EINVAL);
	assert_string_equal(err,
	    "time '2023-02-29T00:00:00Z': field out of range");
	assert_int_equal(vigil_time_parse("2023-02-28T00:00:00", &ms, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_time_parse("2023-02-28T00:00:00+0100", &ms,
	    err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "time '2023-02-28T00:00:00+0100': missing or "
	    "bad UTC offset at position 20 (expected Z or +HH:MM)");
}

static void
uuid7_has_version_variant_and_time_order(void **state)
{
	char a[VIGIL_UUID_STRLEN], b[VIGIL_UUID_STRLEN];

	(void)state;
	assert_int_equal(vigil_uuid7(a), VIGIL_OK);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '7');
	assert_non_null(strchr("89ab", a[19]));
	assert_int_equal(a[8], '-');
	assert_int_equal(vigil_uuid7(b), VIGIL_OK);
	assert_string_not_equal(a, b);
	/* Ids made one after the other sort in creation order, even
	 * within one millisecond (RFC 9562 §6.2 counter). */
	for (int i = 0; i < 5000; i++) {
		memcpy(a, b, sizeof a);
		assert_int_equal(vigil_uuid7(b), VIGIL_OK);
		assert_true(strcmp(a, b) < 0);
	}
}

static void
days_in_month_knows_gregorian_leap_years(void **state)
{
	(void)state;
	assert_int_equal(vigil_days_in_month(2023, 1), 31);
	assert_int_equal(vigil_days_in_month(2023, 4), 30);
	assert_int_equal(vigil_days_in_month(2023, 2), 28);
	assert_int_equal(vigil_days_in_month(2024, 2), 29);
	assert_int_equal(vigil_days_in_month(1900, 2), 28);
	assert_int_equal(vigil_days_in_month(2000, 2), 29);
	assert_int_equal(vigil_days_in_month(2023, 12), 31);
}

static void
ct_equal_compares_all_bytes(void **state)
{
	(void)state;
	assert_true(vigil_ct_equal("secret", "secret", 6));
	assert_false(vigil_ct_equal("secret", "secreT", 6));
	assert_true(vigil_ct_equal("", "", 0));
}

static void
json_get_str_bounds_types_and_duplicates(void **state)
{
	json_t *o;
	const char *s;
	char err[128];

	(void)state;
	assert_int_equal(vigil_json_loadb("{\"a\":\"xyz\",\"n\":1}", 17, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_json_get_str(o, "a", 3, 1, &s, err, sizeof err),
	    VIGIL_OK);
	assert_string_equal(s, "xyz");
	assert_int_equal(vigil_json_get_str(o, "a", 2, 1, &s, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err,
	    "field \"a\" is 3 bytes long, the limit is 2");
	assert_int_equal(vigil_json_get_str(o, "n", 9, 1, &s, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "field \"n\" must be a string");
	assert_int_equal(vigil_json_get_str(o, "z", 9, 0, &s, err, sizeof err),
	    VIGIL_OK);
	assert_null(s);
	json_decref(o);
	assert_int_equal(vigil_json_loadb("{\"a\":1,\"a\":2}", 13, &o, err,
	    sizeof err), VIGIL_EINVAL);
	assert_null(o);
}

static void
json_string_lossy_replaces_each_bad_byte_with_fffd(void **state)
{
	json_t *v;

	(void)state;
	v = vigil_json_string_lossy("caf\xc3\xa9", 5);
	assert_string_equal(json_string_value(v), "caf\xc3\xa9");
	json_decref(v);
	v = vigil_json_string_lossy("a\xff\xc3" "b", 4);
	assert_string_equal(json_string_value(v),
	    "a\xef\xbf\xbd\xef\xbf\xbd" "b");
	json_decref(v);
	v = vigil_json_string_lossy("", 0);
	assert_string_equal(json_string_value(v), "");
	json_decref(v);
}

static void
json_builders_render_unset_as_null_and_fail_as_a_whole(void **state)
{
	json_t *o = json_object(), *v;
	int ok = 1;

	(void)state;
	assert_non_null(o);
	vigil_json_put(o, "t", vigil_json_time(1645557742000LL), &ok);
	vigil_json_put(o, "unset", vigil_json_time(0), &ok);
	vigil_json_put(o, "s", vigil_json_str_or_null("x"), &ok);
	vigil_json_put(o, "empty", vigil_json_str_or_null(""), &ok);
	assert_true(ok);
	assert_string_equal(json_string_value(json_object_get(o, "t")),
	    "2022-02-22T19:22:22.000Z");
	assert_true(json_is_null(json_object_get(o, "unset")));
	assert_string_equal(json_string_value(json_object_get(o, "s")), "x");
	assert_true(json_is_null(json_object_get(o, "empty")));
	o = vigil_json_done(o, ok);
	assert_non_null(o);
	/* A failed constructor (NULL) fails the whole rendering. */
	vigil_json_put(o, "bad", NULL, &ok);
	assert_false(ok);
	assert_null(vigil_json_done(o, ok));

	o = json_pack("{s:s, s:i}", "password", "hunter2", "n", 1);
	assert_non_null(o);
	vigil_json_wipe_str(o, "password");
	vigil_json_wipe_str(o, "n");       /* not a string: untouched */
	vigil_json_wipe_str(o, "missing"); /* absent: nothing to do */
	v = json_object_get(o, "password");
	assert_int_equal(json_string_length(v), 7);
	assert_memory_equal(json_string_value(v), "\0\0\0\0\0\0\0", 7);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 1);
	json_decref(o);
}

static EVP_PKEY *
read_back(BIO *b)
{
	return PEM_read_bio_PrivateKey(b, NULL, vigil_pem_no_passphrase, NULL);
}

static void
pem_no_passphrase_refuses_every_encrypted_key(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *got;
	BIO *b;

	(void)state;
	assert_non_null(k);
	print_message("a plain key loads\n");
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	got = read_back(b);
	assert_non_null(got);
	EVP_PKEY_free(got);
	BIO_free(b);
	print_message("a key encrypted with the empty passphrase is "
	    "refused, not tried\n");
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(),
	    (unsigned char *)"", 0, NULL, NULL), 1);
	assert_null(read_back(b));
	BIO_free(b);
	print_message("a key encrypted with a passphrase is refused\n");
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(),
	    (unsigned char *)"secret", 6, NULL, NULL), 1);
	assert_null(read_back(b));
	BIO_free(b);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strerror_names_every_code_and_unknown),
		cmocka_unit_test(pem_no_passphrase_refuses_every_encrypted_key),
		cmocka_unit_test(seterr_formats_and_returns_code),
		cmocka_unit_test(buf_grows_until_ceiling_then_refuses),
		cmocka_unit_test(hex_round_trips_and_rejects_odd_or_bad_digits),
		cmocka_unit_test(
		    hex_value_reads_one_ascii_digit_of_either_case),
		cmocka_unit_test(base64_matches_rfc4648_vectors),
		cmocka_unit_test(base64_rejects_noncanonical_input),
		cmocka_unit_test(base64url_matches_rfc4648_vectors_unpadded),
		cmocka_unit_test(base64url_needs_room_for_text_and_nul),
		cmocka_unit_test(
		    base64url_rejects_padding_and_noncanonical_input),
		cmocka_unit_test(
		    utf8_decode_accepts_shortest_forms_and_rejects_the_rest),
		cmocka_unit_test(time_formats_rfc3339_with_milliseconds),
		cmocka_unit_test(
		    time_parses_offsets_fractions_and_rejects_bad_fields),
		cmocka_unit_test(uuid7_has_version_variant_and_time_order),
		cmocka_unit_test(days_in_month_knows_gregorian_leap_years),
		cmocka_unit_test(ct_equal_compares_all_bytes),
		cmocka_unit_test(json_get_str_bounds_types_and_duplicates),
		cmocka_unit_test(
		    json_string_lossy_replaces_each_bad_byte_with_fffd),
		cmocka_unit_test(
		    json_builders_render_unset_as_null_and_fail_as_a_whole),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
