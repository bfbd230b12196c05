/*
 * Internal interface of the identifier module: one parser and one
 * shape predicate per type, plus the helpers every parser uses to
 * report results. Nothing here is installed.
 */
#ifndef VIGIL_ID_INTERNAL_H
#define VIGIL_ID_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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

/* Formats into out->normalized / out->urn / out->match_key. */
void id_set_normalized(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void id_set_urn(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void id_set_key(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void id_set_warning(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a field / form (name must be a static string). Past
 * VIGIL_ID_MAX_FIELDS fields (only a long GS1 element string gets
 * there) the rest are dropped and the warning says so. */
void id_add_field(struct vigil_id *out, const char *name, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void id_add_form(struct vigil_id *out, const char *name, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Copies in[0..len) to dst dropping the separator characters in seps
 * (e.g. " -.:"), at most dstsize-1 bytes. Returns the compacted length,
 * or (size_t)-1 when it would not fit.
 */
size_t id_compact(const char *in, size_t len, const char *seps, char *dst,
    size_t dstsize);
/* True when all n bytes are ASCII decimal digits / hex digits. */
bool id_all_digits(const char *s, size_t n);
bool id_all_hex(const char *s, size_t n);
/* Case-insensitive prefix test; returns prefix length or 0. */
size_t id_has_prefix(const char *in, size_t len, const char *prefix);

#endif
