/* Bounded dynamic buffers: growth past the ceiling fails, never aborts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

void
vigil_buf_init(struct vigil_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

enum vigil_err
vigil_buf_reserve(struct vigil_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return VIGIL_ERANGE;
	need = b->len + extra + 1; /* room for the terminating NUL */
	if (need <= b->cap)
		return VIGIL_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->data, ncap)) == NULL)
		return VIGIL_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return VIGIL_OK;
}

enum vigil_err
vigil_buf_append(struct vigil_buf *b, const void *p, size_t n)
{
	enum vigil_err rc;

	if ((rc = vigil_buf_reserve(b, n)) != VIGIL_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return VIGIL_OK;
}

enum vigil_err
vigil_buf_appends(struct vigil_buf *b, const char *s)
{
	return vigil_buf_append(b, s, strlen(s));
}

enum vigil_err
vigil_buf_appendf(struct vigil_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum vigil_err rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return VIGIL_EINVAL;
	if ((rc = vigil_buf_reserve(b, (size_t)n)) != VIGIL_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return VIGIL_OK;
}

void
vigil_buf_reset(struct vigil_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
vigil_buf_free(struct vigil_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
