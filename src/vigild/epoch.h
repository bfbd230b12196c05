/*
 * Publishing an access-changing event (DESIGN.md §2: the epoch) from a
 * net worker: one IPC_EPOCH to the parent, which fans it out to every
 * worker (their decision point and gateway caches, and through them the
 * broker plugins). Best effort: every cache also polls the store's
 * generations, so a lost message delays a change by at most a poll
 * interval, never loses it.
 */
#ifndef VIGILD_EPOCH_H
#define VIGILD_EPOCH_H

#include <stdint.h>

#include "ipc.h"

struct net_worker;

/* Sends epoch `seq` (the audit sequence number of the change; 0 sends
 * nothing) of `kind`, naming the changed object (printf format,
 * truncated to IPC_EPOCH_OBJECT_MAX). A failure is logged. */
void epoch_publish(struct net_worker *w, int64_t seq, enum epoch_kind kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
