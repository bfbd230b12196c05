/* Hex and base64 (RFC 4648) with strict decoding. */
#include <string.h>

#include <openssl/evp.h>

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

enum vigil_err
vigil_base64_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	if (n > INT32_MAX / 2 || outsize < 4 * ((n + 2) / 3) + 1)
		return VIGIL_ERANGE;
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return VIGIL_OK;
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict RFC 4648 §4 decoder: canonical padding, no whitespace, zero
 * pad bits. (EVP_DecodeBlock accepts whitespace and miscounts padding.) */
enum vigil_err
vigil_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	size_t o = 0, pad = 0;

	*outlen = 0;
	if (n % 4 != 0)
		return VIGIL_EINVAL;
	if (n > 0 && in[n - 1] == '=')
		pad = (n > 1 && in[n - 2] == '=') ? 2 : 1;
	if (outsize < n / 4 * 3 - pad)
		return VIGIL_ERANGE;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int last = (i + 4 == n);

		for (int k = 0; k < 4; k++) {
			if (last && in[i + (size_t)k] == '=' &&
			    (size_t)k >= 4 - pad) {
				v[k] = 0;
				continue;
			}
			if ((v[k] = b64val(in[i + (size_t)k])) < 0)
				return VIGIL_EINVAL;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (!last || pad < 1)
			out[o++] = (uint8_t)w;
		if (last && pad == 1 && (w & 0xff) != 0)
			return VIGIL_EINVAL;
		if (last && pad == 2 && (w & 0xffff) != 0)
			return VIGIL_EINVAL;
	}
	*outlen = o;
	return VIGIL_OK;
}
