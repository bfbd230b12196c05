/*
 * vigil/core.h — error model, bounded buffers, encodings, time, logging.
 *
 * Conventions (DESIGN.md §4): functions return enum vigil_err (0 = OK,
 * values never renumbered); results go through trailing out-parameters,
 * cleared on entry; handles keep the last error text.
 */
#ifndef VIGIL_CORE_H
#define VIGIL_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. Never renumber: they cross the API and the CLI exit path. */
enum vigil_err {
	VIGIL_OK = 0,
	VIGIL_EINVAL = 1,    /* input is malformed or fails a check */
	VIGIL_ENOMEM = 2,    /* allocation failed */
	VIGIL_ENOTFOUND = 3, /* no such object */
	VIGIL_EEXIST = 4,    /* object or unique key already exists */
	VIGIL_EIO = 5,       /* file or OS error */
	VIGIL_ESTORE = 6,    /* database error */
	VIGIL_ESTATE = 7,    /* illegal state transition */
	VIGIL_ERANGE = 8,    /* a size or count limit was exceeded */
	VIGIL_EAMBIGUOUS = 9, /* several interpretations; none chosen */
	VIGIL_EUNSUPPORTED = 10, /* valid but not supported by this build */
	VIGIL_ECONFLICT = 11, /* concurrent change (stale version) */
	VIGIL_EAUTH = 12,     /* authentication failed (bad credential) */
	VIGIL_EDENIED = 13,   /* authenticated, but not allowed */
	VIGIL_ELOCKED = 14,   /* locked out or rate limited; retry later */
	VIGIL_ETAMPER = 15,   /* an integrity check failed (audit chain) */
};

/* Static text for an error code; never NULL. */
const char *vigil_strerror(enum vigil_err code);

/* Frees memory returned by libvigil. free(NULL) is a no-op. */
void vigil_free(void *p);

/* Writes a formatted error message into buf (always NUL-terminated,
 * truncated to size). Returns code, so callers can write
 * `return vigil_seterr(h->err, sizeof h->err, VIGIL_EINVAL, "...")`. */
enum vigil_err vigil_seterr(char *buf, size_t size, enum vigil_err code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------ */
/* Bounded dynamic buffer. Every buffer has a ceiling (max); growth past
 * it fails with VIGIL_ERANGE instead of eating memory. data is always
 * NUL-terminated when non-NULL, so text can be used as a C string. */
struct vigil_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void vigil_buf_init(struct vigil_buf *b, size_t max);
enum vigil_err vigil_buf_reserve(struct vigil_buf *b, size_t extra);
enum vigil_err vigil_buf_append(struct vigil_buf *b, const void *p, size_t n);
enum vigil_err vigil_buf_appends(struct vigil_buf *b, const char *s);
enum vigil_err vigil_buf_appendf(struct vigil_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vigil_buf_reset(struct vigil_buf *b); /* len = 0, keeps memory */
void vigil_buf_free(struct vigil_buf *b);  /* releases memory */

/* ------------------------------------------------------------------ */
/* Hex and base64. Output buffers are caller-owned; *outlen is set. */

/* Value of one hex digit of either case (0-15), or -1 when c is not
 * one. ASCII only, whatever the locale: identifiers and encodings are
 * ASCII, and isxdigit() may accept more under a setlocale() call. */
int vigil_hex_value(char c);
/* Lower-case hex of n bytes into out (needs 2n+1 bytes). */
enum vigil_err vigil_hex_encode(const uint8_t *in, size_t n, char *out,
    size_t outsize);
/* Decodes hex (either case, even length) into out. */
enum vigil_err vigil_hex_decode(const char *in, size_t n, uint8_t *out,
    size_t outsize, size_t *outlen /* OUT */);
/* Standard base64 with padding (RFC 4648 §4). */
enum vigil_err vigil_base64_encode(const uint8_t *in, size_t n, char *out,
    size_t outsize);
enum vigil_err vigil_base64_decode(const char *in, size_t n, uint8_t *out,
    size_t outsize, size_t *outlen /* OUT */);
/* Value of one standard base64 digit (0-63; '+' and '/'), or -1 when c
 * is not one ('=' included): for decoders of laxer framings (EST bodies
 * with line breaks) that check the text themselves. */
int vigil_base64_value(char c);
/* URL-safe base64 without padding (RFC 4648 §5: '-' and '_' for '+' and
 * '/'), as in tokens and JOSE. Encoding needs ceil(4n/3)+1 bytes. The
 * decoder is strict: no '=' or whitespace, zero pad bits. */
enum vigil_err vigil_base64url_encode(const uint8_t *in, size_t n, char *out,
    size_t outsize);
enum vigil_err vigil_base64url_decode(const char *in, size_t n, uint8_t *out,
    size_t outsize, size_t *outlen /* OUT */);

/* ------------------------------------------------------------------ */
/* UTF-8 (RFC 3629). */

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), its code point
 * in *cp unless cp is NULL; 0 when s[0] does not start one: overlong
 * forms, surrogates, code points past U+10FFFF and sequences cut short
 * by n are all invalid. n must be at least 1. */
size_t vigil_utf8_decode(const void *s, size_t n, uint32_t *cp /* OUT */);

/* True for code points a terminal or log reader must not receive raw:
 * C0 and C1 controls and DEL (escape sequences, cursor moves), and the
 * invisible formatting characters that reorder or hide text (bidi
 * marks, overrides and isolates, zero-width characters, line and
 * paragraph separators, BOM), with which one name can pose as another.
 * Shared by the CLI's output escaping and vigild's logs. */
int vigil_cp_unsafe(uint32_t cp);

/* An OpenSSL pem_password_cb for keys vigil never encrypts (audit keys,
 * the daemon's TLS key: no one is there to type a passphrase; the
 * default callback would prompt on the terminal). Refuses every
 * encrypted key, including one encrypted with an empty passphrase. */
int vigil_pem_no_passphrase(char *buf, int size, int rwflag, void *u);

/* ------------------------------------------------------------------ */
/* Time. Timestamps are int64 milliseconds since the Unix epoch, UTC. */
#define VIGIL_RFC3339_LEN 32

int64_t vigil_time_now_ms(void);
/* Days in month 1-12 of a proleptic Gregorian year (29 in February of
 * a leap year). month must be 1-12. */
int vigil_days_in_month(int year, int month);
/* "2026-11-25T18:11:47.123Z" */
void vigil_time_format(int64_t ms, char out[VIGIL_RFC3339_LEN]);
/* Accepts RFC 3339 date-time with 'Z' or a numeric offset, optional
 * fraction (truncated to ms). Error text goes to err. */
enum vigil_err vigil_time_parse(const char *s, int64_t *ms /* OUT */,
    char *err, size_t errsize);

/* ------------------------------------------------------------------ */
/* Logging hook. libvigil never writes to stderr itself; it calls the
 * installed handler (default: none). Secrets never reach a log call. */
enum vigil_log_level {
	VIGIL_LOG_ERROR = 0,
	VIGIL_LOG_WARN = 1,
	VIGIL_LOG_INFO = 2,
	VIGIL_LOG_DEBUG = 3,
};
typedef void (*vigil_log_fn)(enum vigil_log_level level, const char *msg,
    void *ctx);
void vigil_log_set_handler(vigil_log_fn fn, void *ctx);
void vigil_log(enum vigil_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* New random UUIDv7 (RFC 9562 §5.7: 48-bit Unix ms time, then random
 * bits from the OpenSSL CSPRNG) as 36 lower-case characters + NUL.
 * Time-ordered, so primary keys stay local in B-tree indexes. */
#define VIGIL_UUID_STRLEN 37
enum vigil_err vigil_uuid7(char out[VIGIL_UUID_STRLEN]);

/* Constant-time comparison of secrets; returns 1 when equal. */
int vigil_ct_equal(const void *a, const void *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
