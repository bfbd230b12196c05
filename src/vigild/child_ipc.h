/*
 * child_ipc.h — how a child process (net worker, collector) reads the
 * parent's channel: one message at a time into a buffer of its own,
 * with one answer, in every child, to a quiet, closed or broken
 * channel.
 */
#ifndef VIGILD_CHILD_IPC_H
#define VIGILD_CHILD_IPC_H

#include "ipc.h"

/*
 * Reads one message from the parent on sock for a child of kind self.
 * Returns it (free() it; *fd is its passed fd or -1), or NULL with
 * *status:
 *   -1  nothing now (EAGAIN, EINTR, or no memory): retry on the next
 *       readiness;
 *    0  the parent is gone (EOF): stop, exit status 0, *why says so;
 *    1  the channel failed (a socket error, or a malformed or
 *       forbidden message, logged here): stop, exit status 1.
 */
struct ipc_msg *child_ipc_recv(int sock, int self, int *fd, int *status,
    const char **why);

#endif
