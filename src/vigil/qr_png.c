/*
 * PNG rendering of a QR symbol with libpng: 1-bit greyscale, square
 * modules of module_px pixels, 4-module quiet zone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "qr.h"

static void
png_error_cb(png_structp png, png_const_charp msg)
{
	char *err = png_get_error_ptr(png);

	/* err points at a buffer of at least 128 bytes (see below). */
	snprintf(err, 128, "PNG: %s", msg);
	png_longjmp(png, 1);
}

static void
png_warn_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

bool
qr_write_png(const struct qr_symbol *q, FILE *f, unsigned module_px,
    char *err, size_t errsize)
{
	char pngerr[128] = "";
	unsigned side = (unsigned)(q->width + 2 * QR_QUIET) * module_px;
	size_t rowbytes = (side + 7) / 8;
	png_structp png;
	png_infop info;
	png_bytep row;
	bool ok = false;

	if (module_px == 0 || module_px > QR_MAX_MODULE) {
		snprintf(err, errsize, "module size %u is out of range 1-%d",
		    module_px, QR_MAX_MODULE);
		return false;
	}
	if ((row = malloc(rowbytes)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return false;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, pngerr,
	    png_error_cb, png_warn_cb);
	info = png != NULL ? png_create_info_struct(png) : NULL;
	if (png == NULL || info == NULL) {
		snprintf(err, errsize, "out of memory");
		png_destroy_write_struct(png ? &png : NULL, NULL);
		free(row);
		return false;
	}
	if (setjmp(png_jmpbuf(png)) != 0) {
		/* Only objects allocated before setjmp are touched here. */
		snprintf(err, errsize, "%s", pngerr[0] ? pngerr : "PNG error");
		png_destroy_write_struct(&png, &info);
		free(row);
		return false;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned py = 0; py < side; py++) {
		int y = (int)(py / module_px);

		/* 1-bit grey: 1 = white, 0 = black, most significant bit
		 * first. */
		memset(row, 0xff, rowbytes);
		for (unsigned px = 0; px < side; px++)
			if (qr_dark(q, (int)(px / module_px), y))
				row[px / 8] &= (png_byte)~(0x80u >> (px % 8));
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fflush(f) != 0 || ferror(f))
		snprintf(err, errsize, "write error: %s", strerror(errno));
	else
		ok = true;
	return ok;
}
