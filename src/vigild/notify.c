/*
 * sd_notify wrapper: tells systemd (Type=notify) when vigild is ready,
 * reloading or stopping. libsystemd does nothing without NOTIFY_SOCKET,
 * so the same binary runs unchanged outside systemd.
 */
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

static void
send_state(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		vlog(VLOG_WARN, "notify.error", "sd_notify failed: error %d",
		    -rc);
}

void
notify_ready(const char *status)
{
	int rc = sd_notifyf(0, "READY=1\nSTATUS=%s", status);

	if (rc < 0)
		vlog(VLOG_WARN, "notify.error", "sd_notify failed: error %d",
		    -rc);
}

void
notify_reloading(void)
{
	send_state("RELOADING=1");
}

void
notify_stopping(void)
{
	send_state("STOPPING=1");
}

void
notify_status(const char *status)
{
	int rc = sd_notifyf(0, "STATUS=%s", status);

	if (rc < 0)
		vlog(VLOG_WARN, "notify.error", "sd_notify failed: error %d",
		    -rc);
}
