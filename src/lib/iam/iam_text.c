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
		if ((n = vigil_utf8_decode(p + i, len - i, NULL)) == 0) {
			snprintf(why, whysize, "invalid UTF-8 at byte %zu",
			    i + 1);
			return false;
		}
		i += n;
	}
	return true;
}
