/*
 * epoch_publish (epoch.h): the one way a net worker announces a change
 * that alters access.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "epoch.h"
#include "ipc.h"
#include "log.h"
#include "net.h"
#include "net_worker.h"

void
epoch_publish(struct net_worker *w, int64_t seq, enum epoch_kind kind,
    const char *fmt, ...)
{
	struct ipc_epoch e;
	va_list ap;

	if (seq <= 0 || w == NULL || w->ctx == NULL)
		return;
	memset(&e, 0, sizeof e);
	e.epoch = (uint64_t)seq;
	e.kind = (uint16_t)kind;
	va_start(ap, fmt);
	vsnprintf(e.object, sizeof e.object, fmt, ap);
	va_end(ap);
	if (ipc_send_epoch(w->ctx->parent_fd, &e) != 0)
		vlog(VLOG_WARN, "ipc.error", "cannot publish epoch %" PRIu64
		    " (%s): %s", e.epoch, e.object, strerror(errno));
}
