/*
 * QR symbol construction (libqrencode) and the text renderings: SVG and
 * Unicode half blocks for terminals. PNG lives in qr_png.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

bool
qr_encode(const char *text, struct qr_symbol *q, char *err, size_t errsize)
{
	QRcode *c;
	size_t n;

	memset(q, 0, sizeof *q);
	/* Byte mode for the whole text: URIs are case-sensitive and a
	 * reader must return exactly these bytes. */
	errno = 0;
	c = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (c == NULL) {
		snprintf(err, errsize, "cannot encode %zu bytes as a QR code: "
		    "%s", strlen(text), errno == ERANGE ? "too long for "
		    "version 40 at level M" : strerror(errno ? errno : EINVAL));
		return false;
	}
	n = (size_t)c->width * (size_t)c->width;
	if ((q->dark = malloc(n)) == NULL) {
		QRcode_free(c);
		snprintf(err, errsize, "out of memory");
		return false;
	}
	/* libqrencode: bit 0 of each byte is the module colour. */
	for (size_t i = 0; i < n; i++)
		q->dark[i] = c->data[i] & 1;
	q->version = c->version;
	q->width = c->width;
	QRcode_free(c);
	return true;
}

void
qr_free(struct qr_symbol *q)
{
	free(q->dark);
	q->dark = NULL;
}

bool
qr_dark(const struct qr_symbol *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->dark[(size_t)y * (size_t)q->width + (size_t)x] != 0;
}

static bool
write_ok(FILE *f, char *err, size_t errsize)
{
	if (ferror(f) || fflush(f) != 0) {
		snprintf(err, errsize, "write error: %s", strerror(errno));
		return false;
	}
	return true;
}

/* XML character data / attribute value. */
static void
xml_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

bool
qr_write_svg(const struct qr_symbol *q, FILE *f, unsigned module_px,
    const char *title, char *err, size_t errsize)
{
	int w = q->width + 2 * QR_QUIET;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%u\" height=\"%u\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">\n", (unsigned)w * module_px,
	    (unsigned)w * module_px, w, w);
	if (title != NULL) {
		fputs("<title>", f);
		xml_escape(f, title);
		fputs("</title>\n", f);
	}
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, w);
	/* One path: a rectangle per horizontal run of dark modules. */
	fputs("<path fill=\"#000\" d=\"", f);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			int run = 0;

			while (x + run < w && qr_dark(q, x + run, y))
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			fprintf(f, "M%d %dh%dv1h-%dz", x, y, run, run);
			x += run;
		}
	}
	fputs("\"/>\n</svg>\n", f);
	return write_ok(f, err, errsize);
}

bool
qr_write_txt(const struct qr_symbol *q, FILE *f, bool invert, char *err,
    size_t errsize)
{
	/* Two module rows per text row: U+2580 upper half, U+2584 lower
	 * half, U+2588 full block. Drawn in the foreground colour, so dark
	 * modules are drawn on light terminals and light ones (--invert)
	 * on dark terminals. */
	static const char *const cell[4] = { " ", "\xe2\x96\x84",
	    "\xe2\x96\x80", "\xe2\x96\x88" };
	int w = q->width + 2 * QR_QUIET;

	for (int y = 0; y < w; y += 2) {
		for (int x = 0; x < w; x++) {
			bool top = qr_dark(q, x, y) != invert;
			bool bot = y + 1 < w ? qr_dark(q, x, y + 1) != invert :
			    false;

			fputs(cell[(top ? 2 : 0) | (bot ? 1 : 0)], f);
		}
		fputc('\n', f);
	}
	return write_ok(f, err, errsize);
}
