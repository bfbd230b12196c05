/*
 * Helpers shared by the identifier parsers: result and message
 * building, ASCII character tests, digit scanning and percent-encoding.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

#define ID_STR_(x) #x
#define ID_STR(x) ID_STR_(x)
#define ID_TOO_MANY_FIELDS "more than " ID_STR(VIGIL_ID_MAX_FIELDS) " fields"

void
id_vformat(char *dst, size_t size, const char *fmt, va_list ap)
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
	id_vformat(out->error, sizeof out->error, fmt, ap);
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

/* Offsets [*start, *end) of the password in the userinfo of
 * "scheme://user:password@host..." (after the first ':' of the
 * userinfo, up to the last '@' of the authority). False when there is
 * no userinfo or it has no ':'; *start == *end for an empty password. */
static bool
uri_password(const char *in, size_t len, size_t *start, size_t *end)
{
	size_t i = 0, auth, stop, at = SIZE_MAX;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "//" */
	if (len == 0 || !id_is_alpha(in[0]))
		return false;
	while (i < len && (id_is_alnum(in[i]) || in[i] == '+' ||
	    in[i] == '-' || in[i] == '.'))
		i++;
	if (len - i < 3 || memcmp(in + i, "://", 3) != 0)
		return false;
	auth = i + 3;
	for (stop = auth; stop < len && in[stop] != '/' && in[stop] != '?' &&
	    in[stop] != '#'; stop++)
		if (in[stop] == '@')
			at = stop; /* the last one: hides the most */
	if (at == SIZE_MAX)
		return false;
	for (i = auth; i < at && in[i] != ':'; i++)
		;
	if (i == at)
		return false;
	*start = i + 1;
	*end = at;
	return true;
}

const char *
id_quote_uri(const char *in, size_t len, char *dst, size_t dstsize)
{
	/* id_quote() shows at most 64 characters: a prefix of the
	 * redacted text longer than that quotes the same. */
	char buf[128];
	size_t s, e, n = 0;

	if (!uri_password(in, len, &s, &e) || s == e)
		return id_quote(in, len, dst, dstsize);
	for (size_t i = 0; i < len && n < sizeof buf - 3; i++) {
		if (i == s) {
			memcpy(buf + n, "...", 3); /* NOLINT: length-counted */
			n += 3;
			i = e - 1;
			continue;
		}
		buf[n++] = in[i];
	}
	return id_quote(buf, n, dst, dstsize);
}

#define ID_SETTER(fn, member)                                             \
	void fn(struct vigil_id *out, const char *fmt, ...)               \
	{                                                                 \
		va_list ap;                                               \
		va_start(ap, fmt);                                        \
		id_vformat(out->member, sizeof out->member, fmt, ap);     \
		va_end(ap);                                               \
	}

ID_SETTER(id_set_normalized, normalized)
ID_SETTER(id_set_urn, urn)
ID_SETTER(id_set_key, match_key)

static void
add_attr(struct vigil_id_attr *arr, size_t *n, size_t max, const char *name,
    const char *fmt, va_list ap)
{
	if (*n >= max)
		return;
	arr[*n].name = name;
	id_vformat(arr[*n].value, sizeof arr[*n].value, fmt, ap);
	(*n)++;
}

void
id_add_field(struct vigil_id *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (out->flags & VIGIL_ID_PARSE_NO_DETAIL)
		return;
	/* Said once: the first dropped field adds the remark, the later
	 * ones find it. */
	if (out->nfields >= VIGIL_ID_MAX_FIELDS &&
	    strstr(out->warning, ID_TOO_MANY_FIELDS) == NULL)
		id_add_warning(out, ID_TOO_MANY_FIELDS ": only the first %d "
		    "are listed", VIGIL_ID_MAX_FIELDS);
	va_start(ap, fmt);
	add_attr(out->fields, &out->nfields, VIGIL_ID_MAX_FIELDS, name, fmt,
	    ap);
	va_end(ap);
}

void
id_add_form(struct vigil_id *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (out->flags & VIGIL_ID_PARSE_NO_DETAIL)
		return;
	va_start(ap, fmt);
	add_attr(out->forms, &out->nforms, VIGIL_ID_MAX_FORMS, name, fmt, ap);
	va_end(ap);
}

void
id_add_warning(struct vigil_id *out, const char *fmt, ...)
{
	char msg[VIGIL_ID_MAX_ERR + 2] = "; ";
	size_t n = strlen(out->warning), skip = n == 0 ? 2 : 0, m;
	va_list ap;

	va_start(ap, fmt);
	id_vformat(msg + 2, sizeof msg - 2, fmt, ap);
	va_end(ap);
	m = strlen(msg + skip);
	if (m > sizeof out->warning - 1 - n)
		m = sizeof out->warning - 1 - n;
	memcpy(out->warning + n, msg + skip, m);
	out->warning[n + m] = '\0';
}

const char *
id_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

bool
id_all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!id_is_digit(s[i]))
			return false;
	return true;
}

bool
id_all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!id_is_hex(s[i]))
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
		if (id_lower(in[i]) != id_lower(prefix[i]))
			return 0;
	return n;
}

bool
id_str_eq(const char *s, size_t n, const char *str)
{
	return strlen(str) == n && memcmp(s, str, n) == 0;
}

bool
id_dec_uint(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	/* 19 digits always fit in 64 bits; 20 may not. */
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!id_is_digit(s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

uint64_t
id_hex_uint(const char *s, size_t n)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 16; i++) {
		int d = vigil_hex_value(s[i]);

		x = x << 4 | (uint64_t)(d < 0 ? 0 : d);
	}
	return x;
}

int
id_pct_decode(const char *s, size_t n)
{
	int hi, lo;

	if (n < 3 || s[0] != '%')
		return -1;
	hi = vigil_hex_value(s[1]);
	lo = vigil_hex_value(s[2]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi << 4 | lo;
}

void
id_pct_encode(unsigned char c, char dst[3])
{
	static const char hexd[] = "0123456789ABCDEF";

	dst[0] = '%';
	dst[1] = hexd[c >> 4];
	dst[2] = hexd[c & 15];
}

void
id_scan_digits(const char *in, size_t len, const char *seps, bool hex,
    char *dst, size_t dstsize, struct id_scan *res)
{
	size_t o = 0;

	memset(res, 0, sizeof *res);
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c != '\0' && strchr(seps, c) != NULL)
			continue;
		if (hex)
			c = id_upper(c);
		if (hex && c >= 'A' && c <= 'F') {
			res->letter = true;
		} else if (!id_is_digit(c)) {
			res->bad = i + 1;
			res->badc = in[i];
			break;
		}
		if (o + 1 < dstsize)
			dst[o++] = c;
		res->n++;
	}
	if (dstsize > 0)
		dst[o] = '\0';
}

enum vigil_err
id_fail_badchar(struct vigil_id *out, const char *title, const char *in,
    size_t len, const struct id_scan *s)
{
	char q[ID_QUOTE_SIZE], cb[8];

	return id_fail(out, "%s %s: invalid character '%s' at position %zu",
	    title, id_quote(in, len, q, sizeof q),
	    id_quote(&s->badc, 1, cb, sizeof cb), s->bad);
}

enum vigil_err
id_scan_number(struct vigil_id *out, const char *title, const char *in,
    size_t len, size_t min, size_t max, char *d, size_t dsize, size_t *n)
{
	char q[ID_QUOTE_SIZE];
	struct id_scan s;

	id_scan_digits(in, len, ID_TEL_SEPS, false, d, dsize, &s);
	*n = s.n;
	if (s.bad)
		return id_fail_badchar(out, title, in, len, &s);
	if (s.n >= min && s.n <= max)
		return VIGIL_OK;
	id_quote(in, len, q, sizeof q);
	if (min == max)
		return id_fail(out, "%s %s: %zu digit%s, expected %zu", title,
		    q, s.n, id_plural(s.n), min);
	return id_fail(out, "%s %s: %zu digit%s, expected %zu to %zu", title,
	    q, s.n, id_plural(s.n), min, max);
}

enum vigil_err
id_fail_expected(struct vigil_id *out, const char *title, const char *in,
    size_t len, size_t p, const char *expected)
{
	char q[ID_QUOTE_SIZE], cb[8];

	id_quote(in, len, q, sizeof q);
	if (p >= len)
		return id_fail(out, "%s %s: URN ends after position %zu, "
		    "expected %s", title, q, len, expected);
	return id_fail(out, "%s %s: unexpected character '%s' at position "
	    "%zu, expected %s", title, q, id_quote(in + p, 1, cb, sizeof cb),
	    p + 1, expected);
}
