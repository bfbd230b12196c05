/*
 * Internal interface of the identifier module: one parser and one
 * shape predicate per type, plus the helpers every parser uses to
 * report results. Nothing here is installed.
 */
#ifndef VIGIL_ID_INTERNAL_H
#define VIGIL_ID_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/id.h"

/*
 * A parser receives trimmed input (no leading/trailing whitespace,
 * 0 < len <= VIGIL_ID_MAX_INPUT, not NUL-terminated) and an out struct
 * already cleared with out->type set. It returns VIGIL_OK after filling
 * normalized, urn, match_key, fields and forms, or VIGIL_EINVAL via
 * id_fail() with a message that says what is wrong and where.
 */
typedef enum vigil_err (*id_parse_fn)(const char *in, size_t len,
    struct vigil_id *out);
/* Cheap syntactic test used by auto-detection: true when the input has
 * the outward shape of this type (right alphabet, length, prefix), so
 * that a failed parse is worth reporting as "the" error. */
typedef bool (*id_shape_fn)(const char *in, size_t len);

#define ID_PARSER(name)                                                    \
	enum vigil_err id_parse_##name(const char *in, size_t len,         \
	    struct vigil_id *out);                                          \
	bool id_shape_##name(const char *in, size_t len)

ID_PARSER(imei);
ID_PARSER(imeisv);
ID_PARSER(meid);
ID_PARSER(esn);
ID_PARSER(iccid);
ID_PARSER(imsi);
ID_PARSER(eid);
ID_PARSER(mac);
ID_PARSER(eui64);
ID_PARSER(dev_urn);
ID_PARSER(gtin);
ID_PARSER(gs1);
ID_PARSER(digital_link);
ID_PARSER(epc);
ID_PARSER(uuid);
ID_PARSER(uri);
ID_PARSER(serial);

/*
 * What vigil_id_parse() does before it calls the parser of t, for the
 * other entry points that read a value of type t: clears *out with
 * out->type = t, trims surrounding whitespace off *in / *len and fails
 * like vigil_id_parse() on an empty, over-long (VIGIL_ERANGE) or
 * NUL-holding value, or on an unknown t.
 */
enum vigil_err id_prepare(enum vigil_id_type t, const char **in,
    size_t *len, struct vigil_id *out);

/* Sets out->error ("<fmt>") and returns VIGIL_EINVAL. Convention for
 * the message: "<TITLE> <input as given>: <what is wrong>[ at
 * position N]", e.g. "IMEI 490154203237512: check digit is 2, expected
 * 8". Use id_quote() to embed the input safely. */
enum vigil_err id_fail(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies in[0..len) into dst (size dstsize) for embedding in messages:
 * non-printable bytes become \xNN, the result is truncated with "..."
 * past 64 characters. Returns dst. */
const char *id_quote(const char *in, size_t len, char *dst, size_t dstsize);
#define ID_QUOTE_SIZE 280

/*
 * Quotes a URI like id_quote(), with the password of its userinfo
 * ("scheme://user:password@host...") shown as "...": messages must not
 * carry secrets. Other text is quoted unchanged.
 */
const char *id_quote_uri(const char *in, size_t len, char *dst,
    size_t dstsize);

/* Formats into out->normalized / urn / match_key, replacing what was
 * there. Warnings have no setter: every remark goes through
 * id_add_warning(), so that none overwrites another. */
void id_set_normalized(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void id_set_urn(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void id_set_key(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a field / form (name must be a static string). Past
 * VIGIL_ID_MAX_FIELDS fields (only a long GS1 element string gets
 * there) the rest are dropped and a warning (appended once) says so. */
void id_add_field(struct vigil_id *out, const char *name, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void id_add_form(struct vigil_id *out, const char *name, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Appends a remark to out->warning, "; "-separated; a remark that
 * does not fit is truncated rather than dropped, since the first
 * remarks matter most. */
void id_add_warning(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* vsnprintf into dst (size > 0; always NUL-terminated, "" on an
 * encoding error), for callers that build a message in two steps. */
void id_vformat(char *dst, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* "s" unless n == 1, for "1 digit" / "4 digits". */
const char *id_plural(size_t n);

/*
 * Character classes. ASCII only, whatever the locale: identifiers are
 * ASCII, and <ctype.h> follows setlocale(), so isalnum() could accept
 * a Latin-1 letter in a program that sets a locale.
 */
static inline bool
id_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
id_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
id_is_alnum(char c)
{
	return id_is_digit(c) || id_is_alpha(c);
}

static inline bool
id_is_hex(char c)
{
	return vigil_hex_value(c) >= 0;
}

static inline char
id_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline char
id_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static inline bool
id_is_unreserved(char c)
{
	return id_is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* True when all n bytes are ASCII decimal digits / hex digits. */
bool id_all_digits(const char *s, size_t n);
bool id_all_hex(const char *s, size_t n);
/* Case-insensitive prefix test; returns prefix length or 0. */
size_t id_has_prefix(const char *in, size_t len, const char *prefix);
/* True when s[0..n) is exactly the string str (case-sensitive): table
 * lookups by a name cut out of the input. */
bool id_str_eq(const char *s, size_t n, const char *str);

/* Value of the decimal digits s[0..n). False when n is 0, n > 19 (the
 * value might not fit 64 bits) or a byte is not a digit. */
bool id_dec_uint(const char *s, size_t n, uint64_t *v /* OUT */);
/* Value of the hex digits s[0..n), n <= 16, that the caller has
 * already checked (the error message wants their position, so the
 * check is the caller's). A byte that is not a hex digit reads as 0:
 * misuse gives a wrong value, never undefined behaviour. */
uint64_t id_hex_uint(const char *s, size_t n);

/* Byte value of the percent-encoding "%XY" (RFC 3986 §2.1) at
 * s[0..n), or -1 when s does not start with a complete one. */
int id_pct_decode(const char *s, size_t n);
/* Writes "%XY" for c (upper-case hex, as RFC 3986 §2.1 recommends). */
void id_pct_encode(unsigned char c, char dst[3]);

/*
 * Numbers that people print with group separators (telecom numbers,
 * GTINs): the digits in order, the separators dropped.
 */
#define ID_TEL_SEPS " -./" /* between the groups of telecom numbers */

struct id_scan {
	size_t n;    /* digits seen (may exceed what fitted in dst) */
	size_t bad;  /* 1-based position of the first stray character, 0 */
	char badc;   /* that character */
	bool letter; /* a hex letter A-F was seen (hex scans only) */
};

/*
 * Reads in[0..len), skipping the characters of seps. Decimal digits
 * (and, when hex is true, hex digits, stored upper case) go to dst, at
 * most dstsize-1 of them, NUL-terminated; the rest are only counted.
 * Stops at the first other character and records it in res->bad /
 * res->badc.
 */
void id_scan_digits(const char *in, size_t len, const char *seps, bool hex,
    char *dst, size_t dstsize, struct id_scan *res /* OUT */);
/* Fails with "<title> <input>: invalid character 'c' at position N"
 * for the stray character that id_scan_digits() found. */
enum vigil_err id_fail_badchar(struct vigil_id *out, const char *title,
    const char *in, size_t len, const struct id_scan *s);
/*
 * Reads a decimal number of min..max digits written with ID_TEL_SEPS
 * into d (dsize > max), its digit count into *n. Fails with the
 * stray character or with "<title> <input>: N digits, expected MIN[ to
 * MAX]".
 */
enum vigil_err id_scan_number(struct vigil_id *out, const char *title,
    const char *in, size_t len, size_t min, size_t max, char *d,
    size_t dsize, size_t *n /* OUT */);
/* Fails at in[p] of a URN: "<title> <input>: unexpected character 'c'
 * at position N, expected <expected>", or "URN ends after position
 * LEN, expected ..." when p >= len. */
enum vigil_err id_fail_expected(struct vigil_id *out, const char *title,
    const char *in, size_t len, size_t p, const char *expected);

#endif
