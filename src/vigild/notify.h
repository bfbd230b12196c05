/*
 * Service manager notifications (sd_notify via libsystemd). Each call
 * is a no-op when NOTIFY_SOCKET is not set, i.e. outside systemd's
 * Type=notify units.
 */
#ifndef VIGILD_NOTIFY_H
#define VIGILD_NOTIFY_H

/* READY=1 with a STATUS line. */
void notify_ready(const char *status);

/* RELOADING=1 before re-reading the config; notify_ready after. */
void notify_reloading(void);

/* STOPPING=1 at the start of a graceful shutdown. */
void notify_stopping(void);

/* STATUS=<text>. */
void notify_status(const char *status);

#endif
