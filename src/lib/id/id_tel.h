/*
 * Helpers shared by the telecom identifier parsers (IMEI, MEID/ESN,
 * ICCID, IMSI, EID): reading a digit string that people write with
 * separators, and reporting the first character that does not belong.
 */
#ifndef VIGIL_ID_TEL_H
#define VIGIL_ID_TEL_H

#include <stdbool.h>
#include <stddef.h>

#include "id_internal.h"

/* Group separators people print between digit groups. */
#define ID_TEL_SEPS " -./"

struct id_tel_scan {
	size_t n;    /* digits seen (may exceed what fitted in dst) */
	size_t bad;  /* 1-based position of the first stray character, 0 */
	char badc;   /* that character */
	bool letter; /* a hex letter A-F was seen (hex scans only) */
};

/*
 * Reads in[0..len), skipping ID_TEL_SEPS. Decimal digits (and, when hex
 * is true, hex digits, stored upper case) go to dst, at most dstsize-1
 * of them, NUL-terminated; the rest are only counted. Stops at the
 * first other character and records it in res->bad / res->badc.
 */
void id_tel_scan(const char *in, size_t len, bool hex, char *dst,
    size_t dstsize, struct id_tel_scan *res);

/* Fails with "<title> <input>: invalid character 'c' at position N". */
enum vigil_err id_tel_badchar(struct vigil_id *out, const char *title,
    const char *in, size_t len, const struct id_tel_scan *s);

/* Renders c for a message: 'x', or '\xNN' when not printable. */
const char *id_tel_char(char c, char buf[8]);

/* Appends a remark to out->warning, "; "-separated. */
void id_tel_warn(struct vigil_id *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "s" unless n == 1, for "1 digit" / "4 digits". */
const char *id_tel_plural(size_t n);

#endif
