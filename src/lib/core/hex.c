/* Hex, base64 and base64url (RFC 4648) with strict decoding. */
#include <string.h>

#include "vigil/core.h"

int
vigil_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum vigil_err
vigil_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	static const char d[] = "0123456789abcdef";

	if (n > (SIZE_MAX - 1) / 2 || outsize < 2 * n + 1)
		return VIGIL_ERANGE;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
	return VIGIL_OK;
}

enum vigil_err
vigil_hex_decode(const char *in, size_t n, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	*outlen = 0;
	if (n % 2 != 0)
		return VIGIL_EINVAL;
	if (outsize < n / 2)
		return VIGIL_ERANGE;
	for (size_t i = 0; i < n; i += 2) {
		int hi = vigil_hex_value(in[i]);
		int lo = vigil_hex_value(in[i + 1]);

		if (hi < 0 || lo < 0)
			return VIGIL_EINVAL;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return VIGIL_OK;
}

/* RFC 4648 §4 and §5 differ only in the last two characters of the
 * alphabet, and in whether the text is padded with '='. */
static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encodes n bytes in alphabet abc, '='-padded to a multiple of 4 when
 * pad is set; out has room (the callers check). */
static void
b64_encode(const uint8_t *in, size_t n, const char *abc, int pad, char *out)
{
	size_t i = 0, o = 0, rest;
	uint32_t w;

	for (; n - i >= 3; i += 3) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = abc[w >> 18 & 63];
		out[o++] = abc[w >> 12 & 63];
		out[o++] = abc[w >> 6 & 63];
		out[o++] = abc[w & 63];
	}
	if ((rest = n - i) > 0) {
		w = (uint32_t)in[i] << 16 |
		    (rest == 2 ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = abc[w >> 18 & 63];
		out[o++] = abc[w >> 12 & 63];
		if (rest == 2)
			out[o++] = abc[w >> 6 & 63];
		for (; pad && o % 4 != 0; o++)
			out[o] = '=';
	}
	out[o] = '\0';
}

enum vigil_err
vigil_base64_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	if (n > INT32_MAX / 2 || outsize < 4 * ((n + 2) / 3) + 1)
		return VIGIL_ERANGE;
	b64_encode(in, n, b64_std, 1, out);
	return VIGIL_OK;
}

enum vigil_err
vigil_base64url_encode(const uint8_t *in, size_t n, char *out,
    size_t outsize)
{
	if (n > INT32_MAX / 2 ||
	    outsize < n / 3 * 4 + (n % 3 != 0 ? n % 3 + 1 : 0) + 1)
		return VIGIL_ERANGE;
	b64_encode(in, n, b64_url, 0, out);
	return VIGIL_OK;
}

/* Value of c in the alphabet whose last two characters are c62 and c63,
 * or -1. */
static int
b64val(char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == c62)
		return 62;
	if (c == c63)
		return 63;
	return -1;
}

int
vigil_base64_value(char c)
{
	return b64val(c, '+', '/');
}

/* Decodes n characters of unpadded base64 (alphabet ending c62 c63). A
 * last group of 2 or 3 characters must have zero pad bits, so each
 * value has exactly one spelling; a last group of 1 is no encoding. */
static enum vigil_err
b64_decode(const char *in, size_t n, char c62, char c63, uint8_t *out,
    size_t outsize, size_t *outlen)
{
	size_t o = 0;

	*outlen = 0;
	if (n % 4 == 1)
		return VIGIL_EINVAL;
	if (outsize < n / 4 * 3 + (n % 4 != 0 ? n % 4 - 1 : 0))
		return VIGIL_ERANGE;
	for (size_t i = 0; i < n; i += 4) {
		size_t m = n - i < 4 ? n - i : 4;
		uint32_t w = 0;

		for (size_t k = 0; k < m; k++) {
			int v = b64val(in[i + k], c62, c63);

			if (v < 0)
				return VIGIL_EINVAL;
			w = w << 6 | (uint32_t)v;
		}
		w <<= 6 * (4 - m);
		out[o++] = (uint8_t)(w >> 16);
		if (m > 2)
			out[o++] = (uint8_t)(w >> 8);
		if (m > 3)
			out[o++] = (uint8_t)w;
		if ((m == 2 && (w & 0xffff) != 0) ||
		    (m == 3 && (w & 0xff) != 0))
			return VIGIL_EINVAL;
	}
	*outlen = o;
	return VIGIL_OK;
}

/* Strict RFC 4648 §4 decoder: canonical padding, no whitespace, zero
 * pad bits. (EVP_DecodeBlock accepts whitespace and miscounts padding.) */
enum vigil_err
vigil_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	size_t pad = 0;

	*outlen = 0;
	if (n % 4 != 0)
		return VIGIL_EINVAL;
	if (n > 0 && in[n - 1] == '=')
		pad = (n > 1 && in[n - 2] == '=') ? 2 : 1;
	/* Any other '=' is outside the alphabet and refused. */
	return b64_decode(in, n - pad, '+', '/', out, outsize, outlen);
}

enum vigil_err
vigil_base64url_decode(const char *in, size_t n, uint8_t *out,
    size_t outsize, size_t *outlen)
{
	return b64_decode(in, n, '-', '_', out, outsize, outlen);
}
