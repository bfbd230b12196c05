/*
 * Text helpers of the IAM module: quoting user input for error texts
 * (never secrets) and checking free text such as token labels.
 */
#include <stdio.h>
#include <string.h>

#include "iam_internal.h"

const char *
iam_quote(const char *s, char *dst, size_t dstsize)
{
	size_t o = 0;

	if (dstsize < 8) {
		if (dstsize > 0)
			dst[0] = '\0';
		return dst;
	}
	for (size_t i = 0; s != NULL && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		int k;

		if (c < 0x20 || c >= 0x7f)
			k = snprintf(tmp, sizeof tmp, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			k = snprintf(tmp, sizeof tmp, "\\%c", c);
		else
			k = snprintf(tmp, sizeof tmp, "%c", c);
		if (o + (size_t)k + 4 > dstsize) {
			memcpy(dst + o, "...", 4);
			return dst;
		}
		memcpy(dst + o, tmp, (size_t)k);
		o += (size_t)k;
	}
	dst[o] = '\0';
	return dst;
}

/* Length of the UTF-8 sequence starting at s (1-4), or 0 when it is
 * not a valid, shortest-form sequence of a scalar value. */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool
iam_text_ok(const char *s, size_t max, char *why, size_t whysize)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, max + 1);

	if (len > max) {
		snprintf(why, whysize, "longer than %zu bytes", max);
		return false;
	}
	for (size_t i = 0; i < len;) {
		size_t n;

		if (p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(why, whysize, "control character at byte %zu",
			    i + 1);
			return false;
		}
		if ((n = utf8_seq(p + i)) == 0) {
			snprintf(why, whysize, "invalid UTF-8 at byte %zu",
			    i + 1);
			return false;
		}
		i += n;
	}
	return true;
}
