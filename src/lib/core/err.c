/* Error codes and messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vigil/core.h"

const char *
vigil_strerror(enum vigil_err code)
{
	switch (code) {
	case VIGIL_OK: return "success";
	case VIGIL_EINVAL: return "invalid input";
	case VIGIL_ENOMEM: return "out of memory";
	case VIGIL_ENOTFOUND: return "not found";
	case VIGIL_EEXIST: return "already exists";
	case VIGIL_EIO: return "input/output error";
	case VIGIL_ESTORE: return "database error";
	case VIGIL_ESTATE: return "illegal state transition";
	case VIGIL_ERANGE: return "limit exceeded";
	case VIGIL_EAMBIGUOUS: return "ambiguous";
	case VIGIL_EUNSUPPORTED: return "not supported";
	case VIGIL_ECONFLICT: return "conflicting change";
	case VIGIL_EAUTH: return "authentication failed";
	case VIGIL_EDENIED: return "permission denied";
	case VIGIL_ELOCKED: return "locked out; retry later";
	case VIGIL_ETAMPER: return "integrity check failed";
	}
	return "unknown error";
}

void
vigil_free(void *p)
{
	free(p);
}

enum vigil_err
vigil_seterr(char *buf, size_t size, enum vigil_err code, const char *fmt,
    ...)
{
	va_list ap;

	if (buf == NULL || size == 0)
		return code;
	va_start(ap, fmt);
	if (vsnprintf(buf, size, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
	return code;
}

int
vigil_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	return d == 0;
}
