/* Result helpers shared by every identifier parser. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

static void
vset(char *dst, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, size, fmt, ap);

	if (n < 0)
		dst[0] = '\0';
}

enum vigil_err
id_fail(struct vigil_id *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(out->error, sizeof out->error, fmt, ap);
	va_end(ap);
	return VIGIL_EINVAL;
}

const char *
id_quote(const char *in, size_t len, char *dst, size_t dstsize)
{
	static const char hexd[] = "0123456789abcdef";
	size_t o = 0, shown = 0;

	if (dstsize == 0)
		return dst;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t need = (c >= 0x20 && c < 0x7f) ? 1 : 4;

		if (shown >= 64 || o + need + 4 > dstsize) {
			if (o + 4 <= dstsize) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hexd[c >> 4];
			dst[o++] = hexd[c & 15];
		}
		shown++;
	}
	dst[o] = '\0';
	return dst;
}

#define ID_SETTER(fn, member)                                             \
	void fn(struct vigil_id *out, const char *fmt, ...)               \
	{                                                                 \
		va_list ap;                                               \
		va_start(ap, fmt);                                        \
		vset(out->member, sizeof out->member, fmt, ap);           \
		va_end(ap);                                               \
	}

ID_SETTER(id_set_normalized, normalized)
ID_SETTER(id_set_urn, urn)
ID_SETTER(id_set_key, match_key)
ID_SETTER(id_set_warning, warning)

static void
add_attr(struct vigil_id_attr *arr, size_t *n, size_t max, const char *name,
    const char *fmt, va_list ap)
{
	if (*n >= max)
		return;
	arr[*n].name = name;
	vset(arr[*n].value, sizeof arr[*n].value, fmt, ap);
	(*n)++;
}

void
id_add_field(struct vigil_id *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (out->nfields >= VIGIL_ID_MAX_FIELDS && out->warning[0] == '\0')
		id_set_warning(out, "more than %d fields: only the first %d "
		    "are listed", VIGIL_ID_MAX_FIELDS, VIGIL_ID_MAX_FIELDS);
	va_start(ap, fmt);
	add_attr(out->fields, &out->nfields, VIGIL_ID_MAX_FIELDS, name, fmt,
	    ap);
	va_end(ap);
}

void
id_add_form(struct vigil_id *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_attr(out->forms, &out->nforms, VIGIL_ID_MAX_FORMS, name, fmt, ap);
	va_end(ap);
}

size_t
id_compact(const char *in, size_t len, const char *seps, char *dst,
    size_t dstsize)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\0' && strchr(seps, in[i]) != NULL)
			continue;
		if (o + 1 >= dstsize)
			return (size_t)-1;
		dst[o++] = in[i];
	}
	if (dstsize > 0)
		dst[o] = '\0';
	return o;
}

bool
id_all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
id_all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

size_t
id_has_prefix(const char *in, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)in[i]) !=
		    tolower((unsigned char)prefix[i]))
			return 0;
	return n;
}
