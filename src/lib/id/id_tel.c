/* Digit scanning and error wording shared by the telecom identifiers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "id_tel.h"

void
id_tel_scan(const char *in, size_t len, bool hex, char *dst, size_t dstsize,
    struct id_tel_scan *res)
{
	size_t o = 0;

	memset(res, 0, sizeof *res);
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c != '\0' && strchr(ID_TEL_SEPS, c) != NULL)
			continue;
		if (hex && c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (hex && c >= 'A' && c <= 'F') {
			res->letter = true;
		} else if (c < '0' || c > '9') {
			res->bad = i + 1;
			res->badc = c;
			break;
		}
		if (o + 1 < dstsize)
			dst[o++] = c;
		res->n++;
	}
	if (dstsize > 0)
		dst[o] = '\0';
}

const char *
id_tel_char(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "'\\x%02x'", u);
	return buf;
}

enum vigil_err
id_tel_badchar(struct vigil_id *out, const char *title, const char *in,
    size_t len, const struct id_tel_scan *s)
{
	char q[ID_QUOTE_SIZE], cb[8];

	return id_fail(out, "%s %s: invalid character %s at position %zu",
	    title, id_quote(in, len, q, sizeof q), id_tel_char(s->badc, cb),
	    s->bad);
}

const char *
id_tel_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void
id_tel_warn(struct vigil_id *out, const char *fmt, ...)
{
	size_t n = strlen(out->warning);
	va_list ap;

	if (n > 0 && n + 2 < sizeof out->warning) {
		memcpy(out->warning + n, "; ", 3);
		n += 2;
	}
	if (n + 1 >= sizeof out->warning)
		return;
	va_start(ap, fmt);
	vsnprintf(out->warning + n, sizeof out->warning - n, fmt, ap);
	va_end(ap);
}
