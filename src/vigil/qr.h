/*
 * QR code rendering for smart labels: libqrencode builds the symbol
 * (8-bit byte mode, error correction level M), these functions draw it
 * as PNG (libpng), SVG or terminal text, always with the 4-module quiet
 * zone ISO/IEC 18004 requires around the symbol.
 */
#ifndef VIGIL_CLI_QR_H
#define VIGIL_CLI_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define QR_QUIET 4        /* quiet zone, modules (ISO/IEC 18004 §6.3.8) */
#define QR_MAX_MODULE 64  /* largest --size, pixels per module */

struct qr_symbol {
	int version;          /* 1..40 */
	int width;            /* modules per side, without quiet zone */
	unsigned char *dark;  /* width * width, 1 = dark module */
};

/* Encodes text (NUL-terminated) in byte mode at level M. */
bool qr_encode(const char *text, struct qr_symbol *q /* OUT */, char *err,
    size_t errsize);
void qr_free(struct qr_symbol *q);

/* Module at (x, y) in quiet-zone coordinates: false outside the
 * symbol. */
bool qr_dark(const struct qr_symbol *q, int x, int y);

/* Writers; each returns false with err set on a write failure. */
bool qr_write_png(const struct qr_symbol *q, FILE *f, unsigned module_px,
    char *err, size_t errsize);
bool qr_write_svg(const struct qr_symbol *q, FILE *f, unsigned module_px,
    const char *title, char *err, size_t errsize);
bool qr_write_txt(const struct qr_symbol *q, FILE *f, bool invert, char *err,
    size_t errsize);

#endif
