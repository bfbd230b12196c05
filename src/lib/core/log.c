/* Logging hook: libvigil reports through the application's handler. */
#include <stdarg.h>
#include <stdio.h>

#include "vigil/core.h"

/* The one piece of process-wide state in libvigil: set once at start-up
 * by the application, read-only afterwards. */
static vigil_log_fn log_fn;
static void *log_ctx;

void
vigil_log_set_handler(vigil_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

void
vigil_log(enum vigil_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (log_fn == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	log_fn(level, msg, log_ctx);
}
